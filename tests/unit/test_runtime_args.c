/* shim/runtime_args.c: runc's command line as containerd, CRI-O/conmon and
 * podman pass it. The wrapper must find the bundle and id exactly, refuse
 * a flag it does not know on a subcommand it intercepts, and find every
 * exec flag that could widen a process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_runtime_args.h"
#include "hs_test.h"

/* argv from a NULL-terminated list; argv[0] is the program. */
#define PARSE(a, err, ...)                                                    \
	parse_argv((const char *const[]){"hardshim-runc", __VA_ARGS__, NULL}, \
		   a, err)

/* The parser never writes to argv (the wrapper may, later, on its own
 * copy); string literals stand in for it here. */
static int parse_argv(const char *const *argv, struct hs_runtime_args *a,
		      struct hs_error *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return hs_runtime_args_parse(argc, (char *const *)argv, a, err);
}

/* --- create, run, restore ------------------------------------------------- */

static void test_containerd_create(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "--root", "/run/containerd/runc/k8s.io", "--log",
		    "/run/b/log.json", "--log-format", "json",
		    "--systemd-cgroup", "create", "--bundle", "/run/b",
		    "--pid-file", "/run/b/init.pid", "c0ffee") == 0);
	CHECK(a.sub == HS_SUB_CREATE);
	CHECK(a.sub_index == 8);
	CHECK_STR(a.root, "/run/containerd/runc/k8s.io");
	CHECK_STR(a.log, "/run/b/log.json");
	CHECK_STR(a.log_format, "json");
	CHECK_STR(a.bundle, "/run/b");
	CHECK_STR(a.id, "c0ffee");
	CHECK(a.id_index == 13);
	CHECK(a.user_index == -1);
	CHECK(a.n_caps == 0);
	CHECK(!a.widening_flag);
}

static void test_conmon_create(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "--bundle", "/var/lib/c/b",
		    "--pid-file", "/run/c/pidfile", "ctr1") == 0);
	CHECK(a.sub == HS_SUB_CREATE);
	CHECK(a.sub_index == 1);
	CHECK_STR(a.bundle, "/var/lib/c/b");
	CHECK_STR(a.id, "ctr1");
	CHECK(a.id_index == 6);
	CHECK(a.root == NULL && a.log == NULL && a.log_format == NULL);
}

/* CRI-O's conmon: the runtime's own flags from [crio.runtime.runtimes.X]
 * (runtime_root as --root, the cgroup manager) before "create", conmon's
 * after it, with a terminal's --console-socket; the inline forms too. */
static void test_crio_conmon_create(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "--root", "/run/runc", "--systemd-cgroup",
		    "create", "--bundle",
		    "/run/containers/storage/overlay-containers/c1/userdata",
		    "--pid-file", "/run/containers/c1/pidfile", "--no-pivot",
		    "--no-new-keyring", "--console-socket", "/tmp/conmon-term",
		    "c1") == 0);
	CHECK(a.sub == HS_SUB_CREATE);
	CHECK(a.sub_index == 4);
	CHECK_STR(a.root, "/run/runc");
	CHECK_STR(a.bundle,
		  "/run/containers/storage/overlay-containers/c1/userdata");
	CHECK_STR(a.id, "c1");
	CHECK(a.id_index == 13);
	CHECK(a.log == NULL && a.log_format == NULL);
	CHECK(PARSE(&a, &err, "--root=/run/runc", "--log=/run/c2/log.json",
		    "--log-format=json", "create", "--bundle=/b", "--pid-file",
		    "/p", "c2") == 0);
	CHECK_STR(a.root, "/run/runc");
	CHECK_STR(a.log, "/run/c2/log.json");
	CHECK_STR(a.log_format, "json");
	CHECK_STR(a.bundle, "/b");
	CHECK_STR(a.id, "c2");
}

static void test_bundle_short_and_inline(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "-b", "/b1", "id1") == 0);
	CHECK_STR(a.bundle, "/b1");
	CHECK_STR(a.id, "id1");
	CHECK(PARSE(&a, &err, "create", "--bundle=/b2", "id2") == 0);
	CHECK_STR(a.bundle, "/b2");
	CHECK_STR(a.id, "id2");
	CHECK(a.id_index == 3);
	CHECK(PARSE(&a, &err, "create", "-bundle", "/b3", "id3") == 0);
	CHECK_STR(a.bundle, "/b3");
	CHECK(PARSE(&a, &err, "--log=/l.json", "create", "-b=/b4", "id4") == 0);
	CHECK_STR(a.log, "/l.json");
	CHECK_STR(a.bundle, "/b4");
}

