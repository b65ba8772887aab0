/* netpol/cidr.c: strict CIDR parsing (host bits, prefixes, leading zeros,
 * whitespace), canonical formatting, and range set arithmetic at the edges
 * where 128-bit arithmetic on byte arrays could go wrong: carries across
 * bytes, the first and last address of each family, splitting, merging,
 * and the set size limit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_netpol.h"
#include "hs_test.h"

/* Parses `s` (which must be valid) into a range. */
static struct hs_range R(const char *s) {
	struct hs_cidr c;
	struct hs_range r;
	char why[128];

	memset(&r, 0, sizeof(r));
	if (hs_cidr_parse(s, &c, why, sizeof(why)) < 0) {
		printf("  bad test CIDR %s: %s\n", s, why);
		abort();
	}
	hs_cidr_to_range(&c, &r);
	return r;
}

/* An inclusive range from two bare addresses. */
static struct hs_range
RR(const char *lo, const char *hi) {
	struct hs_range r = {R(lo).lo, R(hi).hi};

	return r;
}

static struct hs_addr
A(const char *s) {
	return R(s).lo;
}

static bool
same(const struct hs_range *a, const struct hs_range *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static int add(struct hs_range_set *s, const char *cidr)
{
	struct hs_range r = R(cidr);

	return hs_range_set_add(s, &r);
}

static int add2(struct hs_range_set *s, const char *lo, const char *hi)
{
	struct hs_range r = RR(lo, hi);

	return hs_range_set_add(s, &r);
}

static int sub(struct hs_range_set *s, const char *cidr)
{
	struct hs_range r = R(cidr);

	return hs_range_set_subtract(s, &r);
}

static int sub2(struct hs_range_set *s, const char *lo, const char *hi)
{
	struct hs_range r = RR(lo, hi);

	return hs_range_set_subtract(s, &r);
}

/* Whether range `r` is exactly the CIDR, or exactly [lo, hi]. */
static bool is(const struct hs_range *r, const char *cidr)
{
	struct hs_range x = R(cidr);

	return same(r, &x);
}

static bool is2(const struct hs_range *r, const char *lo, const char *hi)
{
	struct hs_range x = RR(lo, hi);

	return same(r, &x);
}

static bool has(const struct hs_range_set *s, const char *addr)
{
	struct hs_addr a = A(addr);

	return hs_range_set_contains(s, &a);
}

static bool addr_is(const struct hs_addr *a, const char *addr)
{
	struct hs_addr x = A(addr);

	return memcmp(a, &x, sizeof(x)) == 0;
}

/* "why" for an invalid CIDR, or "(accepted)". */
static const char *why_of(const char *s, char *why, size_t size)
{
	struct hs_cidr c;

	if (hs_cidr_parse(s, &c, why, size) == 0)
		snprintf(why, size, "(accepted)");
	return why;
}

static const char *fmt(const char *s, char *buf, size_t size)
{
	struct hs_cidr c;
	char why[128];

	if (hs_cidr_parse(s, &c, why, sizeof(why)) < 0)
		snprintf(buf, size, "error: %.48s", why);
	else
		hs_cidr_format(&c, buf, size);
	return buf;
}

/* --- parsing and formatting ---------------------------------------------- */

static void test_parse_v4(void)
{
	struct hs_cidr c;
	char why[128], buf[64];

	CHECK(hs_cidr_parse("10.0.0.0/8", &c, why, sizeof(why)) == 0);
	CHECK(c.family == HS_FAMILY_V4);
	CHECK(c.prefix == 8);
	CHECK(c.addr.b[0] == 10 && c.addr.b[1] == 0);
	CHECK_STR(fmt("10.0.0.0/8", buf, sizeof(buf)), "10.0.0.0/8");
	/* A bare address is a /32. */
	CHECK(hs_cidr_parse("10.10.0.10", &c, why, sizeof(why)) == 0);
	CHECK(c.prefix == 32);
	CHECK_STR(fmt("10.10.0.10", buf, sizeof(buf)), "10.10.0.10/32");
	CHECK_STR(fmt("0.0.0.0/0", buf, sizeof(buf)), "0.0.0.0/0");
	CHECK_STR(fmt("255.255.255.255/32", buf, sizeof(buf)),
		  "255.255.255.255/32");
	CHECK_STR(fmt("0.0.0.0", buf, sizeof(buf)), "0.0.0.0/32");
	CHECK_STR(fmt("100.64.0.0/10", buf, sizeof(buf)), "100.64.0.0/10");
}

static void test_parse_v6(void)
{
	struct hs_cidr c;
	char why[128], buf[64];

	CHECK(hs_cidr_parse("fd00::/8", &c, why, sizeof(why)) == 0);
	CHECK(c.family == HS_FAMILY_V6);
	CHECK(c.prefix == 8);
	CHECK(c.addr.b[0] == 0xfd);
	CHECK(hs_cidr_parse("fd00:ec2::254", &c, why, sizeof(why)) == 0);
	CHECK(c.prefix == 128);
	/* Canonical: lower case, zeros compressed, no padding. */
	CHECK_STR(fmt("2001:DB8:0:0::/32", buf, sizeof(buf)), "2001:db8::/32");
	CHECK_STR(fmt("2001:0db8:0000::/32", buf, sizeof(buf)),
		  "2001:db8::/32");
	CHECK_STR(fmt("::/0", buf, sizeof(buf)), "::/0");
	CHECK_STR(fmt("::1", buf, sizeof(buf)), "::1/128");
	CHECK_STR(fmt("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", buf,
		      sizeof(buf)),
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	CHECK_STR(fmt("64:ff9b::a9fe:0/112", buf, sizeof(buf)),
		  "64:ff9b::a9fe:0/112");
}

/* IPv4-mapped IPv6 is IPv6: it is matched by ip6 rules, never by ip. */
static void test_parse_v4_mapped(void)
{
	struct hs_cidr c;
	char why[128], buf[64];

	CHECK(hs_cidr_parse("::ffff:169.254.169.254", &c, why, sizeof(why)) ==
	      0);
	CHECK(c.family == HS_FAMILY_V6);
	CHECK(c.prefix == 128);
	CHECK(c.addr.b[10] == 0xff && c.addr.b[11] == 0xff);
	CHECK(c.addr.b[12] == 169 && c.addr.b[15] == 254);
	CHECK_STR(fmt("::ffff:169.254.169.254", buf, sizeof(buf)),
		  "::ffff:169.254.169.254/128");
	CHECK_STR(fmt("::ffff:0:0/96", buf, sizeof(buf)), "::ffff:0.0.0.0/96");
}

static void test_host_bits_v4(void)
{
	char why[128];

	CHECK_STR(why_of("10.1.2.3/8", why, sizeof(why)),
		  "host bits set: did you mean 10.0.0.0/8?");
	CHECK_STR(why_of("10.0.0.128/24", why, sizeof(why)),
		  "host bits set: did you mean 10.0.0.0/24?");
	CHECK_STR(why_of("0.0.0.1/0", why, sizeof(why)),
		  "host bits set: did you mean 0.0.0.0/0?");
	CHECK_STR(why_of("100.127.0.0/10", why, sizeof(why)),
		  "host bits set: did you mean 100.64.0.0/10?");
	CHECK_STR(why_of("10.0.0.1/31", why, sizeof(why)),
		  "host bits set: did you mean 10.0.0.0/31?");
}

static void test_host_bits_v6(void)
{
	char why[128];

	CHECK_STR(why_of("fd00::1/8", why, sizeof(why)),
		  "host bits set: did you mean fd00::/8?");
	CHECK_STR(why_of("2001:db8::1:0/64", why, sizeof(why)),
		  "host bits set: did you mean 2001:db8::/64?");
	CHECK_STR(why_of("fe80::/8", why, sizeof(why)),
		  "host bits set: did you mean fe00::/8?");
	CHECK_STR(why_of("fe80::/9", why, sizeof(why)), "(accepted)");
	CHECK_STR(why_of("::1/127", why, sizeof(why)),
		  "host bits set: did you mean ::/127?");
	CHECK_STR(why_of("::ffff:0:1/96", why, sizeof(why)),
		  "host bits set: did you mean ::ffff:0.0.0.0/96?");
}

static void test_bad_prefix(void)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{"10.0.0.0/33", "prefix \"33\" is not a number from 0 to 32"},
		{"fd00::/129", "prefix \"129\" is not a number from 0 to 128"},
		{"10.0.0.0/-1", "prefix \"-1\" is not a number from 0 to 32"},
		{"10.0.0.0/x", "prefix \"x\" is not a number from 0 to 32"},
		{"10.0.0.0/", "prefix \"\" is not a number from 0 to 32"},
		{"10.0.0.0/08", "prefix \"08\" is not a number from 0 to 32"},
		{"10.0.0.0/+8", "prefix \"+8\" is not a number from 0 to 32"},
		{"10.0.0.0/ 8", "prefix \" 8\" is not a number from 0 to 32"},
		{"10.0.0.0/8 ", "prefix \"8 \" is not a number from 0 to 32"},
		{"10.0.0.0/8/8", "prefix \"8/8\" is not a number from 0 to 32"},
		{"::/4294967424",
		 "prefix \"4294967424\" is not a number from 0 to 128"},
		{"::/1280", "prefix \"1280\" is not a number from 0 to 128"},
	};
	char why[128];
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++)
		CHECK_STR(why_of(cases[i].in, why, sizeof(why)), cases[i].why);
}

