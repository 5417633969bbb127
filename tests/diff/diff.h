/*
 * diff.h: the shared machinery of the differential tests.
 *
 * A differential test sends one seeded random stream of commands to the
 * reference redis-server and to the server under test and compares every
 * reply. What every such test needs lives here, so that a test for a new data
 * type only writes its generator:
 *
 *   - struct diff_rng: a small reproducible random generator (splitmix64);
 *   - struct diff_cmd / struct diff_batch: a binary-safe command builder;
 *   - struct diff_session: starts both servers (with the same extra
 *     arguments, if any), sends a batch pipelined to both, and compares the
 *     replies: exactly, as multisets (KEYS), with a tolerance (TTL and
 *     friends), or by shape only (RANDOMKEY, SCAN); diff_session_connect
 *     opens a second client on each server and diff_session_run_on runs a
 *     batch on it, for tests where another client acts in between (WATCH);
 *   - diff_session_full_scan: a whole SCAN iteration on both servers,
 *     compared as sets of keys;
 *   - diff_session_compare_datasets: the final comparison of every database,
 *     key by key (type, value, TTL).
 *
 * It is header-only because CMake builds every tests/diff/ *.c file as its own
 * program (only tests/harness.c is linked in). All functions are static
 * inline so that a test that does not use one does not warn. One session at
 * a time (a program may run several one after the other), single-threaded.
 *
 * On a mismatch the session prints the command, both replies and the seed (the
 * first mismatch in full, the next few on one line each) and keeps counting;
 * diff_session_finish prints "diff: N commands, M mismatches" and returns the
 * exit status. A lost connection ends the test at once.
 */
#ifndef TANDEM_TESTS_DIFF_DIFF_H
#define TANDEM_TESTS_DIFF_DIFF_H

#include "tests/harness.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define DIFF_BATCH 100          /* commands per pipelined batch */
#define DIFF_BATCH_MAX 160      /* a batch may overshoot DIFF_BATCH by one group */
#define DIFF_MAX_ARGS 64        /* arguments per command */
#define DIFF_REPORT_MAX 10      /* mismatches printed (the first in full) */
#define DIFF_DATABASES 16       /* databases compared at the end */
#define DIFF_IO_TIMEOUT 60      /* seconds any single read or write may take */
#define DIFF_SCAN_ROUNDS 100000 /* bound on the calls of one SCAN iteration */

/* Tolerances for replies that depend on the clock. Both servers receive every
 * command within one batch of each other, so a key's deadline (set "now +
 * ttl") and the instant its TTL is read differ by a few milliseconds between
 * the two, more under a sanitizer build. TTL rounds to the nearest second, so
 * that skew can move it by one; PTTL gets a generous 2 s. Replies below zero
 * (-1 no expiry, -2 no key) are always compared exactly. */
#define DIFF_TOLERANCE_SECONDS 1
#define DIFF_TOLERANCE_MILLISECONDS 2000

/* How the two replies to a command are compared. */
enum diff_compare {
    DIFF_EXACT,             /* type, value, arrays element by element */
    DIFF_SORTED,            /* top-level array compared as a multiset (KEYS, SMEMBERS) */
    DIFF_SORTED_PAIRS,      /* flat array of pairs compared as a set of pairs (HGETALL) */
    DIFF_TIME_SECONDS,      /* integers >= 0 may differ by DIFF_TOLERANCE_SECONDS */
    DIFF_TIME_MILLISECONDS, /* integers >= 0 may differ by DIFF_TOLERANCE_MILLISECONDS */
    DIFF_SHAPE,             /* only the reply type; errors still exactly (RANDOMKEY, SCAN) */
};

/* ---------------------------------------------------------------------------
 * Random numbers
 * ------------------------------------------------------------------------- */

/* splitmix64: tiny, fast and identical on every platform, which is all a
 * reproducible command stream needs. */
struct diff_rng {
    uint64_t state;
};

