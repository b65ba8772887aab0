/* netpol/netpol_parse.c: network policies. Mostly invalid fixtures
 * (tests/data/netpol/invalid/), each asserting the JSON path and message of
 * its error; every limit exceeded by generated JSON (and met exactly,
 * which must pass); network names ("@NAME"), mostly refused; then the
 * compiled model of valid policies, the shipped tenant-isolated.json
 * (with the shipped config's networks) first. Run from the repository
 * root. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_config.h"
#include "hs_netpol.h"
#include "hs_test.h"

#define DATA "tests/data/netpol/"
#define SHIPPED "policies/netpol/tenant-isolated.json"

/* policies/config.json, whose networks the shipped netpol names. */
static struct hs_config shipped;

/* An error object whose every line is captured, as `hardshim check`
 * prints them. */
struct capture {
	struct hs_error err;
	char *text;
	size_t len;
};

static void capture_start(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->err.sink = open_memstream(&c->text, &c->len);
}

static const char *captured(struct capture *c)
{
	fflush(c->err.sink);
	return c->text ? c->text : "";
}

static void capture_end(struct capture *c)
{
	if (c->err.sink)
		fclose(c->err.sink);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
#define _cleanup_capture_ __attribute__((cleanup(capture_end)))

static bool has(const struct hs_range_set *s, const char *addr)
{
	struct hs_cidr c;
	char why[128];

	if (hs_cidr_parse(addr, &c, why, sizeof(why)) < 0 ||
	    c.family != s->family) {
		printf("  bad test address %s for this set\n", addr);
		abort();
	}
	return hs_range_set_contains(s, &c.addr);
}

/* Whether range i of `s` is exactly the inclusive range [lo, hi]. */
static bool range_is(const struct hs_range_set *s, size_t i, const char *lo,
		     const char *hi)
{
	struct hs_cidr a, b;
	char why[128];

	if (i >= s->n || hs_cidr_parse(lo, &a, why, sizeof(why)) < 0 ||
	    hs_cidr_parse(hi, &b, why, sizeof(why)) < 0)
		return false;
	return memcmp(&s->r[i].lo, &a.addr, sizeof(a.addr)) == 0 &&
	       memcmp(&s->r[i].hi, &b.addr, sizeof(b.addr)) == 0;
}

static bool port_is(const struct hs_np_rule *r, size_t i, enum hs_proto proto,
		    unsigned lo, unsigned hi)
{
	return i < r->n_ports && r->ports[i].proto == proto &&
	       r->ports[i].lo == lo && r->ports[i].hi == hi;
}

/* Parses a generated document as "gen.json". */
static int parse_json(json_t *j, struct hs_netpol *np, struct capture *c)
{
	return hs_netpol_parse(j, "gen.json", NULL, np, &c->err);
}

/* Parses text as `file` (a syntax error fails the test's CHECK). */
static int parse_text(const char *text, const char *file, struct hs_netpol *np,
		      struct hs_error *err)
{
	_cleanup_json_ json_t *j =
		hs_json_load_buffer(text, strlen(text), file, err);

	memset(np, 0, sizeof(*np));
	if (!j)
		return -2;
	return hs_netpol_parse(j, file, NULL, np, err);
}

/* ------------------------------------------------------------------ */
/* Invalid fixtures: each error line must start with the file and path. */

struct bad_case {
	const char *file;
	const char *expect; /* "path: message start", after "file: " */
};

static const struct bad_case bad_cases[] = {
	{"host_bits_v4.json",
	 "egress[0].to[0].ipBlock.cidr: \"10.1.2.3/8\": host bits set: did "
	 "you mean 10.0.0.0/8?"},
	{"host_bits_v6.json",
	 "ingress[0].from[0].ipBlock.cidr: \"fd00::1/8\": host bits set: did "
	 "you mean fd00::/8?"},
	{"bad_prefixes.json",
	 "deny[0]: \"10.0.0.0/33\": prefix \"33\" is not a number from 0 to "
	 "32"},
	{"bad_prefixes.json",
	 "deny[1]: \"fd00::/129\": prefix \"129\" is not a number from 0 to "
	 "128"},
	{"bad_prefixes.json",
	 "deny[2]: \"10.0.0.0/-1\": prefix \"-1\" is not a number"},
	{"bad_prefixes.json",
	 "deny[3]: \"10.0.0.0/x\": prefix \"x\" is not a number"},
	{"bad_prefixes.json",
	 "deny[4]: \"10.0.0.0/\": prefix \"\" is not a number"},
	{"bad_prefixes.json",
	 "deny[5]: \"10.0.0.0/08\": prefix \"08\" is not a number"},
	{"except_outside.json",
	 "egress[2].to[0].ipBlock.except[1]: \"10.1.0.0/16\" is not inside "
	 "\"10.0.0.0/16\"\n"},
	{"except_other_family.json",
	 "egress[0].to[0].ipBlock.except[0]: \"fc00::/7\" is not inside "
	 "\"0.0.0.0/0\": an IPv6 CIDR in an IPv4 ipBlock"},
	{"bad_protocol.json",
	 "egress[0].ports[0].protocol: \"tcp\" is not TCP, UDP or SCTP "
	 "(case-sensitive)"},
	{"port_zero.json",
	 "egress[0].ports[0].port: 0 is out of range [1, 65535]"},
	{"port_too_big.json",
	 "egress[0].ports[1].port: 70000 is out of range [1, 65535]"},
	{"endport_less.json",
	 "egress[0].ports[0].endPort: 80 is less than port 443"},
	{"endport_without_port.json",
	 "egress[0].ports[0].endPort: requires \"port\""},
	{"named_port.json",
	 "egress[0].ports[0].port: \"http\": named ports are not supported"},
	{"port_float.json", "ingress[0].ports[0].port: must be an integer"},
	{"unknown_top_key.json", "egres: unknown key"},
	{"unknown_rule_key.json", "egress[0].too: unknown key"},
	{"unknown_peer_key.json", "egress[0].to[0].ipblock: unknown key"},
	{"unknown_peer_key.json", "egress[0].to[0].ipBlock: required, missing"},
	{"unknown_ipblock_key.json",
	 "egress[0].to[0].ipBlock.excpet: unknown key"},
	{"unknown_port_key.json", "ingress[0].ports[0].proto: unknown key"},
	{"ingress_rule_with_to.json", "ingress[0].to: unknown key"},
	{"pod_selector.json",
	 "egress[0].to[0].podSelector: not supported: hardshim matches "
	 "peers by address (ipBlock) only"},
	{"pod_selector.json",
	 "egress[0].to[1].namespaceSelector: not supported"},
	{"policy_types_duplicate.json",
	 "policyTypes[2]: \"Egress\" is listed twice"},
	{"policy_types_unknown.json",
	 "policyTypes[0]: \"egress\" is neither \"Ingress\" nor \"Egress\" "
	 "(case-sensitive)"},
	{"policy_types_missing.json", "policyTypes: required, missing"},
	{"policy_types_not_array.json", "policyTypes: must be an array"},
	{"policy_type_not_string.json", "policyTypes[0]: must be a string"},
	{"egress_not_array.json", "egress: must be an array"},
	{"to_not_array.json", "egress[0].to: must be an array"},
	{"to_empty.json",
	 "egress[0].to: an empty list (Kubernetes reads it as every peer)"},
	{"ports_empty.json",
	 "ingress[0].ports: an empty list (Kubernetes reads it as every "
	 "port)"},
	{"ipblock_missing_cidr.json",
	 "egress[0].to[0].ipBlock.cidr: required, missing"},
	{"ipblock_missing.json", "egress[0].to[0].ipBlock: required, missing"},
	{"ipblock_not_object.json",
	 "egress[0].to[0].ipBlock: must be an object"},
	{"cidr_not_string.json",
	 "egress[0].to[0].ipBlock.cidr: must be a string (a CIDR or "
	 "\"@NAME\")"},
	{"peer_not_object.json", "egress[0].to[0]: must be an object"},
	{"except_not_array.json",
	 "egress[0].to[0].ipBlock.except: must be an array"},
	{"deny_invalid.json",
	 "deny[1]: \"169.254.169.254/33\": prefix \"33\" is not a number"},
	{"deny_invalid.json",
	 "deny[2]: \"metadata.google.internal\": not an address"},
	{"deny_invalid.json", "deny[3]: \"10.0.0.0/8 \": prefix \"8 \""},
	{"deny_not_string.json",
	 "deny[0]: must be a string (a CIDR or \"@NAME\")"},
	{"name_without_config.json",
	 "egress[0].to[0].ipBlock.cidr: \"@pods\": a network name, and no "
	 "config was given to resolve it: names are a config's "
	 "\"networks\" (--config CONFIG)\n"},
	{"name_without_config.json",
	 "egress[0].to[0].ipBlock.except[0]: \"@otherClusters\": a network "
	 "name, and no config was given"},
	{"name_without_config.json",
	 "deny[0]: \"@metadata\": a network name, and no config"},
	{"name_invalid.json",
	 "deny[0]: \"@\" is not a network name (\"@\" and then "
	 "[A-Za-z][A-Za-z0-9_-], at most 64 characters)"},
	{"name_invalid.json", "deny[1]: \"@1pods\" is not a network name"},
	{"name_invalid.json", "deny[2]: \"@pods.a\" is not a network name"},
	{"name_invalid.json", "deny[3]: \"@@pods\" is not a network name"},
	{"name_invalid.json",
	 "egress[0].to[0].ipBlock.cidr: \"@ pods\" is not a network name"},
	{"deny_not_array.json", "deny: must be an array"},
	{"egress_not_listed.json",
	 "egress: rules are given but \"Egress\" is not in policyTypes"},
	{"ingress_not_listed.json",
	 "ingress: rules are given but \"Ingress\" is not in policyTypes"},
	{"rule_not_object.json", "egress[1]: must be an object"},
	{"log_refused_not_bool.json", "logRefused: must be true or false"},
	{"comment_not_string.json", "comment: must be a string"},
	{"rule_comment_not_string.json", "egress[0].comment: must be a string"},
	{"not_object.json", "a network policy must be a JSON object"},
	{"leading_zero.json",
	 "deny[0]: \"010.0.0.1/32\": leading zero in a decimal number"},
	{"leading_zero.json",
	 "deny[1]: \"::ffff:10.0.0.01\": leading zero in a decimal number"},
	{"opens_multicast.json",
	 "egress[0].to[1].ipBlock.cidr: \"0.0.0.0/0\" opens 240.0.0.0/4 "
	 "(reserved, with the broadcast 255.255.255.255): a datagram sent "
	 "there reaches every host of the segment, denied ones included; put "
	 "them in \"except\" (or \"deny\"), or allow one in an ipBlock of "
	 "its own whose cidr lies inside it\n"},
	{"opens_multicast.json",
	 "egress[0].to[2].ipBlock.cidr: \"::/0\" opens ff00::/8 (multicast): "},
	{"opens_multicast.json",
	 "egress[0].to[3].ipBlock.cidr: \"192.0.0.0/2\" opens 224.0.0.0/4 "
	 "(multicast), 240.0.0.0/4 (reserved, with the broadcast "
	 "255.255.255.255): "},
	{"any_peer_opens_multicast.json",
	 "egress[0]: a rule without \"to\" allows every destination, "
	 "224.0.0.0/4 (multicast), ff00::/8 (multicast) too: a datagram sent "
	 "there reaches every host of the segment, denied ones included; give "
	 "\"to\" ipBlocks that except them, or put them in \"deny\"\n"},
};

static void test_invalid_fixtures(void)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad_cases); i++) {
		_cleanup_capture_ struct capture c;
		_cleanup_netpol_ struct hs_netpol np = {0};
		char path[256], want[1024];

		capture_start(&c);
		snprintf(path, sizeof(path), DATA "invalid/%s",
			 bad_cases[i].file);
		snprintf(want, sizeof(want), "%s: %.700s", path,
			 bad_cases[i].expect);
		if (hs_netpol_load(path, NULL, &np, &c.err) == 0)
			printf("  (%s loaded)\n", path);
		CHECK(c.err.count >= 1);
		CHECK(np.json == NULL && np.egress.rules == NULL);
		CHECK_CONTAINS(captured(&c), want);
	}
}

