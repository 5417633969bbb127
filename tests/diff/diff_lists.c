/*
 * diff_lists: the differential test of the list commands and transactions.
 *
 *   diff_lists [server-under-test] [--seed N] [--count N] [--config K]
 *
 * Starts redis-server (the reference) and the server under test, sends both
 * the same seeded random stream of commands (pipelined, DIFF_BATCH at a
 * time) and compares every reply exactly: type, value, array elements, error
 * strings byte for byte. After each stream it compares DEBUG DIGEST and the
 * whole datasets key by key (diff.h), then DEBUG DIGEST again. Without
 * --seed it runs every entry of `runs` below, each with fresh servers and a
 * list configuration of its own (default nodes, nodes of 4 entries, 4 KB
 * nodes with compressed interior nodes in Redis); --count is per run, and
 * --config K picks the configuration of runs[K] for a single --seed. Run it
 * with redis-server as the server under test to check the test itself: it
 * must report 0 mismatches.
 *
 * The stream covers LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP (with and without a
 * count) LLEN LINDEX LSET LRANGE LTRIM LREM LINSERT LPOS (RANK COUNT MAXLEN,
 * in any order, repeated, invalid) LMOVE RPOPLPUSH, with indexes and counts
 * at every edge (negative, zero, out of range, the int64 limits, not numbers)
 * and wrong arities; string commands on the same keys (SET GET APPEND INCR
 * STRLEN GETRANGE SETRANGE GETSET GETDEL), so WRONGTYPE happens both ways;
 * DEL EXISTS TYPE RENAME RENAMENX EXPIRE PEXPIRE TTL PTTL PERSIST FLUSHDB;
 * MULTI ... EXEC/DISCARD blocks, some with an error at queue time (EXECABORT),
 * nested MULTI and WATCH inside MULTI, stray EXEC/DISCARD; and WATCH/UNWATCH,
 * with a second client acting between WATCH and EXEC now and then: writing
 * or only reading the watched keys, writing the same names in database 1,
 * FLUSHDB, SWAPDB 0 1. The second client's commands are sent after every
 * earlier command of the main client has been answered and before any later
 * one is sent, on both servers alike, so the order of events is the same on
 * both. DEBUG DIGEST is compared every DIGEST_EVERY commands too, which
 * narrows down where the datasets began to differ.
 *
 * Keys come from a small space of KEY_COUNT names so that commands collide:
 * a few "big" keys get pushes of tens of elements and gentle trims, so they
 * hold hundreds of elements and span several quicklist nodes. Elements come
 * mostly from a small pool (so LREM, LPOS and LINSERT find them) holding
 * integers and near-integers ("01", "-0", each listpack integer width's
 * limits, the int64 limits and one past them), the empty string, binary
 * bytes, and runs of 63 to 4096 bytes; some are random, some up to 10 KB.
 *
 * No list command's reply depends on anything but the dataset, so all are
 * compared exactly. Time is handled as in diff_strings: TTLs are hours long
 * or <= 0 (which deletes at once), nothing expires by itself, and TTL/PTTL
 * are compared with diff.h's tolerance.
 */
#include "tests/diff/diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands per run, four runs by default: 400,000 in all, about 3 s in a
 * Release build and 20 s under TSan. */
#define DEFAULT_COUNT 100000LL
#define DIGEST_EVERY 10000 /* commands between two DEBUG DIGEST checks */
#define LARGE_ELEMENT 10240
#define RELATIVE_STEP 10000LL /* seconds: EXPIRE times are multiples of it */

/* A string constant that may hold \0, with its length. */
struct literal {
    const char *text;
    size_t len;
};
/* clang-format off */
#define LITERAL(s) {s, sizeof(s) - 1}
/* clang-format on */

/* The key space. The first SMALL_KEYS are ordinary lists, then BIG_KEYS
 * lists kept long, then keys that mostly hold strings, then odd names. */
