/*
 * test_strings: the string commands of Redis 7.0 against a real server
 * process, replies and error strings word for word.
 *
 * Usage: test_strings <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * The WRONGTYPE checks need a non-string key and use a list (RPUSH).
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOT_INTEGER "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define SYNTAX "ERR syntax error"

static void test_get_set_basic(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET k v"));
    EXPECT_STR(harness_cmd(c, "GET k"), "v");
    EXPECT_NIL(harness_cmd(c, "GET missing"));
    EXPECT_OK(harness_cmd(c, "SET k %s", ""));
    EXPECT_STR(harness_cmd(c, "GET k"), "");

    /* Values are binary safe: NUL and CR LF bytes come back unchanged. */
    const char binary[] = {'a', '\0', '\r', '\n', 'b'};
    EXPECT_OK(harness_cmd(c, "SET bin %b", binary, sizeof(binary)));
    redisReply *r = harness_cmd(c, "GET bin");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == sizeof(binary));
    CHECK(memcmp(r->str, binary, sizeof(binary)) == 0);
    freeReplyObject(r);

    /* An integer-looking value is still returned as a bulk string. */
    EXPECT_OK(harness_cmd(c, "SET n 12345"));
    EXPECT_STR(harness_cmd(c, "GET n"), "12345");
}

static void test_set_expire_options(redisContext *c)
{
    long long now = (long long)time(NULL);

    EXPECT_OK(harness_cmd(c, "SET k v EX 100"));
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    EXPECT_OK(harness_cmd(c, "SET k v PX 100000"));
    long long pttl = harness_cmd_int(c, "PTTL k");
    CHECK(pttl > 99000 && pttl <= 100000);
    EXPECT_OK(harness_cmd(c, "SET k v EXAT %lld", now + 200));
    long long ttl = harness_cmd_int(c, "TTL k");
    CHECK(ttl >= 198 && ttl <= 201);
    EXPECT_OK(harness_cmd(c, "SET k v PXAT %lld", (now + 300) * 1000));
    ttl = harness_cmd_int(c, "TTL k");
    CHECK(ttl >= 298 && ttl <= 301);

    /* A plain SET drops the TTL; KEEPTTL keeps it. Options are case-blind. */
    EXPECT_OK(harness_cmd(c, "SET k v ex 100"));
    EXPECT_OK(harness_cmd(c, "SET k v2 KeepTtl"));
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    EXPECT_STR(harness_cmd(c, "GET k"), "v2");
    EXPECT_OK(harness_cmd(c, "SET k v3"));
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);

    /* Redis accepts the same option twice (not a syntax error). */
    EXPECT_OK(harness_cmd(c, "SET k v EX 10 EX 10"));
    EXPECT_INT(harness_cmd(c, "TTL k"), 10);
}

static void test_set_conditions(redisContext *c)
{
    EXPECT_NIL(harness_cmd(c, "SET k v XX"));
    EXPECT_INT(harness_cmd(c, "EXISTS k"), 0);
    EXPECT_OK(harness_cmd(c, "SET k v NX"));
    EXPECT_NIL(harness_cmd(c, "SET k other NX"));
    EXPECT_STR(harness_cmd(c, "GET k"), "v");
    EXPECT_OK(harness_cmd(c, "SET k v2 XX"));
    EXPECT_STR(harness_cmd(c, "GET k"), "v2");

    /* GET returns the old value (nil when there was none). */
    EXPECT_STR(harness_cmd(c, "SET k v3 GET"), "v2");
    EXPECT_STR(harness_cmd(c, "GET k"), "v3");
    EXPECT_NIL(harness_cmd(c, "SET fresh v GET"));
    EXPECT_STR(harness_cmd(c, "GET fresh"), "v");

    /* 7.0 allows NX together with GET: old value back, nothing written. */
    EXPECT_STR(harness_cmd(c, "SET k v4 NX GET"), "v3");
    EXPECT_STR(harness_cmd(c, "GET k"), "v3");
    EXPECT_NIL(harness_cmd(c, "SET nk v NX GET"));
    EXPECT_STR(harness_cmd(c, "GET nk"), "v");
    EXPECT_NIL(harness_cmd(c, "SET nk2 v XX GET"));
    EXPECT_INT(harness_cmd(c, "EXISTS nk2"), 0);
    EXPECT_STR(harness_cmd(c, "SET k v5 XX GET"), "v3");
    EXPECT_STR(harness_cmd(c, "SET k v6 KEEPTTL GET"), "v5");

    if (harness_make_list(c, "list")) {
        EXPECT_ERROR_EXACT(harness_cmd(c, "SET list x GET"), WRONGTYPE);
        EXPECT_STATUS(harness_cmd(c, "TYPE list"), "list");
    }
    /* Without GET, SET overwrites a key of any type. */
    EXPECT_OK(harness_cmd(c, "SET list x"));
    EXPECT_STATUS(harness_cmd(c, "TYPE list"), "string");
}

