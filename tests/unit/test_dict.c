/*
 * test_dict: unit tests of engine/dict, the hash table inside large hashes,
 * sets and sorted sets.
 *
 * Keys are derived from a numeric id (make_key), in several shapes: short
 * decimal strings, binary keys with NUL bytes, keys longer than the hash's
 * 8-byte word, and the empty key. In dicts with values, v.i holds the id,
 * so a callback can tell exactly which element it was handed. A model (one
 * present flag and one value per id) is the reference every result is
 * compared with, and dict_check() verifies the internal invariants (each
 * entry in the bucket its hash selects, counts, the resize state) at
 * regular points, often in the middle of a resize.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/util.h"

/* ck_assert records a checkpoint on every passing call, far too slow in
 * loops of hundreds of thousands of operations: there only the failure
 * path may reach Check. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

#define KEY_BUF 96

/* A key per id; distinct ids give distinct keys (the shapes start with
 * different bytes, and the binary one alone holds NULs). Id 0 is "". */
static size_t make_key(uint32_t id, char *buf)
{
    buf[0] = '\0'; /* "" still writes something, for -Wmaybe-uninitialized */
    if (id == 0) return 0;
    switch (id % 4) {
    case 0:
        buf[0] = 'b';
        memcpy(buf + 1, &id, sizeof(id));
        buf[5] = '\0';
        return 6;
    case 1:
        return (size_t)snprintf(buf, KEY_BUF, "m:%u", id);
    case 2: {
        size_t n = (size_t)snprintf(buf, KEY_BUF, "long-key-%u-", id);
        size_t want = 20 + id % 50;
        while (n < want) buf[n++] = 'x';
        return n;
    }
    default:
        return (size_t)snprintf(buf, KEY_BUF, "%u", id);
    }
}

static void check_sound(const struct dict *d)
{
    char err[256];
    EXPECT(dict_check(d, err, sizeof(err)), "dict_check: %s", err);
}

/* Finishes a resize in progress; each call moves or skips something. */
static void finish_resize(struct dict *d)
{
    for (int i = 0; i < 10000000 && dict_rehash(d, 100); i++) continue;
    ck_assert(!dict_is_resizing(d));
}

/* ---- the reference model ----------------------------------------------- */

struct model {
    uint32_t n;
    unsigned char *present;
    int64_t *value;
    uint64_t count;
    uint32_t *list;  /* the present ids, in no order */
    uint32_t *where; /* each present id's index in list */
};

static void model_init(struct model *m, uint32_t n)
{
    m->n = n;
    m->present = calloc(n, 1);
    m->value = calloc(n, sizeof(*m->value));
    m->list = calloc(n, sizeof(*m->list));
    m->where = calloc(n, sizeof(*m->where));
    m->count = 0;
    ck_assert(m->present && m->value && m->list && m->where);
}

static void model_free(struct model *m)
{
    free(m->present);
    free(m->value);
    free(m->list);
    free(m->where);
}

static void model_set(struct model *m, uint32_t id)
{
    m->present[id] = 1;
    m->where[id] = (uint32_t)m->count;
    m->list[m->count++] = id;
}

static void model_clear(struct model *m, uint32_t id)
{
    uint32_t last = m->list[--m->count];
    m->list[m->where[id]] = last;
    m->where[last] = m->where[id];
    m->present[id] = 0;
}

/* A present id picked uniformly; the model must not be empty. */
static uint32_t model_pick(const struct model *m)
{
    return m->list[util_rand64() % m->count];
}

/* Counts the resizes that start, by direction, from the bucket count seen
 * whenever the dict is not resizing. */
struct resize_watch {
    uint64_t stable_buckets;
    unsigned grows, shrinks;
};

static void watch(const struct dict *d, struct resize_watch *w)
{
    if (dict_is_resizing(d)) return;
    uint64_t b = dict_buckets(d);
    if (w->stable_buckets && b > w->stable_buckets) w->grows++;
    if (w->stable_buckets && b < w->stable_buckets) w->shrinks++;
    w->stable_buckets = b;
}

/* The value stored for id: random high bits (so updates are seen) over
 * the id in the low 32 bits (so callbacks can identify the entry). */
static int64_t value_for(uint32_t id)
{
    return (int64_t)((util_rand64() << 32) | id);
}

static uint32_t id_of(struct dict_entry *e)
{
    return (uint32_t)((uint64_t)dict_value(e)->i & 0xffffffffu);
}

