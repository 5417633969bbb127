/*
 * glob: the glob-style matching of KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET
 * and ACL key patterns, with the exact results of Redis 7.0's
 * stringmatchlen(), quirks included:
 *
 *   - an empty string matches only the empty pattern ("*" does not match "");
 *   - "[]" matches nothing and "[^]" anything; a class left open at the end
 *     of the pattern ("[ab") is closed there; in "[a-]" the ']' is the end of
 *     the range, not of the class;
 *   - ranges compare chars as signed (x86), reversed ranges ("[z-a]") work,
 *     and with nocase the bounds are lowered after any swap;
 *   - inside a class, "\x" is x compared exactly, even with nocase;
 *   - a '\' at the very end of the pattern is a literal '\'.
 *
 * Redis recurses once per '*'; here every token except '*' matches exactly
 * one character and its extent in the pattern does not depend on the string,
 * so the classic loop with one backtrack point (the last '*' seen) gives the
 * same answers with no recursion and O(pattern * string) time at worst.
 *
 * Pure function, callable from any thread.
 */
#include "engine/glob.h"

#include <stdint.h>

/* ASCII tolower on a char's (possibly negative) value: the C locale's
 * tolower, which the server never changes. */
static int glob_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int glob_chars_equal(char a, char b, int nocase)
{
    return nocase ? glob_lower(a) == glob_lower(b) : a == b;
}

/* A range "a-z" inside a class. The bounds are swapped when reversed, then
 * lowered for nocase: so "[A-z]" with nocase is a..z and misses '_'. */
static int glob_range_contains(char first, char last, char c, int nocase)
{
    int start = (signed char)first;
    int end = (signed char)last;
    int ch = (signed char)c;

    if (start > end) {
        int swap = start;
        start = end;
        end = swap;
    }
    if (nocase) {
        start = glob_lower(start);
        end = glob_lower(end);
        ch = glob_lower(ch);
    }
    return ch >= start && ch <= end;
}

/* Matches c against the class opening at pattern[*pos] ('['), and moves *pos
 * past the class: past its ']' or, for a class left open, to the end. */
static int glob_class_matches(const char *pattern, size_t plen, size_t *pos, char c, int nocase)
{
    size_t q = *pos + 1;
    int negate = q < plen && pattern[q] == '^';
    int match = 0;

    if (negate) q++;
    for (;;) {
        if (plen - q >= 2 && pattern[q] == '\\') {
            q++;
            if (pattern[q] == c) match = 1;
        } else if (q < plen && pattern[q] == ']') {
            break;
        } else if (q == plen) {
            /* Unterminated: the class ends with the pattern. */
            q--;
            break;
        } else if (plen - q >= 3 && pattern[q + 1] == '-') {
            if (glob_range_contains(pattern[q], pattern[q + 2], c, nocase)) match = 1;
            q += 2;
        } else if (glob_chars_equal(pattern[q], c, nocase)) {
            match = 1;
        }
        q++;
    }
    *pos = q + 1;
    return negate ? !match : match;
}

/* Matches c against the one-character token at pattern[*pos] ('?', a class,
 * an escape or a literal; never '*') and moves *pos past it. */
static int glob_token_matches(const char *pattern, size_t plen, size_t *pos, char c, int nocase)
{
    size_t p = *pos;

    switch (pattern[p]) {
    case '?':
        *pos = p + 1;
        return 1;
    case '[':
        return glob_class_matches(pattern, plen, pos, c, nocase);
    case '\\':
        /* The escaped char, or a final '\' itself, is a literal. */
        if (plen - p >= 2) p++;
        __attribute__((fallthrough));
    default:
        *pos = p + 1;
        return glob_chars_equal(pattern[p], c, nocase);
    }
}

static size_t glob_skip_stars(const char *pattern, size_t plen, size_t p)
{
    while (p < plen && pattern[p] == '*') p++;
    return p;
}

/* Walks string and pattern together. On a mismatch after a '*', the '*'
 * takes one more character and the tokens after it are tried again; only
 * the last '*' needs retrying, since whatever the earlier ones matched, the
 * later '*' can absorb the difference. */
int glob_match(const char *pattern, size_t plen, const char *string, size_t slen, int nocase)
{
    size_t p = 0, s = 0;
    size_t star_p = 0, star_s = 0;
    int have_star = 0;

    if (slen == 0) return plen == 0;
    while (s < slen) {
        size_t next = p;

        if (p < plen && pattern[p] == '*') {
            p = glob_skip_stars(pattern, plen, p);
            if (p == plen) return 1;
            have_star = 1;
            star_p = p;
            star_s = s;
        } else if (p < plen && glob_token_matches(pattern, plen, &next, string[s], nocase)) {
            p = next;
            s++;
        } else if (have_star) {
            p = star_p;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    return glob_skip_stars(pattern, plen, p) == plen;
}
