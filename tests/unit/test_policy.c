/* shim/policy.c: tenant policies. Pure validation through hs_policy_parse
 * (every key, every capability, every path checked, every error reported),
 * then real files through hs_policy_load_file, and the digest recorded in
 * every container (the seccomp plan's: policy and resolved profile).
 * Fixtures: tests/data/policies/. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_plan.h"
#include "hs_policy.h"
#include "hs_test.h"

static char scratch[64];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Parses policy text as "p.json"; returns hs_policy_parse's result. */
static int parse_text(const char *text, struct hs_policy *p,
		      struct hs_error *err)
{
	_cleanup_json_ json_t *j =
		hs_json_load_buffer(text, strlen(text), "p.json", err);

	memset(p, 0, sizeof(*p));
	if (!j)
		return -2;
	return hs_policy_parse(j, "p.json", p, err);
}

/* The minimal valid policy with `extra` spliced in as more members. */
static int parse_with(const char *extra, struct hs_policy *p,
		      struct hs_error *err)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"name\": \"minimal\", \"seccomp\": "
		 "\"seccomp/tenant-default.json\", \"capabilities\": "
		 "{\"ceiling\": [\"CAP_KILL\"]}%s%s}",
		 *extra ? ", " : "", extra);
	return parse_text(text, p, err);
}

#define CAPBIT(n) ((hs_capset_t)1 << hs_caps_from_name(n))

/* --- pure: valid ------------------------------------------------------------
 */

static void test_minimal_policy_defaults(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("", &p, &err) == 0);
	CHECK(err.count == 0);
	CHECK_STR(p.name, "minimal");
	CHECK(p.cap_ceiling == CAPBIT("CAP_KILL"));
	CHECK(!p.allow_ambient);
	CHECK(p.run_as_non_root);
	CHECK(p.root_rule == HS_ROOT_REFUSE);
	CHECK(p.required_ns == (HS_NS_PID | HS_NS_NETWORK | HS_NS_MOUNT |
				HS_NS_IPC | HS_NS_UTS));
	CHECK(p.n_host_paths == 0);
	CHECK(p.mount_types == HS_MOUNT_ALL);
	CHECK(p.allowed_sysctls == NULL);
	CHECK(!p.allow_devices);
	CHECK(!p.readonly_rootfs);
	CHECK(p.allow_exec);
	CHECK_STR(p.seccomp_path, ""); /* pure: resolved only on load */
	CHECK(!hs_policy_is_selectable(&p, "tenant-batch"));
	hs_policy_free(&p);
	CHECK(p.json == NULL);
}

static void test_full_policy_fields(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"mode\": \"enforce\", \"noNewPrivileges\": true, "
			 "\"user\": {\"runAsNonRoot\": true, \"root\": "
			 "\"remap\", \"uid\": 1000, \"gid\": 2000}, "
			 "\"spec\": {\"requiredNamespaces\": [\"network\", "
			 "\"user\"], \"hostPaths\": [{\"path\": \"/srv\"}, "
			 "{\"path\": \"/data/x\", \"readOnly\": false}], "
			 "\"mountTypes\": [\"tmpfs\", \"proc\"], "
			 "\"allowDevices\": true, \"readonlyRootfs\": true, "
			 "\"allowedSysctls\": [\"net.ipv4.tcp_syncookies\"]}, "
			 "\"exec\": {\"allow\": false}, "
			 "\"selectable\": [\"tenant-batch\", \"b.v2\"]",
			 &p, &err) == 0);
	CHECK(p.root_rule == HS_ROOT_REMAP);
	CHECK(p.uid == 1000 && p.gid == 2000);
	CHECK(p.required_ns == (HS_NS_NETWORK | HS_NS_USER));
	CHECK(p.n_host_paths == 2);
	CHECK_STR(p.host_paths[0].path, "/srv");
	CHECK(p.host_paths[0].read_only);
	CHECK_STR(p.host_paths[1].path, "/data/x");
	CHECK(!p.host_paths[1].read_only);
	CHECK(p.mount_types == (HS_MOUNT_TMPFS | HS_MOUNT_PROC));
	CHECK(json_array_size(p.allowed_sysctls) == 1);
	CHECK(p.allow_devices && p.readonly_rootfs);
	CHECK(!p.allow_exec);
	CHECK(hs_policy_is_selectable(&p, "tenant-batch"));
	CHECK(hs_policy_is_selectable(&p, "b.v2"));
	CHECK(!hs_policy_is_selectable(&p, "tenant"));
	CHECK(!hs_policy_is_selectable(&p, "tenant-batch2"));
	hs_policy_free(&p);
}

