/*
 * test_replication_effects: what a primary propagates for every write
 * command is what Redis 7.0 propagates, checked three ways.
 *
 * a. A real redis-server replica of the primary: a fixed sequence covering
 *    every write command of every type (expiries, blocking pops served by
 *    a later push, MULTI/EXEC with SELECT inside, FLUSHDB/FLUSHALL,
 *    PUBLISH), then the replica must hold the same data: DEBUG DIGEST,
 *    and key by key TYPE, DEBUG DIGEST-VALUE and PTTL (within a second).
 * b. The stream bytes: a fake replica (a raw socket doing PSYNC ? -1)
 *    on the primary and on a second primary that is redis-server itself;
 *    the same sequence goes to both and the two streams (after the RDB)
 *    must be equal byte for byte, but for PINGs and the absolute times of
 *    PXAT / PEXPIREAT (equal within a tolerance) and the members SPOP
 *    chose (keys named rnd:*).
 * c. A seeded random write load of every type (printed seed; set
 *    TANDEM_SEED to replay) from several connections at once, with short
 *    TTLs so keys expire meanwhile, then the same comparison as in a.
 *
 * Narrowing a failure down (environment): TANDEM_SEED replays a load,
 * CONNS=n sets its connections, NO_MULTI / NO_SWAPDB leave those out,
 * ONLY=<categories> keeps some command kinds, TRACE=<file> logs what was
 * sent and STREAM_DUMP=<file> the propagated stream.
 *
 * Usage: test_replication_effects [server]: the primary is that binary
 * (tandem-server), or redis-server when none is given, so that every
 * expectation here is also checked against Redis itself. Skips (passes
 * with a note) when redis-server is not installed.
 */
#define _GNU_SOURCE /* memmem */
#include "tests/harness.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SYNC_TIMEOUT_MS 30000
#define STREAM_TIMEOUT_MS 10000
#define TIME_TOLERANCE_MS 2000
#define RANDOM_CONNS 4
static int random_conns = RANDOM_CONNS;
#define RANDOM_BATCHES 60
#define RANDOM_BATCH 100
#define MAX_ARGS 64

static const char *redis_bin;
static const char *primary_bin;

/* ---- servers ---- */

/* Starts a primary: tandem, or redis-server told not to wait before a
 * diskless full sync (tandem never waits). */
static void start_primary(struct server *s, const char *binary)
{
    static const char *const tandem_args[] = {"--enable-debug-command", "yes",
                                              "--repl-diskless-sync-delay", "0", NULL};
    static const char *const redis_args[] = {"--enable-debug-command", "yes",
                                             "--repl-diskless-sync-delay", "0", NULL};
    if (harness_start(s, binary, harness_is_tandem(binary) ? tandem_args : redis_args) != 0)
        harness_fail(__FILE__, __LINE__, "could not start %s", binary);
}

static void start_replica(struct server *s, const struct server *primary)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", primary->port);
    const char *const args[] = {"--replicaof", "127.0.0.1", port, "--enable-debug-command",
                                "yes",         NULL};
    if (harness_start(s, redis_bin, args) != 0)
        harness_fail(__FILE__, __LINE__, "could not start the replica");
}

static void wait_link_up(redisContext *replica)
{
    long long deadline = harness_now_ms() + SYNC_TIMEOUT_MS;
    for (;;) {
        char *status = harness_info_field(replica, "replication", "master_link_status");
        int up = status && strcmp(status, "up") == 0;
        free(status);
        if (up) return;
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "the replica's link did not come up");
        harness_sleep_ms(20);
    }
}

/* Waits until the replica has processed everything the primary applied:
 * first a marker written after it all must arrive (the primary's offset
 * may not count writes already answered yet), then the offsets meet. */
static void wait_in_sync(redisContext *primary, redisContext *replica)
{
    long long deadline = harness_now_ms() + SYNC_TIMEOUT_MS;
    freeReplyObject(harness_cmd(primary, "SELECT 15"));
    long long mark = harness_cmd_int(primary, "INCR sync:marker");
    freeReplyObject(harness_cmd(primary, "SELECT 0"));
    freeReplyObject(harness_cmd(replica, "SELECT 15"));
    for (;;) {
        redisReply *r = harness_cmd(replica, "GET sync:marker");
        int there = r->type == REDIS_REPLY_STRING && atoll(r->str) == mark;
        freeReplyObject(r);
        if (there) break;
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "the replica did not receive the sync marker");
        harness_sleep_ms(10);
    }
    freeReplyObject(harness_cmd(replica, "SELECT 0"));
    for (;;) {
        long long sent = harness_info_int(primary, "replication", "master_repl_offset");
        long long done = harness_info_int(replica, "replication", "slave_repl_offset");
        if (sent == done) return;
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "replica at offset %lld, primary at %lld", done, sent);
        harness_sleep_ms(10);
    }
}

/* ---- comparing datasets ---- */

static char *reply_text(redisReply *r)
{
    /* DEBUG DIGEST-VALUE answers an array of one digest per key. */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) return reply_text(r->element[0]);
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
        r->type == REDIS_REPLY_ERROR)
        return strdup(r->str);
    char buf[64];
    snprintf(buf, sizeof(buf), "(%s %lld)", harness_reply_type_name(r->type), r->integer);
    return strdup(buf);
}

static char *cmd_text(redisContext *c, const char *fmt, const char *key, size_t len)
{
    redisReply *r = key ? harness_cmd(c, fmt, key, len) : harness_cmd(c, fmt);
    char *s = reply_text(r);
    freeReplyObject(r);
    return s;
}

/* In c, a fake replica records the stream too: on a difference the
 * commands it got for the key are printed. */
static int history_fd = -1;
static int compare_db;
static void print_key_history(const char *key, size_t len);

/* Prints a key's value (diagnostics). */
static void print_value(const char *who, redisContext *c, const char *key, size_t len,
                        const char *type)
{
    redisReply *v = NULL;
    if (!strcmp(type, "string"))
        v = harness_cmd(c, "GET %b", key, len);
    else if (!strcmp(type, "list"))
        v = harness_cmd(c, "LRANGE %b 0 -1", key, len);
    else if (!strcmp(type, "set"))
        v = harness_cmd(c, "SMEMBERS %b", key, len);
    else if (!strcmp(type, "zset"))
        v = harness_cmd(c, "ZRANGE %b 0 -1 WITHSCORES", key, len);
    else if (!strcmp(type, "hash"))
        v = harness_cmd(c, "HGETALL %b", key, len);
    fprintf(stderr, "%s: %.*s (%s):", who, (int)len, key, type);
    if (v && v->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < v->elements; i++) fprintf(stderr, " %s", v->element[i]->str);
    else if (v && v->str)
        fprintf(stderr, " %s", v->str);
    fprintf(stderr, "\n");
    if (v) freeReplyObject(v);
}

