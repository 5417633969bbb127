/*
 * cmd_repl: the replication commands a client runs on its worker: REPLCONF
 * (the replica's port, address and capabilities before it syncs), SYNC and
 * PSYNC (which hand the connection to the replication thread,
 * engine/repl.h), and ROLE; with Redis 7.0's replies and errors.
 */
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/log.h"
#include "engine/repl.h"
#include "engine/replica.h"
#include "engine/reply.h"

/* REPLCONF <option> <value> [<option> <value> ...] */
static void replconf_command(struct cmdctx *ctx)
{
    struct client *c = ctx->client;
    if (ctx->argc % 2 == 0) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    for (int j = 1; j < ctx->argc; j += 2) {
        const struct resp_arg *opt = &ctx->argv[j], *val = &ctx->argv[j + 1];
        if (arg_eq(opt, "listening-port")) {
            long long port;
            if (arg_ll(ctx, val, &port, NULL) != 0) return;
            c->repl_listening_port = (int)port;
        } else if (arg_eq(opt, "ip-address")) {
            if (val->len >= 46) { /* NET_HOST_STR_LEN */
                reply_errorf(ctx->out,
                             "ERR REPLCONF ip-address provided by replica instance is too long: "
                             "%zu bytes",
                             val->len);
                return;
            }
            mem_free(c->repl_ip);
            c->repl_ip = mem_alloc(val->len + 1);
            memcpy(c->repl_ip, val->ptr, val->len);
            c->repl_ip[val->len] = '\0';
        } else if (arg_eq(opt, "capa")) {
            if (arg_eq(val, "eof")) c->repl_capa_eof = 1;
            if (arg_eq(val, "psync2")) c->repl_capa_psync2 = 1;
        } else if (arg_eq(opt, "ack") || arg_eq(opt, "getack")) {
            /* From a client that is not a replica (or a primary's GETACK
             * while this server is no replica): ignored, no reply. */
            return;
        } else if (arg_eq(opt, "rdb-only")) {
            long long v;
            if (arg_ll(ctx, val, &v, NULL) != 0) return;
            if (v != 0 && v != 1) {
                reply_error(ctx->out, ERR_SYNTAX);
                return;
            }
            c->repl_rdb_only = (int)v;
        } else {
            reply_errorf(ctx->out, "ERR Unrecognized REPLCONF option: %.*s", (int)opt->len,
                         opt->ptr);
            return;
        }
    }
    reply_ok(ctx->out);
}