/* Every fixture in invalid/ is exercised by some test. */
static void test_every_invalid_fixture_listed(void)
{
	static const char *const others[] = {
		"syntax.json", "duplicate_key.json", "multi_error.json"};
	DIR *dir = opendir(DATA "invalid");
	struct dirent *de;
	size_t seen = 0;

	CHECK(dir != NULL);
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		bool found = false;
		size_t i;

		if (name[0] == '.')
			continue;
		seen++;
		for (i = 0; i < HS_ARRAY_SIZE(bad_cases); i++)
			found |= strcmp(bad_cases[i].file, name) == 0;
		for (i = 0; i < HS_ARRAY_SIZE(others); i++)
			found |= strcmp(others[i], name) == 0;
		if (!found) {
			printf("  %s is not tested\n", name);
			closedir(dir);
		}
		CHECK(found);
	}
	closedir(dir);
	CHECK(seen > 40);
}

/* The example of the design: the error names the file, the full JSON
 * path and both CIDRs. */
static void test_error_form(void)
{
	static const char text[] =
		"{\"policyTypes\": [\"Egress\"], \"deny\": [\"224.0.0.0/3\", "
		"\"ff00::/8\"], \"egress\": [{}, {}, "
		"{\"to\": [{\"ipBlock\": {\"cidr\": \"10.0.0.0/16\", "
		"\"except\": [\"10.0.5.0/24\", \"10.1.0.0/16\"]}}]}]}";
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(parse_text(text, "tenant-isolated.json", &np, &err) == -1);
	CHECK(err.count == 1);
	CHECK_STR(err.msg, "tenant-isolated.json: "
			   "egress[2].to[0].ipBlock.except[1]: "
			   "\"10.1.0.0/16\" is not inside \"10.0.0.0/16\"");
}

/* Every error of a file is reported, not only the first. */
static void test_every_error_reported(void)
{
	static const char *const lines[] = {
		"extra: unknown key",
		"policyTypes[1]: \"ingress\" is neither",
		"deny[0]: \"169.254.169.254/24\": host bits set: did you mean "
		"169.254.169.0/24?",
		"egress[0].to[0].ipBlock.except[0]: \"10.1.0.0/16\" is not "
		"inside \"10.0.0.0/16\"",
		"egress[0].ports[0].protocol: \"ICMP\" is not TCP, UDP or SCTP",
		"egress[0].ports[1].port: 0 is out of range [1, 65535]",
		"logRefused: must be true or false",
	};
	_cleanup_capture_ struct capture c;
	_cleanup_netpol_ struct hs_netpol np = {0};
	size_t i;

	capture_start(&c);
	CHECK(hs_netpol_load(DATA "invalid/multi_error.json", NULL, &np,
			     &c.err) < 0);
	for (i = 0; i < HS_ARRAY_SIZE(lines); i++) {
		char want[512];

		snprintf(want, sizeof(want),
			 DATA "invalid/multi_error.json: %s", lines[i]);
		CHECK_CONTAINS(captured(&c), want);
	}
	CHECK(c.err.count == HS_ARRAY_SIZE(lines));
	/* The first error is kept in msg for callers without a sink. */
	CHECK_CONTAINS(c.err.msg, "extra: unknown key");
}

static void test_bad_prefixes_all_reported(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_netpol_ struct hs_netpol np = {0};

	capture_start(&c);
	CHECK(hs_netpol_load(DATA "invalid/bad_prefixes.json", NULL, &np,
			     &c.err) < 0);
	CHECK(c.err.count == 6);
}

/* A syntax error comes as file:line:col from jansson. */
static void test_syntax_error(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(hs_netpol_load(DATA "invalid/syntax.json", NULL, &np, &err) < 0);
	CHECK(err.count == 1);
	CHECK_CONTAINS(err.msg, DATA "invalid/syntax.json:4:58: ");
}

/* A duplicate key could make two readers disagree: refused. */
static void test_duplicate_key(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(hs_netpol_load(DATA "invalid/duplicate_key.json", NULL, &np,
			     &err) < 0);
	CHECK_CONTAINS(err.msg, DATA "invalid/duplicate_key.json:4:");
	CHECK_CONTAINS(err.msg, "duplicate object key");
}

