/*
 * dict: the hash table of large hashes, sets and sorted sets. See dict.h.
 *
 * Two bucket arrays, as Redis's dict: buckets[0] is the live one; during a
 * resize buckets[1] is the new one, rehash_index walks buckets[0] moving
 * one chain at a time, and new keys go into buckets[1] so that buckets[0]
 * only empties. Every find, add and delete moves one bucket, unless an
 * iterator or a scan callback has paused rehashing (pause > 0), in which
 * case entries stay where they are and only new keys go to the new array.
 *
 * Invariants (dict_check verifies them):
 *   - an entry sits in bucket ks_hash(key) & mask of exactly one array;
 *   - while resizing, buckets[0][0 .. rehash_index) are all empty;
 *   - used[i] counts the entries linked in array i; key_bytes sums keylen.
 */
#include "engine/dict.h"

#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/keyspace.h"
#include "engine/util.h"

#define DICT_MIN_EXP 2           /* 4 buckets, Redis's DICT_HT_INITIAL_SIZE */
#define DICT_MIN_FILL_PERCENT 10 /* shrink below this, Redis's HASHTABLE_MIN_FILL */
#define DICT_FAIR_SAMPLE 15      /* entries sampled by dict_fair_random (GETFAIR_NUM_ENTRIES) */
#define DICT_RANDOM_TRIES 1000   /* random bucket probes before a linear fallback */

struct dict {
    struct dict_entry **buckets[2];
    uint64_t used[2];
    int64_t rehash_index; /* -1 when no resize is under way */
    uint64_t key_bytes;   /* sum of the keys' lengths, for dict_mem_usage */
    dict_value_free_fn *free_value;
    int32_t pause;     /* live iterators and scans: no entry may move */
    int8_t exp[2];     /* log2 of each array's size, -1 when absent */
    uint8_t has_value; /* DICT_WITH_VALUE: 8 value bytes precede each entry */
};

/* ---- sizes and entries ------------------------------------------------- */

static uint64_t array_size(const struct dict *d, int i)
{
    return d->exp[i] < 0 ? 0 : (uint64_t)1 << d->exp[i];
}

static uint64_t array_mask(const struct dict *d, int i)
{
    return d->exp[i] < 0 ? 0 : array_size(d, i) - 1;
}

static int resizing(const struct dict *d)
{
    return d->rehash_index >= 0;
}

/* The value bytes in front of an entry: what separates the entry pointer
 * from the start of its allocation. */
static size_t value_prefix(const struct dict *d)
{
    return d->has_value ? sizeof(union dict_value) : 0;
}

size_t dict_entry_overhead(enum dict_kind kind)
{
    size_t prefix = kind == DICT_WITH_VALUE ? sizeof(union dict_value) : 0;
    return prefix + offsetof(struct dict_entry, key);
}

/* The key is copied in; a value, if any, starts zeroed. */
static struct dict_entry *entry_new(struct dict *d, const char *key, size_t len)
{
    size_t prefix = value_prefix(d);
    char *mem = mem_alloc(prefix + offsetof(struct dict_entry, key) + len);
    struct dict_entry *e = (struct dict_entry *)(mem + prefix);
    if (prefix) memset(mem, 0, prefix);
    e->next = NULL;
    e->keylen = (uint32_t)len;
    memcpy(e->key, key, len);
    return e;
}

/* The allocation starts at the value when there is one, so the dict's kind
 * is needed to find it. */
void dict_entry_free(struct dict *d, struct dict_entry *e)
{
    if (d->has_value && d->free_value && dict_value(e)->ptr) d->free_value(dict_value(e)->ptr);
    mem_free((char *)e - value_prefix(d));
}

/* Pointer equality first: dict_unlink(d, e->key, e->keylen) is common. */
static int entry_matches(const struct dict_entry *e, const char *key, size_t len)
{
    return e->keylen == len && (e->key == key || memcmp(e->key, key, len) == 0);
}

static uint64_t entry_hash(const struct dict_entry *e)
{
    return ks_hash(e->key, e->keylen);
}

/* ---- create, free, size ------------------------------------------------ */

