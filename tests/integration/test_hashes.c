/*
 * test_hashes: the hash commands of Redis 7.0 (HSET HSETNX HMSET HGET HMGET
 * HDEL HLEN HSTRLEN HEXISTS HGETALL HKEYS HVALS HINCRBY HINCRBYFLOAT
 * HRANDFIELD HSCAN) against a real server process, replies and error
 * strings word for word, plus the settings hash-max-listpack-entries and
 * hash-max-listpack-value and the encoding conversion they drive.
 *
 * Usage: test_hashes <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Besides every option and error: an emptied hash never remains (the key
 * goes), OBJECT ENCODING flips from listpack to hashtable at exactly 513
 * fields by default (129 when set to 128) and at a 65-byte field
 * or value, HSCAN returns every field of
 * both encodings, HRANDFIELD's distinct and repeating counts, and DEBUG
 * DIGEST-VALUE of hashes of both encodings equals redis-server's.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOT_INTEGER "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define SYNTAX "ERR syntax error"

/* HSET key f<i> v<i> for i in [from, to), 500 pairs per command. */
static void set_fields(redisContext *c, const char *key, long from, long to)
{
    enum { BATCH = 500 };
    static char bufs[2 * BATCH][24];
    const char *argv[2 * BATCH + 2];
    size_t lens[2 * BATCH + 2];
    while (from < to) {
        int n = 0;
        argv[n] = "HSET";
        lens[n++] = 4;
        argv[n] = key;
        lens[n++] = strlen(key);
        for (; n < 2 * BATCH + 2 && from < to; from++) {
            lens[n] = (size_t)snprintf(bufs[n - 2], sizeof(bufs[0]), "f%ld", from);
            argv[n] = bufs[n - 2];
            n++;
            lens[n] = (size_t)snprintf(bufs[n - 2], sizeof(bufs[0]), "v%ld", from);
            argv[n] = bufs[n - 2];
            n++;
        }
        redisReply *r = harness_cmd_argv(c, n, argv, lens);
        CHECK(r->type == REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
}

static void expect_encoding_at(redisContext *c, const char *key, const char *enc, int line)
{
    redisReply *r = harness_cmd(c, "OBJECT ENCODING %s", key);
    if (r->type != REDIS_REPLY_STRING || strcmp(r->str, enc) != 0)
        harness_fail(__FILE__, line, "OBJECT ENCODING %s: %s, expected %s", key,
                     r->type == REDIS_REPLY_STRING ? r->str : harness_reply_type_name(r->type),
                     enc);
    freeReplyObject(r);
}
#define expect_encoding(c, key, enc) expect_encoding_at((c), (key), (enc), __LINE__)

static long long dirty(redisContext *c)
{
    long long n = harness_info_int(c, "persistence", "rdb_changes_since_last_save");
    return n;
}

/* Index of "f<i>" in a reply string, or -1 when it is not of that form. */
static long field_index(const char *s, char prefix)
{
    if (s[0] != prefix || !s[1]) return -1;
    char *end;
    long i = strtol(s + 1, &end, 10);
    return *end ? -1 : i;
}

/* r is an array of field, value, ... pairs "f<i>" "v<i>" with i < n, each
 * field marked in seen (counted; fails on a mismatched pair). */
static void mark_pairs(redisReply *r, long n, int *seen)
{
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements % 2 == 0);
    for (size_t i = 0; i < r->elements; i += 2) {
        long f = field_index(r->element[i]->str, 'f');
        long v = field_index(r->element[i + 1]->str, 'v');
        CHECK(f >= 0 && f < n && f == v);
        seen[f]++;
    }
}

static void test_basic(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "HSET h a 1"), 1);
    EXPECT_INT(harness_cmd(c, "HSET h b 2 c 3 a 10"), 2); /* a is updated, not added */
    EXPECT_STATUS(harness_cmd(c, "TYPE h"), "hash");
    expect_encoding(c, "h", "listpack");
    EXPECT_STR(harness_cmd(c, "HGET h a"), "10");
    EXPECT_NIL(harness_cmd(c, "HGET h zz"));
    EXPECT_NIL(harness_cmd(c, "HGET missing a"));
    EXPECT_INT(harness_cmd(c, "HLEN h"), 3);
    EXPECT_INT(harness_cmd(c, "HLEN missing"), 0);
    EXPECT_STRS(harness_cmd(c, "HGETALL h"), "a", "10", "b", "2", "c", "3");
    EXPECT_STRS(harness_cmd(c, "HKEYS h"), "a", "b", "c");
    EXPECT_STRS(harness_cmd(c, "HVALS h"), "10", "2", "3");
    EXPECT_STRS(harness_cmd(c, "HMGET h a zz c"), "10", NULL, "3");
    EXPECT_STRS(harness_cmd(c, "HMGET missing a b"), NULL, NULL);
    redisReply *r = harness_cmd(c, "HGETALL missing");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HKEYS missing");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HVALS missing");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);

    EXPECT_INT(harness_cmd(c, "HEXISTS h a"), 1);
    EXPECT_INT(harness_cmd(c, "HEXISTS h zz"), 0);
    EXPECT_INT(harness_cmd(c, "HEXISTS missing a"), 0);
    EXPECT_INT(harness_cmd(c, "HSTRLEN h a"), 2);
    EXPECT_INT(harness_cmd(c, "HSTRLEN h zz"), 0);
    EXPECT_INT(harness_cmd(c, "HSTRLEN missing a"), 0);
    EXPECT_INT(harness_cmd(c, "HSET h neg -12345 s hello"), 2);
    EXPECT_INT(harness_cmd(c, "HSTRLEN h neg"), 6);
    EXPECT_INT(harness_cmd(c, "HSTRLEN h s"), 5);

    EXPECT_OK(harness_cmd(c, "HMSET m x 1 y 2"));
    EXPECT_OK(harness_cmd(c, "HMSET m x 3"));
    EXPECT_STRS(harness_cmd(c, "HGETALL m"), "x", "3", "y", "2");

    EXPECT_INT(harness_cmd(c, "HSETNX n a 1"), 1);
    EXPECT_INT(harness_cmd(c, "HSETNX n a 2"), 0);
    EXPECT_INT(harness_cmd(c, "HSETNX n b 2"), 1);
    EXPECT_STRS(harness_cmd(c, "HGETALL n"), "a", "1", "b", "2");

    /* Empty fields and values are fine. */
    EXPECT_INT(harness_cmd(c, "HSET e %b %b", "", (size_t)0, "", (size_t)0), 1);
    EXPECT_STR(harness_cmd(c, "HGET e %b", "", (size_t)0), "");
    EXPECT_INT(harness_cmd(c, "HSTRLEN e %b", "", (size_t)0), 0);

    /* Arity: HSET and HMSET need whole pairs. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSET h a"),
                       "ERR wrong number of arguments for 'hset' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSET h a 1 b"),
                       "ERR wrong number of arguments for 'hset' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HMSET h a 1 b"),
                       "ERR wrong number of arguments for 'hmset' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSETNX h a"),
                       "ERR wrong number of arguments for 'hsetnx' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HGET h"),
                       "ERR wrong number of arguments for 'hget' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HMGET h"),
                       "ERR wrong number of arguments for 'hmget' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HDEL h"),
                       "ERR wrong number of arguments for 'hdel' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HLEN h x"),
                       "ERR wrong number of arguments for 'hlen' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HGETALL"),
                       "ERR wrong number of arguments for 'hgetall' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN h"),
                       "ERR wrong number of arguments for 'hscan' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD"),
                       "ERR wrong number of arguments for 'hrandfield' command");
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);

    /* Changes counted: one per pair written, one per field deleted. */
    long long before = dirty(c);
    EXPECT_INT(harness_cmd(c, "HSET d a 1 b 2 a 3"), 2);
    CHECK(dirty(c) == before + 3);
    EXPECT_INT(harness_cmd(c, "HSETNX d a 1"), 0);
    CHECK(dirty(c) == before + 3);
    EXPECT_INT(harness_cmd(c, "HDEL d a zz"), 1);
    CHECK(dirty(c) == before + 4);
}

