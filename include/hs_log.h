/* Where a refusal is reported besides stderr:
 *  - the runtime's JSON log (`--log FILE --log-format json`), because
 *    containerd drops the wrapper's stderr and shows only that file;
 *  - the decision log named in the config: one event line (hs_event.h)
 *    per container start or exec, allowed or refused, so that every
 *    decision is kept. */
#ifndef HS_LOG_H
#define HS_LOG_H

#include "hs_error.h"
#include "hs_json.h"

/* Appends {"level":"error","msg":MSG,"time":RFC3339} to `path`. */
int hs_log_runtime_error(const char *path, const char *msg,
			 struct hs_error *err);

struct hs_decision {
	const char *type; /* an HS_EVENT_*; NULL: from result and narrowed */
	const char *action; /* "create", "exec", ... */
	const char *id; /* container id, may be NULL */
	const char *pod_namespace, *pod_name; /* from the spec; may be NULL */
	const char *policy; /* may be NULL when refused before selection */
	const char *digest;
	const char *result; /* "hardened", "refused" */
	const char *reason; /* may be NULL */
	const json_t *narrowed; /* array of strings, may be NULL */
};

int hs_log_decision(const char *path, const struct hs_decision *d,
		    struct hs_error *err);

#endif
