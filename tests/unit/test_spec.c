/* shim/spec/: hardening an OCI spec against a tenant policy. Every rule
 * of docs/design.md "Enforcement, in order" step 1, mostly as refusals. The
 * base spec is `runc spec` output (tests/data/specs/runc-default.json); the
 * policies are policies/tenant-default.json (root remapped) and the
 * fixtures under tests/data/policies/. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_spec.h"
#include "hs_test.h"

#define BASE_SPEC "tests/data/specs/runc-default.json"
#define F "config.json" /* the name errors carry */

static char scratch[64];
static struct hs_policy def; /* policies/tenant-default.json */
static struct hs_policy refuse; /* tests/data/policies/refuse-root.json */
static struct hs_policy readonly; /* tests/data/policies/readonly-rootfs.json */
static struct hs_harden_ctx ctx;
static struct hs_config cfg; /* the defaults, a netns dir and hook grants */
static char pod_netns[128]; /* a persistent netns, "" without root */
static char netns_dir[96];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static json_t *base_spec(void)
{
	struct hs_error err = {0};
	json_t *j =
		hs_json_load_path(BASE_SPEC, HS_CONFIG_JSON_MAX_BYTES, &err);

	if (!j)
		printf("# %s\n", err.msg);
	return j;
}

static json_t *get(json_t *root, const char *a, const char *b)
{
	json_t *v = json_object_get(root, a);

	return b ? json_object_get(v, b) : v;
}

static json_t *linux_of(json_t *spec)
{
	return json_object_get(spec, "linux");
}

static json_t *caps_of(json_t *spec)
{
	return get(get(spec, "process", NULL), "capabilities", NULL);
}

static bool array_has(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static size_t array_count(const json_t *a, const char *s)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach (a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			n++;
	return n;
}

static bool is_string_array(const json_t *a, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++)
		if (!json_is_string(json_array_get(a, i)) ||
		    strcmp(json_string_value(json_array_get(a, i)), want[i]) !=
			    0)
			return false;
	return json_array_size(a) == i;
}

/* Sets every capability set of the spec's process to `list` (stolen). */
static void set_all_caps(json_t *spec, json_t *list)
{
	static const char *const sets[] = {
		"bounding", "effective", "inheritable", "permitted", "ambient"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(sets); i++)
		json_object_set(caps_of(spec), sets[i], list);
	json_decref(list);
}

static json_t *user_of(json_t *spec)
{
	return get(get(spec, "process", NULL), "user", NULL);
}

static void set_user(json_t *spec, json_int_t uid, json_int_t gid)
{
	json_object_set_new(user_of(spec), "uid", json_integer(uid));
	json_object_set_new(user_of(spec), "gid", json_integer(gid));
}

/* The default-policy spec with the user made non-root, so that a test of
 * one rule fails only for that rule. */
static json_t *nonroot_spec(void)
{
	json_t *spec = base_spec();

	if (spec)
		set_user(spec, 1000, 1000);
	return spec;
}

static json_t *bind_mount(const char *src, const char *dst)
{
	return json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination", dst, "type",
			 "bind", "source", src, "options", "rbind", "ro");
}

/* Appends `m` (stolen) to the spec's mounts; returns its index. */
static size_t add_mount(json_t *spec, json_t *m)
{
	json_t *mounts = json_object_get(spec, "mounts");

	json_array_append_new(mounts, m);
	return json_array_size(mounts) - 1;
}

static int harden(json_t *spec, const struct hs_policy *p, struct hs_error *err)
{
	return hs_spec_harden(spec, p, &ctx, F, err);
}

/* --- the whole spec ------------------------------------------------------ */

static void test_runc_default_spec_hardens(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();
	static const char *const kept[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const none[] = {NULL};

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(err.count == 0);
	/* CAP_AUDIT_WRITE is not in tenant-default's ceiling. */
	CHECK(is_string_array(get(caps_of(spec), "bounding", NULL), kept));
	/* Remapped to a non-root user: only the bounding set is kept, so no
	 * file capability can raise the others. */
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "ambient", NULL), none));
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 65534);
	CHECK(json_integer_value(get(user_of(spec), "gid", NULL)) == 65534);
	CHECK(json_is_true(get(spec, "process", "noNewPrivileges")));
	CHECK(json_is_object(get(spec, "linux", "seccomp")));
}

static void test_unknown_fields_preserved(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *vendor = json_pack(
		"{s:[i,s,n],s:{s:b}}", "list", 1, "two", "nested", "deep", 1);
	_cleanup_json_ json_t *mounts = NULL;

	CHECK(spec != NULL && vendor != NULL);
	json_object_set(spec, "x-vendor", vendor);
	json_object_set_new(json_object_get(spec, "process"), "futureField",
			    json_string("kept"));
	json_object_set_new(linux_of(spec), "intelRdt",
			    json_pack("{s:s}", "closID", "guaranteed"));
	mounts = json_deep_copy(json_object_get(spec, "mounts"));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_equal(json_object_get(spec, "x-vendor"), vendor));
	CHECK_STR(json_string_value(get(spec, "process", "futureField")),
		  "kept");
	CHECK_STR(json_string_value(get(linux_of(spec), "intelRdt", "closID")),
		  "guaranteed");
	CHECK_STR(json_string_value(json_object_get(spec, "ociVersion")),
		  "1.0.2-dev");
	CHECK_STR(json_string_value(json_object_get(spec, "hostname")), "runc");
	CHECK(json_equal(json_object_get(spec, "mounts"), mounts));
	CHECK(json_array_size(get(spec, "process", "rlimits")) == 1);
}

static void test_privileged_spec_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec =
		hs_json_load_path("tests/data/specs/privileged.json",
				  HS_CONFIG_JSON_MAX_BYTES, &err);

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) < 0);
	/* pid and network namespaces, the shared bind of "/", the docker
	 * socket (no such file here, or not granted), two device rules, one
	 * sysctl: every one found. Group 0 is remapped, not refused. */
	CHECK(err.count == 7);
	/* Named in the user's words first. */
	CHECK_CONTAINS(err.msg, "privileged container "
				"(securityContext.privileged): config.json: "
				"linux.namespaces: host PID (hostPID: true): "
				"no pid namespace of its own");
}

