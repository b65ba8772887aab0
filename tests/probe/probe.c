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
 * Network subcommands, which take arguments and are never part of "all"
 * (they print the same three forms, plus the time the answer took, and
 * "timed out" when nothing answered, exit 0):
 *
 *   probe tcp ADDR PORT      connect(2), at most 3 s
 *   probe udp ADDR PORT      one datagram on a connected socket, wait at
 *                            most 2 s for the echo (an ICMP error shows as
 *                            the errno it becomes)
 *   probe icmp-echo ADDR     one echo request over an unprivileged ICMP
 *                            socket (SOCK_DGRAM/IPPROTO_ICMP, needs
 *                            net.ipv4.ping_group_range), at most 2 s
 *   probe nft-delete         NFT_MSG_DELTABLE inet hardshim, in a batch
 *   probe nft-flush          NFT_MSG_DELRULE of every rule of inet hardshim
 *                            (nft flush table), in a batch
 *   e.g. "tcp 10.20.0.2:80: refused (errno=111 ECONNREFUSED) in 1 ms".
 *   For nft-*, "refused" is the kernel's answer in the netlink ack (or the
 *   failing step, which the line names).
 *
 * And, for the monitor's tests and benchmark:
 *
 *   probe repeat-unshare N   unshare(CLONE_NEWUSER) N times in a row; one
 *                            line with the count of each answer, the mean
 *                            cost of a call in ns, and the wall-clock time
 *                            (CLOCK_REALTIME) just before the first call;
 *                            exit 1 if any call succeeded
 *   probe seccomp-listener   seccomp(SET_MODE_FILTER, NEW_LISTENER) of an
 *                            allow-all filter: a listener of the
 *                            container's own, which a monitored filter
 *                            must refuse (same three forms as a check)
 *   probe repeat-getppid N   getppid(2), which every profile allows, N
 *                            times: the mean cost of a syscall no filter
 *                            denies, in ns ("getppid xN: X ns per call")
 *
 * Side effects only happen when a primitive is ALLOWED (a tmpfs over /tmp, a
 * pivot_root, a new keyring), and then only in the container, in a child that
 * exits right after.
 */
