/*
 * t_zset: sorted set values in the keyspace, listpack or dict + skiplist.
 * See t_zset.h.
 *
 * In the skiplist encoding the dict maps each member to its skiplist node
 * (the dict's value slot holds the node pointer, not owned by the dict);
 * the node owns the member bytes and the score, so a score is read from
 * the node in both directions of lookup. The listpack encoding follows
 * Redis's zzl* functions: pairs in (score, member) order, a score stored
 * as zscore_pack makes it, read back as zzlGetScore does.
 */
#include "engine/t_zset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/digest.h"
#include "engine/listpack.h"
#include "engine/skiplist.h"

long long zset_max_listpack_entries = 128;
long long zset_max_listpack_value = 64;

struct zset_skiplist {
    struct dict *dict;
    struct skiplist *sl;
};

static long long setting(const long long *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* ---- listpack helpers (Redis's zzl*) ---- */

/* zzlGetScore. */
static double listpack_score(const unsigned char *sptr)
{
    size_t len;
    long long ll;
    const unsigned char *s = lp_get(sptr, &len, &ll);
    if (!s) return (double)ll;
    return zscore_unpack_str((const char *)s, len);
}

/* The member at eptr as bytes (integers formatted into buf). */
static const char *listpack_member(const unsigned char *eptr, char buf[LP_INTBUF_SIZE], size_t *len)
{
    return (const char *)lp_get_str(eptr, buf, len);
}

/* zzlFind: the member's element, its score in *score; NULL when absent. */
static unsigned char *listpack_find(unsigned char *lp, const char *member, size_t len,
                                    double *score)
{
    unsigned char *p = lp_first(lp);
    if (!p) return NULL;
    p = lp_find(lp, p, member, len, 1);
    if (p && score) *score = listpack_score(lp_next(lp, p));
    return p;
}

/* zzlInsertAt: member and score before eptr (NULL: at the end). */
static unsigned char *listpack_insert_at(unsigned char *lp, unsigned char *eptr, const char *member,
                                         size_t len, double score)
{
    struct zscore_packed packed;
    zscore_pack(score, &packed);
    if (!eptr) {
        lp = lp_append(lp, member, len);
        if (packed.is_integer) return lp_append_int(lp, packed.integer);
        return lp_append(lp, packed.str, packed.len);
    }
    unsigned char *newp;
    lp = lp_insert(lp, eptr, LP_BEFORE, member, len, &newp);
    if (packed.is_integer) return lp_insert_int(lp, newp, LP_AFTER, packed.integer, NULL);
    return lp_insert(lp, newp, LP_AFTER, packed.str, packed.len, NULL);
}

/* zzlInsert: at the place the (score, member) order gives. */
static unsigned char *listpack_insert(unsigned char *lp, const char *member, size_t len,
                                      double score)
{
    unsigned char *eptr = lp_first(lp);
    while (eptr) {
        unsigned char *sptr = lp_next(lp, eptr);
        double s = listpack_score(sptr);
        if (s > score) break;
        if (s == score) {
            char buf[LP_INTBUF_SIZE];
            size_t elen;
            const char *ebytes = listpack_member(eptr, buf, &elen);
            if (zscore_member_compare(ebytes, elen, member, len) > 0) break;
        }
        eptr = lp_next(lp, sptr);
    }
    return listpack_insert_at(lp, eptr, member, len, score);
}

/* ---- creation, conversion ---- */

static struct zset_skiplist *skiplist_zset_new(void)
{
    struct zset_skiplist *zs = mem_alloc(sizeof(*zs));
    zs->dict = dict_create(DICT_WITH_VALUE, NULL);
    zs->sl = skiplist_create();
    return zs;
}

static void skiplist_zset_insert(struct zset_skiplist *zs, const char *member, size_t len,
                                 double score)
{
    struct skiplist_node *node = skiplist_insert(zs->sl, score, member, len);
    int added;
    struct dict_entry *de = dict_add_or_find(zs->dict, member, len, &added);
    dict_value(de)->ptr = node;
}

struct entry *zset_add_key(struct db *db, const char *key, size_t len, size_t first_member_len)
{
    struct entry *e = ks_add(db, key, len, TYPE_ZSET);
    if (setting(&zset_max_listpack_entries) == 0 ||
        (long long)first_member_len > setting(&zset_max_listpack_value)) {
        e->encoding = ENC_ZSET_SKIPLIST;
        e->v.ptr = skiplist_zset_new();
    } else {
        e->encoding = ENC_ZSET_LISTPACK;
        e->v.ptr = lp_new(0);
    }
    return e;
}

/* zsetTypeCreate's choice of encoding, into e's value. */
static void zset_init_value(struct entry *e, long size_hint, size_t member_len_hint)
{
    if (size_hint > setting(&zset_max_listpack_entries) ||
        (long long)member_len_hint > setting(&zset_max_listpack_value)) {
        e->encoding = ENC_ZSET_SKIPLIST;
        e->v.ptr = skiplist_zset_new();
    } else {
        e->encoding = ENC_ZSET_LISTPACK;
        e->v.ptr = lp_new(0);
    }
}

struct entry *zset_add_key_sized(struct db *db, const char *key, size_t len, long size_hint,
                                 size_t member_len_hint)
{
    struct entry *e = ks_add(db, key, len, TYPE_ZSET);
    zset_init_value(e, size_hint, member_len_hint);
    return e;
}

void zset_init_detached(struct entry *e, long size_hint, size_t member_len_hint)
{
    memset(e, 0, sizeof(*e));
    e->type = TYPE_ZSET;
    zset_init_value(e, size_hint, member_len_hint);
}

void zset_free(struct entry *e)
{
    if (!e->v.ptr) return;
    if (e->encoding == ENC_ZSET_LISTPACK) {
        lp_free(e->v.ptr);
        return;
    }
    struct zset_skiplist *zs = e->v.ptr;
    dict_free(zs->dict);
    skiplist_free(zs->sl);
    mem_free(zs);
}

const char *zset_encoding_name(const struct entry *e)
{
    return e->encoding == ENC_ZSET_LISTPACK ? "listpack" : "skiplist";
}

/* zsetConvert to the skiplist encoding: integers become their text, a
 * score is what the listpack reads back (-0 has become 0 there). */
static void zset_convert(struct entry *e)
{
    unsigned char *lp = e->v.ptr;
    struct zset_skiplist *zs = skiplist_zset_new();
    dict_expand(zs->dict, lp_length(lp) / 2);
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        char buf[LP_INTBUF_SIZE];
        size_t len;
        const char *m = listpack_member(p, buf, &len);
        skiplist_zset_insert(zs, m, len, listpack_score(lp_next(lp, p)));
    }
    lp_free(lp);
    e->v.ptr = zs;
    e->encoding = ENC_ZSET_SKIPLIST;
}

void zset_convert_to_skiplist(struct entry *e)
{
    if (e->encoding == ENC_ZSET_LISTPACK) zset_convert(e);
}

/* ---- digest (Redis's debug.c, OBJ_ZSET) ---- */

/* One member: its own digest of member then "%.17g" score, xored into the
 * value's as Redis's xorDigest(digest, eledigest, 20) does (which xors the
 * SHA-1 of eledigest, not eledigest itself). */
static void digest_member(unsigned char digest[20], const char *m, size_t len, double score)
{
    unsigned char eledigest[20];
    char buf[128];
    memset(eledigest, 0, sizeof(eledigest));
    digest_mix(eledigest, m, len);
    int n = snprintf(buf, sizeof(buf), "%.17g", score);
    digest_mix(eledigest, buf, (size_t)n);
    digest_xor(digest, eledigest, sizeof(eledigest));
}

void zset_digest(unsigned char digest[20], struct entry *e)
{
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
            char buf[LP_INTBUF_SIZE];
            size_t len;
            const char *m = listpack_member(p, buf, &len);
            digest_member(digest, m, len, listpack_score(lp_next(lp, p)));
        }
        return;
    }
    struct zset_skiplist *zs = e->v.ptr;
    for (struct skiplist_node *n = skiplist_first(zs->sl); n; n = skiplist_next(n))
        digest_member(digest, skiplist_node_member(n), skiplist_node_member_len(n),
                      skiplist_node_score(n));
}

