/*
 * hist: the latency histogram the load threads record into.
 *
 * The layout is log-linear, as in Gil Tene's HdrHistogram. Values below 256
 * each have a bucket of their own. Above that, every power of two
 * [2^m, 2^(m+1)) is cut into 128 equal sub-buckets of width 2^(m-7), so a
 * bucket is never wider than 1/128 of the values in it: reporting any value
 * of the bucket is within 0.8% of what was recorded. Powers up to 2^39 are
 * kept, which puts the top at 2^40 - 1 ns (about 18 minutes); larger values
 * are clamped to it. That is 4352 counters, one fixed array allocated by
 * hist_new, so hist_record is an index computation and two compares.
 *
 * Besides the buckets the histogram keeps the exact count, sum, minimum and
 * maximum, so min, max and mean carry no bucket error at all.
 */
#include "bench/hist.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define HIST_SUB_BITS 7                      /* 128 sub-buckets per power of two */
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS) /* 128 */
#define HIST_TOP_POWER 40                    /* values stop below 2^40 */
#define HIST_VALUE_MAX ((UINT64_C(1) << HIST_TOP_POWER) - 1)
/* Index of the first bucket of power m (m >= 7) is (m - 6) * 128, so the
 * last power, m = 39, ends at (39 - 6 + 1) * 128. */
#define HIST_BUCKETS ((HIST_TOP_POWER - HIST_SUB_BITS + 1) * HIST_SUB_COUNT)

struct hist {
    uint64_t count;
    uint64_t sum; /* ns; overflows only after 584 years of summed latency */
    uint64_t min;
    uint64_t max;
    uint64_t buckets[HIST_BUCKETS];
};

/* Maps a value (already clamped) to its bucket. For a value whose highest
 * set bit is m, the top 8 bits (v >> (m - 7)) are 128..255 and pick the
 * sub-bucket; powers are laid out 128 buckets apart. Values below 256 come
 * out of the same formula as themselves, so they are taken directly. */
static unsigned hist_bucket_of(uint64_t value)
{
    unsigned power, shift;

    if (value < 2 * HIST_SUB_COUNT) return (unsigned)value;
    power = 63u - (unsigned)__builtin_clzll(value);
    shift = power - HIST_SUB_BITS;
    return ((power - 6u) << HIST_SUB_BITS) + (unsigned)(value >> shift) - HIST_SUB_COUNT;
}

/* The largest value that falls in a bucket: the inverse of hist_bucket_of,
 * taken at the bucket's upper edge. Percentiles report this edge, so they
 * never understate a latency. */
static uint64_t hist_bucket_top(unsigned bucket)
{
    unsigned group, shift;
    uint64_t low;

    if (bucket < 2 * HIST_SUB_COUNT) return bucket;
    group = bucket >> HIST_SUB_BITS; /* power - 6 */
    shift = group - 1;               /* power - 7 */
    low = (uint64_t)(HIST_SUB_COUNT + (bucket & (HIST_SUB_COUNT - 1))) << shift;
    return low + (UINT64_C(1) << shift) - 1;
}

struct hist *hist_new(void)
{
    struct hist *h = malloc(sizeof(*h));

    if (h) hist_reset(h);
    return h;
}

void hist_free(struct hist *h)
{
    free(h);
}

/* Empties the histogram without giving back its memory, so a load thread
 * can reuse one histogram from one measurement window to the next. */
void hist_reset(struct hist *h)
{
    h->count = 0;
    h->sum = 0;
    h->min = UINT64_MAX;
    h->max = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) h->buckets[i] = 0;
}

/* The hot path of every load thread: no allocation, no branch beyond the
 * clamp and the min/max updates. A clamped value is recorded as the top
 * value everywhere (bucket, sum, max), so the figures stay consistent. */
void hist_record(struct hist *h, uint64_t value)
{
    if (value > HIST_VALUE_MAX) value = HIST_VALUE_MAX;
    h->buckets[hist_bucket_of(value)]++;
    h->count++;
    h->sum += value;
    if (value < h->min) h->min = value;
    if (value > h->max) h->max = value;
}

/* Both histograms share one layout, so merging is adding counters; the
 * result is exactly what recording every value into one would have given. */
void hist_merge(struct hist *into, const struct hist *from)
{
    if (from->count == 0) return;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) into->buckets[i] += from->buckets[i];
    into->count += from->count;
    into->sum += from->sum;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

uint64_t hist_count(const struct hist *h)
{
    return h->count;
}

uint64_t hist_min(const struct hist *h)
{
    return h->count ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
    return h->max;
}

double hist_mean(const struct hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

/* How many of the smallest values percentile p must cover: ceil(p% of
 * count), at least one. p / 100 * count is rarely exact in binary (99.9% of
 * 1000 comes out as 999.0000000000001), so a relative hair is taken off
 * before rounding up, or such a rank would be one too many. */
static uint64_t hist_rank_for(const struct hist *h, double p)
{
    double want = p / 100.0 * (double)h->count;
    uint64_t rank;

    want -= want * 8 * DBL_EPSILON;
    rank = (uint64_t)ceil(want);
    if (rank < 1) rank = 1;
    if (rank > h->count) rank = h->count;
    return rank;
}

/* Walks the buckets until they hold enough values, then reports that
 * bucket's upper edge: the true percentile lies in the bucket, so the edge
 * is at most one bucket width (under 0.8%) above it. The edge is clipped to
 * the exact maximum, which also makes p = 100 report the maximum exactly. */
uint64_t hist_percentile(const struct hist *h, double p)
{
    uint64_t rank, seen = 0, top;

    if (h->count == 0) return 0;
    if (!(p > 0)) return h->min; /* p <= 0 or NaN: the smallest value */
    rank = hist_rank_for(h, p > 100 ? 100 : p);
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            top = hist_bucket_top(i);
            return top < h->max ? top : h->max;
        }
    }
    return h->max; /* not reached: the buckets add up to count */
}
