/*
 * Unit tests for engine/listpack: every encoding boundary, round trips,
 * backlen sizes walking backwards, edits in the middle, the header count
 * going "unknown" past 65534 elements, a byte image derived by hand from the
 * format, validation of truncated and corrupted blobs (with a fuzzer that
 * must never crash, and never read out of bounds under ASan), and the random
 * pair pickers.
 *
 * The expected bytes are derived from Redis 7.0.15's format (src/listpack.c)
 * by hand, not produced by the code under test: spec_backlen below is the
 * format's backlen rule written out again as the oracle.
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/listpack.h"

/* ---- helpers ------------------------------------------------------------ */

/* The backlen of an entry of l bytes, per the format (Redis thresholds:
 * <= 127, < 16383, < 2097151, < 268435455, else 5 bytes). */
static unsigned spec_backlen(uint64_t l, unsigned char out[5])
{
    unsigned n = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;

    for (unsigned i = 0; i < n; i++)
        out[i] = (unsigned char)(((l >> (7 * (n - 1 - i))) & 127) | (i ? 128 : 0));
    return n;
}

/* A deterministic random source for the tests (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t test_rand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* The text of the element at p. */
static size_t entry_text(const unsigned char *p, char *out, size_t cap)
{
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const unsigned char *s = lp_get_str(p, buf, &len);

    ck_assert_uint_le(len, cap);
    memcpy(out, s, len);
    return len;
}

static void assert_entry_is(const unsigned char *p, const char *s, size_t len)
{
    char buf[LP_INTBUF_SIZE];
    size_t got;
    const unsigned char *v;

    ck_assert_ptr_nonnull(p);
    v = lp_get_str(p, buf, &got);
    ck_assert_uint_eq(got, len);
    ck_assert(len == 0 || memcmp(v, s, len) == 0);
    ck_assert(lp_compare(p, s, len));
}

static void assert_entry_str(const unsigned char *p, const char *s)
{
    assert_entry_is(p, s, strlen(s));
}

/* A listpack holding just one entry, its entry bytes compared with expect
 * (encoding and data); the backlen after them must be spec_backlen's. */
static void assert_single_entry(unsigned char *lp, const unsigned char *expect, size_t n)
{
    unsigned char bl[5];
    unsigned bn = spec_backlen(n, bl);

    ck_assert_uint_eq(lp_bytes(lp), 6 + n + bn + 1);
    ck_assert_uint_eq(lp_length(lp), 1);
    ck_assert(memcmp(lp + 6, expect, n) == 0);
    ck_assert(memcmp(lp + 6 + n, bl, bn) == 0);
    ck_assert_uint_eq(lp[6 + n + bn], 0xFF);
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
}

/* ---- integer encodings -------------------------------------------------- */

struct int_case {
    long long v;
    unsigned char enc[9];
    size_t n;
};

/* Every boundary of every integer encoding, with the bytes the format
 * prescribes (two's complement, little endian; 13-bit: 110xxxxx + 1 byte). */
