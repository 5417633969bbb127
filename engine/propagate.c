/*
 * propagate: recording commands' effects and publishing them into the
 * effect log. See engine/propagate.h.
 */
#include "engine/propagate.h"

#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/command.h"
#include "engine/effect_log.h"
#include "engine/keyspace.h"
#include "engine/server.h"
#include "engine/strbuf.h"

atomic_int propagate_enabled;

/* A growing byte buffer of the calling thread. */
static void bytes_add_header(struct strbuf *b, char type, size_t n)
{
    char head[32];
    int len = snprintf(head, sizeof(head), "%c%zu\r\n", type, n);
    strbuf_add(b, head, (size_t)len);
}

static void bytes_add_bulk(struct strbuf *b, const char *p, size_t n)
{
    bytes_add_header(b, '$', n);
    strbuf_add(b, p, n);
    strbuf_add(b, "\r\n", 2);
}

/* What this thread recorded and has not published. */
static __thread struct {
    struct strbuf ops; /* framed operations (engine/effect_log.h) */
    int nops;
    int first_db, last_db;
    int locked; /* inside a command's locked section */
    /* the running command's choices */
    int prevent, force;
    int rewritten;
    struct strbuf rewrite; /* its RESP when rewritten */
    uint64_t last_pos;     /* the effect log's position after the last record published */
    uint64_t published;    /* records published by this thread */
} rec;

/* Appends one operation whose RESP is resp to the record. */
static void record_op(int db, const char *resp, size_t len)
{
    struct effect_op_header h = {.db = (uint32_t)db, .len = (uint32_t)len};
    strbuf_add(&rec.ops, &h, sizeof(h));
    strbuf_add(&rec.ops, resp, len);
    if (rec.nops++ == 0) rec.first_db = db;
    rec.last_db = db;
}

static void resp_of_argv(struct strbuf *b, int argc, const struct resp_arg *argv)
{
    bytes_add_header(b, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) bytes_add_bulk(b, argv[i].ptr, argv[i].len);
}

/* Records argv as one operation in db. */
static void record_argv(int db, int argc, const struct resp_arg *argv)
{
    struct strbuf tmp = {0};
    resp_of_argv(&tmp, argc, argv);
    record_op(db, tmp.p, tmp.len);
    mem_free(tmp.p);
}

void propagate_command_begin(struct cmdctx *ctx, struct propagate_mark *m)
{
    /* Propagation may start while the command waits for its locks (the
     * replication thread turns it on holding every lock): what counts is
     * whether it is on when the command ends, under its locks. */
    m->dirty = stat_read(&ctx->ws->dirty);
    rec.prevent = rec.force = rec.rewritten = 0;
}

void propagate_command_end(struct cmdctx *ctx, const struct propagate_mark *m)
{
    if (!propagate_on()) return;
    /* EXEC is never propagated itself: its commands are, wrapped. */
    if (ctx->cmd->flags & CMD_NO_PROPAGATE) return;
    int dirty = stat_read(&ctx->ws->dirty) != m->dirty;
    if (!rec.prevent && (dirty || rec.force)) {
        if (rec.rewritten)
            record_op(ctx->db->id, rec.rewrite.p, rec.rewrite.len);
        else
            record_argv(ctx->db->id, ctx->argc, ctx->argv);
    }
    rec.prevent = rec.force = rec.rewritten = 0;
}

void propagate_flush(void)
{
    if (rec.nops == 0) return;
    struct strbuf out = {0};
    const struct strbuf *payload = &rec.ops;
    if (rec.nops > 1) {
        static const char multi[] = "*1\r\n$5\r\nMULTI\r\n", exec[] = "*1\r\n$4\r\nEXEC\r\n";
        struct effect_op_header h = {.db = (uint32_t)rec.first_db, .len = sizeof(multi) - 1};
        strbuf_add(&out, &h, sizeof(h));
        strbuf_add(&out, multi, sizeof(multi) - 1);
        strbuf_add(&out, rec.ops.p, rec.ops.len);
        h = (struct effect_op_header){.db = (uint32_t)rec.last_db, .len = sizeof(exec) - 1};
        strbuf_add(&out, &h, sizeof(h));
        strbuf_add(&out, exec, sizeof(exec) - 1);
        payload = &out;
    }
    rec.last_pos = effect_log_publish(payload->p, payload->len);
    rec.published++;
    mem_free(out.p);
    rec.ops.len = 0;
    rec.nops = 0;
    /* Keep a thread's buffer small when a large value passed through. */
    if (rec.ops.cap > 1 << 20) {
        mem_free(rec.ops.p);
        rec.ops = (struct strbuf){0};
    }
}

void propagate_locked_section(int on)
{
    rec.locked = on;
}

void propagate_rewrite(struct cmdctx *ctx, int argc, const struct resp_arg *argv)
{
    (void)ctx;
    if (!propagate_on()) return;
    rec.rewrite.len = 0;
    resp_of_argv(&rec.rewrite, argc, argv);
    rec.rewritten = 1;
}

void propagate_rewrite_strs(struct cmdctx *ctx, const char *const *strs)
{
    struct resp_arg argv[16];
    int argc = 0;
    while (strs[argc] && argc < 16) {
        argv[argc].ptr = strs[argc];
        argv[argc].len = strlen(strs[argc]);
        argc++;
    }
    propagate_rewrite(ctx, argc, argv);
}

void propagate_also(int db, int argc, const struct resp_arg *argv)
{
    if (!propagate_on()) return;
    record_argv(db, argc, argv);
}

void propagate_prevent(struct cmdctx *ctx)
{
    (void)ctx;
    rec.prevent = 1;
}

void propagate_force(struct cmdctx *ctx)
{
    (void)ctx;
    rec.force = 1;
}

void propagate_deletion(const struct db *db, const char *key, size_t len)
{
    if (!propagate_on()) return;
    struct resp_arg argv[2] = {{.ptr = "DEL", .len = 3}, {.ptr = key, .len = len}};
    record_argv(db->id, 2, argv);
    /* Outside a command the deletion is its own record, published while
     * the caller still holds the key's shard lock. */
    if (!rec.locked) propagate_flush();
}

uint64_t propagate_published(void)
{
    return rec.published;
}

uint64_t propagate_last_position(void)
{
    return rec.last_pos;
}

void propagate_thread_exit(void)
{
    mem_free(rec.ops.p);
    mem_free(rec.rewrite.p);
    rec.ops = (struct strbuf){0};
    rec.rewrite = (struct strbuf){0};
    rec.nops = 0;
}