static inline uint64_t diff_rng_next(struct diff_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. The modulo bias is irrelevant here. */
static inline uint64_t diff_rng_below(struct diff_rng *rng, uint64_t n)
{
    return diff_rng_next(rng) % n;
}

/* A number in [low, high]. */
static inline long long diff_rng_range(struct diff_rng *rng, long long low, long long high)
{
    return low + (long long)diff_rng_below(rng, (uint64_t)(high - low) + 1);
}

/* True with probability percent / 100. */
static inline int diff_rng_chance(struct diff_rng *rng, unsigned percent)
{
    return diff_rng_below(rng, 100) < percent;
}

/* ---------------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------------- */

/* One command: its arguments are stored back to back in buf (binary safe);
 * offsets rather than pointers, so buf may grow. The buffer is kept between
 * uses to avoid reallocating it for every command. */
struct diff_cmd {
    enum diff_compare compare;
    int argc;
    size_t offset[DIFF_MAX_ARGS];
    size_t length[DIFF_MAX_ARGS];
    char *buf;
    size_t used, capacity;
};

static inline void diff_cmd_reset(struct diff_cmd *cmd)
{
    cmd->compare = DIFF_EXACT;
    cmd->argc = 0;
    cmd->used = 0;
}

/* Appends one argument of n bytes. */
static inline void diff_cmd_arg(struct diff_cmd *cmd, const void *data, size_t n)
{
    if (cmd->argc == DIFF_MAX_ARGS) harness_fail(__FILE__, __LINE__, "too many arguments");
    if (cmd->used + n > cmd->capacity) {
        size_t capacity = cmd->capacity ? cmd->capacity : 256;
        while (capacity < cmd->used + n) capacity *= 2;
        cmd->buf = realloc(cmd->buf, capacity);
        if (!cmd->buf) harness_fail(__FILE__, __LINE__, "out of memory");
        cmd->capacity = capacity;
    }
    if (n) memcpy(cmd->buf + cmd->used, data, n);
    cmd->offset[cmd->argc] = cmd->used;
    cmd->length[cmd->argc] = n;
    cmd->argc++;
    cmd->used += n;
}

static inline void diff_cmd_str(struct diff_cmd *cmd, const char *s)
{
    diff_cmd_arg(cmd, s, strlen(s));
}

static inline void diff_cmd_ll(struct diff_cmd *cmd, long long v)
{
    char text[32];
    diff_cmd_arg(cmd, text, (size_t)snprintf(text, sizeof(text), "%lld", v));
}

__attribute__((format(printf, 2, 3))) static inline void diff_cmd_fmt(struct diff_cmd *cmd,
                                                                      const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text)) harness_fail(__FILE__, __LINE__, "argument too long");
    diff_cmd_arg(cmd, text, (size_t)n);
}

/* A batch of commands sent pipelined; the commands' buffers are reused. */
struct diff_batch {
    int count;
    struct diff_cmd cmds[DIFF_BATCH_MAX];
};

/* Returns the next free command of the batch, reset to DIFF_EXACT. */
static inline struct diff_cmd *diff_batch_add(struct diff_batch *batch)
{
    if (batch->count == DIFF_BATCH_MAX) harness_fail(__FILE__, __LINE__, "batch overflow");
    struct diff_cmd *cmd = &batch->cmds[batch->count++];
    diff_cmd_reset(cmd);
    return cmd;
}

static inline void diff_batch_free(struct diff_batch *batch)
{
    for (int i = 0; i < DIFF_BATCH_MAX; i++) free(batch->cmds[i].buf);
    memset(batch, 0, sizeof(*batch));
}

/* ---------------------------------------------------------------------------
 * Printing
 * ------------------------------------------------------------------------- */

/* Prints bytes quoted, with escapes for everything but printable ASCII, cut
 * after `limit` bytes. */
/* A command-line count or seed: decimal digits only; 0, or -1. */
static inline int diff_parse_number(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') return -1;
    *out = v;
    return 0;
}

