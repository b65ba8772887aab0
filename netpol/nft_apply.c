/* The nftables effects: reading, installing and deleting table inet
 * hardshim over one NETLINK_NETFILTER socket, in the calling thread's
 * network namespace (the hook has already entered the container's with
 * setns; a socket belongs to the namespace it was created in).
 *
 * Order and why it is safe:
 *  1. One request carries GETGEN and GETTABLE: the ruleset generation and
 *     the table's comment (digest, owner) as of that generation.
 *  2. The decision (nothing, create, replace, delete) is made on that.
 *  3. The batch goes out with the generation in its begin message: if any
 *     other change was committed in between (another container of the
 *     pod, racing), the kernel refuses the whole batch with ERESTART and
 *     we start again from 1. So a table is never replaced or deleted on
 *     the strength of a stale read.
 *  4. Every message carries NLM_F_ACK and its own sequence number. The
 *     kernel processes the batch inside sendmsg and queues one ack per
 *     message; all of them are read, even after an error (nftables'
 *     mnl_batch_talk does the same), and the first error is named from
 *     its sequence number and NETLINK_EXT_ACK's offset and message.
 *     Success is "no error and an ack for every message": anything else
 *     fails closed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "hs_cleanup.h"
#include "nft_internal.h"

/* How often a batch is retried when the ruleset changed under it. */
#define APPLY_ATTEMPTS 3
/* Receive buffer for one reply: with NETLINK_CAP_ACK an error does not
 * echo the request, but without it (an old kernel) it echoes a whole
 * message, and the largest is an element message of up to 64 KiB. */
#define RECV_MAX (UINT16_MAX + 4096)
/* Receive buffer bytes per expected ack (nftables reserves 1024). */
#define ACK_TRUESIZE 2048

static void mnl_socket_closep(struct mnl_socket **p)
{
	if (*p)
		mnl_socket_close(*p);
}
static void batch_freep(struct hs_nft_batch **p)
{
	hs_nft_batch_free(*p);
}
static void table_freep(struct nftnl_table **p)
{
	if (*p)
		nftnl_table_free(*p);
}
static void gen_freep(struct nftnl_gen **p)
{
	if (*p)
		nftnl_gen_free(*p);
}
#define _cleanup_mnl_socket_ __attribute__((cleanup(mnl_socket_closep)))
#define _cleanup_batch_ __attribute__((cleanup(batch_freep)))
#define _cleanup_table_ __attribute__((cleanup(table_freep)))
#define _cleanup_gen_ __attribute__((cleanup(gen_freep)))

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq; /* next sequence number */
};

/* What came back for the messages seq0 .. seq0 + n - 1. */
struct talk {
	uint32_t seq0;
	size_t n;
	uint8_t *acked; /* per message: 0 none, 1 ok, 2 error */
	size_t n_errors;
	int err; /* errno of the error with the lowest seq */
	uint32_t err_seq;
	uint32_t err_off; /* NLMSGERR_ATTR_OFFS, 0 if none */
	char err_msg[256]; /* NLMSGERR_ATTR_MSG, "" if none */
	/* GETGEN and GETTABLE replies */
	bool got_gen;
	uint32_t genid;
	struct hs_nft_table_info info;
};

static void talk_free(struct talk *t)
{
	free(t->acked);
}
#define _cleanup_talk_ __attribute__((cleanup(talk_free)))

/* SOCK_CLOEXEC: a hook that execs must not hand the socket on.
 * NETLINK_EXT_ACK: errors carry the offset of the refused attribute and
 * the kernel's reason. NETLINK_CAP_ACK: errors do not echo the request.
 * Non-blocking: after sendmsg every reply is already queued, and reading
 * stops at the first EAGAIN. Both options are best effort: a kernel
 * without them still answers, with less detail. */
