/* Network policies: JSON -> struct hs_netpol, validated and compiled in one
 * pass. See hs_netpol.h for the format and its semantics.
 *
 * Trust: a netpol is written by a policy author, not a tenant, but a
 * mistake in it decides what every tenant container can reach. So every
 * key is checked (a typo such as "excpet" must not silently drop an
 * exclusion), every error is reported with its JSON path (not only the
 * first, so that `hardshim check` shows the author all of them), and every
 * array is bounded by an HS_NETPOL_* limit before it is walked. Nothing is
 * handed to the caller unless the whole file is valid: the nft module never
 * sees a half-compiled policy.
 *
 * "@NAME" resolves against the table the caller passes (the config's
 * "networks", which config.c has validated as strictly as a CIDR here):
 * the parser reads no config itself. A name expands to at most the CIDRs
 * the config gives it, and each counts against HS_NETPOL_MAX_CIDRS as if
 * written out, so a name cannot carry a policy past a limit. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_netpol.h"

/* Paths are built from fixed keys and indices below the limits; the
 * longest, "ingress[255].from[1023].ipBlock.except[1023]", fits easily.
 * Only an unknown key (user text) can be longer, and a cut path is still a
 * readable error. */
#define PATH_LEN 128
/* User strings are quoted in errors, cut to a readable length. */
#define QUOTE_MAX 64

static const char *const top_keys[] = {
	"comment", "policyTypes", "deny", "egress",
	"ingress", "logRefused",  NULL,
};
static const char *const egress_rule_keys[] = {"comment", "to", "ports", NULL};
static const char *const ingress_rule_keys[] = {"comment", "from", "ports",
						NULL};
static const char *const ip_block_keys[] = {"cidr", "except", NULL};
static const char *const port_keys[] = {"protocol", "port", "endPort", NULL};

static const struct {
	const char *name;
	enum hs_proto proto;
} protocols[] = {
	{"TCP", HS_PROTO_TCP},
	{"UDP", HS_PROTO_UDP},
	{"SCTP", HS_PROTO_SCTP},
};

/* Bit `i` of a name mask: the table's name i. */
#define NAME_BIT(i) ((uint64_t)1 << (i))
_Static_assert(HS_CONFIG_MAX_NETWORKS <= 64,
	       "a policy records the names it uses in a uint64_t");

struct ctx {
	const char *file;
	struct hs_error *err;
	const struct hs_netnames *names; /* "@NAME" resolves here; NULL: none */
	uint64_t used_names; /* NAME_BIT of every name used so far */
	const struct hs_range_set *deny; /* per family, parsed first */
	bool egress; /* the rules being parsed are egress rules */
	size_t n_cidrs; /* every CIDR so far: cidr, except, deny */
	bool cidr_limit_hit; /* reported once, not once per CIDR after it */
	bool oom;
	int ret; /* -1 once anything was reported */
};

/* For errors already reported by an hs_json_* helper. */
static int mark(struct ctx *c)
{
	c->ret = -1;
	return -1;
}

