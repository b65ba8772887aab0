/* Capability names through libcap-ng, so that the set of known names is the
 * library's, not a table of ours that could fall behind the kernel. */
#include <ctype.h>
#include <string.h>

#include <cap-ng.h>

#include "hs_caps.h"

int hs_caps_from_name(const char *name)
{
	const char *p;

	/* OCI specs spell capabilities "CAP_CHOWN"; libcap-ng wants "chown".
	 * Anything else (lower case, missing prefix) is refused rather than
	 * guessed at, so that a policy reads the same to every tool. */
	if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return -1;
	for (p = name + 4; *p; p++)
		if (!isupper((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_')
			return -1;
	return capng_name_to_capability(name + 4);
}

int hs_caps_to_name(int cap, char *buf, size_t size)
{
	const char *n;
	size_t i, len;

	if (cap < 0 || cap > hs_caps_last())
		return -1;
	n = capng_capability_to_name((unsigned)cap);
	if (!n)
		return -1;
	len = strlen(n);
	if (len + 5 > size)
		return -1;
	memcpy(buf, "CAP_", 4);
	for (i = 0; i <= len; i++)
		buf[4 + i] = (char)toupper((unsigned char)n[i]);
	return 0;
}

int hs_caps_last(void)
{
	/* CAP_LAST_CAP of the headers libcap-ng was built with; a set must fit
	 * in 64 bits, which holds until the kernel passes 63 capabilities. */
	return CAP_LAST_CAP < 63 ? CAP_LAST_CAP : 63;
}

void hs_caps_names(hs_capset_t set, struct hs_caps_names *ret)
{
	size_t n = 0;
	int c;

	for (c = 0; c <= hs_caps_last() && n < 64; c++)
		if ((set & ((hs_capset_t)1 << c)) &&
		    hs_caps_to_name(c, ret->names[n], HS_CAP_NAME_MAX) == 0) {
			ret->list[n] = ret->names[n];
			n++;
		}
	ret->list[n] = NULL;
}
