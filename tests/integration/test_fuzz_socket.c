/*
 * test_fuzz_socket: hostile input over real sockets. Thousands of bounded
 * rounds send random bytes, valid frames carrying random commands and
 * arguments, and frames cut or corrupted at random points; a witness
 * connection must keep getting answers throughout, and at the end the
 * server must still serve and then shut down cleanly (the harness checks
 * the exit status, so the sanitizer builds turn any memory or thread error
 * into a failure). Fixed seed: a failure replays exactly.
 *
 * Commands that would end the test rather than probe the server are left
 * out of the random stream: SHUTDOWN, DEBUG (SLEEP), CONFIG (SET port,
 * requirepass, maxclients...), CLIENT (KILL would hit the witness).
 */
#include "tests/harness.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUNDS 3000
#define PAYLOAD_MAX 4096

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

static const char *const command_names[] = {
    "GET",     "SET",         "SETNX",     "SETEX",  "PSETEX",   "GETSET",   "GETDEL",
    "GETEX",   "MGET",        "MSET",      "MSETNX", "INCR",     "INCRBY",   "DECR",
    "DECRBY",  "INCRBYFLOAT", "APPEND",    "STRLEN", "GETRANGE", "SETRANGE", "SUBSTR",
    "DEL",     "UNLINK",      "EXISTS",    "TYPE",   "RENAME",   "RENAMENX", "EXPIRE",
    "PEXPIRE", "EXPIREAT",    "PEXPIREAT", "TTL",    "PTTL",     "PERSIST",  "EXPIRETIME",
    "KEYS",    "SCAN",        "RANDOMKEY", "DBSIZE", "FLUSHDB",  "SELECT",   "SWAPDB",
    "PING",    "ECHO",        "HELLO",     "AUTH",   "COMMAND",  "INFO",     "TIME",
    "QUIT",    "NOSUCHCMD",   "",          "get",    "sEt",
};

static const char *const arg_pool[] = {
    "k",
    "k1",
    "key:1",
    "",
    "0",
    "1",
    "-1",
    "2",
    "10",
    "100",
    "1000",
    "65536",
    "-65536",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "3.14",
    "1e3",
    "inf",
    "-inf",
    "nan",
    "-0",
    "01",
    " 1",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "NX",
    "XX",
    "GT",
    "LT",
    "GET",
    "KEEPTTL",
    "PERSIST",
    "MATCH",
    "COUNT",
    "TYPE",
    "string",
    "*",
    "k*",
    "[a-",
    "\\",
    "\r\n",
    "\0x",
    "ASYNC",
    "SYNC",
    "3",
    "15",
    "16",
    "help",
};

/* Appends s (len n) to buf at *pos, bounded by PAYLOAD_MAX. */
static void put(char *buf, size_t *pos, const char *s, size_t n)
{
    if (*pos + n > PAYLOAD_MAX) n = PAYLOAD_MAX - *pos;
    memcpy(buf + *pos, s, n);
    *pos += n;
}

static void put_bulk(char *buf, size_t *pos, const char *s, size_t n)
{
    char head[32];
    int h = snprintf(head, sizeof(head), "$%zu\r\n", n);
    put(buf, pos, head, (size_t)h);
    put(buf, pos, s, n);
    put(buf, pos, "\r\n", 2);
}

/* One well-formed command with random name and arguments. */
static void put_command(char *buf, size_t *pos)
{
    unsigned nargs = rng_below(6);
    char head[32];
    int h = snprintf(head, sizeof(head), "*%u\r\n", nargs + 1);
    put(buf, pos, head, (size_t)h);
    const char *name = command_names[rng_below(sizeof(command_names) / sizeof(*command_names))];
    put_bulk(buf, pos, name, strlen(name));
    for (unsigned i = 0; i < nargs; i++) {
        const char *a = arg_pool[rng_below(sizeof(arg_pool) / sizeof(*arg_pool))];
        size_t n = (a[0] == '\\' && a[1] == '0') ? 2 : strlen(a);
        if (rng_below(20) == 0) {
            char big[600];
            memset(big, 'a' + (int)rng_below(26), sizeof(big));
            put_bulk(buf, pos, big, sizeof(big));
        } else {
            put_bulk(buf, pos, a, n);
        }
    }
}

static void build_payload(char *buf, size_t *len)
{
    size_t pos = 0;
    unsigned kind = rng_below(10);
    if (kind < 2) { /* random bytes */
        size_t n = 1 + rng_below(512);
        for (size_t i = 0; i < n; i++) buf[pos++] = (char)rng_below(256);
    } else if (kind < 3) { /* protocol fragments glued at random */
        static const char *const parts[] = {"*",           "$",   "\r\n", "\n", "-1", "0",  "3",
                                            "99999999999", "abc", "\"",   "'",  " ",  "*2", "$3"};
        unsigned n = 1 + rng_below(40);
        for (unsigned i = 0; i < n; i++) {
            const char *p = parts[rng_below(sizeof(parts) / sizeof(*parts))];
            put(buf, &pos, p, strlen(p));
        }
    } else if (kind < 4) { /* inline commands */
        unsigned n = 1 + rng_below(4);
        for (unsigned i = 0; i < n; i++) {
            const char *c =
                command_names[rng_below(sizeof(command_names) / sizeof(*command_names))];
            put(buf, &pos, c, strlen(c));
            put(buf, &pos, " k \"v\\x41\" 1\r\n", 14);
        }
    } else { /* pipelines of valid commands, maybe cut or corrupted */
        unsigned n = 1 + rng_below(20);
        for (unsigned i = 0; i < n && pos < PAYLOAD_MAX - 700; i++) put_command(buf, &pos);
        if (rng_below(4) == 0 && pos > 0) pos = rng_below((unsigned)pos) + 1;
        if (rng_below(4) == 0 && pos > 0) buf[rng_below((unsigned)pos)] = (char)rng_below(256);
    }
    *len = pos;
}

/* Sends without failing the test: the server may close a connection that
 * sent garbage at any point. */
static void send_quietly(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Reads replies for a short, bounded time so the server's sends complete. */
static void drain(int fd, int timeout_ms)
{
    char buf[8192];
    long long deadline = harness_now_ms() + timeout_ms;
    while (harness_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5) <= 0) continue;
        if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0) return;
    }
}

static void witness_check(redisContext *w, unsigned round)
{
    redisReply *r = harness_cmd(w, "ECHO round-%u", round);
    char expected[32];
    snprintf(expected, sizeof(expected), "round-%u", round);
    EXPECT_STR(r, expected);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    struct server s;
    if (harness_start(&s, binary, NULL) != 0) return 1;
    redisContext *witness = harness_connect(&s);
    char payload[PAYLOAD_MAX];
    for (unsigned round = 0; round < ROUNDS; round++) {
        int fd = harness_raw_connect(&s);
        unsigned sends = 1 + rng_below(3);
        for (unsigned i = 0; i < sends; i++) {
            size_t len;
            build_payload(payload, &len);
            send_quietly(fd, payload, len);
        }
        drain(fd, rng_below(8) == 0 ? 20 : 2);
        close(fd);
        if (round % 100 == 0) witness_check(witness, round);
    }
    witness_check(witness, ROUNDS);
    EXPECT_STATUS(harness_cmd(witness, "PING"), "PONG");
    redisFree(witness);
    harness_stop(&s);
    printf("test_fuzz_socket: %d rounds of hostile input, server healthy\n", ROUNDS);
    return 0;
}
