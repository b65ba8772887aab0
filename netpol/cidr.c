/* CIDRs and sets of address ranges: the arithmetic under every network
 * policy. See hs_netpol.h. Pure: no syscalls; the only allocation is a
 * set's array, bounded by HS_NETPOL_MAX_SET_ELEMENTS.
 *
 * Both families are 16-byte big-endian arrays (IPv4 in the first four
 * bytes, the rest zero), so one memcmp orders them and one carry loop adds
 * or subtracts one. No 128-bit value ever lives in a machine integer, and
 * the last address of a family (255.255.255.255, ffff:...:ffff) is an
 * explicit case wherever "plus one" appears, never a wrap-around: a set
 * that wrapped would turn "everything up to the top" into "nothing", or
 * the reverse. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_limits.h"
#include "hs_netpol.h"

static size_t family_bytes(enum hs_family f)
{
	return f == HS_FAMILY_V4 ? 4 : 16;
}

static unsigned family_bits(enum hs_family f)
{
	return f == HS_FAMILY_V4 ? 32 : 128;
}

static int addr_cmp(const struct hs_addr *a, const struct hs_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}

bool hs_addr_inc(struct hs_addr *a, enum hs_family family)
{
	struct hs_addr n = *a;
	size_t i = family_bytes(family);

	while (i-- > 0)
		if (++n.b[i] != 0) {
			*a = n;
			return true;
		}
	return false;
}

/* Subtracts one; false (and `a` untouched) at the family's first address. */
static bool addr_dec(struct hs_addr *a, enum hs_family family)
{
	struct hs_addr n = *a;
	size_t i = family_bytes(family);

	while (i-- > 0)
		if (n.b[i]-- != 0) {
			*a = n;
			return true;
		}
	return false;
}

/* Clears (or, with `ones`, sets) every bit after the first `prefix`. */
static void set_host_bits(struct hs_addr *a, enum hs_family family,
			  unsigned prefix, bool ones)
{
	size_t i;

	for (i = 0; i < family_bytes(family); i++) {
		unsigned first = (unsigned)i * 8;
		uint8_t net;

		if (prefix >= first + 8)
			net = 0xff;
		else if (prefix <= first)
			net = 0;
		else
			net = (uint8_t)(0xff << (8 - (prefix - first)));
		a->b[i] = ones ? (uint8_t)(a->b[i] | ~net) : (a->b[i] & net);
	}
}