/* Compares one key of the current db on both servers. */
static void compare_key(redisContext *p, redisContext *r, const char *key, size_t len)
{
    char *tp = cmd_text(p, "TYPE %b", key, len), *tr = cmd_text(r, "TYPE %b", key, len);
    char *dp = cmd_text(p, "DEBUG DIGEST-VALUE %b", key, len);
    char *dr = cmd_text(r, "DEBUG DIGEST-VALUE %b", key, len);
    /* The absolute expire time is propagated: it must be the same. */
    redisReply *xp = harness_cmd(p, "PEXPIRETIME %b", key, len);
    redisReply *xr = harness_cmd(r, "PEXPIRETIME %b", key, len);
    CHECK(xp->type == REDIS_REPLY_INTEGER && xr->type == REDIS_REPLY_INTEGER);
    long long ttl_p = xp->integer, ttl_r = xr->integer;
    int ttl_ok = ttl_p == ttl_r;
    if (strcmp(tp, tr) != 0 || strcmp(dp, dr) != 0 || !ttl_ok) {
        print_key_history(key, len);
        print_value("primary", p, key, len, tp);
        print_value("replica", r, key, len, tr);
        harness_fail(
            __FILE__, __LINE__,
            "db %d key %.*s differs: type %s / %s, digest %s / %s, pexpiretime %lld / %lld",
            compare_db, (int)len, key, tp, tr, dp, dr, ttl_p, ttl_r);
    }
    free(tp);
    free(tr);
    free(dp);
    free(dr);
    freeReplyObject(xp);
    freeReplyObject(xr);
}

/* The replica r holds what the primary p holds: the whole digest, then
 * every db's size and every key. Returns the number of keys compared. */
static long compare_datasets(redisContext *p, redisContext *r)
{
    char *dp = cmd_text(p, "DEBUG DIGEST", NULL, 0), *dr = cmd_text(r, "DEBUG DIGEST", NULL, 0);
    long keys = 0;
    for (int db = 0; db < 16; db++) {
        freeReplyObject(harness_cmd(p, "SELECT %d", db));
        freeReplyObject(harness_cmd(r, "SELECT %d", db));
        compare_db = db;
        /* Every key of either side, so that a key only one has is named. */
        for (int side = 0; side < 2; side++) {
            char cursor[32] = "0";
            do {
                redisReply *s = harness_cmd(side ? r : p, "SCAN %s COUNT 100", cursor);
                CHECK(s->type == REDIS_REPLY_ARRAY && s->elements == 2);
                snprintf(cursor, sizeof(cursor), "%s", s->element[0]->str);
                for (size_t i = 0; i < s->element[1]->elements; i++, keys += !side)
                    compare_key(p, r, s->element[1]->element[i]->str,
                                s->element[1]->element[i]->len);
                freeReplyObject(s);
            } while (strcmp(cursor, "0") != 0);
        }
        long long np = harness_cmd_int(p, "DBSIZE"), nr = harness_cmd_int(r, "DBSIZE");
        if (np != nr) harness_fail(__FILE__, __LINE__, "db %d: %lld keys / %lld", db, np, nr);
    }
    freeReplyObject(harness_cmd(p, "SELECT 0"));
    freeReplyObject(harness_cmd(r, "SELECT 0"));
    if (strcmp(dp, dr) != 0) {
        char *dp2 = cmd_text(p, "DEBUG DIGEST", NULL, 0),
             *dr2 = cmd_text(r, "DEBUG DIGEST", NULL, 0);
        harness_fail(__FILE__, __LINE__, "DEBUG DIGEST %s / %s, again %s / %s", dp, dr, dp2, dr2);
    }
    free(dp);
    free(dr);
    return keys;
}

/* ---- the fake replica: raw bytes of the stream ---- */

struct bytes {
    char *p;
    size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        CHECK(b->p != NULL);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Reads what is there within timeout_ms into b; returns the byte count,
 * 0 on timeout. */
static size_t read_more(int fd, struct bytes *b, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0) return 0;
    char buf[65536];
    ssize_t got = recv(fd, buf, sizeof(buf), 0);
    if (got < 0 && errno == EINTR) return 0;
    if (got <= 0) harness_fail(__FILE__, __LINE__, "replica link closed by the primary");
    bytes_add(b, buf, (size_t)got);
    return (size_t)got;
}

/* Reads a line ending in \r\n from the front of b (reading more as needed);
 * removes it from b and returns it without the \r\n (malloc'd). */
static char *take_line(int fd, struct bytes *b)
{
    long long deadline = harness_now_ms() + STREAM_TIMEOUT_MS;
    for (;;) {
        char *end = b->len ? memmem(b->p, b->len, "\r\n", 2) : NULL;
        if (end) {
            size_t n = (size_t)(end - b->p);
            char *line = strndup(b->p, n);
            memmove(b->p, end + 2, b->len - n - 2);
            b->len -= n + 2;
            return line;
        }
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "no line from primary");
        read_more(fd, b, 100);
    }
}

/* REPLCONF ACK, as a replica sends every second: Redis streams to a
 * replica that took a diskless sync only once it acknowledged after the
 * transfer ended on its side, which may be after the RDB arrived here. */
static void fake_replica_ack(int fd)
{
    static const char ack[] = "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n";
    harness_raw_send(fd, ack, sizeof(ack) - 1);
}

/* Connects as a replica (PSYNC ? -1), reads the RDB up to its EOF mark and
 * acknowledges it; returns the socket, with any stream bytes that came
 * with the RDB's end left in *stream. */
static int fake_replica_attach(const struct server *s, struct bytes *stream)
{
    int fd = harness_raw_connect(s);
    static const char capa[] = "REPLCONF capa eof capa psync2\r\n";
    harness_raw_send(fd, capa, sizeof(capa) - 1);
    struct bytes in = {0};
    char *line = take_line(fd, &in);
    if (strcmp(line, "+OK") != 0) harness_fail(__FILE__, __LINE__, "REPLCONF: %s", line);
    free(line);
    static const char psync[] = "PSYNC ? -1\r\n";
    harness_raw_send(fd, psync, sizeof(psync) - 1);
    line = take_line(fd, &in);
    if (strncmp(line, "+FULLRESYNC ", 12) != 0) harness_fail(__FILE__, __LINE__, "PSYNC: %s", line);
    free(line);
    /* Bare newlines keep the link alive while the snapshot is prepared. */
    long long deadline = harness_now_ms() + STREAM_TIMEOUT_MS;
    for (;;) {
        size_t skip = 0;
        while (skip < in.len && in.p[skip] == '\n') skip++;
        memmove(in.p, in.p + skip, in.len - skip);
        in.len -= skip;
        if (in.len > 0) break;
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "no RDB from primary");
        read_more(fd, &in, 100);
    }
    line = take_line(fd, &in);
    if (strncmp(line, "$EOF:", 5) != 0 || strlen(line) != 45)
        harness_fail(__FILE__, __LINE__, "RDB header: %s", line);
    char mark[41];
    memcpy(mark, line + 5, 41);
    free(line);
    for (;;) {
        char *at = in.len >= 40 ? memmem(in.p, in.len, mark, 40) : NULL;
        if (at) {
            size_t rest = in.len - (size_t)(at + 40 - in.p);
            bytes_add(stream, at + 40, rest);
            break;
        }
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "RDB not ended");
        read_more(fd, &in, 100);
    }
    free(in.p);
    fake_replica_ack(fd);
    return fd;
}

/* Waits until the primary c counts the fake replica on fd as online (a
 * FLUSHALL would end Redis's snapshot child, and the sync with it). */
static void fake_replica_wait_online(redisContext *c, int fd)
{
    long long deadline = harness_now_ms() + STREAM_TIMEOUT_MS;
    for (;;) {
        redisReply *r = harness_cmd(c, "INFO replication");
        int online = r->type == REDIS_REPLY_STRING && strstr(r->str, "state=online") != NULL;
        freeReplyObject(r);
        if (online) return;
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "the fake replica did not come online");
        fake_replica_ack(fd);
        harness_sleep_ms(20);
    }
}

/* One propagated command. */
struct op {
    int argc;
    char **argv;
    size_t *lens;
};

struct ops {
    struct op *v;
    size_t n, cap;
};

