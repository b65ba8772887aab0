/* Tenant policies: parsing and validation (pure), and reading them from the
 * policy directory. The seccomp profile a policy names is planned apart
 * (shim/plan.c), because only a container start needs it.
 * Every key is checked; an unknown key or an unknown capability is an
 * error, because a typo that silently dropped a restriction would widen
 * what a tenant may do. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_path.h"
#include "hs_policy.h"

/* runc's default masked and read-only paths: kernel interfaces that leak
 * host information (/proc/kcore, /proc/keys, timer lists) or let a
 * container reconfigure the host (/proc/sys, /proc/sysrq-trigger). */
const char *const hs_standard_masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
	NULL,
};
const char *const hs_standard_readonly_paths[] = {
	"/proc/bus",	       "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger", NULL,
};

/* What no policy may grant as a bind source. A grant is judged by the same
 * rule as a spec's bind (the path, beneath it, or a parent of it), so a
 * policy cannot hand out /var and with it /var/run/docker.sock. */
const char *const hs_sensitive_host_paths[] = {
	"/",
	"/proc",
	"/sys",
	"/dev",
	"/etc",
	"/root",
	"/boot",
	"/usr",
	"/bin",
	"/sbin",
	"/lib",
	"/lib64",
	"/var/run",
	"/run",
	"/var/lib/kubelet",
	"/var/lib/containerd",
	"/var/lib/docker",
	"/var/lib/containers",
	"/var/log",
	NULL,
};

/* Kubernetes' "safe" sysctls: namespaced, and unable to affect other pods.
 * What a policy without spec.allowedSysctls allows. */
