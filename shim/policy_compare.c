/* A selectable policy against the policy that lists it. A pod annotation
 * (hardshim.dev/select-policy) may pick any policy its tenant's policy
 * lists as selectable, so each of those must be at least as strict as the
 * tenant's in every dimension the tenant's guards; otherwise the tenant
 * picks its way around its own policy. See hs_policy.h.
 *
 * Every dimension is compared on its effective value, defaults applied
 * (no allowedSysctls is Kubernetes' safe set, no mountTypes every type,
 * maskedPaths and readonlyPaths are added to runc's standard ones), and
 * each weaker one is reported on its own, named as in the policy file.
 * Only the network policies (when the two name different files) and the
 * seccomp profiles are read; the rest is pure. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_path.h"
#include "hs_policy.h"
#include "hs_profile.h"

struct cmp {
	const struct hs_policy *base, *sel;
	const char *file, *path;
	struct hs_error *err;
	int rc;
};

static void weaker(struct cmp *c, const char *dimension, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void weaker(struct cmp *c, const char *dimension, const char *fmt, ...)
{
	char detail[HS_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	c->rc = hs_json_err(c->err, c->file, c->path,
			    "policy \"%s\" is weaker than \"%s\" in %s: %s",
			    c->sel->name, c->base->name, dimension, detail);
}

/* Items of a detail, quoted, as many as fit. */
struct items {
	char buf[HS_ERR_MSG_MAX / 4];
	size_t len;
	unsigned n, more;
};

static void items_add(struct items *l, const char *s, bool quote)
{
	int n = -1;

	if (l->more == 0)
		n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len,
			     quote ? "%s\"%s\"" : "%s%s", l->n ? ", " : "", s);
	if (n < 0 || (size_t)n + 16 >= sizeof(l->buf) - l->len) {
		l->buf[l->len] = '\0';
		l->more++;
		return;
	}
	l->len += (size_t)n;
	l->n++;
}

static const char *items_text(struct items *l)
{
	if (l->more)
		snprintf(l->buf + l->len, sizeof(l->buf) - l->len,
			 " and %u more", l->more);
	return l->buf;
}

/* The names of a capability set, as items of a detail. */
static const char *caps_text(hs_capset_t set, struct items *l)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		char name[HS_CAP_NAME_MAX];

		if (!(set & ((hs_capset_t)1 << cap)))
			continue;
		if (hs_caps_to_name(cap, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "capability %d", cap);
		items_add(l, name, false);
	}
	return items_text(l);
}

/* --- flags and bit sets --------------------------------------------------
 */

/* A flag that weakens the policy when sel has `weak` and base does not. */
static const struct {
	const char *dimension;
	size_t offset;
	bool weak;
} flags[] = {
	{"capabilities.allowAmbient", offsetof(struct hs_policy, allow_ambient),
	 true},
	{"user.runAsNonRoot", offsetof(struct hs_policy, run_as_non_root),
	 false},
	{"spec.allowDevices", offsetof(struct hs_policy, allow_devices), true},
	{"spec.readonlyRootfs", offsetof(struct hs_policy, readonly_rootfs),
	 false},
	{"exec.allow", offsetof(struct hs_policy, allow_exec), true},
	{"host.anyHostPath", offsetof(struct hs_policy, any_host_path), true},
	{"host.writableSysfs", offsetof(struct hs_policy, writable_sysfs),
	 true},
	{"host.unconfinedAppArmor",
	 offsetof(struct hs_policy, unconfined_apparmor), true},
};

/* A set of named bits: weaker when sel adds a bit (`adds`) or drops one. */
static const struct {
	const char *dimension;
	size_t offset;
	bool adds;
	const char *(*name)(uint32_t bit);
} bit_sets[] = {
	{"spec.requiredNamespaces", offsetof(struct hs_policy, required_ns),
	 false, hs_policy_ns_name},
	{"spec.mountTypes", offsetof(struct hs_policy, mount_types), true,
	 hs_policy_mount_type_name},
	{"host.namespaces", offsetof(struct hs_policy, host_ns), true,
	 hs_policy_ns_name},
};

static bool flag_of(const struct hs_policy *p, size_t offset)
{
	return *(const bool *)((const char *)p + offset);
}

