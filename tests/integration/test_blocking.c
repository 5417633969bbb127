/*
 * test_blocking: the blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
 * BZPOPMIN BZPOPMAX BZMPOP), the multi-key pops LMPOP and ZMPOP, and
 * CLIENT UNBLOCK, against a real server process, as Redis 7.0 answers
 * them: immediate pops, errors, timeouts (and their precision), waiters
 * served first come first served on whatever worker thread they and the
 * writer run, served before anyone sees the pushed elements (the writer's
 * next command, a transaction's end), BLMOVE chains across shards, waiters
 * of the wrong type left waiting, SWAPDB and RENAME waking waiters, the
 * commands a blocked client pipelined kept until it is served, closed
 * waiters dropped, and producers and consumers on many connections losing
 * and duplicating nothing.
 *
 * Usage: test_blocking <server binary>; with no argument it runs against
 * redis-server, which every expectation here was checked against.
 */
#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 10000

static const struct server *srv;

/* Sends a command without reading its reply. */
static void send_cmd(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    CHECK(redisvAppendCommand(c, fmt, ap) == REDIS_OK);
    va_end(ap);
    int done = 0;
    while (!done) CHECK(redisBufferWrite(c, &done) == REDIS_OK);
}

static redisReply *get_reply(redisContext *c)
{
    void *r = NULL;
    CHECK(redisGetReply(c, &r) == REDIS_OK && r != NULL);
    return r;
}

static long long blocked_clients(redisContext *o)
{
    long long n = harness_info_int(o, "clients", "blocked_clients");
    return n;
}

/* Waits until exactly n clients are blocked (bounded). */
static void wait_blocked(redisContext *o, long long n)
{
    long long deadline = harness_now_ms() + WAIT_MS;
    while (blocked_clients(o) != n) {
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "blocked_clients never reached %lld (now %lld)", n,
                         blocked_clients(o));
        harness_sleep_ms(2);
    }
}

/* Blocks c with the command, then waits until the server counts it. */
static void block_on(redisContext *c, redisContext *o, const char *cmd)
{
    long long before = blocked_clients(o);
    send_cmd(c, cmd);
    wait_blocked(o, before + 1);
}

/* The reply is [s0, s1, ...] of bulk strings (flat). */
static void expect_flat(redisReply *r, const char *const *strs, size_t n, int line)
{
    harness_expect_strs(r, strs, n, __FILE__, line);
}
#define EXPECT_FLAT(r, ...)                                                                        \
    do {                                                                                           \
        const char *const s_[] = {__VA_ARGS__};                                                    \
        expect_flat((r), s_, sizeof(s_) / sizeof(s_[0]), __LINE__);                                \
    } while (0)

static void expect_nil_array(redisReply *r)
{
    CHECK(r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
}

static void test_immediate(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l1 a b c"), 3);
    EXPECT_FLAT(harness_cmd(c, "BLPOP nokey l1 0"), "l1", "a");
    EXPECT_FLAT(harness_cmd(c, "BRPOP nokey l1 1"), "l1", "c");
    EXPECT_INT(harness_cmd(c, "RPUSH l2 x"), 1);
    /* The first non-empty key in argument order wins. */
    EXPECT_FLAT(harness_cmd(c, "BLPOP l2 l1 0"), "l2", "x");
    EXPECT_INT(harness_cmd(c, "EXISTS l2"), 0);
    EXPECT_INT(harness_cmd(c, "LLEN l1"), 1);
    EXPECT_OK(harness_cmd(c, "SET str v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLPOP nokey str l1 0"),
                       "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_FLAT(harness_cmd(c, "BLPOP l1 str 0"), "l1", "b");

    EXPECT_ERROR_EXACT(harness_cmd(c, "BLPOP k abc"), "ERR timeout is not a float or out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLPOP k -1"), "ERR timeout is negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLPOP k inf"), "ERR timeout is negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BRPOP k"),
                       "ERR wrong number of arguments for 'brpop' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BZPOPMIN k 1e20"), "ERR timeout is negative");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLMOVE a b LEFT UP 0"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLMOVE a b LEFT RIGHT x"),
                       "ERR timeout is not a float or out of range");

    EXPECT_INT(harness_cmd(c, "RPUSH src 1 2 3"), 3);
    EXPECT_STR(harness_cmd(c, "BLMOVE src dst RIGHT LEFT 0"), "3");
    EXPECT_STR(harness_cmd(c, "BRPOPLPUSH src dst 0"), "2");
    EXPECT_FLAT(harness_cmd(c, "LRANGE dst 0 -1"), "2", "3");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLMOVE src str LEFT LEFT 0"),
                       "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_FLAT(harness_cmd(c, "LRANGE src 0 -1"), "1");

    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c"), 3);
    EXPECT_FLAT(harness_cmd(c, "BZPOPMIN nokey z 0"), "z", "a", "1");
    EXPECT_FLAT(harness_cmd(c, "BZPOPMAX z 0"), "z", "c", "3");
    EXPECT_INT(harness_cmd(c, "RPUSH l1 z"), 1);
    EXPECT_ERROR_EXACT(harness_cmd(c, "BZPOPMAX l1 0"),
                       "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
}

