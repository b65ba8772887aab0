/* Seccomp profiles: parsing, validation, `extends`, Docker's resolution.
 * See hs_profile.h. Pure: files are read, nothing else is touched.
 *
 * Trust: a profile is written by a policy author, not by a tenant, but a
 * mistake in one silently weakens every container that uses it. So unknown
 * keys, unknown names, ambiguous rules and values that cannot mean what
 * they say are errors, reported all at once with the file and JSON path.
 * Only what Docker's own default profile needs in order to load unchanged
 * (syscalls newer than the linked libseccomp) is a warning, and only where
 * skipping the name cannot widen the filter.
 *
 * Inheritance (`extends`)
 * -----------------------
 * A profile may name one base profile: "extends": "base.json".
 *
 *  1. The path is relative to the directory of the file that says
 *     `extends`, must not be absolute, must have no ".." component, and
 *     its last component must not be a symbolic link (O_NOFOLLOW).
 *  2. A base may itself extend another. At most
 *     HS_PROFILE_MAX_EXTENDS_DEPTH extends are followed from the file
 *     named on the command line; a file that reappears in its own chain
 *     is an error (a cycle).
 *  3. Each file is validated on its own, as written. A file without
 *     `extends` must set defaultAction; a file with one may leave it out.
 *  4. Scalars: the child's defaultAction, listenerPath, listenerMetadata
 *     and comment replace the base's. defaultAction and defaultErrnoRet are
 *     one setting: a child that sets defaultAction drops the base's
 *     defaultErrnoRet unless it sets its own, and defaultErrnoRet may only
 *     be written next to defaultAction.
 *  5. Lists that are one setting: when the child sets `architectures` or
 *     `archMap`, both of the base's are replaced by the child's; when it
 *     sets `flags`, the base's flags are replaced.
 *  6. Syscalls: the base's rules come first, then the child's. A syscall
 *     named in any of the child's rules is removed from every base rule
 *     that names it, whatever that rule's args or includes/excludes, and a
 *     base rule left without names disappears. The child therefore decides
 *     alone about each syscall it names: it can tighten one (ALLOW in the
 *     base, ERRNO in the child) as well as loosen one, and the two files
 *     can never disagree about it.
 *  7. The limits apply to each file and to the merged profile
 *     (HS_PROFILE_MAX_RULES rules in all).
 *
 * Numbers: jansson reads integers as signed 64-bit values and rejects
 * larger ones as a syntax error, so args values and valueTwo of 2^63 and
 * above cannot be written. Negative values are errors: the kernel compares
 * unsigned 64-bit arguments, and a negative number would be read by runc
 * as something else. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>

#include "hs_cleanup.h"
#include "hs_profile.h"
#include "hs_seccomp.h"

/* caps[] and arches[] of one includes/excludes object. The kernel has
 * about 41 capabilities and Docker knows 17 architectures. */
#define HS_PROFILE_MAX_FILTER_ENTRIES 64

/* The largest errno the kernel lets SECCOMP_RET_ERRNO return. */
#define ERRNO_MAX 4095

/* A JSON path we build ourselves: "syscalls[1023].excludes.arches[63]". */
#define PATH_BUF 160

static const char *const top_keys[] = {
	"defaultAction", "defaultErrnoRet", "architectures", "archMap",
	"syscalls",	 "flags",	    "listenerPath",  "listenerMetadata",
	"extends",	 "comment",	    NULL,
};
static const char *const rule_keys[] = {
	"names",    "name",	"action",  "errnoRet",
	"args",	    "includes", "excludes", "comment", NULL,
};
static const char *const arg_keys[] = { "index", "value", "valueTwo", "op",
					NULL };
static const char *const filter_keys[] = { "caps", "arches", "minKernel",
					   NULL };
static const char *const archmap_keys[] = { "architecture", "subArchitectures",
					    NULL };

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
	"x86",	       "amd64",	      "x32",	 "arm",	    "arm64",
	"loong64",     "loongarch64", "mips64",	 "mips64n32", "mipsel64",
	"mips3l64n32", "mipsel",      "mipsle",	 "ppc",	    "ppc64",
	"ppc64le",     "riscv64",     "s390",	 "s390x",
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Present and not null: Docker's Go structs read null as absent. */
static const json_t *get_set(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

static bool takes_errno(const char *action)
{
	return strcmp(action, "SCMP_ACT_ERRNO") == 0 ||
	       strcmp(action, "SCMP_ACT_TRACE") == 0;
}

static bool allows(const char *action)
{
	return strcmp(action, "SCMP_ACT_ALLOW") == 0 ||
	       strcmp(action, "SCMP_ACT_LOG") == 0;
}

/* "X.Y" with X and Y in [0, 255], not 0.0: what moby's KernelVersion
 * accepts, minus the leading zeros and signs strconv would also take. */
static int parse_kernel_version(const char *s, unsigned *ret_major,
				unsigned *ret_minor)
{
	unsigned v[2] = { 0, 0 };
	int part = 0, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && part == 0 && digits > 0) {
			part = 1;
			digits = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || digits == 3)
			return -1;
		v[part] = v[part] * 10 + (unsigned)(*s - '0');
		digits++;
	}
	if (part != 1 || digits == 0 || v[0] > 255 || v[1] > 255 ||
	    (v[0] == 0 && v[1] == 0))
		return -1;
	*ret_major = v[0];
	*ret_minor = v[1];
	return 0;
}

/* ---------------------------------------------------------------------
 * Validation of one file
 * ------------------------------------------------------------------- */

struct vctx {
	const char *file;
	struct hs_error *err;
	int rc;
};

#define VERR(v, path, ...)                                                    \
	((v)->rc = hs_json_err((v)->err, (v)->file, (path), __VA_ARGS__))

static void note(struct vctx *v, int r)
{
	if (r < 0)
		v->rc = -1;
}

/* NULL when `extends` is acceptable, else why not. */
static const char *extends_problem(const char *ext)
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

/* An array of unique strings, each checked by `check` (which reports). */
static const json_t *unique_strings(struct vctx *v, const json_t *obj,
				    const char *key, const char *parent,
				    size_t max,
				    void (*check)(struct vctx *, const char *,
						  const char *))
{
	const json_t *arr = NULL, *s;
	char p[PATH_BUF];
	size_t i, j;

	if (hs_json_get_string_array(obj, key, false, max, &arr, v->file,
				     parent, v->err) < 0) {
		v->rc = -1;
		return NULL;
	}
	hs_json_path_key(p, sizeof(p), parent, key);
	json_array_foreach(arr, i, s) {
		char pi[PATH_BUF];
		const char *str = json_string_value(s);

		hs_json_path_index(pi, sizeof(pi), p, i);
		if (check)
			check(v, pi, str);
		for (j = 0; j < i; j++)
			if (strcmp(json_string_value(json_array_get(arr, j)),
				   str) == 0) {
				VERR(v, pi, "\"%s\" is listed twice", str);
				break;
			}
	}
	return arr;
}

