/*
 * crc64: table-driven CRC-64/Jones, eight bytes per step ("slicing by 8").
 * See crc64.h.
 *
 * In reflected form a CRC register shifts right and the polynomial is bit
 * reversed. table[0][b] is the CRC of the byte b alone; table[k][b] is the
 * CRC of b followed by k zero bytes, so eight input bytes xored into the
 * register can be folded with eight independent lookups.
 */
#include "storage/crc64.h"

#include <string.h>

/* 0xad93d23594c935a9 with its 64 bits in reverse order. */
#define CRC64_JONES_REFLECTED 0x95ac9329ac4bc9b5ull

static uint64_t crc_table[8][256];

/* Built before main (a constructor): every call then reads the tables
 * directly. An RDB load makes millions of small calls, and a once-guard
 * on each was a measurable part of them. */
__attribute__((constructor)) static void crc64_build_tables(void)
{
    for (unsigned b = 0; b < 256; b++) {
        uint64_t crc = b;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ CRC64_JONES_REFLECTED : crc >> 1;
        crc_table[0][b] = crc;
    }
    for (unsigned b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            crc_table[k][b] = crc_table[0][crc_table[k - 1][b] & 0xff] ^ (crc_table[k - 1][b] >> 8);
}

static uint64_t load_u64_le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint64_t crc64_update(uint64_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len >= 8) {
        crc ^= load_u64_le(p);
        crc = crc_table[7][crc & 0xff] ^ crc_table[6][(crc >> 8) & 0xff] ^
              crc_table[5][(crc >> 16) & 0xff] ^ crc_table[4][(crc >> 24) & 0xff] ^
              crc_table[3][(crc >> 32) & 0xff] ^ crc_table[2][(crc >> 40) & 0xff] ^
              crc_table[1][(crc >> 48) & 0xff] ^ crc_table[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}
