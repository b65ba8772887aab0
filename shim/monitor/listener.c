/* Registrations: runc connects to the monitor's socket when a container
 * (or a `runc exec`) loads a filter with SCMP_ACT_NOTIFY, sends the
 * listener fd by SCM_RIGHTS with a JSON message holding the container's
 * process state (and keeps its end open while it runs, see complete()):
 *   {"ociVersion": ..., "fds": ["seccompFd"], "pid": N, "metadata": "",
 *    "state": {"id": ..., "pid": ..., "bundle": ..., "annotations": ...}}
 * Trust: only root may connect (the socket is 0600, its directory made
 * 0700 when missing, and the peer's uid is checked); still, every field
 * is checked, and a
 * message that cannot be used is a counted "drop", never a crash. A
 * connection closed without a byte is the wrapper's probe. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_proc.h"
#include "hs_select.h"
#include "hs_spec.h"
#include "hs_state.h"
#include "monitor_internal.h"

#define SECCOMP_FD_NAME "seccompFd"

static void conn_close(struct hs_monitor *m, struct hs_monitor_conn *c)
{
	size_t i;

	for (i = 0; i < m->n_pending; i++)
		if (m->pending[i] == c) {
			m->pending[i] = m->pending[--m->n_pending];
			break;
		}
	for (i = 0; i < c->n_fds; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	/* Out of the epoll set first: a close leaves it only when no other
	 * reference to the socket remains. */
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	free(c);
}

void hs_monitor_accept(struct hs_monitor *m)
{
	struct hs_monitor_conn *c;
	struct epoll_event ev = {.events = EPOLLIN};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    cred.uid != 0) {
		close(fd);
		hs_monitor_drop(m, "a connection from a non-root process");
		return;
	}
	if (m->n_pending >= HS_MONITOR_MAX_PENDING) {
		close(fd);
		hs_monitor_drop(m, "too many connections waiting for their "
				   "message");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->buf = malloc(HS_MONITOR_MSG_MAX);
	if (!c || !c->buf) {
		if (c)
			free(c);
		close(fd);
		hs_monitor_drop(m, "out of memory");
		return;
	}
	c->tag.kind = HS_MK_CONN;
	c->fd = fd;
	c->since = m->ticks;
	ev.data.ptr = c;
	m->pending[m->n_pending++] = c;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		conn_close(m, c);
}

/* Keeps the fds of a control message; any beyond the room is closed. */
static void take_fds(struct hs_monitor_conn *c, struct msghdr *msg)
{
	struct cmsghdr *cm;

	if (msg->msg_flags & MSG_CTRUNC)
		c->truncated = true;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n, i;
		int *fds = (int *)CMSG_DATA(cm);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (c->n_fds < HS_ARRAY_SIZE(c->fds))
				c->fds[c->n_fds++] = fds[i];
			else {
				close(fds[i]);
				c->truncated = true;
			}
		}
	}
}

/* The listener fd must be what the kernel calls a seccomp notify fd. */
static bool is_listener(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

/* A pid whose mount namespace is the monitor's own is not in a container:
 * runc always gives a container a mount namespace of its own. */
static int in_container(int pid, struct hs_error *err)
{
	char path[64];
	struct stat self, other;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	if (stat(path, &other) < 0)
		return hs_err(err, errno, "pid %d: %s", pid, strerror(errno));
	if (stat("/proc/self/ns/mnt", &self) < 0)
		return hs_err(err, errno, "/proc/self/ns/mnt: %s",
			      strerror(errno));
	if (self.st_ino == other.st_ino && self.st_dev == other.st_dev)
		return hs_err(err, EPERM,
			      "pid %d is not in a container (the monitor's "
			      "own mount namespace)",
			      pid);
	return 0;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* What the container's policy says to do on a violation: its file on
 * disk, named by the annotation hardshim wrote. A policy that cannot be
 * read leaves deny, and says so: the container is still refused every
 * escape syscall, but a "kill" may be lost. */
static void load_violation(struct hs_monitor *m, struct hs_watched *w)
{
	struct hs_policy p;
	struct hs_error err = {0};
	char reason[HS_ERR_MSG_MAX + HS_ID_MAX + 64];

	w->on_violation = HS_VIOLATION_DENY;
	if (!w->policy[0])
		return;
	if (hs_policy_load(m->cfg, w->policy, &p, &err) < 0) {
		snprintf(reason, sizeof(reason),
			 "container %s: its policy cannot be read, onViolation "
			 "is \"deny\": %s",
			 w->id, err.msg);
		hs_monitor_drop(m, reason);
		return;
	}
	w->on_violation = p.on_violation;
	hs_policy_free(&p);
}

/* Index of "seccompFd" in the message's fds list. */
static int seccomp_fd_index(const json_t *msg, struct hs_error *err)
{
	const json_t *fds = json_object_get(msg, "fds"), *v;
	size_t i;

	json_array_foreach (fds, i, v)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), SECCOMP_FD_NAME) == 0)
			return (int)i;
	return hs_err(err, EINVAL, "no \"%s\" in the message's fds",
		      SECCOMP_FD_NAME);
}

