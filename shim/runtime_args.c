/* Parsing runc's command line; see hs_runtime_args.h. Flags follow Go's
 * urfave/cli rules: "-f", "--f", "-f=v", "--f=v", "--f v"; "--" ends them. */
#include <errno.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_runtime_args.h"

struct flag {
	const char *name; /* long name */
	const char *alias; /* short name or NULL */
	bool value; /* takes a value */
};

static const struct flag global_flags[] = {
	{"debug", NULL, false},	    {"log", NULL, true},
	{"log-format", NULL, true}, {"root", NULL, true},
	{"criu", NULL, true},	    {"systemd-cgroup", NULL, false},
	{"rootless", NULL, true},   {"help", "h", false},
	{"version", "v", false},    {NULL, NULL, false},
};

static const struct flag create_flags[] = {
	{"bundle", "b", true},
	{"console-socket", NULL, true},
	{"pid-file", NULL, true},
	{"no-pivot", NULL, false},
	{"no-new-keyring", NULL, false},
	{"preserve-fds", NULL, true},
	{"detach", "d", false},
	{"keep", NULL, false},
	{"no-subreaper", NULL, false},
	{"help", "h", false},
	{NULL, NULL, false},
};

static const struct flag restore_flags[] = {
	{"bundle", "b", true},
	{"console-socket", NULL, true},
	{"pid-file", NULL, true},
	{"image-path", NULL, true},
	{"work-path", NULL, true},
	{"manage-cgroups-mode", NULL, true},
	{"empty-ns", NULL, true},
	{"lsm-profile", NULL, true},
	{"lsm-mount-context", NULL, true},
	{"no-pivot", NULL, false},
	{"no-subreaper", NULL, false},
	{"tcp-established", NULL, false},
	{"ext-unix-sk", NULL, false},
	{"shell-job", NULL, false},
	{"file-locks", NULL, false},
	{"detach", "d", false},
	{"auto-dedup", NULL, false},
	{"lazy-pages", NULL, false},
	{"help", "h", false},
	{NULL, NULL, false},
};

static const struct flag exec_flags[] = {
	{"console-socket", NULL, true},
	{"cwd", NULL, true},
	{"env", "e", true},
	{"tty", "t", false},
	{"user", "u", true},
	{"additional-gids", "g", true},
	{"process", "p", true},
	{"detach", "d", false},
	{"pid-file", NULL, true},
	{"process-label", NULL, true},
	{"apparmor", NULL, true},
	{"no-new-privs", NULL, false},
	{"cap", "c", true},
	{"preserve-fds", NULL, true},
	{"cgroup", NULL, true},
	{"ignore-paused", NULL, false},
	{"help", "h", false},
	{NULL, NULL, false},
};

static const struct {
	const char *name;
	enum hs_subcommand sub;
	const struct flag *flags;
} subcommands[] = {
	{"create", HS_SUB_CREATE, create_flags},
	{"run", HS_SUB_RUN, create_flags},
	{"restore", HS_SUB_RESTORE, restore_flags},
	{"exec", HS_SUB_EXEC, exec_flags},
};

/* Splits "-x", "--x" or "--x=v" into name and inline value. Returns false
 * when `arg` is not a flag. */
static bool split_flag(const char *arg, char *name, size_t size,
		       const char **inline_value)
{
	const char *p = arg, *eq;
	size_t len;

	if (p[0] != '-' || p[1] == '\0')
		return false;
	p += p[1] == '-' ? 2 : 1;
	eq = strchr(p, '=');
	len = eq ? (size_t)(eq - p) : strlen(p);
	if (len == 0 || len >= size)
		return false;
	memcpy(name, p, len);
	name[len] = '\0';
	*inline_value = eq ? eq + 1 : NULL;
	return true;
}

static const struct flag *find_flag(const struct flag *flags, const char *name)
{
	for (; flags->name; flags++)
		if (strcmp(flags->name, name) == 0 ||
		    (flags->alias && strcmp(flags->alias, name) == 0))
			return flags;
	return NULL;
}