static void test_hdel(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "HSET h a 1 b 2 c 3"), 3);
    EXPECT_INT(harness_cmd(c, "HDEL h a zz a"), 1);
    EXPECT_INT(harness_cmd(c, "HDEL h zz"), 0);
    EXPECT_INT(harness_cmd(c, "HDEL missing a"), 0);
    EXPECT_STRS(harness_cmd(c, "HGETALL h"), "b", "2", "c", "3");
    /* The last field takes the key with it, and its TTL. */
    EXPECT_INT(harness_cmd(c, "EXPIRE h 100"), 1);
    EXPECT_INT(harness_cmd(c, "HDEL h b c zz"), 2);
    EXPECT_INT(harness_cmd(c, "EXISTS h"), 0);
    EXPECT_INT(harness_cmd(c, "HSET h a 1"), 1);
    EXPECT_INT(harness_cmd(c, "TTL h"), -1);

    /* The same on a hashtable. */
    set_fields(c, "big", 0, 600);
    expect_encoding(c, "big", "hashtable");
    EXPECT_INT(harness_cmd(c, "HDEL big f0 f1 f0 nope"), 2);
    EXPECT_INT(harness_cmd(c, "HLEN big"), 598);
    for (int i = 2; i < 600; i++) {
        redisReply *r = harness_cmd(c, "HDEL big f%d", i);
        CHECK(r->type == REDIS_REPLY_INTEGER && r->integer == 1);
        freeReplyObject(r);
    }
    EXPECT_INT(harness_cmd(c, "EXISTS big"), 0);
}

