/*
 * skiplist: Pugh's skip list as Redis 7.0.15 uses it for sorted sets
 * (zskiplist): duplicate scores ordered by member bytes, a span on every
 * link so that ranks cost O(log n), and backward links on level 0.
 *
 * Every search walks down from the highest level in use, moving forward
 * while the next node is still "before" the target, and records at each
 * level the last node it stopped at (update[]) and that node's rank
 * (rank[]): exactly the links an insertion or a removal has to patch.
 * The span of a link whose forward is NULL counts the elements left after
 * its node, which keeps the span arithmetic uniform at the end of a level.
 *
 * The sentinel head has SKIPLIST_MAX_LEVEL links and no member. Node
 * heights are drawn once, at insertion, and kept for the node's life (a
 * score update relinks the node with its height, where Redis allocates a
 * new node with a new random height: the difference is not observable).
 *
 * Not thread-safe: the caller holds the shard lock of the sorted set's key.
 */
#include "engine/skiplist.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/util.h"

struct skiplist {
    struct skiplist_node *head; /* sentinel: SKIPLIST_MAX_LEVEL links */
    struct skiplist_node *tail; /* last element, NULL when empty */
    size_t length;
    int level; /* levels in use, at least 1 */
};

/* Which nodes a range covers, for the walks shared by the score and lex
 * ranges: both bounds are monotonic along the list. */
struct skiplist_bounds {
    int (*gte_min)(const struct skiplist_node *node, const void *range);
    int (*lte_max)(const struct skiplist_node *node, const void *range);
    const void *range;
};

/* A broken invariant means memory corruption or a caller bug (inserting a
 * present member, updating a node of another list): stop, as serverAssert
 * does, rather than corrupt the sorted set further. */
static void skiplist_panic(const char *why)
{
    fprintf(stderr, "skiplist: %s\n", why);
    abort();
}

/* Level count for a new node: one more level for each pair of zero bits,
 * i.e. with probability 1/4 (ZSKIPLIST_P); 64 random bits give exactly
 * the 31 draws a height of 32 can need. */
static int skiplist_random_height(void)
{
    uint64_t bits = util_rand64();
    int height = 1;

    while (height < SKIPLIST_MAX_LEVEL && (bits & 3) == 0) {
        height++;
        bits >>= 2;
    }
    return height;
}

/* One allocation: the node, its links, then the member and a NUL. */
static struct skiplist_node *skiplist_node_new(int height, double score, const char *member,
                                               size_t len)
{
    size_t links = (size_t)height * sizeof(struct skiplist_link);
    struct skiplist_node *node = mem_alloc(offsetof(struct skiplist_node, links) + links + len + 1);
    char *bytes = (char *)&node->links[height];

    node->score = score;
    node->backward = NULL;
    node->member_len = len;
    node->height = height;
    if (len) memcpy(bytes, member, len);
    bytes[len] = '\0';
    return node;
}

struct skiplist *skiplist_create(void)
{
    struct skiplist *sl = mem_alloc(sizeof(*sl));

    sl->head = skiplist_node_new(SKIPLIST_MAX_LEVEL, 0, NULL, 0);
    for (int i = 0; i < SKIPLIST_MAX_LEVEL; i++) {
        sl->head->links[i].forward = NULL;
        sl->head->links[i].span = 0;
    }
    sl->tail = NULL;
    sl->length = 0;
    sl->level = 1;
    return sl;
}

void skiplist_free(struct skiplist *sl)
{
    struct skiplist_node *node = sl->head->links[0].forward;

    while (node) {
        struct skiplist_node *next = node->links[0].forward;

        mem_free(node);
        node = next;
    }
    mem_free(sl->head);
    mem_free(sl);
}

size_t skiplist_length(const struct skiplist *sl)
{
    return sl->length;
}

struct skiplist_node *skiplist_first(const struct skiplist *sl)
{
    return sl->head->links[0].forward;
}

struct skiplist_node *skiplist_last(const struct skiplist *sl)
{
    return sl->tail;
}

