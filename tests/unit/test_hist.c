/*
 * Unit tests for bench/hist, the latency histogram of the bench harness.
 *
 * What they pin: percentiles of known data (uniform and exponential) are
 * never below the true order statistic and at most 1% above it; min, max
 * and mean are exact; merging equals recording everything into one; an
 * empty histogram reports zeros; values past the top are clamped to it.
 * The true order statistics come from sorting the same data.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench/hist.h"

#define TOP_VALUE ((UINT64_C(1) << 40) - 1) /* the clamp documented in hist.h */

/* A local splitmix64, so these tests do not depend on bench/keydist. */
static uint64_t test_random_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double test_random_unit(uint64_t *state)
{
    return (double)(test_random_next(state) >> 11) * 0x1.0p-53;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* The value a percentile should report for sorted data: the smallest value
 * with at least p% of the data at or below it. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t count, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)count - 1e-9);

    if (rank < 1) rank = 1;
    if (rank > count) rank = count;
    return sorted[rank - 1];
}

/* Checks hist_percentile against sorted data at many percentiles: never
 * below the truth, never more than 1% above it, never above the max. */
static void assert_percentiles_within_1pct(const struct hist *h, const uint64_t *sorted,
                                           size_t count)
{
    static const double points[] = {0.001, 0.1, 1,  5,    10,   25,    50,     75,
                                    90,    95,  99, 99.5, 99.9, 99.99, 99.999, 100};

    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        uint64_t want = exact_percentile(sorted, count, points[i]);
        uint64_t got = hist_percentile(h, points[i]);

        ck_assert_msg(got >= want, "p%g: %llu below the true %llu", points[i],
                      (unsigned long long)got, (unsigned long long)want);
        ck_assert_msg((double)got <= (double)want * 1.01, "p%g: %llu more than 1%% above %llu",
                      points[i], (unsigned long long)got, (unsigned long long)want);
        ck_assert(got <= hist_max(h));
    }
}

static void assert_exact_summary(const struct hist *h, uint64_t *values, size_t count)
{
    long double sum = 0;

    for (size_t i = 0; i < count; i++) sum += values[i];
    ck_assert_uint_eq(hist_count(h), count);
    ck_assert_uint_eq(hist_min(h), values[0]);
    ck_assert_uint_eq(hist_max(h), values[count - 1]);
    ck_assert_double_eq_tol(hist_mean(h), (double)(sum / count), 1e-9 * (double)(sum / count));
}

START_TEST(test_empty_histogram_reports_zero)
{
    struct hist *h = hist_new();

    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(hist_count(h), 0);
    ck_assert_uint_eq(hist_min(h), 0);
    ck_assert_uint_eq(hist_max(h), 0);
    ck_assert_double_eq(hist_mean(h), 0.0);
    ck_assert_uint_eq(hist_percentile(h, 50), 0);
    ck_assert_uint_eq(hist_percentile(h, 100), 0);
    ck_assert_uint_eq(hist_percentile(h, 0.0001), 0);
    hist_free(h);
}
END_TEST

START_TEST(test_single_value_is_exact)
{
    struct hist *h = hist_new();

    hist_record(h, 123456789);
    ck_assert_uint_eq(hist_count(h), 1);
    ck_assert_uint_eq(hist_min(h), 123456789);
    ck_assert_uint_eq(hist_max(h), 123456789);
    ck_assert_double_eq(hist_mean(h), 123456789.0);
    ck_assert_uint_eq(hist_percentile(h, 0.001), 123456789);
    ck_assert_uint_eq(hist_percentile(h, 50), 123456789);
    ck_assert_uint_eq(hist_percentile(h, 100), 123456789);
    hist_free(h);
}
END_TEST

/* Below 256 every value has its own bucket, so percentiles are exact. */
START_TEST(test_small_values_are_exact)
{
    struct hist *h = hist_new();

    for (uint64_t v = 0; v < 256; v++) hist_record(h, v);
    ck_assert_uint_eq(hist_min(h), 0);
    ck_assert_uint_eq(hist_max(h), 255);
    ck_assert_uint_eq(hist_percentile(h, 50), 127);
    ck_assert_uint_eq(hist_percentile(h, 25), 63);
    ck_assert_uint_eq(hist_percentile(h, 100.0 / 256), 0);
    ck_assert_uint_eq(hist_percentile(h, 99), 253); /* ceil(253.44) = 254th value */
    ck_assert_uint_eq(hist_percentile(h, 100), 255);
    ck_assert_double_eq(hist_mean(h), 127.5);
    hist_free(h);
}
END_TEST

/* Every value on its own, from 1 ns to the top, around every power of two:
 * the bucket it lands in is reported within 1% above it. A larger value is
 * recorded alongside, so p50 is the bucket's edge and not the clipped max. */
