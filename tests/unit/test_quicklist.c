/*
 * Unit tests for engine/quicklist: pushes and pops, node limits by count
 * and by size class, plain nodes for large elements, iteration with
 * deletion both ways, insert and replace (with their splits and merges),
 * ranges, the listpack conversion and RDB-style building, and a 100,000
 * operation run against a plain array model with the node invariants
 * checked throughout.
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/listpack.h"
#include "engine/quicklist.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t test_rand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x9E3779B97F4A7C15ULL;
}

/* The text of a value (integers formatted). */
static size_t value_text(const struct quicklist_value *v, const unsigned char **s, char *buf)
{
    if (v->str) {
        *s = v->str;
        return v->len;
    }
    *s = (const unsigned char *)buf;
    return lp_int_to_str(buf, v->ll);
}

static int value_is(const struct quicklist_value *v, const void *s, size_t len)
{
    char buf[LP_INTBUF_SIZE];
    const unsigned char *t;
    size_t n = value_text(v, &t, buf);

    return n == len && (len == 0 || memcmp(t, s, len) == 0);
}

static void assert_index_is(struct quicklist *ql, long index, const char *s)
{
    struct quicklist_value v;

    ck_assert_msg(quicklist_index(ql, index, &v), "no element at %ld", index);
    ck_assert_msg(value_is(&v, s, strlen(s)), "wrong element at %ld", index);
}

/* The size limit of a multi-element node for a fill, as Redis applies it:
 * estimates keep inserts under it; merges may pass it by the 4 bytes of
 * Redis's "-11" approximation. */
static size_t node_size_limit(int fill)
{
    static const size_t classes[] = {4096, 8192, 16384, 32768, 65536};

    return (fill < 0 ? classes[-fill - 1] : 8192) + 4;
}

/* How much of the node limits a list must respect: none for nodes loaded
 * as they are (RDB), the count limit after any operation, the size limit
 * too when no insert or replace ran (see node_size_limit). */
enum limits { LIMITS_NONE, LIMITS_COUNT, LIMITS_ALL };

/* Structure: links, counts, sizes, listpacks valid, no empty node; and the
 * limits asked for. */
static void check_invariants(const struct quicklist *ql, enum limits limits)
{
    unsigned long count = 0, len = 0;
    const struct quicklist_node *prev = NULL;

    for (const struct quicklist_node *n = ql->head; n; prev = n, n = n->next) {
        ck_assert_ptr_eq(n->prev, prev);
        ck_assert_uint_gt(n->count, 0);
        if (n->plain) {
            ck_assert_uint_eq(n->count, 1);
        } else {
            ck_assert(lp_validate(n->entry, n->sz, 1));
            ck_assert_uint_eq(n->sz, lp_bytes(n->entry));
            ck_assert_uint_eq(lp_length(n->entry), n->count);
            if (limits != LIMITS_NONE && ql->fill > 0)
                ck_assert_uint_le(n->count, (unsigned)ql->fill);
            if (limits == LIMITS_ALL && n->count > 1)
                ck_assert_uint_le(n->sz, node_size_limit(ql->fill));
        }
        count += n->count;
        len++;
    }
    ck_assert_ptr_eq(ql->tail, prev);
    ck_assert_uint_eq(count, ql->count);
    ck_assert_uint_eq(len, ql->len);
}

static void push_str(struct quicklist *ql, enum quicklist_end end, const char *s)
{
    quicklist_push(ql, end, s, strlen(s));
}

/* A pop's take(): copies the value's text into the caller's buffer. */
struct popped {
    char buf[16384];
    size_t len;
};

static void take_copy(void *ctx, const struct quicklist_value *v)
{
    struct popped *out = ctx;
    char ibuf[LP_INTBUF_SIZE];
    const unsigned char *s;

    out->len = value_text(v, &s, ibuf);
    ck_assert_uint_le(out->len, sizeof(out->buf));
    memcpy(out->buf, s, out->len);
}

static void assert_pop(struct quicklist *ql, enum quicklist_end end, const char *s)
{
    struct popped out;

    ck_assert(quicklist_pop(ql, end, take_copy, &out));
    ck_assert_uint_eq(out.len, strlen(s));
    ck_assert(memcmp(out.buf, s, out.len) == 0);
}

