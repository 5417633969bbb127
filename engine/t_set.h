/*
 * t_set: the set value type: its two encodings and the conversion between
 * them.
 *
 * A set is an intset (engine/intset.h, OBJECT ENCODING "intset") while
 * every member is an integer in Redis's canonical form (string2ll: "12",
 * not "012" or "+12") and there are at most set-max-intset-entries of
 * them; the first other member, or one member too many, turns it into a
 * dict without values (engine/dict.h, "hashtable") for good, as in Redis
 * 7.0 (but for SPOP's rebuild, set_shrink_to_intset). A set whose first
 * member is not an integer starts as a dict.
 *
 * Threads: every function taking an entry requires the caller to hold that
 * key's shard lock, except on a detached set (below), which belongs to the
 * caller alone. set_max_intset_entries is written by the configuration
 * (engine/config.c, under config_lock) and read with relaxed loads.
 */
#ifndef TANDEM_ENGINE_T_SET_H
#define TANDEM_ENGINE_T_SET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/intset.h"
#include "engine/keyspace.h"

/* Bytes that hold any integer member as text, with its NUL. */
#define SET_INT_BUF 21

/* Redis's OBJ_ENCODING_HT and OBJ_ENCODING_INTSET. */
#define SET_ENC_HASHTABLE 2
#define SET_ENC_INTSET 6

/* set-max-intset-entries, default 512. */
extern long long set_max_intset_entries;

/* A member as read: bytes (str, len) or, from an intset, an integer (str
 * NULL, ll). Bytes point into the set and are valid until it changes. */
struct set_member {
    const char *str;
    size_t len;
    int64_t ll;
};

/* Adds key as a new, empty set (the key must not exist), an intset when
 * first_member is an integer, else a dict (Redis's setTypeCreate). The
 * caller adds at least one member before releasing the shard lock. */
struct entry *set_add_key(struct db *db, const char *key, size_t len, const char *first_member,
                          size_t first_len);

/* A set outside the keyspace, in an entry header on the caller's stack
 * (the result of SINTERSTORE and friends, computed before the destination
 * is replaced): starts as an empty intset. Either freed with set_free or
 * moved into the keyspace with set_install. */
void set_init_detached(struct entry *e);
/* Adds key (it must not exist) holding detached's members; detached is
 * left empty (no need to free it). Returns the new entry. */
struct entry *set_install(struct db *db, const char *key, size_t len, struct entry *detached);

/* Converts an intset to a dict (Redis's setTypeConvert), e.g. a loaded
 * intset with more than set-max-intset-entries members. */
void set_convert_to_dict(struct entry *e);

/* value_free, OBJECT ENCODING and DEBUG DIGEST of a set. */
void set_free(struct entry *e);
const char *set_encoding_name(const struct entry *e);
void set_digest(unsigned char digest[20], struct entry *e);

/* SPOP with a count that leaves few members: Redis moves them into a new
 * set (spopWithCountCommand, case 3), so a dict whose members now all fit
 * an intset becomes one again. Does nothing to any other set. */
void set_shrink_to_intset(struct entry *e);
unsigned long set_size(const struct entry *e);
/* Adds a member: 1 if it was absent. Converts as described above. */
int set_add(struct entry *e, const char *m, size_t len);
/* Removes a member: 1 if it was there. The caller deletes the key when the
 * set becomes empty. */
int set_remove(struct entry *e, const char *m, size_t len);
int set_is_member(struct entry *e, const char *m, size_t len);
/* A uniformly random member (the set must not be empty): intset_random,
 * or the dict's fair random pick. */
void set_random(struct entry *e, struct set_member *out);

/* A member's bytes: integers are formatted into buf. */
const char *set_member_bytes(const struct set_member *m, char buf[SET_INT_BUF], size_t *len);

/* Walks every member (intset order, or the dict's order). The set must not
 * change while the iterator is live. */
struct set_iter {
    struct entry *e;
    uint32_t pos;        /* intset: the next position */
    struct dict_iter di; /* hashtable */
};
void set_iter_init(struct set_iter *it, struct entry *e);
/* The next member; 0 at the end. */
int set_iter_next(struct set_iter *it, struct set_member *out);
void set_iter_done(struct set_iter *it);

/* The underlying structures, for commands that work on one encoding
 * (SRANDMEMBER, SSCAN). */
static inline struct intset *set_intset(const struct entry *e)
{
    return e->v.ptr;
}
static inline struct dict *set_dict(const struct entry *e)
{
    return e->v.ptr;
}
static inline void set_dict_entry_read(const struct dict_entry *de, struct set_member *out)
{
    out->str = de->key;
    out->len = de->keylen;
    out->ll = 0;
}

#endif
