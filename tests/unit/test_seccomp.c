/* The libseccomp module: name resolution, compilation, and the compiled
 * program loaded into the kernel in a forked child (no_new_privs, so no
 * privilege is needed) to see the errno or signal it gives. The child loads
 * the exported BPF itself with seccomp(2): this test, like everything but
 * shim/seccomp.c, does not include <seccomp.h>, and it checks the bytes
 * hardshim hands on rather than a filter rebuilt by libseccomp. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_profile.h"
#include "hs_seccomp.h"
#include "hs_test.h"

#define MOBY_REF "../shared/reference/moby-default-seccomp.json"

struct capture {
	struct hs_error err;
	char *text;
	size_t len;
};

static void capture_start(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->err.sink = open_memstream(&c->text, &c->len);
}

static const char *captured(struct capture *c)
{
	fflush(c->err.sink);
	return c->text ? c->text : "";
}

static void capture_cleanup(struct capture *c)
{
	if (c->err.sink)
		fclose(c->err.sink);
	free(c->text);
}
#define _cleanup_capture_ __attribute__((cleanup(capture_cleanup)))

static const char *native(void)
{
	static struct hs_resolve_ctx ctx;
	struct hs_error err = {0};

	if (!ctx.native_arch && hs_profile_node_ctx(&ctx, &err) < 0)
		return "SCMP_ARCH_X86_64";
	return ctx.native_arch;
}

/* Copies `in` to `out`, each "@NATIVE@" replaced by the native
 * architecture's name. */
static void subst_native(const char *in, char *out, size_t size)
{
	static const char token[] = "@NATIVE@";
	size_t len = 0;

	while (*in && len + 1 < size) {
		if (strncmp(in, token, sizeof(token) - 1) == 0) {
			size_t n = strlen(native());

			if (len + n + 1 >= size)
				break;
			memcpy(out + len, native(), n);
			len += n;
			in += sizeof(token) - 1;
			continue;
		}
		out[len++] = *in++;
	}
	out[len] = '\0';
}

/* Compiles OCI JSON text; returns the instruction count or -1. */
static long compile_text(const char *json, int out_fd, struct capture *c)
{
	char text[4096];
	_cleanup_json_ json_t *oci = NULL;
	size_t insns = 0;

	subst_native(json, text, sizeof(text));
	oci = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!oci) {
		printf("  bad test JSON: %s\n", text);
		return -1;
	}
	if (hs_seccomp_compile(oci, out_fd, &insns, &c->err) < 0)
		return -1;
	return (long)insns;
}

/* ------------------------------------------------------------------ */

static void test_arch_support(void)
{
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_X86_64") == HS_ARCH_SUPPORTED);
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_AARCH64") ==
	      HS_ARCH_SUPPORTED);
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_MIPSEL64N32") ==
	      HS_ARCH_SUPPORTED);
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_LOONGARCH64") !=
	      HS_ARCH_UNKNOWN);
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_X86_46") == HS_ARCH_UNKNOWN);
	CHECK(hs_seccomp_arch_support("x86_64") == HS_ARCH_UNKNOWN);
	CHECK(hs_seccomp_arch_support("SCMP_ARCH_") == HS_ARCH_UNKNOWN);
	CHECK(hs_seccomp_arch_support("") == HS_ARCH_UNKNOWN);
}

static void test_names(void)
{
	_cleanup_json_ json_t *x86 = json_pack("[s]", "SCMP_ARCH_X86");
	_cleanup_json_ json_t *bad = json_pack("[s, i]", "SCMP_ARCH_FOO", 3);
	char ver[32];

	CHECK(hs_seccomp_action_known("SCMP_ACT_KILL_PROCESS"));
	CHECK(hs_seccomp_action_known("SCMP_ACT_NOTIFY"));
	CHECK(!hs_seccomp_action_known("SCMP_ACT_ERRNO(1)"));
	CHECK(!hs_seccomp_action_known("scmp_act_allow"));
	CHECK(hs_seccomp_op_known("SCMP_CMP_MASKED_EQ"));
	CHECK(!hs_seccomp_op_known("SCMP_CMP_IN"));
	CHECK(hs_seccomp_syscall_known("getppid", NULL));
	CHECK(!hs_seccomp_syscall_known("fsopne", NULL));
	CHECK(hs_seccomp_syscall_known("socketcall", x86));
	CHECK(!hs_seccomp_syscall_known("getppid", bad));
	hs_seccomp_version(ver, sizeof(ver));
	CHECK(ver[0] >= '2');
	CHECK(strchr(ver, '.') != NULL);
}

