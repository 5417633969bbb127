/*
 * multi: MULTI/EXEC (see multi.h).
 *
 * Queuing copies each command's arguments (they point into the receive
 * buffer, which is gone by EXEC). EXEC first decides what to lock: the
 * shards of every key of every queued command, each in the database it
 * will run in (a queued SELECT moves the later ones), and of every watched
 * key (so no write slips in between the WATCH verdict and the run), sorted
 * into the one
 * global order (database, then shard) every worker takes locks in, so two
 * transactions, or a transaction and a multi-key command, never deadlock.
 * A queued command that locks for itself or needs whole databases (KEYS,
 * SCAN, FLUSHALL, DEBUG DIGEST, ...) makes EXEC take everything instead.
 * The commands then run back to back with the locks held and the time of
 * the EXEC, so no other client sees any state in between.
 */
#include "engine/multi.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/propagate.h"
#include "engine/client.h"
#include "engine/reply.h"
#include "engine/util.h"
#include "engine/watch.h"

struct queued_command {
    const struct command *cmd;
    int argc;
    struct resp_arg *argv; /* and the argument bytes after it, one allocation */
};

struct multi_state {
    struct queued_command *cmds;
    int count, cap;
    int error;          /* a command was rejected while queuing */
    uint32_t flags;     /* the queued commands' flags, together */
    uint32_t inv_flags; /* the flags some queued command lacks (Redis's cmd_inv_flags) */
};

static void publish_count(struct client *c, int n)
{
    __atomic_store_n(&c->multi_pub, n, __ATOMIC_RELAXED);
}

void multi_begin(struct client *c)
{
    c->multi = mem_calloc(1, sizeof(*c->multi));
    publish_count(c, 0);
}

void multi_queue(struct client *c, const struct command *cmd, int argc, const struct resp_arg *argv)
{
    struct multi_state *m = c->multi;
    reply_status(c->out, "QUEUED");
    if (m->error || atomic_load(&c->dirty_cas)) return; /* doomed: keep nothing */
    size_t bytes = 0;
    for (int i = 0; i < argc; i++) bytes += argv[i].len + 1;
    struct resp_arg *copy = mem_alloc(sizeof(*copy) * (size_t)argc + bytes);
    char *p = (char *)(copy + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(p, argv[i].ptr, argv[i].len);
        p[argv[i].len] = '\0';
        copy[i].ptr = p;
        copy[i].len = argv[i].len;
        p += argv[i].len + 1;
    }
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->cmds = mem_realloc(m->cmds, sizeof(*m->cmds) * (size_t)m->cap);
    }
    m->cmds[m->count++] = (struct queued_command){.cmd = cmd, .argc = argc, .argv = copy};
    m->flags |= cmd->flags;
    m->inv_flags |= ~cmd->flags;
    publish_count(c, m->count);
}

void multi_flag_error(struct client *c)
{
    c->multi->error = 1;
}

void multi_discard(struct client *c)
{
    struct multi_state *m = c->multi;
    if (m) {
        for (int i = 0; i < m->count; i++) mem_free(m->cmds[i].argv);
        mem_free(m->cmds);
        mem_free(m);
        c->multi = NULL;
    }
    publish_count(c, -1);
    watch_unwatch_all(c);
    atomic_store(&c->dirty_cas, 0);
}

uint32_t multi_queued_flags(const struct client *c)
{
    return c->multi ? c->multi->flags : 0;
}

uint32_t multi_queued_inv_flags(const struct client *c)
{
    return c->multi ? c->multi->inv_flags : 0;
}

int multi_count(const struct client *c)
{
    return __atomic_load_n(&c->multi_pub, __ATOMIC_RELAXED);
}

int multi_runs_immediately(const struct command *cmd)
{
    static const char *const names[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    if (cmd->parent) return 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(cmd->name, names[i]) == 0) return 1;
    return 0;
}

/* ---- EXEC --------------------------------------------------------------- */

struct lock_set {
    uint32_t *pairs; /* db << 16 | shard */
    size_t n, cap;
    int everything;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The database a queued SELECT will switch to (unchanged if it will fail). */
static int selected_db(const struct queued_command *q, int db_id)
{
    long long id;
    if (strcmp(q->cmd->name, "select") != 0 || q->argc != 2) return db_id;
    if (!util_str_to_ll(q->argv[1].ptr, q->argv[1].len, &id)) return db_id;
    return id >= 0 && id < keyspace.ndbs ? (int)id : db_id;
}

static void lock_set_add(struct lock_set *ls, int db_id, unsigned shard)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 16;
        ls->pairs = mem_realloc(ls->pairs, sizeof(*ls->pairs) * ls->cap);
    }
    ls->pairs[ls->n++] = (uint32_t)db_id << 16 | shard;
}

