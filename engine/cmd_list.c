/*
 * cmd_list: the non-blocking list commands of Redis 7.0 (the pushes and
 * pops, LLEN, LINDEX, LSET, LRANGE, LTRIM, LREM, LINSERT, LPOS, LMOVE and
 * RPOPLPUSH), with Redis's replies and error strings word for word.
 *
 * Every command runs on the worker that owns the client with the shards of
 * all its keys locked by the dispatcher (engine/command.c), so LMOVE sees
 * and changes both of its lists atomically. A list value is a quicklist
 * (engine/quicklist.h); every list is created by a push of at least one
 * element, and every command that removes elements deletes the key when the
 * last one goes: an empty list is never visible, as in Redis.
 *
 * Redis behaviours kept here that are easy to get wrong:
 *   - arguments are validated in Redis's order, which differs per command:
 *     LRANGE, LTRIM, LREM and the pops' count are checked before the key is
 *     looked up (a bad number wins over WRONGTYPE); LINDEX and LSET look the
 *     key up first (a missing key wins over a bad index);
 *   - LPOP/RPOP with a count reply an array; a missing key then gives the
 *     nil array, a count of 0 the empty array, and a count that is negative
 *     or not a number "value is out of range, must be positive";
 *   - LPOS's COUNT and MAXLEN errors name the option even for a value that
 *     is not a number.
 */
#include <limits.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/command.h"
#include "engine/keyspace.h"
#include "engine/quicklist.h"
#include "engine/reply.h"
#include "engine/client.h"
#include "engine/propagate.h"
#include "engine/t_list.h"
#include "engine/util.h"

static const char *const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";
static const char *const ERR_INDEX_RANGE = "ERR index out of range";

static struct quicklist *list_of(const struct entry *e)
{
    return e->v.ptr;
}

static void reply_list_value(struct outbuf *out, const struct quicklist_value *v)
{
    if (v->str)
        reply_bulk(out, v->str, v->len);
    else
        reply_bulk_ll(out, v->ll);
}

/* After elements were removed from key's list: deletes the key when the
 * list is now empty, else records the change. Returns 1 if deleted. */
static int list_removed(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e)
{
    if (quicklist_count(list_of(e)) == 0) {
        ks_delete(ctx->db, key->ptr, key->len);
        return 1;
    }
    ks_touch(ctx->db, e);
    return 0;
}

/* Replies the elements start..end (inclusive, negative from the tail) of a
 * list as an array, head to tail or, with reverse, tail to head (Redis's
 * addListRangeReply). An empty or inverted range is the empty array. */
static void reply_list_range(struct outbuf *out, struct quicklist *ql, long start, long end,
                             int reverse)
{
    long len = (long)quicklist_count(ql);
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) {
        reply_array(out, 0);
        return;
    }
    if (end >= len) end = len - 1;
    long n = end - start + 1;
    reply_array(out, n);

    struct quicklist_iter it;
    struct quicklist_entry entry;
    quicklist_iter_init(&it, ql, reverse ? QUICKLIST_BACKWARD : QUICKLIST_FORWARD,
                        reverse ? end : start);
    while (n-- > 0 && quicklist_next(&it, &entry)) reply_list_value(out, &entry.value);
}

/* LPUSH, RPUSH, LPUSHX and RPUSHX: pushes every element in argument order
 * and replies the new length. With only_existing a missing key is left
 * alone and the reply is 0. */
static void list_push_generic(struct cmdctx *ctx, enum quicklist_end end, int only_existing)
{
    const struct resp_arg *key = &ctx->argv[1];
    struct entry *e = cmd_lookup_write(ctx, key);

    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    if (!e) {
        if (only_existing) {
            reply_int(ctx->out, 0);
            return;
        }
        e = list_add_key(ctx->db, key->ptr, key->len);
    } else {
        ks_touch(ctx->db, e);
    }
    struct quicklist *ql = list_of(e);
    for (int j = 2; j < ctx->argc; j++) quicklist_push(ql, end, ctx->argv[j].ptr, ctx->argv[j].len);
    cmd_dirty(ctx, (unsigned long long)(ctx->argc - 2));
    reply_int(ctx->out, (long long)quicklist_count(ql));
}

/* LPUSH key element [element ...] */
static void lpush_command(struct cmdctx *ctx)
{
    list_push_generic(ctx, QUICKLIST_HEAD, 0);
}

