/*
 * command: the command table and dispatch. See command.h.
 *
 * Dispatch order follows Redis's processCommand: existence, arity, auth,
 * then run. Running a command means: collect the shards of its keys, sort
 * them, lock them in ascending order, call the command, unlock, count.
 */
#include "engine/command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "engine/multi.h"
#include "engine/propagate.h"
#include "engine/pubsub.h"
#include "engine/repl.h"
#include "engine/replica.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/util.h"

#define LOOKUP_SLOTS 1024
#define MAX_COMMANDS 512

static const struct command *all_commands[MAX_COMMANDS]; /* by id */
static int all_count, top_count;
static const struct command *lookup_table[LOOKUP_SLOTS];

static uint64_t name_hash(const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
        h = (h ^ ch) * 1099511628211ULL;
    }
    return h;
}

static void command_register(struct command *cmd)
{
    if (all_count >= MAX_COMMANDS) {
        fprintf(stderr, "command table full\n");
        abort();
    }
    cmd->id = all_count;
    all_commands[all_count++] = cmd;
}

/* The groups' tables are const; the live table is a copy made here, where
 * each command gets its statistics id and each subcommand its parent. */
static void command_add_top(const struct command *def)
{
    struct command *cmd = mem_alloc(sizeof(*cmd));
    *cmd = *def;
    command_register(cmd);
    top_count++;
    size_t len = strlen(cmd->name);
    uint64_t slot = name_hash(cmd->name, len) & (LOOKUP_SLOTS - 1);
    while (lookup_table[slot]) slot = (slot + 1) & (LOOKUP_SLOTS - 1);
    lookup_table[slot] = cmd;
    if (!def->subcommands) return;
    size_t nsub = 0;
    while (def->subcommands[nsub].name) nsub++;
    struct command *subs = mem_calloc(nsub + 1, sizeof(*subs));
    for (size_t i = 0; i < nsub; i++) {
        subs[i] = def->subcommands[i];
        subs[i].parent = cmd->name;
        command_register(&subs[i]);
    }
    cmd->subcommands = subs;
}

void command_table_init(void)
{
    const struct command *groups[] = {string_commands,     key_commands,     server_commands,
                                      connection_commands, pubsub_commands,  list_commands,
                                      multi_commands,      hash_commands,    set_commands,
                                      zset_commands,       persist_commands, repl_commands};
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        for (const struct command *cmd = groups[g]; cmd->name; cmd++) command_add_top(cmd);
}

int command_count_all(void)
{
    return all_count;
}

int command_count(void)
{
    return top_count;
}

const struct command *command_by_id(int id)
{
    return all_commands[id];
}

const struct command *command_lookup(const char *name, size_t len)
{
    uint64_t slot = name_hash(name, len) & (LOOKUP_SLOTS - 1);
    for (int probes = 0; probes < LOOKUP_SLOTS && lookup_table[slot]; probes++) {
        const struct command *cmd = lookup_table[slot];
        if (strlen(cmd->name) == len && strncasecmp(cmd->name, name, len) == 0) return cmd;
        slot = (slot + 1) & (LOOKUP_SLOTS - 1);
    }
    return NULL;
}

const struct command *command_lookup_sub(const struct command *cmd, const char *name, size_t len)
{
    if (!cmd->subcommands) return NULL;
    for (const struct command *sub = cmd->subcommands; sub->name; sub++)
        if (strlen(sub->name) == len && strncasecmp(sub->name, name, len) == 0) return sub;
    return NULL;
}

const struct command *command_lookup_fullname(const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar) return command_lookup(name, len);
    const struct command *parent = command_lookup(name, (size_t)(bar - name));
    if (!parent) return NULL;
    return command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
}

void command_foreach(void (*fn)(void *ctx, const struct command *cmd), void *ctx)
{
    for (int i = 0; i < all_count; i++)
        if (!all_commands[i]->parent) fn(ctx, all_commands[i]);
}

void command_fullname(const struct command *cmd, char *buf, size_t size)
{
    if (cmd->parent)
        snprintf(buf, size, "%s|%s", cmd->parent, cmd->name);
    else
        snprintf(buf, size, "%s", cmd->name);
}

struct entry *cmd_lookup_read(struct cmdctx *ctx, const struct resp_arg *key)
{
    struct entry *e = ks_find(ctx->db, key->ptr, key->len, ctx->now_ms);
    stat_add(e ? &ctx->ws->keyspace_hits : &ctx->ws->keyspace_misses, 1);
    return e;
}

