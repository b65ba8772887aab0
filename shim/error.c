/* The error object: see include/hs_error.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs_error.h"

int hs_err(struct hs_error *err, int errnum, const char *fmt, ...)
{
	char line[HS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (err->count++ == 0) {
		err->errnum = errnum;
		memcpy(err->msg, line, sizeof(line));
	}
	if (err->sink)
		fprintf(err->sink, "%s\n", line);
	errno = errnum;
	return -1;
}

void hs_warn(struct hs_error *err, const char *fmt, ...)
{
	va_list ap;

	err->warnings++;
	if (!err->sink)
		return;
	fputs("warning: ", err->sink);
	va_start(ap, fmt);
	vfprintf(err->sink, fmt, ap);
	va_end(ap);
	fputc('\n', err->sink);
}

int hs_err_context(struct hs_error *err, const char *fmt, ...)
{
	char joined[HS_ERR_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(joined, sizeof(joined), fmt, ap);
	va_end(ap);
	/* Truncation of an error message is acceptable: it is still one line.
	 */
	if (n >= 0 && (size_t)n + 3 < sizeof(joined)) {
		size_t room = sizeof(joined) - (size_t)n - 3;
		size_t len = strnlen(err->msg, room);

		memcpy(joined + n, ": ", 2);
		memcpy(joined + n + 2, err->msg, len);
		joined[(size_t)n + 2 + len] = '\0';
	}
	memcpy(err->msg, joined, sizeof(joined));
	return -1;
}

int hs_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}
