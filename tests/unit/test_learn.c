/* hardshim learn's pure half: the kernel log line parser (most cases are
 * lines it must not take for a record), the kmsg sequence number, the
 * counting, and the profile built against a base. */
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_learn.h"
#include "hs_profile.h"
#include "hs_test.h"

#define REC                                                                  \
	"audit: type=1326 audit(1796637078.950:379): auid=4294967295 uid=0 " \
	"gid=0 ses=4294967295 pid=7610 comm=\"mkdir\" exe=\"/bin/busybox\" " \
	"sig=0 arch=c000003e syscall=83 compat=0 ip=0x4a3b2c code=0x7ffc0000"

static enum hs_learn_line parse(const char *line, struct hs_audit_record *r)
{
	memset(r, 0xa5, sizeof(*r));
	return hs_learn_parse_line(line, strlen(line), r);
}

static void test_dmesg_record(void)
{
	struct hs_audit_record r;

	CHECK(parse("[10940.337481] " REC, &r) == HS_LEARN_RECORD);
	CHECK(r.pid == 7610);
	CHECK(r.arch == 0xc000003e);
	CHECK(r.syscall == 83);
}

static void test_kmsg_and_audit_log_forms(void)
{
	struct hs_audit_record r;

	CHECK(parse(REC, &r) == HS_LEARN_RECORD);
	CHECK(parse("type=SECCOMP msg=audit(1.2:3): pid=5 arch=C000003E "
		    "syscall=0",
		    &r) == HS_LEARN_RECORD);
	CHECK(r.pid == 5 && r.arch == 0xc000003e && r.syscall == 0);
}

/* A comm is the container's to choose; the kernel quotes it (or hex-
 * encodes one with a space or quote), so a field inside it is no field. */
static void test_quoted_value_is_not_a_field(void)
{
	struct hs_audit_record r;

	CHECK(parse("audit: type=1326 pid=7 comm=\"pid=9 arch=0\" "
		    "arch=c000003e syscall=1",
		    &r) == HS_LEARN_RECORD);
	CHECK(r.pid == 7 && r.syscall == 1);
	CHECK(parse("audit: type=1326 pid=7 comm=\"open arch=c000003e "
		    "syscall=1",
		    &r) == HS_LEARN_MALFORMED);
}

static void test_other_lines(void)
{
	struct hs_audit_record r;

	CHECK(parse("", &r) == HS_LEARN_OTHER);
	CHECK(parse("garbage", &r) == HS_LEARN_OTHER);
	CHECK(parse("eth0: link up", &r) == HS_LEARN_OTHER);
	/* Another audit type, and the type only as part of a word. */
	CHECK(parse("audit: type=1400 pid=1 arch=c000003e syscall=1", &r) ==
	      HS_LEARN_OTHER);
	CHECK(parse("audit: xtype=1326 pid=1 arch=c000003e syscall=1", &r) ==
	      HS_LEARN_OTHER);
	CHECK(parse("audit: type=13260 pid=1 arch=c000003e syscall=1", &r) ==
	      HS_LEARN_OTHER);
}

static void test_malformed_records(void)
{
	static const char *const bad[] = {
		"audit: type=1326 pid=1 syscall=83",
		"audit: type=1326 arch=c000003e syscall=83",
		"audit: type=1326 pid=1 arch=c000003e",
		"audit: type=1326 pid=0 arch=c000003e syscall=83",
		"audit: type=1326 pid=-1 arch=c000003e syscall=83",
		"audit: type=1326 pid=+1 arch=c000003e syscall=83",
		"audit: type=1326 pid= arch=c000003e syscall=83",
		"audit: type=1326 pid=1 arch=0xc000003e syscall=83",
		"audit: type=1326 pid=1 arch=c000003e syscall=-1",
		"audit: type=1326 pid=1 arch=c000003e syscall=8x3",
		"audit: type=1326 pid=1 arch=1c000003e syscall=83",
		"audit: type=1326 pid=1 arch=c000003e syscall=4294967296",
		"audit: type=1326 pid=2147483648 arch=c000003e syscall=1",
		"audit: type=1326 pid=99999999999999999999999 arch=1 "
		"syscall=1",
		"audit: type=1326 pid=1 pid=2 arch=c000003e syscall=83",
		"audit: type=1326 pid=1 arch=c000003e syscall=83 syscall=84",
	};
	struct hs_audit_record r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &r) != HS_LEARN_MALFORMED)
			printf("# %s\n", bad[i]);
		CHECK(parse(bad[i], &r) == HS_LEARN_MALFORMED);
	}
}

