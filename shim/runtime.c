/* The runtime wrapper (the nvidia-container-runtime pattern).
 *
 * Phases, in this order, so that nothing is half-applied:
 *   1. parse argv and the config (no side effects);
 *   2. check the real runtime exists, before the bundle is touched;
 *   3. plan: read config.json through the bundle dirfd, select the policy,
 *      harden a copy in memory, compile its seccomp profile;
 *   4. apply: one atomic rename of config.json, one decision log line;
 *   5. exec the runtime with the original argv. If exec itself fails, the
 *      original bytes of config.json are put back.
 * Any failure before 4 leaves the bundle byte-for-byte unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cache.h"
#include "hs_cleanup.h"
#include "hs_config.h"
#include "hs_event.h"
#include "hs_log.h"
#include "hs_monitor.h"
#include "hs_runtime.h"
#include "hs_runtime_args.h"
#include "hs_select.h"
#include "hs_spec.h"

#define RUNC_DEFAULT_ROOT "/run/runc"

extern char **environ;

struct wrapper {
	int argc;
	char **argv; /* the runtime's argv, argv[0] replaced */
	struct hs_runtime_args args;
	struct hs_config cfg;
	bool have_cfg;
	struct hs_policy policy;
	bool have_policy;
	char digest[HS_DIGEST_HEX_LEN + 1]; /* recorded in the hardened spec */
	/* The pod's, from the spec's annotations, for the decision log: a
	 * copy, since the spec is freed before a refusal is logged. */
	char pod_namespace[HS_POD_NAME_MAX + 1], pod_name[HS_POD_NAME_MAX + 1];
	struct hs_cache cache;
};

/* podman names the runtime in front of what its conmon read from the
 * runtime's stderr ("OCI runtime error: hardshim: ..."), so there the line
 * goes without a prefix of its own. podman is the engine that gives its
 * conmon, and so the runtime, _CONTAINERS_ROOTLESS_UID (empty when root);
 * the subcommands podman runs itself (start, kill, delete) do not get it,
 * and podman prints their stderr as it is. */
static const char *stderr_prefix(void)
{
	return secure_getenv("_CONTAINERS_ROOTLESS_UID") ? "" : "hardshim: ";
}

/* One line on stderr, and in the runtime's JSON log when the engine asked
 * for one: that is the only place containerd shows the reason. */
static int refuse(struct wrapper *w, struct hs_error *err, const char *action)
{
	struct hs_error ignored = {0};

	fprintf(stderr, "%s%s\n", stderr_prefix(), err->msg);
	if (w->args.log && w->args.log_format &&
	    strcmp(w->args.log_format, "json") == 0) {
		char msg[HS_ERR_MSG_MAX + 16];

		snprintf(msg, sizeof(msg), "hardshim: %s", err->msg);
		hs_log_runtime_error(w->args.log, msg, &ignored);
	}
	if (w->have_cfg && w->cfg.decision_log[0]) {
		struct hs_decision d = {
			.action = action,
			.id = w->args.id,
			.pod_namespace =
				w->pod_namespace[0] ? w->pod_namespace : NULL,
			.pod_name = w->pod_name[0] ? w->pod_name : NULL,
			.policy = w->have_policy ? w->policy.name : NULL,
			.digest = w->digest[0] ? w->digest : NULL,
			.result = "refused",
			.reason = err->msg,
		};

		hs_log_decision(w->cfg.decision_log, &d, &ignored);
	}
	return 1;
}

static int check_runtime(const struct hs_config *cfg, struct hs_error *err)
{
	struct stat st;

	if (stat(cfg->runtime, &st) < 0)
		return hs_err(err, errno, "runtime %s: %s", cfg->runtime,
			      strerror(errno));
	if (!S_ISREG(st.st_mode) || access(cfg->runtime, X_OK) < 0)
		return hs_err(err, EACCES, "runtime %s: not an executable file",
			      cfg->runtime);
	/* Whoever can replace the runtime runs every container as root. */
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return hs_err(err, EPERM,
			      "runtime %s: not owned by root or writable by "
			      "others, refused",
			      cfg->runtime);
	return 0;
}