static inline void diff_print_bytes(FILE *out, const char *s, size_t n, size_t limit)
{
    fputc('"', out);
    for (size_t i = 0; i < n && i < limit; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\r')
            fputs("\\r", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch >= 32 && ch < 127)
            fputc(ch, out);
        else
            fprintf(out, "\\x%02x", ch);
    }
    fputc('"', out);
    if (n > limit) fprintf(out, "...(%zu bytes)", n);
}

static inline void diff_print_cmd(FILE *out, const struct diff_cmd *cmd)
{
    for (int i = 0; i < cmd->argc; i++) {
        if (i) fputc(' ', out);
        diff_print_bytes(out, cmd->buf + cmd->offset[i], cmd->length[i], 80);
    }
}

/* Prints a reply on one line, in the spirit of redis-cli; long strings and
 * arrays are cut. */
static inline void diff_print_reply(FILE *out, const redisReply *r)
{
    if (!r) {
        fputs("(no reply: connection lost)", out);
        return;
    }
    switch (r->type) {
    case REDIS_REPLY_STRING:
        diff_print_bytes(out, r->str, r->len, 200);
        break;
    case REDIS_REPLY_STATUS:
        fprintf(out, "+%.*s", (int)r->len, r->str);
        break;
    case REDIS_REPLY_ERROR:
        fprintf(out, "-%.*s", (int)r->len, r->str);
        break;
    case REDIS_REPLY_INTEGER:
        fprintf(out, "(integer) %lld", r->integer);
        break;
    case REDIS_REPLY_NIL:
        fputs("(nil)", out);
        break;
    case REDIS_REPLY_ARRAY:
        fputc('[', out);
        for (size_t i = 0; i < r->elements && i < 40; i++) {
            if (i) fputs(", ", out);
            diff_print_reply(out, r->element[i]);
        }
        if (r->elements > 40) fprintf(out, ", ...(%zu elements)", r->elements);
        fputc(']', out);
        break;
    default:
        fprintf(out, "(reply type %d)", r->type);
    }
}

/* ---------------------------------------------------------------------------
 * Comparing replies
 * ------------------------------------------------------------------------- */

/* A total order on replies, for sorting arrays compared as multisets. */
static inline int diff_reply_order(const redisReply *a, const redisReply *b)
{
    if (a->type != b->type) return a->type < b->type ? -1 : 1;
    if (a->type == REDIS_REPLY_INTEGER)
        return a->integer < b->integer ? -1 : a->integer > b->integer ? 1 : 0;
    if (a->type == REDIS_REPLY_ARRAY)
        return a->elements < b->elements ? -1 : a->elements > b->elements ? 1 : 0;
    if (a->type == REDIS_REPLY_NIL) return 0;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->str, b->str, n) : 0;
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static inline int diff_reply_order_qsort(const void *a, const void *b)
{
    return diff_reply_order(*(redisReply *const *)a, *(redisReply *const *)b);
}

/* Pairs (r[0], r[1]) ordered by their first element, then their second. */
static inline int diff_pair_order_qsort(const void *a, const void *b)
{
    redisReply *const *x = a, *const *y = b;
    int c = diff_reply_order(x[0], y[0]);
    return c ? c : diff_reply_order(x[1], y[1]);
}

/* Returns a malloc'ed copy of the array's element pointers, sorted (as pairs
 * when `pairs`); the caller frees it. */
static inline redisReply **diff_sorted_elements(const redisReply *array, int pairs)
{
    redisReply **copy = malloc((array->elements + 1) * sizeof(*copy));
    if (!copy) harness_fail(__FILE__, __LINE__, "out of memory");
    if (array->elements) memcpy(copy, array->element, array->elements * sizeof(*copy));
    if (pairs)
        qsort(copy, array->elements / 2, 2 * sizeof(*copy), diff_pair_order_qsort);
    else
        qsort(copy, array->elements, sizeof(*copy), diff_reply_order_qsort);
    return copy;
}

static inline int diff_reply_equal(const redisReply *a, const redisReply *b,
                                   enum diff_compare mode);

