/* The global config. It decides everything else, so it is read only from a
 * root-owned, non-writable file, and every key is checked: an unknown key is
 * an error rather than a silently ignored typo. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_cache.h"
#include "hs_config.h"

static const char *const config_keys[] = {
	"comment",	 "runtime",  "policyDir",
	"defaultPolicy", "tenants",  "hookTimeout",
	"decisionLog",	 "cacheDir", NULL,
};
static const char *const tenant_keys[] = {"namespace", "policy", NULL};

const char *hs_config_path(void)
{
	const char *p = secure_getenv("HARDSHIM_CONFIG");

	return p && *p ? p : HS_CONFIG_DEFAULT_PATH;
}

int hs_policy_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > HS_POLICY_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '-' || c == '_' || c == '.'));

		if (!ok)
			return 0;
	}
	return 1;
}

int hs_config_join_path(char *out, size_t size, const char *dir,
			const char *rel)
{
	if (rel[0] == '/')
		return hs_snprintf(out, size, "%s", rel);
	return hs_snprintf(out, size, "%s/%s", dir, rel);
}

static int parse_policy_name(const json_t *obj, const char *key, bool required,
			     const char **ret, const char *file,
			     const char *path, struct hs_error *err)
{
	char p[HS_ERR_MSG_MAX];
	const char *name = NULL;

	if (hs_json_get_string(obj, key, required, &name, file, path, err) < 0)
		return -1;
	if (!name)
		return 0;
	hs_json_path_key(p, sizeof(p), path, key);
	if (!hs_policy_name_valid(name))
		return hs_json_err(err, file, p,
				   "\"%s\" is not a policy name ([a-z0-9._-], "
				   "at most %d characters)",
				   name, HS_POLICY_NAME_MAX);
	*ret = name;
	return 0;
}

static int parse_tenants(const json_t *json, const char *file,
			 struct hs_config *cfg, struct hs_error *err)
{
	const json_t *tenants = json_object_get(json, "tenants");
	size_t i;
	json_t *t;
	int ret = 0;

	if (!tenants)
		return 0;
	if (!json_is_array(tenants))
		return hs_json_err(err, file, "tenants", "must be an array");
	if (json_array_size(tenants) > HS_CONFIG_MAX_TENANTS)
		return hs_json_err(err, file, "tenants",
				   "%zu rules, more than the limit of %d",
				   json_array_size(tenants),
				   HS_CONFIG_MAX_TENANTS);
	json_array_foreach (tenants, i, t) {
		char p[64];
		struct hs_tenant_rule *r = &cfg->tenants[cfg->n_tenants];

		hs_json_path_index(p, sizeof(p), "tenants", i);
		if (!json_is_object(t)) {
			ret = hs_json_err(err, file, p, "must be an object");
			continue;
		}
		if (hs_json_check_keys(t, tenant_keys, file, p, err) < 0 ||
		    hs_json_get_string(t, "namespace", true, &r->namespace_glob,
				       file, p, err) < 0 ||
		    parse_policy_name(t, "policy", true, &r->policy, file, p,
				      err) < 0) {
			ret = -1;
			continue;
		}
		cfg->n_tenants++;
	}
	return ret;
}

int hs_config_parse(json_t *json, const char *file, const char *dir,
		    struct hs_config *cfg, struct hs_error *err)
{
	const char *policy_dir = ".", *log = NULL;
	int64_t timeout = HS_HOOK_TIMEOUT_DEFAULT;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (!json_is_object(json))
		return hs_json_err(err, file, "", "must be a JSON object");
	cfg->json = json_incref(json);
	if (hs_json_check_keys(json, config_keys, file, "", err) < 0)
		ret = -1;
	if (hs_json_get_string(json, "runtime", true, &cfg->runtime, file, "",
			       err) < 0)
		ret = -1;
	else if (cfg->runtime[0] != '/')
		/* No PATH search, ever: the runtime is exactly this file. */
		ret = hs_json_err(err, file, "runtime",
				  "\"%s\" must be an absolute path",
				  cfg->runtime);
	if (parse_policy_name(json, "defaultPolicy", true, &cfg->default_policy,
			      file, "", err) < 0)
		ret = -1;
	if (hs_json_get_string(json, "policyDir", false, &policy_dir, file, "",
			       err) < 0)
		ret = -1;
	else if (hs_config_join_path(cfg->policy_dir, sizeof(cfg->policy_dir),
				     dir, policy_dir) < 0)
		ret = hs_json_err(err, file, "policyDir", "path too long");
	if (hs_json_get_int(json, "hookTimeout", false, 1, HS_HOOK_TIMEOUT_MAX,
			    &timeout, file, "", err) < 0)
		ret = -1;
	cfg->hook_timeout = (int)timeout;
	if (hs_json_get_string(json, "decisionLog", false, &log, file, "",
			       err) < 0)
		ret = -1;
	else if (log &&
		 hs_config_join_path(cfg->decision_log,
				     sizeof(cfg->decision_log), dir, log) < 0)
		ret = hs_json_err(err, file, "decisionLog", "path too long");
	cfg->cache_dir = HS_CACHE_DEFAULT_DIR;
	if (hs_json_get_string(json, "cacheDir", false, &cfg->cache_dir, file,
			       "", err) < 0)
		ret = -1;
	else if (cfg->cache_dir[0] != '/')
		ret = hs_json_err(err, file, "cacheDir",
				  "\"%s\" must be an absolute path",
				  cfg->cache_dir);
	if (parse_tenants(json, file, cfg, err) < 0)
		ret = -1;
	if (ret < 0) {
		hs_config_free(cfg);
		return -1;
	}
	return 0;
}

int hs_config_load(const char *path, struct hs_config *cfg,
		   struct hs_error *err)
{
	_cleanup_json_ json_t *json = NULL;
	char abs[PATH_MAX], dir[PATH_MAX];

	json = hs_json_load_trusted(path, HS_POLICY_MAX_BYTES, err);
	if (!json)
		return -1;
	/* Hooks run with the bundle as their cwd, so every path handed on
	 * must be absolute. */
	if (!realpath(path, abs))
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	memcpy(dir, abs, sizeof(dir));
	if (hs_config_parse(json, path, dirname(dir), cfg, err) < 0)
		return -1;
	memcpy(cfg->path, abs, sizeof(cfg->path));
	return 0;
}

void hs_config_free(struct hs_config *cfg)
{
	json_decref(cfg->json);
	cfg->json = NULL;
}
