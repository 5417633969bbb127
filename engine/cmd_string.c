/*
 * cmd_string: the string commands of Redis 7.0 (GET, SET and its variants,
 * MGET/MSET, the counters, APPEND and the range commands), with Redis's
 * replies and error strings word for word.
 *
 * Every command here runs on the worker that owns the client, with the
 * shards of all its keys already locked by the dispatcher (engine/command.c),
 * so a command sees and changes its keys atomically. Expiry decisions use
 * ctx->now_ms, the command's single clock reading; expire times are stored
 * as absolute unix milliseconds.
 *
 * How Redis treats the TTL, kept here: SET, SETEX, GETSET and MSET replace
 * the value and drop the TTL (unless SET ... KEEPTTL); INCR and friends,
 * INCRBYFLOAT, APPEND and SETRANGE change the value and keep it.
 *
 * What replicas get, as Redis 7.0 propagates it: a SET with an expire
 * becomes SET key value PXAT <ms> (so do SETEX and PSETEX), a SET ... GET
 * loses its GETs, GETSET becomes SET, GETDEL DEL, GETEX PEXPIREAT, PERSIST
 * or DEL, and INCRBYFLOAT SET key <result> KEEPTTL; the rest go as sent.
 */
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/propagate.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/sstr.h"
#include "engine/util.h"

/* Options of SET and GETEX, as Redis's OBJ_* flags. */
enum string_option {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_EX = 1 << 2,
    OPT_PX = 1 << 3,
    OPT_KEEPTTL = 1 << 4,
    OPT_GET = 1 << 5,
    OPT_EXAT = 1 << 6,
    OPT_PXAT = 1 << 7,
    OPT_PERSIST = 1 << 8,
};
#define OPT_ANY_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

/* Which command is parsing options: SET takes NX XX GET KEEPTTL, GETEX
 * takes PERSIST; both take the four expire forms. */
enum option_owner { OPTIONS_OF_SET, OPTIONS_OF_GETEX };

/* How a SET variant answers: SET and SETEX with +OK / nil, SETNX with 1 / 0. */
enum set_reply { SET_REPLY_OK, SET_REPLY_INT };

static void reply_string_value(struct outbuf *out, const struct entry *e)
{
    char buf[STRING_INT_BUF];
    size_t len;
    const char *p = string_bytes(e, buf, &len);
    reply_bulk(out, p, len);
}

/* Redis's checkStringLength: a string may not grow past proto-max-bulk-len
 * (nor overflow while computing its new size). */
static int string_check_length(struct cmdctx *ctx, long long size, long long append)
{
    long long total = (long long)((unsigned long long)size + (unsigned long long)append);
    if (total > CONFIG_READ(proto_max_bulk_len) || total < size || total < append) {
        reply_error(ctx->out, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return -1;
    }
    return 0;
}

/* Stores p[0..len) as key's value the way Redis's setKey does: a new key is
 * added; an existing key of any type has its value replaced in place, and
 * loses its TTL unless keep_ttl. Returns the entry. */
static struct entry *string_store(struct cmdctx *ctx, const struct resp_arg *key, struct entry *e,
                                  const char *p, size_t len, int keep_ttl)
{
    if (!e) {
        e = ks_add_sized(ctx->db, key->ptr, key->len, TYPE_STRING,
                         len <= STRING_INLINE_MAX ? len : 0);
        string_set(e, p, len);
        return e;
    }
    value_free(e);
    string_set(e, p, len);
    if (!keep_ttl) ks_persist(ctx->db, e);
    ks_touch(ctx->db, e);
    return e;
}

/* The value of a string entry as an integer, as Redis's
 * getLongLongFromObject: only the canonical decimal form counts. */
static int string_to_ll(const struct entry *e, long long *out)
{
    if (e->encoding == ENC_INT) {
        *out = e->v.i;
        return 0;
    }
    char buf[STRING_INT_BUF];
    size_t len;
    const char *p = string_bytes(e, buf, &len);
    return util_str_to_ll(p, len, out) ? 0 : -1;
}

/* An expire argument of SET, SETEX, PSETEX or GETEX as an absolute unix
 * time in milliseconds (Redis's getExpireMillisecondsOrReply). The number
 * must be positive, and neither the unit conversion nor adding the current
 * time may overflow. */
static int expire_parse_or_reply(struct cmdctx *ctx, const struct resp_arg *arg, int options,
                                 int64_t *when_ms)
{
    long long v;
    int seconds = (options & (OPT_EX | OPT_EXAT)) != 0;
    int relative = (options & (OPT_EX | OPT_PX)) != 0;

    if (arg_ll(ctx, arg, &v, NULL) != 0) return -1;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) goto invalid;
    if (seconds) v *= 1000;
    if (relative) {
        if (v > LLONG_MAX - ctx->now_ms) goto invalid;
        v += ctx->now_ms;
    }
    *when_ms = v;
    return 0;
invalid:
    reply_errorf(ctx->out, "ERR invalid expire time in '%s' command", ctx->cmd->name);
    return -1;
}