static void check_arch_supported(struct vctx *v, const char *path,
				 const char *arch)
{
	char ver[32];

	switch (hs_seccomp_arch_support(arch)) {
	case HS_ARCH_UNKNOWN:
		VERR(v, path, "unknown architecture \"%s\"", arch);
		break;
	case HS_ARCH_UNSUPPORTED:
		hs_seccomp_version(ver, sizeof(ver));
		VERR(v, path,
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
static void check_arch_known(struct vctx *v, const char *path,
			     const char *arch)
{
	if (hs_seccomp_arch_support(arch) == HS_ARCH_UNKNOWN)
		VERR(v, path, "unknown architecture \"%s\"", arch);
}

static void check_flag(struct vctx *v, const char *path, const char *flag)
{
	if (!in_list(oci_flags, HS_ARRAY_SIZE(oci_flags), flag))
		VERR(v, path, "unknown seccomp flag \"%s\"", flag);
}

static void check_cap(struct vctx *v, const char *path, const char *cap)
{
	const char *c = cap + 4;

	if (strncmp(cap, "CAP_", 4) != 0 || !*c)
		goto bad;
	for (; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || *c == '_'))
			goto bad;
	return;
bad:
	VERR(v, path, "invalid capability name \"%s\" (CAP_[A-Z_]+)", cap);
}

static void check_docker_arch(struct vctx *v, const char *path,
			      const char *arch)
{
	if (!in_list(docker_arches, HS_ARRAY_SIZE(docker_arches), arch))
		VERR(v, path,
		     "unknown architecture \"%s\" (Docker's names: amd64, "
		     "x86, x32, arm64, arm, ppc64le, s390x, riscv64, ...)",
		     arch);
}

static void check_syscall_name(struct vctx *v, const char *path,
			       const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0) {
		VERR(v, path, "empty syscall name");
		return;
	}
	if (n > HS_SYSCALL_NAME_MAX) {
		VERR(v, path,
		     "syscall name of %zu characters, more than the limit of %d",
		     n, HS_SYSCALL_NAME_MAX);
		return;
	}
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_')) {
			VERR(v, path,
			     "invalid syscall name \"%s\" (a-z, 0-9 and _ only)",
			     name);
			return;
		}
}

/* errnoRet or defaultErrnoRet: [0, 4095], and only where the action
 * returns an errno. `action` is NULL when the same object sets none, and
 * `action_ok` false when it sets one that was already reported. */
static void check_errno_ret(struct vctx *v, const json_t *obj,
			    const char *key, const char *parent,
			    const char *action, bool action_ok,
			    const char *action_key)
{
	char p[PATH_BUF];
	int64_t n;

	if (!get_set(obj, key))
		return;
	if (hs_json_get_int(obj, key, false, 0, ERRNO_MAX, &n, v->file,
			    parent, v->err) < 0) {
		v->rc = -1;
		return;
	}
	hs_json_path_key(p, sizeof(p), parent, key);
	if (!action)
		VERR(v, p, "needs %s next to it", action_key);
	else if (action_ok && !takes_errno(action))
		VERR(v, p,
		     "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno, "
		     "not %s",
		     action);
}

static void validate_arches(struct vctx *v, const json_t *profile)
{
	const json_t *arches, *map, *entry;
	size_t i;

	arches = unique_strings(v, profile, "architectures", "",
				HS_PROFILE_MAX_ARCHES, check_arch_supported);
	map = get_set(profile, "archMap");
	if (!map)
		return;
	if (!json_is_array(map)) {
		VERR(v, "archMap", "must be an array");
		return;
	}
	if (json_array_size(map) > HS_PROFILE_MAX_ARCHES) {
		VERR(v, "archMap", "%zu entries, more than the limit of %d",
		     json_array_size(map), HS_PROFILE_MAX_ARCHES);
		return;
	}
	json_array_foreach(map, i, entry) {
		const char *arch = NULL;
		const json_t *subs, *sub;
		char p[PATH_BUF], pa[PATH_BUF];
		size_t j;

		hs_json_path_index(p, sizeof(p), "archMap", i);
		if (!json_is_object(entry)) {
			VERR(v, p, "must be an object");
			continue;
		}
		note(v, hs_json_check_keys(entry, archmap_keys, v->file, p,
					   v->err));
		note(v, hs_json_get_string(entry, "architecture", true, &arch,
					   v->file, p, v->err));
		hs_json_path_key(pa, sizeof(pa), p, "architecture");
		if (arch) {
			check_arch_known(v, pa, arch);
			for (j = 0; j < i; j++) {
				const json_t *o = json_object_get(
					json_array_get(map, j), "architecture");

				if (json_is_string(o) &&
				    strcmp(json_string_value(o), arch) == 0) {
					VERR(v, pa,
					     "\"%s\" already has an entry in "
					     "archMap[%zu]",
					     arch, j);
					break;
				}
			}
		}
		subs = unique_strings(v, entry, "subArchitectures", p,
				      HS_PROFILE_MAX_ARCHES, check_arch_known);
		hs_json_path_key(pa, sizeof(pa), p, "subArchitectures");
		json_array_foreach(subs, j, sub) {
			char ps[PATH_BUF];

			hs_json_path_index(ps, sizeof(ps), pa, j);
			if (arch && strcmp(json_string_value(sub), arch) == 0)
				VERR(v, ps,
				     "\"%s\" is the entry's own architecture",
				     arch);
		}
	}
	/* moby refuses both; say so here rather than on the node. */
	if (json_array_size(arches) > 0 && json_array_size(map) > 0)
		VERR(v, "archMap",
		     "both architectures and archMap are set; use one");
}

