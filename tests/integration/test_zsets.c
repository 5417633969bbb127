/*
 * test_zsets: the sorted set commands of Redis 7.0 (ZADD ZINCRBY ZSCORE
 * ZMSCORE ZCARD ZREM ZRANK ZREVRANK ZCOUNT ZLEXCOUNT, ZRANGE and its BYSCORE / BYLEX
 * / REV / LIMIT forms, ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
 * ZREVRANGEBYLEX ZREVRANGE ZRANGESTORE, ZREMRANGEBYRANK / BYSCORE / BYLEX, ZPOPMIN
 * ZPOPMAX, ZRANDMEMBER, ZSCAN, ZUNION ZINTER ZDIFF and their STORE forms,
 * ZINTERCARD) against a real server process, replies and error strings
 * word for word.
 *
 * Usage: test_zsets <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Besides every option and error: an emptied sorted set never remains (the
 * key goes), OBJECT ENCODING flips from listpack to skiplist at exactly 129
 * members and at a 65-byte member, scores are formatted as Redis formats
 * them (including -0, which a listpack stores as the integer 0), every
 * command runs the same on both encodings, ZSCAN returns every member, and
 * DEBUG DIGEST-VALUE of both encodings equals redis-server's.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOT_INTEGER "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define SYNTAX "ERR syntax error"
#define RANGE_NOT_FLOAT "ERR min or max is not a float"
#define LEX_RANGE "ERR min or max not valid string range item"

/* ZADD key <i * step> m<i> for i in [from, to), 200 pairs per command. */
static void add_members(redisContext *c, const char *key, long from, long to, double step)
{
    enum { BATCH = 200 };
    static char bufs[2 * BATCH][32];
    const char *argv[2 * BATCH + 2];
    size_t lens[2 * BATCH + 2];
    while (from < to) {
        int n = 0;
        argv[n] = "ZADD";
        lens[n++] = 4;
        argv[n] = key;
        lens[n++] = strlen(key);
        for (; n < 2 * BATCH + 2 && from < to; from++) {
            lens[n] = (size_t)snprintf(bufs[n - 2], sizeof(bufs[0]), "%.17g", from * step);
            argv[n] = bufs[n - 2];
            n++;
            lens[n] = (size_t)snprintf(bufs[n - 2], sizeof(bufs[0]), "m%ld", from);
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

static void expect_empty_array_at(redisReply *r, int line)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 0)
        harness_fail(__FILE__, line, "expected an empty array, got %s",
                     harness_reply_type_name(r->type));
    freeReplyObject(r);
}
#define EXPECT_EMPTY(r) expect_empty_array_at((r), __LINE__)

/* Sets the listpack limit: the tests that take an encoding run twice,
 * once with the default (listpack) and once with 0 (skiplist at once). */
static void set_entries_limit(redisContext *c, int limit)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET zset-max-listpack-entries %d", limit));
}