/* No buckets yet: the first add allocates four, so an empty dict costs
 * only its struct. */
struct dict *dict_create(enum dict_kind kind, dict_value_free_fn *free_value)
{
    struct dict *d = mem_calloc(1, sizeof(*d));
    d->rehash_index = -1;
    d->exp[0] = d->exp[1] = -1;
    d->has_value = kind == DICT_WITH_VALUE;
    d->free_value = d->has_value ? free_value : NULL;
    return d;
}

/* Frees the chains of one array, then the array. */
static void free_array(struct dict *d, int i)
{
    for (uint64_t b = 0; b < array_size(d, i); b++) {
        struct dict_entry *e = d->buckets[i][b];
        while (e) {
            struct dict_entry *next = e->next;
            dict_entry_free(d, e);
            e = next;
        }
    }
    mem_free(d->buckets[i]);
}

/* NULL is accepted, as by free(), so error paths can free unconditionally. */
void dict_free(struct dict *d)
{
    if (!d) return;
    free_array(d, 0);
    free_array(d, 1);
    mem_free(d);
}

uint64_t dict_size(const struct dict *d)
{
    return d->used[0] + d->used[1];
}

uint64_t dict_buckets(const struct dict *d)
{
    return array_size(d, 0) + array_size(d, 1);
}

int dict_is_resizing(const struct dict *d)
{
    return resizing(d);
}

/* ---- incremental resize ------------------------------------------------ */

/* Smallest power-of-two exponent (at least DICT_MIN_EXP) whose size is
 * >= n: the size a resize for n elements asks for. */
static int8_t exp_for(uint64_t n)
{
    int8_t e = DICT_MIN_EXP;
    while (e < 63 && ((uint64_t)1 << e) < n) e++;
    return e;
}

/* Allocates the new array. A dict without buckets takes it directly as its
 * live array; otherwise a resize starts. */
static void start_resize(struct dict *d, int8_t exp)
{
    struct dict_entry **b = mem_calloc((size_t)1 << exp, sizeof(*b));
    int i = d->buckets[0] ? 1 : 0;
    d->buckets[i] = b;
    d->exp[i] = exp;
    d->used[i] = 0;
    if (i == 1) d->rehash_index = 0;
}

/* The new array becomes the live one once the old one is empty. */
static void finish_resize(struct dict *d)
{
    mem_free(d->buckets[0]);
    d->buckets[0] = d->buckets[1];
    d->exp[0] = d->exp[1];
    d->used[0] = d->used[1];
    d->buckets[1] = NULL;
    d->exp[1] = -1;
    d->used[1] = 0;
    d->rehash_index = -1;
}

/* Relinks every entry of old bucket rehash_index into the new array. */
static void move_bucket(struct dict *d)
{
    uint64_t mask = array_mask(d, 1);
    struct dict_entry *e = d->buckets[0][d->rehash_index];
    while (e) {
        struct dict_entry *next = e->next;
        uint64_t slot = entry_hash(e) & mask;
        e->next = d->buckets[1][slot];
        d->buckets[1][slot] = e;
        d->used[0]--;
        d->used[1]++;
        e = next;
    }
    d->buckets[0][d->rehash_index++] = NULL;
}

/* Bounded work per call, as Redis's dictRehash: n buckets moved, at most
 * 10*n empty ones skipped. Does nothing (and returns 0, so a caller's loop
 * ends) while iterators or scans are live: no entry may move under them. */
int dict_rehash(struct dict *d, int n)
{
    if (!resizing(d) || d->pause > 0) return 0;
    int empty_visits = n * 10;
    while (n-- > 0 && d->used[0] != 0) {
        /* used[0] != 0 keeps rehash_index inside the old array. */
        while (!d->buckets[0][d->rehash_index]) {
            d->rehash_index++;
            if (--empty_visits == 0) return 1;
        }
        move_bucket(d);
    }
    if (d->used[0] != 0) return 1;
    finish_resize(d);
    return 0;
}

/* The step every lookup and update pays toward a resize in progress. */
static void rehash_step(struct dict *d)
{
    if (resizing(d)) dict_rehash(d, 1);
}