static void test_ceiling_several_caps(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [\"CAP_CHOWN\", "
			 "\"CAP_NET_BIND_SERVICE\", \"CAP_SYS_ADMIN\"], "
			 "\"allowAmbient\": true}}",
			 &p, &err) == 0);
	CHECK(p.cap_ceiling ==
	      (CAPBIT("CAP_CHOWN") | CAPBIT("CAP_NET_BIND_SERVICE") |
	       CAPBIT("CAP_SYS_ADMIN")));
	CHECK(p.allow_ambient);
	hs_policy_free(&p);
}

/* --- pure: capabilities ------------------------------------------------- */

static void test_unknown_capability(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [\"CAP_KILL\", "
			 "\"CAP_FOO\"]}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg,
		  "p.json: capabilities.ceiling[1]: unknown capability "
		  "\"CAP_FOO\"");
	CHECK(p.json == NULL); /* freed on failure */
}

static void test_lower_case_capability(void)
{
	static const char *const bad[] = {"cap_kill", "Cap_Kill", "KILL",
					  "CAP_",     "CAP_kill", "CAP_KILL "};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		struct hs_policy p;
		char text[256], want[128];

		snprintf(text, sizeof(text),
			 "{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [\"%s\"]}}",
			 bad[i]);
		CHECK(parse_text(text, &p, &err) < 0);
		snprintf(want, sizeof(want),
			 "p.json: capabilities.ceiling[0]: unknown capability "
			 "\"%s\"",
			 bad[i]);
		CHECK_STR(err.msg, want);
	}
}

static void test_ceiling_not_strings(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [\"CAP_KILL\", 12]}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities.ceiling[1]: must be a string");
}

static void test_capabilities_missing_or_wrong(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\"}", &p,
			 &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": [\"CAP_KILL\"]}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities: must be an object");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities.ceiling: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [], "
			 "\"allowAmbiant\": false}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities.allowAmbiant: unknown key");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": \"s.json\", "
			 "\"capabilities\": {\"ceiling\": [], "
			 "\"allowAmbient\": \"no\"}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities.allowAmbient: must be true or "
			   "false");
}

/* --- pure: mode, no_new_privs, user -------------------------------------- */

static void test_mode_audit_accepted(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"mode\": \"audit\"", &p, &err) == 0);
	CHECK(p.audit);
	hs_policy_free(&p);
	CHECK(parse_with("\"mode\": \"enforce\"", &p, &err) == 0);
	CHECK(!p.audit);
	hs_policy_free(&p);
}

static void test_mode_unknown_refused(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"mode\": \"Enforce\"", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: mode: \"Enforce\" is not a mode "
			   "(\"enforce\" or \"audit\")");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"mode\": \"log\"", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "mode: \"log\" is not a mode");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"mode\": \"\"", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "p.json: mode: \"\" is not a mode");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"mode\": true", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "mode");
}

static void test_no_new_privileges_false_refused(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"noNewPrivileges\": false", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: noNewPrivileges: must be true: hardshim "
			   "always sets no_new_privs");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"noNewPrivileges\": 0", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: noNewPrivileges: must be true or false");
}

static void test_user_root_invalid(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"user\": {\"root\": \"allow\"}", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: user.root: \"allow\" is neither \"remap\" "
			   "nor \"refuse\"");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"user\": {\"root\": true}", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: user.root: must be a string");
}

static void test_user_uid_out_of_range(void)
{
	static const char *const cases[][2] = {
		{"\"uid\": 0", "p.json: user.uid: 0 is out of range [1, "
			       "4294967294]"},
		{"\"uid\": 4294967295", "p.json: user.uid: 4294967295 is out "
					"of range [1, 4294967294]"},
		{"\"uid\": -1", "p.json: user.uid: -1 is out of range"},
		{"\"gid\": 0", "p.json: user.gid: 0 is out of range"},
		{"\"uid\": \"65534\"", "p.json: user.uid: must be an integer"},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		struct hs_error err = {0};
		struct hs_policy p;
		char extra[128];

		snprintf(extra, sizeof(extra),
			 "\"user\": {\"root\": \"remap\", %s}", cases[i][0]);
		CHECK(parse_with(extra, &p, &err) < 0);
		CHECK_CONTAINS(err.msg, cases[i][1]);
	}
}