/* Which expire option an argument names (OPT_EX ... OPT_PXAT), or 0. */
static int expire_option_of(const struct resp_arg *a)
{
    if (arg_eq(a, "ex")) return OPT_EX;
    if (arg_eq(a, "px")) return OPT_PX;
    if (arg_eq(a, "exat")) return OPT_EXAT;
    if (arg_eq(a, "pxat")) return OPT_PXAT;
    return 0;
}

/* Parses the options of SET (from argv[3]) or GETEX (from argv[2]) with
 * Redis's parseExtendedStringArgumentsOrReply rules: an option that
 * conflicts with one already given is a syntax error, while repeating the
 * same option is accepted (the last expire value wins). */
static int string_parse_options(struct cmdctx *ctx, enum option_owner owner, int *options,
                                const struct resp_arg **expire)
{
    int is_set = owner == OPTIONS_OF_SET;
    for (int j = is_set ? 3 : 2; j < ctx->argc; j++) {
        const struct resp_arg *opt = &ctx->argv[j];
        int have = *options, which = expire_option_of(opt);
        if (is_set && arg_eq(opt, "nx") && !(have & OPT_XX)) {
            *options |= OPT_NX;
        } else if (is_set && arg_eq(opt, "xx") && !(have & OPT_NX)) {
            *options |= OPT_XX;
        } else if (is_set && arg_eq(opt, "get")) {
            *options |= OPT_GET;
        } else if (is_set && arg_eq(opt, "keepttl") && !(have & (OPT_PERSIST | OPT_ANY_EXPIRE))) {
            *options |= OPT_KEEPTTL;
        } else if (!is_set && arg_eq(opt, "persist") && !(have & (OPT_KEEPTTL | OPT_ANY_EXPIRE))) {
            *options |= OPT_PERSIST;
        } else if (which && !(have & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~which))) &&
                   j + 1 < ctx->argc) {
            *options |= which;
            *expire = &ctx->argv[++j];
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* The argument of a propagated command that is a number. */
static struct resp_arg string_ll_arg(char *buf, long long v)
{
    return (struct resp_arg){.ptr = buf, .len = (size_t)util_ll_to_str(buf, UTIL_LL_STR_SIZE, v)};
}

/* What a SET that wrote propagates: with an expire, SET key value PXAT
 * <when> (whatever the unit and the other flags were, as Redis's
 * setGenericCommand); with GET and no expire, the command without its GET
 * words (GET may be repeated), so that the replica does not reply. */
static void string_set_propagate(struct cmdctx *ctx, int options, const struct resp_arg *key,
                                 const struct resp_arg *val, const struct resp_arg *expire,
                                 int64_t when)
{
    if (!propagate_on()) return;
    if (expire) {
        char ms[UTIL_LL_STR_SIZE];
        struct resp_arg argv[5] = {{.ptr = "SET", .len = 3},
                                   *key,
                                   *val,
                                   {.ptr = "PXAT", .len = 4},
                                   string_ll_arg(ms, when)};
        propagate_rewrite(ctx, 5, argv);
    } else if (options & OPT_GET) {
        struct resp_arg *argv = mem_alloc((size_t)ctx->argc * sizeof(*argv));
        int argc = 0;
        for (int j = 0; j < ctx->argc; j++)
            if (j < 3 || !arg_eq(&ctx->argv[j], "get")) argv[argc++] = ctx->argv[j];
        propagate_rewrite(ctx, argc, argv);
        mem_free(argv);
    }
}

/* The common part of SET, SETNX, SETEX and PSETEX (Redis's
 * setGenericCommand). The expire is validated before anything else; with
 * GET the old value is replied first, and a non-string old value stops the
 * command with WRONGTYPE before anything is written. */
static void string_set_generic(struct cmdctx *ctx, int options, const struct resp_arg *key,
                               const struct resp_arg *val, const struct resp_arg *expire,
                               enum set_reply style)
{
    int64_t when = 0;
    struct entry *e;

    if (expire && expire_parse_or_reply(ctx, expire, options, &when) != 0) return;
    if (options & OPT_GET) {
        e = cmd_lookup_read(ctx, key);
        if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
        if (e)
            reply_string_value(ctx->out, e);
        else
            reply_null(ctx->out);
    } else {
        e = cmd_lookup_write(ctx, key);
    }

    if (((options & OPT_NX) && e) || ((options & OPT_XX) && !e)) {
        if (options & OPT_GET) return;
        if (style == SET_REPLY_INT)
            reply_int(ctx->out, 0);
        else
            reply_null(ctx->out);
        return;
    }

    /* With a new expire the old TTL is replaced below, not dropped first. */
    e = string_store(ctx, key, e, val->ptr, val->len, (options & OPT_KEEPTTL) || expire);
    if (expire) ks_set_expire(ctx->db, e, when);
    cmd_dirty(ctx, 1);
    string_set_propagate(ctx, options, key, val, expire, when);
    if (options & OPT_GET) return;
    if (style == SET_REPLY_INT)
        reply_int(ctx->out, 1);
    else
        reply_ok(ctx->out);
}

/* GET key */
static void get_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    reply_string_value(ctx->out, e);
}

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL] */
static void set_command(struct cmdctx *ctx)
{
    int options = 0;
    const struct resp_arg *expire = NULL;
    if (string_parse_options(ctx, OPTIONS_OF_SET, &options, &expire) != 0) return;
    string_set_generic(ctx, options, &ctx->argv[1], &ctx->argv[2], expire, SET_REPLY_OK);
}

