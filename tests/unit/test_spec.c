/* shim/spec.c: hardening an OCI spec against a tenant policy. Every rule
 * of DESIGN.md "Enforcement, in order" step 1, mostly as refusals. The base
 * spec is `runc spec` output (tests/data/specs/runc-default.json); the
 * policies are policies/tenant-default.json (root remapped) and the
 * fixtures under tests/data/policies/. */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), kept));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), kept));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), kept));
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
	/* pid and network namespaces, shared propagation, "/" and the docker
	 * socket, two device rules, one sysctl, group 0: every one found. */
	CHECK(err.count == 9);
	CHECK_CONTAINS(err.msg, "config.json: linux.namespaces: no pid "
				"namespace of its own");
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
	CHECK_STR(err.msg, "config.json: process: required object");
	memset(&err, 0, sizeof(err));
	CHECK(harden(nolinux, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: linux: required object");
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
	CHECK(is_string_array(get(caps_of(spec), "effective", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "inheritable", NULL), kill));
	CHECK(is_string_array(get(caps_of(spec), "permitted", NULL), kill));
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
	CHECK(get(caps_of(spec), "inheritable", NULL) == NULL);
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
	json_object_set_new(caps_of(spec), "permitted",
			    json_pack("[s,i]", "CAP_KILL", 5));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "config.json: process.capabilities.effective[0]: "
			   "unknown capability \"cap_kill\"");
	memset(&err, 0, sizeof(err));
	json_object_set_new(caps_of(again), "permitted",
			    json_pack("[s,i]", "CAP_KILL", 5));
	CHECK(harden(again, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities.permitted[1]: "
			   "unknown capability (not a string)");
}

static void test_caps_wrong_types(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(caps_of(spec), "bounding", json_string("CAP_KILL"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities.bounding: must "
			   "be an array");
	memset(&err, 0, sizeof(err));
	json_object_set_new(json_object_get(spec, "process"), "capabilities",
			    json_pack("[s]", "CAP_KILL"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities: must be an "
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
	CHECK_STR(err.msg, "config.json: process.user: runs as uid 0, refused "
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
		CHECK_STR(err.msg, "config.json: process.user: uid and gid "
				   "must be integers in [0, 4294967295]");
	}
}

static void test_additional_gid_0_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i,i]", 5, 0));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.user.additionalGids: group 0 "
			   "(or a non-integer) among the additional groups, "
			   "refused");
	memset(&err, 0, sizeof(err));
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[s]", "0"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "process.user.additionalGids: group 0");
	memset(&err, 0, sizeof(err));
	json_object_set_new(user_of(spec), "additionalGids",
			    json_pack("[i,i]", 5, 100));
	CHECK(harden(spec, &def, &err) == 0);
	CHECK(json_array_size(get(user_of(spec), "additionalGids", NULL)) == 2);
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
	CHECK_STR(err.msg, "config.json: linux.namespaces: no network "
			   "namespace of its own: the host's would be shared, "
			   "refused");
}

static void test_every_missing_namespace_reported(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = nonroot_spec();

	CHECK(spec != NULL);
	json_object_del(linux_of(spec), "namespaces");
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
	CHECK_STR(err.msg, "config.json: linux.namespaces: must be an array");
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
	CHECK_STR(err.msg, "config.json: linux.namespaces[0]: "
			   "\"/proc/self/ns/pid\" is the host's pid "
			   "namespace, refused");
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
			   "string");
}

