/* `hardshim learn`, the pure half: kernel log lines in, a profile out. See
 * hs_learn.h. Every line is untrusted and is only ever classified: a line
 * that is not exactly a seccomp record is counted, never an error, so
 * that a noisy log or a hostile comm cannot stop a learning run or slip a
 * syscall into the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_escape.h"
#include "hs_learn.h"
#include "hs_seccomp.h"

/* Digits only (no sign, space or 0x, which strtoul would take), base 10
 * or 16, at most `max`: 0, or -1. */
static int parse_uint(const char *s, size_t len, unsigned base, uint64_t max,
		      uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
		if (v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	*ret = v;
	return 0;
}

/* Where `needle` occurs in line[0, len) as a whole token (preceded by the
 * start, a space or a colon, followed by the end or a space), or NULL. */
static const char *find_token(const char *line, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(line + i, needle, n) != 0)
			continue;
		if ((i == 0 || line[i - 1] == ' ' || line[i - 1] == ':') &&
		    (i + n == len || line[i + n] == ' '))
			return line + i;
	}
	return NULL;
}

static bool contains(const char *line, size_t len, const char *needle)
{
	return memmem(line, len, needle, strlen(needle)) != NULL;
}

/* The kernel's own words when it drops log lines: printk's rate limit
 * ("callbacks suppressed"), and audit's when a record cannot be printed
 * or queued. */
static const char *const loss_markers[] = {
	"callbacks suppressed",	  "audit_lost=", "printk limit exceeded",
	"backlog limit exceeded", NULL,
};

/* key=value fields after the record type. A key met twice makes the
 * record ambiguous, so it is malformed rather than read either way. */
struct fields {
	const char *pid, *arch, *syscall;
	size_t pid_len, arch_len, syscall_len;
	bool dup;
};

static void take(const char *k, size_t klen, const char *want, const char *v,
		 size_t vlen, const char **at, size_t *at_len, bool *dup)
{
	if (klen != strlen(want) || memcmp(k, want, klen) != 0)
		return;
	if (*at)
		*dup = true;
	*at = v;
	*at_len = vlen;
}

/* Splits s[0, len) into space-separated tokens; a value in double quotes
 * runs to its closing quote. -1 if a quote is not closed. */
static int split_fields(const char *s, size_t len, struct fields *f)
{
	size_t i = 0;

	while (i < len) {
		const char *k, *eq, *v;
		size_t klen, vlen;

		while (i < len && s[i] == ' ')
			i++;
		k = s + i;
		while (i < len && s[i] != ' ' && s[i] != '=' && s[i] != '"')
			i++;
		if (i >= len || s[i] != '=') {
			/* A token without a value: audit(...):, a stray word.
			 */
			while (i < len && s[i] != ' ')
				i++;
			continue;
		}
		eq = s + i++;
		klen = (size_t)(eq - k);
		if (i < len && s[i] == '"') {
			const char *close = memchr(s + i + 1, '"', len - i - 1);

			if (!close)
				return -1;
			i = (size_t)(close - s) + 1;
			continue; /* comm, exe: nothing we read is quoted */
		}
		v = s + i;
		while (i < len && s[i] != ' ')
			i++;
		vlen = (size_t)(s + i - v);
		take(k, klen, "pid", v, vlen, &f->pid, &f->pid_len, &f->dup);
		take(k, klen, "arch", v, vlen, &f->arch, &f->arch_len, &f->dup);
		take(k, klen, "syscall", v, vlen, &f->syscall, &f->syscall_len,
		     &f->dup);
	}
	return 0;
}

enum hs_learn_line hs_learn_parse_line(const char *line, size_t len,
				       struct hs_audit_record *ret)
{
	const char *type = find_token(line, len, "type=1326");
	struct fields f = {0};
	uint64_t pid, arch, nr;
	size_t i;