static void test_zadd(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a"), 1);
    EXPECT_INT(harness_cmd(c, "ZADD z 2 b 3 c 10 a"), 2); /* a is updated, not added */
    EXPECT_STATUS(harness_cmd(c, "TYPE z"), "zset");
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "10");
    EXPECT_INT(harness_cmd(c, "ZCARD z"), 3);
    EXPECT_INT(harness_cmd(c, "ZCARD missing"), 0);
    /* CH counts updates too; an unchanged score is no update. */
    EXPECT_INT(harness_cmd(c, "ZADD z CH 1 a 2 b 4 d"), 2);
    /* NX adds only, XX updates only. */
    EXPECT_INT(harness_cmd(c, "ZADD z NX 100 a 5 e"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "1");
    EXPECT_INT(harness_cmd(c, "ZADD z XX CH 100 a 6 f"), 1);
    EXPECT_NIL(harness_cmd(c, "ZSCORE z f"));
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "100");
    /* GT / LT only move an existing score that way; new members are
     * added either way. */
    EXPECT_INT(harness_cmd(c, "ZADD z GT CH 50 a 7 g"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "100");
    EXPECT_INT(harness_cmd(c, "ZADD z LT CH 50 a"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "50");
    EXPECT_INT(harness_cmd(c, "ZADD z XX GT CH 60 a 1 b"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE z a"), "60");
    EXPECT_STR(harness_cmd(c, "ZSCORE z b"), "2");
    /* INCR: the new score, nil when a condition stopped it. */
    EXPECT_STR(harness_cmd(c, "ZADD z INCR 5 a"), "65");
    EXPECT_STR(harness_cmd(c, "ZADD z INCR 1.5 new"), "1.5");
    EXPECT_NIL(harness_cmd(c, "ZADD z NX INCR 5 a"));
    EXPECT_NIL(harness_cmd(c, "ZADD z XX INCR 5 nope"));
    EXPECT_NIL(harness_cmd(c, "ZADD z GT INCR -5 a"));
    EXPECT_STR(harness_cmd(c, "ZADD z LT INCR -5 a"), "60");
    /* XX on a missing key creates nothing. */
    EXPECT_INT(harness_cmd(c, "ZADD none XX 1 a"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS none"), 0);
    EXPECT_NIL(harness_cmd(c, "ZADD none XX INCR 1 a"));
    EXPECT_INT(harness_cmd(c, "EXISTS none"), 0);

    /* Errors, in Redis's order: options, pairs, scores, then the key. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z NX XX 1 a"),
                       "ERR XX and NX options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z NX GT 1 a"),
                       "ERR GT, LT, and/or NX options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z LT NX 1 a"),
                       "ERR GT, LT, and/or NX options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z GT LT 1 a"),
                       "ERR GT, LT, and/or NX options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z INCR 1 a 2 b"),
                       "ERR INCR option supports a single increment-element pair");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z 1 a 2"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z NX 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z NX XX 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z 1"),
                       "ERR wrong number of arguments for 'zadd' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z x a"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z nan a"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD z 1 ok 2 ok2 x bad"), NOT_FLOAT);
    EXPECT_NIL(harness_cmd(c, "ZSCORE z ok")); /* all or nothing */
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD missing2 1 a x b"), NOT_FLOAT);
    EXPECT_INT(harness_cmd(c, "EXISTS missing2"), 0);
    /* inf + -inf is NaN: refused, the score stays. */
    EXPECT_INT(harness_cmd(c, "ZADD i inf a"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD i INCR -inf a"),
                       "ERR resulting score is not a number (NaN)");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINCRBY i -inf a"),
                       "ERR resulting score is not a number (NaN)");
    EXPECT_STR(harness_cmd(c, "ZSCORE i a"), "inf");
}

static void test_zincrby_zscore(redisContext *c)
{
    EXPECT_STR(harness_cmd(c, "ZINCRBY z 1 a"), "1");
    EXPECT_STR(harness_cmd(c, "ZINCRBY z 0.5 a"), "1.5");
    EXPECT_STR(harness_cmd(c, "ZINCRBY z -3 a"), "-1.5");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINCRBY z x a"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINCRBY z 1 a b"),
                       "ERR wrong number of arguments for 'zincrby' command");
    EXPECT_INT(harness_cmd(c, "ZADD z 2 b 3 c"), 2);
    EXPECT_STRS(harness_cmd(c, "ZMSCORE z a nope c"), "-1.5", NULL, "3");
    EXPECT_STRS(harness_cmd(c, "ZMSCORE missing a b"), NULL, NULL);
    EXPECT_NIL(harness_cmd(c, "ZSCORE z nope"));
    EXPECT_NIL(harness_cmd(c, "ZSCORE missing a"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZMSCORE z"),
                       "ERR wrong number of arguments for 'zmscore' command");
}

/* Score formatting in replies, for the current encoding. neg_zero is what
 * a -0 score reads back as: "0" in a listpack (stored as the integer 0),
 * "-0" in a skiplist. */
static void check_formatting(redisContext *c, const char *neg_zero)
{
    EXPECT_INT(harness_cmd(c, "ZADD f 1.5 a 0.1 b 1e300 c inf d -inf e -0 f 3 g -2.25 h"), 8);
    EXPECT_STR(harness_cmd(c, "ZSCORE f a"), "1.5");
    EXPECT_STR(harness_cmd(c, "ZSCORE f b"), "0.10000000000000001");
    EXPECT_STR(harness_cmd(c, "ZSCORE f c"), "1.0000000000000001e+300");
    EXPECT_STR(harness_cmd(c, "ZSCORE f d"), "inf");
    EXPECT_STR(harness_cmd(c, "ZSCORE f e"), "-inf");
    EXPECT_STR(harness_cmd(c, "ZSCORE f f"), neg_zero);
    EXPECT_STR(harness_cmd(c, "ZSCORE f g"), "3");
    EXPECT_STR(harness_cmd(c, "ZSCORE f h"), "-2.25");
    EXPECT_STRS(harness_cmd(c, "ZRANGE f 0 -1 WITHSCORES"), "e", "-inf", "h", "-2.25", "f",
                neg_zero, "b", "0.10000000000000001", "a", "1.5", "g", "3", "c",
                "1.0000000000000001e+300", "d", "inf");
    EXPECT_STR(harness_cmd(c, "ZINCRBY f 1e300 c"), "2.0000000000000001e+300");
    EXPECT_STR(harness_cmd(c, "ZINCRBY f 1 d"), "inf");
    /* Integer-looking members are stored as integers in a listpack and
     * read back the same. */
    EXPECT_INT(harness_cmd(c, "ZADD n 1 10 2 -5 3 007"), 3);
    EXPECT_STRS(harness_cmd(c, "ZRANGE n 0 -1 WITHSCORES"), "10", "1", "-5", "2", "007", "3");
}

static void test_formatting(redisContext *c)
{
    check_formatting(c, "0");
    expect_encoding(c, "f", "listpack");
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    set_entries_limit(c, 0);
    check_formatting(c, "-0");
    expect_encoding(c, "f", "skiplist");
    set_entries_limit(c, 128);
    /* A converted listpack keeps the 0 it stored for -0. */
    EXPECT_INT(harness_cmd(c, "ZADD conv -0 a"), 1);
    add_members(c, "conv", 0, 200, 1);
    expect_encoding(c, "conv", "skiplist");
    EXPECT_STR(harness_cmd(c, "ZSCORE conv a"), "0");
}

static void check_rem_rank_count(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c 4 d 5 e 3 cc"), 6);
    EXPECT_INT(harness_cmd(c, "ZRANK z a"), 0);
    EXPECT_INT(harness_cmd(c, "ZRANK z cc"), 3);
    EXPECT_INT(harness_cmd(c, "ZREVRANK z a"), 5);
    EXPECT_INT(harness_cmd(c, "ZREVRANK z e"), 0);
    EXPECT_NIL(harness_cmd(c, "ZRANK z nope"));
    EXPECT_NIL(harness_cmd(c, "ZREVRANK missing a"));
    EXPECT_INT(harness_cmd(c, "ZCOUNT z 2 4"), 4);
    EXPECT_INT(harness_cmd(c, "ZCOUNT z (2 (4"), 2);
    EXPECT_INT(harness_cmd(c, "ZCOUNT z -inf +inf"), 6);
    EXPECT_INT(harness_cmd(c, "ZCOUNT z 4 2"), 0);
    EXPECT_INT(harness_cmd(c, "ZCOUNT z (3 3"), 0);
    EXPECT_INT(harness_cmd(c, "ZCOUNT missing 1 2"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZCOUNT z x 2"), RANGE_NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZCOUNT missing 1 nan"), RANGE_NOT_FLOAT);
    EXPECT_INT(harness_cmd(c, "ZREM z a nope b"), 2);
    EXPECT_INT(harness_cmd(c, "ZREM z nope"), 0);
    EXPECT_INT(harness_cmd(c, "ZREM missing a"), 0);
    EXPECT_INT(harness_cmd(c, "ZCARD z"), 4);
    /* The key goes with its last member. */
    EXPECT_INT(harness_cmd(c, "ZREM z c cc d e x"), 4);
    EXPECT_INT(harness_cmd(c, "EXISTS z"), 0);
}

static void test_rem_rank_count(redisContext *c)
{
    check_rem_rank_count(c);
    set_entries_limit(c, 0);
    check_rem_rank_count(c);
    set_entries_limit(c, 128);
}

static void check_ranges(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c 4 d 5 e 3 cc"), 6);
    /* By rank. */
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 0 -1"), "a", "b", "c", "cc", "d", "e");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 1 2 WITHSCORES"), "b", "2", "c", "3");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z -2 100"), "d", "e");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z -100 0"), "a");
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE z 3 2"));
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE z 6 10"));
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 0 1 REV"), "e", "d");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGE z 0 1 WITHSCORES"), "e", "5", "d", "4");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGE z -1 -1"), "a");
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE missing 0 -1"));
    /* By score. */
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 2 3 BYSCORE"), "b", "c", "cc");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z (2 3 BYSCORE WITHSCORES"), "c", "3", "cc", "3");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 3 (2 BYSCORE REV"), "cc", "c");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z -inf +inf BYSCORE LIMIT 1 2"), "b", "c");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2"), "d", "cc");
    EXPECT_STRS(harness_cmd(c, "ZRANGE z -inf +inf BYSCORE LIMIT 4 -1"), "d", "e");
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE z -inf +inf BYSCORE LIMIT -1 2"));
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE z -inf +inf BYSCORE LIMIT 1 0"));
    EXPECT_EMPTY(harness_cmd(c, "ZRANGE z 4 2 BYSCORE"));
    EXPECT_STRS(harness_cmd(c, "ZRANGEBYSCORE z 4 +inf WITHSCORES"), "d", "4", "e", "5");
    EXPECT_STRS(harness_cmd(c, "ZRANGEBYSCORE z -inf 3 LIMIT 1 1"), "b");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGEBYSCORE z 3 -inf WITHSCORES LIMIT 0 2"), "cc", "3", "c",
                "3");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGEBYSCORE z (5 (3"), "d");
    EXPECT_EMPTY(harness_cmd(c, "ZRANGEBYSCORE missing 1 2"));
    /* By lex (one score). */
    EXPECT_INT(harness_cmd(c, "ZADD l 0 a 0 b 0 c 0 d 0 e 0 10"), 6);
    EXPECT_STRS(harness_cmd(c, "ZRANGE l - + BYLEX"), "10", "a", "b", "c", "d", "e");
    EXPECT_STRS(harness_cmd(c, "ZRANGE l [b (d BYLEX"), "b", "c");
    EXPECT_STRS(harness_cmd(c, "ZRANGE l (d [b BYLEX REV"), "c", "b");
    EXPECT_STRS(harness_cmd(c, "ZRANGEBYLEX l - + LIMIT 2 2"), "b", "c");
    EXPECT_STRS(harness_cmd(c, "ZRANGEBYLEX l [1 (b"), "10", "a");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGEBYLEX l + - LIMIT 0 2"), "e", "d");
    EXPECT_STRS(harness_cmd(c, "ZREVRANGEBYLEX l [c -"), "c", "b", "a", "10");
    EXPECT_EMPTY(harness_cmd(c, "ZRANGEBYLEX l (c (c"));
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT l - +"), 6);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT l [b (d"), 2);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT l (z +"), 0);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT l [c [b"), 0);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT missing - +"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZLEXCOUNT l x y"), LEX_RANGE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZLEXCOUNT missing x y"), LEX_RANGE);
    EXPECT_EMPTY(harness_cmd(c, "ZRANGEBYLEX missing - +"));
    /* By lex on differing scores: Redis first checks the last member
     * against min and the first against max (zzlIsInLexRange), and finds
     * nothing when either fails, even if a member in between matches. A
     * replica applies ZREMRANGEBYLEX by these rules. (A skiplist's
     * ZREMRANGEBYLEX skips that check in Redis too and depends on the
     * nodes' random levels then: listpack only.) */
    EXPECT_INT(harness_cmd(c, "ZADD mixed 1 b 2 a 3 c 4 a2"), 4);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT mixed [b [b"), 0);
    EXPECT_INT(harness_cmd(c, "ZLEXCOUNT mixed [b +"), 0);
    EXPECT_EMPTY(harness_cmd(c, "ZRANGEBYLEX mixed [b [b"));
    EXPECT_EMPTY(harness_cmd(c, "ZREVRANGEBYLEX mixed [b [b"));
    EXPECT_EMPTY(harness_cmd(c, "ZRANGEBYLEX mixed - [a"));
    redisReply *enc = harness_cmd(c, "OBJECT ENCODING mixed");
    if (enc->type == REDIS_REPLY_STRING && strcmp(enc->str, "listpack") == 0) {
        EXPECT_INT(harness_cmd(c, "ZREMRANGEBYLEX mixed [b [b"), 0);
        EXPECT_INT(harness_cmd(c, "ZCARD mixed"), 4);
    }
    freeReplyObject(enc);
    EXPECT_INT(harness_cmd(c, "DEL mixed"), 1);
    /* Errors. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z x 1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z 0 1 FOO"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z 0 1 LIMIT 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z 0 1 LIMIT x 1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z 0 1 BYSCORE BYLEX"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z 0 1 LIMIT 0 1"),
                       "ERR syntax error, LIMIT is only supported in combination with either "
                       "BYSCORE or BYLEX");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z - + BYLEX WITHSCORES"),
                       "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z x 1 BYSCORE"), RANGE_NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGE z a b BYLEX"), LEX_RANGE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGEBYSCORE z 1 2 BYSCORE"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZREVRANGE z 0 1 REV"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGEBYLEX l - + WITHSCORES"),
                       "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGEBYLEX missing a b"), LEX_RANGE);
}

static void test_ranges(redisContext *c)
{
    check_ranges(c);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    set_entries_limit(c, 0);
    check_ranges(c);
    set_entries_limit(c, 128);
}

static void test_zrangestore(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c 4 d 5 e -0 f"), 6);
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst z 0 2"), 3);
    EXPECT_STRS(harness_cmd(c, "ZRANGE dst 0 -1 WITHSCORES"), "f", "0", "a", "1", "b", "2");
    expect_encoding(c, "dst", "listpack");
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst z (1 +inf BYSCORE LIMIT 1 2"), 2);
    EXPECT_STRS(harness_cmd(c, "ZRANGE dst 0 -1"), "c", "d");
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst z [b [d BYLEX REV"), 0); /* mixed scores */
    EXPECT_INT(harness_cmd(c, "EXISTS dst"), 0);
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst z +inf -inf BYSCORE REV LIMIT 0 2"), 2);
    EXPECT_STRS(harness_cmd(c, "ZRANGE dst 0 -1"), "d", "e");
    /* An empty result deletes the destination; it replaces any type and
     * drops its TTL. */
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst z 10 20"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS dst"), 0);
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE dst missing 0 -1"), 0);
    EXPECT_OK(harness_cmd(c, "SET str x EX 100"));
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE str z 0 0"), 1);
    EXPECT_STATUS(harness_cmd(c, "TYPE str"), "zset");
    EXPECT_INT(harness_cmd(c, "TTL str"), -1);
    EXPECT_OK(harness_cmd(c, "SET str2 x"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGESTORE dst str2 0 1"), WRONGTYPE);
    /* Source and destination may be the same key. */
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE z z 1 2"), 2);
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 0 -1 WITHSCORES"), "a", "1", "b", "2");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGESTORE dst z 0 -1 WITHSCORES"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGESTORE dst z 0 -1 LIMIT 0 1"),
                       "ERR syntax error, LIMIT is only supported in combination with either "
                       "BYSCORE or BYLEX");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGESTORE dst z x 1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANGESTORE dst z 0"),
                       "ERR wrong number of arguments for 'zrangestore' command");
    /* The destination's encoding: skiplist from the start for a rank
     * range longer than the limit; otherwise as its members call for. */
    set_entries_limit(c, 2);
    EXPECT_INT(harness_cmd(c, "ZADD big 1 a 2 b 3 c 4 d"), 4);
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE d2 big 0 -1"), 4);
    expect_encoding(c, "d2", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE d3 big 0 1"), 2);
    expect_encoding(c, "d3", "listpack");
    EXPECT_INT(harness_cmd(c, "ZRANGESTORE d4 big -inf +inf BYSCORE"), 4);
    expect_encoding(c, "d4", "skiplist");
    set_entries_limit(c, 128);
}