static void test_incr(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "HINCRBY h n 5"), 5);
    EXPECT_INT(harness_cmd(c, "HINCRBY h n -7"), -2);
    EXPECT_STR(harness_cmd(c, "HGET h n"), "-2");
    EXPECT_INT(harness_cmd(c,
                           "HSET h s abc big 9223372036854775807 small -9223372036854775808 "
                           "sp %s f 1.5",
                           " 1"),
               5);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h s 1"), "ERR hash value is not an integer");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h sp 1"), "ERR hash value is not an integer");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h f 1"), "ERR hash value is not an integer");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h big 1"),
                       "ERR increment or decrement would overflow");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h small -1"),
                       "ERR increment or decrement would overflow");
    EXPECT_INT(harness_cmd(c, "HINCRBY h big -9223372036854775807"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h n x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h n 1.0"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h n 99999999999999999999"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY h"),
                       "ERR wrong number of arguments for 'hincrby' command");

    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h x 10.5"), "10.5");
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h x 0.1"), "10.6");
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h x -5.6"), "5");
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h n 1.5"), "-0.5"); /* from an integer */
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h f 5.0e3"), "5001.5");
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h y 3.0e-2"), "0.03");
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT h z 1e30"), "1000000000000000000024696061952");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h s 1"), "ERR hash value is not a float");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h x abc"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h x %b", "", (size_t)0), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h x inf"), "ERR value is NaN or Infinity");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h x -inf"), "ERR value is NaN or Infinity");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h x nan"), NOT_FLOAT);
    EXPECT_INT(harness_cmd(c, "HSET h m 1e4932"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h m 1e4932"),
                       "ERR increment would produce NaN or Infinity");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT h"),
                       "ERR wrong number of arguments for 'hincrbyfloat' command");

    /* A bad increment is reported before the key's type is looked at. */
    EXPECT_OK(harness_cmd(c, "SET str x"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY str f x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT str f x"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBYFLOAT str f inf"), "ERR value is NaN or Infinity");
    /* A failed increment creates nothing. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY nokey f x"), NOT_INTEGER);
    EXPECT_INT(harness_cmd(c, "EXISTS nokey"), 0);

    /* The same on a hashtable. */
    set_fields(c, "big", 0, 600);
    expect_encoding(c, "big", "hashtable");
    EXPECT_INT(harness_cmd(c, "HINCRBY big counter 5"), 5);
    EXPECT_INT(harness_cmd(c, "HINCRBY big counter 5"), 10);
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT big counter 0.25"), "10.25");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HINCRBY big f7 1"), "ERR hash value is not an integer");
}