static void test_missing_file(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(hs_netpol_load(DATA "no-such.json", NULL, &np, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, DATA "no-such.json: ");
	CHECK(np.json == NULL);
}

/* A failed parse leaves *np zeroed, so freeing it (twice) is harmless. */
static void test_failure_leaves_zeroed(void)
{
	struct hs_netpol np;
	struct hs_error err = {0};
	unsigned char zero[sizeof(np)];

	memset(&np, 0xa5, sizeof(np));
	memset(zero, 0, sizeof(zero));
	CHECK(parse_text(
		      "{\"policyTypes\": [\"Egress\"], \"egress\": "
		      "[{\"to\": [{\"ipBlock\": {\"cidr\": \"10.0.0.0/8\"}}]},"
		      " {\"ports\": [{\"port\": 0}]}]}",
		      "np.json", &np, &err) == -1);
	CHECK(memcmp(&np, zero, sizeof(np)) == 0);
	hs_netpol_free(&np);
	hs_netpol_free(&np);
}

/* ------------------------------------------------------------------ */
/* Limits: generated documents one past each limit fail with an error that
 * states it; exactly at the limit they pass. */

/* "a.b.c.d/32" for the i-th address after base. */
static json_t *host_cidr(uint32_t base, uint32_t i)
{
	char s[32];
	uint32_t a = base + i;

	snprintf(s, sizeof(s), "%u.%u.%u.%u/32", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
	return json_string(s);
}

static json_t *ip_block(const char *cidr, json_t *except)
{
	json_t *ib = json_pack("{s:s}", "cidr", cidr);

	if (except)
		json_object_set_new(ib, "except", except);
	return json_pack("{s:o}", "ipBlock", ib);
}

/* {"policyTypes": ["Egress"], "egress": [rule]} with `rule` stolen. */
static json_t *egress_doc(json_t *rule)
{
	return json_pack("{s:[s],s:[o]}", "policyTypes", "Egress", "egress",
			 rule);
}

static int parse_gen(json_t *doc, struct capture *c)
{
	_cleanup_netpol_ struct hs_netpol np = {0};

	return parse_json(doc, &np, c);
}

/* Multicast and 240.0.0.0/4 in deny, so that egress rules without "to"
 * are valid. */
#define DENY_ONE_TO_MANY "224.0.0.0/4", "240.0.0.0/4", "ff00::/8"

static void test_limit_rules(void)
{
	_cleanup_json_ json_t *doc =
		json_pack("{s:[s],s:[sss],s:[]}", "policyTypes", "Egress",
			  "deny", DENY_ONE_TO_MANY, "egress");
	_cleanup_capture_ struct capture c;
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_RULES; i++)
		json_array_append_new(
			json_object_get(doc, "egress"),
			json_pack("{s:[{s:i}]}", "ports", "port", (int)i + 1));
	CHECK(parse_gen(doc, &c) == 0);
	json_array_append_new(json_object_get(doc, "egress"), json_object());
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: egress: 257 entries, more than the limit of "
		       "256 rules\n");
}

static void test_limit_peers(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *to = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_PEERS; i++) {
		_cleanup_json_ json_t *cidr =
			host_cidr(0x0a000000u, 2 * (uint32_t)i);

		json_array_append_new(to,
				      ip_block(json_string_value(cidr), NULL));
	}
	doc = egress_doc(json_pack("{s:o}", "to", to));
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(parse_json(doc, &np, &c) == 0);
		/* Scattered /32s: none merged. */
		CHECK(np.egress.rules[0].peers[HS_FAMILY_V4].n ==
		      HS_NETPOL_MAX_PEERS);
	}
	json_array_append_new(to, ip_block("192.0.2.1/32", NULL));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: egress[0].to: 1025 entries, more than the "
		       "limit of 1024 peers in one rule\n");
}

static void test_limit_except(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *except = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_EXCEPT; i++)
		json_array_append_new(except,
				      host_cidr(0x0a000000u, 2 * (uint32_t)i));
	doc = egress_doc(
		json_pack("{s:[o]}", "to", ip_block("10.0.0.0/8", except)));
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(parse_json(doc, &np, &c) == 0);
		/* 10.0.0.0/8 minus 10.0.0.0, 10.0.0.2, ...: a range after
		 * each, none before the first. */
		CHECK(np.egress.rules[0].peers[HS_FAMILY_V4].n ==
		      HS_NETPOL_MAX_EXCEPT);
		CHECK(!has(&np.egress.rules[0].peers[HS_FAMILY_V4],
			   "10.0.0.0"));
		CHECK(has(&np.egress.rules[0].peers[HS_FAMILY_V4], "10.0.0.1"));
	}
	json_array_append_new(except, json_string("10.255.0.0/16"));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: egress[0].to[0].ipBlock.except: 1025 "
		       "entries, more than the limit of 1024 CIDRs in one "
		       "except list\n");
}

static void test_limit_ports(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *ports = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_PORTS; i++)
		json_array_append_new(ports,
				      json_pack("{s:s,s:i}", "protocol", "UDP",
						"port", 1000 + 2 * (int)i));
	doc = json_pack("{s:[s],s:[{s:o}]}", "policyTypes", "Ingress",
			"ingress", "ports", ports);
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(parse_json(doc, &np, &c) == 0);
		CHECK(np.ingress.rules[0].n_ports == HS_NETPOL_MAX_PORTS);
		CHECK(np.ingress.rules[0].any_peer);
	}
	json_array_append_new(ports, json_pack("{s:i}", "port", 22));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: ingress[0].ports: 65 entries, more than the "
		       "limit of 64 ports in one rule\n");
}

static void test_limit_cidrs_in_deny(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *deny = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_CIDRS; i++)
		json_array_append_new(deny,
				      host_cidr(0x0a000000u, 2 * (uint32_t)i));
	doc = json_pack("{s:[],s:o}", "policyTypes", "deny", deny);
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(parse_json(doc, &np, &c) == 0);
		CHECK(np.deny[HS_FAMILY_V4].n == HS_NETPOL_MAX_CIDRS);
		CHECK(!np.egress.listed && !np.ingress.listed);
	}
	json_array_append_new(deny, json_string("fd00::/8"));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: deny: 16385 entries, more than the limit of "
		       "16384 CIDRs in one policy\n");
}

/* The CIDR limit is for the whole policy: deny, cidr and except entries
 * together, reported once where the count goes over. */
static void test_limit_cidrs_in_policy(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *deny = json_array(), *except = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_NETPOL_MAX_CIDRS - 1 - 1000; i++)
		json_array_append_new(deny,
				      host_cidr(0xc0000000u, (uint32_t)i));
	for (i = 0; i < 1000; i++)
		json_array_append_new(except,
				      host_cidr(0x0a000000u, (uint32_t)i));
	/* Exactly the limit: deny, one cidr, 1000 excepts. */
	doc = json_pack("{s:[s],s:o,s:[{s:[o]}]}", "policyTypes", "Egress",
			"deny", deny, "egress", "to",
			ip_block("10.0.0.0/8", except));
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(parse_json(doc, &np, &c) == 0);
	}
	json_array_append_new(
		json_object_get(doc, "egress"),
		json_pack("{s:[o]}", "to", ip_block("10.0.0.0/24", NULL)));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: egress[1].to[0].ipBlock.cidr: more than the "
		       "limit of 16384 CIDRs in one policy (cidr, except and "
		       "deny entries together)\n");
}

static void test_limit_policy_types(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = json_pack("{s:[]}", "policyTypes");
	size_t i;

	capture_start(&c);
	for (i = 0; i <= HS_POLICY_MAX_LIST; i++)
		json_array_append_new(json_object_get(doc, "policyTypes"),
				      json_string("Egress"));
	CHECK(parse_gen(doc, &c) < 0);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: policyTypes: 257 entries, more than the "
		       "limit of 256");
}

/* ------------------------------------------------------------------ */
/* Network names: "@NAME" wherever a CIDR goes, resolved against a table
 * (the config's "networks"). Mostly refused. */

/* A table as the config hands it over: up to 8 CIDRs a name. */
struct table {
	struct hs_netname v[HS_CONFIG_MAX_NETWORKS + 1];
	struct hs_cidr c[HS_CONFIG_MAX_NETWORKS + 1][8];
	char names[HS_CONFIG_MAX_NETWORKS + 1][16];
	struct hs_netnames t;
};