static void check_remrange(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f"), 6);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK z 0 0"), 1);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK z -2 100"), 2);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK z 2 1"), 0);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK z 5 10"), 0);
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 0 -1"), "b", "c", "d");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZREMRANGEBYRANK z x 1"), NOT_INTEGER);
    EXPECT_INT(harness_cmd(c, "ZADD z 5 e 6 f"), 2);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYSCORE z (2 4"), 2);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYSCORE z 10 20"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZREMRANGEBYSCORE z x 1"), RANGE_NOT_FLOAT);
    EXPECT_STRS(harness_cmd(c, "ZRANGE z 0 -1"), "b", "e", "f");
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYSCORE z -inf +inf"), 3);
    EXPECT_INT(harness_cmd(c, "EXISTS z"), 0);
    EXPECT_INT(harness_cmd(c, "ZADD l 0 a 0 b 0 c 0 d 0 e"), 5);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYLEX l [b (d"), 2);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYLEX l (x +"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZREMRANGEBYLEX l x y"), LEX_RANGE);
    EXPECT_STRS(harness_cmd(c, "ZRANGE l 0 -1"), "a", "d", "e");
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYLEX l - +"), 3);
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK missing 0 -1"), 0);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYSCORE missing 0 1"), 0);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYLEX missing - +"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZREMRANGEBYSCORE missing x 1"), RANGE_NOT_FLOAT);
    EXPECT_INT(harness_cmd(c, "ZADD r 1 a 2 b"), 2);
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK r 0 -1"), 2);
    EXPECT_INT(harness_cmd(c, "EXISTS r"), 0);
}