static void test_encoding(redisContext *c)
{
    /* Redis 7.0.15's default is 512 entries:
     * 512 fields stay a listpack, the 513th converts. */
    set_fields(c, "d", 0, 512);
    expect_encoding(c, "d", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET d f512 v512"), 1);
    expect_encoding(c, "d", "hashtable");

    /* With 128: 128 fields stay a listpack, the 129th converts. */
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 128"));
    set_fields(c, "h", 0, 128);
    expect_encoding(c, "h", "listpack");
    EXPECT_INT(harness_cmd(c, "HLEN h"), 128);
    EXPECT_INT(harness_cmd(c, "HSET h f0 new"), 0); /* an update adds nothing */
    expect_encoding(c, "h", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET h f128 v128"), 1);
    expect_encoding(c, "h", "hashtable");
    EXPECT_INT(harness_cmd(c, "HLEN h"), 129);
    EXPECT_STR(harness_cmd(c, "HGET h f0"), "new");
    EXPECT_STR(harness_cmd(c, "HGET h f128"), "v128");
    /* Never back, even when it shrinks. */
    EXPECT_INT(harness_cmd(c, "HDEL h f1 f2 f3"), 3);
    expect_encoding(c, "h", "hashtable");

    /* HSETNX and HINCRBY convert on the 129th field too. */
    set_fields(c, "n", 0, 128);
    EXPECT_INT(harness_cmd(c, "HSETNX n f0 x"), 0);
    expect_encoding(c, "n", "listpack");
    EXPECT_INT(harness_cmd(c, "HSETNX n new x"), 1);
    expect_encoding(c, "n", "hashtable");
    set_fields(c, "i", 0, 128);
    EXPECT_INT(harness_cmd(c, "HINCRBY i counter 1"), 1);
    expect_encoding(c, "i", "hashtable");
    set_fields(c, "fl", 0, 128);
    EXPECT_STR(harness_cmd(c, "HINCRBYFLOAT fl counter 1.5"), "1.5");
    expect_encoding(c, "fl", "hashtable");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 512"));

    /* A 64-byte value or field is fine, 65 converts. */
    char v64[65], v65[66];
    memset(v64, 'x', 64);
    v64[64] = '\0';
    memset(v65, 'y', 65);
    v65[65] = '\0';
    EXPECT_INT(harness_cmd(c, "HSET v a %s %s b", v64, v64), 2);
    expect_encoding(c, "v", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET v a %s", v65), 0);
    expect_encoding(c, "v", "hashtable");
    EXPECT_STR(harness_cmd(c, "HGET v a"), v65);
    EXPECT_STR(harness_cmd(c, "HGET v %s", v64), "b");
    EXPECT_INT(harness_cmd(c, "HSET k %s 1", v65), 1);
    expect_encoding(c, "k", "hashtable");
    EXPECT_INT(harness_cmd(c, "HSETNX k2 %s 1", v65), 1);
    expect_encoding(c, "k2", "hashtable");
    EXPECT_INT(harness_cmd(c, "HSETNX k3 a %s", v65), 1);
    expect_encoding(c, "k3", "hashtable");
    EXPECT_OK(harness_cmd(c, "HMSET k4 a 1 b %s", v65));
    expect_encoding(c, "k4", "hashtable");
    /* HSETNX on an existing field does not convert. */
    EXPECT_INT(harness_cmd(c, "HSET k5 a 1"), 1);
    EXPECT_INT(harness_cmd(c, "HSETNX k5 a %s", v65), 0);
    expect_encoding(c, "k5", "listpack");
    /* HINCRBY with a long field converts (the value is short). */
    EXPECT_INT(harness_cmd(c, "HSET k6 a 1"), 1);
    EXPECT_INT(harness_cmd(c, "HINCRBY k6 %s 1", v65), 1);
    expect_encoding(c, "k6", "hashtable");

    /* Values of every size read back the same from a hashtable (short
     * ones live inside the dict entry in tandem). */
    set_fields(c, "sizes", 0, 600);
    expect_encoding(c, "sizes", "hashtable");
    char buf[200];
    for (int len = 0; len < 150; len++) {
        memset(buf, 'a' + len % 26, (size_t)len);
        buf[len] = '\0';
        redisReply *r = harness_cmd(c, "HSET sizes len%d %b", len, buf, (size_t)len);
        freeReplyObject(r);
    }
    for (int len = 0; len < 150; len++) {
        memset(buf, 'a' + len % 26, (size_t)len);
        buf[len] = '\0';
        EXPECT_STR(harness_cmd(c, "HGET sizes len%d", len), buf);
        EXPECT_INT(harness_cmd(c, "HSTRLEN sizes len%d", len), len);
    }
}

static void test_getall_large(redisContext *c)
{
    enum { N = 1000 };
    static int seen[N];
    set_fields(c, "h", 0, N);
    redisReply *r = harness_cmd(c, "HGETALL h");
    CHECK(r->elements == 2 * N);
    memset(seen, 0, sizeof(seen));
    mark_pairs(r, N, seen);
    for (int i = 0; i < N; i++) CHECK(seen[i] == 1);
    freeReplyObject(r);
    r = harness_cmd(c, "HKEYS h");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == N);
    freeReplyObject(r);
    r = harness_cmd(c, "HVALS h");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == N);
    freeReplyObject(r);
    EXPECT_STRS(harness_cmd(c, "HMGET h f5 f999 f1000"), "v5", "v999", NULL);
}

/* HSCAN until the cursor is 0, marking every field seen. */
static void scan_all(redisContext *c, const char *key, const char *opts, long n, int *seen)
{
    char cursor[32] = "0";
    int calls = 0;
    do {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "HSCAN %s %s %s", key, cursor, opts);
        redisReply *r = harness_cmd(c, cmd);
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        mark_pairs(r->element[1], n, seen);
        freeReplyObject(r);
        CHECK(++calls < 100000);
    } while (strcmp(cursor, "0") != 0);
}

