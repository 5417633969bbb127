/*
 * sstr: a binary-safe, growable byte string: the storage of string values.
 * Not thread-safe by itself: a string belongs to a keyspace entry and is
 * only touched under that entry's shard lock.
 */
#ifndef TANDEM_ENGINE_SSTR_H
#define TANDEM_ENGINE_SSTR_H

#include <stddef.h>

struct sstr {
    size_t len;
    size_t cap;
    char data[];
};

/* A string holding a copy of p[0..len), with no spare capacity. */
struct sstr *sstr_new(const char *p, size_t len);
/* Appends p[0..len); may move the string (use the returned pointer).
 * Grows geometrically so that repeated APPENDs are amortized O(1). */
struct sstr *sstr_append(struct sstr *s, const char *p, size_t len);
/* Makes the string at least len bytes long, zero-filling new bytes. */
struct sstr *sstr_extend(struct sstr *s, size_t len);
void sstr_free(struct sstr *s);
/* Bytes allocated for the string (for MEMORY USAGE style accounting). */
size_t sstr_alloc_size(const struct sstr *s);

#endif
