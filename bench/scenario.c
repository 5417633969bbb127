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
 *
 * The memory scenarios (memory-strings, memory-hashes) measure what a key
 * costs at rest instead: each round starts a fresh server, reads INFO
 * memory used_memory and RSS while it is empty, fills the key space with
 * pipelined SET or HSET, reads them again once the server is idle, and
 * reports the difference divided by the number of keys.
 */
#define _GNU_SOURCE
#include "bench/scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/hist.h"
#include "bench/scenario_repl.h"

static int scenario_memory_round(const struct scenario *sc, const struct bench_options *o,
                                 struct server *srv, int round, struct result *res, char *err,
                                 size_t errsize);

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
    {.name = "memory-strings",
     .summary = "used_memory and RSS per key after SET of 16-byte values to 1M keys, "
                "a fresh server per round",
     .mix = "set=1",
     .keyspace = 1000000,
     .value_size = 16,
     .untimed = 1,
     .round = scenario_memory_round},
    {.name = "memory-hashes",
     .summary = "used_memory and RSS per key after HSET of 4 fields with 16-byte values to 1M "
                "keys, a fresh server per round",
     .mix = "hset=1",
     .keyspace = 1000000,
     .value_size = 16,
     .fields = 4,
     .untimed = 1,
     .round = scenario_memory_round},
    {.name = "replication-lag",
     .summary = "time from a SET's reply on the primary to its visibility on a replica, under "
                "an open-loop SET load at half the pair's max, 1M keys, 50 connections",
     .mix = "set=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3,
     .round = scenario_repl_lag_round},
    {.name = "full-sync",
     .summary = "a replica's full sync of 3M keys of 100 bytes, idle and under a SET load of 4 "
                "connections: time, and the primary's memory growth (PSS with its children)",
     .mix = "set=1",
     .connections = 4,
     .pipeline = 1,
     .keyspace = 3000000,
     .value_size = 100,
     .untimed = 1,
     .round = scenario_repl_full_sync_round},
    {.name = "write-with-replicas",
     .summary = "SET of 3-byte values over 1M keys, 50 connections, no pipelining, with 0, 1 "
                "and 2 replicas online",
     .mix = "set=1",
     .connections = 50,
     .pipeline = 1,
     .keyspace = 1000000,
     .value_size = 3,
     .round = scenario_repl_write_round},
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
        fprintf(out, "  %-19s %s\n", scenarios[i].name, scenarios[i].summary);
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

void scenario_progress_clear(const struct bench_options *o)
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
    scenario_progress_clear(o);
    if (rc < 0) return -1;
    scenario_load_figures(res, &lr, cpu_after - cpu_before);
    long long rss = server_rss_bytes(srv);
    result_set(res, "rss_mb", rss > 0 ? (double)rss / (1024.0 * 1024.0) : 0);
    load_result_free(&lr);
    return 0;
}

/* ---- one round of a memory scenario ------------------------------------- */

/* A server's used_memory is read once it has stayed the same for a second:
 * after the last write both servers still finish an incremental rehash
 * (until then the old bucket array is held too) and free the fill's
 * connections. One that keeps moving is read after 10 s. */
#define MEMORY_POLL_MS 250
#define MEMORY_STEADY_MS 1000
#define MEMORY_SETTLE_MAX_MS 10000

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void memory_progress(const struct bench_options *o, const struct scenario *sc, int round,
                            const struct server *srv, const char *what)
{
    if (!o->progress) return;
    fprintf(stderr, "\r\033[K%s: round %d/%d %-6s %s", sc->name, round, o->rounds, srv->name, what);
    fflush(stderr);
}

/* An INFO field that is a whole number (used_memory). */
static int info_number(const struct server *srv, const char *section, const char *field,
                       long long *out)
{
    char text[64], *end = NULL;
    if (server_info_field(srv, section, field, text, sizeof(text)) < 0) return -1;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < 0) return -1;
    *out = v;
    return 0;
}

/* The number of keys in db 0, from INFO keyspace ("db0:keys=N,..."; no
 * line at all when it is empty). */
static long long info_keys(const struct server *srv)
{
    char text[128];
    long long keys = 0;
    if (server_info_field(srv, "keyspace", "db0", text, sizeof(text)) == 0 &&
        sscanf(text, "keys=%lld", &keys) != 1)
        return -1;
    return keys;
}

