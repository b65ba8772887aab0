/* The nftables batch: the plan (nft_plan.c) as netlink messages, built
 * with libnftnl's typed setters into one mnl_nlmsg_batch. Pure: no socket;
 * tests/unit/test_nft.c parses every message back with libnftnl.
 *
 * Layout (one transaction: the kernel commits all of it or none):
 *
 *   batch begin                  [NFNL_BATCH_GENID when hs_nft_apply asks]
 *   [replace: NEWTABLE (no EXCL), DELTABLE]   the old table goes, atomically
 *   NEWTABLE inet hardshim, EXCL, comment "hardshim:DIGEST:OWNER"
 *   per set: NEWSET, then NEWSETELEM messages of at most 1024 elements
 *   NEWCHAIN egress, NEWCHAIN ingress
 *   NEWRULE ... in plan order (appended)
 *   batch end
 *
 * Every message has its own sequence number, seq, seq + 1, ..., and
 * NLM_F_ACK, so that nft_apply.c can name the part of the policy behind a
 * kernel error. The expressions are those nft 1.0.6 generates for the
 * text nft_format.c writes, so `nft list` shows both the same way. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "hs_cleanup.h"
#include "nft_internal.h"

/* Elements per NEWSETELEM message. The element list is one attribute
 * nest, whose length is 16 bits: 1024 IPv6 elements of at most 48 bytes
 * (key, flags, userdata) stay well under 64 KiB. */
#define ELEMS_PER_MSG 1024
/* The largest message (an element message) plus slack: room that
 * mnl_nlmsg_batch needs past its limit to hold the message that overflows
 * it. */
#define MSG_MAX (UINT16_MAX + 4096)
/* nft's byte order for a set key (enum byteorder: BYTEORDER_BIG_ENDIAN). */
#define NFT_BYTEORDER_BIG_ENDIAN 2

static void table_freep(struct nftnl_table **p)
{
	if (*p)
		nftnl_table_free(*p);
}
static void chain_freep(struct nftnl_chain **p)
{
	if (*p)
		nftnl_chain_free(*p);
}
static void set_freep(struct nftnl_set **p)
{
	if (*p)
		nftnl_set_free(*p);
}
static void rule_freep(struct nftnl_rule **p)
{
	if (*p)
		nftnl_rule_free(*p);
}
static void udata_freep(struct nftnl_udata_buf **p)
{
	if (*p)
		nftnl_udata_buf_free(*p);
}
static void batch_freep(struct hs_nft_batch **p)
{
	hs_nft_batch_free(*p);
}
#define _cleanup_table_ __attribute__((cleanup(table_freep)))
#define _cleanup_chain_ __attribute__((cleanup(chain_freep)))
#define _cleanup_set_ __attribute__((cleanup(set_freep)))
#define _cleanup_rule_ __attribute__((cleanup(rule_freep)))
#define _cleanup_udata_ __attribute__((cleanup(udata_freep)))
#define _cleanup_batch_ __attribute__((cleanup(batch_freep)))

struct builder {
	struct mnl_nlmsg_batch *mb;
	struct hs_nft_batch *b;
	size_t cap_msgs;
	uint32_t seq;
	bool full; /* the buffer's limit was reached: not an error yet */
};

/* Starts message number b->n_msgs in the batch and records what it is. */
static struct nlmsghdr *msg_start(struct builder *bd, uint16_t type,
				  uint16_t flags, enum hs_nft_msg_kind kind,
				  uint32_t index, uint32_t first)
{
	struct hs_nft_batch *b = bd->b;

	if (b->n_msgs == bd->cap_msgs)
		return NULL;
	b->msgs[b->n_msgs++] = (struct hs_nft_msg){
		.kind = (uint8_t)kind, .index = index, .first = first};
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bd->mb), type,
				     NFPROTO_INET, flags | NLM_F_ACK,
				     bd->seq++);
}

/* Closes the current message; -1 when the buffer is full. */
static int msg_end(struct builder *bd)
{
	if (mnl_nlmsg_batch_next(bd->mb))
		return 0;
	bd->full = true;
	return -1;
}

