/*
 * strbuf: a growing byte buffer. See engine/strbuf.h.
 */
#include "engine/strbuf.h"

#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"

char *strbuf_reserve(struct strbuf *b, size_t more)
{
    if (b->len + more + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + more + 1) cap *= 2;
        b->p = mem_realloc(b->p, cap);
        b->cap = cap;
    }
    return b->p + b->len;
}

void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
    memcpy(strbuf_reserve(b, n), p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void strbuf_add_str(struct strbuf *b, const char *s)
{
    strbuf_add(b, s, strlen(s));
}

void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    char *at = strbuf_reserve(b, 128);
    int n = vsnprintf(at, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        at = strbuf_reserve(b, (size_t)n);
        n = vsnprintf(at, b->cap - b->len, fmt, again);
    }
    va_end(again);
    if (n > 0) b->len += (size_t)n;
    b->p[b->len] = '\0';
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *strbuf_take(struct strbuf *b)
{
    char *s = b->p ? b->p : mem_strdup("");
    *b = (struct strbuf){0};
    return s;
}

void strbuf_free(struct strbuf *b)
{
    mem_free(b->p);
    *b = (struct strbuf){0};
}