#define SMALL_KEYS 10
#define BIG_KEYS 3
#define STRING_KEYS 2
/* clang-format off */
static const struct literal keys[] = {
    LITERAL("l0"), LITERAL("l1"), LITERAL("l2"), LITERAL("l3"), LITERAL("l4"),
    LITERAL("l5"), LITERAL("l6"), LITERAL("l7"), LITERAL("l8"), LITERAL("l9"),
    LITERAL("big0"), LITERAL("big1"), LITERAL("big2"),
    LITERAL("s0"), LITERAL("s1"),
    LITERAL(""), LITERAL("bin\0key"), LITERAL("{tag}list"),
};
/* clang-format on */
#define KEY_COUNT ((int)(sizeof(keys) / sizeof(keys[0])))
#define FIRST_BIG SMALL_KEYS
#define FIRST_STRING (SMALL_KEYS + BIG_KEYS)

/* All the generator's state: replaying the same seed gives the same stream. */
struct generator {
    struct diff_rng rng;
    struct diff_session *session;
    redisContext *second[2];    /* the second client, on each server */
    struct diff_batch *seconds; /* its commands */
    int in_multi;               /* generating the body of a MULTI block */
    int focus;                  /* a watched key favoured by add_key, or -1 */
};

/* ---------------------------------------------------------------------------
 * Keys and arguments
 * ------------------------------------------------------------------------- */

static int is_big(int key)
{
    return key >= FIRST_BIG && key < FIRST_BIG + BIG_KEYS;
}

/* Picks a key index: the focus (a watched key) half the time when there is
 * one, otherwise mostly the ordinary lists. */
static int pick_key(struct generator *g)
{
    if (g->focus >= 0 && diff_rng_chance(&g->rng, 50)) return g->focus;
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 15) return FIRST_BIG + (int)diff_rng_below(&g->rng, BIG_KEYS);
    if (r < 25) return FIRST_STRING + (int)diff_rng_below(&g->rng, STRING_KEYS);
    if (r < 31)
        return FIRST_STRING + STRING_KEYS +
               (int)diff_rng_below(&g->rng, (uint64_t)(KEY_COUNT - FIRST_STRING - STRING_KEYS));
    return (int)diff_rng_below(&g->rng, SMALL_KEYS);
}

/* A key for a string write: mostly the string keys, so that the lists
 * survive (the big ones especially), but any key now and then. */
static int pick_string_key(struct generator *g)
{
    if (diff_rng_chance(&g->rng, 85))
        return FIRST_STRING + (int)diff_rng_below(&g->rng, STRING_KEYS);
    int key = pick_key(g);
    if (is_big(key) && diff_rng_chance(&g->rng, 90)) key = pick_key(g);
    return key;
}

static void add_key_index(struct diff_cmd *cmd, int key)
{
    diff_cmd_arg(cmd, keys[key].text, keys[key].len);
}

static int add_key(struct generator *g, struct diff_cmd *cmd)
{
    int key = pick_key(g);
    add_key_index(cmd, key);
    return key;
}

/* A keyword (option or command name), in a random case now and then: Redis
 * matches them case-insensitively and so must the server under test. */
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

/* Starts a new command of the batch with its name. */
static struct diff_cmd *begin(struct generator *g, struct diff_batch *batch, const char *name)
{
    struct diff_cmd *cmd = diff_batch_add(batch);
    add_word(g, cmd, name);
    return cmd;
}

static const char *pick(struct generator *g, const char *const *list, size_t n)
{
    return list[diff_rng_below(&g->rng, n)];
}
#define PICK(g, array) pick((g), (array), sizeof(array) / sizeof((array)[0]))

/* Elements that are, or almost are, integers (a listpack stores integers
 * encoded, in 7, 13, 16, 24, 32 or 64 bits: the values around each limit;
 * "01" and "-0" must come back as they went in), and other awkward ones:
 * empty, binary, CRLF, 64 and 65 bytes. */
/* clang-format off */
static const struct literal pool[] = {
    LITERAL("a"), LITERAL("b"), LITERAL("c"), LITERAL("x"), LITERAL("hello"), LITERAL(""),
    LITERAL("0"), LITERAL("1"), LITERAL("-1"), LITERAL("01"), LITERAL("-0"), LITERAL("+1"),
    LITERAL("10"), LITERAL("127"), LITERAL("128"), LITERAL("-129"), LITERAL("32767"),
    LITERAL("65536"), LITERAL("4294967296"), LITERAL("4095"), LITERAL("4096"), LITERAL("-4096"),
    LITERAL("-4097"), LITERAL("8388607"), LITERAL("8388608"), LITERAL("-8388609"),
    LITERAL("2147483647"), LITERAL("2147483648"), LITERAL("00"), LITERAL("-01"), LITERAL("1\0"),
    LITERAL("1.5"), LITERAL("1e3"), LITERAL(" 1"),
    LITERAL("9223372036854775807"), LITERAL("-9223372036854775808"),
    LITERAL("9223372036854775808"), LITERAL("-9223372036854775809"),
    LITERAL("12345678901234567890"), LITERAL("a\0b"), LITERAL("\r\n"), LITERAL("\xff"),
    LITERAL("0123456789012345678901234567890123456789012345678901234567890123"),
    LITERAL("01234567890123456789012345678901234567890123456789012345678901234"),
};
/* clang-format on */