const char *const hs_default_safe_sysctls[] = {
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

static const struct {
	const char *name;
	enum hs_mount_type bit;
} mount_type_names[] = {
	{"proc", HS_MOUNT_PROC},     {"sysfs", HS_MOUNT_SYSFS},
	{"cgroup", HS_MOUNT_CGROUP}, {"cgroup2", HS_MOUNT_CGROUP2},
	{"tmpfs", HS_MOUNT_TMPFS},   {"mqueue", HS_MOUNT_MQUEUE},
	{"devpts", HS_MOUNT_DEVPTS},
};

static const char *const policy_keys[] = {
	"name",	       "comment",      "mode",
	"seccomp",     "capabilities", "noNewPrivileges",
	"user",	       "spec",	       "exec",
	"selectable",  "network",      "host",
	"onViolation", NULL,
};
static const char *const host_keys[] = {"namespaces", "anyHostPath",
					"writableSysfs", "unconfinedAppArmor",
					NULL};
static const char *const caps_keys[] = {"ceiling", "allowAmbient", NULL};
static const char *const user_keys[] = {"runAsNonRoot", "root", "uid", "gid",
					NULL};
static const char *const spec_keys[] = {
	"requiredNamespaces", "mountTypes",	"hostPaths",
	"allowDevices",	      "allowedSysctls", "maskedPaths",
	"readonlyPaths",      "readonlyRootfs", NULL,
};
static const char *const host_path_keys[] = {"path", "readOnly", NULL};
static const char *const exec_keys[] = {"allow", NULL};

static const struct {
	const char *name;
	enum hs_ns bit;
} ns_names[] = {
	{"pid", HS_NS_PID},	  {"network", HS_NS_NETWORK},
	{"mount", HS_NS_MOUNT},	  {"ipc", HS_NS_IPC},
	{"uts", HS_NS_UTS},	  {"user", HS_NS_USER},
	{"cgroup", HS_NS_CGROUP},
};

static int parse_ceiling(const json_t *caps, const char *file,
			 struct hs_policy *p, struct hs_error *err)
{
	const json_t *list = NULL;
	size_t i;
	json_t *c;
	int ret = 0;

	if (hs_json_get_string_array(caps, "ceiling", true, HS_POLICY_MAX_LIST,
				     &list, file, "capabilities", err) < 0)
		return -1;
	json_array_foreach (list, i, c) {
		char path[64];
		int cap = hs_caps_from_name(json_string_value(c));

		hs_json_path_index(path, sizeof(path), "capabilities.ceiling",
				   i);
		if (cap < 0)
			ret = hs_json_err(err, file, path,
					  "unknown capability \"%s\"",
					  json_string_value(c));
		else
			p->cap_ceiling |= (hs_capset_t)1 << cap;
	}
	return ret;
}

static int parse_capabilities(const json_t *json, const char *file,
			      struct hs_policy *p, struct hs_error *err)
{
	const json_t *caps = json_object_get(json, "capabilities");

	if (!json_is_object(caps))
		return hs_json_err(err, file, "capabilities",
				   caps ? "must be an object"
					: "required, missing");
	if (hs_json_check_keys(caps, caps_keys, file, "capabilities", err) < 0)
		return -1;
	if (hs_json_get_bool(caps, "allowAmbient", false, &p->allow_ambient,
			     file, "capabilities", err) < 0)
		return -1;
	return parse_ceiling(caps, file, p, err);
}

static int parse_user(const json_t *json, const char *file, struct hs_policy *p,
		      struct hs_error *err)
{
	const json_t *user = json_object_get(json, "user");
	const char *root = "refuse";
	int64_t uid = 65534, gid = 65534;

	p->run_as_non_root = true;
	if (!user)
		return 0;
	if (!json_is_object(user))
		return hs_json_err(err, file, "user", "must be an object");
	if (hs_json_check_keys(user, user_keys, file, "user", err) < 0 ||
	    hs_json_get_bool(user, "runAsNonRoot", false, &p->run_as_non_root,
			     file, "user", err) < 0 ||
	    hs_json_get_string(user, "root", false, &root, file, "user", err) <
		    0 ||
	    hs_json_get_int(user, "uid", false, 1, UINT32_MAX - 1, &uid, file,
			    "user", err) < 0 ||
	    hs_json_get_int(user, "gid", false, 1, UINT32_MAX - 1, &gid, file,
			    "user", err) < 0)
		return -1;
	if (strcmp(root, "refuse") == 0)
		p->root_rule = HS_ROOT_REFUSE;
	else if (strcmp(root, "remap") == 0)
		p->root_rule = HS_ROOT_REMAP;
	else
		return hs_json_err(err, file, "user.root",
				   "\"%s\" is neither \"remap\" nor \"refuse\"",
				   root);
	p->uid = (uint32_t)uid;
	p->gid = (uint32_t)gid;
	return 0;
}

static int check_abs_paths(const json_t *list, const char *file,
			   const char *path, struct hs_error *err)
{
	size_t i;
	json_t *v;
	int ret = 0;

	json_array_foreach (list, i, v) {
		char p[128];
		const char *s = json_string_value(v);

		hs_json_path_index(p, sizeof(p), path, i);
		if (s[0] != '/' || hs_path_has_dotdot(s) ||
		    strlen(s) >= HS_PATH_MAX)
			ret = hs_json_err(err, file, p,
					  "\"%s\" must be an absolute path "
					  "without \"..\"",
					  s);
	}
	return ret;
}

static int parse_namespaces(const json_t *list, const char *file,
			    const char *at, uint32_t *bits,
			    struct hs_error *err)
{
	size_t i, j;
	json_t *v;
	int ret = 0;

	json_array_foreach (list, i, v) {
		char path[64];

		for (j = 0; j < HS_ARRAY_SIZE(ns_names); j++)
			if (strcmp(ns_names[j].name, json_string_value(v)) == 0)
				break;
		hs_json_path_index(path, sizeof(path), at, i);
		if (j == HS_ARRAY_SIZE(ns_names))
			ret = hs_json_err(err, file, path,
					  "unknown namespace type \"%s\"",
					  json_string_value(v));
		else
			*bits |= ns_names[j].bit;
	}
	return ret;
}

uint32_t hs_policy_mount_type(const char *name)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(mount_type_names); i++)
		if (strcmp(mount_type_names[i].name, name) == 0)
			return mount_type_names[i].bit;
	return 0;
}

const char *hs_policy_mount_type_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(mount_type_names); i++)
		if (mount_type_names[i].bit == bit)
			return mount_type_names[i].name;
	return NULL;
}

const char *hs_policy_ns_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].bit == bit)
			return ns_names[i].name;
	return NULL;
}

static int parse_mount_types(const json_t *spec, const char *file,
			     struct hs_policy *p, struct hs_error *err)
{
	const json_t *list = NULL;
	size_t i;
	json_t *v;
	int ret = 0;

	p->mount_types = HS_MOUNT_ALL;
	if (hs_json_get_string_array(spec, "mountTypes", false,
				     HS_POLICY_MAX_LIST, &list, file, "spec",
				     err) < 0)
		return -1;
	if (!list)
		return 0;
	p->mount_types = 0;
	json_array_foreach (list, i, v) {
		char path[64];
		uint32_t bit = hs_policy_mount_type(json_string_value(v));

		hs_json_path_index(path, sizeof(path), "spec.mountTypes", i);
		if (!bit)
			ret = hs_json_err(
				err, file, path,
				"\"%s\" is not a mount type hardshim "
				"grants (proc, sysfs, cgroup, cgroup2, "
				"tmpfs, mqueue, devpts; binds are "
				"granted by source)",
				json_string_value(v));
		p->mount_types |= bit;
	}
	return ret;
}

