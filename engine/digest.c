/*
 * digest: the dataset digest as Redis 7.0 defines it (src/debug.c).
 *
 * Two operations build it. xor(d, data): d ^= SHA1(data), used where order
 * must not matter (keys, set members, hash fields). mix(d, data):
 * d = SHA1(d ^ SHA1(data)), used where it must (list elements, the parts
 * of one element). A key contributes mix(key) followed by mix(type), its
 * value and "!!expire!!" xored in when it has a TTL; the key digests of a
 * database are then xor()ed (as data, so hashed once more) into the running
 * result after the database's number is mixed into it, for each non-empty
 * database in order.
 */
#include "engine/digest.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/object.h"
#include "engine/quicklist.h"
#include "engine/sha1.h"
#include "engine/t_hash.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "engine/util.h"

void digest_xor(unsigned char d[20], const void *p, size_t len)
{
    unsigned char h[20];
    sha1_digest(p, len, h);
    for (int i = 0; i < 20; i++) d[i] ^= h[i];
}

void digest_mix(unsigned char d[20], const void *p, size_t len)
{
    digest_xor(d, p, len);
    sha1_digest(d, 20, d);
}

static void digest_list(unsigned char d[20], struct quicklist *ql)
{
    struct quicklist_iter it;
    struct quicklist_entry e;
    quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, 0);
    while (quicklist_next(&it, &e)) {
        if (e.value.str) {
            digest_mix(d, e.value.str, e.value.len);
        } else {
            char buf[32];
            int n = snprintf(buf, sizeof(buf), "%lld", e.value.ll);
            digest_mix(d, buf, (size_t)n);
        }
    }
}

/* A hash field or value as Redis hands it to the digest: integers as
 * their decimal text. */
static void digest_mix_item(unsigned char d[20], const hash_item *item)
{
    if (item->str) {
        digest_mix(d, item->str, item->len);
    } else {
        char buf[LP_INTBUF_SIZE];
        digest_mix(d, buf, lp_int_to_str(buf, item->ll));
    }
}

/* Each pair is mixed on its own (field, then value) and the pair digests
 * are xored in, so the order of the fields does not matter. */
static void digest_hash(unsigned char d[20], struct entry *e)
{
    struct hash_iter it;
    hash_item field, value;
    hash_iter_init(&it, e);
    while (hash_iter_next(&it, &field, &value)) {
        unsigned char pair[20] = {0};
        digest_mix_item(pair, &field);
        digest_mix_item(pair, &value);
        digest_xor(d, pair, 20);
    }
    hash_iter_done(&it);
}

/* One key's value, mixed into d (Redis's xorObjectDigest). Each value type
 * adds its case here as it joins the keyspace. */
static void digest_entry_value(struct db *db, struct entry *e, unsigned char d[20])
{
    uint32_t type = htonl(e->type);
    digest_mix(d, &type, sizeof(type));
    switch (e->type) {
    case TYPE_STRING: {
        char buf[STRING_INT_BUF];
        size_t len;
        const char *p = string_bytes(e, buf, &len);
        digest_mix(d, p, len);
        break;
    }
    case TYPE_LIST:
        digest_list(d, e->v.ptr);
        break;
    case TYPE_HASH:
        digest_hash(d, e);
        break;
    case TYPE_SET:
        set_digest(d, e);
        break;
    case TYPE_ZSET:
        zset_digest(d, e);
        break;
    default:
        break;
    }
    if (ks_get_expire(db, e) != -1) digest_xor(d, "!!expire!!", 10);
}

struct dataset_walk {
    struct db *db;
    unsigned char *final;
};

static void digest_one_key(void *ctx, struct entry *e)
{
    struct dataset_walk *w = ctx;
    unsigned char d[20] = {0};
    digest_mix(d, e->key, e->keylen);
    digest_entry_value(w->db, e, d);
    digest_xor(w->final, d, 20);
}

void digest_dataset(unsigned char out[20])
{
    memset(out, 0, 20);
    for (int id = 0; id < keyspace.ndbs; id++) ks_lock_all(ks_db(id));
    for (int id = 0; id < keyspace.ndbs; id++) {
        struct db *db = ks_db(id);
        if (ks_db_size(db) == 0) continue;
        uint32_t aux = htonl((uint32_t)id);
        digest_mix(out, &aux, sizeof(aux));
        struct dataset_walk w = {.db = db, .final = out};
        for (unsigned shard = 0; shard < KS_SHARDS; shard++)
            ks_foreach_shard(db, shard, digest_one_key, &w);
    }
    for (int id = keyspace.ndbs; id-- > 0;) ks_unlock_all(ks_db(id));
}

void digest_value(struct db *db, const char *key, size_t len, unsigned char out[20])
{
    memset(out, 0, 20);
    unsigned shard = ks_shard_of(key, len);
    ks_lock(db, shard);
    struct entry *e = ks_peek(db, key, len);
    if (e) digest_entry_value(db, e, out);
    ks_unlock(db, shard);
}

void digest_hex(const unsigned char digest[20], char out[41])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 20; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[40] = '\0';
}
