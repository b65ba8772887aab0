/* Entering a container's network namespace from a hook. The hook is a
 * short-lived single-threaded process, so it enters and never returns. */
#ifndef HS_NETNS_H
#define HS_NETNS_H

#include "hs_error.h"

/* Enters the network namespace of the process `pidfd` refers to (setns on
 * the pidfd: a recycled pid cannot redirect it). Refuses, before anything
 * is changed in it, the host's namespace (the hook's own) and, when
 * `expect_path` is set, any namespace but the one at that path. */
int hs_netns_enter_pid(int pidfd, int pid, const char *expect_path,
		       struct hs_error *err);

/* Enters the network namespace at `path` (a persistent one, such as
 * /var/run/netns/NAME), refusing the host's. Returns HS_NETNS_GONE, and
 * stays where it is, when nothing is at `path` any more (podman removes a
 * container's namespace before runc runs its poststop hooks). */
#define HS_NETNS_GONE 1
int hs_netns_enter_path(const char *path, struct hs_error *err);

/* For a caller that must come back (`hardshim verify`, the monitor): an
 * fd of the calling thread's own network namespace, taken before entering
 * another, and the way back. setns changes only the calling thread. A
 * failed return leaves the thread in the container's namespace: the
 * caller must stop, not carry on there. */
int hs_netns_open_own(struct hs_error *err);
int hs_netns_return(int own_fd, struct hs_error *err);

#endif