static int parse_host_path(const json_t *hp, const char *file, const char *path,
			   struct hs_host_path *ret_hp, struct hs_error *err)
{
	char norm[HS_PATH_MAX];
	const char *s = NULL;
	size_t i;

	ret_hp->read_only = true;
	if (!json_is_object(hp))
		return hs_json_err(err, file, path, "must be an object");
	if (hs_json_check_keys(hp, host_path_keys, file, path, err) < 0 ||
	    hs_json_get_string(hp, "path", true, &s, file, path, err) < 0 ||
	    hs_json_get_bool(hp, "readOnly", false, &ret_hp->read_only, file,
			     path, err) < 0)
		return -1;
	if (s[0] != '/' || hs_path_has_dotdot(s) ||
	    hs_path_normalize(s, norm, sizeof(norm)) < 0 ||
	    strcmp(norm, s) != 0)
		return hs_json_err(err, file, path,
				   "\"%s\" must be a normalised absolute path "
				   "(no \"..\", \".\", \"//\" or trailing "
				   "\"/\")",
				   s);
	for (i = 0; hs_sensitive_host_paths[i]; i++)
		if (hs_path_exposes(s, hs_sensitive_host_paths[i]))
			return hs_json_err(err, file, path,
					   "\"%s\" would expose the host's "
					   "\"%s\", which no policy may grant",
					   s, hs_sensitive_host_paths[i]);
	ret_hp->path = s;
	return 0;
}

static int parse_host_paths(const json_t *spec, const char *file,
			    struct hs_policy *p, struct hs_error *err)
{
	const json_t *list = json_object_get(spec, "hostPaths");
	size_t i;
	json_t *v;
	int ret = 0;

	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > HS_POLICY_MAX_LIST)
		return hs_json_err(err, file, "spec.hostPaths",
				   "must be an array of at most %d entries",
				   HS_POLICY_MAX_LIST);
	json_array_foreach (list, i, v) {
		char path[64];

		hs_json_path_index(path, sizeof(path), "spec.hostPaths", i);
		if (parse_host_path(v, file, path,
				    &p->host_paths[p->n_host_paths], err) < 0)
			ret = -1;
		else
			p->n_host_paths++;
	}
	return ret;
}

static int parse_spec(const json_t *json, const char *file, struct hs_policy *p,
		      struct hs_error *err)
{
	const json_t *spec = json_object_get(json, "spec");
	const json_t *ns = NULL;
	int ret = 0;

	p->required_ns =
		HS_NS_PID | HS_NS_NETWORK | HS_NS_MOUNT | HS_NS_IPC | HS_NS_UTS;
	p->mount_types = HS_MOUNT_ALL;
	if (!spec)
		return 0;
	if (!json_is_object(spec))
		return hs_json_err(err, file, "spec", "must be an object");
	if (hs_json_check_keys(spec, spec_keys, file, "spec", err) < 0)
		ret = -1;
	if (hs_json_get_string_array(spec, "requiredNamespaces", false,
				     HS_POLICY_MAX_LIST, &ns, file, "spec",
				     err) < 0)
		ret = -1;
	else if (ns) {
		p->required_ns = 0;
		if (parse_namespaces(ns, file, "spec.requiredNamespaces",
				     &p->required_ns, err) < 0)
			ret = -1;
	}
	if (parse_mount_types(spec, file, p, err) < 0)
		ret = -1;
	if (parse_host_paths(spec, file, p, err) < 0)
		ret = -1;
	if (hs_json_get_string_array(spec, "maskedPaths", false,
				     HS_POLICY_MAX_LIST, &p->masked_paths, file,
				     "spec", err) < 0 ||
	    (p->masked_paths && check_abs_paths(p->masked_paths, file,
						"spec.maskedPaths", err) < 0))
		ret = -1;
	if (hs_json_get_string_array(spec, "readonlyPaths", false,
				     HS_POLICY_MAX_LIST, &p->readonly_paths,
				     file, "spec", err) < 0 ||
	    (p->readonly_paths &&
	     check_abs_paths(p->readonly_paths, file, "spec.readonlyPaths",
			     err) < 0))
		ret = -1;
	if (hs_json_get_string_array(spec, "allowedSysctls", false,
				     HS_POLICY_MAX_LIST, &p->allowed_sysctls,
				     file, "spec", err) < 0 ||
	    hs_json_get_bool(spec, "allowDevices", false, &p->allow_devices,
			     file, "spec", err) < 0 ||
	    hs_json_get_bool(spec, "readonlyRootfs", false, &p->readonly_rootfs,
			     file, "spec", err) < 0)
		ret = -1;
	return ret;
}

