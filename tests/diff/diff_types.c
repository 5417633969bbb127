/*
 * diff_types: the differential test of all data types in one key space.
 *
 *   diff_types [server-under-test] [--seed N] [--count N] [--config K]
 *
 * The seed may also be given as DIFF_TYPES_SEED=N in the environment
 * (--seed wins). Starts redis-server (the reference) and the server under
 * test, sends both the same seeded random stream of commands (pipelined,
 * DIFF_BATCH at a time) and compares every reply. Without a seed it runs
 * every entry of `runs` below, each with fresh servers and a configuration of
 * its own (the default encoding thresholds, then tiny ones, so that every
 * conversion happens often); with one it runs runs[--config] with that seed.
 * Run it with redis-server as the server under test to check the test
 * itself: it must report 0 mismatches.
 *
 * Strings, lists, hashes, sets and sorted sets share one small space of key
 * names. Each name has a "home" type that most commands of that type pick,
 * but every command picks any other key now and then, so WRONGTYPE happens
 * both ways, and DEL, RENAME, SET and the *STORE commands move keys between
 * types. The stream covers:
 *
 *   - strings: SET GET INCR INCRBY APPEND STRLEN GETRANGE SETRANGE MGET ...;
 *   - lists: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LMOVE
 *     RPOPLPUSH LMPOP, and BLPOP BRPOP BLMOVE BRPOPLPUSH where they answer
 *     at once (see "Blocking pops");
 *   - hashes: HSET HSETNX HMSET HGET HMGET HDEL HLEN HEXISTS HSTRLEN HGETALL
 *     HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN;
 *   - sets: SADD SREM SISMEMBER SMISMEMBER SMEMBERS SCARD SPOP SRANDMEMBER
 *     SMOVE SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SINTERCARD
 *     SSCAN;
 *   - sorted sets: ZADD (NX XX GT LT CH INCR, valid and not) ZINCRBY ZREM
 *     ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD ZCOUNT ZLEXCOUNT ZRANGE (BYSCORE
 *     BYLEX REV LIMIT WITHSCORES) ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
 *     ZREVRANGEBYLEX ZREVRANGE ZRANGESTORE ZREMRANGEBYRANK/SCORE/LEX ZPOPMIN
 *     ZPOPMAX ZRANDMEMBER ZSCAN ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZUNION
 *     ZINTER ZDIFF ZINTERCARD (WEIGHTS, AGGREGATE) ZMPOP BZPOPMIN BZPOPMAX;
 *     scores include inf, -inf, -0, hex, values that only print right with
 *     %.17g, and ranges are exclusive or not;
 *   - keys: DEL EXISTS TYPE RENAME RENAMENX OBJECT ENCODING, DEBUG
 *     DIGEST-VALUE in the stream and DEBUG DIGEST every DIGEST_EVERY
 *     commands; MULTI/EXEC/DISCARD blocks (with WATCH, the client's own
 *     writes in between, queue-time errors), wrong arities and bad options.
 *
 * Collections come small and large: a few "big" keys of each type get
 * dozens of elements at a time, so hashes and sorted sets outgrow their
 * listpacks and sets their intsets, and long or non-integer elements convert
 * them too. OBJECT ENCODING is compared in the stream and for every key at
 * the end, with DEBUG DIGEST-VALUE, before the whole datasets (diff.h).
 *
 * What is random in Redis is compared only where it is not (see "Reply
 * normalisation"): SMEMBERS, SINTER, HGETALL, HKEYS ... as multisets;
 * SRANDMEMBER, HRANDFIELD, ZRANDMEMBER by count (and as sets when they
 * return the whole collection); SPOP by count, after which the popped
 * members are put right on the server under test (see gen_spop). Lex ranges
 * are only asked of sorted sets whose scores are all 0 (the "x" keys), of any
 * encoding, and of small sorted sets with mixed scores that are always
 * listpacks (the "y" keys): with mixed scores a skiplist's answer depends on
 * its random levels, but a listpack's does not (Redis checks the range
 * against the first and last members, then walks from one end).
 */
#include "tests/diff/diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands per run; three runs by default: 360,000 commands in all. */
#define DEFAULT_COUNT 120000LL
#define DIGEST_EVERY 5000   /* commands between two DEBUG DIGEST checks */
#define CONTEXT_COMMANDS 12 /* commands printed before the first mismatch */
#define MAX_SPOP_COUNT 40   /* larger SPOP counts take the whole set */

/* ---------------------------------------------------------------------------
 * The key space
 * ------------------------------------------------------------------------- */

/* The type a key is meant to hold; commands of a type mostly pick its keys.
 * HOME_LEX keys are sorted sets whose scores are all 0 (lex ranges).
 * HOME_LEXPACK keys are sorted sets with any scores that stay listpacks under
 * every configuration of `runs` (lex ranges too): only ZADD, ZINCRBY and the
 * removing commands write them as sorted sets, always with members of
 * lexpack_members (at most 8 short ones), and no command stores a sorted set
 * into them (see PICK_NO_LEX). */
enum home {
    HOME_STRING,
    HOME_LIST,
    HOME_HASH,
    HOME_SET,
    HOME_INTSET,
    HOME_ZSET,
    HOME_LEX,
    HOME_LEXPACK,
    HOME_ODD,
    HOME_COUNT
};

struct key {
    const char *text;
    size_t len;
    enum home home;
    int big; /* gets many elements at a time, rarely deleted */
};

/* clang-format off */
#define KEY(s, home, big) {s, sizeof(s) - 1, home, big}
static const struct key keys[] = {
    KEY("s0", HOME_STRING, 0), KEY("s1", HOME_STRING, 0), KEY("s2", HOME_STRING, 0),
    KEY("l0", HOME_LIST, 0), KEY("l1", HOME_LIST, 0), KEY("l2", HOME_LIST, 0),
    KEY("l3", HOME_LIST, 0),
    KEY("h0", HOME_HASH, 0), KEY("h1", HOME_HASH, 0), KEY("h2", HOME_HASH, 0),
    KEY("h3", HOME_HASH, 0), KEY("H0", HOME_HASH, 1), KEY("H1", HOME_HASH, 1),
    KEY("S0", HOME_SET, 0), KEY("S1", HOME_SET, 0), KEY("S2", HOME_SET, 0),
    KEY("S3", HOME_SET, 0), KEY("SB", HOME_SET, 1),
    KEY("I0", HOME_INTSET, 0), KEY("I1", HOME_INTSET, 0), KEY("IB", HOME_INTSET, 1),
    KEY("z0", HOME_ZSET, 0), KEY("z1", HOME_ZSET, 0), KEY("z2", HOME_ZSET, 0),
    KEY("z3", HOME_ZSET, 0), KEY("Z0", HOME_ZSET, 1), KEY("Z1", HOME_ZSET, 1),
    KEY("x0", HOME_LEX, 0), KEY("x1", HOME_LEX, 0), KEY("X0", HOME_LEX, 1),
    KEY("y0", HOME_LEXPACK, 0), KEY("y1", HOME_LEXPACK, 0), KEY("y2", HOME_LEXPACK, 0),
    KEY("", HOME_ODD, 0), KEY("bin\0key", HOME_ODD, 0), KEY("{tag}k", HOME_ODD, 0),
};
/* clang-format on */
#define KEY_COUNT ((int)(sizeof(keys) / sizeof(keys[0])))

/* Flags of pick_key. */
#define PICK_NO_LEX                                                                                \
    1                 /* never a lex key (x or y): the command may write mixed                     \
                       * scores, other members, or a skiplist */
#define PICK_NO_BIG 2 /* a big key only rarely: the command may delete it */

/* ---------------------------------------------------------------------------
 * Reply normalisation
 *
 * Each command of a batch has a `struct check` saying how its replies are
 * made comparable before diff_session_check compares them exactly. Inside
 * MULTI the command's own reply is +QUEUED; its check then applies to its
 * element of EXEC's reply, found by counting the +QUEUED replies of the
 * transaction's body.
 * ------------------------------------------------------------------------- */

enum norm {
    NORM_EXACT,
    NORM_SORTED, /* array compared as a multiset */
    NORM_PAIRS,  /* flat array compared as a set of pairs */
    NORM_SHAPE,  /* a string's content and an array's elements do not count */
    NORM_RANDOM, /* a random pick of `count` elements (see normalise) */
    NORM_EXEC,   /* EXEC: each element by its queued command's check */
};

struct check {
    enum norm norm;
    int width;       /* NORM_RANDOM: 2 when the elements are pairs */
    long long count; /* NORM_RANDOM: the count asked for; NORM_EXEC: first body command */
};

/* ---------------------------------------------------------------------------
 * The generator
 * ------------------------------------------------------------------------- */

struct generator {
    struct diff_rng rng;
    struct diff_session *session;
    struct check checks[DIFF_BATCH_MAX]; /* one per command of the batch */
    int by_home[HOME_COUNT][KEY_COUNT];
    int home_count[HOME_COUNT];
    int in_multi; /* generating the body of a MULTI block */
    int in_watch; /* generating writes between WATCH and MULTI */
    int focus;    /* a watched key favoured by pick_key, or -1 */
};

static void generator_init(struct generator *g, unsigned long long seed, struct diff_session *s)
{
    memset(g, 0, sizeof(*g));
    g->rng.state = seed;
    g->session = s;
    g->focus = -1;
    for (int i = 0; i < KEY_COUNT; i++) {
        enum home h = keys[i].home;
        g->by_home[h][g->home_count[h]++] = i;
    }
}

/* Picks a key index for a command on `home`: mostly one of that home (big
 * ones a fifth of the time, and for sets the integer sets a third of it), the
 * watched key often when there is one, otherwise any key. */
static int is_lex_home(enum home home)
{
    return home == HOME_LEX || home == HOME_LEXPACK;
}

