/*
 * cmd_zset: the sorted set commands of Redis 7.0 (ZADD ZINCRBY ZSCORE
 * ZMSCORE ZCARD ZREM ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE
 * ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE
 * ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX
 * ZRANDMEMBER ZSCAN, and the algebra: ZUNION ZINTER ZDIFF, their STORE
 * forms, ZINTERCARD), with Redis's replies and error strings word for
 * word.
 *
 * Every command runs on the worker that owns the client with its keys'
 * shards locked by the dispatcher (engine/command.c). A sorted set value is
 * a listpack or a dict + skiplist (engine/t_zset.h); a sorted set is
 * created by a write of at least one member, and every removal deletes the
 * key when the last member goes: an empty sorted set is never visible, as
 * in Redis.
 *
 * Redis behaviours kept here that are easy to get wrong:
 *   - ZADD checks its options (syntax, "XX and NX ...", "GT, LT, and/or NX
 *     ...", "INCR option supports ...") and parses every score before it
 *     looks at the key, so a bad score wins over WRONGTYPE and nothing is
 *     added when one score of many is bad; ZADD XX on a missing key
 *     creates nothing; ZADD INCR replies nil when NX/XX/GT/LT stopped it;
 *   - a new key's encoding is chosen from the first member's length only
 *     (zset-max-listpack-value), later members convert it as they come;
 *     ZRANGESTORE's destination is skiplist-encoded from the start when a
 *     rank range is longer than zset-max-listpack-entries;
 *   - a listpack stores -0 as the integer 0, so small sets reply "0" where
 *     skiplist-encoded ones reply "-0" (and a converted set keeps the 0);
 *   - ranges, counts and ZPOP counts are parsed before the key is looked
 *     at; a negative LIMIT offset selects nothing, a negative count means
 *     no limit; ZPOPMIN/ZPOPMAX say "value is out of range, must be
 *     positive" even for a count that is not a number;
 *   - ZSCAN of a listpack-encoded set returns everything with cursor 0;
 *   - the algebra takes plain sets as inputs (every member scores 1); it
 *     checks numkeys, then looks every key up (WRONGTYPE for other types)
 *     and only then reads its options; a weighted score or a sum that is
 *     NaN (0 x inf, inf + -inf) counts as 0; inputs are aggregated
 *     smallest first, equal sizes in the order given; a STORE result is
 *     encoded as a sorted set of its size and members would be, and an
 *     empty one deletes the destination.
 *
 * The algebra's keys follow its numkeys argument: the table says so with
 * keynum_index, which the dispatcher's locking and COMMAND INFO read.
 *
 * Not here: ZMPOP, and the blocking BZPOPMIN / BZPOPMAX.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/command.h"
#include "engine/dict.h"
#include "engine/glob.h"
#include "engine/keyspace.h"
#include "engine/reply.h"
#include "engine/scan.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "engine/util.h"
#include "engine/zscore.h"

/* zaddGenericCommand: ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member
 * [score member ...], and ZINCRBY key increment member (flags INCR). */
static void zadd_generic(struct cmdctx *ctx, int flags)
{
    const struct resp_arg *key = &ctx->argv[1];
    int ch = 0, score_index = 2;

    for (; score_index < ctx->argc; score_index++) {
        const struct resp_arg *opt = &ctx->argv[score_index];
        if (arg_eq(opt, "nx"))
            flags |= ZSET_ADD_NX;
        else if (arg_eq(opt, "xx"))
            flags |= ZSET_ADD_XX;
        else if (arg_eq(opt, "ch"))
            ch = 1;
        else if (arg_eq(opt, "incr"))
            flags |= ZSET_ADD_INCR;
        else if (arg_eq(opt, "gt"))
            flags |= ZSET_ADD_GT;
        else if (arg_eq(opt, "lt"))
            flags |= ZSET_ADD_LT;
        else
            break;
    }
    int incr = (flags & ZSET_ADD_INCR) != 0, nx = (flags & ZSET_ADD_NX) != 0;
    int xx = (flags & ZSET_ADD_XX) != 0, gt = (flags & ZSET_ADD_GT) != 0;
    int lt = (flags & ZSET_ADD_LT) != 0;
    int elements = ctx->argc - score_index;
    if (elements % 2 || !elements) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    elements /= 2;
    if (nx && xx) {
        reply_error(ctx->out, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(ctx->out, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && elements > 1) {
        reply_error(ctx->out, "ERR INCR option supports a single increment-element pair");
        return;
    }
    for (int j = 0; j < elements; j++) {
        const struct resp_arg *s = &ctx->argv[score_index + j * 2];
        if (!util_str_to_d(s->ptr, s->len, NULL)) {
            reply_error(ctx->out, ERR_NOT_FLOAT);
            return;
        }
    }

    struct entry *e = cmd_lookup_write(ctx, key);
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (!e && !xx) e = zset_add_key(ctx->db, key->ptr, key->len, ctx->argv[score_index + 1].len);
    for (int j = 0; e && j < elements; j++) {
        const struct resp_arg *s = &ctx->argv[score_index + j * 2];
        const struct resp_arg *m = &ctx->argv[score_index + j * 2 + 1];
        int result;
        double new_score = 0;
        util_str_to_d(s->ptr, s->len, &score);
        if (!zset_add(e, score, m->ptr, m->len, flags, &result, &new_score)) {
            reply_error(ctx->out, ZSCORE_ERR_NAN);
            goto out;
        }
        added += (result & ZSET_ADDED) != 0;
        updated += (result & ZSET_UPDATED) != 0;
        processed += (result & ZSET_NOP) == 0;
        score = new_score;
    }
    if (incr) {
        if (processed)
            reply_bulk_double(ctx->out, score);
        else
            reply_null(ctx->out);
    } else {
        reply_int(ctx->out, ch ? added + updated : added);
    }
out:
    if (added || updated) {
        ks_touch(ctx->db, e);
        cmd_dirty(ctx, (unsigned long long)(added + updated));
    }
}

static void zadd_command(struct cmdctx *ctx)
{
    zadd_generic(ctx, 0);
}

static void zincrby_command(struct cmdctx *ctx)
{
    zadd_generic(ctx, ZSET_ADD_INCR);
}

/* ZREM key member [member ...]: the number removed; the key goes with its
 * last member. */
static void zrem_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    struct entry *e = cmd_lookup_write(ctx, key);
    long long deleted = 0;

    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    for (int i = 2; i < ctx->argc; i++) {
        if (zset_delete(e, ctx->argv[i].ptr, ctx->argv[i].len)) deleted++;
        if (zset_length(e) == 0) {
            ks_delete(ctx->db, key->ptr, key->len);
            e = NULL;
            break;
        }
    }
    if (deleted) {
        if (e) ks_touch(ctx->db, e);
        cmd_dirty(ctx, (unsigned long long)deleted);
    }
    reply_int(ctx->out, deleted);
}

/* ZCARD key: the number of members, 0 for a missing key. */
static void zcard_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    reply_int(ctx->out, e ? (long long)zset_length(e) : 0);
}

/* ZSCORE key member: the score, nil when the key or member is missing. */
static void zscore_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    double score;

    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    if (zset_score(e, ctx->argv[2].ptr, ctx->argv[2].len, &score))
        reply_bulk_double(ctx->out, score);
    else
        reply_null(ctx->out);
}

/* ZMSCORE key member [member ...]: a missing key is an empty set. */
static void zmscore_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    double score;

    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    reply_array(ctx->out, ctx->argc - 2);
    for (int i = 2; i < ctx->argc; i++) {
        if (e && zset_score(e, ctx->argv[i].ptr, ctx->argv[i].len, &score))
            reply_bulk_double(ctx->out, score);
        else
            reply_null(ctx->out);
    }
}

/* ZRANK / ZREVRANK key member: the 0-based rank or nil. */
static void zrank_generic(struct cmdctx *ctx, int reverse)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);

    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    long rank = zset_rank(e, ctx->argv[2].ptr, ctx->argv[2].len, reverse);
    if (rank < 0)
        reply_null(ctx->out);
    else
        reply_int(ctx->out, rank);
}

static void zrank_command(struct cmdctx *ctx)
{
    zrank_generic(ctx, 0);
}

static void zrevrank_command(struct cmdctx *ctx)
{
    zrank_generic(ctx, 1);
}