/* Before an insert: the first array, or doubling at load factor 1. */
static void grow_if_needed(struct dict *d)
{
    if (resizing(d)) return;
    if (!d->buckets[0])
        start_resize(d, DICT_MIN_EXP);
    else if (d->used[0] >= array_size(d, 0))
        start_resize(d, exp_for(d->used[0] + 1));
}

/* After a delete: Redis's htNeedsResize + dictResize, shrinking to the
 * smallest power of two that holds every element once the table is under
 * 10% full, so memory follows the element count down. */
static void shrink_if_needed(struct dict *d)
{
    if (resizing(d)) return;
    uint64_t size = array_size(d, 0);
    if (size <= ((uint64_t)1 << DICT_MIN_EXP)) return;
    if (d->used[0] * 100 / size < DICT_MIN_FILL_PERCENT) start_resize(d, exp_for(d->used[0]));
}

/* Only ever grows, and not during a resize: the same rules as the
 * automatic growth, started early. */
int dict_expand(struct dict *d, uint64_t n)
{
    if (resizing(d) || n < d->used[0]) return 0;
    int8_t exp = exp_for(n);
    if (d->buckets[0] && exp <= d->exp[0]) return 0;
    start_resize(d, exp);
    return 1;
}

/* ---- lookups and updates ----------------------------------------------- */

/* Searches both arrays; *linkp (if asked) gets the pointer that links the
 * entry found, so it can be unlinked, and *arrayp the array holding it. */
static struct dict_entry *lookup(struct dict *d, uint64_t hash, const char *key, size_t len,
                                 struct dict_entry ***linkp, int *arrayp)
{
    for (int i = 0; i < 2 && d->buckets[i]; i++) {
        struct dict_entry **link = &d->buckets[i][hash & array_mask(d, i)];
        for (struct dict_entry *e = *link; e; link = &e->next, e = e->next) {
            if (!entry_matches(e, key, len)) continue;
            if (linkp) *linkp = link;
            if (arrayp) *arrayp = i;
            return e;
        }
        if (!resizing(d)) break;
    }
    return NULL;
}

/* Reads pay a rehash step too, as in Redis, so a read-mostly dict still
 * finishes its resize. */
struct dict_entry *dict_find(struct dict *d, const char *key, size_t len)
{
    if (dict_size(d) == 0) return NULL;
    rehash_step(d);
    return lookup(d, ks_hash(key, len), key, len, NULL, NULL);
}

/* Links a new entry at the head of its chain in the array that takes new
 * keys: the new one while resizing, so the old one only empties. */
static struct dict_entry *insert_new(struct dict *d, uint64_t hash, const char *key, size_t len)
{
    grow_if_needed(d);
    int i = resizing(d) ? 1 : 0;
    struct dict_entry **head = &d->buckets[i][hash & array_mask(d, i)];
    struct dict_entry *e = entry_new(d, key, len);
    e->next = *head;
    *head = e;
    d->used[i]++;
    d->key_bytes += len;
    return e;
}

/* Searches before growing, so finding an existing key never starts a
 * resize. Keys longer than 32 bits can count are refused with NULL. */
struct dict_entry *dict_add_or_find(struct dict *d, const char *key, size_t len, int *added)
{
    *added = 0;
    if (len > UINT32_MAX) return NULL;
    rehash_step(d);
    uint64_t hash = ks_hash(key, len);
    struct dict_entry *e = lookup(d, hash, key, len, NULL, NULL);
    if (e) return e;
    *added = 1;
    return insert_new(d, hash, key, len);
}

/* Shrinks afterwards if the table fell under 10% full, as Redis's hash,
 * set and zset deletions do. */
struct dict_entry *dict_unlink(struct dict *d, const char *key, size_t len)
{
    if (dict_size(d) == 0) return NULL;
    rehash_step(d);
    struct dict_entry **link;
    int i;
    struct dict_entry *e = lookup(d, ks_hash(key, len), key, len, &link, &i);
    if (!e) return NULL;
    *link = e->next;
    e->next = NULL;
    d->used[i]--;
    d->key_bytes -= e->keylen;
    shrink_if_needed(d);
    return e;
}

