/* The global config, /etc/hardshim/config.json (HARDSHIM_CONFIG overrides
 * the path for tests): the real runtime, the policy directory, which
 * Kubernetes namespaces get which tenant policy, the decision log, and the
 * cluster's own address ranges ("networks"), which network policies name.
 * Relative paths in it resolve against the config file's own directory. */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <stddef.h>

#include "hs_json.h"
#include "hs_netpol.h"

#define HS_CONFIG_DEFAULT_PATH "/etc/hardshim/config.json"

struct hs_tenant_rule {
	const char *namespace_glob; /* fnmatch(3) pattern */
	const char *policy; /* a tenant policy name */
};

/* A hook a spec may keep besides hardshim's own (a GPU hook, Docker's
 * network hook): matched by stage, by the path it resolves to, and by the
 * first arguments when `args` is set. */
struct hs_hook_grant {
	const char *stage;
	const char *path; /* absolute */
	const json_t *args; /* array of strings: a prefix of the hook's args */
};

/* "monitor": how a start relates to the node's monitor (README
 * "Monitor"). off: plain ERRNO actions, nothing expected; optional: the
 * escape syscalls are sent to the monitor when it answers at `socket`,
 * otherwise the container starts with ERRNO actions and an "unmonitored"
 * event; required: a start is refused while the monitor does not answer. */
enum hs_monitor_mode {
	HS_MONITOR_OFF,
	HS_MONITOR_OPTIONAL,
	HS_MONITOR_REQUIRED,
};

#define HS_MONITOR_DEFAULT_SOCKET "/run/hardshim/monitor.sock"
#define HS_MONITOR_SOCKET_MAX 108 /* sun_path */
#define HS_MONITOR_VERIFY_MAX 86400

struct hs_monitor_config {
	enum hs_monitor_mode mode;
	char socket[HS_MONITOR_SOCKET_MAX]; /* absolute */
	char metrics[HS_PATH_MAX]; /* node_exporter textfile; "" none */
	int verify_interval; /* seconds between re-attestations; 0: none */
	/* runc --root directories whose containers `verify --all` and the
	 * monitor's re-attestation cover. */
	const char *runc_roots[HS_CONFIG_MAX_LIST];
	size_t n_runc_roots;
};

struct hs_config {
	json_t *json; /* owns every string below */
	char path[HS_PATH_MAX]; /* absolute */
	const char *runtime; /* absolute path of the real runtime */
	char policy_dir[HS_PATH_MAX]; /* absolute */
	const char *default_policy; /* the strictest: used on no match */
	struct hs_tenant_rule tenants[HS_CONFIG_MAX_TENANTS];
	size_t n_tenants;
	int hook_timeout; /* seconds, for every injected hook */
	char decision_log[HS_PATH_MAX]; /* "" when not configured */
	const char *cache_dir; /* seccomp plan cache, absolute */
	/* Where the engines keep each pod's and container's own files, as
	 * path templates with {id}, {sandbox} and {podUid}: the bind sources
	 * every pod may have (shim/spec/mounts.c). */
	const char *engine_dirs[HS_CONFIG_MAX_LIST];
	size_t n_engine_dirs;
	/* Directories of persistent network namespaces (CNI's, podman's). */
	const char *netns_dirs[HS_CONFIG_MAX_LIST];
	size_t n_netns_dirs;
	/* cgroup parents a container's cgroupsPath must lie under: cgroupfs
	 * paths ("/kubepods") or systemd slices ("kubepods.slice"). */
	const char *cgroup_parents[HS_CONFIG_MAX_LIST];
	size_t n_cgroup_parents;
	struct hs_hook_grant hooks[HS_CONFIG_MAX_LIST];
	size_t n_hooks;
	/* "networks": {"pods": ["10.244.0.0/16"], "dns": ["10.96.0.10/32"],
	 * ...}: what "@NAME" stands for in a network policy, so that the
	 * node operator writes the cluster's ranges once and the shipped
	 * policies fit every cluster. Names are the operator's own; each
	 * stands for one or more CIDRs, none overlapping another of the same
	 * name. The table is what hs_netpol_parse resolves against. */
	struct hs_netnames networks; /* .v owned; names borrowed from json */
	struct hs_cidr *network_cidrs; /* owned: every name's CIDRs */
	struct hs_monitor_config monitor;
};

/* The variables an engineDirs template may use. */
#define HS_ENGINE_VAR_ID "{id}"
#define HS_ENGINE_VAR_SANDBOX "{sandbox}"
#define HS_ENGINE_VAR_POD_UID "{podUid}"

/* HARDSHIM_CONFIG (secure_getenv) or the default path. */
const char *hs_config_path(void);

/* Reads and validates the config at `path`: root-owned, not group/other-
 * writable, no symlink, bounded. */
int hs_config_load(const char *path, struct hs_config *cfg,
		   struct hs_error *err);

/* As hs_config_load, but for review (`check --config`, `explain
 * --config`): the file may be anyone's, as a draft in a checkout is. */
int hs_config_load_draft(const char *path, struct hs_config *cfg,
			 struct hs_error *err);

/* Validates an already parsed config (pure; `dir` is the absolute directory
 * that relative paths resolve against). Takes a reference to `json`. */
int hs_config_parse(json_t *json, const char *file, const char *dir,
		    struct hs_config *cfg, struct hs_error *err);

void hs_config_free(struct hs_config *cfg);

/* The "monitor" object (absent: mode off, the default socket, no metrics,
 * no re-attestation, runc's default root). Pure; `dir` as for
 * hs_config_parse. */
int hs_config_parse_monitor(const json_t *json, const char *file,
			    const char *dir, struct hs_monitor_config *m,
			    struct hs_error *err);

/* A config with no file behind it: every list at its built-in default
 * (engine directories, netns directories and cgroup parents of a node with
 * the engines' default paths), no hooks granted, no runtime. */
void hs_config_defaults(struct hs_config *cfg);

/* dir + "/" + rel, unless rel is absolute; truncation is an error.
 * Relative paths in hardshim's files resolve this way against the file's
 * own directory. */
int hs_config_join_path(char *out, size_t size, const char *dir,
			const char *rel);

/* True when `name` may name a policy file: [a-z0-9][a-z0-9._-]*, bounded. */
int hs_policy_name_valid(const char *name);

#endif
