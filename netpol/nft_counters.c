/* Reading table inet hardshim's deny and refusal counters for the node
 * monitor (hs_nft.h): one socket per container, opened once inside the
 * container's network namespace, then read with two requests in one
 * sendto and a handful of recvs, with no nft process and no setns.
 *
 * What it trusts: nothing the kernel lists is assumed to be hardshim's.
 * The table is matched by name and family, its comment is parsed by the
 * same defensive code the hook uses, and a rule counts only if its shape
 * is one nft_build.c makes (a tenant cannot change the table: the hook
 * leaves it no CAP_NET_ADMIN, but a privileged container could). A rule of
 * any other shape is ignored, so at worst a count is missing or too high,
 * never a crash or an unbounded allocation.
 *
 * The rules carry anonymous counters (nft_build.c); reading them back
 * means a GETRULE dump of the table, which is a few kilobytes for the
 * shipped policy and needs no change to the table, so tables installed
 * before this file existed are read just the same. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "hs_cleanup.h"
#include "nft_internal.h"

/* A netlink dump fills skbs of at most 32 KiB (the kernel sizes them
 * after the largest recv buffer it has seen, capped there), so one recv
 * into this buffer never truncates. */
#define RECV_BYTES 32768
/* How long one recv may wait: the kernel answers inside sendmsg and
 * recvmsg, so a reply that takes longer is not coming. */
#define RECV_TIMEOUT_MS 1000
/* A dump interrupted by a ruleset change (NLM_F_DUMP_INTR) is read again,
 * at most this many times in all. */
#define READ_ATTEMPTS 3

struct hs_nft_counter_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char buf[RECV_BYTES];
};

/* --- which rule is which (pure) ------------------------------------------ */

struct rule_shape {
	bool counter, deny, fib, other;
	uint64_t packets, bytes;
};

static void shape_expr(struct rule_shape *sh, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const char *set;

	if (!name) {
		sh->other = true;
		return;
	}
	if (strcmp(name, "counter") == 0) {
		/* One counter a rule in what nft_build.c makes; a second is
		 * not ours. */
		if (sh->counter)
			sh->other = true;
		sh->counter = true;
		sh->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		sh->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	} else if (strcmp(name, "lookup") == 0) {
		set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		if (set &&
		    (strcmp(set, "deny4") == 0 || strcmp(set, "deny6") == 0))
			sh->deny = true;
		else
			sh->other = true;
	} else if (strcmp(name, "fib") == 0) {
		sh->fib = true;
	} else if (strcmp(name, "limit") != 0 && strcmp(name, "log") != 0 &&
		   strcmp(name, "meta") != 0 && strcmp(name, "cmp") != 0 &&
		   strcmp(name, "payload") != 0 &&
		   strcmp(name, "reject") != 0 &&
		   strcmp(name, "immediate") != 0) {
		sh->other = true;
	}
}

/* The slot of a rule, -1 for none. A deny rule looks a deny set up; the
 * reverse path rule asks fib; the refusal counter is a counter with at
 * most a rate-limited log beside it, and no match at all. */
static int rule_slot(const struct nftnl_rule *r, struct rule_shape *sh)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	int c, kind, n = 0;
	bool matches = false;

	memset(sh, 0, sizeof(*sh));
	if (!chain)
		return -1;
	if (strcmp(chain, hs_nft_chain_name(HS_NFT_EGRESS)) == 0)
		c = HS_NFT_EGRESS;
	else if (strcmp(chain, hs_nft_chain_name(HS_NFT_INGRESS)) == 0)
		c = HS_NFT_INGRESS;
	else
		return -1;
	it = nftnl_expr_iter_create(r);
	if (!it)
		return -1;
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		shape_expr(sh, e);
		if (name && strcmp(name, "counter") != 0 &&
		    strcmp(name, "limit") != 0 && strcmp(name, "log") != 0)
			matches = true;
		n++;
	}
	nftnl_expr_iter_destroy(it);
	if (!sh->counter || sh->other || (sh->deny && sh->fib))
		return -1;
	if (sh->deny)
		kind = HS_NFT_C_DENY;
	else if (sh->fib)
		kind = HS_NFT_C_SPOOFED;
	else if (!matches && n <= 3)
		kind = HS_NFT_C_REFUSED;
	else
		return -1;
	return kind * HS_NFT_CHAINS + c;
}

