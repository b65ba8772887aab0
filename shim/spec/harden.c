/* Spec hardening: the rules of DESIGN.md "Enforcement, in order", step 1.
 *
 * Trust: the spec comes from the engine but carries tenant-chosen values
 * (capabilities, user, mounts, sysctls, annotations). Everything here
 * only narrows: capability sets are intersected, never extended; paths are
 * added to the masked lists, never removed; a host namespace, a sensitive
 * bind mount, a device or an unsafe sysctl is refused outright rather than
 * edited, so that a tenant never runs with a spec it did not ask for except
 * where the policy says to remap (uid 0). The order below is safe because
 * each step reads only what earlier steps have already fixed: the seccomp
 * profile is resolved last, against the final bounding set. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_spec.h"

/* OCI namespace types and their /proc/PID/ns names. */
static const struct {
	const char *oci;
	const char *proc;
	enum hs_ns bit;
} namespaces[] = {
	{"pid", "pid", HS_NS_PID},	    {"network", "net", HS_NS_NETWORK},
	{"mount", "mnt", HS_NS_MOUNT},	    {"ipc", "ipc", HS_NS_IPC},
	{"uts", "uts", HS_NS_UTS},	    {"user", "user", HS_NS_USER},
	{"cgroup", "cgroup", HS_NS_CGROUP},
};

/* Host paths whose bind mount gives a container the host: used when the
 * policy does not list its own. */
static const char *const default_forbidden_paths[] = {
	"/",
	"/proc",
	"/sys",
	"/dev",
	"/etc",
	"/root",
	"/boot",
	"/var/run",
	"/run",
	"/var/lib/kubelet",
	"/var/lib/containerd",
	"/var/run/docker.sock",
	"/run/containerd/containerd.sock",
	"/run/crio/crio.sock",
	"/run/podman/podman.sock",
	NULL,
};

/* Kubernetes' "safe" sysctls: namespaced, and unable to affect other pods. */
static const char *const default_safe_sysctls[] = {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	NULL,
};

static const char *const cap_sets[] = {"bounding", "effective", "inheritable",
				       "permitted", "ambient"};

static json_t *object_child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!o) {
		o = json_object();
		if (!o || json_object_set_new(parent, key, o) < 0)
			return NULL;
	}
	return json_is_object(o) ? o : NULL;
}

/* --- keys runc would read differently ------------------------------------ */

/* runc decodes the spec with Go's encoding/json, which matches a key to a
 * struct field ignoring case (and folds the Kelvin sign and long s to k
 * and s). hardshim reads keys exactly. So "Mounts", or a second "Seccomp"
 * after "seccomp", would be read by runc but not by the checks here: any
 * key that folds onto one of the fields hardshim reads, or onto another
 * key of the same object, and any non-ASCII key, is refused. Objects that
 * Go decodes into maps (annotations, sysctls, cgroup v2 unified) keep
 * their keys exact and are not subject to this. */