/* RPUSH key element [element ...] */
static void rpush_command(struct cmdctx *ctx)
{
    list_push_generic(ctx, QUICKLIST_TAIL, 0);
}

/* LPUSHX key element [element ...] */
static void lpushx_command(struct cmdctx *ctx)
{
    list_push_generic(ctx, QUICKLIST_HEAD, 1);
}

/* RPUSHX key element [element ...] */
static void rpushx_command(struct cmdctx *ctx)
{
    list_push_generic(ctx, QUICKLIST_TAIL, 1);
}

static void take_into_reply(void *ctx, const struct quicklist_value *v)
{
    reply_list_value(ctx, v);
}

/* LPOP and RPOP: without a count one element as a bulk string (nil for a
 * missing key); with a count up to that many as an array, in pop order. */
static void list_pop_generic(struct cmdctx *ctx, enum quicklist_end end)
{
    const struct resp_arg *key = &ctx->argv[1];
    int has_count = ctx->argc == 3;
    long long count = 0;

    if (ctx->argc > 3) {
        reply_wrong_arity(ctx);
        return;
    }
    if (has_count) {
        if (arg_ll(ctx, &ctx->argv[2], &count, ERR_NOT_POSITIVE) != 0) return;
        if (count < 0) {
            reply_error(ctx->out, ERR_NOT_POSITIVE);
            return;
        }
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        if (has_count)
            reply_null_array(ctx->out);
        else
            reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    if (has_count && count == 0) {
        reply_array(ctx->out, 0);
        return;
    }

    struct quicklist *ql = list_of(e);
    if (!has_count) {
        quicklist_pop(ql, end, take_into_reply, ctx->out);
        cmd_dirty(ctx, 1);
    } else {
        long len = (long)quicklist_count(ql);
        long n = count > len ? len : (long)count;
        long start = end == QUICKLIST_HEAD ? 0 : -n;
        reply_list_range(ctx->out, ql, start, end == QUICKLIST_HEAD ? n - 1 : -1,
                         end == QUICKLIST_TAIL);
        quicklist_del_range(ql, start, n);
        cmd_dirty(ctx, (unsigned long long)n);
    }
    list_removed(ctx, key, e);
}

/* LPOP key [count] */
static void lpop_command(struct cmdctx *ctx)
{
    list_pop_generic(ctx, QUICKLIST_HEAD);
}

/* RPOP key [count] */
static void rpop_command(struct cmdctx *ctx)
{
    list_pop_generic(ctx, QUICKLIST_TAIL);
}

/* LLEN key */
static void llen_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    reply_int(ctx->out, (long long)quicklist_count(list_of(e)));
}

/* LINDEX key index: nil when the index is out of range. */
static void lindex_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    long long index;
    struct quicklist_value v;

    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    if (arg_ll(ctx, &ctx->argv[2], &index, NULL) != 0) return;
    if (quicklist_index(list_of(e), (long)index, &v))
        reply_list_value(ctx->out, &v);
    else
        reply_null(ctx->out);
}

/* LSET key index element */
static void lset_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);
    const struct resp_arg *val = &ctx->argv[3];
    long long index;

    if (!e) {
        reply_error(ctx->out, ERR_NO_SUCH_KEY);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    if (arg_ll(ctx, &ctx->argv[2], &index, NULL) != 0) return;
    if (!quicklist_replace_at(list_of(e), (long)index, val->ptr, val->len)) {
        reply_error(ctx->out, ERR_INDEX_RANGE);
        return;
    }
    ks_touch(ctx->db, e);
    cmd_dirty(ctx, 1);
    reply_ok(ctx->out);
}

/* LRANGE key start stop */
static void lrange_command(struct cmdctx *ctx)
{
    long long start, end;
    if (arg_ll(ctx, &ctx->argv[2], &start, NULL) != 0 ||
        arg_ll(ctx, &ctx->argv[3], &end, NULL) != 0)
        return;
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;
    reply_list_range(ctx->out, list_of(e), (long)start, (long)end, 0);
}

/* LTRIM key start stop: keeps start..stop; an empty range deletes the key.
 * Always +OK, even for a missing key. */
