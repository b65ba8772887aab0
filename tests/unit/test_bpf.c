/* shim/bpf.c: a filter read back from the kernel against the one
 * libseccomp builds. The runc ENOSYS stub in front is accepted only when it
 * cannot allow anything; every other prefix, and any change to the
 * program itself, is a mismatch. */
#include <errno.h>
#include <string.h>

#include <linux/seccomp.h>

#include "hs_bpf.h"
#include "hs_cleanup.h"
#include "hs_test.h"

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

/* A libseccomp-like program: arch check, one syscall allowed. */
static const struct sock_filter want[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

/* The stub runc 1.1.5 put in front of an x86_64-only profile, as read
 * back with PTRACE_SECCOMP_GET_FILTER on this machine. */
static const struct sock_filter runc_stub[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
	BPF_STMT(BPF_JMP | BPF_JA, 6),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x1c8, 2, 0),
	BPF_STMT(BPF_JMP | BPF_JA, 2),
	BPF_STMT(BPF_JMP | BPF_JA, 1),
	BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET),
};

#define N_WANT HS_ARRAY_SIZE(want)
#define N_STUB HS_ARRAY_SIZE(runc_stub)

static struct sock_filter have[64];

/* have = stub + want; returns its length. */
static size_t build(const struct sock_filter *stub, size_t n_stub)
{
	memcpy(have, stub, n_stub * sizeof(*stub));
	memcpy(have + n_stub, want, sizeof(want));
	return n_stub + N_WANT;
}

static int match(size_t n, struct hs_error *err)
{
	struct hs_bpf_match m;

	return hs_bpf_match_runc(have, n, want, N_WANT, &m, err);
}

static void test_exact(void)
{
	struct hs_error err = {0};
	struct hs_bpf_match m;
	size_t n = build(NULL, 0);

	CHECK(hs_bpf_match_runc(have, n, want, N_WANT, &m, &err) == 0);
	CHECK(m.stub_insns == 0);
	CHECK_STR(m.installed, m.expected);
	CHECK(strlen(m.expected) == HS_DIGEST_HEX_LEN);
}

static void test_runc_stub(void)
{
	struct hs_error err = {0};
	struct hs_bpf_match m;
	size_t n = build(runc_stub, N_STUB);

	CHECK(hs_bpf_match_runc(have, n, want, N_WANT, &m, &err) == 0);
	CHECK(m.stub_insns == N_STUB);
	CHECK_STR(m.installed, m.expected);
}

static void test_digest_known_answer(void)
{
	char hex[HS_DIGEST_HEX_LEN + 1];

	/* The empty program's digest is SHA-256 of nothing. */
	hs_bpf_digest(want, 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
		       "27ae41e4649b934ca495991b7852b855");
}

static void test_program_changed(void)
{
	struct hs_error err = {0};
	size_t n = build(NULL, 0);

	have[3].k = 40; /* another syscall allowed */
	CHECK(match(n, &err) < 0);
	CHECK_CONTAINS(err.msg, "does not end with the 6");
}

static void test_program_shorter(void)
{
	struct hs_error err = {0};

	build(NULL, 0);
	CHECK(match(N_WANT - 1, &err) < 0);
	CHECK_CONTAINS(err.msg, "fewer than the 6");
}

static void test_empty_expectation(void)
{
	struct hs_error err = {0};
	struct hs_bpf_match m;

	build(NULL, 0);
	CHECK(hs_bpf_match_runc(have, N_WANT, want, 0, &m, &err) < 0);
	CHECK_CONTAINS(err.msg, "empty");
}

/* Each of these in front of the program could let something through, or
 * change what the program sees, before the program decides. */
static void test_stub_that_widens(void)
{
	static const struct sock_filter bad[][2] = {
		/* returns ALLOW */
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)},
		/* returns another errno, or a trace/log action */
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)},
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG)},
		/* returns A */
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		 BPF_STMT(BPF_RET | BPF_A, 0)},
		/* jumps into the middle of the program, past its arch check */
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		 BPF_STMT(BPF_JMP | BPF_JA, 2)},
		{BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		/* arithmetic, scratch memory, X */
		{BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_MISC | BPF_TAX, 0),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		/* a load from outside seccomp_data, or misaligned, or not
		 * absolute */
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_LD | BPF_W | BPF_IMM, 39),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		{BPF_STMT(BPF_LD | BPF_W | BPF_MEM, 0),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
		/* a comparison against X */
		{BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
		 BPF_STMT(BPF_RET | BPF_K, ENOSYS_RET)},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		size_t n = build(bad[i], 2);

		if (match(n, &err) == 0) {
			printf("FAIL %s: stub %zu accepted\n", hs_test_current,
			       i);
			hs_test_failed++;
			return;
		}
		CHECK_CONTAINS(err.msg, "is not part of an ENOSYS stub");
	}
}

/* The real stub with one instruction changed is refused too. */
static void test_runc_stub_tampered(void)
{
	struct hs_error err = {0};
	size_t n = build(runc_stub, N_STUB);

	have[N_STUB - 1].k = SECCOMP_RET_ALLOW;
	CHECK(match(n, &err) < 0);
	n = build(runc_stub, N_STUB);
	have[2].k = 7; /* JA one past the program's first instruction */
	CHECK(match(n, &err) < 0);
}

int main(void)
{
	RUN(test_exact);
	RUN(test_runc_stub);
	RUN(test_digest_known_answer);
	RUN(test_program_changed);
	RUN(test_program_shorter);
	RUN(test_empty_expectation);
	RUN(test_stub_that_widens);
	RUN(test_runc_stub_tampered);
	TEST_EXIT();
}