void hs_nft_counter_acc_rule(struct hs_nft_counter_acc *acc,
			     const struct nftnl_rule *r)
{
	struct rule_shape sh;
	int slot = rule_slot(r, &sh);

	if (slot < 0)
		return;
	/* Wrapping would need 2^64 packets; saturate rather than wrap. */
	acc->packets[slot] = acc->packets[slot] + sh.packets < sh.packets
				     ? UINT64_MAX
				     : acc->packets[slot] + sh.packets;
	acc->bytes[slot] = acc->bytes[slot] + sh.bytes < sh.bytes
				   ? UINT64_MAX
				   : acc->bytes[slot] + sh.bytes;
	acc->seen[slot] = true;
}

static const char *const kind_names[HS_NFT_C_KINDS] = {
	[HS_NFT_C_DENY] = "deny",
	[HS_NFT_C_REFUSED] = "refused",
	[HS_NFT_C_SPOOFED] = "spoofed",
};

void hs_nft_counter_acc_finish(const struct hs_nft_counter_acc *acc,
			       struct hs_nft_counters *ret)
{
	size_t slot;

	_Static_assert(HS_NFT_COUNTER_SLOTS <= HS_NFT_MAX_COUNTERS,
		       "every slot fits in struct hs_nft_counters");
	ret->n = 0;
	for (slot = 0; slot < HS_NFT_COUNTER_SLOTS; slot++) {
		if (!acc->seen[slot])
			continue;
		snprintf(ret->c[ret->n].name, sizeof(ret->c[ret->n].name),
			 "%s_%s", kind_names[slot / HS_NFT_CHAINS],
			 hs_nft_chain_name((int)(slot % HS_NFT_CHAINS)));
		ret->c[ret->n].packets = acc->packets[slot];
		ret->c[ret->n].bytes = acc->bytes[slot];
		ret->n++;
	}
}

/* --- the socket ---------------------------------------------------------- */

/* Enters `nsfd`'s namespace, makes the socket, and comes back. The
 * socket is made there and nothing else is: no file is opened, no other
 * fd is made, so nothing of the container's namespace leaks into ours but
 * the socket itself. Coming back uses an fd of our own namespace taken
 * before leaving, so a namespace that changes its name meanwhile cannot
 * redirect it. */
static struct mnl_socket *socket_in(int nsfd, struct hs_error *err)
{
	_cleanup_close_ int self = -1;
	struct mnl_socket *nl;
	int saved;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		hs_err(err, errno,
		       "nftables counters: /proc/thread-self/ns/net: %s",
		       strerror(errno));
		return NULL;
	}
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		saved = errno;
		if (saved == EBADF)
			hs_err(err, saved,
			       "nftables counters: fd %d is not open", nsfd);
		else if (saved == EINVAL)
			hs_err(err, saved,
			       "nftables counters: fd %d is neither a network "
			       "namespace nor a pidfd",
			       nsfd);
		else
			hs_err(err, saved,
			       "nftables counters: entering the network "
			       "namespace of fd %d: %s",
			       nsfd, strerror(saved));
		return NULL;
	}
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		int back = errno;

		if (nl)
			mnl_socket_close(nl);
		hs_err(err, back,
		       "nftables counters: returning from the network "
		       "namespace of fd %d: %s; this thread is still in it",
		       nsfd, strerror(back));
		return NULL;
	}
	if (!nl)
		hs_err(err, saved, "nftables counters: netlink socket: %s",
		       strerror(saved));
	return nl;
}

struct hs_nft_counter_sock *hs_nft_counters_open(int nsfd, struct hs_error *err)
{
	struct hs_nft_counter_sock *s;
	struct timeval tv = {.tv_sec = RECV_TIMEOUT_MS / 1000,
			     .tv_usec = (RECV_TIMEOUT_MS % 1000) * 1000};
	int one = 1;