int cmd_check_type(struct cmdctx *ctx, const struct entry *e, int type)
{
    if (!e || e->type == type) return 0;
    reply_error(ctx->out, ERR_WRONGTYPE);
    return -1;
}

struct entry *cmd_lookup_notouch(struct cmdctx *ctx, const struct resp_arg *key)
{
    struct entry *e = ks_peek(ctx->db, key->ptr, key->len);
    if (e && ks_expire_if_needed(ctx->db, e, ctx->now_ms)) e = NULL;
    stat_add(e ? &ctx->ws->keyspace_hits : &ctx->ws->keyspace_misses, 1);
    return e;
}

struct entry *cmd_lookup_write(struct cmdctx *ctx, const struct resp_arg *key)
{
    return ks_find(ctx->db, key->ptr, key->len, ctx->now_ms);
}

void cmd_dirty(struct cmdctx *ctx, unsigned long long n)
{
    stat_add(&ctx->ws->dirty, n);
}

int arg_eq(const struct resp_arg *a, const char *lit)
{
    size_t n = strlen(lit);
    return a->len == n && strncasecmp(a->ptr, lit, n) == 0;
}

int arg_ll(struct cmdctx *ctx, const struct resp_arg *a, long long *out, const char *msg)
{
    if (util_str_to_ll(a->ptr, a->len, out)) return 0;
    reply_error(ctx->out, msg ? msg : ERR_NOT_INTEGER);
    return -1;
}

void reply_wrong_arity(struct cmdctx *ctx)
{
    char name[128];
    command_fullname(ctx->cmd, name, sizeof(name));
    reply_errorf(ctx->out, "ERR wrong number of arguments for '%s' command", name);
}

/* A command name in capitals, as help texts and errors show it. */
static void name_upper(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name[i] && i < size - 1; i++)
        out[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    out[i] = '\0';
}

void reply_help(struct cmdctx *ctx, const char *const *lines)
{
    char upper[64], header[256];
    name_upper(ctx->cmd->parent ? ctx->cmd->parent : ctx->cmd->name, upper, sizeof(upper));
    snprintf(header, sizeof(header),
             "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", upper);
    long long n = 0;
    while (lines[n]) n++;
    reply_array(ctx->out, n + 3);
    reply_status(ctx->out, header);
    for (long long j = 0; j < n; j++) reply_status(ctx->out, lines[j]);
    reply_status(ctx->out, "HELP");
    reply_status(ctx->out, "    Prints this help.");
}

/* Redis's "unknown command" error: the name and the first arguments, at
 * most 128 characters of arguments in all. */
static void reply_unknown_command(struct outbuf *out, int argc, const struct resp_arg *argv)
{
    char args[512];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < argc && used < 128; i++) {
        int room = 128 - (int)used;
        int n = (int)(argv[i].len < (size_t)room ? argv[i].len : (size_t)room);
        int w = snprintf(args + used, sizeof(args) - used, "'%.*s' ", n, argv[i].ptr);
        used += (size_t)w;
    }
    int nlen = (int)(argv[0].len > 128 ? 128 : argv[0].len);
    reply_errorf(out, "ERR unknown command '%.*s', with args beginning with: %s", nlen, argv[0].ptr,
                 args);
}

static void reply_unknown_subcommand_of(struct outbuf *out, const struct command *cmd,
                                        const struct resp_arg *sub)
{
    char upper[64];
    name_upper(cmd->name, upper, sizeof(upper));
    int n = (int)(sub->len > 128 ? 128 : sub->len);
    reply_errorf(out, "ERR unknown subcommand '%.*s'. Try %s HELP.", n, sub->ptr, upper);
}

void reply_subcommand_syntax_error(struct cmdctx *ctx)
{
    char upper[64];
    const char *container = ctx->cmd->parent ? ctx->cmd->parent : ctx->cmd->name;
    name_upper(container, upper, sizeof(upper));
    const struct resp_arg *sub = &ctx->argv[1];
    int n = (int)(sub->len > 128 ? 128 : sub->len);
    reply_errorf(ctx->out,
                 "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try %s HELP.", n,
                 sub->ptr, upper);
}