static void test_user_unknown_key_and_type(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"user\": {\"root\": \"remap\", \"username\": "
			 "\"nobody\"}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: user.username: unknown key");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"user\": \"nobody\"", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: user: must be an object");
}

static void test_run_as_root_allowed_explicitly(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"user\": {\"runAsNonRoot\": false}", &p, &err) == 0);
	CHECK(!p.run_as_non_root);
	hs_policy_free(&p);
}

/* --- pure: spec ------------------------------------------------------------
 */

static void test_unknown_spec_key(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"privileged\": false, \"readonlyRootfs\":"
			 " true}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: spec.privileged: unknown key");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"spec\": [\"readonlyRootfs\"]", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: spec: must be an object");
}

static void test_unknown_namespace_type(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"requiredNamespaces\": [\"pid\", "
			 "\"net\"]}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: spec.requiredNamespaces[1]: unknown "
			   "namespace type \"net\"");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"spec\": {\"requiredNamespaces\": \"pid\"}", &p,
			 &err) < 0);
	CHECK_STR(err.msg, "p.json: spec.requiredNamespaces: must be an array");
}

/* A policy granting `path` as a host path is refused with `want`. */
static void check_host_path_refused(const char *path, const char *want)
{
	struct hs_error err = {0};
	struct hs_policy p;
	char text[256];

	snprintf(text, sizeof(text),
		 "\"spec\": {\"hostPaths\": [{\"path\": \"%s\"}]}", path);
	CHECK(parse_with(text, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "p.json: spec.hostPaths[0]: \"");
	CHECK_CONTAINS(err.msg, want);
}

static void test_host_path_not_normalised(void)
{
	static const char *const bad[] = {"etc",    "/var/../srv", "",
					  "/srv/",  "/srv//x",	   "/srv/./x",
					  "/srv/.."};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++)
		check_host_path_refused(bad[i],
					"must be a normalised absolute path");
}

/* A grant is judged as a bind is: the path, beneath it, or a parent. */
static void test_host_path_sensitive_refused(void)
{
	static const char *const bad[] = {
		"/",	    "/etc",	"/etc/ssl", "/var",
		"/usr/bin", "/var/lib", "/run/x",   "/var/lib/kubelet/pods"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++)
		check_host_path_refused(bad[i], "which no policy may grant");
}

/* The "host" switches of a system policy: each parsed, each off by
 * default, and none allowed beside a network part, which each would undo. */
static void test_host_switches(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("", &p, &err) == 0);
	CHECK(p.host_ns == 0 && !p.any_host_path && !p.writable_sysfs &&
	      !p.unconfined_apparmor);
	hs_policy_free(&p);
	CHECK(parse_with("\"host\": {\"namespaces\": [\"network\", \"pid\"], "
			 "\"anyHostPath\": true, \"writableSysfs\": true, "
			 "\"unconfinedAppArmor\": true}",
			 &p, &err) == 0);
	CHECK(p.host_ns == (HS_NS_NETWORK | HS_NS_PID));
	CHECK(p.any_host_path && p.writable_sysfs && p.unconfined_apparmor);
	hs_policy_free(&p);
}

static void test_host_switches_refused(void)
{
	static const char *const bad[] = {
		"\"host\": {\"namespaces\": [\"network\"]}",
		"\"host\": {\"anyHostPath\": true}",
		"\"host\": {\"writableSysfs\": true}",
		"\"host\": {\"unconfinedAppArmor\": true}",
	};
	struct hs_error err = {0};
	struct hs_policy p;
	size_t i;
	char text[512];

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		memset(&err, 0, sizeof(err));
		snprintf(text, sizeof(text), "%s, \"network\": \"n.json\"",
			 bad[i]);
		CHECK(parse_with(text, &p, &err) < 0);
		CHECK_CONTAINS(err.msg, "p.json: host: a policy with a network "
					"part may not use the host's");
	}
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"host\": {\"namespaces\": [\"net\"], "
			 "\"privileged\": true}",
			 &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "privileged");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"host\": {\"namespaces\": [\"net\"]}", &p, &err) <
	      0);
	CHECK_CONTAINS(err.msg, "host.namespaces[0]: unknown namespace type "
				"\"net\"");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"host\": true", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: host: must be an object");
}

