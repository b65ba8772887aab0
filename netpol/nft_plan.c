/* The nftables plan: which sets and rules a compiled network policy
 * becomes, in the order hs_nft.h documents. Pure: no syscalls. Both the
 * netlink batch (nft_build.c) and the nft -f text (nft_format.c) are made
 * from this list, so they cannot disagree.
 *
 * What it trusts: a netpol that hs_netpol_parse produced. It still checks
 * what the batch depends on (a 64-digit digest, sorted disjoint ranges of
 * the right family, the limits), because a malformed set would otherwise
 * surface as an obscure kernel error, or worse, as a wrong interval. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_digest.h"
#include "nft_internal.h"

const char *hs_nft_chain_name(int chain)
{
	return chain == HS_NFT_EGRESS ? "egress" : "ingress";
}

/* runc's container id alphabet ([\w+.-]); ':' is excluded so that the
 * comment's fields stay unambiguous, and '"' and '\' so that the nft -f
 * text cannot be broken out of. */
static bool owner_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
	       c == '-';
}

int hs_nft_owner_record(const char *owner, char *buf, size_t size,
			struct hs_error *err)
{
	char hex[HS_DIGEST_HEX_LEN + 1];
	struct hs_sha256 s;
	size_t len, i;
	bool inline_ok;

	if (!owner || !owner[0])
		return hs_err(err, EINVAL, "nftables: empty table owner");
	len = strnlen(owner, HS_ID_MAX + 1);
	if (len > HS_ID_MAX)
		return hs_err(err, EINVAL,
			      "nftables: table owner longer than the limit of "
			      "%u bytes",
			      HS_ID_MAX);
	/* A record read back from a table ('#' and the hash) is kept as it
	 * is: a replacement keeps the pod's owner. No container id holds a
	 * '#', so this cannot be mistaken for one. */
	if (owner[0] == '#' && len == 1 + HS_NFT_OWNER_HASH_HEX) {
		for (i = 1; i < len && isxdigit((unsigned char)owner[i]); i++)
			;
		if (i == len)
			return hs_snprintf(buf, size, "%s", owner) < 0
				       ? hs_err(err, ENAMETOOLONG,
						"nftables: owner")
				       : 0;
	}
	inline_ok = len <= HS_NFT_OWNER_INLINE_MAX;
	for (i = 0; inline_ok && i < len; i++)
		inline_ok = owner_char_ok(owner[i]);
	if (inline_ok) {
		if (hs_snprintf(buf, size, "%s", owner) < 0)
			return hs_err(err, ENAMETOOLONG, "nftables: owner");
		return 0;
	}
	/* A Kubernetes container id is 64 hex digits: too long for nft's
	 * 128-byte comment next to the digest. 192 bits of its hash tell
	 * owners apart as surely as the id does. */
	hs_sha256_init(&s);
	hs_sha256_update(&s, owner, len);
	hs_sha256_hex(&s, hex);
	if (hs_snprintf(buf, size, "#%.*s", HS_NFT_OWNER_HASH_HEX, hex) < 0)
		return hs_err(err, ENAMETOOLONG, "nftables: owner");
	return 0;
}

