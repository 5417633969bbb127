/*
 * test_keys: the keyspace commands of Redis 7.0 against a real server
 * process: deleting, renaming, expiry (set, read, lazy and active), KEYS,
 * SCAN, RANDOMKEY and the database commands.
 *
 * Usage: test_keys <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Keys of a second type are made with RPUSH (lists).
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOT_INTEGER "ERR value is not an integer or out of range"
#define SYNTAX "ERR syntax error"
#define SCAN_KEYS 1000
#define SCAN_ADDED 200
#define SCAN_MAX_CALLS 100000

static void test_del_unlink_exists(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "MSET a 1 b 2 c 3"));
    EXPECT_INT(harness_cmd(c, "EXISTS a"), 1);
    /* EXISTS counts a key as often as it is named. */
    EXPECT_INT(harness_cmd(c, "EXISTS a a b missing a"), 4);
    EXPECT_INT(harness_cmd(c, "DEL a missing a"), 1);
    EXPECT_INT(harness_cmd(c, "EXISTS a"), 0);
    EXPECT_INT(harness_cmd(c, "UNLINK b c missing"), 2);
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 0);
    if (harness_make_list(c, "l")) EXPECT_INT(harness_cmd(c, "DEL l"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "DEL"), "ERR wrong number of arguments for 'del' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "UNLINK"),
                       "ERR wrong number of arguments for 'unlink' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXISTS"),
                       "ERR wrong number of arguments for 'exists' command");
}

static void test_type(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET s v"));
    EXPECT_STATUS(harness_cmd(c, "TYPE s"), "string");
    if (harness_make_list(c, "l")) EXPECT_STATUS(harness_cmd(c, "TYPE l"), "list");
    EXPECT_STATUS(harness_cmd(c, "TYPE missing"), "none");
}

static void test_rename(redisContext *c)
{
    EXPECT_ERROR_EXACT(harness_cmd(c, "RENAME missing x"), "ERR no such key");
    EXPECT_ERROR_EXACT(harness_cmd(c, "RENAMENX missing x"), "ERR no such key");
    EXPECT_ERROR_EXACT(harness_cmd(c, "RENAME missing missing"), "ERR no such key");

    EXPECT_OK(harness_cmd(c, "SET a 1"));
    EXPECT_OK(harness_cmd(c, "RENAME a a")); /* to itself: fine, unchanged */
    EXPECT_INT(harness_cmd(c, "RENAMENX a a"), 0);
    EXPECT_STR(harness_cmd(c, "GET a"), "1");

    /* The TTL travels with the value. */
    EXPECT_INT(harness_cmd(c, "EXPIRE a 100"), 1);
    EXPECT_OK(harness_cmd(c, "RENAME a b"));
    EXPECT_INT(harness_cmd(c, "EXISTS a"), 0);
    EXPECT_STR(harness_cmd(c, "GET b"), "1");
    EXPECT_INT(harness_cmd(c, "TTL b"), 100);

    /* RENAME overwrites the destination, its TTL included. */
    EXPECT_OK(harness_cmd(c, "SET c 2 EX 500"));
    EXPECT_OK(harness_cmd(c, "SET d 3"));
    EXPECT_OK(harness_cmd(c, "RENAME d c"));
    EXPECT_STR(harness_cmd(c, "GET c"), "3");
    EXPECT_INT(harness_cmd(c, "TTL c"), -1);

    EXPECT_INT(harness_cmd(c, "RENAMENX b c"), 0);
    EXPECT_STR(harness_cmd(c, "GET c"), "3");
    EXPECT_INT(harness_cmd(c, "RENAMENX b e"), 1);
    EXPECT_INT(harness_cmd(c, "TTL e"), 100);

    /* Any type can be renamed, over any type. */
    if (harness_make_list(c, "l")) {
        EXPECT_OK(harness_cmd(c, "RENAME l c"));
        EXPECT_STATUS(harness_cmd(c, "TYPE c"), "list");
    }
    EXPECT_ERROR_EXACT(harness_cmd(c, "RENAME c"),
                       "ERR wrong number of arguments for 'rename' command");
}

