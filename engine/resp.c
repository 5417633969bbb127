/*
 * resp: the RESP2 request parser, the first thing a client's bytes meet.
 *
 * It turns a query buffer into argc/argv the way Redis 7.0's
 * processMultibulkBuffer and processInlineBuffer do, with the same limits,
 * the same error strings and the same quirks, but without copying: multibulk
 * arguments point into the caller's buffer.
 *
 * The parse is a small state machine that can stop at any byte and resume
 * on the next call with more bytes. It remembers only offsets from the
 * command start (the caller may move the bytes in between) and never rescans
 * an argument it has already recorded, so a command with a million
 * arguments arriving in small pieces costs linear time overall. The argument
 * arrays grow by doubling and are reused from command to command; only very
 * large ones are given back, at the start of the next command.
 *
 * One parser per client, used by the client's worker thread only.
 */
#include "engine/resp.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the parse of the current command stands. */
enum resp_state {
    RESP_STATE_IDLE = 0,    /* between commands */
    RESP_STATE_INLINE,      /* looking for the '\n' ending an inline command */
    RESP_STATE_COUNT,       /* looking for the '\r' ending "*<n>" */
    RESP_STATE_BULK_HEADER, /* looking for the '\r' ending "$<len>" */
    RESP_STATE_BULK_DATA,   /* waiting for <len> payload bytes and two more */
};

/* Defaults: Redis's proto-max-bulk-len, PROTO_INLINE_MAX_SIZE, INT_MAX. */
#define RESP_DEFAULT_MAX_BULK_LEN (512LL * 1024 * 1024)
#define RESP_DEFAULT_MAX_INLINE_LEN (64 * 1024)
#define RESP_DEFAULT_MAX_MULTIBULK INT_MAX

/* Argument arrays start at this many entries and double from there. */
#define RESP_ARGS_INITIAL 16
/* Arrays larger than these are freed when the next command starts, so one
 * huge command does not pin its memory for the life of the connection. */
#define RESP_ARGS_RETAIN 1024
#define RESP_SCRATCH_RETAIN (64 * 1024)

static const char RESP_ERR_MBULK_LEN[] = "Protocol error: invalid multibulk length";
static const char RESP_ERR_BULK_LEN[] = "Protocol error: invalid bulk length";
static const char RESP_ERR_UNAUTH_MBULK[] = "Protocol error: unauthenticated multibulk length";
static const char RESP_ERR_UNAUTH_BULK[] = "Protocol error: unauthenticated bulk length";
/* What a client that still has to AUTH may send, as Redis 7.0.15 limits it. */
#define RESP_UNAUTH_MAX_ARGS 10
#define RESP_UNAUTH_MAX_BULK 16384
static const char RESP_ERR_QUOTES[] = "Protocol error: unbalanced quotes in request";
static const char RESP_ERR_BIG_INLINE[] = "Protocol error: too big inline request";
static const char RESP_ERR_BIG_MBULK[] = "Protocol error: too big mbulk count string";
static const char RESP_ERR_BIG_BULK[] = "Protocol error: too big bulk count string";
static const char RESP_ERR_OOM[] = "out of memory";

void resp_parser_init(struct resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->max_bulk_len = RESP_DEFAULT_MAX_BULK_LEN;
    p->max_inline_len = RESP_DEFAULT_MAX_INLINE_LEN;
    p->max_multibulk = RESP_DEFAULT_MAX_MULTIBULK;
    p->multibulk_left = -1;
    p->bulk_len = -1;
}

/* Gives back the argument arrays (argv and offsets always share argv_cap). */
static void resp_release_args(struct resp_parser *p)
{
    free(p->argv);
    free(p->offsets);
    p->argv = NULL;
    p->offsets = NULL;
    p->argv_cap = 0;
    p->argc = 0;
}

static void resp_release_scratch(struct resp_parser *p)
{
    free(p->scratch);
    p->scratch = NULL;
    p->scratch_cap = 0;
}

void resp_parser_free(struct resp_parser *p)
{
    resp_release_args(p);
    resp_release_scratch(p);
    resp_parser_reset(p);
}

/* Back to "between commands". The arrays are kept for the next command; the
 * last argc/argv are forgotten, so no stale command can be run twice. */
