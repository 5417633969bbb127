/*
 * persist: the dataset on disk: SAVE, LASTSAVE, BGSAVE (refused for now),
 * DEBUG RELOAD, loading dir/dbfilename at start-up, and the figures of
 * INFO persistence. The RDB format itself is storage/rdb.h.
 *
 * Threads: persist_load_at_startup runs on the main thread before the
 * workers start. The commands run on a worker; SAVE holds every shard lock
 * of every database (CMD_LOCK_ALL) while it writes the file, so the file
 * is one point in time and every other client waits, as redis-server's
 * SAVE blocks its one thread. The figures are atomics any thread may read.
 */
#ifndef TANDEM_ENGINE_PERSIST_H
#define TANDEM_ENGINE_PERSIST_H

#include <stdint.h>

struct cmdctx;

/* Loads dir/dbfilename when it exists (logs "DB loaded from disk: N.NNN
 * seconds"). Returns 0, or -1 after logging why the file can't be loaded
 * (the server then exits, as Redis does). */
int persist_load_at_startup(void);

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (DEBUG locks for itself). */
void persist_debug_reload(struct cmdctx *ctx);

/* INFO persistence: unix time of the last successful save (start-up time
 * before any), saves done, whether the last one worked, and the changes
 * counted (cmd_dirty's total) at the last save. */
long long persist_lastsave(void);
long long persist_saves(void);
int persist_last_save_ok(void);
uint64_t persist_dirty_at_last_save(void);

#endif
