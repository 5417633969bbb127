/*
 * Unit tests for engine/util (number <-> string conversions, memory units,
 * clocks, random numbers) and engine/glob (stringmatchlen).
 *
 * Every expected value below was checked against redis-server 7.0.15:
 * INCRBY / INCRBYFLOAT / ZADD+ZSCORE (skiplist) / XADD / CONFIG SET
 * maxmemory / KEYS / FUNCTION LIST LIBRARYNAME (for nocase matching).
 */
#include <check.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/glob.h"
#include "engine/util.h"

/* ---- string2ll ---------------------------------------------------------- */

static int ll_parses(const char *s, long long *out)
{
    return util_str_to_ll(s, strlen(s), out);
}

START_TEST(test_str_to_ll_accepts_canonical_numbers)
{
    long long v = 42;

    ck_assert(ll_parses("0", &v));
    ck_assert_int_eq(v, 0);
    ck_assert(ll_parses("-1", &v));
    ck_assert_int_eq(v, -1);
    ck_assert(ll_parses("1234567890", &v));
    ck_assert_int_eq(v, 1234567890LL);
    ck_assert(ll_parses("9223372036854775807", &v));
    ck_assert(v == LLONG_MAX);
    ck_assert(ll_parses("-9223372036854775808", &v));
    ck_assert(v == LLONG_MIN);
    ck_assert(util_str_to_ll("12345", 2, &v)); /* length-bounded: "12" */
    ck_assert_int_eq(v, 12);
    ck_assert(util_str_to_ll("77", 2, NULL));
}
END_TEST

START_TEST(test_str_to_ll_rejects_non_canonical_forms)
{
    static const char *const bad[] = {
        "",
        "-",
        "-0",
        "+1",
        " 1",
        "1 ",
        "01",
        "00",
        "-01",
        "1.0",
        "1e3",
        "0x10",
        "abc",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999",
        "100000000000000000000",
    };
    long long v = 7;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!ll_parses(bad[i], &v), "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(v, 7);                   /* untouched on failure */
    ck_assert(!util_str_to_ll("1\0", 2, &v)); /* embedded NUL */
}
END_TEST

/* ---- ll2string ---------------------------------------------------------- */

static void assert_ll_prints(long long v, const char *expected)
{
    char buf[UTIL_LL_STR_SIZE];
    int len = util_ll_to_str(buf, sizeof(buf), v);

    ck_assert_int_eq(len, (int)strlen(expected));
    ck_assert_str_eq(buf, expected);
}

START_TEST(test_ll_to_str_prints_extremes)
{
    assert_ll_prints(0, "0");
    assert_ll_prints(-1, "-1");
    assert_ll_prints(10, "10");
    assert_ll_prints(-100, "-100");
    assert_ll_prints(LLONG_MAX, "9223372036854775807");
    assert_ll_prints(LLONG_MIN, "-9223372036854775808");
}
END_TEST

START_TEST(test_ll_to_str_respects_buffer_size)
{
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(util_ll_to_str(buf, 3, -12), 3); /* exact fit: no NUL */
    ck_assert(memcmp(buf, "-12x", 4) == 0);
    ck_assert_int_eq(util_ll_to_str(buf, 2, -12), 0);
    ck_assert_int_eq(util_ll_to_str(buf, 1, -1), 0);
    ck_assert_int_eq(util_ll_to_str(buf, 0, 5), 0);
    ck_assert_int_eq(util_ll_to_str(buf, 4, 123), 3);
    ck_assert_str_eq(buf, "123");
}
END_TEST

START_TEST(test_ll_round_trips)
{
    char buf[UTIL_LL_STR_SIZE];

    for (int i = 0; i < 10000; i++) {
        long long v = (long long)util_rand64() >> (util_rand64() % 64);
        long long back;
        int len = util_ll_to_str(buf, sizeof(buf), v);

        ck_assert(util_str_to_ll(buf, (size_t)len, &back));
        ck_assert(back == v);
    }
}
END_TEST

/* ---- string2ull --------------------------------------------------------- */

static int ull_parses(const char *s, unsigned long long *out)
{
    return util_str_to_ull(s, strlen(s), out);
}

