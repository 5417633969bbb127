/*
 * cmd_connection: commands about the connection itself: PING ECHO QUIT
 * HELLO AUTH and CLIENT (ID SETNAME GETNAME LIST INFO KILL HELP).
 * Run on the client's worker; CLIENT LIST/KILL read and flag other workers'
 * clients through the registry (engine/client.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/pubsub.h"
#include "engine/replica.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/strbuf.h"
#include "engine/util.h"

static const char *const ERR_WRONGPASS =
    "WRONGPASS invalid username-password pair or user is disabled.";

static void ping_command(struct cmdctx *ctx)
{
    if (ctx->argc > 2) {
        reply_wrong_arity(ctx);
        return;
    }
    /* A subscriber (RESP2) gets PING's answer in the shape of a message. */
    if (pubsub_client_count(ctx->client) > 0) {
        reply_array(ctx->out, 2);
        reply_bulk(ctx->out, "pong", 4);
        if (ctx->argc == 1)
            reply_bulk(ctx->out, "", 0);
        else
            reply_bulk(ctx->out, ctx->argv[1].ptr, ctx->argv[1].len);
        return;
    }
    if (ctx->argc == 1)
        reply_status(ctx->out, "PONG");
    else
        reply_bulk(ctx->out, ctx->argv[1].ptr, ctx->argv[1].len);
}

static void echo_command(struct cmdctx *ctx)
{
    reply_bulk(ctx->out, ctx->argv[1].ptr, ctx->argv[1].len);
}

static void quit_command(struct cmdctx *ctx)
{
    reply_ok(ctx->out);
    client_close_after_reply(ctx->client);
}

/* Compares a password with requirepass in time independent of where they
 * first differ. */
static int password_matches(const struct resp_arg *pass)
{
    char stored[512];
    config_get_string(&config.requirepass, stored, sizeof(stored));
    size_t slen = strlen(stored);
    if (slen == 0) return 1; /* the default user has no password */
    unsigned char diff = (unsigned char)(slen != pass->len);
    for (size_t i = 0; i < pass->len; i++) diff |= (unsigned char)(stored[i % slen] ^ pass->ptr[i]);
    return diff == 0;
}

static int authenticate(struct client *c, const struct resp_arg *user, const struct resp_arg *pass)
{
    if (user && !arg_eq(user, "default")) return 0;
    if (!password_matches(pass)) return 0;
    c->authenticated = 1;
    return 1;
}

static int requirepass_configured(void)
{
    char stored[8];
    config_get_string(&config.requirepass, stored, sizeof(stored));
    return stored[0] != '\0';
}

static void auth_command(struct cmdctx *ctx)
{
    if (ctx->argc > 3) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    if (ctx->argc == 2 && !requirepass_configured()) {
        reply_error(ctx->out, "ERR AUTH <password> called without any password configured for "
                              "the default user. Are you sure your configuration is correct?");
        return;
    }
    const struct resp_arg *user = ctx->argc == 3 ? &ctx->argv[1] : NULL;
    const struct resp_arg *pass = &ctx->argv[ctx->argc - 1];
    if (authenticate(ctx->client, user, pass))
        reply_ok(ctx->out);
    else
        reply_error(ctx->out, ERR_WRONGPASS);
}

/* Client names may not contain spaces, newlines or anything outside the
 * printable ASCII range (they appear in CLIENT LIST lines). */
static int client_set_name(struct cmdctx *ctx, const struct resp_arg *name)
{
    for (size_t i = 0; i < name->len; i++) {
        unsigned char ch = (unsigned char)name->ptr[i];
        if (ch < '!' || ch > '~') {
            reply_error(ctx->out, "ERR Client names cannot contain spaces, newlines or special "
                                  "characters.");
            return -1;
        }
    }
    char *fresh = name->len ? mem_strndup(name->ptr, name->len) : NULL;
    pthread_mutex_lock(&registry_lock);
    char *old = ctx->client->name;
    ctx->client->name = fresh;
    pthread_mutex_unlock(&registry_lock);
    mem_free(old);
    return 0;
}

