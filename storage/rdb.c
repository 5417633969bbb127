/*
 * rdb: the RDB version 10 encoder and decoder. See rdb.h for the API and
 * src/rdb.c of Redis 7.0.15 for the reference format.
 *
 * Encodings used throughout (all from Redis's rdb.h):
 *   length  00xxxxxx (6 bits) | 01xxxxxx xxxxxxxx (14 bits, big endian) |
 *           0x80 + u32 BE | 0x81 + u64 BE | 11xxxxxx = "encoded string":
 *   string  <length> bytes, or 0xC0 int8 | 0xC1 int16 | 0xC2 int32 (little
 *           endian, read back as the decimal text) | 0xC3 <compressed length>
 *           <original length> LZF data
 *   expire  0xFC + i64 LE unix ms (0xFD + i32 LE seconds in old files)
 *   double  8 bytes IEEE 754 LE (ZSET_2), or a length byte and the text
 *           (253 nan, 254 +inf, 255 -inf) in old RDB_TYPE_ZSET
 */
#define _GNU_SOURCE
#include "storage/rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/intset.h"
#include "engine/listpack.h"
#include "engine/log.h"
#include "engine/object.h"
#include "engine/quicklist.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "engine/util.h"
#include "storage/crc64.h"
#include "storage/lzf.h"
#include "storage/ziplist.h"

#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3
#define RDB_LEN_6BIT 0
#define RDB_LEN_14BIT 1
#define RDB_LEN_32BIT 0x80
#define RDB_LEN_64BIT 0x81
#define RDB_LEN_ENCVAL 3

/* Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2). */
#define QUICKLIST_CONTAINER_PLAIN 1
#define QUICKLIST_CONTAINER_PACKED 2

/* Strings longer than this are offered to LZF (Redis: > 20). */
#define RDB_LZF_MIN 20
/* An LZF back reference expands 3 bytes into at most 264. */
#define RDB_LZF_MAX_RATIO 88
/* Untrusted lengths are read in steps of at most this, so a corrupt length
 * ends at the end of the data instead of in a huge allocation. */
#define RDB_READ_STEP ((size_t)1 << 20)

/* ------------------------------------------------------------------------
 * Writer
 * --------------------------------------------------------------------- */

void rdb_writer_init(struct rdb_writer *w, rdb_write_fn write, void *ctx, int flags)
{
    w->write = write;
    w->ctx = ctx;
    w->flags = flags;
    w->failed = 0;
    w->crc = 0;
    w->bytes = 0;
    w->buffered = 0;
}

int rdb_writer_flush(struct rdb_writer *w)
{
    if (w->failed) return -1;
    if (w->buffered && w->write(w->ctx, w->buf, w->buffered) != 0) {
        w->failed = 1;
        return -1;
    }
    w->buffered = 0;
    return 0;
}

int rdb_write_raw(struct rdb_writer *w, const void *buf, size_t len)
{
    if (w->failed) return -1;
    if (w->flags & RDB_WRITE_CHECKSUM) w->crc = crc64_update(w->crc, buf, len);
    w->bytes += len;
    if (w->buffered + len > sizeof(w->buf)) {
        if (rdb_writer_flush(w) != 0) return -1;
        if (len >= sizeof(w->buf)) {
            if (w->write(w->ctx, buf, len) != 0) {
                w->failed = 1;
                return -1;
            }
            return 0;
        }
    }
    memcpy(w->buf + w->buffered, buf, len);
    w->buffered += len;
    return 0;
}

static int rdb_write_u8(struct rdb_writer *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    return rdb_write_raw(w, &b, 1);
}

static int rdb_write_le(struct rdb_writer *w, uint64_t v, int n)
{
    unsigned char b[8];
    for (int i = 0; i < n; i++) b[i] = (unsigned char)(v >> (8 * i));
    return rdb_write_raw(w, b, (size_t)n);
}

