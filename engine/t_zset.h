/*
 * t_zset: the sorted set value type: its two encodings, the conversion
 * between them, and the two settings that decide it.
 *
 * A sorted set starts as a listpack (engine/listpack.h) of member, score,
 * member, score ... ordered by score then member bytes (OBJECT ENCODING
 * "listpack"); a score is stored as zscore_pack makes it (engine/zscore.h).
 * It becomes a dict (member -> skiplist node) plus a skiplist
 * (engine/skiplist.h, "skiplist") once it holds more than
 * zset-max-listpack-entries members or is given a member longer than
 * zset-max-listpack-value bytes, and never goes back, as in Redis 7.0.
 *
 * Threads: every function taking an entry requires the caller to hold that
 * key's shard lock. The settings are written by the configuration
 * (engine/config.c, under config_lock) and read with relaxed loads.
 */
#ifndef TANDEM_ENGINE_T_ZSET_H
#define TANDEM_ENGINE_T_ZSET_H

#include <stddef.h>

#include "engine/keyspace.h"
#include "engine/zscore.h"

/* Redis's OBJ_ENCODING_SKIPLIST and OBJ_ENCODING_LISTPACK. */
#define ENC_ZSET_SKIPLIST 7
#define ENC_ZSET_LISTPACK 11

/* zset-max-listpack-entries (alias zset-max-ziplist-entries), default 128,
 * and zset-max-listpack-value (alias zset-max-ziplist-value), default 64. */
extern long long zset_max_listpack_entries;
extern long long zset_max_listpack_value;

/* zset_add's input flags (Redis's ZADD_IN_*) and result flags
 * (ZADD_OUT_*). */
enum zset_add_flag {
    ZSET_ADD_INCR = 1 << 0,
    ZSET_ADD_NX = 1 << 1,
    ZSET_ADD_XX = 1 << 2,
    ZSET_ADD_GT = 1 << 3,
    ZSET_ADD_LT = 1 << 4,
};
enum zset_add_result {
    ZSET_ADDED = 1 << 0,
    ZSET_UPDATED = 1 << 1,
    ZSET_NOP = 1 << 2,
};

/* Adds key as a new, empty sorted set (the key must not exist) in the
 * encoding zaddGenericCommand picks from the first member's length, and
 * returns its entry. The caller adds a member before releasing the lock. */
struct entry *zset_add_key(struct db *db, const char *key, size_t len, size_t first_member_len);
/* zsetTypeCreate: a new sorted set for size_hint members of which the
 * longest has member_len_hint bytes, skiplist-encoded when there are more
 * than zset-max-listpack-entries or it is longer than
 * zset-max-listpack-value (size_hint -1, member_len_hint 0: unknown,
 * listpack). The caller adds members at once. */
struct entry *zset_add_key_sized(struct db *db, const char *key, size_t len, long size_hint,
                                 size_t member_len_hint);
/* RDB loading: the same choice of encoding for a sorted set made in the
 * entry header e, outside the keyspace (members are added with zset_add;
 * the caller then moves type, encoding and value into a keyspace entry). */
void zset_init_detached(struct entry *e, long size_hint, size_t member_len_hint);
/* Converts a listpack sorted set to the skiplist encoding (zsetConvert),
 * e.g. a loaded listpack above zset-max-listpack-entries. */
void zset_convert_to_skiplist(struct entry *e);
/* value_free, OBJECT ENCODING and DEBUG DIGEST of a sorted set. */
void zset_free(struct entry *e);
const char *zset_encoding_name(const struct entry *e);
void zset_digest(unsigned char digest[20], struct entry *e);

/* Number of members. */
unsigned long zset_length(struct entry *e);
/* The member's score; 0 when absent. */
int zset_score(struct entry *e, const char *member, size_t len, double *score);
/* Redis's zsetAdd: adds or updates member with the flags' rules; *result
 * gets zset_add_result bits and *new_score the score it now has (when
 * ADDED or when an existing member passed the NX/GT/LT tests). Returns 0
 * when the score (or the sum with INCR) is NaN: nothing was changed. */
int zset_add(struct entry *e, double score, const char *member, size_t len, int flags, int *result,
             double *new_score);
/* Removes member; 1 if it was there. The caller deletes the key when the
 * set becomes empty. */
int zset_delete(struct entry *e, const char *member, size_t len);
/* 0-based rank of member (from the highest score when reverse), or -1. */
long zset_rank(struct entry *e, const char *member, size_t len, int reverse);
/* Number of members with a score in range. */
unsigned long zset_count(struct entry *e, const struct zscore_range *range);
/* Number of members in a lex range (zlexcountCommand's count, which
 * assumes one score for all). */
unsigned long zset_lex_count(struct entry *e, const struct zscore_lex_range *range);

/* A position in a sorted set, for walking ranges in either direction
 * (both encodings). Valid until the set next changes. */
struct zset_pos {
    struct entry *e;
    unsigned char *eptr;        /* listpack: the member element, NULL past the ends */
    struct skiplist_node *node; /* skiplist: NULL past the ends */
};
/* A member as read: bytes (str, len) or, from a listpack, the integer ll
 * (str NULL); and its score. */
struct zset_member {
    const char *str;
    size_t len;
    long long ll;
    double score;
};

/* 1 while pos is on a member. */
static inline int zset_pos_valid(const struct zset_pos *pos)
{
    return pos->eptr != NULL || pos->node != NULL;
}
/* The member of 0-based rank (counted from the lowest score), or an
 * invalid position. */
void zset_pos_by_rank(struct zset_pos *pos, struct entry *e, unsigned long rank);
/* The lowest / highest member with a score in range (or, for the lex
 * variants, a member in range), or an invalid position. */
void zset_pos_first_in_range(struct zset_pos *pos, struct entry *e,
                             const struct zscore_range *range);
void zset_pos_last_in_range(struct zset_pos *pos, struct entry *e,
                            const struct zscore_range *range);
void zset_pos_first_in_lex_range(struct zset_pos *pos, struct entry *e,
                                 const struct zscore_lex_range *range);
void zset_pos_last_in_lex_range(struct zset_pos *pos, struct entry *e,
                                const struct zscore_lex_range *range);
void zset_pos_next(struct zset_pos *pos);
void zset_pos_prev(struct zset_pos *pos);
void zset_pos_read(const struct zset_pos *pos, struct zset_member *m);
/* The member's bytes (integers formatted into buf, which must hold 21). */
const char *zset_member_bytes(const struct zset_member *m, char *buf, size_t *len);

/* Range deletions (ZREMRANGEBYRANK / BYSCORE / BYLEX): ranks are 0-based
 * and inclusive, already clamped to the set. Return the number removed;
 * the caller deletes the key when the set becomes empty. */
unsigned long zset_delete_range_by_rank(struct entry *e, unsigned long start, unsigned long end);
unsigned long zset_delete_range_by_score(struct entry *e, const struct zscore_range *range);
unsigned long zset_delete_range_by_lex(struct entry *e, const struct zscore_lex_range *range);

/* The dict of a skiplist-encoded sorted set (ZSCAN) and one of its entries
 * read as a member. */
struct dict;
struct dict_entry;
struct dict *zset_dict(struct entry *e);
void zset_dict_entry_read(struct dict_entry *de, struct zset_member *m);

#endif
