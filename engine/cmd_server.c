/*
 * cmd_server: server administration and introspection commands: INFO,
 * CONFIG (GET SET RESETSTAT HELP), COMMAND (COUNT INFO DOCS LIST HELP),
 * TIME, DEBUG (DIGEST, RELOAD, SLEEP, SET-ACTIVE-EXPIRE, HELP), SHUTDOWN.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/alloc.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/digest.h"
#include "engine/glob.h"
#include "engine/info.h"
#include "engine/keyspace.h"
#include "engine/log.h"
#include "engine/persist.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/util.h"

/* ---- CONFIG ---- */

struct config_pairs {
    struct outbuf *out;
    long long n;
    char **names, **values;
    long long cap;
};

static void config_collect(void *ctx, const char *name, const char *value)
{
    struct config_pairs *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->names = mem_realloc(p->names, sizeof(char *) * (size_t)p->cap);
        p->values = mem_realloc(p->values, sizeof(char *) * (size_t)p->cap);
    }
    p->names[p->n] = mem_strdup(name);
    p->values[p->n] = mem_strdup(value);
    p->n++;
}

static void config_get_command(struct cmdctx *ctx)
{
    int n = ctx->argc - 2;
    const char **patterns = mem_alloc(sizeof(char *) * (size_t)n);
    size_t *lens = mem_alloc(sizeof(size_t) * (size_t)n);
    for (int i = 0; i < n; i++) {
        patterns[i] = ctx->argv[i + 2].ptr;
        lens[i] = ctx->argv[i + 2].len;
    }
    struct config_pairs pairs = {.out = ctx->out};
    config_get(patterns, lens, n, config_collect, &pairs);
    reply_map(ctx->out, pairs.n);
    for (long long i = 0; i < pairs.n; i++) {
        reply_bulk_cstr(ctx->out, pairs.names[i]);
        reply_bulk_cstr(ctx->out, pairs.values[i]);
        mem_free(pairs.names[i]);
        mem_free(pairs.values[i]);
    }
    mem_free(pairs.names);
    mem_free(pairs.values);
    mem_free(patterns);
    mem_free(lens);
}

static void config_set_command(struct cmdctx *ctx)
{
    if ((ctx->argc - 2) % 2 != 0) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    int n = (ctx->argc - 2) / 2;
    const char **names = mem_alloc(sizeof(char *) * (size_t)n);
    const char **values = mem_alloc(sizeof(char *) * (size_t)n);
    size_t *nlens = mem_alloc(sizeof(size_t) * (size_t)n);
    size_t *vlens = mem_alloc(sizeof(size_t) * (size_t)n);
    for (int i = 0; i < n; i++) {
        names[i] = ctx->argv[2 + 2 * i].ptr;
        nlens[i] = ctx->argv[2 + 2 * i].len;
        values[i] = ctx->argv[3 + 2 * i].ptr;
        vlens[i] = ctx->argv[3 + 2 * i].len;
    }
    char err[512];
    if (config_set(names, nlens, values, vlens, n, err, sizeof(err)) < 0)
        reply_error(ctx->out, err);
    else
        reply_ok(ctx->out);
    mem_free(names);
    mem_free(values);
    mem_free(nlens);
    mem_free(vlens);
}

/* Clears the statistics INFO reports, as Redis's resetServerStats and the
 * command table counters. Racy against workers updating their own counters
 * at the same moment, which is fine for statistics. */
