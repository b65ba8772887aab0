/* shim/attest.c: parsing /proc/PID/status and judging it against what the
 * hardened spec promised. A missing or malformed line is an error, never a
 * pass; a capability beyond the spec's is a failure, one fewer is not. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs_attest.h"
#include "hs_cleanup.h"
#include "hs_test.h"

/* /proc/PID/status of a container process started with tenant-default
 * (uid 65534, bounding CAP_KILL|CAP_NET_BIND_SERVICE = 0x420, seccomp
 * filter, no_new_privs), kernel 6.x. */
static const char real_status[] =
	"Name:\tsleep\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4364\n"
	"Ngid:\t0\n"
	"Pid:\t4364\n"
	"PPid:\t4343\n"
	"TracerPid:\t0\n"
	"Uid:\t65534\t65534\t65534\t65534\n"
	"Gid:\t65534\t65534\t65534\t65534\n"
	"FDSize:\t64\n"
	"Groups:\t65534 \n"
	"NStgid:\t4364\t1\n"
	"NSpid:\t4364\t1\n"
	"NSpgid:\t4364\t1\n"
	"NSsid:\t4364\t1\n"
	"Kthread:\t0\n"
	"VmPeak:\t    1572 kB\n"
	"VmSize:\t    1572 kB\n"
	"VmLck:\t       0 kB\n"
	"VmRSS:\t     884 kB\n"
	"Threads:\t1\n"
	"SigQ:\t0/96364\n"
	"SigPnd:\t0000000000000000\n"
	"ShdPnd:\t0000000000000000\n"
	"SigBlk:\t0000000000000000\n"
	"SigIgn:\t0000000000000000\n"
	"SigCgt:\t0000000000000000\n"
	"CapInh:\t0000000000000420\n"
	"CapPrm:\t0000000000000000\n"
	"CapEff:\t0000000000000000\n"
	"CapBnd:\t0000000000000420\n"
	"CapAmb:\t0000000000000000\n"
	"NoNewPrivs:\t1\n"
	"Seccomp:\t2\n"
	"Seccomp_filters:\t1\n"
	"Speculation_Store_Bypass:\tthread force mitigated\n"
	"SpeculationIndirectBranch:\tconditional force disabled\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed_list:\t0\n"
	"voluntary_ctxt_switches:\t2\n"
	"nonvoluntary_ctxt_switches:\t0\n";

#define KILL_NBS ((hs_capset_t)0x420)
#define SYS_ADMIN ((hs_capset_t)1 << 21)

/* real_status with the line starting `prefix` replaced by `line` (or
 * removed when `line` is NULL). Caller frees. */
static char *edited(const char *prefix, const char *line)
{
	size_t cap = sizeof(real_status) + (line ? strlen(line) : 0) + 2;
	char *out = malloc(cap);
	const char *p = real_status;
	size_t len = 0;

	if (!out)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			if (line)
				len += (size_t)snprintf(out + len, cap - len,
							"%s\n", line);
		} else {
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	out[len] = '\0';
	return out;
}

/* What the hardened spec of real_status's container promised. */
static struct hs_expect expected(void)
{
	struct hs_expect e = {
		.uid = 65534,
		.gid = 65534,
		.inh = KILL_NBS,
		.prm = KILL_NBS,
		.eff = KILL_NBS,
		.bnd = KILL_NBS,
		.amb = 0,
	};

	return e;
}

static int parse_real(struct hs_proc_status *st)
{
	struct hs_error err = {0};

	return hs_attest_parse_status(real_status, st, &err);
}

/* --- parsing -------------------------------------------------------------- */

static void test_parse_real_status(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	int i;

	CHECK(hs_attest_parse_status(real_status, &st, &err) == 0);
	CHECK(err.count == 0);
	for (i = 0; i < 4; i++) {
		CHECK(st.uid[i] == 65534);
		CHECK(st.gid[i] == 65534);
	}
	CHECK(st.inh == KILL_NBS);
	CHECK(st.prm == 0);
	CHECK(st.eff == 0);
	CHECK(st.bnd == KILL_NBS);
	CHECK(st.amb == 0);
	CHECK(st.no_new_privs == 1);
	CHECK(st.seccomp == 2); /* not confused by Seccomp_filters */
	CHECK(st.seccomp_filters == 1);
}

/* Seccomp_filters is optional (kernels before 5.9 lack it), but a line
 * that is there must be a count. */
