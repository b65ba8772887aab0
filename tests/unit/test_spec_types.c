/* shim/spec/types.c: a spec that runc 1.1 would refuse is refused first.
 *
 * The base is `runc spec` output (tests/data/specs/runc-default.json), and
 * tests/data/specs/types/every-field.json sets every field runc 1.1 decodes
 * to a value it accepts. Each case below edits one field of one of them
 * and expects hardshim's verdict to be runc's: every refusal was first seen
 * from Debian 12's runc 1.1.5 (tests/integration/test_spec_types.sh shows
 * it again for a few, and for every field of every-field.json). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../../shim/spec/spec_internal.h"
#include "hs_cleanup.h"
#include "hs_test.h"

#define BASE_SPEC "tests/data/specs/runc-default.json"
#define EVERY_FIELD "tests/data/specs/types/every-field.json"
#define F "config.json" /* the name errors carry */
#define R " (runc would refuse it)"

static json_t *load(const char *path)
{
	struct hs_error err = {0};
	json_t *j = hs_json_load_path(path, HS_CONFIG_JSON_MAX_BYTES, &err);

	if (!j)
		printf("# %s\n", err.msg);
	return j;
}

/* Sets the field at `path` ("process.user.uid", "mounts.0.options") to
 * `value` (stolen; NULL removes it), creating missing objects on the way. */
static bool set_at(json_t *root, const char *path, json_t *value)
{
	char buf[256], *save = NULL, *part, *next;
	json_t *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part; part = next) {
		bool index = isdigit((unsigned char)part[0]);
		size_t i = index ? strtoul(part, NULL, 10) : 0;
		json_t *child;

		next = strtok_r(NULL, ".", &save);
		if (!next && index)
			return value ? json_array_set_new(cur, i, value) == 0
				     : json_array_remove(cur, i) == 0;
		if (!next)
			return value ? json_object_set_new(cur, part, value) ==
					       0
				     : json_object_del(cur, part) == 0;
		child = index ? json_array_get(cur, i)
			      : json_object_get(cur, part);
		if (!child && !index) {
			child = json_object();
			json_object_set_new(cur, part, child);
		}
		cur = child;
	}
	json_decref(value);
	return false;
}

/* Checks `base` with the field at `path` set to the JSON text `value`
 * (NULL: removed). */
static int check_edit(const char *base, const char *path, const char *value,
		      struct hs_error *err)
{
	_cleanup_json_ json_t *spec = load(base);
	json_t *v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;

	if (!spec || (value && !v) || !set_at(spec, path, v)) {
		printf("# cannot set %s to %s\n", path, value ? value : "-");
		return 1;
	}
	return hs_spec_check_types(spec, F, err);
}

/* One edit of the runc spec, refused with exactly one message. */
#define REFUSED(path, value, message)                                 \
	do {                                                          \
		struct hs_error err_ = {0};                           \
		CHECK(check_edit(BASE_SPEC, path, value, &err_) < 0); \
		CHECK_STR(err_.msg, F ": " message);                  \
		CHECK(err_.count == 1);                               \
	} while (0)

/* One edit of the runc spec, accepted. */
#define ACCEPTED(base, path, value)                               \
	do {                                                      \
		struct hs_error err_ = {0};                       \
		CHECK(check_edit(base, path, value, &err_) == 0); \
		CHECK(err_.count == 0);                           \
	} while (0)

/* --- accepted ------------------------------------------------------------- */

static void test_runc_default_spec_passes(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);

	CHECK(spec != NULL);
	CHECK(hs_spec_check_types(spec, F, &err) == 0);
	CHECK(err.count == 0);
}

static void test_every_field_passes(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(EVERY_FIELD);

	CHECK(spec != NULL);
	CHECK(hs_spec_check_types(spec, F, &err) == 0);
	CHECK(err.count == 0);
}