	if (nsfd < 0) {
		hs_err(err, EBADF, "nftables counters: fd %d is not open",
		       nsfd);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		hs_err(err, ENOMEM, "nftables counters: out of memory");
		return NULL;
	}
	s->nl = socket_in(nsfd, err);
	if (!s->nl) {
		free(s);
		return NULL;
	}
	/* Binding and options act on the socket, which stays in the
	 * container's namespace whatever namespace this thread is in. */
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) < 0) {
		hs_err(err, errno, "nftables counters: netlink socket: %s",
		       strerror(errno));
		hs_nft_counters_close(s);
		return NULL;
	}
	/* Best effort, as in nft_apply.c: errors without the request
	 * echoed back. */
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return s;
}

void hs_nft_counters_close(struct hs_nft_counter_sock *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s);
}

/* --- one read --------------------------------------------------------------
 */

struct reading {
	uint32_t seq; /* GETTABLE; the dump is seq + 1 */
	bool table_done, dump_done, intr, malformed;
	int table_err, dump_err;
	bool present;
	uint64_t handle;
	struct hs_nft_table_info info;
	struct hs_nft_counter_acc acc;
};

static void rule_freep(struct nftnl_rule **p)
{
	if (*p)
		nftnl_rule_free(*p);
}
static void table_freep(struct nftnl_table **p)
{
	if (*p)
		nftnl_table_free(*p);
}

static int on_table(const struct nlmsghdr *nlh, struct reading *rd)
{
	__attribute__((cleanup(table_freep))) struct nftnl_table *t =
		nftnl_table_alloc();
	const char *name;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		return MNL_CB_ERROR;
	name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
	if (!name || strcmp(name, HS_NFT_TABLE) != 0 ||
	    nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) != NFPROTO_INET)
		return MNL_CB_OK;
	hs_nft_table_info_parse(t, &rd->info);
	rd->present = true;
	if (nftnl_table_is_set(t, NFTNL_TABLE_HANDLE))
		rd->handle = nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE);
	return MNL_CB_OK;
}

static int on_rule(const struct nlmsghdr *nlh, struct reading *rd)
{
	__attribute__((cleanup(rule_freep))) struct nftnl_rule *r =
		nftnl_rule_alloc();
	const char *table;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		return MNL_CB_ERROR;
	/* The dump is filtered by table name; the family is checked here,
	 * since an ip or ip6 table may share the name. */
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	if (!table || strcmp(table, HS_NFT_TABLE) != 0 ||
	    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != NFPROTO_INET)
		return MNL_CB_OK;
	hs_nft_counter_acc_rule(&rd->acc, r);
	return MNL_CB_OK;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reading *rd = data;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	if (nlh->nlmsg_seq == rd->seq &&
	    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWTABLE)
		return on_table(nlh, rd);
	if (nlh->nlmsg_seq == rd->seq + 1 &&
	    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rd->intr = true;
		return on_rule(nlh, rd);
	}
	return MNL_CB_OK; /* a late reply to an earlier read */
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reading *rd = data;
	const struct nlmsgerr *e;
	int errnum;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return MNL_CB_ERROR;
	e = mnl_nlmsg_get_payload(nlh);
	errnum = e->error < 0 ? -e->error : e->error;
	if (nlh->nlmsg_seq == rd->seq) {
		rd->table_done = true;
		rd->table_err = errnum;
	} else if (nlh->nlmsg_seq == rd->seq + 1) {
		rd->dump_done = true;
		rd->dump_err = errnum;
	}
	return MNL_CB_OK;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reading *rd = data;

	if (nlh->nlmsg_seq == rd->seq + 1) {
		rd->dump_done = true;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rd->intr = true;
	}
	return MNL_CB_OK;
}

/* GETTABLE with an ack, then the GETRULE dump: nfnetlink handles the
 * first inside sendmsg and starts the dump, which goes on as we read. */
