/*
 * keyspace: the databases, each split into shards that have their own lock
 * and their own incrementally resizing hash table (engine/table.h).
 *
 * Threads: any worker (and later the replication thread) may use the
 * keyspace, but every function taking a struct shard or a key requires the
 * caller to hold that key's shard lock, except where marked "no lock". A
 * command locks all the shards of its keys before it runs, in ascending
 * (db, shard) order (see engine/command.c): that order is the only lock
 * order in the engine, so multi-key commands are atomic and deadlock-free.
 * Never block or do I/O while holding a shard lock.
 *
 * Expiry: a key's absolute expire time (unix ms) lives in its shard's
 * volatile array, which the active expiry cycle samples; the entry keeps
 * its index in that array. Lookups delete expired keys lazily.
 *
 * Units and versions: each shard carries `unit_version`, the counter that
 * fork-less snapshots and incremental checkpoints (docs/architecture.md) use to
 * know whether a unit was serialized or changed since an epoch. Every
 * mutation goes through ks_touch(), the single place where a write to a
 * unit is observed.
 */
#ifndef TANDEM_ENGINE_KEYSPACE_H
#define TANDEM_ENGINE_KEYSPACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define KS_SHARD_BITS 8
#define KS_SHARDS (1u << KS_SHARD_BITS)
#define KS_NO_EXPIRE UINT32_MAX
#define KS_MAX_WORKERS 128

/* Value types, numbered as Redis's OBJ_* so RDB and TYPE map directly. */
enum value_type { TYPE_STRING = 0, TYPE_LIST = 1, TYPE_SET = 2, TYPE_ZSET = 3, TYPE_HASH = 4 };
/* Encodings (OBJECT ENCODING). */
enum value_encoding { ENC_RAW = 0, ENC_INT = 1, ENC_EMBSTR = 8 };

/*
 * A key and its value header in one allocation. Small string values live in
 * the same allocation, right after the key ("inline": one allocation and
 * one cache miss less per key); the bytes available there are kept in the
 * low bits of flags, computed once from the allocator's size class.
 */
struct entry {
    struct entry *next; /* hash chain */
    uint32_t keylen;
    uint32_t vslot; /* index in the shard's volatile array, or KS_NO_EXPIRE */
    uint8_t type;
    uint8_t encoding;
    uint16_t flags; /* ENTRY_INLINE_VALUE | inline capacity (low 8 bits) */
    uint32_t lru;   /* seconds clock of last access (OBJECT IDLETIME) */
    union {
        int64_t i; /* ENC_INT strings */
        void *ptr; /* struct sstr * for strings; type's structure otherwise */
    } v;
    char key[];
};

#define ENTRY_INLINE_VALUE 0x8000u
#define ENTRY_INLINE_CAPACITY_MASK 0xffu

/* Bytes after the key that can hold a value in place. */
static inline size_t entry_inline_capacity(const struct entry *e)
{
    return e->flags & ENTRY_INLINE_CAPACITY_MASK;
}
static inline char *entry_inline_bytes(struct entry *e)
{
    return e->key + e->keylen;
}

struct volatile_key {
    struct entry *entry;
    int64_t expire_ms;
};

struct table {
    struct entry **buckets[2];
    uint64_t mask[2]; /* size - 1; size is a power of two (0 buckets: NULL) */
    uint64_t used[2];
    int64_t rehash_index; /* next bucket of buckets[0] to move, -1 when idle */
    /* buckets[0] and mask[0] published with atomic stores for
     * ks_prefetch, which reads them without the shard lock. */
    struct entry **hint_buckets;
    uint64_t hint_mask;
};

struct watched_key;
struct dict;

struct shard {
    pthread_mutex_t lock;
    struct table table;
    struct volatile_key *vkeys;
    uint32_t nvkeys, vkeys_cap;
    uint32_t expire_cursor;
    uint64_t unit_version;
    struct watched_key *watched; /* WATCHes of keys in this shard (watch.c); stays on swap */
    struct dict *blocked;        /* key -> its blocked clients (blocking.c); stays on swap */
    atomic_uintptr_t holder;     /* the thread holding the lock (ks_holds), or 0 */
    uint32_t snap_epoch;         /* the last snapshot that has this shard (snapshot.c) */
    /* Published copies of the counts, readable without the lock. */
    atomic_uint_least64_t nkeys_pub, nexpires_pub;
} __attribute__((aligned(64)));

