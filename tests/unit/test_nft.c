/* netpol/nft_*.c: the nftables batch and its text.
 *
 * Without root: every message of a built batch is parsed back with
 * libnftnl (the table with its comment, each set, its elements and their
 * interval ends, each chain, each rule's expressions as libnftnl prints
 * them) and compared with what the policy asks for; sequence numbers,
 * replace, the size limit, the edges of the address space, 10,000
 * scattered /32s, error descriptions and the exact nft -f text.
 *
 * With HS_NFT_NETNS_TEST=1 and root (tests/integration/test_nft_apply.sh):
 * hs_nft_apply, hs_nft_table_get and hs_nft_delete_if_owner against the
 * kernel, each in a forked child that unshares a fresh network namespace,
 * so the host's ruleset is never touched. With HS_NFT_NETNS_PATH too, the
 * sample policy is applied in that (test-made) namespace and its nft -f
 * text written to HS_NFT_FORMAT_OUT, for the script to compare the two
 * tables with nft itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "../../netpol/nft_internal.h"
#include "hs_cleanup.h"
#include "hs_config.h"
#include "hs_netpol.h"
#include "hs_nft.h"
#include "hs_test.h"

#define DIGEST_A \
	"abababababababababababababababababababababababababababababababab"
#define DIGEST_B \
	"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define SEQ0 1000

/* --- building policies by hand -------------------------------------------- */

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

static void
add(struct hs_range_set *s, const char *cidr)
{
	struct hs_range r = R(cidr);

	if (hs_range_set_add(s, &r) < 0)
		abort();
	hs_range_set_normalize(s);
}

static void np_init(struct hs_netpol *np, const char *digest)
{
	memset(np, 0, sizeof(*np));
	hs_range_set_init(&np->deny[HS_FAMILY_V4], HS_FAMILY_V4);
	hs_range_set_init(&np->deny[HS_FAMILY_V6], HS_FAMILY_V6);
	snprintf(np->digest, sizeof(np->digest), "%s", digest);
	snprintf(np->file, sizeof(np->file), "test.json");
}

static struct hs_np_rule *add_rule(struct hs_np_direction *d)
{
	struct hs_np_rule *r;

	d->rules = realloc(d->rules, (d->n_rules + 1) * sizeof(*d->rules));
	if (!d->rules)
		abort();
	r = &d->rules[d->n_rules++];
	memset(r, 0, sizeof(*r));
	hs_range_set_init(&r->peers[HS_FAMILY_V4], HS_FAMILY_V4);
	hs_range_set_init(&r->peers[HS_FAMILY_V6], HS_FAMILY_V6);
	return r;
}

static void add_port(struct hs_np_rule *r, enum hs_proto proto, uint16_t lo,
		     uint16_t hi)
{
	r->ports = realloc(r->ports, (r->n_ports + 1) * sizeof(*r->ports));
	if (!r->ports)
		abort();
	r->ports[r->n_ports++] = (struct hs_port_range){proto, lo, hi};
}

/* deny 10.20.0.0/16, 169.254.169.254, fd00:ec2::254; egress (listed):
 * 10.10.0.0/16 on TCP 443 and UDP 53-54, anyone on TCP 80; ingress
 * (listed if `ingress`): from 2001:db8::/32, every port; refusals
 * logged. */
static void sample(struct hs_netpol *np, bool ingress)
{
	struct hs_np_rule *r;

	np_init(np, DIGEST_A);
	add(&np->deny[HS_FAMILY_V4], "169.254.169.254/32");
	add(&np->deny[HS_FAMILY_V4], "10.20.0.0/16");
	add(&np->deny[HS_FAMILY_V6], "fd00:ec2::254/128");
	np->egress.listed = true;
	r = add_rule(&np->egress);
	add(&r->peers[HS_FAMILY_V4], "10.10.0.0/16");
	add_port(r, HS_PROTO_TCP, 443, 443);
	add_port(r, HS_PROTO_UDP, 53, 54);
	r = add_rule(&np->egress);
	r->any_peer = true;
	add_port(r, HS_PROTO_TCP, 80, 80);
	np->log_refused = true;
	if (ingress) {
		np->ingress.listed = true;
		r = add_rule(&np->ingress);
		add(&r->peers[HS_FAMILY_V6], "2001:db8::/32");
	}
}

/* n /32s, no two adjacent: 11.0.0.0 + 2 * i, shuffled order. */
static void scattered(struct hs_range_set *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct hs_range r;
		uint32_t a =
			htonl(0x0b000000u + 2 * (uint32_t)((i * 7919) % n));

		memset(&r, 0, sizeof(r));
		memcpy(r.lo.b, &a, 4);
		r.hi = r.lo;
		if (hs_range_set_add(s, &r) < 0)
			abort();
	}
	hs_range_set_normalize(s);
}

static void batch_freep(struct hs_nft_batch **b)
{
	hs_nft_batch_free(*b);
}
#define _cleanup_batch_ __attribute__((cleanup(batch_freep)))

/* --- parsing a batch back ---------------------------------------------------
 */

#define MAX_MSGS 64

static size_t split(const struct hs_nft_batch *b, const struct nlmsghdr **out,
		    size_t max)
{
	size_t len, n = 0;
	const struct nlmsghdr *nlh = hs_nft_batch_data(b, &len);
	int rest = (int)len;

	while (mnl_nlmsg_ok(nlh, rest) && n < max) {
		out[n++] = nlh;
		nlh = mnl_nlmsg_next(nlh, &rest);
	}
	return rest == 0 ? n : 0;
}

static void cat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

static void flags_str(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	cat(buf, size, "[%s%s%s%s]",
	    nlh->nlmsg_flags & NLM_F_CREATE ? "create," : "",
	    nlh->nlmsg_flags & NLM_F_EXCL ? "excl," : "",
	    nlh->nlmsg_flags & NLM_F_APPEND ? "append," : "",
	    nlh->nlmsg_flags & NLM_F_ACK ? "ack" : "NOACK");
}

static int comment_cb(const struct nftnl_udata *a, void *data)
{
	if (nftnl_udata_type(a) == NFTNL_UDATA_TABLE_COMMENT)
		*(const char **)data = nftnl_udata_get(a);
	return 0;
}

static void sum_table(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const char *comment = NULL;
	const void *ud;
	uint32_t len;

	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		cat(buf, size, "unparsable table");
		goto out;
	}
	cat(buf, size, "%s %s %s",
	    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_DELTABLE ? "deltable"
							       : "table",
	    nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == NFPROTO_INET ? "inet"
								       : "?",
	    nftnl_table_get_str(t, NFTNL_TABLE_NAME));
	if (nftnl_table_is_set(t, NFTNL_TABLE_USERDATA)) {
		ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
		nftnl_udata_parse(ud, len, comment_cb, &comment);
		cat(buf, size, " comment=%s", comment ? comment : "?");
	}
out:
	nftnl_table_free(t);
}

static int expr_name_cb(struct nftnl_expr *e, void *data)
{
	snprintf(data, 16, "%s", nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
	return 0;
}

static void sum_set(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_set *s = nftnl_set_alloc();
	char expr[16] = "none";

	if (nftnl_set_nlmsg_parse(nlh, s) < 0) {
		cat(buf, size, "unparsable set");
		goto out;
	}
	nftnl_set_expr_foreach(s, expr_name_cb, expr);
	cat(buf, size, "set %s flags=%u key=%u/%u id=%u expr=%s",
	    nftnl_set_get_str(s, NFTNL_SET_NAME),
	    nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
	    nftnl_set_get_u32(s, NFTNL_SET_ID), expr);
out:
	nftnl_set_free(s);
}

struct elem_walk {
	char *buf;
	size_t size;
	size_t n;
};

static int elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct elem_walk *w = data;
	char addr[INET6_ADDRSTRLEN] = "?";
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	if (key && (len == 4 || len == 16))
		inet_ntop(len == 4 ? AF_INET : AF_INET6, key, addr,
			  sizeof(addr));
	w->n++;
	if (w->n > 8) /* large sets: the count says enough */
		return 0;
	cat(w->buf, w->size, " %s%s%s", addr,
	    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			     NFT_SET_ELEM_INTERVAL_END)
		    ? "/end"
		    : "",
	    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA) ? "/open" : "");
	return 0;
}