/* ---- basics ------------------------------------------------------------- */

START_TEST(test_push_pop_index)
{
    struct quicklist *ql = quicklist_new(QUICKLIST_DEFAULT_FILL);

    ck_assert_uint_eq(quicklist_count(ql), 0);
    ck_assert(!quicklist_pop(ql, QUICKLIST_HEAD, take_copy, NULL));
    push_str(ql, QUICKLIST_TAIL, "b");
    push_str(ql, QUICKLIST_HEAD, "a");
    push_str(ql, QUICKLIST_TAIL, "300");
    push_str(ql, QUICKLIST_TAIL, "");
    ck_assert_uint_eq(quicklist_count(ql), 4);
    ck_assert_uint_eq(ql->len, 1);
    assert_index_is(ql, 0, "a");
    assert_index_is(ql, 2, "300");
    assert_index_is(ql, -1, "");
    assert_index_is(ql, -4, "a");
    {
        struct quicklist_value v;
        ck_assert(!quicklist_index(ql, 4, &v));
        ck_assert(!quicklist_index(ql, -5, &v));
        ck_assert(!quicklist_index(ql, LONG_MIN, &v));
        ck_assert(!quicklist_index(ql, LONG_MAX, &v));
    }
    assert_pop(ql, QUICKLIST_TAIL, "");
    assert_pop(ql, QUICKLIST_HEAD, "a");
    assert_pop(ql, QUICKLIST_HEAD, "b");
    ck_assert(quicklist_pop(ql, QUICKLIST_HEAD, NULL, NULL)); /* discard "300" */
    ck_assert_uint_eq(quicklist_count(ql), 0);
    ck_assert_uint_eq(ql->len, 0);
    ck_assert_ptr_null(ql->head);
    ck_assert_ptr_null(ql->tail);
    quicklist_free(ql);
}
END_TEST

START_TEST(test_count_fill_makes_nodes)
{
    struct quicklist *ql = quicklist_new(4);
    char buf[16];

    for (int i = 0; i < 10; i++)
        quicklist_push(ql, QUICKLIST_TAIL, buf, (size_t)sprintf(buf, "%d", i));
    ck_assert_uint_eq(ql->len, 3);
    ck_assert_uint_eq(ql->head->count, 4);
    ck_assert_uint_eq(ql->head->next->count, 4);
    ck_assert_uint_eq(ql->tail->count, 2);
    for (int i = 0; i < 10; i++) assert_index_is(ql, i, (sprintf(buf, "%d", i), buf));
    check_invariants(ql, LIMITS_ALL);
    quicklist_set_fill(ql, 100000);
    ck_assert_int_eq(ql->fill, 32767);
    quicklist_set_fill(ql, -100);
    ck_assert_int_eq(ql->fill, -5);
    quicklist_free(ql);
}
END_TEST

/* With fill -1 (4 KiB) nodes stay within their class; an element bigger
 * than the class lands in a packed node of its own. */
START_TEST(test_size_class_fill)
{
    struct quicklist *ql = quicklist_new(-1);
    char big[10000], val[100];

    memset(val, 'v', sizeof(val));
    for (int i = 0; i < 500; i++) quicklist_push(ql, QUICKLIST_TAIL, val, sizeof(val));
    check_invariants(ql, LIMITS_ALL);
    ck_assert_uint_gt(ql->len, 10);
    memset(big, 'B', sizeof(big));
    quicklist_push(ql, QUICKLIST_HEAD, big, sizeof(big));
    ck_assert_uint_eq(ql->head->count, 1);
    ck_assert(!ql->head->plain);
    quicklist_push(ql, QUICKLIST_HEAD, val, sizeof(val)); /* the big node is full */
    ck_assert_uint_eq(ql->head->count, 1);
    check_invariants(ql, LIMITS_ALL);
    quicklist_free(ql);
}
END_TEST

/* ---- plain nodes -------------------------------------------------------- */

