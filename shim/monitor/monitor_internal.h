/* The monitor's parts (shim/monitor/): monitor.c runs the loop,
 * listener.c takes the runtime's registrations, answer.c answers the
 * notifications, watched.c keeps the table of watched listener fds,
 * report.c and tail.c run on the timer (counters, re-attestation,
 * metrics); notify_rules.c and probe.c are the wrapper's half. */
#ifndef HS_MONITOR_INTERNAL_H
#define HS_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hs_config.h"
#include "hs_digest.h"
#include "hs_event.h"
#include "hs_limits.h"
#include "hs_metrics.h"
#include "hs_nft.h"
#include "hs_policy.h"
#include "hs_seccomp.h"

enum hs_monitor_kind {
	HS_MK_LISTEN,
	HS_MK_SIGNAL,
	HS_MK_TIMER,
	HS_MK_CONN,
	HS_MK_WATCHED,
};

/* What an epoll event points at: every record starts with its kind. */
struct hs_monitor_tag {
	enum hs_monitor_kind kind;
};

/* A connection from the runtime, until its message is complete. */
struct hs_monitor_conn {
	struct hs_monitor_tag tag;
	int fd;
	char *buf; /* HS_MONITOR_MSG_MAX */
	size_t len;
	int fds[4]; /* received by SCM_RIGHTS, -1 when unused */
	size_t n_fds;
	bool truncated; /* a control message cut short */
	uint64_t since; /* the monitor's tick when accepted */
};

/* One listener fd: one container process tree's filter (the container's
 * init, or one `runc exec`). */
struct hs_watched {
	struct hs_monitor_tag tag;
	int fd; /* the seccomp listener */
	int pidfd; /* the container's init, at registration */
	int pid;
	char id[HS_ID_MAX + 1];
	char pod_namespace[HS_POD_NAME_MAX + 1], pod_name[HS_POD_NAME_MAX + 1];
	char policy[HS_POLICY_NAME_MAX + 1];
	char digest[HS_DIGEST_HEX_LEN + 1];
	enum hs_on_violation on_violation;
	/* The refusal counters of its network namespace's table: read by
	 * the first registration of each namespace only (a pod's containers
	 * share one), NULL for the others. */
	uint64_t netns_ino;
	struct hs_nft_counter_sock *net;
	struct hs_nft_counters last; /* as of the previous read */
};

struct hs_monitor {
	const struct hs_config *cfg;
	int epfd;
	struct hs_monitor_tag listen_tag, signal_tag, timer_tag;
	int listen_fd, signal_fd, timer_fd;
	const char *events; /* the events file; NULL: none */
	bool to_stdout;
	struct hs_seccomp_notify_bufs bufs;
	struct hs_watched *watched[HS_MONITOR_MAX_WATCHED];
	size_t n_watched;
	struct hs_monitor_conn *pending[HS_MONITOR_MAX_PENDING];
	size_t n_pending;
	uint64_t ticks; /* seconds since start, by the timer */
	struct hs_metrics metrics;
	uint64_t next_verify; /* the tick of the next re-attestation */
	/* The events file as read by tail.c: its inode, how far, a buffer. */
	uint64_t tail_ino, tail_off;
	char *tail_buf; /* HS_MONITOR_TAIL_MAX */
	bool fatal; /* a thread left in another namespace: stop */
	uint64_t own_netns; /* the inode of the monitor's network namespace */
};

/* Writes an event to every sink, and counts it in the metrics; a sink that
 * fails loses that line (said on stderr for the file). hs_monitor_write
 * writes a line already made. */
void hs_monitor_emit(struct hs_monitor *m, const struct hs_event *ev);
void hs_monitor_write(struct hs_monitor *m, const json_t *line);

/* Records a message or listener that could not be used: a "drop" event
 * with the reason (counted in the metrics as any event). */
void hs_monitor_drop(struct hs_monitor *m, const char *reason);

/* listener.c: accept a connection; read from one (registers it when
 * complete, closes it at the end). */
void hs_monitor_accept(struct hs_monitor *m);
void hs_monitor_conn_read(struct hs_monitor *m, struct hs_monitor_conn *c);
/* Gives up on a connection whose message is late (a drop). */
void hs_monitor_conn_expire(struct hs_monitor *m, struct hs_monitor_conn *c);

/* watched.c */
int hs_monitor_watch(struct hs_monitor *m, struct hs_watched *w,
		     struct hs_error *err);
void hs_monitor_unwatch(struct hs_monitor *m, struct hs_watched *w);

/* report.c: what the one-second timer runs: the network counters of
 * every watched namespace (an event when one moved), the re-attestation
 * every monitor.verifyInterval seconds, and the metrics file. */
int hs_monitor_report(struct hs_monitor *m);

/* tail.c: counts the wrapper's events (start, narrowing, refusal,
 * unmonitored) added to the events file since the last tick. */
void hs_monitor_tail_events(struct hs_monitor *m);

/* Whether the (only) thread is no longer in the monitor's own network
 * namespace, as a failed return from a container's would leave it: then
 * the monitor must stop. */
bool hs_monitor_stuck(const struct hs_monitor *m);

/* Opens the counters of a new registration's network namespace unless
 * another registration reads them already. */
void hs_monitor_watch_network(struct hs_monitor *m, struct hs_watched *w);

/* answer.c: answers what is pending on one listener fd (at most
 * HS_MONITOR_BATCH); forgets the fd when its filter is gone. */
void hs_monitor_answer(struct hs_monitor *m, struct hs_watched *w,
		       uint32_t events);

#endif