static void test_bad_address(void)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{"", "empty, not a CIDR"},
		{"/8", "not an IPv4 or IPv6 address"},
		{"10.0.0", "not an IPv4 address"},
		{"10.0.0.256/32", "not an IPv4 address"},
		{"10.0.0.0.0/8", "not an IPv4 address"},
		{"1:2:3:4:5:6:7:8:9/128", "not an IPv6 address"},
		{"fd00:::/8", "not an IPv6 address"},
		{"010.0.0.1", "leading zero in a decimal number"},
		{"10.0.0.01/32", "leading zero in a decimal number"},
		{"10.00.0.0/16", "leading zero in a decimal number"},
		{"::ffff:010.0.0.1", "leading zero in a decimal number"},
		{" 10.0.0.0/8", "not an address: only digits"},
		{"10.0.0.0 /8", "not an address: only digits"},
		{"10.0.0.0\n", "not an address: only digits"},
		{"0x0a.0.0.0/8", "not an address: only digits"},
		{"fe80::1%eth0", "not an address: only digits"},
		{"-10.0.0.0/8", "not an address: only digits"},
		{"metadata.google.internal", "not an address: only digits"},
		/* Longer than any address text: refused before inet_pton. */
		{"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/128",
		 "not an IPv4 or IPv6 address"},
	};
	char why[128];
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++)
		CHECK_CONTAINS(why_of(cases[i].in, why, sizeof(why)),
			       cases[i].why);
	/* 0 alone is not a leading zero. */
	CHECK_STR(why_of("10.0.0.0/8", why, sizeof(why)), "(accepted)");
	CHECK_STR(why_of("0.0.0.0", why, sizeof(why)), "(accepted)");
	CHECK_STR(why_of("100.0.10.0/24", why, sizeof(why)), "(accepted)");
}

