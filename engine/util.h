/*
 * util: number <-> string conversions with Redis 7.0's exact rules, and the
 * clock. Pure functions, callable from any thread.
 */
#ifndef TANDEM_ENGINE_UTIL_H
#define TANDEM_ENGINE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Fetches the cache line holding p for reading, as __builtin_prefetch,
 * but never dropped: GCC's dead code elimination removes a read prefetch
 * under some conditions (seen with GCC 12 at -O2 and -O3), silently. A
 * prefetch never faults, so p may be any address. */
static inline void util_prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p);
#endif
}

/* Tells the CPU this is a spin-wait loop (x86 pause): the sibling
 * hyperthread gets the core, and leaving the loop does not flush the
 * pipeline. */
static inline void util_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("pause" ::: "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
}

/* Buffer sizes that always suffice for the formatting functions below. */
#define UTIL_LL_STR_SIZE 21   /* "-9223372036854775808" and its NUL */
#define UTIL_D_STR_SIZE 32    /* any double as "%.17g" */
#define UTIL_LD_STR_SIZE 5120 /* any finite long double as "%.17Lf" (~4950 chars) */

/* Strict integer parse as Redis's string2ll: no spaces, no '+', no leading
 * zeros ("0" alone is fine), "-0" rejected, range of int64. 1 on success.
 * For all parsers here out may be NULL to only validate. */
int util_str_to_ll(const char *s, size_t len, long long *out);
/* Same for unsigned long long (string2ull semantics): the strict parse first
 * (negative -> rejected), then strtoull's leniency: leading white space, a
 * '+' or '-' sign ("-0" gives 0, "-18446744073709551615" gives 1), leading
 * zeros. Like Redis, which reads a C string, the input ends at its first NUL
 * byte. Overflow is rejected. */
int util_str_to_ull(const char *s, size_t len, unsigned long long *out);
/* Writes the decimal form of v into buf (no NUL needed but written when room);
 * returns its length. buf must hold 21 bytes. */
int util_ll_to_str(char *buf, size_t size, long long v);

/* Parse a long double as Redis's string2ld (used by INCRBYFLOAT): rejects
 * empty, spaces, NaN, overflow; accepts "inf"/"-inf" forms strtold accepts.
 * 1 on success. */
int util_str_to_ld(const char *s, size_t len, long double *out);
/* Format a long double as Redis's ld2string in LD_STR_HUMAN mode (%.17Lf then
 * trailing zeros and '.' removed; "inf"/"-inf"). Returns length, 0 on error. */
int util_ld_to_str(char *buf, size_t size, long double v);

/* Parse a double as Redis's string2d (getDoubleFromObject): rejects empty,
 * leading space, NaN; accepts inf. 1 on success. */
int util_str_to_d(const char *s, size_t len, double *out);
/* Format a double for replies as Redis's addReplyDouble in RESP2:
 * "%.17g" with the Redis rules ("inf", "-inf"). Returns length. */
int util_d_to_str(char *buf, size_t size, double v);

/* Memory sizes as redis.conf accepts them: "1gb", "512mb", "100k", "10"
 * (k = 1000, kb = 1024, m, mb, g, gb; case-insensitive). 1 on success. */
int util_parse_memory(const char *s, long long *out);
/* The same with Redis's memtoull's exact result, for unsigned settings
 * (maxmemory): "", "kb" give 0; a number too big for 64 bits is taken as
 * ULLONG_MAX and the unit multiplication wraps, as in Redis. The signed
 * util_parse_memory is this, rejecting results above LLONG_MAX. */
int util_parse_memory_ull(const char *s, unsigned long long *out);

/* Wall clock in milliseconds / microseconds (CLOCK_REALTIME). */
int64_t util_ms_now(void);
int64_t util_us_now(void);
/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */
int64_t util_monotonic_us(void);

/* Fills out with len random lowercase hex characters (no NUL). */
void util_random_hex(char *out, size_t len);
/* A fast thread-local pseudo-random 64-bit number (not for crypto). */
uint64_t util_rand64(void);

#endif