static int pick_key(struct generator *g, enum home home, int flags)
{
    if (g->focus >= 0 && diff_rng_chance(&g->rng, 30)) {
        enum home focus = keys[g->focus].home;
        if (is_lex_home(home) ? focus == home : !is_lex_home(focus) || !(flags & PICK_NO_LEX))
            return g->focus;
    }
    if (home == HOME_SET && diff_rng_chance(&g->rng, 30)) home = HOME_INTSET;
    /* lex ranges only on lex keys: elsewhere they may meet mixed scores in a
     * skiplist; and the y keys get only their own members */
    int own = is_lex_home(home) ? 100 : 80;
    if (home != HOME_ODD && diff_rng_chance(&g->rng, (unsigned)own)) {
        for (int tries = 0; tries < 4; tries++) {
            int k = g->by_home[home][diff_rng_below(&g->rng, (uint64_t)g->home_count[home])];
            if (!keys[k].big) return k;
            if (diff_rng_chance(&g->rng, (flags & PICK_NO_BIG) ? 3 : 40)) return k;
        }
        return g->by_home[home][0];
    }
    for (;;) {
        int k = (int)diff_rng_below(&g->rng, KEY_COUNT);
        if ((flags & PICK_NO_LEX) && is_lex_home(keys[k].home)) continue;
        if ((flags & PICK_NO_BIG) && keys[k].big && diff_rng_chance(&g->rng, 90)) continue;
        return k;
    }
}

static void add_key_index(struct diff_cmd *cmd, int key)
{
    diff_cmd_arg(cmd, keys[key].text, keys[key].len);
}

static int add_key(struct generator *g, struct diff_cmd *cmd, enum home home, int flags)
{
    int key = pick_key(g, home, flags);
    add_key_index(cmd, key);
    return key;
}

/* A keyword in a random case now and then: Redis matches them
 * case-insensitively and so must the server under test. */
static void add_word(struct generator *g, struct diff_cmd *cmd, const char *word)
{
    char text[64];
    size_t n = strlen(word);
    if (n >= sizeof(text) || !diff_rng_chance(&g->rng, 15)) {
        diff_cmd_arg(cmd, word, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = word[i];
        if (ch >= 'A' && ch <= 'Z' && diff_rng_chance(&g->rng, 50)) ch = (char)(ch - 'A' + 'a');
        text[i] = ch;
    }
    diff_cmd_arg(cmd, text, n);
}

/* Starts a new command of the batch with its name; its check is exact. */
static struct diff_cmd *begin(struct generator *g, struct diff_batch *batch, const char *name)
{
    struct diff_cmd *cmd = diff_batch_add(batch);
    g->checks[batch->count - 1] = (struct check){NORM_EXACT, 1, 0};
    add_word(g, cmd, name);
    return cmd;
}

/* Sets the check of the batch's last command. */
static void set_check(struct generator *g, struct diff_batch *batch, enum norm norm, int width,
                      long long count)
{
    struct diff_cmd *cmd = &batch->cmds[batch->count - 1];
    g->checks[batch->count - 1] = (struct check){norm, width, count};
    if (norm == NORM_SORTED) cmd->compare = DIFF_SORTED;
    if (norm == NORM_PAIRS) cmd->compare = DIFF_SORTED_PAIRS;
}

static const char *pick(struct generator *g, const char *const *list, size_t n)
{
    return list[diff_rng_below(&g->rng, n)];
}
#define PICK(g, array) pick((g), (array), sizeof(array) / sizeof((array)[0]))

/* ---------------------------------------------------------------------------
 * Elements
 * ------------------------------------------------------------------------- */

/* A string constant that may hold \0, with its length. */
struct literal {
    const char *text;
    size_t len;
};
/* clang-format off */
#define LITERAL(s) {s, sizeof(s) - 1}
/* Integers at the edges (intset widths, int64 limits) and near-integers that
 * are not canonical ("01", "-0", "+1"), so they may not live in an intset;
 * the empty string, binary bytes, 64 and 65 bytes (the listpack value
 * limit). */
static const struct literal pool[] = {
    LITERAL("0"), LITERAL("1"), LITERAL("-1"), LITERAL("01"), LITERAL("-0"), LITERAL("+1"),
    LITERAL("32767"), LITERAL("32768"), LITERAL("-32769"), LITERAL("2147483647"),
    LITERAL("2147483648"), LITERAL("-2147483649"), LITERAL("9223372036854775807"),
    LITERAL("-9223372036854775808"), LITERAL("9223372036854775808"), LITERAL(" 1"),
    LITERAL("1.5"), LITERAL(""), LITERAL("a\0b"), LITERAL("\r\n"), LITERAL("\xff"),
    LITERAL("0123456789012345678901234567890123456789012345678901234567890123"),
    LITERAL("01234567890123456789012345678901234567890123456789012345678901234"),
};
/* clang-format on */
#define POOL_COUNT (sizeof(pool) / sizeof(pool[0]))

static void add_literal(struct generator *g, struct diff_cmd *cmd)
{
    const struct literal *l = &pool[diff_rng_below(&g->rng, POOL_COUNT)];
    diff_cmd_arg(cmd, l->text, l->len);
}

/* A short word over a small alphabet, so that equal ones recur. */
static void add_word_element(struct generator *g, struct diff_cmd *cmd, int letters)
{
    char buf[4];
    size_t n = (size_t)diff_rng_range(&g->rng, 1, 2);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + diff_rng_below(&g->rng, (uint64_t)letters));
    diff_cmd_arg(cmd, buf, n);
}

/* A long element (65..100 bytes): too long for a listpack. */
static void add_long_element(struct generator *g, struct diff_cmd *cmd)
{
    char buf[100];
    size_t n = (size_t)diff_rng_range(&g->rng, 65, 100);
    memset(buf, 'A' + (int)diff_rng_below(&g->rng, 3), n);
    diff_cmd_arg(cmd, buf, n);
}

/* A set member. Integer sets get integers (a wide range on the big one, so it
 * outgrows set-max-intset-entries), and a word once in a while; other sets a
 * mix of integers, words and the pool. */
static void add_set_member(struct generator *g, struct diff_cmd *cmd, int key)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (keys[key].home == HOME_INTSET) {
        if (r < 2)
            add_word_element(g, cmd, 4);
        else if (r < 4)
            add_literal(g, cmd);
        else if (keys[key].big)
            diff_cmd_ll(cmd, diff_rng_range(&g->rng, -200, 1500));
        else
            diff_cmd_ll(cmd, diff_rng_range(&g->rng, -30, 30));
        return;
    }
    if (keys[key].big && r < 60) {
        diff_cmd_fmt(cmd, "m%d", (int)diff_rng_below(&g->rng, 1200));
    } else if (r < 35) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -20, 20));
    } else if (r < 50) {
        add_literal(g, cmd);
    } else if (r < 92) {
        add_word_element(g, cmd, 8);
    } else {
        add_long_element(g, cmd);
    }
}

/* A hash field: few names on the small hashes, many on the big ones (which
 * outgrow hash-max-listpack-entries), now and then a long one. */
static void add_field(struct generator *g, struct diff_cmd *cmd, int key)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (keys[key].big && r < 85)
        diff_cmd_fmt(cmd, "f%d", (int)diff_rng_below(&g->rng, 800));
    else if (r < 80)
        diff_cmd_fmt(cmd, "f%d", (int)diff_rng_below(&g->rng, 10));
    else if (r < 97)
        add_literal(g, cmd);
    else
        add_long_element(g, cmd);
}

/* A hash value: integers (for HINCRBY), floats (for HINCRBYFLOAT), words,
 * the pool, long values now and then. */
static void add_hash_value(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const floats[] = {"1.5", "0.1",    "-2.25", "3.0000000000000004",
                                         "1e3", "5.0e-3", "1e308", "-1e308",
                                         "17",  "0x10"};
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 40)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -100, 100));
    else if (r < 55)
        diff_cmd_str(cmd, PICK(g, floats));
    else if (r < 75)
        add_word_element(g, cmd, 6);
    else if (r < 96)
        add_literal(g, cmd);
    else
        add_long_element(g, cmd);
}

/* The only members of the y keys: 8 of them (zset-max-listpack-entries is 8
 * in the tiny configuration, and a listpack converts only past it), none
 * longer than zset-max-listpack-value, over the letters of add_lex_bound. */
static const char *const lexpack_members[] = {"", "a", "ab", "b", "ba", "c", "f", "k"};

/* A sorted set member; big sorted sets get many names (past
 * zset-max-listpack-entries), the y keys only their own. */
static void add_zset_member(struct generator *g, struct diff_cmd *cmd, int key)
{
    if (keys[key].home == HOME_LEXPACK) {
        diff_cmd_str(cmd, PICK(g, lexpack_members));
        return;
    }
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (keys[key].big && r < 80)
        diff_cmd_fmt(cmd, "m%d", (int)diff_rng_below(&g->rng, 400));
    else if (r < 60)
        add_word_element(g, cmd, 10);
    else if (r < 75)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 20));
    else if (r < 97)
        add_literal(g, cmd);
    else
        add_long_element(g, cmd);
}

/* Scores: many small integers (ties, ordered by member), values whose
 * shortest form needs 17 digits, the infinities in every spelling, -0, hex
 * (strtod takes it), and invalid ones now and then. */
static const char *const good_scores[] = {
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "10",
    "1.5",
    "-1.5",
    "0.1",
    "0.25",
    "1e-5",
    "3.0000000000000004",
    "123456789.123",
    "1e15",
    "-1e15",
    "inf",
    "-inf",
    "+inf",
    "Infinity",
    "-INF",
    "-0",
    "0x10",
    "1e308",
    "4503599627370496.5",
    "2.5e-320",
};
static const char *const bad_scores[] = {"nan", "abc", "", "1e400", " 1", "1 ", "--1", "1.5x"};

static void add_score(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 45)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
    else if (r < 97)
        diff_cmd_str(cmd, PICK(g, good_scores));
    else
        diff_cmd_str(cmd, PICK(g, bad_scores));
}

/* A score range bound: a score, exclusive or not, the infinities, rarely
 * invalid. */
static void add_score_bound(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const bounds[] = {"-inf", "+inf", "inf", "(-inf", "(+inf", "(1.5",
                                         "(0",   "(1",   "1.5", "(0x10", "-0",    "(-0"};
    static const char *const bad[] = {"(", "((1", "abc", "nan", "(nan", "[1", ""};
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 50) {
        long long v = diff_rng_range(&g->rng, -6, 6);
        if (diff_rng_chance(&g->rng, 35))
            diff_cmd_fmt(cmd, "(%lld", v);
        else
            diff_cmd_ll(cmd, v);
    } else if (r < 97) {
        diff_cmd_str(cmd, PICK(g, bounds));
    } else {
        diff_cmd_str(cmd, PICK(g, bad));
    }
}