static int fail(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	/* A truncated reason is still a reason: no truncation check. */
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* "010.0.0.1": glibc's inet_pton refuses it, but inet_aton, ping and
 * many a library read it as octal 8.0.0.1. Two tools reading one policy
 * differently is how a rule ends up covering the wrong network, so the
 * check is ours and does not depend on the C library. Covers the dotted
 * tail of "::ffff:010.0.0.1" too: a decimal run next to a '.'. */
static bool has_leading_zero_octet(const char *s)
{
	size_t i = 0, j;

	while (s[i]) {
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		for (j = i; s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j - i > 1 && s[i] == '0' &&
		    (s[j] == '.' || (i > 0 && s[i - 1] == '.')))
			return true;
		i = j;
	}
	return false;
}

/* The prefix after '/': 1 to 3 decimal digits, no sign, no leading zero
 * (strtoul would accept " +08"). */
static int parse_prefix(const char *p, unsigned max, unsigned *ret)
{
	size_t len = strlen(p), i;
	unsigned v = 0;

	if (len == 0 || len > 3 || (len > 1 && p[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > max)
		return -1;
	*ret = v;
	return 0;
}

int hs_cidr_parse(const char *s, struct hs_cidr *ret, char *why,
		  size_t why_size)
{
	/* The longest address text, "ffff:...:ffff:255.255.255.255", is
	 * INET6_ADDRSTRLEN - 1 characters. */
	char text[INET6_ADDRSTRLEN];
	struct hs_cidr c = {0};
	struct hs_addr masked;
	const char *slash, *p;
	size_t len;

	if (!*s)
		return fail(why, why_size, "empty, not a CIDR");
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	/* Whitespace, zone ids ("%eth0"), hex ("0x0a") and signs are
	 * refused here, whatever inet_pton would make of them. The prefix
	 * has its own check below. */
	for (p = s; p < s + len; p++)
		if (!strchr("0123456789abcdefABCDEF:.", *p))
			return fail(why, why_size,
				    "not an address: only digits, hex "
				    "letters, \":\" and \".\" may appear "
				    "before the \"/\"");
	if (len == 0 || len >= sizeof(text))
		return fail(why, why_size, "not an IPv4 or IPv6 address");
	memcpy(text, s, len);
	text[len] = '\0';
	if (has_leading_zero_octet(text))
		return fail(why, why_size,
			    "leading zero in a decimal number (octal to some "
			    "parsers), refused");
	if (strchr(text, ':')) {
		c.family = HS_FAMILY_V6;
		if (inet_pton(AF_INET6, text, c.addr.b) != 1)
			return fail(why, why_size, "not an IPv6 address");
	} else {
		c.family = HS_FAMILY_V4;
		if (inet_pton(AF_INET, text, c.addr.b) != 1)
			return fail(why, why_size, "not an IPv4 address");
	}
	c.prefix = family_bits(c.family);
	if (slash &&
	    parse_prefix(slash + 1, family_bits(c.family), &c.prefix) < 0)
		return fail(why, why_size,
			    "prefix \"%.16s\" is not a number from 0 to %u",
			    slash + 1, family_bits(c.family));
	masked = c.addr;
	set_host_bits(&masked, c.family, c.prefix, false);
	if (addr_cmp(&masked, &c.addr) != 0) {
		char hint[INET6_ADDRSTRLEN + 8];

		c.addr = masked;
		hs_cidr_format(&c, hint, sizeof(hint));
		return fail(why, why_size, "host bits set: did you mean %s?",
			    hint);
	}
	*ret = c;
	return 0;
}

void hs_cidr_format(const struct hs_cidr *c, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family == HS_FAMILY_V4 ? AF_INET : AF_INET6,
		       c->addr.b, text, sizeof(text))) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%s/%u", text, c->prefix);
}

void hs_cidr_to_range(const struct hs_cidr *c, struct hs_range *ret)
{
	ret->lo = c->addr;
	ret->hi = c->addr;
	set_host_bits(&ret->lo, c->family, c->prefix, false);
	set_host_bits(&ret->hi, c->family, c->prefix, true);
}

bool hs_cidr_contains(const struct hs_cidr *outer, const struct hs_cidr *inner)
{
	struct hs_addr a = inner->addr;

	if (outer->family != inner->family || inner->prefix < outer->prefix)
		return false;
	set_host_bits(&a, outer->family, outer->prefix, false);
	return addr_cmp(&a, &outer->addr) == 0;
}

/* --- range sets ---------------------------------------------------------- */

void hs_range_set_init(struct hs_range_set *s, enum hs_family family)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
}

