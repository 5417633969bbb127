/*
 * metrics: the instantaneous rates INFO shows (instantaneous_ops_per_sec,
 * instantaneous_input_kbps, instantaneous_output_kbps): a reading every
 * 100 ms turned into a rate, averaged over the last 16 readings, as Redis's
 * trackInstantaneousMetric does.
 *
 * One writer: worker 0's cron calls metrics_sample. Any thread may read a
 * rate (relaxed loads).
 */
#ifndef TANDEM_ENGINE_METRICS_H
#define TANDEM_ENGINE_METRICS_H

#include <stdint.h>

enum metric { METRIC_COMMANDS = 0, METRIC_NET_INPUT = 1, METRIC_NET_OUTPUT = 2, METRIC_COUNT };

/* Records the current totals (commands, input bytes, output bytes) at
 * now_ms; ignored when less than 100 ms passed since the last reading. */
void metrics_sample(const uint64_t totals[METRIC_COUNT], int64_t now_ms);
/* Mean rate per second over the kept readings. */
long long metrics_rate(enum metric m);

#endif
