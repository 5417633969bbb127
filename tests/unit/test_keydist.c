/*
 * Unit tests for bench/keydist: the xoshiro256** generator, uniform draws
 * below n, the Zipf sampler and the rank scatter.
 *
 * The generator is pinned by published vectors: splitmix64 from seed
 * 1234567 (the Arc.Crypto test suite) and xoshiro256** from splitmix64 of
 * seed 100 (Quuxplusone/Xoshiro256ss). The distributions are checked by
 * counting a million draws against the exact probabilities, with
 * chi-square bounds at a one-in-ten-thousand false alarm rate; the seeds are
 * fixed, so a run is repeatable.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench/keydist.h"

/* Upper critical value of chi-square with df degrees of freedom at normal
 * quantile z (Wilson and Hilferty's approximation, good to a few percent
 * for df >= 1). z = 3.72 is a tail of 1e-4. */
static double chi_square_bound(int df, double z)
{
    double a = 2.0 / (9.0 * df);
    double c = 1.0 - a + z * sqrt(a);

    return df * c * c * c;
}

#define CHI_Z 3.72

/* Check reports every passing ck_assert to its parent process through a
 * pipe, a system call each; loops of a million draws therefore count their
 * violations and assert once at the end. */

/* ---- the generator ------------------------------------------------------ */

START_TEST(test_seed_fills_state_by_splitmix64)
{
    struct rng r;

    rng_seed(&r, 1234567);
    ck_assert_uint_eq(r.s[0], UINT64_C(6457827717110365317));
    ck_assert_uint_eq(r.s[1], UINT64_C(3203168211198807973));
    ck_assert_uint_eq(r.s[2], UINT64_C(9817491932198370423));
    ck_assert_uint_eq(r.s[3], UINT64_C(4593380528125082431));
}
END_TEST

START_TEST(test_next_matches_xoshiro256starstar_vectors)
{
    static const uint64_t expected[] = {
        UINT64_C(0x0afee0773a0d8a51),
        UINT64_C(0x13b0ca759b9b1735),
        UINT64_C(0x5c76d220f8461395),
        UINT64_C(0x8852f10b70a289f7),
    };
    struct rng r;

    rng_seed(&r, 100);
    ck_assert_uint_eq(r.s[0], UINT64_C(0x23259b94f13cf544));
    ck_assert_uint_eq(r.s[1], UINT64_C(0x03bc38d6c6b89fe4));
    ck_assert_uint_eq(r.s[2], UINT64_C(0x3e540f97fbd2e5cd));
    ck_assert_uint_eq(r.s[3], UINT64_C(0x40dbd7e668859a70));
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(rng_next(&r), expected[i]);
}
END_TEST

START_TEST(test_seed_is_deterministic)
{
    struct rng a, b, c;
    int differ = 0;

    rng_seed(&a, 0);
    rng_seed(&b, 0);
    rng_seed(&c, 1);
    ck_assert(a.s[0] | a.s[1] | a.s[2] | a.s[3]);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);

        ck_assert_uint_eq(x, rng_next(&b));
        differ += x != rng_next(&c);
    }
    ck_assert_int_eq(differ, 1000);
}
END_TEST

/* Every double is a multiple of 2^-53 in [0, 1), and a million of them
 * average a half and fill both ends. */
START_TEST(test_double_is_in_unit_interval)
{
    struct rng r;
    double sum = 0, low = 1, high = 0;
    int n = 1000000, outside = 0, not_multiple = 0;

    rng_seed(&r, 5);
    for (int i = 0; i < n; i++) {
        double d = rng_double(&r);
        double scaled = d * 0x1.0p53;

        outside += !(d >= 0.0 && d < 1.0);
        not_multiple += scaled != floor(scaled);
        sum += d;
        if (d < low) low = d;
        if (d > high) high = d;
    }
    ck_assert_int_eq(outside, 0);
    ck_assert_int_eq(not_multiple, 0);
    ck_assert_double_eq_tol(sum / n, 0.5, 0.002); /* sd of the mean: 0.0003 */
    ck_assert(low < 1e-4);
    ck_assert(high > 1 - 1e-4);
}
END_TEST

/* For small n every value comes up, and the counts pass a chi-square test
 * of uniformity. */