struct db {
    int id;
    struct shard shards[KS_SHARDS];
    /* Running average TTL of sampled volatile keys (INFO keyspace avg_ttl). */
    atomic_llong avg_ttl;
};

struct keyspace {
    int ndbs;
    struct db *dbs;
    /* Expired keys removed (lazily or actively), for INFO. */
    atomic_ullong expired_keys;
    /* Where each worker's active expiry pass resumes (owned by that worker). */
    unsigned expire_cursor[KS_MAX_WORKERS];
};

extern struct keyspace keyspace;

/* Creates ndbs databases. Main thread, before workers start. */
void ks_init(int ndbs);
void ks_destroy(void);
/* A set of databases outside the keyspace (a replica loading its primary's
 * RDB beside the data it serves, repl-diskless-load swapdb), and freeing
 * one with its keys. */
struct db *ks_dbs_create(int ndbs);
void ks_dbs_free(struct db *dbs, int ndbs);

/* Key hashing (seeded per process) and the shard a hash belongs to. */
uint64_t ks_hash(const char *key, size_t len);
static inline unsigned ks_shard_of_hash(uint64_t h)
{
    return (unsigned)(h >> (64 - KS_SHARD_BITS));
}
static inline unsigned ks_shard_of(const char *key, size_t len)
{
    return ks_shard_of_hash(ks_hash(key, len));
}
static inline struct db *ks_db(int id)
{
    return &keyspace.dbs[id];
}

void ks_lock(struct db *db, unsigned shard);
void ks_unlock(struct db *db, unsigned shard);
/* ks_lock if the lock is free right now: 0, else -1. */
int ks_trylock(struct db *db, unsigned shard);

/* Snapshots (engine/snapshot.c): while ks_snapshot_running, every lock of
 * a shard calls ks_unit_hook(db, shard) right after taking it, so the
 * snapshot can serialize the shard before its holder changes it. */
extern atomic_int ks_snapshot_running;
extern void (*ks_unit_hook)(struct db *db, unsigned shard);
/* No lock: 1 if the calling thread holds the shard's lock (or everything). */
int ks_holds(struct db *db, unsigned shard);
/* Locks / unlocks every shard of db (ascending). */
void ks_lock_all(struct db *db);
/* on: the calling thread has just taken every shard lock of every database
 * and later ks_lock/ks_unlock calls on it do nothing until off (EXEC of
 * commands that lock for themselves). */
void ks_hold_everything(int on);
void ks_unlock_all(struct db *db);

/* No lock: hints the CPU to fetch the shard's lock and the bucket a key
 * with this hash lives in, so that the lookup after locking does not wait
 * for memory. Never faults, whatever happens to the table meanwhile. */
void ks_prefetch(struct db *db, uint64_t hash);
/* Then the first entry of the key's chain, once the bucket is in cache (a
 * load, keys ahead of their insert): reads the bucket under the shard's
 * lock, taken only if free. */
void ks_prefetch_chain(struct db *db, uint64_t hash);

/* What a lookup does with a key whose time has passed, for the command the
 * calling thread runs (set by dispatch): delete it (a primary), hide it
 * without deleting (a replica's reader: the primary's DEL will come), or
 * see it as alive (a replica applying its primary's stream). */
enum ks_expiry {
    KS_EXPIRY_DELETE,
    KS_EXPIRY_HIDE,
    KS_EXPIRY_IGNORE,
};
extern __thread int ks_expiry_policy;

/* Looks a key up; an expired key is deleted and NULL returned (lazy expiry).
 * now_ms is the command's time. Updates the entry's access clock. */
struct entry *ks_find(struct db *db, const char *key, size_t len, int64_t now_ms);
/* Deletes e if its expire time has passed (counted as an expired key);
 * returns 1 when it did (e is then freed), or when the policy hides it
 * (e stays). */
int ks_expire_if_needed(struct db *db, struct entry *e, int64_t now_ms);
/* Looks a key up without expiring it or touching it (for TYPE-less peeks
 * such as the expiry cycle and internal checks). */
struct entry *ks_peek(struct db *db, const char *key, size_t len);
/* Adds a new key (it must not exist): returns the entry with type set and
 * an empty value for the caller to fill. */
struct entry *ks_add(struct db *db, const char *key, size_t len, enum value_type type);
/* The same, with room for value_room bytes of value stored inline (at most
 * 255; the allocator's size class may give a little more). */