/* The element order: score, then member bytes. Scores are never NaN, so
 * this is a total order (0.0 and -0.0 are the same score, as in Redis). */
static int skiplist_compare(const struct skiplist_node *node, double score, const char *member,
                            size_t len)
{
    if (node->score < score) return -1;
    if (node->score > score) return 1;
    return zscore_member_compare(skiplist_node_member(node), node->member_len, member, len);
}

/* The search path to (score, member): update[i] is the last node before it
 * on level i and rank[i] (when wanted) that node's rank. Returns the first
 * node not before it, the element itself when present. */
static struct skiplist_node *skiplist_seek(const struct skiplist *sl, double score,
                                           const char *member, size_t len,
                                           struct skiplist_node **update, size_t *rank)
{
    struct skiplist_node *x = sl->head;
    size_t traversed = 0;

    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->links[i].forward &&
               skiplist_compare(x->links[i].forward, score, member, len) < 0) {
            traversed += x->links[i].span;
            x = x->links[i].forward;
        }
        update[i] = x;
        if (rank) rank[i] = traversed;
    }
    return x->links[0].forward;
}

/* Splices node (height and score set) in after the path update[]/rank[]
 * from skiplist_seek. Levels the list did not use yet start at the head,
 * whose span there is the whole list; the levels above the node just cover
 * one more element. */
static void skiplist_link(struct skiplist *sl, struct skiplist_node *node,
                          struct skiplist_node **update, size_t *rank)
{
    int i;

    for (i = sl->level; i < node->height; i++) {
        rank[i] = 0;
        update[i] = sl->head;
        sl->head->links[i].span = sl->length;
    }
    if (node->height > sl->level) sl->level = node->height;
    for (i = 0; i < node->height; i++) {
        struct skiplist_link *prev = &update[i]->links[i];
        size_t before = rank[0] - rank[i]; /* elements between update[i] and node */

        node->links[i].forward = prev->forward;
        node->links[i].span = prev->span - before;
        prev->forward = node;
        prev->span = before + 1;
    }
    for (; i < sl->level; i++) update[i]->links[i].span++;
    node->backward = update[0] == sl->head ? NULL : update[0];
    if (node->links[0].forward)
        node->links[0].forward->backward = node;
    else
        sl->tail = node;
    sl->length++;
}

/* zslDeleteNode: takes node out of every level (update[] is its search
 * path), without freeing it, and drops levels left empty. */
static void skiplist_unlink(struct skiplist *sl, struct skiplist_node *node,
                            struct skiplist_node **update)
{
    for (int i = 0; i < sl->level; i++) {
        struct skiplist_link *prev = &update[i]->links[i];

        if (prev->forward == node) {
            prev->span = prev->span + node->links[i].span - 1;
            prev->forward = node->links[i].forward;
        } else {
            prev->span--;
        }
    }
    if (node->links[0].forward)
        node->links[0].forward->backward = node->backward;
    else
        sl->tail = node->backward;
    while (sl->level > 1 && sl->head->links[sl->level - 1].forward == NULL) sl->level--;
    sl->length--;
}

struct skiplist_node *skiplist_insert(struct skiplist *sl, double score, const char *member,
                                      size_t len)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];
    size_t rank[SKIPLIST_MAX_LEVEL];
    struct skiplist_node *node;

    if (isnan(score)) skiplist_panic("NaN score inserted");
    node = skiplist_node_new(skiplist_random_height(), score, member, len);
    skiplist_seek(sl, score, member, len, update, rank);
    skiplist_link(sl, node, update, rank);
    return node;
}

int skiplist_delete(struct skiplist *sl, double score, const char *member, size_t len)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];
    struct skiplist_node *node = skiplist_seek(sl, score, member, len, update, NULL);

    if (node == NULL || skiplist_compare(node, score, member, len) != 0) return 0;
    skiplist_unlink(sl, node, update);
    mem_free(node);
    return 1;
}

/* zslUpdateScore: when the neighbours' scores still bracket the new score
 * strictly, the order cannot change and only the score is written (the
 * common ZINCRBY case). Otherwise the node is unlinked and relinked at its
 * new place, keeping its height and its address. */
