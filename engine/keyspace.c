/*
 * keyspace: databases, shards, lookups and expiry. See keyspace.h.
 */
#include "engine/keyspace.h"

#include <string.h>
#include <time.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/dict.h"
#include "engine/object.h"
#include "engine/propagate.h"
#include "engine/table.h"
#include "engine/watch.h"
#include "engine/util.h"

struct keyspace keyspace;
int ks_active_expire_enabled = 1;
static uint64_t hash_seed;

/* Expiry cycle constants, as Redis's activeExpireCycle: keys sampled per
 * shard per round, and the share of expired keys that earns another round. */
#define EXPIRE_SAMPLE 20
#define EXPIRE_STALE_PERCENT 10

static uint64_t read_word(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* A seeded multiply-mix hash over 8-byte words: fast for short keys, good
 * avalanche in the top bits (which pick the shard) and the low bits (which
 * pick the bucket). The per-process seed keeps bucket collisions from being
 * chosen by clients in advance. */
uint64_t ks_hash(const char *key, size_t len)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = hash_seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        h = (h ^ mix64(read_word(p))) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, len);
    h = (h ^ mix64(tail ^ ((uint64_t)len << 56))) * 0x9e3779b97f4a7c15ULL;
    return mix64(h);
}

struct db *ks_dbs_create(int ndbs)
{
    struct db *dbs = mem_calloc((size_t)ndbs, sizeof(struct db));
    for (int d = 0; d < ndbs; d++) {
        struct db *db = &dbs[d];
        db->id = d;
        for (unsigned s = 0; s < KS_SHARDS; s++) {
            pthread_mutex_init(&db->shards[s].lock, NULL);
            table_init(&db->shards[s].table);
        }
    }
    return dbs;
}

void ks_dbs_free(struct db *dbs, int ndbs)
{
    for (int d = 0; d < ndbs; d++) {
        struct db *db = &dbs[d];
        for (unsigned s = 0; s < KS_SHARDS; s++) {
            ks_flush_shard(db, s);
            /* Emptied by the clients closing at shutdown. */
            if (db->shards[s].blocked) dict_free(db->shards[s].blocked);
            pthread_mutex_destroy(&db->shards[s].lock);
        }
    }
    mem_free(dbs);
}

void ks_init(int ndbs)
{
    hash_seed = util_rand64();
    keyspace.ndbs = ndbs;
    keyspace.dbs = ks_dbs_create(ndbs);
}

void ks_destroy(void)
{
    ks_dbs_free(keyspace.dbs, keyspace.ndbs);
    keyspace.dbs = NULL;
}

/* Set while this thread holds every shard lock of every database (an EXEC
 * whose commands lock for themselves): their own lock calls are then
 * already satisfied. */
static __thread int holding_everything;

void ks_hold_everything(int on)
{
    holding_everything = on;
}

/* What a thread writes in the shards it holds: the address of a variable
 * of its own, unique among the running threads. */
static __thread char holder_token;

atomic_int ks_snapshot_running;
void (*ks_unit_hook)(struct db *db, unsigned shard);

/* A shard was just locked: the snapshot in progress, if any, gets the
 * shard's contents before anything can change them. */
static void shard_locked(struct db *db, unsigned shard)
{
    atomic_store_explicit(&db->shards[shard].holder, (uintptr_t)&holder_token,
                          memory_order_relaxed);
    if (atomic_load_explicit(&ks_snapshot_running, memory_order_relaxed)) ks_unit_hook(db, shard);
}

void ks_lock(struct db *db, unsigned shard)
{
    if (holding_everything) return;
    pthread_mutex_lock(&db->shards[shard].lock);
    shard_locked(db, shard);
}

int ks_trylock(struct db *db, unsigned shard)
{
    if (holding_everything) return 0;
    if (pthread_mutex_trylock(&db->shards[shard].lock) != 0) return -1;
    shard_locked(db, shard);
    return 0;
}

void ks_unlock(struct db *db, unsigned shard)
{
    if (holding_everything) return;
    struct shard *sh = &db->shards[shard];
    atomic_store_explicit(&sh->holder, 0, memory_order_relaxed);
    pthread_mutex_unlock(&sh->lock);
}

int ks_holds(struct db *db, unsigned shard)
{
    if (holding_everything) return 1;
    return atomic_load_explicit(&db->shards[shard].holder, memory_order_relaxed) ==
           (uintptr_t)&holder_token;
}

void ks_lock_all(struct db *db)
{
    for (unsigned s = 0; s < KS_SHARDS; s++) ks_lock(db, s);
}

