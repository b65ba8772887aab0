/* Planning a container's seccomp filter; see hs_plan.h. */
#include <errno.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_plan.h"
#include "hs_seccomp.h"

static int digest_of(const struct hs_policy *p, const json_t *resolved,
		     char out[HS_DIGEST_HEX_LEN + 1], struct hs_error *err)
{
	_cleanup_free_ char *policy =
		json_dumps(p->json, JSON_COMPACT | JSON_SORT_KEYS);
	_cleanup_free_ char *seccomp =
		json_dumps(resolved, JSON_COMPACT | JSON_SORT_KEYS);
	struct hs_sha256 s;

	if (!policy || !seccomp)
		return hs_err(err, ENOMEM, "%s: out of memory", p->file);
	hs_sha256_init(&s);
	hs_sha256_update(&s, policy, strlen(policy));
	hs_sha256_update(&s, "\n", 1);
	hs_sha256_update(&s, seccomp, strlen(seccomp));
	hs_sha256_hex(&s, out);
	return 0;
}

int hs_plan_seccomp(const struct hs_policy *p,
		    const struct hs_resolve_ctx *rctx, void *unused,
		    struct hs_seccomp_plan *out, struct hs_error *err)
{
	_cleanup_json_ json_t *merged = NULL;

	memset(out, 0, sizeof(*out));
	merged = hs_profile_load_files(p->seccomp_path, &out->files, err);
	if (!merged)
		return hs_err_context(err, "%s: seccomp", p->file);
	out->resolved = hs_profile_resolve(merged, rctx, p->seccomp_path, err);
	if (!out->resolved)
		return -1;
	/* Before compiling, so that what is compiled, cached and digested
	 * is what runc will load. The digest differs from enforce's anyway:
	 * the policy, "mode" included, is part of it. */
	if (p->audit && hs_profile_audit(out->resolved, err) < 0) {
		hs_plan_free(out);
		return hs_err_context(err, "%s: seccomp", p->file);
	}
	/* Compiled here, where the error can still name the profile, rather
	 * than inside runc after the container has been half set up. */
	if (hs_seccomp_compile(out->resolved, -1, &out->bpf_insns, err) < 0 ||
	    digest_of(p, out->resolved, out->digest, err) < 0) {
		hs_plan_free(out);
		return hs_err_context(err, "%s: seccomp", p->file);
	}
	return 0;
}

void hs_plan_free(struct hs_seccomp_plan *plan)
{
	json_decref(plan->resolved);
	plan->resolved = NULL;
}
