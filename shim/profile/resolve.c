/* Docker's resolution of a merged seccomp profile for one node and one
 * container: includes/excludes, the architectures, unknown syscall names,
 * and the conflicts that only appear once the rules that apply are known.
 * See hs_profile_resolve in hs_profile.h. Pure.
 *
 * Trust: the merged profile comes from hs_profile_load, which validated
 * every file, but what this file depends on is checked again (an action
 * it does not know makes the rule an error, never a silent skip).
 *
 * Unknown names: only what Docker's own default profile needs in order to
 * load unchanged (syscalls newer than the linked libseccomp) is a warning,
 * and only where skipping the name cannot widen the filter.
 *
 * Cost: this runs on every container start, so the place a rule and each
 * of its names were written (_origin) is only turned into a path when a
 * message names it, and the rules already applied are kept in a hash
 * index by syscall name, compared with a new one only when they share a
 * name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "profile_internal.h"
#include "hs_seccomp.h"

#define PATH_BUF HS_PROFILE_PATH_BUF

struct rctx {
	const struct hs_resolve_ctx *ctx;
	const char *file;
	struct hs_error *err;
	const json_t *arches; /* the resolved architectures */
	const char *def; /* defaultAction */
	bool listener; /* listenerPath is set */
	char version[32]; /* libseccomp's */
};

static bool allows(const char *action)
{
	return strcmp(action, "SCMP_ACT_ALLOW") == 0 ||
	       strcmp(action, "SCMP_ACT_LOG") == 0;
}

/* Where a rule of the merged profile was written: file, and the path of
 * the rule (name_at < 0) or of one of its names. */
static void origin_of(const struct rctx *r, const json_t *rule, size_t index,
		      long name_at, const char **ret_file, char *path,
		      size_t size)
{
	const json_t *o = json_object_get(rule, "_origin");
	const json_t *f = json_object_get(o, "file");
	const json_t *i = json_object_get(o, "index");
	long long idx =
		json_is_integer(i) ? json_integer_value(i) : (long long)index;

	*ret_file = json_is_string(f) ? json_string_value(f) : r->file;
	if (name_at < 0) {
		hs_snprintf(path, size, "syscalls[%lld]", idx);
		return;
	}
	if (o) {
		/* No _origin.names: each name is where it was written. */
		const json_t *at = json_array_get(json_object_get(o, "names"),
						  (size_t)name_at);
		long long a =
			json_is_integer(at) ? json_integer_value(at) : name_at;

		if (a < 0)
			hs_snprintf(path, size, "syscalls[%lld].name", idx);
		else
			hs_snprintf(path, size, "syscalls[%lld].names[%lld]",
				    idx, a);
		return;
	}
	hs_snprintf(path, size, "syscalls[%lld].names[%ld]", idx, name_at);
}

/* ---------------------------------------------------------------------
 * Includes and excludes
 * ------------------------------------------------------------------- */