static const struct int_case int_cases[] = {
    {0, {0x00}, 1},
    {1, {0x01}, 1},
    {127, {0x7F}, 1},
    {128, {0xC0, 0x80}, 2},
    {-1, {0xDF, 0xFF}, 2},
    {4095, {0xCF, 0xFF}, 2},
    {-4096, {0xD0, 0x00}, 2},
    {4096, {0xF1, 0x00, 0x10}, 3},
    {-4097, {0xF1, 0xFF, 0xEF}, 3},
    {32767, {0xF1, 0xFF, 0x7F}, 3},
    {-32768, {0xF1, 0x00, 0x80}, 3},
    {32768, {0xF2, 0x00, 0x80, 0x00}, 4},
    {-32769, {0xF2, 0xFF, 0x7F, 0xFF}, 4},
    {8388607, {0xF2, 0xFF, 0xFF, 0x7F}, 4},
    {-8388608, {0xF2, 0x00, 0x00, 0x80}, 4},
    {8388608, {0xF3, 0x00, 0x00, 0x80, 0x00}, 5},
    {-8388609, {0xF3, 0xFF, 0xFF, 0x7F, 0xFF}, 5},
    {2147483647LL, {0xF3, 0xFF, 0xFF, 0xFF, 0x7F}, 5},
    {-2147483648LL, {0xF3, 0x00, 0x00, 0x00, 0x80}, 5},
    {2147483648LL, {0xF4, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00}, 9},
    {-2147483649LL, {0xF4, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF}, 9},
    {LLONG_MAX, {0xF4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 9},
    {LLONG_MIN, {0xF4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}, 9},
};

#define N_INT_CASES (sizeof(int_cases) / sizeof(int_cases[0]))

START_TEST(test_integer_encoding_boundaries)
{
    for (size_t i = 0; i < N_INT_CASES; i++) {
        const struct int_case *c = &int_cases[i];
        char text[LP_INTBUF_SIZE];
        size_t tlen = lp_int_to_str(text, c->v);
        unsigned char *a = lp_append_int(lp_new(0), c->v);
        unsigned char *b = lp_append(lp_new(0), text, tlen);
        size_t len = 99;
        long long v = 0;

        assert_single_entry(a, c->enc, c->n);
        /* The decimal string of an int64 is stored exactly as the integer. */
        ck_assert_uint_eq(lp_bytes(a), lp_bytes(b));
        ck_assert(memcmp(a, b, lp_bytes(a)) == 0);
        ck_assert_ptr_null(lp_get(lp_first(a), &len, &v));
        ck_assert_msg(v == c->v, "case %zu: got %lld", i, v);
        assert_entry_is(lp_first(b), text, tlen);
        lp_free(a);
        lp_free(b);
    }
}
END_TEST

START_TEST(test_non_canonical_numbers_stay_strings)
{
    static const char *const strings[] = {
        "-0",
        "01",
        "+1",
        " 1",
        "1 ",
        "00",
        "1.0",
        "0x1",
        "-",
        "",
        "9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901",
    };

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        size_t n = strlen(strings[i]);
        unsigned char *lp = lp_append(lp_new(0), strings[i], n);
        unsigned char expect[32];
        size_t len = 0;
        long long v;
        const unsigned char *s = lp_get(lp_first(lp), &len, &v);

        expect[0] = (unsigned char)(0x80 | n); /* 6-bit string */
        memcpy(expect + 1, strings[i], n);
        assert_single_entry(lp, expect, n + 1);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(len, n);
        ck_assert(n == 0 || memcmp(s, strings[i], n) == 0);
        lp_free(lp);
    }
}
END_TEST

/* ---- string encodings --------------------------------------------------- */

/* A string of len bytes that never parses as a number. */
static char *make_string(size_t len, unsigned seed)
{
    char *s = mem_alloc(len ? len : 1);

    for (size_t i = 0; i < len; i++) s[i] = (char)('a' + (i * 7 + seed) % 26);
    return s;
}

START_TEST(test_string_encoding_boundaries)
{
    static const size_t lens[] = {0, 1, 63, 64, 125, 126, 4095, 4096, 16377, 16378, 70000};

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t n = lens[i];
        char *s = make_string(n, (unsigned)i);
        unsigned char *lp = lp_append(lp_new(0), s, n);
        unsigned char *expect = mem_alloc(n + 5);
        size_t head;

        if (n < 64) { /* 10xxxxxx */
            expect[0] = (unsigned char)(0x80 | n);
            head = 1;
        } else if (n < 4096) { /* 1110xxxx xxxxxxxx, big end first */
            expect[0] = (unsigned char)(0xE0 | (n >> 8));
            expect[1] = (unsigned char)(n & 0xFF);
            head = 2;
        } else { /* 0xF0 + 32-bit little-endian length */
            expect[0] = 0xF0;
            for (int b = 0; b < 4; b++) expect[1 + b] = (unsigned char)(n >> (8 * b));
            head = 5;
        }
        memcpy(expect + head, s, n);
        assert_single_entry(lp, expect, head + n);
        assert_entry_is(lp_first(lp), s, n);
        assert_entry_is(lp_last(lp), s, n);
        mem_free(expect);
        mem_free(s);
        lp_free(lp);
    }
}
END_TEST

/* 70,000 bytes: 32-bit length 0x00011170 and a 3-byte backlen for 70,005
 * (70005 = 4 * 16384 + 34 * 128 + 117: 0x04, 0x80|34, 0x80|117). */
START_TEST(test_70000_byte_string_by_hand)
{
    char *s = make_string(70000, 3);
    unsigned char *lp = lp_append(lp_new(0), s, 70000);
    static const unsigned char head[] = {0xF0, 0x70, 0x11, 0x01, 0x00};
    static const unsigned char backlen[] = {0x04, 0xA2, 0xF5};

    ck_assert_uint_eq(lp_bytes(lp), 6 + 5 + 70000 + 3 + 1);
    ck_assert(memcmp(lp + 6, head, 5) == 0);
    ck_assert(memcmp(lp + 6 + 5 + 70000, backlen, 3) == 0);
    assert_entry_is(lp_last(lp), s, 70000);
    mem_free(s);
    lp_free(lp);
}
END_TEST

