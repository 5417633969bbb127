/*
 * test_rdb: dump.rdb files exchanged with redis-server 7.0.
 *
 *   - redis-server writes a dataset holding every type in every encoding
 *     (small and big, integers, compressible strings, expiries, several
 *     databases), with rdbcompression on and off; the server under test
 *     starts on that file and must hold the same data: DEBUG DIGEST, and
 *     for every key TYPE, OBJECT ENCODING, DEBUG DIGEST-VALUE and its TTL.
 *   - the server under test writes the same dataset with SAVE:
 *     redis-check-rdb accepts the file and redis-server loads it with the
 *     same digest, also with rdbcompression no and rdbchecksum no. DEBUG
 *     RELOAD keeps the digest; SAVE moves LASTSAVE and resets
 *     rdb_changes_since_last_save.
 *   - a damaged file at start-up: a clear error, a non-zero exit, no
 *     crash (no signal), for flipped bytes and truncations.
 *
 * Usage: test_rdb [server-binary]; with no argument it runs against
 * redis-server itself, to check the expectations. Skips (passes with a
 * note) when redis-server is not installed.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NDB_USED 3
static const int used_dbs[NDB_USED] = {0, 5, 15};

static char *digest(redisContext *c)
{
    redisReply *r = harness_cmd(c, "DEBUG DIGEST");
    CHECK(r->type == REDIS_REPLY_STATUS && r->len == 40);
    char *s = strdup(r->str);
    freeReplyObject(r);
    return s;
}

static void ok(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    CHECK(r != NULL && r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
}

/* Sends n copies of a command built by fmt(i) in one pipeline. */
static void pipeline(redisContext *c, int n, const char *fmt, const char *key)
{
    for (int i = 0; i < n; i++) redisAppendCommand(c, fmt, key, i, i);
    for (int i = 0; i < n; i++) {
        redisReply *r;
        CHECK(redisGetReply(c, (void **)&r) == REDIS_OK && r->type != REDIS_REPLY_ERROR);
        freeReplyObject(r);
    }
}

/* Every type in every encoding Redis 7.0 writes. */
static void write_dataset(redisContext *c)
{
    char big[3000], rnd[200];
    for (size_t i = 0; i < sizeof(big) - 1; i++) big[i] = (char)('a' + i % 5);
    big[sizeof(big) - 1] = '\0';
    for (size_t i = 0; i < sizeof(rnd); i++) rnd[i] = (char)(rand() & 0xff);
    ok(c, "SELECT 0");
    ok(c, "SET s:int8 12");
    ok(c, "SET s:int32 -2000000000");
    ok(c, "SET s:int64 123456789012345");
    ok(c, "SET s:notint 007");
    ok(c, "SET s:emb hello");
    ok(c, "SET s:empty %b", "", (size_t)0);
    ok(c, "SET s:compressible %s", big);
    ok(c, "SET s:random %b", rnd, sizeof(rnd));
    ok(c, "SET 42 key-looks-like-int");
    ok(c, "RPUSH l:small a b c 1 2 -3 %b", "", (size_t)0);
    pipeline(c, 3000, "RPUSH %s element-%d-%d", "l:big");
    pipeline(c, 200, "RPUSH %s %d%d", "l:ints");
    ok(c, "RPUSH l:long %s x", big);
    ok(c, "HSET h:lp f1 v1 f2 2 f3 -3");
    pipeline(c, 700, "HSET %s field%d value%d", "h:ht");
    ok(c, "HSET h:longvalue f %s", big);
    ok(c, "SADD st:intset 1 2 3 -100 70000 5000000000");
    pipeline(c, 600, "SADD %s %d%d", "st:bigints");
    ok(c, "SADD st:strings a b c d");
    ok(c, "ZADD z:lp 1 a 2.5 b -3 c 1e300 d");
    pipeline(c, 300, "ZADD %s %d m%d", "z:sl");
    ok(c, "ZADD z:inf -inf lo +inf hi 0 zero");
    ok(c, "ZADD z:longmember 1 %s", big);
    ok(c, "SET e:string v PX 100000000");
    ok(c, "RPUSH e:list a b");
    ok(c, "PEXPIREAT e:list 4102444800123");
    ok(c, "SELECT 5");
    ok(c, "SET db5 five");
    ok(c, "HSET h:db5 a 1");
    ok(c, "SELECT 15");
    ok(c, "SADD st:db15 x y");
    ok(c, "SELECT 0");
}

