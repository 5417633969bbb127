/*
 * listpack: Redis 7.0's compact serialization of a list of strings, byte for
 * byte the same format (src/listpack.c at 7.0.15), so that the payload of
 * RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK and of RDB_TYPE_LIST_QUICKLIST_2
 * nodes can be written and loaded as it is. Small hashes, sorted sets and the
 * nodes of lists (quicklist.h) are listpacks.
 *
 * Layout (all integers little endian):
 *
 *   <total bytes: u32> <element count: u16, 65535 = "unknown, count them">
 *   <entry> ... <entry> <0xFF>
 *   entry = <encoding byte(s)> <data> <backlen>
 *
 * An element that is the canonical decimal form of an int64 ("12", "-3", not
 * "012", "+1" or "-0") is stored as an integer in the smallest of the 7-bit
 * unsigned, 13, 16, 24, 32 and 64-bit encodings; any other element as a string
 * with a 6-bit, 12-bit or 32-bit length. The backlen is the size of the entry
 * without itself, in 1 to 5 bytes of 7 bits read from right to left, which is
 * what lets lp_prev walk backwards.
 *
 * Ownership and threads: a listpack is a plain heap buffer (mem_alloc) owned
 * by the value that holds it; every function here is pure on that buffer and
 * the caller holds the key's shard lock. Element pointers ("p") point at an
 * entry's first byte. Any function that inserts, deletes or replaces may move
 * the listpack (realloc): it returns the listpack's new address and, where an
 * argument asks for it, the new position of the element touched; every other
 * pointer into the listpack is stale afterwards. Strings passed in must not
 * point into the listpack being modified.
 *
 * Trust: listpacks built by these functions are valid. One loaded from
 * outside (RDB, RESTORE) must pass lp_validate first; the walking functions
 * (lp_first, lp_next, lp_prev, ...) also check each entry they land on and
 * abort on corruption rather than read out of bounds, as Redis asserts.
 */
#ifndef TANDEM_ENGINE_LISTPACK_H
#define TANDEM_ENGINE_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

/* Room for any int64 in decimal, with its NUL ("-9223372036854775808"). */
#define LP_INTBUF_SIZE 21
/* The header says "unknown" when the count does not fit in it. */
#define LP_COUNT_UNKNOWN 65535
/* Listpacks are kept below 1 GiB (see lp_safe_to_add). */
#define LP_MAX_SAFE_SIZE (1u << 30)

enum lp_where { LP_BEFORE, LP_AFTER };

/* One element as read: a string inside the listpack, or an integer. */
struct lp_entry {
    const unsigned char *str; /* NULL: the element is the integer ll */
    size_t len;               /* string length */
    long long ll;
};

/* An empty listpack, with room reserved for `capacity` bytes in total. */
unsigned char *lp_new(size_t capacity);
void lp_free(unsigned char *lp);
/* Gives back the allocation beyond lp_bytes (after building with lp_new's
 * capacity). Returns the listpack's new address. */
unsigned char *lp_shrink(unsigned char *lp);
/* Total size in bytes (the header's first field). */
size_t lp_bytes(const unsigned char *lp);
/* Number of elements; counts them when the header says unknown (and stores
 * the count in the header again when it fits). */
unsigned long lp_length(unsigned char *lp);
/* 1 when adding `add` bytes keeps the listpack under LP_MAX_SAFE_SIZE. */
int lp_safe_to_add(const unsigned char *lp, size_t add);

/* Walking. Each returns NULL when there is no such element. */
unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
unsigned char *lp_next(unsigned char *lp, unsigned char *p);
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);
/* The element at index (0 = first, -1 = last); NULL when out of range. */
unsigned char *lp_seek(unsigned char *lp, long index);

/* Reads the element at p: returns its bytes and sets *len for a string, or
 * returns NULL and sets *ll for an integer. */