static void test_no_bundle_means_cwd(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "id") == 0);
	CHECK(a.bundle == NULL);
	CHECK_STR(a.id, "id");
}

static void test_run_flags_after_id(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	/* urfave/cli v1 reorders: runc reads the bundle after the id. */
	CHECK(PARSE(&a, &err, "run", "ID", "--bundle", "/B") == 0);
	CHECK(a.sub == HS_SUB_RUN);
	CHECK_STR(a.id, "ID");
	CHECK_STR(a.bundle, "/B");
	CHECK(PARSE(&a, &err, "create", "--pid-file", "/p", "ID", "-b", "/B2",
		    "--detach") == 0);
	CHECK_STR(a.bundle, "/B2");
	CHECK(PARSE(&a, &err, "restore", "--image-path", "/img", "ID",
		    "--bundle=/B3") == 0);
	CHECK(a.sub == HS_SUB_RESTORE);
	CHECK_STR(a.bundle, "/B3");
	CHECK_STR(a.id, "ID");
}

static void test_second_positional_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "--bundle", "/B", "ID", "extra") < 0);
	CHECK_STR(err.msg, "create: unexpected argument \"extra\" after the "
			   "container id");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "run", "ID", "--bundle", "/B", "other") < 0);
	CHECK_STR(err.msg, "run: unexpected argument \"other\" after the "
			   "container id");
}

static void test_unknown_flag_on_create_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	/* Whether it takes a value is unknown: the bundle could be misread. */
	CHECK(PARSE(&a, &err, "create", "--bundel", "/B", "ID") < 0);
	CHECK(err.errnum == EINVAL);
	CHECK_STR(err.msg, "unknown create flag \"--bundel\", refused");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "run", "ID", "--privileged") < 0);
	CHECK_STR(err.msg, "unknown run flag \"--privileged\", refused");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "restore", "--cap", "CAP_SYS_ADMIN", "ID") < 0);
	CHECK_STR(err.msg, "unknown restore flag \"--cap\", refused");
}

static void test_unknown_global_flag_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "--rooot", "/r", "create", "ID") < 0);
	CHECK_STR(err.msg, "unknown global flag \"--rooot\", refused");
}

static void test_missing_id(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "--bundle", "/B") < 0);
	CHECK_STR(err.msg, "create: no container id given");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "exec", "--tty") < 0);
	CHECK_STR(err.msg, "exec: no container id given");
	memset(&err, 0, sizeof(err));
	{
		const char *argv[] = {"hardshim-runc", "run", NULL};

		CHECK(hs_runtime_args_parse(2, (char *const *)argv, &a, &err) <
		      0);
		CHECK_STR(err.msg, "run: no container id given");
	}
}

static void test_flag_missing_value(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "ID", "--bundle") < 0);
	CHECK_STR(err.msg, "flag \"--bundle\" needs a value");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "--root") < 0);
	CHECK_STR(err.msg, "flag \"--root\" needs a value");
}

static void test_double_dash_ends_flags(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "create", "-b", "/B", "--", "-weird-id") == 0);
	CHECK_STR(a.id, "-weird-id");
	CHECK_STR(a.bundle, "/B");
}

static void test_boolean_flag_with_value(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	/* "--detach=false" is one argument: the id is the next one. */
	CHECK(PARSE(&a, &err, "create", "--detach=false", "ID") == 0);
	CHECK_STR(a.id, "ID");
}

static void test_over_long_id_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	char id[HS_ID_MAX + 2];

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	CHECK(PARSE(&a, &err, "create", "-b", "/B", id) < 0);
	CHECK(err.errnum == ENAMETOOLONG);
	CHECK_STR(err.msg, "container id longer than the limit of 1024");
	memset(&err, 0, sizeof(err));
	CHECK(PARSE(&a, &err, "exec", id, "sh") < 0);
	CHECK_CONTAINS(err.msg, "longer than the limit of 1024");
	/* Exactly at the limit is fine. */
	id[HS_ID_MAX] = '\0';
	CHECK(PARSE(&a, &err, "create", "-b", "/B", id) == 0);
}

/* --- untouched subcommands --------------------------------------------------
 */