/* The same keys with the same values, types, encodings and TTLs. */
static void compare_keys(redisContext *want, redisContext *got)
{
    char *a = digest(want), *b = digest(got);
    if (strcmp(a, b) != 0) harness_fail(__FILE__, __LINE__, "digest %s != %s", a, b);
    free(a);
    free(b);
    for (int d = 0; d < NDB_USED; d++) {
        ok(want, "SELECT %d", used_dbs[d]);
        ok(got, "SELECT %d", used_dbs[d]);
        CHECK(harness_cmd_int(want, "DBSIZE") == harness_cmd_int(got, "DBSIZE"));
        redisReply *keys = harness_cmd(want, "KEYS *");
        CHECK(keys->type == REDIS_REPLY_ARRAY);
        for (size_t i = 0; i < keys->elements; i++) {
            const char *k = keys->element[i]->str;
            size_t klen = keys->element[i]->len;
            const char *fmts[] = {"TYPE %b", "OBJECT ENCODING %b", "DEBUG DIGEST-VALUE %b"};
            for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
                redisReply *x = harness_cmd(want, fmts[f], k, klen);
                redisReply *y = harness_cmd(got, fmts[f], k, klen);
                const redisReply *xs = x->type == REDIS_REPLY_ARRAY ? x->element[0] : x;
                const redisReply *ys = y->type == REDIS_REPLY_ARRAY ? y->element[0] : y;
                if (xs->len != ys->len || memcmp(xs->str, ys->str, xs->len) != 0)
                    harness_fail(__FILE__, __LINE__, "%s on '%s': %s != %s", fmts[f], k, xs->str,
                                 ys->str);
                freeReplyObject(x);
                freeReplyObject(y);
            }
            long long tx = harness_cmd_int(want, "PTTL %b", k, klen);
            long long ty = harness_cmd_int(got, "PTTL %b", k, klen);
            CHECK((tx < 0) == (ty < 0));
            CHECK(tx < 0 || llabs(tx - ty) < 60000);
        }
        freeReplyObject(keys);
    }
    ok(want, "SELECT 0");
    ok(got, "SELECT 0");
}

static const char *const debug_args[] = {"--enable-debug-command", "yes", NULL};

/* Starts binary on the dump.rdb in dir (its own --dir comes first, this
 * one wins). */
static void start_on(struct server *s, const char *binary, const char *dir)
{
    const char *args[] = {"--enable-debug-command", "yes", "--dir", dir, NULL};
    CHECK(harness_start(s, binary, args) == 0);
}

/* redis-server's file, loaded by the server under test. */
static void check_loads_redis_file(const char *binary, const char *redis, int compression)
{
    struct server maker, loader;
    const char *args[] = {"--enable-debug-command", "yes", "--rdbcompression",
                          compression ? "yes" : "no", NULL};
    CHECK(harness_start(&maker, redis, args) == 0);
    redisContext *m = harness_connect(&maker);
    write_dataset(m);
    ok(m, "SAVE");
    start_on(&loader, binary, maker.dir);
    redisContext *l = harness_connect(&loader);
    compare_keys(m, l);
    redisFree(l);
    harness_stop(&loader);
    redisFree(m);
    harness_stop(&maker);
}

static void run_check_rdb(const char *redis, const char *path)
{
    char tool[1024];
    snprintf(tool, sizeof(tool), "%s", redis);
    char *slash = strrchr(tool, '/');
    snprintf(slash ? slash + 1 : tool, sizeof(tool) - (size_t)(slash ? slash + 1 - tool : 0),
             "redis-check-rdb");
    if (access(tool, X_OK) != 0) {
        printf("note: %s not found; redis-check-rdb check skipped\n", tool);
        return;
    }
    char out[8192];
    const char *argv[] = {tool, path, NULL};
    int status = harness_run(argv, out, sizeof(out), 60000);
    if (status != 0 || !strstr(out, "RDB looks OK!"))
        harness_fail(__FILE__, __LINE__, "redis-check-rdb %s: status %d\n%s", path, status, out);
}

/* dir/dump.rdb, written by the server behind c: redis-check-rdb accepts it
 * and redis-server loads it with the same keys as c has. */
static void check_file_with_redis(redisContext *c, const char *redis, const char *dir)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    run_check_rdb(redis, path);
    struct server reader;
    start_on(&reader, redis, dir);
    redisContext *r = harness_connect(&reader);
    compare_keys(c, r);
    redisFree(r);
    harness_stop(&reader);
}

/* The server under test writes the file: redis-check-rdb and redis-server
 * accept it. DEBUG RELOAD, LASTSAVE and INFO persistence on the way. */
