/*
 * cmd_keys: the generic key commands of Redis 7.0 (DEL, EXISTS, TYPE,
 * RENAME, the EXPIRE family and TTLs, KEYS, SCAN, RANDOMKEY) and the
 * database commands (DBSIZE, FLUSHDB, FLUSHALL, SELECT, SWAPDB), with
 * Redis's replies and error strings word for word.
 *
 * Locking: commands naming keys run with those keys' shards locked by the
 * dispatcher (engine/command.c). FLUSHDB locks the whole db and FLUSHALL
 * and SWAPDB every db (CMD_LOCK_DB / CMD_LOCK_ALL), so each is atomic.
 * KEYS, SCAN and RANDOMKEY look at the whole db but are CMD_NO_LOCK: they
 * lock one shard at a time themselves and never hold two, so they cannot
 * deadlock with the dispatcher's ascending order and never stall the db.
 * Like Redis, KEYS is therefore not a point-in-time view across shards.
 *
 * Expiry: ctx->now_ms is the command's time; a key whose expire time is
 * < now is absent (it lives through its expire millisecond, as in Redis). Expire times are absolute
 * unix milliseconds.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/glob.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/propagate.h"
#include "engine/reply.h"
#include "engine/scan.h"
#include "engine/server.h"
#include "engine/util.h"
#include "engine/watch.h"

/* The EXPIRE options of Redis 7.0. */
enum expire_option {
    EXPIRE_NX = 1 << 0,
    EXPIRE_XX = 1 << 1,
    EXPIRE_GT = 1 << 2,
    EXPIRE_LT = 1 << 3,
};

/* SCAN's default COUNT, and how many bucket steps per requested key it may
 * spend on a sparse table before answering with fewer keys (as Redis). */
#define SCAN_DEFAULT_COUNT 10
#define SCAN_STEPS_PER_KEY 10

/* RANDOMKEY gives up after this many draws that hit an expired key or a
 * shard emptied meanwhile, so it can never spin; every such draw deletes
 * the expired key it found, so a retry is unlikely to hit it again. */
#define RANDOMKEY_TRIES 1024

/* True when e is logically gone at now_ms but still in its table (the
 * walks below see entries without going through ks_find). */
static int entry_is_expired(struct db *db, const struct entry *e, int64_t now_ms)
{
    return e->vslot != KS_NO_EXPIRE && ks_get_expire(db, e) < now_ms;
}

/* Parses a database number as Redis's getIntFromObjectOrReply: msg (or the
 * generic messages when NULL) for a non-integer or one outside int. */
static int db_index_parse(struct cmdctx *ctx, const struct resp_arg *a, int *id, const char *msg)
{
    long long v;
    if (!util_str_to_ll(a->ptr, a->len, &v)) {
        reply_error(ctx->out, msg ? msg : ERR_NOT_INTEGER);
        return -1;
    }
    if (v < INT_MIN || v > INT_MAX) {
        if (msg)
            reply_error(ctx->out, msg);
        else
            reply_errorf(ctx->out, "ERR value is out of range, value must between %d and %d",
                         INT_MIN, INT_MAX);
        return -1;
    }
    *id = (int)v;
    return 0;
}

/*
 * Key lists: KEYS and SCAN copy the names they return out of each shard
 * while holding its lock, and reply once every shard is done (the reply's
 * array length must come first). Names are packed one after the other as
 * a 4-byte length and the bytes, in one growing buffer.
 */
struct key_list {
    char *data;
    size_t used, cap;
    long long count;
};

static void key_list_add(struct key_list *l, const char *key, uint32_t len)
{
    size_t need = l->used + sizeof(len) + len;
    if (need > l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        while (cap < need) cap *= 2;
        l->data = mem_realloc(l->data, cap);
        l->cap = cap;
    }
    memcpy(l->data + l->used, &len, sizeof(len));
    memcpy(l->data + l->used + sizeof(len), key, len);
    l->used = need;
    l->count++;
}

/* Steps through the list: returns 0 at the end, else sets key/len and
 * advances *pos (start at 0). */
static int key_list_next(const struct key_list *l, size_t *pos, const char **key, uint32_t *len)
{
    if (*pos >= l->used) return 0;
    memcpy(len, l->data + *pos, sizeof(*len));
    *key = l->data + *pos + sizeof(*len);
    *pos += sizeof(*len) + *len;
    return 1;
}

static void key_list_reply(struct outbuf *out, const struct key_list *l)
{
    size_t pos = 0;
    const char *key;
    uint32_t len;
    reply_array(out, l->count);
    while (key_list_next(l, &pos, &key, &len)) reply_bulk(out, key, len);
}

