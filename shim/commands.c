/* The policy-author commands: `harden` (a preview; not offered as a podman
 * precreate hook, which no `podman exec` passes through: README "podman")
 * and `check` (validation with positions and JSON paths). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_commands.h"
#include "hs_config.h"
#include "hs_netpol.h"
#include "hs_runtime.h"
#include "hs_seccomp.h"
#include "hs_select.h"
#include "hs_spec.h"

static int fail(struct hs_error *err)
{
	fprintf(stderr, "hardshim: %s\n", err->msg);
	return 1;
}

int hs_cmd_harden(int argc, char **argv)
{
	const char *bundle = NULL, *policy_name = NULL;
	struct hs_error err = {0};
	_cleanup_json_ json_t *spec = NULL;
	_cleanup_free_ char *out = NULL;
	struct hs_config cfg;
	struct hs_policy policy;
	struct hs_harden_ctx ctx;
	char self[PATH_MAX];
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			bundle = "-";
		else if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc)
			bundle = argv[++i];
		else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc)
			policy_name = argv[++i];
		else
			bundle = NULL, i = argc + 1;
	}
	if (!bundle || i > argc) {
		fprintf(stderr, "usage: hardshim harden [--bundle DIR | -] "
				"[--policy NAME]\n");
		return 2;
	}
	if (strcmp(bundle, "-") == 0) {
		spec = hs_json_load_fd(STDIN_FILENO, "stdin",
				       HS_CONFIG_JSON_MAX_BYTES, &err);
	} else {
		_cleanup_close_ int dirfd =
			open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char display[HS_PATH_MAX];

		snprintf(display, sizeof(display), "%s/config.json", bundle);
		if (dirfd < 0) {
			hs_err(&err, errno, "bundle %s: %s", bundle,
			       strerror(errno));
			return fail(&err);
		}
		spec = hs_json_load_at(dirfd, "config.json", display,
				       HS_CONFIG_JSON_MAX_BYTES, &err);
	}
	if (!spec || hs_config_load(hs_config_path(), &cfg, &err) < 0)
		return fail(&err);
	if (policy_name)
		r = hs_policy_load(&cfg, policy_name, &policy, &err);
	else
		r = hs_select_policy(&cfg, json_object_get(spec, "annotations"),
				     &policy, &err);
	if (r == 0) {
		r = hs_runtime_harden_ctx(&ctx, &cfg, self, sizeof(self), &err);
		if (r == 0)
			r = hs_spec_harden(spec, &policy, &ctx,
					   strcmp(bundle, "-") == 0 ? "stdin"
								    : bundle,
					   &err);
		hs_policy_free(&policy);
	}
	hs_config_free(&cfg);
	if (r < 0)
		return fail(&err);
	out = json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	/* A config lost on the way out (a full disk, a closed pipe) must not
	 * pass for success. */
	if (!out || puts(out) == EOF || fflush(stdout) == EOF ||
	    ferror(stdout)) {
		hs_err(&err, errno, "cannot write the hardened config: %s",
		       strerror(errno));
		return fail(&err);
	}
	return 0;
}

/* --- check ---------------------------------------------------------------- */

enum file_kind {
	KIND_UNKNOWN,
	KIND_CONFIG,
	KIND_POLICY,
	KIND_PROFILE,
	KIND_NETPOL,
};

static enum file_kind classify(const json_t *json)
{
	if (!json_is_object(json))
		return KIND_UNKNOWN;
	if (json_object_get(json, "runtime") ||
	    json_object_get(json, "defaultPolicy"))
		return KIND_CONFIG;
	if (json_object_get(json, "capabilities") ||
	    (json_object_get(json, "name") && json_object_get(json, "seccomp")))
		return KIND_POLICY;
	if (json_object_get(json, "policyTypes") ||
	    json_object_get(json, "egress") ||
	    json_object_get(json, "ingress") || json_object_get(json, "deny"))
		return KIND_NETPOL;
	if (json_object_get(json, "defaultAction") ||
	    json_object_get(json, "extends") ||
	    json_object_get(json, "syscalls"))
		return KIND_PROFILE;
	return KIND_UNKNOWN;
}

/* Resolves a profile for this node with the given bounding set and
 * compiles it: what the wrapper will do at every start. */