static void test_embedded_nul_is_malformed(void)
{
	static const char line[] = "audit: type=1326 pid=1\0 arch=c000003e "
				   "syscall=83";
	struct hs_audit_record r;

	CHECK(hs_learn_parse_line(line, sizeof(line) - 1, &r) ==
	      HS_LEARN_MALFORMED);
}

/* Only `len` bytes are read: a record cut short is not completed by
 * whatever follows it in memory. */
static void test_length_bounds_the_line(void)
{
	const char *line = "audit: type=1326 pid=1 arch=c000003e syscall=83";
	struct hs_audit_record r;

	CHECK(hs_learn_parse_line(line, strlen(line) - 12, &r) ==
	      HS_LEARN_MALFORMED);
	CHECK(hs_learn_parse_line(line, strlen(line) - 1, &r) ==
	      HS_LEARN_RECORD);
	CHECK(r.syscall == 8);
}

static void test_loss_lines(void)
{
	struct hs_audit_record r;

	CHECK(parse("[ 5.1] kauditd_printk_skb: 42 callbacks suppressed", &r) ==
	      HS_LEARN_LOSS);
	CHECK(parse("audit: audit_lost=3 audit_rate_limit=0 "
		    "audit_backlog_limit=64",
		    &r) == HS_LEARN_LOSS);
	CHECK(parse("audit: printk limit exceeded", &r) == HS_LEARN_LOSS);
	CHECK(parse("audit: backlog limit exceeded", &r) == HS_LEARN_LOSS);
}

static void test_kmsg_seq(void)
{
	const char *rec = "6,4242,10940337481,-;audit: type=1326 pid=1";
	uint64_t seq = 7;

	CHECK(hs_learn_kmsg_seq(rec, strlen(rec), &seq) == 0);
	CHECK(seq == 4242);
	CHECK(hs_learn_kmsg_seq("6;4242,1", 8, &seq) < 0);
	CHECK(hs_learn_kmsg_seq("6,x,1;m", 7, &seq) < 0);
	CHECK(hs_learn_kmsg_seq("6,,1;m", 6, &seq) < 0);
	CHECK(hs_learn_kmsg_seq("no prefix", 9, &seq) < 0);
	CHECK(hs_learn_kmsg_seq("6,12;m,1", 8, &seq) < 0);
	CHECK(seq == 4242);
}

static void add(struct hs_learn *l, const char *line)
{
	hs_learn_add_line(l, line, strlen(line));
}

static void test_counting_and_pids(void)
{
	struct hs_learn *l = calloc(1, sizeof(*l));

	CHECK(l);
	CHECK(hs_learn_add_pid(l, 7) == 0);
	CHECK(hs_learn_add_pid(l, 7) == 0);
	CHECK(l->n_pids == 1);
	add(l, "audit: type=1326 pid=7 arch=c000003e syscall=83");
	add(l, "audit: type=1326 pid=7 arch=c000003e syscall=83");
	add(l, "audit: type=1326 pid=8 arch=c000003e syscall=90");
	add(l, "audit: type=1326 pid=7 arch=c000003e");
	add(l, "junk");
	add(l, "x: 1 callbacks suppressed");
	CHECK(l->lines == 6 && l->records == 2 && l->other_pids == 1);
	CHECK(l->malformed == 1 && l->ignored == 1 && l->losses == 1);
	CHECK(l->n_seen == 1 && l->seen[0].count == 2);
	CHECK(l->pid_seen[0]);
	free(l);
}

static json_t *base_profile(void)
{
	const char *text =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		"[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": "
		"[\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
		"{\"names\": [\"personality\"], \"action\": "
		"\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, "
		"\"op\": \"SCMP_CMP_EQ\"}]}]}";
	struct hs_error err = {0};

	return hs_json_load_buffer(text, strlen(text), "base", &err);
}

