/* `hardshim explain [--config CONFIG] POLICY`: what a tenant policy lets a
 * container do, for the people who review policy changes: capabilities
 * kept, syscalls denied by group, what the network reaches and what it
 * does not (each network name with the CIDRs CONFIG gives it), and the
 * exact nftables ruleset the hook would install. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_commands.h"
#include "hs_config.h"
#include "hs_netpol.h"
#include "hs_nft.h"
#include "hs_policy.h"
#include "hs_profile.h"

static void print_caps(const struct hs_policy *p)
{
	int c, n = 0;

	printf("capabilities (ceiling: every set is requested ∩ this):\n ");
	for (c = 0; c <= hs_caps_last(); c++) {
		char name[64];

		if ((p->cap_ceiling & ((hs_capset_t)1 << c)) &&
		    hs_caps_to_name(c, name, sizeof(name)) == 0) {
			printf(" %s", name);
			n++;
		}
	}
	printf("%s\n  ambient: %s\n", n ? "" : " (none)",
	       p->allow_ambient ? "allowed within the ceiling"
				: "always empty");
	printf("user: %s\n", !p->run_as_non_root ? "any uid, root included"
			     : p->root_rule == HS_ROOT_REMAP
				     ? "non-root; uid/gid 0 remapped"
				     : "non-root; uid/gid 0 refused");
	if (p->run_as_non_root && p->root_rule == HS_ROOT_REMAP)
		printf("  remapped to %u:%u\n", p->uid, p->gid);
	printf("no_new_privs: always\nexec into containers: %s\n",
	       p->allow_exec ? "allowed, narrowed to this policy" : "refused");
}

/* The "host" switches, each a protection turned off. */
static void print_host(const struct hs_policy *p)
{
	uint32_t bit;

	if (!p->host_ns && !p->any_host_path && !p->writable_sysfs &&
	    !p->unconfined_apparmor) {
		printf("host: nothing of the host's (own namespaces, engine "
		       "directories and granted host paths only)\n");
		return;
	}
	printf("host (each a protection turned off):\n");
	if (p->host_ns) {
		printf("  may share the host's namespaces:");
		for (bit = 1; bit <= HS_NS_CGROUP; bit <<= 1)
			if (p->host_ns & bit)
				printf(" %s", hs_policy_ns_name(bit));
		printf("\n");
	}
	if (p->any_host_path)
		printf("  binds from any host path, writable as asked\n");
	if (p->writable_sysfs)
		printf("  sysfs and cgroup mounts may be writable\n");
	if (p->unconfined_apparmor)
		printf("  an \"unconfined\" AppArmor profile is kept\n");
}

static void print_names(const json_t *names)
{
	size_t i;
	json_t *n;

	json_array_foreach (names, i, n)
		printf("%s%s", i ? " " : "", json_string_value(n));
}

/* Each denying rule is a group; its comment says why. */
static void print_seccomp(const json_t *merged)
{
	const char *def =
		json_string_value(json_object_get(merged, "defaultAction"));
	const json_t *rules = json_object_get(merged, "syscalls");
	size_t i, allowed = 0, conditional = 0;
	json_t *r;

	printf("\nseccomp: default %s", def ? def : "?");
	if (json_is_integer(json_object_get(merged, "defaultErrnoRet")))
		printf(" (errno %lld)",
		       (long long)json_integer_value(
			       json_object_get(merged, "defaultErrnoRet")));
	printf("\n");
	json_array_foreach (rules, i, r) {
		const char *action =
			json_string_value(json_object_get(r, "action"));
		const char *why =
			json_string_value(json_object_get(r, "comment"));
		const json_t *names = json_object_get(r, "names");
		bool args = json_array_size(json_object_get(r, "args")) > 0;

		if (action && strcmp(action, "SCMP_ACT_ALLOW") == 0) {
			if (args)
				conditional += json_array_size(names);
			else
				allowed += json_array_size(names);
			continue;
		}
		printf("  denied%s (%s", args ? " with these arguments" : "",
		       action ? action : "?");
		if (json_is_integer(json_object_get(r, "errnoRet")))
			printf(" %lld",
			       (long long)json_integer_value(
				       json_object_get(r, "errnoRet")));
		printf("): ");
		print_names(names);
		printf("\n");
		if (why)
			printf("    why: %s\n", why);
	}
	printf("  allowed: %zu syscalls without conditions, %zu rules with "
	       "argument conditions; everything else gets the default\n",
	       allowed, conditional);
}

/* A CIDR as the policy wrote it; a network name with what it stands for:
 * "@pods (10.244.0.0/16)". */
static void print_cidr(const struct hs_netpol *np, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t i, k;

	printf("%s", s);
	if (!s || s[0] != '@')
		return;
	for (i = 0; i < np->n_names; i++) {
		const struct hs_np_name *n = &np->names[i];

		if (!n->used || strcmp(n->name, s + 1) != 0)
			continue;
		for (k = 0; k < n->n; k++) {
			char text[64];

			hs_cidr_format(&n->cidrs[k], text, sizeof(text));
			printf("%s%s", k ? ", " : " (", text);
		}
		printf(")");
	}
}