static void test_remrange(redisContext *c)
{
    check_remrange(c);
    set_entries_limit(c, 0);
    check_remrange(c);
    set_entries_limit(c, 128);
}

static void check_pop(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c 4 d 5 e"), 5);
    EXPECT_STRS(harness_cmd(c, "ZPOPMIN z"), "a", "1");
    EXPECT_STRS(harness_cmd(c, "ZPOPMAX z"), "e", "5");
    EXPECT_STRS(harness_cmd(c, "ZPOPMIN z 2"), "b", "2", "c", "3");
    EXPECT_EMPTY(harness_cmd(c, "ZPOPMIN z 0"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZPOPMIN z -1"),
                       "ERR value is out of range, must be positive");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZPOPMAX z x"),
                       "ERR value is out of range, must be positive");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZPOPMAX z 1 2"), SYNTAX);
    EXPECT_STRS(harness_cmd(c, "ZPOPMAX z 10"), "d", "4");
    EXPECT_INT(harness_cmd(c, "EXISTS z"), 0);
    EXPECT_EMPTY(harness_cmd(c, "ZPOPMIN z"));
    EXPECT_EMPTY(harness_cmd(c, "ZPOPMAX missing 3"));
}

static void test_pop(redisContext *c)
{
    check_pop(c);
    set_entries_limit(c, 0);
    check_pop(c);
    set_entries_limit(c, 128);
}

/* ZRANDMEMBER key count [WITHSCORES] on a set of m0..m<size-1> with score
 * i: the reply's length and, for a positive count, distinct members. */
static void check_randmember(redisContext *c, const char *key, long size, long count,
                             int withscores)
{
    redisReply *r = withscores ? harness_cmd(c, "ZRANDMEMBER %s %ld WITHSCORES", key, count)
                               : harness_cmd(c, "ZRANDMEMBER %s %ld", key, count);
    long want = count < 0 ? -count : (count < size ? count : size);
    CHECK(r->type == REDIS_REPLY_ARRAY && (long)r->elements == want * (withscores ? 2 : 1));
    int *seen = calloc((size_t)size, sizeof(int));
    for (size_t i = 0; i < r->elements; i += withscores ? 2 : 1) {
        const char *m = r->element[i]->str;
        CHECK(m && m[0] == 'm');
        long idx = atol(m + 1);
        CHECK(idx >= 0 && idx < size);
        if (withscores) CHECK(atol(r->element[i + 1]->str) == idx);
        if (count > 0) CHECK(!seen[idx]);
        seen[idx] = 1;
    }
    free(seen);
    freeReplyObject(r);
}

static void test_randmember(redisContext *c)
{
    add_members(c, "small", 0, 10, 1);
    add_members(c, "big", 0, 300, 1);
    expect_encoding(c, "small", "listpack");
    expect_encoding(c, "big", "skiplist");
    const char *keys[] = {"small", "big"};
    long sizes[] = {10, 300};
    for (int k = 0; k < 2; k++) {
        long counts[] = {1, 5, 9, 10, 11, 250, 1000, -1, -5, -20, -1000};
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            check_randmember(c, keys[k], sizes[k], counts[i], 0);
            check_randmember(c, keys[k], sizes[k], counts[i], 1);
        }
        redisReply *r = harness_cmd(c, "ZRANDMEMBER %s", keys[k]);
        CHECK(r->type == REDIS_REPLY_STRING && r->str[0] == 'm');
        freeReplyObject(r);
    }
    EXPECT_EMPTY(harness_cmd(c, "ZRANDMEMBER small 0"));
    EXPECT_NIL(harness_cmd(c, "ZRANDMEMBER missing"));
    EXPECT_EMPTY(harness_cmd(c, "ZRANDMEMBER missing 5"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small 1 foo"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small x foo"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small 1 WITHSCORES x"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small -9223372036854775808"),
                       "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZRANDMEMBER small 9223372036854775807 WITHSCORES"),
                       "ERR value is out of range");
    /* All of one member, repeated. */
    EXPECT_INT(harness_cmd(c, "ZADD one 1 x"), 1);
    EXPECT_STRS(harness_cmd(c, "ZRANDMEMBER one -3 WITHSCORES"), "x", "1", "x", "1", "x", "1");
}

/* Every member of m0..m<n-1> with score i/2 is returned by a full ZSCAN
 * (with the option opt val when opt is not NULL). */
static void scan_all(redisContext *c, const char *key, const char *opt, const char *val, long n,
                     int *seen)
{
    char cursor[32] = "0";
    int rounds = 0;
    do {
        redisReply *r = opt ? harness_cmd(c, "ZSCAN %s %s %s %s", key, cursor, opt, val)
                            : harness_cmd(c, "ZSCAN %s %s", key, cursor);
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        redisReply *items = r->element[1];
        CHECK(items->elements % 2 == 0);
        for (size_t i = 0; i < items->elements; i += 2) {
            long idx = atol(items->element[i]->str + 1);
            CHECK(idx >= 0 && idx < n);
            CHECK(atof(items->element[i + 1]->str) == idx * 0.5);
            seen[idx] = 1;
        }
        freeReplyObject(r);
        CHECK(++rounds < 100000);
    } while (strcmp(cursor, "0") != 0);
}

