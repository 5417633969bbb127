/*
 * scenario_repl: the replication scenarios of tandem-bench compare. Each
 * round starts a primary and the replicas it needs, all of the kind under
 * test (tandem-server replicating from tandem-server, or redis-server from
 * redis-server), with the same arguments the other scenarios use plus
 * `--repl-diskless-sync-delay 0` on the primary (a full sync starts at
 * once, streamed without a file: Redis 7.0's default diskless sync) and
 * `--replicaof 127.0.0.1 <port>` or REPLICAOF on a replica. It measures one
 * cost of replication and stops every server before it returns.
 *
 * replication-lag: a probe thread writes a unique value on the primary and
 * polls GET on the replica until it reads it back, while an open-loop SET
 * load runs at half the throughput the pair reached in a short closed-loop
 * run. full-sync: a replica syncs a primary of millions of keys, once idle
 * and once under a closed-loop SET load, while a sampler reads the PSS of
 * the primary and every child it forks. write-with-replicas: the `set`
 * load with 0, then 1, then 2 replicas online.
 *
 * Every wait is bounded: a replica whose link does not come up, a server
 * that dies, a probe that never sees its write fails or is counted, never
 * hangs the round. Everything listens on 127.0.0.1 (bench/server.c).
 */
#define _GNU_SOURCE
#include "bench/scenario_repl.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/hist.h"
#include "bench/keydist.h"

/* How often a link's state and the primary's memory are read. */
#define REPL_POLL_MS 10
/* How long a replica may take to come up: an empty or small primary
 * (replication-lag), one of up to a million small keys
 * (write-with-replicas), a full sync of millions of keys (full-sync). */
#define REPL_LINK_SMALL_MS 10000
#define REPL_LINK_WRITE_MS 30000
#define REPL_LINK_SYNC_MS 120000
/* The probe and writer connections' bounds on connect and on each reply. */
#define REPL_CONNECT_MS 2000
#define REPL_REPLY_MS 5000
/* replication-lag: a probe not seen on the replica within 2 s is a
 * timeout; probes are 5 ms apart (a few hundred to a few thousand a
 * round); the open-loop load runs at half of what a closed-loop run of at
 * most 3 s reached. */
#define LAG_PROBE_TIMEOUT_NS 2000000000ull
#define LAG_PROBE_GAP_NS 5000000L
#define LAG_MAX_RUN_SECONDS 3.0
#define LAG_LOAD_SHARE 0.5
/* full-sync: the write load runs this long before the baseline is read,
 * so that its connections and buffers are part of the baseline. */
#define SYNC_WARMUP_MS 1000
#define SYNC_MAX_WRITERS 16
/* write-with-replicas: the largest replica count measured. */
#define WRITE_MAX_REPLICAS 2

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- progress ----------------------------------------------------------- */

struct repl_progress {
    const struct bench_options *o;
    const struct scenario *sc;
    const struct server *srv;
    int round;
    const char *phase;
};

static void repl_progress_show(const struct repl_progress *p, const char *phase)
{
    if (!p->o->progress) return;
    fprintf(stderr, "\r\033[K%s: round %d/%d %-6s %s", p->sc->name, p->round, p->o->rounds,
            p->srv->name, phase);
    fflush(stderr);
}

/* load_run's progress callback: the phase and the running throughput. */
static void repl_progress_load(void *arg, uint64_t done, double elapsed)
{
    const struct repl_progress *p = arg;

    if (!p->o->progress) return;
    fprintf(stderr, "\r\033[K%s: round %d/%d %-6s %s %5.1f s %9.0f ops/s", p->sc->name, p->round,
            p->o->rounds, p->srv->name, p->phase, elapsed,
            elapsed > 0 ? (double)done / elapsed : 0);
    fflush(stderr);
}

/* ---- servers and links -------------------------------------------------- */

/* The primary: a full sync starts as soon as a replica asks (no 5 s wait
 * for more replicas to share it) and is streamed (diskless, the default
 * of Redis 7.0 that tandem's fork-less snapshot matches). */
static int repl_start_primary(const struct bench_options *o, struct server *srv, char *err,
                              size_t errsize)
{
    const char *extra[] = {"--repl-diskless-sync-delay", "0", NULL};

    if (scenario_start_server(o, srv->kind, extra, srv, err, errsize) < 0) return -1;
    return 0;
}

