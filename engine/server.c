/*
 * server: start-up, the worker hooks, the cron and shutdown. See server.h.
 *
 * The main thread loads the configuration, creates the listening sockets
 * (so bind errors are reported before "Ready to accept connections"),
 * starts the workers and then only waits for SIGTERM/SIGINT or a SHUTDOWN
 * request. All request handling happens on the workers.
 */
#define _GNU_SOURCE
#include "engine/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/config.h"
#include "engine/effect_log.h"
#include "engine/keyspace.h"
#include "engine/info.h"
#include "engine/log.h"
#include "engine/metrics.h"
#include "engine/persist.h"
#include "engine/propagate.h"
#include "engine/pubsub.h"
#include "engine/repl.h"
#include "engine/replica.h"
#include "engine/util.h"
#include "io/loop.h"

struct server_state server;
static __thread struct worker_state *current_worker_state;

/* Share of each cron period the active expiry may use, as Redis's
 * ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC. */
#define EXPIRE_CYCLE_PERCENT 25
/* Time each cron may spend moving idle shards' resizes along (Redis: 1 ms). */
#define REHASH_CRON_US 1000

struct worker_state *server_worker_self(void)
{
    return current_worker_state;
}

void server_count_error(struct worker_state *ws, const char *code, size_t len)
{
    if (len == 0 || len >= sizeof(ws->errors[0].code)) return;
    int n = ws->nerrors;
    for (int i = 0; i < n; i++) {
        struct error_stat *e = &ws->errors[i];
        if (strncmp(e->code, code, len) == 0 && e->code[len] == '\0') {
            stat_add(&e->count, 1);
            return;
        }
    }
    if (n == ERRORSTATS_MAX) return; /* as Redis: past 128 codes, new ones are not tracked */
    memcpy(ws->errors[n].code, code, len);
    ws->errors[n].code[len] = '\0';
    stat_add(&ws->errors[n].count, 1);
    __atomic_store_n(&ws->nerrors, n + 1, __ATOMIC_RELEASE);
}

void server_request_shutdown(void)
{
    atomic_store(&server.shutdown_requested, 1);
    kill(getpid(), SIGUSR1);
}

static void worker_on_thread_start(struct io_worker *w)
{
    struct worker_state *ws = &server.workers[io_worker_index(w)];
    ws->index = io_worker_index(w);
    ws->cmdstats = mem_calloc((size_t)command_count_all(), sizeof(struct command_stats));
    io_worker_set_data(w, ws);
    current_worker_state = ws;
    effect_log_defer_notify(1);
}

/* The replication thread learns of this turn's writes once, now. */
static void worker_on_turn_end(struct io_worker *w)
{
    (void)w;
    effect_log_flush_notify();
}

void server_attach_service_thread(void)
{
    current_worker_state = &server.workers[server.nworkers];
}

static void worker_on_thread_stop(struct io_worker *w)
{
    (void)w;
    propagate_thread_exit();
}

static int cron_period_ms(void)
{
    int hz = CONFIG_READ(hz);
    if (hz < 1) hz = 1;
    return 1000 / hz;
}

/* The worker's cron: client timeouts and limits, active expiry of its share
 * of the shards, memory peak sampling. Runs every 1000/hz ms. */
static void worker_on_tick(struct io_worker *w)
{
    struct worker_state *ws = io_worker_data(w);
    int period = cron_period_ms();
    io_worker_set_tick(w, period);
    int64_t now = util_ms_now();
    client_worker_cron(w, now);
    int64_t budget_us = (int64_t)period * 1000 * EXPIRE_CYCLE_PERCENT / 100;
    /* A replica's keys expire when its primary says so (DEL). */
    if (!replica_active()) ks_active_expire(ws->index, server.nworkers, budget_us, now);
    ks_rehash_idle(ws->index, server.nworkers, REHASH_CRON_US);
    if (ws->index == 0) {
        uint64_t totals[METRIC_COUNT];
        info_totals(&totals[METRIC_COMMANDS], &totals[METRIC_NET_INPUT],
                    &totals[METRIC_NET_OUTPUT]);
        metrics_sample(totals, now);
        mem_sample();
    }
    ws->cron_last_ms = now;
}

static void worker_on_wake(struct io_worker *w)
{
    blocking_worker_wake(w);
    client_worker_wake(w);
    pubsub_worker_deliver(io_worker_index(w));
}

/* File descriptors kept for listeners, rings, eventfds and log files on top
 * of one per client (Redis reserves 32). */
#define RESERVED_FDS 32

/* Raises RLIMIT_NOFILE to maxclients + RESERVED_FDS, or as high as the hard
 * limit allows, lowering maxclients to fit when it can't (as redis-server
 * does at start-up), so accepts never fail with EMFILE below maxclients. */
static void adjust_open_files_limit(int nworkers)
{
    long long maxclients = config.maxclients;
    rlim_t reserved = (rlim_t)RESERVED_FDS + (rlim_t)nworkers * (CONFIG_MAX_BIND + 4);
    rlim_t want = (rlim_t)maxclients + reserved;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur >= want) return;
    /* Ask for both limits first (a privileged process may raise the hard
     * limit too), then settle for the hard limit. */
    rlim_t best = want;
    struct rlimit next = {.rlim_cur = want, .rlim_max = want};
    int error = 0;
    if (setrlimit(RLIMIT_NOFILE, &next) != 0) {
        error = errno;
        best = limit.rlim_max == RLIM_INFINITY ? want : limit.rlim_max;
        if (best > want) best = want;
        next.rlim_cur = best;
        next.rlim_max = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &next) != 0) best = limit.rlim_cur;
    }
    if (best >= want) {
        log_notice(
            "Increased maximum number of open files to %llu (it was originally set to %llu).",
            (unsigned long long)best, (unsigned long long)limit.rlim_cur);
        return;
    }
    long long fit = best > reserved ? (long long)(best - reserved) : 1;
    __atomic_store_n(&config.maxclients, fit, __ATOMIC_RELAXED);
    log_warning("You requested maxclients of %lld requiring at least %llu max file descriptors.",
                maxclients, (unsigned long long)want);
    log_warning("Server can't set maximum open files to %llu because of OS error: %s.",
                (unsigned long long)want, strerror(error));
    log_warning("Current maximum open files is %llu. maxclients has been reduced to %lld to "
                "compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
                (unsigned long long)best, fit);
}