/* ---- a whole listpack, by hand ------------------------------------------ */

/* lp_append of "hello", "1024", "-1", "127", "", "10000", "abc" gives, per
 * the format:
 *   header   21 00 00 00 | 07 00           33 bytes, 7 elements
 *   "hello"  85 68 65 6C 6C 6F | 06        6-bit string, backlen 6
 *   1024     C4 00 | 02                    13-bit int 0x0400
 *   -1       DF FF | 02                    13-bit int 0x1FFF
 *   127      7F | 01                       7-bit uint
 *   ""       80 | 01                       empty 6-bit string
 *   10000    F1 10 27 | 03                 16-bit int 0x2710
 *   "abc"    83 61 62 63 | 04
 *   FF
 * Checked against redis-server 7.0.15: after RPUSH l hello 1024 -1 127 ""
 * 10000 abc, DUMP l is 12 01 02 21 followed by exactly these 33 bytes
 * (RDB_TYPE_LIST_QUICKLIST_2, one node, PACKED, a 33-byte string). */
static const unsigned char hand_image[] = {
    0x21, 0x00, 0x00, 0x00, 0x07, 0x00, 0x85, 0x68, 0x65, 0x6C, 0x6C,
    0x6F, 0x06, 0xC4, 0x00, 0x02, 0xDF, 0xFF, 0x02, 0x7F, 0x01, 0x80,
    0x01, 0xF1, 0x10, 0x27, 0x03, 0x83, 0x61, 0x62, 0x63, 0x04, 0xFF,
};

START_TEST(test_known_byte_image)
{
    static const char *const items[] = {"hello", "1024", "-1", "127", "", "10000", "abc"};
    unsigned char image[sizeof(hand_image)];
    unsigned char *lp = lp_new(0), *p;
    size_t i = 0;

    memcpy(image, hand_image, sizeof(image));
    ck_assert_uint_eq(sizeof(image), 33);
    for (i = 0; i < 7; i++) lp = lp_append(lp, items[i], strlen(items[i]));
    ck_assert_uint_eq(lp_bytes(lp), sizeof(image));
    ck_assert(memcmp(lp, image, sizeof(image)) == 0);
    ck_assert(lp_validate(image, sizeof(image), 1));
    /* Walk the image both ways. */
    for (i = 0, p = lp_first(image); p; p = lp_next(image, p), i++) assert_entry_str(p, items[i]);
    ck_assert_uint_eq(i, 7);
    for (p = lp_last(image); p; p = lp_prev(image, p)) assert_entry_str(p, items[--i]);
    ck_assert_uint_eq(i, 0);
    lp_free(lp);
}
END_TEST

/* ---- backlen and walking backwards -------------------------------------- */

/* Entries whose encoded size (header + data) sits on each side of every
 * backlen size boundary: 127|128, 16382|16383 (Redis gives 16383 three
 * bytes), 2097150|2097151|2097152. */
START_TEST(test_backlen_boundaries_walk_backwards)
{
    static const uint64_t encs[] = {1,     2,     127,   128,     129,     16382,
                                    16383, 16384, 70005, 2097150, 2097151, 2097152};
    enum { N = sizeof(encs) / sizeof(encs[0]) };
    size_t lens[N], expect_total = 7;
    char *strs[N];
    unsigned char *lp = lp_new(0), *p;
    unsigned char bl[5];
    long i;

    for (i = 0; i < N; i++) {
        uint64_t enc = encs[i];
        size_t head = enc - 1 < 64 ? 1 : enc - 2 < 4096 ? 2 : 5;
        lens[i] = (size_t)(enc - head);
        strs[i] = make_string(lens[i], (unsigned)i);
        lp = lp_append(lp, strs[i], lens[i]);
        expect_total += enc + spec_backlen(enc, bl);
    }
    ck_assert_uint_eq(lp_bytes(lp), expect_total);
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    /* The backlen bytes of each entry are the format's. */
    for (i = 0, p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        unsigned n = spec_backlen(encs[i], bl);
        ck_assert(memcmp(p + encs[i], bl, n) == 0);
    }
    for (i = N - 1, p = lp_last(lp); p; p = lp_prev(lp, p), i--)
        assert_entry_is(p, strs[i], lens[i]);
    ck_assert_int_eq(i, -1);
    for (i = 0; i < N; i++) assert_entry_is(lp_seek(lp, i - N), strs[i], lens[i]);
    for (i = 0; i < N; i++) mem_free(strs[i]);
    lp_free(lp);
}
END_TEST

