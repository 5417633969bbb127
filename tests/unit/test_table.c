/*
 * test_table: unit tests of engine/table (the incrementally resizing hash
 * table of one keyspace shard) and of the keyspace's shard locks under
 * concurrency (engine/keyspace).
 *
 * The table tests own their entries: one arena of fixed-size entries whose
 * v.i holds the entry's id, so every lookup can be checked for returning
 * exactly the expected pointer. check_layout() is the oracle: it walks both
 * bucket arrays directly, without the rehash step that every table_* call
 * makes, so it can inspect a resize frozen halfway and prove that every key
 * sits in the one bucket its hash selects, exactly once.
 *
 * The keyspace tests drive ks_* from several threads the way the command
 * dispatcher does (engine/command.c): lock the key's shard, or the shards
 * of several keys in ascending order, operate, unlock. Worker threads never
 * call Check (a failing assertion off the main thread cannot report
 * cleanly); they count errors and keep the first message for the main
 * thread to assert on after the join.
 */
#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/table.h"

/* ck_assert records a checkpoint on every passing call (a write to the
 * runner's message file), far too slow inside loops over a million keys:
 * there only the failure path may reach Check. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

/* The keyspace is process-global and Check forks every test: each test's
 * child initializes its own (which also draws a fresh hash seed). */
static void setup(void)
{
    ks_init(1);
}

static void teardown(void)
{
    ks_destroy();
}

/* ---- a set of caller-owned entries ------------------------------------ */

#define KEY_MAX 24
#define ENTRY_STRIDE (sizeof(struct entry) + KEY_MAX)

struct key_set {
    size_t n;
    unsigned char *arena;   /* n entries, ENTRY_STRIDE bytes apart */
    uint64_t *hashes;       /* ks_hash of each key */
    unsigned char *present; /* 1 while the entry is in the table */
    unsigned *seen;         /* scratch: visits counted by scans and checks */
};

static struct entry *key_entry(const struct key_set *set, size_t id)
{
    return (struct entry *)(set->arena + id * ENTRY_STRIDE);
}

static void key_set_init(struct key_set *set, size_t n, const char *prefix)
{
    set->n = n;
    set->arena = calloc(n, ENTRY_STRIDE);
    set->hashes = calloc(n, sizeof(*set->hashes));
    set->present = calloc(n, 1);
    set->seen = calloc(n, sizeof(*set->seen));
    ck_assert(set->arena && set->hashes && set->present && set->seen);
    for (size_t id = 0; id < n; id++) {
        struct entry *e = key_entry(set, id);
        int len = snprintf(e->key, KEY_MAX, "%s%zu", prefix, id);
        e->keylen = (uint32_t)len;
        e->vslot = KS_NO_EXPIRE;
        e->v.i = (int64_t)id;
        set->hashes[id] = ks_hash(e->key, (size_t)len);
    }
}

static void key_set_free(struct key_set *set)
{
    free(set->arena);
    free(set->hashes);
    free(set->present);
    free(set->seen);
}

/* Counts the resizes that start, by direction, as operations go by. */
struct resize_watch {
    int was_resizing;
    unsigned grows, shrinks;
};

static void watch_update(const struct table *t, struct resize_watch *w)
{
    int resizing = t->rehash_index >= 0;
    if (resizing && !w->was_resizing) {
        if (t->mask[1] > t->mask[0])
            w->grows++;
        else
            w->shrinks++;
    }
    w->was_resizing = resizing;
}

static void set_insert(struct table *t, struct key_set *set, size_t id, struct resize_watch *w)
{
    EXPECT(!set->present[id], "test bug: key %zu inserted twice", id);
    table_insert(t, set->hashes[id], key_entry(set, id));
    set->present[id] = 1;
    if (w) watch_update(t, w);
}

static void set_remove(struct table *t, struct key_set *set, size_t id, struct resize_watch *w)
{
    struct entry *e = key_entry(set, id);
    struct entry *got = table_remove(t, set->hashes[id], e->key, e->keylen);
    EXPECT(got == (set->present[id] ? e : NULL), "table_remove(%s) returned %p, expected %p",
           e->key, (void *)got, set->present[id] ? (void *)e : NULL);
    set->present[id] = 0;
    if (w) watch_update(t, w);
}

/* table_find of every key: present keys at their own entry, others absent. */
static void check_find_all(struct table *t, const struct key_set *set)
{
    for (size_t id = 0; id < set->n; id++) {
        const struct entry *e = key_entry(set, id);
        struct entry *got = table_find(t, set->hashes[id], e->key, e->keylen);
        EXPECT(got == (set->present[id] ? e : NULL), "table_find(%s) returned %p, expected %p",
               e->key, (void *)got, set->present[id] ? (void *)e : NULL);
    }
}

/* Walks one bucket array, checking that each entry is one of ours, in the
 * bucket its hash selects, and not met before; returns the entries seen. */