static void key_list_clear(struct key_list *l)
{
    l->used = 0;
    l->count = 0;
}

static void key_list_free(struct key_list *l)
{
    mem_free(l->data);
    l->data = NULL;
    l->used = l->cap = 0;
    l->count = 0;
}

/* Whether a shard holds any key, read from its published count without
 * its lock: the whole-db walks skip empty shards without touching their
 * locks. A key added just after is one the walk was not promised. */
static int shard_is_empty(const struct db *db, unsigned shard)
{
    return atomic_load_explicit(&db->shards[shard].nkeys_pub, memory_order_relaxed) == 0;
}

/* DEL key [key ...] and UNLINK: an expired key is not counted. There is no
 * background freeing thread, so UNLINK frees at once like DEL. */
static void del_command(struct cmdctx *ctx)
{
    long long deleted = 0;
    for (int j = 1; j < ctx->argc; j++) {
        const struct resp_arg *key = &ctx->argv[j];
        if (cmd_lookup_write(ctx, key) && ks_delete(ctx->db, key->ptr, key->len)) deleted++;
    }
    cmd_dirty(ctx, (unsigned long long)deleted);
    reply_int(ctx->out, deleted);
}

/* EXISTS key [key ...]: a key named twice counts twice. */
static void exists_command(struct cmdctx *ctx)
{
    long long count = 0;
    for (int j = 1; j < ctx->argc; j++)
        if (cmd_lookup_read(ctx, &ctx->argv[j])) count++;
    reply_int(ctx->out, count);
}

/* TYPE key */
static void type_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    reply_status(ctx->out, e ? value_type_name(e->type) : "none");
}

static void object_encoding_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_notouch(ctx, &ctx->argv[2]);
    if (e)
        reply_bulk_cstr(ctx->out, value_encoding_name(e));
    else
        reply_null(ctx->out);
}

static void object_refcount_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_notouch(ctx, &ctx->argv[2]);
    if (e)
        reply_int(ctx->out, value_refcount(e));
    else
        reply_null(ctx->out);
}

/* Seconds since the last access, on the keyspace's seconds clock (which
 * wraps as Redis's 24-bit LRU clock does not need to: 32 bits of seconds). */
static void object_idletime_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_notouch(ctx, &ctx->argv[2]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    uint32_t now = ks_lru_clock();
    reply_int(ctx->out, now >= e->lru ? (long long)(now - e->lru) : 0);
}

/* tandem has no LFU eviction policy (maxmemory-policy is noeviction), so
 * this answers as Redis does under any LRU or no-eviction policy. */
static void object_freq_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_notouch(ctx, &ctx->argv[2]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    reply_error(ctx->out, "ERR An LFU maxmemory policy is not selected, access frequency not "
                          "tracked. Please note that when switching between policies at runtime "
                          "LRU and LFU data will take some time to adjust.");
}

static void object_help_command(struct cmdctx *ctx)
{
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(ctx, lines);
}

#define OBJECT_SUBCOMMAND(sub, fn, since_, summary_)                                               \
    {                                                                                              \
        .name = sub, .tips = "nondeterministic_output", .proc = fn, .arity = 3,                    \
        .flags = CMD_READONLY, .first_key = 2, .last_key = 2, .key_step = 1, .key_flags = "RO",    \
        .acl_categories = "@keyspace @read @slow", .group = "generic", .since = since_,            \
        .summary = summary_, .complexity = "O(1)",                                                 \
        .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})                                     \
    }

static const struct command object_subcommands[] = {
    OBJECT_SUBCOMMAND("encoding", object_encoding_command, "2.2.3",
                      "Inspect the internal encoding of a Redis object"),
    OBJECT_SUBCOMMAND("freq", object_freq_command, "4.0.0",
                      "Get the logarithmic access frequency counter of a Redis object"),
    {.name = "help",
     .proc = object_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@keyspace @slow",
     .group = "generic",
     .since = "6.2.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    OBJECT_SUBCOMMAND("idletime", object_idletime_command, "2.2.3",
                      "Get the time since a Redis object was last accessed"),
    OBJECT_SUBCOMMAND("refcount", object_refcount_command, "2.2.3",
                      "Get the number of references to the value of the key"),
    {.name = NULL},
};

/* RENAME and RENAMENX. The value and its TTL move to the new name; an
 * existing destination (RENAME) is deleted first, its TTL with it. Renaming
 * a key to itself changes nothing but still needs the key to exist. */
