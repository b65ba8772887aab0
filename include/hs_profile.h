/* Seccomp profiles: the Docker/moby JSON format policy authors already know,
 * plus hardshim's `extends`. Pure code: files are read, nothing else.
 *
 *   hs_profile_load     file -> validated, merged profile (extends followed)
 *   hs_profile_resolve  merged profile + node/container -> OCI linux.seccomp
 *   hs_seccomp_compile  (hs_seccomp.h) OCI linux.seccomp -> BPF, size
 *
 * The inheritance rules of `extends` are written at the top of
 * shim/profile/load.c. */
#ifndef HS_PROFILE_H
#define HS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "hs_error.h"
#include "hs_json.h"

/* What Docker's includes/excludes are resolved against. */
struct hs_resolve_ctx {
	const char *const
		*caps; /* the container's final bounding set,
			* "CAP_X" names, NULL-terminated (NULL: none) */
	const char *goarch; /* Docker's name for the node arch: "amd64" */
	const char *native_arch; /* "SCMP_ARCH_X86_64" */
	unsigned kernel_major, kernel_minor;
};

/* Fills goarch, native_arch and the kernel version from uname(); caps are
 * left as they are. The strings are static. Fails on a machine Docker has
 * no name for. */
int hs_profile_node_ctx(struct hs_resolve_ctx *ctx, struct hs_error *err);

/* Reads a profile (O_NOFOLLOW, at most HS_POLICY_MAX_BYTES), validates it,
 * follows `extends` (a relative path from the including file's directory)
 * and returns the merged profile: includes/excludes still present, no
 * `extends`, legacy `name` turned into `names`. Each syscalls[] entry
 * carries an `_origin` object ({"file", "index"} and, where a name's index
 * in the file differs from its index in the merged rule, "names") so that
 * later errors name the file and place the author must edit;
 * hs_profile_resolve drops it, and hs_profile_validate would refuse it.
 * Every error of every file in the chain is reported before NULL is
 * returned. */
json_t *hs_profile_load(const char *path, struct hs_error *err);

/* One file an hs_profile_load_files read: the fstat of the very fd that
 * was parsed, not a second lookup of the path. */
struct hs_profile_file {
	char path[HS_PATH_MAX]; /* as opened: the named path, or the base's
				 * path relative to the including file */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct hs_profile_files {
	struct hs_profile_file file[HS_PROFILE_MAX_EXTENDS_DEPTH + 1];
	size_t n;
};

/* As hs_profile_load, and lists every file of the chain it read (the
 * fstat of the fd it parsed), in order from the named file to the root
 * base: what a cache of the result must check to know it is still valid.
 * *ret_files is only written on success; it may be NULL. */
json_t *hs_profile_load_files(const char *path,
			      struct hs_profile_files *ret_files,
			      struct hs_error *err);

/* The same from a buffer (fuzzing, tests); `extends` is refused there. */
json_t *hs_profile_load_buffer(const char *buf, size_t len, const char *display,
			       struct hs_error *err);

/* Structural and semantic validation of one file's JSON, as written (before
 * extends is followed). Reports every error as "file: JSON path: message";
 * returns -1 if there was one. */
int hs_profile_validate(const json_t *profile, const char *file,
			struct hs_error *err);

/* Docker's resolution of a merged profile for one node and container, into
 * the OCI `linux.seccomp` object runc reads: defaultAction,
 * defaultErrnoRet, architectures (always explicit: the `architectures`
 * list, else the archMap entry for ctx->native_arch and its
 * subArchitectures, else the native architecture alone), flags,
 * listenerPath, listenerMetadata when set, and syscalls[] with names,
 * action, errnoRet and args only, rules whose includes/excludes do not
 * match left out.
 *
 * A name libseccomp does not know on any of those architectures is dropped
 * with a warning, and stays at the default action; it is an error instead
 * when dropping it would widen the filter (an allowing default, ALLOW or
 * LOG, and a rule that denies). Two applying rules for the same syscall and
 * arguments with different actions or errnoRet are an error. `file` names
 * the profile for rules that carry no `_origin`. */
json_t *hs_profile_resolve(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err);

/* Whether an OCI action stops the syscall: ERRNO, KILL, KILL_PROCESS,
 * KILL_THREAD, TRAP. */
bool hs_profile_action_denies(const char *action);

/* Audit mode (a policy's "mode": "audit"): turns every denying action of a
 * profile as hs_profile_resolve returns it, the default's and the rules',
 * into SCMP_ACT_LOG, in place, dropping their errno. The kernel then runs
 * the syscall and logs it (type=1326 audit records), which is what
 * `hardshim learn` reads. */
int hs_profile_audit(json_t *resolved, struct hs_error *err);

/* For `hardshim check`: the unknown-name test of hs_profile_resolve applied
 * to every rule, whatever its includes/excludes, for the architectures the
 * profile resolves to on ctx's node. Returns -1 if a name is an error. */
int hs_profile_check_names(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err);

/* What a container under one resolved profile (`sel`) may do that one
 * under another (`base`) may not, by facet; an empty detail means not
 * wider there. The rule, and its limits, are at the top of
 * shim/profile/compare.c. */
enum hs_widening {
	HS_WIDEN_DEFAULT, /* defaultAction runs what base's refuses */
	HS_WIDEN_ARCHES, /* an architecture base does not list */
	HS_WIDEN_FLAGS, /* SECCOMP_FILTER_FLAG_SPEC_ALLOW */
	HS_WIDEN_SYSCALLS, /* syscalls base refuses, at least sometimes */
	HS_WIDEN_N,
};
#define HS_WIDEN_DETAIL_MAX 320

struct hs_profile_widening {
	char detail[HS_WIDEN_N][HS_WIDEN_DETAIL_MAX]; /* "allows \"ptrace\"" */
};

/* "seccomp.defaultAction", ...: the facet's name in messages. */
extern const char *const hs_profile_widening_names[HS_WIDEN_N];

/* Compares two profiles as hs_profile_resolve returns them. Pure; fails
 * only when out of memory. */
int hs_profile_find_widening(const json_t *base, const json_t *sel,
			     struct hs_profile_widening *ret,
			     struct hs_error *err);

#endif
