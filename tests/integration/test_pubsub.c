/*
 * test_pubsub: PUBLISH, (P)SUBSCRIBE, (P)UNSUBSCRIBE and PUBSUB against a
 * real server process, byte for byte as Redis 7.0 frames them, and across
 * worker threads: many subscribers (spread over the workers) and several
 * publishing threads, every message delivered once, each publisher's in
 * order, and every subscriber seeing the same total order. Also
 * subscribers that vanish mid-stream and the pubsub output-buffer limit.
 *
 * Usage: test_pubsub <server binary>; with no argument it runs against
 * redis-server, which every expectation here was checked against.
 */
#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUBSCRIBERS 8
#define PUBLISHERS 4
#define MESSAGES 500 /* per publisher */

static void test_framing(const struct server *s, redisContext *c)
{
    int sub = harness_raw_connect(s);
    harness_raw_send(sub, "SUBSCRIBE ch1 ch2\r\n", 19);
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n"
                    "*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n");
    /* Subscribing again changes nothing but is confirmed. */
    harness_raw_send(sub, "SUBSCRIBE ch1\r\n", 15);
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:2\r\n");
    harness_raw_send(sub, "PSUBSCRIBE c*\r\n", 15);
    RAW_EXPECT(sub, "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:3\r\n");

    EXPECT_INT(harness_cmd(c, "PUBLISH ch1 hello"), 2);
    RAW_EXPECT(sub, "*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$5\r\nhello\r\n"
                    "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$3\r\nch1\r\n$5\r\nhello\r\n");
    EXPECT_INT(harness_cmd(c, "PUBLISH cx %b", "a\r\nb", (size_t)4), 1);
    RAW_EXPECT(sub, "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\ncx\r\n$4\r\na\r\nb\r\n");
    EXPECT_INT(harness_cmd(c, "PUBLISH other x"), 0);

    /* The subscribed context of RESP2. */
    harness_raw_send(sub, "GET k\r\n", 7);
    RAW_EXPECT(sub, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                    "QUIT / RESET are allowed in this context\r\n");
    harness_raw_send(sub, "CONFIG GET port\r\n", 17);
    RAW_EXPECT(sub, "-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                    "PING / QUIT / RESET are allowed in this context\r\n");
    harness_raw_send(sub, "PING\r\nPING hi\r\n", 15);
    RAW_EXPECT(sub, "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");

    /* What the server reports meanwhile. */
    EXPECT_INT(harness_cmd(c, "PUBSUB NUMPAT"), 1);
    redisReply *r = harness_cmd(c, "PUBSUB NUMSUB ch1 nope");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    CHECK(r->element[1]->type == REDIS_REPLY_INTEGER && r->element[1]->integer == 1);
    CHECK(r->element[3]->type == REDIS_REPLY_INTEGER && r->element[3]->integer == 0);
    freeReplyObject(r);
    r = harness_cmd(c, "PUBSUB CHANNELS");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
    EXPECT_STRS(harness_cmd(c, "PUBSUB CHANNELS *2"), "ch2");
    EXPECT_STRS(harness_cmd(c, "PUBSUB NUMSUB"));
    char *v = harness_info_field(c, "stats", "pubsub_channels");
    CHECK(v && strcmp(v, "2") == 0);
    free(v);
    v = harness_info_field(c, "stats", "pubsub_patterns");
    CHECK(v && strcmp(v, "1") == 0);
    free(v);
    char *list = harness_cmd_str(c, "CLIENT LIST");
    CHECK(strstr(list, "flags=P db=0 sub=2 psub=1 ") != NULL);
    free(list);

    /* Leaving: one by one, then everything, then nothing left to leave. */
    harness_raw_send(sub, "UNSUBSCRIBE ch1 nope\r\n", 22);
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$3\r\nch1\r\n:2\r\n"
                    "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnope\r\n:2\r\n");
    harness_raw_send(sub, "UNSUBSCRIBE\r\n", 13);
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$3\r\nch2\r\n:1\r\n");
    harness_raw_send(sub, "UNSUBSCRIBE\r\n", 13);
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
    harness_raw_send(sub, "PUNSUBSCRIBE\r\n", 14);
    RAW_EXPECT(sub, "*3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n");
    harness_raw_send(sub, "PUNSUBSCRIBE\r\n", 14);
    RAW_EXPECT(sub, "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
    /* Out of the subscribed context: ordinary replies again. */
    harness_raw_send(sub, "PING\r\nGET nokey\r\n", 17);
    RAW_EXPECT(sub, "+PONG\r\n$-1\r\n");
    EXPECT_INT(harness_cmd(c, "PUBSUB NUMPAT"), 0);
    EXPECT_STRS(harness_cmd(c, "PUBSUB CHANNELS"));
    close(sub);

    EXPECT_ERROR_EXACT(harness_cmd(c, "SUBSCRIBE"),
                       "ERR wrong number of arguments for 'subscribe' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PUBLISH ch"),
                       "ERR wrong number of arguments for 'publish' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PUBSUB CHANNELS a b"),
                       "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
                       "PUBSUB HELP.");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PUBSUB NOPE"),
                       "ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.");
}

/* ---- many publishers, many subscribers ---------------------------------- */

struct publisher {
    pthread_t thread;
    const struct server *s;
    int id;
    long long receivers; /* sum of PUBLISH replies */
};

