/*
 * blocking: clients blocked on keys. See engine/blocking.h for the design:
 * per-key FIFOs in the shards, one compare-and-swap decides each blocker's
 * fate, the owner worker finishes it.
 */
#include "engine/blocking.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/client.h"
#include "engine/dict.h"
#include "engine/propagate.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/util.h"
#include "io/loop.h"
#include "io/outbuf.h"

enum block_state {
    BLOCK_WAITING,   /* in its queues, can be claimed */
    BLOCK_SERVED,    /* popped for by a writer: the reply is in the blocker */
    BLOCK_TIMEDOUT,  /* its deadline passed */
    BLOCK_UNBLOCKED, /* CLIENT UNBLOCK: the reply is in the blocker */
    BLOCK_GONE,      /* its connection closed */
};

struct blocker;

/* A blocker's place in one key's FIFO (under that key's shard lock). */
struct block_node {
    struct block_node *prev, *next;
    struct block_queue *queue; /* NULL once unlinked */
    struct blocker *b;
    const char *key; /* the blocker's copy */
    size_t len;
};

/* The waiters of one key: the value of its entry in shard->blocked. */
struct block_queue {
    struct block_node *head, *tail;
};

struct blocker {
    struct client *client; /* owner only; NULL once the connection closed */
    int owner;             /* the worker's index */
    int db_id;
    atomic_int state;
    struct block_spec spec; /* spec.dst points at dst_arg */
    struct resp_arg dst_arg;
    int nkeys;
    struct block_node *nodes; /* nkeys of them */
    struct outbuf reply;      /* written by whoever claimed it */
    struct blocker *inbox_next;
    int heap_index;      /* in the owner's deadline heap, or -1 */
    int64_t deadline_ms; /* monotonic; 0: none */
    char *bytes;         /* the keys' and destination's bytes */
    /* An external wait (WAIT): no keys; its timeout reply comes from the
     * waiter's owner; freed when both the client's side and the waker
     * have let go (refs). */
    void (*timeout_reply)(uint64_t value, struct outbuf *out);
    uint64_t timeout_value;
    atomic_int refs;
    int close_after; /* the client is closed after this reply (a role change) */
};

/* A worker's share: its inbox (any thread pushes, the worker takes all)
 * and the deadlines of its blockers (a binary min-heap, worker only). */
struct block_worker {
    _Atomic(struct blocker *) inbox;
    struct blocker **heap;
    int nheap, heap_cap;
} __attribute__((aligned(64)));

static struct block_worker block_workers[KS_MAX_WORKERS];
static atomic_llong nblocked, nblocked_with_timeout;

/* Ready keys of this thread: created under a key with waiters, not served. */
struct ready_key {
    int db_id;
    char *key;
    size_t len;
};
__thread int blocking_nready;
static __thread struct ready_key *ready;
static __thread int ready_cap;

long long blocking_clients(void)
{
    return atomic_load_explicit(&nblocked, memory_order_relaxed);
}

long long blocking_clients_with_timeout(void)
{
    return atomic_load_explicit(&nblocked_with_timeout, memory_order_relaxed);
}

/* ---- the deadline heap (owner worker) ---- */

static void heap_set(struct block_worker *bw, int i, struct blocker *b)
{
    bw->heap[i] = b;
    b->heap_index = i;
}

static void heap_sift_up(struct block_worker *bw, int i)
{
    struct blocker *b = bw->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (bw->heap[parent]->deadline_ms <= b->deadline_ms) break;
        heap_set(bw, i, bw->heap[parent]);
        i = parent;
    }
    heap_set(bw, i, b);
}

static void heap_sift_down(struct block_worker *bw, int i)
{
    struct blocker *b = bw->heap[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= bw->nheap) break;
        if (child + 1 < bw->nheap &&
            bw->heap[child + 1]->deadline_ms < bw->heap[child]->deadline_ms)
            child++;
        if (bw->heap[child]->deadline_ms >= b->deadline_ms) break;
        heap_set(bw, i, bw->heap[child]);
        i = child;
    }
    heap_set(bw, i, b);
}