static void test_parse_seccomp_filters(void)
{
	static const char *const bad[] = {
		"Seccomp_filters:\t",
		"Seccomp_filters:\tx",
		"Seccomp_filters:\t-1",
		"Seccomp_filters:\t1x",
		"Seccomp_filters:\t99999999999",
	};
	struct hs_error err = {0};
	struct hs_proc_status st;
	_cleanup_free_ char *missing = edited("Seccomp_filters:", NULL);
	_cleanup_free_ char *two =
		edited("Seccomp_filters:", "Seccomp_filters:\t2");
	size_t i;

	CHECK(missing && two);
	CHECK(hs_attest_parse_status(missing, &st, &err) == 0);
	CHECK(st.seccomp_filters == -1);
	CHECK(hs_attest_parse_status(two, &st, &err) == 0);
	CHECK(st.seccomp_filters == 2);
	for (i = 0; i < HS_ARRAY_SIZE(bad); i++) {
		_cleanup_free_ char *text = edited("Seccomp_filters:", bad[i]);
		struct hs_error e = {0};

		CHECK(text);
		CHECK(hs_attest_parse_status(text, &st, &e) < 0);
		CHECK_CONTAINS(e.msg, "cannot parse line");
	}
}

static void test_parse_proc_self_status(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	char buf[HS_PROC_STATUS_MAX_BYTES];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(hs_attest_parse_status(buf, &st, &err) == 0);
	CHECK(st.uid[0] == getuid());
	CHECK(st.uid[1] == geteuid());
	CHECK(st.gid[0] == getgid());
	CHECK(st.no_new_privs == 0 || st.no_new_privs == 1);
	CHECK(st.seccomp >= 0 && st.seccomp <= 2);
	CHECK((st.eff & ~st.prm) == 0); /* the kernel's own invariant */
}

static void test_parse_missing_field(void)
{
	static const char *const fields[] = {
		"CapInh:", "CapPrm:", "CapEff:",     "CapBnd:",	  "CapAmb:",
		"Uid:",	   "Gid:",    "NoNewPrivs:", "Seccomp:\t"};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(fields); i++) {
		struct hs_error err = {0};
		struct hs_proc_status st;
		_cleanup_free_ char *text = edited(fields[i], NULL);
		char want[64];

		CHECK(text != NULL);
		CHECK(strstr(text, fields[i]) == NULL);
		CHECK(hs_attest_parse_status(text, &st, &err) < 0);
		CHECK(err.errnum == EINVAL);
		snprintf(want, sizeof(want),
			 "status: missing fields (have %#x of 0x1ff)",
			 0x1ffu & ~(1u << i));
		CHECK_STR(err.msg, want);
	}
}

static void test_parse_empty(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;

	CHECK(hs_attest_parse_status("", &st, &err) < 0);
	CHECK_STR(err.msg, "status: missing fields (have 0 of 0x1ff)");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_parse_status("no colon at all", &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "missing fields");
}

static void test_parse_malformed_hex(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	_cleanup_free_ char *a = edited("CapEff:", "CapEff:\tzzzz");
	_cleanup_free_ char *b = edited("CapBnd:", "CapBnd:\t00000000000004g0");
	_cleanup_free_ char *c = edited("CapPrm:", "CapPrm:\t");
	_cleanup_free_ char *d =
		edited("CapAmb:", "CapAmb:\t1ffffffffffffffffff");

	CHECK(a && b && c && d);
	CHECK(hs_attest_parse_status(a, &st, &err) < 0);
	CHECK_STR(err.msg, "status: cannot parse line \"CapEff:\tzzzz\"");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_parse_status(b, &st, &err) < 0);
	CHECK_STR(err.msg,
		  "status: cannot parse line \"CapBnd:\t00000000000004g0\"");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_parse_status(c, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "status: cannot parse line \"CapPrm:");
	memset(&err, 0, sizeof(err));
	/* More than 64 bits: ERANGE, not a silent truncation. */
	CHECK(hs_attest_parse_status(d, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "cannot parse line \"CapAmb:");
}