static int rdb_write_len(struct rdb_writer *w, uint64_t len)
{
    unsigned char b[9];
    size_t n;
    if (len < (1 << 6)) {
        b[0] = (unsigned char)len;
        n = 1;
    } else if (len < (1 << 14)) {
        b[0] = (unsigned char)(RDB_LEN_14BIT << 6 | len >> 8);
        b[1] = (unsigned char)len;
        n = 2;
    } else if (len <= UINT32_MAX) {
        b[0] = RDB_LEN_32BIT;
        for (int i = 0; i < 4; i++) b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        b[0] = RDB_LEN_64BIT;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return rdb_write_raw(w, b, n);
}

/* rdbTryIntegerEncoding: a string of at most 11 bytes that is the
 * canonical text of a 32-bit integer is written as that integer. */
static int rdb_try_write_int(struct rdb_writer *w, const char *s, size_t len, int *done)
{
    long long v;
    *done = 0;
    if (len > 11 || !util_str_to_ll(s, len, &v)) return 0;
    *done = 1;
    if (v >= INT8_MIN && v <= INT8_MAX) {
        if (rdb_write_u8(w, RDB_LEN_ENCVAL << 6 | RDB_ENC_INT8) != 0) return -1;
        return rdb_write_le(w, (uint64_t)v, 1);
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        if (rdb_write_u8(w, RDB_LEN_ENCVAL << 6 | RDB_ENC_INT16) != 0) return -1;
        return rdb_write_le(w, (uint64_t)v, 2);
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        if (rdb_write_u8(w, RDB_LEN_ENCVAL << 6 | RDB_ENC_INT32) != 0) return -1;
        return rdb_write_le(w, (uint64_t)v, 4);
    }
    *done = 0;
    return 0;
}

/* rdbSaveLzfStringObject: only when the result is at least 4 bytes
 * smaller than the input. */
static int rdb_try_write_lzf(struct rdb_writer *w, const void *s, size_t len, int *done)
{
    *done = 0;
    unsigned char *out = mem_alloc(len);
    size_t clen = lzf_compress(s, len, out, len - 4);
    int rc = 0;
    if (clen > 0) {
        *done = 1;
        if (rdb_write_u8(w, RDB_LEN_ENCVAL << 6 | RDB_ENC_LZF) != 0 ||
            rdb_write_len(w, clen) != 0 || rdb_write_len(w, len) != 0 ||
            rdb_write_raw(w, out, clen) != 0)
            rc = -1;
    }
    mem_free(out);
    return rc;
}

/* rdbSaveRawString. */
static int rdb_write_string(struct rdb_writer *w, const void *s, size_t len)
{
    int done;
    if (rdb_try_write_int(w, s, len, &done) != 0) return -1;
    if (done) return 0;
    if ((w->flags & RDB_WRITE_COMPRESS) && len > RDB_LZF_MIN) {
        if (rdb_try_write_lzf(w, s, len, &done) != 0) return -1;
        if (done) return 0;
    }
    if (rdb_write_len(w, len) != 0) return -1;
    return rdb_write_raw(w, s, len);
}

/* An element read from a listpack, intset or dict: bytes or an integer. */
static int rdb_write_item(struct rdb_writer *w, const unsigned char *str, size_t len, long long ll)
{
    char buf[LP_INTBUF_SIZE];
    if (!str) {
        len = lp_int_to_str(buf, ll);
        str = (const unsigned char *)buf;
    }
    return rdb_write_string(w, str, len);
}

int rdb_write_aux(struct rdb_writer *w, const char *key, const char *value)
{
    if (rdb_write_u8(w, RDB_OPCODE_AUX) != 0 || rdb_write_string(w, key, strlen(key)) != 0)
        return -1;
    return rdb_write_string(w, value, strlen(value));
}

static int rdb_write_aux_ll(struct rdb_writer *w, const char *key, long long v)
{
    char buf[LP_INTBUF_SIZE + 1];
    buf[util_ll_to_str(buf, sizeof(buf), v)] = '\0';
    return rdb_write_aux(w, key, buf);
}

int rdb_write_header(struct rdb_writer *w, const struct rdb_repl_info *repl)
{
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    if (rdb_write_raw(w, magic, 9) != 0 || rdb_write_aux(w, "redis-ver", "7.0.15") != 0 ||
        rdb_write_aux_ll(w, "redis-bits", (long long)sizeof(void *) * 8) != 0 ||
        rdb_write_aux_ll(w, "ctime", (long long)time(NULL)) != 0 ||
        rdb_write_aux_ll(w, "used-mem", (long long)mem_used()) != 0)
        return -1;
    if (repl && (rdb_write_aux_ll(w, "repl-stream-db", repl->stream_db) != 0 ||
                 rdb_write_aux(w, "repl-id", repl->repl_id) != 0 ||
                 rdb_write_aux_ll(w, "repl-offset", repl->repl_offset) != 0))
        return -1;
    return rdb_write_aux_ll(w, "aof-base", 0);
}

int rdb_write_select_db(struct rdb_writer *w, int db)
{
    if (rdb_write_u8(w, RDB_OPCODE_SELECTDB) != 0) return -1;
    return rdb_write_len(w, (uint64_t)db);
}

int rdb_write_resize_db(struct rdb_writer *w, uint64_t nkeys, uint64_t nexpires)
{
    if (rdb_write_u8(w, RDB_OPCODE_RESIZEDB) != 0 || rdb_write_len(w, nkeys) != 0) return -1;
    return rdb_write_len(w, nexpires);
}

static int rdb_write_list(struct rdb_writer *w, const struct quicklist *ql)
{
    if (rdb_write_len(w, ql->len) != 0) return -1;
    for (const struct quicklist_node *n = ql->head; n; n = n->next) {
        int container = n->plain ? QUICKLIST_CONTAINER_PLAIN : QUICKLIST_CONTAINER_PACKED;
        if (rdb_write_len(w, (uint64_t)container) != 0) return -1;
        if (rdb_write_string(w, n->entry, n->sz) != 0) return -1;
    }
    return 0;
}

static int rdb_write_set(struct rdb_writer *w, struct entry *e)
{
    if (e->encoding == SET_ENC_INTSET) {
        const struct intset *is = set_intset(e);
        return rdb_write_string(w, intset_blob(is), intset_blob_len(is));
    }
    if (rdb_write_len(w, set_size(e)) != 0) return -1;
    struct set_iter it;
    struct set_member m;
    int rc = 0;
    set_iter_init(&it, e);
    while (rc == 0 && set_iter_next(&it, &m))
        rc = rdb_write_item(w, (const unsigned char *)m.str, m.len, m.ll);
    set_iter_done(&it);
    return rc;
}

/* Skiplist-encoded sorted sets go from the highest score down, as Redis
 * writes them (its loader then inserts each at the head). */
static int rdb_write_zset(struct rdb_writer *w, struct entry *e)
{
    unsigned long n = zset_length(e);
    if (rdb_write_len(w, n) != 0) return -1;
    struct zset_pos pos;
    zset_pos_by_rank(&pos, e, n - 1);
    for (; zset_pos_valid(&pos); zset_pos_prev(&pos)) {
        struct zset_member m;
        zset_pos_read(&pos, &m);
        uint64_t bits;
        memcpy(&bits, &m.score, sizeof(bits));
        if (rdb_write_item(w, (const unsigned char *)m.str, m.len, m.ll) != 0 ||
            rdb_write_le(w, bits, 8) != 0)
            return -1;
    }
    return 0;
}

static int rdb_write_hash(struct rdb_writer *w, struct entry *e)
{
    if (rdb_write_len(w, hash_length(e)) != 0) return -1;
    struct hash_iter it;
    hash_item f, v;
    int rc = 0;
    hash_iter_init(&it, e);
    while (rc == 0 && hash_iter_next(&it, &f, &v)) {
        rc = rdb_write_item(w, f.str, f.len, f.ll);
        if (rc == 0) rc = rdb_write_item(w, v.str, v.len, v.ll);
    }
    hash_iter_done(&it);
    return rc;
}

/* The RDB type byte of an entry, as rdbSaveObjectType picks it. */
static int rdb_entry_type(const struct entry *e)
{
    switch (e->type) {
    case TYPE_STRING:
        return RDB_TYPE_STRING;
    case TYPE_LIST:
        return RDB_TYPE_LIST_QUICKLIST_2;
    case TYPE_SET:
        return e->encoding == SET_ENC_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case TYPE_ZSET:
        return e->encoding == ENC_ZSET_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    default:
        return e->encoding == ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    }
}

int rdb_write_entry(struct rdb_writer *w, const struct entry *ce, int64_t expire_ms)
{
    /* The type iterators take a mutable entry; nothing here modifies it. */
    struct entry *e = (struct entry *)ce;
    if (expire_ms != -1 && (rdb_write_u8(w, RDB_OPCODE_EXPIRETIME_MS) != 0 ||
                            rdb_write_le(w, (uint64_t)expire_ms, 8) != 0))
        return -1;
    int type = rdb_entry_type(e);
    if (rdb_write_u8(w, (unsigned)type) != 0 || rdb_write_string(w, e->key, e->keylen) != 0)
        return -1;
    switch (type) {
    case RDB_TYPE_STRING: {
        char buf[STRING_INT_BUF];
        size_t len;
        const char *s = string_bytes(e, buf, &len);
        return rdb_write_string(w, s, len);
    }
    case RDB_TYPE_LIST_QUICKLIST_2:
        return rdb_write_list(w, e->v.ptr);
    case RDB_TYPE_SET_INTSET:
    case RDB_TYPE_SET:
        return rdb_write_set(w, e);
    case RDB_TYPE_ZSET_LISTPACK:
    case RDB_TYPE_HASH_LISTPACK:
        return rdb_write_string(w, e->v.ptr, lp_bytes(e->v.ptr));
    case RDB_TYPE_ZSET_2:
        return rdb_write_zset(w, e);
    default:
        return rdb_write_hash(w, e);
    }
}

int rdb_write_footer(struct rdb_writer *w)
{
    if (rdb_write_u8(w, RDB_OPCODE_EOF) != 0) return -1;
    uint64_t crc = (w->flags & RDB_WRITE_CHECKSUM) ? w->crc : 0;
    if (rdb_write_le(w, crc, 8) != 0) return -1;
    return rdb_writer_flush(w);
}

/* ---- chunks ---- */

static int rdb_chunk_sink(void *ctx, const void *buf, size_t len)
{
    struct rdb_chunk *c = ctx;
    if (c->cap - c->len < len) {
        size_t cap = c->cap ? c->cap : RDB_WRITE_BUFFER;
        while (cap - c->len < len) cap *= 2;
        c->data = mem_realloc(c->data, cap);
        c->cap = cap;
    }
    memcpy(c->data + c->len, buf, len);
    c->len += len;
    return 0;
}

void rdb_chunk_init(struct rdb_chunk *c, int flags)
{
    c->data = NULL;
    c->len = c->cap = 0;
    /* The checksum is the stream's, computed when the chunk is appended. */
    rdb_writer_init(&c->w, rdb_chunk_sink, c, flags & ~RDB_WRITE_CHECKSUM);
}

int rdb_write_chunk(struct rdb_writer *w, struct rdb_chunk *c)
{
    rdb_writer_flush(&c->w);
    int rc = c->len ? rdb_write_raw(w, c->data, c->len) : 0;
    c->len = 0;
    return rc;
}

void rdb_chunk_free(struct rdb_chunk *c)
{
    mem_free(c->data);
    c->data = NULL;
    c->len = c->cap = 0;
}

/* ---- whole databases ---- */

struct shard_walk {
    struct db *db;
    struct rdb_writer *w;
};

static void rdb_write_one(void *ctx, struct entry *e)
{
    struct shard_walk *walk = ctx;
    rdb_write_entry(walk->w, e, ks_get_expire(walk->db, e));
}

int rdb_write_db(struct rdb_writer *w, struct db *db)
{
    if (rdb_write_select_db(w, db->id) != 0 ||
        rdb_write_resize_db(w, ks_db_size(db), ks_db_expires(db)) != 0)
        return -1;
    struct rdb_chunk chunk;
    rdb_chunk_init(&chunk, w->flags);
    struct shard_walk walk = {.db = db, .w = &chunk.w};
    int rc = 0;
    for (unsigned s = 0; s < KS_SHARDS && rc == 0; s++) {
        ks_lock(db, s);
        ks_foreach_shard(db, s, rdb_write_one, &walk);
        ks_unlock(db, s);
        rc = rdb_write_chunk(w, &chunk);
    }
    rdb_chunk_free(&chunk);
    return rc;
}

int rdb_write_dataset(struct rdb_writer *w, struct db *dbs, int ndbs,
                      const struct rdb_repl_info *repl)
{
    if (rdb_write_header(w, repl) != 0) return -1;
    for (int i = 0; i < ndbs; i++) {
        if (ks_db_size(&dbs[i]) == 0) continue;
        if (rdb_write_db(w, &dbs[i]) != 0) return -1;
    }
    return rdb_write_footer(w);
}

/* ------------------------------------------------------------------------
 * Reader
 * --------------------------------------------------------------------- */

void rdb_reader_init(struct rdb_reader *r, rdb_read_fn read, void *ctx)
{
    r->read = read;
    r->ctx = ctx;
    r->crc = 0;
    r->offset = 0;
    r->crc_staged = 0;
    r->error[0] = '\0';
    r->scratch = NULL;
    r->scratch_cap = 0;
}

/* Records the first error, with the offset where it was found. */
__attribute__((format(printf, 2, 3))) static int rd_fail(struct rdb_reader *r, const char *fmt, ...)
{
    if (r->error[0]) return -1;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(r->error, sizeof(r->error), "%s (at offset %llu)", msg, (unsigned long long)r->offset);
    return -1;
}

/* The CRC of every byte read so far. */
static uint64_t rd_crc(struct rdb_reader *r)
{
    r->crc = crc64_update(r->crc, r->crc_stage, r->crc_staged);
    r->crc_staged = 0;
    return r->crc;
}

static int rd_bytes(struct rdb_reader *r, void *buf, size_t len)
{
    if (len == 0) return 0;
    if (r->read(r->ctx, buf, len) != 0) return rd_fail(r, "Unexpected end of RDB data");
    if (len <= RDB_CRC_STAGE / 8) {
        if (r->crc_staged + len > RDB_CRC_STAGE) rd_crc(r);
        memcpy(r->crc_stage + r->crc_staged, buf, len);
        r->crc_staged += len;
    } else {
        r->crc = crc64_update(rd_crc(r), buf, len);
    }
    r->offset += len;
    return 0;
}

static int rd_u8(struct rdb_reader *r, unsigned *v)
{
    unsigned char b;
    if (rd_bytes(r, &b, 1) != 0) return -1;
    *v = b;
    return 0;
}

static int rd_le(struct rdb_reader *r, int n, uint64_t *v)
{
    unsigned char b[8];
    if (rd_bytes(r, b, (size_t)n) != 0) return -1;
    *v = 0;
    for (int i = n - 1; i >= 0; i--) *v = *v << 8 | b[i];
    return 0;
}

/* rdbLoadLenByRef: a length, or (*encoded set) a string encoding number. */
static int rd_len_or_enc(struct rdb_reader *r, uint64_t *len, int *encoded)
{
    unsigned b;
    unsigned char more[8];
    *encoded = 0;
    *len = 0;
    if (rd_u8(r, &b) != 0) return -1;
    switch (b >> 6) {
    case RDB_LEN_6BIT:
        *len = b & 0x3f;
        return 0;
    case RDB_LEN_14BIT:
        if (rd_bytes(r, more, 1) != 0) return -1;
        *len = (uint64_t)(b & 0x3f) << 8 | more[0];
        return 0;
    case RDB_LEN_ENCVAL:
        *encoded = 1;
        *len = b & 0x3f;
        return 0;
    default:
        break;
    }
    int n = b == RDB_LEN_32BIT ? 4 : b == RDB_LEN_64BIT ? 8 : 0;
    if (n == 0) return rd_fail(r, "Unknown length encoding %u", b);
    if (rd_bytes(r, more, (size_t)n) != 0) return -1;
    *len = 0;
    for (int i = 0; i < n; i++) *len = *len << 8 | more[i];
    return 0;
}

static int rd_len(struct rdb_reader *r, uint64_t *len)
{
    int encoded;
    if (rd_len_or_enc(r, len, &encoded) != 0) return -1;
    if (encoded) return rd_fail(r, "Unexpected string encoding where a length was expected");
    return 0;
}

/* Reads len untrusted-length bytes into a new buffer (one spare byte, NUL).
 * Grows in steps so that a corrupt length fails at the end of the data. */
static unsigned char *rd_alloc_bytes(struct rdb_reader *r, uint64_t len)
{
    if (len > SIZE_MAX - 1) {
        rd_fail(r, "String length %llu too large", (unsigned long long)len);
        return NULL;
    }
    size_t cap = len < RDB_READ_STEP ? (size_t)len : RDB_READ_STEP, got = 0;
    unsigned char *buf = mem_alloc(cap + 1);
    while (got < len) {
        if (got == cap) {
            cap = len - cap > cap ? cap * 2 : (size_t)len;
            buf = mem_realloc(buf, cap + 1);
        }
        if (rd_bytes(r, buf + got, cap - got) != 0) {
            mem_free(buf);
            return NULL;
        }
        got = cap;
    }
    buf[len] = '\0';
    return buf;
}

/* rdbGenericLoadStringObject: any string encoding, into a new buffer of
 * *len bytes (plus a NUL); integers come back as their decimal text. */
static unsigned char *rd_string(struct rdb_reader *r, size_t *len)
{
    uint64_t n;
    int encoded;
    if (rd_len_or_enc(r, &n, &encoded) != 0) return NULL;
    if (!encoded) {
        *len = (size_t)n;
        return rd_alloc_bytes(r, n);
    }
    if (n == RDB_ENC_INT8 || n == RDB_ENC_INT16 || n == RDB_ENC_INT32) {
        int bytes = n == RDB_ENC_INT8 ? 1 : n == RDB_ENC_INT16 ? 2 : 4;
        uint64_t raw;
        if (rd_le(r, bytes, &raw) != 0) return NULL;
        long long v = bytes == 1 ? (int8_t)raw : bytes == 2 ? (int16_t)raw : (int32_t)raw;
        unsigned char *buf = mem_alloc(LP_INTBUF_SIZE);
        *len = (size_t)util_ll_to_str((char *)buf, LP_INTBUF_SIZE, v);
        return buf;
    }
    if (n != RDB_ENC_LZF) {
        rd_fail(r, "Unknown RDB string encoding type %llu", (unsigned long long)n);
        return NULL;
    }
    uint64_t clen, ulen;
    if (rd_len(r, &clen) != 0 || rd_len(r, &ulen) != 0) return NULL;
    if (clen == 0 || ulen == 0 || ulen / RDB_LZF_MAX_RATIO > clen) {
        rd_fail(r, "Invalid LZF compressed string (lengths %llu, %llu)", (unsigned long long)clen,
                (unsigned long long)ulen);
        return NULL;
    }
    /* The compressed bytes go to the reader's scratch buffer (no allocation
     * per string), unless their length is too large to trust before they
     * are read. */
    unsigned char *in;
    if (clen <= RDB_READ_STEP) {
        if (clen > r->scratch_cap) {
            r->scratch_cap = clen < 4096 ? 4096 : (size_t)clen;
            mem_free(r->scratch);
            r->scratch = mem_alloc(r->scratch_cap);
        }
        in = r->scratch;
        if (rd_bytes(r, in, (size_t)clen) != 0) return NULL;
    } else if (!(in = rd_alloc_bytes(r, clen))) {
        return NULL;
    }
    unsigned char *out = mem_alloc((size_t)ulen + 1);
    int rc = lzf_decompress(in, (size_t)clen, out, (size_t)ulen);
    if (in != r->scratch) mem_free(in);
    if (rc != 0) {
        mem_free(out);
        rd_fail(r, "Invalid LZF compressed string");
        return NULL;
    }
    out[ulen] = '\0';
    *len = (size_t)ulen;
    return out;
}

/* The old text form of a score (RDB_TYPE_ZSET). */
static int rd_double_text(struct rdb_reader *r, double *d)
{
    unsigned n;
    char buf[256];
    if (rd_u8(r, &n) != 0) return -1;
    if (n == 253) *d = NAN;
    if (n == 254) *d = INFINITY;
    if (n == 255) *d = -INFINITY;
    if (n >= 253) return 0;
    if (rd_bytes(r, buf, n) != 0) return -1;
    buf[n] = '\0';
    char *end;
    *d = strtod(buf, &end);
    if (n == 0 || end == buf) return rd_fail(r, "Invalid score '%s'", buf);
    return 0;
}

static int rd_double_binary(struct rdb_reader *r, double *d)
{
    uint64_t bits;
    if (rd_le(r, 8, &bits) != 0) return -1;
    memcpy(d, &bits, sizeof(*d));
    return 0;
}

/* ---- values ---- */

static long long setting(const long long *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* A decoded value before it is given a key: strings as bytes, the other
 * types in an entry header outside the keyspace (type, encoding, v). */
struct loaded_value {
    struct entry v;
    unsigned char *str; /* TYPE_STRING */
    size_t len;
};

static void loaded_value_free(struct loaded_value *lv)
{
    if (lv->v.type == TYPE_STRING)
        mem_free(lv->str);
    else if (lv->v.v.ptr)
        value_free(&lv->v);
    lv->str = NULL;
    lv->v.v.ptr = NULL;
}

/* Checks the field (or member) / value pairs of a loaded listpack: an even
 * count and no repeated field (lpPairsValidateIntegrityAndDups). */
struct pair_check {
    struct dict *seen;
    unsigned long index;
};

static int pair_check_entry(const unsigned char *p, void *ctx)
{
    struct pair_check *pc = ctx;
    if (pc->index++ % 2) return 1;
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const unsigned char *s = lp_get_str(p, buf, &len);
    int added;
    dict_add_or_find(pc->seen, (const char *)s, len, &added);
    return added;
}

static int listpack_pairs_valid(const unsigned char *lp, size_t size)
{
    struct pair_check pc = {.seen = dict_create(DICT_KEYS_ONLY, NULL)};
    int ok = lp_validate_entries(lp, size, pair_check_entry, &pc) && pc.index % 2 == 0;
    dict_free(pc.seen);
    return ok;
}

/* Ziplist elements appended to a listpack. */
static int ziplist_to_listpack_entry(void *ctx, const struct lp_entry *e)
{
    unsigned char **lp = ctx;
    if (e->str && !lp_safe_to_add(*lp, e->len)) return 0;
    *lp = e->str ? lp_append(*lp, e->str, e->len) : lp_append_int(*lp, e->ll);
    return *lp != NULL;
}

/* Ziplist elements pushed at the tail of a list. */
static int ziplist_to_list_entry(void *ctx, const struct lp_entry *e)
{
    char buf[LP_INTBUF_SIZE];
    const void *s = e->str;
    size_t len = e->len;
    if (!s) {
        len = lp_int_to_str(buf, e->ll);
        s = buf;
    }
    quicklist_push(ctx, QUICKLIST_TAIL, s, len);
    return 1;
}

/* Zipmap pairs set in a detached hash; a repeated field is corruption. */
static int zipmap_to_hash_entry(void *ctx, const unsigned char *f, size_t flen,
                                const unsigned char *v, size_t vlen)
{
    return hash_set(ctx, (const char *)f, flen, (const char *)v, vlen) == 0;
}

static int load_list_elements(struct rdb_reader *r, struct loaded_value *lv)
{
    uint64_t n;
    if (rd_len(r, &n) != 0) return -1;
    lv->v.v.ptr = list_create();
    lv->v.encoding = ENC_QUICKLIST;
    while (n--) {
        size_t len;
        unsigned char *s = rd_string(r, &len);
        if (!s) return -1;
        quicklist_push(lv->v.v.ptr, QUICKLIST_TAIL, s, len);
        mem_free(s);
    }
    return 0;
}

static int load_list_nodes(struct rdb_reader *r, int rdbtype, struct loaded_value *lv)
{
    uint64_t n;
    if (rd_len(r, &n) != 0) return -1;
    struct quicklist *ql = list_create();
    lv->v.v.ptr = ql;
    lv->v.encoding = ENC_QUICKLIST;
    while (n--) {
        uint64_t container = QUICKLIST_CONTAINER_PACKED;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (rd_len(r, &container) != 0) return -1;
            if (container != QUICKLIST_CONTAINER_PACKED && container != QUICKLIST_CONTAINER_PLAIN)
                return rd_fail(r, "Quicklist integrity check failed (container %llu)",
                               (unsigned long long)container);
        }
        size_t len;
        unsigned char *data = rd_string(r, &len);
        if (!data) return -1;
        if (len == 0) {
            mem_free(data);
            return rd_fail(r, "Empty quicklist node");
        }
        if (container == QUICKLIST_CONTAINER_PLAIN) {
            quicklist_append_plain(ql, data, len);
            continue;
        }
        unsigned char *lp = data;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (!lp_validate(data, len, 1)) {
                mem_free(data);
                return rd_fail(r, "Listpack integrity check failed");
            }
        } else {
            lp = lp_new(len);
            int ok = ziplist_walk(data, len, ziplist_to_listpack_entry, &lp);
            mem_free(data);
            if (!ok) {
                lp_free(lp);
                return rd_fail(r, "Ziplist integrity check failed");
            }
            lp = lp_shrink(lp);
        }
        if (lp_length(lp) == 0) {
            lp_free(lp); /* skipped silently, as Redis */
            continue;
        }
        quicklist_append_listpack(ql, lp);
    }
    return 0;
}