static void sum_elems(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct elem_walk w = {buf, size, 0};

	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		cat(buf, size, "unparsable elements");
		goto out;
	}
	cat(buf, size, "elems %s id=%u:", nftnl_set_get_str(s, NFTNL_SET_NAME),
	    nftnl_set_get_u32(s, NFTNL_SET_ID));
	nftnl_set_elem_foreach(s, elem_cb, &w);
	if (w.n > 8)
		cat(buf, size, " ... (%zu)", w.n);
out:
	nftnl_set_free(s);
}

static void sum_chain(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		cat(buf, size, "unparsable chain");
		goto out;
	}
	cat(buf, size, "chain %s type=%s hook=%u prio=%d policy=%s",
	    nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
	    nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE),
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
	    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO),
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ? "drop"
								  : "accept");
out:
	nftnl_chain_free(c);
}

/* A rule as libnftnl prints it, one expression after another:
 * "meta load oifname => reg 1; cmp eq reg 1 ...; immediate reg 0 accept". */
static void sum_rule(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[4096], *line, *save = NULL;
	bool first = true;

	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		cat(buf, size, "unparsable rule");
		goto out;
	}
	nftnl_rule_snprintf(text, sizeof(text), r, NFTNL_OUTPUT_DEFAULT, 0);
	cat(buf, size, "rule %s:", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (strncmp(line, "  [ ", 4) != 0 || n < 6)
			continue;
		line[n - 2] = '\0'; /* " ]" */
		cat(buf, size, "%s%s", first ? " " : "; ", line + 4);
		first = false;
	}
out:
	nftnl_rule_free(r);
}

/* One line per message, for comparing a whole batch with what it must
 * hold. */
static void summarize(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

	buf[0] = '\0';
	cat(buf, size, "%u ", nlh->nlmsg_seq);
	flags_str(nlh, buf, size);
	cat(buf, size, " ");
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
	    nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
		cat(buf, size, "%s res_id=%u%s",
		    nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ? "begin" : "end",
		    ntohs(g->res_id),
		    mnl_nlmsg_get_payload_len(nlh) > sizeof(*g) ? " genid"
								: "");
		return;
	}
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    g->nfgen_family != NFPROTO_INET) {
		cat(buf, size, "not an inet nftables message");
		return;
	}
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		sum_table(nlh, buf, size);
		break;
	case NFT_MSG_NEWSET:
		sum_set(nlh, buf, size);
		break;
	case NFT_MSG_NEWSETELEM:
		sum_elems(nlh, buf, size);
		break;
	case NFT_MSG_NEWCHAIN:
		sum_chain(nlh, buf, size);
		break;
	case NFT_MSG_NEWRULE:
		sum_rule(nlh, buf, size);
		break;
	default:
		cat(buf, size, "type %u", NFNL_MSG_TYPE(nlh->nlmsg_type));
	}
}

/* Compares the summaries of a batch's messages with `want` (without the
 * leading sequence numbers, which are checked to run from SEQ0 on). */
static int compare(const struct hs_nft_batch *b, const char *const *want,
		   size_t n_want)
{
	const struct nlmsghdr *m[MAX_MSGS];
	size_t n = split(b, m, MAX_MSGS), i;
	char line[8192], seq[16];

	if (n != n_want || n != hs_nft_batch_count(b)) {
		printf("  %zu messages, %zu counted, %zu expected\n", n,
		       hs_nft_batch_count(b), n_want);
		return -1;
	}
	for (i = 0; i < n; i++) {
		summarize(m[i], line, sizeof(line));
		snprintf(seq, sizeof(seq), "%zu ", SEQ0 + i);
		if (strncmp(line, seq, strlen(seq)) != 0 ||
		    strcmp(line + strlen(seq), want[i]) != 0) {
			printf("  message %zu:\n    got  %s\n    want %s%s\n",
			       i, line, seq, want[i]);
			return -1;
		}
	}
	return 0;
}

/* --- expected expressions (as nft 1.0.6 generates them) ------------------- */

#define LO_EQ "cmp eq reg 1 0x00006f6c 0x00000000 0x00000000 0x00000000"
#define ACCEPT "immediate reg 0 accept"
#define DROP "immediate reg 0 drop"
#define NFPROTO(v) "meta load nfproto => reg 1; cmp eq reg 1 " v "; "
#define L4(v) "meta load l4proto => reg 1; cmp eq reg 1 " v "; "
#define V4 NFPROTO("0x00000002")
#define V6 NFPROTO("0x0000000a")
#define DPORT "payload load 2b @ transport header + 2 => reg 1; "
#define ADMIN_PROHIBITED "reject type 2 code 3"
#define TCP_RESET "reject type 1 code 0"
#define CT(mask)                                                  \
	"ct load state => reg 1; bitwise reg 1 = ( reg 1 & " mask \
	" ) ^ 0x00000000; cmp neq reg 1 0x00000000; "
#define ND                                                                   \
	V6 L4("0x0000003a") "payload load 1b @ transport header + 0 => reg " \
			    "1; cmp gte reg 1 0x00000085; cmp lte reg 1 "    \
			    "0x00000088; " ACCEPT
#define COUNTER "counter pkts 0 bytes 0"
/* fib saddr . iif oif missing counter drop */
#define RPF                                                   \
	"fib saddr . iif oif present => reg 1; cmp eq reg 1 " \
	"0x00000000; " COUNTER "; " DROP
#define LOG                                                                  \
	COUNTER "; limit rate 5/second burst 5 type packets flags 0x0; log " \
		"prefix hardshim refused: "

#define COMMENT_A "hardshim:" DIGEST_A ":c1"

static const char *const sample_want[] = {
	"[ack] begin res_id=10",
	"[create,excl,ack] table inet hardshim comment=" COMMENT_A,
	"[create,excl,ack] set deny4 flags=4 key=7/4 id=1 expr=counter",
	"[create,excl,ack] elems deny4 id=1: 0.0.0.0/end 10.20.0.0 "
	"10.21.0.0/end 169.254.169.254 169.254.169.255/end",
	"[create,excl,ack] set deny6 flags=4 key=8/16 id=2 expr=counter",
	"[create,excl,ack] elems deny6 id=2: ::/end fd00:ec2::254 "
	"fd00:ec2::255/end",
	"[create,excl,ack] set e0_4 flags=4 key=7/4 id=3 expr=none",
	"[create,excl,ack] elems e0_4 id=3: 0.0.0.0/end 10.10.0.0 "
	"10.11.0.0/end",
	"[create,excl,ack] set i0_6 flags=4 key=8/16 id=4 expr=none",
	"[create,excl,ack] elems i0_6 id=4: ::/end 2001:db8:: 2001:db9::/end",
	"[create,excl,ack] chain egress type=filter hook=3 prio=0 "
	"policy=drop",
	"[create,excl,ack] chain ingress type=filter hook=1 prio=0 "
	"policy=drop",
	"[create,append,ack] rule egress: meta load oifname => reg 1; " LO_EQ
	"; " ACCEPT,
	"[create,append,ack] rule egress: " CT("0x00000006") ACCEPT,
	"[create,append,ack] rule egress: " CT("0x00000001") DROP,
	"[create,append,ack] rule egress: " ND,
	"[create,append,ack] rule egress: " L4("0x00000006") V4
	"payload load 4b @ network header + 16 => reg 1; lookup reg 1 set "
	"deny4; " COUNTER "; " TCP_RESET,
	"[create,append,ack] rule egress: " V4
	"payload load 4b @ network header + 16 => reg 1; lookup reg 1 set "
	"deny4; " COUNTER "; " ADMIN_PROHIBITED,
	"[create,append,ack] rule egress: " L4("0x00000006") V6
	"payload load 16b @ network header + 24 => reg 1; lookup reg 1 set "
	"deny6; " COUNTER "; " TCP_RESET,
	"[create,append,ack] rule egress: " V6
	"payload load 16b @ network header + 24 => reg 1; lookup reg 1 set "
	"deny6; " COUNTER "; " ADMIN_PROHIBITED,
	"[create,append,ack] rule egress: " V4
	"payload load 4b @ network header + 16 => reg 1; lookup reg 1 set "
	"e0_4; " L4("0x00000006") DPORT "cmp eq reg 1 0x0000bb01; " ACCEPT,
	"[create,append,ack] rule egress: " V4
	"payload load 4b @ network header + 16 => reg 1; lookup reg 1 set "
	"e0_4; " L4("0x00000011") DPORT "cmp gte reg 1 0x00003500; cmp lte "
					"reg 1 0x00003600; " ACCEPT,
	"[create,append,ack] rule egress: " L4("0x00000006") DPORT
	"cmp eq reg 1 0x00005000; " ACCEPT,
	"[create,append,ack] rule egress: " LOG,
	"[create,append,ack] rule egress: " L4("0x00000006") TCP_RESET,
	"[create,append,ack] rule egress: " ADMIN_PROHIBITED,
	"[create,append,ack] rule ingress: meta load iifname => reg 1; " LO_EQ
	"; " ACCEPT,
	"[create,append,ack] rule ingress: " CT("0x00000006") ACCEPT,
	"[create,append,ack] rule ingress: " CT("0x00000001") DROP,
	"[create,append,ack] rule ingress: " ND,
	"[create,append,ack] rule ingress: " RPF,
	"[create,append,ack] rule ingress: " V4
	"payload load 4b @ network header + 12 => reg 1; lookup reg 1 set "
	"deny4; " COUNTER "; " DROP,
	"[create,append,ack] rule ingress: " V6
	"payload load 16b @ network header + 8 => reg 1; lookup reg 1 set "
	"deny6; " COUNTER "; " DROP,
	"[create,append,ack] rule ingress: " V6
	"payload load 16b @ network header + 8 => reg 1; lookup reg 1 set "
	"i0_6; " ACCEPT,
	"[create,append,ack] rule ingress: " LOG,
	"[create,append,ack] rule ingress: " DROP,
	"[ack] end res_id=10",
};

