/*
 * metrics: instantaneous rates from periodic readings. See metrics.h.
 */
#include "engine/metrics.h"

#define METRIC_SAMPLES 16
#define METRIC_PERIOD_MS 100

struct rate_track {
    long long samples[METRIC_SAMPLES];
    int next;
    int64_t last_ms;
    uint64_t last_total;
};

static struct rate_track tracks[METRIC_COUNT];
static int64_t last_sample_ms;

void metrics_sample(const uint64_t totals[METRIC_COUNT], int64_t now_ms)
{
    if (now_ms - last_sample_ms < METRIC_PERIOD_MS) return;
    last_sample_ms = now_ms;
    for (int m = 0; m < METRIC_COUNT; m++) {
        struct rate_track *t = &tracks[m];
        int64_t elapsed = now_ms - t->last_ms;
        long long rate = 0;
        if (t->last_ms && elapsed > 0 && totals[m] >= t->last_total)
            rate = (long long)((totals[m] - t->last_total) * 1000 / (uint64_t)elapsed);
        __atomic_store_n(&t->samples[t->next], rate, __ATOMIC_RELAXED);
        t->next = (t->next + 1) % METRIC_SAMPLES;
        t->last_ms = now_ms;
        t->last_total = totals[m];
    }
}

long long metrics_rate(enum metric m)
{
    long long sum = 0;
    for (int i = 0; i < METRIC_SAMPLES; i++)
        sum += __atomic_load_n(&tracks[m].samples[i], __ATOMIC_RELAXED);
    return sum / METRIC_SAMPLES;
}