/* A list element: from the pool, a small integer, a short word over a tiny
 * alphabet (so equal ones recur), a long run of one letter (a few lengths
 * around the listpack's string-length encodings, so those recur too), random
 * bytes, or up to 10 KB. */
static void add_element(struct generator *g, struct diff_cmd *cmd)
{
    static char buf[LARGE_ELEMENT];
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 45) {
        const struct literal *l = &pool[diff_rng_below(&g->rng, sizeof(pool) / sizeof(pool[0]))];
        diff_cmd_arg(cmd, l->text, l->len);
    } else if (r < 65) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -20, 20));
    } else if (r < 80) {
        size_t n = (size_t)diff_rng_range(&g->rng, 1, 3);
        for (size_t i = 0; i < n; i++) buf[i] = "ab"[diff_rng_below(&g->rng, 2)];
        diff_cmd_arg(cmd, buf, n);
    } else if (r < 90) {
        static const size_t lengths[] = {63, 64, 65, 100, 200, 300, 4095, 4096};
        size_t n = lengths[diff_rng_below(&g->rng, sizeof(lengths) / sizeof(lengths[0]))];
        memset(buf, 'A' + (int)diff_rng_below(&g->rng, 2), n);
        diff_cmd_arg(cmd, buf, n);
    } else if (r < 97) {
        size_t n = (size_t)diff_rng_range(&g->rng, 1, 24);
        for (size_t i = 0; i < n; i++) buf[i] = (char)diff_rng_below(&g->rng, 256);
        diff_cmd_arg(cmd, buf, n);
    } else {
        size_t n = (size_t)diff_rng_range(&g->rng, 1, LARGE_ELEMENT);
        memset(buf, 'a' + (int)diff_rng_below(&g->rng, 26), n);
        for (int i = 0; i < 4; i++)
            buf[diff_rng_below(&g->rng, n)] = (char)diff_rng_below(&g->rng, 256);
        diff_cmd_arg(cmd, buf, n);
    }
}

/* Integers no list command accepts, or only some: not numbers, past the
 * int64 limits, spaces, signs. */
static const char *const bad_integers[] = {
    "abc", "",   "1.5", " 1", "1 ", "+", "-", "0x10", "9223372036854775808", "-9223372036854775809",
    "1e3", "+1", "-0",
};

/* An index (LINDEX, LSET, LRANGE, LTRIM): mostly near the ends of a short
 * list, sometimes within a long one, at the int64 limits, or invalid. */
static void add_index(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 60)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -12, 12));
    else if (r < 78)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -700, 700));
    else if (r < 84)
        diff_cmd_ll(cmd, LLONG_MAX - diff_rng_range(&g->rng, 0, 1));
    else if (r < 90)
        diff_cmd_ll(cmd, LLONG_MIN + diff_rng_range(&g->rng, 0, 1));
    else if (r < 94)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -4000000000LL, 4000000000LL));
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* A count (LPOP/RPOP, LREM, LPOS COUNT/MAXLEN): zero, small, larger than
 * most lists, negative, the limits, invalid. */
static void add_count(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 12)
        diff_cmd_str(cmd, "0");
    else if (r < 55)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 1, 5));
    else if (r < 68)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 6, 40));
    else if (r < 74)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 100, 700));
    else if (r < 82)
        diff_cmd_ll(cmd, -diff_rng_range(&g->rng, 1, 5));
    else if (r < 86)
        diff_cmd_ll(cmd, LLONG_MAX);
    else if (r < 90)
        diff_cmd_ll(cmd, diff_rng_chance(&g->rng, 50) ? LLONG_MIN : -LLONG_MAX);
    else
        diff_cmd_str(cmd, PICK(g, bad_integers));
}

