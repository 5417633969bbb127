/*
 * test_sets: the set commands of Redis 7.0 (SADD SREM SISMEMBER SMISMEMBER
 * SMEMBERS SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SUNION SDIFF
 * SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN) against a real server process, replies and
 * error strings word for word, plus set-max-intset-entries and the
 * encoding conversion it drives.
 *
 * Usage: test_sets <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Besides every option and error: an emptied set never remains (the key
 * goes), OBJECT ENCODING flips from intset to hashtable at exactly 513
 * integers by default and on the first non-integer member (and never
 * back, but for SPOP's rebuild of a set it empties most of, as Redis), SADD
 * of members already there does not fail a WATCH, SSCAN returns every
 * member of both encodings, SPOP and SRANDMEMBER's distinct and repeating
 * counts, the STORE forms (a destination of another type is replaced, an
 * empty result deletes it), and DEBUG DIGEST-VALUE of sets of both
 * encodings equals redis-server's.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOT_INTEGER "ERR value is not an integer or out of range"
#define SYNTAX "ERR syntax error"

/* SADD key <prefix><i> for i in [from, to), 500 members per command. */
static void add_members(redisContext *c, const char *key, const char *prefix, long from, long to)
{
    enum { BATCH = 500 };
    static char bufs[BATCH][32];
    const char *argv[BATCH + 2];
    size_t lens[BATCH + 2];
    while (from < to) {
        int n = 0;
        argv[n] = "SADD";
        lens[n++] = 4;
        argv[n] = key;
        lens[n++] = strlen(key);
        for (; n < BATCH + 2 && from < to; from++, n++) {
            lens[n] = (size_t)snprintf(bufs[n - 2], sizeof(bufs[0]), "%s%ld", prefix, from);
            argv[n] = bufs[n - 2];
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An array holding exactly the given strings, in any order. */
static void expect_members_at(redisReply *r, const char *const *want, size_t n, int line)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != n) {
        harness_fail(__FILE__, line, "expected an array of %zu, got %s of %zu", n,
                     harness_reply_type_name(r->type), r->elements);
        return;
    }
    const char **got = malloc((n ? n : 1) * sizeof(*got));
    const char **exp = malloc((n ? n : 1) * sizeof(*exp));
    for (size_t i = 0; i < n; i++) {
        CHECK(r->element[i]->type == REDIS_REPLY_STRING);
        got[i] = r->element[i]->str;
        exp[i] = want[i];
    }
    qsort(got, n, sizeof(*got), cmp_str);
    qsort(exp, n, sizeof(*exp), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (strcmp(got[i], exp[i]) != 0)
            harness_fail(__FILE__, line, "member %zu: %s, expected %s", i, got[i], exp[i]);
    free(got);
    free(exp);
    freeReplyObject(r);
}
#define EXPECT_MEMBERS(r, ...)                                                                     \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__};                                                 \
        expect_members_at((r), want_, sizeof(want_) / sizeof(want_[0]), __LINE__);                 \
    } while (0)

static void expect_empty_array_at(redisReply *r, int line)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 0)
        harness_fail(__FILE__, line, "expected an empty array, got %s",
                     harness_reply_type_name(r->type));
    freeReplyObject(r);
}
#define EXPECT_EMPTY(r) expect_empty_array_at((r), __LINE__)

