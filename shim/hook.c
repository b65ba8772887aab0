/* The hook stages (docs/design.md "Enforcement", steps 2 and 3).
 *
 * Trust: the state on stdin comes from the runtime, but its annotations
 * come from the tenant's spec, so the policy named there is only trusted
 * because the wrapper overwrote that annotation; the process the pid names
 * is the tenant's, so it is reached through a pidfd, which cannot be
 * recycled under us. The hook is one short-lived process: no threads, no
 * exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hs_attest.h"
#include "hs_cleanup.h"
#include "hs_config.h"
#include "hs_hook.h"
#include "hs_netns.h"
#include "hs_netpol.h"
#include "hs_nft.h"
#include "hs_policy.h"
#include "hs_proc.h"
#include "hs_spec.h"
#include "hs_state.h"

static int read_state(struct hs_state *st, struct hs_error *err)
{
	_cleanup_json_ json_t *json =
		hs_json_load_fd(STDIN_FILENO, "state", HS_STATE_MAX_BYTES, err);

	if (!json)
		return -1;
	return hs_state_parse(json, st, err);
}

static const char *state_annotation(const struct hs_state *st, const char *key)
{
	return json_string_value(json_object_get(st->annotations, key));
}

/* The container's policy, by the name the wrapper recorded. */
static int load_policy(const struct hs_state *st, struct hs_config *cfg,
		       struct hs_policy *p, struct hs_error *err)
{
	const char *name = state_annotation(st, HS_ANNOTATION_POLICY);

	if (!name)
		return hs_err(err, EPERM,
			      "container \"%s\" has no %s annotation: it was "
			      "not hardened by the wrapper",
			      st->id, HS_ANNOTATION_POLICY);
	if (hs_config_load(hs_config_path(), cfg, err) < 0)
		return -1;
	if (hs_policy_load(cfg, name, p, err) < 0) {
		hs_config_free(cfg);
		return -1;
	}
	return 0;
}

/* The bundle's config.json, as the wrapper wrote it. */
static json_t *load_bundle_spec(const struct hs_state *st, struct hs_error *err)
{
	_cleanup_close_ int dirfd = -1;
	char display[HS_PATH_MAX];

	snprintf(display, sizeof(display), "%s/config.json", st->bundle);
	dirfd = open(st->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		hs_err(err, errno, "bundle %s: %s", st->bundle,
		       strerror(errno));
		return NULL;
	}
	return hs_json_load_at(dirfd, "config.json", display,
			       HS_CONFIG_JSON_MAX_BYTES, err);
}

/* createRuntime/prestart: the tenant's network policy goes into the
 * container's network namespace before the workload runs. Plan first (the
 * policy compiled, the spec read), then enter, then one transaction. */
static int create_runtime(const struct hs_state *st, struct hs_error *err)
{
	_cleanup_close_ int pidfd = -1;
	_cleanup_json_ json_t *spec = NULL;
	struct hs_config cfg;
	struct hs_policy p;
	struct hs_netpol np;
	bool changed;
	int ret;

	if (st->pid <= 0)
		return hs_err(err, EINVAL, "state: pid required");
	pidfd = hs_proc_pidfd_open(st->pid, err);
	if (pidfd < 0)
		return -1;
	if (load_policy(st, &cfg, &p, err) < 0)
		return -1;
	if (!p.has_network) {
		ret = 0;
		goto out;
	}
	ret = -1;
	spec = load_bundle_spec(st, err);
	/* Names resolve against this config, the one poststart reads too:
	 * both compute the same digest unless an operator edits a range
	 * in between, and then the attestation refuses the container. */
	if (!spec ||
	    hs_netpol_load(p.network_path, &cfg.networks, &np, err) < 0)
		goto out;
	ret = hs_netns_enter_pid(pidfd, st->pid, hs_spec_netns_path(spec), err);
	if (ret == 0)
		ret = hs_nft_apply(&np, st->id, &changed, err);
	hs_netpol_free(&np);
out:
	hs_policy_free(&p);
	hs_config_free(&cfg);
	return ret;
}

/* poststart, second half: the table is in the container's namespace with
 * the digest of the policy it should hold, over the ranges the config's
 * network names stand for now. */