/* ---- reads ---- */

unsigned long zset_length(struct entry *e)
{
    if (e->encoding == ENC_ZSET_LISTPACK) return lp_length(e->v.ptr) / 2;
    return (unsigned long)skiplist_length(((struct zset_skiplist *)e->v.ptr)->sl);
}

int zset_score(struct entry *e, const char *member, size_t len, double *score)
{
    if (e->encoding == ENC_ZSET_LISTPACK)
        return listpack_find(e->v.ptr, member, len, score) != NULL;
    struct dict_entry *de = dict_find(((struct zset_skiplist *)e->v.ptr)->dict, member, len);
    if (!de) return 0;
    *score = skiplist_node_score(dict_value(de)->ptr);
    return 1;
}

long zset_rank(struct entry *e, const char *member, size_t len, int reverse)
{
    unsigned long n = zset_length(e);
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        long rank = 0;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)), rank++) {
            if (lp_compare(p, member, len)) return reverse ? (long)n - 1 - rank : rank;
        }
        return -1;
    }
    struct zset_skiplist *zs = e->v.ptr;
    struct dict_entry *de = dict_find(zs->dict, member, len);
    if (!de) return -1;
    size_t r = skiplist_rank(zs->sl, skiplist_node_score(dict_value(de)->ptr), member, len);
    return reverse ? (long)(n - r) : (long)r - 1;
}