void skiplist_update_score(struct skiplist *sl, struct skiplist_node *node, double new_score)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];
    size_t rank[SKIPLIST_MAX_LEVEL];
    const char *member = skiplist_node_member(node);
    struct skiplist_node *next = node->links[0].forward;

    if (isnan(new_score)) skiplist_panic("NaN score update");
    if (skiplist_seek(sl, node->score, member, node->member_len, update, NULL) != node)
        skiplist_panic("updated node is not in this list");
    if ((node->backward == NULL || node->backward->score < new_score) &&
        (next == NULL || next->score > new_score)) {
        node->score = new_score;
        return;
    }
    skiplist_unlink(sl, node, update);
    node->score = new_score;
    skiplist_seek(sl, new_score, member, node->member_len, update, rank);
    skiplist_link(sl, node, update, rank);
}

/* zslGetRank: walks while the next node is not after the element, adding
 * spans; the element is found when the walk stops on it at some level. */
size_t skiplist_rank(const struct skiplist *sl, double score, const char *member, size_t len)
{
    struct skiplist_node *x = sl->head;
    size_t rank = 0;

    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->links[i].forward &&
               skiplist_compare(x->links[i].forward, score, member, len) <= 0) {
            rank += x->links[i].span;
            x = x->links[i].forward;
        }
        if (x != sl->head && skiplist_compare(x, score, member, len) == 0) return rank;
    }
    return 0;
}

/* The path to 1-based rank `target` as skiplist_seek gives it: update[i]
 * is the last node of rank < target on level i. Returns the rank of
 * update[0]. */
static size_t skiplist_seek_rank(const struct skiplist *sl, size_t target,
                                 struct skiplist_node **update)
{
    struct skiplist_node *x = sl->head;
    size_t traversed = 0;

    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->links[i].forward && traversed + x->links[i].span < target) {
            traversed += x->links[i].span;
            x = x->links[i].forward;
        }
        update[i] = x;
    }
    return traversed;
}

/* zslGetElementByRank, except that rank 0 gives NULL (Redis would return
 * its header). */
struct skiplist_node *skiplist_by_rank(const struct skiplist *sl, size_t rank)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];

    if (rank == 0 || rank > sl->length) return NULL;
    skiplist_seek_rank(sl, rank, update);
    return update[0]->links[0].forward;
}

/* ---- ranges, shared by score and lex ---------------------------------- */

/* The last node below the range's min on each level (update[]), and the
 * node after it on level 0: the first candidate in range. */
static struct skiplist_node *skiplist_seek_min(const struct skiplist *sl,
                                               const struct skiplist_bounds *b,
                                               struct skiplist_node **update)
{
    struct skiplist_node *x = sl->head;

    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->links[i].forward && !b->gte_min(x->links[i].forward, b->range))
            x = x->links[i].forward;
        update[i] = x;
    }
    return x->links[0].forward;
}

/* zslIsInRange's tail and head tests, after the caller rejected the ranges
 * that are empty whatever the list holds. */
static int skiplist_overlaps(const struct skiplist *sl, const struct skiplist_bounds *b)
{
    struct skiplist_node *first = sl->head->links[0].forward;

    return sl->tail != NULL && b->gte_min(sl->tail, b->range) && b->lte_max(first, b->range);
}

/* zslFirstInRange: seek past everything below min; the next node is in
 * range unless it is already above max. */
static struct skiplist_node *skiplist_first_in(const struct skiplist *sl,
                                               const struct skiplist_bounds *b)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];
    struct skiplist_node *x;

    if (!skiplist_overlaps(sl, b)) return NULL;
    x = skiplist_seek_min(sl, b, update);
    return x && b->lte_max(x, b->range) ? x : NULL;
}

/* zslLastInRange: walk while the next node is not above max; the node
 * reached is in range unless it is still below min. */