/* --- unit tests ----------------------------------------------------------- */

static void test_roundtrip_every_message(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	struct hs_error err = {0};
	struct hs_netpol np;

	sample(&np, true);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	CHECK(err.count == 0);
	CHECK(compare(b, sample_want, HS_ARRAY_SIZE(sample_want)) == 0);
}

/* A direction not in policyTypes: policy accept and the deny rules only. */
static void test_unlisted_direction(void)
{
	static const char *const want[] = {
		"[ack] begin res_id=10",
		"[create,excl,ack] table inet hardshim comment=" COMMENT_A,
		"[create,excl,ack] set deny4 flags=4 key=7/4 id=1 expr=counter",
		"[create,excl,ack] set deny6 flags=4 key=8/16 id=2 "
		"expr=counter",
		"[create,excl,ack] chain egress type=filter hook=3 prio=0 "
		"policy=accept",
		"[create,excl,ack] chain ingress type=filter hook=1 prio=0 "
		"policy=accept",
		"[create,append,ack] rule egress: " L4("0x00000006") V4
		"payload load 4b @ network header + 16 => reg 1; lookup reg 1 "
		"set deny4; " COUNTER "; " TCP_RESET,
		"[create,append,ack] rule egress: " V4
		"payload load 4b @ network header + 16 => reg 1; lookup reg 1 "
		"set deny4; " COUNTER "; " ADMIN_PROHIBITED,
		"[create,append,ack] rule egress: " L4("0x00000006") V6
		"payload load 16b @ network header + 24 => reg 1; lookup reg "
		"1 set deny6; " COUNTER "; " TCP_RESET,
		"[create,append,ack] rule egress: " V6
		"payload load 16b @ network header + 24 => reg 1; lookup reg "
		"1 set deny6; " COUNTER "; " ADMIN_PROHIBITED,
		"[create,append,ack] rule ingress: " V4
		"payload load 4b @ network header + 12 => reg 1; lookup reg 1 "
		"set deny4; " COUNTER "; " DROP,
		"[create,append,ack] rule ingress: " V6
		"payload load 16b @ network header + 8 => reg 1; lookup reg 1 "
		"set deny6; " COUNTER "; " DROP,
		"[ack] end res_id=10",
	};
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	struct hs_error err = {0};
	struct hs_netpol np;

	np_init(&np, DIGEST_A);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	/* Empty sets get no element message. */
	CHECK(compare(b, want, HS_ARRAY_SIZE(want)) == 0);
}

/* A listed direction without rules: everything refused. Rules without
 * ports and rules for every peer; an unlogged refusal. */
static void test_listed_without_rules_and_any(void)
{
	static const char *const want_tail[] = {
		"[create,append,ack] rule egress: " COUNTER,
		"[create,append,ack] rule egress: " L4("0x00000006") TCP_RESET,
		"[create,append,ack] rule egress: " ADMIN_PROHIBITED,
	};
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct hs_netpol np;
	struct hs_np_rule *r;
	char line[4096];
	size_t n, i;

	np_init(&np, DIGEST_A);
	np.egress.listed = true;
	np.ingress.listed = true;
	r = add_rule(&np.ingress);
	r->any_peer = true; /* and no ports: everything */
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	n = split(b, m, MAX_MSGS);
	/* begin, table, 2 sets, 2 chains, egress 4 + 4 + 3, ingress 4 + 1 +
	 * 2 + 1 + 2, end */
	CHECK(n == 1 + 1 + 2 + 2 + 11 + 10 + 1);
	for (i = 0; i < HS_ARRAY_SIZE(want_tail); i++) {
		summarize(m[14 + i], line, sizeof(line));
		CHECK_STR(strchr(line, ' ') + 1, want_tail[i]);
	}
	summarize(m[21], line, sizeof(line));
	CHECK_STR(strchr(line, ' ') + 1,
		  "[create,append,ack] rule ingress: " RPF);
	summarize(m[24], line, sizeof(line));
	CHECK_STR(strchr(line, ' ') + 1,
		  "[create,append,ack] rule ingress: " ACCEPT);
}

static void test_seq_numbering_and_ack(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct hs_netpol np;
	size_t n, i;

	sample(&np, true);
	b = hs_nft_batch_build(&np, "c1", false, 0xfffffffeu, &err);
	hs_netpol_free(&np);
	CHECK(b);
	n = split(b, m, MAX_MSGS);
	CHECK(n == hs_nft_batch_count(b));
	CHECK(n == HS_ARRAY_SIZE(sample_want));
	for (i = 0; i < n; i++) {
		/* Wraps around like any u32 sequence number. */
		CHECK(m[i]->nlmsg_seq == (uint32_t)(0xfffffffeu + i));
		CHECK(m[i]->nlmsg_flags & NLM_F_ACK);
		CHECK(m[i]->nlmsg_flags & NLM_F_REQUEST);
	}
}

static void test_replace_deletes_first(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct hs_netpol np;
	char line[1024];
	size_t n;

	sample(&np, true);
	b = hs_nft_batch_build(&np, "c1", true, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	n = split(b, m, MAX_MSGS);
	CHECK(n == HS_ARRAY_SIZE(sample_want) + 2);
	summarize(m[0], line, sizeof(line));
	CHECK_STR(line, "1000 [ack] begin res_id=10");
	/* No EXCL and no comment: it only makes sure there is a table for
	 * the delete to remove. */
	summarize(m[1], line, sizeof(line));
	CHECK_STR(line, "1001 [create,ack] table inet hardshim");
	summarize(m[2], line, sizeof(line));
	CHECK_STR(line, "1002 [ack] deltable inet hardshim");
	summarize(m[3], line, sizeof(line));
	CHECK_STR(line, "1003 [create,excl,ack] table inet hardshim "
			"comment=" COMMENT_A);
	summarize(m[n - 1], line, sizeof(line));
	CHECK_STR(strchr(line, ' ') + 1, "[ack] end res_id=10");
}

static void test_genid_only_when_asked(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	_cleanup_batch_ struct hs_nft_batch *g = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	const struct nlattr *a;
	struct hs_error err = {0};
	struct hs_netpol np;
	bool found = false;

	sample(&np, false);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	g = hs_nft_batch_build_gen(&np, "c1", false, SEQ0, 4242, &err);
	hs_netpol_free(&np);
	CHECK(b && g);
	CHECK(split(b, m, MAX_MSGS) > 0);
	CHECK(mnl_nlmsg_get_payload_len(m[0]) == sizeof(struct nfgenmsg));
	CHECK(split(g, m, MAX_MSGS) > 0);
	mnl_attr_for_each (a, m[0], sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFNL_BATCH_GENID &&
		    ntohl(mnl_attr_get_u32(a)) == 4242)
			found = true;
	}
	CHECK(found);
}

