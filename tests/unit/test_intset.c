/*
 * test_intset: unit tests of engine/intset, Redis's sorted integer array
 * (u32 encoding, u32 length, little-endian elements).
 *
 * The byte images below are written out by hand from the format, not
 * produced by the code under test. blob_is_valid() is a second, deliberately
 * plain reading of the format used as the oracle for intset_validate: the
 * fuzz test mutates valid blobs at random and requires both to agree on
 * every one, with each blob in a heap buffer of exactly its size so that
 * AddressSanitizer stops any read past the end.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/intset.h"
#include "engine/util.h"

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

static void assert_contents(const struct intset *is, const int64_t *want, uint32_t n)
{
    int64_t v;
    ck_assert_uint_eq(intset_len(is), n);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert(intset_get(is, i, &v));
        EXPECT(v == want[i], "element %u is %lld, expected %lld", i, (long long)v,
               (long long)want[i]);
        EXPECT(intset_find(is, want[i]), "%lld not found", (long long)want[i]);
    }
    ck_assert(!intset_get(is, n, &v));
    ck_assert_uint_eq(intset_blob_len(is), 8 + (size_t)n * intset_encoding(is));
    ck_assert(intset_validate(intset_blob(is), intset_blob_len(is), 1) == (n > 0));
}

/* Adds v to a new set holding only `start`, checking the encoding before
 * and after. */
static void check_boundary(int64_t start, uint32_t enc_before, int64_t v, uint32_t enc_after)
{
    struct intset *is = intset_new();
    int added;

    ck_assert_uint_eq(intset_encoding(is), 2);
    is = intset_add(is, start, &added);
    ck_assert_int_eq(added, 1);
    EXPECT(intset_encoding(is) == enc_before, "%lld: encoding %u, expected %u", (long long)start,
           intset_encoding(is), enc_before);
    is = intset_add(is, v, &added);
    ck_assert_int_eq(added, 1);
    EXPECT(intset_encoding(is) == enc_after, "%lld: encoding %u, expected %u", (long long)v,
           intset_encoding(is), enc_after);
    int64_t want[2] = {start < v ? start : v, start < v ? v : start};
    assert_contents(is, want, 2);
    /* The encoding never narrows back. */
    is = intset_remove(is, v, &added);
    ck_assert_int_eq(added, 1);
    ck_assert_uint_eq(intset_encoding(is), enc_after);
    assert_contents(is, &start, 1);
    intset_free(is);
}

START_TEST(test_upgrade_boundaries)
{
    check_boundary(0, 2, 32767, 2);
    check_boundary(0, 2, 32768, 4);
    check_boundary(0, 2, -32768, 2);
    check_boundary(0, 2, -32769, 4);
    check_boundary(32767, 2, 32768, 4);
    check_boundary(-32768, 2, -32769, 4);
    check_boundary(0, 2, INT32_MAX, 4);
    check_boundary(0, 2, (int64_t)INT32_MAX + 1, 8);
    check_boundary(0, 2, INT32_MIN, 4);
    check_boundary(0, 2, (int64_t)INT32_MIN - 1, 8);
    check_boundary(INT32_MAX, 4, (int64_t)INT32_MAX + 1, 8);
    check_boundary(INT32_MIN, 4, (int64_t)INT32_MIN - 1, 8);
    check_boundary(0, 2, INT64_MAX, 8);
    check_boundary(0, 2, INT64_MIN, 8);
    check_boundary(INT64_MIN, 8, INT64_MAX, 8);
    check_boundary(-1, 2, 1, 2);
}
END_TEST

/* 16 -> 32 -> 64 bits with elements already there: appended when the new
 * value is positive, prepended when negative, order kept. */