static void rename_generic(struct cmdctx *ctx, int nx)
{
    const struct resp_arg *src = &ctx->argv[1], *dst = &ctx->argv[2];
    int same = src->len == dst->len && memcmp(src->ptr, dst->ptr, src->len) == 0;

    struct entry *e = cmd_lookup_write(ctx, src);
    if (!e) {
        reply_error(ctx->out, ERR_NO_SUCH_KEY);
        return;
    }
    if (same) {
        if (nx)
            reply_int(ctx->out, 0);
        else
            reply_ok(ctx->out);
        return;
    }
    if (cmd_lookup_write(ctx, dst)) {
        if (nx) {
            reply_int(ctx->out, 0);
            return;
        }
        ks_delete(ctx->db, dst->ptr, dst->len);
    }
    /* ks_unlink drops the expire, so read it first. */
    int64_t expire = ks_get_expire(ctx->db, e);
    struct entry *moved = ks_unlink(ctx->db, src->ptr, src->len);
    moved = ks_relink(ctx->db, moved, dst->ptr, dst->len);
    if (expire != -1) ks_set_expire(ctx->db, moved, expire);
    cmd_dirty(ctx, 1);
    if (nx)
        reply_int(ctx->out, 1);
    else
        reply_ok(ctx->out);
}

/* RENAME key newkey */
static void rename_command(struct cmdctx *ctx)
{
    rename_generic(ctx, 0);
}

/* RENAMENX key newkey */
static void renamenx_command(struct cmdctx *ctx)
{
    rename_generic(ctx, 1);
}

/* Parses EXPIRE's trailing NX / XX / GT / LT options (Redis's
 * parseExtendedExpireArgumentsOrReply): unknown words first, then the
 * incompatible combinations. */
static int expire_parse_options(struct cmdctx *ctx, int *options)
{
    for (int j = 3; j < ctx->argc; j++) {
        const struct resp_arg *opt = &ctx->argv[j];
        if (arg_eq(opt, "nx")) {
            *options |= EXPIRE_NX;
        } else if (arg_eq(opt, "xx")) {
            *options |= EXPIRE_XX;
        } else if (arg_eq(opt, "gt")) {
            *options |= EXPIRE_GT;
        } else if (arg_eq(opt, "lt")) {
            *options |= EXPIRE_LT;
        } else {
            /* Redis prints the option as a C string: up to a NUL byte. */
            reply_errorf(ctx->out, "ERR Unsupported option %.*s", (int)strnlen(opt->ptr, opt->len),
                         opt->ptr);
            return -1;
        }
    }
    if ((*options & EXPIRE_NX) && (*options & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(ctx->out,
                    "ERR NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*options & EXPIRE_GT) && (*options & EXPIRE_LT)) {
        reply_error(ctx->out, "ERR GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* Whether the NX / XX / GT / LT conditions allow replacing the expire time
 * current (-1: none, which counts as infinite) with when. */
static int expire_options_allow(int options, int64_t current, int64_t when)
{
    if ((options & EXPIRE_NX) && current != -1) return 0;
    if ((options & EXPIRE_XX) && current == -1) return 0;
    if ((options & EXPIRE_GT) && (current == -1 || when <= current)) return 0;
    if ((options & EXPIRE_LT) && current != -1 && when >= current) return 0;
    return 1;
}

/* What an EXPIRE that set a time propagates (Redis's
 * expireGenericCommand): PEXPIREAT key <ms> with the options as sent; a
 * PEXPIREAT goes exactly as sent. */
static void expire_propagate(struct cmdctx *ctx, int64_t basetime, int seconds, long long when)
{
    if (!propagate_on() || (basetime == 0 && !seconds)) return;
    struct resp_arg *argv = mem_alloc((size_t)ctx->argc * sizeof(*argv));
    char ms[UTIL_LL_STR_SIZE];
    memcpy(argv, ctx->argv, (size_t)ctx->argc * sizeof(*argv));
    argv[0] = (struct resp_arg){.ptr = "PEXPIREAT", .len = 9};
    argv[2] = (struct resp_arg){.ptr = ms, .len = (size_t)util_ll_to_str(ms, sizeof(ms), when)};
    propagate_rewrite(ctx, ctx->argc, argv);
    mem_free(argv);
}

/* EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis's expireGenericCommand):
 * basetime is now for the relative forms and 0 for the absolute ones. Any
 * number is accepted as long as the conversion to absolute milliseconds
 * does not overflow; a time already past deletes the key, and is
 * propagated as DEL key. */
static void expire_generic(struct cmdctx *ctx, int64_t basetime, int seconds)
{
    const struct resp_arg *key = &ctx->argv[1];
    int options = 0;
    long long when;

    if (expire_parse_options(ctx, &options) != 0) return;
    if (arg_ll(ctx, &ctx->argv[2], &when, NULL) != 0) return;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) goto invalid;
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) goto invalid;
    when += basetime;

    struct entry *e = cmd_lookup_write(ctx, key);
    if (!e || !expire_options_allow(options, ks_get_expire(ctx->db, e), when)) {
        reply_int(ctx->out, 0);
        return;
    }
    if (when <= ctx->now_ms) {
        ks_delete(ctx->db, key->ptr, key->len);
        struct resp_arg argv[2] = {{.ptr = "DEL", .len = 3}, *key};
        propagate_rewrite(ctx, 2, argv);
    } else {
        ks_set_expire(ctx->db, e, when);
        expire_propagate(ctx, basetime, seconds, when);
    }
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, 1);
    return;
invalid:
    reply_errorf(ctx->out, "ERR invalid expire time in '%s' command", ctx->cmd->name);
}

/* EXPIRE key seconds [NX|XX|GT|LT] */
static void expire_command(struct cmdctx *ctx)
{
    expire_generic(ctx, ctx->now_ms, 1);
}

/* PEXPIRE key milliseconds [NX|XX|GT|LT] */
static void pexpire_command(struct cmdctx *ctx)
{
    expire_generic(ctx, ctx->now_ms, 0);
}

/* EXPIREAT key unix-time-seconds [NX|XX|GT|LT] */
static void expireat_command(struct cmdctx *ctx)
{
    expire_generic(ctx, 0, 1);
}

/* PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] */
static void pexpireat_command(struct cmdctx *ctx)
{
    expire_generic(ctx, 0, 0);
}

/* TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 for one
 * without expire; seconds are rounded to the nearest, as Redis does. */
static void ttl_generic(struct cmdctx *ctx, int in_ms, int absolute)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, -2);
        return;
    }
    int64_t expire = ks_get_expire(ctx->db, e);
    if (expire == -1) {
        reply_int(ctx->out, -1);
        return;
    }
    long long ttl = absolute ? expire : expire - ctx->now_ms;
    if (ttl < 0) ttl = 0;
    /* Rounded to the nearest second in unsigned arithmetic: an expire time
     * of INT64_MAX ms must not overflow (Redis replies 9223372036854776). */
    reply_int(ctx->out, in_ms ? ttl : (long long)(((unsigned long long)ttl + 500) / 1000));
}