/* SETNX key value */
static void setnx_command(struct cmdctx *ctx)
{
    string_set_generic(ctx, OPT_NX, &ctx->argv[1], &ctx->argv[2], NULL, SET_REPLY_INT);
}

/* SETEX key seconds value */
static void setex_command(struct cmdctx *ctx)
{
    string_set_generic(ctx, OPT_EX, &ctx->argv[1], &ctx->argv[3], &ctx->argv[2], SET_REPLY_OK);
}

/* PSETEX key milliseconds value */
static void psetex_command(struct cmdctx *ctx)
{
    string_set_generic(ctx, OPT_PX, &ctx->argv[1], &ctx->argv[3], &ctx->argv[2], SET_REPLY_OK);
}

/* GETSET key value: a GET then a plain SET (the TTL is dropped),
 * propagated as SET key value. */
static void getset_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    if (e)
        reply_string_value(ctx->out, e);
    else
        reply_null(ctx->out);
    string_store(ctx, &ctx->argv[1], e, ctx->argv[2].ptr, ctx->argv[2].len, 0);
    cmd_dirty(ctx, 1);
    struct resp_arg argv[3] = {{.ptr = "SET", .len = 3}, ctx->argv[1], ctx->argv[2]};
    propagate_rewrite(ctx, 3, argv);
}

/* GETDEL key, propagated as DEL key. */
static void getdel_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    reply_string_value(ctx->out, e);
    ks_delete(ctx->db, ctx->argv[1].ptr, ctx->argv[1].len);
    cmd_dirty(ctx, 1);
    struct resp_arg argv[2] = {{.ptr = "DEL", .len = 3}, ctx->argv[1]};
    propagate_rewrite(ctx, 2, argv);
}

/* GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]. As in Redis the
 * expire value is checked only once the key is known to be a string, and
 * an absolute time already past deletes the key after replying. Never
 * propagated as sent: as DEL key, PEXPIREAT key <ms> or PERSIST key. */
