/*
 * zscore: member order, score and lex range arguments, and the listpack
 * form of a score, following Redis 7.0.15 byte for byte (src/t_zset.c
 * zslParseRange, zslParseLexRange, sdscmplex, zzlInsertAt, zzlStrtod;
 * src/util.c d2string, double2ll).
 *
 * Redis reads its arguments as C strings in a few places (strtod on the
 * range bounds, the byte after "+" / "-"), so an argument with a NUL byte
 * behaves as if it ended there; the (pointer, length) slices tandem gets
 * from the request buffer are cut the same way before parsing.
 *
 * Pure functions, callable from any thread; the caller holds whatever lock
 * protects the bytes it passes in.
 */
#include "engine/zscore.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/util.h"

/* Range bounds shorter than this are copied to the stack for strtod; longer
 * ones (hundreds of digits: legal, rare) to the heap. */
#define ZSCORE_STACK_COPY_SIZE 128

/* zzlStrtod's buffer: longer listpack strings are cut to 127 bytes. */
#define ZSCORE_UNPACK_MAX 127

/* sdscmp: the common prefix decides, then the shorter string is smaller.
 * memcmp is skipped for an empty side, whose pointer may be anything. */
int zscore_member_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t common = alen < blen ? alen : blen;
    int cmp = common ? memcmp(a, b, common) : 0;

    if (cmp != 0) return cmp;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* ---- score ranges ------------------------------------------------------ */

/* strtod over a C string that is s[0..len), as zslParseRange sees an sds:
 * the value ends at the first NUL, strtod must consume all of it, and only
 * NaN is refused (ERANGE is not checked: "1e400" is inf). */
static int zscore_parse_bound_value(const char *s, size_t len, double *out)
{
    char stack_buf[ZSCORE_STACK_COPY_SIZE];
    char *copy, *end;
    int ok;

    len = strnlen(s, len);
    copy = len < sizeof(stack_buf) ? stack_buf : mem_alloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    *out = strtod(copy, &end);
    ok = *end == '\0' && !isnan(*out);
    if (copy != stack_buf) mem_free(copy);
    return ok;
}

/* One bound: a leading '(' makes it exclusive and is not part of the
 * number. Redis looks at the first byte of the C string, so "" is a
 * number (0), not an empty bound. */
static int zscore_parse_bound(const char *s, size_t len, double *value, int *exclusive)
{
    *exclusive = len > 0 && s[0] == '(';
    if (*exclusive) return zscore_parse_bound_value(s + 1, len - 1, value);
    return zscore_parse_bound_value(s, len, value);
}

int zscore_range_parse(const char *min, size_t min_len, const char *max, size_t max_len,
                       struct zscore_range *out)
{
    return zscore_parse_bound(min, min_len, &out->min, &out->minex) &&
           zscore_parse_bound(max, max_len, &out->max, &out->maxex);
}

int zscore_range_gte_min(double value, const struct zscore_range *range)
{
    return range->minex ? value > range->min : value >= range->min;
}

int zscore_range_lte_max(double value, const struct zscore_range *range)
{
    return range->maxex ? value < range->max : value <= range->max;
}

/* The ranges zslIsInRange rejects before looking at any element. */
int zscore_range_is_empty(const struct zscore_range *range)
{
    return range->min > range->max || (range->min == range->max && (range->minex || range->maxex));
}

/* ---- lex ranges -------------------------------------------------------- */

/* zslParseLexRangeItem. The infinities must be alone, but Redis checks that
 * with c[1] != '\0' on the sds, so a NUL right after the sign also passes.
 * The '(' / '[' member keeps every following byte. */
static int zscore_lex_parse_bound(const char *s, size_t len, struct zscore_lex_bound *out)
{
    if (len == 0) return 0;
    out->value = s + 1;
    out->len = len - 1;
    switch (s[0]) {
    case '+':
    case '-':
        if (len > 1 && s[1] != '\0') return 0;
        out->kind = s[0] == '+' ? ZSCORE_LEX_MAX_INF : ZSCORE_LEX_MIN_INF;
        out->exclusive = 1;
        out->len = 0;
        return 1;
    case '(':
    case '[':
        out->kind = ZSCORE_LEX_VALUE;
        out->exclusive = s[0] == '(';
        return 1;
    default:
        return 0;
    }
}

