/* A minimal unit test harness: each TEST prints one PASS/FAIL line that
 * tests/run.sh counts. CHECK stops the test at the first failed assertion. */
#ifndef HS_TEST_H
#define HS_TEST_H

#include <stdio.h>
#include <string.h>

static int hs_test_failed;
static const char *hs_test_current;

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			printf("FAIL %s: %s:%d: %s\n", hs_test_current, \
			       __FILE__, __LINE__, #cond);              \
			hs_test_failed++;                               \
			return;                                         \
		}                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                 \
	do {                                                            \
		const char *_a = (a), *_b = (b);                        \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                \
			printf("FAIL %s: %s:%d: \"%s\" != \"%s\"\n",    \
			       hs_test_current, __FILE__, __LINE__,     \
			       _a ? _a : "(null)", _b ? _b : "(null)"); \
			hs_test_failed++;                               \
			return;                                         \
		}                                                       \
	} while (0)

/* Substring match, for error messages. */
#define CHECK_CONTAINS(hay, needle)                                     \
	do {                                                            \
		const char *_h = (hay), *_n = (needle);                 \
		if (!_h || !strstr(_h, _n)) {                           \
			printf("FAIL %s: %s:%d: \"%s\" lacks \"%s\"\n", \
			       hs_test_current, __FILE__, __LINE__,     \
			       _h ? _h : "(null)", _n);                 \
			hs_test_failed++;                               \
			return;                                         \
		}                                                       \
	} while (0)

#define RUN(fn)                                   \
	do {                                      \
		int _before = hs_test_failed;     \
		hs_test_current = #fn;            \
		fn();                             \
		if (hs_test_failed == _before)    \
			printf("PASS %s\n", #fn); \
	} while (0)

#define SKIP(fn, why) printf("SKIP %s: %s\n", #fn, why)

#define TEST_EXIT() return hs_test_failed ? 1 : 0

#endif