/* TTL key */
static void ttl_command(struct cmdctx *ctx)
{
    ttl_generic(ctx, 0, 0);
}

/* PTTL key */
static void pttl_command(struct cmdctx *ctx)
{
    ttl_generic(ctx, 1, 0);
}

/* EXPIRETIME key */
static void expiretime_command(struct cmdctx *ctx)
{
    ttl_generic(ctx, 0, 1);
}

/* PEXPIRETIME key */
static void pexpiretime_command(struct cmdctx *ctx)
{
    ttl_generic(ctx, 1, 1);
}

/* PERSIST key */
static void persist_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);
    if (e && ks_persist(ctx->db, e)) {
        cmd_dirty(ctx, 1);
        reply_int(ctx->out, 1);
        return;
    }
    reply_int(ctx->out, 0);
}

/* What KEYS and SCAN filter entries with while walking a shard. */
struct key_filter {
    struct db *db;
    int64_t now_ms;
    const char *pattern; /* NULL: every name matches */
    size_t pattern_len;
    const char *type; /* NULL: every type matches */
    size_t type_len;
    struct key_list matched;
    struct key_list expired; /* SCAN deletes these after the walk step */
};

static int key_filter_type_ok(const struct key_filter *f, const struct entry *e)
{
    if (!f->type) return 1;
    const char *name = value_type_name(e->type);
    return strlen(name) == f->type_len && strncasecmp(name, f->type, f->type_len) == 0;
}

/* Walk callback: keeps the names that pass the pattern and the type; an
 * expired entry is set aside. The table must not change during a walk, so
 * nothing is deleted here. */
static void key_filter_visit(void *arg, struct entry *e)
{
    struct key_filter *f = arg;
    if (f->pattern && !glob_match(f->pattern, f->pattern_len, e->key, e->keylen, 0)) return;
    if (!key_filter_type_ok(f, e)) return;
    if (entry_is_expired(f->db, e, f->now_ms))
        key_list_add(&f->expired, e->key, e->keylen);
    else
        key_list_add(&f->matched, e->key, e->keylen);
}

/* Deletes the expired keys a walk step set aside (the caller still holds
 * the shard's lock). ks_find does it, so they count as expired keys. */
