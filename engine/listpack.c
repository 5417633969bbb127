/*
 * listpack: Redis 7.0's listpack format (see listpack.h for the layout).
 * Written from the format of Redis's src/listpack.c (7.0.15), including its
 * choices that change bytes: the smallest integer encoding wins, and the
 * backlen size thresholds (a 16383-byte entry gets a 3-byte backlen, as in
 * Redis, although 2 bytes would hold it).
 *
 * Owned by whoever holds the value (the caller holds the key's shard lock);
 * no state of its own. All the size arithmetic on untrusted input is done on
 * offsets in 64 bits so that a corrupt length can never make a pointer point
 * outside the buffer.
 */
#include "engine/listpack.h"

#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/log.h"
#include "engine/util.h"

#define LP_HDR_SIZE 6
#define LP_EOF 0xFF
#define LP_MAX_INT_ENC 9 /* 0xF4 + 8 bytes */
#define LP_MAX_BACKLEN 5

/* Encoding bytes: the first byte of an entry says which encoding follows. */
#define LP_ENC_7BIT_UINT 0x00 /* 0xxxxxxx */
#define LP_ENC_6BIT_STR 0x80  /* 10xxxxxx */
#define LP_ENC_13BIT_INT 0xC0 /* 110xxxxx */
#define LP_ENC_12BIT_STR 0xE0 /* 1110xxxx */
#define LP_ENC_32BIT_STR 0xF0
#define LP_ENC_16BIT_INT 0xF1
#define LP_ENC_24BIT_INT 0xF2
#define LP_ENC_32BIT_INT 0xF3
#define LP_ENC_64BIT_INT 0xF4

/* ---- header ------------------------------------------------------------ */

/* Little-endian reads and writes of n bytes: the format is LE on any host. */
static uint64_t lp_read_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void lp_write_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t lp_hdr_bytes(const unsigned char *lp)
{
    return (uint32_t)lp_read_le(lp, 4);
}

static uint32_t lp_hdr_count(const unsigned char *lp)
{
    return (uint32_t)lp_read_le(lp + 4, 2);
}

static void lp_set_hdr_bytes(unsigned char *lp, uint64_t bytes)
{
    lp_write_le(lp, bytes, 4);
}

/* A count of 65535 or more is stored as "unknown" (65535), as Redis does. */
static void lp_set_hdr_count(unsigned char *lp, uint64_t count)
{
    lp_write_le(lp + 4, count < LP_COUNT_UNKNOWN ? count : LP_COUNT_UNKNOWN, 2);
}

/* Applies an insert (+1) or deletions (-n) to a known count; an unknown
 * count stays unknown until lp_length counts again. */
static void lp_adjust_count(unsigned char *lp, long delta)
{
    uint32_t count = lp_hdr_count(lp);

    if (count != LP_COUNT_UNKNOWN) lp_set_hdr_count(lp, (uint64_t)((long)count + delta));
}

/* Corruption found while walking a listpack that was trusted: stop rather
 * than read outside it (Redis asserts in the same places). */
static void lp_corrupt(const char *where)
{
    log_warning("listpack: corrupt entry found in %s", where);
    abort();
}

/* ---- entry encodings --------------------------------------------------- */

/* Bytes of the encoding header (type byte plus string length) announced by
 * the first byte of an entry; 0 for an invalid byte or the terminator. */
static unsigned lp_head_size(unsigned char b)
{
    if ((b & 0x80) == LP_ENC_7BIT_UINT || (b & 0xC0) == LP_ENC_6BIT_STR) return 1;
    if ((b & 0xE0) == LP_ENC_13BIT_INT) return 1;
    if ((b & 0xF0) == LP_ENC_12BIT_STR) return 2;
    if (b == LP_ENC_32BIT_STR) return 5;
    if (b >= LP_ENC_16BIT_INT && b <= LP_ENC_64BIT_INT) return 1;
    return 0;
}

/* Size of an entry without its backlen (header plus data). The header bytes
 * must be readable (lp_head_size of them). 0 when the encoding is invalid. */
