/*
 * intset: sorted integer arrays in Redis's exact byte layout. See intset.h.
 *
 * The struct below is the blob: header fields and elements are stored
 * little-endian whatever the host, and elements are read and written with
 * memcpy so neither alignment nor byte order is ever assumed.
 */
#include "engine/intset.h"

#include <endian.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/util.h"

#define ENC_INT16 ((uint32_t)sizeof(int16_t))
#define ENC_INT32 ((uint32_t)sizeof(int32_t))
#define ENC_INT64 ((uint32_t)sizeof(int64_t))

struct intset {
    uint32_t encoding_le; /* bytes per element, little-endian */
    uint32_t length_le;   /* element count, little-endian */
    unsigned char contents[];
};

#define HEADER_SIZE offsetof(struct intset, contents)

/* ---- little-endian fields and elements --------------------------------- */

static uint32_t load_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return le32toh(v);
}

static uint32_t get_encoding(const struct intset *is)
{
    return le32toh(is->encoding_le);
}

static uint32_t get_length(const struct intset *is)
{
    return le32toh(is->length_le);
}

static void set_encoding(struct intset *is, uint32_t enc)
{
    is->encoding_le = htole32(enc);
}

static void set_length(struct intset *is, uint32_t len)
{
    is->length_le = htole32(len);
}

/* Reads one element of width enc at p; the casts from unsigned sign-extend
 * the stored two's complement value. */
static int64_t load_element(const unsigned char *p, uint32_t enc)
{
    if (enc == ENC_INT64) {
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return (int64_t)le64toh(v);
    }
    if (enc == ENC_INT32) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return (int32_t)le32toh(v);
    }
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return (int16_t)le16toh(v);
}

/* Writes v (which must fit) as an element of width enc at p. */
static void store_element(unsigned char *p, uint32_t enc, int64_t v)
{
    if (enc == ENC_INT64) {
        uint64_t le = htole64((uint64_t)v);
        memcpy(p, &le, sizeof(le));
    } else if (enc == ENC_INT32) {
        uint32_t le = htole32((uint32_t)(int32_t)v);
        memcpy(p, &le, sizeof(le));
    } else {
        uint16_t le = htole16((uint16_t)(int16_t)v);
        memcpy(p, &le, sizeof(le));
    }
}

static int64_t element_at(const struct intset *is, uint32_t pos)
{
    uint32_t enc = get_encoding(is);
    return load_element(is->contents + (size_t)pos * enc, enc);
}

static void element_set(struct intset *is, uint32_t pos, int64_t v)
{
    uint32_t enc = get_encoding(is);
    store_element(is->contents + (size_t)pos * enc, enc, v);
}

/* The narrowest encoding that holds v. */
static uint32_t encoding_for(int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX) return ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return ENC_INT32;
    return ENC_INT16;
}

/* ---- create, resize, search -------------------------------------------- */

struct intset *intset_new(void)
{
    struct intset *is = mem_alloc(HEADER_SIZE);
    set_encoding(is, ENC_INT16);
    set_length(is, 0);
    return is;
}

void intset_free(struct intset *is)
{
    mem_free(is);
}

/* Reallocates for len elements of the current encoding (the length field
 * is the caller's to update). size_t arithmetic: 8 + 2^32 * 8 fits. */
static struct intset *resize(struct intset *is, uint32_t len)
{
    return mem_realloc(is, HEADER_SIZE + (size_t)len * get_encoding(is));
}

/* Binary search. Returns 1 with *pos at v's position when present, else 0
 * with *pos where v would be inserted. Values past either end are decided
 * without a search, which makes adding ascending input O(1) per lookup. */
static int search(const struct intset *is, int64_t v, uint32_t *pos)
{
    uint32_t len = get_length(is), lo = 0, hi = len;
    if (len == 0 || v > element_at(is, len - 1)) {
        *pos = len;
        return 0;
    }
    if (v < element_at(is, 0)) {
        *pos = 0;
        return 0;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = element_at(is, mid);
        if (cur < v) {
            lo = mid + 1;
        } else if (cur > v) {
            hi = mid;
        } else {
            *pos = mid;
            return 1;
        }
    }
    *pos = lo;
    return 0;
}

/* ---- add and remove ---------------------------------------------------- */