/* The shipped system policy loads and has no network part. */
static void test_shipped_system_policy(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("policies/system.json", &p, &err) == 0);
	CHECK(!p.has_network && !p.run_as_non_root && p.allow_devices);
	CHECK(p.host_ns & HS_NS_NETWORK);
	hs_policy_free(&p);
}

static void test_host_path_unknown_key(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"hostPaths\": [{\"path\": \"/srv\", "
			 "\"readonly\": false}]}",
			 &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "spec.hostPaths[0]");
	CHECK_CONTAINS(err.msg, "readonly");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"spec\": {\"hostPaths\": [\"/srv\"]}", &p, &err) <
	      0);
	CHECK_STR(err.msg, "p.json: spec.hostPaths[0]: must be an object");
}

static void test_mount_type_unknown(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"mountTypes\": [\"tmpfs\", \"ext4\", "
			 "\"bind\", \"overlay\"]}",
			 &p, &err) < 0);
	CHECK(err.count == 3);
	CHECK_CONTAINS(err.msg, "p.json: spec.mountTypes[1]: \"ext4\" is not "
				"a mount type hardshim grants");
}

/* The old deny-list key is gone: a policy that still has it must not
 * pass for one that forbids something. */
static void test_forbidden_host_paths_gone(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"forbiddenHostPaths\": [\"/\"]}", &p,
			 &err) < 0);
	CHECK_CONTAINS(err.msg, "forbiddenHostPaths");
}

static void test_relative_masked_and_readonly_paths(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"maskedPaths\": [\"proc/kcore\"]}", &p,
			 &err) < 0);
	CHECK_STR(err.msg, "p.json: spec.maskedPaths[0]: \"proc/kcore\" must "
			   "be an absolute path without \"..\"");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"spec\": {\"readonlyPaths\": [\"/proc/sys\", "
			 "\"/proc/../sys\"]}",
			 &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "p.json: spec.readonlyPaths[1]: ");
}

static void test_spec_wrong_types(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"spec\": {\"allowDevices\": \"false\"}", &p, &err) <
	      0);
	CHECK_STR(err.msg, "p.json: spec.allowDevices: must be true or false");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"spec\": {\"allowedSysctls\": [\"a\", 1]}", &p,
			 &err) < 0);
	CHECK_STR(err.msg, "p.json: spec.allowedSysctls[1]: must be a string");
}

static void test_selectable_invalid_name(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"selectable\": [\"tenant-batch\", \"../root\"]", &p,
			 &err) < 0);
	CHECK_STR(err.msg,
		  "p.json: selectable[1]: \"../root\" is not a policy name");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"selectable\": \"tenant-batch\"", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: selectable: must be an array");
}

static void test_exec_wrong(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"exec\": false", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: exec: must be an object");
	memset(&err, 0, sizeof(err));
	CHECK(parse_with("\"exec\": {\"deny\": true}", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: exec.deny: unknown key");
}

static void test_missing_seccomp(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"x\", \"capabilities\": {\"ceiling\": "
			 "[]}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: seccomp: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"x\", \"seccomp\": null, "
			 "\"capabilities\": {\"ceiling\": []}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: seccomp: required, missing");
}

static void test_name_missing_or_invalid(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"seccomp\": \"s\", \"capabilities\": {\"ceiling\":"
			 " []}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: name: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse_text("{\"name\": \"Tenant A\", \"seccomp\": \"s\", "
			 "\"capabilities\": {\"ceiling\": []}}",
			 &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "p.json: name: \"Tenant A\" is not a policy "
				"name");
}

static void test_unknown_top_level_key(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"capabilites\": {}", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilites: unknown key");
}

static void test_not_an_object(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("[\"tenant-default\"]", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: must be a JSON object");
	memset(&err, 0, sizeof(err));
	{
		_cleanup_json_ json_t *s = json_string("tenant-default");

		CHECK(hs_policy_parse(s, "p.json", &p, &err) < 0);
		CHECK_STR(err.msg, "p.json: must be a JSON object");
		CHECK(p.json == NULL);
	}
}

static void test_every_error_reported(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/bad-many-errors.json",
				  &p, &err) < 0);
	/* name, mode, CAP_NOPE, noNewPrivileges, user.root, spec.privileged,
	 * hostPaths[0], selectable[0]. */
	CHECK(err.count == 8);
	CHECK_STR(err.msg, "tests/data/policies/bad-many-errors.json: name: "
			   "\"Bad Name\" is not a policy name ([a-z0-9._-], "
			   "at most 64 characters)");
}

