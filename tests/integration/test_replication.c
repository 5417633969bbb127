/*
 * test_replication: the primary side of replication against real
 * redis-server 7.0 replicas: full sync of a data set of every type while
 * writers keep writing (no child process is ever created), the stream
 * afterwards, two replicas at once, 20 link cuts under load each healed by
 * a partial resync (no second full sync), and the INFO replication, ROLE
 * and INFO stats fields. Every check ends with the primary's and the
 * replicas' DEBUG DIGEST equal.
 *
 * Usage: test_replication <server binary> [<replica binary>]; with no
 * argument the primary is redis-server itself, which every expectation here
 * was checked against; the replicas are redis-server unless a second
 * binary is given (tandem-server replicas of a tandem-server primary).
 */
#include "tests/harness.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 30000
#define KEYS 60000 /* per type family in the initial data set */

static struct server primary;
static int primary_is_tandem;
static const char *replica_binary;

static char *info_str(redisContext *c, const char *section, const char *field)
{
    char *v = harness_info_field(c, section, field);
    return v ? v : strdup("");
}

static void start_replica(struct server *r)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", primary.port);
    const char *args[] = {
        "--replicaof",          "127.0.0.1", port, "--save", "", "--enable-debug-command", "yes",
        "--repl-diskless-load", "disabled",  NULL};
    if (harness_start(r, replica_binary, args) != 0)
        harness_fail(__FILE__, __LINE__, "cannot start a replica");
}

static void wait_link_up(redisContext *replica)
{
    long long deadline = harness_now_ms() + WAIT_MS;
    for (;;) {
        char *v = info_str(replica, "replication", "master_link_status");
        int up = strcmp(v, "up") == 0;
        free(v);
        if (up) return;
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "the link never came up");
        harness_sleep_ms(20);
    }
}

/* Waits until the replica has processed everything the primary sent. */
static void wait_caught_up(redisContext *p, redisContext *replica)
{
    long long deadline = harness_now_ms() + WAIT_MS;
    for (;;) {
        long long mine = harness_info_int(p, "replication", "master_repl_offset");
        long long theirs = harness_info_int(replica, "replication", "slave_repl_offset");
        if (theirs >= mine) return;
        if (harness_now_ms() > deadline)
            harness_fail(__FILE__, __LINE__, "replica stuck at %lld, primary at %lld", theirs,
                         mine);
        harness_sleep_ms(10);
    }
}

static void expect_same_digest(redisContext *p, redisContext *replica)
{
    char *a = harness_cmd_str(p, "DEBUG DIGEST");
    char *b = harness_cmd_str(replica, "DEBUG DIGEST");
    if (strcmp(a, b) != 0)
        harness_fail(__FILE__, __LINE__, "digests differ: primary %s, replica %s", a, b);
    CHECK(strcmp(a, "0000000000000000000000000000000000000000") != 0);
    free(a);
    free(b);
}

/* Fills every type, in two databases, with expiries. */
static void fill(redisContext *c)
{
    for (int i = 0; i < KEYS; i++) {
        redisAppendCommand(c, "SET str:%d value-%d", i, i);
        if (i % 10 == 0) redisAppendCommand(c, "PEXPIRE str:%d 1000000", i);
        redisAppendCommand(c, "RPUSH list:%d %d", i % 500, i);
        redisAppendCommand(c, "HSET hash:%d f%d %d", i % 700, i, i);
        redisAppendCommand(c, "SADD set:%d %d", i % 300, i);
        redisAppendCommand(c, "SADD tags:%d t%d", i % 100, i);
        redisAppendCommand(c, "ZADD zset:%d %d.5 m%d", i % 400, i, i);
    }
    int replies = KEYS * 6 + KEYS / 10;
    for (int i = 0; i < replies; i++) {
        void *r;
        CHECK(redisGetReply(c, &r) == REDIS_OK);
        CHECK(((redisReply *)r)->type != REDIS_REPLY_ERROR);
        freeReplyObject(r);
    }
    EXPECT_OK(harness_cmd(c, "SELECT 5"));
    for (int i = 0; i < 1000; i++) EXPECT_OK(harness_cmd(c, "SET other:%d %d", i, i));
    EXPECT_OK(harness_cmd(c, "SELECT 0"));
}