static int nl_open(struct nl *nl, struct hs_error *err)
{
	int one = 1, fl;

	nl->sock = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl->sock)
		return hs_err(err, errno, "nftables: netlink socket: %s",
			      strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return hs_err(err, errno, "nftables: netlink bind: %s",
			      strerror(errno));
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	fl = fcntl(mnl_socket_get_fd(nl->sock), F_GETFL);
	if (fl < 0 ||
	    fcntl(mnl_socket_get_fd(nl->sock), F_SETFL, fl | O_NONBLOCK) < 0)
		return hs_err(err, errno, "nftables: netlink socket: %s",
			      strerror(errno));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

static int talk_init(struct talk *t, uint32_t seq0, size_t n,
		     struct hs_error *err)
{
	memset(t, 0, sizeof(*t));
	t->seq0 = seq0;
	t->n = n;
	t->acked = calloc(n ?: 1, 1);
	if (!t->acked)
		return hs_err(err, ENOMEM, "nftables: out of memory");
	return 0;
}

static bool ours(const struct talk *t, uint32_t seq)
{
	return seq - t->seq0 < t->n;
}

static int err_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK; /* newer than these headers: skip */
	if (type == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	if (type == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

/* An ack (error 0) or an error for one of our messages. Returns MNL_CB_OK
 * whatever the error, so that the rest of the buffer is read too. */
static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {0};
	struct talk *t = data;
	const struct nlmsgerr *e;
	size_t hlen = sizeof(*e), i;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return MNL_CB_ERROR;
	e = mnl_nlmsg_get_payload(nlh);
	if (!ours(t, nlh->nlmsg_seq))
		return MNL_CB_OK;
	i = nlh->nlmsg_seq - t->seq0;
	if (e->error == 0) {
		if (t->acked[i] == 0)
			t->acked[i] = 1;
		return MNL_CB_OK;
	}
	t->acked[i] = 2;
	t->n_errors++;
	if (t->err && nlh->nlmsg_seq - t->seq0 >= t->err_seq - t->seq0)
		return MNL_CB_OK;
	t->err = e->error < 0 ? -e->error : e->error;
	t->err_seq = nlh->nlmsg_seq;
	t->err_off = 0;
	t->err_msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return MNL_CB_OK;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += mnl_nlmsg_get_payload_len(&e->msg);
	if (mnl_nlmsg_size(hlen) > nlh->nlmsg_len ||
	    mnl_attr_parse(nlh, (unsigned)hlen, err_attr_cb, tb) < 0)
		return MNL_CB_OK;
	if (tb[NLMSGERR_ATTR_OFFS])
		t->err_off = mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(t->err_msg, sizeof(t->err_msg), "%s",
			 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	return MNL_CB_OK;
}

struct comment_walk {
	const char *end;
	const char *comment;
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	struct comment_walk *w = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	/* The walk does not bound a TLV's length by the buffer; the caller
	 * pads the copy, and this check keeps a value inside it. */
	if (v + len > w->end)
		return -1;
	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT && len > 0 &&
	    v[len - 1] == '\0' && strlen(v) == (size_t)len - 1)
		w->comment = v;
	return 0;
}

/* The table's userdata is whatever its creator wrote: bounded, copied into
 * a padded buffer, and parsed defensively. */
void hs_nft_table_info_parse(const struct nftnl_table *t,
			     struct hs_nft_table_info *info)
{
	char copy[NFT_USERDATA_MAXLEN + 260] = {0};
	struct comment_walk w = {.end = copy};
	const void *ud;
	uint32_t len = 0;

	memset(info, 0, sizeof(*info));
	info->present = true;
	if (!nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		return;
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	if (!ud || len > NFT_USERDATA_MAXLEN)
		return;
	memcpy(copy, ud, len);
	w.end = copy + len;
	if (nftnl_udata_parse(copy, len, comment_cb, &w) < 0 || !w.comment)
		return;
	hs_nft_comment_parse(w.comment, info);
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (!ours(t, nlh->nlmsg_seq) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return MNL_CB_OK;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWGEN: {
		_cleanup_gen_ struct nftnl_gen *g = nftnl_gen_alloc();

		if (!g || nftnl_gen_nlmsg_parse(nlh, g) < 0 ||
		    !nftnl_gen_is_set(g, NFTNL_GEN_ID))
			return MNL_CB_ERROR;
		t->genid = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
		t->got_gen = true;
		break;
	}
	case NFT_MSG_NEWTABLE: {
		_cleanup_table_ struct nftnl_table *tb = nftnl_table_alloc();
		const char *name;

		if (!tb || nftnl_table_nlmsg_parse(nlh, tb) < 0)
			return MNL_CB_ERROR;
		name = nftnl_table_get_str(tb, NFTNL_TABLE_NAME);
		if (name && strcmp(name, HS_NFT_TABLE) == 0 &&
		    nftnl_table_get_u32(tb, NFTNL_TABLE_FAMILY) == NFPROTO_INET)
			hs_nft_table_info_parse(tb, &t->info);
		break;
	}
	}
	return MNL_CB_OK;
}

/* Sends `len` bytes holding t->n messages and reads every reply that is
 * queued: the kernel handles netfilter requests inside sendmsg. */
static int nl_talk(struct nl *nl, const void *buf, size_t len, struct talk *t,
		   struct hs_error *err)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = ack_cb};
	_cleanup_free_ char *rbuf = malloc(RECV_MAX);
	bool malformed = false;
	ssize_t n;

	if (!rbuf)
		return hs_err(err, ENOMEM, "nftables: out of memory");
	n = mnl_socket_sendto(nl->sock, buf, len);
	if (n < 0 || (size_t)n != len)
		return hs_err(err, n < 0 ? errno : EIO,
			      "nftables: sending %zu bytes: %s", len,
			      n < 0 ? strerror(errno) : "short write");
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, rbuf, RECV_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* ENOBUFS: acks were dropped, so the outcome is unknown. */
		if (n < 0)
			return hs_err(err, errno,
				      "nftables: reading acknowledgements: %s",
				      strerror(errno));
		/* Even a reply that cannot be parsed does not stop the
		 * reading: what follows it is still ours to drain. */
		if (mnl_cb_run2(rbuf, (size_t)n, 0, nl->portid, data_cb, t, ctl,
				HS_ARRAY_SIZE(ctl)) < 0)
			malformed = true;
	}
	if (malformed)
		return hs_err(err, EPROTO,
			      "nftables: malformed reply from the kernel");
	return 0;
}