/* Go leaves the zero value for null, wherever it is. */
static void test_null_values_accepted(void)
{
	static const char *const paths[] = {
		"ociVersion",
		"process.terminal",
		"process.user",
		"process.user.uid",
		"process.args.0",
		"process.env",
		"process.capabilities",
		"process.capabilities.bounding",
		"process.capabilities.bounding.0",
		"process.rlimits",
		"process.oomScoreAdj",
		"root.readonly",
		"mounts",
		"mounts.0.options",
		"mounts.1.options.0",
		"hooks",
		"annotations",
		"linux.resources",
		"linux.maskedPaths",
		"linux.seccomp",
		"linux.sysctl",
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(paths); i++)
		ACCEPTED(BASE_SPEC, paths[i], "null");
	ACCEPTED(BASE_SPEC, "annotations", "{\"a\": null}");
	ACCEPTED(BASE_SPEC, "linux.resources.memory",
		 "{\"limit\": null, \"swappiness\": null}");
	ACCEPTED(EVERY_FIELD, "process.user.additionalGids", "[null, 1]");
}

/* Go's decoder ignores keys it has no field for, including the fields that
 * runtime-spec added after the one runc 1.1.5 was built with. */
static void test_unknown_keys_accepted(void)
{
	ACCEPTED(BASE_SPEC, "x-vendor", "{\"anything\": [1, \"two\"]}");
	ACCEPTED(BASE_SPEC, "process.futureField", "1.5");
	ACCEPTED(BASE_SPEC, "process.scheduler", "\"not decoded by 1.1\"");
	ACCEPTED(BASE_SPEC, "process.ioPriority", "5");
	ACCEPTED(BASE_SPEC, "linux.timeOffsets", "\"x\"");
	ACCEPTED(BASE_SPEC, "linux.intelRdt.schemata", "5");
	ACCEPTED(BASE_SPEC, "hooks.bogusStage", "5");
	ACCEPTED(EVERY_FIELD, "windows.credentialSpec", "[1, \"any\", null]");
}

static void test_integers_in_range_accepted(void)
{
	ACCEPTED(BASE_SPEC, "process.user.uid", "2147483647");
	ACCEPTED(BASE_SPEC, "process.user.umask", "4294967295");
	ACCEPTED(BASE_SPEC, "linux.resources.memory.limit", "-1");
	ACCEPTED(BASE_SPEC, "linux.resources.blockIO.weight", "65535");
	ACCEPTED(BASE_SPEC, "process.oomScoreAdj", "-1000");
	ACCEPTED(BASE_SPEC, "process.rlimits.0.hard", "9223372036854775807");
}

/* Each a spec runc 1.1.5 starts. */
static void test_runc_rules_accept(void)
{
	ACCEPTED(BASE_SPEC, "linux.sysctl",
		 "{\"kernel/shm_rmid_forced\": \"1\", \"fs.mqueue.msg_max\": "
		 "\"10\", \"net.ipv4.ip_forward\": \"1\"}");
	ACCEPTED(BASE_SPEC, "linux.namespaces",
		 "[{\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": "
		 "\"network\", \"path\": \"/run/netns/x\"}]");
	ACCEPTED(BASE_SPEC, "linux.rootfsPropagation", "\"\"");
	ACCEPTED(BASE_SPEC, "linux.resources.devices.0.type", "\"\"");
	/* seccomp with no default action and no rules is off: not read. */
	ACCEPTED(BASE_SPEC, "linux.seccomp", "{\"flags\": [\"x\"]}");
	/* Arguments are converted once per name: with none, never. */
	ACCEPTED(BASE_SPEC, "linux.seccomp",
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		 "[{\"names\": [], \"action\": \"SCMP_ACT_NOTIFY\", \"args\": "
		 "[{\"index\": 9, \"op\": \"bogus\"}]}]}");
	ACCEPTED(BASE_SPEC, "process.rlimits",
		 "[{\"type\": \"RLIMIT_NOFILE\", \"hard\": 10, \"soft\": 10},"
		 "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 20, \"soft\": 5}]");
	ACCEPTED(BASE_SPEC, "mounts.0.destination", "\"relative\"");
	ACCEPTED(BASE_SPEC, "process.capabilities.bounding", "[\"CAP_BOGUS\"]");
	ACCEPTED(BASE_SPEC, "ociVersion", "\"banana\"");
}

/* --- types ---------------------------------------------------------------- */