/* --- files ------------------------------------------------------------------
 */

static bool is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < HS_DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[HS_DIGEST_HEX_LEN] == '\0';
}

/* Node context for planning: this machine, no capabilities. */
static struct hs_resolve_ctx node(void)
{
	static const char *const no_caps[] = {NULL};
	struct hs_resolve_ctx ctx = {0};
	struct hs_error err = {0};

	if (hs_profile_node_ctx(&ctx, &err) < 0)
		printf("# %s\n", err.msg);
	ctx.caps = no_caps;
	return ctx;
}

/* The digest of the seccomp plan of the policy at `path`. */
static int digest_of(const char *path, char out[HS_DIGEST_HEX_LEN + 1])
{
	struct hs_error err = {0};
	struct hs_resolve_ctx ctx = node();
	struct hs_seccomp_plan plan;
	struct hs_policy p;
	int r;

	if (hs_policy_load_file(path, &p, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	r = hs_plan_seccomp(&p, &ctx, NULL, &plan, &err);
	hs_policy_free(&p);
	if (r < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	memcpy(out, plan.digest, HS_DIGEST_HEX_LEN + 1);
	hs_plan_free(&plan);
	return 0;
}

static void test_load_tenant_default(void)
{
	struct hs_error err = {0};
	struct hs_policy a;
	char da[HS_DIGEST_HEX_LEN + 1], db[HS_DIGEST_HEX_LEN + 1];

	CHECK(hs_policy_load_file("policies/tenant-default.json", &a, &err) ==
	      0);
	CHECK_STR(a.name, "tenant-default");
	CHECK_STR(a.file, "policies/tenant-default.json");
	/* Relative to the policy file's directory. */
	CHECK_STR(a.seccomp_path, "policies/seccomp/tenant-default.json");
	CHECK(a.root_rule == HS_ROOT_REMAP && a.uid == 65534 && a.gid == 65534);
	CHECK(a.cap_ceiling & CAPBIT("CAP_NET_BIND_SERVICE"));
	CHECK(!(a.cap_ceiling & CAPBIT("CAP_SYS_ADMIN")));
	CHECK(hs_policy_is_selectable(&a, "tenant-batch"));
	CHECK(S_ISREG(a.st.st_mode) && a.st.st_size > 0);
	hs_policy_free(&a);
	CHECK(digest_of("policies/tenant-default.json", da) == 0);
	CHECK(is_hex64(da));
	CHECK(digest_of("policies/tenant-default.json", db) == 0);
	CHECK_STR(db, da);
}

static void test_load_tenant_batch_extends(void)
{
	struct hs_error err = {0};
	struct hs_policy p;
	char db[HS_DIGEST_HEX_LEN + 1], dd[HS_DIGEST_HEX_LEN + 1];

	CHECK(hs_policy_load_file("policies/tenant-batch.json", &p, &err) == 0);
	CHECK(p.readonly_rootfs);
	CHECK(!p.allow_exec);
	CHECK(p.root_rule == HS_ROOT_REFUSE);
	CHECK(p.cap_ceiling == CAPBIT("CAP_KILL"));
	CHECK_STR(p.seccomp_path, "policies/seccomp/tenant-batch.json");
	hs_policy_free(&p);
	CHECK(digest_of("policies/tenant-batch.json", db) == 0);
	CHECK(digest_of("policies/tenant-default.json", dd) == 0);
	CHECK(strcmp(db, dd) != 0);
}

static void test_absolute_seccomp_path_kept(void)
{
	struct hs_error err = {0};
	struct hs_policy p;
	char path[192];

	snprintf(path, sizeof(path), "%s/abs.json", scratch);
	{
		FILE *f = fopen(path, "we");

		CHECK(f != NULL);
		fputs("{\"name\": \"abs\", \"seccomp\": "
		      "\"/etc/hardshim/seccomp/x.json\", \"capabilities\": "
		      "{\"ceiling\": []}}",
		      f);
		fclose(f);
	}
	CHECK(hs_policy_load_file(path, &p, &err) == 0);
	CHECK_STR(p.seccomp_path, "/etc/hardshim/seccomp/x.json");
	hs_policy_free(&p);
}

static int copy_file(const char *from, const char *to)
{
	_cleanup_free_ char *buf = NULL;
	FILE *in = fopen(from, "re"), *out;
	size_t n, cap = 4u << 20;
	int r = -1;

	if (!in)
		return -1;
	buf = malloc(cap);
	n = buf ? fread(buf, 1, cap, in) : 0;
	fclose(in);
	if (!buf)
		return -1;
	out = fopen(to, "we");
	if (!out)
		return -1;
	if (fwrite(buf, 1, n, out) == n)
		r = 0;
	if (fclose(out) != 0)
		r = -1;
	return r;
}

/* policies/ copied to the scratch dir, so that files can be edited. */
static int copy_policies(const char *dir)
{
	char a[256], b[256];

	snprintf(a, sizeof(a), "%s/seccomp", dir);
	if (mkdir(dir, 0755) < 0 || mkdir(a, 0755) < 0)
		return -1;
	snprintf(b, sizeof(b), "%s/tenant-default.json", dir);
	if (copy_file("policies/tenant-default.json", b) < 0)
		return -1;
	snprintf(b, sizeof(b), "%s/tenant-batch.json", dir);
	if (copy_file("policies/tenant-batch.json", b) < 0)
		return -1;
	snprintf(b, sizeof(b), "%s/seccomp/tenant-default.json", dir);
	if (copy_file("policies/seccomp/tenant-default.json", b) < 0)
		return -1;
	snprintf(b, sizeof(b), "%s/seccomp/tenant-batch.json", dir);
	return copy_file("policies/seccomp/tenant-batch.json", b);
}

/* Loads `path`, edits it with `edit`, writes it back (re-serialised). */
static int edit_json(const char *path, int (*edit)(json_t *), size_t flags)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *j =
		hs_json_load_path(path, HS_POLICY_MAX_BYTES, &err);

	if (!j || (edit && edit(j) < 0))
		return -1;
	return json_dump_file(j, path, flags);
}

static int edit_comment(json_t *j)
{
	return json_object_set_new(j, "comment", json_string("edited"));
}

static int edit_ceiling(json_t *j)
{
	return json_array_append_new(
		json_object_get(json_object_get(j, "capabilities"), "ceiling"),
		json_string("CAP_SETUID"));
}

/* A different errno for the default action, whatever it was. */
static int edit_profile(json_t *j)
{
	json_int_t was =
		json_integer_value(json_object_get(j, "defaultErrnoRet"));

	return json_object_set_new(j, "defaultErrnoRet",
				   json_integer(was == 38 ? 1 : 38));
}

static void test_digest_follows_content(void)
{
	char dir[128], pol[192], prof[192];
	char copy[HS_DIGEST_HEX_LEN + 1], again[HS_DIGEST_HEX_LEN + 1];
	char reformatted[HS_DIGEST_HEX_LEN + 1], comment[HS_DIGEST_HEX_LEN + 1];
	char ceiling[HS_DIGEST_HEX_LEN + 1], profile[HS_DIGEST_HEX_LEN + 1];

	snprintf(dir, sizeof(dir), "%s/digest", scratch);
	snprintf(pol, sizeof(pol), "%s/tenant-default.json", dir);
	snprintf(prof, sizeof(prof), "%s/seccomp/tenant-default.json", dir);
	CHECK(copy_policies(dir) == 0);
	CHECK(digest_of(pol, copy) == 0);
	CHECK(digest_of(pol, again) == 0);
	CHECK_STR(again, copy);
	/* Formatting and key order do not change it. */
	CHECK(edit_json(pol, NULL, JSON_INDENT(7) | JSON_SORT_KEYS) == 0);
	CHECK(digest_of(pol, reformatted) == 0);
	CHECK_STR(reformatted, copy);
	/* Any change of the policy does, even a comment... */
	CHECK(edit_json(pol, edit_comment, JSON_INDENT(2)) == 0);
	CHECK(digest_of(pol, comment) == 0);
	CHECK(strcmp(comment, copy) != 0);
	/* ...and certainly a wider ceiling. */
	CHECK(edit_json(pol, edit_ceiling, JSON_INDENT(2)) == 0);
	CHECK(digest_of(pol, ceiling) == 0);
	CHECK(strcmp(ceiling, comment) != 0);
	CHECK(strcmp(ceiling, copy) != 0);
	/* So does a change of the seccomp profile alone. */
	CHECK(edit_json(prof, edit_profile, JSON_INDENT(2)) == 0);
	CHECK(digest_of(pol, profile) == 0);
	CHECK(strcmp(profile, ceiling) != 0);
}

/* The digest names the policy's content: the same files reached by
 * another spelling of their path (policyDir "." or absolute, a copy in
 * another directory) must give the same digest. */
static void test_digest_independent_of_path(void)
{
	char dir[128], pol[192];
	char orig[HS_DIGEST_HEX_LEN + 1], dot[HS_DIGEST_HEX_LEN + 1];
	char copy[HS_DIGEST_HEX_LEN + 1];

	snprintf(dir, sizeof(dir), "%s/digest-path", scratch);
	snprintf(pol, sizeof(pol), "%s/tenant-default.json", dir);
	CHECK(copy_policies(dir) == 0);
	CHECK(digest_of("policies/tenant-default.json", orig) == 0);
	CHECK(digest_of("./policies/tenant-default.json", dot) == 0);
	CHECK(digest_of(pol, copy) == 0);
	CHECK_STR(dot, orig);
	CHECK_STR(copy, orig);
}

static void test_load_file_unknown_cap(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/bad-unknown-cap.json",
				  &p, &err) < 0);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "tests/data/policies/bad-unknown-cap.json: "
			   "capabilities.ceiling[1]: unknown capability "
			   "\"CAP_FOO\"");
	CHECK(p.json == NULL);
}