START_TEST(test_below_is_uniform_for_small_n)
{
    static const uint64_t sizes[] = {2, 3, 5, 6, 7, 10, 16, 17, 100, 1000};
    uint64_t draws_of_one = 0;
    struct rng r;

    rng_seed(&r, 11);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint64_t n = sizes[s], draws = 2000 * n, outside = 0, missing = 0;
        uint64_t *counts = calloc(n + 1, sizeof(*counts));
        double expected = (double)draws / (double)n, chi = 0;

        for (uint64_t i = 0; i < draws; i++) {
            uint64_t v = rng_below(&r, n);

            outside += v >= n;
            counts[v < n ? v : n]++;
        }
        for (uint64_t v = 0; v < n; v++) {
            missing += counts[v] == 0;
            chi += (counts[v] - expected) * (counts[v] - expected) / expected;
        }
        ck_assert_uint_eq(outside, 0);
        ck_assert_uint_eq(missing, 0);
        ck_assert_msg(chi < chi_square_bound((int)n - 1, CHI_Z), "n=%llu chi-square %g",
                      (unsigned long long)n, chi);
        free(counts);
    }
    for (int i = 0; i < 1000; i++) draws_of_one += rng_below(&r, 1);
    ck_assert_uint_eq(draws_of_one, 0);
}
END_TEST

/* n = 3 * 2^62 is where a plain modulo is worst: 2^64 = n + 2^62, so the
 * values below 2^62 would come up half the time instead of a third. */
START_TEST(test_below_has_no_modulo_bias)
{
    struct rng r;
    uint64_t n = UINT64_C(3) << 62, low = 0, outside = 0;
    int draws = 300000;

    rng_seed(&r, 12);
    for (int i = 0; i < draws; i++) {
        uint64_t v = rng_below(&r, n);

        outside += v >= n;
        low += v < (UINT64_C(1) << 62);
    }
    ck_assert_double_eq_tol((double)low / draws, 1.0 / 3.0, 0.005); /* sd 0.0009 */
    for (int i = 0; i < 10000; i++) {
        outside += rng_below(&r, UINT64_MAX) >= UINT64_MAX;
        outside += rng_below(&r, (UINT64_C(1) << 63) + 1) >= (UINT64_C(1) << 63) + 1;
    }
    ck_assert_uint_eq(outside, 0);
}
END_TEST

/* ---- Zipf --------------------------------------------------------------- */

/* Draws a million ranks from zipf(n, theta), n <= 1e6, and compares the
 * counts with P(k) = (k + 1)^-theta / sum: ranks 0, 1 and 2 each within 3%
 * (or five standard deviations, where a rank expects too few draws for 3%
 * to be a fair bound, as in a near-uniform space of a thousand), and the
 * whole distribution by chi-square, with the thin tail pooled into bins
 * expecting at least 50 draws each. */
static void assert_zipf_matches(uint64_t n, double theta, uint64_t seed)
{
    struct zipf *z = zipf_new(n, theta);
    uint64_t *counts = calloc(n, sizeof(*counts));
    double *prob = calloc(n, sizeof(*prob));
    double total = 0, chi = 0, bin_expected = 0, bin_seen = 0;
    int draws = 1000000, bins = 0, outside = 0;
    struct rng r;

    ck_assert_ptr_nonnull(z);
    rng_seed(&r, seed);
    for (int i = 0; i < draws; i++) {
        uint64_t k = zipf_next(z, &r);

        if (k < n)
            counts[k]++;
        else
            outside++;
    }
    ck_assert_int_eq(outside, 0);
    for (uint64_t k = n; k-- > 0;) total += prob[k] = pow((double)k + 1, -theta);
    for (uint64_t k = 0; k < n && k < 3; k++) {
        double expected = draws * prob[k] / total;
        double bound = fmax(0.03 * expected, 5 * sqrt(expected));

        ck_assert_msg(fabs(counts[k] - expected) <= bound,
                      "n=%llu theta=%.15g rank %llu: %llu draws, expected %.0f",
                      (unsigned long long)n, theta, (unsigned long long)k,
                      (unsigned long long)counts[k], expected);
    }
    for (uint64_t k = 0; k < n; k++) {
        bin_expected += draws * prob[k] / total;
        bin_seen += (double)counts[k];
        if (bin_expected >= 50 || k == n - 1) {
            chi += (bin_seen - bin_expected) * (bin_seen - bin_expected) / bin_expected;
            bins++;
            bin_expected = bin_seen = 0;
        }
    }
    if (bins > 1)
        ck_assert_msg(chi < chi_square_bound(bins - 1, CHI_Z), "n=%llu theta=%.15g chi-square %g",
                      (unsigned long long)n, theta, chi);
    free(prob);
    free(counts);
    zipf_free(z);
}

