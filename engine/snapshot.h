/*
 * snapshot: a point-in-time image of every database, serialized as RDB
 * while workers keep writing, without fork and without copying the data
 * set.
 *
 * The unit is a shard. snapshot_begin, called holding every shard lock
 * (the barrier, at a known replication offset), stamps a new epoch. From
 * then on, whoever locks a shard the snapshot does not have yet (a writer
 * about to change it, a reader, or the snapshot's own iterator) serializes
 * it first, under that lock, into an RDB chunk that joins the snapshot's
 * queue (ks_unit_hook, engine/keyspace.h); so every shard is serialized
 * exactly once, as it was at the barrier. The replication thread walks
 * the shards in order (snapshot_step), locking each one it has not seen
 * serialized, and writes the queued chunks to its RDB writer as the
 * output drains. Memory held: the chunks queued and not yet written, not
 * a copy of the data set (a command that locks everything, FLUSHALL or
 * SWAPDB, makes the whole rest be serialized at once).
 *
 * Threads: snapshot_begin / snapshot_step / snapshot_end on the
 * replication thread; the hook on any thread, under the shard's lock.
 */
#ifndef TANDEM_ENGINE_SNAPSHOT_H
#define TANDEM_ENGINE_SNAPSHOT_H

#include <stddef.h>

struct db;
struct rdb_writer;

/* Starts a snapshot. The caller holds every shard lock of every db. */
void snapshot_begin(void);
/* Locks (with lock_shard, which must never block while effects wait) up
 * to max_shards shards not serialized yet and writes every queued chunk to
 * w, stopping early once `budget` bytes were written. Returns 1 when the
 * whole data set is written (the caller then writes the footer). */
int snapshot_step(struct rdb_writer *w, int max_shards, size_t budget,
                  void (*lock_shard)(struct db *db, unsigned shard));
/* Ends the snapshot (done or abandoned): drops queued chunks. */
void snapshot_end(void (*lock_shard)(struct db *db, unsigned shard));
/* Whether one is in progress (any thread). */
int snapshot_running(void);

#endif