static int check_compiles(const json_t *merged, const char *const *caps,
			  const char *file, struct hs_error *err)
{
	struct hs_resolve_ctx ctx = {0};
	struct hs_error quiet = {0};
	_cleanup_json_ json_t *resolved = NULL;
	size_t insns;

	if (hs_profile_node_ctx(&ctx, err) < 0)
		return -1;
	ctx.caps = caps;
	if (hs_profile_check_names(merged, &ctx, file, err) < 0)
		return -1;
	/* check_names has already reported every unknown name; resolving and
	 * compiling would only repeat those warnings, so only their errors
	 * are passed on. */
	resolved = hs_profile_resolve(merged, &ctx, file, &quiet);
	if (!resolved || hs_seccomp_compile(resolved, -1, &insns, &quiet) < 0)
		return hs_err(err, quiet.errnum, "%s", quiet.msg);
	return 0;
}

static int check_profile(const char *path, struct hs_error *err)
{
	_cleanup_json_ json_t *merged = hs_profile_load(path, err);

	if (!merged)
		return -1;
	return check_compiles(merged, NULL, path, err);
}

/* `names`: the config's networks that "@NAME" resolves against, NULL
 * when check was given no config (a name is then an error that says so). */
static int check_netpol(const char *path, const struct hs_netnames *names,
			struct hs_error *err)
{
	struct hs_netpol np;

	if (hs_netpol_load(path, names, &np, err) < 0)
		return -1;
	hs_netpol_free(&np);
	return 0;
}

/* A pod annotation may pick any policy this one lists as selectable, so
 * each must exist, be valid, and be at least as strict as this one in
 * every dimension (hs_policy_check_not_weaker): the tenant must not be
 * able to annotate its way out of its own policy. */
static int check_selectable(const struct hs_policy *p, const char *path,
			    struct hs_error *err)
{
	char dir[HS_PATH_MAX];
	size_t i;
	json_t *v;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	json_array_foreach (p->selectable, i, v) {
		const char *name = json_string_value(v);
		char sibling[HS_PATH_MAX + 80], at[64];
		struct hs_policy sel;

		snprintf(sibling, sizeof(sibling), "%s/%s.json", dirname(dir),
			 name);
		snprintf(dir, sizeof(dir), "%s", path);
		hs_json_path_index(at, sizeof(at), "selectable", i);
		if (access(sibling, R_OK) < 0) {
			ret = hs_json_err(err, path, at, "no policy file %s",
					  sibling);
			continue;
		}
		if (hs_policy_load_file(sibling, &sel, err) < 0) {
			ret = -1;
			continue;
		}
		if (strcmp(sel.name, name) != 0)
			ret = hs_json_err(err, path, at,
					  "%s is named \"%s\", not \"%s\"",
					  sibling, sel.name, name);
		else if (hs_policy_check_not_weaker(p, &sel, path, at,
						    HS_POLICY_COMPARE_SECCOMP,
						    err) < 0)
			ret = -1;
		hs_policy_free(&sel);
	}
	return ret;
}

static int check_policy(const char *path, const struct hs_netnames *names,
			struct hs_error *err)
{
	_cleanup_json_ json_t *merged = NULL;
	struct hs_policy p;
	struct hs_caps_names caps;
	int ret;

	if (hs_policy_load_file(path, &p, err) < 0)
		return -1;
	merged = hs_profile_load(p.seccomp_path, err);
	if (!merged) {
		hs_policy_free(&p);
		return -1;
	}
	/* Said on every check, so that an audit policy is never mistaken
	 * for a finished one. */
	if (p.audit)
		hs_json_warn(err, path, "mode",
			     "audit: seccomp denials are logged, not "
			     "enforced (for `hardshim learn`)");
	/* The widest container this policy admits: every ceiling cap. */
	hs_caps_names(p.cap_ceiling, &caps);
	ret = check_compiles(merged, caps.list, p.seccomp_path, err);
	if (p.has_network && check_netpol(p.network_path, names, err) < 0)
		ret = -1;
	if (check_selectable(&p, path, err) < 0)
		ret = -1;
	hs_policy_free(&p);
	return ret;
}

