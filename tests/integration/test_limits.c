/*
 * test_limits: the limits Redis 7.0 puts on clients, against a real server
 * process: client-output-buffer-limit for normal clients (hard limit, soft
 * limit held for some seconds, and a single reply over the hard limit),
 * client-query-buffer-limit, proto-max-bulk-len, maxclients with INFO's
 * rejected_connections, the idle client timeout, and the protocol limits
 * on clients that have not authenticated once CONFIG SET requirepass is in
 * force.
 *
 * Usage: test_limits <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 * Clients that must not read their replies, or that send bytes hiredis
 * would refuse, use raw sockets. Every wait has a deadline.
 */
#include "tests/harness.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIG_VALUE_BYTES (100 * 1024)
#define UNREAD_GETS 400 /* 40 MB of replies: more than any socket buffers hold */
#define MAXCLIENTS 5
#define WAIT_MS 5000

#define MAXCLIENTS_ERROR "-ERR max number of clients reached\r\n"
#define NOAUTH_REPLY "-NOAUTH Authentication required.\r\n"

/* Sends bytes the server may stop reading or close on; stops at the first
 * error (EPIPE, reset, or the 5 s send timeout of a raw connection) and
 * returns how many bytes went out. */
static size_t send_until_error(int fd, const char *buf, size_t len)
{
    size_t total = 0;
    while (total < len) {
        ssize_t sent = send(fd, buf + total, len - total, MSG_NOSIGNAL);
        if (sent <= 0) break;
        total += (size_t)sent;
    }
    return total;
}

/* True when a failed recv means the server reset the connection. */
static int errno_is_reset(void)
{
    return errno == ECONNRESET || errno == EPIPE;
}

/* Reads and discards everything until the server closes the connection;
 * returns the byte count, or -1 if it is still open at the deadline. */
static long long drain_until_closed(int fd, int timeout_ms)
{
    static char buf[65536];
    long long total = 0, deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - harness_now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0) return -1;
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return -1;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (n < 0 && errno_is_reset())) return total;
        if (n < 0) return -1;
        total += n;
    }
}

/* True when CLIENT LIST shows a connection with this name. */
static int client_listed(redisContext *c, const char *name)
{
    char needle[128];
    snprintf(needle, sizeof(needle), " name=%s ", name);
    char *list = harness_cmd_str(c, "CLIENT LIST");
    int found = strstr(list, needle) != NULL;
    free(list);
    return found;
}

/* Waits until CLIENT LIST shows (want = 1) or no longer shows (want = 0)
 * the named connection; returns the elapsed ms, or -1 at the deadline. */
static long long wait_client_listed(redisContext *c, const char *name, int want, int timeout_ms)
{
    long long start = harness_now_ms();
    while (client_listed(c, name) != want) {
        if (harness_now_ms() - start >= timeout_ms) return -1;
        harness_sleep_ms(20);
    }
    return harness_now_ms() - start;
}

/* A raw connection named `name` with CLIENT SETNAME. */
static int raw_connect_named(const struct server *s, const char *name)
{
    char request[128];
    int fd = harness_raw_connect(s);
    snprintf(request, sizeof(request), "CLIENT SETNAME %s\r\n", name);
    harness_raw_send(fd, request, strlen(request));
    RAW_EXPECT(fd, "+OK\r\n");
    return fd;
}

/* Sends UNREAD_GETS pipelined GETs of the 100 KB key "big" and reads none
 * of the replies. */
static void send_unread_gets(int fd)
{
    static const char get[] = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
    size_t one = sizeof(get) - 1;
    char *batch = malloc(one * UNREAD_GETS);
    CHECK(batch != NULL);
    for (int i = 0; i < UNREAD_GETS; i++) memcpy(batch + (size_t)i * one, get, one);
    harness_raw_send(fd, batch, one * UNREAD_GETS);
    free(batch);
}

/* The control client keeps working while another one is being cut off:
 * writes, reads, and even a 100 KB reply (under the 1 MB limit). */