/* Adds id to both; for dicts with values, stores a fresh value_for(id). */
static void op_add(struct dict *d, struct model *m, uint32_t id, int with_value)
{
    char key[KEY_BUF];
    size_t len = make_key(id, key);
    int added = -1;
    struct dict_entry *e = dict_add_or_find(d, key, len, &added);
    EXPECT(e != NULL, "add_or_find(%u) returned NULL", id);
    EXPECT(added == !m->present[id], "add_or_find(%u): added %d, model present %d", id, added,
           m->present[id]);
    EXPECT(e->keylen == len && memcmp(e->key, key, len) == 0, "add_or_find(%u): wrong key", id);
    if (with_value) {
        if (added) EXPECT(dict_value(e)->i == 0, "new entry %u: value not zeroed", id);
        if (!added)
            EXPECT(dict_value(e)->i == m->value[id], "entry %u: value %lld, expected %lld", id,
                   (long long)dict_value(e)->i, (long long)m->value[id]);
        m->value[id] = value_for(id);
        dict_value(e)->i = m->value[id];
    }
    if (added) model_set(m, id);
}

static void op_delete(struct dict *d, struct model *m, uint32_t id, int with_value)
{
    char key[KEY_BUF];
    size_t len = make_key(id, key);
    struct dict_entry *e = dict_unlink(d, key, len);
    EXPECT((e != NULL) == m->present[id], "unlink(%u): got %p, model present %d", id, (void *)e,
           m->present[id]);
    if (!e) return;
    EXPECT(e->keylen == len && memcmp(e->key, key, len) == 0, "unlink(%u): wrong key", id);
    if (with_value)
        EXPECT(dict_value(e)->i == m->value[id], "unlink(%u): value %lld, expected %lld", id,
               (long long)dict_value(e)->i, (long long)m->value[id]);
    dict_entry_free(d, e);
    model_clear(m, id);
}

static void op_find(struct dict *d, struct model *m, uint32_t id, int with_value)
{
    char key[KEY_BUF];
    size_t len = make_key(id, key);
    struct dict_entry *e = dict_find(d, key, len);
    EXPECT((e != NULL) == m->present[id], "find(%u): got %p, model present %d", id, (void *)e,
           m->present[id]);
    if (!e) return;
    EXPECT(e->keylen == len && memcmp(e->key, key, len) == 0, "find(%u): wrong key", id);
    if (with_value)
        EXPECT(dict_value(e)->i == m->value[id], "find(%u): value %lld, expected %lld", id,
               (long long)dict_value(e)->i, (long long)m->value[id]);
}

/* Every id of the model looked up; the sizes agree. */
static void check_against_model(struct dict *d, struct model *m, int with_value)
{
    EXPECT(dict_size(d) == m->count, "dict_size %llu, model %llu", (unsigned long long)dict_size(d),
           (unsigned long long)m->count);
    for (uint32_t id = 0; id < m->n; id++) op_find(d, m, id, with_value);
}

/* ---- basics ------------------------------------------------------------ */

START_TEST(test_basic_operations)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    int added;

    ck_assert_uint_eq(dict_size(d), 0);
    ck_assert_ptr_null(dict_find(d, "a", 1));
    ck_assert_ptr_null(dict_unlink(d, "a", 1));
    ck_assert_int_eq(dict_delete(d, "a", 1), 0);
    ck_assert_ptr_null(dict_random(d));
    ck_assert_ptr_null(dict_fair_random(d));
    ck_assert_uint_eq(dict_scan(d, 0, NULL, NULL), 0);

    struct dict_entry *e = dict_add_or_find(d, "field", 5, &added);
    ck_assert_int_eq(added, 1);
    dict_value(e)->d = 1.5;
    ck_assert_ptr_eq(dict_add_or_find(d, "field", 5, &added), e);
    ck_assert_int_eq(added, 0);
    ck_assert(dict_value(e)->d == 1.5);
    /* The empty key and keys that are prefixes of each other are distinct. */
    struct dict_entry *empty = dict_add_or_find(d, "", 0, &added);
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_ne(dict_add_or_find(d, "fiel", 4, &added), e);
    ck_assert_int_eq(added, 1);
    ck_assert_ptr_ne(dict_add_or_find(d, "field\0", 6, &added), e);
    ck_assert_int_eq(added, 1);
    ck_assert_uint_eq(dict_size(d), 4);
    ck_assert_ptr_eq(dict_find(d, "", 0), empty);
    ck_assert_ptr_eq(dict_find(d, "field", 5), e);

    /* Unlink hands the entry back untouched, value included. */
    struct dict_entry *got = dict_unlink(d, "field", 5);
    ck_assert_ptr_eq(got, e);
    ck_assert(dict_value(got)->d == 1.5);
    dict_entry_free(d, got);
    ck_assert_ptr_null(dict_find(d, "field", 5));
    /* Deleting by the entry's own key, which is freed during the call. */
    ck_assert_int_eq(dict_delete(d, empty->key, empty->keylen), 1);
    ck_assert_uint_eq(dict_size(d), 2);
    check_sound(d);

    ck_assert_uint_eq(dict_entry_overhead(DICT_WITH_VALUE), 20);
    ck_assert_uint_eq(dict_entry_overhead(DICT_KEYS_ONLY), 12);
    dict_free(d);
    dict_free(NULL);
}
END_TEST

