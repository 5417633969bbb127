/*
 * watch: the records behind WATCH (see watch.h for the rules and owners).
 */
#include "engine/watch.h"

#include <stdatomic.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/client.h"
#include "engine/util.h"

struct watched_key {
    struct watched_key *shard_next;  /* the shard's list (shard lock) */
    struct watched_key *client_next; /* the client's list (its worker) */
    struct client *client;
    struct db *db;
    unsigned shard;
    int expired; /* the key was logically expired when watched */
    uint32_t len;
    char key[];
};

static int same_key(const struct watched_key *wk, const char *key, size_t len)
{
    return wk->len == len && memcmp(wk->key, key, len) == 0;
}

/* True when the key is in the table but its time has passed. */
static int key_logically_expired(struct db *db, const char *key, size_t len, int64_t now_ms)
{
    struct entry *e = ks_peek(db, key, len);
    if (!e) return 0;
    int64_t when = ks_get_expire(db, e);
    return when != -1 && when < now_ms;
}

void watch_key(struct client *c, struct db *db, const char *key, size_t len, int64_t now_ms)
{
    for (struct watched_key *wk = c->watched; wk; wk = wk->client_next)
        if (wk->db == db && same_key(wk, key, len)) return;
    struct watched_key *wk = mem_alloc(sizeof(*wk) + len);
    wk->client = c;
    wk->db = db;
    wk->shard = ks_shard_of(key, len);
    wk->expired = key_logically_expired(db, key, len, now_ms);
    wk->len = (uint32_t)len;
    memcpy(wk->key, key, len);
    struct shard *sh = &db->shards[wk->shard];
    wk->shard_next = sh->watched;
    sh->watched = wk;
    wk->client_next = c->watched;
    c->watched = wk;
    __atomic_store_n(&c->nwatched, c->nwatched + 1, __ATOMIC_RELAXED);
}

static void mark_dirty(struct client *c)
{
    atomic_store(&c->dirty_cas, 1);
}

void watch_touch_shard(struct shard *sh, const char *key, size_t len, int present)
{
    for (struct watched_key *wk = sh->watched; wk; wk = wk->shard_next) {
        if (!same_key(wk, key, len)) continue;
        if (wk->expired) {
            /* Watched while stale: its deletion is no change (once
             * deleted, the key is watched like any other). */
            if (!present) wk->expired = 0;
            continue;
        }
        mark_dirty(wk->client);
    }
}

/* One watched key of a database being emptied or swapped (Redis's
 * touchAllWatchedKeysInDb). */
static void touch_for_db_change(struct watched_key *wk, struct db *emptied,
                                struct db *replaced_with)
{
    int in_emptied = ks_peek(emptied, wk->key, wk->len) != NULL;
    struct entry *repl = replaced_with ? ks_peek(replaced_with, wk->key, wk->len) : NULL;
    if (!in_emptied && !repl) return;
    int64_t now = util_ms_now();
    int repl_expired = repl && ks_get_expire(replaced_with, repl) != -1 &&
                       ks_get_expire(replaced_with, repl) < now;
    if (wk->expired) {
        if (!repl) {
            wk->expired = 0;
            return;
        }
        if (repl_expired) return;
    } else if (!in_emptied && repl_expired) {
        wk->expired = 1;
        return;
    }
    mark_dirty(wk->client);
}

void watch_touch_db(struct db *emptied, struct db *replaced_with)
{
    for (unsigned s = 0; s < KS_SHARDS; s++)
        for (struct watched_key *wk = emptied->shards[s].watched; wk; wk = wk->shard_next)
            touch_for_db_change(wk, emptied, replaced_with);
}

void watch_foreach_shard(const struct client *c,
                         void (*fn)(void *ctx, struct db *db, unsigned shard), void *ctx)
{
    for (const struct watched_key *wk = c->watched; wk; wk = wk->client_next)
        fn(ctx, wk->db, wk->shard);
}

int watch_any_expired_held(struct client *c, int64_t now_ms)
{
    for (struct watched_key *wk = c->watched; wk; wk = wk->client_next)
        if (!wk->expired && key_logically_expired(wk->db, wk->key, wk->len, now_ms)) return 1;
    return 0;
}

/* Unlinks and frees every record of c; take_locks 0: the caller holds the
 * shards' locks already. */
static void unwatch_all(struct client *c, int take_locks)
{
    struct watched_key *wk = c->watched;
    c->watched = NULL;
    __atomic_store_n(&c->nwatched, 0, __ATOMIC_RELAXED);
    while (wk) {
        struct watched_key *next = wk->client_next;
        if (take_locks) ks_lock(wk->db, wk->shard);
        struct watched_key **link = &wk->db->shards[wk->shard].watched;
        while (*link != wk) link = &(*link)->shard_next;
        *link = wk->shard_next;
        if (take_locks) ks_unlock(wk->db, wk->shard);
        mem_free(wk);
        wk = next;
    }
}

void watch_unwatch_all(struct client *c)
{
    unwatch_all(c, 1);
}

void watch_unwatch_all_held(struct client *c)
{
    unwatch_all(c, 0);
}

unsigned watch_count(const struct client *c)
{
    return __atomic_load_n(&c->nwatched, __ATOMIC_RELAXED);
}
