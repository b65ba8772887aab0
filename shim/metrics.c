/* Metrics text file for node_exporter; see hs_metrics.h. Counting is pure
 * and bounded; hs_metrics_write is the only effect. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_event.h"
#include "hs_metrics.h"

/* In the order the file lists them. */
static const char *const event_types[] = {
	HS_EVENT_START,	      HS_EVENT_REFUSAL, HS_EVENT_NARROWING,
	HS_EVENT_UNMONITORED, HS_EVENT_SYSCALL, HS_EVENT_KILL,
	HS_EVENT_NETWORK,     HS_EVENT_VERIFY,	HS_EVENT_DRIFT,
	HS_EVENT_DROP,
};
_Static_assert(HS_ARRAY_SIZE(event_types) == HS_METRICS_EVENT_TYPES,
	       "one slot per event type of hs_event.h");

void hs_metrics_init(struct hs_metrics *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->classes[HS_METRICS_MAX_CLASSES].name,
		 sizeof(m->classes[HS_METRICS_MAX_CLASSES].name), "%s",
		 HS_METRICS_OTHER);
}

static bool other_used(const struct hs_metrics_class *c)
{
	size_t i;

	for (i = 0; i < HS_METRICS_EVENT_TYPES; i++)
		if (c->events[i])
			return true;
	for (i = 0; i < HS_METRICS_MAX_COUNTERS; i++)
		if (c->has_net[i])
			return true;
	return false;
}

/* The class's slot: an existing one, a new one while there is room, else
 * "other". Never NULL. */
static struct hs_metrics_class *class_of(struct hs_metrics *m, const char *name)
{
	struct hs_metrics_class *c;
	size_t len;
	unsigned i;

	if (!name || !name[0])
		name = HS_METRICS_NONE;
	len = strnlen(name, HS_POLICY_NAME_MAX + 1);
	if (len > HS_POLICY_NAME_MAX)
		return &m->classes[HS_METRICS_MAX_CLASSES];
	for (i = 0; i < m->n_classes; i++)
		if (strcmp(m->classes[i].name, name) == 0)
			return &m->classes[i];
	if (m->n_classes == HS_METRICS_MAX_CLASSES)
		return &m->classes[HS_METRICS_MAX_CLASSES];
	c = &m->classes[m->n_classes++];
	memcpy(c->name, name, len + 1);
	return c;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

int hs_metrics_count_event(struct hs_metrics *m, const char *type,
			   const char *tenant_class, struct hs_error *err)
{
	size_t t;

	for (t = 0; type && t < HS_ARRAY_SIZE(event_types); t++)
		if (strcmp(type, event_types[t]) == 0)
			break;
	if (!type || t == HS_ARRAY_SIZE(event_types))
		return hs_err(err, EINVAL,
			      "metrics: unknown event type \"%.64s\"",
			      type ? type : "(null)");
	class_of(m, tenant_class)->events[t]++;
	return 0;
}

static bool counter_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i == HS_METRICS_COUNTER_NAME_MAX ||
		    !((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return i > 0;
}

int hs_metrics_add_network(struct hs_metrics *m, const char *tenant_class,
			   const char *counter, uint64_t packets,
			   uint64_t bytes, struct hs_error *err)
{
	struct hs_metrics_class *c;
	unsigned k;

	if (!counter || !counter_name_ok(counter))
		return hs_err(err, EINVAL,
			      "metrics: counter name \"%.64s\" is not 1 to %d "
			      "of [a-z0-9_]",
			      counter ? counter : "(null)",
			      HS_METRICS_COUNTER_NAME_MAX);
	for (k = 0; k < m->n_counters; k++)
		if (strcmp(m->counters[k], counter) == 0)
			break;
	if (k == m->n_counters) {
		if (k == HS_METRICS_MAX_COUNTERS)
			return hs_err(err, E2BIG,
				      "metrics: counter \"%s\" is one more "
				      "than the limit of %d names "
				      "(HS_METRICS_MAX_COUNTERS)",
				      counter, HS_METRICS_MAX_COUNTERS);
		snprintf(m->counters[k], sizeof(m->counters[k]), "%s", counter);
		m->n_counters++;
	}
	c = class_of(m, tenant_class);
	c->packets[k] = add_sat(c->packets[k], packets);
	c->bytes[k] = add_sat(c->bytes[k], bytes);
	c->has_net[k] = 1;
	return 0;
}

void hs_metrics_set_monitored(struct hs_metrics *m, uint64_t containers)
{
	m->monitored = containers;
}

/* --- the text --------------------------------------------------------------
 */

/* A label value as the exposition format quotes it: backslash, double
 * quote and newline escaped; everything else as it is. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void net_family(FILE *f, const struct hs_metrics *m, const char *name,
		       bool bytes)
{
	unsigned i, k;

	header(f, name, "counter",
	       bytes ? "Bytes that table inet hardshim turned away, by "
		       "tenant class and counter."
		     : "Packets that table inet hardshim turned away, by "
		       "tenant class and counter.");
	for (i = 0; i <= HS_METRICS_MAX_CLASSES; i++) {
		const struct hs_metrics_class *c = &m->classes[i];

		if (i >= m->n_classes && i < HS_METRICS_MAX_CLASSES)
			continue;
		for (k = 0; k < m->n_counters; k++) {
			if (!c->has_net[k])
				continue;
			fprintf(f, "%s{tenant_class=\"", name);
			put_label(f, c->name);
			fprintf(f, "\",counter=\"");
			put_label(f, m->counters[k]);
			fprintf(f, "\"} %llu\n",
				(unsigned long long)(bytes ? c->bytes[k]
							   : c->packets[k]));
		}
	}
}

static void write_text(FILE *f, const struct hs_metrics *m)
{
	bool other = other_used(&m->classes[HS_METRICS_MAX_CLASSES]);
	unsigned i, t;

	header(f, "hardshim_events_total", "counter",
	       "Events hardshim wrote, by type and tenant class.");
	for (i = 0; i <= HS_METRICS_MAX_CLASSES; i++) {
		const struct hs_metrics_class *c = &m->classes[i];

		if (i < HS_METRICS_MAX_CLASSES ? i >= m->n_classes : !other)
			continue;
		/* Every type of a class that was seen, zeros included, so
		 * that a rate over the first event of a type is not lost. */
		for (t = 0; t < HS_METRICS_EVENT_TYPES; t++) {
			fprintf(f,
				"hardshim_events_total{type=\"%s\","
				"tenant_class=\"",
				event_types[t]);
			put_label(f, c->name);
			fprintf(f, "\"} %llu\n",
				(unsigned long long)c->events[t]);
		}
	}
	net_family(f, m, "hardshim_network_refused_packets_total", false);
	net_family(f, m, "hardshim_network_refused_bytes_total", true);
	header(f, "hardshim_monitored_containers", "gauge",
	       "Containers the monitor watches now.");
	fprintf(f, "hardshim_monitored_containers %llu\n",
		(unsigned long long)m->monitored);
}