static void test_mpop(redisContext *c)
{
    EXPECT_INT(harness_cmd(c, "RPUSH l a b c d"), 4);
    redisReply *r = harness_cmd(c, "LMPOP 2 nokey l LEFT COUNT 3");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    EXPECT_STR(r->element[0], "l");
    r->element[0] = NULL;
    EXPECT_FLAT(r->element[1], "a", "b", "c");
    r->element[1] = NULL;
    freeReplyObject(r);
    r = harness_cmd(c, "LMPOP 1 l RIGHT");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->elements == 1);
    CHECK(strcmp(r->element[1]->element[0]->str, "d") == 0);
    freeReplyObject(r);
    expect_nil_array(harness_cmd(c, "LMPOP 1 l LEFT"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 0 l LEFT"), "ERR numkeys should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP x l LEFT"), "ERR numkeys should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 2 l LEFT"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 1 l UP"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 1 l LEFT COUNT 0"),
                       "ERR count should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 1 l LEFT COUNT 1 COUNT 1"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "LMPOP 1 l LEFT COUNT"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "BLMPOP -1 1 l LEFT"), "ERR timeout is negative");

    EXPECT_INT(harness_cmd(c, "ZADD z 1 a 2 b 3 c"), 3);
    r = harness_cmd(c, "ZMPOP 1 z MAX COUNT 2");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "z") == 0);
    redisReply *pairs = r->element[1];
    CHECK(pairs->type == REDIS_REPLY_ARRAY && pairs->elements == 2);
    CHECK(pairs->element[0]->elements == 2 &&
          strcmp(pairs->element[0]->element[0]->str, "c") == 0 &&
          strcmp(pairs->element[0]->element[1]->str, "3") == 0);
    CHECK(strcmp(pairs->element[1]->element[0]->str, "b") == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "BZMPOP 0 2 nokey z MIN");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->element[1]->elements == 1);
    CHECK(strcmp(r->element[1]->element[0]->element[0]->str, "a") == 0);
    freeReplyObject(r);
    expect_nil_array(harness_cmd(c, "ZMPOP 1 z MIN"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZMPOP 1 z LEFT"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZMPOP 1 z MIN COUNT -1"),
                       "ERR count should be greater than 0");
    EXPECT_OK(harness_cmd(c, "SET s v"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "ZMPOP 2 nokey s MIN"),
                       "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
}

