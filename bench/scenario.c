/*
 * scenario: the scenarios of tandem-bench and the compare driver that runs
 * one of them against redis-server and tandem-server side by side.
 *
 * The driver keeps both servers up for the whole comparison, fills the key
 * space once on each when the scenario reads data, and then alternates:
 * round 1 tandem then redis, round 2 tandem then redis, and so on, so that
 * whatever else the machine is doing falls on both alike. Each run's
 * figures come from the load generator (throughput, latency percentiles)
 * and from /proc (the server's CPU seconds per million operations, its
 * resident memory): efficiency stays visible even when the client, not the
 * server, is what limits throughput.
 */
#define _GNU_SOURCE
#include "bench/scenario.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/hist.h"

static const struct scenario scenarios[] = {
    {.name = "set",
     .summary = "SET of 3-byte values over 1M keys, 50 connections, no pipelining",
     .mix = "set=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3},
    {.name = "get",
     .summary = "GET over 1M existing keys, 50 connections, no pipelining",
     .mix = "get=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3,
     .fill = 1},
    {.name = "mixed",
     .summary = "80% GET, 20% SET over 1M keys, 50 connections, no pipelining",
     .mix = "get=80,set=20",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3,
     .fill = 1},
    {.name = "pipeline",
     .summary = "80% GET, 20% SET over 1M keys, 50 connections, 16 requests in flight each",
     .mix = "get=80,set=20",
     .connections = 50,
     .pipeline = 16,
     .keyspace = 1000000,
     .value_size = 3,
     .fill = 1},
    {.name = "large-values",
     .summary = "50% GET, 50% SET of 16 KiB values over 10,000 keys, 50 connections",
     .mix = "get=50,set=50",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 10000,
     .value_size = 16384,
     .fill = 1},
    {.name = "lpush",
     .summary = "LPUSH of 3-byte values into 1,000 lists, 50 connections, no pipelining",
     .mix = "lpush=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000,
     .value_size = 3},
    {.name = "hset",
     .summary = "HSET of 3-byte values, 16 fields per hash, 100,000 hashes, 50 connections",
     .mix = "hset=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 100000,
     .value_size = 3},
    {.name = "zadd",
     .summary = "ZADD of random scores, 16 members per sorted set, 100,000 sets, 50 connections",
     .mix = "zadd=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 100000,
     .value_size = 3},
    {.name = "mixed-types",
     .summary = "40% GET, 10% SET, 10% INCR, 15% LPUSH, 15% HSET, 10% ZADD over 100,000 keys of "
                "each type, 50 connections",
     .mix = "get=40,set=10,incr=10,lpush=15,hset=15,zadd=10",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 100000,
     .value_size = 3,
     .fill = 1},
    {.name = "many-clients",
     .summary = "80% GET, 20% SET over 1M keys, 1,000 connections, no pipelining",
     .mix = "get=80,set=20",
     .connections = 1000,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3,
     .fill = 1},
};

const struct scenario *scenario_find(const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (strcmp(scenarios[i].name, name) == 0) return &scenarios[i];
    return NULL;
}

const struct scenario *scenario_first(void)
{
    return &scenarios[0];
}

const struct scenario *scenario_next(const struct scenario *sc)
{
    size_t i = (size_t)(sc - scenarios) + 1;
    return i < sizeof(scenarios) / sizeof(scenarios[0]) ? &scenarios[i] : NULL;
}

void scenario_list(FILE *out)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        fprintf(out, "  %-14s %s\n", scenarios[i].name, scenarios[i].summary);
}

/* ---- figures ------------------------------------------------------------ */