static bool str_in_json(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	if (!s)
		return false;
	json_array_foreach (arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static bool cap_held(const struct hs_resolve_ctx *ctx, const char *cap)
{
	const char *const *c;

	for (c = ctx->caps; c && *c; c++)
		if (strcmp(*c, cap) == 0)
			return true;
	return false;
}

/* Whether the node's kernel is at least `min`: 1, 0, or -1 if `min` is
 * not a version. Like moby, only the first two numbers count. */
static int kernel_at_least(const struct hs_resolve_ctx *ctx, const char *min)
{
	unsigned major, minor;

	if (hs_profile_parse_kernel_version(min, &major, &minor) < 0)
		return -1;
	return ctx->kernel_major > major ||
	       (ctx->kernel_major == major && ctx->kernel_minor >= minor);
}

/* moby's setupSeccomp, condition by condition and in its order: 1 if the
 * rule applies to this node and container, 0 if not, -1 if the profile
 * was not validated. */
static int rule_applies(const json_t *rule, const struct hs_resolve_ctx *ctx)
{
	const json_t *ex = hs_profile_get_set(rule, "excludes");
	const json_t *in = hs_profile_get_set(rule, "includes");
	const json_t *c, *min;
	size_t i;
	int k;

	if (ex) {
		if (str_in_json(json_object_get(ex, "arches"), ctx->goarch))
			return 0;
		json_array_foreach (json_object_get(ex, "caps"), i, c)
			if (json_is_string(c) &&
			    cap_held(ctx, json_string_value(c)))
				return 0;
		min = hs_profile_get_set(ex, "minKernel");
		if (min) {
			k = kernel_at_least(ctx,
					    json_is_string(min)
						    ? json_string_value(min)
						    : "");
			if (k != 0)
				return k < 0 ? -1 : 0;
		}
	}
	if (in) {
		if (json_array_size(json_object_get(in, "arches")) > 0 &&
		    !str_in_json(json_object_get(in, "arches"), ctx->goarch))
			return 0;
		json_array_foreach (json_object_get(in, "caps"), i, c)
			if (!json_is_string(c) ||
			    !cap_held(ctx, json_string_value(c)))
				return 0;
		min = hs_profile_get_set(in, "minKernel");
		if (min) {
			k = kernel_at_least(ctx,
					    json_is_string(min)
						    ? json_string_value(min)
						    : "");
			if (k <= 0)
				return k;
		}
	}
	return 1;
}

/* ---------------------------------------------------------------------
 * Architectures
 * ------------------------------------------------------------------- */

/* The architectures the filter covers on this node, always explicit. */
static json_t *resolve_arches(const json_t *merged, const struct rctx *r)
{
	_cleanup_json_ json_t *out = json_array();
	_cleanup_json_ json_t *paths = json_array();
	const json_t *explicit = hs_profile_get_set(merged, "architectures");
	const json_t *map = hs_profile_get_set(merged, "archMap"), *e, *a;
	bool bad = false;
	size_t i, j;

	if (!out || !paths) {
		hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
		return NULL;
	}
	if (!r->ctx->native_arch) {
		hs_err(r->err, EINVAL,
		       "%s: no native architecture to resolve for", r->file);
		return NULL;
	}
	if (json_array_size(explicit) > 0) {
		json_array_foreach (explicit, i, a) {
			char p[PATH_BUF];

			hs_json_path_index(p, sizeof(p), "architectures", i);
			json_array_append(out, (json_t *)a);
			json_array_append_new(paths, json_string(p));
		}
	} else {
		json_array_foreach (map, i, e) {
			const json_t *arch = json_object_get(e, "architecture");
			char p[PATH_BUF], ps[PATH_BUF], psub[PATH_BUF];

			if (!json_is_string(arch) ||
			    strcmp(json_string_value(arch),
				   r->ctx->native_arch) != 0)
				continue;
			hs_json_path_index(p, sizeof(p), "archMap", i);
			hs_json_path_key(ps, sizeof(ps), p, "architecture");
			json_array_append(out, (json_t *)arch);
			json_array_append_new(paths, json_string(ps));
			hs_json_path_key(psub, sizeof(psub), p,
					 "subArchitectures");
			json_array_foreach (
				json_object_get(e, "subArchitectures"), j, a) {
				hs_json_path_index(ps, sizeof(ps), psub, j);
				json_array_append(out, (json_t *)a);
				json_array_append_new(paths, json_string(ps));
			}
			break;
		}
		if (json_array_size(out) == 0) {
			if (json_array_size(map) > 0)
				hs_json_warn(r->err, r->file, "archMap",
					     "no entry for %s, the node's "
					     "architecture: the filter covers "
					     "it alone",
					     r->ctx->native_arch);
			json_array_append_new(out,
					      json_string(r->ctx->native_arch));
			json_array_append_new(paths, json_string(""));
		}
	}
	json_array_foreach (out, i, a) {
		const char *name =
			json_is_string(a) ? json_string_value(a) : "";

		if (hs_seccomp_arch_support(name) == HS_ARCH_SUPPORTED)
			continue;
		hs_json_err(r->err, r->file,
			    json_string_value(json_array_get(paths, i)),
			    "architecture \"%s\" is not supported by "
			    "libseccomp %s",
			    name, r->version);
		bad = true;
	}
	return bad ? NULL : hs_steal_ptr(out);
}

/* ---------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------- */

/* One name: kept (1), dropped with a warning (0) or an error (-1). */
static int check_name(const struct rctx *r, const json_t *rule, size_t index,
		      size_t j, const char *name, const char *action)
{
	const char *file;
	char path[PATH_BUF];

	if (hs_seccomp_syscall_known(name, r->arches))
		return 1;
	origin_of(r, rule, index, (long)j, &file, path, sizeof(path));
	/* Skipping a name leaves it at the default action. That is safe
	 * unless the default allows and the rule was there to deny. */
	if (allows(r->def) && !allows(action))
		return hs_json_err(r->err, file, path,
				   "unknown syscall \"%s\": libseccomp %s does "
				   "not know it on the target architectures, "
				   "so this rule cannot deny it and the "
				   "default action %s would allow it",
				   name, r->version, r->def);
	hs_json_warn(r->err, file, path,
		     "unknown syscall \"%s\": libseccomp %s does not know it "
		     "on the target architectures; it stays at the default "
		     "action %s",
		     name, r->version, r->def);
	return 0;
}

/* args as moby passes them on: index, value, valueTwo (omitted when 0,
 * as Go's omitempty does), op. */
static json_t *copy_args(const json_t *args)
{
	json_t *out = json_array();
	const json_t *a;
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach (args, i, a) {
		json_t *index = json_object_get(a, "index");
		json_t *value = json_object_get(a, "value");
		json_t *op = json_object_get(a, "op");
		json_t *v2 = json_object_get(a, "valueTwo");
		json_t *c = index && value && op ? json_object() : NULL;

		if (!c || json_object_set(c, "index", index) < 0 ||
		    json_object_set(c, "value", value) < 0 ||
		    json_object_set(c, "op", op) < 0) {
			json_decref(c);
			json_decref(out);
			return NULL;
		}
		if (json_is_integer(v2) && json_integer_value(v2) != 0)
			json_object_set(c, "valueTwo", v2);
		json_array_append_new(out, c);
	}
	return out;
}

/* The rules resolved so far, and for each syscall name the list of those
 * naming it, to find two that apply with the same syscall and args but
 * different effects: libseccomp would keep one of them silently. */
struct applied {
	const json_t *rule; /* in the merged profile */
	size_t index; /* in its syscalls[] */
	const json_t *oci; /* as resolved; owned by the output */
	struct hs_rule_effect effect;
};

struct named {
	size_t applied;
	long name_at; /* index in the merged rule's names[] */
	size_t next; /* the next one naming the syscall, or HS_NAME_NONE */
};

struct resolved {
	struct hs_name_index names;
	struct applied *rules;
	struct named *named;
	size_t n_rules, n_named, max_rules, max_named;
};

static int resolved_init(struct resolved *s, const json_t *calls)
{
	const json_t *rule;
	size_t i;

	*s = (struct resolved){.max_rules = json_array_size(calls)};
	json_array_foreach (calls, i, rule)
		s->max_named += json_array_size(json_object_get(rule, "names"));
	s->rules = calloc(s->max_rules + 1, sizeof(*s->rules));
	s->named = calloc(s->max_named + 1, sizeof(*s->named));
	if (!s->rules || !s->named ||
	    hs_name_index_init(&s->names, s->max_named) < 0)
		return -1;
	return 0;
}

static void resolved_free(struct resolved *s)
{
	hs_name_index_free(&s->names);
	free(s->rules);
	free(s->named);
}

static int check_resolved_conflict(const struct rctx *r, struct resolved *s,
				   const char *name, size_t k, long name_at)
{
	const struct applied *cur = &s->rules[k];
	const json_t *args = json_object_get(cur->oci, "args");
	struct hs_name_slot *slot = hs_name_index_add(&s->names, name);
	size_t e;

	if (!slot || s->n_named >= s->max_named)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	for (e = slot->first; e != HS_NAME_NONE; e = s->named[e].next) {
		const struct named *pn = &s->named[e];
		const struct applied *prior = &s->rules[pn->applied];
		const char *file, *prior_file;
		char path[PATH_BUF], prior_path[PATH_BUF];
		char here[64], there[64];

		if (hs_profile_effect_equal(&prior->effect, &cur->effect) ||
		    !hs_profile_args_equal(json_object_get(prior->oci, "args"),
					   args))
			continue;
		origin_of(r, cur->rule, cur->index, name_at, &file, path,
			  sizeof(path));
		origin_of(r, prior->rule, prior->index, pn->name_at,
			  &prior_file, prior_path, sizeof(prior_path));
		hs_profile_effect_text(&prior->effect, there, sizeof(there));
		hs_profile_effect_text(&cur->effect, here, sizeof(here));
		return hs_json_err(r->err, file, path,
				   "\"%s\" conflicts with %s: %s: both apply "
				   "here with the same arguments but different "
				   "actions (%s there, %s here)",
				   name, prior_file, prior_path, there, here);
	}
	s->named[s->n_named] = (struct named){k, name_at, HS_NAME_NONE};
	if (slot->last == HS_NAME_NONE)
		slot->first = s->n_named;
	else
		s->named[slot->last].next = s->n_named;
	slot->last = s->n_named++;
	return 0;
}

/* Resolves one applying rule into `out` (NULL: only check its names). */
static int resolve_rule(const struct rctx *r, const json_t *rule, size_t i,
			struct resolved *s, json_t *out)
{
	const json_t *action = json_object_get(rule, "action"), *n;
	const json_t *all_names = json_object_get(rule, "names");
	const char *act =
		json_is_string(action) ? json_string_value(action) : "";
	_cleanup_free_ size_t *kept_at = NULL;
	_cleanup_json_ json_t *names = NULL;
	_cleanup_json_ json_t *oci = NULL;
	struct applied *a;
	const char *file;
	char path[PATH_BUF], p[PATH_BUF];
	size_t j, n_kept = 0;
	int rc = 0;

	if (out) {
		names = json_array();
		kept_at = calloc(json_array_size(all_names) + 1,
				 sizeof(*kept_at));
		if (!names || !kept_at)
			return hs_err(r->err, ENOMEM, "%s: out of memory",
				      r->file);
	}
	if (out && strcmp(act, "SCMP_ACT_NOTIFY") == 0 && !r->listener) {
		origin_of(r, rule, i, -1, &file, path, sizeof(path));
		hs_json_path_key(p, sizeof(p), path, "action");
		rc = hs_json_err(r->err, file, p,
				 "SCMP_ACT_NOTIFY needs listenerPath");
	}
	json_array_foreach (all_names, j, n) {
		const char *name =
			json_is_string(n) ? json_string_value(n) : "";
		int k = check_name(r, rule, i, j, name, act);

		if (k < 0)
			rc = -1;
		if (k > 0 && out) {
			json_array_append(names, (json_t *)n);
			kept_at[n_kept++] = j;
		}
	}
	if (!out || n_kept == 0)
		return rc;
	oci = json_object();
	if (!oci || json_object_set(oci, "names", names) < 0 ||
	    json_object_set_new(oci, "action", json_string(act)) < 0 ||
	    s->n_rules >= s->max_rules)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	/* A rule that lost its errno or its argument conditions to a failed
	 * allocation would allow more than written: fail instead. */
	if ((json_is_integer(json_object_get(rule, "errnoRet")) &&
	     json_object_set(oci, "errnoRet",
			     json_object_get(rule, "errnoRet")) < 0) ||
	    (hs_profile_get_set(rule, "args") &&
	     json_object_set_new(oci, "args",
				 copy_args(json_object_get(rule, "args"))) <
		     0)) {
		json_decref(oci);
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	}
	/* `out` keeps the rule alive for the conflict checks to come. */
	if (json_array_append(out, oci) < 0)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	a = &s->rules[s->n_rules];
	*a = (struct applied){.rule = rule, .index = i, .oci = oci};
	hs_profile_rule_effect(oci, &a->effect);
	json_array_foreach (names, j, n)
		if (check_resolved_conflict(r, s, json_string_value(n),
					    s->n_rules, (long)kept_at[j]) < 0)
			rc = -1;
	s->n_rules++;
	return rc;
}

/* Resolves (all == false) or only checks the names of (all == true) the
 * rules. `out` receives the OCI rules when resolving. */
static int resolve_rules(const struct rctx *r, const json_t *merged, bool all,
			 json_t *out)
{
	const json_t *calls = hs_profile_get_set(merged, "syscalls");
	struct resolved s;
	const json_t *rule;
	size_t i;
	int rc = 0;

	if (resolved_init(&s, all ? NULL : calls) < 0) {
		resolved_free(&s);
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	}
	json_array_foreach (calls, i, rule) {
		const json_t *action = json_object_get(rule, "action");
		int applies = all ? 1 : rule_applies(rule, r->ctx);

		if (applies < 0 || !json_is_string(action) ||
		    !hs_seccomp_action_known(json_string_value(action))) {
			const char *file;
			char path[PATH_BUF];

			origin_of(r, rule, i, -1, &file, path, sizeof(path));
			rc = hs_json_err(
				r->err, file, path,
				"invalid rule (profile not validated)");
			continue;
		}
		if (applies &&
		    resolve_rule(r, rule, i, &s, all ? NULL : out) < 0)
			rc = -1;
	}
	resolved_free(&s);
	return rc;
}

static int rctx_init(struct rctx *r, const json_t *merged,
		     const struct hs_resolve_ctx *ctx, const char *file,
		     struct hs_error *err)
{
	const json_t *def = json_object_get(merged, "defaultAction");

	*r = (struct rctx){.ctx = ctx, .file = file, .err = err};
	hs_seccomp_version(r->version, sizeof(r->version));
	if (!json_is_object(merged))
		return hs_json_err(err, file, "", "must be a JSON object");
	if (!json_is_string(def) ||
	    !hs_seccomp_action_known(json_string_value(def)) ||
	    strcmp(json_string_value(def), "SCMP_ACT_NOTIFY") == 0)
		return hs_json_err(
			err, file, "defaultAction",
			"missing or invalid (profile not validated)");
	r->def = json_string_value(def);
	r->listener = json_is_string(json_object_get(merged, "listenerPath"));
	return 0;
}

/* The output owns its values: callers may resolve one merged profile
 * several times and change what they get. */
static void copy_if_set(json_t *to, const json_t *from, const char *key)
{
	const json_t *v = hs_profile_get_set(from, key);

	if (v)
		json_object_set_new(to, key, json_deep_copy(v));
}

json_t *hs_profile_resolve(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err)
{
	_cleanup_json_ json_t *out = json_object();
	_cleanup_json_ json_t *arches = NULL;
	_cleanup_json_ json_t *calls = json_array();
	unsigned errors_before = err->count;
	struct rctx r;

	if (!out || !calls) {
		hs_err(err, ENOMEM, "%s: out of memory", file);
		return NULL;
	}
	if (rctx_init(&r, merged, ctx, file, err) < 0)
		return NULL;
	arches = resolve_arches(merged, &r);
	if (!arches)
		return NULL;
	r.arches = arches;
	json_object_set_new(out, "defaultAction", json_string(r.def));
	if (json_is_integer(json_object_get(merged, "defaultErrnoRet")))
		json_object_set(out, "defaultErrnoRet",
				json_object_get(merged, "defaultErrnoRet"));
	json_object_set(out, "architectures", arches);
	copy_if_set(out, merged, "flags");
	copy_if_set(out, merged, "listenerPath");
	copy_if_set(out, merged, "listenerMetadata");
	resolve_rules(&r, merged, false, calls);
	json_object_set(out, "syscalls", calls);
	if (err->count != errors_before)
		return NULL;
	return hs_steal_ptr(out);
}

int hs_profile_check_names(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err)
{
	_cleanup_json_ json_t *arches = NULL;
	struct rctx r;

	if (rctx_init(&r, merged, ctx, file, err) < 0)
		return -1;
	arches = resolve_arches(merged, &r);
	if (!arches)
		return -1;
	r.arches = arches;
	return resolve_rules(&r, merged, true, NULL);
}
