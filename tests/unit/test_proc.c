/* shim/proc.c: the pure /proc/PID/stat parser (state and start time).
 * comm is the process's own choice (prctl PR_SET_NAME), so it may hold
 * spaces and parentheses meant to shift the fields. */
#include <errno.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_proc.h"
#include "hs_test.h"

/* A real line (sleep in a container), starttime 1084052. */
#define TAIL                                                                   \
	" 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 1084052 "   \
	"1626112 1 18446744073709551615 4194304 5037945 140727 0 0 0 0 0 0 0 " \
	"0 0 17 1 0 0 0 0 0\n"

static void test_real_line(void)
{
	struct hs_error err = {0};
	uint64_t start = 0;
	char state = 0;

	CHECK(hs_proc_parse_stat("16114 (sleep) S" TAIL, &state, &start,
				 &err) == 0);
	CHECK(state == 'S');
	CHECK(start == 1084052);
}

static void test_hostile_comm(void)
{
	struct hs_error err = {0};
	uint64_t start = 0;
	char state = 0;

	CHECK(hs_proc_parse_stat("16114 (a) Z 1 2 3 (b) R" TAIL, &state, &start,
				 &err) == 0);
	CHECK(state == 'R');
	CHECK(start == 1084052);
	CHECK(hs_proc_parse_stat("16114 ()) Z" TAIL, &state, &start, &err) ==
	      0);
	CHECK(state == 'Z');
}

static void test_own_stat(void)
{
	struct hs_error err = {0};
	int pidfd = hs_proc_pidfd_open(getpid(), &err);
	uint64_t start = 0;
	char state = 0;

	CHECK(pidfd >= 0);
	CHECK(hs_proc_stat(getpid(), pidfd, &state, &start, &err) == 0);
	close(pidfd);
	CHECK(state == 'R');
	CHECK(start > 0);
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"",
		"16114 sleep S" TAIL,
		"16114 (sleep)",
		"16114 (sleep) ",
		"16114 (sleep) SS" TAIL,
		"16114 (sleep) S 1 2 3",
		"16114 (sleep) S 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 "
		"0 0 20 0 1 0 x 1\n",
		"16114 (sleep) S 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 "
		"0 0 20 0 1 0 -5 1\n",
		"16114 (sleep) S 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 "
		"0 0 20 0 1 0 12x 1\n",
		"16114 (sleep) S 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 "
		"0 0 20 0 1 0 99999999999999999999999 1\n",
		"16114 (sleep) S 16093 16114 16114 0 -1 4194560 93 0 0 0 0 0 "
		"0 0 20 0 1 0  5\n",
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		struct hs_error err = {0};
		uint64_t start = 0;
		char state = 0;

		if (hs_proc_parse_stat(bad[i], &state, &start, &err) == 0) {
			printf("FAIL %s: case %zu accepted\n", hs_test_current,
			       i);
			hs_test_failed++;
			return;
		}
		CHECK_CONTAINS(err.msg, "stat: ");
	}
}

static void test_dead_pid(void)
{
	struct hs_error err = {0};

	/* Above the kernel's PID_MAX_LIMIT: never a process. */
	CHECK(hs_proc_pidfd_open(4194305, &err) < 0);
	CHECK(err.errnum == ESRCH || err.errnum == EINVAL);
}

int main(void)
{
	RUN(test_real_line);
	RUN(test_hostile_comm);
	RUN(test_own_stat);
	RUN(test_invalid);
	RUN(test_dead_pid);
	TEST_EXIT();
}
