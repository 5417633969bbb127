/*
 * propagate: what a command changed, as the commands a replica must run to
 * reach the same state (Redis's call() / alsoPropagate /
 * propagatePendingCommands), handed to the replication stream through the
 * effect log (engine/effect_log.h).
 *
 * A command that changed the dataset (it counted a change with cmd_dirty)
 * is propagated as it was sent, unless it rewrote its effect into a
 * deterministic form (SET ... EX becomes SET ... PXAT, SPOP becomes SREM,
 * INCRBYFLOAT becomes SET ... KEEPTTL, a served BLPOP an LPOP ...). Keys
 * that expire are propagated as DEL. What one command, one EXEC or one
 * served waiter recorded is published at once, as one record, while the
 * thread still holds the shard locks of every key it touched: that is what
 * makes the stream's order the order in which conflicting writes were
 * applied. Several operations are wrapped in MULTI/EXEC, as Redis does.
 *
 * Nothing is recorded while propagation is off (no replication backlog):
 * then the cost is one relaxed load per command.
 *
 * Threads: the recording state is the calling thread's own; any thread
 * that runs commands (workers, later the replication thread applying a
 * primary's stream) may use it.
 */
#ifndef TANDEM_ENGINE_PROPAGATE_H
#define TANDEM_ENGINE_PROPAGATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/resp.h"

struct cmdctx;
struct db;

/* Set by the replication code while a backlog exists. */
extern atomic_int propagate_enabled;

static inline int propagate_on(void)
{
    return atomic_load_explicit(&propagate_enabled, memory_order_relaxed);
}

/* Dispatch (engine/command.c) brackets every command with these. */
struct propagate_mark {
    uint64_t dirty; /* the worker's change count when the command started */
};
void propagate_command_begin(struct cmdctx *ctx, struct propagate_mark *m);
void propagate_command_end(struct cmdctx *ctx, const struct propagate_mark *m);

/* Publishes what was recorded since the last flush (one operation as it
 * is, several as MULTI ... EXEC) into the effect log. The caller holds the
 * shard locks of every key the operations touched. */
void propagate_flush(void);

/* Marks the start and end of a section where the thread holds the locks of
 * a command (or EXEC): deletions of expired keys inside it join the
 * command's record; outside, they are published at once. */
void propagate_locked_section(int on);

/*
 * For command implementations (the names of Redis's equivalents):
 */
/* rewriteClientCommandVector: argv is propagated instead of the command
 * as sent, if the command changed anything (or forced propagation). */
void propagate_rewrite(struct cmdctx *ctx, int argc, const struct resp_arg *argv);
/* The same from C strings (NULL-terminated list), for fixed forms. */
void propagate_rewrite_strs(struct cmdctx *ctx, const char *const *strs);
/* alsoPropagate: one more operation in db, recorded now. */
void propagate_also(int db, int argc, const struct resp_arg *argv);
/* preventCommandPropagation / forceCommandPropagation for the running
 * command. */
void propagate_prevent(struct cmdctx *ctx);
void propagate_force(struct cmdctx *ctx);

/* Records this thread published so far, and the effect log's position
 * after the last one (WAIT: what a client's writes must be replicated up
 * to). */
uint64_t propagate_published(void);
uint64_t propagate_last_position(void);

/* Frees the calling thread's recording buffers (its last act). */
void propagate_thread_exit(void);

/* The keyspace deleted a key because its time passed (lazily or actively):
 * DEL key, under the key's shard lock. */
void propagate_deletion(const struct db *db, const char *key, size_t len);

#endif
