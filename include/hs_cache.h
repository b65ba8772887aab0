/* A cache of seccomp plans, so that a container start does not re-read,
 * re-validate, re-resolve and re-compile a profile that has not changed.
 *
 * An entry is keyed by everything a plan depends on that is known before
 * the profile is read: this binary, the policy file as read (device,
 * inode, size, mtime, ctime; its "mode" decides whether the plan is an
 * audit one, so an edit between modes is a miss), the container's bounding
 * set and the node.
 * It lists every profile file of the extends chain with the same identity,
 * and is used only if each still matches: an edited, replaced or touched
 * file makes it a miss. A miss plans as usual and writes a new entry.
 *
 * Trust: the directory must be root's and writable by no one else, so that
 * only root can have written an entry; anything wrong with an entry makes
 * it a miss, never an error. Failing to write one is not an error either:
 * the cache only ever saves work. At HS_CACHE_MAX_ENTRIES entries the
 * directory is emptied before the next one is written. */
#ifndef HS_CACHE_H
#define HS_CACHE_H

#include "hs_plan.h"

#define HS_CACHE_DEFAULT_DIR "/run/hardshim/cache"

struct hs_cache {
	const char *dir; /* absolute; created (0700) if missing */
	bool hit; /* set by the last call: for tests and logs */
};

/* An hs_seccomp_planner: `opaque` is a struct hs_cache. */
int hs_cache_plan_seccomp(const struct hs_policy *p,
			  const struct hs_resolve_ctx *rctx, void *opaque,
			  struct hs_seccomp_plan *out, struct hs_error *err);

#endif