/* Writers running while replicas sync. */
struct writer {
    pthread_t thread;
    int id;
    volatile int *stop;
    long long done;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    redisContext *c = harness_connect(&primary);
    unsigned seed = (unsigned)w->id * 7919u + 1;
    while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
        int k = (int)(rand_r(&seed) % KEYS);
        redisReply *r;
        switch (rand_r(&seed) % 7) {
        case 0:
            r = redisCommand(c, "SET str:%d w%d-%lld", k, w->id, w->done);
            break;
        case 1:
            r = redisCommand(c, "LPUSH list:%d w%d", k % 500, w->id);
            break;
        case 2:
            r = redisCommand(c, "HINCRBY hash:%d f%d 1", k % 700, k);
            break;
        case 3:
            r = redisCommand(c, "SREM set:%d %d", k % 300, k);
            break;
        case 4:
            r = redisCommand(c, "ZINCRBY zset:%d 1 m%d", k % 400, k);
            break;
        case 5:
            r = redisCommand(c, "DEL str:%d", k);
            break;
        default:
            r = redisCommand(c, "MULTI");
            freeReplyObject(r);
            r = redisCommand(c, "INCR counter:%d", w->id);
            freeReplyObject(r);
            r = redisCommand(c, "RPOP list:%d", k % 500);
            freeReplyObject(r);
            r = redisCommand(c, "EXEC");
            break;
        }
        CHECK(r != NULL && r->type != REDIS_REPLY_ERROR);
        freeReplyObject(r);
        w->done++;
    }
    redisFree(c);
    return NULL;
}

#define WRITERS 3

static void writers_start(struct writer *ws, volatile int *stop)
{
    *stop = 0;
    for (int i = 0; i < WRITERS; i++) {
        ws[i] = (struct writer){.id = i, .stop = stop};
        CHECK(pthread_create(&ws[i].thread, NULL, writer_main, &ws[i]) == 0);
    }
}

static long long writers_stop(struct writer *ws, volatile int *stop)
{
    __atomic_store_n(stop, 1, __ATOMIC_RELAXED);
    long long total = 0;
    for (int i = 0; i < WRITERS; i++) {
        CHECK(pthread_join(ws[i].thread, NULL) == 0);
        total += ws[i].done;
    }
    return total;
}

static void test_full_sync_under_writes(redisContext *p, struct server *r1, redisContext **c1)
{
    fill(p);
    volatile int stop;
    struct writer ws[WRITERS];
    writers_start(ws, &stop);
    harness_sleep_ms(100);
    start_replica(r1);
    *c1 = harness_connect(r1);
    int max_children = 0;
    long long deadline = harness_now_ms() + WAIT_MS;
    for (;;) {
        int n = harness_children_of(primary.pid);
        if (n > max_children) max_children = n;
        char *v = info_str(*c1, "replication", "master_link_status");
        int up = strcmp(v, "up") == 0;
        free(v);
        if (up) break;
        if (harness_now_ms() > deadline) harness_fail(__FILE__, __LINE__, "no sync");
        harness_sleep_ms(5);
    }
    harness_sleep_ms(300); /* the stream flows under the writers too */
    long long writes = writers_stop(ws, &stop);
    wait_caught_up(p, *c1);
    expect_same_digest(p, *c1);
    if (primary_is_tandem) CHECK(max_children == 0);
    printf("full sync under %lld concurrent writes: digests equal, %d child processes\n", writes,
           max_children);
    EXPECT_OK(harness_cmd(p, "SELECT 5"));
    EXPECT_OK(harness_cmd(*c1, "SELECT 5"));
    EXPECT_STR(harness_cmd(*c1, "GET other:999"), "999");
    EXPECT_OK(harness_cmd(p, "SELECT 0"));
    EXPECT_OK(harness_cmd(*c1, "SELECT 0"));
}