struct entry *ks_add_sized(struct db *db, const char *key, size_t len, enum value_type type,
                           size_t value_room);
/* A load builds its entries before it links them (any thread, no lock):
 * an entry in no table, with ks_add_sized's room, freed with
 * ks_free_entry unless linked. */
struct entry *ks_entry_new(const char *key, size_t len, enum value_type type, size_t value_room);
/* Links e (from ks_entry_new) under its key's hash, unless the key exists:
 * -1 then, e not linked (the duplicate check and insert in one lookup).
 * The key's shard lock is held. */
int ks_link_unique(struct db *db, uint64_t hash, struct entry *e);
/* Deletes a key if present: 1 if deleted, 0 if absent. Frees the value. */
int ks_delete(struct db *db, const char *key, size_t len);
/* Removes the entry from its table without freeing it (RENAME, MOVE). The
 * expire is dropped; read it first with ks_get_expire. */
struct entry *ks_unlink(struct db *db, const char *key, size_t len);
/* Adds an unlinked entry back under a new key, keeping its value; returns
 * the new entry (the old one is freed). The key must not exist. */
struct entry *ks_relink(struct db *db, struct entry *e, const char *key, size_t len);
/* Frees an entry and its value (after ks_unlink). */
void ks_free_entry(struct entry *e);

/* Expire time of an entry (unix ms) or -1. */
int64_t ks_get_expire(struct db *db, const struct entry *e);
/* Sets / removes an entry's expire time. */
void ks_set_expire(struct db *db, struct entry *e, int64_t when_ms);
/* Returns 1 if the entry had an expire time. */
int ks_persist(struct db *db, struct entry *e);

/* Records that a unit changed (snapshot/checkpoint/WATCH hook). Called by
 * every mutation above; commands that modify a value in place call it too. */
void ks_touch(struct db *db, const struct entry *e);

/* A load about to add about nkeys keys to db (RDB's RESIZEDB): shards
 * that have no table yet get it at that size at once (at most
 * KS_RESERVE_MAX per shard; the rest grows as usual). Takes each lock. */
#define KS_RESERVE_MAX (1u << 16)
void ks_reserve(struct db *db, uint64_t nkeys);

/* Frees every key of the shard (caller holds its lock). */
void ks_flush_shard(struct db *db, unsigned shard);
/* Empties db, whose every shard the caller holds; the WATCHes of its keys
 * fire as for any deletion (FLUSHDB, FLUSHALL, DEBUG RELOAD, a replica's
 * full sync). Returns how many keys it held. */
uint64_t ks_flush_db(struct db *db);
/* Exchanges the contents of two shards (SWAPDB; caller holds both locks). */
void ks_swap_shards(struct shard *a, struct shard *b);

/* Counts without locks (published after each change). */
uint64_t ks_db_size(const struct db *db);
uint64_t ks_db_expires(const struct db *db);

/* SCAN support: visits the keys of one shard bucket-cursor step; returns
 * the next cursor within the shard (0 = shard finished). Caller holds the
 * shard lock. */
uint64_t ks_scan_shard(struct db *db, unsigned shard, uint64_t cursor,
                       void (*fn)(void *ctx, struct entry *e), void *ctx);
/* Calls fn for every entry of the shard (caller holds the lock); fn must not
 * modify the table. */
void ks_foreach_shard(struct db *db, unsigned shard, void (*fn)(void *ctx, struct entry *e),
                      void *ctx);
/* A random entry of the shard or NULL when empty (caller holds the lock). */
struct entry *ks_random_in_shard(struct db *db, unsigned shard);

/*
 * One active-expiry pass over the shards this worker is responsible for
 * (shard i of every db belongs to worker i % nworkers): samples volatile keys
 * and deletes the expired ones, repeating while more than 10% of a sample
 * was expired, until the time budget (microseconds) is spent.
 */
void ks_active_expire(int worker, int nworkers, int64_t budget_us, int64_t now_ms);

/* DEBUG SET-ACTIVE-EXPIRE: 0 stops the active cycle (lazy expiry only). */
extern int ks_active_expire_enabled;

/* Moves resizes along in this worker's shards that no command touches
 * (Redis's incrementallyRehash in the cron): a shard left mid-resize would
 * keep both bucket arrays. Skips shards another thread holds. */
void ks_rehash_idle(int worker, int nworkers, int64_t budget_us);

/* The string access clock (seconds, wraps at 2^32). */
uint32_t ks_lru_clock(void);

#endif