static void ops_free(struct ops *o)
{
    for (size_t i = 0; i < o->n; i++) {
        for (int j = 0; j < o->v[i].argc; j++) free(o->v[i].argv[j]);
        free(o->v[i].argv);
        free(o->v[i].lens);
    }
    free(o->v);
    *o = (struct ops){0};
}

/* Parses "$<n>\r\n" or "*<n>\r\n" at *pos; -1 when incomplete. */
static long long parse_header(const struct bytes *b, size_t *pos, char type)
{
    size_t at = *pos;
    if (at >= b->len) return -1;
    if (b->p[at] != type)
        harness_fail(__FILE__, __LINE__, "stream: expected '%c' at byte %zu, got 0x%02x", type, at,
                     (unsigned char)b->p[at]);
    char *end = memmem(b->p + at, b->len - at, "\r\n", 2);
    if (!end) return -1;
    long long n = strtoll(b->p + at + 1, NULL, 10);
    *pos = (size_t)(end + 2 - b->p);
    return n;
}

/* Parses the complete commands at the front of b into o (dropping PINGs)
 * and removes their bytes from b. */
static void parse_stream(struct bytes *b, struct ops *o)
{
    size_t done = 0;
    for (;;) {
        size_t pos = done;
        long long argc = parse_header(b, &pos, '*');
        if (argc < 0) break;
        CHECK(argc > 0 && argc < 100000);
        struct op op = {.argc = (int)argc,
                        .argv = calloc((size_t)argc, sizeof(char *)),
                        .lens = calloc((size_t)argc, sizeof(size_t))};
        int complete = 1;
        for (int i = 0; i < argc && complete; i++) {
            long long len = parse_header(b, &pos, '$');
            if (len < 0 || pos + (size_t)len + 2 > b->len) {
                complete = 0;
                break;
            }
            op.argv[i] = malloc((size_t)len + 1);
            memcpy(op.argv[i], b->p + pos, (size_t)len);
            op.argv[i][len] = '\0';
            op.lens[i] = (size_t)len;
            pos += (size_t)len + 2;
        }
        if (!complete) {
            for (int i = 0; i < argc; i++) free(op.argv[i]);
            free(op.argv);
            free(op.lens);
            break;
        }
        done = pos;
        if (op.argc == 1 && strcmp(op.argv[0], "PING") == 0) {
            free(op.argv[0]);
            free(op.argv);
            free(op.lens);
            continue;
        }
        if (o->n == o->cap) {
            o->cap = o->cap ? o->cap * 2 : 64;
            o->v = realloc(o->v, o->cap * sizeof(*o->v));
        }
        o->v[o->n++] = op;
    }
    memmove(b->p, b->p + done, b->len - done);
    b->len -= done;
}

static void op_print(const char *who, size_t i, const struct op *op)
{
    fprintf(stderr, "  %s[%zu]:", who, i);
    for (int j = 0; j < op->argc; j++) fprintf(stderr, " %.*s", (int)op->lens[j], op->argv[j]);
    fprintf(stderr, "\n");
}

static int arg_is(const struct op *op, int i, const char *s)
{
    return i < op->argc && strcasecmp(op->argv[i], s) == 0;
}

/* Whether argument i of op is an absolute time (compared with tolerance). */
static int arg_is_time(const struct op *op, int i)
{
    return (i > 0 && arg_is(op, i - 1, "PXAT")) || (i == 2 && arg_is(op, 0, "PEXPIREAT"));
}

static int op_equal(const struct op *a, const struct op *b)
{
    if (a->argc != b->argc) return 0;
    for (int i = 0; i < a->argc; i++) {
        if (arg_is_time(a, i) && arg_is_time(b, i)) {
            if (llabs(atoll(a->argv[i]) - atoll(b->argv[i])) > TIME_TOLERANCE_MS) return 0;
            continue;
        }
        /* The member SPOP chose at random. */
        if (i == 2 && arg_is(a, 0, "SREM") && strncmp(a->argv[1], "rnd:", 4) == 0) continue;
        if (a->lens[i] != b->lens[i] || memcmp(a->argv[i], b->argv[i], a->lens[i]) != 0) return 0;
    }
    return 1;
}

static void compare_streams(const struct ops *got, const struct ops *want)
{
    size_t n = got->n < want->n ? got->n : want->n;
    size_t i = 0;
    while (i < n && op_equal(&got->v[i], &want->v[i])) i++;
    if (i == n && got->n == want->n) return;
    fprintf(stderr, "streams differ at command %zu (primary %zu commands, redis %zu):\n", i, got->n,
            want->n);
    size_t from = i > 5 ? i - 5 : 0;
    for (size_t j = from; j < i + 5; j++) {
        if (j < got->n) op_print("primary", j, &got->v[j]);
        if (j < want->n) op_print("redis  ", j, &want->v[j]);
    }
    harness_fail(__FILE__, __LINE__, "the propagated streams differ");
}

/* ---- the fixed sequence ---- */

/* Each line is a command, split at spaces ('' is an empty argument;
 * @S+n / @M+n are the unix time in seconds / milliseconds plus n, the same
 * for every primary); "B cmd" sends cmd on the second connection, which
 * must then block; "R" reads that connection's reply; "SLEEP ms". */