static unsigned values_freed;

static void count_free(void *ptr)
{
    values_freed++;
    mem_free(ptr);
}

/* free_value runs on delete and dict_free, not on unlink; NULL values are
 * skipped. */
START_TEST(test_value_ownership)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, count_free);
    char key[KEY_BUF];
    int added;

    values_freed = 0;
    for (uint32_t id = 1; id <= 100; id++) {
        struct dict_entry *e = dict_add_or_find(d, key, make_key(id, key), &added);
        if (id % 10) dict_value(e)->ptr = mem_alloc(16);
    }
    ck_assert_int_eq(dict_delete(d, key, make_key(1, key)), 1);
    ck_assert_uint_eq(values_freed, 1);
    struct dict_entry *e = dict_unlink(d, key, make_key(2, key));
    ck_assert_uint_eq(values_freed, 1);
    void *reused = dict_value(e)->ptr;
    dict_value(e)->ptr = NULL; /* the caller keeps the value */
    dict_entry_free(d, e);
    ck_assert_uint_eq(values_freed, 1);
    mem_free(reused);
    dict_free(d); /* 100 - 2 entries, of which 10 hold no value */
    ck_assert_uint_eq(values_freed, 1 + 98 - 10);
}
END_TEST

/* ---- random operations against the model ------------------------------- */

/* ops random adds, deletes and finds over ids [0, universe). The mix
 * favours adds until the dict holds high elements, then deletes until it is
 * down to low, and so on, so the table grows and shrinks repeatedly; some
 * steps also run extra rehash work. Deletes and finds target a present id
 * half of the time (a random id otherwise, usually absent). Checked against
 * the model throughout. */
static void random_ops(enum dict_kind kind, unsigned ops, uint32_t universe, uint64_t high,
                       uint64_t low)
{
    int with_value = kind == DICT_WITH_VALUE;
    struct dict *d = dict_create(kind, NULL);
    struct model m;
    struct resize_watch w = {0};
    int growing = 1;
    unsigned mid_resize_checks = 0;

    model_init(&m, universe);
    for (unsigned op = 0; op < ops; op++) {
        uint32_t id = (uint32_t)(util_rand64() % universe);
        unsigned r = (unsigned)(util_rand64() % 100);
        unsigned add_share = growing ? 70 : 15, delete_share = growing ? 15 : 70;
        if (r >= add_share && r % 2 && m.count) id = model_pick(&m);
        if (r < add_share)
            op_add(d, &m, id, with_value);
        else if (r < add_share + delete_share)
            op_delete(d, &m, id, with_value);
        else
            op_find(d, &m, id, with_value);
        if (r == 99) dict_rehash(d, 1 + (int)(util_rand64() % 8));
        if (growing && m.count >= high) growing = 0;
        if (!growing && m.count <= low) growing = 1;
        watch(d, &w);
        if (op % 997 == 0) {
            mid_resize_checks += dict_is_resizing(d);
            check_sound(d);
        }
    }
    check_sound(d);
    check_against_model(d, &m, with_value);
    ck_assert_uint_ge(w.grows, 10);
    ck_assert_uint_ge(w.shrinks, 5);
    ck_assert_uint_ge(mid_resize_checks, 5);
    dict_free(d);
    model_free(&m);
}

START_TEST(test_model_with_values)
{
    random_ops(DICT_WITH_VALUE, 200000, 20000, 10000, 5);
}
END_TEST

START_TEST(test_model_keys_only)
{
    random_ops(DICT_KEYS_ONLY, 200000, 20000, 10000, 5);
}
END_TEST

/* Shrinking follows Redis's htNeedsResize: nothing until the table is
 * under 10% full, then down to the smallest power of two holding every
 * element; presizing with dict_expand. */
