/*
 * object: value storage for keyspace entries. See object.h.
 */
#include "engine/object.h"

#include <string.h>

#include "engine/quicklist.h"
#include "engine/sstr.h"
#include "engine/t_hash.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "engine/util.h"

void value_free(struct entry *e)
{
    switch (e->type) {
    case TYPE_STRING:
        if (e->encoding != ENC_INT && !(e->flags & ENTRY_INLINE_VALUE)) sstr_free(e->v.ptr);
        break;
    case TYPE_LIST:
        quicklist_free(e->v.ptr);
        break;
    case TYPE_HASH:
        hash_free(e);
        break;
    case TYPE_SET:
        set_free(e);
        break;
    case TYPE_ZSET:
        zset_free(e);
        break;
    default:
        break;
    }
    e->flags &= (uint16_t)~ENTRY_INLINE_VALUE;
    e->v.ptr = NULL;
}

/* The encoding OBJECT ENCODING reports follows Redis's rules (embstr up to
 * 44 bytes); where the bytes live (inline in the entry or in an sstr) is
 * tandem's own business. */
void string_set_text(struct entry *e, const char *p, size_t len)
{
    e->type = TYPE_STRING;
    e->encoding = len <= EMBSTR_MAX ? ENC_EMBSTR : ENC_RAW;
    if (len <= entry_inline_capacity(e)) {
        memcpy(entry_inline_bytes(e), p, len);
        e->flags |= ENTRY_INLINE_VALUE;
        e->v.i = (int64_t)len;
        return;
    }
    e->v.ptr = sstr_new(p, len);
}

void string_set(struct entry *e, const char *p, size_t len)
{
    long long v;
    e->type = TYPE_STRING;
    if (len <= 20 && util_str_to_ll(p, len, &v)) {
        e->flags &= (uint16_t)~ENTRY_INLINE_VALUE;
        e->encoding = ENC_INT;
        e->v.i = v;
        return;
    }
    string_set_text(e, p, len);
}

void string_set_int(struct entry *e, int64_t v)
{
    e->flags &= (uint16_t)~ENTRY_INLINE_VALUE;
    e->type = TYPE_STRING;
    e->encoding = ENC_INT;
    e->v.i = v;
}

const char *string_bytes(const struct entry *e, char *buf, size_t *len)
{
    if (e->encoding == ENC_INT) {
        *len = (size_t)util_ll_to_str(buf, STRING_INT_BUF, e->v.i);
        return buf;
    }
    if (e->flags & ENTRY_INLINE_VALUE) {
        *len = (size_t)e->v.i;
        return e->key + e->keylen;
    }
    const struct sstr *s = e->v.ptr;
    *len = s->len;
    return s->data;
}

size_t string_length(const struct entry *e)
{
    if (e->encoding == ENC_INT) {
        char buf[STRING_INT_BUF];
        return (size_t)util_ll_to_str(buf, sizeof(buf), e->v.i);
    }
    if (e->flags & ENTRY_INLINE_VALUE) return (size_t)e->v.i;
    return ((const struct sstr *)e->v.ptr)->len;
}

struct sstr *string_make_raw(struct entry *e)
{
    if (e->encoding == ENC_INT) {
        char buf[STRING_INT_BUF];
        int n = util_ll_to_str(buf, sizeof(buf), e->v.i);
        e->v.ptr = sstr_new(buf, (size_t)n);
    } else if (e->flags & ENTRY_INLINE_VALUE) {
        e->v.ptr = sstr_new(entry_inline_bytes(e), (size_t)e->v.i);
        e->flags &= (uint16_t)~ENTRY_INLINE_VALUE;
    }
    e->encoding = ENC_RAW;
    return e->v.ptr;
}

const char *value_encoding_name(const struct entry *e)
{
    switch (e->type) {
    case TYPE_STRING:
        return e->encoding == ENC_INT ? "int" : e->encoding == ENC_EMBSTR ? "embstr" : "raw";
    case TYPE_LIST:
        return "quicklist"; /* every list in 7.0, whatever its size */
    case TYPE_HASH:
        return e->encoding == ENC_LISTPACK ? "listpack" : "hashtable";
    case TYPE_SET:
        return set_encoding_name(e);
    case TYPE_ZSET:
        return zset_encoding_name(e);
    default:
        return "unknown";
    }
}

long long value_refcount(const struct entry *e)
{
    if (e->type == TYPE_STRING && e->encoding == ENC_INT && e->v.i >= 0 && e->v.i < 10000)
        return 2147483647;
    return 1;
}

const char *value_type_name(int type)
{
    switch (type) {
    case TYPE_STRING:
        return "string";
    case TYPE_LIST:
        return "list";
    case TYPE_SET:
        return "set";
    case TYPE_ZSET:
        return "zset";
    case TYPE_HASH:
        return "hash";
    default:
        return "unknown";
    }
}
