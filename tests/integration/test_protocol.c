/*
 * test_protocol: the RESP2 wire protocol as Redis 7.0 speaks it, against a
 * real server process: deep pipelines, many concurrent clients, a very
 * large value, commands split across packets, inline commands, and every
 * kind of malformed request (exact "-ERR Protocol error: ..." reply, then
 * the connection closed, while other clients carry on).
 *
 * Usage: test_protocol <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Malformed bytes go through raw sockets, since hiredis only sends valid
 * requests.
 */
#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPELINE_COMMANDS 10000
#define CONCURRENT_CLIENTS 50
#define INCRS_PER_CLIENT 2000
#define BIG_VALUE_BYTES (64u * 1024 * 1024)
#define OVERSIZED_LINE 70000 /* past Redis's 64 KiB inline / count limit */

/* Even commands INCR a counter, odd ones ECHO their index: every reply
 * must come back, in order. */
static void test_pipeline(const struct server *s)
{
    redisContext *c = harness_connect(s);
    for (int i = 0; i < PIPELINE_COMMANDS; i++) {
        int status = i % 2 == 0 ? redisAppendCommand(c, "INCR pipeline-counter")
                                : redisAppendCommand(c, "ECHO message-%d", i);
        CHECK(status == REDIS_OK);
    }
    for (int i = 0; i < PIPELINE_COMMANDS; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK)
            harness_fail(__FILE__, __LINE__, "reply %d: %s", i, c->errstr);
        if (i % 2 == 0) {
            EXPECT_INT(r, i / 2 + 1);
        } else {
            char expected[32];
            snprintf(expected, sizeof(expected), "message-%d", i);
            EXPECT_STR(r, expected);
        }
    }
    EXPECT_STR(harness_cmd(c, "GET pipeline-counter"), "5000");
    redisFree(c);
}

struct incr_worker {
    const struct server *server;
    int index;
};

static void *incr_worker_run(void *arg)
{
    const struct incr_worker *w = arg;
    redisContext *c = harness_connect(w->server);
    for (int i = 1; i <= INCRS_PER_CLIENT; i++) {
        redisReply *shared = harness_cmd(c, "INCR shared-counter");
        CHECK(shared->type == REDIS_REPLY_INTEGER && shared->integer >= i);
        freeReplyObject(shared);
        EXPECT_INT(harness_cmd(c, "INCR own:%d", w->index), i);
    }
    redisFree(c);
    return NULL;
}

/* No increment may be lost or doubled whichever workers serve the
 * clients. */
static void test_concurrent_clients(const struct server *s)
{
    pthread_t threads[CONCURRENT_CLIENTS];
    struct incr_worker workers[CONCURRENT_CLIENTS];
    for (int i = 0; i < CONCURRENT_CLIENTS; i++) {
        workers[i] = (struct incr_worker){.server = s, .index = i};
        CHECK(pthread_create(&threads[i], NULL, incr_worker_run, &workers[i]) == 0);
    }
    for (int i = 0; i < CONCURRENT_CLIENTS; i++) pthread_join(threads[i], NULL);

    redisContext *c = harness_connect(s);
    EXPECT_STR(harness_cmd(c, "GET shared-counter"), "100000");
    for (int i = 0; i < CONCURRENT_CLIENTS; i++)
        EXPECT_STR(harness_cmd(c, "GET own:%d", i), "2000");
    redisFree(c);
}

static void test_big_value(const struct server *s)
{
    unsigned char *value = malloc(BIG_VALUE_BYTES);
    CHECK(value != NULL);
    for (size_t i = 0; i < BIG_VALUE_BYTES; i++) value[i] = (unsigned char)(i * 31 + i / 4096);
    redisContext *c = harness_connect(s);
    EXPECT_OK(harness_cmd(c, "SET big %b", value, (size_t)BIG_VALUE_BYTES));
    EXPECT_INT(harness_cmd(c, "STRLEN big"), BIG_VALUE_BYTES);
    redisReply *r = harness_cmd(c, "GET big");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == BIG_VALUE_BYTES);
    CHECK(memcmp(r->str, value, BIG_VALUE_BYTES) == 0);
    freeReplyObject(r);
    EXPECT_INT(harness_cmd(c, "DEL big"), 1);
    redisFree(c);
    free(value);
}

