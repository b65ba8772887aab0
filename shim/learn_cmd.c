/* `hardshim learn`: reads seccomp audit records (from /dev/kmsg, a file or
 * stdin), writes the profile they come to, and reports on stderr what it
 * left out and why. The parsing and the profile are hs_learn_* (pure,
 * shim/learn.c); this file reads and writes. Exit 0: a profile written; 1:
 * nothing learned or an error; 2: usage. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_learn.h"
#include "hs_path.h"
#include "hs_profile.h"
#include "hs_seccomp.h"

#define KMSG "/dev/kmsg"

struct opts {
	const char *input; /* FILE, "-" or NULL with --kmsg */
	bool kmsg, kmsg_seq, has_since;
	uint64_t since;
	const char *base, *out;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: hardshim learn --base PROFILE [--pid PID]... "
		"[--pids-from FILE]\n"
		"                      [-o OUT] (--kmsg [--since SEQ] | FILE "
		"| -)\n"
		"       hardshim learn --kmsg-seq\n");
	return 2;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hardshim: learn: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*ret = v;
	return 0;
}

/* A cgroup.procs-style list: one pid a line, blank lines skipped. */
static int read_pids(const char *path, struct hs_learn *l)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	if (!f)
		return fail("%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		uint64_t pid;

		n++;
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (parse_u64(line, INT32_MAX, &pid) < 0 || pid == 0)
			return fail("%s:%zu: \"%.32s\" is not a pid", path, n,
				    line);
		if (hs_learn_add_pid(l, (uint32_t)pid) < 0)
			return fail("%s: more than %d pids", path,
				    HS_LEARN_MAX_PIDS);
	}
	return 0;
}

/* /dev/kmsg gives one record per read(2), "PRI,SEQ,TS,FLAGS;MESSAGE\n"
 * and dictionary lines after it; O_NONBLOCK ends at the newest record.
 * EPIPE says the record we were at was overwritten: lines were lost. */
static int read_kmsg(struct hs_learn *l, const struct opts *o,
		     uint64_t *ret_last, uint64_t *ret_lost)
{
	_cleanup_close_ int fd = open(KMSG, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char buf[HS_LEARN_LINE_MAX];
	bool first = true;

	*ret_last = 0;
	*ret_lost = 0;
	if (fd < 0)
		return fail(KMSG ": %s", strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		const char *msg, *nl;
		uint64_t seq;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			(*ret_lost)++;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return fail(KMSG ": %s", strerror(errno));
		if (n == 0)
			return 0;
		buf[n] = '\0';
		if (hs_learn_kmsg_seq(buf, (size_t)n, &seq) < 0)
			continue;
		if (first && o->has_since && seq > o->since + 1)
			*ret_lost += seq - o->since - 1;
		first = false;
		*ret_last = seq;
		if (o->has_since && seq <= o->since)
			continue;
		msg = memchr(buf, ';', (size_t)n) + 1;
		nl = memchr(msg, '\n', (size_t)(buf + n - msg));
		hs_learn_add_line(l, msg,
				  nl ? (size_t)(nl - msg)
				     : (size_t)(buf + n - msg));
	}
}

static int read_stream(struct hs_learn *l, const char *input)
{
	_cleanup_fclose_ FILE *own = NULL;
	_cleanup_free_ char *line = NULL;
	FILE *f = stdin;
	size_t cap = 0;
	ssize_t len;

	if (strcmp(input, "-") != 0) {
		own = fopen(input, "re");
		if (!own)
			return fail("%s: %s", input, strerror(errno));
		f = own;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > HS_LEARN_LINE_MAX) {
			l->lines++;
			l->ignored++;
			continue;
		}
		hs_learn_add_line(l, line, (size_t)len);
	}
	if (ferror(f))
		return fail("%s: %s", input, strerror(errno));
	return 0;
}

/* `extends` is relative to the directory of the file that says it and
 * may not contain "..": the base must be at or beneath OUT's directory.
 * Without OUT the base is named as given when that can be an extends
 * value, else by its file name, the profile to be written beside it. */
