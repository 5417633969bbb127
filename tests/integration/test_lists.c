/*
 * test_lists: the non-blocking list commands of Redis 7.0 (LPUSH RPUSH
 * LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LSET LRANGE LTRIM LREM LINSERT LPOS
 * LMOVE RPOPLPUSH) against a real server process, replies and error strings
 * word for word, plus the list settings list-max-listpack-size and
 * list-compress-depth.
 *
 * Usage: test_lists <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Besides every option and error: an emptied list never remains (the key
 * goes), LMOVE onto the same list, 100,000-element lists sliced and trimmed
 * at quicklist node boundaries, and elements of 0 bytes, 70,000 bytes and
 * integer-looking ones (which a listpack stores as integers).
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOT_INTEGER "ERR value is not an integer or out of range"
#define NOT_POSITIVE "ERR value is out of range, must be positive"
#define SYNTAX "ERR syntax error"

#define BIG_LEN 70000
#define LARGE_N 100000

/* Pushes "v<i>" for i in [from, to) at the tail of key, 1,000 per RPUSH. */
static void push_values(redisContext *c, const char *key, long from, long to)
{
    enum { BATCH = 1000 };
    static char bufs[BATCH][24];
    const char *argv[BATCH + 2];
    size_t lens[BATCH + 2];
    while (from < to) {
        int n = 0;
        argv[n] = "RPUSH";
        lens[n++] = 5;
        argv[n] = key;
        lens[n++] = strlen(key);
        for (; n < BATCH + 2 && from < to; n++, from++) {
            int len = snprintf(bufs[n - 2], sizeof(bufs[0]), "v%ld", from);
            argv[n] = bufs[n - 2];
            lens[n] = (size_t)len;
        }
        redisReply *r = harness_cmd_argv(c, n, argv, lens);
        CHECK(r->type == REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
}

/* LRANGE key start stop must give "v<first>", "v<first+1>", ... (count). */
static void expect_values(redisContext *c, const char *key, long start, long stop, long first,
                          long count)
{
    redisReply *r = harness_cmd(c, "LRANGE %s %ld %ld", key, start, stop);
    if (r->type != REDIS_REPLY_ARRAY || (long)r->elements != count)
        harness_fail(__FILE__, __LINE__, "LRANGE %s %ld %ld: %s of %zu, expected %ld elements", key,
                     start, stop, harness_reply_type_name(r->type), r->elements, count);
    for (long i = 0; i < count; i++) {
        char want[24];
        snprintf(want, sizeof(want), "v%ld", first + i);
        redisReply *el = r->element[i];
        if (el->type != REDIS_REPLY_STRING || strcmp(el->str, want) != 0)
            harness_fail(__FILE__, __LINE__, "LRANGE %s %ld %ld: element %ld is not %s", key, start,
                         stop, i, want);
    }
    freeReplyObject(r);
}

/* The command must reply the empty array. */
static void expect_empty_at(redisContext *c, const char *cmd, int line)
{
    redisReply *r = harness_cmd(c, cmd);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 0)
        harness_fail(__FILE__, line, "%s: %s of %zu, expected the empty array", cmd,
                     harness_reply_type_name(r->type), r->elements);
    freeReplyObject(r);
}
#define expect_empty(c, cmd) expect_empty_at((c), (cmd), __LINE__)

static long long dirty(redisContext *c)
{
    long long n = harness_info_int(c, "persistence", "rdb_changes_since_last_save");
    return n;
}

static void test_push_pop_basic(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a"), 1);
    EXPECT_INT(harness_cmd(c, "RPUSH l b c"), 3);
    EXPECT_INT(harness_cmd(c, "LPUSH l x y"), 5); /* y x a b c */
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "y", "x", "a", "b", "c");
    EXPECT_STATUS(harness_cmd(c, "TYPE l"), "list");
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING l"), "quicklist");
    EXPECT_INT(harness_cmd(c, "LLEN l"), 5);
    EXPECT_STR(harness_cmd(c, "LPOP l"), "y");
    EXPECT_STR(harness_cmd(c, "RPOP l"), "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "x", "a", "b");
    EXPECT_NIL(harness_cmd(c, "LPOP missing"));
    EXPECT_NIL(harness_cmd(c, "RPOP missing"));
    EXPECT_INT(harness_cmd(c, "LLEN missing"), 0);

    /* Even a one-element list is a quicklist in 7.0. */
    EXPECT_INT(harness_cmd(c, "LPUSH one 1"), 1);
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING one"), "quicklist");

    /* Each pushed element counts as a change; a pop counts its elements. */
    long long before = dirty(c);
    EXPECT_INT(harness_cmd(c, "RPUSH d 1 2 3"), 3);
    CHECK(dirty(c) == before + 3);
    EXPECT_STRS(harness_cmd(c, "LPOP d 2"), "1", "2");
    CHECK(dirty(c) == before + 5);

    /* A pushed list keeps its TTL; emptying it removes the key. */
    EXPECT_INT(harness_cmd(c, "EXPIRE l 100"), 1);
    EXPECT_INT(harness_cmd(c, "RPUSH l z"), 4);
    EXPECT_INT(harness_cmd(c, "TTL l"), 100);
    EXPECT_INT(harness_cmd(c, "PEXPIRE one 1"), 1);
    harness_sleep_ms(20);
    EXPECT_INT(harness_cmd(c, "LLEN one"), 0);
    EXPECT_INT(harness_cmd(c, "RPUSHX one x"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS one"), 0);
}

static void test_pushx(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "LPUSHX l a"), 0);
    EXPECT_INT(harness_cmd(c, "RPUSHX l a b"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);
    EXPECT_INT(harness_cmd(c, "RPUSH l m"), 1);
    EXPECT_INT(harness_cmd(c, "LPUSHX l a b"), 3);
    EXPECT_INT(harness_cmd(c, "RPUSHX l y z"), 5);
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "a", "m", "y", "z");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPUSHX l"),
                       "ERR wrong number of arguments for 'lpushx' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "RPUSHX l"),
                       "ERR wrong number of arguments for 'rpushx' command");
}