static const char *const read_keys[] = {
	"ociVersion",
	"process",
	"root",
	"mounts",
	"hooks",
	"annotations",
	"linux",
	"namespaces",
	"type",
	"path",
	"source",
	"destination",
	"options",
	"capabilities",
	"bounding",
	"effective",
	"inheritable",
	"permitted",
	"ambient",
	"user",
	"uid",
	"gid",
	"additionalGids",
	"noNewPrivileges",
	"devices",
	"resources",
	"sysctl",
	"maskedPaths",
	"readonlyPaths",
	"seccomp",
	"readonly",
	"allow",
	"major",
	"minor",
	"access",
	"apparmorProfile",
	"selinuxLabel",
	"rootfsPropagation",
	"createRuntime",
	"poststart",
	"poststop",
	"prestart",
	"args",
	"env",
	"timeout",
	NULL,
};
static const char *const map_keys[] = {"annotations", "sysctl", "unified",
				       NULL};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int check_key_case(const json_t *v, const char *key, const char *file,
			  const char *path, struct hs_error *err)
{
	const char *k, *k2;
	json_t *child, *c2;
	size_t i;
	int ret = 0;

	if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			char p[HS_ERR_MSG_MAX];

			hs_json_path_index(p, sizeof(p), path, i);
			if (check_key_case(child, key, file, p, err) < 0)
				ret = -1;
		}
		return ret;
	}
	if (!json_is_object(v) || (key && in_list(map_keys, key)))
		return 0;
	json_object_foreach ((json_t *)v, k, child) {
		char p[HS_ERR_MSG_MAX];
		const char *const *r;
		const char *u;

		hs_json_path_key(p, sizeof(p), path, k);
		for (u = k; *u && !(*u & 0x80); u++)
			;
		if (*u) {
			ret = hs_json_err(err, file, p,
					  "a non-ASCII key, which runc could "
					  "read as another field, refused");
			continue;
		}
		for (r = read_keys; *r; r++)
			if (strcasecmp(k, *r) == 0 && strcmp(k, *r) != 0)
				break;
		if (*r) {
			ret = hs_json_err(err, file, p,
					  "differs from \"%s\" only in case, "
					  "which runc reads as the same field, "
					  "refused",
					  *r);
			continue;
		}
		json_object_foreach ((json_t *)v, k2, c2) {
			(void)c2;
			if (k2 != k && strcasecmp(k, k2) == 0 &&
			    strcmp(k, k2) < 0)
				ret = hs_json_err(
					err, file, p,
					"\"%s\" and \"%s\" differ only "
					"in case, refused",
					k, k2);
		}
		if (check_key_case(child, k, file, p, err) < 0)
			ret = -1;
	}
	return ret;
}

/* --- namespaces ---------------------------------------------------------- */

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A namespace given by path must not be the host's: compared with the
 * namespaces of pid 1 and of hardshim itself, which the engine starts in
 * the host's namespaces. */
static bool is_host_namespace(const char *proc_name, const char *path)
{
	char self[64], init[64];

	snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name);
	snprintf(init, sizeof(init), "/proc/1/ns/%s", proc_name);
	return same_file(path, self) || same_file(path, init);
}

static int check_namespaces(json_t *lnx, const struct hs_policy *policy,
			    const char *file, struct hs_error *err)
{
	const json_t *list = json_object_get(lnx, "namespaces");
	uint32_t seen = 0, required;
	size_t i, j;
	json_t *ns;
	int ret = 0;

	if (list && !json_is_array(list))
		return hs_json_err(err, file, "linux.namespaces",
				   "must be an array");
	json_array_foreach (list, i, ns) {
		char p[64];
		const char *type = NULL, *path = NULL;

		hs_json_path_index(p, sizeof(p), "linux.namespaces", i);
		if (!json_is_object(ns) ||
		    hs_json_get_string(ns, "type", true, &type, file, p, err) <
			    0 ||
		    hs_json_get_string(ns, "path", false, &path, file, p, err) <
			    0) {
			ret = -1;
			continue;
		}
		for (j = 0; j < HS_ARRAY_SIZE(namespaces); j++)
			if (strcmp(namespaces[j].oci, type) == 0)
				break;
		if (j == HS_ARRAY_SIZE(namespaces))
			continue; /* "time" and future types: not ours to judge
				   */
		if (path && access(path, F_OK) < 0) {
			/* runc could not join it either; say why here. */
			ret = hs_json_err(err, file, p,
					  "namespace path \"%s\": %s, refused",
					  path, strerror(errno));
			continue;
		}
		if (path && is_host_namespace(namespaces[j].proc, path)) {
			ret = hs_json_err(err, file, p,
					  "\"%s\" is the host's %s namespace, "
					  "refused",
					  path, type);
			continue;
		}
		seen |= namespaces[j].bit;
	}
	/* A network policy is installed in the container's own namespace;
	 * with the host's, there would be nothing to install it in. */
	required =
		policy->required_ns | (policy->has_network ? HS_NS_NETWORK : 0);
	for (j = 0; j < HS_ARRAY_SIZE(namespaces); j++)
		if ((required & namespaces[j].bit) &&
		    !(seen & namespaces[j].bit))
			ret = hs_json_err(err, file, "linux.namespaces",
					  "no %s namespace of its own: the "
					  "host's would be shared, refused",
					  namespaces[j].oci);
	return ret;
}