static void test_args_as_string_refused(void)
{
	REFUSED("process.args", "\"sh\"",
		"process.args: must be an array of strings, not a string" R);
}

static void test_args_element_number_refused(void)
{
	REFUSED("process.args.0", "1",
		"process.args[0]: must be a string, not an integer" R);
}

static void test_uid_negative_refused(void)
{
	REFUSED("process.user.uid", "-1",
		"process.user.uid: must be an integer in [0, 4294967295], "
		"not -1" R);
}

static void test_uid_2_32_refused(void)
{
	REFUSED("process.user.uid", "4294967296",
		"process.user.uid: must be an integer in [0, 4294967295], "
		"not 4294967296" R);
}

/* 1.5, 1.0 and 1e3 alike: Go parses an integer field's literal as an
 * integer, and jansson reads all three as reals. */
static void test_uid_not_an_integer_literal_refused(void)
{
	static const char *const literals[] = {"1.5", "1.0", "1e3"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(literals); i++)
		REFUSED("process.user.uid", literals[i],
			"process.user.uid: must be an integer in [0, "
			"4294967295], not a number with a fraction or an "
			"exponent" R);
}

static void test_gid_as_string_refused(void)
{
	REFUSED("process.user.gid", "\"0\"",
		"process.user.gid: must be an integer in [0, 4294967295], "
		"not a string" R);
}

static void test_additional_gids_refused(void)
{
	REFUSED("process.user.additionalGids", "[1, -1]",
		"process.user.additionalGids[1]: must be an integer in [0, "
		"4294967295], not -1" R);
	REFUSED("process.user.additionalGids", "5",
		"process.user.additionalGids: must be an array of integers, "
		"not an integer" R);
}

static void test_capabilities_bounding_as_string_refused(void)
{
	REFUSED("process.capabilities.bounding", "\"CAP_KILL\"",
		"process.capabilities.bounding: must be an array of strings, "
		"not a string" R);
}

static void test_process_fields_refused(void)
{
	REFUSED("process.terminal", "\"false\"",
		"process.terminal: must be true or false, not a string" R);
	REFUSED("process.noNewPrivileges", "1",
		"process.noNewPrivileges: must be true or false, not an "
		"integer" R);
	REFUSED("process.env", "\"A=b\"",
		"process.env: must be an array of strings, not a string" R);
	REFUSED("process.consoleSize.height", "-1",
		"process.consoleSize.height: must be an integer in [0, "
		"18446744073709551615], not -1" R);
	REFUSED("process.commandLine", "5",
		"process.commandLine: must be a string, not an integer" R);
	REFUSED("process.user.umask", "\"022\"",
		"process.user.umask: must be an integer in [0, 4294967295], "
		"not a string" R);
	REFUSED("process.apparmorProfile", "[]",
		"process.apparmorProfile: must be a string, not an array" R);
	REFUSED("process.oomScoreAdj", "1.5",
		"process.oomScoreAdj: must be an integer in "
		"[-9223372036854775808, 9223372036854775807], not a number "
		"with a fraction or an exponent" R);
	REFUSED("process.rlimits.0.hard", "\"1024\"",
		"process.rlimits[0].hard: must be an integer in [0, "
		"18446744073709551615], not a string" R);
	REFUSED("process", "[]", "process: must be an object, not an array" R);
}

static void test_mount_as_array_refused(void)
{
	REFUSED("mounts.0", "[\"/proc\"]",
		"mounts[0]: must be an object, not an array" R);
}

static void test_mounts_as_object_refused(void)
{
	REFUSED("mounts", "{}",
		"mounts: must be an array of objects, not an object" R);
}

static void test_mount_fields_refused(void)
{
	REFUSED("mounts.1.options", "\"nosuid\"",
		"mounts[1].options: must be an array of strings, not a "
		"string" R);
	REFUSED("mounts.0.uidMappings", "[{\"containerID\": \"0\"}]",
		"mounts[0].uidMappings[0].containerID: must be an integer in "
		"[0, 4294967295], not a string" R);
	REFUSED("mounts.0.destination", "true",
		"mounts[0].destination: must be a string, not a boolean" R);
}

