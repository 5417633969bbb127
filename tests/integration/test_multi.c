/*
 * test_multi: MULTI, EXEC, DISCARD, WATCH and UNWATCH against a real server
 * process, as Redis 7.0 answers them: queuing, EXECABORT after a refused
 * command, errors inside EXEC, every way a watched key is invalidated
 * (write, delete, expiry, FLUSHALL, SWAPDB) and the ways it is not (stale
 * keys, other keys); then atomicity across worker threads and shards:
 * optimistic increments with WATCH retried from several threads lose no
 * update, and two keys incremented together in transactions are never
 * seen apart by a reader's transaction.
 *
 * Usage: test_multi <server binary>; with no argument it runs against
 * redis-server, which every expectation here was checked against.
 */
#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 6
#define INCREMENTS 300 /* per thread */

/* EXEC's reply: an array of n elements, or a nil array (n == -1). */
static redisReply *exec_expect(redisContext *c, long n)
{
    redisReply *r = harness_cmd(c, "EXEC");
    if (n < 0) {
        CHECK(r->type == REDIS_REPLY_NIL);
    } else {
        CHECK(r->type == REDIS_REPLY_ARRAY);
        CHECK((long)r->elements == n);
    }
    return r;
}

static void test_basics(redisContext *c, redisContext *o)
{
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SET a 1"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "INCR a"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "SET s text"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "INCR s"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "GET a"), "QUEUED");
    redisReply *r = exec_expect(c, 5);
    CHECK(r->element[0]->type == REDIS_REPLY_STATUS && strcmp(r->element[0]->str, "OK") == 0);
    CHECK(r->element[1]->type == REDIS_REPLY_INTEGER && r->element[1]->integer == 2);
    CHECK(r->element[3]->type == REDIS_REPLY_ERROR &&
          strcmp(r->element[3]->str, "ERR value is not an integer or out of range") == 0);
    CHECK(r->element[4]->type == REDIS_REPLY_STRING && strcmp(r->element[4]->str, "2") == 0);
    freeReplyObject(r);

    /* An empty transaction. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    r = exec_expect(c, 0);
    freeReplyObject(r);

    EXPECT_ERROR_EXACT(harness_cmd(c, "EXEC"), "ERR EXEC without MULTI");
    EXPECT_ERROR_EXACT(harness_cmd(c, "DISCARD"), "ERR DISCARD without MULTI");

    /* Nested MULTI is refused but does not doom the transaction. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "MULTI"), "ERR MULTI calls can not be nested");
    EXPECT_ERROR_EXACT(harness_cmd(c, "WATCH a"), "ERR WATCH inside MULTI is not allowed");
    EXPECT_STATUS(harness_cmd(c, "SET b 2"), "QUEUED");
    r = exec_expect(c, 1);
    freeReplyObject(r);
    EXPECT_STR(harness_cmd(c, "GET b"), "2");

    /* DISCARD drops everything queued. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SET b 3"), "QUEUED");
    char *list = harness_cmd_str(o, "CLIENT LIST");
    CHECK(strstr(list, "flags=x ") != NULL && strstr(list, " multi=1 ") != NULL);
    free(list);
    EXPECT_OK(harness_cmd(c, "DISCARD"));
    EXPECT_STR(harness_cmd(c, "GET b"), "2");
    list = harness_cmd_str(o, "CLIENT LIST");
    CHECK(strstr(list, "flags=x ") == NULL && strstr(list, " multi=1 ") == NULL);
    free(list);

    /* SELECT inside the transaction moves the commands after it. */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SELECT 5"), "QUEUED");
    EXPECT_STATUS(harness_cmd(c, "SET in5 yes"), "QUEUED");
    r = exec_expect(c, 2);
    freeReplyObject(r);
    EXPECT_STR(harness_cmd(c, "GET in5"), "yes");
    EXPECT_OK(harness_cmd(c, "SELECT 0"));
    EXPECT_NIL(harness_cmd(c, "GET in5"));
}

static void test_execabort(redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "SET x 1"), "QUEUED");
    EXPECT_ERROR(harness_cmd(c, "NOSUCHCOMMAND"), "ERR unknown command 'NOSUCHCOMMAND'");
    EXPECT_STATUS(harness_cmd(c, "SET y 1"), "QUEUED");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXEC"),
                       "EXECABORT Transaction discarded because of previous errors.");
    EXPECT_NIL(harness_cmd(c, "GET x"));

    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "GET"), "ERR wrong number of arguments for 'get' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXEC"),
                       "EXECABORT Transaction discarded because of previous errors.");
    EXPECT_ERROR_EXACT(harness_cmd(c, "EXEC"), "ERR EXEC without MULTI");
}

