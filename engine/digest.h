/*
 * digest: DEBUG DIGEST and DEBUG DIGEST-VALUE. The value is Redis 7.0's,
 * bit for bit: the same dataset gives the same 40 hex characters on
 * redis-server and on tandem, whatever the insertion order, so tests (and
 * operators) can compare a replica with its primary, or tandem with Redis,
 * in one command. An empty dataset digests to forty zeros.
 *
 * Thread: any worker. digest_dataset takes every shard lock of every
 * database in the global order (the image is one point in time);
 * digest_value takes the key's shard lock.
 */
#ifndef TANDEM_ENGINE_DIGEST_H
#define TANDEM_ENGINE_DIGEST_H

#include <stddef.h>

#include "engine/keyspace.h"

void digest_dataset(unsigned char out[20]);
/* The digest of one key's value (forty zeros when the key does not
 * exist; a logically expired key still counts, as in Redis). */
void digest_value(struct db *db, const char *key, size_t len, unsigned char out[20]);
/* 40 lowercase hex characters and a NUL. */
void digest_hex(const unsigned char digest[20], char out[41]);

/* Redis's xorDigest and mixDigest, for the value types' digests: xor the
 * SHA-1 of p into d; then (mix) replace d by its own SHA-1. */
void digest_xor(unsigned char d[20], const void *p, size_t len);
void digest_mix(unsigned char d[20], const void *p, size_t len);

#endif