/* Adds `name` standing for the CIDRs that follow it (NULL-terminated). */
static void table_add(struct table *tb, const char *name, ...)
{
	size_t i = tb->t.n;
	const char *cidr;
	char why[128];
	va_list ap;

	snprintf(tb->names[i], sizeof(tb->names[i]), "%s", name);
	tb->v[i] = (struct hs_netname){.name = tb->names[i], .cidrs = tb->c[i]};
	va_start(ap, name);
	while ((cidr = va_arg(ap, const char *))) {
		if (hs_cidr_parse(cidr, &tb->c[i][tb->v[i].n++], why,
				  sizeof(why)) < 0) {
			printf("  bad test CIDR %s\n", cidr);
			abort();
		}
	}
	va_end(ap);
	tb->t.v = tb->v;
	tb->t.n++;
}

/* Parses `text` as "np.json" with the table. */
static int parse_named(const char *text, const struct table *tb,
		       struct hs_netpol *np, struct capture *c)
{
	_cleanup_json_ json_t *j =
		hs_json_load_buffer(text, strlen(text), "np.json", &c->err);

	memset(np, 0, sizeof(*np));
	if (!j)
		return -2;
	return hs_netpol_parse(j, "np.json", tb ? &tb->t : NULL, np, &c->err);
}

/* A name the table lacks: an error at its JSON path, listing the names
 * there are, once per use. */
static void test_name_unknown(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	struct table tb = {0};

	table_add(&tb, "pods", "10.244.0.0/16", NULL);
	table_add(&tb, "dns", "10.96.0.10/32", NULL);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [\"Egress\"], \"deny\": "
			  "[\"@metadata\"], \"egress\": [{\"to\": "
			  "[{\"ipBlock\": {\"cidr\": \"@podz\"}}, "
			  "{\"ipBlock\": {\"cidr\": \"@pods\", \"except\": "
			  "[\"@Pods\"]}}]}]}",
			  &tb, &np, &c) == -1);
	CHECK(c.err.count == 3);
	CHECK(np.json == NULL && np.names == NULL);
	CHECK_CONTAINS(
		captured(&c),
		"np.json: deny[0]: \"@metadata\": the config's "
		"\"networks\" has no \"metadata\" (it has: pods, dns)\n");
	CHECK_CONTAINS(captured(&c),
		       "np.json: egress[0].to[0].ipBlock.cidr: \"@podz\": the "
		       "config's \"networks\" has no \"podz\" (it has: pods, "
		       "dns)\n");
	/* Case-sensitive, as JSON keys are. */
	CHECK_CONTAINS(captured(&c), "np.json: egress[0].to[1].ipBlock."
				     "except[0]: \"@Pods\": the config's "
				     "\"networks\" has no \"Pods\"");
}

/* A config without "networks" is an empty table, not a missing one. */
static void test_name_empty_table(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	struct table tb = {0};

	tb.t.v = tb.v;
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [], \"deny\": [\"@nodes\"]}", &tb,
			  &np, &c) == -1);
	CHECK(c.err.count == 1);
	CHECK_STR(c.err.msg, "np.json: deny[0]: \"@nodes\": the config's "
			     "\"networks\" has no \"nodes\" (it has: none)");
}

/* An except that is a name must lie inside the cidr, every CIDR of it;
 * the error says what both names stood for. */
static void test_name_except_outside(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	struct table tb = {0};

	table_add(&tb, "pods", "10.244.0.0/16", NULL);
	table_add(&tb, "other", "10.20.0.0/16", NULL);
	table_add(&tb, "mixed", "10.244.1.0/24", "10.30.0.0/16", NULL);
	table_add(&tb, "v6", "fd00::/8", NULL);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [\"Ingress\"], \"ingress\": "
			  "[{\"from\": [{\"ipBlock\": {\"cidr\": \"@pods\", "
			  "\"except\": [\"@other\", \"@mixed\", \"@v6\", "
			  "\"10.0.0.0/8\"]}}, {\"ipBlock\": {\"cidr\": "
			  "\"10.0.0.0/8\", \"except\": [\"@v6\"]}}]}]}",
			  &tb, &np, &c) == -1);
	CHECK(c.err.count == 5);
	CHECK_CONTAINS(captured(&c),
		       "np.json: ingress[0].from[0].ipBlock.except[0]: "
		       "\"@other\" (10.20.0.0/16) is not inside \"@pods\" "
		       "(10.244.0.0/16)\n");
	/* Its first CIDR lies inside, its second does not. */
	CHECK_CONTAINS(captured(&c),
		       "np.json: ingress[0].from[0].ipBlock.except[1]: "
		       "\"@mixed\" (10.30.0.0/16) is not inside \"@pods\" "
		       "(10.244.0.0/16)\n");
	CHECK_CONTAINS(captured(&c),
		       "np.json: ingress[0].from[0].ipBlock.except[2]: \"@v6\" "
		       "(fd00::/8) is not inside \"@pods\" (10.244.0.0/16): an "
		       "IPv6 CIDR in an IPv4 ipBlock\n");
	CHECK_CONTAINS(captured(&c),
		       "np.json: ingress[0].from[0].ipBlock.except[3]: "
		       "\"10.0.0.0/8\" is not inside \"@pods\" "
		       "(10.244.0.0/16)\n");
	CHECK_CONTAINS(captured(&c),
		       "np.json: ingress[0].from[1].ipBlock.except[0]: \"@v6\" "
		       "(fd00::/8) is not inside \"10.0.0.0/8\": an IPv6 CIDR "
		       "in an IPv4 ipBlock\n");
}

/* A name is checked like the CIDRs it stands for: one covering multicast
 * or the broadcast opens them, per family; one inside a group names it. */
static void test_name_one_to_many(void)
{
	_cleanup_netpol_ struct hs_netpol bad = {0}, good = {0};
	_cleanup_capture_ struct capture c;
	struct table tb = {0};

	table_add(&tb, "all", "0.0.0.0/0", "::/0", NULL);
	table_add(&tb, "mdns", "224.0.0.251/32", "ff02::fb/128", NULL);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [\"Egress\"], \"egress\": "
			  "[{\"to\": [{\"ipBlock\": {\"cidr\": \"@all\"}}]}]}",
			  &tb, &bad, &c) == -1);
	CHECK(c.err.count == 2);
	CHECK_CONTAINS(captured(&c),
		       "np.json: egress[0].to[0].ipBlock.cidr: \"@all\" "
		       "(0.0.0.0/0) opens 224.0.0.0/4 (multicast), "
		       "240.0.0.0/4 (reserved, with the broadcast "
		       "255.255.255.255): ");
	CHECK_CONTAINS(captured(&c), "np.json: egress[0].to[0].ipBlock.cidr: "
				     "\"@all\" (::/0) opens ff00::/8 "
				     "(multicast): ");
	capture_end(&c);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [\"Egress\"], \"deny\": "
			  "[\"@mdns\"], \"egress\": [{\"to\": [{\"ipBlock\": "
			  "{\"cidr\": \"@mdns\"}}], \"ports\": [{\"protocol\":"
			  " \"UDP\", \"port\": 5353}]}]}",
			  &tb, &good, &c) == 0);
	CHECK(has(&good.egress.rules[0].peers[HS_FAMILY_V4], "224.0.0.251"));
	CHECK(has(&good.egress.rules[0].peers[HS_FAMILY_V6], "ff02::fb"));
	CHECK(has(&good.deny[HS_FAMILY_V6], "ff02::fb"));
}

/* A name counts as the CIDRs it stands for against the policy's limit:
 * exactly at it passes, one past fails where the count goes over. */
static void test_name_limit(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *doc = NULL;
	json_t *deny = json_array();
	struct table tb = {0};
	size_t i;

	table_add(&tb, "eight", "192.0.2.0/32", "192.0.2.2/32", "192.0.2.4/32",
		  "192.0.2.6/32", "192.0.2.8/32", "192.0.2.10/32",
		  "192.0.2.12/32", "192.0.2.14/32", NULL);
	for (i = 0; i < HS_NETPOL_MAX_CIDRS - 8; i++)
		json_array_append_new(deny,
				      host_cidr(0x0a000000u, 2 * (uint32_t)i));
	json_array_append_new(deny, json_string("@eight"));
	doc = json_pack("{s:[],s:o}", "policyTypes", "deny", deny);
	capture_start(&c);
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(hs_netpol_parse(doc, "gen.json", &tb.t, &np, &c.err) ==
		      0);
		CHECK(np.deny[HS_FAMILY_V4].n == HS_NETPOL_MAX_CIDRS);
	}
	json_array_insert_new(deny, 0, json_string("@eight"));
	{
		_cleanup_netpol_ struct hs_netpol np = {0};

		CHECK(hs_netpol_parse(doc, "gen.json", &tb.t, &np, &c.err) < 0);
	}
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: deny[16377]: more than the limit of 16384 "
		       "CIDRs in one policy (cidr, except and deny entries "
		       "together)\n");
}

