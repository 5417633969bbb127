/*
 * diff_strings: the differential test of the string and keyspace commands.
 *
 *   diff_strings [server-under-test] [--seed N] [--count N] [--with-types] [--no-scan]
 *
 * Starts redis-server (the reference) and the server under test, sends both
 * the same seeded random stream of --count commands (pipelined, DIFF_BATCH at
 * a time) and compares every reply: type, value, array elements, error
 * strings byte for byte. At the end it compares the whole datasets, database
 * by database and key by key. Run it with redis-server as the server under
 * test to check the test itself: it must report 0 mismatches.
 *
 * The stream covers GET SET (every option, valid or not) SETNX SETEX PSETEX
 * GETSET GETDEL GETEX MGET MSET MSETNX INCR INCRBY DECR DECRBY INCRBYFLOAT
 * APPEND STRLEN GETRANGE SETRANGE, the keyspace commands DEL UNLINK EXISTS
 * TYPE RENAME RENAMENX, the expiry commands EXPIRE PEXPIRE EXPIREAT PEXPIREAT
 * (NX XX GT LT) TTL PTTL PERSIST EXPIRETIME PEXPIRETIME, KEYS DBSIZE SELECT
 * SWAPDB FLUSHDB ECHO PING, RANDOMKEY and SCAN (order dependent, so compared
 * by shape in the stream and as whole iterations from time to time; --no-scan
 * leaves them out), wrong arities and unknown commands. --with-types adds
 * RPUSH, so that lists exist and the WRONGTYPE paths are exercised; it needs
 * a server with lists.
 *
 * Keys come from a small space of KEY_COUNT names, so most commands hit a key
 * that exists; values are chosen to hit the edges: integers at the int64
 * limits, floats and things that almost parse as numbers, binary strings with
 * \0 and \r\n, empty strings, values up to 10 KB.
 *
 * Time is the one thing the two servers do not share; see "Expiry times"
 * below for how the stream stays deterministic anyway.
 */
#include "tests/diff/diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SEED 20240611ULL
#define DEFAULT_COUNT 200000LL
#define KEY_COUNT 200
#define SCAN_EVERY 2000 /* stream commands between two whole-SCAN checks */
#define LARGE_VALUE 10240

/* ---------------------------------------------------------------------------
 * Expiry times
 *
 * The stream must give the same replies on both servers although each reads
 * its own clock at slightly different instants. The rules:
 *
 * 1. Nothing expires by itself during the run. Relative TTLs are at least
 *    RELATIVE_STEP seconds (hours, while a run takes a minute or, under a
 *    sanitizer, a few), absolute times are either far in the future (from
 *    FUTURE_BASE, the year 2100) or far in the past (2001..2017).
 * 2. Keys that must disappear do so deterministically: EXPIRE with a time
 *    <= 0, EXPIREAT/PEXPIREAT/GETEX EXAT with a time in the past delete the
 *    key at once on both servers. Short PX values (1..5 ms) followed by reads
 *    would race with the clock, so the stream has none. SET ... EXAT <past>
 *    stores an already expired key that Redis reclaims lazily or in its
 *    active expiry cycle, at a moment of its own, and DBSIZE counts it until
 *    then; so every such SET is directly followed by an EXISTS of the key,
 *    which removes it on both sides.
 * 3. Integer replies that report time (TTL, PTTL, EXPIRETIME, PEXPIRETIME)
 *    are compared with a tolerance (diff.h: 1 s, 2000 ms).
 * 4. EXPIRE ... GT/LT compares the new deadline with the key's current one;
 *    when both are "now + the same TTL" set at two nearby instants, the
 *    answer depends on whether a millisecond passed in between, which can
 *    differ between the servers. So the TTLs that set deadlines without
 *    comparing (SET EX, SETEX, GETEX, EXPIRE without GT/LT) are multiples of
 *    RELATIVE_STEP (plus under a second in the millisecond forms; a few are
 *    around 10^12 s), and those given with GT or LT are RELATIVE_STEP / 2
 *    plus a multiple of RELATIVE_STEP, each used once (a permutation of
 *    UNIQUE_SLOTS slots). Two deadlines compared are then "now + a" and
 *    "then + b" with |a - b| >= RELATIVE_STEP / 2, far more than the run
 *    lasts, so the comparison has the same answer on both servers.
 *    Absolute times compare exactly; the largest relative deadline (about
 *    UNIQUE_SLOTS * RELATIVE_STEP = 32 years from now) stays below
 *    FUTURE_BASE, so relative and absolute ones never come close either.
 * ------------------------------------------------------------------------- */
#define RELATIVE_STEP 10000LL    /* seconds */
#define RELATIVE_SLOTS 1000      /* plain relative TTLs: 1..1000 steps */
#define UNIQUE_SLOTS 100003ULL   /* a prime: (a * n + b) mod p is a permutation */
#define FUTURE_BASE 4102444800LL /* 2100-01-01T00:00:00Z, in seconds */
#define FUTURE_SLOTS 1000        /* absolute times: FUTURE_BASE + k * 1000 s */
#define PAST_LOW 1000000000LL    /* 2001-09-09, in seconds */
#define PAST_HIGH 1500000000LL   /* 2017-07-14 */

/* A string constant that may hold \0, with its length. */
struct literal {
    const char *text;
    size_t len;
};
/* clang-format off */
#define LITERAL(s) {s, sizeof(s) - 1}
/* clang-format on */

struct key {
    char name[128];
    size_t len;
};

