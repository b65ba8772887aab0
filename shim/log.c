/* JSON log lines; see hs_log.h. Both files are opened with O_APPEND and
 * O_NOFOLLOW, and each line is written with one write(2), so concurrent
 * starts never interleave inside a line. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hs_cleanup.h"
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

static int append_line(const char *path, json_t *obj, struct hs_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;

	if (!obj)
		return hs_err(err, ENOMEM, "%s: out of memory", path);
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!text)
		return hs_err(err, ENOMEM, "%s: out of memory", path);
	len = strlen(text);
	text[len] = '\n'; /* json_dumps left room: replace the NUL */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	if (write(fd, text, len + 1) != (ssize_t)(len + 1))
		return hs_err(err, errno, "%s: write: %s", path,
			      strerror(errno));
	return 0;
}

int hs_log_runtime_error(const char *path, const char *msg,
			 struct hs_error *err)
{
	char now[64];

	rfc3339_now(now, sizeof(now));
	return append_line(path,
			   json_pack("{ss ss ss}", "level", "error", "msg", msg,
				     "time", now),
			   err);
}

/* The decision log's directory (/run/hardshim on a fresh boot) is made
 * root-only when it is missing; an existing one is left as it is. */
static void make_parent(const char *path)
{
	char dir[HS_PATH_MAX];
	char *slash;

	if (hs_snprintf(dir, sizeof(dir), "%s", path) < 0)
		return;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	(void)mkdir(dir, 0700);
}

int hs_log_decision(const char *path, const struct hs_decision *d,
		    struct hs_error *err)
{
	char now[64];

	json_t *line;

	make_parent(path);
	rfc3339_now(now, sizeof(now));
	line = json_pack("{ss ss ss? ss? ss? ss ss? si}", "time", now, "action",
			 d->action, "id", d->id, "policy", d->policy, "digest",
			 d->digest, "result", d->result, "reason", d->reason,
			 "pid", (int)getpid());
	if (line && json_array_size(d->narrowed) > 0)
		json_object_set(line, "narrowed", (json_t *)d->narrowed);
	return append_line(path, line, err);
}
