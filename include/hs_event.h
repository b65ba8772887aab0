/* Events: one JSON object per line, one schema for everything hardshim
 * tells the operator (README "Events"). The wrapper writes start, refusal,
 * narrowing and unmonitored; the monitor writes syscall, kill, network,
 * verify, drift and drop; `hardshim verify` prints verify and drift.
 *
 * Sinks: a file, opened for each line with O_APPEND and written with one
 * write(2), so that many writers never interleave inside a line and a
 * rotated file is simply created again; and standard output. */
#ifndef HS_EVENT_H
#define HS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "hs_error.h"
#include "hs_json.h"

#define HS_EVENT_START "start"
#define HS_EVENT_REFUSAL "refusal"
#define HS_EVENT_NARROWING "narrowing"
#define HS_EVENT_UNMONITORED "unmonitored"
#define HS_EVENT_SYSCALL "syscall"
#define HS_EVENT_KILL "kill"
#define HS_EVENT_NETWORK "network"
#define HS_EVENT_VERIFY "verify"
#define HS_EVENT_DRIFT "drift"
#define HS_EVENT_DROP "drop"

/* The fields every type may carry; NULL and 0 are left out of the line. */
struct hs_event {
	const char *type; /* HS_EVENT_* */
	const char *id; /* container id */
	const char *pod_namespace; /* the tenant: io.kubernetes.pod.namespace */
	const char *pod_name;
	const char *policy; /* the tenant class */
	const char *digest; /* what the container was hardened with */
	int pid; /* in the writer's pid namespace */
	const char *comm;
	const char *reason;
	const json_t *extra; /* type-specific fields, merged in; borrowed */
};

/* The line's object: {"time": RFC 3339 with microseconds, "type", ...}. */
json_t *hs_event_json(const struct hs_event *ev);

/* Appends `line` (consumed) as one line to `path` (0600, created, the
 * last component never followed). */
int hs_event_append(const char *path, json_t *line, struct hs_error *err);

/* Writes `line` (borrowed) as one line to `fd`. */
int hs_event_write_fd(int fd, const json_t *line, struct hs_error *err);

/* The directory of `path` (/run/hardshim on a fresh boot) is made, root-
 * only, when it is missing; an existing one is left as it is. */
void hs_event_make_parent(const char *path);

#endif