static int load_set(struct rdb_reader *r, struct loaded_value *lv)
{
    uint64_t n;
    if (rd_len(r, &n) != 0) return -1;
    set_init_detached(&lv->v);
    long long max = setting(&set_max_intset_entries);
    if (max > (1 << 30)) max = 1 << 30;
    if (n > (uint64_t)max) set_convert_to_dict(&lv->v);
    while (n--) {
        size_t len;
        unsigned char *s = rd_string(r, &len);
        if (!s) return -1;
        int added = set_add(&lv->v, (const char *)s, len);
        mem_free(s);
        if (!added) return rd_fail(r, "Duplicate set members detected");
    }
    return 0;
}

static int load_zset(struct rdb_reader *r, int rdbtype, struct loaded_value *lv)
{
    uint64_t n;
    if (rd_len(r, &n) != 0) return -1;
    zset_init_detached(&lv->v, n > LONG_MAX ? LONG_MAX : (long)n, 0);
    while (n--) {
        size_t len;
        double score;
        unsigned char *m = rd_string(r, &len);
        if (!m) return -1;
        int rc =
            rdbtype == RDB_TYPE_ZSET_2 ? rd_double_binary(r, &score) : rd_double_text(r, &score);
        if (rc == 0 && isnan(score)) rc = rd_fail(r, "Zset with NAN score detected");
        int result = 0;
        double ignored;
        if (rc == 0) zset_add(&lv->v, score, (const char *)m, len, ZSET_ADD_NX, &result, &ignored);
        mem_free(m);
        if (rc != 0) return -1;
        if (!(result & ZSET_ADDED)) return rd_fail(r, "Duplicate zset fields detected");
    }
    return 0;
}