int dict_delete(struct dict *d, const char *key, size_t len)
{
    struct dict_entry *e = dict_unlink(d, key, len);
    if (!e) return 0;
    dict_entry_free(d, e);
    return 1;
}

/* ---- safe iterator ----------------------------------------------------- */

/* Pausing the rehash is what makes deleting the current entry safe: no
 * bucket moves, so none is visited twice or skipped. */
void dict_iter_init(struct dict_iter *it, struct dict *d)
{
    it->d = d;
    it->table = 0;
    it->index = 0;
    it->next = NULL;
    d->pause++;
}

/* Loads the next non-empty chain into it->next; 0 when both arrays are
 * done. The second array is visited only if a resize is under way, which
 * it still is at the end if it was (or started) during the iteration:
 * rehashing is paused. */
static int iter_load_chain(struct dict_iter *it)
{
    struct dict *d = it->d;
    while (!it->next) {
        if (it->index >= array_size(d, it->table)) {
            if (it->table == 1 || !resizing(d)) return 0;
            it->table = 1;
            it->index = 0;
            continue;
        }
        it->next = d->buckets[it->table][it->index++];
    }
    return 1;
}

/* The successor is saved before the entry is handed out, so the caller
 * may free the entry it was given. */
struct dict_entry *dict_iter_next(struct dict_iter *it)
{
    if (!iter_load_chain(it)) return NULL;
    struct dict_entry *e = it->next;
    it->next = e->next;
    return e;
}

void dict_iter_done(struct dict_iter *it)
{
    it->d->pause--;
}

/* ---- scan -------------------------------------------------------------- */

static uint64_t reverse_bits(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}

/* Increments the cursor from its high bits down (after setting the bits
 * above the mask so the carry runs through the masked ones only). Buckets
 * that split when the table grows, or merge when it shrinks, are then
 * adjacent in cursor order, which is what keeps a scan valid across
 * resizes: see Redis's dictScan comment for the full argument. */
static uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    v = reverse_bits(v);
    v++;
    return reverse_bits(v);
}

static void scan_chain(struct dict_entry *e, dict_scan_fn *fn, void *ctx)
{
    while (e) {
        struct dict_entry *next = e->next;
        fn(ctx, e);
        e = next;
    }
}

/* While resizing, the cursor's bucket in the smaller array is visited,
 * then every bucket of the larger array it expands to, so the entries of
 * that bucket are seen wherever the rehash has put them. */
uint64_t dict_scan(struct dict *d, uint64_t cursor, dict_scan_fn *fn, void *ctx)
{
    if (dict_size(d) == 0) return 0;
    d->pause++;
    if (!resizing(d)) {
        uint64_t m0 = array_mask(d, 0);
        scan_chain(d->buckets[0][cursor & m0], fn, ctx);
        cursor = cursor_next(cursor, m0);
    } else {
        int small = d->exp[0] <= d->exp[1] ? 0 : 1, large = 1 - small;
        uint64_t m0 = array_mask(d, small), m1 = array_mask(d, large);
        scan_chain(d->buckets[small][cursor & m0], fn, ctx);
        do {
            scan_chain(d->buckets[large][cursor & m1], fn, ctx);
            cursor = cursor_next(cursor, m1);
        } while (cursor & (m0 ^ m1));
    }
    d->pause--;
    return cursor;
}

/* ---- random picks ------------------------------------------------------ */

/* Bucket number r of the buckets that can hold entries: the old array from
 * rehash_index on, then the whole new array. */
static struct dict_entry *live_bucket(struct dict *d, uint64_t r)
{
    if (!resizing(d)) return d->buckets[0][r];
    uint64_t old_live = array_size(d, 0) - (uint64_t)d->rehash_index;
    if (r < old_live) return d->buckets[0][(uint64_t)d->rehash_index + r];
    return d->buckets[1][r - old_live];
}

static uint64_t live_bucket_count(const struct dict *d)
{
    if (!resizing(d)) return array_size(d, 0);
    return array_size(d, 0) - (uint64_t)d->rehash_index + array_size(d, 1);
}