/* ZCOUNT key min max. */
static void zcount_command(struct cmdctx *ctx)
{
    struct zscore_range range;
    const struct resp_arg *min = &ctx->argv[2], *max = &ctx->argv[3];

    if (!zscore_range_parse(min->ptr, min->len, max->ptr, max->len, &range)) {
        reply_error(ctx->out, ZSCORE_ERR_RANGE_NOT_FLOAT);
        return;
    }
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    reply_int(ctx->out, (long long)zset_count(e, &range));
}

/* ---- ranges: ZRANGE and its older forms ---- */

enum range_type { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX };
enum range_direction { DIRECTION_AUTO, DIRECTION_FORWARD, DIRECTION_REVERSE };

/* One range request, parsed. */
struct range_request {
    enum range_type type;
    int reverse, withscores;
    long start, end;    /* RANGE_RANK */
    long offset, limit; /* LIMIT, -1: no limit */
    struct zscore_range score;
    struct zscore_lex_range lex;
};

static void reply_member(struct cmdctx *ctx, const struct zset_member *m, int withscores)
{
    if (m->str)
        reply_bulk(ctx->out, m->str, m->len);
    else
        reply_bulk_ll(ctx->out, m->ll);
    if (withscores) reply_bulk_double(ctx->out, m->score);
}

/* Where a range's members go: the reply, or (ZRANGESTORE) copies kept
 * for the destination, which may be the source itself. */
struct range_sink {
    struct cmdctx *ctx;
    int store, withscores;
    char **members;
    size_t *lens;
    double *scores;
    size_t n, cap;
};

static void sink_emit(struct range_sink *sink, const struct zset_member *m)
{
    if (!sink->store) {
        reply_member(sink->ctx, m, sink->withscores);
        return;
    }
    if (sink->n == sink->cap) {
        sink->cap = sink->cap ? sink->cap * 2 : 16;
        sink->members = mem_realloc(sink->members, sink->cap * sizeof(*sink->members));
        sink->lens = mem_realloc(sink->lens, sink->cap * sizeof(*sink->lens));
        sink->scores = mem_realloc(sink->scores, sink->cap * sizeof(*sink->scores));
    }
    char buf[UTIL_LL_STR_SIZE];
    size_t len;
    const char *b = zset_member_bytes(m, buf, &len);
    sink->members[sink->n] = mem_strndup(b, len);
    sink->lens[sink->n] = len;
    sink->scores[sink->n++] = m->score;
}

static void sink_free(struct range_sink *sink)
{
    for (size_t i = 0; i < sink->n; i++) mem_free(sink->members[i]);
    mem_free(sink->members);
    mem_free(sink->lens);
    mem_free(sink->scores);
}

/* Walks the members a score or lex range selects, as
 * genericZrangebyscoreCommand / genericZrangebylexCommand do, replying
 * each when emit is set; returns how many. Run once to count (the reply's
 * length comes first), once to reply. */
static long range_walk(struct range_sink *sink, struct entry *e, const struct range_request *rq,
                       int emit)
{
    struct zset_pos pos;
    if (rq->type == RANGE_SCORE) {
        if (rq->reverse)
            zset_pos_last_in_range(&pos, e, &rq->score);
        else
            zset_pos_first_in_range(&pos, e, &rq->score);
    } else {
        if (rq->reverse)
            zset_pos_last_in_lex_range(&pos, e, &rq->lex);
        else
            zset_pos_first_in_lex_range(&pos, e, &rq->lex);
    }
    /* A negative offset skips everything, as Redis's "while (offset--)". */
    for (long offset = rq->offset; zset_pos_valid(&pos) && (offset < 0 || offset > 0); offset--) {
        if (rq->reverse)
            zset_pos_prev(&pos);
        else
            zset_pos_next(&pos);
    }
    long n = 0;
    for (long limit = rq->limit; zset_pos_valid(&pos) && limit != 0; limit--) {
        struct zset_member m;
        zset_pos_read(&pos, &m);
        if (rq->type == RANGE_SCORE) {
            if (rq->reverse ? !zscore_range_gte_min(m.score, &rq->score)
                            : !zscore_range_lte_max(m.score, &rq->score))
                break;
        } else {
            char buf[UTIL_LL_STR_SIZE];
            size_t len;
            const char *b = zset_member_bytes(&m, buf, &len);
            if (rq->reverse ? !zscore_lex_gte_min(b, len, &rq->lex)
                            : !zscore_lex_lte_max(b, len, &rq->lex))
                break;
        }
        if (emit) sink_emit(sink, &m);
        n++;
        if (rq->reverse)
            zset_pos_prev(&pos);
        else
            zset_pos_next(&pos);
    }
    return n;
}

/* genericZrangebyrankCommand; returns the number of members. */
static long range_by_rank(struct range_sink *sink, struct entry *e, const struct range_request *rq)
{
    struct cmdctx *ctx = sink->ctx;
    long llen = (long)zset_length(e), start = rq->start, end = rq->end;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        if (!sink->store) reply_array(ctx->out, 0);
        return 0;
    }
    if (end >= llen) end = llen - 1;
    long n = end - start + 1;
    struct zset_pos pos;
    zset_pos_by_rank(&pos, e, (unsigned long)(rq->reverse ? llen - 1 - start : start));
    if (!sink->store) reply_array(ctx->out, rq->withscores ? n * 2 : n);
    for (long i = 0; i < n; i++) {
        struct zset_member m;
        zset_pos_read(&pos, &m);
        sink_emit(sink, &m);
        if (rq->reverse)
            zset_pos_prev(&pos);
        else
            zset_pos_next(&pos);
    }
    return n;
}

/* Replaces dst with the collected members (zrangeResultFinalizeStore):
 * a new sorted set, skiplist-encoded from the start when the rank range
 * is longer than zset-max-listpack-entries (rank_hint; -1 for score and
 * lex ranges) or a member longer than zset-max-listpack-value
 * (member_len_hint; 0 when unknown), or no key at all when nothing was
 * collected. A skiplist made at once keeps a -0 score, which a listpack
 * converted later would have turned into 0. */
static void store_result(struct range_sink *sink, const struct resp_arg *dst, long rank_hint,
                         size_t member_len_hint)
{
    struct cmdctx *ctx = sink->ctx;
    int existed = ks_delete(ctx->db, dst->ptr, dst->len);
    if (sink->n == 0) {
        if (existed) cmd_dirty(ctx, 1);
        reply_int(ctx->out, 0);
        return;
    }
    struct entry *e = zset_add_key_sized(ctx->db, dst->ptr, dst->len, rank_hint, member_len_hint);
    for (size_t i = 0; i < sink->n; i++) {
        int result;
        double new_score;
        zset_add(e, sink->scores[i], sink->members[i], sink->lens[i], 0, &result, &new_score);
    }
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, (long long)sink->n);
}

/* zrangeGenericCommand: ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT
 * offset count] [WITHSCORES], the fixed forms, whose type and direction
 * are given (an option naming them again is a syntax error), and with
 * store ZRANGESTORE dst src min max ... (no WITHSCORES). */