static uint64_t lp_encoded_size(const unsigned char *p)
{
    unsigned char b = p[0];

    if ((b & 0x80) == LP_ENC_7BIT_UINT) return 1;
    if ((b & 0xC0) == LP_ENC_6BIT_STR) return 1 + (uint64_t)(b & 0x3F);
    if ((b & 0xE0) == LP_ENC_13BIT_INT) return 2;
    if ((b & 0xF0) == LP_ENC_12BIT_STR) return 2 + (((uint64_t)(b & 0x0F) << 8) | p[1]);
    switch (b) {
    case LP_ENC_32BIT_STR:
        return 5 + lp_read_le(p + 1, 4);
    case LP_ENC_16BIT_INT:
        return 3;
    case LP_ENC_24BIT_INT:
        return 4;
    case LP_ENC_32BIT_INT:
        return 5;
    case LP_ENC_64BIT_INT:
        return 9;
    default:
        return 0;
    }
}

/* Bytes the backlen of an entry of size l takes. The thresholds are Redis's
 * exactly (note "< 16383", not "<= 16383"): they decide the bytes written. */
static unsigned lp_backlen_size(uint64_t l)
{
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

/* Writes the backlen of l: most significant 7-bit group first, every byte
 * but the first with the high bit set, so that reading from the right the
 * high bit says "more bytes to the left". */
static unsigned lp_backlen_write(unsigned char *buf, uint64_t l)
{
    unsigned n = lp_backlen_size(l);

    for (unsigned i = 0; i < n; i++) {
        unsigned shift = 7 * (n - 1 - i);
        buf[i] = (unsigned char)((l >> shift) & 127);
        if (i > 0) buf[i] |= 128;
    }
    return n;
}

/* Reads a backlen whose last byte is at `last`, looking at no more than
 * `avail` bytes to the left of and including it. UINT64_MAX when it is
 * longer than 5 bytes or runs past `avail`. */
static uint64_t lp_backlen_read(const unsigned char *last, size_t avail)
{
    uint64_t value = 0;

    for (unsigned i = 0; i < LP_MAX_BACKLEN && i < avail; i++) {
        value |= (uint64_t)(last[-(long)i] & 127) << (7 * i);
        if (!(last[-(long)i] & 128)) return value;
    }
    return UINT64_MAX;
}

/* Whole size of a trusted entry: encoding, data and backlen. */
static uint64_t lp_entry_size(const unsigned char *p)
{
    uint64_t enc = lp_encoded_size(p);

    return enc + lp_backlen_size(enc);
}

/* Turns the low `bits` bits of u, a two's complement number, into a signed
 * value without relying on implementation-defined conversions. */
static long long lp_sign_extend(uint64_t u, unsigned bits)
{
    if (bits == 64) return (u >> 63) ? -(long long)(~u) - 1 : (long long)u;
    if (u & ((uint64_t)1 << (bits - 1))) return (long long)u - ((long long)1 << bits);
    return (long long)u;
}

/* The value of an integer entry. An invalid encoding byte gives Redis's
 * tell-tale 12345678900000000 + byte rather than a crash. */
static long long lp_decode_int(const unsigned char *p)
{
    unsigned char b = p[0];

    if ((b & 0x80) == LP_ENC_7BIT_UINT) return b & 0x7F;
    if ((b & 0xE0) == LP_ENC_13BIT_INT)
        return lp_sign_extend(((uint64_t)(b & 0x1F) << 8) | p[1], 13);
    switch (b) {
    case LP_ENC_16BIT_INT:
        return lp_sign_extend(lp_read_le(p + 1, 2), 16);
    case LP_ENC_24BIT_INT:
        return lp_sign_extend(lp_read_le(p + 1, 3), 24);
    case LP_ENC_32BIT_INT:
        return lp_sign_extend(lp_read_le(p + 1, 4), 32);
    case LP_ENC_64BIT_INT:
        return lp_sign_extend(lp_read_le(p + 1, 8), 64);
    default:
        return 12345678900000000LL + b;
    }
}

/* For a string entry: sets the data pointer and length and returns 1; for
 * an integer entry returns 0. */
static int lp_decode_str(const unsigned char *p, const unsigned char **s, uint64_t *len)
{
    unsigned char b = p[0];

    if ((b & 0xC0) == LP_ENC_6BIT_STR) {
        *s = p + 1;
        *len = b & 0x3F;
    } else if ((b & 0xF0) == LP_ENC_12BIT_STR) {
        *s = p + 2;
        *len = ((uint64_t)(b & 0x0F) << 8) | p[1];
    } else if (b == LP_ENC_32BIT_STR) {
        *s = p + 5;
        *len = lp_read_le(p + 1, 4);
    } else {
        return 0;
    }
    return 1;
}

/* An element ready to be written: its encoding header (the whole encoding
 * for an integer) and, for a string, the data that follows it. */
struct lp_item {
    unsigned char head[LP_MAX_INT_ENC];
    unsigned head_len;
    const unsigned char *data;
    uint64_t data_len;
};

/* The smallest integer encoding that holds v, as Redis picks it. */
static void lp_item_int(struct lp_item *it, long long v)
{
    uint64_t u = (uint64_t)v; /* two's complement bytes of v */
    unsigned n;

    it->data = NULL;
    it->data_len = 0;
    if (v >= 0 && v <= 127) {
        it->head[0] = (unsigned char)v;
        it->head_len = 1;
        return;
    }
    if (v >= -4096 && v <= 4095) {
        it->head[0] = (unsigned char)(LP_ENC_13BIT_INT | ((u >> 8) & 0x1F));
        it->head[1] = (unsigned char)u;
        it->head_len = 2;
        return;
    }
    if (v >= -32768 && v <= 32767) {
        n = 2;
        it->head[0] = LP_ENC_16BIT_INT;
    } else if (v >= -8388608 && v <= 8388607) {
        n = 3;
        it->head[0] = LP_ENC_24BIT_INT;
    } else if (v >= -2147483648LL && v <= 2147483647LL) {
        n = 4;
        it->head[0] = LP_ENC_32BIT_INT;
    } else {
        n = 8;
        it->head[0] = LP_ENC_64BIT_INT;
    }
    lp_write_le(it->head + 1, u, n);
    it->head_len = 1 + n;
}

/* A string element: an integer when s is an int64's canonical decimal form
 * (Redis's lpStringToInt64 = util_str_to_ll), else the shortest string
 * encoding for its length. */
static void lp_item_str(struct lp_item *it, const void *s, size_t len)
{
    long long v;

    if (util_str_to_ll(s, len, &v)) {
        lp_item_int(it, v);
        return;
    }
    it->data = s;
    it->data_len = len;
    if (len < 64) {
        it->head[0] = (unsigned char)(LP_ENC_6BIT_STR | len);
        it->head_len = 1;
    } else if (len < 4096) {
        it->head[0] = (unsigned char)(LP_ENC_12BIT_STR | (len >> 8));
        it->head[1] = (unsigned char)len;
        it->head_len = 2;
    } else {
        it->head[0] = LP_ENC_32BIT_STR;
        lp_write_le(it->head + 1, len, 4);
        it->head_len = 5;
    }
}

/* Writes the item (encoding, data, backlen) at dst; returns bytes written. */
static uint64_t lp_item_write(unsigned char *dst, const struct lp_item *it)
{
    uint64_t enc = it->head_len + it->data_len;

    memcpy(dst, it->head, it->head_len);
    if (it->data_len) memcpy(dst + it->head_len, it->data, it->data_len);
    return enc + lp_backlen_write(dst + enc, enc);
}

/* ---- checking entries -------------------------------------------------- */

/* Checks the entry at offset off of a listpack of `total` bytes without
 * reading outside it: its header is readable, its encoding is valid, it
 * ends before the terminator's byte and its backlen agrees with its size.
 * Sets *next to the following offset. 1 when valid. */
static int lp_check_entry(const unsigned char *lp, uint64_t total, uint64_t off, uint64_t *next)
{
    unsigned head;
    uint64_t enc, size;

    if (off < LP_HDR_SIZE || off >= total - 1) return 0;
    head = lp_head_size(lp[off]);
    if (head == 0 || off + head > total - 1) return 0;
    enc = lp_encoded_size(lp + off);
    size = enc + lp_backlen_size(enc);
    if (enc == 0 || off + size > total - 1) return 0;
    if (lp_backlen_read(lp + off + size - 1, size) != enc) return 0;
    *next = off + size;
    return 1;
}

/* The walking functions land on p: make sure it is a whole entry (or the
 * terminator) inside the listpack before anyone reads it. */
static void lp_assert_entry(const unsigned char *lp, const unsigned char *p, const char *where)
{
    uint64_t total = lp_hdr_bytes(lp), next;
    uint64_t off = (uint64_t)(p - lp);

    if (off == total - 1 && p[0] == LP_EOF) return;
    if (!lp_check_entry(lp, total, off, &next)) lp_corrupt(where);
}

/* ---- creation and size ------------------------------------------------- */

/* An empty listpack is the 6-byte header and the terminator. */
unsigned char *lp_new(size_t capacity)
{
    unsigned char *lp = mem_alloc(capacity > LP_HDR_SIZE + 1 ? capacity : LP_HDR_SIZE + 1);

    lp_set_hdr_bytes(lp, LP_HDR_SIZE + 1);
    lp_set_hdr_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp)
{
    mem_free(lp);
}

/* Only reallocates when the allocator holds more than the listpack uses. */
unsigned char *lp_shrink(unsigned char *lp)
{
    size_t bytes = lp_hdr_bytes(lp);

    return bytes < mem_usable(lp) ? mem_realloc(lp, bytes) : lp;
}

size_t lp_bytes(const unsigned char *lp)
{
    return lp_hdr_bytes(lp);
}

/* Beyond 65534 elements the header cannot say; counting is then O(n). */
unsigned long lp_length(unsigned char *lp)
{
    uint32_t count = lp_hdr_count(lp);
    unsigned long n = 0;

    if (count != LP_COUNT_UNKNOWN) return count;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) n++;
    if (n < LP_COUNT_UNKNOWN) lp_set_hdr_count(lp, n);
    return n;
}