START_TEST(test_resize_thresholds)
{
    struct dict *d = dict_create(DICT_KEYS_ONLY, NULL);
    char key[KEY_BUF];
    int added;

    for (uint32_t id = 1; id <= 1024; id++) dict_add_or_find(d, key, make_key(id, key), &added);
    finish_resize(d);
    /* 1024 elements: the 1024th add found 512 elements in 512 buckets. */
    ck_assert_uint_eq(dict_buckets(d), 1024);
    dict_add_or_find(d, key, make_key(1025, key), &added);
    ck_assert(dict_is_resizing(d)); /* load factor 1 reached: doubling */
    finish_resize(d);
    ck_assert_uint_eq(dict_buckets(d), 2048);
    /* 2048 buckets: 205 elements is 10.0%, 204 is under. */
    uint32_t id = 1025;
    while (dict_size(d) > 205) dict_delete(d, key, make_key(id--, key));
    ck_assert(!dict_is_resizing(d));
    dict_delete(d, key, make_key(id--, key));
    ck_assert(dict_is_resizing(d));
    finish_resize(d);
    ck_assert_uint_eq(dict_buckets(d), 256);
    check_sound(d);

    ck_assert_int_eq(dict_expand(d, 100), 0); /* never smaller */
    ck_assert_int_eq(dict_expand(d, 5000), 1);
    finish_resize(d);
    ck_assert_uint_eq(dict_buckets(d), 8192);
    ck_assert_uint_eq(dict_size(d), 204);
    dict_free(d);

    d = dict_create(DICT_KEYS_ONLY, NULL);
    ck_assert_int_eq(dict_expand(d, 3), 1);
    ck_assert_uint_eq(dict_buckets(d), 4);
    dict_free(d);
}
END_TEST

/* ---- scan -------------------------------------------------------------- */

struct scan_state {
    struct dict *d;
    struct model *m;
    unsigned *seen;
};

/* Every entry a scan hands out must be present, and be the id's own. */
static void scan_record(void *ctx, struct dict_entry *e)
{
    struct scan_state *s = ctx;
    uint32_t id = id_of(e);
    char key[KEY_BUF];
    EXPECT(id < s->m->n && s->m->present[id], "scan returned stray id %u", id);
    size_t len = make_key(id, key);
    EXPECT(e->keylen == len && memcmp(e->key, key, len) == 0, "scan: id %u, wrong key", id);
    s->seen[id]++;
}

/* Adds the next fresh id of [first, universe) (skipping any still present). */
static void churn_add(struct dict *d, struct model *m, uint32_t first, uint32_t *next_fresh)
{
    uint32_t id = (*next_fresh)++;
    if (*next_fresh == m->n) *next_fresh = first;
    if (!m->present[id]) op_add(d, m, id, 1);
}

/* Deletes a random present churn id. The stable ids [0, first) were added
 * first and are never deleted, so they stay at the front of the model's
 * list and the churn ids are list[first .. count). */
static void churn_delete(struct dict *d, struct model *m, uint32_t first)
{
    if (m->count == first) return;
    op_delete(d, m, m->list[first + util_rand64() % (m->count - first)], 1);
}

/* One full scan of a dict holding ids [0, stable) throughout, while churn
 * ids are added until peak of them are present, then deleted down to none,
 * again and again, with up to ops_max operations (and sometimes extra
 * rehash work) between scan calls: the table grows and shrinks mid-scan,
 * and calls land in the middle of resizes. Every stable id must be seen. */
static void scan_under_churn(uint32_t stable, uint32_t peak, unsigned ops_max,
                             struct resize_watch *w)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    model_init(&m, stable + 2 * peak);
    struct scan_state s = {.d = d, .m = &m, .seen = calloc(m.n, sizeof(unsigned))};
    uint32_t next_fresh = stable;
    uint64_t cursor = 0, calls = 0;
    int growing = 1;

    for (uint32_t id = 0; id < stable; id++) op_add(d, &m, id, 1);
    watch(d, w);
    do {
        cursor = dict_scan(d, cursor, scan_record, &s);
        unsigned ops = (unsigned)(util_rand64() % (ops_max + 1));
        for (unsigned k = 0; k < ops; k++) {
            if (growing)
                churn_add(d, &m, stable, &next_fresh);
            else
                churn_delete(d, &m, stable);
            if (growing && m.count >= stable + peak) growing = 0;
            if (!growing && m.count <= stable) growing = 1;
            watch(d, w);
        }
        if (util_rand64() % 8 == 0) dict_rehash(d, (int)(util_rand64() % 20));
        watch(d, w);
        if (++calls % 4096 == 0) check_sound(d);
    } while (cursor != 0 && calls < 100000000);
    ck_assert_uint_eq(cursor, 0);
    for (uint32_t id = 0; id < stable; id++)
        EXPECT(s.seen[id] > 0, "scan missed stable id %u (stable %u, peak %u)", id, stable, peak);
    check_sound(d);
    free(s.seen);
    model_free(&m);
    dict_free(d);
}