static int put_batch_marker(struct builder *bd, bool begin, uint32_t genid)
{
	struct hs_nft_batch *b = bd->b;
	struct nlmsghdr *nlh;
	char *buf = mnl_nlmsg_batch_current(bd->mb);

	if (b->n_msgs == bd->cap_msgs)
		return -1;
	b->msgs[b->n_msgs++] = (struct hs_nft_msg){
		.kind = begin ? HS_NFT_M_BEGIN : HS_NFT_M_END};
	nlh = begin ? nftnl_batch_begin(buf, bd->seq++)
		    : nftnl_batch_end(buf, bd->seq++);
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (begin && genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	return msg_end(bd);
}

/* kind: HS_NFT_M_TABLE_ENSURE, HS_NFT_M_TABLE_DELETE or HS_NFT_M_TABLE.
 * The ensure message has no EXCL, so it succeeds on the table that is
 * there and the delete after it cannot fail with ENOENT; the new table has
 * EXCL, so two hooks racing to create it cannot merge their rules. */
static int put_table(struct builder *bd, const struct hs_nft_plan *p,
		     enum hs_nft_msg_kind kind)
{
	_cleanup_table_ struct nftnl_table *t = nftnl_table_alloc();
	_cleanup_udata_ struct nftnl_udata_buf *ud = NULL;
	struct nlmsghdr *nlh;
	uint16_t type = NFT_MSG_NEWTABLE, flags = NLM_F_CREATE;

	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, HS_NFT_TABLE) < 0)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	if (kind == HS_NFT_M_TABLE_DELETE) {
		type = NFT_MSG_DELTABLE;
		flags = 0;
	} else if (kind == HS_NFT_M_TABLE) {
		flags |= NLM_F_EXCL;
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
		if (!ud ||
		    !nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT,
					  p->comment) ||
		    nftnl_table_set_data(t, NFTNL_TABLE_USERDATA,
					 nftnl_udata_buf_data(ud),
					 nftnl_udata_buf_len(ud)) < 0)
			return -ENOMEM;
	}
	nlh = msg_start(bd, type, flags, kind, 0, 0);
	if (!nlh)
		return -1;
	nftnl_table_nlmsg_build_payload(nlh, t);
	return msg_end(bd);
}

static uint32_t key_len(enum hs_family f)
{
	return f == HS_FAMILY_V4 ? 4 : 16;
}

/* A set object naming set `s` of the table: what NEWSET carries, and what
 * NEWSETELEM needs to find it (by name, and by its id since it is created
 * in this same batch). */
static struct nftnl_set *set_object(const struct hs_nft_set_plan *s)
{
	struct nftnl_set *set = nftnl_set_alloc();

	if (!set)
		return NULL;
	if (nftnl_set_set_str(set, NFTNL_SET_TABLE, HS_NFT_TABLE) < 0 ||
	    nftnl_set_set_str(set, NFTNL_SET_NAME, s->name) < 0) {
		nftnl_set_free(set);
		return NULL;
	}
	nftnl_set_set_u32(set, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(set, NFTNL_SET_ID, s->id);
	return set;
}

static int put_set(struct builder *bd, const struct hs_nft_set_plan *s,
		   uint32_t index)
{
	_cleanup_set_ struct nftnl_set *set = set_object(s);
	_cleanup_udata_ struct nftnl_udata_buf *ud =
		nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	struct nlmsghdr *nlh;

	if (!set || !ud)
		return -ENOMEM;
	nftnl_set_set_u32(set, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
	nftnl_set_set_u32(set, NFTNL_SET_KEY_TYPE,
			  s->family == HS_FAMILY_V4 ? HS_NFT_TYPE_IPV4_ADDR
						    : HS_NFT_TYPE_IPV6_ADDR);
	nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, key_len(s->family));
	/* nft records the key's byte order; without it a listing would
	 * still decode, but the set would differ from nft's own. */
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				 NFT_BYTEORDER_BIG_ENDIAN) ||
	    nftnl_set_set_data(set, NFTNL_SET_USERDATA,
			       nftnl_udata_buf_data(ud),
			       nftnl_udata_buf_len(ud)) < 0)
		return -ENOMEM;
	if (s->counter) {
		/* A set expression (kernel 5.11, libnftnl 1.1.9): every
		 * element gets its own counter, so `nft list set` shows
		 * which denied range was hit. */
		struct nftnl_expr *e = nftnl_expr_alloc("counter");

		if (!e)
			return -ENOMEM;
		nftnl_set_add_expr(set, e);
	}
	nlh = msg_start(bd, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL,
			HS_NFT_M_SET, index, 0);
	if (!nlh)
		return -1;
	nftnl_set_nlmsg_build_payload(nlh, set);
	return msg_end(bd);
}