static void validate_listener(struct vctx *v, const json_t *profile)
{
	const char *path = NULL, *meta = NULL;

	note(v, hs_json_get_string(profile, "listenerPath", false, &path,
				   v->file, "", v->err));
	note(v, hs_json_get_string(profile, "listenerMetadata", false, &meta,
				   v->file, "", v->err));
	if (!path)
		return;
	/* runc connects to it as a unix socket: sun_path bounds it. */
	if (path[0] != '/')
		VERR(v, "listenerPath", "must be an absolute path");
	else if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		VERR(v, "listenerPath",
		     "longer than a unix socket path (%zu bytes)",
		     sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
}

static void validate_names(struct vctx *v, const json_t *rule,
			   const char *path)
{
	_cleanup_json_ json_t *seen = json_object();
	const json_t *names = NULL, *n;
	const char *name = NULL;
	bool has_names = get_set(rule, "names") != NULL;
	bool has_name = get_set(rule, "name") != NULL;
	char p[PATH_BUF];
	size_t i;

	if (has_name && has_names) {
		VERR(v, path, "both \"name\" and \"names\" are set; use \"names\"");
		return;
	}
	if (!has_name && !has_names) {
		VERR(v, path, "\"names\" is required");
		return;
	}
	if (has_name) {
		note(v, hs_json_get_string(rule, "name", true, &name, v->file,
					   path, v->err));
		hs_json_path_key(p, sizeof(p), path, "name");
		if (name)
			check_syscall_name(v, p, name);
		return;
	}
	note(v, hs_json_get_string_array(rule, "names", true,
					 HS_PROFILE_MAX_NAMES, &names, v->file,
					 path, v->err));
	if (!names)
		return;
	hs_json_path_key(p, sizeof(p), path, "names");
	if (json_array_size(names) == 0)
		VERR(v, p, "must not be empty");
	if (!seen) {
		VERR(v, p, "out of memory");
		return;
	}
	json_array_foreach(names, i, n) {
		char pi[PATH_BUF];
		const char *s = json_string_value(n);

		hs_json_path_index(pi, sizeof(pi), p, i);
		check_syscall_name(v, pi, s);
		if (json_object_get(seen, s))
			VERR(v, pi, "\"%s\" is listed twice in this rule", s);
		else
			json_object_set_new(seen, s, json_true());
	}
}

static void validate_args(struct vctx *v, const json_t *rule,
			  const char *path)
{
	const json_t *args = get_set(rule, "args"), *arg;
	bool compared[HS_PROFILE_MAX_ARGS] = { false };
	char p[PATH_BUF];
	size_t i;

	if (!args)
		return;
	hs_json_path_key(p, sizeof(p), path, "args");
	if (!json_is_array(args)) {
		VERR(v, p, "must be an array");
		return;
	}
	if (json_array_size(args) > HS_PROFILE_MAX_ARGS) {
		VERR(v, p, "%zu comparisons, more than the limit of %d",
		     json_array_size(args), HS_PROFILE_MAX_ARGS);
		return;
	}
	json_array_foreach(args, i, arg) {
		int64_t index = -1, value = -1, value2 = 0;
		const char *op = NULL;
		char pa[PATH_BUF], pk[PATH_BUF];
		struct vctx a = { v->file, v->err, 0 };

		hs_json_path_index(pa, sizeof(pa), p, i);
		if (!json_is_object(arg)) {
			VERR(v, pa, "must be an object");
			continue;
		}
		note(&a, hs_json_check_keys(arg, arg_keys, v->file, pa, v->err));
		note(&a, hs_json_get_int(arg, "index", true, 0,
					 HS_PROFILE_MAX_ARGS - 1, &index,
					 v->file, pa, v->err));
		note(&a, hs_json_get_int(arg, "value", true, 0, INT64_MAX,
					 &value, v->file, pa, v->err));
		note(&a, hs_json_get_int(arg, "valueTwo", false, 0, INT64_MAX,
					 &value2, v->file, pa, v->err));
		note(&a, hs_json_get_string(arg, "op", true, &op, v->file, pa,
					    v->err));
		if (op && !hs_seccomp_op_known(op)) {
			hs_json_path_key(pk, sizeof(pk), pa, "op");
			VERR(&a, pk, "unknown operator \"%s\"", op);
			op = NULL;
		}
		if (index >= 0 && compared[index]) {
			/* libseccomp 2.5 refuses a second comparison of the
			 * same argument in one rule (EINVAL). */
			hs_json_path_key(pk, sizeof(pk), pa, "index");
			VERR(&a, pk,
			     "argument %lld is already compared in this rule",
			     (long long)index);
		} else if (index >= 0) {
			compared[index] = true;
		}
		hs_json_path_key(pk, sizeof(pk), pa, "valueTwo");
		if (op && value >= 0 && strcmp(op, "SCMP_CMP_MASKED_EQ") == 0 &&
		    ((uint64_t)value2 & ~(uint64_t)value) != 0)
			VERR(&a, pk,
			     "%lld has bits outside the mask %lld (value): "
			     "the comparison can never match",
			     (long long)value2, (long long)value);
		else if (op && strcmp(op, "SCMP_CMP_MASKED_EQ") != 0 &&
			 value2 != 0)
			VERR(&a, pk, "only SCMP_CMP_MASKED_EQ uses valueTwo");
		note(v, a.rc);
	}
}

static void check_min_kernel(struct vctx *v, const char *path,
			     const char *s)
{
	unsigned major, minor;

	if (parse_kernel_version(s, &major, &minor) < 0)
		VERR(v, path,
		     "invalid kernel version \"%s\", expected \"<kernel>.<major>\" "
		     "such as \"5.8\"",
		     s);
}

static void validate_filter(struct vctx *v, const json_t *rule,
			    const char *key, const char *path)
{
	const json_t *f = get_set(rule, key);
	const char *min = NULL;
	char p[PATH_BUF], pk[PATH_BUF];

	if (!f)
		return;
	hs_json_path_key(p, sizeof(p), path, key);
	if (!json_is_object(f)) {
		VERR(v, p, "must be an object");
		return;
	}
	note(v, hs_json_check_keys(f, filter_keys, v->file, p, v->err));
	unique_strings(v, f, "caps", p, HS_PROFILE_MAX_FILTER_ENTRIES,
		       check_cap);
	unique_strings(v, f, "arches", p, HS_PROFILE_MAX_FILTER_ENTRIES,
		       check_docker_arch);
	note(v, hs_json_get_string(f, "minKernel", false, &min, v->file, p,
				   v->err));
	hs_json_path_key(pk, sizeof(pk), p, "minKernel");
	if (min)
		check_min_kernel(v, pk, min);
}

/* Returns 0 when the rule is valid. */
static int validate_rule(struct vctx *v, const json_t *rule, size_t i)
{
	struct vctx r = { v->file, v->err, 0 };
	const char *action = NULL, *comment = NULL;
	char path[PATH_BUF], p[PATH_BUF];
	bool action_ok = false;

	hs_json_path_index(path, sizeof(path), "syscalls", i);
	if (!json_is_object(rule)) {
		VERR(&r, path, "must be an object");
		goto out;
	}
	note(&r, hs_json_check_keys(rule, rule_keys, v->file, path, v->err));
	validate_names(&r, rule, path);
	note(&r, hs_json_get_string(rule, "action", true, &action, v->file,
				    path, v->err));
	if (action) {
		action_ok = hs_seccomp_action_known(action);
		hs_json_path_key(p, sizeof(p), path, "action");
		if (!action_ok)
			VERR(&r, p, "unknown action \"%s\"", action);
	}
	check_errno_ret(&r, rule, "errnoRet", path, action, action_ok,
			"action");
	validate_args(&r, rule, path);
	validate_filter(&r, rule, "includes", path);
	validate_filter(&r, rule, "excludes", path);
	note(&r, hs_json_get_string(rule, "comment", false, &comment, v->file,
				    path, v->err));
out:
	note(v, r.rc);
	return r.rc;
}

/* ---------------------------------------------------------------------
 * Canonical forms, to tell whether two rules select the same calls
 * ------------------------------------------------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted copy of an array of strings (absent: empty). */
static json_t *sorted_strings(const json_t *arr)
{
	_cleanup_free_ const char **v = NULL;
	json_t *out = json_array(), *s;
	size_t i, n = json_array_size(arr);

	if (!out || n == 0)
		return out;
	v = calloc(n, sizeof(*v));
	if (!v) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach(arr, i, s)
		v[i] = json_is_string(s) ? json_string_value(s) : "";
	qsort(v, n, sizeof(*v), cmp_strp);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(v[i]));
	return out;
}