static void test_expire_set_and_read(redisContext *c)
{
    long long now = (long long)time(NULL);
    EXPECT_INT(harness_cmd(c, "EXPIRE missing 100"), 0);
    EXPECT_INT(harness_cmd(c, "PEXPIRE missing 100"), 0);
    EXPECT_OK(harness_cmd(c, "SET k v"));
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
    EXPECT_INT(harness_cmd(c, "PTTL k"), -1);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), -1);
    EXPECT_INT(harness_cmd(c, "PEXPIRETIME k"), -1);
    EXPECT_INT(harness_cmd(c, "TTL missing"), -2);
    EXPECT_INT(harness_cmd(c, "PTTL missing"), -2);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME missing"), -2);
    EXPECT_INT(harness_cmd(c, "PEXPIRETIME missing"), -2);

    EXPECT_INT(harness_cmd(c, "EXPIRE k 100"), 1);
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    long long pttl = harness_cmd_int(c, "PTTL k");
    CHECK(pttl > 99000 && pttl <= 100000);
    long long at = harness_cmd_int(c, "EXPIRETIME k");
    CHECK(at >= now + 99 && at <= now + 102);

    EXPECT_INT(harness_cmd(c, "PEXPIRE k 1600"), 1);
    EXPECT_INT(harness_cmd(c, "TTL k"), 2); /* TTL rounds to the nearest second */
    EXPECT_INT(harness_cmd(c, "PEXPIRE k 1400"), 1);
    EXPECT_INT(harness_cmd(c, "TTL k"), 1);

    EXPECT_INT(harness_cmd(c, "EXPIREAT k 4000000000"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), 4000000000LL);
    EXPECT_INT(harness_cmd(c, "PEXPIRETIME k"), 4000000000000LL);
    EXPECT_INT(harness_cmd(c, "PEXPIREAT k 4000000000123"), 1);
    EXPECT_INT(harness_cmd(c, "PEXPIRETIME k"), 4000000000123LL);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), 4000000000LL);
    /* EXPIRETIME rounds to the nearest second too. */
    EXPECT_INT(harness_cmd(c, "PEXPIREAT k 4000000000900"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), 4000000001LL);

    EXPECT_INT(harness_cmd(c, "PERSIST k"), 1);
    EXPECT_INT(harness_cmd(c, "PERSIST k"), 0);
    EXPECT_INT(harness_cmd(c, "PERSIST missing"), 0);
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
    EXPECT_STR(harness_cmd(c, "GET k"), "v");
}

/* A time already past deletes the key at once (and answers 1). */
static void test_expire_in_the_past(redisContext *c)
{
    static const char *const deleting[] = {
        "EXPIRE k -1",   "EXPIRE k 0",           "PEXPIRE k 0",   "PEXPIRE k -100",
        "EXPIREAT k 1",  "EXPIREAT k 0",         "PEXPIREAT k 0", "PEXPIREAT k 1000",
        "EXPIREAT k -5", "EXPIRE k -9999999999",
    };
    for (size_t i = 0; i < sizeof(deleting) / sizeof(deleting[0]); i++) {
        EXPECT_OK(harness_cmd(c, "SET k v"));
        EXPECT_INT(harness_cmd(c, deleting[i]), 1);
        EXPECT_INT(harness_cmd(c, "EXISTS k"), 0);
    }
}

static void test_expire_errors(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET k v"));
    /* Overflow when turned into absolute milliseconds. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 9223372036854775807"),
                       "ERR invalid expire time in 'expire' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 922337203685477580"),
                       "ERR invalid expire time in 'expire' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PEXPIRE k 9223372036854775807"),
                       "ERR invalid expire time in 'pexpire' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIREAT k 9223372036854775807"),
                       "ERR invalid expire time in 'expireat' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k abc"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "PEXPIREAT k 1.5"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k"),
                       "ERR wrong number of arguments for 'expire' command");
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
}

/* The NX / XX / GT / LT options added in 7.0. A key without a TTL counts as
 * an infinite TTL: GT never applies to it, LT always does. */
static void test_expire_options(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET k v"));
    EXPECT_INT(harness_cmd(c, "EXPIRE k 100 XX"), 0);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 100 GT"), 0);
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 100 NX"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 200 NX"), 0);
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 200 XX"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 150 GT"), 0);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 300 gt"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 400 LT"), 0);
    EXPECT_INT(harness_cmd(c, "EXPIRE k 50 lt"), 1);
    EXPECT_INT(harness_cmd(c, "TTL k"), 50);
    EXPECT_INT(harness_cmd(c, "PEXPIRE k 10000 LT"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIREAT k 4000000000 GT"), 1);
    EXPECT_INT(harness_cmd(c, "PEXPIREAT k 4000000001000 XX GT"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), 4000000001LL);

    EXPECT_OK(harness_cmd(c, "SET p v"));
    EXPECT_INT(harness_cmd(c, "EXPIRE p 100 LT"), 1); /* no TTL = infinite */
    EXPECT_INT(harness_cmd(c, "TTL p"), 100);

    /* A past time only deletes when the condition holds. */
    EXPECT_OK(harness_cmd(c, "SET q v"));
    EXPECT_INT(harness_cmd(c, "EXPIRE q -100 GT"), 0);
    EXPECT_INT(harness_cmd(c, "EXPIRE q -100 XX"), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS q"), 1);
    EXPECT_INT(harness_cmd(c, "EXPIRE q -100 LT"), 1);
    EXPECT_INT(harness_cmd(c, "EXISTS q"), 0);

    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 10 NX XX"),
                       "ERR NX and XX, GT or LT options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 10 NX GT"),
                       "ERR NX and XX, GT or LT options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 10 GT LT"),
                       "ERR GT and LT options at the same time are not compatible");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXPIRE k 10 FOO"), "ERR Unsupported option FOO");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PEXPIREAT k 10 bar"), "ERR Unsupported option bar");
    EXPECT_INT(harness_cmd(c, "EXPIRETIME k"), 4000000001LL);
}