/* Sorted, unique, what the base lacks (a conditional allow counts as
 * lacking); escape syscalls and unknown numbers apart. */
static void test_profile(void)
{
	struct hs_learn *l = calloc(1, sizeof(*l));
	_cleanup_json_ json_t *base = base_profile();
	_cleanup_json_ json_t *p = NULL;
	struct hs_learn_result r;
	struct hs_error err = {0};
	_cleanup_free_ char *names = NULL;

	CHECK(l && base);
	add(l, "type=1326 pid=1 arch=c000003e syscall=83"); /* mkdir */
	add(l, "type=1326 pid=1 arch=c000003e syscall=0"); /* read */
	add(l, "type=1326 pid=1 arch=c000003e syscall=90"); /* chmod */
	add(l, "type=1326 pid=1 arch=c000003e syscall=135"); /* personality */
	add(l, "type=1326 pid=1 arch=c000003e syscall=272"); /* unshare */
	add(l, "type=1326 pid=1 arch=c000003e syscall=99999");
	add(l, "type=1326 pid=1 arch=c0ffee00 syscall=1");
	add(l, "type=1326 pid=2 arch=40000003 syscall=39"); /* i386 mkdir */
	p = hs_learn_profile(l, base, "base.json", &r, &err);
	CHECK(p);
	names = json_dumps(
		json_object_get(
			json_array_get(json_object_get(p, "syscalls"), 0),
			"names"),
		JSON_COMPACT);
	CHECK_STR(names, "[\"chmod\",\"mkdir\",\"personality\"]");
	CHECK_STR(json_string_value(json_object_get(p, "extends")),
		  "base.json");
	CHECK(json_array_size(r.dangerous) == 1);
	CHECK_STR(json_string_value(json_array_get(r.dangerous, 0)), "unshare");
	CHECK_CONTAINS(json_string_value(json_object_get(p, "comment")),
		       "unshare");
	CHECK(json_array_size(r.unknown) == 2);
	CHECK_STR(json_string_value(json_array_get(r.unknown, 0)),
		  "syscall 99999 on SCMP_ARCH_X86_64");
	CHECK_STR(json_string_value(json_array_get(r.unknown, 1)),
		  "arch c0ffee00");
	CHECK(r.already_allowed == 1);
	CHECK(hs_profile_validate(p, "learned", &err) == 0);
	hs_learn_result_free(&r);
	free(l);
}

/* Nothing new: a profile that only extends. */
static void test_profile_nothing_new(void)
{
	struct hs_learn *l = calloc(1, sizeof(*l));
	_cleanup_json_ json_t *base = base_profile();
	_cleanup_json_ json_t *p = NULL;
	struct hs_learn_result r;
	struct hs_error err = {0};

	CHECK(l && base);
	add(l, "type=1326 pid=1 arch=c000003e syscall=1"); /* write */
	p = hs_learn_profile(l, base, "base.json", &r, &err);
	CHECK(p);
	CHECK(json_object_get(p, "syscalls") == NULL);
	CHECK(r.already_allowed == 1);
	hs_learn_result_free(&r);
	free(l);
}

static void test_pid_limit(void)
{
	struct hs_learn *l = calloc(1, sizeof(*l));
	uint32_t i;

	CHECK(l);
	for (i = 1; i <= HS_LEARN_MAX_PIDS; i++)
		CHECK(hs_learn_add_pid(l, i) == 0);
	CHECK(hs_learn_add_pid(l, i) < 0);
	free(l);
}

int main(void)
{
	RUN(test_dmesg_record);
	RUN(test_kmsg_and_audit_log_forms);
	RUN(test_quoted_value_is_not_a_field);
	RUN(test_other_lines);
	RUN(test_malformed_records);
	RUN(test_embedded_nul_is_malformed);
	RUN(test_length_bounds_the_line);
	RUN(test_loss_lines);
	RUN(test_kmsg_seq);
	RUN(test_counting_and_pids);
	RUN(test_profile);
	RUN(test_profile_nothing_new);
	RUN(test_pid_limit);
	TEST_EXIT();
}