static void test_info_and_role(redisContext *p, const struct server *r1)
{
    char *role = info_str(p, "replication", "role");
    CHECK(strcmp(role, "master") == 0);
    free(role);
    CHECK(harness_info_int(p, "replication", "connected_slaves") == 1);
    char *slave0 = info_str(p, "replication", "slave0");
    char expect[64];
    snprintf(expect, sizeof(expect), "ip=127.0.0.1,port=%d,state=online,", r1->port);
    CHECK(strncmp(slave0, expect, strlen(expect)) == 0);
    free(slave0);
    char *id = info_str(p, "replication", "master_replid");
    CHECK(strlen(id) == 40);
    free(id);
    CHECK(harness_info_int(p, "replication", "repl_backlog_active") == 1);
    CHECK(harness_info_int(p, "stats", "sync_full") >= 1);
    redisReply *r = harness_cmd(p, "ROLE");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    CHECK(strcmp(r->element[0]->str, "master") == 0);
    CHECK(r->element[1]->type == REDIS_REPLY_INTEGER);
    CHECK(r->element[2]->type == REDIS_REPLY_ARRAY && r->element[2]->elements == 1);
    freeReplyObject(r);
}

/* WAIT: blocks until enough replicas acknowledged this client's writes,
 * or its timeout (to within 100 ms), and says how many did. */
static void test_wait(redisContext *p)
{
    EXPECT_OK(harness_cmd(p, "SET waited 1"));
    long long t0 = harness_now_ms();
    EXPECT_INT(harness_cmd(p, "WAIT 1 0"), 1);
    CHECK(harness_now_ms() - t0 < 5000);
    EXPECT_OK(harness_cmd(p, "SET waited 2"));
    t0 = harness_now_ms();
    EXPECT_INT(harness_cmd(p, "WAIT 2 300"), 1);
    long long took = harness_now_ms() - t0;
    CHECK(took >= 290 && took <= 400);
    EXPECT_INT(harness_cmd(p, "WAIT 0 0"), 1);
    /* Inside a transaction it never blocks: the count so far. */
    EXPECT_OK(harness_cmd(p, "MULTI"));
    EXPECT_STATUS(harness_cmd(p, "WAIT 5 1000"), "QUEUED");
    t0 = harness_now_ms();
    redisReply *r = harness_cmd(p, "EXEC");
    CHECK(harness_now_ms() - t0 < 500);
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    CHECK(r->element[0]->type == REDIS_REPLY_INTEGER && r->element[0]->integer <= 1);
    freeReplyObject(r);
    EXPECT_ERROR_EXACT(harness_cmd(p, "WAIT 1 -1"), "ERR timeout is negative");
    EXPECT_ERROR_EXACT(harness_cmd(p, "WAIT x 1"), "ERR value is not an integer or out of range");
    printf("WAIT: 1 replica acknowledged; WAIT 2 300 answered after %lld ms\n", took);
}

/* min-replicas-to-write: writes (and EXEC of writes) are refused while
 * fewer replicas acknowledged within min-replicas-max-lag; reads go on. */
static void test_min_replicas(redisContext *p)
{
    EXPECT_OK(harness_cmd(p, "CONFIG SET min-replicas-to-write 2"));
    EXPECT_ERROR_EXACT(harness_cmd(p, "SET guarded 1"),
                       "NOREPLICAS Not enough good replicas to write.");
    EXPECT_NIL(harness_cmd(p, "GET guarded"));
    EXPECT_OK(harness_cmd(p, "MULTI"));
    EXPECT_ERROR_EXACT(harness_cmd(p, "SET guarded 1"),
                       "NOREPLICAS Not enough good replicas to write.");
    EXPECT_ERROR_EXACT(harness_cmd(p, "EXEC"),
                       "EXECABORT Transaction discarded because of previous errors.");
    EXPECT_OK(harness_cmd(p, "CONFIG SET min-replicas-to-write 1"));
    EXPECT_OK(harness_cmd(p, "SET guarded 1"));
    CHECK(harness_info_int(p, "replication", "min_slaves_good_slaves") == 1);
    EXPECT_OK(harness_cmd(p, "CONFIG SET min-replicas-to-write 0"));
}