unsigned long zset_count(struct entry *e, const struct zscore_range *range)
{
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned long count = 0;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
            double s = listpack_score(lp_next(lp, p));
            if (!zscore_range_lte_max(s, range)) break;
            if (zscore_range_gte_min(s, range)) count++;
        }
        return count;
    }
    struct zset_skiplist *zs = e->v.ptr;
    struct skiplist_node *first = skiplist_first_in_range(zs->sl, range);
    if (!first) return 0;
    struct skiplist_node *last = skiplist_last_in_range(zs->sl, range);
    size_t r1 = skiplist_rank(zs->sl, first->score, skiplist_node_member(first),
                              skiplist_node_member_len(first));
    size_t r2 = skiplist_rank(zs->sl, last->score, skiplist_node_member(last),
                              skiplist_node_member_len(last));
    return (unsigned long)(r2 - r1 + 1);
}

/* ---- writes ---- */

int zset_add(struct entry *e, double score, const char *member, size_t len, int flags, int *result,
             double *new_score)
{
    int incr = flags & ZSET_ADD_INCR, nx = flags & ZSET_ADD_NX, xx = flags & ZSET_ADD_XX;
    int gt = flags & ZSET_ADD_GT, lt = flags & ZSET_ADD_LT;
    double cur;
    *result = 0;
    if (isnan(score)) return 0;

    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned char *p = listpack_find(lp, member, len, &cur);
        if (p) {
            if (nx) goto nop;
            if (incr) {
                score += cur;
                if (isnan(score)) return 0;
            }
            if ((lt && score >= cur) || (gt && score <= cur)) goto nop;
            *new_score = score;
            if (score != cur) {
                lp = lp_delete_range_at(lp, &p, 2);
                e->v.ptr = listpack_insert(lp, member, len, score);
                *result |= ZSET_UPDATED;
            }
            return 1;
        }
        if (xx) goto nop;
        if ((long long)(lp_length(lp) / 2 + 1) > setting(&zset_max_listpack_entries) ||
            (long long)len > setting(&zset_max_listpack_value) || !lp_safe_to_add(lp, len)) {
            zset_convert(e);
        } else {
            e->v.ptr = listpack_insert(lp, member, len, score);
            *new_score = score;
            *result |= ZSET_ADDED;
            return 1;
        }
    }

    struct zset_skiplist *zs = e->v.ptr;
    struct dict_entry *de = dict_find(zs->dict, member, len);
    if (de) {
        if (nx) goto nop;
        struct skiplist_node *node = dict_value(de)->ptr;
        cur = skiplist_node_score(node);
        if (incr) {
            score += cur;
            if (isnan(score)) return 0;
        }
        if ((lt && score >= cur) || (gt && score <= cur)) goto nop;
        *new_score = score;
        if (score != cur) {
            skiplist_update_score(zs->sl, node, score);
            *result |= ZSET_UPDATED;
        }
        return 1;
    }
    if (xx) goto nop;
    skiplist_zset_insert(zs, member, len, score);
    *result |= ZSET_ADDED;
    *new_score = score;
    return 1;