static int report(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report(struct ctx *c, const char *path, const char *fmt, ...)
{
	char what[HS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hs_json_err(c->err, c->file, path, "%s", what);
	return mark(c);
}

static int out_of_memory(struct ctx *c)
{
	if (!c->oom)
		hs_err(c->err, ENOMEM, "%s: out of memory", c->file);
	c->oom = true;
	return mark(c);
}

/* The error of a failed range set operation. E2BIG cannot come from a
 * valid file today (a set never holds more ranges than the policy has
 * CIDRs, and HS_NETPOL_MAX_CIDRS is below the set limit), but the check
 * must not depend on that staying true. */
static int set_failed(struct ctx *c, const char *path)
{
	if (errno == ENOMEM)
		return out_of_memory(c);
	if (errno == E2BIG)
		return report(c, path,
			      "more than the limit of %u ranges in one set",
			      HS_NETPOL_MAX_SET_ELEMENTS);
	return report(c, path, "internal error: invalid address range");
}

static void make_key(char *buf, const char *parent, const char *key)
{
	hs_json_path_key(buf, PATH_LEN, parent, key);
}

static void make_index(char *buf, const char *parent, size_t i)
{
	hs_json_path_index(buf, PATH_LEN, parent, i);
}

static int check_keys(struct ctx *c, const json_t *obj,
		      const char *const *allowed, const char *path)
{
	if (hs_json_check_keys(obj, allowed, c->file, path, c->err) < 0)
		return mark(c);
	return 0;
}

static int check_comment(struct ctx *c, const json_t *obj, const char *path)
{
	const char *comment;

	if (hs_json_get_string(obj, "comment", false, &comment, c->file, path,
			       c->err) < 0)
		return mark(c);
	return 0;
}

/* The member `key` of `obj` if it is an array of at most `max` entries;
 * NULL when it is absent (*ret_present false) or wrong (reported). The
 * size is checked before any entry is looked at. */
static const json_t *get_array(struct ctx *c, const json_t *obj,
			       const char *key, const char *parent, size_t max,
			       const char *limit_what, bool *ret_present)
{
	const json_t *v = json_object_get(obj, key);
	char path[PATH_LEN];

	*ret_present = v != NULL;
	if (!v)
		return NULL;
	make_key(path, parent, key);
	if (!json_is_array(v)) {
		report(c, path, "must be an array");
		return NULL;
	}
	if (json_array_size(v) > max) {
		report(c, path, "%zu entries, more than the limit of %zu %s",
		       json_array_size(v), max, limit_what);
		return NULL;
	}
	return v;
}

/* Counts `n` more CIDRs against HS_NETPOL_MAX_CIDRS: the policy as a
 * whole is bounded, not only each list in it. */
static int count_cidrs(struct ctx *c, size_t n, const char *path)
{
	if (c->cidr_limit_hit)
		return -1;
	if (n > HS_NETPOL_MAX_CIDRS - c->n_cidrs) {
		c->cidr_limit_hit = true;
		return report(c, path,
			      "more than the limit of %u CIDRs in one policy "
			      "(cidr, except and deny entries together)",
			      HS_NETPOL_MAX_CIDRS);
	}
	c->n_cidrs += n;
	return 0;
}

/* `v`, a JSON string, as a CIDR. */
static int parse_cidr(struct ctx *c, const json_t *v, const char *path,
		      struct hs_cidr *ret)
{
	char why[256];

	if (hs_cidr_parse(json_string_value(v), ret, why, sizeof(why)) < 0)
		return report(c, path, "\"%.*s\": %s", QUOTE_MAX,
			      json_string_value(v), why);
	return 0;
}

bool hs_netname_valid(const char *name)
{
	size_t i, len = strnlen(name, HS_NETWORK_NAME_MAX + 1);

	if (len == 0 || len > HS_NETWORK_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];
		bool alpha =
			(ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		bool more = (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';

		if (!alpha && !(i > 0 && more))
			return false;
	}
	return true;
}

/* What one CIDR position (cidr, except[i], deny[i]) holds: one CIDR, or
 * every CIDR of a network name. `v` may point at `one`, so a struct cidrs
 * is used where it was filled, never copied. */
struct cidrs {
	const struct hs_cidr *v;
	size_t n;
	struct hs_cidr one;
	int name; /* index in the table, -1 for a literal CIDR */
};

/* The table's names, for an error about a name it lacks. */
static void list_names(const struct hs_netnames *t, char *buf, size_t size)
{
	size_t i, used = 0;

	snprintf(buf, size, "%s", t->n ? "" : "none");
	for (i = 0; i < t->n && used < size; i++) {
		snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
			 t->v[i].name);
		used = strlen(buf);
	}
}

/* A CIDR position: "@NAME", looked up in the table, or a CIDR. Either way
 * what it stands for is counted against HS_NETPOL_MAX_CIDRS. */
static int resolve(struct ctx *c, const json_t *v, const char *path,
		   struct cidrs *ret)
{
	char known[256];
	const char *s;
	size_t i;

	ret->v = NULL;
	ret->n = 0;
	ret->name = -1;
	if (!json_is_string(v))
		return report(c, path,
			      "must be a string (a CIDR or \"@NAME\")");
	s = json_string_value(v);
	if (s[0] != '@') {
		if (parse_cidr(c, v, path, &ret->one) < 0)
			return -1;
		ret->v = &ret->one;
		ret->n = 1;
		return count_cidrs(c, 1, path);
	}
	if (!hs_netname_valid(s + 1))
		return report(c, path,
			      "\"%.*s\" is not a network name (\"@\" and "
			      "then [A-Za-z][A-Za-z0-9_-], at most %d "
			      "characters)",
			      QUOTE_MAX, s, HS_NETWORK_NAME_MAX);
	if (!c->names)
		return report(c, path,
			      "\"%s\": a network name, and no config was "
			      "given to resolve it: names are a config's "
			      "\"networks\" (--config CONFIG)",
			      s);
	for (i = 0; i < c->names->n; i++)
		if (strcmp(c->names->v[i].name, s + 1) == 0)
			break;
	if (i == c->names->n) {
		list_names(c->names, known, sizeof(known));
		return report(c, path,
			      "\"%s\": the config's \"networks\" has no "
			      "\"%s\" (it has: %s)",
			      s, s + 1, known);
	}
	ret->v = c->names->v[i].cidrs;
	ret->n = c->names->v[i].n;
	ret->name = (int)i;
	c->used_names |= NAME_BIT(i);
	return count_cidrs(c, ret->n, path);
}

/* How an error names CIDR k of a position: as written for a literal
 * ("10.0.0.0/16"), with what it stands for for a name ("@pods"
 * (10.244.0.0/16)); every CIDR of the name when `k` is SIZE_MAX. */
static void describe(const struct cidrs *r, const json_t *v, size_t k,
		     char *buf, size_t size)
{
	const char *sep = "";
	size_t i, used;

	if (r->name < 0) {
		snprintf(buf, size, "\"%.*s\"", QUOTE_MAX,
			 json_string_value(v));
		return;
	}
	snprintf(buf, size, "\"%s\" (", json_string_value(v));
	for (i = 0; i < r->n; i++) {
		char text[64];

		if (k != SIZE_MAX && i != k)
			continue;
		used = strlen(buf);
		hs_cidr_format(&r->v[i], text, sizeof(text));
		/* A long name is cut, visibly: room is kept for ", ...)". */
		if (used + strlen(sep) + strlen(text) + 7 > size) {
			snprintf(buf + used, size - used, ", ...");
			break;
		}
		snprintf(buf + used, size - used, "%s%s", sep, text);
		sep = ", ";
	}
	used = strlen(buf);
	snprintf(buf + used, size - used, ")");
}

static const char *family_name(enum hs_family f)
{
	return f == HS_FAMILY_V4 ? "IPv4" : "IPv6";
}

/* Destinations that are not one host: a datagram to a multicast group
 * reaches every host of the segment that is a member (every host is a
 * member of 224.0.0.1 and ff02::1), and 240.0.0.0/4, reserved, holds the
 * limited broadcast 255.255.255.255, which reaches every host of the
 * segment. The cloud metadata service and other clusters can be among
 * them, whatever `deny` says about their unicast addresses. An egress allow
 * rule opens them only when it names them: a cidr inside one of them.
 * Ingress is not checked: these are never a packet's source. */
static const struct {
	const char *cidr;
	const char *what;
} one_to_many[] = {
	{"224.0.0.0/4", "multicast"},
	{"240.0.0.0/4", "reserved, with the broadcast 255.255.255.255"},
	{"ff00::/8", "multicast"},
};

/* The part of `a` inside `b`, in *ret; false if there is none. */
static bool clip(const struct hs_range *a, const struct hs_range *b,
		 struct hs_range *ret)
{
	ret->lo = memcmp(&a->lo, &b->lo, sizeof(a->lo)) > 0 ? a->lo : b->lo;
	ret->hi = memcmp(&a->hi, &b->hi, sizeof(a->hi)) < 0 ? a->hi : b->hi;
	return memcmp(&ret->lo, &ret->hi, sizeof(ret->lo)) <= 0;
}

/* Whether `peers` (NULL: every address) hold an address of `r` that deny
 * does not take away first. */
static bool opens(const struct ctx *c, enum hs_family family,
		  const struct hs_range_set *peers, const struct hs_range *r)
{
	struct hs_range part;
	size_t k;

	if (!peers)
		return !hs_range_set_covers(&c->deny[family], r);
	for (k = 0; k < peers->n; k++)
		if (clip(&peers->r[k], r, &part) &&
		    !hs_range_set_covers(&c->deny[family], &part))
			return true;
	return false;
}

/* The one-to-many ranges of `family` that an egress rule's `peers` (NULL:
 * every address) open, listed in `buf` for an error message; false if
 * none. A range the ipBlock's own cidr (`outer`) lies inside is named,
 * not opened by accident. */
static bool opens_one_to_many(const struct ctx *c, enum hs_family family,
			      const struct hs_range_set *peers,
			      const struct hs_cidr *outer, char *buf,
			      size_t size)
{
	struct hs_cidr m;
	struct hs_range r;
	char why[64];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < HS_ARRAY_SIZE(one_to_many); i++) {
		if (hs_cidr_parse(one_to_many[i].cidr, &m, why, sizeof(why)) <
			    0 ||
		    m.family != family)
			continue;
		if (outer && hs_cidr_contains(&m, outer))
			continue;
		hs_cidr_to_range(&m, &r);
		if (!opens(c, family, peers, &r) || used >= size)
			continue;
		snprintf(buf + used, size - used, "%s%s (%s)", used ? ", " : "",
			 one_to_many[i].cidr, one_to_many[i].what);
		used = strlen(buf);
	}
	return buf[0] != '\0';
}

/* The blocks of one ipBlock: one range set per CIDR its cidr stands for. */
struct blocks {
	struct hs_range_set *v;
	size_t n;
};

static void blocks_free(struct blocks *b)
{
	size_t k;

	for (k = 0; k < b->n; k++)
		hs_range_set_free(&b->v[k]);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}
#define _cleanup_blocks_ __attribute__((cleanup(blocks_free)))

/* Whether a CIDR of `r` is of `family`. */
static bool in_families(const struct cidrs *r, enum hs_family family)
{
	size_t k;

	for (k = 0; k < r->n; k++)
		if (r->v[k].family == family)
			return true;
	return false;
}

/* Takes one except CIDR out of every block of its family. It must lie
 * inside one of them (Kubernetes: every except inside its cidr): an except
 * outside would be a reader's mistake about what the block holds. */
static int subtract_except(struct ctx *c, const struct cidrs *outer,
			   const json_t *outer_v, struct blocks *b,
			   const struct cidrs *inner, const json_t *inner_v,
			   size_t m, const char *path)
{
	const struct hs_cidr *in = &inner->v[m];
	char outer_text[256], inner_text[160];
	bool inside = false, same_family = false;
	struct hs_range r;
	size_t k;

	for (k = 0; k < outer->n; k++) {
		if (outer->v[k].family != in->family)
			continue;
		same_family = true;
		inside = inside || hs_cidr_contains(&outer->v[k], in);
	}
	if (!inside) {
		describe(outer, outer_v, SIZE_MAX, outer_text,
			 sizeof(outer_text));
		describe(inner, inner_v, m, inner_text, sizeof(inner_text));
		if (same_family)
			return report(c, path, "%s is not inside %s",
				      inner_text, outer_text);
		return report(c, path,
			      "%s is not inside %s: an %s CIDR in an %s "
			      "ipBlock",
			      inner_text, outer_text, family_name(in->family),
			      family_name(outer->v[0].family));
	}
	hs_cidr_to_range(in, &r);
	for (k = 0; k < b->n; k++)
		if (b->v[k].family == in->family &&
		    hs_range_set_subtract(&b->v[k], &r) < 0)
			return set_failed(c, path);
	return 0;
}

/* One ipBlock: each CIDR its cidr stands for minus its excepts, added to
 * the rule's peers of that family. The excepts are checked even when the
 * cidr is invalid, so that their errors show in the same run. */
static int parse_ip_block(struct ctx *c, const json_t *ib, const char *path,
			  struct hs_np_rule *rule)
{
	_cleanup_blocks_ struct blocks b = {0};
	char p[PATH_LEN], pe[PATH_LEN], pc[PATH_LEN], outer_text[160];
	char opened[256];
	const json_t *v, *outer_v, *excepts;
	struct cidrs outer, inner;
	bool present, outer_ok = false, has_family;
	struct hs_range r;
	int ret = 0;
	size_t i, k, m;

	if (!json_is_object(ib))
		return report(c, path, "must be an object");
	if (check_keys(c, ib, ip_block_keys, path) < 0)
		ret = -1;
	make_key(pc, path, "cidr");
	outer_v = json_object_get(ib, "cidr");
	if (!outer_v)
		ret = report(c, pc, "required, missing");
	else if (resolve(c, outer_v, pc, &outer) < 0)
		ret = -1;
	else
		outer_ok = true;
	if (outer_ok) {
		if (outer.name >= 0)
			rule->peer_names |= NAME_BIT(outer.name);
		b.v = calloc(outer.n, sizeof(*b.v));
		if (!b.v)
			return out_of_memory(c);
		for (k = 0; k < outer.n; k++) {
			hs_range_set_init(&b.v[k], outer.v[k].family);
			b.n++;
			hs_cidr_to_range(&outer.v[k], &r);
			if (hs_range_set_add(&b.v[k], &r) < 0)
				return set_failed(c, pc);
		}
	}
	excepts = get_array(c, ib, "except", path, HS_NETPOL_MAX_EXCEPT,
			    "CIDRs in one except list", &present);
	make_key(p, path, "except");
	if (present && !excepts)
		return -1;
	json_array_foreach (excepts, i, v) {
		make_index(pe, p, i);
		if (resolve(c, v, pe, &inner) < 0) {
			ret = -1;
			if (c->oom || c->cidr_limit_hit)
				return -1;
			continue;
		}
		if (inner.name >= 0)
			rule->except_names |= NAME_BIT(inner.name);
		if (!outer_ok)
			continue;
		/* A name may be dual-stack where the cidr is not: its CIDRs
		 * of a family the cidr lacks hold nothing of the block and
		 * are passed over, as long as some CIDR of it is of a family
		 * the cidr has (else the except is a mistake). */
		has_family = false;
		for (m = 0; m < inner.n; m++)
			has_family = has_family ||
				     in_families(&outer, inner.v[m].family);
		for (m = 0; m < inner.n; m++) {
			if (has_family &&
			    !in_families(&outer, inner.v[m].family))
				continue;
			if (subtract_except(c, &outer, outer_v, &b, &inner, v,
					    m, pe) < 0) {
				if (c->oom)
					return -1;
				ret = -1;
				break;
			}
		}
	}
	if (ret < 0)
		return -1;
	for (k = 0; k < b.n; k++) {
		if (!c->egress ||
		    !opens_one_to_many(c, outer.v[k].family, &b.v[k],
				       &outer.v[k], opened, sizeof(opened)))
			continue;
		describe(&outer, outer_v, k, outer_text, sizeof(outer_text));
		ret = report(c, pc,
			     "%s opens %s: a datagram sent there reaches "
			     "every host of the segment, denied ones "
			     "included; put them in \"except\" (or "
			     "\"deny\"), or allow one in an ipBlock of its "
			     "own whose cidr lies inside it",
			     outer_text, opened);
	}
	if (ret < 0)
		return -1;
	for (k = 0; k < b.n; k++)
		for (i = 0; i < b.v[k].n; i++)
			if (hs_range_set_add(&rule->peers[b.v[k].family],
					     &b.v[k].r[i]) < 0)
				return set_failed(c, path);
	return 0;
}

/* One entry of to[] or from[]. Kubernetes' selectors get their own
 * message: an author porting a NetworkPolicy should learn that hardshim
 * cannot see pods, not guess from "unknown key". */
static int parse_peer(struct ctx *c, const json_t *peer, const char *path,
		      struct hs_np_rule *rule)
{
	char p[PATH_LEN];
	const json_t *ib;
	const char *key;
	json_t *v;
	int ret = 0;

	if (!json_is_object(peer))
		return report(c, path, "must be an object");
	json_object_foreach ((json_t *)peer, key, v) {
		if (strcmp(key, "ipBlock") == 0)
			continue;
		make_key(p, path, key);
		if (strcmp(key, "podSelector") == 0 ||
		    strcmp(key, "namespaceSelector") == 0)
			ret = report(c, p,
				     "not supported: hardshim matches peers "
				     "by address (ipBlock) only");
		else
			ret = report(c, p, "unknown key");
	}
	make_key(p, path, "ipBlock");
	ib = json_object_get(peer, "ipBlock");
	if (!ib)
		return report(c, p, "required, missing");
	if (parse_ip_block(c, ib, p, rule) < 0)
		return -1;
	return ret;
}

/* to[] or from[]: absent means every peer. Empty is refused (see
 * hs_netpol.h): Kubernetes reads [] as every peer, a reviewer as none. */
static int parse_peers(struct ctx *c, const json_t *rj, const char *key,
		       const char *path, struct hs_np_rule *rule)
{
	char p[PATH_LEN], pi[PATH_LEN];
	const json_t *list;
	bool present;
	json_t *v;
	int ret = 0;
	size_t i;

	list = get_array(c, rj, key, path, HS_NETPOL_MAX_PEERS,
			 "peers in one rule", &present);
	if (!present) {
		rule->any_peer = true;
		return 0;
	}
	if (!list)
		return -1;
	make_key(p, path, key);
	if (json_array_size(list) == 0)
		return report(c, p,
			      "an empty list (Kubernetes reads it as every "
			      "peer): omit \"%s\" to allow every peer, or "
			      "remove the rule to allow none",
			      key);
	json_array_foreach (list, i, v) {
		make_index(pi, p, i);
		if (parse_peer(c, v, pi, rule) < 0)
			ret = -1;
		if (c->oom)
			return -1;
	}
	for (i = 0; i < HS_FAMILY_COUNT; i++)
		hs_range_set_normalize(&rule->peers[i]);
	return ret;
}

/* "port" or "endPort": absent, or a number in [1, 65535]. A string is a
 * Kubernetes named port, which only the pod spec can resolve. */
static int parse_port_number(struct ctx *c, const json_t *pe, const char *key,
			     const char *path, bool *ret_present, uint16_t *ret)
{
	const json_t *v = json_object_get(pe, key);
	char p[PATH_LEN];
	json_int_t n;

	*ret_present = v != NULL;
	if (!v)
		return 0;
	make_key(p, path, key);
	if (json_is_string(v))
		return report(c, p,
			      "\"%.*s\": named ports are not supported, "
			      "give the number",
			      QUOTE_MAX, json_string_value(v));
	if (!json_is_integer(v))
		return report(c, p, "must be an integer");
	n = json_integer_value(v);
	if (n < 1 || n > 65535)
		return report(c, p, "%lld is out of range [1, 65535]",
			      (long long)n);
	*ret = (uint16_t)n;
	return 0;
}

static int parse_port(struct ctx *c, const json_t *pe, const char *path,
		      struct hs_port_range *out)
{
	bool has_port = false, has_end = false;
	uint16_t port = 0, end = 0;
	char p[PATH_LEN];
	const json_t *v;
	int ret = 0;
	size_t i;

	if (!json_is_object(pe))
		return report(c, path, "must be an object");
	if (check_keys(c, pe, port_keys, path) < 0)
		ret = -1;
	out->proto = HS_PROTO_TCP;
	make_key(p, path, "protocol");
	v = json_object_get(pe, "protocol");
	if (v && !json_is_string(v)) {
		ret = report(c, p, "must be a string");
	} else if (v) {
		for (i = 0; i < HS_ARRAY_SIZE(protocols); i++)
			if (strcmp(protocols[i].name, json_string_value(v)) ==
			    0)
				break;
		if (i == HS_ARRAY_SIZE(protocols))
			ret = report(c, p,
				     "\"%.*s\" is not TCP, UDP or SCTP "
				     "(case-sensitive)",
				     QUOTE_MAX, json_string_value(v));
		else
			out->proto = protocols[i].proto;
	}
	if (parse_port_number(c, pe, "port", path, &has_port, &port) < 0)
		ret = -1;
	if (parse_port_number(c, pe, "endPort", path, &has_end, &end) < 0)
		ret = -1;
	make_key(p, path, "endPort");
	if (has_end && !has_port)
		ret = report(c, p, "requires \"port\", the start of the range");
	/* 0 is a port that failed to parse, already reported. */
	else if (has_end && port && end && end < port)
		ret = report(c, p, "%u is less than port %u", end, port);
	out->lo = has_port ? port : 0;
	out->hi = has_end ? end : has_port ? port : 65535;
	return ret;
}

static int port_cmp(const void *pa, const void *pb)
{
	const struct hs_port_range *a = pa, *b = pb;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->hi > b->hi) - (a->hi < b->hi);
}

