/*
 * strbuf: a growing byte buffer, always NUL-terminated once anything was
 * added, for what is built before its size is known: INFO and CLIENT LIST
 * text, CONFIG GET's values, the replication effects of a command.
 *
 * Owned by whoever holds it (no locking); allocation through mem_alloc,
 * doubling, so n appends cost O(n) copies in all.
 */
#ifndef TANDEM_ENGINE_STRBUF_H
#define TANDEM_ENGINE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *p; /* NULL until the first byte */
    size_t len, cap;
};

/* Room for at least `more` bytes after len, plus the NUL; returns where
 * they go (the caller writes, then adds what it wrote to len). */
char *strbuf_reserve(struct strbuf *b, size_t more);
void strbuf_add(struct strbuf *b, const void *p, size_t n);
void strbuf_add_str(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap);
/* The text (never NULL) handed to the caller, who mem_frees it; b is
 * empty again. */
char *strbuf_take(struct strbuf *b);
void strbuf_free(struct strbuf *b);

#endif
