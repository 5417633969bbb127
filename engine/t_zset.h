/*
 * t_zset: the sorted set value type (being written): a listpack of
 * member, score pairs in score order while small (zset-max-listpack-entries,
 * zset-max-listpack-value), else a dict plus a skiplist ("skiplist"), as in
 * Redis 7.0.
 *
 * Threads: the caller holds the key's shard lock.
 */
#ifndef TANDEM_ENGINE_T_ZSET_H
#define TANDEM_ENGINE_T_ZSET_H

#include "engine/keyspace.h"

/* zset-max-listpack-entries (alias zset-max-ziplist-entries), default 128,
 * and zset-max-listpack-value (alias zset-max-ziplist-value), default 64. */
extern long long zset_max_listpack_entries;
extern long long zset_max_listpack_value;

/* value_free, OBJECT ENCODING and DEBUG DIGEST of a sorted set. */
void zset_free(struct entry *e);
const char *zset_encoding_name(const struct entry *e);
void zset_digest(unsigned char digest[20], struct entry *e);

#endif