void ks_unlock_all(struct db *db)
{
    for (unsigned s = KS_SHARDS; s-- > 0;) ks_unlock(db, s);
}

static void shard_publish_counts(struct shard *sh)
{
    atomic_store_explicit(&sh->nkeys_pub, table_size(&sh->table), memory_order_relaxed);
    atomic_store_explicit(&sh->nexpires_pub, sh->nvkeys, memory_order_relaxed);
}

uint32_t ks_lru_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (uint32_t)ts.tv_sec;
}

static void shard_changed(struct shard *sh, const char *key, size_t len, int present);

void ks_touch(struct db *db, const struct entry *e)
{
    shard_changed(&db->shards[ks_shard_of(e->key, e->keylen)], e->key, e->keylen, 1);
}

static void shard_remove_volatile(struct shard *sh, struct entry *e)
{
    uint32_t slot = e->vslot;
    if (slot == KS_NO_EXPIRE) return;
    uint32_t last = --sh->nvkeys;
    if (slot != last) {
        sh->vkeys[slot] = sh->vkeys[last];
        sh->vkeys[slot].entry->vslot = slot;
    }
    e->vslot = KS_NO_EXPIRE;
}

/* Every change to a key passes here or through shard_changed: the unit
 * version moves (snapshots) and WATCHers of the key are told. */
static void shard_changed(struct shard *sh, const char *key, size_t len, int present)
{
    sh->unit_version++;
    if (sh->watched) watch_touch_shard(sh, key, len, present);
}

static void shard_delete_entry(struct db *db, struct shard *sh, uint64_t hash, struct entry *e)
{
    if (sh->watched) watch_touch_shard(sh, e->key, e->keylen, 0);
    shard_remove_volatile(sh, e);
    table_remove(&sh->table, hash, e->key, e->keylen);
    sh->unit_version++;
    ks_free_entry(e);
    shard_publish_counts(sh);
}

/* Deletes an entry whose time has passed, counted (its watchers are told
 * as for any deletion: an expired key is a changed key for WATCH). */
static void shard_expire_entry(struct db *db, struct shard *sh, uint64_t hash, struct entry *e)
{
    propagate_deletion(db, e->key, e->keylen);
    shard_delete_entry(db, sh, hash, e);
    atomic_fetch_add_explicit(&keyspace.expired_keys, 1, memory_order_relaxed);
}

static int entry_expired(const struct shard *sh, const struct entry *e, int64_t now_ms)
{
    /* Redis's keyIsExpired: a key lives through its expire millisecond. */
    return e->vslot != KS_NO_EXPIRE && sh->vkeys[e->vslot].expire_ms < now_ms;
}

void ks_prefetch(struct db *db, uint64_t hash)
{
    struct shard *sh = &db->shards[ks_shard_of_hash(hash)];
    __builtin_prefetch(&sh->lock, 1);
    table_prefetch(&sh->table, hash);
}

void ks_prefetch_chain(struct db *db, uint64_t hash)
{
    unsigned shard = ks_shard_of_hash(hash);
    if (ks_trylock(db, shard) != 0) return; /* busy: a hint can be skipped */
    table_prefetch_chain(&db->shards[shard].table, hash);
    ks_unlock(db, shard);
}

__thread int ks_expiry_policy;

struct entry *ks_find(struct db *db, const char *key, size_t len, int64_t now_ms)
{
    uint64_t h = ks_hash(key, len);
    struct shard *sh = &db->shards[ks_shard_of_hash(h)];
    struct entry *e = table_find(&sh->table, h, key, len);
    if (!e) return NULL;
    if (ks_expiry_policy != KS_EXPIRY_IGNORE && entry_expired(sh, e, now_ms)) {
        if (ks_expiry_policy == KS_EXPIRY_DELETE) shard_expire_entry(db, sh, h, e);
        return NULL;
    }
    e->lru = ks_lru_clock();
    return e;
}

int ks_expire_if_needed(struct db *db, struct entry *e, int64_t now_ms)
{
    uint64_t h = ks_hash(e->key, e->keylen);
    struct shard *sh = &db->shards[ks_shard_of_hash(h)];
    if (ks_expiry_policy == KS_EXPIRY_IGNORE || !entry_expired(sh, e, now_ms)) return 0;
    if (ks_expiry_policy == KS_EXPIRY_DELETE) shard_expire_entry(db, sh, h, e);
    return 1;
}

struct entry *ks_peek(struct db *db, const char *key, size_t len)
{
    uint64_t h = ks_hash(key, len);
    struct shard *sh = &db->shards[ks_shard_of_hash(h)];
    return table_find(&sh->table, h, key, len);
}

