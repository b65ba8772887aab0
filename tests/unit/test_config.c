/* shim/config.c: the global config. Every key checked, the runtime an
 * absolute path, policy names bounded, relative paths resolved against the
 * config's own directory. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cache.h"
#include "hs_cleanup.h"
#include "hs_config.h"
#include "hs_test.h"

#define DIR_ "/etc/hardshim"

static char scratch[64];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Parses `json` (stolen) as "config.json" in DIR_. */
static int parse(json_t *json, struct hs_config *cfg, struct hs_error *err)
{
	int r;

	if (!json)
		return hs_err(err, ENOMEM, "json_pack failed");
	r = hs_config_parse(json, "config.json", DIR_, cfg, err);
	json_decref(json);
	return r;
}

static void test_valid_config(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s, s:s, s:s, s:[{s:s,s:s},{s:s,s:s}], s:i}",
			      "comment", "x", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "tenant-default", "tenants",
			      "namespace", "batch-*", "policy", "tenant-batch",
			      "namespace", "team-a", "policy", "tenant-a.v2",
			      "hookTimeout", 10),
		    &cfg, &err) == 0);
	CHECK(err.count == 0);
	CHECK_STR(cfg.runtime, "/usr/sbin/runc");
	CHECK_STR(cfg.default_policy, "tenant-default");
	CHECK_STR(cfg.policy_dir, DIR_ "/."); /* default "." */
	CHECK(cfg.n_tenants == 2);
	CHECK_STR(cfg.tenants[0].namespace_glob, "batch-*");
	CHECK_STR(cfg.tenants[0].policy, "tenant-batch");
	CHECK_STR(cfg.tenants[1].policy, "tenant-a.v2");
	CHECK(cfg.hook_timeout == 10);
	CHECK_STR(cfg.decision_log, "");
	hs_config_free(&cfg);
	CHECK(cfg.json == NULL);
}

static void test_defaults(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "/usr/bin/crun",
			      "defaultPolicy", "strict"),
		    &cfg, &err) == 0);
	CHECK(cfg.hook_timeout == HS_HOOK_TIMEOUT_DEFAULT);
	CHECK(cfg.n_tenants == 0);
	hs_config_free(&cfg);
}

static void test_takes_a_reference(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	json_t *j = json_pack("{s:s,s:s}", "runtime", "/usr/bin/crun",
			      "defaultPolicy", "strict");

	CHECK(j != NULL);
	CHECK(hs_config_parse(j, "config.json", DIR_, &cfg, &err) == 0);
	json_decref(j); /* the config keeps its own */
	CHECK_STR(cfg.runtime, "/usr/bin/crun");
	hs_config_free(&cfg);
}

static void test_missing_runtime(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s}", "defaultPolicy", "tenant-default"), &cfg,
		    &err) < 0);
	CHECK_STR(err.msg, "config.json: runtime: required, missing");
	CHECK(cfg.json == NULL);
}

static void test_relative_runtime(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "runc", "defaultPolicy",
			      "tenant-default"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg,
		  "config.json: runtime: \"runc\" must be an absolute path");
	memset(&err, 0, sizeof(err));
	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "./bin/runc",
			      "defaultPolicy", "tenant-default"),
		    &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "\"./bin/runc\" must be an absolute path");
}

static void test_runtime_wrong_type(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:[s],s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "tenant-default"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: runtime: must be a string");
}

static void test_bad_default_policy_names(void)
{
	static const char *const bad[] = {"../x", "",	 "A",	"Tenant",
					  "-x",	  "a/b", "a b", ".hidden"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		struct hs_config cfg;
		char want[128];

		CHECK(parse(json_pack("{s:s,s:s}", "runtime", "/usr/sbin/runc",
				      "defaultPolicy", bad[i]),
			    &cfg, &err) < 0);
		snprintf(want, sizeof(want),
			 "config.json: defaultPolicy: \"%s\" is not a policy "
			 "name",
			 bad[i]);
		CHECK_CONTAINS(err.msg, want);
	}
}