/* ---------------------------------------------------------------------------
 * The list commands
 * ------------------------------------------------------------------------- */

/* LPUSH RPUSH LPUSHX RPUSHX: tens of elements at once on the big keys. */
static void gen_push(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"LPUSH", "RPUSH", "RPUSH", "LPUSHX", "RPUSHX"};
    struct diff_cmd *cmd = begin(g, b, PICK(g, names));
    int key = add_key(g, cmd);
    int n;
    if (is_big(key) && diff_rng_chance(&g->rng, 70))
        n = (int)diff_rng_range(&g->rng, 20, 60);
    else if (diff_rng_chance(&g->rng, 85))
        n = (int)diff_rng_range(&g->rng, 1, 4);
    else
        n = (int)diff_rng_range(&g->rng, 5, 20);
    for (int i = 0; i < n; i++) add_element(g, cmd);
}

/* LPOP RPOP, without a count (a bulk reply) or with one (an array). */
static void gen_pop(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "LPOP" : "RPOP");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 55)) add_count(g, cmd);
}

static void gen_llen(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "LLEN"));
}

static void gen_lindex(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LINDEX");
    add_key(g, cmd);
    add_index(g, cmd);
}

static void gen_lset(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LSET");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 50))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -3, 3));
    else
        add_index(g, cmd);
    add_element(g, cmd);
}

/* LRANGE: random ranges, and the whole list now and then. */
static void gen_lrange(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LRANGE");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 20)) {
        diff_cmd_str(cmd, "0");
        diff_cmd_str(cmd, "-1");
        return;
    }
    add_index(g, cmd);
    add_index(g, cmd);
}

/* LTRIM: on the big keys mostly a few elements off either end, so that they
 * stay long; elsewhere any range. */
static void gen_ltrim(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LTRIM");
    int key = add_key(g, cmd);
    if (is_big(key) && diff_rng_chance(&g->rng, 85)) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 5));
        diff_cmd_ll(cmd, -diff_rng_range(&g->rng, 1, 6));
        return;
    }
    add_index(g, cmd);
    add_index(g, cmd);
}

/* LREM: count 0 (all), positive (from the head), negative (from the tail). */
static void gen_lrem(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "LREM");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 80))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -3, 3));
    else
        add_count(g, cmd);
    add_element(g, cmd);
}

static void gen_linsert(struct generator *g, struct diff_batch *b)
{
    static const char *const invalid[] = {"MIDDLE", "", "BEFOR"};
    struct diff_cmd *cmd = begin(g, b, "LINSERT");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 95))
        add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "BEFORE" : "AFTER");
    else
        add_word(g, cmd, PICK(g, invalid));
    add_element(g, cmd); /* the pivot */
    add_element(g, cmd);
}

/* LPOS with well-formed options: each of RANK, COUNT, MAXLEN at most once,
 * in any order, with values that are accepted (COUNT 0 means all matches,
 * MAXLEN 0 the whole list). */
static void add_lpos_valid_options(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const options[] = {"RANK", "COUNT", "MAXLEN"};
    int order[3] = {0, 1, 2};
    for (int i = 2; i > 0; i--) {
        int j = (int)diff_rng_below(&g->rng, (uint64_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < 3; i++) {
        if (diff_rng_chance(&g->rng, 50)) continue;
        add_word(g, cmd, options[order[i]]);
        uint64_t r = diff_rng_below(&g->rng, 100);
        if (order[i] == 0) { /* RANK */
            if (r < 85)
                diff_cmd_ll(cmd, diff_rng_chance(&g->rng, 60) ? diff_rng_range(&g->rng, 1, 4)
                                                              : -diff_rng_range(&g->rng, 1, 4));
            else
                diff_cmd_ll(cmd, r < 92 ? LLONG_MAX : -LLONG_MAX);
        } else if (r < 85) {
            diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, order[i] == 1 ? 5 : 50));
        } else {
            diff_cmd_ll(cmd, r < 92 ? LLONG_MAX : diff_rng_range(&g->rng, 100, 700));
        }
    }
}

/* LPOS: well-formed options most of the time, otherwise a pile of them in
 * any order, repeated, missing their argument, unknown, out of range. */