static struct entry *entry_new(const char *key, size_t len, enum value_type type, size_t value_room)
{
    if (value_room > ENTRY_INLINE_CAPACITY_MASK) value_room = ENTRY_INLINE_CAPACITY_MASK;
    struct entry *e = mem_alloc(sizeof(*e) + len + value_room);
    memset(e, 0, sizeof(*e));
    e->keylen = (uint32_t)len;
    e->vslot = KS_NO_EXPIRE;
    e->type = (uint8_t)type;
    e->lru = ks_lru_clock();
    memcpy(e->key, key, len);
    /* The size class usually leaves some bytes over: they hold values too. */
    size_t room = mem_usable(e) - sizeof(*e) - len;
    if (room > ENTRY_INLINE_CAPACITY_MASK) room = ENTRY_INLINE_CAPACITY_MASK;
    e->flags = (uint16_t)room;
    return e;
}

/* Links e, whose key is absent, into its shard (the shard lock held). */
static void shard_link(struct db *db, struct shard *sh, uint64_t h, struct entry *e)
{
    table_insert(&sh->table, h, e);
    shard_changed(sh, e->key, e->keylen, 1);
    shard_publish_counts(sh);
    if (sh->blocked && (e->type == TYPE_LIST || e->type == TYPE_ZSET))
        blocking_signal_key(db, sh, e->key, e->keylen);
}

static struct entry *shard_insert_new(struct db *db, uint64_t h, const char *key, size_t len,
                                      enum value_type type, size_t value_room)
{
    struct entry *e = entry_new(key, len, type, value_room);
    shard_link(db, &db->shards[ks_shard_of_hash(h)], h, e);
    return e;
}

struct entry *ks_add(struct db *db, const char *key, size_t len, enum value_type type)
{
    return shard_insert_new(db, ks_hash(key, len), key, len, type, 0);
}

struct entry *ks_add_sized(struct db *db, const char *key, size_t len, enum value_type type,
                           size_t value_room)
{
    return shard_insert_new(db, ks_hash(key, len), key, len, type, value_room);
}

struct entry *ks_entry_new(const char *key, size_t len, enum value_type type, size_t value_room)
{
    return entry_new(key, len, type, value_room);
}

int ks_link_unique(struct db *db, uint64_t hash, struct entry *e)
{
    struct shard *sh = &db->shards[ks_shard_of_hash(hash)];
    if (table_find(&sh->table, hash, e->key, e->keylen)) return -1;
    shard_link(db, sh, hash, e);
    return 0;
}

int ks_delete(struct db *db, const char *key, size_t len)
{
    uint64_t h = ks_hash(key, len);
    struct shard *sh = &db->shards[ks_shard_of_hash(h)];
    struct entry *e = table_find(&sh->table, h, key, len);
    if (!e) return 0;
    shard_delete_entry(db, sh, h, e);
    return 1;
}

struct entry *ks_unlink(struct db *db, const char *key, size_t len)
{
    uint64_t h = ks_hash(key, len);
    struct shard *sh = &db->shards[ks_shard_of_hash(h)];
    struct entry *e = table_find(&sh->table, h, key, len);
    if (!e) return NULL;
    shard_remove_volatile(sh, e);
    table_remove(&sh->table, h, key, len);
    shard_changed(sh, key, len, 0);
    shard_publish_counts(sh);
    return e;
}

struct entry *ks_relink(struct db *db, struct entry *old, const char *key, size_t len)
{
    size_t room = entry_inline_capacity(old);
    struct entry *e = shard_insert_new(db, ks_hash(key, len), key, len, old->type, room);
    e->encoding = old->encoding;
    e->flags = (uint16_t)((old->flags & ~ENTRY_INLINE_CAPACITY_MASK) | entry_inline_capacity(e));
    e->v = old->v;
    if (old->flags & ENTRY_INLINE_VALUE)
        memcpy(entry_inline_bytes(e), entry_inline_bytes(old), room);
    mem_free(old);
    return e;
}

void ks_free_entry(struct entry *e)
{
    value_free(e);
    mem_free(e);
}

static struct shard *entry_shard(struct db *db, const struct entry *e)
{
    return &db->shards[ks_shard_of(e->key, e->keylen)];
}

int64_t ks_get_expire(struct db *db, const struct entry *e)
{
    if (e->vslot == KS_NO_EXPIRE) return -1;
    return entry_shard(db, e)->vkeys[e->vslot].expire_ms;
}

