/*
 * error: how the bench modules report a failure: a status, and a sentence
 * in the caller's buffer. One helper so every module words it the same way.
 *
 * Thread: any.
 */
#ifndef TANDEM_BENCH_ERROR_H
#define TANDEM_BENCH_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Formats into err (when there is one). */
__attribute__((format(printf, 3, 4))) static inline void bench_error(char *err, size_t errsize,
                                                                     const char *fmt, ...)
{
    if (err == NULL || errsize == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
}

#endif
