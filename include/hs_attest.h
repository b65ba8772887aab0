/* Attestation: does a live process show the hardening its spec promised?
 * Parsing /proc/PID/status and comparing are pure; reading it through a
 * pidfd is the hook's job. */
#ifndef HS_ATTEST_H
#define HS_ATTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "hs_caps.h"
#include "hs_json.h"

#define HS_PROC_STATUS_MAX_BYTES (16u * 1024)

struct hs_proc_status {
	uint32_t uid[4], gid[4]; /* real, effective, saved, fs */
	hs_capset_t inh, prm, eff, bnd, amb;
	int no_new_privs; /* -1 when the line is missing */
	int seccomp; /* 0 off, 1 strict, 2 filter */
	/* Seccomp_filters: filters stacked on the process (Linux >= 5.9);
	 * -1 when the line is missing. */
	int seccomp_filters;
};

/* What the hardened spec's process section promises. */
struct hs_expect {
	uint32_t uid, gid;
	hs_capset_t inh, prm, eff, bnd, amb;
};

int hs_attest_parse_status(const char *text, struct hs_proc_status *st,
			   struct hs_error *err);

/* Reads the expectation from a hardened spec (a bundle's config.json). */
int hs_attest_expect_from_spec(const json_t *spec, const char *file,
			       struct hs_expect *e, struct hs_error *err);

/* Seccomp must be 2 (filter) and NoNewPrivs 1; every uid and gid must be
 * the spec's; each capability set may hold no capability beyond the
 * spec's. "No more than" rather than "equal", because the workload may
 * already have dropped some; only a gain is a failure. A root process that
 * has exec'd gains its bounding set in permitted/effective (capabilities(7)
 * "root" rules), so for uid 0 those are judged against bounding too. */
int hs_attest_check(const struct hs_proc_status *st, const struct hs_expect *e,
		    int pid, struct hs_error *err);

#endif