START_TEST(test_scan_covers_stable_elements_across_resizes)
{
    static const struct {
        uint32_t stable, peak;
        unsigned ops_max;
    } runs[] = {
        {1, 200, 4},       {5, 500, 8},        {50, 3000, 64}, {300, 10000, 128},
        {1000, 20000, 16}, {2000, 30000, 512}, {64, 2000, 1},  {100, 2000, 0},
    };
    unsigned grows = 0, shrinks = 0, runs_with_both = 0;

    /* How many resizes a scan lives through depends on the random walk;
     * the totals below are far under what the runs produce. */
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
            struct resize_watch w = {0};
            scan_under_churn(runs[i].stable, runs[i].peak, runs[i].ops_max, &w);
            grows += w.grows;
            shrinks += w.shrinks;
            runs_with_both += w.grows > 0 && w.shrinks > 0;
        }
    }
    ck_assert_uint_ge(grows, 100);
    ck_assert_uint_ge(shrinks, 50);
    ck_assert_uint_ge(runs_with_both, 12);
}
END_TEST

/* A scan that has made `calls` calls, then sees the table shrink (when
 * shrink) or grow by a factor of 16, and finishes with the resize either
 * completed at once or progressing a step per scan call. The stable ids
 * [0, 100) must all be seen. Deterministic for a given process (the keys
 * and the hash seed are fixed), so the caller can try every position. */
static void scan_resized_at(unsigned calls, int shrink, int finish)
{
    const uint32_t stable = 100, churn = 1900;
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    model_init(&m, stable + churn);
    struct scan_state s = {.d = d, .m = &m, .seen = calloc(m.n, sizeof(unsigned))};
    uint32_t id;
    uint64_t cursor = 0;

    for (id = 0; id < (shrink ? stable + churn : stable); id++) op_add(d, &m, id, 1);
    finish_resize(d);
    for (unsigned k = 0; k < calls; k++) {
        cursor = dict_scan(d, cursor, scan_record, &s);
        if (cursor == 0) goto out; /* the scan ended before the resize */
    }
    for (id = stable; id < stable + churn; id++) {
        if (shrink)
            op_delete(d, &m, id, 1);
        else
            op_add(d, &m, id, 1);
    }
    if (finish) finish_resize(d);
    do {
        cursor = dict_scan(d, cursor, scan_record, &s);
        op_find(d, &m, 0, 1); /* one rehash step */
    } while (cursor != 0);
    for (id = 0; id < stable; id++)
        EXPECT(s.seen[id] > 0, "missed id %u: %s after %u calls%s", id,
               shrink ? "shrink" : "growth", calls, finish ? "" : ", resize in progress");
out:
    free(s.seen);
    model_free(&m);
    dict_free(d);
}

START_TEST(test_scan_resized_at_every_position)
{
    /* 2048 buckets shrinking to 256, and 128 growing to 2048: the resize
     * comes after each possible number of calls. */
    for (unsigned calls = 0; calls <= 2048; calls += (calls < 300 ? 1 : 7)) {
        scan_resized_at(calls, 1, 1);
        scan_resized_at(calls, 1, 0);
    }
    for (unsigned calls = 0; calls <= 128; calls++) {
        scan_resized_at(calls, 0, 1);
        scan_resized_at(calls, 0, 0);
    }
}
END_TEST

/* Without changes between calls a scan returns every element exactly
 * once, also when the dict sits frozen in the middle of a resize. */
static void scan_exactly_once(struct dict *d, struct model *m)
{
    struct scan_state s = {.d = d, .m = m, .seen = calloc(m->n, sizeof(unsigned))};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, scan_record, &s);
    } while (cursor != 0);
    for (uint32_t id = 0; id < m->n; id++)
        EXPECT(s.seen[id] == m->present[id], "id %u seen %u times, present %d", id, s.seen[id],
               m->present[id]);
    free(s.seen);
}