/* All the generator's state: replaying the same seed gives the same stream. */
struct generator {
    struct diff_rng rng;
    struct key keys[KEY_COUNT];
    int numeric_first, numeric_count; /* the "n<i>" keys, where counters live */
    unsigned long long unique_used;   /* GT/LT relative TTLs handed out */
    int with_types, with_scan;
};

/* ---------------------------------------------------------------------------
 * Keys and arguments
 * ------------------------------------------------------------------------- */

static void key_set(struct key *k, const char *name, size_t len)
{
    memcpy(k->name, name, len);
    k->len = len;
}

/* The key space: plain names, counters, prefixed names, hash-tagged names,
 * and a few awkward ones (empty, binary, glob characters) for KEYS. */
static void generator_init_keys(struct generator *g)
{
    /* clang-format off */
    static const struct literal special[] = {
        LITERAL(""), LITERAL("a"), LITERAL("b"), LITERAL("ab"), LITERAL("abc"),
        LITERAL("bin\0key"), LITERAL("crlf\r\nkey"), LITERAL("space key"), LITERAL("k*"),
        LITERAL("k?"), LITERAL("[k]"), LITERAL("k\\"), LITERAL("\\"), LITERAL("*"), LITERAL("?"),
        LITERAL("^"), LITERAL("-"), LITERAL("UPPER"), LITERAL("\xc3\xbcn"), LITERAL("\xff\xfe"),
        LITERAL("k:"), LITERAL("user:"), LITERAL("0"), LITERAL("-1"),
        LITERAL("12345678901234567890"), LITERAL("\t"), LITERAL("x{}"), LITERAL("{"), LITERAL("}"),
    };
    /* clang-format on */
    int n = 0;
    char name[128];
    for (int i = 0; i < 80; i++) key_set(&g->keys[n++], name, (size_t)sprintf(name, "k%d", i));
    g->numeric_first = n;
    g->numeric_count = 40;
    for (int i = 0; i < 40; i++) key_set(&g->keys[n++], name, (size_t)sprintf(name, "n%d", i));
    for (int i = 0; i < 30; i++) key_set(&g->keys[n++], name, (size_t)sprintf(name, "user:%d", i));
    for (int i = 0; i < 20; i++) key_set(&g->keys[n++], name, (size_t)sprintf(name, "t{a}%d", i));
    memset(name, 'x', 100);
    key_set(&g->keys[n++], name, 100);
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]) && n < KEY_COUNT; i++)
        key_set(&g->keys[n++], special[i].text, special[i].len);
    for (int i = 0; n < KEY_COUNT; i++)
        key_set(&g->keys[n++], name, (size_t)sprintf(name, "z%d", i));
}

static void add_key(struct generator *g, struct diff_cmd *cmd)
{
    const struct key *k = &g->keys[diff_rng_below(&g->rng, KEY_COUNT)];
    diff_cmd_arg(cmd, k->name, k->len);
}

/* A key for the counter commands: usually one of the "n" keys, which mostly
 * hold integers, so INCR and friends succeed as often as they fail. */
static void add_numeric_key(struct generator *g, struct diff_cmd *cmd)
{
    if (diff_rng_chance(&g->rng, 30)) {
        add_key(g, cmd);
        return;
    }
    const struct key *k =
        &g->keys[g->numeric_first + (int)diff_rng_below(&g->rng, (uint64_t)g->numeric_count)];
    diff_cmd_arg(cmd, k->name, k->len);
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

/* Strings that are almost, or exactly, numbers: leading zeros, signs,
 * spaces, exponents, hex, the limits and one past them, an embedded \0. */
/* clang-format off */
static const struct literal numberish[] = {
    LITERAL("0"), LITERAL("-0"), LITERAL("+1"), LITERAL("01"), LITERAL(" 1"), LITERAL("1 "),
    LITERAL("1e3"), LITERAL("1.5"), LITERAL("0x10"), LITERAL(""), LITERAL("abc"), LITERAL("1a"),
    LITERAL("-"), LITERAL("+"), LITERAL("."), LITERAL("1."), LITERAL(".5"), LITERAL("-.5"),
    LITERAL("inf"), LITERAL("-inf"), LITERAL("nan"), LITERAL("+inf"), LITERAL("1e308"),
    LITERAL("1e309"), LITERAL("-1e400"), LITERAL("4.9e-324"), LITERAL("1e-400"),
    LITERAL("1\r\n"), LITERAL("1\0"), LITERAL("0.1"), LITERAL("1E2"), LITERAL("1e+2"),
    LITERAL("9223372036854775807"), LITERAL("-9223372036854775808"),
    LITERAL("9223372036854775808"), LITERAL("-9223372036854775809"),
    LITERAL("18446744073709551615"), LITERAL("3.0000000000000000001"),
    LITERAL("123456789012345678901234567890"),
};
/* clang-format on */

static void add_numberish(struct generator *g, struct diff_cmd *cmd)
{
    const struct literal *l =
        &numberish[diff_rng_below(&g->rng, sizeof(numberish) / sizeof(numberish[0]))];
    diff_cmd_arg(cmd, l->text, l->len);
}

/* An integer argument (INCRBY, GETRANGE, ...): small numbers mostly, the
 * int64 limits, and now and then something that does not parse. */
static void add_integer(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 60)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1000, 1000));
    else if (r < 70)
        diff_cmd_ll(cmd, LLONG_MAX - diff_rng_range(&g->rng, 0, 3));
    else if (r < 80)
        diff_cmd_ll(cmd, LLONG_MIN + diff_rng_range(&g->rng, 0, 3));
    else if (r < 90)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -4000000000LL, 4000000000LL));
    else
        add_numberish(g, cmd);
}