static void test_not_a_spec(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *arr = json_array();
	_cleanup_json_ json_t *noproc = json_pack("{s:{}}", "linux");
	_cleanup_json_ json_t *nolinux = json_pack("{s:{}}", "process");

	CHECK(harden(arr, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: must be a JSON object");
	memset(&err, 0, sizeof(err));
	CHECK(harden(noproc, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process: required (runc would refuse "
			   "it)");
	memset(&err, 0, sizeof(err));
	CHECK(harden(nolinux, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "(runc would refuse it)");
}

/* --- capabilities --------------------------------------------------------- */

static void test_caps_requested_intersect_ceiling(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	static const char *const kill[] = {"CAP_KILL", NULL};
	static const char *const none[] = {NULL};

	CHECK(spec != NULL);
	set_all_caps(spec, json_pack("[s,s]", "CAP_SYS_ADMIN", "CAP_KILL"));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(is_string_array(get(caps_of(spec), "bounding", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "ambient", NULL), none));
}

/* A root process, where a policy lets one run, keeps requested ∩ ceiling
 * in every set but ambient. */
static void test_caps_root_keeps_sets(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();
	struct hs_policy root = def;
	static const char *const kill[] = {"CAP_KILL", NULL};
	static const char *const none[] = {NULL};

	CHECK(spec != NULL);
	root.run_as_non_root = false;
	set_all_caps(spec, json_pack("[s,s]", "CAP_SYS_ADMIN", "CAP_KILL"));
	CHECK(harden(spec, &root, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 0);
	CHECK(is_string_array(get(caps_of(spec), "bounding", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "ambient", NULL), none));
}

/* No capabilities object at all: every set is written out, empty but for
 * nothing, so runc applies exactly what was judged. */
static void test_caps_absent_written_empty(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	static const char *const none[] = {NULL};

	CHECK(spec != NULL);
	json_object_del(get(spec, "process", NULL), "capabilities");
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(is_string_array(get(caps_of(spec), "bounding", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "ambient", NULL), none));
}

static void test_caps_never_added(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	static const char *const none[] = {NULL};

	/* Asking for nothing gets nothing, whatever the ceiling allows. */
	CHECK(spec != NULL);
	set_all_caps(spec, json_array());
	json_object_del(caps_of(spec), "inheritable");
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(is_string_array(get(caps_of(spec), "bounding", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), none));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), none));
}

static void test_caps_unknown_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(caps_of(spec), "bounding",
			    json_pack("[s,s]", "CAP_KILL", "CAP_FOO"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities.bounding[1]: "
			   "unknown capability \"CAP_FOO\"");
}

static void test_caps_lower_case_and_non_string_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *again = nonroot_spec();

	CHECK(spec != NULL && again != NULL);
	json_object_set_new(caps_of(spec), "effective",
			    json_pack("[s]", "cap_kill"));
	json_object_set_new(caps_of(spec), "ambient",
			    json_pack("[s]", "CAP_Kill"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "config.json: process.capabilities.effective[0]: "
			   "unknown capability \"cap_kill\"");
	memset(&err, 0, sizeof(err));
	json_object_set_new(caps_of(again), "permitted",
			    json_pack("[s,i]", "CAP_KILL", 5));
	CHECK(harden(again, &def, &err) < 0);
	/* runc would refuse a number there: the type check says so first. */
	CHECK_STR(err.msg,
		  "config.json: process.capabilities.permitted[1]: "
		  "must be a string, not an integer (runc would refuse "
		  "it)");
}

static void test_caps_wrong_types(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(caps_of(spec), "bounding", json_string("CAP_KILL"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities.bounding: must "
			   "be an array of strings, not a string (runc would "
			   "refuse it)");
	memset(&err, 0, sizeof(err));
	json_object_set_new(json_object_get(spec, "process"), "capabilities",
			    json_pack("[s]", "CAP_KILL"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: process.capabilities: must be an "
				"object");
}

static void test_ambient_kept_only_when_allowed(void)
{
	struct hs_error err = {0};
	struct hs_policy amb;
	_cleanup_json_ json_t *pol = json_pack(
		"{s:s,s:s,s:{s:[s],s:b}}", "name", "amb", "seccomp", "x.json",
		"capabilities", "ceiling", "CAP_KILL", "allowAmbient", 1);
	_cleanup_json_ json_t *proc = json_pack(
		"{s:{s:i,s:i},s:{s:[s,s]}}", "user", "uid", 1000, "gid", 1000,
		"capabilities", "ambient", "CAP_KILL", "CAP_SYS_ADMIN");
	static const char *const kill[] = {"CAP_KILL", NULL};

	CHECK(pol != NULL && proc != NULL);
	CHECK(hs_policy_parse(pol, "amb.json", &amb, &err) == 0);
	CHECK(hs_spec_harden_process(proc, &amb, "p.json", "", &err) == 0);
	hs_policy_free(&amb);
	CHECK(is_string_array(get(proc, "capabilities", "ambient"), kill));
}

/* --- no_new_privs and user -------------------------------------------------
 */

static void test_nnp_forced_true(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(json_object_get(spec, "process"), "noNewPrivileges",
			    json_false());
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_is_true(get(spec, "process", "noNewPrivileges")));
	json_object_del(json_object_get(spec, "process"), "noNewPrivileges");
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_is_true(get(spec, "process", "noNewPrivileges")));
}

static void test_uid0_remapped(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 65534);
	CHECK(json_integer_value(get(user_of(spec), "gid", NULL)) == 65534);
}

static void test_gid0_alone_remapped(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();

	CHECK(spec != NULL);
	set_user(spec, 1000, 0);
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 1000);
	CHECK(json_integer_value(get(user_of(spec), "gid", NULL)) == 65534);
}

static void test_uid0_refused_by_refuse_policy(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();

	CHECK(spec != NULL);
	CHECK(harden(spec, &refuse, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "config.json: process.user: runs as uid 0, refused "
		       "by policy \"refuse-root\" (runAsNonRoot)");
	memset(&err, 0, sizeof(err));
	set_user(spec, 1000, 0);
	CHECK(harden(spec, &refuse, &err) < 0);
	CHECK_CONTAINS(err.msg, "process.user: runs as gid 0, refused");
}

static void test_missing_user_is_root(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();

	/* No user object means uid 0 to runc. */
	CHECK(spec != NULL);
	json_object_del(json_object_get(spec, "process"), "user");
	CHECK(harden(spec, &refuse, &err) < 0);
	CHECK_CONTAINS(err.msg, "runs as uid 0, refused");
	memset(&err, 0, sizeof(err));
	json_object_del(json_object_get(spec, "process"), "user");
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 65534);
}

static void test_nonroot_user_kept(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	CHECK(harden(spec, &refuse, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 1000);
	CHECK(json_integer_value(get(user_of(spec), "gid", NULL)) == 1000);
}

static void test_user_wrong_values_refused(void)
{
	static const char *const bad[] = {"-1", "\"0\"", "4294967296", "1.5",
					  "true"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *spec = nonroot_spec();
		json_t *v = json_loads(bad[i], JSON_DECODE_ANY, NULL);

		CHECK(spec != NULL && v != NULL);
		json_object_set_new(user_of(spec), "uid", v);
		CHECK(harden(spec, &def, &err) < 0);
		CHECK_CONTAINS(err.msg,
			       "config.json: process.user.uid: must be "
			       "an integer in [0, 4294967295]");
	}
}

/* Group 0 among the additional groups follows the root rule: remapped to
 * the policy's gid (once) under a remap policy, refused with what to set
 * under a refuse policy. containerd and Docker put a root image's primary
 * group there. */
static void test_additional_gid_0_follows_root_rule(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *want = json_pack("[i,i]", 5, 65534);

	CHECK(spec != NULL);
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i,i,i]", 5, 0, 65534));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_equal(get(user_of(spec), "additionalGids", NULL), want));
	memset(&err, 0, sizeof(err));
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i,i]", 5, 0));
	CHECK(harden(spec, &refuse, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "config.json: process.user.additionalGids: "
		       "group 0 among the additional groups (a root "
		       "image's), refused by policy \"refuse-root\" "
		       "(runAsNonRoot): set a non-zero user and group");
	memset(&err, 0, sizeof(err));
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[s]", "0"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "additionalGids");
	memset(&err, 0, sizeof(err));
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i,i]", 5, 100));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_array_size(get(user_of(spec), "additionalGids", NULL)) == 2);
}

/* A root image as containerd writes it: uid 0, gid 0, additionalGids [0]. */
static void test_root_image_remapped(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = base_spec();
	_cleanup_json_ json_t *want = json_pack("[i]", 65534);

	CHECK(spec != NULL);
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i]", 0));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_integer_value(get(user_of(spec), "uid", NULL)) == 65534);
	CHECK(json_integer_value(get(user_of(spec), "gid", NULL)) == 65534);
	CHECK(json_equal(get(user_of(spec), "additionalGids", NULL), want));
}

/* --- namespaces --------------------------------------------------------------
 */

/* Removes the namespace of `type` from the spec. */
static void drop_namespace(json_t *spec, const char *type)
{
	json_t *list = json_object_get(linux_of(spec), "namespaces");
	size_t i;

	for (i = json_array_size(list); i-- > 0;)
		if (strcmp(json_string_value(json_object_get(
				   json_array_get(list, i), "type")),
			   type) == 0)
			json_array_remove(list, i);
}

/* Index of the namespace of `type`, with `path` set when not NULL. */
static size_t set_namespace_path(json_t *spec, const char *type,
				 const char *path)
{
	json_t *list = json_object_get(linux_of(spec), "namespaces");
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		json_t *ns = json_array_get(list, i);

		if (strcmp(json_string_value(json_object_get(ns, "type")),
			   type) == 0) {
			json_object_set_new(ns, "path", json_string(path));
			return i;
		}
	}
	return (size_t)-1;
}

static void test_missing_network_namespace_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	drop_namespace(spec, "network");
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux.namespaces: host network "
			   "(hostNetwork: true): no network namespace of its "
			   "own: the host's would be shared, refused");
}

static void test_every_missing_namespace_reported(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_del(linux_of(spec), "namespaces");
	/* What runc would want namespaces for goes too. */
	json_object_del(spec, "hostname");
	json_object_del(linux_of(spec), "maskedPaths");
	json_object_del(linux_of(spec), "readonlyPaths");
	CHECK(harden(spec, &def, &err) < 0);
	CHECK(err.count == 5); /* pid, network, mount, ipc, uts */
	CHECK_CONTAINS(err.msg, "no pid namespace of its own");
}

static void test_namespaces_not_an_array(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(linux_of(spec), "namespaces",
			    json_pack("{s:s}", "type", "network"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux.namespaces: must be an array of "
			   "objects, not an object (runc would refuse it)");
}

static void test_host_network_namespace_path_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	char want[128];
	size_t i;

	CHECK(spec != NULL);
	i = set_namespace_path(spec, "network", "/proc/1/ns/net");
	CHECK(i == 1);
	CHECK(harden(spec, &def, &err) < 0);
	snprintf(want, sizeof(want), "config.json: linux.namespaces[%zu]: ", i);
	CHECK_CONTAINS(err.msg, want);
	/* Where pid 1's namespaces cannot be looked at (no CAP_SYS_PTRACE
	 * over it), the path is refused as unusable instead: either way the
	 * container does not get the host's network. */
	if (access("/proc/1/ns/net", F_OK) == 0) {
		CHECK_CONTAINS(err.msg, "\"/proc/1/ns/net\" is the host's "
					"network namespace, refused");
		CHECK(err.count == 1);
	} else {
		CHECK_CONTAINS(err.msg, "namespace path \"/proc/1/ns/net\": ");
		CHECK_CONTAINS(err.msg, ", refused");
	}
}

static void test_own_namespace_path_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	/* hardshim runs in the host's namespaces: its own are the host's. */
	CHECK(spec != NULL);
	set_namespace_path(spec, "pid", "/proc/self/ns/pid");
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux.namespaces[0]: host PID "
			   "(hostPID: true): \"/proc/self/ns/pid\" is the "
			   "host's pid namespace, refused");
}

