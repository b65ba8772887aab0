/* Network policies (policies/netpol/NAME.json) and the rule model they
 * compile into. Parsing and compiling are pure: no syscalls beyond reading
 * the file, so both are unit-tested and fuzzed without root.
 *
 * The file format is Kubernetes NetworkPolicy's ipBlock and ports, in JSON:
 *
 *   {
 *     "comment": "...",                          optional, any string
 *     "policyTypes": ["Ingress", "Egress"],      each at most once
 *     "deny": ["169.254.169.254/32", ...],       CIDRs no allow rule opens
 *     "egress":  [ { "comment": "...",            optional, any string
 *                    "to":   [ {"ipBlock": {"cidr": C, "except": [C...]}} ],
 *                    "ports": [ {"protocol": "TCP"|"UDP"|"SCTP",
 *                                "port": N, "endPort": M} ] } ],
 *     "ingress": [ { "from": [ ...same as "to"... ], "ports": [...] } ],
 *     "logRefused": false                        optional: log refusals
 *   }
 *
 * Wherever a CIDR goes (cidr, except[], deny[]), "@NAME" may stand instead:
 * every CIDR the node's config lists under "networks" NAME (its pods, its
 * DNS address, the other clusters), so that one policy fits every cluster
 * and the operator writes each cluster's ranges once. A CIDR never starts
 * with '@', so a name is never mistaken for a malformed CIDR, nor the
 * reverse. "cidr": "@pods" is one ipBlock per CIDR of the name, each minus
 * the excepts inside it; an except, literal or "@NAME", must lie inside
 * one of them, except that a dual-stack name's CIDRs of a family the cidr
 * has none of are passed over (some CIDR of it must be of a family the
 * cidr has); a name in deny denies all its CIDRs. The names resolve
 * against a table the caller passes in (the config's), so parsing stays
 * pure; without a table, or with a name the table lacks, "@NAME" is an
 * error at its JSON path. The CIDRs a name stood for enter the digest.
 *
 * Semantics (Kubernetes' where it has them):
 *  - A direction listed in policyTypes is default-deny: only what its rules
 *    allow passes. A listed direction with no rules denies everything.
 *    A direction not listed is not filtered at all.
 *  - Rules are a union. A rule without `ports` allows every protocol and
 *    port to its peers; a rule without `to`/`from` allows every peer.
 *  - `port` without `endPort` is one port; with it, the range
 *    [port, endPort]. `protocol` defaults to TCP. A port entry without
 *    `port` means every port of that protocol.
 *  - `deny` is checked before every allow rule, in both directions
 *    (egress: destination; ingress: source), and counted.
 *  - IPv4 and IPv6 both. A CIDR with host bits set is an error (not
 *    silently masked); every `except` must lie inside its `cidr`.
 *  - Stricter than Kubernetes where it removes an ambiguity that could
 *    widen a policy by mistake: `policyTypes` is required; rules for a
 *    direction not in it are an error (they would enforce nothing); an
 *    empty `to`, `from` or `ports` list is an error (Kubernetes reads it as
 *    "everything", a reader as "nothing"): omit the key to mean everything.
 *    Named ports, podSelector and namespaceSelector are not supported.
 *  - Stricter than Kubernetes again: an egress rule never opens multicast
 *    (224.0.0.0/4, ff00::/8) or 240.0.0.0/4 (reserved, holding the limited
 *    broadcast 255.255.255.255) by accident, since a datagram sent there
 *    reaches every host of the segment, denied ones included. An ipBlock
 *    whose cidr covers part of one (0.0.0.0/0, ::/0) must except it, and
 *    an egress rule without `to` is an error, unless `deny` covers it; a
 *    cidr that lies inside one (224.0.0.251/32) names it and may open it.
 *    Ingress is not checked: no packet comes from those addresses.
 *  - Limits are the HS_NETPOL_* constants of hs_limits.h. */
#ifndef HS_NETPOL_H
#define HS_NETPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_digest.h"
#include "hs_json.h"

enum hs_family { HS_FAMILY_V4 = 0, HS_FAMILY_V6 = 1, HS_FAMILY_COUNT = 2 };

/* An address of either family, in network byte order. IPv4 uses the first
 * four bytes; the rest are zero. */
struct hs_addr {
	uint8_t b[16];
};

struct hs_cidr {
	enum hs_family family;
	unsigned prefix; /* 0..32 or 0..128 */
	struct hs_addr addr;
};

/* An inclusive range of addresses of one family. */
struct hs_range {
	struct hs_addr lo, hi;
};

/* A set of ranges of one family: after hs_range_set_normalize, sorted,
 * disjoint, and with adjacent ranges merged. */
struct hs_range_set {
	enum hs_family family;
	struct hs_range *r;
	size_t n, cap;
};

enum hs_proto {
	HS_PROTO_TCP = 6,
	HS_PROTO_UDP = 17,
	HS_PROTO_SCTP = 132,
};

/* One port entry: a protocol and an inclusive port range (0-65535 when
 * the entry gave no port). */
struct hs_port_range {
	enum hs_proto proto;
	uint16_t lo, hi;
};

/* One allow rule: its peers, per family, and its ports. A family with no
 * ranges is not matched by this rule; `any_peer` means every address. */
struct hs_np_rule {
	struct hs_range_set peers[HS_FAMILY_COUNT];
	bool any_peer;
	/* The network names (bits of hs_netpol.names) in this rule's cidr
	 * and except entries. */
	uint64_t peer_names, except_names;
	struct hs_port_range *ports; /* sorted by protocol, then port */
	size_t n_ports; /* 0: every protocol and port */
};

