/*
 * t_set: set values in the keyspace, intset or dict. See t_set.h.
 *
 * The conversion follows Redis 7.0.15's setTypeAdd: an integer added to an
 * intset that then holds more than set-max-intset-entries members (capped
 * at 2^30, as Redis caps it for the intset's sake) converts it; so does
 * any non-integer member. Nothing converts a dict back, not even removing
 * every non-integer member.
 */
#include "engine/t_set.h"

#include <string.h>

#include "engine/digest.h"
#include "engine/util.h"

long long set_max_intset_entries = 512;

/* Redis limits the intset to 1G entries whatever the setting says. */
#define INTSET_HARD_MAX (1ll << 30)

static long long intset_limit(void)
{
    long long max = __atomic_load_n(&set_max_intset_entries, __ATOMIC_RELAXED);
    return max > INTSET_HARD_MAX ? INTSET_HARD_MAX : max;
}

/* Whether the member is an integer an intset can hold (string2ll). */
static int member_as_int(const char *m, size_t len, int64_t *v)
{
    long long ll;
    if (!util_str_to_ll(m, len, &ll)) return 0;
    *v = ll;
    return 1;
}

const char *set_member_bytes(const struct set_member *m, char buf[SET_INT_BUF], size_t *len)
{
    if (m->str) {
        *len = m->len;
        return m->str;
    }
    *len = (size_t)util_ll_to_str(buf, SET_INT_BUF, m->ll);
    return buf;
}

/* ---- creation, conversion ---- */

struct entry *set_add_key(struct db *db, const char *key, size_t len, const char *first_member,
                          size_t first_len)
{
    struct entry *e = ks_add(db, key, len, TYPE_SET);
    int64_t v;
    if (member_as_int(first_member, first_len, &v)) {
        e->encoding = SET_ENC_INTSET;
        e->v.ptr = intset_new();
    } else {
        e->encoding = SET_ENC_HASHTABLE;
        e->v.ptr = dict_create(DICT_KEYS_ONLY, NULL);
    }
    return e;
}

void set_init_detached(struct entry *e)
{
    memset(e, 0, sizeof(*e));
    e->type = TYPE_SET;
    e->encoding = SET_ENC_INTSET;
    e->v.ptr = intset_new();
}

struct entry *set_install(struct db *db, const char *key, size_t len, struct entry *detached)
{
    struct entry *e = ks_add(db, key, len, TYPE_SET);
    e->encoding = detached->encoding;
    e->v.ptr = detached->v.ptr;
    detached->v.ptr = NULL;
    return e;
}

void set_free(struct entry *e)
{
    if (!e->v.ptr) return;
    if (e->encoding == SET_ENC_INTSET)
        intset_free(e->v.ptr);
    else
        dict_free(e->v.ptr);
    e->v.ptr = NULL;
}

const char *set_encoding_name(const struct entry *e)
{
    return e->encoding == SET_ENC_INTSET ? "intset" : "hashtable";
}

/* Moves every integer of the intset into a new dict as its decimal text
 * (Redis's setTypeConvert), sized for one member more. */
static void set_convert(struct entry *e)
{
    struct intset *is = e->v.ptr;
    struct dict *d = dict_create(DICT_KEYS_ONLY, NULL);
    uint32_t n = intset_len(is);
    dict_expand(d, (uint64_t)n + 1);
    for (uint32_t i = 0; i < n; i++) {
        int64_t v;
        char buf[SET_INT_BUF];
        int added;
        intset_get(is, i, &v);
        int len = util_ll_to_str(buf, sizeof(buf), v);
        dict_add_or_find(d, buf, (size_t)len, &added);
    }
    intset_free(is);
    e->v.ptr = d;
    e->encoding = SET_ENC_HASHTABLE;
}

void set_convert_to_dict(struct entry *e)
{
    if (e->encoding == SET_ENC_INTSET) set_convert(e);
}