static void test_compile_small(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_close_ int fd = memfd_create("test", MFD_CLOEXEC);
	struct stat st;
	long n, m;
	const char *p =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"defaultErrnoRet\":1,\"architectures\":[\"@NATIVE@\"],"
		"\"syscalls\":[{\"names\":[\"read\",\"write\","
		"\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";

	capture_start(&c);
	n = compile_text(p, -1, &c);
	if (n < 0)
		printf("  %s", captured(&c));
	CHECK(n > 0);
	/* The bytes written are the instructions counted. */
	CHECK(fd >= 0);
	m = compile_text(p, fd, &c);
	CHECK(m == n);
	CHECK(fstat(fd, &st) == 0);
	CHECK(st.st_size == n * 8);
}

static void test_compile_moby(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	static const char *const caps[] = {"CAP_CHOWN", "CAP_SYS_CHROOT", NULL};
	struct hs_resolve_ctx ctx = {.caps = caps,
				     .goarch = "amd64",
				     .native_arch = "SCMP_ARCH_X86_64",
				     .kernel_major = 6,
				     .kernel_minor = 1};
	size_t insns = 0;

	capture_start(&c);
	p = hs_profile_load(MOBY_REF, &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, MOBY_REF, &c.err);
	CHECK(oci != NULL);
	if (hs_seccomp_compile(oci, -1, &insns, &c.err) < 0)
		printf("  %s", captured(&c));
	CHECK(c.err.count == 0);
	/* Three architectures and ~370 syscalls. */
	CHECK(insns > 300);
}

