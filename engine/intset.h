/*
 * intset: a sorted array of distinct integers, the compact encoding of
 * small sets whose members are all integers (OBJECT ENCODING "intset").
 * The memory image is Redis's, byte for byte, so an RDB_TYPE_SET_INTSET
 * payload is the blob itself, written and loaded without conversion:
 *
 *     u32 encoding   2, 4 or 8: bytes per element (int16/int32/int64)
 *     u32 length     number of elements
 *     contents       length elements, strictly ascending
 *
 * all little-endian. Every element uses the encoding of the widest one: an
 * add that needs a wider encoding rewrites the whole array (an "upgrade");
 * the encoding never narrows again, as in Redis.
 *
 * Not thread-safe: an intset is a key's value and the caller holds that
 * key's shard lock. intset_validate is pure and may run on any thread.
 */
#ifndef TANDEM_ENGINE_INTSET_H
#define TANDEM_ENGINE_INTSET_H

#include <stddef.h>
#include <stdint.h>

struct intset;

/* An empty set, 16-bit encoded (8 bytes: the header). */
struct intset *intset_new(void);
void intset_free(struct intset *is);

/* Adds v; *added (may be NULL) is 1 if it was absent. May move the set:
 * use the returned pointer. */
struct intset *intset_add(struct intset *is, int64_t v, int *added);
/* Removes v; *removed (may be NULL) is 1 if it was present. May move the
 * set (it shrinks): use the returned pointer. */
struct intset *intset_remove(struct intset *is, int64_t v, int *removed);
/* 1 if v is a member (binary search). */
int intset_find(const struct intset *is, int64_t v);
/* The element at position pos (0 = smallest) into *v; 0 if out of range. */
int intset_get(const struct intset *is, uint32_t pos, int64_t *v);
/* A uniformly random element; the set must not be empty. */
int64_t intset_random(const struct intset *is);
uint32_t intset_len(const struct intset *is);
/* Bytes per element: 2, 4 or 8. */
uint32_t intset_encoding(const struct intset *is);

/* The blob: intset_blob_len(is) bytes at intset_blob(is), exactly what an
 * RDB_TYPE_SET_INTSET string holds. */
const unsigned char *intset_blob(const struct intset *is);
size_t intset_blob_len(const struct intset *is);

/* Whether size bytes at blob form an intset, never reading outside them
 * and not assuming any alignment: a known encoding, a length that matches
 * size exactly, and at least one element (Redis refuses empty sets). With
 * deep, also that the elements are strictly ascending (sorted, no
 * duplicates), as Redis's intsetValidateIntegrity. For untrusted input:
 * RDB payloads, RESTORE. */
int intset_validate(const unsigned char *blob, size_t size, int deep);
/* Takes ownership of buf (size bytes from mem_alloc, e.g. a payload just
 * read) as an intset if intset_validate accepts it; otherwise returns NULL
 * and buf remains the caller's. */
struct intset *intset_adopt(void *buf, size_t size, int deep);

#endif
