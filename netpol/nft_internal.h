/* Private to the nftables module (netpol/nft_*.c); nothing else includes
 * it. The module has four files with one job each:
 *
 *   nft_plan.c    netpol -> the list of sets and rules (pure); the table
 *                 comment and how an owner is recorded in it
 *   nft_build.c   plan -> one netlink batch with libnftnl (pure)
 *   nft_apply.c   the batch -> the kernel, over one mnl socket (effects)
 *   nft_format.c  plan -> the same ruleset as `nft -f` text (pure)
 *   nft_counters.c  the table's deny and refusal counters, read back
 *                 from the kernel for the monitor (effects)
 *
 * The batch and the text are both made from one plan, so they cannot
 * drift apart: the integration test loads both and compares the kernel's
 * listings. */
#ifndef HS_NFT_INTERNAL_H
#define HS_NFT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_error.h"
#include "hs_netpol.h"
#include "hs_nft.h"

/* nft refuses a comment longer than this (NFTNL_UDATA_COMMENT_MAXLEN), so
 * the comment must fit for hs_nft_format's text to load with nft -f. */
#define HS_NFT_COMMENT_MAX 128
#define HS_NFT_COMMENT_PREFIX "hardshim:"
/* What is left of the comment for the owner: "hardshim:" DIGEST ":". */
#define HS_NFT_OWNER_INLINE_MAX                                     \
	(HS_NFT_COMMENT_MAX - (sizeof(HS_NFT_COMMENT_PREFIX) - 1) - \
	 HS_DIGEST_HEX_LEN - 1)
/* An owner that does not fit, or holds a character outside runc's id
 * alphabet, is recorded as '#' and the first 48 hex digits (192 bits) of
 * its SHA-256. */
#define HS_NFT_OWNER_HASH_HEX 48

#define HS_NFT_LOG_PREFIX "hardshim refused: "
#define HS_NFT_LOG_RATE 5 /* log lines a second, per chain */
#define HS_NFT_LOG_BURST 5

/* nft's data type numbers (src/datatype.h: TYPE_IPADDR, TYPE_IP6ADDR):
 * `nft list` shows a set's key type from them. */
#define HS_NFT_TYPE_IPV4_ADDR 7
#define HS_NFT_TYPE_IPV6_ADDR 8

/* nft's first ICMPv6 neighbour discovery type (router solicitation) and
 * last (neighbour advertisement). */
#define HS_NFT_ND_FIRST 133
#define HS_NFT_ND_LAST 136

enum hs_nft_chain { HS_NFT_EGRESS = 0, HS_NFT_INGRESS = 1, HS_NFT_CHAINS };

enum hs_nft_rule_kind {
	HS_NFT_R_LOOPBACK, /* oifname/iifname "lo" accept */
	HS_NFT_R_CT_ESTABLISHED, /* ct state established,related accept */
	HS_NFT_R_CT_INVALID, /* ct state invalid drop */
	HS_NFT_R_NEIGHBOUR, /* ICMPv6 types 133-136 accept */
	HS_NFT_R_RPF, /* ingress: fib saddr . iif oif missing counter drop */
	HS_NFT_R_DENY_TCP, /* egress @deny4/@deny6, tcp: counter, reset */
	HS_NFT_R_DENY, /* @deny4/@deny6: counter, reject or drop */
	HS_NFT_R_ALLOW, /* peers set, protocol, ports: accept */
	HS_NFT_R_REFUSE_COUNT, /* counter [limit log] (no verdict) */
	HS_NFT_R_REFUSE_TCP, /* meta l4proto tcp reject with tcp reset */
	HS_NFT_R_REFUSE, /* reject (icmpx admin-prohibited) or drop */
};

struct hs_nft_set_plan {
	char name[16]; /* deny4, e12_6, i0_4 */
	enum hs_family family;
	bool counter; /* the deny sets count their elements */
	int chain; /* -1 for the deny sets */
	uint32_t np_rule; /* the policy rule whose peers these are */
	uint32_t id; /* NFTA_SET_ID: 1, 2, ... */
	const struct hs_range_set *ranges; /* borrowed from the netpol */
};

struct hs_nft_rule_plan {
	uint8_t chain; /* enum hs_nft_chain */
	uint8_t kind; /* enum hs_nft_rule_kind */
	int8_t family; /* address match: -1 none, else hs_family */
	bool log; /* HS_NFT_R_REFUSE_COUNT: log too */
	int32_t set; /* index into sets, -1 none */
	uint8_t proto; /* 0: any protocol */
	uint16_t port_lo, port_hi; /* with proto; 0-65535: any port */
	uint32_t np_rule; /* HS_NFT_R_ALLOW: index in the direction */
};

struct hs_nft_plan {
	char comment[HS_NFT_COMMENT_MAX + 1];
	bool drop[HS_NFT_CHAINS]; /* chain policy: drop when listed */
	struct hs_nft_set_plan *sets;
	size_t n_sets;
	struct hs_nft_rule_plan *rules;
	size_t n_rules;
};

/* --- nft_plan.c ----------------------------------------------------------- */

const char *hs_nft_chain_name(int chain);

/* "tcp", "udp", "sctp": nft's names, for the text and for messages. */
const char *hs_nft_proto_name(uint8_t proto);