static void hello_command(struct cmdctx *ctx)
{
    long long ver = 0;
    int j = 1;
    struct client *c = ctx->client;
    if (ctx->argc >= 2) {
        if (arg_ll(ctx, &ctx->argv[1], &ver,
                   "ERR Protocol version is not an integer or out of range") < 0)
            return;
        j = 2;
        /* Only RESP2 is spoken: RESP3 is refused as an unsupported version. */
        if (ver != 2) {
            reply_error(ctx->out, "NOPROTO unsupported protocol version");
            return;
        }
    }
    for (; j < ctx->argc; j++) {
        int more = ctx->argc - 1 - j;
        if (arg_eq(&ctx->argv[j], "AUTH") && more >= 2) {
            if (!authenticate(c, &ctx->argv[j + 1], &ctx->argv[j + 2])) {
                reply_error(ctx->out, ERR_WRONGPASS);
                return;
            }
            j += 2;
        } else if (arg_eq(&ctx->argv[j], "SETNAME") && more) {
            if (client_set_name(ctx, &ctx->argv[j + 1]) < 0) return;
            j++;
        } else {
            reply_errorf(ctx->out, "ERR Syntax error in HELLO option '%.*s'", (int)ctx->argv[j].len,
                         ctx->argv[j].ptr);
            return;
        }
    }
    if (!c->authenticated) {
        reply_error(ctx->out,
                    "NOAUTH HELLO must be called with the client already authenticated, otherwise "
                    "the HELLO AUTH <user> <pass> option can be used to authenticate the client "
                    "and select the RESP protocol version at the same time");
        return;
    }
    struct outbuf *o = ctx->out;
    reply_map(o, 7);
    reply_bulk_cstr(o, "server");
    reply_bulk_cstr(o, "redis");
    reply_bulk_cstr(o, "version");
    reply_bulk_cstr(o, REDIS_COMPAT_VERSION);
    reply_bulk_cstr(o, "proto");
    reply_int(o, c->resp);
    reply_bulk_cstr(o, "id");
    reply_int(o, (long long)c->id);
    reply_bulk_cstr(o, "mode");
    reply_bulk_cstr(o, "standalone");
    reply_bulk_cstr(o, "role");
    reply_bulk_cstr(o, "master");
    reply_bulk_cstr(o, "modules");
    reply_array(o, 0);
}

static void client_id_command(struct cmdctx *ctx)
{
    reply_int(ctx->out, (long long)ctx->client->id);
}

static void client_setname_command(struct cmdctx *ctx)
{
    if (client_set_name(ctx, &ctx->argv[2]) == 0) reply_ok(ctx->out);
}

static void client_getname_command(struct cmdctx *ctx)
{
    pthread_mutex_lock(&registry_lock);
    char *name = ctx->client->name ? mem_strdup(ctx->client->name) : NULL;
    pthread_mutex_unlock(&registry_lock);
    if (name)
        reply_bulk_cstr(ctx->out, name);
    else
        reply_null(ctx->out);
    mem_free(name);
}

static void client_info_command(struct cmdctx *ctx)
{
    char line[2048];
    pthread_mutex_lock(&registry_lock);
    int n = client_format_info(ctx->client, line, sizeof(line) - 1, util_ms_now());
    pthread_mutex_unlock(&registry_lock);
    if (n > (int)sizeof(line) - 2) n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    reply_verbatim(ctx->out, line, (size_t)n);
}

/* Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them (Redis's
 * getClientType: a subscriber is "pubsub", the master client "master", a
 * replica of this server "replica"). */
static int client_type_by_name(const struct resp_arg *a)
{
    if (arg_eq(a, "normal")) return 0;
    if (arg_eq(a, "slave") || arg_eq(a, "replica")) return 1;
    if (arg_eq(a, "pubsub")) return 2;
    if (arg_eq(a, "master")) return 3;
    return -1;
}

static int client_type_of(const struct client *c)
{
    uint32_t flags = __atomic_load_n(&c->flags, __ATOMIC_RELAXED);
    if (flags & CLIENT_MASTER) return 3;
    if (flags & CLIENT_REPLICA) return 1;
    if (pubsub_client_subs(c, 0) + pubsub_client_subs(c, 1) > 0) return 2;
    return 0;
}

static void text_add_client(struct strbuf *t, struct client *c, int64_t now)
{
    char *at = strbuf_reserve(t, 2048);
    int n = client_format_info(c, at, 2047, now);
    if (n > 2046) n = 2046;
    at[n] = '\n';
    t->len += (size_t)n + 1;
}