static void test_hscan(redisContext *c)
{
    enum { N = 1000 };
    static int seen[N];

    /* A listpack: everything in one call, cursor 0, whatever was asked. */
    set_fields(c, "small", 0, 20);
    redisReply *r = harness_cmd(c, "HSCAN small 0 COUNT 1");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "0") == 0);
    CHECK(r->element[1]->elements == 40);
    freeReplyObject(r);
    r = harness_cmd(c, "HSCAN small 12345");
    CHECK(strcmp(r->element[0]->str, "0") == 0 && r->element[1]->elements == 40);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "HSET lp a 1 b 2 ab 3 10 x"), 4);
    r = harness_cmd(c, "HSCAN lp 0 MATCH a*");
    CHECK(strcmp(r->element[0]->str, "0") == 0);
    CHECK(r->element[1]->elements == 4);
    CHECK(strcmp(r->element[1]->element[0]->str, "a") == 0);
    CHECK(strcmp(r->element[1]->element[1]->str, "1") == 0);
    CHECK(strcmp(r->element[1]->element[2]->str, "ab") == 0);
    CHECK(strcmp(r->element[1]->element[3]->str, "3") == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HSCAN lp 0 MATCH 1? count 5 match *");
    CHECK(r->element[1]->elements == 8); /* the last MATCH wins */
    freeReplyObject(r);
    r = harness_cmd(c, "HSCAN lp 0 MATCH 1?");
    CHECK(r->element[1]->elements == 2); /* integer fields are matched as text */
    CHECK(strcmp(r->element[1]->element[0]->str, "10") == 0);
    freeReplyObject(r);

    memset(seen, 0, sizeof(seen));
    scan_all(c, "small", "", 20, seen);
    for (int i = 0; i < 20; i++) CHECK(seen[i] == 1);

    /* A hashtable: every field at least once, with any COUNT. */
    set_fields(c, "big", 0, N);
    expect_encoding(c, "big", "hashtable");
    const char *counts[] = {"", "COUNT 1", "COUNT 7", "COUNT 100", "COUNT 5000"};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        memset(seen, 0, sizeof(seen));
        scan_all(c, "big", counts[k], N, seen);
        for (int i = 0; i < N; i++) CHECK(seen[i] >= 1);
    }
    /* MATCH filters fields: f1, f10..f19, f100..f199. */
    memset(seen, 0, sizeof(seen));
    scan_all(c, "big", "MATCH f1*", N, seen);
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", i);
        CHECK((seen[i] >= 1) == (strncmp(name, "f1", 2) == 0));
    }
    /* COUNT bounds one call's work (a dict scan step may return a few
     * more than asked). */
    r = harness_cmd(c, "HSCAN big 0 COUNT 5");
    CHECK(strcmp(r->element[0]->str, "0") != 0);
    CHECK(r->element[1]->elements >= 2 && r->element[1]->elements < 60);
    freeReplyObject(r);

    /* Errors: the cursor first, then the key, then the options. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big abc"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big %s", " 1"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 1x"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 99999999999999999999999"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN missing abc"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 COUNT 0"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 COUNT -1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 COUNT x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 COUNT"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 MATCH"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN big 0 TYPE hash"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSCAN small 0 COUNT 0"), SYNTAX);
    /* A missing key is the empty scan, options unread. */
    r = harness_cmd(c, "HSCAN missing 0 COUNT 0 bogus");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "0") == 0);
    CHECK(r->element[1]->type == REDIS_REPLY_ARRAY && r->element[1]->elements == 0);
    freeReplyObject(r);
    /* strtoul's leniency: a sign is accepted. */
    r = harness_cmd(c, "HSCAN small +0");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
}