static void ltrim_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    long long start, end;
    long head_trim, tail_trim;

    if (arg_ll(ctx, &ctx->argv[2], &start, NULL) != 0 ||
        arg_ll(ctx, &ctx->argv[3], &end, NULL) != 0)
        return;
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_ok(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;

    struct quicklist *ql = list_of(e);
    long len = (long)quicklist_count(ql);
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) {
        head_trim = len; /* nothing is kept */
        tail_trim = 0;
    } else {
        if (end >= len) end = len - 1;
        head_trim = (long)start;
        tail_trim = len - (long)end - 1;
    }
    quicklist_del_range(ql, 0, head_trim);
    quicklist_del_range(ql, -tail_trim, tail_trim);
    list_removed(ctx, key, e);
    cmd_dirty(ctx, (unsigned long long)(head_trim + tail_trim));
    reply_ok(ctx->out);
}

/* LREM key count element: removes up to count matches from the head
 * (count > 0), from the tail (count < 0) or all of them (0). */
static void lrem_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1], *ele = &ctx->argv[3];
    long long to_remove;
    long long removed = 0;

    if (arg_ll(ctx, &ctx->argv[2], &to_remove, NULL) != 0) return;
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;

    struct quicklist_iter it;
    struct quicklist_entry entry;
    /* Counted in unsigned so that LLONG_MIN has a magnitude too. */
    unsigned long long limit =
        to_remove < 0 ? 0ull - (unsigned long long)to_remove : (unsigned long long)to_remove;
    if (to_remove < 0)
        quicklist_iter_init(&it, list_of(e), QUICKLIST_BACKWARD, -1);
    else
        quicklist_iter_init(&it, list_of(e), QUICKLIST_FORWARD, 0);
    while (quicklist_next(&it, &entry)) {
        if (!quicklist_entry_equals(&entry, ele->ptr, ele->len)) continue;
        quicklist_iter_delete(&it, &entry);
        removed++;
        if (limit && (unsigned long long)removed == limit) break;
    }
    if (removed) {
        cmd_dirty(ctx, (unsigned long long)removed);
        list_removed(ctx, key, e);
    }
    reply_int(ctx->out, removed);
}

/* LINSERT key BEFORE|AFTER pivot element: the new length, -1 when the
 * pivot is not found, 0 when the key does not exist. */
static void linsert_command(struct cmdctx *ctx)
{
    const struct resp_arg *pivot = &ctx->argv[3], *ele = &ctx->argv[4];
    int after;

    if (arg_eq(&ctx->argv[2], "after")) {
        after = 1;
    } else if (arg_eq(&ctx->argv[2], "before")) {
        after = 0;
    } else {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;

    struct quicklist *ql = list_of(e);
    struct quicklist_iter it;
    struct quicklist_entry entry;
    int inserted = 0;
    quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 0);
    while (quicklist_next(&it, &entry)) {
        if (quicklist_entry_equals(&entry, pivot->ptr, pivot->len)) {
            quicklist_insert(&it, &entry, after, ele->ptr, ele->len);
            inserted = 1;
            break;
        }
    }
    if (!inserted) {
        reply_int(ctx->out, -1);
        return;
    }
    ks_touch(ctx->db, e);
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, (long long)quicklist_count(ql));
}

/* LPOS's options, as parsed. */
struct lpos_options {
    long long rank;   /* 1: first match; negative: searching from the tail */
    long long count;  /* -1: COUNT not given (reply one index, or nil) */
    long long maxlen; /* elements compared at most; 0: all */
};

/* Parses RANK, COUNT and MAXLEN (any order, the last of each wins) with
 * Redis's messages; -1 after replying an error. */