static void test_missing_namespace_path_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	set_namespace_path(spec, "network", "/nonexistent/netns/pod");
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: linux.namespaces[1]: ");
	CHECK_CONTAINS(err.msg, "/nonexistent/netns/pod");
}

static void test_namespace_entry_malformed(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_array_append_new(json_object_get(linux_of(spec), "namespaces"),
			      json_pack("{s:i}", "type", 7));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux.namespaces[5].type: must be a "
			   "string, not an integer (runc would refuse it)");
}

/* Another process's namespace is neither the container's own nor its pod
 * sandbox's: refused, whatever its path says. */
static void test_other_namespace_path_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	int ready[2], r;
	char path[64], c;
	pid_t pid;

	CHECK(spec != NULL);
	CHECK(pipe(ready) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		c = unshare(CLONE_NEWUTS | CLONE_NEWIPC) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	r = read(ready[0], &c, 1) == 1 && c == 'y';
	close(ready[0]);
	if (r) {
		snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
		set_namespace_path(spec, "ipc", path);
		r = harden(spec, &def, &err);
	} else {
		r = -1; /* no CAP_SYS_ADMIN: nothing to test */
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(r == -1);
	CHECK_CONTAINS(err.msg, "which is neither its own nor its pod "
				"sandbox's, refused");
}

/* A pod's app container names its sandbox by the engine's annotations;
 * the sandbox is looked up in the runtime's state, so a sandbox id that is
 * no container there is refused, whatever the path. */
static void test_pod_namespace_without_sandbox_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(
		spec, "annotations",
		json_pack("{s:s,s:s,s:s}", HS_ANNOTATION_CRI_TYPE, "container",
			  HS_ANNOTATION_CRI_SANDBOX, "nosuchsandbox",
			  "io.kubernetes.cri.sandbox-namespace", "tenant-a"));
	set_namespace_path(spec, "ipc", "/proc/self/ns/ipc");
	CHECK(harden(spec, &def, &err) < 0);
	/* Found as the host's first, before any sandbox is looked for. */
	CHECK_CONTAINS(err.msg, "is the host's ipc namespace, refused");
	memset(&err, 0, sizeof(err));
	set_namespace_path(spec, "ipc", scratch);
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "its pod sandbox \"nosuchsandbox\" is not a "
				"container of the runtime");
}

/* The engine's ids become path components: anything but an id is refused. */
static void test_pod_ids_checked(void)
{
	static const char *const bad[] = {"../x", "a/b", "", ".hidden"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *spec = nonroot_spec();

		CHECK(spec != NULL);
		json_object_set_new(
			spec, "annotations",
			json_pack("{s:s,s:s}", HS_ANNOTATION_CRI_TYPE,
				  "container", HS_ANNOTATION_CRI_SANDBOX,
				  bad[i]));
		CHECK(harden(spec, &def, &err) < 0);
		CHECK_CONTAINS(err.msg, "must be an id of [A-Za-z0-9_.+-]");
	}
}

/* --- mounts ------------------------------------------------------------------
 */

/* Hardens the non-root spec with one more mount; returns its index. */
static int harden_with_mount(json_t *m, size_t *ret_index, struct hs_error *err)
{
	_cleanup_json_ json_t *spec = nonroot_spec();

	if (!spec || !m)
		return -2;
	*ret_index = add_mount(spec, m);
	return harden(spec, &def, err);
}

static void check_bind_refused(const char *src)
{
	struct hs_error err = {0};
	char want[512];
	size_t i = 0;

	CHECK(harden_with_mount(bind_mount(src, "/mnt"), &i, &err) == -1);
	snprintf(want, sizeof(want),
		 "config.json: mounts[%zu]: hostPath \"%s\": bind mount of "
		 "host path \"%s\" is neither the engine's own directory for "
		 "this pod nor granted by policy \"tenant-default\" "
		 "(spec.hostPaths), refused",
		 i, src, src);
	CHECK_STR(err.msg, want);
}

static void test_bind_root_refused(void)
{
	check_bind_refused("/");
}

static void test_bind_etc_refused(void)
{
	check_bind_refused("/etc");
}

/* Not on any deny-list, and still refused: binaries every later
 * container runs could be replaced through them. */
static void test_bind_any_host_dir_refused(void)
{
	check_bind_refused("/usr");
	check_bind_refused("/var/spool");
	check_bind_refused("/bin"); /* through its symlink on merged /usr */
	check_bind_refused("/var");
	check_bind_refused("/tmp/../etc");
	check_bind_refused("//etc/./");
}

/* A source that does not exist cannot be judged. */
static void test_bind_missing_source_refused(void)
{
	struct hs_error err = {0};
	size_t i = 0;

	CHECK(harden_with_mount(bind_mount("/etc/kubernetes/pki", "/mnt"), &i,
				&err) == -1);
	CHECK_CONTAINS(err.msg, "bind source \"/etc/kubernetes/pki\": No such "
				"file or directory, refused");
}

static void test_bind_by_option_refused(void)
{
	struct hs_error err = {0};
	size_t i = 0;

	/* No "bind" type: the rbind option alone makes it a bind mount. */
	CHECK(harden_with_mount(json_pack("{s:s,s:s,s:s,s:[s]}", "destination",
					  "/mnt", "type", "none", "source",
					  "/root", "options", "rbind"),
				&i, &err) == -1);
	CHECK_CONTAINS(err.msg, "bind mount of host path \"/root\" is neither");
}

static void test_bind_relative_source_refused(void)
{
	struct hs_error err = {0};
	size_t i = 0;

	CHECK(harden_with_mount(bind_mount("etc", "/mnt"), &i, &err) == -1);
	CHECK_CONTAINS(err.msg, "bind source \"etc\" must be an absolute path");
}

/* A policy that grants scratch/granted (read-only unless it says so). */
static struct hs_policy granting(bool read_only)
{
	static char path[128];
	struct hs_policy p = def;

	snprintf(path, sizeof(path), "%s/granted", scratch);
	p.host_paths[0].path = path;
	p.host_paths[0].read_only = read_only;
	p.n_host_paths = 1;
	return p;
}

static int harden_bind_with(const struct hs_policy *p, const char *src,
			    json_t *opts, json_t **ret_mount,
			    struct hs_error *err)
{
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *m = json_pack("{s:s,s:s,s:s,s:o}", "destination", "/data",
			      "type", "bind", "source", src, "options", opts);
	int r;

	if (!spec || !m)
		return -2;
	add_mount(spec, m);
	r = harden(spec, p, err);
	*ret_mount = json_incref(m);
	return r;
}

static void test_bind_granted_host_path(void)
{
	struct hs_policy ro = granting(true), rw = granting(false);
	struct hs_error err = {0};
	char dir[160];
	json_t *m = NULL;
	_cleanup_json_ json_t *want_ro = json_pack("[s,s]", "rbind", "ro");
	_cleanup_json_ json_t *want_rw = json_pack("[s,s]", "rbind", "rw");

	snprintf(dir, sizeof(dir), "%s/granted/sub", scratch);
	CHECK(mkdir(ro.host_paths[0].path, 0755) == 0);
	CHECK(mkdir(dir, 0755) == 0);
	/* Read-only by default: "rw" becomes "ro". */
	CHECK(harden_bind_with(&ro, dir, json_pack("[s,s]", "rbind", "rw"), &m,
			       &err) == 0);
	CHECK(json_equal(json_object_get(m, "options"), want_ro));
	json_decref(m);
	/* Every "rw" goes: runc would apply a later one after "ro". */
	CHECK(harden_bind_with(
		      &ro, dir,
		      json_pack("[s,s,s,s]", "rbind", "rw", "ro", "rw"), &m,
		      &err) == 0);
	CHECK(json_equal(json_object_get(m, "options"), want_ro));
	json_decref(m);
	/* Read-write where the policy says so. */
	CHECK(harden_bind_with(&rw, dir, json_pack("[s,s]", "rbind", "rw"), &m,
			       &err) == 0);
	CHECK(json_equal(json_object_get(m, "options"), want_rw));
	json_decref(m);
	/* Beside the grant, not beneath it. */
	CHECK(harden_bind_with(&ro, scratch, json_pack("[s]", "rbind"), &m,
			       &err) == -1);
	json_decref(m);
	CHECK_CONTAINS(err.msg, "is neither the engine's own directory");
}

static void test_bind_symlink_out_of_grant_refused(void)
{
	struct hs_policy ro = granting(true);
	struct hs_error err = {0};
	char link[160];
	json_t *m = NULL;

	/* runc follows the link, so it is judged by where it leads. */
	mkdir(ro.host_paths[0].path, 0755);
	snprintf(link, sizeof(link), "%s/granted/innocent", scratch);
	CHECK(symlink("/etc", link) == 0);
	CHECK(harden_bind_with(&ro, link, json_pack("[s]", "rbind"), &m,
			       &err) == -1);
	json_decref(m);
	CHECK_CONTAINS(err.msg, "innocent\" is neither");
}

/* The engine's own directories, as config.json "engineDirs" templates with
 * the pod's ids filled in: this pod's are granted, another pod's are not. */
