/*
 * scan: the parts of the value SCAN commands that do not depend on the
 * type (see scan.h).
 */
#include "engine/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "engine/alloc.h"
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

int scan_parse_options(struct cmdctx *ctx, int first, const struct resp_arg **pattern,
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

void scan_reply_missing(struct outbuf *out)
{
    reply_array(out, 2);
    reply_bulk(out, "0", 1);
    reply_array(out, 0);
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
