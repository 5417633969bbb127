/*
 * sha1: SHA-1 (FIPS 180-4), for DEBUG DIGEST, whose value Redis defines in
 * terms of SHA-1 (and, later, for the replication id's checks). Not for
 * anything that needs a secure hash.
 *
 * Thread: any; a context belongs to its caller.
 */
#ifndef TANDEM_ENGINE_SHA1_H
#define TANDEM_ENGINE_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1 {
    uint32_t h[5];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
void sha1_final(struct sha1 *s, unsigned char out[20]);
/* One call for a whole buffer. */
void sha1_digest(const void *data, size_t len, unsigned char out[20]);

#endif