static inline int diff_elements_equal(redisReply **a, redisReply **b, size_t n,
                                      enum diff_compare mode)
{
    for (size_t i = 0; i < n; i++)
        if (!diff_reply_equal(a[i], b[i], mode)) return 0;
    return 1;
}

/* True when the replies agree under `mode`. Nested arrays are compared with
 * the same mode, except that only the top level is sorted. */
static inline int diff_reply_equal(const redisReply *a, const redisReply *b, enum diff_compare mode)
{
    if (!a || !b || a->type != b->type) return 0;
    if (mode == DIFF_SHAPE && a->type != REDIS_REPLY_ERROR) return 1;
    switch (a->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
    case REDIS_REPLY_NIL:
        return 1;
    case REDIS_REPLY_INTEGER: {
        long long tolerance = 0;
        if (mode == DIFF_TIME_SECONDS) tolerance = DIFF_TOLERANCE_SECONDS;
        if (mode == DIFF_TIME_MILLISECONDS) tolerance = DIFF_TOLERANCE_MILLISECONDS;
        if (a->integer < 0 || b->integer < 0) tolerance = 0;
        long long d = a->integer > b->integer ? a->integer - b->integer : b->integer - a->integer;
        return d <= tolerance;
    }
    case REDIS_REPLY_ARRAY: {
        if (a->elements != b->elements) return 0;
        if (mode != DIFF_SORTED && mode != DIFF_SORTED_PAIRS)
            return diff_elements_equal(a->element, b->element, a->elements, mode);
        int pairs = mode == DIFF_SORTED_PAIRS;
        if (pairs && a->elements % 2) return 0;
        redisReply **x = diff_sorted_elements(a, pairs), **y = diff_sorted_elements(b, pairs);
        int equal = diff_elements_equal(x, y, a->elements, DIFF_EXACT);
        free(x);
        free(y);
        return equal;
    }
    default:
        return 0;
    }
}

/* For arrays compared as multisets: prints the elements only one side has,
 * which says far more than two long arrays. */
