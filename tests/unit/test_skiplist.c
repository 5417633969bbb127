/*
 * Unit tests for engine/skiplist (the sorted-set skip list) and
 * engine/zscore (member order, score and lex range arguments, the listpack
 * form of a score), plus the engine/util functions sorted sets reply and
 * parse ZADD scores with.
 *
 * The skip list is driven against a reference model (a sorted array of
 * pool members) through 100,000 random inserts, deletes, score updates and
 * range deletions; after every batch the whole list, every rank, and random
 * score and lex range queries are compared with the model, and the span and
 * level invariants are walked.
 *
 * Expected strings come from the Redis 7.0.15 code paths named beside them
 * (src/networking.c addReplyDouble, src/util.c d2string / double2ll /
 * string2d, src/t_zset.c zslParseRange / zslParseLexRangeItem /
 * zzlInsertAt / zzlStrtod); the ones a client can see were also checked
 * against redis-server 7.0.15 (ZADD, ZSCORE, ZCOUNT, ZLEXCOUNT).
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/skiplist.h"
#include "engine/util.h"
#include "engine/zscore.h"

/* Check sends every ck_assert's location through a pipe (a write(2) each);
 * the model checks run millions of times, so they only call into Check
 * when they fail. */
#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                         \
    } while (0)
#define EXPECT_EQ(a, b) EXPECT((a) == (b))
#define EXPECT_NULL(p) EXPECT((p) == NULL)

/* ---- deterministic randomness for the model tests ---------------------- */

static uint64_t test_rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: reproducible runs (node heights still come from
 * util_rand64, which the model does not depend on). */
static uint64_t test_rand(void)
{
    test_rng ^= test_rng >> 12;
    test_rng ^= test_rng << 25;
    test_rng ^= test_rng >> 27;
    return test_rng * 0x2545f4914f6cdd1dULL;
}

static size_t test_below(size_t n)
{
    return (size_t)(test_rand() % n);
}

/* ---- the member pool --------------------------------------------------- */

/* Every string of length 0..6 over {NUL, 'a', 'b', 0xff}: empty members,
 * prefixes of each other, NUL bytes and bytes above 0x7f, all of which
 * the member order must handle as memcmp-then-length. */
#define POOL_MAX_LEN 6
#define POOL_SIZE 5461 /* 4^0 + ... + 4^6 */

/* A C string too (NUL first), so that strchr can find a byte's digit. */
static const char pool_alphabet[5] = {'\0', 'a', 'b', '\xff', '\0'};

struct pool_member {
    char bytes[POOL_MAX_LEN];
    size_t len;
};

static struct pool_member pool[POOL_SIZE];
/* pool_by_member[k]: the pool index of the k-th member in member order. */
static int pool_by_member[POOL_SIZE];

/* The model's own member order, written independently of zscore's:
 * unsigned bytes first, then the shorter string. */
static int model_member_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    for (size_t i = 0; i < alen && i < blen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

        if (x != y) return x < y ? -1 : 1;
    }
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static int pool_cmp_indices(const void *a, const void *b)
{
    const struct pool_member *x = &pool[*(const int *)a], *y = &pool[*(const int *)b];

    return model_member_cmp(x->bytes, x->len, y->bytes, y->len);
}

/* Pool index of a member: members of length L start at (4^L - 1) / 3 and
 * are numbered by their base-4 digits. */
static int pool_index_of(const char *bytes, size_t len)
{
    int index = 0;

    for (size_t i = 0; i < len; i++) {
        int digit = (int)(strchr(pool_alphabet + 1, bytes[i]) - pool_alphabet);

        if (bytes[i] == '\0') digit = 0;
        index = index * 4 + digit;
    }
    return index + (int)(((1u << (2 * len)) - 1) / 3);
}

static void pool_build(void)
{
    int index = 0;

    for (size_t len = 0; len <= POOL_MAX_LEN; len++) {
        for (unsigned code = 0; code < (1u << (2 * len)); code++, index++) {
            pool[index].len = len;
            for (size_t i = 0; i < len; i++)
                pool[index].bytes[i] = pool_alphabet[(code >> (2 * (len - 1 - i))) & 3];
        }
    }
    for (int i = 0; i < POOL_SIZE; i++) pool_by_member[i] = i;
    qsort(pool_by_member, POOL_SIZE, sizeof(int), pool_cmp_indices);
}

/* ---- the reference model ---------------------------------------------- */

/* The same members in two lists: by_score with their scores, by_lex with
 * score 0 for all (the ZRANGEBYLEX contract), and a sorted array. */
struct model {
    struct skiplist *by_score;
    struct skiplist *by_lex;
    struct skiplist_node *node[POOL_SIZE];
    struct skiplist_node *lex_node[POOL_SIZE];
    double score[POOL_SIZE];
    int order[POOL_SIZE]; /* present members by (score, member) */
    size_t count;
};

static struct model *model_new(void)
{
    struct model *m = calloc(1, sizeof(*m));

    if (m == NULL) ck_abort_msg("out of memory");
    m->by_score = skiplist_create();
    m->by_lex = skiplist_create();
    return m;
}

static void model_free(struct model *m)
{
    skiplist_free(m->by_score);
    skiplist_free(m->by_lex);
    free(m);
}

static int model_key_cmp(double sa, int a, double sb, int b)
{
    if (sa != sb) return sa < sb ? -1 : 1;
    return model_member_cmp(pool[a].bytes, pool[a].len, pool[b].bytes, pool[b].len);
}