START_TEST(test_scan_static_and_frozen_mid_resize)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    unsigned frozen_grow = 0, frozen_shrink = 0;

    model_init(&m, 40000);
    for (uint32_t id = 0; id < 20000; id++) {
        op_add(d, &m, id, 1);
        if (id % 1500 == 0) {
            frozen_grow += dict_is_resizing(d);
            scan_exactly_once(d, &m);
        }
    }
    for (uint32_t id = 0; id < 20000; id++) {
        if (id % 61 == 0) continue;
        op_delete(d, &m, id, 1);
        if (id % 1499 == 0) {
            frozen_shrink += dict_is_resizing(d);
            scan_exactly_once(d, &m);
        }
    }
    finish_resize(d);
    scan_exactly_once(d, &m);
    ck_assert_uint_ge(frozen_grow, 3);
    ck_assert_uint_ge(frozen_shrink, 1);
    dict_free(d);
    model_free(&m);
}
END_TEST

/* ---- safe iterator ----------------------------------------------------- */

/* Iterates the whole dict, deleting (by the entry's own key) each entry
 * whose id satisfies del; checks every element present at the start was
 * returned exactly once. Returns whether a resize was under way when the
 * iteration ended. */
static int iterate_deleting(struct dict *d, struct model *m, int (*del)(uint32_t id))
{
    unsigned *seen = calloc(m->n, sizeof(unsigned));
    unsigned char *was_present = malloc(m->n);
    struct dict_iter it;
    struct dict_entry *e;

    memcpy(was_present, m->present, m->n);
    dict_iter_init(&it, d);
    while ((e = dict_iter_next(&it))) {
        uint32_t id = id_of(e);
        EXPECT(id < m->n && was_present[id], "iterator returned stray id %u", id);
        seen[id]++;
        if (!del(id)) continue;
        if (id % 2) {
            ck_assert_int_eq(dict_delete(d, e->key, e->keylen), 1);
        } else {
            struct dict_entry *got = dict_unlink(d, e->key, e->keylen);
            EXPECT(got == e, "unlink of the current entry returned another");
            dict_entry_free(d, got);
        }
        model_clear(m, id);
    }
    int resizing_at_end = dict_is_resizing(d);
    dict_iter_done(&it);
    for (uint32_t id = 0; id < m->n; id++)
        EXPECT(seen[id] == was_present[id], "id %u returned %u times", id, seen[id]);
    check_sound(d);
    check_against_model(d, m, 1);
    free(seen);
    free(was_present);
    return resizing_at_end;
}

static int delete_even(uint32_t id)
{
    return id % 2 == 0;
}

static int delete_all(uint32_t id)
{
    return 1;
}

static int delete_none(uint32_t id)
{
    return 0;
}

static int delete_most(uint32_t id)
{
    return id % 7 != 0;
}

START_TEST(test_iterator_tolerates_deleting_current)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;

    model_init(&m, 10000);
    /* Empty dict, then a settled one. */
    iterate_deleting(d, &m, delete_none);
    for (uint32_t id = 0; id < 5000; id++) op_add(d, &m, id, 1);
    finish_resize(d);
    iterate_deleting(d, &m, delete_none);
    iterate_deleting(d, &m, delete_even);
    ck_assert_uint_eq(dict_size(d), 2500);
    /* Deleting nearly everything starts a shrink during the iteration; the
     * paused rehash keeps every entry where the iterator expects it. */
    ck_assert(!dict_is_resizing(d));
    ck_assert(iterate_deleting(d, &m, delete_most));
    /* A dict caught mid-resize (a growth just started). */
    for (uint32_t id = 0; id < 10000 && !(dict_is_resizing(d) && dict_buckets(d) > 4096); id++)
        if (!m.present[id]) op_add(d, &m, id, 1);
    ck_assert(dict_is_resizing(d));
    iterate_deleting(d, &m, delete_even);
    iterate_deleting(d, &m, delete_all);
    ck_assert_uint_eq(dict_size(d), 0);
    finish_resize(d);
    check_sound(d);
    dict_free(d);
    model_free(&m);
}
END_TEST

/* Adds during an iteration are allowed (seen or not); entries present
 * before are still returned exactly once, and a lookup made meanwhile
 * does not move entries under the iterator. */
