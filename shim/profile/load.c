/* Loading seccomp profiles: reading the files, following `extends`,
 * merging. See hs_profile_load in hs_profile.h. Pure but for reading the
 * files of the chain.
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
 * Ownership: every file's JSON is parsed here and belongs to no one else,
 * so merging moves the child's values into the base by reference instead
 * of copying them, and edits the base's rules in place. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_cleanup.h"
#include "profile_internal.h"

/* ---------------------------------------------------------------------
 * Annotating and merging
 * ------------------------------------------------------------------- */

/* Records where each rule was written, and turns a legacy `name` into
 * `names`. _origin.names, where each name was written, is only stored
 * where it is not the name's own index: [-1] (".name") for a legacy
 * `name`, and after merge() has removed names from a base rule. */
static int annotate(json_t *profile, const char *file, struct hs_error *err)
{
	json_t *calls = json_object_get(profile, "syscalls"), *rule;
	_cleanup_json_ json_t *jfile = NULL;
	size_t i;

	if (json_array_size(calls) == 0)
		return 0;
	/* One string for the file, shared by every rule's _origin. */
	jfile = json_string(file);
	if (!jfile)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	json_array_foreach (calls, i, rule) {
		json_t *name = json_object_get(rule, "name");
		json_t *origin = json_object();

		if (!origin || json_object_set(origin, "file", jfile) < 0 ||
		    json_object_set_new(origin, "index",
					json_integer((json_int_t)i)) < 0) {
			json_decref(origin);
			return hs_err(err, ENOMEM, "%s: out of memory", file);
		}
		if (name && !json_is_null(name)) {
			json_object_set_new(rule, "names",
					    json_pack("[O]", name));
			json_object_set_new(origin, "names",
					    json_pack("[i]", -1));
		}
		json_object_del(rule, "name");
		if (json_object_set_new(rule, "_origin", origin) < 0)
			return hs_err(err, ENOMEM, "%s: out of memory", file);
	}
	return 0;
}

/* The child's value replaces the base's; the child's JSON is dropped
 * after the merge, so the value is moved, not copied. */
static void take_if_set(json_t *to, const json_t *from, const char *key)
{
	const json_t *v = hs_profile_get_set(from, key);

	if (v)
		json_object_set(to, key, (json_t *)v);
}

/* Removes from a base rule the names the child decides about;
 * *ret_kept says whether any are left. */
static int drop_names(json_t *rule, const struct hs_name_index *child_names,
		      bool *ret_kept, const char *file, struct hs_error *err)
{
	const json_t *names = json_object_get(rule, "names"), *n;
	json_t *origin = json_object_get(rule, "_origin");
	const json_t *old_at = json_object_get(origin, "names");
	_cleanup_json_ json_t *kept = NULL;
	_cleanup_json_ json_t *at = NULL;
	size_t j;

	*ret_kept = true;
	json_array_foreach (names, j, n)
		if (hs_name_index_find(child_names, json_string_value(n)))
			break;
	if (j == json_array_size(names))
		return 0; /* untouched */
	kept = json_array();
	at = json_array();
	if (!kept || !at)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	json_array_foreach (names, j, n) {
		if (hs_name_index_find(child_names, json_string_value(n)))
			continue;
		json_array_append(kept, (json_t *)n);
		if (old_at)
			json_array_append(at, json_array_get(old_at, j));
		else
			json_array_append_new(at, json_integer((json_int_t)j));
	}
	*ret_kept = json_array_size(kept) > 0;
	json_object_set(rule, "names", kept);
	json_object_set(origin, "names", at);
	return 0;
}

/* Applies the child (validated, annotated) on top of the base (merged,
 * annotated), following the rules at the top of this file. */
static int merge(json_t *base, const json_t *child, const char *file,
		 struct hs_error *err)
{
	_cleanup_name_index_ struct hs_name_index child_names = {0};
	_cleanup_json_ json_t *calls = json_array();
	const json_t *child_calls = hs_profile_get_set(child, "syscalls");
	json_t *rule;
	const json_t *n;
	size_t i, j;