static int load_hash(struct rdb_reader *r, struct loaded_value *lv)
{
    uint64_t n;
    if (rd_len(r, &n) != 0) return -1;
    hash_init_detached(&lv->v);
    if (n > (unsigned long long)setting(&hash_max_listpack_entries)) hash_convert_to_dict(&lv->v);
    while (n--) {
        size_t flen, vlen;
        unsigned char *f = rd_string(r, &flen);
        if (!f) return -1;
        unsigned char *v = rd_string(r, &vlen);
        if (!v) {
            mem_free(f);
            return -1;
        }
        int existed = hash_set(&lv->v, (const char *)f, flen, (const char *)v, vlen);
        mem_free(f);
        mem_free(v);
        if (existed) return rd_fail(r, "Duplicate hash fields detected");
    }
    return 0;
}

/* HASH_ZIPLIST, ZSET_ZIPLIST, HASH_LISTPACK, ZSET_LISTPACK: a listpack of
 * pairs once converted, then the entries threshold. */
static int load_pairs_blob(struct rdb_reader *r, int rdbtype, struct loaded_value *lv)
{
    size_t len;
    unsigned char *blob = rd_string(r, &len);
    if (!blob) return -1;
    int hash = rdbtype == RDB_TYPE_HASH_ZIPLIST || rdbtype == RDB_TYPE_HASH_LISTPACK;
    unsigned char *lp = blob;
    int ok;
    if (rdbtype == RDB_TYPE_HASH_ZIPLIST || rdbtype == RDB_TYPE_ZSET_ZIPLIST) {
        lp = lp_new(len);
        ok = ziplist_walk(blob, len, ziplist_to_listpack_entry, &lp);
        mem_free(blob);
        if (ok) lp = lp_shrink(lp);
        ok = ok && listpack_pairs_valid(lp, lp_bytes(lp));
    } else {
        ok = listpack_pairs_valid(blob, len);
    }
    if (!ok) {
        mem_free(lp);
        return rd_fail(r, "%s %s integrity check failed", hash ? "Hash" : "Zset",
                       rdbtype == RDB_TYPE_HASH_ZIPLIST || rdbtype == RDB_TYPE_ZSET_ZIPLIST
                           ? "ziplist"
                           : "listpack");
    }
    lv->v.type = hash ? TYPE_HASH : TYPE_ZSET;
    lv->v.encoding = hash ? ENC_LISTPACK : ENC_ZSET_LISTPACK;
    lv->v.v.ptr = lp;
    unsigned long pairs = lp_length(lp) / 2;
    if (hash && pairs > (unsigned long long)setting(&hash_max_listpack_entries))
        hash_convert_to_dict(&lv->v);
    if (!hash && pairs > (unsigned long long)setting(&zset_max_listpack_entries))
        zset_convert_to_skiplist(&lv->v);
    return 0;
}

