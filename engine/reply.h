/*
 * reply: RESP2 reply builder. Writes straight into a client's output buffer
 * (io/outbuf.h), which the worker's loop sends once per turn.
 * Owning worker only (a client's replies are built by the worker that owns it).
 */
#ifndef TANDEM_ENGINE_REPLY_H
#define TANDEM_ENGINE_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "io/outbuf.h"

/* "+OK\r\n" and friends. s must not contain \r or \n. */
void reply_status(struct outbuf *o, const char *s);
void reply_ok(struct outbuf *o);
/* An error: msg is the whole error without "-" (e.g. "ERR syntax error",
 * "WRONGTYPE Operation ..."). A msg without an uppercase code word gets
 * "ERR " prepended, as Redis's addReplyError does. Newlines are replaced
 * by spaces so the protocol never breaks. */
void reply_error(struct outbuf *o, const char *msg);
void reply_errorf(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct outbuf *o, long long v);
void reply_bulk(struct outbuf *o, const void *p, size_t len);
void reply_bulk_cstr(struct outbuf *o, const char *s);
void reply_bulk_ll(struct outbuf *o, long long v);
/* A double formatted as Redis does in RESP2 ("%.17g", inf, -inf). */
void reply_bulk_double(struct outbuf *o, double v);
void reply_null(struct outbuf *o);       /* $-1 */
void reply_null_array(struct outbuf *o); /* *-1 */
void reply_array(struct outbuf *o, long long n);
/* A verbatim string (RESP3) degraded to a bulk string in RESP2. */
void reply_verbatim(struct outbuf *o, const char *p, size_t len);
/* Map header: in RESP2 an array of 2n elements. */
void reply_map(struct outbuf *o, long long n);

/* Shared error strings, word for word Redis 7.0's. */
extern const char *const ERR_WRONGTYPE;
extern const char *const ERR_SYNTAX;
extern const char *const ERR_NOT_INTEGER;
extern const char *const ERR_NOT_FLOAT;
extern const char *const ERR_OVERFLOW;
extern const char *const ERR_NO_SUCH_KEY;
extern const char *const ERR_DB_INDEX;

#endif