static void getex_command(struct cmdctx *ctx)
{
    int options = 0;
    const struct resp_arg *expire = NULL;
    int64_t when = 0;

    if (string_parse_options(ctx, OPTIONS_OF_GETEX, &options, &expire) != 0) return;
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_null(ctx->out);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    if (expire && expire_parse_or_reply(ctx, expire, options, &when) != 0) return;
    reply_string_value(ctx->out, e);

    char ms[UTIL_LL_STR_SIZE];
    struct resp_arg argv[3] = {{.ptr = "DEL", .len = 3}, ctx->argv[1]};
    if ((options & (OPT_EXAT | OPT_PXAT)) && when <= ctx->now_ms) {
        ks_delete(ctx->db, ctx->argv[1].ptr, ctx->argv[1].len);
        cmd_dirty(ctx, 1);
        propagate_rewrite(ctx, 2, argv);
    } else if (expire) {
        ks_set_expire(ctx->db, e, when);
        cmd_dirty(ctx, 1);
        argv[0] = (struct resp_arg){.ptr = "PEXPIREAT", .len = 9};
        argv[2] = string_ll_arg(ms, when);
        propagate_rewrite(ctx, 3, argv);
    } else if ((options & OPT_PERSIST) && ks_persist(ctx->db, e)) {
        cmd_dirty(ctx, 1);
        argv[0] = (struct resp_arg){.ptr = "PERSIST", .len = 7};
        propagate_rewrite(ctx, 2, argv);
    }
}

/* MGET key [key ...]: a missing key or one of another type reads as nil. */
static void mget_command(struct cmdctx *ctx)
{
    reply_array(ctx->out, ctx->argc - 1);
    for (int j = 1; j < ctx->argc; j++) {
        struct entry *e = cmd_lookup_read(ctx, &ctx->argv[j]);
        if (e && e->type == TYPE_STRING)
            reply_string_value(ctx->out, e);
        else
            reply_null(ctx->out);
    }
}

/* MSET and MSETNX. With nx nothing is written if any key exists. Repeated
 * keys are set in order, so the last value wins. */
static void mset_generic(struct cmdctx *ctx, int nx)
{
    if (ctx->argc % 2 == 0) {
        reply_wrong_arity(ctx);
        return;
    }
    if (nx) {
        for (int j = 1; j < ctx->argc; j += 2) {
            if (cmd_lookup_write(ctx, &ctx->argv[j])) {
                reply_int(ctx->out, 0);
                return;
            }
        }
    }
    for (int j = 1; j < ctx->argc; j += 2) {
        struct entry *e = cmd_lookup_write(ctx, &ctx->argv[j]);
        string_store(ctx, &ctx->argv[j], e, ctx->argv[j + 1].ptr, ctx->argv[j + 1].len, 0);
    }
    cmd_dirty(ctx, (unsigned long long)(ctx->argc - 1) / 2);
    if (nx)
        reply_int(ctx->out, 1);
    else
        reply_ok(ctx->out);
}

/* MSET key value [key value ...] */
static void mset_command(struct cmdctx *ctx)
{
    mset_generic(ctx, 0);
}

/* MSETNX key value [key value ...] */
static void msetnx_command(struct cmdctx *ctx)
{
    mset_generic(ctx, 1);
}

/* INCR, DECR, INCRBY and DECRBY: a missing key counts as 0; the result is
 * stored integer-encoded and the TTL is kept. */
static void string_incr_by(struct cmdctx *ctx, long long incr)
{
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);
    long long value = 0;

    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    if (e && string_to_ll(e, &value) != 0) {
        reply_error(ctx->out, ERR_NOT_INTEGER);
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(ctx->out, ERR_OVERFLOW);
        return;
    }
    value += incr;
    if (e) {
        value_free(e);
        string_set_int(e, value);
        ks_touch(ctx->db, e);
    } else {
        e = ks_add(ctx->db, ctx->argv[1].ptr, ctx->argv[1].len, TYPE_STRING);
        string_set_int(e, value);
    }
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, value);
}

/* INCR key */
static void incr_command(struct cmdctx *ctx)
{
    string_incr_by(ctx, 1);
}

/* DECR key */
static void decr_command(struct cmdctx *ctx)
{
    string_incr_by(ctx, -1);
}

/* INCRBY key increment: the increment is checked before the key. */
static void incrby_command(struct cmdctx *ctx)
{
    long long incr;
    if (arg_ll(ctx, &ctx->argv[2], &incr, NULL) != 0) return;
    string_incr_by(ctx, incr);
}

/* DECRBY key decrement: LLONG_MIN cannot be negated, and Redis says so
 * with a message of its own. */
static void decrby_command(struct cmdctx *ctx)
{
    long long decr;
    if (arg_ll(ctx, &ctx->argv[2], &decr, NULL) != 0) return;
    if (decr == LLONG_MIN) {
        reply_error(ctx->out, "ERR decrement would overflow");
        return;
    }
    string_incr_by(ctx, -decr);
}