/* The comparisons as sorted "index op value valueTwo" strings. The order
 * of args does not change what a rule matches. */
static json_t *canon_args(const json_t *args)
{
	_cleanup_json_ json_t *texts = json_array();
	const json_t *a;
	size_t i;

	if (!texts)
		return NULL;
	json_array_foreach(args, i, a) {
		const json_t *op = json_object_get(a, "op");
		char buf[128];

		if (hs_snprintf(buf, sizeof(buf), "%lld %s %lld %lld",
				(long long)json_integer_value(
					json_object_get(a, "index")),
				json_is_string(op) ? json_string_value(op) : "",
				(long long)json_integer_value(
					json_object_get(a, "value")),
				(long long)json_integer_value(
					json_object_get(a, "valueTwo"))) < 0)
			return NULL;
		json_array_append_new(texts, json_string(buf));
	}
	return sorted_strings(texts);
}

static json_t *canon_filter(const json_t *f)
{
	const json_t *min = json_object_get(f, "minKernel");

	return json_pack("{s:o, s:o, s:s}", "caps",
			 sorted_strings(json_object_get(f, "caps")), "arches",
			 sorted_strings(json_object_get(f, "arches")),
			 "minKernel", json_is_string(min) ? json_string_value(min) : "");
}

/* What a rule matches besides the syscall: args, and when `conditions`,
 * includes and excludes. Caller frees. */
static char *rule_signature(const json_t *rule, bool conditions)
{
	_cleanup_json_ json_t *sig = NULL;

	if (conditions)
		sig = json_pack("[o, o, o]",
				canon_args(json_object_get(rule, "args")),
				canon_filter(json_object_get(rule, "includes")),
				canon_filter(json_object_get(rule, "excludes")));
	else
		sig = json_pack("[o]", canon_args(json_object_get(rule, "args")));
	if (!sig)
		return NULL;
	return json_dumps(sig, JSON_COMPACT | JSON_SORT_KEYS);
}

/* What a rule does: runc gives ERRNO and TRACE without errnoRet EPERM. */
static int rule_effect(const json_t *rule, char *buf, size_t size)
{
	const json_t *action = json_object_get(rule, "action");
	const json_t *e = json_object_get(rule, "errnoRet");
	const char *a = json_is_string(action) ? json_string_value(action) : "";

	if (takes_errno(a))
		return hs_snprintf(buf, size, "%s(%lld)", a,
				   json_is_integer(e) ?
					   (long long)json_integer_value(e) :
					   1LL);
	return hs_snprintf(buf, size, "%s", a);
}

/* Conflicts inside one file: the same syscall, args and conditions with a
 * different effect. Which one runc would apply depends on libseccomp's
 * internals, so the author must choose. Only valid rules are compared. */
static void check_file_conflicts(struct vctx *v, const json_t *calls,
				 const json_t *valid)
{
	_cleanup_json_ json_t *by_name = json_object();
	_cleanup_json_ json_t *sigs = json_array();
	const json_t *rule;
	size_t i;

	if (!by_name || !sigs) {
		VERR(v, "syscalls", "out of memory");
		return;
	}
	json_array_foreach(calls, i, rule) {
		_cleanup_free_ char *sig = NULL;
		_cleanup_json_ json_t *legacy = NULL;
		const json_t *names, *n;
		char effect[64];
		size_t j;

		if (!json_is_true(json_array_get(valid, i))) {
			json_array_append_new(sigs, json_null());
			continue;
		}
		sig = rule_signature(rule, true);
		rule_effect(rule, effect, sizeof(effect));
		json_array_append_new(sigs, json_pack("[ss]", sig ? sig : "",
						      effect));
		names = get_set(rule, "names");
		if (!names)
			names = legacy =
				json_pack("[O]", json_object_get(rule, "name"));
		json_array_foreach(names, j, n) {
			const char *name = json_string_value(n);
			json_t *prior = json_object_get(by_name, name);
			const json_t *pe;
			size_t k;
			char p[PATH_BUF];

			if (get_set(rule, "names"))
				hs_snprintf(p, sizeof(p),
					    "syscalls[%zu].names[%zu]", i, j);
			else
				hs_snprintf(p, sizeof(p), "syscalls[%zu].name",
					    i);
			json_array_foreach(prior, k, pe) {
				size_t ri = (size_t)json_integer_value(
					json_array_get(pe, 0));
				const json_t *other = json_array_get(sigs, ri);

				if (strcmp(json_string_value(
						   json_array_get(other, 0)),
					   sig ? sig : "") != 0 ||
				    strcmp(json_string_value(
						   json_array_get(other, 1)),
					   effect) == 0)
					continue;
				VERR(v, p,
				     "\"%s\" conflicts with %s: same arguments "
				     "and conditions, different action (%s "
				     "there, %s here)",
				     name, json_string_value(json_array_get(pe, 1)),
				     json_string_value(json_array_get(other, 1)),
				     effect);
				break;
			}
			if (!prior) {
				prior = json_array();
				json_object_set_new(by_name, name, prior);
			}
			json_array_append_new(prior,
					      json_pack("[Is]", (json_int_t)i, p));
		}
	}
}

static void validate_syscalls(struct vctx *v, const json_t *profile)
{
	const json_t *calls = get_set(profile, "syscalls"), *rule;
	_cleanup_json_ json_t *valid = json_array();
	size_t i;

	if (!calls)
		return;
	if (!json_is_array(calls)) {
		VERR(v, "syscalls", "must be an array");
		return;
	}
	if (json_array_size(calls) > HS_PROFILE_MAX_RULES) {
		VERR(v, "syscalls", "%zu rules, more than the limit of %d",
		     json_array_size(calls), HS_PROFILE_MAX_RULES);
		return;
	}
	if (!valid) {
		VERR(v, "syscalls", "out of memory");
		return;
	}
	json_array_foreach(calls, i, rule)
		json_array_append_new(valid,
				      json_boolean(validate_rule(v, rule, i) == 0));
	check_file_conflicts(v, calls, valid);
}

int hs_profile_validate(const json_t *profile, const char *file,
			struct hs_error *err)
{
	struct vctx v = { file, err, 0 };
	const char *ext = NULL, *def = NULL, *comment = NULL;
	bool def_ok = false;