static const char *const fixed_sequence[] = {
    /* FLUSHALL / FLUSHDB, forced even when empty */
    "SET fa 1",
    "SELECT 2",
    "SET fb 2",
    "SELECT 0",
    "FLUSHALL",
    "FLUSHALL",
    "FLUSHALL SYNC",
    "SELECT 4",
    "SET x y",
    "FLUSHDB",
    "FLUSHDB ASYNC",
    "SELECT 0",
    "MULTI",
    "SADD sp6 a b c",
    "SPOP sp6 5",
    "FLUSHDB",
    "SET after-flush 1",
    "EXEC",
    /* strings */
    "SET s1 v1",
    "SET s2 v2 EX 100",
    "SET s3 v3 PX 100000 NX",
    "SET s3 v3b PX 100000 NX",
    "SET s3 v3c XX KEEPTTL",
    "SET s4 v4 EXAT @S+1000",
    "SET s5 v5 PXAT @M+1000000 GET",
    "SET s5 v5b NX",
    "SET s1 v1b GET",
    "SET s1 v1c get XX",
    "SET s6 v6 NX GET",
    "SET s6 v6b NX GET",
    "SET s6 v6c XX GET EX 500",
    "set s7 12 px 300000",
    "SETNX s7 v7",
    "SETNX s8b v8",
    "SETEX s8 100 v8",
    "PSETEX s9 100000 v9",
    "GETSET s1 v1d",
    "GETSET snew x",
    "GETDEL s9",
    "GETDEL nosuch",
    "GETEX s2 PERSIST",
    "GETEX s2 PERSIST",
    "GETEX s1 EX 100",
    "GETEX s1 PX 200000",
    "GETEX s1 EXAT @S+500",
    "GETEX s1 PXAT @M+600000",
    "GETEX s1",
    "GETEX nosuch EX 10",
    "GETEX s8 PXAT @M-1000",
    "GETEX s7 EXAT 1",
    "MSET m1 a m2 b m3 c",
    "MSETNX m1 x m4 y",
    "MSETNX m5 x m6 y",
    "INCR n1",
    "INCRBY n1 10",
    "DECR n1",
    "DECRBY n1 3",
    "INCRBYFLOAT f1 1.5",
    "INCRBYFLOAT f1 2.25e2",
    "INCRBYFLOAT f1 -0.1",
    "SET f2 10 EX 1000",
    "INCRBYFLOAT f2 0.1",
    "INCRBYFLOAT f2 5",
    "APPEND ap hello",
    "APPEND ap world",
    "SETRANGE sr 5 xyz",
    "SETRANGE sr 0 ''",
    "SETRANGE nosuch2 0 ''",
    "SETRANGE sr 1 Q",
    /* keys and expiry */
    "EXPIRE s1 1000",
    "EXPIRE s1 2000 GT",
    "EXPIRE s1 10 GT",
    "PEXPIRE s1 3000000 LT",
    "PEXPIRE s1 1500000 LT",
    "EXPIREAT s1 @S+3000 XX",
    "pexpireat s1 @M+4000000",
    "PEXPIREAT s1 @M+4000000 NX",
    "EXPIRE nosuch 10",
    "PERSIST s1",
    "PERSIST s1",
    "EXPIRE m1 -1",
    "PEXPIREAT m2 1",
    "EXPIREAT m3 @S-100",
    "PEXPIRE s4 0",
    "DEL m4 m5 nosuch",
    "DEL nosuch",
    "UNLINK m6",
    "UNLINK nosuch",
    "RENAME s3 s3r",
    "RENAME s3r s3r",
    "RENAMENX s3r s5",
    "RENAMENX s3r s3n",
    "SET px1 v PX 20",
    "SLEEP 80",
    "GET px1",
    /* lists */
    "LPUSH l1 a b c",
    "RPUSH l1 d e 1 2",
    "LPUSHX l1 z",
    "LPUSHX nolist z",
    "RPUSHX l1 y",
    "RPUSHX nolist z",
    "LPOP l1",
    "RPOP l1",
    "LPOP l1 2",
    "RPOP l1 0",
    "LPOP nolist",
    "LSET l1 0 q",
    "LINSERT l1 BEFORE q p",
    "LINSERT l1 AFTER nopivot x",
    "LREM l1 0 p",
    "LREM l1 0 nomatch",
    "RPUSH l2 1 2 3 4 5 6 7 8",
    "LTRIM l2 1 -2",
    "LTRIM l2 0 -1",
    "LMOVE l2 l3 LEFT RIGHT",
    "lmove l2 l3 right left",
    "LMOVE l2 l2 LEFT RIGHT",
    "RPOPLPUSH l2 l3",
    "RPOPLPUSH nolist l3",
    "RPUSH l3 x y z w v u",
    "LMPOP 2 nolist l3 LEFT COUNT 2",
    "LMPOP 1 l3 RIGHT",
    "LMPOP 1 nolist RIGHT",
    "BLPOP nolist l3 0",
    "BRPOP l3 0",
    "BLMOVE l3 l4 LEFT left 0",
    "BRPOPLPUSH l3 l4 0",
    "BLMPOP 0 1 l3 LEFT COUNT 50",
    /* blocking pops served by a later push */
    "B BLPOP bl1 0",
    "RPUSH bl1 a b",
    "R",
    "B BRPOP bl2 0",
    "LPUSH bl2 a",
    "R",
    "B BLMOVE bl3 bl4 RIGHT LEFT 0",
    "RPUSH bl3 x",
    "R",
    "B blmove bl3 bl4 left right 0",
    "RPUSH bl3 y",
    "R",
    "B BRPOPLPUSH bl5 bl6 0",
    "RPUSH bl5 x",
    "R",
    "B BLMPOP 0 2 bl7 bl8 RIGHT COUNT 3",
    "RPUSH bl8 1 2",
    "R",
    "B BLMPOP 0 1 bl7 LEFT",
    "LPUSH bl7 1 2 3",
    "R",
    "B BZPOPMIN bz1 0",
    "ZADD bz1 1 a 2 b",
    "R",
    "B BZPOPMAX bz2 0",
    "ZADD bz2 1 a",
    "R",
    "B BZMPOP 0 1 bz3 MAX COUNT 2",
    "ZADD bz3 1 a 2 b 3 c",
    "R",
    "B BLPOP bl9 0",
    "MULTI",
    "RPUSH bl9 a b",
    "SET after-push x",
    "EXEC",
    "R",
    /* hashes */
    "HSET h1 f1 v1 f2 v2",
    "HSET h1 f1 v1",
    "HMSET h1 f3 v3",
    "HSETNX h1 f1 x",
    "HSETNX h1 f4 v4",
    "HINCRBY h1 n 5",
    "HINCRBYFLOAT h1 fl 1.5",
    "HINCRBYFLOAT h1 fl 0.25",
    "HINCRBYFLOAT h1 n 1e3",
    "HDEL h1 f1 nosuch",
    "HDEL h1 nosuch",
    "HDEL nohash f",
    /* sets */
    "SADD st1 a b c d e 1 2",
    "SADD st1 a",
    "SREM st1 e",
    "SREM st1 nosuch",
    "SADD st2 c d x",
    "SMOVE st1 st2 a",
    "SMOVE st1 st2 nosuch",
    "SMOVE st1 st1 b",
    "SMOVE st1 st2 c",
    "SINTERSTORE st3 st1 st2",
    "SUNIONSTORE st4 st1 st2",
    "SDIFFSTORE st5 st1 st2",
    "SINTERSTORE st6 st1 nosuch",
    "SINTERSTORE st4 st1 nosuch",
    "SUNIONSTORE st7 nosuch",
    "SADD sp1 only",
    "SPOP sp1",
    "SADD sp2 a b c",
    "SPOP sp2 5",
    "SADD sp3 1 2 3",
    "SPOP sp3 3",
    "SADD rnd:sp4 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
    "SPOP rnd:sp4",
    "SPOP rnd:sp4 1",
    "SPOP rnd:sp4 3",
    "SPOP rnd:sp4 8",
    "SADD rnd:sp5 a b c d e f g h i j",
    "SPOP rnd:sp5 2",
    "SPOP rnd:sp5",
    "SPOP nosuch",
    "SPOP nosuch 3",
    "SPOP st1 0",
    /* sorted sets */
    "ZADD z1 1 a 2 b 3 c",
    "ZADD z1 1 a",
    "ZADD z1 XX 5 a",
    "ZADD z1 NX 5 a",
    "ZADD z1 GT CH 10 b",
    "ZADD z1 INCR 2 c",
    "ZADD z1 XX INCR 2 nosuch",
    "ZINCRBY z1 1.5 a",
    "ZREM z1 nosuch",
    "ZREM z1 c",
    "ZADD z2 1 x 2 y 3 z 4 w 5 v",
    "ZREMRANGEBYRANK z2 0 0",
    "ZREMRANGEBYSCORE z2 2 2",
    "ZREMRANGEBYSCORE z2 100 200",
    "ZADD z3 0 a 0 b 0 c 0 d",
    "ZREMRANGEBYLEX z3 [a [b",
    "ZREMRANGEBYLEX z3 [x [z",
    "ZUNIONSTORE z4 2 z1 z2",
    "ZINTERSTORE z5 2 z1 z2 WEIGHTS 1 2",
    "ZDIFFSTORE z6 2 z1 z2",
    "ZRANGESTORE z7 z1 0 -1",
    "ZRANGESTORE z7 z1 10 20",
    "ZRANGESTORE z8 z1 10 20",
    "ZPOPMIN z2",
    "ZPOPMAX z1 2",
    "ZPOPMIN nosuch",
    "ZPOPMIN z2 0",
    "ZMPOP 1 z3 MIN COUNT 10",
    "ZMPOP 2 nosuch z1 MAX",
    /* transactions, databases, pub/sub */
    "MULTI",
    "SET tx1 a",
    "SELECT 3",
    "SET tx2 b EX 100",
    "INCRBYFLOAT tx3 1.5",
    "SPOP nosuch",
    "SELECT 0",
    "SET tx4 c",
    "EXEC",
    "MULTI",
    "GET s1",
    "EXEC",
    "MULTI",
    "SET tx5 v",
    "EXEC",
    "MULTI",
    "SET tx6 a NX",
    "SET tx6 b NX",
    "EXEC",
    "MULTI",
    "SET e1 a",
    "INCR e1",
    "SET e2 b",
    "EXEC",
    "SELECT 5",
    "SET d5 x",
    "SWAPDB 5 6",
    "SWAPDB 6 6",
    "SELECT 6",
    "INCR d6",
    "SELECT 0",
    "PUBLISH chan hello",
    "PUBLISH chan ''",
    "SELECT 9",
    "PUBLISH chan9 x",
    "SELECT 0",
    "SET last 1",
};

