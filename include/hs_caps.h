/* Capability names and sets, through libcap-ng (the only module that
 * includes <cap-ng.h>). A set is a bit mask indexed by capability number. */
#ifndef HS_CAPS_H
#define HS_CAPS_H

#include <stdint.h>

#include "hs_error.h"

typedef uint64_t hs_capset_t;

/* "CAP_SYS_ADMIN" -> 21. Only the upper-case CAP_ form that OCI specs use is
 * accepted; an unknown name returns -1 (the caller reports it). */
int hs_caps_from_name(const char *name);

/* 21 -> "CAP_SYS_ADMIN" into buf; -1 if unknown or buf too small. */
int hs_caps_to_name(int cap, char *buf, size_t size);

/* The highest capability number libcap-ng knows. */
int hs_caps_last(void);

#define HS_CAP_NAME_MAX 40

/* The names of the capabilities in `set`, as a NULL-terminated list for
 * Docker's includes.caps: list[i] points into names[i]. */
struct hs_caps_names {
	char names[64][HS_CAP_NAME_MAX];
	const char *list[65];
};
void hs_caps_names(hs_capset_t set, struct hs_caps_names *ret);

#endif
