/* Validation of one seccomp profile file, as written (before `extends` is
 * followed). See hs_profile_validate in hs_profile.h. Pure.
 *
 * Trust: a profile is written by a policy author, not by a tenant, but a
 * mistake in one silently weakens every container that uses it. So unknown
 * keys, unknown names, ambiguous rules and values that cannot mean what
 * they say are errors, reported all at once with the file and JSON path.
 * Only what Docker's own default profile needs in order to load unchanged
 * (syscalls newer than the linked libseccomp) is a warning, and only where
 * skipping the name cannot widen the filter; that is decided when the
 * profile is resolved (resolve.c).
 *
 * Numbers: jansson reads integers as signed 64-bit values and rejects
 * larger ones as a syntax error, so args values and valueTwo of 2^63 and
 * above cannot be written. Negative values are errors: the kernel compares
 * unsigned 64-bit arguments, and a negative number would be read by runc
 * as something else.
 *
 * Cost: this runs on every container start. The JSON path of a value is
 * therefore kept as a chain of (parent, key or index) on the stack and
 * written out only when an error or warning names it, and the typed
 * getters of hs_json.h, which write the path before they look at the
 * value, are only called to report a value already found wrong. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "hs_cleanup.h"
#include "profile_internal.h"
#include "hs_seccomp.h"

/* The largest errno the kernel lets SECCOMP_RET_ERRNO return. */
#define ERRNO_MAX 4095

#define PATH_BUF HS_PROFILE_PATH_BUF

static const char *const top_keys[] = {
	"defaultAction",
	"defaultErrnoRet",
	"architectures",
	"archMap",
	"syscalls",
	"flags",
	"listenerPath",
	"listenerMetadata",
	"extends",
	"comment",
	NULL,
};
static const char *const rule_keys[] = {
	"names",    "name",	"action",  "errnoRet", "args",
	"includes", "excludes", "comment", NULL,
};
static const char *const arg_keys[] = {"index", "value", "valueTwo", "op",
				       NULL};
static const char *const filter_keys[] = {"caps", "arches", "minKernel", NULL};
static const char *const archmap_keys[] = {"architecture", "subArchitectures",
					   NULL};

/* The flags of the OCI runtime spec that runc passes to seccomp(2). */
static const char *const oci_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

/* The architecture names moby compares includes/excludes.arches with: the
 * values of its GOARCH table, the keys of its libseccomp table, and "x32",
 * which Docker's default profile uses. Anything else can never match, so a
 * typo would silently drop (or keep) a rule on every node. */
static const char *const docker_arches[] = {
	"x86",	       "amd64",	      "x32",	"arm",	     "arm64",
	"loong64",     "loongarch64", "mips64", "mips64n32", "mipsel64",
	"mips3l64n32", "mipsel",      "mipsle", "ppc",	     "ppc64",
	"ppc64le",     "riscv64",     "s390",	"s390x",
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * JSON paths, written out only when reported
 * ------------------------------------------------------------------- */

/* One step of a path: parent.key, or parent[index] when key is NULL. A
 * NULL path is the root (""). */
struct jpath {
	const struct jpath *up;
	const char *key;
	size_t index;
};

#define KEY(parent, k) ((struct jpath){.up = (parent), .key = (k)})
#define INDEX(parent, i) ((struct jpath){.up = (parent), .index = (i)})
#define TOP(k) (&(const struct jpath){.key = (k)})

/* Writes the path as hs_json_path_key/index would have built it step by
 * step, each step in a PATH_BUF buffer. */
static void render(const struct jpath *p, char *buf, size_t size)
{
	char up[PATH_BUF];

	if (!p) {
		buf[0] = '\0';
		return;
	}
	render(p->up, up, sizeof(up));
	if (p->key)
		hs_json_path_key(buf, size, up, p->key);
	else
		hs_json_path_index(buf, size, up, p->index);
}

struct vctx {
	const char *file;
	struct hs_error *err;
	int rc;
};

/* Reports "file: path: message" for the path `at`. */
#define VERR(v, at, ...)                                               \
	do {                                                           \
		char verr_path_[PATH_BUF];                             \
                                                                       \
		render((at), verr_path_, sizeof(verr_path_));          \
		(v)->rc = hs_json_err((v)->err, (v)->file, verr_path_, \
				      __VA_ARGS__);                    \
	} while (0)

static void note(struct vctx *v, int r)
{
	if (r < 0)
		v->rc = -1;
}

/* hs_json_check_keys, called (to report every unknown key with the path)
 * only once one is found. */
static int check_keys(struct vctx *v, const json_t *obj,
		      const char *const *allowed, const struct jpath *at)
{
	const char *key;
	json_t *value;
	char p[PATH_BUF];

	json_object_foreach ((json_t *)obj, key, value) {
		const char *const *a = allowed;

		(void)value;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a) {
			render(at, p, sizeof(p));
			return hs_json_check_keys(obj, allowed, v->file, p,
						  v->err);
		}
	}
	return 0;
}