/* Runs WATCH key, lets `other` do its thing, then MULTI/SET/EXEC: returns
 * 1 when EXEC ran, 0 when it answered nil. */
static int watched_exec(redisContext *c, redisContext *other, const char *key,
                        const char *other_cmd)
{
    EXPECT_OK(harness_cmd(c, "WATCH %s", key));
    if (other_cmd) {
        /* other_cmd is words separated by single spaces. */
        char buf[128];
        const char *argv[8];
        size_t lens[8];
        int argc = 0;
        snprintf(buf, sizeof(buf), "%s", other_cmd);
        for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < 8;
             t = strtok_r(NULL, " ", &save)) {
            argv[argc] = t;
            lens[argc++] = strlen(t);
        }
        freeReplyObject(harness_cmd_argv(other, argc, argv, lens));
    }
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    redisReply *r = harness_cmd(c, "EXEC");
    int ran = r->type == REDIS_REPLY_ARRAY;
    CHECK(ran || r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    return ran;
}

static void test_watch(redisContext *c, redisContext *o)
{
    EXPECT_OK(harness_cmd(c, "SET w 1"));
    CHECK(watched_exec(c, o, "w", NULL) == 1);
    CHECK(watched_exec(c, o, "w", "SET w 2") == 0);
    CHECK(watched_exec(c, o, "w", "SET other 2") == 1);
    CHECK(watched_exec(c, o, "w", "INCR w") == 0);
    CHECK(watched_exec(c, o, "w", "APPEND w x") == 0);
    CHECK(watched_exec(c, o, "w", "EXPIRE w 1000") == 0);
    CHECK(watched_exec(c, o, "w", "PERSIST w") == 0);
    CHECK(watched_exec(c, o, "w", "PERSIST w") == 1); /* no TTL left: no change */
    CHECK(watched_exec(c, o, "w", "RENAME w w2") == 0);
    CHECK(watched_exec(c, o, "w", "RENAME w2 w") == 0);
    CHECK(watched_exec(c, o, "w", "DEL w") == 0);
    CHECK(watched_exec(c, o, "w", "DEL w") == 1); /* deleting nothing */
    CHECK(watched_exec(c, o, "w", "SET w again") == 0);
    /* The same client's own write counts too. */
    CHECK(watched_exec(c, c, "w", "SET w mine") == 0);

    /* FLUSHALL invalidates a watched key that existed, not one that did not. */
    CHECK(watched_exec(c, o, "w", "FLUSHALL") == 0);
    CHECK(watched_exec(c, o, "w", "FLUSHALL") == 1);
    /* SWAPDB: a key that appears (from the other db) changes. */
    freeReplyObject(harness_cmd(o, "SELECT 1"));
    EXPECT_OK(harness_cmd(o, "SET w indb1"));
    freeReplyObject(harness_cmd(o, "SELECT 0"));
    CHECK(watched_exec(c, o, "w", "SWAPDB 0 1") == 0);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));

    /* A watched key that expires before EXEC. */
    EXPECT_OK(harness_cmd(c, "SET t v PX 50"));
    EXPECT_OK(harness_cmd(c, "WATCH t"));
    usleep(120000);
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    redisReply *r = exec_expect(c, -1);
    freeReplyObject(r);

    /* UNWATCH forgets; after EXEC nothing stays watched. */
    EXPECT_OK(harness_cmd(c, "SET u 1"));
    EXPECT_OK(harness_cmd(c, "WATCH u"));
    EXPECT_OK(harness_cmd(c, "UNWATCH"));
    EXPECT_OK(harness_cmd(o, "SET u 2"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    r = exec_expect(c, 0);
    freeReplyObject(r);
    CHECK(watched_exec(c, o, "u", NULL) == 1);
    EXPECT_OK(harness_cmd(o, "SET u 3"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    r = exec_expect(c, 0);
    freeReplyObject(r);
    /* DISCARD unwatches too. */
    EXPECT_OK(harness_cmd(c, "WATCH u"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_OK(harness_cmd(c, "DISCARD"));
    EXPECT_OK(harness_cmd(o, "SET u 4"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    r = exec_expect(c, 0);
    freeReplyObject(r);
}

/* Redis's stale-key rules: a key watched while already logically expired
 * does not fail EXEC when its lazy deletion or a FLUSHDB removes it. */
static void test_watch_stale(redisContext *c, redisContext *o)
{
    EXPECT_OK(harness_cmd(c, "DEBUG SET-ACTIVE-EXPIRE 0"));
    EXPECT_OK(harness_cmd(c, "SET x foo PX 1"));
    usleep(5000);
    EXPECT_OK(harness_cmd(c, "WATCH x"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    redisReply *r = exec_expect(c, 1);
    freeReplyObject(r);

    EXPECT_OK(harness_cmd(c, "SET x foo PX 1"));
    usleep(5000);
    EXPECT_OK(harness_cmd(c, "WATCH x"));
    EXPECT_INT(harness_cmd(o, "EXISTS x"), 0); /* lazy deletion */
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    r = exec_expect(c, 1);
    freeReplyObject(r);

    EXPECT_OK(harness_cmd(c, "SET x foo PX 1"));
    usleep(5000);
    EXPECT_OK(harness_cmd(c, "WATCH x"));
    EXPECT_OK(harness_cmd(o, "FLUSHDB"));
    EXPECT_OK(harness_cmd(c, "MULTI"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "QUEUED");
    r = exec_expect(c, 1);
    freeReplyObject(r);
    EXPECT_OK(harness_cmd(c, "DEBUG SET-ACTIVE-EXPIRE 1"));
}

/* ---- across threads ----------------------------------------------------- */

struct worker_arg {
    pthread_t thread;
    const struct server *s;
    int id;
    long long retries;
    int torn; /* a reader saw a and b differ */
};

/* WATCH/GET/MULTI/SET/EXEC until it goes through, INCREMENTS times. */
static void *optimistic_main(void *arg)
{
    struct worker_arg *w = arg;
    redisContext *c = harness_connect(w->s);
    for (int i = 0; i < INCREMENTS; i++) {
        for (;;) {
            EXPECT_OK(harness_cmd(c, "WATCH counter"));
            redisReply *r = harness_cmd(c, "GET counter");
            long long v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : 0;
            freeReplyObject(r);
            EXPECT_OK(harness_cmd(c, "MULTI"));
            EXPECT_STATUS(harness_cmd(c, "SET counter %lld", v + 1), "QUEUED");
            r = harness_cmd(c, "EXEC");
            int done = r->type == REDIS_REPLY_ARRAY;
            freeReplyObject(r);
            if (done) break;
            w->retries++;
        }
    }
    redisFree(c);
    return NULL;
}

/* Half the threads move pair:a and pair:b together; the others read both
 * in one transaction and must never see them differ. */
static void *pair_main(void *arg)
{
    struct worker_arg *w = arg;
    redisContext *c = harness_connect(w->s);
    for (int i = 0; i < INCREMENTS; i++) {
        EXPECT_OK(harness_cmd(c, "MULTI"));
        if (w->id % 2 == 0) {
            EXPECT_STATUS(harness_cmd(c, "INCR pair:a"), "QUEUED");
            EXPECT_STATUS(harness_cmd(c, "INCR pair:b"), "QUEUED");
            freeReplyObject(exec_expect(c, 2));
        } else {
            EXPECT_STATUS(harness_cmd(c, "GET pair:a"), "QUEUED");
            EXPECT_STATUS(harness_cmd(c, "GET pair:b"), "QUEUED");
            redisReply *r = exec_expect(c, 2);
            const char *a = r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "0";
            const char *b = r->element[1]->type == REDIS_REPLY_STRING ? r->element[1]->str : "0";
            if (strcmp(a, b) != 0) w->torn = 1;
            freeReplyObject(r);
        }
    }
    redisFree(c);
    return NULL;
}

static void test_threads(const struct server *s, redisContext *c)
{
    struct worker_arg w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker_arg){.s = s, .id = i};
        CHECK(pthread_create(&w[i].thread, NULL, optimistic_main, &w[i]) == 0);
    }
    long long retries = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(w[i].thread, NULL) == 0);
        retries += w[i].retries;
    }
    EXPECT_STR(harness_cmd(c, "GET counter"), "1800");
    printf("optimistic increments: %d, retries after a conflict: %lld\n", THREADS * INCREMENTS,
           retries);

    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker_arg){.s = s, .id = i};
        CHECK(pthread_create(&w[i].thread, NULL, pair_main, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(w[i].thread, NULL) == 0);
        CHECK(!w[i].torn);
    }
    EXPECT_STR(harness_cmd(c, "GET pair:a"), "900");
    EXPECT_STR(harness_cmd(c, "GET pair:b"), "900");
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    struct server s;
    if (harness_start(&s, binary, args) != 0) return 1;
    redisContext *c = harness_connect(&s), *o = harness_connect(&s);
    test_basics(c, o);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    test_execabort(c);
    test_watch(c, o);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    test_watch_stale(c, o);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    test_threads(&s, c);
    redisFree(c);
    redisFree(o);
    harness_stop(&s);
    printf("test_multi: all passed\n");
    return 0;
}