/* A replica of primary, replicating from the start when follow is set,
 * else empty and waiting for a REPLICAOF. */
static int repl_start_replica(const struct bench_options *o, const struct server *primary,
                              int follow, struct server *replica, char *err, size_t errsize)
{
    char port[16];
    const char *extra[] = {"--replicaof", "127.0.0.1", port, NULL};
    char why[1024];

    snprintf(port, sizeof(port), "%d", primary->port);
    if (scenario_start_server(o, primary->kind, follow ? extra : NULL, replica, why, sizeof(why)) <
        0) {
        snprintf(err, errsize, "starting a replica: %s", why);
        return -1;
    }
    return 0;
}

/* Sends REPLICAOF 127.0.0.1 <primary's port> to replica. */
static int repl_follow(const struct server *replica, const struct server *primary, char *err,
                       size_t errsize)
{
    char port[16];
    const char *argv[] = {"REPLICAOF", "127.0.0.1", port, NULL};

    snprintf(port, sizeof(port), "%d", primary->port);
    if (server_command(replica, argv) < 0) {
        snprintf(err, errsize, "%s replica (port %d) refused REPLICAOF 127.0.0.1 %s", replica->name,
                 replica->port, port);
        return -1;
    }
    return 0;
}

/* 1 when the replica's INFO replication says master_link_status:up. */
static int repl_link_up(const struct server *replica)
{
    char status[32];

    return server_info_field(replica, "replication", "master_link_status", status,
                             sizeof(status)) == 0 &&
           strcmp(status, "up") == 0;
}

/* The number of replicas the primary lists as state=online in INFO
 * replication (slave0:ip=...,state=online,...): a replica counts from its
 * first acknowledgement after the sync, when the primary streams it every
 * write. */
static int repl_online_count(const struct server *primary, int expected)
{
    int online = 0;

    for (int i = 0; i < expected; i++) {
        char field[16], line[256];

        snprintf(field, sizeof(field), "slave%d", i);
        if (server_info_field(primary, "replication", field, line, sizeof(line)) == 0 &&
            strstr(line, "state=online") != NULL)
            online++;
    }
    return online;
}

/* Polls every 10 ms until the replica's link is up and the primary lists
 * `replicas` replicas online, or timeout_ms passes, or a server exits. The
 * error names which side never got there: the likeliest cause of a
 * failure here is a server that cannot act in its role yet. */
static int repl_wait_online(const struct server *primary, const struct server *replica,
                            int replicas, long timeout_ms, char *err, size_t errsize)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    int link = 0;

    for (;;) {
        if (server_cpu_seconds(replica) < 0 || server_cpu_seconds(primary) < 0) {
            snprintf(err, errsize, "the %s %s exited while a replica was syncing", primary->name,
                     server_cpu_seconds(primary) < 0 ? "primary" : "replica");
            return -1;
        }
        link = link || repl_link_up(replica);
        if (link && repl_online_count(primary, replicas) >= replicas) return 0;
        if (now_ns() >= deadline) break;
        sleep_ns(REPL_POLL_MS * 1000000L);
    }
    if (!link)
        snprintf(err, errsize,
                 "the %s replica (port %d) did not report master_link_status:up within %ld s",
                 replica->name, replica->port, timeout_ms / 1000);
    else
        snprintf(err, errsize,
                 "the %s primary (port %d) did not list %d replica(s) as state=online within "
                 "%ld s",
                 primary->name, primary->port, replicas, timeout_ms / 1000);
    return -1;
}

/* DBSIZE of a server, -1 when it does not answer with an integer. */
static long long repl_dbsize(const struct server *srv)
{
    const char *argv[] = {"DBSIZE", NULL};
    char text[32];

    if (server_command_text(srv, argv, text, sizeof(text)) < 0) return -1;
    return strtoll(text, NULL, 10);
}

/* The load of the scenario's fields (the `set` scenario's, for the lag and
 * write scenarios) against port, for duration seconds. */
static int repl_load_spec(const struct scenario *sc, const struct bench_options *o, int port,
                          int round, struct load_spec *spec, char *err, size_t errsize)
{
    memset(spec, 0, sizeof(*spec));
    if (load_parse_mix(sc->mix, spec->mix) < 0) {
        snprintf(err, errsize, "scenario %s: bad mix %s", sc->name, sc->mix);
        return -1;
    }
    spec->host = "127.0.0.1";
    spec->port = port;
    spec->connections = sc->connections;
    spec->threads = o->client_threads;
    spec->pipeline = sc->pipeline;
    spec->keyspace = o->keyspace ? o->keyspace : sc->keyspace;
    spec->value_size = sc->value_size;
    spec->duration = o->duration;
    spec->seed = (uint64_t)round;
    return 0;
}

