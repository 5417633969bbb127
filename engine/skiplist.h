/*
 * skiplist: the ordered half of a skiplist-encoded sorted set (Redis's
 * zskiplist, src/t_zset.c of 7.0.15). Elements are ordered by score, then
 * by member bytes (zscore_member_compare); equal scores are allowed, equal
 * (score, member) pairs are not. Every link carries a span (how many
 * elements it skips), so rank lookups and rank ranges are O(log n); level 0
 * is doubly linked for reverse iteration. Up to SKIPLIST_MAX_LEVEL levels,
 * each one kept with probability 1/4.
 *
 * A node owns its member bytes, stored inline after its links (one
 * allocation per element, NUL-terminated for convenience). Nodes never
 * move: a score update relinks the same node, so a dict that maps members
 * to nodes (and borrows the member bytes as its key) stays valid. The
 * skiplist does not know about that dict: the caller finds members in it,
 * inserts only absent members here, removes a member from it before
 * skiplist_delete, and removes it from the range-delete callback.
 *
 * Not thread-safe: the caller holds the shard lock of the key that owns the
 * sorted set. Never blocks; allocates only in skiplist_create and
 * skiplist_insert (through mem_alloc, which aborts on OOM).
 */
#ifndef TANDEM_ENGINE_SKIPLIST_H
#define TANDEM_ENGINE_SKIPLIST_H

#include <stddef.h>

#include "engine/zscore.h"

/* Enough for 2^64 elements at p = 1/4 (ZSKIPLIST_MAXLEVEL). */
#define SKIPLIST_MAX_LEVEL 32

struct skiplist;
struct skiplist_node;

/* One forward link of a node at one level. span counts the elements from
 * this node (excluded) to forward (included); for a NULL forward, up to
 * the end of the list. */
struct skiplist_link {
    struct skiplist_node *forward;
    size_t span;
};

/* Public so that iteration is inline; only skiplist.c writes it. */
struct skiplist_node {
    double score;
    struct skiplist_node *backward; /* previous element, NULL for the first */
    size_t member_len;
    int height;                   /* links[0..height) are in use */
    struct skiplist_link links[]; /* then member_len bytes and a NUL */
};

static inline double skiplist_node_score(const struct skiplist_node *node)
{
    return node->score;
}

static inline const char *skiplist_node_member(const struct skiplist_node *node)
{
    return (const char *)&node->links[node->height];
}

static inline size_t skiplist_node_member_len(const struct skiplist_node *node)
{
    return node->member_len;
}

/* The next / previous element in order, NULL past either end. */
static inline struct skiplist_node *skiplist_next(const struct skiplist_node *node)
{
    return node->links[0].forward;
}

static inline struct skiplist_node *skiplist_prev(const struct skiplist_node *node)
{
    return node->backward;
}

/* Called by the range deletions for each removed node, after it is
 * unlinked and before it is freed: the place to drop it from the dict. */
typedef void (*skiplist_removed_fn)(void *ctx, struct skiplist_node *node);

struct skiplist *skiplist_create(void);
/* Frees the list and every node (the dict, if any, is the caller's). */
void skiplist_free(struct skiplist *sl);
size_t skiplist_length(const struct skiplist *sl);
/* Lowest / highest element, NULL when empty. */
struct skiplist_node *skiplist_first(const struct skiplist *sl);
struct skiplist_node *skiplist_last(const struct skiplist *sl);

/* Adds (score, member); member must not be in the list, score not NaN. */
struct skiplist_node *skiplist_insert(struct skiplist *sl, double score, const char *member,
                                      size_t len);
/* Removes and frees (score, member). 1 when found, 0 otherwise. */
int skiplist_delete(struct skiplist *sl, double score, const char *member, size_t len);
/* Changes the score of node (an element of sl; new_score not NaN). The node
 * stays where it is when its neighbours still bracket the new score
 * (zslUpdateScore's test), else it is relinked; it never moves in memory. */
void skiplist_update_score(struct skiplist *sl, struct skiplist_node *node, double new_score);

/* 1-based rank of (score, member), 0 when absent (zslGetRank). */
size_t skiplist_rank(const struct skiplist *sl, double score, const char *member, size_t len);
/* The element of 1-based rank, NULL when out of 1..length. */
struct skiplist_node *skiplist_by_rank(const struct skiplist *sl, size_t rank);

/* 1 when some element's score is in range (zslIsInRange). */
int skiplist_is_in_range(const struct skiplist *sl, const struct zscore_range *range);
/* Lowest / highest element with a score in range, NULL when none. */
struct skiplist_node *skiplist_first_in_range(const struct skiplist *sl,
                                              const struct zscore_range *range);
struct skiplist_node *skiplist_last_in_range(const struct skiplist *sl,
                                             const struct zscore_range *range);

/* The same by member, for sorted sets whose elements share one score (the
 * ZRANGEBYLEX contract; with mixed scores the answer is Redis's, which
 * assumes that contract). */
int skiplist_is_in_lex_range(const struct skiplist *sl, const struct zscore_lex_range *range);
struct skiplist_node *skiplist_first_in_lex_range(const struct skiplist *sl,
                                                  const struct zscore_lex_range *range);
struct skiplist_node *skiplist_last_in_lex_range(const struct skiplist *sl,
                                                 const struct zscore_lex_range *range);

/* Range deletions (ZREMRANGEBYSCORE / BYLEX / BYRANK): each removed node
 * goes to removed(ctx, node) (when not NULL) and is then freed. Return the
 * number removed. Ranks are 1-based and inclusive. */
size_t skiplist_delete_range_by_score(struct skiplist *sl, const struct zscore_range *range,
                                      skiplist_removed_fn removed, void *ctx);
size_t skiplist_delete_range_by_lex(struct skiplist *sl, const struct zscore_lex_range *range,
                                    skiplist_removed_fn removed, void *ctx);
size_t skiplist_delete_range_by_rank(struct skiplist *sl, size_t start, size_t end,
                                     skiplist_removed_fn removed, void *ctx);

/* For tests and DEBUG: checks order, spans, backward links, tail, length
 * and level against a plain walk. 1 when consistent. */
int skiplist_check(const struct skiplist *sl);

#endif
