/*
 * cmd_hash: the hash commands of Redis 7.0 (HSET HSETNX HMSET HGET HMGET
 * HDEL HLEN HSTRLEN HEXISTS HGETALL HKEYS HVALS HINCRBY HINCRBYFLOAT
 * HRANDFIELD HSCAN), with Redis's replies and error strings word for word.
 *
 * Every command runs on the worker that owns the client with its key's
 * shard locked by the dispatcher (engine/command.c). A hash value is a
 * listpack or a dict (engine/t_hash.h); a hash is created by a write of at
 * least one field, and HDEL deletes the key when the last field goes: an
 * empty hash is never visible, as in Redis.
 *
 * Redis behaviours kept here that are easy to get wrong:
 *   - HINCRBY and HINCRBYFLOAT parse the increment before looking at the
 *     key (a bad number wins over WRONGTYPE); HRANDFIELD checks its count
 *     and WITHVALUES first too, and HSCAN its cursor, but HSCAN's MATCH and
 *     COUNT are only read once the key is found to be a hash (a missing key
 *     answers the empty scan whatever the options say);
 *   - HRANDFIELD's count: a negative count may repeat fields, a positive one
 *     never does and is capped at the hash's size; with WITHVALUES the count
 *     must be within +-LONG_MAX/2 ("ERR value is out of range");
 *   - HSCAN of a listpack-encoded hash returns every pair in one call with
 *     cursor 0, whatever the cursor and COUNT;
 *   - HINCRBYFLOAT formats its result as INCRBYFLOAT (17 digits, trailing
 *     zeros dropped) and refuses an increment that is NaN or infinite
 *     before it looks at the key.
 */
#include <limits.h>
#include <math.h>
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
#include "engine/t_hash.h"
#include "engine/util.h"

static void reply_item(struct outbuf *out, const hash_item *item)
{
    if (item->str)
        reply_bulk(out, item->str, item->len);
    else
        reply_bulk_ll(out, item->ll);
}

/* An item's bytes: integers are formatted into buf. */
static const char *item_bytes(const hash_item *item, char buf[LP_INTBUF_SIZE], size_t *len)
{
    if (item->str) {
        *len = item->len;
        return (const char *)item->str;
    }
    *len = lp_int_to_str(buf, item->ll);
    return buf;
}

/* The key's hash for a write, created (empty: the caller sets a field
 * before returning) when missing; NULL after replying WRONGTYPE. */
static struct entry *hash_lookup_write_or_create(struct cmdctx *ctx, const struct resp_arg *key,
                                                 int *created)
{
    struct entry *e = cmd_lookup_write(ctx, key);
    *created = 0;
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return NULL;
    if (!e) {
        e = hash_add_key(ctx->db, key->ptr, key->len);
        *created = 1;
    }
    return e;
}

/* HSET key field value [field value ...] and HMSET: HSET replies the number
 * of fields added, HMSET +OK. */
static void hash_set_generic(struct cmdctx *ctx, int reply_added)
{
    int created;
    if (ctx->argc % 2 == 1) {
        reply_wrong_arity(ctx);
        return;
    }
    struct entry *e = hash_lookup_write_or_create(ctx, &ctx->argv[1], &created);
    if (!e) return;
    if (!created) ks_touch(ctx->db, e);
    hash_convert_for_args(e, ctx->argv, 2, ctx->argc - 1);
    long long added = 0;
    for (int i = 2; i < ctx->argc; i += 2)
        added += !hash_set(e, ctx->argv[i].ptr, ctx->argv[i].len, ctx->argv[i + 1].ptr,
                           ctx->argv[i + 1].len);
    cmd_dirty(ctx, (unsigned long long)(ctx->argc - 2) / 2);
    if (reply_added)
        reply_int(ctx->out, added);
    else
        reply_ok(ctx->out);
}

static void hset_command(struct cmdctx *ctx)
{
    hash_set_generic(ctx, 1);
}