static void test_basic(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD s a b c a"), 3);
    EXPECT_INT(harness_cmd(c, "SADD s c d"), 1);
    EXPECT_STATUS(harness_cmd(c, "TYPE s"), "set");
    EXPECT_INT(harness_cmd(c, "SCARD s"), 4);
    EXPECT_INT(harness_cmd(c, "SCARD missing"), 0);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS s"), "a", "b", "c", "d");
    EXPECT_EMPTY(harness_cmd(c, "SMEMBERS missing"));
    EXPECT_INT(harness_cmd(c, "SISMEMBER s a"), 1);
    EXPECT_INT(harness_cmd(c, "SISMEMBER s z"), 0);
    EXPECT_INT(harness_cmd(c, "SISMEMBER missing a"), 0);
    redisReply *r = harness_cmd(c, "SMISMEMBER s a z d");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    CHECK(r->element[0]->integer == 1 && r->element[1]->integer == 0 &&
          r->element[2]->integer == 1);
    freeReplyObject(r);
    r = harness_cmd(c, "SMISMEMBER missing a b");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(r->element[0]->integer == 0 && r->element[1]->integer == 0);
    freeReplyObject(r);

    EXPECT_INT(harness_cmd(c, "SREM s a z"), 1);
    EXPECT_INT(harness_cmd(c, "SREM s z"), 0);
    EXPECT_INT(harness_cmd(c, "SREM missing a"), 0);
    EXPECT_INT(harness_cmd(c, "SREM s b c d e"), 3);
    EXPECT_INT(harness_cmd(c, "EXISTS s"), 0);

    /* Integers: canonical forms only go into the intset. */
    EXPECT_INT(harness_cmd(c, "SADD i 1 2 3 -5 1"), 4);
    expect_encoding(c, "i", "intset");
    EXPECT_INT(harness_cmd(c, "SISMEMBER i 01"), 0);
    EXPECT_INT(harness_cmd(c, "SISMEMBER i -5"), 1);
    EXPECT_INT(harness_cmd(c, "SREM i 01 +1"), 0);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS i"), "-5", "1", "2", "3");
    EXPECT_INT(harness_cmd(c, "SADD i 01"), 1);
    expect_encoding(c, "i", "hashtable");
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS i"), "-5", "1", "2", "3", "01");
    EXPECT_INT(harness_cmd(c, "SREM i 01"), 1);
    expect_encoding(c, "i", "hashtable");
    EXPECT_INT(harness_cmd(c, "SADD j 9223372036854775807 -9223372036854775808"), 2);
    expect_encoding(c, "j", "intset");
    EXPECT_INT(harness_cmd(c, "SADD j 9223372036854775808"), 1);
    expect_encoding(c, "j", "hashtable");
    /* A set whose first member is not an integer starts as a hashtable. */
    EXPECT_INT(harness_cmd(c, "SADD k x 1"), 2);
    expect_encoding(c, "k", "hashtable");
    EXPECT_INT(harness_cmd(c, "SADD e %b", "", (size_t)0), 1);
    EXPECT_INT(harness_cmd(c, "SISMEMBER e %b", "", (size_t)0), 1);

    /* Arity. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "SADD s"),
                       "ERR wrong number of arguments for 'sadd' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SREM s"),
                       "ERR wrong number of arguments for 'srem' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SISMEMBER s"),
                       "ERR wrong number of arguments for 'sismember' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMISMEMBER s"),
                       "ERR wrong number of arguments for 'smismember' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCARD s x"),
                       "ERR wrong number of arguments for 'scard' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMEMBERS s x"),
                       "ERR wrong number of arguments for 'smembers' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMOVE a b"),
                       "ERR wrong number of arguments for 'smove' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP"), "ERR wrong number of arguments for 'spop' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER"),
                       "ERR wrong number of arguments for 'srandmember' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTER"),
                       "ERR wrong number of arguments for 'sinter' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERSTORE d"),
                       "ERR wrong number of arguments for 'sinterstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SUNIONSTORE d"),
                       "ERR wrong number of arguments for 'sunionstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SDIFFSTORE d"),
                       "ERR wrong number of arguments for 'sdiffstore' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN s"),
                       "ERR wrong number of arguments for 'sscan' command");
}

static void test_encoding(redisContext *c)
{
    add_members(c, "s", "", 0, 512);
    expect_encoding(c, "s", "intset");
    EXPECT_INT(harness_cmd(c, "SCARD s"), 512);
    EXPECT_INT(harness_cmd(c, "SADD s 5"), 0);
    expect_encoding(c, "s", "intset");
    EXPECT_INT(harness_cmd(c, "SADD s 512"), 1);
    expect_encoding(c, "s", "hashtable");
    EXPECT_INT(harness_cmd(c, "SCARD s"), 513);
    EXPECT_INT(harness_cmd(c, "SISMEMBER s 511"), 1);
    EXPECT_INT(harness_cmd(c, "SISMEMBER s 513"), 0);
    /* Never back, even when small again. */
    add_members(c, "t", "", 0, 513);
    expect_encoding(c, "t", "hashtable");
    for (int i = 0; i < 510; i++) EXPECT_INT(harness_cmd(c, "SREM t %d", i), 1);
    expect_encoding(c, "t", "hashtable");
    EXPECT_INT(harness_cmd(c, "SCARD t"), 3);

    /* The setting. */
    EXPECT_STRS(harness_cmd(c, "CONFIG GET set-max-intset-entries"), "set-max-intset-entries",
                "512");
    EXPECT_OK(harness_cmd(c, "CONFIG SET set-max-intset-entries 4"));
    EXPECT_INT(harness_cmd(c, "SADD u 1 2 3 4"), 4);
    expect_encoding(c, "u", "intset");
    EXPECT_INT(harness_cmd(c, "SADD u 5"), 1);
    expect_encoding(c, "u", "hashtable");
    /* A STORE builds an intset too, converted past the limit. */
    EXPECT_INT(harness_cmd(c, "SADD v 1 2 3"), 3);
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE w v"), 3);
    expect_encoding(c, "w", "intset");
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE w u"), 5);
    expect_encoding(c, "w", "hashtable");
    EXPECT_INT(harness_cmd(c, "SINTERSTORE w u v"), 3);
    expect_encoding(c, "w", "intset");
    EXPECT_OK(harness_cmd(c, "CONFIG SET set-max-intset-entries 512"));
}