static void test_pop_count(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c d e"), 5);
    EXPECT_STRS(harness_cmd(c, "LPOP l 2"), "a", "b");
    EXPECT_STRS(harness_cmd(c, "RPOP l 2"), "e", "d"); /* in pop order */
    EXPECT_STRS(harness_cmd(c, "LPOP l 1"), "c");      /* an array even for one */
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);

    /* A count larger than the list takes it all and deletes the key. */
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c"), 3);
    EXPECT_STRS(harness_cmd(c, "RPOP l 10"), "c", "b", "a");
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);

    /* Missing key with a count: the nil array (*-1); count 0: the empty
     * array on an existing list, still nil on a missing one. */
    redisReply *r = harness_cmd(c, "LPOP missing 3");
    CHECK(r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    r = harness_cmd(c, "RPOP missing 0");
    CHECK(r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "RPUSH l a"), 1);
    r = harness_cmd(c, "LPOP l 0");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "LLEN l"), 1);

    /* Negative or non-numeric counts: the same "must be positive" error,
     * checked before the key (so before WRONGTYPE). */
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP l -1"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "RPOP l abc"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP l 1.5"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP l 99999999999999999999"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP missing -5"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP l 1 2"),
                       "ERR wrong number of arguments for 'lpop' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "RPOP"), "ERR wrong number of arguments for 'rpop' command");
    EXPECT_INT(harness_cmd(c, "LLEN l"), 1);
    EXPECT_STRS(harness_cmd(c, "LPOP l 9223372036854775807"), "a");
}

static void test_lindex_lset(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c"), 3);
    EXPECT_STR(harness_cmd(c, "LINDEX l 0"), "a");
    EXPECT_STR(harness_cmd(c, "LINDEX l 2"), "c");
    EXPECT_STR(harness_cmd(c, "LINDEX l -1"), "c");
    EXPECT_STR(harness_cmd(c, "LINDEX l -3"), "a");
    EXPECT_NIL(harness_cmd(c, "LINDEX l 3"));
    EXPECT_NIL(harness_cmd(c, "LINDEX l -4"));
    EXPECT_NIL(harness_cmd(c, "LINDEX missing 0"));
    EXPECT_NIL(harness_cmd(c, "LINDEX missing abc")); /* the key is looked up first */
    EXPECT_ERROR_EXACT(harness_cmd(c, "LINDEX l abc"), NOT_INTEGER);

    EXPECT_OK(harness_cmd(c, "LSET l 0 A"));
    EXPECT_OK(harness_cmd(c, "LSET l -1 C"));
    EXPECT_OK(harness_cmd(c, "LSET l 1 12345"));
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "A", "12345", "C");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LSET l 3 x"), "ERR index out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LSET l -4 x"), "ERR index out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LSET missing 0 x"), "ERR no such key");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LSET missing abc x"), "ERR no such key");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LSET l abc x"), NOT_INTEGER);
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);
}

