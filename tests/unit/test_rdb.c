/*
 * test_rdb: unit tests of storage/: CRC-64 (against a bit-at-a-time
 * reference and Redis's test vector), LZF (round trips, corrupt input),
 * the RDB writer and reader (every type in every encoding written, loaded
 * back and compared by DEBUG DIGEST, expiries, chunks), the old encodings
 * Redis 7.0 still loads (built here byte by byte from the format), the
 * refusals (streams, modules, bad checksums) and a fuzz of thousands of
 * damaged files, which must load or fail cleanly, never crash (run under
 * ASan by tools/test).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/digest.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/quicklist.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "storage/crc64.h"
#include "storage/lzf.h"
#include "storage/rdb.h"

#define NDBS 4

static void setup(void)
{
    ks_init(NDBS);
}

static void teardown(void)
{
    ks_destroy();
}

/* ---- memory sink and source ------------------------------------------- */

struct membuf {
    unsigned char *data;
    size_t len, cap, pos;
};

static int mem_sink(void *ctx, const void *buf, size_t len)
{
    struct membuf *m = ctx;
    if (m->len + len > m->cap) {
        m->cap = (m->len + len) * 2;
        m->data = realloc(m->data, m->cap);
    }
    memcpy(m->data + m->len, buf, len);
    m->len += len;
    return 0;
}

static int mem_source(void *ctx, void *buf, size_t len)
{
    struct membuf *m = ctx;
    if (m->len - m->pos < len) return -1;
    memcpy(buf, m->data + m->pos, len);
    m->pos += len;
    return 0;
}

static void flush_all(void)
{
    for (int d = 0; d < NDBS; d++)
        for (unsigned s = 0; s < KS_SHARDS; s++) {
            ks_lock(ks_db(d), s);
            ks_flush_shard(ks_db(d), s);
            ks_unlock(ks_db(d), s);
        }
}

static void dataset_digest(char hex[41])
{
    unsigned char d[20];
    digest_dataset(d);
    digest_hex(d, hex);
}

/* Loads buf[0..len) into the (flushed) keyspace; returns rdb_load's result
 * and the reader's error in err. */
static int load_bytes(const unsigned char *buf, size_t len, int flags, char *err, size_t errsize,
                      struct rdb_load_info *info)
{
    struct membuf src = {.data = (unsigned char *)buf, .len = len};
    struct rdb_reader r;
    rdb_reader_init(&r, mem_source, &src);
    int rc = rdb_load(&r, keyspace.dbs, keyspace.ndbs, flags, 1000, info);
    if (err) snprintf(err, errsize, "%s", r.error);
    return rc;
}

static void save_dataset(struct membuf *out, int flags)
{
    struct rdb_writer *w = malloc(sizeof(*w));
    rdb_writer_init(w, mem_sink, out, flags);
    ck_assert_int_eq(rdb_write_dataset(w, keyspace.dbs, keyspace.ndbs, NULL), 0);
    free(w);
}

/* ---- building values -------------------------------------------------- */

static struct entry *begin(struct db *db, const char *key, unsigned *shard)
{
    *shard = ks_shard_of(key, strlen(key));
    ks_lock(db, *shard);
    return ks_peek(db, key, strlen(key));
}

static void add_string(struct db *db, const char *key, const char *val, size_t vlen)
{
    unsigned s;
    ck_assert_ptr_null(begin(db, key, &s));
    struct entry *e =
        ks_add_sized(db, key, strlen(key), TYPE_STRING, vlen <= STRING_INLINE_MAX ? vlen : 0);
    string_set(e, val, vlen);
    ks_unlock(db, s);
}

static void add_list(struct db *db, const char *key, int n, const char *fmt)
{
    unsigned s;
    struct entry *e = begin(db, key, &s);
    if (!e) e = list_add_key(db, key, strlen(key));
    for (int i = 0; i < n; i++) {
        char buf[128];
        int len = snprintf(buf, sizeof(buf), fmt, i);
        quicklist_push(e->v.ptr, QUICKLIST_TAIL, buf, (size_t)len);
    }
    ks_unlock(db, s);
}

static void add_hash(struct db *db, const char *key, int n, const char *vfmt)
{
    unsigned s;
    struct entry *e = begin(db, key, &s);
    if (!e) e = hash_add_key(db, key, strlen(key));
    for (int i = 0; i < n; i++) {
        char f[32], v[256];
        int flen = snprintf(f, sizeof(f), "field%d", i);
        int vlen = snprintf(v, sizeof(v), vfmt, i);
        hash_set(e, f, (size_t)flen, v, (size_t)vlen);
    }
    ks_unlock(db, s);
}

static void add_set(struct db *db, const char *key, int n, const char *fmt)
{
    unsigned s;
    char first[64];
    snprintf(first, sizeof(first), fmt, 0);
    struct entry *e = begin(db, key, &s);
    if (!e) e = set_add_key(db, key, strlen(key), first, strlen(first));
    for (int i = 0; i < n; i++) {
        char buf[64];
        int len = snprintf(buf, sizeof(buf), fmt, i);
        set_add(e, buf, (size_t)len);
    }
    ks_unlock(db, s);
}

