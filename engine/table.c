/*
 * table: incrementally resizing chained hash table. See table.h.
 *
 * buckets[0] is the live array; during a resize buckets[1] is the new one
 * and rehash_index walks buckets[0], moving one chain at a time. New keys go
 * into buckets[1] while a resize is under way, so buckets[0] only shrinks.
 */
#include "engine/table.h"

#include <string.h>

#include "engine/alloc.h"
#include "engine/util.h"

#define TABLE_MIN_SIZE 4

/* Publishes the live bucket array for lock-free prefetching. */
static void table_publish(struct table *t)
{
    __atomic_store_n(&t->hint_buckets, t->buckets[0], __ATOMIC_RELAXED);
    __atomic_store_n(&t->hint_mask, t->mask[0], __ATOMIC_RELAXED);
}

void table_init(struct table *t)
{
    for (int i = 0; i < 2; i++) {
        t->buckets[i] = NULL;
        t->mask[i] = 0;
        t->used[i] = 0;
    }
    t->rehash_index = -1;
    table_publish(t);
}

void table_swap(struct table *a, struct table *b)
{
    for (int i = 0; i < 2; i++) {
        struct entry **buckets = a->buckets[i];
        uint64_t mask = a->mask[i], used = a->used[i];
        a->buckets[i] = b->buckets[i];
        a->mask[i] = b->mask[i];
        a->used[i] = b->used[i];
        b->buckets[i] = buckets;
        b->mask[i] = mask;
        b->used[i] = used;
    }
    int64_t rehash = a->rehash_index;
    a->rehash_index = b->rehash_index;
    b->rehash_index = rehash;
    table_publish(a);
    table_publish(b);
}

void table_prefetch(const struct table *t, uint64_t hash)
{
    struct entry **buckets = __atomic_load_n(&t->hint_buckets, __ATOMIC_RELAXED);
    uint64_t mask = __atomic_load_n(&t->hint_mask, __ATOMIC_RELAXED);
    if (buckets) util_prefetch(&buckets[hash & mask]);
}

void table_prefetch_chain(const struct table *t, uint64_t hash)
{
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) continue;
        const struct entry *e = t->buckets[i][hash & t->mask[i]];
        if (e) util_prefetch(e);
    }
}

void table_release(struct table *t)
{
    mem_free(t->buckets[0]);
    mem_free(t->buckets[1]);
    table_init(t);
}

uint64_t table_size(const struct table *t)
{
    return t->used[0] + t->used[1];
}

static int table_resizing(const struct table *t)
{
    return t->rehash_index >= 0;
}

static int entry_matches(const struct entry *e, const char *key, size_t len)
{
    return e->keylen == len && memcmp(e->key, key, len) == 0;
}

/* Moves bucket rehash_index of the old array into the new one. */
static void table_move_bucket(struct table *t)
{
    struct entry *e = t->buckets[0][t->rehash_index];
    while (e) {
        struct entry *next = e->next;
        uint64_t slot = ks_hash(e->key, e->keylen) & t->mask[1];
        e->next = t->buckets[1][slot];
        t->buckets[1][slot] = e;
        t->used[0]--;
        t->used[1]++;
        e = next;
    }
    t->buckets[0][t->rehash_index] = NULL;
    t->rehash_index++;
}

static void table_finish_resize(struct table *t)
{
    mem_free(t->buckets[0]);
    t->buckets[0] = t->buckets[1];
    t->mask[0] = t->mask[1];
    t->used[0] = t->used[1];
    t->buckets[1] = NULL;
    t->mask[1] = 0;
    t->used[1] = 0;
    t->rehash_index = -1;
    table_publish(t);
}

/* Skips at most 10*n empty buckets, as Redis's dictRehash, so one step is
 * bounded even in a sparse table. */