static int exec_runtime(struct wrapper *w, struct hs_error *err)
{
	w->argv[0] = (char *)w->cfg.runtime;
	execve(w->cfg.runtime, w->argv, environ);
	return hs_err(err, errno, "exec %s: %s", w->cfg.runtime,
		      strerror(errno));
}

int hs_runtime_harden_ctx(struct hs_harden_ctx *ctx,
			  const struct hs_config *cfg, char *self, size_t size,
			  struct hs_error *err)
{
	ssize_t n;

	memset(ctx, 0, sizeof(*ctx));
	if (hs_profile_node_ctx(&ctx->node, err) < 0)
		return -1;
	/* The hooks run this very binary, by its resolved absolute path. */
	n = readlink("/proc/self/exe", self, size - 1);
	if (n < 0)
		return hs_err(err, errno, "/proc/self/exe: %s",
			      strerror(errno));
	self[n] = '\0';
	ctx->hook_path = self;
	ctx->cfg = cfg;
	ctx->config_path = cfg->path;
	ctx->hook_timeout = cfg->hook_timeout;
	return 0;
}

/* Whether the escape syscalls go to the monitor: the config's mode
 * decides what a monitor that does not answer means. */
static int watch(const struct hs_monitor_config *m, struct hs_harden_ctx *ctx,
		 struct hs_error *err)
{
	struct hs_error why = {0};

	if (m->mode == HS_MONITOR_OFF)
		return 0;
	if (hs_monitor_probe(m->socket, &why) == 0) {
		ctx->monitor_socket = m->socket;
		return 0;
	}
	if (m->mode == HS_MONITOR_REQUIRED)
		return hs_err(err, EHOSTDOWN,
			      "monitor \"required\" by the config: %s, start "
			      "refused",
			      why.msg);
	ctx->unmonitored = true;
	return 0;
}

/* hs_runtime_harden_ctx, planning through the cache. */
static int wrapper_harden_ctx(struct wrapper *w, struct hs_harden_ctx *ctx,
			      char *self, size_t size, struct hs_error *err)
{
	if (hs_runtime_harden_ctx(ctx, &w->cfg, self, size, err) < 0)
		return -1;
	w->cache.dir = w->cfg.cache_dir;
	ctx->container_id = w->args.id;
	ctx->runtime_root = w->args.root;
	ctx->planner = hs_cache_plan_seccomp;
	ctx->planner_data = &w->cache;
	return watch(&w->cfg.monitor, ctx, err);
}

static void copy_pod_names(struct wrapper *w, const json_t *annotations)
{
	const char *ns, *name;

	hs_select_pod_names(annotations, &ns, &name);
	snprintf(w->pod_namespace, sizeof(w->pod_namespace), "%s",
		 ns ? ns : "");
	snprintf(w->pod_name, sizeof(w->pod_name), "%s", name ? name : "");
}

/* A container the monitor will not hear from: it did not answer at start,
 * or the profile left it nothing to answer. */
static bool unmonitored(const json_t *spec)
{
	const char *v = json_string_value(json_object_get(
		json_object_get(spec, "annotations"), HS_ANNOTATION_MONITOR));

	return v && strcmp(v, "unmonitored") == 0;
}

