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
#include "hs_path.h"

static const char *const config_keys[] = {
	"comment",	 "runtime",	  "policyDir",
	"defaultPolicy", "tenants",	  "hookTimeout",
	"decisionLog",	 "cacheDir",	  "engineDirs",
	"netnsDirs",	 "cgroupParents", "hooks",
	"networks",	 "monitor",	  NULL,
};
static const char *const tenant_keys[] = {"namespace", "policy", NULL};
static const char *const hook_keys[] = {"stage", "path", "args", NULL};

/* Where containerd (CRI), kubelet, CRI-O, Docker and podman keep a pod's or
 * a container's own files on a node with their default paths. */
static const char *const default_engine_dirs[] = {
	"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox}",
	"/run/containerd/io.containerd.grpc.v1.cri/sandboxes/{sandbox}",
	"/var/lib/containerd/io.containerd.grpc.v1.cri/containers/{id}",
	"/var/lib/kubelet/pods/{podUid}",
	"/var/lib/containers/storage/overlay-containers/{sandbox}/userdata",
	"/run/containers/storage/overlay-containers/{sandbox}/userdata",
	"/var/lib/containers/storage/overlay-containers/{id}/userdata",
	"/run/containers/storage/overlay-containers/{id}/userdata",
	"/var/lib/docker/containers/{id}",
	NULL,
};
static const char *const default_netns_dirs[] = {"/run/netns", "/var/run/netns",
						 NULL};
static const char *const default_cgroup_parents[] = {
	"/kubepods",	  "kubepods.slice", "/docker", "system.slice",
	"/libpod_parent", "machine.slice",  NULL,
};
static const char *const hook_stages[] = {
	"prestart",
	"createRuntime",
	"createContainer",
	"startContainer",
	"poststart",
	"poststop",
	NULL,
};

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

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* A normalised absolute path, or (slices) a systemd slice name. */
static bool valid_dir(const char *s, bool slice_ok)
{
	char norm[HS_PATH_MAX];
	size_t len = strlen(s);

	if (slice_ok && s[0] != '/')
		return len > 6 && !strchr(s, '/') && !strchr(s, ':') &&
		       strcmp(s + len - 6, ".slice") == 0;
	return hs_path_normalize(s, norm, sizeof(norm)) == 0 &&
	       strcmp(norm, s) == 0 && !hs_path_has_dotdot(s);
}

/* Every template names a variable as a whole path component, so that it
 * grants one pod's or one container's directory, never a whole tree. */
static bool valid_template(const char *s)
{
	static const char *const vars[] = {HS_ENGINE_VAR_ID,
					   HS_ENGINE_VAR_SANDBOX,
					   HS_ENGINE_VAR_POD_UID, NULL};
	const char *p = s;
	bool have_var = false;

	if (!valid_dir(s, false))
		return false;
	while (*p) {
		const char *seg = ++p, *end = strchrnul(seg, '/');
		char comp[64];

		p = end;
		if (!memchr(seg, '{', (size_t)(end - seg)) &&
		    !memchr(seg, '}', (size_t)(end - seg)))
			continue;
		if ((size_t)(end - seg) >= sizeof(comp))
			return false;
		memcpy(comp, seg, (size_t)(end - seg));
		comp[end - seg] = '\0';
		if (!in_list(vars, comp))
			return false;
		have_var = true;
	}
	return have_var;
}

/* A list of paths: the config's, or the built-in default when absent. */
static int parse_dirs(const json_t *json, const char *key,
		      const char *const *defaults, bool (*valid)(const char *),
		      const char *what, const char **out, size_t *n,
		      const char *file, struct hs_error *err)
{
	const json_t *list = NULL;
	size_t i;
	json_t *v;
	int ret = 0;

	if (hs_json_get_string_array(json, key, false, HS_CONFIG_MAX_LIST,
				     &list, file, "", err) < 0)
		return -1;
	if (!list) {
		for (*n = 0; defaults[*n]; (*n)++)
			out[*n] = defaults[*n];
		return 0;
	}
	*n = 0;
	json_array_foreach (list, i, v) {
		char p[64];

		hs_json_path_index(p, sizeof(p), key, i);
		if (!valid(json_string_value(v)))
			ret = hs_json_err(err, file, p, "\"%s\" is not %s",
					  json_string_value(v), what);
		else
			out[(*n)++] = json_string_value(v);
	}
	return ret;
}

static bool valid_abs_dir(const char *s)
{
	return valid_dir(s, false);
}

static bool valid_cgroup_parent(const char *s)
{
	return valid_dir(s, true);
}

static int parse_hooks(const json_t *json, const char *file,
		       struct hs_config *cfg, struct hs_error *err)
{
	const json_t *hooks = json_object_get(json, "hooks");
	size_t i;
	json_t *h;
	int ret = 0;