static void config_resetstat_command(struct cmdctx *ctx)
{
    int ncmd = command_count_all();
    for (int w = 0; w < server.nstates; w++) {
        struct worker_state *ws = &server.workers[w];
        if (ws->cmdstats)
            for (int i = 0; i < ncmd; i++) {
                __atomic_store_n(&ws->cmdstats[i].calls, 0, __ATOMIC_RELAXED);
                __atomic_store_n(&ws->cmdstats[i].usec, 0, __ATOMIC_RELAXED);
                __atomic_store_n(&ws->cmdstats[i].rejected_calls, 0, __ATOMIC_RELAXED);
                __atomic_store_n(&ws->cmdstats[i].failed_calls, 0, __ATOMIC_RELAXED);
            }
        __atomic_store_n(&ws->commands_processed, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&ws->net_input_bytes, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&ws->net_output_bytes, 0, __ATOMIC_RELAXED);
        int nerrors = __atomic_load_n(&ws->nerrors, __ATOMIC_RELAXED);
        for (int e = 0; e < nerrors; e++)
            __atomic_store_n(&ws->errors[e].count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&ws->keyspace_hits, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&ws->keyspace_misses, 0, __ATOMIC_RELAXED);
    }
    atomic_store(&server.total_connections_received, 0);
    atomic_store(&server.rejected_connections, 0);
    atomic_store(&server.total_error_replies, 0);
    atomic_store(&keyspace.expired_keys, 0);
    reply_ok(ctx->out);
}

static void config_help_command(struct cmdctx *ctx)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        NULL,
    };
    reply_help(ctx, lines);
}

/* ---- COMMAND ---- */

struct flag_name {
    uint32_t flag;
    const char *name;
};

static const struct flag_name command_flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_NO_MULTI, "no_multi"},
    {0, "movablekeys"}, /* not a table flag: derived, see command_has_flag */
    {CMD_ALLOW_BUSY, "allow_busy"},
};

/* Whether COMMAND INFO lists the flag for cmd. "movablekeys" is Redis's
 * name for keys that only the arguments locate: a keynum spec (ZUNION,
 * SINTERCARD, LMPOP), so the table says it once, with keynum_index. */
static int command_has_flag(const struct command *cmd, const struct flag_name *f)
{
    return f->flag ? (cmd->flags & f->flag) != 0 : cmd->keynum_index > 0;
}

static void reply_command_flags(struct outbuf *o, const struct command *cmd)
{
    size_t n = 0, total = sizeof(command_flag_names) / sizeof(command_flag_names[0]);
    for (size_t i = 0; i < total; i++)
        if (command_has_flag(cmd, &command_flag_names[i])) n++;
    reply_array(o, (long long)n);
    for (size_t i = 0; i < total; i++)
        if (command_has_flag(cmd, &command_flag_names[i]))
            reply_status(o, command_flag_names[i].name);
}

/* Finds the next space-separated word of s at or after *pos: sets *start
 * and *len and advances *pos; returns 0 when no word is left. */
static int next_word(const char *s, size_t *pos, const char **start, size_t *len)
{
    if (!s) return 0;
    const char *p = s + *pos;
    while (*p == ' ') p++;
    if (!*p) return 0;
    *start = p;
    while (*p && *p != ' ') p++;
    *len = (size_t)(p - *start);
    *pos = (size_t)(p - s);
    return 1;
}

/* Replies the space-separated words of s as an array: of statuses (ACL
 * categories, key-spec flags) or of bulk strings (tips). */
static void reply_word_list(struct outbuf *o, const char *s, int as_status)
{
    const char *w;
    size_t len, pos = 0;
    long long n = 0;
    while (next_word(s, &pos, &w, &len)) n++;
    reply_array(o, n);
    pos = 0;
    while (next_word(s, &pos, &w, &len)) {
        if (!as_status) {
            reply_bulk(o, w, len);
            continue;
        }
        char word[64];
        if (len > sizeof(word) - 1) len = sizeof(word) - 1;
        memcpy(word, w, len);
        word[len] = '\0';
        reply_status(o, word);
    }
}

static void reply_words(struct outbuf *o, const char *s)
{
    reply_word_list(o, s, 1);
}

/* The start of one key spec: notes, flags (words) and begin_search by
 * index, up to the "find_keys" name; the caller replies its value. */
