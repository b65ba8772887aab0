/* Re-attesting running containers; see hs_verify.h.
 *
 * Trust: runc's state.json is runc's, in its root-only directory, but the
 * labels in it are the tenant's annotations, and the policy named there is
 * believed only because the wrapper overwrote that annotation. The
 * bundle's config.json is what the wrapper wrote, and is used only when it
 * names the same policy and digest as runc's record. The process is the
 * tenant's: it is reached through a pidfd, and its start time must be the
 * one runc recorded, so a recycled pid is never attested in its place.
 *
 * Order: what needs only the pid (the status) first, then what needs the
 * spec (the filter, the credentials), then what needs the policy file
 * (drift, the table). Every check runs even when an earlier one failed, so
 * that one report shows everything wrong with a container; a check whose
 * input is missing is left out, since the failure that took the input away
 * has already been reported. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_attest.h"
#include "hs_bpf.h"
#include "hs_caps.h"
#include "hs_cleanup.h"
#include "hs_event.h"
#include "hs_monitor.h"
#include "hs_netns.h"
#include "hs_nft.h"
#include "hs_plan.h"
#include "hs_policy.h"
#include "hs_proc.h"
#include "hs_seccomp.h"
#include "hs_select.h"
#include "hs_spec.h"
#include "hs_state.h"
#include "hs_verify.h"

/* verify_one's third outcome: nothing to check (not running). */
#define VERIFY_SKIPPED 2

struct target {
	const struct hs_config *cfg;
	const char *root, *id;
	json_t *events;
	struct hs_runc_state rs;
	const char *policy, *digest; /* runc's record of the annotations */
	const char *pod_ns, *pod_name;
	int pidfd;
	json_t *spec; /* NULL when missing or not the wrapper's */
	struct hs_expect expect;
	bool have_expect;
	bool fatal; /* out of memory, or stuck in another netns */
};

/* Appends one event; `extra` (consumed, may be NULL) adds fields after
 * "check". */
static void add_event(struct target *t, const char *type, const char *check,
		      const char *reason, json_t *extra)
{
	_cleanup_json_ json_t *fields = json_pack("{s:s}", "check", check);
	struct hs_event ev = {
		.type = type,
		.id = t->id,
		.pod_namespace = t->pod_ns,
		.pod_name = t->pod_name,
		.policy = t->policy,
		.digest = t->digest,
		.pid = t->rs.pid,
		.reason = reason,
	};
	json_t *line;

	if (fields && extra)
		json_object_update(fields, extra);
	json_decref(extra);
	ev.extra = fields;
	line = fields ? hs_event_json(&ev) : NULL;
	if (!line || json_array_append_new(t->events, line) < 0)
		t->fatal = true;
}