static void zrange_generic(struct cmdctx *ctx, enum range_type type, enum range_direction direction,
                           int store)
{
    struct range_request rq = {.offset = 0, .limit = -1};
    int key_index = 1 + store, min_index = key_index + 1, max_index = key_index + 2;

    for (int j = key_index + 3; j < ctx->argc; j++) {
        int left = ctx->argc - j - 1;
        const struct resp_arg *a = &ctx->argv[j];
        if (!store && arg_eq(a, "withscores")) {
            rq.withscores = 1;
        } else if (arg_eq(a, "limit") && left >= 2) {
            long long offset, limit;
            if (arg_ll(ctx, &ctx->argv[j + 1], &offset, NULL) != 0 ||
                arg_ll(ctx, &ctx->argv[j + 2], &limit, NULL) != 0)
                return;
            rq.offset = (long)offset;
            rq.limit = (long)limit;
            j += 2;
        } else if (direction == DIRECTION_AUTO && arg_eq(a, "rev")) {
            direction = DIRECTION_REVERSE;
        } else if (type == RANGE_AUTO && arg_eq(a, "bylex")) {
            type = RANGE_LEX;
        } else if (type == RANGE_AUTO && arg_eq(a, "byscore")) {
            type = RANGE_SCORE;
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
    }
    if (type == RANGE_AUTO) type = RANGE_RANK;
    rq.type = type;
    rq.reverse = direction == DIRECTION_REVERSE;
    if (rq.limit != -1 && type == RANGE_RANK) {
        reply_error(ctx->out, "ERR syntax error, LIMIT is only supported in combination with "
                              "either BYSCORE or BYLEX");
        return;
    }
    if (rq.withscores && type == RANGE_LEX) {
        reply_error(ctx->out,
                    "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    if (rq.reverse && type != RANGE_RANK) {
        int tmp = min_index;
        min_index = max_index;
        max_index = tmp;
    }
    const struct resp_arg *min = &ctx->argv[min_index], *max = &ctx->argv[max_index];
    if (type == RANGE_RANK) {
        long long start, end;
        if (arg_ll(ctx, min, &start, NULL) != 0 || arg_ll(ctx, max, &end, NULL) != 0) return;
        rq.start = (long)start;
        rq.end = (long)end;
    } else if (type == RANGE_SCORE) {
        if (!zscore_range_parse(min->ptr, min->len, max->ptr, max->len, &rq.score)) {
            reply_error(ctx->out, ZSCORE_ERR_RANGE_NOT_FLOAT);
            return;
        }
    } else if (!zscore_lex_range_parse(min->ptr, min->len, max->ptr, max->len, &rq.lex)) {
        reply_error(ctx->out, ZSCORE_ERR_LEX_RANGE);
        return;
    }

    struct range_sink sink = {.ctx = ctx, .store = store, .withscores = rq.withscores};
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[key_index]);
    if (!e) {
        if (store)
            store_result(&sink, &ctx->argv[1], -1, 0);
        else
            reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    long rank_hint = -1;
    if (type == RANGE_RANK) {
        rank_hint = range_by_rank(&sink, e, &rq);
    } else if (store) {
        range_walk(&sink, e, &rq, 1);
    } else {
        long n = range_walk(&sink, e, &rq, 0);
        reply_array(ctx->out, rq.withscores ? n * 2 : n);
        range_walk(&sink, e, &rq, 1);
    }
    if (store) {
        store_result(&sink, &ctx->argv[1], rank_hint, 0);
        sink_free(&sink);
    }
}

static void zrange_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_AUTO, DIRECTION_AUTO, 0);
}

static void zrangestore_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_AUTO, DIRECTION_AUTO, 1);
}

static void zrevrange_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_RANK, DIRECTION_REVERSE, 0);
}

static void zrangebyscore_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_SCORE, DIRECTION_FORWARD, 0);
}

static void zrevrangebyscore_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_SCORE, DIRECTION_REVERSE, 0);
}

static void zrangebylex_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_LEX, DIRECTION_FORWARD, 0);
}

static void zrevrangebylex_command(struct cmdctx *ctx)
{
    zrange_generic(ctx, RANGE_LEX, DIRECTION_REVERSE, 0);
}

/* ---- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ---- */

enum zset_op { ZSET_OP_UNION, ZSET_OP_INTER, ZSET_OP_DIFF };
enum zset_aggregate { AGGREGATE_SUM, AGGREGATE_MIN, AGGREGATE_MAX };

/* One input (Redis's zsetopsrc): a sorted set, a set whose members all
 * score 1, or a missing key, which is empty; its weight; and its place
 * among the inputs, which keeps inputs of equal size in the order given
 * when they are sorted by size, as Redis's qsort (glibc's merge sort) does:
 * the order of a sum decides what inf + -inf + x comes to. */
struct algebra_input {
    struct entry *e;
    double weight;
    int index;
};

/* What the options asked for. */
struct algebra_options {
    enum zset_aggregate aggregate;
    int withscores;
    long long limit; /* ZINTERCARD: 0 is no limit */
};

static unsigned long input_length(const struct algebra_input *in)
{
    if (!in->e) return 0;
    return in->e->type == TYPE_ZSET ? zset_length(in->e) : set_size(in->e);
}

/* The member's score in the input (1 in a set); 0 when it is not there. */
static int input_score(const struct algebra_input *in, const char *m, size_t len, double *score)
{
    if (!in->e) return 0;
    if (in->e->type == TYPE_ZSET) return zset_score(in->e, m, len, score);
    *score = 1.0;
    return set_is_member(in->e, m, len);
}

/* Smallest input first, inputs of one size in their given order. */
static int input_compare_length(const void *a, const void *b)
{
    const struct algebra_input *x = a, *y = b;
    unsigned long lx = input_length(x), ly = input_length(y);
    if (lx != ly) return lx < ly ? -1 : 1;
    return x->index - y->index;
}

/* Walks the members of a present input: a sorted set in score order, a
 * set in its own order. The input must not change meanwhile. */
struct input_iter {
    struct entry *e;
    struct zset_pos pos;
    struct set_iter it;
    char buf[UTIL_LL_STR_SIZE];
};

static void input_iter_init(struct input_iter *ii, const struct algebra_input *in)
{
    ii->e = in->e;
    if (ii->e->type == TYPE_ZSET)
        zset_pos_by_rank(&ii->pos, ii->e, 0);
    else
        set_iter_init(&ii->it, ii->e);
}

/* The next member's bytes (valid until the next call) and score; 0 at the
 * end. */
static int input_iter_next(struct input_iter *ii, const char **m, size_t *len, double *score)
{
    if (ii->e->type == TYPE_ZSET) {
        struct zset_member zm;
        if (!zset_pos_valid(&ii->pos)) return 0;
        zset_pos_read(&ii->pos, &zm);
        *m = zset_member_bytes(&zm, ii->buf, len);
        *score = zm.score;
        zset_pos_next(&ii->pos);
        return 1;
    }
    struct set_member sm;
    if (!set_iter_next(&ii->it, &sm)) return 0;
    *m = set_member_bytes(&sm, ii->buf, len);
    *score = 1.0;
    return 1;
}

static void input_iter_done(struct input_iter *ii)
{
    if (ii->e->type != TYPE_ZSET) set_iter_done(&ii->it);
}

/* zunionInterAggregate: a sum of inf and -inf is 0, not NaN. */
static void aggregate_into(double *target, double value, enum zset_aggregate aggregate)
{
    if (aggregate == AGGREGATE_SUM) {
        *target += value;
        if (isnan(*target)) *target = 0.0;
    } else if (aggregate == AGGREGATE_MIN) {
        if (value < *target) *target = value;
    } else if (value > *target) {
        *target = value;
    }
}

/* A weighted score: a NaN product (0 x inf) is 0. */
static double weighted(const struct algebra_input *in, double score)
{
    double v = in->weight * score;
    return isnan(v) ? 0.0 : v;
}

/* Whether member m, of score s in in[0], is in every input, and its
 * aggregated score there. The inputs after the first are only probed
 * (the same key given twice is the same set, and not probed). */
static int inter_score(const struct algebra_input *in, int n, enum zset_aggregate aggregate,
                       const char *m, size_t len, double s, double *score)
{
    *score = weighted(&in[0], s);
    for (int j = 1; j < n; j++) {
        double value = s;
        if (in[j].e != in[0].e && !input_score(&in[j], m, len, &value)) return 0;
        aggregate_into(score, value * in[j].weight, aggregate);
    }
    return 1;
}

/* The members of the result with their scores (member -> double) into
 * out; the inputs are sorted by size unless op is a difference, whose
 * first input is the one the others are taken from. */
static void algebra_compute(enum zset_op op, const struct algebra_input *in, int n,
                            enum zset_aggregate aggregate, struct dict *out)
{
    struct input_iter ii;
    const char *m;
    size_t len;
    double s, score;
    int added;

    if (op == ZSET_OP_UNION) {
        for (int i = 0; i < n; i++) {
            if (input_length(&in[i]) == 0) continue;
            input_iter_init(&ii, &in[i]);
            while (input_iter_next(&ii, &m, &len, &s)) {
                struct dict_entry *de = dict_add_or_find(out, m, len, &added);
                if (added)
                    dict_value(de)->d = weighted(&in[i], s);
                else
                    aggregate_into(&dict_value(de)->d, weighted(&in[i], s), aggregate);
            }
            input_iter_done(&ii);
        }
        return;
    }
    /* An intersection with an empty input, or a difference of an empty
     * first input or one taken from itself, is empty. */
    if (input_length(&in[0]) == 0) return;
    if (op == ZSET_OP_DIFF)
        for (int j = 1; j < n; j++)
            if (in[j].e == in[0].e) return;
    input_iter_init(&ii, &in[0]);
    while (input_iter_next(&ii, &m, &len, &s)) {
        int keep = 1;
        if (op == ZSET_OP_INTER) {
            keep = inter_score(in, n, aggregate, m, len, s, &score);
        } else {
            double unused;
            score = s;
            for (int j = 1; j < n && keep; j++) keep = !input_score(&in[j], m, len, &unused);
        }
        if (keep) dict_value(dict_add_or_find(out, m, len, &added))->d = score;
    }
    input_iter_done(&ii);
}

