/* pause: the pod sandbox's process, as in Kubernetes' pause image: sleep in
 * pause() forever, reap children (it may be the pid namespace's init), and
 * exit 0 on SIGINT or SIGTERM. Built static for the capture's pause image. */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int sig)
{
	(void)sig;
	_exit(0);
}

static void sigreap(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction down = {.sa_handler = sigdown};
	struct sigaction reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};

	if (sigaction(SIGINT, &down, NULL) < 0 || sigaction(SIGTERM, &down, NULL) < 0 ||
	    sigaction(SIGCHLD, &reap, NULL) < 0)
		return 1;
	for (;;)
		pause();
	return 42;
}