static int load_intset(struct rdb_reader *r, struct loaded_value *lv)
{
    size_t len;
    unsigned char *blob = rd_string(r, &len);
    if (!blob) return -1;
    struct intset *is = intset_adopt(blob, len, 1);
    if (!is) {
        mem_free(blob);
        return rd_fail(r, "Intset integrity check failed");
    }
    lv->v.type = TYPE_SET;
    lv->v.encoding = SET_ENC_INTSET;
    lv->v.v.ptr = is;
    if (intset_len(is) > (unsigned long long)setting(&set_max_intset_entries))
        set_convert_to_dict(&lv->v);
    return 0;
}

static int load_list_ziplist(struct rdb_reader *r, struct loaded_value *lv)
{
    size_t len;
    unsigned char *blob = rd_string(r, &len);
    if (!blob) return -1;
    lv->v.v.ptr = list_create();
    lv->v.encoding = ENC_QUICKLIST;
    int ok = ziplist_walk(blob, len, ziplist_to_list_entry, lv->v.v.ptr);
    mem_free(blob);
    return ok ? 0 : rd_fail(r, "List ziplist integrity check failed");
}

static int load_zipmap(struct rdb_reader *r, struct loaded_value *lv)
{
    size_t len;
    unsigned char *blob = rd_string(r, &len);
    if (!blob) return -1;
    hash_init_detached(&lv->v);
    int ok = zipmap_walk(blob, len, zipmap_to_hash_entry, &lv->v);
    mem_free(blob);
    return ok ? 0 : rd_fail(r, "Zipmap integrity check failed (or duplicate fields)");
}

/* The type a loaded value ends up as. */
static int rdb_type_to_value_type(int rdbtype)
{
    switch (rdbtype) {
    case RDB_TYPE_STRING:
        return TYPE_STRING;
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        return TYPE_LIST;
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
        return TYPE_SET;
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
        return TYPE_ZSET;
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
        return TYPE_HASH;
    default:
        return -1;
    }
}

/* 1 when the loaded value has no element (Redis skips such keys). */
static int loaded_value_empty(struct loaded_value *lv)
{
    switch (lv->v.type) {
    case TYPE_STRING:
        return 0;
    case TYPE_LIST:
        return quicklist_count(lv->v.v.ptr) == 0;
    case TYPE_SET:
        return set_size(&lv->v) == 0;
    case TYPE_ZSET:
        return zset_length(&lv->v) == 0;
    default:
        return hash_length(&lv->v) == 0;
    }
}