static void client_list_command(struct cmdctx *ctx)
{
    int type = -1;
    long long *ids = NULL;
    int nids = 0;
    if (ctx->argc == 4 && arg_eq(&ctx->argv[2], "type")) {
        type = client_type_by_name(&ctx->argv[3]);
        if (type < 0) {
            reply_errorf(ctx->out, "ERR Unknown client type '%.*s'", (int)ctx->argv[3].len,
                         ctx->argv[3].ptr);
            return;
        }
    } else if (ctx->argc > 3 && arg_eq(&ctx->argv[2], "id")) {
        ids = mem_alloc(sizeof(long long) * (size_t)(ctx->argc - 3));
        for (int j = 3; j < ctx->argc; j++) {
            if (arg_ll(ctx, &ctx->argv[j], &ids[nids], "ERR Invalid client ID") < 0) {
                mem_free(ids);
                return;
            }
            nids++;
        }
    } else if (ctx->argc != 2) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }

    struct strbuf t = {0};
    int64_t now = util_ms_now();
    pthread_mutex_lock(&registry_lock);
    if (ids) {
        for (int i = 0; i < nids; i++)
            for (struct client *c = client_registry_first(); c; c = c->reg_next)
                if ((long long)c->id == ids[i] && !atomic_load(&c->kill_requested))
                    text_add_client(&t, c, now);
    } else {
        /* Oldest first, as Redis lists them. */
        struct client *last = client_registry_first();
        while (last && last->reg_next) last = last->reg_next;
        for (struct client *c = last; c; c = c->reg_prev) {
            if (atomic_load(&c->kill_requested)) continue;
            if (type >= 0 && client_type_of(c) != type) continue;
            text_add_client(&t, c, now);
        }
    }
    pthread_mutex_unlock(&registry_lock);
    reply_verbatim(ctx->out, t.p ? t.p : "", t.len);
    strbuf_free(&t);
    mem_free(ids);
}

struct kill_filter {
    const struct resp_arg *addr, *laddr;
    int type;
    uint64_t id;
    int skipme;
};