static void test_parse_malformed_ids(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	_cleanup_free_ char *three = edited("Uid:", "Uid:\t0\t0\t0");
	_cleanup_free_ char *big = edited("Gid:", "Gid:\t4294967296\t0\t0\t0");
	_cleanup_free_ char *word = edited("Uid:", "Uid:\troot\t0\t0\t0");

	CHECK(three && big && word);
	/* Three ids then a newline: the fourth must not come from the next
	 * line. */
	CHECK(hs_attest_parse_status(three, &st, &err) < 0);
	CHECK_STR(err.msg, "status: cannot parse line \"Uid:\t0\t0\t0\"");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_parse_status(big, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "cannot parse line \"Gid:\t4294967296");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_parse_status(word, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "cannot parse line \"Uid:\troot");
}

/* --- checking ------------------------------------------------------------- */

static void test_check_pass(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	CHECK(parse_real(&st) == 0);
	CHECK(hs_attest_check(&st, &e, 4364, &err) == 0);
	CHECK(err.count == 0);
}

static void test_check_seccomp_off(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	CHECK(parse_real(&st) == 0);
	st.seccomp = 0;
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK(err.errnum == EPERM);
	CHECK_STR(err.msg, "pid 4364: Seccomp is 0, expected 2 (filter)");
	memset(&err, 0, sizeof(err));
	st.seccomp = 1; /* strict mode is not our filter either */
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK_STR(err.msg, "pid 4364: Seccomp is 1, expected 2 (filter)");
}

static void test_check_seccomp_line_zero(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();
	_cleanup_free_ char *text = edited("Seccomp:\t", "Seccomp:\t0");

	CHECK(text != NULL);
	CHECK(hs_attest_parse_status(text, &st, &err) == 0);
	CHECK(hs_attest_check(&st, &e, 7, &err) < 0);
	CHECK_STR(err.msg, "pid 7: Seccomp is 0, expected 2 (filter)");
}

static void test_check_no_new_privs_off(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();
	_cleanup_free_ char *text = edited("NoNewPrivs:", "NoNewPrivs:\t0");

	CHECK(text != NULL);
	CHECK(hs_attest_parse_status(text, &st, &err) == 0);
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK_STR(err.msg, "pid 4364: NoNewPrivs is 0, expected 1");
}

static void test_check_uid_mismatch(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	CHECK(parse_real(&st) == 0);
	st.uid[0] = 0;
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK_STR(err.msg, "pid 4364: uid 0, expected 65534");
	/* Every one of real, effective, saved and fs counts: a saved uid 0
	 * could be switched back to. */
	memset(&err, 0, sizeof(err));
	st.uid[0] = 65534;
	st.uid[2] = 0;
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK_STR(err.msg, "pid 4364: uid 0, expected 65534");
}

static void test_check_gid_mismatch(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	CHECK(parse_real(&st) == 0);
	st.gid[3] = 0;
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK_STR(err.msg, "pid 4364: gid 0, expected 65534");
}

static void test_check_cap_eff_extra_bit(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	CHECK(parse_real(&st) == 0);
	st.eff = KILL_NBS | SYS_ADMIN;
	CHECK(hs_attest_check(&st, &e, 4364, &err) < 0);
	CHECK(err.errnum == EPERM);
	CHECK_STR(err.msg, "pid 4364: CapEff 0000000000200420 holds "
			   "capabilities beyond 0000000000000420");
}

static void test_check_other_sets_extra_bit(void)
{
	static const struct {
		size_t off;
		const char *name;
	} sets[] = {
		{offsetof(struct hs_proc_status, bnd), "CapBnd"},
		{offsetof(struct hs_proc_status, amb), "CapAmb"},
		{offsetof(struct hs_proc_status, inh), "CapInh"},
		{offsetof(struct hs_proc_status, prm), "CapPrm"},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(sets); i++) {
		struct hs_error err = {0};
		struct hs_proc_status st;
		struct hs_expect e = expected();
		char want[32];

		CHECK(parse_real(&st) == 0);
		*(hs_capset_t *)((char *)&st + sets[i].off) |= SYS_ADMIN;
		CHECK(hs_attest_check(&st, &e, 1, &err) < 0);
		snprintf(want, sizeof(want), "pid 1: %s ", sets[i].name);
		CHECK_CONTAINS(err.msg, want);
		CHECK_CONTAINS(err.msg, "holds capabilities beyond");
	}
}

static void test_check_cap_fewer_bits_pass(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	/* The workload may drop capabilities; only a gain fails. */
	CHECK(parse_real(&st) == 0);
	st.eff = (hs_capset_t)1 << 5; /* CAP_KILL alone */
	st.prm = st.eff;
	st.bnd = st.eff;
	st.inh = 0;
	CHECK(hs_attest_check(&st, &e, 4364, &err) == 0);
}

