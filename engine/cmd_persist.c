/*
 * cmd_persist: SAVE, BGSAVE, LASTSAVE, DEBUG RELOAD and the start-up load
 * of dir/dbfilename. See persist.h.
 *
 * The file is dbfilename relative to the working directory, which is
 * `dir` (the configuration changes into it), as in Redis.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/command.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "engine/log.h"
#include "engine/persist.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/util.h"
#include "storage/rdb.h"

static atomic_llong lastsave; /* 0: none yet (the start time counts) */
static atomic_llong saves;    /* successful or not, as rdb_saves */
static atomic_int last_save_ok = 1;
static atomic_ullong dirty_at_save;

long long persist_lastsave(void)
{
    long long t = atomic_load(&lastsave);
    return t ? t : server.start_time_ms / 1000;
}

long long persist_saves(void)
{
    return atomic_load(&saves);
}

int persist_last_save_ok(void)
{
    return atomic_load(&last_save_ok);
}

uint64_t persist_dirty_at_last_save(void)
{
    return atomic_load(&dirty_at_save);
}

/* cmd_dirty's total over the workers. */
static uint64_t dirty_total(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < server.nstates; i++) sum += stat_read(&server.workers[i].dirty);
    return sum;
}

static int rdb_flags(void)
{
    return (CONFIG_READ(rdbcompression) ? RDB_WRITE_COMPRESS : 0) |
           (CONFIG_READ(rdbchecksum) ? RDB_WRITE_CHECKSUM : 0);
}

/* rdbSave: writes the whole dataset to dbfilename. The caller holds every
 * shard lock with ks_hold_everything on, so the image is one instant. */
static int persist_save(void)
{
    char path[1024], err[512];
    config_get_string(&config.dbfilename, path, sizeof(path));
    atomic_fetch_add(&saves, 1);
    if (rdb_save_file(path, keyspace.dbs, keyspace.ndbs, rdb_flags(), NULL, err, sizeof(err)) !=
        0) {
        log_warning("%s", err);
        atomic_store(&last_save_ok, 0);
        return -1;
    }
    log_notice("DB saved on disk");
    atomic_store(&dirty_at_save, dirty_total());
    atomic_store(&lastsave, (long long)time(NULL));
    atomic_store(&last_save_ok, 1);
    return 0;
}

/* SAVE (CMD_LOCK_ALL: every shard of every database is locked). */
static void save_command(struct cmdctx *ctx)
{
    ks_hold_everything(1);
    int rc = persist_save();
    ks_hold_everything(0);
    if (rc == 0)
        reply_ok(ctx->out);
    else
        reply_error(ctx->out, "ERR");
}

/* BGSAVE needs the fork-less snapshot (DESIGN.md), which is not built yet;
 * tandem never forks. */
static void bgsave_command(struct cmdctx *ctx)
{
    if (ctx->argc > 2 || (ctx->argc == 2 && !arg_eq(&ctx->argv[1], "schedule"))) {
        reply_error(ctx->out, ERR_SYNTAX);
        return;
    }
    reply_error(ctx->out, "ERR BGSAVE is not supported yet");
}

static void lastsave_command(struct cmdctx *ctx)
{
    reply_int(ctx->out, persist_lastsave());
}

/* Empties every database (emptyData), every shard locked. */
static void flush_everything(void)
{
    for (int d = 0; d < keyspace.ndbs; d++) ks_flush_db(ks_db(d));
}

static int persist_load(int flags, struct rdb_load_info *info, char *err, size_t errsize)
{
    char path[1024];
    config_get_string(&config.dbfilename, path, sizeof(path));
    if (!CONFIG_READ(rdbchecksum)) flags |= RDB_LOAD_SKIP_CHECKSUM;
    int rc =
        rdb_load_file(path, keyspace.dbs, keyspace.ndbs, flags, util_ms_now(), info, err, errsize);
    if (rc == 1) snprintf(err, errsize, "%.400s: no such file", path);
    return rc;
}

/* DEBUG RELOAD: save, flush, load, all while holding every shard lock, so
 * no client sees the dataset in between (DEBUG is CMD_NO_LOCK; inside EXEC
 * every lock is already held). */
void persist_debug_reload(struct cmdctx *ctx)
{
    int flush = 1, save = 1, flags = 0;
    for (int j = 2; j < ctx->argc; j++) {
        if (arg_eq(&ctx->argv[j], "merge")) {
            flags |= RDB_LOAD_REPLACE_EXISTING;
        } else if (arg_eq(&ctx->argv[j], "noflush")) {
            flush = 0;
        } else if (arg_eq(&ctx->argv[j], "nosave")) {
            save = 0;
        } else {
            reply_error(ctx->out,
                        "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    int held = ks_holds(ks_db(0), 0);
    if (!held) {
        for (int d = 0; d < keyspace.ndbs; d++) ks_lock_all(ks_db(d));
        ks_hold_everything(1);
    }
    char err[512];
    int rc = save ? persist_save() : 0;
    if (rc != 0) {
        reply_error(ctx->out, "ERR");
    } else {
        if (flush) flush_everything();
        if (persist_load(flags, NULL, err, sizeof(err)) != 0) {
            log_warning("DEBUG RELOAD: %s", err);
            reply_error(ctx->out, "ERR Error trying to load the RDB dump");
        } else {
            log_warning("DB reloaded by DEBUG RELOAD");
            reply_ok(ctx->out);
        }
    }
    if (!held) {
        ks_hold_everything(0);
        for (int d = keyspace.ndbs; d-- > 0;) ks_unlock_all(ks_db(d));
    }
}

int persist_load_at_startup(void)
{
    char err[512];
    struct rdb_load_info info;
    int64_t start = util_monotonic_us();
    int rc = persist_load(0, &info, err, sizeof(err));
    if (rc == 1) return 0;
    if (rc != 0) {
        log_warning("Fatal error loading the DB: %s. Exiting.", err);
        return -1;
    }
    log_notice("DB loaded from disk: %.3f seconds",
               (double)(util_monotonic_us() - start) / 1000000.0);
    if (info.keys_expired_skipped)
        log_notice("Done loading RDB, keys loaded: %llu, keys expired: %llu.",
                   (unsigned long long)info.keys_loaded,
                   (unsigned long long)info.keys_expired_skipped);
    return 0;
}

#define PERSIST_ADMIN (CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING)

const struct command persist_commands[] = {
    {.name = "save",
     .proc = save_command,
     .arity = 1,
     .flags = PERSIST_ADMIN | CMD_NO_MULTI | CMD_LOCK_ALL,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Synchronously save the dataset to disk",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {.name = "bgsave",
     .proc = bgsave_command,
     .arity = -1,
     .flags = PERSIST_ADMIN,
     .acl_categories = "@admin @slow @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Asynchronously save the dataset to disk",
     .complexity = "O(1)",
     .args = COMMAND_ARGS({.name = "schedule",
                           .type = ARG_PURE_TOKEN,
                           .token = "SCHEDULE",
                           .since = "3.2.2",
                           .flags = ARG_OPTIONAL})},
    {.name = "lastsave",
     .tips = "nondeterministic_output",
     .proc = lastsave_command,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl_categories = "@admin @fast @dangerous",
     .group = "server",
     .since = "1.0.0",
     .summary = "Get the UNIX time stamp of the last successful save to disk",
     .complexity = "O(1)"},
    {.name = NULL},
};
