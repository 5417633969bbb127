/*
 * test_expire: unit tests of key expiry in engine/keyspace: the per-shard
 * volatile arrays (ks_set_expire / ks_get_expire / ks_persist and the
 * counts ks_db_expires publishes), lazy expiry in ks_find, the active
 * expiry cycle (ks_active_expire) and its split of the shards between
 * workers, and the operations that move entries or whole shards around
 * (ks_unlink / ks_relink for RENAME and MOVE, ks_flush_shard, ks_swap_shards
 * for SWAPDB) without leaving a stale volatile entry behind.
 *
 * Times are synthetic: every function under test takes the command's clock
 * as now_ms, so the tests use a fixed NOW and expire times around it. Only
 * the active cycle's time budget reads the real (monotonic) clock.
 *
 * check_volatile() is the oracle for the volatile arrays: in every shard,
 * vkeys[0..nvkeys) and the entries carrying a vslot must be in one-to-one
 * correspondence, each entry in the table of the shard it hashes to, and the
 * published counts equal to the real ones.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/sstr.h"
#include "engine/table.h"

/* ck_assert records a checkpoint on every passing call; in loops over
 * thousands of keys only the failure path may reach Check. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

#define NOW 1700000000000LL
#define HOUR_MS 3600000LL
/* A budget no pass of these tests exhausts (the cron's is 25 ms at hz 10). */
#define BIG_BUDGET_US 1000000
#define NDBS 2

/* The keyspace is process-global and Check forks every test: each test's
 * child initializes its own. */
static void setup(void)
{
    ks_init(NDBS);
    ks_active_expire_enabled = 1;
}

static void teardown(void)
{
    ks_active_expire_enabled = 1;
    ks_destroy();
}

static unsigned long long expired_keys(void)
{
    return atomic_load(&keyspace.expired_keys);
}

/* ---- helpers: every keyspace call under the key's shard lock ----------- */

/* Adds key with an integer value; expire_ms < 0 means no expire. */
static struct entry *add_key(struct db *db, const char *key, int64_t value, int64_t expire_ms)
{
    size_t len = strlen(key);
    unsigned s = ks_shard_of(key, len);
    ks_lock(db, s);
    EXPECT(ks_peek(db, key, len) == NULL, "test bug: %s added twice", key);
    struct entry *e = ks_add(db, key, len, TYPE_STRING);
    string_set_int(e, value);
    if (expire_ms >= 0) ks_set_expire(db, e, expire_ms);
    ks_unlock(db, s);
    return e;
}

static struct entry *find_key(struct db *db, const char *key, int64_t now_ms)
{
    size_t len = strlen(key);
    unsigned s = ks_shard_of(key, len);
    ks_lock(db, s);
    struct entry *e = ks_find(db, key, len, now_ms);
    ks_unlock(db, s);
    return e;
}

static struct entry *peek_key(struct db *db, const char *key)
{
    size_t len = strlen(key);
    unsigned s = ks_shard_of(key, len);
    ks_lock(db, s);
    struct entry *e = ks_peek(db, key, len);
    ks_unlock(db, s);
    return e;
}

/* The key's expire time, -1 without one, -2 when the key is absent (as
 * PTTL's conventions), read without expiring anything. */
static int64_t expire_of(struct db *db, const char *key)
{
    size_t len = strlen(key);
    unsigned s = ks_shard_of(key, len);
    ks_lock(db, s);
    struct entry *e = ks_peek(db, key, len);
    int64_t when = e ? ks_get_expire(db, e) : -2;
    ks_unlock(db, s);
    return when;
}

static int delete_key(struct db *db, const char *key)
{
    size_t len = strlen(key);
    unsigned s = ks_shard_of(key, len);
    ks_lock(db, s);
    int deleted = ks_delete(db, key, len);
    ks_unlock(db, s);
    return deleted;
}

/* Writes into name the n-th key (n counted from 0) with the given prefix
 * that hashes to shard s. Bounded: about one candidate in KS_SHARDS fits. */
static void key_in_shard(char *name, size_t cap, const char *prefix, unsigned s, unsigned n)
{
    unsigned found = 0;
    for (unsigned c = 0; c < 100000000; c++) {
        int len = snprintf(name, cap, "%s%u", prefix, c);
        if (ks_shard_of(name, (size_t)len) == s && found++ == n) return;
    }
    ck_abort_msg("no key for shard %u", s);
}

