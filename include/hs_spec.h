/* Hardening an OCI runtime spec (a bundle's config.json) against a tenant
 * policy. This is the plan half of "plan, then apply": it edits a JSON tree
 * in memory and touches nothing on disk; the wrapper writes the result. */
#ifndef HS_SPEC_H
#define HS_SPEC_H

#include "hs_plan.h"
#include "hs_policy.h"

#define HS_ANNOTATION_POLICY "hardshim.dev/policy"
#define HS_ANNOTATION_DIGEST "hardshim.dev/policy-digest"
/* "audit" when the policy's seccomp denials are logged, not enforced; absent
 * in enforce mode (any value the spec brought is removed). */
#define HS_ANNOTATION_MODE "hardshim.dev/mode"
/* A pod annotation asking for another policy; honoured only when the
 * tenant's policy lists that one as selectable. */
#define HS_ANNOTATION_SELECT "hardshim.dev/select-policy"

/* The annotations engines write to say which pod a container belongs to.
 * A tenant cannot set them: containerd copies only the pod annotations its
 * runtime's pod_annotations names (hardshim.dev/...). */
#define HS_ANNOTATION_CRI_TYPE "io.kubernetes.cri.container-type"
#define HS_ANNOTATION_CRI_SANDBOX "io.kubernetes.cri.sandbox-id"
#define HS_ANNOTATION_CRI_POD_UID "io.kubernetes.cri.sandbox-uid"
#define HS_ANNOTATION_CRIO_TYPE "io.kubernetes.cri-o.ContainerType"
#define HS_ANNOTATION_CRIO_SANDBOX "io.kubernetes.cri-o.SandboxID"
#define HS_ANNOTATION_CRIO_POD_UID "io.kubernetes.pod.uid"

struct hs_harden_ctx {
	struct hs_resolve_ctx node; /* arch and kernel; caps are filled in */
	const struct hs_config *cfg; /* engineDirs, netnsDirs, cgroupParents,
					hooks; NULL: the built-in defaults */
	const char *container_id; /* from the runtime's argv; NULL: unknown */
	const char *runtime_root; /* runc --root, for a sandbox's state */
	const char *hook_path; /* absolute path of hardshim; NULL: none */
	const char *config_path; /* absolute, handed to the hooks */
	int hook_timeout; /* seconds */
	hs_seccomp_planner planner; /* NULL: hs_plan_seccomp */
	void *planner_data;
	/* What was narrowed without a refusal (capabilities dropped, root
	 * remapped, a seccomp profile replaced, ...), one line each, for the
	 * decision log; NULL: not recorded. */
	json_t *narrowed;
	/* The monitor's socket when it answers: the escape syscalls are sent
	 * there (hs_monitor_add_notify). NULL: they are not, and when
	 * `unmonitored` the spec says so (HS_ANNOTATION_MONITOR). */
	const char *monitor_socket;
	bool unmonitored;
};

/* Hardens `spec` in place. `file` names it in errors. On error the tree may
 * be partly edited: callers harden a copy, or discard it. */
int hs_spec_harden(json_t *spec, const struct hs_policy *policy,
		   const struct hs_harden_ctx *ctx, const char *file,
		   struct hs_error *err);

/* Hardens a `runc exec` process object (--process JSON) the same way:
 * capabilities within the ceiling, ambient emptied, no_new_privs, user. */
int hs_spec_harden_process(json_t *process, const struct hs_policy *policy,
			   const char *file, const char *path,
			   struct hs_error *err);

/* The path of the network namespace a spec joins, or NULL when the
 * runtime creates one. */
const char *hs_spec_netns_path(const json_t *spec);

/* Applies the policy's user rule to a uid/gid pair: 0 when acceptable
 * (possibly remapped in place), -1 when refused. */
int hs_spec_apply_user_rule(const struct hs_policy *policy, uint32_t *uid,
			    uint32_t *gid, const char *file, const char *path,
			    struct hs_error *err);

#endif
