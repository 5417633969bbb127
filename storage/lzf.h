/*
 * lzf: the LZF compression format that RDB strings use (the 0xC3 string
 * encoding): written by tandem when `rdbcompression` is on, read whenever
 * a file holds it.
 *
 * The format is a sequence of instructions, each starting with a control
 * byte c:
 *   c < 32          literal run: the next c + 1 bytes are copied as they are;
 *   c >= 32         back reference: length field L = c >> 5 (7 means "add the
 *                   next byte"), offset = ((c & 31) << 8 | next byte) + 1;
 *                   copies L + 2 bytes starting `offset` bytes back in the
 *                   output (the copy may overlap what it writes).
 *
 * Pure functions on caller buffers, callable from any thread; nothing is
 * allocated. Decompression checks every bound, so corrupt input yields an
 * error, never a read or write outside the buffers.
 */
#ifndef TANDEM_STORAGE_LZF_H
#define TANDEM_STORAGE_LZF_H

#include <stddef.h>

/* Compresses in[0..in_len) into out (at most out_size bytes). Returns the
 * compressed size, or 0 when the result would not fit in out_size (the
 * caller then stores the data uncompressed). */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_size);

/* Decompresses in[0..in_len) into out, which must receive exactly out_len
 * bytes. Returns 0, or -1 when the input is corrupt (a reference before the
 * start of the output, a run past either end, or a size other than
 * out_len). */
int lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

#endif