/* The table is bounded too: a policy records its names in 64 bits. */
static void test_name_table_too_big(void)
{
	static struct table tb;
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	size_t i;

	for (i = 0; i <= HS_CONFIG_MAX_NETWORKS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%zu", i);
		table_add(&tb, name, "10.0.0.0/8", NULL);
	}
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": []}", &tb, &np, &c) == -1);
	CHECK(c.err.errnum == E2BIG);
	CHECK_STR(c.err.msg, "np.json: 65 network names, more than the limit "
			     "of 64");
}

/* Names in cidr, except and deny, dual-stack, overlapping one another:
 * compiled as their CIDRs would be, and recorded for review. */
static void test_names_compiled(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	const struct hs_np_rule *r;
	struct table tb = {0};

	table_add(&tb, "pods", "10.244.0.0/16", "fd00:10:244::/56", NULL);
	table_add(&tb, "services", "10.96.0.0/12", NULL);
	table_add(&tb, "dns", "10.96.0.10/32", NULL);
	table_add(&tb, "holes", "10.244.5.0/24", "fd00:10:244:1::/64", NULL);
	table_add(&tb, "other", "10.20.0.0/16", "fd00:20::/48", NULL);
	table_add(&tb, "unused", "192.0.2.0/24", NULL);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [\"Ingress\", \"Egress\"], "
			  "\"deny\": [\"@other\", \"198.51.100.1/32\"], "
			  "\"egress\": [{\"to\": [{\"ipBlock\": {\"cidr\": "
			  "\"@pods\", \"except\": [\"@holes\"]}}, "
			  "{\"ipBlock\": {\"cidr\": \"@services\"}}, "
			  "{\"ipBlock\": {\"cidr\": \"@dns\"}}]}], "
			  "\"ingress\": [{\"from\": [{\"ipBlock\": {\"cidr\": "
			  "\"10.0.0.0/8\", \"except\": [\"@other\"]}}]}]}",
			  &tb, &np, &c) == 0);
	CHECK(c.err.count == 0);
	CHECK(has(&np.deny[HS_FAMILY_V4], "10.20.1.1"));
	CHECK(has(&np.deny[HS_FAMILY_V4], "198.51.100.1"));
	CHECK(has(&np.deny[HS_FAMILY_V6], "fd00:20::1"));
	CHECK(np.deny_names == (1u << 4));
	r = &np.egress.rules[0];
	/* @dns lies inside @services: one range. */
	CHECK(r->peers[HS_FAMILY_V4].n == 3);
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 0, "10.96.0.0",
		       "10.111.255.255"));
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 1, "10.244.0.0",
		       "10.244.4.255"));
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 2, "10.244.6.0",
		       "10.244.255.255"));
	CHECK(r->peers[HS_FAMILY_V6].n == 2);
	CHECK(has(&r->peers[HS_FAMILY_V6], "fd00:10:244::1"));
	CHECK(!has(&r->peers[HS_FAMILY_V6], "fd00:10:244:1::1"));
	CHECK(r->peer_names == ((1u << 0) | (1u << 1) | (1u << 2)));
	CHECK(r->except_names == (1u << 3));
	r = &np.ingress.rules[0];
	CHECK(r->peers[HS_FAMILY_V4].n == 2 && r->peers[HS_FAMILY_V6].n == 0);
	CHECK(!has(&r->peers[HS_FAMILY_V4], "10.20.0.1"));
	CHECK(r->peer_names == 0 && r->except_names == (1u << 4));
	/* Every name of the table is recorded, with the CIDRs of the used
	 * ones. */
	CHECK(np.n_names == 6);
	CHECK_STR(np.names[0].name, "pods");
	CHECK(np.names[0].used && np.names[0].n == 2);
	CHECK(np.names[0].cidrs[1].family == HS_FAMILY_V6);
	CHECK_STR(np.names[5].name, "unused");
	CHECK(!np.names[5].used && np.names[5].n == 0);
}

/* The policy keeps what its names stood for: the table may go first. */
static void test_names_copied(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	_cleanup_capture_ struct capture c;
	struct table tb = {0};
	char text[64];

	table_add(&tb, "pods", "10.244.0.0/16", NULL);
	capture_start(&c);
	CHECK(parse_named("{\"policyTypes\": [], \"deny\": [\"@pods\"]}", &tb,
			  &np, &c) == 0);
	memset(&tb, 0xa5, sizeof(tb));
	CHECK_STR(np.names[0].name, "pods");
	hs_cidr_format(&np.names[0].cidrs[0], text, sizeof(text));
	CHECK_STR(text, "10.244.0.0/16");
}

/* The digest covers what the names stand for: a range the config changes
 * changes it, a name the policy does not use does not, nor the order of
 * the names; a policy without names keeps its plain JSON digest. */
static void test_digest_names(void)
{
	static const char text[] =
		"{\"policyTypes\": [\"Egress\"], \"egress\": [{\"to\": "
		"[{\"ipBlock\": {\"cidr\": \"@pods\"}}, {\"ipBlock\": "
		"{\"cidr\": \"@dns\"}}]}]}";
	static const char plain[] = "{\"policyTypes\": [\"Egress\"], "
				    "\"egress\": []}";
	_cleanup_netpol_ struct hs_netpol a = {0}, b = {0}, d = {0}, e = {0},
					  f = {0}, g = {0};
	_cleanup_capture_ struct capture c;
	struct table ta = {0}, tb = {0}, td = {0}, te = {0};
	char want[HS_DIGEST_HEX_LEN + 1];
	struct hs_sha256 h;
	static const char canon[] =
		"{\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"@pods\"}},"
		"{\"ipBlock\":{\"cidr\":\"@dns\"}}]}],\"policyTypes\":"
		"[\"Egress\"]}\n@dns=10.96.0.10/32\n@pods=10.244.0.0/16,"
		"fd00::/56";

	table_add(&ta, "pods", "10.244.0.0/16", "fd00::/56", NULL);
	table_add(&ta, "dns", "10.96.0.10/32", NULL);
	/* One range changed. */
	table_add(&tb, "pods", "10.245.0.0/16", "fd00::/56", NULL);
	table_add(&tb, "dns", "10.96.0.10/32", NULL);
	/* Another order, a name more that the policy does not use. */
	table_add(&td, "other", "10.20.0.0/16", NULL);
	table_add(&td, "dns", "10.96.0.10/32", NULL);
	table_add(&td, "pods", "10.244.0.0/16", "fd00::/56", NULL);
	/* The same CIDRs spelt otherwise. */
	table_add(&te, "pods", "10.244.0.0/16", "fd00:0::/56", NULL);
	table_add(&te, "dns", "10.96.0.10", NULL);
	capture_start(&c);
	CHECK(parse_named(text, &ta, &a, &c) == 0);
	CHECK(parse_named(text, &tb, &b, &c) == 0);
	CHECK(parse_named(text, &td, &d, &c) == 0);
	CHECK(parse_named(text, &te, &e, &c) == 0);
	CHECK(strcmp(a.digest, b.digest) != 0);
	CHECK_STR(a.digest, d.digest);
	CHECK_STR(a.digest, e.digest);
	hs_sha256_init(&h);
	hs_sha256_update(&h, canon, strlen(canon));
	hs_sha256_hex(&h, want);
	CHECK_STR(a.digest, want);
	/* No names used: the JSON's digest, with or without a table. */
	CHECK(parse_named(plain, &ta, &f, &c) == 0);
	CHECK(parse_named(plain, NULL, &g, &c) == 0);
	CHECK_STR(f.digest, g.digest);
	hs_sha256_init(&h);
	hs_sha256_update(
		&h, "{\"egress\":[],\"policyTypes\":[\"Egress\"]}",
		strlen("{\"egress\":[],\"policyTypes\":[\"Egress\"]}"));
	hs_sha256_hex(&h, want);
	CHECK_STR(f.digest, want);
}