/* Cuts the link from the replica's side again and again while writers
 * write: every reconnection is a partial resync. */
static void test_link_cuts(redisContext *p, redisContext *c1)
{
    long long full_before = harness_info_int(p, "stats", "sync_full");
    long long partial_before = harness_info_int(p, "stats", "sync_partial_ok");
    volatile int stop;
    struct writer ws[WRITERS];
    writers_start(ws, &stop);
    for (int i = 0; i < 20; i++) {
        harness_sleep_ms(30);
        redisReply *r = harness_cmd(c1, "CLIENT KILL TYPE master");
        CHECK(r->type == REDIS_REPLY_INTEGER);
        freeReplyObject(r);
        wait_link_up(c1);
    }
    writers_stop(ws, &stop);
    wait_caught_up(p, c1);
    expect_same_digest(p, c1);
    long long partial = harness_info_int(p, "stats", "sync_partial_ok") - partial_before;
    long long full = harness_info_int(p, "stats", "sync_full") - full_before;
    printf("20 link cuts under load: %lld partial resyncs, %lld full\n", partial, full);
    CHECK(partial == 20);
    CHECK(full == 0);
}

static void test_second_replica(redisContext *p, redisContext *c1)
{
    struct server r2;
    volatile int stop;
    struct writer ws[WRITERS];
    writers_start(ws, &stop);
    start_replica(&r2);
    redisContext *c2 = harness_connect(&r2);
    wait_link_up(c2);
    writers_stop(ws, &stop);
    wait_caught_up(p, c1);
    wait_caught_up(p, c2);
    expect_same_digest(p, c1);
    expect_same_digest(p, c2);
    CHECK(harness_info_int(p, "replication", "connected_slaves") == 2);
    redisFree(c2);
    harness_stop(&r2);
}

/* A replica that stops reading (SIGSTOP) while the primary writes more than
 * its client-output-buffer-limit is dropped; once it runs again it comes
 * back, with a full resync since its offset left the backlog meanwhile. */