/* rdbLoadObject: the value after a key. */
static int load_value(struct rdb_reader *r, int rdbtype, struct loaded_value *lv)
{
    memset(lv, 0, sizeof(*lv));
    if (rdbtype == RDB_TYPE_STREAM_LISTPACKS || rdbtype == RDB_TYPE_STREAM_LISTPACKS_2)
        return rd_fail(r, "stream keys are not supported");
    if (rdbtype == RDB_TYPE_MODULE || rdbtype == RDB_TYPE_MODULE_2)
        return rd_fail(r, "module keys are not supported");
    int type = rdb_type_to_value_type(rdbtype);
    if (type < 0) return rd_fail(r, "Unknown RDB encoding type %d", rdbtype);
    lv->v.type = (uint8_t)type;
    switch (rdbtype) {
    case RDB_TYPE_STRING:
        lv->str = rd_string(r, &lv->len);
        return lv->str ? 0 : -1;
    case RDB_TYPE_LIST:
        return load_list_elements(r, lv);
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        return load_list_nodes(r, rdbtype, lv);
    case RDB_TYPE_LIST_ZIPLIST:
        return load_list_ziplist(r, lv);
    case RDB_TYPE_SET:
        return load_set(r, lv);
    case RDB_TYPE_SET_INTSET:
        return load_intset(r, lv);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
        return load_zset(r, rdbtype, lv);
    case RDB_TYPE_HASH:
        return load_hash(r, lv);
    case RDB_TYPE_HASH_ZIPMAP:
        return load_zipmap(r, lv);
    default:
        return load_pairs_blob(r, rdbtype, lv);
    }
}

/* The entry of a loaded key, its value moved in (lv keeps nothing),
 * linked into no table yet. Any thread, no lock. */
static struct entry *entry_of_loaded(const unsigned char *key, size_t klen, struct loaded_value *lv,
                                     int64_t idle_s)
{
    int string = lv->v.type == TYPE_STRING;
    size_t room = string && lv->len <= STRING_INLINE_MAX ? lv->len : 0;
    struct entry *e = ks_entry_new((const char *)key, klen, (enum value_type)lv->v.type, room);
    if (string) {
        string_set(e, (const char *)lv->str, lv->len);
        mem_free(lv->str);
        lv->str = NULL;
    } else {
        e->encoding = lv->v.encoding;
        e->v.ptr = lv->v.v.ptr;
        lv->v.v.ptr = NULL;
    }
    if (idle_s > 0) e->lru = ks_lru_clock() - (uint32_t)idle_s;
    return e;
}

/* Links a loaded key's entry into db (replacing the key with
 * RDB_LOAD_REPLACE_EXISTING). -1 with a message in err for a duplicate
 * (e is then still the caller's). */
static int install_entry(struct db *db, uint64_t hash, struct entry *e, int64_t expire_ms,
                         int flags, char *err, size_t errsize)
{
    unsigned shard = ks_shard_of_hash(hash);
    ks_lock(db, shard);
    if ((flags & RDB_LOAD_REPLACE_EXISTING)) ks_delete(db, e->key, e->keylen);
    if (ks_link_unique(db, hash, e) != 0) {
        ks_unlock(db, shard);
        snprintf(err, errsize, "Duplicated key '%.*s' in DB %d",
                 (int)(e->keylen > 64 ? 64 : e->keylen), e->key, db->id);
        return -1;
    }
    if (expire_ms != -1) ks_set_expire(db, e, expire_ms);
    ks_unlock(db, shard);
    return 0;
}

/* An AUX field: the ones a loader cares about are kept in info. */
static void load_aux(struct rdb_load_info *info, const unsigned char *key, size_t klen,
                     const unsigned char *val, size_t vlen)
{
    long long v;
    int is_int = util_str_to_ll((const char *)val, vlen, &v);
    if (klen == 14 && !memcmp(key, "repl-stream-db", 14) && is_int)
        info->repl_stream_db = (int)v;
    else if (klen == 11 && !memcmp(key, "repl-offset", 11) && is_int)
        info->repl_offset = v;
    else if (klen == 5 && !memcmp(key, "ctime", 5) && is_int)
        info->ctime = v;
    else if (klen == 7 && !memcmp(key, "repl-id", 7) && vlen == 40)
        memcpy(info->repl_id, val, 41);
}

static int load_header(struct rdb_reader *r, struct rdb_load_info *info)
{
    char magic[10];
    if (rd_bytes(r, magic, 9) != 0) return -1;
    magic[9] = '\0';
    if (memcmp(magic, "REDIS", 5) != 0) return rd_fail(r, "Wrong signature trying to load DB");
    int version = 0;
    for (int i = 5; i < 9; i++) {
        if (magic[i] < '0' || magic[i] > '9')
            return rd_fail(r, "Wrong signature trying to load DB");
        version = version * 10 + (magic[i] - '0');
    }
    if (version < 1 || version > RDB_VERSION)
        return rd_fail(r, "Can't handle RDB format version %d", version);
    info->version = version;
    return 0;
}

/* The 8 bytes after EOF: the CRC-64 of everything before them (versions 5
 * and later); 0 means the writer did not compute one. Read even when not
 * checked (rdbchecksum no), as Redis. */
static int load_checksum(struct rdb_reader *r, int version, int flags)
{
    if (version < 5) return 0;
    uint64_t expected = rd_crc(r), stored;
    if (rd_le(r, 8, &stored) != 0) return -1;
    if (stored != 0 && stored != expected && !(flags & RDB_LOAD_SKIP_CHECKSUM))
        return rd_fail(r, "Wrong RDB checksum expected: (%llx) got (%llx)",
                       (unsigned long long)expected, (unsigned long long)stored);
    return 0;
}

/* Keys decoded but not installed yet. A large load is otherwise memory
 * bound: each insert waits for its bucket, then for the entries already in
 * it (the duplicate check). A key's bucket is fetched LOAD_AHEAD keys
 * before its install, its chain's first entry LOAD_CHAIN_AHEAD keys
 * before, the fetches long done when it is installed.
 *
 * With RDB_LOAD_PARALLEL the keys are installed by a second thread (the
 * installer) while this one (the reader) reads and decodes the next ones.
 * Half of a big load's time is the install (bucket and chain misses); the
 * other half (reading, checksum, decompression, decoding, the entries'
 * fresh pages) now runs beside it. The queue is then a ring of LOAD_RING
 * keys with one producer and one consumer, each position published every
 * LOAD_PUBLISH keys: a publication is a sequentially consistent store
 * (for the sleep check below), and one per key would wait for every store
 * of the install to drain, so that the install's misses no longer
 * overlap. A side that finds the ring empty (the installer) or full (the
 * reader) spins briefly, then sleeps on the condition variable until the
 * other side has LOAD_BATCH keys (or free slots) for it, or the reader is
 * done: a wake-up costs a system call on each side, so it is not paid per
 * key. Without the flag the same queue is LOAD_AHEAD keys deep and the
 * reader installs the oldest itself. Either way keys are installed in the
 * order read. */
#define LOAD_AHEAD 16
#define LOAD_CHAIN_AHEAD 8
#define LOAD_RING 4096  /* a power of two */
#define LOAD_SPINS 100  /* pauses before a side sleeps */
#define LOAD_BATCH 1024 /* keys (or free slots) that wake a sleeping side */
#define LOAD_PUBLISH 16 /* keys between two publications of a position */

struct pending_key {
    struct db *db;
    uint64_t hash;
    struct entry *e; /* built by the reader, linked by the install */
    int64_t expire_ms;
};

