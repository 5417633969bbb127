/*
 * hist: a latency histogram in the HDR style. Values (nanoseconds) fall in
 * log-linear buckets: each power of two is split into 128 linear
 * sub-buckets, so any recorded value is reported within 1% of what was
 * recorded, from 1 ns to about 18 minutes (2^40 - 1 ns), in a fixed 34 KiB
 * with no allocation while recording. Count, sum, minimum and maximum are
 * kept exactly, beside the buckets.
 *
 * Thread: one histogram per load thread, written only by that thread while
 * the load runs; the driver merges them once the threads have been joined.
 */
#ifndef TANDEM_BENCH_HIST_H
#define TANDEM_BENCH_HIST_H

#include <stdint.h>

struct hist;

/* An empty histogram; NULL when out of memory. */
struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);

/* Records one value; values beyond the top bucket (2^40 - 1 ns) are
 * recorded as that top value, in the buckets, the mean and the maximum. */
void hist_record(struct hist *h, uint64_t value);
/* Adds every count of from into into: the same as having recorded all of
 * from's values into into. */
void hist_merge(struct hist *into, const struct hist *from);

uint64_t hist_count(const struct hist *h);
uint64_t hist_min(const struct hist *h); /* 0 when empty */
uint64_t hist_max(const struct hist *h); /* exact, 0 when empty */
double hist_mean(const struct hist *h);
/* The value at percentile p (0 < p <= 100): the smallest bucket value such
 * that at least p% of the recorded values are at or below it. Never above
 * hist_max. 0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);

#endif