void ks_set_expire(struct db *db, struct entry *e, int64_t when_ms)
{
    struct shard *sh = entry_shard(db, e);
    if (e->vslot == KS_NO_EXPIRE) {
        if (sh->nvkeys == sh->vkeys_cap) {
            sh->vkeys_cap = sh->vkeys_cap ? sh->vkeys_cap * 2 : 16;
            sh->vkeys = mem_realloc(sh->vkeys, sh->vkeys_cap * sizeof(*sh->vkeys));
        }
        e->vslot = sh->nvkeys++;
        sh->vkeys[e->vslot].entry = e;
    }
    sh->vkeys[e->vslot].expire_ms = when_ms;
    shard_changed(sh, e->key, e->keylen, 1);
    shard_publish_counts(sh);
}

int ks_persist(struct db *db, struct entry *e)
{
    if (e->vslot == KS_NO_EXPIRE) return 0;
    struct shard *sh = entry_shard(db, e);
    shard_remove_volatile(sh, e);
    shard_changed(sh, e->key, e->keylen, 1);
    shard_publish_counts(sh);
    return 1;
}

static void free_entry_cb(void *ctx, struct entry *e)
{
    (void)ctx;
    ks_free_entry(e);
}

void ks_reserve(struct db *db, uint64_t nkeys)
{
    uint64_t per_shard = nkeys / KS_SHARDS + 1;
    if (per_shard > KS_RESERVE_MAX) per_shard = KS_RESERVE_MAX; /* a hint, maybe a lie */
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        ks_lock(db, s);
        table_reserve(&db->shards[s].table, per_shard);
        ks_unlock(db, s);
    }
}

uint64_t ks_flush_db(struct db *db)
{
    watch_touch_db(db, NULL);
    uint64_t removed = ks_db_size(db);
    for (unsigned s = 0; s < KS_SHARDS; s++) ks_flush_shard(db, s);
    return removed;
}

void ks_flush_shard(struct db *db, unsigned shard)
{
    struct shard *sh = &db->shards[shard];
    table_foreach(&sh->table, free_entry_cb, NULL);
    table_release(&sh->table);
    mem_free(sh->vkeys);
    sh->vkeys = NULL;
    sh->nvkeys = sh->vkeys_cap = 0;
    sh->expire_cursor = 0;
    sh->unit_version++;
    shard_publish_counts(sh);
}

void ks_swap_shards(struct shard *a, struct shard *b)
{
    table_swap(&a->table, &b->table);
    struct volatile_key *vk = a->vkeys;
    a->vkeys = b->vkeys;
    b->vkeys = vk;
    uint32_t n = a->nvkeys, cap = a->vkeys_cap;
    a->nvkeys = b->nvkeys;
    a->vkeys_cap = b->vkeys_cap;
    b->nvkeys = n;
    b->vkeys_cap = cap;
    a->expire_cursor = b->expire_cursor = 0;
    a->unit_version++;
    b->unit_version++;
    shard_publish_counts(a);
    shard_publish_counts(b);
}

uint64_t ks_db_size(const struct db *db)
{
    uint64_t n = 0;
    for (unsigned s = 0; s < KS_SHARDS; s++)
        n += atomic_load_explicit(&db->shards[s].nkeys_pub, memory_order_relaxed);
    return n;
}

uint64_t ks_db_expires(const struct db *db)
{
    uint64_t n = 0;
    for (unsigned s = 0; s < KS_SHARDS; s++)
        n += atomic_load_explicit(&db->shards[s].nexpires_pub, memory_order_relaxed);
    return n;
}

uint64_t ks_scan_shard(struct db *db, unsigned shard, uint64_t cursor,
                       void (*fn)(void *ctx, struct entry *e), void *ctx)
{
    return table_scan(&db->shards[shard].table, cursor, fn, ctx);
}

void ks_foreach_shard(struct db *db, unsigned shard, void (*fn)(void *ctx, struct entry *e),
                      void *ctx)
{
    table_foreach(&db->shards[shard].table, fn, ctx);
}

struct entry *ks_random_in_shard(struct db *db, unsigned shard)
{
    return table_random(&db->shards[shard].table);
}

/* Samples up to EXPIRE_SAMPLE volatile keys of a shard, walking its
 * volatile array with a cursor; deletes the expired ones. Returns how many
 * were sampled and sets *expired. Also feeds the db's average TTL. */