START_TEST(test_str_to_ull_follows_strtoull_leniency)
{
    /* Stream IDs parse this way: XADD s " 5-1" is accepted by Redis. */
    static const struct {
        const char *in;
        unsigned long long out;
    } good[] = {
        {"0", 0},
        {"18446744073709551615", ULLONG_MAX},
        {"9223372036854775808", 9223372036854775808ULL},
        {" 5", 5},
        {"\t\n5", 5},
        {"+6", 6},
        {"007", 7},
        {"-0", 0},
        {"-18446744073709551615", 1},
        {"-9223372036854775809", 9223372036854775807ULL},
    };
    unsigned long long v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(ull_parses(good[i].in, &v), "rejected \"%s\"", good[i].in);
        ck_assert_msg(v == good[i].out, "\"%s\" gave %llu", good[i].in, v);
    }
    /* Redis reads a C string: the input ends at the first NUL. */
    ck_assert(util_str_to_ull("12\0x", 4, &v));
    ck_assert(v == 12);
}
END_TEST

START_TEST(test_str_to_ull_rejects)
{
    static const char *const bad[] = {
        "",
        " ",
        "+",
        "-",
        "-1",
        "-9223372036854775808",
        "5 ",
        "- 1",
        "0x10",
        "1.5",
        "18446744073709551616",
        "99999999999999999999999",
        "-18446744073709551616",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!ull_parses(bad[i], NULL), "accepted \"%s\"", bad[i]);
}
END_TEST

/* ---- string2ld / ld2string (INCRBYFLOAT) -------------------------------- */

/* INCRBYFLOAT's rule on top of the two conversions: both operands must
 * parse, and a NaN or infinite sum is refused ("increment would produce NaN
 * or Infinity"). Returns the reply text, "ERR-FLOAT" or "ERR-INF". */
static const char *incrbyfloat(const char *current, const char *increment, char *buf, size_t size)
{
    long double value = 0, incr;

    if (current != NULL && !util_str_to_ld(current, strlen(current), &value)) return "ERR-FLOAT";
    if (!util_str_to_ld(increment, strlen(increment), &incr)) return "ERR-FLOAT";
    value += incr;
    if (isnan(value) || isinf(value)) return "ERR-INF";
    ck_assert_int_gt(util_ld_to_str(buf, size, value), 0);
    return buf;
}

START_TEST(test_incrbyfloat_formatting)
{
    static const struct {
        const char *current, *increment, *reply;
    } cases[] = {
        {"10.5", "0.1", "10.6"},
        {"3.0e3", "0", "3000"},
        {"5.0e3", "0", "5000"},
        {"0", "1.1e-10", "0.00000000011"},
        {"0.00000000011", "1e-20", "0.00000000011"},
        {"1", "-1.0", "0"},
        {"-0.0", "0", "0"},
        {"1", "-1e-30", "1"},
        {NULL, "3", "3"},
        {"3", "1.23456789012345678901", "4.23456789012345679"},
        {NULL, "+1", "1"},
        {NULL, "0x10", "16"},
        {NULL, ".5", "0.5"},
        {NULL, "5.", "5"},
        {NULL, "-.5e1", "-5"},
        {NULL, "0x1.8p1", "3"},
        {NULL, "1e-310", "0"},
        {"1.5", "1e300",
         "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849"
         "152083750497"},
        /* Parse errors: "value is not a valid float". */
        {NULL, "nan", "ERR-FLOAT"},
        {NULL, " 1", "ERR-FLOAT"},
        {NULL, "1 ", "ERR-FLOAT"},
        {NULL, "", "ERR-FLOAT"},
        {NULL, "1e5000", "ERR-FLOAT"},
        {NULL, "1e-5000", "ERR-FLOAT"},
        {NULL, "abc", "ERR-FLOAT"},
        /* "inf" parses, but an infinite result is refused. */
        {NULL, "inf", "ERR-INF"},
        {NULL, "-inf", "ERR-INF"},
        {NULL, "infinity", "ERR-INF"},
        {"inf", "1", "ERR-INF"},
    };
    char buf[UTIL_LD_STR_SIZE];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = incrbyfloat(cases[i].current, cases[i].increment, buf, sizeof(buf));

        ck_assert_msg(strncmp(got, cases[i].reply, strlen(cases[i].reply)) == 0,
                      "%s + %s gave %s, expected %s", cases[i].current, cases[i].increment, got,
                      cases[i].reply);
    }
}
END_TEST

