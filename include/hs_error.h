/* One error convention for the whole tree (after crun's error.c).
 *
 * A function that can fail returns a negative value or NULL and fills a
 * struct hs_error with errno and one line that names the file, field or
 * value. Callers add context on the way up with hs_err_context(); only main
 * prints. Validation (hardshim check) reports every problem, not only the
 * first: when `sink` is set each error and warning line is also written there
 * as it is found, and `count` says how many errors there were. */
#ifndef HS_ERROR_H
#define HS_ERROR_H

#include <stdio.h>

#include "hs_limits.h"

struct hs_error {
	int errnum; /* errno of the first error, 0 if none */
	unsigned count; /* errors reported */
	unsigned warnings; /* warnings reported */
	char msg[HS_ERR_MSG_MAX]; /* the first error's line */
	FILE *sink; /* check mode: every line goes here too */
};

/* Records an error (the first one is kept in msg) and returns -1. */
int hs_err(struct hs_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A warning: printed to the sink in check mode, otherwise only counted. */
void hs_warn(struct hs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefixes "context: " to the recorded message; returns -1. */
int hs_err_context(struct hs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* snprintf that reports truncation as an error instead of hiding it. */
int hs_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
