/* shim/json_io.c: bounded, symlink-refusing reads with exact syntax
 * positions, duplicate keys rejected, trusted-file owner/mode checks, atomic
 * writes, and the "file: JSON path: message" form of meaning errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs_json.h"
#include "hs_test.h"

static char scratch[64];

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under the scratch dir for one test. */
static int subdir(const char *name, char *out, size_t size)
{
	if (hs_snprintf(out, size, "%s/%s", scratch, name) < 0)
		return -1;
	return mkdir(out, 0755);
}

static int write_file(const char *dir, const char *name, const char *text,
		      mode_t mode)
{
	char path[512];
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return chmod(path, mode);
}

static int open_dir(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Number of directory entries besides "." and "..". */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* --- syntax ----------------------------------------------------------------
 */

static void test_syntax_error_line_col(void)
{
	struct hs_error err = {0};
	char dir[256];
	int fd;
	json_t *j;

	CHECK(subdir("syntax", dir, sizeof(dir)) == 0);
	/* Line 3 is `  "b" 2`: the '2' where ':' belongs is column 7. */
	CHECK(write_file(dir, "bad.json", "{\n  \"a\": 1,\n  \"b\" 2\n}\n",
			 0644) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	j = hs_json_load_at(fd, "bad.json", "policies/bad.json", 4096, &err);
	close(fd);
	CHECK(j == NULL);
	CHECK(err.count == 1);
	CHECK(err.errnum == EINVAL);
	CHECK_CONTAINS(err.msg, "policies/bad.json:3:7: ");
	CHECK_CONTAINS(err.msg, "':' expected");
}

static void test_syntax_error_buffer_position(void)
{
	struct hs_error err = {0};
	const char *text = "[1,\n2,\n  x]";

	CHECK(hs_json_load_buffer(text, strlen(text), "buf", &err) == NULL);
	CHECK_CONTAINS(err.msg, "buf:3:3: invalid token");
}

static void test_syntax_trailing_garbage(void)
{
	struct hs_error err = {0};
	const char *text = "{\"a\":1}\n{";

	CHECK(hs_json_load_buffer(text, strlen(text), "x.json", &err) == NULL);
	CHECK_CONTAINS(err.msg, "x.json:2:1: end of file expected");
}

static void test_syntax_empty_file(void)
{
	struct hs_error err = {0};
	char dir[256];

	CHECK(subdir("empty", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "e.json", "", 0644) == 0);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/e.json", dir);
		CHECK(hs_json_load_path(path, 4096, &err) == NULL);
		CHECK_CONTAINS(err.msg, "/e.json:1:0: ");
		CHECK_CONTAINS(err.msg, "end of file");
	}
}

static void test_duplicate_key_rejected(void)
{
	struct hs_error err = {0};
	const char *text = "{\"a\": 1,\n \"a\": 2}";

	CHECK(hs_json_load_buffer(text, strlen(text), "dup.json", &err) ==
	      NULL);
	CHECK_CONTAINS(err.msg, "dup.json:2:4: duplicate object key");
}

static void test_duplicate_key_nested_in_file(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];

	CHECK(subdir("dup", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json",
			 "{\n\"process\": {\n  \"user\": {\"uid\": 1000, "
			 "\"uid\": 0}\n}\n}\n",
			 0644) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(hs_json_load_path(path, 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "config.json:3:");
	CHECK_CONTAINS(err.msg, "duplicate object key");
}

static void test_valid_buffer_loads(void)
{
	struct hs_error err = {0};
	const char *text = "{\"a\": [1, 2], \"b\": {\"c\": null}}";
	json_t *j = hs_json_load_buffer(text, strlen(text), "ok", &err);

	CHECK(j != NULL);
	CHECK(err.count == 0);
	CHECK(json_array_size(json_object_get(j, "a")) == 2);
	json_decref(j);
}

/* --- size, file type, symlinks -------------------------------------------- */

static void test_oversized_file_states_limit(void)
{
	struct hs_error err = {0};
	char dir[256];
	int fd;

	CHECK(subdir("big", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "big.json", "{\"key\": \"0123456789abcdef\"}",
			 0644) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_json_load_at(fd, "big.json", "bundle/config.json", 16, &err) ==
	      NULL);
	close(fd);
	CHECK(err.errnum == EFBIG);
	CHECK_CONTAINS(err.msg, "bundle/config.json: 27 bytes, larger than "
				"the limit of 16 bytes");
}

static void test_size_exactly_at_limit_loads(void)
{
	struct hs_error err = {0};
	char dir[256];
	json_t *j;
	int fd;

	CHECK(subdir("edge", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "e.json", "{\"k\":1}", 0644) == 0); /* 7 bytes */
	fd = open_dir(dir);
	CHECK(fd >= 0);
	j = hs_json_load_at(fd, "e.json", "e.json", 7, &err);
	CHECK(j != NULL);
	json_decref(j);
	CHECK(hs_json_load_at(fd, "e.json", "e.json", 6, &err) == NULL);
	close(fd);
	CHECK_CONTAINS(err.msg, "larger than the limit of 6 bytes");
}

static void test_pipe_oversized_states_limit(void)
{
	struct hs_error err = {0};
	int p[2];
	const char *text = "{\"id\": \"a-long-container-id\"}";

	/* A pipe has no size to fstat: the bounded read must catch it. */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], text, strlen(text)) == (ssize_t)strlen(text));
	close(p[1]);
	CHECK(hs_json_load_fd(p[0], "stdin", 10, &err) == NULL);
	close(p[0]);
	CHECK(err.errnum == EFBIG);
	CHECK_CONTAINS(err.msg, "stdin: larger than the limit of 10 bytes");
}