	if (!hooks)
		return 0;
	if (!json_is_array(hooks) ||
	    json_array_size(hooks) > HS_CONFIG_MAX_LIST)
		return hs_json_err(err, file, "hooks",
				   "must be an array of at most %d hooks",
				   HS_CONFIG_MAX_LIST);
	json_array_foreach (hooks, i, h) {
		char p[64];
		struct hs_hook_grant *g = &cfg->hooks[cfg->n_hooks];

		hs_json_path_index(p, sizeof(p), "hooks", i);
		if (!json_is_object(h)) {
			ret = hs_json_err(err, file, p, "must be an object");
			continue;
		}
		if (hs_json_check_keys(h, hook_keys, file, p, err) < 0 ||
		    hs_json_get_string(h, "stage", true, &g->stage, file, p,
				       err) < 0 ||
		    hs_json_get_string(h, "path", true, &g->path, file, p,
				       err) < 0 ||
		    hs_json_get_string_array(h, "args", false,
					     HS_POLICY_MAX_LIST, &g->args, file,
					     p, err) < 0) {
			ret = -1;
			continue;
		}
		if (!in_list(hook_stages, g->stage)) {
			ret = hs_json_err(
				err, file, p,
				"stage \"%s\" is not an OCI hook stage",
				g->stage);
			continue;
		}
		if (!valid_abs_dir(g->path)) {
			ret = hs_json_err(err, file, p,
					  "path \"%s\" must be a normalised "
					  "absolute path",
					  g->path);
			continue;
		}
		cfg->n_hooks++;
	}
	return ret;
}

/* Whether two CIDRs of one name overlap (CIDRs either nest or are
 * disjoint), and how, for the error: "lies inside" or "holds" the earlier
 * one, or "" for the same CIDR twice; NULL if they do not. */
static const char *overlap(const struct hs_cidr *earlier,
			   const struct hs_cidr *c)
{
	if (earlier->family != c->family)
		return NULL;
	if (hs_cidr_contains(earlier, c) && hs_cidr_contains(c, earlier))
		return "";
	if (hs_cidr_contains(earlier, c))
		return "lies inside";
	if (hs_cidr_contains(c, earlier))
		return "holds";
	return NULL;
}

/* One name's CIDRs, appended at cfg->network_cidrs[*used]. */
static int parse_network(const char *name, const json_t *list, const char *file,
			 struct hs_config *cfg, size_t *used,
			 struct hs_error *err)
{
	struct hs_netname *n = &cfg->networks.v[cfg->networks.n];
	char p[128];
	size_t i, j;
	json_t *v;
	int ret = 0;

	hs_json_path_key(p, sizeof(p), "networks", name);
	if (!hs_netname_valid(name))
		return hs_json_err(err, file, p,
				   "\"%.64s\" is not a network name "
				   "([A-Za-z][A-Za-z0-9_-], at most %d "
				   "characters)",
				   name, HS_NETWORK_NAME_MAX);
	if (!json_is_array(list))
		return hs_json_err(err, file, p, "must be an array of CIDRs");
	/* Empty is refused: a name that stands for nothing turns every
	 * deny and except that uses it into a silent no-op. */
	if (json_array_size(list) == 0)
		return hs_json_err(err, file, p,
				   "an empty list: a network name stands for "
				   "at least one CIDR (remove the name, and "
				   "the policies' uses of it, if the cluster "
				   "has no such range)");
	n->name = name;
	n->cidrs = cfg->network_cidrs + *used;
	n->n = 0;
	json_array_foreach (list, i, v) {
		struct hs_cidr *c = &cfg->network_cidrs[*used + n->n];
		char pi[160], why[256], a[64], b[64];
		const char *how = NULL;

		hs_json_path_index(pi, sizeof(pi), p, i);
		if (!json_is_string(v)) {
			ret = hs_json_err(err, file, pi,
					  "must be a string (a CIDR)");
			continue;
		}
		if (hs_cidr_parse(json_string_value(v), c, why, sizeof(why)) <
		    0) {
			ret = hs_json_err(err, file, pi, "\"%.64s\": %s",
					  json_string_value(v), why);
			continue;
		}
		/* An overlap within a name is a typo, or a range the
		 * operator believes is separate from another. */
		for (j = 0; j < n->n && !how; j++)
			how = overlap(&n->cidrs[j], c);
		if (how) {
			hs_cidr_format(c, a, sizeof(a));
			hs_cidr_format(&n->cidrs[j - 1], b, sizeof(b));
			if (!*how)
				ret = hs_json_err(err, file, pi,
						  "\"%s\" is listed twice", a);
			else
				ret = hs_json_err(err, file, pi,
						  "\"%s\" %s \"%s\", listed "
						  "before it",
						  a, how, b);
			continue;
		}
		n->n++;
	}
	if (ret < 0)
		return -1;
	*used += n->n;
	cfg->networks.n++;
	return 0;
}