static void reply_key_spec_begin(struct outbuf *o, const char *flags, size_t flags_len,
                                 const char *notes, int index)
{
    char words[128];
    if (flags_len >= sizeof(words)) flags_len = sizeof(words) - 1;
    memcpy(words, flags, flags_len);
    words[flags_len] = '\0';
    reply_map(o, notes ? 4 : 3);
    if (notes) {
        reply_bulk_cstr(o, "notes");
        reply_bulk_cstr(o, notes);
    }
    reply_bulk_cstr(o, "flags");
    reply_words(o, words);
    reply_bulk_cstr(o, "begin_search");
    reply_map(o, 2);
    reply_bulk_cstr(o, "type");
    reply_bulk_cstr(o, "index");
    reply_bulk_cstr(o, "spec");
    reply_map(o, 1);
    reply_bulk_cstr(o, "index");
    reply_int(o, index);
    reply_bulk_cstr(o, "find_keys");
}

/* find_keys by range: lastkey (relative to the begin_search index, or
 * negative from the end), keystep, no limit. */
static void reply_find_keys_range(struct outbuf *o, int lastkey, int keystep)
{
    reply_map(o, 2);
    reply_bulk_cstr(o, "type");
    reply_bulk_cstr(o, "range");
    reply_bulk_cstr(o, "spec");
    reply_map(o, 3);
    reply_bulk_cstr(o, "lastkey");
    reply_int(o, lastkey);
    reply_bulk_cstr(o, "keystep");
    reply_int(o, keystep);
    reply_bulk_cstr(o, "limit");
    reply_int(o, 0);
}

/* find_keys by keynum: the count is the begin_search argument itself
 * (keynumidx 0) and the keys follow it one by one (firstkey 1, keystep
 * 1), as every keynum command of Redis 7.0 has it. */
static void reply_find_keys_keynum(struct outbuf *o)
{
    reply_map(o, 2);
    reply_bulk_cstr(o, "type");
    reply_bulk_cstr(o, "keynum");
    reply_bulk_cstr(o, "spec");
    reply_map(o, 3);
    reply_bulk_cstr(o, "keynumidx");
    reply_int(o, 0);
    reply_bulk_cstr(o, "firstkey");
    reply_int(o, 1);
    reply_bulk_cstr(o, "keystep");
    reply_int(o, 1);
}

/* The command's key specs, in Redis's order. key_flags holds each spec's
 * flags, "|"-separated. The keys from first_key on come first, one spec
 * per flag set: each covers one key, the last one the rest up to last_key
 * (RENAME: the source, then the destination; SINTERSTORE: the
 * destination, then every source; GET: its key). A keynum command
 * (keynum_index > 0) ends with its keynum spec, which takes the last flag
 * set: ZUNIONSTORE's "OW update|RO access" is the destination, then the
 * sources; SINTERCARD's "RO access" the keys alone. The notes belong to a
 * command's only spec. */
static void reply_key_specs(struct outbuf *o, const struct command *cmd)
{
    int keynum = cmd->keynum_index > 0;
    if (cmd->first_key <= 0 && !keynum) {
        reply_array(o, 0);
        return;
    }
    const char *flags = cmd->key_flags;
    if (!flags) flags = (cmd->flags & CMD_WRITE) ? "RW update" : "RO access";
    int sets = 1;
    for (const char *p = flags; *p; p++) sets += *p == '|';
    int leading = cmd->first_key <= 0 ? 0 : (keynum && sets > 1 ? sets - 1 : sets);
    const char *notes = leading + keynum == 1 ? cmd->key_notes : NULL;
    reply_array(o, leading + keynum);
    const char *start = flags;
    for (int i = 0; i < leading; i++) {
        const char *end = strchr(start, '|');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        int index = cmd->first_key + i, lastkey = 0, step = 1;
        if (i == leading - 1) {
            lastkey = cmd->last_key < 0 ? cmd->last_key : cmd->last_key - index;
            if (cmd->key_step > 0) step = cmd->key_step;
        }
        reply_key_spec_begin(o, start, len, notes, index);
        reply_find_keys_range(o, lastkey, step);
        if (end) start = end + 1;
    }
    if (keynum) {
        const char *last_set = strrchr(flags, '|');
        last_set = last_set ? last_set + 1 : flags;
        reply_key_spec_begin(o, last_set, strlen(last_set), notes, cmd->keynum_index);
        reply_find_keys_keynum(o);
    }
}