static void *publisher_main(void *arg)
{
    struct publisher *p = arg;
    redisContext *c = harness_connect(p->s);
    for (int i = 0; i < MESSAGES; i++) {
        redisReply *r = harness_cmd(c, "PUBLISH fan %d:%d", p->id, i);
        CHECK(r->type == REDIS_REPLY_INTEGER);
        p->receivers += r->integer;
        freeReplyObject(r);
    }
    redisFree(c);
    return NULL;
}

static void test_fan_out(const struct server *s, redisContext *c)
{
    redisContext *subs[SUBSCRIBERS];
    for (int i = 0; i < SUBSCRIBERS; i++) {
        subs[i] = harness_connect(s);
        redisReply *r = harness_cmd(subs[i], "SUBSCRIBE fan");
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
        freeReplyObject(r);
    }
    redisReply *n = harness_cmd(c, "PUBSUB NUMSUB fan");
    CHECK(n->type == REDIS_REPLY_ARRAY && n->elements == 2 &&
          n->element[1]->integer == SUBSCRIBERS);
    freeReplyObject(n);

    struct publisher pubs[PUBLISHERS];
    for (int i = 0; i < PUBLISHERS; i++) {
        pubs[i] = (struct publisher){.s = s, .id = i};
        CHECK(pthread_create(&pubs[i].thread, NULL, publisher_main, &pubs[i]) == 0);
    }
    for (int i = 0; i < PUBLISHERS; i++) {
        CHECK(pthread_join(pubs[i].thread, NULL) == 0);
        CHECK(pubs[i].receivers == (long long)SUBSCRIBERS * MESSAGES);
    }

    /* Every subscriber: every message once, each publisher's in order, and
     * the same interleaving as subscriber 0 saw. */
    static char order[SUBSCRIBERS][PUBLISHERS * MESSAGES][16];
    for (int i = 0; i < SUBSCRIBERS; i++) {
        int next[PUBLISHERS] = {0};
        for (int m = 0; m < PUBLISHERS * MESSAGES; m++) {
            redisReply *r = NULL;
            CHECK(redisGetReply(subs[i], (void **)&r) == REDIS_OK && r != NULL);
            CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
            CHECK(strcmp(r->element[0]->str, "message") == 0);
            CHECK(strcmp(r->element[1]->str, "fan") == 0);
            int pub = -1, seq = -1;
            CHECK(sscanf(r->element[2]->str, "%d:%d", &pub, &seq) == 2);
            CHECK(pub >= 0 && pub < PUBLISHERS && seq == next[pub]);
            next[pub]++;
            snprintf(order[i][m], sizeof(order[i][m]), "%s", r->element[2]->str);
            CHECK(i == 0 || strcmp(order[i][m], order[0][m]) == 0);
            freeReplyObject(r);
        }
        redisFree(subs[i]);
    }
}

/* Subscribers that disappear while messages are on their way. */
static void test_vanishing_subscribers(const struct server *s, redisContext *c)
{
    for (int round = 0; round < 20; round++) {
        int fds[4];
        for (int i = 0; i < 4; i++) {
            fds[i] = harness_raw_connect(s);
            harness_raw_send(fds[i], "SUBSCRIBE gone\r\n", 16);
            RAW_EXPECT(fds[i], "*3\r\n$9\r\nsubscribe\r\n$4\r\ngone\r\n:1\r\n");
        }
        for (int m = 0; m < 50; m++) {
            redisReply *r = harness_cmd(c, "PUBLISH gone %d", m);
            CHECK(r->type == REDIS_REPLY_INTEGER);
            freeReplyObject(r);
            if (m == 25)
                for (int i = 0; i < 4; i++) close(fds[i]);
        }
    }
    /* Every one of them is gone from the registry. */
    long long deadline = harness_now_ms() + 5000;
    long long n = -1;
    while (harness_now_ms() < deadline) {
        redisReply *r = harness_cmd(c, "PUBSUB NUMSUB gone");
        CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        n = r->element[1]->integer;
        freeReplyObject(r);
        if (n == 0) break;
        usleep(20000);
    }
    CHECK(n == 0);
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
}

/* A subscriber that stops reading is cut off by the pubsub class limit. */
static void test_output_limit(const struct server *s, redisContext *c)
{
    EXPECT_OK(
        harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 0 0 0 pubsub 1mb 0 0"));
    int sub = harness_raw_connect(s);
    harness_raw_send(sub, "SUBSCRIBE flood\r\n", 17);
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n");
    static char big[65536];
    memset(big, 'x', sizeof(big));
    long long deadline = harness_now_ms() + 20000, subscribers = 1;
    for (int m = 0; subscribers > 0 && harness_now_ms() < deadline; m++) {
        redisReply *r = harness_cmd(c, "PUBLISH flood %b", big, sizeof(big));
        CHECK(r->type == REDIS_REPLY_INTEGER);
        freeReplyObject(r);
        if (m % 16 == 15) {
            r = harness_cmd(c, "PUBSUB NUMSUB flood");
            subscribers = r->element[1]->integer;
            freeReplyObject(r);
        }
    }
    CHECK(subscribers == 0);
    close(sub);
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s",
                          "normal 0 0 0 pubsub 32mb 8mb 60"));
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    redisContext *c = harness_connect(&s);
    test_framing(&s, c);
    test_fan_out(&s, c);
    test_vanishing_subscribers(&s, c);
    test_output_limit(&s, c);
    redisFree(c);
    harness_stop(&s);
    printf("test_pubsub: all passed\n");
    return 0;
}