nop:
    *result |= ZSET_NOP;
    return 1;
}

int zset_delete(struct entry *e, const char *member, size_t len)
{
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned char *p = listpack_find(lp, member, len, NULL);
        if (!p) return 0;
        e->v.ptr = lp_delete_range_at(lp, &p, 2);
        return 1;
    }
    struct zset_skiplist *zs = e->v.ptr;
    struct dict_entry *de = dict_unlink(zs->dict, member, len);
    if (!de) return 0;
    struct skiplist_node *node = dict_value(de)->ptr;
    double score = skiplist_node_score(node);
    /* The unlinked entry still holds the member's bytes until freed. */
    skiplist_delete(zs->sl, score, de->key, de->keylen);
    dict_entry_free(zs->dict, de);
    return 1;
}

/* ---- positions ---- */

static struct skiplist *zset_skiplist(struct entry *e)
{
    return ((struct zset_skiplist *)e->v.ptr)->sl;
}

static void pos_init(struct zset_pos *pos, struct entry *e)
{
    pos->e = e;
    pos->eptr = NULL;
    pos->node = NULL;
}

void zset_pos_by_rank(struct zset_pos *pos, struct entry *e, unsigned long rank)
{
    pos_init(pos, e);
    if (e->encoding == ENC_ZSET_LISTPACK)
        pos->eptr = lp_seek(e->v.ptr, (long)(2 * rank));
    else
        pos->node = skiplist_by_rank(zset_skiplist(e), rank + 1);
}

void zset_pos_next(struct zset_pos *pos)
{
    if (pos->e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = pos->e->v.ptr;
        pos->eptr = lp_next(lp, lp_next(lp, pos->eptr));
    } else {
        pos->node = skiplist_next(pos->node);
    }
}

void zset_pos_prev(struct zset_pos *pos)
{
    if (pos->e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = pos->e->v.ptr;
        unsigned char *s = lp_prev(lp, pos->eptr);
        pos->eptr = s ? lp_prev(lp, s) : NULL;
    } else {
        pos->node = skiplist_prev(pos->node);
    }
}

void zset_pos_read(const struct zset_pos *pos, struct zset_member *m)
{
    if (pos->e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = pos->e->v.ptr;
        m->str = (const char *)lp_get(pos->eptr, &m->len, &m->ll);
        m->score = listpack_score(lp_next(lp, pos->eptr));
        return;
    }
    m->str = skiplist_node_member(pos->node);
    m->len = skiplist_node_member_len(pos->node);
    m->ll = 0;
    m->score = skiplist_node_score(pos->node);
}

const char *zset_member_bytes(const struct zset_member *m, char *buf, size_t *len)
{
    if (m->str) {
        *len = m->len;
        return m->str;
    }
    *len = lp_int_to_str(buf, m->ll);
    return buf;
}

/* The range lookups. A listpack is walked as zzlFirstInRange /
 * zzlLastInRange and their lex forms do: from one end to the first member
 * past the near bound, which is the answer if it is within the far one. */
void zset_pos_first_in_range(struct zset_pos *pos, struct entry *e,
                             const struct zscore_range *range)
{
    pos_init(pos, e);
    if (e->encoding != ENC_ZSET_LISTPACK) {
        pos->node = skiplist_first_in_range(zset_skiplist(e), range);
        return;
    }
    if (zscore_range_is_empty(range)) return;
    unsigned char *lp = e->v.ptr;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        double s = listpack_score(lp_next(lp, p));
        if (zscore_range_gte_min(s, range)) {
            if (zscore_range_lte_max(s, range)) pos->eptr = p;
            return;
        }
    }
}