START_TEST(test_plain_nodes)
{
    struct quicklist *ql = quicklist_new(-2);
    char big[300], small[8] = "s";
    struct quicklist_iter it;
    struct quicklist_entry e;

    ck_assert(!quicklist_set_plain_threshold(ql, ((size_t)1 << 32)));
    ck_assert(quicklist_set_plain_threshold(ql, 0));
    ck_assert_uint_eq(ql->plain_threshold, QUICKLIST_DEFAULT_PLAIN_THRESHOLD);
    ck_assert(quicklist_set_plain_threshold(ql, 200));
    memset(big, 'P', sizeof(big));
    for (int i = 0; i < 6; i++) quicklist_push(ql, QUICKLIST_TAIL, small, 1);
    quicklist_push(ql, QUICKLIST_TAIL, big, sizeof(big));
    ck_assert(ql->tail->plain);
    ck_assert_uint_eq(ql->tail->sz, sizeof(big));
    ck_assert_uint_eq(ql->len, 2);

    /* Insert a large element in the middle of the packed node: split. */
    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 2));
    ck_assert(quicklist_next(&it, &e));
    quicklist_insert(&it, &e, 1, big, 250);
    ck_assert(!quicklist_next(&it, &e)); /* finished by the insert */
    ck_assert_uint_eq(ql->len, 4);       /* [s s s] [P250] [s s s] [P300] */
    ck_assert_uint_eq(ql->head->count, 3);
    ck_assert(ql->head->next->plain);
    ck_assert_uint_eq(ql->head->next->sz, 250);
    check_invariants(ql, LIMITS_ALL);

    /* Replace a packed element with a large one, and back. */
    ck_assert(quicklist_replace_at(ql, 1, big, 220));
    ck_assert_uint_eq(quicklist_count(ql), 8);
    {
        struct quicklist_value v;
        ck_assert(quicklist_index(ql, 1, &v));
        ck_assert(value_is(&v, big, 220));
        ck_assert(quicklist_index(ql, 3, &v));
        ck_assert(value_is(&v, big, 250));
    }
    ck_assert(quicklist_replace_at(ql, 1, "tiny", 4));
    assert_index_is(ql, 1, "tiny");
    ck_assert(quicklist_replace_at(ql, 3, big, 299)); /* plain to plain */
    check_invariants(ql, LIMITS_COUNT);
    assert_index_is(ql, 0, "s");
    assert_index_is(ql, 2, "s");
    ck_assert_uint_eq(quicklist_count(ql), 8);

    /* Pops and iteration see plain elements like any other. */
    {
        struct popped out;
        ck_assert(quicklist_pop(ql, QUICKLIST_TAIL, take_copy, &out));
        ck_assert_uint_eq(out.len, 300);
    }
    quicklist_push(ql, QUICKLIST_HEAD, big, 201);
    ck_assert(ql->head->plain);
    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 0));
    ck_assert(quicklist_next(&it, &e));
    ck_assert(quicklist_entry_equals(&e, big, 201));
    ck_assert(!quicklist_entry_equals(&e, big, 200));
    quicklist_iter_delete(&it, &e);
    ck_assert(quicklist_next(&it, &e));
    ck_assert(quicklist_entry_equals(&e, "s", 1));
    check_invariants(ql, LIMITS_COUNT);
    quicklist_free(ql);
}
END_TEST

/* ---- iteration ---------------------------------------------------------- */

static struct quicklist *numbers(int fill, int n)
{
    struct quicklist *ql = quicklist_new(fill);
    char buf[16];

    for (int i = 0; i < n; i++)
        quicklist_push(ql, QUICKLIST_TAIL, buf, (size_t)sprintf(buf, "%d", i));
    return ql;
}

START_TEST(test_iterate_both_ways_from_index)
{
    struct quicklist *ql = numbers(3, 10);
    struct quicklist_iter it;
    struct quicklist_entry e;
    char buf[16];
    int expect;

    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 4));
    for (expect = 4; quicklist_next(&it, &e); expect++)
        ck_assert(quicklist_entry_equals(&e, buf, (size_t)sprintf(buf, "%d", expect)));
    ck_assert_int_eq(expect, 10);
    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_BACKWARD, -3));
    for (expect = 7; quicklist_next(&it, &e); expect--)
        ck_assert(quicklist_entry_equals(&e, buf, (size_t)sprintf(buf, "%d", expect)));
    ck_assert_int_eq(expect, -1);
    ck_assert(!quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 10));
    ck_assert(!quicklist_next(&it, &e));
    quicklist_free(ql);
}
END_TEST

