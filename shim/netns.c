/* Entering network namespaces; see hs_netns.h. The host's namespace is the
 * one this hook was started in: runc runs hooks in its own namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_netns.h"

static int ns_stat(const char *path, struct stat *st, struct hs_error *err)
{
	if (stat(path, st) < 0)
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	return 0;
}

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* After setns: the namespace we are in now must not be `host`. */
static int check_not_host(const struct stat *host, const char *what,
			  struct hs_error *err)
{
	struct stat now;

	if (ns_stat("/proc/thread-self/ns/net", &now, err) < 0)
		return -1;
	if (same(&now, host))
		return hs_err(err, EPERM,
			      "%s is in the host's network namespace, refused",
			      what);
	return 0;
}

int hs_netns_enter_pid(int pidfd, int pid, const char *expect_path,
		       struct hs_error *err)
{
	struct stat host, now, want;
	char what[64];

	snprintf(what, sizeof(what), "pid %d", pid);
	if (ns_stat("/proc/thread-self/ns/net", &host, err) < 0)
		return -1;
	if (setns(pidfd, CLONE_NEWNET) < 0)
		return hs_err(err, errno, "pid %d: setns: %s", pid,
			      strerror(errno));
	if (check_not_host(&host, what, err) < 0)
		return -1;
	if (!expect_path)
		return 0;
	if (ns_stat(expect_path, &want, err) < 0 ||
	    ns_stat("/proc/thread-self/ns/net", &now, err) < 0)
		return -1;
	if (!same(&now, &want))
		return hs_err(err, EPERM,
			      "pid %d is not in the network namespace %s that "
			      "its spec names, refused",
			      pid, expect_path);
	return 0;
}

int hs_netns_enter_path(const char *path, struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat host;

	if (ns_stat("/proc/thread-self/ns/net", &host, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return HS_NETNS_GONE;
	if (fd < 0)
		return hs_err(err, errno, "%s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		return hs_err(err, errno, "%s: setns: %s", path,
			      strerror(errno));
	return check_not_host(&host, path, err);
}

int hs_netns_open_own(struct hs_error *err)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hs_err(err, errno, "/proc/thread-self/ns/net: %s",
			      strerror(errno));
	return fd;
}

int hs_netns_return(int own_fd, struct hs_error *err)
{
	if (setns(own_fd, CLONE_NEWNET) < 0)
		return hs_err(err, errno,
			      "cannot return to the own network namespace: "
			      "%s",
			      strerror(errno));
	return 0;
}