	if (!json_is_object(profile))
		return hs_json_err(err, file, "",
				   "a seccomp profile must be a JSON object");
	note(&v, hs_json_check_keys(profile, top_keys, file, "", err));
	note(&v, hs_json_get_string(profile, "extends", false, &ext, file, "",
				    err));
	if (ext && extends_problem(ext))
		VERR(&v, "extends", "\"%s\" %s", ext, extends_problem(ext));
	/* The chain must end in a file that says what everything else
	 * gets; only a file that extends another may leave that out. */
	note(&v, hs_json_get_string(profile, "defaultAction", !ext, &def, file,
				    "", err));
	if (def) {
		def_ok = hs_seccomp_action_known(def);
		if (!def_ok)
			VERR(&v, "defaultAction", "unknown action \"%s\"", def);
		else if (strcmp(def, "SCMP_ACT_NOTIFY") == 0)
			/* runc refuses it: the supervisor would be asked
			 * about every syscall, including its own socket's. */
			VERR(&v, "defaultAction",
			     "SCMP_ACT_NOTIFY cannot be the default action");
	}
	check_errno_ret(&v, profile, "defaultErrnoRet", "", def, def_ok,
			"defaultAction");
	validate_arches(&v, profile);
	unique_strings(&v, profile, "flags", "", HS_PROFILE_MAX_FLAGS,
		       check_flag);
	validate_listener(&v, profile);
	note(&v, hs_json_get_string(profile, "comment", false, &comment, file,
				    "", err));
	validate_syscalls(&v, profile);
	return v.rc;
}

/* ---------------------------------------------------------------------
 * Loading and extends
 * ------------------------------------------------------------------- */

/* The files of one extends chain, by inode, to recognise a cycle however
 * its paths are spelled. */
struct chain {
	size_t n;
	dev_t dev[HS_PROFILE_MAX_EXTENDS_DEPTH + 1];
	ino_t ino[HS_PROFILE_MAX_EXTENDS_DEPTH + 1];
};

/* Records where each rule and each of its names were written, and turns a
 * legacy `name` into `names` (index -1 stands for ".name"). */
static int annotate(json_t *profile, const char *file, struct hs_error *err)
{
	json_t *calls = json_object_get(profile, "syscalls"), *rule;
	size_t i;

	json_array_foreach(calls, i, rule) {
		json_t *name = json_object_get(rule, "name");
		json_t *at = json_array();
		size_t j;

		if (!at)
			return hs_err(err, ENOMEM, "%s: out of memory", file);
		if (name && !json_is_null(name)) {
			json_object_set_new(rule, "names",
					    json_pack("[O]", name));
			json_array_append_new(at, json_integer(-1));
		} else {
			for (j = 0;
			     j < json_array_size(json_object_get(rule, "names"));
			     j++)
				json_array_append_new(at,
						      json_integer((json_int_t)j));
		}
		json_object_del(rule, "name");
		if (json_object_set_new(rule, "_origin",
					json_pack("{s:s, s:I, s:o}", "file", file,
						  "index", (json_int_t)i,
						  "names", at)) < 0)
			return hs_err(err, ENOMEM, "%s: out of memory", file);
	}
	return 0;
}

static void copy_if_set(json_t *to, const json_t *from, const char *key)
{
	const json_t *v = get_set(from, key);

	if (v)
		json_object_set_new(to, key, json_deep_copy(v));
}

/* Applies the child (validated, annotated) on top of the base (merged,
 * annotated), following the rules at the top of this file. */
static int merge(json_t *base, const json_t *child, const char *file,
		 struct hs_error *err)
{
	_cleanup_json_ json_t *child_names = json_object();
	_cleanup_json_ json_t *calls = json_array();
	const json_t *rule, *n;
	size_t i, j;

	if (!child_names || !calls)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	if (get_set(child, "defaultAction")) {
		json_object_del(base, "defaultErrnoRet");
		copy_if_set(base, child, "defaultAction");
		copy_if_set(base, child, "defaultErrnoRet");
	}
	copy_if_set(base, child, "listenerPath");
	copy_if_set(base, child, "listenerMetadata");
	copy_if_set(base, child, "comment");
	if (get_set(child, "architectures") || get_set(child, "archMap")) {
		json_object_del(base, "architectures");
		json_object_del(base, "archMap");
		copy_if_set(base, child, "architectures");
		copy_if_set(base, child, "archMap");
	}
	copy_if_set(base, child, "flags");

	json_array_foreach(get_set(child, "syscalls"), i, rule)
		json_array_foreach(json_object_get(rule, "names"), j, n)
			json_object_set_new(child_names, json_string_value(n),
					    json_true());
	json_array_foreach(get_set(base, "syscalls"), i, rule) {
		json_t *copy = json_deep_copy(rule);
		json_t *names = json_array(), *at = json_array();
		json_t *origin = json_object_get(copy, "_origin");
		const json_t *old_at = json_object_get(origin, "names");

		if (!copy || !names || !at) {
			json_decref(copy);
			json_decref(names);
			json_decref(at);
			return hs_err(err, ENOMEM, "%s: out of memory", file);
		}
		json_array_foreach(json_object_get(rule, "names"), j, n) {
			if (json_object_get(child_names, json_string_value(n)))
				continue;
			json_array_append(names, (json_t *)n);
			json_array_append(at, json_array_get(old_at, j));
		}
		json_object_set_new(copy, "names", names);
		json_object_set_new(origin, "names", at);
		if (json_array_size(names) > 0)
			json_array_append(calls, copy);
		json_decref(copy);
	}
	json_array_foreach(get_set(child, "syscalls"), i, rule)
		json_array_append_new(calls, json_deep_copy(rule));
	if (get_set(base, "syscalls") || get_set(child, "syscalls"))
		json_object_set(base, "syscalls", calls);
	json_object_del(base, "extends");
	return 0;
}

/* "dir/of/including.json" + "base.json" -> "dir/of/base.json". */
static int sibling_path(char *buf, size_t size, const char *including,
			const char *rel)
{
	const char *slash = strrchr(including, '/');

	if (!slash)
		return hs_snprintf(buf, size, "%s", rel);
	return hs_snprintf(buf, size, "%.*s%s", (int)(slash - including + 1),
			   including, rel);
}

static json_t *load_chain(const char *path, unsigned depth,
			  struct chain *chain, struct hs_error *err)
{
	_cleanup_json_ json_t *file = NULL;
	_cleanup_json_ json_t *base = NULL;
	const json_t *ext;
	char base_path[HS_PATH_MAX];
	struct stat st;
	bool invalid;

	file = hs_json_load_path(path, HS_POLICY_MAX_BYTES, err);
	if (!file)
		return NULL;
	if (stat(path, &st) == 0) {
		chain->dev[depth] = st.st_dev;
		chain->ino[depth] = st.st_ino;
		chain->n = depth + 1;
	}
	invalid = hs_profile_validate(file, path, err) < 0;
	ext = get_set(file, "extends");
	if (json_is_string(ext) && !extends_problem(json_string_value(ext))) {
		const char *rel = json_string_value(ext);
		size_t k;

		if (depth >= HS_PROFILE_MAX_EXTENDS_DEPTH) {
			hs_json_err(err, path, "extends",
				    "more than %d profiles extended in a chain "
				    "(HS_PROFILE_MAX_EXTENDS_DEPTH)",
				    HS_PROFILE_MAX_EXTENDS_DEPTH);
			return NULL;
		}
		if (sibling_path(base_path, sizeof(base_path), path, rel) < 0) {
			hs_json_err(err, path, "extends", "path too long");
			return NULL;
		}
		if (stat(base_path, &st) == 0)
			for (k = 0; k < chain->n; k++)
				if (chain->dev[k] == st.st_dev &&
				    chain->ino[k] == st.st_ino) {
					hs_json_err(err, path, "extends",
						    "\"%s\" is already in this "
						    "extends chain: a cycle",
						    rel);
					return NULL;
				}
		/* The base is read even when this file is invalid, so that
		 * `hardshim check` reports its errors too. */
		base = load_chain(base_path, depth + 1, chain, err);
		if (!base)
			return NULL;
	}
	if (invalid || annotate(file, path, err) < 0)
		return NULL;
	if (!base)
		return hs_steal_ptr(file);
	if (merge(base, file, path, err) < 0)
		return NULL;
	if (json_array_size(json_object_get(base, "syscalls")) >
	    HS_PROFILE_MAX_RULES) {
		hs_json_err(err, path, "syscalls",
			    "%zu rules with its base profiles, more than the "
			    "limit of %d",
			    json_array_size(json_object_get(base, "syscalls")),
			    HS_PROFILE_MAX_RULES);
		return NULL;
	}
	return hs_steal_ptr(base);
}

