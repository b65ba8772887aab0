/* The seccomp half of hardening one container: the policy's profile read
 * with its extends chain, resolved for this node and this container's
 * bounding set, compiled with libseccomp, and the digest of what decided
 * it. Pure but for reading the profile files. */
#ifndef HS_PLAN_H
#define HS_PLAN_H

#include "hs_digest.h"
#include "hs_policy.h"
#include "hs_profile.h"

struct hs_seccomp_plan {
	json_t *resolved; /* the OCI linux.seccomp object runc reads; owned */
	char digest[HS_DIGEST_HEX_LEN + 1];
	size_t bpf_insns;
	struct hs_profile_files files; /* every profile file read */
};

/* Signature shared by the plain planner and the caching one. */
typedef int (*hs_seccomp_planner)(const struct hs_policy *p,
				  const struct hs_resolve_ctx *rctx,
				  void *opaque, struct hs_seccomp_plan *out,
				  struct hs_error *err);

/* Reads, resolves, compiles. The digest is the SHA-256 of the policy and
 * of the resolved profile, both serialised with sorted keys: it names
 * exactly what this container was hardened with, and no file path. */
int hs_plan_seccomp(const struct hs_policy *p,
		    const struct hs_resolve_ctx *rctx, void *unused,
		    struct hs_seccomp_plan *out, struct hs_error *err);

void hs_plan_free(struct hs_seccomp_plan *plan);

#endif