static struct nftnl_set_elem *elem_object(const struct hs_nft_elem *el,
					  enum hs_family f)
{
	_cleanup_udata_ struct nftnl_udata_buf *ud = NULL;
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (!e)
		return NULL;
	if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, el->key.b, key_len(f)) <
	    0)
		goto fail;
	if (el->end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
	if (el->open) {
		/* nft marks the start of an interval that has no end
		 * element (it runs to the last address) so that it lists
		 * it as a range, not as one address. */
		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
		if (!ud ||
		    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_ELEM_FLAGS,
					 NFTNL_SET_ELEM_F_INTERVAL_OPEN) ||
		    nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA,
				       nftnl_udata_buf_data(ud),
				       nftnl_udata_buf_len(ud)) < 0)
			goto fail;
	}
	return e;
fail:
	nftnl_set_elem_free(e);
	return NULL;
}

/* The element list by hand around libnftnl's per-element builder:
 * nftnl_set_elems_nlmsg_build_payload numbers the list's attributes 1, 2,
 * 3, ... where the uapi (and libnftnl's own parser) want NFTA_LIST_ELEM.
 * The kernel reads either; this way the batch parses back for the tests. */
static int put_elems(struct builder *bd, const struct hs_nft_set_plan *s,
		     uint32_t index)
{
	size_t n = hs_nft_elem_count(s->ranges), first, i;

	for (first = 0; first < n; first += ELEMS_PER_MSG) {
		size_t count =
			n - first > ELEMS_PER_MSG ? ELEMS_PER_MSG : n - first;
		size_t last = first + count;
		struct nlmsghdr *nlh;
		struct nlattr *list;

		nlh = msg_start(bd, NFT_MSG_NEWSETELEM,
				NLM_F_CREATE | NLM_F_EXCL, HS_NFT_M_ELEMS,
				index, (uint32_t)first);
		if (!nlh)
			return -1;
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, HS_NFT_TABLE);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, s->name);
		/* The set is created in this same batch: the kernel finds
		 * it by id as well as by name. */
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(s->id));
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (i = first; i < last; i++) {
			struct hs_nft_elem el;
			struct nftnl_set_elem *e;

			hs_nft_elem_get(s->ranges, i, &el);
			e = elem_object(&el, s->family);
			if (!e)
				return -ENOMEM;
			nftnl_set_elem_nlmsg_build(nlh, e, NFTA_LIST_ELEM);
			nftnl_set_elem_free(e);
		}
		mnl_attr_nest_end(nlh, list);
		if (msg_end(bd) < 0)
			return -1;
	}
	return 0;
}

static int put_chain(struct builder *bd, const struct hs_nft_plan *p, int chain)
{
	_cleanup_chain_ struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, HS_NFT_TABLE) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, hs_nft_chain_name(chain)) <
		    0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM,
			    chain == HS_NFT_EGRESS ? NF_INET_LOCAL_OUT
						   : NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY,
			    p->drop[chain] ? NF_DROP : NF_ACCEPT);
	nlh = msg_start(bd, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
			HS_NFT_M_CHAIN, (uint32_t)chain, 0);
	if (!nlh)
		return -1;
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return msg_end(bd);
}

/* --- expressions: each appends one to `r`, -1 on allocation failure ------ */

static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e)
		nftnl_rule_add_expr(r, e);
	return e;
}

static int x_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = expr(r, "meta");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return 0;
}

static int x_cmp(struct nftnl_rule *r, uint32_t op, const void *data,
		 uint32_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	return nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static int x_cmp_u8(struct nftnl_rule *r, uint32_t op, uint8_t v)
{
	return x_cmp(r, op, &v, sizeof(v));
}

/* meta KEY == v, for the one-byte keys nfproto and l4proto. */
static int x_meta_is(struct nftnl_rule *r, uint32_t key, uint8_t v)
{
	return x_meta(r, key) < 0 ? -1 : x_cmp_u8(r, NFT_CMP_EQ, v);
}

static int x_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
		     uint32_t len)
{
	struct nftnl_expr *e = expr(r, "payload");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return 0;
}