static int resolve_workers(void)
{
    int n = config.threads;
    if (n <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (int)cpus : 1;
    }
    return n;
}

static void log_banner(void)
{
    log_notice("oO0OoO0OoO0Oo tandem is starting oO0OoO0OoO0Oo");
    log_notice("tandem version=%s (Redis %s compatible), bits=%d, pid=%d, just started",
               TANDEM_VERSION, REDIS_COMPAT_VERSION, (int)(sizeof(long) * 8), (int)getpid());
    if (config.config_file)
        log_notice("Configuration loaded");
    else
        log_warning("Warning: no config file specified, using the default config. In order to "
                    "specify a config file use tandem-server /path/to/tandem.conf");
}

static int write_pidfile(void)
{
    char path[1024];
    config_get_string(&config.pidfile, path, sizeof(path));
    if (!path[0]) return 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        log_warning("Failed to write PID file: %s", strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return 0;
}

static void remove_pidfile(void)
{
    char path[1024];
    config_get_string(&config.pidfile, path, sizeof(path));
    if (path[0]) unlink(path);
}

/* Blocks the signals the main thread waits for, before any thread exists,
 * so that they are delivered to the main thread only. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void wait_for_shutdown(const sigset_t *set)
{
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(set, &info);
        if (sig == SIGTERM || sig == SIGINT) {
            log_warning("Received %s scheduling shutdown...",
                        sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
        if (sig == SIGUSR1 && atomic_load(&server.shutdown_requested)) return;
    }
}

static void server_identity_init(void)
{
    util_random_hex(server.run_id, 40);
    server.run_id[40] = '\0';
    server.start_time_ms = util_ms_now();
    server.start_monotonic_us = util_monotonic_us();
    atomic_store(&server.next_client_id, 1);
    ssize_t n = readlink("/proc/self/exe", server.executable, sizeof(server.executable) - 1);
    if (n > 0) server.executable[n] = '\0';
}

int server_run(void)
{
    char err[512];
    sigset_t signals;

    log_set_level((enum log_level)config.loglevel);
    if (log_open(config.logfile) < 0) {
        fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
        return 1;
    }
    server_identity_init();
    log_banner();
    if (io_probe(err, sizeof(err)) < 0) {
        log_warning("Fatal: %s", err);
        return 1;
    }
    block_signals(&signals);
    command_table_init();
    ks_init(config.databases);

    server.nworkers = resolve_workers();
    pubsub_init(server.nworkers);
    adjust_open_files_limit(server.nworkers);
    server.nstates = server.nworkers + 1;
    server.workers = mem_calloc_aligned(64, (size_t)server.nstates * sizeof(struct worker_state));
    /* The replication thread's statistics exist before any thread runs
     * (workers read every state's table for INFO and CONFIG RESETSTAT). */
    struct worker_state *service = &server.workers[server.nworkers];
    service->index = server.nworkers;
    service->cmdstats = mem_calloc((size_t)command_count_all(), sizeof(struct command_stats));
    int *fds = NULL;
    int nlisten = io_listen((const char *const *)config.bind, config.bind_count, config.port,
                            config.tcp_backlog, server.nworkers, &fds, err, sizeof(err));
    if (nlisten < 0) {
        log_warning("%s", err);
        log_warning("Failed listening on port %d (TCP), aborting.", config.port);
        return 1;
    }
    write_pidfile();
    log_notice("Running mode=standalone, port=%d, worker threads=%d.", config.port,
               server.nworkers);
    log_notice("Server initialized");
    if (persist_load_at_startup() != 0) {
        for (int i = 0; i < server.nworkers * nlisten; i++) close(fds[i]);
        free(fds);
        remove_pidfile();
        return 1;
    }

    struct io_handler handler = {
        .on_open = client_on_open,
        .on_data = client_on_data,
        .on_close = client_on_close,
        .on_tick = worker_on_tick,
        .on_wake = worker_on_wake,
        .on_alarm = blocking_worker_alarm,
        .on_thread_start = worker_on_thread_start,
        .on_thread_stop = worker_on_thread_stop,
        .on_turn_end = worker_on_turn_end,
    };
    struct io_options opt = {
        .nworkers = server.nworkers,
        .listen_fds = fds,
        .nlisten = nlisten,
        .tick_ms = cron_period_ms(),
        .service = repl_service_handler(),
        .ring_entries = 4096,
        .recv_buffers = 512,
        .recv_buffer_size = 16384,
    };
    repl_init();
    if (io_start(&opt, &handler, err, sizeof(err)) < 0) {
        log_warning("Fatal: can't start the worker threads: %s", err);
        return 1;
    }
    log_notice("Ready to accept connections");

    wait_for_shutdown(&signals);
    log_warning("User requested shutdown...");
    io_stop();
    for (int i = 0; i < server.nworkers * nlisten; i++) close(fds[i]);
    free(fds);
    remove_pidfile();
    log_warning("tandem is now ready to exit, bye bye...");
    return 0;
}