START_TEST(test_every_value_reported_within_1pct)
{
    struct hist *h = hist_new();
    uint64_t state = 7, below = 0, above = 0;

    for (int i = 0; i < 200000; i++) {
        uint64_t v;

        if (i < 40 * 3) /* 2^k - 1, 2^k, 2^k + 1 */
            v = (UINT64_C(1) << (i / 3)) + (uint64_t)(i % 3) - 1;
        else /* log-uniform over the whole range */
            v = (uint64_t)exp2(test_random_unit(&state) * 40.0);
        if (v >= TOP_VALUE) continue;
        hist_reset(h);
        hist_record(h, v);
        hist_record(h, TOP_VALUE);
        below += hist_percentile(h, 50) < v;
        above += (double)hist_percentile(h, 50) > (double)v * 1.01;
    }
    ck_assert_uint_eq(below, 0);
    ck_assert_uint_eq(above, 0);
    hist_free(h);
}
END_TEST

/* One million values 1 .. 1,000,000 ns, each once. */
START_TEST(test_uniform_percentiles_within_1pct)
{
    size_t count = 1000000;
    uint64_t *values = malloc(count * sizeof(*values));
    struct hist *h = hist_new();

    for (size_t i = 0; i < count; i++) values[i] = i + 1;
    for (size_t i = count; i-- > 0;) hist_record(h, values[i]); /* order must not matter */
    assert_exact_summary(h, values, count);
    assert_percentiles_within_1pct(h, values, count);
    ck_assert_uint_eq(hist_percentile(h, 100), 1000000);
    ck_assert_uint_ge(hist_percentile(h, 50), 500000);
    ck_assert_uint_le(hist_percentile(h, 50), 505000);
    free(values);
    hist_free(h);
}
END_TEST

/* Exponential latencies, mean 200 us, plus a 1 ms floor in one case in a
 * hundred: the shape of a real run, long tail included. */
START_TEST(test_exponential_percentiles_within_1pct)
{
    size_t count = 1000000;
    uint64_t *values = malloc(count * sizeof(*values));
    struct hist *h = hist_new();
    uint64_t state = 42;

    for (size_t i = 0; i < count; i++) {
        double v = -200000.0 * log1p(-test_random_unit(&state));

        if (i % 100 == 0) v += 1000000.0;
        values[i] = (uint64_t)v;
        hist_record(h, values[i]);
    }
    qsort(values, count, sizeof(*values), compare_u64);
    assert_exact_summary(h, values, count);
    assert_percentiles_within_1pct(h, values, count);
    ck_assert_uint_eq(hist_percentile(h, 100), values[count - 1]);
    free(values);
    hist_free(h);
}
END_TEST

/* Percentiles never go down as p goes up. */
START_TEST(test_percentiles_are_monotone)
{
    struct hist *h = hist_new();
    uint64_t state = 3, last = 0, decreases = 0;

    for (int i = 0; i < 100000; i++) hist_record(h, test_random_next(&state) % 10000000);
    for (double p = 0.01; p <= 100.0; p += 0.01) {
        uint64_t v = hist_percentile(h, p);

        decreases += v < last;
        last = v;
    }
    ck_assert_uint_eq(decreases, 0);
    ck_assert_uint_ge(hist_percentile(h, 100), last);
    ck_assert_uint_eq(hist_percentile(h, 100), hist_max(h));
    hist_free(h);
}
END_TEST

/* Recording into three histograms and merging them gives, figure for
 * figure, what recording everything into one gives. */
START_TEST(test_merge_equals_recording_into_one)
{
    struct hist *all = hist_new(), *merged = hist_new(), *parts[3];
    uint64_t state = 99;
    int differ = 0;

    for (int i = 0; i < 3; i++) parts[i] = hist_new();
    for (int i = 0; i < 300000; i++) {
        uint64_t v = (uint64_t)exp2(test_random_unit(&state) * 36.0);

        hist_record(all, v);
        hist_record(parts[test_random_next(&state) % 3], v);
    }
    hist_record(parts[1], 0); /* the extremes in different parts */
    hist_record(all, 0);
    hist_record(parts[2], UINT64_MAX);
    hist_record(all, UINT64_MAX);
    for (int i = 0; i < 3; i++) hist_merge(merged, parts[i]);
    ck_assert_uint_eq(hist_count(merged), hist_count(all));
    ck_assert_uint_eq(hist_min(merged), hist_min(all));
    ck_assert_uint_eq(hist_max(merged), hist_max(all));
    ck_assert_double_eq(hist_mean(merged), hist_mean(all));
    for (double p = 0.05; p <= 100.0; p += 0.05)
        differ += hist_percentile(merged, p) != hist_percentile(all, p);
    ck_assert_int_eq(differ, 0);
    ck_assert_uint_eq(hist_percentile(merged, 100), hist_percentile(all, 100));
    for (int i = 0; i < 3; i++) hist_free(parts[i]);
    hist_free(merged);
    hist_free(all);
}
END_TEST

