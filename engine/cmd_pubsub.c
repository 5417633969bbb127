/*
 * cmd_pubsub: PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE and
 * PUBSUB CHANNELS / NUMSUB / NUMPAT, with Redis 7.0's replies. The registry
 * and the delivery across workers are engine/pubsub.c; these only walk the
 * arguments. (The shard-channel family, SPUBLISH and friends, is not
 * implemented: it only differs from the plain one in a cluster.)
 */
#include <stddef.h>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/propagate.h"
#include "engine/pubsub.h"
#include "engine/reply.h"

/* PUBLISH channel message: replicas get it too (their subscribers hear
 * the primary's messages), as Redis propagates it without cluster. */
static void publish_command(struct cmdctx *ctx)
{
    const struct resp_arg *a = ctx->argv;
    reply_int(ctx->out, pubsub_publish(a[1].ptr, a[1].len, a[2].ptr, a[2].len));
    propagate_force(ctx);
}

static void subscribe_command(struct cmdctx *ctx)
{
    for (int i = 1; i < ctx->argc; i++)
        pubsub_subscribe(ctx->client, ctx->argv[i].ptr, ctx->argv[i].len);
}

static void unsubscribe_command(struct cmdctx *ctx)
{
    if (ctx->argc == 1) {
        pubsub_unsubscribe_all(ctx->client);
        return;
    }
    for (int i = 1; i < ctx->argc; i++)
        pubsub_unsubscribe(ctx->client, ctx->argv[i].ptr, ctx->argv[i].len);
}

static void psubscribe_command(struct cmdctx *ctx)
{
    for (int i = 1; i < ctx->argc; i++)
        pubsub_psubscribe(ctx->client, ctx->argv[i].ptr, ctx->argv[i].len);
}

static void punsubscribe_command(struct cmdctx *ctx)
{
    if (ctx->argc == 1) {
        pubsub_punsubscribe_all(ctx->client);
        return;
    }
    for (int i = 1; i < ctx->argc; i++)
        pubsub_punsubscribe(ctx->client, ctx->argv[i].ptr, ctx->argv[i].len);
}

static void pubsub_channels_command(struct cmdctx *ctx)
{
    if (ctx->argc > 3) {
        reply_subcommand_syntax_error(ctx);
        return;
    }
    if (ctx->argc == 3)
        pubsub_reply_channels(ctx->out, ctx->argv[2].ptr, ctx->argv[2].len);
    else
        pubsub_reply_channels(ctx->out, NULL, 0);
}

static void pubsub_numsub_command(struct cmdctx *ctx)
{
    reply_array(ctx->out, (long long)(ctx->argc - 2) * 2);
    for (int i = 2; i < ctx->argc; i++) {
        reply_bulk(ctx->out, ctx->argv[i].ptr, ctx->argv[i].len);
        reply_int(ctx->out, pubsub_channel_subscribers(ctx->argv[i].ptr, ctx->argv[i].len));
    }
}

static void pubsub_numpat_command(struct cmdctx *ctx)
{
    reply_int(ctx->out, pubsub_pattern_count());
}

static void pubsub_help_command(struct cmdctx *ctx)
{
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        NULL,
    };
    reply_help(ctx, lines);
}

#define PUBSUB_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)

static const struct command pubsub_subcommands[] = {
    {.name = "channels",
     .proc = pubsub_channels_command,
     .arity = -2,
     .flags = PUBSUB_FLAGS,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.8.0",
     .summary = "List active channels",
     .complexity = "O(N) where N is the number of active channels, and assuming constant time "
                   "pattern matching (relatively short channels and patterns)",
     .args = COMMAND_ARGS({.name = "pattern", .type = ARG_PATTERN, .flags = ARG_OPTIONAL})},
    {.name = "help",
     .proc = pubsub_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow",
     .group = "pubsub",
     .since = "6.2.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = "numpat",
     .proc = pubsub_numpat_command,
     .arity = 2,
     .flags = PUBSUB_FLAGS,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.8.0",
     .summary = "Get the count of unique patterns pattern subscriptions",
     .complexity = "O(1)"},
    {.name = "numsub",
     .proc = pubsub_numsub_command,
     .arity = -2,
     .flags = PUBSUB_FLAGS,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.8.0",
     .summary = "Get the count of subscribers for channels",
     .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
     .args = COMMAND_ARGS(
         {.name = "channel", .type = ARG_STRING, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = NULL},
};

const struct command pubsub_commands[] = {
    {.name = "publish",
     .proc = publish_command,
     .arity = 3,
     .flags = PUBSUB_FLAGS | CMD_FAST | CMD_MAY_REPLICATE | CMD_SENTINEL,
     .acl_categories = "@pubsub @fast",
     .group = "pubsub",
     .since = "2.0.0",
     .summary = "Post a message to a channel",
     .complexity = "O(N+M) where N is the number of clients subscribed to the receiving channel "
                   "and M is the total number of subscribed patterns (by any client).",
     .args = COMMAND_ARGS({.name = "channel", .type = ARG_STRING},
                          {.name = "message", .type = ARG_STRING})},
    {.name = "subscribe",
     .proc = subscribe_command,
     .arity = -2,
     .flags = PUBSUB_FLAGS | CMD_NOSCRIPT | CMD_SENTINEL,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.0.0",
     .summary = "Listen for messages published to the given channels",
     .complexity = "O(N) where N is the number of channels to subscribe to.",
     .args = COMMAND_ARGS({.name = "channel", .type = ARG_STRING, .flags = ARG_MULTIPLE})},
    {.name = "unsubscribe",
     .proc = unsubscribe_command,
     .arity = -1,
     .flags = PUBSUB_FLAGS | CMD_NOSCRIPT | CMD_SENTINEL,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.0.0",
     .summary = "Stop listening for messages posted to the given channels",
     .complexity = "O(N) where N is the number of clients already subscribed to a channel.",
     .args = COMMAND_ARGS(
         {.name = "channel", .type = ARG_STRING, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = "psubscribe",
     .proc = psubscribe_command,
     .arity = -2,
     .flags = PUBSUB_FLAGS | CMD_NOSCRIPT | CMD_SENTINEL,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.0.0",
     .summary = "Listen for messages published to channels matching the given patterns",
     .complexity = "O(N) where N is the number of patterns the client is already subscribed to.",
     .args = COMMAND_ARGS({.name = "pattern",
                           .type = ARG_BLOCK,
                           .flags = ARG_MULTIPLE,
                           .args = COMMAND_ARGS({.name = "pattern", .type = ARG_PATTERN})})},
    {.name = "punsubscribe",
     .proc = punsubscribe_command,
     .arity = -1,
     .flags = PUBSUB_FLAGS | CMD_NOSCRIPT | CMD_SENTINEL,
     .acl_categories = "@pubsub @slow",
     .group = "pubsub",
     .since = "2.0.0",
     .summary = "Stop listening for messages posted to channels matching the given patterns",
     .complexity = "O(N+M) where N is the number of patterns the client is already subscribed "
                   "and M is the number of total patterns subscribed in the system (by any "
                   "client).",
     .args = COMMAND_ARGS(
         {.name = "pattern", .type = ARG_PATTERN, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = "pubsub",
     .proc = NULL,
     .arity = -2,
     .flags = 0,
     .acl_categories = "@slow",
     .group = "pubsub",
     .since = "2.8.0",
     .summary = "A container for Pub/Sub commands",
     .complexity = "Depends on subcommand.",
     .subcommands = pubsub_subcommands},
    {.name = NULL},
};