static void test_bind_engine_dirs(void)
{
	struct hs_config ecfg;
	struct hs_harden_ctx pod_ctx = ctx;
	struct hs_error err = {0};
	char tmpl[160], mine[200], other[200];
	size_t i = 0;
	static const char *const ids[] = {"podA", "podB"};

	hs_config_defaults(&ecfg);
	snprintf(tmpl, sizeof(tmpl), "%s/cri/sandboxes/{sandbox}", scratch);
	ecfg.engine_dirs[0] = tmpl;
	ecfg.n_engine_dirs = 1;
	pod_ctx.cfg = &ecfg;
	for (i = 0; i < 2; i++) {
		char d[200];

		snprintf(d, sizeof(d), "%s/cri", scratch);
		mkdir(d, 0755);
		snprintf(d, sizeof(d), "%s/cri/sandboxes", scratch);
		mkdir(d, 0755);
		snprintf(d, sizeof(d), "%s/cri/sandboxes/%s", scratch, ids[i]);
		CHECK(mkdir(d, 0755) == 0);
	}
	snprintf(mine, sizeof(mine), "%s/cri/sandboxes/podA", scratch);
	snprintf(other, sizeof(other), "%s/cri/sandboxes/podB", scratch);
	for (i = 0; i < 2; i++) {
		_cleanup_json_ json_t *spec = nonroot_spec();

		CHECK(spec != NULL);
		json_object_set_new(spec, "annotations",
				    json_pack("{s:s,s:s}",
					      HS_ANNOTATION_CRI_TYPE, "sandbox",
					      HS_ANNOTATION_CRI_SANDBOX,
					      "podA"));
		add_mount(spec, bind_mount(i == 0 ? mine : other, "/etc/x"));
		memset(&err, 0, sizeof(err));
		CHECK(hs_spec_harden(spec, &def, &pod_ctx, F, &err) ==
		      (i == 0 ? 0 : -1));
	}
	CHECK_CONTAINS(err.msg, "podB\" is neither the engine's own directory");
}

/* Mount types: each granted type with its rules, and nothing else. */
static void check_mount_refused(json_t *m, const char *want)
{
	struct hs_error err = {0};
	size_t i = 0;

	CHECK(harden_with_mount(m, &i, &err) == -1);
	CHECK_CONTAINS(err.msg, want);
}

static void test_mount_types_refused(void)
{
	check_mount_refused(json_pack("{s:s,s:s,s:s}", "destination", "/mnt",
				      "type", "ext4", "source", "/dev/vda"),
			    "a mount of type \"ext4\" is not granted");
	check_mount_refused(json_pack("{s:s,s:s,s:s,s:[s]}", "destination",
				      "/mnt", "type", "overlay", "source",
				      "overlay", "options",
				      "lowerdir=/etc:/usr"),
			    "a mount of type \"overlay\" is not granted");
	check_mount_refused(json_pack("{s:s,s:s,s:s}", "destination", "/mnt",
				      "type", "devtmpfs", "source", "devtmpfs"),
			    "a mount of type \"devtmpfs\" is not granted");
	check_mount_refused(json_pack("{s:s,s:s,s:s}", "destination", "/p2",
				      "type", "proc", "source", "proc"),
			    "proc is granted only once, at /proc");
	check_mount_refused(json_pack("{s:s,s:s,s:s,s:[s]}", "destination",
				      "/sys", "type", "sysfs", "source",
				      "sysfs", "options", "rw"),
			    "sysfs mounted read-write");
	/* runc applies options in order: a later "rw" undoes "ro". */
	check_mount_refused(json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination",
				      "/sys", "type", "sysfs", "source",
				      "sysfs", "options", "ro", "rw"),
			    "sysfs mounted read-write");
	check_mount_refused(json_pack("{s:s,s:s,s:s,s:[s,s,s]}", "destination",
				      "/sys/fs/cgroup", "type", "cgroup",
				      "source", "cgroup", "options", "ro",
				      "nosuid", "rw"),
			    "cgroup mounted read-write");
	check_mount_refused(json_pack("{s:s,s:s,s:s}", "destination", "/mnt",
				      "type", "tmpfs", "source", "/dev/vda"),
			    "a tmpfs mount with the host path \"/dev/vda\" as "
			    "its source, refused");
}

/* A second proc, even at /proc again. */
static void test_second_proc_refused(void)
{
	check_mount_refused(json_pack("{s:s,s:s,s:s}", "destination", "/proc/",
				      "type", "proc", "source", "proc"),
			    "proc is granted only once");
}

static void test_mount_types_policy_narrows(void)
{
	struct hs_policy p = def;
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	/* runc spec has proc, tmpfs, devpts, mqueue and sysfs. */
	CHECK(spec != NULL);
	p.mount_types &= ~(uint32_t)HS_MOUNT_MQUEUE;
	CHECK(harden(spec, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "a mount of type \"mqueue\" is not granted by "
				"policy \"tenant-default\" (spec.mountTypes)");
}

static void test_shared_propagation_refused(void)
{
	struct hs_error err = {0};
	char dir[128];
	size_t i = 0;
	char want[128];

	snprintf(dir, sizeof(dir), "%s/shared-dir", scratch);
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(harden_with_mount(json_pack("{s:s,s:s,s:s,s:[s,s]}",
					  "destination", "/mnt", "type", "bind",
					  "source", dir, "options", "rbind",
					  "rshared"),
				&i, &err) == -1);
	snprintf(want, sizeof(want),
		 "config.json: mounts[%zu]: shared mount propagation, refused",
		 i);
	CHECK_STR(err.msg, want);
	memset(&err, 0, sizeof(err));
	/* Not only on binds: a tmpfs marked shared too. */
	CHECK(harden_with_mount(json_pack("{s:s,s:s,s:s,s:[s]}", "destination",
					  "/mnt", "type", "tmpfs", "source",
					  "tmpfs", "options", "shared"),
				&i, &err) == -1);
	CHECK_CONTAINS(err.msg, "shared mount propagation, refused");
}

static void test_mounts_malformed(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	size_t i = 0;

	CHECK(harden_with_mount(json_string("/etc:/mnt"), &i, &err) == -1);
	CHECK_CONTAINS(err.msg, "config.json: mounts[7]: must be an object");
	CHECK(spec != NULL);
	memset(&err, 0, sizeof(err));
	json_object_set_new(spec, "mounts", json_object());
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: mounts: must be an array of objects, "
			   "not an object (runc would refuse it)");
}

/* --- devices and sysctls -----------------------------------------------------
 */

static void test_linux_devices_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(linux_of(spec), "devices",
			    json_pack("[{s:s,s:s,s:i,s:i}]", "path", "/dev/sda",
				      "type", "b", "major", 8, "minor", 0));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux.devices: added device "
			   "\"/dev/sda\" (1 extra devices), refused by policy "
			   "\"tenant-default\" (spec.allowDevices)");
	/* An empty list is no device. */
	memset(&err, 0, sizeof(err));
	json_object_set_new(linux_of(spec), "devices", json_array());
	CHECK(harden(spec, &def, &err) == 0);
}

static json_t *device_rules(json_t *spec)
{
	return get(get(linux_of(spec), "resources", NULL), "devices", NULL);
}

static void test_allow_all_devices_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_array_append_new(
		device_rules(spec),
		json_pack("{s:b,s:s}", "allow", 1, "access", "rwm"));
	CHECK(harden(spec, &def, &err) < 0);
	/* What a privileged container gets, and named so. */
	CHECK_STR(err.msg, "privileged container (securityContext.privileged): "
			   "config.json: linux.resources.devices[1]: allows "
			   "every device, refused");
}

static void test_allow_type_a_or_wildcard_major_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_array_append_new(device_rules(spec),
			      json_pack("{s:b,s:s,s:i,s:s}", "allow", 1, "type",
					"a", "major", 1, "access", "rwm"));
	json_array_append_new(device_rules(spec),
			      json_pack("{s:b,s:s,s:i,s:s}", "allow", 1, "type",
					"c", "major", -1, "access", "rwm"));
	json_array_append_new(device_rules(spec),
			      json_pack("{s:b,s:s,s:s}", "allow", 1, "type",
					"b", "access", "rwm"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK(err.count == 3);
	CHECK_STR(err.msg, "config.json: linux.resources.devices[1]: allows "
			   "every device, refused");
}

static void test_specific_device_rule_allowed(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_array_append_new(device_rules(spec),
			      json_pack("{s:b,s:s,s:i,s:i,s:s}", "allow", 1,
					"type", "c", "major", 1, "minor", 3,
					"access", "rwm"));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_array_size(device_rules(spec)) == 2);
}