START_TEST(test_upgrade_keeps_elements)
{
    struct intset *is = intset_new();
    int added;
    static const int64_t start[] = {100, -5, 1, -32768, 32767};
    for (size_t i = 0; i < 5; i++) is = intset_add(is, start[i], NULL);
    int64_t want16[] = {-32768, -5, 1, 100, 32767};
    assert_contents(is, want16, 5);
    ck_assert_uint_eq(intset_encoding(is), 2);

    is = intset_add(is, 40000, &added);
    ck_assert_uint_eq(intset_encoding(is), 4);
    int64_t want32[] = {-32768, -5, 1, 100, 32767, 40000};
    assert_contents(is, want32, 6);

    is = intset_add(is, -3000000000LL, &added);
    ck_assert_uint_eq(intset_encoding(is), 8);
    int64_t want64[] = {-3000000000LL, -32768, -5, 1, 100, 32767, 40000};
    assert_contents(is, want64, 7);

    is = intset_add(is, INT64_MAX, &added);
    is = intset_add(is, 7, &added);
    is = intset_add(is, 7, &added);
    ck_assert_int_eq(added, 0);
    int64_t want[] = {-3000000000LL, -32768, -5, 1, 7, 100, 32767, 40000, INT64_MAX};
    assert_contents(is, want, 9);
    intset_free(is);

    /* Straight from 16 to 64 bits, prepending. */
    is = intset_new();
    is = intset_add(is, 3, NULL);
    is = intset_add(is, 2, NULL);
    is = intset_add(is, INT64_MIN, NULL);
    int64_t want_direct[] = {INT64_MIN, 2, 3};
    assert_contents(is, want_direct, 3);
    ck_assert_uint_eq(intset_encoding(is), 8);
    intset_free(is);
}
END_TEST

/* The byte image, written out from the format: u32 encoding, u32 length,
 * then the elements, all little-endian. */