static void test_zscan(redisContext *c)
{
    static int seen[1000];
    add_members(c, "small", 0, 50, 0.5);
    add_members(c, "big", 0, 1000, 0.5);
    expect_encoding(c, "small", "listpack");
    expect_encoding(c, "big", "skiplist");
    memset(seen, 0, sizeof(seen));
    scan_all(c, "small", NULL, NULL, 50, seen);
    for (int i = 0; i < 50; i++) CHECK(seen[i]);
    /* A listpack comes whole, cursor 0, whatever COUNT says. */
    redisReply *r = harness_cmd(c, "ZSCAN small 0 COUNT 1");
    CHECK(r->type == REDIS_REPLY_ARRAY && strcmp(r->element[0]->str, "0") == 0 &&
          r->element[1]->elements == 100);
    freeReplyObject(r);
    memset(seen, 0, sizeof(seen));
    scan_all(c, "big", NULL, NULL, 1000, seen);
    for (int i = 0; i < 1000; i++) CHECK(seen[i]);
    memset(seen, 0, sizeof(seen));
    scan_all(c, "big", "COUNT", "100", 1000, seen);
    for (int i = 0; i < 1000; i++) CHECK(seen[i]);
    memset(seen, 0, sizeof(seen));
    scan_all(c, "big", "MATCH", "m1*", 1000, seen);
    for (int i = 0; i < 1000; i++) {
        char name[16];
        snprintf(name, sizeof(name), "m%d", i);
        CHECK(seen[i] == (name[1] == '1'));
    }
    r = harness_cmd(c, "ZSCAN missing 0 FOO");
    CHECK(r->type == REDIS_REPLY_ARRAY && strcmp(r->element[0]->str, "0") == 0 &&
          r->element[1]->elements == 0);
    freeReplyObject(r);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZSCAN small x"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZSCAN small 0 COUNT 0"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZSCAN small 0 COUNT x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZSCAN small 0 FOO"), SYNTAX);
}

static void test_encoding(redisContext *c)
{
    add_members(c, "e", 0, 128, 1);
    expect_encoding(c, "e", "listpack");
    add_members(c, "e", 128, 129, 1);
    expect_encoding(c, "e", "skiplist");
    /* Never back. */
    EXPECT_INT(harness_cmd(c, "ZREMRANGEBYRANK e 0 127"), 128);
    expect_encoding(c, "e", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZCARD e"), 1);

    char m64[65], m65[66];
    memset(m64, 'x', 64);
    m64[64] = 0;
    memset(m65, 'y', 65);
    m65[65] = 0;
    EXPECT_INT(harness_cmd(c, "ZADD v 1 %s", m64), 1);
    expect_encoding(c, "v", "listpack");
    EXPECT_INT(harness_cmd(c, "ZADD v 2 %s", m65), 1);
    expect_encoding(c, "v", "skiplist");
    EXPECT_STRS(harness_cmd(c, "ZRANGE v 0 -1"), m64, m65);
    /* A new key takes the encoding its first member calls for. */
    EXPECT_INT(harness_cmd(c, "ZADD v2 1 %s", m65), 1);
    expect_encoding(c, "v2", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZADD v3 1 a 2 %s", m65), 2);
    expect_encoding(c, "v3", "skiplist");
    EXPECT_STR(harness_cmd(c, "ZINCRBY v4 1 %s", m65), "1");
    expect_encoding(c, "v4", "skiplist");

    EXPECT_OK(harness_cmd(c, "CONFIG SET zset-max-ziplist-value 100"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET zset-max-listpack-value"), "zset-max-listpack-value",
                "100");
    EXPECT_INT(harness_cmd(c, "ZADD v5 1 %s", m65), 1);
    expect_encoding(c, "v5", "listpack");
    EXPECT_OK(harness_cmd(c, "CONFIG SET zset-max-listpack-value 64"));
    EXPECT_OK(harness_cmd(c, "CONFIG SET zset-max-ziplist-entries 2"));
    EXPECT_INT(harness_cmd(c, "ZADD s 1 a 2 b"), 2);
    expect_encoding(c, "s", "listpack");
    EXPECT_INT(harness_cmd(c, "ZADD s 3 c"), 1);
    expect_encoding(c, "s", "skiplist");
    EXPECT_STRS(harness_cmd(c, "ZRANGE s 0 -1 WITHSCORES"), "a", "1", "b", "2", "c", "3");
    EXPECT_OK(harness_cmd(c, "CONFIG SET zset-max-listpack-entries 128"));
}

static void test_wrongtype(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET s x"));
    const char *cmds[] = {
        "ZADD s 1 a",
        "ZINCRBY s 1 a",
        "ZSCORE s a",
        "ZMSCORE s a",
        "ZCARD s",
        "ZREM s a",
        "ZRANK s a",
        "ZREVRANK s a",
        "ZCOUNT s 0 1",
        "ZRANGE s 0 -1",
        "ZRANGEBYSCORE s 0 1",
        "ZREVRANGEBYSCORE s 1 0",
        "ZRANGEBYLEX s - +",
        "ZLEXCOUNT s - +",
        "ZREVRANGEBYLEX s + -",
        "ZREVRANGE s 0 -1",
        "ZREMRANGEBYRANK s 0 1",
        "ZREMRANGEBYSCORE s 0 1",
        "ZREMRANGEBYLEX s - +",
        "ZPOPMIN s",
        "ZPOPMAX s 2",
        "ZRANDMEMBER s",
        "ZRANDMEMBER s 2",
        "ZSCAN s 0",
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, cmds[i]), WRONGTYPE);
    EXPECT_STR(harness_cmd(c, "GET s"), "x");
    /* Argument errors come first where Redis checks them first. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZADD s x a"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZCOUNT s x 1"), RANGE_NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZPOPMIN s -1"),
                       "ERR value is out of range, must be positive");
    /* And the other way: string and hash commands on a sorted set. */
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GET z"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HGET z a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPUSH z a"), WRONGTYPE);
    EXPECT_STATUS(harness_cmd(c, "TYPE z"), "zset");
}

/* ZUNION ZINTER ZDIFF numkeys key ... [WEIGHTS] [AGGREGATE] [WITHSCORES]:
 * sorted sets and plain sets (members score 1) as inputs. */
