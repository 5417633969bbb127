/*
 * server: process-wide state that is not configuration: identity (run id,
 * start time), statistics, the per-worker engine state, start-up and
 * shutdown. Statistics are per worker (written only by their worker without
 * atomic read-modify-write) and summed when INFO asks.
 */
#ifndef TANDEM_ENGINE_SERVER_H
#define TANDEM_ENGINE_SERVER_H

#include <stdatomic.h>
#include <stdint.h>

#include "engine/command.h"

#define TANDEM_VERSION "0.1.0"
/* The Redis version tandem is wire-compatible with (INFO redis_version). */
#define REDIS_COMPAT_VERSION "7.0.15"

struct client;

/* Distinct error codes counted for INFO errorstats (Redis: 128). */
#define ERRORSTATS_MAX 128

/* Replies with one error code ("ERR", "WRONGTYPE") sent by a worker. The
 * code is written once, before the worker publishes nerrors; counts are
 * single-writer. */
struct error_stat {
    char code[32];
    uint64_t count;
};

/* Engine state of one worker thread. Cache-line aligned: each worker
 * writes its counters on every command, so two workers must never share
 * a line. */
struct worker_state {
    int index;
    struct command_stats *cmdstats; /* command_count_all() entries */
    struct client *clients;         /* clients owned by this worker */
    uint64_t commands_processed;
    uint64_t net_input_bytes;
    uint64_t net_output_bytes;
    uint64_t keyspace_hits, keyspace_misses;
    uint64_t dirty; /* changes to the dataset (rdb_changes_since_last_save) */
    int64_t cron_last_ms;
    int nerrors; /* published with release stores */
    struct error_stat errors[ERRORSTATS_MAX];
} __attribute__((aligned(64)));

struct server_state {
    char run_id[41];
    int64_t start_time_ms;
    int64_t start_monotonic_us;
    char executable[1024];
    int hz;
    atomic_ullong next_client_id;
    atomic_ullong total_connections_received;
    atomic_ullong rejected_connections;
    atomic_llong connected_clients;
    atomic_ullong total_error_replies;
    atomic_int shutdown_requested;
    int nworkers;
    /* nworkers + 1: the last is the replication thread's (it runs the
     * primary's stream as a client, engine/replica.c) */
    int nstates;
    struct worker_state *workers;
};

extern struct server_state server;

/* The engine state of the worker running on the calling thread. */
struct worker_state *server_worker_self(void);
/* The replication thread, at its start: its statistics are the last
 * worker_state (it runs the primary's stream on a replica). */
void server_attach_service_thread(void);

/* Counter helpers for per-worker statistics (single writer). */
static inline void stat_add(uint64_t *counter, uint64_t n)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}
static inline uint64_t stat_read(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Counts an error reply under its code (the first word of the error, as
 * Redis's errorstats). Owning worker only. */
void server_count_error(struct worker_state *ws, const char *code, size_t len);

/* Starts everything from the loaded config; returns when shut down.
 * Returns the process exit status. */
int server_run(void);
/* Asks the server to shut down (signal handler safe). */
void server_request_shutdown(void);

#endif
