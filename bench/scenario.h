/*
 * scenario: what tandem-bench compare runs. A scenario names a load (the
 * command mix, connections, pipelining, key space, value size) and whether
 * the key space is filled first; the compare driver starts redis-server and
 * tandem-server side by side with the same settings, runs the scenario
 * against each in turn for several rounds (A B A B ...), and reports every
 * figure for both with the ratio tandem/redis.
 *
 * A scenario that needs more than one load against one server (several
 * servers, a replica, a crash) sets `round` instead: it gets both servers'
 * kinds and binaries and fills in the round's figures itself, starting what
 * it needs with bench/server.h and sampling it while it runs (see
 * scenario_sample_every). The memory scenarios are such: each round starts
 * a fresh server, fills the key space and reads INFO memory before and
 * after.
 *
 * Thread: the driver's thread; a round function may start load and
 * sampler threads of its own and must join them before it returns.
 */
#ifndef TANDEM_BENCH_SCENARIO_H
#define TANDEM_BENCH_SCENARIO_H

#include <stdio.h>

#include "bench/load.h"
#include "bench/report.h"
#include "bench/server.h"

struct bench_options {
    const char *tandem_binary; /* tandem-server to run */
    const char *redis_binary;  /* redis-server to run (NULL: from PATH) */
    const char *out_dir;       /* where CSV and PNG files go */
    double duration;           /* seconds of load per server per round */
    int rounds;
    int server_threads;          /* tandem-server's worker threads */
    int client_threads;          /* load threads */
    int progress;                /* one live status line on stderr */
    unsigned long long keyspace; /* overrides the scenario's key space when not 0 */
};

struct scenario;

/* One round against one server: fills res (server name and round are set)
 * and returns 0, or -1 with err. */
typedef int (*scenario_round_fn)(const struct scenario *sc, const struct bench_options *o,
                                 struct server *srv, int round, struct result *res, char *err,
                                 size_t errsize);

struct scenario {
    const char *name;
    const char *summary;
    const char *mix; /* load_parse_mix text */
    int connections;
    int pipeline;
    unsigned long long keyspace;
    double zipf_theta;
    unsigned value_size;
    unsigned fields;         /* memory scenarios: field-value pairs per hash */
    int fill;                /* write every key once before the first round */
    int untimed;             /* runs no timed load: --duration, --client-threads do not apply */
    scenario_round_fn round; /* NULL: one load of the fields above */
};

const struct scenario *scenario_find(const char *name);
/* Every scenario in table order (compare --scenario all). */
const struct scenario *scenario_first(void);
const struct scenario *scenario_next(const struct scenario *sc);
void scenario_list(FILE *out);

/* Runs the comparison: prints the table on stdout, writes the CSV and the
 * PNGs under o->out_dir. Returns 0, or -1 after printing why on stderr. */
int scenario_compare(const struct scenario *sc, const struct bench_options *o);

/* Clears the live status line (when o->progress). */
void scenario_progress_clear(const struct bench_options *o);

/* The standard figures of one load run against srv: ops_per_sec, p50_us,
 * p90_us, p99_us, p999_us, max_us, errors, and the server's CPU seconds per
 * million operations (cpu_s_per_mop) and resident memory (rss_mb). */
void scenario_load_figures(struct result *res, const struct load_result *lr, double cpu_seconds);

/* Starts a server of the given kind with o's binaries and threads and any
 * extra "--name value" arguments (NULL-terminated, may be NULL): what a
 * round function uses to start a primary and its replicas. */
int scenario_start_server(const struct bench_options *o, enum server_kind kind,
                          const char *const *extra, struct server *srv, char *err, size_t errsize);

/* Calls fn(arg) every interval_ms on a thread of its own until the returned
 * handle is given to scenario_sample_stop: for scenarios that watch INFO or
 * /proc while a load runs. */
struct sampler;
struct sampler *scenario_sample_every(int interval_ms, void (*fn)(void *arg), void *arg);
void scenario_sample_stop(struct sampler *s);

#endif