static int extends_for(const struct opts *o, char *buf, size_t size)
{
	char out[HS_PATH_MAX], dir[PATH_MAX], base[PATH_MAX];
	size_t n;

	if (!o->out) {
		if (hs_snprintf(out, sizeof(out), "%s", o->base) < 0)
			return fail("--base: path too long");
		if (o->base[0] != '/' && !hs_path_has_dotdot(o->base))
			return hs_snprintf(buf, size, "%s", o->base) < 0 ? -1
									 : 0;
		fprintf(stderr,
			"learn: extends \"%s\": write the profile in the "
			"directory of %s\n",
			basename(out), o->base);
		return hs_snprintf(buf, size, "%s", basename(out)) < 0 ? -1 : 0;
	}
	if (hs_snprintf(out, sizeof(out), "%s", o->out) < 0 ||
	    !realpath(dirname(out), dir) || !realpath(o->base, base))
		return fail("-o \"%s\", --base \"%s\": %s", o->out, o->base,
			    strerror(errno ? errno : ENAMETOOLONG));
	n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		n = 0;
	if (strncmp(base, dir, n) != 0 || base[n] != '/')
		return fail("--base \"%s\" is not in the directory of -o "
			    "\"%s\" or beneath it: extends is a relative path "
			    "without \"..\"",
			    o->base, o->out);
	return hs_snprintf(buf, size, "%s", base + n + 1) < 0
		       ? fail("--base: path too long")
		       : 0;
}

/* The base as hs_profile_resolve gives it for this node, for a container
 * holding no capability: what the learned rule is compared against. */
static json_t *load_base(const char *path)
{
	struct hs_error err = {0}, quiet = {0};
	_cleanup_json_ json_t *merged = hs_profile_load(path, &err);
	struct hs_resolve_ctx ctx = {0};
	json_t *resolved;

	if (!merged || hs_profile_node_ctx(&ctx, &err) < 0) {
		fail("--base: %s", err.msg);
		return NULL;
	}
	resolved = hs_profile_resolve(merged, &ctx, path, &quiet);
	if (!resolved)
		fail("--base: %s", quiet.msg);
	return resolved;
}

/* What `hardshim check` will do with OUT: load it with its extends chain,
 * resolve it for this node, compile it. */
static int check_written(const char *path)
{
	struct hs_error err = {0}, quiet = {0};
	_cleanup_json_ json_t *merged = hs_profile_load(path, &err);
	_cleanup_json_ json_t *resolved = NULL;
	struct hs_resolve_ctx ctx = {0};
	size_t insns;

	if (!merged || hs_profile_node_ctx(&ctx, &err) < 0)
		return fail("%s", err.msg);
	resolved = hs_profile_resolve(merged, &ctx, path, &quiet);
	if (!resolved || hs_seccomp_compile(resolved, -1, &insns, &quiet) < 0)
		return fail("%s", quiet.msg);
	return 0;
}

static int write_profile(const struct opts *o, const json_t *profile)
{
	struct hs_error err = {0};
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = -1;
	char dir[HS_PATH_MAX], name[HS_PATH_MAX];

	if (hs_profile_validate(profile, o->out ? o->out : "stdout", &err) < 0)
		return fail("the learned profile is invalid: %s", err.msg);
	if (!o->out) {
		text = json_dumps(profile,
				  JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text || puts(text) == EOF || fflush(stdout) == EOF)
			return fail("cannot write the profile: %s",
				    strerror(errno));
		return 0;
	}
	if (hs_snprintf(dir, sizeof(dir), "%s", o->out) < 0 ||
	    hs_snprintf(name, sizeof(name), "%s", o->out) < 0)
		return fail("-o: path too long");
	dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fail("%s: %s", o->out, strerror(errno));
	if (hs_json_write_at(dirfd, basename(name), profile, &err) < 0)
		return fail("%s", err.msg);
	if (check_written(o->out) < 0) {
		unlinkat(dirfd, basename(name), 0);
		return fail("%s removed: it does not pass check", o->out);
	}
	return 0;
}

static void print_list(const char *what, const json_t *names)
{
	const json_t *n;
	size_t i;

	if (json_array_size(names) == 0)
		return;
	fprintf(stderr, "learn: %s:", what);
	json_array_foreach (names, i, n)
		fprintf(stderr, " %s", json_string_value(n));
	fputc('\n', stderr);
}