/* A lex range bound over the words of add_zset_member. */
static void add_lex_bound(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const bad[] = {"a", "", "++", "--", "{a"};
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 15) {
        diff_cmd_str(cmd, diff_rng_chance(&g->rng, 50) ? "-" : "+");
    } else if (r < 97) {
        char buf[4];
        buf[0] = diff_rng_chance(&g->rng, 50) ? '[' : '(';
        size_t n = (size_t)diff_rng_range(&g->rng, 0, 2);
        for (size_t i = 0; i < n; i++) buf[1 + i] = (char)('a' + diff_rng_below(&g->rng, 11));
        diff_cmd_arg(cmd, buf, 1 + n);
    } else {
        diff_cmd_str(cmd, PICK(g, bad));
    }
}

/* The two bounds of a lex range on `key`, max first when `rev`. On a y key
 * half the time an ordered pair of -, + and its members, inclusive or not, so
 * that the range is seldom empty by itself and its bounds fall on (or just
 * off) the members that the listpack holds first and last; otherwise (and on
 * the x keys always) two independent bounds. */
static void add_lex_range(struct generator *g, struct diff_cmd *cmd, int key, int rev)
{
    if (keys[key].home != HOME_LEXPACK || diff_rng_chance(&g->rng, 50)) {
        add_lex_bound(g, cmd);
        add_lex_bound(g, cmd);
        return;
    }
    size_t n = sizeof(lexpack_members) / sizeof(lexpack_members[0]);
    size_t low = (size_t)diff_rng_below(&g->rng, n), high = (size_t)diff_rng_below(&g->rng, n);
    if (low > high) {
        size_t t = low;
        low = high;
        high = t;
    }
    char bound[2][8];
    for (int i = 0; i < 2; i++) {
        if (diff_rng_chance(&g->rng, 15))
            snprintf(bound[i], sizeof(bound[i]), "%s", i ? "+" : "-");
        else
            snprintf(bound[i], sizeof(bound[i]), "%c%s", diff_rng_chance(&g->rng, 50) ? '[' : '(',
                     lexpack_members[i ? high : low]);
    }
    diff_cmd_str(cmd, bound[rev ? 1 : 0]);
    diff_cmd_str(cmd, bound[rev ? 0 : 1]);
}

/* Integers no command accepts, or only some. */
static const char *const bad_integers[] = {
    "abc", "", "1.5", " 1", "+", "-", "0x10", "9223372036854775808", "-9223372036854775809", "1e3",
};

/* A small count, zero, negative, huge, or invalid. */
static void add_count(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 10)
        diff_cmd_str(cmd, "0");
    else if (r < 70)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 1, 6));
    else if (r < 80)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 7, 1000));
    else if (r < 90)
        diff_cmd_ll(cmd, -diff_rng_range(&g->rng, 1, 3));
    else if (r < 94)
        diff_cmd_ll(cmd, LLONG_MAX);
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* A rank index: near either end, far out, or invalid. */
static void add_index(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 70)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -8, 8));
    else if (r < 88)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -400, 400));
    else if (r < 94)
        diff_cmd_ll(cmd, diff_rng_chance(&g->rng, 50) ? LLONG_MAX : LLONG_MIN);
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* ---------------------------------------------------------------------------
 * Strings and keys
 * ------------------------------------------------------------------------- */

static void gen_string(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"SET",    "SET",    "GET",    "GET",      "INCR",
                                        "INCRBY", "APPEND", "STRLEN", "GETRANGE", "SETRANGE",
                                        "MGET",   "SETNX",  "GETSET", "DECR"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int write = strcmp(name, "GET") && strcmp(name, "STRLEN") && strcmp(name, "GETRANGE") &&
                strcmp(name, "MGET");
    /* writes that replace the value spare the big collections */
    add_key(g, cmd, HOME_STRING, write ? PICK_NO_BIG : 0);
    if (!strcmp(name, "SET") || !strcmp(name, "APPEND") || !strcmp(name, "SETNX") ||
        !strcmp(name, "GETSET")) {
        if (diff_rng_chance(&g->rng, 50))
            diff_cmd_ll(cmd, diff_rng_range(&g->rng, -100, 100));
        else
            add_literal(g, cmd);
    } else if (!strcmp(name, "INCRBY")) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -50, 50));
    } else if (!strcmp(name, "GETRANGE")) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
    } else if (!strcmp(name, "SETRANGE")) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 10));
        add_word_element(g, cmd, 4);
    } else if (!strcmp(name, "MGET")) {
        int n = (int)diff_rng_range(&g->rng, 0, 3);
        for (int i = 0; i < n; i++) add_key(g, cmd, HOME_ODD, 0);
    }
}

/* DEL and EXISTS on a few keys; DEL spares the big keys most of the time. */
static void gen_del(struct generator *g, struct diff_batch *b)
{
    int del = diff_rng_chance(&g->rng, 40);
    struct diff_cmd *cmd = begin(g, b, del ? "DEL" : "EXISTS");
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    for (int i = 0; i < n; i++) add_key(g, cmd, HOME_ODD, del ? PICK_NO_BIG : 0);
}

/* TYPE, OBJECT ENCODING and DEBUG DIGEST-VALUE of any keys. */
static void gen_inspect(struct generator *g, struct diff_batch *b)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 30) {
        add_key(g, begin(g, b, "TYPE"), HOME_ODD, 0);
    } else if (r < 80) {
        struct diff_cmd *cmd = begin(g, b, "OBJECT");
        add_word(g, cmd, "ENCODING");
        add_key(g, cmd, HOME_ODD, 0);
    } else {
        struct diff_cmd *cmd = begin(g, b, "DEBUG");
        diff_cmd_str(cmd, "DIGEST-VALUE");
        int n = (int)diff_rng_range(&g->rng, 1, 3);
        for (int i = 0; i < n; i++) add_key(g, cmd, HOME_ODD, 0);
    }
}

/* RENAME and RENAMENX. The destination is never a lex key (it could get
 * mixed scores), and rarely a big key. */
static void gen_rename(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "RENAME" : "RENAMENX");
    int key = add_key(g, cmd, HOME_ODD, PICK_NO_BIG);
    if (diff_rng_chance(&g->rng, 10) && !is_lex_home(keys[key].home))
        add_key_index(cmd, key);
    else
        add_key(g, cmd, HOME_ODD, PICK_NO_LEX | PICK_NO_BIG);
}

static void gen_flushdb(struct generator *g, struct diff_batch *b)
{
    begin(g, b, "FLUSHDB");
}

/* ---------------------------------------------------------------------------
 * Lists
 * ------------------------------------------------------------------------- */

static void add_list_element(struct generator *g, struct diff_cmd *cmd)
{
    if (diff_rng_chance(&g->rng, 50))
        add_word_element(g, cmd, 5);
    else if (diff_rng_chance(&g->rng, 50))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
    else
        add_literal(g, cmd);
}

/* A push that makes `key` a non-empty list (unless it holds another type). */
static void push_to(struct generator *g, struct diff_batch *b, int key)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "RPUSH" : "LPUSH");
    add_key_index(cmd, key);
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    for (int i = 0; i < n; i++) add_list_element(g, cmd);
}

static void gen_list(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"LPUSH",  "RPUSH",  "RPUSH", "LPUSHX",
                                        "RPUSHX", "LPOP",   "RPOP",  "LLEN",
                                        "LRANGE", "LINDEX", "LMOVE", "RPOPLPUSH"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    add_key(g, cmd, HOME_LIST, 0);
    if (strstr(name, "PUSH") && strcmp(name, "RPOPLPUSH")) {
        int n = (int)diff_rng_range(&g->rng, 1, 5);
        for (int i = 0; i < n; i++) add_list_element(g, cmd);
    } else if (!strcmp(name, "LPOP") || !strcmp(name, "RPOP")) {
        if (diff_rng_chance(&g->rng, 50)) add_count(g, cmd);
    } else if (!strcmp(name, "LRANGE")) {
        add_index(g, cmd);
        add_index(g, cmd);
    } else if (!strcmp(name, "LINDEX")) {
        add_index(g, cmd);
    } else if (!strcmp(name, "LMOVE") || !strcmp(name, "RPOPLPUSH")) {
        add_key(g, cmd, HOME_LIST, 0);
        if (!strcmp(name, "LMOVE")) {
            add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
            add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
        }
    }
}

/* LMPOP numkeys key... LEFT|RIGHT [COUNT n], numkeys sometimes wrong. */
static void gen_lmpop(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LMPOP");
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    if (diff_rng_chance(&g->rng, 5))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1, 5));
    else
        diff_cmd_ll(cmd, n);
    for (int i = 0; i < n; i++) add_key(g, cmd, HOME_LIST, 0);
    add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
    if (diff_rng_chance(&g->rng, 50)) {
        add_word(g, cmd, "COUNT");
        add_count(g, cmd);
    }
}

/* ---------------------------------------------------------------------------
 * Blocking pops
 *
 * Outside MULTI each blocking pop follows a push (RPUSH or ZADD) to one of its
 * source keys in the same pipeline, so it finds an element at once on both
 * servers, or a WRONGTYPE error when that key holds another type (the push
 * failed too). Inside MULTI a blocking pop never blocks: it answers nil when
 * every key is empty, so there it may name any keys. Timeouts are valid
 * (0, fractions) or not (negative, not a number, out of range): invalid ones
 * are refused before any key is looked at.
 * ------------------------------------------------------------------------- */

static void add_timeout(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const valid[] = {"0", "0", "0.01", "1", "3.5"};
    static const char *const invalid[] = {"-1", "abc", "-0.5", "1e400", "inf", "nan", ""};
    diff_cmd_str(cmd, diff_rng_chance(&g->rng, 93) ? PICK(g, valid) : PICK(g, invalid));
}