/* The 1 GiB cap keeps every size far from the 32-bit header limit, so the
 * callers that check it never see an insert fail. */
int lp_safe_to_add(const unsigned char *lp, size_t add)
{
    size_t len = lp ? lp_hdr_bytes(lp) : 0;

    return len + add <= LP_MAX_SAFE_SIZE;
}

/* ---- walking ----------------------------------------------------------- */

unsigned char *lp_first(unsigned char *lp)
{
    unsigned char *p = lp + LP_HDR_SIZE;

    if (p[0] == LP_EOF) return NULL;
    lp_assert_entry(lp, p, "lp_first");
    return p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p)
{
    p += lp_entry_size(p);
    if (p[0] == LP_EOF) return NULL;
    lp_assert_entry(lp, p, "lp_next");
    return p;
}

/* The previous entry's size is in the backlen just left of p. */
unsigned char *lp_prev(unsigned char *lp, unsigned char *p)
{
    size_t before = (size_t)(p - lp) - LP_HDR_SIZE; /* bytes of entries left of p */
    uint64_t enc, size;

    if (before == 0) return NULL;
    enc = lp_backlen_read(p - 1, before);
    if (enc == UINT64_MAX) lp_corrupt("lp_prev");
    size = enc + lp_backlen_size(enc);
    if (size > before) lp_corrupt("lp_prev");
    p -= size;
    lp_assert_entry(lp, p, "lp_prev");
    if (lp_entry_size(p) != size) lp_corrupt("lp_prev"); /* must end where we started */
    return p;
}