/* Position of the first element not before (score, member). */
static size_t model_lower_bound(const struct model *m, double score, int member)
{
    size_t lo = 0, hi = m->count;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = m->order[mid];

        if (model_key_cmp(m->score[k], k, score, member) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void model_array_add(struct model *m, int member)
{
    size_t at = model_lower_bound(m, m->score[member], member);

    memmove(&m->order[at + 1], &m->order[at], (m->count - at) * sizeof(int));
    m->order[at] = member;
    m->count++;
}

static void model_array_remove(struct model *m, int member)
{
    size_t at = model_lower_bound(m, m->score[member], member);

    EXPECT_EQ(m->order[at], member);
    memmove(&m->order[at], &m->order[at + 1], (m->count - at - 1) * sizeof(int));
    m->count--;
}

static void model_insert(struct model *m, int member, double score)
{
    const struct pool_member *p = &pool[member];
    struct skiplist_node *node = skiplist_insert(m->by_score, score, p->bytes, p->len);

    EXPECT(skiplist_node_score(node) == score);
    EXPECT_EQ(skiplist_node_member_len(node), p->len);
    EXPECT(memcmp(skiplist_node_member(node), p->bytes, p->len) == 0);
    m->node[member] = node;
    m->lex_node[member] = skiplist_insert(m->by_lex, 0, p->bytes, p->len);
    m->score[member] = score;
    model_array_add(m, member);
}

/* A score that is not `score` (adding to it fails for the infinities). */
static double other_score(double score)
{
    return score == 1.25 ? 2.5 : 1.25;
}

static void model_delete(struct model *m, int member)
{
    const struct pool_member *p = &pool[member];

    /* A wrong score must not delete it. */
    EXPECT_EQ(skiplist_delete(m->by_score, other_score(m->score[member]), p->bytes, p->len), 0);
    EXPECT_EQ(skiplist_delete(m->by_score, m->score[member], p->bytes, p->len), 1);
    EXPECT_EQ(skiplist_delete(m->by_lex, 0, p->bytes, p->len), 1);
    EXPECT_EQ(skiplist_delete(m->by_lex, 0, p->bytes, p->len), 0);
    model_array_remove(m, member);
    m->node[member] = NULL;
    m->lex_node[member] = NULL;
}

static void model_update(struct model *m, int member, double score)
{
    struct skiplist_node *node = m->node[member];

    skiplist_update_score(m->by_score, node, score);
    EXPECT(skiplist_node_score(node) == score);
    model_array_remove(m, member);
    m->score[member] = score;
    model_array_add(m, member);
}

/* Scores with many ties (so member order matters), both zeros, the
 * infinities and arbitrary finite doubles. */
static double random_score(void)
{
    uint64_t r = test_rand();
    double d;

    switch (r % 16) {
    case 0:
        return INFINITY;
    case 1:
        return -INFINITY;
    case 2:
        return -0.0;
    case 3:
        memcpy(&d, &r, sizeof(d));
        return isfinite(d) ? d : 1.25;
    default:
        return (double)((int)((r >> 8) % 41) - 20) / 2;
    }
}

/* ---- checking a model -------------------------------------------------- */

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* The whole list in order, every rank both ways, and the ends. */
static void check_order_and_ranks(const struct model *m)
{
    struct skiplist_node *node = skiplist_first(m->by_score), *prev = NULL;

    EXPECT(skiplist_check(m->by_score));
    EXPECT_EQ(skiplist_length(m->by_score), m->count);
    for (size_t k = 0; k < m->count; k++) {
        int member = m->order[k];
        const struct pool_member *p = &pool[member];

        EXPECT_EQ(node, m->node[member]);
        EXPECT_EQ(skiplist_prev(node), prev);
        EXPECT(same_double(skiplist_node_score(node), m->score[member]));
        EXPECT_EQ(skiplist_rank(m->by_score, m->score[member], p->bytes, p->len), k + 1);
        EXPECT_EQ(skiplist_by_rank(m->by_score, k + 1), node);
        prev = node;
        node = skiplist_next(node);
    }
    EXPECT_NULL(node);
    EXPECT_EQ(skiplist_last(m->by_score), prev);
    EXPECT_NULL(skiplist_by_rank(m->by_score, 0));
    EXPECT_NULL(skiplist_by_rank(m->by_score, m->count + 1));
}

/* Absent members and present members under another score have rank 0. */
static void check_absent_ranks(const struct model *m)
{
    for (int i = 0; i < 32; i++) {
        int member = (int)test_below(POOL_SIZE);
        const struct pool_member *p = &pool[member];
        double score = m->node[member] ? other_score(m->score[member]) : random_score();

        EXPECT_EQ(skiplist_rank(m->by_score, score, p->bytes, p->len), 0);
    }
}

/* by_lex holds the present members in member order. */
static void check_lex_list(const struct model *m)
{
    struct skiplist_node *node = skiplist_first(m->by_lex);

    EXPECT(skiplist_check(m->by_lex));
    EXPECT_EQ(skiplist_length(m->by_lex), m->count);
    for (int k = 0; k < POOL_SIZE; k++) {
        int member = pool_by_member[k];

        if (m->node[member] == NULL) continue;
        EXPECT_EQ(node, m->lex_node[member]);
        node = skiplist_next(node);
    }
    EXPECT_NULL(node);
}

/* The model's reading of a score range, independent of zscore.c. */
static int model_in_score_range(double v, const struct zscore_range *r)
{
    int gte = r->minex ? v > r->min : v >= r->min;
    int lte = r->maxex ? v < r->max : v <= r->max;

    return gte && lte;
}

static struct zscore_range random_score_range(void)
{
    struct zscore_range r;

    r.min = random_score();
    r.max = test_below(4) == 0 ? r.min : random_score();
    if (test_below(3) == 0 && r.min > r.max) {
        double t = r.min;

        r.min = r.max;
        r.max = t;
    }
    r.minex = (int)test_below(2);
    r.maxex = (int)test_below(2);
    return r;
}

/* zslIsInRange's definition: not empty by itself, the last element not
 * below min, the first not above max. */
static int model_score_range_overlaps(const struct model *m, const struct zscore_range *r)
{
    struct zscore_range to_max = {-INFINITY, r->max, 0, r->maxex};
    struct zscore_range from_min = {r->min, INFINITY, r->minex, 0};

    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return 0;
    if (m->count == 0) return 0;
    return model_in_score_range(m->score[m->order[m->count - 1]], &from_min) &&
           model_in_score_range(m->score[m->order[0]], &to_max);
}

static void check_score_range(const struct model *m, const struct zscore_range *r)
{
    struct skiplist_node *first = NULL, *last = NULL;

    for (size_t k = 0; k < m->count; k++) {
        int member = m->order[k];

        if (!model_in_score_range(m->score[member], r)) continue;
        if (first == NULL) first = m->node[member];
        last = m->node[member];
    }
    EXPECT_EQ(skiplist_first_in_range(m->by_score, r), first);
    EXPECT_EQ(skiplist_last_in_range(m->by_score, r), last);
    EXPECT_EQ(skiplist_is_in_range(m->by_score, r), model_score_range_overlaps(m, r));
}

/* A random lex bound: an infinity, or a member (in the pool or not, up to
 * 7 bytes) inclusive or exclusive. */
static struct zscore_lex_bound random_lex_bound(char *storage)
{
    struct zscore_lex_bound b = {ZSCORE_LEX_VALUE, (int)test_below(2), storage, 0};
    size_t kind = test_below(10);

    if (kind == 0 || kind == 1) {
        b.kind = kind == 0 ? ZSCORE_LEX_MIN_INF : ZSCORE_LEX_MAX_INF;
        b.exclusive = 1;
        b.len = 0;
        return b;
    }
    b.len = test_below(POOL_MAX_LEN + 2);
    for (size_t i = 0; i < b.len; i++) storage[i] = pool_alphabet[test_below(4)];
    return b;
}

/* sdscmplex of a member against a bound, written out for the model. */
static int model_lex_cmp(const char *v, size_t len, const struct zscore_lex_bound *b)
{
    if (b->kind == ZSCORE_LEX_MIN_INF) return 1;
    if (b->kind == ZSCORE_LEX_MAX_INF) return -1;
    return model_member_cmp(v, len, b->value, b->len);
}

static int model_in_lex_range(int member, const struct zscore_lex_range *r)
{
    const struct pool_member *p = &pool[member];
    int lo = model_lex_cmp(p->bytes, p->len, &r->min);
    int hi = model_lex_cmp(p->bytes, p->len, &r->max);

    return (r->min.exclusive ? lo > 0 : lo >= 0) && (r->max.exclusive ? hi < 0 : hi <= 0);
}

/* The members of the model in member order, for the lex checks. */
static size_t model_lex_members(const struct model *m, int *out)
{
    size_t n = 0;

    for (int k = 0; k < POOL_SIZE; k++)
        if (m->node[pool_by_member[k]]) out[n++] = pool_by_member[k];
    return n;
}

static int model_lex_range_empty(const struct zscore_lex_range *r)
{
    int cmp;

    if (r->min.kind != r->max.kind)
        cmp = r->min.kind < r->max.kind ? -1 : 1;
    else if (r->min.kind != ZSCORE_LEX_VALUE)
        cmp = 0;
    else
        cmp = model_member_cmp(r->min.value, r->min.len, r->max.value, r->max.len);
    return cmp > 0 || (cmp == 0 && (r->min.exclusive || r->max.exclusive));
}

static void check_lex_range(const struct model *m, const int *members, size_t n,
                            const struct zscore_lex_range *r)
{
    struct skiplist_node *first = NULL, *last = NULL;
    int overlaps = 0;

    for (size_t k = 0; k < n; k++) {
        if (!model_in_lex_range(members[k], r)) continue;
        if (first == NULL) first = m->lex_node[members[k]];
        last = m->lex_node[members[k]];
    }
    if (n > 0 && !model_lex_range_empty(r)) {
        const struct pool_member *lo = &pool[members[0]], *hi = &pool[members[n - 1]];
        int a = model_lex_cmp(hi->bytes, hi->len, &r->min);
        int b = model_lex_cmp(lo->bytes, lo->len, &r->max);

        overlaps = (r->min.exclusive ? a > 0 : a >= 0) && (r->max.exclusive ? b < 0 : b <= 0);
    }
    EXPECT_EQ(zscore_lex_range_is_empty(r), model_lex_range_empty(r));
    EXPECT_EQ(skiplist_first_in_lex_range(m->by_lex, r), first);
    EXPECT_EQ(skiplist_last_in_lex_range(m->by_lex, r), last);
    EXPECT_EQ(skiplist_is_in_lex_range(m->by_lex, r), overlaps);
}

static void check_model(const struct model *m)
{
    static int members[POOL_SIZE];
    size_t n;

    check_order_and_ranks(m);
    check_absent_ranks(m);
    check_lex_list(m);
    for (int i = 0; i < 64; i++) {
        struct zscore_range r = random_score_range();

        check_score_range(m, &r);
    }
    n = model_lex_members(m, members);
    for (int i = 0; i < 64; i++) {
        char lo[POOL_MAX_LEN + 2], hi[POOL_MAX_LEN + 2];
        struct zscore_lex_range r;

        r.min = random_lex_bound(lo);
        r.max = random_lex_bound(hi);

        check_lex_range(m, members, n, &r);
    }
}

/* ---- range deletions through the model --------------------------------- */

/* What the removal callback saw; it also drops each member from the other
 * list, as the command layer will drop it from the dict. */
struct removal_log {
    struct model *m;
    int from_lex; /* nodes come from by_lex (else by_score) */
    int seen[POOL_SIZE];
    size_t count;
};

static void on_removed(void *ctx, struct skiplist_node *node)
{
    struct removal_log *log = ctx;
    struct model *m = log->m;
    int member = pool_index_of(skiplist_node_member(node), skiplist_node_member_len(node));
    const struct pool_member *p = &pool[member];

    EXPECT_EQ(node, log->from_lex ? m->lex_node[member] : m->node[member]);
    log->seen[log->count++] = member;
    if (log->from_lex)
        EXPECT_EQ(skiplist_delete(m->by_score, m->score[member], p->bytes, p->len), 1);
    else
        EXPECT_EQ(skiplist_delete(m->by_lex, 0, p->bytes, p->len), 1);
}

/* The callback must have seen exactly `expected`, in order; the model then
 * forgets those members. */
static void settle_removal(struct model *m, struct removal_log *log, size_t removed,
                           const int *expected, size_t n)
{
    EXPECT_EQ(removed, n);
    EXPECT_EQ(log->count, n);
    for (size_t i = 0; i < n; i++) EXPECT_EQ(log->seen[i], expected[i]);
    for (size_t i = 0; i < n; i++) {
        model_array_remove(m, expected[i]);
        m->node[expected[i]] = NULL;
        m->lex_node[expected[i]] = NULL;
    }
    EXPECT(skiplist_check(m->by_score));
    EXPECT(skiplist_check(m->by_lex));
}

static void delete_random_score_range(struct model *m)
{
    static struct removal_log log;
    static int expected[POOL_SIZE];
    struct zscore_range r = {random_score(), 0, (int)test_below(2), (int)test_below(2)};
    size_t n = 0, removed;

    r.max = isfinite(r.min) ? r.min + (double)test_below(3) / 2 : r.min;
    for (size_t k = 0; k < m->count; k++)
        if (model_in_score_range(m->score[m->order[k]], &r)) expected[n++] = m->order[k];
    log.m = m;
    log.from_lex = 0;
    log.count = 0;
    removed = skiplist_delete_range_by_score(m->by_score, &r, on_removed, &log);
    settle_removal(m, &log, removed, expected, n);
}

static void delete_random_rank_range(struct model *m)
{
    static struct removal_log log;
    static int expected[POOL_SIZE];
    size_t start = test_below(m->count + 3); /* 0 counts as 1 */
    size_t end = start + test_below(24), n = 0, removed;

    if (test_below(8) == 0) end = start > 0 ? start - 1 : 0; /* nothing */
    for (size_t rank = start > 0 ? start : 1; rank <= end && rank <= m->count; rank++)
        expected[n++] = m->order[rank - 1];
    log.m = m;
    log.from_lex = 0;
    log.count = 0;
    removed = skiplist_delete_range_by_rank(m->by_score, start, end, on_removed, &log);
    settle_removal(m, &log, removed, expected, n);
}

static void delete_random_lex_range(struct model *m)
{
    static struct removal_log log;
    static int members[POOL_SIZE], expected[POOL_SIZE];
    size_t count = model_lex_members(m, members), n = 0, removed;
    struct zscore_lex_range r;
    size_t at;

    if (count == 0) return;
    /* Narrow: between a present member and one a few places later. */
    at = test_below(count);
    r.min = (struct zscore_lex_bound){ZSCORE_LEX_VALUE, (int)test_below(2), pool[members[at]].bytes,
                                      pool[members[at]].len};
    at = at + test_below(6) < count ? at + test_below(6) : count - 1;
    r.max = (struct zscore_lex_bound){ZSCORE_LEX_VALUE, (int)test_below(2), pool[members[at]].bytes,
                                      pool[members[at]].len};
    for (size_t k = 0; k < count; k++)
        if (model_in_lex_range(members[k], &r)) expected[n++] = members[k];
    log.m = m;
    log.from_lex = 1;
    log.count = 0;
    removed = skiplist_delete_range_by_lex(m->by_lex, &r, on_removed, &log);
    settle_removal(m, &log, removed, expected, n);
}

/* One random step: insert an absent member, or delete / rescore a present
 * one; now and then a range deletion. */
static void model_step(struct model *m)
{
    int member = (int)test_below(POOL_SIZE);
    size_t dice = test_below(1000);

    if (dice < 4)
        delete_random_score_range(m);
    else if (dice < 8)
        delete_random_rank_range(m);
    else if (dice < 12)
        delete_random_lex_range(m);
    else if (m->node[member] == NULL)
        model_insert(m, member, random_score());
    else if (test_below(2) == 0)
        model_delete(m, member);
    else
        model_update(m, member, random_score());
}

START_TEST(test_random_operations_match_model)
{
    struct model *m = model_new();
    size_t removed;

    pool_build();
    for (int batch = 0; batch < 100; batch++) {
        for (int i = 0; i < 1000; i++) model_step(m);
        check_model(m);
    }
    ck_assert_uint_gt(m->count, 1000);
    /* Empty it by rank and check the list is back to its initial shape. */
    removed = skiplist_delete_range_by_rank(m->by_score, 1, m->count, NULL, NULL);
    ck_assert_uint_eq(removed, m->count);
    ck_assert_uint_eq(skiplist_length(m->by_score), 0);
    ck_assert_ptr_null(skiplist_first(m->by_score));
    ck_assert_ptr_null(skiplist_last(m->by_score));
    ck_assert(skiplist_check(m->by_score));
    model_free(m);
}
END_TEST

/* ---- skiplist: targeted cases ------------------------------------------ */

static struct skiplist_node *insert_str(struct skiplist *sl, double score, const char *member)
{
    return skiplist_insert(sl, score, member, strlen(member));
}

static size_t rank_str(struct skiplist *sl, double score, const char *member)
{
    return skiplist_rank(sl, score, member, strlen(member));
}

START_TEST(test_member_order_within_a_score)
{
    struct skiplist *sl = skiplist_create();
    struct skiplist_node *nul = skiplist_insert(sl, 1, "a\0", 2);
    struct skiplist_node *node;

    insert_str(sl, 1, "b");
    insert_str(sl, 1, "ab");
    insert_str(sl, 1, "a");
    insert_str(sl, 1, "");
    skiplist_insert(sl, 1, "\xff", 1);
    insert_str(sl, 0.5, "z");
    /* z (lower score), "", "a", "a\0", "ab", "b", "\xff" */
    ck_assert_uint_eq(rank_str(sl, 0.5, "z"), 1);
    ck_assert_uint_eq(rank_str(sl, 1, ""), 2);
    ck_assert_uint_eq(rank_str(sl, 1, "a"), 3);
    ck_assert_uint_eq(skiplist_rank(sl, 1, "a\0", 2), 4);
    ck_assert_uint_eq(rank_str(sl, 1, "ab"), 5);
    ck_assert_uint_eq(rank_str(sl, 1, "b"), 6);
    ck_assert_uint_eq(skiplist_rank(sl, 1, "\xff", 1), 7);
    ck_assert_ptr_eq(skiplist_by_rank(sl, 4), nul);
    ck_assert_uint_eq(skiplist_node_member_len(nul), 2);
    ck_assert(memcmp(skiplist_node_member(nul), "a\0", 3) == 0); /* NUL-terminated too */
    node = skiplist_last(sl);
    ck_assert_uint_eq(skiplist_node_member_len(node), 1);
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

START_TEST(test_zeros_and_infinities)
{
    struct skiplist *sl = skiplist_create();

    insert_str(sl, 0.0, "b");
    insert_str(sl, -0.0, "a"); /* same score as 0.0: ordered by member */
    insert_str(sl, INFINITY, "inf");
    insert_str(sl, -INFINITY, "-inf");
    ck_assert_uint_eq(rank_str(sl, -INFINITY, "-inf"), 1);
    ck_assert_uint_eq(rank_str(sl, 0.0, "a"), 2); /* found under either zero */
    ck_assert_uint_eq(rank_str(sl, -0.0, "b"), 3);
    ck_assert_uint_eq(rank_str(sl, INFINITY, "inf"), 4);
    ck_assert(signbit(skiplist_node_score(skiplist_by_rank(sl, 2))));
    ck_assert_int_eq(skiplist_delete(sl, 0.0, "a", 1), 1);
    ck_assert_uint_eq(skiplist_length(sl), 3);
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

START_TEST(test_update_score_keeps_the_node)
{
    struct skiplist *sl = skiplist_create();
    struct skiplist_node *a = insert_str(sl, 1, "a");
    struct skiplist_node *b = insert_str(sl, 2, "b");
    struct skiplist_node *c = insert_str(sl, 3, "c");

    skiplist_update_score(sl, b, 2.5); /* neighbours still bracket it: in place */
    ck_assert_ptr_eq(skiplist_by_rank(sl, 2), b);
    ck_assert(skiplist_node_score(b) == 2.5);
    skiplist_update_score(sl, b, 3); /* ties c: relinked, "b" < "c" keeps rank 2 */
    ck_assert_ptr_eq(skiplist_by_rank(sl, 2), b);
    skiplist_update_score(sl, b, 10); /* moves to the end */
    ck_assert_ptr_eq(skiplist_last(sl), b);
    ck_assert_ptr_eq(skiplist_prev(b), c);
    ck_assert_uint_eq(rank_str(sl, 10, "b"), 3);
    ck_assert_uint_eq(rank_str(sl, 2.5, "b"), 0);
    skiplist_update_score(sl, a, -INFINITY);
    skiplist_update_score(sl, a, 20); /* first to last */
    ck_assert_ptr_eq(skiplist_first(sl), c);
    ck_assert_ptr_eq(skiplist_last(sl), a);
    ck_assert_ptr_null(skiplist_prev(c));
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

START_TEST(test_empty_list)
{
    struct skiplist *sl = skiplist_create();
    struct zscore_range all = {-INFINITY, INFINITY, 0, 0};
    struct zscore_lex_range lex;

    ck_assert(zscore_lex_range_parse("-", 1, "+", 1, &lex));
    ck_assert_uint_eq(skiplist_length(sl), 0);
    ck_assert_ptr_null(skiplist_first(sl));
    ck_assert_ptr_null(skiplist_last(sl));
    ck_assert_ptr_null(skiplist_by_rank(sl, 1));
    ck_assert_uint_eq(skiplist_rank(sl, 0, "", 0), 0);
    ck_assert_int_eq(skiplist_delete(sl, 0, "", 0), 0);
    ck_assert_int_eq(skiplist_is_in_range(sl, &all), 0);
    ck_assert_ptr_null(skiplist_first_in_range(sl, &all));
    ck_assert_ptr_null(skiplist_last_in_range(sl, &all));
    ck_assert_int_eq(skiplist_is_in_lex_range(sl, &lex), 0);
    ck_assert_ptr_null(skiplist_first_in_lex_range(sl, &lex));
    ck_assert_uint_eq(skiplist_delete_range_by_score(sl, &all, NULL, NULL), 0);
    ck_assert_uint_eq(skiplist_delete_range_by_lex(sl, &lex, NULL, NULL), 0);
    ck_assert_uint_eq(skiplist_delete_range_by_rank(sl, 1, 10, NULL, NULL), 0);
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

/* Redis's "overlaps" test is not "has an element in range": [2,3] over
 * {1, 4} overlaps, yet first/last find nothing. */
START_TEST(test_in_range_is_an_overlap_test)
{
    struct skiplist *sl = skiplist_create();
    struct zscore_range gap = {2, 3, 0, 0}, point = {1, 1, 0, 0}, open_point = {1, 1, 1, 0};
    struct zscore_lex_range lex_gap;

    insert_str(sl, 1, "a");
    insert_str(sl, 4, "d");
    ck_assert_int_eq(skiplist_is_in_range(sl, &gap), 1);
    ck_assert_ptr_null(skiplist_first_in_range(sl, &gap));
    ck_assert_ptr_null(skiplist_last_in_range(sl, &gap));
    ck_assert_ptr_eq(skiplist_first_in_range(sl, &point), skiplist_first(sl));
    ck_assert_int_eq(skiplist_is_in_range(sl, &open_point), 0);
    skiplist_free(sl);

    sl = skiplist_create();
    insert_str(sl, 0, "a");
    insert_str(sl, 0, "d");
    ck_assert(zscore_lex_range_parse("[b", 2, "(c", 2, &lex_gap));
    ck_assert_int_eq(skiplist_is_in_lex_range(sl, &lex_gap), 1);
    ck_assert_ptr_null(skiplist_first_in_lex_range(sl, &lex_gap));
    ck_assert_ptr_null(skiplist_last_in_lex_range(sl, &lex_gap));
    skiplist_free(sl);
}
END_TEST

/* p = 1/4 per extra level, at most 32 levels. Bounds are ~8 sigma. */
START_TEST(test_level_distribution)
{
    struct skiplist *sl = skiplist_create();
    size_t at_least[SKIPLIST_MAX_LEVEL + 1] = {0};
    const size_t n = 200000;
    char member[16];

    for (size_t i = 0; i < n; i++) {
        int len = util_ll_to_str(member, sizeof(member), (long long)i);
        struct skiplist_node *node = skiplist_insert(sl, (double)(i % 97), member, (size_t)len);

        EXPECT(node->height >= 1 && node->height <= SKIPLIST_MAX_LEVEL);
        for (int h = 1; h <= node->height; h++) at_least[h]++;
    }
    ck_assert_uint_eq(at_least[1], n);
    ck_assert_uint_ge(at_least[2], 50000 - 1600);
    ck_assert_uint_le(at_least[2], 50000 + 1600);
    ck_assert_uint_ge(at_least[3], 12500 - 900);
    ck_assert_uint_le(at_least[3], 12500 + 900);
    ck_assert_uint_ge(at_least[4], 3125 - 450);
    ck_assert_uint_le(at_least[4], 3125 + 450);
    ck_assert_uint_lt(at_least[16], 2); /* expected 200000 / 4^15 ~ 0.0002 */
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

/* ---- range deletions: the callback sees exactly the removed nodes ------ */

struct seen_nodes {
    struct skiplist_node *node[16];
    char member[16][4];
    size_t count;
};

static void record_node(void *ctx, struct skiplist_node *node)
{
    struct seen_nodes *seen = ctx;

    ck_assert_uint_lt(seen->count, 16);
    ck_assert_uint_lt(skiplist_node_member_len(node), 4);
    seen->node[seen->count] = node;
    memcpy(seen->member[seen->count], skiplist_node_member(node),
           skiplist_node_member_len(node) + 1);
    seen->count++;
}

/* a..j with scores 1..10. */
static struct skiplist *ten_letters(struct skiplist_node **nodes, double score_step)
{
    struct skiplist *sl = skiplist_create();

    for (int i = 0; i < 10; i++) {
        char member[2] = {(char)('a' + i), '\0'};

        nodes[i] = skiplist_insert(sl, score_step * (i + 1), member, 1);
    }
    return sl;
}

START_TEST(test_delete_range_by_score_callback)
{
    struct skiplist_node *nodes[10];
    struct skiplist *sl = ten_letters(nodes, 1);
    struct zscore_range r;
    struct seen_nodes seen = {0};

    ck_assert(zscore_range_parse("(3", 2, "6", 1, &r));
    ck_assert_uint_eq(skiplist_delete_range_by_score(sl, &r, record_node, &seen), 3);
    ck_assert_uint_eq(seen.count, 3);
    ck_assert_ptr_eq(seen.node[0], nodes[3]);
    ck_assert_str_eq(seen.member[0], "d");
    ck_assert_str_eq(seen.member[2], "f");
    ck_assert_uint_eq(skiplist_length(sl), 7);
    ck_assert_uint_eq(rank_str(sl, 7, "g"), 4);
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

START_TEST(test_delete_range_by_lex_callback)
{
    struct skiplist_node *nodes[10];
    struct skiplist *sl = ten_letters(nodes, 0);
    struct zscore_lex_range r;
    struct seen_nodes seen = {0};

    ck_assert(zscore_lex_range_parse("[h", 2, "+", 1, &r));
    ck_assert_uint_eq(skiplist_delete_range_by_lex(sl, &r, record_node, &seen), 3);
    ck_assert_str_eq(seen.member[0], "h");
    ck_assert_str_eq(seen.member[2], "j");
    ck_assert_ptr_eq(skiplist_last(sl), nodes[6]);
    seen.count = 0;
    ck_assert(zscore_lex_range_parse("-", 1, "(b", 2, &r));
    ck_assert_uint_eq(skiplist_delete_range_by_lex(sl, &r, record_node, &seen), 1);
    ck_assert_ptr_eq(seen.node[0], nodes[0]);
    ck_assert_ptr_eq(skiplist_first(sl), nodes[1]);
    ck_assert_ptr_null(skiplist_prev(nodes[1]));
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

START_TEST(test_delete_range_by_rank_callback)
{
    struct skiplist_node *nodes[10];
    struct skiplist *sl = ten_letters(nodes, 1);
    struct seen_nodes seen = {0};

    ck_assert_uint_eq(skiplist_delete_range_by_rank(sl, 2, 4, record_node, &seen), 3);
    ck_assert_ptr_eq(seen.node[0], nodes[1]);
    ck_assert_ptr_eq(seen.node[2], nodes[3]);
    seen.count = 0;
    ck_assert_uint_eq(skiplist_delete_range_by_rank(sl, 6, 100, record_node, &seen), 2);
    ck_assert_str_eq(seen.member[0], "i");
    ck_assert_str_eq(seen.member[1], "j");
    ck_assert_uint_eq(skiplist_delete_range_by_rank(sl, 6, 100, record_node, &seen), 0);
    ck_assert_uint_eq(skiplist_delete_range_by_rank(sl, 3, 2, record_node, &seen), 0);
    ck_assert_uint_eq(seen.count, 2);
    ck_assert_uint_eq(skiplist_length(sl), 5); /* a e f g h */
    ck_assert_ptr_eq(skiplist_by_rank(sl, 2), nodes[4]);
    ck_assert(skiplist_check(sl));
    skiplist_free(sl);
}
END_TEST

/* ---- zscore: member order and range parsing ---------------------------- */

START_TEST(test_member_compare)
{
    ck_assert_int_eq(zscore_member_compare("", 0, "", 0), 0);
    ck_assert_int_lt(zscore_member_compare("", 0, "\0", 1), 0);
    ck_assert_int_lt(zscore_member_compare("a", 1, "a\0", 2), 0);
    ck_assert_int_lt(zscore_member_compare("a\0", 2, "ab", 2), 0);
    ck_assert_int_lt(zscore_member_compare("b", 1, "\x80", 1), 0); /* unsigned bytes */
    ck_assert_int_gt(zscore_member_compare("abc", 3, "ab", 2), 0);
    ck_assert_int_eq(zscore_member_compare("abc", 3, "abc", 3), 0);
}
END_TEST

/* zslParseRange (ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE, ZRANGE BYSCORE):
 * strtod on the C string, only NaN and leftovers refused. */
START_TEST(test_score_range_parse)
{
    static const struct {
        const char *in;
        size_t len;
        double value;
        int exclusive;
    } good[] = {
        {"1.5", 3, 1.5, 0},
        {"(1.5", 4, 1.5, 1},
        {"-inf", 4, -INFINITY, 0},
        {"+inf", 4, INFINITY, 0},
        {"inf", 3, INFINITY, 0},
        {"(-inf", 5, -INFINITY, 1},
        {"-INF", 4, -INFINITY, 0},
        {"Infinity", 8, INFINITY, 0},
        {"(+Infinity", 10, INFINITY, 1},
        {"", 0, 0, 0},             /* strtod("") consumes nothing: 0 */
        {"(", 1, 0, 1},            /* likewise after the '(' */
        {" 1", 2, 1, 0},           /* strtod skips leading white space */
        {"( 2", 3, 2, 1},          /* also after the '(' */
        {"1e400", 5, INFINITY, 0}, /* ERANGE is not checked */
        {"-1e400", 6, -INFINITY, 0},
        {"1e-400", 6, 0, 0},
        {"0x10", 4, 16, 0},
        {"1\0abc", 5, 1, 0}, /* the C string ends at the NUL */
        {"\0(", 2, 0, 0},
        {"(3\0x", 4, 3, 1},
        {"-0", 2, -0.0, 0},
    };
    static const char *const bad[] = {"nan", "(nan", "-nan", "1 ",  "abc", "((1",
                                      "[1",  "1,5",  "1e",   "--1", "(1)", "inf1"};
    struct zscore_range r;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(zscore_range_parse(good[i].in, good[i].len, "0", 1, &r), "refused %zu", i);
        ck_assert_msg(same_double(r.min, good[i].value), "case %zu", i);
        ck_assert_int_eq(r.minex, good[i].exclusive);
        ck_assert(zscore_range_parse("0", 1, good[i].in, good[i].len, &r));
        ck_assert(same_double(r.max, good[i].value));
        ck_assert_int_eq(r.maxex, good[i].exclusive);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!zscore_range_parse(bad[i], strlen(bad[i]), "1", 1, &r), "%s", bad[i]);
        ck_assert_msg(!zscore_range_parse("1", 1, bad[i], strlen(bad[i]), &r), "%s", bad[i]);
    }
    ck_assert_str_eq(ZSCORE_ERR_RANGE_NOT_FLOAT, "ERR min or max is not a float");
}
END_TEST

START_TEST(test_score_range_parse_long_input)
{
    /* Longer than the stack copy: "(" then "1." and 300 zeros. */
    char input[400];
    struct zscore_range r;

    input[0] = '(';
    input[1] = '1';
    input[2] = '.';
    memset(input + 3, '0', 300);
    ck_assert(zscore_range_parse(input, 303, "2", 1, &r));
    ck_assert(r.min == 1 && r.minex);
    input[303] = 'x';
    ck_assert(!zscore_range_parse(input, 304, "2", 1, &r));
}
END_TEST

START_TEST(test_score_range_predicates)
{
    struct zscore_range closed = {1, 2, 0, 0}, open = {1, 2, 1, 1};
    struct zscore_range point = {1, 1, 0, 0}, half_point = {1, 1, 0, 1};
    struct zscore_range reversed = {2, 1, 0, 0}, inf_point = {INFINITY, INFINITY, 0, 0};

    ck_assert(zscore_range_gte_min(1, &closed) && !zscore_range_gte_min(1, &open));
    ck_assert(zscore_range_lte_max(2, &closed) && !zscore_range_lte_max(2, &open));
    ck_assert(!zscore_range_is_empty(&closed));
    ck_assert(!zscore_range_is_empty(&point));
    ck_assert(zscore_range_is_empty(&half_point));
    ck_assert(zscore_range_is_empty(&reversed));
    ck_assert(!zscore_range_is_empty(&inf_point));
}
END_TEST

/* zslParseLexRangeItem. */
START_TEST(test_lex_range_parse)
{
    static const struct {
        const char *in;
        size_t len;
        enum zscore_lex_kind kind;
        int exclusive;
        size_t value_len;
    } good[] = {
        {"-", 1, ZSCORE_LEX_MIN_INF, 1, 0},
        {"+", 1, ZSCORE_LEX_MAX_INF, 1, 0},
        {"[a", 2, ZSCORE_LEX_VALUE, 0, 1},
        {"(a", 2, ZSCORE_LEX_VALUE, 1, 1},
        {"[", 1, ZSCORE_LEX_VALUE, 0, 0}, /* the empty member */
        {"(", 1, ZSCORE_LEX_VALUE, 1, 0},
        {"[a\0b", 4, ZSCORE_LEX_VALUE, 0, 3}, /* NULs kept in a member */
        {"[-", 2, ZSCORE_LEX_VALUE, 0, 1},
        {"+\0x", 3, ZSCORE_LEX_MAX_INF, 1, 0}, /* c[1] == '\0' passes */
        {"-\0", 2, ZSCORE_LEX_MIN_INF, 1, 0},
    };
    static const char *const bad[] = {"", "a", "+a", "-a", "++", "--", "1", "]a", " [a", "+ "};
    struct zscore_lex_range r;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(zscore_lex_range_parse(good[i].in, good[i].len, "+", 1, &r), "case %zu", i);
        ck_assert_int_eq(r.min.kind, good[i].kind);
        ck_assert_int_eq(r.min.exclusive, good[i].exclusive);
        ck_assert_uint_eq(r.min.len, good[i].value_len);
        if (good[i].kind == ZSCORE_LEX_VALUE)
            ck_assert_ptr_eq(r.min.value, good[i].in + 1); /* no copy */
        ck_assert(zscore_lex_range_parse("-", 1, good[i].in, good[i].len, &r));
        ck_assert_int_eq(r.max.kind, good[i].kind);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!zscore_lex_range_parse(bad[i], strlen(bad[i]), "+", 1, &r), "%s", bad[i]);
        ck_assert_msg(!zscore_lex_range_parse("-", 1, bad[i], strlen(bad[i]), &r), "%s", bad[i]);
    }
    ck_assert_str_eq(ZSCORE_ERR_LEX_RANGE, "ERR min or max not valid string range item");
}
END_TEST

static int lex_empty(const char *min, const char *max)
{
    struct zscore_lex_range r;

    ck_assert(zscore_lex_range_parse(min, strlen(min), max, strlen(max), &r));
    return zscore_lex_range_is_empty(&r);
}

START_TEST(test_lex_range_emptiness)
{
    ck_assert(lex_empty("-", "-"));
    ck_assert(lex_empty("+", "+"));
    ck_assert(lex_empty("+", "-"));
    ck_assert(!lex_empty("-", "+"));
    ck_assert(!lex_empty("[a", "[a"));
    ck_assert(lex_empty("(a", "[a"));
    ck_assert(lex_empty("[a", "(a"));
    ck_assert(lex_empty("[b", "[a"));
    ck_assert(!lex_empty("[a", "+"));
    ck_assert(lex_empty("+", "[a"));
    ck_assert(lex_empty("[a", "-"));
    ck_assert(!lex_empty("-", "("));
    ck_assert(!lex_empty("[", "[a"));
}
END_TEST

START_TEST(test_lex_predicates)
{
    struct zscore_lex_range r;

    ck_assert(zscore_lex_range_parse("(a", 2, "[c", 2, &r));
    ck_assert(!zscore_lex_gte_min("a", 1, &r));
    ck_assert(zscore_lex_gte_min("a\0", 2, &r));
    ck_assert(zscore_lex_lte_max("c", 1, &r));
    ck_assert(!zscore_lex_lte_max("c\0", 2, &r));
    ck_assert(zscore_lex_range_parse("-", 1, "+", 1, &r));
    ck_assert(zscore_lex_gte_min("", 0, &r) && zscore_lex_lte_max("", 0, &r));
    ck_assert(zscore_lex_gte_min("\xff\xff", 2, &r) && zscore_lex_lte_max("\xff", 1, &r));
    ck_assert(zscore_lex_range_parse("+", 1, "-", 1, &r));
    ck_assert(!zscore_lex_gte_min("\xff", 1, &r) && !zscore_lex_lte_max("", 0, &r));
}
END_TEST

/* ---- scores: ZADD parsing and reply formatting (engine/util) ----------- */

/* ZADD / ZINCRBY score arguments: getDoubleFromObject -> string2d. */
START_TEST(test_zadd_score_parse)
{
    static const struct {
        const char *in;
        double value;
    } good[] = {
        {"1.5", 1.5},
        {"-inf", -INFINITY},
        {"+inf", INFINITY},
        {"inf", INFINITY},
        {"INF", INFINITY},
        {"-Inf", -INFINITY},
        {"infinity", INFINITY},
        {"0x1p3", 8},
        {"1e308", 1e308},
        {"-0", -0.0},
        {"+5", 5},
        {".5", 0.5},
        {"5.", 5},
        {"1e-310", 1e-310},
    };
    static const char *const bad[] = {"",       "nan",    "NaN", " 1", "1 ",   "(1", "1e400",
                                      "-1e400", "1e-400", "abc", "1x", "inf ", "- 1"};
    double v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(util_str_to_d(good[i].in, strlen(good[i].in), &v), "%s", good[i].in);
        ck_assert_msg(same_double(v, good[i].value), "%s", good[i].in);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!util_str_to_d(bad[i], strlen(bad[i]), &v), "accepted \"%s\"", bad[i]);
    ck_assert_str_eq(ZSCORE_ERR_NAN, "ERR resulting score is not a number (NaN)");
}
END_TEST

/* Scores in replies (ZSCORE, ZINCRBY, ZRANGE WITHSCORES): addReplyDouble,
 * RESP2: "%.17g", "inf" / "-inf" spelled out. */
START_TEST(test_reply_format)
{
    static const struct {
        double v;
        const char *reply;
    } cases[] = {
        {1.5, "1.5"},
        {0.1, "0.10000000000000001"},
        {1e300, "1.0000000000000001e+300"},
        {-0.0, "-0"}, /* skiplist encoding only; see test_listpack_form */
        {0.0, "0"},
        {3.0, "3"},
        {-2.5, "-2.5"},
        {1e17, "1e+17"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {4611686018427387904.0, "4.6116860184273879e+18"},
        {1e15, "1000000000000000"},
        {0.3, "0.29999999999999999"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
    };
    char buf[UTIL_D_STR_SIZE];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int len = util_d_to_str(buf, sizeof(buf), cases[i].v);

        ck_assert_int_eq(len, (int)strlen(cases[i].reply));
        ck_assert_str_eq(buf, cases[i].reply);
    }
}
END_TEST

/* ---- the listpack form: zzlInsertAt, d2string, zzlStrtod --------------- */

START_TEST(test_d2string)
{
    static const struct {
        double v;
        const char *str;
    } cases[] = {
        {1.5, "1.5"},
        {0.1, "0.10000000000000001"},
        {1e300, "1.0000000000000001e+300"},
        {-0.0, "-0"},
        {0.0, "0"},
        {3.0, "3"},
        {-3.0, "-3"},
        {1e17, "100000000000000000"},                   /* integer printer */
        {123456789012345678.0, "123456789012345680"},   /* the double's value */
        {4611686018427387904.0, "4611686018427387904"}, /* 2^62: still in range */
        {-4611686018427387904.0, "-4611686018427387904"},
        {4611686018427388928.0, "4.6116860184273889e+18"}, /* next double: %.17g */
        {-4611686018427388928.0, "-4.6116860184273889e+18"},
        {-1e19, "-1e+19"},
        {2.5e-5, "2.5000000000000001e-05"},
        {-DBL_MAX, "-1.7976931348623157e+308"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {NAN, "nan"},
    };
    char buf[ZSCORE_STR_SIZE];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int len = zscore_d2string(buf, sizeof(buf), cases[i].v);

        ck_assert_int_eq(len, (int)strlen(cases[i].str));
        ck_assert_str_eq(buf, cases[i].str);
    }
    ck_assert_int_eq(zscore_d2string(buf, 3, 1.5), 0); /* no room for the NUL */
}
END_TEST

START_TEST(test_listpack_form)
{
    static const struct {
        double v;
        int is_integer;
        long long integer;
        const char *str;
    } cases[] = {
        {3.0, 1, 3, ""},
        {-0.0, 1, 0, ""}, /* double2ll first: -0 is stored as 0 */
        {0.0, 1, 0, ""},
        {1e17, 1, 100000000000000000LL, ""},
        {4611686018427387904.0, 1, 4611686018427387904LL, ""},
        {-4611686018427387904.0, 1, -4611686018427387904LL, ""},
        {4611686018427388928.0, 0, 0, "4.6116860184273889e+18"},
        {-4611686018427388928.0, 0, 0, "-4.6116860184273889e+18"},
        {1.5, 0, 0, "1.5"},
        {0.1, 0, 0, "0.10000000000000001"},
        {1e300, 0, 0, "1.0000000000000001e+300"},
        {-1e19, 0, 0, "-1e+19"},
        {INFINITY, 0, 0, "inf"},
        {-INFINITY, 0, 0, "-inf"},
    };
    struct zscore_packed packed;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        zscore_pack(cases[i].v, &packed);
        ck_assert_int_eq(packed.is_integer, cases[i].is_integer);
        ck_assert(packed.integer == cases[i].integer);
        ck_assert_uint_eq(packed.len, strlen(cases[i].str));
        ck_assert_str_eq(packed.str, cases[i].str);
    }
}
END_TEST

START_TEST(test_listpack_unpack)
{
    char digits[200];

    ck_assert(zscore_unpack_str("1.5", 3) == 1.5);
    ck_assert(zscore_unpack_str("1.5abc", 6) == 1.5); /* no checks */
    ck_assert(zscore_unpack_str("inf", 3) == INFINITY);
    ck_assert(zscore_unpack_str("-inf", 4) == -INFINITY);
    ck_assert(same_double(zscore_unpack_str("-0", 2), -0.0));
    ck_assert(zscore_unpack_str("0.10000000000000001", 19) == 0.1);
    ck_assert(zscore_unpack_str("12", 1) == 1); /* length-bounded */
    /* Cut at 127 bytes: "1" and 150 zeros reads as 1e126. */
    digits[0] = '1';
    memset(digits + 1, '0', 150);
    ck_assert(zscore_unpack_str(digits, 151) == 1e126);
}
END_TEST

/* Every packed score reads back as the same double, except -0.0 (stored
 * as the integer 0). */
START_TEST(test_listpack_round_trip)
{
    struct zscore_packed packed;

    for (int i = 0; i < 100000; i++) {
        uint64_t bits = test_rand();
        double v, back;

        memcpy(&v, &bits, sizeof(v));
        if (i % 4 == 0) v = (double)((long long)bits >> (bits % 64)); /* integral */
        if (i % 4 == 1) v = (double)((int)(bits % 2001) - 1000) / 8;
        if (isnan(v)) continue;
        zscore_pack(v, &packed);
        back =
            packed.is_integer ? (double)packed.integer : zscore_unpack_str(packed.str, packed.len);
        if (!same_double(back, v == 0 ? 0.0 : v)) ck_abort_msg("%.17g", v);
    }
}
END_TEST

static Suite *skiplist_suite(void)
{
    Suite *suite = suite_create("skiplist");
    TCase *model = tcase_create("model");
    TCase *lists = tcase_create("skiplist");
    TCase *ranges = tcase_create("ranges");
    TCase *scores = tcase_create("scores");

    tcase_set_timeout(model, 600);
    tcase_add_test(model, test_random_operations_match_model);
    tcase_add_test(lists, test_member_order_within_a_score);
    tcase_add_test(lists, test_zeros_and_infinities);
    tcase_add_test(lists, test_update_score_keeps_the_node);
    tcase_add_test(lists, test_empty_list);
    tcase_add_test(lists, test_in_range_is_an_overlap_test);
    tcase_add_test(lists, test_level_distribution);
    tcase_add_test(lists, test_delete_range_by_score_callback);
    tcase_add_test(lists, test_delete_range_by_lex_callback);
    tcase_add_test(lists, test_delete_range_by_rank_callback);
    tcase_add_test(ranges, test_member_compare);
    tcase_add_test(ranges, test_score_range_parse);
    tcase_add_test(ranges, test_score_range_parse_long_input);
    tcase_add_test(ranges, test_score_range_predicates);
    tcase_add_test(ranges, test_lex_range_parse);
    tcase_add_test(ranges, test_lex_range_emptiness);
    tcase_add_test(ranges, test_lex_predicates);
    tcase_add_test(scores, test_zadd_score_parse);
    tcase_add_test(scores, test_reply_format);
    tcase_add_test(scores, test_d2string);
    tcase_add_test(scores, test_listpack_form);
    tcase_add_test(scores, test_listpack_unpack);
    tcase_add_test(scores, test_listpack_round_trip);
    suite_add_tcase(suite, model);
    suite_add_tcase(suite, lists);
    suite_add_tcase(suite, ranges);
    suite_add_tcase(suite, scores);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(skiplist_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
