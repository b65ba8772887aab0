// SPDX-License-Identifier: Apache-2.0
/*
 * glibc_workload: the ordinary things a glibc program does that a seccomp
 * profile can break by answering with the wrong errno.
 *
 * - pthread_create and posix_spawn: glibc 2.34+ tries clone3 first and falls
 *   back to clone only on ENOSYS. The tenant profile answers clone3 with
 *   ENOSYS; an EPERM there would make both fail.
 * - faccessat(..., AT_EACCESS): glibc 2.33+ calls faccessat2 and falls back
 *   only on ENOSYS; exec paths in glibc and shells go through it.
 * - openat2, called raw: allowed by the profile, so it must succeed.
 * - mkfifo: mknodat with S_IFIFO, which the profile allows while refusing
 *   device nodes.
 *
 * Built static (hack/build-probes.sh) so that it runs in a busybox rootfs.
 * Prints one "NAME: ok" or "NAME: FAILED (...)" line per step, a line saying
 * whether the kernel answered clone3 (information only: outside a filter it
 * succeeds), and "glibc-workload: ok" with exit 0 when every step worked;
 * exit 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int failures;

static void ok(const char *step)
{
	printf("%s: ok\n", step);
}

static void failed(const char *step, const char *what, int err)
{
	printf("%s: FAILED (%s: errno=%d %s)\n", step, what, err,
	       strerrorname_np(err) ? strerrorname_np(err) : "?");
	failures++;
}

static void *thread_main(void *arg)
{
	*(int *)arg = 42;
	return arg;
}

static void step_pthread(void)
{
	pthread_t t;
	int value = 0, rc;
	void *ret = NULL;

	rc = pthread_create(&t, NULL, thread_main, &value);
	if (rc != 0) {
		failed("pthread_create", "pthread_create", rc);
		return;
	}
	rc = pthread_join(t, &ret);
	if (rc != 0) {
		failed("pthread_create", "pthread_join", rc);
		return;
	}
	if (value != 42 || ret != &value) {
		failed("pthread_create", "thread did not run", 0);
		return;
	}
	ok("pthread_create");
}

static void step_posix_spawn(void)
{
	char arg0[] = "true";
	char *argv[] = {arg0, NULL};
	pid_t pid;
	int rc, status;

	rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (rc != 0) {
		failed("posix_spawn", "posix_spawn /bin/true", rc);
		return;
	}
	if (waitpid(pid, &status, 0) < 0) {
		failed("posix_spawn", "waitpid", errno);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("posix_spawn: FAILED (/bin/true: status 0x%x)\n",
		       status);
		failures++;
		return;
	}
	ok("posix_spawn");
}

static void step_faccessat2(void)
{
	/* Through glibc, with a flag, so that glibc uses faccessat2... */
	if (faccessat(AT_FDCWD, "/bin/true", X_OK, AT_EACCESS) < 0) {
		failed("faccessat2", "faccessat(AT_EACCESS) /bin/true", errno);
		return;
	}
	/* ...and raw, so that a fallback cannot hide an EPERM or ENOSYS. */
	if (syscall(SYS_faccessat2, AT_FDCWD, "/bin/true", X_OK, AT_EACCESS) <
	    0) {
		failed("faccessat2", "raw faccessat2 /bin/true", errno);
		return;
	}
	ok("faccessat2");
}

static void step_openat2(void)
{
	struct open_how how;
	char buf[16];
	long fd;
	ssize_t n;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, AT_FDCWD, "/proc/self/status", &how,
		     sizeof(how));
	if (fd < 0) {
		failed("openat2", "openat2 /proc/self/status", errno);
		return;
	}
	n = read((int)fd, buf, sizeof(buf));
	close((int)fd);
	if (n <= 0) {
		failed("openat2", "read", n < 0 ? errno : 0);
		return;
	}
	ok("openat2");
}

static void step_mkfifo(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/glibc-workload-fifo.%d",
		 (int)getpid());
	if (mkfifo(path, 0600) < 0) {
		failed("mkfifo", "mkfifo in /tmp", errno);
		return;
	}
	unlink(path);
	ok("mkfifo");
}

/* Information only: what the kernel (or filter) answers clone3 with. */
static void note_clone3(void)
{
	struct clone_args args;
	long r;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &args, sizeof(args));
	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		printf("clone3: available (glibc used it)\n");
	} else {
		int err = errno;

		printf("clone3: errno=%d %s (%s)\n", err,
		       strerrorname_np(err) ? strerrorname_np(err) : "?",
		       err == ENOSYS
			       ? "glibc fell back to clone"
			       : "glibc falls back to clone only on ENOSYS");
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	note_clone3();
	step_pthread();
	step_posix_spawn();
	step_faccessat2();
	step_openat2();
	step_mkfifo();
	if (failures) {
		printf("glibc-workload: FAILED (%d steps)\n", failures);
		return 1;
	}
	printf("glibc-workload: ok\n");
	return 0;
}
