/*
 * reply: RESP2 reply builder. See reply.h.
 *
 * Each reply is formatted straight into the tail of the output buffer
 * (outbuf_reserve/commit): no temporary strings, no allocation unless the
 * tail chunk is full.
 */
#include "engine/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/util.h"

const char *const ERR_WRONGTYPE =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
const char *const ERR_SYNTAX = "ERR syntax error";
const char *const ERR_NOT_INTEGER = "ERR value is not an integer or out of range";
const char *const ERR_NOT_FLOAT = "ERR value is not a valid float";
const char *const ERR_OVERFLOW = "ERR increment or decrement would overflow";
const char *const ERR_NO_SUCH_KEY = "ERR no such key";
const char *const ERR_DB_INDEX = "ERR DB index is out of range";

/* Writes prefix, a decimal number and CRLF: the header of every integer,
 * bulk and array reply. */
static void reply_number_line(struct outbuf *o, char prefix, long long v)
{
    char *p = outbuf_reserve(o, 24);
    p[0] = prefix;
    int n = util_ll_to_str(p + 1, 22, v);
    p[n + 1] = '\r';
    p[n + 2] = '\n';
    outbuf_commit(o, (size_t)n + 3);
}

void reply_status(struct outbuf *o, const char *s)
{
    size_t len = strlen(s);
    char *p = outbuf_reserve(o, len + 3);
    p[0] = '+';
    memcpy(p + 1, s, len);
    p[len + 1] = '\r';
    p[len + 2] = '\n';
    outbuf_commit(o, len + 3);
}

void reply_ok(struct outbuf *o)
{
    outbuf_append(o, "+OK\r\n", 5);
}

static int has_error_code(const char *msg)
{
    /* Redis treats a leading all-uppercase word as the error code. */
    const char *p = msg;
    while (*p >= 'A' && *p <= 'Z') p++;
    return p != msg && *p == ' ';
}

void reply_error(struct outbuf *o, const char *msg)
{
    size_t len = strlen(msg);
    int code = has_error_code(msg);
    size_t total = 1 + (code ? 0 : 4) + len + 2;
    char *p = outbuf_reserve(o, total);
    char *w = p;
    *w++ = '-';
    if (!code) {
        memcpy(w, "ERR ", 4);
        w += 4;
    }
    for (size_t i = 0; i < len; i++) *w++ = (msg[i] == '\r' || msg[i] == '\n') ? ' ' : msg[i];
    *w++ = '\r';
    *w++ = '\n';
    outbuf_commit(o, total);
}

void reply_errorf(struct outbuf *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    reply_error(o, buf);
}

void reply_int(struct outbuf *o, long long v)
{
    reply_number_line(o, ':', v);
}

void reply_bulk(struct outbuf *o, const void *p, size_t len)
{
    if (len <= 256) {
        /* Header, payload and CRLF in one reservation. */
        char *w = outbuf_reserve(o, len + 26);
        w[0] = '$';
        int n = util_ll_to_str(w + 1, 22, (long long)len);
        w[n + 1] = '\r';
        w[n + 2] = '\n';
        memcpy(w + n + 3, p, len);
        w[n + 3 + len] = '\r';
        w[n + 4 + len] = '\n';
        outbuf_commit(o, (size_t)n + 5 + len);
        return;
    }
    reply_number_line(o, '$', (long long)len);
    outbuf_append(o, p, len);
    outbuf_append(o, "\r\n", 2);
}

void reply_bulk_cstr(struct outbuf *o, const char *s)
{
    if (!s) {
        reply_null(o);
        return;
    }
    reply_bulk(o, s, strlen(s));
}

void reply_bulk_ll(struct outbuf *o, long long v)
{
    char buf[24];
    int n = util_ll_to_str(buf, sizeof(buf), v);
    reply_bulk(o, buf, (size_t)n);
}

void reply_bulk_double(struct outbuf *o, double v)
{
    char buf[128];
    int n = util_d_to_str(buf, sizeof(buf), v);
    reply_bulk(o, buf, (size_t)n);
}

void reply_null(struct outbuf *o)
{
    outbuf_append(o, "$-1\r\n", 5);
}

void reply_null_array(struct outbuf *o)
{
    outbuf_append(o, "*-1\r\n", 5);
}

void reply_array(struct outbuf *o, long long n)
{
    reply_number_line(o, '*', n);
}

void reply_verbatim(struct outbuf *o, const char *p, size_t len)
{
    reply_bulk(o, p, len);
}

void reply_map(struct outbuf *o, long long n)
{
    reply_array(o, n * 2);
}