struct volatile_count {
    const struct shard *shard;
    uint64_t with_slot, entries;
    unsigned bad;
};

static void count_volatile_cb(void *arg, struct entry *e)
{
    struct volatile_count *c = arg;
    c->entries++;
    if (e->vslot == KS_NO_EXPIRE) return;
    c->with_slot++;
    if (e->vslot >= c->shard->nvkeys || c->shard->vkeys[e->vslot].entry != e) c->bad++;
}

/* The oracle for one db's volatile arrays (see the file comment). Returns
 * the db's number of volatile keys. */
static uint64_t check_volatile(struct db *db)
{
    uint64_t total = 0;
    for (unsigned s = 0; s < KS_SHARDS; s++) {
        ks_lock(db, s);
        const struct shard *sh = &db->shards[s];
        EXPECT(sh->nvkeys <= sh->vkeys_cap, "db %d shard %u: nvkeys past capacity", db->id, s);
        for (uint32_t i = 0; i < sh->nvkeys; i++) {
            const struct entry *e = sh->vkeys[i].entry;
            EXPECT(e != NULL && e->vslot == i, "db %d shard %u: vkeys[%u] points back wrong",
                   db->id, s, i);
            EXPECT(ks_shard_of(e->key, e->keylen) == s, "db %d shard %u: %.*s in a foreign shard",
                   db->id, s, (int)e->keylen, e->key);
            EXPECT(ks_peek(db, e->key, e->keylen) == e,
                   "db %d shard %u: volatile %.*s is not the table's entry", db->id, s,
                   (int)e->keylen, e->key);
        }
        struct volatile_count c = {.shard = sh};
        ks_foreach_shard(db, s, count_volatile_cb, &c);
        EXPECT(c.bad == 0 && c.with_slot == sh->nvkeys,
               "db %d shard %u: %llu entries carry a slot, nvkeys %u, %u mismatched", db->id, s,
               (unsigned long long)c.with_slot, sh->nvkeys, c.bad);
        EXPECT(atomic_load(&sh->nexpires_pub) == sh->nvkeys, "db %d shard %u: stale expires count",
               db->id, s);
        EXPECT(atomic_load(&sh->nkeys_pub) == c.entries, "db %d shard %u: stale key count", db->id,
               s);
        total += sh->nvkeys;
        ks_unlock(db, s);
    }
    ck_assert_uint_eq(ks_db_expires(db), total);
    return total;
}

/* ---- bookkeeping -------------------------------------------------------- */

START_TEST(test_set_get_persist_bookkeeping)
{
    struct db *db0 = ks_db(0), *db1 = ks_db(1);

    add_key(db0, "plain", 1, -1);
    ck_assert_int_eq(expire_of(db0, "plain"), -1);
    ck_assert_uint_eq(ks_db_expires(db0), 0);
    ck_assert_int_eq(expire_of(db0, "missing"), -2);

    struct entry *e = add_key(db0, "vol", 2, NOW + 1000);
    ck_assert_int_eq(expire_of(db0, "vol"), NOW + 1000);
    ck_assert_uint_eq(ks_db_expires(db0), 1);
    ck_assert_uint_eq(ks_db_size(db0), 2);

    unsigned s = ks_shard_of("vol", 3);
    ks_lock(db0, s);
    ks_set_expire(db0, e, NOW + 2000); /* update, not a second slot */
    ck_assert_uint_eq(db0->shards[s].nvkeys, 1);
    ck_assert_int_eq(ks_get_expire(db0, e), NOW + 2000);
    ck_assert_int_eq(ks_persist(db0, e), 1);
    ck_assert_int_eq(ks_get_expire(db0, e), -1);
    ck_assert_uint_eq(e->vslot, KS_NO_EXPIRE);
    ck_assert_int_eq(ks_persist(db0, e), 0);
    ks_unlock(db0, s);
    ck_assert_uint_eq(ks_db_expires(db0), 0);
    ck_assert_uint_eq(ks_db_size(db0), 2);

    /* Expires are counted per db. */
    add_key(db1, "vol", 3, NOW + 5);
    ck_assert_uint_eq(ks_db_expires(db1), 1);
    ck_assert_uint_eq(ks_db_expires(db0), 0);
    ck_assert_int_eq(expire_of(db0, "vol"), -1);
    ck_assert_int_eq(expire_of(db1, "vol"), NOW + 5);

    /* Deleting a volatile key drops its slot. */
    ck_assert_int_eq(delete_key(db1, "vol"), 1);
    ck_assert_uint_eq(ks_db_expires(db1), 0);
    check_volatile(db0);
    check_volatile(db1);
}
END_TEST

