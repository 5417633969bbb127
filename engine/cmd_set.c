/*
 * cmd_set: the set commands of Redis 7.0 (SADD SREM SISMEMBER SMISMEMBER
 * SMEMBERS SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF
 * SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN), with Redis's replies and error strings
 * word for word.
 *
 * Every command runs on the worker that owns the client with the shards of
 * all its keys locked by the dispatcher (engine/command.c), so the
 * multi-key commands are atomic. A set value is an intset or a dict
 * (engine/t_set.h); a set is created by a write of at least one member and
 * deleted with its last member: an empty set is never visible.
 *
 * Redis behaviours kept here that are easy to get wrong:
 *   - SINTER, SUNION and SDIFF (and their STORE forms) check the type of
 *     every key before answering, even when an earlier key is missing (an
 *     intersection with a missing key is empty, but a string among the
 *     keys is still WRONGTYPE); a STORE with an empty result deletes the
 *     destination, whatever it held, and replies 0;
 *   - a STORE's destination may be one of its sources: the result is built
 *     apart and only then replaces it; a non-empty result replaces a key of
 *     any type;
 *   - SMOVE with a missing source replies 0 even if the destination has the
 *     wrong type; with a source of the wrong type, or an existing
 *     destination of the wrong type, WRONGTYPE; source == destination
 *     answers whether the member is there and changes nothing;
 *   - the STORE forms look their sources up as reads (keyspace hits and
 *     misses count), as Redis 7.0 does;
 *   - SPOP's count must be an integer >= 0, checked before the key; a bad
 *     one, negative or not a number at all, gets "ERR value is out of
 *     range, must be positive". SRANDMEMBER's count is any value in
 *     +-LONG_MAX: negative may repeat members, positive never does and is
 *     capped at the set's size. For both, an argument after the count is a
 *     syntax error;
 *   - SSCAN of an intset returns every member in one call with cursor 0,
 *     whatever the cursor and COUNT; its MATCH and COUNT are only read once
 *     the key is found to be a set.
 *
 * SINTERCARD's keys follow its numkeys argument: the table says so with
 * keynum_index, which both the dispatcher's locking and COMMAND INFO's key
 * specs ("keynum", the "movablekeys" flag) read.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/command.h"
#include "engine/dict.h"
#include "engine/glob.h"
#include "engine/keyspace.h"
#include "engine/propagate.h"
#include "engine/reply.h"
#include "engine/scan.h"
#include "engine/t_set.h"
#include "engine/util.h"

static void reply_member(struct outbuf *out, const struct set_member *m)
{
    if (m->str)
        reply_bulk(out, m->str, m->len);
    else
        reply_bulk_ll(out, m->ll);
}

/* Every member of e, as an array. */
static void reply_whole_set(struct outbuf *out, struct entry *e)
{
    struct set_iter it;
    struct set_member m;
    reply_array(out, (long long)set_size(e));
    set_iter_init(&it, e);
    while (set_iter_next(&it, &m)) reply_member(out, &m);
    set_iter_done(&it);
}

/* Removes the member m, just read from e itself (a dict entry may be
 * deleted by its own key bytes, see dict_unlink). */
static void set_remove_member(struct entry *e, const struct set_member *m)
{
    char buf[SET_INT_BUF];
    size_t len;
    const char *p = set_member_bytes(m, buf, &len);
    set_remove(e, p, len);
}

/* SADD key member [member ...]: the number added. */
static void sadd_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    struct entry *e = cmd_lookup_write(ctx, key);
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    if (!e) e = set_add_key(ctx->db, key->ptr, key->len, ctx->argv[2].ptr, ctx->argv[2].len);
    long long added = 0;
    for (int i = 2; i < ctx->argc; i++) added += set_add(e, ctx->argv[i].ptr, ctx->argv[i].len);
    /* as in Redis, adding only members already there touches nothing (WATCH) */
    if (added) ks_touch(ctx->db, e);
    cmd_dirty(ctx, (unsigned long long)added);
    reply_int(ctx->out, added);
}