static void test_set_errors(redisContext *c)
{
    static const char *const syntax_errors[] = {
        "SET k v NX XX",       "SET k v EX 10 PX 100", "SET k v KEEPTTL EX 10",
        "SET k v EX",          "SET k v FOO",          "SET k v PX 10 PXAT 99999999999999",
        "SET k v EXAT 1 EX 5", "SET k v PERSIST",
    };
    for (size_t i = 0; i < sizeof(syntax_errors) / sizeof(syntax_errors[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, syntax_errors[i]), SYNTAX);

    static const char *const bad_times[] = {
        "SET k v EX 0",
        "SET k v EX -1",
        "SET k v PX 0",
        "SET k v PX -100",
        "SET k v EXAT 0",
        "SET k v PXAT -1",
        /* Overflows when converted to absolute milliseconds. */
        "SET k v EX 9999999999999999",
        "SET k v PX 9223372036854775807",
        "SET k v EXAT 9223372036854775807",
    };
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, bad_times[i]),
                           "ERR invalid expire time in 'set' command");

    EXPECT_ERROR_EXACT(harness_cmd(c, "SET k v EX abc"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SET k v PX 1.5"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SET k"), "ERR wrong number of arguments for 'set' command");
    EXPECT_INT(harness_cmd(c, "EXISTS k"), 0); /* no failed SET wrote anything */
}

static void test_setnx_setex_psetex(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "SETNX k 1"), 1);
    EXPECT_INT(harness_cmd(c, "SETNX k 2"), 0);
    EXPECT_STR(harness_cmd(c, "GET k"), "1");

    EXPECT_OK(harness_cmd(c, "SETEX k 100 v"));
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    EXPECT_STR(harness_cmd(c, "GET k"), "v");
    EXPECT_OK(harness_cmd(c, "PSETEX k 100000 w"));
    long long pttl = harness_cmd_int(c, "PTTL k");
    CHECK(pttl > 99000 && pttl <= 100000);
    EXPECT_STR(harness_cmd(c, "GET k"), "w");

    EXPECT_ERROR_EXACT(harness_cmd(c, "SETEX k 0 v"), "ERR invalid expire time in 'setex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETEX k -1 v"),
                       "ERR invalid expire time in 'setex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETEX k 9999999999999999 v"),
                       "ERR invalid expire time in 'setex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PSETEX k 0 v"),
                       "ERR invalid expire time in 'psetex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETEX k abc v"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETEX k 10"),
                       "ERR wrong number of arguments for 'setex' command");
    EXPECT_STR(harness_cmd(c, "GET k"), "w");
}

static void test_getset_getdel(redisContext *c)
{
    EXPECT_NIL(harness_cmd(c, "GETSET k v"));
    EXPECT_STR(harness_cmd(c, "GETSET k v2"), "v");
    EXPECT_STR(harness_cmd(c, "GET k"), "v2");
    /* GETSET is a SET: the TTL is dropped. */
    EXPECT_OK(harness_cmd(c, "SET k v EX 100"));
    EXPECT_STR(harness_cmd(c, "GETSET k v3"), "v");
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);

    EXPECT_STR(harness_cmd(c, "GETDEL k"), "v3");
    EXPECT_INT(harness_cmd(c, "EXISTS k"), 0);
    EXPECT_NIL(harness_cmd(c, "GETDEL k"));
}

