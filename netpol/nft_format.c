/* The ruleset hs_nft_batch_build installs, as `nft -f` text: for review
 * (`hardshim explain`) and for the benchmark against nft -f. Pure apart
 * from writing to `out`.
 *
 * Written from the same plan as the batch, rule for rule, in the words
 * for which nft 1.0.6 generates the same expressions as nft_build.c (for
 * instance `meta nfproto ipv6 icmpv6 type ...`, since the batch guards
 * that match with nfproto); tests/integration/test_nft_apply.sh loads
 * both and compares `nft list table`. Every string in the text comes
 * from hardshim's own constants or from the owner record, which holds
 * only [A-Za-z0-9_.+#-]: nothing from a policy can end a quoted string.
 * Above a set, a `#` comment line names the network names it came from,
 * with their CIDRs: names hold only [A-Za-z0-9_-] (hs_netname_valid) and
 * the CIDRs are formatted here, so nothing can end the comment line. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nft_internal.h"

static int addr_bit(const struct hs_addr *a, unsigned i)
{
	return (a->b[i / 8] >> (7 - i % 8)) & 1;
}

/* The prefix length if [lo, hi] is one CIDR block, else -1. */
static int range_prefix(const struct hs_range *r, enum hs_family f)
{
	unsigned bits = f == HS_FAMILY_V4 ? 32 : 128, p = bits, i;

	while (p > 0 && addr_bit(&r->lo, p - 1) == 0 &&
	       addr_bit(&r->hi, p - 1) == 1)
		p--;
	for (i = 0; i < p; i++)
		if (addr_bit(&r->lo, i) != addr_bit(&r->hi, i))
			return -1;
	return (int)p;
}

static void print_range(FILE *out, const struct hs_range *r, enum hs_family f)
{
	int af = f == HS_FAMILY_V4 ? AF_INET : AF_INET6;
	unsigned bits = f == HS_FAMILY_V4 ? 32 : 128;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int p = range_prefix(r, f);

	inet_ntop(af, r->lo.b, lo, sizeof(lo));
	if (p == (int)bits)
		fputs(lo, out);
	else if (p >= 0)
		fprintf(out, "%s/%d", lo, p);
	else
		fprintf(out, "%s-%s", lo,
			inet_ntop(af, r->hi.b, hi, sizeof(hi)));
}

/* "\t# from @pods (10.244.0.0/16), @services (10.96.0.0/12)": the names in
 * `mask` with a CIDR of `family`, and those CIDRs. Nothing if none. */
static void print_names(FILE *out, const struct hs_netpol *np, uint64_t mask,
			enum hs_family family, const char *what)
{
	bool line = false;
	size_t i, k;

	for (i = 0; i < np->n_names && i < 64; i++) {
		const struct hs_np_name *n = &np->names[i];
		bool opened = false;

		if (!(mask & ((uint64_t)1 << i)))
			continue;
		for (k = 0; k < n->n; k++) {
			char text[64];

			if (n->cidrs[k].family != family)
				continue;
			if (opened)
				fputs(", ", out);
			else if (line)
				fprintf(out, ", @%s (", n->name);
			else
				fprintf(out, "\t# %s @%s (", what, n->name);
			hs_cidr_format(&n->cidrs[k], text, sizeof(text));
			fputs(text, out);
			opened = true;
			line = true;
		}
		if (opened)
			fputc(')', out);
	}
	if (line)
		fputc('\n', out);
}

static void print_set(FILE *out, const struct hs_netpol *np,
		      const struct hs_nft_set_plan *s)
{
	const struct hs_range_set *rs = s->ranges;
	const struct hs_np_direction *dir =
		s->chain == HS_NFT_EGRESS ? &np->egress : &np->ingress;
	size_t k;

	if (s->chain < 0) {
		print_names(out, np, np->deny_names, s->family, "from");
	} else if (s->np_rule < dir->n_rules) {
		print_names(out, np, dir->rules[s->np_rule].peer_names,
			    s->family, "from");
		print_names(out, np, dir->rules[s->np_rule].except_names,
			    s->family, "except");
	}
	fprintf(out, "\tset %s {\n", s->name);
	fprintf(out, "\t\ttype %s\n",
		s->family == HS_FAMILY_V4 ? "ipv4_addr" : "ipv6_addr");
	fputs("\t\tflags interval\n", out);
	if (s->counter)
		fputs("\t\tcounter\n", out);
	for (k = 0; k < rs->n; k++) {
		fputs(k == 0 ? "\t\telements = { " : ",\n\t\t\t     ", out);
		print_range(out, &rs->r[k], s->family);
	}
	if (rs->n)
		fputs(" }\n", out);
	fputs("\t}\n\n", out);
}