/* The typed getters of hs_json.h (hs_json_get_string, _int and
 * _string_array) without their cost for a good value: each accepts here
 * exactly what its namesake accepts, and hands anything else to it, which
 * reports it with the path. They must be kept in step with shim/json_io.c;
 * test_profile's invalid fixtures check the messages. */
static bool absent(const json_t *x)
{
	return !x || json_is_null(x);
}

static int get_string(struct vctx *v, const json_t *obj, const char *key,
		      bool required, const char **ret, const struct jpath *at)
{
	const json_t *x = json_object_get(obj, key);
	char p[PATH_BUF];

	if (json_is_string(x)) {
		*ret = json_string_value(x);
		return 0;
	}
	if (!required && absent(x))
		return 0;
	render(at, p, sizeof(p));
	return hs_json_get_string(obj, key, required, ret, v->file, p, v->err);
}

static int get_int(struct vctx *v, const json_t *obj, const char *key,
		   bool required, int64_t min, int64_t max, int64_t *ret,
		   const struct jpath *at)
{
	const json_t *x = json_object_get(obj, key);
	char p[PATH_BUF];

	if (json_is_integer(x) && json_integer_value(x) >= min &&
	    json_integer_value(x) <= max) {
		*ret = json_integer_value(x);
		return 0;
	}
	if (!required && absent(x))
		return 0;
	render(at, p, sizeof(p));
	return hs_json_get_int(obj, key, required, min, max, ret, v->file, p,
			       v->err);
}

static bool all_strings(const json_t *arr)
{
	const json_t *s;
	size_t i;

	json_array_foreach (arr, i, s)
		if (!json_is_string(s))
			return false;
	return true;
}

static int get_string_array(struct vctx *v, const json_t *obj, const char *key,
			    bool required, size_t max, const json_t **ret,
			    const struct jpath *at)
{
	const json_t *x = json_object_get(obj, key);
	char p[PATH_BUF];

	if (json_is_array(x) && json_array_size(x) <= max && all_strings(x)) {
		*ret = x;
		return 0;
	}
	if (!required && absent(x))
		return 0;
	render(at, p, sizeof(p));
	return hs_json_get_string_array(obj, key, required, max, ret, v->file,
					p, v->err);
}

/* ---------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------- */

const char *hs_profile_extends_problem(const char *ext)
{
	const char *c = ext;

	if (!*ext)
		return "must not be empty";
	if (ext[0] == '/')
		return "must be a path relative to this file's directory";
	if (strlen(ext) >= HS_PATH_MAX)
		return "longer than HS_PATH_MAX";
	while (*c) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "must not contain a \"..\" component";
		c += n;
		if (*c == '/')
			c++;
	}
	if (ext[strlen(ext) - 1] == '/')
		return "must name a file";
	return NULL;
}

typedef void check_fn(struct vctx *v, const struct jpath *at, const char *s);

/* An array of unique strings, each checked by `check` (which reports). */
static const json_t *unique_strings(struct vctx *v, const json_t *obj,
				    const char *key, const struct jpath *parent,
				    size_t max, check_fn *check)
{
	const json_t *arr = NULL, *s;
	const struct jpath p = KEY(parent, key);
	size_t i, j;

	if (get_string_array(v, obj, key, false, max, &arr, parent) < 0) {
		v->rc = -1;
		return NULL;
	}
	json_array_foreach (arr, i, s) {
		const struct jpath pi = INDEX(&p, i);
		const char *str = json_string_value(s);

		if (check)
			check(v, &pi, str);
		for (j = 0; j < i; j++)
			if (strcmp(json_string_value(json_array_get(arr, j)),
				   str) == 0) {
				VERR(v, &pi, "\"%s\" is listed twice", str);
				break;
			}
	}
	return arr;
}

