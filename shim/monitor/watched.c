/* The table of watched listener fds. Each is in the epoll set with a
 * pointer to its record; a record is freed only after its fd has left the
 * set (EPOLL_CTL_DEL), and the loop handles the timer, which may free
 * connections, after every other event of a batch (monitor.c), so that no
 * event is handled for a freed record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "monitor_internal.h"

int hs_monitor_watch(struct hs_monitor *m, struct hs_watched *w,
		     struct hs_error *err)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};

	if (m->n_watched >= HS_MONITOR_MAX_WATCHED)
		return hs_err(err, ENOSPC,
			      "already watching %d listeners, the limit",
			      HS_MONITOR_MAX_WATCHED);
	w->tag.kind = HS_MK_WATCHED;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return hs_err(err, errno, "epoll_ctl: %s", strerror(errno));
	m->watched[m->n_watched++] = w;
	return 0;
}

/* The network counters pass to another registration of the same
 * namespace (a pod's other container, an exec), so that they are read for
 * as long as one is watched. */
static bool hand_over(struct hs_monitor *m, struct hs_watched *w)
{
	size_t i;

	for (i = 0; i < m->n_watched; i++)
		if (m->watched[i]->netns_ino == w->netns_ino &&
		    !m->watched[i]->net) {
			m->watched[i]->net = w->net;
			m->watched[i]->last = w->last;
			return true;
		}
	return false;
}

void hs_monitor_unwatch(struct hs_monitor *m, struct hs_watched *w)
{
	size_t i;

	for (i = 0; i < m->n_watched; i++)
		if (m->watched[i] == w) {
			m->watched[i] = m->watched[--m->n_watched];
			break;
		}
	/* Out of the epoll set first: a close leaves it only when no other
	 * reference to the listener remains, and the record is freed now. */
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	if (w->net && !hand_over(m, w))
		hs_nft_counters_close(w->net); /* it kept the netns alive */
	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w);
}
