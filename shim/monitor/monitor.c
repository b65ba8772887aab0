/* `hardshim monitor`: the node daemon (hs_monitor.h).
 *
 * Phases:
 *   1. parse argv and the config; no side effects;
 *   2. the socket: refuse to start when another monitor answers on it,
 *      else replace a stale one (only a socket is ever removed), bind it
 *      0600 (its directory made 0700 when missing);
 *   3. one epoll loop, single-threaded: registrations from runc, the
 *      notifications of every watched listener, signals (TERM and INT
 *      stop), and a one-second timer for the reports (report.c). Single-
 *      threaded also because the network reads enter namespaces with the
 *      calling thread.
 * When the monitor stops, for whatever reason, every listener fd closes
 * with it and the kernel answers the notified syscalls with ENOSYS: still
 * refused, no longer reported (and no container can put a listener of its
 * own in the monitor's place: shim/monitor/notify_rules.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_monitor.h"
#include "monitor_internal.h"

#define USAGE "usage: hardshim monitor [--events FILE] [--stdout]"

void hs_monitor_write(struct hs_monitor *m, const json_t *line)
{
	struct hs_error err = {0};

	/* A sink that fails loses this line only; the monitor runs on. */
	if (m->to_stdout)
		hs_event_write_fd(STDOUT_FILENO, line, &err);
	if (m->events &&
	    hs_event_append(m->events, json_incref((json_t *)line), &err) < 0) {
		fprintf(stderr, "hardshim monitor: %s\n", err.msg);
	}
}

void hs_monitor_emit(struct hs_monitor *m, const struct hs_event *ev)
{
	struct hs_error ignored = {0};
	json_t *line = hs_event_json(ev);

	hs_metrics_count_event(&m->metrics, ev->type, ev->policy, &ignored);
	if (!line)
		return;
	hs_monitor_write(m, line);
	json_decref(line);
}

void hs_monitor_drop(struct hs_monitor *m, const char *reason)
{
	struct hs_event ev = {.type = HS_EVENT_DROP, .reason = reason};

	hs_monitor_emit(m, &ev);
}

/* Phase 2. */
static int open_socket(const char *path, struct hs_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct hs_error ignored = {0};
	struct stat st;
	mode_t old;
	int fd, rc;

	if (hs_monitor_probe(path, &ignored) == 0)
		return hs_err(err, EADDRINUSE, "another monitor answers at %s",
			      path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return hs_err(err, EEXIST,
				      "%s exists and is not a socket", path);
		if (unlink(path) < 0)
			return hs_err(err, errno, "%s: %s", path,
				      strerror(errno));
	}
	hs_event_make_parent(path);
	if (hs_snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path) < 0)
		return hs_err(err, ENAMETOOLONG, "%s: too long", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return hs_err(err, errno, "socket: %s", strerror(errno));
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc < 0 || listen(fd, 128) < 0) {
		hs_err(err, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int add(struct hs_monitor *m, int fd, struct hs_monitor_tag *tag,
	       enum hs_monitor_kind kind, struct hs_error *err)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};

	tag->kind = kind;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return hs_err(err, errno, "epoll_ctl: %s", strerror(errno));
	return 0;
}

static int setup(struct hs_monitor *m, struct hs_error *err)
{
	struct itimerspec tick = {{1, 0}, {1, 0}};
	struct stat st;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* A runtime that hangs up mid-message must not kill the monitor. */
	signal(SIGPIPE, SIG_IGN);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	m->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->epfd < 0 || m->signal_fd < 0 || m->timer_fd < 0 ||
	    timerfd_settime(m->timer_fd, 0, &tick, NULL) < 0)
		return hs_err(err, errno, "setup: %s", strerror(errno));
	if (hs_seccomp_notify_sizes(&m->bufs, err) < 0)
		return -1;
	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return hs_err(err, errno, "/proc/thread-self/ns/net: %s",
			      strerror(errno));
	m->own_netns = st.st_ino;
	/* Only what the wrappers add from now on is counted. */
	m->tail_buf = malloc(HS_MONITOR_TAIL_MAX);
	if (!m->tail_buf)
		return hs_err(err, ENOMEM, "out of memory");
	if (m->events && stat(m->events, &st) == 0) {
		m->tail_ino = st.st_ino;
		m->tail_off = st.st_size;
	}
	m->listen_fd = open_socket(m->cfg->monitor.socket, err);
	if (m->listen_fd < 0)
		return -1;
	if (add(m, m->listen_fd, &m->listen_tag, HS_MK_LISTEN, err) < 0 ||
	    add(m, m->signal_fd, &m->signal_tag, HS_MK_SIGNAL, err) < 0 ||
	    add(m, m->timer_fd, &m->timer_tag, HS_MK_TIMER, err) < 0)
		return -1;
	return 0;
}

