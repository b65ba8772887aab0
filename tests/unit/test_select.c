/* shim/select.c: which tenant policy a container gets. The namespace the
 * engine records picks it (no match: the default, never "unconfined"); a
 * pod annotation may only pick a policy the tenant's own policy lists as
 * selectable. The config is tests/data/configs/select.json over a copy of
 * policies/ in a scratch directory. */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_select.h"
#include "hs_spec.h"
#include "hs_test.h"

#define CRI HS_ANNOTATION_CRI_NAMESPACE
#define CRIO HS_ANNOTATION_CRIO_NAMESPACE
#define SELECT HS_ANNOTATION_SELECT

static char scratch[64];
static struct hs_config cfg;

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
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

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -1;
	r = fputs(text, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

/* scratch/policies: a copy of policies/ and team-a.json, whose selectable
 * list names a policy that does not exist and one weaker than team-a. */
static int setup(void)
{
	static const char *const files[] = {
		"tenant-default.json",
		"tenant-batch.json",
		"seccomp/tenant-default.json",
		"seccomp/tenant-batch.json",
	};
	struct hs_error err = {0};
	char path[256], from[256];
	json_t *j;
	size_t i;
	int r;

	snprintf(path, sizeof(path), "%s/policies", scratch);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/policies/seccomp", scratch);
	if (mkdir(path, 0755) < 0)
		return -1;
	for (i = 0; i < HS_ARRAY_SIZE(files); i++) {
		snprintf(from, sizeof(from), "policies/%s", files[i]);
		snprintf(path, sizeof(path), "%s/policies/%s", scratch,
			 files[i]);
		if (copy_file(from, path) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/policies/team-a.json", scratch);
	if (write_text(path,
		       "{\"name\": \"team-a\", \"seccomp\": "
		       "\"seccomp/tenant-default.json\", \"capabilities\": "
		       "{\"ceiling\": [\"CAP_KILL\"]}, \"selectable\": "
		       "[\"tenant-batch\", \"missing-policy\", \"wide\"]}\n") <
	    0)
		return -1;
	/* Selectable by team-a, and weaker than it in two dimensions. */
	snprintf(path, sizeof(path), "%s/policies/wide.json", scratch);
	if (write_text(path,
		       "{\"name\": \"wide\", \"seccomp\": "
		       "\"seccomp/tenant-default.json\", \"capabilities\": "
		       "{\"ceiling\": [\"CAP_KILL\", \"CAP_NET_RAW\"]}, "
		       "\"spec\": {\"allowedSysctls\": "
		       "[\"net.ipv4.ip_forward\"]}}\n") < 0)
		return -1;
	j = hs_json_load_path("tests/data/configs/select.json",
			      HS_POLICY_MAX_BYTES, &err);
	if (!j)
		goto fail;
	r = hs_config_parse(j, "select.json", scratch, &cfg, &err);
	json_decref(j);
	if (r == 0)
		return 0;
fail:
	printf("FAIL setup: %s\n", err.msg);
	return -1;
}

/* --- the tenant --------------------------------------------------------- */

static void test_no_annotations_default(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *empty = json_object();
	const char *policy = NULL, *ns = "x";

	CHECK(hs_select_tenant(&cfg, NULL, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-default");
	CHECK(ns == NULL);
	ns = "x";
	CHECK(hs_select_tenant(&cfg, empty, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-default");
	CHECK(ns == NULL);
}

static void test_namespace_glob_match(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *cri = json_pack("{s:s}", CRI, "batch-42");
	_cleanup_json_ json_t *crio = json_pack("{s:s}", CRIO, "batch-7");
	const char *policy = NULL, *ns = NULL;

	CHECK(hs_select_tenant(&cfg, cri, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-batch");
	CHECK_STR(ns, "batch-42");
	CHECK(hs_select_tenant(&cfg, crio, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-batch");
	CHECK_STR(ns, "batch-7");
}

static void test_first_matching_rule_wins(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s}", CRI, "team-b");
	_cleanup_json_ json_t *b = json_pack("{s:s}", CRI, "team-bb");
	const char *policy = NULL, *ns = NULL;

	/* "team-?" comes before "team-*". */
	CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "team-a");
	CHECK(hs_select_tenant(&cfg, b, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-batch");
}

static void test_no_matching_rule_default(void)
{
	static const char *const names[] = {"prod", "xbatch-1", "batch", "",
					    "BATCH-1"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(names); i++) {
		struct hs_error err = {0};
		_cleanup_json_ json_t *a = json_pack("{s:s}", CRI, names[i]);
		const char *policy = NULL, *ns = NULL;

		CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) == 0);
		CHECK_STR(policy, "tenant-default");
		CHECK_STR(ns, names[i]);
	}
}

static void test_engines_agree(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s,s:s}", CRI, "batch-1", CRIO, "batch-1");
	const char *policy = NULL, *ns = NULL;

	CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) == 0);
	CHECK_STR(policy, "tenant-batch");
}

static void test_engines_disagree_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s,s:s}", CRI, "batch-1", CRIO, "team-a");
	const char *policy = "untouched", *ns = "untouched";

	CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) < 0);
	CHECK(err.errnum == EINVAL);
	CHECK_STR(err.msg, "annotations name two namespaces (\"batch-1\" and "
			   "\"team-a\"), refused");
	CHECK_STR(policy, "untouched");
}

static void test_namespace_not_string(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:i}", CRI, 1);
	_cleanup_json_ json_t *b = json_pack("{s:[s]}", CRIO, "batch-1");
	const char *policy = NULL, *ns = NULL;

	CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) < 0);
	CHECK_STR(err.msg, "annotation \"io.kubernetes.cri.sandbox-namespace\" "
			   "must be a string");
	memset(&err, 0, sizeof(err));
	CHECK(hs_select_tenant(&cfg, b, &policy, &ns, &err) < 0);
	CHECK_STR(err.msg, "annotation \"io.kubernetes.pod.namespace\" must be "
			   "a string");
}