static void test_getex(redisContext *c)
{
    long long now = (long long)time(NULL);
    EXPECT_NIL(harness_cmd(c, "GETEX missing EX 10"));
    EXPECT_OK(harness_cmd(c, "SET k v"));
    EXPECT_STR(harness_cmd(c, "GETEX k"), "v");
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
    EXPECT_STR(harness_cmd(c, "GETEX k EX 100"), "v");
    EXPECT_INT(harness_cmd(c, "TTL k"), 100);
    EXPECT_STR(harness_cmd(c, "GETEX k PX 50000"), "v");
    long long pttl = harness_cmd_int(c, "PTTL k");
    CHECK(pttl > 49000 && pttl <= 50000);
    EXPECT_STR(harness_cmd(c, "GETEX k EXAT %lld", now + 200), "v");
    long long ttl = harness_cmd_int(c, "TTL k");
    CHECK(ttl >= 198 && ttl <= 201);
    EXPECT_STR(harness_cmd(c, "GETEX k PXAT %lld", (now + 300) * 1000), "v");
    ttl = harness_cmd_int(c, "TTL k");
    CHECK(ttl >= 298 && ttl <= 301);
    EXPECT_STR(harness_cmd(c, "GETEX k PERSIST"), "v");
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
    EXPECT_STR(harness_cmd(c, "GETEX k ex 10 ex 10"), "v");

    /* An absolute time in the past returns the value and deletes the key. */
    EXPECT_STR(harness_cmd(c, "GETEX k EXAT 1"), "v");
    EXPECT_INT(harness_cmd(c, "EXISTS k"), 0);

    EXPECT_OK(harness_cmd(c, "SET k v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k PERSIST EX 10"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k EX 10 PX 10"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k FOO"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k EX"), SYNTAX);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k EX 0"),
                       "ERR invalid expire time in 'getex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k EX 9999999999999999"),
                       "ERR invalid expire time in 'getex' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX k EX abc"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETEX"),
                       "ERR wrong number of arguments for 'getex' command");
    EXPECT_INT(harness_cmd(c, "TTL k"), -1);
}

static void test_mget_mset(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "MSET a 1 b 2 c 3"));
    EXPECT_STRS(harness_cmd(c, "MGET a b missing c"), "1", "2", NULL, "3");
    /* Keys of another type read as nil in MGET, not as an error. */
    if (harness_make_list(c, "list")) EXPECT_STRS(harness_cmd(c, "MGET a list"), "1", NULL);
    /* The last of repeated keys wins. */
    EXPECT_OK(harness_cmd(c, "MSET d 1 d 2"));
    EXPECT_STR(harness_cmd(c, "GET d"), "2");
    EXPECT_ERROR_EXACT(harness_cmd(c, "MSET a"),
                       "ERR wrong number of arguments for 'mset' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "MSET a 1 b"),
                       "ERR wrong number of arguments for 'mset' command");

    EXPECT_INT(harness_cmd(c, "MSETNX x 1 y 2"), 1);
    EXPECT_INT(harness_cmd(c, "MSETNX y 3 z 4"), 0); /* all or nothing */
    EXPECT_STRS(harness_cmd(c, "MGET x y z"), "1", "2", NULL);
    EXPECT_ERROR_EXACT(harness_cmd(c, "MSETNX x 1 y"),
                       "ERR wrong number of arguments for 'msetnx' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "MGET"), "ERR wrong number of arguments for 'mget' command");
}

static void test_incr_decr(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "INCR n"), 1);
    EXPECT_INT(harness_cmd(c, "INCRBY n 10"), 11);
    EXPECT_INT(harness_cmd(c, "DECR n"), 10);
    EXPECT_INT(harness_cmd(c, "DECRBY n 30"), -20);
    EXPECT_INT(harness_cmd(c, "INCRBY n -5"), -25);
    EXPECT_STR(harness_cmd(c, "GET n"), "-25");
    EXPECT_INT(harness_cmd(c, "DECR fresh"), -1);

    /* INCR keeps the TTL. */
    EXPECT_OK(harness_cmd(c, "SET t 5 EX 100"));
    EXPECT_INT(harness_cmd(c, "INCR t"), 6);
    EXPECT_INT(harness_cmd(c, "TTL t"), 100);

    EXPECT_OK(harness_cmd(c, "SET n 9223372036854775807"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCR n"), "ERR increment or decrement would overflow");
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBY n 1"), "ERR increment or decrement would overflow");
    EXPECT_OK(harness_cmd(c, "SET n -9223372036854775808"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "DECR n"), "ERR increment or decrement would overflow");
    /* DECRBY cannot negate LLONG_MIN: its own message. */
    EXPECT_OK(harness_cmd(c, "SET n 5"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "DECRBY n -9223372036854775808"),
                       "ERR decrement would overflow");
    EXPECT_STR(harness_cmd(c, "GET n"), "5");

    /* Only canonical integers count: no spaces, '+', leading zeros, "-0". */
    static const char *const not_integers[] = {"abc", " 1", "1 ", "01", "+1", "-0", "1.0", ""};
    for (size_t i = 0; i < sizeof(not_integers) / sizeof(not_integers[0]); i++) {
        EXPECT_OK(harness_cmd(c, "SET s %s", not_integers[i]));
        EXPECT_ERROR_EXACT(harness_cmd(c, "INCR s"), NOT_INTEGER);
    }
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBY n abc"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBY n 99999999999999999999"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "DECRBY n 1.5"), NOT_INTEGER);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCR"), "ERR wrong number of arguments for 'incr' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBY n"),
                       "ERR wrong number of arguments for 'incrby' command");
}