static void test_lrange(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c d"), 4);
    EXPECT_STRS(harness_cmd(c, "LRANGE l 1 2"), "b", "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE l -2 -1"), "c", "d");
    EXPECT_STRS(harness_cmd(c, "LRANGE l -100 1"), "a", "b");
    EXPECT_STRS(harness_cmd(c, "LRANGE l 2 100"), "c", "d");
    expect_empty(c, "LRANGE l 0 -100"); /* empty */
    expect_empty(c, "LRANGE l 3 1");
    expect_empty(c, "LRANGE l 4 10");
    EXPECT_STRS(harness_cmd(c, "LRANGE l -9223372036854775808 9223372036854775807"), "a", "b", "c",
                "d");
    expect_empty(c, "LRANGE missing 0 -1");
    /* The numbers are checked before the key. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "LRANGE missing a 1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LRANGE l 0 1x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LRANGE l 0"),
                       "ERR wrong number of arguments for 'lrange' command");
}

static void test_ltrim(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c d e"), 5);
    EXPECT_OK(harness_cmd(c, "LTRIM l 1 -2"));
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "c", "d");
    EXPECT_OK(harness_cmd(c, "LTRIM l -100 100"));
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "c", "d");
    EXPECT_OK(harness_cmd(c, "LTRIM l 1 1"));
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "c");

    /* An empty range deletes the key. */
    long long before = dirty(c);
    EXPECT_OK(harness_cmd(c, "LTRIM l 1 0"));
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);
    CHECK(dirty(c) == before + 1);
    EXPECT_INT(harness_cmd(c, "RPUSH l a b"), 2);
    EXPECT_OK(harness_cmd(c, "LTRIM l 5 10"));
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);
    EXPECT_INT(harness_cmd(c, "RPUSH l a b"), 2);
    EXPECT_OK(harness_cmd(c, "LTRIM l 0 -3"));
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0);

    EXPECT_OK(harness_cmd(c, "LTRIM missing 0 1"));
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LTRIM missing x 1"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LTRIM missing 1 x"), NOT_INTEGER);
}

static void test_lrem(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b a c a b a"), 7);
    EXPECT_INT(harness_cmd(c, "LREM l 2 a"), 2); /* the first two from the head */
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "c", "a", "b", "a");
    EXPECT_INT(harness_cmd(c, "LREM l -1 b"), 1); /* the last one */
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "c", "a", "a");
    EXPECT_INT(harness_cmd(c, "LREM l 0 a"), 2); /* all of them */
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "b", "c");
    EXPECT_INT(harness_cmd(c, "LREM l 0 zz"), 0);
    EXPECT_INT(harness_cmd(c, "LREM l 100 b"), 1);
    EXPECT_INT(harness_cmd(c, "LREM l -100 c"), 1);
    EXPECT_INT(harness_cmd(c, "EXISTS l"), 0); /* emptied: deleted */

    EXPECT_INT(harness_cmd(c, "RPUSH l x y x"), 3);
    EXPECT_INT(harness_cmd(c, "LREM l -9223372036854775808 x"), 2);
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "y");
    EXPECT_INT(harness_cmd(c, "LREM missing 0 a"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LREM missing x a"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LREM l 1.0 a"), NOT_INTEGER);
}