/* LREM-style: delete every even number while iterating, both directions,
 * across node boundaries, including whole nodes disappearing. */
START_TEST(test_delete_while_iterating)
{
    for (int dir = 0; dir < 2; dir++) {
        struct quicklist *ql = numbers(2, 21);
        struct quicklist_iter it;
        struct quicklist_entry e;
        int visited = 0;

        ck_assert(quicklist_iter_init(&it, ql, dir ? QUICKLIST_BACKWARD : QUICKLIST_FORWARD,
                                      dir ? -1 : 0));
        while (quicklist_next(&it, &e)) {
            visited++;
            if (e.value.ll % 2 == 0 || e.value.ll == 5) quicklist_iter_delete(&it, &e);
        }
        ck_assert_int_eq(visited, 21);
        ck_assert_uint_eq(quicklist_count(ql), 9);
        for (int i = 0, k = 1; k < 21; k += 2) {
            char buf[16];
            if (k == 5) continue;
            assert_index_is(ql, i++, (sprintf(buf, "%d", k), buf));
        }
        check_invariants(ql, LIMITS_ALL);
        quicklist_free(ql);
    }
}
END_TEST

START_TEST(test_insert_splits_and_merges)
{
    struct quicklist *ql = numbers(4, 8); /* [0 1 2 3] [4 5 6 7] */
    struct quicklist_iter it;
    struct quicklist_entry e;

    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 1));
    ck_assert(quicklist_next(&it, &e));
    quicklist_insert(&it, &e, 1, "x", 1); /* full, middle: split */
    ck_assert_uint_eq(quicklist_count(ql), 9);
    assert_index_is(ql, 2, "x");
    assert_index_is(ql, 3, "2");
    check_invariants(ql, LIMITS_ALL);
    /* At a node's tail with room in the next node: goes to its head. */
    quicklist_free(ql);
    ql = numbers(4, 6); /* [0 1 2 3] [4 5] */
    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 3));
    ck_assert(quicklist_next(&it, &e));
    quicklist_insert(&it, &e, 1, "y", 1);
    ck_assert_uint_eq(ql->len, 2);
    ck_assert_uint_eq(ql->tail->count, 3);
    assert_index_is(ql, 4, "y");
    /* Before the head of a full node with a full previous node: new node. */
    quicklist_push(ql, QUICKLIST_TAIL, "z", 1); /* [0 1 2 3] [y 4 5 z] */
    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 4));
    ck_assert(quicklist_next(&it, &e));
    quicklist_insert(&it, &e, 0, "w", 1);
    ck_assert_uint_eq(ql->len, 3);
    assert_index_is(ql, 4, "w");
    assert_index_is(ql, 5, "y");
    check_invariants(ql, LIMITS_ALL);
    quicklist_free(ql);
}
END_TEST

START_TEST(test_del_range)
{
    struct quicklist *ql = numbers(3, 20);

    ck_assert(!quicklist_del_range(ql, 0, 0));
    ck_assert(!quicklist_del_range(ql, 20, 1));
    ck_assert(!quicklist_del_range(ql, -21, 1));
    ck_assert(quicklist_del_range(ql, 2, 5)); /* 0 1 7 8 ... 19 */
    assert_index_is(ql, 2, "7");
    ck_assert(quicklist_del_range(ql, -3, 100)); /* drop 17 18 19 */
    assert_index_is(ql, -1, "16");
    ck_assert(quicklist_del_range(ql, -1, 1));
    assert_index_is(ql, -1, "15");
    ck_assert_uint_eq(quicklist_count(ql), 11);
    check_invariants(ql, LIMITS_ALL);
    ck_assert(quicklist_del_range(ql, 0, LONG_MAX));
    ck_assert_uint_eq(quicklist_count(ql), 0);
    ck_assert_ptr_null(ql->head);
    quicklist_free(ql);
}
END_TEST

/* ---- building ----------------------------------------------------------- */

