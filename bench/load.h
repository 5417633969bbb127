/*
 * load: the load generator. N connections spread over M threads, each
 * thread with its own epoll loop; every connection keeps `pipeline`
 * requests in flight (closed loop), or sends on a schedule that adds up to
 * a target rate (open loop). Requests are drawn from a command mix over a
 * key space with a uniform or Zipfian distribution; each request's latency
 * goes into the thread's histogram: from when it was written in closed
 * loop, from when it was due in open loop (so a stalled server shows up as
 * latency rather than as fewer requests sent).
 *
 * Thread: load_run is called by the driver and returns once its threads
 * are joined; the progress callback runs on the driver's thread.
 */
#ifndef TANDEM_BENCH_LOAD_H
#define TANDEM_BENCH_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bench/hist.h"

enum load_op { OP_SET, OP_GET, OP_INCR, OP_LPUSH, OP_HSET, OP_ZADD, OP_COUNT };

struct load_spec {
    const char *host; /* "127.0.0.1" */
    int port;
    int connections; /* total, spread over the threads */
    int threads;
    int pipeline;           /* requests in flight per connection (closed loop) */
    unsigned mix[OP_COUNT]; /* relative weights; all zero means SET only */
    uint64_t keyspace;      /* keys key:000000000000 .. keyspace-1 */
    double zipf_theta;      /* 0: uniform; else Zipfian with this skew */
    size_t value_size;      /* bytes of each SET/LPUSH/HSET value */
    uint64_t requests;      /* stop after this many replies (0: use duration) */
    double duration;        /* seconds, when requests is 0 */
    double rate;            /* target ops/s in total (0: closed loop) */
    uint64_t seed;          /* for the key and command draws */
    /* Called about four times a second with the replies so far (may be NULL). */
    void (*progress)(void *arg, uint64_t done, double elapsed);
    void *progress_arg;
};

struct load_result {
    uint64_t ops;         /* replies received */
    uint64_t errors;      /* error replies among them */
    double seconds;       /* from the first request to the last reply */
    struct hist *latency; /* nanoseconds, every reply; owned by the result */
};

/* Parses "set=20,get=80" (names: set get incr lpush hset zadd) into weights.
 * Returns 0, or -1 on an unknown name or bad number. */
int load_parse_mix(const char *text, unsigned mix[OP_COUNT]);

/* Runs the load. Returns 0 with out filled in, or -1 with err filled in
 * (cannot connect, connection lost, protocol error). A run that loses a
 * connection part way fails: figures from a broken run would mislead. */
int load_run(const struct load_spec *spec, struct load_result *out, char *err, size_t errsize);
void load_result_free(struct load_result *r);

/* Writes every key of the key space once (SET, value_size bytes), pipelined
 * over a few connections, so reads find data. Returns 0 or -1 with err. */
int load_fill(const char *host, int port, uint64_t keyspace, size_t value_size, char *err,
              size_t errsize);

/* What load_fill_keys writes: one request per key key:000000000000 ..
 * keyspace-1, values of value_size bytes of 'x' (as redis-benchmark -d). */
struct load_fill_spec {
    const char *host;
    int port;
    enum load_op op; /* OP_SET: SET key value; OP_HSET: HSET key field:00 value field:01 ... */
    uint64_t keyspace;
    size_t value_size;
    unsigned fields; /* OP_HSET: field-value pairs per key (at least 1) */
};

/* load_fill for SET or HSET: 4 connections, each sending batches of 1,000
 * pipelined requests. Returns 0 once every key is written, or -1 with err (an error
 * reply to any request fails the fill). */
int load_fill_keys(const struct load_fill_spec *spec, char *err, size_t errsize);

#endif
