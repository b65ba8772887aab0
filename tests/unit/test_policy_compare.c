/* shim/policy_compare.c and shim/profile/compare.c: a selectable policy
 * must be at least as strict as the policy that lists it, in every
 * dimension, on effective values. Mostly negative: a policy weaker in one
 * dimension each (one error, naming it), then equal and stricter ones
 * accepted. The seccomp rule is tested on resolved profiles (pure), then
 * through real files: the bounding-set subsets, the network files, the
 * shipped policies and the tenant-batch of the issue. */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_policy.h"
#include "hs_profile.h"
#include "hs_test.h"

static char scratch[64];

/* --- policies from text ---------------------------------------------------
 */

static const char base_text[] =
	"{\"name\": \"base\", \"seccomp\": \"seccomp/p.json\","
	" \"capabilities\": {\"ceiling\": [\"CAP_CHOWN\", \"CAP_KILL\"],"
	"  \"allowAmbient\": false},"
	" \"user\": {\"runAsNonRoot\": true, \"root\": \"refuse\"},"
	" \"spec\": {"
	"  \"requiredNamespaces\": [\"pid\", \"network\", \"mount\", \"ipc\","
	"   \"uts\", \"cgroup\"],"
	"  \"mountTypes\": [\"proc\", \"tmpfs\"],"
	"  \"hostPaths\": [{\"path\": \"/data\"},"
	"   {\"path\": \"/scratch\", \"readOnly\": false},"
	"   {\"path\": \"/srv/cache\", \"readOnly\": false},"
	"   {\"path\": \"/srv\", \"readOnly\": true}],"
	"  \"allowDevices\": false,"
	"  \"allowedSysctls\": [\"kernel.shm_rmid_forced\","
	"   \"net.ipv4.ping_group_range\"],"
	"  \"maskedPaths\": [\"/proc/base-masked\"],"
	"  \"readonlyPaths\": [\"/proc/base-ro\"],"
	"  \"readonlyRootfs\": true},"
	" \"host\": {},"
	" \"exec\": {\"allow\": false}}";

/* base_text named `name`, with `key` ("a" or "a.b") set to the JSON
 * `value`, or removed when `value` is NULL. */
static json_t *variant(const char *name, const char *key, const char *value)
{
	struct hs_error err = {0};
	json_t *j =
		hs_json_load_buffer(base_text, strlen(base_text), "base", &err);
	const char *dot = key ? strchr(key, '.') : NULL;
	json_t *parent = j;
	char first[64];

	if (!j)
		return NULL;
	json_object_set_new(j, "name", json_string(name));
	if (!key)
		return j;
	if (dot) {
		snprintf(first, sizeof(first), "%.*s", (int)(dot - key), key);
		parent = json_object_get(j, first);
		key = dot + 1;
	}
	if (!value)
		json_object_del(parent, key);
	else
		json_object_set_new(parent, key,
				    json_loads(value, JSON_DECODE_ANY, NULL));
	return j;
}

/* Compares sel against base, both parsed from text, without the seccomp
 * profiles (they are not files here); returns the error count. */
static unsigned compare_texts(json_t *base_j, json_t *sel_j,
			      struct hs_error *err)
{
	struct hs_policy base, sel;
	unsigned before;

	if (hs_policy_parse(base_j, "p.json", &base, err) < 0)
		return 1000;
	if (hs_policy_parse(sel_j, "sel.json", &sel, err) < 0) {
		hs_policy_free(&base);
		return 1000;
	}
	before = err->count;
	hs_policy_check_not_weaker(&base, &sel, "p.json", "selectable[0]", 0,
				   err);
	hs_policy_free(&base);
	hs_policy_free(&sel);
	return err->count - before;
}

/* --- one weaker dimension each ---------------------------------------------
 */