START_TEST(test_str_to_ld_inf_and_limits)
{
    char *long_input = malloc(UTIL_LD_STR_SIZE + 1);
    long double v;

    ck_assert(util_str_to_ld("inf", 3, &v) && isinf(v) && v > 0);
    ck_assert(util_str_to_ld("-inf", 4, &v) && isinf(v) && v < 0);
    ck_assert(!util_str_to_ld("1\0", 2, &v));
    ck_assert(util_str_to_ld("1.5xyz", 3, &v) && v == 1.5L);
    /* Up to 5119 bytes are parsed (zeros then a 1), 5120 are refused. */
    memset(long_input, '0', UTIL_LD_STR_SIZE);
    long_input[UTIL_LD_STR_SIZE - 2] = '1';
    ck_assert(util_str_to_ld(long_input, UTIL_LD_STR_SIZE - 1, &v) && v == 1);
    long_input[UTIL_LD_STR_SIZE - 2] = '0';
    long_input[UTIL_LD_STR_SIZE - 1] = '1';
    ck_assert(!util_str_to_ld(long_input, UTIL_LD_STR_SIZE, &v));
    free(long_input);
}
END_TEST

START_TEST(test_ld_to_str_edges)
{
    char buf[UTIL_LD_STR_SIZE];
    char small[4];

    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), INFINITY), 3);
    ck_assert_str_eq(buf, "inf");
    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), -INFINITY), 4);
    ck_assert_str_eq(buf, "-inf");
    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), -0.0L), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), -1e-30L), 1);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), 100.0L), 3);
    ck_assert_str_eq(buf, "100");
    ck_assert_int_eq(util_ld_to_str(buf, sizeof(buf), -2.5L), 4);
    ck_assert_str_eq(buf, "-2.5");
    /* The largest long double fits the advertised buffer size. */
    ck_assert_int_gt(util_ld_to_str(buf, sizeof(buf), LDBL_MAX), 4900);
    ck_assert_int_gt(util_ld_to_str(buf, sizeof(buf), -LDBL_MAX), 4900);
    /* No room: 0, as in Redis. "%.17Lf" of 1 needs 19 bytes before trimming. */
    ck_assert_int_eq(util_ld_to_str(small, sizeof(small), 1.0L), 0);
    ck_assert_int_eq(util_ld_to_str(small, sizeof(small), -INFINITY), 0);
}
END_TEST

/* ---- string2d / addReplyDouble (ZADD, ZSCORE) --------------------------- */

START_TEST(test_d_to_str_matches_zscore)
{
    static const struct {
        double v;
        const char *reply;
    } cases[] = {
        {1.5, "1.5"},
        {3.0, "3"},
        {100, "100"},
        {1e300, "1.0000000000000001e+300"},
        {-0.0, "-0"},
        {0.1, "0.10000000000000001"},
        {1e-300, "1e-300"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {2.5e-5, "2.5000000000000001e-05"},
        {4.9e-324, "4.9406564584124654e-324"},
        {-DBL_MAX, "-1.7976931348623157e+308"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
    };
    char buf[UTIL_D_STR_SIZE];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int len = util_d_to_str(buf, sizeof(buf), cases[i].v);

        ck_assert_int_eq(len, (int)strlen(cases[i].reply));
        ck_assert_str_eq(buf, cases[i].reply);
    }
    ck_assert_int_eq(util_d_to_str(buf, 3, 1.5), 0); /* no room for NUL */
}
END_TEST

START_TEST(test_str_to_d_rules)
{
    static const char *const bad[] = {" 1",    "1 ",  "\t1", "nan", "-nan", "",  "1e-400",
                                      "1e400", "abc", "1,5", "--1", "1e",   "0x"};
    double v;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!util_str_to_d(bad[i], strlen(bad[i]), &v), "accepted \"%s\"", bad[i]);
    ck_assert(util_str_to_d("+1", 2, &v) && v == 1);
    ck_assert(util_str_to_d("0x10", 4, &v) && v == 16);
    ck_assert(util_str_to_d("infinity", 8, &v) && isinf(v));
    ck_assert(util_str_to_d("-inf", 4, &v) && isinf(v) && v < 0);
    ck_assert(util_str_to_d("1e-310", 6, &v) && v > 0); /* subnormal kept */
    ck_assert(util_str_to_d("2.5", 2, &v) && v == 2);   /* length-bounded */
    ck_assert(!util_str_to_d("1\0", 2, &v));
}
END_TEST