static void heap_push(struct block_worker *bw, struct blocker *b)
{
    if (bw->nheap == bw->heap_cap) {
        bw->heap_cap = bw->heap_cap ? bw->heap_cap * 2 : 64;
        bw->heap = mem_realloc(bw->heap, (size_t)bw->heap_cap * sizeof(*bw->heap));
    }
    bw->heap[bw->nheap] = b;
    heap_sift_up(bw, bw->nheap++);
    atomic_fetch_add_explicit(&nblocked_with_timeout, 1, memory_order_relaxed);
}

static void heap_remove(struct block_worker *bw, struct blocker *b)
{
    int i = b->heap_index;
    if (i < 0) return;
    b->heap_index = -1;
    struct blocker *last = bw->heap[--bw->nheap];
    if (last != b) {
        heap_set(bw, i, last);
        heap_sift_down(bw, i);
        heap_sift_up(bw, last->heap_index);
    }
    atomic_fetch_sub_explicit(&nblocked_with_timeout, 1, memory_order_relaxed);
}

/* ---- timeouts ---- */

int blocking_parse_timeout(struct cmdctx *ctx, const struct resp_arg *a, long long *timeout_ms)
{
    /* Redis reads a long double (no leading space, nothing after it, no
     * NaN), then converts timeout * 1000 rounded up to a long long: a
     * value beyond that range comes out negative on x86-64. */
    char buf[256];
    long double v;
    char *end;
    if (a->len == 0 || a->len >= sizeof(buf)) goto not_float;
    memcpy(buf, a->ptr, a->len);
    buf[a->len] = '\0';
    errno = 0;
    v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' || isnan(v) ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) || errno == EINVAL)
        goto not_float;
    long double ms = ceill(v * 1000.0L);
    if (ms < 0 || !(ms < 9223372036854775807.0L)) {
        reply_error(ctx->out, "ERR timeout is negative");
        return -1;
    }
    *timeout_ms = (long long)ms;
    return 0;
not_float:
    reply_error(ctx->out, "ERR timeout is not a float or out of range");
    return -1;
}

/* ---- the pops' shared front end ---- */

