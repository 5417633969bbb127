/*
 * resp: the RESP2 request parser (multibulk and inline), incremental across
 * receive boundaries.
 *
 * Used by worker threads only, one parser state per client; no locks, no
 * globals. The parser never copies multibulk argument bytes: every argument
 * of a "*<n>" command points into the buffer it was handed (zero-copy). The
 * caller owns the buffer and must keep the bytes from the command's start
 * (the buf given to resp_parse) alive until the command has run; it may move
 * them (e.g. from the receive buffer into the client's query buffer) between
 * calls, because the parser records positions as offsets from the command
 * start, never as pointers.
 *
 * Inline commands ("SET k \"a b\"\r\n") are the exception: their arguments
 * may hold quotes and escapes that must be undone, so they are unescaped
 * into a scratch buffer owned by the parser, and argv points there instead.
 * Either way argv is valid until the next resp_parse/reset/free call.
 *
 * Redis quirks kept on purpose, for byte-exact compatibility: the two bytes
 * after a bulk payload (and after the "\r" ending a "*<n>" or "$<len>" line)
 * are skipped without checking that they are "\r\n"; a NUL byte before the
 * end of a line hides the line end (Redis searches with strchr), so the
 * request waits until it is too big.
 *
 * Errors are Redis 7.0's protocol errors, word for word, e.g.
 *   "Protocol error: invalid multibulk length"
 *   "Protocol error: invalid bulk length"
 *   "Protocol error: expected '$', got 'x'"
 *   "Protocol error: unbalanced quotes in request"
 *   "Protocol error: too big inline request"
 *   "Protocol error: too big mbulk count string"
 *   "Protocol error: too big bulk count string"
 * After an error the connection is to be closed once the error is sent.
 */
#ifndef TANDEM_ENGINE_RESP_H
#define TANDEM_ENGINE_RESP_H

#include <stddef.h>
#include <stdint.h>

struct resp_arg {
    const char *ptr;
    size_t len;
};

enum resp_status {
    RESP_OK = 0,     /* one whole command parsed: argc/argv valid */
    RESP_MORE = 1,   /* need more bytes; nothing consumed past *consumed */
    RESP_ERROR = -1, /* protocol error: see parser->error */
};

struct resp_parser {
    /* Limits, set by the caller before parsing (from config). */
    int64_t max_bulk_len;  /* proto-max-bulk-len, default 512 MiB */
    size_t max_inline_len; /* PROTO_INLINE_MAX_SIZE: 64 KiB */
    int64_t max_multibulk; /* most arguments in one command (INT_MAX) */
    /* Set while the client must still AUTH: more than 10 arguments or a bulk
     * over 16 KiB is then a protocol error, as Redis 7.0.15 rules. */
    int auth_required;

    /* Output of a successful parse. argv points into the buffer given to
     * resp_parse (inline commands: into the parser's scratch buffer); it
     * stays valid until the next call. */
    int argc;
    struct resp_arg *argv;
    int argv_cap;

    /* Set when RESP_ERROR is returned: no "-ERR " prefix, no CR or LF. A
     * static string, or (for "expected '$', got 'x'") error_buf below;
     * valid until the next call. Allocation failure gives "out of memory". */
    const char *error;

    /* Resumable state (private to resp.c): the parse of a partial command
     * continues where it stopped instead of starting over. All positions are
     * offsets from the start of the command being parsed. */
    int state;              /* enum resp_state in resp.c */
    int inline_cmd;         /* current (or last parsed) command is inline */
    int args_done;          /* multibulk args recorded so far */
    int64_t multibulk_left; /* args still to read, -1 when not in a multibulk */
    int64_t bulk_len;       /* length of the bulk being read, -1 if none */
    size_t pos;             /* next byte to examine, from command start */
    size_t scan;            /* where the search for the current line end resumes */
    size_t *offsets;        /* per parsed arg: its offset (its length is in
                               argv[i].len); argv_cap entries, like argv */
    char *scratch;          /* unescaped inline arguments (argv points here) */
    size_t scratch_cap;     /* its size in bytes */
    char error_buf[48];     /* "Protocol error: expected '$', got 'x'" */
};

void resp_parser_init(struct resp_parser *p);
void resp_parser_free(struct resp_parser *p);
/* Forgets any partial command. */
void resp_parser_reset(struct resp_parser *p);

/*
 * Parses one command from buf[0..len). buf must start at the first byte of
 * the command (the same start on every call for one partial command, with
 * more bytes appended after the previous len).
 *
 * RESP_OK: argc/argv hold the command; *consumed = its length in bytes
 *          (the next command starts at buf + *consumed). An empty line or an
 *          empty multibulk ("*0\r\n", "*-1\r\n") is consumed with argc == 0.
 * RESP_MORE: the command is incomplete; *consumed = 0. *need, when not 0, is
 *          the total number of bytes from buf that must be present before a
 *          further call can make progress (used to pre-size the query buffer
 *          for a large bulk and to avoid useless calls).
 * RESP_ERROR: parser->error says why.
 */
enum resp_status resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *consumed,
                            size_t *need);

/*
 * Peeks at the multibulk command starting at buf without parsing it: if its
 * argument number `index` (0 = the command name) lies whole in buf[0..len),
 * points out at it and returns 1, else returns 0. Validates only what it
 * reads; used for prefetch hints, never for running a command.
 */
int resp_peek_arg(const char *buf, size_t len, int index, struct resp_arg *out);

/* True when the parser is in the middle of a command. */
int resp_parser_partial(const struct resp_parser *p);

#endif