	if (!type)
		type = find_token(line, len, "type=SECCOMP"); /* ausearch -i */
	if (!type) {
		for (i = 0; loss_markers[i]; i++)
			if (contains(line, len, loss_markers[i]))
				return HS_LEARN_LOSS;
		return HS_LEARN_OTHER;
	}
	if (memchr(line, '\0', len) ||
	    split_fields(type, len - (size_t)(type - line), &f) < 0 || f.dup ||
	    !f.pid || !f.arch || !f.syscall ||
	    parse_uint(f.pid, f.pid_len, 10, INT32_MAX, &pid) < 0 || pid == 0 ||
	    parse_uint(f.arch, f.arch_len, 16, UINT32_MAX, &arch) < 0 ||
	    parse_uint(f.syscall, f.syscall_len, 10, UINT32_MAX, &nr) < 0)
		return HS_LEARN_MALFORMED;
	*ret = (struct hs_audit_record){(uint32_t)pid, (uint32_t)arch,
					(uint32_t)nr};
	return HS_LEARN_RECORD;
}

int hs_learn_kmsg_seq(const char *rec, size_t len, uint64_t *ret_seq)
{
	const char *comma = memchr(rec, ',', len);
	const char *semi = memchr(rec, ';', len);
	const char *end;

	if (!comma || !semi || semi < comma)
		return -1;
	end = memchr(comma + 1, ',', (size_t)(semi - comma - 1));
	if (!end)
		return -1;
	return parse_uint(comma + 1, (size_t)(end - comma - 1), 10, UINT64_MAX,
			  ret_seq);
}

int hs_learn_add_pid(struct hs_learn *l, uint32_t pid)
{
	size_t i;

	for (i = 0; i < l->n_pids; i++)
		if (l->pids[i] == pid)
			return 0;
	if (l->n_pids >= HS_LEARN_MAX_PIDS)
		return -1;
	l->pids[l->n_pids++] = pid;
	return 0;
}

/* Whether a record counts, marking its pid as seen. */
static bool attributed(struct hs_learn *l, uint32_t pid)
{
	size_t i;

	if (l->n_pids == 0)
		return true;
	for (i = 0; i < l->n_pids; i++)
		if (l->pids[i] == pid) {
			l->pid_seen[i] = true;
			return true;
		}
	return false;
}

void hs_learn_add_line(struct hs_learn *l, const char *line, size_t len)
{
	struct hs_audit_record r;
	size_t i;

	l->lines++;
	switch (hs_learn_parse_line(line, len, &r)) {
	case HS_LEARN_OTHER:
		l->ignored++;
		return;
	case HS_LEARN_LOSS:
		l->losses++;
		return;
	case HS_LEARN_MALFORMED:
		l->malformed++;
		return;
	case HS_LEARN_RECORD:
		break;
	}
	if (!attributed(l, r.pid)) {
		l->other_pids++;
		return;
	}
	l->records++;
	for (i = 0; i < l->n_seen; i++)
		if (l->seen[i].arch == r.arch &&
		    l->seen[i].syscall == r.syscall) {
			l->seen[i].count++;
			return;
		}
	if (l->n_seen >= HS_LEARN_MAX_SYSCALLS) {
		l->dropped++;
		return;
	}
	l->seen[l->n_seen++] = (struct hs_learn_seen){r.arch, r.syscall, 1};
}

/* --- the profile ---------------------------------------------------------- */

static bool names_it(const json_t *rule, const char *name)
{
	const json_t *n;
	size_t i;

	json_array_foreach (json_object_get(rule, "names"), i, n)
		if (json_is_string(n) &&
		    strcmp(json_string_value(n), name) == 0)
			return true;
	return false;
}

/* Allowed by the base whatever the arguments: an ALLOW rule without
 * args names it, or no rule does and the default allows. A conditional
 * ALLOW is not enough: the call that was logged is the one it refused. */
static bool base_allows(const json_t *base, const char *name)
{
	const char *def =
		json_string_value(json_object_get(base, "defaultAction"));
	const json_t *rule;
	bool named = false;
	size_t i;

	json_array_foreach (json_object_get(base, "syscalls"), i, rule) {
		const char *a =
			json_string_value(json_object_get(rule, "action"));

		if (!names_it(rule, name))
			continue;
		named = true;
		if (a && strcmp(a, "SCMP_ACT_ALLOW") == 0 &&
		    json_array_size(json_object_get(rule, "args")) == 0)
			return true;
	}
	return !named && def && strcmp(def, "SCMP_ACT_ALLOW") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the sorted, unique names to `out`. */
static int append_sorted(json_t *out, char **names, size_t n)
{
	size_t i;

	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(names[i], names[i - 1]) != 0) &&
		    json_array_append_new(out, json_string(names[i])) < 0)
			return -1;
	return 0;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* Sorts each seen syscall into allow, dangerous, unknown or already
 * allowed. */