void hs_range_set_free(struct hs_range_set *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

/* lo <= hi, and an IPv4 range has nothing past its fourth byte: memcmp
 * orders IPv4 addresses correctly only while those bytes are zero. */
static bool range_valid(enum hs_family family, const struct hs_range *r)
{
	static const uint8_t zero[12];

	if (addr_cmp(&r->lo, &r->hi) > 0)
		return false;
	return family == HS_FAMILY_V6 ||
	       (memcmp(r->lo.b + 4, zero, sizeof(zero)) == 0 &&
		memcmp(r->hi.b + 4, zero, sizeof(zero)) == 0);
}

/* Makes room for `want` ranges (want <= HS_NETPOL_MAX_SET_ELEMENTS). */
static int reserve(struct hs_range_set *s, size_t want)
{
	size_t cap = s->cap ? s->cap : 8;
	struct hs_range *r;

	if (want <= s->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > HS_NETPOL_MAX_SET_ELEMENTS)
		cap = HS_NETPOL_MAX_SET_ELEMENTS;
	r = reallocarray(s->r, cap, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return -1;
	}
	s->r = r;
	s->cap = cap;
	return 0;
}

int hs_range_set_add(struct hs_range_set *s, const struct hs_range *r)
{
	if (!range_valid(s->family, r)) {
		errno = EINVAL;
		return -1;
	}
	if (s->n >= HS_NETPOL_MAX_SET_ELEMENTS) {
		errno = E2BIG;
		return -1;
	}
	if (reserve(s, s->n + 1) < 0)
		return -1;
	s->r[s->n++] = *r;
	return 0;
}

/* Builds the result in a new array so that a failure (limit, memory)
 * leaves the set exactly as it was: a half-subtracted set would allow
 * more than the policy says. */
int hs_range_set_subtract(struct hs_range_set *s, const struct hs_range *r)
{
	size_t i, n = 0, want = 0, overlaps = 0;
	struct hs_range *out;

	if (!range_valid(s->family, r)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		const struct hs_range *x = &s->r[i];

		if (addr_cmp(&x->hi, &r->lo) < 0 ||
		    addr_cmp(&x->lo, &r->hi) > 0) {
			want++;
			continue;
		}
		overlaps++;
		want += (addr_cmp(&x->lo, &r->lo) < 0) +
			(addr_cmp(&x->hi, &r->hi) > 0);
	}
	if (overlaps == 0)
		return 0;
	if (want > HS_NETPOL_MAX_SET_ELEMENTS) {
		errno = E2BIG;
		return -1;
	}
	out = calloc(want ? want : 1, sizeof(*out));
	if (!out) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		const struct hs_range *x = &s->r[i];

		if (addr_cmp(&x->hi, &r->lo) < 0 ||
		    addr_cmp(&x->lo, &r->hi) > 0) {
			out[n++] = *x;
			continue;
		}
		/* x.lo < r.lo, so r.lo is not the first address and the
		 * decrement cannot fail; likewise x.hi > r.hi for the
		 * increment. */
		if (addr_cmp(&x->lo, &r->lo) < 0) {
			out[n].lo = x->lo;
			out[n].hi = r->lo;
			addr_dec(&out[n].hi, s->family);
			n++;
		}
		if (addr_cmp(&x->hi, &r->hi) > 0) {
			out[n].lo = r->hi;
			hs_addr_inc(&out[n].lo, s->family);
			out[n].hi = x->hi;
			n++;
		}
	}
	free(s->r);
	s->r = out;
	s->n = n;
	s->cap = want ? want : 1;
	return 0;
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct hs_range *a = pa, *b = pb;
	int c = addr_cmp(&a->lo, &b->lo);

	return c ? c : addr_cmp(&a->hi, &b->hi);
}

/* Whether `next` (sorted after `cur`) overlaps `cur` or starts right
 * after it. */
static bool touches(const struct hs_range *cur, const struct hs_range *next,
		    enum hs_family family)
{
	struct hs_addr after = cur->hi;

	if (addr_cmp(&next->lo, &cur->hi) <= 0)
		return true;
	/* cur ends at the last address: next.lo <= cur.hi was true above. */
	if (!hs_addr_inc(&after, family))
		return true;
	return addr_cmp(&after, &next->lo) == 0;
}

void hs_range_set_normalize(struct hs_range_set *s)
{
	size_t i, w = 0;

	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), range_cmp);
	for (i = 1; i < s->n; i++) {
		if (touches(&s->r[w], &s->r[i], s->family)) {
			if (addr_cmp(&s->r[i].hi, &s->r[w].hi) > 0)
				s->r[w].hi = s->r[i].hi;
		} else {
			s->r[++w] = s->r[i];
		}
	}
	s->n = w + 1;
}

bool hs_range_set_contains(const struct hs_range_set *s,
			   const struct hs_addr *a)
{
	size_t lo = 0, hi = s->n;

	/* The last range whose lo <= a, found by bisection. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&s->r[mid].lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr_cmp(a, &s->r[lo - 1].hi) <= 0;
}

bool hs_range_set_covers(const struct hs_range_set *s, const struct hs_range *r)
{
	size_t lo = 0, hi = s->n;

	if (addr_cmp(&r->lo, &r->hi) > 0)
		return false;
	/* A normalized set has no two adjacent ranges, so a covered range
	 * lies inside one of them: the last whose lo <= r->lo. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&s->r[mid].lo, &r->lo) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr_cmp(&r->hi, &s->r[lo - 1].hi) <= 0;
}