static void test_hook_timeout_as_string_refused(void)
{
	REFUSED("hooks",
		"{\"poststop\": [{\"path\": \"/bin/true\", "
		"\"timeout\": \"5\"}]}",
		"hooks.poststop[0].timeout: must be an integer in "
		"[-9223372036854775808, 9223372036854775807], not a string" R);
}

static void test_hooks_as_array_refused(void)
{
	REFUSED("hooks", "[]", "hooks: must be an object, not an array" R);
}

static void test_annotation_number_refused(void)
{
	REFUSED("annotations", "{\"a\": \"b\", \"n\": 1}",
		"annotations.n: must be a string, not an integer" R);
	REFUSED("annotations", "[\"a=b\"]",
		"annotations: must be an object of strings, not an array" R);
}

static void test_sysctl_bool_refused(void)
{
	REFUSED("linux.sysctl", "{\"kernel.shm_rmid_forced\": true}",
		"linux.sysctl.kernel.shm_rmid_forced: must be a string, not a "
		"boolean" R);
}

static void test_seccomp_names_as_string_refused(void)
{
	REFUSED("linux.seccomp",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		"[{\"names\": \"mkdirat\", \"action\": \"SCMP_ACT_ERRNO\"}]}",
		"linux.seccomp.syscalls[0].names: must be an array of strings, "
		"not a string" R);
}

static void test_memory_limit_as_string_refused(void)
{
	REFUSED("linux.resources.memory.limit", "\"1G\"",
		"linux.resources.memory.limit: must be an integer in "
		"[-9223372036854775808, 9223372036854775807], not a string" R);
}

static void test_resources_refused(void)
{
	REFUSED("linux.resources.blockIO.weight", "65536",
		"linux.resources.blockIO.weight: must be an integer in [0, "
		"65535], not 65536" R);
	REFUSED("linux.resources.network.classID", "-1",
		"linux.resources.network.classID: must be an integer in [0, "
		"4294967295], not -1" R);
	REFUSED("linux.resources.unified", "{\"memory.max\": 5}",
		"linux.resources.unified.memory.max: must be a string, not an "
		"integer" R);
	REFUSED("linux.resources.rdma", "{\"mlx\": [1]}",
		"linux.resources.rdma.mlx: must be an object, not an array" R);
	REFUSED("linux.resources.devices.0.allow", "\"false\"",
		"linux.resources.devices[0].allow: must be true or false, not "
		"a string" R);
	REFUSED("linux.resources.pids.limit", "\"max\"",
		"linux.resources.pids.limit: must be an integer in "
		"[-9223372036854775808, 9223372036854775807], not a string" R);
}

static void test_other_platforms_refused(void)
{
	REFUSED("windows", "\"x\"",
		"windows: must be an object, not a string" R);
	REFUSED("windows.layerFolders", "\"C:\"",
		"windows.layerFolders: must be an array of strings, not a "
		"string" R);
	REFUSED("vm.hypervisor", "\"qemu\"",
		"vm.hypervisor: must be an object, not a string" R);
	REFUSED("solaris.anet", "{}",
		"solaris.anet: must be an array of objects, not an object" R);
	REFUSED("zos.devices", "[{\"major\": \"8\"}]",
		"zos.devices[0].major: must be an integer in "
		"[-9223372036854775808, 9223372036854775807], not a string" R);
}

/* Every field of every-field.json, given a value of another JSON type, is
 * refused with its own path first: each of these is a field runc 1.1.5
 * decodes (test_spec_types.sh feeds the same edits to runc). */
static size_t mutations, mismatches;

static void mutate_each(json_t *root, json_t *v, const char *path);

static void try_mutation(json_t *root, json_t *slot_parent, const char *key,
			 size_t index, const char *path, json_t *bad)
{
	struct hs_error err = {0};
	json_t *saved = key ? json_object_get(slot_parent, key)
			    : json_array_get(slot_parent, index);
	char want[HS_ERR_MSG_MAX];

	json_incref(saved);
	if (key)
		json_object_set_new(slot_parent, key, bad);
	else
		json_array_set_new(slot_parent, index, bad);
	snprintf(want, sizeof(want), F ": %s: must be ", path);
	mutations++;
	if (hs_spec_check_types(root, F, &err) == 0 ||
	    strncmp(err.msg, want, strlen(want)) != 0) {
		printf("# %s: got \"%s\"\n", path, err.msg);
		mismatches++;
	}
	if (key)
		json_object_set_new(slot_parent, key, saved);
	else
		json_array_set_new(slot_parent, index, saved);
}