/* Sorts by protocol, then port, and merges overlapping and adjacent
 * ranges of one protocol: the same ports, in fewer rules. */
static void merge_ports(struct hs_np_rule *rule)
{
	size_t i, w = 0;

	if (rule->n_ports < 2)
		return;
	qsort(rule->ports, rule->n_ports, sizeof(*rule->ports), port_cmp);
	for (i = 1; i < rule->n_ports; i++) {
		struct hs_port_range *cur = &rule->ports[w];
		const struct hs_port_range *next = &rule->ports[i];

		if (next->proto == cur->proto &&
		    (unsigned)next->lo <= (unsigned)cur->hi + 1) {
			if (next->hi > cur->hi)
				cur->hi = next->hi;
		} else {
			rule->ports[++w] = *next;
		}
	}
	rule->n_ports = w + 1;
}

/* ports[]: absent means every protocol and port; empty is refused like an
 * empty to[]. */
static int parse_ports(struct ctx *c, const json_t *rj, const char *path,
		       struct hs_np_rule *rule)
{
	char p[PATH_LEN], pi[PATH_LEN];
	const json_t *list;
	bool present;
	json_t *v;
	int ret = 0;
	size_t i;

	list = get_array(c, rj, "ports", path, HS_NETPOL_MAX_PORTS,
			 "ports in one rule", &present);
	if (!present)
		return 0;
	if (!list)
		return -1;
	make_key(p, path, "ports");
	if (json_array_size(list) == 0)
		return report(c, p,
			      "an empty list (Kubernetes reads it as every "
			      "port): omit \"ports\" to allow every port");
	rule->ports = calloc(json_array_size(list), sizeof(*rule->ports));
	if (!rule->ports)
		return out_of_memory(c);
	rule->n_ports = json_array_size(list);
	json_array_foreach (list, i, v) {
		make_index(pi, p, i);
		if (parse_port(c, v, pi, &rule->ports[i]) < 0)
			ret = -1;
	}
	if (ret == 0)
		merge_ports(rule);
	return ret;
}