static void hmset_command(struct cmdctx *ctx)
{
    hash_set_generic(ctx, 0);
}

/* HSETNX key field value: 1 when set, 0 when the field already exists. */
static void hsetnx_command(struct cmdctx *ctx)
{
    const struct resp_arg *field = &ctx->argv[2], *value = &ctx->argv[3];
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);

    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (e && hash_exists(e, field->ptr, field->len)) {
        reply_int(ctx->out, 0);
        return;
    }
    if (!e)
        e = hash_add_key(ctx->db, ctx->argv[1].ptr, ctx->argv[1].len);
    else
        ks_touch(ctx->db, e);
    hash_convert_for_args(e, ctx->argv, 2, 3);
    hash_set(e, field->ptr, field->len, value->ptr, value->len);
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, 1);
}

/* HGET key field: the value, nil when the key or field is missing. */
static void hget_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    hash_item v;

    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (hash_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &v))
        reply_item(ctx->out, &v);
    else
        reply_null(ctx->out);
}

/* HMGET key field [field ...]: a missing key is an empty hash (all nil). */
static void hmget_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    hash_item v;

    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    reply_array(ctx->out, ctx->argc - 2);
    for (int i = 2; i < ctx->argc; i++) {
        if (e && hash_get(e, ctx->argv[i].ptr, ctx->argv[i].len, &v))
            reply_item(ctx->out, &v);
        else
            reply_null(ctx->out);
    }
}

/* HDEL key field [field ...]: the number removed; the key goes with its
 * last field. */
static void hdel_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1];
    struct entry *e = cmd_lookup_write(ctx, key);
    long long deleted = 0;

    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    for (int i = 2; i < ctx->argc; i++) {
        if (!hash_delete(e, ctx->argv[i].ptr, ctx->argv[i].len)) continue;
        deleted++;
        if (hash_length(e) == 0) {
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

/* HLEN key */
static void hlen_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    reply_int(ctx->out, (long long)hash_length(e));
}

/* HSTRLEN key field: the value's length, 0 when missing. */
static void hstrlen_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    hash_item v;

    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (!hash_get(e, ctx->argv[2].ptr, ctx->argv[2].len, &v)) {
        reply_int(ctx->out, 0);
        return;
    }
    char buf[LP_INTBUF_SIZE];
    size_t len;
    item_bytes(&v, buf, &len);
    reply_int(ctx->out, (long long)len);
}

/* HEXISTS key field */
static void hexists_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    reply_int(ctx->out, hash_exists(e, ctx->argv[2].ptr, ctx->argv[2].len));
}

enum { WANT_FIELDS = 1, WANT_VALUES = 2 };

/* HGETALL, HKEYS, HVALS: every pair, field or value, in the hash's order. */
static void hash_getall_generic(struct cmdctx *ctx, int want)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;

    long long n = (long long)hash_length(e);
    if (want == (WANT_FIELDS | WANT_VALUES))
        reply_map(ctx->out, n);
    else
        reply_array(ctx->out, n);
    struct hash_iter it;
    hash_item field, value;
    hash_iter_init(&it, e);
    while (hash_iter_next(&it, &field, &value)) {
        if (want & WANT_FIELDS) reply_item(ctx->out, &field);
        if (want & WANT_VALUES) reply_item(ctx->out, &value);
    }
    hash_iter_done(&it);
}

static void hgetall_command(struct cmdctx *ctx)
{
    hash_getall_generic(ctx, WANT_FIELDS | WANT_VALUES);
}

static void hkeys_command(struct cmdctx *ctx)
{
    hash_getall_generic(ctx, WANT_FIELDS);
}

static void hvals_command(struct cmdctx *ctx)
{
    hash_getall_generic(ctx, WANT_VALUES);
}