static void report(const struct hs_learn *l, const struct hs_learn_result *r,
		   uint64_t kmsg_lost)
{
	size_t i;

	fprintf(stderr,
		"learn: %llu lines: %llu seccomp records used, %llu of other "
		"pids, %llu malformed, %llu lines ignored (not seccomp "
		"records)\n",
		(unsigned long long)l->lines, (unsigned long long)l->records,
		(unsigned long long)l->other_pids,
		(unsigned long long)l->malformed,
		(unsigned long long)l->ignored);
	for (i = 0; i < l->n_pids; i++)
		if (!l->pid_seen[i])
			fprintf(stderr, "learn: pid %u: no record\n",
				l->pids[i]);
	if (l->losses || kmsg_lost)
		fprintf(stderr,
			"learn: warning: the kernel dropped log lines (%llu "
			"\"callbacks suppressed\" or audit loss lines, %llu "
			"records overwritten): the profile may lack syscalls; "
			"raise /proc/sys/kernel/printk_ratelimit_burst for the "
			"run and learn again\n",
			(unsigned long long)l->losses,
			(unsigned long long)kmsg_lost);
	if (l->dropped)
		fprintf(stderr,
			"learn: warning: %llu records beyond %d distinct "
			"syscalls not counted\n",
			(unsigned long long)l->dropped, HS_LEARN_MAX_SYSCALLS);
	if (!r)
		return;
	print_list("allowed", r->allow);
	print_list("dangerous, left out (escape syscalls: allow one only "
		   "by hand, knowing why)",
		   r->dangerous);
	print_list("unknown, left out", r->unknown);
	if (r->already_allowed)
		fprintf(stderr, "learn: %zu already allowed by the base\n",
			r->already_allowed);
}

static int parse_args(int argc, char **argv, struct opts *o, struct hs_learn *l)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;

		if (strcmp(a, "--kmsg") == 0) {
			o->kmsg = true;
		} else if (strcmp(a, "--kmsg-seq") == 0) {
			o->kmsg_seq = true;
		} else if (strcmp(a, "--base") == 0 && v) {
			o->base = v, i++;
		} else if (strcmp(a, "-o") == 0 && v) {
			o->out = v, i++;
		} else if (strcmp(a, "--since") == 0 && v) {
			if (parse_u64(v, UINT64_MAX, &o->since) < 0)
				return usage();
			o->has_since = true, i++;
		} else if (strcmp(a, "--pid") == 0 && v) {
			if (parse_u64(v, INT32_MAX, &n) < 0 || n == 0) {
				fprintf(stderr,
					"hardshim: learn: --pid \"%s\" is not "
					"a pid\n",
					v);
				return 2;
			}
			if (hs_learn_add_pid(l, (uint32_t)n) < 0)
				return fail("more than %d pids",
					    HS_LEARN_MAX_PIDS);
			i++;
		} else if (strcmp(a, "--pids-from") == 0 && v) {
			if (read_pids(v, l) != 0)
				return 1;
			i++;
		} else if ((a[0] != '-' || strcmp(a, "-") == 0) && !o->input) {
			o->input = a;
		} else {
			return usage();
		}
	}
	if (o->kmsg_seq)
		return argc == 2 ? 0 : usage();
	if (!o->base || (o->kmsg == !!o->input) || (o->has_since && !o->kmsg))
		return usage();
	return 0;
}

/* For --since: the sequence number of the newest record now. */
static int print_kmsg_seq(void)
{
	struct hs_learn *l = calloc(1, sizeof(*l));
	struct opts o = {0};
	uint64_t last, lost;
	int rc;

	if (!l)
		return fail("out of memory");
	rc = read_kmsg(l, &o, &last, &lost);
	free(l);
	if (rc == 0)
		printf("%llu\n", (unsigned long long)last);
	return rc;
}

int hs_cmd_learn(int argc, char **argv)
{
	_cleanup_free_ struct hs_learn *l = calloc(1, sizeof(*l));
	_cleanup_json_ json_t *base = NULL, *profile = NULL;
	struct hs_learn_result r = {0};
	struct hs_error err = {0};
	char extends[HS_PATH_MAX];
	struct opts o = {0};
	uint64_t last = 0, lost = 0;
	int rc;

	if (!l)
		return fail("out of memory");
	rc = parse_args(argc, argv, &o, l);
	if (rc != 0)
		return rc;
	if (o.kmsg_seq)
		return print_kmsg_seq();
	if (extends_for(&o, extends, sizeof(extends)) != 0)
		return 1;
	base = load_base(o.base);
	if (!base)
		return 1;
	rc = o.kmsg ? read_kmsg(l, &o, &last, &lost) : read_stream(l, o.input);
	if (rc != 0)
		return rc;
	if (l->records == 0) {
		report(l, NULL, lost);
		return fail("no seccomp audit record (type=1326)%s in %s: "
			    "nothing to learn (was the workload run under a "
			    "policy with \"mode\": \"audit\"?)",
			    l->n_pids ? " of the given pids" : "",
			    o.kmsg ? KMSG : o.input);
	}
	profile = hs_learn_profile(l, base, extends, &r, &err);
	if (!profile)
		return fail("%s", err.msg);
	report(l, &r, lost);
	if (json_array_size(r.unknown) == l->n_seen) {
		hs_learn_result_free(&r);
		return fail("no record names a syscall libseccomp knows: "
			    "nothing learned");
	}
	hs_learn_result_free(&r);
	return write_profile(&o, profile);
}