START_TEST(test_zipf_customary_skew)
{
    assert_zipf_matches(1000, 0.99, 1);
    assert_zipf_matches(100000, 0.99, 2);
}
END_TEST

/* theta = 1 is where H(x) becomes log(x); just either side of it the
 * closed form divides by almost zero. */
START_TEST(test_zipf_theta_one_and_near_one)
{
    assert_zipf_matches(1000, 1.0, 3);
    assert_zipf_matches(1000, 1.0 + 1e-12, 4);
    assert_zipf_matches(1000, 1.0 - 1e-12, 5);
    assert_zipf_matches(1000, 1.0 + 1e-7, 6);
    assert_zipf_matches(1000, 1.0 - 1e-5, 7);
}
END_TEST

START_TEST(test_zipf_mild_and_steep_skew)
{
    assert_zipf_matches(100, 0.5, 8);
    assert_zipf_matches(1000, 0.5, 9);
    assert_zipf_matches(1000, 0.01, 10);
    assert_zipf_matches(1000, 2.0, 11);
    assert_zipf_matches(50, 5.0, 12);
}
END_TEST

START_TEST(test_zipf_tiny_spaces)
{
    static const double thetas[] = {0.01, 0.5, 0.99, 1.0, 2.0, 30.0};
    uint64_t nonzero = 0;
    struct rng r;

    rng_seed(&r, 13);
    for (size_t t = 0; t < sizeof(thetas) / sizeof(thetas[0]); t++) {
        struct zipf *z = zipf_new(1, thetas[t]);

        ck_assert_ptr_nonnull(z);
        for (int i = 0; i < 10000; i++) nonzero += zipf_next(z, &r) != 0;
        zipf_free(z);
    }
    ck_assert_uint_eq(nonzero, 0);
    assert_zipf_matches(2, 1.0, 14); /* P(0) = 2/3 */
    assert_zipf_matches(3, 0.99, 15);
}
END_TEST

/* Huge spaces cost nothing to set up, and draws still follow the law:
 * for theta = 0.5 the mass below n/4 tends to sqrt(1/4) = 1/2, and the two
 * hottest ranks keep the ratio 2^-theta. */
START_TEST(test_zipf_huge_spaces)
{
    struct rng r;
    struct zipf *z;
    uint64_t n = UINT64_C(1) << 40, below = 0, outside = 0, counts[2] = {0, 0};
    int draws = 1000000;

    rng_seed(&r, 16);
    z = zipf_new(n, 0.5);
    for (int i = 0; i < draws; i++) {
        uint64_t k = zipf_next(z, &r);

        outside += k >= n;
        below += k < n / 4;
    }
    ck_assert_double_eq_tol((double)below / draws, 0.5, 0.003); /* sd 0.0005 */
    zipf_free(z);

    z = zipf_new(1000000000, 0.99);
    for (int i = 0; i < draws; i++) {
        uint64_t k = zipf_next(z, &r);

        outside += k >= 1000000000;
        if (k < 2) counts[k]++;
    }
    ck_assert_double_eq_tol((double)counts[1] / (double)counts[0], pow(2, -0.99), 0.02);
    zipf_free(z);

    z = zipf_new(UINT64_MAX, 0.3); /* ranks up near 2^64 must not overflow */
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 100000; i++) outside += zipf_next(z, &r) >= UINT64_MAX;
    zipf_free(z);
    ck_assert_uint_eq(outside, 0);
}
END_TEST

START_TEST(test_zipf_rejects_bad_arguments)
{
    ck_assert_ptr_null(zipf_new(0, 0.99));
    ck_assert_ptr_null(zipf_new(100, 0.0));
    ck_assert_ptr_null(zipf_new(100, -1.0));
    ck_assert_ptr_null(zipf_new(100, NAN));
    ck_assert_ptr_null(zipf_new(100, INFINITY));
}
END_TEST

/* ---- scatter ------------------------------------------------------------ */