#define _GNU_SOURCE
/* glibc's netinet headers before the kernel's linux/in.h (via
 * linux/netfilter.h), which then defers to them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
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
#include <time.h>
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
	struct attempt a = {-1, 0};
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
	struct iovec local = {buf, sizeof(buf)};
	struct iovec remote = {(void *)vm_secret, sizeof(vm_secret)};
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
	r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h.fh, &mount_id, 0L);
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

/* --- network subcommands (with arguments; not part of "all") ----------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int net_report(const char *what, int ok, int err, long t0)
{
	long ms = now_ms() - t0;

	if (ok) {
		say("%s: ALLOWED in %ld ms", what, ms);
		return ALLOWED;
	}
	if (err == ETIMEDOUT) {
		say("%s: timed out in %ld ms", what, ms);
		return REFUSED;
	}
	say("%s: refused (errno=%d %s) in %ld ms", what, err, errname(err), ms);
	return REFUSED;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	return inet_pton(AF_INET, s, &sa->sin_addr) == 1 ? 0 : -1;
}

static int parse_port(const char *s, struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -1;
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

/* Waits for `events` on fd for at most ms; 0 ready, ETIMEDOUT, or errno. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = {fd, events, 0};
	long deadline = now_ms() + ms;
	int r;

	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0)
			return ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return ETIMEDOUT;
		if (errno != EINTR)
			return errno;
	}
}

static int net_tcp(int argc, char **argv)
{
	struct sockaddr_in sa;
	char what[96];
	socklen_t len = sizeof(int);
	int fd, err = 0;
	long t0;

	if (argc != 2 || parse_addr(argv[0], &sa) < 0 ||
	    parse_port(argv[1], &sa) < 0) {
		say("usage: probe tcp ADDR PORT");
		return PROBE_ERROR;
	}
	snprintf(what, sizeof(what), "tcp %s:%s", argv[0], argv[1]);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		say("%s: probe error (socket: %s)", what, strerror(errno));
		return PROBE_ERROR;
	}
	t0 = now_ms();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return net_report(what, 1, 0, t0);
	if (errno != EINPROGRESS)
		return net_report(what, 0, errno, t0);
	err = wait_fd(fd, POLLOUT, 3000);
	if (err == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	return net_report(what, err == 0, err, t0);
}

static int net_udp(int argc, char **argv)
{
	struct sockaddr_in sa;
	char what[96], buf[512];
	int fd, err;
	long t0;
	ssize_t n;

	if (argc != 2 || parse_addr(argv[0], &sa) < 0 ||
	    parse_port(argv[1], &sa) < 0) {
		say("usage: probe udp ADDR PORT");
		return PROBE_ERROR;
	}
	snprintf(what, sizeof(what), "udp %s:%s", argv[0], argv[1]);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		say("%s: probe error (socket: %s)", what, strerror(errno));
		return PROBE_ERROR;
	}
	t0 = now_ms();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, "probe", 5, 0) < 0)
		return net_report(what, 0, errno, t0);
	err = wait_fd(fd, POLLIN, 2000);
	if (err)
		return net_report(what, 0, err, t0);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	return net_report(what, n > 0, n < 0 ? errno : EPROTO, t0);
}

static int net_icmp_echo(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct icmphdr req, *rep;
	char what[96], buf[512];
	int fd, err;
	long t0, deadline;
	ssize_t n;

	if (argc != 1 || parse_addr(argv[0], &sa) < 0) {
		say("usage: probe icmp-echo ADDR");
		return PROBE_ERROR;
	}
	snprintf(what, sizeof(what), "icmp-echo %s", argv[0]);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		say("%s: probe error (socket: %s)", what, strerror(errno));
		return PROBE_ERROR;
	}
	memset(&req, 0, sizeof(req));
	req.type = ICMP_ECHO;
	req.un.echo.sequence = htons(1);
	t0 = now_ms();
	deadline = t0 + 2000;
	/* Connected, so that ICMP errors about the request reach us. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, &req, sizeof(req), 0) < 0)
		return net_report(what, 0, errno, t0);
	for (int i = 0; i < 16; i++) {
		long left = deadline - now_ms();

		err = left > 0 ? wait_fd(fd, POLLIN, (int)left) : ETIMEDOUT;
		if (err)
			return net_report(what, 0, err, t0);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return net_report(what, 0, errno, t0);
		rep = (struct icmphdr *)buf;
		if ((size_t)n >= sizeof(*rep) && rep->type == ICMP_ECHOREPLY)
			return net_report(what, 1, 0, t0);
	}
	return net_report(what, 0, EPROTO, t0);
}

/* One nftables batch: BEGIN, one message on table inet hardshim, END. */
static size_t nl_put(char *buf, size_t off, uint16_t type, uint16_t flags,
		     uint32_t seq, uint8_t family, uint16_t res_id,
		     const char *table)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
	struct nfgenmsg *g;
	size_t len = NLMSG_LENGTH(sizeof(*g));

	memset(nlh, 0, NLMSG_SPACE(sizeof(*g)));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = NLMSG_DATA(nlh);
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	if (table) {
		struct nlattr *a =
			(struct nlattr *)(buf + off + NLMSG_ALIGN(len));
		size_t alen = NLA_HDRLEN + strlen(table) + 1;

		memset(a, 0, NLA_ALIGN(alen));
		a->nla_type = NFTA_TABLE_NAME; /* == NFTA_RULE_TABLE (1) */
		a->nla_len = (uint16_t)alen;
		memcpy((char *)a + NLA_HDRLEN, table, strlen(table) + 1);
		len = NLMSG_ALIGN(len) + NLA_ALIGN(alen);
	}
	nlh->nlmsg_len = (uint32_t)len;
	return off + NLMSG_ALIGN(len);
}

static int nft_batch(const char *what, uint16_t msg)
{
	char buf[512], ack[8192];
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	size_t len = 0;
	int fd;
	long t0 = now_ms();
	ssize_t n;
	struct nlmsghdr *nlh;

	_Static_assert((int)NFTA_TABLE_NAME == (int)NFTA_RULE_TABLE,
		       "attr numbers");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return net_report(what, 0, errno, t0);
	len = nl_put(buf, len, NFNL_MSG_BATCH_BEGIN, 0, 1, AF_UNSPEC,
		     NFNL_SUBSYS_NFTABLES, NULL);
	len = nl_put(buf, len, (NFNL_SUBSYS_NFTABLES << 8) | msg, NLM_F_ACK, 2,
		     NFPROTO_INET, 0, "hardshim");
	len = nl_put(buf, len, NFNL_MSG_BATCH_END, 0, 3, AF_UNSPEC,
		     NFNL_SUBSYS_NFTABLES, NULL);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return net_report(what, 0, errno, t0);
	/* Every ack, until an error or the ack of our message. */
	for (int i = 0; i < 8; i++) {
		int err = wait_fd(fd, POLLIN, 2000);

		if (err)
			return net_report(what, 0, err, t0);
		n = recv(fd, ack, sizeof(ack), MSG_DONTWAIT);
		if (n < 0)
			return net_report(what, 0, errno, t0);
		for (nlh = (struct nlmsghdr *)ack; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error != 0)
				return net_report(what, 0, -e->error, t0);
			if (nlh->nlmsg_seq == 2)
				return net_report(what, 1, 0, t0);
		}
	}
	return net_report(what, 0, EPROTO, t0);
}