static void test_timeouts(redisContext *c)
{
    long long t0 = harness_now_ms();
    expect_nil_array(harness_cmd(c, "BLPOP nokey1 nokey2 0.2"));
    long long took = harness_now_ms() - t0;
    CHECK(took >= 195 && took < 1500);
    t0 = harness_now_ms();
    expect_nil_array(harness_cmd(c, "BZPOPMAX nokey 0.05"));
    took = harness_now_ms() - t0;
    CHECK(took >= 45 && took < 1000);

    /* BLMOVE times out with the nil array, but answers a nil bulk string
     * inside a transaction (raw bytes tell them apart). */
    int fd = harness_raw_connect(srv);
    const char blmove[] = "*6\r\n$6\r\nBLMOVE\r\n$1\r\na\r\n$1\r\nb\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n"
                          "$4\r\n0.05\r\n";
    harness_raw_send(fd, blmove, sizeof(blmove) - 1);
    RAW_EXPECT(fd, "*-1\r\n");
    harness_raw_send(fd, "MULTI\r\n", 7);
    RAW_EXPECT(fd, "+OK\r\n");
    harness_raw_send(fd, blmove, sizeof(blmove) - 1);
    RAW_EXPECT(fd, "+QUEUED\r\n");
    const char queued[] = "BLPOP x 0\r\nBZPOPMIN x 0\r\nBLMPOP 0 1 x LEFT\r\nEXEC\r\n";
    harness_raw_send(fd, queued, sizeof(queued) - 1);
    RAW_EXPECT(fd, "+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n");
    close(fd);
}

/* Waiters are served first come first served, across connections (and so
 * worker threads), each with one element. */
static void test_fifo(redisContext *o)
{
    enum { N = 6 };
    redisContext *w[N];
    for (int i = 0; i < N; i++) {
        w[i] = harness_connect(srv);
        block_on(w[i], o, i % 2 ? "BRPOP q 0" : "BLPOP q 0");
    }
    EXPECT_INT(harness_cmd(o, "RPUSH q e0 e1 e2 e3 x"), 5);
    /* Served before the writer's next command runs. */
    EXPECT_INT(harness_cmd(o, "LLEN q"), 0);
    /* In the order they blocked, each from its own end. */
    EXPECT_FLAT(get_reply(w[0]), "q", "e0");
    EXPECT_FLAT(get_reply(w[1]), "q", "x");
    EXPECT_FLAT(get_reply(w[2]), "q", "e1");
    EXPECT_FLAT(get_reply(w[3]), "q", "e3");
    EXPECT_FLAT(get_reply(w[4]), "q", "e2");
    CHECK(blocked_clients(o) == 1);
    EXPECT_INT(harness_cmd(o, "LPUSH q last"), 1);
    EXPECT_FLAT(get_reply(w[5]), "q", "last");
    wait_blocked(o, 0);

    /* LPUSH of several elements: the head first, as Redis. */
    block_on(w[0], o, "BLPOP q 0");
    block_on(w[1], o, "BLPOP q 0");
    EXPECT_INT(harness_cmd(o, "LPUSH q a b c"), 3);
    EXPECT_FLAT(get_reply(w[0]), "q", "c");
    EXPECT_FLAT(get_reply(w[1]), "q", "b");
    EXPECT_FLAT(harness_cmd(o, "LRANGE q 0 -1"), "a");
    for (int i = 0; i < N; i++) redisFree(w[i]);
    EXPECT_OK(harness_cmd(o, "FLUSHALL"));
}

static void test_multi_keys(redisContext *o)
{
    redisContext *w = harness_connect(srv), *w2 = harness_connect(srv);
    block_on(w, o, "BLPOP k1 k2 k1 0");
    EXPECT_INT(harness_cmd(o, "RPUSH k2 v"), 1);
    EXPECT_FLAT(get_reply(w), "k2", "v");
    wait_blocked(o, 0);
    /* No longer waiting on k1 either. */
    EXPECT_INT(harness_cmd(o, "RPUSH k1 w"), 1);
    EXPECT_INT(harness_cmd(o, "LLEN k1"), 1);
    EXPECT_OK(harness_cmd(o, "FLUSHALL"));

    /* A transaction's pushes are served after EXEC, and its own pops
     * come first. */
    block_on(w, o, "BLPOP t 0");
    block_on(w2, o, "BLPOP t 0");
    EXPECT_OK(harness_cmd(o, "MULTI"));
    EXPECT_STATUS(harness_cmd(o, "RPUSH t a b"), "QUEUED");
    EXPECT_STATUS(harness_cmd(o, "LPOP t"), "QUEUED");
    EXPECT_STATUS(harness_cmd(o, "RPUSH t c"), "QUEUED");
    redisReply *r = harness_cmd(o, "EXEC");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    CHECK(r->element[0]->integer == 2 && strcmp(r->element[1]->str, "a") == 0 &&
          r->element[2]->integer == 2);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(o, "EXISTS t"), 0);
    EXPECT_FLAT(get_reply(w), "t", "b");
    EXPECT_FLAT(get_reply(w2), "t", "c");
    wait_blocked(o, 0);
    redisFree(w);
    redisFree(w2);
}