static void test_smove(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD a 1 2 x"), 3);
    EXPECT_INT(harness_cmd(c, "SADD b 3"), 1);
    EXPECT_INT(harness_cmd(c, "SMOVE a b 1"), 1);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS a"), "2", "x");
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS b"), "1", "3");
    EXPECT_INT(harness_cmd(c, "SMOVE a b nope"), 0);
    EXPECT_INT(harness_cmd(c, "SMOVE missing b 1"), 0);
    /* Into a new key; the last member takes the source with it. */
    EXPECT_INT(harness_cmd(c, "SMOVE b n 3"), 1);
    expect_encoding(c, "n", "intset");
    EXPECT_INT(harness_cmd(c, "SMOVE b n 1"), 1);
    EXPECT_INT(harness_cmd(c, "EXISTS b"), 0);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS n"), "1", "3");
    /* Already in the destination: still 1, the source loses it. */
    EXPECT_INT(harness_cmd(c, "SADD n 2"), 1);
    EXPECT_INT(harness_cmd(c, "SMOVE a n 2"), 1);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS a"), "x");
    EXPECT_INT(harness_cmd(c, "SMOVE a m x"), 1);
    expect_encoding(c, "m", "hashtable");
    /* Same key: whether it is a member. */
    EXPECT_INT(harness_cmd(c, "SMOVE n n 1"), 1);
    EXPECT_INT(harness_cmd(c, "SMOVE n n 9"), 0);
    EXPECT_INT(harness_cmd(c, "SCARD n"), 3);
    /* Types: a missing source wins over a wrong destination. */
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_INT(harness_cmd(c, "SMOVE missing str 1"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMOVE n str 1"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMOVE str n 1"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMOVE n str 99"), WRONGTYPE);
    EXPECT_INT(harness_cmd(c, "SCARD n"), 3);
}

static long long hits_now(redisContext *c)
{
    long long n = harness_info_int(c, "stats", "keyspace_hits");
    return n;
}

static void test_algebra(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD a 1 2 3 4 x"), 5);
    EXPECT_INT(harness_cmd(c, "SADD b 3 4 5 x"), 4);
    EXPECT_INT(harness_cmd(c, "SADD c 4 x y"), 3);
    EXPECT_MEMBERS(harness_cmd(c, "SINTER a b"), "3", "4", "x");
    EXPECT_MEMBERS(harness_cmd(c, "SINTER a b c"), "4", "x");
    EXPECT_MEMBERS(harness_cmd(c, "SINTER a"), "1", "2", "3", "4", "x");
    EXPECT_MEMBERS(harness_cmd(c, "SINTER a a"), "1", "2", "3", "4", "x");
    EXPECT_EMPTY(harness_cmd(c, "SINTER a missing"));
    EXPECT_MEMBERS(harness_cmd(c, "SUNION a b c"), "1", "2", "3", "4", "5", "x", "y");
    EXPECT_MEMBERS(harness_cmd(c, "SUNION missing c"), "4", "x", "y");
    EXPECT_EMPTY(harness_cmd(c, "SUNION missing"));
    EXPECT_MEMBERS(harness_cmd(c, "SDIFF a b"), "1", "2");
    EXPECT_MEMBERS(harness_cmd(c, "SDIFF a c missing"), "1", "2", "3");
    EXPECT_MEMBERS(harness_cmd(c, "SDIFF a"), "1", "2", "3", "4", "x");
    EXPECT_EMPTY(harness_cmd(c, "SDIFF a a"));
    EXPECT_EMPTY(harness_cmd(c, "SDIFF missing a"));
    /* Integer sets. */
    EXPECT_INT(harness_cmd(c, "SADD i1 1 2 3"), 3);
    EXPECT_INT(harness_cmd(c, "SADD i2 2 3 4"), 3);
    EXPECT_MEMBERS(harness_cmd(c, "SINTER i1 i2"), "2", "3");
    EXPECT_MEMBERS(harness_cmd(c, "SINTER i1 a"), "1", "2", "3");

    /* Every key's type is checked, even after a missing one. */
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTER missing str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTER a str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SUNION a str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SDIFF missing str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SDIFF a str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERSTORE d missing str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SUNIONSTORE d str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SDIFFSTORE d a str"), WRONGTYPE);
    EXPECT_INT(harness_cmd(c, "EXISTS d"), 0);

    /* STORE forms. Their sources are read lookups: keyspace hits. */
    long long hits = hits_now(c);
    EXPECT_INT(harness_cmd(c, "SINTERSTORE d a b"), 3);
    CHECK(hits_now(c) == hits + 2);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "3", "4", "x");
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE d a b"), 6);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "1", "2", "3", "4", "5", "x");
    EXPECT_INT(harness_cmd(c, "SDIFFSTORE d a b"), 2);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "1", "2");
    expect_encoding(c, "d", "intset");
    /* The destination among the sources. */
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE d d c"), 5);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "1", "2", "4", "x", "y");
    EXPECT_INT(harness_cmd(c, "SINTERSTORE d d a"), 4);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "1", "2", "4", "x");
    EXPECT_INT(harness_cmd(c, "SDIFFSTORE d d c"), 2);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "1", "2");
    /* Over another type, with a TTL: replaced, TTL gone. */
    EXPECT_OK(harness_cmd(c, "SET other v EX 100"));
    EXPECT_INT(harness_cmd(c, "SINTERSTORE other a b"), 3);
    EXPECT_STATUS(harness_cmd(c, "TYPE other"), "set");
    EXPECT_INT(harness_cmd(c, "TTL other"), -1);
    EXPECT_INT(harness_cmd(c, "LPUSH list v"), 1);
    EXPECT_INT(harness_cmd(c, "SDIFFSTORE list a"), 5);
    EXPECT_STATUS(harness_cmd(c, "TYPE list"), "set");
    /* An empty result deletes the destination, whatever it was. */
    EXPECT_INT(harness_cmd(c, "SINTERSTORE d a missing"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS d"), 0);
    EXPECT_OK(harness_cmd(c, "SET d v"));
    EXPECT_INT(harness_cmd(c, "SDIFFSTORE d a a"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS d"), 0);
    EXPECT_OK(harness_cmd(c, "SET d v"));
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE d missing"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS d"), 0);
    EXPECT_OK(harness_cmd(c, "SET d v"));
    EXPECT_INT(harness_cmd(c, "SINTERSTORE d i2 c"), 1);
    EXPECT_MEMBERS(harness_cmd(c, "SMEMBERS d"), "4");
    /* The destination's own type does not matter, even when it is a
     * string and also a source. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "SUNIONSTORE str str a"), WRONGTYPE);
    EXPECT_INT(harness_cmd(c, "SUNIONSTORE str a"), 5);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit]. */
static void test_sintercard(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD a 1 2 3 4 x"), 5);
    EXPECT_INT(harness_cmd(c, "SADD b 3 4 5 x"), 4);
    EXPECT_INT(harness_cmd(c, "SADD c 4 x y"), 3);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 1 a"), 5);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b"), 3);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 3 a b c"), 2);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a a"), 5);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a missing"), 0);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 1 missing"), 0);
    /* LIMIT stops the count; 0 is no limit; the last LIMIT wins. */
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b LIMIT 2"), 2);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b limit 1"), 1);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b LIMIT 10"), 3);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b LIMIT 0"), 3);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a b LIMIT 1 LIMIT 0"), 3);
    /* A key named like the option is a key. */
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 a limit"), 0);
    /* Large hashtable sets and intsets. */
    add_members(c, "big1", "", 0, 1000);
    add_members(c, "big2", "", 500, 1500);
    add_members(c, "ints", "", 0, 100);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 big1 big2"), 500);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 big1 big2 LIMIT 100"), 100);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 3 big2 ints big1"), 0);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 ints big1"), 100);
    EXPECT_INT(harness_cmd(c, "SINTERCARD 2 ints a"), 4);

    /* numkeys and the options are checked before the keys. */
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 0 a"), "ERR numkeys should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD -1 a"), "ERR numkeys should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD x a"), "ERR numkeys should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 2 a"),
                       "ERR Number of keys can't be greater than number of args");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1 str LIMIT"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1 str foo"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1 str LIMIT -1"), "ERR LIMIT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1 str LIMIT x"), "ERR LIMIT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1"),
                       "ERR wrong number of arguments for 'sintercard' command");
    /* Every key's type is checked, even after a missing one. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 1 str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 2 missing str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 2 a str LIMIT 1"), WRONGTYPE);
    EXPECT_INT(harness_cmd(c, "ZADD z 1 a"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SINTERCARD 2 a z"), WRONGTYPE);

    /* In a transaction, and reading keys in many shards. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SINTERCARD 2 a b"), "QUEUED");
    redisReply *r = harness_cmd(c, "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->integer == 3);
    freeReplyObject(r);
    const char *argv[66];
    size_t lens[66];
    char names[64][16];
    argv[0] = "SINTERCARD";
    argv[1] = "64";
    for (int i = 0; i < 64; i++) {
        snprintf(names[i], sizeof(names[i]), "k%d", i);
        EXPECT_INT(harness_cmd(c, "SADD %s common %d", names[i], i), 2);
        argv[i + 2] = names[i];
    }
    for (int i = 0; i < 66; i++) lens[i] = strlen(argv[i]);
    EXPECT_INT(harness_cmd_argv(c, 66, argv, lens), 1);
}

/* Array reply into a set of seen members (count per element); checks
 * every element is a member of "0".."n-1". */