json_t *hs_profile_load(const char *path, struct hs_error *err)
{
	struct chain chain = { 0 };

	return load_chain(path, 0, &chain, err);
}

json_t *hs_profile_load_buffer(const char *buf, size_t len,
			       const char *display, struct hs_error *err)
{
	_cleanup_json_ json_t *json = NULL;

	if (len > HS_POLICY_MAX_BYTES) {
		hs_err(err, EFBIG, "%s: larger than the limit of %u bytes",
		       display, HS_POLICY_MAX_BYTES);
		return NULL;
	}
	json = hs_json_load_buffer(buf, len, display, err);
	if (!json)
		return NULL;
	if (hs_profile_validate(json, display, err) < 0)
		return NULL;
	if (get_set(json, "extends")) {
		hs_json_err(err, display, "extends",
			    "only a profile read from a file can extend another");
		return NULL;
	}
	if (annotate(json, display, err) < 0)
		return NULL;
	return hs_steal_ptr(json);
}

/* ---------------------------------------------------------------------
 * Resolution
 * ------------------------------------------------------------------- */

struct rctx {
	const struct hs_resolve_ctx *ctx;
	const char *file;
	struct hs_error *err;
	const json_t *arches; /* the resolved architectures */
	const char *def;      /* defaultAction */
	bool listener;        /* listenerPath is set */
	char version[32];     /* libseccomp's */
};

/* Where a rule of the merged profile was written: file, and the path of
 * the rule (name_at < 0) or of one of its names. */
static void origin_of(const struct rctx *r, const json_t *rule, size_t index,
		      long name_at, const char **ret_file, char *path,
		      size_t size)
{
	const json_t *o = json_object_get(rule, "_origin");
	const json_t *f = json_object_get(o, "file");
	const json_t *i = json_object_get(o, "index");
	long long idx = json_is_integer(i) ? json_integer_value(i) :
					     (long long)index;

	*ret_file = json_is_string(f) ? json_string_value(f) : r->file;
	if (name_at < 0) {
		hs_snprintf(path, size, "syscalls[%lld]", idx);
		return;
	}
	if (o) {
		const json_t *at = json_array_get(json_object_get(o, "names"),
						  (size_t)name_at);
		long long a = json_is_integer(at) ? json_integer_value(at) :
						    name_at;

		if (a < 0)
			hs_snprintf(path, size, "syscalls[%lld].name", idx);
		else
			hs_snprintf(path, size, "syscalls[%lld].names[%lld]",
				    idx, a);
		return;
	}
	hs_snprintf(path, size, "syscalls[%lld].names[%ld]", idx, name_at);
}