static uint32_t bits_of(const struct hs_policy *p, size_t offset)
{
	return *(const uint32_t *)((const char *)p + offset);
}

static void compare_flags(struct cmp *c)
{
	hs_capset_t added = c->sel->cap_ceiling & ~c->base->cap_ceiling;
	struct items caps = {0};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(flags); i++) {
		bool b = flag_of(c->base, flags[i].offset);
		bool s = flag_of(c->sel, flags[i].offset);

		if (s == flags[i].weak && b != flags[i].weak)
			weaker(c, flags[i].dimension, "%s, not %s",
			       s ? "true" : "false", b ? "true" : "false");
	}
	/* Audit mode lets every syscall the profile denies run. */
	if (c->sel->audit && !c->base->audit)
		weaker(c, "mode",
		       "\"audit\" (seccomp denials logged, not "
		       "enforced), not \"enforce\"");
	if (c->sel->root_rule == HS_ROOT_REMAP &&
	    c->base->root_rule == HS_ROOT_REFUSE)
		weaker(c, "user.root", "\"remap\", not \"refuse\"");
	for (i = 0; i < HS_ARRAY_SIZE(bit_sets); i++) {
		uint32_t b = bits_of(c->base, bit_sets[i].offset);
		uint32_t s = bits_of(c->sel, bit_sets[i].offset);
		uint32_t diff = bit_sets[i].adds ? s & ~b : b & ~s;
		struct items names = {0};
		uint32_t bit;

		for (bit = 1; diff && bit; bit <<= 1)
			if (diff & bit)
				items_add(&names,
					  bit_sets[i].name(bit)
						  ? bit_sets[i].name(bit)
						  : "?",
					  false);
		if (diff)
			weaker(c, bit_sets[i].dimension, "%s %s",
			       bit_sets[i].adds ? "adds" : "drops",
			       items_text(&names));
	}
	if (added)
		weaker(c, "capabilities.ceiling", "adds %s",
		       caps_text(added, &caps));
}

/* --- lists of strings ------------------------------------------------------
 */

/* Entry i of a policy's list, or of the fixed list it falls back to (or
 * adds to); NULL past the end. */
static const char *nth(const json_t *list, const char *const *fixed, size_t i)
{
	if (list)
		return i < json_array_size(list)
			       ? json_string_value(json_array_get(list, i))
			       : NULL;
	return fixed ? fixed[i] : NULL;
}

/* Whether `s` is in the list, or, `by_parent`, beneath an entry of it
 * (masking or making read-only a directory covers what it holds). */
static bool listed(const json_t *list, const char *const *fixed, const char *s,
		   bool by_parent)
{
	char a[HS_PATH_MAX], b[HS_PATH_MAX];
	const char *e;
	size_t i;

	if (by_parent && hs_path_normalize(s, a, sizeof(a)) < 0)
		return false;
	for (i = 0; (e = nth(list, fixed, i)); i++) {
		if (!by_parent && strcmp(e, s) == 0)
			return true;
		if (by_parent && hs_path_normalize(e, b, sizeof(b)) == 0 &&
		    hs_path_is_beneath(a, b))
			return true;
	}
	return false;
}

/* sel's sysctls must all be base's: absent, either is the safe set. */
static void compare_sysctls(struct cmp *c)
{
	const char *const *dflt = hs_default_safe_sysctls;
	struct items l = {0};
	const char *s;
	size_t i;

	for (i = 0; (s = nth(c->sel->allowed_sysctls, dflt, i)); i++)
		if (!listed(c->base->allowed_sysctls,
			    c->base->allowed_sysctls ? NULL : dflt, s, false))
			items_add(&l, s, true);
	if (l.n || l.more)
		weaker(c, "spec.allowedSysctls", "allows %s", items_text(&l));
}

/* Every path base masks (or makes read-only) sel must too: the standard
 * ones are always there, so only base's additions can be missing. */
static void compare_paths(struct cmp *c, const char *dimension,
			  const json_t *base, const json_t *sel,
			  const char *const *standard)
{
	struct items l = {0};
	const char *s;
	size_t i;

	for (i = 0; (s = nth(base, NULL, i)); i++)
		if (!listed(sel, NULL, s, true) &&
		    !listed(NULL, standard, s, true))
			items_add(&l, s, true);
	if (l.n || l.more)
		weaker(c, dimension, "lacks %s", items_text(&l));
}