void set_shrink_to_intset(struct entry *e)
{
    if (e->encoding == SET_ENC_INTSET || (long long)set_size(e) > intset_limit()) return;
    struct intset *is = intset_new();
    struct dict_iter it;
    struct dict_entry *de;
    dict_iter_init(&it, e->v.ptr);
    while ((de = dict_iter_next(&it)) != NULL) {
        int64_t v;
        int added;
        if (!member_as_int(de->key, de->keylen, &v)) break;
        is = intset_add(is, v, &added);
    }
    dict_iter_done(&it);
    if (de) {
        intset_free(is);
        return;
    }
    dict_free(e->v.ptr);
    e->v.ptr = is;
    e->encoding = SET_ENC_INTSET;
}

/* ---- members ---- */

unsigned long set_size(const struct entry *e)
{
    if (e->encoding == SET_ENC_INTSET) return intset_len(e->v.ptr);
    return (unsigned long)dict_size(e->v.ptr);
}

int set_add(struct entry *e, const char *m, size_t len)
{
    int added;
    if (e->encoding == SET_ENC_INTSET) {
        int64_t v;
        if (member_as_int(m, len, &v)) {
            e->v.ptr = intset_add(e->v.ptr, v, &added);
            if (added && (long long)intset_len(e->v.ptr) > intset_limit()) set_convert(e);
            return added;
        }
        set_convert(e);
    }
    dict_add_or_find(e->v.ptr, m, len, &added);
    return added;
}

int set_remove(struct entry *e, const char *m, size_t len)
{
    if (e->encoding == SET_ENC_INTSET) {
        int64_t v;
        int removed;
        if (!member_as_int(m, len, &v)) return 0;
        e->v.ptr = intset_remove(e->v.ptr, v, &removed);
        return removed;
    }
    return dict_delete(e->v.ptr, m, len);
}

int set_is_member(struct entry *e, const char *m, size_t len)
{
    if (e->encoding == SET_ENC_INTSET) {
        int64_t v;
        return member_as_int(m, len, &v) && intset_find(e->v.ptr, v);
    }
    return dict_find(e->v.ptr, m, len) != NULL;
}

void set_random(struct entry *e, struct set_member *out)
{
    if (e->encoding == SET_ENC_INTSET) {
        out->str = NULL;
        out->len = 0;
        out->ll = intset_random(e->v.ptr);
        return;
    }
    set_dict_entry_read(dict_fair_random(e->v.ptr), out);
}

/* ---- iteration, digest ---- */

void set_iter_init(struct set_iter *it, struct entry *e)
{
    it->e = e;
    it->pos = 0;
    if (e->encoding == SET_ENC_HASHTABLE) dict_iter_init(&it->di, e->v.ptr);
}

int set_iter_next(struct set_iter *it, struct set_member *out)
{
    if (it->e->encoding == SET_ENC_INTSET) {
        int64_t v;
        if (!intset_get(it->e->v.ptr, it->pos, &v)) return 0;
        it->pos++;
        out->str = NULL;
        out->len = 0;
        out->ll = v;
        return 1;
    }
    struct dict_entry *de = dict_iter_next(&it->di);
    if (!de) return 0;
    set_dict_entry_read(de, out);
    return 1;
}

void set_iter_done(struct set_iter *it)
{
    if (it->e->encoding == SET_ENC_HASHTABLE) dict_iter_done(&it->di);
}

/* Redis's xorObjectDigest for OBJ_SET: each member's SHA-1 xored in
 * (integers as their decimal text), so the order does not matter. */
void set_digest(unsigned char digest[20], struct entry *e)
{
    struct set_iter it;
    struct set_member m;
    set_iter_init(&it, e);
    while (set_iter_next(&it, &m)) {
        char buf[SET_INT_BUF];
        size_t len;
        const char *p = set_member_bytes(&m, buf, &len);
        digest_xor(digest, p, len);
    }
    set_iter_done(&it);
}