/* HRANDFIELD on key with count: checks reply shape and distinctness. */
static void check_randfield(redisContext *c, const char *key, long size, long count, int withvalues)
{
    static int seen[1000];
    redisReply *r = withvalues ? harness_cmd(c, "HRANDFIELD %s %ld WITHVALUES", key, count)
                               : harness_cmd(c, "HRANDFIELD %s %ld", key, count);
    long expect = count >= 0 ? (count < size ? count : size) : -count;
    CHECK(r->type == REDIS_REPLY_ARRAY);
    CHECK((long)r->elements == (withvalues ? 2 * expect : expect));
    memset(seen, 0, sizeof(seen));
    long step = withvalues ? 2 : 1;
    for (size_t i = 0; i < r->elements; i += (size_t)step) {
        long f = field_index(r->element[i]->str, 'f');
        CHECK(f >= 0 && f < size);
        if (withvalues) CHECK(field_index(r->element[i + 1]->str, 'v') == f);
        seen[f]++;
        if (count >= 0) CHECK(seen[f] == 1);
    }
    freeReplyObject(r);
}

static void test_hrandfield(redisContext *c)
{
    EXPECT_NIL(harness_cmd(c, "HRANDFIELD missing"));
    redisReply *r = harness_cmd(c, "HRANDFIELD missing 5");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HRANDFIELD missing -5 WITHVALUES");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);

    set_fields(c, "small", 0, 10);
    set_fields(c, "big", 0, 700);
    expect_encoding(c, "small", "listpack");
    expect_encoding(c, "big", "hashtable");

    r = harness_cmd(c, "HRANDFIELD small");
    CHECK(r->type == REDIS_REPLY_STRING && field_index(r->str, 'f') >= 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HRANDFIELD big");
    CHECK(r->type == REDIS_REPLY_STRING && field_index(r->str, 'f') >= 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HRANDFIELD small 0");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "HRANDFIELD big 0 WITHVALUES");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);

    long counts[] = {1, 2, 3, 5, 9, 10, 11, 100, 233, 234, 300, 699, 700, 1000, -1, -7, -10, -800};
    for (int rep = 0; rep < 20; rep++) {
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            for (int wv = 0; wv < 2; wv++) {
                check_randfield(c, "small", 10, counts[i], wv);
                check_randfield(c, "big", 700, counts[i], wv);
            }
        }
    }
    /* A negative count over a one-field hash repeats it. */
    EXPECT_INT(harness_cmd(c, "HSET one f0 v0"), 1);
    EXPECT_STRS(harness_cmd(c, "HRANDFIELD one -3"), "f0", "f0", "f0");
    EXPECT_STRS(harness_cmd(c, "HRANDFIELD one -2 withvalues"), "f0", "v0", "f0", "v0");
    EXPECT_STRS(harness_cmd(c, "HRANDFIELD one 5 WITHVALUES"), "f0", "v0");
    /* Every field comes up over many draws. */
    static int seen[10];
    for (int i = 0; i < 300; i++) {
        r = harness_cmd(c, "HRANDFIELD small");
        seen[field_index(r->str, 'f')]++;
        freeReplyObject(r);
    }
    for (int i = 0; i < 10; i++) CHECK(seen[i] > 0);

    /* Errors, checked before the key. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD missing x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small x y z"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small 1 x"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small 1 WITHVALUES x"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small -9223372036854775808"),
                       "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small 4611686018427387904 WITHVALUES"),
                       "ERR value is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD small -4611686018427387904 WITHVALUES"),
                       "ERR value is out of range");
    r = harness_cmd(c, "HRANDFIELD small 4611686018427387903 WITHVALUES");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 20);
    freeReplyObject(r);
    r = harness_cmd(c, "HRANDFIELD big 9223372036854775807");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 700);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "SET str x"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD str x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HRANDFIELD str 1 x"), SYNTAX);
}

static void test_wrongtype(redisContext *c)
{
    static const char *const hash_cmds[] = {
        "HSET s f v",
        "HSETNX s f v",
        "HMSET s f v",
        "HGET s f",
        "HMGET s f g",
        "HDEL s f",
        "HLEN s",
        "HSTRLEN s f",
        "HEXISTS s f",
        "HGETALL s",
        "HKEYS s",
        "HVALS s",
        "HINCRBY s f 1",
        "HINCRBYFLOAT s f 1",
        "HRANDFIELD s",
        "HRANDFIELD s 2",
        "HRANDFIELD s -2 WITHVALUES",
        "HSCAN s 0",
        "HSCAN s 0 COUNT 0",
    };
    EXPECT_OK(harness_cmd(c, "SET s hello"));
    for (size_t i = 0; i < sizeof(hash_cmds) / sizeof(hash_cmds[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, hash_cmds[i]), WRONGTYPE);
    EXPECT_STR(harness_cmd(c, "GET s"), "hello");
    if (harness_make_list(c, "l")) {
        EXPECT_ERROR_EXACT(harness_cmd(c, "HSET l f v"), WRONGTYPE);
        EXPECT_ERROR_EXACT(harness_cmd(c, "HGET l f"), WRONGTYPE);
    }

    /* And the other way: string and list commands on a hash. */
    EXPECT_INT(harness_cmd(c, "HSET h f v"), 1);
    static const char *const other_cmds[] = {
        "GET h",     "APPEND h x", "INCR h",        "STRLEN h", "GETRANGE h 0 1",
        "LPUSH h x", "LLEN h",     "LRANGE h 0 -1", "RPOP h",
    };
    for (size_t i = 0; i < sizeof(other_cmds) / sizeof(other_cmds[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, other_cmds[i]), WRONGTYPE);
    EXPECT_STR(harness_cmd(c, "HGET h f"), "v");
    /* SET replaces a hash; DEL, RENAME and EXPIRE treat it as any key. */
    EXPECT_INT(harness_cmd(c, "HSET h2 a 1"), 1);
    EXPECT_OK(harness_cmd(c, "RENAME h2 h3"));
    EXPECT_STR(harness_cmd(c, "HGET h3 a"), "1");
    EXPECT_OK(harness_cmd(c, "SET h3 x"));
    EXPECT_STR(harness_cmd(c, "GET h3"), "x");
    EXPECT_INT(harness_cmd(c, "DEL h"), 1);
}

static void expect_digest_at(redisContext *c, const char *key, const char *hex, int line)
{
    redisReply *r = harness_cmd(c, "DEBUG DIGEST-VALUE %s", key);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 || !r->element[0]->str ||
        strcmp(r->element[0]->str, hex) != 0)
        harness_fail(__FILE__, line, "DEBUG DIGEST-VALUE %s: not %s", key, hex);
    freeReplyObject(r);
}
#define expect_digest(c, key, hex) expect_digest_at((c), (key), (hex), __LINE__)

/* DEBUG DIGEST-VALUE: the digests below are redis-server 7.0.15's. */
static void test_digest(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "HSET h a 1 b 2 c hello"), 3);
    expect_digest(c, "h", "517fc86d414ba885f05ac6ee59e0b7bf497021a2");
    /* Field order does not matter. */
    EXPECT_INT(harness_cmd(c, "HSET h2 c hello b 2 a 1"), 3);
    expect_digest(c, "h2", "517fc86d414ba885f05ac6ee59e0b7bf497021a2");
    /* A hashtable hashes as the same listpack would. */
    set_fields(c, "big", 0, 600);
    expect_encoding(c, "big", "hashtable");
    expect_digest(c, "big", "da5884fc7ba8a8dc69e963590622d30a3baf7439");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 1000"));
    set_fields(c, "biglp", 0, 600);
    expect_encoding(c, "biglp", "listpack");
    expect_digest(c, "biglp", "da5884fc7ba8a8dc69e963590622d30a3baf7439");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 512"));
    EXPECT_INT(harness_cmd(c, "EXPIRE h 100"), 1);
    expect_digest(c, "h", "b7fa36929d7242d1314c2d161c8a782453de6021");
}