static void gen_blocking_list(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH"};
    const char *name = PICK(g, names);
    int multi = !strcmp(name, "BLPOP") || !strcmp(name, "BRPOP");
    int n = multi ? (int)diff_rng_range(&g->rng, 1, 3) : 1;
    int src[3];
    for (int i = 0; i < n; i++) src[i] = pick_key(g, HOME_LIST, 0);
    if (!g->in_multi) push_to(g, b, src[diff_rng_below(&g->rng, (uint64_t)n)]);
    struct diff_cmd *cmd = begin(g, b, name);
    for (int i = 0; i < n; i++) add_key_index(cmd, src[i]);
    if (!multi) add_key(g, cmd, HOME_LIST, 0);
    if (!strcmp(name, "BLMOVE")) {
        add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
        add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
    }
    add_timeout(g, cmd);
}

static void gen_blocking_zset(struct generator *g, struct diff_batch *b);

/* ---------------------------------------------------------------------------
 * Hashes
 * ------------------------------------------------------------------------- */

/* HSET/HMSET with 1..4 pairs, up to 30 on the big hashes; HSETNX. */
static void gen_hset(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"HSET", "HSET", "HMSET", "HSETNX"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int key = add_key(g, cmd, HOME_HASH, 0);
    int n = 1;
    if (strcmp(name, "HSETNX")) {
        if (keys[key].big && diff_rng_chance(&g->rng, 70))
            n = (int)diff_rng_range(&g->rng, 10, 30);
        else
            n = (int)diff_rng_range(&g->rng, 1, 4);
    }
    for (int i = 0; i < n; i++) {
        add_field(g, cmd, key);
        add_hash_value(g, cmd);
    }
}

static void gen_hread(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"HGET", "HGET",    "HMGET", "HEXISTS", "HSTRLEN",
                                        "HLEN", "HGETALL", "HKEYS", "HVALS"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int key = add_key(g, cmd, HOME_HASH, 0);
    if (!strcmp(name, "HGETALL")) {
        set_check(g, b, NORM_PAIRS, 2, 0);
    } else if (!strcmp(name, "HKEYS") || !strcmp(name, "HVALS")) {
        set_check(g, b, NORM_SORTED, 1, 0);
    } else if (!strcmp(name, "HMGET")) {
        int n = (int)diff_rng_range(&g->rng, 1, 5);
        for (int i = 0; i < n; i++) add_field(g, cmd, key);
    } else if (strcmp(name, "HLEN")) {
        add_field(g, cmd, key);
    }
}

static void gen_hdel(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "HDEL");
    int key = add_key(g, cmd, HOME_HASH, 0);
    int n = (int)diff_rng_range(&g->rng, 1, keys[key].big ? 6 : 3);
    for (int i = 0; i < n; i++) add_field(g, cmd, key);
}

static void gen_hincr(struct generator *g, struct diff_batch *b)
{
    static const char *const increments[] = {"0.1",  "1.5",    "-2",  "1e3",  "3.0000000000000004",
                                             "-0.1", "1e308",  "inf", "abc",  "",
                                             "0x10", "5e-324", "7",   "-1e-3"};
    int by_float = diff_rng_chance(&g->rng, 45);
    struct diff_cmd *cmd = begin(g, b, by_float ? "HINCRBYFLOAT" : "HINCRBY");
    int key = add_key(g, cmd, HOME_HASH, 0);
    add_field(g, cmd, key);
    if (by_float)
        diff_cmd_str(cmd, PICK(g, increments));
    else if (diff_rng_chance(&g->rng, 90))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -50, 50));
    else if (diff_rng_chance(&g->rng, 60))
        diff_cmd_ll(cmd, diff_rng_chance(&g->rng, 50) ? LLONG_MAX : LLONG_MIN);
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* A count for the random-pick commands: small, zero, negative, larger than
 * most collections, or the one value out of range; never a huge negative
 * one (that asks for that many elements). */
static long long random_count(struct generator *g)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 50) return diff_rng_range(&g->rng, 0, 6);
    if (r < 75) return -diff_rng_range(&g->rng, 1, 8);
    if (r < 95) return diff_rng_range(&g->rng, 100, 2000);
    return LLONG_MIN;
}

/* HRANDFIELD, SRANDMEMBER, ZRANDMEMBER: without a count one element (shape
 * only), with a count by count (and as a set when all come back). */
static void gen_random_pick(struct generator *g, struct diff_batch *b, const char *name,
                            enum home home, const char *with)
{
    struct diff_cmd *cmd = begin(g, b, name);
    add_key(g, cmd, home, 0);
    if (diff_rng_chance(&g->rng, 25)) {
        set_check(g, b, NORM_SHAPE, 1, 0);
        return;
    }
    long long count = random_count(g);
    diff_cmd_ll(cmd, count);
    int pairs = with && diff_rng_chance(&g->rng, 40);
    if (pairs) add_word(g, cmd, with);
    set_check(g, b, NORM_RANDOM, pairs ? 2 : 1, count);
}

static void gen_hrandfield(struct generator *g, struct diff_batch *b)
{
    gen_random_pick(g, b, "HRANDFIELD", HOME_HASH, "WITHVALUES");
}

/* ---------------------------------------------------------------------------
 * Sets
 * ------------------------------------------------------------------------- */

static void gen_sadd(struct generator *g, struct diff_batch *b)
{
    int add = diff_rng_chance(&g->rng, 70);
    struct diff_cmd *cmd = begin(g, b, add ? "SADD" : "SREM");
    int key = add_key(g, cmd, HOME_SET, 0);
    int n;
    if (keys[key].big && add && diff_rng_chance(&g->rng, 70))
        n = (int)diff_rng_range(&g->rng, 20, 60);
    else
        n = (int)diff_rng_range(&g->rng, 1, 4);
    for (int i = 0; i < n; i++) add_set_member(g, cmd, key);
}

static void gen_sread(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"SISMEMBER", "SISMEMBER", "SMISMEMBER", "SCARD",
                                        "SMEMBERS"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int key = add_key(g, cmd, HOME_SET, 0);
    if (!strcmp(name, "SMEMBERS")) {
        set_check(g, b, NORM_SORTED, 1, 0);
    } else if (!strcmp(name, "SISMEMBER")) {
        add_set_member(g, cmd, key);
    } else if (!strcmp(name, "SMISMEMBER")) {
        int n = (int)diff_rng_range(&g->rng, 1, 5);
        for (int i = 0; i < n; i++) add_set_member(g, cmd, key);
    }
}

static void gen_srandmember(struct generator *g, struct diff_batch *b)
{
    gen_random_pick(g, b, "SRANDMEMBER", HOME_SET, NULL);
}

static void gen_smove(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "SMOVE");
    int key = add_key(g, cmd, HOME_SET, 0);
    add_key(g, cmd, HOME_SET, 0);
    add_set_member(g, cmd, key);
}

/* SINTER SUNION SDIFF (compared as sets), their *STORE forms, SINTERCARD. */
static void gen_setop(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"SINTER",      "SUNION",     "SDIFF",     "SINTERSTORE",
                                        "SUNIONSTORE", "SDIFFSTORE", "SINTERCARD"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    if (strstr(name, "STORE")) add_key(g, cmd, HOME_SET, PICK_NO_BIG);
    if (!strcmp(name, "SINTERCARD")) {
        if (diff_rng_chance(&g->rng, 5))
            diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1, 4));
        else
            diff_cmd_ll(cmd, n);
    }
    for (int i = 0; i < n; i++) add_key(g, cmd, HOME_SET, 0);
    if (!strcmp(name, "SINTERCARD")) {
        if (diff_rng_chance(&g->rng, 50)) {
            add_word(g, cmd, "LIMIT");
            add_count(g, cmd);
        }
    } else if (!strstr(name, "STORE")) {
        set_check(g, b, NORM_SORTED, 1, 0);
    }
}

/* ---------------------------------------------------------------------------
 * Sorted sets
 * ------------------------------------------------------------------------- */

/* The key of a command that asks a lex range or reads a lex key: an x key
 * (scores all 0) or a y key (a listpack with mixed scores). */
static enum home lex_home(struct generator *g)
{
    return diff_rng_chance(&g->rng, 40) ? HOME_LEXPACK : HOME_LEX;
}

/* ZADD with options in any order: mostly valid combinations, sometimes not
 * (NX with XX, GT with LT or NX, INCR with several pairs). On an x key every
 * score is 0 and no option may change one (no INCR, and 0 + 0 is 0); a y key
 * gets any scores but only its own members, at most 4 at a time. */
static void gen_zadd(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "ZADD");
    uint64_t which = diff_rng_below(&g->rng, 100);
    int lex = which < 20, lexpack = which >= 20 && which < 32;
    enum home home = lex ? HOME_LEX : lexpack ? HOME_LEXPACK : HOME_ZSET;
    int key = add_key(g, cmd, home, lex || lexpack ? 0 : PICK_NO_LEX);
    int incr = 0;
    if (diff_rng_chance(&g->rng, 40)) {
        static const char *const options[] = {"NX", "XX", "GT", "LT", "CH", "CH", "INCR"};
        int n = (int)diff_rng_range(&g->rng, 1, 3);
        for (int i = 0; i < n; i++) {
            const char *option = PICK(g, options);
            if (!strcmp(option, "INCR")) {
                if (lex) continue;
                incr = 1;
            }
            add_word(g, cmd, option);
        }
    }
    int pairs;
    if (keys[key].big && diff_rng_chance(&g->rng, 70))
        pairs = (int)diff_rng_range(&g->rng, 10, 28);
    else
        pairs = (int)diff_rng_range(&g->rng, 1, 4);
    if (incr && diff_rng_chance(&g->rng, 85)) pairs = 1;
    for (int i = 0; i < pairs; i++) {
        if (lex) {
            diff_cmd_str(cmd, diff_rng_chance(&g->rng, 97) ? "0" : "-0");
        } else {
            add_score(g, cmd);
        }
        add_zset_member(g, cmd, key);
    }
}

/* ZINCRBY, on a y key now and then (with one of its members). */
static void gen_zincrby(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "ZINCRBY");
    int lexpack = diff_rng_chance(&g->rng, 15);
    int key = add_key(g, cmd, lexpack ? HOME_LEXPACK : HOME_ZSET, lexpack ? 0 : PICK_NO_LEX);
    add_score(g, cmd);
    add_zset_member(g, cmd, key);
}