static int harden_bundle(struct wrapper *w, struct hs_error *err)
{
	const char *bundle = w->args.bundle ? w->args.bundle : ".";
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *original = NULL;
	_cleanup_json_ json_t *spec = NULL;
	_cleanup_json_ json_t *narrowed = json_array();
	struct hs_harden_ctx ctx;
	char display[HS_PATH_MAX], self[PATH_MAX];
	size_t len = 0;

	if (hs_snprintf(display, sizeof(display), "%s/config.json", bundle) < 0)
		return hs_err(err, ENAMETOOLONG, "bundle path too long");
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return hs_err(err, errno, "bundle %s: %s", bundle,
			      strerror(errno));
	original = hs_file_read_at(dirfd, "config.json", display,
				   HS_CONFIG_JSON_MAX_BYTES, &len, err);
	if (!original)
		return -1;
	spec = hs_json_load_buffer(original, len, display, err);
	if (!spec)
		return -1;
	if (!json_is_object(spec))
		return hs_err(err, EINVAL, "%s: must be a JSON object",
			      display);
	copy_pod_names(w, json_object_get(spec, "annotations"));
	if (hs_select_policy(&w->cfg, json_object_get(spec, "annotations"),
			     &w->policy, err) < 0)
		return hs_err_context(err, "%s", display);
	w->have_policy = true;
	if (wrapper_harden_ctx(w, &ctx, self, sizeof(self), err) < 0)
		return -1;
	ctx.narrowed = narrowed;
	if (hs_spec_harden(spec, &w->policy, &ctx, display, err) < 0)
		return -1;
	/* A copy: the spec is freed before a refusal is logged. */
	snprintf(w->digest, sizeof(w->digest), "%s",
		 json_string_value(
			 json_object_get(json_object_get(spec, "annotations"),
					 HS_ANNOTATION_DIGEST)));

	if (hs_json_write_at(dirfd, "config.json", spec, err) < 0)
		return -1;
	if (w->cfg.decision_log[0]) {
		struct hs_error ignored = {0};
		struct hs_decision d = {
			.action = w->argv[w->args.sub_index],
			.id = w->args.id,
			.pod_namespace =
				w->pod_namespace[0] ? w->pod_namespace : NULL,
			.pod_name = w->pod_name[0] ? w->pod_name : NULL,
			.policy = w->policy.name,
			.digest = w->digest[0] ? w->digest : NULL,
			.result = "hardened",
			.narrowed = narrowed,
		};

		hs_log_decision(w->cfg.decision_log, &d, &ignored);
		if (unmonitored(spec)) {
			d.type = HS_EVENT_UNMONITORED;
			d.result = NULL;
			d.narrowed = NULL;
			d.reason = "escape syscalls are refused by the filter "
				   "alone, and not reported";
			hs_log_decision(w->cfg.decision_log, &d, &ignored);
		}
	}
	exec_runtime(w, err);
	/* Still here: the runtime could not be started. Put the original
	 * bytes back so that a failed start changes nothing. */
	hs_file_write_at(dirfd, "config.json", original, len,
			 &(struct hs_error){0});
	return -1;
}

/* The policy recorded for a running container, from runc's own state:
 * runc keeps the spec's annotations as "key=value" labels. */