unsigned char *lp_last(unsigned char *lp)
{
    return lp_prev(lp, lp + lp_hdr_bytes(lp) - 1);
}

/* Walks from the nearer end when the count is known; with an unknown count
 * a negative index walks from the tail, a positive one from the head. */
unsigned char *lp_seek(unsigned char *lp, long index)
{
    uint32_t count = lp_hdr_count(lp);
    int forward = index >= 0;
    unsigned char *p;

    if (count != LP_COUNT_UNKNOWN) {
        if (index < 0) index += (long)count;
        if (index < 0 || index >= (long)count) return NULL;
        forward = index <= (long)count / 2;
        if (!forward) index -= (long)count;
    }
    if (forward) {
        for (p = lp_first(lp); p && index > 0; index--) p = lp_next(lp, p);
    } else {
        for (p = lp_last(lp); p && index < -1; index++) p = lp_prev(lp, p);
    }
    return p;
}

/* ---- reading ----------------------------------------------------------- */

const unsigned char *lp_get(const unsigned char *p, size_t *len, long long *ll)
{
    const unsigned char *s;
    uint64_t n;

    if (lp_decode_str(p, &s, &n)) {
        *len = (size_t)n;
        return s;
    }
    *ll = lp_decode_int(p);
    return NULL;
}

