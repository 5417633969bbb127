/*
 * rdb: Redis 7.0's snapshot format (RDB version 10), written and read as a
 * stream, so the same code serves a dump.rdb file, a replica socket and a
 * memory buffer.
 *
 * Writing: a struct rdb_writer sends bytes to a sink callback through a
 * 16 KiB buffer and keeps the running CRC-64 of everything it passed on.
 * The stream is built piece by piece: rdb_write_header, then for each
 * database any number of rdb_write_select_db / rdb_write_resize_db /
 * rdb_write_entry in any order (Redis lets keys of a database come in any
 * order and a SELECTDB precede each run of them), then rdb_write_footer
 * (EOF opcode and the checksum). A struct rdb_chunk serializes entries into
 * memory instead; rdb_write_chunk later appends those bytes to a stream,
 * and the checksum is computed then, in the stream's final byte order. This
 * is what fork-less snapshots need: a shard is serialized under its lock by
 * whichever thread gets there first, and the chunks are appended to the
 * output in the order they are made.
 *
 * Values are written the way Redis 7.0 writes them: strings integer-encoded
 * when they look like a 32-bit integer, LZF-compressed above 20 bytes when
 * that saves room (RDB_WRITE_COMPRESS, the `rdbcompression` directive);
 * lists as RDB_TYPE_LIST_QUICKLIST_2 (each node's listpack as it is);
 * hashes as HASH_LISTPACK or HASH; sets as SET_INTSET or SET; sorted sets
 * as ZSET_LISTPACK or ZSET_2 (binary scores).
 *
 * Reading: a struct rdb_reader pulls exactly n bytes at a time from a
 * source callback (a file, or a socket with a known length or the EOF-mark
 * framing, which the caller strips). rdb_load accepts everything Redis 7.0
 * loads for the types tandem has, old encodings included (linked lists,
 * ziplists, zipmaps, quicklists of ziplists, string scores), validates
 * every blob deeply (as sanitize-dump-payload yes) and the checksum (a zero
 * checksum is not checked, as in Redis), and never reads past a length it
 * was given nor trusts one to allocate: on corrupt or truncated input it
 * stops with a message naming the problem and the byte offset. Streams,
 * modules and functions are refused with a clear error (FUNCTION2 is
 * skipped with a warning: tandem has no functions).
 *
 * Threads: a writer or reader belongs to the thread using it. Writing an
 * entry requires its shard lock, as any read of it; rdb_write_db takes
 * each shard's lock in turn (ks_lock, which does nothing while the caller
 * holds everything, see ks_hold_everything). rdb_load adds each key under
 * its shard lock, one key at a time, so it may run while workers serve;
 * values are decoded before the lock is taken. Neither does I/O under a
 * lock it took itself (rdb_write_db serializes a shard into a chunk, then
 * writes it).
 */
#ifndef TANDEM_STORAGE_RDB_H
#define TANDEM_STORAGE_RDB_H

#include <stddef.h>
#include <stdint.h>

#include "engine/keyspace.h"

#define RDB_VERSION 10

/* Value types (the byte before a key). */
enum rdb_type {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
};