static void test_load_file_syntax_error(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/bad-syntax.json", &p,
				  &err) < 0);
	CHECK_CONTAINS(err.msg, "tests/data/policies/bad-syntax.json:4:44: ");
}

static void test_load_file_duplicate_key(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/bad-duplicate-key.json",
				  &p, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "tests/data/policies/bad-duplicate-key.json:5:");
	CHECK_CONTAINS(err.msg, "duplicate object key");
}

static void test_load_file_missing_profile(void)
{
	struct hs_error err = {0};
	struct hs_resolve_ctx ctx = node();
	struct hs_seccomp_plan plan;
	struct hs_policy p;
	int r;

	/* Loading reads only the policy: the profile is read when planned. */
	CHECK(hs_policy_load_file(
		      "tests/data/policies/bad-missing-profile.json", &p,
		      &err) == 0);
	CHECK_STR(p.seccomp_path,
		  "tests/data/policies/seccomp/does-not-exist.json");
	r = hs_plan_seccomp(&p, &ctx, NULL, &plan, &err);
	hs_policy_free(&p);
	CHECK(r < 0);
	CHECK_CONTAINS(err.msg, "tests/data/policies/bad-missing-profile.json: "
				"seccomp: ");
	CHECK_CONTAINS(err.msg, "does-not-exist.json");
	CHECK(plan.resolved == NULL);
}