	if (!calls || hs_name_index_init(&child_names, 64) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	if (hs_profile_get_set(child, "defaultAction")) {
		json_object_del(base, "defaultErrnoRet");
		take_if_set(base, child, "defaultAction");
		take_if_set(base, child, "defaultErrnoRet");
	}
	take_if_set(base, child, "listenerPath");
	take_if_set(base, child, "listenerMetadata");
	take_if_set(base, child, "comment");
	if (hs_profile_get_set(child, "architectures") ||
	    hs_profile_get_set(child, "archMap")) {
		json_object_del(base, "architectures");
		json_object_del(base, "archMap");
		take_if_set(base, child, "architectures");
		take_if_set(base, child, "archMap");
	}
	take_if_set(base, child, "flags");

	json_array_foreach (child_calls, i, rule)
		json_array_foreach (json_object_get(rule, "names"), j, n)
			if (!hs_name_index_add(&child_names,
					       json_string_value(n)))
				return hs_err(err, ENOMEM, "%s: out of memory",
					      file);
	json_array_foreach (hs_profile_get_set(base, "syscalls"), i, rule) {
		bool kept;

		if (drop_names(rule, &child_names, &kept, file, err) < 0)
			return -1;
		if (kept)
			json_array_append(calls, rule);
	}
	json_array_foreach (child_calls, i, rule)
		json_array_append(calls, rule);
	if (hs_profile_get_set(base, "syscalls") || child_calls)
		json_object_set(base, "syscalls", calls);
	json_object_del(base, "extends");
	return 0;
}

/* ---------------------------------------------------------------------
 * The chain
 * ------------------------------------------------------------------- */

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

/* Notes the file read at `depth`. */
static int note_file(struct hs_profile_files *files, unsigned depth,
		     const char *path, const struct stat *st,
		     struct hs_error *err)
{
	struct hs_profile_file *f = &files->file[depth];

	if (hs_snprintf(f->path, sizeof(f->path), "%s", path) < 0)
		return hs_err(err, ENAMETOOLONG, "%s: path too long", path);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->ctime = st->st_ctim;
	files->n = depth + 1;
	return 0;
}

/* Whether the file `base_path` names is already in the chain: compared by
 * inode, to recognise a cycle however its paths are spelled. */
static bool in_chain(const struct hs_profile_files *files,
		     const char *base_path)
{
	struct stat st;
	size_t k;

	if (stat(base_path, &st) < 0)
		return false;
	for (k = 0; k < files->n; k++)
		if (files->file[k].dev == st.st_dev &&
		    files->file[k].ino == st.st_ino)
			return true;
	return false;
}

static json_t *load_chain(const char *path, unsigned depth,
			  struct hs_profile_files *files, struct hs_error *err)
{
	_cleanup_json_ json_t *file = NULL;
	_cleanup_json_ json_t *base = NULL;
	const json_t *ext;
	char base_path[HS_PATH_MAX];
	struct stat st;
	bool invalid;

	/* The stat is the fstat of the fd that was parsed, so a cache that
	 * compares it cannot be fooled by a file replaced in between. */
	file = hs_json_load_stat(path, HS_POLICY_MAX_BYTES, &st, err);
	if (!file || note_file(files, depth, path, &st, err) < 0)
		return NULL;
	invalid = hs_profile_validate(file, path, err) < 0;
	ext = hs_profile_get_set(file, "extends");
	if (json_is_string(ext) &&
	    !hs_profile_extends_problem(json_string_value(ext))) {
		const char *rel = json_string_value(ext);

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
		if (in_chain(files, base_path)) {
			hs_json_err(err, path, "extends",
				    "\"%s\" is already in this extends chain: "
				    "a cycle",
				    rel);
			return NULL;
		}
		/* The base is read even when this file is invalid, so that
		 * `hardshim check` reports its errors too. */
		base = load_chain(base_path, depth + 1, files, err);
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

json_t *hs_profile_load_files(const char *path,
			      struct hs_profile_files *ret_files,
			      struct hs_error *err)
{
	struct hs_profile_files files; /* entries [0, n) only are written */
	json_t *merged;

	files.n = 0;
	merged = load_chain(path, 0, &files, err);
	if (merged && ret_files) {
		memcpy(ret_files->file, files.file,
		       files.n * sizeof(files.file[0]));
		ret_files->n = files.n;
	}
	return merged;
}

json_t *hs_profile_load(const char *path, struct hs_error *err)
{
	return hs_profile_load_files(path, NULL, err);
}

json_t *hs_profile_load_buffer(const char *buf, size_t len, const char *display,
			       struct hs_error *err)
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
	if (hs_profile_get_set(json, "extends")) {
		hs_json_err(
			err, display, "extends",
			"only a profile read from a file can extend another");
		return NULL;
	}
	if (annotate(json, display, err) < 0)
		return NULL;
	return hs_steal_ptr(json);
}