/* BLMOVE pushes to its destination, which wakes the destination's waiters
 * in turn; a destination of the wrong type answers the waiter WRONGTYPE. */
static void test_blmove(redisContext *o)
{
    redisContext *m = harness_connect(srv), *p = harness_connect(srv), *z = harness_connect(srv);
    for (int round = 0; round < 20; round++) {
        char src[32], dst[32], cmd[128];
        snprintf(src, sizeof(src), "src%d", round);
        snprintf(dst, sizeof(dst), "dst%d", round);
        snprintf(cmd, sizeof(cmd), "BLMOVE %s %s RIGHT LEFT 0", src, dst);
        block_on(m, o, cmd);
        snprintf(cmd, sizeof(cmd), "BLPOP %s 0", dst);
        block_on(p, o, cmd);
        EXPECT_INT(harness_cmd(o, "RPUSH %s x y", src), 2);
        EXPECT_STR(get_reply(m), "y");
        EXPECT_FLAT(get_reply(p), dst, "y");
        EXPECT_INT(harness_cmd(o, "EXISTS %s", dst), 0);
        EXPECT_FLAT(harness_cmd(o, "LRANGE %s 0 -1", src), "x");
    }
    EXPECT_OK(harness_cmd(o, "SET notalist v"));
    block_on(m, o, "BRPOPLPUSH from notalist 0");
    EXPECT_INT(harness_cmd(o, "RPUSH from e"), 1);
    EXPECT_ERROR_EXACT(get_reply(m),
                       "WRONGTYPE Operation against a key holding the wrong kind of value");
    EXPECT_FLAT(harness_cmd(o, "LRANGE from 0 -1"), "e");

    /* A list waiter ignores a sorted set made under its key. */
    block_on(p, o, "BLPOP mixed 0");
    block_on(z, o, "BZPOPMIN mixed 0");
    EXPECT_INT(harness_cmd(o, "ZADD mixed 5 m"), 1);
    EXPECT_FLAT(get_reply(z), "mixed", "m", "5");
    CHECK(blocked_clients(o) == 1);
    EXPECT_INT(harness_cmd(o, "ZADD mixed 6 n"), 1);
    EXPECT_INT(harness_cmd(o, "ZCARD mixed"), 1);
    EXPECT_INT(harness_cmd(o, "DEL mixed"), 1);
    EXPECT_INT(harness_cmd(o, "RPUSH mixed v"), 1);
    EXPECT_FLAT(get_reply(p), "mixed", "v");
    wait_blocked(o, 0);

    /* Blocked counted pops. */
    block_on(p, o, "BLMPOP 0 2 ml1 ml2 RIGHT COUNT 2");
    block_on(z, o, "BZMPOP 0 1 mz MAX COUNT 10");
    EXPECT_INT(harness_cmd(o, "RPUSH ml2 a b c"), 3);
    redisReply *r = get_reply(p);
    CHECK(r->type == REDIS_REPLY_ARRAY && strcmp(r->element[0]->str, "ml2") == 0);
    EXPECT_FLAT(r->element[1], "c", "b");
    r->element[1] = NULL;
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(o, "ZADD mz 1 a 2 b"), 2);
    r = get_reply(z);
    CHECK(r->type == REDIS_REPLY_ARRAY && r->element[1]->elements == 2);
    CHECK(strcmp(r->element[1]->element[0]->element[0]->str, "b") == 0);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(o, "EXISTS mz"), 0);
    redisFree(m);
    redisFree(p);
    redisFree(z);
    EXPECT_OK(harness_cmd(o, "FLUSHALL"));
}

