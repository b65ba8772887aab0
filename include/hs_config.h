/* The global config, /etc/hardshim/config.json (HARDSHIM_CONFIG overrides
 * the path for tests): the real runtime, the policy directory, which
 * Kubernetes namespaces get which tenant policy, and the decision log.
 * Relative paths in it resolve against the config file's own directory. */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <stddef.h>

#include "hs_json.h"

#define HS_CONFIG_DEFAULT_PATH "/etc/hardshim/config.json"

struct hs_tenant_rule {
	const char *namespace_glob; /* fnmatch(3) pattern */
	const char *policy; /* a tenant policy name */
};

struct hs_config {
	json_t *json; /* owns every string below */
	char path[HS_PATH_MAX]; /* absolute */
	const char *runtime; /* absolute path of the real runtime */
	char policy_dir[HS_PATH_MAX]; /* absolute */
	const char *default_policy; /* the strictest: used on no match */
	struct hs_tenant_rule tenants[HS_CONFIG_MAX_TENANTS];
	size_t n_tenants;
	int hook_timeout; /* seconds, for every injected hook */
	char decision_log[HS_PATH_MAX]; /* "" when not configured */
	const char *cache_dir; /* seccomp plan cache, absolute */
};

/* HARDSHIM_CONFIG (secure_getenv) or the default path. */
const char *hs_config_path(void);

/* Reads and validates the config at `path`: root-owned, not group/other-
 * writable, no symlink, bounded. */
int hs_config_load(const char *path, struct hs_config *cfg,
		   struct hs_error *err);

/* Validates an already parsed config (pure; `dir` is the absolute directory
 * that relative paths resolve against). Takes a reference to `json`. */
int hs_config_parse(json_t *json, const char *file, const char *dir,
		    struct hs_config *cfg, struct hs_error *err);

void hs_config_free(struct hs_config *cfg);

/* dir + "/" + rel, unless rel is absolute; truncation is an error.
 * Relative paths in hardshim's files resolve this way against the file's
 * own directory. */
int hs_config_join_path(char *out, size_t size, const char *dir,
			const char *rel);

/* True when `name` may name a policy file: [a-z0-9][a-z0-9._-]*, bounded. */
int hs_policy_name_valid(const char *name);

#endif