/* An egress rule without "to" allows every destination: the one-to-many
 * ranges too, unless deny takes them away. */
static int any_peer_opens(struct ctx *c, const char *path)
{
	char v4[128], v6[128];
	bool o4, o6;

	o4 = opens_one_to_many(c, HS_FAMILY_V4, NULL, NULL, v4, sizeof(v4));
	o6 = opens_one_to_many(c, HS_FAMILY_V6, NULL, NULL, v6, sizeof(v6));
	if (!o4 && !o6)
		return 0;
	return report(c, path,
		      "a rule without \"to\" allows every destination, %s%s%s "
		      "too: a datagram sent there reaches every host of the "
		      "segment, denied ones included; give \"to\" ipBlocks "
		      "that except them, or put them in \"deny\"",
		      o4 ? v4 : "", o4 && o6 ? ", " : "", o6 ? v6 : "");
}

static int parse_rule(struct ctx *c, const json_t *rj, const char *path,
		      bool egress, struct hs_np_rule *rule)
{
	int ret = 0;

	if (!json_is_object(rj))
		return report(c, path, "must be an object");
	if (check_keys(c, rj, egress ? egress_rule_keys : ingress_rule_keys,
		       path) < 0)
		ret = -1;
	if (check_comment(c, rj, path) < 0)
		ret = -1;
	if (parse_peers(c, rj, egress ? "to" : "from", path, rule) < 0)
		ret = -1;
	else if (egress && rule->any_peer && any_peer_opens(c, path) < 0)
		ret = -1;
	if (parse_ports(c, rj, path, rule) < 0)
		ret = -1;
	return ret;
}

