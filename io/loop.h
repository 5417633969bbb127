/*
 * loop: the worker threads and their io_uring event loops.
 *
 * Each worker thread owns one io_uring ring, one listening socket per bound
 * address (SO_REUSEPORT: the kernel spreads new connections over workers),
 * a ring of provided receive buffers, and every connection accepted on it.
 * A connection never moves between workers. Everything here runs on the
 * owning worker's thread, except the functions marked "any thread".
 *
 * One loop turn: wait for completions; for each, run the handler (accept,
 * received bytes, send done, timer, wake-up); then send every connection's
 * pending output with one send/sendmsg per connection; submit and wait again.
 * The engine never makes a syscall to reply: it appends to io_conn_outbuf()
 * and the loop sends it at the end of the turn.
 *
 * io/ knows nothing of engine/: the engine plugs in through struct
 * io_handler.
 */
#ifndef TANDEM_IO_LOOP_H
#define TANDEM_IO_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "io/outbuf.h"

struct io_worker;
struct io_conn;

struct io_handler {
    /* A connection was accepted. peer is its address. Returns the engine's
     * state for the connection, or NULL to refuse it (the loop then sends
     * whatever was queued with io_conn_outbuf and closes it). */
    void *(*on_open)(struct io_worker *w, struct io_conn *c, const struct sockaddr_storage *peer);
    /* Bytes arrived. The buffer is only valid during the call: the engine
     * copies what it keeps. */
    void (*on_data)(void *conn_state, const char *data, size_t len);
    /* The connection is gone (peer closed, error, or io_conn_close). Called
     * exactly once; conn_state is not used by io/ afterwards. */
    void (*on_close)(void *conn_state);
    /* Called every tick_ms on each worker (cron: timeouts, active expiry). */
    void (*on_tick)(struct io_worker *w);
    /* Called when an alarm set with io_worker_set_alarm is due (possibly
     * for an earlier request too: check what is due). */
    void (*on_alarm)(struct io_worker *w);
    /* Called after another thread called io_worker_wake on this worker. */
    void (*on_wake)(struct io_worker *w);
    /* Called at the end of each loop turn, after the turn's callbacks and
     * before its output is sent and the loop waits again. */
    void (*on_turn_end)(struct io_worker *w);
    /* Called once on the worker thread before its loop starts / after it ends. */
    void (*on_thread_start)(struct io_worker *w);
    void (*on_thread_stop)(struct io_worker *w);
};

struct io_options {
    int nworkers;
    const int *listen_fds; /* nworkers * nlisten sockets, worker-major */
    int nlisten;
    int tick_ms;
    unsigned ring_entries; /* SQ size per worker */
    unsigned recv_buffers; /* provided buffers per worker (power of two) */
    unsigned recv_buffer_size;
    /* When set: one more loop thread, the service loop, with no listener,
     * running these callbacks (the replication thread: engine/repl.c). It
     * only has the connections handed to it (io_conn_adopt). */
    const struct io_handler *service;
};

/*
 * Creates listening sockets for every address (SO_REUSEPORT, one set per
 * worker), in the calling thread so that bind errors are reported before
 * start-up completes. An address starting with '-' is optional (skipped
 * when the address is not available, like redis-server). Returns the number
 * of sockets per worker (>0), or -1 with a message in err.
 */
int io_listen(const char *const *addrs, int naddrs, int port, int backlog, int nworkers,
              int **fds_out, char *err, size_t errsize);

/* Checks that io_uring works here (kernel support, not disabled by
 * io_uring_disabled, provided buffer rings and multishot receive available).
 * Returns 0, or -1 with a reason in err. */
int io_probe(char *err, size_t errsize);

/* Starts the workers (threads). Returns 0 or -1 with a reason in err.
 * Any thread (the main thread). */
int io_start(const struct io_options *opt, const struct io_handler *h, char *err, size_t errsize);
/* Asks every worker to stop, waits for them, frees everything. Main thread. */
void io_stop(void);

/* The workers (not counting the service loop). */
int io_worker_count(void);
/* The service loop, or NULL. */
struct io_worker *io_service_loop(void);
struct io_worker *io_worker_get(int index);
int io_worker_index(const struct io_worker *w);
/* The engine's per-worker state. */
void io_worker_set_data(struct io_worker *w, void *data);
void *io_worker_data(const struct io_worker *w);
/* The worker whose loop runs on the calling thread, or NULL. */
struct io_worker *io_worker_self(void);
/* Changes the tick period from the next tick on. Owning worker only. */
void io_worker_set_tick(struct io_worker *w, int tick_ms);
/* Owning worker only: makes the loop call on_alarm at (or just after) the
 * CLOCK_MONOTONIC time mono_ms; a later request than one pending is
 * covered by the pending one (on_alarm then asks again). */
void io_worker_set_alarm(struct io_worker *w, int64_t mono_ms);
/* Any thread: makes the worker's loop call on_wake soon. Cheap when a wake
 * is already pending. */
void io_worker_wake(struct io_worker *w);

/* Connection API: owning worker only. */
struct outbuf *io_conn_outbuf(struct io_conn *c);
/* Marks the connection as having output to send at the end of this turn
 * (needed only when writing outside on_data). */
void io_conn_mark_dirty(struct io_conn *c);
/* Closes after the pending output is sent (QUIT, protocol errors). */
void io_conn_close_after_reply(struct io_conn *c);
/* Closes now, dropping pending output. on_close runs from the loop, not
 * from inside this call. */
void io_conn_close(struct io_conn *c);
int io_conn_fd(const struct io_conn *c);
struct io_worker *io_conn_worker(const struct io_conn *c);
/* Hands the socket over instead of closing it: stops receiving (bytes
 * already received still reach on_data, until the cancel is in), sends
 * what is pending, then calls done(arg, fd) from the loop and frees the
 * connection; on_close is not called. */
void io_conn_detach(struct io_conn *c, void (*done)(void *arg, int fd), void *arg);
/* Owning worker of w: makes fd one of its connections, with its own
 * callbacks h (on_data, on_close) and state. */
struct io_conn *io_conn_adopt(struct io_worker *w, int fd, const struct io_handler *h, void *state);
/* Stops / restarts delivering received bytes (kept in the kernel meanwhile). */
void io_conn_pause_reading(struct io_conn *c);
void io_conn_resume_reading(struct io_conn *c);

#endif
