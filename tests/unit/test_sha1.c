/*
 * Unit tests for engine/sha1: the FIPS 180-4 / RFC 3174 test vectors, and
 * the same digest whatever the pieces the input is fed in.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine/digest.h"
#include "engine/sha1.h"

static void hex_of(const unsigned char d[20], char out[41])
{
    digest_hex(d, out);
}

static void expect_sha1(const char *input, size_t len, const char *hex)
{
    unsigned char d[20];
    char got[41];
    sha1_digest(input, len, d);
    hex_of(d, got);
    ck_assert_str_eq(got, hex);
}

START_TEST(test_known_vectors)
{
    expect_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_sha1(two_blocks, strlen(two_blocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    /* 55, 56 and 64 bytes: the padding boundaries. */
    char buf[64];
    memset(buf, 'a', sizeof(buf));
    expect_sha1(buf, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    expect_sha1(buf, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    expect_sha1(buf, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}
END_TEST

START_TEST(test_million_a_in_pieces)
{
    struct sha1 s;
    sha1_init(&s);
    char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    /* Uneven pieces cross block boundaries everywhere. */
    size_t fed = 0, step = 1;
    while (fed < 1000000) {
        size_t n = step < 1000000 - fed ? step : 1000000 - fed;
        if (n > sizeof(chunk)) n = sizeof(chunk);
        sha1_update(&s, chunk, n);
        fed += n;
        step = step * 7 % 997 + 1;
    }
    unsigned char d[20];
    char got[41];
    sha1_final(&s, d);
    hex_of(d, got);
    ck_assert_str_eq(got, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sha1");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_known_vectors);
    tcase_add_test(tc, test_million_a_in_pieces);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