int zscore_lex_range_parse(const char *min, size_t min_len, const char *max, size_t max_len,
                           struct zscore_lex_range *out)
{
    return zscore_lex_parse_bound(min, min_len, &out->min) &&
           zscore_lex_parse_bound(max, max_len, &out->max);
}

/* sdscmplex of a member against a bound: the infinities are below / above
 * every member, including the empty one. */
static int zscore_lex_compare(const char *member, size_t len, const struct zscore_lex_bound *b)
{
    if (b->kind != ZSCORE_LEX_VALUE) return -(int)b->kind;
    return zscore_member_compare(member, len, b->value, b->len);
}

int zscore_lex_gte_min(const char *member, size_t len, const struct zscore_lex_range *range)
{
    int cmp = zscore_lex_compare(member, len, &range->min);

    return range->min.exclusive ? cmp > 0 : cmp >= 0;
}

int zscore_lex_lte_max(const char *member, size_t len, const struct zscore_lex_range *range)
{
    int cmp = zscore_lex_compare(member, len, &range->max);

    return range->max.exclusive ? cmp < 0 : cmp <= 0;
}

/* sdscmplex(min, max) > 0, or equal with an exclusive end. Two equal
 * infinities compare equal (Redis compares the shared pointers), and both
 * are exclusive, so "- -" and "+ +" are empty. */
int zscore_lex_range_is_empty(const struct zscore_lex_range *range)
{
    const struct zscore_lex_bound *min = &range->min, *max = &range->max;
    int cmp;

    if (min->kind != max->kind)
        cmp = min->kind < max->kind ? -1 : 1;
    else if (min->kind != ZSCORE_LEX_VALUE)
        cmp = 0;
    else
        cmp = zscore_member_compare(min->value, min->len, max->value, max->len);
    return cmp > 0 || (cmp == 0 && (min->exclusive || max->exclusive));
}

/* ---- listpack form ----------------------------------------------------- */

/* double2ll: integral and within +-(LLONG_MAX / 2) (which rounds to 2^62 as
 * a double), where the conversion to long long is exact. -0.0 passes and
 * becomes 0. */
static int zscore_double_to_ll(double v, long long *out)
{
    long long integer;

    if (!(v >= (double)(-LLONG_MAX / 2) && v <= (double)(LLONG_MAX / 2))) return 0;
    integer = (long long)v;
    if ((double)integer != v) return 0;
    *out = integer;
    return 1;
}

/* d2string: the zeros first, so that -0.0 keeps its sign (double2ll would
 * turn it into "0"), then integers through the exact integer printer, then
 * "%.17g", which strtod reads back to the same double. */
int zscore_d2string(char *buf, size_t size, double v)
{
    long long integer;
    int written;

    if (isnan(v))
        written = snprintf(buf, size, "nan");
    else if (isinf(v))
        written = snprintf(buf, size, "%s", v < 0 ? "-inf" : "inf");
    else if (v == 0)
        written = snprintf(buf, size, "%s", signbit(v) ? "-0" : "0");
    else if (zscore_double_to_ll(v, &integer))
        written = util_ll_to_str(buf, size, integer);
    else
        written = snprintf(buf, size, "%.17g", v);
    return written >= 0 && (size_t)written < size ? written : 0;
}

/* zzlInsertAt tests double2ll before d2string, so every integral score in
 * range, -0.0 included, becomes an integer entry. */
void zscore_pack(double score, struct zscore_packed *out)
{
    out->is_integer = zscore_double_to_ll(score, &out->integer);
    if (out->is_integer) {
        out->len = 0;
        out->str[0] = '\0';
        return;
    }
    out->integer = 0;
    out->len = (size_t)zscore_d2string(out->str, sizeof(out->str), score);
}

/* zzlStrtod: a bounded copy and a bare strtod; the string was written by
 * d2string (or loaded from an RDB), so no validation is done. */
double zscore_unpack_str(const char *s, size_t len)
{
    char buf[ZSCORE_UNPACK_MAX + 1];

    if (len > ZSCORE_UNPACK_MAX) len = ZSCORE_UNPACK_MAX;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtod(buf, NULL);
}