static void test_linsert(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c b"), 4);
    EXPECT_INT(harness_cmd(c, "LINSERT l BEFORE b x"), 5); /* at the first pivot */
    EXPECT_INT(harness_cmd(c, "LINSERT l after b y"), 6);
    EXPECT_INT(harness_cmd(c, "LINSERT l AfTeR c z"), 7);
    EXPECT_INT(harness_cmd(c, "LINSERT l before a first"), 8);
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "first", "a", "x", "b", "y", "c", "z", "b");
    EXPECT_INT(harness_cmd(c, "LINSERT l BEFORE nope q"), -1);
    EXPECT_INT(harness_cmd(c, "LINSERT missing BEFORE a q"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LINSERT l MIDDLE a q"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LINSERT missing MIDDLE a q"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LINSERT l BEFORE a"),
                       "ERR wrong number of arguments for 'linsert' command");
    EXPECT_INT(harness_cmd(c, "LLEN l"), 8);
}

static void test_lpos(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c 1 2 3 c c"), 8);
    EXPECT_INT(harness_cmd(c, "LPOS l c"), 2);
    EXPECT_INT(harness_cmd(c, "LPOS l 3"), 5);
    EXPECT_NIL(harness_cmd(c, "LPOS l zz"));
    EXPECT_INT(harness_cmd(c, "LPOS l c RANK 2"), 6);
    EXPECT_INT(harness_cmd(c, "LPOS l c RANK -1"), 7);
    EXPECT_INT(harness_cmd(c, "LPOS l c RANK -3"), 2);
    EXPECT_NIL(harness_cmd(c, "LPOS l c RANK 4"));
    EXPECT_NIL(harness_cmd(c, "LPOS l c RANK 9223372036854775807"));

    redisReply *r = harness_cmd(c, "LPOS l c COUNT 2");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(r->element[0]->integer == 2 && r->element[1]->integer == 6);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS l c COUNT 0"); /* all matches */
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[2]->integer == 7);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS l c RANK -1 COUNT 0"); /* from the tail */
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    CHECK(r->element[0]->integer == 7 && r->element[2]->integer == 2);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS l c RANK 2 COUNT 5");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->integer == 6);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS l zz COUNT 1"); /* no match: empty array */
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS missing a COUNT 1");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    EXPECT_NIL(harness_cmd(c, "LPOS missing a"));

    /* MAXLEN bounds the elements compared, from the starting end. */
    EXPECT_NIL(harness_cmd(c, "LPOS l c MAXLEN 2"));
    EXPECT_INT(harness_cmd(c, "LPOS l c MAXLEN 3"), 2);
    EXPECT_INT(harness_cmd(c, "LPOS l a RANK -1 MAXLEN 0"), 0);
    EXPECT_NIL(harness_cmd(c, "LPOS l a RANK -1 MAXLEN 7"));
    r = harness_cmd(c, "LPOS l c COUNT 0 MAXLEN 7");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
    /* Options may repeat (the last wins) and come in any order. */
    EXPECT_INT(harness_cmd(c, "LPOS l c MAXLEN 1 RANK 1 MAXLEN 0 rank 3"), 7);

    /* Redis 7.0 negates RANK in a long: -2^63 acts as "from the tail",
     * every match counting, and COUNT no longer stops the search. */
    EXPECT_INT(harness_cmd(c, "LPOS l c RANK -9223372036854775808"), 7);
    r = harness_cmd(c, "LPOS l c RANK -9223372036854775808 COUNT 1");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    freeReplyObject(r);

    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c RANK 0"),
                       "ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                       "the second ... or use negative to start from the end of the list");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c RANK x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c COUNT -1"), "ERR COUNT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c COUNT x"), "ERR COUNT can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c MAXLEN -1"), "ERR MAXLEN can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c MAXLEN 1.5"), "ERR MAXLEN can't be negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c RANK"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l c FOO 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS missing c RANK 0"),
                       "ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                       "the second ... or use negative to start from the end of the list");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS l"),
                       "ERR wrong number of arguments for 'lpos' command");
}