/* ---- editing ------------------------------------------------------------ */

/* A model of the listpack as an array of strings. */
struct model {
    char **v;
    size_t *len;
    size_t n;
};

static void model_insert(struct model *m, size_t at, const char *s, size_t len)
{
    m->v = realloc(m->v, (m->n + 1) * sizeof(*m->v));
    m->len = realloc(m->len, (m->n + 1) * sizeof(*m->len));
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof(*m->len));
    m->v[at] = malloc(len ? len : 1);
    memcpy(m->v[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(struct model *m, size_t at, size_t num)
{
    for (size_t i = at; i < at + num; i++) free(m->v[i]);
    memmove(m->v + at, m->v + at + num, (m->n - at - num) * sizeof(*m->v));
    memmove(m->len + at, m->len + at + num, (m->n - at - num) * sizeof(*m->len));
    m->n -= num;
}

static void model_free(struct model *m)
{
    model_delete(m, 0, m->n);
    free(m->v);
    free(m->len);
}

static void assert_matches(unsigned char *lp, const struct model *m)
{
    unsigned char *p;
    size_t i = 0;

    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    ck_assert_uint_eq(lp_length(lp), m->n);
    for (p = lp_first(lp); p; p = lp_next(lp, p), i++) assert_entry_is(p, m->v[i], m->len[i]);
    ck_assert_uint_eq(i, m->n);
    for (p = lp_last(lp); p; p = lp_prev(lp, p)) {
        i--;
        assert_entry_is(p, m->v[i], m->len[i]);
    }
}

/* A random element: small and large ints, short and long strings. */
static size_t random_value(char *buf)
{
    switch (test_rand() % 6) {
    case 0:
        return (size_t)snprintf(buf, 32, "%d", (int)(test_rand() % 300) - 150);
    case 1:
        return (size_t)snprintf(buf, 32, "%lld", (long long)test_rand());
    case 2:
        return (size_t)snprintf(buf, 32, "%lld", (long long)(test_rand() >> (test_rand() % 64)));
    case 3: {
        size_t n = test_rand() % 70;
        for (size_t i = 0; i < n; i++) buf[i] = (char)('a' + test_rand() % 26);
        return n;
    }
    case 4: {
        size_t n = 60 + test_rand() % 200;
        for (size_t i = 0; i < n; i++) buf[i] = (char)test_rand();
        return n;
    }
    default: {
        size_t n = 4000 + test_rand() % 200;
        memset(buf, 'q', n);
        return n;
    }
    }
}

START_TEST(test_insert_replace_delete_in_the_middle)
{
    struct model m = {0};
    unsigned char *lp = lp_new(0), *p, *newp;
    char *buf = malloc(8192);

    for (int round = 0; round < 3000; round++) {
        size_t len = random_value(buf), at;
        int op = (int)(test_rand() % 6);
        if (m.n == 0) op = 0;
        at = m.n ? test_rand() % m.n : 0;
        if (op <= 1) { /* insert before / after the element at `at` */
            p = m.n ? lp_seek(lp, (long)at) : lp + lp_bytes(lp) - 1;
            int after = m.n && op == 1;
            lp = lp_insert(lp, p, after ? LP_AFTER : LP_BEFORE, buf, len, &newp);
            model_insert(&m, at + (size_t)after, buf, len);
            assert_entry_is(newp, buf, len);
        } else if (op == 2) {                      /* replace */
            p = lp_seek(lp, (long)at - (long)m.n); /* negative index */
            lp = lp_replace(lp, &p, buf, len);
            assert_entry_is(p, buf, len);
            model_delete(&m, at, 1);
            model_insert(&m, at, buf, len);
        } else if (op == 3) { /* delete one */
            lp = lp_delete(lp, lp_seek(lp, (long)at), &newp);
            model_delete(&m, at, 1);
            if (at < m.n)
                assert_entry_is(newp, m.v[at], m.len[at]);
            else
                ck_assert_ptr_null(newp);
        } else if (op == 4) { /* delete a range by index */
            size_t num = test_rand() % 5;
            lp = lp_delete_range(lp, (long)at, num);
            model_delete(&m, at, num < m.n - at ? num : m.n - at);
        } else { /* delete a range from a position */
            size_t num = 1 + test_rand() % 4;
            p = lp_seek(lp, (long)at);
            lp = lp_delete_range_at(lp, &p, num);
            model_delete(&m, at, num < m.n - at ? num : m.n - at);
            if (at < m.n)
                assert_entry_is(p, m.v[at], m.len[at]);
            else
                ck_assert_ptr_null(p);
        }
        if (round % 50 == 0 || m.n < 3) assert_matches(lp, &m);
    }
    assert_matches(lp, &m);
    model_free(&m);
    free(buf);
    lp_free(lp);
}
END_TEST

START_TEST(test_int_forms_and_replace_int)
{
    unsigned char *lp = lp_new(0), *p;

    lp = lp_append_int(lp, 5);
    lp = lp_prepend_int(lp, -70000);
    lp = lp_prepend(lp, "x", 1);
    p = lp_seek(lp, 1);
    lp = lp_insert_int(lp, p, LP_AFTER, LLONG_MIN, &p);
    assert_entry_str(p, "-9223372036854775808");
    lp = lp_replace_int(lp, &p, 42);
    assert_entry_str(p, "42");
    p = lp_first(lp);
    lp = lp_replace(lp, &p, "", 0);
    assert_entry_str(lp_seek(lp, 0), "");
    assert_entry_str(lp_seek(lp, 1), "-70000");
    assert_entry_str(lp_seek(lp, 2), "42");
    assert_entry_str(lp_seek(lp, 3), "5");
    ck_assert_ptr_null(lp_seek(lp, 4));
    ck_assert_ptr_null(lp_seek(lp, -5));
    ck_assert(!lp_compare(lp_seek(lp, 2), "042", 3));
    ck_assert(!lp_compare(lp_seek(lp, 2), "43", 2));
    ck_assert(!lp_compare(lp + lp_bytes(lp) - 1, "", 0)); /* the terminator */
    lp_free(lp);
}
END_TEST

START_TEST(test_empty_listpack)
{
    unsigned char *lp = lp_new(0);
    static const unsigned char empty[] = {0x07, 0, 0, 0, 0, 0, 0xFF};

    ck_assert_uint_eq(lp_bytes(lp), 7);
    ck_assert(memcmp(lp, empty, 7) == 0);
    ck_assert_uint_eq(lp_length(lp), 0);
    ck_assert_ptr_null(lp_first(lp));
    ck_assert_ptr_null(lp_last(lp));
    ck_assert_ptr_null(lp_seek(lp, 0));
    ck_assert_ptr_null(lp_seek(lp, -1));
    ck_assert(lp_validate(lp, 7, 1));
    lp = lp_delete_range(lp, 0, 10);
    ck_assert_uint_eq(lp_bytes(lp), 7);
    lp_free(lp);
    lp = lp_shrink(lp_new(1000));
    ck_assert_uint_eq(lp_bytes(lp), 7);
    lp = lp_append(lp, "a", 1);
    ck_assert_uint_eq(lp_length(lp), 1);
    lp_free(lp);
}
END_TEST

/* Past 65534 elements the header count reads 65535 ("unknown"); lp_length
 * counts, seeks still work from both ends, and the header becomes exact
 * again once the listpack shrinks back. */
START_TEST(test_count_becomes_unknown_and_back)
{
    unsigned char *lp = lp_new(320000); /* room for all (313,015 bytes): no realloc per append */
    long n = 70000;

    for (long i = 0; i < n; i++) lp = lp_append_int(lp, i);
    ck_assert_uint_eq(lp_bytes(lp), 313015);
    lp = lp_shrink(lp);
    ck_assert_uint_eq(mem_usable(lp) >= lp_bytes(lp), 1);
    ck_assert_uint_eq(lp[4] | (lp[5] << 8), 65535);
    ck_assert_uint_eq(lp_length(lp), (unsigned long)n);
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    assert_entry_str(lp_seek(lp, 69999), "69999");
    assert_entry_str(lp_seek(lp, -70000), "0");
    assert_entry_str(lp_seek(lp, -1), "69999");
    ck_assert_ptr_null(lp_seek(lp, 70000));
    ck_assert_ptr_null(lp_seek(lp, -70001));
    lp = lp_delete_range(lp, 10, 6000); /* walks: count unknown */
    ck_assert_uint_eq(lp[4] | (lp[5] << 8), 65535);
    assert_entry_str(lp_seek(lp, 10), "6010");
    ck_assert_uint_eq(lp_length(lp), 64000); /* recounted and stored */
    ck_assert_uint_eq(lp[4] | (lp[5] << 8), 64000);
    lp = lp_delete_range(lp, -100, 1000); /* truncation fast path */
    ck_assert_uint_eq(lp_length(lp), 63900);
    assert_entry_str(lp_last(lp), "69899");
    ck_assert(lp_validate(lp, lp_bytes(lp), 1));
    lp_free(lp);
}
END_TEST

START_TEST(test_find_with_skip)
{
    unsigned char *lp = lp_new(0), *p;
    static const char *const kv[] = {"name", "tandem", "10", "name", "port", "6379", "x", "10"};

    for (int i = 0; i < 8; i++) lp = lp_append(lp, kv[i], strlen(kv[i]));
    /* Fields only (skip 1): "name" the value at index 3 is never a field. */
    p = lp_find(lp, lp_first(lp), "name", 4, 1);
    ck_assert_ptr_eq(p, lp_seek(lp, 0));
    p = lp_find(lp, lp_first(lp), "10", 2, 1);
    ck_assert_ptr_eq(p, lp_seek(lp, 2));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), "6379", 4, 1), NULL);
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 1), "6379", 4, 1), lp_seek(lp, 5));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), "10", 2, 0), lp_seek(lp, 2));
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 3), "10", 2, 0), lp_seek(lp, 7));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), "010", 3, 0), NULL);
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), "nope", 4, 0), NULL);
    lp_free(lp);
}
END_TEST

