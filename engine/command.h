/*
 * command: the command table, lookup, and dispatch (auth, arity, key
 * locking, statistics).
 *
 * The table is built once at start-up and read-only afterwards. Dispatch
 * runs on the worker that owns the client: it locks every shard the
 * command's keys live in, in ascending (db, shard) order, runs the command,
 * unlocks. Commands themselves never lock keyspace shards.
 */
#ifndef TANDEM_ENGINE_COMMAND_H
#define TANDEM_ENGINE_COMMAND_H

#include <stdint.h>

#include "engine/command_docs.h"
#include "engine/keyspace.h"
#include "engine/resp.h"

struct client;
struct command_clock;
struct outbuf;
struct worker_state;

enum command_flag {
    CMD_WRITE = 1 << 0,
    CMD_READONLY = 1 << 1,
    CMD_DENYOOM = 1 << 2,
    CMD_ADMIN = 1 << 3,
    CMD_PUBSUB = 1 << 4,
    CMD_NOSCRIPT = 1 << 5,
    CMD_LOADING = 1 << 6,
    CMD_STALE = 1 << 7,
    CMD_FAST = 1 << 8,
    CMD_NO_AUTH = 1 << 9,   /* allowed before AUTH */
    CMD_LOCK_DB = 1 << 10,  /* locks every shard of the current db */
    CMD_LOCK_ALL = 1 << 11, /* locks every shard of every db */
    CMD_SKIP_MONITOR = 1 << 12,
    CMD_ALLOW_BUSY = 1 << 13,
    CMD_SENTINEL = 1 << 14,
    CMD_NO_MULTI = 1 << 15,
    CMD_KEYS_ODD = 1 << 16, /* keys are every other arg (MSET): step 2 */
    CMD_MAY_REPLICATE = 1 << 17,
    CMD_NO_LOCK = 1 << 18,   /* command locks what it needs itself (SCAN, KEYS) */
    CMD_PROTECTED = 1 << 19, /* DEBUG: allowed per enable-debug-command */
    CMD_SKIP_SLOWLOG = 1 << 20,
    CMD_BLOCKING = 1 << 21,         /* may block the client (BLPOP): "blocking" */
    CMD_NO_PROPAGATE = 1 << 22,     /* never propagated itself (EXEC: its commands are) */
    CMD_NO_ASYNC_LOADING = 1 << 30, /* SAVE, BGSAVE: "no_async_loading" */
};

/* What a command runs with. argv points into the client's receive or query
 * buffer and is valid for the duration of the call only. */
struct cmdctx {
    struct client *client;
    struct outbuf *out;
    int argc;
    const struct resp_arg *argv;
    struct db *db;
    int64_t now_ms; /* the command's time: every expiry check uses this */
    const struct command *cmd;
    struct worker_state *ws;     /* the running worker's statistics */
    struct command_clock *clock; /* the worker's command clock (EXEC times its commands) */
};

typedef void (*command_proc)(struct cmdctx *ctx);

struct command {
    const char *name; /* lowercase */
    command_proc proc;
    int arity; /* n: exactly n args; -n: at least n (the name counts) */
    uint32_t flags;
    int first_key, last_key, key_step; /* legacy key spec; last -1 = last arg */
    /* > 0: a "keynum" key spec: the number of keys is the argument at this
     * index and the keys follow it (ZUNIONSTORE, SINTERCARD, LMPOP). Such a
     * command has "movablekeys"; its legacy spec covers only the keys
     * before the count (ZUNIONSTORE's destination), or none. */
    int keynum_index;
    const char *acl_categories; /* "@write @string @slow" */
    const char *group;          /* COMMAND DOCS group */
    const char *since;
    const char *summary;
    const char *complexity;
    const struct command_arg_doc *args; /* COMMAND DOCS "arguments"; NULL: none */
    const char *tips;                   /* COMMAND INFO tips, space-separated (lowercase) */
    const char *key_notes;              /* the key spec's "notes", or NULL */
    const char *key_flags; /* key-spec flags ("RW access"); "A|B": a spec per key; NULL: derived */
    const struct command *subcommands; /* NULL-name terminated */
    const char *parent;                /* for subcommands: "config" */
    int id;                            /* index into statistics arrays */
};

/* Per-command counters, one array per worker (written only by its worker),
 * summed for INFO commandstats. */
struct command_stats {
    uint64_t calls;
    uint64_t usec;
    uint64_t rejected_calls;
    uint64_t failed_calls;
};