static void test_missing_default_policy(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s}", "runtime", "/usr/sbin/runc"), &cfg,
		    &err) < 0);
	CHECK_STR(err.msg, "config.json: defaultPolicy: required, missing");
}

static void test_bad_tenant_policy_name(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "runtime",
			      "/usr/sbin/runc", "defaultPolicy", "d", "tenants",
			      "namespace", "a-*", "policy", "../../etc/shadow"),
		    &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "config.json: tenants[0].policy: "
				"\"../../etc/shadow\" is not a policy name");
}

static void test_unknown_key(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "policyDirectory", "/p"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: policyDirectory: unknown key");
}

static void test_tenants_not_an_array(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:{s:s}}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "tenants", "batch-*",
			      "tenant-batch"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants: must be an array");
}

static void test_tenant_entry_not_object(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:[s]}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "tenants", "batch-*"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants[0]: must be an object");
}

static void test_tenant_missing_namespace(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:[{s:s,s:s},{s:s}]}", "runtime",
			      "/usr/sbin/runc", "defaultPolicy", "d", "tenants",
			      "namespace", "a", "policy", "p", "policy", "p"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants[1].namespace: required, "
			   "missing");
}

static void test_tenant_missing_policy_and_unknown_key(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:[{s:s}]}", "runtime",
			      "/usr/sbin/runc", "defaultPolicy", "d", "tenants",
			      "namespace", "a"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants[0].policy: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse(json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "runtime",
			      "/usr/sbin/runc", "defaultPolicy", "d", "tenants",
			      "namespace", "a", "policy", "p", "namepsace",
			      "b"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants[0].namepsace: unknown key");
}

static void test_too_many_tenants(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	json_t *list = json_array();
	size_t i;

	for (i = 0; i <= HS_CONFIG_MAX_TENANTS; i++)
		json_array_append_new(list, json_pack("{s:s,s:s}", "namespace",
						      "x", "policy", "p"));
	CHECK(parse(json_pack("{s:s,s:s,s:o}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "tenants", list),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: tenants: 1025 rules, more than the "
			   "limit of 1024");
}

static void test_hook_timeout_out_of_range(void)
{
	static const int bad[] = {0, -1, HS_HOOK_TIMEOUT_MAX + 1, 3600};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		struct hs_config cfg;
		char want[128];

		CHECK(parse(json_pack("{s:s,s:s,s:i}", "runtime",
				      "/usr/sbin/runc", "defaultPolicy", "d",
				      "hookTimeout", bad[i]),
			    &cfg, &err) < 0);
		snprintf(want, sizeof(want),
			 "config.json: hookTimeout: %d is out of range [1, 60]",
			 bad[i]);
		CHECK_STR(err.msg, want);
	}
}

static void test_hook_timeout_wrong_type(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "hookTimeout", "5"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: hookTimeout: must be an integer");
}

static void test_relative_paths_resolve_against_dir(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "policyDir", "policies",
			      "decisionLog", "log/decisions.jsonl"),
		    &cfg, &err) == 0);
	CHECK_STR(cfg.policy_dir, DIR_ "/policies");
	CHECK_STR(cfg.decision_log, DIR_ "/log/decisions.jsonl");
	hs_config_free(&cfg);
	CHECK(parse(json_pack("{s:s,s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "policyDir", "/srv/pol",
			      "decisionLog", "/var/log/hardshim.jsonl"),
		    &cfg, &err) == 0);
	CHECK_STR(cfg.policy_dir, "/srv/pol");
	CHECK_STR(cfg.decision_log, "/var/log/hardshim.jsonl");
	hs_config_free(&cfg);
}

static void test_cache_dir(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d"),
		    &cfg, &err) == 0);
	CHECK_STR(cfg.cache_dir, HS_CACHE_DEFAULT_DIR);
	hs_config_free(&cfg);
	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "cacheDir",
			      "/var/cache/hardshim"),
		    &cfg, &err) == 0);
	CHECK_STR(cfg.cache_dir, "/var/cache/hardshim");
	hs_config_free(&cfg);
}

/* engineDirs, netnsDirs and cgroupParents: the built-in defaults when
 * absent, the config's own list when present. */