static void add_zset(struct db *db, const char *key, int n, const char *fmt, double step)
{
    unsigned s;
    struct entry *e = begin(db, key, &s);
    if (!e) e = zset_add_key(db, key, strlen(key), 8);
    for (int i = 0; i < n; i++) {
        char buf[128];
        int len = snprintf(buf, sizeof(buf), fmt, i);
        int result;
        double ns;
        zset_add(e, (i - n / 2) * step, buf, (size_t)len, 0, &result, &ns);
    }
    ks_unlock(db, s);
}

static void set_expire(struct db *db, const char *key, int64_t when)
{
    unsigned s;
    struct entry *e = begin(db, key, &s);
    ck_assert_ptr_nonnull(e);
    ks_set_expire(db, e, when);
    ks_unlock(db, s);
}

static const char *encoding_of(struct db *db, const char *key)
{
    unsigned s;
    struct entry *e = begin(db, key, &s);
    const char *name = e ? value_encoding_name(e) : "none";
    ks_unlock(db, s);
    return name;
}

/* Every type in every encoding, small and big, in several databases. */
static void build_dataset(void)
{
    struct db *db0 = ks_db(0), *db2 = ks_db(2);
    char big[5000];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)('a' + (i % 7));
    char rnd[300];
    for (size_t i = 0; i < sizeof(rnd); i++) rnd[i] = (char)(rand() & 0xff);
    add_string(db0, "int8", "12", 2);
    add_string(db0, "int16", "-3000", 5);
    add_string(db0, "int32", "2000000000", 10);
    add_string(db0, "int64", "9000000000000000000", 19);
    add_string(db0, "notint", "0123", 4);
    add_string(db0, "empty", "", 0);
    add_string(db0, "short", "hello world", 11);
    add_string(db0, "compressible", big, sizeof(big));
    add_string(db0, "random", rnd, sizeof(rnd));
    add_string(db0, "12345", "a key that looks like an integer", 32);
    add_list(db0, "list:small", 5, "item%d");
    add_list(db0, "list:ints", 50, "%d");
    add_list(db0, "list:big", 3000, "element-number-%d-with-some-padding");
    add_hash(db0, "hash:small", 10, "value%d");
    add_hash(db0, "hash:bigvalue", 3, "%0100d");
    add_hash(db0, "hash:many", 1000, "v%d");
    add_set(db0, "set:intset", 100, "%d");
    add_set(db0, "set:negints", 10, "-%d00000000000");
    add_set(db0, "set:strings", 20, "member%d");
    add_set(db0, "set:manyints", 1000, "%d");
    add_zset(db0, "zset:small", 20, "m%d", 1.5);
    add_zset(db0, "zset:ints", 20, "%d", 1);
    add_zset(db0, "zset:big", 500, "member-%d", 0.25);
    add_zset(db0, "zset:long", 3, "%070d", 3);
    add_string(db2, "volatile", "v", 1);
    set_expire(db2, "volatile", 4102444800000LL);
    add_list(db2, "list:volatile", 3, "x%d");
    set_expire(db2, "list:volatile", 4102444800123LL);
    add_string(ks_db(3), "db3", "three", 5);
}

/* ---- CRC-64 ------------------------------------------------------------ */

static uint64_t crc64_reference(uint64_t crc, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ull : crc >> 1;
    }
    return crc;
}

START_TEST(test_crc64_vectors)
{
    ck_assert_uint_eq(crc64_update(0, "123456789", 9), 0xe9c6d914c4b8d9caull);
    ck_assert_uint_eq(crc64_update(0, "", 0), 0);
    unsigned char buf[1000];
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)(rand() & 0xff);
    for (size_t len = 0; len < sizeof(buf); len += 37) {
        ck_assert_uint_eq(crc64_update(0, buf, len), crc64_reference(0, buf, len));
        /* Incremental equals one shot, at any split. */
        uint64_t part = crc64_update(crc64_update(0, buf, len / 3), buf + len / 3, len - len / 3);
        ck_assert_uint_eq(part, crc64_reference(0, buf, len));
    }
}
END_TEST

/* ---- LZF --------------------------------------------------------------- */

static void lzf_round_trip(const unsigned char *in, size_t len)
{
    unsigned char *out = malloc(len * 2 + 64), *back = malloc(len + 1);
    size_t clen = lzf_compress(in, len, out, len * 2 + 64);
    ck_assert(len == 0 || clen > 0);
    ck_assert_int_eq(lzf_decompress(out, clen, back, len), 0);
    ck_assert(memcmp(in, back, len) == 0);
    /* The wrong expected size is an error, never an overflow. */
    if (len > 0) ck_assert_int_eq(lzf_decompress(out, clen, back, len - 1), -1);
    free(out);
    free(back);
}