/* HINCRBY key field increment: the new value; the field starts at 0. */
static void hincrby_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1], *field = &ctx->argv[2];
    long long incr, value = 0;
    hash_item v;

    if (arg_ll(ctx, &ctx->argv[3], &incr, NULL) != 0) return;
    struct entry *e = cmd_lookup_write(ctx, key);
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (e && hash_get(e, field->ptr, field->len, &v)) {
        if (!v.str)
            value = v.ll;
        else if (!util_str_to_ll((const char *)v.str, v.len, &value)) {
            reply_error(ctx->out, "ERR hash value is not an integer");
            return;
        }
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(ctx->out, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;

    char buf[UTIL_LL_STR_SIZE];
    int len = util_ll_to_str(buf, sizeof(buf), value);
    if (!e)
        e = hash_add_key(ctx->db, key->ptr, key->len);
    else
        ks_touch(ctx->db, e);
    hash_set(e, field->ptr, field->len, buf, (size_t)len);
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, value);
}

/* HINCRBYFLOAT key field increment: the new value, formatted as
 * INCRBYFLOAT formats it; propagated as HSET key field <value>, so that
 * replicas store the same bytes whatever their float arithmetic. */
static void hincrbyfloat_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1], *field = &ctx->argv[2];
    long double incr, value = 0;
    hash_item v;

    if (!util_str_to_ld(ctx->argv[3].ptr, ctx->argv[3].len, &incr)) {
        reply_error(ctx->out, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(ctx->out, "ERR value is NaN or Infinity");
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (e && hash_get(e, field->ptr, field->len, &v)) {
        if (!v.str)
            value = (long double)v.ll;
        else if (!util_str_to_ld((const char *)v.str, v.len, &value)) {
            reply_error(ctx->out, "ERR hash value is not a float");
            return;
        }
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(ctx->out, "ERR increment would produce NaN or Infinity");
        return;
    }

    char buf[UTIL_LD_STR_SIZE];
    int len = util_ld_to_str(buf, sizeof(buf), value);
    if (!e)
        e = hash_add_key(ctx->db, key->ptr, key->len);
    else
        ks_touch(ctx->db, e);
    hash_set(e, field->ptr, field->len, buf, (size_t)len);
    cmd_dirty(ctx, 1);
    struct resp_arg argv[4] = {
        {.ptr = "HSET", .len = 4}, *key, *field, {.ptr = buf, .len = (size_t)len}};
    propagate_rewrite(ctx, 4, argv);
    reply_bulk(ctx->out, buf, (size_t)len);
}

/* ---- HRANDFIELD ---- */

/* Picks per call from a listpack when repeats are allowed (Redis samples
 * in batches of this many, to bound the scratch arrays). */
#define RANDFIELD_BATCH 1000
/* Below count * this many fields, a distinct pick of a dict shuffles all
 * its entries instead of drawing and rejecting repeats. */
#define RANDFIELD_SHUFFLE_MUL 3

static void reply_pairs(struct outbuf *out, const hash_item *fields, const hash_item *values,
                        unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        reply_item(out, &fields[i]);
        if (values) reply_item(out, &values[i]);
    }
}

static void reply_dict_entry(struct outbuf *out, struct dict_entry *de, int withvalues)
{
    hash_item field, value;
    hash_dict_entry_read(de, &field, withvalues ? &value : NULL);
    reply_item(out, &field);
    if (withvalues) reply_item(out, &value);
}

/* count picks that may repeat, in random order. */
static void randfield_with_repeats(struct cmdctx *ctx, struct entry *e, unsigned long count,
                                   int withvalues)
{
    if (e->encoding == ENC_HASHTABLE) {
        while (count--) reply_dict_entry(ctx->out, dict_fair_random(hash_dict(e)), withvalues);
        return;
    }
    unsigned long limit = count > RANDFIELD_BATCH ? RANDFIELD_BATCH : count;
    hash_item *fields = mem_alloc(limit * sizeof(*fields));
    hash_item *values = withvalues ? mem_alloc(limit * sizeof(*values)) : NULL;
    while (count) {
        unsigned long n = count > limit ? limit : count;
        count -= n;
        lp_random_pairs(hash_listpack(e), (unsigned)n, util_rand64, fields, values);
        reply_pairs(ctx->out, fields, values, n);
    }
    mem_free(fields);
    mem_free(values);
}