static void test_engine_lists_default_and_own(void)
{
	struct hs_config cfg;
	struct hs_error err = {0};

	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d"),
		    &cfg, &err) == 0);
	CHECK(cfg.n_engine_dirs > 5);
	CHECK_STR(cfg.engine_dirs[0], "/var/lib/containerd/"
				      "io.containerd.grpc.v1.cri/sandboxes/"
				      "{sandbox}");
	CHECK(cfg.n_netns_dirs == 2);
	CHECK(cfg.n_cgroup_parents > 3);
	CHECK(cfg.n_hooks == 0);
	hs_config_free(&cfg);
	CHECK(parse(json_pack(
			    "{s:s,s:s,s:[s],s:[s],s:[s,s],s:[{s:s,s:s,s:[s]}]}",
			    "runtime", "/usr/sbin/runc", "defaultPolicy", "d",
			    "engineDirs", "/srv/engine/{id}/files", "netnsDirs",
			    "/srv/netns", "cgroupParents", "/tenants",
			    "tenants.slice", "hooks", "stage", "prestart",
			    "path", "/usr/bin/gpu-hook", "args", "gpu-hook"),
		    &cfg, &err) == 0);
	CHECK(err.count == 0);
	CHECK(cfg.n_engine_dirs == 1 && cfg.n_netns_dirs == 1 &&
	      cfg.n_cgroup_parents == 2 && cfg.n_hooks == 1);
	CHECK_STR(cfg.hooks[0].stage, "prestart");
	CHECK(json_array_size(cfg.hooks[0].args) == 1);
	hs_config_free(&cfg);
}

/* A template must grant one pod's or container's directory: a variable as
 * a whole component, and only the three known. */
static void test_engine_dirs_refused(void)
{
	static const char *const bad[] = {
		"/var/lib/containerd",
		"relative/{id}",
		"/a/../b/{id}",
		"/a/{id}x",
		"/a/{nope}",
		"/a//{id}",
		"/a/{id}/",
		"",
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_config cfg;
		struct hs_error err = {0};

		CHECK(parse(json_pack("{s:s,s:s,s:[s]}", "runtime",
				      "/usr/sbin/runc", "defaultPolicy", "d",
				      "engineDirs", bad[i]),
			    &cfg, &err) < 0);
		CHECK_CONTAINS(err.msg, "config.json: engineDirs[0]: ");
	}
}

static void test_cgroup_parents_and_hooks_refused(void)
{
	struct hs_config cfg;
	struct hs_error err = {0};

	CHECK(parse(json_pack("{s:s,s:s,s:[s,s,s],s:[s]}", "runtime",
			      "/usr/sbin/runc", "defaultPolicy", "d",
			      "cgroupParents", "kubepods", "/a/../b",
			      "x:y.slice", "netnsDirs", "netns"),
		    &cfg, &err) < 0);
	CHECK(err.count == 4);
	memset(&err, 0, sizeof(err));
	CHECK(parse(json_pack("{s:s,s:s,s:[{s:s,s:s},{s:s,s:s},{s:s}]}",
			      "runtime", "/usr/sbin/runc", "defaultPolicy", "d",
			      "hooks", "stage", "preStart", "path", "/x",
			      "stage", "prestart", "path", "x", "stage",
			      "poststop"),
		    &cfg, &err) < 0);
	CHECK(err.count == 3);
	CHECK_CONTAINS(err.msg, "hooks[0]: stage \"preStart\" is not an OCI "
				"hook stage");
}

static void test_cache_dir_relative_refused(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	/* Not resolved against the config's directory: the cache must be
	 * exactly where root said. */
	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "cacheDir", "cache"),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg,
		  "config.json: cacheDir: \"cache\" must be an absolute path");
	memset(&err, 0, sizeof(err));
	CHECK(parse(json_pack("{s:s,s:s,s:b}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "cacheDir", 0),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: cacheDir: must be a string");
}

static void test_policy_dir_wrong_type(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s,s:b}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "policyDir", 1),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: policyDir: must be a string");
}

static void test_decision_log_too_long(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char long_path[HS_PATH_MAX + 16];

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "decisionLog", long_path),
		    &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: decisionLog: path too long");
}