size_t lp_int_to_str(char buf[LP_INTBUF_SIZE], long long v)
{
    return (size_t)util_ll_to_str(buf, LP_INTBUF_SIZE, v);
}

const unsigned char *lp_get_str(const unsigned char *p, char buf[LP_INTBUF_SIZE], size_t *len)
{
    long long v;
    const unsigned char *s = lp_get(p, len, &v);

    if (s) return s;
    *len = lp_int_to_str(buf, v);
    return (const unsigned char *)buf;
}

void lp_get_entry(const unsigned char *p, struct lp_entry *e)
{
    e->len = 0;
    e->ll = 0;
    e->str = lp_get(p, &e->len, &e->ll);
}

/* ---- modifying --------------------------------------------------------- */

/* The one primitive behind every change: replaces the old_size bytes at
 * offset off with item (NULL: with nothing) and moves the count by delta.
 * Grows before moving the tail right (only past what the allocation already
 * holds, so lp_new's capacity is used), shrinks after moving it left, so the
 * bytes being moved are always inside the allocation. NULL (listpack
 * untouched) when the result would not fit the 32-bit size field. */
static unsigned char *lp_splice(unsigned char *lp, uint64_t off, uint64_t old_size,
                                const struct lp_item *item, long delta)
{
    uint64_t enc = item ? item->head_len + item->data_len : 0;
    uint64_t new_size = item ? enc + lp_backlen_size(enc) : 0;
    uint64_t old_total = lp_hdr_bytes(lp);
    uint64_t new_total = old_total - old_size + new_size;
    uint64_t tail = old_total - off - old_size;

    if (item && item->data_len > UINT32_MAX) return NULL;
    if (new_total > UINT32_MAX) return NULL;
    if (new_total > old_total && new_total > mem_usable(lp)) lp = mem_realloc(lp, new_total);
    memmove(lp + off + new_size, lp + off + old_size, tail);
    if (new_total < old_total) lp = mem_realloc(lp, new_total);
    if (item) lp_item_write(lp + off, item);
    lp_set_hdr_bytes(lp, new_total);
    lp_adjust_count(lp, delta);
    return lp;
}

/* Inserting after p is inserting before the entry that follows it (which
 * may be the terminator). */
static unsigned char *lp_insert_item(unsigned char *lp, unsigned char *p, enum lp_where where,
                                     const struct lp_item *item, unsigned char **newp)
{
    uint64_t off;

    if (where == LP_AFTER) p += lp_entry_size(p);
    off = (uint64_t)(p - lp);
    lp = lp_splice(lp, off, 0, item, 1);
    if (lp && newp) *newp = lp + off;
    return lp;
}