static json_t *wrong_value(const json_t *v)
{
	if (json_is_string(v))
		return json_integer(1);
	if (json_is_array(v))
		return json_object();
	if (json_is_object(v))
		return json_array();
	return json_string("x");
}

/* Map values (annotations, sysctl, unified, rdma) are mutated too; the
 * only field that takes anything is windows.credentialSpec. */
static void mutate_each(json_t *root, json_t *v, const char *path)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach (v, key, child) {
			char p[512];

			if (strcmp(key, "credentialSpec") == 0)
				continue;
			hs_json_path_key(p, sizeof(p), path, key);
			try_mutation(root, v, key, 0, p, wrong_value(child));
			mutate_each(root, child, p);
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			char p[512];

			hs_json_path_index(p, sizeof(p), path, i);
			try_mutation(root, v, NULL, i, p, wrong_value(child));
			mutate_each(root, child, p);
		}
	}
}

static void test_every_field_type_checked(void)
{
	_cleanup_json_ json_t *spec = load(EVERY_FIELD);

	CHECK(spec != NULL);
	mutations = mismatches = 0;
	mutate_each(spec, spec, "");
	printf("# %zu fields given a value of another type\n", mutations);
	CHECK(mutations > 300);
	CHECK(mismatches == 0);
}

/* --- what runc checks itself ---------------------------------------------- */

static void test_missing_root_refused(void)
{
	REFUSED("root", NULL, "root: required" R);
	REFUSED("root", "null", "root: required" R);
}

static void test_empty_root_path_refused(void)
{
	REFUSED("root.path", "\"\"",
		"root.path: must not be empty (runtime-spec requires it; runc "
		"would take the bundle directory as the root)");
}

static void test_missing_process_refused(void)
{
	REFUSED("process", NULL, "process: required" R);
	REFUSED("process", "null", "process: required" R);
}

static void test_args_empty_refused(void)
{
	REFUSED("process.args", "[]", "process.args: must not be empty" R);
	REFUSED("process.args", NULL, "process.args: must not be empty" R);
}

static void test_cwd_refused(void)
{
	REFUSED("process.cwd", NULL, "process.cwd: required" R);
	REFUSED("process.cwd", "\"\"", "process.cwd: required" R);
	REFUSED("process.cwd", "\"tmp\"",
		"process.cwd: must be an absolute path" R);
}

static void test_uid_above_2_31_refused(void)
{
	REFUSED("process.user.uid", "2147483648",
		"process.user.uid: must be at most 2147483647" R);
	REFUSED("process.user.additionalGids", "[4294967295]",
		"process.user.additionalGids[0]: must be at most "
		"2147483647" R);
}

static void test_oom_score_adj_range_refused(void)
{
	REFUSED("process.oomScoreAdj", "1001",
		"process.oomScoreAdj: must be in [-1000, 1000]" R);
	REFUSED("process.oomScoreAdj", "-1001",
		"process.oomScoreAdj: must be in [-1000, 1000]" R);
}