/* Generation and table, in one round trip. */
static int read_state(struct nl *nl, struct talk *t, struct hs_error *err)
{
	_cleanup_table_ struct nftnl_table *tb = nftnl_table_alloc();
	char buf[512] = {0}; /* attribute padding goes out too */
	struct nlmsghdr *nlh;
	size_t len;
	uint32_t seq0 = nl->seq;

	if (!tb || nftnl_table_set_str(tb, NFTNL_TABLE_NAME, HS_NFT_TABLE) < 0)
		return hs_err(err, ENOMEM, "nftables: out of memory");
	nl->seq += 2;
	if (talk_init(t, seq0, 2, err) < 0)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK,
				    seq0);
	len = nlh->nlmsg_len;
	nlh = nftnl_nlmsg_build_hdr(buf + len, NFT_MSG_GETTABLE, NFPROTO_INET,
				    NLM_F_ACK, seq0 + 1);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	len += nlh->nlmsg_len;
	if (nl_talk(nl, buf, len, t, err) < 0)
		return -1;
	if (t->acked[0] != 1 || !t->got_gen)
		return hs_err(err, t->err ?: EPROTO,
			      "nftables: reading the ruleset generation: %s",
			      t->err ? strerror(t->err) : "no reply");
	/* ENOENT: no such table, which is an answer, not an error. */
	if (t->acked[1] == 2 && t->err_seq == seq0 + 1 && t->err == ENOENT) {
		memset(&t->info, 0, sizeof(t->info));
		return 0;
	}
	if (t->acked[1] != 1 || !t->info.present)
		return hs_err(err, t->err ?: EPROTO,
			      "nftables: reading table inet %s: %s",
			      HS_NFT_TABLE,
			      t->err ? strerror(t->err) : "no reply");
	return 0;
}

static void set_buffer(struct nl *nl, int opt, int force, size_t want)
{
	int fd = mnl_socket_get_fd(nl->sock), cur = 0, v;
	socklen_t sl = sizeof(cur);

	if (want > INT32_MAX / 2)
		want = INT32_MAX / 2;
	v = (int)want;
	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &sl) == 0 && cur >= v)
		return;
	/* The FORCE variant (CAP_NET_ADMIN, which the hook has) passes
	 * net.core.[rw]mem_max; the plain one is the fallback. A buffer
	 * still too small shows up as EMSGSIZE or ENOBUFS, both errors. */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

/* Sends a batch. 0: committed; 1: refused because the generation moved
 * (ERESTART), nothing changed; -1: error, in `err`. */
static int send_batch(struct nl *nl, const struct hs_nft_batch *b,
		      const char *file, struct hs_error *err)
{
	_cleanup_talk_ struct talk t = {0};
	char what[256];
	size_t len, i, missing = 0;
	const void *data = hs_nft_batch_data(b, &len);

	if (talk_init(&t, b->seq, b->n_msgs, err) < 0)
		return -1;
	/* netlink_sendmsg refuses a message larger than the send buffer,
	 * and the whole batch is one message as far as it is concerned. */
	set_buffer(nl, SO_SNDBUF, SO_SNDBUFFORCE, len + 4096);
	set_buffer(nl, SO_RCVBUF, SO_RCVBUFFORCE, b->n_msgs * ACK_TRUESIZE);
	if (nl_talk(nl, data, len, &t, err) < 0)
		return -1;
	if (t.err == ERESTART && t.err_seq == b->seq)
		return 1;
	if (t.err) {
		hs_nft_batch_describe(b, t.err_seq, t.err_off, what,
				      sizeof(what));
		if (t.n_errors > 1)
			return hs_err(err, t.err,
				      "%s: nftables: %s: %s%s%s%s (and %zu "
				      "more errors)",
				      file, what, strerror(t.err),
				      t.err_msg[0] ? " (kernel: " : "",
				      t.err_msg, t.err_msg[0] ? ")" : "",
				      t.n_errors - 1);
		return hs_err(err, t.err, "%s: nftables: %s: %s%s%s%s", file,
			      what, strerror(t.err),
			      t.err_msg[0] ? " (kernel: " : "", t.err_msg,
			      t.err_msg[0] ? ")" : "");
	}
	/* The batch markers are not acked by every kernel; every other
	 * message must be. */
	for (i = 0; i < b->n_msgs; i++)
		if (!t.acked[i] && b->msgs[i].kind != HS_NFT_M_BEGIN &&
		    b->msgs[i].kind != HS_NFT_M_END)
			missing++;
	if (missing)
		return hs_err(err, EPROTO,
			      "%s: nftables: %zu of %zu messages were not "
			      "acknowledged; the outcome is unknown",
			      file, missing, b->n_msgs);
	return 0;
}