/* Opcodes (in place of a value type). */
enum rdb_opcode {
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

/* ---- writing ---- */

/* The sink: takes all len bytes, returns 0, or -1 on failure (the writer
 * then fails every later call). */
typedef int (*rdb_write_fn)(void *ctx, const void *buf, size_t len);

enum rdb_write_flag {
    RDB_WRITE_COMPRESS = 1 << 0, /* rdbcompression yes: LZF for strings > 20 bytes */
    RDB_WRITE_CHECKSUM = 1 << 1, /* rdbchecksum yes: else the footer's checksum is 0 */
};

#define RDB_WRITE_BUFFER 16384

struct rdb_writer {
    rdb_write_fn write;
    void *ctx;
    int flags;
    int failed;
    uint64_t crc;   /* of every byte passed to the sink so far */
    uint64_t bytes; /* bytes passed to the sink so far */
    size_t buffered;
    unsigned char buf[RDB_WRITE_BUFFER];
};

/* Replication fields of the header (repl-stream-db, repl-id, repl-offset),
 * written only when given. */
struct rdb_repl_info {
    int stream_db;
    const char *repl_id; /* 40 characters */
    long long repl_offset;
};

void rdb_writer_init(struct rdb_writer *w, rdb_write_fn write, void *ctx, int flags);
/* Passes the buffered bytes to the sink. 0 or -1. */
int rdb_writer_flush(struct rdb_writer *w);
/* Bytes as they are (already RDB-encoded), through the checksum. */
int rdb_write_raw(struct rdb_writer *w, const void *buf, size_t len);

/* "REDIS0010" and the aux fields redis-ver, redis-bits, ctime, used-mem,
 * the replication fields when repl is not NULL, and aof-base 0. */
int rdb_write_header(struct rdb_writer *w, const struct rdb_repl_info *repl);
int rdb_write_aux(struct rdb_writer *w, const char *key, const char *value);
int rdb_write_select_db(struct rdb_writer *w, int db);
int rdb_write_resize_db(struct rdb_writer *w, uint64_t nkeys, uint64_t nexpires);
/* One key: its expire (unix ms, -1 for none), type, key and value. The
 * caller holds e's shard lock. */
int rdb_write_entry(struct rdb_writer *w, const struct entry *e, int64_t expire_ms);
/* EOF opcode and the CRC-64 of everything before it (little endian; 0 when
 * RDB_WRITE_CHECKSUM is off), then flushes. */
int rdb_write_footer(struct rdb_writer *w);

/* SELECTDB, RESIZEDB and every key of db, a shard at a time: each shard is
 * serialized into memory under its lock (ks_lock) and written after. */
int rdb_write_db(struct rdb_writer *w, struct db *db);
/* A whole snapshot: header, every non-empty database, footer. */
int rdb_write_dataset(struct rdb_writer *w, struct db *dbs, int ndbs,
                      const struct rdb_repl_info *repl);

/* A piece of RDB body serialized into memory: write into &chunk->w with
 * the functions above (no header or footer), then append it to a stream
 * with rdb_write_chunk. */
struct rdb_chunk {
    unsigned char *data;
    size_t len, cap;
    struct rdb_writer w;
};
void rdb_chunk_init(struct rdb_chunk *c, int flags);
/* Appends the chunk's bytes to w's stream (through w's checksum) and
 * empties the chunk for reuse. 0 or -1. */
int rdb_write_chunk(struct rdb_writer *w, struct rdb_chunk *c);
void rdb_chunk_free(struct rdb_chunk *c);

/* ---- reading ---- */

/* The source: fills buf with exactly len bytes and returns 0, or returns
 * -1 (end of data or error). */
typedef int (*rdb_read_fn)(void *ctx, void *buf, size_t len);

#define RDB_CRC_STAGE 512

struct rdb_reader {
    rdb_read_fn read;
    void *ctx;
    uint64_t crc;    /* of every byte read so far, but the staged ones */
    uint64_t offset; /* bytes read so far */
    /* Small reads (a type, a length, a short key) are gathered here and
     * go through the CRC together: per call, its cost was mostly its
     * overhead. */
    unsigned char crc_stage[RDB_CRC_STAGE];
    size_t crc_staged;
    char error[256];        /* what went wrong, with the offset */
    unsigned char *scratch; /* compressed strings' bytes, reused; freed by rdb_load */
    size_t scratch_cap;
};

void rdb_reader_init(struct rdb_reader *r, rdb_read_fn read, void *ctx);

enum rdb_load_flag {
    /* A replica keeps keys whose time has passed (its primary expires
     * them); a primary skips them, as Redis. */
    RDB_LOAD_KEEP_EXPIRED = 1 << 0,
    /* A key already present is replaced (DEBUG RELOAD MERGE) instead of
     * being an error. */
    RDB_LOAD_REPLACE_EXISTING = 1 << 1,
    /* rdbchecksum no: the checksum at the end is read, not verified. */
    RDB_LOAD_SKIP_CHECKSUM = 1 << 2,
    /* Keys are installed by a second thread while this one reads on (a
     * big load: a replica's full sync). The result is the same. */
    RDB_LOAD_PARALLEL = 1 << 3,
};

/* What a load found, besides the keys. */
struct rdb_load_info {
    int version;
    uint64_t keys_loaded;
    uint64_t keys_expired_skipped;
    uint64_t keys_empty_skipped;
    int64_t ctime; /* aux "ctime", 0 if absent */
    /* aux repl-stream-db / repl-id / repl-offset: -1, "" and -1 if absent */
    int repl_stream_db;
    char repl_id[41];
    long long repl_offset;
};

/* Reads a whole RDB stream into dbs[0..ndbs) (existing keys stay; a key
 * already present is an error unless RDB_LOAD_REPLACE_EXISTING). now_ms decides which keys have
 * expired. Returns 0, or -1 with r->error set; keys loaded before an error stay. */
int rdb_load(struct rdb_reader *r, struct db *dbs, int ndbs, int flags, int64_t now_ms,
             struct rdb_load_info *info);

/* ---- files ---- */

/* Writes the dataset to path through a temporary file "temp-<pid>.rdb" in
 * the same directory, fsync, rename (so path is never half written).
 * Returns 0, or -1 with a message in err. */
int rdb_save_file(const char *path, struct db *dbs, int ndbs, int flags,
                  const struct rdb_repl_info *repl, char *err, size_t errsize);
/* Loads path with rdb_load. Returns 0, 1 when the file does not exist
 * (nothing loaded), -1 with a message in err. */
int rdb_load_file(const char *path, struct db *dbs, int ndbs, int flags, int64_t now_ms,
                  struct rdb_load_info *info, char *err, size_t errsize);

#endif