int table_rehash_step(struct table *t, int n)
{
    if (!table_resizing(t)) return 0;
    int empty_visits = n * 10;
    uint64_t size0 = t->mask[0] + 1;
    while (n > 0 && (uint64_t)t->rehash_index < size0) {
        if (!t->buckets[0][t->rehash_index]) {
            t->rehash_index++;
            if (--empty_visits == 0) break;
            continue;
        }
        table_move_bucket(t);
        n--;
    }
    if ((uint64_t)t->rehash_index >= size0) {
        table_finish_resize(t);
        return 0;
    }
    return 1;
}

static void table_start_resize(struct table *t, uint64_t size)
{
    struct entry **b = mem_calloc(size, sizeof(*b));
    if (!t->buckets[0]) {
        t->buckets[0] = b;
        t->mask[0] = size - 1;
        table_publish(t);
        return;
    }
    t->buckets[1] = b;
    t->mask[1] = size - 1;
    t->used[1] = 0;
    t->rehash_index = 0;
}

static uint64_t table_size_for(uint64_t n)
{
    uint64_t size = TABLE_MIN_SIZE;
    while (size < n) size <<= 1;
    return size;
}

/* Grows at load factor 1 (on insert) and shrinks below 1/8 (on remove:
 * a table reserved ahead of a load must not shrink as its first key
 * arrives), never during a resize. */
static void table_maybe_resize(struct table *t, int removed)
{
    if (table_resizing(t)) return;
    uint64_t used = t->used[0];
    if (!t->buckets[0]) {
        table_start_resize(t, TABLE_MIN_SIZE);
        return;
    }
    uint64_t size = t->mask[0] + 1;
    if (!removed && used >= size)
        table_start_resize(t, table_size_for(used + 1) * 2);
    else if (removed && size > TABLE_MIN_SIZE && used * 8 < size)
        table_start_resize(t, table_size_for(used));
}

void table_reserve(struct table *t, uint64_t n)
{
    if (t->buckets[0] || table_resizing(t)) return; /* only a table never grown */
    table_start_resize(t, table_size_for(n));
}

struct entry *table_find(struct table *t, uint64_t hash, const char *key, size_t len)
{
    if (!t->buckets[0]) return NULL;
    if (table_resizing(t)) table_rehash_step(t, 1);
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) break;
        for (struct entry *e = t->buckets[i][hash & t->mask[i]]; e; e = e->next)
            if (entry_matches(e, key, len)) return e;
        if (!table_resizing(t)) break;
    }
    return NULL;
}

void table_insert(struct table *t, uint64_t hash, struct entry *e)
{
    table_maybe_resize(t, 0);
    if (table_resizing(t)) table_rehash_step(t, 1);
    int i = table_resizing(t) ? 1 : 0;
    uint64_t slot = hash & t->mask[i];
    e->next = t->buckets[i][slot];
    t->buckets[i][slot] = e;
    t->used[i]++;
}

struct entry *table_remove(struct table *t, uint64_t hash, const char *key, size_t len)
{
    if (!t->buckets[0]) return NULL;
    if (table_resizing(t)) table_rehash_step(t, 1);
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) break;
        struct entry **link = &t->buckets[i][hash & t->mask[i]];
        for (struct entry *e = *link; e; link = &e->next, e = e->next) {
            if (!entry_matches(e, key, len)) continue;
            *link = e->next;
            e->next = NULL;
            t->used[i]--;
            table_maybe_resize(t, 1);
            return e;
        }
        if (!table_resizing(t)) break;
    }
    return NULL;
}

static uint64_t reverse_bits(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}

/* Adds one to the cursor counted from its high bits down, after setting
 * every bit above the mask: the order that keeps a scan valid whether the
 * table grows or shrinks between calls. */
static uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    v = reverse_bits(v);
    v++;
    return reverse_bits(v);
}

static void visit_chain(struct entry *e, void (*fn)(void *, struct entry *), void *ctx)
{
    while (e) {
        struct entry *next = e->next;
        fn(ctx, e);
        e = next;
    }
}

