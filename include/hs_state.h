/* The OCI state a runtime hands a hook on stdin:
 *   {"ociVersion":"1.0.2-dev","id":"h1","status":"creating","pid":4364,
 *    "bundle":"/path/to/bundle","annotations":{...}}
 * Parsing is pure: every field's type is checked, pid is bounded. */
#ifndef HS_STATE_H
#define HS_STATE_H

#include "hs_json.h"

#define HS_PID_MAX 4194304 /* the kernel's PID_MAX_LIMIT on 64-bit */

struct hs_state {
	json_t *json; /* owns the strings */
	const char *id;
	const char *status;
	const char *bundle; /* absolute */
	int pid; /* 0 when absent (poststop) */
	const json_t *annotations; /* object of strings, or NULL */
};

int hs_state_parse(json_t *json, struct hs_state *st, struct hs_error *err);
void hs_state_free(struct hs_state *st);

/* runc's own record of a container, ROOT/ID/state.json (libcontainer's
 * State), what `hardshim verify` reads: the init process's host pid and
 * start time (clock ticks after boot, field 22 of /proc/PID/stat), and the
 * config's labels. runc 1.1.5 turns each spec annotation into a label
 * "key=value" and appends its own "bundle=PATH" last
 * (libcontainer/specconv: `Labels: append(labels, "bundle="+cwd)`); the
 * position tells it from a tenant's annotation named "bundle". The file is
 * runc's, in a root-only directory, but the labels are the tenant's spec:
 * a label without "=" or two labels of one key are refused, since either
 * could make two readers disagree on a container's policy. */
struct hs_runc_state {
	json_t *json; /* owns the strings */
	const char *id;
	int pid;
	uint64_t start_time;
	const char *bundle; /* absolute */
	json_t *annotations; /* owned: the labels but the last, as an object */
};

int hs_state_parse_runc(json_t *json, const char *file,
			struct hs_runc_state *st, struct hs_error *err);
void hs_state_free_runc(struct hs_runc_state *st);

#endif