static void test_compile_conflict(void)
{
	_cleanup_capture_ struct capture c;

	capture_start(&c);
	/* libseccomp would silently keep one of these two. */
	CHECK(compile_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			   "\"syscalls\":[{\"names\":[\"read\",\"getppid\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":"
			   "[\"getppid\"],\"action\":\"SCMP_ACT_KILL\"}]}",
			   -1, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "linux.seccomp: syscalls[1].names[0]: "
				  "\"getppid\": conflicts with "
				  "syscalls[0].names[1]");
	/* The same comparisons in another order are the same rule. */
	CHECK(compile_text(
		      "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		      "\"syscalls\":[{\"names\":[\"socket\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		      "{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"},"
		      "{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},"
		      "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
		      "\"errnoRet\":13,\"args\":["
		      "{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"},"
		      "{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		      -1, &c) < 0);
	CHECK_CONTAINS(captured(&c), "linux.seccomp: syscalls[1].names[0]: "
				     "\"socket\": conflicts with "
				     "syscalls[0].names[0]");
	CHECK(c.err.count == 2);
}

/* A name libseccomp does not know is still checked for conflicts (the
 * profile would mean two things), and each conflict names the first rule
 * that was kept, not a later repetition of it. */
static void test_compile_conflict_unknown_name(void)
{
	_cleanup_capture_ struct capture c;
	char text[2048], name[1100];

	capture_start(&c);
	CHECK(compile_text(
		      "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		      "\"syscalls\":[{\"names\":[\"fsopne\"],"
		      "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":"
		      "[\"read\",\"fsopne\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		      "{\"names\":[\"fsopne\"],\"action\":\"SCMP_ACT_KILL\"}]}",
		      -1, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg, "linux.seccomp: syscalls[2].names[0]: "
				  "\"fsopne\": conflicts with "
				  "syscalls[0].names[0]");
	/* The text that keyed a rule had a bound, kept as a limit. */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		 name);
	CHECK(compile_text(text, -1, &c) < 0);
	CHECK_CONTAINS(captured(&c), "linux.seccomp: syscalls[0].names[0]: "
				     "rule key too long");
}

static void test_compile_duplicates_ok(void)
{
	_cleanup_capture_ struct capture c;
	long n;

	capture_start(&c);
	/* Identical rules, ERRNO without errnoRet (EPERM) next to ERRNO(1),
	 * different args: all fine. */
	n = compile_text(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"syscalls\":[{\"names\":[\"reboot\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":"
		"[\"reboot\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":1},{\"names\":[\"socket\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
		"\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":"
		"[\"socket\"],\"action\":\"SCMP_ACT_KILL\",\"args\":"
		"[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		-1, &c);
	if (n < 0)
		printf("  %s", captured(&c));
	CHECK(n > 0);
}

/* A rule with the default's action adds nothing (runc skips it). */
static void test_compile_default_action_rule(void)
{
	_cleanup_capture_ struct capture c;
	long with, without;

	capture_start(&c);
	without = compile_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			       "\"syscalls\":[{\"names\":[\"read\"],"
			       "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			       -1, &c);
	with = compile_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			    "\"syscalls\":[{\"names\":[\"read\"],"
			    "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":"
			    "[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
			    -1, &c);
	CHECK(without > 0);
	CHECK(with == without);
}

static void test_compile_invalid(void)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{"[]", "linux.seccomp: must be an object"},
		{"{\"defaultAction\":\"SCMP_ACT_DENY\"}",
		 "linux.seccomp: defaultAction: invalid default action"},
		{"{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
		 "linux.seccomp: defaultAction: invalid default action"},
		{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
		 "linux.seccomp: defaultAction: invalid default action or "
		 "defaultErrnoRet"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		 "[\"SCMP_ARCH_X86_46\"]}",
		 "linux.seccomp: architectures[0]: not an architecture"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALOW\"}]}",
		 "linux.seccomp: syscalls[0].action: invalid action"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
		 "\"errnoRet\":4096}]}",
		 "linux.seccomp: syscalls[0].action: invalid action or "
		 "errnoRet"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		 "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]"
		 "}",
		 "linux.seccomp: syscalls[0].args[0]: invalid comparison"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		 "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_GE\"},"
		 "{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_LE\"}]}]}",
		 "linux.seccomp: syscalls[0].args[1]: argument 0 is compared "
		 "twice"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
		 "[{\"names\":[\"read\", 7],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		 "linux.seccomp: syscalls[0].names[1]: must be a string"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}",
		 "linux.seccomp: syscalls: must be an array"},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		_cleanup_capture_ struct capture c;

		capture_start(&c);
		CHECK(compile_text(cases[i].json, -1, &c) < 0);
		CHECK_CONTAINS(c.err.msg, cases[i].msg);
	}
}

static void test_compile_unknown_name_warns(void)
{
	_cleanup_capture_ struct capture c;

	capture_start(&c);
	CHECK(compile_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			   "\"syscalls\":[{\"names\":[\"read\",\"fsopne\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			   -1, &c) > 0);
	CHECK(c.err.warnings == 1);
	CHECK_CONTAINS(captured(&c), "syscalls[0].names[1]: unknown syscall "
				     "\"fsopne\" skipped");
}

static void test_compile_foreign_arch(void)
{
	_cleanup_capture_ struct capture c;
	long n;

	capture_start(&c);
	n = compile_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
			 "\"architectures\":[\"SCMP_ARCH_AARCH64\","
			 "\"SCMP_ARCH_ARM\"],\"syscalls\":[{\"names\":"
			 "[\"read\",\"arch_prctl\",\"chown32\"],"
			 "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			 -1, &c);
	if (n < 0)
		printf("  %s", captured(&c));
	CHECK(n > 0);
}

/* ------------------------------------------------------------------ */
/* In the kernel */

/* Compiles `json` and returns the program in a malloc'd buffer. */
static struct sock_filter *program(const char *json, unsigned short *ret_len)
{
	_cleanup_capture_ struct capture c;
	_cleanup_close_ int fd = memfd_create("prog", MFD_CLOEXEC);
	struct sock_filter *buf;
	long n;

	capture_start(&c);
	if (fd < 0)
		return NULL;
	n = compile_text(json, fd, &c);
	if (n <= 0 || n > 0xffff) {
		printf("  %s", captured(&c));
		return NULL;
	}
	buf = calloc((size_t)n, sizeof(*buf));
	if (!buf || pread(fd, buf, (size_t)n * sizeof(*buf), 0) !=
			    (ssize_t)((size_t)n * sizeof(*buf))) {
		free(buf);
		return NULL;
	}
	*ret_len = (unsigned short)n;
	return buf;
}

/* Runs `body` in a child that has loaded the program. Returns the wait
 * status. The child reports through its exit code (0: as expected). */
static int run_filtered(const struct sock_filter *prog, unsigned short len,
			int (*body)(void))
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sock_fprog fprog = {
			.len = len,
			.filter = (struct sock_filter *)prog,
		};

		/* Unprivileged filters need no_new_privs (seccomp(2)). */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(100);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) <
		    0)
			_exit(101);
		_exit(body());
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static int body_getppid_eperm(void)
{
	long r;

	errno = 0;
	r = syscall(SYS_getppid);
	if (r != -1 || errno != EPERM)
		return 1;
	/* Everything else is allowed. */
	return syscall(SYS_getpid) > 0 ? 0 : 2;
}

