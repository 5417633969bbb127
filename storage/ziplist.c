/*
 * ziplist: validating readers of ziplists and zipmaps. See ziplist.h.
 *
 * Both walks run twice: once to check every byte, once to hand the
 * elements out, so a consumer never sees part of a corrupt blob.
 */
#include "storage/ziplist.h"

#include <stdint.h>
#include <string.h>

#define ZL_HEADER_SIZE 10
#define ZL_END 0xFF
#define ZL_BIG_PREVLEN 0xFE
#define ZL_COUNT_UNKNOWN 0xFFFF

static uint32_t load_le(const unsigned char *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* One decoded ziplist entry. */
struct zl_entry {
    size_t header; /* prevlen + encoding bytes */
    size_t len;    /* data bytes */
    uint32_t prevlen;
    struct lp_entry value;
};

/* Decodes the entry at off (before the end byte at size - 1); 0 when it
 * is malformed or does not fit. */
static int zl_decode(const unsigned char *zl, size_t size, size_t off, struct zl_entry *out)
{
    size_t end = size - 1, p = off;
    if (zl[p] == ZL_BIG_PREVLEN) {
        if (end - p < 5) return 0;
        out->prevlen = load_le(zl + p + 1, 4);
        p += 5;
    } else {
        out->prevlen = zl[p];
        p += 1;
    }
    if (p >= end) return 0;
    unsigned char enc = zl[p];
    size_t data = 0;
    out->value.str = NULL;
    out->value.len = 0;
    out->value.ll = 0;
    switch (enc >> 6) {
    case 0:
        data = enc & 0x3f;
        p += 1;
        break;
    case 1:
        if (end - p < 2) return 0;
        data = (size_t)(enc & 0x3f) << 8 | zl[p + 1];
        p += 2;
        break;
    case 2:
        if (end - p < 5) return 0;
        data =
            (size_t)zl[p + 1] << 24 | (size_t)zl[p + 2] << 16 | (size_t)zl[p + 3] << 8 | zl[p + 4];
        p += 5;
        break;
    default:
        p += 1;
        if (enc == 0xC0)
            data = 2;
        else if (enc == 0xD0)
            data = 4;
        else if (enc == 0xE0)
            data = 8;
        else if (enc == 0xF0)
            data = 3;
        else if (enc == 0xFE)
            data = 1;
        else if (enc >= 0xF1 && enc <= 0xFD)
            data = 0;
        else
            return 0;
        break;
    }
    if (p > end || end - p < data) return 0;
    out->header = p - off;
    out->len = data;
    const unsigned char *d = zl + p;
    if ((enc >> 6) != 3) {
        out->value.str = d;
        out->value.len = data;
    } else if (enc == 0xC0) {
        out->value.ll = (int16_t)load_le(d, 2);
    } else if (enc == 0xD0) {
        out->value.ll = (int32_t)load_le(d, 4);
    } else if (enc == 0xE0) {
        out->value.ll = (int64_t)((uint64_t)load_le(d + 4, 4) << 32 | load_le(d, 4));
    } else if (enc == 0xF0) {
        out->value.ll = (int32_t)(load_le(d, 3) << 8) >> 8;
    } else if (enc == 0xFE) {
        out->value.ll = (int8_t)d[0];
    } else {
        out->value.ll = (enc & 0x0f) - 1;
    }
    return 1;
}

/* One pass over the entries: checks them all (fn NULL) or hands them out. */
static int zl_pass(const unsigned char *zl, size_t size,
                   int (*fn)(void *ctx, const struct lp_entry *e), void *ctx)
{
    size_t off = ZL_HEADER_SIZE, prev_off = 0, prev_size = 0, count = 0;
    while (off < size - 1) {
        struct zl_entry e;
        if (!zl_decode(zl, size, off, &e)) return 0;
        if (e.prevlen != prev_size) return 0;
        if (fn && !fn(ctx, &e.value)) return 0;
        prev_off = off;
        prev_size = e.header + e.len;
        off += prev_size;
        count++;
    }
    if (off != size - 1) return 0;
    uint32_t tail = load_le(zl + 4, 4);
    if (count > 0 && tail != prev_off) return 0;
    if (count == 0 && tail != ZL_HEADER_SIZE) return 0;
    uint32_t header_count = load_le(zl + 8, 2);
    if (header_count != ZL_COUNT_UNKNOWN && header_count != count) return 0;
    return 1;
}

int ziplist_walk(const unsigned char *zl, size_t size,
                 int (*fn)(void *ctx, const struct lp_entry *e), void *ctx)
{
    if (size < ZL_HEADER_SIZE + 1 || load_le(zl, 4) != size || zl[size - 1] != ZL_END) return 0;
    if (!zl_pass(zl, size, NULL, NULL)) return 0;
    return fn ? zl_pass(zl, size, fn, ctx) : 1;
}

#define ZM_BIGLEN 254
#define ZM_COUNT_UNKNOWN 254

/* Reads a zipmap length at *p (before end); 0 when it does not fit. */
static int zm_len(const unsigned char *zm, size_t end, size_t *p, size_t *len)
{
    if (*p >= end) return 0;
    if (zm[*p] < ZM_BIGLEN) {
        *len = zm[(*p)++];
        return 1;
    }
    if (end - *p < 5) return 0;
    *len = load_le(zm + *p + 1, 4);
    *p += 5;
    return 1;
}

static int zm_pass(const unsigned char *zm, size_t size,
                   int (*fn)(void *ctx, const unsigned char *f, size_t flen, const unsigned char *v,
                             size_t vlen),
                   void *ctx)
{
    size_t end = size - 1, p = 1, count = 0;
    while (p < end) {
        size_t flen, vlen, fpos, vpos;
        if (zm[p] == ZL_END) return 0; /* the end marker before the end */
        if (!zm_len(zm, end, &p, &flen) || end - p < flen) return 0;
        fpos = p;
        p += flen;
        if (!zm_len(zm, end, &p, &vlen) || p >= end) return 0;
        size_t free_bytes = zm[p++];
        if (end - p < vlen || end - p - vlen < free_bytes) return 0;
        vpos = p;
        p += vlen + free_bytes;
        if (fn && !fn(ctx, zm + fpos, flen, zm + vpos, vlen)) return 0;
        count++;
    }
    if (p != end) return 0;
    if (zm[0] < ZM_COUNT_UNKNOWN && zm[0] != count) return 0;
    return 1;
}

int zipmap_walk(const unsigned char *zm, size_t size,
                int (*fn)(void *ctx, const unsigned char *field, size_t flen,
                          const unsigned char *value, size_t vlen),
                void *ctx)
{
    if (size < 2 || zm[size - 1] != ZL_END) return 0;
    if (!zm_pass(zm, size, NULL, NULL)) return 0;
    return fn ? zm_pass(zm, size, fn, ctx) : 1;
}