/* A float argument for INCRBYFLOAT. */
static void add_float(struct generator *g, struct diff_cmd *cmd)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    double mantissa = (double)diff_rng_range(&g->rng, -1000000, 1000000) / 1000.0;
    if (r < 35)
        diff_cmd_fmt(cmd, "%.3f", mantissa);
    else if (r < 50)
        diff_cmd_fmt(cmd, "%.17g", mantissa * 1e-7);
    else if (r < 60)
        diff_cmd_fmt(cmd, "%ge%d", mantissa, (int)diff_rng_range(&g->rng, -30, 30));
    else if (r < 75)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -1000, 1000));
    else
        add_integer(g, cmd);
}

/* A value: integers (counters, limits), floats, near-numbers, text, binary
 * data with \0 and \r\n, the empty string, and large values. */
static void add_value(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const words[] = {"hello", "world", "foo", "bar", "redis", "tandem", "v"};
    char buf[LARGE_VALUE];
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 22) {
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -100, 1000));
    } else if (r < 28) {
        if (diff_rng_chance(&g->rng, 50))
            diff_cmd_ll(cmd, LLONG_MAX - diff_rng_range(&g->rng, 0, 5));
        else
            diff_cmd_ll(cmd, LLONG_MIN + diff_rng_range(&g->rng, 0, 5));
    } else if (r < 36) {
        add_float(g, cmd);
    } else if (r < 42) {
        add_numberish(g, cmd);
    } else if (r < 55) {
        size_t n = (size_t)diff_rng_range(&g->rng, 1, 16);
        for (size_t i = 0; i < n; i++)
            buf[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[diff_rng_below(&g->rng, 36)];
        diff_cmd_arg(cmd, buf, n);
    } else if (r < 65) {
        static const char bytes[] = {'\0', '\r', '\n', 'a', '\xff', ' ', '"', '\\'};
        size_t n = (size_t)diff_rng_range(&g->rng, 1, 32);
        for (size_t i = 0; i < n; i++) {
            if (diff_rng_chance(&g->rng, 50))
                buf[i] = bytes[diff_rng_below(&g->rng, sizeof(bytes))];
            else
                buf[i] = (char)diff_rng_below(&g->rng, 256);
        }
        diff_cmd_arg(cmd, buf, n);
    } else if (r < 72) {
        diff_cmd_arg(cmd, "", 0);
    } else if (r < 76) {
        size_t n = (size_t)diff_rng_range(&g->rng, 1, LARGE_VALUE);
        char fill = (char)('A' + diff_rng_below(&g->rng, 26));
        memset(buf, fill, n);
        for (int i = 0; i < 8; i++)
            buf[diff_rng_below(&g->rng, n)] = (char)diff_rng_below(&g->rng, 256);
        diff_cmd_arg(cmd, buf, n);
    } else {
        diff_cmd_str(cmd, PICK(g, words));
    }
}

/* A short argument without \0: unknown-command errors quote their arguments
 * with %s, so Redis cuts them at the first \0; the stream does not go there. */
static void add_text(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const texts[] = {"a",
                                        "b c",
                                        "x\r\ny",
                                        "'",
                                        "%s",
                                        "\"",
                                        "",
                                        "key",
                                        "0123456789012345678901234567890123456789012345678901234567"
                                        "890123456789012345678901234567890123456789"};
    diff_cmd_str(cmd, PICK(g, texts));
}

/* ---------------------------------------------------------------------------
 * Expiry arguments (see "Expiry times" above)
 * ------------------------------------------------------------------------- */

/* A plain relative TTL in seconds: RELATIVE_STEP * [1, RELATIVE_SLOTS]. */
static long long relative_seconds(struct generator *g)
{
    return RELATIVE_STEP * diff_rng_range(&g->rng, 1, RELATIVE_SLOTS);
}

/* A relative TTL for EXPIRE ... GT/LT, never the same twice (until
 * UNIQUE_SLOTS have been used) and never a plain one. */
static long long unique_relative_seconds(struct generator *g)
{
    unsigned long long n = g->unique_used++ % UNIQUE_SLOTS;
    unsigned long long slot = (n * 48271ULL + 12345ULL) % UNIQUE_SLOTS;
    return RELATIVE_STEP / 2 + RELATIVE_STEP * (long long)slot;
}

static long long future_seconds(struct generator *g)
{
    return FUTURE_BASE + 1000 * diff_rng_range(&g->rng, 0, FUTURE_SLOTS - 1);
}

static long long past_seconds(struct generator *g)
{
    return diff_rng_range(&g->rng, PAST_LOW, PAST_HIGH);
}

/* Expire times no command accepts as positive: zero, negative, not a
 * number, or too large once converted to milliseconds and added to now.
 * (Values that would overflow only for some "now" are left out: they would
 * make the reply depend on the clock.) */
static const char *const bad_expire[] = {
    "0",
    "-1",
    "-10000",
    "abc",
    "",
    "1.5",
    " 10000",
    "10000 ",
    "+",
    "9223372036854775807",
    "9223372036854775",
    "9223372036854776",
    "-9223372036854775808",
};

enum expire_kind { EXPIRE_SECONDS, EXPIRE_MILLISECONDS };

static void add_time(struct diff_cmd *cmd, long long seconds, enum expire_kind unit,
                     struct generator *g)
{
    if (unit == EXPIRE_SECONDS)
        diff_cmd_ll(cmd, seconds);
    else
        diff_cmd_ll(cmd, seconds * 1000 + diff_rng_range(&g->rng, 0, 999));
}