static int record_exec_flag(struct hs_runtime_args *a, const char *name,
			    const char *value, int value_index, bool is_inline,
			    struct hs_error *err)
{
	if (strcmp(name, "process") == 0)
		a->process = value;
	else if (strcmp(name, "user") == 0) {
		a->user_index = value_index;
		a->user_inline = is_inline;
	} else if (strcmp(name, "cap") == 0) {
		if (a->n_caps >= HS_EXEC_MAX_CAP_FLAGS)
			return hs_err(err, E2BIG,
				      "more than %d --cap flags, refused",
				      HS_EXEC_MAX_CAP_FLAGS);
		a->caps[a->n_caps++] = value;
	} else if (strcmp(name, "additional-gids") == 0) {
		if (a->n_gids >= HS_EXEC_MAX_CAP_FLAGS)
			return hs_err(err, E2BIG,
				      "more than %d --additional-gids flags, "
				      "refused",
				      HS_EXEC_MAX_CAP_FLAGS);
		a->additional_gids[a->n_gids++] = value;
	} else if (strcmp(name, "apparmor") == 0 ||
		   strcmp(name, "process-label") == 0) {
		a->widening_flag = true;
		a->widening_name = name;
	}
	return 0;
}

/* Walks the flags of one level (global or subcommand) from argv[*i],
 * stopping at the first argument that is not a flag. */
static int parse_flags(int argc, char *const *argv, int *i,
		       const struct flag *flags, const char *where,
		       struct hs_runtime_args *a, struct hs_error *err)
{
	for (; *i < argc; (*i)++) {
		char name[64];
		const char *inline_value, *value = NULL;
		const struct flag *f;
		int value_index = -1;

		if (strcmp(argv[*i], "--") == 0) {
			(*i)++;
			return 0;
		}
		if (!split_flag(argv[*i], name, sizeof(name), &inline_value))
			return 0;
		f = find_flag(flags, name);
		if (!f)
			return hs_err(err, EINVAL,
				      "unknown %s flag \"%s\", refused", where,
				      argv[*i]);
		if (f->value && inline_value) {
			value = inline_value;
			value_index = *i;
		} else if (f->value) {
			if (*i + 1 >= argc)
				return hs_err(err, EINVAL,
					      "flag \"%s\" needs a value",
					      argv[*i]);
			value = argv[++(*i)];
			value_index = *i;
		} else if (strcmp(f->name, "no-new-privs") == 0) {
			a->no_new_privs = inline_value ? inline_value : "true";
			continue;
		} else if (inline_value) {
			/* A boolean "--detach=false": a value, no argument. */
			continue;
		}
		if (!f->value)
			continue;
		if (flags == global_flags) {
			if (strcmp(f->name, "root") == 0)
				a->root = value;
			else if (strcmp(f->name, "log") == 0)
				a->log = value;
			else if (strcmp(f->name, "log-format") == 0)
				a->log_format = value;
		} else if (strcmp(f->name, "bundle") == 0) {
			a->bundle = value;
		} else if (a->sub == HS_SUB_EXEC &&
			   record_exec_flag(a, f->name, value, value_index,
					    inline_value != NULL, err) < 0) {
			return -1;
		}
	}
	return 0;
}

int hs_runtime_args_parse(int argc, char *const *argv,
			  struct hs_runtime_args *a, struct hs_error *err)
{
	int i = 1;
	size_t s;

	memset(a, 0, sizeof(*a));
	a->sub_index = a->id_index = a->user_index = -1;
	if (parse_flags(argc, argv, &i, global_flags, "global", a, err) < 0)
		return -1;
	if (i >= argc)
		return 0; /* "runc --version" and the like */
	a->sub_index = i;
	for (s = 0; s < HS_ARRAY_SIZE(subcommands); s++)
		if (strcmp(argv[i], subcommands[s].name) == 0)
			break;
	if (s == HS_ARRAY_SIZE(subcommands))
		return 0; /* start, state, kill, delete ...: untouched */
	a->sub = subcommands[s].sub;
	i++;
	if (parse_flags(argc, argv, &i, subcommands[s].flags,
			subcommands[s].name, a, err) < 0)
		return -1;
	if (i >= argc)
		return hs_err(err, EINVAL, "%s: no container id given",
			      subcommands[s].name);
	if (strlen(argv[i]) > HS_ID_MAX)
		return hs_err(err, ENAMETOOLONG,
			      "container id longer than the limit of %d",
			      HS_ID_MAX);
	a->id = argv[i];
	a->id_index = i;
	if (a->sub == HS_SUB_EXEC)
		return 0; /* runc exec: everything after the id is the command
			   */
	/* create, run and restore reorder their arguments (urfave/cli v1):
	 * "run ID --bundle B" reads bundle B. So flags after the id count,
	 * and a second positional argument is an error, as it is in runc. */
	i++;
	if (parse_flags(argc, argv, &i, subcommands[s].flags,
			subcommands[s].name, a, err) < 0)
		return -1;
	if (i < argc)
		return hs_err(err, EINVAL,
			      "%s: unexpected argument \"%s\" after the "
			      "container id",
			      subcommands[s].name, argv[i]);
	return 0;
}
