/* JSON file I/O and the error forms of `hardshim check`. See hs_json.h.
 *
 * Trust: every file read here may be attacker-influenced (a bundle's
 * config.json is written by the engine from a tenant's pod spec). Reads are
 * therefore bounded before any byte is parsed, symlinks are refused at the
 * last component, and duplicate keys are rejected because runc would read
 * the last occurrence while a careless reader might read the first. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_json.h"

/* Reads at most max bytes plus one, so that "too large" is detected even on
 * a pipe where fstat says nothing. */
static char *read_bounded(int fd, const char *display, size_t max,
			  size_t *ret_len, struct hs_error *err)
{
	_cleanup_free_ char *buf = malloc(max + 1);
	size_t len = 0;

	if (!buf) {
		hs_err(err, ENOMEM, "%s: out of memory", display);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hs_err(err, errno, "%s: read: %s", display,
			       strerror(errno));
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			hs_err(err, EFBIG,
			       "%s: larger than the limit of %zu bytes",
			       display, max);
			return NULL;
		}
	}
	*ret_len = len;
	return hs_steal_ptr(buf);
}

json_t *hs_json_load_buffer(const char *buf, size_t len, const char *display,
			    struct hs_error *err)
{
	json_error_t jerr;
	json_t *json = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!json) {
		hs_err(err, EINVAL, "%s:%d:%d: %s", display, jerr.line,
		       jerr.column, jerr.text);
		return NULL;
	}
	return json;
}

json_t *hs_json_load_fd(int fd, const char *display, size_t max,
			struct hs_error *err)
{
	size_t len = 0;
	_cleanup_free_ char *buf = read_bounded(fd, display, max, &len, err);

	if (!buf)
		return NULL;
	return hs_json_load_buffer(buf, len, display, err);
}