/* The TTL of SET EX/PX, SETEX, PSETEX and GETEX EX/PX. */
static void add_set_relative(struct generator *g, struct diff_cmd *cmd, enum expire_kind unit)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 85)
        add_time(cmd, relative_seconds(g), unit, g);
    else if (r < 90)
        add_time(cmd, 1000000000000LL + RELATIVE_STEP * diff_rng_range(&g->rng, 0, 99), unit, g);
    else
        diff_cmd_str(cmd, PICK(g, bad_expire));
}

/* The time of SET EXAT/PXAT and GETEX EXAT/PXAT; sets *past when it is one
 * in the past. */
static void add_set_absolute(struct generator *g, struct diff_cmd *cmd, enum expire_kind unit,
                             int *past)
{
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 70) {
        add_time(cmd, future_seconds(g), unit, g);
    } else if (r < 85) {
        add_time(cmd, past_seconds(g), unit, g);
        *past = 1;
    } else {
        diff_cmd_str(cmd, PICK(g, bad_expire)); /* refused, or (the largest) far future */
    }
}

/* The time argument of EXPIRE/PEXPIRE (relative) and EXPIREAT/PEXPIREAT
 * (absolute). `compares` is set when GT or LT is among the options. */
static void add_expire_time(struct generator *g, struct diff_cmd *cmd, int absolute,
                            enum expire_kind unit, int compares)
{
    static const char *const invalid[] = {
        "abc",
        "",
        "1.5",
        " 1",
        "+",
        "9223372036854775807",
        "9223372036854776",
        "-9223372036854776",
        "-9223372036854775808",
    };
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 10) {
        diff_cmd_str(cmd, PICK(g, invalid));
    } else if (r < 25) {
        /* deletes the key at once (when it passes the flags) */
        if (absolute)
            add_time(cmd,
                     diff_rng_chance(&g->rng, 80) ? past_seconds(g)
                                                  : -diff_rng_range(&g->rng, 0, 100),
                     unit, g);
        else
            add_time(cmd, -diff_rng_range(&g->rng, 0, 1000000), unit, g);
    } else if (absolute) {
        if (r < 90)
            add_time(cmd, future_seconds(g), unit, g);
        else
            add_time(cmd, 100000000000LL + 1000 * diff_rng_range(&g->rng, 0, 99), unit, g);
    } else if (compares) {
        add_time(cmd, unique_relative_seconds(g), unit, g);
    } else {
        if (r < 90)
            add_time(cmd, relative_seconds(g), unit, g);
        else
            add_time(cmd, 1000000000000LL + RELATIVE_STEP * diff_rng_range(&g->rng, 0, 99), unit,
                     g);
    }
}

/* ---------------------------------------------------------------------------
 * The string commands
 * ------------------------------------------------------------------------- */

static void gen_get(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "GET"));
}

/* SET with a valid combination of options most of the time, otherwise a
 * random pile of them (conflicts, a missing argument, unknown words). */
static void gen_set(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "SET");
    add_key(g, cmd);
    size_t key_offset = cmd->offset[1], key_length = cmd->length[1];
    add_value(g, cmd);
    int past = 0;
    if (diff_rng_chance(&g->rng, 65)) {
        const char *tokens[3];
        int n = 0;
        uint64_t cond = diff_rng_below(&g->rng, 4);
        if (cond == 1) tokens[n++] = "NX";
        if (cond == 2) tokens[n++] = "XX";
        if (diff_rng_chance(&g->rng, 25)) tokens[n++] = "GET";
        static const char *const expiries[] = {"", "", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"};
        const char *expiry = PICK(g, expiries);
        if (*expiry) tokens[n++] = expiry;
        /* any order: Redis parses them in a loop */
        for (int i = n - 1; i > 0; i--) {
            int j = (int)diff_rng_below(&g->rng, (uint64_t)i + 1);
            const char *t = tokens[i];
            tokens[i] = tokens[j];
            tokens[j] = t;
        }
        for (int i = 0; i < n; i++) {
            add_word(g, cmd, tokens[i]);
            if (!strcmp(tokens[i], "EX")) add_set_relative(g, cmd, EXPIRE_SECONDS);
            if (!strcmp(tokens[i], "PX")) add_set_relative(g, cmd, EXPIRE_MILLISECONDS);
            if (!strcmp(tokens[i], "EXAT")) add_set_absolute(g, cmd, EXPIRE_SECONDS, &past);
            if (!strcmp(tokens[i], "PXAT")) add_set_absolute(g, cmd, EXPIRE_MILLISECONDS, &past);
        }
    } else {
        static const char *const options[] = {"NX",   "XX",   "GET", "KEEPTTL", "EX", "PX",
                                              "EXAT", "PXAT", "FOO", "PERSIST", "EX"};
        int n = (int)diff_rng_range(&g->rng, 1, 4);
        for (int i = 0; i < n; i++) {
            const char *option = PICK(g, options);
            add_word(g, cmd, option);
            if (diff_rng_chance(&g->rng, 10)) continue; /* missing or misplaced argument */
            if (!strcmp(option, "EX")) add_set_relative(g, cmd, EXPIRE_SECONDS);
            if (!strcmp(option, "PX")) add_set_relative(g, cmd, EXPIRE_MILLISECONDS);
            if (!strcmp(option, "EXAT")) add_set_absolute(g, cmd, EXPIRE_SECONDS, &past);
            if (!strcmp(option, "PXAT")) add_set_absolute(g, cmd, EXPIRE_MILLISECONDS, &past);
        }
    }
    if (past) {
        /* The key may now be stored already expired; reading it removes it
         * on both servers before anything can count it (see above). */
        struct diff_cmd *touch = diff_batch_add(b);
        diff_cmd_str(touch, "EXISTS");
        diff_cmd_arg(touch, cmd->buf + key_offset, key_length);
    }
}

