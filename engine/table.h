/*
 * table: the chained hash table of one keyspace shard, resized
 * incrementally: growing or shrinking allocates the new bucket array and
 * then moves one bucket per operation (and more from the cron), so there is
 * never a stop-the-world rehash. While a resize is under way lookups check
 * both arrays.
 *
 * Not thread-safe: the shard lock protects it (engine/keyspace.h).
 */
#ifndef TANDEM_ENGINE_TABLE_H
#define TANDEM_ENGINE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/keyspace.h"

void table_init(struct table *t);
/* Frees the bucket arrays (not the entries). */
void table_release(struct table *t);
uint64_t table_size(const struct table *t);
/* Exchanges the contents of two tables (SWAPDB). */
void table_swap(struct table *a, struct table *b);
/* No lock needed: prefetches the bucket for hash (see ks_prefetch). */
void table_prefetch(const struct table *t, uint64_t hash);
/* Fetches the first entry of hash's chain (the caller holds the table's
 * lock: the bucket is read). */
void table_prefetch_chain(const struct table *t, uint64_t hash);

/* hash must be ks_hash(key, len). */
struct entry *table_find(struct table *t, uint64_t hash, const char *key, size_t len);
/* An empty table with no buckets yet gets room for n entries at once (a
 * load that knows its size skips the growth steps); otherwise nothing. */
void table_reserve(struct table *t, uint64_t n);
/* Inserts e (its key must be absent). */
void table_insert(struct table *t, uint64_t hash, struct entry *e);
/* Unlinks and returns the entry with that key, or NULL. */
struct entry *table_remove(struct table *t, uint64_t hash, const char *key, size_t len);
/* Moves up to n buckets of a resize in progress; returns 1 while more remain. */
int table_rehash_step(struct table *t, int n);
/* Reverse-binary cursor scan, stable across resizes: every entry present
 * for the whole scan is visited at least once. Returns the next cursor. */
uint64_t table_scan(struct table *t, uint64_t cursor, void (*fn)(void *ctx, struct entry *e),
                    void *ctx);
/* A random entry or NULL. */
struct entry *table_random(struct table *t);
/* Calls fn for every entry; fn may free the entry it is given (the table is
 * to be released afterwards) only if free_ok is set. */
void table_foreach(struct table *t, void (*fn)(void *ctx, struct entry *e), void *ctx);

#endif