/* --- mounts -------------------------------------------------------------- */

/* Lexical clean-up of an absolute path: no "//", "." or trailing "/".
 * ".." is resolved too, so "/tmp/../etc" is seen as "/etc". */
static int normalize_path(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p = in;

	if (in[0] != '/' || strlen(in) >= size)
		return -1;
	out[0] = '\0';
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, seg, n);
		len += n;
		out[len] = '\0';
	}
	if (len == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

/* True when mounting `src` would expose `forbidden`: the same path, a path
 * beneath it, or a parent of it (binding /var exposes /var/run). */
static bool exposes(const char *src, const char *forbidden)
{
	size_t ls = strlen(src), lf = strlen(forbidden);

	if (strcmp(src, forbidden) == 0 || strcmp(src, "/") == 0)
		return true;
	if (strcmp(forbidden, "/") == 0)
		return false; /* "/" forbids only itself, checked above */
	if (ls > lf && strncmp(src, forbidden, lf) == 0 && src[lf] == '/')
		return true;
	return lf > ls && strncmp(forbidden, src, ls) == 0 &&
	       forbidden[ls] == '/';
}

static const char *forbidden_match(const struct hs_policy *policy,
				   const char *src)
{
	size_t i;
	json_t *v;

	if (!policy->forbidden_host_paths) {
		for (i = 0; default_forbidden_paths[i]; i++)
			if (exposes(src, default_forbidden_paths[i]))
				return default_forbidden_paths[i];
		return NULL;
	}
	json_array_foreach (policy->forbidden_host_paths, i, v)
		if (exposes(src, json_string_value(v)))
			return json_string_value(v);
	return NULL;
}

static bool has_option(const json_t *options, const char *opt)
{
	size_t i;
	json_t *v;

	json_array_foreach (options, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), opt) == 0)
			return true;
	return false;
}

static int check_bind_source(const struct hs_policy *policy, const char *src,
			     const char *file, const char *path,
			     struct hs_error *err)
{
	char norm[HS_PATH_MAX], real[PATH_MAX];
	const char *hit;

	if (normalize_path(src, norm, sizeof(norm)) < 0)
		return hs_json_err(
			err, file, path,
			"bind source \"%s\" must be an absolute path", src);
	hit = forbidden_match(policy, norm);
	/* runc follows symlinks in the source, so judge where it leads too. */
	if (!hit && realpath(norm, real))
		hit = forbidden_match(policy, real);
	if (hit)
		return hs_json_err(err, file, path,
				   "bind mount of host path \"%s\" exposes "
				   "\"%s\", refused",
				   src, hit);
	return 0;
}