static void test_lazy_expiry(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET k v PX 100"));
    EXPECT_OK(harness_cmd(c, "SET k2 v PX 100"));
    EXPECT_OK(harness_cmd(c, "SET k3 v PX 100"));
    EXPECT_OK(harness_cmd(c, "SET keep v PX 100"));
    EXPECT_OK(harness_cmd(c, "SET keep v")); /* a plain SET clears the TTL */
    harness_sleep_ms(250);
    EXPECT_NIL(harness_cmd(c, "GET k"));
    EXPECT_INT(harness_cmd(c, "EXISTS k2"), 0);
    EXPECT_INT(harness_cmd(c, "TTL k3"), -2);
    EXPECT_STR(harness_cmd(c, "GET keep"), "v");
    /* An expired key is gone for writers too. */
    EXPECT_OK(harness_cmd(c, "SET old v PX 50"));
    harness_sleep_ms(150);
    EXPECT_INT(harness_cmd(c, "INCR old"), 1);
    EXPECT_INT(harness_cmd(c, "TTL old"), -1);
}

/* Keys nobody touches again must still go away: DBSIZE does not look at
 * keys, so only the server's own expiry cycle can bring it to zero. */
static void test_active_expiry(redisContext *c)
{
    for (int i = 0; i < 100; i++) EXPECT_OK(harness_cmd(c, "SET volatile:%d v PX 50", i));
    EXPECT_OK(harness_cmd(c, "SET stays v"));
    long long deadline = harness_now_ms() + 10000;
    long long size = -1;
    while (harness_now_ms() < deadline) {
        size = harness_cmd_int(c, "DBSIZE");
        if (size == 1) break;
        harness_sleep_ms(50);
    }
    if (size != 1) harness_fail(__FILE__, __LINE__, "DBSIZE still %lld after 10 s", size);
}

static void expect_keys(redisContext *c, const char *pattern, const char *const *want, size_t n)
{
    redisReply *r = harness_cmd(c, "KEYS %s", pattern);
    CHECK(r->type == REDIS_REPLY_ARRAY);
    if (r->elements != n)
        harness_fail(__FILE__, __LINE__, "KEYS %s: %zu keys, expected %zu", pattern, r->elements,
                     n);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t j = 0; j < r->elements; j++) found |= strcmp(r->element[j]->str, want[i]) == 0;
        if (!found) harness_fail(__FILE__, __LINE__, "KEYS %s lacks %s", pattern, want[i]);
    }
    freeReplyObject(r);
}

static void test_keys_patterns(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "MSET hello 1 hallo 1 hxllo 1 hllo 1 heeeello 1 h*llo 1 other 1"));
    const char *all[] = {"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "other"};
    expect_keys(c, "*", all, 7);
    const char *one_char[] = {"hello", "hallo", "hxllo", "h*llo"};
    expect_keys(c, "h?llo", one_char, 4);
    const char *star[] = {"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo"};
    expect_keys(c, "h*llo", star, 6);
    const char *set[] = {"hello", "hallo"};
    expect_keys(c, "h[ae]llo", set, 2);
    const char *negated[] = {"hallo", "hxllo", "h*llo"};
    expect_keys(c, "h[^e]llo", negated, 3);
    const char *range[] = {"hallo"};
    expect_keys(c, "h[a-b]llo", range, 1);
    const char *escaped[] = {"h*llo"};
    expect_keys(c, "h\\*llo", escaped, 1);
    const char *exact[] = {"other"};
    expect_keys(c, "other", exact, 1);
    expect_keys(c, "nomatch*", NULL, 0);
    /* Expired keys are not listed. */
    EXPECT_OK(harness_cmd(c, "SET hillo v PX 1"));
    harness_sleep_ms(20);
    expect_keys(c, "h?llo", one_char, 4);
}