static const struct {
	const char *key, *value, *message;
} weaker_cases[] = {
	{"capabilities.ceiling",
	 "[\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_NET_RAW\"]",
	 "capabilities.ceiling: adds CAP_NET_RAW"},
	{"capabilities.allowAmbient", "true",
	 "capabilities.allowAmbient: true, not false"},
	{"user.runAsNonRoot", "false", "user.runAsNonRoot: false, not true"},
	{"user.root", "\"remap\"", "user.root: \"remap\", not \"refuse\""},
	{"mode", "\"audit\"",
	 "mode: \"audit\" (seccomp denials logged, not enforced), not "
	 "\"enforce\""},
	{"spec.requiredNamespaces",
	 "[\"pid\", \"mount\", \"ipc\", \"uts\", \"cgroup\"]",
	 "spec.requiredNamespaces: drops network"},
	/* Absent: the default five, without cgroup. */
	{"spec.requiredNamespaces", NULL,
	 "spec.requiredNamespaces: drops cgroup"},
	{"spec.mountTypes", "[\"proc\", \"tmpfs\", \"sysfs\"]",
	 "spec.mountTypes: adds sysfs"},
	/* Absent: every type. */
	{"spec.mountTypes", NULL,
	 "spec.mountTypes: adds sysfs, cgroup, cgroup2, mqueue, devpts"},
	{"spec.hostPaths", "[{\"path\": \"/opt/data\"}]",
	 "spec.hostPaths: grants \"/opt/data\""},
	{"spec.hostPaths", "[{\"path\": \"/data\", \"readOnly\": false}]",
	 "spec.hostPaths: grants \"/data\" read-write"},
	/* A parent of a read-write grant, where base has it read-only. */
	{"spec.hostPaths", "[{\"path\": \"/srv\", \"readOnly\": false}]",
	 "spec.hostPaths: grants \"/srv\" read-write"},
	/* base's first match makes /srv/cache read-write and the rest of /srv
	 * read-only; sel's read-write grant of /srv/x is not base's. */
	{"spec.hostPaths",
	 "[{\"path\": \"/srv/cache\", \"readOnly\": false},"
	 " {\"path\": \"/srv/x\", \"readOnly\": false}]",
	 "spec.hostPaths: grants \"/srv/x\" read-write"},
	{"spec.allowDevices", "true", "spec.allowDevices: true, not false"},
	{"spec.allowedSysctls",
	 "[\"kernel.shm_rmid_forced\", \"net.ipv4.ip_forward\"]",
	 "spec.allowedSysctls: allows \"net.ipv4.ip_forward\""},
	/* Absent: Kubernetes' safe set, wider than base's two. */
	{"spec.allowedSysctls", NULL,
	 "spec.allowedSysctls: allows \"net.ipv4.ip_local_port_range\", "
	 "\"net.ipv4.ip_unprivileged_port_start\", "},
	{"spec.maskedPaths", "[]",
	 "spec.maskedPaths: lacks \"/proc/base-masked\""},
	{"spec.maskedPaths", NULL,
	 "spec.maskedPaths: lacks \"/proc/base-masked\""},
	/* A path beneath base's does not cover it. */
	{"spec.readonlyPaths", "[\"/proc/base-ro/sub\"]",
	 "spec.readonlyPaths: lacks \"/proc/base-ro\""},
	{"spec.readonlyRootfs", "false",
	 "spec.readonlyRootfs: false, not true"},
	{"spec.readonlyRootfs", NULL, "spec.readonlyRootfs: false, not true"},
	{"exec.allow", "true", "exec.allow: true, not false"},
	{"exec", NULL, "exec.allow: true, not false"},
	{"host.anyHostPath", "true", "host.anyHostPath: true, not false"},
	{"host.writableSysfs", "true", "host.writableSysfs: true, not false"},
	{"host.unconfinedAppArmor", "true",
	 "host.unconfinedAppArmor: true, not false"},
	{"host.namespaces", "[\"network\"]", "host.namespaces: adds network"},
};

