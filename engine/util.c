/*
 * util: number <-> string conversions that follow Redis 7.0 byte for byte,
 * the clocks, and random numbers.
 *
 * Commands parse their arguments and format their replies through these
 * functions, so the same input gives the same reply (or the same error) as
 * redis-server: string2ll's strictness, strtod/strtold's acceptance of
 * "inf", hex floats and exponents, INCRBYFLOAT's "%.17Lf" with trailing
 * zeros trimmed, addReplyDouble's "%.17g", redis.conf's memory units.
 *
 * Everything is callable from any thread. The only state is the per-thread
 * generator behind util_rand64, seeded from getrandom(2) on first use.
 */
#include "engine/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Inputs shorter than this are copied to the stack before strtod/strtold;
 * longer ones (rare: a score written with hundreds of digits) to the heap. */
#define UTIL_STACK_COPY_SIZE 128

/* Digits of a memory value longer than this are refused, as memtoull's
 * 128-byte buffer refuses them. */
#define UTIL_MEMORY_MAX_DIGITS 127

static int util_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* isspace() in the C locale, without its dependence on the current locale
 * and on the sign of char. */
static int util_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Adds one decimal digit to *value; 0 when the result would not fit in 64
 * bits (the value is then left unchanged). */
static int util_append_digit(unsigned long long *value, char digit)
{
    unsigned long long d = (unsigned long long)(digit - '0');

    if (*value > (ULLONG_MAX - d) / 10) return 0;
    *value = *value * 10 + d;
    return 1;
}

/* string2ll: accepts exactly the strings that ll_to_str produces, so a
 * value stored as an integer can always be given back byte for byte. */
int util_str_to_ll(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    int negative = 0;
    unsigned long long magnitude = 0;
    unsigned long long limit;

    if (len == 0 || len >= UTIL_LL_STR_SIZE) return 0;
    if (len == 1 && s[0] == '0') {
        if (out) *out = 0;
        return 1;
    }
    if (s[0] == '-') {
        negative = 1;
        i = 1;
    }
    /* After the sign the first digit must be 1-9: this refuses "-0", "00"
     * and "007", so the number prints back exactly as it was written. */
    if (i == len || s[i] < '1' || s[i] > '9') return 0;
    for (; i < len; i++) {
        if (!util_is_digit(s[i]) || !util_append_digit(&magnitude, s[i])) return 0;
    }
    limit = negative ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    if (magnitude > limit) return 0;
    if (out) *out = negative ? -(long long)(magnitude - 1) - 1 : (long long)magnitude;
    return 1;
}

/* What strtoull(s, &end, 10) accepts when Redis then requires end to be the
 * end of the string and errno not ERANGE: optional white space, an optional
 * sign (a '-' negates modulo 2^64, as strtoull does), at least one digit,
 * nothing after the digits, no overflow. */
static int util_parse_ull_like_strtoull(const char *s, size_t len, unsigned long long *out)
{
    size_t i = 0;
    int negative = 0;
    unsigned long long value = 0;

    while (i < len && util_is_space(s[i])) i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        i++;
    }
    if (i == len || !util_is_digit(s[i])) return 0;
    for (; i < len; i++) {
        if (!util_is_digit(s[i]) || !util_append_digit(&value, s[i])) return 0;
    }
    if (out) *out = negative ? 0 - value : value;
    return 1;
}

/* Redis's string2ull takes a C string: the fast strict parse, and when that
 * fails, strtoull. Stream IDs go through it, so " 5-1" and "+6-1" are valid
 * IDs in Redis and must be here. */
int util_str_to_ull(const char *s, size_t len, unsigned long long *out)
{
    long long strict;

    len = strnlen(s, len);
    if (util_str_to_ll(s, len, &strict)) {
        if (strict < 0) return 0;
        if (out) *out = (unsigned long long)strict;
        return 1;
    }
    return util_parse_ull_like_strtoull(s, len, out);
}

/* ll2string, except that the NUL is optional: replies and keys are
 * length-delimited, so a buffer of exactly the digits' length is enough. */
int util_ll_to_str(char *buf, size_t size, long long v)
{
    char digits[UTIL_LL_STR_SIZE];
    size_t count = 0;
    size_t length;
    unsigned long long magnitude = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

    /* Digits come out least significant first; reverse them when copying. */
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    length = count + (v < 0);
    if (length > size) return 0;
    if (v < 0) buf[0] = '-';
    for (size_t i = 0; i < count; i++) buf[length - 1 - i] = digits[i];
    if (length < size) buf[length] = '\0';
    return (int)length;
}