/* One SCAN call; the options are split on spaces like a command line (so
 * "" adds no argument). */
static redisReply *scan_call(redisContext *c, const char *cursor, const char *options)
{
    char command[256];
    snprintf(command, sizeof(command), "SCAN %s %s", cursor, options);
    redisReply *r = harness_cmd(c, command);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        harness_fail(__FILE__, __LINE__, "%s: not a [cursor, keys] array", command);
    return r;
}

/* Runs one full SCAN with the given options, marking each "key:<n>" seen;
 * after `add_after` calls it adds SCAN_ADDED new keys. Returns the number of
 * calls made. */
static int scan_all(redisContext *c, const char *options, unsigned char *seen, int add_after)
{
    char cursor[32] = "0";
    int calls = 0;
    do {
        redisReply *r = scan_call(c, cursor, options);
        CHECK(r->element[0]->type == REDIS_REPLY_STRING && r->element[0]->len < sizeof(cursor));
        CHECK(r->element[1]->type == REDIS_REPLY_ARRAY);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            int n = -1;
            if (sscanf(r->element[1]->element[i]->str, "key:%d", &n) == 1 && n >= 0 &&
                n < SCAN_KEYS + SCAN_ADDED)
                seen[n] = 1;
            else if (strncmp(r->element[1]->element[i]->str, "key:", 4) == 0)
                harness_fail(__FILE__, __LINE__, "SCAN returned %s",
                             r->element[1]->element[i]->str);
        }
        freeReplyObject(r);
        if (++calls == add_after)
            for (int i = SCAN_KEYS; i < SCAN_KEYS + SCAN_ADDED; i++)
                EXPECT_OK(harness_cmd(c, "SET key:%d v", i));
        CHECK(calls < SCAN_MAX_CALLS);
    } while (strcmp(cursor, "0") != 0);
    return calls;
}

static void test_scan_full_iteration(redisContext *c)
{
    static unsigned char seen[SCAN_KEYS + SCAN_ADDED];
    for (int i = 0; i < SCAN_KEYS; i++) EXPECT_OK(harness_cmd(c, "SET key:%d v", i));
    memset(seen, 0, sizeof(seen));
    int calls = scan_all(c, "COUNT 10", seen, 20);
    CHECK(calls > 1); /* COUNT 10 over 1000 keys cannot finish in one call */
    for (int i = 0; i < SCAN_KEYS; i++)
        if (!seen[i]) harness_fail(__FILE__, __LINE__, "SCAN never returned key:%d", i);

    /* With the default COUNT too, and keys present from the start only. */
    memset(seen, 0, sizeof(seen));
    scan_all(c, "", seen, -1);
    for (int i = 0; i < SCAN_KEYS + SCAN_ADDED; i++)
        if (!seen[i]) harness_fail(__FILE__, __LINE__, "SCAN never returned key:%d", i);
}

/* Collects every name a full SCAN with `options` returns, and checks that
 * each matches `prefix`; returns how many distinct names it saw. */
static int scan_count_distinct(redisContext *c, const char *options, const char *prefix)
{
    char cursor[32] = "0";
    static char names[4096][32];
    int distinct = 0, calls = 0;
    do {
        redisReply *r = scan_call(c, cursor, options);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const char *name = r->element[1]->element[i]->str;
            if (strncmp(name, prefix, strlen(prefix)) != 0)
                harness_fail(__FILE__, __LINE__, "SCAN %s returned %s", options, name);
            int known = 0;
            for (int j = 0; j < distinct && !known; j++) known = strcmp(names[j], name) == 0;
            if (!known && distinct < 4096)
                snprintf(names[distinct++], sizeof(names[0]), "%s", name);
        }
        freeReplyObject(r);
        CHECK(++calls < SCAN_MAX_CALLS);
    } while (strcmp(cursor, "0") != 0);
    return distinct;
}

