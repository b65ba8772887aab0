/* Comparing seccomp programs; see hs_bpf.h. */
#include <errno.h>
#include <string.h>

#include <linux/seccomp.h>

#include "hs_bpf.h"

void hs_bpf_digest(const struct sock_filter *prog, size_t n,
		   char out[HS_DIGEST_HEX_LEN + 1])
{
	struct hs_sha256 s;

	hs_sha256_init(&s);
	hs_sha256_update(&s, prog, n * sizeof(*prog));
	hs_sha256_hex(&s, out);
}

/* One instruction of the stub at index i of a stub `len` long: see
 * hs_bpf.h for what it may be. A jump's targets are i + 1 + offset, and
 * offsets are unsigned, so every jump goes forward. */
static int stub_insn_ok(const struct sock_filter *f, size_t i, size_t len)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		return f->code == (BPF_LD | BPF_W | BPF_ABS) &&
		       f->k < sizeof(struct seccomp_data) && f->k % 4 == 0;
	case BPF_RET:
		return f->code == (BPF_RET | BPF_K) &&
		       f->k == (SECCOMP_RET_ERRNO | ENOSYS);
	case BPF_JMP:
		if (BPF_OP(f->code) == BPF_JA)
			return f->code == (BPF_JMP | BPF_JA) &&
			       i + 1 + (size_t)f->k <= len;
		if (BPF_SRC(f->code) != BPF_K ||
		    (BPF_OP(f->code) != BPF_JEQ && BPF_OP(f->code) != BPF_JGT &&
		     BPF_OP(f->code) != BPF_JGE && BPF_OP(f->code) != BPF_JSET))
			return 0;
		return i + 1 + f->jt <= len && i + 1 + f->jf <= len;
	default:
		return 0;
	}
}

int hs_bpf_match_runc(const struct sock_filter *have, size_t n_have,
		      const struct sock_filter *want, size_t n_want,
		      struct hs_bpf_match *ret, struct hs_error *err)
{
	size_t stub = n_have >= n_want ? n_have - n_want : 0, i;

	ret->stub_insns = stub;
	hs_bpf_digest(want, n_want, ret->expected);
	hs_bpf_digest(have + stub, n_have - stub, ret->installed);
	if (n_want == 0)
		return hs_err(err, EINVAL, "the expected filter is empty");
	if (n_have < n_want)
		return hs_err(err, EPERM,
			      "installed filter has %zu instructions, fewer "
			      "than the %zu the spec compiles to",
			      n_have, n_want);
	if (strcmp(ret->installed, ret->expected) != 0)
		return hs_err(err, EPERM,
			      "installed filter (%zu instructions) does not "
			      "end with the %zu the spec compiles to",
			      n_have, n_want);
	for (i = 0; i < stub; i++)
		if (!stub_insn_ok(&have[i], i, stub))
			return hs_err(err, EPERM,
				      "instruction %zu of the %zu in front of "
				      "the spec's filter (code %#x k %#x) is "
				      "not part of an ENOSYS stub",
				      i, stub, have[i].code, have[i].k);
	return 0;
}