/* How `owner` is recorded in the table comment: itself if it is short and
 * made of [A-Za-z0-9_.+-], else '#' and a truncated SHA-256. An empty
 * owner is an error. */
int hs_nft_owner_record(const char *owner, char *buf, size_t size,
			struct hs_error *err);

/* Splits a table comment into digest and owner; both "" unless it is
 * "hardshim:" + 64 hex digits + ":" + a non-empty owner. */
void hs_nft_comment_parse(const char *comment, struct hs_nft_table_info *info);

/* Validates what the netpol hands over (normalized sets, bounded sizes)
 * and lists the sets and rules in the order hs_nft.h gives. */
int hs_nft_plan_build(const struct hs_netpol *np, const char *owner,
		      struct hs_nft_plan *ret, struct hs_error *err);
void hs_nft_plan_free(struct hs_nft_plan *p);

/* Nft elements of an interval set: [0 as an end, if the first range does
 * not start at 0] then per range a start at lo and an end at hi + 1,
 * except at the family's last address (an open interval). */
struct hs_nft_elem {
	struct hs_addr key;
	bool end; /* NFT_SET_ELEM_INTERVAL_END */
	bool open; /* start of an interval that runs to the last address */
};
size_t hs_nft_elem_count(const struct hs_range_set *s);
/* Element number `i` (0 <= i < hs_nft_elem_count) of a set; elements are
 * produced in order, so callers walk i upwards. */
void hs_nft_elem_get(const struct hs_range_set *s, size_t i,
		     struct hs_nft_elem *ret);

void hs_nft_set_describe(const struct hs_nft_set_plan *s, char *buf,
			 size_t size);
void hs_nft_rule_describe(const struct hs_nft_plan *p,
			  const struct hs_nft_rule_plan *r, char *buf,
			  size_t size);

/* --- nft_build.c ---------------------------------------------------------- */

enum hs_nft_msg_kind {
	HS_NFT_M_BEGIN,
	HS_NFT_M_END,
	HS_NFT_M_TABLE_ENSURE, /* replace: make sure the delete finds one */
	HS_NFT_M_TABLE_DELETE,
	HS_NFT_M_TABLE,
	HS_NFT_M_SET,
	HS_NFT_M_ELEMS,
	HS_NFT_M_CHAIN,
	HS_NFT_M_RULE,
};

/* What one message of the batch is, to name it in an error. */
struct hs_nft_msg {
	uint8_t kind;
	uint32_t index; /* set, chain or rule index in the plan */
	uint32_t first; /* HS_NFT_M_ELEMS: number of its first element */
};

struct hs_nft_batch {
	char *buf;
	size_t len;
	uint32_t seq; /* of the first message; the others follow */
	struct hs_nft_msg *msgs;
	size_t n_msgs;
	struct hs_nft_plan plan; /* names and kinds; no ranges */
};

/* hs_nft_batch_build, and for hs_nft_apply a generation id (0: none) put
 * in the batch begin message: the kernel then refuses the whole batch with
 * ERESTART if any ruleset change was committed since that generation. */
struct hs_nft_batch *hs_nft_batch_build_gen(const struct hs_netpol *np,
					    const char *owner, bool replace,
					    uint32_t seq, uint32_t genid,
					    struct hs_error *err);

/* begin, DELTABLE inet hardshim, end. */
struct hs_nft_batch *hs_nft_batch_build_delete(uint32_t seq, uint32_t genid,
					       struct hs_error *err);

/* Names message `seq` of the batch; `offset` (0: none) is the kernel's
 * NLMSGERR_ATTR_OFFS, which for an element message points at the element
 * it refused. */
void hs_nft_batch_describe(const struct hs_nft_batch *b, uint32_t seq,
			   uint32_t offset, char *buf, size_t size);

/* --- nft_apply.c ---------------------------------------------------------- */

struct nftnl_table;

/* A table as the kernel lists it -> present, digest and owner; its
 * userdata is parsed defensively (whoever made the table wrote it). */
void hs_nft_table_info_parse(const struct nftnl_table *t,
			     struct hs_nft_table_info *info);

/* --- nft_counters.c --------------------------------------------------------
 */

struct nftnl_rule;

enum hs_nft_counter_kind {
	HS_NFT_C_DENY,
	HS_NFT_C_REFUSED,
	HS_NFT_C_SPOOFED,
	HS_NFT_C_KINDS
};

#define HS_NFT_COUNTER_SLOTS (HS_NFT_C_KINDS * HS_NFT_CHAINS)

/* Sums over the rules of one dump, per (kind, chain). */
struct hs_nft_counter_acc {
	uint64_t packets[HS_NFT_COUNTER_SLOTS], bytes[HS_NFT_COUNTER_SLOTS];
	bool seen[HS_NFT_COUNTER_SLOTS];
};

/* Adds the counter of `r`, a rule of table inet hardshim as the kernel
 * lists it, to the slot its shape says it belongs to (hs_nft.h); a rule
 * without a counter, or of a shape hardshim does not build, is ignored.
 * Pure: the unit test feeds it the rules of a built batch. */
void hs_nft_counter_acc_rule(struct hs_nft_counter_acc *acc,
			     const struct nftnl_rule *r);

/* The slots that were seen, in slot order, named "KIND_CHAIN". */
void hs_nft_counter_acc_finish(const struct hs_nft_counter_acc *acc,
			       struct hs_nft_counters *ret);

#endif