/* ------------------------------------------------------------------ */
/* Valid policies and what they compile to. */

static void test_shipped_policy(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	const struct hs_range_set *in4, *in6;
	const struct hs_np_rule *r;
	struct hs_error err = {0};
	size_t i;

	CHECK(hs_netpol_load(SHIPPED, &shipped.networks, &np, &err) == 0);
	CHECK(err.count == 0 && err.warnings == 0);
	CHECK_STR(np.file, SHIPPED);
	CHECK(np.json != NULL);
	CHECK(strlen(np.digest) == HS_DIGEST_HEX_LEN);
	CHECK(np.egress.listed && np.ingress.listed);
	CHECK(!np.log_refused);

	/* Every range of the cluster is a name of the shipped config, which
	 * holds kind's defaults. */
	CHECK(np.n_names == 6);
	for (i = 0; i < np.n_names; i++)
		CHECK(np.names[i].used);
	CHECK(np.deny_names == ((1u << 4) | (1u << 5)));
	/* deny: @otherClusters (10.20.0.0/16) and @metadata, both
	 * families. */
	CHECK(np.deny[HS_FAMILY_V4].n == 3);
	CHECK(range_is(&np.deny[HS_FAMILY_V4], 0, "10.20.0.0",
		       "10.20.255.255"));
	CHECK(range_is(&np.deny[HS_FAMILY_V4], 1, "168.63.129.16",
		       "168.63.129.16"));
	CHECK(range_is(&np.deny[HS_FAMILY_V4], 2, "169.254.169.254",
		       "169.254.169.254"));
	CHECK(has(&np.deny[HS_FAMILY_V4], "169.254.169.254"));
	CHECK(!has(&np.deny[HS_FAMILY_V4], "169.254.169.253"));
	CHECK(has(&np.deny[HS_FAMILY_V4], "10.20.0.1"));
	CHECK(!has(&np.deny[HS_FAMILY_V4], "10.244.0.1"));
	CHECK(np.deny[HS_FAMILY_V6].n == 1);
	CHECK(has(&np.deny[HS_FAMILY_V6], "fd00:ec2::254"));

	CHECK(np.egress.n_rules == 4);
	/* (1) the own cluster, @pods and @services, every port. */
	r = &np.egress.rules[0];
	CHECK(!r->any_peer && r->n_ports == 0);
	CHECK(r->peer_names == ((1u << 0) | (1u << 1)) && !r->except_names);
	CHECK(r->peers[HS_FAMILY_V4].n == 2 && r->peers[HS_FAMILY_V6].n == 0);
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 0, "10.96.0.0",
		       "10.111.255.255"));
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 1, "10.244.0.0",
		       "10.244.255.255"));
	/* (2) DNS, kind's 10.96.0.10: TCP before UDP (sorted by protocol
	 * number). */
	r = &np.egress.rules[1];
	CHECK(r->peer_names == (1u << 2));
	CHECK(r->peers[HS_FAMILY_V4].n == 1 &&
	      range_is(&r->peers[HS_FAMILY_V4], 0, "10.96.0.10", "10.96.0.10"));
	CHECK(r->n_ports == 2);
	CHECK(port_is(r, 0, HS_PROTO_TCP, 53, 53));
	CHECK(port_is(r, 1, HS_PROTO_UDP, 53, 53));
	/* (3) the IPv4 internet: 0/0 minus twelve blocks, two of them
	 * adjacent (224/4, 240/4) and one at each end (0/8, 240/4). */
	r = &np.egress.rules[2];
	in4 = &r->peers[HS_FAMILY_V4];
	CHECK(!r->any_peer && r->n_ports == 0);
	CHECK(r->peers[HS_FAMILY_V6].n == 0);
	CHECK(in4->n == 10);
	CHECK(range_is(in4, 0, "1.0.0.0", "9.255.255.255"));
	CHECK(range_is(in4, 9, "198.20.0.0", "223.255.255.255"));
	CHECK(has(in4, "198.51.100.7")); /* documentation range: internet */
	CHECK(has(in4, "192.0.2.1") && has(in4, "203.0.113.1"));
	CHECK(has(in4, "8.8.8.8") && has(in4, "1.1.1.1"));
	CHECK(has(in4, "9.255.255.255") && has(in4, "11.0.0.0"));
	CHECK(has(in4, "172.32.0.1") && has(in4, "100.128.0.1"));
	CHECK(has(in4, "192.169.0.1") && has(in4, "169.255.0.1"));
	CHECK(has(in4, "192.0.1.0") && has(in4, "198.17.255.255"));
	{
		static const char *const special4[] = {
			"10.20.0.1",	   "10.30.0.1",	     "10.10.0.1",
			"10.0.0.1",	   "10.255.255.255", "172.16.5.5",
			"172.31.255.255",  "192.168.1.1",    "169.254.169.254",
			"169.254.0.0",	   "100.64.0.1",     "100.127.255.255",
			"127.0.0.1",	   "0.0.0.0",	     "0.255.255.255",
			"192.0.0.170",	   "192.88.99.1",    "198.18.0.1",
			"198.19.255.255",  "224.0.0.1",	     "224.0.0.251",
			"239.255.255.250", "240.0.0.1",	     "255.255.255.255",
		};

		for (i = 0; i < HS_ARRAY_SIZE(special4); i++)
			if (has(in4, special4[i]))
				printf("  %s is allowed\n", special4[i]);
		for (i = 0; i < HS_ARRAY_SIZE(special4); i++)
			CHECK(!has(in4, special4[i]));
	}
	/* The wireserver is public address space: the internet rule covers
	 * it and only deny, checked first, stops it. */
	CHECK(has(in4, "168.63.129.16"));
	/* (4) the IPv6 internet: 2000::/3 minus 2001::/23 and 2002::/16, and
	 * NAT64 minus the IPv4 rule's exceptions. */
	r = &np.egress.rules[3];
	in6 = &r->peers[HS_FAMILY_V6];
	CHECK(!r->any_peer && r->n_ports == 0);
	CHECK(r->peers[HS_FAMILY_V4].n == 0);
	CHECK(has(in6, "2001:db8::1") && has(in6, "2606:4700::1111"));
	CHECK(has(in6, "2000::1") && has(in6, "3fff::1"));
	CHECK(has(in6, "2001:200::1") && has(in6, "2003::1"));
	{
		static const char *const special6[] = {
			"::",
			"::1",
			"::a14:2",
			"::ffff:10.20.0.1",
			"::ffff:8.8.8.8",
			"100::1",
			"2001::1", /* Teredo */
			"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
			"2002:a14:2::1", /* 6to4 of 10.20.0.2 */
			"4000::1",
			"5f00::1",
			"fc00::",
			"fd00::1",
			"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"fe80::1",
			"febf::1",
			"fec0::1",
			"ff02::1",
			"ff05::1:3",
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"64:ff9b:1::a14:2", /* local-use NAT64 */
		};

		for (i = 0; i < HS_ARRAY_SIZE(special6); i++)
			if (has(in6, special6[i]))
				printf("  %s is allowed\n", special6[i]);
		for (i = 0; i < HS_ARRAY_SIZE(special6); i++)
			CHECK(!has(in6, special6[i]));
	}
	/* NAT64: private and metadata embeddings excluded, public ones not. */
	CHECK(!has(in6, "64:ff9b::a9fe:a9fe")); /* 169.254.169.254 */
	CHECK(!has(in6, "64:ff9b::a14:1")); /* 10.20.0.1 */
	CHECK(!has(in6, "64:ff9b::ac1f:ffff")); /* 172.31.255.255 */
	CHECK(!has(in6, "64:ff9b::c0a8:101")); /* 192.168.1.1 */
	CHECK(!has(in6, "64:ff9b::647f:ffff")); /* 100.127.255.255 */
	CHECK(!has(in6, "64:ff9b::7f00:1")); /* 127.0.0.1 */
	CHECK(!has(in6, "64:ff9b::e000:1")); /* 224.0.0.1 */
	CHECK(!has(in6, "64:ff9b::ffff:ffff")); /* 255.255.255.255 */
	CHECK(!has(in6, "64:ff9b::1")); /* 0.0.0.1 */
	CHECK(!has(in6, "64:ff9b::c612:1")); /* 198.18.0.1 */
	CHECK(has(in6, "64:ff9b::808:808")); /* 8.8.8.8 */
	CHECK(has(in6, "64:ff9b::c633:6407")); /* 198.51.100.7 */

	/* ingress: @pods and @nodes (kind's docker network), two ranges, no
	 * IPv6; not the services, which are never a source. */
	CHECK(np.ingress.n_rules == 1);
	r = &np.ingress.rules[0];
	CHECK(!r->any_peer && r->n_ports == 0);
	CHECK(r->peer_names == ((1u << 0) | (1u << 3)));
	CHECK(r->peers[HS_FAMILY_V4].n == 2 && r->peers[HS_FAMILY_V6].n == 0);
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 0, "10.244.0.0",
		       "10.244.255.255"));
	CHECK(range_is(&r->peers[HS_FAMILY_V4], 1, "172.18.0.0",
		       "172.18.255.255"));
	CHECK(has(&r->peers[HS_FAMILY_V4], "172.18.0.2"));
	CHECK(!has(&r->peers[HS_FAMILY_V4], "10.96.0.1"));
	CHECK(!has(&r->peers[HS_FAMILY_V4], "10.20.0.1"));
}