/* SREM key member [member ...]: the number removed; the key goes with its
 * last member. */
static void srem_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    struct entry *e = cmd_lookup_write(ctx, key);
    long long deleted = 0;
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    for (int i = 2; i < ctx->argc; i++) {
        if (!set_remove(e, ctx->argv[i].ptr, ctx->argv[i].len)) continue;
        deleted++;
        if (set_size(e) == 0) {
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

/* SISMEMBER key member */
static void sismember_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    reply_int(ctx->out, set_is_member(e, ctx->argv[2].ptr, ctx->argv[2].len));
}

/* SMISMEMBER key member [member ...]: one 0 or 1 per member. */
static void smismember_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    reply_array(ctx->out, ctx->argc - 2);
    for (int i = 2; i < ctx->argc; i++)
        reply_int(ctx->out, e ? set_is_member(e, ctx->argv[i].ptr, ctx->argv[i].len) : 0);
}

/* SCARD key */
static void scard_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    reply_int(ctx->out, (long long)set_size(e));
}

/* ---- SPOP, SRANDMEMBER ---- */

/* SPOP's effect on replicas, as Redis 7.0 propagates it: SREM key member
 * for each member popped (the member chosen here, not a new random one). */
static void spop_propagate_srem(struct cmdctx *ctx, const struct set_member *m)
{
    char buf[SET_INT_BUF];
    size_t len;
    const char *p = set_member_bytes(m, buf, &len);
    struct resp_arg argv[3] = {{.ptr = "SREM", .len = 4}, ctx->argv[1], {.ptr = p, .len = len}};
    propagate_also(ctx->db->id, 3, argv);
}

/* SPOP key count: count distinct random members, removed; the whole set
 * (and the key) when count reaches its size. Propagated as DEL key when
 * the whole set went, else as one SREM per member (wrapped in MULTI/EXEC
 * when there are several), as Redis 7.0 does. */
static void spop_with_count(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    static const char *const not_positive = "ERR value is out of range, must be positive";
    long long l;
    if (arg_ll(ctx, &ctx->argv[2], &l, not_positive) != 0) return;
    if (l < 0) {
        reply_error(ctx->out, not_positive);
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    unsigned long count = (unsigned long)l, size = set_size(e);
    if (count == 0) {
        reply_array(ctx->out, 0);
        return;
    }
    if (count >= size) {
        reply_whole_set(ctx->out, e);
        ks_delete(ctx->db, key->ptr, key->len);
        cmd_dirty(ctx, size);
        struct resp_arg argv[2] = {{.ptr = "DEL", .len = 3}, *key};
        propagate_rewrite(ctx, 2, argv);
        return;
    }
    ks_touch(ctx->db, e);
    reply_array(ctx->out, (long long)count);
    for (unsigned long i = 0; i < count; i++) {
        struct set_member m;
        set_random(e, &m);
        reply_member(ctx->out, &m);
        if (propagate_on()) spop_propagate_srem(ctx, &m);
        set_remove_member(e, &m);
    }
    /* Redis pops most of a set (at most a fifth of it left,
     * SPOP_MOVE_STRATEGY_MUL) by moving what is left into a new set, an
     * intset again if it can be: OBJECT ENCODING must agree. */
    if ((size - count) * 5 <= count) set_shrink_to_intset(e);
    cmd_dirty(ctx, count);
    propagate_prevent(ctx); /* the SREMs stand for it */
}

/* SPOP key [count]: without a count one member (nil for a missing key),
 * propagated as SREM key member (even when it was the last). */
static void spop_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    if (ctx->argc == 3) {
        spop_with_count(ctx);
        return;
    }
    if (ctx->argc > 3) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    struct set_member m;
    set_random(e, &m);
    reply_member(ctx->out, &m);
    if (propagate_on()) {
        char buf[SET_INT_BUF];
        size_t len;
        const char *p = set_member_bytes(&m, buf, &len);
        struct resp_arg argv[3] = {{.ptr = "SREM", .len = 4}, *key, {.ptr = p, .len = len}};
        propagate_rewrite(ctx, 3, argv);
    }
    set_remove_member(e, &m);
    if (set_size(e) == 0)
        ks_delete(ctx->db, key->ptr, key->len);
    else
        ks_touch(ctx->db, e);
    cmd_dirty(ctx, 1);
}