static void test_weaker_in_one_dimension_refused(void)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(weaker_cases); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *b = variant("base", NULL, NULL);
		_cleanup_json_ json_t *s = variant("sel", weaker_cases[i].key,
						   weaker_cases[i].value);
		char want[256];
		unsigned n = compare_texts(b, s, &err);

		snprintf(want, sizeof(want),
			 "p.json: selectable[0]: policy \"sel\" is weaker "
			 "than \"base\" in %s",
			 weaker_cases[i].message);
		/* The message starts with the dimension and its detail. */
		if (n != 1 || strncmp(err.msg, want, strlen(want)) != 0)
			printf("  case %zu (%s): %u errors, \"%s\"\n", i,
			       weaker_cases[i].key, n, err.msg);
		CHECK(n == 1);
		CHECK(strncmp(err.msg, want, strlen(want)) == 0);
	}
}

static void test_each_weaker_dimension_reported(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *b = variant("base", NULL, NULL);
	_cleanup_json_ json_t *s = variant("sel", NULL, NULL);

	json_object_set_new(json_object_get(s, "exec"), "allow", json_true());
	json_object_set_new(json_object_get(s, "user"), "root",
			    json_string("remap"));
	json_object_del(json_object_get(s, "spec"), "allowedSysctls");
	CHECK(compare_texts(b, s, &err) == 3);
}

/* --- equal and stricter accepted -----------------------------------------
 */

static void test_equal_policy_accepted(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *b = variant("base", NULL, NULL);
	_cleanup_json_ json_t *s = variant("sel", NULL, NULL);

	CHECK(compare_texts(b, s, &err) == 0);
}

static void test_stricter_policy_accepted(void)
{
	static const char *const stricter[][2] = {
		{"capabilities.ceiling", "[\"CAP_KILL\"]"},
		{"spec.requiredNamespaces",
		 "[\"pid\", \"network\", \"mount\", \"ipc\", \"uts\", "
		 "\"cgroup\", \"user\"]"},
		{"spec.mountTypes", "[\"proc\"]"},
		/* Beneath base's grants, and read-write only beneath a
		 * read-write one; a grant of /srv/cache made read-only by a
		 * parent listed first. */
		{"spec.hostPaths",
		 "[{\"path\": \"/data/sub\"},"
		 " {\"path\": \"/scratch/x\", \"readOnly\": false},"
		 " {\"path\": \"/srv\"},"
		 " {\"path\": \"/srv/cache\", \"readOnly\": false}]"},
		{"spec.allowedSysctls", "[\"kernel.shm_rmid_forced\"]"},
		{"spec.maskedPaths", "[\"/proc/base-masked\", \"/proc/more\"]"},
		/* A parent covers what it holds. */
		{"spec.readonlyPaths", "[\"/proc\"]"},
	};
	struct hs_error err = {0};
	_cleanup_json_ json_t *b = variant("base", NULL, NULL);
	_cleanup_json_ json_t *s = variant("sel", NULL, NULL);
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(stricter); i++) {
		const char *dot = strchr(stricter[i][0], '.');
		char first[64];

		snprintf(first, sizeof(first), "%.*s",
			 (int)(dot - stricter[i][0]), stricter[i][0]);
		json_object_set_new(
			json_object_get(s, first), dot + 1,
			json_loads(stricter[i][1], JSON_DECODE_ANY, NULL));
	}
	CHECK(compare_texts(b, s, &err) == 0);
	/* And the other way round, base is weaker in each of them. */
	CHECK(compare_texts(s, b, &err) == HS_ARRAY_SIZE(stricter));
}

/* Defaults against the lists they stand for. */
static void test_defaults_compared_as_effective(void)
{
	static const char minimal[] =
		"{\"name\": \"m\", \"seccomp\": \"p.json\", \"capabilities\": "
		"{\"ceiling\": []}}";
	struct hs_error err = {0};
	_cleanup_json_ json_t *b =
		json_loads(minimal, JSON_REJECT_DUPLICATES, NULL);
	_cleanup_json_ json_t *s =
		json_loads(minimal, JSON_REJECT_DUPLICATES, NULL);
	_cleanup_json_ json_t *safe = json_pack("{s:[s,s]}", "allowedSysctls",
						"net.ipv4.tcp_keepalive_time",
						"kernel.shm_rmid_forced");

	CHECK(compare_texts(b, s, &err) == 0);
	/* Two of the safe set, listed: narrower than the default. */
	json_object_set(s, "spec", safe);
	CHECK(compare_texts(b, s, &err) == 0);
	CHECK(hs_default_safe_sysctls[0] != NULL);
}