static void gen_setnx(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "SETNX");
    add_key(g, cmd);
    add_value(g, cmd);
}

static void gen_setex(struct generator *g, struct diff_batch *b)
{
    int milliseconds = diff_rng_chance(&g->rng, 50);
    struct diff_cmd *cmd = begin(g, b, milliseconds ? "PSETEX" : "SETEX");
    add_key(g, cmd);
    add_set_relative(g, cmd, milliseconds ? EXPIRE_MILLISECONDS : EXPIRE_SECONDS);
    add_value(g, cmd);
}

static void gen_getset(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "GETSET");
    add_key(g, cmd);
    add_value(g, cmd);
}

static void gen_getdel(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "GETDEL"));
}

/* GETEX: no option, one valid option, or a random pile of them. EXAT/PXAT in
 * the past delete the key at once, so they need no follow-up. */
static void gen_getex(struct generator *g, struct diff_batch *b)
{
    static const char *const options[] = {"EX",  "PX", "EXAT",    "PXAT", "PERSIST",
                                          "FOO", "NX", "KEEPTTL", "GET"};
    struct diff_cmd *cmd = begin(g, b, "GETEX");
    add_key(g, cmd);
    int past = 0;
    uint64_t r = diff_rng_below(&g->rng, 100);
    int n = r < 30 ? 0 : r < 80 ? 1 : (int)diff_rng_range(&g->rng, 2, 3);
    for (int i = 0; i < n; i++) {
        const char *option = r < 80 ? options[diff_rng_below(&g->rng, 5)] : PICK(g, options);
        add_word(g, cmd, option);
        if (n > 1 && diff_rng_chance(&g->rng, 10)) continue;
        if (!strcmp(option, "EX")) add_set_relative(g, cmd, EXPIRE_SECONDS);
        if (!strcmp(option, "PX")) add_set_relative(g, cmd, EXPIRE_MILLISECONDS);
        if (!strcmp(option, "EXAT")) add_set_absolute(g, cmd, EXPIRE_SECONDS, &past);
        if (!strcmp(option, "PXAT")) add_set_absolute(g, cmd, EXPIRE_MILLISECONDS, &past);
    }
}

static void gen_mget(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "MGET");
    int n = (int)diff_rng_range(&g->rng, 1, 10);
    for (int i = 0; i < n; i++) add_key(g, cmd);
}

/* MSET and MSETNX; one time in twenty with a key left without its value. */
static void gen_mset(struct generator *g, struct diff_batch *b)
{
    int nx = diff_rng_chance(&g->rng, 30);
    struct diff_cmd *cmd = begin(g, b, nx ? "MSETNX" : "MSET");
    int n = (int)diff_rng_range(&g->rng, 1, nx ? 3 : 8);
    for (int i = 0; i < n; i++) {
        add_key(g, cmd);
        add_value(g, cmd);
    }
    if (diff_rng_chance(&g->rng, 5)) add_key(g, cmd);
}

static void gen_incr(struct generator *g, struct diff_batch *b)
{
    add_numeric_key(g, begin(g, b, diff_rng_chance(&g->rng, 60) ? "INCR" : "DECR"));
}

static void gen_incrby(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 60) ? "INCRBY" : "DECRBY");
    add_numeric_key(g, cmd);
    add_integer(g, cmd);
}

static void gen_incrbyfloat(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "INCRBYFLOAT");
    add_numeric_key(g, cmd);
    add_float(g, cmd);
}

static void gen_append(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "APPEND");
    add_key(g, cmd);
    add_value(g, cmd);
}

static void gen_strlen(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "STRLEN"));
}

/* An index for GETRANGE: mostly near the ends of short strings. */
static void add_index(struct generator *g, struct diff_cmd *cmd)
{
    if (diff_rng_chance(&g->rng, 80))
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, -30, 30));
    else
        add_integer(g, cmd);
}

static void gen_getrange(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "GETRANGE");
    add_key(g, cmd);
    add_index(g, cmd);
    add_index(g, cmd);
}

/* SETRANGE: offsets that stay small (no 512 MB allocations on either side),
 * plus negative ones, unparsable ones, and ones past proto-max-bulk-len,
 * which are refused before anything is allocated. */
static void gen_setrange(struct generator *g, struct diff_batch *b)
{
    static const char *const bad_offsets[] = {"-1",
                                              "abc",
                                              "",
                                              "1.5",
                                              "536870912",
                                              "536870911",
                                              "9223372036854775807",
                                              "9223372036854775808",
                                              "-9223372036854775808"};
    struct diff_cmd *cmd = begin(g, b, "SETRANGE");
    add_key(g, cmd);
    uint64_t r = diff_rng_below(&g->rng, 100);
    int huge = 0;
    if (r < 70)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 40));
    else if (r < 85)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 12000));
    else {
        const char *s = PICK(g, bad_offsets);
        huge = s[0] == '5' || s[0] == '9';
        diff_cmd_str(cmd, s);
    }
    if (huge) {
        /* at least two bytes: 536870911 + 2 is past the limit */
        static const char *const tails[] = {"xy", "", "hello"};
        diff_cmd_str(cmd, PICK(g, tails));
    } else {
        add_value(g, cmd);
    }
}