/* The reason is cut to the buffer, never overflows it. */
static void test_why_truncated(void)
{
	struct hs_cidr c;
	char why[8];

	memset(why, 'x', sizeof(why));
	CHECK(hs_cidr_parse("10.1.2.3/8", &c, why, sizeof(why)) < 0);
	CHECK(strlen(why) == 7);
	CHECK(hs_cidr_parse("10.0.0.0/8", &c, NULL, 0) == 0);
}

static void test_cidr_to_range(void)
{
	struct hs_range r = R("10.0.0.0/8");

	CHECK(same(&r, &(struct hs_range){A("10.0.0.0"), A("10.255.255.255")}));
	r = R("0.0.0.0/0");
	CHECK(same(&r, &(struct hs_range){A("0.0.0.0"), A("255.255.255.255")}));
	/* IPv4 leaves bytes 4..15 zero even for /0. */
	CHECK(r.hi.b[4] == 0 && r.hi.b[15] == 0);
	r = R("::/0");
	CHECK(same(&r, &(struct hs_range){
			       A("::"),
			       A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}));
	r = R("100.64.0.0/10");
	CHECK(same(&r,
		   &(struct hs_range){A("100.64.0.0"), A("100.127.255.255")}));
	r = R("2001:db8::/33");
	CHECK(same(&r, &(struct hs_range){
			       A("2001:db8::"),
			       A("2001:db8:7fff:ffff:ffff:ffff:ffff:ffff")}));
	r = R("10.0.0.10");
	CHECK(same(&r, &(struct hs_range){A("10.0.0.10"), A("10.0.0.10")}));
}

