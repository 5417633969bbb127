/*
 * cmd_multi: MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis 7.0's
 * replies. The transaction mechanics are engine/multi.c, the watches
 * engine/watch.c.
 */
#include <stdatomic.h>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/multi.h"
#include "engine/reply.h"
#include "engine/watch.h"

static void multi_command(struct cmdctx *ctx)
{
    if (ctx->client->multi) {
        reply_error(ctx->out, "ERR MULTI calls can not be nested");
        return;
    }
    multi_begin(ctx->client);
    reply_ok(ctx->out);
}

static void exec_command(struct cmdctx *ctx)
{
    multi_exec(ctx);
}

static void discard_command(struct cmdctx *ctx)
{
    if (!ctx->client->multi) {
        reply_error(ctx->out, "ERR DISCARD without MULTI");
        return;
    }
    multi_discard(ctx->client);
    reply_ok(ctx->out);
}

/* The keys' shard locks are held (key spec 1..-1): a write on another
 * worker either happened before or will see the watch. */
static void watch_command(struct cmdctx *ctx)
{
    struct client *c = ctx->client;
    if (c->multi) {
        reply_error(ctx->out, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    if (!atomic_load(&c->dirty_cas))
        for (int i = 1; i < ctx->argc; i++)
            watch_key(c, ctx->db, ctx->argv[i].ptr, ctx->argv[i].len, ctx->now_ms);
    reply_ok(ctx->out);
}

static void unwatch_command(struct cmdctx *ctx)
{
    watch_unwatch_all(ctx->client);
    atomic_store(&ctx->client->dirty_cas, 0);
    reply_ok(ctx->out);
}

#define TRANSACTION_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

const struct command multi_commands[] = {
    {.name = "multi",
     .proc = multi_command,
     .arity = 1,
     .flags = TRANSACTION_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .acl_categories = "@fast @transaction",
     .group = "transactions",
     .since = "1.2.0",
     .summary = "Mark the start of a transaction block",
     .complexity = "O(1)"},
    {.name = "exec",
     .proc = exec_command,
     .arity = 1,
     .flags = TRANSACTION_FLAGS | CMD_SKIP_SLOWLOG | CMD_NO_LOCK | CMD_NO_PROPAGATE,
     .acl_categories = "@slow @transaction",
     .group = "transactions",
     .since = "1.2.0",
     .summary = "Execute all commands issued after MULTI",
     .complexity = "Depends on commands in the transaction"},
    {.name = "discard",
     .proc = discard_command,
     .arity = 1,
     .flags = TRANSACTION_FLAGS | CMD_FAST | CMD_ALLOW_BUSY | CMD_NO_LOCK,
     .acl_categories = "@fast @transaction",
     .group = "transactions",
     .since = "2.0.0",
     .summary = "Discard all commands issued after MULTI",
     .complexity = "O(N), when N is the number of queued commands"},
    {.name = "watch",
     .proc = watch_command,
     .arity = -2,
     .flags = TRANSACTION_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .key_flags = "RO",
     .acl_categories = "@fast @transaction",
     .group = "transactions",
     .since = "2.2.0",
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
     .complexity = "O(1) for every key.",
     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY, .flags = ARG_MULTIPLE})},
    {.name = "unwatch",
     .proc = unwatch_command,
     .arity = 1,
     .flags = TRANSACTION_FLAGS | CMD_FAST | CMD_ALLOW_BUSY | CMD_NO_LOCK,
     .acl_categories = "@fast @transaction",
     .group = "transactions",
     .since = "2.2.0",
     .summary = "Forget about all watched keys",
     .complexity = "O(1)"},
    {.name = NULL},
};