static void test_check_root_eff_equals_bounding_pass(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();
	int i;

	/* uid 0 gains its bounding set in permitted/effective at exec. */
	CHECK(parse_real(&st) == 0);
	for (i = 0; i < 4; i++)
		st.uid[i] = st.gid[i] = 0;
	e.uid = e.gid = 0;
	e.eff = e.prm = 0;
	st.eff = st.prm = st.bnd = KILL_NBS;
	CHECK(hs_attest_check(&st, &e, 1, &err) == 0);
	/* ...but not beyond it. */
	st.eff |= SYS_ADMIN;
	CHECK(hs_attest_check(&st, &e, 1, &err) < 0);
	CHECK_CONTAINS(err.msg, "pid 1: CapEff 0000000000200420 holds");
}

static void test_check_nonroot_eff_not_widened_by_bounding(void)
{
	struct hs_error err = {0};
	struct hs_proc_status st;
	struct hs_expect e = expected();

	/* For a non-root uid the root rule does not apply. */
	CHECK(parse_real(&st) == 0);
	e.eff = e.prm = 0;
	st.eff = KILL_NBS;
	CHECK(hs_attest_check(&st, &e, 9, &err) < 0);
	CHECK_STR(err.msg, "pid 9: CapEff 0000000000000420 holds capabilities "
			   "beyond 0000000000000000");
}

/* --- the expectation from a hardened spec -----------------------------------
 */

static void test_expect_from_spec(void)
{
	struct hs_error err = {0};
	struct hs_expect e;
	_cleanup_json_ json_t *spec = json_pack(
		"{s:{s:{s:i,s:i},s:{s:[s,s],s:[s],s:[],s:[s,s],s:[]}}}",
		"process", "user", "uid", 65534, "gid", 65534, "capabilities",
		"bounding", "CAP_KILL", "CAP_NET_BIND_SERVICE", "effective",
		"CAP_KILL", "inheritable", "permitted", "CAP_KILL",
		"CAP_NET_BIND_SERVICE", "ambient");

	CHECK(spec != NULL);
	CHECK(hs_attest_expect_from_spec(spec, "config.json", &e, &err) == 0);
	CHECK(e.uid == 65534 && e.gid == 65534);
	CHECK(e.bnd == KILL_NBS);
	CHECK(e.eff == (hs_capset_t)1 << 5);
	CHECK(e.inh == 0 && e.amb == 0);
	CHECK(e.prm == KILL_NBS);
}

static void test_expect_from_spec_errors(void)
{
	struct hs_error err = {0};
	struct hs_expect e;
	_cleanup_json_ json_t *bad = json_pack(
		"{s:{s:{s:i},s:{s:[s,s]}}}", "process", "user", "uid", 1,
		"capabilities", "bounding", "CAP_KILL", "CAP_BOGUS");
	_cleanup_json_ json_t *none = json_pack("{s:s}", "ociVersion", "1");

	CHECK(bad != NULL && none != NULL);
	CHECK(hs_attest_expect_from_spec(bad, "config.json", &e, &err) < 0);
	CHECK_STR(err.msg, "config.json: process.capabilities.bounding[1]: "
			   "unknown capability");
	memset(&err, 0, sizeof(err));
	CHECK(hs_attest_expect_from_spec(none, "config.json", &e, &err) < 0);
	CHECK_STR(err.msg, "config.json: process: missing");
}

int main(void)
{
	RUN(test_parse_real_status);
	RUN(test_parse_proc_self_status);
	RUN(test_parse_seccomp_filters);
	RUN(test_parse_missing_field);
	RUN(test_parse_empty);
	RUN(test_parse_malformed_hex);
	RUN(test_parse_malformed_ids);
	RUN(test_check_pass);
	RUN(test_check_seccomp_off);
	RUN(test_check_seccomp_line_zero);
	RUN(test_check_no_new_privs_off);
	RUN(test_check_uid_mismatch);
	RUN(test_check_gid_mismatch);
	RUN(test_check_cap_eff_extra_bit);
	RUN(test_check_other_sets_extra_bit);
	RUN(test_check_cap_fewer_bits_pass);
	RUN(test_check_root_eff_equals_bounding_pass);
	RUN(test_check_nonroot_eff_not_widened_by_bounding);
	RUN(test_expect_from_spec);
	RUN(test_expect_from_spec_errors);
	TEST_EXIT();
}