/* Many volatile keys in one shard, then persists and deletes in the middle
 * of its array: each removal moves the last slot into the hole, and every
 * remaining key must keep its own expire time. */
START_TEST(test_volatile_slots_survive_removals_in_the_middle)
{
    struct db *db = ks_db(0);
    enum { N = 64 };
    char names[N][32];
    const unsigned shard = 37;

    for (unsigned i = 0; i < N; i++) {
        key_in_shard(names[i], sizeof(names[i]), "v", shard, i);
        add_key(db, names[i], i, NOW + 1000 + i);
    }
    ck_assert_uint_eq(db->shards[shard].nvkeys, N);
    ck_assert_uint_eq(check_volatile(db), N);

    uint64_t expected = N;
    for (unsigned i = 0; i < N; i += 3) {
        struct entry *e = peek_key(db, names[i]);
        ks_lock(db, shard);
        ck_assert_int_eq(ks_persist(db, e), 1);
        ks_unlock(db, shard);
        expected--;
    }
    for (unsigned i = 1; i < N; i += 5) {
        ck_assert_int_eq(delete_key(db, names[i]), 1);
        if (i % 3 != 0) expected--;
    }
    ck_assert_uint_eq(check_volatile(db), expected);
    for (unsigned i = 0; i < N; i++) {
        int64_t want = i % 5 == 1 ? -2 : i % 3 == 0 ? -1 : NOW + 1000 + i;
        EXPECT(expire_of(db, names[i]) == want, "%s: expire %lld, expected %lld", names[i],
               (long long)expire_of(db, names[i]), (long long)want);
    }

    /* Volatile again after a persist: a fresh slot, the right time. */
    struct entry *e = peek_key(db, names[0]);
    ks_lock(db, shard);
    ks_set_expire(db, e, NOW + 7);
    ks_unlock(db, shard);
    ck_assert_int_eq(expire_of(db, names[0]), NOW + 7);
    ck_assert_uint_eq(check_volatile(db), expected + 1);
}
END_TEST

/* ---- lazy expiry -------------------------------------------------------- */

START_TEST(test_lazy_expiry_in_find)
{
    struct db *db = ks_db(0);
    unsigned long long expired_before = expired_keys();

    add_key(db, "soon", 1, NOW + 100);
    add_key(db, "forever", 2, -1);
    ck_assert_ptr_nonnull(find_key(db, "soon", NOW));
    ck_assert_ptr_nonnull(find_key(db, "soon", NOW + 99));
    ck_assert_uint_eq(expired_keys(), expired_before);

    /* The boundary, as Redis 7.0's keyIsExpired: a key lives through its
     * expire millisecond and is gone once now > its expire time. */
    ck_assert_ptr_nonnull(find_key(db, "soon", NOW + 100));
    ck_assert_uint_eq(expired_keys(), expired_before);
    ck_assert_ptr_null(find_key(db, "soon", NOW + 101));
    ck_assert_uint_eq(expired_keys(), expired_before + 1);
    ck_assert_uint_eq(ks_db_size(db), 1);
    ck_assert_uint_eq(ks_db_expires(db), 0);
    ck_assert_ptr_null(peek_key(db, "soon"));
    ck_assert_int_eq(delete_key(db, "soon"), 0);

    /* A key without an expire never expires, whatever the clock says. */
    ck_assert_ptr_nonnull(find_key(db, "forever", INT64_MAX));
    ck_assert_uint_eq(expired_keys(), expired_before + 1);

    /* A second lookup of a lazily removed key counts nothing more. */
    ck_assert_ptr_null(find_key(db, "soon", NOW + 100));
    ck_assert_uint_eq(expired_keys(), expired_before + 1);
    check_volatile(db);
}
END_TEST