static uint64_t check_array(const struct table *t, int i, struct key_set *set)
{
    uint64_t count = 0;
    for (uint64_t b = 0; b <= t->mask[i]; b++) {
        for (const struct entry *e = t->buckets[i][b]; e; e = e->next) {
            EXPECT(count < set->n, "array %d holds more entries than exist: a chain loops", i);
            size_t id = (size_t)e->v.i;
            EXPECT(id < set->n && key_entry(set, id) == e, "foreign entry in array %d", i);
            EXPECT((set->hashes[id] & t->mask[i]) == b, "%s in bucket %llu of array %d, not %llu",
                   e->key, (unsigned long long)b, i,
                   (unsigned long long)(set->hashes[id] & t->mask[i]));
            EXPECT(set->seen[id] == 0, "%s linked twice", e->key);
            set->seen[id] = 1;
            count++;
        }
    }
    return count;
}

/* The oracle: the table holds exactly the present keys, each once, in the
 * right bucket; the counts and the resize state agree with the arrays. */
static void check_layout(const struct table *t, struct key_set *set)
{
    memset(set->seen, 0, set->n * sizeof(*set->seen));
    if (t->rehash_index >= 0) {
        EXPECT(t->buckets[0] && t->buckets[1], "resizing without both arrays");
        EXPECT((uint64_t)t->rehash_index <= t->mask[0], "rehash_index %lld past the old array",
               (long long)t->rehash_index);
        for (uint64_t b = 0; b < (uint64_t)t->rehash_index; b++)
            EXPECT(t->buckets[0][b] == NULL, "bucket %llu below rehash_index not moved",
                   (unsigned long long)b);
    } else {
        EXPECT(t->buckets[1] == NULL && t->used[1] == 0, "idle table with a second array");
    }
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) continue;
        uint64_t count = check_array(t, i, set);
        EXPECT(count == t->used[i], "array %d: used %llu but %llu entries linked", i,
               (unsigned long long)t->used[i], (unsigned long long)count);
    }
    uint64_t expected = 0;
    for (size_t id = 0; id < set->n; id++) {
        EXPECT(set->seen[id] == set->present[id], "%s is %s but %s", key_entry(set, id)->key,
               set->present[id] ? "present" : "absent", set->seen[id] ? "linked" : "not linked");
        expected += set->present[id];
    }
    EXPECT(table_size(t) == expected, "table_size %llu, expected %llu",
           (unsigned long long)table_size(t), (unsigned long long)expected);
}

/* Finishes a resize in progress (bounded: every step moves at least one
 * bucket or skips ten empty ones). */
static void finish_resize(struct table *t)
{
    for (int i = 0; i < 100000000 && table_rehash_step(t, 100); i++) continue;
    ck_assert_int_lt(t->rehash_index, 0);
}

/* ---- insert / find / remove at scale ---------------------------------- */

#define MILLION 1000000

START_TEST(test_million_keys_insert_find_remove)
{
    struct key_set set;
    struct table t;
    struct resize_watch w = {0};
    unsigned mid_resize_checks = 0;

    key_set_init(&set, MILLION, "key:");
    table_init(&t);
    ck_assert_ptr_null(table_find(&t, set.hashes[0], "key:0", 5));
    ck_assert_ptr_null(table_remove(&t, set.hashes[0], "key:0", 5));
    ck_assert_ptr_null(table_random(&t));

    /* Phase 1: insert everything, checking the layout whenever a resize
     * starts and at regular points (often mid-resize). */
    for (size_t id = 0; id < MILLION; id++) {
        unsigned grows = w.grows;
        set_insert(&t, &set, id, &w);
        if (w.grows != grows || id % 100000 == 99999) {
            if (t.rehash_index >= 0) mid_resize_checks++;
            check_layout(&t, &set);
        }
    }
    check_layout(&t, &set);
    check_find_all(&t, &set);
    ck_assert_uint_eq(table_size(&t), MILLION);
    /* 4, 16, 64, ... 1M buckets: at least eight growths, and the layout was
     * inspected while some of them were under way. */
    ck_assert_uint_ge(w.grows, 8);
    ck_assert_uint_ge(mid_resize_checks, 8);

    /* Phase 2: remove the odd keys. */
    for (size_t id = 1; id < MILLION; id += 2) set_remove(&t, &set, id, &w);
    check_layout(&t, &set);
    check_find_all(&t, &set);
    ck_assert_uint_eq(table_size(&t), MILLION / 2);

    /* Phase 3: keep one key in 64; the table must shrink on the way. */
    for (size_t id = 0; id < MILLION; id += 2)
        if (id % 64 != 0) set_remove(&t, &set, id, &w);
    check_layout(&t, &set);
    check_find_all(&t, &set);
    ck_assert_uint_eq(table_size(&t), (MILLION + 63) / 64);
    ck_assert_uint_ge(w.shrinks, 1);
    finish_resize(&t);
    ck_assert_uint_lt(t.mask[0] + 1, 1u << 20); /* it did get smaller */
    check_layout(&t, &set);

    /* Phase 4: put every removed key back. */
    for (size_t id = 0; id < MILLION; id++)
        if (!set.present[id]) set_insert(&t, &set, id, &w);
    check_layout(&t, &set);
    check_find_all(&t, &set);
    ck_assert_uint_eq(table_size(&t), MILLION);

    /* Phase 5: remove everything; nothing can be found afterwards. */
    for (size_t id = 0; id < MILLION; id++) set_remove(&t, &set, id, &w);
    check_layout(&t, &set);
    check_find_all(&t, &set);
    ck_assert_uint_eq(table_size(&t), 0);
    ck_assert_ptr_null(table_random(&t));
    ck_assert_uint_eq(table_scan(&t, 0, NULL, NULL), 0);

    table_release(&t);
    key_set_free(&set);
}
END_TEST