static void test_unsafe_sysctl_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(linux_of(spec), "sysctl",
			    json_pack("{s:s,s:s}", "net.ipv4.ping_group_range",
				      "0 2147483647", "net.ipv4.ip_forward",
				      "1"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK(err.count == 1);
	CHECK_STR(err.msg, "config.json: linux.sysctl.net.ipv4.ip_forward: "
			   "sysctl \"net.ipv4.ip_forward\" is not in the safe "
			   "namespaced set, refused");
}

static void test_safe_sysctl_allowed(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(linux_of(spec), "sysctl",
			    json_pack("{s:s}", "net.ipv4.ping_group_range",
				      "0 2147483647"));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK_STR(json_string_value(get(linux_of(spec), "sysctl",
					"net.ipv4.ping_group_range")),
		  "0 2147483647");
}

static void test_policy_sysctl_list_replaces_default(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	/* readonly-rootfs allows only net.ipv4.tcp_syncookies. */
	CHECK(spec != NULL);
	json_object_set_new(
		linux_of(spec), "sysctl",
		json_pack("{s:s}", "net.ipv4.ping_group_range", "0 1"));
	CHECK(harden(spec, &readonly, &err) < 0);
	CHECK_CONTAINS(err.msg, "sysctl \"net.ipv4.ping_group_range\" is not "
				"in the safe namespaced set, refused");
	memset(&err, 0, sizeof(err));
	json_object_set_new(linux_of(spec), "sysctl",
			    json_pack("{s:s}", "net.ipv4.tcp_syncookies", "1"));
	CHECK(harden(spec, &readonly, &err) == 0);
}

/* --- masked and read-only paths, rootfs --------------------------------------
 */

static void test_masked_paths_added_once(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *masked;
	size_t i;

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) == 0);
	masked = get(linux_of(spec), "maskedPaths", NULL);
	for (i = 0; hs_standard_masked_paths[i]; i++)
		CHECK(array_count(masked, hs_standard_masked_paths[i]) == 1);
	/* runc's list had ten; hardshim adds powercap (standard) and
	 * /proc/sysrq-trigger (tenant-default's own). */
	CHECK(array_count(masked, "/proc/kcore") == 1);
	CHECK(array_count(masked, "/proc/sysrq-trigger") == 1);
	CHECK(array_count(masked, "/sys/devices/virtual/powercap") == 1);
	CHECK(json_array_size(masked) == 12);
	/* Existing entries keep their place. */
	CHECK_STR(json_string_value(json_array_get(masked, 0)), "/proc/acpi");
	for (i = 0; hs_standard_readonly_paths[i]; i++)
		CHECK(array_count(get(linux_of(spec), "readonlyPaths", NULL),
				  hs_standard_readonly_paths[i]) == 1);
	CHECK(json_array_size(get(linux_of(spec), "readonlyPaths", NULL)) == 5);
}

static void test_masked_paths_created_and_kept(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *masked;

	CHECK(spec != NULL);
	json_object_del(linux_of(spec), "maskedPaths");
	json_object_set_new(linux_of(spec), "readonlyPaths",
			    json_pack("[s]", "/opt/tenant"));
	CHECK(harden(spec, &readonly, &err) == 0);
	masked = get(linux_of(spec), "maskedPaths", NULL);
	CHECK(array_has(masked, "/proc/kcore"));
	CHECK(array_has(masked, "/proc/keys"));
	CHECK(array_has(masked, "/proc/hardshim-extra"));
	CHECK(array_count(masked, "/proc/kcore") == 1);
	CHECK(array_has(get(linux_of(spec), "readonlyPaths", NULL),
			"/opt/tenant"));
	CHECK(array_has(get(linux_of(spec), "readonlyPaths", NULL),
			"/proc/hardshim-ro"));
	CHECK(array_count(get(linux_of(spec), "readonlyPaths", NULL),
			  "/proc/sys") == 1);
}

static void test_masked_paths_not_an_array(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(linux_of(spec), "maskedPaths",
			    json_string("/proc/kcore"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "config.json: linux.maskedPaths: must be an array");
}

static void test_readonly_rootfs_from_policy(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(json_object_get(spec, "root"), "readonly",
			    json_false());
	CHECK(harden(spec, &def, &err) == 0);
	/* tenant-default does not ask for it: left as the spec had it. */
	CHECK(json_is_false(get(spec, "root", "readonly")));
	CHECK(harden(spec, &readonly, &err) == 0);
	CHECK(json_is_true(get(spec, "root", "readonly")));
	CHECK_STR(json_string_value(get(spec, "root", "path")), "rootfs");
}

/* --- annotations, hooks, seccomp ---------------------------------------------
 */

/* The digest of policy `p`'s plan for the non-root spec, whose final
 * bounding set is CAP_KILL and CAP_NET_BIND_SERVICE. */
static int expected_digest(const struct hs_policy *p,
			   char out[HS_DIGEST_HEX_LEN + 1])
{
	static const char *const caps[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	struct hs_resolve_ctx rctx = ctx.node;
	struct hs_error err = {0};
	struct hs_seccomp_plan plan;

	rctx.caps = caps;
	if (hs_plan_seccomp(p, &rctx, NULL, &plan, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	memcpy(out, plan.digest, HS_DIGEST_HEX_LEN + 1);
	hs_plan_free(&plan);
	return strlen(out) == HS_DIGEST_HEX_LEN ? 0 : -1;
}

static void test_annotations_set_and_overwritten(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	char want[HS_DIGEST_HEX_LEN + 1];
	json_t *ann;

	CHECK(spec != NULL);
	json_object_set_new(spec, "annotations",
			    json_pack("{s:s,s:s,s:s}", HS_ANNOTATION_POLICY,
				      "privileged", HS_ANNOTATION_DIGEST,
				      "0000", "io.kubernetes.pod.name", "web"));
	CHECK(harden(spec, &def, &err) == 0);
	ann = json_object_get(spec, "annotations");
	CHECK_STR(json_string_value(json_object_get(ann, HS_ANNOTATION_POLICY)),
		  "tenant-default");
	CHECK(expected_digest(&def, want) == 0);
	CHECK_STR(json_string_value(json_object_get(ann, HS_ANNOTATION_DIGEST)),
		  want);
	CHECK_STR(json_string_value(
			  json_object_get(ann, "io.kubernetes.pod.name")),
		  "web");
}

static void test_annotations_created(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	CHECK(json_object_get(spec, "annotations") == NULL);
	CHECK(harden(spec, &refuse, &err) == 0);
	CHECK_STR(json_string_value(
			  get(spec, "annotations", HS_ANNOTATION_POLICY)),
		  "refuse-root");
}

static void test_too_many_mounts_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *mounts;

	CHECK(spec != NULL);
	mounts = json_object_get(spec, "mounts");
	while (json_array_size(mounts) <= HS_SPEC_MAX_MOUNTS)
		json_array_append_new(
			mounts, json_pack("{s:s,s:s,s:s}", "destination", "/t",
					  "type", "tmpfs", "source", "tmpfs"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: mounts: 1025 mounts, more than the "
			   "limit of 1024");
}

static void test_too_many_annotations_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *ann = json_object();
	int i;

	CHECK(spec != NULL && ann != NULL);
	json_object_set_new(spec, "annotations", ann);
	for (i = 0; i <= HS_SPEC_MAX_ANNOTATIONS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(ann, k, json_string("v"));
	}
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: annotations: 1025 annotations, more "
			   "than the limit of 1022 (1024 with hardshim's own "
			   "2)");
}

/* The hardened spec's annotations reach every hook in the state, whose
 * parser (shim/state.c) refuses more than HS_SPEC_MAX_ANNOTATIONS: a spec
 * the wrapper accepts must not carry more than that once ours are added. */
static void test_hardened_annotations_within_state_limit(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *ann = json_object();
	int i, r;

	CHECK(spec != NULL && ann != NULL);
	json_object_set_new(spec, "annotations", ann);
	for (i = 0; i < HS_SPEC_MAX_ANNOTATIONS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(ann, k, json_string("v"));
	}
	r = harden(spec, &def, &err);
	CHECK(r < 0 || json_object_size(ann) <= HS_SPEC_MAX_ANNOTATIONS);
}

static void test_annotations_not_object(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(spec, "annotations", json_pack("[s]", "a=b"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: annotations: must be an object");
}

/* The hook entry hardshim injects for `stage`. */
static json_t *our_hook(const char *stage)
{
	return json_pack(
		"{s:s,s:[s,s,s],s:[s],s:i}", "path", "/usr/local/bin/hardshim",
		"args", "hardshim", "hook", stage, "env",
		"HARDSHIM_CONFIG=/etc/hardshim/config.json", "timeout", 5);
}

static void test_hooks_injected_first(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *theirs =
		json_pack("{s:s,s:[s]}", "path", "/usr/bin/nvidia-hook", "args",
			  "nvidia-hook");
	_cleanup_json_ json_t *stop =
		json_pack("{s:s}", "path", "/bin/cleanup");
	_cleanup_json_ json_t *ours_cr = our_hook("createRuntime");
	_cleanup_json_ json_t *ours_ps = our_hook("poststart");
	json_t *hooks;

	CHECK(spec != NULL && ours_cr != NULL && ours_ps != NULL);
	json_object_set_new(spec, "hooks",
			    json_pack("{s:[O],s:[O],s:[O],s:[O]}",
				      "createRuntime", theirs, "poststart",
				      theirs, "poststop", stop, "prestart",
				      theirs));
	CHECK(harden(spec, &def, &err) == 0);
	hooks = json_object_get(spec, "hooks");
	CHECK(json_array_size(json_object_get(hooks, "createRuntime")) == 2);
	CHECK(json_equal(
		json_array_get(json_object_get(hooks, "createRuntime"), 0),
		ours_cr));
	CHECK(json_equal(
		json_array_get(json_object_get(hooks, "createRuntime"), 1),
		theirs));
	CHECK(json_array_size(json_object_get(hooks, "poststart")) == 2);
	CHECK(json_equal(json_array_get(json_object_get(hooks, "poststart"), 0),
			 ours_ps));
	CHECK(json_equal(json_array_get(json_object_get(hooks, "poststart"), 1),
			 theirs));
	/* poststop and the others: not touched. */
	CHECK(json_array_size(json_object_get(hooks, "poststop")) == 1);
	CHECK(json_equal(json_array_get(json_object_get(hooks, "poststop"), 0),
			 stop));
	CHECK(json_array_size(json_object_get(hooks, "prestart")) == 1);
	CHECK(json_object_get(hooks, "startContainer") == NULL);
}

static void test_hooks_created_when_absent(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *ours = our_hook("createRuntime");
	json_t *hooks;

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) == 0);
	hooks = json_object_get(spec, "hooks");
	CHECK(json_array_size(json_object_get(hooks, "createRuntime")) == 1);
	CHECK(json_equal(
		json_array_get(json_object_get(hooks, "createRuntime"), 0),
		ours));
	CHECK(json_array_size(json_object_get(hooks, "poststart")) == 1);
	CHECK(json_object_get(hooks, "poststop") == NULL);
	CHECK(json_object_size(hooks) == 2);
}

static void test_hooks_not_injected_without_hook_path(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	struct hs_harden_ctx none = ctx;

	CHECK(spec != NULL);
	none.hook_path = NULL;
	CHECK(hs_spec_harden(spec, &def, &none, F, &err) == 0);
	CHECK(json_object_size(json_object_get(spec, "hooks")) == 0);
}

static void test_hooks_malformed_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(spec, "hooks", json_array());
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: hooks: must be an object");
	memset(&err, 0, sizeof(err));
	json_object_set_new(spec, "hooks",
			    json_pack("{s:{}}", "createRuntime"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: hooks.createRuntime: must be an "
				"array of objects");
}

static void test_hooks_too_many_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *list = json_array();
	int i;

	CHECK(spec != NULL);
	for (i = 0; i < HS_SPEC_MAX_HOOKS; i++)
		json_array_append_new(list, json_pack("{s:s}", "path", "/x"));
	json_object_set_new(spec, "hooks",
			    json_pack("{s:o}", "poststart", list));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "poststart must be an array of at most 64");
}