static int classify(const struct hs_learn *l, const json_t *base,
		    struct hs_learn_result *r)
{
	char **allow = calloc(l->n_seen + 1, sizeof(*allow));
	char **danger = calloc(l->n_seen + 1, sizeof(*danger));
	size_t n_allow = 0, n_danger = 0, i;
	int rc = -1;

	if (!allow || !danger)
		goto out;
	for (i = 0; i < l->n_seen; i++) {
		const struct hs_learn_seen *s = &l->seen[i];
		char name[HS_SYSCALL_NAME_MAX], msg[96];
		int k = hs_seccomp_syscall_name(s->arch, s->syscall, name,
						sizeof(name));

		if (k < 0) {
			const char *arch = hs_seccomp_audit_arch_name(s->arch);

			if (arch)
				snprintf(msg, sizeof(msg), "syscall %u on %s",
					 s->syscall, arch);
			else
				snprintf(msg, sizeof(msg), "arch %08x",
					 s->arch);
			if (json_array_append_new(r->unknown,
						  json_string(msg)) < 0)
				goto out;
		} else if (hs_escape_syscall(name)) {
			if (!(danger[n_danger++] = strdup(name)))
				goto out;
		} else if (base_allows(base, name)) {
			r->already_allowed++;
		} else if (!(allow[n_allow++] = strdup(name))) {
			goto out;
		}
	}
	if (append_sorted(r->allow, allow, n_allow) < 0 ||
	    append_sorted(r->dangerous, danger, n_danger) < 0)
		goto out;
	rc = 0;
out:
	free_names(allow, n_allow);
	free_names(danger, n_danger);
	return rc;
}

/* One string of the names, for the comment. */
static void join(const json_t *names, char *buf, size_t size)
{
	const json_t *n;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach (names, i, n) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				 json_string_value(n));

		if (w < 0 || (size_t)w >= size - len) {
			buf[len] = '\0';
			return;
		}
		len += (size_t)w;
	}
}

json_t *hs_learn_profile(const struct hs_learn *l, const json_t *base_resolved,
			 const char *extends, struct hs_learn_result *ret,
			 struct hs_error *err)
{
	_cleanup_json_ json_t *out = json_object();
	char comment[1024], danger[512];

	*ret = (struct hs_learn_result){json_array(), json_array(),
					json_array(), 0};
	if (!out || !ret->allow || !ret->dangerous || !ret->unknown ||
	    classify(l, base_resolved, ret) < 0)
		goto oom;
	join(ret->dangerous, danger, sizeof(danger));
	snprintf(comment, sizeof(comment),
		 "Learned by hardshim learn from %llu seccomp audit record%s: "
		 "the syscalls used that \"%s\" does not allow.%s%s%s",
		 (unsigned long long)l->records, l->records == 1 ? "" : "s",
		 extends,
		 danger[0] ? " Escape syscalls used, never allowed: " : "",
		 danger,
		 danger[0] ? " (review why the workload makes them)." : "");
	if (json_object_set_new(out, "comment", json_string(comment)) < 0 ||
	    json_object_set_new(out, "extends", json_string(extends)) < 0)
		goto oom;
	if (json_array_size(ret->allow) > 0 &&
	    json_object_set_new(out, "syscalls",
				json_pack("[{sOss}]", "names", ret->allow,
					  "action", "SCMP_ACT_ALLOW")) < 0)
		goto oom;
	return hs_steal_ptr(out);
oom:
	hs_learn_result_free(ret);
	hs_err(err, ENOMEM, "learn: out of memory");
	return NULL;
}

void hs_learn_result_free(struct hs_learn_result *r)
{
	json_decref(r->allow);
	json_decref(r->dangerous);
	json_decref(r->unknown);
	*r = (struct hs_learn_result){0};
}