static struct skiplist_node *skiplist_last_in(const struct skiplist *sl,
                                              const struct skiplist_bounds *b)
{
    struct skiplist_node *x = sl->head;

    if (!skiplist_overlaps(sl, b)) return NULL;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->links[i].forward && b->lte_max(x->links[i].forward, b->range))
            x = x->links[i].forward;
    }
    return x != sl->head && b->gte_min(x, b->range) ? x : NULL;
}

/* Removes up to `limit` consecutive nodes from x on, stopping early at the
 * first one above max when b is given. update[] is the path to x; it stays
 * valid as the path to each next node, since only x's links change. */
static size_t skiplist_delete_run(struct skiplist *sl, struct skiplist_node **update,
                                  struct skiplist_node *x, size_t limit,
                                  const struct skiplist_bounds *b, skiplist_removed_fn removed,
                                  void *ctx)
{
    size_t count = 0;

    while (x && count < limit && (b == NULL || b->lte_max(x, b->range))) {
        struct skiplist_node *next = x->links[0].forward;

        skiplist_unlink(sl, x, update);
        if (removed) removed(ctx, x);
        mem_free(x);
        count++;
        x = next;
    }
    return count;
}

/* zslDeleteRangeByScore / ByLex. */
static size_t skiplist_delete_in(struct skiplist *sl, const struct skiplist_bounds *b,
                                 skiplist_removed_fn removed, void *ctx)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];
    struct skiplist_node *x = skiplist_seek_min(sl, b, update);

    return skiplist_delete_run(sl, update, x, SIZE_MAX, b, removed, ctx);
}

/* ---- score ranges ------------------------------------------------------ */

static int skiplist_score_gte_min(const struct skiplist_node *node, const void *range)
{
    return zscore_range_gte_min(node->score, range);
}

static int skiplist_score_lte_max(const struct skiplist_node *node, const void *range)
{
    return zscore_range_lte_max(node->score, range);
}

static struct skiplist_bounds skiplist_score_bounds(const struct zscore_range *range)
{
    struct skiplist_bounds b = {skiplist_score_gte_min, skiplist_score_lte_max, range};

    return b;
}

int skiplist_is_in_range(const struct skiplist *sl, const struct zscore_range *range)
{
    struct skiplist_bounds b = skiplist_score_bounds(range);

    return !zscore_range_is_empty(range) && skiplist_overlaps(sl, &b);
}

struct skiplist_node *skiplist_first_in_range(const struct skiplist *sl,
                                              const struct zscore_range *range)
{
    struct skiplist_bounds b = skiplist_score_bounds(range);

    return zscore_range_is_empty(range) ? NULL : skiplist_first_in(sl, &b);
}

struct skiplist_node *skiplist_last_in_range(const struct skiplist *sl,
                                             const struct zscore_range *range)
{
    struct skiplist_bounds b = skiplist_score_bounds(range);

    return zscore_range_is_empty(range) ? NULL : skiplist_last_in(sl, &b);
}

/* Redis does not test for an empty range here: the walk finds nothing. */
size_t skiplist_delete_range_by_score(struct skiplist *sl, const struct zscore_range *range,
                                      skiplist_removed_fn removed, void *ctx)
{
    struct skiplist_bounds b = skiplist_score_bounds(range);

    return skiplist_delete_in(sl, &b, removed, ctx);
}

/* ---- lex ranges -------------------------------------------------------- */

static int skiplist_lex_gte_min(const struct skiplist_node *node, const void *range)
{
    return zscore_lex_gte_min(skiplist_node_member(node), node->member_len, range);
}

static int skiplist_lex_lte_max(const struct skiplist_node *node, const void *range)
{
    return zscore_lex_lte_max(skiplist_node_member(node), node->member_len, range);
}

static struct skiplist_bounds skiplist_lex_bounds(const struct zscore_lex_range *range)
{
    struct skiplist_bounds b = {skiplist_lex_gte_min, skiplist_lex_lte_max, range};

    return b;
}

int skiplist_is_in_lex_range(const struct skiplist *sl, const struct zscore_lex_range *range)
{
    struct skiplist_bounds b = skiplist_lex_bounds(range);

    return !zscore_lex_range_is_empty(range) && skiplist_overlaps(sl, &b);
}

