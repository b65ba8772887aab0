// SPDX-License-Identifier: Apache-2.0
/*
 * probe: attempt one denied primitive and say what the kernel answered.
 *
 * Runs inside a tenant container (built static, copied into the bundle's
 * rootfs by hack/make-bundle.sh). Every primitive is attempted with a raw
 * syscall() number, so no libc wrapper can turn an answer into a fallback or
 * hide it. Each subcommand prints exactly one line:
 *
 *   NAME: refused (errno=N ENAME)   the call failed; exit 0
 *   NAME: killed (SIGSYS)           the attempt (made in a forked child) was
 *                                   killed by a signal; exit 0
 *   NAME: ALLOWED                   the call succeeded; exit 1
 *
 * "refused" does not say who refused: seccomp, a missing capability or a
 * sysctl. Tests that need to prove seccomp alone refused run the probe with
 * every capability (see tests/integration/test_seccomp_probe.sh).
 *
 * "probe all" runs every check in its own forked child, so that a check that
 * kills its process (SIGSYS) does not stop the others, and exits 1 if any
 * check was ALLOWED. "probe NAME..." runs the named checks the same way
 * (each forked too, so even a check killed outright prints its line).
 * Exit 2 is a usage or probe error.
 *
 * Side effects only happen when a primitive is ALLOWED (a tmpfs over /tmp, a
 * pivot_root, a new keyring), and then only in the container, in a child that
 * exits right after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "probe: x86_64 only (it makes i386 and x32 syscalls on purpose)"
#endif

#ifndef AF_PACKET
#define AF_PACKET 17
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
/* i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define I386_NR_getpid 20
#define I386_NR_unshare 310
/* x86_64 getpid, used through the x32 entry point. */
#define X86_64_NR_getpid 39

enum verdict { REFUSED = 0, ALLOWED = 1, PROBE_ERROR = 2 };

/* One line, written with a single write(2) so that lines from forked
 * children never interleave and never sit in a stdio buffer at _exit. */
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(STDOUT_FILENO, buf, (size_t)n);
}

static const char *errname(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "?";
}

/* Turns a raw syscall return into a verdict line. */
static int report(const char *name, long ret, int err)
{
	if (ret >= 0) {
		say("%s: ALLOWED", name);
		return ALLOWED;
	}
	say("%s: refused (errno=%d %s)", name, err, errname(err));
	return REFUSED;
}

static int report_signal(const char *name, int sig)
{
	const char *s = sigabbrev_np(sig);

	say("%s: killed (SIG%s)", name, s ? s : "?");
	return REFUSED;
}

/*
 * Runs fn in a forked child and passes its raw return value and errno back
 * through a pipe: for attempts that may kill the caller (i386/x32 entry
 * points, whose bad-arch action is SIGSYS) or that, when they succeed,
 * return in a new child (clone).
 */
struct attempt {
	long ret;
	int err;
};

static int attempt_in_child(const char *name, long (*fn)(void))
{
	struct attempt a = { -1, 0 };
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		say("%s: probe error (pipe: %s)", name, strerror(errno));
		return PROBE_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		say("%s: probe error (fork: %s)", name, strerror(errno));
		return PROBE_ERROR;
	}
	if (pid == 0) {
		close(fds[0]);
		errno = 0;
		a.ret = fn();
		a.err = errno;
		(void)!write(fds[1], &a, sizeof(a));
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], &a, sizeof(a));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return report_signal(name, WTERMSIG(status));
	if (n != (ssize_t)sizeof(a)) {
		say("%s: probe error (child exited %d without an answer)", name,
		    WEXITSTATUS(status));
		return PROBE_ERROR;
	}
	return report(name, a.ret, a.err);
}

/* --- namespaces ------------------------------------------------------- */

static int do_unshare(const char *name, unsigned long flags)
{
	long r = syscall(SYS_unshare, flags);

	return report(name, r, errno);
}

static int check_unshare_user(const char *name)
{
	return do_unshare(name, CLONE_NEWUSER);
}

static int check_unshare_net(const char *name)
{
	return do_unshare(name, CLONE_NEWNET);
}

static int check_clone_newuser(const char *name)
{
	/* No stack: the child runs on a copy of ours, like fork. */
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	int err = errno;

	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return report(name, r, err);
}

static int check_clone3_newuser(const char *name)
{
	struct clone_args args;
	long r;
	int err;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWUSER;
	args.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &args, sizeof(args));
	err = errno;
	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return report(name, r, err);
}

/* --- mounts and roots ------------------------------------------------- */

static int check_mount(const char *name)
{
	long r = syscall(SYS_mount, "tmpfs", "/tmp", "tmpfs", 0UL, NULL);

	return report(name, r, errno);
}

static int check_fsopen(const char *name)
{
	long r = syscall(SYS_fsopen, "tmpfs", 0UL);

	return report(name, r, errno);
}

