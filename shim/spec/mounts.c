/* Mounts: an allow-list of types, each with its rules, and of bind sources.
 *
 * A mount whose type or source the policy does not grant is refused: any
 * filesystem type could mount a host disk (ext4 of /dev/vda), expose host
 * directories (overlay's lowerdir) or every device (devtmpfs), and a bind
 * of any host directory could replace binaries that later containers run.
 *   proc      only at /proc, so masked and read-only paths cover it;
 *   sysfs, cgroup, cgroup2  read-only;
 *   tmpfs, mqueue, devpts   no host data behind them;
 *   bind      from the engine's own directories for this pod or container
 *             (config.json "engineDirs", with the engine's ids filled in),
 *             or from a host path the policy grants, read-only unless the
 *             policy says otherwise.
 * No non-bind mount may name a host path (a block device, a directory) as
 * its source. runc follows symlinks in a bind's source, so the source is
 * judged both as written and where it leads; one that does not exist is
 * refused, since it cannot be judged. Shared propagation, which would let
 * a container's mounts appear on the host, is refused on any mount. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_path.h"
#include "spec_internal.h"

static bool has_option(const json_t *options, const char *opt)
{
	size_t i;
	json_t *v;

	json_array_foreach (options, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), opt) == 0)
			return true;
	return false;
}

/* The value of the variable `p` starts with ({id}, {sandbox}, {podUid}),
 * with its length in `*len`; NULL when it is none or unknown here. */
static const char *template_var(const char *p, const struct hs_spec_pod *pod,
				size_t *len)
{
	const struct {
		const char *var;
		const char *value;
	} vars[] = {
		{HS_ENGINE_VAR_ID, pod->id},
		{HS_ENGINE_VAR_SANDBOX, pod->sandbox},
		{HS_ENGINE_VAR_POD_UID, pod->pod_uid},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(vars); i++)
		if (strncmp(p, vars[i].var, strlen(vars[i].var)) == 0) {
			*len = strlen(vars[i].var);
			return vars[i].value;
		}
	return NULL;
}

/* A template of config.json "engineDirs" with the pod's ids filled in;
 * -1 when a variable it names is unknown for this spec. The config checked
 * that every "{" starts a whole-component variable. */
static int expand_template(const char *tmpl, const struct hs_spec_pod *pod,
			   char *out, size_t size)
{
	size_t len = 0;
	const char *p = tmpl;

	while (*p) {
		const char *value = p;
		size_t n = 1, vlen = 1;

		if (*p == '{') {
			value = template_var(p, pod, &n);
			if (!value)
				return -1;
			vlen = strlen(value);
		}
		if (len + vlen >= size)
			return -1;
		memcpy(out + len, value, vlen);
		len += vlen;
		p += n;
	}
	out[len] = '\0';
	return 0;
}

/* True when `src` (normalised) and `real` (where it leads) both lie in
 * `dir`, itself judged where it leads. */
static bool source_in(const char *src, const char *real, const char *dir)
{
	char dir_real[PATH_MAX];

	return hs_path_is_beneath(src, dir) && realpath(dir, dir_real) &&
	       hs_path_is_beneath(real, dir_real);
}

static bool engine_owned(const struct hs_config *cfg,
			 const struct hs_spec_pod *pod, const char *src,
			 const char *real)
{
	size_t i;

	for (i = 0; i < cfg->n_engine_dirs; i++) {
		char dir[HS_PATH_MAX];

		if (expand_template(cfg->engine_dirs[i], pod, dir,
				    sizeof(dir)) == 0 &&
		    source_in(src, real, dir))
			return true;
	}
	return false;
}

/* runc applies options in order: of "ro" and "rw", the last one wins. */
bool hs_spec_options_read_only(const json_t *options)
{
	bool ro = false;
	size_t i;
	json_t *v;

	json_array_foreach (options, i, v) {
		const char *o = json_string_value(v);

		if (o && strcmp(o, "ro") == 0)
			ro = true;
		else if (o && strcmp(o, "rw") == 0)
			ro = false;
	}
	return ro;
}

/* Makes a bind read-only: every "rw" goes, and "ro" is added unless one
 * is left, so no later option can undo it. */
static int make_read_only(json_t *m)
{
	json_t *opts = json_object_get(m, "options");
	size_t i;

	if (!opts) {
		opts = json_array();
		if (!opts || json_object_set_new(m, "options", opts) < 0)
			return -1;
	}
	for (i = json_array_size(opts); i-- > 0;) {
		const char *o = json_string_value(json_array_get(opts, i));

		if (o && strcmp(o, "rw") == 0 && json_array_remove(opts, i) < 0)
			return -1;
	}
	return hs_spec_options_read_only(opts)
		       ? 0
		       : json_array_append_new(opts, json_string("ro"));
}