static void test_stalled_replica(redisContext *p, struct server *r1, redisContext **c1)
{
    EXPECT_OK(harness_cmd(p, "CONFIG SET client-output-buffer-limit %s", "replica 1mb 0 0"));
    long long full_before = harness_info_int(p, "stats", "sync_full");
    CHECK(kill(r1->pid, SIGSTOP) == 0);
    char value[1024];
    memset(value, 'x', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    long long deadline = harness_now_ms() + WAIT_MS;
    int i = 0;
    while (harness_info_int(p, "replication", "connected_slaves") > 0) {
        for (int j = 0; j < 1000; j++, i++)
            redisAppendCommand(p, "SET stall:%d %s", i % 50000, value);
        for (int j = 0; j < 1000; j++) {
            void *r;
            CHECK(redisGetReply(p, &r) == REDIS_OK);
            freeReplyObject(r);
        }
        if (harness_now_ms() > deadline) {
            kill(r1->pid, SIGCONT);
            harness_fail(__FILE__, __LINE__, "the stalled replica was never dropped");
        }
    }
    /* More than the backlog after the drop, so its offset is gone. */
    for (int j = 0; j < 3000; j++, i++)
        EXPECT_OK(harness_cmd(p, "SET stall:%d %s", i % 50000, value));
    CHECK(kill(r1->pid, SIGCONT) == 0);
    redisFree(*c1);
    *c1 = harness_connect(r1);
    wait_link_up(*c1);
    wait_caught_up(p, *c1);
    expect_same_digest(p, *c1);
    long long full = harness_info_int(p, "stats", "sync_full") - full_before;
    printf("stalled replica: dropped after %d writes of 1 KiB, back with %lld full resync\n", i,
           full);
    CHECK(full == 1);
    EXPECT_OK(harness_cmd(p, "CONFIG SET client-output-buffer-limit %s", "replica 256mb 64mb 60"));
}

/* What redis-cli --rdb does: REPLCONF rdb-only, SYNC, the RDB, then the
 * primary closes: EOF-marked with capa eof, else "$<length>" first (staged
 * in a file). Both pass redis-check-rdb. */
static void test_rdb_only(int capa_eof)
{
    int fd = harness_raw_connect(&primary);
    /* One at a time: SYNC with replies still pending is refused. */
    if (capa_eof) {
        harness_raw_send(fd, "REPLCONF capa eof\r\n", 19);
        RAW_EXPECT(fd, "+OK\r\n");
    }
    harness_raw_send(fd, "REPLCONF rdb-only 1\r\n", 21);
    RAW_EXPECT(fd, "+OK\r\n");
    harness_raw_send(fd, "SYNC\r\n", 6);
    size_t cap = 64u << 20;
    char *buf = malloc(cap);
    CHECK(buf != NULL);
    /* The primary closes the connection after the RDB: read to the end. */
    size_t len = harness_raw_read_until(fd, buf, cap, "\x01never", WAIT_MS);
    close(fd);
    CHECK(len > 100);
    size_t at = 0;
    while (at < len && buf[at] == '\n') at++; /* keep-alives */
    const char *rdb;
    size_t rdb_len;
    if (capa_eof) {
        CHECK(len - at > 47 && strncmp(buf + at, "$EOF:", 5) == 0);
        const char *mark = buf + at + 5;
        rdb = mark + 42;
        rdb_len = len - (size_t)(rdb - buf) - 40;
        CHECK(memcmp(buf + len - 40, mark, 40) == 0);
    } else {
        CHECK(buf[at] == '$');
        char *end;
        unsigned long long n = strtoull(buf + at + 1, &end, 10);
        CHECK(end[0] == '\r' && end[1] == '\n');
        rdb = end + 2;
        rdb_len = (size_t)n;
        CHECK((size_t)(rdb - buf) + rdb_len == len);
    }
    CHECK(strncmp(rdb, "REDIS0010", 9) == 0);
    char path[300];
    snprintf(path, sizeof(path), "%s/synced.rdb", primary.dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL && fwrite(rdb, 1, rdb_len, f) == rdb_len);
    fclose(f);
    if (access("/usr/bin/redis-check-rdb", X_OK) == 0) {
        const char *check[] = {"/usr/bin/redis-check-rdb", path, NULL};
        size_t outsize = 1u << 20; /* a line per SELECTDB */
        char *out = malloc(outsize);
        CHECK(out != NULL);
        int rc = harness_run(check, out, outsize, 60000);
        if (rc != 0 || strstr(out, "RDB looks OK") == NULL)
            harness_fail(__FILE__, __LINE__, "redis-check-rdb: %s", out);
        free(out);
    }
    printf("SYNC with rdb-only, %s: %zu bytes of RDB, redis-check-rdb agrees\n",
           capa_eof ? "EOF-marked" : "length first", rdb_len);
    free(buf);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    primary_is_tandem = harness_is_tandem(binary);
    replica_binary = argc > 2 ? argv[2] : harness_redis_server_path();
    printf("primary %s, replicas %s\n", binary, replica_binary);
    static const char *const args[] = {"--enable-debug-command",     "yes", "--save", "",
                                       "--repl-diskless-sync-delay", "0",   NULL};
    if (harness_start(&primary, binary, args) != 0) return 1;
    redisContext *p = harness_connect(&primary);
    struct server r1;
    redisContext *c1 = NULL;
    test_full_sync_under_writes(p, &r1, &c1);
    test_info_and_role(p, &r1);
    test_wait(p);
    test_min_replicas(p);
    test_link_cuts(p, c1);
    test_second_replica(p, c1);
    test_stalled_replica(p, &r1, &c1);
    test_rdb_only(1);
    test_rdb_only(0);
    redisFree(c1);
    harness_stop(&r1);
    redisFree(p);
    harness_stop(&primary);
    printf("test_replication: all passed\n");
    return 0;
}