const unsigned char *lp_get(const unsigned char *p, size_t *len, long long *ll);
/* The element at p as text: integers are formatted into buf. */
const unsigned char *lp_get_str(const unsigned char *p, char buf[LP_INTBUF_SIZE], size_t *len);
/* The element at p as an lp_entry. */
void lp_get_entry(const unsigned char *p, struct lp_entry *e);
/* Formats v in decimal into buf (no NUL guaranteed); returns the length. */
size_t lp_int_to_str(char buf[LP_INTBUF_SIZE], long long v);

/* Insert s[0..len) (stored as an integer when canonical) or the integer v
 * before or after the element at p. p may be the 0xFF terminator with
 * LP_BEFORE (that appends). *newp (when not NULL) receives the inserted
 * element's position. Returns the new listpack, or NULL (listpack untouched)
 * when it would exceed the 32-bit size field. */
unsigned char *lp_insert(unsigned char *lp, unsigned char *p, enum lp_where where, const void *s,
                         size_t len, unsigned char **newp);
unsigned char *lp_insert_int(unsigned char *lp, unsigned char *p, enum lp_where where, long long v,
                             unsigned char **newp);
unsigned char *lp_append(unsigned char *lp, const void *s, size_t len);
unsigned char *lp_append_int(unsigned char *lp, long long v);
unsigned char *lp_prepend(unsigned char *lp, const void *s, size_t len);
unsigned char *lp_prepend_int(unsigned char *lp, long long v);
/* Replaces the element at *p; *p receives its new position. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len);
unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v);

/* Deletes the element at p; *next (when not NULL) receives the element that
 * followed it, NULL if it was the last. */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **next);
/* Deletes up to num elements starting at *p; *p receives the element after
 * them (NULL at the end). */
unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char **p, unsigned long num);
/* Deletes up to num elements starting at index (negative from the end). */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num);
/* Appends *second to *first in whichever of the two is bigger (so only the
 * smaller one is copied), frees the other and sets its pointer to NULL.
 * Returns the merged listpack; NULL (nothing done) if either is NULL or both
 * are the same. */
unsigned char *lp_merge(unsigned char **first, unsigned char **second);

/* 1 when the element at p equals s[0..len) (integers compare by value with a
 * canonical s, as the element would have been stored). 0 at the terminator. */
int lp_compare(const unsigned char *p, const void *s, size_t len);
/* The first element from p on equal to s[0..len), comparing one element then
 * skipping `skip` (1 for field/value pairs: compares fields only). NULL when
 * there is none. */
unsigned char *lp_find(unsigned char *lp, unsigned char *p, const void *s, size_t len,
                       unsigned skip);

/* Checks untrusted bytes without ever reading outside lp[0..size): the header
 * matches size and the last byte is the terminator; with deep, also every
 * entry (encoding, bounds, backlen) and the count. 1 when valid. */
int lp_validate(const unsigned char *lp, size_t size, int deep);
/* Deep validation that also hands each entry, once checked, to check(p, ctx);
 * a 0 from check fails the validation (e.g. duplicate hash fields). */
int lp_validate_entries(const unsigned char *lp, size_t size,
                        int (*check)(const unsigned char *p, void *ctx), void *ctx);

/* Random picks among field/value pairs (HRANDFIELD, ZRANDMEMBER). rnd is the
 * caller's random source (e.g. util_rand64). val / vals may be NULL when the
 * values are not wanted. Returned strings point into the listpack. */
typedef uint64_t (*lp_rand_fn)(void);
/* One pair, uniformly; total_pairs = lp_length / 2 (must not be 0). */
void lp_random_pair(unsigned char *lp, unsigned long total_pairs, lp_rand_fn rnd,
                    struct lp_entry *key, struct lp_entry *val);
/* count pairs, repetitions allowed, in random order. */
void lp_random_pairs(unsigned char *lp, unsigned count, lp_rand_fn rnd, struct lp_entry *keys,
                     struct lp_entry *vals);
/* Up to count distinct pairs in listpack order; returns how many. */
unsigned lp_random_pairs_unique(unsigned char *lp, unsigned count, lp_rand_fn rnd,
                                struct lp_entry *keys, struct lp_entry *vals);

#endif