static void test_config(redisContext *c)
{
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-entries"), "hash-max-listpack-entries",
                "512");
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-value"), "hash-max-listpack-value",
                "64");
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-ziplist-entries"), "hash-max-ziplist-entries",
                "512");
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-ziplist-value"), "hash-max-ziplist-value",
                "64");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-ziplist-entries 4"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-entries"), "hash-max-listpack-entries",
                "4");
    EXPECT_INT(harness_cmd(c, "HSET h a 1 b 2 c 3 d 4"), 4);
    expect_encoding(c, "h", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET h e 5"), 1);
    expect_encoding(c, "h", "hashtable");

    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 3"));
    EXPECT_INT(harness_cmd(c, "HSET v abc xyz"), 1);
    expect_encoding(c, "v", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET v abcd x"), 1);
    expect_encoding(c, "v", "hashtable");
    /* An existing listpack converts on its next write past the new limit. */
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 64"));
    EXPECT_INT(harness_cmd(c, "HSET w abcdefgh 1"), 1);
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 2"));
    expect_encoding(c, "w", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET w abcdefgh 2"), 0);
    expect_encoding(c, "w", "hashtable");

    /* 0 entries: a hash converts with its first field. */
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 0"));
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 0"));
    EXPECT_INT(harness_cmd(c, "HSET z %b %b", "", (size_t)0, "", (size_t)0), 1);
    expect_encoding(c, "z", "hashtable");

    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 512"));
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 64"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET hash-max-listpack-entries -1"),
                       "ERR CONFIG SET failed (possibly related to argument "
                       "'hash-max-listpack-entries') - argument must be between 0 and "
                       "9223372036854775807 inclusive");
    EXPECT_ERROR_EXACT(
        harness_cmd(c, "CONFIG SET hash-max-listpack-entries 1k"),
        "ERR CONFIG SET failed (possibly related to argument "
        "'hash-max-listpack-entries') - argument couldn't be parsed into an integer");
    /* The value limit is a memory size. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET hash-max-listpack-value abc"),
                       "ERR CONFIG SET failed (possibly related to argument "
                       "'hash-max-listpack-value') - argument must be a memory value");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET hash-max-listpack-value -1"),
                       "ERR CONFIG SET failed (possibly related to argument "
                       "'hash-max-listpack-value') - argument must be a memory value");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-ziplist-value 1kb"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-value"), "hash-max-listpack-value",
                "1024");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-value 64"));
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 3000000000"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-entries"), "hash-max-listpack-entries",
                "3000000000");
    EXPECT_OK(harness_cmd(c, "CONFIG SET hash-max-listpack-entries 512"));
}

/* The settings given at start-up, as redis.conf-style arguments. */
static void test_startup_config(const char *binary)
{
    static const char *const args[] = {"--hash-max-ziplist-entries", "2",
                                       "--hash-max-ziplist-value", "5", NULL};
    struct server s;
    if (harness_start(&s, binary, args) != 0) exit(1);
    redisContext *c = harness_connect(&s);
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-entries"), "hash-max-listpack-entries",
                "2");
    EXPECT_STRS(harness_cmd(c, "CONFIG GET hash-max-listpack-value"), "hash-max-listpack-value",
                "5");
    EXPECT_INT(harness_cmd(c, "HSET h a 1 b 2"), 2);
    expect_encoding(c, "h", "listpack");
    EXPECT_INT(harness_cmd(c, "HSET h c 3"), 1);
    expect_encoding(c, "h", "hashtable");
    EXPECT_INT(harness_cmd(c, "HSET g abcdef 1"), 1);
    expect_encoding(c, "g", "hashtable");
    redisFree(c);
    harness_stop(&s);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_basic, test_hdel,       test_incr,      test_encoding, test_getall_large,
        test_hscan, test_hrandfield, test_wrongtype, test_digest,   test_config,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    struct server s;
    if (harness_start(&s, binary, args) != 0) return 1;
    redisContext *c = harness_connect(&s);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        EXPECT_OK(harness_cmd(c, "FLUSHALL"));
        tests[i](c);
    }
    redisFree(c);
    harness_stop(&s);
    test_startup_config(binary);
    printf("test_hashes: all passed\n");
    return 0;
}
