/*
 * test_digest: DEBUG DIGEST and DEBUG DIGEST-VALUE give redis-server 7.0's
 * exact values. The same dataset (strings in every encoding, keys with and
 * without TTLs, several databases, lists when the server has them) is
 * written to tandem-server and to redis-server, and the digests must be
 * equal; written to a second tandem-server in another order, the digest
 * must not change; empty, it is forty zeros. A value change, a TTL or a
 * key name changes it.
 *
 * Usage: test_digest <tandem-server>. Skips (passes with a note) when
 * redis-server is not installed.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZEROS "0000000000000000000000000000000000000000"
#define KEYS 400

static const char *const debug_args[] = {"--enable-debug-command", "yes", NULL};

static char *digest(redisContext *c)
{
    redisReply *r = harness_cmd(c, "DEBUG DIGEST");
    CHECK(r->type == REDIS_REPLY_STATUS && r->len == 40);
    char *s = strdup(r->str);
    freeReplyObject(r);
    return s;
}

/* Writes key number i of the dataset (in db i % 3) to c. */
static void write_key(redisContext *c, int i, int lists)
{
    char key[32], value[128];
    snprintf(key, sizeof(key), "key:%d", i);
    freeReplyObject(harness_cmd(c, "SELECT %d", i % 3));
    switch (i % 5) {
    case 0: /* an integer-encoded string */
        freeReplyObject(harness_cmd(c, "SET %s %d", key, i * 1000 - 7));
        break;
    case 1: /* embstr */
        snprintf(value, sizeof(value), "value-%d", i);
        freeReplyObject(harness_cmd(c, "SET %s %s", key, value));
        break;
    case 2: /* raw, with a TTL */
        memset(value, 'a' + i % 26, 100);
        value[100] = '\0';
        freeReplyObject(harness_cmd(c, "SET %s %s EX 10000", key, value));
        break;
    case 3: /* empty string */
        freeReplyObject(harness_cmd(c, "SET %s %b", key, "", (size_t)0));
        break;
    default:
        if (lists) {
            freeReplyObject(
                harness_cmd(c, "RPUSH %s a %d 12345678901234 %b", key, i, "", (size_t)0));
            freeReplyObject(harness_cmd(c, "LPUSH %s first", key));
        } else {
            freeReplyObject(harness_cmd(c, "SET %s %d.5", key, i));
        }
    }
    freeReplyObject(harness_cmd(c, "SELECT 0"));
}

static int has_lists(redisContext *c)
{
    redisReply *r = harness_cmd(c, "RPUSH probe:list x");
    int yes = r->type == REDIS_REPLY_INTEGER;
    freeReplyObject(r);
    freeReplyObject(harness_cmd(c, "DEL probe:list"));
    return yes;
}

int main(int argc, char **argv)
{
    const char *tandem = harness_binary_from_args(argc, argv);
    const char *redis = harness_redis_server_path();
    if (!redis || !harness_is_tandem(tandem)) {
        printf("test_digest: needs tandem-server and redis-server; skipped\n");
        return 0;
    }
    struct server t1, t2, r;
    if (harness_start(&t1, tandem, debug_args) != 0 ||
        harness_start(&t2, tandem, debug_args) != 0 || harness_start(&r, redis, debug_args) != 0)
        return 1;
    redisContext *a = harness_connect(&t1), *b = harness_connect(&t2), *c = harness_connect(&r);

    char *d = digest(a);
    CHECK(strcmp(d, ZEROS) == 0);
    free(d);
    int lists = has_lists(a);
    if (!lists) printf("note: tandem has no lists yet: list values left out\n");

    for (int i = 0; i < KEYS; i++) write_key(a, i, lists);
    for (int i = KEYS; i-- > 0;) write_key(b, i, lists); /* the other order */
    for (int i = 0; i < KEYS; i++) write_key(c, i, lists);
    char *da = digest(a), *db = digest(b), *dc = digest(c);
    printf("digest: tandem %s, tandem (reverse order) %s, redis %s\n", da, db, dc);
    CHECK(strcmp(da, ZEROS) != 0);
    CHECK(strcmp(da, dc) == 0);
    CHECK(strcmp(da, db) == 0);

    /* DIGEST-VALUE, key by key, in db 1. */
    freeReplyObject(harness_cmd(a, "SELECT 1"));
    freeReplyObject(harness_cmd(c, "SELECT 1"));
    for (int i = 1; i < 40; i += 3) {
        redisReply *x = harness_cmd(a, "DEBUG DIGEST-VALUE key:%d nokey", i);
        redisReply *y = harness_cmd(c, "DEBUG DIGEST-VALUE key:%d nokey", i);
        CHECK(x->type == REDIS_REPLY_ARRAY && x->elements == 2);
        CHECK(y->type == REDIS_REPLY_ARRAY && y->elements == 2);
        CHECK(strcmp(x->element[0]->str, y->element[0]->str) == 0);
        CHECK(strcmp(x->element[1]->str, ZEROS) == 0);
        freeReplyObject(x);
        freeReplyObject(y);
    }
    freeReplyObject(harness_cmd(a, "SELECT 0"));

    /* Each kind of change moves the digest; undoing it restores it. */
    EXPECT_INT(harness_cmd(a, "PERSIST key:2"), 0); /* db 2: key:2 lives there */
    freeReplyObject(harness_cmd(a, "SELECT 2"));
    EXPECT_INT(harness_cmd(a, "PERSIST key:2"), 1);
    char *changed = digest(a);
    CHECK(strcmp(changed, da) != 0);
    free(changed);
    EXPECT_INT(harness_cmd(a, "EXPIRE key:2 10000"), 1);
    changed = digest(a);
    CHECK(strcmp(changed, da) == 0);
    free(changed);
    EXPECT_OK(harness_cmd(a, "RENAME key:2 key:2x"));
    changed = digest(a);
    CHECK(strcmp(changed, da) != 0);
    free(changed);
    EXPECT_OK(harness_cmd(a, "RENAME key:2x key:2"));
    changed = digest(a);
    CHECK(strcmp(changed, da) == 0);
    free(changed);
    EXPECT_INT(harness_cmd(a, "APPEND key:2 x"), 101);
    changed = digest(a);
    CHECK(strcmp(changed, da) != 0);
    free(changed);

    EXPECT_OK(harness_cmd(a, "FLUSHALL"));
    d = digest(a);
    CHECK(strcmp(d, ZEROS) == 0);
    free(d);
    free(da);
    free(db);
    free(dc);
    redisFree(a);
    redisFree(b);
    redisFree(c);
    harness_stop(&t1);
    harness_stop(&t2);
    harness_stop(&r);
    printf("test_digest: all passed\n");
    return 0;
}