static void print_addr_match(FILE *out, const struct hs_nft_plan *p,
			     const struct hs_nft_rule_plan *r)
{
	fprintf(out, "%s %s @%s ", r->family == HS_FAMILY_V4 ? "ip" : "ip6",
		r->chain == HS_NFT_EGRESS ? "daddr" : "saddr",
		p->sets[r->set].name);
}

static void print_rule(FILE *out, const struct hs_nft_plan *p,
		       const struct hs_nft_rule_plan *r)
{
	bool egress = r->chain == HS_NFT_EGRESS;

	fputs("\t\t", out);
	switch (r->kind) {
	case HS_NFT_R_LOOPBACK:
		fprintf(out, "%s \"lo\" accept",
			egress ? "oifname" : "iifname");
		break;
	case HS_NFT_R_CT_ESTABLISHED:
		fputs("ct state established,related accept", out);
		break;
	case HS_NFT_R_CT_INVALID:
		fputs("ct state invalid drop", out);
		break;
	case HS_NFT_R_NEIGHBOUR:
		fprintf(out, "meta nfproto ipv6 icmpv6 type %d-%d accept",
			HS_NFT_ND_FIRST, HS_NFT_ND_LAST);
		break;
	case HS_NFT_R_RPF:
		fputs("fib saddr . iif oif missing counter drop", out);
		break;
	case HS_NFT_R_DENY_TCP:
		fputs("meta l4proto tcp ", out);
		print_addr_match(out, p, r);
		fputs("counter reject with tcp reset", out);
		break;
	case HS_NFT_R_DENY:
		print_addr_match(out, p, r);
		fputs(egress ? "counter reject with icmpx admin-prohibited"
			     : "counter drop",
		      out);
		break;
	case HS_NFT_R_ALLOW:
		if (r->set >= 0)
			print_addr_match(out, p, r);
		if (r->proto)
			fprintf(out, "meta l4proto %s ",
				hs_nft_proto_name(r->proto));
		if (r->proto && r->port_lo == r->port_hi)
			fprintf(out, "th dport %u ", r->port_lo);
		else if (r->proto && (r->port_lo != 0 || r->port_hi != 65535))
			fprintf(out, "th dport %u-%u ", r->port_lo, r->port_hi);
		fputs("accept", out);
		break;
	case HS_NFT_R_REFUSE_COUNT:
		fputs("counter", out);
		if (r->log)
			fprintf(out,
				" limit rate %d/second burst %d packets log "
				"prefix \"%s\"",
				HS_NFT_LOG_RATE, HS_NFT_LOG_BURST,
				HS_NFT_LOG_PREFIX);
		break;
	case HS_NFT_R_REFUSE_TCP:
		fputs("meta l4proto tcp reject with tcp reset", out);
		break;
	case HS_NFT_R_REFUSE:
		fputs(egress ? "reject with icmpx admin-prohibited" : "drop",
		      out);
		break;
	}
	fputc('\n', out);
}

int hs_nft_format(const struct hs_netpol *np, const char *owner, FILE *out)
{
	struct hs_error err = {0};
	struct hs_nft_plan p;
	size_t k;
	int c;

	if (hs_nft_plan_build(np, owner, &p, &err) < 0) {
		errno = err.errnum;
		return -1;
	}
	fprintf(out, "table inet %s {\n", HS_NFT_TABLE);
	fprintf(out, "\tcomment \"%s\"\n\n", p.comment);
	for (k = 0; k < p.n_sets; k++)
		print_set(out, np, &p.sets[k]);
	for (c = 0; c < HS_NFT_CHAINS; c++) {
		fprintf(out, "\tchain %s {\n", hs_nft_chain_name(c));
		fprintf(out, "\t\ttype filter hook %s priority 0; policy %s;\n",
			c == HS_NFT_EGRESS ? "output" : "input",
			p.drop[c] ? "drop" : "accept");
		for (k = 0; k < p.n_rules; k++)
			if (p.rules[k].chain == c)
				print_rule(out, &p, &p.rules[k]);
		fprintf(out, "\t}%s\n", c + 1 < HS_NFT_CHAINS ? "\n" : "");
	}
	fputs("}\n", out);
	hs_nft_plan_free(&p);
	if (fflush(out) != 0 || ferror(out)) {
		errno = EIO;
		return -1;
	}
	return 0;
}