void zset_pos_last_in_range(struct zset_pos *pos, struct entry *e, const struct zscore_range *range)
{
    pos_init(pos, e);
    if (e->encoding != ENC_ZSET_LISTPACK) {
        pos->node = skiplist_last_in_range(zset_skiplist(e), range);
        return;
    }
    if (zscore_range_is_empty(range)) return;
    unsigned char *lp = e->v.ptr;
    for (unsigned char *s = lp_last(lp); s;) {
        unsigned char *p = lp_prev(lp, s);
        double score = listpack_score(s);
        if (zscore_range_lte_max(score, range)) {
            if (zscore_range_gte_min(score, range)) pos->eptr = p;
            return;
        }
        s = lp_prev(lp, p);
    }
}

static int listpack_lex_gte_min(unsigned char *p, const struct zscore_lex_range *range)
{
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *m = listpack_member(p, buf, &len);
    return zscore_lex_gte_min(m, len, range);
}

static int listpack_lex_lte_max(unsigned char *p, const struct zscore_lex_range *range)
{
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *m = listpack_member(p, buf, &len);
    return zscore_lex_lte_max(m, len, range);
}

/* zzlIsInLexRange: the range can hold something only if the last member
 * is not below min and the first is not above max. Not a shortcut: the
 * lex commands assume equal scores, and on a sorted set whose scores
 * differ the walks below would find members past these bounds that Redis
 * never looks at (the answer, and what a replica applying the same
 * command removes, must be Redis's). */
static int listpack_is_in_lex_range(unsigned char *lp, const struct zscore_lex_range *range)
{
    if (zscore_lex_range_is_empty(range)) return 0;
    unsigned char *last = lp_last(lp);
    if (!last) return 0;
    if (!listpack_lex_gte_min(lp_prev(lp, last), range)) return 0;
    unsigned char *first = lp_first(lp);
    return first && listpack_lex_lte_max(first, range);
}

void zset_pos_first_in_lex_range(struct zset_pos *pos, struct entry *e,
                                 const struct zscore_lex_range *range)
{
    pos_init(pos, e);
    if (e->encoding != ENC_ZSET_LISTPACK) {
        pos->node = skiplist_first_in_lex_range(zset_skiplist(e), range);
        return;
    }
    unsigned char *lp = e->v.ptr;
    if (!listpack_is_in_lex_range(lp, range)) return;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        if (listpack_lex_gte_min(p, range)) {
            if (listpack_lex_lte_max(p, range)) pos->eptr = p;
            return;
        }
    }
}

void zset_pos_last_in_lex_range(struct zset_pos *pos, struct entry *e,
                                const struct zscore_lex_range *range)
{
    pos_init(pos, e);
    if (e->encoding != ENC_ZSET_LISTPACK) {
        pos->node = skiplist_last_in_lex_range(zset_skiplist(e), range);
        return;
    }
    unsigned char *lp = e->v.ptr;
    if (!listpack_is_in_lex_range(lp, range)) return;
    for (unsigned char *s = lp_last(lp); s;) {
        unsigned char *p = lp_prev(lp, s);
        if (listpack_lex_lte_max(p, range)) {
            if (listpack_lex_gte_min(p, range)) pos->eptr = p;
            return;
        }
        s = lp_prev(lp, p);
    }
}

/* ---- range deletions ---- */

/* The skiplist range deletions' callback: drop the node's member from the
 * dict (the node still holds its bytes). */
static void skiplist_removed(void *ctx, struct skiplist_node *node)
{
    struct dict *d = ctx;
    dict_delete(d, skiplist_node_member(node), skiplist_node_member_len(node));
}