static int kill_filter_parse(struct cmdctx *ctx, struct kill_filter *f)
{
    for (int i = 2; i < ctx->argc; i += 2) {
        const struct resp_arg *opt = &ctx->argv[i];
        int more = ctx->argc > i + 1;
        const struct resp_arg *val = more ? &ctx->argv[i + 1] : NULL;
        if (arg_eq(opt, "id") && more) {
            long long id;
            if (!util_str_to_ll(val->ptr, val->len, &id) || id < 1) {
                reply_error(ctx->out, "ERR client-id should be greater than 0");
                return -1;
            }
            f->id = (uint64_t)id;
        } else if (arg_eq(opt, "type") && more) {
            f->type = client_type_by_name(val);
            if (f->type < 0) {
                reply_errorf(ctx->out, "ERR Unknown client type '%.*s'", (int)val->len, val->ptr);
                return -1;
            }
        } else if (arg_eq(opt, "addr") && more) {
            f->addr = val;
        } else if (arg_eq(opt, "laddr") && more) {
            f->laddr = val;
        } else if (arg_eq(opt, "user") && more) {
            if (!arg_eq(val, "default")) {
                reply_errorf(ctx->out, "ERR No such user '%.*s'", (int)val->len, val->ptr);
                return -1;
            }
        } else if (arg_eq(opt, "skipme") && more) {
            if (arg_eq(val, "yes"))
                f->skipme = 1;
            else if (arg_eq(val, "no"))
                f->skipme = 0;
            else {
                reply_error(ctx->out, ERR_SYNTAX);
                return -1;
            }
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

static int str_eq_arg(const char *s, const struct resp_arg *a)
{
    return strlen(s) == a->len && memcmp(s, a->ptr, a->len) == 0;
}

static int kill_filter_match(const struct kill_filter *f, const struct client *c,
                             const struct client *self)
{
    if (f->addr && !str_eq_arg(c->addr, f->addr)) return 0;
    if (f->laddr && !str_eq_arg(c->laddr, f->laddr)) return 0;
    if (f->type >= 0 && client_type_of(c) != f->type) return 0;
    if (f->id && c->id != f->id) return 0;
    if (c == self && f->skipme) return 0;
    return 1;
}

/* Kills matching clients: others are flagged and their worker woken (the
 * owner closes them); this client is closed after its reply. */
static void client_kill_command(struct cmdctx *ctx)
{
    struct kill_filter f = {.type = -1, .skipme = 1};
    int old_form = ctx->argc == 3;
    if (old_form) {
        f.addr = &ctx->argv[2];
        f.skipme = 0;
    } else if (kill_filter_parse(ctx, &f) < 0) {
        return;
    }
    int killed = 0, kill_self = 0;
    pthread_mutex_lock(&registry_lock);
    for (struct client *c = client_registry_first(); c; c = c->reg_next) {
        if (atomic_load(&c->kill_requested) || !kill_filter_match(&f, c, ctx->client)) continue;
        killed++;
        if (c == ctx->client) {
            kill_self = 1;
            continue;
        }
        atomic_store(&c->kill_requested, 1);
        if (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CLIENT_MASTER) replica_kill_link();
        io_worker_wake(c->worker);
    }
    pthread_mutex_unlock(&registry_lock);
    if (old_form) {
        if (killed == 0)
            reply_error(ctx->out, "ERR No such client");
        else
            reply_ok(ctx->out);
    } else {
        reply_int(ctx->out, killed);
    }
    if (kill_self) client_close_after_reply(ctx->client);
}

/* CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: answers a client blocked in
 * BLPOP and its kind as if it timed out, or with -UNBLOCKED; 1 if it was
 * blocked. */
static void client_unblock_command(struct cmdctx *ctx)
{
    if (ctx->argc > 4) {
        reply_subcommand_syntax_error(ctx);
        return;
    }
    int error = 0;
    if (ctx->argc == 4) {
        if (arg_eq(&ctx->argv[3], "error")) {
            error = 1;
        } else if (!arg_eq(&ctx->argv[3], "timeout")) {
            reply_error(ctx->out, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (arg_ll(ctx, &ctx->argv[2], &id, NULL) != 0) return;
    int done = 0;
    pthread_mutex_lock(&registry_lock);
    for (struct client *c = client_registry_first(); c; c = c->reg_next)
        if (c->id == (uint64_t)id) {
            done = blocking_unblock(c, error);
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    reply_int(ctx->out, done);
}

static void client_help_command(struct cmdctx *ctx)
{
    static const char *const lines[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        NULL,
    };
    reply_help(ctx, lines);
}

#define CONN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static const struct command client_subcommands[] = {
    {.name = "id",
     .proc = client_id_command,
     .arity = 2,
     .flags = CONN_FLAGS,
     .acl_categories = "@slow @connection",
     .group = "connection",
     .since = "5.0.0",
     .summary = "Returns the client ID for the current connection",
     .complexity = "O(1)"},
    {.name = "setname",
     .proc = client_setname_command,
     .arity = 3,
     .flags = CONN_FLAGS,
     .acl_categories = "@slow @connection",
     .group = "connection",
     .since = "2.6.9",
     .summary = "Set the current connection name",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "connection-name", .type = ARG_STRING})},
    {.name = "getname",
     .proc = client_getname_command,
     .arity = 2,
     .flags = CONN_FLAGS,
     .acl_categories = "@slow @connection",
     .group = "connection",
     .since = "2.6.9",
     .summary = "Get the current connection name",
     .complexity = "O(1)"},
    {.name = "list",
     .tips = "nondeterministic_output",
     .proc = client_list_command,
     .arity = -2,
     .flags = CONN_FLAGS | CMD_ADMIN,
     .acl_categories = "@admin @slow @dangerous @connection",
     .group = "connection",
     .since = "2.4.0",
     .summary = "Get the list of client connections",
     .complexity = "O(N) where N is the number of client connections",
     .args = COMMAND_ARGS(
         {.name = "normal_master_replica_pubsub",
          .type = ARG_ONEOF,
          .token = "TYPE",
          .since = "5.0.0",
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "normal", .type = ARG_PURE_TOKEN, .token = "NORMAL"},
                               {.name = "master", .type = ARG_PURE_TOKEN, .token = "MASTER"},
                               {.name = "replica", .type = ARG_PURE_TOKEN, .token = "REPLICA"},
                               {.name = "pubsub", .type = ARG_PURE_TOKEN, .token = "PUBSUB"})},
         {.name = "id",
          .type = ARG_BLOCK,
          .token = "ID",
          .since = "6.2.0",
          .flags = ARG_OPTIONAL,
          .args =
              COMMAND_ARGS({.name = "client-id", .type = ARG_INTEGER, .flags = ARG_MULTIPLE})})},
    {.name = "info",
     .tips = "nondeterministic_output",
     .proc = client_info_command,
     .arity = 2,
     .flags = CONN_FLAGS,
     .acl_categories = "@slow @connection",
     .group = "connection",
     .since = "6.2.0",
     .summary = "Returns information about the current client connection.",
     .complexity = "O(1)"},
    {.name = "unblock",
     .proc = client_unblock_command,
     .arity = -3,
     .flags = CONN_FLAGS | CMD_ADMIN | CMD_SENTINEL,
     .acl_categories = "@admin @slow @dangerous @connection",
     .group = "connection",
     .since = "5.0.0",
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .complexity = "O(log N) where N is the number of client connections",
     .args = COMMAND_ARGS(
         {.name = "client-id", .type = ARG_INTEGER},
         {.name = "timeout_error",
          .type = ARG_ONEOF,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "timeout", .type = ARG_PURE_TOKEN, .token = "TIMEOUT"},
                               {.name = "error", .type = ARG_PURE_TOKEN, .token = "ERROR"})})},
    {.name = "kill",
     .proc = client_kill_command,
     .arity = -3,
     .flags = CONN_FLAGS | CMD_ADMIN,
     .acl_categories = "@admin @slow @dangerous @connection",
     .group = "connection",
     .since = "2.4.0",
     .summary = "Kill the connection of a client",
     .complexity = "O(N) where N is the number of client connections",
     .args = COMMAND_ARGS(
         {.name = "filter",
          .type = ARG_ONEOF,
          .args = COMMAND_ARGS(
              {.name = "ip:port", .type = ARG_STRING, .deprecated_since = "2.8.12"},
              {.name = "new-format",
               .type = ARG_ONEOF,
               .flags = ARG_MULTIPLE,
               .args = COMMAND_ARGS(
                   {.name = "client-id",
                    .type = ARG_INTEGER,
                    .token = "ID",
                    .since = "2.8.12",
                    .flags = ARG_OPTIONAL},
                   {.name = "normal_master_slave_pubsub",
                    .type = ARG_ONEOF,
                    .token = "TYPE",
                    .since = "2.8.12",
                    .flags = ARG_OPTIONAL,
                    .args = COMMAND_ARGS(
                        {.name = "normal", .type = ARG_PURE_TOKEN, .token = "NORMAL"},
                        {.name = "master",
                         .type = ARG_PURE_TOKEN,
                         .token = "MASTER",
                         .since = "3.2.0"},
                        {.name = "slave", .type = ARG_PURE_TOKEN, .token = "SLAVE"},
                        {.name = "replica",
                         .type = ARG_PURE_TOKEN,
                         .token = "REPLICA",
                         .since = "5.0.0"},
                        {.name = "pubsub", .type = ARG_PURE_TOKEN, .token = "PUBSUB"})},
                   {.name = "username", .type = ARG_STRING, .token = "USER", .flags = ARG_OPTIONAL},
                   {.name = "ip:port", .type = ARG_STRING, .token = "ADDR", .flags = ARG_OPTIONAL},
                   {.name = "ip:port",
                    .type = ARG_STRING,
                    .token = "LADDR",
                    .since = "6.2.0",
                    .flags = ARG_OPTIONAL},
                   {.name = "yes/no",
                    .type = ARG_STRING,
                    .token = "SKIPME",
                    .flags = ARG_OPTIONAL})})})},
    {.name = "help",
     .proc = client_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "connection",
     .since = "5.0.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = NULL},
};

const struct command connection_commands[] = {
    {.name = "ping",
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .proc = ping_command,
     .arity = -1,
     .flags = CMD_FAST | CMD_SENTINEL,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "1.0.0",
     .summary = "Ping the server",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "message", .type = ARG_STRING, .flags = ARG_OPTIONAL})},
    {.name = "echo",
     .proc = echo_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "1.0.0",
     .summary = "Echo the given string",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "message", .type = ARG_STRING})},
    {.name = "quit",
     .proc = quit_command,
     .arity = -1,
     .flags = CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "1.0.0",
     .summary = "Close the connection",
     .complexity = "O(1)"},
    {.name = "hello",
     .proc = hello_command,
     .arity = -1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "6.0.0",
     .summary = "Handshake with Redis",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(
         {.name = "arguments",
          .type = ARG_BLOCK,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "protover", .type = ARG_INTEGER},
                               {.name = "username_password",
                                .type = ARG_BLOCK,
                                .token = "AUTH",
                                .flags = ARG_OPTIONAL,
                                .args = COMMAND_ARGS({.name = "username", .type = ARG_STRING},
                                                     {.name = "password", .type = ARG_STRING})},
                               {.name = "clientname",
                                .type = ARG_STRING,
                                .token = "SETNAME",
                                .flags = ARG_OPTIONAL})})},
    {.name = "auth",
     .proc = auth_command,
     .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY,
     .acl_categories = "@fast @connection",
     .group = "connection",
     .since = "1.0.0",
     .summary = "Authenticate to the server",
     .complexity = "O(N) where N is the number of passwords defined for the user",
     .args = COMMAND_ARGS(
         {.name = "username", .type = ARG_STRING, .since = "6.0.0", .flags = ARG_OPTIONAL},
         {.name = "password", .type = ARG_STRING})},
    {.name = "client",
     .proc = NULL,
     .arity = -2,
     .flags = CMD_SENTINEL,
     .acl_categories = "@slow",
     .group = "connection",
     .since = "2.4.0",
     .summary = "A container for client connection commands",
     .complexity = "Depends on subcommand.",
     .subcommands = client_subcommands},
    {.name = NULL},
};