static inline void diff_print_multiset_difference(FILE *out, const redisReply *a,
                                                  const redisReply *b, const char *name_a,
                                                  const char *name_b)
{
    if (!a || !b || a->type != REDIS_REPLY_ARRAY || b->type != REDIS_REPLY_ARRAY) return;
    redisReply **x = diff_sorted_elements(a, 0), **y = diff_sorted_elements(b, 0);
    size_t i = 0, j = 0, shown = 0;
    while ((i < a->elements || j < b->elements) && shown < 40) {
        int c = i == a->elements ? 1 : j == b->elements ? -1 : diff_reply_order(x[i], y[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        fprintf(out, "    only in %s: ", c < 0 ? name_a : name_b);
        diff_print_reply(out, c < 0 ? x[i++] : y[j++]);
        fputc('\n', out);
        shown++;
    }
    free(x);
    free(y);
}

/* ---------------------------------------------------------------------------
 * The session: two servers, one stream
 * ------------------------------------------------------------------------- */

enum { DIFF_REFERENCE = 0, DIFF_TESTED = 1 };

struct diff_session {
    struct server servers[2]; /* [DIFF_REFERENCE] redis-server, [DIFF_TESTED] the other */
    redisContext *conns[2];
    const char *names[2];
    unsigned long long seed;
    long long commands;   /* commands compared so far */
    long long mismatches; /* of which disagreed */
    char phase[64];       /* where the commands come from, for the reports */
    struct timeval started;
};

/* Starts redis-server and the server under test with the same extra
 * "--name value" arguments (NULL-terminated, or NULL for none), connects to
 * both. Fails the test when either does not come up. */
static inline void diff_session_start_with(struct diff_session *s, const char *tested_binary,
                                           unsigned long long seed, const char *const *extra_args)
{
    memset(s, 0, sizeof(*s));
    s->seed = seed;
    s->names[DIFF_REFERENCE] = "redis-server";
    s->names[DIFF_TESTED] = "tested";
    snprintf(s->phase, sizeof(s->phase), "stream");
    const char *binaries[2] = {harness_redis_server_path(), tested_binary};
    if (!binaries[DIFF_REFERENCE])
        harness_fail(__FILE__, __LINE__, "redis-server not found: the diff test needs it");
    for (int i = 0; i < 2; i++) {
        if (harness_start(&s->servers[i], binaries[i], extra_args) != 0) {
            if (i) harness_stop(&s->servers[0]);
            harness_fail(__FILE__, __LINE__, "could not start %s", binaries[i]);
        }
    }
    for (int i = 0; i < 2; i++) {
        s->conns[i] = harness_connect(&s->servers[i]);
        struct timeval timeout = {DIFF_IO_TIMEOUT, 0};
        redisSetTimeout(s->conns[i], timeout);
    }
    gettimeofday(&s->started, NULL);
}

/* Starts both servers with their default configuration. */
static inline void diff_session_start(struct diff_session *s, const char *tested_binary,
                                      unsigned long long seed)
{
    diff_session_start_with(s, tested_binary, seed, NULL);
}

/* Opens one more client on each server, for tests where a second client acts
 * between the main client's commands (WATCH); conns[server] as in s->conns.
 * The caller closes them with redisFree before diff_session_finish. */
static inline void diff_session_connect(struct diff_session *s, redisContext *conns[2])
{
    for (int i = 0; i < 2; i++) {
        conns[i] = harness_connect(&s->servers[i]);
        struct timeval timeout = {DIFF_IO_TIMEOUT, 0};
        redisSetTimeout(conns[i], timeout);
    }
}

static inline void diff_session_stop(struct diff_session *s)
{
    for (int i = 0; i < 2; i++) {
        if (s->conns[i]) redisFree(s->conns[i]);
        s->conns[i] = NULL;
        harness_stop(&s->servers[i]);
    }
}

/* Ends the test at once: a server died or stopped answering on `conn`. */
__attribute__((noreturn)) static inline void diff_session_abort_on(struct diff_session *s,
                                                                   redisContext *conn, int which,
                                                                   const struct diff_cmd *cmd)
{
    fprintf(stderr, "diff: %s: connection lost (%s) at command #%lld of the %s (seed %llu): ",
            s->names[which], conn->errstr, s->commands + 1, s->phase, s->seed);
    if (cmd) diff_print_cmd(stderr, cmd);
    fprintf(stderr, "\n");
    harness_print_logs(&s->servers[which]);
    fprintf(stderr, "diff: %lld commands, %lld mismatches\n", s->commands, s->mismatches + 1);
    diff_session_stop(s);
    exit(1);
}

/* The same on the session's main connection. */
__attribute__((noreturn)) static inline void diff_session_abort(struct diff_session *s, int which,
                                                                const struct diff_cmd *cmd)
{
    diff_session_abort_on(s, s->conns[which], which, cmd);
}

/* Records the comparison of one command's replies; prints the first few
 * mismatches. Returns 1 when they agree. */
static inline int diff_session_check(struct diff_session *s, const struct diff_cmd *cmd,
                                     const redisReply *reference, const redisReply *tested)
{
    s->commands++;
    if (diff_reply_equal(reference, tested, cmd->compare)) return 1;
    s->mismatches++;
    if (s->mismatches == 1) {
        fprintf(stderr, "diff: MISMATCH at command #%lld of the %s (seed %llu)\n", s->commands,
                s->phase, s->seed);
        fprintf(stderr, "  command:      ");
        diff_print_cmd(stderr, cmd);
        fprintf(stderr, "\n  redis-server: ");
        diff_print_reply(stderr, reference);
        fprintf(stderr, "\n  tested:       ");
        diff_print_reply(stderr, tested);
        fputc('\n', stderr);
        if (cmd->compare == DIFF_SORTED)
            diff_print_multiset_difference(stderr, reference, tested, "redis-server", "tested");
    } else if (s->mismatches <= DIFF_REPORT_MAX) {
        fprintf(stderr, "diff: also mismatched #%lld (%s): ", s->commands, s->phase);
        diff_print_cmd(stderr, cmd);
        fputc('\n', stderr);
    }
    return 0;
}

/* Writes everything hiredis has buffered; bounded by the socket timeout. */
static inline void diff_session_flush(struct diff_session *s, redisContext *const conns[2],
                                      int which)
{
    int done = 0;
    while (!done) {
        if (redisBufferWrite(conns[which], &done) != REDIS_OK)
            diff_session_abort_on(s, conns[which], which, NULL);
    }
}

/* Sends n commands pipelined to both servers over conns (s->conns, or a pair
 * from diff_session_connect) and stores their replies in replies[server][i];
 * the caller frees them. Both servers get the whole batch before either is
 * read, so they work on it at the same time. */
static inline void diff_session_exchange_on(struct diff_session *s, redisContext *const conns[2],
                                            const struct diff_cmd *cmds, int n,
                                            redisReply **replies[2])
{
    const char *argv[DIFF_MAX_ARGS];
    for (int i = 0; i < n; i++) {
        const struct diff_cmd *cmd = &cmds[i];
        for (int a = 0; a < cmd->argc; a++) argv[a] = cmd->buf + cmd->offset[a];
        for (int w = 0; w < 2; w++)
            if (redisAppendCommandArgv(conns[w], cmd->argc, argv, cmd->length) != REDIS_OK)
                harness_fail(__FILE__, __LINE__, "redisAppendCommandArgv failed");
    }
    for (int w = 0; w < 2; w++) diff_session_flush(s, conns, w);
    for (int w = 0; w < 2; w++) {
        for (int i = 0; i < n; i++) {
            void *reply = NULL;
            if (redisGetReply(conns[w], &reply) != REDIS_OK || !reply)
                diff_session_abort_on(s, conns[w], w, &cmds[i]);
            replies[w][i] = reply;
        }
    }
}

/* The same on the session's main connections. */
static inline void diff_session_exchange(struct diff_session *s, const struct diff_cmd *cmds, int n,
                                         redisReply **replies[2])
{
    diff_session_exchange_on(s, s->conns, cmds, n, replies);
}

/* Sends the batch to both servers over conns, compares every reply, empties
 * the batch. */
static inline void diff_session_run_on(struct diff_session *s, redisContext *const conns[2],
                                       struct diff_batch *batch)
{
    redisReply *reference[DIFF_BATCH_MAX], *tested[DIFF_BATCH_MAX];
    redisReply **replies[2] = {reference, tested};
    diff_session_exchange_on(s, conns, batch->cmds, batch->count, replies);
    for (int i = 0; i < batch->count; i++) {
        diff_session_check(s, &batch->cmds[i], reference[i], tested[i]);
        freeReplyObject(reference[i]);
        freeReplyObject(tested[i]);
    }
    batch->count = 0;
}

/* The same on the session's main connections. */
static inline void diff_session_run(struct diff_session *s, struct diff_batch *batch)
{
    diff_session_run_on(s, s->conns, batch);
}

/* Sends one command to both servers and compares the replies; when `keep`
 * is not NULL the replies are stored there for the caller to free. */
static inline int diff_session_one(struct diff_session *s, const struct diff_cmd *cmd,
                                   redisReply *keep[2])
{
    redisReply *reference[1], *tested[1];
    redisReply **replies[2] = {reference, tested};
    diff_session_exchange(s, cmd, 1, replies);
    int equal = diff_session_check(s, cmd, reference[0], tested[0]);
    if (keep) {
        keep[0] = reference[0];
        keep[1] = tested[0];
    } else {
        freeReplyObject(reference[0]);
        freeReplyObject(tested[0]);
    }
    return equal;
}

/* ---------------------------------------------------------------------------
 * Whole SCAN iterations
 * ------------------------------------------------------------------------- */

/* Runs a whole iteration of `cmd` (SCAN, or SSCAN and the like: argument
 * `cursor_arg` is the cursor, replaced at every call) on one server and
 * returns an array reply holding every element returned, so that the two
 * servers' results can be compared as sets. A reply that is not a cursor and
 * an array (an error) is returned as is. The caller frees the result. */
static inline redisReply *diff_session_scan_all(struct diff_session *s, int which,
                                                const struct diff_cmd *cmd, int cursor_arg)
{
    redisReply *all = calloc(1, sizeof(*all));
    if (!all) harness_fail(__FILE__, __LINE__, "out of memory");
    all->type = REDIS_REPLY_ARRAY;
    size_t capacity = 0;
    char cursor[32] = "0";
    const char *argv[DIFF_MAX_ARGS];
    size_t argvlen[DIFF_MAX_ARGS];
    for (int round = 0; round < DIFF_SCAN_ROUNDS; round++) {
        for (int a = 0; a < cmd->argc; a++) {
            argv[a] = cmd->buf + cmd->offset[a];
            argvlen[a] = cmd->length[a];
        }
        argv[cursor_arg] = cursor;
        argvlen[cursor_arg] = strlen(cursor);
        redisReply *r = redisCommandArgv(s->conns[which], cmd->argc, argv, argvlen);
        if (!r) diff_session_abort(s, which, cmd);
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING || r->element[0]->len >= sizeof(cursor) ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(all);
            return r;
        }
        memcpy(cursor, r->element[0]->str, r->element[0]->len);
        cursor[r->element[0]->len] = '\0';
        redisReply *page = r->element[1];
        if (all->elements + page->elements > capacity) {
            capacity = 2 * (all->elements + page->elements) + 16;
            all->element = realloc(all->element, capacity * sizeof(*all->element));
            if (!all->element) harness_fail(__FILE__, __LINE__, "out of memory");
        }
        /* Take the elements over from the page; the page then frees none. */
        for (size_t i = 0; i < page->elements; i++)
            all->element[all->elements++] = page->element[i];
        page->elements = 0;
        freeReplyObject(r);
        if (strcmp(cursor, "0") == 0) break;
    }
    /* SCAN may return an element more than once: keep one of each. */
    if (all->elements > 1) {
        qsort(all->element, all->elements, sizeof(*all->element), diff_reply_order_qsort);
        size_t kept = 1;
        for (size_t i = 1; i < all->elements; i++) {
            if (diff_reply_order(all->element[i], all->element[kept - 1]) == 0)
                freeReplyObject(all->element[i]);
            else
                all->element[kept++] = all->element[i];
        }
        all->elements = kept;
    }
    return all;
}

/* Iterates `cmd` to the end on both servers and compares the sets of
 * elements (errors exactly). Counts as one command. */
static inline int diff_session_full_scan(struct diff_session *s, struct diff_cmd *cmd,
                                         int cursor_arg)
{
    redisReply *reference = diff_session_scan_all(s, DIFF_REFERENCE, cmd, cursor_arg);
    redisReply *tested = diff_session_scan_all(s, DIFF_TESTED, cmd, cursor_arg);
    cmd->compare = DIFF_SORTED;
    int equal = diff_session_check(s, cmd, reference, tested);
    freeReplyObject(reference);
    freeReplyObject(tested);
    return equal;
}

/* ---------------------------------------------------------------------------
 * The final comparison of the datasets
 * ------------------------------------------------------------------------- */

/* Fills cmd with the command that reads a whole value of the given TYPE, or
 * returns 0 when the type has none we can compare (none, stream: stream IDs
 * come from the clock). */
static inline int diff_value_command(struct diff_cmd *cmd, const redisReply *type, const char *key,
                                     size_t keylen)
{
    static const struct {
        const char *type, *command, *tail[3];
        enum diff_compare compare;
    } readers[] = {
        {"string", "GET", {NULL}, DIFF_EXACT},
        {"list", "LRANGE", {"0", "-1", NULL}, DIFF_EXACT},
        {"set", "SMEMBERS", {NULL}, DIFF_SORTED},
        {"hash", "HGETALL", {NULL}, DIFF_SORTED_PAIRS},
        {"zset", "ZRANGE", {"0", "-1", "WITHSCORES"}, DIFF_EXACT},
    };
    if (!type || type->type != REDIS_REPLY_STATUS) return 0;
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        if (type->len != strlen(readers[i].type) || memcmp(type->str, readers[i].type, type->len))
            continue;
        diff_cmd_reset(cmd);
        cmd->compare = readers[i].compare;
        diff_cmd_str(cmd, readers[i].command);
        diff_cmd_arg(cmd, key, keylen);
        for (int t = 0; t < 3 && readers[i].tail[t]; t++) diff_cmd_str(cmd, readers[i].tail[t]);
        return 1;
    }
    return 0;
}