static void count_members(redisReply *r, long n, int *seen)
{
    CHECK(r->type == REDIS_REPLY_ARRAY);
    for (size_t i = 0; i < r->elements; i++) {
        CHECK(r->element[i]->type == REDIS_REPLY_STRING);
        const char *s = r->element[i]->str;
        long v = s[0] == 'm' ? atol(s + 1) : atol(s);
        CHECK(v >= 0 && v < n);
        seen[v]++;
    }
}

static void test_spop(redisContext *c)
{
    int seen[1000];
    EXPECT_NIL(harness_cmd(c, "SPOP missing"));
    EXPECT_EMPTY(harness_cmd(c, "SPOP missing 3"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP missing -1"),
                       "ERR value is out of range, must be positive");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP missing x"),
                       "ERR value is out of range, must be positive");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP missing 1 2"), SYNTAX);
    EXPECT_INT(harness_cmd(c, "SADD s 1"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP s 1 2"), SYNTAX);
    EXPECT_STR(harness_cmd(c, "SPOP s"), "1");
    EXPECT_INT(harness_cmd(c, "EXISTS s"), 0);

    for (int enc = 0; enc < 2; enc++) {
        const char *prefix = enc ? "m" : "";
        const char *name = enc ? "hashtable" : "intset";
        long n = enc ? 1000 : 300;
        memset(seen, 0, sizeof(seen));
        add_members(c, "s", prefix, 0, n);
        expect_encoding(c, "s", name);
        EXPECT_EMPTY(harness_cmd(c, "SPOP s 0"));
        redisReply *r = harness_cmd(c, "SPOP s 10");
        CHECK(r->elements == 10);
        count_members(r, n, seen);
        freeReplyObject(r);
        r = harness_cmd(c, "SPOP s %ld", n / 2); /* most of what is left */
        CHECK((long)r->elements == n / 2);
        count_members(r, n, seen);
        freeReplyObject(r);
        EXPECT_INT(harness_cmd(c, "SCARD s"), n - 10 - n / 2);
        r = harness_cmd(c, "SPOP s");
        CHECK(r->type == REDIS_REPLY_STRING);
        freeReplyObject(r);
        r = harness_cmd(c, "SPOP s %ld", n); /* the rest, and the key goes */
        CHECK((long)r->elements == n - 11 - n / 2);
        count_members(r, n, seen);
        freeReplyObject(r);
        EXPECT_INT(harness_cmd(c, "EXISTS s"), 0);
        /* Each member came out once at most (one came out alone). */
        long total = 0;
        for (long i = 0; i < n; i++) {
            CHECK(seen[i] <= 1);
            total += seen[i];
        }
        CHECK(total == n - 1);
    }
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP str 2"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SPOP str -2"),
                       "ERR value is out of range, must be positive");
}