/* ZINTERCARD's count: the members of the smallest input found in every
 * other one, stopping at limit (0: none). */
static long long algebra_inter_card(const struct algebra_input *in, int n, long long limit)
{
    struct input_iter ii;
    const char *m;
    size_t len;
    double s, score;
    long long count = 0;

    if (input_length(&in[0]) == 0) return 0;
    input_iter_init(&ii, &in[0]);
    while ((!limit || count < limit) && input_iter_next(&ii, &m, &len, &s))
        count += inter_score(in, n, AGGREGATE_SUM, m, len, s, &score);
    input_iter_done(&ii);
    return count;
}

/* Reads the options after the keys (from argument j on), as Redis does:
 * WEIGHTS (one per input, taken only when that many follow) and AGGREGATE
 * for a union or intersection, WITHSCORES for a reply, LIMIT for
 * ZINTERCARD; anything else, or an option another form takes, is a
 * syntax error. Returns -1 after replying an error. */
static int algebra_parse_options(struct cmdctx *ctx, int j, enum zset_op op, int store,
                                 int card_only, struct algebra_input *in, int n,
                                 struct algebra_options *opt)
{
    static const char *const bad_limit = "ERR LIMIT can't be negative";
    int scored = op != ZSET_OP_DIFF && !card_only;

    while (j < ctx->argc) {
        int left = ctx->argc - j;
        const struct resp_arg *a = &ctx->argv[j];
        if (scored && left >= n + 1 && arg_eq(a, "weights")) {
            for (int i = 0; i < n; i++) {
                const struct resp_arg *w = &ctx->argv[j + 1 + i];
                if (!util_str_to_d(w->ptr, w->len, &in[i].weight)) {
                    reply_error(ctx->out, "ERR weight value is not a float");
                    return -1;
                }
            }
            j += n + 1;
        } else if (scored && left >= 2 && arg_eq(a, "aggregate")) {
            const struct resp_arg *how = &ctx->argv[j + 1];
            if (arg_eq(how, "sum")) {
                opt->aggregate = AGGREGATE_SUM;
            } else if (arg_eq(how, "min")) {
                opt->aggregate = AGGREGATE_MIN;
            } else if (arg_eq(how, "max")) {
                opt->aggregate = AGGREGATE_MAX;
            } else {
                reply_error(ctx->out, ERR_SYNTAX);
                return -1;
            }
            j += 2;
        } else if (!store && !card_only && arg_eq(a, "withscores")) {
            opt->withscores = 1;
            j++;
        } else if (card_only && left >= 2 && arg_eq(a, "limit")) {
            if (arg_ll(ctx, &ctx->argv[j + 1], &opt->limit, bad_limit) != 0) return -1;
            if (opt->limit < 0) {
                reply_error(ctx->out, bad_limit);
                return -1;
            }
            j += 2;
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* Result order: by score, then by member bytes, as a sorted set. */
static int compare_result_entries(const void *a, const void *b)
{
    struct dict_entry *x = *(struct dict_entry *const *)a, *y = *(struct dict_entry *const *)b;
    double sx = dict_value(x)->d, sy = dict_value(y)->d;
    if (sx != sy) return sx < sy ? -1 : 1;
    return zscore_member_compare(x->key, x->keylen, y->key, y->keylen);
}

/* Replies the result in order, or (store) makes it the destination's value
 * as ZRANGESTORE does: the destination goes when the result is empty, and
 * is a listpack only when the result fits one, size and longest member
 * (Redis builds a skiplist, then zsetConvertToListpackIfNeeded). */
static void algebra_finish(struct cmdctx *ctx, struct dict *result, int store, int withscores)
{
    size_t size = (size_t)dict_size(result), n = 0, longest = 0;
    struct dict_entry **sorted = mem_alloc((size ? size : 1) * sizeof(*sorted));
    struct dict_iter it;
    struct dict_entry *de;
    dict_iter_init(&it, result);
    while ((de = dict_iter_next(&it)) != NULL) {
        if (de->keylen > longest) longest = de->keylen;
        sorted[n++] = de;
    }
    dict_iter_done(&it);
    qsort(sorted, n, sizeof(*sorted), compare_result_entries);

    struct range_sink sink = {.ctx = ctx, .store = store, .withscores = withscores};
    if (!store) reply_array(ctx->out, withscores ? (long long)n * 2 : (long long)n);
    for (size_t i = 0; i < n; i++) {
        struct zset_member m = {
            .str = sorted[i]->key, .len = sorted[i]->keylen, .score = dict_value(sorted[i])->d};
        sink_emit(&sink, &m);
    }
    if (store) {
        store_result(&sink, &ctx->argv[1], (long)n, longest);
        sink_free(&sink);
    }
    mem_free(sorted);
}

/* zunionInterDiffGenericCommand: ZUNION / ZINTER / ZDIFF numkeys key ...
 * [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES], their STORE
 * forms (a destination first, no WITHSCORES), and ZINTERCARD numkeys key
 * ... [LIMIT limit] (card_only). A difference takes neither WEIGHTS nor
 * AGGREGATE. As in Redis, numkeys is checked first, then every key is
 * looked up (a key neither a sorted set nor a set is WRONGTYPE), and only
 * then are the options read. */
static void zset_algebra_generic(struct cmdctx *ctx, enum zset_op op, int store, int card_only)
{
    int numkeys_index = store ? 2 : 1;
    long long numkeys;

    if (arg_ll(ctx, &ctx->argv[numkeys_index], &numkeys, NULL) != 0) return;
    if (numkeys < 1) {
        char name[128];
        command_fullname(ctx->cmd, name, sizeof(name));
        reply_errorf(ctx->out, "ERR at least 1 input key is needed for '%s' command", name);
        return;
    }
    if (numkeys > ctx->argc - numkeys_index - 1) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    int n = (int)numkeys, first = numkeys_index + 1;
    struct algebra_input *in = mem_alloc((size_t)n * sizeof(*in));
    for (int i = 0; i < n; i++) {
        struct entry *e = cmd_lookup_read(ctx, &ctx->argv[first + i]);
        if (e && e->type != TYPE_ZSET && e->type != TYPE_SET) {
            reply_error(ctx->out, ERR_WRONGTYPE);
            goto out;
        }
        in[i] = (struct algebra_input){.e = e, .weight = 1.0, .index = i};
    }
    struct algebra_options opt = {.aggregate = AGGREGATE_SUM};
    if (algebra_parse_options(ctx, first + n, op, store, card_only, in, n, &opt) != 0) goto out;
    if (op != ZSET_OP_DIFF) qsort(in, (size_t)n, sizeof(*in), input_compare_length);
    if (card_only) {
        reply_int(ctx->out, algebra_inter_card(in, n, opt.limit));
        goto out;
    }
    struct dict *result = dict_create(DICT_WITH_VALUE, NULL);
    algebra_compute(op, in, n, opt.aggregate, result);
    algebra_finish(ctx, result, store, opt.withscores);
    dict_free(result);
out:
    mem_free(in);
}

static void zunion_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_UNION, 0, 0);
}

static void zunionstore_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_UNION, 1, 0);
}

static void zinter_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_INTER, 0, 0);
}

static void zinterstore_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_INTER, 1, 0);
}

static void zintercard_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_INTER, 0, 1);
}

static void zdiff_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_DIFF, 0, 0);
}

static void zdiffstore_command(struct cmdctx *ctx)
{
    zset_algebra_generic(ctx, ZSET_OP_DIFF, 1, 0);
}

/* zremrangeGenericCommand: ZREMRANGEBYRANK / BYSCORE / BYLEX key min max.
 * The range is parsed before the key is looked at. */