/* Whether any address of `cidr` is in `s`. */
static bool overlaps(const struct hs_range_set *s, const char *cidr)
{
	struct hs_cidr c;
	struct hs_range r;
	char why[128];
	size_t i;

	if (hs_cidr_parse(cidr, &c, why, sizeof(why)) < 0) {
		printf("  bad test CIDR %s\n", cidr);
		abort();
	}
	if (c.family != s->family)
		return false;
	hs_cidr_to_range(&c, &r);
	for (i = 0; i < s->n; i++)
		if (memcmp(&s->r[i].lo, &r.hi, sizeof(r.hi)) <= 0 &&
		    memcmp(&r.lo, &s->r[i].hi, sizeof(r.lo)) <= 0)
			return true;
	return false;
}

/* The shipped policy's compiled egress allow sets, every rule and both
 * families: no multicast, nothing of 240.0.0.0/4 (the limited broadcast),
 * and no rule without peers (which would match them all). */
static void test_shipped_egress_not_one_to_many(void)
{
	static const char *const one_to_many[] = {
		"224.0.0.0/4",	"240.0.0.0/4", "255.255.255.255/32",
		"224.0.0.1/32", "ff00::/8",    "ff02::1/128",
	};
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};
	size_t k, f, i;

	CHECK(hs_netpol_load(SHIPPED, &shipped.networks, &np, &err) == 0);
	CHECK(np.egress.n_rules > 0);
	for (k = 0; k < np.egress.n_rules; k++) {
		CHECK(!np.egress.rules[k].any_peer);
		for (f = 0; f < HS_FAMILY_COUNT; f++)
			for (i = 0; i < HS_ARRAY_SIZE(one_to_many); i++) {
				if (overlaps(&np.egress.rules[k].peers[f],
					     one_to_many[i]))
					printf("  egress[%zu] allows %s\n", k,
					       one_to_many[i]);
				CHECK(!overlaps(&np.egress.rules[k].peers[f],
						one_to_many[i]));
			}
	}
}

/* A cidr inside a one-to-many range names it: allowed, and compiled. */
static void test_one_to_many_named(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};
	const struct hs_np_rule *r;

	CHECK(parse_text(
		      "{\"policyTypes\": [\"Egress\"], \"egress\": [{\"to\": ["
		      "{\"ipBlock\": {\"cidr\": \"224.0.0.251/32\"}}, "
		      "{\"ipBlock\": {\"cidr\": \"ff02::fb/128\"}}, "
		      "{\"ipBlock\": {\"cidr\": \"255.255.255.255/32\"}}, "
		      "{\"ipBlock\": {\"cidr\": \"239.0.0.0/8\", \"except\": "
		      "[\"239.255.0.0/16\"]}}], "
		      "\"ports\": [{\"protocol\": \"UDP\", \"port\": 5353}]}]}",
		      "np.json", &np, &err) == 0);
	CHECK(err.count == 0);
	r = &np.egress.rules[0];
	CHECK(has(&r->peers[HS_FAMILY_V4], "224.0.0.251"));
	CHECK(has(&r->peers[HS_FAMILY_V4], "255.255.255.255"));
	CHECK(has(&r->peers[HS_FAMILY_V4], "239.1.2.3"));
	CHECK(!has(&r->peers[HS_FAMILY_V4], "239.255.255.250"));
	CHECK(has(&r->peers[HS_FAMILY_V6], "ff02::fb"));
	CHECK(!has(&r->peers[HS_FAMILY_V6], "ff02::1"));
}

/* A cidr that covers a one-to-many range without lying inside it is
 * refused, even when the rest of it is also one-to-many. */
static void test_one_to_many_partly_named(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"egress\": "
			 "[{\"to\": [{\"ipBlock\": {\"cidr\": "
			 "\"224.0.0.0/3\"}}]}]}",
			 "np.json", &np, &err) == -1);
	CHECK(err.count == 1);
	CHECK_CONTAINS(err.msg, "np.json: egress[0].to[0].ipBlock.cidr: "
				"\"224.0.0.0/3\" opens 224.0.0.0/4 "
				"(multicast), 240.0.0.0/4 (reserved, with the "
				"broadcast 255.255.255.255): ");
}

/* What deny covers, no allow rule opens: deny is an answer too, for
 * ipBlocks and for rules without "to"; a partial deny is not. */
static void test_one_to_many_deny(void)
{
	_cleanup_netpol_ struct hs_netpol a = {0}, b = {0}, c = {0};
	struct hs_error err = {0};

	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"deny\": "
			 "[\"224.0.0.0/3\", \"ff00::/8\"], \"egress\": "
			 "[{\"to\": [{\"ipBlock\": {\"cidr\": \"0.0.0.0/0\"}}, "
			 "{\"ipBlock\": {\"cidr\": \"::/0\"}}]}, "
			 "{\"ports\": [{\"protocol\": \"UDP\", "
			 "\"port\": 123}]}]}",
			 "a.json", &a, &err) == 0);
	CHECK(err.count == 0);
	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"deny\": "
			 "[\"224.0.0.0/4\", \"255.255.255.255\"], \"egress\": "
			 "[{\"to\": [{\"ipBlock\": {\"cidr\": "
			 "\"0.0.0.0/0\"}}]}]}",
			 "b.json", &b, &err) == -1);
	CHECK(err.count == 1);
	CHECK_CONTAINS(err.msg, "b.json: egress[0].to[0].ipBlock.cidr: "
				"\"0.0.0.0/0\" opens 240.0.0.0/4 (reserved, "
				"with the broadcast 255.255.255.255): ");
	err = (struct hs_error){0};
	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"deny\": "
			 "[\"224.0.0.0/3\"], \"egress\": [{}]}",
			 "c.json", &c, &err) == -1);
	CHECK(err.count == 1);
	CHECK_CONTAINS(err.msg, "c.json: egress[0]: a rule without \"to\" "
				"allows every destination, ff00::/8 "
				"(multicast) too: ");
}

/* Ingress matches sources, and no packet comes from a group: an ingress
 * rule from everyone is fine. */
static void test_one_to_many_ingress(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(parse_text("{\"policyTypes\": [\"Ingress\"], \"ingress\": "
			 "[{\"from\": [{\"ipBlock\": {\"cidr\": "
			 "\"0.0.0.0/0\"}}, {\"ipBlock\": {\"cidr\": "
			 "\"::/0\"}}]}, {}]}",
			 "np.json", &np, &err) == 0);
	CHECK(err.count == 0);
}