/* count distinct fields of a dict (count < size). */
static void randfield_distinct_dict(struct cmdctx *ctx, struct dict *d, unsigned long count,
                                    int withvalues)
{
    unsigned long size = (unsigned long)dict_size(d);
    if (count * RANDFIELD_SHUFFLE_MUL > size) {
        /* Most of the hash is wanted: a partial Fisher-Yates shuffle of
         * all its entries. */
        struct dict_entry **all = mem_alloc(size * sizeof(*all));
        struct dict_iter it;
        unsigned long n = 0;
        dict_iter_init(&it, d);
        for (struct dict_entry *de; (de = dict_iter_next(&it)) != NULL;) all[n++] = de;
        dict_iter_done(&it);
        for (unsigned long i = 0; i < count; i++) {
            unsigned long j = i + (unsigned long)(util_rand64() % (size - i));
            struct dict_entry *tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
            reply_dict_entry(ctx->out, all[i], withvalues);
        }
        mem_free(all);
        return;
    }
    /* A small part of a big hash: draw, and drop the repeats (remembered
     * by entry address in a scratch set). */
    struct dict *seen = dict_create(DICT_KEYS_ONLY, NULL);
    unsigned long added = 0;
    while (added < count) {
        struct dict_entry *de = dict_fair_random(d);
        int fresh;
        dict_add_or_find(seen, (const char *)&de, sizeof(de), &fresh);
        if (!fresh) continue;
        added++;
        reply_dict_entry(ctx->out, de, withvalues);
    }
    dict_free(seen);
}

/* HRANDFIELD key count [WITHVALUES] */
static void hrandfield_with_count(struct cmdctx *ctx, long long l, int withvalues)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_array(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;

    unsigned long size = hash_length(e);
    int distinct = l >= 0;
    unsigned long count = distinct ? (unsigned long)l : 0ul - (unsigned long)l;
    if (count == 0) {
        reply_array(ctx->out, 0);
        return;
    }
    /* A negative count, or a single field: independent picks. */
    if (!distinct || count == 1) {
        reply_array(ctx->out, (long long)(withvalues ? count * 2 : count));
        randfield_with_repeats(ctx, e, count, withvalues);
        return;
    }
    unsigned long n = count < size ? count : size;
    reply_array(ctx->out, (long long)(withvalues ? n * 2 : n));
    if (count >= size) {
        struct hash_iter it;
        hash_item field, value;
        hash_iter_init(&it, e);
        while (hash_iter_next(&it, &field, &value)) {
            reply_item(ctx->out, &field);
            if (withvalues) reply_item(ctx->out, &value);
        }
        hash_iter_done(&it);
        return;
    }
    if (e->encoding == ENC_HASHTABLE) {
        randfield_distinct_dict(ctx, hash_dict(e), count, withvalues);
        return;
    }
    hash_item *fields = mem_alloc(count * sizeof(*fields));
    hash_item *values = withvalues ? mem_alloc(count * sizeof(*values)) : NULL;
    unsigned got =
        lp_random_pairs_unique(hash_listpack(e), (unsigned)count, util_rand64, fields, values);
    reply_pairs(ctx->out, fields, values, got);
    mem_free(fields);
    mem_free(values);
}

/* HRANDFIELD key [count [WITHVALUES]]: without a count one field (nil for
 * a missing key); with one an array. */
