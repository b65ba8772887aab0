/* netpol/nft_counters.c: the deny and refusal counters of table inet
 * hardshim, for the monitor.
 *
 * Without root: every rule of a built batch (the very messages the hook
 * sends) is parsed back, given counter values, and summed: each counter
 * lands in the slot of its rule's kind, the order is fixed, a direction
 * that is not listed has no refusal counter, and rules of shapes hardshim
 * does not build are ignored. A bad fd is a clear error.
 *
 * As a helper for tests/integration/test_net_counters.sh (root):
 *   HS_NFT_COUNTERS_APPLY=NSPATH HS_NFT_COUNTERS_POLICY=FILE
 *       installs FILE's table in the namespace at NSPATH (hs_nft_apply);
 *   HS_NFT_COUNTERS_READ=NSPATH (or HS_NFT_COUNTERS_PID=PID, by pidfd)
 *   [CMD ARG...]
 *       opens one counter socket there, reads ("before ..." lines), runs
 *       CMD if given, reads again through the same socket ("after ..."),
 *       and checks that this thread's namespace never changed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "../../netpol/nft_internal.h"
#include "hs_cleanup.h"
#include "hs_netpol.h"
#include "hs_nft.h"
#include "hs_test.h"

#define DIGEST_A \
	"abababababababababababababababababababababababababababababababab"

/* --- policies by hand (as test_nft.c) --------------------------------------
 */

static void add(struct hs_range_set *s, const char *cidr)
{
	struct hs_cidr c;
	struct hs_range r;
	char why[128];

	if (hs_cidr_parse(cidr, &c, why, sizeof(why)) < 0)
		abort();
	hs_cidr_to_range(&c, &r);
	if (hs_range_set_add(s, &r) < 0)
		abort();
	hs_range_set_normalize(s);
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

/* deny 169.254.169.254 and 10.20.0.0/16; egress listed (TCP 80 to
 * anyone); ingress listed (from 10.10.0.0/16) if `ingress`. */
static void sample(struct hs_netpol *np, bool ingress)
{
	struct hs_np_rule *r;

	memset(np, 0, sizeof(*np));
	hs_range_set_init(&np->deny[HS_FAMILY_V4], HS_FAMILY_V4);
	hs_range_set_init(&np->deny[HS_FAMILY_V6], HS_FAMILY_V6);
	snprintf(np->digest, sizeof(np->digest), "%s", DIGEST_A);
	add(&np->deny[HS_FAMILY_V4], "169.254.169.254/32");
	add(&np->deny[HS_FAMILY_V4], "10.20.0.0/16");
	np->egress.listed = true;
	r = add_rule(&np->egress);
	r->any_peer = true;
	r->ports = calloc(1, sizeof(*r->ports));
	if (!r->ports)
		abort();
	r->ports[0] = (struct hs_port_range){HS_PROTO_TCP, 80, 80};
	r->n_ports = 1;
	if (ingress) {
		np->ingress.listed = true;
		r = add_rule(&np->ingress);
		add(&r->peers[HS_FAMILY_V4], "10.10.0.0/16");
	}
}

/* --- the batch's rules, with counter values --------------------------------
 */

static void rule_freep(struct nftnl_rule **p)
{
	if (*p)
		nftnl_rule_free(*p);
}

struct setctr {
	uint64_t packets, bytes;
	int counters;
};

static int set_counter_cb(struct nftnl_expr *e, void *data)
{
	struct setctr *s = data;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter") == 0) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, s->packets);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, s->bytes);
		s->counters++;
	}
	return 0;
}

/* Feeds every rule of a batch for `np` to an accumulator, rule i with
 * counter values i + 1 packets and 100 * (i + 1) bytes; `want` gets what
 * each slot should then hold, from the plan's own idea of each rule. */
static int sum_batch(const struct hs_netpol *np, struct hs_nft_counter_acc *acc,
		     struct hs_nft_counter_acc *want)
{
	struct hs_nft_batch *b;
	struct hs_error err = {0};
	const struct nlmsghdr *nlh;
	size_t len, i = 0;
	int rest;

	memset(acc, 0, sizeof(*acc));
	memset(want, 0, sizeof(*want));
	b = hs_nft_batch_build(np, "c1", false, 1, &err);
	if (!b)
		return -1;
	nlh = hs_nft_batch_data(b, &len);
	rest = (int)len;
	for (; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		__attribute__((cleanup(rule_freep))) struct nftnl_rule *r =
			NULL;
		const struct hs_nft_rule_plan *rp;
		struct setctr sc;
		int slot = -1;

		if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE)
			continue;
		rp = &b->plan.rules[i];
		sc = (struct setctr){.packets = i + 1, .bytes = 100 * (i + 1)};
		r = nftnl_rule_alloc();
		if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
			goto fail;
		nftnl_expr_foreach(r, set_counter_cb, &sc);
		hs_nft_counter_acc_rule(acc, r);
		switch (rp->kind) {
		case HS_NFT_R_DENY_TCP:
		case HS_NFT_R_DENY:
			slot = HS_NFT_C_DENY;
			break;
		case HS_NFT_R_REFUSE_COUNT:
			slot = HS_NFT_C_REFUSED;
			break;
		case HS_NFT_R_RPF:
			slot = HS_NFT_C_SPOOFED;
			break;
		}
		/* The plan and the batch agree on which rules count. */
		if ((slot >= 0) != (sc.counters == 1))
			goto fail;
		if (slot >= 0) {
			slot = slot * HS_NFT_CHAINS + rp->chain;
			want->packets[slot] += sc.packets;
			want->bytes[slot] += sc.bytes;
			want->seen[slot] = true;
		}
		i++;
	}
	if (i != b->plan.n_rules)
		goto fail;
	hs_nft_batch_free(b);
	return 0;