/* A random non-empty bucket. Probing terminates with probability 1 in a
 * non-empty dict; the linear fallback bounds the worst case anyway. */
static struct dict_entry *random_chain(struct dict *d)
{
    uint64_t n = live_bucket_count(d);
    for (int tries = 0; tries < DICT_RANDOM_TRIES; tries++) {
        struct dict_entry *e = live_bucket(d, util_rand64() % n);
        if (e) return e;
    }
    uint64_t start = util_rand64() % n;
    for (uint64_t k = 0; k < n; k++) {
        struct dict_entry *e = live_bucket(d, (start + k) % n);
        if (e) return e;
    }
    return NULL;
}

/* Redis's dictGetRandomKey: a random non-empty bucket, then a random
 * position in its chain. */
struct dict_entry *dict_random(struct dict *d)
{
    if (dict_size(d) == 0) return NULL;
    rehash_step(d);
    struct dict_entry *e = random_chain(d);
    unsigned len = 0;
    for (struct dict_entry *p = e; p; p = p->next) len++;
    for (uint64_t pick = util_rand64() % len; pick > 0; pick--) e = e->next;
    return e;
}

/* Adds a chain's entries to the sample; once it is full, reservoir
 * sampling lets the tail of the last chain replace earlier picks, so a
 * long chain's later entries are not always left out. */
static void sample_chain(struct dict_entry *e, struct dict_entry **out, unsigned count,
                         uint64_t *seen)
{
    for (; e; e = e->next, (*seen)++) {
        if (*seen < count) {
            out[*seen] = e;
            continue;
        }
        uint64_t r = util_rand64() % (*seen + 1);
        if (r < count) out[r] = e;
    }
}

/* Walks bucket indexes from a random start, wrapping, over the larger
 * array's index space, each (array, index) pair at most once: every entry
 * lives in one bucket, so the sample holds no duplicates, and one lap
 * finds min(count, size) entries. */
unsigned dict_some_random(struct dict *d, struct dict_entry **out, unsigned count)
{
    if (dict_size(d) < count) count = (unsigned)dict_size(d);
    if (count == 0) return 0;
    for (unsigned j = 0; j < count && resizing(d); j++) rehash_step(d);
    int arrays = resizing(d) ? 2 : 1;
    uint64_t mask = array_mask(d, 0);
    if (arrays == 2 && array_mask(d, 1) > mask) mask = array_mask(d, 1);
    uint64_t i = util_rand64() & mask, seen = 0;
    for (uint64_t steps = 0; steps <= mask && seen < count; steps++, i = (i + 1) & mask) {
        for (int t = 0; t < arrays; t++) {
            if (i >= array_size(d, t)) continue;
            sample_chain(d->buckets[t][i], out, count, &seen);
        }
    }
    return seen < count ? (unsigned)seen : count;
}

/* Redis's dictGetFairRandomKey: a uniform pick among a sample of
 * consecutive buckets' entries, which evens out chain lengths. */
struct dict_entry *dict_fair_random(struct dict *d)
{
    struct dict_entry *sample[DICT_FAIR_SAMPLE];
    unsigned n = dict_some_random(d, sample, DICT_FAIR_SAMPLE);
    if (n == 0) return dict_random(d);
    return sample[util_rand64() % n];
}

/* ---- memory and checks ------------------------------------------------- */

/* The allocator's size of an entry, value bytes included. */
static size_t entry_usable(struct dict *d, struct dict_entry *e)
{
    return mem_usable((char *)e - value_prefix(d));
}

/* Entries' bytes as requested: headers plus keys, kept as a running sum. */
static size_t entries_requested(const struct dict *d)
{
    return dict_size(d) * (value_prefix(d) + offsetof(struct dict_entry, key)) + d->key_bytes;
}

/* Every entry's allocated size (O(n)): for small dicts or exact figures. */
static size_t entries_walked(struct dict *d)
{
    size_t total = 0;
    for (int i = 0; i < 2; i++)
        for (uint64_t b = 0; b < array_size(d, i); b++)
            for (struct dict_entry *e = d->buckets[i][b]; e; e = e->next)
                total += entry_usable(d, e);
    return total;
}

