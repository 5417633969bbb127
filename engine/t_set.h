/*
 * t_set: the set value type (being written): an intset while every member
 * is an integer and there are at most set-max-intset-entries of them, else
 * a dict ("hashtable"), as in Redis 7.0.
 *
 * Threads: the caller holds the key's shard lock.
 */
#ifndef TANDEM_ENGINE_T_SET_H
#define TANDEM_ENGINE_T_SET_H

#include "engine/keyspace.h"

/* set-max-intset-entries, default 512. */
extern long long set_max_intset_entries;

/* value_free, OBJECT ENCODING and DEBUG DIGEST of a set. */
void set_free(struct entry *e);
const char *set_encoding_name(const struct entry *e);
void set_digest(unsigned char digest[20], struct entry *e);

#endif