static int arity_ok(const struct command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

/* The keys named by a keynum spec: first and count of them, or 0 when the
 * count is not a positive integer that fits the arguments (the command then
 * replies its error without touching a key). */
static int keynum_keys(const struct command *cmd, int argc, const struct resp_arg *argv, int *first)
{
    int idx = cmd->keynum_index;
    if (idx <= 0 || idx >= argc) return 0;
    long long n;
    if (!util_str_to_ll(argv[idx].ptr, argv[idx].len, &n) || n <= 0 || n > argc - idx - 1) return 0;
    *first = idx + 1;
    return (int)n;
}

static int add_key_shard(struct db *db, const struct resp_arg *key, unsigned *shards, int n)
{
    uint64_t hash = ks_hash(key->ptr, key->len);
    /* Start fetching the lock and the bucket now: they arrive while the
     * remaining keys are hashed and the locks are taken. */
    ks_prefetch(db, hash);
    shards[n] = ks_shard_of_hash(hash);
    return n + 1;
}

int command_key_shards(const struct command *cmd, struct db *db, int argc,
                       const struct resp_arg *argv, unsigned *shards, int max)
{
    int n = 0, more = 0;
    if (cmd->first_key > 0 && cmd->first_key < argc) {
        int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
        if (last >= argc) last = argc - 1;
        int step = cmd->key_step > 0 ? cmd->key_step : 1;
        for (int i = cmd->first_key; i <= last; i += step) {
            if (n == max) {
                more = 1;
                break;
            }
            n = add_key_shard(db, &argv[i], shards, n);
        }
    }
    int first;
    int nkeys = keynum_keys(cmd, argc, argv, &first);
    for (int i = first; i < first + nkeys; i++) {
        if (n == max) {
            more = 1;
            break;
        }
        n = add_key_shard(db, &argv[i], shards, n);
    }
    if (n > 1) {
        qsort(shards, (size_t)n, sizeof(unsigned), cmp_unsigned);
        int u = 1;
        for (int i = 1; i < n; i++)
            if (shards[i] != shards[u - 1]) shards[u++] = shards[i];
        n = u;
    }
    /* Keys left over may live in any shard: the caller locks them all. */
    return more ? max : n;
}

/* The command, run while its locks are held; then, still holding them,
 * its effect is published (so the stream's order is the apply order) and
 * the clients blocked on keys it filled get their elements before anyone
 * else can see them. */
static void run_holding(struct cmdctx *ctx, const struct propagate_mark *pm)
{
    propagate_locked_section(1);
    ctx->cmd->proc(ctx);
    propagate_command_end(ctx, pm);
    propagate_flush();
    propagate_locked_section(0);
    if (blocking_nready) blocking_serve_held(ctx->now_ms);
}

/* Locks what the command needs and runs it. A command with more distinct
 * shards than fit the array locks the whole db instead. */
static void command_run_locked(struct cmdctx *ctx, const struct propagate_mark *pm)
{
    const struct command *cmd = ctx->cmd;
    if (cmd->flags & CMD_NO_LOCK) {
        /* It locks for itself (and EXEC publishes under its locks). */
        cmd->proc(ctx);
        propagate_command_end(ctx, pm);
        propagate_flush();
    } else if (cmd->flags & CMD_LOCK_ALL) {
        for (int d = 0; d < keyspace.ndbs; d++) ks_lock_all(ks_db(d));
        run_holding(ctx, pm);
        for (int d = keyspace.ndbs; d-- > 0;) ks_unlock_all(ks_db(d));
    } else {
        unsigned shards[KS_SHARDS];
        int n = (cmd->flags & CMD_LOCK_DB)
                    ? -1
                    : command_key_shards(cmd, ctx->db, ctx->argc, ctx->argv, shards, KS_SHARDS);
        if (n < 0 || n >= (int)KS_SHARDS) {
            ks_lock_all(ctx->db);
            run_holding(ctx, pm);
            ks_unlock_all(ctx->db);
        } else {
            for (int i = 0; i < n; i++) ks_lock(ctx->db, shards[i]);
            run_holding(ctx, pm);
            for (int i = n; i-- > 0;) ks_unlock(ctx->db, shards[i]);
        }
    }
    if (blocking_nready) blocking_serve_rest(ctx->now_ms);
}

/* The first byte a command wrote tells whether it replied with an error
 * (failed_calls, total_error_replies). */
struct reply_mark {
    struct outbuf_chunk *chunk;
    size_t used;
};

static struct reply_mark reply_mark_take(const struct outbuf *o)
{
    struct reply_mark m = {o->tail, o->tail ? o->tail->used : 0};
    return m;
}

/* Copies the error code (the word after '-') of the reply written since
 * the mark into code; returns its length, 0 when the reply is no error. */
static size_t reply_mark_error_code(const struct outbuf *o, struct reply_mark m, char *code,
                                    size_t size)
{
    const struct outbuf_chunk *c = m.chunk;
    size_t at = m.used;
    if (!c) {
        c = o->head;
        at = 0;
    } else if (at >= c->used) {
        c = c->next;
        at = 0;
    }
    if (!c || at >= c->used || c->data[at] != '-') return 0;
    size_t n = 0;
    for (at++; at < c->used && n < size - 1; at++) {
        char ch = c->data[at];
        if (ch == ' ' || ch == '\r') break;
        code[n++] = ch;
    }
    return n;
}

/* Counts a command refused before it ran; inside MULTI the refusal also
 * dooms the transaction (EXEC answers EXECABORT), as in Redis. */
static void command_count_rejected(struct client *c, struct worker_state *ws,
                                   const struct command *cmd, const char *code)
{
    if (c->multi) multi_flag_error(c);
    if (cmd) stat_add(&ws->cmdstats[cmd->id].rejected_calls, 1);
    atomic_fetch_add_explicit(&server.total_error_replies, 1, memory_order_relaxed);
    server_count_error(ws, code, strlen(code));
}

/* enable-debug-command: "yes" for everyone, "local" for loopback clients. */
/* Refuses cmd with text, a whole error line whose first word is its code.
 * A refused EXEC ends the transaction and drops the watches, as Redis's
 * rejectCommand does: the answer is EXECABORT quoting the reason. */
static void command_reject(struct client *c, struct worker_state *ws, const struct command *cmd,
                           const char *text)
{
    if (!cmd->parent && strcmp(cmd->name, "exec") == 0) {
        multi_discard(c); /* even outside MULTI: the watches go too */
        const char *why = strncmp(text, "ERR ", 4) == 0 ? text + 4 : text;
        reply_errorf(c->out, "EXECABORT Transaction discarded because of: %s", why);
        command_count_rejected(c, ws, cmd, "EXECABORT");
        return;
    }
    reply_error(c->out, text);
    char code[32];
    size_t n = strcspn(text, " ");
    snprintf(code, sizeof(code), "%.*s", (int)(n < sizeof(code) - 1 ? n : sizeof(code) - 1), text);
    command_count_rejected(c, ws, cmd, code);
}

/* A RESP2 client listening to channels may only run these (Redis's
 * subscribed context). */
static int pubsub_context_allows(const struct command *cmd)
{
    static const char *const allowed[] = {"ping",         "subscribe",    "ssubscribe",
                                          "unsubscribe",  "sunsubscribe", "psubscribe",
                                          "punsubscribe", "quit",         "reset"};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (!cmd->parent && strcmp(cmd->name, allowed[i]) == 0) return 1;
    return 0;
}

static int protected_command_allowed(const struct client *c)
{
    int setting = config.enable_debug_command;
    return setting == PROTECTED_ACTION_YES || (setting == PROTECTED_ACTION_LOCAL && c->is_local);
}

void command_clock_start(struct command_clock *clock)
{
    clock->mono_base_us = clock->mono_now_us = util_monotonic_us();
    clock->wall_ms_base = util_ms_now();
}

void command_execute(struct client *c, int argc, const struct resp_arg *argv,
                     struct command_clock *clock)
{
    struct worker_state *ws = server_worker_self();
    struct outbuf *out = c->out;
    const struct command *cmd = command_lookup(argv[0].ptr, argv[0].len);

    if (cmd && cmd->subcommands && argc >= 2) {
        const struct command *sub = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
        if (!sub) {
            reply_unknown_subcommand_of(out, cmd, &argv[1]);
            command_count_rejected(c, ws, NULL, "ERR");
            return;
        }
        cmd = sub;
    }
    __atomic_store_n(&c->last_cmd, cmd, __ATOMIC_RELAXED);
    if (!cmd) {
        reply_unknown_command(out, argc, argv);
        command_count_rejected(c, ws, NULL, "ERR");
        return;
    }
    char name[128], text[512]; /* the name is formatted only for an error */
    if (!arity_ok(cmd, argc)) {
        command_fullname(cmd, name, sizeof(name));
        snprintf(text, sizeof(text), "ERR wrong number of arguments for '%s' command", name);
        command_reject(c, ws, cmd, text);
        return;
    }
    if ((cmd->flags & CMD_PROTECTED) && !protected_command_allowed(c)) {
        command_reject(c, ws, cmd,
                       "ERR DEBUG command not allowed. If the enable-debug-command option is "
                       "set to \"local\", you can run it from a local connection, otherwise you "
                       "need to set this option in the configuration file, and then restart the "
                       "server.");
        return;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        command_reject(c, ws, cmd, "NOAUTH Authentication required.");
        return;
    }

    /* min-replicas-to-write: no write (nor EXEC of writes) without enough
     * replicas that acknowledged within min-replicas-max-lag. */
    uint32_t writes = cmd->flags & CMD_WRITE;
    if (cmd->flags & CMD_NO_PROPAGATE) writes = multi_queued_flags(c) & CMD_WRITE;
    if (writes && !repl_enough_good_replicas()) {
        command_reject(c, ws, cmd, "NOREPLICAS Not enough good replicas to write.");
        return;
    }
    int is_exec = (cmd->flags & CMD_NO_PROPAGATE) != 0;
    int from_master = (c->flags & CLIENT_MASTER) != 0;
    if (writes && !from_master && replica_active() && CONFIG_READ(replica_read_only)) {
        command_reject(c, ws, cmd, "READONLY You can't write against a read only replica.");
        return;
    }

    if (pubsub_client_count(c) > 0 && !pubsub_context_allows(cmd)) {
        command_fullname(cmd, name, sizeof(name));
        snprintf(text, sizeof(text),
                 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                 "QUIT / RESET are allowed in this context",
                 name);
        command_reject(c, ws, cmd, text);
        return;
    }

    /* A replica whose link is down, or that loads its primary's data. */
    if (replica_active() && !from_master && !replica_link_up() &&
        !CONFIG_READ(replica_serve_stale_data) &&
        (!(cmd->flags & CMD_STALE) || (is_exec && (multi_queued_inv_flags(c) & CMD_STALE)))) {
        command_reject(c, ws, cmd,
                       "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set "
                       "to 'no'.");
        return;
    }
    int loading = replica_loading();
    if (loading && !from_master &&
        (loading == 2
             ? ((cmd->flags | (is_exec ? multi_queued_flags(c) : 0)) & CMD_NO_ASYNC_LOADING) != 0
             : !(cmd->flags & CMD_LOADING) ||
                   (is_exec && (multi_queued_inv_flags(c) & CMD_LOADING)))) {
        command_reject(c, ws, cmd, "LOADING Redis is loading the dataset in memory");
        return;
    }

    /* Expired keys on a replica: its primary deletes them (the stream
     * says DEL); the primary's commands see them, readers do not. */
    if (replica_active())
        ks_expiry_policy = from_master ? KS_EXPIRY_IGNORE
                           : writes    ? KS_EXPIRY_DELETE
                                       : KS_EXPIRY_HIDE;
    else
        ks_expiry_policy = KS_EXPIRY_DELETE;

    if (c->multi && !multi_runs_immediately(cmd)) {
        if (cmd->flags & CMD_NO_MULTI) {
            command_reject(c, ws, cmd, "ERR Command not allowed inside a transaction");
            return;
        }
        multi_queue(c, cmd, argc, argv);
        return;
    }

    struct cmdctx ctx = {
        .client = c,
        .out = out,
        .argc = argc,
        .argv = argv,
        .db = ks_db(c->db_id),
        .now_ms = clock->wall_ms_base + (clock->mono_now_us - clock->mono_base_us) / 1000,
        .cmd = cmd,
        .ws = ws,
        .clock = clock,
    };
    command_call(&ctx, 1);
}

void command_call(struct cmdctx *ctx, int take_locks)
{
    struct command_clock *clock = ctx->clock;
    struct worker_state *ws = ctx->ws;
    const struct command *cmd = ctx->cmd;
    struct reply_mark mark = reply_mark_take(ctx->out);
    int64_t start = clock->mono_now_us;
    struct propagate_mark pm;
    propagate_command_begin(ctx, &pm);
    uint64_t published = propagate_published();
    if (take_locks) {
        command_run_locked(ctx, &pm);
    } else {
        cmd->proc(ctx); /* inside EXEC, which publishes at its end */
        propagate_command_end(ctx, &pm);
    }
    /* WAIT waits for the stream up to this client's last write. */
    if (propagate_published() != published && ctx->client)
        ctx->client->woff_logpos = propagate_last_position();
    clock->mono_now_us = util_monotonic_us();
    int64_t elapsed = clock->mono_now_us - start;

    struct command_stats *st = &ws->cmdstats[cmd->id];
    stat_add(&st->calls, 1);
    stat_add(&st->usec, (uint64_t)elapsed);
    stat_add(&ws->commands_processed, 1);
    char code[32];
    size_t code_len = reply_mark_error_code(ctx->out, mark, code, sizeof(code));
    if (code_len > 0) {
        stat_add(&st->failed_calls, 1);
        atomic_fetch_add_explicit(&server.total_error_replies, 1, memory_order_relaxed);
        server_count_error(ws, code, code_len);
    }
}