static long long count_subcommands(const struct command *cmd)
{
    long long n = 0;
    if (cmd->subcommands)
        for (const struct command *s = cmd->subcommands; s->name; s++) n++;
    return n;
}

static void reply_command_info(struct outbuf *o, const struct command *cmd)
{
    if (!cmd) {
        reply_null_array(o);
        return;
    }
    char name[128];
    command_fullname(cmd, name, sizeof(name));
    reply_array(o, 10);
    reply_bulk_cstr(o, name);
    reply_int(o, cmd->arity);
    reply_command_flags(o, cmd);
    reply_int(o, cmd->first_key);
    reply_int(o, cmd->first_key > 0 ? cmd->last_key : 0);
    reply_int(o, cmd->first_key > 0 ? (cmd->key_step > 0 ? cmd->key_step : 1) : 0);
    reply_words(o, cmd->acl_categories);
    reply_word_list(o, cmd->tips, 0);
    reply_key_specs(o, cmd);
    reply_array(o, count_subcommands(cmd));
    if (cmd->subcommands)
        for (const struct command *s = cmd->subcommands; s->name; s++) reply_command_info(o, s);
}

static void reply_command_docs(struct outbuf *o, const struct command *cmd)
{
    long long n = 1 + (cmd->summary != NULL) + (cmd->since != NULL) + (cmd->complexity != NULL) +
                  (cmd->args != NULL) + (cmd->subcommands != NULL);
    reply_map(o, n);
    if (cmd->summary) {
        reply_bulk_cstr(o, "summary");
        reply_bulk_cstr(o, cmd->summary);
    }
    if (cmd->since) {
        reply_bulk_cstr(o, "since");
        reply_bulk_cstr(o, cmd->since);
    }
    reply_bulk_cstr(o, "group");
    reply_bulk_cstr(o, cmd->group ? cmd->group : "server");
    if (cmd->complexity) {
        reply_bulk_cstr(o, "complexity");
        reply_bulk_cstr(o, cmd->complexity);
    }
    if (cmd->args) {
        reply_bulk_cstr(o, "arguments");
        command_docs_reply_args(o, cmd->args);
    }
    if (cmd->subcommands) {
        reply_bulk_cstr(o, "subcommands");
        reply_map(o, count_subcommands(cmd));
        for (const struct command *s = cmd->subcommands; s->name; s++) {
            char name[128];
            command_fullname(s, name, sizeof(name));
            reply_bulk_cstr(o, name);
            reply_command_docs(o, s);
        }
    }
}

static void reply_info_cb(void *ctx, const struct command *cmd)
{
    reply_command_info(ctx, cmd);
}

static void command_command(struct cmdctx *ctx)
{
    reply_array(ctx->out, command_count());
    command_foreach(reply_info_cb, ctx->out);
}

static void command_count_command(struct cmdctx *ctx)
{
    reply_int(ctx->out, command_count());
}

static void command_info_command(struct cmdctx *ctx)
{
    if (ctx->argc == 2) {
        command_command(ctx);
        return;
    }
    reply_array(ctx->out, ctx->argc - 2);
    for (int i = 2; i < ctx->argc; i++)
        reply_command_info(ctx->out, command_lookup_fullname(ctx->argv[i].ptr, ctx->argv[i].len));
}

