/* `hardshim verify [--root DIR] ID` and `hardshim verify --all [--root
 * DIR]...`: the library in shim/verify.c, one event line on stdout per
 * failure, errors on stderr, one line each. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_commands.h"
#include "hs_config.h"
#include "hs_event.h"
#include "hs_verify.h"

#define USAGE "hardshim verify [--root DIR] ID | --all [--root DIR]..."

struct verify_args {
	bool all;
	const char *id;
	const char *roots[HS_CONFIG_MAX_LIST];
	size_t n_roots;
};

static int usage(const char *why, const char *arg)
{
	/* One line: the reason, then the usage. */
	fprintf(stderr, "hardshim verify: %s%s%s%s (usage: %s)\n", why,
		arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "", USAGE);
	return 2;
}

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0) {
			a->all = true;
		} else if (strcmp(argv[i], "--root") == 0) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage("--root needs a directory", NULL);
			if (a->n_roots == HS_CONFIG_MAX_LIST)
				return usage("too many --root", NULL);
			a->roots[a->n_roots++] = argv[++i];
		} else if (argv[i][0] == '-') {
			return usage("unknown option", argv[i]);
		} else if (a->id) {
			return usage("one container id only; extra argument",
				     argv[i]);
		} else {
			a->id = argv[i];
		}
	}
	if (a->all && a->id)
		return usage("--all takes no container id", NULL);
	if (!a->all && !a->id)
		return usage("a container id (or --all) is required", NULL);
	if (!a->all && a->n_roots > 1)
		return usage("one --root for one container", NULL);
	return 0;
}

/* Without --root: the first of the config's roots that has the id. */
static const char *find_root(const struct hs_config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->monitor.n_runc_roots; i++) {
		_cleanup_close_ int fd =
			open(cfg->monitor.runc_roots[i],
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		if (fd >= 0 && !strchr(id, '/') &&
		    fstatat(fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			return cfg->monitor.runc_roots[i];
	}
	return cfg->monitor.n_runc_roots ? cfg->monitor.runc_roots[0]
					 : "/run/runc";
}

static int print_events(const json_t *events)
{
	struct hs_error err = {0};
	size_t i;
	json_t *line;

	json_array_foreach (events, i, line)
		if (hs_event_write_fd(STDOUT_FILENO, line, &err) < 0) {
			fprintf(stderr, "hardshim verify: %s\n", err.msg);
			return -1;
		}
	return 0;
}

int hs_cmd_verify(int argc, char **argv)
{
	_cleanup_json_ json_t *events = json_array();
	struct verify_args a;
	struct hs_error err = {0};
	struct hs_config cfg;
	int ret = 0, r;
	size_t i, checked;

	r = parse_args(argc, argv, &a);
	if (r)
		return r;
	if (!events) {
		fprintf(stderr, "hardshim verify: out of memory\n");
		return 1;
	}
	/* The policies decide what every container may do: the same owner
	 * and mode checks as the wrapper and the hooks. */
	hs_json_trust_policy_files();
	if (hs_config_load(hs_config_path(), &cfg, &err) < 0) {
		fprintf(stderr, "hardshim verify: %s\n", err.msg);
		return 1;
	}
	if (!a.n_roots && a.all) {
		for (i = 0; i < cfg.monitor.n_runc_roots; i++)
			a.roots[a.n_roots++] = cfg.monitor.runc_roots[i];
	} else if (!a.n_roots) {
		a.roots[a.n_roots++] = find_root(&cfg, a.id);
	}
	for (i = 0; i < a.n_roots; i++) {
		err = (struct hs_error){0};
		if (a.all)
			r = hs_verify_root(&cfg, a.roots[i], events, &checked,
					   &err);
		else
			r = hs_verify_container(&cfg, a.roots[i], a.id, events,
						&err);
		/* One root that cannot be read does not stop the others;
		 * the exit status still says it. */
		if (r < 0)
			fprintf(stderr, "hardshim verify: %s\n", err.msg);
		if (r != 0)
			ret = 1;
		if (r == HS_VERIFY_FATAL)
			break;
	}
	if (print_events(events) < 0)
		ret = 1;
	hs_config_free(&cfg);
	return ret;
}