static void check_redis_loads_our_file(const char *binary, const char *redis)
{
    struct server ours;
    CHECK(harness_start(&ours, binary, debug_args) == 0);
    redisContext *c = harness_connect(&ours);
    write_dataset(c);
    CHECK(harness_info_int(c, "persistence", "rdb_changes_since_last_save") > 0);
    long long before = harness_cmd_int(c, "LASTSAVE");
    harness_sleep_ms(1100);
    harness_expect_status(harness_cmd(c, "SAVE"), "OK", __FILE__, __LINE__);
    CHECK(harness_cmd_int(c, "LASTSAVE") > before);
    CHECK(harness_info_int(c, "persistence", "rdb_changes_since_last_save") == 0);
    char *d1 = digest(c);
    harness_expect_status(harness_cmd(c, "DEBUG RELOAD"), "OK", __FILE__, __LINE__);
    char *d2 = digest(c);
    CHECK(strcmp(d1, d2) == 0);
    harness_expect_error(harness_cmd(c, "DEBUG RELOAD BOGUS"), "ERR DEBUG RELOAD only supports",
                         __FILE__, __LINE__);
    harness_expect_error(harness_cmd(c, "SAVE extra"), "ERR wrong number of arguments", __FILE__,
                         __LINE__);

    check_file_with_redis(c, redis, ours.dir);

    /* rdbcompression no and a key set after the save: SAVE again, load. */
    ok(c, "CONFIG SET rdbcompression no");
    ok(c, "SET after:save 1");
    harness_expect_status(harness_cmd(c, "SAVE"), "OK", __FILE__, __LINE__);
    check_file_with_redis(c, redis, ours.dir);
    free(d1);
    free(d2);
    redisFree(c);
    harness_stop(&ours);
}

/* rdbchecksum no: the footer's checksum is 0, which every loader accepts
 * unchecked. */
static void check_without_checksum(const char *binary, const char *redis)
{
    struct server ours;
    const char *args[] = {"--enable-debug-command", "yes", "--rdbchecksum", "no", NULL};
    CHECK(harness_start(&ours, binary, args) == 0);
    redisContext *c = harness_connect(&ours);
    write_dataset(c);
    harness_expect_status(harness_cmd(c, "SAVE"), "OK", __FILE__, __LINE__);
    char path[600];
    snprintf(path, sizeof(path), "%s/dump.rdb", ours.dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL && fseek(f, -8, SEEK_END) == 0);
    unsigned char crc[8];
    CHECK(fread(crc, 1, 8, f) == 8);
    fclose(f);
    for (int i = 0; i < 8; i++) CHECK(crc[i] == 0);
    check_file_with_redis(c, redis, ours.dir);
    if (harness_is_tandem(binary))
        harness_expect_error(harness_cmd(c, "BGSAVE"), "ERR BGSAVE is not supported yet", __FILE__,
                             __LINE__);
    redisFree(c);
    harness_stop(&ours);
}

static void copy_file(const char *from, const char *to, size_t truncate_to, int flips)
{
    FILE *in = fopen(from, "rb");
    CHECK(in != NULL);
    static unsigned char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf), in);
    fclose(in);
    CHECK(n > 100 && n < sizeof(buf));
    if (truncate_to && truncate_to < n) n = truncate_to;
    for (int i = 0; i < flips; i++) buf[100 + (size_t)rand() % (n - 100)] ^= 0x5a;
    FILE *out = fopen(to, "wb");
    CHECK(out != NULL && fwrite(buf, 1, n, out) == n);
    fclose(out);
}

/* A damaged dump.rdb at start-up: exit status 1 and a message, no
 * signal. */
static void check_damaged_file_at_start(const char *binary, const char *redis)
{
    struct server maker;
    CHECK(harness_start(&maker, redis, debug_args) == 0);
    redisContext *m = harness_connect(&maker);
    write_dataset(m);
    ok(m, "SAVE");
    char good[600], dir[] = "/tmp/tandem-rdb-XXXXXX", bad[600];
    snprintf(good, sizeof(good), "%s/dump.rdb", maker.dir);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(bad, sizeof(bad), "%s/dump.rdb", dir);
    struct {
        size_t truncate_to;
        int flips;
    } cases[] = {{0, 1}, {0, 3}, {0, 20}, {50, 0}, {4000, 0}, {9, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        copy_file(good, bad, cases[i].truncate_to, cases[i].flips);
        char port[16], out[16384];
        snprintf(port, sizeof(port), "%d", port_free_loopback());
        const char *argv[] = {binary, "--port", port, "--bind",    "127.0.0.1", "--dir",
                              dir,    "--save", "",   "--threads", "1",         NULL};
        if (!harness_is_tandem(binary)) argv[9] = NULL;
        int status = harness_run(argv, out, sizeof(out), 30000);
        if (status < 1 || status >= 128)
            harness_fail(__FILE__, __LINE__, "case %zu: exit status %d\n%s", i, status, out);
        if (harness_is_tandem(binary) && !strstr(out, "Fatal error loading the DB"))
            harness_fail(__FILE__, __LINE__, "case %zu: no clear error\n%s", i, out);
    }
    unlink(bad);
    rmdir(dir);
    redisFree(m);
    harness_stop(&maker);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    const char *redis = harness_redis_server_path();
    if (!redis) {
        printf("note: redis-server not installed; test_rdb skipped\n");
        return 0;
    }
    srand(20240607);
    check_loads_redis_file(binary, redis, 1);
    check_loads_redis_file(binary, redis, 0);
    check_redis_loads_our_file(binary, redis);
    check_without_checksum(binary, redis);
    check_damaged_file_at_start(binary, redis);
    printf("test_rdb: ok\n");
    return 0;
}