static void gen_zrem(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "ZREM");
    int key = add_key(g, cmd, diff_rng_chance(&g->rng, 20) ? lex_home(g) : HOME_ZSET, 0);
    int n = (int)diff_rng_range(&g->rng, 1, 4);
    for (int i = 0; i < n; i++) add_zset_member(g, cmd, key);
}

/* ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD ZCOUNT, on any sorted set. */
static void gen_zread(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"ZSCORE",   "ZSCORE", "ZMSCORE", "ZRANK",
                                        "ZREVRANK", "ZCARD",  "ZCOUNT"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int key = add_key(g, cmd, diff_rng_chance(&g->rng, 15) ? lex_home(g) : HOME_ZSET, 0);
    if (!strcmp(name, "ZCOUNT")) {
        add_score_bound(g, cmd);
        add_score_bound(g, cmd);
    } else if (!strcmp(name, "ZMSCORE")) {
        int n = (int)diff_rng_range(&g->rng, 1, 4);
        for (int i = 0; i < n; i++) add_zset_member(g, cmd, key);
    } else if (strcmp(name, "ZCARD")) {
        add_zset_member(g, cmd, key);
    }
}

static void add_limit(struct generator *g, struct diff_cmd *cmd)
{
    add_word(g, cmd, "LIMIT");
    diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1, 6));
    if (diff_rng_chance(&g->rng, 97))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -2, 10));
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES], and
 * ZRANGESTORE dst src min max ... The options come in order, each now and
 * then, so invalid combinations (LIMIT without BY*, BYLEX WITHSCORES) occur
 * too; BYLEX only on lex keys (x or y). */
static void gen_zrange_generic(struct generator *g, struct diff_batch *b, int store)
{
    struct diff_cmd *cmd = begin(g, b, store ? "ZRANGESTORE" : "ZRANGE");
    uint64_t by = diff_rng_below(&g->rng, 100);
    int lex = by >= 75;
    if (store) add_key(g, cmd, HOME_ZSET, PICK_NO_LEX | PICK_NO_BIG);
    int key = add_key(g, cmd, lex ? lex_home(g) : HOME_ZSET, 0);
    int rev = diff_rng_chance(&g->rng, 40);
    if (lex) {
        add_lex_range(g, cmd, key, rev);
        add_word(g, cmd, "BYLEX");
    } else if (by >= 40) {
        add_score_bound(g, cmd);
        add_score_bound(g, cmd);
        add_word(g, cmd, "BYSCORE");
    } else {
        add_index(g, cmd);
        add_index(g, cmd);
    }
    if (rev) add_word(g, cmd, "REV");
    if (diff_rng_chance(&g->rng, by < 40 ? 5 : 35)) add_limit(g, cmd);
    if (!store && diff_rng_chance(&g->rng, lex ? 3 : 40)) add_word(g, cmd, "WITHSCORES");
}

static void gen_zrange(struct generator *g, struct diff_batch *b)
{
    gen_zrange_generic(g, b, diff_rng_chance(&g->rng, 15));
}

/* The older range commands: ZRANGEBYSCORE ZREVRANGEBYSCORE (WITHSCORES,
 * LIMIT), ZRANGEBYLEX ZREVRANGEBYLEX ZLEXCOUNT (LIMIT), ZREVRANGE. */
static void gen_zrange_old(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"ZRANGEBYSCORE",  "ZREVRANGEBYSCORE", "ZRANGEBYLEX",
                                        "ZREVRANGEBYLEX", "ZLEXCOUNT",        "ZREVRANGE"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int lex = strstr(name, "LEX") != NULL;
    int key = add_key(g, cmd, lex ? lex_home(g) : HOME_ZSET, 0);
    if (lex) {
        add_lex_range(g, cmd, key, !strcmp(name, "ZREVRANGEBYLEX"));
        if (strcmp(name, "ZLEXCOUNT") && diff_rng_chance(&g->rng, 30)) add_limit(g, cmd);
    } else if (!strcmp(name, "ZREVRANGE")) {
        add_index(g, cmd);
        add_index(g, cmd);
        if (diff_rng_chance(&g->rng, 40)) add_word(g, cmd, "WITHSCORES");
    } else {
        add_score_bound(g, cmd);
        add_score_bound(g, cmd);
        int withscores = diff_rng_chance(&g->rng, 40), limit = diff_rng_chance(&g->rng, 30);
        int limit_first = diff_rng_chance(&g->rng, 50);
        if (limit && limit_first) add_limit(g, cmd);
        if (withscores) add_word(g, cmd, "WITHSCORES");
        if (limit && !limit_first) add_limit(g, cmd);
    }
}

/* ZREMRANGEBYRANK/SCORE/LEX, gently on the big keys. */
static void gen_zremrange(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int lex = !strcmp(name, "ZREMRANGEBYLEX");
    int key = add_key(g, cmd, lex ? lex_home(g) : HOME_ZSET, 0);
    if (lex) {
        add_lex_range(g, cmd, key, 0);
    } else if (!strcmp(name, "ZREMRANGEBYSCORE")) {
        add_score_bound(g, cmd);
        add_score_bound(g, cmd);
    } else if (keys[key].big) {
        long long start = diff_rng_range(&g->rng, -20, 20);
        diff_cmd_ll(cmd, start);
        diff_cmd_ll(cmd, start + diff_rng_range(&g->rng, 0, 3));
    } else {
        add_index(g, cmd);
        add_index(g, cmd);
    }
}

static void gen_zpop(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "ZPOPMIN" : "ZPOPMAX");
    add_key(g, cmd, diff_rng_chance(&g->rng, 15) ? lex_home(g) : HOME_ZSET, 0);
    if (diff_rng_chance(&g->rng, 50)) add_count(g, cmd);
}

static void gen_zrandmember(struct generator *g, struct diff_batch *b)
{
    gen_random_pick(g, b, "ZRANDMEMBER", HOME_ZSET, "WITHSCORES");
}

/* A weight: integers, fractions, the infinities (inf * 0 is NaN, which Redis
 * turns into 0), rarely not a number. */
static void add_weight(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const weights[] = {
        "1", "2", "0", "-1", "0.5", "1.5", "inf", "-inf", "3.0000000000000004", "1e308"};
    if (diff_rng_chance(&g->rng, 97))
        diff_cmd_str(cmd, PICK(g, weights));
    else
        diff_cmd_str(cmd, PICK(g, bad_scores));
}

/* ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZUNION ZINTER ZDIFF ZINTERCARD: sorted
 * sets and sets (score 1) as inputs, WEIGHTS, AGGREGATE, WITHSCORES,
 * numkeys sometimes wrong. Outputs never go to a lex key. */
static void gen_zsetop(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION",
                                        "ZINTER",      "ZDIFF",       "ZINTERCARD"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    int store = strstr(name, "STORE") != NULL;
    int diff = strstr(name, "DIFF") != NULL, card = !strcmp(name, "ZINTERCARD");
    if (store) add_key(g, cmd, HOME_ZSET, PICK_NO_LEX | PICK_NO_BIG);
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    if (diff_rng_chance(&g->rng, 4))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1, 4));
    else
        diff_cmd_ll(cmd, n);
    for (int i = 0; i < n; i++) {
        uint64_t r = diff_rng_below(&g->rng, 100);
        add_key(g, cmd, r < 15 ? HOME_SET : r < 25 ? lex_home(g) : HOME_ZSET, 0);
    }
    if (card) {
        if (diff_rng_chance(&g->rng, 50)) {
            add_word(g, cmd, "LIMIT");
            add_count(g, cmd);
        }
        return;
    }
    if (!diff && diff_rng_chance(&g->rng, 40)) {
        add_word(g, cmd, "WEIGHTS");
        int w = diff_rng_chance(&g->rng, 95) ? n : (int)diff_rng_range(&g->rng, 0, 4);
        for (int i = 0; i < w; i++) add_weight(g, cmd);
    }
    if (!diff && diff_rng_chance(&g->rng, 40)) {
        static const char *const aggregates[] = {"SUM", "MIN", "MAX", "MAX", "AVG"};
        add_word(g, cmd, "AGGREGATE");
        add_word(g, cmd, PICK(g, aggregates));
    }
    if (diff_rng_chance(&g->rng, store ? 3 : 50)) add_word(g, cmd, "WITHSCORES");
}

/* ZMPOP numkeys key... MIN|MAX [COUNT n]. */
static void gen_zmpop(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "ZMPOP");
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    if (diff_rng_chance(&g->rng, 5))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1, 5));
    else
        diff_cmd_ll(cmd, n);
    for (int i = 0; i < n; i++) add_key(g, cmd, HOME_ZSET, 0);
    add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "MIN" : "MAX");
    if (diff_rng_chance(&g->rng, 50)) {
        add_word(g, cmd, "COUNT");
        add_count(g, cmd);
    }
}

/* BZPOPMIN BZPOPMAX key... timeout, after a ZADD outside MULTI (see
 * "Blocking pops"). */
static void gen_blocking_zset(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"BZPOPMIN", "BZPOPMAX"};
    const char *name = PICK(g, names);
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    int src[3];
    for (int i = 0; i < n; i++) src[i] = pick_key(g, HOME_ZSET, PICK_NO_LEX);
    if (!g->in_multi) {
        int key = src[diff_rng_below(&g->rng, (uint64_t)n)];
        struct diff_cmd *cmd = begin(g, b, "ZADD");
        add_key_index(cmd, key);
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
        add_zset_member(g, cmd, key);
    }
    struct diff_cmd *cmd = begin(g, b, name);
    for (int i = 0; i < n; i++) add_key_index(cmd, src[i]);
    add_timeout(g, cmd);
}

/* ---------------------------------------------------------------------------
 * Whole scans and SPOP: outside MULTI only, they need the batch answered
 * first.
 * ------------------------------------------------------------------------- */

static void run_batch(struct generator *g, struct diff_batch *b);

/* HSCAN SSCAN ZSCAN (and SCAN ... TYPE) iterated to the end on both servers,
 * compared as sets; MATCH and COUNT now and then. */