START_TEST(test_iterator_with_adds_and_lookups)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    unsigned *seen = calloc(20000, sizeof(unsigned));
    struct dict_iter it;
    struct dict_entry *e;
    uint32_t next = 1000;

    model_init(&m, 20000);
    for (uint32_t id = 0; id < 1000; id++) op_add(d, &m, id, 1);
    dict_iter_init(&it, d);
    while ((e = dict_iter_next(&it))) {
        uint32_t id = id_of(e);
        seen[id]++;
        EXPECT(seen[id] == 1, "id %u returned twice", id);
        for (int k = 0; k < 3 && next < 20000; k++) op_add(d, &m, next++, 1);
        op_find(d, &m, (uint32_t)(util_rand64() % 20000), 1);
    }
    dict_iter_done(&it);
    for (uint32_t id = 0; id < 1000; id++) EXPECT(seen[id] == 1, "id %u not returned", id);
    check_sound(d);
    check_against_model(d, &m, 1);
    free(seen);
    dict_free(d);
    model_free(&m);
}
END_TEST

/* ---- random picks ------------------------------------------------------ */

/* Draws `draws` fair random entries from a dict of ids [0, n) and checks
 * every id's frequency lies within [lo, hi] times the uniform expectation. */
static void check_fair(uint32_t n, unsigned draws, double lo, double hi)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    unsigned *hits = calloc(n, sizeof(unsigned));

    model_init(&m, n);
    for (uint32_t id = 0; id < n; id++) op_add(d, &m, id, 1);
    finish_resize(d);
    for (unsigned k = 0; k < draws; k++) {
        struct dict_entry *e = dict_fair_random(d);
        EXPECT(e != NULL, "fair random returned NULL");
        uint32_t id = id_of(e);
        EXPECT(id < n, "fair random returned stray id %u", id);
        hits[id]++;
    }
    double expected = (double)draws / n;
    for (uint32_t id = 0; id < n; id++)
        EXPECT(hits[id] >= lo * expected && hits[id] <= hi * expected,
               "n=%u: id %u drawn %u times, expected about %.0f", n, id, hits[id], expected);
    free(hits);
    dict_free(d);
    model_free(&m);
}

START_TEST(test_fair_random_is_roughly_uniform)
{
    /* Up to 15 elements the sample is the whole dict: exactly uniform, so
     * the band is 5% (many standard deviations at 20000 draws each). */
    check_fair(1, 1000, 1.0, 1.0);
    check_fair(10, 200000, 0.95, 1.05);
    check_fair(15, 300000, 0.95, 1.05);
    /* Beyond that a window of buckets is sampled: elements after longer
     * runs of empty buckets come up more often, as in Redis. */
    check_fair(50, 500000, 0.3, 2.0);
    check_fair(500, 2000000, 0.2, 3.0);
}
END_TEST

/* The plain random pick reaches every element too. */
START_TEST(test_random_reaches_every_element)
{
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    unsigned hits[40] = {0};

    model_init(&m, 40);
    for (uint32_t id = 0; id < 40; id++) op_add(d, &m, id, 1);
    for (int k = 0; k < 40000; k++) hits[id_of(dict_random(d))]++;
    for (uint32_t id = 0; id < 40; id++) EXPECT(hits[id] > 0, "id %u never drawn", id);
    dict_free(d);
    model_free(&m);
}
END_TEST

/* dict_some_random returns min(count, size) distinct present entries,
 * settled or mid-resize, growing or shrinking. */
static void check_some_random(struct dict *d, struct model *m, unsigned count)
{
    struct dict_entry **out = malloc(sizeof(*out) * (count ? count : 1));
    unsigned *seen = calloc(m->n, sizeof(unsigned));
    unsigned got = dict_some_random(d, out, count);
    unsigned want = count < m->count ? count : (unsigned)m->count;

    EXPECT(got == want, "some_random(%u) of %llu: got %u", count, (unsigned long long)m->count,
           got);
    for (unsigned k = 0; k < got; k++) {
        uint32_t id = id_of(out[k]);
        EXPECT(id < m->n && m->present[id], "some_random returned stray id %u", id);
        EXPECT(seen[id]++ == 0, "some_random returned id %u twice", id);
    }
    free(out);
    free(seen);
}