/* SPOP with a count that leaves at most a fifth of the set: Redis moves the
 * members left into a new set (spopWithCountCommand, case 3), which is an
 * intset again when they are all integers and few enough; a smaller count
 * leaves the encoding alone. Found by diff_types. */
static void test_spop_rebuild(redisContext *c)
{
    add_members(c, "s", "", 0, 20);
    EXPECT_INT(harness_cmd(c, "SADD s x"), 1);
    EXPECT_INT(harness_cmd(c, "SREM s x"), 1);
    expect_encoding(c, "s", "hashtable");
    redisReply *r = harness_cmd(c, "SPOP s 3"); /* 17 left: popped one by one */
    CHECK(r->elements == 3);
    freeReplyObject(r);
    expect_encoding(c, "s", "hashtable");
    r = harness_cmd(c, "SPOP s 15"); /* 2 left, 2 * 5 <= 15 */
    CHECK(r->elements == 15);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "SCARD s"), 2);
    expect_encoding(c, "s", "intset");

    /* Past set-max-intset-entries, then popped down to 100 (100 * 5 <= 500). */
    add_members(c, "big", "", 0, 600);
    expect_encoding(c, "big", "hashtable");
    r = harness_cmd(c, "SPOP big 500");
    CHECK(r->elements == 500);
    freeReplyObject(r);
    expect_encoding(c, "big", "intset");

    /* A member left that is not an integer keeps the dict. */
    add_members(c, "m", "m", 0, 1);
    add_members(c, "m", "", 0, 20);
    r = harness_cmd(c, "SPOP m 20"); /* 1 left */
    freeReplyObject(r);
    redisReply *left = harness_cmd(c, "SRANDMEMBER m");
    CHECK(left->type == REDIS_REPLY_STRING);
    expect_encoding(c, "m", strcmp(left->str, "m0") ? "intset" : "hashtable");
    freeReplyObject(left);
}

