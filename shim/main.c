/* hardshim's entry point: picks the part to play from argv[0] and the first
 * argument (DESIGN.md "Command line"). Invoked as "hardshim-runc" it is the
 * runtime wrapper; otherwise the first argument names the command. New
 * commands join the table below. */
#include <stdio.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_commands.h"
#include "hs_hook.h"
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
	printf("hardshim %s\n", HS_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *usage;
} commands[] = {
	{"runtime", cmd_runtime,
	 "runtime RUNTIME-ARGS...  wrap the OCI runtime"},
	{"hook", cmd_hook, "hook STAGE               OCI hook, state on stdin"},
	{"harden", hs_cmd_harden,
	 "harden [--bundle DIR | -] [--policy NAME]  print the hardened "
	 "config"},
	{"check", hs_cmd_check,
	 "check FILE...            validate policy files"},
	{"explain", hs_cmd_explain,
	 "explain POLICY.json      what a tenant policy allows, and its "
	 "ruleset"},
	{"version", cmd_version, "version                  print the version"},
};

static int usage(void)
{
	size_t i;

	fprintf(stderr, "usage: hardshim COMMAND [ARGS...]\n");
	for (i = 0; i < HS_ARRAY_SIZE(commands); i++)
		fprintf(stderr, "  hardshim %s\n", commands[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	size_t i;

	prog = prog ? prog + 1 : (argc > 0 ? argv[0] : "hardshim");
	if (strcmp(prog, "hardshim-runc") == 0)
		return hs_runtime_main(argc, argv);
	if (argc < 2)
		return usage();
	for (i = 0; i < HS_ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hardshim: unknown command \"%s\"\n", argv[1]);
	return usage();
}