static void expect_control_works(redisContext *c, int round)
{
    EXPECT_OK(harness_cmd(c, "SET control %d", round));
    char expected[16];
    snprintf(expected, sizeof(expected), "%d", round);
    EXPECT_STR(harness_cmd(c, "GET control"), expected);
    redisReply *r = harness_cmd(c, "GET big");
    CHECK(r->type == REDIS_REPLY_STRING && r->len == BIG_VALUE_BYTES);
    freeReplyObject(r);
}

static void make_big_value(redisContext *c)
{
    char *value = malloc(BIG_VALUE_BYTES);
    CHECK(value != NULL);
    memset(value, 'v', BIG_VALUE_BYTES);
    EXPECT_OK(harness_cmd(c, "SET big %b", value, (size_t)BIG_VALUE_BYTES));
    free(value);
}

/* "normal 1mb 0 0": a client that pipelines GETs without reading is
 * disconnected as soon as its pending replies pass 1 MB. */
static void test_output_hard_limit(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 1mb 0 0"));
    int fd = raw_connect_named(s, "obuf-hard");
    send_unread_gets(fd);
    if (wait_client_listed(c, "obuf-hard", 0, WAIT_MS) < 0)
        harness_fail(__FILE__, __LINE__, "the non-reading client is still connected after 5 s");
    expect_control_works(c, 1);
    long long received = drain_until_closed(fd, WAIT_MS);
    CHECK(received >= 0);
    CHECK(received < (long long)UNREAD_GETS * BIG_VALUE_BYTES);
    close(fd);
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 0 0 0"));
}

/* "normal 0 1mb 2": over the soft limit the client survives for the 2
 * seconds, then is disconnected even though it sends nothing more (Redis
 * checks the limits in its cron too, not only when a reply is added). */
static void test_output_soft_limit(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 0 1mb 2"));
    int fd = raw_connect_named(s, "obuf-soft");
    long long start = harness_now_ms();
    send_unread_gets(fd);
    harness_sleep_ms(1000);
    if (!client_listed(c, "obuf-soft"))
        harness_fail(__FILE__, __LINE__, "closed within 1 s although the soft limit allows 2 s");
    expect_control_works(c, 2);
    if (wait_client_listed(c, "obuf-soft", 0, 6000) < 0)
        harness_fail(__FILE__, __LINE__, "still connected 7 s after passing the soft limit");
    long long elapsed = harness_now_ms() - start;
    if (elapsed < 1500)
        harness_fail(__FILE__, __LINE__, "closed after %lld ms, before the soft limit's 2 s",
                     elapsed);
    CHECK(drain_until_closed(fd, WAIT_MS) >= 0);
    close(fd);
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 0 0 0"));
}

/* A single reply larger than the hard limit closes even a client that
 * reads: Redis builds the whole reply before writing any of it, so the
 * client gets no reply at all. */
static void test_output_single_reply(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 1mb 0 0"));
    redisContext *reader = harness_connect(s);
    EXPECT_OK(harness_cmd(reader, "CLIENT SETNAME obuf-mget"));
    const char *argv[16];
    argv[0] = "MGET";
    for (int i = 1; i < 16; i++) argv[i] = "big"; /* 15 x 100 KB = 1.5 MB */
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    CHECK(redisSetTimeout(reader, tv) == REDIS_OK);
    redisReply *r = redisCommandArgv(reader, 16, argv, NULL);
    if (r != NULL)
        harness_fail(__FILE__, __LINE__, "MGET of 1.5 MB got a reply of type %s under a 1mb limit",
                     harness_reply_type_name(r->type));
    redisFree(reader);
    CHECK(wait_client_listed(c, "obuf-mget", 0, WAIT_MS) >= 0);
    /* Under the limit the same reply is fine. */
    redisReply *ok = harness_cmd_argv(c, 8, argv, NULL);
    CHECK(ok->type == REDIS_REPLY_ARRAY && ok->elements == 7);
    freeReplyObject(ok);
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-output-buffer-limit %s", "normal 0 0 0"));
}