/* ---------------------------------------------------------------------------
 * The keyspace commands
 * ------------------------------------------------------------------------- */

static void gen_del(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"DEL", "DEL", "UNLINK", "EXISTS", "EXISTS"};
    struct diff_cmd *cmd = begin(g, b, PICK(g, names));
    int n = (int)diff_rng_range(&g->rng, 1, 6);
    for (int i = 0; i < n; i++) add_key(g, cmd);
}

static void gen_type(struct generator *g, struct diff_batch *b)
{
    add_key(g, begin(g, b, "TYPE"));
}

static void gen_rename(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, diff_rng_chance(&g->rng, 50) ? "RENAME" : "RENAMENX");
    add_key(g, cmd);
    if (diff_rng_chance(&g->rng, 5))
        diff_cmd_arg(cmd, cmd->buf + cmd->offset[1], cmd->length[1]);
    else
        add_key(g, cmd);
}

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with no flag, one flag, or a random
 * pile of flags (conflicting ones included). */
static void gen_expire(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"};
    static const char *const flags[] = {"NX", "XX", "GT", "LT", "FOO"};
    int which = (int)diff_rng_below(&g->rng, 4);
    struct diff_cmd *cmd = begin(g, b, names[which]);
    add_key(g, cmd);
    const char *chosen[3];
    int n = 0, compares = 0;
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r >= 45) {
        int count = r < 85 ? 1 : (int)diff_rng_range(&g->rng, 2, 3);
        for (int i = 0; i < count; i++) {
            chosen[n] = r < 85 ? flags[diff_rng_below(&g->rng, 4)] : PICK(g, flags);
            if (chosen[n][1] == 'T') compares = 1; /* GT, LT */
            n++;
        }
    }
    add_expire_time(g, cmd, which >= 2, which % 2 ? EXPIRE_MILLISECONDS : EXPIRE_SECONDS, compares);
    for (int i = 0; i < n; i++) add_word(g, cmd, chosen[i]);
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME (clock-dependent: compared with a
 * tolerance) and PERSIST. */
static void gen_ttl(struct generator *g, struct diff_batch *b)
{
    static const struct {
        const char *name;
        enum diff_compare compare;
    } readers[] = {
        {"TTL", DIFF_TIME_SECONDS},        {"PTTL", DIFF_TIME_MILLISECONDS},
        {"EXPIRETIME", DIFF_TIME_SECONDS}, {"PEXPIRETIME", DIFF_TIME_MILLISECONDS},
        {"PERSIST", DIFF_EXACT},
    };
    int which = (int)diff_rng_below(&g->rng, 5);
    struct diff_cmd *cmd = begin(g, b, readers[which].name);
    cmd->compare = readers[which].compare;
    add_key(g, cmd);
}

/* A glob pattern: fixed awkward ones, or a key with some characters turned
 * into wildcards. */
static void add_pattern(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const patterns[] = {
        "*",      "k*",     "k1*",   "n?",     "n??",         "user:*", "*:1*",   "[kn]1*",
        "[a-c]*", "[^k]*",  "[!k]*", "k[0-9]", "k[0-9][0-9]", "t{a}*",  "\\*",    "k\\*",
        "*\\",    "[",      "[]",    "**",     "?",           "",       "*x*",    "user:[1-2]?",
        "[k",     "k[",     "*[",    "a*b",    "[a-]*",       "[-z]*",  "[z-a]*", "\\[k\\]",
        "?*?",    "*\r\n*", "bin*",  "*key",   "[\\]]*",      "K*",     "*[0-9]", "z*",
    };
    if (diff_rng_chance(&g->rng, 60)) {
        diff_cmd_str(cmd, PICK(g, patterns));
        return;
    }
    const struct key *k = &g->keys[diff_rng_below(&g->rng, KEY_COUNT)];
    char text[160];
    size_t n = k->len;
    memcpy(text, k->name, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = diff_rng_below(&g->rng, 10);
        if (r == 0) text[i] = '?';
        if (r == 1) text[i] = '*';
    }
    if (diff_rng_chance(&g->rng, 30) && n > 0) n = (size_t)diff_rng_below(&g->rng, n);
    if (diff_rng_chance(&g->rng, 50)) text[n++] = '*';
    diff_cmd_arg(cmd, text, n);
}

static void gen_keys(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "KEYS");
    cmd->compare = DIFF_SORTED;
    add_pattern(g, cmd);
}

static void gen_dbsize(struct generator *g, struct diff_batch *b)
{
    begin(g, b, "DBSIZE");
}

/* A database index: mostly the first few, so that keys pile up there. */
static void add_db(struct generator *g, struct diff_cmd *cmd)
{
    static const char *const bad[] = {
        "16",         "-1",  "100", "abc",         "",
        "2147483648", "1.0", " 1",  "-2147483649", "9223372036854775808"};
    uint64_t r = diff_rng_below(&g->rng, 100);
    if (r < 70)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 0, 2));
    else if (r < 93)
        diff_cmd_ll(cmd, diff_rng_range(&g->rng, 3, 15));
    else
        diff_cmd_str(cmd, PICK(g, bad));
}

static void gen_select(struct generator *g, struct diff_batch *b)
{
    add_db(g, begin(g, b, "SELECT"));
}

static void gen_swapdb(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "SWAPDB");
    add_db(g, cmd);
    add_db(g, cmd);
}

