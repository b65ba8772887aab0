/* Answering a container's escape syscall: read the notification, deny it
 * with EPERM (never "continue": the monitor only sees what the profile
 * denies anyway), kill the container first where its policy says "kill",
 * and write one event. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_proc.h"
#include "monitor_internal.h"

static int pidfd_kill(int pidfd)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* /proc/PID/comm, which is the caller's only while the notification is
 * still valid (checked after). */
static void read_comm(int pid, char *buf, size_t size)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The container first: its init by the pidfd taken at registration (no pid
 * reuse can redirect it), which takes its whole pid namespace with it; and
 * only then the caller itself, by a pidfd checked against the
 * notification, in case it shares a pod's pid namespace rather than having
 * the container's own. In that order: a caller killed first lets its
 * parent, the init, run on until its own signal comes, and the monitor may
 * lose the CPU in between. */
static void kill_container(struct hs_watched *w, int fd, uint64_t id, int pid)
{
	struct hs_error ignored = {0};
	_cleanup_close_ int caller = -1;

	if (w->pidfd >= 0)
		pidfd_kill(w->pidfd);
	caller = hs_proc_pidfd_open(pid, &ignored);
	if (caller >= 0 && hs_seccomp_notify_id_valid(fd, id))
		pidfd_kill(caller);
}

static json_t *syscall_fields(const struct hs_notification *n, const char *name,
			      const char *response)
{
	json_t *args = json_array();
	const char *arch = hs_seccomp_audit_arch_name(n->arch);
	char hex[24];
	int i;

	for (i = 0; args && i < 6; i++) {
		snprintf(hex, sizeof(hex), "0x%" PRIx64, n->args[i]);
		json_array_append_new(args, json_string(hex));
	}
	return json_pack("{ss si ss so ss si}", "syscall", name, "nr", n->nr,
			 "arch", arch ? arch : "unknown", "args", args,
			 "response", response, "errno", EPERM);
}

static void answer_one(struct hs_monitor *m, struct hs_watched *w,
		       const struct hs_notification *n)
{
	char name[64], comm[32];
	bool kill = w->on_violation == HS_VIOLATION_KILL;
	_cleanup_json_ json_t *extra = NULL;
	struct hs_event ev = {
		.type = kill ? HS_EVENT_KILL : HS_EVENT_SYSCALL,
		.id = w->id,
		.pod_namespace = w->pod_namespace[0] ? w->pod_namespace : NULL,
		.pod_name = w->pod_name[0] ? w->pod_name : NULL,
		.policy = w->policy[0] ? w->policy : NULL,
		.digest = w->digest[0] ? w->digest : NULL,
		.pid = n->pid,
	};

	if (hs_seccomp_syscall_name(n->arch, n->nr, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "%d", n->nr);
	read_comm(n->pid, comm, sizeof(comm));
	if (!hs_seccomp_notify_id_valid(w->fd, n->id))
		comm[0] = '\0'; /* the caller is gone: not its comm */
	if (kill)
		kill_container(w, w->fd, n->id, n->pid);
	/* After a kill this fails (the caller is dying): nothing to do. */
	hs_seccomp_notify_deny(w->fd, &m->bufs, n->id, EPERM);
	ev.comm = comm[0] ? comm : NULL;
	extra = syscall_fields(n, name, kill ? "kill" : "deny");
	ev.extra = extra;
	hs_monitor_emit(m, &ev);
}

/* Whether a notification waits: the receive ioctl would block otherwise. */
static bool pending(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

void hs_monitor_answer(struct hs_monitor *m, struct hs_watched *w,
		       uint32_t events)
{
	struct hs_notification n;
	int i, rc;

	for (i = 0; i < HS_MONITOR_BATCH && pending(w->fd); i++) {
		rc = hs_seccomp_notify_receive(w->fd, &m->bufs, &n);
		if (rc == 0) {
			answer_one(m, w, &n);
		} else if (rc != -ENOENT) {
			/* ENOENT: the caller died meanwhile. Anything else
			 * would repeat at every wake: give the listener up
			 * (its syscalls then get ENOSYS) rather than spin. */
			hs_monitor_drop(m, "a listener that cannot be read");
			hs_monitor_unwatch(m, w);
			return;
		}
	}
	/* HUP: no process uses the filter any more. */
	if ((events & (EPOLLHUP | EPOLLERR)) && !pending(w->fd))
		hs_monitor_unwatch(m, w);
}
