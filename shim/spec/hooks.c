/* Hooks: hardshim's own, those the root-owned config grants, nothing else.
 *
 * runc runs every hook as host root, with every capability and no seccomp:
 * prestart, createRuntime and poststart in the host's namespaces,
 * createContainer before pivot_root, so its path and what it writes are
 * the host's. A hook the tenant wrote would run with all of that, so a hook
 * is kept only when config.json "hooks" grants its stage and the file its
 * path leads to (and, when the grant says, its first arguments). Ours are
 * put first, so that the network is isolated before any other hook runs
 * and attestation sees the process before they do. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "spec_internal.h"

static const char *const stages[] = {
	"prestart",	  "createRuntime", "createContainer",
	"startContainer", "poststart",	   "poststop",
};

/* The file a hook's path leads to on the host. startContainer's path is
 * resolved inside the container, where the host's files are not: it must
 * match a grant as written. */
static bool same_target(const char *stage, const char *have, const char *want)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (strcmp(have, want) == 0)
		return true;
	if (strcmp(stage, "startContainer") == 0)
		return false;
	return realpath(have, a) && realpath(want, b) && strcmp(a, b) == 0;
}

static bool args_start_with(const json_t *args, const json_t *prefix)
{
	size_t i;
	json_t *v;

	if (json_array_size(args) < json_array_size(prefix))
		return false;
	json_array_foreach (prefix, i, v)
		if (!json_equal(json_array_get(args, i), v))
			return false;
	return true;
}

static bool is_ours(const char *stage, const json_t *h, const char *self)
{
	const json_t *args = json_object_get(h, "args");
	const char *path = json_string_value(json_object_get(h, "path"));
	const char *want[] = {"hardshim", "hook", stage};
	size_t i;

	if (!self || !path || strcmp(path, self) != 0 ||
	    json_array_size(args) != 3)
		return false;
	for (i = 0; i < 3; i++)
		if (!json_is_string(json_array_get(args, i)) ||
		    strcmp(json_string_value(json_array_get(args, i)),
			   want[i]) != 0)
			return false;
	return true;
}

static bool granted(const struct hs_config *cfg, const char *stage,
		    const json_t *h)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	size_t i;

	for (i = 0; path && i < cfg->n_hooks; i++) {
		const struct hs_hook_grant *g = &cfg->hooks[i];

		if (strcmp(g->stage, stage) == 0 &&
		    same_target(stage, path, g->path) &&
		    (!g->args ||
		     args_start_with(json_object_get(h, "args"), g->args)))
			return true;
	}
	return false;
}

int hs_spec_check_hooks(const json_t *spec, const struct hs_config *cfg,
			const char *self, const char *file,
			struct hs_error *err)
{
	const json_t *hooks = json_object_get(spec, "hooks");
	size_t s, i;
	json_t *h;
	int ret = 0;

	for (s = 0; s < HS_ARRAY_SIZE(stages); s++) {
		char base[64];

		hs_json_path_key(base, sizeof(base), "hooks", stages[s]);
		json_array_foreach (json_object_get(hooks, stages[s]), i, h) {
			char p[96];

			if (is_ours(stages[s], h, self) ||
			    granted(cfg, stages[s], h))
				continue;
			hs_json_path_index(p, sizeof(p), base, i);
			ret = hs_json_err(
				err, file, p,
				"%s hook \"%s\" would run as host root; only "
				"hardshim's own and those config.json "
				"\"hooks\" grants may run, refused",
				stages[s],
				json_string_value(json_object_get(h, "path"))
					?: "");
		}
	}
	return ret;
}

static json_t *hook_entry(const struct hs_harden_ctx *ctx, const char *stage)
{
	char env[HS_PATH_MAX + 32];
	json_t *h;

	if (ctx->config_path &&
	    hs_snprintf(env, sizeof(env), "HARDSHIM_CONFIG=%s",
			ctx->config_path) < 0)
		return NULL;
	/* An explicit env: the hook must not depend on what runc inherited,
	 * and a timeout so that a hung hook can never stall a start. */
	h = json_pack("{ss s[sss] si}", "path", ctx->hook_path, "args",
		      "hardshim", "hook", stage, "timeout", ctx->hook_timeout);
	if (h && ctx->config_path)
		json_object_set_new(h, "env", json_pack("[s]", env));
	return h;
}

int hs_spec_inject_hooks(json_t *spec, const struct hs_policy *policy,
			 const struct hs_harden_ctx *ctx, const char *file,
			 struct hs_error *err)
{
	static const char *const ours[] = {"createRuntime", "poststart",
					   "poststop"};
	json_t *hooks = hs_spec_object_child(spec, "hooks");
	/* poststop has work only where a table outlives the container: a
	 * network policy in a namespace given by path (a pod's). A namespace
	 * runc created vanishes with its table. */
	size_t n = policy->has_network && hs_spec_netns_path(spec) ? 3 : 2;
	size_t i;

	if (!ctx->hook_path)
		return 0;
	if (!hooks)
		return hs_json_err(err, file, "hooks", "must be an object");
	for (i = 0; i < n; i++) {
		json_t *list = json_object_get(hooks, ours[i]);
		json_t *h = hook_entry(ctx, ours[i]);

		if (!h)
			return hs_err(err, ENOMEM, "%s: cannot build hook",
				      file);
		if (!list) {
			list = json_array();
			json_object_set_new(hooks, ours[i], list);
		}
		if (!json_is_array(list) ||
		    json_array_size(list) >= HS_SPEC_MAX_HOOKS) {
			json_decref(h);
			return hs_json_err(err, file, "hooks",
					   "%s must be an array of at most %d "
					   "hooks",
					   ours[i], HS_SPEC_MAX_HOOKS);
		}
		/* Hardening twice (a retried create) must not run our hook
		 * twice: drop an earlier copy of it first. */
		for (size_t j = json_array_size(list); j-- > 0;)
			if (is_ours(ours[i], json_array_get(list, j),
				    ctx->hook_path))
				json_array_remove(list, j);
		/* Ours first: the network is isolated before any other hook
		 * runs, and attestation sees the process before they do. */
		json_array_insert_new(list, 0, h);
	}
	return 0;
}