/* A namespace of another process (a pod's sandbox) may be joined. */
static void test_other_namespace_path_allowed(void)
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
		c = unshare(CLONE_NEWUTS) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	r = read(ready[0], &c, 1) == 1 && c == 'y';
	close(ready[0]);
	if (r) {
		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
		set_namespace_path(spec, "uts", path);
		r = harden(spec, &def, &err);
	} else {
		r = 0; /* no CAP_SYS_ADMIN: nothing to test */
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(r == 0);
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

static void check_bind_refused(const char *src, const char *exposed)
{
	struct hs_error err = {0};
	char want[512];
	size_t i = 0;

	CHECK(harden_with_mount(bind_mount(src, "/mnt"), &i, &err) == -1);
	snprintf(want, sizeof(want),
		 "config.json: mounts[%zu]: bind mount of host path \"%s\" "
		 "exposes \"%s\", refused",
		 i, src, exposed);
	CHECK_STR(err.msg, want);
}

static void test_bind_root_refused(void)
{
	check_bind_refused("/", "/");
}

static void test_bind_etc_refused(void)
{
	check_bind_refused("/etc", "/etc");
}

static void test_bind_below_forbidden_refused(void)
{
	check_bind_refused("/etc/kubernetes/pki", "/etc");
}

static void test_bind_parent_of_forbidden_refused(void)
{
	/* /var holds /var/run (the engine sockets). */
	check_bind_refused("/var", "/var/run");
}

static void test_bind_dotdot_refused(void)
{
	check_bind_refused("/tmp/../etc", "/etc");
}

static void test_bind_unclean_path_refused(void)
{
	check_bind_refused("//etc/./", "/etc");
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
	CHECK_CONTAINS(err.msg, "bind mount of host path \"/root\" exposes "
				"\"/root\", refused");
}

static void test_bind_relative_source_refused(void)
{
	struct hs_error err = {0};
	size_t i = 0;

	CHECK(harden_with_mount(bind_mount("etc", "/mnt"), &i, &err) == -1);
	CHECK_CONTAINS(err.msg, "bind source \"etc\" must be an absolute path");
}

static void test_bind_symlink_to_forbidden_refused(void)
{
	struct hs_error err = {0};
	char link[128];
	size_t i = 0;

	/* runc follows the link, so it is judged by where it leads. */
	snprintf(link, sizeof(link), "%s/innocent", scratch);
	CHECK(symlink("/etc", link) == 0);
	CHECK(harden_with_mount(bind_mount(link, "/mnt"), &i, &err) == -1);
	CHECK_CONTAINS(err.msg, "exposes \"/etc\", refused");
}

static void test_bind_tmp_dir_allowed(void)
{
	struct hs_error err = {0};
	char dir[128];
	size_t i = 0;

	snprintf(dir, sizeof(dir), "%s/some-dir", scratch);
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(harden_with_mount(bind_mount(dir, "/data"), &i, &err) == 0);
	CHECK(err.count == 0);
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
	CHECK_STR(err.msg, "config.json: mounts: must be an array");
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
	CHECK_STR(err.msg, "config.json: linux.devices: 1 extra devices, "
			   "refused by the policy");
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
	CHECK_STR(err.msg, "config.json: linux.resources.devices[1]: allows "
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
	CHECK_STR(err.msg, "config.json: linux.maskedPaths: must be an array");
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
			   "two)");
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
	CHECK_STR(err.msg, "config.json: annotations: must be an object");
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
	CHECK_STR(err.msg, "config.json: hooks: must be an object");
	memset(&err, 0, sizeof(err));
	json_object_set_new(spec, "hooks",
			    json_pack("{s:{}}", "createRuntime"));
	CHECK(harden(spec, &def, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: hooks: createRuntime must be an "
				"array of at most 64 hooks");
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
	CHECK(is_string_array(get(proc, "capabilities", "effective"), kill));
	CHECK(is_string_array(get(proc, "capabilities", "ambient"), none));
	CHECK(json_integer_value(get(proc, "user", "uid")) == 65534);
	CHECK(json_is_true(json_object_get(proc, "noNewPrivileges")));
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(proc, "args"), 0)),
		  "sh");
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
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "process.json: capabilities.bounding[0]: unknown "
			   "capability \"CAP_NOPE\"");
	memset(&err, 0, sizeof(err));
	json_object_set_new(proc, "capabilities", json_object());
	CHECK(hs_spec_harden_process(proc, &refuse, "process.json", "", &err) <
	      0);
	CHECK_STR(err.msg, "process.json: user: runs as uid 0, refused by "
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
	CHECK_STR(err.msg, "exec: --user: runs as uid 0, refused by policy "
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
	/* A persistent namespace keeps the table: poststop removes it. Any
	 * existing file that is not the host's namespace stands in for one. */
	set_netns_path(b, "policies/config.json");
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
	set_netns_path(c, "policies/config.json");
	CHECK(harden(c, &net, &err) == 0);
	CHECK(get(c, "hooks", "poststop") == NULL);
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
	RUN(test_additional_gid_0_refused);
	RUN(test_missing_network_namespace_refused);
	RUN(test_every_missing_namespace_reported);
	RUN(test_namespaces_not_an_array);
	RUN(test_host_network_namespace_path_refused);
	RUN(test_own_namespace_path_refused);
	RUN(test_missing_namespace_path_refused);
	RUN(test_namespace_entry_malformed);
	RUN(test_other_namespace_path_allowed);
	RUN(test_bind_root_refused);
	RUN(test_bind_etc_refused);
	RUN(test_bind_below_forbidden_refused);
	RUN(test_bind_parent_of_forbidden_refused);
	RUN(test_bind_dotdot_refused);
	RUN(test_bind_unclean_path_refused);
	RUN(test_bind_by_option_refused);
	RUN(test_bind_relative_source_refused);
	RUN(test_bind_symlink_to_forbidden_refused);
	RUN(test_bind_tmp_dir_allowed);
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
	RUN(test_seccomp_replaced_and_resolved);
	RUN(test_seccomp_added_when_absent);
	RUN(test_seccomp_profile_missing_refused);
	RUN(test_digest_differs_by_policy);
	RUN(test_harden_process);
	RUN(test_harden_process_refusals);
	RUN(test_apply_user_rule);
	RUN(test_poststop_only_with_network_and_path);
	RUN(test_network_policy_needs_own_netns);
	hs_policy_free(&def);
	hs_policy_free(&refuse);
	hs_policy_free(&readonly);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
