/*
 * blocking: clients blocked on keys (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
 * BZPOPMIN BZPOPMAX BZMPOP), served in the order they blocked, whatever
 * worker they and the writers run on. A blocked client never blocks its
 * worker: the worker goes on serving its other clients.
 *
 * A blocked client is one struct blocker, owned by the client's worker and
 * linked into a FIFO per key it waits for. The FIFOs live in their key's
 * shard (shard->blocked: key -> queue) and are only touched under that
 * shard's lock, the lock every write to the key holds. A client registers
 * while its command holds the locks of all its keys, so a push either came
 * first (and the command popped instead of blocking) or finds the waiter.
 *
 * Serving. A waited-for key gains elements only by being created (it was
 * missing, or of another type, when its waiters blocked): when a list or a
 * sorted set is added under a key with waiters, the keyspace calls
 * blocking_signal_key, which records the key as ready in a list of the
 * calling thread. At the end of the command, or of the whole EXEC, still
 * holding its locks, that thread serves the waiters of each ready key in
 * FIFO order, popping for each exactly as its own command would and
 * writing its reply into the blocker; so no client ever sees the pushed
 * elements before the waiters got theirs, as with Redis's single thread.
 * A BLMOVE waiter needs its destination's shard too: when the command does
 * not hold it, the key is served right after the command's locks are
 * released, with both shards locked in order.
 *
 * Exactly one of "served", "timed out", "CLIENT UNBLOCK" and "connection
 * closed" happens to a blocker, decided by one compare-and-swap of its
 * state, so they may race from any threads. The winner hands the blocker
 * to its owner worker through a lock-free inbox (and a wake-up); the owner
 * delivers the reply, unlinks the blocker from its keys' queues (one shard
 * lock at a time) and runs what the client sent meanwhile (kept in its
 * query buffer: a blocked client's commands wait, as in Redis). The owner
 * keeps its blockers' deadlines in a heap and times them out on an io
 * alarm (io_worker_set_alarm), to the millisecond.
 *
 * Threads: blocking_block on the client's worker, inside the command;
 * blocking_signal_key under the key's shard lock, any thread;
 * blocking_serve_* on the thread that ran the command; blocking_unblock
 * under registry_lock, any worker; the blocking_worker_* and
 * blocking_client_gone functions on the owner worker, holding no shard
 * lock.
 */
#ifndef TANDEM_ENGINE_BLOCKING_H
#define TANDEM_ENGINE_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "engine/command.h"
#include "engine/keyspace.h"

struct client;
struct io_worker;

/* What a waiter pops when served (its command's non-blocking form). */
struct block_spec {
    enum value_type type; /* TYPE_LIST or TYPE_ZSET: keys of another type are skipped */
    int where;            /* list: enum quicklist_end; sorted set: 0 lowest, 1 highest */
    /* 0: one element, replied [key, element...] (BLPOP, BZPOPMIN);
     * > 0: up to count, replied [key, [elements]] (BLMPOP, BZMPOP) */
    long count;
    const struct resp_arg *dst; /* BLMOVE, BRPOPLPUSH: the destination list, else NULL */
    int dst_where;              /* the destination's end */
    int rpoplpush;              /* BRPOPLPUSH: propagated as RPOPLPUSH, not LMOVE */
};

/* Blocks the running command's client on keys (duplicates are ignored)
 * until one of them can be served, timeout_ms passes (0: forever) or it is
 * unblocked. The command holds every key's shard lock and replies nothing:
 * the reply comes when the client is served. */
void blocking_block(struct cmdctx *ctx, const struct resp_arg *keys, int nkeys,
                    const struct block_spec *spec, long long timeout_ms);

/* BLPOP and its kind, LMPOP and ZMPOP: pops for spec from the first of
 * keys that exists (WRONGTYPE if it is not of spec's type); when none
 * does, blocks on them all, or replies the nil array when it may not block
 * (may_block 0, or inside EXEC: Redis's CLIENT_DENY_BLOCKING). */
void blocking_pop_first(struct cmdctx *ctx, const struct resp_arg *keys, int nkeys,
                        const struct block_spec *spec, int may_block, long long timeout_ms);