/* The same limit on policyDir must say why, like decisionLog does. */
static void test_policy_dir_too_long(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char long_path[HS_PATH_MAX + 16];

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK(parse(json_pack("{s:s,s:s,s:s}", "runtime", "/usr/sbin/runc",
			      "defaultPolicy", "d", "policyDir", long_path),
		    &cfg, &err) < 0);
	CHECK(err.count >= 1);
	CHECK_CONTAINS(err.msg, "policyDir");
}

static void test_not_an_object(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("[s]", "runtime"), &cfg, &err) < 0);
	CHECK_STR(err.msg, "config.json: must be a JSON object");
	CHECK(cfg.json == NULL);
}

static void test_every_error_reported(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	/* Unknown key, relative runtime, bad name, bad timeout, bad tenants:
	 * `hardshim check` shows them all at once. */
	CHECK(parse(json_pack("{s:s,s:s,s:s,s:i,s:i}", "x", "y", "runtime",
			      "runc", "defaultPolicy", "B", "hookTimeout", 99,
			      "tenants", 1),
		    &cfg, &err) < 0);
	CHECK(err.count == 5);
	CHECK_STR(err.msg, "config.json: x: unknown key");
}

static void test_policy_name_valid(void)
{
	char max[HS_POLICY_NAME_MAX + 2];

	CHECK(!hs_policy_name_valid("../x"));
	CHECK(!hs_policy_name_valid(""));
	CHECK(!hs_policy_name_valid("A"));
	CHECK(!hs_policy_name_valid("tenant-A"));
	CHECK(!hs_policy_name_valid(".x"));
	CHECK(!hs_policy_name_valid("-x"));
	CHECK(!hs_policy_name_valid("_x"));
	CHECK(!hs_policy_name_valid("a/b"));
	CHECK(!hs_policy_name_valid("a b"));
	CHECK(!hs_policy_name_valid("a\nb"));
	CHECK(!hs_policy_name_valid("tenant*"));
	memset(max, 'a', HS_POLICY_NAME_MAX + 1);
	max[HS_POLICY_NAME_MAX + 1] = '\0';
	CHECK(!hs_policy_name_valid(max)); /* 65 characters */
	max[HS_POLICY_NAME_MAX] = '\0';
	CHECK(hs_policy_name_valid(max)); /* 64 */
	CHECK(hs_policy_name_valid("a"));
	CHECK(hs_policy_name_valid("0"));
	CHECK(hs_policy_name_valid("tenant-default"));
	CHECK(hs_policy_name_valid("tenant_b.v2"));
}

static void test_config_path_env(void)
{
	char *saved = getenv("HARDSHIM_CONFIG");
	char *copy = saved ? strdup(saved) : NULL;
	const char *a, *b;
	char got_a[256] = "", got_b[256] = "";

	unsetenv("HARDSHIM_CONFIG");
	a = hs_config_path();
	snprintf(got_a, sizeof(got_a), "%s", a);
	setenv("HARDSHIM_CONFIG", "/tmp/x/config.json", 1);
	b = hs_config_path();
	snprintf(got_b, sizeof(got_b), "%s", b);
	setenv("HARDSHIM_CONFIG", "", 1);
	a = hs_config_path();
	if (copy)
		setenv("HARDSHIM_CONFIG", copy, 1);
	else
		unsetenv("HARDSHIM_CONFIG");
	free(copy);
	CHECK_STR(got_a, HS_CONFIG_DEFAULT_PATH);
	CHECK_STR(got_b, "/tmp/x/config.json");
	CHECK_STR(a, HS_CONFIG_DEFAULT_PATH); /* empty means unset */
}

/* --- networks: the cluster's ranges, by name ------------------------------ */

/* Parses `networks` (JSON text) as the "networks" of a minimal config,
 * every error line in *lines (freed by the caller). */
static int parse_networks(const char *networks, struct hs_config *cfg,
			  struct hs_error *err, char **lines)
{
	char text[8192];
	size_t size = 0;
	json_t *j;
	int r;