static void key_filter_purge_expired(struct key_filter *f)
{
    size_t pos = 0;
    const char *key;
    uint32_t len;
    while (key_list_next(&f->expired, &pos, &key, &len)) ks_find(f->db, key, len, f->now_ms);
    key_list_clear(&f->expired);
}

/* Sets the pattern, leaving it NULL for "*" (which matches everything). */
static void key_filter_set_pattern(struct key_filter *f, const struct resp_arg *pattern)
{
    if (pattern->len == 1 && pattern->ptr[0] == '*') return;
    f->pattern = pattern->ptr;
    f->pattern_len = pattern->len;
}

/* KEYS pattern: walks the shards one at a time, each under its own lock.
 * Expired keys are skipped (not deleted, as in Redis). */
static void keys_command(struct cmdctx *ctx)
{
    struct key_filter f = {.db = ctx->db, .now_ms = ctx->now_ms};
    key_filter_set_pattern(&f, &ctx->argv[1]);
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        if (shard_is_empty(ctx->db, s)) continue;
        ks_lock(ctx->db, s);
        ks_foreach_shard(ctx->db, s, key_filter_visit, &f);
        ks_unlock(ctx->db, s);
        key_list_clear(&f.expired);
    }
    key_list_reply(ctx->out, &f.matched);
    key_list_free(&f.matched);
    key_list_free(&f.expired);
}

/* SCAN's options (COUNT, MATCH, TYPE), each followed by its value. */
static int scan_parse_key_options(struct cmdctx *ctx, struct key_filter *f, long long *count)
{
    for (int i = 2; i < ctx->argc; i += 2) {
        if (i + 1 >= ctx->argc) goto syntax;
        const struct resp_arg *opt = &ctx->argv[i], *val = &ctx->argv[i + 1];
        if (arg_eq(opt, "count")) {
            if (arg_ll(ctx, val, count, NULL) != 0) return -1;
            if (*count < 1) goto syntax;
        } else if (arg_eq(opt, "match")) {
            f->pattern = NULL;
            key_filter_set_pattern(f, val);
        } else if (arg_eq(opt, "type")) {
            f->type = val->ptr;
            f->type_len = val->len;
        } else {
            goto syntax;
        }
    }
    return 0;
syntax:
    reply_error(ctx->out, ERR_SYNTAX);
    return -1;
}

/*
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
 *
 * The cursor packs a shard number in its low KS_SHARD_BITS bits and that
 * shard's own table cursor above them. A call walks the shard the cursor
 * names, then the following shards, each under its own lock, until it has
 * COUNT keys or has spent COUNT * 10 bucket steps, and hands back where it
 * stopped; 0 when the last shard is done. Each shard's table cursor keeps
 * Redis's guarantee (every key present for the whole iteration is returned
 * at least once) across resizes, and shards are visited in order, so the
 * guarantee holds for the whole db.
 */
static void scan_command(struct cmdctx *ctx)
{
    unsigned long long cursor;
    long long count = SCAN_DEFAULT_COUNT;
    struct key_filter f = {.db = ctx->db, .now_ms = ctx->now_ms};

    if (scan_parse_cursor(ctx, &ctx->argv[1], &cursor) != 0) return;
    if (scan_parse_key_options(ctx, &f, &count) != 0) return;

    unsigned shard = (unsigned)(cursor & (KS_SHARDS - 1));
    uint64_t inner = cursor >> KS_SHARD_BITS;
    long long steps =
        count > LLONG_MAX / SCAN_STEPS_PER_KEY ? LLONG_MAX : count * SCAN_STEPS_PER_KEY;
    while (shard < KS_SHARDS && steps > 0 && f.matched.count < count) {
        if (shard_is_empty(ctx->db, shard)) {
            shard++;
            inner = 0;
            continue;
        }
        ks_lock(ctx->db, shard);
        do {
            inner = ks_scan_shard(ctx->db, shard, inner, key_filter_visit, &f);
            steps--;
        } while (inner != 0 && steps > 0 && f.matched.count < count);
        key_filter_purge_expired(&f);
        ks_unlock(ctx->db, shard);
        if (inner == 0) shard++;
    }

    char next[24];
    unsigned long long next_cursor = shard >= KS_SHARDS ? 0 : inner << KS_SHARD_BITS | shard;
    int len = snprintf(next, sizeof(next), "%llu", next_cursor);
    reply_array(ctx->out, 2);
    reply_bulk(ctx->out, next, (size_t)len);
    key_list_reply(ctx->out, &f.matched);
    key_list_free(&f.matched);
    key_list_free(&f.expired);
}