/* strtod and strtold need a NUL-terminated string, but arguments arrive as
 * (pointer, length) slices of a request buffer. Returns a terminated copy:
 * in stack_buf when it fits, else a heap buffer the caller frees (NULL when
 * out of memory). */
static char *util_copy_terminated(const char *s, size_t len, char *stack_buf, size_t stack_size)
{
    char *copy = len < stack_size ? stack_buf : malloc(len + 1);

    if (copy == NULL) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

static void util_free_copy(char *copy, char *stack_buf)
{
    if (copy != stack_buf) free(copy);
}

/* Redis rejects a value strtod/strtold flagged ERANGE only when it overflowed
 * to infinity or underflowed to zero; a subnormal result is kept. */
static int util_is_range_error(int err, int is_inf, int is_zero)
{
    return err == ERANGE && (is_inf || is_zero);
}

/* string2ld: the whole input must be consumed by strtold, no leading white
 * space, no NaN, no overflow or underflow to zero; at most 5119 bytes. */
int util_str_to_ld(const char *s, size_t len, long double *out)
{
    char stack_buf[UTIL_STACK_COPY_SIZE];
    char *copy, *end;
    long double value;
    int ok;

    if (len == 0 || len >= UTIL_LD_STR_SIZE || util_is_space(s[0])) return 0;
    copy = util_copy_terminated(s, len, stack_buf, sizeof(stack_buf));
    if (copy == NULL) return 0;
    errno = 0;
    value = strtold(copy, &end);
    ok = end == copy + len && errno != EINVAL && !isnan(value) &&
         !util_is_range_error(errno, isinf(value), value == 0);
    util_free_copy(copy, stack_buf);
    if (ok && out) *out = value;
    return ok;
}

/* ld2string(LD_STR_HUMAN): fixed notation with 17 decimals, which prints
 * most short decimals the way the user typed them (10.5 + 0.1 = "10.6"),
 * then without trailing zeros or a bare '.'; "-0" becomes "0". */
int util_ld_to_str(char *buf, size_t size, long double v)
{
    int written;
    size_t length;

    if (isinf(v)) {
        written = snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
        return written >= 0 && (size_t)written < size ? written : 0;
    }
    written = snprintf(buf, size, "%.17Lf", v);
    if (written < 0 || (size_t)written >= size) return 0;
    length = (size_t)written;
    if (memchr(buf, '.', length) != NULL) {
        while (buf[length - 1] == '0') length--;
        if (buf[length - 1] == '.') length--;
    }
    if (length == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        length = 1;
    }
    buf[length] = '\0';
    return (int)length;
}

/* string2d: as util_str_to_ld but with strtod, and no length limit (ZADD
 * and friends parse scores this way). */
int util_str_to_d(const char *s, size_t len, double *out)
{
    char stack_buf[UTIL_STACK_COPY_SIZE];
    char *copy, *end;
    double value;
    int ok;

    if (len == 0 || util_is_space(s[0])) return 0;
    copy = util_copy_terminated(s, len, stack_buf, sizeof(stack_buf));
    if (copy == NULL) return 0;
    errno = 0;
    value = strtod(copy, &end);
    ok =
        end == copy + len && !isnan(value) && !util_is_range_error(errno, isinf(value), value == 0);
    util_free_copy(copy, stack_buf);
    if (ok && out) *out = value;
    return ok;
}

/* addReplyDouble in RESP2: "%.17g" (so 0.1 is "0.10000000000000001", 3.0 is
 * "3", -0.0 is "-0"), infinities spelled out independently of libc. */
int util_d_to_str(char *buf, size_t size, double v)
{
    int written;

    if (isinf(v))
        written = snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
    else
        written = snprintf(buf, size, "%.17g", v);
    return written >= 0 && (size_t)written < size ? written : 0;
}

/* The multiplier of a memory unit, 0 for an unknown unit. "" and "b" are
 * bytes; the letters alone are powers of 1000, with 'b' powers of 1024. */
static unsigned long long util_memory_unit(const char *unit)
{
    static const struct {
        const char *name;
        unsigned long long multiplier;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1000ULL},
        {"kb", 1024ULL},
        {"m", 1000ULL * 1000},
        {"mb", 1024ULL * 1024},
        {"g", 1000ULL * 1000 * 1000},
        {"gb", 1024ULL * 1024 * 1024},
    };

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(unit, units[i].name) == 0) return units[i].multiplier;
    }
    return 0;
}