/* [B]LMPOP's and [B]ZMPOP's numkeys key [key ...] END [COUNT count], in
 * Redis's order of checks; ends are the two words for spec->where 0 and 1
 * (LEFT RIGHT, MIN MAX). Sets spec's where and count and the number of
 * keys, or replies the error and returns -1. */
int mpop_parse(struct cmdctx *ctx, int numkeys_idx, const char *const ends[2],
               struct block_spec *spec, int *nkeys);

/*
 * External waits (WAIT): the client blocks on no key; another thread (the
 * replication thread) completes it, or it times out (or CLIENT UNBLOCK
 * TIMEOUT) and timeout_reply(value, out) writes the answer on the client's
 * worker. The returned blocker belongs to the waker too: it
 * calls blocking_complete_external at most once, then
 * blocking_release_external exactly once, whatever happened meanwhile.
 */
struct outbuf;
struct blocker *blocking_block_external(struct cmdctx *ctx, long long timeout_ms,
                                        void (*timeout_reply)(uint64_t value, struct outbuf *out),
                                        uint64_t value);
/* Whether it still waits (not timed out, unblocked or closed). */
int blocking_external_waiting(struct blocker *b);
/* Claims it as answered, write(arg, out) writing the reply; 0 if its fate
 * was decided otherwise. */
int blocking_complete_external(struct blocker *b, void (*write)(void *arg, struct outbuf *out),
                               void *arg);
void blocking_release_external(struct blocker *b);

/* Parses a blocking command's timeout (seconds, fractional) as Redis's
 * getTimeoutFromObjectOrReply: milliseconds rounded up, or -1 after
 * replying the error. */
int blocking_parse_timeout(struct cmdctx *ctx, const struct resp_arg *a, long long *timeout_ms);

/* The keyspace created key as a list or sorted set in a shard with
 * waiters (caller holds the shard's lock). */
void blocking_signal_key(struct db *db, struct shard *sh, const char *key, size_t len);
/* SWAPDB: every key of db with waiters that now exists is ready (caller
 * holds every shard lock of db). */
void blocking_signal_db(struct db *db);

/* Keys made ready by this thread and not served yet. */
extern __thread int blocking_nready;
/* Serves the ready keys whose shards the calling thread holds (the end of
 * a command or an EXEC, its locks still held). */
void blocking_serve_held(int64_t now_ms);
/* Serves the remaining ready keys, locking what each needs; the caller
 * holds no shard lock. */
void blocking_serve_rest(int64_t now_ms);

/* CLIENT UNBLOCK: unblocks c (caller holds registry_lock) as a timeout
 * (error 0) or with -UNBLOCKED (error 1); 0 if it was not blocked. */
int blocking_unblock(struct client *c, int error);
/* Any thread: every blocked client (pops and WAIT) but except is answered
 * with error and closed after it, as Redis's disconnectAllBlockedClients
 * when the server becomes a replica. */
void blocking_unblock_all(const char *error, const struct blocker *except);
/* The client's connection is gone: drops its blocker, if any. */
void blocking_client_gone(struct client *c);
/* on_wake: delivers what other threads decided for this worker's blockers. */
void blocking_worker_wake(struct io_worker *w);
/* on_alarm: times out this worker's blockers whose deadline has passed. */
void blocking_worker_alarm(struct io_worker *w);

/* INFO clients: blocked_clients, clients_in_timeout_table. */
long long blocking_clients(void);
long long blocking_clients_with_timeout(void);

/* The replication effect of a pop done for spec: the running command's
 * rewrite when it popped at once, one more operation for a served waiter
 * (Redis propagates both as the plain pop). */
void blocking_propagate(struct cmdctx *ctx, int argc, const struct resp_arg *argv);

/*
 * Implemented by the list and sorted set commands (engine/cmd_list.c,
 * engine/cmd_zset.c): pops for a waiter from e, the value of key (of the
 * waited type, not empty), replying into ctx->out what spec's command
 * replies, deleting the key when it empties. The same functions serve the
 * blocking commands that find an element at once.
 */
void list_serve_blocked(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                        const struct block_spec *spec);
void zset_serve_blocked(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                        const struct block_spec *spec);

#endif