static void test_rlimits_refused(void)
{
	REFUSED("process.rlimits.0.type", "\"RLIMIT_BOGUS\"",
		"process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"" R);
	REFUSED("process.rlimits.0.type", "\"rlimit_nofile\"",
		"process.rlimits[0].type: unknown rlimit \"rlimit_nofile\"" R);
	REFUSED("process.rlimits.0.soft", "2048",
		"process.rlimits[0]: soft limit above the hard one" R);
}

static void test_hook_without_path_refused(void)
{
	REFUSED("hooks", "{\"prestart\": [{\"args\": [\"x\"]}]}",
		"hooks.prestart[0].path: required" R);
}

static void test_every_hook_stage_checked(void)
{
	static const char *const stages[] = {
		"prestart",	  "createRuntime", "createContainer",
		"startContainer", "poststart",	   "poststop"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(stages); i++) {
		char path[64], want[128];
		struct hs_error err = {0};

		snprintf(path, sizeof(path), "hooks.%s", stages[i]);
		CHECK(check_edit(BASE_SPEC, path,
				 "[{\"path\": \"/bin/true\"}, {\"path\": \"\", "
				 "\"timeout\": 0}]",
				 &err) < 0);
		snprintf(want, sizeof(want), F ": hooks.%s[1].path: required" R,
			 stages[i]);
		CHECK_STR(err.msg, want);
		CHECK(err.count == 2);
	}
}

static void test_hook_timeout_not_positive_refused(void)
{
	REFUSED("hooks",
		"{\"createRuntime\": [{\"path\": \"/bin/true\", "
		"\"timeout\": 0}]}",
		"hooks.createRuntime[0].timeout: must be greater than zero" R);
	REFUSED("hooks",
		"{\"createRuntime\": [{\"path\": \"/bin/true\", "
		"\"timeout\": -1}]}",
		"hooks.createRuntime[0].timeout: must be greater than zero" R);
}

static void test_namespace_type_unknown_refused(void)
{
	REFUSED("linux.namespaces.0.type", "\"bogus\"",
		"linux.namespaces[0].type: unknown namespace type \"bogus\"" R);
	/* runc 1.2 knows it; 1.1 does not. */
	REFUSED("linux.namespaces.0.type", "\"time\"",
		"linux.namespaces[0].type: unknown namespace type \"time\"" R);
	REFUSED("linux.namespaces.0", "null",
		"linux.namespaces[0].type: unknown namespace type \"\"" R);
}

static void test_namespace_duplicated_refused(void)
{
	REFUSED("linux.namespaces",
		"[{\"type\": \"pid\"}, {\"type\": \"uts\"}, {\"type\": "
		"\"mount\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, "
		"{\"type\": \"pid\", \"path\": \"/x\"}]",
		"linux.namespaces[5].type: a second \"pid\" namespace" R);
}

static void test_message_is_one_line(void)
{
	REFUSED("linux.namespaces.0.type", "\"a\\nb\\\"c\"",
		"linux.namespaces[0].type: unknown namespace type "
		"\"a\\x0ab\\x22c\"" R);
}

static void test_namespace_needed_refused(void)
{
	REFUSED("linux.namespaces", "[{\"type\": \"mount\"}]",
		"hostname: needs a uts namespace" R);
	/* Without `linux`, no namespace at all: the hostname is refused. */
	REFUSED("linux", NULL, "hostname: needs a uts namespace" R);
}

static void test_paths_need_mount_namespace(void)
{
	struct hs_error err = {0};

	CHECK(check_edit(BASE_SPEC, "linux.namespaces", "[{\"type\": \"uts\"}]",
			 &err) < 0);
	CHECK(err.count == 2); /* maskedPaths and readonlyPaths */
	CHECK_STR(err.msg, F ": linux.maskedPaths: needs a mount namespace" R);
}

/* runc 1.1 checks the hostname only. */
static void test_domainname_without_uts_accepted(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);

	CHECK(spec != NULL);
	set_at(spec, "hostname", NULL);
	set_at(spec, "domainname", json_string("example.org"));
	set_at(spec, "linux.namespaces", json_pack("[{s:s}]", "type", "mount"));
	CHECK(hs_spec_check_types(spec, F, &err) == 0);
}

static void test_sysctls_refused(void)
{
	REFUSED("linux.sysctl", "{\"vm.swappiness\": \"1\"}",
		"linux.sysctl.vm.swappiness: not isolated by a namespace of "
		"the "
		"container" R);
	REFUSED("linux.sysctl", "{\"kernel.hostname\": \"x\"}",
		"linux.sysctl.kernel.hostname: conflicts with \"hostname\"" R);
}