/* --- seccomp: resolved profiles (pure) -------------------------------------
 */

#define ARCH "\"architectures\": [\"SCMP_ARCH_X86_64\"]"
#define COMMON                                                                 \
	"{\"names\": [\"read\", \"write\", \"close\"], \"action\": "           \
	"\"SCMP_ACT_ALLOW\"},"                                                 \
	"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": " \
	"[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"            \
	"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", "           \
	"\"errnoRet\": 97, \"args\": [{\"index\": 0, \"value\": 16, \"op\": "  \
	"\"SCMP_CMP_EQ\"}]}"
#define ERRNO_DEFAULT "\"defaultAction\": \"SCMP_ACT_ERRNO\", "
#define PTRACE(action) ",{\"names\": [\"ptrace\"], \"action\": \"" action "\"}"

static const char base_profile[] =
	"{" ERRNO_DEFAULT ARCH
	", \"syscalls\": [" COMMON PTRACE("SCMP_ACT_ERRNO") "]}";

/* An allowing default: base denies ptrace, and socket(AF_NETLINK). */
static const char allow_default_base[] =
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", " ARCH ", \"syscalls\": ["
	"{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	"{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	"[{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_EQ\"}]}]}";

static const struct {
	const char *base, *sel;
	enum hs_widening facet;
	const char *detail;
} seccomp_cases[] = {
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH
	 ", \"syscalls\": [" COMMON PTRACE("SCMP_ACT_ALLOW") "]}",
	 HS_WIDEN_SYSCALLS, "allows \"ptrace\""},
	/* LOG and TRACE let the call run. */
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH
	 ", \"syscalls\": [" COMMON PTRACE("SCMP_ACT_LOG") "]}",
	 HS_WIDEN_SYSCALLS, "allows \"ptrace\""},
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH
	 ", \"syscalls\": [" COMMON PTRACE("SCMP_ACT_TRACE") "]}",
	 HS_WIDEN_SYSCALLS, "allows \"ptrace\""},
	/* Unconditional where base has conditions. */
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH ", \"syscalls\": [{\"names\": [\"socket\"], "
	 "\"action\": \"SCMP_ACT_ALLOW\"}]}",
	 HS_WIDEN_SYSCALLS, "allows \"socket\""},
	/* Other conditions than base's. */
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH ", \"syscalls\": [{\"names\": [\"socket\"], "
	 "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
	 "\"value\": 16, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	 HS_WIDEN_SYSCALLS, "allows \"socket\""},
	/* An unconditional rule with the default's effect is one runc skips:
	 * it does not swallow the conditional ALLOW. */
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH ", \"syscalls\": [{\"names\": [\"mount\"], "
	 "\"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"mount\"], "
	 "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 3, "
	 "\"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	 HS_WIDEN_SYSCALLS, "allows \"mount\""},
	{base_profile,
	 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", " ARCH ", \"syscalls\": "
	 "[" COMMON PTRACE("SCMP_ACT_ERRNO") "]}",
	 HS_WIDEN_DEFAULT,
	 "SCMP_ACT_ALLOW runs every syscall it does not name, where the "
	 "other's is SCMP_ACT_ERRNO(1)"},
	{base_profile,
	 "{" ERRNO_DEFAULT "\"architectures\": [\"SCMP_ARCH_X86_64\", "
	 "\"SCMP_ARCH_X86\"], \"syscalls\": [" COMMON PTRACE(
		 "SCMP_ACT_ERRNO") "]}",
	 HS_WIDEN_ARCHES, "adds \"SCMP_ARCH_X86\""},
	{base_profile,
	 "{" ERRNO_DEFAULT ARCH ", \"flags\": "
	 "[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": [" COMMON PTRACE(
		 "SCMP_ACT_ERRNO") "]}",
	 HS_WIDEN_FLAGS, "adds \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""},
	/* Both allow by default: sel must deny what base denies. */
	{allow_default_base,
	 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", " ARCH ", \"syscalls\": "
	 "[{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	 HS_WIDEN_SYSCALLS, "allows \"socket\""},
};