/* Widens every element to v's encoding and adds v. A value that needs a
 * wider encoding lies outside the current range, so it goes first (when
 * negative) or last. Elements are rewritten back to front: each is read
 * before its wider copy can overwrite it. */
static struct intset *upgrade_and_add(struct intset *is, int64_t v)
{
    uint32_t old_enc = get_encoding(is), len = get_length(is);
    uint32_t shift = v < 0 ? 1 : 0;
    set_encoding(is, encoding_for(v));
    is = resize(is, len + 1);
    for (uint32_t i = len; i-- > 0;) {
        int64_t cur = load_element(is->contents + (size_t)i * old_enc, old_enc);
        element_set(is, i + shift, cur);
    }
    element_set(is, shift ? 0 : len, v);
    set_length(is, len + 1);
    return is;
}

/* Shifts elements [from, length) to start at position to. */
static void move_tail(struct intset *is, uint32_t from, uint32_t to)
{
    size_t enc = get_encoding(is);
    size_t bytes = (size_t)(get_length(is) - from) * enc;
    memmove(is->contents + to * enc, is->contents + from * enc, bytes);
}

/* A value that needs a wider encoding cannot be present, so it skips the
 * search and goes straight to the upgrade. */
struct intset *intset_add(struct intset *is, int64_t v, int *added)
{
    uint32_t pos;
    if (added) *added = 1;
    if (encoding_for(v) > get_encoding(is)) return upgrade_and_add(is, v);
    if (search(is, v, &pos)) {
        if (added) *added = 0;
        return is;
    }
    uint32_t len = get_length(is);
    is = resize(is, len + 1);
    if (pos < len) move_tail(is, pos, pos + 1);
    element_set(is, pos, v);
    set_length(is, len + 1);
    return is;
}

/* A value wider than the encoding cannot be a member: no search needed. */
struct intset *intset_remove(struct intset *is, int64_t v, int *removed)
{
    uint32_t pos;
    if (removed) *removed = 0;
    if (encoding_for(v) > get_encoding(is) || !search(is, v, &pos)) return is;
    uint32_t len = get_length(is);
    if (pos < len - 1) move_tail(is, pos + 1, pos);
    set_length(is, len - 1);
    if (removed) *removed = 1;
    return resize(is, len - 1);
}

/* ---- reads ------------------------------------------------------------- */

int intset_find(const struct intset *is, int64_t v)
{
    uint32_t pos;
    return encoding_for(v) <= get_encoding(is) && search(is, v, &pos);
}

int intset_get(const struct intset *is, uint32_t pos, int64_t *v)
{
    if (pos >= get_length(is)) return 0;
    *v = element_at(is, pos);
    return 1;
}

/* Uniform over positions, which are the distinct members. */
int64_t intset_random(const struct intset *is)
{
    return element_at(is, (uint32_t)(util_rand64() % get_length(is)));
}

uint32_t intset_len(const struct intset *is)
{
    return get_length(is);
}

uint32_t intset_encoding(const struct intset *is)
{
    return get_encoding(is);
}

const unsigned char *intset_blob(const struct intset *is)
{
    return (const unsigned char *)is;
}

size_t intset_blob_len(const struct intset *is)
{
    return HEADER_SIZE + (size_t)get_length(is) * get_encoding(is);
}

/* ---- untrusted blobs --------------------------------------------------- */

/* Header checks first, in 64-bit arithmetic so a huge length cannot wrap:
 * once 8 + length * encoding == size holds, every element read below is
 * inside the blob. */
int intset_validate(const unsigned char *blob, size_t size, int deep)
{
    if (size < HEADER_SIZE) return 0;
    uint32_t enc = load_u32(blob), len = load_u32(blob + sizeof(uint32_t));
    if (enc != ENC_INT16 && enc != ENC_INT32 && enc != ENC_INT64) return 0;
    if ((uint64_t)HEADER_SIZE + (uint64_t)len * enc != (uint64_t)size) return 0;
    if (len == 0) return 0;
    if (!deep) return 1;
    const unsigned char *p = blob + HEADER_SIZE;
    int64_t prev = load_element(p, enc);
    for (uint32_t i = 1; i < len; i++) {
        int64_t cur = load_element(p + (size_t)i * enc, enc);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}

/* The blob is the in-memory form, so adopting is validating: no copy. */
struct intset *intset_adopt(void *buf, size_t size, int deep)
{
    if (!intset_validate(buf, size, deep)) return NULL;
    return buf;
}
