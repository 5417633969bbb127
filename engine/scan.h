/*
 * scan: what HSCAN, SSCAN and ZSCAN share, as Redis's scanGenericCommand
 * does for them: the cursor, the MATCH and COUNT options, the reply for a
 * missing key, and a batch of dict entries gathered by one dict_scan walk.
 *
 * Thread: the worker running the command (the key's shard lock held).
 */
#ifndef TANDEM_ENGINE_SCAN_H
#define TANDEM_ENGINE_SCAN_H

#include <stddef.h>

#include "engine/command.h"
#include "engine/dict.h"

/* Parses a cursor as Redis's parseScanCursorOrReply (strtoul: no leading
 * space, no trailing bytes, no overflow; a sign is accepted). Replies
 * "ERR invalid cursor" and returns -1 when it is not one. */
int scan_parse_cursor(struct cmdctx *ctx, const struct resp_arg *a, unsigned long long *cursor);
/* MATCH pattern and COUNT n from argv[first] on ("*" means no pattern;
 * COUNT below 1 and anything else are syntax errors). Returns 0, or -1
 * after replying the error. */
int scan_parse_options(struct cmdctx *ctx, int first, const struct resp_arg **pattern,
                       long long *count);
/* The reply for a key that does not exist: cursor 0, no elements. */
void scan_reply_missing(struct outbuf *out);

/* The dict entries one call collects, for dict_scan's callback. */
struct scan_batch {
    struct dict_entry **entries;
    size_t n, cap;
};
void scan_batch_collect(void *batch, struct dict_entry *de);

#endif
