/* Lexical path helpers; see hs_path.h. */
#include <string.h>

#include "hs_path.h"

int hs_path_normalize(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p = in;

	if (in[0] != '/' || strlen(in) >= size)
		return -1;
	out[0] = '\0';
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, seg, n);
		len += n;
		out[len] = '\0';
	}
	if (len == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

bool hs_path_has_dotdot(const char *s)
{
	const char *p;

	for (p = strstr(s, ".."); p; p = strstr(p + 1, ".."))
		if ((p == s || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

bool hs_path_is_beneath(const char *path, const char *dir)
{
	size_t ld = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, ld) == 0 &&
	       (path[ld] == '\0' || path[ld] == '/');
}

bool hs_path_exposes(const char *src, const char *sensitive)
{
	if (strcmp(src, "/") == 0)
		return true;
	if (strcmp(sensitive, "/") == 0)
		return false; /* "/" is exposed only by itself, checked above */
	return hs_path_is_beneath(src, sensitive) ||
	       hs_path_is_beneath(sensitive, src);
}
