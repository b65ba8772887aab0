/* SHA-256 of a policy's canonical JSON, recorded in the container's
 * annotations and (later) the nftables table, so that every stage can tell
 * which exact policy a container was hardened with.
 *
 * None of the chosen dependencies offers a hash, and this kernel has no
 * AF_ALG, so this is the FIPS 180-4 algorithm, checked against its
 * published test vectors in tests/unit/test_digest.c. */
#ifndef HS_DIGEST_H
#define HS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define HS_DIGEST_HEX_LEN 64

struct hs_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t used;
};

void hs_sha256_init(struct hs_sha256 *s);
void hs_sha256_update(struct hs_sha256 *s, const void *data, size_t len);
/* Writes 64 hex digits and a NUL. */
void hs_sha256_hex(struct hs_sha256 *s, char out[HS_DIGEST_HEX_LEN + 1]);

#endif