/* A hook the config does not grant is refused in every stage: runc runs
 * each as host root. */
static void test_hooks_ungranted_refused(void)
{
	static const char *const stages[] = {
		"prestart",	  "createRuntime", "createContainer",
		"startContainer", "poststart",	   "poststop"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(stages); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *spec = nonroot_spec();
		char want[160];

		CHECK(spec != NULL);
		json_object_set_new(spec, "hooks",
				    json_pack("{s:[{s:s,s:[s,s,s]}]}",
					      stages[i], "path", "/bin/sh",
					      "args", "sh", "-c",
					      "touch /tmp/pwned"));
		CHECK(harden(spec, &def, &err) < 0);
		snprintf(want, sizeof(want),
			 "config.json: hooks.%s[0]: %s hook \"/bin/sh\" would "
			 "run as host root",
			 stages[i], stages[i]);
		CHECK_CONTAINS(err.msg, want);
	}
}

/* A grant matches by stage, by where the path leads and by the first
 * arguments when it names them; our own hook is ours only with our args. */
static void test_hooks_grant_matching(void)
{
	struct hs_config g = cfg;
	struct hs_harden_ctx gctx = ctx;
	struct hs_error err = {0};
	_cleanup_json_ json_t *args = json_pack("[s]", "libnetwork-setkey");
	_cleanup_json_ json_t *a = nonroot_spec();
	_cleanup_json_ json_t *b = nonroot_spec();
	_cleanup_json_ json_t *c = nonroot_spec();
	_cleanup_json_ json_t *d = nonroot_spec();

	CHECK(a && b && c && d);
	g.hooks[g.n_hooks++] = (struct hs_hook_grant){
		.stage = "prestart", .path = "/usr/bin/env", .args = args};
	gctx.cfg = &g;
	json_object_set_new(a, "hooks",
			    json_pack("{s:[{s:s,s:[s,s]}]}", "prestart", "path",
				      "/usr/bin/env", "args",
				      "libnetwork-setkey", "id1"));
	CHECK(hs_spec_harden(a, &def, &gctx, F, &err) == 0);
	/* Other arguments: not the granted hook. */
	json_object_set_new(b, "hooks",
			    json_pack("{s:[{s:s,s:[s,s]}]}", "prestart", "path",
				      "/usr/bin/env", "args", "sh", "-c"));
	CHECK(hs_spec_harden(b, &def, &gctx, F, &err) < 0);
	/* Right path and args, wrong stage. */
	json_object_set_new(c, "hooks",
			    json_pack("{s:[{s:s,s:[s]}]}", "createContainer",
				      "path", "/usr/bin/env", "args",
				      "libnetwork-setkey"));
	memset(&err, 0, sizeof(err));
	CHECK(hs_spec_harden(c, &def, &gctx, F, &err) < 0);
	CHECK_CONTAINS(err.msg, "hooks.createContainer[0]");
	/* hardshim's path with other arguments is not hardshim's hook. */
	json_object_set_new(d, "hooks",
			    json_pack("{s:[{s:s,s:[s,s]}]}", "poststop", "path",
				      ctx.hook_path, "args", "hardshim",
				      "harden"));
	memset(&err, 0, sizeof(err));
	CHECK(hs_spec_harden(d, &def, &gctx, F, &err) < 0);
	CHECK_CONTAINS(err.msg, "hooks.poststop[0]");
}

/* --- a system policy's host switches ------------------------------------ */

/* What containerd writes for a privileged pod with host network and host
 * PID: refused under a tenant policy, in the user's words; started under
 * a policy whose "host" switches grant it. */
static json_t *privileged_host_spec(void)
{
	json_t *spec = base_spec();
	json_t *mounts;
	size_t i;
	json_t *m;

	if (!spec)
		return NULL;
	drop_namespace(spec, "network");
	set_namespace_path(spec, "pid", "/proc/self/ns/pid");
	json_array_append_new(
		device_rules(spec),
		json_pack("{s:b,s:s}", "allow", 1, "access", "rwm"));
	mounts = json_object_get(spec, "mounts");
	json_array_foreach (mounts, i, m)
		if (strcmp(json_string_value(json_object_get(m, "type")),
			   "sysfs") == 0)
			json_object_set_new(m, "options",
					    json_pack("[s,s]", "nosuid", "rw"));
	add_mount(spec, json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination",
				  "/lib/modules", "type", "bind", "source",
				  "/usr/lib", "options", "rbind", "ro"));
	json_object_set_new(get(spec, "process", NULL), "apparmorProfile",
			    json_string("unconfined"));
	set_all_caps(spec,
		     json_pack("[s,s]", "CAP_SYS_ADMIN", "CAP_NET_ADMIN"));
	return spec;
}

static void test_system_switches(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = privileged_host_spec();
	_cleanup_json_ json_t *b = privileged_host_spec();
	struct hs_policy sys;
	static const char *const both[] = {"CAP_NET_ADMIN", "CAP_SYS_ADMIN",
					   NULL};

	CHECK(a && b);
	CHECK(harden(a, &def, &err) < 0);
	CHECK(err.count >= 5);
	CHECK_CONTAINS(err.msg, "privileged container "
				"(securityContext.privileged): ");
	memset(&err, 0, sizeof(err));
	CHECK(hs_policy_load_file("policies/system.json", &sys, &err) == 0);
	CHECK(harden(b, &sys, &err) == 0);
	if (err.count)
		printf("# %s\n", err.msg);
	/* Root kept, with what it asked for; no_new_privs and seccomp still. */
	CHECK(json_integer_value(get(user_of(b), "uid", NULL)) == 0);
	CHECK(is_string_array(get(caps_of(b), "effective", NULL), both));
	CHECK(json_is_true(get(b, "process", "noNewPrivileges")));
	CHECK(json_is_object(get(linux_of(b), "seccomp", NULL)));
	hs_policy_free(&sys);
}

/* --- cgroupsPath --------------------------------------------------------- */

static void test_cgroups_path(void)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{"", 0},
		{"/kubepods/besteffort/pod1/abc", 0},
		{"kubepods-besteffort-pod1.slice:cri-containerd:abc", 0},
		{"kubepods.slice:cri-containerd:abc", 0},
		{"system.slice:docker:abc", 0},
		{"/docker/abc", 0},
		{"/../../x", -1},
		{"/kubepods/../system.slice/x", -1},
		{"/kubepods", -1}, /* the parent itself */
		{"/kubepodsX/a", -1},
		{"/other/a", -1},
		{"relative/a", -1},
		{"evil.slice:docker:abc", -1},
		{"kubepods-x.slice:cri/../x:abc", -1},
		{"kubepods.slice:abc", -1},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *spec = nonroot_spec();
		int r;

		CHECK(spec != NULL);
		json_object_set_new(linux_of(spec), "cgroupsPath",
				    json_string(cases[i].path));
		r = harden(spec, &def, &err);
		if (r != cases[i].want)
			printf("# cgroupsPath \"%s\": %d, %s\n", cases[i].path,
			       r, err.msg);
		CHECK(r == cases[i].want);
		if (cases[i].want < 0)
			CHECK_CONTAINS(err.msg, "linux.cgroupsPath: ");
	}
}

