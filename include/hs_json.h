/* JSON files in and out: bounded reads, duplicate keys rejected, atomic
 * writes, and the two error forms of `hardshim check`:
 *   file:line:col: message      for syntax (jansson reports the position)
 *   file: JSON path: message    for meaning
 * jansson keeps no positions for values, so meaning errors carry the path. */
#ifndef HS_JSON_H
#define HS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "hs_error.h"

static inline void hs_json_decrefp(json_t **j)
{
	json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(hs_json_decrefp)))

/* Reads `name` relative to `dirfd` with O_NOFOLLOW: it must be a regular
 * file of at most `max` bytes. `display` names it in errors. */
json_t *hs_json_load_at(int dirfd, const char *name, const char *display,
			size_t max, struct hs_error *err);

/* The same for a path (AT_FDCWD), symlinks in the last component refused. */
json_t *hs_json_load_path(const char *path, size_t max, struct hs_error *err);

/* From now on, hs_json_load_path and hs_json_load_stat (the readers of
 * policies, profiles and network policies) refuse a file that is not
 * root's or that others may write, as hs_json_load_trusted does: the
 * wrapper and the hooks call this first, because those files decide what
 * every container may do. `hardshim check` and `explain` do not: policy
 * authors check their drafts wherever they keep them. */
void hs_json_trust_policy_files(void);

/* As hs_json_load_path, and *ret_st is the fstat of the very fd parsed:
 * what a cache compares to tell whether the file has changed since. */
json_t *hs_json_load_stat(const char *path, size_t max, struct stat *ret_st,
			  struct hs_error *err);

/* As hs_json_load_path, and the file must be owned by root and not group-
 * or other-writable (checked on the open fd, as doas checks its config):
 * whoever can write it decides what every container may do. */
json_t *hs_json_load_trusted(const char *path, size_t max,
			     struct hs_error *err);

/* Reads an already open fd (stdin for hooks and `harden -`), bounded. */
json_t *hs_json_load_fd(int fd, const char *display, size_t max,
			struct hs_error *err);

/* Parses a buffer; for unit tests and fuzzing. */
json_t *hs_json_load_buffer(const char *buf, size_t len, const char *display,
			    struct hs_error *err);

/* Writes `json` to `name` under `dirfd` atomically: temp file in the same
 * directory, fsync, renameat, fsync of the directory. The mode of the file
 * it replaces is kept (0644 for a new one). */
int hs_json_write_at(int dirfd, const char *name, const json_t *json,
		     struct hs_error *err);

/* The raw forms of the two above, for bytes that must be kept exactly
 * (restoring a bundle's config.json if the runtime cannot be started). */
char *hs_file_read_at(int dirfd, const char *name, const char *display,
		      size_t max, size_t *ret_len, struct hs_error *err);
int hs_file_write_at(int dirfd, const char *name, const char *text, size_t len,
		     struct hs_error *err);

/* write(2) until all of `len` is written; -1 with errno on failure. */
int hs_file_write_all(int fd, const char *buf, size_t len);

/* Serialises with the flags every writer uses. Caller frees. */
char *hs_json_dump(const json_t *json);

/* Meaning errors: "file: path: message". `path` may be "" for the root. */
int hs_json_err(struct hs_error *err, const char *file, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void hs_json_warn(struct hs_error *err, const char *file, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Rejects keys of `obj` not in the NULL-terminated `allowed` list: unknown
 * keys in hardshim's own files are errors (a typo must not silently weaken a
 * policy). Reports every unknown key; returns -1 if there was one. */
int hs_json_check_keys(const json_t *obj, const char *const *allowed,
		       const char *file, const char *path,
		       struct hs_error *err);

/* Builds "parent.key" or "parent[i]" into buf (truncation is an error). */
int hs_json_path_key(char *buf, size_t size, const char *parent,
		     const char *key);
int hs_json_path_index(char *buf, size_t size, const char *parent, size_t i);

/* Typed getters that report a wrong type with the path. A missing key
 * returns 0 and leaves *ret untouched when `required` is false. */
int hs_json_get_string(const json_t *obj, const char *key, bool required,
		       const char **ret, const char *file, const char *path,
		       struct hs_error *err);
int hs_json_get_bool(const json_t *obj, const char *key, bool required,
		     bool *ret, const char *file, const char *path,
		     struct hs_error *err);
/* An integer in [min, max]. */
int hs_json_get_int(const json_t *obj, const char *key, bool required,
		    int64_t min, int64_t max, int64_t *ret, const char *file,
		    const char *path, struct hs_error *err);
/* An array of at most `max` strings; *ret is borrowed (NULL when absent). */
int hs_json_get_string_array(const json_t *obj, const char *key, bool required,
			     size_t max, const json_t **ret, const char *file,
			     const char *path, struct hs_error *err);

#endif