/* The value of a string entry as a long double (Redis's
 * getLongDoubleFromObject). */
static int string_to_ld(const struct entry *e, long double *out)
{
    if (e->encoding == ENC_INT) {
        *out = (long double)e->v.i;
        return 0;
    }
    char buf[STRING_INT_BUF];
    size_t len;
    const char *p = string_bytes(e, buf, &len);
    return util_str_to_ld(p, len, out) ? 0 : -1;
}

/* INCRBYFLOAT key increment: long double arithmetic, the result printed
 * as Redis's ld2string in human mode; the TTL is kept. Propagated as SET
 * key <result> KEEPTTL, so that replicas store the same bytes whatever
 * their float arithmetic. */
static void incrbyfloat_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_write(ctx, &ctx->argv[1]);
    long double value = 0, incr;
    char buf[UTIL_LD_STR_SIZE];

    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    if ((e && string_to_ld(e, &value) != 0) ||
        !util_str_to_ld(ctx->argv[2].ptr, ctx->argv[2].len, &incr)) {
        reply_error(ctx->out, ERR_NOT_FLOAT);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(ctx->out, "ERR increment would produce NaN or Infinity");
        return;
    }
    int len = util_ld_to_str(buf, sizeof(buf), value);
    if (e) {
        value_free(e);
        string_set_text(e, buf, (size_t)len);
        ks_touch(ctx->db, e);
    } else {
        e = ks_add_sized(ctx->db, ctx->argv[1].ptr, ctx->argv[1].len, TYPE_STRING, (size_t)len);
        string_set_text(e, buf, (size_t)len);
    }
    cmd_dirty(ctx, 1);
    struct resp_arg argv[4] = {{.ptr = "SET", .len = 3},
                               ctx->argv[1],
                               {.ptr = buf, .len = (size_t)len},
                               {.ptr = "KEEPTTL", .len = 7}};
    propagate_rewrite(ctx, 4, argv);
    reply_bulk(ctx->out, buf, (size_t)len);
}

/* APPEND key value: creates the key when missing (even with an empty
 * value); otherwise grows the string in place, keeping the TTL. */
static void append_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1], *val = &ctx->argv[2];
    struct entry *e = cmd_lookup_write(ctx, key);
    size_t total;

    if (!e) {
        e = string_store(ctx, key, NULL, val->ptr, val->len, 0);
        total = val->len;
    } else {
        if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
        if (string_check_length(ctx, (long long)string_length(e), (long long)val->len) != 0) return;
        struct sstr *s = sstr_append(string_make_raw(e), val->ptr, val->len);
        e->v.ptr = s;
        total = s->len;
        ks_touch(ctx->db, e);
    }
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, (long long)total);
}

/* STRLEN key */
static void strlen_command(struct cmdctx *ctx)
{
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_int(ctx->out, 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    reply_int(ctx->out, (long long)string_length(e));
}

/* GETRANGE key start end (and its old name SUBSTR). Negative indexes count
 * from the end; both ends are clamped, so a range wholly before the start
 * still yields the first byte, as in Redis 7.0. */
static void getrange_command(struct cmdctx *ctx)
{
    long long start, end;
    if (arg_ll(ctx, &ctx->argv[2], &start, NULL) != 0) return;
    if (arg_ll(ctx, &ctx->argv[3], &end, NULL) != 0) return;

    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        reply_bulk(ctx->out, "", 0);
        return;
    }
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;

    char buf[STRING_INT_BUF];
    size_t len;
    const char *p = string_bytes(e, buf, &len);
    long long n = (long long)len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(ctx->out, "", 0);
        return;
    }
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= n) end = n - 1;
    if (n == 0 || start > end) {
        reply_bulk(ctx->out, "", 0);
        return;
    }
    reply_bulk(ctx->out, p + start, (size_t)(end - start + 1));
}

/* Makes e's string at least offset + len bytes (zero-filled) and copies
 * value there; returns the new length. */
static size_t string_write_at(struct entry *e, size_t offset, const char *value, size_t len)
{
    struct sstr *s = sstr_extend(string_make_raw(e), offset + len);
    memcpy(s->data + offset, value, len);
    e->v.ptr = s;
    return s->len;
}

/* SETRANGE key offset value. An empty value changes nothing (and creates
 * nothing), so it is answered before the size limit is checked. */