START_TEST(test_from_listpack_and_rdb_building)
{
    unsigned char *lp = lp_new(0);
    struct quicklist *ql, *copy;
    char buf[32];

    for (int i = 0; i < 50; i++) lp = lp_append(lp, buf, (size_t)sprintf(buf, "e%d", i));
    lp = lp_append_int(lp, -12345);
    ql = quicklist_from_listpack(lp, 8);
    ck_assert_uint_eq(quicklist_count(ql), 51);
    ck_assert_uint_eq(ql->len, 7);
    assert_index_is(ql, 0, "e0");
    assert_index_is(ql, -1, "-12345");
    check_invariants(ql, LIMITS_ALL);

    /* RDB loading: nodes appended as they are, whatever their size. */
    quicklist_append_listpack(ql, lp);
    {
        unsigned char *raw = mem_alloc(5);
        memcpy(raw, "plain", 5);
        quicklist_append_plain(ql, raw, 5);
    }
    ck_assert_uint_eq(quicklist_count(ql), 51 + 51 + 1);
    ck_assert_uint_eq(ql->tail->count, 1);
    ck_assert(ql->tail->plain);
    assert_index_is(ql, -1, "plain");
    assert_index_is(ql, -2, "-12345");
    check_invariants(ql, LIMITS_NONE);

    copy = quicklist_dup(ql);
    quicklist_free(ql);
    ck_assert_uint_eq(quicklist_count(copy), 103);
    ck_assert_uint_eq(copy->len, 9);
    assert_index_is(copy, 51, "e0");
    assert_index_is(copy, -1, "plain");
    check_invariants(copy, LIMITS_NONE);
    quicklist_free(copy);
}
END_TEST

/* ---- random operations against a model ---------------------------------- */

struct model {
    char **v;
    size_t *len;
    size_t n;
};