static int parse_direction(struct ctx *c, const json_t *json, bool egress,
			   struct hs_np_direction *dir)
{
	const char *key = egress ? "egress" : "ingress";
	char p[PATH_LEN];
	const json_t *list;
	bool present;
	json_t *v;
	int ret = 0;
	size_t i, f;

	list = get_array(c, json, key, "", HS_NETPOL_MAX_RULES, "rules",
			 &present);
	if (!list)
		return present ? -1 : 0;
	if (json_array_size(list) == 0)
		return 0;
	dir->rules = calloc(json_array_size(list), sizeof(*dir->rules));
	if (!dir->rules)
		return out_of_memory(c);
	dir->n_rules = json_array_size(list);
	c->egress = egress;
	for (i = 0; i < dir->n_rules; i++)
		for (f = 0; f < HS_FAMILY_COUNT; f++)
			hs_range_set_init(&dir->rules[i].peers[f],
					  (enum hs_family)f);
	json_array_foreach (list, i, v) {
		make_index(p, key, i);
		if (parse_rule(c, v, p, egress, &dir->rules[i]) < 0)
			ret = -1;
		if (c->oom)
			return -1;
	}
	return ret;
}

/* Required, each of "Ingress" and "Egress" at most once: the list decides
 * which directions are default-deny, so it is never guessed from the rest
 * of the file (Kubernetes' default would leave egress open when no egress
 * rules are written). */