/* A shard picked with probability proportional to its key count (so every
 * key is about equally likely), or -1 when the db looks empty. */
static int randomkey_pick_shard(const struct db *db)
{
    uint64_t total = ks_db_size(db);
    if (total == 0) return -1;
    uint64_t r = util_rand64() % total;
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        uint64_t n = atomic_load_explicit(&db->shards[s].nkeys_pub, memory_order_relaxed);
        if (r < n) return (int)s;
        r -= n;
    }
    /* Counts moved while we summed them: any non-empty shard will do. */
    for (unsigned s = 0; s < KS_SHARDS; s++)
        if (!shard_is_empty(db, s)) return (int)s;
    return -1;
}

/* RANDOMKEY: draws until it finds a live key; an expired key drawn is
 * deleted on the way, as Redis's dbRandomKey does. */
static void randomkey_command(struct cmdctx *ctx)
{
    for (int tries = 0; tries < RANDOMKEY_TRIES; tries++) {
        int shard = randomkey_pick_shard(ctx->db);
        if (shard < 0) break;
        ks_lock(ctx->db, (unsigned)shard);
        struct entry *e = ks_random_in_shard(ctx->db, (unsigned)shard);
        if (e && ks_expire_if_needed(ctx->db, e, ctx->now_ms)) e = NULL;
        if (e) reply_bulk(ctx->out, e->key, e->keylen);
        ks_unlock(ctx->db, (unsigned)shard);
        if (e) return;
    }
    reply_null(ctx->out);
}

/* DBSIZE: the sum of the shards' published counts, without locks. */
static void dbsize_command(struct cmdctx *ctx)
{
    reply_int(ctx->out, (long long)ks_db_size(ctx->db));
}

/* FLUSHDB / FLUSHALL take nothing, SYNC or ASYNC. Freeing is always
 * synchronous here: there is no background freeing thread. */
static int flush_parse_options(struct cmdctx *ctx)
{
    if (ctx->argc == 1) return 0;
    if (ctx->argc == 2 && (arg_eq(&ctx->argv[1], "sync") || arg_eq(&ctx->argv[1], "async")))
        return 0;
    reply_error(ctx->out, ERR_SYNTAX);
    return -1;
}

/* FLUSHDB [ASYNC|SYNC] (CMD_LOCK_DB: every shard of the db is locked).
 * Propagated even when the db was empty, as Redis does. */
static void flushdb_command(struct cmdctx *ctx)
{
    if (flush_parse_options(ctx) != 0) return;
    cmd_dirty(ctx, ks_flush_db(ctx->db));
    propagate_force(ctx);
    reply_ok(ctx->out);
}

/* FLUSHALL [ASYNC|SYNC] (CMD_LOCK_ALL: every shard of every db). */
static void flushall_command(struct cmdctx *ctx)
{
    if (flush_parse_options(ctx) != 0) return;
    uint64_t removed = 0;
    for (int d = 0; d < keyspace.ndbs; d++) removed += ks_flush_db(ks_db(d));
    cmd_dirty(ctx, removed);
    propagate_force(ctx); /* even when every db was empty */
    reply_ok(ctx->out);
}

/* SELECT index: the client's db number is read by the dispatcher of this
 * worker and, for CLIENT LIST, by other threads, hence the atomic store. */
static void select_command(struct cmdctx *ctx)
{
    int id;
    if (db_index_parse(ctx, &ctx->argv[1], &id, NULL) != 0) return;
    if (id < 0 || id >= keyspace.ndbs) {
        reply_error(ctx->out, ERR_DB_INDEX);
        return;
    }
    __atomic_store_n(&ctx->client->db_id, id, __ATOMIC_RELAXED);
    reply_ok(ctx->out);
}

/* SWAPDB index1 index2 (CMD_LOCK_ALL). Shard i of one db trades contents
 * with shard i of the other: a key's shard does not depend on its db, so
 * every key stays in the right shard. Clients keep their db numbers and so
 * see the other contents, as in Redis. */
static void swapdb_command(struct cmdctx *ctx)
{
    int a, b;
    if (db_index_parse(ctx, &ctx->argv[1], &a, "ERR invalid first DB index") != 0) return;
    if (db_index_parse(ctx, &ctx->argv[2], &b, "ERR invalid second DB index") != 0) return;
    if (a < 0 || a >= keyspace.ndbs || b < 0 || b >= keyspace.ndbs) {
        reply_error(ctx->out, ERR_DB_INDEX);
        return;
    }
    if (a != b) {
        watch_touch_db(ks_db(a), ks_db(b));
        watch_touch_db(ks_db(b), ks_db(a));
        for (unsigned s = 0; s < KS_SHARDS; s++)
            ks_swap_shards(&ks_db(a)->shards[s], &ks_db(b)->shards[s]);
        /* Waiters stay with their db number, whose keys are new to them. */
        blocking_signal_db(ks_db(a));
        blocking_signal_db(ks_db(b));
    }
    cmd_dirty(ctx, 1);
    reply_ok(ctx->out);
}