static int send_requests(struct hs_nft_counter_sock *s, uint32_t seq,
			 struct hs_error *err)
{
	__attribute__((cleanup(table_freep))) struct nftnl_table *t =
		nftnl_table_alloc();
	__attribute__((cleanup(rule_freep))) struct nftnl_rule *r =
		nftnl_rule_alloc();
	char buf[512] = {0}; /* attribute padding goes out too */
	struct nlmsghdr *nlh;
	size_t len;
	ssize_t n;

	if (!t || !r ||
	    nftnl_table_set_str(t, NFTNL_TABLE_NAME, HS_NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, HS_NFT_TABLE) < 0)
		return hs_err(err, ENOMEM, "nftables counters: out of memory");
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET,
				    NLM_F_ACK, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	len = nlh->nlmsg_len;
	nlh = nftnl_nlmsg_build_hdr(buf + len, NFT_MSG_GETRULE, NFPROTO_INET,
				    NLM_F_DUMP, seq + 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	len += nlh->nlmsg_len;
	n = mnl_socket_sendto(s->nl, buf, len);
	if (n < 0 || (size_t)n != len)
		return hs_err(err, n < 0 ? errno : EIO,
			      "nftables counters: sending: %s",
			      n < 0 ? strerror(errno) : "short write");
	return 0;
}

/* 0: read; 1: the dump was interrupted, read again; -1: error. */
static int read_once(struct hs_nft_counter_sock *s, struct reading *rd,
		     struct hs_error *err)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb};
	ssize_t n;

	memset(rd, 0, sizeof(*rd));
	rd->seq = s->seq;
	s->seq += 2;
	if (send_requests(s, rd->seq, err) < 0)
		return -1;
	while (!rd->table_done || !rd->dump_done) {
		n = mnl_socket_recvfrom(s->nl, s->buf, sizeof(s->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return hs_err(err, ETIMEDOUT,
				      "nftables counters: no reply within "
				      "%d ms",
				      RECV_TIMEOUT_MS);
		if (n < 0)
			return hs_err(err, errno,
				      "nftables counters: reading: %s",
				      strerror(errno));
		if (mnl_cb_run2(s->buf, (size_t)n, 0, s->portid, data_cb, rd,
				ctl, HS_ARRAY_SIZE(ctl)) < 0)
			rd->malformed = true;
	}
	if (rd->malformed)
		return hs_err(err, EPROTO,
			      "nftables counters: malformed reply from the "
			      "kernel");
	/* ENOENT: no such table, which is an answer, not an error. */
	if (rd->table_err && rd->table_err != ENOENT)
		return hs_err(err, rd->table_err,
			      "nftables counters: reading table inet %s: %s",
			      HS_NFT_TABLE, strerror(rd->table_err));
	if (rd->dump_err && rd->dump_err != ENOENT)
		return hs_err(err, rd->dump_err,
			      "nftables counters: listing the rules of table "
			      "inet %s: %s",
			      HS_NFT_TABLE, strerror(rd->dump_err));
	if (!rd->table_err && !rd->present)
		return hs_err(err, EPROTO,
			      "nftables counters: table inet %s acknowledged "
			      "but not listed",
			      HS_NFT_TABLE);
	return rd->intr ? 1 : 0;
}

int hs_nft_counters_read(struct hs_nft_counter_sock *s,
			 struct hs_nft_counters *ret, struct hs_error *err)
{
	struct reading rd;
	int attempt, r = 1;

	for (attempt = 0; r == 1 && attempt < READ_ATTEMPTS; attempt++) {
		r = read_once(s, &rd, err);
		if (r < 0)
			return -1;
	}
	if (r == 1)
		return hs_err(err, EAGAIN,
			      "nftables counters: the ruleset changed during "
			      "each of %d reads",
			      READ_ATTEMPTS);
	memset(ret, 0, sizeof(*ret));
	/* A table that appeared between the two requests is read next
	 * time: its rules, if any were listed, are not counted now. */
	ret->table_present = rd.present;
	if (!rd.present)
		return 0;
	ret->table_handle = rd.handle;
	memcpy(ret->digest, rd.info.digest, sizeof(ret->digest));
	hs_nft_counter_acc_finish(&rd.acc, ret);
	return 0;
}