static int parse_selectable(const json_t *json, const char *file,
			    struct hs_policy *p, struct hs_error *err)
{
	size_t i;
	json_t *v;
	int ret = 0;

	if (hs_json_get_string_array(json, "selectable", false,
				     HS_POLICY_MAX_LIST, &p->selectable, file,
				     "", err) < 0)
		return -1;
	json_array_foreach (p->selectable, i, v) {
		char path[64];

		hs_json_path_index(path, sizeof(path), "selectable", i);
		if (!hs_policy_name_valid(json_string_value(v)))
			ret = hs_json_err(err, file, path,
					  "\"%s\" is not a policy name",
					  json_string_value(v));
	}
	return ret;
}

/* "host": what of the host a system pod may use. Each switch turns off one
 * protection (README says which); a policy with a network part may have
 * none of them, since each would undo it: the host's network namespace
 * has no table of ours, and a writable sysfs, any host path or an
 * unconfined profile reach the host's network configuration. */
static int parse_host(const json_t *json, const char *file, struct hs_policy *p,
		      struct hs_error *err)
{
	const json_t *host = json_object_get(json, "host");
	const json_t *ns = NULL;

	if (!host)
		return 0;
	if (!json_is_object(host))
		return hs_json_err(err, file, "host", "must be an object");
	if (hs_json_check_keys(host, host_keys, file, "host", err) < 0 ||
	    hs_json_get_string_array(host, "namespaces", false,
				     HS_POLICY_MAX_LIST, &ns, file, "host",
				     err) < 0 ||
	    (ns && parse_namespaces(ns, file, "host.namespaces", &p->host_ns,
				    err) < 0) ||
	    hs_json_get_bool(host, "anyHostPath", false, &p->any_host_path,
			     file, "host", err) < 0 ||
	    hs_json_get_bool(host, "writableSysfs", false, &p->writable_sysfs,
			     file, "host", err) < 0 ||
	    hs_json_get_bool(host, "unconfinedAppArmor", false,
			     &p->unconfined_apparmor, file, "host", err) < 0)
		return -1;
	if (json_object_get(json, "network") &&
	    (p->host_ns || p->any_host_path || p->writable_sysfs ||
	     p->unconfined_apparmor))
		return hs_json_err(err, file, "host",
				   "a policy with a network part may not use "
				   "the host's namespaces, any host path, a "
				   "writable sysfs or an unconfined AppArmor "
				   "profile: each would undo it");
	return 0;
}

/* A network policy is only a promise while the container cannot change the
 * rules that keep it: CAP_NET_ADMIN would let it delete the table. */
static int parse_network(const json_t *json, const char *file,
			 struct hs_policy *p, struct hs_error *err)
{
	const char *network = NULL;
	int cap = hs_caps_from_name("CAP_NET_ADMIN");

	if (hs_json_get_string(json, "network", false, &network, file, "",
			       err) < 0)
		return -1;
	p->has_network = network != NULL;
	if (network && cap >= 0 && (p->cap_ceiling & ((hs_capset_t)1 << cap)))
		return hs_json_err(err, file, "capabilities.ceiling",
				   "CAP_NET_ADMIN would let the container "
				   "remove its network policy \"%s\", refused",
				   network);
	return 0;
}

/* What the monitor does when a container makes an escape syscall. */
static int parse_on_violation(const json_t *json, const char *file,
			      struct hs_policy *p, struct hs_error *err)
{
	const char *v = NULL;

	p->on_violation = HS_VIOLATION_DENY;
	if (hs_json_get_string(json, "onViolation", false, &v, file, "", err) <
	    0)
		return -1;
	if (!v || strcmp(v, "deny") == 0)
		return 0;
	if (strcmp(v, "kill") == 0) {
		p->on_violation = HS_VIOLATION_KILL;
		return 0;
	}
	return hs_json_err(err, file, "onViolation",
			   "\"%s\" is not \"deny\" or \"kill\"", v);
}