START_TEST(test_peek_does_not_expire)
{
    struct db *db = ks_db(0);
    unsigned long long expired_before = expired_keys();

    struct entry *e = add_key(db, "old", 42, NOW - 1000);
    ck_assert_ptr_eq(peek_key(db, "old"), e);
    ck_assert_ptr_eq(peek_key(db, "old"), e);
    ck_assert_uint_eq(expired_keys(), expired_before);
    ck_assert_uint_eq(ks_db_size(db), 1);
    ck_assert_uint_eq(ks_db_expires(db), 1);
    ck_assert_int_eq(expire_of(db, "old"), NOW - 1000);

    ck_assert_ptr_null(find_key(db, "old", NOW));
    ck_assert_uint_eq(expired_keys(), expired_before + 1);
    ck_assert_uint_eq(ks_db_size(db), 0);
    ck_assert_uint_eq(ks_db_expires(db), 0);
}
END_TEST

/* ---- active expiry ------------------------------------------------------ */

#define DEAD_KEYS 10000
#define LIVE_KEYS 10000
#define PLAIN_KEYS 1000

static void dead_name(char *buf, size_t cap, unsigned i)
{
    snprintf(buf, cap, "dead:%u", i);
}

static void live_name(char *buf, size_t cap, unsigned i)
{
    snprintf(buf, cap, "live:%u", i);
}

static int64_t dead_expire(unsigned i)
{
    return NOW - 1 - (int64_t)(i % 5000); /* all in the past, some long ago */
}

static int64_t live_expire(unsigned i)
{
    return NOW + 1 + (int64_t)(i % 7) * HOUR_MS; /* all in the future, some by 1 ms */
}

static void fill_dead_and_live(struct db *db)
{
    char name[32];
    for (unsigned i = 0; i < DEAD_KEYS; i++) {
        dead_name(name, sizeof(name), i);
        add_key(db, name, i, dead_expire(i));
    }
    for (unsigned i = 0; i < LIVE_KEYS; i++) {
        live_name(name, sizeof(name), i);
        add_key(db, name, i, live_expire(i));
    }
    for (unsigned i = 0; i < PLAIN_KEYS; i++) {
        snprintf(name, sizeof(name), "plain:%u", i);
        add_key(db, name, i, -1);
    }
}

/* Dead keys of db still present: all of them, or only those in the shards
 * of the given parity (-1: any shard). */
static unsigned dead_present(struct db *db, int parity)
{
    char name[32];
    unsigned n = 0;
    for (unsigned i = 0; i < DEAD_KEYS; i++) {
        dead_name(name, sizeof(name), i);
        if (parity >= 0 && ks_shard_of(name, strlen(name)) % 2 != (unsigned)parity) continue;
        n += peek_key(db, name) != NULL;
    }
    return n;
}

/* Every live and plain key is still there with its value and expire. */
static void check_live_untouched(struct db *db)
{
    char name[32];
    for (unsigned i = 0; i < LIVE_KEYS; i++) {
        live_name(name, sizeof(name), i);
        struct entry *e = peek_key(db, name);
        EXPECT(e && e->v.i == (int64_t)i, "live key %s was removed", name);
        EXPECT(expire_of(db, name) == live_expire(i), "live key %s lost its expire", name);
    }
    for (unsigned i = 0; i < PLAIN_KEYS; i++) {
        snprintf(name, sizeof(name), "plain:%u", i);
        EXPECT(peek_key(db, name) != NULL, "plain key %s was removed", name);
    }
}

/* Runs worker `worker` of `nworkers` until the db's volatile keys are down
 * to `target` (or the bound is hit); returns the number of calls. */
static unsigned expire_until(struct db *db, uint64_t target, int worker, int nworkers,
                             int64_t budget_us, unsigned max_calls)
{
    unsigned calls = 0;
    while (calls < max_calls && ks_db_expires(db) > target) {
        ks_active_expire(worker, nworkers, budget_us, NOW);
        calls++;
    }
    return calls;
}

