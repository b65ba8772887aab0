/* The seccomp plan cache; see hs_cache.h for what it trusts and why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_cache.h"
#include "hs_cleanup.h"

#define CACHE_FORMAT "hardshim-seccomp-plan-1"

static void hash_stat(struct hs_sha256 *s, const struct stat *st)
{
	uint64_t v[8] = {
		st->st_dev,
		st->st_ino,
		(uint64_t)st->st_size,
		(uint64_t)st->st_mtim.tv_sec,
		(uint64_t)st->st_mtim.tv_nsec,
		(uint64_t)st->st_ctim.tv_sec,
		(uint64_t)st->st_ctim.tv_nsec,
		st->st_mode,
	};

	hs_sha256_update(s, v, sizeof(v));
}

static void hash_str(struct hs_sha256 *s, const char *str)
{
	hs_sha256_update(s, str, strlen(str) + 1);
}

static int entry_name(const struct hs_policy *p,
		      const struct hs_resolve_ctx *rctx, char *name,
		      size_t size)
{
	char hex[HS_DIGEST_HEX_LEN + 1];
	struct hs_sha256 s;
	struct stat self;
	unsigned kernel[2] = {rctx->kernel_major, rctx->kernel_minor};
	size_t i;

	/* A rebuilt hardshim may resolve or compile differently. */
	if (stat("/proc/self/exe", &self) < 0)
		return -1;
	hs_sha256_init(&s);
	hash_str(&s, CACHE_FORMAT);
	hash_stat(&s, &self);
	hash_str(&s, p->file);
	hash_stat(&s, &p->st);
	for (i = 0; rctx->caps && rctx->caps[i]; i++)
		hash_str(&s, rctx->caps[i]);
	hash_str(&s, "");
	hash_str(&s, rctx->goarch);
	hash_str(&s, rctx->native_arch);
	hs_sha256_update(&s, kernel, sizeof(kernel));
	hs_sha256_hex(&s, hex);
	return hs_snprintf(name, size, "%s.json", hex) < 0 ? -1 : 0;
}

/* Opens the cache directory, creating it and its parent if missing, and
 * only if root owns it and no one else may write to it. */
static int open_dir(const char *dir)
{
	char parent[HS_PATH_MAX];
	char *slash;
	struct stat st;
	int fd;

	if (hs_snprintf(parent, sizeof(parent), "%s", dir) < 0)
		return -1;
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		mkdir(parent, 0700);
	}
	mkdir(dir, 0700);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -1;
	}
	return fd;
}

static json_t *file_json(const struct hs_profile_file *f)
{
	return json_pack("{ss sI sI sI sI sI sI sI}", "path", f->path, "dev",
			 (json_int_t)f->dev, "ino", (json_int_t)f->ino, "size",
			 (json_int_t)f->size, "mtime",
			 (json_int_t)f->mtime.tv_sec, "mtime_ns",
			 (json_int_t)f->mtime.tv_nsec, "ctime",
			 (json_int_t)f->ctime.tv_sec, "ctime_ns",
			 (json_int_t)f->ctime.tv_nsec);
}

/* True when the file at the recorded path is still the one recorded. */
static bool file_unchanged(const json_t *f)
{
	const char *path = json_string_value(json_object_get(f, "path"));
	struct stat st;

	if (!path || stat(path, &st) < 0)
		return false;
#define SAME(key, v) \
	(json_integer_value(json_object_get(f, key)) == (json_int_t)(v))
	return SAME("dev", st.st_dev) && SAME("ino", st.st_ino) &&
	       SAME("size", st.st_size) && SAME("mtime", st.st_mtim.tv_sec) &&
	       SAME("mtime_ns", st.st_mtim.tv_nsec) &&
	       SAME("ctime", st.st_ctim.tv_sec) &&
	       SAME("ctime_ns", st.st_ctim.tv_nsec);
#undef SAME
}

static bool lookup(int dirfd, const char *name, struct hs_seccomp_plan *out)
{
	struct hs_error ignored = {0};
	_cleanup_json_ json_t *entry = hs_json_load_at(
		dirfd, name, name, HS_CONFIG_JSON_MAX_BYTES, &ignored);
	const json_t *files = json_object_get(entry, "files");
	const char *digest =
		json_string_value(json_object_get(entry, "digest"));
	json_t *seccomp = json_object_get(entry, "seccomp");
	size_t i;
	json_t *f;

	if (!json_is_array(files) || json_array_size(files) == 0 || !digest ||
	    strlen(digest) != HS_DIGEST_HEX_LEN || !json_is_object(seccomp))
		return false;
	json_array_foreach (files, i, f)
		if (!file_unchanged(f))
			return false;
	memset(out, 0, sizeof(*out));
	memcpy(out->digest, digest, sizeof(out->digest));
	out->bpf_insns =
		(size_t)json_integer_value(json_object_get(entry, "insns"));
	out->resolved = json_incref(seccomp);
	return true;
}

/* Keeps the directory bounded: entries of an older binary or of an edited
 * policy are never read again, so once HS_CACHE_MAX_ENTRIES have piled up
 * they are all removed and the cache fills anew. */
static void prune(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	if (n >= HS_CACHE_MAX_ENTRIES) {
		rewinddir(d);
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

static void store(int dirfd, const char *name,
		  const struct hs_seccomp_plan *plan)
{
	struct hs_error ignored = {0};
	_cleanup_json_ json_t *entry = NULL;
	json_t *files = json_array();
	size_t i;

	if (!files)
		return;
	prune(dirfd);
	for (i = 0; i < plan->files.n; i++)
		json_array_append_new(files, file_json(&plan->files.file[i]));
	entry = json_pack("{so ss sI sO}", "files", files, "digest",
			  plan->digest, "insns", (json_int_t)plan->bpf_insns,
			  "seccomp", plan->resolved);
	if (entry)
		hs_json_write_at(dirfd, name, entry, &ignored);
}

int hs_cache_plan_seccomp(const struct hs_policy *p,
			  const struct hs_resolve_ctx *rctx, void *opaque,
			  struct hs_seccomp_plan *out, struct hs_error *err)
{
	struct hs_cache *cache = opaque;
	_cleanup_close_ int dirfd = -1;
	char name[HS_DIGEST_HEX_LEN + 8];

	cache->hit = false;
	dirfd = open_dir(cache->dir);
	if (dirfd < 0 || entry_name(p, rctx, name, sizeof(name)) < 0)
		return hs_plan_seccomp(p, rctx, NULL, out, err);
	if (lookup(dirfd, name, out)) {
		cache->hit = true;
		return 0;
	}
	if (hs_plan_seccomp(p, rctx, NULL, out, err) < 0)
		return -1;
	store(dirfd, name, out);
	return 0;
}