/* client-query-buffer-limit 1mb: a bulk announced at 2 MB is refused only
 * once its bytes pile up past 1 MB, and then without any reply: the
 * connection is just closed. Commands under the limit, and pipelines whose
 * total passes it, are unaffected. */
static void test_query_buffer_limit(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-query-buffer-limit 1mb"));
    int fd = harness_raw_connect(s);
    const char *header = "*3\r\n$3\r\nSET\r\n$4\r\nqbig\r\n$2097152\r\n";
    harness_raw_send(fd, header, strlen(header));
    size_t chunk_len = 64 * 1024, sent = 0;
    char *chunk = malloc(chunk_len);
    CHECK(chunk != NULL);
    memset(chunk, 'q', chunk_len);
    while (sent < 2097152) {
        size_t n = send_until_error(fd, chunk, chunk_len);
        sent += n;
        if (n < chunk_len) break;
    }
    free(chunk);
    RAW_EXPECT_CLOSED(fd);
    close(fd);
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
    EXPECT_INT(harness_cmd(c, "EXISTS qbig"), 0);

    /* A 512 KB value fits under the 1 MB limit. */
    char *value = malloc(512 * 1024);
    CHECK(value != NULL);
    memset(value, 'h', 512 * 1024);
    EXPECT_OK(harness_cmd(c, "SET half %b", value, (size_t)512 * 1024));
    EXPECT_INT(harness_cmd(c, "STRLEN half"), 512 * 1024);
    free(value);

    /* 3000 pipelined SETs of 500 bytes, 1.5 MB in all, sent at once. */
    redisContext *p = harness_connect(s);
    char small[500];
    memset(small, 's', sizeof(small));
    for (int i = 0; i < 3000; i++)
        CHECK(redisAppendCommand(p, "SET pipe:%d %b", i, small, sizeof(small)) == REDIS_OK);
    for (int i = 0; i < 3000; i++) {
        redisReply *r = NULL;
        if (redisGetReply(p, (void **)&r) != REDIS_OK)
            harness_fail(__FILE__, __LINE__, "pipelined SET %d: %s", i, p->errstr);
        EXPECT_OK(r);
    }
    EXPECT_INT(harness_cmd(p, "STRLEN pipe:2999"), 500);
    redisFree(p);
    EXPECT_OK(harness_cmd(c, "CONFIG SET client-query-buffer-limit 1gb"));
}

/* proto-max-bulk-len 1mb: exactly 1 MB is accepted, a 2 MB bulk header is
 * refused at once with a protocol error and the connection closed. */
static void test_proto_max_bulk_len(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET proto-max-bulk-len 1mb"));
    char *value = malloc(1048576);
    CHECK(value != NULL);
    memset(value, 'p', 1048576);
    EXPECT_OK(harness_cmd(c, "SET exact %b", value, (size_t)1048576));
    EXPECT_INT(harness_cmd(c, "STRLEN exact"), 1048576);
    free(value);

    int fd = harness_raw_connect(s);
    const char *header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097152\r\n";
    harness_raw_send(fd, header, strlen(header));
    RAW_EXPECT(fd, "-ERR Protocol error: invalid bulk length\r\n");
    RAW_EXPECT_CLOSED(fd);
    close(fd);
    EXPECT_INT(harness_cmd(c, "EXISTS k"), 0);
    EXPECT_OK(harness_cmd(c, "CONFIG SET proto-max-bulk-len 512mb"));
}

/* CONFIG SET timeout 1: a client silent for more than a second is closed
 * (by the cron, without a reply) while one that keeps talking is not. */