/* Below count * this many members, a distinct pick shuffles all of them
 * instead of drawing and rejecting repeats. */
#define SRANDMEMBER_SHUFFLE_MUL 3

/* count distinct members (1 < count < size), in random order. */
static void srandmember_distinct(struct cmdctx *ctx, struct entry *e, unsigned long count)
{
    unsigned long size = set_size(e);
    if (e->encoding == SET_ENC_HASHTABLE && count * SRANDMEMBER_SHUFFLE_MUL <= size) {
        /* A small part of a big set: draw, and drop the repeats
         * (remembered by entry address in a scratch set). */
        struct dict *seen = dict_create(DICT_KEYS_ONLY, NULL);
        unsigned long added = 0;
        while (added < count) {
            struct dict_entry *de = dict_fair_random(set_dict(e));
            struct set_member m;
            int fresh;
            dict_add_or_find(seen, (const char *)&de, sizeof(de), &fresh);
            if (!fresh) continue;
            added++;
            set_dict_entry_read(de, &m);
            reply_member(ctx->out, &m);
        }
        dict_free(seen);
        return;
    }
    /* Most of the set is wanted (or it is a small intset): a partial
     * Fisher-Yates shuffle of all its members. */
    struct set_member *all = mem_alloc(size * sizeof(*all));
    struct set_iter it;
    unsigned long n = 0;
    set_iter_init(&it, e);
    while (n < size && set_iter_next(&it, &all[n])) n++;
    set_iter_done(&it);
    for (unsigned long i = 0; i < count; i++) {
        unsigned long j = i + (unsigned long)(util_rand64() % (n - i));
        struct set_member tmp = all[i];
        all[i] = all[j];
        all[j] = tmp;
        reply_member(ctx->out, &all[i]);
    }
    mem_free(all);
}

/* SRANDMEMBER key count */
static void srandmember_with_count(struct cmdctx *ctx)
{
    long long l;
    if (arg_ll(ctx, &ctx->argv[2], &l, NULL) != 0) return;
    if (l < -LONG_MAX) {
        reply_errorf(ctx->out, "ERR value is out of range, value must between %ld and %ld",
                     -LONG_MAX, LONG_MAX);
        return;
    }
    int distinct = l >= 0;
    unsigned long count = distinct ? (unsigned long)l : 0ul - (unsigned long)l;
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    if (count == 0) {
        reply_array(ctx->out, 0);
        return;
    }
    /* A negative count, or a single member: independent picks. */
    if (!distinct || count == 1) {
        reply_array(ctx->out, (long long)count);
        while (count--) {
            struct set_member m;
            set_random(e, &m);
            reply_member(ctx->out, &m);
        }
        return;
    }
    if (count >= set_size(e)) {
        reply_whole_set(ctx->out, e);
        return;
    }
    reply_array(ctx->out, (long long)count);
    srandmember_distinct(ctx, e, count);
}

/* SRANDMEMBER key [count]: without a count one member (nil for a missing
 * key). */
static void srandmember_command(struct cmdctx *ctx)
{
    if (ctx->argc == 3) {
        srandmember_with_count(ctx);
        return;
    }
    if (ctx->argc > 3) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_SET) != 0) return;
    struct set_member m;
    set_random(e, &m);
    reply_member(ctx->out, &m);
}

/* ---- SMOVE ---- */