static void test_other_subcommands(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "start", "ID") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(a.sub_index == 1);
	CHECK(a.id == NULL);
	CHECK(PARSE(&a, &err, "state", "ID") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(PARSE(&a, &err, "--root", "/r", "delete", "--force", "ID") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(a.sub_index == 3);
	CHECK_STR(a.root, "/r");
	CHECK(PARSE(&a, &err, "kill", "ID", "KILL") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(PARSE(&a, &err, "features") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(err.count == 0);
}

static void test_version_and_no_args(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *argv[] = {"hardshim-runc", NULL};

	CHECK(PARSE(&a, &err, "--version") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(a.sub_index == -1);
	CHECK(PARSE(&a, &err, "-v") == 0);
	CHECK(a.sub == HS_SUB_OTHER);
	CHECK(hs_runtime_args_parse(1, (char *const *)argv, &a, &err) == 0);
	CHECK(a.sub == HS_SUB_OTHER && a.sub_index == -1);
}

/* --- exec ------------------------------------------------------------------
 */

static void test_exec_process_file(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "--root", "/r", "exec", "--process",
		    "/tmp/p.json", "--detach", "--pid-file", "/run/p.pid",
		    "ID") == 0);
	CHECK(a.sub == HS_SUB_EXEC);
	CHECK_STR(a.process, "/tmp/p.json");
	CHECK_STR(a.id, "ID");
	CHECK(a.id_index == 9);
	CHECK(a.user_index == -1);
	CHECK(PARSE(&a, &err, "exec", "-p=/tmp/q.json", "ID") == 0);
	CHECK_STR(a.process, "/tmp/q.json");
}

static void test_exec_caps_recorded(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "exec", "--cap", "CAP_SYS_ADMIN", "-c",
		    "CAP_NET_ADMIN", "--cap=CAP_SYS_PTRACE", "ID", "sh") == 0);
	CHECK(a.n_caps == 3);
	CHECK_STR(a.caps[0], "CAP_SYS_ADMIN");
	CHECK_STR(a.caps[1], "CAP_NET_ADMIN");
	CHECK_STR(a.caps[2], "CAP_SYS_PTRACE");
	CHECK_STR(a.id, "ID");
}

static void test_exec_user_short(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *const argv[] = {
		"hardshim-runc", "exec", "-u", "0", "ID", "id", NULL};

	CHECK(hs_runtime_args_parse(6, (char *const *)argv, &a, &err) == 0);
	CHECK(a.user_index == 3);
	CHECK_STR(argv[a.user_index], "0");
	CHECK_STR(a.id, "ID");
}

static void test_exec_user_inline(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *const argv[] = {
		"hardshim-runc", "exec", "--user=0:0", "ID", "id", NULL};

	CHECK(hs_runtime_args_parse(5, (char *const *)argv, &a, &err) == 0);
	/* The index names "--user=V" itself. */
	CHECK(a.user_index == 2);
	CHECK_STR(argv[a.user_index], "--user=0:0");
	CHECK(a.id_index == 3);
}

static void test_exec_last_user_wins(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *const argv[] = {"hardshim-runc",
				    "exec",
				    "-u",
				    "1000",
				    "--user",
				    "0",
				    "ID",
				    "sh",
				    NULL};

	/* urfave/cli keeps the last value: so must the wrapper, or it would
	 * judge 1000 while runc runs 0. */
	CHECK(hs_runtime_args_parse(8, (char *const *)argv, &a, &err) == 0);
	CHECK(a.user_index == 5);
	CHECK_STR(argv[a.user_index], "0");
}

static void test_exec_no_new_privs(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "exec", "--no-new-privs=false", "ID", "x") == 0);
	CHECK_STR(a.no_new_privs, "false");
	CHECK_STR(a.id, "ID");
	CHECK(PARSE(&a, &err, "exec", "--no-new-privs", "ID", "x") == 0);
	CHECK_STR(a.no_new_privs, "true");
	CHECK(PARSE(&a, &err, "exec", "ID", "x") == 0);
	CHECK(a.no_new_privs == NULL);
}

static void test_exec_widening_flags(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "exec", "--apparmor", "unconfined", "ID", "x") ==
	      0);
	CHECK(a.widening_flag);
	CHECK_STR(a.widening_name, "apparmor");
	CHECK_STR(a.id, "ID"); /* "unconfined" was the flag's value */
	CHECK(PARSE(&a, &err, "exec", "--process-label=unconfined_t", "ID",
		    "x") == 0);
	CHECK(a.widening_flag);
	CHECK_STR(a.widening_name, "process-label");
}

