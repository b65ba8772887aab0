/* The wrapper's events in the metrics. The wrappers append start,
 * narrowing, refusal and unmonitored events to the events file, one
 * process each, so the monitor counts them by reading what was added to
 * the file since its last tick. Its own events are counted when written,
 * so only those four types are counted here. A rotated file (another
 * inode) or a truncated one is read from its start. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "monitor_internal.h"

static bool wrapper_type(const char *type)
{
	return type && (strcmp(type, HS_EVENT_START) == 0 ||
			strcmp(type, HS_EVENT_NARROWING) == 0 ||
			strcmp(type, HS_EVENT_REFUSAL) == 0 ||
			strcmp(type, HS_EVENT_UNMONITORED) == 0);
}

static void count_line(struct hs_monitor *m, const char *line, size_t len)
{
	struct hs_error ignored = {0};
	json_error_t e;
	_cleanup_json_ json_t *ev = json_loadb(line, len, 0, &e);
	const char *type = json_string_value(json_object_get(ev, "type"));

	if (wrapper_type(type))
		hs_metrics_count_event(
			&m->metrics, type,
			json_string_value(json_object_get(ev, "policy")),
			&ignored);
}

void hs_monitor_tail_events(struct hs_monitor *m)
{
	_cleanup_close_ int fd = -1;
	char *buf = m->tail_buf;
	struct stat st;
	ssize_t n;
	size_t start, i;

	if (!m->events)
		return;
	fd = open(m->events, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	if ((uint64_t)st.st_ino != m->tail_ino ||
	    (uint64_t)st.st_size < m->tail_off) {
		m->tail_ino = st.st_ino;
		m->tail_off = 0;
	}
	/* At most one buffer a tick: a burst is read over the next ticks. */
	n = pread(fd, buf, HS_MONITOR_TAIL_MAX, (off_t)m->tail_off);
	if (n <= 0)
		return;
	for (start = 0, i = 0; i < (size_t)n; i++) {
		if (buf[i] != '\n')
			continue;
		count_line(m, buf + start, i - start);
		start = i + 1;
	}
	/* A line longer than the buffer is skipped, not read forever. */
	if (start == 0 && (size_t)n == HS_MONITOR_TAIL_MAX)
		start = (size_t)n;
	m->tail_off += start;
}
