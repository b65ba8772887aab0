/* Spec hardening: the rules of docs/design.md "Enforcement, in order", step 1.
 *
 * Trust: the spec comes from the engine but carries tenant-chosen values
 * (user, capabilities, mounts, hooks, namespace and cgroup paths, sysctls,
 * annotations, the entrypoint). The model is an allow-list: a spec keeps
 * only what the policy or the root-owned config grants, and anything else
 * is refused outright rather than edited, so that a tenant never runs with
 * a spec it did not ask for. The few edits narrow: capability sets are
 * intersected, uid and gid 0 remapped where the policy says so, granted
 * host paths made read-only, masked paths added, never removed.
 *
 * Order, and why it is safe:
 *   1. types and keys: every later rule reads fields whose types runc and
 *      hardshim agree on, under the spellings both read;
 *   2. refusals (pod, namespaces, mounts, hooks, linux, AppArmor): they
 *      depend on no edit;
 *   3. user, then capabilities, which depend on the final uid;
 *   4. no_new_privs, masked and read-only paths, read-only rootfs, hooks;
 *   5. the seccomp profile, resolved last against the final bounding set.
 * Every refusal of steps 1-3 is reported, not only the first. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_monitor.h"
#include "spec_internal.h"

json_t *hs_spec_object_child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!o) {
		o = json_object();
		if (!o || json_object_set_new(parent, key, o) < 0)
			return NULL;
	}
	return json_is_object(o) ? o : NULL;
}

void hs_spec_note(json_t *notes, const char *fmt, ...)
{
	char line[HS_ERR_MSG_MAX];
	va_list ap;

	if (!notes)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(notes, json_string(line));
}

/* What containerd and Docker write for a privileged container: a rule
 * allowing every device ({"allow": true, "access": "rwm"}), or sysfs
 * mounted read-write. Used to name the request
 * in the user's words when it is refused. */
static bool looks_privileged(const json_t *spec)
{
	const json_t *rules = json_object_get(
		json_object_get(json_object_get(spec, "linux"), "resources"),
		"devices");
	const json_t *mounts = json_object_get(spec, "mounts");
	size_t i;
	json_t *v;

	json_array_foreach (rules, i, v) {
		const char *type =
			json_string_value(json_object_get(v, "type"));

		if (json_is_true(json_object_get(v, "allow")) &&
		    (!type || strcmp(type, "a") == 0) &&
		    !json_object_get(v, "major"))
			return true;
	}
	json_array_foreach (mounts, i, v) {
		const char *type =
			json_string_value(json_object_get(v, "type"));

		if (type && strcmp(type, "sysfs") == 0 &&
		    !hs_spec_options_read_only(json_object_get(v, "options")))
			return true;
	}
	return false;
}

/* --- masked paths, annotations, seccomp ------------------------------- */

static int add_paths(json_t *lnx, const char *key, const char *const *standard,
		     const json_t *extra, const char *file,
		     struct hs_error *err)
{
	json_t *list = json_object_get(lnx, key);
	char p[64];
	size_t i, j;
	json_t *v, *have;
	bool found;

	hs_json_path_key(p, sizeof(p), "linux", key);
	if (!list) {
		list = json_array();
		json_object_set_new(lnx, key, list);
	}
	if (!json_is_array(list))
		return hs_json_err(err, file, p, "must be an array");
	for (i = 0; standard[i]; i++) {
		const char *want = standard[i];

		found = false;
		json_array_foreach (list, j, have)
			found |= json_is_string(have) &&
				 strcmp(json_string_value(have), want) == 0;
		if (!found)
			json_array_append_new(list, json_string(want));
	}
	json_array_foreach (extra, i, v) {
		found = false;
		json_array_foreach (list, j, have)
			found |= json_equal(have, v);
		if (!found)
			json_array_append(list, v);
	}
	return 0;
}

