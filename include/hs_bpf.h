/* Comparing a seccomp filter read back from the kernel with the one
 * libseccomp builds from the same OCI linux.seccomp object. Pure. */
#ifndef HS_BPF_H
#define HS_BPF_H

#include <stddef.h>

#include <linux/filter.h>

#include "hs_digest.h"
#include "hs_error.h"

struct hs_bpf_match {
	size_t stub_insns; /* instructions the runtime put in front */
	char installed[HS_DIGEST_HEX_LEN + 1]; /* of the compared part */
	char expected[HS_DIGEST_HEX_LEN + 1];
};

/* SHA-256 of a program's instructions as the kernel holds them (8 bytes
 * each, host byte order). */
void hs_bpf_digest(const struct sock_filter *prog, size_t n,
		   char out[HS_DIGEST_HEX_LEN + 1]);

/* Does the installed program `have` enforce exactly `want`?
 *
 * runc 1.1.5 does not load libseccomp's program as it is: its patchbpf
 * (libcontainer/seccomp/patchbpf) exports it and puts a stub in front that
 * returns ENOSYS for syscall numbers newer than any the profile names, so
 * that glibc falls back from a syscall the profile does not know (clone3)
 * instead of failing with EPERM. Measured here: 9 instructions for an
 * x86_64-only profile, then libseccomp's 341, byte for byte. So `want` must
 * be a suffix of `have`, and the prefix must be a stub that cannot allow
 * anything: it may only load seccomp_data (BPF_LD|BPF_W|BPF_ABS), jump
 * forward to an instruction of its own or to the first of `want`, and
 * return SECCOMP_RET_ERRNO|ENOSYS. Anything else there (a return of ALLOW,
 * arithmetic, scratch memory, a jump into the middle of `want`) could
 * widen the filter while the suffix still matched, and is a mismatch.
 * Both digests are filled in whatever the outcome. */
int hs_bpf_match_runc(const struct sock_filter *have, size_t n_have,
		      const struct sock_filter *want, size_t n_want,
		      struct hs_bpf_match *ret, struct hs_error *err);

#endif
