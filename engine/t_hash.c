/*
 * t_hash: hash values in the keyspace, listpack or dict. See t_hash.h.
 *
 * In the dict, a field is the entry's key and its value sits in the
 * entry's 8-byte value slot, stored as compactly as we can:
 *
 *   - up to 7 bytes: in the slot itself. Its first byte is (length << 1) | 1,
 *     an odd number that no allocation address starts with (they are at
 *     least 8-byte aligned, and the slot's first byte is the address's low
 *     byte on the little-endian machines tandem runs on), the bytes follow;
 *   - longer: a separate allocation, a 32-bit length then the bytes (a
 *     value of 4 GiB or more has the length UINT32_MAX and its real length
 *     in the next 8 bytes).
 *
 * A field then costs one dict entry and, for values over 7 bytes, one small
 * allocation with 4 bytes of header (Redis: a dictEntry, two sds strings).
 */
#include "engine/t_hash.h"

#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/resp.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "t_hash.c keeps short values in the low byte of a pointer slot: little endian only"
#endif

long long hash_max_listpack_entries = 512;
long long hash_max_listpack_value = 64;

#define INLINE_VALUE_MAX 7
#define LONG_VALUE_MARK UINT32_MAX

static long long setting(const long long *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* ---- dict values ---- */

static void dict_value_store(union dict_value *slot, const char *p, size_t len)
{
    if (len <= INLINE_VALUE_MAX) {
        unsigned char *b = (unsigned char *)slot;
        slot->i = 0;
        b[0] = (unsigned char)(len << 1 | 1);
        if (len) memcpy(b + 1, p, len);
        return;
    }
    unsigned char *v;
    if (len < LONG_VALUE_MARK) {
        uint32_t l32 = (uint32_t)len;
        v = mem_alloc(sizeof(l32) + len);
        memcpy(v, &l32, sizeof(l32));
        memcpy(v + sizeof(l32), p, len);
    } else {
        uint32_t mark = LONG_VALUE_MARK;
        uint64_t l64 = len;
        v = mem_alloc(sizeof(mark) + sizeof(l64) + len);
        memcpy(v, &mark, sizeof(mark));
        memcpy(v + sizeof(mark), &l64, sizeof(l64));
        memcpy(v + sizeof(mark) + sizeof(l64), p, len);
    }
    slot->ptr = v;
}

static void dict_value_read(union dict_value *slot, hash_item *out)
{
    const unsigned char *b = (const unsigned char *)slot;
    out->ll = 0;
    if (b[0] & 1) {
        out->len = b[0] >> 1;
        out->str = b + 1;
        return;
    }
    const unsigned char *v = slot->ptr;
    uint32_t l32;
    memcpy(&l32, v, sizeof(l32));
    if (l32 != LONG_VALUE_MARK) {
        out->len = l32;
        out->str = v + sizeof(l32);
    } else {
        uint64_t l64;
        memcpy(&l64, v + sizeof(l32), sizeof(l64));
        out->len = (size_t)l64;
        out->str = v + sizeof(l32) + sizeof(l64);
    }
}

/* The dict's free_value: only separately allocated values are freed. */
static void dict_value_release(void *ptr)
{
    if (!((uintptr_t)ptr & 1)) mem_free(ptr);
}

static void dict_value_clear(union dict_value *slot)
{
    if (slot->ptr) dict_value_release(slot->ptr);
    slot->ptr = NULL;
}

void hash_dict_entry_read(struct dict_entry *de, hash_item *field, hash_item *value)
{
    if (field) {
        field->str = (const unsigned char *)de->key;
        field->len = de->keylen;
        field->ll = 0;
    }
    if (value) dict_value_read(dict_value(de), value);
}

/* ---- creation, conversion ---- */

struct entry *hash_add_key(struct db *db, const char *key, size_t len)
{
    struct entry *e = ks_add(db, key, len, TYPE_HASH);
    e->encoding = ENC_LISTPACK;
    e->v.ptr = lp_new(0);
    return e;
}

void hash_free(struct entry *e)
{
    if (!e->v.ptr) return;
    if (e->encoding == ENC_LISTPACK)
        lp_free(e->v.ptr);
    else
        dict_free(e->v.ptr);
}

/* Moves every pair of the listpack into a new dict (Redis's
 * hashTypeConvertListpack); integers become their decimal text. */
static void hash_convert(struct entry *e)
{
    unsigned char *lp = e->v.ptr;
    struct dict *d = dict_create(DICT_WITH_VALUE, dict_value_release);
    dict_expand(d, lp_length(lp) / 2);
    for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, lp_next(lp, f))) {
        char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
        size_t flen, vlen;
        const unsigned char *fs = lp_get_str(f, fbuf, &flen);
        const unsigned char *vs = lp_get_str(lp_next(lp, f), vbuf, &vlen);
        int added;
        struct dict_entry *de = dict_add_or_find(d, (const char *)fs, flen, &added);
        dict_value_store(dict_value(de), (const char *)vs, vlen);
    }
    lp_free(lp);
    e->v.ptr = d;
    e->encoding = ENC_HASHTABLE;
}

