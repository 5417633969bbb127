/*
 * t_list: the list value type's glue between the keyspace and the quicklist
 * (engine/quicklist.h): the two list settings and the creation of a new
 * list value with them.
 *
 * The settings are written by the configuration (engine/config.c: the
 * `list-max-listpack-size` and `list-compress-depth` directives, under
 * config_lock) and read by any worker with relaxed loads when it creates a
 * list; an existing list keeps the fill it was created with, as in Redis.
 */
#ifndef TANDEM_ENGINE_T_LIST_H
#define TANDEM_ENGINE_T_LIST_H

#include "engine/keyspace.h"

struct quicklist;

/* Redis's OBJ_ENCODING_QUICKLIST: the encoding of every list in Redis 7.0
 * (OBJECT ENCODING "quicklist"). */
#define ENC_QUICKLIST 9

/* list-max-listpack-size (alias list-max-ziplist-size), default -2. */
extern int list_max_listpack_size;
/* list-compress-depth, default 0: accepted and shown by CONFIG GET, but
 * tandem does not compress quicklist nodes, so it has no effect. */
extern int list_compress_depth;

/* An empty quicklist with the current list-max-listpack-size as its fill. */
struct quicklist *list_create(void);

/* Adds key as a new, empty list (the key must not exist) and returns its
 * entry. The caller pushes at least one element before releasing the
 * shard lock: an empty list must never be visible. */
struct entry *list_add_key(struct db *db, const char *key, size_t len);

#endif