static void test_algebra(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z1 1 a 2 b 3 c"), 3);
    EXPECT_INT(harness_cmd(c, "ZADD z2 1 b 2 c 3 d"), 3);
    EXPECT_INT(harness_cmd(c, "SADD s a b x"), 3);
    EXPECT_INT(harness_cmd(c, "SADD ints 1 2 b2"), 3);
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2"), "a", "b", "d", "c");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 WITHSCORES"), "a", "1", "b", "3", "d", "3", "c",
                "5");
    EXPECT_STRS(harness_cmd(c, "ZUNION 3 z1 z2 s withscores"), "x", "1", "a", "2", "d", "3", "b",
                "4", "c", "5");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 z1 z2 WITHSCORES"), "b", "3", "c", "5");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 z1 s WITHSCORES"), "a", "2", "b", "3");
    EXPECT_STRS(harness_cmd(c, "ZINTER 3 z1 z2 s"), "b");
    EXPECT_STRS(harness_cmd(c, "ZDIFF 2 z1 z2 WITHSCORES"), "a", "1");
    EXPECT_STRS(harness_cmd(c, "ZDIFF 2 z2 s WITHSCORES"), "c", "2", "d", "3");
    EXPECT_STRS(harness_cmd(c, "ZDIFF 1 s WITHSCORES"), "a", "1", "b", "1", "x", "1");
    EXPECT_STRS(harness_cmd(c, "ZUNION 1 ints WITHSCORES"), "1", "1", "2", "1", "b2", "1");
    EXPECT_EMPTY(harness_cmd(c, "ZINTER 2 ints z1"));
    /* Missing keys are empty inputs. */
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 missing z1"), "a", "b", "c");
    EXPECT_EMPTY(harness_cmd(c, "ZINTER 2 missing z1"));
    EXPECT_EMPTY(harness_cmd(c, "ZDIFF 2 missing z1"));
    EXPECT_STRS(harness_cmd(c, "ZDIFF 2 z1 missing"), "a", "b", "c");
    EXPECT_EMPTY(harness_cmd(c, "ZUNION 1 missing"));
    /* The same key twice. */
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 z1 z1 WITHSCORES"), "a", "2", "b", "4", "c", "6");
    EXPECT_EMPTY(harness_cmd(c, "ZDIFF 2 z1 z1"));
    EXPECT_STRS(harness_cmd(c, "ZDIFF 3 z1 missing z2"), "a");

    /* WEIGHTS multiply, AGGREGATE picks the sum, minimum or maximum. */
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 2 3 WITHSCORES"), "a", "2", "b", "7", "d",
                "9", "c", "12");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 AGGREGATE MIN WITHSCORES"), "a", "1", "b", "1", "c",
                "2", "d", "3");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 aggregate max withscores"), "a", "1", "b", "2", "c",
                "3", "d", "3");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 AGGREGATE SUM WITHSCORES"), "a", "1", "b", "3", "d",
                "3", "c", "5");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 z1 z2 WEIGHTS 1 -1 AGGREGATE MAX WITHSCORES"), "b", "2",
                "c", "3");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 z1 s WEIGHTS 0.5 10 WITHSCORES"), "a", "10.5", "b", "11");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 1 1 WEIGHTS 0 1 WITHSCORES"), "a", "0", "b",
                "1", "c", "2", "d", "3");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 AGGREGATE MIN AGGREGATE MAX WITHSCORES"), "a", "1",
                "b", "2", "c", "3", "d", "3");
    /* WITHSCORES anywhere among the options, and more than once. */
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 WITHSCORES WEIGHTS 1 2 WITHSCORES"), "a", "1", "b",
                "4", "d", "6", "c", "7");

    /* Infinities: a NaN product (0 x inf) and a NaN sum (inf + -inf) are
     * 0; inputs of one size are summed in the order given. */
    EXPECT_INT(harness_cmd(c, "ZADD pinf inf m"), 1);
    EXPECT_INT(harness_cmd(c, "ZADD ninf -inf m"), 1);
    EXPECT_INT(harness_cmd(c, "ZADD five 5 m"), 1);
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 pinf ninf WITHSCORES"), "m", "0");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 pinf ninf WITHSCORES"), "m", "0");
    EXPECT_STRS(harness_cmd(c, "ZUNION 1 pinf WEIGHTS 0 WITHSCORES"), "m", "0");
    EXPECT_STRS(harness_cmd(c, "ZUNION 1 pinf WEIGHTS -1 WITHSCORES"), "m", "-inf");
    EXPECT_STRS(harness_cmd(c, "ZUNION 3 pinf ninf five WITHSCORES"), "m", "5");
    EXPECT_STRS(harness_cmd(c, "ZUNION 3 pinf five ninf WITHSCORES"), "m", "0");
    EXPECT_STRS(harness_cmd(c, "ZINTER 3 pinf ninf five WITHSCORES"), "m", "5");
    EXPECT_STRS(harness_cmd(c, "ZINTER 3 five pinf ninf WITHSCORES"), "m", "0");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 pinf ninf AGGREGATE MIN WITHSCORES"), "m", "-inf");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 pinf five WEIGHTS 0 1 AGGREGATE MAX WITHSCORES"), "m",
                "5");
    EXPECT_STRS(harness_cmd(c, "ZINTER 2 five pinf WEIGHTS 1 0 AGGREGATE MIN WITHSCORES"), "m",
                "5");
    EXPECT_STRS(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS inf -inf WITHSCORES"), "d", "-inf", "b", "0",
                "c", "0", "a", "inf");
    EXPECT_STRS(harness_cmd(c, "ZUNION 1 z1 WEIGHTS 1e308 WITHSCORES"), "a", "1e+308", "b", "inf",
                "c", "inf");
    /* A score of 0 weighted by -1 is -0: replied as such. */
    EXPECT_INT(harness_cmd(c, "ZADD zero 0 m"), 1);
    EXPECT_STRS(harness_cmd(c, "ZUNION 1 zero WEIGHTS -1 WITHSCORES"), "m", "-0");

    /* Errors: numkeys first, then every key's type, then the options. */
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 0 z1"),
                       "ERR at least 1 input key is needed for 'zunion' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTER -1 z1"),
                       "ERR at least 1 input key is needed for 'zinter' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFF 0 z1"),
                       "ERR at least 1 input key is needed for 'zdiff' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION x z1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 3 z1 z2"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTER 2 missing str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFF 2 z1 str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 str foo"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 foo"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 1 x"),
                       "ERR weight value is not a float");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 1 nan"),
                       "ERR weight value is not a float");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 WEIGHTS 1 2 3"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 AGGREGATE"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 2 z1 z2 AGGREGATE avg"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTER 1 z1 LIMIT 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFF 2 z1 z2 WEIGHTS 1 2"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFF 1 z1 AGGREGATE MIN"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNION 1"),
                       "ERR wrong number of arguments for 'zunion' command");
}

/* ZUNIONSTORE ZINTERSTORE ZDIFFSTORE destination numkeys key ...: the
 * destination's size, its encoding as Redis picks it, an empty result
 * deleting it. */