static void print_blocks(const struct hs_netpol *np, const json_t *list)
{
	size_t i, j;
	json_t *peer, *ex;

	if (!list) {
		printf("any address");
		return;
	}
	json_array_foreach (list, i, peer) {
		const json_t *block = json_object_get(peer, "ipBlock");

		printf("%s", i ? ", " : "");
		print_cidr(np, json_object_get(block, "cidr"));
		json_array_foreach (json_object_get(block, "except"), j, ex) {
			printf("%s", j ? " " : " except ");
			print_cidr(np, ex);
		}
	}
}

static void print_ports(const json_t *ports)
{
	size_t i;
	json_t *p;

	if (!ports) {
		printf("every protocol and port");
		return;
	}
	json_array_foreach (ports, i, p) {
		const char *proto =
			json_string_value(json_object_get(p, "protocol"));
		const json_t *port = json_object_get(p, "port");
		const json_t *end = json_object_get(p, "endPort");

		printf("%s%s", i ? ", " : "", proto ? proto : "TCP");
		if (port)
			printf(" %lld", (long long)json_integer_value(port));
		if (end)
			printf("-%lld", (long long)json_integer_value(end));
		if (!port)
			printf(" (every port)");
	}
}

static void print_direction(const struct hs_netpol *np, const char *name,
			    const char *peer_key, bool listed)
{
	const json_t *rules = json_object_get(np->json, name);
	size_t i;
	json_t *r;

	printf("  %s: ", name);
	if (!listed) {
		printf("not filtered (not in policyTypes), but the deny list "
		       "applies\n");
		return;
	}
	if (json_array_size(rules) == 0) {
		printf("everything refused\n");
		return;
	}
	printf("only these, everything else refused\n");
	json_array_foreach (rules, i, r) {
		printf("    %s ", strcmp(name, "egress") == 0 ? "to" : "from");
		print_blocks(np, json_object_get(r, peer_key));
		printf(": ");
		print_ports(json_object_get(r, "ports"));
		printf("\n");
	}
}

static int print_network(const struct hs_policy *p, const struct hs_config *cfg,
			 struct hs_error *err)
{
	struct hs_netpol np;
	size_t i;
	json_t *d;

	if (!p->has_network) {
		printf("\nnetwork: no network policy: the container's network "
		       "is not filtered by hardshim\n");
		return 0;
	}
	if (hs_netpol_load(p->network_path, cfg ? &cfg->networks : NULL, &np,
			   err) < 0)
		return -1;
	printf("\nnetwork (%s, digest %.12s):\n", p->network_path, np.digest);
	if (cfg && cfg->networks.n)
		printf("  network names from %s\n", cfg->path);
	printf("  never reachable, in either direction (counted):");
	json_array_foreach (json_object_get(np.json, "deny"), i, d) {
		printf(i ? ", " : " ");
		print_cidr(&np, d);
	}
	printf("\n");
	print_direction(&np, "egress", "to", np.egress.listed);
	print_direction(&np, "ingress", "from", np.ingress.listed);
	printf("  always: loopback, replies to allowed connections, IPv6 "
	       "neighbour discovery\n");
	printf("\nnftables ruleset installed in the container's network "
	       "namespace:\n\n");
	fflush(stdout);
	hs_nft_format(&np, "CONTAINER-ID", stdout);
	hs_netpol_free(&np);
	return 0;
}

/* Like check, explain reads a config only when told to (--config): the
 * network names of a policy explained without one are an error that asks
 * for it. */
int hs_cmd_explain(int argc, char **argv)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *merged = NULL;
	struct hs_config cfg = {0};
	const char *policy = argv[argc - 1];
	struct hs_policy p;
	int ret;

	if (argc != 2 && !(argc == 4 && strcmp(argv[1], "--config") == 0)) {
		fprintf(stderr, "usage: hardshim explain [--config CONFIG] "
				"POLICY.json\n");
		return 2;
	}
	if (argc == 4 && hs_config_load_draft(argv[2], &cfg, &err) < 0) {
		fprintf(stderr, "hardshim: %s\n", err.msg);
		return 1;
	}
	if (hs_policy_load_file(policy, &p, &err) < 0) {
		hs_config_free(&cfg);
		fprintf(stderr, "hardshim: %s\n", err.msg);
		return 1;
	}
	merged = hs_profile_load(p.seccomp_path, &err);
	if (!merged) {
		hs_policy_free(&p);
		hs_config_free(&cfg);
		fprintf(stderr, "hardshim: %s\n", err.msg);
		return 1;
	}
	printf("policy %s (%s)\n", p.name, p.file);
	printf("mode: %s\n",
	       p.audit ? "audit (seccomp denials are logged by the kernel, not "
			 "enforced; every other restriction holds)"
		       : "enforce");
	print_caps(&p);
	print_host(&p);
	print_seccomp(merged);
	ret = print_network(&p, argc == 4 ? &cfg : NULL, &err);
	hs_policy_free(&p);
	hs_config_free(&cfg);
	if (ret < 0) {
		fprintf(stderr, "hardshim: %s\n", err.msg);
		return 1;
	}
	return 0;
}