static void test_sysctl_needs_its_namespace(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);

	CHECK(spec != NULL);
	set_at(spec, "linux.namespaces",
	       json_pack("[{s:s},{s:s},{s:s}]", "type", "mount", "type", "uts",
			 "type", "pid"));
	set_at(spec, "linux.sysctl",
	       json_pack("{s:s,s:s}", "net.ipv4.ip_forward", "1",
			 "kernel/shm_rmid_forced", "1"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, F ": linux.sysctl.net.ipv4.ip_forward: needs a "
			     "network namespace" R);
}

static void test_user_namespace_mappings_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);

	CHECK(spec != NULL);
	json_array_append_new(
		json_object_get(json_object_get(spec, "linux"), "namespaces"),
		json_pack("{s:s}", "type", "user"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, F ": linux.uidMappings: required with a user "
			     "namespace" R);
	memset(&err, 0, sizeof(err));
	set_at(spec, "linux.uidMappings",
	       json_pack("[{s:i,s:i,s:i}]", "containerID", 1, "hostID", 1000,
			 "size", 10));
	set_at(spec, "linux.gidMappings",
	       json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID", 1000,
			 "size", 0));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, F ": linux.uidMappings: maps no uid 0 into the user "
			     "namespace" R);
}

static void test_propagation_unknown_refused(void)
{
	REFUSED("linux.rootfsPropagation", "\"bogus\"",
		"linux.rootfsPropagation: unknown propagation \"bogus\"" R);
}

static void test_device_types_refused(void)
{
	REFUSED("linux.devices",
		"[{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, "
		"\"minor\": 3}]",
		"linux.devices[0].type: unknown device type \"x\"" R);
	REFUSED("linux.resources.devices.0.type", "\"x\"",
		"linux.resources.devices[0].type: unknown device type "
		"\"x\"" R);
	REFUSED("linux.resources.devices.0.access", "\"\"",
		"linux.resources.devices[0].access: required" R);
}

#define SECCOMP(rest)                                                        \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "        \
	"[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"mkdirat\"], " \
	"\"action\": \"SCMP_ACT_ERRNO\"" rest "}]}"

static void test_seccomp_refused(void)
{
	ACCEPTED(BASE_SPEC, "linux.seccomp", SECCOMP(""));
	REFUSED("linux.seccomp",
		SECCOMP(", \"args\": [{\"index\": 6, "
			"\"op\": \"SCMP_CMP_EQ\"}]"),
		"linux.seccomp.syscalls[0].args[0].index: must be at most 5" R);
	REFUSED("linux.seccomp", SECCOMP(", \"args\": [{\"index\": 0}]"),
		"linux.seccomp.syscalls[0].args[0].op: unknown operator "
		"\"\"" R);
	REFUSED("linux.seccomp.defaultAction", "\"SCMP_ACT_BOGUS\"",
		"linux.seccomp.defaultAction: unknown action "
		"\"SCMP_ACT_BOGUS\"" R);
}

static void test_seccomp_names_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);
	json_t *sc = json_loads(SECCOMP(""), 0, NULL);

	CHECK(spec != NULL && sc != NULL);
	set_at(spec, "linux.seccomp", sc);
	set_at(spec, "linux.seccomp.defaultAction", json_string("ALLOW"));
	set_at(spec, "linux.seccomp.architectures",
	       json_pack("[s]", "SCMP_ARCH_RISCV64"));
	set_at(spec, "linux.seccomp.flags", json_pack("[s]", "x"));
	set_at(spec, "linux.seccomp.syscalls.0.action", json_string("KILL"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 4);
	CHECK_STR(err.msg, F ": linux.seccomp.flags: runc 1.1 takes no "
			     "seccomp flags" R);
}