static int widening(const char *base, const char *sel,
		    struct hs_profile_widening *w)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *b = json_loads(base, 0, NULL);
	_cleanup_json_ json_t *s = json_loads(sel, 0, NULL);

	if (!b || !s)
		return -2;
	return hs_profile_find_widening(b, s, w, &err);
}

static void test_seccomp_weaker_refused(void)
{
	size_t i, f;

	for (i = 0; i < HS_ARRAY_SIZE(seccomp_cases); i++) {
		struct hs_profile_widening w;

		CHECK(widening(seccomp_cases[i].base, seccomp_cases[i].sel,
			       &w) == 0);
		if (strcmp(w.detail[seccomp_cases[i].facet],
			   seccomp_cases[i].detail) != 0)
			printf("  case %zu: \"%s\"\n", i,
			       w.detail[seccomp_cases[i].facet]);
		CHECK_STR(w.detail[seccomp_cases[i].facet],
			  seccomp_cases[i].detail);
		/* Only the default case is wider in two facets. */
		for (f = 0; f < HS_WIDEN_N; f++)
			CHECK(f == seccomp_cases[i].facet ||
			      (seccomp_cases[i].facet == HS_WIDEN_DEFAULT &&
			       f == HS_WIDEN_SYSCALLS) ||
			      w.detail[f][0] == '\0');
	}
}

static void test_seccomp_equal_and_stricter_accepted(void)
{
	static const char *const ok[][2] = {
		{base_profile, base_profile},
		/* Fewer allowed, KILL for ERRNO, another errno, ENOSYS for
		 * socket, a harsher default. */
		{base_profile,
		 "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", " ARCH
		 ", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\"}, {\"names\": [\"socket\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"errnoRet\": 38}" PTRACE(
			 "SCMP_ACT_KILL") "]}"},
		/* Both allow by default; sel denies more, with another
		 * errno for the same condition. */
		{allow_default_base,
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", " ARCH
		 ", \"syscalls\": [{\"names\": [\"ptrace\", \"bpf\"], "
		 "\"action\": \"SCMP_ACT_KILL\"}, {\"names\": [\"socket\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"args\": "
		 "[{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_EQ\"}]}]}"},
		/* An allowing base lets sel deny by default. (base_profile
		 * would be refused: its socket(AF_UNIX) rule is not base's,
		 * and conditions are compared as written.) */
		{allow_default_base,
		 "{" ERRNO_DEFAULT ARCH ", \"syscalls\": [{\"names\": "
		 "[\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"},
	};
	size_t i, f;

	for (i = 0; i < HS_ARRAY_SIZE(ok); i++) {
		struct hs_profile_widening w;

		CHECK(widening(ok[i][0], ok[i][1], &w) == 0);
		for (f = 0; f < HS_WIDEN_N; f++) {
			if (w.detail[f][0])
				printf("  case %zu: %s: %s\n", i,
				       hs_profile_widening_names[f],
				       w.detail[f]);
			CHECK(w.detail[f][0] == '\0');
		}
	}
}

/* --- files: profiles by bounding set, networks, the shipped policies -------
 */