unsigned char *lp_insert(unsigned char *lp, unsigned char *p, enum lp_where where, const void *s,
                         size_t len, unsigned char **newp)
{
    struct lp_item item;

    if (len > UINT32_MAX) return NULL;
    lp_item_str(&item, s, len);
    return lp_insert_item(lp, p, where, &item, newp);
}

unsigned char *lp_insert_int(unsigned char *lp, unsigned char *p, enum lp_where where, long long v,
                             unsigned char **newp)
{
    struct lp_item item;

    lp_item_int(&item, v);
    return lp_insert_item(lp, p, where, &item, newp);
}

/* Appending is inserting before the terminator. */
unsigned char *lp_append(unsigned char *lp, const void *s, size_t len)
{
    return lp_insert(lp, lp + lp_hdr_bytes(lp) - 1, LP_BEFORE, s, len, NULL);
}

unsigned char *lp_append_int(unsigned char *lp, long long v)
{
    return lp_insert_int(lp, lp + lp_hdr_bytes(lp) - 1, LP_BEFORE, v, NULL);
}

/* Prepending is inserting before whatever follows the header. */
unsigned char *lp_prepend(unsigned char *lp, const void *s, size_t len)
{
    return lp_insert(lp, lp + LP_HDR_SIZE, LP_BEFORE, s, len, NULL);
}

unsigned char *lp_prepend_int(unsigned char *lp, long long v)
{
    return lp_insert_int(lp, lp + LP_HDR_SIZE, LP_BEFORE, v, NULL);
}

/* Replacing splices the new entry over the old one's bytes, count unchanged. */
static unsigned char *lp_replace_item(unsigned char *lp, unsigned char **p,
                                      const struct lp_item *item)
{
    uint64_t off = (uint64_t)(*p - lp);

    lp = lp_splice(lp, off, lp_entry_size(*p), item, 0);
    if (lp) *p = lp + off;
    return lp;
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len)
{
    struct lp_item item;

    if (len > UINT32_MAX) return NULL;
    lp_item_str(&item, s, len);
    return lp_replace_item(lp, p, &item);
}

unsigned char *lp_replace_int(unsigned char *lp, unsigned char **p, long long v)
{
    struct lp_item item;

    lp_item_int(&item, v);
    return lp_replace_item(lp, p, &item);
}

/* After a deletion the element now at the deleted offset is the next one,
 * or the terminator (NULL). */
static unsigned char *lp_at_or_null(unsigned char *lp, uint64_t off)
{
    return lp[off] == LP_EOF ? NULL : lp + off;
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **next)
{
    uint64_t off = (uint64_t)(p - lp);

    lp = lp_splice(lp, off, lp_entry_size(p), NULL, -1);
    if (next) *next = lp_at_or_null(lp, off);
    return lp;
}

/* Walks num entries (stopping at the terminator: the header count may be
 * unknown) and cuts them out in one move. */
unsigned char *lp_delete_range_at(unsigned char *lp, unsigned char **p, unsigned long num)
{
    uint64_t off = (uint64_t)(*p - lp);
    unsigned char *end = *p;
    unsigned long deleted = 0;

    if (num == 0) return lp;
    while (deleted < num && end[0] != LP_EOF) {
        end += lp_entry_size(end);
        deleted++;
        lp_assert_entry(lp, end, "lp_delete_range");
    }
    lp = lp_splice(lp, off, (uint64_t)(end - (lp + off)), NULL, -(long)deleted);
    *p = lp_at_or_null(lp, off);
    return lp;
}

/* When the range reaches the end and the count is known, truncating at the
 * first deleted element avoids walking the rest (quicklist splits do this). */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num)
{
    uint32_t count = lp_hdr_count(lp);
    unsigned char *p;

    if (num == 0 || (p = lp_seek(lp, index)) == NULL) return lp;
    if (count != LP_COUNT_UNKNOWN) {
        if (index < 0) index += (long)count;
        if ((unsigned long)count - (unsigned long)index <= num) {
            uint64_t off = (uint64_t)(p - lp);
            p[0] = LP_EOF;
            lp_set_hdr_bytes(lp, off + 1);
            lp_set_hdr_count(lp, (uint64_t)index);
            return mem_realloc(lp, off + 1);
        }
    }
    return lp_delete_range_at(lp, &p, num);
}