static void gen_scan(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"HSCAN", "SSCAN", "ZSCAN", "SCAN"};
    static const enum home homes[] = {HOME_HASH, HOME_SET, HOME_ZSET, HOME_ODD};
    static const char *const patterns[] = {"*", "f1*", "m*", "a*", "[a-c]", "*1", "?"};
    static const char *const types[] = {"string", "list", "hash", "set", "zset", "stream"};
    if (g->in_multi) {
        gen_inspect(g, b);
        return;
    }
    run_batch(g, b);
    int which = (int)diff_rng_below(&g->rng, 4);
    struct diff_cmd cmd = {0};
    diff_cmd_reset(&cmd);
    add_word(g, &cmd, names[which]);
    if (which < 3) add_key(g, &cmd, homes[which], 0);
    diff_cmd_str(&cmd, "0");
    if (diff_rng_chance(&g->rng, 30)) {
        add_word(g, &cmd, "MATCH");
        diff_cmd_str(&cmd, PICK(g, patterns));
    }
    if (diff_rng_chance(&g->rng, 30)) {
        add_word(g, &cmd, "COUNT");
        diff_cmd_ll(&cmd, diff_rng_range(&g->rng, 1, 50));
    }
    if (which == 3) {
        add_word(g, &cmd, "TYPE");
        diff_cmd_str(&cmd, PICK(g, types));
    }
    diff_session_full_scan(g->session, &cmd, which < 3 ? 2 : 1);
    free(cmd.buf);
}

/* Records a mismatch found outside diff_session_check. */
static void report_mismatch(struct diff_session *s, const struct diff_cmd *cmd, const char *what)
{
    s->commands++;
    s->mismatches++;
    if (s->mismatches > DIFF_REPORT_MAX) return;
    fprintf(stderr,
            "diff: MISMATCH at command #%lld of the %s (seed %llu): %s\n  command: ", s->commands,
            s->phase, s->seed, what);
    diff_print_cmd(stderr, cmd);
    fputc('\n', stderr);
}

/* The members in a reply (one bulk string, or an array of them) as
 * pointers into it; returns how many. */
static size_t reply_members(const redisReply *r, const redisReply **out, size_t max)
{
    if (r->type == REDIS_REPLY_STRING) {
        out[0] = r;
        return 1;
    }
    size_t n = 0;
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements && n < max; i++)
            if (r->element[i]->type == REDIS_REPLY_STRING) out[n++] = r->element[i];
    return n;
}

/* True when s is an integer in Redis's canonical form (what an intset may
 * hold). */
static int is_canonical_integer(const char *s, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof(buf)) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end) return 0;
    char again[32];
    snprintf(again, sizeof(again), "%lld", v);
    return strcmp(again, buf) == 0;
}

static int members_all_integers(const redisReply **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_canonical_integer(m[i]->str, m[i]->len)) return 0;
    return 1;
}

/* Sends argv to one server and returns the reply (the caller frees it). */
static redisReply *command_on(struct diff_session *s, int which, int argc, const char **argv,
                              const size_t *lens, const struct diff_cmd *cmd)
{
    redisReply *r = redisCommandArgv(s->conns[which], argc, argv, lens);
    if (!r) diff_session_abort(s, which, cmd);
    return r;
}

/* Runs `name key members...` on one server; returns its integer reply or -1. */
static long long members_command(struct diff_session *s, int which, const char *name,
                                 const struct key *key, const redisReply **m, size_t n,
                                 const struct diff_cmd *cmd)
{
    const char **argv = malloc((n + 2) * sizeof(*argv));
    size_t *lens = malloc((n + 2) * sizeof(*lens));
    if (!argv || !lens) harness_fail(__FILE__, __LINE__, "out of memory");
    argv[0] = name;
    lens[0] = strlen(name);
    argv[1] = key->text;
    lens[1] = key->len;
    for (size_t i = 0; i < n; i++) {
        argv[2 + i] = m[i]->str;
        lens[2 + i] = m[i]->len;
    }
    redisReply *r = command_on(s, which, (int)(n + 2), argv, lens, cmd);
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    free(argv);
    free(lens);
    return v;
}

/* OBJECT ENCODING of a key on one server, into buf. */
static void encoding_on(struct diff_session *s, int which, const struct key *key, char *buf,
                        size_t size, const struct diff_cmd *cmd)
{
    const char *argv[3] = {"OBJECT", "ENCODING", key->text};
    size_t lens[3] = {6, 8, key->len};
    redisReply *r = command_on(s, which, 3, argv, lens, cmd);
    snprintf(buf, size, "%.*s", r->type == REDIS_REPLY_STRING ? (int)r->len : 0,
             r->type == REDIS_REPLY_STRING ? r->str : "");
    freeReplyObject(r);
}

static void normalise(redisReply *r, const struct check *check);

/* Sorts members and returns how many of a are not in b (written to out). */
static size_t members_minus(const redisReply **a, size_t na, const redisReply **b, size_t nb,
                            const redisReply **out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na) {
        int c = j == nb ? -1 : diff_reply_order(a[i], b[j]);
        if (c < 0)
            out[n++] = a[i++];
        else if (c > 0)
            j++;
        else
            i++, j++;
    }
    return n;
}

static int member_order_qsort(const void *a, const void *b)
{
    return diff_reply_order(*(const redisReply *const *)a, *(const redisReply *const *)b);
}

/* SPOP. Inside MULTI (and between WATCH and MULTI) only forms whose answer
 * is certain: a count of 0, one that takes everything (compared as a set),
 * an invalid one. Elsewhere any count: the replies are compared by count,
 * then the server under test is put in step with the reference: it loses
 * what the reference popped and it did not, then gets back what it popped
 * and the reference did not (both must count every member), so the set
 * never grows past its final size. Redis rebuilds a set when it pops most of
 * it, as an intset if what is left is all integers, so the two picks alone
 * may explain different encodings unless everything popped and left is an
 * integer (then it is a mismatch); either way the set is then rebuilt
 * alike on both servers. */
static void gen_spop(struct generator *g, struct diff_batch *b)
{
    if (g->in_multi || g->in_watch) {
        struct diff_cmd *cmd = begin(g, b, "SPOP");
        add_key(g, cmd, HOME_SET, PICK_NO_BIG);
        static const char *const counts[] = {"0", "100000", "-1", "abc"};
        diff_cmd_str(cmd, PICK(g, counts));
        set_check(g, b, NORM_SORTED, 1, 0);
        return;
    }
    run_batch(g, b);
    struct diff_session *s = g->session;
    struct diff_cmd cmd = {0};
    diff_cmd_reset(&cmd);
    add_word(g, &cmd, "SPOP");
    int key = pick_key(g, HOME_SET, 0);
    const struct key *k = &keys[key];
    add_key_index(&cmd, key);
    struct check check = {NORM_SHAPE, 1, 0};
    if (diff_rng_chance(&g->rng, 60)) {
        uint64_t r = diff_rng_below(&g->rng, 100);
        long long count = r < 80   ? diff_rng_range(&g->rng, 0, k->big ? 20 : 5)
                          : r < 90 ? diff_rng_range(&g->rng, 6, MAX_SPOP_COUNT)
                          : r < 95 ? 100000
                                   : -1;
        diff_cmd_ll(&cmd, count);
        check = (struct check){NORM_RANDOM, 1, count};
    }
    redisReply *reference[1], *tested[1];
    redisReply **replies[2] = {reference, tested};
    diff_session_exchange(s, &cmd, 1, replies);

    size_t room = 1 + (reference[0]->type == REDIS_REPLY_ARRAY ? reference[0]->elements : 0) +
                  (tested[0]->type == REDIS_REPLY_ARRAY ? tested[0]->elements : 0);
    const redisReply **a = malloc(4 * room * sizeof(*a));
    if (!a) harness_fail(__FILE__, __LINE__, "out of memory");
    const redisReply **t = a + room, **only_a = t + room, **only_t = only_a + room;
    size_t na = reply_members(reference[0], a, room);
    size_t nt = reply_members(tested[0], t, room);
    qsort(a, na, sizeof(*a), member_order_qsort);
    qsort(t, nt, sizeof(*t), member_order_qsort);
    size_t n_only_a = members_minus(a, na, t, nt, only_a);
    size_t n_only_t = members_minus(t, nt, a, na, only_t);
    if (n_only_a || n_only_t) {
        /* SREM first, so the set never outgrows its final size, unless that
         * would empty it (the key would go, and SADD make a new set) */
        const char *card[2] = {"SCARD", k->text};
        size_t card_lens[2] = {5, k->len};
        redisReply *r = command_on(s, DIFF_TESTED, 2, card, card_lens, &cmd);
        int add_first = r->type == REDIS_REPLY_INTEGER && r->integer == (long long)n_only_a;
        freeReplyObject(r);
        long long removed = 0, added = 0;
        if (add_first && n_only_t)
            added = members_command(s, DIFF_TESTED, "SADD", k, only_t, n_only_t, &cmd);
        if (n_only_a) removed = members_command(s, DIFF_TESTED, "SREM", k, only_a, n_only_a, &cmd);
        if (!add_first && n_only_t)
            added = members_command(s, DIFF_TESTED, "SADD", k, only_t, n_only_t, &cmd);
        if (removed != (long long)n_only_a || added != (long long)n_only_t)
            report_mismatch(s, &cmd, "SPOP popped members the set did not have, or kept some");
        char encoding[2][32];
        encoding_on(s, DIFF_REFERENCE, k, encoding[0], sizeof(encoding[0]), &cmd);
        encoding_on(s, DIFF_TESTED, k, encoding[1], sizeof(encoding[1]), &cmd);
        if (strcmp(encoding[0], encoding[1])) {
            const char *argv[2] = {"SMEMBERS", k->text};
            size_t lens[2] = {8, k->len};
            redisReply *left = command_on(s, DIFF_REFERENCE, 2, argv, lens, &cmd);
            const redisReply **m = malloc((left->elements + 1) * sizeof(*m));
            if (!m) harness_fail(__FILE__, __LINE__, "out of memory");
            size_t nm = reply_members(left, m, left->elements);
            /* With every member popped and left an integer, both servers
             * must have rebuilt the set alike. */
            if (members_all_integers(a, na) && members_all_integers(t, nt) &&
                members_all_integers(m, nm)) {
                char why[128];
                snprintf(why, sizeof(why), "encoding after SPOP differs: %s, tested %s",
                         encoding[0], encoding[1]);
                report_mismatch(s, &cmd, why);
            }
            const char *del[2] = {"DEL", k->text};
            size_t del_lens[2] = {3, k->len};
            for (int w = 0; w < 2; w++) {
                freeReplyObject(command_on(s, w, 2, del, del_lens, &cmd));
                if (nm) members_command(s, w, "SADD", k, m, nm, &cmd);
            }
            free(m);
            freeReplyObject(left);
        }
    }
    free(a);
    normalise(reference[0], &check);
    normalise(tested[0], &check);
    diff_session_check(s, &cmd, reference[0], tested[0]);
    freeReplyObject(reference[0]);
    freeReplyObject(tested[0]);
    free(cmd.buf);
}