/* The options EXPIRE and its siblings share, and FLUSHDB's and FLUSHALL's
 * mode, for the tables' argument descriptions. */
static const struct command_arg_doc expire_conditions[] = {
    {.name = "nx", .type = ARG_PURE_TOKEN, .token = "NX"},
    {.name = "xx", .type = ARG_PURE_TOKEN, .token = "XX"},
    {.name = "gt", .type = ARG_PURE_TOKEN, .token = "GT"},
    {.name = "lt", .type = ARG_PURE_TOKEN, .token = "LT"},
    {.name = NULL},
};

static const struct command_arg_doc flush_modes[] = {
    {.name = "async", .type = ARG_PURE_TOKEN, .token = "ASYNC", .since = "4.0.0"},
    {.name = "sync", .type = ARG_PURE_TOKEN, .token = "SYNC", .since = "6.2.0"},
    {.name = NULL},
};

/* The table: arity, flags, key positions and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary and complexity as its command docs.
 * CMD_NO_LOCK / CMD_LOCK_DB / CMD_LOCK_ALL tell the dispatcher how to lock. */
const struct command key_commands[] = {
    {.name = "del",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .proc = del_command,
     .arity = -2,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RM delete",
     .acl_categories = "@keyspace @write @slow",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Delete a key",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to "
                   "remove holds a value other than a string, the individual complexity for "
                   "this key is O(M) where M is the number of elements in the list, set, sorted "
                   "set or hash. Removing a single key that holds a string value is O(1).",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE})},
    {.name = "unlink",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .proc = del_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RM delete",
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "4.0.0",
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, "
                "but non blocking.",
     .complexity = "O(1) for each key removed regardless of its size. Then the command does "
                   "O(N) work in a different thread in order to reclaim memory, where N is the "
                   "number of allocations the deleted objects where composed of.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE})},
    {.name = "exists",
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .proc = exists_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Determine if a key exists",
     .complexity = "O(N) where N is the number of keys to check.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE})},
    {.name = "type",
     .proc = type_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Determine the type stored at key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "object",
     .proc = NULL,
     .arity = -2,
     .flags = 0,
     .acl_categories = "@slow",
     .group = "generic",
     .since = "2.2.3",
     .summary = "A container for object introspection commands",
     .complexity = "Depends on subcommand.",
     .subcommands = object_subcommands},
    {.name = "rename",
     .proc = rename_command,
     .arity = 3,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|OW update",
     .acl_categories = "@keyspace @write @slow",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Rename a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "newkey", .type = ARG_KEY, .key_spec_index = 1})},
    {.name = "renamenx",
     .proc = renamenx_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .key_flags = "RW access delete|OW insert",
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Rename a key, only if the new key does not exist",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "newkey", .type = ARG_KEY, .key_spec_index = 1})},
    {.name = "expire",
     .proc = expire_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Set a key's time to live in seconds",
     .complexity = "O(1)",
     .args =
         COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "seconds", .type = ARG_INTEGER},
                      {.name = "condition",
                       .type = ARG_ONEOF,
                       .since = "7.0.0",
                       .flags = ARG_OPTIONAL,
                       .args = expire_conditions})},
    {.name = "pexpire",
     .proc = pexpire_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "2.6.0",
     .summary = "Set a key's time to live in milliseconds",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "milliseconds", .type = ARG_INTEGER},
                          {.name = "condition",
                           .type = ARG_ONEOF,
                           .since = "7.0.0",
                           .flags = ARG_OPTIONAL,
                           .args = expire_conditions})},
    {.name = "expireat",
     .proc = expireat_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "1.2.0",
     .summary = "Set the expiration for a key as a UNIX timestamp",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "unix-time-seconds", .type = ARG_UNIX_TIME},
                          {.name = "condition",
                           .type = ARG_ONEOF,
                           .since = "7.0.0",
                           .flags = ARG_OPTIONAL,
                           .args = expire_conditions})},
    {.name = "pexpireat",
     .proc = pexpireat_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "2.6.0",
     .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "unix-time-milliseconds", .type = ARG_UNIX_TIME},
                          {.name = "condition",
                           .type = ARG_ONEOF,
                           .since = "7.0.0",
                           .flags = ARG_OPTIONAL,
                           .args = expire_conditions})},
    {.name = "ttl",
     .tips = "nondeterministic_output",
     .proc = ttl_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Get the time to live for a key in seconds",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "pttl",
     .tips = "nondeterministic_output",
     .proc = pttl_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "2.6.0",
     .summary = "Get the time to live for a key in milliseconds",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "expiretime",
     .proc = expiretime_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "7.0.0",
     .summary = "Get the expiration Unix timestamp for a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "pexpiretime",
     .proc = pexpiretime_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @read @fast",
     .group = "generic",
     .since = "7.0.0",
     .summary = "Get the expiration Unix timestamp for a key in milliseconds",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "persist",
     .proc = persist_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@keyspace @write @fast",
     .group = "generic",
     .since = "2.2.0",
     .summary = "Remove the expiration from a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "keys",
     .tips = "request_policy:all_shards nondeterministic_output_order",
     .proc = keys_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_NO_LOCK,
     .acl_categories = "@keyspace @read @slow @dangerous",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Find all keys matching the given pattern",
     .complexity = "O(N) with N being the number of keys in the database, under the assumption "
                   "that the key names in the database and the given pattern have limited "
                   "length.",
     .args = COMMAND_ARGS({.name = "pattern", .type = ARG_PATTERN})},
    {.name = "scan",
     .tips = "nondeterministic_output request_policy:special",
     .proc = scan_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_NO_LOCK,
     .acl_categories = "@keyspace @read @slow",
     .group = "generic",
     .since = "2.8.0",
     .summary = "Incrementally iterate the keys space",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                   "command calls for the cursor to return back to 0. N is the number of "
                   "elements inside the collection.",
     .args = COMMAND_ARGS(
         {.name = "cursor", .type = ARG_INTEGER},
         {.name = "pattern", .type = ARG_PATTERN, .token = "MATCH", .flags = ARG_OPTIONAL},
         {.name = "count", .type = ARG_INTEGER, .token = "COUNT", .flags = ARG_OPTIONAL},
         {.name = "type",
          .type = ARG_STRING,
          .token = "TYPE",
          .since = "6.0.0",
          .flags = ARG_OPTIONAL})},
    {.name = "randomkey",
     .tips = "request_policy:all_shards nondeterministic_output",
     .proc = randomkey_command,
     .arity = 1,
     .flags = CMD_READONLY | CMD_NO_LOCK,
     .acl_categories = "@keyspace @read @slow",
     .group = "generic",
     .since = "1.0.0",
     .summary = "Return a random key from the keyspace",
     .complexity = "O(1)"},
    {.name = "dbsize",
     .tips = "request_policy:all_shards response_policy:agg_sum",
     .proc = dbsize_command,
     .arity = 1,
     .flags = CMD_READONLY | CMD_FAST | CMD_NO_LOCK,
     .acl_categories = "@keyspace @read @fast",
     .group = "server",
     .since = "1.0.0",
     .summary = "Return the number of keys in the selected database",
     .complexity = "O(1)"},
    {.name = "flushdb",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .proc = flushdb_command,
     .arity = -1,
     .flags = CMD_WRITE | CMD_LOCK_DB,
     .acl_categories = "@keyspace @write @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Remove all keys from the current database",
     .complexity = "O(N) where N is the number of keys in the selected database",
     .args = COMMAND_ARGS(
         {.name = "async", .type = ARG_ONEOF, .flags = ARG_OPTIONAL, .args = flush_modes})},
    {.name = "flushall",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .proc = flushall_command,
     .arity = -1,
     .flags = CMD_WRITE | CMD_LOCK_ALL,
     .acl_categories = "@keyspace @write @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Remove all keys from all databases",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .args = COMMAND_ARGS(
         {.name = "async", .type = ARG_ONEOF, .flags = ARG_OPTIONAL, .args = flush_modes})},
    {.name = "select",
     .proc = select_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_LOCK,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "1.0.0",
     .summary = "Change the selected database for the current connection",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "index", .type = ARG_INTEGER})},
    {.name = "swapdb",
     .proc = swapdb_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST | CMD_LOCK_ALL,
     .acl_categories = "@keyspace @write @fast @dangerous",
     .group = "server",
     .since = "4.0.0",
     .summary = "Swaps two Redis databases",
     .complexity = "O(N) where N is the count of clients watching or blocking on keys from "
                   "both databases.",
     .args = COMMAND_ARGS({.name = "index1", .type = ARG_INTEGER},
                          {.name = "index2", .type = ARG_INTEGER})},
    {.name = NULL},
};
