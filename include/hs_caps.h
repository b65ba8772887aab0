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

#endif
