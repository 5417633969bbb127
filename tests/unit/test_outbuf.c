/*
 * Unit tests for io/outbuf: copied bytes and reference chunks (bytes that
 * stay in their owner's memory, as the replication backlog's blocks).
 *
 * What they pin: the iovecs list every unsent byte in append order, copies
 * and references interleaved; a reference contiguous with the tail's, same
 * owner, joins it (one hold, one release); release runs exactly once per
 * hold, when its bytes are all sent or the buffer is freed, never before;
 * copied bytes never land inside a reference chunk.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "io/outbuf.h"

static int releases[4];

static void release(void *arg)
{
    releases[(int *)arg - releases]++;
}

/* The unsent bytes, concatenated. */
static size_t flatten(const struct outbuf *ob, char *out, size_t size)
{
    struct iovec iov[64];
    int n = outbuf_iov(ob, iov, 64);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_uint_le(len + iov[i].iov_len, size);
        memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    return len;
}

START_TEST(test_interleaved_order)
{
    memset(releases, 0, sizeof(releases));
    static const char block[] = "0123456789";
    struct outbuf ob;
    outbuf_init(&ob);
    outbuf_append(&ob, "ab", 2);
    ck_assert_int_eq(outbuf_append_ref(&ob, block, 4, release, &releases[0]), 1);
    ck_assert_int_eq(outbuf_append_ref(&ob, block + 4, 3, release, &releases[0]), 0); /* joins */
    outbuf_append(&ob, "cd", 2);
    ck_assert_int_eq(outbuf_append_ref(&ob, block + 7, 3, release, &releases[0]), 1);
    char flat[64];
    size_t len = flatten(&ob, flat, sizeof(flat));
    ck_assert_uint_eq(len, 14);
    ck_assert_uint_eq(ob.pending, 14);
    ck_assert(memcmp(flat, "ab0123456cd789", 14) == 0);
    outbuf_consume(&ob, 5); /* "ab012": the first hold still has 3456 to send */
    ck_assert_int_eq(releases[0], 0);
    outbuf_consume(&ob, 4);
    ck_assert_int_eq(releases[0], 1);
    outbuf_consume(&ob, 2);
    ck_assert_int_eq(releases[0], 1);
    outbuf_consume(&ob, 3);
    ck_assert_int_eq(releases[0], 2);
    ck_assert_uint_eq(ob.pending, 0);
    outbuf_free(&ob);
    ck_assert_int_eq(releases[0], 2);
}
END_TEST

START_TEST(test_free_releases_unsent)
{
    memset(releases, 0, sizeof(releases));
    static const char a[] = "aaaa", b[] = "bbbb";
    struct outbuf ob;
    outbuf_init(&ob);
    outbuf_append_ref(&ob, a, 4, release, &releases[1]);
    outbuf_append_ref(&ob, b, 4, release, &releases[2]); /* another owner: its own hold */
    outbuf_consume(&ob, 2);
    outbuf_free(&ob);
    ck_assert_int_eq(releases[1], 1);
    ck_assert_int_eq(releases[2], 1);
}
END_TEST

START_TEST(test_copies_never_written_into_a_reference)
{
    memset(releases, 0, sizeof(releases));
    char block[8] = "xxxxxxx";
    struct outbuf ob;
    outbuf_init(&ob);
    outbuf_append_ref(&ob, block, 3, release, &releases[3]);
    char *room = outbuf_reserve(&ob, 4);
    memcpy(room, "zzzz", 4);
    outbuf_commit(&ob, 4);
    outbuf_append(&ob, "yy", 2);
    ck_assert(memcmp(block, "xxxxxxx", 8) == 0);
    char flat[32];
    size_t len = flatten(&ob, flat, sizeof(flat));
    ck_assert_uint_eq(len, 9);
    ck_assert(memcmp(flat, "xxxzzzzyy", 9) == 0);
    outbuf_consume(&ob, 9);
    ck_assert_int_eq(releases[3], 1);
    outbuf_free(&ob);
    ck_assert_int_eq(releases[3], 1);
}
END_TEST

static Suite *outbuf_suite(void)
{
    Suite *suite = suite_create("outbuf");
    TCase *refs = tcase_create("references");
    tcase_add_test(refs, test_interleaved_order);
    tcase_add_test(refs, test_free_releases_unsent);
    tcase_add_test(refs, test_copies_never_written_into_a_reference);
    suite_add_tcase(suite, refs);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(outbuf_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