void hash_init_detached(struct entry *e)
{
    memset(e, 0, sizeof(*e));
    e->type = TYPE_HASH;
    e->encoding = ENC_LISTPACK;
    e->v.ptr = lp_new(0);
}

void hash_convert_to_dict(struct entry *e)
{
    if (e->encoding == ENC_LISTPACK) hash_convert(e);
}

void hash_convert_for_args(struct entry *e, const struct resp_arg *argv, int start, int end)
{
    if (e->encoding != ENC_LISTPACK) return;
    size_t limit = (size_t)setting(&hash_max_listpack_value), sum = 0;
    for (int i = start; i <= end; i++) {
        if (argv[i].len > limit) {
            hash_convert(e);
            return;
        }
        sum += argv[i].len;
    }
    if (!lp_safe_to_add(e->v.ptr, sum)) hash_convert(e);
}

/* ---- reads ---- */

unsigned long hash_length(struct entry *e)
{
    if (e->encoding == ENC_LISTPACK) return lp_length(e->v.ptr) / 2;
    return (unsigned long)dict_size(e->v.ptr);
}

/* The field's element in a listpack hash, or NULL. */
static unsigned char *listpack_find_field(unsigned char *lp, const char *field, size_t flen)
{
    unsigned char *p = lp_first(lp);
    return p ? lp_find(lp, p, field, flen, 1) : NULL;
}

int hash_get(struct entry *e, const char *field, size_t flen, hash_item *value)
{
    if (e->encoding == ENC_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned char *f = listpack_find_field(lp, field, flen);
        if (!f) return 0;
        lp_get_entry(lp_next(lp, f), value);
        return 1;
    }
    struct dict_entry *de = dict_find(e->v.ptr, field, flen);
    if (!de) return 0;
    dict_value_read(dict_value(de), value);
    return 1;
}

int hash_exists(struct entry *e, const char *field, size_t flen)
{
    if (e->encoding == ENC_LISTPACK) return listpack_find_field(e->v.ptr, field, flen) != NULL;
    return dict_find(e->v.ptr, field, flen) != NULL;
}

/* ---- writes ---- */

int hash_set(struct entry *e, const char *field, size_t flen, const char *value, size_t vlen)
{
    if (e->encoding == ENC_LISTPACK) {
        size_t limit = (size_t)setting(&hash_max_listpack_value);
        if (flen > limit || vlen > limit) hash_convert(e);
    }
    if (e->encoding == ENC_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned char *f = listpack_find_field(lp, field, flen);
        int existed = f != NULL;
        if (existed) {
            unsigned char *v = lp_next(lp, f);
            lp = lp_replace(lp, &v, value, vlen);
        } else {
            lp = lp_append(lp, field, flen);
            lp = lp_append(lp, value, vlen);
        }
        e->v.ptr = lp;
        if (hash_length(e) > (unsigned long long)setting(&hash_max_listpack_entries))
            hash_convert(e);
        return existed;
    }
    int added;
    struct dict_entry *de = dict_add_or_find(e->v.ptr, field, flen, &added);
    if (!added) dict_value_clear(dict_value(de));
    dict_value_store(dict_value(de), value, vlen);
    return !added;
}

int hash_delete(struct entry *e, const char *field, size_t flen)
{
    if (e->encoding == ENC_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned char *f = listpack_find_field(lp, field, flen);
        if (!f) return 0;
        e->v.ptr = lp_delete_range_at(lp, &f, 2);
        return 1;
    }
    return dict_delete(e->v.ptr, field, flen);
}

/* ---- iteration ---- */

void hash_iter_init(struct hash_iter *it, struct entry *e)
{
    it->e = e;
    if (e->encoding == ENC_LISTPACK)
        it->p = lp_first(e->v.ptr);
    else
        dict_iter_init(&it->di, e->v.ptr);
}

int hash_iter_next(struct hash_iter *it, hash_item *field, hash_item *value)
{
    if (it->e->encoding == ENC_LISTPACK) {
        unsigned char *lp = it->e->v.ptr;
        if (!it->p) return 0;
        unsigned char *v = lp_next(lp, it->p);
        lp_get_entry(it->p, field);
        if (value) lp_get_entry(v, value);
        it->p = lp_next(lp, v);
        return 1;
    }
    struct dict_entry *de = dict_iter_next(&it->di);
    if (!de) return 0;
    hash_dict_entry_read(de, field, value);
    return 1;
}

void hash_iter_done(struct hash_iter *it)
{
    if (it->e->encoding != ENC_LISTPACK) dict_iter_done(&it->di);
}