static void test_exec_additional_gids(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "exec", "-g", "0", "--additional-gids=10", "ID",
		    "x") == 0);
	CHECK(a.n_gids == 2);
	CHECK_STR(a.additional_gids[0], "0");
	CHECK_STR(a.additional_gids[1], "10");
}

static void test_exec_args_after_id_not_flags(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	/* Everything after the id is the command, as runc reads it. */
	CHECK(PARSE(&a, &err, "exec", "ID", "--user", "0", "sh") == 0);
	CHECK(a.user_index == -1);
	CHECK(PARSE(&a, &err, "exec", "ID", "--cap", "CAP_SYS_ADMIN") == 0);
	CHECK(a.n_caps == 0);
	CHECK(PARSE(&a, &err, "exec", "ID", "--bogus-flag", "x", "y") == 0);
	CHECK_STR(a.id, "ID");
}

static void test_exec_unknown_flag_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;

	CHECK(PARSE(&a, &err, "exec", "--privileged", "ID", "sh") < 0);
	CHECK_STR(err.msg, "unknown exec flag \"--privileged\", refused");
	memset(&err, 0, sizeof(err));
	/* urfave/cli has no "-u0": refused rather than guessed. */
	CHECK(PARSE(&a, &err, "exec", "-u0", "ID", "sh") < 0);
	CHECK_STR(err.msg, "unknown exec flag \"-u0\", refused");
}

static void test_exec_too_many_caps_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *argv[2 + 2 * (HS_EXEC_MAX_CAP_FLAGS + 1) + 3];
	int argc = 0, i;

	argv[argc++] = "hardshim-runc";
	argv[argc++] = "exec";
	for (i = 0; i <= HS_EXEC_MAX_CAP_FLAGS; i++) {
		argv[argc++] = "--cap";
		argv[argc++] = "CAP_KILL";
	}
	argv[argc++] = "ID";
	argv[argc++] = "sh";
	argv[argc] = NULL;
	CHECK(hs_runtime_args_parse(argc, (char *const *)argv, &a, &err) < 0);
	CHECK(err.errnum == E2BIG);
	CHECK_STR(err.msg, "more than 64 --cap flags, refused");
	/* Exactly the limit is accepted. */
	argv[argc - 4] = "ID";
	argv[argc - 3] = "sh";
	argv[argc - 2] = NULL;
	CHECK(hs_runtime_args_parse(argc - 2, (char *const *)argv, &a, &err) ==
	      0);
	CHECK(a.n_caps == HS_EXEC_MAX_CAP_FLAGS);
}

static void test_exec_too_many_gids_refused(void)
{
	struct hs_error err = {0};
	struct hs_runtime_args a;
	const char *argv[2 + 2 * (HS_EXEC_MAX_CAP_FLAGS + 1) + 3];
	int argc = 0, i;

	argv[argc++] = "hardshim-runc";
	argv[argc++] = "exec";
	for (i = 0; i <= HS_EXEC_MAX_CAP_FLAGS; i++) {
		argv[argc++] = "-g";
		argv[argc++] = "5";
	}
	argv[argc++] = "ID";
	argv[argc] = NULL;
	CHECK(hs_runtime_args_parse(argc, (char *const *)argv, &a, &err) < 0);
	CHECK_STR(err.msg, "more than 64 --additional-gids flags, refused");
}

int main(void)
{
	RUN(test_containerd_create);
	RUN(test_conmon_create);
	RUN(test_crio_conmon_create);
	RUN(test_bundle_short_and_inline);
	RUN(test_no_bundle_means_cwd);
	RUN(test_run_flags_after_id);
	RUN(test_second_positional_refused);
	RUN(test_unknown_flag_on_create_refused);
	RUN(test_unknown_global_flag_refused);
	RUN(test_missing_id);
	RUN(test_flag_missing_value);
	RUN(test_double_dash_ends_flags);
	RUN(test_boolean_flag_with_value);
	RUN(test_over_long_id_refused);
	RUN(test_other_subcommands);
	RUN(test_version_and_no_args);
	RUN(test_exec_process_file);
	RUN(test_exec_caps_recorded);
	RUN(test_exec_user_short);
	RUN(test_exec_user_inline);
	RUN(test_exec_last_user_wins);
	RUN(test_exec_no_new_privs);
	RUN(test_exec_widening_flags);
	RUN(test_exec_additional_gids);
	RUN(test_exec_args_after_id_not_flags);
	RUN(test_exec_unknown_flag_refused);
	RUN(test_exec_too_many_caps_refused);
	RUN(test_exec_too_many_gids_refused);
	TEST_EXIT();
}