START_TEST(test_some_random_distinct)
{
    static const unsigned counts[] = {0, 1, 2, 7, 15, 100, 1999, 2000, 5000};
    struct dict *d = dict_create(DICT_WITH_VALUE, NULL);
    struct model m;
    unsigned mid_resize = 0;

    model_init(&m, 8000);
    for (uint32_t id = 0; id < 2000; id++) op_add(d, &m, id, 1);
    finish_resize(d);
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
            check_some_random(d, &m, counts[i]);
    /* Growing then shrinking, sampled after every few operations. */
    for (uint32_t id = 2000; id < 8000; id++) {
        op_add(d, &m, id, 1);
        if (id % 7 == 0) {
            mid_resize += dict_is_resizing(d);
            check_some_random(d, &m, (unsigned)(util_rand64() % 300));
        }
    }
    for (uint32_t id = 0; id < 8000; id++) {
        if (id % 100 == 0) continue;
        op_delete(d, &m, id, 1);
        if (id % 7 == 0) {
            mid_resize += dict_is_resizing(d);
            check_some_random(d, &m, (unsigned)(util_rand64() % 300));
        }
    }
    check_some_random(d, &m, 1000); /* all 80 */
    ck_assert_uint_ge(mid_resize, 20);
    dict_free(d);
    model_free(&m);
}
END_TEST

/* ---- memory ------------------------------------------------------------ */

/* samples == 0: the struct, 8 bytes per bucket and each entry's header and
 * key, exactly. With samples the allocator's sizes come in: never less,
 * at most one size-class step (16 bytes for these sizes) more per entry;
 * sampling gives the same order of magnitude as the full walk. */
START_TEST(test_mem_usage)
{
    struct dict *set = dict_create(DICT_KEYS_ONLY, NULL);
    struct dict *hash = dict_create(DICT_WITH_VALUE, NULL);
    char key[KEY_BUF];
    size_t key_bytes = 0, empty = dict_mem_usage(set, 0);
    int added;

    ck_assert_uint_eq(dict_mem_usage(hash, 0), empty);
    ck_assert_uint_ge(dict_mem_usage(hash, 5), empty);
    for (uint32_t id = 1; id <= 1000; id++) {
        size_t len = make_key(id, key);
        dict_add_or_find(set, key, len, &added);
        dict_add_or_find(hash, key, len, &added);
        key_bytes += len;
    }
    finish_resize(set);
    finish_resize(hash);
    size_t requested = empty + 1024 * 8 + 1000 * 12 + key_bytes;
    ck_assert_uint_eq(dict_mem_usage(set, 0), requested);
    ck_assert_uint_eq(dict_mem_usage(hash, 0), empty + 1024 * 8 + 1000 * 20 + key_bytes);
    size_t walked = dict_mem_usage(set, 1000);
    ck_assert_uint_ge(walked, requested);
    ck_assert_uint_le(walked, requested + 1000 * 16 + 64);
    for (int k = 0; k < 20; k++) {
        size_t sampled = dict_mem_usage(set, 5);
        EXPECT(sampled >= walked / 3 && sampled <= walked * 3, "sampled %zu, walked %zu", sampled,
               walked);
    }
    ck_assert_uint_ge(dict_mem_usage(set, 100000), walked); /* capped at a walk */
    for (uint32_t id = 1; id <= 1000; id++) dict_delete(set, key, make_key(id, key));
    finish_resize(set);
    /* Shrinks start only on a delete that finds no resize under way, so
     * where the last one lands depends on rehash timing. */
    ck_assert_uint_le(dict_buckets(set), 16);
    ck_assert_uint_eq(dict_mem_usage(set, 0), empty + dict_buckets(set) * 8);
    dict_free(set);
    dict_free(hash);
}
END_TEST

static Suite *dict_suite(void)
{
    Suite *suite = suite_create("dict");
    TCase *basics = tcase_create("basics");
    TCase *scan = tcase_create("scan-iterate");
    TCase *random = tcase_create("random");

    tcase_set_timeout(basics, 120);
    tcase_set_timeout(scan, 120);
    tcase_set_timeout(random, 120);
    tcase_add_test(basics, test_basic_operations);
    tcase_add_test(basics, test_value_ownership);
    tcase_add_test(basics, test_model_with_values);
    tcase_add_test(basics, test_model_keys_only);
    tcase_add_test(basics, test_resize_thresholds);
    tcase_add_test(basics, test_mem_usage);
    tcase_add_test(scan, test_scan_covers_stable_elements_across_resizes);
    tcase_add_test(scan, test_scan_resized_at_every_position);
    tcase_add_test(scan, test_scan_static_and_frozen_mid_resize);
    tcase_add_test(scan, test_iterator_tolerates_deleting_current);
    tcase_add_test(scan, test_iterator_with_adds_and_lookups);
    tcase_add_test(random, test_fair_random_is_roughly_uniform);
    tcase_add_test(random, test_random_reaches_every_element);
    tcase_add_test(random, test_some_random_distinct);
    suite_add_tcase(suite, basics);
    suite_add_tcase(suite, scan);
    suite_add_tcase(suite, random);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(dict_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
