/*
 * dict: the hash table inside large hashes (field -> value), sets (member
 * only) and sorted sets (member -> its skiplist node). Keys are binary
 * strings stored inline in their entry: one allocation per element. The
 * table resizes incrementally (grow at load factor 1, shrink under 10% full
 * as Redis's htNeedsResize), moving a bucket or a few per operation, so no
 * call ever rehashes the whole table. SCAN's reverse-binary cursor, random
 * picks (plain, fair, several at once) and a safe iterator are provided.
 *
 * Not thread-safe: a dict belongs to one key's value, and the caller holds
 * that key's shard lock (engine/keyspace.h) for every call. Nothing here
 * blocks; allocation happens only when an entry is added or a resize
 * starts.
 *
 * Entry layout. Every entry starts with the same header, so e->key and
 * e->keylen read the same way in every dict:
 *
 *     DICT_KEYS_ONLY  (sets)        [next][keylen][key bytes]
 *     DICT_WITH_VALUE (hash, zset)  [value][next][keylen][key bytes]
 *                                   ^ allocation  ^ struct dict_entry *
 *
 * A dict with values keeps the 8-byte value just before the entry, inside
 * the same allocation; a set spends nothing on it. dict_value() is only
 * valid on entries of a DICT_WITH_VALUE dict. Entries never move while they
 * are in the dict (resizes relink them), so a pointer to an entry or to its
 * key stays valid until the entry is deleted: a skiplist node may point at
 * e->key instead of keeping its own copy of the member.
 */
#ifndef TANDEM_ENGINE_DICT_H
#define TANDEM_ENGINE_DICT_H

#include <stddef.h>
#include <stdint.h>

struct dict;

struct dict_entry {
    struct dict_entry *next; /* bucket chain */
    uint32_t keylen;
    char key[]; /* keylen bytes, not NUL-terminated */
};

union dict_value {
    void *ptr;
    double d;
    int64_t i;
};

enum dict_kind {
    DICT_KEYS_ONLY,  /* sets: entries carry no value */
    DICT_WITH_VALUE, /* hashes, sorted sets: one union dict_value each */
};

/* Called on v.ptr when an entry of a DICT_WITH_VALUE dict is freed (NULL:
 * the value is not owned by the dict, e.g. a zset's skiplist node). */
typedef void dict_value_free_fn(void *ptr);

/* Bytes of the header an entry spends besides its key (20 with a value, 12
 * without), before the allocator rounds the total up to its size class. */
size_t dict_entry_overhead(enum dict_kind kind);

struct dict *dict_create(enum dict_kind kind, dict_value_free_fn *free_value);
/* Frees every entry (and value, through free_value), then the dict. */
void dict_free(struct dict *d);
uint64_t dict_size(const struct dict *d);
/* Bucket slots in both arrays (for tests, DEBUG and memory figures). */
uint64_t dict_buckets(const struct dict *d);
/* 1 while a resize is moving entries from the old array to the new. */
int dict_is_resizing(const struct dict *d);

static inline union dict_value *dict_value(struct dict_entry *e)
{
    return (union dict_value *)((char *)e - sizeof(union dict_value));
}

/* The entry with that key, or NULL. */
struct dict_entry *dict_find(struct dict *d, const char *key, size_t len);
/* The entry with that key, created if absent (*added set to 1, value
 * zeroed; otherwise 0). keylen must fit in 32 bits. */
struct dict_entry *dict_add_or_find(struct dict *d, const char *key, size_t len, int *added);
/* Unlinks the entry with that key and returns it without freeing anything,
 * so the caller can reuse its value; NULL when absent. key may point into
 * the entry itself (dict_unlink(d, e->key, e->keylen)). */
struct dict_entry *dict_unlink(struct dict *d, const char *key, size_t len);
/* Frees an unlinked entry and its value (through free_value). */
void dict_entry_free(struct dict *d, struct dict_entry *e);
/* dict_unlink + dict_entry_free; returns 1 if the key was there. */
int dict_delete(struct dict *d, const char *key, size_t len);