/* SMOVE source destination member: 1 if moved. */
static void smove_command(struct cmdctx *ctx)
{
    const struct resp_arg *src_key = &ctx->argv[1], *dst_key = &ctx->argv[2];
    const struct resp_arg *member = &ctx->argv[3];
    struct entry *src = cmd_lookup_write(ctx, src_key);
    struct entry *dst = cmd_lookup_write(ctx, dst_key);
    if (!src) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, src, TYPE_SET) != 0 || cmd_check_type(ctx, dst, TYPE_SET) != 0) return;
    if (src == dst) {
        reply_int(ctx->out, set_is_member(src, member->ptr, member->len));
        return;
    }
    if (!set_remove(src, member->ptr, member->len)) {
        reply_int(ctx->out, 0);
        return;
    }
    if (set_size(src) == 0)
        ks_delete(ctx->db, src_key->ptr, src_key->len);
    else
        ks_touch(ctx->db, src);
    if (!dst) dst = set_add_key(ctx->db, dst_key->ptr, dst_key->len, member->ptr, member->len);
    cmd_dirty(ctx, 1);
    /* As Redis: a destination that already had the member is not
     * modified (a WATCH on it holds). */
    if (set_add(dst, member->ptr, member->len)) {
        cmd_dirty(ctx, 1);
        ks_touch(ctx->db, dst);
    }
    reply_int(ctx->out, 1);
}

/* ---- SINTER, SUNION, SDIFF and their STORE forms ---- */

enum set_op { SET_OP_INTER, SET_OP_UNION, SET_OP_DIFF };

static int cmp_size(const void *a, const void *b)
{
    unsigned long x = set_size(*(struct entry *const *)a);
    unsigned long y = set_size(*(struct entry *const *)b);
    return x < y ? -1 : x > y;
}

/* Looks the source keys up, NULL for a missing key: read lookups even for
 * a STORE form, as Redis 7.0 (each counts a keyspace hit or miss). Returns
 * -1 after replying WRONGTYPE. */
static int lookup_sources(struct cmdctx *ctx, int first, struct entry **sets, int n)
{
    for (int i = 0; i < n; i++) {
        sets[i] = cmd_lookup_read(ctx, &ctx->argv[first + i]);
        if (cmd_check_type(ctx, sets[i], TYPE_SET) != 0) return -1;
    }
    return 0;
}

/* Adds every member of src to dst (a detached set). */
static void add_all(struct entry *dst, struct entry *src)
{
    struct set_iter it;
    struct set_member m;
    set_iter_init(&it, src);
    while (set_iter_next(&it, &m)) {
        char buf[SET_INT_BUF];
        size_t len;
        const char *p = set_member_bytes(&m, buf, &len);
        set_add(dst, p, len);
    }
    set_iter_done(&it);
}

/* Whether a member of sets[0] is in the result of op (SET_OP_INTER or
 * SET_OP_DIFF) over the n sets: in every other set, or in none of them. */
static int member_kept(enum set_op op, struct entry **sets, int n, const char *p, size_t len)
{
    for (int i = 1; i < n; i++) {
        if (op == SET_OP_INTER) {
            if (sets[i] != sets[0] && !set_is_member(sets[i], p, len)) return 0;
        } else if (sets[i] && set_is_member(sets[i], p, len)) {
            return 0;
        }
    }
    return 1;
}

/* The result of op over the n sets (NULL: a missing key, an empty set)
 * into the detached set out. */