static int x_lookup(struct nftnl_rule *r, const struct hs_nft_set_plan *s)
{
	struct nftnl_expr *e = expr(r, "lookup");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, s->id);
	return nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, s->name);
}

/* ct state & mask != 0: nft's encoding of `ct state a,b`. */
static int x_ct_state(struct nftnl_rule *r, uint32_t mask)
{
	static const uint32_t zero;
	struct nftnl_expr *ct = expr(r, "ct"), *bw;

	if (!ct)
		return -1;
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	bw = expr(r, "bitwise");
	if (!bw)
		return -1;
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(bw, NFTNL_EXPR_BITWISE_LEN, sizeof(mask));
	if (nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask)) <
		    0 ||
	    nftnl_expr_set(bw, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero)) < 0)
		return -1;
	return x_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* fib saddr . iif oif missing: whether a route back to the source leaves
 * through the interface the packet came in on. NFTA_FIB_F_PRESENT makes
 * the kernel store a boolean (nft_reg_store8, which zeroes the rest of
 * the register) rather than the interface index; nft 1.0.6 compares it
 * with a four-byte zero, and `nft list` shows a shorter cmp as
 * "missing/8". */
static int x_fib_rpf_missing(struct nftnl_rule *r)
{
	static const uint32_t missing;
	struct nftnl_expr *e = expr(r, "fib");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_OIF);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS,
			   NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF |
				   NFTA_FIB_F_PRESENT);
	return x_cmp(r, NFT_CMP_EQ, &missing, sizeof(missing));
}

static int x_counter(struct nftnl_rule *r)
{
	return expr(r, "counter") ? 0 : -1;
}

static int x_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = expr(r, "immediate");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	return 0;
}

static int x_reject(struct nftnl_rule *r, uint32_t type, uint8_t code)
{
	struct nftnl_expr *e = expr(r, "reject");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
	nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
	return 0;
}

/* The refusal's log line, rate-limited: the limit comes first, so that a
 * flood of refused packets cannot flood the log. */
static int x_limited_log(struct nftnl_rule *r)
{
	struct nftnl_expr *lim = expr(r, "limit"), *log;

	if (!lim)
		return -1;
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, HS_NFT_LOG_RATE);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1); /* per second */
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, HS_NFT_LOG_BURST);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, 0);
	log = expr(r, "log");
	if (!log)
		return -1;
	return nftnl_expr_set_str(log, NFTNL_EXPR_LOG_PREFIX,
				  HS_NFT_LOG_PREFIX);
}

/* [meta nfproto F] ip/ip6 daddr|saddr @set: the nfproto check comes first
 * because an inet chain sees both families and the payload offsets differ
 * (IPv4 saddr 12 daddr 16, IPv6 saddr 8 daddr 24). */
static int x_addr_in(struct nftnl_rule *r, int chain, int family,
		     const struct hs_nft_set_plan *s)
{
	bool v4 = family == HS_FAMILY_V4, egress = chain == HS_NFT_EGRESS;
	uint32_t off = v4 ? (egress ? 16 : 12) : (egress ? 24 : 8);

	if (x_meta_is(r, NFT_META_NFPROTO, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6) <
		    0 ||
	    x_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, v4 ? 4 : 16) < 0)
		return -1;
	return x_lookup(r, s);
}

/* meta l4proto P [th dport A[-B]]; the destination port is at offset 2 of
 * TCP, UDP and SCTP headers alike. */
static int x_ports(struct nftnl_rule *r, const struct hs_nft_rule_plan *rp)
{
	uint16_t lo = htons(rp->port_lo), hi = htons(rp->port_hi);

	if (x_meta_is(r, NFT_META_L4PROTO, rp->proto) < 0)
		return -1;
	if (rp->port_lo == 0 && rp->port_hi == 65535)
		return 0;
	if (x_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2) < 0)
		return -1;
	if (rp->port_lo == rp->port_hi)
		return x_cmp(r, NFT_CMP_EQ, &lo, sizeof(lo));
	if (x_cmp(r, NFT_CMP_GTE, &lo, sizeof(lo)) < 0)
		return -1;
	return x_cmp(r, NFT_CMP_LTE, &hi, sizeof(hi));
}