static void zremrange_generic(struct cmdctx *ctx, enum range_type type)
{
    const struct resp_arg *key = &ctx->argv[1], *min = &ctx->argv[2], *max = &ctx->argv[3];
    struct zscore_range range;
    struct zscore_lex_range lex;
    long long start = 0, end = 0;

    if (type == RANGE_RANK) {
        if (arg_ll(ctx, min, &start, NULL) != 0 || arg_ll(ctx, max, &end, NULL) != 0) return;
    } else if (type == RANGE_SCORE) {
        if (!zscore_range_parse(min->ptr, min->len, max->ptr, max->len, &range)) {
            reply_error(ctx->out, ZSCORE_ERR_RANGE_NOT_FLOAT);
            return;
        }
    } else if (!zscore_lex_range_parse(min->ptr, min->len, max->ptr, max->len, &lex)) {
        reply_error(ctx->out, ZSCORE_ERR_LEX_RANGE);
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    unsigned long deleted;
    if (type == RANGE_RANK) {
        long long llen = (long long)zset_length(e);
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            reply_int(ctx->out, 0);
            return;
        }
        if (end >= llen) end = llen - 1;
        deleted = zset_delete_range_by_rank(e, (unsigned long)start, (unsigned long)end);
    } else if (type == RANGE_SCORE) {
        deleted = zset_delete_range_by_score(e, &range);
    } else {
        deleted = zset_delete_range_by_lex(e, &lex);
    }
    if (deleted) {
        if (zset_length(e) == 0)
            ks_delete(ctx->db, key->ptr, key->len);
        else
            ks_touch(ctx->db, e);
        cmd_dirty(ctx, deleted);
    }
    reply_int(ctx->out, (long long)deleted);
}

static void zremrangebyrank_command(struct cmdctx *ctx)
{
    zremrange_generic(ctx, RANGE_RANK);
}

static void zremrangebyscore_command(struct cmdctx *ctx)
{
    zremrange_generic(ctx, RANGE_SCORE);
}

static void zremrangebylex_command(struct cmdctx *ctx)
{
    zremrange_generic(ctx, RANGE_LEX);
}

/* ---- ZPOPMIN, ZPOPMAX ---- */

/* Pops n members (n <= the size of e, the sorted set of key) from the
 * lowest end, or the highest with max, replying each as member, score: two
 * flat elements, or a pair array when nested. Deletes the key when it
 * empties. */
static void zset_pop_n(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e, int max,
                       long long n, int nested)
{
    long long llen = (long long)zset_length(e);
    for (long long i = 0; i < n; i++) {
        unsigned long rank = max ? (unsigned long)(llen - 1 - i) : 0;
        struct zset_pos pos;
        struct zset_member m;
        zset_pos_by_rank(&pos, e, rank);
        zset_pos_read(&pos, &m);
        if (nested) reply_array(ctx->out, 2);
        reply_member(ctx, &m, 1);
        zset_delete_range_by_rank(e, rank, rank);
    }
    if (n == llen)
        ks_delete(ctx->db, key->ptr, key->len);
    else
        ks_touch(ctx->db, e);
    cmd_dirty(ctx, (unsigned long long)n);
}

/* zpopMinMaxCommand / genericZpopCommand: ZPOPMIN|ZPOPMAX key [count]. A
 * flat array of member, score pairs (RESP2). */
static void zpop_generic(struct cmdctx *ctx, int max)
{
    const struct resp_arg *key = &ctx->argv[1];
    long long count = -1;

    if (ctx->argc > 3) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    if (ctx->argc == 3) {
        if (arg_ll(ctx, &ctx->argv[2], &count, "ERR value is out of range, must be positive") != 0)
            return;
        if (count < 0) {
            reply_error(ctx->out, "ERR value is out of range, must be positive");
            return;
        }
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    if (count == 0) {
        reply_array(ctx->out, 0);
        return;
    }
    if (count == -1) count = 1;
    long long llen = (long long)zset_length(e);
    long long n = count > llen ? llen : count;
    reply_array(ctx->out, n * 2);
    zset_pop_n(ctx, key, e, max, n, 0);
}

static void zpopmin_command(struct cmdctx *ctx)
{
    zpop_generic(ctx, 0);
}

static void zpopmax_command(struct cmdctx *ctx)
{
    zpop_generic(ctx, 1);
}

/* ---- ZMPOP and the blocking pops ---- */

void zset_serve_blocked(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                        const struct block_spec *spec)
{
    struct resp_arg argv[3] = {{.ptr = spec->where ? "ZPOPMAX" : "ZPOPMIN", .len = 7}, *key};
    if (spec->count == 0) {
        /* BZPOPMIN, BZPOPMAX: [key, member, score]; ZPOPMIN key */
        reply_array(ctx->out, 3);
        reply_bulk(ctx->out, key->ptr, key->len);
        zset_pop_n(ctx, key, e, spec->where, 1, 0);
        blocking_propagate(ctx, 2, argv);
        return;
    }
    /* ZMPOP, BZMPOP: [key, [[member, score] ...]]; ZPOPMIN key n */
    long long llen = (long long)zset_length(e);
    long long n = spec->count > llen ? llen : spec->count;
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, key->ptr, key->len);
    reply_array(ctx->out, n);
    zset_pop_n(ctx, key, e, spec->where, n, 1);
    char count[UTIL_LL_STR_SIZE];
    argv[2] =
        (struct resp_arg){.ptr = count, .len = (size_t)util_ll_to_str(count, sizeof(count), n)};
    blocking_propagate(ctx, 3, argv);
}

static void bzpop_generic(struct cmdctx *ctx, int max)
{
    long long timeout;
    if (blocking_parse_timeout(ctx, &ctx->argv[ctx->argc - 1], &timeout) != 0) return;
    struct block_spec spec = {.type = TYPE_ZSET, .where = max};
    blocking_pop_first(ctx, &ctx->argv[1], ctx->argc - 2, &spec, 1, timeout);
}

/* BZPOPMIN key [key ...] timeout */
static void bzpopmin_command(struct cmdctx *ctx)
{
    bzpop_generic(ctx, 0);
}

/* BZPOPMAX key [key ...] timeout */
static void bzpopmax_command(struct cmdctx *ctx)
{
    bzpop_generic(ctx, 1);
}