static void gen_lpos(struct generator *g, struct diff_batch *b)
{
    static const char *const options[] = {"RANK", "COUNT", "MAXLEN", "RANK", "COUNT", "FOO"};
    struct diff_cmd *cmd = begin(g, b, "LPOS");
    add_key(g, cmd);
    add_element(g, cmd);
    if (diff_rng_chance(&g->rng, 75)) {
        add_lpos_valid_options(g, cmd);
        return;
    }
    uint64_t r = diff_rng_below(&g->rng, 100);
    int n = r < 25 ? 0 : r < 65 ? 1 : r < 90 ? 2 : 3;
    for (int i = 0; i < n; i++) {
        const char *option = PICK(g, options);
        add_word(g, cmd, option);
        if (diff_rng_chance(&g->rng, 3)) continue; /* missing argument */
        if (!strcmp(option, "RANK")) {
            uint64_t k = diff_rng_below(&g->rng, 100);
            if (k < 70)
                diff_cmd_ll(cmd, diff_rng_chance(&g->rng, 60) ? diff_rng_range(&g->rng, 1, 4)
                                                              : -diff_rng_range(&g->rng, 1, 4));
            else if (k < 80)
                diff_cmd_str(cmd, "0");
            else
                add_count(g, cmd);
        } else if (!strcmp(option, "COUNT") || !strcmp(option, "MAXLEN")) {
            add_count(g, cmd);
        } else {
            add_element(g, cmd);
        }
    }
}

static void add_direction(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const invalid[] = {"UP", "", "MIDDLE", "LEFTT"};
    if (diff_rng_chance(&g->rng, 95))
        add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "LEFT" : "RIGHT");
    else
        add_word(g, cmd, PICK(g, invalid));
}

/* LMOVE and RPOPLPUSH; the destination is the source now and then (a
 * rotation, or nothing for LEFT LEFT / RIGHT RIGHT). */
static void gen_move(struct generator *g, struct diff_batch *b)
{
    int lmove = diff_rng_chance(&g->rng, 75);
    struct diff_cmd *cmd = begin(g, b, lmove ? "LMOVE" : "RPOPLPUSH");
    int source = add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 20))
        add_key_index(cmd, source);
    else
        add_key(g, cmd);
    if (lmove) {
        add_direction(g, cmd);
        add_direction(g, cmd);
    }
}

/* A list command with a number of arguments its arity forbids (Redis's
 * convention: n exactly, -n at least n); LPOP/RPOP also get one too many. */
static void gen_wrong_arity(struct generator *g, struct diff_batch *b)
{
    static const struct {
        const char *name;
        int arity;
    } commands[] = {
        {"LPUSH", -3},
        {"RPUSH", -3},
        {"LPUSHX", -3},
        {"RPUSHX", -3},
        {"LPOP", -2},
        {"RPOP", -2},
        {"LLEN", 2},
        {"LINDEX", 3},
        {"LSET", 4},
        {"LRANGE", 4},
        {"LTRIM", 4},
        {"LREM", 4},
        {"LINSERT", 5},
        {"LPOS", -3},
        {"LMOVE", 5},
        {"RPOPLPUSH", 3},
        {"MULTI", 1},
        /* A refused EXEC ends the transaction with EXECABORT, even
         * outside MULTI (found by this test, fixed in command.c). */
        {"EXEC", 1},
        {"DISCARD", 1},
        {"WATCH", -2},
        {"UNWATCH", 1},
    };
    int which = (int)diff_rng_below(&g->rng, sizeof(commands) / sizeof(commands[0]));
    int arity = commands[which].arity, argc;
    if (arity > 0) {
        do {
            argc = (int)diff_rng_range(&g->rng, 1, arity + 2);
        } while (argc == arity);
    } else if (commands[which].name[1] == 'P' && commands[which].name[2] == 'O') {
        argc = diff_rng_chance(&g->rng, 50) ? 1 : 4; /* LPOP/RPOP: none, or key count extra */
    } else {
        argc = (int)diff_rng_range(&g->rng, 1, -arity - 1);
    }
    struct diff_cmd *cmd = begin(g, b, commands[which].name);
    for (int i = 1; i < argc; i++) {
        if (i == 1)
            add_key(g, cmd);
        else
            diff_cmd_str(cmd, "1");
    }
}

/* ---------------------------------------------------------------------------
 * String and keyspace commands on the same keys
 * ------------------------------------------------------------------------- */