static void test_annotations_not_object(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("[s]", "batch-1");
	const char *policy = NULL, *ns = NULL;

	CHECK(hs_select_tenant(&cfg, a, &policy, &ns, &err) < 0);
	CHECK_STR(err.msg, "annotations must be an object");
}

/* --- the policy ------------------------------------------------------------
 */

static void test_policy_default(void)
{
	struct hs_error err = {0};
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, NULL, &p, &err) == 0);
	CHECK_STR(p.name, "tenant-default");
	hs_policy_free(&p);
}

static void test_policy_by_namespace(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s}", CRI, "batch-9");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) == 0);
	CHECK_STR(p.name, "tenant-batch");
	CHECK(p.readonly_rootfs);
	hs_policy_free(&p);
}

static void test_select_annotation_selectable(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s}", SELECT, "tenant-batch");
	_cleanup_json_ json_t *b =
		json_pack("{s:s,s:s}", CRI, "team-x", SELECT, "tenant-batch");
	struct hs_policy p;

	/* tenant-default lists tenant-batch. */
	CHECK(hs_select_policy(&cfg, a, &p, &err) == 0);
	CHECK_STR(p.name, "tenant-batch");
	hs_policy_free(&p);
	/* team-a does too. */
	CHECK(hs_select_policy(&cfg, b, &p, &err) == 0);
	CHECK_STR(p.name, "tenant-batch");
	hs_policy_free(&p);
}

/* A selectable policy weaker than the tenant's is refused, naming the
 * dimension; nothing is returned to harden with. */
static void test_select_weaker_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s,s:s}", CRI, "team-x", SELECT, "wide");
	struct hs_policy p = {0};

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK(p.json == NULL);
	CHECK(err.count == 2);
	CHECK_CONTAINS(err.msg, "annotation hardshim.dev/select-policy: policy "
				"\"wide\" refused: ");
	CHECK_CONTAINS(err.msg, "/policies/team-a.json: selectable[2]: policy "
				"\"wide\" is weaker than \"team-a\" in "
				"capabilities.ceiling: adds CAP_NET_RAW");
}