static void reply_docs_cb(void *ctx, const struct command *cmd)
{
    reply_bulk_cstr(ctx, cmd->name);
    reply_command_docs(ctx, cmd);
}

static void command_docs_command(struct cmdctx *ctx)
{
    if (ctx->argc == 2) {
        reply_map(ctx->out, command_count());
        command_foreach(reply_docs_cb, ctx->out);
        return;
    }
    long long found = 0;
    for (int i = 2; i < ctx->argc; i++)
        if (command_lookup_fullname(ctx->argv[i].ptr, ctx->argv[i].len)) found++;
    reply_map(ctx->out, found);
    for (int i = 2; i < ctx->argc; i++) {
        const struct command *cmd = command_lookup_fullname(ctx->argv[i].ptr, ctx->argv[i].len);
        if (!cmd) continue;
        char name[128];
        command_fullname(cmd, name, sizeof(name));
        reply_bulk_cstr(ctx->out, name);
        reply_command_docs(ctx->out, cmd);
    }
}

struct list_ctx {
    struct outbuf *out;
    const struct resp_arg *pattern; /* FILTERBY PATTERN */
    const char *category;           /* FILTERBY ACLCAT, with '@' */
    long long count;
    int emit;
};

static int category_has(const char *cats, const char *cat)
{
    size_t n = strlen(cat);
    for (const char *p = cats; p && (p = strstr(p, cat)); p += n)
        if ((p == cats || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

static void list_visit(struct list_ctx *l, const struct command *cmd)
{
    char name[128];
    command_fullname(cmd, name, sizeof(name));
    int ok = 1;
    if (l->pattern) ok = glob_match(l->pattern->ptr, l->pattern->len, name, strlen(name), 1);
    if (l->category) ok = cmd->acl_categories && category_has(cmd->acl_categories, l->category);
    if (ok) {
        if (l->emit)
            reply_bulk_cstr(l->out, name);
        else
            l->count++;
    }
    if (cmd->subcommands && (l->pattern || l->category))
        for (const struct command *s = cmd->subcommands; s->name; s++) list_visit(l, s);
}

static void list_cb(void *ctx, const struct command *cmd)
{
    list_visit(ctx, cmd);
}

static void command_list_command(struct cmdctx *ctx)
{
    struct list_ctx l = {.out = ctx->out};
    char category[64];
    if (ctx->argc == 5 && arg_eq(&ctx->argv[2], "filterby")) {
        if (arg_eq(&ctx->argv[3], "pattern")) {
            l.pattern = &ctx->argv[4];
        } else if (arg_eq(&ctx->argv[3], "aclcat")) {
            snprintf(category, sizeof(category), "@%.*s", (int)ctx->argv[4].len, ctx->argv[4].ptr);
            for (char *p = category; *p; p++)
                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
            l.category = category;
        } else if (arg_eq(&ctx->argv[3], "module")) {
            reply_array(ctx->out, 0);
            return;
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
    } else if (ctx->argc != 2) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    command_foreach(list_cb, &l);
    reply_array(ctx->out, l.count);
    l.emit = 1;
    command_foreach(list_cb, &l);
}

static void command_help_command(struct cmdctx *ctx)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        NULL,
    };
    reply_help(ctx, lines);
}

/* ---- TIME, DEBUG, SHUTDOWN ---- */

static void time_command(struct cmdctx *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    reply_array(ctx->out, 2);
    reply_bulk_ll(ctx->out, (long long)ts.tv_sec);
    reply_bulk_ll(ctx->out, (long long)(ts.tv_nsec / 1000));
}

/* DEBUG SLEEP blocks the calling worker for the given seconds, as Redis
 * blocks its single thread: clients of other workers keep being served. */
static void debug_sleep(struct cmdctx *ctx)
{
    double seconds;
    if (ctx->argc < 3 || !util_str_to_d(ctx->argv[2].ptr, ctx->argv[2].len, &seconds) ||
        seconds < 0 || isnan(seconds)) {
        reply_error(ctx->out, ERR_NOT_FLOAT);
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - floor(seconds)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
    reply_ok(ctx->out);
}

static void debug_command(struct cmdctx *ctx)
{
    const struct resp_arg *sub = &ctx->argv[1];
    if (arg_eq(sub, "help")) {
        static const char *const lines[] = {
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            NULL,
        };
        reply_help(ctx, lines);
    } else if (arg_eq(sub, "digest") && ctx->argc == 2) {
        unsigned char d[20];
        char hex[41];
        digest_dataset(d);
        digest_hex(d, hex);
        reply_status(ctx->out, hex);
    } else if (arg_eq(sub, "digest-value")) {
        reply_array(ctx->out, ctx->argc - 2);
        for (int i = 2; i < ctx->argc; i++) {
            unsigned char d[20];
            char hex[41];
            digest_value(ctx->db, ctx->argv[i].ptr, ctx->argv[i].len, d);
            digest_hex(d, hex);
            reply_status(ctx->out, hex);
        }
    } else if (arg_eq(sub, "reload")) {
        persist_debug_reload(ctx);
    } else if (arg_eq(sub, "sleep")) {
        debug_sleep(ctx);
    } else if (arg_eq(sub, "set-active-expire") && ctx->argc == 3) {
        long long on;
        if (arg_ll(ctx, &ctx->argv[2], &on, NULL) < 0) return;
        __atomic_store_n(&ks_active_expire_enabled, on != 0, __ATOMIC_RELAXED);
        reply_ok(ctx->out);
    } else {
        reply_subcommand_syntax_error(ctx);
    }
}

static void shutdown_command(struct cmdctx *ctx)
{
    for (int i = 1; i < ctx->argc; i++) {
        const struct resp_arg *a = &ctx->argv[i];
        if (!arg_eq(a, "nosave") && !arg_eq(a, "save") && !arg_eq(a, "now") &&
            !arg_eq(a, "force") && !arg_eq(a, "abort")) {
            reply_error(ctx->out, ERR_SYNTAX);
            return;
        }
    }
    log_warning("User requested shutdown...");
    server_request_shutdown();
}

/* ---- the table ---- */

#define SERVER_ADMIN (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static const struct command config_subcommands[] = {
    {.name = "get",
     .proc = config_get_command,
     .arity = -3,
     .flags = SERVER_ADMIN,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "2.0.0",
     .summary = "Get the values of configuration parameters",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .args = COMMAND_ARGS({.name = "parameter",
                           .type = ARG_BLOCK,
                           .flags = ARG_MULTIPLE,
                           .args = COMMAND_ARGS({.name = "parameter", .type = ARG_STRING})})},
    {.name = "set",
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .proc = config_set_command,
     .arity = -4,
     .flags = SERVER_ADMIN,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "2.0.0",
     .summary = "Set configuration parameters to the given values",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .args = COMMAND_ARGS({.name = "parameter_value",
                           .type = ARG_BLOCK,
                           .flags = ARG_MULTIPLE,
                           .args = COMMAND_ARGS({.name = "parameter", .type = ARG_STRING},
                                                {.name = "value", .type = ARG_STRING})})},
    {.name = "resetstat",
     .proc = config_resetstat_command,
     .arity = 2,
     .flags = SERVER_ADMIN,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "2.0.0",
     .summary = "Reset the stats returned by INFO",
     .complexity = "O(1)"},
    {.name = "help",
     .proc = config_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow",
     .group = "server",
     .since = "5.0.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = NULL},
};

static const struct command command_subcommands[] = {
    {.name = "count",
     .proc = command_count_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "2.8.13",
     .summary = "Get total number of Redis commands",
     .complexity = "O(1)"},
    {.name = "info",
     .tips = "nondeterministic_output_order",
     .proc = command_info_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "2.8.13",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .complexity = "O(N) where N is the number of commands to look up",
     .args = COMMAND_ARGS(
         {.name = "command-name", .type = ARG_STRING, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = "docs",
     .tips = "nondeterministic_output_order",
     .proc = command_docs_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "7.0.0",
     .summary = "Get array of specific Redis command documentation",
     .complexity = "O(N) where N is the number of commands to look up",
     .args = COMMAND_ARGS(
         {.name = "command-name", .type = ARG_STRING, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = "list",
     .tips = "nondeterministic_output_order",
     .proc = command_list_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "7.0.0",
     .summary = "Get an array of Redis command names",
     .complexity = "O(N) where N is the total number of Redis commands",
     .args = COMMAND_ARGS(
         {.name = "filterby",
          .type = ARG_ONEOF,
          .token = "FILTERBY",
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "module-name", .type = ARG_STRING, .token = "MODULE"},
                               {.name = "category", .type = ARG_STRING, .token = "ACLCAT"},
                               {.name = "pattern", .type = ARG_PATTERN, .token = "PATTERN"})})},
    {.name = "help",
     .proc = command_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "5.0.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = NULL},
};

const struct command server_commands[] = {
    {.name = "info",
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .proc = info_command,
     .arity = -1,
     .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl_categories = "@slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Get information and statistics about the server",
     .complexity = "O(1)",
     .args = COMMAND_ARGS(
         {.name = "section", .type = ARG_STRING, .flags = ARG_OPTIONAL | ARG_MULTIPLE})},
    {.name = "config",
     .proc = NULL,
     .arity = -2,
     .flags = 0,
     .acl_categories = "@slow",
     .group = "server",
     .since = "2.0.0",
     .summary = "A container for server configuration commands",
     .complexity = "Depends on subcommand.",
     .subcommands = config_subcommands},
    {.name = "command",
     .tips = "nondeterministic_output_order",
     .proc = command_command,
     .arity = -1,
     .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl_categories = "@slow @connection",
     .group = "server",
     .since = "2.8.13",
     .summary = "Get array of Redis command details",
     .complexity = "O(N) where N is the total number of Redis commands",
     .subcommands = command_subcommands},
    {.name = "time",
     .tips = "nondeterministic_output",
     .proc = time_command,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_categories = "@fast",
     .group = "server",
     .since = "2.6.0",
     .summary = "Return the current server time",
     .complexity = "O(1)"},
    {.name = "debug",
     .proc = debug_command,
     .arity = -2,
     .flags = SERVER_ADMIN | CMD_PROTECTED | CMD_NO_LOCK, /* DIGEST locks for itself */
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "A container for debugging commands",
     .complexity = "Depends on subcommand."},
    {.name = "shutdown",
     .proc = shutdown_command,
     .arity = -1,
     .flags = SERVER_ADMIN | CMD_NO_MULTI | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Synchronously save the dataset to disk and then shut down the server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases "
                   "when saving data, otherwise O(1)",
     .args = COMMAND_ARGS(
         {.name = "nosave_save",
          .type = ARG_ONEOF,
          .flags = ARG_OPTIONAL,
          .args = COMMAND_ARGS({.name = "nosave", .type = ARG_PURE_TOKEN, .token = "NOSAVE"},
                               {.name = "save", .type = ARG_PURE_TOKEN, .token = "SAVE"})},
         {.name = "now",
          .type = ARG_PURE_TOKEN,
          .token = "NOW",
          .since = "7.0.0",
          .flags = ARG_OPTIONAL},
         {.name = "force",
          .type = ARG_PURE_TOKEN,
          .token = "FORCE",
          .since = "7.0.0",
          .flags = ARG_OPTIONAL},
         {.name = "abort",
          .type = ARG_PURE_TOKEN,
          .token = "ABORT",
          .since = "7.0.0",
          .flags = ARG_OPTIONAL})},
    {.name = NULL},
};