static void test_harden_twice_hooks_once(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_array_size(get(spec, "hooks", "createRuntime")) == 1);
	CHECK(json_array_size(get(spec, "hooks", "poststart")) == 1);
	CHECK(json_array_size(get(linux_of(spec), "maskedPaths", NULL)) == 12);
}

/* True when no object in `j`, at any depth, has `key`. */
static bool key_absent(const json_t *j, const char *key)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach ((json_t *)j, k, v)
			if (strcmp(k, key) == 0 || !key_absent(v, key))
				return false;
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			if (!key_absent(v, key))
				return false;
	}
	return true;
}

static void test_seccomp_replaced_and_resolved(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	_cleanup_json_ json_t *profile =
		hs_json_load_path(def.seccomp_path, HS_POLICY_MAX_BYTES, &err);
	json_t *sc;
	static const char *const x86_64[] = {"SCMP_ARCH_X86_64", NULL};

	CHECK(spec != NULL && profile != NULL);
	json_object_set_new(linux_of(spec), "seccomp",
			    json_pack("{s:s,s:[]}", "defaultAction",
				      "SCMP_ACT_ALLOW", "syscalls"));
	CHECK(harden(spec, &def, &err) == 0);
	sc = get(linux_of(spec), "seccomp", NULL);
	CHECK(json_is_object(sc));
	CHECK_STR(json_string_value(json_object_get(sc, "defaultAction")),
		  json_string_value(json_object_get(profile, "defaultAction")));
	CHECK(strcmp(json_string_value(json_object_get(sc, "defaultAction")),
		     "SCMP_ACT_ALLOW") != 0);
	CHECK(is_string_array(json_object_get(sc, "architectures"), x86_64));
	CHECK(json_array_size(json_object_get(sc, "syscalls")) > 10);
	CHECK(key_absent(sc, "comment"));
	CHECK(key_absent(sc, "includes"));
	CHECK(key_absent(sc, "excludes"));
	CHECK(key_absent(sc, "_origin"));
	CHECK(key_absent(sc, "extends"));
}

static void test_seccomp_added_when_absent(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	CHECK(get(linux_of(spec), "seccomp", NULL) == NULL);
	CHECK(harden(spec, &refuse, &err) == 0);
	CHECK(json_is_object(get(linux_of(spec), "seccomp", NULL)));
}

static void test_seccomp_profile_missing_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();
	struct hs_policy p;
	int r;

	/* The policy loads (only its own file is read); hardening plans the
	 * profile and must stop there, before any annotation claims it. */
	CHECK(spec != NULL);
	CHECK(hs_policy_load_file(
		      "tests/data/policies/bad-missing-profile.json", &p,
		      &err) == 0);
	r = harden(spec, &p, &err);
	hs_policy_free(&p);
	CHECK(r < 0);
	CHECK_CONTAINS(err.msg, "bad-missing-profile.json: seccomp: ");
	CHECK_CONTAINS(err.msg, "does-not-exist.json");
	CHECK(get(spec, "annotations", HS_ANNOTATION_DIGEST) == NULL);
}

static void test_digest_differs_by_policy(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = nonroot_spec();
	_cleanup_json_ json_t *b = nonroot_spec();
	const char *da, *db;

	CHECK(a != NULL && b != NULL);
	CHECK(harden(a, &def, &err) == 0);
	CHECK(harden(b, &refuse, &err) == 0);
	da = json_string_value(get(a, "annotations", HS_ANNOTATION_DIGEST));
	db = json_string_value(get(b, "annotations", HS_ANNOTATION_DIGEST));
	CHECK(da && db && strlen(da) == HS_DIGEST_HEX_LEN);
	CHECK(strcmp(da, db) != 0);
}

/* --- a `runc exec` process
 * ---------------------------------------------------- */

static void test_harden_process(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *proc = json_pack(
		"{s:{s:i,s:i},s:[s],s:{s:[s,s],s:[s,s],s:[s]},s:b}", "user",
		"uid", 0, "gid", 0, "args", "sh", "capabilities", "bounding",
		"CAP_SYS_ADMIN", "CAP_KILL", "effective", "CAP_SYS_ADMIN",
		"CAP_KILL", "ambient", "CAP_KILL", "noNewPrivileges", 0);
	static const char *const kill[] = {"CAP_KILL", NULL};
	static const char *const none[] = {NULL};

	CHECK(proc != NULL);
	CHECK(hs_spec_harden_process(proc, &def, "process.json", "", &err) ==
	      0);
	CHECK(is_string_array(get(proc, "capabilities", "bounding"), kill));
	/* Remapped to non-root: only the bounding set is kept. */
	CHECK(is_string_array(get(proc, "capabilities", "effective"), none));
	CHECK(is_string_array(get(proc, "capabilities", "ambient"), none));
	CHECK(json_integer_value(get(proc, "user", "uid")) == 65534);
	CHECK(json_is_true(json_object_get(proc, "noNewPrivileges")));
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(proc, "args"), 0)),
		  "sh");
}

/* An exec process is type-checked as runc reads it, before any rule. */
static void test_harden_process_types(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *proc =
		json_pack("{s:{s:i,s:i},s:s,s:s}", "user", "uid", 1000, "gid",
			  1000, "args", "sh -c id", "cwd", "/");
	_cleanup_json_ json_t *proc2 =
		json_pack("{s:{s:s,s:i},s:[s],s:s}", "user", "uid", "0", "gid",
			  1000, "args", "sh", "cwd", "/");

	CHECK(proc && proc2);
	CHECK(hs_spec_harden_process(proc, &def, "process.json", "", &err) < 0);
	CHECK_STR(err.msg, "process.json: args: must be an array of strings, "
			   "not a string (runc would refuse it)");
	memset(&err, 0, sizeof(err));
	CHECK(hs_spec_harden_process(proc2, &def, "process.json", "", &err) <
	      0);
	CHECK_CONTAINS(err.msg, "process.json: user.uid: must be an integer");
}

static void test_harden_process_refusals(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *proc =
		json_pack("{s:{s:i,s:i},s:{s:[s]}}", "user", "uid", 0, "gid", 0,
			  "capabilities", "bounding", "CAP_NOPE");
	_cleanup_json_ json_t *arr = json_array();

	CHECK(proc != NULL);
	CHECK(hs_spec_harden_process(proc, &refuse, "process.json", "", &err) <
	      0);
	/* The user rule runs first (capabilities depend on the uid); both
	 * are reported. */
	CHECK(err.count == 2);
	CHECK_CONTAINS(err.msg, "process.json: user: runs as uid 0, refused");
	memset(&err, 0, sizeof(err));
	json_object_set_new(proc, "capabilities", json_object());
	CHECK(hs_spec_harden_process(proc, &refuse, "process.json", "", &err) <
	      0);
	CHECK_CONTAINS(err.msg, "process.json: user: runs as uid 0, refused by "
				"policy \"refuse-root\" (runAsNonRoot)");
	memset(&err, 0, sizeof(err));
	CHECK(hs_spec_harden_process(arr, &def, "process.json", "", &err) < 0);
	CHECK_STR(err.msg, "process.json: must be an object");
}