/* --- the file --------------------------------------------------------------
 */

/* `path` -> an fd of its directory and its last component. */
static int split_path(const char *path, int *ret_dirfd, const char **ret_base,
		      struct hs_error *err)
{
	char dir[HS_PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int fd;

	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return hs_err(err, EINVAL, "metrics: \"%s\" names no file",
			      path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (hs_snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path),
			     path) < 0)
		return hs_err(err, ENAMETOOLONG, "metrics: %s: path too long",
			      path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hs_err(err, errno, "metrics: %s: %s", dir,
			      strerror(errno));
	*ret_dirfd = fd;
	*ret_base = base;
	return 0;
}

/* The temporary file, created exclusively. One left by a crashed run of
 * the same pid is removed once and the create retried. */
static int open_temp(int dirfd, const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, tmp, flags, 0644);

	if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tmp, 0) == 0)
		fd = openat(dirfd, tmp, flags, 0644);
	return fd;
}

int hs_metrics_write(const struct hs_metrics *m, const char *path,
		     struct hs_error *err)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	char tmp[NAME_MAX + 1];
	const char *base;
	int fd, saved;

	if (split_path(path, &dirfd, &base, err) < 0)
		return -1;
	if (hs_snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", base, (int)getpid()) <
	    0)
		return hs_err(err, ENAMETOOLONG,
			      "metrics: %s: file name too long", path);
	fd = open_temp(dirfd, tmp);
	if (fd < 0)
		return hs_err(err, errno, "metrics: %s: creating %s: %s", path,
			      tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		saved = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return hs_err(err, saved, "metrics: %s: %s", path,
			      strerror(saved));
	}
	write_text(f, m);
	/* The bytes reach the disk before the rename makes them the file:
	 * after a crash the collector sees the old file or the new one. */
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
		saved = errno ? errno : EIO;
		unlinkat(dirfd, tmp, 0);
		return hs_err(err, saved, "metrics: %s: writing %s: %s", path,
			      tmp, strerror(saved));
	}
	saved = fclose(hs_steal_ptr(f)) != 0 ? errno : 0;
	if (saved || renameat(dirfd, tmp, dirfd, base) < 0) {
		saved = saved ? saved : errno;
		unlinkat(dirfd, tmp, 0);
		return hs_err(err, saved, "metrics: %s: %s", path,
			      strerror(saved));
	}
	/* The rename itself, made durable: best effort, since the new file
	 * is in place whatever this says. */
	(void)fsync(dirfd);
	return 0;
}