static void test_incrbyfloat(redisContext *c)
{
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 3"), "3");
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 1.5"), "4.5");
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f -4.5"), "0");
    EXPECT_OK(harness_cmd(c, "SET f 10.5"));
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 0.1"), "10.6");
    EXPECT_OK(harness_cmd(c, "SET f 5.0e3"));
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 2.0e2"), "5200");
    /* Long double arithmetic, printed with at most 17 significant digits. */
    EXPECT_OK(harness_cmd(c, "SET f 0.1"));
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 0.2"), "0.3");
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT big 1e20"), "100000000000000000000");
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT big 1.5e-20"), "100000000000000000000");
    EXPECT_OK(harness_cmd(c, "SET f 1"));
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 1.0e-5"), "1.00001");
    /* strtold accepts hexadecimal. */
    EXPECT_STR(harness_cmd(c, "INCRBYFLOAT f 0x10"), "17.00001");
    EXPECT_STR(harness_cmd(c, "GET f"), "17.00001");

    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT f abc"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT f nan"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT f %s", " 1"), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT f %s", "1 "), NOT_FLOAT);
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT f inf"),
                       "ERR increment would produce NaN or Infinity");
    EXPECT_OK(harness_cmd(c, "SET s abc"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "INCRBYFLOAT s 1"), NOT_FLOAT);
    EXPECT_STR(harness_cmd(c, "GET f"), "17.00001");
}

static void test_append_strlen(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "APPEND k Hello"), 5);
    EXPECT_INT(harness_cmd(c, "APPEND k %s", " World"), 11);
    EXPECT_STR(harness_cmd(c, "GET k"), "Hello World");
    EXPECT_INT(harness_cmd(c, "STRLEN k"), 11);
    EXPECT_INT(harness_cmd(c, "STRLEN missing"), 0);
    /* Appending to an integer-encoded value works on its text. */
    EXPECT_OK(harness_cmd(c, "SET n 12"));
    EXPECT_INT(harness_cmd(c, "APPEND n 34"), 4);
    EXPECT_INT(harness_cmd(c, "INCR n"), 1235);
    EXPECT_INT(harness_cmd(c, "STRLEN n"), 4);
    /* APPEND of nothing to a missing key still creates it. */
    EXPECT_INT(harness_cmd(c, "APPEND empty %s", ""), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS empty"), 1);
}

static void test_getrange(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET g %s", "Hello World"));
    EXPECT_STR(harness_cmd(c, "GETRANGE g 0 4"), "Hello");
    EXPECT_STR(harness_cmd(c, "GETRANGE g -5 -1"), "World");
    EXPECT_STR(harness_cmd(c, "GETRANGE g 0 -1"), "Hello World");
    EXPECT_STR(harness_cmd(c, "GETRANGE g 6 100"), "World");
    EXPECT_STR(harness_cmd(c, "GETRANGE g 5 3"), "");
    EXPECT_STR(harness_cmd(c, "GETRANGE g -1 -5"), "");
    EXPECT_STR(harness_cmd(c, "GETRANGE g 100 200"), "");
    /* Both ends clamp to 0 when far negative: 7.0 returns the first byte. */
    EXPECT_STR(harness_cmd(c, "GETRANGE g -100 -50"), "H");
    EXPECT_STR(harness_cmd(c, "GETRANGE g 0 -100"), "H");
    EXPECT_STR(harness_cmd(c, "GETRANGE missing 0 10"), "");
    EXPECT_OK(harness_cmd(c, "SET n 12345"));
    EXPECT_STR(harness_cmd(c, "GETRANGE n 1 2"), "23");
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETRANGE g 0 abc"), NOT_INTEGER);
}

