/*
 * t_hash: the hash value type: its two encodings, the conversion between
 * them, and the two settings that decide it.
 *
 * A hash starts as a listpack (engine/listpack.h) of field, value, field,
 * value ... (OBJECT ENCODING "listpack"), the compact form that nearly all
 * hashes keep for life. It becomes a dict (engine/dict.h, "hashtable") as
 * soon as it holds more than hash-max-listpack-entries fields or is given a
 * field or value longer than hash-max-listpack-value bytes, and never goes
 * back, as in Redis 7.0.
 *
 * Threads: every function taking an entry requires the caller to hold that
 * key's shard lock. The settings are written by the configuration
 * (engine/config.c, under config_lock) and read with relaxed loads.
 */
#ifndef TANDEM_ENGINE_T_HASH_H
#define TANDEM_ENGINE_T_HASH_H

#include <stddef.h>

#include "engine/dict.h"
#include "engine/keyspace.h"
#include "engine/listpack.h"

struct resp_arg;

/* Redis's OBJ_ENCODING_HT and OBJ_ENCODING_LISTPACK. */
#define ENC_HASHTABLE 2
#define ENC_LISTPACK 11

/* hash-max-listpack-entries (alias hash-max-ziplist-entries), default 512
 * as Redis 7.0.15's (its redis.conf says 512 too), and
 * hash-max-listpack-value (alias hash-max-ziplist-value), default 64. */
extern long long hash_max_listpack_entries;
extern long long hash_max_listpack_value;

/* A field or value as read: bytes (str, len) or, from a listpack, an
 * integer (str NULL, ll). Strings point into the hash and are valid until
 * it next changes. */
typedef struct lp_entry hash_item;

/* Adds key as a new, empty, listpack-encoded hash (the key must not exist)
 * and returns its entry. The caller sets at least one field before
 * releasing the shard lock: an empty hash must never be visible. */
struct entry *hash_add_key(struct db *db, const char *key, size_t len);
/* Frees a hash value (value_free). */
void hash_free(struct entry *e);
/* RDB loading: an empty listpack hash in the entry header e, outside the
 * keyspace (fields are added with hash_set; the caller then moves type,
 * encoding and value into a keyspace entry). */
void hash_init_detached(struct entry *e);
/* Converts a listpack hash to a dict (Redis's hashTypeConvert), e.g. a
 * loaded listpack with more than hash-max-listpack-entries fields. */
void hash_convert_to_dict(struct entry *e);

/* Number of fields. */
unsigned long hash_length(struct entry *e);
/* The value of field, or 0 when there is no such field. */
int hash_get(struct entry *e, const char *field, size_t flen, hash_item *value);
int hash_exists(struct entry *e, const char *field, size_t flen);

/* Redis's hashTypeTryConversion: before a write with the arguments
 * argv[start..end], converts a listpack hash to a dict when one of them is
 * longer than hash-max-listpack-value or their sum would take the listpack
 * past its safe size. */
void hash_convert_for_args(struct entry *e, const struct resp_arg *argv, int start, int end);
/* Sets field to value; returns 1 when the field existed (its value was
 * replaced), 0 when it was added. Converts to a dict when the field or
 * value is too long for a listpack, or the hash now has too many fields. */
int hash_set(struct entry *e, const char *field, size_t flen, const char *value, size_t vlen);
/* Deletes field; 1 if it was there. The caller deletes the key when the
 * hash becomes empty. */
int hash_delete(struct entry *e, const char *field, size_t flen);

/* Walks every field and value (listpack order, or the dict's order). The
 * hash must not change while the iterator is live. */
struct hash_iter {
    struct entry *e;
    unsigned char *p;    /* listpack: the next field */
    struct dict_iter di; /* hashtable */
};
void hash_iter_init(struct hash_iter *it, struct entry *e);
/* The next pair (value may be NULL); 0 at the end. */
int hash_iter_next(struct hash_iter *it, hash_item *field, hash_item *value);
void hash_iter_done(struct hash_iter *it);

/* The underlying structures, for commands that work on one encoding
 * (HRANDFIELD, HSCAN). */
static inline unsigned char *hash_listpack(const struct entry *e)
{
    return e->v.ptr;
}
static inline struct dict *hash_dict(const struct entry *e)
{
    return e->v.ptr;
}
/* A dict entry of a hashtable-encoded hash as field and value. */
void hash_dict_entry_read(struct dict_entry *de, hash_item *field, hash_item *value);

#endif