void scenario_load_figures(struct result *res, const struct load_result *lr, double cpu_seconds)
{
    double ops = (double)lr->ops;
    result_set(res, "ops_per_sec", lr->seconds > 0 ? ops / lr->seconds : 0);
    result_set(res, "p50_us", (double)hist_percentile(lr->latency, 50) / 1e3);
    result_set(res, "p90_us", (double)hist_percentile(lr->latency, 90) / 1e3);
    result_set(res, "p99_us", (double)hist_percentile(lr->latency, 99) / 1e3);
    result_set(res, "p999_us", (double)hist_percentile(lr->latency, 99.9) / 1e3);
    result_set(res, "max_us", (double)hist_max(lr->latency) / 1e3);
    result_set(res, "cpu_s_per_mop", ops > 0 ? cpu_seconds / ops * 1e6 : 0);
    result_set(res, "errors", (double)lr->errors);
}

/* ---- progress ----------------------------------------------------------- */

struct progress {
    const struct bench_options *o;
    const char *scenario, *server;
    int round;
};

static void progress_show(void *arg, uint64_t done, double elapsed)
{
    const struct progress *p = arg;
    if (!p->o->progress) return;
    fprintf(stderr, "\r\033[K%s: round %d/%d %-6s %5.1f/%.0f s  %9.0f ops/s", p->scenario, p->round,
            p->o->rounds, p->server, elapsed, p->o->duration,
            elapsed > 0 ? (double)done / elapsed : 0);
    fflush(stderr);
}