/* SADD of members already there changes nothing, so it does not fail a
 * WATCH (Redis signals the key only when one was added); SADD of a new
 * member does. Found by diff_types. */
static void test_sadd_watch(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD w 1 a"), 2);
    EXPECT_OK(harness_cmd(c, "WATCH w"));
    EXPECT_INT(harness_cmd(c, "SADD w 1 a"), 0);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SCARD w"), "QUEUED");
    redisReply *r = harness_cmd(c, "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "WATCH w"));
    EXPECT_INT(harness_cmd(c, "SADD w 1 b"), 1);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SCARD w"), "QUEUED");
    EXPECT_NIL(harness_cmd(c, "EXEC"));
    /* SMOVE into a set that has the member already leaves it alone too;
     * the source changed, so a WATCH on it fails. */
    EXPECT_INT(harness_cmd(c, "SADD from a c"), 2);
    EXPECT_OK(harness_cmd(c, "WATCH w"));
    EXPECT_INT(harness_cmd(c, "SMOVE from w a"), 1);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    r = harness_cmd(c, "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "WATCH from"));
    EXPECT_INT(harness_cmd(c, "SMOVE from w c"), 1);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    EXPECT_NIL(harness_cmd(c, "EXEC"));
}

static void test_srandmember(redisContext *c)
{
    int seen[1000];
    EXPECT_NIL(harness_cmd(c, "SRANDMEMBER missing"));
    EXPECT_EMPTY(harness_cmd(c, "SRANDMEMBER missing 5"));
    EXPECT_EMPTY(harness_cmd(c, "SRANDMEMBER missing -5"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER missing x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER missing -9223372036854775808"),
                       "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER missing 1 2"), SYNTAX);
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SRANDMEMBER str 3"), WRONGTYPE);

    for (int enc = 0; enc < 2; enc++) {
        const char *prefix = enc ? "m" : "";
        const char *name = enc ? "hashtable" : "intset";
        long n = enc ? 1000 : 200;
        EXPECT_INT(harness_cmd(c, "DEL s"), enc);
        add_members(c, "s", prefix, 0, n);
        expect_encoding(c, "s", name);
        EXPECT_EMPTY(harness_cmd(c, "SRANDMEMBER s 0"));
        redisReply *r = harness_cmd(c, "SRANDMEMBER s");
        CHECK(r->type == REDIS_REPLY_STRING);
        freeReplyObject(r);
        /* Positive: distinct, capped at the size. */
        long counts[] = {1, 5, n / 10, n / 2, n - 1, n, n + 10};
        for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
            memset(seen, 0, sizeof(seen));
            r = harness_cmd(c, "SRANDMEMBER s %ld", counts[k]);
            long want = counts[k] < n ? counts[k] : n;
            CHECK((long)r->elements == want);
            count_members(r, n, seen);
            freeReplyObject(r);
            for (long i = 0; i < n; i++) CHECK(seen[i] <= 1);
        }
        /* Negative: exactly -count picks, repeats allowed (and, with many
         * more picks than members, certain). */
        memset(seen, 0, sizeof(seen));
        r = harness_cmd(c, "SRANDMEMBER s %ld", -3 * n);
        CHECK((long)r->elements == 3 * n);
        count_members(r, n, seen);
        freeReplyObject(r);
        int repeated = 0, hit = 0;
        for (long i = 0; i < n; i++) {
            repeated |= seen[i] > 1;
            hit += seen[i] > 0;
        }
        CHECK(repeated);
        CHECK(hit > n / 2); /* spread out, not one member over and over */
        EXPECT_INT(harness_cmd(c, "SCARD s"), n);
    }
    EXPECT_INT(harness_cmd(c, "SADD one x"), 1);
    EXPECT_STRS(harness_cmd(c, "SRANDMEMBER one -3"), "x", "x", "x");
    EXPECT_STRS(harness_cmd(c, "SRANDMEMBER one 3"), "x");
}

/* Every member of key via SSCAN with COUNT count (and MATCH pattern when
 * not NULL); checks each is seen and returns how many distinct. */
static long scan_all(redisContext *c, const char *key, long n, const char *pattern, int count)
{
    static int seen[2000];
    memset(seen, 0, sizeof(seen));
    long long cursor = 0;
    long distinct = 0;
    int calls = 0;
    do {
        redisReply *r =
            pattern ? harness_cmd(c, "SSCAN %s %lld MATCH %s COUNT %d", key, cursor, pattern, count)
                    : harness_cmd(c, "SSCAN %s %lld COUNT %d", key, cursor, count);
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        cursor = atoll(r->element[0]->str);
        redisReply *m = r->element[1];
        for (size_t i = 0; i < m->elements; i++) {
            const char *s = m->element[i]->str;
            long v = s[0] == 'm' ? atol(s + 1) : atol(s);
            CHECK(v >= 0 && v < n);
            if (!seen[v]++) distinct++;
        }
        freeReplyObject(r);
        calls++;
    } while (cursor != 0 && calls < 100000);
    return distinct;
}

static void test_sscan(redisContext *c)
{
    /* A missing key: the empty scan, options unread. */
    redisReply *r = harness_cmd(c, "SSCAN missing 0");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "0") == 0 && r->element[1]->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "SSCAN missing 0 COUNT 0");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN missing x"), "ERR invalid cursor");
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN str 0"), WRONGTYPE);

    /* An intset comes back whole, cursor 0, whatever COUNT says. */
    add_members(c, "i", "", 0, 300);
    expect_encoding(c, "i", "intset");
    r = harness_cmd(c, "SSCAN i 0 COUNT 5");
    CHECK(r->type == REDIS_REPLY_ARRAY && strcmp(r->element[0]->str, "0") == 0);
    CHECK(r->element[1]->elements == 300);
    freeReplyObject(r);
    r = harness_cmd(c, "SSCAN i 0 MATCH 1?");
    CHECK(strcmp(r->element[0]->str, "0") == 0 && r->element[1]->elements == 10);
    freeReplyObject(r);
    CHECK(scan_all(c, "i", 300, NULL, 10) == 300);

    add_members(c, "h", "m", 0, 2000);
    expect_encoding(c, "h", "hashtable");
    CHECK(scan_all(c, "h", 2000, NULL, 10) == 2000);
    CHECK(scan_all(c, "h", 2000, NULL, 1) == 2000);
    CHECK(scan_all(c, "h", 2000, NULL, 1000) == 2000);
    CHECK(scan_all(c, "h", 2000, "m1*", 20) == 1111);
    r = harness_cmd(c, "SSCAN h 0");
    CHECK(r->type == REDIS_REPLY_ARRAY && strcmp(r->element[0]->str, "0") != 0);
    freeReplyObject(r);

    /* Options. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN h 0 COUNT 0"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN h 0 COUNT x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN h 0 MATCH"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN h 0 FOO bar"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN i 0 COUNT -1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SSCAN h -x"), "ERR invalid cursor");
}

static void test_wrongtype(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "SADD str a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SREM str a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SISMEMBER str a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMISMEMBER str a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SMEMBERS str"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCARD str"), WRONGTYPE);
    EXPECT_STR(harness_cmd(c, "GET str"), "v");
    /* And the other way. */
    EXPECT_INT(harness_cmd(c, "SADD s a"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GET s"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPUSH s a"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HSET s a 1"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "APPEND s a"), WRONGTYPE);
    EXPECT_OK(harness_cmd(c, "SET s v"));
    EXPECT_STATUS(harness_cmd(c, "TYPE s"), "string");
}

static void expect_digest_at(redisContext *c, const char *key, const char *want, int line)
{
    redisReply *r = harness_cmd(c, "DEBUG DIGEST-VALUE %s", key);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 || strcmp(r->element[0]->str, want) != 0)
        harness_fail(__FILE__, line, "DIGEST-VALUE %s: %s, expected %s", key,
                     r->type == REDIS_REPLY_ARRAY && r->elements == 1 ? r->element[0]->str : "?",
                     want);
    freeReplyObject(r);
}
#define expect_digest(c, key, want) expect_digest_at((c), (key), (want), __LINE__)