uint64_t table_scan(struct table *t, uint64_t cursor, void (*fn)(void *ctx, struct entry *e),
                    void *ctx)
{
    if (table_size(t) == 0 || !t->buckets[0]) return 0;
    if (!table_resizing(t)) {
        visit_chain(t->buckets[0][cursor & t->mask[0]], fn, ctx);
        return cursor_next(cursor, t->mask[0]);
    }
    /* Resizing: visit the bucket of the smaller array, then every bucket of
     * the larger one that its entries can spread to. */
    int small = t->mask[0] <= t->mask[1] ? 0 : 1, large = 1 - small;
    uint64_t m0 = t->mask[small], m1 = t->mask[large];
    visit_chain(t->buckets[small][cursor & m0], fn, ctx);
    do {
        visit_chain(t->buckets[large][cursor & m1], fn, ctx);
        cursor = cursor_next(cursor, m1);
    } while (cursor & (m0 ^ m1));
    return cursor;
}

struct entry *table_random(struct table *t)
{
    if (table_size(t) == 0) return NULL;
    if (table_resizing(t)) table_rehash_step(t, 1);
    struct entry *e = NULL;
    /* Bounded: a non-empty table has at least one non-empty bucket, and the
     * fallback below walks the arrays in order if sampling keeps missing. */
    for (int attempt = 0; attempt < 1000 && !e; attempt++) {
        int i = 0;
        if (table_resizing(t)) {
            uint64_t s0 = t->mask[0] + 1 - (uint64_t)t->rehash_index;
            uint64_t s1 = t->mask[1] + 1;
            uint64_t r = util_rand64() % (s0 + s1);
            if (r < s0)
                e = t->buckets[0][(uint64_t)t->rehash_index + r];
            else
                e = t->buckets[1][r - s0];
            (void)i;
        } else {
            e = t->buckets[0][util_rand64() & t->mask[0]];
        }
    }
    for (int i = 0; i < 2 && !e; i++) {
        if (!t->buckets[i]) continue;
        for (uint64_t b = 0; b <= t->mask[i] && !e; b++) e = t->buckets[i][b];
    }
    if (!e) return NULL;
    unsigned len = 0;
    for (struct entry *p = e; p; p = p->next) len++;
    unsigned pick = (unsigned)(util_rand64() % len);
    while (pick--) e = e->next;
    return e;
}

/* A walk over a large table (a snapshot, a save) is otherwise two cache
 * misses per key: the entry, then its value when held apart. The first
 * entry of the bucket FOREACH_ENTRY_AHEAD on is fetched, and the value of
 * the one FOREACH_VALUE_AHEAD on, whose entry is in cache by then. */
#define FOREACH_ENTRY_AHEAD 16
#define FOREACH_VALUE_AHEAD 8

static void prefetch_ahead(struct entry **buckets, uint64_t b, uint64_t size)
{
    if (b + FOREACH_ENTRY_AHEAD < size) {
        const char *e = (const char *)buckets[b + FOREACH_ENTRY_AHEAD];
        if (e) {
            util_prefetch(e);
            util_prefetch(e + 64); /* the key and an inline value */
        }
    }
    if (b + FOREACH_VALUE_AHEAD < size) {
        const struct entry *e = buckets[b + FOREACH_VALUE_AHEAD];
        if (e && e->encoding != ENC_INT && !(e->flags & ENTRY_INLINE_VALUE))
            util_prefetch(e->v.ptr);
    }
}

void table_foreach(struct table *t, void (*fn)(void *ctx, struct entry *e), void *ctx)
{
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) continue;
        uint64_t size = t->mask[i] + 1;
        for (uint64_t b = 0; b < size; b++) {
            prefetch_ahead(t->buckets[i], b, size);
            visit_chain(t->buckets[i][b], fn, ctx);
        }
    }
}