/* MIN and MAX as [B]ZMPOP's ends: spec->where 1 pops the highest. */
static const char *const zset_ends[2] = {"min", "max"};

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
static void zmpop_command(struct cmdctx *ctx)
{
    struct block_spec spec = {.type = TYPE_ZSET};
    int nkeys;
    if (mpop_parse(ctx, 1, zset_ends, &spec, &nkeys) != 0) return;
    blocking_pop_first(ctx, &ctx->argv[2], nkeys, &spec, 0, 0);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
static void bzmpop_command(struct cmdctx *ctx)
{
    struct block_spec spec = {.type = TYPE_ZSET};
    int nkeys;
    long long timeout;
    if (mpop_parse(ctx, 2, zset_ends, &spec, &nkeys) != 0 ||
        blocking_parse_timeout(ctx, &ctx->argv[1], &timeout) != 0)
        return;
    blocking_pop_first(ctx, &ctx->argv[3], nkeys, &spec, 1, timeout);
}

/* ---- ZRANDMEMBER ---- */

static uint64_t random_below(uint64_t n)
{
    return util_rand64() % n;
}

/* needed distinct random members of a large skiplist-encoded set, in
 * O(needed log size) rather than a pass over the set: Floyd's algorithm
 * picks the distinct ranks, remembered in a keys-only dict. */
static void random_distinct_ranks(struct cmdctx *ctx, struct entry *e, unsigned long size,
                                  unsigned long needed, int withscores)
{
    struct dict *chosen = dict_create(DICT_KEYS_ONLY, NULL);
    for (unsigned long j = size - needed; j < size; j++) {
        uint64_t rank = random_below(j + 1);
        int added;
        dict_add_or_find(chosen, (const char *)&rank, sizeof(rank), &added);
        if (!added) {
            rank = j;
            dict_add_or_find(chosen, (const char *)&rank, sizeof(rank), &added);
        }
        struct zset_pos pos;
        struct zset_member m;
        zset_pos_by_rank(&pos, e, (unsigned long)rank);
        zset_pos_read(&pos, &m);
        reply_member(ctx, &m, withscores);
    }
    dict_free(chosen);
}

/* ZRANDMEMBER key [count [WITHSCORES]]: without count one member (nil for a
 * missing key); a negative count may repeat members, a positive one never
 * does and is capped at the set's size (distinct members come in set
 * order here; Redis's order is random too). With WITHSCORES the count must
 * be within +-LONG_MAX/2. */
static void zrandmember_command(struct cmdctx *ctx)
{
    long long count = 0;
    int withscores = 0, with_count = ctx->argc >= 3;

    if (with_count) {
        if (arg_ll(ctx, &ctx->argv[2], &count, NULL) != 0) return;
        if (count < -LLONG_MAX) {
            reply_errorf(ctx->out, "ERR value is out of range, value must between %lld and %lld",
                         -LLONG_MAX, LLONG_MAX);
            return;
        }
        if (ctx->argc > 4 || (ctx->argc == 4 && !arg_eq(&ctx->argv[3], "withscores"))) {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
        withscores = ctx->argc == 4;
        if (withscores && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            reply_error(ctx->out, "ERR value is out of range");
            return;
        }
    }
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        if (with_count)
            reply_array(ctx->out, 0);
        else
            reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    unsigned long size = zset_length(e);
    struct zset_pos pos;
    struct zset_member m;
    if (!with_count) {
        zset_pos_by_rank(&pos, e, random_below(size));
        zset_pos_read(&pos, &m);
        reply_member(ctx, &m, 0);
        return;
    }
    if (count == 0) {
        reply_array(ctx->out, 0);
        return;
    }
    if (count < 0) {
        reply_array(ctx->out, withscores ? -count * 2 : -count);
        for (long long i = 0; i < -count; i++) {
            zset_pos_by_rank(&pos, e, random_below(size));
            zset_pos_read(&pos, &m);
            reply_member(ctx, &m, withscores);
        }
        return;
    }
    unsigned long needed = (unsigned long long)count > size ? size : (unsigned long)count;
    reply_array(ctx->out, withscores ? (long long)needed * 2 : (long long)needed);
    if (e->encoding == ENC_ZSET_SKIPLIST && needed * 3 <= size) {
        random_distinct_ranks(ctx, e, size, needed, withscores);
        return;
    }
    /* Selection sampling (Knuth's algorithm S): each member is taken with
     * probability needed / remaining, which gives every subset of that
     * size the same chance. One pass over the set. */
    zset_pos_by_rank(&pos, e, 0);
    for (unsigned long left = size; needed && zset_pos_valid(&pos); left--) {
        if (random_below(left) < needed) {
            zset_pos_read(&pos, &m);
            reply_member(ctx, &m, withscores);
            needed--;
        }
        zset_pos_next(&pos);
    }
}

/* ---- ZSCAN ---- */

static int scan_matches(const struct resp_arg *pattern, const struct zset_member *m)
{
    if (!pattern) return 1; /* no need to format the member */
    char buf[UTIL_LL_STR_SIZE];
    size_t len;
    const char *p = zset_member_bytes(m, buf, &len);
    return scan_pattern_matches(pattern, p, len);
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count]: as HSCAN. A
 * skiplist-encoded set's dict is walked with the reverse-binary cursor
 * until about count members are collected (at most 10 x count x 2 bucket
 * steps, as Redis); a listpack is returned whole, with cursor 0. */
static void zscan_command(struct cmdctx *ctx)
{
    unsigned long long cursor;
    const struct resp_arg *pattern;
    long long count;
    struct entry *e = scan_begin(ctx, TYPE_ZSET, &cursor, &pattern, &count);
    if (!e) return;

    struct zset_pos pos;
    struct zset_member m;
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned long n = 0;
        for (zset_pos_by_rank(&pos, e, 0); zset_pos_valid(&pos); zset_pos_next(&pos)) {
            zset_pos_read(&pos, &m);
            n += scan_matches(pattern, &m);
        }
        reply_array(ctx->out, 2);
        reply_bulk(ctx->out, "0", 1);
        reply_array(ctx->out, (long long)n * 2);
        for (zset_pos_by_rank(&pos, e, 0); zset_pos_valid(&pos); zset_pos_next(&pos)) {
            zset_pos_read(&pos, &m);
            if (scan_matches(pattern, &m)) reply_member(ctx, &m, 1);
        }
        return;
    }

    struct scan_batch batch = {0};
    long long elements = count * 2, steps = elements * 10;
    do {
        cursor = dict_scan(zset_dict(e), cursor, scan_batch_collect, &batch);
    } while (cursor && steps-- && (long long)batch.n * 2 < elements);

    size_t kept = 0;
    for (size_t i = 0; i < batch.n; i++) {
        zset_dict_entry_read(batch.entries[i], &m);
        if (scan_matches(pattern, &m)) batch.entries[kept++] = batch.entries[i];
    }
    char next[UTIL_LL_STR_SIZE];
    int len = util_ll_to_str(next, sizeof(next), (long long)cursor);
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, next, (size_t)len);
    reply_array(ctx->out, (long long)kept * 2);
    for (size_t i = 0; i < kept; i++) {
        zset_dict_entry_read(batch.entries[i], &m);
        reply_member(ctx, &m, 1);
    }
    mem_free(batch.entries);
}

/* ZLEXCOUNT key min max: the range is parsed before the key is looked at. */
static void zlexcount_command(struct cmdctx *ctx)
{
    struct zscore_lex_range range;
    const struct resp_arg *min = &ctx->argv[2], *max = &ctx->argv[3];

    if (!zscore_lex_range_parse(min->ptr, min->len, max->ptr, max->len, &range)) {
        reply_error(ctx->out, ZSCORE_ERR_LEX_RANGE);
        return;
    }
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_ZSET) != 0) return;
    reply_int(ctx->out, (long long)zset_lex_count(e, &range));
}

/* Arguments shared by several commands. */
#define KEY_ARG                                                                                    \
    {                                                                                              \
        .name = "key", .type = ARG_KEY                                                             \
    }
#define MEMBER_ARG                                                                                 \
    {                                                                                              \
        .name = "member", .type = ARG_STRING                                                       \
    }

#define RANGE_COMPLEXITY                                                                           \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "       \
    "elements being returned. If M is constant (e.g. always asking for the first 10 elements "     \
    "with LIMIT), you can consider it O(log(N))."
#define REMRANGE_COMPLEXITY                                                                        \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "       \
    "elements removed by the operation."
#define LIMIT_ARG                                                                                  \
    {                                                                                              \
        .name = "offset_count", .type = ARG_BLOCK, .token = "LIMIT", .flags = ARG_OPTIONAL,        \
        .args = COMMAND_ARGS({.name = "offset", .type = ARG_INTEGER},                              \
                             {.name = "count", .type = ARG_INTEGER})                               \
    }
#define WITHSCORES_ARG                                                                             \
    {                                                                                              \
        .name = "withscores", .type = ARG_PURE_TOKEN, .token = "WITHSCORES", .flags = ARG_OPTIONAL \
    }
#define READ_RANGE_COMMAND(cmd_name, cmd_proc, cmd_since, cmd_summary, cmd_complexity, ...)        \
    {                                                                                              \
        .name = cmd_name, .proc = cmd_proc, .arity = -4, .flags = CMD_READONLY, .first_key = 1,    \
        .last_key = 1, .key_step = 1, .key_flags = "RO access",                                    \
        .acl_categories = "@read @sortedset @slow", .group = "sorted-set", .since = cmd_since,     \
        .summary = cmd_summary, .complexity = cmd_complexity, .args = COMMAND_ARGS(__VA_ARGS__)    \
    }
#define REMRANGE_COMMAND(cmd_name, cmd_proc, cmd_since, cmd_summary, min_name, max_name, arg_type) \
    {                                                                                              \
        .name = cmd_name, .proc = cmd_proc, .arity = 4, .flags = CMD_WRITE, .first_key = 1,        \
        .last_key = 1, .key_step = 1, .key_flags = "RW delete",                                    \
        .acl_categories = "@write @sortedset @slow", .group = "sorted-set", .since = cmd_since,    \
        .summary = cmd_summary, .complexity = REMRANGE_COMPLEXITY,                                 \
        .args = COMMAND_ARGS(KEY_ARG, {.name = min_name, .type = arg_type},                        \
                             {.name = max_name, .type = arg_type})                                 \
    }

/* ZUNION ZINTER ZDIFF ZINTERCARD numkeys key [key ...] ..., and their STORE
 * forms, whose keys follow a destination: a keynum key spec (the sources,
 * key spec 0, or 1 after the destination's). */
#define ALGEBRA_KEYS_ARGS(spec_index)                                                              \
    {.name = "numkeys", .type = ARG_INTEGER},                                                      \
    {                                                                                              \
        .name = "key", .type = ARG_KEY, .key_spec_index = spec_index, .flags = ARG_MULTIPLE        \
    }
#define WEIGHTS_AGGREGATE_ARGS                                                                     \
    {.name = "weight",                                                                             \
     .type = ARG_INTEGER,                                                                          \
     .token = "WEIGHTS",                                                                           \
     .flags = ARG_OPTIONAL | ARG_MULTIPLE},                                                        \
    {                                                                                              \
        .name = "aggregate", .type = ARG_ONEOF, .token = "AGGREGATE", .flags = ARG_OPTIONAL,       \
        .args = COMMAND_ARGS({.name = "sum", .type = ARG_PURE_TOKEN, .token = "SUM"},              \
                             {.name = "min", .type = ARG_PURE_TOKEN, .token = "MIN"},              \
                             {.name = "max", .type = ARG_PURE_TOKEN, .token = "MAX"})              \
    }