/* used_memory and RSS of an idle server, once used_memory has settled. */
static int memory_read(const struct server *srv, long long *used, long long *rss, char *err,
                       size_t errsize)
{
    long long last = -1;
    int steady_ms = 0;
    for (int waited = 0;; waited += MEMORY_POLL_MS) {
        long long now;
        if (info_number(srv, "memory", "used_memory", &now) < 0) {
            snprintf(err, errsize, "cannot read used_memory from INFO memory");
            return -1;
        }
        steady_ms = now == last ? steady_ms + MEMORY_POLL_MS : 0;
        last = now;
        if (steady_ms >= MEMORY_STEADY_MS || waited >= MEMORY_SETTLE_MAX_MS) break;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = MEMORY_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    *used = last;
    *rss = server_rss_bytes(srv);
    if (*rss < 0) {
        snprintf(err, errsize, "the server is gone");
        return -1;
    }
    return 0;
}

/* After the fill: every key is there, and a hash is still a listpack (the
 * figure is about that encoding; a server converting earlier would measure
 * something else). */
static int memory_check(const struct scenario *sc, const struct server *srv,
                        const struct load_fill_spec *fill, char *err, size_t errsize)
{
    const char *encoding_argv[] = {"OBJECT", "ENCODING", "key:000000000000", NULL};
    char encoding[64] = "";
    long long keys = info_keys(srv);
    if (keys != (long long)fill->keyspace) {
        snprintf(err, errsize, "after the fill INFO keyspace says %lld keys, not %llu", keys,
                 (unsigned long long)fill->keyspace);
        return -1;
    }
    if (fill->op != OP_HSET) return 0;
    if (server_command_text(srv, encoding_argv, encoding, sizeof(encoding)) < 0 ||
        strcmp(encoding, "listpack") != 0) {
        snprintf(err, errsize, "%s: a hash of %u fields is not a listpack (OBJECT ENCODING: %s)",
                 sc->name, fill->fields, encoding[0] ? encoding : "no reply");
        return -1;
    }
    return 0;
}

/* One round against a fresh server: empty, filled, the difference per key.
 * RSS per key is the difference of RSS likewise; it also counts pages the
 * allocator keeps and, for tandem, transparent huge pages (docs/bench.md). */
static int scenario_memory_round(const struct scenario *sc, const struct bench_options *o,
                                 struct server *srv, int round, struct result *res, char *err,
                                 size_t errsize)
{
    unsigned mix[OP_COUNT];
    struct load_fill_spec fill = {.host = "127.0.0.1",
                                  .keyspace = o->keyspace ? o->keyspace : sc->keyspace,
                                  .value_size = sc->value_size,
                                  .fields = sc->fields};
    long long used_empty, rss_empty, used_full, rss_full;
    int rc = -1;
    if (load_parse_mix(sc->mix, mix) < 0) {
        snprintf(err, errsize, "scenario %s: bad mix %s", sc->name, sc->mix);
        return -1;
    }
    fill.op = mix[OP_HSET] ? OP_HSET : OP_SET;
    memory_progress(o, sc, round, srv, "starting");
    if (scenario_start_server(o, srv->kind, NULL, srv, err, errsize) < 0) goto out;
    fill.port = srv->port;
    memory_progress(o, sc, round, srv, "reading the empty server");
    if (memory_read(srv, &used_empty, &rss_empty, err, errsize) < 0) goto out;
    memory_progress(o, sc, round, srv, "filling");
    double start = now_seconds();
    if (load_fill_keys(&fill, err, errsize) < 0) goto out;
    double seconds = now_seconds() - start;
    memory_progress(o, sc, round, srv, "reading the filled server");
    if (memory_read(srv, &used_full, &rss_full, err, errsize) < 0) goto out;
    if (memory_check(sc, srv, &fill, err, errsize) < 0) goto out;
    double keys = (double)fill.keyspace, mb = 1024.0 * 1024.0;
    result_set(res, "used_bytes_per_key", (double)(used_full - used_empty) / keys);
    result_set(res, "rss_bytes_per_key", (double)(rss_full - rss_empty) / keys);
    result_set(res, "used_memory_mb", (double)used_full / mb);
    result_set(res, "rss_mb", (double)rss_full / mb);
    result_set(res, "empty_used_memory_mb", (double)used_empty / mb);
    result_set(res, "empty_rss_mb", (double)rss_empty / mb);
    result_set(res, "fill_keys_per_sec", seconds > 0 ? keys / seconds : 0);
    rc = 0;
out:
    scenario_progress_clear(o);
    server_stop(srv);
    return rc;
}

/* ---- the comparison ----------------------------------------------------- */

static void settings_text(const struct scenario *sc, const struct bench_options *o, char *out,
                          size_t outsize)
{
    int n;
    if (sc->untimed)
        n = snprintf(out, outsize, "%s; tandem threads %d", sc->summary, o->server_threads);
    else
        n = snprintf(out, outsize, "%s; %.0f s per run, tandem threads %d, client threads %d",
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
            scenario_progress_clear(o);
            fprintf(stderr, "tandem-bench: filling %s: %s\n", srv[i].name, err);
            goto out;
        }
        scenario_progress_clear(o);
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
    /* Scenarios without throughput (the memory ones) draw no plot. */
    char png[PATH_MAX];
    snprintf(png, sizeof(png), "%s/%s-throughput.png", o->out_dir, sc->name);
    printf("results: %s/%s-*.csv", o->out_dir, sc->name);
    if (access(png, F_OK) == 0) printf(", %s/%s-*.png", o->out_dir, sc->name);
    printf("\n");
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