static int check_bind(json_t *m, const char *src,
		      const struct hs_policy *policy,
		      const struct hs_config *cfg,
		      const struct hs_spec_pod *pod, const char *file,
		      const char *p, struct hs_error *err)
{
	char norm[HS_PATH_MAX], real[PATH_MAX];
	size_t i;

	if (!src || hs_path_normalize(src, norm, sizeof(norm)) < 0)
		return hs_json_err(
			err, file, p,
			"bind source \"%s\" must be an absolute path",
			src ? src : "");
	if (!realpath(norm, real))
		return hs_json_err(err, file, p,
				   "bind source \"%s\": %s, refused", src,
				   strerror(errno));
	if (engine_owned(cfg, pod, norm, real) || policy->any_host_path)
		return 0;
	for (i = 0; i < policy->n_host_paths; i++) {
		const struct hs_host_path *hp = &policy->host_paths[i];

		if (!source_in(norm, real, hp->path))
			continue;
		if (hp->read_only && make_read_only(m) < 0)
			return hs_err(err, ENOMEM, "%s: out of memory", file);
		return 0;
	}
	return hs_json_err(
		err, file, p,
		"hostPath \"%s\": bind mount of host path \"%s\" is "
		"neither the engine's own directory for this pod nor "
		"granted by policy \"%s\" (spec.hostPaths), refused",
		src, src, policy->name);
}

static int check_typed(const json_t *m, const char *type, const char *src,
		       const char *dst, const struct hs_policy *policy,
		       bool *seen_proc, const char *file, const char *p,
		       struct hs_error *err)
{
	const json_t *opts = json_object_get(m, "options");
	uint32_t bit = hs_policy_mount_type(type);
	char norm[HS_PATH_MAX];

	if (!bit || !(policy->mount_types & bit))
		return hs_json_err(err, file, p,
				   "a mount of type \"%s\" is not granted by "
				   "policy \"%s\" (spec.mountTypes), refused",
				   type, policy->name);
	if (src && src[0] == '/')
		return hs_json_err(err, file, p,
				   "a %s mount with the host path \"%s\" as "
				   "its source, refused",
				   type, src);
	if (bit == HS_MOUNT_PROC) {
		if (!dst || hs_path_normalize(dst, norm, sizeof(norm)) < 0 ||
		    strcmp(norm, "/proc") != 0 || *seen_proc)
			return hs_json_err(err, file, p,
					   "proc is granted only once, at "
					   "/proc, where the masked and "
					   "read-only paths cover it, refused");
		*seen_proc = true;
	}
	if ((bit & (HS_MOUNT_SYSFS | HS_MOUNT_CGROUP | HS_MOUNT_CGROUP2)) &&
	    !policy->writable_sysfs && !hs_spec_options_read_only(opts))
		return hs_json_err(err, file, p,
				   "%s mounted read-write (what a privileged "
				   "container gets), refused",
				   type);
	return 0;
}

int hs_spec_check_mounts(json_t *spec, const struct hs_policy *policy,
			 const struct hs_config *cfg,
			 const struct hs_spec_pod *pod, const char *file,
			 struct hs_error *err)
{
	const json_t *mounts = json_object_get(spec, "mounts");
	bool seen_proc = false;
	size_t i;
	json_t *m;
	int ret = 0;

	if (json_array_size(mounts) > HS_SPEC_MAX_MOUNTS)
		return hs_json_err(err, file, "mounts",
				   "%zu mounts, more than the limit of %d",
				   json_array_size(mounts), HS_SPEC_MAX_MOUNTS);
	json_array_foreach (mounts, i, m) {
		char p[64];
		const json_t *opts = json_object_get(m, "options");
		const char *type =
			json_string_value(json_object_get(m, "type"));
		const char *src =
			json_string_value(json_object_get(m, "source"));
		const char *dst =
			json_string_value(json_object_get(m, "destination"));

		hs_json_path_index(p, sizeof(p), "mounts", i);
		if (has_option(opts, "shared") || has_option(opts, "rshared")) {
			ret = hs_json_err(err, file, p,
					  "shared mount propagation, refused");
			continue;
		}
		/* runc binds whatever carries the bind flag, whatever its
		 * type says. */
		if ((type && strcmp(type, "bind") == 0) ||
		    has_option(opts, "bind") || has_option(opts, "rbind")) {
			if (check_bind(m, src, policy, cfg, pod, file, p, err) <
			    0)
				ret = -1;
		} else if (check_typed(m, type ? type : "", src, dst, policy,
				       &seen_proc, file, p, err) < 0) {
			ret = -1;
		}
	}
	return ret;
}