static void test_lmove(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH src a b c"), 3);
    EXPECT_STR(harness_cmd(c, "LMOVE src dst LEFT RIGHT"), "a");
    EXPECT_STR(harness_cmd(c, "LMOVE src dst right left"), "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE dst 0 -1"), "c", "a");
    EXPECT_STR(harness_cmd(c, "LMOVE src dst RIGHT RIGHT"), "b");
    EXPECT_INT(harness_cmd(c, "EXISTS src"), 0); /* emptied: deleted */
    EXPECT_STRS(harness_cmd(c, "LRANGE dst 0 -1"), "c", "a", "b");
    EXPECT_STR(harness_cmd(c, "RPOPLPUSH dst src"), "b");
    EXPECT_STRS(harness_cmd(c, "LRANGE src 0 -1"), "b");
    EXPECT_NIL(harness_cmd(c, "LMOVE missing dst LEFT LEFT"));
    EXPECT_NIL(harness_cmd(c, "RPOPLPUSH missing dst"));
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);

    /* Onto the same list: a rotation; a one-element list survives. */
    EXPECT_STR(harness_cmd(c, "LMOVE dst dst LEFT RIGHT"), "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE dst 0 -1"), "a", "c");
    EXPECT_STR(harness_cmd(c, "RPOPLPUSH dst dst"), "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE dst 0 -1"), "c", "a");
    EXPECT_STR(harness_cmd(c, "LMOVE dst dst LEFT LEFT"), "c");
    EXPECT_STRS(harness_cmd(c, "LRANGE dst 0 -1"), "c", "a");
    EXPECT_STR(harness_cmd(c, "LMOVE src src RIGHT LEFT"), "b");
    EXPECT_STRS(harness_cmd(c, "LRANGE src 0 -1"), "b");

    /* A destination of another type: WRONGTYPE and nothing moved. */
    EXPECT_OK(harness_cmd(c, "SET str x"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE src str LEFT LEFT"), WRONGTYPE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "RPOPLPUSH src str"), WRONGTYPE);
    EXPECT_STRS(harness_cmd(c, "LRANGE src 0 -1"), "b");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE str src LEFT LEFT"), WRONGTYPE);
    EXPECT_NIL(harness_cmd(c, "LMOVE missing str LEFT LEFT")); /* source first */

    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE src dst UP LEFT"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE src dst LEFT DOWN"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE missing dst LEFT DOWN"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE src dst LEFT"),
                       "ERR wrong number of arguments for 'lmove' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "RPOPLPUSH src"),
                       "ERR wrong number of arguments for 'rpoplpush' command");

    /* Integer and big elements move unchanged. */
    EXPECT_INT(harness_cmd(c, "RPUSH nums -9223372036854775808 012"), 2);
    EXPECT_STR(harness_cmd(c, "LMOVE nums nums2 LEFT LEFT"), "-9223372036854775808");
    EXPECT_STR(harness_cmd(c, "LMOVE nums nums2 LEFT LEFT"), "012");
    EXPECT_STRS(harness_cmd(c, "LRANGE nums2 0 -1"), "012", "-9223372036854775808");
}