static int rule_exprs(struct nftnl_rule *r, const struct hs_nft_plan *p,
		      const struct hs_nft_rule_plan *rp)
{
	bool egress = rp->chain == HS_NFT_EGRESS;
	const struct hs_nft_set_plan *s =
		rp->set >= 0 ? &p->sets[rp->set] : NULL;
	char lo[IFNAMSIZ] = "lo";

	switch (rp->kind) {
	case HS_NFT_R_LOOPBACK:
		/* The whole IFNAMSIZ bytes, NUL padded: an exact name
		 * match, as nft encodes `oifname "lo"`. */
		if (x_meta(r, egress ? NFT_META_OIFNAME : NFT_META_IIFNAME) <
			    0 ||
		    x_cmp(r, NFT_CMP_EQ, lo, sizeof(lo)) < 0)
			return -1;
		return x_verdict(r, NF_ACCEPT);
	case HS_NFT_R_CT_ESTABLISHED:
		if (x_ct_state(r, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
					  NF_CT_STATE_BIT(IP_CT_RELATED)) < 0)
			return -1;
		return x_verdict(r, NF_ACCEPT);
	case HS_NFT_R_CT_INVALID:
		if (x_ct_state(r, NF_CT_STATE_INVALID_BIT) < 0)
			return -1;
		return x_verdict(r, NF_DROP);
	case HS_NFT_R_NEIGHBOUR:
		/* Without neighbour discovery IPv6 cannot reach even an
		 * allowed peer. Conntrack leaves these messages untracked
		 * (not invalid), so the invalid rule above spares them. The
		 * nfproto check keeps an IPv4 packet carrying protocol 58
		 * from passing as one. */
		if (x_meta_is(r, NFT_META_NFPROTO, NFPROTO_IPV6) < 0 ||
		    x_meta_is(r, NFT_META_L4PROTO, IPPROTO_ICMPV6) < 0 ||
		    x_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1) < 0 ||
		    x_cmp_u8(r, NFT_CMP_GTE, HS_NFT_ND_FIRST) < 0 ||
		    x_cmp_u8(r, NFT_CMP_LTE, HS_NFT_ND_LAST) < 0)
			return -1;
		return x_verdict(r, NF_ACCEPT);
	case HS_NFT_R_RPF:
		/* An L2 neighbour can send any source address. Where the
		 * namespace has more than one interface, a source that
		 * routes back elsewhere is a forgery (kernel rp_filter's
		 * strict mode, which the namespace's sysctls may not set).
		 * With one interface and a default route every source
		 * routes back through it: the host must stop forgeries on
		 * its side (README, "network policy"). */
		if (x_fib_rpf_missing(r) < 0 || x_counter(r) < 0)
			return -1;
		return x_verdict(r, NF_DROP);
	case HS_NFT_R_DENY_TCP:
		/* The protocol first: a set lookup bumps the element's
		 * counter, and the next rule looks non-TCP packets up again. */
		if (x_meta_is(r, NFT_META_L4PROTO, IPPROTO_TCP) < 0 ||
		    x_addr_in(r, rp->chain, rp->family, s) < 0 ||
		    x_counter(r) < 0)
			return -1;
		return x_reject(r, NFT_REJECT_TCP_RST, 0);
	case HS_NFT_R_DENY:
		if (x_addr_in(r, rp->chain, rp->family, s) < 0 ||
		    x_counter(r) < 0)
			return -1;
		/* Egress, other than TCP: ICMP admin-prohibited, so a denied
		 * destination fails fast as "unreachable". */
		if (egress)
			return x_reject(r, NFT_REJECT_ICMPX_UNREACH,
					NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
		return x_verdict(r, NF_DROP);
	case HS_NFT_R_ALLOW:
		if (s && x_addr_in(r, rp->chain, rp->family, s) < 0)
			return -1;
		if (rp->proto && x_ports(r, rp) < 0)
			return -1;
		return x_verdict(r, NF_ACCEPT);
	case HS_NFT_R_REFUSE_COUNT:
		if (x_counter(r) < 0)
			return -1;
		return rp->log ? x_limited_log(r) : 0;
	case HS_NFT_R_REFUSE_TCP:
		if (x_meta_is(r, NFT_META_L4PROTO, IPPROTO_TCP) < 0)
			return -1;
		return x_reject(r, NFT_REJECT_TCP_RST, 0);
	case HS_NFT_R_REFUSE:
		if (egress)
			return x_reject(r, NFT_REJECT_ICMPX_UNREACH,
					NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
		return x_verdict(r, NF_DROP);
	}
	return -1;
}

static int put_rule(struct builder *bd, const struct hs_nft_plan *p,
		    uint32_t index)
{
	const struct hs_nft_rule_plan *rp = &p->rules[index];
	_cleanup_rule_ struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, HS_NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN,
			       hs_nft_chain_name(rp->chain)) < 0 ||
	    rule_exprs(r, p, rp) < 0)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nlh = msg_start(bd, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			HS_NFT_M_RULE, index, 0);
	if (!nlh)
		return -1;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return msg_end(bd);
}