static void model_insert(struct model *m, size_t at, const char *s, size_t len)
{
    m->v = realloc(m->v, (m->n + 1) * sizeof(*m->v));
    m->len = realloc(m->len, (m->n + 1) * sizeof(*m->len));
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof(*m->len));
    m->v[at] = malloc(len ? len : 1);
    memcpy(m->v[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(struct model *m, size_t at, size_t num)
{
    for (size_t i = at; i < at + num; i++) free(m->v[i]);
    memmove(m->v + at, m->v + at + num, (m->n - at - num) * sizeof(*m->v));
    memmove(m->len + at, m->len + at + num, (m->n - at - num) * sizeof(*m->len));
    m->n -= num;
}

static int model_eq(const struct model *m, size_t i, const void *s, size_t len)
{
    return m->len[i] == len && (len == 0 || memcmp(m->v[i], s, len) == 0);
}

/* Values from a small pool (so that LREM-style deletes find matches) plus
 * random ones: ints of every size, short strings, ~1 KiB strings, and now
 * and then one above 8 KiB, or above the plain threshold when it is low. */
static size_t random_value(char *buf)
{
    static const char *const pool[] = {"a", "b", "17", "-1", "foo", "9999999999"};
    uint64_t r = test_rand() % 100;

    if (r < 40) {
        const char *s = pool[test_rand() % 6];
        memcpy(buf, s, strlen(s));
        return strlen(s);
    }
    if (r < 60) return (size_t)sprintf(buf, "%lld", (long long)test_rand() >> (test_rand() % 64));
    if (r < 85) {
        size_t n = test_rand() % 40;
        for (size_t i = 0; i < n; i++) buf[i] = (char)('a' + test_rand() % 26);
        return n;
    }
    if (r < 98) {
        size_t n = 500 + test_rand() % 1000;
        memset(buf, 'm', n);
        return n;
    }
    memset(buf, 'L', 9000);
    return 9000;
}

static void assert_same(struct quicklist *ql, const struct model *m, int strict)
{
    struct quicklist_iter it;
    struct quicklist_entry e;
    size_t i = 0;

    check_invariants(ql, strict ? LIMITS_ALL : LIMITS_COUNT);
    ck_assert_uint_eq(quicklist_count(ql), m->n);
    if (quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 0)) {
        for (; quicklist_next(&it, &e); i++)
            ck_assert(quicklist_entry_equals(&e, m->v[i], m->len[i]));
    }
    ck_assert_uint_eq(i, m->n);
    if (quicklist_iter_init(&it, ql, QUICKLIST_BACKWARD, -1)) {
        for (; quicklist_next(&it, &e); i--) {
            char buf[LP_INTBUF_SIZE];
            const unsigned char *s;
            size_t n = value_text(&e.value, &s, buf);
            ck_assert(model_eq(m, i - 1, s, n));
        }
    }
    ck_assert_uint_eq(i, 0);
}

/* LREM key count value: deletes up to |count| matches (all with 0), from
 * the tail when count < 0. */
static void op_lrem(struct quicklist *ql, struct model *m, const char *s, size_t len)
{
    long count = (long)(test_rand() % 4) - 1;
    int backward = count < 0;
    long limit = backward ? -count : count, removed = 0;
    struct quicklist_iter it;
    struct quicklist_entry e;

    if (quicklist_iter_init(&it, ql, backward ? QUICKLIST_BACKWARD : QUICKLIST_FORWARD,
                            backward ? -1 : 0)) {
        while (quicklist_next(&it, &e) && (limit == 0 || removed < limit)) {
            if (!quicklist_entry_equals(&e, s, len)) continue;
            quicklist_iter_delete(&it, &e);
            removed++;
        }
    }
    if (!backward) {
        for (size_t i = 0; i < m->n && (limit == 0 || removed > 0);) {
            if (model_eq(m, i, s, len)) {
                model_delete(m, i, 1);
                removed--;
            } else {
                i++;
            }
        }
    } else {
        for (size_t i = m->n; i > 0 && removed > 0; i--) {
            if (model_eq(m, i - 1, s, len)) {
                model_delete(m, i - 1, 1);
                removed--;
            }
        }
    }
    ck_assert_int_eq(removed, 0); /* the model had exactly as many matches */
}

/* LTRIM start stop, with Redis's index rules, as two deletions. */
static void op_ltrim(struct quicklist *ql, struct model *m)
{
    long llen = (long)m->n, start = (long)(test_rand() % 4),
         end = llen - 1 - (long)(test_rand() % 4);
    long ltrim, rtrim;

    if (test_rand() % 50 == 0) { /* now and then any indexes at all */
        start = (long)(test_rand() % 40) - 20;
        end = (long)(test_rand() % 40) - 20;
    }

    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    quicklist_del_range(ql, 0, ltrim);
    quicklist_del_range(ql, -rtrim, rtrim);
    model_delete(m, m->n - (size_t)rtrim, (size_t)rtrim);
    model_delete(m, 0, (size_t)ltrim);
}

/* LINSERT: before or after the element at a random index. */
static void op_insert(struct quicklist *ql, struct model *m, const char *s, size_t len)
{
    size_t at = test_rand() % m->n;
    int after = (int)(test_rand() % 2);
    struct quicklist_iter it;
    struct quicklist_entry e;

    ck_assert(quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, (long)at));
    ck_assert(quicklist_next(&it, &e));
    quicklist_insert(&it, &e, after, s, len);
    model_insert(m, at + (size_t)after, s, len);
}

struct run {
    int fill;
    size_t plain_threshold; /* 0: the default */
    int strict;             /* only ops that keep Redis's size limits */
    int ops;
};

/* Pops from either end, checked against the model. */
static void op_pop(struct quicklist *ql, struct model *m)
{
    int head = (int)(test_rand() % 2);
    size_t at = head ? 0 : m->n - 1;
    struct popped *out = malloc(sizeof(*out));

    ck_assert(quicklist_pop(ql, head ? QUICKLIST_HEAD : QUICKLIST_TAIL, take_copy, out));
    ck_assert(model_eq(m, at, out->buf, out->len));
    model_delete(m, at, 1);
    free(out);
}

/* LINDEX at a random index, from either end. */
static void op_index(struct quicklist *ql, const struct model *m)
{
    long at = (long)(test_rand() % m->n) - (test_rand() % 2 ? (long)m->n : 0);
    size_t i = (size_t)(at < 0 ? at + (long)m->n : at);
    struct quicklist_value v;

    ck_assert(quicklist_index(ql, at, &v));
    ck_assert(value_is(&v, m->v[i], m->len[i]));
}

/* LSET at a random index. */
static void op_replace(struct quicklist *ql, struct model *m, const char *s, size_t len)
{
    size_t at = test_rand() % m->n;

    ck_assert(quicklist_replace_at(ql, (long)at, s, len));
    model_delete(m, at, 1);
    model_insert(m, at, s, len);
}