/* What the spec check decides for a bind of `path`: the first grant that
 * holds it decides (shim/spec/mounts.c), so a later grant beneath an
 * earlier one never does. */
enum grant { NOT_GRANTED, READ_ONLY, READ_WRITE };

static enum grant grant_of(const struct hs_policy *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n_host_paths; i++)
		if (hs_path_is_beneath(path, p->host_paths[i].path))
			return p->host_paths[i].read_only ? READ_ONLY
							  : READ_WRITE;
	return NOT_GRANTED;
}

static bool grants_exactly(const struct hs_policy *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->n_host_paths; i++)
		if (strcmp(p->host_paths[i].path, path) == 0)
			return true;
	return false;
}

/* Which grants hold a path is decided by the deepest grant path (of
 * either policy) that holds it, so judging both policies at every grant
 * path judges them at every path. */
static void compare_host_paths(struct cmp *c)
{
	const struct hs_policy *both[] = {c->sel, c->base};
	struct items l = {0};
	size_t k, i;

	for (k = 0; k < HS_ARRAY_SIZE(both); k++)
		for (i = 0; i < both[k]->n_host_paths; i++) {
			const char *at = both[k]->host_paths[i].path;
			enum grant s = grant_of(c->sel, at);
			enum grant b = grant_of(c->base, at);

			/* A path both grant is judged once, as sel's. */
			if ((k == 1 && grants_exactly(c->sel, at)) ||
			    s == NOT_GRANTED || b == READ_WRITE ||
			    (s == READ_ONLY && b == READ_ONLY))
				continue;
			if (b == NOT_GRANTED) {
				items_add(&l, at, true);
			} else {
				char what[HS_PATH_MAX + 16];

				snprintf(what, sizeof(what),
					 "\"%s\" read-write", at);
				items_add(&l, what, false);
			}
		}
	if (l.n || l.more)
		weaker(c, "spec.hostPaths", "grants %s", items_text(&l));
}

/* --- network -------------------------------------------------------------
 */

/* The same file, or the same JSON: hardshim cannot tell whether another
 * network policy is stricter, so it must be this one. */
static int compare_network(struct cmp *c)
{
	_cleanup_json_ json_t *b = NULL, *s = NULL;
	char rb[PATH_MAX], rs[PATH_MAX];

	if (!c->base->has_network)
		return 0;
	if (!c->sel->has_network) {
		weaker(c, "network", "none, where \"%s\" has \"%s\"",
		       c->base->name, c->base->network_path);
		return 0;
	}
	if (strcmp(c->base->network_path, c->sel->network_path) == 0 ||
	    (realpath(c->base->network_path, rb) &&
	     realpath(c->sel->network_path, rs) && strcmp(rb, rs) == 0))
		return 0;
	b = hs_json_load_path(c->base->network_path, HS_POLICY_MAX_BYTES,
			      c->err);
	s = hs_json_load_path(c->sel->network_path, HS_POLICY_MAX_BYTES,
			      c->err);
	if (!b || !s)
		return c->rc = -1;
	if (!json_equal(b, s))
		weaker(c, "network", "\"%s\" differs from \"%s\"",
		       c->sel->network_path, c->base->network_path);
	return 0;
}

/* --- seccomp -------------------------------------------------------------
 */

/* The capabilities the includes/excludes of a merged profile test. */
static hs_capset_t caps_tested(const json_t *merged)
{
	static const char *const sets[] = {"includes", "excludes"};
	const json_t *rule, *cap;
	hs_capset_t m = 0;
	size_t i, j, k;

	json_array_foreach (json_object_get(merged, "syscalls"), i, rule)
		for (k = 0; k < HS_ARRAY_SIZE(sets); k++)
			json_array_foreach (
				json_object_get(json_object_get(rule, sets[k]),
						"caps"),
				j, cap) {
				int n = hs_caps_from_name(
					json_is_string(cap)
						? json_string_value(cap)
						: "");

				if (n >= 0)
					m |= (hs_capset_t)1 << n;
			}
	return m;
}