/* Bytes and messages, both upper bounds: per element at most 48 bytes
 * (IPv6 key, flags, userdata), per rule at most 1024 (the largest, an
 * IPv6 allow rule with a port range, is about 500). */
static void batch_size(const struct hs_nft_plan *p, size_t *bytes, size_t *msgs)
{
	size_t k, n;

	*bytes = 4096;
	*msgs = 8 + HS_NFT_CHAINS;
	for (k = 0; k < p->n_sets; k++) {
		n = hs_nft_elem_count(p->sets[k].ranges);
		*bytes += 512 + n * 48 + (n / ELEMS_PER_MSG + 1) * 256;
		*msgs += 1 + n / ELEMS_PER_MSG + 1;
	}
	*bytes += p->n_rules * 1024;
	*msgs += p->n_rules;
}

static int build(struct builder *bd, const struct hs_nft_plan *p, bool replace,
		 uint32_t genid)
{
	size_t k;
	int c;

	if (put_batch_marker(bd, true, genid) < 0)
		return -1;
	if (replace && (put_table(bd, p, HS_NFT_M_TABLE_ENSURE) < 0 ||
			put_table(bd, p, HS_NFT_M_TABLE_DELETE) < 0))
		return -1;
	if (put_table(bd, p, HS_NFT_M_TABLE) < 0)
		return -1;
	for (k = 0; k < p->n_sets; k++)
		if (put_set(bd, &p->sets[k], (uint32_t)k) < 0 ||
		    put_elems(bd, &p->sets[k], (uint32_t)k) < 0)
			return -1;
	for (c = 0; c < HS_NFT_CHAINS; c++)
		if (put_chain(bd, p, c) < 0)
			return -1;
	for (k = 0; k < p->n_rules; k++)
		if (put_rule(bd, p, (uint32_t)k) < 0)
			return -1;
	return put_batch_marker(bd, false, 0);
}

/* One attempt at `limit` bytes: 0, 1 if the buffer was too small, -1 on
 * another error. */
static int build_into(struct hs_nft_batch *b, size_t limit, size_t msgs,
		      bool replace, uint32_t genid, struct hs_error *err)
{
	struct builder bd = {.b = b, .cap_msgs = msgs, .seq = b->seq};
	int ret;

	free(b->buf);
	b->n_msgs = 0;
	/* Zeroed, because attribute padding is sent too; calloc of a large
	 * size maps zero pages, touched only as messages are written, so the
	 * bound can be generous. mnl_nlmsg_batch needs room past its limit
	 * for the message that crosses it. */
	b->buf = calloc(1, limit + MSG_MAX);
	bd.mb = b->buf ? mnl_nlmsg_batch_start(b->buf, limit) : NULL;
	if (!bd.mb)
		return hs_err(err, ENOMEM, "nftables: out of memory");
	ret = build(&bd, &b->plan, replace, genid);
	b->len = mnl_nlmsg_batch_size(bd.mb);
	mnl_nlmsg_batch_stop(bd.mb);
	if (bd.full)
		return 1;
	if (ret == -ENOMEM)
		return hs_err(err, ENOMEM, "nftables: out of memory");
	if (ret < 0)
		return hs_err(err, EOVERFLOW,
			      "nftables: more messages than planned");
	return 0;
}

