/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <string.h>

#include "hs_digest.h"
#include "hs_test.h"

static void hex_of(const char *msg, size_t repeat, char out[65])
{
	struct hs_sha256 s;
	size_t i;

	hs_sha256_init(&s);
	for (i = 0; i < repeat; i++)
		hs_sha256_update(&s, msg, strlen(msg));
	hs_sha256_hex(&s, out);
}

static void test_empty(void)
{
	char h[65];

	hex_of("", 1, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7"
		     "852b855");
}

static void test_abc(void)
{
	char h[65];

	hex_of("abc", 1, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
		     "20015ad");
}

static void test_two_blocks(void)
{
	char h[65];

	hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	       h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd41"
		     "9db06c1");
}

static void test_million_a(void)
{
	char h[65];

	hex_of("aaaaaaaaaa", 100000, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc"
		     "7112cd0");
}

int main(void)
{
	RUN(test_empty);
	RUN(test_abc);
	RUN(test_two_blocks);
	RUN(test_million_a);
	TEST_EXIT();
}