/* String writes: SET and SETNX-on-missing replace whatever is there, the
 * others answer WRONGTYPE on a list. */
static void gen_string_write(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"SET",    "SET",    "SET",      "APPEND", "INCR",
                                        "GETSET", "GETDEL", "SETRANGE", "SETNX"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    add_key_index(cmd, pick_string_key(g));
    if (!strcmp(name, "INCR") || !strcmp(name, "GETDEL")) return;
    if (!strcmp(name, "SETRANGE")) diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 20));
    add_element(g, cmd);
    if (!strcmp(name, "SET")) {
        static const char *const options[] = {NULL, NULL, NULL, "NX", "XX", "GET", "KEEPTTL"};
        const char *option = PICK(g, options);
        if (option) add_word(g, cmd, option);
    }
}

static void gen_string_read(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"GET", "GET", "STRLEN", "GETRANGE", "MGET"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    add_key(g, cmd);
    if (!strcmp(name, "GETRANGE")) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -5, 5));
    } else if (!strcmp(name, "MGET")) {
        add_key(g, cmd);
    }
}

/* DEL and EXISTS on a few keys; DEL spares the big lists most of the time. */
static void gen_del(struct generator *g, struct diff_batch *b)
{
    int del = diff_rng_chance(&g->rng, 50);
    struct diff_cmd *cmd = begin(g, b, del ? "DEL" : "EXISTS");
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    for (int i = 0; i < n; i++) {
        int key = pick_key(g);
        if (del && is_big(key) && diff_rng_chance(&g->rng, 90)) key = pick_key(g);
        add_key_index(cmd, key);
    }
}

static void gen_type(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "TYPE"));
}

static void gen_rename(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "RENAME" : "RENAMENX");
    int key = add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 10))
        add_key_index(cmd, key);
    else
        add_key_index(cmd, pick_string_key(g));
}

/* EXPIRE/PEXPIRE with hours-long TTLs (nothing expires during the run), or
 * a time <= 0 that deletes the key at once, or an invalid one; NX/XX only:
 * GT/LT would compare two "now + ttl" taken at different instants. TTL and
 * PTTL are compared with a tolerance, so they are never queued in MULTI
 * (EXEC's reply is compared exactly); PERSIST exactly. */
static void gen_expire(struct generator *g, struct diff_batch *b)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 40) {
        int ms = diff_rng_chance(&g->rng, 30);
        struct diff_cmd *cmd = begin(g, b, ms ? "PEXPIRE" : "EXPIRE");
        add_key(g, cmd);
        uint64_t t = diff_rng_below(&g->rng, 100);
        long long seconds = RELATIVE_STEP * diff_rng_range(&g->rng, 1, 1000);
        if (t < 75)
            diff_cmd_ll(cmd, ms ? seconds * 1000 : seconds);
        else if (t < 90)
            diff_cmd_ll(cmd, -diff_rng_range(&g->rng, 0, 1000));
        else
            diff_cmd_str(cmd, PICK(g, bad_integers));
        if (diff_rng_chance(&g->rng, 25))
            add_word(g, cmd, diff_rng_chance(&g->rng, 50) ? "NX" : "XX");
    } else if (r < 80 && !g->in_multi) {
        /* not queued: inside EXEC's reply they would be compared exactly */
        int ms = r >= 65;
        struct diff_cmd *cmd = begin(g, b, ms ? "PTTL" : "TTL");
        cmd->compare = ms ? DIFF_TIME_MILLISECONDS : DIFF_TIME_SECONDS;
        add_key(g, cmd);
    } else {
        add_key(g, begin(g, b, "PERSIST"));
    }
}

/* FLUSHDB, rarely: it also touches every watched key. */
static void gen_flushdb(struct generator *g, struct diff_batch *b)
{
    begin(g, b, "FLUSHDB");
}

/* ---------------------------------------------------------------------------
 * Transactions
 * ------------------------------------------------------------------------- */

/* The commands of the stream, with their weights; `plain` ones may also be
 * queued inside MULTI and sent by the second client. */
static void gen_transaction(struct generator *g, struct diff_batch *b);
static void gen_stray(struct generator *g, struct diff_batch *b);