struct hs_nft_batch *hs_nft_batch_build_gen(const struct hs_netpol *np,
					    const char *owner, bool replace,
					    uint32_t seq, uint32_t genid,
					    struct hs_error *err)
{
	_cleanup_batch_ struct hs_nft_batch *b = NULL;
	size_t limit, msgs, k;
	int ret;

	b = calloc(1, sizeof(*b));
	if (!b) {
		hs_err(err, ENOMEM, "nftables: out of memory");
		return NULL;
	}
	b->seq = seq;
	if (hs_nft_plan_build(np, owner, &b->plan, err) < 0)
		return NULL;
	batch_size(&b->plan, &limit, &msgs);
	b->msgs = calloc(msgs, sizeof(*b->msgs));
	if (!b->msgs) {
		hs_err(err, ENOMEM, "nftables: out of memory");
		return NULL;
	}
	/* The size is an upper bound, so the second attempt is only a
	 * safety net; the limit is what a policy author hits. */
	for (;;) {
		if (limit > HS_NFT_BATCH_MAX_BYTES)
			limit = HS_NFT_BATCH_MAX_BYTES;
		ret = build_into(b, limit, msgs, replace, genid, err);
		if (ret < 0)
			return NULL;
		if (ret == 0)
			break;
		if (limit == HS_NFT_BATCH_MAX_BYTES) {
			hs_err(err, E2BIG,
			       "%s: nftables batch larger than the limit of %u "
			       "bytes (HS_NFT_BATCH_MAX_BYTES)",
			       np->file[0] ? np->file : "network policy",
			       HS_NFT_BATCH_MAX_BYTES);
			return NULL;
		}
		limit *= 2;
	}
	/* The plan goes with the batch to name messages in errors; its
	 * ranges belong to the netpol, which may be freed first. */
	for (k = 0; k < b->plan.n_sets; k++)
		b->plan.sets[k].ranges = NULL;
	return hs_steal_ptr(b);
}

struct hs_nft_batch *hs_nft_batch_build(const struct hs_netpol *np,
					const char *owner, bool replace,
					uint32_t seq, struct hs_error *err)
{
	return hs_nft_batch_build_gen(np, owner, replace, seq, 0, err);
}

/* begin (with genid), DELTABLE inet hardshim, end: the whole of a
 * deletion, so that hs_nft_apply's ack handling serves it too. */
struct hs_nft_batch *hs_nft_batch_build_delete(uint32_t seq, uint32_t genid,
					       struct hs_error *err)
{
	_cleanup_batch_ struct hs_nft_batch *b = calloc(1, sizeof(*b));
	struct builder bd = {.seq = seq, .cap_msgs = 3};

	if (!b || !(b->msgs = calloc(bd.cap_msgs, sizeof(*b->msgs))) ||
	    !(b->buf = calloc(1, MSG_MAX))) {
		hs_err(err, ENOMEM, "nftables: out of memory");
		return NULL;
	}
	b->seq = seq;
	bd.b = b;
	bd.mb = mnl_nlmsg_batch_start(b->buf, MSG_MAX / 2);
	if (!bd.mb) {
		hs_err(err, ENOMEM, "nftables: out of memory");
		return NULL;
	}
	if (put_batch_marker(&bd, true, genid) < 0 ||
	    put_table(&bd, &b->plan, HS_NFT_M_TABLE_DELETE) < 0 ||
	    put_batch_marker(&bd, false, 0) < 0) {
		mnl_nlmsg_batch_stop(bd.mb);
		hs_err(err, ENOMEM, "nftables: out of memory");
		return NULL;
	}
	b->len = mnl_nlmsg_batch_size(bd.mb);
	mnl_nlmsg_batch_stop(bd.mb);
	return hs_steal_ptr(b);
}

const void *hs_nft_batch_data(const struct hs_nft_batch *b, size_t *ret_len)
{
	*ret_len = b->len;
	return b->buf;
}

size_t hs_nft_batch_count(const struct hs_nft_batch *b)
{
	return b->n_msgs;
}