	snprintf(text, sizeof(text),
		 "{\"runtime\": \"/usr/sbin/runc\", \"defaultPolicy\": "
		 "\"d\", \"networks\": %s}",
		 networks);
	j = hs_json_load_buffer(text, strlen(text), "config.json", err);
	if (!j)
		return -2;
	*lines = NULL;
	err->sink = open_memstream(lines, &size);
	r = hs_config_parse(j, "config.json", DIR_, cfg, err);
	fclose(err->sink);
	err->sink = NULL;
	json_decref(j);
	return r;
}

static bool cidr_is(const struct hs_cidr *c, const char *text)
{
	char got[64];

	hs_cidr_format(c, got, sizeof(got));
	return strcmp(got, text) == 0;
}

/* Names of the operator's choosing, both families, a bare address as its
 * /32; names may overlap each other (the DNS address lies inside the
 * service range). */
static void test_networks_valid(void)
{
	_cleanup_free_ char *lines = NULL;
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse_networks("{\"pods\": [\"10.244.0.0/16\", "
			     "\"fd00:10:244::/56\"], \"services\": "
			     "[\"10.96.0.0/12\"], \"dns\": [\"10.96.0.10\"], "
			     "\"other-clusters_2\": [\"10.20.0.0/16\", "
			     "\"10.30.0.0/16\"]}",
			     &cfg, &err, &lines) == 0);
	CHECK(err.count == 0);
	CHECK(cfg.networks.n == 4);
	CHECK_STR(cfg.networks.v[0].name, "pods");
	CHECK(cfg.networks.v[0].n == 2);
	CHECK(cidr_is(&cfg.networks.v[0].cidrs[0], "10.244.0.0/16"));
	CHECK(cidr_is(&cfg.networks.v[0].cidrs[1], "fd00:10:244::/56"));
	CHECK_STR(cfg.networks.v[2].name, "dns");
	CHECK(cidr_is(&cfg.networks.v[2].cidrs[0], "10.96.0.10/32"));
	CHECK_STR(cfg.networks.v[3].name, "other-clusters_2");
	CHECK(cfg.networks.v[3].n == 2);
	hs_config_free(&cfg);
	CHECK(cfg.networks.v == NULL && cfg.network_cidrs == NULL);
}

/* No "networks": an empty table, which every "@NAME" then misses. */
static void test_networks_absent(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse(json_pack("{s:s,s:s}", "runtime", "/usr/bin/crun",
			      "defaultPolicy", "strict"),
		    &cfg, &err) == 0);
	CHECK(cfg.networks.n == 0);
	hs_config_free(&cfg);
}

/* A name that stands for nothing would make every deny and except using
 * it a silent no-op: refused. */
static void test_networks_empty_list(void)
{
	_cleanup_free_ char *lines = NULL;
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse_networks("{\"pods\": [\"10.244.0.0/16\"], "
			     "\"otherClusters\": []}",
			     &cfg, &err, &lines) < 0);
	CHECK(err.count == 1);
	CHECK_STR(err.msg, "config.json: networks.otherClusters: an empty "
			   "list: a network name stands for at least one "
			   "CIDR (remove the name, and the policies' uses of "
			   "it, if the cluster has no such range)");
	CHECK(cfg.json == NULL && cfg.networks.v == NULL);
}