/* memtoull: digits then a unit, nothing else (no sign, no spaces, no
 * fraction). Its quirks are kept: no digits at all means 0, a number beyond
 * 64 bits saturates (strtoull's ERANGE is not checked) and the
 * multiplication by the unit wraps. */
int util_parse_memory_ull(const char *s, unsigned long long *out)
{
    size_t digits = 0;
    unsigned long long multiplier, value = 0;

    if (s[0] == '-') return 0;
    while (util_is_digit(s[digits])) digits++;
    multiplier = util_memory_unit(s + digits);
    if (multiplier == 0 || digits > UTIL_MEMORY_MAX_DIGITS) return 0;
    for (size_t i = 0; i < digits; i++) {
        if (!util_append_digit(&value, s[i])) {
            value = ULLONG_MAX;
            break;
        }
    }
    if (out) *out = value * multiplier;
    return 1;
}

int util_parse_memory(const char *s, long long *out)
{
    unsigned long long value;

    if (!util_parse_memory_ull(s, &value) || value > (unsigned long long)LLONG_MAX) return 0;
    if (out) *out = (long long)value;
    return 1;
}

static int64_t util_clock_us(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t util_ms_now(void)
{
    return util_clock_us(CLOCK_REALTIME) / 1000;
}

int64_t util_us_now(void)
{
    return util_clock_us(CLOCK_REALTIME);
}

int64_t util_monotonic_us(void)
{
    return util_clock_us(CLOCK_MONOTONIC);
}

/* xoshiro256** state of one thread; zero until first use. */
struct util_rand_state {
    uint64_t s[4];
    int seeded;
};

static _Thread_local struct util_rand_state util_thread_rand;

/* splitmix64: spreads a weak seed over the xoshiro state when getrandom is
 * unavailable. */
static uint64_t util_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fills buf from the kernel's generator; 0 when it can't (no getrandom, or
 * the pool is not ready yet and we refuse to block). */
static int util_kernel_random(void *buf, size_t len)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        ssize_t got = getrandom(buf, len, GRND_NONBLOCK);

        if (got == (ssize_t)len) return 1;
        if (got >= 0 || errno != EINTR) return 0;
    }
    return 0;
}

/* Seeds a thread's generator, from the kernel if possible, else from the
 * clock, the pid and the state's own (per-thread) address. */
static void util_rand_seed(struct util_rand_state *state)
{
    if (!util_kernel_random(state->s, sizeof(state->s))) {
        uint64_t x = (uint64_t)util_us_now() ^ ((uint64_t)getpid() << 32) ^
                     (uint64_t)(uintptr_t)state ^ (uint64_t)util_monotonic_us();

        for (int i = 0; i < 4; i++) state->s[i] = util_splitmix64(&x);
    }
    /* xoshiro must not start from all zeros. */
    if ((state->s[0] | state->s[1] | state->s[2] | state->s[3]) == 0) state->s[0] = 1;
    state->seeded = 1;
}

static uint64_t util_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t util_rand64(void)
{
    struct util_rand_state *state = &util_thread_rand;
    uint64_t *s = state->s;
    uint64_t result, t;

    if (!state->seeded) util_rand_seed(state);
    result = util_rotl(s[1] * 5, 7) * 9;
    t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = util_rotl(s[3], 45);
    return result;
}

/* Run IDs and replication IDs come from here: the kernel's generator when
 * available, so they cannot be predicted from other random replies (which
 * use util_rand64); the thread's generator otherwise. */
void util_random_hex(char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[32];
    size_t done = 0;

    while (done < len) {
        size_t want = (len - done + 1) / 2;

        if (want > sizeof(bytes)) want = sizeof(bytes);
        if (!util_kernel_random(bytes, want)) {
            for (size_t i = 0; i < want; i++) bytes[i] = (unsigned char)util_rand64();
        }
        for (size_t i = 0; i < want && done < len; i++) {
            out[done++] = hex[bytes[i] >> 4];
            if (done < len) out[done++] = hex[bytes[i] & 15];
        }
    }
}