static json_t *resolve_for(const json_t *merged, hs_capset_t caps,
			   const struct hs_resolve_ctx *node,
			   const struct hs_policy *p, struct hs_error *err)
{
	struct hs_resolve_ctx ctx = *node;
	struct hs_caps_names names;
	struct hs_error quiet = {0};
	json_t *resolved;

	hs_caps_names(caps, &names);
	ctx.caps = names.list;
	/* `check` has already warned about this profile's names. */
	resolved = hs_profile_resolve(merged, &ctx, p->seccomp_path, &quiet);
	if (!resolved)
		hs_err(err, quiet.errnum, "%s: seccomp: %s", p->file,
		       quiet.msg);
	return resolved;
}

/* A container's profile depends on its bounding set only through the
 * capabilities the profiles test (`tested`): a pod asking for bounding
 * set B gets base's profile for B & base's ceiling and sel's for B & sel's
 * ceiling. Every subset X of the tested capabilities either ceiling holds
 * is such a B, so both are resolved and compared for each; the first X
 * that shows a facet wider is the one reported. */
static int compare_seccomp(struct cmp *c)
{
	_cleanup_json_ json_t *mb = NULL, *ms = NULL;
	struct hs_profile_widening found = {0};
	hs_capset_t when[HS_WIDEN_N] = {0};
	struct hs_resolve_ctx node = {0};
	hs_capset_t tested, rel, x = 0;
	size_t f;

	mb = hs_profile_load(c->base->seccomp_path, c->err);
	ms = hs_profile_load(c->sel->seccomp_path, c->err);
	if (!mb || !ms || hs_profile_node_ctx(&node, c->err) < 0)
		return c->rc = -1;
	tested = caps_tested(mb) | caps_tested(ms);
	rel = tested & (c->base->cap_ceiling | c->sel->cap_ceiling);
	if (__builtin_popcountll(rel) > HS_POLICY_COMPARE_MAX_CAPS)
		return c->rc = hs_json_err(
			       c->err, c->file, c->path,
			       "the seccomp profiles of \"%s\" and \"%s\" test "
			       "%d capabilities the ceilings hold, more than "
			       "the %d hardshim compares "
			       "(HS_POLICY_COMPARE_MAX_CAPS), refused",
			       c->base->name, c->sel->name,
			       __builtin_popcountll(rel),
			       HS_POLICY_COMPARE_MAX_CAPS);
	do {
		_cleanup_json_ json_t *rb =
			resolve_for(mb, c->base->cap_ceiling & (x | ~tested),
				    &node, c->base, c->err);
		_cleanup_json_ json_t *rs =
			resolve_for(ms, c->sel->cap_ceiling & (x | ~tested),
				    &node, c->sel, c->err);
		struct hs_profile_widening w;

		if (!rb || !rs ||
		    hs_profile_find_widening(rb, rs, &w, c->err) < 0)
			return c->rc = -1;
		for (f = 0; f < HS_WIDEN_N; f++)
			if (w.detail[f][0] && !found.detail[f][0]) {
				memcpy(found.detail[f], w.detail[f],
				       sizeof(w.detail[f]));
				when[f] = x;
			}
		x = (x - rel) & rel; /* the next subset of rel */
	} while (x != 0);
	for (f = 0; f < HS_WIDEN_N; f++) {
		struct items held = {0};

		if (!found.detail[f][0])
			continue;
		if (!rel)
			weaker(c, hs_profile_widening_names[f], "%s",
			       found.detail[f]);
		else
			weaker(c, hs_profile_widening_names[f],
			       "%s, for a container holding %s%s",
			       found.detail[f], when[f] ? "" : "none of ",
			       caps_text(when[f] ? when[f] : rel, &held));
	}
	return 0;
}

int hs_policy_check_not_weaker(const struct hs_policy *base,
			       const struct hs_policy *sel, const char *file,
			       const char *path, unsigned what,
			       struct hs_error *err)
{
	struct cmp c = {base, sel, file, path, err, 0};

	compare_flags(&c);
	compare_sysctls(&c);
	compare_paths(&c, "spec.maskedPaths", base->masked_paths,
		      sel->masked_paths, hs_standard_masked_paths);
	compare_paths(&c, "spec.readonlyPaths", base->readonly_paths,
		      sel->readonly_paths, hs_standard_readonly_paths);
	compare_host_paths(&c);
	compare_network(&c);
	if (what & HS_POLICY_COMPARE_SECCOMP)
		compare_seccomp(&c);
	return c.rc;
}