static void test_load_file_missing(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/nonexistent.json", &p,
				  &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "tests/data/policies/nonexistent.json: ");
}

static void test_load_fixture_policies(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/refuse-root.json", &p,
				  &err) == 0);
	CHECK(p.root_rule == HS_ROOT_REFUSE);
	CHECK_STR(p.seccomp_path, "tests/data/policies/../../../policies/"
				  "seccomp/tenant-default.json");
	hs_policy_free(&p);
	CHECK(hs_policy_load_file("tests/data/policies/readonly-rootfs.json",
				  &p, &err) == 0);
	CHECK(p.readonly_rootfs);
	CHECK(p.root_rule == HS_ROOT_REMAP && p.uid == 1000);
	hs_policy_free(&p);
	/* Both plan: their profile exists. */
	{
		char d[HS_DIGEST_HEX_LEN + 1];

		CHECK(digest_of("tests/data/policies/refuse-root.json", d) ==
		      0);
		CHECK(digest_of("tests/data/policies/readonly-rootfs.json",
				d) == 0);
	}
}

static void test_load_by_name(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	struct hs_policy p;
	char dir[128], path[192];
	json_t *c;

	snprintf(dir, sizeof(dir), "%s/byname", scratch);
	CHECK(copy_policies(dir) == 0);
	c = json_pack("{s:s,s:s}", "runtime", "/usr/sbin/runc", "defaultPolicy",
		      "tenant-default");
	CHECK(hs_config_parse(c, "config.json", dir, &cfg, &err) == 0);
	json_decref(c);
	CHECK(hs_policy_load(&cfg, "tenant-batch", &p, &err) == 0);
	CHECK_STR(p.name, "tenant-batch");
	hs_policy_free(&p);
	/* A name that is not a file name is refused before any path is
	 * built. */
	CHECK(hs_policy_load(&cfg, "../tenant-default", &p, &err) < 0);
	CHECK_STR(err.msg, "policy name \"../tenant-default\" is invalid");
	memset(&err, 0, sizeof(err));
	CHECK(hs_policy_load(&cfg, "absent", &p, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "/absent.json: ");
	/* A policy file whose name key disagrees with its file name. */
	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/impostor.json", dir);
	CHECK(copy_file("policies/tenant-default.json", path) == 0);
	CHECK(hs_policy_load(&cfg, "impostor", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "impostor.json: name \"tenant-default\" does "
				"not match the file");
	CHECK(p.json == NULL);
	hs_config_free(&cfg);
}

/* --- network ---------------------------------------------------------------
 */

static void test_network_path_resolved(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_policy_load_file("tests/data/policies/with-network.json", &p,
				  &err) == 0);
	CHECK(p.has_network);
	CHECK_STR(p.network_path,
		  "tests/data/policies/../../../policies/netpol/"
		  "tenant-isolated.json");
	hs_policy_free(&p);
}

static void test_network_with_net_admin_refused(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text("{\"name\": \"n\", \"seccomp\": \"s.json\", "
			 "\"network\": \"netpol/x.json\", \"capabilities\": "
			 "{\"ceiling\": [\"CAP_KILL\", \"CAP_NET_ADMIN\"]}}",
			 &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: capabilities.ceiling: CAP_NET_ADMIN would "
			   "let the container remove its network policy "
			   "\"netpol/x.json\", refused");
}

static void test_network_must_be_string(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_with("\"network\": 7", &p, &err) < 0);
	CHECK_STR(err.msg, "p.json: network: must be a string");
}