static void check_arch_supported(struct vctx *v, const struct jpath *at,
				 const char *arch)
{
	char ver[32];

	switch (hs_seccomp_arch_support(arch)) {
	case HS_ARCH_UNKNOWN:
		VERR(v, at, "unknown architecture \"%s\"", arch);
		break;
	case HS_ARCH_UNSUPPORTED:
		hs_seccomp_version(ver, sizeof(ver));
		VERR(v, at,
		     "architecture \"%s\" is not supported by libseccomp %s",
		     arch, ver);
		break;
	case HS_ARCH_SUPPORTED:
		break;
	}
}

/* archMap entries may name architectures the linked libseccomp lacks
 * (Docker's profile has SCMP_ARCH_LOONGARCH64): only the node's entry is
 * ever used, and hs_profile_resolve checks that one. */
static void check_arch_known(struct vctx *v, const struct jpath *at,
			     const char *arch)
{
	if (hs_seccomp_arch_support(arch) == HS_ARCH_UNKNOWN)
		VERR(v, at, "unknown architecture \"%s\"", arch);
}

static void check_flag(struct vctx *v, const struct jpath *at, const char *flag)
{
	if (!in_list(oci_flags, HS_ARRAY_SIZE(oci_flags), flag))
		VERR(v, at, "unknown seccomp flag \"%s\"", flag);
}

static void check_cap(struct vctx *v, const struct jpath *at, const char *cap)
{
	const char *c = cap + 4;

	if (strncmp(cap, "CAP_", 4) != 0 || !*c)
		goto bad;
	for (; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || *c == '_'))
			goto bad;
	return;
bad:
	VERR(v, at, "invalid capability name \"%s\" (CAP_[A-Z_]+)", cap);
}

static void check_docker_arch(struct vctx *v, const struct jpath *at,
			      const char *arch)
{
	if (!in_list(docker_arches, HS_ARRAY_SIZE(docker_arches), arch))
		VERR(v, at,
		     "unknown architecture \"%s\" (Docker's names: amd64, "
		     "x86, x32, arm64, arm, ppc64le, s390x, riscv64, ...)",
		     arch);
}

static void check_syscall_name(struct vctx *v, const struct jpath *at,
			       const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0) {
		VERR(v, at, "empty syscall name");
		return;
	}
	if (n > HS_SYSCALL_NAME_MAX) {
		VERR(v, at,
		     "syscall name of %zu characters, more than the limit of "
		     "%d",
		     n, HS_SYSCALL_NAME_MAX);
		return;
	}
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_')) {
			VERR(v, at,
			     "invalid syscall name \"%s\" (a-z, 0-9 and _ "
			     "only)",
			     name);
			return;
		}
}

/* errnoRet or defaultErrnoRet: [0, 4095], and only where the action
 * returns an errno. `action` is NULL when the same object sets none, and
 * `action_ok` false when it sets one that was already reported. */
static void check_errno_ret(struct vctx *v, const json_t *obj, const char *key,
			    const struct jpath *parent, const char *action,
			    bool action_ok, const char *action_key)
{
	const struct jpath p = KEY(parent, key);
	int64_t n;

	if (!hs_profile_get_set(obj, key))
		return;
	if (get_int(v, obj, key, false, 0, ERRNO_MAX, &n, parent) < 0) {
		v->rc = -1;
		return;
	}
	if (!action)
		VERR(v, &p, "needs %s next to it", action_key);
	else if (action_ok && !hs_profile_takes_errno(action))
		VERR(v, &p,
		     "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno, "
		     "not %s",
		     action);
}

/* ---------------------------------------------------------------------
 * Top-level settings
 * ------------------------------------------------------------------- */