static void setrange_command(struct cmdctx *ctx)
{
    const struct resp_arg *key = &ctx->argv[1], *val = &ctx->argv[3];
    long long offset;

    if (arg_ll(ctx, &ctx->argv[2], &offset, NULL) != 0) return;
    if (offset < 0) {
        reply_error(ctx->out, "ERR offset is out of range");
        return;
    }
    struct entry *e = cmd_lookup_write(ctx, key);
    if (cmd_check_type(ctx, e, TYPE_STRING) != 0) return;
    if (val->len == 0) {
        reply_int(ctx->out, e ? (long long)string_length(e) : 0);
        return;
    }
    if (string_check_length(ctx, offset, (long long)val->len) != 0) return;

    if (!e) e = string_store(ctx, key, NULL, "", 0, 0);
    size_t total = string_write_at(e, (size_t)offset, val->ptr, val->len);
    ks_touch(ctx->db, e);
    cmd_dirty(ctx, 1);
    reply_int(ctx->out, (long long)total);
}

/* MSET and MSETNX take key value pairs. */
static const struct command_arg_doc key_value_pair[] = {
    {.name = "key", .type = ARG_KEY},
    {.name = "value", .type = ARG_STRING},
    {.name = NULL},
};

/* The table: arity, flags, key positions and ACL categories as Redis 7.0's
 * COMMAND INFO shows them; summary and complexity as its command docs. */