START_TEST(test_str_to_d_long_input)
{
    /* Longer than the stack copy: "1." and 300 zeros, then "1e" and 300. */
    char input[400];
    double v;

    input[0] = '1';
    input[1] = '.';
    memset(input + 2, '0', 300);
    ck_assert(util_str_to_d(input, 302, &v) && v == 1);
    memcpy(input, "1e", 2);
    memset(input + 2, '0', 300);
    input[302] = '5';
    ck_assert(util_str_to_d(input, 303, &v) && v == 1e5);
    input[302] = 'x';
    ck_assert(!util_str_to_d(input, 303, &v));
}
END_TEST

/* ---- memory units (CONFIG SET maxmemory) -------------------------------- */

START_TEST(test_parse_memory_units)
{
    static const struct {
        const char *in;
        unsigned long long out;
    } good[] = {
        {"1gb", 1073741824ULL},
        {"1GB", 1073741824ULL},
        {"1g", 1000000000ULL},
        {"512mb", 536870912ULL},
        {"5m", 5000000ULL},
        {"100k", 100000ULL},
        {"100kb", 102400ULL},
        {"1Kb", 1024ULL},
        {"10", 10ULL},
        {"10b", 10ULL},
        {"10B", 10ULL},
        {"0", 0ULL},
        {"", 0ULL},
        {"kb", 0ULL},
        {"9223372036854775807", 9223372036854775807ULL},
        {"9223372036854775808", 9223372036854775808ULL},
        {"18446744073709551615", ULLONG_MAX},
        {"99999999999999999999", ULLONG_MAX},      /* saturates */
        {"20000000000gb", 3028092406290448384ULL}, /* wraps */
    };
    unsigned long long v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(util_parse_memory_ull(good[i].in, &v), "rejected \"%s\"", good[i].in);
        ck_assert_msg(v == good[i].out, "\"%s\" gave %llu", good[i].in, v);
    }
}
END_TEST

START_TEST(test_parse_memory_rejects)
{
    static const char *const bad[] = {"1.5gb", " 1", "1 ",  "+1",   "-1", "-0",
                                      "1kib",  "1t", "gb1", "1 gb", "1e3"};
    char digits[130];
    long long v;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!util_parse_memory_ull(bad[i], NULL), "accepted \"%s\"", bad[i]);
    /* The signed form refuses what does not fit in a long long. */
    ck_assert(util_parse_memory("9223372036854775807", &v) && v == LLONG_MAX);
    ck_assert(!util_parse_memory("9223372036854775808", &v));
    ck_assert(!util_parse_memory("99999999999999999999", &v));
    ck_assert(util_parse_memory("20000000000gb", &v) && v == 3028092406290448384LL);
    ck_assert(util_parse_memory("64mb", &v) && v == 64LL * 1024 * 1024);
    /* 127 digits are read, 128 refused (memtoull's buffer). */
    memset(digits, '0', sizeof(digits));
    digits[126] = '7';
    digits[127] = '\0';
    ck_assert(util_parse_memory(digits, &v) && v == 7);
    digits[127] = '0';
    digits[128] = '\0';
    ck_assert(!util_parse_memory(digits, &v));
}
END_TEST

/* ---- clocks and random numbers ------------------------------------------ */

START_TEST(test_clocks)
{
    int64_t ms = util_ms_now(), us = util_us_now();
    int64_t previous = util_monotonic_us();

    ck_assert(ms > 1600000000000LL); /* after 2020 */
    ck_assert(us / 1000 - ms >= 0 && us / 1000 - ms < 1000);
    for (int i = 0; i < 1000; i++) {
        int64_t now = util_monotonic_us();

        ck_assert(now >= previous);
        previous = now;
    }
}
END_TEST

START_TEST(test_random_hex)
{
    char a[41], b[41];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    util_random_hex(a, 40);
    util_random_hex(b, 40);
    ck_assert_int_eq((int)strspn(a, "0123456789abcdef"), 40);
    ck_assert_str_ne(a, b);
    /* Odd length, and a length over one internal batch. */
    char odd[7] = {0}, big[201] = {0};
    util_random_hex(odd, 5);
    ck_assert_int_eq((int)strlen(odd), 5);
    util_random_hex(big, 200);
    ck_assert_int_eq((int)strspn(big, "0123456789abcdef"), 200);
    util_random_hex(odd, 0);
}
END_TEST

static void *rand_first_value(void *arg)
{
    *(uint64_t *)arg = util_rand64();
    return NULL;
}