START_TEST(test_active_expire_removes_exactly_the_expired_keys)
{
    struct db *db = ks_db(0);
    unsigned long long expired_before = expired_keys();

    fill_dead_and_live(db);
    unsigned dead_even = dead_present(db, 0), dead_odd = dead_present(db, 1);
    ck_assert_uint_eq(dead_even + dead_odd, DEAD_KEYS);
    ck_assert_uint_gt(dead_even, 0);
    ck_assert_uint_gt(dead_odd, 0);
    ck_assert_uint_eq(ks_db_expires(db), DEAD_KEYS + LIVE_KEYS);

    /* Worker 0 of 2 owns the even shards: it clears their dead keys and
     * cannot touch the odd shards' ones. */
    expire_until(db, LIVE_KEYS + dead_odd, 0, 2, BIG_BUDGET_US, 1000);
    ck_assert_uint_eq(dead_present(db, 0), 0);
    ck_assert_uint_eq(dead_present(db, 1), dead_odd);
    for (int k = 0; k < 20; k++) ks_active_expire(0, 2, BIG_BUDGET_US, NOW);
    ck_assert_uint_eq(dead_present(db, 1), dead_odd);
    ck_assert_uint_eq(expired_keys() - expired_before, dead_even);
    ck_assert_uint_eq(ks_db_expires(db), LIVE_KEYS + dead_odd);
    check_live_untouched(db);
    check_volatile(db);

    /* Worker 1 is needed for the rest. */
    expire_until(db, LIVE_KEYS, 1, 2, BIG_BUDGET_US, 1000);
    ck_assert_uint_eq(dead_present(db, -1), 0);
    ck_assert_uint_eq(expired_keys() - expired_before, DEAD_KEYS);
    ck_assert_uint_eq(ks_db_expires(db), LIVE_KEYS);
    ck_assert_uint_eq(ks_db_size(db), LIVE_KEYS + PLAIN_KEYS);
    check_live_untouched(db);
    check_volatile(db);

    /* Nothing more to do: further passes of both workers change nothing. */
    for (int k = 0; k < 20; k++) {
        ks_active_expire(0, 2, BIG_BUDGET_US, NOW);
        ks_active_expire(1, 2, BIG_BUDGET_US, NOW);
    }
    ck_assert_uint_eq(expired_keys() - expired_before, DEAD_KEYS);
    ck_assert_uint_eq(ks_db_size(db), LIVE_KEYS + PLAIN_KEYS);

    /* Two milliseconds later the keys that had 1 ms left are due too (a key
     * lives through its expire millisecond, as in Redis). */
    unsigned due = 0;
    for (unsigned i = 0; i < LIVE_KEYS; i++) due += live_expire(i) <= NOW + 1;
    for (int k = 0; k < 100 && ks_db_expires(db) > LIVE_KEYS - due; k++) {
        ks_active_expire(0, 2, BIG_BUDGET_US, NOW + 2);
        ks_active_expire(1, 2, BIG_BUDGET_US, NOW + 2);
    }
    ck_assert_uint_eq(ks_db_expires(db), LIVE_KEYS - due);
    ck_assert_uint_eq(expired_keys() - expired_before, DEAD_KEYS + due);
    check_volatile(db);
}
END_TEST

START_TEST(test_active_expire_single_worker_and_every_db)
{
    struct db *db0 = ks_db(0), *db1 = ks_db(1);
    char name[32];

    /* db 0 has only live volatile keys, db 1 only dead ones: the pass must
     * not stop at db 0. */
    for (unsigned i = 0; i < 2000; i++) {
        snprintf(name, sizeof(name), "k%u", i);
        add_key(db0, name, i, NOW + HOUR_MS);
        add_key(db1, name, i, NOW - 5);
    }
    for (int k = 0; k < 1000 && ks_db_expires(db1) > 0; k++)
        ks_active_expire(0, 1, BIG_BUDGET_US, NOW);
    ck_assert_uint_eq(ks_db_expires(db1), 0);
    ck_assert_uint_eq(ks_db_size(db1), 0);
    ck_assert_uint_eq(ks_db_expires(db0), 2000);
    ck_assert_uint_eq(ks_db_size(db0), 2000);
    check_volatile(db0);
    check_volatile(db1);
}
END_TEST

START_TEST(test_active_expire_can_be_disabled)
{
    struct db *db = ks_db(0);
    char name[32];
    unsigned long long expired_before = expired_keys();

    for (unsigned i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "gone:%u", i);
        add_key(db, name, i, NOW - 1);
    }
    ks_active_expire_enabled = 0;
    for (int k = 0; k < 100; k++) {
        ks_active_expire(0, 2, BIG_BUDGET_US, NOW);
        ks_active_expire(1, 2, BIG_BUDGET_US, NOW);
    }
    ck_assert_uint_eq(ks_db_size(db), 1000);
    ck_assert_uint_eq(ks_db_expires(db), 1000);
    ck_assert_uint_eq(expired_keys(), expired_before);

    /* Lazy expiry still works while the cycle is off. */
    ck_assert_ptr_null(find_key(db, "gone:0", NOW));
    ck_assert_uint_eq(ks_db_size(db), 999);

    ks_active_expire_enabled = 1;
    for (int k = 0; k < 1000 && ks_db_expires(db) > 0; k++) {
        ks_active_expire(0, 2, BIG_BUDGET_US, NOW);
        ks_active_expire(1, 2, BIG_BUDGET_US, NOW);
    }
    ck_assert_uint_eq(ks_db_size(db), 0);
    ck_assert_uint_eq(expired_keys(), expired_before + 1000);
}
END_TEST

