/* The spec hardening module's files, each one rule family of docs/design.md
 * "Enforcement, in order", step 1. Every rule grants what the policy or
 * the root-owned config names and refuses the rest:
 *   harden.c      hs_spec_harden: the order the rules run in, then the edits
 *   types.c       every field runc decodes has the type runc expects
 *   keys.c        no key that runc would read as another field
 *   pod.c         which pod a spec belongs to, from the engine's annotations
 *   namespaces.c  the container's own namespaces, or its pod sandbox's
 *   mounts.c      mount types with their rules; bind sources
 *   hooks.c       hardshim's hooks, those the config grants, nothing else
 *   linux.c       cgroupsPath, devices, sysctls, rootfs propagation
 *   process.c     capabilities, user and groups, AppArmor (also for exec)
 */
#ifndef HS_SPEC_INTERNAL_H
#define HS_SPEC_INTERNAL_H

#include "hs_spec.h"

/* Checks that every field runc 1.1 decodes from config.json has the JSON
 * type Go's encoding/json would accept for it, and that what runc requires
 * before it creates a container is there, so that hardshim refuses what
 * runc would refuse, before the bundle is written. Reports every problem
 * as "file: JSON.path: message"; returns -1 if there was any. Pure. */
int hs_spec_check_types(const json_t *spec, const char *file,
			struct hs_error *err);

/* The same for a `runc exec --process` object, whose paths are relative to
 * it ("user.uid"). */
int hs_spec_check_process_types(const json_t *process, const char *file,
				struct hs_error *err);

/* Refuses keys runc would read as a field hardshim reads under another
 * spelling (keys.c). */
int hs_spec_check_keys(const json_t *v, const char *file, const char *path,
		       struct hs_error *err);

/* The pod a container belongs to, from the annotations the engine (never
 * the tenant) writes: containerd's CRI or CRI-O's. Without them (runc,
 * Docker, podman) every container is a pod of its own. */
struct hs_spec_pod {
	const char *id; /* the container's id, NULL when unknown */
	const char *sandbox; /* the pod's sandbox id, NULL outside a pod */
	const char *pod_uid; /* the Kubernetes pod UID, NULL if none */
	const char *type_label; /* "KEY=sandbox" label of a sandbox's state */
	const char *namespace_key; /* the annotation naming the namespace */
	const char *namespace; /* its value, NULL if none */
	bool is_sandbox; /* this is the pod's sandbox (pause) container */
};

/* Fills `pod` (borrowing strings from `spec` and `ctx`). An id that could
 * name a path outside the directory it is joined to is refused. */
int hs_spec_pod(const json_t *spec, const struct hs_harden_ctx *ctx,
		struct hs_spec_pod *pod, const char *file,
		struct hs_error *err);

int hs_spec_check_namespaces(const json_t *lnx, const struct hs_policy *policy,
			     const struct hs_harden_ctx *ctx,
			     const struct hs_spec_pod *pod, const char *file,
			     struct hs_error *err);

/* Checks every mount, and makes binds of host paths the policy grants
 * read-only unless it says otherwise (the only edit). */
int hs_spec_check_mounts(json_t *spec, const struct hs_policy *policy,
			 const struct hs_config *cfg,
			 const struct hs_spec_pod *pod, const char *file,
			 struct hs_error *err);

/* runc applies mount options in order: of "ro" and "rw", the last wins. */
bool hs_spec_options_read_only(const json_t *options);

int hs_spec_check_hooks(const json_t *spec, const struct hs_config *cfg,
			const char *self, const char *file,
			struct hs_error *err);

int hs_spec_inject_hooks(json_t *spec, const struct hs_policy *policy,
			 const struct hs_harden_ctx *ctx, const char *file,
			 struct hs_error *err);

int hs_spec_check_linux(const json_t *lnx, const struct hs_policy *policy,
			const struct hs_config *cfg, const char *file,
			struct hs_error *err);

/* Narrows process.capabilities; returns the final bounding set. What was
 * narrowed is appended to `notes` (an array of strings; NULL: not kept). */
int hs_spec_harden_caps(json_t *process, const struct hs_policy *policy,
			const char *file, const char *path,
			hs_capset_t *ret_bounding, json_t *notes,
			struct hs_error *err);

int hs_spec_harden_user(json_t *process, const struct hs_policy *policy,
			const char *file, const char *path, json_t *notes,
			struct hs_error *err);

/* Appends one line to `notes` (NULL: nothing). */
void hs_spec_note(json_t *notes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int hs_spec_check_apparmor(const json_t *process,
			   const struct hs_policy *policy, const char *file,
			   const char *path, struct hs_error *err);

/* The child of `parent` at `key`, created as {} when absent; NULL when it
 * is not an object or cannot be created. */
json_t *hs_spec_object_child(json_t *parent, const char *key);

#endif