int hs_nft_table_get(struct hs_nft_table_info *ret, struct hs_error *err)
{
	_cleanup_mnl_socket_ struct mnl_socket *sock = NULL;
	_cleanup_talk_ struct talk t = {0};
	struct nl nl = {0};
	int r = nl_open(&nl, err);

	sock = nl.sock;
	if (r < 0 || read_state(&nl, &t, err) < 0)
		return -1;
	*ret = t.info;
	return 0;
}

int hs_nft_apply(const struct hs_netpol *np, const char *owner,
		 bool *ret_changed, struct hs_error *err)
{
	_cleanup_mnl_socket_ struct mnl_socket *sock = NULL;
	const char *file = np->file[0] ? np->file : "network policy";
	struct nl nl = {0};
	int attempt, r = nl_open(&nl, err);

	sock = nl.sock;
	if (r < 0)
		return -1;
	for (attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
		_cleanup_talk_ struct talk t = {0};
		_cleanup_batch_ struct hs_nft_batch *b = NULL;

		if (read_state(&nl, &t, err) < 0)
			return -1;
		/* Another container of the pod installed this very policy:
		 * leave it, and its owner, alone. */
		if (t.info.present && strcmp(t.info.digest, np->digest) == 0) {
			*ret_changed = false;
			return 0;
		}
		/* A different policy replaces the table in one batch, but
		 * the pod's table keeps its owner: the container replacing
		 * it (an init container, say) must not take it away with it
		 * at its poststop. */
		b = hs_nft_batch_build_gen(
			np,
			t.info.present && t.info.owner[0] ? t.info.owner
							  : owner,
			t.info.present, nl.seq, t.genid, err);
		if (!b)
			return -1;
		nl.seq += (uint32_t)b->n_msgs;
		r = send_batch(&nl, b, file, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			*ret_changed = true;
			return 0;
		}
	}
	return hs_err(err, EAGAIN,
		      "%s: nftables: the ruleset changed under each of %d "
		      "attempts to install table inet %s",
		      file, APPLY_ATTEMPTS, HS_NFT_TABLE);
}

int hs_nft_delete_if_owner(const char *owner, bool *ret_deleted,
			   struct hs_error *err)
{
	_cleanup_mnl_socket_ struct mnl_socket *sock = NULL;
	char record[HS_NFT_COMMENT_MAX + 1];
	struct nl nl = {0};
	int attempt, r;

	if (hs_nft_owner_record(owner, record, sizeof(record), err) < 0)
		return -1;
	r = nl_open(&nl, err);
	sock = nl.sock;
	if (r < 0)
		return -1;
	for (attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
		_cleanup_talk_ struct talk t = {0};
		_cleanup_batch_ struct hs_nft_batch *b = NULL;

		if (read_state(&nl, &t, err) < 0)
			return -1;
		/* Not ours (or not hardshim's): another container of the
		 * pod installed it, and it protects that one. */
		if (!t.info.present || !t.info.digest[0] ||
		    strcmp(t.info.owner, record) != 0) {
			*ret_deleted = false;
			return 0;
		}
		b = hs_nft_batch_build_delete(nl.seq, t.genid, err);
		if (!b)
			return -1;
		nl.seq += (uint32_t)b->n_msgs;
		r = send_batch(&nl, b, "poststop", err);
		if (r < 0)
			return -1;
		if (r == 0) {
			*ret_deleted = true;
			return 0;
		}
	}
	return hs_err(err, EAGAIN,
		      "nftables: the ruleset changed under each of %d "
		      "attempts to delete table inet %s",
		      APPLY_ATTEMPTS, HS_NFT_TABLE);
}
