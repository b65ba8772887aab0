/* hardshim's entry point: picks the part to play from argv[0] and the first
 * argument (docs/design.md "Command line"). Invoked as "hardshim-runc" it is
 * the runtime wrapper, and every argument, "--help" included, belongs to
 * the real runtime: engines run "runc --help", "runc --version" and
 * "runc features" to learn what the runtime can do, and must get the real
 * runtime's answer. Otherwise the first argument names the command, and
 * "--help" (or "-h") right after it prints that command's usage on stdout.
 * New commands join the table below. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_commands.h"
#include "hs_monitor.h"
#include "hs_hook.h"
#include "hs_learn.h"
#include "hs_runtime.h"

#define HS_VERSION "0.1.0"

static int cmd_runtime(int argc, char **argv)
{
	/* "hardshim runtime ARGS": the runtime sees "ARGS" after argv[0]. */
	return hs_runtime_main(argc, argv);
}

static int cmd_hook(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hardshim hook STAGE < state.json\n");
		return 2;
	}
	return hs_hook_main(argv[1]);
}

static int cmd_version(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: hardshim version\n");
		return 2;
	}
	printf("hardshim %s\n", HS_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *synopsis; /* after "hardshim " */
	const char *summary; /* one line, for the list */
	const char *help; /* the rest of "hardshim NAME --help" */
} commands[] = {
	{"runtime", cmd_runtime, "runtime RUNTIME-ARGS...",
	 "the OCI runtime wrapper (also: hardshim-runc RUNTIME-ARGS...)",
	 "On create, run and restore: harden the bundle's config.json\n"
	 "to the tenant's policy (atomically) and inject hardshim's\n"
	 "hooks. On exec: narrow the new process to the container's\n"
	 "recorded policy, or refuse. Then exec the real runtime (the\n"
	 "config's \"runtime\") with the same arguments; every other\n"
	 "subcommand is exec'd untouched. Invoked as hardshim-runc,\n"
	 "every argument goes to the runtime: \"hardshim-runc --help\"\n"
	 "prints the real runtime's help.\n"},
	{"hook", cmd_hook, "hook STAGE < state.json",
	 "the OCI hook, container state on stdin",
	 "STAGE: createRuntime or prestart (install the tenant's\n"
	 "network policy in the container's network namespace),\n"
	 "poststart (attest the live process and its table), poststop\n"
	 "(remove the table this container created in a persistent\n"
	 "namespace). The wrapper injects these hooks; they are not\n"
	 "meant to be run by hand.\n"},
	{"harden", hs_cmd_harden, "harden [--bundle DIR | -] [--policy NAME]",
	 "print the hardened config (preview; with -, a podman precreate hook)",
	 "Reads DIR/config.json (or, with -, a config on stdin),\n"
	 "hardens it as the wrapper would, under the policy the tenant\n"
	 "selection picks (or NAME), and prints it. Nothing is written.\n"},
	{"check", hs_cmd_check, "check [--config CONFIG] FILE...",
	 "validate configs, policies, seccomp profiles, network policies",
	 "One line per error: file:line:col for syntax, file: JSON path\n"
	 "for meaning. A network policy's @NAMEs resolve against\n"
	 "CONFIG's networks; a config among the FILEs checks every\n"
	 "policy it names. Exit 1 on any error.\n"},
	{"explain", hs_cmd_explain, "explain [--config CONFIG] POLICY.json",
	 "what a tenant policy allows, and the nftables ruleset it installs",
	 "Capabilities kept, syscalls denied by group, the host\n"
	 "switches, what the network reaches and not (each @NAME with\n"
	 "CONFIG's CIDRs), and the exact ruleset in nft syntax.\n"},
	{"monitor", hs_monitor_main, "monitor [--events FILE] [--stdout]",
	 "the node daemon: escape syscalls answered and reported",
	 "Listens at the config's monitor.socket. runc sends it the\n"
	 "seccomp listener of every container the wrapper started with\n"
	 "the monitor answering; each escape syscall (unshare, mount,\n"
	 "ptrace, bpf, ...) is denied with EPERM, the container killed\n"
	 "first where its policy says onViolation \"kill\", and one\n"
	 "event line written to FILE (default: the config's\n"
	 "decisionLog) and, with --stdout, to standard output. SIGTERM\n"
	 "stops it; the kernel then answers those syscalls with ENOSYS.\n"},
	{"verify", hs_cmd_verify,
	 "verify [--root DIR] ID | --all [--root DIR]...",
	 "re-attest running containers against their policy",
	 "Checks a running container (or, with --all, every one under\n"
	 "the runc roots: --root, else the config's monitor.runcRoots)\n"
	 "again, as the poststart hook did at start: seccomp mode and\n"
	 "filter (read back with ptrace, against what libseccomp builds\n"
	 "from its config.json), NoNewPrivs, capabilities and uids, the\n"
	 "nftables table, and drift of its policy file since the start.\n"
	 "One JSON event line on stdout per failure (type verify or\n"
	 "drift); exit 0 when all verified, 1 on any failure or error.\n"},
	{"learn", hs_cmd_learn,
	 "learn --base PROFILE [--pid PID]... [--pids-from FILE] [-o OUT]\n"
	 "                      (--kmsg [--since SEQ] | FILE | -)",
	 "a minimal profile from the seccomp audit records of an audit run",
	 "Reads the kernel's seccomp audit records (type=1326) of a\n"
	 "workload run under a policy with \"mode\": \"audit\": from\n"
	 "/dev/kmsg (--kmsg; --since SEQ: only records after SEQ, the\n"
	 "number \"hardshim learn --kmsg-seq\" prints before the run), a\n"
	 "FILE (dmesg, kmsg or audit.log lines) or stdin (-). Only the\n"
	 "records of the given pids count (--pid, repeatable;\n"
	 "--pids-from: one pid a line, as cgroup.procs). Writes to OUT\n"
	 "(default stdout) a profile that extends PROFILE and allows\n"
	 "exactly the syscalls used that PROFILE does not. Escape\n"
	 "syscalls (unshare, mount, ptrace, bpf, ...) are never allowed:\n"
	 "they are reported on stderr and in the profile's comment.\n"
	 "Warns when the kernel dropped records (printk rate limit).\n"
	 "Exit 1 when there is no record to learn from.\n"},
	{"version", cmd_version, "version", "print the version", ""},
};

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: hardshim COMMAND [ARGS...]\n\n");
	for (i = 0; i < HS_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n\"hardshim COMMAND --help\" prints one command's "
		     "usage. Exit codes: 0 success,\n1 refused or invalid, 2 "
		     "usage. See docs/design.md.\n");
}

static void print_command_help(const struct command *c)
{
	printf("usage: hardshim %s\n\n%s%s\n%s", c->synopsis, c->summary,
	       *c->help ? "\n" : "", c->help);
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct command *c;

	prog = prog ? prog + 1 : (argc > 0 ? argv[0] : "hardshim");
	if (strcmp(prog, "hardshim-runc") == 0)
		return hs_runtime_main(argc, argv);
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	/* "hardshim --help", "hardshim help [COMMAND]". */
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			print_usage(stdout);
			return 0;
		}
		c = argc == 3 ? find_command(argv[2]) : NULL;
		if (!c) {
			print_usage(stderr);
			return 2;
		}
		print_command_help(c);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "hardshim: unknown command \"%s\"\n", argv[1]);
		print_usage(stderr);
		return 2;
	}
	/* "hardshim COMMAND --help". For `runtime` only when it is the only
	 * argument: anything longer is the runtime's command line. */
	if (argc >= 3 && is_help(argv[2]) &&
	    (argc == 3 || strcmp(c->name, "runtime") != 0)) {
		print_command_help(c);
		return 0;
	}
	return c->run(argc - 1, argv + 1);
}