/* Sends bytes the server may stop reading half-way (it closes the
 * connection on a protocol error): errors from send are expected. */
static void send_ignoring_errors(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t sent = send(fd, buf, len, MSG_NOSIGNAL);
        if (sent <= 0) return;
        buf += sent;
        len -= (size_t)sent;
    }
}

/* One malformed request: the exact error reply, then the connection is
 * closed; a client connected all along still gets answers. */
static void expect_protocol_error(const struct server *s, redisContext *watcher, const char *bytes,
                                  size_t len, const char *reply)
{
    int fd = harness_raw_connect(s);
    EXPECT_STATUS(harness_cmd(watcher, "PING"), "PONG");
    send_ignoring_errors(fd, bytes, len);
    RAW_EXPECT(fd, reply);
    RAW_EXPECT_CLOSED(fd);
    close(fd);
    EXPECT_STATUS(harness_cmd(watcher, "PING"), "PONG");
}

#define PROTOCOL_ERROR(what) "-ERR Protocol error: " what "\r\n"

static void expect_protocol_error_str(const struct server *s, redisContext *watcher,
                                      const char *bytes, const char *reply)
{
    expect_protocol_error(s, watcher, bytes, strlen(bytes), reply);
}

/* A line of OVERSIZED_LINE bytes, prefix then filler, with no newline. */
static void expect_oversized_line(const struct server *s, redisContext *watcher, const char *prefix,
                                  char filler, const char *reply)
{
    char *line = malloc(OVERSIZED_LINE);
    CHECK(line != NULL);
    size_t prefix_len = strlen(prefix);
    memcpy(line, prefix, prefix_len);
    memset(line + prefix_len, filler, OVERSIZED_LINE - prefix_len);
    expect_protocol_error(s, watcher, line, OVERSIZED_LINE, reply);
    free(line);
}

static void test_malformed_requests(const struct server *s)
{
    redisContext *watcher = harness_connect(s);
    const char *multibulk_len = PROTOCOL_ERROR("invalid multibulk length");
    const char *bulk_len = PROTOCOL_ERROR("invalid bulk length");
    expect_protocol_error_str(s, watcher, "*abc\r\n", multibulk_len);
    expect_protocol_error_str(s, watcher, "*3000000000\r\n", multibulk_len);
    expect_protocol_error_str(s, watcher, "*1\r\nfoo\r\n", PROTOCOL_ERROR("expected '$', got 'f'"));
    expect_protocol_error_str(s, watcher, "*2\r\n$3\r\nGET\r\n:12\r\n",
                              PROTOCOL_ERROR("expected '$', got ':'"));
    expect_protocol_error_str(s, watcher, "*1\r\n$-5\r\n", bulk_len);
    expect_protocol_error_str(s, watcher, "*1\r\n$-1\r\n", bulk_len);
    expect_protocol_error_str(s, watcher, "*1\r\n$abc\r\n", bulk_len);
    /* One byte past the default proto-max-bulk-len (512 MiB). */
    expect_protocol_error_str(s, watcher, "*1\r\n$536870913\r\n", bulk_len);
    expect_protocol_error_str(s, watcher, "SET \"a b\r\n",
                              PROTOCOL_ERROR("unbalanced quotes in request"));
    expect_protocol_error_str(s, watcher, "SET 'a b\r\n",
                              PROTOCOL_ERROR("unbalanced quotes in request"));
    /* A closing quote must be followed by a space. */
    expect_protocol_error_str(s, watcher, "SET \"a\"b c\r\n",
                              PROTOCOL_ERROR("unbalanced quotes in request"));
    /* Commands before the bad one in the same packet are still answered. */
    expect_protocol_error_str(s, watcher, "PING\r\n*abc\r\n",
                              "+PONG\r\n" PROTOCOL_ERROR("invalid multibulk length"));

    expect_oversized_line(s, watcher, "", 'a', PROTOCOL_ERROR("too big inline request"));
    expect_oversized_line(s, watcher, "*", '1', PROTOCOL_ERROR("too big mbulk count string"));
    expect_oversized_line(s, watcher, "*1\r\n$", '1', PROTOCOL_ERROR("too big bulk count string"));

    /* The limit follows CONFIG SET proto-max-bulk-len (its minimum is 1mb). */
    EXPECT_OK(harness_cmd(watcher, "CONFIG SET proto-max-bulk-len 1mb"));
    expect_protocol_error_str(s, watcher, "*1\r\n$1048577\r\n", bulk_len);
    EXPECT_OK(harness_cmd(watcher, "CONFIG SET proto-max-bulk-len 512mb"));
    redisFree(watcher);
}