/*
 * A pass whose budget runs out must resume where it stopped: when one call
 * cannot cover all of a worker's shards, successive calls still reach every
 * shard and every db (as Redis's activeExpireCycle resumes at its db and
 * cursor). A shard that always holds volatile keys (the live ones) must not
 * pin the cycle at the start.
 */
START_TEST(test_active_expire_resumes_after_budget_runs_out)
{
    struct db *db = ks_db(0);

    fill_dead_and_live(db);
    /* A budget of one microsecond: a call covers a shard or a few. Enough
     * calls to visit every shard many times over if the pass resumes. */
    unsigned calls = expire_until(db, LIVE_KEYS, 0, 1, 1, 50000);
    ck_assert_msg(dead_present(db, -1) == 0,
                  "%u expired keys never removed after %u one-microsecond passes",
                  dead_present(db, -1), calls);
    check_live_untouched(db);
    check_volatile(db);
}
END_TEST

/* ---- entries and shards that move -------------------------------------- */

/* RENAME: read the expire, unlink, relink under the new name, set the
 * expire again. MOVE: the same into another db. The unlinked entry's slot
 * must be gone from the source shard (another key of the shard takes it
 * over), and the new entry must not inherit a stale one. */
START_TEST(test_unlink_relink_leaves_no_stale_volatile)
{
    struct db *db0 = ks_db(0), *db1 = ks_db(1);
    enum { N = 10 };
    char names[N][32], renamed[32];
    const unsigned shard = 200;

    for (unsigned i = 0; i < N; i++) {
        key_in_shard(names[i], sizeof(names[i]), "r", shard, i);
        add_key(db0, names[i], i, NOW + 1000 + i);
    }
    /* A raw string value on the key that moves, so a wrong free of the
     * value would show under the sanitizers. */
    struct entry *src = peek_key(db0, names[3]);
    ks_lock(db0, shard);
    value_free(src);
    string_set(src, "a value long enough to be a raw sstr, not an embstr", 51);
    ks_unlock(db0, shard);

    /* RENAME names[3] -> renamed (into another shard on purpose). */
    key_in_shard(renamed, sizeof(renamed), "renamed", (shard + 1) % KS_SHARDS, 0);
    unsigned dst = ks_shard_of(renamed, strlen(renamed));
    ks_lock(db0, shard);
    ks_lock(db0, dst);
    int64_t when = ks_get_expire(db0, src);
    ck_assert_int_eq(when, NOW + 1003);
    struct entry *e = ks_unlink(db0, names[3], strlen(names[3]));
    ck_assert_ptr_eq(e, src);
    ck_assert_uint_eq(e->vslot, KS_NO_EXPIRE);
    ck_assert_uint_eq(db0->shards[shard].nvkeys, N - 1);
    struct entry *moved = ks_relink(db0, e, renamed, strlen(renamed));
    ck_assert_uint_eq(moved->vslot, KS_NO_EXPIRE);
    ck_assert_uint_eq(moved->encoding, ENC_RAW);
    ck_assert_uint_eq(((const struct sstr *)moved->v.ptr)->len, 51);
    ks_unlock(db0, dst);
    ks_unlock(db0, shard);
    ck_assert_uint_eq(ks_db_expires(db0), N - 1);
    ck_assert_uint_eq(ks_db_size(db0), N);
    check_volatile(db0);

    ks_lock(db0, dst);
    ks_set_expire(db0, moved, when);
    ks_unlock(db0, dst);
    ck_assert_int_eq(expire_of(db0, renamed), NOW + 1003);
    ck_assert_int_eq(expire_of(db0, names[3]), -2);
    ck_assert_uint_eq(ks_db_expires(db0), N);
    check_volatile(db0);
    for (unsigned i = 0; i < N; i++)
        if (i != 3) ck_assert_int_eq(expire_of(db0, names[i]), NOW + 1000 + i);

    /* MOVE names[5] to db 1, keeping its expire; then a failed MOVE:
     * unlink and free names[6]. */
    ks_lock(db0, shard);
    ks_lock(db1, shard);
    struct entry *m = ks_peek(db0, names[5], strlen(names[5]));
    when = ks_get_expire(db0, m);
    m = ks_unlink(db0, names[5], strlen(names[5]));
    m = ks_relink(db1, m, names[5], strlen(names[5]));
    ks_set_expire(db1, m, when);
    ks_free_entry(ks_unlink(db0, names[6], strlen(names[6])));
    ks_unlock(db1, shard);
    ks_unlock(db0, shard);
    ck_assert_uint_eq(ks_db_expires(db0), N - 2);
    ck_assert_uint_eq(ks_db_expires(db1), 1);
    ck_assert_int_eq(expire_of(db1, names[5]), NOW + 1005);
    check_volatile(db0);
    check_volatile(db1);

    /* The active cycle, once everything is due, finds no stale slot: it
     * removes exactly the keys that exist. */
    unsigned long long expired_before = expired_keys();
    for (int k = 0; k < 1000 && (ks_db_expires(db0) > 0 || ks_db_expires(db1) > 0); k++)
        ks_active_expire(0, 1, BIG_BUDGET_US, NOW + 2000);
    ck_assert_uint_eq(expired_keys() - expired_before, N - 1);
    ck_assert_uint_eq(ks_db_size(db0), 0);
    ck_assert_uint_eq(ks_db_size(db1), 0);
    check_volatile(db0);
    check_volatile(db1);
}
END_TEST