struct hs_np_direction {
	bool listed; /* in policyTypes: default drop */
	struct hs_np_rule *rules;
	size_t n_rules;
};

/* A network name of the table the policy was parsed with, and, if the
 * policy uses it, the CIDRs it stood for then: copied, so that the policy
 * does not depend on how long the table (the config) lives. */
struct hs_np_name {
	char name[HS_NETWORK_NAME_MAX + 1];
	struct hs_cidr *cidrs; /* in the config's order */
	size_t n;
	bool used; /* false: in the table, not in this policy (n is 0) */
};

struct hs_netpol {
	json_t *json; /* the file as parsed; owned */
	char file[HS_PATH_MAX];
	struct hs_range_set deny[HS_FAMILY_COUNT];
	struct hs_np_direction egress, ingress;
	bool log_refused;
	/* One entry per name of the table the policy was parsed with (none
	 * without a table); bit i of a mask below is names[i]. For review:
	 * explain and the nft text say which name each set came from. */
	struct hs_np_name *names;
	size_t n_names;
	uint64_t deny_names; /* names in deny[] */
	/* SHA-256 of the file's JSON with sorted keys, followed, when the
	 * policy uses names, by each used name and the CIDRs it stood for
	 * (sorted by name): what the nftables table records, so that a
	 * namespace holding the same policy over the same ranges is left
	 * alone and a different one, or the same one after the config
	 * changed a range it uses, is replaced. */
	char digest[HS_DIGEST_HEX_LEN + 1];
};

/* --- CIDRs and range sets (pure) ----------------------------------------- */

/* "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). Host bits
 * set is an error. On error returns -1 and writes why into `why`. */
int hs_cidr_parse(const char *s, struct hs_cidr *ret, char *why,
		  size_t why_size);

/* Canonical text: "10.0.0.0/8", "fd00::/8" (inet_ntop form). */
void hs_cidr_format(const struct hs_cidr *c, char *buf, size_t size);

void hs_cidr_to_range(const struct hs_cidr *c, struct hs_range *ret);
bool hs_cidr_contains(const struct hs_cidr *outer, const struct hs_cidr *inner);

/* Adds one to `a` within its family. At the family's last address
 * (255.255.255.255, ffff:...:ffff) returns false and leaves `a` alone: the
 * end of an nftables interval ([lo, hi + 1)) has no successor there. */
bool hs_addr_inc(struct hs_addr *a, enum hs_family family);

void hs_range_set_init(struct hs_range_set *s, enum hs_family family);

/* add and subtract fail with errno EINVAL (a range with lo > hi, or an IPv4
 * range with bytes past the fourth), E2BIG (the set would hold more than
 * HS_NETPOL_MAX_SET_ELEMENTS ranges) or ENOMEM, and leave the set as it
 * was. */
int hs_range_set_add(struct hs_range_set *s, const struct hs_range *r);
/* Removes `r` from every range of the set (splitting ranges). */
int hs_range_set_subtract(struct hs_range_set *s, const struct hs_range *r);
/* Sorts and merges overlapping and adjacent ranges. */
void hs_range_set_normalize(struct hs_range_set *s);
/* Whether `a` is in the set; the set must be normalized. */
bool hs_range_set_contains(const struct hs_range_set *s,
			   const struct hs_addr *a);
/* Whether every address of `r` is in the set; the set must be normalized.
 * An invalid range (lo > hi) is covered by nothing. */
bool hs_range_set_covers(const struct hs_range_set *s,
			 const struct hs_range *r);
void hs_range_set_free(struct hs_range_set *s);
#define _cleanup_range_set_ __attribute__((cleanup(hs_range_set_free)))

/* --- network names (pure) ---------------------------------------------- */

/* What "@NAME" stands for: one entry of the config's "networks". */
struct hs_netname {
	const char *name;
	const struct hs_cidr *cidrs;
	size_t n; /* at least one */
};

/* The names a policy resolves against, at most HS_CONFIG_MAX_NETWORKS;
 * borrowed from the config (struct hs_config.networks). */
struct hs_netnames {
	struct hs_netname *v;
	size_t n;
};

/* Whether `name` may be a network name: [A-Za-z][A-Za-z0-9_-]*, at most
 * HS_NETWORK_NAME_MAX characters. */
bool hs_netname_valid(const char *name);

/* --- policies ------------------------------------------------------------ */

/* Validates and compiles a parsed netpol: every error is reported as
 * "file: JSON path: message"; returns -1 if there was one. `names` is the
 * table "@NAME" resolves against (NULL: none; every "@NAME" is then an
 * error). On failure *np is zeroed (hs_netpol_free on it is harmless); on
 * success it holds a reference to `json`. */
int hs_netpol_parse(json_t *json, const char *file,
		    const struct hs_netnames *names, struct hs_netpol *np,
		    struct hs_error *err);

/* Reads (bounded, O_NOFOLLOW) and parses a file. */
int hs_netpol_load(const char *path, const struct hs_netnames *names,
		   struct hs_netpol *np, struct hs_error *err);

/* Releases everything and zeroes *np; safe on a zeroed struct. */
void hs_netpol_free(struct hs_netpol *np);
#define _cleanup_netpol_ __attribute__((cleanup(hs_netpol_free)))

#endif