const char *hs_spec_netns_path(const json_t *spec)
{
	const json_t *list =
		json_object_get(json_object_get(spec, "linux"), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach (list, i, ns) {
		const char *type =
			json_string_value(json_object_get(ns, "type"));

		if (type && strcmp(type, "network") == 0)
			return json_string_value(json_object_get(ns, "path"));
	}
	return NULL;
}

static int set_annotations(json_t *spec, const struct hs_policy *policy,
			   const char *digest, const char *monitor,
			   const char *file, struct hs_error *err)
{
	json_t *ann = hs_spec_object_child(spec, "annotations");
	int ours = 2 + (policy->audit ? 1 : 0) + (monitor ? 1 : 0);

	if (!ann)
		return hs_json_err(err, file, "annotations",
				   "must be an object");
	/* hardshim's own, never the spec's, so that no container can claim
	 * to be audited or monitored: room for the ones we add (the hooks
	 * refuse a state with more). */
	json_object_del(ann, HS_ANNOTATION_POLICY);
	json_object_del(ann, HS_ANNOTATION_DIGEST);
	json_object_del(ann, HS_ANNOTATION_MODE);
	json_object_del(ann, HS_ANNOTATION_MONITOR);
	if (json_object_size(ann) > (size_t)(HS_SPEC_MAX_ANNOTATIONS - ours))
		return hs_json_err(err, file, "annotations",
				   "%zu annotations, more than the limit of %d "
				   "(%d with hardshim's own %d)",
				   json_object_size(ann),
				   HS_SPEC_MAX_ANNOTATIONS - ours,
				   HS_SPEC_MAX_ANNOTATIONS, ours);
	json_object_set_new(ann, HS_ANNOTATION_POLICY,
			    json_string(policy->name));
	json_object_set_new(ann, HS_ANNOTATION_DIGEST, json_string(digest));
	if (policy->audit)
		json_object_set_new(ann, HS_ANNOTATION_MODE,
				    json_string("audit"));
	if (monitor)
		json_object_set_new(ann, HS_ANNOTATION_MONITOR,
				    json_string(monitor));
	return 0;
}

/* The escape syscalls go to the monitor when it answers. *ret_state is
 * what the spec records (HS_ANNOTATION_MONITOR): "notify", "unmonitored",
 * or NULL when no monitor is configured. */
static int monitor(json_t *seccomp, const struct hs_harden_ctx *ctx,
		   const char **ret_state, const char *file,
		   struct hs_error *err)
{
	size_t n;

	*ret_state = NULL;
	if (ctx->unmonitored) {
		hs_spec_note(
			ctx->narrowed,
			"unmonitored: the monitor did not answer at start");
		*ret_state = "unmonitored";
		return 0;
	}
	if (!ctx->monitor_socket)
		return 0;
	if (hs_monitor_add_notify(seccomp, ctx->monitor_socket, &n, err) < 0)
		return hs_err_context(err, "%s: linux.seccomp", file);
	if (n == 0)
		hs_spec_note(ctx->narrowed,
			     "unmonitored: the profile leaves the monitor no "
			     "escape syscall to answer");
	*ret_state = n ? "notify" : "unmonitored";
	return 0;
}

/* The profile is resolved against the container's final bounding set (as
 * Docker resolves includes.caps) and compiled by the planner, so that a
 * profile that cannot be built stops the start here, with a reason,
 * instead of inside runc. */
static int set_seccomp(json_t *spec, json_t *lnx,
		       const struct hs_policy *policy, hs_capset_t bounding,
		       const struct hs_harden_ctx *ctx, const char *file,
		       struct hs_error *err)
{
	struct hs_caps_names caps;
	struct hs_resolve_ctx rctx = ctx->node;
	struct hs_seccomp_plan plan;
	json_t *seccomp;
	const char *watched;
	hs_seccomp_planner planner =
		ctx->planner ? ctx->planner : hs_plan_seccomp;
	int ret;

	hs_caps_names(bounding, &caps);
	rctx.caps = caps.list;
	if (planner(policy, &rctx, ctx->planner_data, &plan, err) < 0)
		return -1;
	/* A copy: the plan's profile may be a cache's. The digest stays the
	 * plan's: the monitor's rule answers as the filter would. */
	seccomp = json_deep_copy(plan.resolved);
	if (!seccomp || json_object_set_new(lnx, "seccomp", seccomp) < 0)
		ret = hs_err(err, ENOMEM, "%s: out of memory", file);
	else if (monitor(seccomp, ctx, &watched, file, err) < 0)
		ret = -1;
	else
		ret = set_annotations(spec, policy, plan.digest, watched, file,
				      err);
	hs_plan_free(&plan);
	return ret;
}

int hs_spec_harden(json_t *spec, const struct hs_policy *policy,
		   const struct hs_harden_ctx *ctx, const char *file,
		   struct hs_error *err)
{
	struct hs_config defaults;
	const struct hs_config *cfg = ctx->cfg;
	struct hs_spec_pod pod;
	json_t *process, *lnx, *root;
	hs_capset_t bounding = 0;
	int ret = 0;

	if (!cfg) {
		hs_config_defaults(&defaults);
		cfg = &defaults;
	}
	if (!json_is_object(spec))
		return hs_json_err(err, file, "", "must be a JSON object");
	if (hs_spec_check_types(spec, file, err) < 0 ||
	    hs_spec_check_keys(spec, file, "", err) < 0)
		return -1;
	process = json_object_get(spec, "process");
	lnx = json_object_get(spec, "linux");
	if (!json_is_object(process))
		return hs_json_err(err, file, "process", "required object");
	if (!json_is_object(lnx))
		return hs_json_err(err, file, "linux", "required object");
	if (hs_spec_pod(spec, ctx, &pod, file, err) < 0)
		return -1;

	if (hs_spec_check_namespaces(lnx, policy, ctx, &pod, file, err) < 0)
		ret = -1;
	if (hs_spec_check_mounts(spec, policy, cfg, &pod, file, err) < 0)
		ret = -1;
	if (hs_spec_check_hooks(spec, cfg, ctx->hook_path, file, err) < 0)
		ret = -1;
	if (hs_spec_check_linux(lnx, policy, cfg, file, err) < 0)
		ret = -1;
	if (hs_spec_check_apparmor(process, policy, file, "process", err) < 0)
		ret = -1;
	if (hs_spec_harden_user(process, policy, file, "process", ctx->narrowed,
				err) < 0)
		ret = -1;
	if (hs_spec_harden_caps(process, policy, file, "process", &bounding,
				ctx->narrowed, err) < 0)
		ret = -1;
	if (ret < 0) {
		if (looks_privileged(spec))
			hs_err_context(err, "privileged container "
					    "(securityContext.privileged)");
		return -1;
	}

	if (!json_is_true(json_object_get(process, "noNewPrivileges")))
		hs_spec_note(ctx->narrowed, "no_new_privs forced");
	if (json_object_get(lnx, "seccomp"))
		hs_spec_note(ctx->narrowed,
			     "the requested seccomp profile replaced by policy "
			     "\"%s\"'s",
			     policy->name);
	if (policy->audit)
		hs_spec_note(ctx->narrowed, "audit mode: seccomp denials "
					    "logged, not enforced");
	if (json_object_set_new(process, "noNewPrivileges", json_true()) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	if (add_paths(lnx, "maskedPaths", hs_standard_masked_paths,
		      policy->masked_paths, file, err) < 0 ||
	    add_paths(lnx, "readonlyPaths", hs_standard_readonly_paths,
		      policy->readonly_paths, file, err) < 0)
		return -1;
	if (policy->readonly_rootfs) {
		root = hs_spec_object_child(spec, "root");
		if (!root)
			return hs_json_err(err, file, "root",
					   "must be an object");
		json_object_set_new(root, "readonly", json_true());
	}
	if (hs_spec_inject_hooks(spec, policy, ctx, file, err) < 0)
		return -1;
	return set_seccomp(spec, lnx, policy, bounding, ctx, file, err);
}
