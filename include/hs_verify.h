/* Re-attestation of running containers: `hardshim verify`, and what the
 * monitor daemon runs every monitor.verifyInterval seconds (docs/design.md
 * "Verify"). The poststart hook attests a container once, at start; this
 * checks it again, later, from runc's own record of it:
 *
 *   seccomp-mode    /proc/PID/status shows Seccomp 2 and one filter
 *   seccomp-filter  the filter read back with ptrace is the one libseccomp
 *                   builds from the bundle's linux.seccomp (hs_bpf.h)
 *   process         NoNewPrivs, uids, gids, capability sets (hs_attest.h)
 *   nft-table       table inet hardshim in its network namespace holds the
 *                   digest of the policy's network part (none: skipped)
 *   policy          (a "drift" event) the policy file, planned again as at
 *                   start, still has the digest the container records
 *
 * plus the preconditions: the container was hardened by hardshim (its
 * hardshim.dev/policy annotation), and its bundle's config.json is the one
 * hardshim wrote (the same policy and digest). Each failure appends one
 * event object (hs_event.h; type "verify" or "drift", with an "extra"
 * field "check" naming the check) to `events`.
 *
 * The caller calls hs_json_trust_policy_files() first, as the wrapper and
 * the hooks do, needs CAP_SYS_ADMIN and CAP_SYS_PTRACE, and must not run
 * under seccomp itself (the kernel shows no filter to a filtered caller).
 * The network check enters each container's network namespace with the
 * calling thread and comes back. */
#ifndef HS_VERIFY_H
#define HS_VERIFY_H

#include <stddef.h>

#include "hs_config.h"
#include "hs_json.h"

/* Returned instead of -1 when the calling thread could not come back to
 * its own network namespace, or memory ran out: the caller must stop. */
#define HS_VERIFY_FATAL -2

/* Checks container `id` of runc root `root`. Returns 0 when every check
 * passed, 1 when events were appended, -1 with `err` set when there is
 * nothing to check (no such container, its init is not running, runc's
 * state unreadable) or the check itself could not run. */
int hs_verify_container(const struct hs_config *cfg, const char *root,
			const char *id, json_t *events, struct hs_error *err);

/* Checks every container under `root`, in name order. A container that is
 * not running (created, stopped, its pid gone) is skipped: there is no
 * process to attest, and the poststart hook attests it when it starts. A
 * container whose runc state cannot be read is a failure event (check
 * "state"), not an error, so one broken container does not hide the
 * others. Returns 0, 1 or -1 as hs_verify_container; -1 when the root
 * cannot be listed or the caller could not come back to its own network
 * namespace. *ret_checked counts the containers checked. */
int hs_verify_root(const struct hs_config *cfg, const char *root,
		   json_t *events, size_t *ret_checked, struct hs_error *err);

#endif