static int check_pivot_root(const char *name)
{
	const char *dir = "/";
	long r;

	/*
	 * pivot_root(".", ".") is runc's own trick, but the new root must be
	 * a mount other than the current root (else EBUSY): where this
	 * process may, it makes one in a mount namespace of its own, so that
	 * an unfiltered, privileged run really pivots. Where it may not, it
	 * tries from "/" so that the answer (EPERM from a filter or a missing
	 * capability, EBUSY from the kernel) still shows who refused.
	 */
	if (syscall(SYS_unshare, CLONE_NEWNS) == 0 &&
	    syscall(SYS_mount, NULL, "/", NULL, (long)(MS_REC | MS_PRIVATE),
		    NULL) == 0 &&
	    syscall(SYS_mount, "tmpfs", "/tmp", "tmpfs", 0L, NULL) == 0)
		dir = "/tmp";
	if (chdir(dir) < 0) {
		say("%s: probe error (chdir: %s)", name, strerror(errno));
		return PROBE_ERROR;
	}
	r = syscall(SYS_pivot_root, ".", ".");
	return report(name, r, errno);
}

static int check_chroot(const char *name)
{
	long r = syscall(SYS_chroot, "/");

	return report(name, r, errno);
}

/* --- sockets ---------------------------------------------------------- */

static int check_raw_socket(const char *name)
{
	long r = syscall(SYS_socket, AF_INET, SOCK_RAW, 1 /* IPPROTO_ICMP */);

	return report(name, r, errno);
}

static int check_packet_socket(const char *name)
{
	long r = syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);

	return report(name, r, errno);
}

/* --- other processes -------------------------------------------------- */

static int check_ptrace(const char *name)
{
	long r;
	int err;
	pid_t pid = fork();

	if (pid < 0) {
		say("%s: probe error (fork: %s)", name, strerror(errno));
		return PROBE_ERROR;
	}
	if (pid == 0) {
		for (;;)
			pause();
	}
	r = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, (long)pid, 0L, 0L);
	err = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return report(name, r, err);
}

static volatile char vm_secret[16] = "probe-vm-secret";

static int check_process_vm_readv(const char *name)
{
	char buf[sizeof(vm_secret)];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { (void *)vm_secret, sizeof(vm_secret) };
	long r;

	r = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1UL, &remote,
		    1UL, 0UL);
	return report(name, r, errno);
}

/* --- kernel attack surface -------------------------------------------- */

static int check_bpf(const char *name)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	r = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	return report(name, r, errno);
}

static int check_keyctl(const char *name)
{
	long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);

	return report(name, r, errno);
}

static int check_add_key(const char *name)
{
	static const char payload[] = "probe";
	long r = syscall(SYS_add_key, "user", "hardshim-probe", payload,
			 sizeof(payload), KEY_SPEC_PROCESS_KEYRING);

	return report(name, r, errno);
}

static int check_io_uring(const char *name)
{
	struct io_uring_params p;
	long r;

	memset(&p, 0, sizeof(p));
	r = syscall(SYS_io_uring_setup, 4U, &p);
	return report(name, r, errno);
}

static int check_userfaultfd(const char *name)
{
	/* UFFD_USER_MODE_ONLY is what an unprivileged process may ask for
	 * even with vm.unprivileged_userfaultfd = 0. */
	long r = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	return report(name, r, errno);
}

static int check_perf_event_open(const char *name)
{
	struct perf_event_attr attr;
	long r;

	/* A user-only software counter on ourselves: what
	 * perf_event_paranoid = 2 still lets anyone open. */
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	r = syscall(SYS_perf_event_open, &attr, 0L, -1L, -1L,
		    PERF_FLAG_FD_CLOEXEC);
	return report(name, r, errno);
}

/* --- file handles and device nodes ------------------------------------- */

static int check_open_by_handle(const char *name)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	int mount_id = 0;
	long r;

	/* A real handle for "/" when name_to_handle_at is allowed, else a
	 * zeroed one: either way the answer comes from open_by_handle_at. */
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h.fh, &mount_id,
		    0L) < 0) {
		memset(&h, 0, sizeof(h));
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
	}
	r = syscall(SYS_open_by_handle_at, AT_FDCWD, &h.fh, (long)O_RDONLY);
	return report(name, r, errno);
}

static int check_name_to_handle(const char *name)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	int mount_id = 0;
	long r;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h.fh, &mount_id,
		    0L);
	return report(name, r, errno);
}

static int check_mknod_dev(const char *name)
{
	long r = syscall(SYS_mknod, "/tmp/probe-null", (long)(S_IFCHR | 0600),
			 (long)makedev(1, 3));
	int err = errno;

	if (r == 0)
		unlink("/tmp/probe-null");
	return report(name, r, err);
}

static int check_mknodat_dev(const char *name)
{
	long r = syscall(SYS_mknodat, AT_FDCWD, "/tmp/probe-loop",
			 (long)(S_IFBLK | 0600), (long)makedev(7, 0));
	int err = errno;

	if (r == 0)
		unlink("/tmp/probe-loop");
	return report(name, r, err);
}

/* --- other syscall entry points ---------------------------------------- */