void resp_parser_reset(struct resp_parser *p)
{
    p->state = RESP_STATE_IDLE;
    p->inline_cmd = 0;
    p->args_done = 0;
    p->multibulk_left = -1;
    p->bulk_len = -1;
    p->pos = 0;
    p->scan = 0;
    p->argc = 0;
}

int resp_parser_partial(const struct resp_parser *p)
{
    return p->state != RESP_STATE_IDLE;
}

/* Every failure ends the command: the connection is closed after the error
 * reply, but the parser is left clean anyway. */
static enum resp_status resp_fail(struct resp_parser *p, const char *error)
{
    resp_parser_reset(p);
    p->error = error;
    return RESP_ERROR;
}

/* Redis formats the offending byte into the message and then turns CR and
 * LF into spaces so the error reply stays one line; so do we. */
static enum resp_status resp_fail_expected_dollar(struct resp_parser *p, char got)
{
    if (got == '\r' || got == '\n') got = ' ';
    snprintf(p->error_buf, sizeof(p->error_buf), "Protocol error: expected '$', got '%c'", got);
    return resp_fail(p, p->error_buf);
}

/* Makes room for at least `want` arguments. Grows by doubling so a command
 * with n arguments costs O(log n) reallocations, but never beyond what the
 * announced count can use (`limit`, 0 when unknown). 0, or -1 without memory. */
static int resp_reserve_args(struct resp_parser *p, int64_t want, int64_t limit)
{
    if (want <= p->argv_cap) return 0;
    int64_t cap = p->argv_cap ? (int64_t)p->argv_cap * 2 : RESP_ARGS_INITIAL;
    if (limit > 0 && cap > limit) cap = limit;
    if (cap < want) cap = want;
    if (cap > INT_MAX) return -1;
    struct resp_arg *argv = realloc(p->argv, (size_t)cap * sizeof(*argv));
    if (argv == NULL) return -1;
    p->argv = argv;
    size_t *offsets = realloc(p->offsets, (size_t)cap * sizeof(*offsets));
    if (offsets == NULL) return -1; /* argv is bigger, harmless: cap unchanged */
    p->offsets = offsets;
    p->argv_cap = (int)cap;
    return 0;
}

/* Makes the scratch buffer hold at least `want` bytes. 0, or -1. */
static int resp_reserve_scratch(struct resp_parser *p, size_t want)
{
    if (want <= p->scratch_cap) return 0;
    char *scratch = realloc(p->scratch, want);
    if (scratch == NULL) return -1;
    p->scratch = scratch;
    p->scratch_cap = want;
    return 0;
}

/*
 * Looks for the byte ending the current line (`target`) in buf[*scan..len),
 * resuming where the previous call stopped so no byte is examined twice.
 * Redis searches its NUL-terminated query buffer with strchr, so a NUL byte
 * hides every line end after it; to reply exactly as Redis does we stop at a
 * NUL too and stay stuck there. Returns 1 with *found set, or 0 with *scan at
 * the place to resume from.
 */
static int resp_find_line_end(const char *buf, size_t len, size_t *scan, char target, size_t *found)
{
    if (*scan >= len || buf[*scan] == '\0') return 0;
    const char *hit = memchr(buf + *scan, target, len - *scan);
    size_t limit = hit ? (size_t)(hit - buf) : len;
    const char *nul = memchr(buf + *scan, '\0', limit - *scan);
    if (nul != NULL) {
        *scan = (size_t)(nul - buf);
        return 0;
    }
    *scan = limit;
    if (hit == NULL) return 0;
    *found = limit;
    return 1;
}

/* Strict decimal parse with Redis's string2ll rules: no sign but '-', no
 * spaces, no leading zeros, "-0" rejected, int64 range. 1 on success. */
static int resp_parse_ll(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    int negative = 0;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    if (len > 0 && s[0] == '-') negative = 1, i = 1;
    if (i >= len || s[i] < '1' || s[i] > '9') return 0;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - digit) / 10) return 0;
        v = v * 10 + digit;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

/* Bytes present from offset `from`, 0 when the caller gave fewer than that. */
static size_t resp_available(size_t len, size_t from)
{
    return len > from ? len - from : 0;
}

/* ---------------------------------------------------------------------------
 * Inline commands: one line, split like Redis's sdssplitargs.
 * ------------------------------------------------------------------------- */

/* isspace() in the C locale, without the locale or the signed-char trap. */
static int resp_is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int resp_hex_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The line as sdssplitargs sees it: a C string, so past the end reads 0.
 * The line holds no NUL (resp_find_line_end stops at one). */
