/* Whether one resolved profile lets a container run something another
 * refuses; see hs_profile_find_widening in hs_profile.h. Pure.
 *
 * The rule, per syscall name S that either profile names ("allows": ALLOW,
 * LOG, TRACE, NOTIFY, whose syscall may run; "denies": ERRNO, KILL*,
 * TRAP; U: an unconditional rule for S whose effect differs from the
 * default, which libseccomp keeps alone, swallowing S's conditional rules;
 * a rule with the default's effect is one runc skips):
 *   1. sel always denies S (U denies; or no U, no allowing conditional
 *      rule, and sel's default denies): fine;
 *   2. base always allows S (U allows; or no U, no denying conditional
 *      rule, and base's default allows): fine;
 *   3. otherwise sel must have no allowing U and base no denying U, and
 *      - if sel's default denies, each allowing conditional rule of sel
 *        must be in base too: an allowing rule with the same args;
 *      - if sel's default allows, base's must too, and each denying
 *        conditional rule of base must be in sel: a denying rule with the
 *        same args.
 * A syscall neither names gets the defaults: sel's may not allow where
 * base's denies. sel may add no architecture (base's kills every other
 * one's calls) and no SECCOMP_FILTER_FLAG_SPEC_ALLOW.
 *
 * Limits, each on the side of refusing: args are compared as written (a
 * narrower condition written differently is refused); the allowing and
 * denying conditions of one syscall in one profile are assumed disjoint,
 * as libseccomp needs them to be for a defined result (the shipped
 * profiles say so); the kinds of denial are not ranked (ERRNO is as good
 * as KILL here), and TRACE and NOTIFY count as allowing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "profile_internal.h"

const char *const hs_profile_widening_names[HS_WIDEN_N] = {
	[HS_WIDEN_DEFAULT] = "seccomp.defaultAction",
	[HS_WIDEN_ARCHES] = "seccomp.architectures",
	[HS_WIDEN_FLAGS] = "seccomp.flags",
	[HS_WIDEN_SYSCALLS] = "seccomp.syscalls",
};

enum { NO_RULE = -1, DENIES = 0, ALLOWS = 1 };

static int class_of(const char *action)
{
	static const char *const denying[] = {
		"SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_TRAP",
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(denying); i++)
		if (strcmp(action, denying[i]) == 0)
			return DENIES;
	return ALLOWS; /* an action this does not know may run the call */
}

struct entry {
	const json_t *rule;
	size_t next;
};

/* One resolved profile, its rules indexed by syscall name. */
struct side {
	struct hs_name_index ix;
	struct entry *e;
	size_t n;
	struct hs_rule_effect def;
	int def_class;
};

static void side_free(struct side *s)
{
	hs_name_index_free(&s->ix);
	free(s->e);
}

static int side_init(struct side *s, const json_t *profile)
{
	const json_t *calls = hs_profile_get_set(profile, "syscalls");
	const json_t *rule, *name;
	size_t i, j, total = 0;

	*s = (struct side){0};
	json_array_foreach (calls, i, rule)
		total += json_array_size(json_object_get(rule, "names"));
	s->e = calloc(total + 1, sizeof(*s->e));
	if (!s->e || hs_name_index_init(&s->ix, total) < 0)
		return -1;
	/* The default as runc reads it: ERRNO without defaultErrnoRet is
	 * EPERM, as a rule without errnoRet. */
	s->def.action =
		json_string_value(json_object_get(profile, "defaultAction"));
	if (!s->def.action)
		s->def.action = "";
	s->def.errnum = 0;
	if (hs_profile_takes_errno(s->def.action))
		s->def.errnum = json_is_integer(json_object_get(
					profile, "defaultErrnoRet"))
					? json_integer_value(json_object_get(
						  profile, "defaultErrnoRet"))
					: 1;
	s->def_class = class_of(s->def.action);
	json_array_foreach (calls, i, rule)
		json_array_foreach (json_object_get(rule, "names"), j, name) {
			struct hs_name_slot *slot;

			if (!json_is_string(name))
				continue;
			slot = hs_name_index_add(&s->ix,
						 json_string_value(name));
			if (!slot)
				return -1;
			s->e[s->n] = (struct entry){rule, HS_NAME_NONE};
			if (slot->last == HS_NAME_NONE)
				slot->first = s->n;
			else
				s->e[slot->last].next = s->n;
			slot->last = s->n++;
		}
	return 0;
}

static bool unconditional(const json_t *rule)
{
	return json_array_size(hs_profile_get_set(rule, "args")) == 0;
}

/* What a profile does with one syscall. */
struct view {
	int uncond; /* NO_RULE, or the class of its effective unconditional
		     * rule */
	bool cond_allows, cond_denies;
	size_t first; /* its first entry, HS_NAME_NONE if it has none */
};

static void view_of(const struct side *s, const char *name, struct view *v)
{
	const struct hs_name_slot *slot = hs_name_index_find(&s->ix, name);
	size_t k;

	*v = (struct view){.uncond = NO_RULE, .first = HS_NAME_NONE};
	if (!slot)
		return;
	v->first = slot->first;
	for (k = slot->first; k != HS_NAME_NONE; k = s->e[k].next) {
		const json_t *rule = s->e[k].rule;
		struct hs_rule_effect eff;
		int c;

		hs_profile_rule_effect(rule, &eff);
		c = class_of(eff.action);
		if (!unconditional(rule)) {
			if (c == ALLOWS)
				v->cond_allows = true;
			else
				v->cond_denies = true;
		} else if (!hs_profile_effect_equal(&eff, &s->def) &&
			   v->uncond == NO_RULE) {
			v->uncond = c;
		}
	}
}