static void hrandfield_command(struct cmdctx *ctx)
{
    if (ctx->argc >= 3) {
        long long l;
        int withvalues = 0;
        if (arg_ll(ctx, &ctx->argv[2], &l, NULL) != 0) return;
        if (l < -LONG_MAX) {
            reply_errorf(ctx->out, "ERR value is out of range, value must between %ld and %ld",
                         -LONG_MAX, LONG_MAX);
            return;
        }
        if (ctx->argc > 4 || (ctx->argc == 4 && !arg_eq(&ctx->argv[3], "withvalues"))) {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
        if (ctx->argc == 4) {
            withvalues = 1;
            if (l < -LONG_MAX / 2 || l > LONG_MAX / 2) {
                reply_error(ctx->out, "ERR value is out of range");
                return;
            }
        }
        hrandfield_with_count(ctx, l, withvalues);
        return;
    }
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_HASH) != 0) return;
    if (e->encoding == ENC_HASHTABLE) {
        reply_dict_entry(ctx->out, dict_fair_random(hash_dict(e)), 0);
    } else {
        hash_item field;
        lp_random_pair(hash_listpack(e), hash_length(e), util_rand64, &field, NULL);
        reply_item(ctx->out, &field);
    }
}

/* ---- HSCAN ---- */

static int scan_matches(const struct resp_arg *pattern, const hash_item *field)
{
    if (!pattern) return 1; /* no need to format the member */
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *p = item_bytes(field, buf, &len);
    return scan_pattern_matches(pattern, p, len);
}

/* HSCAN key cursor [MATCH pattern] [COUNT count]: a dict-encoded hash is
 * walked with the reverse-binary cursor, visiting buckets until about
 * count fields are collected (at most 10 x count x 2 bucket steps, as
 * Redis); a listpack is returned whole, with cursor 0. */
static void hscan_command(struct cmdctx *ctx)
{
    unsigned long long cursor;
    const struct resp_arg *pattern;
    long long count;
    struct entry *e = scan_begin(ctx, TYPE_HASH, &cursor, &pattern, &count);
    if (!e) return;

    char next[UTIL_LL_STR_SIZE];
    hash_item field, value;
    if (e->encoding == ENC_LISTPACK) {
        unsigned long n = 0;
        struct hash_iter it;
        hash_iter_init(&it, e);
        while (hash_iter_next(&it, &field, &value)) n += scan_matches(pattern, &field);
        hash_iter_done(&it);
        reply_array(ctx->out, 2);
        reply_bulk(ctx->out, "0", 1);
        reply_array(ctx->out, (long long)n * 2);
        hash_iter_init(&it, e);
        while (hash_iter_next(&it, &field, &value)) {
            if (!scan_matches(pattern, &field)) continue;
            reply_item(ctx->out, &field);
            reply_item(ctx->out, &value);
        }
        hash_iter_done(&it);
        return;
    }

    struct scan_batch batch = {0};
    /* Redis counts fields and values together: count pairs' worth of
     * elements, and ten bucket steps per element at most. */
    long long elements = count * 2, steps = elements * 10;
    do {
        cursor = dict_scan(hash_dict(e), cursor, scan_batch_collect, &batch);
    } while (cursor && steps-- && (long long)batch.n * 2 < elements);

    size_t kept = 0;
    for (size_t i = 0; i < batch.n; i++) {
        hash_dict_entry_read(batch.entries[i], &field, NULL);
        if (scan_matches(pattern, &field)) batch.entries[kept++] = batch.entries[i];
    }
    int len = util_ll_to_str(next, sizeof(next), (long long)cursor);
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, next, (size_t)len);
    reply_array(ctx->out, (long long)kept * 2);
    for (size_t i = 0; i < kept; i++) reply_dict_entry(ctx->out, batch.entries[i], 1);
    mem_free(batch.entries);
}

/* Arguments shared by several commands. */
#define KEY_ARG                                                                                    \
    {                                                                                              \
        .name = "key", .type = ARG_KEY                                                             \
    }
#define FIELD_ARG                                                                                  \
    {                                                                                              \
        .name = "field", .type = ARG_STRING                                                        \
    }
#define FIELD_VALUE_ARGS                                                                           \
    {                                                                                              \
        .name = "field_value", .type = ARG_BLOCK, .flags = ARG_MULTIPLE,                           \
        .args = COMMAND_ARGS({.name = "field", .type = ARG_STRING},                                \
                             {.name = "value", .type = ARG_STRING})                                \
    }