static void test_setrange(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "SET k %s", "Hello World"));
    EXPECT_INT(harness_cmd(c, "SETRANGE k 6 Redis"), 11);
    EXPECT_STR(harness_cmd(c, "GET k"), "Hello Redis");
    EXPECT_INT(harness_cmd(c, "SETRANGE k 11 !!"), 13);
    EXPECT_STR(harness_cmd(c, "GET k"), "Hello Redis!!");

    /* Writing past the end pads with zero bytes. */
    EXPECT_INT(harness_cmd(c, "SETRANGE pad 5 ab"), 7);
    redisReply *r = harness_cmd(c, "GET pad");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == 7);
    CHECK(memcmp(r->str, "\0\0\0\0\0ab", 7) == 0);
    freeReplyObject(r);

    /* An empty value changes nothing, creates nothing, checks no size. */
    EXPECT_INT(harness_cmd(c, "SETRANGE missing 10 %s", ""), 0);
    EXPECT_INT(harness_cmd(c, "EXISTS missing"), 0);
    EXPECT_INT(harness_cmd(c, "SETRANGE k 536870911 %s", ""), 13);

    EXPECT_ERROR_EXACT(harness_cmd(c, "SETRANGE k -1 x"), "ERR offset is out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETRANGE k 536870912 x"),
                       "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    EXPECT_ERROR_EXACT(harness_cmd(c, "SETRANGE k abc x"), NOT_INTEGER);
    EXPECT_STR(harness_cmd(c, "GET k"), "Hello Redis!!");
}

/* Every string command refuses a list key with the same WRONGTYPE error. */
static void test_wrongtype(redisContext *c)
{
    static const char *const commands[] = {
        "GET l",      "GETSET l x", "GETDEL l",       "GETEX l",        "GETEX l EX 10",
        "INCR l",     "INCRBY l 2", "DECR l",         "DECRBY l 2",     "INCRBYFLOAT l 1",
        "APPEND l x", "STRLEN l",   "GETRANGE l 0 1", "SETRANGE l 0 x", "SET l x GET",
    };
    if (!harness_make_list(c, "l")) return;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        EXPECT_ERROR_EXACT(harness_cmd(c, commands[i]), WRONGTYPE);
    EXPECT_INT(harness_cmd(c, "SETNX l x"), 0);
    EXPECT_STATUS(harness_cmd(c, "TYPE l"), "list");
}

static void test_arity_and_unknown(redisContext *c)
{
    /* The command name in the message is the table's lower-case name. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "GET"), "ERR wrong number of arguments for 'get' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "Get a b"),
                       "ERR wrong number of arguments for 'get' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "GETSET k"),
                       "ERR wrong number of arguments for 'getset' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "STRLEN"),
                       "ERR wrong number of arguments for 'strlen' command");
    /* Unknown commands keep their spelling, quote up to the first
     * arguments and end with a space. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "FOO a b"),
                       "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
    EXPECT_ERROR_EXACT(harness_cmd(c, "foo"),
                       "ERR unknown command 'foo', with args beginning with: ");
    const char *argv[] = {"nosuch", "", "a b"};
    EXPECT_ERROR_EXACT(harness_cmd_argv(c, 3, argv, NULL),
                       "ERR unknown command 'nosuch', with args beginning with: '' 'a b' ");
}

int main(int argc, char **argv)
{
    static void (*const tests[])(redisContext *) = {
        test_get_set_basic, test_set_expire_options, test_set_conditions,
        test_set_errors,    test_setnx_setex_psetex, test_getset_getdel,
        test_getex,         test_mget_mset,          test_incr_decr,
        test_incrbyfloat,   test_append_strlen,      test_getrange,
        test_setrange,      test_wrongtype,          test_arity_and_unknown,
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
    printf("test_strings: all passed\n");
    return 0;
}