static void test_pipe_within_limit_loads(void)
{
	struct hs_error err = {0};
	int p[2];
	const char *text = "{\"id\": \"h1\"}";
	json_t *j;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], text, strlen(text)) == (ssize_t)strlen(text));
	close(p[1]);
	j = hs_json_load_fd(p[0], "stdin", 4096, &err);
	close(p[0]);
	CHECK(j != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "id")), "h1");
	json_decref(j);
}

static void test_symlink_refused(void)
{
	struct hs_error err = {0};
	char dir[256], link[512], path[512];
	int fd;

	CHECK(subdir("link", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "real.json", "{}", 0644) == 0);
	snprintf(link, sizeof(link), "%s/config.json", dir);
	CHECK(symlink("real.json", link) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_json_load_at(fd, "config.json", "b/config.json", 4096, &err) ==
	      NULL);
	close(fd);
	CHECK(err.errnum == ELOOP);
	CHECK_CONTAINS(err.msg, "b/config.json: is a symbolic link, refused");

	/* The path forms refuse it too, and the raw reader. */
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_load_path(link, 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "symbolic link");
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_load_trusted(link, 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "symbolic link");
	/* A dangling one as well. */
	snprintf(path, sizeof(path), "%s/dangling.json", dir);
	CHECK(symlink("/nonexistent/x.json", path) == 0);
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_load_path(path, 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "symbolic link");
}

static void test_directory_refused(void)
{
	struct hs_error err = {0};
	char dir[256], sub[512];
	int fd;

	CHECK(subdir("isdir", dir, sizeof(dir)) == 0);
	snprintf(sub, sizeof(sub), "%s/config.json", dir);
	CHECK(mkdir(sub, 0755) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_json_load_at(fd, "config.json", "b/config.json", 4096, &err) ==
	      NULL);
	close(fd);
	CHECK_CONTAINS(err.msg, "b/config.json: not a regular file");
}