unsigned long zset_delete_range_by_rank(struct entry *e, unsigned long start, unsigned long end)
{
    unsigned long n = end - start + 1;
    if (e->encoding == ENC_ZSET_LISTPACK) {
        e->v.ptr = lp_delete_range(e->v.ptr, (long)(2 * start), 2 * n);
        return n;
    }
    struct zset_skiplist *zs = e->v.ptr;
    return (unsigned long)skiplist_delete_range_by_rank(zs->sl, start + 1, end + 1,
                                                        skiplist_removed, zs->dict);
}

unsigned long zset_delete_range_by_score(struct entry *e, const struct zscore_range *range)
{
    if (e->encoding != ENC_ZSET_LISTPACK) {
        struct zset_skiplist *zs = e->v.ptr;
        return (unsigned long)skiplist_delete_range_by_score(zs->sl, range, skiplist_removed,
                                                             zs->dict);
    }
    /* zzlDeleteRangeByScore: from the first in range while the score
     * stays under max. */
    struct zset_pos first;
    zset_pos_first_in_range(&first, e, range);
    if (!first.eptr) return 0;
    unsigned char *lp = e->v.ptr, *p = first.eptr;
    unsigned long n = 0;
    for (unsigned char *q = first.eptr; q; q = lp_next(lp, lp_next(lp, q)), n++)
        if (!zscore_range_lte_max(listpack_score(lp_next(lp, q)), range)) break;
    e->v.ptr = lp_delete_range_at(lp, &p, 2 * n);
    return n;
}

unsigned long zset_delete_range_by_lex(struct entry *e, const struct zscore_lex_range *range)
{
    if (e->encoding != ENC_ZSET_LISTPACK) {
        struct zset_skiplist *zs = e->v.ptr;
        return (unsigned long)skiplist_delete_range_by_lex(zs->sl, range, skiplist_removed,
                                                           zs->dict);
    }
    /* zzlDeleteRangeByLex: from the first in range while the member
     * stays under max. */
    struct zset_pos first;
    zset_pos_first_in_lex_range(&first, e, range);
    if (!first.eptr) return 0;
    unsigned char *lp = e->v.ptr, *p = first.eptr;
    unsigned long n = 0;
    for (unsigned char *q = first.eptr; q; q = lp_next(lp, lp_next(lp, q)), n++)
        if (!listpack_lex_lte_max(q, range)) break;
    e->v.ptr = lp_delete_range_at(lp, &p, 2 * n);
    return n;
}

/* ---- ZSCAN's view of the dict ---- */

struct dict *zset_dict(struct entry *e)
{
    return ((struct zset_skiplist *)e->v.ptr)->dict;
}

void zset_dict_entry_read(struct dict_entry *de, struct zset_member *m)
{
    m->str = de->key;
    m->len = de->keylen;
    m->ll = 0;
    m->score = skiplist_node_score(dict_value(de)->ptr);
}

unsigned long zset_lex_count(struct entry *e, const struct zscore_lex_range *range)
{
    struct zset_pos first;
    zset_pos_first_in_lex_range(&first, e, range);
    if (!zset_pos_valid(&first)) return 0;
    if (e->encoding == ENC_ZSET_LISTPACK) {
        unsigned char *lp = e->v.ptr;
        unsigned long n = 0;
        for (unsigned char *q = first.eptr; q; q = lp_next(lp, lp_next(lp, q)), n++)
            if (!listpack_lex_lte_max(q, range)) break;
        return n;
    }
    /* From the first member's rank to the end, less what follows the last
     * member in range (if there is one), as Redis counts. */
    struct skiplist *sl = zset_skiplist(e);
    size_t length = skiplist_length(sl);
    size_t rank = skiplist_rank(sl, first.node->score, skiplist_node_member(first.node),
                                skiplist_node_member_len(first.node));
    unsigned long count = (unsigned long)(length - (rank - 1));
    struct skiplist_node *last = skiplist_last_in_lex_range(sl, range);
    if (last)
        count -= (unsigned long)(length - skiplist_rank(sl, last->score, skiplist_node_member(last),
                                                        skiplist_node_member_len(last)));
    return count;
}