static void test_wrongtype(redisContext *c)
{
    static const char *const list_cmds[] = {
        "LPUSH s x",
        "RPUSH s x",
        "LPUSHX s x",
        "RPUSHX s x",
        "LPOP s",
        "RPOP s",
        "LPOP s 2",
        "RPOP s 0",
        "LLEN s",
        "LINDEX s 0",
        "LINDEX s abc",
        "LSET s 0 x",
        "LSET s abc x",
        "LRANGE s 0 -1",
        "LTRIM s 0 -1",
        "LREM s 0 x",
        "LINSERT s BEFORE a b",
        "LPOS s x",
        "LPOS s x COUNT 0",
        "LMOVE s d LEFT LEFT",
        "RPOPLPUSH s d",
    };
    EXPECT_OK(harness_cmd(c, "SET s hello"));
    for (size_t i = 0; i < sizeof(list_cmds) / sizeof(list_cmds[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, list_cmds[i]), WRONGTYPE);
    EXPECT_STR(harness_cmd(c, "GET s"), "hello");
    EXPECT_INT(harness_cmd(c, "EXISTS d"), 0);
    /* Argument errors checked before the key win over WRONGTYPE. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOP s -1"), NOT_POSITIVE);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LRANGE s a 0"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LTRIM s 0 a"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LREM s a x"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LINSERT s MIDDLE a b"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "LPOS s x RANK 0"),
                       "ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                       "the second ... or use negative to start from the end of the list");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMOVE s d LEFT UP"), SYNTAX);

    /* String commands against a list. */
    static const char *const string_cmds[] = {
        "GET l",    "APPEND l x",     "INCR l",         "INCRBYFLOAT l 1",
        "STRLEN l", "GETRANGE l 0 1", "SETRANGE l 0 x", "GETDEL l",
        "GETEX l",  "SET l x GET",    "GETSET l x",     "DECRBY l 1",
    };
    EXPECT_INT(harness_cmd(c, "RPUSH l a b"), 2);
    for (size_t i = 0; i < sizeof(string_cmds) / sizeof(string_cmds[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, string_cmds[i]), WRONGTYPE);
    EXPECT_STRS(harness_cmd(c, "MGET l s"), NULL, "hello");
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "a", "b");
    /* SET overwrites a list. */
    EXPECT_OK(harness_cmd(c, "SET l x"));
    EXPECT_STATUS(harness_cmd(c, "TYPE l"), "string");
}

static void test_elements(redisContext *c)
{
    /* Empty elements. */
    EXPECT_INT(harness_cmd(c, "RPUSH e %b %b", "", (size_t)0, "", (size_t)0), 2);
    EXPECT_STRS(harness_cmd(c, "LRANGE e 0 -1"), "", "");
    EXPECT_INT(harness_cmd(c, "LPOS e %b", "", (size_t)0), 0);
    EXPECT_INT(harness_cmd(c, "LINSERT e AFTER %b x", "", (size_t)0), 3);
    EXPECT_STRS(harness_cmd(c, "LRANGE e 0 -1"), "", "x", "");
    EXPECT_INT(harness_cmd(c, "LREM e 0 %b", "", (size_t)0), 2);
    EXPECT_STRS(harness_cmd(c, "LRANGE e 0 -1"), "x");
    EXPECT_OK(harness_cmd(c, "LSET e 0 %b", "", (size_t)0));
    EXPECT_STR(harness_cmd(c, "LPOP e"), "");
    EXPECT_INT(harness_cmd(c, "EXISTS e"), 0);

    /* Integer-looking elements come back exactly as sent; only canonical
     * forms compare equal to a number. */
    EXPECT_INT(harness_cmd(c, "RPUSH n 12 -3 0 9223372036854775807 -9223372036854775808 012 -0 "
                              "+1 1.0 18446744073709551616 127 128 -4096 65536"),
               14);
    EXPECT_STRS(harness_cmd(c, "LRANGE n 0 -1"), "12", "-3", "0", "9223372036854775807",
                "-9223372036854775808", "012", "-0", "+1", "1.0", "18446744073709551616", "127",
                "128", "-4096", "65536");
    EXPECT_INT(harness_cmd(c, "LPOS n 12"), 0);
    EXPECT_NIL(harness_cmd(c, "LPOS n 1"));
    EXPECT_INT(harness_cmd(c, "LPOS n 012"), 5);
    EXPECT_INT(harness_cmd(c, "LPOS n -0"), 6);
    EXPECT_INT(harness_cmd(c, "LPOS n 0"), 2);
    EXPECT_INT(harness_cmd(c, "LREM n 0 12"), 1);
    EXPECT_INT(harness_cmd(c, "LPOS n 012"), 4);
    EXPECT_INT(harness_cmd(c, "LINSERT n BEFORE -9223372036854775808 42"), 14);
    EXPECT_STR(harness_cmd(c, "LINDEX n 3"), "42");
    EXPECT_OK(harness_cmd(c, "LSET n 0 text"));
    EXPECT_OK(harness_cmd(c, "LSET n 1 100"));
    EXPECT_STRS(harness_cmd(c, "LRANGE n 0 1"), "text", "100");
    EXPECT_STR(harness_cmd(c, "RPOP n"), "65536");
    EXPECT_STRS(harness_cmd(c, "RPOP n 2"), "-4096", "128");

    /* 70,000-byte elements (bigger than a node's 8 KiB). */
    char *big = malloc(BIG_LEN);
    CHECK(big != NULL);
    for (size_t i = 0; i < BIG_LEN; i++) big[i] = (char)('a' + i % 26);
    EXPECT_INT(harness_cmd(c, "RPUSH b x %b y", big, (size_t)BIG_LEN), 3);
    EXPECT_INT(harness_cmd(c, "LPUSH b %b", big, (size_t)BIG_LEN), 4);
    redisReply *r = harness_cmd(c, "LINDEX b 2");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == BIG_LEN && memcmp(r->str, big, BIG_LEN) == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "LRANGE b 0 -1");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    CHECK(r->element[0]->len == BIG_LEN && strcmp(r->element[1]->str, "x") == 0);
    CHECK(r->element[2]->len == BIG_LEN && strcmp(r->element[3]->str, "y") == 0);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "LPOS b %b RANK -1", big, (size_t)BIG_LEN), 2);
    EXPECT_OK(harness_cmd(c, "LSET b 1 %b", big, (size_t)BIG_LEN));
    EXPECT_OK(harness_cmd(c, "LSET b 0 small"));
    EXPECT_INT(harness_cmd(c, "LINSERT b AFTER y %b", big, (size_t)BIG_LEN), 5);
    EXPECT_INT(harness_cmd(c, "LREM b 2 %b", big, (size_t)BIG_LEN), 2);
    EXPECT_STRS(harness_cmd(c, "LRANGE b 0 1"), "small", "y");
    r = harness_cmd(c, "LMOVE b b RIGHT LEFT");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == BIG_LEN && memcmp(r->str, big, BIG_LEN) == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOP b");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == BIG_LEN);
    freeReplyObject(r);
    EXPECT_STRS(harness_cmd(c, "LPOP b 5"), "small", "y");
    EXPECT_INT(harness_cmd(c, "EXISTS b"), 0);
    free(big);
}