static void validate_archmap_entry(struct vctx *v, const json_t *map,
				   const json_t *entry, size_t i)
{
	const struct jpath p = INDEX(TOP("archMap"), i);
	const struct jpath pa = KEY(&p, "architecture");
	const struct jpath psubs = KEY(&p, "subArchitectures");
	const char *arch = NULL;
	const json_t *subs, *sub;
	size_t j;

	if (!json_is_object(entry)) {
		VERR(v, &p, "must be an object");
		return;
	}
	note(v, check_keys(v, entry, archmap_keys, &p));
	note(v, get_string(v, entry, "architecture", true, &arch, &p));
	if (arch) {
		check_arch_known(v, &pa, arch);
		for (j = 0; j < i; j++) {
			const json_t *o = json_object_get(
				json_array_get(map, j), "architecture");

			if (json_is_string(o) &&
			    strcmp(json_string_value(o), arch) == 0) {
				VERR(v, &pa,
				     "\"%s\" already has an entry in "
				     "archMap[%zu]",
				     arch, j);
				break;
			}
		}
	}
	subs = unique_strings(v, entry, "subArchitectures", &p,
			      HS_PROFILE_MAX_ARCHES, check_arch_known);
	json_array_foreach (subs, j, sub) {
		const struct jpath ps = INDEX(&psubs, j);

		if (arch && strcmp(json_string_value(sub), arch) == 0)
			VERR(v, &ps, "\"%s\" is the entry's own architecture",
			     arch);
	}
}

static void validate_arches(struct vctx *v, const json_t *profile)
{
	const json_t *arches, *map, *entry;
	size_t i;

	arches = unique_strings(v, profile, "architectures", NULL,
				HS_PROFILE_MAX_ARCHES, check_arch_supported);
	map = hs_profile_get_set(profile, "archMap");
	if (!map)
		return;
	if (!json_is_array(map)) {
		VERR(v, TOP("archMap"), "must be an array");
		return;
	}
	if (json_array_size(map) > HS_PROFILE_MAX_ARCHES) {
		VERR(v, TOP("archMap"),
		     "%zu entries, more than the limit of %d",
		     json_array_size(map), HS_PROFILE_MAX_ARCHES);
		return;
	}
	json_array_foreach (map, i, entry)
		validate_archmap_entry(v, map, entry, i);
	/* moby refuses both; say so here rather than on the node. */
	if (json_array_size(arches) > 0 && json_array_size(map) > 0)
		VERR(v, TOP("archMap"),
		     "both architectures and archMap are set; use one");
}