static void test_net_admin_without_network_allowed(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(parse_text(
		      "{\"name\": \"n\", \"seccomp\": \"s.json\", "
		      "\"capabilities\": {\"ceiling\": [\"CAP_NET_ADMIN\"]}}",
		      &p, &err) == 0);
	CHECK(!p.has_network);
	hs_policy_free(&p);
}

int main(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hs-policy-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_minimal_policy_defaults);
	RUN(test_full_policy_fields);
	RUN(test_ceiling_several_caps);
	RUN(test_unknown_capability);
	RUN(test_lower_case_capability);
	RUN(test_ceiling_not_strings);
	RUN(test_capabilities_missing_or_wrong);
	RUN(test_mode_audit_accepted);
	RUN(test_mode_unknown_refused);
	RUN(test_no_new_privileges_false_refused);
	RUN(test_user_root_invalid);
	RUN(test_user_uid_out_of_range);
	RUN(test_user_unknown_key_and_type);
	RUN(test_run_as_root_allowed_explicitly);
	RUN(test_unknown_spec_key);
	RUN(test_unknown_namespace_type);
	RUN(test_host_path_not_normalised);
	RUN(test_host_path_sensitive_refused);
	RUN(test_host_path_unknown_key);
	RUN(test_host_switches);
	RUN(test_host_switches_refused);
	RUN(test_shipped_system_policy);
	RUN(test_mount_type_unknown);
	RUN(test_forbidden_host_paths_gone);
	RUN(test_relative_masked_and_readonly_paths);
	RUN(test_spec_wrong_types);
	RUN(test_selectable_invalid_name);
	RUN(test_exec_wrong);
	RUN(test_missing_seccomp);
	RUN(test_name_missing_or_invalid);
	RUN(test_unknown_top_level_key);
	RUN(test_not_an_object);
	RUN(test_every_error_reported);
	RUN(test_load_tenant_default);
	RUN(test_load_tenant_batch_extends);
	RUN(test_digest_follows_content);
	RUN(test_digest_independent_of_path);
	RUN(test_absolute_seccomp_path_kept);
	RUN(test_load_file_unknown_cap);
	RUN(test_load_file_syntax_error);
	RUN(test_load_file_duplicate_key);
	RUN(test_load_file_missing_profile);
	RUN(test_load_file_missing);
	RUN(test_load_fixture_policies);
	RUN(test_load_by_name);
	RUN(test_network_path_resolved);
	RUN(test_network_with_net_admin_refused);
	RUN(test_network_must_be_string);
	RUN(test_net_admin_without_network_allowed);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
