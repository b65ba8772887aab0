/* nftables: the only module that includes libmnl and libnftnl.
 *
 * A compiled network policy becomes one table, `inet hardshim`, installed
 * in one batch (one transaction: all of it or none of it):
 *
 *   table inet hardshim {            userdata comment "hardshim:DIGEST:OWNER"
 *     set deny4 { type ipv4_addr; flags interval; counter; elements = ... }
 *     set deny6 { type ipv6_addr; flags interval; counter; ... }
 *     set e<i>_4, e<i>_6              peers of egress rule i (interval)
 *     set i<i>_4, i<i>_6              peers of ingress rule i
 *     chain egress  { type filter hook output priority 0; policy drop|accept; }
 *     chain ingress { type filter hook input  priority 0; policy drop|accept; }
 *   }
 *
 * egress, in order: oifname "lo" accept; ct state established,related accept;
 * ct state invalid drop; ICMPv6 neighbour discovery (types 133-136)
 * accept; ip daddr @deny4 / ip6 daddr @deny6: counter, reject (a TCP reset
 * for TCP, ICMP admin-prohibited otherwise); each allow rule (peers set,
 * then per port range: meta l4proto P th dport A-B) accept; and, when
 * Egress is listed, the refusal: counter, optional log (prefix "hardshim
 * refused: ", rate-limited), the same two rejects, so clients fail fast.
 * TCP gets a reset because an ICMP error for a SYN reaches the socket
 * while connect() still holds it, and only fails the connection at the
 * first retransmission, a second later. ingress mirrors it on saddr/
 * iifname, with drop instead of reject, and one rule more after neighbour
 * discovery: fib saddr . iif oif missing, counter, drop (the source has
 * no route back through the interface the packet came in on).
 * A direction not in policyTypes gets policy accept and only the deny rules.
 *
 * The digest in the table's userdata lets a second container of the same
 * pod (same network namespace) see the policy is already there and leave it;
 * a different digest is replaced inside the same batch (add table, delete
 * table, add table and everything else), never left half-replaced. The
 * owner is the id of the container that installed it: only that one
 * removes it at poststop. */
#ifndef HS_NFT_H
#define HS_NFT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hs_error.h"
#include "hs_netpol.h"

#define HS_NFT_TABLE "hardshim"

struct hs_nft_table_info {
	bool present;
	char digest[HS_DIGEST_HEX_LEN + 1]; /* "" if the comment is not ours */
	char owner[HS_ID_MAX + 1];
};

/* A built batch: netlink messages ready to send. Opaque. */
struct hs_nft_batch;

/* Builds the batch for `np` (pure: no socket). `replace` puts a delete of
 * the existing table in front, inside the same transaction. Sequence
 * numbers start at `seq`, one per message. */
struct hs_nft_batch *hs_nft_batch_build(const struct hs_netpol *np,
					const char *owner, bool replace,
					uint32_t seq, struct hs_error *err);
const void *hs_nft_batch_data(const struct hs_nft_batch *b, size_t *ret_len);
size_t hs_nft_batch_count(const struct hs_nft_batch *b); /* messages */
void hs_nft_batch_free(struct hs_nft_batch *b);

/* Effects, all in the calling thread's current network namespace. */

/* Reads table inet hardshim, if any, and its userdata. */
int hs_nft_table_get(struct hs_nft_table_info *ret, struct hs_error *err);

/* Installs `np` unless a table with the same digest is already there
 * (*ret_changed = false). Every ack is drained; a kernel error names the
 * part of the policy that caused it (via the message's sequence number and
 * NETLINK_EXT_ACK). */
int hs_nft_apply(const struct hs_netpol *np, const char *owner,
		 bool *ret_changed, struct hs_error *err);

/* Deletes table inet hardshim if its owner is `owner`; *ret_deleted says
 * whether it did. A missing table is not an error. */
int hs_nft_delete_if_owner(const char *owner, bool *ret_deleted,
			   struct hs_error *err);

/* The ruleset hs_nft_batch_build would install, in `nft -f` syntax: for
 * review (`hardshim explain`) and for the benchmark against nft -f. */
int hs_nft_format(const struct hs_netpol *np, const char *owner, FILE *out);

/* --- counters (nft_counters.c): for the node monitor ------------------ */

/* The counters of table inet hardshim that say traffic was turned away,
 * read from its rules' anonymous counters (the table has no named counter
 * objects) and summed per path and chain:
 *
 *   deny_egress, deny_ingress     the rules on @deny4/@deny6: every
 *                                 address of the policy's "deny" (the
 *                                 metadata services and the other clusters
 *                                 share those sets, so they share a count)
 *   refused_egress, refused_ingress   the refusal counter at the end of a
 *                                 listed direction: nothing allowed it
 *   spoofed_ingress               the reverse path rule: a forged source
 *
 * A counter whose rule the table does not have (a direction that is not
 * listed has no refusal) is left out, so n says which ones exist. The
 * order is the one above, whatever order the kernel lists rules in. */
#define HS_NFT_MAX_COUNTERS 8
#define HS_NFT_COUNTER_NAME_MAX 32

struct hs_nft_counters {
	struct {
		char name[HS_NFT_COUNTER_NAME_MAX];
		uint64_t packets, bytes;
	} c[HS_NFT_MAX_COUNTERS];
	size_t n;
	bool table_present; /* false: no table inet hardshim (n is 0) */
	/* The kernel's handle of the table the counts come from: a table
	 * replaced by another policy (or a pod restarted in place) has a new
	 * one, and its counters start again from zero. */
	uint64_t table_handle;
	char digest[HS_DIGEST_HEX_LEN + 1]; /* "" if not hardshim's comment */
};

/* A NETLINK_NETFILTER socket bound to one network namespace. Opaque. */
struct hs_nft_counter_sock;

/* Opens the socket inside the network namespace that `nsfd` refers to:
 * an fd of /proc/PID/ns/net (or /var/run/netns/NAME), or a pidfd. The
 * calling thread enters that namespace with setns, creates the socket and
 * returns to the namespace it was in, so later reads need no setns: a
 * socket belongs to the namespace it was created in for its whole life.
 * That also means the socket keeps the namespace alive: close it when the
 * container is gone. `nsfd` is not kept. Only the calling thread's
 * namespace changes, and only for the duration of the call; if it cannot
 * return (which would take its original namespace to vanish under it),
 * the error says so and the thread must not be used for anything else. */
struct hs_nft_counter_sock *hs_nft_counters_open(int nsfd,
						 struct hs_error *err);

/* One read: GETTABLE and a GETRULE dump of table inet hardshim, sent
 * together and read back into *ret with the socket's own buffer (no
 * allocation that grows with the table). A missing table is
 * table_present = false, not an error. *ret is left alone on error; after
 * an error, close the socket and open another. */
int hs_nft_counters_read(struct hs_nft_counter_sock *s,
			 struct hs_nft_counters *ret, struct hs_error *err);

void hs_nft_counters_close(struct hs_nft_counter_sock *s);

#endif
