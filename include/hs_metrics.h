/* Metrics for node_exporter's textfile collector: counts held in memory by
 * the monitor, written out as one Prometheus text file, replaced
 * atomically so the collector never reads half of one.
 *
 *   hardshim_events_total{type, tenant_class}         counter
 *   hardshim_network_refused_packets_total{tenant_class, counter}  counter
 *   hardshim_network_refused_bytes_total{tenant_class, counter}    counter
 *   hardshim_monitored_containers                     gauge
 *
 * Cardinality is bounded whatever the node runs: `type` is one of the
 * event types of hs_event.h (anything else is refused); `tenant_class`
 * is the policy name, at most HS_METRICS_MAX_CLASSES distinct ones, after
 * which every new one is counted as "other" (a policy literally named
 * "other" shares that series); `counter` is at most
 * HS_METRICS_MAX_COUNTERS distinct names of [a-z0-9_] (the names of
 * hs_nft_counters). Memory is fixed: no count allocates. */
#ifndef HS_METRICS_H
#define HS_METRICS_H

#include <stdint.h>

#include "hs_error.h"
#include "hs_limits.h"

#define HS_METRICS_MAX_CLASSES 64
#define HS_METRICS_MAX_COUNTERS 8
#define HS_METRICS_COUNTER_NAME_MAX 31
#define HS_METRICS_EVENT_TYPES 10 /* the HS_EVENT_* of hs_event.h */
#define HS_METRICS_OTHER "other" /* past HS_METRICS_MAX_CLASSES */
#define HS_METRICS_NONE "none" /* an event without a tenant class */

struct hs_metrics_class {
	char name[HS_POLICY_NAME_MAX + 1];
	uint64_t events[HS_METRICS_EVENT_TYPES];
	uint64_t packets[HS_METRICS_MAX_COUNTERS];
	uint64_t bytes[HS_METRICS_MAX_COUNTERS];
	uint8_t has_net[HS_METRICS_MAX_COUNTERS];
};

struct hs_metrics {
	/* The classes in first-seen order, then "other" at index
	 * HS_METRICS_MAX_CLASSES once used. */
	struct hs_metrics_class classes[HS_METRICS_MAX_CLASSES + 1];
	unsigned n_classes; /* named ones, at most HS_METRICS_MAX_CLASSES */
	char counters[HS_METRICS_MAX_COUNTERS][HS_METRICS_COUNTER_NAME_MAX + 1];
	unsigned n_counters;
	uint64_t monitored;
};

void hs_metrics_init(struct hs_metrics *m);

/* One event of `type` (HS_EVENT_*) for `tenant_class` (NULL or "":
 * HS_METRICS_NONE; longer than HS_POLICY_NAME_MAX: "other"). An unknown
 * type is an error (EINVAL) and counts nothing. */
int hs_metrics_count_event(struct hs_metrics *m, const char *type,
			   const char *tenant_class, struct hs_error *err);

/* Adds what a network counter of a container of `tenant_class` moved by
 * since the last read (hs_nft_counters: the monitor subtracts). Deltas,
 * not values: containers come and go, and a class's total must not go
 * down when one of them does. `counter` must be 1 to
 * HS_METRICS_COUNTER_NAME_MAX of [a-z0-9_]; a new name beyond
 * HS_METRICS_MAX_COUNTERS is an error (E2BIG). */
int hs_metrics_add_network(struct hs_metrics *m, const char *tenant_class,
			   const char *counter, uint64_t packets,
			   uint64_t bytes, struct hs_error *err);

void hs_metrics_set_monitored(struct hs_metrics *m, uint64_t containers);

/* Writes the text file at `path` (its name should end in .prom for the
 * collector): a temporary file in the same directory, which the
 * collector ignores (it starts with '.' and does not end in .prom),
 * written, fsync'ed and renamed over `path`, then the directory is
 * fsync'ed. On error the temporary file is removed and `path` is left
 * as it was. */
int hs_metrics_write(const struct hs_metrics *m, const char *path,
		     struct hs_error *err);

#endif