static void test_cidr_contains(void)
{
	struct hs_cidr a, b, v6all, v4all, mapped;
	char why[64];

	CHECK(hs_cidr_parse("10.0.0.0/8", &a, why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("10.1.0.0/16", &b, why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("::/0", &v6all, why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("0.0.0.0/0", &v4all, why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("::ffff:10.0.0.0/104", &mapped, why, sizeof(why)) ==
	      0);
	CHECK(hs_cidr_contains(&a, &b));
	CHECK(!hs_cidr_contains(&b, &a));
	CHECK(hs_cidr_contains(&a, &a));
	CHECK(hs_cidr_contains(&v4all, &a));
	CHECK(!hs_cidr_contains(&v6all, &a));
	CHECK(!hs_cidr_contains(&v4all, &v6all));
	/* ::ffff:10.0.0.0/104 is IPv6, not "inside" 10.0.0.0/8. */
	CHECK(!hs_cidr_contains(&a, &mapped));
	CHECK(hs_cidr_contains(&v6all, &mapped));
	CHECK(hs_cidr_parse("10.1.0.0/16", &a, why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("10.0.0.0/16", &b, why, sizeof(why)) == 0);
	CHECK(!hs_cidr_contains(&b, &a));
}

static void test_addr_inc(void)
{
	struct hs_addr a = A("10.0.0.255"), top4 = A("255.255.255.255");
	struct hs_addr top6 = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	struct hs_addr before;

	CHECK(hs_addr_inc(&a, HS_FAMILY_V4));
	CHECK(addr_is(&a, "10.0.1.0"));
	before = top4;
	CHECK(!hs_addr_inc(&top4, HS_FAMILY_V4));
	CHECK(memcmp(&top4, &before, sizeof(top4)) == 0);
	before = top6;
	CHECK(!hs_addr_inc(&top6, HS_FAMILY_V6));
	CHECK(memcmp(&top6, &before, sizeof(top6)) == 0);
	a = A("2001:db8:0:0:ffff:ffff:ffff:ffff");
	CHECK(hs_addr_inc(&a, HS_FAMILY_V6));
	CHECK(addr_is(&a, "2001:db8:0:1::"));
	/* 255.255.255.255 + 1 in IPv6 terms is ::1:0:0, not an overflow:
	 * the family decides. */
	a = A("255.255.255.255");
	CHECK(hs_addr_inc(&a, HS_FAMILY_V6));
}

/* --- range sets ------------------------------------------------------------
 */

static void test_merge_adjacent(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "10.0.0.128/25") == 0);
	CHECK(add(&s, "10.0.0.0/25") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "10.0.0.0/24"));
	/* Across an octet: 10.0.0.255 and 10.0.1.0. */
	CHECK(add(&s, "10.0.1.0/24") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "10.0.0.0/23"));
}

static void test_merge_overlapping(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "10.0.0.0/8") == 0);
	CHECK(add(&s, "10.1.0.0/16") == 0);
	CHECK(add2(&s, "9.255.255.0", "10.0.0.5") == 0);
	CHECK(add(&s, "10.0.0.0/8") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is2(&s.r[0], "9.255.255.0", "10.255.255.255"));
}