static void test_seccomp_notify_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);
	json_t *sc = json_loads(SECCOMP(""), 0, NULL);

	CHECK(spec != NULL && sc != NULL);
	set_at(spec, "linux.seccomp", sc);
	set_at(spec, "linux.seccomp.syscalls.0.action",
	       json_string("SCMP_ACT_NOTIFY"));
	set_at(spec, "linux.seccomp.syscalls.0.names",
	       json_pack("[s,s]", "mkdirat", "write"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, F ": linux.seccomp.syscalls[0].action: "
			     "SCMP_ACT_NOTIFY needs seccomp.listenerPath" R);
	memset(&err, 0, sizeof(err));
	set_at(spec, "linux.seccomp.listenerPath", json_string("/run/a.sock"));
	set_at(spec, "linux.seccomp.defaultAction",
	       json_string("SCMP_ACT_NOTIFY"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, F ": linux.seccomp.defaultAction: SCMP_ACT_NOTIFY "
			     "as the default action" R);
}

/* --- the whole spec ------------------------------------------------------- */

static void test_every_problem_reported(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(BASE_SPEC);

	CHECK(spec != NULL);
	set_at(spec, "process.args", json_string("sh"));
	set_at(spec, "process.user.uid", json_integer(-1));
	set_at(spec, "root", NULL);
	set_at(spec, "mounts.2", json_array());
	set_at(spec, "linux.namespaces.0.type", json_string("bogus"));
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(err.count == 5);
	/* The type walk comes first: runc stops at decoding. */
	CHECK_STR(err.msg, F ": process.user.uid: must be an integer in [0, "
			     "4294967295], not -1" R);
}

static void test_not_an_object_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *arr = json_array();

	CHECK(hs_spec_check_types(arr, F, &err) < 0);
	CHECK_STR(err.msg, F ": must be a JSON object");
}

static void test_spec_unchanged(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = load(EVERY_FIELD);
	_cleanup_json_ json_t *copy = NULL;

	CHECK(spec != NULL);
	set_at(spec, "process.args", json_string("sh"));
	copy = json_deep_copy(spec);
	CHECK(hs_spec_check_types(spec, F, &err) < 0);
	CHECK(json_equal(spec, copy));
}

int main(void)
{
	RUN(test_runc_default_spec_passes);
	RUN(test_every_field_passes);
	RUN(test_null_values_accepted);
	RUN(test_unknown_keys_accepted);
	RUN(test_integers_in_range_accepted);
	RUN(test_runc_rules_accept);
	RUN(test_args_as_string_refused);
	RUN(test_args_element_number_refused);
	RUN(test_uid_negative_refused);
	RUN(test_uid_2_32_refused);
	RUN(test_uid_not_an_integer_literal_refused);
	RUN(test_gid_as_string_refused);
	RUN(test_additional_gids_refused);
	RUN(test_capabilities_bounding_as_string_refused);
	RUN(test_process_fields_refused);
	RUN(test_mount_as_array_refused);
	RUN(test_mounts_as_object_refused);
	RUN(test_mount_fields_refused);
	RUN(test_hook_timeout_as_string_refused);
	RUN(test_hooks_as_array_refused);
	RUN(test_annotation_number_refused);
	RUN(test_sysctl_bool_refused);
	RUN(test_seccomp_names_as_string_refused);
	RUN(test_memory_limit_as_string_refused);
	RUN(test_resources_refused);
	RUN(test_other_platforms_refused);
	RUN(test_every_field_type_checked);
	RUN(test_missing_root_refused);
	RUN(test_empty_root_path_refused);
	RUN(test_missing_process_refused);
	RUN(test_args_empty_refused);
	RUN(test_cwd_refused);
	RUN(test_uid_above_2_31_refused);
	RUN(test_oom_score_adj_range_refused);
	RUN(test_rlimits_refused);
	RUN(test_hook_without_path_refused);
	RUN(test_every_hook_stage_checked);
	RUN(test_hook_timeout_not_positive_refused);
	RUN(test_namespace_type_unknown_refused);
	RUN(test_namespace_duplicated_refused);
	RUN(test_message_is_one_line);
	RUN(test_namespace_needed_refused);
	RUN(test_paths_need_mount_namespace);
	RUN(test_domainname_without_uts_accepted);
	RUN(test_sysctls_refused);
	RUN(test_sysctl_needs_its_namespace);
	RUN(test_user_namespace_mappings_refused);
	RUN(test_propagation_unknown_refused);
	RUN(test_device_types_refused);
	RUN(test_seccomp_refused);
	RUN(test_seccomp_names_refused);
	RUN(test_seccomp_notify_refused);
	RUN(test_every_problem_reported);
	RUN(test_not_an_object_refused);
	RUN(test_spec_unchanged);
	TEST_EXIT();
}