#define ALGEBRA_READ_COMMAND(cmd_name, cmd_proc, cmd_since, cmd_summary, cmd_complexity, ...)      \
    {                                                                                              \
        .name = cmd_name, .proc = cmd_proc, .arity = -3, .flags = CMD_READONLY, .keynum_index = 1, \
        .key_flags = "RO access", .acl_categories = "@read @sortedset @slow",                      \
        .group = "sorted-set", .since = cmd_since, .summary = cmd_summary,                         \
        .complexity = cmd_complexity, .args = COMMAND_ARGS(ALGEBRA_KEYS_ARGS(0), __VA_ARGS__)      \
    }
#define ALGEBRA_STORE_COMMAND(cmd_name, cmd_proc, cmd_since, cmd_summary, cmd_complexity, ...)     \
    {                                                                                              \
        .name = cmd_name, .proc = cmd_proc, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM,         \
        .first_key = 1, .last_key = 1, .key_step = 1, .keynum_index = 2,                           \
        .key_flags = "OW update|RO access", .acl_categories = "@write @sortedset @slow",           \
        .group = "sorted-set", .since = cmd_since, .summary = cmd_summary,                         \
        .complexity = cmd_complexity, .args = COMMAND_ARGS(__VA_ARGS__)                            \
    }
#define DESTINATION_ARG                                                                            \
    {                                                                                              \
        .name = "destination", .type = ARG_KEY                                                     \
    }
#define UNION_COMPLEXITY                                                                           \
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "    \
    "the number of elements in the resulting sorted set."
#define INTER_COMPLEXITY                                                                           \
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "       \
    "number of input sorted sets and M being the number of elements in the resulting sorted set."
#define DIFF_COMPLEXITY                                                                            \
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "    \
    "is the size of the first set, and K is the size of the result set."

/* ZMPOP's and BZMPOP's shared documentation. */
static const struct command_arg_doc min_or_max[] = {
    {.name = "min", .type = ARG_PURE_TOKEN, .token = "MIN"},
    {.name = "max", .type = ARG_PURE_TOKEN, .token = "MAX"},
    {.name = NULL},
};
#define ZMPOP_COMPLEXITY                                                                           \
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "   \
    "in the sorted set, and M being the number of elements popped."
#define ZMPOP_ARG_LIST                                                                             \
    {.name = "numkeys", .type = ARG_INTEGER},                                                      \
        {.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},                                   \
        {.name = "where", .type = ARG_ONEOF, .args = min_or_max},                                  \
    {                                                                                              \
        .name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL              \
    }

/* The table: arity, flags, key specs and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary, complexity and arguments as its
 * COMMAND DOCS. */