/* 10.20.0.0/16 and 10.30.0.0/16 have a gap: two ranges, sorted. */
static void test_gap_kept(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "10.30.0.0/16") == 0);
	CHECK(add(&s, "10.20.0.0/16") == 0);
	/* One address short of adjacent. */
	CHECK(add(&s, "10.21.0.1") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 3);
	CHECK(is(&s.r[0], "10.20.0.0/16"));
	CHECK(is(&s.r[2], "10.30.0.0/16"));
}

static void test_subtract_split(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "10.0.0.0/8") == 0);
	CHECK(sub(&s, "10.1.0.0/16") == 0);
	CHECK(s.n == 2);
	CHECK(is2(&s.r[0], "10.0.0.0", "10.0.255.255"));
	CHECK(is2(&s.r[1], "10.2.0.0", "10.255.255.255"));
	CHECK(!has(&s, "10.1.2.3"));
	CHECK(has(&s, "10.0.255.255"));
	CHECK(has(&s, "10.2.0.0"));
	/* At the low edge and the high edge: one range left each time. */
	CHECK(sub(&s, "10.0.0.0/16") == 0);
	CHECK(s.n == 1);
	CHECK(sub(&s, "10.128.0.0/9") == 0);
	CHECK(s.n == 1);
	CHECK(is2(&s.r[0], "10.2.0.0", "10.127.255.255"));
	/* Disjoint: nothing changes. */
	CHECK(sub(&s, "192.0.2.0/24") == 0);
	CHECK(s.n == 1);
}

static void test_subtract_whole(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "10.1.0.0/16") == 0);
	CHECK(add(&s, "10.3.0.0/16") == 0);
	CHECK(add(&s, "11.0.0.0/8") == 0);
	CHECK(sub(&s, "10.0.0.0/8") == 0);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "11.0.0.0/8"));
	CHECK(sub(&s, "11.0.0.0/8") == 0);
	CHECK(s.n == 0);
	CHECK(!has(&s, "11.0.0.1"));
	/* Subtracting from an empty set is a no-op, not an error. */
	CHECK(sub(&s, "0.0.0.0/0") == 0);
	CHECK(s.n == 0);
}

/* Carries and borrows that cross byte (and 16-bit group) boundaries. */
static void test_v6_byte_boundaries(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V6);
	CHECK(add2(&s, "2001:db8::100", "2001:db8::1ff") == 0);
	CHECK(add2(&s, "2001:db8::", "2001:db8::ff") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "2001:db8::/119"));
	hs_range_set_free(&s);

	hs_range_set_init(&s, HS_FAMILY_V6);
	CHECK(add(&s, "2001:db8::/112") == 0);
	CHECK(sub(&s, "2001:db8::100/120") == 0);
	CHECK(s.n == 2);
	CHECK(is2(&s.r[0], "2001:db8::", "2001:db8::ff"));
	CHECK(is2(&s.r[1], "2001:db8::200", "2001:db8::ffff"));
	hs_range_set_free(&s);

	/* A borrow through eight bytes: 2001:db8:0:1:: - 1. */
	hs_range_set_init(&s, HS_FAMILY_V6);
	CHECK(add(&s, "2001:db8::/63") == 0);
	CHECK(sub(&s, "2001:db8:0:1::/64") == 0);
	CHECK(s.n == 1);
	CHECK(is2(&s.r[0], "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff"));
	/* and the carry back: adjacent again, merged. */
	CHECK(add(&s, "2001:db8:0:1::/64") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "2001:db8::/63"));
}