/* ---------------------------------------------------------------------------
 * Errors: wrong arities, bad options, numkeys out of range. Each is one
 * line, split at spaces; those naming a command not yet available are
 * skipped. None may block: every blocking one is refused.
 * ------------------------------------------------------------------------- */

static const char *const bad_commands[] = {
    "HSET h0 f",
    "HSET h0 f v g",
    "HMSET h0 f v g",
    "HGET h0",
    "HDEL h0",
    "HINCRBY h0 f",
    "HINCRBYFLOAT h0 f 1 2",
    "HRANDFIELD h0 1 WITHVALUES x",
    "HRANDFIELD h0 x",
    "HSCAN h0 0 COUNT 0",
    "HSCAN h0 x",
    "SADD S0",
    "SREM S0",
    "SMOVE S0 S1",
    "SPOP S0 1 2",
    "SRANDMEMBER S0 1 2",
    "SINTERSTORE S2",
    "SSCAN S0 0 MATCH",
    "SINTERCARD 0 S0",
    "SINTERCARD 2 S0",
    "SINTERCARD 1 S0 LIMIT -1",
    "SINTERCARD 1 S0 LIMIT",
    "SINTERCARD 1 S0 FOO 1",
    "SINTERCARD x S0",
    "ZADD z0 1",
    "ZADD z0 1 a 2",
    "ZADD z0 NX XX 1 a",
    "ZADD z0 GT LT 1 a",
    "ZADD z0 NX GT 1 a",
    "ZADD z0 INCR 1 a 2 b",
    "ZADD z0 nan a",
    "ZADD z0 FOO 1 a",
    "ZINCRBY z0 1",
    "ZINCRBY z0 nan a",
    "ZRANGE z0 0",
    "ZRANGE z0 0 -1 LIMIT 0 1",
    "ZRANGE x0 (a [b BYLEX WITHSCORES",
    "ZRANGE z0 0 -1 BYSCORE BYLEX",
    "ZRANGE z0 0 -1 LIMIT 0",
    "ZRANGE z0 0 -1 FOO",
    "ZRANGEBYSCORE z0 0 1 LIMIT 0",
    "ZRANGEBYSCORE z0 0 1 WITHSCORES LIMIT",
    "ZRANGEBYLEX x0 a b",
    "ZRANGESTORE z3 z0 0 -1 WITHSCORES",
    "ZREVRANGE z0 0",
    "ZSCORE z0",
    "ZMSCORE z0",
    "ZPOPMIN z0 1 2",
    "ZPOPMIN z0 -1",
    "ZRANDMEMBER z0 1 WITHSCORES x",
    "ZUNIONSTORE z3 0 z0",
    "ZUNIONSTORE z3 2 z0",
    "ZUNIONSTORE z3 1 z0 WEIGHTS",
    "ZUNIONSTORE z3 1 z0 WEIGHTS 1 2",
    "ZUNIONSTORE z3 1 z0 AGGREGATE AVG",
    "ZUNIONSTORE z3 1 z0 AGGREGATE",
    "ZUNIONSTORE z3 1 z0 WITHSCORES",
    "ZUNIONSTORE z3 x z0",
    "ZINTERSTORE z3 -1 z0",
    "ZINTERSTORE z3 1",
    "ZUNION 1 z0 WITHSCORES x",
    "ZUNION 0 z0",
    "ZINTER 3 z0 z1",
    "ZDIFF 0 z0",
    "ZDIFF 1 z0 WEIGHTS 1",
    "ZDIFFSTORE z3 1 z0 AGGREGATE SUM",
    "ZINTERCARD 1 z0 LIMIT -1",
    "ZINTERCARD 0 z0",
    "ZINTERCARD 2 z0",
    "LMPOP 0 l0 LEFT",
    "LMPOP 1 l0 UP",
    "LMPOP 1 l0 LEFT COUNT 0",
    "LMPOP 1 l0 LEFT COUNT -1",
    "LMPOP 2 l0 LEFT",
    "LMPOP 1 l0 LEFT COUNT 1 COUNT 2",
    "LMPOP 1 l0",
    "ZMPOP 1 z0 MIN COUNT -1",
    "ZMPOP 1 z0 BOTH",
    "ZMPOP 0 z0 MIN",
    "ZMPOP 1 z0 MAX COUNT",
    "BLPOP l0",
    "BLPOP l0 -1",
    "BLPOP l0 abc",
    "BLPOP l0 inf",
    "BRPOP l0 l1 -0.01",
    "BZPOPMIN z0 -1",
    "BZPOPMAX z0 nan",
    "BZPOPMAX z0",
    "BLMOVE l0 l1 LEFT UP 0",
    "BLMOVE l0 l1 LEFT RIGHT -1",
    "BLMOVE l0 l1 LEFT",
    "BRPOPLPUSH l0 l1 x",
    "BRPOPLPUSH l0 l1",
    "OBJECT ENCODING",
    "OBJECT FOO z0",
    "TYPE",
    "RENAME z0",
};

static void gen_bad_command(struct generator *g, struct diff_batch *b)
{
    const char *line = PICK(g, bad_commands);
    char name[32];
    size_t n = strcspn(line, " ");
    snprintf(name, sizeof(name), "%.*s", (int)n, line);
    struct diff_cmd *cmd = begin(g, b, name);
    for (const char *p = line + n; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (len) diff_cmd_arg(cmd, p, len);
        p += len;
    }
}

/* ---------------------------------------------------------------------------
 * Transactions and the mix
 * ------------------------------------------------------------------------- */

static void gen_transaction(struct generator *g, struct diff_batch *b);

static const struct {
    void (*generate)(struct generator *, struct diff_batch *);
    int weight;
    int plain; /* may be queued inside MULTI */
} mix[] = {
    {gen_string, 350, 1},      {gen_del, 120, 1},           {gen_inspect, 300, 1},
    {gen_rename, 60, 1},       {gen_flushdb, 1, 1},         {gen_list, 300, 1},
    {gen_lmpop, 80, 1},        {gen_blocking_list, 120, 1}, {gen_hset, 500, 1},
    {gen_hread, 500, 1},       {gen_hdel, 200, 1},          {gen_hincr, 250, 1},
    {gen_hrandfield, 120, 1},  {gen_sadd, 600, 1},          {gen_sread, 400, 1},
    {gen_srandmember, 120, 1}, {gen_smove, 150, 1},         {gen_setop, 300, 1},
    {gen_zadd, 700, 1},        {gen_zincrby, 200, 1},       {gen_zrem, 200, 1},
    {gen_zread, 450, 1},       {gen_zrange, 500, 1},        {gen_zrange_old, 350, 1},
    {gen_zremrange, 120, 1},   {gen_zpop, 150, 1},          {gen_zrandmember, 120, 1},
    {gen_zsetop, 300, 1},      {gen_zmpop, 80, 1},          {gen_blocking_zset, 100, 1},
    {gen_bad_command, 100, 1}, {gen_spop, 60, 1},           {gen_scan, 25, 0},
    {gen_transaction, 400, 0},
};

/* Appends the next command of the stream (or a group: a transaction, a
 * push and its blocking pop); only plain commands when `plain_only`. */
static void generate(struct generator *g, struct diff_batch *b, int plain_only)
{
    long long total = 0;
    for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
        if (mix[i].plain || !plain_only) total += mix[i].weight;
    long long r = (long long)diff_rng_below(&g->rng, (uint64_t)total);
    for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
        if (!mix[i].plain && plain_only) continue;
        if (r < mix[i].weight) {
            mix[i].generate(g, b);
            return;
        }
        r -= mix[i].weight;
    }
}

/* [WATCH keys [own writes] [UNWATCH]] MULTI body... EXEC|DISCARD. The
 * client's own writes to a watched key make EXEC fail (nil) as another
 * client's would: that checks that every writer touches the key, and that
 * writers which change nothing (SADD of a member already there) do not. The
 * body may hold an error at queue time (EXECABORT), a nested MULTI (refused,
 * the transaction goes on), and runtime errors (reported in place). */
static void gen_transaction(struct generator *g, struct diff_batch *b)
{
    if (diff_rng_chance(&g->rng, 40)) {
        struct diff_cmd *cmd = begin(g, b, "WATCH");
        g->focus = add_key(g, cmd, HOME_ODD, 0);
        if (diff_rng_chance(&g->rng, 40)) add_key(g, cmd, HOME_ODD, 0);
        /* the client's own writes, in step on both servers (no SPOP) */
        g->in_watch = 1;
        int own = (int)diff_rng_range(&g->rng, 0, 2);
        for (int i = 0; i < own; i++) generate(g, b, 1);
        g->in_watch = 0;
        if (diff_rng_chance(&g->rng, 8)) begin(g, b, "UNWATCH");
    }
    begin(g, b, "MULTI");
    int first = b->count;
    g->in_multi = 1;
    int n = (int)diff_rng_range(&g->rng, 0, 6);
    int queued_error = diff_rng_chance(&g->rng, 8) ? (int)diff_rng_range(&g->rng, 0, n) : -1;
    for (int i = 0; i <= n; i++) {
        if (i == queued_error) {
            static const char *const names[] = {"ZADDD", "HFOO", "S"};
            add_key(g, begin(g, b, PICK(g, names)), HOME_ODD, 0);
        }
        if (i == n) break;
        if (diff_rng_chance(&g->rng, 2))
            begin(g, b, "MULTI");
        else
            generate(g, b, 1);
    }
    g->in_multi = 0;
    g->focus = -1;
    if (diff_rng_chance(&g->rng, 90)) {
        begin(g, b, "EXEC");
        set_check(g, b, NORM_EXEC, 1, first);
    } else {
        begin(g, b, "DISCARD");
    }
}