fail:
	hs_nft_batch_free(b);
	return -1;
}

static void test_every_counter_of_the_table(void)
{
	struct hs_nft_counter_acc acc, want;
	struct hs_nft_counters got;
	struct hs_netpol np;
	int rc;

	sample(&np, true);
	rc = sum_batch(&np, &acc, &want);
	hs_netpol_free(&np);
	CHECK(rc == 0);
	CHECK(memcmp(&acc, &want, sizeof(acc)) == 0);
	memset(&got, 0xff, sizeof(got));
	hs_nft_counter_acc_finish(&acc, &got);
	CHECK(got.n == 5);
	CHECK_STR(got.c[0].name, "deny_egress");
	CHECK_STR(got.c[1].name, "deny_ingress");
	CHECK_STR(got.c[2].name, "refused_egress");
	CHECK_STR(got.c[3].name, "refused_ingress");
	CHECK_STR(got.c[4].name, "spoofed_ingress");
	/* egress: four deny rules (TCP and other, per family); ingress:
	 * two. */
	CHECK(got.c[0].packets ==
	      want.packets[HS_NFT_C_DENY * HS_NFT_CHAINS + HS_NFT_EGRESS]);
	CHECK(got.c[4].bytes ==
	      want.bytes[HS_NFT_C_SPOOFED * HS_NFT_CHAINS + HS_NFT_INGRESS]);
	CHECK(got.c[0].packets > 0 && got.c[3].packets > 0);
}

/* Ingress not listed: its deny rules only, no refusal, no reverse
 * path. */
static void test_unlisted_direction_has_no_refusal(void)
{
	struct hs_nft_counter_acc acc, want;
	struct hs_nft_counters got;
	struct hs_netpol np;
	int rc;

	sample(&np, false);
	rc = sum_batch(&np, &acc, &want);
	hs_netpol_free(&np);
	CHECK(rc == 0);
	CHECK(memcmp(&acc, &want, sizeof(acc)) == 0);
	hs_nft_counter_acc_finish(&acc, &got);
	CHECK(got.n == 3);
	CHECK_STR(got.c[0].name, "deny_egress");
	CHECK_STR(got.c[1].name, "deny_ingress");
	CHECK_STR(got.c[2].name, "refused_egress");
}

static struct nftnl_rule *rule(const char *chain, const char *const *exprs)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		abort();
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, HS_NFT_TABLE);
	if (chain)
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	for (; *exprs; exprs++) {
		struct nftnl_expr *e = nftnl_expr_alloc(*exprs);

		if (!e)
			abort();
		if (strcmp(*exprs, "counter") == 0) {
			nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 5);
			nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 500);
		}
		if (strcmp(*exprs, "lookup") == 0)
			nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "e0_4");
		nftnl_rule_add_expr(r, e);
	}
	return r;
}

/* Rules hardshim does not make count for nothing: another chain, no
 * chain, two counters, a counter after a match that is not a deny set,
 * the reverse path's fib next to a deny lookup, an unknown expression. */
static void test_foreign_rules_ignored(void)
{
	static const char *const refusal[] = {"counter", NULL};
	static const char *const twice[] = {"counter", "counter", NULL};
	static const char *const matched[] = {"meta", "cmp", "counter", NULL};
	static const char *const peers[] = {"payload", "lookup", "counter",
					    NULL};
	static const char *const unknown[] = {"counter", "quota", NULL};
	struct {
		const char *chain;
		const char *const *exprs;
	} cases[] = {
		{"forward", refusal}, {NULL, refusal},	 {"egress", twice},
		{"egress", matched},  {"egress", peers}, {"egress", unknown},
	};
	struct hs_nft_counter_acc acc = {0};
	struct hs_nft_counters got;
	size_t k;

	for (k = 0; k < HS_ARRAY_SIZE(cases); k++) {
		__attribute__((cleanup(rule_freep))) struct nftnl_rule *r =
			rule(cases[k].chain, cases[k].exprs);

		hs_nft_counter_acc_rule(&acc, r);
	}
	hs_nft_counter_acc_finish(&acc, &got);
	CHECK(got.n == 0);
	/* The same refusal in our chain does count. */
	{
		__attribute__((cleanup(rule_freep))) struct nftnl_rule *r =
			rule("ingress", refusal);

		hs_nft_counter_acc_rule(&acc, r);
	}
	hs_nft_counter_acc_finish(&acc, &got);
	CHECK(got.n == 1);
	CHECK_STR(got.c[0].name, "refused_ingress");
	CHECK(got.c[0].packets == 5 && got.c[0].bytes == 500);
}

