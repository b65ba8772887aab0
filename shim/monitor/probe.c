/* Whether the monitor answers; see hs_monitor_probe in hs_monitor.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "hs_cleanup.h"
#include "hs_monitor.h"

int hs_monitor_probe(const char *socket_path, struct hs_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (hs_snprintf(addr.sun_path, sizeof(addr.sun_path), "%s",
			socket_path) < 0)
		return hs_err(err, ENAMETOOLONG, "monitor socket %s: too long",
			      socket_path);
	/* Non-blocking: a monitor that is alive but not accepting (its
	 * backlog full) must not hang every start; it counts as not
	 * answering. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return hs_err(err, errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hs_err(err, errno,
			      "the monitor does not answer at %s: %s",
			      socket_path, strerror(errno));
	return 0;
}