static void test_scan_options(redisContext *c)
{
    for (int i = 0; i < 100; i++) EXPECT_OK(harness_cmd(c, "SET str:%d v", i));
    int lists = harness_make_list(c, "list:0");
    for (int i = 1; lists && i < 30; i++) {
        char key[32];
        snprintf(key, sizeof(key), "list:%d", i);
        CHECK(harness_make_list(c, key));
    }
    for (int i = 0; i < 20; i++) EXPECT_OK(harness_cmd(c, "SET other:%d v", i));

    CHECK(scan_count_distinct(c, "MATCH str:*", "str:") == 100);
    CHECK(scan_count_distinct(c, "MATCH str:1? COUNT 5", "str:1") == 10);
    CHECK(scan_count_distinct(c, "TYPE list", "list:") == (lists ? 30 : 0));
    CHECK(scan_count_distinct(c, "TYPE LIST COUNT 1000", "list:") == (lists ? 30 : 0));
    CHECK(scan_count_distinct(c, "TYPE string MATCH other:*", "other:") == 20);
    CHECK(scan_count_distinct(c, "TYPE nosuchtype", "-") == 0);
    CHECK(scan_count_distinct(c, "MATCH nomatch*", "-") == 0);

    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN abc"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 1.5"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 99999999999999999999999"), "ERR invalid cursor");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 COUNT 0"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 COUNT -1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 COUNT abc"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 FOO 1"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 MATCH"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SCAN 0 TYPE"), SYNTAX);
}

static void test_randomkey(redisContext *c)
{
    EXPECT_NIL(harness_cmd(c, "RANDOMKEY"));
    EXPECT_OK(harness_cmd(c, "MSET a 1 b 2 c 3"));
    int seen_a = 0, seen_b = 0, seen_c = 0;
    for (int i = 0; i < 200; i++) {
        char *key = harness_cmd_str(c, "RANDOMKEY");
        seen_a |= strcmp(key, "a") == 0;
        seen_b |= strcmp(key, "b") == 0;
        seen_c |= strcmp(key, "c") == 0;
        CHECK(strcmp(key, "a") == 0 || strcmp(key, "b") == 0 || strcmp(key, "c") == 0);
        free(key);
    }
    CHECK(seen_a && seen_b && seen_c); /* 200 draws: each key shows up */
}

static void test_select_dbsize_flush(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "MSET a 1 b 2"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 2);
    EXPECT_OK(harness_cmd(c, "SELECT 1"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 0);
    EXPECT_NIL(harness_cmd(c, "GET a"));
    EXPECT_OK(harness_cmd(c, "SET a one"));
    EXPECT_OK(harness_cmd(c, "SELECT 15"));
    EXPECT_OK(harness_cmd(c, "SET z 1"));
    EXPECT_OK(harness_cmd(c, "SELECT 0"));
    EXPECT_STR(harness_cmd(c, "GET a"), "1");

    EXPECT_ERROR_EXACT(harness_cmd(c, "SELECT 16"), "ERR DB index is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SELECT -1"), "ERR DB index is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SELECT abc"), NOT_INTEGER);

    EXPECT_OK(harness_cmd(c, "FLUSHDB"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 0);
    EXPECT_OK(harness_cmd(c, "SELECT 1"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 1); /* FLUSHDB left db 1 alone */
    EXPECT_OK(harness_cmd(c, "FLUSHDB ASYNC"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 0);
    EXPECT_OK(harness_cmd(c, "FLUSHDB SYNC"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "FLUSHDB foo"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "FLUSHALL foo"), SYNTAX);
    EXPECT_OK(harness_cmd(c, "FLUSHALL SYNC"));
    EXPECT_OK(harness_cmd(c, "SELECT 15"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 0);
    EXPECT_OK(harness_cmd(c, "SELECT 0"));
}

static void test_swapdb(redisContext *c, const struct server *s)
{
    redisContext *other = harness_connect(s);
    EXPECT_OK(harness_cmd(c, "SET in0 zero"));
    EXPECT_OK(harness_cmd(c, "SET k0 v EX 100"));
    EXPECT_OK(harness_cmd(other, "SELECT 1"));
    EXPECT_OK(harness_cmd(other, "MSET in1 one a b"));

    EXPECT_OK(harness_cmd(c, "SWAPDB 0 1"));
    /* Both connections stay on their database number, which now holds the
     * other contents. */
    EXPECT_STR(harness_cmd(c, "GET in1"), "one");
    EXPECT_NIL(harness_cmd(c, "GET in0"));
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 2);
    EXPECT_STR(harness_cmd(other, "GET in0"), "zero");
    EXPECT_INT(harness_cmd(other, "TTL k0"), 100);
    EXPECT_NIL(harness_cmd(other, "GET in1"));
    EXPECT_OK(harness_cmd(c, "SWAPDB 1 0"));
    EXPECT_STR(harness_cmd(c, "GET in0"), "zero");
    EXPECT_OK(harness_cmd(c, "SWAPDB 3 3"));

    EXPECT_ERROR_EXACT(harness_cmd(c, "SWAPDB 0 16"), "ERR DB index is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SWAPDB -1 0"), "ERR DB index is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SWAPDB abc 1"), "ERR invalid first DB index");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SWAPDB 0 abc"), "ERR invalid second DB index");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SWAPDB 0"),
                       "ERR wrong number of arguments for 'swapdb' command");
    redisFree(other);
}