static void test_large(redisContext *c)
{
    /* Default fill (-2: nodes of at most 8 KiB). */
    redisReply *r;
    push_values(c, "big", 0, LARGE_N);
    EXPECT_INT(harness_cmd(c, "LLEN big"), LARGE_N);
    expect_values(c, "big", 0, -1, 0, LARGE_N);
    expect_values(c, "big", 49990, 50010, 49990, 21);
    expect_values(c, "big", -10, -1, LARGE_N - 10, 10);
    expect_values(c, "big", -LARGE_N - 5, 4, 0, 5);
    EXPECT_STR(harness_cmd(c, "LINDEX big 77777"), "v77777");
    EXPECT_STR(harness_cmd(c, "LINDEX big -77777"), "v22223");
    EXPECT_INT(harness_cmd(c, "LPOS big v99999"), 99999);
    EXPECT_INT(harness_cmd(c, "LPOS big v0 RANK -1"), 0);
    EXPECT_INT(harness_cmd(c,
                           "RPUSH many m m m m m m m m m m m m m m m m m m m m m m m m m m m m m m "
                           "m m m m m m m m m m"),
               40);
    r = harness_cmd(c, "LPOS many m COUNT 0 RANK 2");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 39);
    for (size_t i = 0; i < 39; i++) CHECK(r->element[i]->integer == (long long)i + 1);
    freeReplyObject(r);
    r = harness_cmd(c, "LPOS many m COUNT 20 RANK -1");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 20 && r->element[19]->integer == 20);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "LSET big 60000 changed"));
    EXPECT_INT(harness_cmd(c, "LPOS big changed"), 60000);
    EXPECT_INT(harness_cmd(c, "LREM big 0 changed"), 1);
    EXPECT_INT(harness_cmd(c, "LINSERT big BEFORE v60001 v60000"), LARGE_N);
    expect_values(c, "big", 59990, 60010, 59990, 21);
    EXPECT_OK(harness_cmd(c, "LTRIM big 12345 -12346"));
    EXPECT_INT(harness_cmd(c, "LLEN big"), LARGE_N - 2 * 12345);
    expect_values(c, "big", 0, -1, 12345, LARGE_N - 2 * 12345);
    r = harness_cmd(c, "LPOP big 1000");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1000);
    CHECK(strcmp(r->element[999]->str, "v13344") == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "RPOP big 100000");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == LARGE_N - 2 * 12345 - 1000);
    CHECK(strcmp(r->element[0]->str, "v87654") == 0);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "EXISTS big"), 0);

    /* Fill 100 elements per node: slices and trims right at, before and
     * after node boundaries. A setting applies to lists created after it. */
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-max-listpack-size 100"));
    push_values(c, "nodes", 0, LARGE_N);
    expect_values(c, "nodes", 99, 100, 99, 2);
    expect_values(c, "nodes", 100, 199, 100, 100);
    expect_values(c, "nodes", 199, 301, 199, 103);
    expect_values(c, "nodes", -101, -100, LARGE_N - 101, 2);
    EXPECT_OK(harness_cmd(c, "LTRIM nodes 100 -101")); /* whole nodes off each end */
    expect_values(c, "nodes", 0, 2, 100, 3);
    expect_values(c, "nodes", -3, -1, LARGE_N - 103, 3);
    EXPECT_OK(harness_cmd(c, "LTRIM nodes 99 -100")); /* one element into a node */
    expect_values(c, "nodes", 0, 0, 199, 1);
    expect_values(c, "nodes", -1, -1, LARGE_N - 200, 1);
    EXPECT_OK(harness_cmd(c, "LTRIM nodes 1 -2")); /* one element off each end */
    EXPECT_INT(harness_cmd(c, "LLEN nodes"), LARGE_N - 400);
    expect_values(c, "nodes", 0, -1, 200, LARGE_N - 400);
    EXPECT_OK(harness_cmd(c, "LTRIM nodes 1000 1000"));
    expect_values(c, "nodes", 0, -1, 1200, 1);
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-max-listpack-size -2"));
}