/* Every CIDR as strictly as a netpol's, every error at its path. */
static void test_networks_refused(void)
{
	static const char *const want[] = {
		"config.json: networks.1pods: \"1pods\" is not a network name "
		"([A-Za-z][A-Za-z0-9_-], at most 64 characters)\n",
		"config.json: networks.po ds: \"po ds\" is not a network "
		"name",
		"config.json: networks.@dns: \"@dns\" is not a network name",
		"config.json: networks.dns: must be an array of CIDRs\n",
		"config.json: networks.a[0]: must be a string (a CIDR)\n",
		"config.json: networks.a[1]: \"10.244.1.0/16\": host bits "
		"set: did you mean 10.244.0.0/16?\n",
		"config.json: networks.a[2]: \"fd00::1/8\": host bits set: "
		"did you mean fd00::/8?\n",
		"config.json: networks.a[3]: \"fd00::/129\": prefix \"129\" "
		"is not a number from 0 to 128\n",
		"config.json: networks.a[4]: \"pods\": not an address",
		"config.json: networks.b[1]: \"10.0.0.0/8\" is listed twice\n",
		"config.json: networks.b[2]: \"10.1.0.0/16\" lies inside "
		"\"10.0.0.0/8\", listed before it\n",
		"config.json: networks.c[1]: \"fd00::/8\" holds "
		"\"fd00:1::/32\", listed before it\n",
	};
	_cleanup_free_ char *lines = NULL;
	struct hs_error err = {0};
	struct hs_config cfg;
	size_t i;

	CHECK(parse_networks(
		      "{\"1pods\": [\"10.0.0.0/8\"], \"po ds\": "
		      "[\"10.0.0.0/8\"], "
		      "\"@dns\": [\"10.0.0.0/8\"], \"dns\": \"10.96.0.10\", "
		      "\"a\": [7, \"10.244.1.0/16\", \"fd00::1/8\", "
		      "\"fd00::/129\", \"pods\"], "
		      "\"b\": [\"10.0.0.0/8\", \"10.0.0.0/8\", "
		      "\"10.1.0.0/16\"], "
		      "\"c\": [\"fd00:1::/32\", \"fd00::/8\", \"10.0.0.0/8\"]}",
		      &cfg, &err, &lines) < 0);
	for (i = 0; i < HS_ARRAY_SIZE(want); i++)
		CHECK_CONTAINS(lines, want[i]);
	CHECK(err.count == HS_ARRAY_SIZE(want));
	CHECK(cfg.json == NULL && cfg.networks.v == NULL);
}

static void test_networks_not_object(void)
{
	_cleanup_free_ char *lines = NULL;
	struct hs_error err = {0};
	struct hs_config cfg;

	CHECK(parse_networks("[\"10.244.0.0/16\"]", &cfg, &err, &lines) < 0);
	CHECK_STR(err.msg, "config.json: networks: must be an object: "
			   "{\"NAME\": [\"CIDR\", ...], ...}");
}

/* At most HS_CONFIG_MAX_NETWORKS names and HS_CONFIG_MAX_NETWORK_CIDRS
 * CIDRs, each met exactly, each limit named when exceeded. */
static void test_networks_limits(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	json_t *nets = json_object(), *list = json_array();
	json_t *doc;
	size_t i;
	int r;

	for (i = 0; i < HS_CONFIG_MAX_NETWORKS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%zu", i);
		json_object_set_new(nets, name, json_pack("[s]", "10.0.0.0/8"));
	}
	doc = json_pack("{s:s,s:s,s:O}", "runtime", "/r", "defaultPolicy", "d",
			"networks", nets);
	CHECK(hs_config_parse(doc, "config.json", DIR_, &cfg, &err) == 0);
	CHECK(cfg.networks.n == HS_CONFIG_MAX_NETWORKS);
	hs_config_free(&cfg);
	json_object_set_new(nets, "onemore", json_pack("[s]", "10.0.0.0/8"));
	json_object_set(doc, "networks", nets);
	r = hs_config_parse(doc, "config.json", DIR_, &cfg, &err);
	json_decref(doc);
	json_decref(nets);
	CHECK(r < 0);
	CHECK_STR(err.msg, "config.json: networks: 65 names, more than the "
			   "limit of 64");

	err = (struct hs_error){0};
	for (i = 0; i < HS_CONFIG_MAX_NETWORK_CIDRS; i++) {
		char cidr[32];

		snprintf(cidr, sizeof(cidr), "10.%zu.%zu.0/24", i / 256,
			 i % 256);
		json_array_append_new(list, json_string(cidr));
	}
	doc = json_pack("{s:s,s:s,s:{s:O}}", "runtime", "/r", "defaultPolicy",
			"d", "networks", "many", list);
	CHECK(hs_config_parse(doc, "config.json", DIR_, &cfg, &err) == 0);
	CHECK(cfg.networks.v[0].n == HS_CONFIG_MAX_NETWORK_CIDRS);
	hs_config_free(&cfg);
	json_object_set_new(json_object_get(doc, "networks"), "one",
			    json_pack("[s]", "192.0.2.0/24"));
	r = hs_config_parse(doc, "config.json", DIR_, &cfg, &err);
	json_decref(doc);
	json_decref(list);
	CHECK(r < 0);
	CHECK_STR(err.msg, "config.json: networks: 4097 CIDRs, more than the "
			   "limit of 4096 (every name's together)");
}