START_TEST(test_rand64)
{
    uint64_t all_or = 0, all_and = ~0ULL, previous = util_rand64();
    uint64_t other[2];
    pthread_t threads[2];

    for (int i = 0; i < 256; i++) {
        uint64_t r = util_rand64();

        ck_assert(r != previous);
        all_or |= r;
        all_and &= r;
        previous = r;
    }
    ck_assert(all_or == ~0ULL);
    ck_assert(all_and == 0);
    /* Each thread has its own, differently seeded, generator. */
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, rand_first_value, &other[i]);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    ck_assert(other[0] != other[1]);
}
END_TEST

/* ---- glob --------------------------------------------------------------- */

static int glob(const char *pattern, const char *string)
{
    return glob_match(pattern, strlen(pattern), string, strlen(string), 0);
}

static int glob_nocase(const char *pattern, const char *string)
{
    return glob_match(pattern, strlen(pattern), string, strlen(string), 1);
}

START_TEST(test_glob_basics)
{
    /* KEYS documentation and keyspace.tcl. */
    ck_assert(glob("foo*", "foo_a"));
    ck_assert(!glob("foo*", "key_x"));
    ck_assert(glob("*", "dlskeriewrioeuwqoirueioqwrueoqwrueqw"));
    ck_assert(glob("h?llo", "hello") && glob("h?llo", "hallo") && !glob("h?llo", "hllo"));
    ck_assert(glob("h*llo", "hllo") && glob("h*llo", "heeeello"));
    ck_assert(glob("h[ae]llo", "hello") && glob("h[ae]llo", "hallo") && !glob("h[ae]llo", "hillo"));
    ck_assert(glob("h[^e]llo", "hallo") && !glob("h[^e]llo", "hello"));
    ck_assert(glob("h[a-b]llo", "hbllo") && !glob("h[a-b]llo", "hcllo"));
    ck_assert(glob("key:1??", "key:123") && !glob("key:1??", "key:12"));
    ck_assert(glob("a*b*c", "aXXbYYc") && !glob("a*b*c", "aXXbYY"));
    ck_assert(glob("*a", "bbba") && !glob("*a", "ab"));
    ck_assert(glob("a**", "a") && glob("a*", "abc"));
    ck_assert(glob("abc", "abc") && !glob("abc", "abcd") && !glob("abcd", "abc"));
    ck_assert(glob("*?", "x") && !glob("?*?", "x"));
}
END_TEST

START_TEST(test_glob_escapes)
{
    ck_assert(glob("\\*", "*") && !glob("\\*", "a"));
    ck_assert(glob("a\\?b", "a?b") && !glob("a\\?b", "axb"));
    ck_assert(glob("\\[a]", "[a]"));
    ck_assert(glob("\\", "\\")); /* final '\' is a literal */
    ck_assert(glob("a\\", "a\\") && !glob("a\\", "a"));
    ck_assert(glob("[\\]]", "]") && glob("[\\\\]", "\\"));
    ck_assert(glob("[\\-]", "-") && !glob("[\\-]", "\\"));
}
END_TEST

START_TEST(test_glob_redis_quirks)
{
    /* The empty string matches only the empty pattern. */
    ck_assert(glob("", ""));
    ck_assert(!glob("*", "") && !glob("**", "") && !glob("?", ""));
    ck_assert(!glob("", "a"));
    /* Classes: empty, negated empty, unterminated. */
    ck_assert(!glob("[]", "a") && !glob("[]", "]"));
    ck_assert(glob("[^]", "a") && glob("[^]", "]"));
    ck_assert(!glob("[", "[") && !glob("[", "a"));
    ck_assert(glob("[^", "a") && glob("[^", "^"));
    ck_assert(glob("[ab", "a") && glob("[ab", "b") && !glob("[ab", "c"));
    ck_assert(glob("x[ab", "xb") && !glob("x[ab", "xbb"));
    /* In "[a-]" the ']' closes the range ']'..'a', not the class: "[a-]x]"
     * is one class (']'..'a' and 'x'). */
    ck_assert(glob("[a-]", "_") && glob("[a-]", "^") && !glob("[a-]", "b"));
    ck_assert(glob("[a-]x]", "x") && glob("[a-]x]", "^") && !glob("[a-]x]", "^x]"));
    ck_assert(!glob("[a-]", "a]"));
    ck_assert(glob("[-a]", "-") && glob("[a-]", "a"));
    /* Reversed ranges; chars compared as signed. */
    ck_assert(glob("[z-a]", "a") && glob("[z-a]", "m") && !glob("[z-a]", "Z"));
    ck_assert(glob("[a-\xe9]", "\x01") && glob("[a-\xe9]", "\xff") && glob("[a-\xe9]", "\xf0"));
    ck_assert(glob("[a-\xe9]", "_") && glob("[a-\xe9]", "a"));
    ck_assert(!glob("[a-\xe9]", "b") && !glob("[a-\xe9]", "\xe0"));
    /* Binary-safe: NUL inside pattern and string. */
    ck_assert(glob_match("a\0*", 3, "a\0bc", 4, 0));
    ck_assert(!glob_match("a\0*", 3, "ab", 2, 0));
}
END_TEST