/* Whether `s` has a conditional rule of class `c` for the syscall whose
 * first entry is `first`, with the same args as `rule`. */
static bool has_same(const struct side *s, size_t first, int c,
		     const json_t *rule)
{
	size_t k;

	for (k = first; k != HS_NAME_NONE; k = s->e[k].next) {
		struct hs_rule_effect eff;

		hs_profile_rule_effect(s->e[k].rule, &eff);
		if (class_of(eff.action) == c &&
		    hs_profile_args_equal(
			    hs_profile_get_set(s->e[k].rule, "args"),
			    hs_profile_get_set(rule, "args")))
			return true;
	}
	return false;
}

/* Every conditional rule of class `c` of `from` is in `in`. */
static bool covered(const struct side *from, size_t from_first, int c,
		    const struct side *in, size_t in_first)
{
	size_t k;

	for (k = from_first; k != HS_NAME_NONE; k = from->e[k].next) {
		struct hs_rule_effect eff;

		hs_profile_rule_effect(from->e[k].rule, &eff);
		if (!unconditional(from->e[k].rule) &&
		    class_of(eff.action) == c &&
		    !has_same(in, in_first, c, from->e[k].rule))
			return false;
	}
	return true;
}

/* The rule at the top of this file, for one syscall. */
static bool widens(const struct side *base, const struct side *sel,
		   const char *name)
{
	struct view b, s;

	view_of(base, name, &b);
	view_of(sel, name, &s);
	if (s.uncond == DENIES ||
	    (s.uncond == NO_RULE && !s.cond_allows && sel->def_class == DENIES))
		return false;
	if (b.uncond == ALLOWS || (b.uncond == NO_RULE && !b.cond_denies &&
				   base->def_class == ALLOWS))
		return false;
	if (s.uncond == ALLOWS || b.uncond == DENIES)
		return true;
	if (sel->def_class == DENIES)
		return !covered(sel, s.first, ALLOWS, base, b.first);
	return base->def_class == DENIES ||
	       !covered(base, b.first, DENIES, sel, s.first);
}

/* A facet's detail: "VERB "item", "item" and N more". */
struct list {
	char *buf;
	size_t size, len;
	unsigned shown, more;
};

static void list_start(struct list *l, char *buf, const char *verb)
{
	*l = (struct list){.buf = buf, .size = HS_WIDEN_DETAIL_MAX};
	l->len = (size_t)snprintf(buf, l->size, "%s ", verb);
}

static void list_add(struct list *l, const char *item)
{
	int n;

	if (l->more == 0 && l->len + strlen(item) + 24 < l->size) {
		n = snprintf(l->buf + l->len, l->size - l->len, "%s\"%s\"",
			     l->shown ? ", " : "", item);
		if (n > 0 && (size_t)n < l->size - l->len) {
			l->len += (size_t)n;
			l->shown++;
			return;
		}
	}
	l->more++;
}

/* An empty list leaves an empty detail: not wider there. */
static void list_end(struct list *l)
{
	if (!l->shown)
		l->buf[0] = '\0';
	else if (l->more)
		snprintf(l->buf + l->len, l->size - l->len, " and %u more",
			 l->more);
}

static void compare_syscalls(const struct side *base, const struct side *sel,
			     struct hs_profile_widening *ret)
{
	const struct side *both[] = {sel, base};
	struct list l;
	size_t i, k;

	list_start(&l, ret->detail[HS_WIDEN_SYSCALLS], "allows");
	for (k = 0; k < HS_ARRAY_SIZE(both); k++)
		for (i = 0; i <= both[k]->ix.mask; i++) {
			const char *name = both[k]->ix.slot[i].name;

			/* A name both profiles have is judged once. */
			if (!name ||
			    (k == 1 && hs_name_index_find(&sel->ix, name)))
				continue;
			if (widens(base, sel, name))
				list_add(&l, name);
		}
	list_end(&l);
}

static bool str_in(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach (arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Strings of sel[key] that base[key] lacks, "adds ..." (only `only` when
 * it is set). */
static void compare_added(const json_t *base, const json_t *sel,
			  const char *key, const char *only, char *out)
{
	const json_t *v;
	struct list l;
	size_t i;

	list_start(&l, out, "adds");
	json_array_foreach (hs_profile_get_set(sel, key), i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";

		if ((!only || strcmp(s, only) == 0) &&
		    !str_in(hs_profile_get_set(base, key), s))
			list_add(&l, s);
	}
	list_end(&l);
}

int hs_profile_find_widening(const json_t *base, const json_t *sel,
			     struct hs_profile_widening *ret,
			     struct hs_error *err)
{
	struct side b = {0}, s = {0};
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	if (side_init(&b, base) < 0 || side_init(&s, sel) < 0) {
		rc = hs_err(err, ENOMEM, "seccomp comparison: out of memory");
		goto out;
	}
	if (s.def_class == ALLOWS && b.def_class == DENIES) {
		char here[64], there[64];

		hs_profile_effect_text(&s.def, here, sizeof(here));
		hs_profile_effect_text(&b.def, there, sizeof(there));
		snprintf(ret->detail[HS_WIDEN_DEFAULT], HS_WIDEN_DETAIL_MAX,
			 "%s runs every syscall it does not name, where the "
			 "other's is %s",
			 here, there);
	}
	/* Every architecture a filter does not list is killed. */
	compare_added(base, sel, "architectures", NULL,
		      ret->detail[HS_WIDEN_ARCHES]);
	/* SPEC_ALLOW turns off the speculative store bypass mitigation. */
	compare_added(base, sel, "flags", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		      ret->detail[HS_WIDEN_FLAGS]);
	compare_syscalls(&b, &s, ret);
out:
	side_free(&b);
	side_free(&s);
	return rc;
}