START_TEST(test_lzf_round_trips)
{
    size_t sizes[] = {1, 2, 3, 4, 21, 100, 1000, 8191, 8192, 8200, 70000};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k];
        unsigned char *buf = malloc(n);
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(rand() & 0xff);
        lzf_round_trip(buf, n);
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)('a' + i % 3);
        lzf_round_trip(buf, n);
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(rand() % 4);
        lzf_round_trip(buf, n);
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)("periodic"[i % 7]);
        lzf_round_trip(buf, n);
        memset(buf, 'x', n);
        lzf_round_trip(buf, n);
        free(buf);
    }
    /* Repetitive input shrinks a lot; random input does not fit in len - 4. */
    unsigned char rep[1000], out[1000];
    memset(rep, 'z', sizeof(rep));
    ck_assert_uint_lt(lzf_compress(rep, sizeof(rep), out, sizeof(out)), 40);
    for (size_t i = 0; i < sizeof(rep); i++) rep[i] = (unsigned char)(rand() & 0xff);
    ck_assert_uint_eq(lzf_compress(rep, sizeof(rep), out, sizeof(rep) - 4), 0);
}
END_TEST

START_TEST(test_lzf_corrupt_input)
{
    /* A reference before the start of the output. */
    const unsigned char bad_ref[] = {0x00, 'a', 0x20, 0x05};
    unsigned char out[64];
    ck_assert_int_eq(lzf_decompress(bad_ref, sizeof(bad_ref), out, 4), -1);
    /* A literal run longer than the input. */
    const unsigned char short_lit[] = {0x05, 'a'};
    ck_assert_int_eq(lzf_decompress(short_lit, sizeof(short_lit), out, 6), -1);
    /* Random garbage of every size into exact-size heap buffers. */
    for (int round = 0; round < 20000; round++) {
        size_t in_len = (size_t)(rand() % 40), out_len = (size_t)(rand() % 200);
        unsigned char *in = malloc(in_len + 1), *o = malloc(out_len + 1);
        for (size_t i = 0; i < in_len; i++) in[i] = (unsigned char)(rand() & 0xff);
        lzf_decompress(in, in_len, o, out_len);
        free(in);
        free(o);
    }
}
END_TEST

/* ---- round trips ------------------------------------------------------- */

static void check_round_trip(int flags)
{
    build_dataset();
    char before[41], after[41], err[256];
    dataset_digest(before);
    const char *keys[] = {"list:big",   "hash:small",  "hash:many",    "hash:bigvalue",
                          "set:intset", "set:strings", "set:manyints", "zset:small",
                          "zset:big",   "zset:long"};
    const char *enc_before[sizeof(keys) / sizeof(keys[0])];
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        enc_before[i] = encoding_of(ks_db(0), keys[i]);

    struct membuf buf = {0};
    save_dataset(&buf, flags);
    ck_assert(memcmp(buf.data, "REDIS0010", 9) == 0);
    flush_all();
    struct rdb_load_info info;
    ck_assert_msg(load_bytes(buf.data, buf.len, 0, err, sizeof(err), &info) == 0, "%s", err);
    dataset_digest(after);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(info.keys_loaded, ks_db_size(ks_db(0)) + 3);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        ck_assert_str_eq(encoding_of(ks_db(0), keys[i]), enc_before[i]);
    unsigned s;
    struct entry *e = begin(ks_db(2), "list:volatile", &s);
    ck_assert_int_eq(ks_get_expire(ks_db(2), e), 4102444800123LL);
    ks_unlock(ks_db(2), s);

    /* Written again, the file is the same apart from the header's ctime and
     * used-mem: compare the body by loading once more. */
    struct membuf again = {0};
    save_dataset(&again, flags);
    flush_all();
    ck_assert_msg(load_bytes(again.data, again.len, 0, err, sizeof(err), NULL) == 0, "%s", err);
    dataset_digest(after);
    ck_assert_str_eq(before, after);
    free(buf.data);
    free(again.data);
}

START_TEST(test_round_trip_compressed)
{
    check_round_trip(RDB_WRITE_COMPRESS | RDB_WRITE_CHECKSUM);
}
END_TEST

START_TEST(test_round_trip_plain_no_checksum)
{
    check_round_trip(0);
}
END_TEST

START_TEST(test_compression_makes_it_smaller)
{
    build_dataset();
    struct membuf plain = {0}, packed = {0};
    save_dataset(&plain, 0);
    save_dataset(&packed, RDB_WRITE_COMPRESS);
    ck_assert_uint_lt(packed.len + 3000, plain.len);
    free(plain.data);
    free(packed.data);
}
END_TEST

