/* What two rules select and what they do, to tell a conflict from a
 * repetition; see profile_internal.h.
 *
 * The comparisons are those of a canonical form: the order of args, of
 * caps and of arches does not change what a rule matches, so each is
 * compared as a multiset. A comparison is written as the text
 * "index op value valueTwo" with integers read as jansson reads them (0
 * when not an integer) and a missing op as ""; two comparisons are the
 * same when those texts are. A text of 128 bytes or more has no canonical
 * form: the rule then only equals another rule without one. Validation
 * leaves no such rule; only a profile that was never validated has them.
 *
 * Comparing costs nothing until two rules name the same syscall, which is
 * when it is asked for. */
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

/* The bound of the canonical text of one comparison. */
#define ARG_TEXT_MAX 128

bool hs_profile_takes_errno(const char *action)
{
	return strcmp(action, "SCMP_ACT_ERRNO") == 0 ||
	       strcmp(action, "SCMP_ACT_TRACE") == 0;
}

/* "X.Y" with X and Y in [0, 255], not 0.0: what moby's KernelVersion
 * accepts, minus the leading zeros and signs strconv would also take. */
int hs_profile_parse_kernel_version(const char *s, unsigned *ret_major,
				    unsigned *ret_minor)
{
	unsigned v[2] = {0, 0};
	int part = 0, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && part == 0 && digits > 0) {
			part = 1;
			digits = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || digits == 3)
			return -1;
		v[part] = v[part] * 10 + (unsigned)(*s - '0');
		digits++;
	}
	if (part != 1 || digits == 0 || v[0] > 255 || v[1] > 255 ||
	    (v[0] == 0 && v[1] == 0))
		return -1;
	*ret_major = v[0];
	*ret_minor = v[1];
	return 0;
}

void hs_profile_rule_effect(const json_t *rule, struct hs_rule_effect *ret)
{
	const json_t *action = json_object_get(rule, "action");
	const json_t *e = json_object_get(rule, "errnoRet");

	ret->action = json_is_string(action) ? json_string_value(action) : "";
	ret->errnum = 0;
	/* runc gives ERRNO and TRACE without errnoRet EPERM. */
	if (hs_profile_takes_errno(ret->action))
		ret->errnum = json_is_integer(e) ? json_integer_value(e) : 1;
}

bool hs_profile_effect_equal(const struct hs_rule_effect *a,
			     const struct hs_rule_effect *b)
{
	return a->errnum == b->errnum && strcmp(a->action, b->action) == 0;
}

void hs_profile_effect_text(const struct hs_rule_effect *e, char *buf,
			    size_t size)
{
	if (hs_profile_takes_errno(e->action))
		hs_snprintf(buf, size, "%s(%lld)", e->action, e->errnum);
	else
		hs_snprintf(buf, size, "%s", e->action);
}

/* One comparison of args[], as its canonical text reads it. */
struct canon_arg {
	long long index, value, value2;
	const char *op;
};

static void canon_arg(const json_t *a, struct canon_arg *ret)
{
	const json_t *op = json_object_get(a, "op");

	ret->index = json_integer_value(json_object_get(a, "index"));
	ret->value = json_integer_value(json_object_get(a, "value"));
	ret->value2 = json_integer_value(json_object_get(a, "valueTwo"));
	ret->op = json_is_string(op) ? json_string_value(op) : "";
}

static bool canon_arg_equal(const struct canon_arg *a,
			    const struct canon_arg *b)
{
	return a->index == b->index && a->value == b->value &&
	       a->value2 == b->value2 && strcmp(a->op, b->op) == 0;
}

/* Characters of "%lld". */
static size_t lld_len(long long x)
{
	unsigned long long u =
		x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
	size_t n = x < 0 ? 2 : 1;

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

/* Whether a comparison has no canonical text. */
static bool uncanonical(const struct canon_arg *c)
{
	return lld_len(c->index) + lld_len(c->value) + lld_len(c->value2) +
		       strlen(c->op) + 3 >=
	       ARG_TEXT_MAX;
}

static size_t count_arg(const struct canon_arg *list, size_t n,
			const struct canon_arg *c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += canon_arg_equal(&list[i], c);
	return k;
}

/* The comparisons of `args` read once; NULL when out of memory. Valid
 * rules have at most HS_PROFILE_MAX_ARGS, which fit in `small`. */
static struct canon_arg *read_args(const json_t *args, struct canon_arg *small,
				   size_t *ret_n, bool *ret_uncanonical)
{
	size_t i, n = json_array_size(args);
	struct canon_arg *c = small;

	if (n > HS_PROFILE_MAX_ARGS) {
		c = calloc(n, sizeof(*c));
		if (!c)
			return NULL;
	}
	*ret_uncanonical = false;
	for (i = 0; i < n; i++) {
		canon_arg(json_array_get(args, i), &c[i]);
		if (uncanonical(&c[i]))
			*ret_uncanonical = true;
	}
	*ret_n = n;
	return c;
}

/* 1 when the args are the same multiset of comparisons, 0 when not, and
 * 2 when neither has a canonical form (equal, whatever else differs). */
static int args_compare(const json_t *a, const json_t *b)
{
	struct canon_arg sa[HS_PROFILE_MAX_ARGS], sb[HS_PROFILE_MAX_ARGS];
	struct canon_arg *ca, *cb;
	bool ua = false, ub = false;
	size_t na = 0, nb = 0, i;
	int same = 0;

	ca = read_args(a, sa, &na, &ua);
	cb = read_args(b, sb, &nb, &ub);
	if (ca && cb) {
		if (ua || ub)
			same = ua && ub ? 2 : 0;
		else if (na == nb)
			for (same = 1, i = 0; i < na && same; i++)
				same = count_arg(ca, na, &ca[i]) ==
				       count_arg(cb, nb, &ca[i]);
	}
	if (ca != sa)
		free(ca);
	if (cb != sb)
		free(cb);
	return same;
}

bool hs_profile_args_equal(const json_t *a, const json_t *b)
{
	return args_compare(a, b) != 0;
}

/* A string of caps[] or arches[]; anything else reads as "". */
static const char *entry(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

static size_t count_str(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach (arr, i, v)
		n += strcmp(entry(v), s) == 0;
	return n;
}

static bool strings_same(const json_t *a, const json_t *b)
{
	const json_t *v;
	size_t i;

	if (json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach (a, i, v)
		if (count_str(a, entry(v)) != count_str(b, entry(v)))
			return false;
	return true;
}

/* includes or excludes: caps and arches in any order, and minKernel. */
static bool filter_same(const json_t *a, const json_t *b)
{
	return strings_same(json_object_get(a, "caps"),
			    json_object_get(b, "caps")) &&
	       strings_same(json_object_get(a, "arches"),
			    json_object_get(b, "arches")) &&
	       strcmp(entry(json_object_get(a, "minKernel")),
		      entry(json_object_get(b, "minKernel"))) == 0;
}

bool hs_profile_conditions_equal(const json_t *rule_a, const json_t *rule_b)
{
	int args = args_compare(json_object_get(rule_a, "args"),
				json_object_get(rule_b, "args"));

	if (args != 1)
		return args == 2;
	return filter_same(json_object_get(rule_a, "includes"),
			   json_object_get(rule_b, "includes")) &&
	       filter_same(json_object_get(rule_a, "excludes"),
			   json_object_get(rule_b, "excludes"));
}