static int shard_expire_round(struct db *db, struct shard *sh, int64_t now_ms, int *expired)
{
    int sampled = 0;
    double ttl_sum = 0; /* TTLs reach 2^63 ms: a double cannot overflow */
    int ttl_n = 0;
    *expired = 0;
    /* Never more samples than keys: a small shard is not sampled twice over. */
    int limit = sh->nvkeys < EXPIRE_SAMPLE ? (int)sh->nvkeys : EXPIRE_SAMPLE;
    while (sampled < limit && sh->nvkeys > 0) {
        if (sh->expire_cursor >= sh->nvkeys) sh->expire_cursor = 0;
        struct volatile_key *vk = &sh->vkeys[sh->expire_cursor];
        sampled++;
        if (vk->expire_ms < now_ms) {
            struct entry *e = vk->entry;
            /* The last element moves into this slot: re-examine the slot. */
            shard_expire_entry(db, sh, ks_hash(e->key, e->keylen), e);
            (*expired)++;
        } else {
            ttl_sum += (double)(vk->expire_ms - now_ms);
            ttl_n++;
            sh->expire_cursor++;
        }
    }
    if (ttl_n > 0) {
        /* Exponential moving average, as Redis updates avg_ttl. */
        long long avg = (long long)(ttl_sum / ttl_n);
        long long old = atomic_load_explicit(&db->avg_ttl, memory_order_relaxed);
        long long next = old == 0 ? avg : (long long)((double)old / 50 * 49 + (double)avg / 50);
        atomic_store_explicit(&db->avg_ttl, next, memory_order_relaxed);
    }
    return sampled;
}

/* Samples one shard until a round finds few enough expired keys or the
 * deadline passes. Returns 1 when the deadline passed. */
static int shard_active_expire(struct db *db, unsigned s, int64_t now_ms, int64_t deadline)
{
    struct shard *sh = &db->shards[s];
    if (atomic_load_explicit(&sh->nexpires_pub, memory_order_relaxed) == 0) return 0;
    /* Rounds per shard are bounded; the deadline bounds the pass. */
    for (int round = 0; round < 64; round++) {
        int expired = 0;
        ks_lock(db, s);
        int sampled = shard_expire_round(db, sh, now_ms, &expired);
        table_rehash_step(&sh->table, 1);
        ks_unlock(db, s);
        if (util_monotonic_us() > deadline) return 1;
        if (sampled == 0 || expired * 100 <= sampled * EXPIRE_STALE_PERCENT) break;
    }
    return 0;
}

/* Walks this worker's (db, shard) pairs from where its previous pass
 * stopped, once around at most, so a budget too small for all of them
 * still reaches every shard over successive passes (as Redis resumes its
 * cycle at the db and cursor where it stopped). */
void ks_active_expire(int worker, int nworkers, int64_t budget_us, int64_t now_ms)
{
    if (!__atomic_load_n(&ks_active_expire_enabled, __ATOMIC_RELAXED)) return;
    int64_t deadline = util_monotonic_us() + budget_us;
    unsigned per_db = (KS_SHARDS - (unsigned)worker + (unsigned)nworkers - 1) / (unsigned)nworkers;
    unsigned total = per_db * (unsigned)keyspace.ndbs;
    unsigned *cursor = &keyspace.expire_cursor[worker % KS_MAX_WORKERS];
    for (unsigned visited = 0; visited < total; visited++) {
        unsigned pos = *cursor % total;
        *cursor = (pos + 1) % total;
        struct db *db = &keyspace.dbs[pos / per_db];
        if (pos % per_db == 0 && ks_db_expires(db) == 0) {
            atomic_store_explicit(&db->avg_ttl, 0, memory_order_relaxed);
            *cursor = (pos + per_db) % total; /* skip the whole db */
            visited += per_db - 1;
            continue;
        }
        unsigned s = (unsigned)worker + (pos % per_db) * (unsigned)nworkers;
        if (shard_active_expire(db, s, now_ms, deadline)) return;
    }
}

void ks_rehash_idle(int worker, int nworkers, int64_t budget_us)
{
    int64_t deadline = util_monotonic_us() + budget_us;
    for (int d = 0; d < keyspace.ndbs; d++) {
        struct db *db = &keyspace.dbs[d];
        for (unsigned s = (unsigned)worker; s < KS_SHARDS; s += (unsigned)nworkers) {
            struct shard *sh = &db->shards[s];
            if (pthread_mutex_trylock(&sh->lock) != 0) continue;
            while (table_rehash_step(&sh->table, 100) && util_monotonic_us() < deadline) {
            }
            pthread_mutex_unlock(&sh->lock);
            if (util_monotonic_us() >= deadline) return;
        }
    }
}