static void set_op_compute(enum set_op op, struct entry **sets, int n, struct entry *out)
{
    set_init_detached(out);
    if (op == SET_OP_UNION) {
        for (int i = 0; i < n; i++)
            if (sets[i]) add_all(out, sets[i]);
        return;
    }
    if (op == SET_OP_INTER) {
        for (int i = 0; i < n; i++)
            if (!sets[i]) return;
        /* Walk the smallest set, probing the others. */
        qsort(sets, (size_t)n, sizeof(*sets), cmp_size);
    } else if (!sets[0]) {
        return;
    }
    struct set_iter it;
    struct set_member m;
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &m)) {
        char buf[SET_INT_BUF];
        size_t len;
        const char *p = set_member_bytes(&m, buf, &len);
        if (member_kept(op, sets, n, p, len)) set_add(out, p, len);
    }
    set_iter_done(&it);
}

/* SINTER/SUNION/SDIFF key [key ...] (dst NULL) or the STORE forms
 * destination key [key ...]: a STORE replaces the destination with the
 * result, or deletes it when the result is empty, and replies its size. */
static void set_op_generic(struct cmdctx *ctx, enum set_op op, int store)
{
    int first = store ? 2 : 1, n = ctx->argc - first;
    struct entry **sets = mem_alloc((size_t)n * sizeof(*sets));
    struct entry result;
    if (lookup_sources(ctx, first, sets, n) != 0) goto out;
    if (!store && n == 1) {
        /* SMEMBERS, or one key: the set itself, no copy. */
        if (sets[0])
            reply_whole_set(ctx->out, sets[0]);
        else
            reply_array(ctx->out, 0);
        goto out;
    }
    set_op_compute(op, sets, n, &result);
    if (!store) {
        reply_whole_set(ctx->out, &result);
        set_free(&result);
        goto out;
    }
    const struct resp_arg *dst = &ctx->argv[1];
    unsigned long size = set_size(&result);
    int deleted = ks_delete(ctx->db, dst->ptr, dst->len);
    if (size > 0) {
        set_install(ctx->db, dst->ptr, dst->len, &result);
        cmd_dirty(ctx, 1);
    } else {
        set_free(&result);
        if (deleted) cmd_dirty(ctx, 1);
    }
    reply_int(ctx->out, (long long)size);
out:
    mem_free(sets);
}

static void sinter_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_INTER, 0);
}

static void sinterstore_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_INTER, 1);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the
 * intersection, without building it; counting stops at limit (0: no
 * limit). numkeys and the options are checked before any key is looked
 * at; every key's type is checked even when one is missing. */
static void sintercard_command(struct cmdctx *ctx)
{
    static const char *const bad_numkeys = "ERR numkeys should be greater than 0";
    static const char *const bad_limit = "ERR LIMIT can't be negative";
    long long numkeys, limit = 0;

    if (arg_ll(ctx, &ctx->argv[1], &numkeys, bad_numkeys) != 0) return;
    if (numkeys < 1) {
        reply_error(ctx->out, bad_numkeys);
        return;
    }
    if (numkeys > ctx->argc - 2) {
        reply_error(ctx->out, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < ctx->argc; j++) {
        if (!arg_eq(&ctx->argv[j], "limit") || j + 1 == ctx->argc) {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
        if (arg_ll(ctx, &ctx->argv[++j], &limit, bad_limit) != 0) return;
        if (limit < 0) {
            reply_error(ctx->out, bad_limit);
            return;
        }
    }
    int n = (int)numkeys;
    struct entry **sets = mem_alloc((size_t)n * sizeof(*sets));
    long long count = 0;
    if (lookup_sources(ctx, 2, sets, n) != 0) goto out;
    for (int i = 0; i < n; i++)
        if (!sets[i]) goto reply;
    /* Walk the smallest set, probing the others. */
    qsort(sets, (size_t)n, sizeof(*sets), cmp_size);
    struct set_iter it;
    struct set_member m;
    set_iter_init(&it, sets[0]);
    while ((!limit || count < limit) && set_iter_next(&it, &m)) {
        char buf[SET_INT_BUF];
        size_t len;
        const char *p = set_member_bytes(&m, buf, &len);
        count += member_kept(SET_OP_INTER, sets, n, p, len);
    }
    set_iter_done(&it);
reply:
    reply_int(ctx->out, count);
out:
    mem_free(sets);
}

static void sunion_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_UNION, 0);
}