static void test_example_config_parses(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char dir[PATH_MAX], want[PATH_MAX + 8];
	json_t *j;

	CHECK(realpath("policies", dir) != NULL);
	j = hs_json_load_path("policies/config.json", HS_POLICY_MAX_BYTES,
			      &err);
	CHECK(j != NULL);
	CHECK(hs_config_parse(j, "policies/config.json", dir, &cfg, &err) == 0);
	json_decref(j);
	snprintf(want, sizeof(want), "%s/.", dir);
	CHECK_STR(cfg.policy_dir, want);
	CHECK_STR(cfg.default_policy, "tenant-default");
	/* The cluster's own namespaces first, then the tenants'. */
	CHECK(cfg.n_tenants == 3);
	CHECK_STR(cfg.tenants[0].namespace_glob, "kube-system");
	CHECK_STR(cfg.tenants[0].policy, "system");
	CHECK_STR(cfg.tenants[2].policy, "tenant-batch");
	CHECK_STR(cfg.decision_log, "/run/hardshim/decisions.log");
	/* kind's defaults, and the names netpol/tenant-isolated.json uses. */
	CHECK(cfg.networks.n == 6);
	CHECK_STR(cfg.networks.v[0].name, "pods");
	CHECK(cidr_is(&cfg.networks.v[0].cidrs[0], "10.244.0.0/16"));
	CHECK_STR(cfg.networks.v[1].name, "services");
	CHECK(cidr_is(&cfg.networks.v[1].cidrs[0], "10.96.0.0/12"));
	CHECK_STR(cfg.networks.v[2].name, "dns");
	CHECK(cidr_is(&cfg.networks.v[2].cidrs[0], "10.96.0.10/32"));
	CHECK_STR(cfg.networks.v[3].name, "nodes");
	CHECK(cidr_is(&cfg.networks.v[3].cidrs[0], "172.18.0.0/16"));
	CHECK_STR(cfg.networks.v[4].name, "otherClusters");
	CHECK_STR(cfg.networks.v[5].name, "metadata");
	CHECK(cfg.networks.v[5].n == 3);
	CHECK(cidr_is(&cfg.networks.v[5].cidrs[2], "fd00:ec2::254/128"));
	hs_config_free(&cfg);
}

static void test_fixture_every_error(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char *lines = NULL;
	size_t size = 0;
	json_t *j = hs_json_load_path("tests/data/configs/bad-many-errors.json",
				      HS_POLICY_MAX_BYTES, &err);
	int r;

	CHECK(j != NULL);
	err.sink = open_memstream(&lines, &size);
	CHECK(err.sink != NULL);
	r = hs_config_parse(j, "bad.json", DIR_, &cfg, &err);
	json_decref(j);
	fclose(err.sink);
	err.sink = NULL;
	CHECK(r < 0);
	/* The unknown key, the relative runtime, the bad default name, the
	 * wrong policyDir type, the timeout, and three tenant rules. */
	CHECK(err.count == 8);
	CHECK_STR(err.msg, "bad.json: tenant: unknown key");
	CHECK_CONTAINS(lines, "bad.json: runtime: \"runc\" must be an "
			      "absolute path\n");
	CHECK_CONTAINS(lines, "bad.json: defaultPolicy: \"Tenant Default\" is "
			      "not a policy name");
	CHECK_CONTAINS(lines, "bad.json: policyDir: must be a string\n");
	CHECK_CONTAINS(lines, "bad.json: hookTimeout: 0 is out of range [1, "
			      "60]\n");
	CHECK_CONTAINS(lines, "bad.json: tenants[0].policy: required, "
			      "missing\n");
	CHECK_CONTAINS(lines, "bad.json: tenants[1].policy: "
			      "\"../../etc/shadow\" is not a policy name");
	CHECK_CONTAINS(lines, "bad.json: tenants[2]: must be an object\n");
	free(lines);
}