START_TEST(test_plain_list_node)
{
    unsigned s;
    struct db *db = ks_db(0);
    struct entry *e = begin(db, "plain", &s);
    e = list_add_key(db, "plain", 5);
    quicklist_set_plain_threshold(e->v.ptr, 1);
    quicklist_push(e->v.ptr, QUICKLIST_TAIL, "a big element", 13);
    quicklist_push(e->v.ptr, QUICKLIST_TAIL, "another", 7);
    ck_assert(((struct quicklist *)e->v.ptr)->head->plain);
    ks_unlock(db, s);
    char before[41], after[41], err[256];
    dataset_digest(before);
    struct membuf buf = {0};
    save_dataset(&buf, RDB_WRITE_CHECKSUM);
    flush_all();
    ck_assert_msg(load_bytes(buf.data, buf.len, 0, err, sizeof(err), NULL) == 0, "%s", err);
    dataset_digest(after);
    ck_assert_str_eq(before, after);
    free(buf.data);
}
END_TEST

static void write_one(void *ctx, struct entry *e)
{
    rdb_write_entry(ctx, e, ks_get_expire(ks_db(0), e));
}

/* Chunks serialized apart, appended in any order: the checksum covers the
 * final byte order. */
START_TEST(test_chunks_in_any_order)
{
    build_dataset();
    char before[41], after[41], err[256];
    dataset_digest(before);
    struct db *db0 = ks_db(0);
    struct rdb_chunk *chunks = malloc(sizeof(*chunks) * KS_SHARDS);
    /* Every key of db 0 into the chunk of its shard, each chunk led by its
     * own SELECTDB. */
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        rdb_chunk_init(&chunks[s], RDB_WRITE_COMPRESS);
        rdb_write_select_db(&chunks[s].w, 0);
        ks_lock(db0, s);
        ks_foreach_shard(db0, s, write_one, &chunks[s].w);
        ks_unlock(db0, s);
    }
    struct membuf out = {0};
    struct rdb_writer *w = malloc(sizeof(*w));
    rdb_writer_init(w, mem_sink, &out, RDB_WRITE_CHECKSUM | RDB_WRITE_COMPRESS);
    rdb_write_header(w,
                     &(struct rdb_repl_info){.stream_db = 0,
                                             .repl_id = "0123456789012345678901234567890123456789",
                                             .repl_offset = 1234});
    for (unsigned s = KS_SHARDS; s-- > 0;) ck_assert_int_eq(rdb_write_chunk(w, &chunks[s]), 0);
    for (int d = 1; d < NDBS; d++)
        if (ks_db_size(ks_db(d))) rdb_write_db(w, ks_db(d));
    ck_assert_int_eq(rdb_write_footer(w), 0);
    for (unsigned s = 0; s < KS_SHARDS; s++) rdb_chunk_free(&chunks[s]);
    free(chunks);
    free(w);
    flush_all();
    struct rdb_load_info info;
    ck_assert_msg(load_bytes(out.data, out.len, 0, err, sizeof(err), &info) == 0, "%s", err);
    dataset_digest(after);
    ck_assert_str_eq(before, after);
    ck_assert_str_eq(info.repl_id, "0123456789012345678901234567890123456789");
    ck_assert_int_eq(info.repl_offset, 1234);
    ck_assert_int_eq(info.repl_stream_db, 0);
    free(out.data);
}
END_TEST

START_TEST(test_expired_keys_on_load)
{
    add_string(ks_db(0), "past", "x", 1);
    set_expire(ks_db(0), "past", 500); /* load_bytes loads at now = 1000 */
    add_string(ks_db(0), "future", "y", 1);
    set_expire(ks_db(0), "future", 5000);
    struct membuf buf = {0};
    save_dataset(&buf, RDB_WRITE_CHECKSUM);
    flush_all();
    struct rdb_load_info info;
    ck_assert_int_eq(load_bytes(buf.data, buf.len, 0, NULL, 0, &info), 0);
    ck_assert_uint_eq(info.keys_loaded, 1);
    ck_assert_uint_eq(info.keys_expired_skipped, 1);
    flush_all();
    ck_assert_int_eq(load_bytes(buf.data, buf.len, RDB_LOAD_KEEP_EXPIRED, NULL, 0, &info), 0);
    ck_assert_uint_eq(info.keys_loaded, 2);
    /* Loading again on top: a duplicate key is an error, unless replacing. */
    char err[256];
    ck_assert_int_eq(load_bytes(buf.data, buf.len, RDB_LOAD_KEEP_EXPIRED, err, sizeof(err), NULL),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "Duplicated key"));
    ck_assert_int_eq(load_bytes(buf.data, buf.len,
                                RDB_LOAD_KEEP_EXPIRED | RDB_LOAD_REPLACE_EXISTING, NULL, 0, NULL),
                     0);
    free(buf.data);
}
END_TEST

/* A load big enough for the installer thread's ring to fill and drain
 * many times over (RDB_LOAD_PARALLEL): the same data as a load on one
 * thread; a duplicate stops it with the same error; a file cut short
 * keeps the keys read whole before the cut, and leaks nothing. */