static void sunionstore_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_UNION, 1);
}

static void sdiff_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_DIFF, 0);
}

static void sdiffstore_command(struct cmdctx *ctx)
{
    set_op_generic(ctx, SET_OP_DIFF, 1);
}

/* ---- SSCAN ---- */

static int scan_matches(const struct resp_arg *pattern, const struct set_member *m)
{
    if (!pattern) return 1; /* no need to format the member */
    char buf[SET_INT_BUF];
    size_t len;
    const char *p = set_member_bytes(m, buf, &len);
    return scan_pattern_matches(pattern, p, len);
}

/* SSCAN key cursor [MATCH pattern] [COUNT count]: a dict-encoded set is
 * walked with the reverse-binary cursor, visiting buckets until about
 * count members are collected (at most 10 x count bucket steps, as
 * Redis); an intset is returned whole, with cursor 0. */
static void sscan_command(struct cmdctx *ctx)
{
    unsigned long long cursor;
    const struct resp_arg *pattern;
    long long count;
    struct entry *e = scan_begin(ctx, TYPE_SET, &cursor, &pattern, &count);
    if (!e) return;

    struct set_member m;
    if (e->encoding == SET_ENC_INTSET) {
        unsigned long n = 0;
        struct set_iter it;
        set_iter_init(&it, e);
        while (set_iter_next(&it, &m)) n += scan_matches(pattern, &m);
        set_iter_done(&it);
        reply_array(ctx->out, 2);
        reply_bulk(ctx->out, "0", 1);
        reply_array(ctx->out, (long long)n);
        set_iter_init(&it, e);
        while (set_iter_next(&it, &m))
            if (scan_matches(pattern, &m)) reply_member(ctx->out, &m);
        set_iter_done(&it);
        return;
    }

    struct scan_batch batch = {0};
    long long steps = count * 10;
    do {
        cursor = dict_scan(set_dict(e), cursor, scan_batch_collect, &batch);
    } while (cursor && steps-- && (long long)batch.n < count);

    size_t kept = 0;
    for (size_t i = 0; i < batch.n; i++) {
        set_dict_entry_read(batch.entries[i], &m);
        if (scan_matches(pattern, &m)) batch.entries[kept++] = batch.entries[i];
    }
    char next[UTIL_LL_STR_SIZE];
    int len = util_ll_to_str(next, sizeof(next), (long long)cursor);
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, next, (size_t)len);
    reply_array(ctx->out, (long long)kept);
    for (size_t i = 0; i < kept; i++) {
        set_dict_entry_read(batch.entries[i], &m);
        reply_member(ctx->out, &m);
    }
    mem_free(batch.entries);
}

/* Arguments shared by several commands. */
#define KEY_ARG                                                                                    \
    {                                                                                              \
        .name = "key", .type = ARG_KEY                                                             \
    }
#define KEYS_ARG                                                                                   \
    {                                                                                              \
        .name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE                                      \
    }
#define MEMBER_ARG                                                                                 \
    {                                                                                              \
        .name = "member", .type = ARG_STRING                                                       \
    }
#define MEMBERS_ARG                                                                                \
    {                                                                                              \
        .name = "member", .type = ARG_STRING, .flags = ARG_MULTIPLE                                \
    }
#define STORE_ARGS                                                                                 \
    COMMAND_ARGS({.name = "destination", .type = ARG_KEY},                                         \
                 {.name = "key", .type = ARG_KEY, .key_spec_index = 1, .flags = ARG_MULTIPLE})

/* The table: arity, flags, key specs and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary, complexity and arguments as its
 * COMMAND DOCS. */