static int resp_line_at(const char *line, size_t n, size_t i)
{
    return i < n ? (unsigned char)line[i] : 0;
}

/* A closing quote must be followed by a blank or the end of the line. */
static int resp_quote_closes(const char *line, size_t n, size_t i)
{
    int next = resp_line_at(line, n, i + 1);
    return next == 0 || resp_is_blank(next);
}

/* One step inside "double quotes": \xHH, \n \r \t \b \a, \<any>, or a plain
 * byte. Returns 1 at the closing quote, 0 to go on, -1 when unbalanced. */
static int resp_step_double_quoted(const char *line, size_t n, size_t *i, char *out,
                                   size_t *out_len)
{
    int c = resp_line_at(line, n, *i);
    int next = resp_line_at(line, n, *i + 1);
    if (c == '\\' && next == 'x' && resp_hex_value(resp_line_at(line, n, *i + 2)) >= 0 &&
        resp_hex_value(resp_line_at(line, n, *i + 3)) >= 0) {
        out[(*out_len)++] = (char)(resp_hex_value(resp_line_at(line, n, *i + 2)) * 16 +
                                   resp_hex_value(resp_line_at(line, n, *i + 3)));
        *i += 3;
    } else if (c == '\\' && next != 0) {
        static const char from[] = "nrtba", to[] = "\n\r\t\b\a";
        const char *hit = strchr(from, next);
        out[(*out_len)++] = hit ? to[hit - from] : (char)next;
        *i += 1;
    } else if (c == '"') {
        return resp_quote_closes(line, n, *i) ? 1 : -1;
    } else if (c == 0) {
        return -1;
    } else {
        out[(*out_len)++] = (char)c;
    }
    return 0;
}

/* One step inside 'single quotes', where only \' is an escape. Same returns
 * as resp_step_double_quoted. */
static int resp_step_single_quoted(const char *line, size_t n, size_t *i, char *out,
                                   size_t *out_len)
{
    int c = resp_line_at(line, n, *i);
    if (c == '\\' && resp_line_at(line, n, *i + 1) == '\'') {
        out[(*out_len)++] = '\'';
        *i += 1;
    } else if (c == '\'') {
        return resp_quote_closes(line, n, *i) ? 1 : -1;
    } else if (c == 0) {
        return -1;
    } else {
        out[(*out_len)++] = (char)c;
    }
    return 0;
}

/*
 * Reads one argument starting at line[*i] (not a blank) into out, undoing
 * quotes and escapes; leaves *i past the byte that ended it. An unquoted run
 * ends at space, tab, CR, LF or the end, and may open quotes in its middle
 * (a"b c"d is not allowed, a"b c" is "ab c"), exactly as sdssplitargs.
 * 0, or -1 on unbalanced quotes.
 */
static int resp_read_inline_arg(const char *line, size_t n, size_t *i, char *out, size_t *out_len)
{
    enum { PLAIN, DOUBLE, SINGLE } mode = PLAIN;
    int done = 0;
    *out_len = 0;
    while (!done) {
        int c = resp_line_at(line, n, *i);
        int step = 0;
        if (mode == DOUBLE) {
            step = resp_step_double_quoted(line, n, i, out, out_len);
        } else if (mode == SINGLE) {
            step = resp_step_single_quoted(line, n, i, out, out_len);
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) {
            step = 1;
        } else if (c == '"' || c == '\'') {
            mode = c == '"' ? DOUBLE : SINGLE;
        } else {
            out[(*out_len)++] = (char)c;
        }
        if (step < 0) return -1;
        done = step;
        if (*i < n) *i += 1;
    }
    return 0;
}

/* Splits line[0..n) into argv, unescaped into the scratch buffer (which can
 * never need more than n bytes). An empty or blank line gives argc 0. */
static enum resp_status resp_split_inline(struct resp_parser *p, const char *line, size_t n)
{
    size_t i = 0, used = 0;
    int argc = 0;
    if (resp_reserve_scratch(p, n) < 0) return resp_fail(p, RESP_ERR_OOM);
    for (;;) {
        while (i < n && resp_is_blank((unsigned char)line[i])) i++;
        if (i >= n) break;
        size_t arg_len;
        if (resp_read_inline_arg(line, n, &i, p->scratch + used, &arg_len) < 0)
            return resp_fail(p, RESP_ERR_QUOTES);
        if (resp_reserve_args(p, (int64_t)argc + 1, 0) < 0) return resp_fail(p, RESP_ERR_OOM);
        p->argv[argc].ptr = p->scratch + used;
        p->argv[argc].len = arg_len;
        used += arg_len;
        argc++;
    }
    p->argc = argc;
    return RESP_OK;
}