/* "networks": the cluster's own ranges, by name. Names may overlap one
 * another (the DNS address lies inside the service range); whether a name
 * is allowed or denied is the network policy's to say. */
static int parse_networks(const json_t *json, const char *file,
			  struct hs_config *cfg, struct hs_error *err)
{
	const json_t *nets = json_object_get(json, "networks");
	size_t total = 0, used = 0;
	const char *name;
	json_t *list;
	int ret = 0;

	if (!nets)
		return 0;
	if (!json_is_object(nets))
		return hs_json_err(err, file, "networks",
				   "must be an object: {\"NAME\": "
				   "[\"CIDR\", ...], ...}");
	if (json_object_size(nets) > HS_CONFIG_MAX_NETWORKS)
		return hs_json_err(err, file, "networks",
				   "%zu names, more than the limit of %d",
				   json_object_size(nets),
				   HS_CONFIG_MAX_NETWORKS);
	json_object_foreach ((json_t *)nets, name, list)
		total += json_is_array(list) ? json_array_size(list) : 0;
	if (total > HS_CONFIG_MAX_NETWORK_CIDRS)
		return hs_json_err(err, file, "networks",
				   "%zu CIDRs, more than the limit of %d "
				   "(every name's together)",
				   total, HS_CONFIG_MAX_NETWORK_CIDRS);
	cfg->networks.v =
		calloc(json_object_size(nets) + 1, sizeof(*cfg->networks.v));
	cfg->network_cidrs = calloc(total + 1, sizeof(*cfg->network_cidrs));
	if (!cfg->networks.v || !cfg->network_cidrs)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	json_object_foreach ((json_t *)nets, name, list)
		if (parse_network(name, list, file, cfg, &used, err) < 0)
			ret = -1;
	return ret;
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

void hs_config_defaults(struct hs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hook_timeout = HS_HOOK_TIMEOUT_DEFAULT;
	cfg->cache_dir = HS_CACHE_DEFAULT_DIR;
	hs_config_parse_monitor(NULL, NULL, "/", &cfg->monitor, NULL);
	for (; default_engine_dirs[cfg->n_engine_dirs]; cfg->n_engine_dirs++)
		cfg->engine_dirs[cfg->n_engine_dirs] =
			default_engine_dirs[cfg->n_engine_dirs];
	for (; default_netns_dirs[cfg->n_netns_dirs]; cfg->n_netns_dirs++)
		cfg->netns_dirs[cfg->n_netns_dirs] =
			default_netns_dirs[cfg->n_netns_dirs];
	for (; default_cgroup_parents[cfg->n_cgroup_parents];
	     cfg->n_cgroup_parents++)
		cfg->cgroup_parents[cfg->n_cgroup_parents] =
			default_cgroup_parents[cfg->n_cgroup_parents];
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
	if (hs_config_parse_monitor(json, file, dir, &cfg->monitor, err) < 0)
		ret = -1;
	if (parse_dirs(json, "engineDirs", default_engine_dirs, valid_template,
		       "an absolute path template with {id}, {sandbox} or "
		       "{podUid} as a whole component",
		       cfg->engine_dirs, &cfg->n_engine_dirs, file, err) < 0)
		ret = -1;
	if (parse_dirs(json, "netnsDirs", default_netns_dirs, valid_abs_dir,
		       "a normalised absolute path", cfg->netns_dirs,
		       &cfg->n_netns_dirs, file, err) < 0)
		ret = -1;
	if (parse_dirs(json, "cgroupParents", default_cgroup_parents,
		       valid_cgroup_parent,
		       "a normalised absolute cgroup path or a systemd slice "
		       "(NAME.slice)",
		       cfg->cgroup_parents, &cfg->n_cgroup_parents, file,
		       err) < 0)
		ret = -1;
	if (parse_hooks(json, file, cfg, err) < 0)
		ret = -1;
	if (parse_networks(json, file, cfg, err) < 0)
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

int hs_config_load_draft(const char *path, struct hs_config *cfg,
			 struct hs_error *err)
{
	_cleanup_json_ json_t *json = NULL;
	char abs[PATH_MAX], dir[PATH_MAX];

	memset(cfg, 0, sizeof(*cfg));
	json = hs_json_load_path(path, HS_POLICY_MAX_BYTES, err);
	if (!json)
		return -1;
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
	free(cfg->networks.v);
	cfg->networks.v = NULL;
	cfg->networks.n = 0;
	free(cfg->network_cidrs);
	cfg->network_cidrs = NULL;
}