static const struct {
    void (*generate)(struct generator *, struct diff_batch *);
    int weight;
    int plain;
} mix[] = {
    {gen_push, 1500, 1},        {gen_pop, 900, 1},         {gen_llen, 300, 1},
    {gen_lindex, 500, 1},       {gen_lset, 400, 1},        {gen_lrange, 800, 1},
    {gen_ltrim, 350, 1},        {gen_lrem, 450, 1},        {gen_linsert, 450, 1},
    {gen_lpos, 700, 1},         {gen_move, 700, 1},        {gen_wrong_arity, 120, 1},
    {gen_string_write, 450, 1}, {gen_string_read, 300, 1}, {gen_del, 300, 1},
    {gen_type, 150, 1},         {gen_rename, 100, 1},      {gen_expire, 300, 1},
    {gen_flushdb, 1, 1},        {gen_transaction, 450, 0}, {gen_stray, 80, 0},
};

/* Appends the next command of the stream (or a whole transaction); only
 * plain commands when `plain_only`. */
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

/* The second client acts now: everything the main client was sent so far is
 * answered first (the batch is run), then the second client's 1..3 commands
 * run on both servers, mostly on the watched key. Writes touch the key (EXEC
 * must then fail), reads and failed commands do not, nor do writes to the
 * same name in database 1; FLUSHDB and SWAPDB 0 1 touch the watched keys
 * that exist (in either database, for SWAPDB). */
static void second_client_acts(struct generator *g, struct diff_batch *b)
{
    struct diff_session *s = g->session;
    diff_session_run(s, b);
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 3) {
        begin(g, g->seconds, "FLUSHDB");
    } else if (r < 5) {
        struct diff_cmd *cmd = begin(g, g->seconds, "SWAPDB");
        diff_cmd_str(cmd, "0");
        diff_cmd_str(cmd, "1");
    } else {
        /* now and then in another database, where the same names are other
         * keys: a watch is on a key of one database */
        int elsewhere = r < 15;
        if (elsewhere) diff_cmd_str(begin(g, g->seconds, "SELECT"), "1");
        int n = (int)diff_rng_range(&g->rng, 1, 3);
        for (int i = 0; i < n; i++) generate(g, g->seconds, 1);
        if (elsewhere) diff_cmd_str(begin(g, g->seconds, "SELECT"), "0");
    }
    snprintf(s->phase, sizeof(s->phase), "stream (second client)");
    diff_session_run_on(s, g->second, g->seconds);
    snprintf(s->phase, sizeof(s->phase), "stream");
}

/* A command queued inside MULTI that makes EXEC fail with EXECABORT: an
 * unknown command or a wrong arity. */
static void gen_queued_error(struct generator *g, struct diff_batch *b)
{
    if (diff_rng_chance(&g->rng, 50)) {
        static const char *const names[] = {"LPUSHH", "FOO", "LMOVEE", "L"};
        struct diff_cmd *cmd = begin(g, b, PICK(g, names));
        add_key(g, cmd);
    } else {
        gen_wrong_arity(g, b);
    }
}

/* [WATCH keys [own writes] [second client]] [UNWATCH] MULTI body... [second
 * client] EXEC|DISCARD. The body may hold an error at queue time (EXECABORT),
 * a nested MULTI or a WATCH (both refused without aborting the transaction),
 * and runtime errors (WRONGTYPE and the like, which EXEC reports in place). */
static void gen_transaction(struct generator *g, struct diff_batch *b)
{
    int watching = diff_rng_chance(&g->rng, 50);
    if (watching) {
        struct diff_cmd *cmd = begin(g, b, "WATCH");
        g->focus = add_key(g, cmd);
        int n = (int)diff_rng_range(&g->rng, 0, 2);
        for (int i = 0; i < n; i++) add_key(g, cmd);
        if (diff_rng_chance(&g->rng, 30)) {
            int own = (int)diff_rng_range(&g->rng, 1, 2);
            for (int i = 0; i < own; i++) generate(g, b, 1);
        }
        if (diff_rng_chance(&g->rng, 40)) second_client_acts(g, b);
        if (diff_rng_chance(&g->rng, 8)) begin(g, b, "UNWATCH");
    }
    begin(g, b, "MULTI");
    g->in_multi = 1;
    int n = (int)diff_rng_range(&g->rng, 0, 7);
    int queued_error = diff_rng_chance(&g->rng, 10) ? (int)diff_rng_range(&g->rng, 0, n) : -1;
    for (int i = 0; i <= n; i++) {
        if (i == queued_error) gen_queued_error(g, b);
        if (i == n) break;
        uint64_t r = diff_rng_below(&g->rng, 100);
        if (r < 2) {
            begin(g, b, "MULTI");
        } else if (r < 4) {
            add_key(g, begin(g, b, "WATCH"));
        } else if (r < 5) {
            begin(g, b, "UNWATCH");
        } else {
            generate(g, b, 1);
        }
    }
    if (watching && diff_rng_chance(&g->rng, 20)) second_client_acts(g, b);
    begin(g, b, diff_rng_chance(&g->rng, 88) ? "EXEC" : "DISCARD");
    g->in_multi = 0;
    g->focus = -1;
}