/* Every rank of [0, n) lands on a distinct key of [0, n), checked with a
 * bitmap; and neighbouring ranks rarely land on neighbouring keys. */
START_TEST(test_scatter_is_a_bijection)
{
    static const uint64_t sizes[] = {1,    2,     3,     4,     5,       7,       8,
                                     13,   64,    97,    100,   1000,    1024,    4096,
                                     8191, 65536, 65537, 99991, 1 << 20, 1000003, 3000000};

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint64_t n = sizes[s], adjacent = 0, fixed = 0, previous = 0, outside = 0, twice = 0;
        uint8_t *seen = calloc(n / 8 + 1, 1);

        for (uint64_t rank = 0; rank < n; rank++) {
            uint64_t key = keydist_scatter(rank, n);

            if (key >= n) {
                outside++;
                continue;
            }
            twice += (seen[key / 8] >> (key % 8)) & 1;
            seen[key / 8] |= (uint8_t)(1u << (key % 8));
            fixed += key == rank;
            if (rank > 0) adjacent += key == previous + 1 || previous == key + 1;
            previous = key;
        }
        ck_assert_msg(outside == 0 && twice == 0, "n=%llu: %llu keys outside, %llu hit twice",
                      (unsigned long long)n, (unsigned long long)outside,
                      (unsigned long long)twice);
        if (n >= 1000) {
            ck_assert_msg(adjacent < n / 100, "n=%llu: %llu neighbours stay neighbours",
                          (unsigned long long)n, (unsigned long long)adjacent);
            ck_assert_uint_lt(fixed, n / 100);
        }
        free(seen);
    }
}
END_TEST

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Near 2^64 the network is 64 bits wide: results stay below n, distinct,
 * and a rank past n wraps. */
START_TEST(test_scatter_huge_spaces)
{
    static const uint64_t sizes[] = {UINT64_MAX, (UINT64_C(1) << 63) + 12345, UINT64_C(1) << 63,
                                     (UINT64_C(1) << 33) + 1};
    uint64_t keys[10000];

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint64_t n = sizes[s];

        uint64_t outside = 0, repeated = 0;

        for (uint64_t rank = 0; rank < 10000; rank++) {
            keys[rank] = keydist_scatter(rank, n);
            outside += keys[rank] >= n;
        }
        qsort(keys, 10000, sizeof(keys[0]), compare_u64);
        for (int i = 1; i < 10000; i++) repeated += keys[i - 1] == keys[i];
        ck_assert_uint_eq(outside, 0);
        ck_assert_uint_eq(repeated, 0);
        ck_assert_uint_lt(keydist_scatter(n - 1, n), n);
    }
    ck_assert_uint_eq(keydist_scatter(1000 + 5, 1000), keydist_scatter(5, 1000));
    ck_assert_uint_eq(keydist_scatter(12345, 1), 0);
    ck_assert_uint_eq(keydist_scatter(0, 0), 0);
}
END_TEST

static Suite *keydist_suite(void)
{
    Suite *suite = suite_create("keydist");
    TCase *generator = tcase_create("rng");
    TCase *zipf = tcase_create("zipf");
    TCase *scatter = tcase_create("scatter");

    tcase_add_test(generator, test_seed_fills_state_by_splitmix64);
    tcase_add_test(generator, test_next_matches_xoshiro256starstar_vectors);
    tcase_add_test(generator, test_seed_is_deterministic);
    tcase_add_test(generator, test_double_is_in_unit_interval);
    tcase_add_test(generator, test_below_is_uniform_for_small_n);
    tcase_add_test(generator, test_below_has_no_modulo_bias);
    tcase_add_test(zipf, test_zipf_customary_skew);
    tcase_add_test(zipf, test_zipf_theta_one_and_near_one);
    tcase_add_test(zipf, test_zipf_mild_and_steep_skew);
    tcase_add_test(zipf, test_zipf_tiny_spaces);
    tcase_add_test(zipf, test_zipf_huge_spaces);
    tcase_add_test(zipf, test_zipf_rejects_bad_arguments);
    tcase_add_test(scatter, test_scatter_is_a_bijection);
    tcase_add_test(scatter, test_scatter_huge_spaces);
    suite_add_tcase(suite, generator);
    suite_add_tcase(suite, zipf);
    suite_add_tcase(suite, scatter);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(keydist_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
