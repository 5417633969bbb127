/*
 * glob: Redis's glob-style pattern matching (stringmatchlen): '*', '?',
 * '[...]' with ranges and '^' negation, '\' escapes; optional case folding.
 * Pure function, callable from any thread. Bounded recursion: a pattern
 * with many '*' can not blow up the stack or take exponential time.
 */
#ifndef TANDEM_ENGINE_GLOB_H
#define TANDEM_ENGINE_GLOB_H

#include <stddef.h>

/* 1 when string matches pattern. nocase: ASCII case-insensitive. */
int glob_match(const char *pattern, size_t plen, const char *string, size_t slen, int nocase);

#endif