/* A primary the sequence is sent to. */
struct target {
    struct server *server;
    redisContext *c;   /* runs the commands */
    redisContext *blk; /* the client that blocks */
};

struct line_args {
    int argc;
    const char *argv[MAX_ARGS];
    size_t lens[MAX_ARGS];
    char num[MAX_ARGS][32];
};

static long long wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Splits a sequence line into arguments (see fixed_sequence). */
static void line_split(const char *line, char *copy, struct line_args *a)
{
    long long now_ms = wall_ms();
    strcpy(copy, line);
    a->argc = 0;
    for (char *tok = strtok(copy, " "); tok && a->argc < MAX_ARGS; tok = strtok(NULL, " ")) {
        int i = a->argc++;
        if (strcmp(tok, "''") == 0) {
            a->argv[i] = "";
        } else if (tok[0] == '@' && (tok[1] == 'S' || tok[1] == 'M')) {
            long long base = tok[1] == 'S' ? now_ms / 1000 : now_ms;
            snprintf(a->num[i], sizeof(a->num[i]), "%lld", base + atoll(tok + 2));
            a->argv[i] = a->num[i];
        } else {
            a->argv[i] = tok;
        }
        a->lens[i] = strlen(a->argv[i]);
    }
}

static void wait_blocked(redisContext *c)
{
    long long deadline = harness_now_ms() + STREAM_TIMEOUT_MS;
    while (harness_info_int(c, "clients", "blocked_clients") < 1) {
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "client did not block");
        harness_sleep_ms(5);
    }
}

/* Whether two primaries' replies to the same command agree (random
 * answers aside). */
static int replies_agree(const redisReply *a, const redisReply *b)
{
    if (a->type != b->type) return 0;
    if (a->type == REDIS_REPLY_INTEGER) return a->integer == b->integer;
    if (a->type == REDIS_REPLY_STATUS || a->type == REDIS_REPLY_ERROR)
        return strcmp(a->str, b->str) == 0;
    return 1;
}

/* Sends every line of the fixed sequence to each of the n targets in turn. */
static void run_fixed_sequence(struct target *t, int n)
{
    char copy[512];
    struct line_args a;
    for (size_t l = 0; l < sizeof(fixed_sequence) / sizeof(fixed_sequence[0]); l++) {
        const char *line = fixed_sequence[l];
        if (strncmp(line, "SLEEP ", 6) == 0) {
            harness_sleep_ms(atol(line + 6));
            continue;
        }
        if (strcmp(line, "R") == 0) {
            for (int i = 0; i < n; i++) {
                redisReply *r = NULL;
                if (redisGetReply(t[i].blk, (void **)&r) != REDIS_OK || !r)
                    harness_fail(__FILE__, __LINE__, "blocked client: %s", t[i].blk->errstr);
                if (r->type != REDIS_REPLY_ARRAY && r->type != REDIS_REPLY_STRING)
                    harness_fail(__FILE__, __LINE__, "line %zu: blocked client got type %s", l,
                                 harness_reply_type_name(r->type));
                freeReplyObject(r);
            }
            continue;
        }
        int blocking = strncmp(line, "B ", 2) == 0;
        line_split(blocking ? line + 2 : line, copy, &a);
        redisReply *first = NULL;
        for (int i = 0; i < n; i++) {
            if (blocking) {
                redisAppendCommandArgv(t[i].blk, a.argc, a.argv, a.lens);
                int done = 0;
                while (!done)
                    if (redisBufferWrite(t[i].blk, &done) != REDIS_OK)
                        harness_fail(__FILE__, __LINE__, "send: %s", t[i].blk->errstr);
                wait_blocked(t[i].c);
                continue;
            }
            redisReply *r = harness_cmd_argv(t[i].c, a.argc, a.argv, a.lens);
            if (!first) {
                first = r;
            } else {
                if (!replies_agree(first, r))
                    harness_fail(__FILE__, __LINE__, "line %zu (%s): replies differ: %s / %s", l,
                                 line, harness_reply_type_name(first->type),
                                 harness_reply_type_name(r->type));
                freeReplyObject(r);
            }
        }
        if (first) freeReplyObject(first);
    }
}

static void target_open(struct target *t, struct server *s)
{
    t->server = s;
    t->c = harness_connect(s);
    t->blk = harness_connect(s);
}

static void target_close(struct target *t)
{
    redisFree(t->c);
    redisFree(t->blk);
}

/* a: a real replica ends up with the primary's data. */
static void test_replica_follows_fixed_sequence(void)
{
    struct server primary, replica;
    start_primary(&primary, primary_bin);
    start_replica(&replica, &primary);
    struct target t;
    target_open(&t, &primary);
    redisContext *r = harness_connect(&replica);
    wait_link_up(r);
    run_fixed_sequence(&t, 1);
    wait_in_sync(t.c, r);
    long keys = compare_datasets(t.c, r);
    if (keys <= 30) harness_fail(__FILE__, __LINE__, "only %ld keys", keys);
    printf("a. fixed sequence: replica equal to the primary (%ld keys)\n", keys);
    target_close(&t);
    redisFree(r);
    harness_stop(&replica);
    harness_stop(&primary);
}

/* Reads t's stream until it holds the end marker (SET stream:end done). */
static void read_stream_to_end(int fd, struct bytes *raw, struct ops *ops)
{
    long long deadline = harness_now_ms() + STREAM_TIMEOUT_MS;
    for (;;) {
        parse_stream(raw, ops);
        if (ops->n > 0) {
            const struct op *last = &ops->v[ops->n - 1];
            if (last->argc == 3 && strcmp(last->argv[1], "stream:end") == 0) return;
        }
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "the stream did not reach the end marker");
        if (read_more(fd, raw, 100) == 0) fake_replica_ack(fd);
    }
}

/* b: the stream's bytes equal redis-server's for the same commands. */
static void test_stream_bytes(void)
{
    struct server primary, reference;
    start_primary(&primary, primary_bin);
    start_primary(&reference, redis_bin);
    struct bytes raw[2] = {{0}, {0}};
    int fd[2] = {fake_replica_attach(&primary, &raw[0]), fake_replica_attach(&reference, &raw[1])};
    struct target t[2];
    target_open(&t[0], &primary);
    target_open(&t[1], &reference);
    for (int i = 0; i < 2; i++) fake_replica_wait_online(t[i].c, fd[i]);
    run_fixed_sequence(t, 2);
    struct ops ops[2] = {{0}, {0}};
    for (int i = 0; i < 2; i++) {
        EXPECT_OK(harness_cmd(t[i].c, "SET stream:end done"));
        read_stream_to_end(fd[i], &raw[i], &ops[i]);
    }
    compare_streams(&ops[0], &ops[1]);
    printf("b. stream bytes: %zu propagated commands equal to redis-server's\n", ops[0].n);
    for (int i = 0; i < 2; i++) {
        ops_free(&ops[i]);
        free(raw[i].p);
        close(fd[i]);
        target_close(&t[i]);
    }
    harness_stop(&reference);
    harness_stop(&primary);
}