const struct command set_commands[] = {
    {.name = "sadd",
     .proc = sadd_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Add one or more members to a set",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments.",
     .args = COMMAND_ARGS(KEY_ARG, MEMBERS_ARG)},
    {.name = "scard",
     .proc = scard_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Get the number of members in a set",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "sdiff",
     .proc = sdiff_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Subtract multiple sets",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEYS_ARG)},
    {.name = "sdiffstore",
     .proc = sdiffstore_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "OW update|RO access",
     .acl_categories = "@write @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Subtract multiple sets and store the resulting set in a key",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .args = STORE_ARGS},
    {.name = "sinter",
     .proc = sinter_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Intersect multiple sets",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
                   "number of sets.",
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEYS_ARG)},
    {.name = "sintercard",
     .proc = sintercard_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .keynum_index = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "7.0.0",
     .summary = "Intersect multiple sets and return the cardinality of the result",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
                   "number of sets.",
     .args = COMMAND_ARGS(
         {.name = "numkeys", .type = ARG_INTEGER}, KEYS_ARG,
         {.name = "limit", .type = ARG_INTEGER, .token = "LIMIT", .flags = ARG_OPTIONAL})},
    {.name = "sinterstore",
     .proc = sinterstore_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RW update|RO access",
     .acl_categories = "@write @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Intersect multiple sets and store the resulting set in a key",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
                   "number of sets.",
     .args = STORE_ARGS},
    {.name = "sismember",
     .proc = sismember_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Determine if a given value is a member of a set",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, MEMBER_ARG)},
    {.name = "smembers",
     .proc = sinter_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Get all the members in a set",
     .complexity = "O(N) where N is the set cardinality.",
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "smismember",
     .proc = smismember_command,
     .arity = -3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @fast",
     .group = "set",
     .since = "6.2.0",
     .summary = "Returns the membership associated with the given elements for a set",
     .complexity = "O(N) where N is the number of elements being checked for membership",
     .args = COMMAND_ARGS(KEY_ARG, MEMBERS_ARG)},
    {.name = "smove",
     .proc = smove_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|RW insert",
     .acl_categories = "@write @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Move a member from one set to another",
     .complexity = "O(1)",
     .args =
         COMMAND_ARGS({.name = "source", .type = ARG_KEY},
                      {.name = "destination", .type = ARG_KEY, .key_spec_index = 1}, MEMBER_ARG)},
    {.name = "spop",
     .proc = spop_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Remove and return one or multiple random members from a set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the "
                   "passed count.",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(
         KEY_ARG, {.name = "count", .type = ARG_INTEGER, .since = "3.2.0", .flags = ARG_OPTIONAL})},
    {.name = "srandmember",
     .proc = srandmember_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Get one or multiple random members from a set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute value "
                   "of the passed count.",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(
         KEY_ARG, {.name = "count", .type = ARG_INTEGER, .since = "2.6.0", .flags = ARG_OPTIONAL})},
    {.name = "srem",
     .proc = srem_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW delete",
     .acl_categories = "@write @set @fast",
     .group = "set",
     .since = "1.0.0",
     .summary = "Remove one or more members from a set",
     .complexity = "O(N) where N is the number of members to be removed.",
     .args = COMMAND_ARGS(KEY_ARG, MEMBERS_ARG)},
    {.name = "sscan",
     .proc = sscan_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "2.8.0",
     .summary = "Incrementally iterate Set elements",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(
         KEY_ARG, {.name = "cursor", .type = ARG_INTEGER},
         {.name = "pattern", .type = ARG_PATTERN, .token = "MATCH", .flags = ARG_OPTIONAL},
         {.name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL})},
    {.name = "sunion",
     .proc = sunion_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Add multiple sets",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEYS_ARG)},
    {.name = "sunionstore",
     .proc = sunionstore_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "OW update|RO access",
     .acl_categories = "@write @set @slow",
     .group = "set",
     .since = "1.0.0",
     .summary = "Add multiple sets and store the resulting set in a key",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .args = STORE_ARGS},
    {.name = NULL},
};