static void gen_flushdb(struct generator *g, struct diff_batch *b)
{
    static const char *const modes[] = {NULL, NULL, "ASYNC", "SYNC", "FOO"};
    struct diff_cmd *cmd = begin(g, b, "FLUSHDB");
    const char *mode = PICK(g, modes);
    if (mode) add_word(g, cmd, mode);
}

static void gen_echo(struct generator *g, struct diff_batch *b)
{
    int ping = diff_rng_chance(&g->rng, 50);
    struct diff_cmd *cmd = begin(g, b, ping ? "PING" : "ECHO");
    uint64_t r = diff_rng_below(&g->rng, 100);
    int n = r < (ping ? 50u : 5u) ? 0 : r < 92 ? 1 : 2;
    for (int i = 0; i < n; i++) add_value(g, cmd);
}

/* RANDOMKEY and SCAN answer from an order of their own: only the reply's
 * shape is compared here (nil or not, an error exactly); whole SCAN
 * iterations are compared as sets by check_full_scan. */
static void gen_random_or_scan(struct generator *g, struct diff_batch *b)
{
    if (diff_rng_chance(&g->rng, 50)) {
        begin(g, b, "RANDOMKEY")->compare = DIFF_SHAPE;
        return;
    }
    static const char *const cursors[] = {
        "0", "0", "0", "1", "abc", "-1", "", "18446744073709551615", "18446744073709551616"};
    static const char *const options[] = {"MATCH", "COUNT", "TYPE", "FOO"};
    struct diff_cmd *cmd = begin(g, b, "SCAN");
    cmd->compare = DIFF_SHAPE;
    diff_cmd_str(cmd, PICK(g, cursors));
    int n = (int)diff_rng_below(&g->rng, 3);
    for (int i = 0; i < n; i++) {
        const char *option = PICK(g, options);
        add_word(g, cmd, option);
        if (diff_rng_chance(&g->rng, 5)) continue;
        if (!strcmp(option, "MATCH"))
            add_pattern(g, cmd);
        else if (!strcmp(option, "COUNT"))
            add_integer(g, cmd);
        else if (!strcmp(option, "TYPE"))
            diff_cmd_str(cmd, diff_rng_chance(&g->rng, 50) ? "string" : "list");
    }
}

/* A known command with a number of arguments its arity forbids. */
static void gen_wrong_arity(struct generator *g, struct diff_batch *b)
{
    static const struct {
        const char *name;
        int arity; /* Redis's convention: n exactly, -n at least n */
    } commands[] = {
        {"GET", 2},         {"SET", -3},    {"SETNX", 3},    {"SETEX", 4},      {"PSETEX", 4},
        {"GETSET", 3},      {"GETDEL", 2},  {"GETEX", -2},   {"MGET", -2},      {"MSET", -3},
        {"MSETNX", -3},     {"INCR", 2},    {"INCRBY", 3},   {"DECR", 2},       {"DECRBY", 3},
        {"INCRBYFLOAT", 3}, {"APPEND", 3},  {"STRLEN", 2},   {"GETRANGE", 4},   {"SETRANGE", 4},
        {"DEL", -2},        {"UNLINK", -2}, {"EXISTS", -2},  {"TYPE", 2},       {"RENAME", 3},
        {"RENAMENX", 3},    {"EXPIRE", -3}, {"PEXPIRE", -3}, {"EXPIREAT", -3},  {"PEXPIREAT", -3},
        {"TTL", 2},         {"PTTL", 2},    {"PERSIST", 2},  {"EXPIRETIME", 2}, {"PEXPIRETIME", 2},
        {"KEYS", 2},        {"DBSIZE", 1},  {"SELECT", 2},   {"SWAPDB", 3},     {"ECHO", 2},
        {"RANDOMKEY", 1},   {"SCAN", -2},
    };
    int which = (int)diff_rng_below(&g->rng, sizeof(commands) / sizeof(commands[0]));
    /* --no-scan: the server under test may not know these at all */
    if (!g->with_scan &&
        (!strcmp(commands[which].name, "SCAN") || !strcmp(commands[which].name, "RANDOMKEY")))
        which = 0;
    int arity = commands[which].arity;
    int argc;
    if (arity > 0) {
        do {
            argc = (int)diff_rng_range(&g->rng, 1, arity + 3);
        } while (argc == arity);
    } else {
        argc = (int)diff_rng_range(&g->rng, 1, -arity - 1);
    }
    struct diff_cmd *cmd = begin(g, b, commands[which].name);
    for (int i = 1; i < argc; i++) add_key(g, cmd);
}

/* A command that does not exist; Redis quotes the name and the first
 * arguments in its error. */