static int recorded_policy(struct wrapper *w, struct hs_error *err)
{
	const char *root = w->args.root ? w->args.root : RUNC_DEFAULT_ROOT;
	_cleanup_close_ int rootfd = -1, cfd = -1;
	_cleanup_json_ json_t *state = NULL;
	const char *prefix = HS_ANNOTATION_POLICY "=";
	const char *name = NULL;
	const json_t *labels;
	size_t i;
	json_t *l;

	/* The id names a directory: no "/", no "." or "..". */
	if (strchr(w->args.id, '/') || strcmp(w->args.id, ".") == 0 ||
	    strcmp(w->args.id, "..") == 0)
		return hs_err(err, EINVAL, "container id \"%s\" is invalid",
			      w->args.id);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		cfd = openat(rootfd, w->args.id,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (cfd < 0)
		return hs_err(err, ENOENT, "container \"%s\" not found in %s",
			      w->args.id, root);
	state = hs_json_load_at(cfd, "state.json", "runc state.json",
				HS_CONFIG_JSON_MAX_BYTES, err);
	if (!state)
		return -1;
	labels = json_object_get(json_object_get(state, "config"), "labels");
	json_array_foreach (labels, i, l) {
		const char *s = json_string_value(l);

		if (!s || strncmp(s, prefix, strlen(prefix)) != 0)
			continue;
		if (name)
			return hs_err(err, EINVAL,
				      "container \"%s\" records two policies",
				      w->args.id);
		name = s + strlen(prefix);
	}
	if (!name)
		return hs_err(err, EPERM,
			      "container \"%s\" was not started through "
			      "hardshim (no %s), exec refused",
			      w->args.id, HS_ANNOTATION_POLICY);
	if (hs_policy_load(&w->cfg, name, &w->policy, err) < 0)
		return -1;
	w->have_policy = true;
	return 0;
}

/* "--user uid[:gid]": numeric only, because a name would be resolved in
 * the container's /etc/passwd, which the tenant writes. */
static int narrow_exec_user(struct wrapper *w, struct hs_error *err)
{
	static char remapped[64];
	const char *v, *arg;
	char *end;
	unsigned long uid, gid = 0;
	uint32_t u, g;
	bool have_gid;

	if (w->args.user_index < 0)
		return 0;
	arg = v = w->argv[w->args.user_index];
	/* The index points at the value, or at "--user=V" itself. */
	if (w->args.user_inline)
		v = strchr(arg, '=') + 1;
	/* strtoul would take "-0", "+0" or " 0" too: digits only. */
	errno = 0;
	uid = *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : (end = NULL, 0);
	have_gid = end && *end == ':';
	if (have_gid && (end[1] < '0' || end[1] > '9'))
		end = NULL;
	else if (have_gid)
		gid = strtoul(end + 1, &end, 10);
	if (!end || errno || *end || uid > UINT32_MAX || gid > UINT32_MAX)
		return hs_err(err, EINVAL,
			      "exec --user \"%s\": only numeric uid[:gid] is "
			      "accepted",
			      v);
	u = (uint32_t)uid;
	g = (uint32_t)gid;
	/* Without a gid runc keeps the container's (already hardened) one. */
	if (!have_gid)
		g = w->policy.run_as_non_root ? w->policy.gid : 0;
	if (hs_spec_apply_user_rule(&w->policy, &u, &g, "exec", "--user", err) <
	    0)
		return -1;
	if (!have_gid && u == uid)
		return 0;
	snprintf(remapped, sizeof(remapped), "%s%u:%u",
		 w->args.user_inline ? "--user=" : "", u, g);
	w->argv[w->args.user_index] = remapped;
	return 0;
}

static int narrow_exec_process_file(struct wrapper *w, struct hs_error *err)
{
	char dir[HS_PATH_MAX];
	const char *base, *slash;
	_cleanup_close_ int dirfd = -1;
	_cleanup_json_ json_t *process = NULL;

	if (!w->args.process)
		return 0;
	slash = strrchr(w->args.process, '/');
	base = slash ? slash + 1 : w->args.process;
	if (hs_snprintf(dir, sizeof(dir), "%.*s",
			slash ? (int)(slash - w->args.process + 1) : 1,
			slash ? w->args.process : ".") < 0)
		return hs_err(err, ENAMETOOLONG, "--process path too long");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return hs_err(err, errno, "%s: %s", dir, strerror(errno));
	process = hs_json_load_at(dirfd, base, w->args.process,
				  HS_PROCESS_JSON_MAX_BYTES, err);
	if (!process)
		return -1;
	if (hs_spec_harden_process(process, &w->policy, w->args.process, "",
				   err) < 0)
		return -1;
	return hs_json_write_at(dirfd, base, process, err);
}

/* "--additional-gids 1,2": numbers only (runc would read "00" or "+0" as
 * group 0), and no group 0 under a non-root policy. */
static int check_gids(const struct hs_policy *p, const char *list,
		      struct hs_error *err)
{
	const char *s = list;

	do {
		char *end;
		unsigned long g;

		if (*s < '0' || *s > '9')
			return hs_err(err, EINVAL,
				      "exec --additional-gids \"%s\": only "
				      "decimal group ids are accepted",
				      list);
		errno = 0;
		g = strtoul(s, &end, 10);
		if (errno || g > UINT32_MAX || (*end && *end != ','))
			return hs_err(err, EINVAL,
				      "exec --additional-gids \"%s\": only "
				      "decimal group ids are accepted",
				      list);
		if (g == 0 && p->run_as_non_root)
			return hs_err(err, EPERM,
				      "exec --additional-gids with group 0 is "
				      "refused by policy \"%s\"",
				      p->name);
		s = *end ? end + 1 : end;
	} while (*s);
	return 0;
}

/* runc exec gives the new process whatever it asks for: capabilities
 * (--cap, or the --process JSON), user and no_new_privs. The container's
 * policy is applied to that request; flags that would widen it are
 * refused rather than quietly dropped. */
static int narrow_exec(struct wrapper *w, struct hs_error *err)
{
	int i;

	if (recorded_policy(w, err) < 0)
		return -1;
	if (!w->policy.allow_exec)
		return hs_err(err, EPERM,
			      "exec into containers is disabled by policy "
			      "\"%s\"",
			      w->policy.name);
	if (w->args.widening_flag)
		return hs_err(err, EPERM, "exec --%s is refused",
			      w->args.widening_name);
	if (w->args.no_new_privs && strcmp(w->args.no_new_privs, "true") != 0)
		return hs_err(err, EPERM, "exec --no-new-privs=%s is refused",
			      w->args.no_new_privs);
	for (i = 0; i < w->args.n_caps; i++) {
		int c = hs_caps_from_name(w->args.caps[i]);

		if (c < 0)
			return hs_err(err, EINVAL,
				      "exec --cap: unknown capability \"%s\"",
				      w->args.caps[i]);
		if (!(w->policy.cap_ceiling & ((hs_capset_t)1 << c)))
			return hs_err(err, EPERM,
				      "exec --cap %s: beyond the ceiling of "
				      "policy \"%s\", refused",
				      w->args.caps[i], w->policy.name);
	}
	for (i = 0; i < w->args.n_gids; i++)
		if (check_gids(&w->policy, w->args.additional_gids[i], err) < 0)
			return -1;
	if (narrow_exec_user(w, err) < 0)
		return -1;
	return narrow_exec_process_file(w, err);
}

int hs_runtime_main(int argc, char **argv)
{
	struct hs_error err = {0};
	struct wrapper w = {.argc = argc, .argv = argv};
	const char *action = "runtime";
	int ret;

	hs_json_trust_policy_files();
	if (hs_runtime_args_parse(argc, argv, &w.args, &err) < 0)
		return refuse(&w, &err, action);
	if (w.args.sub_index >= 0)
		action = argv[w.args.sub_index];
	if (hs_config_load(hs_config_path(), &w.cfg, &err) < 0)
		return refuse(&w, &err, action);
	w.have_cfg = true;
	if (check_runtime(&w.cfg, &err) < 0) {
		ret = refuse(&w, &err, action);
		goto out;
	}
	switch (w.args.sub) {
	case HS_SUB_CREATE:
	case HS_SUB_RUN:
	case HS_SUB_RESTORE:
		harden_bundle(&w, &err);
		break;
	case HS_SUB_EXEC:
		if (narrow_exec(&w, &err) == 0)
			exec_runtime(&w, &err);
		break;
	case HS_SUB_OTHER:
		exec_runtime(&w, &err);
		break;
	}
	ret = refuse(&w, &err, action);
out:
	if (w.have_policy)
		hs_policy_free(&w.policy);
	hs_config_free(&w.cfg);
	return ret;
}