struct skiplist_node *skiplist_first_in_lex_range(const struct skiplist *sl,
                                                  const struct zscore_lex_range *range)
{
    struct skiplist_bounds b = skiplist_lex_bounds(range);

    return zscore_lex_range_is_empty(range) ? NULL : skiplist_first_in(sl, &b);
}

struct skiplist_node *skiplist_last_in_lex_range(const struct skiplist *sl,
                                                 const struct zscore_lex_range *range)
{
    struct skiplist_bounds b = skiplist_lex_bounds(range);

    return zscore_lex_range_is_empty(range) ? NULL : skiplist_last_in(sl, &b);
}

size_t skiplist_delete_range_by_lex(struct skiplist *sl, const struct zscore_lex_range *range,
                                    skiplist_removed_fn removed, void *ctx)
{
    struct skiplist_bounds b = skiplist_lex_bounds(range);

    return skiplist_delete_in(sl, &b, removed, ctx);
}

/* ---- ranks ------------------------------------------------------------- */

/* zslDeleteRangeByRank: the path to `start`, then end - start + 1 nodes
 * (fewer when the list ends first). A start of 0 counts as 1. */
size_t skiplist_delete_range_by_rank(struct skiplist *sl, size_t start, size_t end,
                                     skiplist_removed_fn removed, void *ctx)
{
    struct skiplist_node *update[SKIPLIST_MAX_LEVEL];

    if (start == 0) start = 1;
    if (end < start) return 0;
    skiplist_seek_rank(sl, start, update);
    return skiplist_delete_run(sl, update, update[0]->links[0].forward, end - start + 1, NULL,
                               removed, ctx);
}

/* ---- consistency check -------------------------------------------------- */

/* Level 0: strict order, backward links, tail, length, heights. */
static int skiplist_check_base(const struct skiplist *sl)
{
    const struct skiplist_node *prev = NULL, *x = sl->head->links[0].forward;
    size_t count = 0;

    for (; x; prev = x, x = x->links[0].forward, count++) {
        if (x->backward != prev || isnan(x->score)) return 0;
        if (x->height < 1 || x->height > SKIPLIST_MAX_LEVEL || x->height > sl->level) return 0;
        if (skiplist_node_member(x)[x->member_len] != '\0') return 0;
        if (prev && skiplist_compare(prev, x->score, skiplist_node_member(x), x->member_len) >= 0)
            return 0;
    }
    return sl->tail == prev && sl->length == count;
}

/* One level: following its links must land, span by span, on the nodes a
 * level-0 walk reaches after as many steps; every node at least as tall as
 * the level is on it; the last span reaches the end of the list. */
static int skiplist_check_level(const struct skiplist *sl, int level)
{
    const struct skiplist_node *x = sl->head, *walk = sl->head;
    size_t rank = 0;

    while (x->links[level].forward) {
        const struct skiplist_node *target = x->links[level].forward;

        for (size_t s = 0; s < x->links[level].span; s++) {
            walk = walk->links[0].forward;
            if (walk == NULL || (walk != target && walk->height > level)) return 0;
        }
        if (walk != target) return 0;
        rank += x->links[level].span;
        x = target;
    }
    for (walk = walk->links[0].forward; walk; walk = walk->links[0].forward)
        if (walk->height > level) return 0;
    return rank + x->links[level].span == sl->length;
}

int skiplist_check(const struct skiplist *sl)
{
    if (sl->level < 1 || sl->level > SKIPLIST_MAX_LEVEL || !skiplist_check_base(sl)) return 0;
    if (sl->level > 1 && sl->head->links[sl->level - 1].forward == NULL) return 0;
    for (int i = 0; i < sl->level; i++)
        if (!skiplist_check_level(sl, i)) return 0;
    for (int i = sl->level; i < SKIPLIST_MAX_LEVEL; i++)
        if (sl->head->links[i].forward != NULL) return 0;
    return 1;
}