START_TEST(test_merge_both_ways)
{
    for (int bigger_first = 0; bigger_first < 2; bigger_first++) {
        unsigned char *a = lp_new(0), *b = lp_new(0), *m;
        struct model expect = {0};
        char buf[64];

        for (int i = 0; i < (bigger_first ? 50 : 3); i++) {
            size_t n = (size_t)snprintf(buf, sizeof(buf), "a%d", i);
            a = lp_append(a, buf, n);
            model_insert(&expect, expect.n, buf, n);
        }
        for (int i = 0; i < (bigger_first ? 3 : 50); i++) {
            size_t n = (size_t)snprintf(buf, sizeof(buf), "%d", i * 1000);
            b = lp_append(b, buf, n);
            model_insert(&expect, expect.n, buf, n);
        }
        m = lp_merge(&a, &b);
        ck_assert_ptr_nonnull(m);
        ck_assert_ptr_eq(bigger_first ? a : b, m);
        ck_assert_ptr_null(bigger_first ? b : a);
        assert_matches(m, &expect);
        ck_assert_ptr_null(lp_merge(&m, &m));
        model_free(&expect);
        lp_free(m);
    }
}
END_TEST

/* ---- validation --------------------------------------------------------- */

/* Copies bytes into an allocation of exactly n bytes so that ASan flags any
 * read past the end. */