/* ---------------------------------------------------------------------------
 * Running batches
 * ------------------------------------------------------------------------- */

/* Turns an array reply into an integer reply holding `n`. */
static void reply_to_integer(redisReply *r, long long n)
{
    for (size_t i = 0; i < r->elements; i++) freeReplyObject(r->element[i]);
    free(r->element);
    r->element = NULL;
    r->elements = 0;
    r->type = REDIS_REPLY_INTEGER;
    r->integer = n;
}

/* Makes a reply comparable under `check` (see "Reply normalisation"). A
 * random pick with a count >= 0 returns distinct elements: their number is
 * compared, and the elements themselves (as a set) when there were fewer
 * than asked, that is the whole collection; a repeated element turns the
 * reply into a negative number, which cannot match. A negative count allows
 * repeats: only the number is compared. */
static void normalise(redisReply *r, const struct check *check)
{
    if (!r || r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_NIL) return;
    switch (check->norm) {
    case NORM_SORTED:
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 1)
            qsort(r->element, r->elements, sizeof(*r->element), diff_reply_order_qsort);
        break;
    case NORM_PAIRS:
        if (r->type == REDIS_REPLY_ARRAY && r->elements % 2 == 0 && r->elements > 2)
            qsort(r->element, r->elements / 2, 2 * sizeof(*r->element), diff_pair_order_qsort);
        break;
    case NORM_SHAPE:
        if (r->type == REDIS_REPLY_STRING) r->len = 0;
        if (r->type == REDIS_REPLY_ARRAY) reply_to_integer(r, (long long)r->elements);
        break;
    case NORM_RANDOM: {
        if (r->type != REDIS_REPLY_ARRAY) break;
        size_t width = (size_t)check->width, n = r->elements / width;
        if (check->count < 0) {
            reply_to_integer(r, (long long)n);
            break;
        }
        if (n > 1 && width == 2)
            qsort(r->element, n, 2 * sizeof(*r->element), diff_pair_order_qsort);
        else if (n > 1)
            qsort(r->element, n, sizeof(*r->element), diff_reply_order_qsort);
        int repeated = 0;
        for (size_t i = 1; i < n; i++)
            if (diff_reply_order(r->element[i * width], r->element[(i - 1) * width]) == 0)
                repeated = 1;
        if (repeated)
            reply_to_integer(r, -1 - (long long)n);
        else if ((long long)n >= check->count)
            reply_to_integer(r, (long long)n);
        break;
    }
    default:
        break;
    }
}

/* EXEC's reply: element i belongs to the i-th command of the body that was
 * queued (answered +QUEUED by the reference). */
static void normalise_exec(struct generator *g, int exec, redisReply *const *reference,
                           redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY) return;
    size_t element = 0;
    for (int i = (int)g->checks[exec].count; i < exec && element < r->elements; i++) {
        const redisReply *q = reference[i];
        if (q->type != REDIS_REPLY_STATUS || q->len != 6 || memcmp(q->str, "QUEUED", 6)) continue;
        normalise(r->element[element++], &g->checks[i]);
    }
}

/* Sends the batch to both servers, compares every reply after normalising
 * it, empties the batch. A mismatched EXEC also prints its queued commands,
 * the first mismatch the CONTEXT_COMMANDS commands before it. */
static void run_batch(struct generator *g, struct diff_batch *b)
{
    struct diff_session *s = g->session;
    redisReply *reference[DIFF_BATCH_MAX], *tested[DIFF_BATCH_MAX];
    redisReply **replies[2] = {reference, tested};
    if (!b->count) return;
    diff_session_exchange(s, b->cmds, b->count, replies);
    for (int i = 0; i < b->count; i++) {
        const struct check *check = &g->checks[i];
        if (check->norm == NORM_EXEC) {
            normalise_exec(g, i, reference, reference[i]);
            normalise_exec(g, i, reference, tested[i]);
        } else {
            normalise(reference[i], check);
            normalise(tested[i], check);
        }
        if (diff_session_check(s, &b->cmds[i], reference[i], tested[i])) continue;
        /* the first time, the commands before it in the batch, for context */
        int from = check->norm == NORM_EXEC ? (int)check->count : i;
        if (s->mismatches == 1) from = i > CONTEXT_COMMANDS ? i - CONTEXT_COMMANDS : 0;
        if (s->mismatches > DIFF_REPORT_MAX) from = i;
        for (int q = from; q < i; q++) {
            fprintf(stderr, "    before: ");
            diff_print_cmd(stderr, &b->cmds[q]);
            fprintf(stderr, " -> ");
            diff_print_reply(stderr, tested[q]);
            fputc('\n', stderr);
        }
    }
    for (int i = 0; i < b->count; i++) {
        freeReplyObject(reference[i]);
        freeReplyObject(tested[i]);
    }
    b->count = 0;
}

/* ---------------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------------- */

/* DEBUG DIGEST on both servers, compared exactly. */
static void check_digest(struct diff_session *s)
{
    struct diff_cmd cmd = {0};
    diff_cmd_reset(&cmd);
    diff_cmd_str(&cmd, "DEBUG");
    diff_cmd_str(&cmd, "DIGEST");
    diff_session_one(s, &cmd, NULL);
    free(cmd.buf);
}

/* For every key of the key space: TYPE, OBJECT ENCODING, DEBUG DIGEST-VALUE. */
static void check_keys(struct diff_session *s)
{
    static const char *const probes[][2] = {
        {"TYPE", NULL}, {"OBJECT", "ENCODING"}, {"DEBUG", "DIGEST-VALUE"}};
    struct diff_cmd cmd = {0};
    snprintf(s->phase, sizeof(s->phase), "final check of every key");
    for (int k = 0; k < KEY_COUNT; k++) {
        for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
            diff_cmd_reset(&cmd);
            diff_cmd_str(&cmd, probes[p][0]);
            if (probes[p][1]) diff_cmd_str(&cmd, probes[p][1]);
            add_key_index(&cmd, k);
            diff_session_one(s, &cmd, NULL);
        }
    }
    free(cmd.buf);
    snprintf(s->phase, sizeof(s->phase), "stream");
}

/* One run: a seed and the servers' configuration. */
struct run {
    unsigned long long seed;
    const char *const *args;
    const char *config;
};

static const char *const args_default[] = {"--enable-debug-command", "yes", NULL};
static const char *const args_tiny[] = {"--enable-debug-command",
                                        "yes",
                                        "--hash-max-listpack-entries",
                                        "8",
                                        "--hash-max-listpack-value",
                                        "16",
                                        "--set-max-intset-entries",
                                        "8",
                                        "--zset-max-listpack-entries",
                                        "8",
                                        "--zset-max-listpack-value",
                                        "16",
                                        "--list-max-listpack-size",
                                        "4",
                                        NULL};
static const struct run runs[] = {
    {20251126ULL, args_default, "default encodings"},
    {6502ULL, args_tiny, "tiny listpacks and intsets"},
    {31337ULL, args_default, "default encodings"},
};
#define RUN_COUNT ((int)(sizeof(runs) / sizeof(runs[0])))

/* Runs one stream of about `count` commands and the final comparisons; adds
 * to the totals. */
static void run_stream(const char *tested, const struct run *run, long long count,
                       long long *commands, long long *mismatches)
{
    static struct diff_batch batch;
    static struct generator g;
    struct diff_session session;
    printf("diff_types: seed %llu, %s\n", run->seed, run->config);
    fflush(stdout);
    diff_session_start_with(&session, tested, run->seed, run->args);
    generator_init(&g, run->seed, &session);
    long long next_digest = DIGEST_EVERY;
    while (session.commands + batch.count < count) {
        generate(&g, &batch, 0);
        if (batch.count >= DIFF_BATCH) run_batch(&g, &batch);
        if (session.commands >= next_digest) {
            run_batch(&g, &batch);
            check_digest(&session);
            next_digest += DIGEST_EVERY;
        }
    }
    run_batch(&g, &batch);
    check_digest(&session);
    check_keys(&session);
    diff_session_compare_datasets(&session, DIFF_DATABASES);
    check_digest(&session);
    *commands += session.commands;
    *mismatches += session.mismatches;
    diff_session_finish(&session);
    diff_batch_free(&batch);
}

static void usage(const char *program)
{
    fprintf(stderr, "usage: %s [server-under-test] [--seed N] [--count N] [--config 0..%d]\n",
            program, RUN_COUNT - 1);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long seed = 0, count = DEFAULT_COUNT, config = 0;
    int one_seed = 0;
    const char *env = getenv("DIFF_TYPES_SEED");
    if (env && *env) {
        if (diff_parse_number(env, &seed)) usage(argv[0]);
        one_seed = 1;
    }
    /* Without a binary (first argument an option), redis-server is tested
     * against itself. */
    int first_option = argc > 1 && argv[1][0] != '-' ? 2 : 1;
    const char *tested = harness_binary_from_args(first_option, argv);
    for (int i = first_option; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (diff_parse_number(argv[++i], &seed)) usage(argv[0]);
            one_seed = 1;
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (diff_parse_number(argv[++i], &count)) usage(argv[0]);
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            if (diff_parse_number(argv[++i], &config) || config >= (unsigned long long)RUN_COUNT)
                usage(argv[0]);
        } else {
            usage(argv[0]);
        }
    }
    long long commands = 0, mismatches = 0;
    if (one_seed) {
        struct run run = runs[config];
        run.seed = seed;
        run_stream(tested, &run, (long long)count, &commands, &mismatches);
    } else {
        for (int i = 0; i < RUN_COUNT; i++)
            run_stream(tested, &runs[i], (long long)count, &commands, &mismatches);
    }
    printf("diff_types: %lld commands, %lld mismatches in total\n", commands, mismatches);
    return mismatches ? 1 : 0;
}