static void test_idle_timeout(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET timeout 1"));
    int idle = harness_raw_connect(s);
    harness_raw_send(idle, "PING\r\n", 6);
    RAW_EXPECT(idle, "+PONG\r\n");
    long long start = harness_now_ms();
    long long closed_after = -1;
    char buf[64];
    /* The control client talks every 200 ms while the idle one waits. */
    while (harness_now_ms() - start < 3500) {
        EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
        if (closed_after < 0) {
            ssize_t n = recv(idle, buf, sizeof(buf), MSG_DONTWAIT);
            if (n > 0) harness_fail(__FILE__, __LINE__, "the idle client received data");
            if (n == 0 || (n < 0 && errno_is_reset())) closed_after = harness_now_ms() - start;
        }
        harness_sleep_ms(200);
    }
    close(idle);
    if (closed_after < 0)
        harness_fail(__FILE__, __LINE__, "an idle client survived 3.5 s with timeout 1");
    if (closed_after < 500)
        harness_fail(__FILE__, __LINE__, "an idle client was closed after only %lld ms",
                     closed_after);
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG"); /* the active one is still here */
    EXPECT_OK(harness_cmd(c, "CONFIG SET timeout 0"));
}

/* Sends `request` on a fresh, unauthenticated connection and expects
 * `reply`; with `closes` the connection must then be closed. */
static void expect_unauthenticated(const struct server *s, const char *request, size_t len,
                                   const char *reply, int closes)
{
    int fd = harness_raw_connect(s);
    send_until_error(fd, request, len);
    RAW_EXPECT(fd, reply);
    if (closes) RAW_EXPECT_CLOSED(fd);
    close(fd);
}

/* A request "*<argc>" of `command` (a 3 or 4 letter name) with argc - 1
 * one-byte arguments "a". */
static size_t build_multibulk(char *buf, size_t size, const char *command, int argc)
{
    size_t used =
        (size_t)snprintf(buf, size, "*%d\r\n$%zu\r\n%s\r\n", argc, strlen(command), command);
    for (int i = 1; i < argc && used + 8 < size; i++) {
        memcpy(buf + used, "$1\r\na\r\n", 7);
        used += 7;
    }
    return used;
}

/* CONFIG SET requirepass at run time: connections already open stay
 * authenticated, new ones need AUTH, and before AUTH a request may have at
 * most 10 arguments of at most 16384 bytes each. */
static void test_requirepass_runtime(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG SET requirepass secret"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");

    redisContext *fresh = harness_connect(s);
    EXPECT_ERROR_EXACT(harness_cmd(fresh, "PING"), "NOAUTH Authentication required.");
    EXPECT_ERROR_EXACT(harness_cmd(fresh, "AUTH wrong"),
                       "WRONGPASS invalid username-password pair or user is disabled.");
    EXPECT_OK(harness_cmd(fresh, "AUTH secret"));
    EXPECT_STATUS(harness_cmd(fresh, "PING"), "PONG");
    redisFree(fresh);

    const char *too_many = "*20\r\n";
    expect_unauthenticated(s, too_many, strlen(too_many),
                           "-ERR Protocol error: unauthenticated multibulk length\r\n", 1);
    char request[32768];
    size_t len = build_multibulk(request, sizeof(request), "DEL", 11);
    expect_unauthenticated(s, request, len,
                           "-ERR Protocol error: unauthenticated multibulk length\r\n", 1);
    len = build_multibulk(request, sizeof(request), "DEL", 10);
    expect_unauthenticated(s, request, len, NOAUTH_REPLY, 0);
    /* Redis checks a command's arity before authentication. */
    len = build_multibulk(request, sizeof(request), "ECHO", 10);
    expect_unauthenticated(s, request, len, "-ERR wrong number of arguments for 'echo' command\r\n",
                           0);

    const char *too_long = "*2\r\n$4\r\nECHO\r\n$16385\r\n";
    expect_unauthenticated(s, too_long, strlen(too_long),
                           "-ERR Protocol error: unauthenticated bulk length\r\n", 1);
    len = (size_t)snprintf(request, sizeof(request), "*2\r\n$4\r\nECHO\r\n$16384\r\n");
    memset(request + len, 'e', 16384);
    memcpy(request + len + 16384, "\r\n", 2);
    expect_unauthenticated(s, request, len + 16386, NOAUTH_REPLY, 0);

    /* Once authenticated, the same connection may send more. */
    int fd = harness_raw_connect(s);
    harness_raw_send(fd, "AUTH secret\r\n", 13);
    RAW_EXPECT(fd, "+OK\r\n");
    len = build_multibulk(request, sizeof(request), "DEL", 20);
    harness_raw_send(fd, request, len);
    RAW_EXPECT(fd, ":0\r\n");
    close(fd);

    EXPECT_OK(harness_cmd(c, "CONFIG SET requirepass %s", ""));
    fresh = harness_connect(s);
    EXPECT_STATUS(harness_cmd(fresh, "PING"), "PONG");
    redisFree(fresh);
}