/* Builds the lookup table. Main thread, at start-up. */
void command_table_init(void);
/* Number of commands and subcommands (size of stats arrays). */
int command_count_all(void);
/* Number of top-level commands (COMMAND COUNT). */
int command_count(void);
const struct command *command_by_id(int id);
/* Case-insensitive lookup of a top-level command. */
const struct command *command_lookup(const char *name, size_t len);
/* Lookup of a subcommand of cmd (case-insensitive). */
const struct command *command_lookup_sub(const struct command *cmd, const char *name, size_t len);
/* Lookup by full name: "get" or "config|get" (COMMAND INFO/DOCS). */
const struct command *command_lookup_fullname(const char *name, size_t len);
/* Calls fn for every top-level command. */
void command_foreach(void (*fn)(void *ctx, const struct command *cmd), void *ctx);
/* Full name as Redis prints it: "get", "config|get". */
void command_fullname(const struct command *cmd, char *buf, size_t size);

/* The clock of a run of commands: one wall-clock reading per run, then one
 * monotonic reading per command (its end is the next command's start), so
 * a pipeline pays a single clock read per command for both the command's
 * time (expiry decisions) and its duration (INFO commandstats). */
struct command_clock {
    int64_t wall_ms_base; /* wall clock at mono_base_us */
    int64_t mono_base_us;
    int64_t mono_now_us; /* start of the next command */
};

void command_clock_start(struct command_clock *clock);
/* Runs ctx's command and records its statistics (calls, time, errors);
 * take_locks 0: the caller already holds every lock it needs (EXEC). */
void command_call(struct cmdctx *ctx, int take_locks);
/* Shards of the command's keys in db, sorted, without duplicates; 0 for a
 * command without keys; max when its keys do not fit in max entries (the
 * caller then locks the whole db). */
int command_key_shards(const struct command *cmd, struct db *db, int argc,
                       const struct resp_arg *argv, unsigned *shards, int max);

/* Runs one parsed command for the client (argc > 0). */
void command_execute(struct client *c, int argc, const struct resp_arg *argv,
                     struct command_clock *clock);

/* WRONGTYPE unless e is missing or of the given type (TYPE_*): returns 0,
 * or -1 after replying the error. */
int cmd_check_type(struct cmdctx *ctx, const struct entry *e, int type);
/* A read that leaves the key's access clock alone (OBJECT): still expires
 * it lazily and counts a hit or miss, as Redis's LOOKUP_NOTOUCH. */
struct entry *cmd_lookup_notouch(struct cmdctx *ctx, const struct resp_arg *key);
/* Key lookups for commands (the shard is locked by dispatch). A read
 * lookup counts INFO's keyspace_hits / keyspace_misses as Redis's
 * lookupKeyRead does; a write lookup counts nothing. Both expire lazily. */
struct entry *cmd_lookup_read(struct cmdctx *ctx, const struct resp_arg *key);
struct entry *cmd_lookup_write(struct cmdctx *ctx, const struct resp_arg *key);
/* Counts n changes to the dataset (rdb_changes_since_last_save, Redis's
 * server.dirty). */
void cmd_dirty(struct cmdctx *ctx, unsigned long long n);

/* Helpers for command implementations. */
int arg_eq(const struct resp_arg *a, const char *lit); /* case-insensitive */
/* Parses an integer argument; on failure replies ERR_NOT_INTEGER (or msg
 * when not NULL) and returns -1. */
int arg_ll(struct cmdctx *ctx, const struct resp_arg *a, long long *out, const char *msg);
/* Replies Redis's wrong-arity error for the running command. */
void reply_wrong_arity(struct cmdctx *ctx);
/* Redis's answer to a container's subcommand with the wrong arguments:
 * "unknown subcommand or wrong number of arguments for '<sub>'. Try X HELP." */
void reply_subcommand_syntax_error(struct cmdctx *ctx);
/* Replies Redis's help layout: a header naming the command, the lines, then
 * the HELP entry. lines is NULL-terminated. */
void reply_help(struct cmdctx *ctx, const char *const *lines);

/* The command groups, defined in the cmd_*.c files. */
extern const struct command string_commands[];
extern const struct command key_commands[];
extern const struct command server_commands[];
extern const struct command connection_commands[];
extern const struct command pubsub_commands[];
extern const struct command list_commands[];
extern const struct command multi_commands[];
extern const struct command hash_commands[];
extern const struct command set_commands[];
extern const struct command zset_commands[];
extern const struct command persist_commands[];
extern const struct command repl_commands[];

#endif
