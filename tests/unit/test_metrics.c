/* shim/metrics.c: the node_exporter text file. Every file written is
 * parsed back (every non-comment line `name{labels} value`, label values
 * unescaped), so the checks are on what a collector would read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_event.h"
#include "hs_metrics.h"
#include "hs_test.h"

#define MAX_SERIES 4096

struct series {
	char name[96];
	char label[2][2][128]; /* up to two label pairs: key, value */
	int n_labels;
	unsigned long long value;
};

struct parsed {
	struct series s[MAX_SERIES];
	size_t n;
	int help, type;
};

static char dir[64];
static struct parsed P; /* static: large */

/* One quoted label value: the escapes of the exposition format, nothing
 * else; -1 on a bad one. */
static int parse_value(const char **pp, char *out, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p++ != '"')
		return -1;
	for (; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\n')
			return -1;
		if (c == '\\') {
			p++;
			if (*p == 'n')
				c = '\n';
			else if (*p == '\\' || *p == '"')
				c = *p;
			else
				return -1;
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = c;
	}
	if (*p != '"')
		return -1;
	out[n] = '\0';
	*pp = p + 1;
	return 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

/* `name{k="v",...} value`; -1 if the line is anything else. */
static int parse_line(const char *line, struct series *s)
{
	const char *p = line;
	size_t n = 0;
	char *end;

	memset(s, 0, sizeof(*s));
	while (name_char(*p, n == 0) && n + 1 < sizeof(s->name))
		s->name[n++] = *p++;
	if (n == 0)
		return -1;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t k = 0;

			if (s->n_labels == 2)
				return -1;
			while (name_char(*p, k == 0) &&
			       k + 1 < sizeof(s->label[0][0]))
				s->label[s->n_labels][0][k++] = *p++;
			if (k == 0 || *p++ != '=' ||
			    parse_value(&p, s->label[s->n_labels][1],
					sizeof(s->label[0][1])) < 0)
				return -1;
			s->n_labels++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return -1;
		}
		p++;
	}
	if (*p++ != ' ' || !(*p >= '0' && *p <= '9'))
		return -1;
	errno = 0;
	s->value = strtoull(p, &end, 10);
	if (errno || *end != '\0')
		return -1;
	return 0;
}

/* Reads the whole file; -1 (and a printed reason) on any line that does
 * not parse. Label values can hold an escaped newline only, so a line is
 * a line. */
static int parse_file(const char *path, struct parsed *out)
{
	char line[1024];
	FILE *f = fopen(path, "re");
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (len == 0 || line[len - 1] != '\n') {
			ret = -1;
			break;
		}
		line[len - 1] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0) {
			out->help++;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			out->type++;
			continue;
		}
		if (line[0] == '#' || out->n == MAX_SERIES ||
		    parse_line(line, &out->s[out->n]) < 0) {
			printf("  bad line: %s\n", line);
			ret = -1;
			break;
		}
		out->n++;
	}
	fclose(f);
	return ret;
}

static const char *label(const struct series *s, const char *key)
{
	int i;

	for (i = 0; i < s->n_labels; i++)
		if (strcmp(s->label[i][0], key) == 0)
			return s->label[i][1];
	return NULL;
}

/* The value of the series `name` whose labels match (NULL: any); -1 if
 * there is none. */
static long long value(const struct parsed *p, const char *name, const char *k1,
		       const char *v1, const char *k2, const char *v2)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct series *s = &p->s[i];
		const char *a = k1 ? label(s, k1) : NULL;
		const char *b = k2 ? label(s, k2) : NULL;

		if (strcmp(s->name, name) != 0)
			continue;
		if (k1 && (!a || strcmp(a, v1) != 0))
			continue;
		if (k2 && (!b || strcmp(b, v2) != 0))
			continue;
		return (long long)s->value;
	}
	return -1;
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static struct hs_metrics M; /* static: about 20 KiB */