static unsigned char *exact_copy(const unsigned char *src, size_t n)
{
    unsigned char *dst = malloc(n ? n : 1);

    memcpy(dst, src, n);
    return dst;
}

static void set_total(unsigned char *lp, size_t n)
{
    for (int i = 0; i < 4; i++) lp[i] = (unsigned char)(n >> (8 * i));
}

START_TEST(test_validate_rejects_bad_blobs)
{
    size_t n = sizeof(hand_image);
    unsigned char img[sizeof(hand_image)];
    unsigned char *copy;

    memcpy(img, hand_image, n);
    ck_assert(lp_validate(img, n, 1));
    ck_assert(lp_validate(img, n, 0));
    /* Every truncation, with the header fixed to match or not. */
    for (size_t cut = 0; cut < n; cut++) {
        copy = exact_copy(img, cut);
        ck_assert(!lp_validate(copy, cut, 1));
        if (cut >= 7) {
            set_total(copy, cut);
            copy[cut - 1] = 0xFF;
            ck_assert_msg(!lp_validate(copy, cut, 1), "cut %zu", cut);
        }
        free(copy);
    }
    copy = exact_copy(img, n);
    copy[n - 1] = 0xFE; /* no terminator */
    ck_assert(!lp_validate(copy, n, 0));
    memcpy(copy, img, n);
    copy[4] = 6; /* count says 6, there are 7 */
    ck_assert(lp_validate(copy, n, 0));
    ck_assert(!lp_validate(copy, n, 1));
    copy[4] = 0xFF, copy[5] = 0xFF; /* unknown count is accepted */
    ck_assert(lp_validate(copy, n, 1));
    memcpy(copy, img, n);
    copy[13] = 0xF5; /* invalid encoding byte where 1024 starts */
    ck_assert(!lp_validate(copy, n, 1));
    memcpy(copy, img, n);
    copy[12] = 0x05; /* "hello"'s backlen wrong */
    ck_assert(!lp_validate(copy, n, 1));
    memcpy(copy, img, n);
    copy[6] = 0x8F; /* "hello" claims 15 bytes */
    ck_assert(!lp_validate(copy, n, 1));
    memcpy(copy, img, n);
    copy[19] = 0xFF; /* a terminator in the middle */
    ck_assert(!lp_validate(copy, n, 1));
    memcpy(copy, img, n);
    copy[27] = 0xF0; /* "abc" becomes a 32-bit string running past the end */
    ck_assert(!lp_validate(copy, n, 1));
    free(copy);
}
END_TEST