static int write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "we");
	if (!f)
		return -1;
	r = fputs(text, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

static int copy_in(const char *from, const char *name)
{
	_cleanup_free_ char *buf = malloc(1u << 20);
	FILE *in = fopen(from, "re");
	size_t n;

	if (!in || !buf) {
		if (in)
			fclose(in);
		return -1;
	}
	n = fread(buf, 1, (1u << 20) - 1, in);
	fclose(in);
	buf[n] = '\0';
	return write_file(name, buf);
}

/* Loads scratch/BASE.json and scratch/SEL.json and compares them with
 * the seccomp profiles; returns the error count. */
static unsigned compare_files(const char *base_name, const char *sel_name,
			      struct hs_error *err)
{
	struct hs_policy base, sel;
	char b[256], s[256];
	unsigned before = err->count;

	snprintf(b, sizeof(b), "%s/%s.json", scratch, base_name);
	snprintf(s, sizeof(s), "%s/%s.json", scratch, sel_name);
	if (hs_policy_load_file(b, &base, err) < 0)
		return 1000;
	if (hs_policy_load_file(s, &sel, err) < 0) {
		hs_policy_free(&base);
		return 1000;
	}
	hs_policy_check_not_weaker(&base, &sel, "base.json", "selectable[0]",
				   HS_POLICY_COMPARE_SECCOMP, err);
	hs_policy_free(&base);
	hs_policy_free(&sel);
	return err->count - before;
}

#define POLICY(name, profile, extra)                              \
	"{\"name\": \"" name "\", \"seccomp\": \"" profile "\", " \
	"\"capabilities\": {\"ceiling\": [\"CAP_KILL\", "         \
	"\"CAP_SYSLOG\"]}" extra "}"

/* base allows syslog only to a container holding CAP_SYSLOG; compared at
 * the full ceilings alone, an unconditional allow would look the same. */
static void test_seccomp_compared_for_every_bounding_set(void)
{
	struct hs_error err = {0};

	CHECK(write_file("cap-base.json",
			 POLICY("cap-base", "cap-base-profile.json", "")) == 0);
	CHECK(write_file("cap-sel.json",
			 POLICY("cap-sel", "cap-sel-profile.json", "")) == 0);
	CHECK(write_file("cap-same.json",
			 POLICY("cap-same", "cap-base-profile.json", "")) == 0);
	CHECK(write_file(
		      "cap-base-profile.json",
		      "{" ERRNO_DEFAULT "\"syscalls\": ["
		      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		      "{\"names\": [\"syslog\"], \"action\": "
		      "\"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": "
		      "[\"CAP_SYSLOG\"]}}]}") == 0);
	CHECK(write_file("cap-sel-profile.json",
			 "{" ERRNO_DEFAULT "\"syscalls\": ["
			 "{\"names\": [\"read\", \"syslog\"], \"action\": "
			 "\"SCMP_ACT_ALLOW\"}]}") == 0);
	CHECK(compare_files("cap-base", "cap-sel", &err) == 1);
	CHECK_STR(err.msg,
		  "base.json: selectable[0]: policy \"cap-sel\" is weaker than "
		  "\"cap-base\" in seccomp.syscalls: allows \"syslog\", for a "
		  "container holding none of CAP_SYSLOG");
	/* The same profile, and the other way round, are fine. */
	CHECK(compare_files("cap-base", "cap-same", &err) == 0);
	CHECK(compare_files("cap-sel", "cap-base", &err) == 0);
}

static void test_network_compared_by_content(void)
{
	struct hs_error err = {0};

	CHECK(write_file("np-a.json", "{\"policyTypes\": [\"Egress\"]}") == 0);
	CHECK(write_file("np-copy.json",
			 "{ \"policyTypes\" : [ \"Egress\" ] }\n") == 0);
	CHECK(write_file("np-open.json", "{\"policyTypes\": []}") == 0);
	CHECK(write_file("net-base.json",
			 POLICY("net-base", "cap-base-profile.json",
				", \"network\": \"np-a.json\"")) == 0);
	CHECK(write_file("net-same.json",
			 POLICY("net-same", "cap-base-profile.json",
				", \"network\": \"np-a.json\"")) == 0);
	CHECK(write_file("net-copy.json",
			 POLICY("net-copy", "cap-base-profile.json",
				", \"network\": \"np-copy.json\"")) == 0);
	CHECK(write_file("net-open.json",
			 POLICY("net-open", "cap-base-profile.json",
				", \"network\": \"np-open.json\"")) == 0);
	CHECK(write_file("net-none.json",
			 POLICY("net-none", "cap-base-profile.json", "")) == 0);
	CHECK(compare_files("net-base", "net-same", &err) == 0);
	CHECK(compare_files("net-base", "net-copy", &err) == 0);
	/* No network policy where base has one is weaker; none in base
	 * leaves sel free to add one. */
	CHECK(compare_files("net-base", "net-none", &err) == 1);
	CHECK_CONTAINS(err.msg, "\"net-none\" is weaker than \"net-base\" in "
				"network: none, where \"net-base\" has ");
	CHECK(compare_files("net-none", "net-base", &err) == 0);
	err = (struct hs_error){0};
	CHECK(compare_files("net-base", "net-open", &err) == 1);
	CHECK_CONTAINS(err.msg, "in network: ");
	CHECK_CONTAINS(err.msg, "np-open.json\" differs from ");
}

/* The shipped pair: tenant-default lists tenant-batch, which must be as
 * strict in every dimension; the other way round it is not. */
static void test_shipped_policies(void)
{
	struct hs_error err = {0};
	struct hs_policy def, batch;

	CHECK(hs_policy_load_file("policies/tenant-default.json", &def, &err) ==
	      0);
	CHECK(hs_policy_load_file("policies/tenant-batch.json", &batch, &err) ==
	      0);
	CHECK(hs_policy_check_not_weaker(&def, &batch, "d", "selectable[0]",
					 HS_POLICY_COMPARE_SECCOMP, &err) == 0);
	CHECK(err.count == 0);
	CHECK(hs_policy_check_not_weaker(&batch, &def, "b", "selectable[0]",
					 HS_POLICY_COMPARE_SECCOMP, &err) < 0);
	/* ceiling, user.root, readonlyRootfs, exec.allow, and the mknod,
	 * mknodat and personality the batch profile refuses. */
	CHECK(err.count == 5);
	hs_policy_free(&def);
	hs_policy_free(&batch);
}

/* The issue: tenant-batch as it was, without allowedSysctls or
 * maskedPaths, accepted a sysctl tenant-default refuses. */
static void test_issue_tenant_batch_refused(void)
{
	struct hs_error err = {0};

	CHECK(copy_in("policies/tenant-default.json", "tenant-default.json") ==
	      0);
	CHECK(write_file("old-batch.json",
			 "{\"name\": \"old-batch\", \"seccomp\": "
			 "\"seccomp/tenant-batch.json\", \"capabilities\": "
			 "{\"ceiling\": [\"CAP_KILL\"]}, \"user\": {\"root\": "
			 "\"refuse\"}, \"spec\": {\"readonlyRootfs\": true}, "
			 "\"exec\": {\"allow\": false}, \"network\": "
			 "\"netpol/tenant-isolated.json\"}") == 0);
	CHECK(compare_files("tenant-default", "old-batch", &err) == 2);
	CHECK_CONTAINS(err.msg, "\"old-batch\" is weaker than "
				"\"tenant-default\" in spec.allowedSysctls: "
				"allows \"net.ipv4.ip_local_reserved_ports\"");
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* scratch: policies/'s seccomp and netpol folders, for the shipped
 * profiles the issue's policy names. */
static int setup(void)
{
	static const char *const dirs[] = {"seccomp", "netpol"};
	static const char *const files[] = {
		"seccomp/tenant-default.json",
		"seccomp/tenant-batch.json",
		"netpol/tenant-isolated.json",
	};
	char path[256];
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, dirs[i]);
		if (mkdir(path, 0755) < 0)
			return -1;
	}
	for (i = 0; i < HS_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "policies/%s", files[i]);
		if (copy_in(path, files[i]) < 0)
			return -1;
	}
	return 0;
}

int main(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hs-compare-XXXXXX");
	if (!mkdtemp(scratch) || setup() < 0) {
		printf("FAIL setup: %s\n", scratch);
		return 1;
	}
	RUN(test_weaker_in_one_dimension_refused);
	RUN(test_each_weaker_dimension_reported);
	RUN(test_equal_policy_accepted);
	RUN(test_stricter_policy_accepted);
	RUN(test_defaults_compared_as_effective);
	RUN(test_seccomp_weaker_refused);
	RUN(test_seccomp_equal_and_stricter_accepted);
	RUN(test_seccomp_compared_for_every_bounding_set);
	RUN(test_network_compared_by_content);
	RUN(test_shipped_policies);
	RUN(test_issue_tenant_batch_refused);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
