/*
 * snapshot: fork-less point-in-time RDB images, a shard at a time. See
 * engine/snapshot.h.
 */
#include "engine/snapshot.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "storage/rdb.h"

struct chunk {
    struct chunk *next;
    struct rdb_chunk rdb;
};

static struct {
    uint32_t epoch; /* written under every shard lock (the barrier) */
    int flags;      /* rdb write flags */
    int next_db;    /* the iterator (replication thread) */
    unsigned next_shard;
    pthread_mutex_t lock; /* the queue: any thread appends */
    struct chunk *head, *tail;
} snap = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct shard_walk {
    struct rdb_chunk *chunk;
    struct db *db;
};

static void serialize_with_expire(void *ctx, struct entry *e)
{
    struct shard_walk *walk = ctx;
    rdb_write_entry(&walk->chunk->w, e, ks_get_expire(walk->db, e));
}

/* ks_unit_hook: the caller just locked the shard. */
static void snapshot_unit(struct db *db, unsigned shard)
{
    struct shard *sh = &db->shards[shard];
    if (sh->snap_epoch == snap.epoch) return;
    sh->snap_epoch = snap.epoch;
    if (atomic_load_explicit(&sh->nkeys_pub, memory_order_relaxed) == 0) return;
    struct chunk *c = mem_calloc(1, sizeof(*c));
    rdb_chunk_init(&c->rdb, snap.flags);
    rdb_write_select_db(&c->rdb.w, db->id);
    struct shard_walk walk = {.chunk = &c->rdb, .db = db};
    ks_foreach_shard(db, shard, serialize_with_expire, &walk);
    rdb_writer_flush(&c->rdb.w);
    pthread_mutex_lock(&snap.lock);
    if (snap.tail)
        snap.tail->next = c;
    else
        snap.head = c;
    snap.tail = c;
    pthread_mutex_unlock(&snap.lock);
}

void snapshot_begin(void)
{
    snap.epoch++;
    snap.flags = (CONFIG_READ(rdbcompression) ? RDB_WRITE_COMPRESS : 0) |
                 (CONFIG_READ(rdbchecksum) ? RDB_WRITE_CHECKSUM : 0);
    snap.next_db = 0;
    snap.next_shard = 0;
    ks_unit_hook = snapshot_unit;
    atomic_store_explicit(&ks_snapshot_running, 1, memory_order_relaxed);
}

/* Writes queued chunks to w until budget bytes went out; 1 if the queue
 * is empty. */
static int write_queued(struct rdb_writer *w, size_t *budget)
{
    for (;;) {
        pthread_mutex_lock(&snap.lock);
        struct chunk *c = snap.head;
        if (c) {
            snap.head = c->next;
            if (!snap.head) snap.tail = NULL;
        }
        pthread_mutex_unlock(&snap.lock);
        if (!c) return 1;
        size_t len = c->rdb.len;
        rdb_write_chunk(w, &c->rdb);
        rdb_chunk_free(&c->rdb);
        mem_free(c);
        *budget = len >= *budget ? 0 : *budget - len;
        if (*budget == 0) return 0;
    }
}

int snapshot_step(struct rdb_writer *w, int max_shards, size_t budget,
                  void (*lock_shard)(struct db *db, unsigned shard))
{
    if (!write_queued(w, &budget)) return 0;
    for (int n = 0; n < max_shards && snap.next_db < keyspace.ndbs; n++) {
        struct db *db = ks_db(snap.next_db);
        unsigned s = snap.next_shard;
        if (++snap.next_shard == KS_SHARDS) {
            snap.next_shard = 0;
            snap.next_db++;
        }
        /* Locking it serializes it, unless someone did already. */
        lock_shard(db, s);
        ks_unlock(db, s);
        if (!write_queued(w, &budget)) return 0;
    }
    return snap.next_db >= keyspace.ndbs && write_queued(w, &budget);
}

void snapshot_end(void (*lock_shard)(struct db *db, unsigned shard))
{
    atomic_store_explicit(&ks_snapshot_running, 0, memory_order_relaxed);
    /* A thread may be serializing a shard right now: once every lock was
     * ours, none is, and no chunk can come after the queue is emptied. */
    for (int d = 0; d < keyspace.ndbs; d++)
        for (unsigned s = 0; s < KS_SHARDS; s++) {
            lock_shard(ks_db(d), s);
            ks_unlock(ks_db(d), s);
        }
    pthread_mutex_lock(&snap.lock);
    struct chunk *c = snap.head;
    snap.head = snap.tail = NULL;
    pthread_mutex_unlock(&snap.lock);
    while (c) {
        struct chunk *next = c->next;
        rdb_chunk_free(&c->rdb);
        mem_free(c);
        c = next;
    }
}

int snapshot_running(void)
{
    return atomic_load_explicit(&ks_snapshot_running, memory_order_relaxed);
}