/* ---- c: the random load ---- */

static uint64_t rng_state;
static FILE *trace;

static uint64_t rng_next(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int rng(int n)
{
    return (int)(rng_next() % (uint64_t)n);
}

/* A command being built: arguments are copied into buf. */
struct gen {
    int argc;
    const char *argv[MAX_ARGS];
    size_t lens[MAX_ARGS];
    char buf[MAX_ARGS][80];
};

static void gen_add(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gen_add(struct gen *g, const char *fmt, ...)
{
    if (g->argc == MAX_ARGS) return;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(g->buf[g->argc], sizeof(g->buf[0]), fmt, ap);
    va_end(ap);
    g->argv[g->argc] = g->buf[g->argc];
    g->lens[g->argc] = (size_t)len < sizeof(g->buf[0]) ? (size_t)len : sizeof(g->buf[0]) - 1;
    g->argc++;
}

#define KEYS_PER_TYPE 24

static void add_key(struct gen *g, const char *type)
{
    gen_add(g, "%s:%d", type, rng(KEYS_PER_TYPE));
}

/* A value: small integers (intsets, int encodings), words, long strings. */
static void add_value(struct gen *g)
{
    switch (rng(4)) {
    case 0:
        gen_add(g, "%d", rng(100) - 10);
        break;
    case 1:
        gen_add(g, "v%d", rng(50));
        break;
    case 2:
        gen_add(g, "%d.%d", rng(100), rng(100));
        break;
    default:
        gen_add(g, "long-value-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", rng(1000));
    }
}

/* A TTL option: mostly short ones, so that keys expire during the load,
 * or long ones that outlive it. */
static void add_expire_option(struct gen *g)
{
    long long now = wall_ms();
    switch (rng(5)) {
    case 0:
        gen_add(g, "EX");
        gen_add(g, "%d", 1000 + rng(1000));
        break;
    case 1:
        gen_add(g, "PX");
        gen_add(g, "%d", 1 + rng(150));
        break;
    case 2:
        gen_add(g, "EXAT");
        gen_add(g, "%lld", now / 1000 + 1000 + rng(100));
        break;
    case 3:
        gen_add(g, "PXAT");
        gen_add(g, "%lld", now + 1 + rng(150));
        break;
    default:
        gen_add(g, "PXAT");
        gen_add(g, "%lld", now + 2000000 + rng(1000));
    }
}

static void gen_string(struct gen *g)
{
    const char *t = rng(3) ? "s" : "n";
    switch (rng(18)) {
    case 0:
    case 1:
        gen_add(g, "SET");
        add_key(g, t);
        add_value(g);
        if (rng(2)) add_expire_option(g);
        if (rng(4) == 0) gen_add(g, rng(2) ? "NX" : "XX");
        if (rng(4) == 0) gen_add(g, "GET");
        if (g->argc == 3 && rng(4) == 0) gen_add(g, "KEEPTTL");
        break;
    case 2:
        gen_add(g, "SETNX");
        add_key(g, t);
        add_value(g);
        break;
    case 3:
        if (rng(2)) {
            gen_add(g, "SETEX");
            add_key(g, t);
            gen_add(g, "%d", 1000 + rng(1000));
        } else {
            gen_add(g, "PSETEX");
            add_key(g, t);
            gen_add(g, "%d", 1 + rng(150));
        }
        add_value(g);
        break;
    case 4:
        gen_add(g, "GETSET");
        add_key(g, t);
        add_value(g);
        break;
    case 5:
        gen_add(g, "GETDEL");
        add_key(g, t);
        break;
    case 6:
        gen_add(g, "GETEX");
        add_key(g, t);
        if (rng(3) == 0)
            gen_add(g, "PERSIST");
        else if (rng(3) == 0) {
            gen_add(g, "PXAT");
            gen_add(g, "%lld", wall_ms() - rng(1000));
        } else if (rng(2))
            add_expire_option(g);
        break;
    case 7:
        gen_add(g, rng(2) ? "MSET" : "MSETNX");
        for (int i = 0, n = 1 + rng(3); i < n; i++) {
            add_key(g, t);
            add_value(g);
        }
        break;
    case 8:
        gen_add(g, "INCR");
        add_key(g, "n");
        break;
    case 9:
        gen_add(g, rng(2) ? "INCRBY" : "DECRBY");
        add_key(g, "n");
        gen_add(g, "%d", rng(1000) - 500);
        break;
    case 10:
        gen_add(g, "INCRBYFLOAT");
        add_key(g, "n");
        gen_add(g, "%d.%d", rng(100) - 50, rng(1000));
        break;
    case 11:
        gen_add(g, "APPEND");
        add_key(g, t);
        add_value(g);
        break;
    case 12:
        gen_add(g, "SETRANGE");
        add_key(g, t);
        gen_add(g, "%d", rng(20));
        add_value(g);
        break;
    case 13:
        gen_add(g, "GET");
        add_key(g, t);
        break;
    case 14:
        gen_add(g, "DECR");
        add_key(g, "n");
        break;
    default:
        gen_add(g, "SET");
        add_key(g, t);
        add_value(g);
    }
}

static const char *const all_types[] = {"s", "n", "l", "h", "st", "z"};

static void gen_keys(struct gen *g)
{
    const char *t = all_types[rng(6)];
    static const char *const expire_cmds[] = {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"};
    static const char *const conditions[] = {"NX", "XX", "GT", "LT"};
    long long now = wall_ms();
    switch (rng(7)) {
    case 0:
        gen_add(g, rng(2) ? "DEL" : "UNLINK");
        for (int i = 0, n = 1 + rng(3); i < n; i++) add_key(g, t);
        break;
    case 1:
        gen_add(g, rng(3) ? "RENAME" : "RENAMENX");
        add_key(g, t);
        add_key(g, rng(5) ? t : all_types[rng(6)]);
        break;
    case 2:
    case 3:
    case 4: {
        int which = rng(4);
        gen_add(g, "%s", expire_cmds[which]);
        add_key(g, t);
        long long v;
        int kind = rng(4); /* past, short, long, negative */
        if (which == 0)
            v = kind == 0 ? -rng(5) : kind == 1 ? 0 : 1000 + rng(1000);
        else if (which == 1)
            v = kind == 0 ? -rng(100) : kind == 1 ? 1 + rng(150) : 2000000 + rng(1000);
        else if (which == 2)
            v = kind == 0 ? now / 1000 - rng(100) : now / 1000 + 1000 + rng(1000);
        else
            v = kind == 0 ? now - rng(1000) : kind == 1 ? now + 1 + rng(150) : now + 2000000;
        gen_add(g, "%lld", v);
        if (rng(3) == 0) gen_add(g, "%s", conditions[rng(4)]);
        break;
    }
    case 5:
        gen_add(g, "PERSIST");
        add_key(g, t);
        break;
    default:
        gen_add(g, "EXISTS");
        add_key(g, t);
    }
}

static void gen_list(struct gen *g)
{
    static const char *const ends[] = {"LEFT", "RIGHT", "left", "right"};
    switch (rng(16)) {
    case 0:
    case 1:
    case 2:
        gen_add(g, rng(2) ? "LPUSH" : "RPUSH");
        add_key(g, "l");
        for (int i = 0, n = 1 + rng(4); i < n; i++) add_value(g);
        break;
    case 3:
        gen_add(g, rng(2) ? "LPUSHX" : "RPUSHX");
        add_key(g, "l");
        add_value(g);
        break;
    case 4:
    case 5:
        gen_add(g, rng(2) ? "LPOP" : "RPOP");
        add_key(g, "l");
        if (rng(2)) gen_add(g, "%d", rng(4));
        break;
    case 6:
        gen_add(g, "LSET");
        add_key(g, "l");
        gen_add(g, "%d", rng(6) - 3);
        add_value(g);
        break;
    case 7:
        gen_add(g, "LINSERT");
        add_key(g, "l");
        gen_add(g, rng(2) ? "BEFORE" : "AFTER");
        add_value(g);
        add_value(g);
        break;
    case 8:
        gen_add(g, "LREM");
        add_key(g, "l");
        gen_add(g, "%d", rng(5) - 2);
        add_value(g);
        break;
    case 9:
        gen_add(g, "LTRIM");
        add_key(g, "l");
        gen_add(g, "%d", rng(3));
        gen_add(g, "%d", rng(10) - 3);
        break;
    case 10:
    case 11:
        gen_add(g, "LMOVE");
        add_key(g, "l");
        add_key(g, "l");
        gen_add(g, "%s", ends[rng(4)]);
        gen_add(g, "%s", ends[rng(4)]);
        break;
    case 12:
        gen_add(g, "RPOPLPUSH");
        add_key(g, "l");
        add_key(g, "l");
        break;
    case 13:
        gen_add(g, "LMPOP");
        gen_add(g, "2");
        add_key(g, "l");
        add_key(g, "l");
        gen_add(g, "%s", ends[rng(4)]);
        if (rng(2)) {
            gen_add(g, "COUNT");
            gen_add(g, "%d", 1 + rng(4));
        }
        break;
    case 14: /* never blocks here: the key is filled first in a MULTI */
        gen_add(g, rng(2) ? "BLPOP" : "BRPOP");
        add_key(g, "l");
        gen_add(g, "0.001");
        break;
    default:
        gen_add(g, "LRANGE");
        add_key(g, "l");
        gen_add(g, "0");
        gen_add(g, "-1");
    }
}

static void gen_hash(struct gen *g)
{
    switch (rng(8)) {
    case 0:
    case 1:
        gen_add(g, rng(4) ? "HSET" : "HMSET");
        add_key(g, "h");
        for (int i = 0, n = 1 + rng(3); i < n; i++) {
            gen_add(g, "f%d", rng(10));
            add_value(g);
        }
        break;
    case 2:
        gen_add(g, "HSETNX");
        add_key(g, "h");
        gen_add(g, "f%d", rng(10));
        add_value(g);
        break;
    case 3:
        gen_add(g, "HDEL");
        add_key(g, "h");
        for (int i = 0, n = 1 + rng(3); i < n; i++) gen_add(g, "f%d", rng(10));
        break;
    case 4:
        gen_add(g, "HINCRBY");
        add_key(g, "h");
        gen_add(g, "n%d", rng(4));
        gen_add(g, "%d", rng(100) - 50);
        break;
    case 5:
        gen_add(g, "HINCRBYFLOAT");
        add_key(g, "h");
        gen_add(g, "n%d", rng(4));
        gen_add(g, "%d.%d", rng(100) - 50, rng(100));
        break;
    default:
        gen_add(g, "HGET");
        add_key(g, "h");
        gen_add(g, "f%d", rng(10));
    }
}

static void gen_set(struct gen *g)
{
    static const char *const stores[] = {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"};
    switch (rng(8)) {
    case 0:
    case 1:
        gen_add(g, "SADD");
        add_key(g, "st");
        for (int i = 0, n = 1 + rng(6); i < n; i++) {
            if (rng(2))
                gen_add(g, "%d", rng(40));
            else
                gen_add(g, "m%d", rng(40));
        }
        break;
    case 2:
        gen_add(g, "SREM");
        add_key(g, "st");
        for (int i = 0, n = 1 + rng(3); i < n; i++) gen_add(g, "%d", rng(40));
        break;
    case 3:
    case 4:
        gen_add(g, "SPOP");
        add_key(g, "st");
        if (rng(2)) gen_add(g, "%d", rng(8));
        break;
    case 5:
        gen_add(g, "SMOVE");
        add_key(g, "st");
        add_key(g, "st");
        gen_add(g, rng(2) ? "%d" : "m%d", rng(40));
        break;
    case 6:
        gen_add(g, "%s", stores[rng(3)]);
        add_key(g, "st");
        for (int i = 0, n = 1 + rng(3); i < n; i++) add_key(g, "st");
        break;
    default:
        gen_add(g, "SCARD");
        add_key(g, "st");
    }
}

static void gen_zset(struct gen *g)
{
    static const char *const flags[] = {"NX", "XX", "GT", "LT", "CH"};
    static const char *const stores[] = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
    switch (rng(12)) {
    case 0:
    case 1:
    case 2:
        gen_add(g, "ZADD");
        add_key(g, "z");
        if (rng(3) == 0) gen_add(g, "%s", flags[rng(5)]);
        for (int i = 0, n = 1 + rng(4); i < n; i++) {
            gen_add(g, "%d.%d", rng(20), rng(10));
            gen_add(g, "m%d", rng(30));
        }
        break;
    case 3:
        gen_add(g, "ZINCRBY");
        add_key(g, "z");
        gen_add(g, "%d.5", rng(10) - 5);
        gen_add(g, "m%d", rng(30));
        break;
    case 4:
        gen_add(g, "ZREM");
        add_key(g, "z");
        for (int i = 0, n = 1 + rng(3); i < n; i++) gen_add(g, "m%d", rng(30));
        break;
    case 5:
        gen_add(g, "ZREMRANGEBYRANK");
        add_key(g, "z");
        gen_add(g, "%d", rng(3));
        gen_add(g, "%d", rng(4));
        break;
    case 6:
        gen_add(g, "ZREMRANGEBYSCORE");
        add_key(g, "z");
        gen_add(g, "%d", rng(10));
        gen_add(g, "(%d", rng(20));
        break;
    case 7:
        gen_add(g, rng(2) ? "ZPOPMIN" : "ZPOPMAX");
        add_key(g, "z");
        if (rng(2)) gen_add(g, "%d", rng(4));
        break;
    case 8:
        gen_add(g, "ZMPOP");
        gen_add(g, "2");
        add_key(g, "z");
        add_key(g, "z");
        gen_add(g, rng(2) ? "MIN" : "MAX");
        if (rng(2)) {
            gen_add(g, "COUNT");
            gen_add(g, "%d", 1 + rng(4));
        }
        break;
    case 9:
        gen_add(g, "%s", stores[rng(3)]);
        add_key(g, "z");
        gen_add(g, "2");
        add_key(g, "z");
        add_key(g, "z");
        break;
    case 10:
        gen_add(g, "ZRANGESTORE");
        add_key(g, "z");
        add_key(g, "z");
        gen_add(g, "%d", rng(3));
        gen_add(g, "%d", rng(6) - 1);
        break;
    default:
        gen_add(g, "ZREMRANGEBYLEX");
        add_key(g, "z");
        gen_add(g, "[m%d", rng(10));
        gen_add(g, "(m%d", rng(30));
    }
}

/* One random command (not MULTI / EXEC). */
static void gen_command(struct gen *g)
{
    g->argc = 0;
    int r = rng(1000);
    const char *only = getenv("ONLY");
    if (only) {
        /* diagnostics: only the categories named (s k l h t z o) */
        static const char cats[] = "skhltzo";
        static const int lo[] = {0, 250, 530, 380, 660, 800, 960};
        static const int hi[] = {250, 380, 660, 530, 800, 960, 1000};
        for (;;) {
            int c = rng(7);
            if (!strchr(only, cats[c])) continue;
            r = lo[c] + rng(hi[c] - lo[c]);
            break;
        }
    }
    if (r < 250)
        gen_string(g);
    else if (r < 380)
        gen_keys(g);
    else if (r < 530)
        gen_list(g);
    else if (r < 660)
        gen_hash(g);
    else if (r < 800)
        gen_set(g);
    else if (r < 960)
        gen_zset(g);
    else if (r < 975) {
        gen_add(g, "SELECT");
        gen_add(g, "%d", rng(3));
    } else if (r < 990) {
        gen_add(g, "PUBLISH");
        gen_add(g, "chan");
        add_value(g);
    } else if (r < 998 && !getenv("NO_SWAPDB")) {
        gen_add(g, "SWAPDB");
        gen_add(g, "%d", rng(3));
        gen_add(g, "%d", rng(3));
    } else if (rng(5) == 0) {
        gen_add(g, "FLUSHDB");
    } else {
        gen_add(g, "PUBLISH");
        gen_add(g, "chan2");
        add_value(g);
    }
}

/* Appends one random step (a command, or a MULTI ... EXEC block) to c;
 * returns the number of commands appended. BLPOP / BRPOP only run inside
 * a MULTI, where they never block. */
static int append_random_step(redisContext *c)
{
    struct gen g;
    int n = 0;
    int in_multi = rng(20) == 0 && !getenv("NO_MULTI");
    if (in_multi) {
        redisAppendCommand(c, "MULTI");
        n++;
    }
    for (int i = 0, count = in_multi ? 2 + rng(4) : 1; i < count; i++) {
        do gen_command(&g);
        while (!in_multi && (strcmp(g.argv[0], "BLPOP") == 0 || strcmp(g.argv[0], "BRPOP") == 0));
        redisAppendCommandArgv(c, g.argc, g.argv, g.lens);
        if (trace) {
            fprintf(trace, "%p:", (void *)c);
            for (int j = 0; j < g.argc; j++) fprintf(trace, " %s", g.argv[j]);
            fprintf(trace, "\n");
        }
        n++;
    }
    if (in_multi) {
        redisAppendCommand(c, "EXEC");
        n++;
    }
    return n;
}

static void print_key_history(const char *key, size_t len)
{
    if (history_fd < 0) return;
    struct bytes raw = {0};
    struct ops ops = {0};
    fake_replica_ack(history_fd);
    while (read_more(history_fd, &raw, 500) > 0) parse_stream(&raw, &ops);
    parse_stream(&raw, &ops);
    fprintf(stderr, "the stream's commands naming %.*s (of %zu):\n", (int)len, key, ops.n);
    if (getenv("STREAM_DUMP")) {
        FILE *f = fopen(getenv("STREAM_DUMP"), "w");
        for (size_t i = 0; f && i < ops.n; i++) {
            fprintf(f, "[%zu]", i);
            for (int j = 0; j < ops.v[i].argc; j++)
                fprintf(f, " %.*s", (int)ops.v[i].lens[j], ops.v[i].argv[j]);
            fprintf(f, "\n");
        }
        if (f) fclose(f);
    }
    int db = 0;
    for (size_t i = 0; i < ops.n; i++) {
        const struct op *op = &ops.v[i];
        if (arg_is(op, 0, "SELECT")) db = atoi(op->argv[1]);
        int named = arg_is(op, 0, "FLUSHDB") || arg_is(op, 0, "SWAPDB");
        for (int j = 1; j < op->argc; j++)
            if (op->lens[j] == len && memcmp(op->argv[j], key, len) == 0) named = 1;
        if (named) {
            fprintf(stderr, "  db %d", db);
            op_print("", i, op);
        }
    }
    ops_free(&ops);
    free(raw.p);
}

/* c: a random load from several connections while the replica follows. */
static void test_random_load(void)
{
    const char *seed_env = getenv("TANDEM_SEED");
    uint64_t seed =
        seed_env ? strtoull(seed_env, NULL, 10) : (uint64_t)wall_ms() ^ (uint64_t)getpid();
    if (seed == 0) seed = 1;
    printf("c. random load: seed %llu (TANDEM_SEED=%llu to replay)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    rng_state = seed;
    if (getenv("CONNS")) random_conns = atoi(getenv("CONNS"));
    if (getenv("TRACE")) trace = fopen(getenv("TRACE"), "w");

    struct server primary, replica;
    start_primary(&primary, primary_bin);
    start_replica(&replica, &primary);
    redisContext *r = harness_connect(&replica);
    wait_link_up(r);
    redisContext *conns[RANDOM_CONNS];
    for (int i = 0; i < RANDOM_CONNS; i++) conns[i] = harness_connect(&primary);
    struct bytes history = {0};
    history_fd = fake_replica_attach(&primary, &history);
    fake_replica_wait_online(conns[0], history_fd);
    free(history.p);

    long total = 0;
    for (int batch = 0; batch < RANDOM_BATCHES; batch++) {
        int pending[RANDOM_CONNS] = {0};
        for (int i = 0; i < random_conns; i++) {
            while (pending[i] < RANDOM_BATCH) pending[i] += append_random_step(conns[i]);
            int done = 0;
            while (!done)
                if (redisBufferWrite(conns[i], &done) != REDIS_OK)
                    harness_fail(__FILE__, __LINE__, "send: %s", conns[i]->errstr);
        }
        for (int i = 0; i < random_conns; i++) {
            for (int k = 0; k < pending[i]; k++) {
                redisReply *reply = NULL;
                if (redisGetReply(conns[i], (void **)&reply) != REDIS_OK || !reply)
                    harness_fail(__FILE__, __LINE__, "reply: %s", conns[i]->errstr);
                freeReplyObject(reply);
            }
            total += pending[i];
        }
    }
    CHECK(total >= 5000L * random_conns);
    /* The short TTLs run out; a SCAN of every db then deletes (and
     * propagates) whatever active expiry has not reached yet. */
    harness_sleep_ms(300);
    for (int db = 0; db < 16; db++) {
        freeReplyObject(harness_cmd(conns[0], "SELECT %d", db));
        char cursor[32] = "0";
        do {
            redisReply *s = harness_cmd(conns[0], "SCAN %s COUNT 1000", cursor);
            CHECK(s->type == REDIS_REPLY_ARRAY && s->elements == 2);
            snprintf(cursor, sizeof(cursor), "%s", s->element[0]->str);
            freeReplyObject(s);
        } while (strcmp(cursor, "0") != 0);
    }
    freeReplyObject(harness_cmd(conns[0], "SELECT 0"));
    wait_in_sync(conns[0], r);
    long keys = compare_datasets(conns[0], r);
    printf("c. random load: %ld commands, replica equal to the primary (%ld keys)\n", total, keys);
    for (int i = 0; i < RANDOM_CONNS; i++) redisFree(conns[i]);
    close(history_fd);
    history_fd = -1;
    redisFree(r);
    harness_stop(&replica);
    harness_stop(&primary);
}

int main(int argc, char **argv)
{
    redis_bin = harness_redis_server_path();
    if (!redis_bin) {
        printf("test_replication_effects: needs redis-server; skipped\n");
        return 0;
    }
    primary_bin = harness_binary_from_args(argc, argv);
    printf("primary: %s, replica and reference: %s\n", primary_bin, redis_bin);
    test_replica_follows_fixed_sequence();
    test_stream_bytes();
    test_random_load();
    printf("test_replication_effects: all passed\n");
    return 0;
}
