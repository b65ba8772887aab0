/* Reading another process; see hs_proc.h.
 *
 * Trust: the process is the tenant's. Its pid is reached through a pidfd
 * opened before every read and checked after it, so a pid recycled in
 * between is an error, never another process's answer. What /proc shows
 * is the kernel's, but it is still parsed as bounded, untrusted text. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_proc.h"

int hs_proc_pidfd_open(int pid, struct hs_error *err)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return hs_err(err, errno, "pid %d: %s", pid,
			      errno == ESRCH ? "no such process"
					     : strerror(errno));
	return fd;
}

int hs_proc_alive(int pidfd)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
}

/* /proc/PID/FILE into buf (NUL-terminated, at most size - 1 bytes). */
static int read_proc(int pid, const char *file, char *buf, size_t size,
		     struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	ssize_t n = 0;
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	if (len < size - 1 && n < 0)
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	buf[len] = '\0';
	return 0;
}

int hs_proc_read_status(int pid, int pidfd, struct hs_proc_status *ps,
			struct hs_error *err)
{
	char buf[HS_PROC_STATUS_MAX_BYTES];

	if (read_proc(pid, "status", buf, sizeof(buf), err) < 0)
		return -1;
	if (hs_proc_alive(pidfd) < 0)
		return hs_err(err, ESRCH, "pid %d exited during attestation",
			      pid);
	return hs_attest_parse_status(buf, ps, err);
}

int hs_proc_parse_stat(const char *stat, char *ret_state, uint64_t *ret_start,
		       struct hs_error *err)
{
	const char *p = strrchr(stat, ')');
	char *end;
	unsigned long long v;
	int field;

	if (!p)
		return hs_err(err, EINVAL, "stat: no \")\" after comm");
	/* ")" ends field 2; field 3 (state) follows after one space. */
	p++;
	if (p[0] != ' ' || p[1] < 'A' || p[1] > 'z' ||
	    (p[2] != ' ' && p[2] != '\0'))
		return hs_err(err, EINVAL, "stat: no state after comm");
	*ret_state = p[1];
	for (field = 2; field < 22; field++) {
		if (*p != ' ')
			return hs_err(err, EINVAL, "stat: field %d missing",
				      field + 1);
		p++;
		if (field + 1 < 22)
			p += strcspn(p, " \n");
	}
	if (*p < '0' || *p > '9')
		return hs_err(err, EINVAL, "stat: starttime is not a number");
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return hs_err(err, EINVAL, "stat: starttime is not a number");
	*ret_start = (uint64_t)v;
	return 0;
}

int hs_proc_stat(int pid, int pidfd, char *ret_state, uint64_t *ret_start,
		 struct hs_error *err)
{
	char buf[HS_PROC_STAT_MAX_BYTES];

	if (read_proc(pid, "stat", buf, sizeof(buf), err) < 0)
		return -1;
	if (hs_proc_alive(pidfd) < 0)
		return hs_err(err, ESRCH, "pid %d exited during attestation",
			      pid);
	if (hs_proc_parse_stat(buf, ret_state, ret_start, err) < 0)
		return hs_err_context(err, "/proc/%d", pid);
	return 0;
}

/* What the ptrace child sends back: an errno (0 on success) and the
 * program's length, then the program. */
struct filter_reply {
	int32_t errnum;
	uint32_t insns;
};

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* The child, between fork and _exit: only system calls, no allocation,
 * so that a multi-threaded caller (the monitor) may use this too. It
 * never sets PTRACE_O_EXITKILL: its exit must detach, not kill. */
_Noreturn static void filter_child(int pid, int fd, struct sock_filter *prog)
{
	struct filter_reply r = {0};
	int status;
	long n;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 ||
	    ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
		goto fail;
	while (waitpid(pid, &status, __WALL) < 0)
		if (errno != EINTR)
			goto fail;
	if (!WIFSTOPPED(status)) {
		errno = ESRCH;
		goto fail;
	}
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL);
	if (n >= 0 && n > HS_BPF_MAX_INSNS)
		n = -1, errno = E2BIG;
	if (n >= 0)
		n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, prog);
	r.errnum = n < 0 ? errno : 0;
	r.insns = n < 0 ? 0 : (uint32_t)n;
	/* A signal that arrived while we held the process is handed back:
	 * a signal-delivery stop has no event in the high bits. */
	ptrace(PTRACE_DETACH, pid, 0,
	       (status >> 16) == 0 ? WSTOPSIG(status) : 0);
	write_all(fd, &r, sizeof(r));
	write_all(fd, prog, (size_t)r.insns * sizeof(*prog));
	_exit(0);
fail:
	r.errnum = errno ? errno : EIO;
	write_all(fd, &r, sizeof(r));
	_exit(0);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads `len` bytes before the deadline. */
static int read_deadline(int fd, void *buf, size_t len, int64_t deadline)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd.revents == 0)
			continue;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *filter_reason(int errnum)
{
	switch (errnum) {
	case EACCES:
		return "the caller is itself under seccomp, or lacks "
		       "CAP_SYS_ADMIN";
	case EPERM:
		return "ptrace refused (already traced, or no "
		       "CAP_SYS_PTRACE)";
	case ENOENT:
		return "no seccomp filter installed";
	case EINVAL:
		return "the process is not in filter mode";
	case ETIMEDOUT:
		return "the process did not stop for ptrace (paused?)";
	default:
		return strerror(errnum);
	}
}

int hs_proc_seccomp_filter(int pid, int pidfd, struct sock_filter *prog,
			   size_t *ret_insns, struct hs_error *err)
{
	_cleanup_close_ int rd = -1, wr = -1;
	struct filter_reply r = {0};
	int fds[2], status, rc;
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return hs_err(err, errno, "pipe2: %s", strerror(errno));
	rd = fds[0];
	wr = fds[1];
	child = fork();
	if (child < 0)
		return hs_err(err, errno, "fork: %s", strerror(errno));
	if (child == 0)
		filter_child(pid, wr, prog);
	close(hs_steal_fd(&wr));
	rc = read_deadline(rd, &r, sizeof(r),
			   now_ms() + HS_PROC_PTRACE_TIMEOUT_MS);
	if (rc == 0 && r.errnum == 0 && r.insns > HS_BPF_MAX_INSNS)
		rc = -E2BIG;
	if (rc == 0 && r.errnum == 0)
		rc = read_deadline(rd, prog, (size_t)r.insns * sizeof(*prog),
				   now_ms() + HS_PROC_PTRACE_TIMEOUT_MS);
	/* Our own child, by its pid: its exit detaches the tracee. */
	if (rc < 0)
		kill(child, SIGKILL);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && r.errnum)
		rc = -r.errnum;
	if (rc == 0 && hs_proc_alive(pidfd) < 0)
		rc = -ESRCH;
	if (rc < 0)
		return hs_err(
			err, -rc, "pid %d: reading the seccomp filter: %s", pid,
			rc == -ESRCH ? "no such process" : filter_reason(-rc));
	*ret_insns = r.insns;
	return 0;
}