static void test_v4_full_space_edges(void)
{
	_cleanup_range_set_ struct hs_range_set s;

	hs_range_set_init(&s, HS_FAMILY_V4);
	CHECK(add(&s, "0.0.0.0/0") == 0);
	CHECK(sub(&s, "255.255.255.255") == 0);
	CHECK(s.n == 1);
	CHECK(is2(&s.r[0], "0.0.0.0", "255.255.255.254"));
	CHECK(sub(&s, "0.0.0.0") == 0);
	CHECK(is2(&s.r[0], "0.0.0.1", "255.255.255.254"));
	/* Put both ends back: one range, the whole space. */
	CHECK(add(&s, "255.255.255.255") == 0);
	CHECK(add(&s, "0.0.0.0") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "0.0.0.0/0"));
	/* A range ending at the last address merges with one inside it,
	 * and adding the last address twice does not wrap. */
	CHECK(add(&s, "255.255.255.255") == 0);
	CHECK(add(&s, "128.0.0.0/1") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(has(&s, "255.255.255.255"));
	CHECK(has(&s, "0.0.0.0"));
	/* 0.0.0.0/0 minus the middle: halves stay halves. */
	CHECK(sub2(&s, "127.255.255.255", "128.0.0.0") == 0);
	CHECK(s.n == 2);
	CHECK(is2(&s.r[0], "0.0.0.0", "127.255.255.254"));
	CHECK(is2(&s.r[1], "128.0.0.1", "255.255.255.255"));
}