const struct command string_commands[] = {
    {.name = "get",
     .proc = get_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@read @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Get the value of a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "set",
     .key_notes = "RW and ACCESS due to the optional `GET` argument",
     .proc = set_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update variable_flags",
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "1.0.0",
     .summary = "Set the string value of a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY}, {.name = "value", .type = ARG_STRING},
         {.name = "condition",
          .type = ARG_ONEOF,
          .since = "2.6.12",
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "nx", .type = ARG_PURE_TOKEN, .token = "NX"},
                               {.name = "xx", .type = ARG_PURE_TOKEN, .token = "XX"})},
         {.name = "get",
          .type = ARG_PURE_TOKEN,
          .token = "GET",
          .since = "6.2.0",
          .flags = ARG_OPTIONAL},
         {.name = "expiration",
          .type = ARG_ONEOF,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS(
              {.name = "seconds", .type = ARG_INTEGER, .token = "EX", .since = "2.6.12"},
              {.name = "milliseconds", .type = ARG_INTEGER, .token = "PX", .since = "2.6.12"},
              {.name = "unix-time-seconds",
               .type = ARG_UNIX_TIME,
               .token = "EXAT",
               .since = "6.2.0"},
              {.name = "unix-time-milliseconds",
               .type = ARG_UNIX_TIME,
               .token = "PXAT",
               .since = "6.2.0"},
              {.name = "keepttl", .type = ARG_PURE_TOKEN, .token = "KEEPTTL", .since = "6.0.0"})})},
    {.name = "setnx",
     .proc = setnx_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "OW insert",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Set the value of a key, only if the key does not exist",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "value", .type = ARG_STRING})},
    {.name = "setex",
     .proc = setex_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "OW update",
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "2.0.0",
     .summary = "Set the value and expiration of a key",
     .complexity = "O(1)",
     .args =
         COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "seconds", .type = ARG_INTEGER},
                      {.name = "value", .type = ARG_STRING})},
    {.name = "psetex",
     .proc = psetex_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "OW update",
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "2.6.0",
     .summary = "Set the value and expiration in milliseconds of a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "milliseconds", .type = ARG_INTEGER},
                          {.name = "value", .type = ARG_STRING})},
    {.name = "getset",
     .proc = getset_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Set the string value of a key and return its old value",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "value", .type = ARG_STRING})},
    {.name = "getdel",
     .proc = getdel_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access delete",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "6.2.0",
     .summary = "Get the value of a key and delete the key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "getex",
     .key_notes = "RW and UPDATE because it changes the TTL",
     .proc = getex_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "6.2.0",
     .summary = "Get the value of a key and optionally set its expiration",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(
         {.name = "key", .type = ARG_KEY},
         {.name = "expiration",
          .type = ARG_ONEOF,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS(
              {.name = "seconds", .type = ARG_INTEGER, .token = "EX"},
              {.name = "milliseconds", .type = ARG_INTEGER, .token = "PX"},
              {.name = "unix-time-seconds", .type = ARG_UNIX_TIME, .token = "EXAT"},
              {.name = "unix-time-milliseconds", .type = ARG_UNIX_TIME, .token = "PXAT"},
              {.name = "persist", .type = ARG_PURE_TOKEN, .token = "PERSIST"})})},
    {.name = "mget",
     .tips = "request_policy:multi_shard",
     .proc = mget_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .acl_categories = "@read @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Get the values of all the given keys",
     .complexity = "O(N) where N is the number of keys to retrieve.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE})},
    {.name = "mset",
     .tips = "request_policy:multi_shard response_policy:all_succeeded",
     .proc = mset_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .key_flags = "OW update",
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "1.0.1",
     .summary = "Set multiple keys to multiple values",
     .complexity = "O(N) where N is the number of keys to set.",
     .args = COMMAND_ARGS(
         {.name = "key_value", .type = ARG_BLOCK, .flags = ARG_MULTIPLE, .args = key_value_pair})},
    {.name = "msetnx",
     .tips = "request_policy:multi_shard response_policy:agg_min",
     .proc = msetnx_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .key_flags = "OW insert",
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "1.0.1",
     .summary = "Set multiple keys to multiple values, only if none of the keys exist",
     .complexity = "O(N) where N is the number of keys to set.",
     .args = COMMAND_ARGS(
         {.name = "key_value", .type = ARG_BLOCK, .flags = ARG_MULTIPLE, .args = key_value_pair})},
    {.name = "incr",
     .proc = incr_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Increment the integer value of a key by one",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "incrby",
     .proc = incrby_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Increment the integer value of a key by the given amount",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "increment", .type = ARG_INTEGER})},
    {.name = "decr",
     .proc = decr_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Decrement the integer value of a key by one",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "decrby",
     .proc = decrby_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "1.0.0",
     .summary = "Decrement the integer value of a key by the given number",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
                          {.name = "decrement", .type = ARG_INTEGER})},
    {.name = "incrbyfloat",
     .proc = incrbyfloat_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW access update",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "2.6.0",
     .summary = "Increment the float value of a key by the given amount",
     .complexity = "O(1)",
     .args =
         COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "increment", .type = ARG_DOUBLE})},
    {.name = "append",
     .proc = append_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RW insert",
     .acl_categories = "@write @string @fast",
     .group = "string",
     .since = "2.0.0",
     .summary = "Append a value to a key",
     .complexity = "O(1). The amortized time complexity is O(1) assuming the appended value is "
                   "small and the already present value is of any size, since the dynamic "
                   "string library used by Redis will double the free space available on every "
                   "reallocation.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "value", .type = ARG_STRING})},
    {.name = "strlen",
     .proc = strlen_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@read @string @fast",
     .group = "string",
     .since = "2.2.0",
     .summary = "Get the length of the value stored in a key",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY})},
    {.name = "getrange",
     .proc = getrange_command,
     .arity = 4,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@read @string @slow",
     .group = "string",
     .since = "2.4.0",
     .summary = "Get a substring of the string stored at a key",
     .complexity = "O(N) where N is the length of the returned string. The complexity is "
                   "ultimately determined by the returned length, but because creating a "
                   "substring from an existing string is very cheap, it can be considered O(1) "
                   "for small strings.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "start", .type = ARG_INTEGER},
                          {.name = "end", .type = ARG_INTEGER})},
    {.name = "substr",
     .proc = getrange_command,
     .arity = 4,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@read @string @slow",
     .group = "string",
     .since = "1.0.0",
     .summary = "Get a substring of the string stored at a key",
     .complexity = "O(N) where N is the length of the returned string. The complexity is "
                   "ultimately determined by the returned length, but because creating a "
                   "substring from an existing string is very cheap, it can be considered O(1) "
                   "for small strings.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "start", .type = ARG_INTEGER},
                          {.name = "end", .type = ARG_INTEGER})},
    {.name = "setrange",
     .proc = setrange_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .acl_categories = "@write @string @slow",
     .group = "string",
     .since = "2.2.0",
     .summary = "Overwrite part of a string at key starting at the specified offset",
     .complexity = "O(1), not counting the time taken to copy the new string in place. Usually, "
                   "this string is very small so the amortized complexity is O(1). Otherwise, "
                   "complexity is O(M) with M being the length of the value argument.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY}, {.name = "offset", .type = ARG_INTEGER},
                          {.name = "value", .type = ARG_STRING})},
    {.name = NULL},
};