START_TEST(test_byte_image)
{
    struct intset *is = intset_new();
    static const unsigned char empty[] = {2, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(intset_blob_len(is), 8);
    ck_assert(memcmp(intset_blob(is), empty, 8) == 0);
    ck_assert(!intset_validate(intset_blob(is), 8, 0)); /* Redis refuses empty sets */

    is = intset_add(is, 5, NULL);
    is = intset_add(is, -2, NULL);
    is = intset_add(is, 300, NULL);
    static const unsigned char img16[] = {
        0x02, 0x00, 0x00, 0x00, /* encoding: 2 bytes */
        0x03, 0x00, 0x00, 0x00, /* length: 3 */
        0xfe, 0xff,             /* -2 */
        0x05, 0x00,             /* 5 */
        0x2c, 0x01,             /* 300 = 0x012c */
    };
    ck_assert_uint_eq(intset_blob_len(is), sizeof(img16));
    ck_assert(memcmp(intset_blob(is), img16, sizeof(img16)) == 0);

    is = intset_add(is, 70000, NULL);
    static const unsigned char img32[] = {
        0x04, 0x00, 0x00, 0x00, /* encoding: 4 bytes */
        0x04, 0x00, 0x00, 0x00, /* length: 4 */
        0xfe, 0xff, 0xff, 0xff, /* -2 */
        0x05, 0x00, 0x00, 0x00, /* 5 */
        0x2c, 0x01, 0x00, 0x00, /* 300 */
        0x70, 0x11, 0x01, 0x00, /* 70000 = 0x011170 */
    };
    ck_assert_uint_eq(intset_blob_len(is), sizeof(img32));
    ck_assert(memcmp(intset_blob(is), img32, sizeof(img32)) == 0);

    is = intset_remove(is, 5, NULL);
    is = intset_add(is, -4294967296LL, NULL);
    static const unsigned char img64[] = {
        0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, /* encoding 8, length 4 */
        0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, /* -2^32 */
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -2 */
        0x2c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 300 */
        0x70, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, /* 70000 */
    };
    ck_assert_uint_eq(intset_blob_len(is), sizeof(img64));
    ck_assert(memcmp(intset_blob(is), img64, sizeof(img64)) == 0);
    intset_free(is);

    /* And the other way: a hand-written blob, adopted, reads back. */
    unsigned char *buf = mem_alloc(sizeof(img16));
    memcpy(buf, img16, sizeof(img16));
    struct intset *loaded = intset_adopt(buf, sizeof(img16), 1);
    ck_assert_ptr_eq(loaded, buf);
    int64_t want[] = {-2, 5, 300};
    assert_contents(loaded, want, 3);
    ck_assert(!intset_find(loaded, 4));
    ck_assert(!intset_find(loaded, 70000));
    intset_free(loaded);
}
END_TEST

/* ---- random operations against a reference ----------------------------- */

/* A pool of values spread over the three encodings; present[i] says
 * whether pool[i] is in the set. The pool is sorted and distinct, so the
 * set's contents in order are the present pool values in order. */
#define POOL 3000

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t random_value(void)
{
    uint64_t r = util_rand64();
    switch (r % 8) {
    case 0:
        return (int64_t)util_rand64();
    case 1:
        return (int32_t)util_rand64();
    case 2:
        return (int64_t)(r >> 40) % 200 - 100;
    default:
        return (int16_t)util_rand64();
    }
}

/* pool_size distinct values, sorted; with_wide = 0 keeps them 16-bit. */
static int64_t *make_pool(uint32_t *pool_size, int with_wide)
{
    int64_t *pool = malloc(POOL * sizeof(*pool));
    for (uint32_t i = 0; i < POOL; i++) {
        int64_t v = random_value();
        pool[i] = with_wide ? v : (int16_t)v;
    }
    qsort(pool, POOL, sizeof(*pool), cmp_i64);
    uint32_t n = 0;
    for (uint32_t i = 0; i < POOL; i++)
        if (n == 0 || pool[i] != pool[n - 1]) pool[n++] = pool[i];
    *pool_size = n;
    return pool;
}

static void check_against_pool(const struct intset *is, const int64_t *pool,
                               const unsigned char *present, uint32_t n)
{
    uint32_t pos = 0;
    int64_t v;
    for (uint32_t i = 0; i < n; i++) {
        EXPECT(intset_find(is, pool[i]) == present[i], "find(%lld) = %d, expected %d",
               (long long)pool[i], intset_find(is, pool[i]), present[i]);
        if (!present[i]) continue;
        EXPECT(intset_get(is, pos, &v) && v == pool[i], "position %u holds %lld, expected %lld",
               pos, (long long)v, (long long)pool[i]);
        pos++;
    }
    EXPECT(intset_len(is) == pos, "length %u, expected %u", intset_len(is), pos);
    if (pos) ck_assert(intset_validate(intset_blob(is), intset_blob_len(is), 1));
}

static void random_ops(int with_wide, unsigned ops)
{
    uint32_t n;
    int64_t *pool = make_pool(&n, with_wide);
    unsigned char *present = calloc(n, 1);
    struct intset *is = intset_new();

    for (unsigned op = 0; op < ops; op++) {
        uint32_t i = (uint32_t)(util_rand64() % n);
        int changed;
        /* Adds win while the set is small, removes once it is large. */
        if (util_rand64() % n >= intset_len(is)) {
            is = intset_add(is, pool[i], &changed);
            EXPECT(changed == !present[i], "add(%lld): added %d", (long long)pool[i], changed);
            present[i] = 1;
        } else {
            is = intset_remove(is, pool[i], &changed);
            EXPECT(changed == present[i], "remove(%lld): removed %d", (long long)pool[i], changed);
            present[i] = 0;
        }
        if (op % 1000 == 0) check_against_pool(is, pool, present, n);
    }
    check_against_pool(is, pool, present, n);
    /* Values outside the pool are absent (wide ones in a narrow set too). */
    for (int k = 0; k < 10000; k++) {
        int64_t v = random_value();
        if (!bsearch(&v, pool, n, sizeof(*pool), cmp_i64))
            EXPECT(!intset_find(is, v), "%lld found but never added", (long long)v);
    }
    intset_free(is);
    free(present);
    free(pool);
}

START_TEST(test_random_ops_sorted)
{
    random_ops(0, 50000);
    random_ops(1, 50000);
}
END_TEST

START_TEST(test_random_element)
{
    struct intset *is = intset_new();
    unsigned hits[20] = {0};
    for (int64_t v = 0; v < 20; v++) is = intset_add(is, v * 1000 - 7000, NULL);
    for (int k = 0; k < 20000; k++) {
        int64_t v = intset_random(is);
        EXPECT((v + 7000) % 1000 == 0 && v >= -7000 && v <= 12000, "random gave %lld",
               (long long)v);
        hits[(v + 7000) / 1000]++;
    }
    for (int i = 0; i < 20; i++)
        EXPECT(hits[i] > 700 && hits[i] < 1300, "hits[%d] = %u", i, hits[i]);
    intset_free(is);
}
END_TEST

/* ---- validate ---------------------------------------------------------- */

/* A copy of p in a heap buffer of exactly size bytes: ASan catches any
 * read past it. */
static unsigned char *exact_copy(const void *p, size_t size)
{
    unsigned char *buf = malloc(size ? size : 1);
    if (size) memcpy(buf, p, size);
    return buf;
}

static int validate_exact(const unsigned char *p, size_t size, int deep)
{
    unsigned char *buf = exact_copy(p, size);
    int ok = intset_validate(buf, size, deep);
    free(buf);
    return ok;
}

START_TEST(test_validate_cases)
{
    static const unsigned char good[] = {2, 0, 0, 0, 3, 0, 0, 0, 0xfe, 0xff, 5, 0, 0x2c, 1};
    unsigned char b[64];

    ck_assert(validate_exact(good, sizeof(good), 0));
    ck_assert(validate_exact(good, sizeof(good), 1));
    for (size_t size = 0; size < sizeof(good); size++) /* every truncation */
        ck_assert(!validate_exact(good, size, 1));
    memcpy(b, good, sizeof(good));
    b[sizeof(good)] = 0;
    ck_assert(!validate_exact(b, sizeof(good) + 1, 1)); /* a byte too many */
    for (unsigned enc = 0; enc < 20; enc++) {
        memcpy(b, good, sizeof(good));
        b[0] = (unsigned char)enc;
        ck_assert_int_eq(validate_exact(b, sizeof(good), 0), enc == 2);
    }
    memcpy(b, good, sizeof(good));
    b[1] = 2; /* encoding 0x202 */
    ck_assert(!validate_exact(b, sizeof(good), 0));
    memcpy(b, good, sizeof(good));
    b[4] = 2; /* length 2 for three elements */
    ck_assert(!validate_exact(b, sizeof(good), 0));
    memcpy(b, good, sizeof(good));
    b[4] = 0xff, b[5] = 0xff, b[6] = 0xff, b[7] = 0xff; /* huge length, no wrap */
    ck_assert(!validate_exact(b, sizeof(good), 0));
    b[4] = 0, b[5] = 0, b[6] = 0, b[7] = 0x80; /* 2^31 * 2 wraps in 32 bits */
    ck_assert(!validate_exact(b, 8, 0));
    /* Header only: an empty set. */
    ck_assert(!validate_exact((const unsigned char[]){2, 0, 0, 0, 0, 0, 0, 0}, 8, 0));
    /* Out of order and duplicates: the shallow check passes them. */
    static const unsigned char unsorted[] = {2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0xfe, 0xff, 0x2c, 1};
    static const unsigned char dup[] = {4, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 9, 0, 0, 0};
    ck_assert(validate_exact(unsorted, sizeof(unsorted), 0));
    ck_assert(!validate_exact(unsorted, sizeof(unsorted), 1));
    ck_assert(validate_exact(dup, sizeof(dup), 0));
    ck_assert(!validate_exact(dup, sizeof(dup), 1));
    /* A wider encoding than needed is valid, as in Redis. */
    static const unsigned char wide[] = {8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    ck_assert(validate_exact(wide, sizeof(wide), 1));
    /* Unaligned: the blob at an odd address inside a larger buffer. */
    memcpy(b + 1, good, sizeof(good));
    ck_assert(intset_validate(b + 1, sizeof(good), 1));

    /* intset_adopt refuses what validate refuses, leaving the buffer. */
    unsigned char *buf = mem_alloc(sizeof(unsorted));
    memcpy(buf, unsorted, sizeof(unsorted));
    ck_assert_ptr_null(intset_adopt(buf, sizeof(unsorted), 1));
    mem_free(buf);
}
END_TEST

/* The oracle: the format read plainly, byte by byte. */
static int64_t oracle_element(const unsigned char *p, uint32_t enc)
{
    uint64_t u = 0;
    for (uint32_t k = 0; k < enc; k++) u |= (uint64_t)p[k] << (8 * k);
    if (enc < 8 && (u >> (8 * enc - 1)) & 1) u |= ~(uint64_t)0 << (8 * enc); /* sign */
    return (int64_t)u;
}

static int blob_is_valid(const unsigned char *p, size_t size, int deep)
{
    if (size < 8) return 0;
    uint32_t enc = (uint32_t)oracle_element(p, 4), len = (uint32_t)oracle_element(p + 4, 4);
    if (enc != 2 && enc != 4 && enc != 8) return 0;
    if (len == 0 || (size - 8) % enc != 0 || (size - 8) / enc != len) return 0;
    for (uint32_t i = 1; deep && i < len; i++)
        if (oracle_element(p + 8 + (size_t)i * enc, enc) <=
            oracle_element(p + 8 + (size_t)(i - 1) * enc, enc))
            return 0;
    return 1;
}

/* A valid blob of 1 to 40 random elements, copied into out. */
static size_t random_valid_blob(unsigned char *out, size_t room)
{
    struct intset *is = intset_new();
    unsigned n = 1 + (unsigned)(util_rand64() % 40);
    int width = (int)(util_rand64() % 3);
    for (unsigned k = 0; k < n; k++) {
        int64_t v = random_value();
        is = intset_add(is, width == 0 ? (int16_t)v : width == 1 ? (int32_t)v : v, NULL);
    }
    size_t size = intset_blob_len(is);
    ck_assert_uint_le(size, room);
    memcpy(out, intset_blob(is), size);
    intset_free(is);
    return size;
}

/* One random mutation of the blob in buf (size bytes of room bytes). */
static size_t mutate(unsigned char *buf, size_t size, size_t room)
{
    uint64_t r = util_rand64();
    switch (r % 7) {
    case 0: /* flip a few bits anywhere */
        for (int k = 0; k < 1 + (int)(r >> 8) % 4; k++)
            buf[util_rand64() % size] ^= (unsigned char)(1u << (util_rand64() % 8));
        return size;
    case 1: /* truncate */
        return (size_t)(util_rand64() % size);
    case 2: /* extend with random bytes */
        for (size_t add = 1 + util_rand64() % 16; add > 0 && size < room; add--)
            buf[size++] = (unsigned char)util_rand64();
        return size;
    case 3: /* a random encoding */
        buf[0] = (unsigned char)(util_rand64() % 10);
        return size;
    case 4: /* a length off by a little, or wild */
        if (r & 0x100) {
            buf[4] = (unsigned char)(buf[4] + (int)(util_rand64() % 5) - 2);
        } else {
            for (int k = 4; k < 8; k++) buf[k] = (unsigned char)util_rand64();
        }
        return size;
    case 5: { /* swap two elements' first bytes, breaking the order */
        size_t a = 8 + util_rand64() % (size - 8 + 1), b = 8 + util_rand64() % (size - 8 + 1);
        if (a < size && b < size) {
            unsigned char t = buf[a];
            buf[a] = buf[b];
            buf[b] = t;
        }
        return size;
    }
    default: /* copy one element over its neighbour: a duplicate */
        if (size >= 8 + 2 * 2) memcpy(buf + 8, buf + 10, 2);
        return size;
    }
}

START_TEST(test_validate_fuzz)
{
    unsigned char blob[8 + 40 * 8 + 64];
    unsigned accepted = 0, rejected = 0;

    for (int iter = 0; iter < 10000; iter++) {
        size_t size = random_valid_blob(blob, sizeof(blob) - 64);
        for (int m = 1 + (int)(util_rand64() % 3); m > 0 && size > 8; m--)
            size = mutate(blob, size, sizeof(blob));
        for (int deep = 0; deep < 2; deep++) {
            unsigned char *buf = exact_copy(blob, size);
            int ok = intset_validate(buf, size, deep);
            EXPECT(ok == blob_is_valid(blob, size, deep),
                   "iteration %d: validate(deep=%d) says %d, oracle %d (size %zu)", iter, deep, ok,
                   !ok, size);
            if (ok && deep) {
                /* What validates deeply works as a set. */
                struct intset *is = intset_adopt(buf, size, 1);
                ck_assert_ptr_nonnull(is);
                int64_t v, prev = 0;
                for (uint32_t i = 0; i < intset_len(is); i++) {
                    ck_assert(intset_get(is, i, &v));
                    EXPECT(intset_find(is, v), "adopted set lacks its own element %lld",
                           (long long)v);
                    EXPECT(i == 0 || v > prev, "adopted set out of order");
                    prev = v;
                }
            }
            free(buf);
            accepted += ok;
            rejected += !ok;
        }
    }
    /* Both outcomes are well represented. */
    ck_assert_uint_ge(accepted, 2000);
    ck_assert_uint_ge(rejected, 2000);
}
END_TEST

static Suite *intset_suite(void)
{
    Suite *suite = suite_create("intset");
    TCase *ops = tcase_create("operations");
    TCase *blobs = tcase_create("blobs");

    tcase_set_timeout(ops, 120);
    tcase_set_timeout(blobs, 120);
    tcase_add_test(ops, test_upgrade_boundaries);
    tcase_add_test(ops, test_upgrade_keeps_elements);
    tcase_add_test(ops, test_random_ops_sorted);
    tcase_add_test(ops, test_random_element);
    tcase_add_test(blobs, test_byte_image);
    tcase_add_test(blobs, test_validate_cases);
    tcase_add_test(blobs, test_validate_fuzz);
    suite_add_tcase(suite, ops);
    suite_add_tcase(suite, blobs);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(intset_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
