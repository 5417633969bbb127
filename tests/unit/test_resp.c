/*
 * test_resp: unit tests for the RESP2 request parser (engine/resp.c).
 *
 * Pins the parser to Redis 7.0's behaviour: the same argv for every command
 * however its bytes are split across calls (and wherever the caller moves
 * them between calls), the same protocol error strings and limits, the same
 * quirks (unchecked CRLF after a payload, NUL hiding a line end), and linear
 * cost for huge commands fed in pieces. A fixed-seed fuzz loop feeds random
 * and mutated input and checks that whole-buffer and piecewise parsing agree;
 * run it under ASan to catch any out-of-bounds read.
 *
 * Every buffer handed to the parser is a fresh allocation of exactly the
 * bytes it holds, so ASan sees any read past the end.
 */
#include "engine/resp.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_arg {
    const char *s;
    size_t len;
};

/* A literal with its exact size, embedded NULs included. */
#define LIT(x)                                                                                     \
    {                                                                                              \
        (x), sizeof(x) - 1                                                                         \
    }

#define TEST_MAX_ARGS 6

struct test_cmd {
    struct test_arg wire;
    int argc;
    struct test_arg args[TEST_MAX_ARGS];
};

/* A pipelined stream: multibulk, inline, empty and binary commands, and the
 * Redis quirk of a payload not followed by CRLF. */