int hs_policy_parse(json_t *json, const char *file, struct hs_policy *p,
		    struct hs_error *err)
{
	const char *mode = "enforce", *seccomp = NULL;
	const json_t *exec;
	bool nnp = true;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->allow_exec = true;
	if (!json_is_object(json))
		return hs_json_err(err, file, "", "must be a JSON object");
	p->json = json_incref(json);
	if (hs_json_check_keys(json, policy_keys, file, "", err) < 0)
		ret = -1;
	if (hs_json_get_string(json, "name", true, &p->name, file, "", err) < 0)
		ret = -1;
	else if (!hs_policy_name_valid(p->name))
		ret = hs_json_err(err, file, "name",
				  "\"%s\" is not a policy name ([a-z0-9._-], "
				  "at most %d characters)",
				  p->name, HS_POLICY_NAME_MAX);
	if (hs_json_get_string(json, "mode", false, &mode, file, "", err) < 0)
		ret = -1;
	else if (strcmp(mode, "audit") == 0)
		/* The one permitted fail-open path, and only for seccomp: the
		 * plan turns denials into SCMP_ACT_LOG and says so in the
		 * spec's annotations and the decision log. */
		p->audit = true;
	else if (strcmp(mode, "enforce") != 0)
		ret = hs_json_err(err, file, "mode",
				  "\"%s\" is not a mode (\"enforce\" or "
				  "\"audit\")",
				  mode);
	if (hs_json_get_string(json, "seccomp", true, &seccomp, file, "", err) <
	    0)
		ret = -1;
	if (parse_on_violation(json, file, p, err) < 0)
		ret = -1;
	if (hs_json_get_bool(json, "noNewPrivileges", false, &nnp, file, "",
			     err) < 0)
		ret = -1;
	else if (!nnp)
		ret = hs_json_err(err, file, "noNewPrivileges",
				  "must be true: hardshim always sets "
				  "no_new_privs");
	if (parse_capabilities(json, file, p, err) < 0)
		ret = -1;
	if (parse_user(json, file, p, err) < 0)
		ret = -1;
	if (parse_spec(json, file, p, err) < 0)
		ret = -1;
	exec = json_object_get(json, "exec");
	if (exec &&
	    (!json_is_object(exec) ||
	     hs_json_check_keys(exec, exec_keys, file, "exec", err) < 0 ||
	     hs_json_get_bool(exec, "allow", false, &p->allow_exec, file,
			      "exec", err) < 0))
		ret = json_is_object(exec) ? -1
					   : hs_json_err(err, file, "exec",
							 "must be an object");
	if (parse_selectable(json, file, p, err) < 0)
		ret = -1;
	if (parse_network(json, file, p, err) < 0)
		ret = -1;
	if (parse_host(json, file, p, err) < 0)
		ret = -1;
	if (ret < 0) {
		hs_policy_free(p);
		return -1;
	}
	return 0;
}

int hs_policy_load_file(const char *path, struct hs_policy *p,
			struct hs_error *err)
{
	_cleanup_json_ json_t *json = NULL;
	char dir[HS_PATH_MAX];
	const char *seccomp, *network, *base;
	struct stat st;

	json = hs_json_load_stat(path, HS_POLICY_MAX_BYTES, &st, err);
	if (!json)
		return -1;
	if (hs_policy_parse(json, path, p, err) < 0)
		return -1;
	p->st = st;
	seccomp = json_string_value(json_object_get(json, "seccomp"));
	network = json_string_value(json_object_get(json, "network"));
	if (hs_snprintf(p->file, sizeof(p->file), "%s", path) < 0 ||
	    hs_snprintf(dir, sizeof(dir), "%s", path) < 0 ||
	    !(base = dirname(dir)) ||
	    hs_config_join_path(p->seccomp_path, sizeof(p->seccomp_path), base,
				seccomp) < 0 ||
	    (network &&
	     hs_config_join_path(p->network_path, sizeof(p->network_path), base,
				 network) < 0)) {
		hs_policy_free(p);
		return hs_err(err, ENAMETOOLONG, "%s: path too long", path);
	}
	return 0;
}

int hs_policy_load(const struct hs_config *cfg, const char *name,
		   struct hs_policy *p, struct hs_error *err)
{
	char path[HS_PATH_MAX];

	if (!hs_policy_name_valid(name))
		return hs_err(err, EINVAL, "policy name \"%s\" is invalid",
			      name);
	if (hs_snprintf(path, sizeof(path), "%s/%s.json", cfg->policy_dir,
			name) < 0)
		return hs_err(err, ENAMETOOLONG, "policy \"%s\": path too long",
			      name);
	if (hs_policy_load_file(path, p, err) < 0)
		return -1;
	if (strcmp(p->name, name) != 0) {
		hs_err(err, EINVAL, "%s: name \"%s\" does not match the file",
		       path, p->name);
		hs_policy_free(p);
		return -1;
	}
	return 0;
}

bool hs_policy_is_selectable(const struct hs_policy *p, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach (p->selectable, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

void hs_policy_free(struct hs_policy *p)
{
	json_decref(p->json);
	p->json = NULL;
}
