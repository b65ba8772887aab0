/* Lexical path helpers shared by the policy and spec modules. Pure: none of
 * them looks at the filesystem. */
#ifndef HS_PATH_H
#define HS_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Cleans an absolute path: no "//", "." or trailing "/", and ".." resolved
 * lexically, so "/tmp/../etc" becomes "/etc". -1 if `in` is not absolute
 * or does not fit. */
int hs_path_normalize(const char *in, char *out, size_t size);

/* A ".." component anywhere: "/a/../b", "/..", "/etc/..". */
bool hs_path_has_dotdot(const char *s);

/* True when `path` is `dir` or lies beneath it (both normalised). */
bool hs_path_is_beneath(const char *path, const char *dir);

/* True when binding `src` would expose `sensitive`: the same path, a path
 * beneath it, or a parent of it (binding /var exposes /var/run). Both are
 * normalised absolute paths. */
bool hs_path_exposes(const char *src, const char *sensitive);

#endif