/* The mean allocated size of a few entries, times the entry count. */
static size_t entries_sampled(struct dict *d, unsigned samples)
{
    struct dict_entry *pick[DICT_MEM_SAMPLES_MAX];
    unsigned n = dict_some_random(d, pick, samples);
    size_t sum = 0;
    for (unsigned k = 0; k < n; k++) sum += entry_usable(d, pick[k]);
    return n ? (size_t)((double)sum / n * (double)dict_size(d)) : 0;
}

/* The struct and arrays come from the allocator's figures when sampling,
 * from their requested sizes otherwise. */
size_t dict_mem_usage(struct dict *d, unsigned samples)
{
    if (samples == 0)
        return sizeof(*d) + dict_buckets(d) * sizeof(struct dict_entry *) + entries_requested(d);
    size_t total = mem_usable(d);
    for (int i = 0; i < 2; i++)
        if (d->buckets[i]) total += mem_usable(d->buckets[i]);
    if (samples >= dict_size(d)) return total + entries_walked(d);
    if (samples > DICT_MEM_SAMPLES_MAX) samples = DICT_MEM_SAMPLES_MAX;
    return total + entries_sampled(d, samples);
}

/* Checks one array: each entry in its hash's bucket, the count matching
 * used[i]; adds the key lengths to *key_bytes. */
static int check_array(const struct dict *d, int i, uint64_t *key_bytes, char *err, size_t errlen)
{
    uint64_t count = 0, mask = array_mask(d, i);
    for (uint64_t b = 0; b < array_size(d, i); b++) {
        for (const struct dict_entry *e = d->buckets[i][b]; e; e = e->next) {
            if ((entry_hash(e) & mask) != b) {
                snprintf(err, errlen, "array %d: entry in bucket %llu, hash says %llu", i,
                         (unsigned long long)b, (unsigned long long)(entry_hash(e) & mask));
                return 0;
            }
            if (++count > d->used[i]) {
                snprintf(err, errlen, "array %d: more entries than used %llu", i,
                         (unsigned long long)d->used[i]);
                return 0;
            }
            *key_bytes += e->keylen;
        }
    }
    if (count != d->used[i]) {
        snprintf(err, errlen, "array %d: used %llu, %llu linked", i, (unsigned long long)d->used[i],
                 (unsigned long long)count);
        return 0;
    }
    return 1;
}

/* The resize state: both arrays while resizing, the moved prefix empty. */
static int check_resize_state(const struct dict *d, char *err, size_t errlen)
{
    if (!resizing(d)) {
        if (d->buckets[1] || d->used[1] || d->exp[1] >= 0) {
            snprintf(err, errlen, "idle dict with a second array");
            return 0;
        }
        return 1;
    }
    if (!d->buckets[0] || !d->buckets[1] || (uint64_t)d->rehash_index > array_size(d, 0)) {
        snprintf(err, errlen, "bad resize state, rehash_index %lld", (long long)d->rehash_index);
        return 0;
    }
    for (uint64_t b = 0; b < (uint64_t)d->rehash_index; b++) {
        if (d->buckets[0][b]) {
            snprintf(err, errlen, "old bucket %llu below rehash_index", (unsigned long long)b);
            return 0;
        }
    }
    return 1;
}

/* Reads only: no rehash step, so a test can inspect a resize frozen
 * halfway. */
int dict_check(const struct dict *d, char *err, size_t errlen)
{
    uint64_t key_bytes = 0;
    if (!check_resize_state(d, err, errlen)) return 0;
    for (int i = 0; i < 2; i++)
        if (d->buckets[i] && !check_array(d, i, &key_bytes, err, errlen)) return 0;
    if (key_bytes != d->key_bytes) {
        snprintf(err, errlen, "key_bytes %llu, keys sum to %llu", (unsigned long long)d->key_bytes,
                 (unsigned long long)key_bytes);
        return 0;
    }
    return 1;
}