static const struct test_cmd stream_cmds[] = {
    {LIT("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
     3,
     {LIT("SET"), LIT("key"), LIT("value")}},
    {LIT("*1\r\n$4\r\nPING\r\n"), 1, {LIT("PING")}},
    {LIT("*0\r\n"), 0, {{0}}},
    {LIT("*-1\r\n"), 0, {{0}}},
    {LIT("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), 2, {LIT("ECHO"), LIT("")}},
    {LIT("*2\r\n$4\r\nECHO\r\n$7\r\na\r\n\0\rb*\r\n"), 2, {LIT("ECHO"), LIT("a\r\n\0\rb*")}},
    {LIT("PING\r\n"), 1, {LIT("PING")}},
    {LIT("\r\n"), 0, {{0}}},
    {LIT("\n"), 0, {{0}}},
    {LIT("  SET  k  \"a b\\x41\"\n"), 3, {LIT("SET"), LIT("k"), LIT("a bA")}},
    {LIT("*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n"), 2, {LIT("GET"), LIT("0123456789")}},
    {LIT("*-5\r\n"), 0, {{0}}},
    {LIT("*1\r\n$2\r\n$$XY"), 1, {LIT("$$")}},
    {LIT("GET 'x y'\r\n"), 2, {LIT("GET"), LIT("x y")}},
    {LIT("*4\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\n*\r\n"),
     4,
     {LIT("MSET"), LIT("a"), LIT("1"), LIT("*")}},
};
#define STREAM_CMDS_COUNT (sizeof(stream_cmds) / sizeof(stream_cmds[0]))

/* Holds the fresh copy of the input last given to the parser, so argv stays
 * readable until the next feed. */
struct feeder {
    char *copy;
};

/* Copies data[0..n) into a new exact-size allocation and parses it,
 * as a caller that moved its bytes since the previous call would. */
static enum resp_status feed_copy(struct resp_parser *p, struct feeder *f, const char *data,
                                  size_t n, size_t *consumed, size_t *need)
{
    free(f->copy);
    f->copy = malloc(n ? n : 1);
    if (f->copy == NULL) ck_abort_msg("out of memory");
    memcpy(f->copy, data, n);
    return resp_parse(p, f->copy, n, consumed, need);
}

static void feeder_done(struct feeder *f)
{
    free(f->copy);
    f->copy = NULL;
}

/* Checks argc/argv of the parser against the expected command. */
static void expect_args(const struct resp_parser *p, const struct test_cmd *cmd)
{
    ck_assert_int_eq(p->argc, cmd->argc);
    for (int i = 0; i < cmd->argc; i++) {
        ck_assert_uint_eq(p->argv[i].len, cmd->args[i].len);
        if (cmd->args[i].len) ck_assert_mem_eq(p->argv[i].ptr, cmd->args[i].s, cmd->args[i].len);
    }
}

/* The whole stream in one buffer; offsets[i] is where command i starts. */
static char *stream_build(size_t *len, size_t *offsets)
{
    size_t total = 0;
    for (size_t i = 0; i < STREAM_CMDS_COUNT; i++) {
        offsets[i] = total;
        total += stream_cmds[i].wire.len;
    }
    char *buf = malloc(total);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < STREAM_CMDS_COUNT; i++)
        memcpy(buf + offsets[i], stream_cmds[i].wire.s, stream_cmds[i].wire.len);
    *len = total;
    return buf;
}

START_TEST(test_stream_split_at_every_byte)
{
    size_t len, offsets[STREAM_CMDS_COUNT];
    char *stream = stream_build(&len, offsets);
    struct resp_parser p;
    struct feeder f = {0};
    resp_parser_init(&p);
    for (size_t c = 0; c < STREAM_CMDS_COUNT; c++) {
        const char *rest = stream + offsets[c];
        size_t rest_len = len - offsets[c], cmd_len = stream_cmds[c].wire.len;
        for (size_t k = 0; k < cmd_len; k++) {
            size_t consumed = 99, need = 0;
            ck_assert_int_eq(feed_copy(&p, &f, rest, k, &consumed, &need), RESP_MORE);
            ck_assert_uint_eq(consumed, 0);
            ck_assert(need == 0 || (need > k && need <= cmd_len));
            ck_assert_int_eq(resp_parser_partial(&p), k > 0);
            ck_assert_int_eq(feed_copy(&p, &f, rest, rest_len, &consumed, &need), RESP_OK);
            ck_assert_uint_eq(consumed, cmd_len);
            ck_assert_uint_eq(need, 0);
            ck_assert(!resp_parser_partial(&p));
            expect_args(&p, &stream_cmds[c]);
        }
    }
    feeder_done(&f);
    resp_parser_free(&p);
    free(stream);
}
END_TEST

START_TEST(test_stream_one_byte_at_a_time)
{
    struct resp_parser p;
    struct feeder f = {0};
    resp_parser_init(&p);
    for (size_t c = 0; c < STREAM_CMDS_COUNT; c++) {
        const struct test_cmd *cmd = &stream_cmds[c];
        size_t consumed = 0, need = 0;
        for (size_t k = 1; k < cmd->wire.len; k++) {
            ck_assert_int_eq(feed_copy(&p, &f, cmd->wire.s, k, &consumed, &need), RESP_MORE);
            ck_assert(need == 0 || (need > k && need <= cmd->wire.len));
        }
        ck_assert_int_eq(feed_copy(&p, &f, cmd->wire.s, cmd->wire.len, &consumed, &need), RESP_OK);
        ck_assert_uint_eq(consumed, cmd->wire.len);
        expect_args(&p, cmd);
    }
    feeder_done(&f);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_stream_in_one_buffer)
{
    size_t len, offsets[STREAM_CMDS_COUNT];
    char *stream = stream_build(&len, offsets);
    struct resp_parser p;
    resp_parser_init(&p);
    size_t at = 0;
    for (size_t c = 0; c < STREAM_CMDS_COUNT; c++) {
        size_t consumed, need;
        ck_assert_int_eq(resp_parse(&p, stream + at, len - at, &consumed, &need), RESP_OK);
        ck_assert_uint_eq(at, offsets[c]);
        expect_args(&p, &stream_cmds[c]);
        if (stream_cmds[c].argc > 0 && stream_cmds[c].wire.s[0] == '*')
            ck_assert(p.argv[0].ptr >= stream && p.argv[0].ptr < stream + len); /* zero-copy */
        at += consumed;
    }
    size_t consumed, need;
    ck_assert_int_eq(resp_parse(&p, stream + at, 0, &consumed, &need), RESP_MORE);
    ck_assert_uint_eq(need, 1);
    resp_parser_free(&p);
    free(stream);
}
END_TEST

/* Inline lines and what sdssplitargs (checked against redis-server 7.0.15)
 * makes of them. */
static const struct test_cmd inline_cmds[] = {
    {LIT("ECHO \"a\\x41\\tb\" 'c\\'d'\r\n"), 3, {LIT("ECHO"), LIT("aA\tb"), LIT("c'd")}},
    {LIT("ECHO a\vb\r\n"), 2, {LIT("ECHO"), LIT("a\vb")}},
    {LIT("ECHO \"\\x4g\"\r\n"), 2, {LIT("ECHO"), LIT("x4g")}},
    {LIT("ECHO 'a\\nb'\r\n"), 2, {LIT("ECHO"), LIT("a\\nb")}},
    {LIT("   \r\n"), 0, {{0}}},
    {LIT("ECHO \v\fa\r\n"), 2, {LIT("ECHO"), LIT("a")}},
    {LIT("ECHO \"a\"\vb\r\n"), 3, {LIT("ECHO"), LIT("a"), LIT("b")}},
    {LIT("SET k \"\"\n"), 3, {LIT("SET"), LIT("k"), LIT("")}},
    {LIT("a\"b c\"\n"), 1, {LIT("ab c")}},
    {LIT("\"\\n\\r\\t\\b\\a\\\\\\\"\\z\"\n"), 1, {LIT("\n\r\t\b\a\\\"z")}},
    {LIT("\"\\x41\\x4A\\xff\\x00\"\n"), 1, {LIT("AJ\xff\0")}},
    {LIT("PING\r\r\n"), 1, {LIT("PING")}},
    {LIT("PING\n"), 1, {LIT("PING")}},
    {LIT("a\rb\r\n"), 2, {LIT("a"), LIT("b")}},
    {LIT("'' \"\" x\n"), 3, {LIT(""), LIT(""), LIT("x")}},
    {LIT("\xff\xfe \x80\n"), 2, {LIT("\xff\xfe"), LIT("\x80")}},
};

START_TEST(test_inline_quotes_and_escapes)
{
    struct resp_parser p;
    struct feeder f = {0};
    resp_parser_init(&p);
    for (size_t i = 0; i < sizeof(inline_cmds) / sizeof(inline_cmds[0]); i++) {
        const struct test_cmd *cmd = &inline_cmds[i];
        size_t consumed, need;
        ck_assert_int_eq(feed_copy(&p, &f, cmd->wire.s, cmd->wire.len, &consumed, &need), RESP_OK);
        ck_assert_uint_eq(consumed, cmd->wire.len);
        ck_assert_int_eq(p.inline_cmd, 1);
        expect_args(&p, cmd);
    }
    feeder_done(&f);
    resp_parser_free(&p);
}
END_TEST

struct test_error {
    struct test_arg wire;
    int64_t max_bulk_len;  /* 0: default */
    int64_t max_multibulk; /* 0: default */
    const char *error;
};

static const struct test_error error_cases[] = {
    {LIT("*abc\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*-0\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*01\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*+1\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*1 \r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*2147483648\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*99999999999999999999\r\n"), 0, 0, "Protocol error: invalid multibulk length"},
    {LIT("*11\r\n"), 0, 10, "Protocol error: invalid multibulk length"},
    {LIT("*1048577\r\n"), 0, 1024 * 1024, "Protocol error: invalid multibulk length"},
    {LIT("*1\r\nx\r\n"), 0, 0, "Protocol error: expected '$', got 'x'"},
    {LIT("*1\r\n\r\n"), 0, 0, "Protocol error: expected '$', got ' '"},
    {LIT("*1\r\n\n\r\n"), 0, 0, "Protocol error: expected '$', got ' '"},
    {LIT("*1\rXPING\r\n"), 0, 0, "Protocol error: expected '$', got 'P'"},
    {LIT("*2\r\n$1\r\na\r\n:1\r\n"), 0, 0, "Protocol error: expected '$', got ':'"},
    {LIT("*1\r\n$-1\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("*1\r\n$abc\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("*1\r\n$04\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("*1\r\n$\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("*1\r\n$101\r\n"), 100, 0, "Protocol error: invalid bulk length"},
    {LIT("*1\r\n$536870913\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("*2\r\n$1\r\na\r\n$1x\r\n"), 0, 0, "Protocol error: invalid bulk length"},
    {LIT("ECHO \"abc\r\n"), 0, 0, "Protocol error: unbalanced quotes in request"},
    {LIT("ECHO \"abc\"d\r\n"), 0, 0, "Protocol error: unbalanced quotes in request"},
    {LIT("ECHO 'a\n"), 0, 0, "Protocol error: unbalanced quotes in request"},
    {LIT("'it''s'\n"), 0, 0, "Protocol error: unbalanced quotes in request"},
    {LIT("ECHO \"a\\\n"), 0, 0, "Protocol error: unbalanced quotes in request"},
};

/* Feeds wire one byte more at a time (fresh copy each time when `copy`):
 * every proper prefix must ask for more, the whole must fail with `error`. */
static void expect_error_bytewise(const char *wire, size_t len, int64_t max_bulk_len,
                                  int64_t max_multibulk, const char *error, int copy)
{
    struct resp_parser p;
    struct feeder f = {0};
    resp_parser_init(&p);
    if (max_bulk_len) p.max_bulk_len = max_bulk_len;
    if (max_multibulk) p.max_multibulk = max_multibulk;
    size_t consumed, need;
    for (size_t k = 0; k <= len; k++) {
        enum resp_status st = copy ? feed_copy(&p, &f, wire, k, &consumed, &need)
                                   : resp_parse(&p, wire, k, &consumed, &need);
        if (k < len) {
            if (st != RESP_MORE)
                ck_abort_msg("prefix %zu of %zu gave %d (%s)", k, len, st, p.error ? p.error : "");
            continue;
        }
        ck_assert_int_eq(st, RESP_ERROR);
        ck_assert_str_eq(p.error, error);
        ck_assert(!resp_parser_partial(&p));
    }
    /* The same bytes in one call fail the same way. */
    resp_parser_reset(&p);
    ck_assert_int_eq(feed_copy(&p, &f, wire, len, &consumed, &need), RESP_ERROR);
    ck_assert_str_eq(p.error, error);
    feeder_done(&f);
    resp_parser_free(&p);
}

START_TEST(test_malformed_input_errors)
{
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const struct test_error *e = &error_cases[i];
        expect_error_bytewise(e->wire.s, e->wire.len, e->max_bulk_len, e->max_multibulk, e->error,
                              1);
    }
}
END_TEST

/* A buffer of `prefix` followed by `fill` up to `len` bytes. */
static char *make_filled(const char *prefix, char fill, size_t len)
{
    char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    memset(buf, fill, len);
    memcpy(buf, prefix, strlen(prefix));
    return buf;
}

START_TEST(test_too_big_lines)
{
    const size_t max = 64 * 1024;
    char *buf = make_filled("", 'a', max + 1);
    expect_error_bytewise(buf, max + 1, 0, 0, "Protocol error: too big inline request", 0);
    free(buf);
    buf = make_filled("*1", 'a', max + 1);
    expect_error_bytewise(buf, max + 1, 0, 0, "Protocol error: too big mbulk count string", 0);
    free(buf);
    /* The bulk count line is measured from its own start, after "*1\r\n". */
    buf = make_filled("*1\r\n$", '1', 4 + max + 1);
    expect_error_bytewise(buf, 4 + max + 1, 0, 0, "Protocol error: too big bulk count string", 0);
    free(buf);
}
END_TEST

/* Redis only checks the size of a line while its end has not arrived: a long
 * line that arrives whole is judged on its content. */
START_TEST(test_long_line_arriving_whole)
{
    const size_t len = 100 * 1024;
    struct resp_parser p;
    size_t consumed, need;
    resp_parser_init(&p);
    char *buf = make_filled("*1", '1', len);
    buf[len - 2] = '\r';
    buf[len - 1] = '\n';
    ck_assert_int_eq(resp_parse(&p, buf, len, &consumed, &need), RESP_ERROR);
    ck_assert_str_eq(p.error, "Protocol error: invalid multibulk length");
    memset(buf, 'x', len - 2);
    ck_assert_int_eq(resp_parse(&p, buf, len, &consumed, &need), RESP_OK);
    ck_assert_int_eq(p.argc, 1);
    ck_assert_uint_eq(p.argv[0].len, len - 2);
    ck_assert_uint_eq(consumed, len);
    free(buf);
    resp_parser_free(&p);
}
END_TEST

/* strchr in Redis stops at a NUL, so a NUL before the line end makes the
 * request wait until it is too big. */
START_TEST(test_nul_hides_line_end)
{
    struct resp_parser p;
    struct feeder f = {0};
    size_t consumed, need;
    resp_parser_init(&p);
    static const char inline_nul[] = "ECHO a\0b\nPING\r\n";
    ck_assert_int_eq(feed_copy(&p, &f, inline_nul, sizeof(inline_nul) - 1, &consumed, &need),
                     RESP_MORE);
    resp_parser_reset(&p);
    static const char bulk_nul[] = "*1\r\n\0$4\r\nPING\r\n";
    ck_assert_int_eq(feed_copy(&p, &f, bulk_nul, sizeof(bulk_nul) - 1, &consumed, &need),
                     RESP_MORE);
    resp_parser_reset(&p);
    char *buf = make_filled("ECHO a", 'a', 64 * 1024 + 1);
    buf[6] = '\0';
    buf[10] = '\n';
    expect_error_bytewise(buf, 64 * 1024 + 1, 0, 0, "Protocol error: too big inline request", 0);
    free(buf);
    /* A NUL inside a payload is just data. */
    static const char payload_nul[] = "*1\r\n$3\r\n\0\0\0\r\n";
    ck_assert_int_eq(feed_copy(&p, &f, payload_nul, sizeof(payload_nul) - 1, &consumed, &need),
                     RESP_OK);
    ck_assert_uint_eq(p.argv[0].len, 3);
    feeder_done(&f);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_limits_accept_boundary)
{
    struct resp_parser p;
    struct feeder f = {0};
    size_t consumed, need;
    resp_parser_init(&p);
    p.max_bulk_len = 100;
    p.max_multibulk = 10;
    char wire[512];
    memcpy(wire, "*1\r\n$100\r\n", 10);
    memset(wire + 10, 'v', 100);
    memcpy(wire + 110, "\r\n", 2);
    ck_assert_int_eq(feed_copy(&p, &f, wire, 112, &consumed, &need), RESP_OK);
    ck_assert_uint_eq(p.argv[0].len, 100);
    size_t n = (size_t)snprintf(wire, sizeof(wire), "*10\r\n");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(wire + n, sizeof(wire) - n, "$1\r\n%d\r\n", i);
    ck_assert_int_eq(feed_copy(&p, &f, wire, n, &consumed, &need), RESP_OK);
    ck_assert_int_eq(p.argc, 10);
    ck_assert_mem_eq(p.argv[9].ptr, "9", 1);
    /* Default limit: 512 MiB is accepted, and need says how much to read. */
    resp_parser_free(&p);
    resp_parser_init(&p);
    ck_assert_int_eq(feed_copy(&p, &f, "*1\r\n$536870912\r\n", 16, &consumed, &need), RESP_MORE);
    ck_assert_uint_eq(need, 16 + 536870912 + 2);
    feeder_done(&f);
    resp_parser_free(&p);
}
END_TEST

/* Redis skips the two bytes after a payload without looking at them. */
START_TEST(test_missing_crlf_after_payload)
{
    static const char wire[] = "*2\r\n$4\r\nECHO\r\n$3\r\nfooXYPING\r\n";
    struct resp_parser p;
    size_t consumed, need;
    resp_parser_init(&p);
    ck_assert_int_eq(resp_parse(&p, wire, sizeof(wire) - 1, &consumed, &need), RESP_OK);
    ck_assert_int_eq(p.argc, 2);
    ck_assert_mem_eq(p.argv[1].ptr, "foo", 3);
    ck_assert_uint_eq(consumed, sizeof(wire) - 1 - 6);
    ck_assert_int_eq(resp_parse(&p, wire + consumed, 6, &consumed, &need), RESP_OK);
    ck_assert_int_eq(p.inline_cmd, 1);
    ck_assert_int_eq(p.argc, 1);
    ck_assert_mem_eq(p.argv[0].ptr, "PING", 4);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_empty_lines_and_empty_multibulk)
{
    static const char wire[] = "\r\n\n   \r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n";
    static const size_t sizes[] = {2, 1, 5, 4, 5, 14};
    struct resp_parser p;
    size_t consumed, need, at = 0;
    resp_parser_init(&p);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ck_assert_int_eq(resp_parse(&p, wire + at, sizeof(wire) - 1 - at, &consumed, &need),
                         RESP_OK);
        ck_assert_uint_eq(consumed, sizes[i]);
        ck_assert_int_eq(p.argc, i == 5 ? 1 : 0);
        at += consumed;
    }
    ck_assert_uint_eq(at, sizeof(wire) - 1);
    resp_parser_free(&p);
}
END_TEST

/* Small commands reuse the same arrays: no allocation per command. */
START_TEST(test_arrays_reused)
{
    static const char wire[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    struct resp_parser p;
    size_t consumed, need;
    resp_parser_init(&p);
    ck_assert_int_eq(resp_parse(&p, wire, sizeof(wire) - 1, &consumed, &need), RESP_OK);
    const struct resp_arg *argv = p.argv;
    int cap = p.argv_cap;
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(resp_parse(&p, wire, sizeof(wire) - 1, &consumed, &need), RESP_OK);
        ck_assert_ptr_eq(p.argv, argv);
        ck_assert_int_eq(p.argv_cap, cap);
    }
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_big_bulk_in_pieces)
{
    const size_t bulk = 64u * 1024 * 1024, piece = 16 * 1024;
    static const char head[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$67108864\r\n";
    const size_t head_len = sizeof(head) - 1, total = head_len + bulk + 2;
    char *buf = malloc(total);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, head, head_len);
    for (size_t i = 0; i < bulk; i++) buf[head_len + i] = (char)('a' + i % 26);
    memcpy(buf + total - 2, "\r\n", 2);
    struct resp_parser p;
    resp_parser_init(&p);
    size_t len = 0, consumed, need = 0, calls = 0;
    enum resp_status st = RESP_MORE;
    while (st == RESP_MORE && len < total) {
        len = len + piece < total ? len + piece : total;
        st = resp_parse(&p, buf, len, &consumed, &need);
        calls++;
        if (st == RESP_MORE) ck_assert_uint_eq(need, total); /* header is in the first piece */
    }
    ck_assert_int_eq(st, RESP_OK);
    ck_assert_uint_eq(calls, (total + piece - 1) / piece);
    ck_assert_uint_eq(consumed, total);
    ck_assert_int_eq(p.argc, 3);
    ck_assert_ptr_eq(p.argv[2].ptr, buf + head_len);
    ck_assert_uint_eq(p.argv[2].len, bulk);
    resp_parser_free(&p);
    free(buf);
}
END_TEST

START_TEST(test_million_args_in_pieces)
{
    const int count = 1000000;
    const size_t piece = 16 * 1024, arg_wire = 13; /* "$7\r\nNNNNNNN\r\n" */
    const size_t total = 10 + (size_t)count * arg_wire;
    char *buf = malloc(total + 1);
    ck_assert_ptr_nonnull(buf);
    size_t n = (size_t)snprintf(buf, total + 1, "*%d\r\n", count);
    ck_assert_uint_eq(n, 10);
    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(buf + n, total + 1 - n, "$7\r\n%07d\r\n", i);
    ck_assert_uint_eq(n, total);
    struct resp_parser p;
    resp_parser_init(&p);
    size_t len = 0, consumed, need;
    enum resp_status st = RESP_MORE;
    while (st == RESP_MORE && len < total) {
        len = len + piece < total ? len + piece : total;
        st = resp_parse(&p, buf, len, &consumed, &need);
    }
    ck_assert_int_eq(st, RESP_OK);
    ck_assert_int_eq(p.argc, count);
    ck_assert_uint_eq(consumed, total);
    char expect[16];
    int wrong = 0; /* counted, not asserted: each Check assertion costs a write(2) */
    for (int i = 0; i < count; i++) {
        snprintf(expect, sizeof(expect), "%07d", i);
        wrong += p.argv[i].len != 7 || memcmp(p.argv[i].ptr, expect, 7) != 0;
    }
    ck_assert_int_eq(wrong, 0);
    /* The next small command gives the huge arrays back. */
    ck_assert_int_eq(resp_parse(&p, "*1\r\n$4\r\nPING\r\n", 14, &consumed, &need), RESP_OK);
    ck_assert_int_lt(p.argv_cap, count);
    resp_parser_free(&p);
    free(buf);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Fuzz: random and mutated input, parsed whole and in random pieces.
 * ------------------------------------------------------------------------- */

struct fuzz_rng {
    uint64_t state;
};

static uint32_t fuzz_next(struct fuzz_rng *r)
{
    r->state ^= r->state << 13;
    r->state ^= r->state >> 7;
    r->state ^= r->state << 17;
    return (uint32_t)(r->state >> 16);
}

/* Bytes that matter to the parser, to reach deep states often. */
static const char fuzz_alphabet[] = "*$\r\n\r\n0123456789-+ \t\v\"'\\xaF\0";

/* Fills buf with a mix of valid commands, mutated ones and random bytes. */
static size_t fuzz_make_input(struct fuzz_rng *r, char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && fuzz_next(r) % 16) {
        uint32_t kind = fuzz_next(r) % 3;
        if (kind == 0) {
            const struct test_arg *w = &stream_cmds[fuzz_next(r) % STREAM_CMDS_COUNT].wire;
            size_t take = w->len < cap - n ? w->len : cap - n;
            memcpy(buf + n, w->s, take);
            if (take && fuzz_next(r) % 3 == 0) buf[n + fuzz_next(r) % take] = (char)fuzz_next(r);
            n += take;
        } else if (kind == 1) {
            buf[n++] = fuzz_alphabet[fuzz_next(r) % (sizeof(fuzz_alphabet) - 1)];
        } else {
            buf[n++] = (char)fuzz_next(r);
        }
    }
    return n;
}

/* Folds one result into a transcript hash; reads every argument byte, so
 * ASan checks each argv entry points at live memory. */
static uint64_t fuzz_fold(uint64_t h, enum resp_status st, const struct resp_parser *p,
                          size_t consumed)
{
    h = (h ^ (uint64_t)(st + 7)) * 1099511628211ULL;
    if (st == RESP_ERROR) {
        for (const char *e = p->error; *e; e++) h = (h ^ (unsigned char)*e) * 1099511628211ULL;
        return h;
    }
    h = (h ^ consumed) * 1099511628211ULL;
    for (int i = 0; i < p->argc; i++) {
        h = (h ^ p->argv[i].len) * 1099511628211ULL;
        for (size_t j = 0; j < p->argv[i].len; j++)
            h = (h ^ (unsigned char)p->argv[i].ptr[j]) * 1099511628211ULL;
    }
    return h;
}

static int fuzz_is_size_error(enum resp_status st, const struct resp_parser *p)
{
    return st == RESP_ERROR && strstr(p->error, "too big") != NULL;
}

/* Parses all of in[0..n) as one buffer. Returns the transcript hash. */
static uint64_t fuzz_parse_whole(struct resp_parser *p, const char *in, size_t n, int *size_error)
{
    struct feeder f = {0};
    uint64_t h = 14695981039346656037ULL;
    size_t at = 0, consumed, need;
    for (size_t guard = 0; guard <= n; guard++) {
        enum resp_status st = feed_copy(p, &f, in + at, n - at, &consumed, &need);
        if (consumed > n - at) ck_abort_msg("consumed %zu of %zu", consumed, n - at);
        *size_error |= fuzz_is_size_error(st, p);
        if (st == RESP_MORE) break;
        h = fuzz_fold(h, st, p, consumed);
        if (st == RESP_ERROR) break;
        if (consumed == 0) ck_abort_msg("RESP_OK without consuming");
        at += consumed;
    }
    feeder_done(&f);
    resp_parser_reset(p);
    return h;
}

/* Parses in[0..n) arriving in random pieces, moved to a fresh buffer on
 * every call. Returns the transcript hash. */
static uint64_t fuzz_parse_pieces(struct resp_parser *p, struct fuzz_rng *r, const char *in,
                                  size_t n, int *size_error)
{
    struct feeder f = {0};
    uint64_t h = 14695981039346656037ULL;
    size_t at = 0, avail = 0, consumed, need;
    for (size_t guard = 0; guard <= 4 * n + 4; guard++) {
        enum resp_status st = feed_copy(p, &f, in + at, avail, &consumed, &need);
        *size_error |= fuzz_is_size_error(st, p);
        if (st == RESP_MORE) {
            if (at + avail == n) break;
            avail += 1 + fuzz_next(r) % 8;
            if (at + avail > n) avail = n - at;
            continue;
        }
        h = fuzz_fold(h, st, p, consumed);
        if (st == RESP_ERROR) break;
        at += consumed;
        avail -= consumed;
    }
    feeder_done(&f);
    resp_parser_reset(p);
    return h;
}

/* resp_peek_arg finds an argument of the next command without parsing it,
 * and declines whenever the argument is not whole in the buffer. */
START_TEST(test_peek_arg)
{
    const char cmd[] = "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$1\r\nv\r\n";
    size_t n = sizeof(cmd) - 1;
    struct resp_arg a;
    ck_assert_int_eq(resp_peek_arg(cmd, n, 0, &a), 1);
    ck_assert_int_eq((int)a.len, 3);
    ck_assert(memcmp(a.ptr, "SET", 3) == 0);
    ck_assert_int_eq(resp_peek_arg(cmd, n, 1, &a), 1);
    ck_assert_int_eq((int)a.len, 5);
    ck_assert(memcmp(a.ptr, "key:1", 5) == 0);
    ck_assert_int_eq(resp_peek_arg(cmd, n, 2, &a), 1);
    ck_assert_int_eq(resp_peek_arg(cmd, n, 3, &a), 0); /* only 3 arguments */
    /* Every cut before the key's last byte declines; none reads past len. */
    for (size_t cut = 0; cut < n; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, cmd, cut);
        int found = resp_peek_arg(copy, cut, 1, &a);
        ck_assert_int_eq(found, cut >= 22); /* "*3 $3 SET $5" is 17 bytes, the key 5 */
        free(copy);
    }
    ck_assert_int_eq(resp_peek_arg("PING\r\n", 6, 1, &a), 0);      /* inline */
    ck_assert_int_eq(resp_peek_arg("*2\r\n$x\r\n", 10, 1, &a), 0); /* malformed */
    ck_assert_int_eq(resp_peek_arg("*2\r\n$999\r\nab", 14, 0, &a), 0);
}
END_TEST

START_TEST(test_fuzz_random_input)
{
    enum { FUZZ_ITERATIONS = 200000, FUZZ_MAX_INPUT = 400 };
    struct fuzz_rng r = {0x9E3779B97F4A7C15ULL};
    char in[FUZZ_MAX_INPUT];
    struct resp_parser p;
    for (int it = 0; it < FUZZ_ITERATIONS; it++) {
        size_t n = fuzz_make_input(&r, in, sizeof(in));
        resp_parser_init(&p);
        if (fuzz_next(&r) % 2) { /* small limits reach every error path */
            p.max_inline_len = 1 + fuzz_next(&r) % 40;
            p.max_bulk_len = fuzz_next(&r) % 20;
            p.max_multibulk = fuzz_next(&r) % 6;
        }
        int size_error = 0;
        uint64_t whole = fuzz_parse_whole(&p, in, n, &size_error);
        uint64_t pieces = fuzz_parse_pieces(&p, &r, in, n, &size_error);
        if (!size_error && whole != pieces) ck_abort_msg("iteration %d disagrees", it);
        resp_parser_free(&p);
    }
}
END_TEST

static Suite *resp_suite(void)
{
    Suite *s = suite_create("resp");
    TCase *basic = tcase_create("basic");
    tcase_add_test(basic, test_stream_split_at_every_byte);
    tcase_add_test(basic, test_stream_one_byte_at_a_time);
    tcase_add_test(basic, test_stream_in_one_buffer);
    tcase_add_test(basic, test_inline_quotes_and_escapes);
    tcase_add_test(basic, test_malformed_input_errors);
    tcase_add_test(basic, test_too_big_lines);
    tcase_add_test(basic, test_long_line_arriving_whole);
    tcase_add_test(basic, test_nul_hides_line_end);
    tcase_add_test(basic, test_limits_accept_boundary);
    tcase_add_test(basic, test_missing_crlf_after_payload);
    tcase_add_test(basic, test_empty_lines_and_empty_multibulk);
    tcase_add_test(basic, test_arrays_reused);
    tcase_add_test(basic, test_peek_arg);
    suite_add_tcase(s, basic);
    TCase *big = tcase_create("big");
    tcase_set_timeout(big, 120);
    tcase_add_test(big, test_big_bulk_in_pieces);
    tcase_add_test(big, test_million_args_in_pieces);
    suite_add_tcase(s, big);
    TCase *fuzz = tcase_create("fuzz");
    tcase_set_timeout(fuzz, 120);
    tcase_add_test(fuzz, test_fuzz_random_input);
    suite_add_tcase(s, fuzz);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(resp_suite());
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