/*
 * The i386 entry point from a 64-bit process: int $0x80 takes the i386
 * syscall number in eax and arguments in ebx, ecx, ... A filter that lists
 * only SCMP_ARCH_X86_64 does not know AUDIT_ARCH_I386, so libseccomp's
 * bad-arch action (kill) applies.
 */
static long int80(long nr, long arg1)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(arg1)
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static long int80_unshare_fn(void)
{
	return int80(I386_NR_unshare, CLONE_NEWUSER);
}

static long int80_getpid_fn(void)
{
	return int80(I386_NR_getpid, 0);
}

/* The x32 entry point: the x86_64 audit arch, with bit 30 set in the
 * number. The kernel here may not even build x32 (then it answers
 * ENOSYS), but seccomp sees the number first. */
static long x32_getpid_fn(void)
{
	return syscall(__X32_SYSCALL_BIT | X86_64_NR_getpid);
}

static int check_int80_unshare(const char *name)
{
	return attempt_in_child(name, int80_unshare_fn);
}

static int check_int80_getpid(const char *name)
{
	return attempt_in_child(name, int80_getpid_fn);
}

static int check_x32_getpid(const char *name)
{
	return attempt_in_child(name, x32_getpid_fn);
}

/* --- syscalls newer than the profile --------------------------------- */

/* A number above every syscall the kernel has today: the profile cannot
 * name it, so it must fail with ENOSYS (runc's stub before the filter),
 * which is what lets libc fall back when a new syscall appears. */
static int check_newer_syscall(const char *name)
{
	long r = syscall(1000, 0, 0, 0, 0, 0, 0);

	return report(name, r, errno);
}

/* --- dispatch --------------------------------------------------------- */

struct check {
	const char *name;
	int (*fn)(const char *name);
};

static const struct check checks[] = {
	{ "unshare-user", check_unshare_user },
	{ "unshare-net", check_unshare_net },
	{ "clone-newuser", check_clone_newuser },
	{ "clone3-newuser", check_clone3_newuser },
	{ "mount", check_mount },
	{ "fsopen", check_fsopen },
	{ "pivot-root", check_pivot_root },
	{ "chroot", check_chroot },
	{ "raw-socket", check_raw_socket },
	{ "packet-socket", check_packet_socket },
	{ "ptrace", check_ptrace },
	{ "process-vm-readv", check_process_vm_readv },
	{ "bpf", check_bpf },
	{ "keyctl", check_keyctl },
	{ "add-key", check_add_key },
	{ "io_uring", check_io_uring },
	{ "userfaultfd", check_userfaultfd },
	{ "perf-event-open", check_perf_event_open },
	{ "open-by-handle", check_open_by_handle },
	{ "name-to-handle", check_name_to_handle },
	{ "mknod-dev", check_mknod_dev },
	{ "mknodat-dev", check_mknodat_dev },
	{ "int80-unshare", check_int80_unshare },
	{ "int80-getpid", check_int80_getpid },
	{ "x32-getpid", check_x32_getpid },
	{ "newer-syscall", check_newer_syscall },
};

#define N_CHECKS (sizeof(checks) / sizeof(checks[0]))

static const struct check *find_check(const char *name)
{
	size_t i;

	for (i = 0; i < N_CHECKS; i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	return NULL;
}

/* Runs one check in a forked child; a child killed by a signal is a
 * refusal, reported here since the child could not. */
static int run_forked(const struct check *c)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		say("%s: probe error (fork: %s)", c->name, strerror(errno));
		return PROBE_ERROR;
	}
	if (pid == 0)
		_exit(c->fn(c->name));
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			say("%s: probe error (waitpid: %s)", c->name,
			    strerror(errno));
			return PROBE_ERROR;
		}
	}
	if (WIFSIGNALED(status))
		return report_signal(c->name, WTERMSIG(status));
	return WEXITSTATUS(status);
}

static void usage(void)
{
	size_t i;

	say("usage: probe all | probe CHECK... | probe list");
	for (i = 0; i < N_CHECKS; i++)
		say("  %s", checks[i].name);
}

int main(int argc, char **argv)
{
	int worst = REFUSED, i;
	size_t k;

	if (argc < 2) {
		usage();
		return PROBE_ERROR;
	}
	if (strcmp(argv[1], "list") == 0) {
		for (k = 0; k < N_CHECKS; k++)
			say("%s", checks[k].name);
		return 0;
	}
	if (strcmp(argv[1], "all") == 0) {
		for (k = 0; k < N_CHECKS; k++) {
			int v = run_forked(&checks[k]);

			if (v == ALLOWED || (v == PROBE_ERROR && worst == REFUSED))
				worst = v;
		}
		return worst;
	}
	for (i = 1; i < argc; i++) {
		const struct check *c = find_check(argv[i]);
		int v;

		if (!c) {
			say("probe: unknown check '%s'", argv[i]);
			usage();
			return PROBE_ERROR;
		}
		v = run_forked(c);
		if (v == ALLOWED || (v == PROBE_ERROR && worst == REFUSED))
			worst = v;
	}
	return worst;
}
