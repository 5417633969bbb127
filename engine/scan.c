/*
 * scan: the parts of the value SCAN commands that do not depend on the
 * type (see scan.h).
 */
#include "engine/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/reply.h"

#define ERR_SYNTAX "ERR syntax error"

int scan_parse_cursor(struct cmdctx *ctx, const struct resp_arg *a, unsigned long long *cursor)
{
    char *copy = mem_strndup(a->ptr, a->len), *end;
    errno = 0;
    *cursor = strtoull(copy, &end, 10);
    int ok = !isspace((unsigned char)copy[0]) && *end == '\0' && errno != ERANGE;
    mem_free(copy);
    if (ok) return 0;
    reply_error(ctx->out, "ERR invalid cursor");
    return -1;
}

/* MATCH pattern and COUNT n from argv[first] on ("*" means no pattern;
 * COUNT below 1 and anything else are syntax errors). Returns 0, or -1
 * after replying the error. */
static int scan_parse_options(struct cmdctx *ctx, int first, const struct resp_arg **pattern,
                              long long *count)
{
    for (int i = first; i < ctx->argc; i += 2) {
        if (i + 1 < ctx->argc && arg_eq(&ctx->argv[i], "count")) {
            if (arg_ll(ctx, &ctx->argv[i + 1], count, NULL) != 0) return -1;
            if (*count < 1) {
                reply_error(ctx->out, ERR_SYNTAX);
                return -1;
            }
        } else if (i + 1 < ctx->argc && arg_eq(&ctx->argv[i], "match")) {
            *pattern = &ctx->argv[i + 1];
            if ((*pattern)->len == 1 && (*pattern)->ptr[0] == '*') *pattern = NULL;
        } else {
            reply_error(ctx->out, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* The reply for a key that does not exist: cursor 0, no elements. */
static void scan_reply_missing(struct outbuf *out)
{
    reply_array(out, 2);
    reply_bulk(out, "0", 1);
    reply_array(out, 0);
}

struct entry *scan_begin(struct cmdctx *ctx, int type, unsigned long long *cursor,
                         const struct resp_arg **pattern, long long *count)
{
    *pattern = NULL;
    *count = 10;
    if (scan_parse_cursor(ctx, &ctx->argv[2], cursor) != 0) return NULL;
    struct entry *e = cmd_lookup_read(ctx, &ctx->argv[1]);
    if (!e) {
        scan_reply_missing(ctx->out);
        return NULL;
    }
    if (cmd_check_type(ctx, e, type) != 0) return NULL;
    if (scan_parse_options(ctx, 3, pattern, count) != 0) return NULL;
    return e;
}

int scan_pattern_matches(const struct resp_arg *pattern, const char *p, size_t len)
{
    return !pattern || glob_match(pattern->ptr, pattern->len, p, len, 0);
}

void scan_batch_collect(void *batch, struct dict_entry *de)
{
    struct scan_batch *b = batch;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->entries = mem_realloc(b->entries, b->cap * sizeof(*b->entries));
    }
    b->entries[b->n++] = de;
}