static void test_dev_null_refused(void)
{
	struct hs_error err = {0};

	/* A character device: not a regular file. */
	CHECK(hs_json_load_path("/dev/null", 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "/dev/null: not a regular file");
}

/* Loads `name` in a child with an alarm: a FIFO must be refused, not
 * waited on. Returns the child's exit status, or -SIGALRM when it hung. */
static int load_fifo_in_child(const char *dir, const char *name)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1000;
	if (pid == 0) {
		struct hs_error err = {0};
		int fd = open_dir(dir);
		json_t *j;

		alarm(2);
		j = hs_json_load_at(fd, name, name, 4096, &err);
		_exit(j == NULL && strstr(err.msg, "not a regular file") ? 0
									 : 1);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1000;
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void test_fifo_refused(void)
{
	char dir[256], fifo[512];

	CHECK(subdir("fifo", dir, sizeof(dir)) == 0);
	snprintf(fifo, sizeof(fifo), "%s/config.json", dir);
	CHECK(mkfifo(fifo, 0644) == 0);
	/* -SIGALRM: openat() blocked waiting for a writer. */
	CHECK(load_fifo_in_child(dir, "config.json") == 0);
}

static void test_missing_file_names_it(void)
{
	struct hs_error err = {0};

	CHECK(hs_json_load_path("/nonexistent/hardshim/x.json", 4096, &err) ==
	      NULL);
	CHECK(err.errnum == ENOENT);
	CHECK_CONTAINS(err.msg, "/nonexistent/hardshim/x.json: No such file");
}

/* --- trusted files ----------------------------------------------------------
 */

static void test_trusted_world_writable_refused(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];

	CHECK(subdir("trusted-mode", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json", "{}", 0666) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(hs_json_load_trusted(path, 4096, &err) == NULL);
	CHECK(err.errnum == EPERM);
	if (geteuid() == 0)
		CHECK_CONTAINS(err.msg, "writable by group or others (mode "
					"0666), refused");
	else /* the owner check comes first */
		CHECK_CONTAINS(err.msg, "not owned by root");
}

static void test_trusted_group_writable_refused(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];

	if (geteuid() != 0)
		return; /* only root can own a file as root */
	CHECK(subdir("trusted-grp", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json", "{}", 0664) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(hs_json_load_trusted(path, 4096, &err) == NULL);
	CHECK_CONTAINS(err.msg, "(mode 0664), refused");
}

static void test_trusted_not_root_owned_refused(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];

	CHECK(subdir("trusted-owner", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json", "{}", 0644) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (geteuid() == 0)
		CHECK(chown(path, 1000, 1000) == 0);
	CHECK(hs_json_load_trusted(path, 4096, &err) == NULL);
	CHECK(err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "not owned by root (uid ");
	if (geteuid() == 0)
		CHECK_CONTAINS(err.msg, "(uid 1000), refused");
	/* The untrusted loader does not care who owns it. */
	{
		json_t *j = hs_json_load_path(path, 4096, &err);

		CHECK(j != NULL);
		json_decref(j);
	}
}

static void test_trusted_root_owned_loads(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];
	json_t *j;

	if (geteuid() != 0)
		return; /* nothing a non-root test can create passes */
	CHECK(subdir("trusted-ok", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json",
			 "{\"runtime\": \"/usr/sbin/runc\"}", 0644) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	j = hs_json_load_trusted(path, 4096, &err);
	CHECK(j != NULL);
	json_decref(j);
}

/* --- writes ------------------------------------------------------------------
 */

static void test_write_replaces_keeps_mode_no_temp(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];
	_cleanup_json_ json_t *out =
		json_pack("{s:s,s:i}", "ociVersion", "1.0.2", "n", 42);
	json_t *back;
	struct stat st;
	int fd;

	CHECK(out != NULL);
	CHECK(subdir("write", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json", "{\"old\": true}", 0600) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_json_write_at(fd, "config.json", out, &err) == 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(lstat(path, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK((st.st_mode & 07777) == 0600);
	CHECK(count_entries(dir) == 1); /* no .config.json.hardshim-PID */
	back = hs_json_load_path(path, 4096, &err);
	CHECK(back != NULL);
	CHECK(json_equal(back, out));
	CHECK(json_object_get(back, "old") == NULL);
	json_decref(back);
}

static void test_write_new_file_mode_0644(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];
	_cleanup_json_ json_t *out = json_pack("[i,i]", 1, 2);
	struct stat st;
	mode_t old;
	int fd, r;

	CHECK(out != NULL);
	CHECK(subdir("write-new", dir, sizeof(dir)) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	old = umask(077);
	r = hs_json_write_at(fd, "new.json", out, &err);
	umask(old);
	close(fd);
	CHECK(r == 0);
	snprintf(path, sizeof(path), "%s/new.json", dir);
	CHECK(stat(path, &st) == 0);
	CHECK((st.st_mode & 07777) == 0644); /* whatever the umask */
	CHECK(count_entries(dir) == 1);
}

static void test_write_over_symlink_not_world_writable(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];
	_cleanup_json_ json_t *out = json_pack("{}");
	struct stat st;
	int fd, r;

	CHECK(out != NULL);
	CHECK(subdir("write-link", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "target.json", "{}", 0644) == 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	CHECK(symlink("target.json", path) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	r = hs_json_write_at(fd, "config.json", out, &err);
	close(fd);
	/* Either refused, or the replacement is not group/other-writable:
	 * a symlink's own mode (0777) must not be copied onto a real file. */
	if (r == 0) {
		CHECK(lstat(path, &st) == 0);
		CHECK((st.st_mode & (S_IWGRP | S_IWOTH)) == 0);
	}
}

static void test_round_trip_preserves_unknown_fields(void)
{
	struct hs_error err = {0};
	char dir[256], path[512];
	const char *text =
		"{\"ociVersion\": \"1.0.2-dev\", \"x-vendor\": {\"k\": [1, "
		"\"two\", null, 3.5]}, \"process\": {\"args\": [\"sh\"], "
		"\"futureField\": {\"a\": false}}, \"zzz\": \"last\"}";
	json_t *orig, *back, *reference;
	int fd;
	char *dump;

	CHECK(subdir("roundtrip", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "config.json", text, 0644) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	orig = hs_json_load_at(fd, "config.json", "config.json", 4096, &err);
	CHECK(orig != NULL);
	json_object_set_new(json_object_get(orig, "process"), "noNewPrivileges",
			    json_true());
	CHECK(hs_json_write_at(fd, "config.json", orig, &err) == 0);
	back = hs_json_load_at(fd, "config.json", "config.json", 4096, &err);
	close(fd);
	json_decref(orig);
	CHECK(back != NULL);
	reference = json_loads(text, 0, NULL);
	json_object_set_new(json_object_get(reference, "process"),
			    "noNewPrivileges", json_true());
	CHECK(json_equal(back, reference));
	json_decref(reference);
	/* Key order is kept too: a reviewer diffs the file. */
	dump = hs_json_dump(back);
	json_decref(back);
	CHECK(dump != NULL);
	{
		const char *a = strstr(dump, "ociVersion");
		const char *b = strstr(dump, "x-vendor");
		const char *c = strstr(dump, "zzz");
		int ordered = a && b && c && a < b && b < c;

		free(dump);
		CHECK(ordered);
	}
	snprintf(path, sizeof(path), "%s", dir);
	CHECK(count_entries(path) == 1);
}

static void test_file_bytes_round_trip(void)
{
	struct hs_error err = {0};
	char dir[256];
	const char bytes[] = {'a', '\0', 'b', (char)0xff, '\n', '{'};
	char *back;
	size_t len = 0;
	int fd;

	CHECK(subdir("bytes", dir, sizeof(dir)) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_file_write_at(fd, "raw", bytes, sizeof(bytes), &err) == 0);
	back = hs_file_read_at(fd, "raw", "raw", 4096, &len, &err);
	close(fd);
	CHECK(back != NULL);
	CHECK(len == sizeof(bytes));
	fd = memcmp(back, bytes, sizeof(bytes));
	free(back);
	CHECK(fd == 0);
	CHECK(count_entries(dir) == 1);
}

static void test_file_read_limit_and_symlink(void)
{
	struct hs_error err = {0};
	char dir[256], link[512];
	size_t len = 0;
	int fd;

	CHECK(subdir("rawneg", dir, sizeof(dir)) == 0);
	CHECK(write_file(dir, "raw", "0123456789", 0644) == 0);
	snprintf(link, sizeof(link), "%s/lnk", dir);
	CHECK(symlink("raw", link) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(hs_file_read_at(fd, "raw", "raw", 9, &len, &err) == NULL);
	CHECK_CONTAINS(err.msg, "raw: 10 bytes, larger than the limit of 9");
	memset(&err, 0, sizeof(err));
	CHECK(hs_file_read_at(fd, "lnk", "lnk", 100, &len, &err) == NULL);
	CHECK_CONTAINS(err.msg, "lnk: is a symbolic link, refused");
	close(fd);
}

static void test_write_into_removed_dir_fails(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *out = json_pack("{}");
	char dir[256];
	int fd, r;

	/* A bundle directory removed under us: the write fails, and says
	 * which step did. */
	CHECK(subdir("removed", dir, sizeof(dir)) == 0);
	fd = open_dir(dir);
	CHECK(fd >= 0);
	CHECK(rmdir(dir) == 0);
	r = hs_json_write_at(fd, "config.json", out, &err);
	close(fd);
	CHECK(r < 0);
	CHECK(err.count == 1);
	CHECK_STR(err.msg, "config.json: create temporary file: No such file "
			   "or directory");
}

/* --- keys, getters, paths ------------------------------------------------- */

static const char *const allowed_keys[] = {"name", "mode", NULL};

static void test_check_keys_reports_every_unknown(void)
{
	struct hs_error err = {0};
	char *lines = NULL;
	size_t size = 0;
	_cleanup_json_ json_t *obj =
		json_pack("{s:s,s:i,s:s,s:b}", "name", "x", "capabilitys", 1,
			  "mode", "enforce", "seccom", 1);

	CHECK(obj != NULL);
	err.sink = open_memstream(&lines, &size);
	CHECK(err.sink != NULL);
	CHECK(hs_json_check_keys(obj, allowed_keys, "p.json", "spec", &err) <
	      0);
	fclose(err.sink);
	err.sink = NULL;
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "p.json: spec.capabilitys: unknown key");
	CHECK_CONTAINS(lines, "p.json: spec.capabilitys: unknown key\n");
	CHECK_CONTAINS(lines, "p.json: spec.seccom: unknown key\n");
	free(lines);
}

static void test_check_keys_root_path_and_clean(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *bad = json_pack("{s:i}", "x", 1);
	_cleanup_json_ json_t *good = json_pack("{s:s}", "mode", "enforce");

	CHECK(hs_json_check_keys(good, allowed_keys, "f", "", &err) == 0);
	CHECK(err.count == 0);
	CHECK(hs_json_check_keys(bad, allowed_keys, "f", "", &err) < 0);
	CHECK_STR(err.msg, "f: x: unknown key");
}

static void test_get_string_wrong_type(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_pack("{s:i}", "runtime", 5);
	const char *s = "untouched";

	CHECK(hs_json_get_string(o, "runtime", true, &s, "c.json", "", &err) <
	      0);
	CHECK_STR(err.msg, "c.json: runtime: must be a string");
	CHECK_STR(s, "untouched");
}

static void test_get_required_missing_and_null(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_pack("{s:n}", "uid");
	const char *s = NULL;
	int64_t n = 7;

	CHECK(hs_json_get_string(o, "path", true, &s, "f", "process.user",
				 &err) < 0);
	CHECK_STR(err.msg, "f: process.user.path: required, missing");
	memset(&err, 0, sizeof(err));
	/* null counts as missing */
	CHECK(hs_json_get_int(o, "uid", true, 0, 10, &n, "f", "user", &err) <
	      0);
	CHECK_STR(err.msg, "f: user.uid: required, missing");
	CHECK(n == 7);
}

static void test_get_optional_missing_untouched(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_object();
	const char *s = "default";
	bool b = true;
	int64_t n = 5;
	const json_t *arr = NULL;

	CHECK(hs_json_get_string(o, "a", false, &s, "f", "", &err) == 0);
	CHECK(hs_json_get_bool(o, "b", false, &b, "f", "", &err) == 0);
	CHECK(hs_json_get_int(o, "c", false, 1, 9, &n, "f", "", &err) == 0);
	CHECK(hs_json_get_string_array(o, "d", false, 4, &arr, "f", "", &err) ==
	      0);
	CHECK(err.count == 0);
	CHECK_STR(s, "default");
	CHECK(b == true);
	CHECK(n == 5);
	CHECK(arr == NULL);
}

static void test_get_bool_wrong_type(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_pack("{s:s}", "readonly", "true");
	bool b = false;

	CHECK(hs_json_get_bool(o, "readonly", false, &b, "f", "root", &err) <
	      0);
	CHECK_STR(err.msg, "f: root.readonly: must be true or false");
	CHECK(b == false);
}

static void test_get_int_wrong_type(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_pack("{s:f,s:s}", "a", 1.5, "b", "3");
	int64_t n = 0;

	CHECK(hs_json_get_int(o, "a", true, 0, 10, &n, "f", "", &err) < 0);
	CHECK_STR(err.msg, "f: a: must be an integer");
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_get_int(o, "b", true, 0, 10, &n, "f", "", &err) < 0);
	CHECK_STR(err.msg, "f: b: must be an integer");
}

static void test_get_int_out_of_range(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o =
		json_pack("{s:i,s:i,s:I}", "hookTimeout", 61, "low", 0, "huge",
			  (json_int_t)5000000000LL);
	int64_t n = 3;

	CHECK(hs_json_get_int(o, "hookTimeout", false, 1, 60, &n, "c.json", "",
			      &err) < 0);
	CHECK_STR(err.msg, "c.json: hookTimeout: 61 is out of range [1, 60]");
	CHECK(n == 3);
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_get_int(o, "low", false, 1, 60, &n, "c.json", "t", &err) <
	      0);
	CHECK_STR(err.msg, "c.json: t.low: 0 is out of range [1, 60]");
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_get_int(o, "huge", false, 0, 4294967295LL, &n, "f", "u",
			      &err) < 0);
	CHECK_CONTAINS(err.msg, "u.huge: 5000000000 is out of range");
}

static void test_get_int_bounds_inclusive(void)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *o = json_pack("{s:i,s:i}", "a", 1, "b", 60);
	int64_t a = 0, b = 0;

	CHECK(hs_json_get_int(o, "a", true, 1, 60, &a, "f", "", &err) == 0);
	CHECK(hs_json_get_int(o, "b", true, 1, 60, &b, "f", "", &err) == 0);
	CHECK(a == 1 && b == 60);
}

static void test_get_string_array_errors(void)
{
	struct hs_error err = {0};
	char *lines = NULL;
	size_t size = 0;
	_cleanup_json_ json_t *o =
		json_pack("{s:[s,i,s,b],s:[s,s,s],s:s}", "mixed", "a", 1, "b",
			  1, "long", "x", "y", "z", "notarray", "a");
	const json_t *arr = NULL;

	err.sink = open_memstream(&lines, &size);
	CHECK(err.sink != NULL);
	CHECK(hs_json_get_string_array(o, "mixed", true, 10, &arr, "f", "spec",
				       &err) < 0);
	fclose(err.sink);
	err.sink = NULL;
	CHECK(arr == NULL);
	CHECK(err.count == 2);
	CHECK_STR(err.msg, "f: spec.mixed[1]: must be a string");
	CHECK_CONTAINS(lines, "f: spec.mixed[3]: must be a string");
	free(lines);
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_get_string_array(o, "long", true, 2, &arr, "f", "spec",
				       &err) < 0);
	CHECK_STR(err.msg, "f: spec.long: 3 entries, more than the limit of 2");
	memset(&err, 0, sizeof(err));
	CHECK(hs_json_get_string_array(o, "notarray", true, 2, &arr, "f", "",
				       &err) < 0);
	CHECK_STR(err.msg, "f: notarray: must be an array");
	CHECK(hs_json_get_string_array(o, "long", true, 3, &arr, "f", "",
				       &err) == 0);
	CHECK(json_array_size(arr) == 3);
}

static void test_json_err_forms(void)
{
	struct hs_error err = {0};

	CHECK(hs_json_err(&err, "p.json", "", "must be a JSON object") < 0);
	CHECK_STR(err.msg, "p.json: must be a JSON object");
	CHECK(err.errnum == EINVAL);
	hs_json_warn(&err, "p.json", "a.b", "odd");
	CHECK(err.warnings == 1);
	CHECK(err.count == 1); /* a warning is not an error */
}

static void test_path_builders(void)
{
	char buf[16];

	CHECK(hs_json_path_key(buf, sizeof(buf), "", "name") >= 0);
	CHECK_STR(buf, "name");
	CHECK(hs_json_path_key(buf, sizeof(buf), "spec", "mounts") >= 0);
	CHECK_STR(buf, "spec.mounts");
	CHECK(hs_json_path_index(buf, sizeof(buf), "mounts", 12) >= 0);
	CHECK_STR(buf, "mounts[12]");
	/* Truncation is reported, not hidden. */
	CHECK(hs_json_path_key(buf, sizeof(buf), "process.capabilities",
			       "bounding") < 0);
	CHECK(hs_json_path_index(buf, sizeof(buf), "linux.namespaces", 1) < 0);
}

int main(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/hs-json-io-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_syntax_error_line_col);
	RUN(test_syntax_error_buffer_position);
	RUN(test_syntax_trailing_garbage);
	RUN(test_syntax_empty_file);
	RUN(test_duplicate_key_rejected);
	RUN(test_duplicate_key_nested_in_file);
	RUN(test_valid_buffer_loads);
	RUN(test_oversized_file_states_limit);
	RUN(test_size_exactly_at_limit_loads);
	RUN(test_pipe_oversized_states_limit);
	RUN(test_pipe_within_limit_loads);
	RUN(test_symlink_refused);
	RUN(test_directory_refused);
	RUN(test_dev_null_refused);
	RUN(test_fifo_refused);
	RUN(test_missing_file_names_it);
	RUN(test_trusted_world_writable_refused);
	RUN(test_trusted_group_writable_refused);
	RUN(test_trusted_not_root_owned_refused);
	RUN(test_trusted_root_owned_loads);
	RUN(test_write_replaces_keeps_mode_no_temp);
	RUN(test_write_new_file_mode_0644);
	RUN(test_write_over_symlink_not_world_writable);
	RUN(test_round_trip_preserves_unknown_fields);
	RUN(test_file_bytes_round_trip);
	RUN(test_file_read_limit_and_symlink);
	RUN(test_write_into_removed_dir_fails);
	RUN(test_check_keys_reports_every_unknown);
	RUN(test_check_keys_root_path_and_clean);
	RUN(test_get_string_wrong_type);
	RUN(test_get_required_missing_and_null);
	RUN(test_get_optional_missing_untouched);
	RUN(test_get_bool_wrong_type);
	RUN(test_get_int_wrong_type);
	RUN(test_get_int_out_of_range);
	RUN(test_get_int_bounds_inclusive);
	RUN(test_get_string_array_errors);
	RUN(test_json_err_forms);
	RUN(test_path_builders);
	rm_rf(scratch);
	TEST_EXIT();
}
