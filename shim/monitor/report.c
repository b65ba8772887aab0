/* The monitor's periodic reports; see hs_monitor_report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_cleanup.h"
#include "hs_verify.h"
#include "monitor_internal.h"

static uint64_t netns_ino(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) < 0 ? 0 : st.st_ino;
}

bool hs_monitor_stuck(const struct hs_monitor *m)
{
	return netns_ino() != m->own_netns;
}

void hs_monitor_watch_network(struct hs_monitor *m, struct hs_watched *w)
{
	struct hs_error err = {0};
	char path[64];
	struct stat st;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", w->pid);
	if (stat(path, &st) < 0)
		return;
	w->netns_ino = st.st_ino;
	for (i = 0; i < m->n_watched; i++)
		if (m->watched[i] != w && m->watched[i]->net &&
		    m->watched[i]->netns_ino == w->netns_ino)
			return;
	if (w->pidfd < 0)
		return;
	w->net = hs_nft_counters_open(w->pidfd, &err);
	if (!w->net) {
		fprintf(stderr, "hardshim monitor: %s: counters: %s\n", w->id,
			err.msg);
		m->fatal = hs_monitor_stuck(m);
	}
}

static const struct hs_nft_counters *find(const struct hs_nft_counters *c,
					  const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->c[i].name, name) == 0) {
			*index = i;
			return c;
		}
	return NULL;
}

/* One "network" event per counter that moved since the last read. A new
 * table (another handle) starts from zero. */
static void network(struct hs_monitor *m, struct hs_watched *w)
{
	struct hs_nft_counters now;
	struct hs_error err = {0};
	size_t i, k;

	if (hs_nft_counters_read(w->net, &now, &err) < 0) {
		hs_nft_counters_close(w->net);
		w->net = NULL;
		return;
	}
	for (i = 0; i < now.n; i++) {
		uint64_t before = 0, bytes_before = 0;
		json_t *extra;

		if (now.table_handle == w->last.table_handle &&
		    find(&w->last, now.c[i].name, &k)) {
			before = w->last.c[k].packets;
			bytes_before = w->last.c[k].bytes;
		}
		if (now.c[i].packets <= before)
			continue;
		hs_metrics_add_network(&m->metrics, w->policy, now.c[i].name,
				       now.c[i].packets - before,
				       now.c[i].bytes - bytes_before, &err);
		extra = json_pack("{ss sI sI sI}", "counter", now.c[i].name,
				  "packets", (json_int_t)now.c[i].packets,
				  "bytes", (json_int_t)now.c[i].bytes,
				  "newPackets",
				  (json_int_t)(now.c[i].packets - before));
		hs_monitor_emit(
			m,
			&(struct hs_event){
				.type = HS_EVENT_NETWORK,
				.id = w->id,
				.pod_namespace = w->pod_namespace[0]
							 ? w->pod_namespace
							 : NULL,
				.pod_name = w->pod_name[0] ? w->pod_name : NULL,
				.policy = w->policy[0] ? w->policy : NULL,
				.digest = w->digest[0] ? w->digest : NULL,
				.extra = extra,
			});
		json_decref(extra);
	}
	w->last = now;
}

/* Every container under the config's runc roots, as `hardshim verify
 * --all` checks them: each failure is an event. A root that does not
 * exist (yet: runc makes it at its first container) has nothing to
 * check. Returns -1 when the monitor must stop (HS_VERIFY_FATAL). */
static int verify(struct hs_monitor *m)
{
	size_t i, j, checked;

	for (i = 0; i < m->cfg->monitor.n_runc_roots; i++) {
		const char *root = m->cfg->monitor.runc_roots[i];
		_cleanup_json_ json_t *events = json_array();
		struct hs_error err = {0};
		struct stat st;
		json_t *ev;
		int r;

		if (!events)
			return -1;
		if (stat(root, &st) < 0 && errno == ENOENT)
			continue;
		r = hs_verify_root(m->cfg, root, events, &checked, &err);
		if (r == HS_VERIFY_FATAL) {
			fprintf(stderr, "hardshim monitor: verify: %s\n",
				err.msg);
			return -1;
		}
		if (r < 0 && err.msg[0])
			fprintf(stderr, "hardshim monitor: verify: %s\n",
				err.msg);
		json_array_foreach (events, j, ev) {
			const char *type =
				json_string_value(json_object_get(ev, "type"));
			const char *policy = json_string_value(
				json_object_get(ev, "policy"));

			hs_metrics_count_event(&m->metrics, type, policy, &err);
			hs_monitor_write(m, ev);
		}
	}
	return 0;
}

int hs_monitor_report(struct hs_monitor *m)
{
	struct hs_error err = {0};
	size_t i;

	for (i = 0; i < m->n_watched; i++)
		if (m->watched[i]->net)
			network(m, m->watched[i]);
	if (m->cfg->monitor.verify_interval > 0 && m->ticks >= m->next_verify) {
		m->next_verify = m->ticks + m->cfg->monitor.verify_interval;
		if (verify(m) < 0)
			return -1;
	}
	hs_monitor_tail_events(m);
	if (m->cfg->monitor.metrics[0]) {
		hs_metrics_set_monitored(&m->metrics, m->n_watched);
		if (hs_metrics_write(&m->metrics, m->cfg->monitor.metrics,
				     &err) < 0)
			fprintf(stderr, "hardshim monitor: %s\n", err.msg);
	}
	return m->fatal ? -1 : 0;
}