const struct command zset_commands[] = {
    {.name = "zadd",
     .proc = zadd_command,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW update",
     .acl_categories = "@write @sortedset @fast",
     .group = "sorted-set",
     .since = "1.2.0",
     .summary = "Add one or more members to a sorted set, or update its score if it already exists",
     .complexity =
         "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     .args =
         COMMAND_ARGS(KEY_ARG,
                      {.name = "condition",
                       .type = ARG_ONEOF,
                       .since = "3.0.2",
                       .flags = ARG_OPTIONAL,
                       .args = COMMAND_ARGS({.name = "nx", .type = ARG_PURE_TOKEN, .token = "NX"},
                                            {.name = "xx", .type = ARG_PURE_TOKEN, .token = "XX"})},
                      {.name = "comparison",
                       .type = ARG_ONEOF,
                       .since = "6.2.0",
                       .flags = ARG_OPTIONAL,
                       .args = COMMAND_ARGS({.name = "gt", .type = ARG_PURE_TOKEN, .token = "GT"},
                                            {.name = "lt", .type = ARG_PURE_TOKEN, .token = "LT"})},
                      {.name = "change",
                       .type = ARG_PURE_TOKEN,
                       .token = "CH",
                       .since = "3.0.2",
                       .flags = ARG_OPTIONAL},
                      {.name = "increment",
                       .type = ARG_PURE_TOKEN,
                       .token = "INCR",
                       .since = "3.0.2",
                       .flags = ARG_OPTIONAL},
                      {.name = "score_member",
                       .type = ARG_BLOCK,
                       .flags = ARG_MULTIPLE,
                       .args = COMMAND_ARGS({.name = "score", .type = ARG_DOUBLE}, MEMBER_ARG)})},
    {.name = "zcard",
     .proc = zcard_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "1.2.0",
     .summary = "Get the number of members in a sorted set",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "zcount",
     .proc = zcount_command,
     .arity = 4,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "2.0.0",
     .summary = "Count the members in a sorted set with scores within the given values",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "min", .type = ARG_DOUBLE},
                          {.name = "max", .type = ARG_DOUBLE})},
    ALGEBRA_READ_COMMAND("zdiff", zdiff_command, "6.2.0", "Subtract multiple sorted sets",
                         DIFF_COMPLEXITY, WITHSCORES_ARG),
    ALGEBRA_STORE_COMMAND("zdiffstore", zdiffstore_command, "6.2.0",
                          "Subtract multiple sorted sets and store the resulting sorted set in a "
                          "new key",
                          DIFF_COMPLEXITY, DESTINATION_ARG, ALGEBRA_KEYS_ARGS(1)),
    {.name = "zincrby",
     .proc = zincrby_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @sortedset @fast",
     .group = "sorted-set",
     .since = "1.2.0",
     .summary = "Increment the score of a member in a sorted set",
     .complexity = "O(log(N)) where N is the number of elements in the sorted set.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "increment", .type = ARG_INTEGER}, MEMBER_ARG)},
    ALGEBRA_READ_COMMAND("zinter", zinter_command, "6.2.0", "Intersect multiple sorted sets",
                         INTER_COMPLEXITY, WEIGHTS_AGGREGATE_ARGS, WITHSCORES_ARG),
    ALGEBRA_READ_COMMAND(
        "zintercard", zintercard_command, "7.0.0",
        "Intersect multiple sorted sets and return the cardinality of the result",
        "O(N*K) worst case with N being the smallest input sorted set, K being the "
        "number of input sorted sets.",
        {.name = "limit", .type = ARG_INTEGER, .token = "LIMIT", .flags = ARG_OPTIONAL}),
    ALGEBRA_STORE_COMMAND("zinterstore", zinterstore_command, "2.0.0",
                          "Intersect multiple sorted sets and store the resulting sorted set in a "
                          "new key",
                          INTER_COMPLEXITY, DESTINATION_ARG, ALGEBRA_KEYS_ARGS(1),
                          WEIGHTS_AGGREGATE_ARGS),
    {.name = "zlexcount",
     .proc = zlexcount_command,
     .arity = 4,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "2.8.9",
     .summary = "Count the number of members in a sorted set between a given lexicographical range",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "min", .type = ARG_STRING},
                          {.name = "max", .type = ARG_STRING})},
    {.name = "zmscore",
     .proc = zmscore_command,
     .arity = -3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Get the score associated with the given members in a sorted set",
     .complexity = "O(N) where N is the number of members being requested.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "member", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "zpopmax",
     .proc = zpopmax_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @fast",
     .group = "sorted-set",
     .since = "5.0.0",
     .summary = "Remove and return members with the highest scores in a sorted set",
     .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M "
                   "being the number of elements popped.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "count", .type = ARG_INTEGER, .flags = ARG_OPTIONAL})},
    {.name = "bzpopmin",
     .proc = bzpopmin_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_FAST | CMD_BLOCKING,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @fast @blocking",
     .group = "sorted-set",
     .since = "5.0.0",
     .summary = "Remove and return the member with the lowest score from one or more sorted sets, "
                "or block until one is available",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "bzpopmax",
     .proc = bzpopmax_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_FAST | CMD_BLOCKING,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @fast @blocking",
     .group = "sorted-set",
     .since = "5.0.0",
     .summary = "Remove and return the member with the highest score from one or more sorted "
                "sets, or block until one is available",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "zmpop",
     .proc = zmpop_command,
     .arity = -4,
     .flags = CMD_WRITE,
     .keynum_index = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @slow",
     .group = "sorted-set",
     .since = "7.0.0",
     .summary = "Remove and return members with scores in a sorted set",
     .complexity = ZMPOP_COMPLEXITY,
     .args = COMMAND_ARGS(ZMPOP_ARG_LIST)},
    {.name = "bzmpop",
     .proc = bzmpop_command,
     .arity = -5,
     .flags = CMD_WRITE | CMD_BLOCKING,
     .keynum_index = 2,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @slow @blocking",
     .group = "sorted-set",
     .since = "7.0.0",
     .summary = "Remove and return members with scores in a sorted set or block until one is "
                "available",
     .complexity = ZMPOP_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "timeout", .type = ARG_DOUBLE}, ZMPOP_ARG_LIST)},
    {.name = "zpopmin",
     .proc = zpopmin_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @sortedset @fast",
     .group = "sorted-set",
     .since = "5.0.0",
     .summary = "Remove and return members with the lowest scores in a sorted set",
     .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M "
                   "being the number of elements popped.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "count", .type = ARG_INTEGER, .flags = ARG_OPTIONAL})},
    {.name = "zrandmember",
     .proc = zrandmember_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @slow",
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Get one or multiple random elements from a sorted set",
     .complexity = "O(N) where N is the number of elements returned",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "options",
                                    .type = ARG_BLOCK,
                                    .flags = ARG_OPTIONAL,
                                    .args = COMMAND_ARGS({.name = "count", .type = ARG_INTEGER},
                                                         {.name = "withscores",
                                                          .type = ARG_PURE_TOKEN,
                                                          .token = "WITHSCORES",
                                                          .flags = ARG_OPTIONAL})})},
    READ_RANGE_COMMAND(
        "zrange", zrange_command, "1.2.0", "Return a range of members in a sorted set",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements returned.",
        KEY_ARG, {.name = "start", .type = ARG_STRING}, {.name = "stop", .type = ARG_STRING},
        {.name = "sortby",
         .type = ARG_ONEOF,
         .since = "6.2.0",
         .flags = ARG_OPTIONAL,
         .args = COMMAND_ARGS({.name = "byscore", .type = ARG_PURE_TOKEN, .token = "BYSCORE"},
                              {.name = "bylex", .type = ARG_PURE_TOKEN, .token = "BYLEX"})},
        {.name = "rev",
         .type = ARG_PURE_TOKEN,
         .token = "REV",
         .since = "6.2.0",
         .flags = ARG_OPTIONAL},
        {.name = "offset_count",
         .type = ARG_BLOCK,
         .token = "LIMIT",
         .since = "6.2.0",
         .flags = ARG_OPTIONAL,
         .args = COMMAND_ARGS({.name = "offset", .type = ARG_INTEGER},
                              {.name = "count", .type = ARG_INTEGER})},
        WITHSCORES_ARG),
    READ_RANGE_COMMAND("zrangebylex", zrangebylex_command, "2.8.9",
                       "Return a range of members in a sorted set, by lexicographical range",
                       RANGE_COMPLEXITY, KEY_ARG, {.name = "min", .type = ARG_STRING},
                       {.name = "max", .type = ARG_STRING}, LIMIT_ARG),
    READ_RANGE_COMMAND("zrangebyscore", zrangebyscore_command, "1.0.5",
                       "Return a range of members in a sorted set, by score", RANGE_COMPLEXITY,
                       KEY_ARG, {.name = "min", .type = ARG_DOUBLE},
                       {.name = "max", .type = ARG_DOUBLE},
                       {.name = "withscores",
                        .type = ARG_PURE_TOKEN,
                        .token = "WITHSCORES",
                        .since = "2.0.0",
                        .flags = ARG_OPTIONAL},
                       LIMIT_ARG),
    {.name = "zrangestore",
     .proc = zrangestore_command,
     .arity = -5,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "OW update|RO access",
     .acl_categories = "@write @sortedset @slow",
     .group = "sorted-set",
     .since = "6.2.0",
     .summary = "Store a range of members from sorted set into another key",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements stored into the destination key.",
     .args = COMMAND_ARGS(
         {.name = "dst", .type = ARG_KEY}, {.name = "src", .type = ARG_KEY, .key_spec_index = 1},
         {.name = "min", .type = ARG_STRING}, {.name = "max", .type = ARG_STRING},
         {.name = "sortby",
          .type = ARG_ONEOF,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "byscore", .type = ARG_PURE_TOKEN, .token = "BYSCORE"},
                               {.name = "bylex", .type = ARG_PURE_TOKEN, .token = "BYLEX"})},
         {.name = "rev", .type = ARG_PURE_TOKEN, .token = "REV", .flags = ARG_OPTIONAL},
         LIMIT_ARG)},
    {.name = "zrank",
     .proc = zrank_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "2.0.0",
     .summary = "Determine the index of a member in a sorted set",
     .complexity = "O(log(N))",
     .args = COMMAND_ARGS(KEY_ARG, MEMBER_ARG)},
    {.name = "zrem",
     .proc = zrem_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW delete",
     .acl_categories = "@write @sortedset @fast",
     .group = "sorted-set",
     .since = "1.2.0",
     .summary = "Remove one or more members from a sorted set",
     .complexity = "O(M*log(N)) with N being the number of elements in the sorted set and M the "
                   "number of elements to be removed.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "member", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    REMRANGE_COMMAND("zremrangebylex", zremrangebylex_command, "2.8.9",
                     "Remove all members in a sorted set between the given lexicographical range",
                     "min", "max", ARG_STRING),
    REMRANGE_COMMAND("zremrangebyrank", zremrangebyrank_command, "2.0.0",
                     "Remove all members in a sorted set within the given indexes", "start", "stop",
                     ARG_INTEGER),
    REMRANGE_COMMAND("zremrangebyscore", zremrangebyscore_command, "1.2.0",
                     "Remove all members in a sorted set within the given scores", "min", "max",
                     ARG_DOUBLE),
    READ_RANGE_COMMAND("zrevrange", zrevrange_command, "1.2.0",
                       "Return a range of members in a sorted set, by index, with scores ordered "
                       "from high to low",
                       "O(log(N)+M) with N being the number of elements in the sorted set and M "
                       "the number of elements returned.",
                       KEY_ARG, {.name = "start", .type = ARG_INTEGER},
                       {.name = "stop", .type = ARG_INTEGER}, WITHSCORES_ARG),
    READ_RANGE_COMMAND("zrevrangebylex", zrevrangebylex_command, "2.8.9",
                       "Return a range of members in a sorted set, by lexicographical range, "
                       "ordered from higher to lower strings.",
                       RANGE_COMPLEXITY, KEY_ARG, {.name = "max", .type = ARG_STRING},
                       {.name = "min", .type = ARG_STRING}, LIMIT_ARG),
    READ_RANGE_COMMAND("zrevrangebyscore", zrevrangebyscore_command, "2.2.0",
                       "Return a range of members in a sorted set, by score, with scores ordered "
                       "from high to low",
                       RANGE_COMPLEXITY, KEY_ARG, {.name = "max", .type = ARG_DOUBLE},
                       {.name = "min", .type = ARG_DOUBLE}, WITHSCORES_ARG, LIMIT_ARG),
    {.name = "zrevrank",
     .proc = zrevrank_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "2.0.0",
     .summary = "Determine the index of a member in a sorted set, with scores ordered from high "
                "to low",
     .complexity = "O(log(N))",
     .args = COMMAND_ARGS(KEY_ARG, MEMBER_ARG)},
    {.name = "zscan",
     .proc = zscan_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @slow",
     .group = "sorted-set",
     .since = "2.8.0",
     .summary = "Incrementally iterate sorted sets elements and associated scores",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(
         KEY_ARG, {.name = "cursor", .type = ARG_INTEGER},
         {.name = "pattern", .type = ARG_PATTERN, .token = "MATCH", .flags = ARG_OPTIONAL},
         {.name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL})},
    {.name = "zscore",
     .proc = zscore_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @sortedset @fast",
     .group = "sorted-set",
     .since = "1.2.0",
     .summary = "Get the score associated with the given member in a sorted set",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, MEMBER_ARG)},
    ALGEBRA_READ_COMMAND("zunion", zunion_command, "6.2.0", "Add multiple sorted sets",
                         UNION_COMPLEXITY, WEIGHTS_AGGREGATE_ARGS, WITHSCORES_ARG),
    ALGEBRA_STORE_COMMAND(
        "zunionstore", zunionstore_command, "2.0.0",
        "Add multiple sorted sets and store the resulting sorted set in a new key",
        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted "
        "sets, and M being the number of elements in the resulting sorted set.",
        DESTINATION_ARG, ALGEBRA_KEYS_ARGS(1), WEIGHTS_AGGREGATE_ARGS),
    {.name = NULL},
};