static int check_mounts(json_t *spec, const struct hs_policy *policy,
			const char *file, struct hs_error *err)
{
	const json_t *mounts = json_object_get(spec, "mounts");
	size_t i;
	json_t *m;
	int ret = 0;

	if (mounts && !json_is_array(mounts))
		return hs_json_err(err, file, "mounts", "must be an array");
	if (json_array_size(mounts) > HS_SPEC_MAX_MOUNTS)
		return hs_json_err(err, file, "mounts",
				   "%zu mounts, more than the limit of %d",
				   json_array_size(mounts), HS_SPEC_MAX_MOUNTS);
	json_array_foreach (mounts, i, m) {
		char p[64];
		const char *type = "", *src = NULL;
		const json_t *opts;

		hs_json_path_index(p, sizeof(p), "mounts", i);
		if (!json_is_object(m)) {
			ret = hs_json_err(err, file, p, "must be an object");
			continue;
		}
		opts = json_object_get(m, "options");
		if (hs_json_get_string(m, "type", false, &type, file, p, err) <
			    0 ||
		    hs_json_get_string(m, "source", false, &src, file, p, err) <
			    0) {
			ret = -1;
			continue;
		}
		/* Shared propagation lets a container's mounts appear on the
		 * host: Kubernetes reserves it for privileged pods. */
		if (has_option(opts, "shared") || has_option(opts, "rshared"))
			ret = hs_json_err(err, file, p,
					  "shared mount propagation, refused");
		if (src &&
		    (strcmp(type, "bind") == 0 || has_option(opts, "bind") ||
		     has_option(opts, "rbind")) &&
		    check_bind_source(policy, src, file, p, err) < 0)
			ret = -1;
	}
	return ret;
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

/* --- devices and sysctls ------------------------------------------------- */

static int check_devices(json_t *lnx, const struct hs_policy *policy,
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
		ret = hs_json_err(err, file, "linux.devices",
				  "%zu extra devices, refused by the policy",
				  json_array_size(devices));
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
		for (i = 0; default_safe_sysctls[i]; i++)
			if (strcmp(default_safe_sysctls[i], name) == 0)
				return true;
		return false;
	}
	json_array_foreach (policy->allowed_sysctls, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

static int check_sysctls(json_t *lnx, const struct hs_policy *policy,
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

/* --- capabilities -------------------------------------------------------- */

static json_t *capset_to_json(hs_capset_t set)
{
	json_t *a = json_array();
	int c;

	for (c = 0; a && c <= hs_caps_last(); c++) {
		char name[64];

		if (!(set & ((hs_capset_t)1 << c)))
			continue;
		if (hs_caps_to_name(c, name, sizeof(name)) == 0)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

/* Every set becomes requested ∩ ceiling; ambient is emptied unless the
 * policy allows it. Unknown names are refused: runc would reject some and
 * silently skip others, and a reviewer must see exactly what was asked. */
static int harden_caps(json_t *process, const struct hs_policy *policy,
		       const char *file, const char *path,
		       hs_capset_t *ret_bounding, struct hs_error *err)
{
	char base[128];
	json_t *caps;
	size_t s;
	int ret = 0;

	hs_json_path_key(base, sizeof(base), path, "capabilities");
	caps = json_object_get(process, "capabilities");
	if (!caps) {
		*ret_bounding = 0;
		return 0;
	}
	if (!json_is_object(caps))
		return hs_json_err(err, file, base, "must be an object");
	for (s = 0; s < HS_ARRAY_SIZE(cap_sets); s++) {
		char p[160];
		const json_t *list = json_object_get(caps, cap_sets[s]);
		hs_capset_t want = 0;
		size_t i;
		json_t *v;

		if (!list)
			continue;
		hs_json_path_key(p, sizeof(p), base, cap_sets[s]);
		if (!json_is_array(list)) {
			ret = hs_json_err(err, file, p, "must be an array");
			continue;
		}
		json_array_foreach (list, i, v) {
			char pi[192];
			int c = json_is_string(v)
					? hs_caps_from_name(
						  json_string_value(v))
					: -1;

			hs_json_path_index(pi, sizeof(pi), p, i);
			if (c < 0)
				ret = hs_json_err(
					err, file, pi,
					"unknown capability %s%s%s",
					json_is_string(v) ? "\"" : "",
					json_is_string(v) ? json_string_value(v)
							  : "(not a string)",
					json_is_string(v) ? "\"" : "");
			else
				want |= (hs_capset_t)1 << c;
		}
		want &= policy->cap_ceiling;
		if (strcmp(cap_sets[s], "ambient") == 0 &&
		    !policy->allow_ambient)
			want = 0;
		if (strcmp(cap_sets[s], "bounding") == 0)
			*ret_bounding = want;
		/* Failing to narrow must not leave the request in place. */
		if (json_object_set_new(caps, cap_sets[s],
					capset_to_json(want)) < 0)
			return hs_err(err, ENOMEM, "%s: out of memory", file);
	}
	if (!json_object_get(caps, "bounding"))
		*ret_bounding = 0;
	return ret;
}

/* --- user ---------------------------------------------------------------- */

int hs_spec_apply_user_rule(const struct hs_policy *policy, uint32_t *uid,
			    uint32_t *gid, const char *file, const char *path,
			    struct hs_error *err)
{
	if (!policy->run_as_non_root || (*uid != 0 && *gid != 0))
		return 0;
	if (policy->root_rule == HS_ROOT_REFUSE)
		return hs_json_err(err, file, path,
				   "runs as %s 0, refused by policy \"%s\" "
				   "(runAsNonRoot)",
				   *uid == 0 ? "uid" : "gid", policy->name);
	if (*uid == 0)
		*uid = policy->uid;
	if (*gid == 0)
		*gid = policy->gid;
	return 0;
}

static int harden_user(json_t *process, const struct hs_policy *policy,
		       const char *file, const char *path, struct hs_error *err)
{
	char p[128];
	json_t *user = object_child(process, "user");
	const json_t *uid_j, *gid_j, *extra;
	uint32_t uid = 0, gid = 0;
	size_t i;
	json_t *v;

	hs_json_path_key(p, sizeof(p), path, "user");
	if (!user)
		return hs_json_err(err, file, p, "must be an object");
	uid_j = json_object_get(user, "uid");
	gid_j = json_object_get(user, "gid");
	if ((uid_j && !json_is_integer(uid_j)) ||
	    (gid_j && !json_is_integer(gid_j)) ||
	    json_integer_value(uid_j) < 0 || json_integer_value(gid_j) < 0 ||
	    json_integer_value(uid_j) > UINT32_MAX ||
	    json_integer_value(gid_j) > UINT32_MAX)
		return hs_json_err(err, file, p,
				   "uid and gid must be integers in [0, %u]",
				   UINT32_MAX);
	uid = (uint32_t)json_integer_value(uid_j);
	gid = (uint32_t)json_integer_value(gid_j);
	if (hs_spec_apply_user_rule(policy, &uid, &gid, file, p, err) < 0)
		return -1;
	if (json_object_set_new(user, "uid", json_integer(uid)) < 0 ||
	    json_object_set_new(user, "gid", json_integer(gid)) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	extra = json_object_get(user, "additionalGids");
	json_array_foreach (extra, i, v) {
		char pg[160];

		if (json_is_integer(v) && json_integer_value(v) > 0)
			continue;
		if (!policy->run_as_non_root && json_is_integer(v))
			continue;
		hs_json_path_key(pg, sizeof(pg), p, "additionalGids");
		return hs_json_err(err, file, pg,
				   "group 0 (or a non-integer) among the "
				   "additional groups, refused");
	}
	return 0;
}

/* An "unconfined" AppArmor profile is how a privileged container or exec
 * asks to leave the engine's confinement; hardshim never grants that. */
static int check_apparmor(const json_t *process, const char *file,
			  const char *path, struct hs_error *err)
{
	const char *profile =
		json_string_value(json_object_get(process, "apparmorProfile"));
	char p[160];

	if (!profile || strcmp(profile, "unconfined") != 0)
		return 0;
	hs_json_path_key(p, sizeof(p), path, "apparmorProfile");
	return hs_json_err(err, file, p, "\"unconfined\" is refused");
}

int hs_spec_harden_process(json_t *process, const struct hs_policy *policy,
			   const char *file, const char *path,
			   struct hs_error *err)
{
	hs_capset_t bounding;
	int ret = 0;

	if (!json_is_object(process))
		return hs_json_err(err, file, path, "must be an object");
	if (check_key_case(process, NULL, file, path, err) < 0 ||
	    check_apparmor(process, file, path, err) < 0)
		return -1;
	if (harden_caps(process, policy, file, path, &bounding, err) < 0)
		ret = -1;
	if (harden_user(process, policy, file, path, err) < 0)
		ret = -1;
	if (json_object_set_new(process, "noNewPrivileges", json_true()) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	return ret;
}

/* --- masked paths, rootfs, annotations, hooks ----------------------------- */

static int add_paths(json_t *lnx, const char *key, const char *const *standard,
		     const json_t *extra, const char *file,
		     struct hs_error *err)
{
	json_t *list = json_object_get(lnx, key);
	char p[64];
	size_t i, j;
	json_t *v, *have;
	bool found;

	hs_json_path_key(p, sizeof(p), "linux", key);
	if (!list) {
		list = json_array();
		json_object_set_new(lnx, key, list);
	}
	if (!json_is_array(list))
		return hs_json_err(err, file, p, "must be an array");
	for (i = 0; standard[i]; i++) {
		const char *want = standard[i];

		found = false;
		json_array_foreach (list, j, have)
			found |= json_is_string(have) &&
				 strcmp(json_string_value(have), want) == 0;
		if (!found)
			json_array_append_new(list, json_string(want));
	}
	json_array_foreach (extra, i, v) {
		found = false;
		json_array_foreach (list, j, have)
			found |= json_equal(have, v);
		if (!found)
			json_array_append(list, v);
	}
	return 0;
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

const char *hs_spec_netns_path(const json_t *spec)
{
	const json_t *list =
		json_object_get(json_object_get(spec, "linux"), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach (list, i, ns) {
		const char *type =
			json_string_value(json_object_get(ns, "type"));

		if (type && strcmp(type, "network") == 0)
			return json_string_value(json_object_get(ns, "path"));
	}
	return NULL;
}

static int inject_hooks(json_t *spec, const struct hs_policy *policy,
			const struct hs_harden_ctx *ctx, const char *file,
			struct hs_error *err)
{
	static const char *const stages[] = {"createRuntime", "poststart",
					     "poststop"};
	json_t *hooks = object_child(spec, "hooks");
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
		json_t *list = json_object_get(hooks, stages[i]);
		json_t *h = hook_entry(ctx, stages[i]);

		if (!h)
			return hs_err(err, ENOMEM, "%s: cannot build hook",
				      file);
		if (!list) {
			list = json_array();
			json_object_set_new(hooks, stages[i], list);
		}
		if (!json_is_array(list) ||
		    json_array_size(list) >= HS_SPEC_MAX_HOOKS) {
			json_decref(h);
			return hs_json_err(err, file, "hooks",
					   "%s must be an array of at most %d "
					   "hooks",
					   stages[i], HS_SPEC_MAX_HOOKS);
		}
		/* Hardening twice (a retried create) must not run our hook
		 * twice: drop an earlier copy of it first. */
		for (size_t j = json_array_size(list); j-- > 0;)
			if (json_equal(json_array_get(list, j), h))
				json_array_remove(list, j);
		/* Ours first: the network is isolated before any other hook
		 * runs, and attestation sees the process before they do. */
		json_array_insert_new(list, 0, h);
	}
	return 0;
}

static int set_annotations(json_t *spec, const struct hs_policy *policy,
			   const char *digest, const char *file,
			   struct hs_error *err)
{
	json_t *ann = object_child(spec, "annotations");

	if (!ann)
		return hs_json_err(err, file, "annotations",
				   "must be an object");
	/* Room for the two we add: the hooks refuse a state with more. */
	json_object_del(ann, HS_ANNOTATION_POLICY);
	json_object_del(ann, HS_ANNOTATION_DIGEST);
	if (json_object_size(ann) > HS_SPEC_MAX_ANNOTATIONS - 2)
		return hs_json_err(err, file, "annotations",
				   "%zu annotations, more than the limit of %d "
				   "(%d with hardshim's own two)",
				   json_object_size(ann),
				   HS_SPEC_MAX_ANNOTATIONS - 2,
				   HS_SPEC_MAX_ANNOTATIONS);
	json_object_set_new(ann, HS_ANNOTATION_POLICY,
			    json_string(policy->name));
	json_object_set_new(ann, HS_ANNOTATION_DIGEST, json_string(digest));
	return 0;
}

/* The profile is resolved against the container's final bounding set (as
 * Docker resolves includes.caps) and compiled by the planner, so that a
 * profile that cannot be built stops the start here, with a reason,
 * instead of inside runc. */
static int set_seccomp(json_t *spec, json_t *lnx,
		       const struct hs_policy *policy, hs_capset_t bounding,
		       const struct hs_harden_ctx *ctx, const char *file,
		       struct hs_error *err)
{
	struct hs_caps_names caps;
	struct hs_resolve_ctx rctx = ctx->node;
	struct hs_seccomp_plan plan;
	hs_seccomp_planner planner =
		ctx->planner ? ctx->planner : hs_plan_seccomp;
	int ret;

	hs_caps_names(bounding, &caps);
	rctx.caps = caps.list;
	if (planner(policy, &rctx, ctx->planner_data, &plan, err) < 0)
		return -1;
	if (json_object_set(lnx, "seccomp", plan.resolved) < 0)
		ret = hs_err(err, ENOMEM, "%s: out of memory", file);
	else
		ret = set_annotations(spec, policy, plan.digest, file, err);
	hs_plan_free(&plan);
	return ret;
}

int hs_spec_harden(json_t *spec, const struct hs_policy *policy,
		   const struct hs_harden_ctx *ctx, const char *file,
		   struct hs_error *err)
{
	json_t *process, *lnx, *root;
	hs_capset_t bounding = 0;
	int ret = 0;

	if (!json_is_object(spec))
		return hs_json_err(err, file, "", "must be a JSON object");
	if (check_key_case(spec, NULL, file, "", err) < 0)
		return -1;
	process = json_object_get(spec, "process");
	lnx = json_object_get(spec, "linux");
	if (!json_is_object(process))
		return hs_json_err(err, file, "process", "required object");
	if (!json_is_object(lnx))
		return hs_json_err(err, file, "linux", "required object");

	/* Refusals first: none of them depends on an edit. */
	if (check_propagation(lnx, file, err) < 0)
		ret = -1;
	if (check_namespaces(lnx, policy, file, err) < 0)
		ret = -1;
	if (check_mounts(spec, policy, file, err) < 0)
		ret = -1;
	if (check_devices(lnx, policy, file, err) < 0)
		ret = -1;
	if (check_sysctls(lnx, policy, file, err) < 0)
		ret = -1;
	if (check_apparmor(process, file, "process", err) < 0)
		ret = -1;
	if (harden_caps(process, policy, file, "process", &bounding, err) < 0)
		ret = -1;
	if (harden_user(process, policy, file, "process", err) < 0)
		ret = -1;
	if (ret < 0)
		return -1;

	if (json_object_set_new(process, "noNewPrivileges", json_true()) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	if (add_paths(lnx, "maskedPaths", hs_standard_masked_paths,
		      policy->masked_paths, file, err) < 0 ||
	    add_paths(lnx, "readonlyPaths", hs_standard_readonly_paths,
		      policy->readonly_paths, file, err) < 0)
		return -1;
	if (policy->readonly_rootfs) {
		root = object_child(spec, "root");
		if (!root)
			return hs_json_err(err, file, "root",
					   "must be an object");
		json_object_set_new(root, "readonly", json_true());
	}
	if (inject_hooks(spec, policy, ctx, file, err) < 0)
		return -1;
	return set_seccomp(spec, lnx, policy, bounding, ctx, file, err);
}