START_TEST(test_flush_shard_resets_volatile_keys)
{
    struct db *db = ks_db(0);
    char name[32];
    const unsigned victim = 9;
    unsigned victim_volatile = 0, victim_keys = 0;

    for (unsigned i = 0; i < 4000; i++) {
        snprintf(name, sizeof(name), "f:%u", i);
        add_key(db, name, i, i % 2 ? NOW + HOUR_MS : -1);
        if (ks_shard_of(name, strlen(name)) == victim) {
            victim_keys++;
            victim_volatile += i % 2;
        }
    }
    ck_assert_uint_gt(victim_volatile, 0);
    ck_assert_uint_eq(check_volatile(db), 2000);

    ks_lock(db, victim);
    ks_flush_shard(db, victim);
    ks_unlock(db, victim);
    ck_assert_uint_eq(ks_db_expires(db), 2000 - victim_volatile);
    ck_assert_uint_eq(ks_db_size(db), 4000 - victim_keys);
    ck_assert_uint_eq(db->shards[victim].nvkeys, 0);
    check_volatile(db);

    /* The flushed shard takes volatile keys again, and the active cycle
     * works over it. */
    for (unsigned i = 0; i < 50; i++) {
        key_in_shard(name, sizeof(name), "again", victim, i);
        add_key(db, name, i, NOW - 1);
    }
    ck_assert_uint_eq(db->shards[victim].nvkeys, 50);
    check_volatile(db);
    for (int k = 0; k < 1000 && db->shards[victim].nvkeys > 0; k++)
        ks_active_expire(0, 1, BIG_BUDGET_US, NOW);
    ck_assert_uint_eq(db->shards[victim].nvkeys, 0);
    ck_assert_uint_eq(ks_db_expires(db), 2000 - victim_volatile);
    check_volatile(db);
}
END_TEST

/* SWAPDB swaps every shard of two dbs; a single shard pair is swapped
 * first, then all of them. Counts, expire times and the active cycle must
 * follow the data. */