void hs_nft_batch_free(struct hs_nft_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b->msgs);
	hs_nft_plan_free(&b->plan);
	free(b);
}

/* --- naming a message --------------------------------------------------- */

static const struct nlmsghdr *find_msg(const struct hs_nft_batch *b,
				       uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->buf;
	int len = (int)b->len;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_seq == seq)
			return nlh;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	return NULL;
}

/* An element's key as text and whether it is an interval end. */
static void elem_key(const struct nlattr *elem, char *key, size_t key_size,
		     bool *ret_end)
{
	const struct nlattr *a, *k;

	*ret_end = false;
	key[0] = '\0';
	mnl_attr_for_each_nested (a, elem) {
		uint16_t type = mnl_attr_get_type(a);

		if (type == NFTA_SET_ELEM_FLAGS &&
		    mnl_attr_get_payload_len(a) == 4)
			*ret_end = ntohl(mnl_attr_get_u32(a)) &
				   NFT_SET_ELEM_INTERVAL_END;
		if (type != NFTA_SET_ELEM_KEY)
			continue;
		mnl_attr_for_each_nested (k, a) {
			uint16_t n = mnl_attr_get_payload_len(k);

			if (n == 4 || n == 16)
				inet_ntop(n == 4 ? AF_INET : AF_INET6,
					  mnl_attr_get_payload(k), key,
					  key_size);
		}
	}
}

/* The element of an element message that starts at or contains `offset`
 * (from the start of the message): its number in the message, its key and
 * whether it is an interval end. */
static bool find_elem(const struct nlmsghdr *nlh, uint32_t offset,
		      uint32_t *ret_i, char *key, size_t key_size,
		      bool *ret_end)
{
	const struct nlattr *list, *e;
	uint32_t i = 0, start;

	mnl_attr_for_each (list, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested (e, list) {
			start = (uint32_t)((const char *)e - (const char *)nlh);
			if (offset >= start && offset < start + e->nla_len) {
				*ret_i = i;
				elem_key(e, key, key_size, ret_end);
				return true;
			}
			i++;
		}
	}
	return false;
}

void hs_nft_batch_describe(const struct hs_nft_batch *b, uint32_t seq,
			   uint32_t offset, char *buf, size_t size)
{
	const struct hs_nft_plan *p = &b->plan;
	const struct hs_nft_msg *m;
	const struct nlmsghdr *nlh;
	char set[64], key[INET6_ADDRSTRLEN];
	uint32_t i;
	bool end;

	if (seq - b->seq >= b->n_msgs) {
		snprintf(buf, size, "message with unknown sequence number %u",
			 seq);
		return;
	}
	m = &b->msgs[seq - b->seq];
	switch (m->kind) {
	case HS_NFT_M_BEGIN:
		snprintf(buf, size, "the transaction");
		return;
	case HS_NFT_M_END:
		snprintf(buf, size, "the end of the transaction");
		return;
	case HS_NFT_M_TABLE_ENSURE:
		snprintf(buf, size, "replacing table inet %s", HS_NFT_TABLE);
		return;
	case HS_NFT_M_TABLE_DELETE:
		snprintf(buf, size, "deleting table inet %s", HS_NFT_TABLE);
		return;
	case HS_NFT_M_TABLE:
		snprintf(buf, size, "table inet %s", HS_NFT_TABLE);
		return;
	case HS_NFT_M_SET:
		hs_nft_set_describe(&p->sets[m->index], buf, size);
		return;
	case HS_NFT_M_CHAIN:
		snprintf(buf, size, "chain %s", hs_nft_chain_name(m->index));
		return;
	case HS_NFT_M_RULE:
		hs_nft_rule_describe(p, &p->rules[m->index], buf, size);
		return;
	case HS_NFT_M_ELEMS:
		break;
	}
	hs_nft_set_describe(&p->sets[m->index], set, sizeof(set));
	nlh = find_msg(b, seq);
	if (offset && nlh &&
	    find_elem(nlh, offset, &i, key, sizeof(key), &end)) {
		snprintf(buf, size, "element %u of %s (%s %s)", m->first + i,
			 set, end ? "interval end" : "interval start", key);
		return;
	}
	snprintf(buf, size, "elements from %u of %s", m->first, set);
}