struct load_queue {
    struct pending_key keys[LOAD_RING];
    unsigned capacity; /* LOAD_RING with an installer thread, else LOAD_AHEAD */
    int flags;
    /* The installer's side: the next key to install, and how far the
     * bucket and chain prefetches have gone. */
    uint64_t head_local, bucket_next, chain_next;
    uint64_t keys_loaded;
    char error[200]; /* the install's failure, for rd_fail */
    /* The reader's side. */
    uint64_t tail_local;
    _Alignas(64) atomic_uint_least64_t tail; /* keys queued: written by the reader */
    _Alignas(64) atomic_uint_least64_t head; /* keys taken: written by the installer */
    atomic_int install_failed;               /* a duplicate: what was read after it is not loaded */
    atomic_int closing;                      /* the reader queues nothing more */
    /* Sleeping sides (installer_waits: for keys; reader_waits: for room). */
    atomic_int installer_waits, reader_waits;
    int threaded;
    pthread_t installer;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static struct pending_key *queue_slot(struct load_queue *q, uint64_t n)
{
    return &q->keys[n & (LOAD_RING - 1)];
}

static void pending_key_free(struct pending_key *p)
{
    if (p->e) ks_free_entry(p->e);
    p->e = NULL;
}

/* What wakes the installer: a batch of keys, or the end. Either side. */
static int queue_has_keys(struct load_queue *q)
{
    return atomic_load(&q->tail) - atomic_load(&q->head) >= LOAD_BATCH || atomic_load(&q->closing);
}

/* What wakes the reader: a batch of free slots. Read by either side. */
static int queue_has_room(struct load_queue *q)
{
    return q->capacity - (atomic_load(&q->tail) - atomic_load(&q->head)) >= LOAD_BATCH;
}

/* Wakes the other side if it sleeps and ready(q) now holds for it. The
 * position it waits for was published before (seq_cst, as its flag):
 * either it sees the position or this sees its flag; it holds the lock
 * from setting the flag until it sleeps, so the broadcast cannot come in
 * between. */
static void queue_wake(struct load_queue *q, atomic_int *waits, int (*ready)(struct load_queue *))
{
    if (!q->threaded || !atomic_load(waits) || !ready(q)) return;
    pthread_mutex_lock(&q->lock);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

/* Waits until ready(q) holds: a short spin (the other side is usually
 * running), then on the condition variable. */
static void queue_wait(struct load_queue *q, atomic_int *waits, int (*ready)(struct load_queue *))
{
    for (int i = 0; i < LOAD_SPINS; i++) {
        if (ready(q)) return;
        util_cpu_relax();
    }
    pthread_mutex_lock(&q->lock);
    atomic_store(waits, 1);
    while (!ready(q)) pthread_cond_wait(&q->cond, &q->lock);
    atomic_store(waits, 0);
    pthread_mutex_unlock(&q->lock);
}

/* Makes the installer's position visible, and wakes a reader waiting
 * for room. */
static void queue_publish_head(struct load_queue *q)
{
    if (!q->threaded) {
        atomic_store_explicit(&q->head, q->head_local, memory_order_relaxed);
        return;
    }
    atomic_store(&q->head, q->head_local); /* seq_cst: the sleep check below */
    queue_wake(q, &q->reader_waits, queue_has_room);
}

/* Makes the reader's position visible, and wakes an installer waiting
 * for keys. */
static void queue_publish_tail(struct load_queue *q)
{
    atomic_store(&q->tail, q->tail_local); /* seq_cst: the sleep check below */
    queue_wake(q, &q->installer_waits, queue_has_keys);
}

/* The install side (the installer thread, or the reader itself without
 * one): prefetches ahead of the install position, up to `queued`: the
 * key's bucket, its chain, and with a thread its entry (written by the
 * reader, in another core's cache). */
static void queue_prefetch(struct load_queue *q, uint64_t queued)
{
    uint64_t bucket_end = q->head_local + LOAD_AHEAD, chain_end = q->head_local + LOAD_CHAIN_AHEAD;
    for (; q->bucket_next < queued && q->bucket_next < bucket_end; q->bucket_next++) {
        const struct pending_key *p = queue_slot(q, q->bucket_next);
        ks_prefetch(p->db, p->hash);
        if (q->threaded) util_prefetch(p->e);
    }
    for (; q->chain_next < queued && q->chain_next < chain_end; q->chain_next++) {
        const struct pending_key *p = queue_slot(q, q->chain_next);
        ks_prefetch_chain(p->db, p->hash);
    }
}

/* The install side: installs (or, after a failure, only frees) the
 * oldest key. */
static void queue_install_one(struct load_queue *q, uint64_t queued)
{
    struct pending_key *p = queue_slot(q, q->head_local);
    if (!atomic_load_explicit(&q->install_failed, memory_order_relaxed)) {
        queue_prefetch(q, queued);
        if (install_entry(p->db, p->hash, p->e, p->expire_ms, q->flags, q->error,
                          sizeof(q->error)) == 0) {
            q->keys_loaded++;
            p->e = NULL; /* the table's now */
        } else {
            atomic_store(&q->install_failed, 1);
        }
    }
    pending_key_free(p);
    q->head_local++;
    if (q->head_local % LOAD_PUBLISH == 0 || q->head_local == queued) queue_publish_head(q);
}

static void *installer_main(void *arg)
{
    struct load_queue *q = arg;
    for (;;) {
        uint64_t queued = atomic_load_explicit(&q->tail, memory_order_acquire);
        if (queued == q->head_local) {
            if (atomic_load(&q->closing) && atomic_load(&q->tail) == q->head_local) break;
            queue_wait(q, &q->installer_waits, queue_has_keys);
            continue;
        }
        while (q->head_local != queued) queue_install_one(q, queued);
    }
    return NULL;
}

static struct load_queue *load_queue_new(int flags)
{
    struct load_queue *q = mem_calloc_aligned(64, sizeof(*q));
    q->flags = flags;
    q->capacity = LOAD_AHEAD;
    if (!(flags & RDB_LOAD_PARALLEL)) return q;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->threaded = 1; /* before the thread reads it */
    q->capacity = LOAD_RING;
    if (pthread_create(&q->installer, NULL, installer_main, q) != 0) {
        q->threaded = 0; /* installed by this thread, then */
        q->capacity = LOAD_AHEAD;
    }
    return q;
}

/* Reader: queues a decoded key (the queue owns its buffers from now on).
 * -1 when an install failed (the key is freed, nothing more is loaded). */
static int load_queue_push(struct rdb_reader *r, struct load_queue *q,
                           const struct pending_key *key)
{
    if (!q->threaded) {
        if (q->tail_local - q->head_local == q->capacity) queue_install_one(q, q->tail_local);
    } else if (q->tail_local - atomic_load(&q->head) == q->capacity) {
        queue_publish_tail(q);
        queue_wait(q, &q->reader_waits, queue_has_room);
    }
    if (atomic_load(&q->install_failed)) {
        struct pending_key copy = *key;
        pending_key_free(&copy);
        return rd_fail(r, "%s", q->error);
    }
    *queue_slot(q, q->tail_local) = *key;
    q->tail_local++;
    if (q->threaded && q->tail_local % LOAD_PUBLISH == 0) queue_publish_tail(q);
    return 0;
}

/* Installs every queued key and stops the installer: at EOF, and when the
 * input fails (the keys read whole before the failure are loaded, as if
 * each was installed as soon as read). Adds the keys loaded to info; -1
 * (with r's error) when an install failed. Frees the queue. */
static int load_queue_finish(struct rdb_reader *r, struct load_queue *q, struct rdb_load_info *info)
{
    if (q->threaded) {
        atomic_store(&q->tail, q->tail_local);
        atomic_store(&q->closing, 1);
        queue_wake(q, &q->installer_waits, queue_has_keys);
        pthread_join(q->installer, NULL);
    } else {
        while (q->head_local != q->tail_local) queue_install_one(q, q->tail_local);
    }
    if (q->flags & RDB_LOAD_PARALLEL) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->cond);
    }
    int failed = atomic_load(&q->install_failed);
    info->keys_loaded += q->keys_loaded;
    if (failed) rd_fail(r, "%s", q->error);
    mem_free(q);
    return failed ? -1 : 0;
}