static void validate_listener(struct vctx *v, const json_t *profile)
{
	const char *path = NULL, *meta = NULL;

	note(v, get_string(v, profile, "listenerPath", false, &path, NULL));
	note(v, get_string(v, profile, "listenerMetadata", false, &meta, NULL));
	if (!path)
		return;
	/* runc connects to it as a unix socket: sun_path bounds it. */
	if (path[0] != '/')
		VERR(v, TOP("listenerPath"), "must be an absolute path");
	else if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		VERR(v, TOP("listenerPath"),
		     "longer than a unix socket path (%zu bytes)",
		     sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
}

/* ---------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------- */

/* `seen` is shared by the rules of the file: a name whose slot says it
 * was last seen in rule `i` is listed twice in this rule. */
static void validate_names(struct vctx *v, const json_t *rule, size_t i,
			   const struct jpath *path, struct hs_name_index *seen)
{
	const struct jpath p = KEY(path, "names");
	const struct jpath pname = KEY(path, "name");
	const json_t *names = NULL, *n;
	const char *name = NULL;
	bool has_names = hs_profile_get_set(rule, "names") != NULL;
	bool has_name = hs_profile_get_set(rule, "name") != NULL;
	size_t j;

	if (has_name && has_names) {
		VERR(v, path,
		     "both \"name\" and \"names\" are set; use \"names\"");
		return;
	}
	if (!has_name && !has_names) {
		VERR(v, path, "\"names\" is required");
		return;
	}
	if (has_name) {
		note(v, get_string(v, rule, "name", true, &name, path));
		if (name)
			check_syscall_name(v, &pname, name);
		return;
	}
	note(v, get_string_array(v, rule, "names", true, HS_PROFILE_MAX_NAMES,
				 &names, path));
	if (!names)
		return;
	if (json_array_size(names) == 0)
		VERR(v, &p, "must not be empty");
	json_array_foreach (names, j, n) {
		const struct jpath pj = INDEX(&p, j);
		const char *s = json_string_value(n);
		struct hs_name_slot *slot;

		check_syscall_name(v, &pj, s);
		slot = hs_name_index_add(seen, s);
		if (!slot) {
			VERR(v, &p, "out of memory");
			return;
		}
		if (slot->first == i)
			VERR(v, &pj, "\"%s\" is listed twice in this rule", s);
		slot->first = i;
	}
}

static void validate_arg(struct vctx *v, const json_t *arg,
			 const struct jpath *pa, bool *compared)
{
	const struct jpath pop = KEY(pa, "op");
	const struct jpath pindex = KEY(pa, "index");
	const struct jpath pv2 = KEY(pa, "valueTwo");
	int64_t index = -1, value = -1, value2 = 0;
	const char *op = NULL;

	if (!json_is_object(arg)) {
		VERR(v, pa, "must be an object");
		return;
	}
	note(v, check_keys(v, arg, arg_keys, pa));
	note(v, get_int(v, arg, "index", true, 0, HS_PROFILE_MAX_ARGS - 1,
			&index, pa));
	note(v, get_int(v, arg, "value", true, 0, INT64_MAX, &value, pa));
	note(v, get_int(v, arg, "valueTwo", false, 0, INT64_MAX, &value2, pa));
	note(v, get_string(v, arg, "op", true, &op, pa));
	if (op && !hs_seccomp_op_known(op)) {
		VERR(v, &pop, "unknown operator \"%s\"", op);
		op = NULL;
	}
	if (index >= 0 && compared[index]) {
		/* libseccomp 2.5 refuses a second comparison of the same
		 * argument in one rule (EINVAL). */
		VERR(v, &pindex,
		     "argument %lld is already compared in this rule",
		     (long long)index);
	} else if (index >= 0) {
		compared[index] = true;
	}
	if (op && value >= 0 && strcmp(op, "SCMP_CMP_MASKED_EQ") == 0 &&
	    ((uint64_t)value2 & ~(uint64_t)value) != 0)
		VERR(v, &pv2,
		     "%lld has bits outside the mask %lld (value): "
		     "the comparison can never match",
		     (long long)value2, (long long)value);
	else if (op && strcmp(op, "SCMP_CMP_MASKED_EQ") != 0 && value2 != 0)
		VERR(v, &pv2, "only SCMP_CMP_MASKED_EQ uses valueTwo");
}

static void validate_args(struct vctx *v, const json_t *rule,
			  const struct jpath *path)
{
	const json_t *args = hs_profile_get_set(rule, "args"), *arg;
	const struct jpath p = KEY(path, "args");
	bool compared[HS_PROFILE_MAX_ARGS] = {false};
	size_t i;

	if (!args)
		return;
	if (!json_is_array(args)) {
		VERR(v, &p, "must be an array");
		return;
	}
	if (json_array_size(args) > HS_PROFILE_MAX_ARGS) {
		VERR(v, &p, "%zu comparisons, more than the limit of %d",
		     json_array_size(args), HS_PROFILE_MAX_ARGS);
		return;
	}
	json_array_foreach (args, i, arg) {
		const struct jpath pa = INDEX(&p, i);

		validate_arg(v, arg, &pa, compared);
	}
}

static void check_min_kernel(struct vctx *v, const struct jpath *at,
			     const char *s)
{
	unsigned major, minor;

	if (hs_profile_parse_kernel_version(s, &major, &minor) < 0)
		VERR(v, at,
		     "invalid kernel version \"%s\", expected "
		     "\"<kernel>.<major>\" "
		     "such as \"5.8\"",
		     s);
}

static void validate_filter(struct vctx *v, const json_t *rule, const char *key,
			    const struct jpath *path)
{
	const json_t *f = hs_profile_get_set(rule, key);
	const struct jpath p = KEY(path, key);
	const struct jpath pmin = KEY(&p, "minKernel");
	const char *min = NULL;

	if (!f)
		return;
	if (!json_is_object(f)) {
		VERR(v, &p, "must be an object");
		return;
	}
	note(v, check_keys(v, f, filter_keys, &p));
	unique_strings(v, f, "caps", &p, HS_PROFILE_MAX_FILTER_ENTRIES,
		       check_cap);
	unique_strings(v, f, "arches", &p, HS_PROFILE_MAX_FILTER_ENTRIES,
		       check_docker_arch);
	note(v, get_string(v, f, "minKernel", false, &min, &p));
	if (min)
		check_min_kernel(v, &pmin, min);
}

/* Returns 0 when the rule is valid. */
static int validate_rule(struct vctx *v, const json_t *rule, size_t i,
			 struct hs_name_index *seen)
{
	struct vctx r = {v->file, v->err, 0};
	const struct jpath path = INDEX(TOP("syscalls"), i);
	const struct jpath paction = KEY(&path, "action");
	const char *action = NULL, *comment = NULL;
	bool action_ok = false;

	if (!json_is_object(rule)) {
		VERR(&r, &path, "must be an object");
		goto out;
	}
	note(&r, check_keys(&r, rule, rule_keys, &path));
	validate_names(&r, rule, i, &path, seen);
	note(&r, get_string(&r, rule, "action", true, &action, &path));
	if (action) {
		action_ok = hs_seccomp_action_known(action);
		if (!action_ok)
			VERR(&r, &paction, "unknown action \"%s\"", action);
	}
	check_errno_ret(&r, rule, "errnoRet", &path, action, action_ok,
			"action");
	validate_args(&r, rule, &path);
	validate_filter(&r, rule, "includes", &path);
	validate_filter(&r, rule, "excludes", &path);
	note(&r, get_string(&r, rule, "comment", false, &comment, &path));
out:
	note(v, r.rc);
	return r.rc;
}

/* ---------------------------------------------------------------------
 * Conflicts inside one file
 * ------------------------------------------------------------------- */

/* One name of one valid rule, in the list kept for that name. */
struct named {
	size_t rule;
	long at; /* index in names[], -1 for the legacy `name` */
	size_t next; /* the next rule naming it, or HS_NAME_NONE */
};

static void name_path(char *buf, size_t size, const struct named *e)
{
	if (e->at < 0)
		hs_snprintf(buf, size, "syscalls[%zu].name", e->rule);
	else
		hs_snprintf(buf, size, "syscalls[%zu].names[%ld]", e->rule,
			    e->at);
}

/* The first rule already seen for this name that selects the same calls
 * (args and conditions) with another effect, or NULL. */
static const struct named *conflicting(const json_t *calls,
				       const struct hs_rule_effect *effects,
				       const struct named *list, size_t first,
				       size_t i)
{
	size_t k;

	for (k = first; k != HS_NAME_NONE; k = list[k].next)
		if (!hs_profile_effect_equal(&effects[list[k].rule],
					     &effects[i]) &&
		    hs_profile_conditions_equal(
			    json_array_get(calls, list[k].rule),
			    json_array_get(calls, i)))
			return &list[k];
	return NULL;
}

/* The same syscall, args and conditions with a different effect: which
 * one runc would apply depends on libseccomp's internals, so the author
 * must choose. Only valid rules are compared. */
static void check_file_conflicts(struct vctx *v, const json_t *calls,
				 const bool *valid, size_t n_names)
{
	_cleanup_name_index_ struct hs_name_index ix = {0};
	_cleanup_free_ struct named *list = calloc(n_names + 1, sizeof(*list));
	_cleanup_free_ struct hs_rule_effect *effects =
		calloc(json_array_size(calls) + 1, sizeof(*effects));
	const json_t *rule;
	size_t i, j, n = 0;

	if (!list || !effects || hs_name_index_init(&ix, n_names) < 0) {
		VERR(v, TOP("syscalls"), "out of memory");
		return;
	}
	json_array_foreach (calls, i, rule) {
		const json_t *names = hs_profile_get_set(rule, "names");
		const struct hs_rule_effect *effect = &effects[i];

		if (!valid[i])
			continue;
		hs_profile_rule_effect(rule, &effects[i]);
		for (j = 0; j < (names ? json_array_size(names) : 1); j++) {
			const char *name = json_string_value(
				names ? json_array_get(names, j)
				      : json_object_get(rule, "name"));
			struct hs_name_slot *s = hs_name_index_add(&ix, name);
			struct named *e = &list[n];
			const struct named *prior;

			if (!s || n >= n_names) {
				VERR(v, TOP("syscalls"), "out of memory");
				return;
			}
			*e = (struct named){i, names ? (long)j : -1,
					    HS_NAME_NONE};
			prior = conflicting(calls, effects, list, s->first, i);
			if (prior) {
				char p[PATH_BUF], pp[PATH_BUF];
				char here[64], there[64];

				hs_profile_effect_text(&effects[prior->rule],
						       there, sizeof(there));
				hs_profile_effect_text(effect, here,
						       sizeof(here));
				name_path(p, sizeof(p), e);
				name_path(pp, sizeof(pp), prior);
				v->rc = hs_json_err(
					v->err, v->file, p,
					"\"%s\" conflicts with %s: same "
					"arguments and conditions, different "
					"action (%s there, %s here)",
					name, pp, there, here);
			}
			if (s->last == HS_NAME_NONE)
				s->first = n;
			else
				list[s->last].next = n;
			s->last = n++;
		}
	}
}

static void validate_syscalls(struct vctx *v, const json_t *profile)
{
	const json_t *calls = hs_profile_get_set(profile, "syscalls"), *rule;
	_cleanup_name_index_ struct hs_name_index seen = {0};
	_cleanup_free_ bool *valid = NULL;
	size_t i, n_written = 0, n_valid = 0;

	if (!calls)
		return;
	if (!json_is_array(calls)) {
		VERR(v, TOP("syscalls"), "must be an array");
		return;
	}
	if (json_array_size(calls) > HS_PROFILE_MAX_RULES) {
		VERR(v, TOP("syscalls"), "%zu rules, more than the limit of %d",
		     json_array_size(calls), HS_PROFILE_MAX_RULES);
		return;
	}
	json_array_foreach (calls, i, rule)
		n_written += json_array_size(json_object_get(rule, "names"));
	valid = calloc(json_array_size(calls) + 1, sizeof(*valid));
	if (!valid || hs_name_index_init(&seen, n_written) < 0) {
		VERR(v, TOP("syscalls"), "out of memory");
		return;
	}
	json_array_foreach (calls, i, rule) {
		valid[i] = validate_rule(v, rule, i, &seen) == 0;
		if (valid[i]) {
			const json_t *names = hs_profile_get_set(rule, "names");

			n_valid += names ? json_array_size(names) : 1;
		}
	}
	check_file_conflicts(v, calls, valid, n_valid);
}

int hs_profile_validate(const json_t *profile, const char *file,
			struct hs_error *err)
{
	struct vctx v = {file, err, 0};
	const char *ext = NULL, *def = NULL, *comment = NULL;
	bool def_ok = false;

	if (!json_is_object(profile))
		return hs_json_err(err, file, "",
				   "a seccomp profile must be a JSON object");
	note(&v, check_keys(&v, profile, top_keys, NULL));
	note(&v, get_string(&v, profile, "extends", false, &ext, NULL));
	if (ext && hs_profile_extends_problem(ext))
		VERR(&v, TOP("extends"), "\"%s\" %s", ext,
		     hs_profile_extends_problem(ext));
	/* The chain must end in a file that says what everything else
	 * gets; only a file that extends another may leave that out. */
	note(&v, get_string(&v, profile, "defaultAction", !ext, &def, NULL));
	if (def) {
		def_ok = hs_seccomp_action_known(def);
		if (!def_ok)
			VERR(&v, TOP("defaultAction"), "unknown action \"%s\"",
			     def);
		else if (strcmp(def, "SCMP_ACT_NOTIFY") == 0)
			/* runc refuses it: the supervisor would be asked
			 * about every syscall, including its own socket's. */
			VERR(&v, TOP("defaultAction"),
			     "SCMP_ACT_NOTIFY cannot be the default action");
	}
	check_errno_ret(&v, profile, "defaultErrnoRet", NULL, def, def_ok,
			"defaultAction");
	validate_arches(&v, profile);
	unique_strings(&v, profile, "flags", NULL, HS_PROFILE_MAX_FLAGS,
		       check_flag);
	validate_listener(&v, profile);
	note(&v, get_string(&v, profile, "comment", false, &comment, NULL));
	validate_syscalls(&v, profile);
	return v.rc;
}