static int make_watched(struct hs_monitor *m, struct hs_monitor_conn *c,
			const struct hs_state *st, int index,
			struct hs_watched **ret, struct hs_error *err)
{
	struct hs_watched *w;
	const char *ns, *name;
	int pidfd;

	if ((size_t)index >= c->n_fds)
		return hs_err(err, EINVAL,
			      "fds names %d fds, %zu were received", index + 1,
			      c->n_fds);
	if (st->pid <= 0)
		return hs_err(err, EINVAL, "the state has no pid");
	/* The pidfd first: what is checked after is then that process, and
	 * a kill through it can hit no other, whatever the pid becomes. */
	pidfd = hs_proc_pidfd_open(st->pid, err);
	if (pidfd < 0)
		return -1;
	if (in_container(st->pid, err) < 0 || hs_proc_alive(pidfd) < 0 ||
	    !is_listener(c->fds[index])) {
		if (!err->msg[0])
			hs_err(err, EINVAL,
			       "pid %d has exited, or \"%s\" is not a seccomp "
			       "listener",
			       st->pid, SECCOMP_FD_NAME);
		close(pidfd);
		return -1;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(pidfd);
		return hs_err(err, ENOMEM, "out of memory");
	}
	w->fd = c->fds[index];
	c->fds[index] = -1;
	w->pid = st->pid;
	w->pidfd = pidfd;
	copy(w->id, sizeof(w->id), st->id);
	hs_select_pod_names(st->annotations, &ns, &name);
	copy(w->pod_namespace, sizeof(w->pod_namespace), ns);
	copy(w->pod_name, sizeof(w->pod_name), name);
	copy(w->policy, sizeof(w->policy),
	     json_string_value(
		     json_object_get(st->annotations, HS_ANNOTATION_POLICY)));
	copy(w->digest, sizeof(w->digest),
	     json_string_value(
		     json_object_get(st->annotations, HS_ANNOTATION_DIGEST)));
	load_violation(m, w);
	*ret = w;
	return 0;
}

static int do_register(struct hs_monitor *m, struct hs_monitor_conn *c,
		       struct hs_error *err)
{
	_cleanup_json_ json_t *msg = NULL;
	struct hs_state st;
	struct hs_watched *w = NULL;
	int index, ret;

	if (c->truncated)
		return hs_err(err, EMSGSIZE,
			      "the message's fds were cut short");
	if (c->len >= HS_MONITOR_MSG_MAX)
		return hs_err(err, EMSGSIZE, "the message reaches %u bytes",
			      HS_MONITOR_MSG_MAX);
	msg = hs_json_load_buffer(c->buf, c->len, "message", err);
	if (!msg)
		return -1;
	index = seccomp_fd_index(msg, err);
	if (index < 0)
		return -1;
	if (hs_state_parse(json_object_get(msg, "state"), &st, err) < 0)
		return hs_err_context(err, "message");
	ret = make_watched(m, c, &st, index, &w, err);
	hs_state_free(&st);
	if (ret < 0)
		return -1;
	if (hs_monitor_watch(m, w, err) < 0) {
		c->fds[index] = w->fd; /* closed with the connection */
		w->fd = -1;
		if (w->pidfd >= 0)
			close(w->pidfd);
		free(w);
		return -1;
	}
	hs_monitor_watch_network(m, w);
	return 0;
}

/* Whether the bytes so far hold a whole JSON value: runc keeps its end of
 * the connection open while it runs (`runc run` for the container's whole
 * life), so the end of a message is the end of its JSON, not EOF. */
static bool complete(const struct hs_monitor_conn *c)
{
	json_error_t e;
	json_t *j = json_loadb(c->buf, c->len, 0, &e);

	if (j) {
		json_decref(j);
		return true;
	}
	return (size_t)e.position < c->len; /* an error before the end */
}

static void finish(struct hs_monitor *m, struct hs_monitor_conn *c)
{
	struct hs_error err = {0};

	if (do_register(m, c, &err) < 0) {
		char reason[HS_ERR_MSG_MAX + 32];

		snprintf(reason, sizeof(reason), "registration refused: %s",
			 err.msg);
		hs_monitor_drop(m, reason);
	}
	conn_close(m, c);
}

void hs_monitor_conn_read(struct hs_monitor *m, struct hs_monitor_conn *c)
{
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = {
		.iov_base = c->buf + c->len,
		.iov_len = HS_MONITOR_MSG_MAX - c->len,
	};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	ssize_t n;

	n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		take_fds(c, &msg);
		c->len += (size_t)n;
		if (c->len < HS_MONITOR_MSG_MAX && !complete(c))
			return; /* more to come */
		finish(m, c);
		return;
	}
	/* EOF (or a reset) before a whole message; nothing at all is the
	 * wrapper's probe. */
	if (c->len == 0 && c->n_fds == 0)
		conn_close(m, c);
	else
		finish(m, c);
}

void hs_monitor_conn_expire(struct hs_monitor *m, struct hs_monitor_conn *c)
{
	hs_monitor_drop(m, "a registration message not complete within "
			   "its time limit");
	conn_close(m, c);
}