START_TEST(test_swap_shards_moves_volatile_keys_along)
{
    struct db *db0 = ks_db(0), *db1 = ks_db(1);
    char name[32];

    /* db 0: 3000 keys, 1000 volatile and dead; db 1: 500 keys, all live. */
    for (unsigned i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "a:%u", i);
        add_key(db0, name, i, i % 3 == 0 ? NOW - 1 : -1);
    }
    for (unsigned i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "b:%u", i);
        add_key(db1, name, i, NOW + HOUR_MS + i);
    }
    ck_assert_uint_eq(check_volatile(db0), 1000);
    ck_assert_uint_eq(check_volatile(db1), 500);

    /* One shard pair. */
    const unsigned s = 77;
    uint32_t v0 = db0->shards[s].nvkeys, v1 = db1->shards[s].nvkeys;
    uint64_t n0 = atomic_load(&db0->shards[s].nkeys_pub),
             n1 = atomic_load(&db1->shards[s].nkeys_pub);
    ks_lock(db0, s);
    ks_lock(db1, s);
    ks_swap_shards(&db0->shards[s], &db1->shards[s]);
    ks_unlock(db1, s);
    ks_unlock(db0, s);
    ck_assert_uint_eq(ks_db_expires(db0), 1000 - v0 + v1);
    ck_assert_uint_eq(ks_db_expires(db1), 500 - v1 + v0);
    ck_assert_uint_eq(ks_db_size(db0), 3000 - n0 + n1);
    ck_assert_uint_eq(ks_db_size(db1), 500 - n1 + n0);
    check_volatile(db0);
    check_volatile(db1);

    /* And back, then all shards (SWAPDB 0 1). */
    ks_lock(db0, s);
    ks_lock(db1, s);
    ks_swap_shards(&db0->shards[s], &db1->shards[s]);
    ks_unlock(db1, s);
    ks_unlock(db0, s);
    ks_lock_all(db0);
    ks_lock_all(db1);
    for (unsigned t = 0; t < KS_SHARDS; t++) ks_swap_shards(&db0->shards[t], &db1->shards[t]);
    ks_unlock_all(db1);
    ks_unlock_all(db0);
    ck_assert_uint_eq(ks_db_expires(db0), 500);
    ck_assert_uint_eq(ks_db_expires(db1), 1000);
    ck_assert_uint_eq(ks_db_size(db0), 500);
    ck_assert_uint_eq(ks_db_size(db1), 3000);
    check_volatile(db0);
    check_volatile(db1);
    for (unsigned i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "b:%u", i);
        EXPECT(expire_of(db0, name) == NOW + HOUR_MS + i, "%s lost its expire in the swap", name);
    }
    ck_assert_int_eq(expire_of(db1, "a:0"), NOW - 1);
    ck_assert_int_eq(expire_of(db1, "a:1"), -1);

    /* The dead keys now live in db 1: the cycle removes them there and
     * leaves db 0's live keys alone. */
    for (int k = 0; k < 1000 && ks_db_expires(db1) > 0; k++)
        ks_active_expire(0, 1, BIG_BUDGET_US, NOW);
    ck_assert_uint_eq(ks_db_expires(db1), 0);
    ck_assert_uint_eq(ks_db_size(db1), 2000);
    ck_assert_uint_eq(ks_db_expires(db0), 500);
    ck_assert_uint_eq(ks_db_size(db0), 500);
    check_volatile(db0);
    check_volatile(db1);
}
END_TEST

static Suite *expire_suite(void)
{
    Suite *suite = suite_create("expire");
    TCase *bookkeeping = tcase_create("bookkeeping");
    TCase *active = tcase_create("active");
    TCase *moves = tcase_create("moves");
    TCase *cases[] = {bookkeeping, active, moves};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* Tens of thousands of keys under the sanitizers: beyond Check's
         * 4 s default. */
        tcase_set_timeout(cases[i], 120);
        tcase_add_checked_fixture(cases[i], setup, teardown);
    }
    tcase_add_test(bookkeeping, test_set_get_persist_bookkeeping);
    tcase_add_test(bookkeeping, test_volatile_slots_survive_removals_in_the_middle);
    tcase_add_test(bookkeeping, test_lazy_expiry_in_find);
    tcase_add_test(bookkeeping, test_peek_does_not_expire);
    tcase_add_test(active, test_active_expire_removes_exactly_the_expired_keys);
    tcase_add_test(active, test_active_expire_single_worker_and_every_db);
    tcase_add_test(active, test_active_expire_can_be_disabled);
    tcase_add_test(active, test_active_expire_resumes_after_budget_runs_out);
    tcase_add_test(moves, test_unlink_relink_leaves_no_stale_volatile);
    tcase_add_test(moves, test_flush_shard_resets_volatile_keys);
    tcase_add_test(moves, test_swap_shards_moves_volatile_keys_along);
    suite_add_tcase(suite, bookkeeping);
    suite_add_tcase(suite, active);
    suite_add_tcase(suite, moves);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(expire_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