static void test_config(redisContext *c)
{
    redisReply *r = harness_cmd(c, "CONFIG GET list-max-listpack-size");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[1]->str, "-2") == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "CONFIG GET list-max-ziplist-size");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "list-max-ziplist-size") == 0);
    CHECK(strcmp(r->element[1]->str, "-2") == 0);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-max-ziplist-size 7"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-max-listpack-size"), "list-max-listpack-size", "7");
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-max-listpack-size -100000"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-max-listpack-size"), "list-max-listpack-size",
                "-100000");
    /* A list made with an out-of-range fill still works (clamped). */
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c"), 3);
    EXPECT_STRS(harness_cmd(c, "LRANGE l 0 -1"), "a", "b", "c");
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-max-listpack-size -2"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET list-max-listpack-size abc"),
                       "ERR CONFIG SET failed (possibly related to argument "
                       "'list-max-listpack-size') - argument couldn't be parsed into an integer");

    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-compress-depth"), "list-compress-depth", "0");
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-compress-depth 2"));
    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-compress-depth"), "list-compress-depth", "2");
    EXPECT_INT(harness_cmd(c, "RPUSH l d"), 4);
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET list-compress-depth -1"),
                       "ERR CONFIG SET failed (possibly related to argument "
                       "'list-compress-depth') - argument must be between 0 and 2147483647 "
                       "inclusive");
    EXPECT_OK(harness_cmd(c, "CONFIG SET list-compress-depth 0"));
}

/* The settings given at start-up, as redis.conf-style arguments. */
static void test_startup_config(const char *binary)
{
    static const char *const args[] = {"--list-max-ziplist-size", "3", "--list-compress-depth", "1",
                                       NULL};
    struct server s;
    if (harness_start(&s, binary, args) != 0) harness_fail(__FILE__, __LINE__, "start failed");
    redisContext *c = harness_connect(&s);
    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-max-listpack-size"), "list-max-listpack-size", "3");
    EXPECT_STRS(harness_cmd(c, "CONFIG GET list-compress-depth"), "list-compress-depth", "1");
    push_values(c, "l", 0, 1000);
    expect_values(c, "l", 0, -1, 0, 1000);
    redisFree(c);
    harness_stop(&s);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_push_pop_basic, test_pushx,    test_pop_count, test_lindex_lset, test_lrange,
        test_ltrim,          test_lrem,     test_linsert,   test_lpos,        test_lmove,
        test_wrongtype,      test_elements, test_large,     test_config,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    redisContext *c = harness_connect(&s);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        EXPECT_OK(harness_cmd(c, "FLUSHALL"));
        tests[i](c);
    }
    redisFree(c);
    harness_stop(&s);
    test_startup_config(binary);
    printf("test_lists: all passed\n");
    return 0;
}
