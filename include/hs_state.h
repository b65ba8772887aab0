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

#endif