static int write_config(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return chmod(path, mode);
}

static void test_load_file(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char path[128], want[160];

	snprintf(path, sizeof(path), "%s/config.json", scratch);
	CHECK(write_config(
		      path,
		      "{\"runtime\": \"/usr/sbin/runc\", \"defaultPolicy\":"
		      " \"d\", \"policyDir\": \"pol\"}",
		      0644) == 0);
	if (geteuid() != 0) {
		/* Not root-owned: refused, whatever it says. */
		CHECK(hs_config_load(path, &cfg, &err) < 0);
		CHECK_CONTAINS(err.msg, "not owned by root");
		return;
	}
	CHECK(hs_config_load(path, &cfg, &err) == 0);
	CHECK_STR(cfg.path, path);
	snprintf(want, sizeof(want), "%s/pol", scratch);
	CHECK_STR(cfg.policy_dir, want);
	hs_config_free(&cfg);
}

static void test_load_file_writable_refused(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char path[128];

	snprintf(path, sizeof(path), "%s/open.json", scratch);
	CHECK(write_config(
		      path,
		      "{\"runtime\": \"/usr/sbin/runc\", \"defaultPolicy\":"
		      " \"d\"}",
		      0666) == 0);
	CHECK(hs_config_load(path, &cfg, &err) < 0);
	CHECK(err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "open.json: ");
	CHECK_CONTAINS(err.msg, "refused");
}

static void test_load_file_symlink_refused(void)
{
	struct hs_error err = {0};
	struct hs_config cfg;
	char path[128], link[128];

	snprintf(path, sizeof(path), "%s/real.json", scratch);
	snprintf(link, sizeof(link), "%s/link.json", scratch);
	CHECK(write_config(
		      path,
		      "{\"runtime\": \"/usr/sbin/runc\", \"defaultPolicy\":"
		      " \"d\"}",
		      0644) == 0);
	CHECK(symlink(path, link) == 0);
	CHECK(hs_config_load(link, &cfg, &err) < 0);
	CHECK_CONTAINS(err.msg, "link.json: is a symbolic link, refused");
}

int main(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hs-config-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_valid_config);
	RUN(test_defaults);
	RUN(test_takes_a_reference);
	RUN(test_missing_runtime);
	RUN(test_relative_runtime);
	RUN(test_runtime_wrong_type);
	RUN(test_bad_default_policy_names);
	RUN(test_missing_default_policy);
	RUN(test_bad_tenant_policy_name);
	RUN(test_unknown_key);
	RUN(test_tenants_not_an_array);
	RUN(test_tenant_entry_not_object);
	RUN(test_tenant_missing_namespace);
	RUN(test_tenant_missing_policy_and_unknown_key);
	RUN(test_too_many_tenants);
	RUN(test_hook_timeout_out_of_range);
	RUN(test_hook_timeout_wrong_type);
	RUN(test_relative_paths_resolve_against_dir);
	RUN(test_cache_dir);
	RUN(test_cache_dir_relative_refused);
	RUN(test_engine_lists_default_and_own);
	RUN(test_engine_dirs_refused);
	RUN(test_cgroup_parents_and_hooks_refused);
	RUN(test_policy_dir_wrong_type);
	RUN(test_decision_log_too_long);
	RUN(test_policy_dir_too_long);
	RUN(test_not_an_object);
	RUN(test_every_error_reported);
	RUN(test_policy_name_valid);
	RUN(test_config_path_env);
	RUN(test_networks_valid);
	RUN(test_networks_absent);
	RUN(test_networks_empty_list);
	RUN(test_networks_refused);
	RUN(test_networks_not_object);
	RUN(test_networks_limits);
	RUN(test_example_config_parses);
	RUN(test_fixture_every_error);
	RUN(test_load_file);
	RUN(test_load_file_writable_refused);
	RUN(test_load_file_symlink_refused);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	TEST_EXIT();
}