START_TEST(test_glob_nocase)
{
    ck_assert(glob_nocase("HELLO", "hello") && !glob("HELLO", "hello"));
    ck_assert(glob_nocase("h*O", "HellO") && glob_nocase("[A-C]x", "bX"));
    ck_assert(glob_nocase("maxmemory*", "MaxMemory-Policy"));
    ck_assert(glob_nocase("[^a]", "B") && !glob_nocase("[^a]", "A"));
    /* "[A-z]": case-sensitively A..z includes '_'; with nocase the bounds
     * become a..z and '_' falls out. */
    ck_assert(glob("[A-z]", "_") && !glob_nocase("[A-z]", "_"));
    ck_assert(glob_nocase("[A-z]", "Q"));
    /* An escaped char in a class is compared exactly even with nocase. */
    ck_assert(!glob_nocase("[\\A]", "a") && glob_nocase("[\\A]", "A"));
    ck_assert(glob_nocase("\\A", "a"));
}
END_TEST

START_TEST(test_glob_pathological_patterns_are_fast)
{
    /* keyspace.tcl: "Regression for pattern matching long nested loops". */
    const char *forty_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    size_t slen = 100000, plen = 0;
    char *string = malloc(slen);
    char *pattern = malloc(20001);
    int64_t start;

    ck_assert(!glob("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", forty_a));
    ck_assert(glob("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", forty_a));
    /* 2000 "*a" then "b" against 100000 'a's: exponential for naive
     * backtracking, deep for a recursive matcher. */
    memset(string, 'a', slen);
    for (int i = 0; i < 2000; i++) {
        pattern[plen++] = '*';
        pattern[plen++] = 'a';
    }
    pattern[plen++] = 'b';
    start = util_monotonic_us();
    ck_assert(!glob_match(pattern, plen, string, slen, 0));
    ck_assert(glob_match(pattern, plen - 1, string, slen, 1));
    ck_assert(util_monotonic_us() - start < 2000000);
    free(string);
    free(pattern);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *suite = suite_create("util");
    TCase *numbers = tcase_create("numbers");
    TCase *misc = tcase_create("misc");
    TCase *globs = tcase_create("glob");

    tcase_add_test(numbers, test_str_to_ll_accepts_canonical_numbers);
    tcase_add_test(numbers, test_str_to_ll_rejects_non_canonical_forms);
    tcase_add_test(numbers, test_ll_to_str_prints_extremes);
    tcase_add_test(numbers, test_ll_to_str_respects_buffer_size);
    tcase_add_test(numbers, test_ll_round_trips);
    tcase_add_test(numbers, test_str_to_ull_follows_strtoull_leniency);
    tcase_add_test(numbers, test_str_to_ull_rejects);
    tcase_add_test(numbers, test_incrbyfloat_formatting);
    tcase_add_test(numbers, test_str_to_ld_inf_and_limits);
    tcase_add_test(numbers, test_ld_to_str_edges);
    tcase_add_test(numbers, test_d_to_str_matches_zscore);
    tcase_add_test(numbers, test_str_to_d_rules);
    tcase_add_test(numbers, test_str_to_d_long_input);
    tcase_add_test(misc, test_parse_memory_units);
    tcase_add_test(misc, test_parse_memory_rejects);
    tcase_add_test(misc, test_clocks);
    tcase_add_test(misc, test_random_hex);
    tcase_add_test(misc, test_rand64);
    tcase_add_test(globs, test_glob_basics);
    tcase_add_test(globs, test_glob_escapes);
    tcase_add_test(globs, test_glob_redis_quirks);
    tcase_add_test(globs, test_glob_nocase);
    tcase_add_test(globs, test_glob_pathological_patterns_are_fast);
    suite_add_tcase(suite, numbers);
    suite_add_tcase(suite, misc);
    suite_add_tcase(suite, globs);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(util_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
