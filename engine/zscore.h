/*
 * zscore: the values a sorted set is ordered by, and the range arguments
 * that select from it, with Redis 7.0.15's exact rules: member comparison
 * (sdscmp), score ranges as ZRANGEBYSCORE/ZCOUNT parse them (zslParseRange),
 * lex ranges as ZRANGEBYLEX/ZLEXCOUNT parse them (zslParseLexRange), and the
 * form a score takes inside a listpack-encoded sorted set (zzlInsertAt,
 * d2string, zzlStrtod). Both encodings (skiplist and listpack) use it, so it
 * depends on neither.
 *
 * What lives elsewhere, on purpose (engine/util.h, not duplicated here):
 * - a ZADD / ZINCRBY / ZADD INCR score argument is parsed by util_str_to_d
 *   (getDoubleFromObject -> string2d); its error is ERR_NOT_FLOAT;
 * - every score in a reply (ZSCORE, ZINCRBY, ZRANGE WITHSCORES, ZPOPMIN...)
 *   is formatted by util_d_to_str (addReplyDouble in RESP2: "%.17g", and
 *   "inf" / "-inf").
 *
 * Pure functions over caller-owned memory: no allocation that outlives a
 * call, no state; callable from any thread. A parsed lex range points into
 * the argument bytes it was parsed from, which must outlive it.
 */
#ifndef TANDEM_ENGINE_ZSCORE_H
#define TANDEM_ENGINE_ZSCORE_H

#include <stddef.h>

/* Redis's replies for the parse failures below (whole error, no "-"). */
#define ZSCORE_ERR_RANGE_NOT_FLOAT "ERR min or max is not a float"
#define ZSCORE_ERR_LEX_RANGE "ERR min or max not valid string range item"
/* ZINCRBY / ZADD INCR when the sum is NaN (inf + -inf). */
#define ZSCORE_ERR_NAN "ERR resulting score is not a number (NaN)"

/* Always enough for zscore_d2string ("-1.7976931348623157e+308"). */
#define ZSCORE_STR_SIZE 32

/* Member order within one score: memcmp over the shorter length, then the
 * shorter member first (sdscmp). Negative, zero or positive. */
int zscore_member_compare(const char *a, size_t alen, const char *b, size_t blen);

/* ---- score ranges (zrangespec) ---------------------------------------- */

struct zscore_range {
    double min, max;
    int minex, maxex; /* 1 when the bound is exclusive ('(') */
};

/* Parses ZRANGEBYSCORE-style min and max ("1.5", "(1.5", "-inf", "+inf",
 * "inf") as zslParseRange does: each ends at its first NUL byte, strtod must
 * consume the rest of it, NaN is refused; leading white space, "" (= 0),
 * hex and out-of-range values (1e400 = inf, 1e-400 = 0) are accepted.
 * 1 on success, 0 for ZSCORE_ERR_RANGE_NOT_FLOAT. */
int zscore_range_parse(const char *min, size_t min_len, const char *max, size_t max_len,
                       struct zscore_range *out);
int zscore_range_gte_min(double value, const struct zscore_range *range);
int zscore_range_lte_max(double value, const struct zscore_range *range);
/* 1 when no score can be in the range (min > max, or min == max with an
 * exclusive end). */
int zscore_range_is_empty(const struct zscore_range *range);

/* ---- lex ranges (zlexrangespec) --------------------------------------- */

/* The order of the kinds is the order of the bounds: "-" is below every
 * member, "+" above. */
enum zscore_lex_kind {
    ZSCORE_LEX_MIN_INF = -1, /* "-" */
    ZSCORE_LEX_VALUE = 0,    /* "[member" or "(member" */
    ZSCORE_LEX_MAX_INF = 1,  /* "+" */
};

struct zscore_lex_bound {
    enum zscore_lex_kind kind;
    int exclusive;     /* '(' (and, as in Redis, the infinities) */
    const char *value; /* ZSCORE_LEX_VALUE: points into the argument */
    size_t len;
};

struct zscore_lex_range {
    struct zscore_lex_bound min, max;
};

/* Parses ZRANGEBYLEX-style min and max as zslParseLexRange does: '[' or '('
 * followed by any bytes (NULs included), or "-" / "+" alone (Redis tests the
 * byte after the sign against NUL, so "+\0x" is "+" too). "" and anything
 * else are refused. 1 on success, 0 for ZSCORE_ERR_LEX_RANGE. */
int zscore_lex_range_parse(const char *min, size_t min_len, const char *max, size_t max_len,
                           struct zscore_lex_range *out);
int zscore_lex_gte_min(const char *member, size_t len, const struct zscore_lex_range *range);
int zscore_lex_lte_max(const char *member, size_t len, const struct zscore_lex_range *range);
/* 1 when no member can be in the range (zslIsInLexRange's first test). */
int zscore_lex_range_is_empty(const struct zscore_lex_range *range);

/* ---- the listpack form of a score -------------------------------------- */

/* d2string (src/util.c): "nan", "inf", "-inf", "0", "-0", the decimal
 * integer when double2ll holds (integral, |v| <= 2^62), else "%.17g".
 * Returns the length (NUL written); buf should hold ZSCORE_STR_SIZE. */
int zscore_d2string(char *buf, size_t size, double v);

/* How zzlInsertAt (7.0.15) stores a score: an integer entry when double2ll
 * holds (so -0.0 is stored as the integer 0 and reads back as 0), else the
 * string zscore_d2string makes. */
struct zscore_packed {
    int is_integer;
    long long integer;
    size_t len;
    char str[ZSCORE_STR_SIZE];
};
void zscore_pack(double score, struct zscore_packed *out);

/* zzlGetScore on a string entry (zzlStrtod): strtod of at most the first
 * 127 bytes, no error checks. An integer entry reads as (double)value. */
double zscore_unpack_str(const char *s, size_t len);

#endif