static int parse_policy_types(struct ctx *c, const json_t *json,
			      struct hs_netpol *np)
{
	const json_t *list = NULL;
	char p[PATH_LEN];
	json_t *v;
	int ret = 0;
	size_t i;

	if (hs_json_get_string_array(json, "policyTypes", true,
				     HS_POLICY_MAX_LIST, &list, c->file, "",
				     c->err) < 0)
		return mark(c);
	json_array_foreach (list, i, v) {
		const char *s = json_string_value(v);
		struct hs_np_direction *dir;

		make_index(p, "policyTypes", i);
		if (strcmp(s, "Ingress") == 0) {
			dir = &np->ingress;
		} else if (strcmp(s, "Egress") == 0) {
			dir = &np->egress;
		} else {
			ret = report(c, p,
				     "\"%.*s\" is neither \"Ingress\" nor "
				     "\"Egress\" (case-sensitive)",
				     QUOTE_MAX, s);
			continue;
		}
		if (dir->listed)
			ret = report(c, p, "\"%s\" is listed twice", s);
		dir->listed = true;
	}
	return ret;
}

static int parse_deny(struct ctx *c, const json_t *json, struct hs_netpol *np)
{
	const json_t *list;
	struct cidrs res;
	struct hs_range r;
	char p[PATH_LEN];
	bool present;
	json_t *v;
	int ret = 0;
	size_t i, k;

	list = get_array(c, json, "deny", "", HS_NETPOL_MAX_CIDRS,
			 "CIDRs in one policy", &present);
	if (!list)
		return present ? -1 : 0;
	json_array_foreach (list, i, v) {
		make_index(p, "deny", i);
		if (resolve(c, v, p, &res) < 0) {
			ret = -1;
			if (c->oom || c->cidr_limit_hit)
				return -1;
			continue;
		}
		if (res.name >= 0)
			np->deny_names |= NAME_BIT(res.name);
		for (k = 0; k < res.n; k++) {
			hs_cidr_to_range(&res.v[k], &r);
			if (hs_range_set_add(&np->deny[res.v[k].family], &r) <
			    0)
				return set_failed(c, p);
		}
	}
	for (i = 0; i < HS_FAMILY_COUNT; i++)
		hs_range_set_normalize(&np->deny[i]);
	return ret;
}