static void test_algebra_store(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z1 1 a 2 b 3 c"), 3);
    EXPECT_INT(harness_cmd(c, "ZADD z2 1 b 2 c 3 d"), 3);
    EXPECT_INT(harness_cmd(c, "SADD s a b x"), 3);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 2 z1 z2"), 4);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "a", "1", "b", "3", "d", "3", "c", "5");
    expect_encoding(c, "d", "listpack");
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 z1 z2 WEIGHTS 2 1 AGGREGATE MAX"), 2);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "b", "4", "c", "6");
    EXPECT_INT(harness_cmd(c, "ZDIFFSTORE d 2 z1 s"), 1);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "c", "3");
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 s"), 3);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "a", "1", "b", "1", "x", "1");
    EXPECT_STATUS(harness_cmd(c, "TYPE d"), "zset");
    /* The destination among the sources. */
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 2 d z1 WEIGHTS 10 1"), 4);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "c", "3", "x", "10", "a", "11", "b",
                "12");
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE z1 2 z1 z1"), 3);
    EXPECT_STRS(harness_cmd(c, "ZRANGE z1 0 -1 WITHSCORES"), "a", "2", "b", "4", "c", "6");
    /* Over another type, with a TTL: replaced, TTL gone. */
    EXPECT_OK(harness_cmd(c, "SET other v EX 100"));
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE other 1 z2"), 3);
    EXPECT_STATUS(harness_cmd(c, "TYPE other"), "zset");
    EXPECT_INT(harness_cmd(c, "TTL other"), -1);
    /* An empty result deletes the destination, whatever it was. */
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE other 2 z2 missing"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS other"), 0);
    EXPECT_OK(harness_cmd(c, "SET other v"));
    EXPECT_INT(harness_cmd(c, "ZDIFFSTORE other 2 z2 z2"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS other"), 0);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE other 1 missing"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS other"), 0);
    /* A string destination that is not a source is simply replaced; as a
     * source it is WRONGTYPE and stays. */
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE str 2 str z2"), WRONGTYPE);
    EXPECT_STATUS(harness_cmd(c, "TYPE str"), "string");
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE str 1 z2"), 3);
    EXPECT_STATUS(harness_cmd(c, "TYPE str"), "zset");

    /* Errors. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE d 0 z1"),
                       "ERR at least 1 input key is needed for 'zunionstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERSTORE d 0 z1"),
                       "ERR at least 1 input key is needed for 'zinterstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFFSTORE d -5 z1"),
                       "ERR at least 1 input key is needed for 'zdiffstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE d x z1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE d 2 z1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE d 1 z1 WITHSCORES"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFFSTORE d 1 z1 WITHSCORES"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFFSTORE d 1 z1 AGGREGATE SUM"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERSTORE d 1 z1 WEIGHTS z"),
                       "ERR weight value is not a float");
    EXPECT_INT(harness_cmd(c, "LPUSH list v"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERSTORE d 2 z1 list"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZUNIONSTORE d 1"),
                       "ERR wrong number of arguments for 'zunionstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZDIFFSTORE d 1"),
                       "ERR wrong number of arguments for 'zdiffstore' command");
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1"), "c", "x", "a", "b");

    /* The encoding: listpack up to zset-max-listpack-entries members of
     * at most zset-max-listpack-value bytes, else skiplist. */
    add_members(c, "big", 0, 128, 1);
    expect_encoding(c, "big", "listpack");
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 big"), 128);
    expect_encoding(c, "d", "listpack");
    EXPECT_INT(harness_cmd(c, "ZADD big2 1000 extra"), 1);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 2 big big2"), 129);
    expect_encoding(c, "d", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZDIFFSTORE d 2 d big2"), 128);
    expect_encoding(c, "d", "listpack");
    add_members(c, "huge", 0, 300, 0.5);
    expect_encoding(c, "huge", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 huge big"), 128);
    expect_encoding(c, "d", "listpack");
    EXPECT_STR(harness_cmd(c, "ZSCORE d m100"), "150");
    EXPECT_INT(harness_cmd(c, "ZDIFFSTORE d 2 huge big"), 172);
    expect_encoding(c, "d", "skiplist");
    char longer[66];
    memset(longer, 'x', 65);
    longer[65] = '\0';
    EXPECT_INT(harness_cmd(c, "ZADD long 1 %s", longer), 1);
    expect_encoding(c, "long", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 long"), 1);
    expect_encoding(c, "d", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZDIFFSTORE d 1 z2"), 3);
    expect_encoding(c, "d", "listpack");
    longer[64] = '\0';
    EXPECT_INT(harness_cmd(c, "ZADD long 1 %s", longer), 1);
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 long long"), 2);
    expect_encoding(c, "d", "skiplist");
    EXPECT_INT(harness_cmd(c, "ZREM long x%s", longer), 1);
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 long long"), 1);
    expect_encoding(c, "d", "listpack");
    set_entries_limit(c, 0);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 z2"), 3);
    expect_encoding(c, "d", "skiplist");
    set_entries_limit(c, 128);
    /* -0: the listpack stores 0, the skiplist keeps -0. */
    EXPECT_INT(harness_cmd(c, "ZADD zero 0 m"), 1);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 zero WEIGHTS -1"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE d m"), "0");
    set_entries_limit(c, 0);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 zero WEIGHTS -1"), 1);
    EXPECT_STR(harness_cmd(c, "ZSCORE d m"), "-0");
    set_entries_limit(c, 128);
    /* A result with a long member is a skiplist from the start: -0 stays. */
    longer[64] = 'x';
    EXPECT_INT(harness_cmd(c, "ZADD zero 1 %s", longer), 1);
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 1 zero WEIGHTS -1"), 2);
    expect_encoding(c, "d", "skiplist");
    EXPECT_STR(harness_cmd(c, "ZSCORE d m"), "-0");
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 zero zero WEIGHTS -1 1 AGGREGATE MIN"), 2);
    EXPECT_STR(harness_cmd(c, "ZSCORE d m"), "-0");
    EXPECT_INT(harness_cmd(c, "ZREM zero %s", longer), 1);
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 2 zero zero WEIGHTS -1 1 AGGREGATE MIN"), 1);
    expect_encoding(c, "d", "listpack");
    EXPECT_STR(harness_cmd(c, "ZSCORE d m"), "0");
    /* Infinite scores are stored. */
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 2 z2 s WEIGHTS inf -inf"), 5);
    EXPECT_STRS(harness_cmd(c, "ZRANGE d 0 -1 WITHSCORES"), "a", "-inf", "x", "-inf", "b", "0", "c",
                "inf", "d", "inf");

    /* Counted as one change; a deleted destination too, a missing one
     * left missing not. */
    long long before = harness_info_int(c, "persistence", "rdb_changes_since_last_save");
    EXPECT_INT(harness_cmd(c, "ZUNIONSTORE d 2 z2 s"), 5);
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 1 missing"), 0);
    EXPECT_INT(harness_cmd(c, "ZINTERSTORE d 1 missing"), 0);
    CHECK(harness_info_int(c, "persistence", "rdb_changes_since_last_save") - before == 2);

    /* In a transaction, with keys in many shards. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "ZUNIONSTORE d 2 z2 s"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "ZINTER 2 d z2"), "QUEUED");
    redisReply *r = harness_cmd(c, "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->integer == 5 &&
          r->element[1]->elements == 3);
    freeReplyObject(r);
    const char *argv[67];
    size_t lens[67];
    char names[64][16];
    argv[0] = "ZUNIONSTORE";
    argv[1] = "dst";
    argv[2] = "64";
    for (int i = 0; i < 64; i++) {
        snprintf(names[i], sizeof(names[i]), "k%d", i);
        EXPECT_INT(harness_cmd(c, "ZADD %s 1 common %d m%d", names[i], i, i), 2);
        argv[i + 3] = names[i];
    }
    for (int i = 0; i < 67; i++) lens[i] = strlen(argv[i]);
    EXPECT_INT(harness_cmd_argv(c, 67, argv, lens), 65);
    EXPECT_STR(harness_cmd(c, "ZSCORE dst common"), "64");
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit]. */
static void test_zintercard(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "ZADD z1 1 a 2 b 3 c"), 3);
    EXPECT_INT(harness_cmd(c, "ZADD z2 1 b 2 c 3 d"), 3);
    EXPECT_INT(harness_cmd(c, "SADD s a b c x"), 4);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 1 z1"), 3);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 z2"), 2);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 3 z1 z2 s"), 2);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 z1"), 3);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 missing"), 0);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 z2 LIMIT 1"), 1);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 z2 limit 0"), 2);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 s LIMIT 5"), 3);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 z1 s LIMIT 2 LIMIT 0"), 3);
    add_members(c, "big", 0, 500, 1);
    add_members(c, "big2", 250, 1000, 1);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 big big2"), 250);
    EXPECT_INT(harness_cmd(c, "ZINTERCARD 2 big big2 LIMIT 7"), 7);

    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 0 z1"),
                       "ERR at least 1 input key is needed for 'zintercard' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD x z1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 2 z1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 LIMIT -1"), "ERR LIMIT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 LIMIT x"), "ERR LIMIT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 LIMIT"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 WITHSCORES"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 WEIGHTS 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1 z1 AGGREGATE MIN"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 2 z1 str LIMIT -1"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZINTERCARD 1"),
                       "ERR wrong number of arguments for 'zintercard' command");
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
    EXPECT_INT(harness_cmd(c, "ZADD d 1 a 2.5 b -0 c 1e300 d inf e 0.1 f 7 100"), 7);
    expect_encoding(c, "d", "listpack");
    expect_digest(c, "d", "43091cf0e007b316231299bbf9e9bb33789b1c2b");
    /* The skiplist digests -0 as "-0", the listpack stored 0. */
    set_entries_limit(c, 0);
    EXPECT_INT(harness_cmd(c, "ZADD d2 1 a 2.5 b -0 c 1e300 d inf e 0.1 f 7 100"), 7);
    expect_encoding(c, "d2", "skiplist");
    expect_digest(c, "d2", "6252edbafd8ad87a1056a9c8617024d235db6e2c");
    set_entries_limit(c, 128);
    add_members(c, "big", 0, 200, 1.5);
    expect_encoding(c, "big", "skiplist");
    expect_digest(c, "big", "99c49c98e1a1016a967e827e270d598f3730de8b");
    set_entries_limit(c, 1000);
    add_members(c, "biglp", 0, 200, 1.5);
    expect_encoding(c, "biglp", "listpack");
    expect_digest(c, "biglp", "99c49c98e1a1016a967e827e270d598f3730de8b");
    set_entries_limit(c, 128);
}