/* Sends `request` on a fresh raw connection and expects exactly `reply`. */
static void expect_raw_exchange(const struct server *s, const char *request, const char *reply)
{
    int fd = harness_raw_connect(s);
    harness_raw_send(fd, request, strlen(request));
    RAW_EXPECT(fd, reply);
    close(fd);
}

static void test_inline_commands(const struct server *s)
{
    expect_raw_exchange(s, "PING\r\n", "+PONG\r\n");
    expect_raw_exchange(s, "SET a b\r\nGET a\r\n", "+OK\r\n$1\r\nb\r\n");
    expect_raw_exchange(s, "PING\nPING\n", "+PONG\r\n+PONG\r\n"); /* bare LF ends a line */
    expect_raw_exchange(s, "  ECHO   \"hello world\"  \r\n", "$11\r\nhello world\r\n");
    expect_raw_exchange(s, "ECHO 'single quoted'\r\n", "$13\r\nsingle quoted\r\n");
    expect_raw_exchange(s, "SET esc \"\\x41\\n\"\r\nGET esc\r\n", "+OK\r\n$2\r\nA\n\r\n");
    /* Empty lines and empty multibulks are skipped without a reply. */
    expect_raw_exchange(s, "\r\n\r\nPING\r\n", "+PONG\r\n");
    expect_raw_exchange(s, "*0\r\n*-1\r\nPING\r\n", "+PONG\r\n");
    expect_raw_exchange(s, "ping extra\r\n", "$5\r\nextra\r\n");
    expect_raw_exchange(s, "NOSUCH a\r\n",
                        "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n");
}

/* Fails unless nothing at all arrives within ms: the server must wait for
 * the rest of a partial command. */
static void expect_silence(int fd, int ms)
{
    char buf[64];
    size_t got = harness_raw_read_until(fd, buf, sizeof(buf), "\n", ms);
    if (got != 0) harness_fail(__FILE__, __LINE__, "answered a partial command: \"%s\"", buf);
}

static void test_partial_commands(const struct server *s)
{
    int fd = harness_raw_connect(s);
    const char *head = "*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nva";
    harness_raw_send(fd, head, strlen(head));
    expect_silence(fd, 300);
    harness_raw_send(fd, "lue\r\n", 5);
    RAW_EXPECT(fd, "+OK\r\n");

    /* A complete command followed by the start of the next one. */
    const char *mixed = "GET half\r\n*1\r\n$4\r\nPI";
    harness_raw_send(fd, mixed, strlen(mixed));
    RAW_EXPECT(fd, "$5\r\nvalue\r\n");
    expect_silence(fd, 200);
    harness_raw_send(fd, "NG\r\n", 4);
    RAW_EXPECT(fd, "+PONG\r\n");

    /* One byte per packet, through every state of the parser. */
    const char *request = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING\r\n";
    for (size_t i = 0; request[i] != '\0'; i++) {
        harness_raw_send(fd, request + i, 1);
        harness_sleep_ms(2);
    }
    RAW_EXPECT(fd, "$5\r\nhello\r\n+PONG\r\n");
    close(fd);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(const struct server *) = {
        test_pipeline,           test_concurrent_clients, test_big_value,
        test_malformed_requests, test_inline_commands,    test_partial_commands,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        long long start = harness_now_ms();
        tests[i](&s);
        printf("test_protocol: part %zu passed in %lld ms\n", i + 1, harness_now_ms() - start);
    }
    harness_stop(&s);
    printf("test_protocol: all passed\n");
    return 0;
}