/* Copies each name of the table, and the CIDRs of those the policy uses,
 * into np->names: the policy then says what its names stood for without
 * the table, which the caller may free first. */
static int copy_names(struct ctx *c, struct hs_netpol *np)
{
	size_t i;

	if (!c->names || c->names->n == 0)
		return 0;
	np->names = calloc(c->names->n, sizeof(*np->names));
	if (!np->names)
		return out_of_memory(c);
	np->n_names = c->names->n;
	for (i = 0; i < c->names->n; i++) {
		const struct hs_netname *t = &c->names->v[i];
		struct hs_np_name *n = &np->names[i];

		if (hs_snprintf(n->name, sizeof(n->name), "%s", t->name) < 0)
			return report(c, "",
				      "internal error: network name "
				      "too long");
		if (!(c->used_names & NAME_BIT(i)))
			continue;
		n->used = true;
		n->cidrs = calloc(t->n, sizeof(*n->cidrs));
		if (!n->cidrs)
			return out_of_memory(c);
		memcpy(n->cidrs, t->cidrs, t->n * sizeof(*n->cidrs));
		n->n = t->n;
	}
	return 0;
}

static int name_cmp(const void *pa, const void *pb)
{
	const struct hs_np_name *const *a = pa, *const *b = pb;

	return strcmp((*a)->name, (*b)->name);
}

/* SHA-256 of the JSON with sorted keys and no whitespace: the same policy
 * has the same digest however its file is laid out. Then, for each name
 * the policy uses, in name order, "\n@NAME=" and its CIDRs in canonical
 * form, comma-separated: a range the config changes changes the digest
 * (and the hook replaces the table), a name the policy does not use does
 * not, and a policy without names keeps the digest it always had. */
