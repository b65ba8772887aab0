/* runc's command line, as containerd-shim-runc-v2 and conmon pass it:
 *   containerd: --root R --log F --log-format json [--systemd-cgroup]
 *               create --bundle B --pid-file P ID
 *   conmon:     create --bundle B --pid-file P ID
 * Parsing is pure: it only finds what the wrapper needs, and refuses a
 * flag it does not know on a subcommand it intercepts, because guessing
 * whether that flag takes a value could misplace the bundle or the id. */
#ifndef HS_RUNTIME_ARGS_H
#define HS_RUNTIME_ARGS_H

#include <stdbool.h>

#include "hs_error.h"

#define HS_EXEC_MAX_CAP_FLAGS 64

enum hs_subcommand {
	HS_SUB_OTHER, /* exec'd untouched */
	HS_SUB_CREATE,
	HS_SUB_RUN,
	HS_SUB_RESTORE,
	HS_SUB_EXEC,
};

struct hs_runtime_args {
	enum hs_subcommand sub;
	int sub_index; /* argv index of the subcommand, -1 if none */
	const char *root; /* global --root */
	const char *log; /* global --log */
	const char *log_format; /* global --log-format */
	const char *bundle; /* --bundle/-b; NULL means the cwd */
	const char *id; /* the container id */
	int id_index;
	/* exec only */
	const char *process; /* --process/-p */
	int user_index; /* argv index of the --user value, -1 if none */
	bool user_inline; /* that argument is "--user=V", not "V" */
	const char *caps[HS_EXEC_MAX_CAP_FLAGS]; /* --cap values */
	int n_caps;
	const char *additional_gids[HS_EXEC_MAX_CAP_FLAGS];
	int n_gids;
	const char *no_new_privs; /* "true"/"false" when given, else NULL */
	bool widening_flag; /* --apparmor or --process-label was given */
	const char *widening_name;
};

/* argv[0] is the program; the runtime's own arguments start at argv[1]. */
int hs_runtime_args_parse(int argc, char *const *argv,
			  struct hs_runtime_args *a, struct hs_error *err);

#endif