/* SYNC, and PSYNC replicationid offset: this client becomes a replica. */
static void sync_command(struct cmdctx *ctx)
{
    struct client *c = ctx->client;
    if (replica_active() && !replica_link_up()) {
        reply_error(ctx->out, "NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (ctx->out->pending > 0) {
        /* Its replies would be mixed into the RDB. */
        reply_error(ctx->out, "ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    struct repl_handover *h = mem_calloc(1, sizeof(*h));
    h->psync = ctx->argc >= 3;
    h->offset = -1;
    snprintf(h->replid, sizeof(h->replid), "?");
    if (h->psync) {
        const struct resp_arg *id = &ctx->argv[1];
        snprintf(h->replid, sizeof(h->replid), "%.*s", (int)(id->len < 40 ? id->len : 40), id->ptr);
        long long off;
        if (arg_ll(ctx, &ctx->argv[2], &off, NULL) != 0) {
            /* As Redis: the error, then a full resync anyway. */
            off = -1;
        }
        h->offset = off;
    }
    h->capa_eof = c->repl_capa_eof;
    h->capa_psync2 = c->repl_capa_psync2;
    h->rdb_only = c->repl_rdb_only;
    h->listening_port = c->repl_listening_port;
    h->client_id = c->id;
    snprintf(h->peer, sizeof(h->peer), "%s", c->addr);
    if (c->repl_ip) {
        snprintf(h->ip, sizeof(h->ip), "%s", c->repl_ip);
    } else {
        /* "ip:port" of the peer: the address part. */
        snprintf(h->ip, sizeof(h->ip), "%s", c->addr);
        char *colon = strrchr(h->ip, ':');
        if (colon) *colon = '\0';
    }
    client_hand_over(c, h);
}

/* WAIT numreplicas timeout: until numreplicas replicas acknowledged this
 * client's writes, or timeout milliseconds (0: forever); replies how many
 * did. The client blocks, never its worker. */
static void wait_command(struct cmdctx *ctx)
{
    struct client *c = ctx->client;
    long long numreplicas, timeout;
    if (arg_ll(ctx, &ctx->argv[1], &numreplicas, NULL) != 0) return;
    if (arg_ll(ctx, &ctx->argv[2], &timeout, "ERR timeout is not an integer or out of range") != 0)
        return;
    if (timeout < 0) {
        reply_error(ctx->out, "ERR timeout is negative");
        return;
    }
    if (replica_active()) {
        reply_error(ctx->out,
                    "ERR WAIT cannot be used with replica instances. Please also note that since "
                    "Redis 4.0 if a replica is configured to be writable (which is not the "
                    "default) writes to replicas are just local and are not propagated.");
        return;
    }
    long long acked;
    int known = repl_wait_acks(c->woff_logpos, &acked);
    if ((known && acked >= numreplicas) || c->multi) {
        reply_int(ctx->out, acked);
        return;
    }
    struct blocker *b =
        blocking_block_external(ctx, timeout, repl_wait_timeout_reply, c->woff_logpos);
    repl_wait_add(b, c->woff_logpos, numreplicas);
}

/* ROLE */
static void role_command(struct cmdctx *ctx)
{
    if (replica_active())
        replica_role_reply(ctx->out);
    else
        repl_role_reply(ctx->out);
}

static void replicaof_no_timeout(uint64_t value, struct outbuf *out)
{
    (void)value;
    reply_ok(out);
}

/* REPLICAOF host port | NO ONE (SLAVEOF): the replication thread changes
 * the role; the client waits for it (never its worker), so that its next
 * command already runs under the new role. */
static void replicaof_command(struct cmdctx *ctx)
{
    struct client *c = ctx->client;
    if (arg_eq(&ctx->argv[1], "no") && arg_eq(&ctx->argv[2], "one")) {
        if (!replica_active()) {
            reply_ok(ctx->out);
            return;
        }
        char who[128];
        snprintf(who, sizeof(who), "id=%llu addr=%s", (unsigned long long)c->id, c->addr);
        log_notice("MASTER MODE enabled (user request from '%s')", who);
        if (c->multi) {
            replica_set_master(NULL, 0, NULL);
            reply_ok(ctx->out);
            return;
        }
        replica_set_master(NULL, 0, blocking_block_external(ctx, 0, replicaof_no_timeout, 0));
        return;
    }
    long long port;
    if (arg_ll(ctx, &ctx->argv[2], &port, "ERR Invalid master port") != 0) return;
    if (port < 0 || port > 65535) {
        reply_error(ctx->out, "ERR Invalid master port");
        return;
    }
    char host[256];
    snprintf(host, sizeof(host), "%.*s", (int)ctx->argv[1].len, ctx->argv[1].ptr);
    if (replica_follows(host, (int)port)) {
        log_notice("REPLICAOF would result into synchronization with the master we are already "
                   "connected with. No operation performed.");
        reply_status(ctx->out, "OK Already connected to specified master");
        return;
    }
    log_notice("REPLICAOF %s:%lld enabled (user request from 'id=%llu addr=%s')", host, port,
               (unsigned long long)c->id, c->addr);
    if (c->multi) {
        replica_set_master(host, (int)port, NULL);
        reply_ok(ctx->out);
        return;
    }
    replica_set_master(host, (int)port, blocking_block_external(ctx, 0, replicaof_no_timeout, 0));
}

/* REPLICAOF's and SLAVEOF's arguments, as Redis 7.0.15's COMMAND DOCS. */
#define REPLICAOF_ARGS                                                                             \
    COMMAND_ARGS(                                                                                  \
        {.name = "args",                                                                           \
         .type = ARG_ONEOF,                                                                        \
         .args = COMMAND_ARGS(                                                                     \
             {.name = "host-port",                                                                 \
              .type = ARG_BLOCK,                                                                   \
              .args = COMMAND_ARGS({.name = "host", .type = ARG_STRING},                           \
                                   {.name = "port", .type = ARG_INTEGER})},                        \
             {.name = "no-one",                                                                    \
              .type = ARG_BLOCK,                                                                   \
              .args = COMMAND_ARGS({.name = "no", .type = ARG_PURE_TOKEN, .token = "NO"},          \
                                   {.name = "one", .type = ARG_PURE_TOKEN, .token = "ONE"})})})

#define SYNC_FLAGS (CMD_NO_ASYNC_LOADING | CMD_ADMIN | CMD_NO_MULTI | CMD_NOSCRIPT)

const struct command repl_commands[] = {
    {.name = "psync",
     .proc = sync_command,
     .arity = -3,
     .flags = SYNC_FLAGS,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "2.8.0",
     .summary = "Internal command used for replication",
     .args = COMMAND_ARGS({.name = "replicationid", .type = ARG_STRING},
                          {.name = "offset", .type = ARG_INTEGER})},
    {.name = "sync",
     .proc = sync_command,
     .arity = 1,
     .flags = SYNC_FLAGS,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Internal command used for replication"},
    {.name = "replconf",
     .proc = replconf_command,
     .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_ALLOW_BUSY,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "3.0.0",
     .summary = "An internal command for configuring the replication stream",
     .complexity = "O(1)"},
    {.name = "wait",
     .proc = wait_command,
     .arity = 3,
     .flags = CMD_NOSCRIPT | CMD_NO_LOCK,
     .acl_categories = "@slow @connection",
     .tips = "request_policy:all_shards response_policy:agg_min",
     .group = "generic",
     .since = "3.0.0",
     .summary = "Wait for the synchronous replication of all the write commands sent in the "
                "context of the current connection",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "numreplicas", .type = ARG_INTEGER},
                          {.name = "timeout", .type = ARG_INTEGER})},
    {.name = "replicaof",
     .proc = replicaof_command,
     .arity = 3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE | CMD_NO_ASYNC_LOADING | CMD_NO_LOCK,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "5.0.0",
     .summary = "Make the server a replica of another instance, or promote it as master.",
     .complexity = "O(1)",
     .args = REPLICAOF_ARGS},
    {.name = "slaveof",
     .proc = replicaof_command,
     .arity = 3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE | CMD_NO_ASYNC_LOADING | CMD_NO_LOCK,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Make the server a replica of another instance, or promote it as master.",
     .complexity = "O(1)",
     .args = REPLICAOF_ARGS},
    {.name = "role",
     .proc = role_command,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_SENTINEL | CMD_NO_LOCK,
     .acl_categories = "@admin @fast @dangerous",
     .group = "server",
     .since = "2.8.12",
     .summary = "Return the role of the instance in the context of replication",
     .complexity = "O(1)"},
    {.name = NULL},
};