static void test_select_annotation_self(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s,s:s}", CRI, "batch-1", SELECT, "tenant-batch");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) == 0);
	CHECK_STR(p.name, "tenant-batch");
	hs_policy_free(&p);
}

static void test_select_not_selectable_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s,s:s}", CRI, "batch-7",
					     SELECT, "tenant-default");
	struct hs_policy p;

	/* tenant-batch lists nothing: its tenants cannot widen to default. */
	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK(err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "not list as selectable");
	CHECK_STR(err.msg, "annotation hardshim.dev/select-policy asks for "
			   "policy \"tenant-default\", which policy "
			   "\"tenant-batch\" of namespace \"batch-7\" does "
			   "not list as selectable, refused");
}

static void test_select_no_namespace_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s}", SELECT, "team-a");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "which policy \"tenant-default\" of namespace "
				"\"(none)\" does not list as selectable");
}

static void test_select_path_name_refused(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s}", SELECT, "../../../etc/hardshim/privileged");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "not list as selectable");
}

static void test_select_annotation_not_string(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:b}", SELECT, 1);
	_cleanup_json_ json_t *b = json_pack("{s:[s]}", SELECT, "tenant-batch");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK_STR(err.msg,
		  "annotation \"hardshim.dev/select-policy\" must be a "
		  "string");
	memset(&err, 0, sizeof(err));
	CHECK(hs_select_policy(&cfg, b, &p, &err) < 0);
	CHECK(err.count == 1);
	CHECK_CONTAINS(err.msg, "must be a string");
}

static void test_selectable_but_missing_policy(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a =
		json_pack("{s:s,s:s}", CRI, "team-q", SELECT, "missing-policy");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "/policies/missing-policy.json: ");
}

static void test_unknown_policy_in_config(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *a = json_pack("{s:s}", CRIO, "ghost-town");
	struct hs_policy p;

	CHECK(hs_select_policy(&cfg, a, &p, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "/policies/no-such-policy.json: No such file");
}

static void test_unknown_default_policy(void)
{
	struct hs_error err = {0};
	struct hs_config other;
	struct hs_policy p;
	json_t *j = json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "policyDir", "policies", "defaultPolicy",
			      "strictest");
	int r;

	CHECK(j != NULL);
	CHECK(hs_config_parse(j, "c.json", scratch, &other, &err) == 0);
	json_decref(j);
	r = hs_select_policy(&other, NULL, &p, &err);
	hs_config_free(&other);
	CHECK(r < 0);
	CHECK_CONTAINS(err.msg, "/policies/strictest.json: ");
}

int main(void)
{
	int ok;

	snprintf(scratch, sizeof(scratch), "/tmp/hs-select-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	ok = setup() == 0;
	if (ok) {
		RUN(test_no_annotations_default);
		RUN(test_namespace_glob_match);
		RUN(test_first_matching_rule_wins);
		RUN(test_no_matching_rule_default);
		RUN(test_engines_agree);
		RUN(test_engines_disagree_refused);
		RUN(test_namespace_not_string);
		RUN(test_annotations_not_object);
		RUN(test_policy_default);
		RUN(test_policy_by_namespace);
		RUN(test_select_annotation_selectable);
		RUN(test_select_weaker_refused);
		RUN(test_select_annotation_self);
		RUN(test_select_not_selectable_refused);
		RUN(test_select_no_namespace_refused);
		RUN(test_select_path_name_refused);
		RUN(test_select_annotation_not_string);
		RUN(test_selectable_but_missing_policy);
		RUN(test_unknown_policy_in_config);
		RUN(test_unknown_default_policy);
		hs_config_free(&cfg);
	}
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!ok)
		return 1;
	TEST_EXIT();
}