static void test_dirty(redisContext *c)
{
    long long before = harness_info_int(c, "persistence", "rdb_changes_since_last_save");
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c"), 3);
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 5 b"), 0); /* one update */
    EXPECT_INT(harness_cmd(c, "ZREM z a nope"), 1);
    CHECK(harness_info_int(c, "persistence", "rdb_changes_since_last_save") - before == 5);
}

/* Every in-place change of a sorted set fails a WATCH of its key. */
static void check_watch_fails(redisContext *c, redisContext *other, const char *cmd)
{
    EXPECT_OK(harness_cmd(c, "WATCH w"));
    char words[128];
    const char *argv[8];
    size_t lens[8];
    int n = 0;
    snprintf(words, sizeof(words), "%s", cmd);
    for (char *w = strtok(words, " "); w && n < 8; w = strtok(NULL, " ")) {
        argv[n] = w;
        lens[n++] = strlen(w);
    }
    redisReply *r = harness_cmd_argv(other, n, argv, lens);
    CHECK(r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    r = harness_cmd(c, "EXEC");
    if (r->type != REDIS_REPLY_NIL) harness_fail(__FILE__, __LINE__, "EXEC ran after %s", cmd);
    freeReplyObject(r);
}

static struct server *the_server;

static void test_watch(redisContext *c)
{
    redisContext *other = harness_connect(the_server);
    EXPECT_INT(harness_cmd(c, "ZADD w 1 a 2 b 3 c 4 d 5 e 6 f 0 x 0 y"), 8);
    const char *cmds[] = {
        "ZADD w 10 a",
        "ZINCRBY w 1 b",
        "ZADD w INCR 1 c",
        "ZREM w d",
        "ZPOPMIN w",
        "ZPOPMAX w",
        "ZREMRANGEBYRANK w 0 0",
        "ZREMRANGEBYSCORE w 3 4",
        "ZREMRANGEBYLEX w [e [e",
        "ZUNIONSTORE w 1 w",
        "ZINTERSTORE w 2 w w",
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        check_watch_fails(c, other, cmds[i]);
    redisFree(other);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_zadd,          test_zincrby_zscore, test_formatting,  test_rem_rank_count,
        test_ranges,        test_remrange,       test_pop,         test_randmember,
        test_zscan,         test_encoding,       test_wrongtype,   test_digest,
        test_dirty,         test_watch,          test_zrangestore, test_algebra,
        test_algebra_store, test_zintercard,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    struct server s;
    if (harness_start(&s, binary, args) != 0) return 1;
    the_server = &s;
    redisContext *c = harness_connect(&s);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        EXPECT_OK(harness_cmd(c, "FLUSHALL"));
        tests[i](c);
    }
    redisFree(c);
    harness_stop(&s);
    printf("test_zsets: all passed\n");
    return 0;
}