static void test_kernel_errno(void)
{
	_cleanup_free_ struct sock_filter *prog = NULL;
	unsigned short len = 0;
	int status;

	prog = program(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"architectures\":[\"@NATIVE@\"],\"syscalls\":[{\"names\":"
		"[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":1}]}",
		&len);
	CHECK(prog != NULL);
	status = run_filtered(prog, len, body_getppid_eperm);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("  child status 0x%x\n", status);
	CHECK(WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
}

/* MASKED_EQ: value is the mask, valueTwo the expected value (as runc).
 * With mask 0xff00 and value 0x1200, 0x1334 does not match; with the two
 * swapped (libseccomp masks the value, giving 0x1200 & 0x1200) it would. */
static int body_masked(void)
{
	int r;

	errno = 0;
	if (getpriority(PRIO_PROCESS, 0x1234) != -1 || errno != EACCES)
		return 1;
	/* Reaches the kernel: a nice value, or no such process. */
	errno = 0;
	r = getpriority(PRIO_PROCESS, 0x1334);
	if (r == -1 && errno == EACCES)
		return 2;
	errno = 0;
	r = getpriority(PRIO_PROCESS, 0x3434);
	if (r == -1 && errno == EACCES)
		return 3;
	return 0;
}

static void test_kernel_masked_eq(void)
{
	_cleanup_free_ struct sock_filter *prog = NULL;
	unsigned short len = 0;
	int status;

	prog = program(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"architectures\":[\"@NATIVE@\"],\"syscalls\":[{\"names\":"
		"[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":13,\"args\":[{\"index\":1,\"value\":65280,"
		"\"valueTwo\":4608,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
		&len);
	CHECK(prog != NULL);
	status = run_filtered(prog, len, body_masked);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("  child status 0x%x\n", status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int body_getppid_only(void)
{
	syscall(SYS_getppid);
	return 0;
}

static void test_kernel_kill(void)
{
	_cleanup_free_ struct sock_filter *prog = NULL;
	unsigned short len = 0;
	int status;

	prog = program(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		"\"architectures\":[\"@NATIVE@\"],\"syscalls\":[{\"names\":"
		"[\"getppid\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
		&len);
	CHECK(prog != NULL);
	status = run_filtered(prog, len, body_getppid_only);
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGSYS);
}

static int body_exit(void)
{
	return 0;
}

/* A profile for another architecture only: the native one is removed, so
 * every native call fails libseccomp's architecture check (killed). */
static void test_kernel_native_removed(void)
{
	_cleanup_free_ struct sock_filter *prog = NULL;
	unsigned short len = 0;
	int status;

	if (strcmp(native(), "SCMP_ARCH_X86_64") != 0) {
		printf("SKIP test_kernel_native_removed: not on x86_64\n");
		return;
	}
	prog = program("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"architectures\":[\"SCMP_ARCH_AARCH64\"],"
		       "\"syscalls\":[]}",
		       &len);
	CHECK(prog != NULL);
	status = run_filtered(prog, len, body_exit);
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGSYS);
}

int main(void)
{
	RUN(test_arch_support);
	RUN(test_names);
	RUN(test_compile_small);
	if (access(MOBY_REF, R_OK) != 0)
		SKIP(test_compile_moby, MOBY_REF " absent");
	else
		RUN(test_compile_moby);
	RUN(test_compile_conflict);
	RUN(test_compile_conflict_unknown_name);
	RUN(test_compile_duplicates_ok);
	RUN(test_compile_default_action_rule);
	RUN(test_compile_invalid);
	RUN(test_compile_unknown_name_warns);
	RUN(test_compile_foreign_arch);
	RUN(test_kernel_errno);
	RUN(test_kernel_masked_eq);
	RUN(test_kernel_kill);
	RUN(test_kernel_native_removed);
	TEST_EXIT();
}