#define ALL_COMPLEXITY "O(N) where N is the size of the hash."

/* The table: arity, flags, key specs and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary, complexity and arguments as its
 * COMMAND DOCS. */
const struct command hash_commands[] = {
    {.name = "hdel",
     .proc = hdel_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW delete",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Delete one or more hash fields",
     .complexity = "O(N) where N is the number of fields to be removed.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "field", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "hexists",
     .proc = hexists_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Determine if a hash field exists",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG)},
    {.name = "hget",
     .proc = hget_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get the value of a hash field",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG)},
    {.name = "hgetall",
     .proc = hgetall_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @slow",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get all the fields and values in a hash",
     .complexity = ALL_COMPLEXITY,
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "hincrby",
     .proc = hincrby_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Increment the integer value of a hash field by the given number",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG, {.name = "increment", .type = ARG_INTEGER})},
    {.name = "hincrbyfloat",
     .proc = hincrbyfloat_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.6.0",
     .summary = "Increment the float value of a hash field by the given amount",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG, {.name = "increment", .type = ARG_DOUBLE})},
    {.name = "hkeys",
     .proc = hkeys_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @slow",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get all the fields in a hash",
     .complexity = ALL_COMPLEXITY,
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "hlen",
     .proc = hlen_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get the number of fields in a hash",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = "hmget",
     .proc = hmget_command,
     .arity = -3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get the values of all the given hash fields",
     .complexity = "O(N) where N is the number of fields being requested.",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "field", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "hmset",
     .proc = hmset_command,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW update",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Set multiple hash fields to multiple values",
     .complexity = "O(N) where N is the number of fields being set.",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_VALUE_ARGS)},
    {.name = "hrandfield",
     .proc = hrandfield_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @slow",
     .group = "hash",
     .since = "6.2.0",
     .summary = "Get one or multiple random fields from a hash",
     .complexity = "O(N) where N is the number of fields returned",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(KEY_ARG, {.name = "options",
                                    .type = ARG_BLOCK,
                                    .flags = ARG_OPTIONAL,
                                    .args = COMMAND_ARGS({.name = "count", .type = ARG_INTEGER},
                                                         {.name = "withvalues",
                                                          .type = ARG_PURE_TOKEN,
                                                          .token = "WITHVALUES",
                                                          .flags = ARG_OPTIONAL})})},
    {.name = "hscan",
     .proc = hscan_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @slow",
     .group = "hash",
     .since = "2.8.0",
     .summary = "Incrementally iterate hash fields and associated values",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .tips = "nondeterministic_output",
     .args = COMMAND_ARGS(
         KEY_ARG, {.name = "cursor", .type = ARG_INTEGER},
         {.name = "pattern", .type = ARG_PATTERN, .token = "MATCH", .flags = ARG_OPTIONAL},
         {.name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL})},
    {.name = "hset",
     .proc = hset_command,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW update",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Set the string value of a hash field",
     .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value pairs when "
                   "the command is called with multiple field/value pairs.",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_VALUE_ARGS)},
    {.name = "hsetnx",
     .proc = hsetnx_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @hash @fast",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Set the value of a hash field, only if the field does not exist",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG, {.name = "value", .type = ARG_STRING})},
    {.name = "hstrlen",
     .proc = hstrlen_command,
     .arity = 3,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @hash @fast",
     .group = "hash",
     .since = "3.2.0",
     .summary = "Get the length of the value of a hash field",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(KEY_ARG, FIELD_ARG)},
    {.name = "hvals",
     .proc = hvals_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO access",
     .acl_categories = "@read @hash @slow",
     .group = "hash",
     .since = "2.0.0",
     .summary = "Get all the values in a hash",
     .complexity = ALL_COMPLEXITY,
     .tips = "nondeterministic_output_order",
     .args = COMMAND_ARGS(KEY_ARG)},
    {.name = NULL},
};
