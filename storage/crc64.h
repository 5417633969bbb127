/*
 * crc64: the checksum at the end of an RDB file: Redis's CRC-64 ("Jones"
 * polynomial 0xad93d23594c935a9, reflected input and output, initial value
 * 0, no final xor), so crc64_update(0, "123456789", 9) is
 * 0xe9c6d914c4b8d9ca as in Redis's own test.
 *
 * Pure functions, callable from any thread. The lookup tables are built
 * at start-up, before main.
 */
#ifndef TANDEM_STORAGE_CRC64_H
#define TANDEM_STORAGE_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc over len bytes at p (start with 0). */
uint64_t crc64_update(uint64_t crc, const void *p, size_t len);

#endif