static void progress_clear(const struct bench_options *o)
{
    if (!o->progress) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

/* ---- one round of a load scenario --------------------------------------- */

static int scenario_spec(const struct scenario *sc, const struct bench_options *o,
                         struct load_spec *spec, char *err, size_t errsize)
{
    memset(spec, 0, sizeof(*spec));
    if (load_parse_mix(sc->mix, spec->mix) < 0) {
        snprintf(err, errsize, "scenario %s: bad mix %s", sc->name, sc->mix);
        return -1;
    }
    spec->host = "127.0.0.1";
    spec->connections = sc->connections;
    spec->threads = o->client_threads;
    spec->pipeline = sc->pipeline;
    spec->keyspace = o->keyspace ? o->keyspace : sc->keyspace;
    spec->zipf_theta = sc->zipf_theta;
    spec->value_size = sc->value_size;
    spec->duration = o->duration;
    return 0;
}

static int scenario_load_round(const struct scenario *sc, const struct bench_options *o,
                               struct server *srv, int round, struct result *res, char *err,
                               size_t errsize)
{
    struct load_spec spec;
    if (scenario_spec(sc, o, &spec, err, errsize) < 0) return -1;
    struct progress p = {.o = o, .scenario = sc->name, .server = srv->name, .round = round};
    spec.port = srv->port;
    spec.seed = (uint64_t)round;
    spec.progress = progress_show;
    spec.progress_arg = &p;

    struct load_result lr;
    double cpu_before = server_cpu_seconds(srv);
    int rc = load_run(&spec, &lr, err, errsize);
    double cpu_after = server_cpu_seconds(srv);
    progress_clear(o);
    if (rc < 0) return -1;
    scenario_load_figures(res, &lr, cpu_after - cpu_before);
    long long rss = server_rss_bytes(srv);
    result_set(res, "rss_mb", rss > 0 ? (double)rss / (1024.0 * 1024.0) : 0);
    load_result_free(&lr);
    return 0;
}

/* ---- the comparison ----------------------------------------------------- */

static void settings_text(const struct scenario *sc, const struct bench_options *o, char *out,
                          size_t outsize)
{
    int n = snprintf(out, outsize, "%s; %.0f s per run, tandem threads %d, client threads %d",
                     sc->summary, o->duration, o->server_threads, o->client_threads);
    if (o->keyspace && n > 0 && (size_t)n < outsize)
        snprintf(out + n, outsize - (size_t)n, ", key space %llu", o->keyspace);
}

int scenario_start_server(const struct bench_options *o, enum server_kind kind,
                          const char *const *extra, struct server *srv, char *err, size_t errsize)
{
    if (kind == SERVER_TANDEM)
        return server_start(srv, kind, o->tandem_binary, o->server_threads, extra, err, errsize);
    return server_start(srv, kind, o->redis_binary, 0, extra, err, errsize);
}

static int servers_start(struct server srv[2], const struct bench_options *o)
{
    char err[512];
    if (scenario_start_server(o, SERVER_TANDEM, NULL, &srv[0], err, sizeof(err)) < 0 ||
        scenario_start_server(o, SERVER_REDIS, NULL, &srv[1], err, sizeof(err)) < 0) {
        fprintf(stderr, "tandem-bench: %s\n", err);
        return -1;
    }
    return 0;
}

int scenario_compare(const struct scenario *sc, const struct bench_options *o)
{
    struct server srv[2];
    memset(srv, 0, sizeof(srv));
    int nrows = 0, rc = -1;
    struct result *rows = calloc((size_t)o->rounds * 2, sizeof(*rows));
    char err[512], settings[512];
    if (!rows) return -1;
    scenario_round_fn round_fn = sc->round ? sc->round : scenario_load_round;
    if (!sc->round && servers_start(srv, o) < 0) goto out;
    for (int i = 0; i < 2 && sc->fill && !sc->round; i++) {
        if (o->progress) fprintf(stderr, "\r\033[K%s: filling %s", sc->name, srv[i].name);
        if (load_fill("127.0.0.1", srv[i].port, o->keyspace ? o->keyspace : sc->keyspace,
                      sc->value_size, err, sizeof(err)) < 0) {
            progress_clear(o);
            fprintf(stderr, "tandem-bench: filling %s: %s\n", srv[i].name, err);
            goto out;
        }
        progress_clear(o);
    }
    for (int round = 1; round <= o->rounds; round++) {
        for (int i = 0; i < 2; i++) {
            struct result *res = &rows[nrows];
            memset(res, 0, sizeof(*res));
            snprintf(res->server, sizeof(res->server), "%s", i == 0 ? "tandem" : "redis");
            res->round = round;
            if (sc->round) {
                srv[i].kind = i == 0 ? SERVER_TANDEM : SERVER_REDIS;
                srv[i].name = res->server;
            }
            if (round_fn(sc, o, &srv[i], round, res, err, sizeof(err)) < 0) {
                fprintf(stderr, "tandem-bench: %s, round %d, %s: %s\n", sc->name, round,
                        res->server, err);
                goto out;
            }
            nrows++;
        }
    }
    settings_text(sc, o, settings, sizeof(settings));
    report_table(stdout, sc->name, settings, rows, nrows);
    fflush(stdout);
    if (report_csv(o->out_dir, sc->name, rows, nrows, err, sizeof(err)) < 0 ||
        report_plots(o->out_dir, sc->name, rows, nrows, err, sizeof(err)) < 0) {
        fprintf(stderr, "tandem-bench: %s\n", err);
        goto out;
    }
    printf("results: %s/%s-*.csv, %s/%s-*.png\n", o->out_dir, sc->name, o->out_dir, sc->name);
    rc = 0;
out:
    server_stop(&srv[0]);
    server_stop(&srv[1]);
    free(rows);
    return rc;
}

/* ---- sampling ----------------------------------------------------------- */

struct sampler {
    pthread_t thread;
    atomic_int stop;
    int interval_ms;
    void (*fn)(void *arg);
    void *arg;
};

static void *sampler_main(void *arg)
{
    struct sampler *s = arg;
    while (!atomic_load(&s->stop)) {
        s->fn(s->arg);
        struct timespec pause = {.tv_sec = s->interval_ms / 1000,
                                 .tv_nsec = (long)(s->interval_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

struct sampler *scenario_sample_every(int interval_ms, void (*fn)(void *arg), void *arg)
{
    struct sampler *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->interval_ms = interval_ms > 0 ? interval_ms : 1;
    s->fn = fn;
    s->arg = arg;
    if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void scenario_sample_stop(struct sampler *s)
{
    if (!s) return;
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    free(s);
}