/* Keys that appear without a push: RENAME, SWAPDB. */
static void test_other_writes(redisContext *o)
{
    redisContext *w = harness_connect(srv);
    block_on(w, o, "BLPOP target 0");
    EXPECT_INT(harness_cmd(o, "RPUSH other v"), 1);
    EXPECT_OK(harness_cmd(o, "RENAME other target"));
    EXPECT_FLAT(get_reply(w), "target", "v");

    block_on(w, o, "BZPOPMAX swapped 0");
    EXPECT_OK(harness_cmd(o, "SELECT 1"));
    EXPECT_INT(harness_cmd(o, "ZADD swapped 7 s"), 1);
    EXPECT_OK(harness_cmd(o, "SWAPDB 0 1"));
    EXPECT_FLAT(get_reply(w), "swapped", "s", "7");
    EXPECT_OK(harness_cmd(o, "SELECT 0"));
    redisFree(w);
    EXPECT_OK(harness_cmd(o, "FLUSHALL"));
}

static void test_unblock_and_close(redisContext *o)
{
    redisContext *w = harness_connect(srv);
    long long id = harness_cmd_int(w, "CLIENT ID");
    block_on(w, o, "BLPOP u 0");
    char *list = harness_cmd_str(o, "CLIENT LIST ID %lld", id);
    CHECK(strstr(list, " flags=b ") != NULL && strstr(list, " cmd=blpop ") != NULL);
    free(list);
    EXPECT_INT(harness_cmd(o, "CLIENT UNBLOCK %lld", id), 1);
    expect_nil_array(get_reply(w));
    EXPECT_INT(harness_cmd(o, "CLIENT UNBLOCK %lld", id), 0);
    block_on(w, o, "BZPOPMIN u 100");
    char *v = harness_info_field(o, "clients", "clients_in_timeout_table");
    CHECK(v && strcmp(v, "1") == 0);
    free(v);
    EXPECT_INT(harness_cmd(o, "CLIENT UNBLOCK %lld ERROR", id), 1);
    EXPECT_ERROR_EXACT(get_reply(w), "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    wait_blocked(o, 0);
    v = harness_info_field(o, "clients", "clients_in_timeout_table");
    CHECK(v && strcmp(v, "0") == 0);
    free(v);
    EXPECT_ERROR_EXACT(harness_cmd(o, "CLIENT UNBLOCK %lld MAYBE", id),
                       "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    EXPECT_ERROR_EXACT(harness_cmd(o, "CLIENT UNBLOCK x"),
                       "ERR value is not an integer or out of range");

    /* Commands pipelined after a blocking one wait for it. */
    int fd = harness_raw_connect(srv);
    const char pipelined[] = "BLPOP p 0\r\nPING\r\nRPUSH p self\r\n";
    harness_raw_send(fd, pipelined, sizeof(pipelined) - 1);
    wait_blocked(o, 1);
    EXPECT_INT(harness_cmd(o, "RPUSH p x"), 1);
    RAW_EXPECT(fd, "*2\r\n$1\r\np\r\n$1\r\nx\r\n+PONG\r\n:1\r\n");
    close(fd);
    EXPECT_FLAT(harness_cmd(o, "LRANGE p 0 -1"), "self");

    /* A waiter whose connection closed is dropped: nothing is popped for it. */
    block_on(w, o, "BLPOP gone 0");
    redisFree(w);
    wait_blocked(o, 0);
    EXPECT_INT(harness_cmd(o, "RPUSH gone v"), 1);
    EXPECT_INT(harness_cmd(o, "LLEN gone"), 1);
    EXPECT_OK(harness_cmd(o, "FLUSHALL"));
}

/* Producers push numbered items from several connections, consumers pop
 * them with short timeouts from others: every item arrives exactly once. */
#define PRODUCERS 3
#define CONSUMERS 5
#define ITEMS 2000 /* per producer */

struct consumer {
    pthread_t thread;
    int got;
    unsigned char *seen;
    int duplicate;
};

static int producers_done;

static void *producer_main(void *arg)
{
    int id = (int)(long)arg;
    redisContext *c = harness_connect(srv);
    for (int i = 0; i < ITEMS; i++) {
        const char *key = i % 3 == 0 ? "pc:a" : i % 3 == 1 ? "pc:b" : "pc:c";
        redisReply *r = redisCommand(c, "%s %s %d", i % 2 ? "LPUSH" : "RPUSH", key, id * ITEMS + i);
        CHECK(r && r->type == REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
    redisFree(c);
    return NULL;
}

static void *consumer_main(void *arg)
{
    struct consumer *me = arg;
    redisContext *c = harness_connect(srv);
    long long deadline = harness_now_ms() + 120000;
    while (harness_now_ms() < deadline) {
        /* A timeout after every push ended means nothing is left. */
        int done = __atomic_load_n(&producers_done, __ATOMIC_ACQUIRE);
        redisReply *r = redisCommand(c, "%s pc:a pc:b pc:c 0.05", me->got % 2 ? "BRPOP" : "BLPOP");
        CHECK(r != NULL);
        if (r->type == REDIS_REPLY_NIL) {
            freeReplyObject(r);
            if (done) break;
            continue;
        }
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        int item = atoi(r->element[1]->str);
        CHECK(item >= 0 && item < PRODUCERS * ITEMS);
        if (__atomic_exchange_n(&me->seen[item], 1, __ATOMIC_RELAXED)) me->duplicate = 1;
        me->got++;
        freeReplyObject(r);
    }
    redisFree(c);
    return NULL;
}

static void test_producers_consumers(redisContext *o)
{
    unsigned char *seen = calloc(PRODUCERS * ITEMS, 1);
    struct consumer cs[CONSUMERS];
    pthread_t ps[PRODUCERS];
    producers_done = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        cs[i] = (struct consumer){.seen = seen};
        CHECK(pthread_create(&cs[i].thread, NULL, consumer_main, &cs[i]) == 0);
    }
    for (int i = 0; i < PRODUCERS; i++)
        CHECK(pthread_create(&ps[i], NULL, producer_main, (void *)(long)i) == 0);
    for (int i = 0; i < PRODUCERS; i++) CHECK(pthread_join(ps[i], NULL) == 0);
    __atomic_store_n(&producers_done, 1, __ATOMIC_RELEASE);
    int total = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        CHECK(pthread_join(cs[i].thread, NULL) == 0);
        CHECK(!cs[i].duplicate);
        total += cs[i].got;
    }
    for (int i = 0; i < PRODUCERS * ITEMS; i++) CHECK(seen[i]);
    CHECK(total == PRODUCERS * ITEMS);
    EXPECT_INT(harness_cmd(o, "DBSIZE"), 0);
    wait_blocked(o, 0);
    printf("producers/consumers: %d items, each popped exactly once\n", total);
    free(seen);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    srv = &s;
    redisContext *c = harness_connect(&s);
    printf("test_immediate\n");
    fflush(stdout);
    test_immediate(c);
    printf("test_mpop\n");
    fflush(stdout);
    test_mpop(c);
    printf("test_timeouts\n");
    fflush(stdout);
    test_timeouts(c);
    printf("test_fifo\n");
    fflush(stdout);
    test_fifo(c);
    printf("test_multi_keys\n");
    fflush(stdout);
    test_multi_keys(c);
    printf("test_blmove\n");
    fflush(stdout);
    test_blmove(c);
    printf("test_other_writes\n");
    fflush(stdout);
    test_other_writes(c);
    printf("test_unblock_and_close\n");
    fflush(stdout);
    test_unblock_and_close(c);
    printf("test_producers_consumers\n");
    fflush(stdout);
    test_producers_consumers(c);
    redisFree(c);
    harness_stop(&s);
    printf("test_blocking: all passed\n");
    return 0;
}