/* Outside any MULTI: EXEC and DISCARD without MULTI (errors), and WATCH or
 * UNWATCH on their own, which leave or clear watches for a later EXEC. */
static void gen_stray(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"EXEC", "DISCARD", "UNWATCH", "WATCH", "WATCH"};
    const char *name = PICK(g, names);
    struct diff_cmd *cmd = begin(g, b, name);
    if (!strcmp(name, "WATCH")) add_key(g, cmd);
}

/* ---------------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------------- */

/* DEBUG DIGEST on both servers, compared exactly: it covers every key, type,
 * value and whether a TTL is set. */
static void check_digest(struct diff_session *s)
{
    struct diff_cmd cmd = {0};
    diff_cmd_reset(&cmd);
    diff_cmd_str(&cmd, "DEBUG");
    diff_cmd_str(&cmd, "DIGEST");
    diff_session_one(s, &cmd, NULL);
    free(cmd.buf);
}

/* One seed, with its own servers and list configuration. */
struct run {
    unsigned long long seed;
    const char *const *args;
    const char *config;
};

static const char *const args_default[] = {"--enable-debug-command", "yes", NULL};
static const char *const args_small_nodes[] = {"--enable-debug-command", "yes",
                                               "--list-max-listpack-size", "4", NULL};
static const char *const args_compressed[] = {"--enable-debug-command",
                                              "yes",
                                              "--list-max-listpack-size",
                                              "-1",
                                              "--list-compress-depth",
                                              "1",
                                              NULL};
static const struct run runs[] = {
    {20251125ULL, args_default, "default list nodes"},
    {77ULL, args_default, "default list nodes"},
    {424242ULL, args_small_nodes, "list-max-listpack-size 4"},
    {9001ULL, args_compressed, "list-max-listpack-size -1, list-compress-depth 1"},
};
#define RUN_COUNT ((int)(sizeof(runs) / sizeof(runs[0])))

/* Runs one stream of about `count` commands (the second client's
 * included) and the final comparisons; adds to the totals. */
static void run_stream(const char *tested, const struct run *run, long long count,
                       long long *commands, long long *mismatches)
{
    static struct diff_batch batch, seconds;
    struct diff_session session;
    struct generator g = {0};
    g.rng.state = run->seed;
    g.session = &session;
    g.seconds = &seconds;
    g.focus = -1;
    printf("diff_lists: seed %llu, %s\n", run->seed, run->config);
    fflush(stdout);
    diff_session_start_with(&session, tested, run->seed, run->args);
    diff_session_connect(&session, g.second);
    long long next_digest = DIGEST_EVERY;
    while (session.commands + batch.count < count) {
        generate(&g, &batch, 0);
        if (batch.count >= DIFF_BATCH) diff_session_run(&session, &batch);
        if (session.commands >= next_digest) {
            if (batch.count) diff_session_run(&session, &batch);
            check_digest(&session);
            next_digest += DIGEST_EVERY;
        }
    }
    if (batch.count) diff_session_run(&session, &batch);
    check_digest(&session);
    diff_session_compare_datasets(&session, DIFF_DATABASES);
    check_digest(&session);
    *commands += session.commands;
    *mismatches += session.mismatches;
    for (int i = 0; i < 2; i++) redisFree(g.second[i]);
    diff_session_finish(&session);
    diff_batch_free(&batch);
    diff_batch_free(&seconds);
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
    printf("diff_lists: %lld commands, %lld mismatches in total\n", commands, mismatches);
    return mismatches ? 1 : 0;
}