/* A random valid listpack of up to 40 elements. */
static unsigned char *random_listpack(char *buf)
{
    unsigned char *lp = lp_new(0);
    int n = (int)(test_rand() % 40);

    for (int i = 0; i < n; i++) {
        size_t len = random_value(buf);
        if (len > 300 && test_rand() % 4) len = 300; /* keep most blobs small */
        lp = lp_append(lp, buf, len);
    }
    return lp;
}

/* One random corruption: a byte changed, the blob cut or grown. The header
 * total is often made to agree so that deep checks get exercised. */
static unsigned char *mutate(unsigned char *blob, size_t *n)
{
    size_t at = *n ? test_rand() % *n : 0;

    switch (test_rand() % 5) {
    case 0:
        blob[at] ^= (unsigned char)(1u << (test_rand() % 8));
        break;
    case 1:
        blob[at] = (unsigned char)test_rand();
        break;
    case 2:
        blob[at] = (unsigned char[]){0xFF, 0xF0, 0xE0, 0x80, 0x7F, 0xF4}[test_rand() % 6];
        break;
    case 3:
        *n = at;
        break;
    default: {
        size_t grow = 1 + test_rand() % 8;
        blob = realloc(blob, *n + grow);
        for (size_t i = 0; i < grow; i++) blob[*n + i] = (unsigned char)test_rand();
        *n += grow;
    }
    }
    if (*n >= 7 && test_rand() % 3) set_total(blob, *n);
    if (*n >= 7 && test_rand() % 3) blob[*n - 1] = 0xFF;
    return blob;
}

/* Whatever validate accepts must be safe to walk in every way. */
static void walk_everything(unsigned char *lp)
{
    char text[8192];
    unsigned long n = lp_length(lp), seen = 0;

    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), seen++) entry_text(p, text, 8192);
    ck_assert_uint_eq(seen, n);
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) seen--;
    ck_assert_uint_eq(seen, 0);
    if (n) {
        entry_text(lp_seek(lp, -1), text, 8192);
        lp_find(lp, lp_first(lp), "zz", 2, 1);
    }
}

START_TEST(test_validate_fuzz)
{
    char *buf = malloc(8192);
    int accepted = 0;

    for (int round = 0; round < 10000; round++) {
        unsigned char *lp = random_listpack(buf);
        size_t n = lp_bytes(lp);
        unsigned char *blob = exact_copy(lp, n);
        int mutations = 1 + (int)(test_rand() % 3);

        lp_free(lp);
        for (int i = 0; i < mutations; i++) blob = mutate(blob, &n);
        {
            unsigned char *exact = exact_copy(blob, n);
            free(blob);
            blob = exact;
        }
        if (lp_validate(blob, n, 1)) {
            accepted++;
            walk_everything(blob);
        }
        free(blob);
    }
    ck_assert_int_gt(accepted, 0); /* some mutations keep a valid listpack */
    free(buf);
}
END_TEST

static int count_entries(const unsigned char *p, void *ctx)
{
    (void)p;
    return ++*(int *)ctx < 5; /* refuse the fifth */
}

START_TEST(test_validate_entries_callback)
{
    unsigned char *lp = lp_new(0);
    int seen = 0;

    for (int i = 0; i < 4; i++) lp = lp_append_int(lp, i);
    ck_assert(lp_validate_entries(lp, lp_bytes(lp), count_entries, &seen));
    ck_assert_int_eq(seen, 4);
    lp = lp_append_int(lp, 4);
    seen = 0;
    ck_assert(!lp_validate_entries(lp, lp_bytes(lp), count_entries, &seen));
    lp_free(lp);
}
END_TEST

