/*
 * scan: what the SCAN family shares, as Redis's scanGenericCommand does:
 * the cursor (SCAN too), and for HSCAN, SSCAN and ZSCAN the key lookup, the
 * MATCH and COUNT options, the reply for a missing key, pattern matching
 * and a batch of dict entries gathered by one dict_scan walk.
 *
 * Thread: the worker running the command (the key's shard lock held).
 */
#ifndef TANDEM_ENGINE_SCAN_H
#define TANDEM_ENGINE_SCAN_H

#include <stddef.h>

#include "engine/command.h"
#include "engine/dict.h"

/* Parses a cursor as Redis's parseScanCursorOrReply (strtoul: no leading
 * space, no trailing bytes, no overflow; a sign is accepted, "-1" wraps,
 * the text ends at a NUL byte). Replies
 * "ERR invalid cursor" and returns -1 when it is not one. */
int scan_parse_cursor(struct cmdctx *ctx, const struct resp_arg *a, unsigned long long *cursor);
/* What every value SCAN does before walking: argv is "XSCAN key cursor
 * [MATCH pattern] [COUNT count]"; the cursor is checked first, then the
 * key (missing: the empty reply; another type: WRONGTYPE), then the
 * options, in Redis's order. Returns the entry to walk, or NULL when a
 * reply has been given. */
struct entry *scan_begin(struct cmdctx *ctx, int type, unsigned long long *cursor,
                         const struct resp_arg **pattern, long long *count);
/* Whether bytes match the MATCH pattern (NULL: no pattern, all match). */
int scan_pattern_matches(const struct resp_arg *pattern, const char *p, size_t len);

/* The dict entries one call collects, for dict_scan's callback. */
struct scan_batch {
    struct dict_entry **entries;
    size_t n, cap;
};
void scan_batch_collect(void *batch, struct dict_entry *de);

#endif