static int lpos_parse_options(struct cmdctx *ctx, struct lpos_options *opt)
{
    *opt = (struct lpos_options){.rank = 1, .count = -1, .maxlen = 0};
    for (int j = 3; j < ctx->argc; j++) {
        const struct resp_arg *name = &ctx->argv[j];
        int has_value = j + 1 < ctx->argc;
        if (has_value && arg_eq(name, "rank")) {
            if (arg_ll(ctx, &ctx->argv[++j], &opt->rank, NULL) != 0) return -1;
            if (opt->rank == 0) {
                reply_error(ctx->out, "ERR RANK can't be zero: use 1 to start from the first "
                                      "match, 2 from the second ... or use negative to start "
                                      "from the end of the list");
                return -1;
            }
        } else if (has_value && arg_eq(name, "count")) {
            const char *msg = "ERR COUNT can't be negative";
            if (arg_ll(ctx, &ctx->argv[++j], &opt->count, msg) != 0) return -1;
            if (opt->count < 0) {
                reply_error(ctx->out, msg);
                return -1;
            }
        } else if (has_value && arg_eq(name, "maxlen")) {
            const char *msg = "ERR MAXLEN can't be negative";
            if (arg_ll(ctx, &ctx->argv[++j], &opt->maxlen, msg) != 0) return -1;
            if (opt->maxlen < 0) {
                reply_error(ctx->out, msg);
                return -1;
            }
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the
 * index (counted from the head, as LINDEX's) of the rank-th match, or with
 * COUNT an array of up to num-matches indexes from the rank-th match on
 * (0: all of them). */
static void lpos_command(struct cmdctx *ctx)
{
    const struct resp_arg *ele = &ctx->argv[2];
    struct lpos_options opt;

    if (lpos_parse_options(ctx, &opt) != 0) return;
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        if (opt.count != -1)
            reply_array(ctx->out, 0);
        else
            reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_LIST) != 0) return;

    /* Redis 7.0 negates a negative rank in a long, so RANK -2^63 stays
     * negative there: every match from the tail qualifies, and COUNT never
     * ends the search. Kept, since clients can observe it. */
    int backward = opt.rank < 0;
    int rank_wrapped = opt.rank == LLONG_MIN;
    long long rank = rank_wrapped ? 1 : backward ? -opt.rank : opt.rank;
    struct quicklist *ql = list_of(e);
    long len = (long)quicklist_count(ql);
    /* The reply's length comes first, so the indexes are gathered first: on
     * the stack up to 16, beyond that in a growing buffer. */
    long stack_found[16], *found = stack_found;
    long nfound = 0, cap = 16, index = 0, match_index = -1;
    long long matches = 0;
    struct quicklist_iter it;
    struct quicklist_entry entry;

    quicklist_iter_init(&it, ql, backward ? QUICKLIST_BACKWARD : QUICKLIST_FORWARD,
                        backward ? -1 : 0);
    while ((opt.maxlen == 0 || index < opt.maxlen) && quicklist_next(&it, &entry)) {
        if (quicklist_entry_equals(&entry, ele->ptr, ele->len) && ++matches >= rank) {
            long at = backward ? len - index - 1 : index;
            if (opt.count == -1) {
                match_index = at;
                break;
            }
            if (nfound == cap) {
                cap *= 2;
                if (found == stack_found) {
                    found = mem_alloc((size_t)cap * sizeof(*found));
                    memcpy(found, stack_found, sizeof(stack_found));
                } else {
                    found = mem_realloc(found, (size_t)cap * sizeof(*found));
                }
            }
            found[nfound++] = at;
            if (opt.count && !rank_wrapped && nfound >= opt.count) break;
        }
        index++;
    }

    if (opt.count == -1) {
        if (match_index != -1)
            reply_int(ctx->out, match_index);
        else
            reply_null(ctx->out);
    } else {
        reply_array(ctx->out, nfound);
        for (long i = 0; i < nfound; i++) reply_int(ctx->out, found[i]);
    }
    if (found != stack_found) mem_free(found);
}

/* An element copied out of a list, so that it survives the list being
 * changed (LMOVE pushes it into a list that may be the same one). */
struct list_element {
    char *bytes;
    size_t len;
    char small[64];
};

static void take_copy(void *ctx, const struct quicklist_value *v)
{
    struct list_element *el = ctx;
    char num[UTIL_LL_STR_SIZE];
    const void *src = v->str;
    el->len = v->len;
    if (!src) {
        el->len = (size_t)util_ll_to_str(num, sizeof(num), v->ll);
        src = num;
    }
    el->bytes = el->len <= sizeof(el->small) ? el->small : mem_alloc(el->len);
    memcpy(el->bytes, src, el->len);
}

/* LEFT or RIGHT (any case) as a list end; -1 after a syntax error. */
static int list_end_parse(struct cmdctx *ctx, const struct resp_arg *a, enum quicklist_end *end)
{
    if (arg_eq(a, "right")) {
        *end = QUICKLIST_TAIL;
    } else if (arg_eq(a, "left")) {
        *end = QUICKLIST_HEAD;
    } else {
        reply_error(ctx->out, ERR_SYNTAX);
        return -1;
    }
    return 0;
}

/* Moves one element from src, the list of src_key (not empty), to
 * dst_key's `to` end, creating it, and replies the element; WRONGTYPE when
 * the destination holds something else. Source and destination may be the
 * same list: then it rotates, and a one-element list survives because the
 * push happens before the emptiness check. Returns -1 after WRONGTYPE. */
static int list_move_element(struct cmdctx *ctx, const struct resp_arg *src_key, struct entry *src,
                             const struct resp_arg *dst_key, enum quicklist_end from,
                             enum quicklist_end to)
{
    struct entry *dst = cmd_lookup_write(ctx, dst_key);
    if (cmd_check_type(ctx, dst, TYPE_LIST) != 0) return -1;

    struct list_element el;
    quicklist_pop(list_of(src), from, take_copy, &el);
    if (!dst)
        dst = list_add_key(ctx->db, dst_key->ptr, dst_key->len);
    else
        ks_touch(ctx->db, dst);
    quicklist_push(list_of(dst), to, el.bytes, el.len);
    reply_bulk(ctx->out, el.bytes, el.len);
    if (el.bytes != el.small) mem_free(el.bytes);
    list_removed(ctx, src_key, src);
    cmd_dirty(ctx, 1);
    return 0;
}

/* LMOVE and RPOPLPUSH: pops from source's `from` end, pushes to
 * destination's `to` end, replies the element (nil for a missing source). */
static void list_move_generic(struct cmdctx *ctx, enum quicklist_end from, enum quicklist_end to)
{
    const struct resp_arg *src_key = &ctx->argv[1];
    struct entry *src = cmd_lookup_write(ctx, src_key);

    if (!src) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, src, TYPE_LIST) != 0) return;
    list_move_element(ctx, src_key, src, &ctx->argv[2], from, to);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
static void lmove_command(struct cmdctx *ctx)
{
    enum quicklist_end from, to;
    if (list_end_parse(ctx, &ctx->argv[3], &from) != 0 ||
        list_end_parse(ctx, &ctx->argv[4], &to) != 0)
        return;
    list_move_generic(ctx, from, to);
}

/* RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
static void rpoplpush_command(struct cmdctx *ctx)
{
    list_move_generic(ctx, QUICKLIST_TAIL, QUICKLIST_HEAD);
}

/* ---- LMPOP and the blocking commands ---- */

/* A served waiter's LMOVE names the ends in lower case, as Redis's
 * getStringObjectFromListPosition. */
static const struct resp_arg end_names[2] = {{.ptr = "left", .len = 4}, {.ptr = "right", .len = 5}};

/* BLMOVE, BRPOPLPUSH: LMOVE or RPOPLPUSH, propagated as such. */
static void list_serve_move(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                            const struct block_spec *spec)
{
    enum quicklist_end from = (enum quicklist_end)spec->where;
    enum quicklist_end to = (enum quicklist_end)spec->dst_where;
    if (list_move_element(ctx, key, e, spec->dst, from, to) != 0) return;
    struct resp_arg argv[5] = {
        {.ptr = "LMOVE", .len = 5}, *key, *spec->dst, end_names[from], end_names[to]};
    if (spec->rpoplpush) {
        argv[0] = (struct resp_arg){.ptr = "RPOPLPUSH", .len = 9};
    } else if (ctx->client) {
        /* At once: Redis keeps the client's words for the ends. */
        argv[3] = ctx->argv[3];
        argv[4] = ctx->argv[4];
    }
    blocking_propagate(ctx, spec->rpoplpush ? 3 : 5, argv);
}

void list_serve_blocked(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                        const struct block_spec *spec)
{
    if (spec->dst) {
        list_serve_move(ctx, key, e, spec);
        return;
    }
    enum quicklist_end end = (enum quicklist_end)spec->where;
    struct quicklist *ql = list_of(e);
    struct resp_arg argv[3] = {{.ptr = end == QUICKLIST_HEAD ? "LPOP" : "RPOP", .len = 4}, *key};
    char count[UTIL_LL_STR_SIZE];
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, key->ptr, key->len);
    if (spec->count == 0) {
        /* BLPOP, BRPOP: [key, element]; propagated as LPOP key */
        quicklist_pop(ql, end, take_into_reply, ctx->out);
        cmd_dirty(ctx, 1);
        blocking_propagate(ctx, 2, argv);
    } else {
        /* LMPOP, BLMPOP: [key, [elements in pop order]]; LPOP key n */
        long len = (long)quicklist_count(ql);
        long n = spec->count > len ? len : spec->count;
        long start = end == QUICKLIST_HEAD ? 0 : -n;
        reply_list_range(ctx->out, ql, start, end == QUICKLIST_HEAD ? n - 1 : -1,
                         end == QUICKLIST_TAIL);
        quicklist_del_range(ql, start, n);
        cmd_dirty(ctx, (unsigned long long)n);
        argv[2] =
            (struct resp_arg){.ptr = count, .len = (size_t)util_ll_to_str(count, sizeof(count), n)};
        blocking_propagate(ctx, 3, argv);
    }
    list_removed(ctx, key, e);
}