/* ---- random pairs ------------------------------------------------------- */

static unsigned char *pairs_listpack(int pairs)
{
    unsigned char *lp = lp_new(0);
    char buf[32];

    for (int i = 0; i < pairs; i++) {
        lp = lp_append(lp, buf, (size_t)snprintf(buf, sizeof(buf), "f%d", i));
        lp = lp_append_int(lp, i * 10);
    }
    return lp;
}

/* A key "f<i>" must come with the value i*10. */
static int pair_index(const struct lp_entry *k, const struct lp_entry *v)
{
    char buf[32];
    int i;

    ck_assert_ptr_nonnull(k->str);
    ck_assert_uint_lt(k->len, sizeof(buf));
    memcpy(buf, k->str, k->len);
    buf[k->len] = '\0';
    ck_assert_int_eq(sscanf(buf, "f%d", &i), 1);
    if (v) {
        ck_assert_ptr_null(v->str);
        ck_assert_int_eq(v->ll, i * 10);
    }
    return i;
}

START_TEST(test_random_pairs)
{
    unsigned char *lp = pairs_listpack(20);
    struct lp_entry keys[200], vals[200];
    int hits[20] = {0};

    for (int i = 0; i < 2000; i++) {
        lp_random_pair(lp, 20, test_rand, &keys[0], &vals[0]);
        hits[pair_index(&keys[0], &vals[0])]++;
    }
    for (int i = 0; i < 20; i++) ck_assert_int_gt(hits[i], 40); /* ~100 each */
    lp_random_pair(lp, 20, test_rand, &keys[0], NULL);
    pair_index(&keys[0], NULL);

    lp_random_pairs(lp, 200, test_rand, keys, vals);
    for (int i = 0; i < 200; i++) pair_index(&keys[i], &vals[i]);
    lp_random_pairs(lp, 7, test_rand, keys, NULL);
    for (int i = 0; i < 7; i++) pair_index(&keys[i], NULL);

    ck_assert_uint_eq(lp_random_pairs_unique(lp, 50, test_rand, keys, vals), 20);
    for (int i = 0; i < 20; i++) ck_assert_int_eq(pair_index(&keys[i], &vals[i]), i);
    for (int round = 0; round < 100; round++) {
        int seen[20] = {0}, last = -1;
        ck_assert_uint_eq(lp_random_pairs_unique(lp, 5, test_rand, keys, vals), 5);
        for (int i = 0; i < 5; i++) {
            int k = pair_index(&keys[i], &vals[i]);
            ck_assert_int_eq(seen[k]++, 0);
            ck_assert_int_gt(k, last); /* listpack order */
            last = k;
        }
    }
    lp_free(lp);
}
END_TEST

static Suite *listpack_suite(void)
{
    Suite *suite = suite_create("listpack");
    TCase *format = tcase_create("format");
    TCase *edit = tcase_create("edit");
    TCase *validate = tcase_create("validate");

    tcase_add_test(format, test_integer_encoding_boundaries);
    tcase_add_test(format, test_non_canonical_numbers_stay_strings);
    tcase_add_test(format, test_string_encoding_boundaries);
    tcase_add_test(format, test_70000_byte_string_by_hand);
    tcase_add_test(format, test_known_byte_image);
    tcase_add_test(format, test_backlen_boundaries_walk_backwards);
    tcase_add_test(format, test_empty_listpack);
    tcase_add_test(edit, test_insert_replace_delete_in_the_middle);
    tcase_add_test(edit, test_int_forms_and_replace_int);
    tcase_add_test(edit, test_count_becomes_unknown_and_back);
    tcase_add_test(edit, test_find_with_skip);
    tcase_add_test(edit, test_merge_both_ways);
    tcase_add_test(edit, test_random_pairs);
    tcase_add_test(validate, test_validate_rejects_bad_blobs);
    tcase_add_test(validate, test_validate_fuzz);
    tcase_add_test(validate, test_validate_entries_callback);
    tcase_set_timeout(edit, 300); /* the fuzzer and the big listpacks are slow under ASan */
    tcase_set_timeout(validate, 300);
    suite_add_tcase(suite, format);
    suite_add_tcase(suite, edit);
    suite_add_tcase(suite, validate);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(listpack_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