static void test_ipv6_only(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};
	const struct hs_np_rule *r;

	CHECK(hs_netpol_load(DATA "valid/ipv6_only.json", NULL, &np, &err) ==
	      0);
	CHECK(np.deny[HS_FAMILY_V4].n == 0 && np.deny[HS_FAMILY_V6].n == 1);
	CHECK(np.egress.n_rules == 2);
	r = &np.egress.rules[0];
	CHECK(r->peers[HS_FAMILY_V4].n == 0 && r->peers[HS_FAMILY_V6].n == 1);
	CHECK(range_is(&r->peers[HS_FAMILY_V6], 0, "2001:db8:10::",
		       "2001:db8:10:ffff:ffff:ffff:ffff:ffff"));
	r = &np.egress.rules[1];
	CHECK(r->peers[HS_FAMILY_V4].n == 0 && r->peers[HS_FAMILY_V6].n == 4);
	CHECK(r->n_ports == 1 && port_is(r, 0, HS_PROTO_TCP, 443, 443));
	r = &np.ingress.rules[0];
	CHECK(r->peers[HS_FAMILY_V6].n == 1);
	CHECK(port_is(r, 0, HS_PROTO_TCP, 8080, 8080));
}

static void test_egress_only(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(hs_netpol_load(DATA "valid/egress_only.json", NULL, &np, &err) ==
	      0);
	CHECK(np.egress.listed && np.egress.n_rules == 1);
	CHECK(!np.ingress.listed && np.ingress.n_rules == 0);
	CHECK(np.log_refused);
	CHECK(np.deny[HS_FAMILY_V4].n == 0 && np.deny[HS_FAMILY_V6].n == 0);
}

/* Egress listed, no rules: everything denied. */
static void test_deny_all_egress(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(hs_netpol_load(DATA "valid/deny_all_egress.json", NULL, &np,
			     &err) == 0);
	CHECK(np.egress.listed && np.egress.n_rules == 0 &&
	      np.egress.rules == NULL);
	CHECK(!np.ingress.listed);
}

/* Sorted by protocol then port; overlapping and adjacent ranges of one
 * protocol merged, never across protocols; duplicates gone; an entry
 * without a port is every port of its protocol. */
static void test_ports_compiled(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};
	const struct hs_np_rule *r;

	CHECK(hs_netpol_load(DATA "valid/ports_merge.json", NULL, &np, &err) ==
	      0);
	r = &np.egress.rules[0];
	CHECK(r->n_ports == 5);
	CHECK(port_is(r, 0, HS_PROTO_TCP, 22, 22));
	CHECK(port_is(r, 1, HS_PROTO_TCP, 443, 443));
	CHECK(port_is(r, 2, HS_PROTO_TCP, 8000, 8201));
	CHECK(port_is(r, 3, HS_PROTO_UDP, 53, 53));
	CHECK(port_is(r, 4, HS_PROTO_SCTP, 0, 65535));
}

/* A rule's peers: the union over to[] of cidr minus except, per family. */
static void test_peers_compiled(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};
	const struct hs_range_set *v4, *v6;

	CHECK(hs_netpol_load(DATA "valid/peers_union.json", NULL, &np, &err) ==
	      0);
	v4 = &np.egress.rules[0].peers[HS_FAMILY_V4];
	v6 = &np.egress.rules[0].peers[HS_FAMILY_V6];
	CHECK(!np.egress.rules[0].any_peer);
	CHECK(v4->n == 3);
	CHECK(range_is(v4, 0, "10.0.0.0", "10.0.0.63"));
	/* 10.0.0.128/25 minus itself is empty; 10.0.0.192-255 (from the
	 * first block) and 10.0.1.0/24 are adjacent. */
	CHECK(range_is(v4, 1, "10.0.0.128", "10.0.1.255"));
	CHECK(range_is(v4, 2, "192.0.2.1", "192.0.2.1"));
	CHECK(v6->n == 1);
	CHECK(range_is(v6, 0, "2001:db8:8000::",
		       "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
}

/* No to[] means every peer; no ports[] means every port. (An egress rule
 * without to[] is valid only with multicast and 240.0.0.0/4 in deny.) */
static void test_any_peer(void)
{
	_cleanup_netpol_ struct hs_netpol np = {0};
	struct hs_error err = {0};

	CHECK(parse_text("{\"policyTypes\": [\"Ingress\", \"Egress\"], "
			 "\"deny\": [\"224.0.0.0/4\", \"240.0.0.0/4\", "
			 "\"ff00::/8\"], "
			 "\"egress\": [{\"ports\": [{\"protocol\": \"UDP\", "
			 "\"port\": 123}]}], \"ingress\": [{}]}",
			 "np.json", &np, &err) == 0);
	CHECK(np.egress.rules[0].any_peer);
	CHECK(np.egress.rules[0].peers[HS_FAMILY_V4].n == 0);
	CHECK(np.egress.rules[0].n_ports == 1);
	CHECK(np.ingress.rules[0].any_peer && np.ingress.rules[0].n_ports == 0);
}

/* The digest is over the JSON with sorted keys: layout does not change
 * it, content does. */
static void test_digest(void)
{
	_cleanup_netpol_ struct hs_netpol a = {0}, b = {0}, c = {0};
	_cleanup_free_ char *text = NULL;
	char want[HS_DIGEST_HEX_LEN + 1];
	struct hs_error err = {0};
	struct hs_sha256 h;

	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"deny\": "
			 "[\"10.20.0.0/16\"], \"egress\": []}",
			 "a.json", &a, &err) == 0);
	CHECK(parse_text(
		      "{\n  \"egress\" : [ ],\n  \"deny\": [\"10.20.0.0/16\"],"
		      "\n  \"policyTypes\": [\"Egress\"]\n}\n",
		      "b.json", &b, &err) == 0);
	CHECK(parse_text("{\"policyTypes\": [\"Egress\"], \"deny\": "
			 "[\"10.30.0.0/16\"], \"egress\": []}",
			 "c.json", &c, &err) == 0);
	CHECK_STR(a.digest, b.digest);
	CHECK(strcmp(a.digest, c.digest) != 0);
	text = json_dumps(a.json, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK(text != NULL);
	CHECK_STR(text, "{\"deny\":[\"10.20.0.0/16\"],\"egress\":[],"
			"\"policyTypes\":[\"Egress\"]}");
	hs_sha256_init(&h);
	hs_sha256_update(&h, text, strlen(text));
	hs_sha256_hex(&h, want);
	CHECK_STR(a.digest, want);
}

/* Parsing takes its own reference: the caller's stays the caller's. */
static void test_json_reference(void)
{
	_cleanup_json_ json_t *j =
		json_pack("{s:[s],s:[]}", "policyTypes", "Egress", "egress");
	struct hs_netpol np;
	struct hs_error err = {0};

	CHECK(hs_netpol_parse(j, "j.json", NULL, &np, &err) == 0);
	CHECK(np.json == j && j->refcount == 2);
	hs_netpol_free(&np);
	CHECK(j->refcount == 1 && np.json == NULL);
}

int main(void)
{
	struct hs_error err = {0};

	if (hs_config_load_draft("policies/config.json", &shipped, &err) < 0) {
		printf("FAIL main: %s\n", err.msg);
		return 1;
	}
	RUN(test_invalid_fixtures);
	RUN(test_every_invalid_fixture_listed);
	RUN(test_error_form);
	RUN(test_every_error_reported);
	RUN(test_bad_prefixes_all_reported);
	RUN(test_syntax_error);
	RUN(test_duplicate_key);
	RUN(test_missing_file);
	RUN(test_failure_leaves_zeroed);
	RUN(test_limit_rules);
	RUN(test_limit_peers);
	RUN(test_limit_except);
	RUN(test_limit_ports);
	RUN(test_limit_cidrs_in_deny);
	RUN(test_limit_cidrs_in_policy);
	RUN(test_limit_policy_types);
	RUN(test_name_unknown);
	RUN(test_name_empty_table);
	RUN(test_name_except_outside);
	RUN(test_name_one_to_many);
	RUN(test_name_limit);
	RUN(test_name_table_too_big);
	RUN(test_names_compiled);
	RUN(test_names_copied);
	RUN(test_digest_names);
	RUN(test_shipped_policy);
	RUN(test_shipped_egress_not_one_to_many);
	RUN(test_one_to_many_named);
	RUN(test_one_to_many_partly_named);
	RUN(test_one_to_many_deny);
	RUN(test_one_to_many_ingress);
	RUN(test_ipv6_only);
	RUN(test_egress_only);
	RUN(test_deny_all_egress);
	RUN(test_ports_compiled);
	RUN(test_peers_compiled);
	RUN(test_any_peer);
	RUN(test_digest);
	RUN(test_json_reference);
	hs_config_free(&shipped);
	TEST_EXIT();
}