/* Compares every database of the two servers: KEYS * as sets, then for every
 * key either side has, its TYPE, its value and its PTTL (with tolerance).
 * Leaves both connections on database 0. Returns 1 when all agree. */
static inline int diff_session_compare_datasets(struct diff_session *s, int databases)
{
    struct diff_cmd cmd = {0};
    long long before = s->mismatches;
    for (int db = 0; db < databases; db++) {
        snprintf(s->phase, sizeof(s->phase), "final comparison of db %d", db);
        diff_cmd_reset(&cmd);
        diff_cmd_str(&cmd, "SELECT");
        diff_cmd_ll(&cmd, db);
        diff_session_one(s, &cmd, NULL);

        redisReply *keys[2];
        diff_cmd_reset(&cmd);
        cmd.compare = DIFF_SORTED;
        diff_cmd_str(&cmd, "KEYS");
        diff_cmd_str(&cmd, "*");
        diff_session_one(s, &cmd, keys);
        if (keys[0]->type != REDIS_REPLY_ARRAY || keys[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(keys[0]);
            freeReplyObject(keys[1]);
            continue;
        }
        /* Walk the union of both key sets in order. */
        redisReply **x = diff_sorted_elements(keys[0], 0), **y = diff_sorted_elements(keys[1], 0);
        size_t i = 0, j = 0;
        while (i < keys[0]->elements || j < keys[1]->elements) {
            int c = i == keys[0]->elements   ? 1
                    : j == keys[1]->elements ? -1
                                             : diff_reply_order(x[i], y[j]);
            const redisReply *key = c <= 0 ? x[i] : y[j];
            if (c <= 0) i++;
            if (c >= 0) j++;

            redisReply *type[2];
            diff_cmd_reset(&cmd);
            diff_cmd_str(&cmd, "TYPE");
            diff_cmd_arg(&cmd, key->str, key->len);
            diff_session_one(s, &cmd, type);
            if (diff_value_command(&cmd, type[0], key->str, key->len))
                diff_session_one(s, &cmd, NULL);
            freeReplyObject(type[0]);
            freeReplyObject(type[1]);

            diff_cmd_reset(&cmd);
            cmd.compare = DIFF_TIME_MILLISECONDS;
            diff_cmd_str(&cmd, "PTTL");
            diff_cmd_arg(&cmd, key->str, key->len);
            diff_session_one(s, &cmd, NULL);
        }
        free(x);
        free(y);
        freeReplyObject(keys[0]);
        freeReplyObject(keys[1]);
    }
    diff_cmd_reset(&cmd);
    diff_cmd_str(&cmd, "SELECT");
    diff_cmd_str(&cmd, "0");
    diff_session_one(s, &cmd, NULL);
    free(cmd.buf);
    snprintf(s->phase, sizeof(s->phase), "stream");
    return s->mismatches == before;
}

/* Prints the summary line, stops both servers and returns the exit status. */
static inline int diff_session_finish(struct diff_session *s)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    double seconds =
        (double)(now.tv_sec - s->started.tv_sec) + (now.tv_usec - s->started.tv_usec) / 1e6;
    printf("diff: %lld commands, %lld mismatches\n", s->commands, s->mismatches);
    printf("diff: seed %llu, %.1f s\n", s->seed, seconds);
    fflush(stdout);
    diff_session_stop(s);
    return s->mismatches ? 1 : 0;
}

#endif