static bool is_digest(const char *s)
{
	size_t i;

	for (i = 0; i < HS_DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[HS_DIGEST_HEX_LEN] == '\0' || s[HS_DIGEST_HEX_LEN] == ':';
}

void hs_nft_comment_parse(const char *comment, struct hs_nft_table_info *info)
{
	const size_t plen = sizeof(HS_NFT_COMMENT_PREFIX) - 1;
	const char *owner;

	info->digest[0] = '\0';
	info->owner[0] = '\0';
	if (strncmp(comment, HS_NFT_COMMENT_PREFIX, plen) != 0)
		return;
	comment += plen;
	if (strnlen(comment, HS_DIGEST_HEX_LEN + 1) < HS_DIGEST_HEX_LEN + 1 ||
	    !is_digest(comment) || comment[HS_DIGEST_HEX_LEN] != ':')
		return;
	owner = comment + HS_DIGEST_HEX_LEN + 1;
	if (!owner[0] || strlen(owner) > HS_ID_MAX)
		return;
	memcpy(info->digest, comment, HS_DIGEST_HEX_LEN);
	info->digest[HS_DIGEST_HEX_LEN] = '\0';
	memcpy(info->owner, owner, strlen(owner) + 1);
}

/* --- interval elements ---------------------------------------------------- */

static size_t family_bytes(enum hs_family f)
{
	return f == HS_FAMILY_V4 ? 4 : 16;
}

static bool addr_is_zero(const struct hs_addr *a)
{
	static const struct hs_addr zero;

	return memcmp(a, &zero, sizeof(zero)) == 0;
}

/* The successor of `a`; false at the family's last address. */
static bool addr_next(const struct hs_addr *a, enum hs_family f,
		      struct hs_addr *ret)
{
	size_t i = family_bytes(f);

	*ret = *a;
	while (i-- > 0)
		if (++ret->b[i] != 0)
			return true;
	return false;
}

/* The zero element is nft's: its interval sets (src/intervals.c,
 * "segtree_needs_first_segment") start with 0 flagged as an interval end
 * when the first range does not begin at 0, so that the kernel's rbtree
 * sees everything below the first range as outside the set. */
static size_t zero_elem(const struct hs_range_set *s)
{
	return s->n > 0 && !addr_is_zero(&s->r[0].lo);
}

static bool last_is_open(const struct hs_range_set *s)
{
	struct hs_addr next;

	return s->n > 0 && !addr_next(&s->r[s->n - 1].hi, s->family, &next);
}

size_t hs_nft_elem_count(const struct hs_range_set *s)
{
	return zero_elem(s) + 2 * s->n - last_is_open(s);
}

void hs_nft_elem_get(const struct hs_range_set *s, size_t i,
		     struct hs_nft_elem *ret)
{
	size_t z = zero_elem(s), k;

	memset(ret, 0, sizeof(*ret));
	if (i < z) {
		ret->end = true; /* key 0 */
		return;
	}
	k = (i - z) / 2;
	if ((i - z) % 2 == 0) {
		ret->key = s->r[k].lo;
		ret->open = k == s->n - 1 && last_is_open(s);
		return;
	}
	ret->end = true;
	addr_next(&s->r[k].hi, s->family, &ret->key);
}

/* Sorted, disjoint, not adjacent (hs_range_set_normalize merges those),
 * and nothing past the fourth byte of an IPv4 address: anything else is a
 * bug upstream, refused here rather than turned into wrong intervals. */
static int check_ranges(const struct hs_range_set *s, enum hs_family family,
			const char *name, struct hs_error *err)
{
	static const uint8_t zero[16];
	size_t k, bytes = family_bytes(family);
	struct hs_addr next;

	if (s->family != family)
		return hs_err(err, EINVAL, "nftables: set %s: wrong family",
			      name);
	if (s->n > HS_NETPOL_MAX_SET_ELEMENTS)
		return hs_err(err, E2BIG,
			      "nftables: set %s: %zu ranges, more than the "
			      "limit of %u",
			      name, s->n, HS_NETPOL_MAX_SET_ELEMENTS);
	for (k = 0; k < s->n; k++) {
		const struct hs_range *r = &s->r[k];

		if (memcmp(r->lo.b + bytes, zero, 16 - bytes) != 0 ||
		    memcmp(r->hi.b + bytes, zero, 16 - bytes) != 0 ||
		    memcmp(&r->lo, &r->hi, sizeof(r->lo)) > 0)
			return hs_err(err, EINVAL,
				      "nftables: set %s: range %zu is invalid",
				      name, k);
		if (k > 0 && (!addr_next(&s->r[k - 1].hi, family, &next) ||
			      memcmp(&next, &r->lo, sizeof(next)) >= 0))
			return hs_err(err, EINVAL,
				      "nftables: set %s: ranges %zu and %zu "
				      "are not normalized",
				      name, k - 1, k);
	}
	return 0;
}

/* --- the plan ----------------------------------------------------------- */

struct planner {
	struct hs_nft_plan *p;
	size_t cap_sets, cap_rules;
};

static int add_set(struct planner *pl, const char *name, enum hs_family f,
		   bool counter, int chain, uint32_t np_rule,
		   const struct hs_range_set *ranges, struct hs_error *err)
{
	struct hs_nft_plan *p = pl->p;
	struct hs_nft_set_plan *s;

	if (check_ranges(ranges, f, name, err) < 0)
		return -1;
	if (p->n_sets == pl->cap_sets)
		return hs_err(err, EOVERFLOW, "nftables: too many sets");
	s = &p->sets[p->n_sets];
	memset(s, 0, sizeof(*s));
	if (hs_snprintf(s->name, sizeof(s->name), "%s", name) < 0)
		return hs_err(err, ENAMETOOLONG, "nftables: set name %s", name);
	s->family = f;
	s->counter = counter;
	s->chain = chain;
	s->np_rule = np_rule;
	s->ranges = ranges;
	s->id = (uint32_t)++p->n_sets;
	return (int)(p->n_sets - 1);
}

static struct hs_nft_rule_plan *add_rule(struct planner *pl, int chain,
					 enum hs_nft_rule_kind kind,
					 struct hs_error *err)
{
	struct hs_nft_plan *p = pl->p;
	struct hs_nft_rule_plan *r;

	if (p->n_rules == pl->cap_rules) {
		hs_err(err, EOVERFLOW, "nftables: too many rules");
		return NULL;
	}
	r = &p->rules[p->n_rules++];
	memset(r, 0, sizeof(*r));
	r->chain = (uint8_t)chain;
	r->kind = (uint8_t)kind;
	r->family = -1;
	r->set = -1;
	return r;
}

static const struct hs_np_direction *direction(const struct hs_netpol *np,
					       int chain)
{
	return chain == HS_NFT_EGRESS ? &np->egress : &np->ingress;
}

/* The sets of one policy rule: one per family it has peers in. A rule
 * for every peer needs none. */
static int plan_rule_sets(struct planner *pl, const struct hs_np_rule *rule,
			  int chain, uint32_t i, int set_of[HS_FAMILY_COUNT],
			  struct hs_error *err)
{
	char name[16];
	int f;

	for (f = 0; f < HS_FAMILY_COUNT; f++) {
		set_of[f] = -1;
		if (rule->any_peer || rule->peers[f].n == 0)
			continue;
		if (hs_snprintf(name, sizeof(name), "%c%u_%c",
				chain == HS_NFT_EGRESS ? 'e' : 'i', i,
				f == HS_FAMILY_V4 ? '4' : '6') < 0)
			return hs_err(err, ENAMETOOLONG, "nftables: set name");
		set_of[f] = add_set(pl, name, (enum hs_family)f, false, chain,
				    i, &rule->peers[f], err);
		if (set_of[f] < 0)
			return -1;
	}
	return 0;
}

/* One rule per (family with peers, port entry): nft's rules match one
 * protocol and one port range each. */
static int plan_allow(struct planner *pl, const struct hs_np_rule *rule,
		      int chain, uint32_t i, const int set_of[HS_FAMILY_COUNT],
		      struct hs_error *err)
{
	int fams[HS_FAMILY_COUNT], n_fams = 0, k;
	size_t port, n_ports = rule->n_ports ? rule->n_ports : 1;

	if (rule->n_ports > HS_NETPOL_MAX_PORTS)
		return hs_err(err, E2BIG,
			      "nftables: %s[%u]: more than %u ports",
			      hs_nft_chain_name(chain), i, HS_NETPOL_MAX_PORTS);
	if (rule->any_peer)
		fams[n_fams++] = -1;
	for (k = 0; !rule->any_peer && k < HS_FAMILY_COUNT; k++)
		if (set_of[k] >= 0)
			fams[n_fams++] = k;
	for (k = 0; k < n_fams; k++) {
		for (port = 0; port < n_ports; port++) {
			struct hs_nft_rule_plan *r =
				add_rule(pl, chain, HS_NFT_R_ALLOW, err);

			if (!r)
				return -1;
			r->np_rule = i;
			r->family = (int8_t)fams[k];
			r->set = fams[k] >= 0 ? set_of[fams[k]] : -1;
			if (rule->n_ports) {
				const struct hs_port_range *pr =
					&rule->ports[port];

				if (pr->lo > pr->hi)
					return hs_err(err, EINVAL,
						      "nftables: %s[%u]: port "
						      "range %u-%u",
						      hs_nft_chain_name(chain),
						      i, pr->lo, pr->hi);
				r->proto = (uint8_t)pr->proto;
				r->port_lo = pr->lo;
				r->port_hi = pr->hi;
			}
		}
	}
	return 0;
}

static int plan_chain(struct planner *pl, const struct hs_netpol *np, int chain,
		      const int deny_set[HS_FAMILY_COUNT],
		      int (*rule_sets)[HS_FAMILY_COUNT], struct hs_error *err)
{
	static const enum hs_nft_rule_kind head[] = {
		HS_NFT_R_LOOPBACK,
		HS_NFT_R_CT_ESTABLISHED,
		HS_NFT_R_CT_INVALID,
		HS_NFT_R_NEIGHBOUR,
	};
	const struct hs_np_direction *d = direction(np, chain);
	struct hs_nft_rule_plan *r;
	size_t k;
	int f;

	pl->p->drop[chain] = d->listed;
	for (k = 0; d->listed && k < HS_ARRAY_SIZE(head); k++)
		if (!add_rule(pl, chain, head[k], err))
			return -1;
	/* Reverse path: a packet whose source this namespace would not
	 * route back through the interface it came in on is dropped and
	 * counted, before any rule trusts its source. After loopback (a
	 * local source arriving on lo has no route back through lo) and
	 * established replies; after neighbour discovery, whose duplicate
	 * address probes come from ::. Only when ingress is filtered: an
	 * unfiltered direction accepts every source anyway. */
	if (chain == HS_NFT_INGRESS && d->listed &&
	    !add_rule(pl, chain, HS_NFT_R_RPF, err))
		return -1;
	/* The deny sets come before every allow rule, in both directions
	 * and whether or not the direction is listed. */
	for (f = 0; f < HS_FAMILY_COUNT; f++) {
		/* TCP gets a reset: an ICMP error for a SYN arrives while
		 * connect() still holds the socket, which then only notes a
		 * soft error and retransmits, failing a second later; a reset
		 * is queued and ends connect() at once. */
		if (chain == HS_NFT_EGRESS) {
			r = add_rule(pl, chain, HS_NFT_R_DENY_TCP, err);
			if (!r)
				return -1;
			r->family = (int8_t)f;
			r->set = deny_set[f];
			r->proto = HS_PROTO_TCP;
		}
		r = add_rule(pl, chain, HS_NFT_R_DENY, err);
		if (!r)
			return -1;
		r->family = (int8_t)f;
		r->set = deny_set[f];
	}
	if (!d->listed)
		return 0;
	for (k = 0; k < d->n_rules; k++)
		if (plan_allow(pl, &d->rules[k], chain, (uint32_t)k,
			       rule_sets[k], err) < 0)
			return -1;
	r = add_rule(pl, chain, HS_NFT_R_REFUSE_COUNT, err);
	if (!r)
		return -1;
	r->log = np->log_refused;
	if (chain == HS_NFT_EGRESS) {
		r = add_rule(pl, chain, HS_NFT_R_REFUSE_TCP, err);
		if (!r)
			return -1;
		r->proto = HS_PROTO_TCP;
	}
	return add_rule(pl, chain, HS_NFT_R_REFUSE, err) ? 0 : -1;
}

/* Upper bounds, so both arrays are allocated once. */
static void plan_size(const struct hs_netpol *np, size_t *sets, size_t *rules)
{
	int c;
	size_t k;

	*sets = HS_FAMILY_COUNT;
	*rules = 0;
	for (c = 0; c < HS_NFT_CHAINS; c++) {
		const struct hs_np_direction *d = direction(np, c);

		*rules += 18; /* the fixed rules around the allow rules */
		for (k = 0; d->listed && k < d->n_rules; k++) {
			size_t ports = d->rules[k].n_ports ?: 1;

			*sets += HS_FAMILY_COUNT;
			*rules += HS_FAMILY_COUNT * ports;
		}
	}
}

int hs_nft_plan_build(const struct hs_netpol *np, const char *owner,
		      struct hs_nft_plan *ret, struct hs_error *err)
{
	char record[HS_NFT_COMMENT_MAX + 1];
	int deny_set[HS_FAMILY_COUNT];
	_cleanup_free_ int(*rule_sets)[HS_FAMILY_COUNT] = NULL;
	struct hs_nft_plan p = {0};
	struct planner pl = {.p = &p};
	size_t k, max_rules;
	int c, f;

	if (strnlen(np->digest, HS_DIGEST_HEX_LEN + 1) != HS_DIGEST_HEX_LEN ||
	    !is_digest(np->digest))
		return hs_err(err, EINVAL,
			      "nftables: policy digest \"%.70s\" is not 64 "
			      "hex digits",
			      np->digest);
	for (c = 0; c < HS_NFT_CHAINS; c++)
		if (direction(np, c)->n_rules > HS_NETPOL_MAX_RULES)
			return hs_err(err, E2BIG,
				      "nftables: %s: more rules than the limit "
				      "of %u",
				      hs_nft_chain_name(c),
				      HS_NETPOL_MAX_RULES);
	if (hs_nft_owner_record(owner, record, sizeof(record), err) < 0)
		return -1;
	if (hs_snprintf(p.comment, sizeof(p.comment), "%s%s:%s",
			HS_NFT_COMMENT_PREFIX, np->digest, record) < 0)
		return hs_err(err, ENAMETOOLONG, "nftables: table comment");

	plan_size(np, &pl.cap_sets, &pl.cap_rules);
	p.sets = calloc(pl.cap_sets, sizeof(*p.sets));
	p.rules = calloc(pl.cap_rules, sizeof(*p.rules));
	max_rules = np->egress.n_rules > np->ingress.n_rules
			    ? np->egress.n_rules
			    : np->ingress.n_rules;
	rule_sets = calloc(max_rules ?: 1, sizeof(*rule_sets));
	if (!p.sets || !p.rules || !rule_sets)
		goto oom;

	for (f = 0; f < HS_FAMILY_COUNT; f++) {
		const char *name = f == HS_FAMILY_V4 ? "deny4" : "deny6";

		deny_set[f] = add_set(&pl, name, (enum hs_family)f, true, -1, 0,
				      &np->deny[f], err);
		if (deny_set[f] < 0)
			goto fail;
	}
	/* Per chain, its rules' sets and then its rules. Sets and rules are
	 * separate lists, and the batch sends every set before any rule. */
	for (c = 0; c < HS_NFT_CHAINS; c++) {
		const struct hs_np_direction *d = direction(np, c);

		for (k = 0; d->listed && k < d->n_rules; k++)
			if (plan_rule_sets(&pl, &d->rules[k], c, (uint32_t)k,
					   rule_sets[k], err) < 0)
				goto fail;
		/* The per-rule set indices of this chain are used right
		 * away, before the next chain reuses the array. */
		if (plan_chain(&pl, np, c, deny_set, rule_sets, err) < 0)
			goto fail;
	}
	*ret = p;
	return 0;
oom:
	hs_err(err, ENOMEM, "nftables: out of memory");
fail:
	hs_nft_plan_free(&p);
	return -1;
}

void hs_nft_plan_free(struct hs_nft_plan *p)
{
	free(p->sets);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

/* --- descriptions for errors -------------------------------------------- */

void hs_nft_set_describe(const struct hs_nft_set_plan *s, char *buf,
			 size_t size)
{
	if (s->chain < 0)
		snprintf(buf, size, "set %s (deny)", s->name);
	else
		snprintf(buf, size, "set %s (%s[%u] peers)", s->name,
			 hs_nft_chain_name(s->chain), s->np_rule);
}

const char *hs_nft_proto_name(uint8_t proto)
{
	switch (proto) {
	case HS_PROTO_TCP:
		return "tcp";
	case HS_PROTO_UDP:
		return "udp";
	case HS_PROTO_SCTP:
		return "sctp";
	}
	return "?";
}

void hs_nft_rule_describe(const struct hs_nft_plan *p,
			  const struct hs_nft_rule_plan *r, char *buf,
			  size_t size)
{
	const char *chain = hs_nft_chain_name(r->chain);
	const char *set = r->set >= 0 ? p->sets[r->set].name : "any";
	char ports[32] = "";

	switch (r->kind) {
	case HS_NFT_R_LOOPBACK:
		snprintf(buf, size, "rule in chain %s: loopback accept", chain);
		return;
	case HS_NFT_R_CT_ESTABLISHED:
		snprintf(buf, size,
			 "rule in chain %s: ct state established,related "
			 "accept",
			 chain);
		return;
	case HS_NFT_R_CT_INVALID:
		snprintf(buf, size, "rule in chain %s: ct state invalid drop",
			 chain);
		return;
	case HS_NFT_R_NEIGHBOUR:
		snprintf(buf, size,
			 "rule in chain %s: ICMPv6 neighbour discovery accept",
			 chain);
		return;
	case HS_NFT_R_RPF:
		snprintf(buf, size,
			 "rule in chain %s: reverse path (fib saddr . iif) "
			 "drop",
			 chain);
		return;
	case HS_NFT_R_DENY_TCP:
		snprintf(buf, size, "rule in chain %s: %s lookup, tcp reset",
			 chain, set);
		return;
	case HS_NFT_R_DENY:
		snprintf(buf, size, "rule in chain %s: %s lookup", chain, set);
		return;
	case HS_NFT_R_ALLOW:
		if (r->proto && r->port_lo == r->port_hi)
			snprintf(ports, sizeof(ports), " %s %u",
				 hs_nft_proto_name(r->proto), r->port_lo);
		else if (r->proto && (r->port_lo || r->port_hi != 65535))
			snprintf(ports, sizeof(ports), " %s %u-%u",
				 hs_nft_proto_name(r->proto), r->port_lo,
				 r->port_hi);
		else if (r->proto)
			snprintf(ports, sizeof(ports), " %s",
				 hs_nft_proto_name(r->proto));
		snprintf(buf, size, "rule in chain %s: %s[%u]%s %s %s", chain,
			 chain, r->np_rule, ports,
			 r->chain == HS_NFT_EGRESS ? "to" : "from", set);
		return;
	case HS_NFT_R_REFUSE_COUNT:
		snprintf(buf, size, "rule in chain %s: refusal counter%s",
			 chain, r->log ? " and log" : "");
		return;
	case HS_NFT_R_REFUSE_TCP:
		snprintf(buf, size, "rule in chain %s: refusal tcp reset",
			 chain);
		return;
	default:
		snprintf(buf, size, "rule in chain %s: refusal %s", chain,
			 r->chain == HS_NFT_EGRESS ? "reject" : "drop");
		return;
	}
}