/* One key: the value type byte was read; the key and value follow. */
static int load_key(struct rdb_reader *r, struct load_queue *q, struct db *db, int rdbtype,
                    int64_t expire_ms, int64_t idle_s, int flags, int64_t now_ms,
                    struct rdb_load_info *info)
{
    size_t klen;
    unsigned char *key = rd_string(r, &klen);
    if (!key) return -1;
    uint64_t hash = ks_hash((const char *)key, klen);
    struct loaded_value lv;
    int rc = load_value(r, rdbtype, &lv);
    if (rc == 0 && loaded_value_empty(&lv)) {
        if (info->keys_empty_skipped++ < 10) /* as Redis: the first ten */
            log_warning("rdbLoadObject skipping empty key: %.*s", (int)(klen > 64 ? 64 : klen),
                        key);
    } else if (rc == 0 && expire_ms != -1 && expire_ms < now_ms &&
               !(flags & RDB_LOAD_KEEP_EXPIRED)) {
        info->keys_expired_skipped++;
    } else if (rc == 0) {
        struct pending_key p = {.db = db,
                                .hash = hash,
                                .e = entry_of_loaded(key, klen, &lv, idle_s),
                                .expire_ms = expire_ms};
        mem_free(key);
        return load_queue_push(r, q, &p);
    }
    loaded_value_free(&lv);
    mem_free(key);
    return rc;
}

static int load_records(struct rdb_reader *r, struct load_queue *q, struct db *dbs, int ndbs,
                        int flags, int64_t now_ms, struct rdb_load_info *info);

int rdb_load(struct rdb_reader *r, struct db *dbs, int ndbs, int flags, int64_t now_ms,
             struct rdb_load_info *info)
{
    struct rdb_load_info ignored;
    if (!info) info = &ignored;
    memset(info, 0, sizeof(*info));
    info->repl_stream_db = -1;
    info->repl_offset = -1;
    if (load_header(r, info) != 0) return -1;

    struct load_queue *q = load_queue_new(flags);
    int rc = load_records(r, q, dbs, ndbs, flags, now_ms, info);
    mem_free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
    /* After an error the queue's keys are still installed: rd_fail keeps
     * the first error. */
    if (load_queue_finish(r, q, info) != 0) rc = -1;
    return rc;
}

static int load_records(struct rdb_reader *r, struct load_queue *q, struct db *dbs, int ndbs,
                        int flags, int64_t now_ms, struct rdb_load_info *info)
{
    struct db *db = &dbs[0];
    int64_t expire_ms = -1, idle_s = -1;
    for (;;) {
        unsigned type;
        uint64_t v, v2;
        if (rd_u8(r, &type) != 0) return -1;
        switch (type) {
        case RDB_OPCODE_EXPIRETIME:
            if (rd_le(r, 4, &v) != 0) return -1;
            expire_ms = (int64_t)(int32_t)v * 1000;
            continue;
        case RDB_OPCODE_EXPIRETIME_MS:
            if (rd_le(r, 8, &v) != 0) return -1;
            expire_ms = (int64_t)v;
            continue;
        case RDB_OPCODE_FREQ:
            if (rd_le(r, 1, &v) != 0) return -1;
            continue;
        case RDB_OPCODE_IDLE:
            if (rd_len(r, &v) != 0) return -1;
            idle_s = v > UINT32_MAX ? UINT32_MAX : (int64_t)v;
            continue;
        case RDB_OPCODE_EOF:
            return load_checksum(r, info->version, flags);
        case RDB_OPCODE_SELECTDB:
            if (rd_len(r, &v) != 0) return -1;
            if (v >= (uint64_t)ndbs)
                return rd_fail(r,
                               "FATAL: Data file was created with a Redis server configured to "
                               "handle more than %d databases",
                               ndbs);
            db = &dbs[v];
            continue;
        case RDB_OPCODE_RESIZEDB:
            if (rd_len(r, &v) != 0 || rd_len(r, &v2) != 0) return -1;
            ks_reserve(db, v);
            continue;
        case RDB_OPCODE_AUX: {
            size_t klen, vlen;
            unsigned char *k = rd_string(r, &klen), *val = k ? rd_string(r, &vlen) : NULL;
            if (val) load_aux(info, k, klen, val, vlen);
            mem_free(k);
            mem_free(val);
            if (!val) return -1;
            continue;
        }
        case RDB_OPCODE_MODULE_AUX:
            return rd_fail(r, "module aux not supported");
        case RDB_OPCODE_FUNCTION:
            return rd_fail(r, "functions are not supported (pre-release function format)");
        case RDB_OPCODE_FUNCTION2: {
            size_t len;
            unsigned char *code = rd_string(r, &len);
            if (!code) return -1;
            mem_free(code);
            log_warning("RDB holds a function library: skipped (tandem has no functions)");
            continue;
        }
        default:
            if (load_key(r, q, db, (int)type, expire_ms, idle_s, flags, now_ms, info) != 0)
                return -1;
            expire_ms = -1;
            idle_s = -1;
        }
    }
}

/* ------------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

static int file_sink(void *ctx, const void *buf, size_t len)
{
    return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

static int file_source(void *ctx, void *buf, size_t len)
{
    return fread(buf, 1, len, ctx) == len ? 0 : -1;
}

int rdb_save_file(const char *path, struct db *dbs, int ndbs, int flags,
                  const struct rdb_repl_info *repl, char *err, size_t errsize)
{
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    snprintf(tmp, sizeof(tmp), "%.*stemp-%d.rdb", dirlen, path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errsize, "Failed opening the temp RDB file %s for saving: %s", tmp,
                 strerror(errno));
        return -1;
    }
    struct rdb_writer *w = mem_alloc(sizeof(*w));
    rdb_writer_init(w, file_sink, f, flags);
    int rc = rdb_write_dataset(w, dbs, ndbs, repl);
    mem_free(w);
    const char *step = "write";
    if (rc == 0 && fflush(f) != 0) rc = -1;
    if (rc == 0 && fsync(fileno(f)) != 0) {
        rc = -1;
        step = "fsync";
    }
    if (fclose(f) != 0 && rc == 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        step = "rename";
    }
    if (rc != 0) {
        snprintf(err, errsize, "Failed saving the DB (%s of %s): %s", step, tmp,
                 errno ? strerror(errno) : "error");
        unlink(tmp);
    }
    return rc;
}

int rdb_load_file(const char *path, struct db *dbs, int ndbs, int flags, int64_t now_ms,
                  struct rdb_load_info *info, char *err, size_t errsize)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 1;
        snprintf(err, errsize, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    struct rdb_reader r;
    rdb_reader_init(&r, file_source, f);
    int rc = rdb_load(&r, dbs, ndbs, flags, now_ms, info);
    fclose(f);
    if (rc != 0) snprintf(err, errsize, "%s", r.error);
    return rc;
}