static char *read_at(int dirfd, const char *name, const char *display,
		     size_t max, bool trusted, size_t *ret_len,
		     struct stat *ret_st, struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	/* O_NONBLOCK: a FIFO planted in place of the file must be refused
	 * by the S_ISREG check below, not block waiting for a writer. */
	fd = openat(dirfd, name,
		    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			hs_err(err, ELOOP, "%s: is a symbolic link, refused",
			       display);
		else
			hs_err(err, errno, "%s: %s", display, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		hs_err(err, errno, "%s: fstat: %s", display, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		hs_err(err, EINVAL, "%s: not a regular file", display);
		return NULL;
	}
	if (trusted && st.st_uid != 0) {
		hs_err(err, EPERM, "%s: not owned by root (uid %u), refused",
		       display, (unsigned)st.st_uid);
		return NULL;
	}
	if (trusted && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		hs_err(err, EPERM,
		       "%s: writable by group or others (mode %04o), refused",
		       display, (unsigned)(st.st_mode & 07777));
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		hs_err(err, EFBIG,
		       "%s: %jd bytes, larger than the limit of %zu bytes",
		       display, (intmax_t)st.st_size, max);
		return NULL;
	}
	if (ret_st)
		*ret_st = st;
	return read_bounded(fd, display, max, ret_len, err);
}

static json_t *load_at(int dirfd, const char *name, const char *display,
		       size_t max, bool trusted, struct stat *ret_st,
		       struct hs_error *err)
{
	size_t len = 0;
	_cleanup_free_ char *buf =
		read_at(dirfd, name, display, max, trusted, &len, ret_st, err);

	if (!buf)
		return NULL;
	return hs_json_load_buffer(buf, len, display, err);
}

char *hs_file_read_at(int dirfd, const char *name, const char *display,
		      size_t max, size_t *ret_len, struct hs_error *err)
{
	return read_at(dirfd, name, display, max, false, ret_len, NULL, err);
}

json_t *hs_json_load_at(int dirfd, const char *name, const char *display,
			size_t max, struct hs_error *err)
{
	return load_at(dirfd, name, display, max, false, NULL, err);
}

/* Set by the wrapper and the hooks; see hs_json_trust_policy_files. */
static bool policy_files_trusted;

void hs_json_trust_policy_files(void)
{
	policy_files_trusted = true;
}

json_t *hs_json_load_path(const char *path, size_t max, struct hs_error *err)
{
	return load_at(AT_FDCWD, path, path, max, policy_files_trusted, NULL,
		       err);
}

json_t *hs_json_load_trusted(const char *path, size_t max, struct hs_error *err)
{
	return load_at(AT_FDCWD, path, path, max, true, NULL, err);
}

json_t *hs_json_load_stat(const char *path, size_t max, struct stat *ret_st,
			  struct hs_error *err)
{
	return load_at(AT_FDCWD, path, path, max, policy_files_trusted, ret_st,
		       err);
}

char *hs_json_dump(const json_t *json)
{
	return json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int hs_file_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int hs_json_write_at(int dirfd, const char *name, const json_t *json,
		     struct hs_error *err)
{
	_cleanup_free_ char *text = hs_json_dump(json);

	if (!text)
		return hs_err(err, ENOMEM, "%s: cannot serialise JSON", name);
	return hs_file_write_at(dirfd, name, text, strlen(text), err);
}

int hs_file_write_at(int dirfd, const char *name, const char *text, size_t len,
		     struct hs_error *err)
{
	_cleanup_close_ int fd = -1;
	char tmp[HS_PATH_MAX];
	mode_t mode = 0644;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/* The rename would replace a link with a file of the link's
		 * mode (0777); callers never mean to write over one. */
		if (!S_ISREG(st.st_mode))
			return hs_err(err, EINVAL,
				      "%s: not a regular file, not replaced",
				      name);
		mode = st.st_mode & 07777;
	}
	if (hs_snprintf(tmp, sizeof(tmp), ".%s.hardshim-%d", name,
			(int)getpid()) < 0)
		return hs_err(err, ENAMETOOLONG, "%s: name too long", name);
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return hs_err(err, errno, "%s: create temporary file: %s", name,
			      strerror(errno));
	if (fchmod(fd, mode) < 0 || hs_file_write_all(fd, text, len) < 0 ||
	    fsync(fd) < 0) {
		int e = errno;

		unlinkat(dirfd, tmp, 0);
		return hs_err(err, e, "%s: write: %s", name, strerror(e));
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;

		unlinkat(dirfd, tmp, 0);
		return hs_err(err, e, "%s: rename: %s", name, strerror(e));
	}
	/* The rename is durable only once the directory is synced. */
	if (dirfd != AT_FDCWD)
		fsync(dirfd);
	return 0;
}

static int vreport(struct hs_error *err, bool warning, const char *file,
		   const char *path, const char *fmt, va_list ap)
{
	char what[HS_ERR_MSG_MAX];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (warning) {
		hs_warn(err, "%s: %s%s%s", file, path, *path ? ": " : "", what);
		return 0;
	}
	return hs_err(err, EINVAL, "%s: %s%s%s", file, path, *path ? ": " : "",
		      what);
}

int hs_json_err(struct hs_error *err, const char *file, const char *path,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(err, false, file, path, fmt, ap);
	va_end(ap);
	return -1;
}

void hs_json_warn(struct hs_error *err, const char *file, const char *path,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(err, true, file, path, fmt, ap);
	va_end(ap);
}

int hs_json_check_keys(const json_t *obj, const char *const *allowed,
		       const char *file, const char *path, struct hs_error *err)
{
	const char *key;
	json_t *value;
	int ret = 0;

	json_object_foreach ((json_t *)obj, key, value) {
		const char *const *a = allowed;

		(void)value;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a) {
			char p[HS_ERR_MSG_MAX];

			hs_json_path_key(p, sizeof(p), path, key);
			ret = hs_json_err(err, file, p, "unknown key");
		}
	}
	return ret;
}

int hs_json_path_key(char *buf, size_t size, const char *parent,
		     const char *key)
{
	if (!*parent)
		return hs_snprintf(buf, size, "%s", key);
	return hs_snprintf(buf, size, "%s.%s", parent, key);
}

int hs_json_path_index(char *buf, size_t size, const char *parent, size_t i)
{
	return hs_snprintf(buf, size, "%s[%zu]", parent, i);
}

static const json_t *get_typed(const json_t *obj, const char *key,
			       bool required, int type, const char *type_name,
			       const char *file, const char *path,
			       struct hs_error *err, int *ret)
{
	char p[HS_ERR_MSG_MAX];
	const json_t *v = json_object_get(obj, key);
	bool missing = !v || json_is_null(v);

	*ret = 0;
	if (missing && !required)
		return NULL;
	if (!missing && ((int)json_typeof(v) == type ||
			 (type == JSON_TRUE && json_is_boolean(v))))
		return v;
	/* The path is built only for a report: these getters run on every
	 * field of every file a container start reads. */
	hs_json_path_key(p, sizeof(p), path, key);
	if (missing)
		*ret = hs_json_err(err, file, p, "required, missing");
	else
		*ret = hs_json_err(err, file, p, "must be %s", type_name);
	return NULL;
}

int hs_json_get_string(const json_t *obj, const char *key, bool required,
		       const char **ret, const char *file, const char *path,
		       struct hs_error *err)
{
	int r;
	const json_t *v = get_typed(obj, key, required, JSON_STRING, "a string",
				    file, path, err, &r);

	if (v)
		*ret = json_string_value(v);
	return r;
}

int hs_json_get_bool(const json_t *obj, const char *key, bool required,
		     bool *ret, const char *file, const char *path,
		     struct hs_error *err)
{
	int r;
	const json_t *v = get_typed(obj, key, required, JSON_TRUE,
				    "true or false", file, path, err, &r);

	if (v)
		*ret = json_is_true(v);
	return r;
}

int hs_json_get_int(const json_t *obj, const char *key, bool required,
		    int64_t min, int64_t max, int64_t *ret, const char *file,
		    const char *path, struct hs_error *err)
{
	int r;
	const json_t *v = get_typed(obj, key, required, JSON_INTEGER,
				    "an integer", file, path, err, &r);
	json_int_t n;

	if (!v)
		return r;
	n = json_integer_value(v);
	if (n < min || n > max) {
		char p[HS_ERR_MSG_MAX];

		hs_json_path_key(p, sizeof(p), path, key);
		return hs_json_err(
			err, file, p, "%lld is out of range [%lld, %lld]",
			(long long)n, (long long)min, (long long)max);
	}
	*ret = n;
	return 0;
}

int hs_json_get_string_array(const json_t *obj, const char *key, bool required,
			     size_t max, const json_t **ret, const char *file,
			     const char *path, struct hs_error *err)
{
	char p[HS_ERR_MSG_MAX];
	int r;
	const json_t *v = get_typed(obj, key, required, JSON_ARRAY, "an array",
				    file, path, err, &r);
	size_t i;
	json_t *item;

	if (!v)
		return r;
	if (json_array_size(v) > max) {
		hs_json_path_key(p, sizeof(p), path, key);
		return hs_json_err(err, file, p,
				   "%zu entries, more than the limit of %zu",
				   json_array_size(v), max);
	}
	json_array_foreach (v, i, item) {
		if (!json_is_string(item)) {
			char pi[HS_ERR_MSG_MAX];

			hs_json_path_key(p, sizeof(p), path, key);
			hs_json_path_index(pi, sizeof(pi), p, i);
			r = hs_json_err(err, file, pi, "must be a string");
		}
	}
	if (r == 0)
		*ret = v;
	return r;
}