static void test_apply_user_rule(void)
{
	struct hs_error err = {0};
	struct hs_policy root_ok;
	_cleanup_json_ json_t *pol = json_pack(
		"{s:s,s:s,s:{s:[]},s:{s:b}}", "name", "root-ok", "seccomp",
		"x.json", "capabilities", "ceiling", "user", "runAsNonRoot", 0);
	uint32_t uid = 0, gid = 5;

	CHECK(hs_spec_apply_user_rule(&def, &uid, &gid, "exec", "--user",
				      &err) == 0);
	CHECK(uid == 65534 && gid == 5);
	uid = 1000;
	gid = 1000;
	CHECK(hs_spec_apply_user_rule(&refuse, &uid, &gid, "exec", "--user",
				      &err) == 0);
	CHECK(uid == 1000 && gid == 1000);
	uid = 0;
	CHECK(hs_spec_apply_user_rule(&refuse, &uid, &gid, "exec", "--user",
				      &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "exec: --user: runs as uid 0, refused by policy "
		       "\"refuse-root\" (runAsNonRoot)");
	CHECK(uid == 0); /* not clobbered */
	CHECK(pol != NULL);
	CHECK(hs_policy_parse(pol, "root-ok.json", &root_ok, &err) == 0);
	uid = gid = 0;
	CHECK(hs_spec_apply_user_rule(&root_ok, &uid, &gid, "exec", "--user",
				      &err) == 0);
	hs_policy_free(&root_ok);
	CHECK(uid == 0 && gid == 0);
}

/* A persistent network namespace, as CNI makes one: a child's namespace
 * bind-mounted on a file in the netns directory. Needs root. */
static void make_pod_netns(void)
{
	char src[64];
	int fd, ready[2];
	pid_t pid;
	char c = 0;

	pod_netns[0] = '\0';
	if (mkdir(netns_dir, 0755) < 0 || pipe(ready) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'y') {
		snprintf(pod_netns, sizeof(pod_netns), "%s/pod", netns_dir);
		snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
		fd = open(pod_netns, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0 || close(fd) < 0 ||
		    mount(src, pod_netns, NULL, MS_BIND, NULL) < 0)
			pod_netns[0] = '\0';
	}
	close(ready[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int setup(void)
{
	struct hs_error err = {0};

	if (hs_policy_load_file("policies/tenant-default.json", &def, &err) <
		    0 ||
	    hs_policy_load_file("tests/data/policies/refuse-root.json", &refuse,
				&err) < 0 ||
	    hs_policy_load_file("tests/data/policies/readonly-rootfs.json",
				&readonly, &err) < 0 ||
	    hs_profile_node_ctx(&ctx.node, &err) < 0) {
		printf("FAIL setup: %s\n", err.msg);
		return -1;
	}
	ctx.hook_path = "/usr/local/bin/hardshim";
	ctx.config_path = "/etc/hardshim/config.json";
	ctx.hook_timeout = 5;
	hs_config_defaults(&cfg);
	snprintf(netns_dir, sizeof(netns_dir), "%s/netns", scratch);
	cfg.netns_dirs[0] = netns_dir;
	cfg.n_netns_dirs = 1;
	cfg.hooks[cfg.n_hooks++] = (struct hs_hook_grant){
		.stage = "createRuntime", .path = "/usr/bin/nvidia-hook"};
	cfg.hooks[cfg.n_hooks++] = (struct hs_hook_grant){
		.stage = "poststart", .path = "/usr/bin/nvidia-hook"};
	cfg.hooks[cfg.n_hooks++] = (struct hs_hook_grant){
		.stage = "prestart", .path = "/usr/bin/nvidia-hook"};
	cfg.hooks[cfg.n_hooks++] = (struct hs_hook_grant){
		.stage = "poststop", .path = "/bin/cleanup"};
	cfg.hooks[cfg.n_hooks++] =
		(struct hs_hook_grant){.stage = "poststart", .path = "/x"};
	ctx.cfg = &cfg;
	make_pod_netns();
	return 0;
}

/* --- hooks for a network policy --------------------------------------------
 */

static void set_netns_path(json_t *spec, const char *path)
{
	json_t *list = json_object_get(linux_of(spec), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach (list, i, ns)
		if (strcmp(json_string_value(json_object_get(ns, "type")),
			   "network") == 0)
			json_object_set_new(ns, "path", json_string(path));
}

static void test_poststop_only_with_network_and_path(void)
{
	struct hs_error err = {0};
	struct hs_policy net = def;
	_cleanup_json_ json_t *a = nonroot_spec();
	_cleanup_json_ json_t *b = nonroot_spec();
	_cleanup_json_ json_t *c = nonroot_spec();

	net.has_network = true;
	/* A namespace runc creates vanishes with its table: no poststop. */
	CHECK(harden(a, &net, &err) == 0);
	CHECK(get(a, "hooks", "poststop") == NULL);
	/* A persistent namespace keeps the table: poststop removes it. */
	if (!pod_netns[0]) {
		printf("SKIP test_poststop_only_with_network_and_path: no "
		       "persistent netns (needs root)\n");
		return;
	}
	set_netns_path(b, pod_netns);
	CHECK(harden(b, &net, &err) == 0);
	CHECK(json_array_size(get(b, "hooks", "poststop")) == 1);
	CHECK_STR(
		json_string_value(json_array_get(
			json_object_get(
				json_array_get(get(b, "hooks", "poststop"), 0),
				"args"),
			2)),
		"poststop");
	/* Without a network policy there is nothing to remove. */
	net.has_network = false;
	set_netns_path(c, pod_netns);
	CHECK(harden(c, &net, &err) == 0);
	CHECK(get(c, "hooks", "poststop") == NULL);
}

/* A persistent netns outside the config's netns directories, or a file
 * that is no namespace at all, is not a pod's network namespace. */
static void test_netns_path_outside_dirs_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	set_netns_path(spec, "policies/config.json");
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "joins the network namespace "
				"\"policies/config.json\", which is neither "
				"its own nor its pod sandbox's, refused");
}

static void test_network_policy_needs_own_netns(void)
{
	struct hs_error err = {0};
	struct hs_policy net = def;
	_cleanup_json_ json_t *spec = nonroot_spec();
	json_t *list = json_object_get(linux_of(spec), "namespaces");
	size_t i;
	json_t *ns;

	net.has_network = true;
	net.required_ns = 0;
	json_array_foreach (list, i, ns)
		if (strcmp(json_string_value(json_object_get(ns, "type")),
			   "network") == 0) {
			json_array_remove(list, i);
			break;
		}
	CHECK(harden(spec, &net, &err) < 0);
	CHECK_CONTAINS(err.msg, "no network namespace of its own");
}

int main(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hs-spec-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	if (setup() < 0) {
		rmdir(scratch);
		return 1;
	}
	RUN(test_runc_default_spec_hardens);
	RUN(test_unknown_fields_preserved);
	RUN(test_privileged_spec_refused);
	RUN(test_not_a_spec);
	RUN(test_caps_requested_intersect_ceiling);
	RUN(test_caps_root_keeps_sets);
	RUN(test_caps_absent_written_empty);
	RUN(test_caps_never_added);
	RUN(test_caps_unknown_refused);
	RUN(test_caps_lower_case_and_non_string_refused);
	RUN(test_caps_wrong_types);
	RUN(test_ambient_kept_only_when_allowed);
	RUN(test_nnp_forced_true);
	RUN(test_uid0_remapped);
	RUN(test_gid0_alone_remapped);
	RUN(test_uid0_refused_by_refuse_policy);
	RUN(test_missing_user_is_root);
	RUN(test_nonroot_user_kept);
	RUN(test_user_wrong_values_refused);
	RUN(test_additional_gid_0_follows_root_rule);
	RUN(test_root_image_remapped);
	RUN(test_missing_network_namespace_refused);
	RUN(test_every_missing_namespace_reported);
	RUN(test_namespaces_not_an_array);
	RUN(test_host_network_namespace_path_refused);
	RUN(test_own_namespace_path_refused);
	RUN(test_missing_namespace_path_refused);
	RUN(test_namespace_entry_malformed);
	RUN(test_other_namespace_path_refused);
	RUN(test_pod_namespace_without_sandbox_refused);
	RUN(test_pod_ids_checked);
	RUN(test_bind_root_refused);
	RUN(test_bind_etc_refused);
	RUN(test_bind_any_host_dir_refused);
	RUN(test_bind_missing_source_refused);
	RUN(test_bind_by_option_refused);
	RUN(test_bind_relative_source_refused);
	RUN(test_bind_granted_host_path);
	RUN(test_bind_symlink_out_of_grant_refused);
	RUN(test_bind_engine_dirs);
	RUN(test_mount_types_refused);
	RUN(test_second_proc_refused);
	RUN(test_mount_types_policy_narrows);
	RUN(test_shared_propagation_refused);
	RUN(test_mounts_malformed);
	RUN(test_linux_devices_refused);
	RUN(test_allow_all_devices_refused);
	RUN(test_allow_type_a_or_wildcard_major_refused);
	RUN(test_specific_device_rule_allowed);
	RUN(test_unsafe_sysctl_refused);
	RUN(test_safe_sysctl_allowed);
	RUN(test_policy_sysctl_list_replaces_default);
	RUN(test_masked_paths_added_once);
	RUN(test_masked_paths_created_and_kept);
	RUN(test_masked_paths_not_an_array);
	RUN(test_readonly_rootfs_from_policy);
	RUN(test_annotations_set_and_overwritten);
	RUN(test_annotations_created);
	RUN(test_annotations_not_object);
	RUN(test_too_many_mounts_refused);
	RUN(test_too_many_annotations_refused);
	RUN(test_hardened_annotations_within_state_limit);
	RUN(test_hooks_injected_first);
	RUN(test_hooks_created_when_absent);
	RUN(test_hooks_not_injected_without_hook_path);
	RUN(test_hooks_malformed_refused);
	RUN(test_hooks_too_many_refused);
	RUN(test_harden_twice_hooks_once);
	RUN(test_hooks_ungranted_refused);
	RUN(test_hooks_grant_matching);
	RUN(test_cgroups_path);
	RUN(test_system_switches);
	RUN(test_seccomp_replaced_and_resolved);
	RUN(test_seccomp_added_when_absent);
	RUN(test_seccomp_profile_missing_refused);
	RUN(test_digest_differs_by_policy);
	RUN(test_harden_process);
	RUN(test_harden_process_refusals);
	RUN(test_harden_process_types);
	RUN(test_apply_user_rule);
	RUN(test_poststop_only_with_network_and_path);
	RUN(test_netns_path_outside_dirs_refused);
	RUN(test_network_policy_needs_own_netns);
	hs_policy_free(&def);
	hs_policy_free(&refuse);
	hs_policy_free(&readonly);
	if (pod_netns[0])
		umount2(pod_netns, MNT_DETACH);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