static int check_config(const char *path, json_t *json, struct hs_error *err)
{
	struct hs_config cfg;
	char abs[PATH_MAX], dir[PATH_MAX];
	size_t i;
	int ret = 0;

	if (!realpath(path, abs))
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", abs);
	if (hs_config_parse(json, path, dirname(dir), &cfg, err) < 0)
		return -1;
	/* Every policy the config names must itself be valid, its network
	 * names resolved against this config's networks, as the hook will. */
	for (i = 0; i <= cfg.n_tenants; i++) {
		const char *name = i < cfg.n_tenants ? cfg.tenants[i].policy
						     : cfg.default_policy;
		char file[HS_PATH_MAX + 80];

		snprintf(file, sizeof(file), "%s/%s.json", cfg.policy_dir,
			 name);
		if (check_policy(file, &cfg.networks, err) < 0)
			ret = -1;
	}
	hs_config_free(&cfg);
	return ret;
}

/* `hardshim check [--config CONFIG] FILE...`. A network policy's "@NAME"
 * resolves against CONFIG's networks; without --config it is an error
 * that asks for one, so that check never passes a policy it could not
 * check in full (whether an except lies inside its cidr, or a cidr opens
 * multicast, depends on the addresses). A config among the FILEs checks
 * the policies it names against its own networks, and when it is the only
 * config among them and no --config is given, every other file is checked
 * against it too: `hardshim check` of a node's config with its policy
 * files checks the set as the hooks read it.
 * Nothing is read from the node's config: the verdict depends only on the
 * arguments. */
/* The one config among argv[first..] (named once or more), loaded as a
 * draft into `cfg`; -1 when there is none, or more than one, or it does
 * not load (its own check reports why). */
static int the_only_config(int argc, char **argv, int first,
			   struct hs_config *cfg)
{
	struct hs_error quiet = {0};
	char found[PATH_MAX] = "", real[PATH_MAX];
	int i;

	for (i = first; i < argc; i++) {
		_cleanup_json_ json_t *json =
			hs_json_load_path(argv[i], HS_POLICY_MAX_BYTES, &quiet);

		if (!json || classify(json) != KIND_CONFIG ||
		    !realpath(argv[i], real))
			continue;
		if (found[0] && strcmp(found, real) != 0)
			return -1;
		memcpy(found, real, sizeof(found));
	}
	if (!found[0] || hs_config_load_draft(found, cfg, &quiet) < 0) {
		hs_config_free(cfg);
		return -1;
	}
	return 0;
}

int hs_cmd_check(int argc, char **argv)
{
	struct hs_error err = {.sink = stderr};
	struct hs_config names_cfg = {0};
	const struct hs_netnames *names = NULL;
	int i, first = 1;

	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		first = 3;
		if (hs_config_load_draft(argv[2], &names_cfg, &err) < 0) {
			hs_config_free(&names_cfg);
			return 1;
		}
		names = &names_cfg.networks;
	}
	if (argc <= first || strncmp(argv[first], "--", 2) == 0) {
		fprintf(stderr,
			"usage: hardshim check [--config CONFIG] FILE...\n");
		hs_config_free(&names_cfg);
		return 2;
	}
	if (!names && the_only_config(argc, argv, first, &names_cfg) == 0)
		names = &names_cfg.networks;
	for (i = first; i < argc; i++) {
		_cleanup_json_ json_t *json =
			hs_json_load_path(argv[i], HS_POLICY_MAX_BYTES, &err);

		if (!json)
			continue;
		switch (classify(json)) {
		case KIND_CONFIG:
			check_config(argv[i], json, &err);
			break;
		case KIND_POLICY:
			check_policy(argv[i], names, &err);
			break;
		case KIND_PROFILE:
			check_profile(argv[i], &err);
			break;
		case KIND_NETPOL:
			check_netpol(argv[i], names, &err);
			break;
		case KIND_UNKNOWN:
			hs_json_err(&err, argv[i], "",
				    "not a hardshim config, tenant policy, "
				    "seccomp profile or network policy");
			break;
		}
	}
	hs_config_free(&names_cfg);
	if (err.count == 0)
		printf("%d file%s OK (%u warning%s)\n", argc - first,
		       argc - first == 1 ? "" : "s", err.warnings,
		       err.warnings == 1 ? "" : "s");
	return err.count ? 1 : 0;
}