static int net_nft_delete(int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		say("usage: probe nft-delete");
		return PROBE_ERROR;
	}
	return nft_batch("nft-delete", NFT_MSG_DELTABLE);
}

static int net_nft_flush(int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		say("usage: probe nft-flush");
		return PROBE_ERROR;
	}
	return nft_batch("nft-flush", NFT_MSG_DELRULE);
}

struct net_check {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int repeat_unshare(int argc, char **argv)
{
	long n, i, eperm = 0, enosys = 0, other = 0, allowed = 0;
	struct timespec wall, a, b;
	char *end;

	if (argc != 1 || (n = strtol(argv[0], &end, 10)) <= 0 || *end) {
		say("usage: probe repeat-unshare N");
		return PROBE_ERROR;
	}
	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (syscall(SYS_unshare, CLONE_NEWUSER) == 0)
			allowed++;
		else if (errno == EPERM)
			eperm++;
		else if (errno == ENOSYS)
			enosys++;
		else
			other++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	say("unshare x%ld: EPERM=%ld ENOSYS=%ld other=%ld allowed=%ld, "
	    "%.0f ns per call, first at %ld.%09ld",
	    n, eperm, enosys, other, allowed,
	    ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n,
	    (long)wall.tv_sec, wall.tv_nsec);
	return allowed ? ALLOWED : REFUSED;
}

static int seccomp_listener(int argc, char **argv)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};
	long r;

	(void)argv;
	if (argc != 0) {
		say("usage: probe seccomp-listener");
		return PROBE_ERROR;
	}
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return report("seccomp-listener", r, errno);
}

static int repeat_getppid(int argc, char **argv)
{
	struct timespec a, b;
	long n, i;
	char *end;

	if (argc != 1 || (n = strtol(argv[0], &end, 10)) <= 0 || *end) {
		say("usage: probe repeat-getppid N");
		return PROBE_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	say("getppid x%ld: %.1f ns per call", n,
	    ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return REFUSED;
}

static const struct net_check net_checks[] = {
	{"repeat-unshare", repeat_unshare},
	{"repeat-getppid", repeat_getppid},
	{"seccomp-listener", seccomp_listener},
	{"tcp", net_tcp},
	{"udp", net_udp},
	{"icmp-echo", net_icmp_echo},
	{"nft-delete", net_nft_delete},
	{"nft-flush", net_nft_flush},
};

/* --- dispatch --------------------------------------------------------- */

struct check {
	const char *name;
	int (*fn)(const char *name);
};

static const struct check checks[] = {
	{"unshare-user", check_unshare_user},
	{"unshare-net", check_unshare_net},
	{"clone-newuser", check_clone_newuser},
	{"clone3-newuser", check_clone3_newuser},
	{"mount", check_mount},
	{"fsopen", check_fsopen},
	{"pivot-root", check_pivot_root},
	{"chroot", check_chroot},
	{"raw-socket", check_raw_socket},
	{"packet-socket", check_packet_socket},
	{"ptrace", check_ptrace},
	{"process-vm-readv", check_process_vm_readv},
	{"bpf", check_bpf},
	{"keyctl", check_keyctl},
	{"add-key", check_add_key},
	{"io_uring", check_io_uring},
	{"userfaultfd", check_userfaultfd},
	{"perf-event-open", check_perf_event_open},
	{"open-by-handle", check_open_by_handle},
	{"name-to-handle", check_name_to_handle},
	{"mknod-dev", check_mknod_dev},
	{"mknodat-dev", check_mknodat_dev},
	{"int80-unshare", check_int80_unshare},
	{"int80-getpid", check_int80_getpid},
	{"x32-getpid", check_x32_getpid},
	{"newer-syscall", check_newer_syscall},
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
	say("       probe tcp|udp ADDR PORT | probe icmp-echo ADDR");
	say("       probe nft-delete | probe nft-flush");
	say("       probe repeat-unshare N | probe repeat-getppid N");
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
	for (k = 0; k < sizeof(net_checks) / sizeof(net_checks[0]); k++)
		if (strcmp(argv[1], net_checks[k].name) == 0)
			return net_checks[k].fn(argc - 2, argv + 2);
	if (strcmp(argv[1], "all") == 0) {
		for (k = 0; k < N_CHECKS; k++) {
			int v = run_forked(&checks[k]);

			if (v == ALLOWED ||
			    (v == PROBE_ERROR && worst == REFUSED))
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
