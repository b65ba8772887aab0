/* The linux section's host-facing fields: cgroupsPath, devices, sysctls
 * and rootfs propagation. Each is refused unless the policy or the config
 * grants it; none is edited. */
#include <string.h>

#include "hs_path.h"
#include "spec_internal.h"

/* cgroupsPath decides which cgroup runc creates, writes limits into, and
 * removes on exit: "/../../x" would reach another container's. It must lie
 * strictly beneath a parent the config names: a cgroupfs path
 * ("/kubepods/besteffort/podUID/ID") or systemd's "SLICE:PREFIX:NAME"
 * whose slice is a granted one or nested in it ("kubepods-besteffort.slice"
 * in "kubepods.slice"). Empty is runc's own default, "/ID". */
static bool systemd_slice_in(const char *slice, size_t len, const char *parent)
{
	size_t lp = strlen(parent) - 6; /* without ".slice" */

	if (len == strlen(parent) && strncmp(slice, parent, len) == 0)
		return true;
	return len > lp + 7 && strncmp(slice, parent, lp) == 0 &&
	       slice[lp] == '-' && strncmp(slice + len - 6, ".slice", 6) == 0;
}

static bool cgroup_granted(const struct hs_config *cfg, const char *path)
{
	const char *colon = strchr(path, ':');
	char norm[HS_PATH_MAX];
	size_t i;

	if (hs_path_has_dotdot(path))
		return false;
	for (i = 0; i < cfg->n_cgroup_parents; i++) {
		const char *parent = cfg->cgroup_parents[i];

		if (colon && parent[0] != '/' && !strchr(colon + 1, '/') &&
		    strchr(colon + 1, ':') &&
		    systemd_slice_in(path, (size_t)(colon - path), parent))
			return true;
		if (!colon && parent[0] == '/' &&
		    hs_path_normalize(path, norm, sizeof(norm)) == 0 &&
		    strcmp(norm, parent) != 0 &&
		    hs_path_is_beneath(norm, parent))
			return true;
	}
	return false;
}

static int check_cgroups_path(const json_t *lnx, const struct hs_config *cfg,
			      const char *file, struct hs_error *err)
{
	const char *path =
		json_string_value(json_object_get(lnx, "cgroupsPath"));

	if (!path || !*path || cgroup_granted(cfg, path))
		return 0;
	return hs_json_err(err, file, "linux.cgroupsPath",
			   "\"%s\" is not beneath a cgroup parent config.json "
			   "grants (cgroupParents), refused",
			   path);
}

/* Shared root propagation would let the container's mounts appear on the
 * host, as the shared bind mounts refused above would. */
static int check_propagation(const json_t *lnx, const char *file,
			     struct hs_error *err)
{
	const char *prop =
		json_string_value(json_object_get(lnx, "rootfsPropagation"));

	if (prop &&
	    (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0))
		return hs_json_err(err, file, "linux.rootfsPropagation",
				   "\"%s\" propagation, refused", prop);
	return 0;
}

static int check_devices(const json_t *lnx, const struct hs_policy *policy,
			 const char *file, struct hs_error *err)
{
	const json_t *devices = json_object_get(lnx, "devices");
	const json_t *res = json_object_get(lnx, "resources");
	const json_t *rules = json_object_get(res, "devices");
	size_t i;
	json_t *r;
	int ret = 0;

	if (policy->allow_devices)
		return 0;
	if (json_array_size(devices) > 0)
		ret = hs_json_err(
			err, file, "linux.devices",
			"added device \"%s\" (%zu extra devices), refused by "
			"policy \"%s\" (spec.allowDevices)",
			json_string_value(json_object_get(
				json_array_get(devices, 0), "path"))
				?: "",
			json_array_size(devices), policy->name);
	/* {"allow": true, "access": "rwm"} with no type or major is what a
	 * privileged container gets: every device on the host. */
	json_array_foreach (rules, i, r) {
		char p[80];
		const json_t *type = json_object_get(r, "type");

		if (!json_is_true(json_object_get(r, "allow")))
			continue;
		hs_json_path_index(p, sizeof(p), "linux.resources.devices", i);
		if (!json_is_string(type) ||
		    strcmp(json_string_value(type), "a") == 0 ||
		    !json_is_integer(json_object_get(r, "major")) ||
		    json_integer_value(json_object_get(r, "major")) < 0)
			ret = hs_json_err(err, file, p,
					  "allows every device, refused");
		/* A block device is a host disk, raw: no tenant needs one. */
		else if (strcmp(json_string_value(type), "b") == 0)
			ret = hs_json_err(err, file, p,
					  "allows a block device, refused");
	}
	return ret;
}

static bool sysctl_allowed(const struct hs_policy *policy, const char *name)
{
	size_t i;
	json_t *v;

	if (!policy->allowed_sysctls) {
		for (i = 0; hs_default_safe_sysctls[i]; i++)
			if (strcmp(hs_default_safe_sysctls[i], name) == 0)
				return true;
		return false;
	}
	json_array_foreach (policy->allowed_sysctls, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

static int check_sysctls(const json_t *lnx, const struct hs_policy *policy,
			 const char *file, struct hs_error *err)
{
	const json_t *sysctl = json_object_get(lnx, "sysctl");
	const char *key;
	json_t *v;
	int ret = 0;

	json_object_foreach ((json_t *)sysctl, key, v) {
		char p[HS_ERR_MSG_MAX];

		hs_json_path_key(p, sizeof(p), "linux.sysctl", key);
		if (!sysctl_allowed(policy, key))
			ret = hs_json_err(err, file, p,
					  "sysctl \"%s\" is not in the safe "
					  "namespaced set, refused",
					  key);
	}
	return ret;
}

int hs_spec_check_linux(const json_t *lnx, const struct hs_policy *policy,
			const struct hs_config *cfg, const char *file,
			struct hs_error *err)
{
	int ret = 0;

	if (check_cgroups_path(lnx, cfg, file, err) < 0)
		ret = -1;
	if (check_propagation(lnx, file, err) < 0)
		ret = -1;
	if (check_devices(lnx, policy, file, err) < 0)
		ret = -1;
	if (check_sysctls(lnx, policy, file, err) < 0)
		ret = -1;
	return ret;
}
