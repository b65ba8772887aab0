/* Attestation; see hs_attest.h. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_attest.h"
#include "hs_cleanup.h"

static int parse_caps_hex(const char *v, hs_capset_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 16);
	return errno || end == v || (*end && *end != '\n') ? -1 : 0;
}

static int parse_count(const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || n < 0 || n > INT32_MAX ||
	    (*end && *end != '\n'))
		return -1;
	*out = (int)n;
	return 0;
}

static int parse_ids(const char *v, uint32_t ids[4])
{
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || end == v || n > UINT32_MAX)
			return -1;
		ids[i] = (uint32_t)n;
		v = end;
	}
	return 0;
}

int hs_attest_parse_status(const char *text, struct hs_proc_status *st,
			   struct hs_error *err)
{
	static const struct {
		const char *key;
		size_t off;
	} caps[] = {
		{"CapInh:", offsetof(struct hs_proc_status, inh)},
		{"CapPrm:", offsetof(struct hs_proc_status, prm)},
		{"CapEff:", offsetof(struct hs_proc_status, eff)},
		{"CapBnd:", offsetof(struct hs_proc_status, bnd)},
		{"CapAmb:", offsetof(struct hs_proc_status, amb)},
	};
	unsigned seen = 0, want = (1u << 9) - 1;
	const char *line = text;

	memset(st, 0, sizeof(*st));
	st->no_new_privs = st->seccomp = st->seccomp_filters = -1;
	while (line && *line) {
		const char *v = strchr(line, ':');
		size_t i;
		int bad = 0;

		if (!v)
			break;
		v++;
		for (i = 0; i < HS_ARRAY_SIZE(caps); i++)
			if (strncmp(line, caps[i].key, strlen(caps[i].key)) ==
			    0) {
				bad = parse_caps_hex(
					v, (hs_capset_t *)((char *)st +
							   caps[i].off));
				seen |= 1u << i;
			}
		if (strncmp(line, "Uid:", 4) == 0) {
			bad = parse_ids(v, st->uid);
			seen |= 1u << 5;
		} else if (strncmp(line, "Gid:", 4) == 0) {
			bad = parse_ids(v, st->gid);
			seen |= 1u << 6;
		} else if (strncmp(line, "NoNewPrivs:", 11) == 0) {
			st->no_new_privs = (int)strtol(v, NULL, 10);
			seen |= 1u << 7;
		} else if (strncmp(line, "Seccomp:", 8) == 0) {
			st->seccomp = (int)strtol(v, NULL, 10);
			seen |= 1u << 8;
		} else if (strncmp(line, "Seccomp_filters:", 16) == 0) {
			/* Optional: older kernels do not show it. */
			bad = parse_count(v, &st->seccomp_filters);
		}
		if (bad)
			return hs_err(err, EINVAL,
				      "status: cannot parse line \"%.*s\"",
				      (int)strcspn(line, "\n"), line);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (seen != want)
		return hs_err(err, EINVAL,
			      "status: missing fields (have %#x of %#x)", seen,
			      want);
	return 0;
}

static int capset_of(const json_t *caps, const char *set, hs_capset_t *out,
		     const char *file, struct hs_error *err)
{
	const json_t *list = json_object_get(caps, set);
	size_t i;
	json_t *v;

	*out = 0;
	json_array_foreach (list, i, v) {
		int c = json_is_string(v)
				? hs_caps_from_name(json_string_value(v))
				: -1;

		if (c < 0)
			return hs_err(err, EINVAL,
				      "%s: process.capabilities.%s[%zu]: "
				      "unknown capability",
				      file, set, i);
		*out |= (hs_capset_t)1 << c;
	}
	return 0;
}

int hs_attest_expect_from_spec(const json_t *spec, const char *file,
			       struct hs_expect *e, struct hs_error *err)
{
	const json_t *process = json_object_get(spec, "process");
	const json_t *user = json_object_get(process, "user");
	const json_t *caps = json_object_get(process, "capabilities");

	memset(e, 0, sizeof(*e));
	if (!json_is_object(process))
		return hs_err(err, EINVAL, "%s: process: missing", file);
	e->uid = (uint32_t)json_integer_value(json_object_get(user, "uid"));
	e->gid = (uint32_t)json_integer_value(json_object_get(user, "gid"));
	if (capset_of(caps, "bounding", &e->bnd, file, err) < 0 ||
	    capset_of(caps, "effective", &e->eff, file, err) < 0 ||
	    capset_of(caps, "inheritable", &e->inh, file, err) < 0 ||
	    capset_of(caps, "permitted", &e->prm, file, err) < 0 ||
	    capset_of(caps, "ambient", &e->amb, file, err) < 0)
		return -1;
	return 0;
}

static int check_set(const char *name, hs_capset_t have, hs_capset_t allowed,
		     int pid, struct hs_error *err)
{
	if ((have & ~allowed) == 0)
		return 0;
	return hs_err(err, EPERM,
		      "pid %d: %s %016" PRIx64 " holds capabilities beyond "
		      "%016" PRIx64,
		      pid, name, have, allowed);
}

int hs_attest_check(const struct hs_proc_status *st, const struct hs_expect *e,
		    int pid, struct hs_error *err)
{
	hs_capset_t root_extra = e->uid == 0 ? e->bnd : 0;
	int i;

	if (st->seccomp != 2)
		return hs_err(err, EPERM,
			      "pid %d: Seccomp is %d, expected 2 (filter)", pid,
			      st->seccomp);
	if (st->no_new_privs != 1)
		return hs_err(err, EPERM,
			      "pid %d: NoNewPrivs is %d, expected 1", pid,
			      st->no_new_privs);
	for (i = 0; i < 4; i++) {
		if (st->uid[i] != e->uid)
			return hs_err(err, EPERM, "pid %d: uid %u, expected %u",
				      pid, st->uid[i], e->uid);
		if (st->gid[i] != e->gid)
			return hs_err(err, EPERM, "pid %d: gid %u, expected %u",
				      pid, st->gid[i], e->gid);
	}
	if (check_set("CapBnd", st->bnd, e->bnd, pid, err) < 0 ||
	    check_set("CapAmb", st->amb, e->amb, pid, err) < 0 ||
	    check_set("CapInh", st->inh, e->inh, pid, err) < 0 ||
	    check_set("CapPrm", st->prm, e->prm | root_extra, pid, err) < 0 ||
	    check_set("CapEff", st->eff, e->eff | root_extra, pid, err) < 0)
		return -1;
	return 0;
}
