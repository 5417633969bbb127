/*
 * ziplist: readers for the two compact encodings that Redis stopped writing
 * but still loads from old RDB files: the ziplist (lists, hashes and sorted
 * sets before 7.0, and the nodes of RDB_TYPE_LIST_QUICKLIST) and the zipmap
 * (hashes before 2.6). tandem never keeps either: rdb.c walks them once,
 * fully validated, and rebuilds the value as a listpack or a dict.
 *
 * ziplist = <zlbytes u32> <zltail u32> <zllen u16> <entry>... <0xFF>
 * entry   = <prevlen: 1 byte, or 0xFE + u32> <encoding> <data>
 *   encoding 00llllll / 01llllll llllllll / 10______ + u32 (big endian):
 *   a string of that length; 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0
 *   int24, 0xFE int8 (little endian); 0xF1..0xFD the integers 0..12.
 * zipmap  = <count u8> (<len> key <len> <free u8> value <free bytes>)... <0xFF>
 *   len = one byte below 254, else 254 followed by a u32.
 *
 * Pure functions on caller buffers, any thread. Nothing is read outside
 * blob[0..size), whatever the bytes say.
 */
#ifndef TANDEM_STORAGE_ZIPLIST_H
#define TANDEM_STORAGE_ZIPLIST_H

#include <stddef.h>

#include "engine/listpack.h"

/* Validates the whole ziplist (header, every entry, prevlen chain, tail
 * offset, count) and calls fn for each element in order; fn returning 0
 * stops the walk. Returns 1 when valid and fn accepted everything, else 0.
 * fn may be NULL (validation only). Elements are only handed out after the
 * whole ziplist was validated. */
int ziplist_walk(const unsigned char *zl, size_t size,
                 int (*fn)(void *ctx, const struct lp_entry *e), void *ctx);

/* The same for a zipmap: fn gets each field and value. */
int zipmap_walk(const unsigned char *zm, size_t size,
                int (*fn)(void *ctx, const unsigned char *field, size_t flen,
                          const unsigned char *value, size_t vlen),
                void *ctx);

#endif