START_TEST(test_parallel_load)
{
    enum { NKEYS = 30000 };
    build_dataset();
    char key[32], val[160];
    for (int i = 0; i < NKEYS; i++) {
        snprintf(key, sizeof(key), "k:%d", i);
        int n = snprintf(val, sizeof(val), "%0*d", 1 + i % 150, i);
        add_string(ks_db(i % 3), key, val, (size_t)n);
    }
    for (int i = 0; i < NKEYS; i += 7) {
        snprintf(key, sizeof(key), "k:%d", i);
        set_expire(ks_db(i % 3), key, 4102444800000LL + i);
    }
    char before[41], after[41], err[256];
    dataset_digest(before);
    uint64_t total = 0;
    for (int d = 0; d < NDBS; d++) total += ks_db_size(ks_db(d));
    struct membuf buf = {0};
    save_dataset(&buf, RDB_WRITE_COMPRESS | RDB_WRITE_CHECKSUM);

    flush_all();
    struct rdb_load_info info;
    ck_assert_msg(load_bytes(buf.data, buf.len, RDB_LOAD_PARALLEL, err, sizeof(err), &info) == 0,
                  "%s", err);
    dataset_digest(after);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(info.keys_loaded, total);
    unsigned s;
    struct entry *e = begin(ks_db(7 % 3), "k:7", &s);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(ks_get_expire(ks_db(7 % 3), e), 4102444800007LL);
    ks_unlock(ks_db(7 % 3), s);

    /* On top of itself: the first key is a duplicate. */
    ck_assert_int_eq(load_bytes(buf.data, buf.len, RDB_LOAD_PARALLEL, err, sizeof(err), &info), -1);
    ck_assert_ptr_nonnull(strstr(err, "Duplicated key"));
    ck_assert_uint_eq(info.keys_loaded, 0);
    dataset_digest(after);
    ck_assert_str_eq(before, after);

    /* Cut in the middle: some keys, not all, and the reader's error. */
    flush_all();
    ck_assert_int_eq(load_bytes(buf.data, buf.len / 2, RDB_LOAD_PARALLEL, err, sizeof(err), &info),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "Unexpected end"));
    ck_assert_uint_gt(info.keys_loaded, NKEYS / 4);
    ck_assert_uint_lt(info.keys_loaded, total);
    uint64_t present = 0;
    for (int d = 0; d < NDBS; d++) present += ks_db_size(ks_db(d));
    ck_assert_uint_eq(present, info.keys_loaded);
    free(buf.data);
}
END_TEST

/* ---- hand-made files: old encodings and refusals --------------------- */

struct bytes {
    unsigned char b[8192];
    size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put8(struct bytes *o, unsigned v)
{
    o->b[o->n++] = (unsigned char)v;
}
static void put_le(struct bytes *o, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) put8(o, (unsigned)(v >> (8 * i)) & 0xff);
}
/* A length below 16384, or a string of such a length. */
static void put_len(struct bytes *o, size_t len)
{
    if (len < 64) {
        put8(o, (unsigned)len);
    } else {
        put8(o, 0x40 | (unsigned)(len >> 8));
        put8(o, len & 0xff);
    }
}
static void put_str(struct bytes *o, const char *s)
{
    put_len(o, strlen(s));
    put(o, s, strlen(s));
}
static void put_blob(struct bytes *o, const struct bytes *blob)
{
    put_len(o, blob->n);
    put(o, blob->b, blob->n);
}

/* A ziplist of the given elements: strings (< 64 bytes) or, when they are
 * small integers, int8 / immediate encodings. */
static void build_ziplist(struct bytes *zl, const char *const *elems, int n)
{
    zl->n = 10;
    size_t prev = 0, last = 10;
    for (int i = 0; i < n; i++) {
        size_t start = zl->n;
        last = start;
        put8(zl, (unsigned)prev);
        char *end;
        long v = strtol(elems[i], &end, 10);
        if (*elems[i] && !*end && v >= 0 && v <= 12) {
            put8(zl, 0xF1 + (unsigned)v);
        } else if (*elems[i] && !*end && v >= -128 && v <= 127) {
            put8(zl, 0xFE);
            put8(zl, (unsigned)(v & 0xff));
        } else {
            put8(zl, (unsigned)strlen(elems[i]));
            put(zl, elems[i], strlen(elems[i]));
        }
        prev = zl->n - start;
    }
    put8(zl, 0xFF);
    size_t total = zl->n;
    for (int i = 0; i < 4; i++) zl->b[i] = (unsigned char)(total >> (8 * i));
    for (int i = 0; i < 4; i++) zl->b[4 + i] = (unsigned char)(last >> (8 * i));
    zl->b[8] = (unsigned char)n;
    zl->b[9] = 0;
}

static void file_begin(struct bytes *o, int version)
{
    char magic[10];
    snprintf(magic, sizeof(magic), "REDIS%04d", version);
    o->n = 0;
    put(o, magic, 9);
}

