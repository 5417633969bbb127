/*
 * report: what a compare run prints and writes. A scenario's round yields a
 * struct result per server: named figures (ops_per_sec, p99_us,
 * cpu_s_per_mop, ...). The report prints one table (for each figure: the
 * median over rounds for tandem and for redis, and the ratio tandem/redis),
 * writes every round and the medians as CSV, and draws PNG plots with
 * gnuplot: throughput per round, and the latency percentiles.
 *
 * Thread: the compare driver only.
 */
#ifndef TANDEM_BENCH_REPORT_H
#define TANDEM_BENCH_REPORT_H

#include <stdio.h>

#define RESULT_MAX_METRICS 32

struct result_metric {
    char name[32];
    double value;
};

struct result {
    char server[16]; /* "tandem" or "redis" */
    int round;       /* 1-based */
    int nmetrics;
    struct result_metric m[RESULT_MAX_METRICS];
};

/* Sets (or replaces) a named figure; figures keep the order first set. */
void result_set(struct result *r, const char *name, double value);
/* The figure's value, or NAN when the round has no such figure. */
double result_get(const struct result *r, const char *name);

/* The table: one line per figure (in the order of the first result), the
 * median over rounds for tandem and for redis and tandem/redis; a header
 * line names the scenario, its settings (free text) and the round count. */
void report_table(FILE *out, const char *scenario, const char *settings, const struct result *rows,
                  int nrows);

/* Writes <dir>/<scenario>-rounds.csv (scenario,server,round,<figures...>,
 * one line per result) and <dir>/<scenario>-summary.csv
 * (figure,tandem,redis,ratio), creating dir when missing. Returns 0, or -1
 * with err filled in. */
int report_csv(const char *dir, const char *scenario, const struct result *rows, int nrows,
               char *err, size_t errsize);

/* Draws <dir>/<scenario>-throughput.png (ops_per_sec for each server by
 * round) and <dir>/<scenario>-latency.png (median p50, p90, p99, p99.9 and
 * max, in microseconds, for each server, log scale) with gnuplot, when the
 * rows have those figures. Returns 0, or -1 with err filled in (gnuplot
 * missing or failing). */
int report_plots(const char *dir, const char *scenario, const struct result *rows, int nrows,
                 char *err, size_t errsize);

#endif