int mpop_parse(struct cmdctx *ctx, int numkeys_idx, const char *const ends[2],
               struct block_spec *spec, int *nkeys)
{
    long long n;
    const char *numkeys_err = "ERR numkeys should be greater than 0";
    if (arg_ll(ctx, &ctx->argv[numkeys_idx], &n, numkeys_err) != 0) return -1;
    if (n < 1) {
        reply_error(ctx->out, numkeys_err);
        return -1;
    }
    if (n >= ctx->argc - numkeys_idx - 1) { /* no room for the end */
        reply_error(ctx->out, ERR_SYNTAX);
        return -1;
    }
    int where_idx = numkeys_idx + (int)n + 1;
    if (arg_eq(&ctx->argv[where_idx], ends[0])) {
        spec->where = 0;
    } else if (arg_eq(&ctx->argv[where_idx], ends[1])) {
        spec->where = 1;
    } else {
        reply_error(ctx->out, ERR_SYNTAX);
        return -1;
    }
    long long count = -1;
    for (int j = where_idx + 1; j < ctx->argc; j++) {
        if (count == -1 && arg_eq(&ctx->argv[j], "count") && j + 1 < ctx->argc) {
            const char *count_err = "ERR count should be greater than 0";
            if (arg_ll(ctx, &ctx->argv[++j], &count, count_err) != 0) return -1;
            if (count < 1) {
                reply_error(ctx->out, count_err);
                return -1;
            }
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    spec->count = count == -1 ? 1 : (long)count;
    *nkeys = (int)n;
    return 0;
}

void blocking_pop_first(struct cmdctx *ctx, const struct resp_arg *keys, int nkeys,
                        const struct block_spec *spec, int may_block, long long timeout_ms)
{
    for (int i = 0; i < nkeys; i++) {
        struct entry *e = cmd_lookup_write(ctx, &keys[i]);
        if (!e) continue;
        if (cmd_check_type(ctx, e, (int)spec->type) != 0) return;
        if (spec->type == TYPE_LIST)
            list_serve_blocked(ctx, &keys[i], e, spec);
        else
            zset_serve_blocked(ctx, &keys[i], e, spec);
        return;
    }
    if (!may_block || ctx->client->multi || (ctx->client->flags & CLIENT_DENY_BLOCKING)) {
        reply_null_array(ctx->out);
        return;
    }
    blocking_block(ctx, keys, nkeys, spec, timeout_ms);
}

void blocking_propagate(struct cmdctx *ctx, int argc, const struct resp_arg *argv)
{
    if (ctx->client)
        propagate_rewrite(ctx, argc, argv);
    else
        propagate_also(ctx->db->id, argc, argv);
}

/* ---- blocking ---- */

/* The client is blocked from now on: visible to CLIENT UNBLOCK, counted,
 * and due at its deadline. */
static void blocker_start(struct client *c, struct blocker *b, long long timeout_ms)
{
    pthread_mutex_lock(&registry_lock);
    c->blocker = b;
    pthread_mutex_unlock(&registry_lock);
    atomic_fetch_add_explicit(&nblocked, 1, memory_order_relaxed);
    if (timeout_ms > 0) {
        int64_t now = util_monotonic_us() / 1000;
        b->deadline_ms = timeout_ms > INT64_MAX - now ? INT64_MAX : now + timeout_ms;
        heap_push(&block_workers[b->owner], b);
        io_worker_set_alarm(c->worker, b->deadline_ms);
    }
}

static struct block_queue *queue_for(struct shard *sh, const char *key, size_t len)
{
    if (!sh->blocked) sh->blocked = dict_create(DICT_WITH_VALUE, NULL);
    int added;
    struct dict_entry *de = dict_add_or_find(sh->blocked, key, len, &added);
    if (added) dict_value(de)->ptr = mem_calloc(1, sizeof(struct block_queue));
    return dict_value(de)->ptr;
}

void blocking_block(struct cmdctx *ctx, const struct resp_arg *keys, int nkeys,
                    const struct block_spec *spec, long long timeout_ms)
{
    struct client *c = ctx->client;
    size_t bytes = spec->dst ? spec->dst->len : 0;
    for (int i = 0; i < nkeys; i++) bytes += keys[i].len;

    struct blocker *b = mem_calloc(1, sizeof(*b));
    b->client = c;
    b->owner = io_worker_index(c->worker);
    b->db_id = ctx->db->id;
    atomic_init(&b->state, BLOCK_WAITING);
    atomic_init(&b->refs, 1);
    b->spec = *spec;
    b->nodes = mem_calloc((size_t)nkeys, sizeof(*b->nodes));
    b->bytes = mem_alloc(bytes ? bytes : 1);
    b->heap_index = -1;
    outbuf_init(&b->reply);
    char *p = b->bytes;
    if (spec->dst) {
        memcpy(p, spec->dst->ptr, spec->dst->len);
        b->dst_arg.ptr = p;
        b->dst_arg.len = spec->dst->len;
        b->spec.dst = &b->dst_arg;
        p += spec->dst->len;
    }
    for (int i = 0; i < nkeys; i++) {
        int dup = 0;
        for (int j = 0; j < b->nkeys && !dup; j++)
            dup = b->nodes[j].len == keys[i].len &&
                  memcmp(b->nodes[j].key, keys[i].ptr, keys[i].len) == 0;
        if (dup) continue;
        memcpy(p, keys[i].ptr, keys[i].len);
        struct block_node *n = &b->nodes[b->nkeys++];
        n->b = b;
        n->key = p;
        n->len = keys[i].len;
        p += keys[i].len;

        struct shard *sh = &ctx->db->shards[ks_shard_of(n->key, n->len)];
        struct block_queue *q = queue_for(sh, n->key, n->len);
        n->queue = q;
        n->prev = q->tail;
        if (q->tail)
            q->tail->next = n;
        else
            q->head = n;
        q->tail = n;
    }

    blocker_start(c, b, timeout_ms);
}

/* ---- finishing (owner worker) ---- */

static void node_unlink(struct db *db, struct block_node *n)
{
    struct block_queue *q = n->queue;
    if (n->prev)
        n->prev->next = n->next;
    else
        q->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        q->tail = n->prev;
    n->queue = NULL;
    if (!q->head) {
        struct shard *sh = &db->shards[ks_shard_of(n->key, n->len)];
        dict_delete(sh->blocked, n->key, n->len);
        mem_free(q);
    }
}

/* Drops one reference; the last frees the blocker. */
static void blocker_release(struct blocker *b)
{
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1) return;
    outbuf_free(&b->reply);
    mem_free(b->nodes);
    mem_free(b->bytes);
    mem_free(b);
}

/* The blocker's fate is decided: takes it out of every queue and the heap,
 * gives its client the reply and lets the client go on. */
static void blocker_finish(struct blocker *b)
{
    struct db *db = ks_db(b->db_id);
    for (int i = 0; i < b->nkeys; i++) {
        struct block_node *n = &b->nodes[i];
        unsigned shard = ks_shard_of(n->key, n->len);
        ks_lock(db, shard);
        if (n->queue) node_unlink(db, n);
        ks_unlock(db, shard);
    }
    heap_remove(&block_workers[b->owner], b);
    atomic_fetch_sub_explicit(&nblocked, 1, memory_order_relaxed);

    struct client *c = b->client;
    if (c) {
        pthread_mutex_lock(&registry_lock);
        c->blocker = NULL;
        pthread_mutex_unlock(&registry_lock);
        struct iovec iov[16];
        for (;;) {
            int n = outbuf_iov(&b->reply, iov, 16);
            if (n == 0) break;
            size_t done = 0;
            for (int i = 0; i < n; i++) {
                outbuf_append(c->out, iov[i].iov_base, iov[i].iov_len);
                done += iov[i].iov_len;
            }
            outbuf_consume(&b->reply, done);
            stat_add(&server_worker_self()->net_output_bytes, done);
        }
    }
    int close_after = b->close_after;
    blocker_release(b);
    if (c && close_after) client_close_after_reply(c);
    if (c) client_unblocked(c);
}

/* What a blocker that times out answers: the nil array for the pops,
 * the wait's own reply for WAIT. */
static void blocker_timeout_reply(struct blocker *b)
{
    if (b->timeout_reply)
        b->timeout_reply(b->timeout_value, &b->reply);
    else
        reply_null_array(&b->reply);
}

/* Claims b for outcome; 1 if this thread decided its fate. */
static int blocker_claim(struct blocker *b, enum block_state outcome)
{
    int expected = BLOCK_WAITING;
    return atomic_compare_exchange_strong_explicit(&b->state, &expected, (int)outcome,
                                                   memory_order_acq_rel, memory_order_acquire);
}

/* Hands a claimed blocker to its owner worker. */
static void blocker_deliver(struct blocker *b)
{
    struct block_worker *bw = &block_workers[b->owner];
    struct blocker *head = atomic_load_explicit(&bw->inbox, memory_order_relaxed);
    do {
        b->inbox_next = head;
    } while (!atomic_compare_exchange_weak_explicit(&bw->inbox, &head, b, memory_order_release,
                                                    memory_order_relaxed));
    io_worker_wake(io_worker_get(b->owner));
}

void blocking_worker_wake(struct io_worker *w)
{
    struct block_worker *bw = &block_workers[io_worker_index(w)];
    if (!atomic_load_explicit(&bw->inbox, memory_order_relaxed)) return;
    struct blocker *list = atomic_exchange_explicit(&bw->inbox, NULL, memory_order_acquire);
    /* The inbox is a stack: reverse it so blockers finish in the order
     * they were served. */
    struct blocker *fifo = NULL;
    while (list) {
        struct blocker *next = list->inbox_next;
        list->inbox_next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo) {
        struct blocker *next = fifo->inbox_next;
        blocker_finish(fifo);
        fifo = next;
    }
}

void blocking_worker_alarm(struct io_worker *w)
{
    struct block_worker *bw = &block_workers[io_worker_index(w)];
    int64_t now = util_monotonic_us() / 1000;
    while (bw->nheap > 0 && bw->heap[0]->deadline_ms <= now) {
        struct blocker *b = bw->heap[0];
        heap_remove(bw, b);
        /* Lost to a writer or CLIENT UNBLOCK: it is on its way here. */
        if (!blocker_claim(b, BLOCK_TIMEDOUT)) continue;
        blocker_timeout_reply(b);
        blocker_finish(b);
    }
    if (bw->nheap > 0) io_worker_set_alarm(w, bw->heap[0]->deadline_ms);
}

int blocking_unblock(struct client *c, int error)
{
    struct blocker *b = c->blocker;
    if (!b || !blocker_claim(b, BLOCK_UNBLOCKED)) return 0;
    if (error)
        reply_error(&b->reply, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else
        blocker_timeout_reply(b);
    blocker_deliver(b);
    return 1;
}

void blocking_unblock_all(const char *error, const struct blocker *except)
{
    pthread_mutex_lock(&registry_lock);
    for (struct client *c = client_registry_first(); c; c = c->reg_next) {
        struct blocker *b = c->blocker;
        if (!b || b == except || !blocker_claim(b, BLOCK_UNBLOCKED)) continue;
        reply_error(&b->reply, error);
        b->close_after = 1;
        blocker_deliver(b);
    }
    pthread_mutex_unlock(&registry_lock);
}

void blocking_client_gone(struct client *c)
{
    struct blocker *b = c->blocker;
    if (!b) return;
    pthread_mutex_lock(&registry_lock);
    c->blocker = NULL;
    pthread_mutex_unlock(&registry_lock);
    b->client = NULL;
    if (blocker_claim(b, BLOCK_GONE))
        blocker_finish(b);
    else
        heap_remove(&block_workers[b->owner], b); /* finished when it arrives */
}

/* ---- external waits (WAIT) ---- */

struct blocker *blocking_block_external(struct cmdctx *ctx, long long timeout_ms,
                                        void (*timeout_reply)(uint64_t value, struct outbuf *out),
                                        uint64_t value)
{
    struct client *c = ctx->client;
    struct blocker *b = mem_calloc(1, sizeof(*b));
    b->client = c;
    b->owner = io_worker_index(c->worker);
    b->db_id = ctx->db->id;
    atomic_init(&b->state, BLOCK_WAITING);
    atomic_init(&b->refs, 2); /* the client's side and the waker's */
    b->heap_index = -1;
    b->timeout_reply = timeout_reply;
    b->timeout_value = value;
    outbuf_init(&b->reply);
    blocker_start(c, b, timeout_ms);
    return b;
}

int blocking_external_waiting(struct blocker *b)
{
    return atomic_load_explicit(&b->state, memory_order_acquire) == BLOCK_WAITING;
}

int blocking_complete_external(struct blocker *b, void (*write)(void *arg, struct outbuf *out),
                               void *arg)
{
    if (!blocker_claim(b, BLOCK_SERVED)) return 0;
    write(arg, &b->reply);
    blocker_deliver(b);
    return 1;
}

void blocking_release_external(struct blocker *b)
{
    blocker_release(b);
}

/* ---- serving (the thread that made keys ready) ---- */

void blocking_signal_key(struct db *db, struct shard *sh, const char *key, size_t len)
{
    if (!dict_find(sh->blocked, key, len)) return;
    for (int i = 0; i < blocking_nready; i++)
        if (ready[i].db_id == db->id && ready[i].len == len && memcmp(ready[i].key, key, len) == 0)
            return;
    if (blocking_nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = mem_realloc(ready, (size_t)ready_cap * sizeof(*ready));
    }
    char *copy = mem_alloc(len ? len : 1);
    memcpy(copy, key, len);
    ready[blocking_nready++] = (struct ready_key){db->id, copy, len};
}

void blocking_signal_db(struct db *db)
{
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        struct shard *sh = &db->shards[s];
        if (!sh->blocked || dict_size(sh->blocked) == 0) continue;
        struct dict_iter it;
        dict_iter_init(&it, sh->blocked);
        for (struct dict_entry *de; (de = dict_iter_next(&it));) {
            struct entry *e = ks_peek(db, de->key, de->keylen);
            if (e && (e->type == TYPE_LIST || e->type == TYPE_ZSET))
                blocking_signal_key(db, sh, de->key, de->keylen);
        }
        dict_iter_done(&it);
    }
}

#define SERVED_ALL (-1)

/* Serves key's waiters, first blocked first, while it has elements of the
 * type they wait for. The caller holds the key's shard. Returns SERVED_ALL,
 * or the shard of a BLMOVE destination the caller does not hold: serving
 * stopped before that waiter, to keep the order. */
static int serve_key(struct db *db, const char *key, size_t len, int64_t now_ms)
{
    struct shard *sh = &db->shards[ks_shard_of(key, len)];
    struct dict_entry *de = sh->blocked ? dict_find(sh->blocked, key, len) : NULL;
    if (!de) return SERVED_ALL;
    struct block_queue *q = dict_value(de)->ptr;
    struct resp_arg karg = {.ptr = key, .len = len};
    struct worker_state *ws = server_worker_self();

    /* Claimed waiters stay in the queue until their owner unlinks them, so
     * the walk never sees the queue change under it. */
    for (struct block_node *n = q->head; n; n = n->next) {
        struct blocker *b = n->b;
        if (atomic_load_explicit(&b->state, memory_order_acquire) != BLOCK_WAITING) continue;
        struct entry *e = ks_find(db, key, len, now_ms);
        if (!e) break;
        if (e->type != b->spec.type) continue;
        if (b->spec.dst) {
            unsigned dshard = ks_shard_of(b->spec.dst->ptr, b->spec.dst->len);
            if (!ks_holds(db, dshard)) return (int)dshard;
        }
        if (!blocker_claim(b, BLOCK_SERVED)) continue;
        struct cmdctx sctx = {
            .out = &b->reply,
            .argc = 0,
            .db = db,
            .now_ms = now_ms,
            .ws = ws,
        };
        if (b->spec.type == TYPE_LIST)
            list_serve_blocked(&sctx, &karg, e, &b->spec);
        else
            zset_serve_blocked(&sctx, &karg, e, &b->spec);
        /* Each served waiter is its own record, as in Redis. */
        propagate_flush();
        blocker_deliver(b);
    }
    return SERVED_ALL;
}

/* Removes ready key i (its bytes are the caller's now); the array goes
 * with the last one, so no thread keeps one it no longer needs. */
static void ready_remove(int i)
{
    memmove(&ready[i], &ready[i + 1], (size_t)(blocking_nready - i - 1) * sizeof(*ready));
    if (--blocking_nready == 0) {
        mem_free(ready);
        ready = NULL;
        ready_cap = 0;
    }
}

void blocking_serve_held(int64_t now_ms)
{
    int i = 0;
    while (i < blocking_nready) {
        struct db *db = ks_db(ready[i].db_id);
        const char *key = ready[i].key;
        size_t len = ready[i].len;
        if (!ks_holds(db, ks_shard_of(key, len)) || serve_key(db, key, len, now_ms) != SERVED_ALL) {
            i++; /* left for blocking_serve_rest */
            continue;
        }
        mem_free(ready[i].key);
        ready_remove(i);
    }
}

static void lock_pair(struct db *db, unsigned a, int b)
{
    if (b < 0 || (unsigned)b == a) {
        ks_lock(db, a);
    } else if ((unsigned)b > a) {
        ks_lock(db, a);
        ks_lock(db, (unsigned)b);
    } else {
        ks_lock(db, (unsigned)b);
        ks_lock(db, a);
    }
}

static void unlock_pair(struct db *db, unsigned a, int b)
{
    ks_unlock(db, a);
    if (b >= 0 && (unsigned)b != a) ks_unlock(db, (unsigned)b);
}

void blocking_serve_rest(int64_t now_ms)
{
    while (blocking_nready > 0) {
        struct ready_key r = ready[0];
        ready_remove(0);
        struct db *db = ks_db(r.db_id);
        unsigned shard = ks_shard_of(r.key, r.len);
        int extra = -1;
        for (;;) {
            lock_pair(db, shard, extra);
            int need = serve_key(db, r.key, r.len, now_ms);
            /* Keys this made ready are in shards held right now. */
            blocking_serve_held(now_ms);
            unlock_pair(db, shard, extra);
            if (need == SERVED_ALL) break;
            extra = need;
        }
        mem_free(r.key);
    }
}