static void test_counts_and_format(void)
{
	struct hs_error err = {0};
	char path[128];

	hs_metrics_init(&M);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, "tenant-default",
				     &err) == 0);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, "tenant-default",
				     &err) == 0);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, "tenant-default",
				     &err) == 0);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_NETWORK, "tenant-batch",
				     &err) == 0);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_DROP, NULL, &err) == 0);
	CHECK(hs_metrics_add_network(&M, "tenant-default", "deny_egress", 2,
				     120, &err) == 0);
	CHECK(hs_metrics_add_network(&M, "tenant-default", "deny_egress", 1, 60,
				     &err) == 0);
	CHECK(hs_metrics_add_network(&M, "tenant-batch", "refused_ingress", 0,
				     0, &err) == 0);
	hs_metrics_set_monitored(&M, 7);
	path_of(path, sizeof(path), "hardshim.prom");
	CHECK(hs_metrics_write(&M, path, &err) == 0);
	CHECK(parse_file(path, &P) == 0);
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", "tenant-default") == 3);
	CHECK(value(&P, "hardshim_events_total", "type", "kill", "tenant_class",
		    "tenant-default") == 0);
	CHECK(value(&P, "hardshim_events_total", "type", "network",
		    "tenant_class", "tenant-batch") == 1);
	CHECK(value(&P, "hardshim_events_total", "type", "drop", "tenant_class",
		    HS_METRICS_NONE) == 1);
	CHECK(value(&P, "hardshim_network_refused_packets_total",
		    "tenant_class", "tenant-default", "counter",
		    "deny_egress") == 3);
	CHECK(value(&P, "hardshim_network_refused_bytes_total", "tenant_class",
		    "tenant-default", "counter", "deny_egress") == 180);
	/* Seen at zero: listed at zero. Never seen: not listed. */
	CHECK(value(&P, "hardshim_network_refused_packets_total",
		    "tenant_class", "tenant-batch", "counter",
		    "refused_ingress") == 0);
	CHECK(value(&P, "hardshim_network_refused_packets_total",
		    "tenant_class", "tenant-batch", "counter",
		    "deny_egress") == -1);
	CHECK(value(&P, "hardshim_monitored_containers", NULL, NULL, NULL,
		    NULL) == 7);
	/* No "other" before the limit. */
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", HS_METRICS_OTHER) == -1);
	/* One HELP and one TYPE per family, four families. */
	CHECK(P.help == 4 && P.type == 4);
	/* Only the file itself is left in the directory. */
	CHECK(entries() == 1);
	CHECK(unlink(path) == 0);
}

static void test_label_escaping(void)
{
	static const char odd[] = "a\"b\\c\nd";
	struct hs_error err = {0};
	char path[128], raw[4096];
	ssize_t n;
	int fd;

	hs_metrics_init(&M);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_KILL, odd, &err) == 0);
	path_of(path, sizeof(path), "esc.prom");
	CHECK(hs_metrics_write(&M, path, &err) == 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	CHECK(n > 0);
	raw[n] = '\0';
	CHECK_CONTAINS(raw, "tenant_class=\"a\\\"b\\\\c\\nd\"} 1\n");
	CHECK(parse_file(path, &P) == 0);
	CHECK(value(&P, "hardshim_events_total", "type", "kill", "tenant_class",
		    odd) == 1);
	CHECK(unlink(path) == 0);
}

/* 65 classes: the first 64 are themselves, the 65th and any later one are
 * "other"; a class seen before the limit keeps its own series. */
static void test_class_limit(void)
{
	struct hs_error err = {0};
	char path[128], name[32];
	size_t i, classes = 0;
	int k;

	hs_metrics_init(&M);
	for (k = 0; k < HS_METRICS_MAX_CLASSES + 1; k++) {
		snprintf(name, sizeof(name), "class-%d", k);
		CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, name,
					     &err) == 0);
		CHECK(hs_metrics_add_network(&M, name, "deny_egress", 1, 10,
					     &err) == 0);
	}
	CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, "class-99", &err) ==
	      0);
	CHECK(hs_metrics_count_event(&M, HS_EVENT_SYSCALL, "class-0", &err) ==
	      0);
	path_of(path, sizeof(path), "limit.prom");
	CHECK(hs_metrics_write(&M, path, &err) == 0);
	CHECK(parse_file(path, &P) == 0);
	for (i = 0; i < P.n; i++)
		if (strcmp(P.s[i].name, "hardshim_events_total") == 0 &&
		    strcmp(label(&P.s[i], "type"), "syscall") == 0)
			classes++;
	CHECK(classes == HS_METRICS_MAX_CLASSES + 1);
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", "class-0") == 2);
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", "class-63") == 1);
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", "class-64") == -1);
	CHECK(value(&P, "hardshim_events_total", "type", "syscall",
		    "tenant_class", HS_METRICS_OTHER) == 2);
	CHECK(value(&P, "hardshim_network_refused_packets_total",
		    "tenant_class", HS_METRICS_OTHER, "counter",
		    "deny_egress") == 1);
	CHECK(unlink(path) == 0);
}

/* A class name longer than a policy name can be goes to "other" rather
 * than taking a slot or being cut. */
static void test_long_class_is_other(void)
{
	struct hs_error err = {0};
	char name[HS_POLICY_NAME_MAX + 2];

	hs_metrics_init(&M);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK(hs_metrics_count_event(&M, HS_EVENT_KILL, name, &err) == 0);
	CHECK(M.n_classes == 0);
	CHECK(M.classes[HS_METRICS_MAX_CLASSES].events[5] == 1);
}