/* Waits until INFO clients reports exactly `want` connected clients. */
static void wait_connected_clients(redisContext *c, long long want)
{
    long long deadline = harness_now_ms() + WAIT_MS, now = -1;
    while (harness_now_ms() < deadline) {
        now = harness_info_int(c, "clients", "connected_clients");
        if (now == want) return;
        harness_sleep_ms(20);
    }
    harness_fail(__FILE__, __LINE__, "connected_clients stayed %lld, expected %lld", now, want);
}

static long long rejected_connections(redisContext *c)
{
    long long n = harness_info_int(c, "stats", "rejected_connections");
    return n;
}

/* --maxclients 5: the sixth connection gets the error and is closed,
 * counted in rejected_connections; a slot freed is usable again. */
static void test_maxclients(const char *binary)
{
    struct server s;
    const char *args[] = {"--maxclients", "5", NULL};
    if (harness_start(&s, binary, args) != 0)
        harness_fail(__FILE__, __LINE__, "the server did not start with --maxclients 5");
    redisContext *clients[MAXCLIENTS];
    clients[0] = harness_connect(&s);
    wait_connected_clients(clients[0], 1);
    long long rejected_before = rejected_connections(clients[0]);
    for (int i = 1; i < MAXCLIENTS; i++) {
        clients[i] = harness_connect(&s);
        EXPECT_STATUS(harness_cmd(clients[i], "PING"), "PONG");
    }
    int fd = harness_raw_connect(&s);
    RAW_EXPECT(fd, MAXCLIENTS_ERROR);
    RAW_EXPECT_CLOSED(fd);
    close(fd);
    EXPECT_INT(harness_cmd(clients[0], "INCR still-served"), 1);
    CHECK(rejected_connections(clients[0]) == rejected_before + 1);

    /* The limit counts clients, not attempts: after one leaves, the next
     * connection is served. */
    redisFree(clients[MAXCLIENTS - 1]);
    wait_connected_clients(clients[0], MAXCLIENTS - 1);
    clients[MAXCLIENTS - 1] = harness_connect(&s);
    EXPECT_STATUS(harness_cmd(clients[MAXCLIENTS - 1], "PING"), "PONG");
    CHECK(rejected_connections(clients[0]) == rejected_before + 1);
    for (int i = 0; i < MAXCLIENTS; i++) redisFree(clients[i]);
    harness_stop(&s);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(const struct server *, redisContext *) = {
        test_output_hard_limit,   test_output_soft_limit,  test_output_single_reply,
        test_query_buffer_limit,  test_proto_max_bulk_len, test_idle_timeout,
        test_requirepass_runtime,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    redisContext *c = harness_connect(&s);
    make_big_value(c);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        long long start = harness_now_ms();
        tests[i](&s, c);
        printf("test_limits: part %zu passed in %lld ms\n", i + 1, harness_now_ms() - start);
    }
    redisFree(c);
    harness_stop(&s);
    test_maxclients(binary);
    printf("test_limits: part %zu passed\n", sizeof(tests) / sizeof(tests[0]) + 1);
    printf("test_limits: all passed\n");
    return 0;
}
