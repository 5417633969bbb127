/*
 * watch: WATCH's bookkeeping. A watched key is one record, linked into two
 * lists: its shard's (so a write finds the watchers of the key it changes
 * while holding that shard's lock, the same lock WATCH took to add it) and
 * its client's (so UNWATCH, EXEC and a closing client find theirs). A
 * change to a watched key sets the watcher's dirty_cas flag, which EXEC
 * reads: the flag is atomic because the writer may run on any worker.
 *
 * Semantics follow Redis 7.0: a write, a deletion (also by expiry), a
 * FLUSHDB/FLUSHALL that empties the key and a SWAPDB that changes it all
 * invalidate; a key watched while already logically expired does not
 * invalidate on its next write (Redis's "stale keys" rule); a watched key
 * that expires before EXEC does.
 *
 * Thread: the shard list under the shard's lock; the client list by the
 * client's worker.
 */
#ifndef TANDEM_ENGINE_WATCH_H
#define TANDEM_ENGINE_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/keyspace.h"

struct client;
struct watched_key;

/* WATCH key: caller holds the key's shard lock. */
void watch_key(struct client *c, struct db *db, const char *key, size_t len, int64_t now_ms);
/* A write changed key (present: it exists afterwards; 0: it was deleted,
 * also by expiry). Called by the keyspace's mutation functions with the
 * shard's lock held, only when sh->watched is set: free otherwise. */
void watch_touch_shard(struct shard *sh, const char *key, size_t len, int present);
/* FLUSHDB/FLUSHALL (replaced_with NULL) or SWAPDB, before the change;
 * caller holds every shard lock of both databases. */
void watch_touch_db(struct db *emptied, struct db *replaced_with);
/* EXEC takes the locks of every watched key's shard together with its
 * commands' (so no write can slip in between its check and its run): */
void watch_foreach_shard(const struct client *c,
                         void (*fn)(void *ctx, struct db *db, unsigned shard), void *ctx);
/* ... then asks, holding them: has a key, live when watched, expired? */
int watch_any_expired_held(struct client *c, int64_t now_ms);
/* ... and drops the watches, still holding them. */
void watch_unwatch_all_held(struct client *c);
/* Drops every watch of c (UNWATCH, DISCARD, closing). Takes shard locks;
 * the caller must hold none. */
void watch_unwatch_all(struct client *c);
/* Watched keys of c (CLIENT LIST watch=). */
unsigned watch_count(const struct client *c);

#endif