static void lock_set_add_watched(void *ctx, struct db *db, unsigned shard)
{
    lock_set_add(ctx, db->id, shard);
}

/* The shards of every queued command's keys and of every watched key. */
static void lock_set_build(struct lock_set *ls, const struct client *c, const struct multi_state *m,
                           int db_id)
{
    unsigned shards[KS_SHARDS];
    watch_foreach_shard(c, lock_set_add_watched, ls);
    for (int i = 0; i < m->count; i++) {
        const struct queued_command *q = &m->cmds[i];
        if (q->cmd->flags & (CMD_LOCK_ALL | CMD_LOCK_DB | CMD_NO_LOCK)) ls->everything = 1;
        db_id = selected_db(q, db_id);
        int n = command_key_shards(q->cmd, ks_db(db_id), q->argc, q->argv, shards, KS_SHARDS);
        if (n >= (int)KS_SHARDS) ls->everything = 1;
        if (ls->everything) continue;
        for (int k = 0; k < n; k++) lock_set_add(ls, db_id, shards[k]);
    }
    if (ls->n > 1) qsort(ls->pairs, ls->n, sizeof(*ls->pairs), cmp_u32);
    size_t u = ls->n ? 1 : 0;
    for (size_t i = 1; i < ls->n; i++)
        if (ls->pairs[i] != ls->pairs[u - 1]) ls->pairs[u++] = ls->pairs[i];
    ls->n = u;
}

static void lock_set_take(const struct lock_set *ls)
{
    if (ls->everything) {
        for (int d = 0; d < keyspace.ndbs; d++) ks_lock_all(ks_db(d));
        ks_hold_everything(1);
        return;
    }
    for (size_t i = 0; i < ls->n; i++)
        ks_lock(ks_db((int)(ls->pairs[i] >> 16)), ls->pairs[i] & 0xffff);
}

static void lock_set_release(struct lock_set *ls)
{
    if (ls->everything) {
        ks_hold_everything(0);
        for (int d = keyspace.ndbs; d-- > 0;) ks_unlock_all(ks_db(d));
    } else {
        for (size_t i = ls->n; i-- > 0;)
            ks_unlock(ks_db((int)(ls->pairs[i] >> 16)), ls->pairs[i] & 0xffff);
    }
    mem_free(ls->pairs);
}

void multi_exec(struct cmdctx *ctx)
{
    struct command_clock *clock = ctx->clock;
    struct client *c = ctx->client;
    struct multi_state *m = c->multi;
    if (!m) {
        reply_error(ctx->out, "ERR EXEC without MULTI");
        return;
    }
    if (m->error) {
        reply_error(ctx->out, "EXECABORT Transaction discarded because of previous errors.");
        multi_discard(c);
        return;
    }
    /* Every writer of a watched key holds its shard lock while it marks
     * us: once we hold them all, the verdict below cannot change before
     * the commands have run. */
    struct lock_set ls = {0};
    lock_set_build(&ls, c, m, c->db_id);
    lock_set_take(&ls);
    if (watch_any_expired_held(c, ctx->now_ms)) atomic_store(&c->dirty_cas, 1);
    if (atomic_load(&c->dirty_cas)) {
        lock_set_release(&ls);
        reply_null_array(ctx->out);
        multi_discard(c);
        return;
    }
    watch_unwatch_all_held(c);
    propagate_locked_section(1);
    reply_array(ctx->out, m->count);
    for (int i = 0; i < m->count; i++) {
        const struct queued_command *q = &m->cmds[i];
        struct cmdctx qctx = {
            .client = c,
            .out = ctx->out,
            .argc = q->argc,
            .argv = q->argv,
            .db = ks_db(c->db_id),
            .now_ms = ctx->now_ms,
            .cmd = q->cmd,
            .ws = ctx->ws,
            .clock = clock,
        };
        command_call(&qctx, 0);
    }
    /* The transaction's effects are one record (MULTI ... EXEC when more
     * than one), published under its locks; blocked clients are served
     * after it, as in Redis. */
    propagate_flush();
    propagate_locked_section(0);
    if (blocking_nready) blocking_serve_held(ctx->now_ms);
    lock_set_release(&ls);
    multi_discard(c);
}