/* Looks every present key up, in a scrambled order, while a resize runs:
 * each lookup must return the key's own entry. Returns how many lookups
 * found the resize still in progress. The layout is checked every 4096
 * lookups while the resize lasts. */
static size_t find_all_during_resize(struct table *t, struct key_set *set)
{
    size_t during = 0, done = 0;
    /* 2654435761 is odd, so id * it mod n (n a power of two) visits every
     * id once. */
    size_t n = set->n;
    ck_assert((n & (n - 1)) == 0);
    for (size_t k = 0; k < n; k++) {
        size_t id = (k * 2654435761u) & (n - 1);
        if (!set->present[id]) continue;
        int resizing = t->rehash_index >= 0;
        const struct entry *e = key_entry(set, id);
        struct entry *got = table_find(t, set->hashes[id], e->key, e->keylen);
        EXPECT(got == e, "mid-resize table_find(%s) returned %p", e->key, (void *)got);
        if (resizing) {
            during++;
            if (++done % 4096 == 0 && t->rehash_index >= 0) check_layout(t, set);
        }
    }
    return during;
}

START_TEST(test_lookups_during_growth_and_shrink)
{
    struct key_set set;
    struct table t;
    struct resize_watch w = {0};
    const size_t n = 1u << 18;

    key_set_init(&set, n, "grow:");
    table_init(&t);

    /* Insert until a growth out of a 64Ki-bucket array starts. */
    size_t id = 0;
    while (id < n && !(t.rehash_index >= 0 && t.mask[0] + 1 >= 65536))
        set_insert(&t, &set, id++, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    ck_assert_uint_gt(t.mask[1], t.mask[0]);
    check_layout(&t, &set);

    /* Growth in progress: new keys go to the new array, and every key
     * (old and new) is found, mid-resize. */
    for (size_t k = 0; k < 1000; k++) set_insert(&t, &set, id++, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    check_layout(&t, &set);
    size_t during = find_all_during_resize(&t, &set);
    ck_assert_uint_ge(during, 16384); /* a 64Ki-bucket move takes >16Ki steps */
    check_layout(&t, &set);
    check_find_all(&t, &set);

    /* Now shrink: remove keys until a shrink starts, then look everything
     * up again while it runs. */
    finish_resize(&t);
    for (size_t k = 0; k < n && t.rehash_index < 0; k++)
        if (set.present[k]) set_remove(&t, &set, k, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    ck_assert_uint_lt(t.mask[1], t.mask[0]);
    ck_assert_uint_ge(w.shrinks, 1);
    check_layout(&t, &set);
    /* Removals and insertions in the middle of the shrink. */
    size_t removed = 0;
    for (size_t k = 0; k < n && removed < 500; k++)
        if (set.present[k]) set_remove(&t, &set, k, &w), removed++;
    for (size_t k = 0; k < 500; k++)
        if (!set.present[k]) set_insert(&t, &set, k, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    check_layout(&t, &set);
    during = find_all_during_resize(&t, &set);
    ck_assert_uint_ge(during, 1000);
    check_layout(&t, &set);
    check_find_all(&t, &set);

    /* A single step moves at most one non-empty bucket or skips ten empty
     * ones: the resize really is incremental. */
    for (id = 0; id < n; id++)
        if (!set.present[id]) set_insert(&t, &set, id, &w);
    finish_resize(&t);
    for (id = 0; id < n && t.rehash_index < 0; id++)
        if (set.present[id] && id % 16 != 0) set_remove(&t, &set, id, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    int64_t before = t.rehash_index;
    ck_assert_int_eq(table_rehash_step(&t, 1), 1);
    ck_assert_int_le(t.rehash_index - before, 10);
    ck_assert_int_gt(t.rehash_index, before);
    check_layout(&t, &set);

    table_release(&t);
    key_set_free(&set);
}
END_TEST

/* ---- scan --------------------------------------------------------------- */

struct scan_ctx {
    struct key_set *set;
    unsigned bad; /* visits of an entry that was not in the table */
};

static void scan_visit(void *arg, struct entry *e)
{
    struct scan_ctx *ctx = arg;
    size_t id = (size_t)e->v.i;
    if (id >= ctx->set->n || key_entry(ctx->set, id) != e || !ctx->set->present[id]) {
        ctx->bad++;
        return;
    }
    ctx->set->seen[id]++;
}

START_TEST(test_scan_visits_each_key_once_without_resize)
{
    struct key_set set;
    struct table t;
    struct scan_ctx ctx = {.set = &set};

    key_set_init(&set, 5000, "scan:");
    table_init(&t);
    for (size_t id = 0; id < set.n; id++) set_insert(&t, &set, id, NULL);
    finish_resize(&t);
    memset(set.seen, 0, set.n * sizeof(*set.seen));

    uint64_t cursor = 0;
    unsigned calls = 0;
    do {
        cursor = table_scan(&t, cursor, scan_visit, &ctx);
        calls++;
    } while (cursor != 0 && calls < 1000000);
    ck_assert_uint_eq(cursor, 0);
    ck_assert_uint_eq(calls, t.mask[0] + 1); /* one call per bucket */
    ck_assert_uint_eq(ctx.bad, 0);
    for (size_t id = 0; id < set.n; id++)
        EXPECT(set.seen[id] == 1, "%s visited %u times", key_entry(&set, id)->key, set.seen[id]);

    table_release(&t);
    key_set_free(&set);
}
END_TEST

/* One full scan of a table whose first nstable keys stay for the whole
 * scan, while between calls the other keys come and go: `period` calls of
 * inserting `burst` keys each, then `period` calls of removing them. Every
 * stable key must be visited at least once. Returns, through *stats, how
 * often the table grew, shrank and was caught mid-resize by a scan call. */
struct scan_stats {
    unsigned grows, shrinks, calls_mid_resize, calls;
};

static void scan_with_churn(size_t nstable, size_t nchurn, unsigned period, unsigned burst,
                            struct scan_stats *stats)
{
    struct key_set set;
    struct table t;
    struct resize_watch w = {0};
    struct scan_ctx ctx = {.set = &set};

    key_set_init(&set, nstable + nchurn, "churn:");
    table_init(&t);
    for (size_t id = 0; id < nstable; id++) set_insert(&t, &set, id, &w);
    memset(set.seen, 0, set.n * sizeof(*set.seen));
    w = (struct resize_watch){.was_resizing = t.rehash_index >= 0};
    memset(stats, 0, sizeof(*stats));

    /* Churn keys are inserted in order from next_in and removed in the
     * same order from next_out, so the live churn keys are a window. */
    size_t next_in = nstable, next_out = nstable;
    uint64_t cursor = 0;
    do {
        if (t.rehash_index >= 0) stats->calls_mid_resize++;
        cursor = table_scan(&t, cursor, scan_visit, &ctx);
        stats->calls++;
        int growing = (stats->calls / period) % 2 == 0;
        for (unsigned k = 0; k < burst; k++) {
            if (growing && next_in < set.n)
                set_insert(&t, &set, next_in++, &w);
            else if (!growing && next_out < next_in)
                set_remove(&t, &set, next_out++, &w);
            if (next_out == set.n) next_in = next_out = nstable; /* pool used up: reuse it */
        }
    } while (cursor != 0 && stats->calls < 10000000);

    ck_assert_uint_eq(cursor, 0);
    ck_assert_uint_eq(ctx.bad, 0);
    for (size_t id = 0; id < nstable; id++)
        EXPECT(set.seen[id] >= 1, "stable key %s never visited (grows %u shrinks %u)",
               key_entry(&set, id)->key, w.grows, w.shrinks);
    check_layout(&t, &set);
    stats->grows = w.grows;
    stats->shrinks = w.shrinks;

    table_release(&t);
    key_set_free(&set);
}

START_TEST(test_scan_survives_growth_and_shrink_between_calls)
{
    struct scan_stats stats, total = {0};
    static const struct {
        size_t nstable, nchurn;
        unsigned period, burst;
    } runs[] = {
        {1000, 20000, 400, 16}, {1000, 20000, 97, 40}, {300, 50000, 1500, 8},
        {2000, 8000, 33, 64},   {50, 4000, 5, 200},
    };

    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        scan_with_churn(runs[r].nstable, runs[r].nchurn, runs[r].period, runs[r].burst, &stats);
        total.grows += stats.grows;
        total.shrinks += stats.shrinks;
        total.calls_mid_resize += stats.calls_mid_resize;
    }
    /* The runs really did resize under the scans, both ways, and the scans
     * also met tables in the middle of a resize. */
    ck_assert_uint_ge(total.grows, 5);
    ck_assert_uint_ge(total.shrinks, 5);
    ck_assert_uint_ge(total.calls_mid_resize, 100);
}
END_TEST

/* ---- random ------------------------------------------------------------ */

/* Draws `draws` random entries: each must be present; returns how many
 * distinct keys were drawn. */
static size_t draw_random(struct table *t, struct key_set *set, unsigned draws)
{
    size_t distinct = 0;
    memset(set->seen, 0, set->n * sizeof(*set->seen));
    for (unsigned k = 0; k < draws; k++) {
        struct entry *e = table_random(t);
        EXPECT(e != NULL, "table_random returned NULL from a non-empty table");
        size_t id = (size_t)e->v.i;
        EXPECT(id < set->n && key_entry(set, id) == e, "table_random returned a foreign entry");
        EXPECT(set->present[id], "table_random returned removed key %s", e->key);
        if (set->seen[id]++ == 0) distinct++;
    }
    return distinct;
}

START_TEST(test_random_returns_present_keys_and_all_of_them)
{
    struct key_set set;
    struct table t;
    struct resize_watch w = {0};

    key_set_init(&set, 4000, "rnd:");
    table_init(&t);
    ck_assert_ptr_null(table_random(&t));

    /* A small table: every key turns up in 20000 draws. */
    for (size_t id = 0; id < 8; id++) set_insert(&t, &set, id, &w);
    ck_assert_uint_eq(draw_random(&t, &set, 20000), 8);

    /* Grow it, then remove all but 20 keys scattered across the table: the
     * draws now land mostly in empty buckets and must retry. */
    for (size_t id = 8; id < set.n; id++) set_insert(&t, &set, id, &w);
    finish_resize(&t);
    for (size_t id = 0; id < set.n; id++)
        if (id % 200 != 7) set_remove(&t, &set, id, &w);
    ck_assert_uint_eq(table_size(&t), 20);
    ck_assert_uint_ge(w.shrinks, 1);
    ck_assert_uint_eq(draw_random(&t, &set, 40000), 20);
    check_layout(&t, &set);

    /* Catch a resize in progress and draw during it. */
    for (size_t id = 0; id < set.n && t.rehash_index < 0; id++)
        if (!set.present[id]) set_insert(&t, &set, id, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    size_t present = table_size(&t);
    ck_assert_uint_eq(draw_random(&t, &set, (unsigned)present * 50), present);
    check_layout(&t, &set);

    /* One key left, then none. */
    for (size_t id = 0; id < set.n; id++)
        if (set.present[id] && id != 7) set_remove(&t, &set, id, &w);
    ck_assert_uint_eq(draw_random(&t, &set, 100), 1);
    set_remove(&t, &set, 7, &w);
    ck_assert_ptr_null(table_random(&t));

    table_release(&t);
    key_set_free(&set);
}
END_TEST

/* A large table halfway through a growth: draws must reach the keys still
 * waiting in the old array as well as the moved ones (each draw moves one
 * more bucket, so the resize outlasts the draws). */
START_TEST(test_random_reaches_both_arrays_mid_resize)
{
    struct key_set set;
    struct table t;
    struct resize_watch w = {0};

    key_set_init(&set, 1u << 17, "rndbig:");
    table_init(&t);
    size_t id = 0;
    while (id < set.n && !(t.rehash_index >= 0 && t.mask[0] + 1 >= 65536))
        set_insert(&t, &set, id++, &w);
    ck_assert_int_ge(t.rehash_index, 0);
    for (int k = 0; k < 100000 && (uint64_t)t.rehash_index < (t.mask[0] + 1) / 2; k++)
        table_rehash_step(&t, 1);
    ck_assert_int_ge(t.rehash_index, 16384);

    unsigned from_old = 0, from_new = 0;
    for (int k = 0; k < 4000; k++) {
        struct entry *e = table_random(&t);
        EXPECT(e != NULL, "table_random returned NULL from a non-empty table");
        size_t rid = (size_t)e->v.i;
        EXPECT(rid < set.n && key_entry(&set, rid) == e && set.present[rid],
               "table_random returned an entry not in the table");
        int in_old = 0;
        uint64_t b = set.hashes[rid] & t.mask[0];
        if (t.rehash_index >= 0 && b >= (uint64_t)t.rehash_index)
            for (const struct entry *p = t.buckets[0][b]; p && !in_old; p = p->next)
                in_old = p == e;
        from_old += in_old;
        from_new += !in_old;
    }
    /* About a third of the draws come from the old array (its non-empty
     * buckets against the new one's); 200 of 4000 is a loose floor. */
    ck_assert_int_ge(t.rehash_index, 0);
    ck_assert_uint_ge(from_old, 200);
    ck_assert_uint_ge(from_new, 200);
    check_layout(&t, &set);

    table_release(&t);
    key_set_free(&set);
}
END_TEST

/* ---- the keyspace under concurrency ------------------------------------ */

#define THREADS 4
#define KEYS_PER_THREAD 200000
#define NOW_MS 1700000000000LL

/* What a worker thread reports back (Check is for the main thread only). */
struct thread_report {
    unsigned errors;
    char first_error[160];
};

static void report_error(struct thread_report *r, const char *fmt, ...)
{
    if (r->errors++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->first_error, sizeof(r->first_error), fmt, ap);
        va_end(ap);
    }
}

static size_t thread_key(char *buf, size_t cap, int thread, unsigned id)
{
    return (size_t)snprintf(buf, cap, "t%d:%u", thread, id);
}

static int64_t thread_value(int thread, unsigned id)
{
    return (int64_t)thread * 10000000 + id;
}

/* Keys kept at the end of the churn: one in eight, so every shard first
 * grows and then shrinks while the other threads work. */
static int thread_keeps(unsigned id)
{
    return id % 8 == 0;
}

struct churn_arg {
    int thread;
    struct db *db;
    struct thread_report report;
};

/* Finds key in db under its shard lock; checks presence and value. */
static void locked_check(struct db *db, const char *key, size_t len, int present, int64_t value,
                         struct thread_report *r)
{
    unsigned shard = ks_shard_of(key, len);
    ks_lock(db, shard);
    struct entry *e = ks_find(db, key, len, NOW_MS);
    if (present && (!e || e->type != TYPE_STRING || e->encoding != ENC_INT || e->v.i != value))
        report_error(r, "%s: missing or wrong value", key);
    else if (!present && e)
        report_error(r, "%s: present after delete", key);
    ks_unlock(db, shard);
}

static void *churn_thread(void *argp)
{
    struct churn_arg *arg = argp;
    struct db *db = arg->db;
    char key[32];

    for (unsigned id = 0; id < KEYS_PER_THREAD; id++) {
        size_t len = thread_key(key, sizeof(key), arg->thread, id);
        unsigned shard = ks_shard_of(key, len);
        ks_lock(db, shard);
        if (ks_find(db, key, len, NOW_MS)) report_error(&arg->report, "%s exists early", key);
        struct entry *e = ks_add(db, key, len, TYPE_STRING);
        string_set_int(e, thread_value(arg->thread, id));
        ks_unlock(db, shard);
    }
    for (unsigned id = 0; id < KEYS_PER_THREAD; id++) {
        size_t len = thread_key(key, sizeof(key), arg->thread, id);
        locked_check(db, key, len, 1, thread_value(arg->thread, id), &arg->report);
    }
    for (unsigned id = 0; id < KEYS_PER_THREAD; id++) {
        if (thread_keeps(id)) continue;
        size_t len = thread_key(key, sizeof(key), arg->thread, id);
        unsigned shard = ks_shard_of(key, len);
        ks_lock(db, shard);
        if (ks_delete(db, key, len) != 1) report_error(&arg->report, "%s: delete missed", key);
        if (id % 16 == 1 && ks_delete(db, key, len) != 0)
            report_error(&arg->report, "%s: deleted twice", key);
        ks_unlock(db, shard);
    }
    for (unsigned id = 0; id < KEYS_PER_THREAD; id++) {
        size_t len = thread_key(key, sizeof(key), arg->thread, id);
        locked_check(db, key, len, thread_keeps(id), thread_value(arg->thread, id), &arg->report);
    }
    return NULL;
}

/* Checks one shard of a db under its lock: every entry belongs to the shard
 * and sits in the bucket its hash selects; the counts agree. Returns the
 * number of entries. */
static uint64_t check_shard(struct db *db, unsigned s)
{
    ks_lock(db, s);
    const struct table *t = &db->shards[s].table;
    uint64_t total = 0;
    for (int i = 0; i < 2; i++) {
        if (!t->buckets[i]) continue;
        uint64_t count = 0;
        for (uint64_t b = 0; b <= t->mask[i]; b++) {
            for (const struct entry *e = t->buckets[i][b]; e; e = e->next) {
                EXPECT(count <= t->used[i], "shard %u array %d: chain loops", s, i);
                uint64_t h = ks_hash(e->key, e->keylen);
                EXPECT(ks_shard_of_hash(h) == s, "%.*s in shard %u", (int)e->keylen, e->key, s);
                EXPECT((h & t->mask[i]) == b, "%.*s in the wrong bucket", (int)e->keylen, e->key);
                count++;
            }
        }
        EXPECT(count == t->used[i], "shard %u array %d: used %llu, linked %llu", s, i,
               (unsigned long long)t->used[i], (unsigned long long)count);
        total += count;
    }
    EXPECT(atomic_load(&db->shards[s].nkeys_pub) == total, "shard %u publishes a stale count", s);
    ks_unlock(db, s);
    return total;
}

START_TEST(test_keyspace_concurrent_insert_delete)
{
    struct db *db = ks_db(0);
    pthread_t threads[THREADS];
    struct churn_arg args[THREADS];

    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct churn_arg){.thread = i, .db = db};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, churn_thread, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < THREADS; i++)
        ck_assert_msg(args[i].report.errors == 0, "thread %d: %u errors, first: %s", i,
                      args[i].report.errors, args[i].report.first_error);

    const uint64_t kept = (KEYS_PER_THREAD + 7) / 8;
    ck_assert_uint_eq(ks_db_size(db), THREADS * kept);
    ck_assert_uint_eq(ks_db_expires(db), 0);

    /* Every key again, from this thread, and every shard's structure. */
    struct thread_report report = {0};
    char key[32];
    for (int i = 0; i < THREADS; i++) {
        for (unsigned id = 0; id < KEYS_PER_THREAD; id++) {
            size_t len = thread_key(key, sizeof(key), i, id);
            locked_check(db, key, len, thread_keeps(id), thread_value(i, id), &report);
        }
    }
    ck_assert_msg(report.errors == 0, "%u errors, first: %s", report.errors, report.first_error);
    uint64_t total = 0;
    unsigned shards_used = 0;
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        uint64_t n = check_shard(db, s);
        total += n;
        shards_used += n > 0;
    }
    ck_assert_uint_eq(total, THREADS * kept);
    ck_assert_uint_eq(shards_used, KS_SHARDS);
}
END_TEST

/* Multi-key atomicity: transfer threads move amounts between two account
 * keys, locking both shards in ascending order as the dispatcher does; an
 * auditor locks every shard (ks_lock_all, also ascending) and sums the
 * accounts, which must always equal the starting total; meanwhile churn
 * threads insert and delete their own keys in the same db so the accounts'
 * shards resize under the transfers. */
#define ACCOUNTS 64
#define ACCOUNT_START 1000
#define TRANSFER_THREADS 4
#define TRANSFERS_PER_THREAD 100000
#define CHURN_THREADS 2
#define CHURN_KEYS 50000

struct bank {
    struct db *db;
    char names[ACCOUNTS][24];
    size_t lens[ACCOUNTS];
    atomic_int stop;
};

struct bank_arg {
    struct bank *bank;
    int index;
    uint64_t rng;
    unsigned long long ops, same_shard;
    struct thread_report report;
};

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void *transfer_thread(void *argp)
{
    struct bank_arg *arg = argp;
    struct bank *bank = arg->bank;
    struct db *db = bank->db;

    for (int k = 0; k < TRANSFERS_PER_THREAD; k++) {
        unsigned a = (unsigned)(xorshift(&arg->rng) % ACCOUNTS);
        unsigned b = (unsigned)(xorshift(&arg->rng) % (ACCOUNTS - 1));
        if (b >= a) b++;
        unsigned sa = ks_shard_of(bank->names[a], bank->lens[a]);
        unsigned sb = ks_shard_of(bank->names[b], bank->lens[b]);
        unsigned lo = sa < sb ? sa : sb, hi = sa < sb ? sb : sa;
        ks_lock(db, lo);
        if (hi != lo) ks_lock(db, hi);
        struct entry *ea = ks_find(db, bank->names[a], bank->lens[a], NOW_MS);
        struct entry *eb = ks_find(db, bank->names[b], bank->lens[b], NOW_MS);
        if (!ea || !eb) {
            report_error(&arg->report, "account %s or %s missing", bank->names[a], bank->names[b]);
        } else {
            int64_t amount = (int64_t)(xorshift(&arg->rng) % (uint64_t)(ea->v.i + 1));
            ea->v.i -= amount;
            eb->v.i += amount;
            ks_touch(db, ea);
            ks_touch(db, eb);
        }
        if (hi != lo) ks_unlock(db, hi);
        ks_unlock(db, lo);
        arg->ops++;
        arg->same_shard += hi == lo;
    }
    return NULL;
}

static int64_t bank_total_locked(struct bank *bank)
{
    int64_t sum = 0;
    for (int a = 0; a < ACCOUNTS; a++) {
        struct entry *e = ks_peek(bank->db, bank->names[a], bank->lens[a]);
        if (!e) return -1;
        if (e->v.i < 0) return -2;
        sum += e->v.i;
    }
    return sum;
}

static void *audit_thread(void *argp)
{
    struct bank_arg *arg = argp;
    struct bank *bank = arg->bank;
    const int64_t expected = (int64_t)ACCOUNTS * ACCOUNT_START;

    for (int k = 0; k < 1000000 && !atomic_load(&bank->stop); k++) {
        ks_lock_all(bank->db);
        int64_t sum = bank_total_locked(bank);
        ks_unlock_all(bank->db);
        if (sum != expected)
            report_error(&arg->report, "audit %d: total %lld, expected %lld", k, (long long)sum,
                         (long long)expected);
        arg->ops++;
    }
    return NULL;
}

static void *bank_churn_thread(void *argp)
{
    struct bank_arg *arg = argp;
    struct db *db = arg->bank->db;
    char key[32];

    for (int round = 0; round < 100 && !atomic_load(&arg->bank->stop); round++) {
        for (int pass = 0; pass < 2; pass++) {
            for (unsigned id = 0; id < CHURN_KEYS; id++) {
                size_t len = (size_t)snprintf(key, sizeof(key), "c%d:%u", arg->index, id);
                unsigned shard = ks_shard_of(key, len);
                ks_lock(db, shard);
                if (pass == 0)
                    string_set_int(ks_add(db, key, len, TYPE_STRING), id);
                else if (ks_delete(db, key, len) != 1)
                    report_error(&arg->report, "churn key %s lost", key);
                ks_unlock(db, shard);
            }
        }
        arg->ops++;
    }
    return NULL;
}

/* Picks account names, making sure at least two share a shard so the
 * one-lock path of a transfer runs too. */
static void bank_name_accounts(struct bank *bank)
{
    for (int a = 0; a < ACCOUNTS; a++)
        bank->lens[a] = (size_t)snprintf(bank->names[a], sizeof(bank->names[a]), "acct:%d", a);
    unsigned shard0 = ks_shard_of(bank->names[0], bank->lens[0]);
    int shared = 0;
    for (int a = 1; a < ACCOUNTS && !shared; a++)
        for (int b = 0; b < a && !shared; b++)
            shared = ks_shard_of(bank->names[a], bank->lens[a]) ==
                     ks_shard_of(bank->names[b], bank->lens[b]);
    for (int c = 0; c < 100000 && !shared; c++) {
        char *name = bank->names[ACCOUNTS - 1];
        bank->lens[ACCOUNTS - 1] = (size_t)snprintf(name, sizeof(bank->names[0]), "acct:x%d", c);
        shared = ks_shard_of(name, bank->lens[ACCOUNTS - 1]) == shard0;
    }
    ck_assert(shared);
}

START_TEST(test_keyspace_multi_key_transfers_are_atomic)
{
    struct bank bank = {.db = ks_db(0)};
    struct bank_arg transfers[TRANSFER_THREADS], churns[CHURN_THREADS], audit;
    pthread_t transfer_ids[TRANSFER_THREADS], churn_ids[CHURN_THREADS], audit_id;

    bank_name_accounts(&bank);
    for (int a = 0; a < ACCOUNTS; a++) {
        unsigned s = ks_shard_of(bank.names[a], bank.lens[a]);
        ks_lock(bank.db, s);
        string_set_int(ks_add(bank.db, bank.names[a], bank.lens[a], TYPE_STRING), ACCOUNT_START);
        ks_unlock(bank.db, s);
    }

    audit = (struct bank_arg){.bank = &bank};
    ck_assert_int_eq(pthread_create(&audit_id, NULL, audit_thread, &audit), 0);
    for (int i = 0; i < CHURN_THREADS; i++) {
        churns[i] = (struct bank_arg){.bank = &bank, .index = i};
        ck_assert_int_eq(pthread_create(&churn_ids[i], NULL, bank_churn_thread, &churns[i]), 0);
    }
    for (int i = 0; i < TRANSFER_THREADS; i++) {
        transfers[i] =
            (struct bank_arg){.bank = &bank, .index = i, .rng = 0x9e3779b97f4a7c15ULL * (i + 1)};
        ck_assert_int_eq(pthread_create(&transfer_ids[i], NULL, transfer_thread, &transfers[i]), 0);
    }
    for (int i = 0; i < TRANSFER_THREADS; i++)
        ck_assert_int_eq(pthread_join(transfer_ids[i], NULL), 0);
    atomic_store(&bank.stop, 1);
    for (int i = 0; i < CHURN_THREADS; i++) ck_assert_int_eq(pthread_join(churn_ids[i], NULL), 0);
    ck_assert_int_eq(pthread_join(audit_id, NULL), 0);

    unsigned long long same_shard = 0;
    for (int i = 0; i < TRANSFER_THREADS; i++) {
        ck_assert_msg(transfers[i].report.errors == 0, "transfer thread %d: %s", i,
                      transfers[i].report.first_error);
        ck_assert_uint_eq(transfers[i].ops, TRANSFERS_PER_THREAD);
        same_shard += transfers[i].same_shard;
    }
    for (int i = 0; i < CHURN_THREADS; i++) {
        ck_assert_msg(churns[i].report.errors == 0, "churn thread %d: %s", i,
                      churns[i].report.first_error);
        ck_assert_uint_ge(churns[i].ops, 1);
    }
    ck_assert_msg(audit.report.errors == 0, "auditor: %u errors, first: %s", audit.report.errors,
                  audit.report.first_error);
    ck_assert_uint_ge(audit.ops, 1);
    ck_assert_uint_ge(same_shard, 1);

    /* Final: the money is all there and only the accounts remain. */
    ks_lock_all(bank.db);
    int64_t total = bank_total_locked(&bank);
    ks_unlock_all(bank.db);
    ck_assert_int_eq(total, (int64_t)ACCOUNTS * ACCOUNT_START);
    ck_assert_uint_eq(ks_db_size(bank.db), ACCOUNTS);
    uint64_t linked = 0;
    for (unsigned s = 0; s < KS_SHARDS; s++) linked += check_shard(bank.db, s);
    ck_assert_uint_eq(linked, ACCOUNTS);
}
END_TEST

static Suite *table_suite(void)
{
    Suite *suite = suite_create("table");
    TCase *table = tcase_create("table");
    TCase *concurrency = tcase_create("keyspace-concurrency");

    /* A million keys, and threads, under the sanitizers: far beyond
     * Check's 4 s default. */
    tcase_set_timeout(table, 120);
    tcase_set_timeout(concurrency, 120);
    tcase_add_checked_fixture(table, setup, teardown);
    tcase_add_checked_fixture(concurrency, setup, teardown);
    tcase_add_test(table, test_million_keys_insert_find_remove);
    tcase_add_test(table, test_lookups_during_growth_and_shrink);
    tcase_add_test(table, test_scan_visits_each_key_once_without_resize);
    tcase_add_test(table, test_scan_survives_growth_and_shrink_between_calls);
    tcase_add_test(table, test_random_returns_present_keys_and_all_of_them);
    tcase_add_test(table, test_random_reaches_both_arrays_mid_resize);
    tcase_add_test(concurrency, test_keyspace_concurrent_insert_delete);
    tcase_add_test(concurrency, test_keyspace_multi_key_transfers_are_atomic);
    suite_add_tcase(suite, table);
    suite_add_tcase(suite, concurrency);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(table_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