static void file_end(struct bytes *o)
{
    put8(o, RDB_OPCODE_EOF);
    put_le(o, crc64_update(0, o->b, o->n), 8);
}

/* Redis's own digest of what the old file should hold, built the new way. */
START_TEST(test_old_encodings)
{
    const char *list[] = {"a", "b", "7", "-100", "hello"};
    const char *pairs[] = {"f1", "v1", "f2", "2", "f3", "-5"};
    const char *zpairs[] = {"x", "1", "y", "2.5", "z", "3"};
    struct bytes f, zl;
    file_begin(&f, 9);
    put8(&f, RDB_OPCODE_SELECTDB);
    put_len(&f, 1);
    /* RDB_TYPE_LIST: a linked list of strings. */
    put8(&f, RDB_TYPE_LIST);
    put_str(&f, "linked");
    put_len(&f, 5);
    for (int i = 0; i < 5; i++) put_str(&f, list[i]);
    /* RDB_TYPE_LIST_ZIPLIST. */
    build_ziplist(&zl, list, 5);
    put8(&f, RDB_TYPE_LIST_ZIPLIST);
    put_str(&f, "zl");
    put_blob(&f, &zl);
    /* RDB_TYPE_LIST_QUICKLIST: two ziplist nodes and an empty one. */
    put8(&f, RDB_TYPE_LIST_QUICKLIST);
    put_str(&f, "ql");
    put_len(&f, 3);
    build_ziplist(&zl, list, 2);
    put_blob(&f, &zl);
    build_ziplist(&zl, list, 0);
    put_blob(&f, &zl);
    build_ziplist(&zl, list + 2, 3);
    put_blob(&f, &zl);
    /* RDB_TYPE_HASH_ZIPLIST and RDB_TYPE_ZSET_ZIPLIST. */
    build_ziplist(&zl, pairs, 6);
    put8(&f, RDB_TYPE_HASH_ZIPLIST);
    put_str(&f, "hz");
    put_blob(&f, &zl);
    build_ziplist(&zl, zpairs, 6);
    put8(&f, RDB_TYPE_ZSET_ZIPLIST);
    put_str(&f, "zz");
    put_blob(&f, &zl);
    /* RDB_TYPE_HASH_ZIPMAP: f1=v1, f2=2, f3=-5 (one free byte after v1). */
    struct bytes zm = {.n = 0};
    put8(&zm, 3);
    for (int i = 0; i < 6; i += 2) {
        put8(&zm, (unsigned)strlen(pairs[i]));
        put(&zm, pairs[i], strlen(pairs[i]));
        put8(&zm, (unsigned)strlen(pairs[i + 1]));
        put8(&zm, i == 0 ? 1 : 0);
        put(&zm, pairs[i + 1], strlen(pairs[i + 1]));
        if (i == 0) put8(&zm, '?');
    }
    put8(&zm, 0xFF);
    put8(&f, RDB_TYPE_HASH_ZIPMAP);
    put_str(&f, "hm");
    put_blob(&f, &zm);
    /* RDB_TYPE_ZSET with text scores, one expiring in seconds. */
    put8(&f, RDB_OPCODE_EXPIRETIME);
    put_le(&f, 2000000000u, 4); /* a signed 32-bit count of seconds */
    put8(&f, RDB_TYPE_ZSET);
    put_str(&f, "zs");
    put_len(&f, 3);
    for (int i = 0; i < 6; i += 2) {
        put_str(&f, zpairs[i]);
        put_str(&f, zpairs[i + 1]);
    }
    /* An int-encoded string and an LZF one. */
    put8(&f, RDB_TYPE_STRING);
    put_str(&f, "i");
    put8(&f, 0xC1);
    put_le(&f, (uint64_t)-1234, 2);
    char text[100];
    memset(text, 'q', sizeof(text));
    unsigned char packed[100];
    size_t plen = lzf_compress(text, sizeof(text), packed, sizeof(packed));
    put8(&f, RDB_TYPE_STRING);
    put_str(&f, "lzf");
    put8(&f, 0xC3);
    put_len(&f, plen);
    put_len(&f, sizeof(text));
    put(&f, packed, plen);
    put8(&f, RDB_OPCODE_FREQ);
    put8(&f, 5);
    put8(&f, RDB_OPCODE_IDLE);
    put_len(&f, 10);
    put8(&f, RDB_TYPE_STRING);
    put_str(&f, "idle");
    put_str(&f, "v");
    file_end(&f);

    char err[256], old[41], now[41];
    ck_assert_msg(load_bytes(f.b, f.n, 0, err, sizeof(err), NULL) == 0, "%s", err);
    dataset_digest(old);
    const char *names[] = {"linked", "zl", "ql", "hz", "hm", "zz", "zs", "i", "lzf", "idle"};
    char old_values[10][41];
    for (int k = 0; k < 10; k++) {
        unsigned char d[20];
        digest_value(ks_db(1), names[k], strlen(names[k]), d);
        digest_hex(d, old_values[k]);
    }
    flush_all();

    struct db *db = ks_db(1);
    add_list(db, "linked", 0, "");
    for (int i = 0; i < 5; i++) add_list(db, "linked", 1, list[i]);
    for (int i = 0; i < 5; i++) add_list(db, "zl", 1, list[i]);
    for (int i = 0; i < 5; i++) add_list(db, "ql", 1, list[i]);
    unsigned s;
    const char *hkeys[] = {"hz", "hm"};
    for (int k = 0; k < 2; k++) {
        struct entry *e = begin(db, hkeys[k], &s);
        e = hash_add_key(db, hkeys[k], 2);
        for (int i = 0; i < 6; i += 2)
            hash_set(e, pairs[i], strlen(pairs[i]), pairs[i + 1], strlen(pairs[i + 1]));
        ks_unlock(db, s);
    }
    const char *zkeys[] = {"zz", "zs"};
    for (int k = 0; k < 2; k++) {
        struct entry *e = begin(db, zkeys[k], &s);
        e = zset_add_key(db, zkeys[k], 2, 1);
        for (int i = 0; i < 6; i += 2) {
            int result;
            double ns;
            zset_add(e, strtod(zpairs[i + 1], NULL), zpairs[i], 1, 0, &result, &ns);
        }
        ks_unlock(db, s);
    }
    set_expire(db, "zs", 2000000000000LL);
    add_string(db, "i", "-1234", 5);
    add_string(db, "lzf", text, sizeof(text));
    add_string(db, "idle", "v", 1);
    dataset_digest(now);
    for (int k = 0; k < 10; k++) {
        unsigned char d[20];
        char hex[41];
        digest_value(ks_db(1), names[k], strlen(names[k]), d);
        digest_hex(d, hex);
        ck_assert_msg(!strcmp(hex, old_values[k]), "key %s differs", names[k]);
    }
    ck_assert_str_eq(old, now);
}
END_TEST