static bool id_valid(const char *id)
{
	return *id && strlen(id) <= HS_ID_MAX && !strchr(id, '/') &&
	       strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

/* runc's record, and its init process held by a pidfd. */
static int load_state(struct target *t, int rootfd, struct hs_error *err)
{
	_cleanup_close_ int cfd = -1;
	_cleanup_json_ json_t *json = NULL;
	char display[HS_PATH_MAX];
	struct stat st;
	uint64_t start;
	char state;

	if (!id_valid(t->id))
		return hs_err(err, EINVAL, "container id \"%s\" is invalid",
			      t->id);
	cfd = openat(rootfd, t->id,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (cfd < 0)
		return hs_err(err, ENOENT, "container \"%s\" not found in %s",
			      t->id, t->root);
	if (hs_snprintf(display, sizeof(display), "%s/%s/state.json", t->root,
			t->id) < 0)
		return hs_err(err, ENAMETOOLONG, "runc root path too long");
	json = hs_json_load_at(cfd, "state.json", display,
			       HS_CONFIG_JSON_MAX_BYTES, err);
	if (!json || hs_state_parse_runc(json, display, &t->rs, err) < 0)
		return -1;
	if (strcmp(t->rs.id, t->id) != 0)
		return hs_err(err, EINVAL,
			      "%s: id \"%s\" is not the directory's", display,
			      t->rs.id);
	/* runc keeps exec.fifo until `runc start`: the init process waits
	 * on it, and with no_new_privs has not loaded the filter yet. */
	if (fstatat(cfd, "exec.fifo", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		hs_err(err, EAGAIN,
		       "container \"%s\" is created, not started: nothing to "
		       "verify yet",
		       t->id);
		return VERIFY_SKIPPED;
	}
	t->pidfd = hs_proc_pidfd_open(t->rs.pid, err);
	if (t->pidfd < 0 && err->errnum == ESRCH) {
		hs_err_context(err, "container \"%s\" is not running", t->id);
		return VERIFY_SKIPPED;
	}
	if (t->pidfd < 0 ||
	    hs_proc_stat(t->rs.pid, t->pidfd, &state, &start, err) < 0)
		return -1;
	if (state == 'Z' || state == 'X') {
		hs_err(err, ESRCH,
		       "container \"%s\" is not running: pid %d has exited",
		       t->id, t->rs.pid);
		return VERIFY_SKIPPED;
	}
	if (start != t->rs.start_time) {
		hs_err(err, ESRCH,
		       "container \"%s\" is not running: pid %d is another "
		       "process now",
		       t->id, t->rs.pid);
		return VERIFY_SKIPPED;
	}
	return 0;
}

/* The bundle's config.json, used only when it records what runc does. */
static void load_spec(struct target *t)
{
	struct hs_error err = {0};
	_cleanup_close_ int dirfd = -1;
	_cleanup_json_ json_t *spec = NULL;
	const json_t *ann;
	const char *policy, *digest;
	char display[HS_PATH_MAX];

	snprintf(display, sizeof(display), "%s/config.json", t->rs.bundle);
	dirfd = open(t->rs.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hs_err(&err, errno, "bundle %s: %s", t->rs.bundle,
		       strerror(errno));
		add_event(t, HS_EVENT_VERIFY, "spec", err.msg, NULL);
		return;
	}
	spec = hs_json_load_at(dirfd, "config.json", display,
			       HS_CONFIG_JSON_MAX_BYTES, &err);
	if (!spec) {
		add_event(t, HS_EVENT_VERIFY, "spec", err.msg, NULL);
		return;
	}
	ann = json_object_get(spec, "annotations");
	policy = json_string_value(json_object_get(ann, HS_ANNOTATION_POLICY));
	digest = json_string_value(json_object_get(ann, HS_ANNOTATION_DIGEST));
	if (!policy || !digest || strcmp(policy, t->policy) != 0 ||
	    strcmp(digest, t->digest) != 0) {
		hs_err(&err, EPERM,
		       "%s: its policy and digest are not the ones runc "
		       "recorded at start",
		       display);
		add_event(t, HS_EVENT_VERIFY, "spec", err.msg, NULL);
		return;
	}
	if (hs_attest_expect_from_spec(spec, display, &t->expect, &err) < 0) {
		add_event(t, HS_EVENT_VERIFY, "spec", err.msg, NULL);
		return;
	}
	t->have_expect = true;
	t->spec = hs_steal_ptr(spec);
}

/* Seccomp mode and filter count, then the credentials. */
static int check_status(struct target *t, struct hs_proc_status *ps,
			struct hs_error *err)
{
	struct hs_proc_status copy;
	struct hs_error lerr = {0};

	if (hs_proc_read_status(t->rs.pid, t->pidfd, ps, err) < 0)
		return -1;
	/* runc loads one filter; a second one, stacked by the workload,
	 * could only narrow, but a count that differs from the start is not
	 * what was attested. Kernels before 5.9 do not show the count. */
	if (ps->seccomp != 2 ||
	    (ps->seccomp_filters >= 0 && ps->seccomp_filters != 1)) {
		hs_err(&lerr, EPERM,
		       "pid %d: Seccomp is %d with %d filters, expected 2 "
		       "(filter) with 1",
		       t->rs.pid, ps->seccomp, ps->seccomp_filters);
		add_event(t, HS_EVENT_VERIFY, "seccomp-mode", lerr.msg,
			  json_pack("{s:i,s:i}", "mode", ps->seccomp, "filters",
				    ps->seccomp_filters));
		lerr = (struct hs_error){0};
	}
	if (!t->have_expect)
		return 0;
	/* hs_attest_check stops at its first failure and looks at the mode
	 * first; the mode has its own event above, so the credentials are
	 * judged on their own. */
	copy = *ps;
	copy.seccomp = 2;
	if (hs_attest_check(&copy, &t->expect, t->rs.pid, &lerr) < 0)
		add_event(t, HS_EVENT_VERIFY, "process", lerr.msg, NULL);
	return 0;
}

/* libseccomp's program for the spec's linux.seccomp, into a buffer. */
static struct sock_filter *compile_spec(const json_t *seccomp, size_t *ret_n,
					struct hs_error *err)
{
	_cleanup_close_ int mfd = memfd_create("hardshim-verify", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *prog = NULL;
	size_t n = 0;

	if (mfd < 0)
		return hs_err(err, errno, "memfd_create: %s", strerror(errno)),
		       NULL;
	if (hs_seccomp_compile(seccomp, mfd, &n, err) < 0)
		return NULL;
	if (n == 0 || n > HS_BPF_MAX_INSNS)
		return hs_err(err, E2BIG,
			      "the spec's filter has %zu instructions, not "
			      "1 to %d",
			      n, HS_BPF_MAX_INSNS),
		       NULL;
	prog = calloc(n, sizeof(*prog));
	if (!prog)
		return hs_err(err, ENOMEM, "out of memory"), NULL;
	if (pread(mfd, prog, n * sizeof(*prog), 0) !=
	    (ssize_t)(n * sizeof(*prog)))
		return hs_err(err, EIO, "memfd: short read"), NULL;
	*ret_n = n;
	return hs_steal_ptr(prog);
}

/* The installed filter against the one the spec compiles to. */
static void check_filter(struct target *t)
{
	const json_t *seccomp =
		json_object_get(json_object_get(t->spec, "linux"), "seccomp");
	_cleanup_free_ struct sock_filter *want = NULL, *have = NULL;
	struct hs_error lerr = {0};
	struct hs_bpf_match m;
	size_t n_want = 0, n_have = 0;

	if (!seccomp) {
		add_event(t, HS_EVENT_VERIFY, "seccomp-filter",
			  "config.json has no linux.seccomp", NULL);
		return;
	}
	want = compile_spec(seccomp, &n_want, &lerr);
	have = calloc(HS_BPF_MAX_INSNS, sizeof(*have));
	if (!want || !have) {
		add_event(t, HS_EVENT_VERIFY, "seccomp-filter",
			  want ? "out of memory" : lerr.msg, NULL);
		return;
	}
	if (hs_proc_seccomp_filter(t->rs.pid, t->pidfd, have, &n_have, &lerr) <
	    0) {
		add_event(t, HS_EVENT_VERIFY, "seccomp-filter", lerr.msg, NULL);
		return;
	}
	if (hs_bpf_match_runc(have, n_have, want, n_want, &m, &lerr) < 0)
		add_event(t, HS_EVENT_VERIFY, "seccomp-filter", lerr.msg,
			  json_pack("{s:i,s:i,s:i,s:s,s:s}", "installedInsns",
				    (int)n_have, "expectedInsns", (int)n_want,
				    "stubInsns", (int)m.stub_insns,
				    "installedDigest", m.installed,
				    "expectedDigest", m.expected));
}

/* The spec's linux.seccomp against the policy's resolved profile, with the
 * monitor's rule added as the wrapper adds it when the container was
 * started with the monitor answering (the annotation says "notify"). */
static bool same_filter(const struct target *t, const json_t *in_spec,
			const json_t *resolved)
{
	const char *watched = json_string_value(
		json_object_get(json_object_get(t->spec, "annotations"),
				HS_ANNOTATION_MONITOR));
	_cleanup_json_ json_t *expected = json_deep_copy(resolved);
	struct hs_error ignored = {0};
	size_t n;

	if (!expected)
		return false;
	if (watched && strcmp(watched, "notify") == 0 &&
	    hs_monitor_add_notify(expected, t->cfg->monitor.socket, &n,
				  &ignored) < 0)
		return false;
	return json_equal((json_t *)in_spec, expected);
}

/* Drift: the policy file, planned again as the wrapper planned it at start
 * (shim/spec/harden.c set_seccomp: this node, the container's bounding
 * set), must still give the digest the container records. Returns 1 with
 * *p loaded when the policy could be read. */
static int check_drift(struct target *t, struct hs_policy *p,
		       struct hs_error *err)
{
	struct hs_resolve_ctx rctx = {0};
	struct hs_caps_names caps;
	struct hs_seccomp_plan plan;
	struct hs_error lerr = {0};
	const json_t *in_spec;

	if (hs_policy_load(t->cfg, t->policy, p, &lerr) < 0) {
		add_event(t, HS_EVENT_DRIFT, "policy", lerr.msg, NULL);
		return 0;
	}
	if (!t->have_expect)
		return 1;
	if (hs_profile_node_ctx(&rctx, err) < 0) {
		hs_policy_free(p);
		return -1;
	}
	hs_caps_names(t->expect.bnd, &caps);
	rctx.caps = caps.list;
	if (hs_plan_seccomp(p, &rctx, NULL, &plan, &lerr) < 0) {
		add_event(t, HS_EVENT_DRIFT, "policy", lerr.msg, NULL);
		return 1;
	}
	in_spec = json_object_get(json_object_get(t->spec, "linux"), "seccomp");
	if (strcmp(plan.digest, t->digest) != 0) {
		hs_err(&lerr, EPERM,
		       "policy \"%s\" has changed since the container "
		       "started: digest %.12s now, %.12s then",
		       t->policy, plan.digest, t->digest);
		add_event(t, HS_EVENT_DRIFT, "policy", lerr.msg,
			  json_pack("{s:s}", "currentDigest", plan.digest));
	} else if (!same_filter(t, in_spec, plan.resolved)) {
		/* Same digest, another filter: config.json was edited. */
		add_event(t, HS_EVENT_VERIFY, "spec",
			  "config.json's linux.seccomp is not what its "
			  "policy resolves to",
			  NULL);
	}
	hs_plan_free(&plan);
	return 1;
}

/* The table in the container's network namespace, against the digest of
 * the policy's network part as the poststart hook computes it (over the
 * ranges the config's network names stand for now). */
static int check_table(struct target *t, const struct hs_policy *p,
		       struct hs_error *err)
{
	_cleanup_close_ int own = -1;
	struct hs_nft_table_info info = {0};
	struct hs_error lerr = {0};
	struct hs_netpol np;
	int r;

	if (!p->has_network)
		return 0;
	if (hs_netpol_load(p->network_path, &t->cfg->networks, &np, &lerr) <
	    0) {
		add_event(t, HS_EVENT_DRIFT, "nft-table", lerr.msg, NULL);
		return 0;
	}
	own = hs_netns_open_own(err);
	if (own < 0) {
		hs_netpol_free(&np);
		return -1;
	}
	r = hs_netns_enter_pid(t->pidfd, t->rs.pid,
			       t->spec ? hs_spec_netns_path(t->spec) : NULL,
			       &lerr);
	if (r == 0)
		r = hs_nft_table_get(&info, &lerr);
	/* Back home whatever happened: enter_pid may have entered before
	 * it refused. */
	if (hs_netns_return(own, err) < 0) {
		t->fatal = true;
		hs_netpol_free(&np);
		return -1;
	}
	if (r < 0)
		add_event(t, HS_EVENT_VERIFY, "nft-table", lerr.msg, NULL);
	else if (!info.present)
		add_event(t, HS_EVENT_VERIFY, "nft-table",
			  "no table inet " HS_NFT_TABLE
			  " in the container's network namespace",
			  NULL);
	else if (strcmp(info.digest, np.digest) != 0)
		add_event(t, HS_EVENT_VERIFY, "nft-table",
			  "table inet " HS_NFT_TABLE
			  " holds another policy than the container's",
			  json_pack("{s:s,s:s}", "tableDigest", info.digest,
				    "expectedDigest", np.digest));
	hs_netpol_free(&np);
	return 0;
}

static int run_checks(struct target *t, struct hs_error *err)
{
	struct hs_proc_status ps;
	struct hs_policy p;
	int have_policy;

	t->policy = json_string_value(
		json_object_get(t->rs.annotations, HS_ANNOTATION_POLICY));
	t->digest = json_string_value(
		json_object_get(t->rs.annotations, HS_ANNOTATION_DIGEST));
	hs_select_pod_names(t->rs.annotations, &t->pod_ns, &t->pod_name);
	if (!t->policy || !t->digest) {
		add_event(
			t, HS_EVENT_VERIFY, "hardened",
			"not started through hardshim: no " HS_ANNOTATION_POLICY
			" or " HS_ANNOTATION_DIGEST " annotation",
			NULL);
		return 0;
	}
	load_spec(t);
	if (check_status(t, &ps, err) < 0)
		return -1;
	if (t->spec && ps.seccomp == 2)
		check_filter(t);
	have_policy = check_drift(t, &p, err);
	if (have_policy < 0)
		return -1;
	if (have_policy) {
		int r = check_table(t, &p, err);

		hs_policy_free(&p);
		if (r < 0)
			return -1;
	}
	/* The process must have lived through every check: otherwise what
	 * was read may be a recycled pid's. */
	if (hs_proc_alive(t->pidfd) < 0)
		return hs_err(err, ESRCH,
			      "container \"%s\": pid %d exited during "
			      "verification",
			      t->id, t->rs.pid);
	return 0;
}

/* 0 clean, 1 events appended, -1 error, VERIFY_SKIPPED not running,
 * HS_VERIFY_FATAL. */
static int verify_one(const struct hs_config *cfg, int rootfd, const char *root,
		      const char *id, json_t *events, struct hs_error *err)
{
	struct target t = {
		.cfg = cfg,
		.root = root,
		.id = id,
		.events = events,
		.pidfd = -1,
	};
	size_t before = json_array_size(events);
	int r = load_state(&t, rootfd, err);

	if (r == 0)
		r = run_checks(&t, err);
	if (t.fatal && r == 0)
		r = hs_err(err, ENOMEM, "container \"%s\": out of memory", id);
	if (t.fatal)
		r = HS_VERIFY_FATAL;
	json_decref(t.spec);
	hs_state_free_runc(&t.rs);
	if (t.pidfd >= 0)
		close(t.pidfd);
	if (r != 0)
		return r;
	return json_array_size(events) > before ? 1 : 0;
}

static int open_root(const char *root, struct hs_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return hs_err(err, errno, "runc root %s: %s", root,
			      strerror(errno));
	return fd;
}

int hs_verify_container(const struct hs_config *cfg, const char *root,
			const char *id, json_t *events, struct hs_error *err)
{
	_cleanup_close_ int rootfd = open_root(root, err);
	int r;

	if (rootfd < 0)
		return -1;
	r = verify_one(cfg, rootfd, root, id, events, err);
	return r == VERIFY_SKIPPED ? -1 : r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* The names of the directories under the root, sorted. */
static int list_root(int rootfd, const char *root, char ***ret, size_t *ret_n,
		     struct hs_error *err)
{
	int dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int ret_code = 0;

	if (!dir) {
		if (dfd >= 0)
			close(dfd);
		return hs_err(err, errno, "runc root %s: %s", root,
			      strerror(errno));
	}
	names = calloc(HS_VERIFY_MAX_CONTAINERS, sizeof(*names));
	while (names && (de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (n == HS_VERIFY_MAX_CONTAINERS) {
			ret_code = hs_err(err, E2BIG,
					  "runc root %s: more than the limit "
					  "of %d containers",
					  root, HS_VERIFY_MAX_CONTAINERS);
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret_code = hs_err(err, ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(dir);
	if (!names)
		return hs_err(err, ENOMEM, "out of memory");
	if (ret_code < 0) {
		free_names(names, n);
		return -1;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	return 0;
}

int hs_verify_root(const struct hs_config *cfg, const char *root,
		   json_t *events, size_t *ret_checked, struct hs_error *err)
{
	_cleanup_close_ int rootfd = open_root(root, err);
	char **names = NULL;
	size_t n = 0, i;
	int ret = 0;

	*ret_checked = 0;
	if (rootfd < 0 || list_root(rootfd, root, &names, &n, err) < 0)
		return -1;
	for (i = 0; i < n && ret >= 0; i++) {
		struct hs_error one = {0};
		int r = verify_one(cfg, rootfd, root, names[i], events, &one);

		/* Deleted since the listing, or not running: nothing to
		 * attest. */
		if (r == VERIFY_SKIPPED || (r < 0 && one.errnum == ENOENT))
			continue;
		(*ret_checked)++;
		if (r == HS_VERIFY_FATAL) {
			*err = one;
			ret = r;
		} else if (r < 0) {
			struct hs_event ev = {.type = HS_EVENT_VERIFY,
					      .id = names[i],
					      .reason = one.msg};
			_cleanup_json_ json_t *x =
				json_pack("{s:s}", "check", "state");
			json_t *line;

			ev.extra = x;
			line = x ? hs_event_json(&ev) : NULL;
			if (!line || json_array_append_new(events, line) < 0) {
				hs_err(err, ENOMEM, "out of memory");
				ret = HS_VERIFY_FATAL;
			} else {
				ret = 1;
			}
		} else if (r == 1) {
			ret = 1;
		}
	}
	free_names(names, n);
	return ret;
}
