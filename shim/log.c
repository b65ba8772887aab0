/* JSON log lines; see hs_log.h. Both are written as event lines are
 * (hs_event_append): O_APPEND, O_NOFOLLOW, one write(2) a line, so
 * concurrent starts never interleave inside a line. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_event.h"
#include "hs_json.h"
#include "hs_log.h"

static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

int hs_log_runtime_error(const char *path, const char *msg,
			 struct hs_error *err)
{
	char now[64];

	rfc3339_now(now, sizeof(now));
	return hs_event_append(path,
			       json_pack("{ss ss ss}", "level", "error", "msg",
					 msg, "time", now),
			       err);
}

/* A decision is an event (hs_event.h) of type start, narrowing (started,
 * with what was narrowed) or refusal, keeping the decision's own fields:
 * action (the runtime subcommand), result, narrowed. */
int hs_log_decision(const char *path, const struct hs_decision *d,
		    struct hs_error *err)
{
	bool refused = d->result && strcmp(d->result, "refused") == 0;
	bool narrowed = json_array_size(d->narrowed) > 0;
	struct hs_event ev = {
		.type = d->type	   ? d->type
			: refused  ? HS_EVENT_REFUSAL
			: narrowed ? HS_EVENT_NARROWING
				   : HS_EVENT_START,
		.id = d->id,
		.pod_namespace = d->pod_namespace,
		.pod_name = d->pod_name,
		.policy = d->policy,
		.digest = d->digest,
		.pid = (int)getpid(),
		.reason = d->reason,
	};
	_cleanup_json_ json_t *extra = json_pack(
		"{ss? ss?}", "action", d->action, "result", d->result);

	if (!extra)
		return hs_err(err, ENOMEM, "%s: out of memory", path);
	if (narrowed)
		json_object_set(extra, "narrowed", (json_t *)d->narrowed);
	ev.extra = extra;
	hs_event_make_parent(path);
	return hs_event_append(path, hs_event_json(&ev), err);
}