/* An empty histogram merged in changes nothing, in either direction. */
START_TEST(test_merge_with_empty)
{
    struct hist *h = hist_new(), *empty = hist_new(), *into = hist_new();

    hist_record(h, 500);
    hist_record(h, 70000);
    hist_merge(h, empty);
    ck_assert_uint_eq(hist_count(h), 2);
    ck_assert_uint_eq(hist_min(h), 500);
    ck_assert_uint_eq(hist_max(h), 70000);
    hist_merge(into, h);
    ck_assert_uint_eq(hist_count(into), 2);
    ck_assert_uint_eq(hist_min(into), 500);
    ck_assert_uint_eq(hist_max(into), 70000);
    ck_assert_double_eq(hist_mean(into), 35250.0);
    ck_assert_uint_eq(hist_percentile(into, 50), 501); /* edge of 500's bucket, width 2 */
    ck_assert_uint_eq(hist_percentile(into, 100), 70000);
    hist_merge(empty, empty);
    ck_assert_uint_eq(hist_count(empty), 0);
    ck_assert_uint_eq(hist_min(empty), 0);
    ck_assert_uint_eq(hist_max(empty), 0);
    hist_free(into);
    hist_free(empty);
    hist_free(h);
}
END_TEST

/* Values past 2^40 - 1 ns count as 2^40 - 1, in every figure. */
START_TEST(test_huge_values_clamp_to_top)
{
    struct hist *h = hist_new();

    hist_record(h, UINT64_MAX);
    ck_assert_uint_eq(hist_count(h), 1);
    ck_assert_uint_eq(hist_max(h), TOP_VALUE);
    ck_assert_uint_eq(hist_min(h), TOP_VALUE);
    ck_assert_uint_eq(hist_percentile(h, 100), TOP_VALUE);
    hist_record(h, TOP_VALUE + 1);
    hist_record(h, TOP_VALUE);
    hist_record(h, 1000);
    ck_assert_uint_eq(hist_count(h), 4);
    ck_assert_uint_eq(hist_max(h), TOP_VALUE);
    ck_assert_uint_eq(hist_min(h), 1000);
    ck_assert_uint_eq(hist_percentile(h, 25), 1000 + 3); /* edge of 1000's bucket, width 4 */
    ck_assert_uint_eq(hist_percentile(h, 50), TOP_VALUE);
    ck_assert_uint_eq(hist_percentile(h, 100), TOP_VALUE);
    ck_assert_double_eq(hist_mean(h), (3.0 * (double)TOP_VALUE + 1000.0) / 4.0);
    hist_free(h);
}
END_TEST

/* After a reset the histogram is empty and records afresh. */
START_TEST(test_reset_empties)
{
    struct hist *h = hist_new();

    for (uint64_t v = 1; v < 100000; v *= 3) hist_record(h, v);
    hist_reset(h);
    ck_assert_uint_eq(hist_count(h), 0);
    ck_assert_uint_eq(hist_min(h), 0);
    ck_assert_uint_eq(hist_max(h), 0);
    ck_assert_uint_eq(hist_percentile(h, 99), 0);
    hist_record(h, 5000);
    ck_assert_uint_eq(hist_min(h), 5000);
    ck_assert_uint_eq(hist_max(h), 5000);
    ck_assert_uint_eq(hist_percentile(h, 1), 5000);
    hist_free(h);
}
END_TEST

static Suite *hist_suite(void)
{
    Suite *suite = suite_create("hist");
    TCase *basics = tcase_create("basics");
    TCase *accuracy = tcase_create("accuracy");
    TCase *merge = tcase_create("merge");

    tcase_add_test(basics, test_empty_histogram_reports_zero);
    tcase_add_test(basics, test_single_value_is_exact);
    tcase_add_test(basics, test_small_values_are_exact);
    tcase_add_test(basics, test_huge_values_clamp_to_top);
    tcase_add_test(basics, test_reset_empties);
    tcase_add_test(accuracy, test_every_value_reported_within_1pct);
    tcase_add_test(accuracy, test_uniform_percentiles_within_1pct);
    tcase_add_test(accuracy, test_exponential_percentiles_within_1pct);
    tcase_add_test(accuracy, test_percentiles_are_monotone);
    tcase_add_test(merge, test_merge_equals_recording_into_one);
    tcase_add_test(merge, test_merge_with_empty);
    suite_add_tcase(suite, basics);
    suite_add_tcase(suite, accuracy);
    suite_add_tcase(suite, merge);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(hist_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