/* True when the monitor should stop. */
static bool on_signal(struct hs_monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			return true;
	return false;
}

/* -1 when the monitor must stop (hs_monitor_report). */
static int on_timer(struct hs_monitor *m)
{
	uint64_t ticks;
	size_t i;

	while (read(m->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
		m->ticks += ticks;
	for (i = m->n_pending; i-- > 0;)
		if (m->ticks - m->pending[i]->since > HS_MONITOR_MSG_SECONDS)
			hs_monitor_conn_expire(m, m->pending[i]);
	return hs_monitor_report(m);
}

static int loop(struct hs_monitor *m)
{
	struct epoll_event evs[64];
	bool timer;
	int n, i;

	for (;;) {
		n = epoll_wait(m->epfd, evs, HS_ARRAY_SIZE(evs), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "hardshim monitor: epoll_wait: %s\n",
				strerror(errno));
			return 1;
		}
		timer = false;
		for (i = 0; i < n; i++) {
			struct hs_monitor_tag *t = evs[i].data.ptr;

			switch (t->kind) {
			case HS_MK_LISTEN:
				hs_monitor_accept(m);
				break;
			case HS_MK_SIGNAL:
				if (on_signal(m))
					return 0;
				break;
			case HS_MK_TIMER:
				timer = true; /* last: it may free records */
				break;
			case HS_MK_CONN:
				hs_monitor_conn_read(
					m, (struct hs_monitor_conn *)t);
				break;
			case HS_MK_WATCHED:
				hs_monitor_answer(m, (struct hs_watched *)t,
						  evs[i].events);
				break;
			}
		}
		if (timer && on_timer(m) < 0)
			return 1;
	}
}

static int parse_args(int argc, char **argv, struct hs_monitor *m)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stdout") == 0)
			m->to_stdout = true;
		else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			m->events = argv[++i];
		else
			return -1;
	}
	return 0;
}

int hs_monitor_main(int argc, char **argv)
{
	struct hs_monitor m = {.epfd = -1, .listen_fd = -1};
	struct hs_config cfg;
	struct hs_error err = {0};
	int ret;

	if (parse_args(argc, argv, &m) < 0) {
		fprintf(stderr, "%s\n", USAGE);
		return 2;
	}
	hs_json_trust_policy_files();
	if (hs_config_load(hs_config_path(), &cfg, &err) < 0) {
		fprintf(stderr, "hardshim monitor: %s\n", err.msg);
		return 1;
	}
	m.cfg = &cfg;
	hs_metrics_init(&m.metrics);
	if (!m.events && cfg.decision_log[0])
		m.events = cfg.decision_log;
	if (!m.events && !m.to_stdout) {
		fprintf(stderr, "hardshim monitor: no event sink: the config "
				"has no decisionLog; give --events FILE or "
				"--stdout\n");
		hs_config_free(&cfg);
		return 2;
	}
	if (setup(&m, &err) < 0) {
		fprintf(stderr, "hardshim monitor: %s\n", err.msg);
		hs_config_free(&cfg);
		return 1;
	}
	fprintf(stderr, "hardshim monitor: listening at %s\n",
		cfg.monitor.socket);
	ret = loop(&m);
	unlink(cfg.monitor.socket);
	free(m.tail_buf);
	hs_seccomp_notify_bufs_free(&m.bufs);
	hs_config_free(&cfg);
	return ret;
}