static void test_unknown_type_refused(void)
{
	struct hs_error err = {0};

	hs_metrics_init(&M);
	CHECK(hs_metrics_count_event(&M, "syscalls", "t", &err) < 0);
	CHECK(err.errnum == EINVAL);
	CHECK_CONTAINS(err.msg, "unknown event type \"syscalls\"");
	CHECK(hs_metrics_count_event(&M, NULL, "t", &err) < 0);
	CHECK(hs_metrics_count_event(&M, "", "t", &err) < 0);
	/* Nothing was counted, not even the class. */
	CHECK(M.n_classes == 0);
}

static void test_counter_names_bounded(void)
{
	struct hs_error err = {0};
	char name[32];
	int k;

	hs_metrics_init(&M);
	CHECK(hs_metrics_add_network(&M, "t", "Deny", 1, 1, &err) < 0);
	CHECK(err.errnum == EINVAL);
	memset(&err, 0, sizeof(err));
	CHECK(hs_metrics_add_network(&M, "t", "", 1, 1, &err) < 0);
	CHECK(hs_metrics_add_network(&M, "t", "a\"b", 1, 1, &err) < 0);
	CHECK(hs_metrics_add_network(&M, "t",
				     "a_name_of_thirty_two_characters_", 1, 1,
				     &err) < 0);
	CHECK(hs_metrics_add_network(&M, "t", NULL, 1, 1, &err) < 0);
	for (k = 0; k < HS_METRICS_MAX_COUNTERS; k++) {
		snprintf(name, sizeof(name), "c%d", k);
		CHECK(hs_metrics_add_network(&M, "t", name, 1, 1, &err) == 0);
	}
	memset(&err, 0, sizeof(err));
	CHECK(hs_metrics_add_network(&M, "t", "one_more", 1, 1, &err) < 0);
	CHECK(err.errnum == E2BIG);
	CHECK_CONTAINS(err.msg, "HS_METRICS_MAX_COUNTERS");
	/* A known one still counts. */
	CHECK(hs_metrics_add_network(&M, "t", "c0", 1, 1, &err) == 0);
}

/* The file is replaced, not rewritten: a reader holding the old one keeps
 * reading the old bytes, and no temporary file is left, including one a
 * crashed writer of the same pid left behind. */
static void test_atomic_replace(void)
{
	struct hs_error err = {0};
	char path[128], tmp[160], old[64] = {0};
	struct stat before, after;
	int fd, held;

	hs_metrics_init(&M);
	path_of(path, sizeof(path), "atomic.prom");
	hs_metrics_set_monitored(&M, 1);
	CHECK(hs_metrics_write(&M, path, &err) == 0);
	CHECK(stat(path, &before) == 0);
	CHECK((before.st_mode & 0777) == 0644);
	held = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(held >= 0);
	/* A stale temporary file of this pid. */
	snprintf(tmp, sizeof(tmp), "%s/.atomic.prom.%d.tmp", dir,
		 (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "junk", 4) == 4);
	close(fd);
	hs_metrics_set_monitored(&M, 2);
	CHECK(hs_metrics_write(&M, path, &err) == 0);
	CHECK(stat(path, &after) == 0);
	CHECK(before.st_ino != after.st_ino);
	CHECK(entries() == 1);
	CHECK(parse_file(path, &P) == 0);
	CHECK(value(&P, "hardshim_monitored_containers", NULL, NULL, NULL,
		    NULL) == 2);
	CHECK(read(held, old, sizeof(old) - 1) > 0);
	close(held);
	CHECK_CONTAINS(old, "# HELP hardshim_events_total");
	CHECK(unlink(path) == 0);
}

static void test_write_errors(void)
{
	struct hs_error err = {0};
	char path[128];

	hs_metrics_init(&M);
	path_of(path, sizeof(path), "missing/x.prom");
	CHECK(hs_metrics_write(&M, path, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "missing");
	memset(&err, 0, sizeof(err));
	path_of(path, sizeof(path), "");
	CHECK(hs_metrics_write(&M, path, &err) < 0);
	CHECK(err.errnum == EINVAL);
	memset(&err, 0, sizeof(err));
	/* A directory where the file goes: the rename fails, the temporary
	 * file goes. */
	path_of(path, sizeof(path), "adir.prom");
	CHECK(mkdir(path, 0700) == 0);
	CHECK(hs_metrics_write(&M, path, &err) < 0);
	CHECK(err.errnum == EISDIR);
	CHECK(entries() == 1);
	CHECK(rmdir(path) == 0);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hs-test-metrics.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_counts_and_format);
	RUN(test_label_escaping);
	RUN(test_class_limit);
	RUN(test_long_class_is_other);
	RUN(test_unknown_type_refused);
	RUN(test_counter_names_bounded);
	RUN(test_atomic_replace);
	RUN(test_write_errors);
	rmdir(dir);
	TEST_EXIT();
}