/* Keeps the bigger listpack's allocation and copies the smaller one's
 * entries before or after them: one header and one terminator go away. */
unsigned char *lp_merge(unsigned char **first, unsigned char **second)
{
    unsigned char *a, *b, *target;
    uint64_t a_bytes, b_bytes, total, count;

    if (!first || !*first || !second || !*second || *first == *second) return NULL;
    a = *first, b = *second;
    a_bytes = lp_hdr_bytes(a), b_bytes = lp_hdr_bytes(b);
    count = (uint64_t)lp_length(a) + lp_length(b);
    total = a_bytes + b_bytes - LP_HDR_SIZE - 1;
    if (total > UINT32_MAX) return NULL;
    if (a_bytes >= b_bytes) {
        target = mem_realloc(a, total);
        memcpy(target + a_bytes - 1, b + LP_HDR_SIZE, b_bytes - LP_HDR_SIZE);
        mem_free(b);
    } else {
        target = mem_realloc(b, total);
        memmove(target + a_bytes - 1, target + LP_HDR_SIZE, b_bytes - LP_HDR_SIZE);
        memcpy(target + LP_HDR_SIZE, a + LP_HDR_SIZE, a_bytes - LP_HDR_SIZE - 1);
        mem_free(a);
    }
    lp_set_hdr_bytes(target, total);
    lp_set_hdr_count(target, count);
    *first = a_bytes >= b_bytes ? target : NULL;
    *second = a_bytes >= b_bytes ? NULL : target;
    return target;
}

/* ---- comparing and finding --------------------------------------------- */

/* Compares p with s, given whether s parses as an integer (is_int, v): an
 * integer element can only equal a canonical integer string. */
static int lp_equals(const unsigned char *p, const void *s, size_t len, int is_int, long long v)
{
    size_t elen;
    long long ev;
    const unsigned char *es = lp_get(p, &elen, &ev);

    if (es) return elen == len && (len == 0 || memcmp(es, s, len) == 0);
    return is_int && ev == v;
}

int lp_compare(const unsigned char *p, const void *s, size_t len)
{
    long long v = 0;
    int is_int;

    if (p[0] == LP_EOF) return 0;
    is_int = util_str_to_ll(s, len, &v);
    return lp_equals(p, s, len, is_int, v);
}

/* Parses s once, then compares every (skip+1)-th element from p. */
unsigned char *lp_find(unsigned char *lp, unsigned char *p, const void *s, size_t len,
                       unsigned skip)
{
    long long v = 0;
    int is_int = util_str_to_ll(s, len, &v);
    unsigned skipped = 0;

    for (; p; p = lp_next(lp, p)) {
        if (skipped > 0) {
            skipped--;
            continue;
        }
        if (lp_equals(p, s, len, is_int, v)) return p;
        skipped = skip;
    }
    return NULL;
}

/* ---- validation -------------------------------------------------------- */

/* The checks that need only the header and the last byte. */
static int lp_validate_header(const unsigned char *lp, size_t size)
{
    if (size < LP_HDR_SIZE + 1 || size > UINT32_MAX) return 0;
    if (lp_hdr_bytes(lp) != size) return 0;
    return lp[size - 1] == LP_EOF;
}

/* Every entry checked in turn; the walk must end exactly on the last byte
 * (a 0xFF earlier is a premature terminator) and match a known count. */