static void blocking_pop_generic(struct cmdctx *ctx, enum quicklist_end end)
{
    long long timeout;
    if (blocking_parse_timeout(ctx, &ctx->argv[ctx->argc - 1], &timeout) != 0) return;
    struct block_spec spec = {.type = TYPE_LIST, .where = end};
    blocking_pop_first(ctx, &ctx->argv[1], ctx->argc - 2, &spec, 1, timeout);
}

/* BLPOP key [key ...] timeout */
static void blpop_command(struct cmdctx *ctx)
{
    blocking_pop_generic(ctx, QUICKLIST_HEAD);
}

/* BRPOP key [key ...] timeout */
static void brpop_command(struct cmdctx *ctx)
{
    blocking_pop_generic(ctx, QUICKLIST_TAIL);
}

/* BLMOVE and BRPOPLPUSH: LMOVE when the source has an element, else block
 * on the source (a nil reply inside EXEC). */
static void blocking_move_generic(struct cmdctx *ctx, enum quicklist_end from,
                                  enum quicklist_end to, long long timeout)
{
    const struct resp_arg *src_key = &ctx->argv[1];
    struct block_spec spec = {.type = TYPE_LIST,
                              .where = from,
                              .dst = &ctx->argv[2],
                              .dst_where = to,
                              .rpoplpush = ctx->argc == 4};
    struct entry *src = cmd_lookup_write(ctx, src_key);
    if (cmd_check_type(ctx, src, TYPE_LIST) != 0) return;
    if (src) {
        list_serve_move(ctx, src_key, src, &spec);
        return;
    }
    if (ctx->client->multi || (ctx->client->flags & CLIENT_DENY_BLOCKING)) {
        reply_null(ctx->out);
        return;
    }
    blocking_block(ctx, src_key, 1, &spec, timeout);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
static void blmove_command(struct cmdctx *ctx)
{
    enum quicklist_end from, to;
    long long timeout;
    if (list_end_parse(ctx, &ctx->argv[3], &from) != 0 ||
        list_end_parse(ctx, &ctx->argv[4], &to) != 0 ||
        blocking_parse_timeout(ctx, &ctx->argv[5], &timeout) != 0)
        return;
    blocking_move_generic(ctx, from, to, timeout);
}

/* BRPOPLPUSH source destination timeout */
static void brpoplpush_command(struct cmdctx *ctx)
{
    long long timeout;
    if (blocking_parse_timeout(ctx, &ctx->argv[3], &timeout) != 0) return;
    blocking_move_generic(ctx, QUICKLIST_TAIL, QUICKLIST_HEAD, timeout);
}

/* LEFT and RIGHT as [B]LMPOP's ends: spec->where is the quicklist end. */
static const char *const list_ends[2] = {"left", "right"};
_Static_assert(QUICKLIST_HEAD == 0 && QUICKLIST_TAIL == 1, "LMPOP's ends are quicklist ends");

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void lmpop_command(struct cmdctx *ctx)
{
    struct block_spec spec = {.type = TYPE_LIST};
    int nkeys;
    if (mpop_parse(ctx, 1, list_ends, &spec, &nkeys) != 0) return;
    blocking_pop_first(ctx, &ctx->argv[2], nkeys, &spec, 0, 0);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void blmpop_command(struct cmdctx *ctx)
{
    struct block_spec spec = {.type = TYPE_LIST};
    int nkeys;
    long long timeout;
    if (mpop_parse(ctx, 2, list_ends, &spec, &nkeys) != 0 ||
        blocking_parse_timeout(ctx, &ctx->argv[1], &timeout) != 0)
        return;
    blocking_pop_first(ctx, &ctx->argv[3], nkeys, &spec, 1, timeout);
}

/* LMOVE's LEFT|RIGHT choices. */
static const struct command_arg_doc left_or_right[] = {
    {.name = "left", .type = ARG_PURE_TOKEN, .token = "LEFT"},
    {.name = "right", .type = ARG_PURE_TOKEN, .token = "RIGHT"},
    {.name = NULL},
};

#define MPOP_COMPLEXITY                                                                            \
    "O(N+M) where N is the number of provided keys and M is the number of elements returned."
#define MPOP_ARG_LIST                                                                              \
    {.name = "numkeys", .type = ARG_INTEGER},                                                      \
        {.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},                                   \
        {.name = "where", .type = ARG_ONEOF, .args = left_or_right},                               \
    {                                                                                              \
        .name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL              \
    }
#define MPOP_ARGS COMMAND_ARGS(MPOP_ARG_LIST)

#define PUSH_COMPLEXITY                                                                            \
    "O(1) for each element added, so O(N) to add N elements when the command is called with "      \
    "multiple arguments."

/* The table: arity, flags, key specs and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary, complexity and arguments as its
 * COMMAND DOCS. */
const struct command list_commands[] = {
    {.name = "lpush",
     .proc = lpush_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "1.0.0",
     .summary = "Prepend one or multiple elements to a list",
     .complexity = PUSH_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "element", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "rpush",
     .proc = rpush_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "1.0.0",
     .summary = "Append one or multiple elements to a list",
     .complexity = PUSH_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "element", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "lpushx",
     .proc = lpushx_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "2.2.0",
     .summary = "Prepend an element to a list, only if the list exists",
     .complexity = PUSH_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "element", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "rpushx",
     .proc = rpushx_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "2.2.0",
     .summary = "Append an element to a list, only if the list exists",
     .complexity = PUSH_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "element", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "lpop",
     .proc = lpop_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove and get the first elements in a list",
     .complexity = "O(N) where N is the number of elements returned",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY},
         {.name = "count", .type = ARG_INTEGER, .since = "6.2.0", .flags = ARG_OPTIONAL})},
    {.name = "rpop",
     .proc = rpop_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @fast",
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove and get the last elements in a list",
     .complexity = "O(N) where N is the number of elements returned",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY},
         {.name = "count", .type = ARG_INTEGER, .since = "6.2.0", .flags = ARG_OPTIONAL})},
    {.name = "llen",
     .proc = llen_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @list @fast",
     .group = "list",
     .since = "1.0.0",
     .summary = "Get the length of a list",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "lindex",
     .proc = lindex_command,
     .arity = 3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @list @slow",
     .group = "list",
     .since = "1.0.0",
     .summary = "Get an element from a list by its index",
     .complexity = "O(N) where N is the number of elements to traverse to get to the element at "
                   "index. This makes asking for the first or the last element of the list O(1).",
     .args =
         COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "index", .type = ARG_INTEGER})},
    {.name = "lset",
     .proc = lset_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW update",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "1.0.0",
     .summary = "Set the value of an element in a list by its index",
     .complexity = "O(N) where N is the length of the list. Setting either the first or the last "
                   "element of the list is O(1).",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "index", .type = ARG_INTEGER},
                          {.name = "element", .type = ARG_STRING})},
    {.name = "lrange",
     .proc = lrange_command,
     .arity = 4,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @list @slow",
     .group = "list",
     .since = "1.0.0",
     .summary = "Get a range of elements from a list",
     .complexity = "O(S+N) where S is the distance of start offset from HEAD for small lists, "
                   "from nearest end (HEAD or TAIL) for large lists; and N is the number of "
                   "elements in the specified range.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "start", .type = ARG_INTEGER},
                          {.name = "stop", .type = ARG_INTEGER})},
    {.name = "ltrim",
     .proc = ltrim_command,
     .arity = 4,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW delete",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "1.0.0",
     .summary = "Trim a list to the specified range",
     .complexity = "O(N) where N is the number of elements to be removed by the operation.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "start", .type = ARG_INTEGER},
                          {.name = "stop", .type = ARG_INTEGER})},
    {.name = "lrem",
     .proc = lrem_command,
     .arity = 4,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW delete",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "1.0.0",
     .summary = "Remove elements from a list",
     .complexity =
         "O(N+M) where N is the length of the list and M is the number of elements removed.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "count", .type = ARG_INTEGER},
                          {.name = "element", .type = ARG_STRING})},
    {.name = "linsert",
     .proc = linsert_command,
     .arity = 5,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "2.2.0",
     .summary = "Insert an element before or after another element in a list",
     .complexity = "O(N) where N is the number of elements to traverse before seeing the value "
                   "pivot. This means that inserting somewhere on the left end on the list (head) "
                   "can be considered O(1) and inserting somewhere on the right end (tail) is "
                   "O(N).",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY},
         {.name = "where",
          .type = ARG_ONEOF,
          .args = COMMAND_ARGS({.name = "before", .type = ARG_PURE_TOKEN, .token = "BEFORE"},
                               {.name = "after", .type = ARG_PURE_TOKEN, .token = "AFTER"})},
         {.name = "pivot", .type = ARG_STRING}, {.name = "element", .type = ARG_STRING})},
    {.name = "lpos",
     .proc = lpos_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @list @slow",
     .group = "list",
     .since = "6.0.6",
     .summary = "Return the index of matching elements on a list",
     .complexity = "O(N) where N is the number of elements in the list, for the average case. "
                   "When searching for elements near the head or the tail of the list, or when "
                   "the MAXLEN option is provided, the command may run in constant time.",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY}, {.name = "element", .type = ARG_STRING},
         {.name = "rank", .type = ARG_INTEGER, .token = "RANK", .flags = ARG_OPTIONAL},
         {.name = "num-matches", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL},
         {.name = "len", .type = ARG_INTEGER, .token = "MAXLEN", .flags = ARG_OPTIONAL})},
    {.name = "lmove",
     .proc = lmove_command,
     .arity = 5,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|RW insert",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "6.2.0",
     .summary = "Pop an element from a list, push it to another list and return it",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "source", .type = ARG_KEY},
                          {.name = "destination", .type = ARG_KEY, .key_spec_index = 1},
                          {.name = "wherefrom", .type = ARG_ONEOF, .args = left_or_right},
                          {.name = "whereto", .type = ARG_ONEOF, .args = left_or_right})},
    {.name = "rpoplpush",
     .proc = rpoplpush_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|RW insert",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "1.2.0",
     .summary = "Remove the last element in a list, prepend it to another list and return it",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "source", .type = ARG_KEY},
                          {.name = "destination", .type = ARG_KEY, .key_spec_index = 1})},
    {.name = "blpop",
     .proc = blpop_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @slow @blocking",
     .group = "list",
     .since = "2.0.0",
     .summary = "Remove and get the first element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "brpop",
     .proc = brpop_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @slow @blocking",
     .group = "list",
     .since = "2.0.0",
     .summary = "Remove and get the last element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "blmove",
     .proc = blmove_command,
     .arity = 6,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|RW insert",
     .acl_categories = "@write @list @slow @blocking",
     .group = "list",
     .since = "6.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block "
                "until one is available",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "source", .type = ARG_KEY},
                          {.name = "destination", .type = ARG_KEY, .key_spec_index = 1},
                          {.name = "wherefrom", .type = ARG_ONEOF, .args = left_or_right},
                          {.name = "whereto", .type = ARG_ONEOF, .args = left_or_right},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "brpoplpush",
     .proc = brpoplpush_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|RW insert",
     .acl_categories = "@write @list @slow @blocking",
     .group = "list",
     .since = "2.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block "
                "until one is available",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "source", .type = ARG_KEY},
                          {.name = "destination", .type = ARG_KEY, .key_spec_index = 1},
                          {.name = "timeout", .type = ARG_DOUBLE})},
    {.name = "lmpop",
     .proc = lmpop_command,
     .arity = -4,
     .flags = CMD_WRITE,
     .keynum_index = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @slow",
     .group = "list",
     .since = "7.0.0",
     .summary = "Pop elements from a list",
     .complexity = MPOP_COMPLEXITY,
     .args = MPOP_ARGS},
    {.name = "blmpop",
     .proc = blmpop_command,
     .arity = -5,
     .flags = CMD_WRITE | CMD_BLOCKING,
     .keynum_index = 2,
     .key_flags = "RW access delete",
     .acl_categories = "@write @list @slow @blocking",
     .group = "list",
     .since = "7.0.0",
     .summary = "Pop elements from a list, or block until one is available",
     .complexity = MPOP_COMPLEXITY,
     .args = COMMAND_ARGS({.name = "timeout", .type = ARG_DOUBLE}, MPOP_ARG_LIST)},
    {.name = NULL},
};