/* OBJECT: encodings by Redis's rules (int for canonical integers, embstr up
 * to 44 bytes, raw beyond and after in-place edits), shared integers'
 * refcount, idle time, FREQ without an LFU policy, missing keys, errors. */
static void test_object(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET n 100"));
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING n"), "int");
    EXPECT_INT(harness_cmd(c, "OBJECT REFCOUNT n"), 2147483647);
    EXPECT_OK(harness_cmd(c, "SET n 10000"));
    EXPECT_INT(harness_cmd(c, "OBJECT REFCOUNT n"), 1);
    EXPECT_OK(harness_cmd(c, "SET n -5"));
    EXPECT_STR(harness_cmd(c, "object encoding n"), "int");
    EXPECT_INT(harness_cmd(c, "OBJECT REFCOUNT n"), 1);
    EXPECT_INT(harness_cmd(c, "INCRBY n 10"), 5);
    EXPECT_INT(harness_cmd(c, "OBJECT REFCOUNT n"), 2147483647);
    EXPECT_OK(harness_cmd(c, "SET n 007"));
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING n"), "embstr");
    char v[46];
    memset(v, 'v', sizeof(v));
    EXPECT_OK(harness_cmd(c, "SET s %b", v, (size_t)44));
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING s"), "embstr");
    EXPECT_INT(harness_cmd(c, "OBJECT REFCOUNT s"), 1);
    EXPECT_OK(harness_cmd(c, "SET s %b", v, (size_t)45));
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING s"), "raw");
    EXPECT_OK(harness_cmd(c, "SET s abc"));
    EXPECT_INT(harness_cmd(c, "APPEND s d"), 4);
    EXPECT_STR(harness_cmd(c, "OBJECT ENCODING s"), "raw");
    EXPECT_INT(harness_cmd(c, "OBJECT IDLETIME s"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "OBJECT FREQ s"),
                       "ERR An LFU maxmemory policy is not selected, access frequency not "
                       "tracked. Please note that when switching between policies at runtime "
                       "LRU and LFU data will take some time to adjust.");
    EXPECT_NIL(harness_cmd(c, "OBJECT ENCODING nokey"));
    EXPECT_NIL(harness_cmd(c, "OBJECT REFCOUNT nokey"));
    EXPECT_NIL(harness_cmd(c, "OBJECT IDLETIME nokey"));
    EXPECT_NIL(harness_cmd(c, "OBJECT FREQ nokey"));
    if (harness_make_list(c, "l")) EXPECT_STR(harness_cmd(c, "OBJECT ENCODING l"), "quicklist");
    EXPECT_ERROR_EXACT(harness_cmd(c, "OBJECT ENCODING"),
                       "ERR wrong number of arguments for 'object|encoding' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "OBJECT NOPE s"),
                       "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
    redisReply *r = harness_cmd(c, "OBJECT HELP");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 15);
    CHECK(strcmp(r->element[0]->str,
                 "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    freeReplyObject(r);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_del_unlink_exists,
        test_type,
        test_object,
        test_rename,
        test_expire_set_and_read,
        test_expire_in_the_past,
        test_expire_errors,
        test_expire_options,
        test_lazy_expiry,
        test_active_expiry,
        test_keys_patterns,
        test_scan_full_iteration,
        test_scan_options,
        test_randomkey,
        test_select_dbsize_flush,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    redisContext *c = harness_connect(&s);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        EXPECT_OK(harness_cmd(c, "FLUSHALL"));
        tests[i](c);
    }
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    test_swapdb(c, &s);
    redisFree(c);
    harness_stop(&s);
    printf("test_keys: all passed\n");
    return 0;
}
