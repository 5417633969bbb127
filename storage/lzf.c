/*
 * lzf: LZF compression and decompression. See lzf.h for the format.
 *
 * The compressor finds matches of at least three bytes with a hash table of
 * the positions where each three-byte prefix was last seen (one candidate
 * per prefix: fast, and good enough for the long repetitive strings RDB
 * compresses). Matches are at most 264 bytes (7 + 255 + 2) and 8192 bytes
 * back, the limits of the format.
 */
#include "storage/lzf.h"

#include <stdint.h>
#include <string.h>

#define LZF_MAX_LITERAL 32
#define LZF_MAX_OFFSET 8192
#define LZF_MIN_MATCH 3
#define LZF_MAX_MATCH (7 + 255 + 2)
#define LZF_HASH_BITS 13

static unsigned lzf_hash3(const unsigned char *p, unsigned bits)
{
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - bits);
}

/* Appends the literal bytes lit[0..n) in runs of at most 32; returns the
 * new output position, or NULL when out of room. */
static unsigned char *lzf_emit_literals(unsigned char *op, const unsigned char *out_end,
                                        const unsigned char *lit, size_t n)
{
    while (n > 0) {
        size_t run = n < LZF_MAX_LITERAL ? n : LZF_MAX_LITERAL;
        if ((size_t)(out_end - op) < run + 1) return NULL;
        *op++ = (unsigned char)(run - 1);
        memcpy(op, lit, run);
        op += run;
        lit += run;
        n -= run;
    }
    return op;
}

/* Appends a back reference of len bytes (3..264), distance back (1..8192). */
static unsigned char *lzf_emit_match(unsigned char *op, const unsigned char *out_end, size_t len,
                                     size_t back)
{
    size_t l = len - 2, off = back - 1;
    if ((size_t)(out_end - op) < (l >= 7 ? 3u : 2u)) return NULL;
    if (l < 7) {
        *op++ = (unsigned char)(l << 5 | off >> 8);
    } else {
        *op++ = (unsigned char)(7 << 5 | off >> 8);
        *op++ = (unsigned char)(l - 7);
    }
    *op++ = (unsigned char)(off & 0xff);
    return op;
}

size_t lzf_compress(const void *in_buf, size_t in_len, void *out_buf, size_t out_size)
{
    const unsigned char *in = in_buf;
    unsigned char *out = out_buf, *op = out, *out_end = out + out_size;
    /* Positions + 1 (0 = never seen). The table is sized to the input so
     * that short strings do not pay for clearing a large one. */
    uint32_t seen[1u << LZF_HASH_BITS];
    unsigned bits = 8;
    while (bits < LZF_HASH_BITS && ((size_t)1 << bits) < in_len) bits++;
    memset(seen, 0, sizeof(seen[0]) << bits);
    if (in_len >= UINT32_MAX) return 0;

    size_t ip = 0, lit_start = 0;
    while (ip + LZF_MIN_MATCH <= in_len) {
        unsigned h = lzf_hash3(in + ip, bits);
        size_t cand = seen[h];
        seen[h] = (uint32_t)(ip + 1);
        if (cand == 0 || ip - (cand - 1) > LZF_MAX_OFFSET ||
            memcmp(in + cand - 1, in + ip, LZF_MIN_MATCH) != 0) {
            ip++;
            continue;
        }
        size_t ref = cand - 1, len = LZF_MIN_MATCH;
        size_t max = in_len - ip < LZF_MAX_MATCH ? in_len - ip : LZF_MAX_MATCH;
        while (len < max && in[ref + len] == in[ip + len]) len++;
        op = lzf_emit_literals(op, out_end, in + lit_start, ip - lit_start);
        if (op) op = lzf_emit_match(op, out_end, len, ip - ref);
        if (!op) return 0;
        /* Remember the match's last two positions (as liblzf's fast mode):
         * a periodic string's next repetition is found there, and a long
         * run does not cost a hash per byte. */
        for (size_t k = ip + len - 2; k < ip + len && k + LZF_MIN_MATCH <= in_len; k++)
            seen[lzf_hash3(in + k, bits)] = (uint32_t)(k + 1); /* len >= 3: k > ip */
        ip += len;
        lit_start = ip;
    }
    op = lzf_emit_literals(op, out_end, in + lit_start, in_len - lit_start);
    return op ? (size_t)(op - out) : 0;
}

int lzf_decompress(const void *in_buf, size_t in_len, void *out_buf, size_t out_len)
{
    const unsigned char *ip = in_buf, *in_end = ip + in_len;
    unsigned char *out = out_buf, *op = out, *out_end = out + out_len;

    while (ip < in_end) {
        unsigned ctrl = *ip++;
        if (ctrl < LZF_MAX_LITERAL) {
            size_t run = ctrl + 1;
            if ((size_t)(in_end - ip) < run || (size_t)(out_end - op) < run) return -1;
            memcpy(op, ip, run);
            op += run;
            ip += run;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip >= in_end) return -1;
            len += *ip++;
        }
        len += 2;
        if (ip >= in_end) return -1;
        size_t back = ((size_t)(ctrl & 0x1f) << 8 | *ip++) + 1;
        if ((size_t)(op - out) < back || (size_t)(out_end - op) < len) return -1;
        const unsigned char *ref = op - back;
        if (back == 1) {
            memset(op, ref[0], len); /* a run of one byte: the common repeat */
        } else if (back >= len) {
            memcpy(op, ref, len);
        } else {
            /* The source overlaps the bytes being written: copy a period
             * at a time, each copy reading only bytes already written. */
            for (size_t done = 0; done < len;) {
                size_t n = len - done < back ? len - done : back;
                memcpy(op + done, ref + done, n);
                done += n;
            }
        }
        op += len;
    }
    return op == out_end ? 0 : -1;
}