static void test_delete_batch(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[4];
	struct hs_error err = {0};
	char line[512], what[128];

	b = hs_nft_batch_build_delete(SEQ0, 7, &err);
	CHECK(b);
	CHECK(split(b, m, 4) == 3);
	summarize(m[1], line, sizeof(line));
	CHECK_STR(line, "1001 [ack] deltable inet hardshim");
	summarize(m[0], line, sizeof(line));
	CHECK_STR(line, "1000 [ack] begin res_id=10 genid");
	hs_nft_batch_describe(b, SEQ0 + 1, 0, what, sizeof(what));
	CHECK_STR(what, "deleting table inet hardshim");
}

/* Elements of interval sets, the way nft writes them: a 0 end element in
 * front unless the first range starts at 0, an end at hi + 1, and at the
 * top of the address space no end but an "open" start. */
static void test_interval_edges(void)
{
	static const char *const want[] = {
		"elems deny4 id=1: 0.0.0.0 1.0.0.0/end 255.255.255.0/open",
		"elems deny6 id=2: ::/end ::1 ::2/end ff00::/open",
		"elems e0_4 id=3: 0.0.0.0/open",
		"elems e0_6 id=4: ::/end ffff:ffff:ffff:ffff:ffff:ffff:ffff:"
		"ffff/open",
	};
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct hs_netpol np;
	struct hs_np_rule *r;
	char line[1024];
	size_t n, i, k = 0;

	np_init(&np, DIGEST_A);
	add(&np.deny[HS_FAMILY_V4], "0.0.0.0/8");
	add(&np.deny[HS_FAMILY_V4], "255.255.255.0/24");
	add(&np.deny[HS_FAMILY_V6], "::1/128");
	add(&np.deny[HS_FAMILY_V6], "ff00::/8");
	np.egress.listed = true;
	r = add_rule(&np.egress);
	add(&r->peers[HS_FAMILY_V4], "0.0.0.0/0");
	add(&r->peers[HS_FAMILY_V6], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	n = split(b, m, MAX_MSGS);
	for (i = 0; i < n; i++) {
		if (NFNL_MSG_TYPE(m[i]->nlmsg_type) != NFT_MSG_NEWSETELEM ||
		    m[i]->nlmsg_type < NLMSG_MIN_TYPE + 2)
			continue;
		summarize(m[i], line, sizeof(line));
		CHECK(k < HS_ARRAY_SIZE(want));
		CHECK_STR(strstr(line, "] ") + 2, want[k]);
		k++;
	}
	CHECK(k == HS_ARRAY_SIZE(want));
}

static void test_10000_scattered_32s(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct hs_netpol np;
	struct timespec t0, t1;
	size_t len, n, i, elems = 0;

	np_init(&np, DIGEST_A);
	scattered(&np.deny[HS_FAMILY_V4], 10000);
	CHECK(np.deny[HS_FAMILY_V4].n == 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hs_netpol_free(&np);
	CHECK(b);
	hs_nft_batch_data(b, &len);
	CHECK(len < HS_NFT_BATCH_MAX_BYTES);
	n = split(b, m, MAX_MSGS);
	CHECK(n > 0);
	for (i = 0; i < n; i++) {
		struct nftnl_set *s;

		if (m[i]->nlmsg_type < NLMSG_MIN_TYPE + 2 ||
		    NFNL_MSG_TYPE(m[i]->nlmsg_type) != NFT_MSG_NEWSETELEM)
			continue;
		s = nftnl_set_alloc();
		CHECK(nftnl_set_elems_nlmsg_parse(m[i], s) == 0);
		{
			struct nftnl_set_elems_iter *it =
				nftnl_set_elems_iter_create(s);

			while (nftnl_set_elems_iter_next(it))
				elems++;
			nftnl_set_elems_iter_destroy(it);
		}
		nftnl_set_free(s);
		/* Each fits one u16-length attribute nest. */
		CHECK(m[i]->nlmsg_len < 65536);
	}
	/* The 0 end, then a start and an end for each /32. */
	CHECK(elems == 1 + 2 * 10000);
	printf("# 10000 /32s: %zu bytes, %zu messages, built in %.2f ms\n", len,
	       hs_nft_batch_count(b),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* More than HS_NFT_BATCH_MAX_BYTES: refused, naming the limit. */
static void test_batch_size_limit(void)
{
	struct hs_error err = {0};
	struct hs_netpol np;
	struct hs_range_set *sets[3];
	struct hs_nft_batch *b;
	size_t i, f;

	np_init(&np, DIGEST_A);
	np.egress.listed = true;
	add_rule(&np.egress);
	add_rule(&np.egress); /* realloc: pointers taken after */
	sets[0] = &np.deny[HS_FAMILY_V6];
	sets[1] = &np.egress.rules[0].peers[HS_FAMILY_V6];
	sets[2] = &np.egress.rules[1].peers[HS_FAMILY_V6];
	/* Three sets of 65536 scattered IPv6 /128s: about 13 MB. */
	for (f = 0; f < HS_ARRAY_SIZE(sets); f++) {
		for (i = 0; i < HS_NETPOL_MAX_SET_ELEMENTS; i++) {
			struct hs_range x;

			memset(&x, 0, sizeof(x));
			x.lo.b[0] = 0x20;
			x.lo.b[1] = 0x01;
			x.lo.b[12] = (uint8_t)(i >> 15);
			x.lo.b[13] = (uint8_t)(i >> 7);
			x.lo.b[14] = (uint8_t)(i << 1);
			x.hi = x.lo;
			CHECK(hs_range_set_add(sets[f], &x) == 0);
		}
		hs_range_set_normalize(sets[f]);
	}
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b == NULL);
	CHECK(err.errnum == E2BIG);
	CHECK_CONTAINS(err.msg, "test.json: nftables batch larger than the "
				"limit of 8388608 bytes");
}

static void test_owner_record(void)
{
	char buf[HS_NFT_COMMENT_MAX + 1];
	struct hs_error err = {0};
	const char *k8s_id = "3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9"
			     "b8c7d6e5f4a3b2c";
	size_t n_inline = HS_NFT_OWNER_INLINE_MAX;
	char long_ok[HS_NFT_OWNER_INLINE_MAX + 2];

	CHECK(hs_nft_owner_record("ctr-1_a.b+c", buf, sizeof(buf), &err) == 0);
	CHECK_STR(buf, "ctr-1_a.b+c");
	/* A Kubernetes id does not fit next to the digest in 128 bytes. */
	CHECK(hs_nft_owner_record(k8s_id, buf, sizeof(buf), &err) == 0);
	CHECK(buf[0] == '#' && strlen(buf) == 1 + HS_NFT_OWNER_HASH_HEX);
	CHECK(n_inline == 54);
	memset(long_ok, 'x', n_inline);
	long_ok[n_inline] = '\0';
	CHECK(hs_nft_owner_record(long_ok, buf, sizeof(buf), &err) == 0);
	CHECK_STR(buf, long_ok);
	long_ok[n_inline] = 'x';
	long_ok[n_inline + 1] = '\0';
	CHECK(hs_nft_owner_record(long_ok, buf, sizeof(buf), &err) == 0);
	CHECK(buf[0] == '#');
	/* Quotes, separators and spaces never reach the comment. */
	CHECK(hs_nft_owner_record("a\"b", buf, sizeof(buf), &err) == 0);
	CHECK(buf[0] == '#');
	CHECK(hs_nft_owner_record("a:b", buf, sizeof(buf), &err) == 0);
	CHECK(buf[0] == '#');
	CHECK(hs_nft_owner_record("#abc", buf, sizeof(buf), &err) == 0);
	CHECK(buf[0] == '#' && strcmp(buf, "#abc") != 0);
	/* A record read back from a table is kept as is, so a replacement
	 * keeps the pod's owner. */
	{
		char rec[HS_NFT_COMMENT_MAX + 1], again[HS_NFT_COMMENT_MAX + 1];

		CHECK(hs_nft_owner_record(k8s_id, rec, sizeof(rec), &err) == 0);
		CHECK(hs_nft_owner_record(rec, again, sizeof(again), &err) ==
		      0);
		CHECK_STR(again, rec);
	}
	CHECK(err.count == 0);
	CHECK(hs_nft_owner_record("", buf, sizeof(buf), &err) < 0);
	CHECK_CONTAINS(err.msg, "empty table owner");
}

static void test_comment_parse(void)
{
	struct hs_nft_table_info info;

	hs_nft_comment_parse("hardshim:" DIGEST_A ":c1", &info);
	CHECK_STR(info.digest, DIGEST_A);
	CHECK_STR(info.owner, "c1");
	hs_nft_comment_parse("hardshim:" DIGEST_A ":a:b", &info);
	CHECK_STR(info.owner, "a:b");
	hs_nft_comment_parse("hardshim:" DIGEST_A ":", &info);
	CHECK_STR(info.digest, "");
	CHECK_STR(info.owner, "");
	hs_nft_comment_parse("hardshim:" DIGEST_A, &info);
	CHECK_STR(info.digest, "");
	hs_nft_comment_parse("hardshim:abab:c1", &info);
	CHECK_STR(info.digest, "");
	hs_nft_comment_parse("hardshim:ABABABABABABABABABABABABABABABABABABABA"
			     "BABABABABABABABABABABABABAB:c1",
			     &info);
	CHECK_STR(info.digest, "");
	hs_nft_comment_parse("someone else's table", &info);
	CHECK_STR(info.digest, "");
	CHECK_STR(info.owner, "");
	hs_nft_comment_parse("", &info);
	CHECK_STR(info.digest, "");
}

static void test_comment_fits_nft(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	struct hs_error err = {0};
	struct hs_netpol np;
	char owner[HS_ID_MAX + 1];

	memset(owner, 'a', HS_ID_MAX);
	owner[HS_ID_MAX] = '\0';
	np_init(&np, DIGEST_A);
	b = hs_nft_batch_build(&np, owner, false, SEQ0, &err);
	CHECK(b);
	CHECK(strlen(b->plan.comment) <= HS_NFT_COMMENT_MAX);
	owner[0] = '\0';
	CHECK(hs_nft_batch_build(&np, owner, false, SEQ0, &err) == NULL);
	hs_netpol_free(&np);
}

static void test_bad_input_refused(void)
{
	struct hs_error err = {0};
	struct hs_netpol np;
	struct hs_range x;

	np_init(&np, "");
	CHECK(hs_nft_batch_build(&np, "c1", false, SEQ0, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is not 64 hex digits");
	hs_netpol_free(&np);

	/* Overlapping ranges: hs_range_set_normalize was not run. */
	memset(&err, 0, sizeof(err));
	np_init(&np, DIGEST_A);
	x = R("10.0.0.0/8");
	CHECK(hs_range_set_add(&np.deny[HS_FAMILY_V4], &x) == 0);
	x = R("10.1.0.0/16");
	CHECK(hs_range_set_add(&np.deny[HS_FAMILY_V4], &x) == 0);
	CHECK(hs_nft_batch_build(&np, "c1", false, SEQ0, &err) == NULL);
	CHECK_CONTAINS(err.msg, "set deny4: ranges 0 and 1 are not normalized");
	hs_netpol_free(&np);

	/* An IPv4 address with bytes past the fourth. */
	memset(&err, 0, sizeof(err));
	np_init(&np, DIGEST_A);
	np.deny[HS_FAMILY_V4].r = calloc(1, sizeof(struct hs_range));
	CHECK(np.deny[HS_FAMILY_V4].r);
	np.deny[HS_FAMILY_V4].n = np.deny[HS_FAMILY_V4].cap = 1;
	np.deny[HS_FAMILY_V4].r[0].hi.b[5] = 1;
	CHECK(hs_nft_batch_build(&np, "c1", false, SEQ0, &err) == NULL);
	CHECK_CONTAINS(err.msg, "set deny4: range 0 is invalid");
	hs_netpol_free(&np);

	/* A set of the wrong family. */
	memset(&err, 0, sizeof(err));
	np_init(&np, DIGEST_A);
	np.deny[HS_FAMILY_V6].family = HS_FAMILY_V4;
	CHECK(hs_nft_batch_build(&np, "c1", false, SEQ0, &err) == NULL);
	CHECK_CONTAINS(err.msg, "set deny6: wrong family");
	hs_netpol_free(&np);
}

/* Errors name the part of the policy behind a message: by sequence
 * number, and for elements by the offset the kernel reports. */
static void test_describe(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	const struct nlattr *list, *e;
	struct hs_error err = {0};
	struct hs_netpol np;
	char what[256];
	uint32_t off = 0, i = 0;

	sample(&np, true);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	hs_nft_batch_describe(b, SEQ0, 0, what, sizeof(what));
	CHECK_STR(what, "the transaction");
	hs_nft_batch_describe(b, SEQ0 + 1, 0, what, sizeof(what));
	CHECK_STR(what, "table inet hardshim");
	hs_nft_batch_describe(b, SEQ0 + 6, 0, what, sizeof(what));
	CHECK_STR(what, "set e0_4 (egress[0] peers)");
	hs_nft_batch_describe(b, SEQ0 + 2, 0, what, sizeof(what));
	CHECK_STR(what, "set deny4 (deny)");
	hs_nft_batch_describe(b, SEQ0 + 11, 0, what, sizeof(what));
	CHECK_STR(what, "chain ingress");
	hs_nft_batch_describe(b, SEQ0 + 16, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain egress: deny4 lookup, tcp reset");
	hs_nft_batch_describe(b, SEQ0 + 17, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain egress: deny4 lookup");
	hs_nft_batch_describe(b, SEQ0 + 21, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain egress: egress[0] udp 53-54 to e0_4");
	hs_nft_batch_describe(b, SEQ0 + 22, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain egress: egress[1] tcp 80 to any");
	hs_nft_batch_describe(b, SEQ0 + 30, 0, what, sizeof(what));
	CHECK_STR(what,
		  "rule in chain ingress: reverse path (fib saddr . iif) drop");
	hs_nft_batch_describe(b, SEQ0 + 33, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain ingress: ingress[0] from i0_6");
	hs_nft_batch_describe(b, SEQ0 + 34, 0, what, sizeof(what));
	CHECK_STR(what, "rule in chain ingress: refusal counter and log");
	hs_nft_batch_describe(b, SEQ0 + 3, 0, what, sizeof(what));
	CHECK_STR(what, "elements from 0 of set deny4 (deny)");
	hs_nft_batch_describe(b, SEQ0 + 999, 0, what, sizeof(what));
	CHECK_CONTAINS(what, "unknown sequence number");

	/* The offset of element 3 (169.254.169.254) in message 3, as the
	 * kernel's NLMSGERR_ATTR_OFFS would give it. */
	CHECK(split(b, m, MAX_MSGS) > 3);
	mnl_attr_for_each (list, m[3], sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested (e, list) {
			if (i++ == 3)
				off = (uint32_t)((const char *)e -
						 (const char *)m[3]);
		}
	}
	CHECK(off > 0);
	hs_nft_batch_describe(b, SEQ0 + 3, off, what, sizeof(what));
	CHECK_STR(what, "element 3 of set deny4 (deny) (interval start "
			"169.254.169.254)");
	/* An offset inside the element (its key) names it too. */
	hs_nft_batch_describe(b, SEQ0 + 3, off + 4, what, sizeof(what));
	CHECK_CONTAINS(what, "element 3 of set deny4");
	hs_nft_batch_describe(b, SEQ0 + 3, off + 24, what, sizeof(what));
	CHECK_STR(what, "element 4 of set deny4 (deny) (interval end "
			"169.254.169.255)");
}

struct rpf_walk {
	int i;
	bool ok;
};

/* The four expressions of the reverse-path rule, attribute by attribute
 * (what the printed form does not show: the cmp is four bytes, as nft
 * 1.0.6 sends it; with one, `nft list` shows "oif missing/8"). */
static int rpf_expr_cb(struct nftnl_expr *e, void *data)
{
	struct rpf_walk *w = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const uint32_t *v;
	uint32_t len = 0;

	switch (w->i++) {
	case 0:
		w->ok &=
			strcmp(name, "fib") == 0 &&
			nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS) ==
				(NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF |
				 NFTA_FIB_F_PRESENT) &&
			nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT) ==
				NFT_FIB_RESULT_OIF &&
			nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG) == NFT_REG_1;
		break;
	case 1:
		v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		w->ok &= strcmp(name, "cmp") == 0 &&
			 nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) ==
				 NFT_CMP_EQ &&
			 nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) ==
				 NFT_REG_1 &&
			 len == 4 && v && *v == 0;
		break;
	case 2:
		w->ok &= strcmp(name, "counter") == 0;
		break;
	case 3:
		w->ok &= strcmp(name, "immediate") == 0 &&
			 nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) ==
				 NF_DROP;
		break;
	default:
		w->ok = false;
	}
	return 0;
}

/* The reverse-path rule, parsed back: only in a listed ingress chain,
 * right after the neighbour discovery rule and before the deny lookups
 * (so after loopback and established replies), and exactly fib saddr .
 * iif oif missing, counter, drop. */
static void test_rpf_rule(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	const struct nlmsghdr *m[MAX_MSGS];
	struct hs_error err = {0};
	struct rpf_walk w = {0, true};
	struct nftnl_rule *r;
	struct hs_netpol np;
	size_t n, i, found = 0, at = 0;
	bool parsed, in_ingress = false;
	char line[4096];

	sample(&np, true);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	hs_netpol_free(&np);
	CHECK(b);
	n = split(b, m, MAX_MSGS);
	for (i = 0; i < n; i++) {
		summarize(m[i], line, sizeof(line));
		if (strstr(line, "fib ")) {
			found++;
			at = i;
		}
	}
	CHECK(found == 1);
	summarize(m[at - 1], line, sizeof(line));
	CHECK_CONTAINS(line, "rule ingress: " ND);
	summarize(m[at + 1], line, sizeof(line));
	CHECK_CONTAINS(line, "rule ingress: " V4);
	CHECK_CONTAINS(line, "set deny4");
	r = nftnl_rule_alloc();
	CHECK(r);
	parsed = nftnl_rule_nlmsg_parse(m[at], r) == 0;
	if (parsed) {
		in_ingress = strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
				    "ingress") == 0;
		nftnl_expr_foreach(r, rpf_expr_cb, &w);
	}
	nftnl_rule_free(r);
	CHECK(parsed && in_ingress);
	CHECK(w.ok && w.i == 4);
}

/* The nft -f text has it in the same place, in nft's own words. */
static void test_format_rpf(void)
{
	_cleanup_free_ char *text = NULL;
	struct hs_netpol np;
	size_t size = 0;
	FILE *f;

	sample(&np, true);
	f = open_memstream(&text, &size);
	CHECK(f);
	CHECK(hs_nft_format(&np, "c1", f) == 0);
	fclose(f);
	hs_netpol_free(&np);
	CHECK_CONTAINS(text, "\tchain ingress {\n"
			     "\t\ttype filter hook input priority 0; policy "
			     "drop;\n"
			     "\t\tiifname \"lo\" accept\n"
			     "\t\tct state established,related accept\n"
			     "\t\tct state invalid drop\n"
			     "\t\tmeta nfproto ipv6 icmpv6 type 133-136 "
			     "accept\n"
			     "\t\tfib saddr . iif oif missing counter drop\n"
			     "\t\tip saddr @deny4 counter drop\n");
	/* Once, and not in egress. */
	CHECK(strstr(strstr(text, "fib ") + 1, "fib ") == NULL);
	CHECK(strstr(text, "fib ") > strstr(text, "chain ingress"));
}

static const char sample_text[] =
	"table inet hardshim {\n"
	"\tcomment \"hardshim:" DIGEST_A ":c1\"\n"
	"\n"
	"\tset deny4 {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tflags interval\n"
	"\t\tcounter\n"
	"\t\telements = { 10.20.0.0/16,\n"
	"\t\t\t     169.254.169.254 }\n"
	"\t}\n"
	"\n"
	"\tset deny6 {\n"
	"\t\ttype ipv6_addr\n"
	"\t\tflags interval\n"
	"\t\tcounter\n"
	"\t\telements = { fd00:ec2::254 }\n"
	"\t}\n"
	"\n"
	"\tset e0_4 {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tflags interval\n"
	"\t\telements = { 10.10.0.0/16 }\n"
	"\t}\n"
	"\n"
	"\tchain egress {\n"
	"\t\ttype filter hook output priority 0; policy drop;\n"
	"\t\toifname \"lo\" accept\n"
	"\t\tct state established,related accept\n"
	"\t\tct state invalid drop\n"
	"\t\tmeta nfproto ipv6 icmpv6 type 133-136 accept\n"
	"\t\tmeta l4proto tcp ip daddr @deny4 counter reject with tcp reset\n"
	"\t\tip daddr @deny4 counter reject with icmpx admin-prohibited\n"
	"\t\tmeta l4proto tcp ip6 daddr @deny6 counter reject with tcp "
	"reset\n"
	"\t\tip6 daddr @deny6 counter reject with icmpx admin-prohibited\n"
	"\t\tip daddr @e0_4 meta l4proto tcp th dport 443 accept\n"
	"\t\tip daddr @e0_4 meta l4proto udp th dport 53-54 accept\n"
	"\t\tmeta l4proto tcp th dport 80 accept\n"
	"\t\tcounter limit rate 5/second burst 5 packets log prefix "
	"\"hardshim refused: \"\n"
	"\t\tmeta l4proto tcp reject with tcp reset\n"
	"\t\treject with icmpx admin-prohibited\n"
	"\t}\n"
	"\n"
	"\tchain ingress {\n"
	"\t\ttype filter hook input priority 0; policy accept;\n"
	"\t\tip saddr @deny4 counter drop\n"
	"\t\tip6 saddr @deny6 counter drop\n"
	"\t}\n"
	"}\n";

static void test_format_exact(void)
{
	_cleanup_free_ char *text = NULL;
	struct hs_netpol np;
	size_t size = 0;
	FILE *f;
	int r;

	sample(&np, false);
	f = open_memstream(&text, &size);
	CHECK(f);
	r = hs_nft_format(&np, "c1", f);
	fclose(f);
	hs_netpol_free(&np);
	CHECK(r == 0);
	if (strcmp(text, sample_text) != 0)
		printf("  got:\n%s", text);
	CHECK_STR(text, sample_text);
}

/* Ranges that are not one block are written lo-hi; single addresses
 * without a prefix; the open interval at the top as a block. */
static void test_format_ranges(void)
{
	_cleanup_free_ char *text = NULL;
	struct hs_netpol np;
	struct hs_range x;
	size_t size = 0;
	FILE *f;

	np_init(&np, DIGEST_A);
	x = R("10.0.0.1");
	x.hi = R("10.0.0.5").lo;
	CHECK(hs_range_set_add(&np.deny[HS_FAMILY_V4], &x) == 0);
	add(&np.deny[HS_FAMILY_V4], "240.0.0.0/4");
	add(&np.deny[HS_FAMILY_V6], "::/0");
	f = open_memstream(&text, &size);
	CHECK(f);
	CHECK(hs_nft_format(&np, "c1", f) == 0);
	fclose(f);
	hs_netpol_free(&np);
	CHECK_CONTAINS(text, "elements = { 10.0.0.1-10.0.0.5,\n"
			     "\t\t\t     240.0.0.0/4 }\n");
	CHECK_CONTAINS(text, "elements = { ::/0 }\n");
}

static void test_format_refuses_bad_policy(void)
{
	struct hs_netpol np;
	FILE *f = fopen("/dev/null", "we");

	CHECK(f);
	np_init(&np, "not a digest");
	CHECK(hs_nft_format(&np, "c1", f) < 0);
	CHECK(errno == EINVAL);
	hs_netpol_free(&np);
	fclose(f);
}

/* The shipped config's networks, which the shipped policy names; loaded
 * once, kept to the end. */
static const struct hs_netnames *shipped_names(void)
{
	static struct hs_config cfg;
	static bool loaded;
	struct hs_error err = {0};

	if (!loaded &&
	    hs_config_load_draft("policies/config.json", &cfg, &err) < 0) {
		printf("  policies/config.json: %s\n", err.msg);
		return NULL;
	}
	loaded = true;
	return &cfg.networks;
}

/* The shipped policy, through the real parser with the shipped config's
 * networks, builds and formats; each set from a name says so above it. */
static void test_tenant_isolated(void)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	_cleanup_free_ char *text = NULL;
	struct hs_error err = {0};
	struct hs_netpol np;
	size_t size = 0;
	FILE *f;

	CHECK(shipped_names() != NULL);
	CHECK(hs_netpol_load("policies/netpol/tenant-isolated.json",
			     shipped_names(), &np, &err) == 0);
	b = hs_nft_batch_build(&np, "c1", false, SEQ0, &err);
	f = open_memstream(&text, &size);
	CHECK(f);
	CHECK(hs_nft_format(&np, "c1", f) == 0);
	fclose(f);
	hs_netpol_free(&np);
	CHECK(b);
	CHECK(err.count == 0);
	CHECK(hs_nft_batch_count(b) > 20);
	CHECK_CONTAINS(text, "\tset deny4 {\n");
	CHECK_CONTAINS(text, "ip daddr @deny4 counter reject");
	CHECK_CONTAINS(text, "type filter hook input priority 0; policy drop;");
	CHECK_CONTAINS(text, "\n\t# from @otherClusters (10.20.0.0/16), "
			     "@metadata (169.254.169.254/32, "
			     "168.63.129.16/32)\n\tset deny4 {\n");
	CHECK_CONTAINS(text, "\n\t# from @metadata (fd00:ec2::254/128)\n"
			     "\tset deny6 {\n");
	CHECK_CONTAINS(text, "\n\t# from @pods (10.244.0.0/16), @services "
			     "(10.96.0.0/12)\n\tset e0_4 {\n");
	CHECK_CONTAINS(text, "\n\t# from @dns (10.96.0.10/32)\n\tset e1_4 {\n");
	CHECK_CONTAINS(text, "\n\t}\n\n\tset e2_4 {\n");
	CHECK_CONTAINS(text, "\n\t# from @pods (10.244.0.0/16), @nodes "
			     "(172.18.0.0/16)\n\tset i0_4 {\n");
}

/* A set's comment names, per family, only the names with a CIDR of that
 * family, and those CIDRs; an except name on a line of its own. */
static void test_format_names(void)
{
	static const char text_json[] =
		"{\"policyTypes\": [\"Egress\"], \"egress\": [{\"to\": "
		"[{\"ipBlock\": {\"cidr\": \"@pods\", \"except\": "
		"[\"@holes\"]}}, {\"ipBlock\": {\"cidr\": "
		"\"192.0.2.0/24\"}}]}]}";
	struct hs_cidr c[4];
	struct hs_netname v[2] = {
		{.name = "pods", .cidrs = c, .n = 2},
		{.name = "holes", .cidrs = c + 2, .n = 2},
	};
	struct hs_netnames t = {.v = v, .n = 2};
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *j = NULL;
	struct hs_error err = {0};
	struct hs_netpol np;
	size_t size = 0;
	char why[64];
	FILE *f;

	CHECK(hs_cidr_parse("10.244.0.0/16", &c[0], why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("fd00:10:244::/56", &c[1], why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("10.244.5.0/24", &c[2], why, sizeof(why)) == 0);
	CHECK(hs_cidr_parse("10.244.6.0/24", &c[3], why, sizeof(why)) == 0);
	j = hs_json_load_buffer(text_json, strlen(text_json), "n.json", &err);
	CHECK(j && hs_netpol_parse(j, "n.json", &t, &np, &err) == 0);
	f = open_memstream(&text, &size);
	CHECK(f);
	CHECK(hs_nft_format(&np, "c1", f) == 0);
	fclose(f);
	hs_netpol_free(&np);
	CHECK_CONTAINS(text, "\t# from @pods (10.244.0.0/16)\n"
			     "\t# except @holes (10.244.5.0/24, "
			     "10.244.6.0/24)\n\tset e0_4 {\n");
	CHECK_CONTAINS(text, "\t# from @pods (fd00:10:244::/56)\n"
			     "\tset e0_6 {\n");
}

/* --- in a fresh network namespace (root, HS_NFT_NETNS_TEST=1) --------------
 */

/* Runs `body` in a forked child inside a new network namespace; the child
 * prints its own FAIL lines. */
static int in_fresh_netns(void (*body)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			printf("  unshare: %s\n", strerror(errno));
			fflush(stdout);
			_exit(2);
		}
		hs_test_failed = 0; /* the parent's failures are not ours */
		body();
		fflush(stdout);
		_exit(hs_test_failed ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void ns_lifecycle(void)
{
	struct hs_nft_table_info info;
	struct hs_error err = {0};
	struct hs_netpol np, other;
	bool changed = false, deleted = true;

	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(!info.present);
	/* Nothing to delete is not an error. */
	CHECK(hs_nft_delete_if_owner("c1", &deleted, &err) == 0);
	CHECK(!deleted);

	sample(&np, true);
	CHECK(hs_nft_apply(&np, "c1", &changed, &err) == 0);
	CHECK(changed);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(info.present);
	CHECK_STR(info.digest, DIGEST_A);
	CHECK_STR(info.owner, "c1");

	/* A second container of the pod, same policy: left alone, and the
	 * owner stays the first. */
	CHECK(hs_nft_apply(&np, "c2", &changed, &err) == 0);
	CHECK(!changed);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK_STR(info.owner, "c1");

	/* A different policy replaces it in one transaction, and the table
	 * keeps the pod's owner: the replacing container does not own it. */
	sample(&other, false);
	snprintf(other.digest, sizeof(other.digest), "%s", DIGEST_B);
	CHECK(hs_nft_apply(&other, "c3", &changed, &err) == 0);
	CHECK(changed);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK_STR(info.digest, DIGEST_B);
	CHECK_STR(info.owner, "c1");

	/* Only its owner deletes it. */
	CHECK(hs_nft_delete_if_owner("c3", &deleted, &err) == 0);
	CHECK(!deleted);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(info.present);
	CHECK(hs_nft_delete_if_owner("c1", &deleted, &err) == 0);
	CHECK(deleted);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(!info.present);
	CHECK(err.count == 0);
	hs_netpol_free(&np);
	hs_netpol_free(&other);
}

static void test_ns_lifecycle(void)
{
	CHECK(in_fresh_netns(ns_lifecycle) == 0);
}

/* A 64-hex container id is recorded hashed; the same id deletes it. */
static void ns_long_owner(void)
{
	const char *id = "3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7"
			 "d6e5f4a3b2c";
	struct hs_nft_table_info info;
	struct hs_error err = {0};
	struct hs_netpol np;
	bool changed, deleted = true;

	sample(&np, false);
	CHECK(hs_nft_apply(&np, id, &changed, &err) == 0);
	hs_netpol_free(&np);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(info.owner[0] == '#');
	CHECK(hs_nft_delete_if_owner("3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3"
				     "d2e1f0a9b8c7d6e5f4a3b2d",
				     &deleted, &err) == 0);
	CHECK(!deleted);
	CHECK(hs_nft_delete_if_owner(id, &deleted, &err) == 0);
	CHECK(deleted);
}

static void test_ns_long_owner(void)
{
	CHECK(in_fresh_netns(ns_long_owner) == 0);
}

/* A table inet hardshim that another socket holds (NFT_TABLE_F_OWNER,
 * kernel 5.12): the kernel refuses to touch it, and the error names the
 * step and the policy file and says how many more messages failed. */
static void ns_kernel_error_named(void)
{
	struct mnl_socket *nl =
		mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct nftnl_table *t = nftnl_table_alloc();
	char buf[8192] = {0};
	struct mnl_nlmsg_batch *mb;
	struct nlmsghdr *nlh;
	struct hs_error err = {0};
	struct hs_nft_table_info info;
	struct hs_netpol np;
	bool changed = false;
	ssize_t n;

	CHECK(nl && t && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0);
	mb = mnl_nlmsg_batch_start(buf, sizeof(buf) / 2);
	nftnl_batch_begin(mnl_nlmsg_batch_current(mb), 1);
	mnl_nlmsg_batch_next(mb);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, HS_NFT_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(mb),
				    NFT_MSG_NEWTABLE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, 2);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(mb);
	nftnl_batch_end(mnl_nlmsg_batch_current(mb), 3);
	mnl_nlmsg_batch_next(mb);
	CHECK(mnl_socket_sendto(nl, mnl_nlmsg_batch_head(mb),
				mnl_nlmsg_batch_size(mb)) > 0);
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(mnl_cb_run(buf, (size_t)n, 2, mnl_socket_get_portid(nl), NULL,
			 NULL) >= 0);
	mnl_nlmsg_batch_stop(mb);
	nftnl_table_free(t);

	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(info.present);
	CHECK_STR(info.digest, "");
	sample(&np, false);
	CHECK(hs_nft_apply(&np, "c1", &changed, &err) < 0);
	hs_netpol_free(&np);
	printf("# the error: %s\n", err.msg);
	CHECK(err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "test.json: nftables: replacing table inet "
				"hardshim: Operation not permitted");
	CHECK_CONTAINS(err.msg, "more errors)");
	mnl_socket_close(nl);
	/* Its socket is gone, and so is the table. */
	memset(&err, 0, sizeof(err));
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK(!info.present);
}

static void test_ns_kernel_error_named(void)
{
	CHECK(in_fresh_netns(ns_kernel_error_named) == 0);
}

/* Containers of one pod start together: their hooks race to install the
 * same policy. Each reads, decides and sends; a batch built on a stale
 * read is refused by the kernel (the generation moved, ERESTART) and
 * retried, so exactly one installs it, the others find it, and none
 * fails. */
static void ns_concurrent(void)
{
	enum { N = 8, ROUNDS = 5 };
	struct hs_nft_table_info info;
	struct hs_error err = {0};
	struct hs_netpol np;
	int round, i, status, changed_n, failed_n, gate[2];
	pid_t pids[N];

	sample(&np, true);
	for (round = 0; round < ROUNDS; round++) {
		CHECK(pipe2(gate, O_CLOEXEC) == 0);
		fflush(stdout);
		for (i = 0; i < N; i++) {
			pids[i] = fork();
			CHECK(pids[i] >= 0);
			if (pids[i] == 0) {
				char owner[16], c;
				bool changed = false;

				close(gate[1]);
				/* Everyone leaves the gate at once. */
				if (read(gate[0], &c, 1) < 0)
					_exit(1);
				snprintf(owner, sizeof(owner), "c%d", i);
				if (hs_nft_apply(&np, owner, &changed, &err) <
				    0) {
					printf("  %s: %s\n", owner, err.msg);
					fflush(stdout);
					_exit(1);
				}
				_exit(changed ? 10 : 0);
			}
		}
		close(gate[0]);
		close(gate[1]);
		changed_n = failed_n = 0;
		for (i = 0; i < N; i++) {
			CHECK(waitpid(pids[i], &status, 0) == pids[i]);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
				changed_n++;
			else if (!WIFEXITED(status) || WEXITSTATUS(status))
				failed_n++;
		}
		CHECK(failed_n == 0);
		CHECK(changed_n == 1);
		CHECK(hs_nft_table_get(&info, &err) == 0);
		CHECK_STR(info.digest, DIGEST_A);
		CHECK(hs_nft_delete_if_owner(info.owner, &(bool){false},
					     &err) == 0);
		CHECK(hs_nft_table_get(&info, &err) == 0);
		CHECK(!info.present);
	}
	hs_netpol_free(&np);
}

static void test_ns_concurrent(void)
{
	CHECK(in_fresh_netns(ns_concurrent) == 0);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static size_t timing_n;

/* The first apply in a namespace pays for conntrack's and nf_tables'
 * per-namespace setup; the figure printed is that first apply, as the
 * hook meets it. */
static void ns_timing(void)
{
	struct hs_nft_table_info info;
	struct hs_error err = {0};
	struct hs_netpol np;
	struct timespec t0;
	bool changed = false;
	double first, again;

	sample(&np, true);
	scattered(&np.deny[HS_FAMILY_V4], timing_n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(hs_nft_apply(&np, "c1", &changed, &err) == 0);
	first = ms_since(&t0);
	CHECK(changed);
	snprintf(np.digest, sizeof(np.digest), "%s", DIGEST_B);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(hs_nft_apply(&np, "c1", &changed, &err) == 0);
	again = ms_since(&t0);
	hs_netpol_free(&np);
	CHECK(hs_nft_table_get(&info, &err) == 0);
	CHECK_STR(info.digest, DIGEST_B);
	printf("# hs_nft_apply with %zu deny CIDRs: %.2f ms in a fresh "
	       "namespace, %.2f ms replacing\n",
	       timing_n, first, again);
}

static void test_ns_timing(void)
{
	static const size_t sizes[] = {10, 100, 1000, 10000};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(sizes); i++) {
		timing_n = sizes[i];
		CHECK(in_fresh_netns(ns_timing) == 0);
	}
}

/* Applies the sample in the namespace at HS_NFT_NETNS_PATH (made by the
 * shell test) and writes its nft -f text to HS_NFT_FORMAT_OUT. */
static void test_ns_named(void)
{
	const char *path = secure_getenv("HS_NFT_NETNS_PATH");
	const char *out = secure_getenv("HS_NFT_FORMAT_OUT");
	const char *which = secure_getenv("HS_NFT_POLICY");
	struct hs_error err = {0};
	struct hs_netpol np;
	pid_t pid;
	int status;
	FILE *f;

	CHECK(path && out);
	if (which && which[0])
		CHECK(hs_netpol_load(which, shipped_names(), &np, &err) == 0);
	else
		sample(&np, true);
	f = fopen(out, "we");
	CHECK(f);
	CHECK(hs_nft_format(&np, "c1", f) == 0);
	CHECK(fclose(f) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		bool changed = false;

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0 ||
		    hs_nft_apply(&np, "c1", &changed, &err) < 0 || !changed) {
			printf("  %s: %s %s\n", path, strerror(errno), err.msg);
			fflush(stdout);
			_exit(1);
		}
		_exit(0);
	}
	hs_netpol_free(&np);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const char *ns = secure_getenv("HS_NFT_NETNS_TEST");

	if (ns && strcmp(ns, "1") == 0) {
		if (geteuid() != 0) {
			SKIP(test_ns_lifecycle, "needs root");
			return 0;
		}
		if (secure_getenv("HS_NFT_NETNS_PATH")) {
			RUN(test_ns_named);
			TEST_EXIT();
		}
		RUN(test_ns_lifecycle);
		RUN(test_ns_long_owner);
		RUN(test_ns_kernel_error_named);
		RUN(test_ns_concurrent);
		RUN(test_ns_timing);
		TEST_EXIT();
	}
	RUN(test_roundtrip_every_message);
	RUN(test_unlisted_direction);
	RUN(test_listed_without_rules_and_any);
	RUN(test_seq_numbering_and_ack);
	RUN(test_replace_deletes_first);
	RUN(test_genid_only_when_asked);
	RUN(test_delete_batch);
	RUN(test_interval_edges);
	RUN(test_10000_scattered_32s);
	RUN(test_batch_size_limit);
	RUN(test_owner_record);
	RUN(test_comment_parse);
	RUN(test_comment_fits_nft);
	RUN(test_bad_input_refused);
	RUN(test_describe);
	RUN(test_format_exact);
	RUN(test_rpf_rule);
	RUN(test_format_rpf);
	RUN(test_format_ranges);
	RUN(test_format_refuses_bad_policy);
	RUN(test_tenant_isolated);
	RUN(test_format_names);
	TEST_EXIT();
}