static int compute_digest(struct ctx *c, const json_t *json,
			  struct hs_netpol *np)
{
	_cleanup_free_ char *text =
		json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
	const struct hs_np_name *used[HS_CONFIG_MAX_NETWORKS];
	struct hs_sha256 h;
	size_t i, k, n = 0;

	if (!text)
		return out_of_memory(c);
	hs_sha256_init(&h);
	hs_sha256_update(&h, text, strlen(text));
	for (i = 0; i < np->n_names && n < HS_ARRAY_SIZE(used); i++)
		if (np->names[i].used)
			used[n++] = &np->names[i];
	qsort(used, n, sizeof(used[0]), name_cmp);
	for (i = 0; i < n; i++) {
		hs_sha256_update(&h, "\n@", 2);
		hs_sha256_update(&h, used[i]->name, strlen(used[i]->name));
		hs_sha256_update(&h, "=", 1);
		for (k = 0; k < used[i]->n; k++) {
			char cidr[64];

			hs_cidr_format(&used[i]->cidrs[k], cidr, sizeof(cidr));
			if (k)
				hs_sha256_update(&h, ",", 1);
			hs_sha256_update(&h, cidr, strlen(cidr));
		}
	}
	hs_sha256_hex(&h, np->digest);
	return 0;
}

int hs_netpol_parse(json_t *json, const char *file,
		    const struct hs_netnames *names, struct hs_netpol *np,
		    struct hs_error *err)
{
	_cleanup_netpol_ struct hs_netpol tmp = {0};
	struct ctx c = {
		.file = file, .err = err, .names = names, .deny = tmp.deny};
	bool types_ok;
	size_t f;

	memset(np, 0, sizeof(*np));
	for (f = 0; f < HS_FAMILY_COUNT; f++)
		hs_range_set_init(&tmp.deny[f], (enum hs_family)f);
	if (names && names->n > HS_CONFIG_MAX_NETWORKS)
		return hs_err(err, E2BIG,
			      "%s: %zu network names, more than the limit of "
			      "%d",
			      file, names->n, HS_CONFIG_MAX_NETWORKS);
	if (!json_is_object(json))
		return hs_json_err(err, file, "",
				   "a network policy must be a JSON object");
	if (hs_snprintf(tmp.file, sizeof(tmp.file), "%s", file) < 0)
		return hs_err(err, ENAMETOOLONG, "%.256s...: path too long",
			      file);
	check_keys(&c, json, top_keys, "");
	check_comment(&c, json, "");
	types_ok = parse_policy_types(&c, json, &tmp) == 0;
	parse_deny(&c, json, &tmp);
	if (!c.oom)
		parse_direction(&c, json, true, &tmp.egress);
	if (!c.oom)
		parse_direction(&c, json, false, &tmp.ingress);
	/* Rules for a direction that is not filtered would be accepted and
	 * enforce nothing: the author believes in a restriction that is not
	 * there. */
	if (types_ok && json_object_get(json, "egress") && !tmp.egress.listed)
		report(&c, "egress",
		       "rules are given but \"Egress\" is not in policyTypes, "
		       "so nothing would enforce them");
	if (types_ok && json_object_get(json, "ingress") && !tmp.ingress.listed)
		report(&c, "ingress",
		       "rules are given but \"Ingress\" is not in "
		       "policyTypes, so nothing would enforce them");
	if (hs_json_get_bool(json, "logRefused", false, &tmp.log_refused, file,
			     "", err) < 0)
		mark(&c);
	if (c.ret < 0 || copy_names(&c, &tmp) < 0 ||
	    compute_digest(&c, json, &tmp) < 0)
		return -1;
	tmp.json = json_incref(json);
	*np = tmp;
	memset(&tmp, 0, sizeof(tmp));
	return 0;
}

int hs_netpol_load(const char *path, const struct hs_netnames *names,
		   struct hs_netpol *np, struct hs_error *err)
{
	_cleanup_json_ json_t *json = NULL;

	memset(np, 0, sizeof(*np));
	json = hs_json_load_path(path, HS_POLICY_MAX_BYTES, err);
	if (!json)
		return -1;
	return hs_netpol_parse(json, path, names, np, err);
}

static void rule_free(struct hs_np_rule *rule)
{
	size_t f;

	for (f = 0; f < HS_FAMILY_COUNT; f++)
		hs_range_set_free(&rule->peers[f]);
	free(rule->ports);
}

static void direction_free(struct hs_np_direction *dir)
{
	size_t i;

	for (i = 0; i < dir->n_rules; i++)
		rule_free(&dir->rules[i]);
	free(dir->rules);
}

void hs_netpol_free(struct hs_netpol *np)
{
	size_t f;

	json_decref(np->json);
	for (f = 0; f < np->n_names; f++)
		free(np->names[f].cidrs);
	free(np->names);
	for (f = 0; f < HS_FAMILY_COUNT; f++)
		hs_range_set_free(&np->deny[f]);
	direction_free(&np->egress);
	direction_free(&np->ingress);
	memset(np, 0, sizeof(*np));
}