/* Presizes the table for n elements (RDB loading, converting a listpack):
 * starts a resize to the smallest power of two >= n when that is larger
 * than the current array. Returns 1 if it did. A failed allocation aborts,
 * so a count read from untrusted input must be capped first (say, by the
 * bytes left in the payload). */
int dict_expand(struct dict *d, uint64_t n);
/* Moves up to n buckets of a resize in progress (each step visits at most
 * 10*n empty buckets). Returns 1 while more remain; 0 when done, or when
 * an iterator is live (rehashing is paused then). */
int dict_rehash(struct dict *d, int n);

/* A safe iterator: the caller may delete (or unlink and free) the entry it
 * was just given; other changes made while iterating may or may not be
 * seen. Resizes pause until dict_iter_done, so each entry present for the
 * whole iteration is returned exactly once. Lives on the caller's stack. */
struct dict_iter {
    struct dict *d;
    int table;
    uint64_t index;
    struct dict_entry *next;
};
void dict_iter_init(struct dict_iter *it, struct dict *d);
/* The next entry, or NULL at the end. */
struct dict_entry *dict_iter_next(struct dict_iter *it);
/* Must be called once per dict_iter_init, before the dict is freed. */
void dict_iter_done(struct dict_iter *it);

/* One step of a reverse-binary cursor scan (HSCAN, SSCAN, ZSCAN): calls fn
 * on every entry of one bucket (and its expansions while resizing) and
 * returns the next cursor, 0 when the scan is complete. Every element
 * present from the first call to the last is visited at least once, even
 * across resizes in either direction; some may be visited twice. fn must
 * not add or delete (deleting between calls is fine). */
typedef void dict_scan_fn(void *ctx, struct dict_entry *e);
uint64_t dict_scan(struct dict *d, uint64_t cursor, dict_scan_fn *fn, void *ctx);

/* A random entry (random bucket, then random chain position), NULL when
 * empty. Entries in short chains come up more often than in long ones. */
struct dict_entry *dict_random(struct dict *d);
/* A random entry with a fairer distribution (Redis's dictGetFairRandomKey):
 * samples a run of consecutive buckets and picks uniformly among their
 * entries, smoothing out chain lengths. What HRANDFIELD, SRANDMEMBER, SPOP
 * and ZRANDMEMBER use. NULL when empty. */
struct dict_entry *dict_fair_random(struct dict *d);
/* Stores up to count distinct entries into out, taken from consecutive
 * buckets after a random starting point, and returns how many: count, or
 * the dict's size if smaller. Visits about count / fill-ratio buckets (at
 * most one lap of the table). Cheap but correlated (neighbours in hash
 * order): for sampling, not for a uniform draw. */
unsigned dict_some_random(struct dict *d, struct dict_entry **out, unsigned count);

/* Bytes held by the dict: the struct, the bucket arrays and the entries
 * (values behind v.ptr are the caller's to count). With samples == 0 the
 * entries count the bytes requested for them, exact and O(1) but short of
 * what the allocator's size classes really take (up to ~30% for small
 * keys). Otherwise, as MEMORY USAGE ... SAMPLES does, the allocator's sizes
 * of up to `samples` entries (at most DICT_MEM_SAMPLES_MAX, taken with
 * dict_some_random) are averaged and multiplied out; samples >= size
 * walks every entry and is exact. */
#define DICT_MEM_SAMPLES_MAX 64
size_t dict_mem_usage(struct dict *d, unsigned samples);

/* Walks the whole structure checking its invariants (each entry in the
 * bucket its hash selects, counts, resize state). Returns 1 when sound,
 * otherwise 0 with a message in err. For tests and DEBUG; O(n). */
int dict_check(const struct dict *d, char *err, size_t errlen);

#endif
