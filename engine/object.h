/*
 * object: the values stored in keyspace entries: how each type is created,
 * read and freed. Strings now; the other types join in later issues.
 * Callers hold the entry's shard lock.
 */
#ifndef TANDEM_ENGINE_OBJECT_H
#define TANDEM_ENGINE_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/keyspace.h"

/* Largest string Redis creates as "embstr" (OBJECT ENCODING). */
#define EMBSTR_MAX 44
/* Values up to this size are stored inline in a new key's entry: one
 * allocation and one cache miss per key instead of two (128: a typical
 * 100-byte value is inline; a key whose value later outgrows its room
 * keeps at most this much unused). */
#define STRING_INLINE_MAX 128
/* Room needed by string_bytes for an integer-encoded value. */
#define STRING_INT_BUF 24

/* Frees the value held by e (not the entry). */
void value_free(struct entry *e);

/* Stores bytes as e's string value, integer-encoded when they are the
 * canonical form of an int64 (as Redis's tryObjectEncoding). */
void string_set(struct entry *e, const char *p, size_t len);
void string_set_int(struct entry *e, int64_t v);
/* Stores bytes as text, never integer-encoded (Redis keeps an INCRBYFLOAT
 * result such as "3" as a string: OBJECT ENCODING shows embstr). */
void string_set_text(struct entry *e, const char *p, size_t len);
/* The value's bytes: for integers formatted into buf (STRING_INT_BUF). */
const char *string_bytes(const struct entry *e, char *buf, size_t *len);
size_t string_length(const struct entry *e);
/* Turns an integer-encoded string into raw bytes so it can be modified in
 * place (APPEND, SETRANGE); returns the sstr. */
struct sstr *string_make_raw(struct entry *e);

/* OBJECT ENCODING's name for e's representation, as Redis 7.0 names it. */
const char *value_encoding_name(const struct entry *e);
/* OBJECT REFCOUNT: Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS)
 * and reports INT_MAX for them; every other value has one reference. */
long long value_refcount(const struct entry *e);

/* TYPE's name for a value type ("string", "list", ...). */
const char *value_type_name(int type);

#endif
