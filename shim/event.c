/* Event lines; see hs_event.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_event.h"

static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		sec[0] = '\0';
	snprintf(buf, size, "%s.%06ldZ", sec, ts.tv_nsec / 1000);
}

static void set_str(json_t *o, const char *key, const char *value)
{
	if (value)
		json_object_set_new(o, key, json_string(value));
}

json_t *hs_event_json(const struct hs_event *ev)
{
	char now[64];
	json_t *o = json_object();

	if (!o)
		return NULL;
	rfc3339_now(now, sizeof(now));
	set_str(o, "time", now);
	set_str(o, "type", ev->type);
	set_str(o, "id", ev->id);
	set_str(o, "namespace", ev->pod_namespace);
	set_str(o, "pod", ev->pod_name);
	set_str(o, "policy", ev->policy);
	set_str(o, "digest", ev->digest);
	if (ev->pid > 0)
		json_object_set_new(o, "pid", json_integer(ev->pid));
	set_str(o, "comm", ev->comm);
	set_str(o, "reason", ev->reason);
	if (ev->extra)
		json_object_update(o, (json_t *)ev->extra);
	return o;
}

/* The line, newline included, in one buffer: one write(2) puts it out. */
static char *line_text(const json_t *line, size_t *len)
{
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (!text)
		return NULL;
	*len = strlen(text);
	text[*len] = '\n'; /* json_dumps left room: replace the NUL */
	(*len)++;
	return text;
}

int hs_event_write_fd(int fd, const json_t *line, struct hs_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	text = line_text(line, &len);
	if (!text)
		return hs_err(err, ENOMEM, "event: out of memory");
	if (write(fd, text, len) != (ssize_t)len)
		return hs_err(err, errno, "event: write: %s", strerror(errno));
	return 0;
}

int hs_event_append(const char *path, json_t *line, struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	int ret;

	if (!line)
		return hs_err(err, ENOMEM, "%s: out of memory", path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		json_decref(line);
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	}
	ret = hs_event_write_fd(fd, line, err);
	json_decref(line);
	if (ret < 0)
		return hs_err_context(err, "%s", path);
	return 0;
}

void hs_event_make_parent(const char *path)
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