static void test_digest(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SADD s a b hello"), 3);
    expect_digest(c, "s", "776df48dbf0fe7bdf261f4c9b6dc94f677fc428b");
    EXPECT_INT(harness_cmd(c, "SADD s2 hello b a"), 3);
    expect_digest(c, "s2", "776df48dbf0fe7bdf261f4c9b6dc94f677fc428b");
    add_members(c, "i", "", 0, 100);
    expect_encoding(c, "i", "intset");
    expect_digest(c, "i", "6753a2e45fd4267886f9d2e31f6e9bc764af6111");
    /* A hashtable of the same members digests as the intset. */
    EXPECT_INT(harness_cmd(c, "SADD h x"), 1);
    add_members(c, "h", "", 0, 100);
    EXPECT_INT(harness_cmd(c, "SREM h x"), 1);
    expect_encoding(c, "h", "hashtable");
    expect_digest(c, "h", "6753a2e45fd4267886f9d2e31f6e9bc764af6111");
    add_members(c, "big", "m", 0, 1000);
    expect_digest(c, "big", "351b86706c8181e24728b9ef86e9e314ac39d342");
    EXPECT_INT(harness_cmd(c, "EXPIRE s 100"), 1);
    expect_digest(c, "s", "91e80a7263360de933771f31f3b65b6d6d520308");
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_basic,       test_encoding, test_smove,        test_algebra,
        test_sintercard,  test_spop,     test_spop_rebuild, test_sadd_watch,
        test_srandmember, test_sscan,    test_wrongtype,    test_digest,
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
    printf("test_sets: all passed\n");
    return 0;
}