/* A deletion of up to 5 elements from a random position. */
static void op_del_range(struct quicklist *ql, struct model *m)
{
    size_t start = test_rand() % m->n, count = test_rand() % 6;

    quicklist_del_range(ql, (long)start, (long)count);
    model_delete(m, start, count < m->n - start ? count : m->n - start);
}

/* One random op: adding ones dominate while the list is below its target
 * size, removing ones above it, so lists of every size from empty to a few
 * thousand elements (hundreds of nodes) get exercised. Strict runs skip
 * inserts and replaces, which in Redis 7.0.15 may leave a node over its
 * size limit. */
static void random_op(struct quicklist *ql, struct model *m, int strict, size_t target, char *buf)
{
    size_t len = random_value(buf);
    int r = (int)(test_rand() % 100), grow = m->n < target;
    int add = grow ? 75 : 30, read = grow ? 10 : 15;

    if (m->n == 0 || r < add) {
        if (!strict && m->n && test_rand() % 3 == 0) {
            op_insert(ql, m, buf, len);
        } else {
            int head = (int)(test_rand() % 2);
            quicklist_push(ql, head ? QUICKLIST_HEAD : QUICKLIST_TAIL, buf, len);
            model_insert(m, head ? 0 : m->n, buf, len);
        }
    } else if (r < add + read) {
        if (!strict && test_rand() % 2)
            op_replace(ql, m, buf, len);
        else
            op_index(ql, m);
    } else {
        r = (int)(test_rand() % 100);
        if (r < 45)
            op_pop(ql, m);
        else if (r < 65)
            op_lrem(ql, m, buf, len);
        else if (r < 72)
            op_ltrim(ql, m);
        else
            op_del_range(ql, m);
    }
}

START_TEST(test_random_ops_against_model)
{
    static const struct run runs[] = {
        {-2, 0, 0, 15000},     {-1, 1200, 0, 15000}, {4, 0, 0, 12000},  {1, 0, 0, 8000},
        {100, 3000, 0, 12000}, {-5, 0, 0, 10000},    {-2, 0, 1, 14000}, {7, 1200, 1, 14000},
    };
    static const size_t targets[] = {30, 400, 2000, 100, 3000};
    char *buf = malloc(16384);
    int total = 0;

    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        struct quicklist *ql = quicklist_new(runs[r].fill);
        struct model m = {0};
        if (runs[r].plain_threshold) quicklist_set_plain_threshold(ql, runs[r].plain_threshold);
        for (int i = 0; i < runs[r].ops; i++, total++) {
            random_op(ql, &m, runs[r].strict, targets[(i / 2500) % 5], buf);
            if (i % 97 == 0) assert_same(ql, &m, runs[r].strict);
        }
        assert_same(ql, &m, runs[r].strict);
        {
            struct quicklist *copy = quicklist_dup(ql);
            assert_same(copy, &m, runs[r].strict);
            quicklist_free(copy);
        }
        model_delete(&m, 0, m.n);
        free(m.v);
        free(m.len);
        quicklist_free(ql);
    }
    ck_assert_int_eq(total, 100000);
    free(buf);
}
END_TEST

static Suite *quicklist_suite(void)
{
    Suite *suite = suite_create("quicklist");
    TCase *basics = tcase_create("basics");
    TCase *model = tcase_create("model");

    tcase_add_test(basics, test_push_pop_index);
    tcase_add_test(basics, test_count_fill_makes_nodes);
    tcase_add_test(basics, test_size_class_fill);
    tcase_add_test(basics, test_plain_nodes);
    tcase_add_test(basics, test_iterate_both_ways_from_index);
    tcase_add_test(basics, test_delete_while_iterating);
    tcase_add_test(basics, test_insert_splits_and_merges);
    tcase_add_test(basics, test_del_range);
    tcase_add_test(basics, test_from_listpack_and_rdb_building);
    tcase_add_test(model, test_random_ops_against_model);
    tcase_set_timeout(model, 600);
    suite_add_tcase(suite, basics);
    suite_add_tcase(suite, model);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(quicklist_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