static int attest_network(const struct hs_state *st, int pidfd,
			  const json_t *spec, struct hs_error *err)
{
	struct hs_config cfg;
	struct hs_policy p;
	struct hs_netpol np;
	struct hs_nft_table_info info;
	int ret = -1;

	if (load_policy(st, &cfg, &p, err) < 0)
		return -1;
	if (!p.has_network) {
		ret = 0;
		goto out;
	}
	if (hs_netpol_load(p.network_path, &cfg.networks, &np, err) < 0)
		goto out;
	if (hs_netns_enter_pid(pidfd, st->pid, hs_spec_netns_path(spec), err) ==
		    0 &&
	    hs_nft_table_get(&info, err) == 0) {
		if (!info.present)
			hs_err(err, EPERM, "pid %d: no table inet %s", st->pid,
			       HS_NFT_TABLE);
		else if (strcmp(info.digest, np.digest) != 0)
			hs_err(err, EPERM,
			       "pid %d: table inet %s holds policy %.12s, not "
			       "%.12s",
			       st->pid, HS_NFT_TABLE, info.digest, np.digest);
		else
			ret = 0;
	}
	hs_netpol_free(&np);
out:
	hs_policy_free(&p);
	hs_config_free(&cfg);
	return ret;
}

/* poststart: the live process must show what the hardened spec promised.
 * The expectation is read from the bundle's config.json, which the
 * wrapper wrote, and must carry the same digest as the state. */
static int attest(const struct hs_state *st, struct hs_error *err)
{
	_cleanup_close_ int pidfd = -1;
	_cleanup_json_ json_t *spec = NULL;
	struct hs_proc_status ps;
	struct hs_expect e;
	const char *want, *have;

	if (st->pid <= 0)
		return hs_err(err, EINVAL, "state: pid required at poststart");
	spec = load_bundle_spec(st, err);
	if (!spec)
		return -1;
	want = json_string_value(json_object_get(
		json_object_get(spec, "annotations"), HS_ANNOTATION_DIGEST));
	have = state_annotation(st, HS_ANNOTATION_DIGEST);
	if (!want || !have || strcmp(want, have) != 0)
		return hs_err(err, EPERM,
			      "%s/config.json: policy digest does not match "
			      "the container's",
			      st->bundle);
	if (hs_attest_expect_from_spec(spec, st->bundle, &e, err) < 0)
		return -1;
	/* The pidfd is opened before /proc/PID is read and checked after:
	 * if the pid had been recycled in between, its process is gone. */
	pidfd = hs_proc_pidfd_open(st->pid, err);
	if (pidfd < 0 || hs_proc_read_status(st->pid, pidfd, &ps, err) < 0 ||
	    hs_attest_check(&ps, &e, st->pid, err) < 0)
		return -1;
	return attest_network(st, pidfd, spec, err);
}

/* poststop: no pid. A table in a namespace given by path outlives the
 * container; it belongs to the pod, so only the container that installed
 * it removes it (an init container that exits must leave it). A path with
 * nothing at it is success: podman removes the namespace, and the table in
 * it, before runc runs poststop. */
static int post_stop(const struct hs_state *st, struct hs_error *err)
{
	_cleanup_json_ json_t *spec = NULL;
	struct hs_config cfg;
	struct hs_policy p;
	const char *path;
	bool deleted;
	int ret = 0;

	if (load_policy(st, &cfg, &p, err) < 0)
		return -1;
	if (!p.has_network)
		goto out;
	ret = -1;
	spec = load_bundle_spec(st, err);
	if (!spec)
		goto out;
	path = hs_spec_netns_path(spec);
	ret = path ? hs_netns_enter_path(path, err) : HS_NETNS_GONE;
	/* A namespace already gone took its table with it: nothing is left
	 * to remove. Any other failure is still one. */
	if (ret == 0 && hs_nft_delete_if_owner(st->id, &deleted, err) < 0)
		ret = -1;
	else if (ret == HS_NETNS_GONE)
		ret = 0;
out:
	hs_policy_free(&p);
	hs_config_free(&cfg);
	return ret;
}

int hs_hook_main(const char *stage)
{
	struct hs_error err = {0};
	struct hs_state st;
	int ret;

	if (strcmp(stage, "createRuntime") != 0 &&
	    strcmp(stage, "prestart") != 0 && strcmp(stage, "poststart") != 0 &&
	    strcmp(stage, "poststop") != 0) {
		fprintf(stderr, "hardshim hook: unknown stage \"%s\"\n", stage);
		return 2;
	}
	hs_json_trust_policy_files();
	if (read_state(&st, &err) < 0) {
		fprintf(stderr, "hardshim hook %s: %s\n", stage, err.msg);
		return 1;
	}
	if (strcmp(stage, "poststart") == 0)
		ret = attest(&st, &err);
	else if (strcmp(stage, "poststop") == 0)
		ret = post_stop(&st, &err);
	else
		ret = create_runtime(&st, &err);
	hs_state_free(&st);
	if (ret < 0) {
		fprintf(stderr, "hardshim hook %s: %s\n", stage, err.msg);
		return 1;
	}
	return 0;
}