static void test_bad_fd(void)
{
	struct hs_error err = {0};
	struct stat before, after;
	_cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK(stat("/proc/thread-self/ns/net", &before) == 0);
	CHECK(!hs_nft_counters_open(-1, &err));
	CHECK(err.errnum == EBADF);
	CHECK_CONTAINS(err.msg, "fd -1 is not open");
	memset(&err, 0, sizeof(err));
	CHECK(!hs_nft_counters_open(1000, &err));
	CHECK(err.errnum == EBADF);
	CHECK_CONTAINS(err.msg, "fd 1000 is not open");
	memset(&err, 0, sizeof(err));
	CHECK(devnull >= 0);
	CHECK(!hs_nft_counters_open(devnull, &err));
	CHECK(err.errnum == EINVAL);
	CHECK_CONTAINS(err.msg, "is neither a network namespace nor a pidfd");
	CHECK(stat("/proc/thread-self/ns/net", &after) == 0);
	CHECK(before.st_ino == after.st_ino);
	hs_nft_counters_close(NULL);
}

/* --- helpers for the integration test (root) -------------------------------
 */

static void test_apply(void)
{
	const char *path = secure_getenv("HS_NFT_COUNTERS_APPLY");
	const char *policy = secure_getenv("HS_NFT_COUNTERS_POLICY");
	_cleanup_close_ int fd = -1;
	struct hs_error err = {0};
	struct hs_netpol np;
	bool changed = false;

	CHECK(path && policy);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (hs_netpol_load(policy, NULL, &np, &err) < 0) {
		printf("  %s\n", err.msg);
		CHECK(0);
	}
	/* This process is the helper and ends here: it may stay in the
	 * namespace. */
	CHECK(setns(fd, CLONE_NEWNET) == 0);
	if (hs_nft_apply(&np, "counters-test", &changed, &err) < 0)
		printf("  %s\n", err.msg);
	hs_netpol_free(&np);
	CHECK(err.count == 0 && changed);
}

static void print_counters(const char *when, const struct hs_nft_counters *c)
{
	size_t i;

	printf("%s table_present %d\n", when, c->table_present);
	if (c->table_present)
		printf("%s table %llu %s\n", when,
		       (unsigned long long)c->table_handle,
		       c->digest[0] ? c->digest : "-");
	for (i = 0; i < c->n; i++)
		printf("%s counter %s %llu %llu\n", when, c->c[i].name,
		       (unsigned long long)c->c[i].packets,
		       (unsigned long long)c->c[i].bytes);
}

static char **read_cmd;

static void test_read(void)
{
	const char *path = secure_getenv("HS_NFT_COUNTERS_READ");
	const char *pid = secure_getenv("HS_NFT_COUNTERS_PID");
	_cleanup_close_ int fd = -1;
	struct hs_nft_counter_sock *s;
	struct hs_nft_counters c;
	struct hs_error err = {0};
	struct stat before, after;
	pid_t child;
	int status, rc;

	if (path)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	else if (pid)
		fd = (int)syscall(SYS_pidfd_open, (pid_t)atoi(pid), 0);
	CHECK(fd >= 0);
	CHECK(stat("/proc/thread-self/ns/net", &before) == 0);
	s = hs_nft_counters_open(fd, &err);
	if (!s)
		printf("error %s\n", err.msg);
	CHECK(s);
	/* The fd is not needed any more: the socket stays where it was
	 * made. */
	close(hs_steal_fd(&fd));
	CHECK(stat("/proc/thread-self/ns/net", &after) == 0);
	CHECK(before.st_ino == after.st_ino && before.st_dev == after.st_dev);
	rc = hs_nft_counters_read(s, &c, &err);
	if (rc < 0)
		printf("error %s\n", err.msg);
	if (rc == 0)
		print_counters("before", &c);
	if (rc == 0 && read_cmd && read_cmd[0]) {
		fflush(stdout);
		child = fork();
		if (child == 0) {
			execv(read_cmd[0], read_cmd);
			_exit(127);
		}
		if (child < 0 || waitpid(child, &status, 0) != child)
			rc = -1;
		if (rc == 0)
			rc = hs_nft_counters_read(s, &c, &err);
		if (rc < 0)
			printf("error %s\n", err.msg);
		else
			print_counters("after", &c);
	}
	hs_nft_counters_close(s);
	CHECK(rc == 0);
}

int main(int argc, char **argv)
{
	if (secure_getenv("HS_NFT_COUNTERS_APPLY")) {
		RUN(test_apply);
		TEST_EXIT();
	}
	if (secure_getenv("HS_NFT_COUNTERS_READ") ||
	    secure_getenv("HS_NFT_COUNTERS_PID")) {
		read_cmd = argc > 1 ? argv + 1 : NULL;
		RUN(test_read);
		TEST_EXIT();
	}
	RUN(test_every_counter_of_the_table);
	RUN(test_unlisted_direction_has_no_refusal);
	RUN(test_foreign_rules_ignored);
	RUN(test_bad_fd);
	TEST_EXIT();
}