/* An inline command is ready once its '\n' is in (an optional '\r' before
 * it is dropped); until then it may not grow past max_inline_len. */
static enum resp_status resp_parse_inline(struct resp_parser *p, const char *buf, size_t len,
                                          size_t *consumed, size_t *need)
{
    size_t newline;
    if (!resp_find_line_end(buf, len, &p->scan, '\n', &newline)) {
        if (len > p->max_inline_len) return resp_fail(p, RESP_ERR_BIG_INLINE);
        *need = len + 1;
        return RESP_MORE;
    }
    size_t line_len = newline;
    if (line_len > 0 && buf[line_len - 1] == '\r') line_len--;
    enum resp_status status = resp_split_inline(p, buf, line_len);
    if (status != RESP_OK) return status;
    int argc = p->argc;
    resp_parser_reset(p);
    p->argc = argc;
    p->inline_cmd = 1;
    *consumed = newline + 1;
    return RESP_OK;
}

/* ---------------------------------------------------------------------------
 * Multibulk commands: "*<n>\r\n" then n times "$<len>\r\n<len bytes>\r\n".
 * ------------------------------------------------------------------------- */

/* Reads "*<n>\r\n". A count of 0 or less is a valid empty command. Like
 * Redis, the line ends at its '\r' and the byte after it is skipped unseen. */
static enum resp_status resp_read_count(struct resp_parser *p, const char *buf, size_t len,
                                        size_t *need)
{
    size_t cr;
    if (!resp_find_line_end(buf, len, &p->scan, '\r', &cr)) {
        if (len > p->max_inline_len) return resp_fail(p, RESP_ERR_BIG_MBULK);
        *need = len + 1;
        return RESP_MORE;
    }
    if (len < cr + 2) {
        *need = cr + 2;
        return RESP_MORE;
    }
    long long count;
    if (!resp_parse_ll(buf + 1, cr - 1, &count) || count > INT_MAX || count > p->max_multibulk)
        return resp_fail(p, RESP_ERR_MBULK_LEN);
    if (p->auth_required && count > RESP_UNAUTH_MAX_ARGS)
        return resp_fail(p, RESP_ERR_UNAUTH_MBULK);
    p->pos = p->scan = cr + 2;
    p->multibulk_left = count > 0 ? count : 0;
    p->state = RESP_STATE_BULK_HEADER;
    return RESP_OK;
}

/* Reads "$<len>\r\n" at p->pos. As in Redis, the '$' is only checked once
 * the whole line is in, and the line may not grow past max_inline_len. */
static enum resp_status resp_read_bulk_header(struct resp_parser *p, const char *buf, size_t len,
                                              size_t *need)
{
    size_t cr;
    if (!resp_find_line_end(buf, len, &p->scan, '\r', &cr)) {
        if (resp_available(len, p->pos) > p->max_inline_len) return resp_fail(p, RESP_ERR_BIG_BULK);
        *need = len + 1;
        return RESP_MORE;
    }
    if (len < cr + 2) {
        *need = cr + 2;
        return RESP_MORE;
    }
    if (buf[p->pos] != '$') return resp_fail_expected_dollar(p, buf[p->pos]);
    long long bulk_len;
    if (!resp_parse_ll(buf + p->pos + 1, cr - p->pos - 1, &bulk_len) || bulk_len < 0 ||
        bulk_len > p->max_bulk_len)
        return resp_fail(p, RESP_ERR_BULK_LEN);
    if (p->auth_required && bulk_len > RESP_UNAUTH_MAX_BULK)
        return resp_fail(p, RESP_ERR_UNAUTH_BULK);
    int64_t announced = (int64_t)p->args_done + p->multibulk_left;
    if (resp_reserve_args(p, (int64_t)p->args_done + 1, announced) < 0)
        return resp_fail(p, RESP_ERR_OOM);
    p->pos = cr + 2;
    p->bulk_len = bulk_len;
    p->state = RESP_STATE_BULK_DATA;
    return RESP_OK;
}