int lp_validate_entries(const unsigned char *lp, size_t size,
                        int (*check)(const unsigned char *p, void *ctx), void *ctx)
{
    uint64_t off = LP_HDR_SIZE, next, count = 0;
    uint32_t header_count;

    if (!lp_validate_header(lp, size)) return 0;
    while (lp[off] != LP_EOF) {
        if (!lp_check_entry(lp, size, off, &next)) return 0;
        if (check && !check(lp + off, ctx)) return 0;
        count++;
        off = next;
    }
    if (off != size - 1) return 0;
    header_count = lp_hdr_count(lp);
    return header_count == LP_COUNT_UNKNOWN || header_count == count;
}

int lp_validate(const unsigned char *lp, size_t size, int deep)
{
    if (!deep) return lp_validate_header(lp, size);
    return lp_validate_entries(lp, size, NULL, NULL);
}

/* ---- random picks ------------------------------------------------------ */

/* The pair whose key is at p. */
static void lp_read_pair(unsigned char *lp, unsigned char *p, struct lp_entry *key,
                         struct lp_entry *val)
{
    lp_get_entry(p, key);
    if (!val) return;
    if ((p = lp_next(lp, p)) == NULL) lp_corrupt("lp_random_pair");
    lp_get_entry(p, val);
}

void lp_random_pair(unsigned char *lp, unsigned long total_pairs, lp_rand_fn rnd,
                    struct lp_entry *key, struct lp_entry *val)
{
    unsigned char *p;

    if (total_pairs == 0) lp_corrupt("lp_random_pair");
    p = lp_seek(lp, (long)(rnd() % total_pairs) * 2);
    if (!p) lp_corrupt("lp_random_pair");
    lp_read_pair(lp, p, key, val);
}

struct lp_pick {
    unsigned long index; /* pair number */
    unsigned order;      /* where the caller wants it */
};

static int lp_pick_cmp(const void *a, const void *b)
{
    unsigned long x = ((const struct lp_pick *)a)->index, y = ((const struct lp_pick *)b)->index;

    return (x > y) - (x < y);
}

/* Draws all indexes first and sorts them, so that one walk through the
 * listpack serves them all; each lands at the position it was drawn for. */
void lp_random_pairs(unsigned char *lp, unsigned count, lp_rand_fn rnd, struct lp_entry *keys,
                     struct lp_entry *vals)
{
    unsigned long total = lp_length(lp) / 2, at = 0;
    struct lp_pick *picks;
    unsigned char *p;
    unsigned i = 0;

    if (count == 0) return;
    if (total == 0) lp_corrupt("lp_random_pairs");
    picks = mem_alloc(sizeof(*picks) * count);
    for (unsigned j = 0; j < count; j++) picks[j] = (struct lp_pick){rnd() % total, j};
    qsort(picks, count, sizeof(*picks), lp_pick_cmp);
    for (p = lp_first(lp); p && i < count; at++) {
        while (i < count && picks[i].index == at) {
            lp_read_pair(lp, p, &keys[picks[i].order], vals ? &vals[picks[i].order] : NULL);
            i++;
        }
        if ((p = lp_next(lp, p)) != NULL) p = lp_next(lp, p);
    }
    mem_free(picks);
    if (i < count) lp_corrupt("lp_random_pairs");
}

/* Selection sampling in one pass: each pair is taken with probability
 * (still wanted) / (still unseen), which makes every subset equally likely. */
unsigned lp_random_pairs_unique(unsigned char *lp, unsigned count, lp_rand_fn rnd,
                                struct lp_entry *keys, struct lp_entry *vals)
{
    unsigned long total = lp_length(lp) / 2, seen = 0;
    unsigned picked = 0;

    if (count > total) count = (unsigned)total;
    for (unsigned char *p = lp_first(lp); p && picked < count; seen++) {
        double r = (double)(rnd() >> 11) * 0x1.0p-53;
        if (r <= (double)(count - picked) / (double)(total - seen)) {
            lp_read_pair(lp, p, &keys[picked], vals ? &vals[picked] : NULL);
            picked++;
        }
        if ((p = lp_next(lp, p)) == NULL) lp_corrupt("lp_random_pairs_unique");
        p = lp_next(lp, p);
    }
    return picked;
}