static void expect_load_error(const struct bytes *f, const char *what)
{
    char err[256];
    flush_all();
    ck_assert_int_eq(load_bytes(f->b, f->n, 0, err, sizeof(err), NULL), -1);
    ck_assert_msg(strstr(err, what) != NULL, "error '%s' lacks '%s'", err, what);
    ck_assert_ptr_nonnull(strstr(err, "at offset"));
}

START_TEST(test_refusals)
{
    struct bytes f;
    file_begin(&f, 10);
    put8(&f, RDB_TYPE_STREAM_LISTPACKS_2);
    put_str(&f, "stream");
    expect_load_error(&f, "stream keys are not supported");

    file_begin(&f, 10);
    put8(&f, RDB_OPCODE_MODULE_AUX);
    expect_load_error(&f, "module aux not supported");

    file_begin(&f, 10);
    put8(&f, RDB_TYPE_MODULE_2);
    put_str(&f, "module");
    expect_load_error(&f, "module keys are not supported");

    file_begin(&f, 11);
    expect_load_error(&f, "Can't handle RDB format version 11");

    f.n = 0;
    put(&f, "REDIX0010", 9);
    expect_load_error(&f, "Wrong signature");

    /* A wrong checksum is refused, a zero one is not checked. */
    file_begin(&f, 10);
    put8(&f, RDB_TYPE_STRING);
    put_str(&f, "k");
    put_str(&f, "v");
    file_end(&f);
    f.b[f.n - 1] ^= 1;
    expect_load_error(&f, "Wrong RDB checksum");
    memset(f.b + f.n - 8, 0, 8);
    flush_all();
    ck_assert_int_eq(load_bytes(f.b, f.n, 0, NULL, 0, NULL), 0);

    /* Truncated: the error says so. */
    f.n -= 9;
    expect_load_error(&f, "Unexpected end");

    /* A database the server does not have. */
    file_begin(&f, 10);
    put8(&f, RDB_OPCODE_SELECTDB);
    put_len(&f, NDBS);
    expect_load_error(&f, "more than 4 databases");

    /* Duplicate members, empty keys skipped. */
    file_begin(&f, 10);
    put8(&f, RDB_TYPE_SET);
    put_str(&f, "dup");
    put_len(&f, 2);
    put_str(&f, "a");
    put_str(&f, "a");
    expect_load_error(&f, "Duplicate set members");

    file_begin(&f, 10);
    put8(&f, RDB_TYPE_HASH);
    put_str(&f, "empty");
    put_len(&f, 0);
    put8(&f, RDB_OPCODE_FUNCTION2);
    put_str(&f, "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    file_end(&f);
    flush_all();
    struct rdb_load_info info;
    ck_assert_int_eq(load_bytes(f.b, f.n, 0, NULL, 0, &info), 0);
    ck_assert_uint_eq(info.keys_empty_skipped, 1);
    ck_assert_uint_eq(info.keys_loaded, 0);
}
END_TEST

/* ---- fuzz -------------------------------------------------------------- */

static void fuzz_file(const unsigned char *good, size_t len, int rounds)
{
    unsigned char *copy = malloc(len);
    for (int round = 0; round < rounds; round++) {
        memcpy(copy, good, len);
        size_t n = len;
        int mode = rand() % 4;
        if (mode == 0) {
            n = (size_t)rand() % len; /* truncated */
        } else {
            int flips = 1 + rand() % 4;
            for (int i = 0; i < flips; i++) {
                size_t at = 9 + (size_t)rand() % (len - 9);
                copy[at] = mode == 1 ? (unsigned char)rand() : copy[at] ^ (1u << (rand() % 8));
            }
        }
        /* An exact-size heap copy: ASan sees any read past the end. */
        unsigned char *exact = malloc(n ? n : 1);
        memcpy(exact, copy, n);
        flush_all();
        load_bytes(exact, n,
                   (rand() % 2 ? RDB_LOAD_KEEP_EXPIRED : 0) | (rand() % 2 ? RDB_LOAD_PARALLEL : 0),
                   NULL, 0, NULL);
        free(exact);
    }
    flush_all();
    free(copy);
}

START_TEST(test_fuzz_damaged_files)
{
    build_dataset();
    struct membuf compressed = {0}, plain = {0};
    save_dataset(&compressed, RDB_WRITE_COMPRESS | RDB_WRITE_CHECKSUM);
    save_dataset(&plain, 0); /* no checksum: damage is only found by the decoder */
    fuzz_file(compressed.data, compressed.len, 1500);
    fuzz_file(plain.data, plain.len, 1500);
    free(compressed.data);
    free(plain.data);
}
END_TEST

START_TEST(test_fuzz_small_values)
{
    /* Small files where every byte is structure: many more hits per flip. */
    const char *list[] = {"a", "b", "7", "-100", "hello"};
    struct bytes zl;
    build_ziplist(&zl, list, 5);
    add_list(ks_db(0), "l", 3, "%d");
    add_hash(ks_db(0), "h", 3, "v%d");
    add_zset(ks_db(0), "z", 3, "m%d", 1);
    add_set(ks_db(0), "s", 3, "%d");
    add_set(ks_db(0), "t", 3, "x%d");
    struct membuf buf = {0};
    save_dataset(&buf, 0);
    struct bytes f;
    file_begin(&f, 10);
    put(&f, buf.data + 9, buf.len - 9 - 9); /* body without EOF and checksum */
    put8(&f, RDB_TYPE_LIST_ZIPLIST);
    put_str(&f, "zl");
    put_blob(&f, &zl);
    put8(&f, RDB_TYPE_HASH_ZIPLIST);
    put_str(&f, "hz");
    put_blob(&f, &zl);
    put8(&f, RDB_OPCODE_EOF);
    put_le(&f, 0, 8);
    flush_all();
    char err[256];
    ck_assert_msg(load_bytes(f.b, f.n, 0, err, sizeof(err), NULL) == -1, "odd ziplist as hash");
    fuzz_file(f.b, f.n, 4000);
    free(buf.data);
}
END_TEST

static Suite *rdb_suite(void)
{
    Suite *suite = suite_create("rdb");
    TCase *codec = tcase_create("codec");
    TCase *rdb = tcase_create("rdb");
    TCase *fuzz = tcase_create("fuzz");
    tcase_add_test(codec, test_crc64_vectors);
    tcase_add_test(codec, test_lzf_round_trips);
    tcase_add_test(codec, test_lzf_corrupt_input);
    TCase *with_keyspace[] = {rdb, fuzz};
    for (int i = 0; i < 2; i++) {
        tcase_set_timeout(with_keyspace[i], 240);
        tcase_add_checked_fixture(with_keyspace[i], setup, teardown);
    }
    tcase_set_timeout(codec, 120);
    tcase_add_test(rdb, test_round_trip_compressed);
    tcase_add_test(rdb, test_round_trip_plain_no_checksum);
    tcase_add_test(rdb, test_compression_makes_it_smaller);
    tcase_add_test(rdb, test_plain_list_node);
    tcase_add_test(rdb, test_chunks_in_any_order);
    tcase_add_test(rdb, test_expired_keys_on_load);
    tcase_add_test(rdb, test_parallel_load);
    tcase_add_test(rdb, test_old_encodings);
    tcase_add_test(rdb, test_refusals);
    tcase_add_test(fuzz, test_fuzz_damaged_files);
    tcase_add_test(fuzz, test_fuzz_small_values);
    suite_add_tcase(suite, codec);
    suite_add_tcase(suite, rdb);
    suite_add_tcase(suite, fuzz);
    return suite;
}

int main(void)
{
    srand(12345);
    SRunner *runner = srunner_create(rdb_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