/* Records the payload at p->pos once it and the two bytes after it are in.
 * Those two bytes should be "\r\n"; Redis skips them without looking, and so
 * do we, so that any byte stream splits into commands exactly as in Redis. */
static enum resp_status resp_read_bulk_data(struct resp_parser *p, size_t len, size_t *need)
{
    size_t end = p->pos + (size_t)p->bulk_len + 2;
    if (len < end) {
        *need = end;
        return RESP_MORE;
    }
    p->offsets[p->args_done] = p->pos;
    p->argv[p->args_done].ptr = NULL; /* set by resp_finish_multibulk */
    p->argv[p->args_done].len = (size_t)p->bulk_len;
    p->args_done++;
    p->multibulk_left--;
    p->pos = p->scan = end;
    p->bulk_len = -1;
    p->state = RESP_STATE_BULK_HEADER;
    return RESP_OK;
}

/* All arguments are in: turn their offsets into pointers into this call's
 * buffer (only now is it known where the bytes finally live). */
static enum resp_status resp_finish_multibulk(struct resp_parser *p, const char *buf,
                                              size_t *consumed)
{
    int argc = p->args_done;
    for (int i = 0; i < argc; i++) p->argv[i].ptr = buf + p->offsets[i];
    *consumed = p->pos;
    resp_parser_reset(p);
    p->argc = argc;
    return RESP_OK;
}

/* Drives the multibulk states from wherever the previous call stopped. */
static enum resp_status resp_parse_multibulk(struct resp_parser *p, const char *buf, size_t len,
                                             size_t *consumed, size_t *need)
{
    enum resp_status status = RESP_OK;
    if (p->state == RESP_STATE_COUNT) status = resp_read_count(p, buf, len, need);
    while (status == RESP_OK && p->multibulk_left > 0) {
        if (p->state == RESP_STATE_BULK_HEADER) status = resp_read_bulk_header(p, buf, len, need);
        if (status == RESP_OK) status = resp_read_bulk_data(p, len, need);
    }
    if (status != RESP_OK) return status;
    return resp_finish_multibulk(p, buf, consumed);
}

/* A new command starts: drop oversized arrays left by a huge previous one,
 * and pick the protocol from the first byte as Redis does. */
static void resp_begin_command(struct resp_parser *p, char first)
{
    if (p->argv_cap > RESP_ARGS_RETAIN) resp_release_args(p);
    if (p->scratch_cap > RESP_SCRATCH_RETAIN) resp_release_scratch(p);
    p->inline_cmd = first != '*';
    p->state = p->inline_cmd ? RESP_STATE_INLINE : RESP_STATE_COUNT;
    p->pos = p->scan = 0;
}

enum resp_status resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *consumed,
                            size_t *need)
{
    *consumed = 0;
    *need = 0;
    p->error = NULL;
    p->argc = 0;
    if (p->state == RESP_STATE_IDLE) {
        if (len == 0) {
            *need = 1;
            return RESP_MORE;
        }
        resp_begin_command(p, buf[0]);
    }
    if (p->state == RESP_STATE_INLINE) return resp_parse_inline(p, buf, len, consumed, need);
    return resp_parse_multibulk(p, buf, len, consumed, need);
}

/* Reads "<prefix><digits>\r\n" at buf[*pos]; returns the number or -1. */
static long long resp_peek_header(const char *buf, size_t len, size_t *pos, char prefix)
{
    size_t i = *pos;
    if (i >= len || buf[i] != prefix) return -1;
    long long v = 0;
    int digits = 0;
    for (i++; i < len && buf[i] >= '0' && buf[i] <= '9' && digits < 18; i++, digits++)
        v = v * 10 + (buf[i] - '0');
    if (digits == 0 || i + 1 >= len || buf[i] != '\r' || buf[i + 1] != '\n') return -1;
    *pos = i + 2;
    return v;
}

int resp_peek_arg(const char *buf, size_t len, int index, struct resp_arg *out)
{
    size_t pos = 0;
    long long count = resp_peek_header(buf, len, &pos, '*');
    if (count <= index) return 0;
    for (int i = 0; i <= index; i++) {
        long long n = resp_peek_header(buf, len, &pos, '$');
        if (n < 0 || (size_t)n > len - pos) return 0;
        if (i == index) {
            out->ptr = buf + pos;
            out->len = (size_t)n;
            return 1;
        }
        pos += (size_t)n + 2;
    }
    return 0;
}