static void gen_unknown(struct generator *g, struct diff_batch *b)
{
    static const char *const names[] = {
        "GETT",
        "SETT",
        "INCRR",
        "FOO",
        "strings",
        "MGETS",
        "EXPIREIN",
        "TTLS",
        "",
        "hello world",
        "GET\r\nX",
        "-",
        "G",
        "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
        "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    };
    struct diff_cmd *cmd = begin(g, b, PICK(g, names));
    int n = (int)diff_rng_below(&g->rng, 5);
    for (int i = 0; i < n; i++) add_text(g, cmd);
}

/* --with-types: lists, for the WRONGTYPE paths of every command above. */
static void gen_rpush(struct generator *g, struct diff_batch *b)
{
    struct diff_cmd *cmd = begin(g, b, "RPUSH");
    add_key(g, cmd);
    int n = (int)diff_rng_range(&g->rng, 1, 3);
    for (int i = 0; i < n; i++) add_value(g, cmd);
}

/* ---------------------------------------------------------------------------
 * The stream
 * ------------------------------------------------------------------------- */

enum requires { ALWAYS, WITH_TYPES, WITH_SCAN };

/* Weights out of about 10000. */
static const struct {
    void (*generate)(struct generator *, struct diff_batch *);
    int weight;
    enum requires requires;
} mix[] = {
    {gen_get, 800, ALWAYS},         {gen_set, 1200, ALWAYS},   {gen_setnx, 150, ALWAYS},
    {gen_setex, 250, ALWAYS},       {gen_getset, 150, ALWAYS}, {gen_getdel, 150, ALWAYS},
    {gen_getex, 300, ALWAYS},       {gen_mget, 300, ALWAYS},   {gen_mset, 350, ALWAYS},
    {gen_incr, 400, ALWAYS},        {gen_incrby, 400, ALWAYS}, {gen_incrbyfloat, 250, ALWAYS},
    {gen_append, 250, ALWAYS},      {gen_strlen, 200, ALWAYS}, {gen_getrange, 250, ALWAYS},
    {gen_setrange, 250, ALWAYS},    {gen_del, 600, ALWAYS},    {gen_type, 150, ALWAYS},
    {gen_rename, 270, ALWAYS},      {gen_expire, 900, ALWAYS}, {gen_ttl, 900, ALWAYS},
    {gen_keys, 80, ALWAYS},         {gen_dbsize, 80, ALWAYS},  {gen_select, 150, ALWAYS},
    {gen_swapdb, 40, ALWAYS},       {gen_flushdb, 2, ALWAYS},  {gen_echo, 120, ALWAYS},
    {gen_wrong_arity, 200, ALWAYS}, {gen_unknown, 80, ALWAYS}, {gen_random_or_scan, 100, WITH_SCAN},
    {gen_rpush, 150, WITH_TYPES},
};

static int mix_enabled(const struct generator *g, enum requires r)
{
    return r == ALWAYS || (r == WITH_TYPES && g->with_types) || (r == WITH_SCAN && g->with_scan);
}

/* Appends the next command (or two: see gen_set) of the stream. */
static void generate(struct generator *g, struct diff_batch *batch)
{
    long long total = 0;
    for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
        if (mix_enabled(g, mix[i].requires)) total += mix[i].weight;
    long long r = (long long)diff_rng_below(&g->rng, (uint64_t)total);
    for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
        if (!mix_enabled(g, mix[i].requires)) continue;
        if (r < mix[i].weight) {
            mix[i].generate(g, batch);
            return;
        }
        r -= mix[i].weight;
    }
}

/* A whole SCAN iteration (random MATCH, COUNT, TYPE) on both servers,
 * compared as sets of keys. */
static void check_full_scan(struct generator *g, struct diff_session *s)
{
    struct diff_cmd cmd = {0};
    diff_cmd_reset(&cmd);
    diff_cmd_str(&cmd, "SCAN");
    diff_cmd_str(&cmd, "0");
    if (diff_rng_chance(&g->rng, 50)) {
        diff_cmd_str(&cmd, "MATCH");
        add_pattern(g, &cmd);
    }
    if (diff_rng_chance(&g->rng, 50)) {
        diff_cmd_str(&cmd, "COUNT");
        diff_cmd_ll(&cmd, diff_rng_range(&g->rng, 1, 100));
    }
    if (diff_rng_chance(&g->rng, 20)) {
        diff_cmd_str(&cmd, "TYPE");
        diff_cmd_str(&cmd, g->with_types && diff_rng_chance(&g->rng, 50) ? "list" : "string");
    }
    diff_session_full_scan(s, &cmd, 1);
    free(cmd.buf);
}

static void usage(const char *program)
{
    fprintf(stderr,
            "usage: %s [server-under-test] [--seed N] [--count N] [--with-types] [--no-scan]\n",
            program);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long seed = DEFAULT_SEED, count = DEFAULT_COUNT;
    struct generator g = {0};
    g.with_scan = 1;
    /* Without a binary (first argument an option), redis-server is tested
     * against itself. */
    int first_option = argc > 1 && argv[1][0] != '-' ? 2 : 1;
    const char *tested = harness_binary_from_args(first_option, argv);
    for (int i = first_option; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (diff_parse_number(argv[++i], &seed)) usage(argv[0]);
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (diff_parse_number(argv[++i], &count)) usage(argv[0]);
        } else if (!strcmp(argv[i], "--with-types")) {
            g.with_types = 1;
        } else if (!strcmp(argv[i], "--no-scan")) {
            g.with_scan = 0;
        } else {
            usage(argv[0]);
        }
    }
    g.rng.state = seed;
    generator_init_keys(&g);

    struct diff_session session;
    diff_session_start(&session, tested, seed);
    static struct diff_batch batch;
    unsigned long long generated = 0, next_scan = SCAN_EVERY;
    while (generated < count) {
        int before = batch.count;
        generate(&g, &batch);
        generated += (unsigned long long)(batch.count - before);
        if (batch.count >= DIFF_BATCH || generated >= count) diff_session_run(&session, &batch);
        if (g.with_scan && generated >= next_scan) {
            if (batch.count) diff_session_run(&session, &batch);
            check_full_scan(&g, &session);
            next_scan += SCAN_EVERY;
        }
    }
    if (batch.count) diff_session_run(&session, &batch);
    diff_session_compare_datasets(&session, DIFF_DATABASES);
    diff_batch_free(&batch);
    return diff_session_finish(&session);
}