static bool str_in_json(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	if (!s)
		return false;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static bool cap_held(const struct hs_resolve_ctx *ctx, const char *cap)
{
	const char *const *c;

	for (c = ctx->caps; c && *c; c++)
		if (strcmp(*c, cap) == 0)
			return true;
	return false;
}

/* Whether the node's kernel is at least `min`: 1, 0, or -1 if `min` is
 * not a version. Like moby, only the first two numbers count. */
static int kernel_at_least(const struct hs_resolve_ctx *ctx, const char *min)
{
	unsigned major, minor;

	if (parse_kernel_version(min, &major, &minor) < 0)
		return -1;
	return ctx->kernel_major > major ||
	       (ctx->kernel_major == major && ctx->kernel_minor >= minor);
}

/* moby's setupSeccomp, condition by condition and in its order: 1 if the
 * rule applies to this node and container, 0 if not, -1 if the profile
 * was not validated. */
static int rule_applies(const json_t *rule, const struct hs_resolve_ctx *ctx)
{
	const json_t *ex = get_set(rule, "excludes");
	const json_t *in = get_set(rule, "includes");
	const json_t *c, *min;
	size_t i;
	int k;

	if (ex) {
		if (str_in_json(json_object_get(ex, "arches"), ctx->goarch))
			return 0;
		json_array_foreach(json_object_get(ex, "caps"), i, c)
			if (json_is_string(c) && cap_held(ctx, json_string_value(c)))
				return 0;
		min = get_set(ex, "minKernel");
		if (min) {
			k = kernel_at_least(ctx, json_is_string(min) ?
							 json_string_value(min) :
							 "");
			if (k != 0)
				return k < 0 ? -1 : 0;
		}
	}
	if (in) {
		if (json_array_size(json_object_get(in, "arches")) > 0 &&
		    !str_in_json(json_object_get(in, "arches"), ctx->goarch))
			return 0;
		json_array_foreach(json_object_get(in, "caps"), i, c)
			if (!json_is_string(c) ||
			    !cap_held(ctx, json_string_value(c)))
				return 0;
		min = get_set(in, "minKernel");
		if (min) {
			k = kernel_at_least(ctx, json_is_string(min) ?
							 json_string_value(min) :
							 "");
			if (k <= 0)
				return k;
		}
	}
	return 1;
}

/* The architectures the filter covers on this node, always explicit. */
static json_t *resolve_arches(const json_t *merged, const struct rctx *r)
{
	_cleanup_json_ json_t *out = json_array();
	_cleanup_json_ json_t *paths = json_array();
	const json_t *explicit = get_set(merged, "architectures");
	const json_t *map = get_set(merged, "archMap"), *e, *a;
	bool bad = false;
	size_t i, j;

	if (!out || !paths) {
		hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
		return NULL;
	}
	if (!r->ctx->native_arch) {
		hs_err(r->err, EINVAL,
		       "%s: no native architecture to resolve for", r->file);
		return NULL;
	}
	if (json_array_size(explicit) > 0) {
		json_array_foreach(explicit, i, a) {
			char p[PATH_BUF];

			hs_json_path_index(p, sizeof(p), "architectures", i);
			json_array_append(out, (json_t *)a);
			json_array_append_new(paths, json_string(p));
		}
	} else {
		json_array_foreach(map, i, e) {
			const json_t *arch = json_object_get(e, "architecture");
			char p[PATH_BUF], ps[PATH_BUF], psub[PATH_BUF];

			if (!json_is_string(arch) ||
			    strcmp(json_string_value(arch),
				   r->ctx->native_arch) != 0)
				continue;
			hs_json_path_index(p, sizeof(p), "archMap", i);
			hs_json_path_key(ps, sizeof(ps), p, "architecture");
			json_array_append(out, (json_t *)arch);
			json_array_append_new(paths, json_string(ps));
			hs_json_path_key(psub, sizeof(psub), p,
					 "subArchitectures");
			json_array_foreach(json_object_get(e, "subArchitectures"),
					   j, a) {
				hs_json_path_index(ps, sizeof(ps), psub, j);
				json_array_append(out, (json_t *)a);
				json_array_append_new(paths, json_string(ps));
			}
			break;
		}
		if (json_array_size(out) == 0) {
			if (json_array_size(map) > 0)
				hs_json_warn(r->err, r->file, "archMap",
					     "no entry for %s, the node's "
					     "architecture: the filter covers "
					     "it alone",
					     r->ctx->native_arch);
			json_array_append_new(out,
					      json_string(r->ctx->native_arch));
			json_array_append_new(paths, json_string(""));
		}
	}
	json_array_foreach(out, i, a) {
		const char *name = json_is_string(a) ? json_string_value(a) : "";

		if (hs_seccomp_arch_support(name) == HS_ARCH_SUPPORTED)
			continue;
		hs_json_err(r->err, r->file,
			    json_string_value(json_array_get(paths, i)),
			    "architecture \"%s\" is not supported by "
			    "libseccomp %s",
			    name, r->version);
		bad = true;
	}
	return bad ? NULL : hs_steal_ptr(out);
}

/* One name: kept (1), dropped with a warning (0) or an error (-1). */
static int check_name(const struct rctx *r, const json_t *rule, size_t index,
		      size_t j, const char *name, const char *action)
{
	const char *file;
	char path[PATH_BUF];

	if (hs_seccomp_syscall_known(name, r->arches))
		return 1;
	origin_of(r, rule, index, (long)j, &file, path, sizeof(path));
	/* Skipping a name leaves it at the default action. That is safe
	 * unless the default allows and the rule was there to deny. */
	if (allows(r->def) && !allows(action))
		return hs_json_err(r->err, file, path,
				   "unknown syscall \"%s\": libseccomp %s does "
				   "not know it on the target architectures, "
				   "so this rule cannot deny it and the "
				   "default action %s would allow it",
				   name, r->version, r->def);
	hs_json_warn(r->err, file, path,
		     "unknown syscall \"%s\": libseccomp %s does not know it "
		     "on the target architectures; it stays at the default "
		     "action %s",
		     name, r->version, r->def);
	return 0;
}

/* args as moby passes them on: index, value, valueTwo (omitted when 0,
 * as Go's omitempty does), op. */
static json_t *copy_args(const json_t *args)
{
	json_t *out = json_array();
	const json_t *a;
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach(args, i, a) {
		json_t *c = json_pack("{s:O, s:O, s:O}", "index",
				      json_object_get(a, "index"), "value",
				      json_object_get(a, "value"), "op",
				      json_object_get(a, "op"));
		const json_t *v2 = json_object_get(a, "valueTwo");

		if (!c) {
			json_decref(out);
			return NULL;
		}
		if (json_is_integer(v2) && json_integer_value(v2) != 0)
			json_object_set(c, "valueTwo", (json_t *)v2);
		json_array_append_new(out, c);
	}
	return out;
}

/* After resolution, two rules that apply with the same syscall and args
 * but different effects: libseccomp would keep one of them silently. */
static int check_resolved_conflict(const struct rctx *r, json_t *by_name,
				   const char *name, const char *sig,
				   const char *effect, const char *file,
				   const char *path)
{
	json_t *prior = json_object_get(by_name, name);
	const json_t *pe;
	size_t k;

	json_array_foreach(prior, k, pe) {
		if (strcmp(json_string_value(json_array_get(pe, 0)), sig) != 0 ||
		    strcmp(json_string_value(json_array_get(pe, 1)), effect) == 0)
			continue;
		return hs_json_err(r->err, file, path,
				   "\"%s\" conflicts with %s: %s: both apply "
				   "here with the same arguments but different "
				   "actions (%s there, %s here)",
				   name, json_string_value(json_array_get(pe, 2)),
				   json_string_value(json_array_get(pe, 3)),
				   json_string_value(json_array_get(pe, 1)),
				   effect);
	}
	if (!prior) {
		prior = json_array();
		json_object_set_new(by_name, name, prior);
	}
	json_array_append_new(prior,
			      json_pack("[ssss]", sig, effect, file, path));
	return 0;
}

/* Resolves one applying rule into `out` (NULL: only check its names). */
static int resolve_rule(const struct rctx *r, const json_t *rule, size_t i,
			json_t *by_name, json_t *out)
{
	_cleanup_json_ json_t *names = json_array();
	_cleanup_json_ json_t *kept_at = json_array();
	_cleanup_json_ json_t *oci = NULL;
	_cleanup_free_ char *sig = NULL;
	const json_t *action = json_object_get(rule, "action"), *n;
	const char *act = json_is_string(action) ? json_string_value(action) : "";
	const char *file;
	char path[PATH_BUF], p[PATH_BUF], effect[64];
	size_t j;
	int rc = 0;

	if (!names || !kept_at)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	if (out && strcmp(act, "SCMP_ACT_NOTIFY") == 0 && !r->listener) {
		origin_of(r, rule, i, -1, &file, path, sizeof(path));
		hs_json_path_key(p, sizeof(p), path, "action");
		rc = hs_json_err(r->err, file, p,
				 "SCMP_ACT_NOTIFY needs listenerPath");
	}
	json_array_foreach(json_object_get(rule, "names"), j, n) {
		const char *name = json_is_string(n) ? json_string_value(n) : "";
		int k = check_name(r, rule, i, j, name, act);

		if (k < 0)
			rc = -1;
		if (k > 0) {
			json_array_append(names, (json_t *)n);
			json_array_append_new(kept_at,
					      json_integer((json_int_t)j));
		}
	}
	if (!out || json_array_size(names) == 0)
		return rc;
	oci = json_pack("{s:O, s:s}", "names", names, "action", act);
	if (!oci)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	if (json_is_integer(json_object_get(rule, "errnoRet")))
		json_object_set(oci, "errnoRet",
				json_object_get(rule, "errnoRet"));
	if (get_set(rule, "args"))
		json_object_set_new(oci, "args",
				    copy_args(json_object_get(rule, "args")));
	sig = rule_signature(oci, false);
	rule_effect(oci, effect, sizeof(effect));
	json_array_foreach(names, j, n) {
		origin_of(r, rule, i,
			  (long)json_integer_value(json_array_get(kept_at, j)),
			  &file, path, sizeof(path));
		if (check_resolved_conflict(r, by_name, json_string_value(n),
					    sig ? sig : "", effect, file,
					    path) < 0)
			rc = -1;
	}
	json_array_append(out, oci);
	return rc;
}

/* Resolves (all == false) or only checks the names of (all == true) the
 * rules. `out` receives the OCI rules when resolving. */
static int resolve_rules(const struct rctx *r, const json_t *merged,
			 bool all, json_t *out)
{
	_cleanup_json_ json_t *by_name = json_object();
	const json_t *rule;
	size_t i;
	int rc = 0;

	if (!by_name)
		return hs_err(r->err, ENOMEM, "%s: out of memory", r->file);
	json_array_foreach(get_set(merged, "syscalls"), i, rule) {
		const json_t *action = json_object_get(rule, "action");
		int applies = all ? 1 : rule_applies(rule, r->ctx);

		if (applies < 0 || !json_is_string(action) ||
		    !hs_seccomp_action_known(json_string_value(action))) {
			const char *file;
			char path[PATH_BUF];

			origin_of(r, rule, i, -1, &file, path, sizeof(path));
			rc = hs_json_err(r->err, file, path,
					 "invalid rule (profile not validated)");
			continue;
		}
		if (applies && resolve_rule(r, rule, i, by_name,
					    all ? NULL : out) < 0)
			rc = -1;
	}
	return rc;
}

static int rctx_init(struct rctx *r, const json_t *merged,
		     const struct hs_resolve_ctx *ctx, const char *file,
		     struct hs_error *err)
{
	const json_t *def = json_object_get(merged, "defaultAction");

	*r = (struct rctx){ .ctx = ctx, .file = file, .err = err };
	hs_seccomp_version(r->version, sizeof(r->version));
	if (!json_is_object(merged))
		return hs_json_err(err, file, "", "must be a JSON object");
	if (!json_is_string(def) ||
	    !hs_seccomp_action_known(json_string_value(def)) ||
	    strcmp(json_string_value(def), "SCMP_ACT_NOTIFY") == 0)
		return hs_json_err(err, file, "defaultAction",
				   "missing or invalid (profile not validated)");
	r->def = json_string_value(def);
	r->listener = json_is_string(json_object_get(merged, "listenerPath"));
	return 0;
}

json_t *hs_profile_resolve(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err)
{
	_cleanup_json_ json_t *out = json_object();
	_cleanup_json_ json_t *arches = NULL;
	_cleanup_json_ json_t *calls = json_array();
	unsigned errors_before = err->count;
	struct rctx r;

	if (!out || !calls) {
		hs_err(err, ENOMEM, "%s: out of memory", file);
		return NULL;
	}
	if (rctx_init(&r, merged, ctx, file, err) < 0)
		return NULL;
	arches = resolve_arches(merged, &r);
	if (!arches)
		return NULL;
	r.arches = arches;
	json_object_set_new(out, "defaultAction", json_string(r.def));
	if (json_is_integer(json_object_get(merged, "defaultErrnoRet")))
		json_object_set(out, "defaultErrnoRet",
				json_object_get(merged, "defaultErrnoRet"));
	json_object_set(out, "architectures", arches);
	copy_if_set(out, merged, "flags");
	copy_if_set(out, merged, "listenerPath");
	copy_if_set(out, merged, "listenerMetadata");
	resolve_rules(&r, merged, false, calls);
	json_object_set(out, "syscalls", calls);
	if (err->count != errors_before)
		return NULL;
	return hs_steal_ptr(out);
}

int hs_profile_check_names(const json_t *merged,
			   const struct hs_resolve_ctx *ctx, const char *file,
			   struct hs_error *err)
{
	_cleanup_json_ json_t *arches = NULL;
	struct rctx r;

	if (rctx_init(&r, merged, ctx, file, err) < 0)
		return -1;
	arches = resolve_arches(merged, &r);
	if (!arches)
		return -1;
	r.arches = arches;
	return resolve_rules(&r, merged, true, NULL);
}

/* ---------------------------------------------------------------------
 * The node
 * ------------------------------------------------------------------- */

/* uname's machine -> Docker's architecture name (moby's goToNative value
 * for the GOARCH a Docker built for this machine has) -> OCI name. */
struct machine {
	const char *machine, *goarch, *native;
};

static const struct machine machines[] = {
	{ "x86_64", "amd64", "SCMP_ARCH_X86_64" },
	{ "i386", "x86", "SCMP_ARCH_X86" },
	{ "i486", "x86", "SCMP_ARCH_X86" },
	{ "i586", "x86", "SCMP_ARCH_X86" },
	{ "i686", "x86", "SCMP_ARCH_X86" },
	{ "aarch64", "arm64", "SCMP_ARCH_AARCH64" },
	{ "arm64", "arm64", "SCMP_ARCH_AARCH64" },
	{ "armv6l", "arm", "SCMP_ARCH_ARM" },
	{ "armv7l", "arm", "SCMP_ARCH_ARM" },
	{ "armv8l", "arm", "SCMP_ARCH_ARM" },
	{ "ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE" },
	{ "ppc64", "ppc64", "SCMP_ARCH_PPC64" },
	{ "ppc", "ppc", "SCMP_ARCH_PPC" },
	{ "s390x", "s390x", "SCMP_ARCH_S390X" },
	{ "s390", "s390", "SCMP_ARCH_S390" },
	{ "riscv64", "riscv64", "SCMP_ARCH_RISCV64" },
	{ "loongarch64", "loongarch64", "SCMP_ARCH_LOONGARCH64" },
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{ "mips64", "mipsel64", "SCMP_ARCH_MIPSEL64" },
#else
	{ "mips64", "mips64", "SCMP_ARCH_MIPS64" },
#endif
};

/* "6.1.0-18-amd64", "3.12-1-amd64": the first two numbers, as moby's
 * parseRelease reads them. */
static int parse_release(const char *s, unsigned *ret_major,
			 unsigned *ret_minor)
{
	unsigned v[2] = { 0, 0 };
	int part;

	for (part = 0; part < 2; part++) {
		int digits = 0;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 6)
				return -1;
			v[part] = v[part] * 10 + (unsigned)(*s - '0');
		}
		if (digits == 0 || (part == 0 && *s++ != '.'))
			return -1;
	}
	*ret_major = v[0];
	*ret_minor = v[1];
	return 0;
}

int hs_profile_node_ctx(struct hs_resolve_ctx *ctx, struct hs_error *err)
{
	struct utsname u;
	unsigned major, minor;
	size_t i;

	if (uname(&u) < 0)
		return hs_err(err, errno, "uname: %s", strerror(errno));
	if (parse_release(u.release, &major, &minor) < 0)
		return hs_err(err, EINVAL,
			      "cannot parse the kernel release \"%s\"",
			      u.release);
	for (i = 0; i < HS_ARRAY_SIZE(machines); i++)
		if (strcmp(machines[i].machine, u.machine) == 0)
			break;
	if (i == HS_ARRAY_SIZE(machines))
		return hs_err(err, ENOTSUP,
			      "machine \"%s\" has no Docker architecture name",
			      u.machine);
	ctx->goarch = machines[i].goarch;
	ctx->native_arch = machines[i].native;
	ctx->kernel_major = major;
	ctx->kernel_minor = minor;
	return 0;
}