/* A blocking hiredis connection whose connect and every reply are bounded,
 * for the probe and the writers (one request at a time each). */
static redisContext *repl_connect(int port, char *err, size_t errsize)
{
    struct timeval connect_tv = {.tv_sec = REPL_CONNECT_MS / 1000,
                                 .tv_usec = REPL_CONNECT_MS % 1000 * 1000};
    struct timeval reply_tv = {.tv_sec = REPL_REPLY_MS / 1000,
                               .tv_usec = REPL_REPLY_MS % 1000 * 1000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, connect_tv);

    if (c == NULL || c->err || redisSetTimeout(c, reply_tv) != REDIS_OK) {
        snprintf(err, errsize, "connect 127.0.0.1:%d: %s", port, c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    return c;
}

/* ---- replication-lag ---------------------------------------------------- */

struct lag_probe {
    pthread_t thread;
    const struct server *primary, *replica;
    atomic_int stop;
    struct hist *lag; /* nanoseconds */
    uint64_t probes, timeouts;
    int failed;
    char err[256];
};

/* One probe: SET probe:<n> <unique stamp> on the primary, then GET on the
 * replica, back to back, until it returns the stamp. The lag is from the
 * SET's reply to the reply of the GET that shows the stamp (so it includes
 * at most one GET round trip). A probe not seen within 2 s counts as a
 * timeout and is recorded as 2 s: the percentiles are then lower bounds,
 * never flattering. Returns 0, or -1 when a connection fails. */
static int lag_probe_once(struct lag_probe *p, redisContext *pc, redisContext *rc, uint64_t n)
{
    char key[48], stamp[48];
    redisReply *r;
    uint64_t acked;

    snprintf(key, sizeof(key), "probe:%llu", (unsigned long long)n);
    snprintf(stamp, sizeof(stamp), "%llu-%llu", (unsigned long long)n,
             (unsigned long long)now_ns());
    r = redisCommand(pc, "SET %s %s", key, stamp);
    if (r == NULL || r->type != REDIS_REPLY_STATUS) {
        snprintf(p->err, sizeof(p->err), "probe SET on the primary: %s",
                 r ? (r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply") : pc->errstr);
        if (r) freeReplyObject(r);
        return -1;
    }
    freeReplyObject(r);
    acked = now_ns();
    for (;;) {
        int seen;

        r = redisCommand(rc, "GET %s", key);
        if (r == NULL) {
            snprintf(p->err, sizeof(p->err), "probe GET on the replica: %s", rc->errstr);
            return -1;
        }
        seen = r->type == REDIS_REPLY_STRING && strcmp(r->str, stamp) == 0;
        freeReplyObject(r);
        uint64_t now = now_ns();
        if (seen) {
            hist_record(p->lag, now - acked);
            p->probes++;
            return 0;
        }
        if (now - acked >= LAG_PROBE_TIMEOUT_NS) {
            hist_record(p->lag, LAG_PROBE_TIMEOUT_NS);
            p->probes++;
            p->timeouts++;
            return 0;
        }
        /* The load is over: a probe cut short says nothing. */
        if (atomic_load(&p->stop)) return 0;
    }
}

/* Probes 5 ms apart until told to stop, over one connection to each
 * server of its own (the load's connections are not disturbed). */
static void *lag_probe_main(void *arg)
{
    struct lag_probe *p = arg;
    redisContext *pc = repl_connect(p->primary->port, p->err, sizeof(p->err));
    redisContext *rc = pc ? repl_connect(p->replica->port, p->err, sizeof(p->err)) : NULL;

    if (rc == NULL) goto fail;
    for (uint64_t n = 1; !atomic_load(&p->stop); n++) {
        if (lag_probe_once(p, pc, rc, n) < 0) goto fail;
        sleep_ns(LAG_PROBE_GAP_NS);
    }
    goto out;
fail:
    p->failed = 1;
out:
    if (pc) redisFree(pc);
    if (rc) redisFree(rc);
    return NULL;
}

/* A primary and one replica: the pair's closed-loop SET throughput over
 * at most 3 s, then an open-loop SET load at half of it for --duration
 * while the probe runs. ops_per_sec is what the open-loop load achieved
 * (it should be half of max_ops_per_sec). */
int scenario_repl_lag_round(const struct scenario *sc, const struct bench_options *o,
                            struct server *srv, int round, struct result *res, char *err,
                            size_t errsize)
{
    struct repl_progress prog = {.o = o, .sc = sc, .srv = srv, .round = round};
    struct server replica;
    struct lag_probe probe = {.primary = srv, .replica = &replica};
    struct load_result max_lr = {0}, lr = {0};
    struct load_spec spec;
    int probing = 0, rc = -1;

    memset(&replica, 0, sizeof(replica));
    repl_progress_show(&prog, "starting a primary and a replica");
    if (repl_start_primary(o, srv, err, errsize) < 0) goto out;
    if (repl_start_replica(o, srv, 1, &replica, err, errsize) < 0) goto out;
    if (repl_wait_online(srv, &replica, 1, REPL_LINK_SMALL_MS, err, errsize) < 0) goto out;

    if (repl_load_spec(sc, o, srv->port, round, &spec, err, errsize) < 0) goto out;
    spec.duration = o->duration / 3 < LAG_MAX_RUN_SECONDS ? o->duration / 3 : LAG_MAX_RUN_SECONDS;
    if (spec.duration < 1) spec.duration = 1;
    spec.progress = repl_progress_load;
    spec.progress_arg = &prog;
    prog.phase = "finding the max:";
    if (load_run(&spec, &max_lr, err, errsize) < 0) goto out;
    double max_ops = max_lr.seconds > 0 ? (double)max_lr.ops / max_lr.seconds : 0;
    if (max_ops <= 0) {
        snprintf(err, errsize, "the closed-loop run got no replies");
        goto out;
    }

    probe.lag = hist_new();
    if (probe.lag == NULL) {
        snprintf(err, errsize, "out of memory");
        goto out;
    }
    spec.rate = max_ops * LAG_LOAD_SHARE;
    spec.duration = o->duration;
    spec.seed = (uint64_t)round + 1000;
    prog.phase = "open loop + probes:";
    if (pthread_create(&probe.thread, NULL, lag_probe_main, &probe) != 0) {
        snprintf(err, errsize, "pthread_create failed");
        goto out;
    }
    probing = 1;
    int load_rc = load_run(&spec, &lr, err, errsize);
    atomic_store(&probe.stop, 1);
    pthread_join(probe.thread, NULL);
    probing = 0;
    if (load_rc < 0) goto out;
    if (probe.failed) {
        snprintf(err, errsize, "%s", probe.err);
        goto out;
    }
    if (!repl_link_up(&replica)) {
        snprintf(err, errsize, "the %s replica's link went down during the load", replica.name);
        goto out;
    }
    if (probe.probes == 0 || probe.timeouts == probe.probes) {
        snprintf(err, errsize, "no probe's write was seen on the %s replica (%llu probes)",
                 replica.name, (unsigned long long)probe.probes);
        goto out;
    }
    result_set(res, "ops_per_sec", lr.seconds > 0 ? (double)lr.ops / lr.seconds : 0);
    result_set(res, "max_ops_per_sec", max_ops);
    result_set(res, "load_p99_us", (double)hist_percentile(lr.latency, 99) / 1e3);
    result_set(res, "lag_p50_us", (double)hist_percentile(probe.lag, 50) / 1e3);
    result_set(res, "lag_p99_us", (double)hist_percentile(probe.lag, 99) / 1e3);
    result_set(res, "lag_max_us", (double)hist_max(probe.lag) / 1e3);
    result_set(res, "lag_probes", (double)probe.probes);
    result_set(res, "lag_timeouts", (double)probe.timeouts);
    result_set(res, "errors", (double)(lr.errors + max_lr.errors));
    rc = 0;
out:
    if (probing) {
        atomic_store(&probe.stop, 1);
        pthread_join(probe.thread, NULL);
    }
    scenario_progress_clear(o);
    hist_free(probe.lag);
    load_result_free(&max_lr);
    load_result_free(&lr);
    server_stop(&replica);
    server_stop(srv);
    return rc;
}

/* ---- full-sync ---------------------------------------------------------- */

/* A closed-loop SET load that runs until told to stop (load_run runs for a
 * fixed time; a sync takes what it takes): a few threads, one blocking
 * connection each, one request in flight, SET of a random existing key. */
struct sync_writer {
    pthread_t thread;
    redisContext *c;
    const char *value;
    size_t value_size;
    uint64_t keyspace;
    struct rng rng;
    atomic_int *stop;
    uint64_t ops, errors;
    int failed;
    char err[256];
};

struct sync_load {
    struct sync_writer w[SYNC_MAX_WRITERS];
    int started;
    atomic_int stop;
    char *value;
    uint64_t start_ns;
};

static void *sync_writer_main(void *arg)
{
    struct sync_writer *w = arg;
    char key[32];

    while (!atomic_load(w->stop)) {
        snprintf(key, sizeof(key), "key:%012llu",
                 (unsigned long long)rng_below(&w->rng, w->keyspace));
        redisReply *r = redisCommand(w->c, "SET %s %b", key, w->value, w->value_size);
        if (r == NULL) {
            snprintf(w->err, sizeof(w->err), "write load: %s", w->c->errstr);
            w->failed = 1;
            return NULL;
        }
        if (r->type == REDIS_REPLY_ERROR) w->errors++;
        freeReplyObject(r);
        w->ops++;
    }
    return NULL;
}

/* Connects every writer first (a refused connection fails here, not in a
 * thread), then starts them. */
static int sync_load_start(struct sync_load *l, const struct server *primary, int connections,
                           uint64_t keyspace, size_t value_size, uint64_t seed, char *err,
                           size_t errsize)
{
    int n = connections < SYNC_MAX_WRITERS ? connections : SYNC_MAX_WRITERS;

    l->value = malloc(value_size + 1);
    if (l->value == NULL) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    memset(l->value, 'y', value_size); /* not the fill's 'x': every SET changes a value */
    for (int i = 0; i < n; i++) {
        struct sync_writer *w = &l->w[i];

        w->c = repl_connect(primary->port, err, errsize);
        if (w->c == NULL) return -1;
        w->value = l->value;
        w->value_size = value_size;
        w->keyspace = keyspace;
        w->stop = &l->stop;
        rng_seed(&w->rng, seed * 1000003u + (uint64_t)i + 1);
    }
    l->start_ns = now_ns();
    for (; l->started < n; l->started++) {
        if (pthread_create(&l->w[l->started].thread, NULL, sync_writer_main, &l->w[l->started]) !=
            0) {
            snprintf(err, errsize, "pthread_create failed");
            return -1;
        }
    }
    return 0;
}

/* 1 when a writer has failed (its connection broke): err says why. */
static int sync_load_failed(const struct sync_load *l, char *err, size_t errsize)
{
    for (int i = 0; i < l->started; i++) {
        if (l->w[i].failed) {
            snprintf(err, errsize, "%s", l->w[i].err);
            return 1;
        }
    }
    return 0;
}

/* Stops and joins the writers and closes their connections; the load's
 * throughput and error replies go to ops_per_sec and errors when wanted.
 * Returns -1 with err when a writer's connection broke. Safe on a load
 * never started, started in part, or already stopped. */
static int sync_load_stop(struct sync_load *l, double *ops_per_sec, uint64_t *errors, char *err,
                          size_t errsize)
{
    uint64_t ops = 0, errs = 0;
    int rc = 0;

    atomic_store(&l->stop, 1);
    for (int i = 0; i < l->started; i++) pthread_join(l->w[i].thread, NULL);
    double seconds = (double)(now_ns() - l->start_ns) / 1e9;
    for (int i = 0; i < SYNC_MAX_WRITERS; i++) {
        struct sync_writer *w = &l->w[i];

        if (i < l->started && w->failed && rc == 0) {
            snprintf(err, errsize, "%s", w->err);
            rc = -1;
        }
        ops += w->ops;
        errs += w->errors;
        if (w->c) redisFree(w->c);
        w->c = NULL;
    }
    l->started = 0;
    free(l->value);
    l->value = NULL;
    if (ops_per_sec) *ops_per_sec = seconds > 0 ? (double)ops / seconds : 0;
    if (errors) *errors = errs;
    return rc;
}

/* The primary's memory while it serves a sync: the largest PSS of the
 * primary plus its children seen, sampled every 10 ms on the sampler
 * thread (read by the round only after the sampler is stopped). */
struct sync_memory {
    const struct server *primary;
    long long peak;
    uint64_t samples;
};

static void sync_memory_sample(void *arg)
{
    struct sync_memory *m = arg;
    long long now = server_pss_tree_bytes(m->primary);

    if (now > m->peak) m->peak = now;
    m->samples++;
}

struct sync_figures {
    double seconds;      /* REPLICAOF to master_link_status:up */
    double growth_bytes; /* peak PSS of primary + children - the baseline */
    double baseline_bytes;
};

/* One full sync: reads the baseline, sends REPLICAOF, samples the
 * primary's memory every 10 ms until the replica's link is up (at most
 * 120 s), and checks the replica then holds the primary's keys. The time
 * is from just before REPLICAOF is sent to the poll that saw the link up,
 * so it is at most one poll (10 ms) long. */
static int sync_measure(const struct server *primary, const struct server *replica, long long keys,
                        struct sync_figures *f, char *err, size_t errsize)
{
    struct sync_memory mem = {.primary = primary};
    long long baseline = server_pss_tree_bytes(primary);
    struct sampler *sampler;
    int rc = -1;

    if (baseline < 0) {
        snprintf(err, errsize, "cannot read the %s primary's PSS", primary->name);
        return -1;
    }
    mem.peak = baseline;
    sampler = scenario_sample_every(REPL_POLL_MS, sync_memory_sample, &mem);
    if (sampler == NULL) {
        snprintf(err, errsize, "cannot start the memory sampler");
        return -1;
    }
    uint64_t start = now_ns();
    if (repl_follow(replica, primary, err, errsize) < 0) goto out;
    if (repl_wait_online(primary, replica, 1, REPL_LINK_SYNC_MS, err, errsize) < 0) goto out;
    f->seconds = (double)(now_ns() - start) / 1e9;
    rc = 0;
out:
    scenario_sample_stop(sampler);
    sync_memory_sample(&mem); /* at least one sample, however short the sync */
    f->baseline_bytes = (double)baseline;
    f->growth_bytes = (double)(mem.peak - baseline);
    if (rc == 0) {
        long long got = repl_dbsize(replica);
        if (got != keys) {
            snprintf(err, errsize, "after the sync the %s replica holds %lld keys, not %lld",
                     replica->name, got, keys);
            rc = -1;
        }
    }
    return rc;
}

/* A primary filled with the key space (3M keys of 100 bytes), then a full
 * sync to a fresh empty replica with no load, then to another fresh one
 * while a closed-loop SET load of existing keys runs on the primary. */
int scenario_repl_full_sync_round(const struct scenario *sc, const struct bench_options *o,
                                  struct server *srv, int round, struct result *res, char *err,
                                  size_t errsize)
{
    struct repl_progress prog = {.o = o, .sc = sc, .srv = srv, .round = round};
    unsigned long long keys = o->keyspace ? o->keyspace : sc->keyspace;
    struct server replica;
    struct sync_load load;
    struct sync_figures idle = {0}, loaded = {0};
    double load_ops = 0;
    uint64_t load_errors = 0;
    char what[96];
    int rc = -1;

    memset(&replica, 0, sizeof(replica));
    memset(&load, 0, sizeof(load));
    repl_progress_show(&prog, "starting the primary");
    if (repl_start_primary(o, srv, err, errsize) < 0) goto out;
    snprintf(what, sizeof(what), "filling %llu keys", keys);
    repl_progress_show(&prog, what);
    if (load_fill("127.0.0.1", srv->port, keys, sc->value_size, err, errsize) < 0) goto out;
    if (repl_dbsize(srv) != (long long)keys) {
        snprintf(err, errsize, "after the fill the %s primary holds %lld keys, not %llu", srv->name,
                 repl_dbsize(srv), keys);
        goto out;
    }

    repl_progress_show(&prog, "full sync, idle");
    if (repl_start_replica(o, srv, 0, &replica, err, errsize) < 0) goto out;
    if (sync_measure(srv, &replica, (long long)keys, &idle, err, errsize) < 0) goto out;
    server_stop(&replica);

    repl_progress_show(&prog, "full sync under a write load");
    if (repl_start_replica(o, srv, 0, &replica, err, errsize) < 0) goto out;
    if (sync_load_start(&load, srv, sc->connections, keys, sc->value_size, (uint64_t)round, err,
                        errsize) < 0)
        goto out;
    sleep_ns(SYNC_WARMUP_MS * 1000000L);
    if (sync_load_failed(&load, err, errsize)) goto out;
    if (sync_measure(srv, &replica, (long long)keys, &loaded, err, errsize) < 0) goto out;
    if (sync_load_stop(&load, &load_ops, &load_errors, err, errsize) < 0) goto out;

    double mb = 1024.0 * 1024.0;
    result_set(res, "sync_idle_s", idle.seconds);
    result_set(res, "sync_under_load_s", loaded.seconds);
    result_set(res, "peak_mem_growth_mb", loaded.growth_bytes / mb);
    result_set(res, "idle_mem_growth_mb", idle.growth_bytes / mb);
    result_set(res, "primary_pss_mb", loaded.baseline_bytes / mb);
    result_set(res, "load_ops_per_sec", load_ops);
    result_set(res, "errors", (double)load_errors);
    rc = 0;
out:
    sync_load_stop(&load, NULL, NULL, NULL, 0);
    scenario_progress_clear(o);
    server_stop(&replica);
    server_stop(srv);
    return rc;
}

/* ---- write-with-replicas ------------------------------------------------ */

/* The `set` load against a primary with 0, then 1, then 2 replicas, each
 * started with --replicaof and online (link up on the replica, state=online
 * on the primary) before its load starts. Each load's figures carry the
 * replica count as a suffix: ops_per_sec_1r, p99_us_1r, ... */
int scenario_repl_write_round(const struct scenario *sc, const struct bench_options *o,
                              struct server *srv, int round, struct result *res, char *err,
                              size_t errsize)
{
    struct repl_progress prog = {.o = o, .sc = sc, .srv = srv, .round = round};
    struct server replicas[WRITE_MAX_REPLICAS];
    struct load_result lr = {0};
    struct load_spec spec;
    uint64_t errors = 0;
    char phase[64], name[32];
    int rc = -1;

    memset(replicas, 0, sizeof(replicas));
    repl_progress_show(&prog, "starting the primary");
    if (repl_start_primary(o, srv, err, errsize) < 0) goto out;
    if (repl_load_spec(sc, o, srv->port, round, &spec, err, errsize) < 0) goto out;
    spec.progress = repl_progress_load;
    spec.progress_arg = &prog;
    for (int n = 0; n <= WRITE_MAX_REPLICAS; n++) {
        if (n > 0) {
            struct server *replica = &replicas[n - 1];

            snprintf(phase, sizeof(phase), "starting replica %d", n);
            repl_progress_show(&prog, phase);
            if (repl_start_replica(o, srv, 1, replica, err, errsize) < 0 ||
                repl_wait_online(srv, replica, n, REPL_LINK_WRITE_MS, err, errsize) < 0)
                goto out;
        }
        snprintf(phase, sizeof(phase), "SET, %d replica%s:", n, n == 1 ? "" : "s");
        prog.phase = phase;
        spec.seed = (uint64_t)round * 10 + (uint64_t)n;
        double cpu_before = server_cpu_seconds(srv);
        if (load_run(&spec, &lr, err, errsize) < 0) goto out;
        double cpu = server_cpu_seconds(srv) - cpu_before;
        for (int i = 0; i < n; i++) {
            if (!repl_link_up(&replicas[i])) {
                snprintf(err, errsize, "replica %d's link went down during the load with %d", i + 1,
                         n);
                goto out;
            }
        }
        double ops = (double)lr.ops;
        snprintf(name, sizeof(name), "ops_per_sec_%dr", n);
        result_set(res, name, lr.seconds > 0 ? ops / lr.seconds : 0);
        snprintf(name, sizeof(name), "p50_us_%dr", n);
        result_set(res, name, (double)hist_percentile(lr.latency, 50) / 1e3);
        snprintf(name, sizeof(name), "p99_us_%dr", n);
        result_set(res, name, (double)hist_percentile(lr.latency, 99) / 1e3);
        snprintf(name, sizeof(name), "cpu_s_per_mop_%dr", n);
        result_set(res, name, ops > 0 ? cpu / ops * 1e6 : 0);
        errors += lr.errors;
        load_result_free(&lr);
    }
    result_set(res, "errors", (double)errors);
    rc = 0;
out:
    scenario_progress_clear(o);
    load_result_free(&lr);
    for (int i = WRITE_MAX_REPLICAS - 1; i >= 0; i--) server_stop(&replicas[i]);
    server_stop(srv);
    return rc;
}
