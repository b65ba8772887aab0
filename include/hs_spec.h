/* Hardening an OCI runtime spec (a bundle's config.json) against a tenant
 * policy. This is the plan half of "plan, then apply": it edits a JSON tree
 * in memory and touches nothing on disk; the wrapper writes the result. */
#ifndef HS_SPEC_H
#define HS_SPEC_H

#include "hs_plan.h"
#include "hs_policy.h"

#define HS_ANNOTATION_POLICY "hardshim.dev/policy"
#define HS_ANNOTATION_DIGEST "hardshim.dev/policy-digest"
/* A pod annotation asking for another policy; honoured only when the
 * tenant's policy lists that one as selectable. */
#define HS_ANNOTATION_SELECT "hardshim.dev/select-policy"

struct hs_harden_ctx {
	struct hs_resolve_ctx node; /* arch and kernel; caps are filled in */
	const char *hook_path; /* absolute path of hardshim; NULL: none */
	const char *config_path; /* absolute, handed to the hooks */
	int hook_timeout; /* seconds */
	hs_seccomp_planner planner; /* NULL: hs_plan_seccomp */
	void *planner_data;
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
