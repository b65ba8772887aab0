/* Tenant policies (policies/NAME.json): what a tenant's containers may keep.
 *
 *   name             must match the file name (policies/NAME.json)
 *   mode             "enforce" (default), or "audit": the profile's denying
 *                    actions become SCMP_ACT_LOG (logged, not enforced),
 *                    for learning a profile; nothing else is weakened
 *   seccomp          path of a seccomp profile, relative to the policy file
 *   capabilities     { ceiling: ["CAP_..."], allowAmbient: false }
 *   noNewPrivileges  true (hardshim always sets it; false is refused)
 *   user             { runAsNonRoot, root: "remap"|"refuse", uid, gid }
 *   spec             { requiredNamespaces, mountTypes, hostPaths,
 *                      allowDevices, allowedSysctls, maskedPaths,
 *                      readonlyPaths, readonlyRootfs }: an allow-list;
 *                    what a spec has beyond it is refused
 *   host             { namespaces, anyHostPath, writableSysfs,
 *                      unconfinedAppArmor }: what of the host a system
 *                    pod may use; each off by default, none allowed in a
 *                    policy with a network part
 *   exec             { allow: true|false } for `runc exec` into a container
 *   selectable       policy names a pod annotation may pick instead
 *   network          path of a network policy (policies/netpol/), relative
 *                    to the policy file; CAP_NET_ADMIN may not be in the
 *                    ceiling then
 */
#ifndef HS_POLICY_H
#define HS_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hs_caps.h"
#include "hs_config.h"
#include "hs_json.h"

/* Namespace types a spec may be required to have, as OCI names them. */
enum hs_ns {
	HS_NS_PID = 1 << 0,
	HS_NS_NETWORK = 1 << 1,
	HS_NS_MOUNT = 1 << 2,
	HS_NS_IPC = 1 << 3,
	HS_NS_UTS = 1 << 4,
	HS_NS_USER = 1 << 5,
	HS_NS_CGROUP = 1 << 6,
};

enum hs_root_rule { HS_ROOT_REFUSE, HS_ROOT_REMAP };

/* Mount types a spec may have besides binds, each with its rules
 * (shim/spec/mounts.c). */
enum hs_mount_type {
	HS_MOUNT_PROC = 1 << 0,
	HS_MOUNT_SYSFS = 1 << 1,
	HS_MOUNT_CGROUP = 1 << 2,
	HS_MOUNT_CGROUP2 = 1 << 3,
	HS_MOUNT_TMPFS = 1 << 4,
	HS_MOUNT_MQUEUE = 1 << 5,
	HS_MOUNT_DEVPTS = 1 << 6,
};
#define HS_MOUNT_ALL 0x7f

/* A host path a policy grants as a bind source, beside the engines' own
 * per-pod directories (config.json "engineDirs"). */
struct hs_host_path {
	const char *path; /* absolute, normalised */
	bool read_only; /* the mount is made read-only (default) */
};

/* "onViolation": the monitor's answer to an escape syscall. deny answers
 * EPERM and records an event; kill also kills the container. */
enum hs_on_violation {
	HS_VIOLATION_DENY,
	HS_VIOLATION_KILL,
};

struct hs_policy {
	json_t *json; /* owns the borrowed lists below */
	char file[HS_PATH_MAX];
	struct stat st; /* of the file as read: a cache's validity check */
	char seccomp_path[HS_PATH_MAX]; /* the profile, resolved to a path */
	bool has_network;
	char network_path[HS_PATH_MAX]; /* the netpol, when has_network */
	const char *name;
	/* "mode": "audit": seccomp denials are logged by the kernel instead
	 * of enforced (shim/plan.c); every other restriction still holds. */
	bool audit;
	hs_capset_t cap_ceiling;
	bool allow_ambient;
	bool run_as_non_root;
	enum hs_root_rule root_rule;
	uint32_t uid, gid;
	uint32_t required_ns; /* enum hs_ns bits */
	uint32_t mount_types; /* enum hs_mount_type bits */
	struct hs_host_path host_paths[HS_POLICY_MAX_LIST];
	size_t n_host_paths;
	const json_t *allowed_sysctls; /* array of names */
	const json_t *masked_paths; /* added to the standard ones */
	const json_t *readonly_paths; /* added to the standard ones */
	const json_t *selectable; /* array of policy names */
	bool allow_devices;
	bool readonly_rootfs;
	bool allow_exec;
	enum hs_on_violation on_violation;
	/* "host": switches for system pods (kube-proxy, CNI agents, etcd),
	 * each turning one protection off. */
	uint32_t host_ns; /* enum hs_ns bits that may be the host's */
	bool any_host_path; /* binds from any existing host path, as asked */
	bool writable_sysfs; /* sysfs and cgroup mounts may be read-write */
	bool unconfined_apparmor; /* "unconfined" AppArmor is kept */
};

/* Loads policies/NAME.json from the config's policy directory. Only the
 * policy file is read; its profile is read when a start plans it. */
int hs_policy_load(const struct hs_config *cfg, const char *name,
		   struct hs_policy *p, struct hs_error *err);

/* The same for a file path (hardshim check). */
int hs_policy_load_file(const char *path, struct hs_policy *p,
			struct hs_error *err);

/* Validates a parsed policy (pure; no profile is read). */
int hs_policy_parse(json_t *json, const char *file, struct hs_policy *p,
		    struct hs_error *err);

bool hs_policy_is_selectable(const struct hs_policy *p, const char *name);

void hs_policy_free(struct hs_policy *p);

/* The mount type named `name` ("proc", "tmpfs", ...), or 0. */
uint32_t hs_policy_mount_type(const char *name);

/* Whether `sel`, a policy that `base` lists as selectable, is at least as
 * strict as `base` in every dimension base guards, each on its effective
 * value (defaults applied). Reports each weaker dimension as one error,
 * "FILE: PATH: policy "SEL" is weaker than "BASE" in DIMENSION: DETAIL",
 * DIMENSION named as in the policy file (capabilities.ceiling,
 * spec.allowedSysctls, network, seccomp.syscalls, ...), and returns -1 if
 * there was one. The network policies are read when the two name
 * different files; the seccomp profiles only with HS_POLICY_COMPARE_SECCOMP,
 * resolved for this node (shim/policy_compare.c, shim/profile/compare.c).
 */
#define HS_POLICY_COMPARE_SECCOMP 1u
int hs_policy_check_not_weaker(const struct hs_policy *base,
			       const struct hs_policy *sel, const char *file,
			       const char *path, unsigned what,
			       struct hs_error *err);

/* The OCI name of one enum hs_mount_type or enum hs_ns bit, or NULL. */
const char *hs_policy_mount_type_name(uint32_t bit);
const char *hs_policy_ns_name(uint32_t bit);

/* Host paths no policy may grant as a bind source: each gives a container
 * the host (its root, kernel interfaces, the engines' state and sockets).
 * NULL-terminated. */
extern const char *const hs_sensitive_host_paths[];

/* The minimum every container gets, whatever the policy adds. */
extern const char *const hs_standard_masked_paths[];
extern const char *const hs_standard_readonly_paths[];

/* The sysctls a policy without spec.allowedSysctls allows (Kubernetes'
 * safe set). NULL-terminated. shim/spec/linux.c keeps an identical copy
 * (default_safe_sysctls) until it uses this one. */
extern const char *const hs_default_safe_sysctls[];

#endif