static void test_v6_full_space_edges(void)
{
	_cleanup_range_set_ struct hs_range_set s;
	const char *top = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

	hs_range_set_init(&s, HS_FAMILY_V6);
	CHECK(add(&s, "::/0") == 0);
	CHECK(sub(&s, top) == 0);
	CHECK(sub(&s, "::") == 0);
	CHECK(s.n == 1);
	CHECK(is2(&s.r[0], "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	CHECK(add(&s, "8000::/1") == 0);
	CHECK(add(&s, "::") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "::/0"));
	/* The shipped internet rule: ::/0 minus fc00::/7, fe80::/10, ::1. */
	CHECK(sub(&s, "fc00::/7") == 0);
	CHECK(sub(&s, "fe80::/10") == 0);
	CHECK(sub(&s, "::1") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 4);
	CHECK(has(&s, "::"));
	CHECK(!has(&s, "::1"));
	CHECK(has(&s, "::2"));
	CHECK(!has(&s, "fd00::1"));
	CHECK(has(&s, "fe00::"));
	CHECK(!has(&s, "febf::1"));
	CHECK(has(&s, "fec0::"));
	CHECK(has(&s, top));
}

/* Deterministic shuffle (xorshift), so a failure reproduces. */
static void shuffle(struct hs_range *r, size_t n)
{
	uint32_t x = 2463534242u;
	size_t i;

	for (i = n; i > 1; i--) {
		struct hs_range t;
		size_t j;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		j = x % i;
		t = r[i - 1];
		r[i - 1] = r[j];
		r[j] = t;
	}
}

static struct hs_range host_v4(uint32_t a)
{
	struct hs_range r;

	memset(&r, 0, sizeof(r));
	r.lo.b[0] = (uint8_t)(a >> 24);
	r.lo.b[1] = (uint8_t)(a >> 16);
	r.lo.b[2] = (uint8_t)(a >> 8);
	r.lo.b[3] = (uint8_t)a;
	r.hi = r.lo;
	return r;
}

/* Every other address of 10.0.0.0/8: none adjacent, none merged. */
static void test_normalize_scattered(void)
{
	_cleanup_range_set_ struct hs_range_set s;
	_cleanup_free_ struct hs_range *in = calloc(10000, sizeof(*in));
	struct hs_range want;
	size_t i;

	CHECK(in != NULL);
	for (i = 0; i < 10000; i++)
		in[i] = host_v4(0x0a000000u + 2 * (uint32_t)i);
	shuffle(in, 10000);
	hs_range_set_init(&s, HS_FAMILY_V4);
	for (i = 0; i < 10000; i++)
		CHECK(hs_range_set_add(&s, &in[i]) == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 10000);
	for (i = 0; i < 10000; i++) {
		want = host_v4(0x0a000000u + 2 * (uint32_t)i);
		CHECK(same(&s.r[i], &want));
	}
	CHECK(has(&s, "10.0.0.2"));
	CHECK(!has(&s, "10.0.0.3"));
}

static void test_normalize_256_adjacent(void)
{
	_cleanup_range_set_ struct hs_range_set s;
	struct hs_range in[256];
	size_t i;

	for (i = 0; i < 256; i++)
		in[i] = host_v4(0x0a000000u + (uint32_t)i);
	shuffle(in, 256);
	hs_range_set_init(&s, HS_FAMILY_V4);
	for (i = 0; i < 256; i++)
		CHECK(hs_range_set_add(&s, &in[i]) == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 1);
	CHECK(is(&s.r[0], "10.0.0.0/24"));
}

/* The limit is an error that leaves the set as it was, not a crash. */
static void test_set_limit(void)
{
	_cleanup_range_set_ struct hs_range_set s;
	struct hs_range r;
	size_t i;

	hs_range_set_init(&s, HS_FAMILY_V4);
	for (i = 0; i < HS_NETPOL_MAX_SET_ELEMENTS; i++) {
		r = host_v4(0x0a000000u + 2 * (uint32_t)i);
		CHECK(hs_range_set_add(&s, &r) == 0);
	}
	r = host_v4(0x0b000000u);
	errno = 0;
	CHECK(hs_range_set_add(&s, &r) < 0);
	CHECK(errno == E2BIG);
	CHECK(s.n == HS_NETPOL_MAX_SET_ELEMENTS);
	/* Splitting one range in two would exceed it too. */
	hs_range_set_free(&s);
	hs_range_set_init(&s, HS_FAMILY_V4);
	for (i = 0; i < HS_NETPOL_MAX_SET_ELEMENTS; i++) {
		r = host_v4(0x0a000000u + 4 * (uint32_t)i);
		r.hi.b[3] |= 2; /* a.b.c.d - a.b.c.d+2 */
		CHECK(hs_range_set_add(&s, &r) == 0);
	}
	r = host_v4(0x0a000001u);
	errno = 0;
	CHECK(hs_range_set_subtract(&s, &r) < 0);
	CHECK(errno == E2BIG);
	CHECK(s.n == HS_NETPOL_MAX_SET_ELEMENTS);
	CHECK(has(&s, "10.0.0.1"));
	/* Removing the whole first range shrinks it instead. */
	r.hi.b[3] = 2;
	r.lo.b[3] = 0;
	CHECK(hs_range_set_subtract(&s, &r) == 0);
	CHECK(s.n == HS_NETPOL_MAX_SET_ELEMENTS - 1);
}

static void test_invalid_ranges(void)
{
	_cleanup_range_set_ struct hs_range_set s;
	struct hs_range r = RR("10.0.0.9", "10.0.0.1");

	hs_range_set_init(&s, HS_FAMILY_V4);
	errno = 0;
	CHECK(hs_range_set_add(&s, &r) < 0);
	CHECK(errno == EINVAL);
	/* An IPv6 range in an IPv4 set would sort wrongly. */
	r = R("2001:db8::/32");
	errno = 0;
	CHECK(hs_range_set_add(&s, &r) < 0);
	CHECK(errno == EINVAL);
	errno = 0;
	CHECK(hs_range_set_subtract(&s, &r) < 0);
	CHECK(errno == EINVAL);
	CHECK(s.n == 0);
	/* An empty set contains nothing, normalizes to nothing. */
	hs_range_set_normalize(&s);
	CHECK(!has(&s, "0.0.0.0"));
}

/* covers: a range inside one range of the set; not one that spans a gap,
 * sticks out at either end, or lies in a gap; an empty set covers nothing;
 * the last address of the family; an inverted range. */
static void test_covers(void)
{
	_cleanup_range_set_ struct hs_range_set s, e, v6;
	struct hs_range r;

	hs_range_set_init(&s, HS_FAMILY_V4);
	hs_range_set_init(&e, HS_FAMILY_V4);
	hs_range_set_init(&v6, HS_FAMILY_V6);
	CHECK(add(&s, "10.0.0.0/8") == 0);
	CHECK(add(&s, "224.0.0.0/4") == 0);
	CHECK(add(&s, "240.0.0.0/4") == 0);
	CHECK(add(&s, "12.0.0.0/8") == 0);
	hs_range_set_normalize(&s);
	CHECK(s.n == 3); /* 224/4 and 240/4 merged */
	r = R("10.20.0.0/16");
	CHECK(hs_range_set_covers(&s, &r));
	r = R("10.0.0.0/8");
	CHECK(hs_range_set_covers(&s, &r));
	r = R("255.255.255.255/32");
	CHECK(hs_range_set_covers(&s, &r));
	r = R("224.0.0.0/3"); /* both halves, merged into one range */
	CHECK(hs_range_set_covers(&s, &r));
	r = RR("10.255.255.255", "12.0.0.0"); /* spans 11/8, a gap */
	CHECK(!hs_range_set_covers(&s, &r));
	r = R("8.0.0.0/6"); /* 8-11: sticks out below 10/8 */
	CHECK(!hs_range_set_covers(&s, &r));
	r = RR("12.255.255.255", "13.0.0.0"); /* sticks out above */
	CHECK(!hs_range_set_covers(&s, &r));
	r = R("11.0.0.1/32"); /* in the gap */
	CHECK(!hs_range_set_covers(&s, &r));
	r = R("0.0.0.0/32"); /* below every range */
	CHECK(!hs_range_set_covers(&s, &r));
	r = R("10.0.0.1/32");
	CHECK(!hs_range_set_covers(&e, &r));
	r = RR("10.0.0.9", "10.0.0.1");
	CHECK(!hs_range_set_covers(&s, &r));
	CHECK(add(&v6, "ff00::/8") == 0);
	hs_range_set_normalize(&v6);
	r = R("ff02::1/128");
	CHECK(hs_range_set_covers(&v6, &r));
	r = R("ff00::/8");
	CHECK(hs_range_set_covers(&v6, &r));
	r = R("fe00::/7");
	CHECK(!hs_range_set_covers(&v6, &r));
}

int main(void)
{
	RUN(test_parse_v4);
	RUN(test_parse_v6);
	RUN(test_parse_v4_mapped);
	RUN(test_host_bits_v4);
	RUN(test_host_bits_v6);
	RUN(test_bad_prefix);
	RUN(test_bad_address);
	RUN(test_why_truncated);
	RUN(test_cidr_to_range);
	RUN(test_cidr_contains);
	RUN(test_addr_inc);
	RUN(test_merge_adjacent);
	RUN(test_merge_overlapping);
	RUN(test_gap_kept);
	RUN(test_subtract_split);
	RUN(test_subtract_whole);
	RUN(test_v6_byte_boundaries);
	RUN(test_v4_full_space_edges);
	RUN(test_v6_full_space_edges);
	RUN(test_normalize_scattered);
	RUN(test_normalize_256_adjacent);
	RUN(test_set_limit);
	RUN(test_invalid_ranges);
	RUN(test_covers);
	TEST_EXIT();
}
