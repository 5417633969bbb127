/*
 * alloc: the one allocation wrapper of the engine. jemalloc is the process
 * allocator (linked in place of malloc); every engine allocation goes
 * through these functions so that an allocation failure is handled in one
 * place (logged, then abort, as Redis's zmalloc does) and memory can be
 * reported for INFO memory. Callable from any thread.
 */
#ifndef TANDEM_ENGINE_ALLOC_H
#define TANDEM_ENGINE_ALLOC_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);
/* Zeroed memory aligned to `align` (a power of two), e.g. per-thread
 * structures that must not share a cache line. Freed with mem_free. */
void *mem_calloc_aligned(size_t align, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);
/* The usable size of an allocation (jemalloc's size class). */
size_t mem_usable(void *p);

/* Bytes allocated by the process as the allocator counts them
 * (jemalloc stats.allocated). */
size_t mem_used(void);
/* Peak of mem_used() seen by mem_sample(). */
size_t mem_peak(void);
/* Updates the peak; called from the workers' cron. */
void mem_sample(void);
/* Resident set size of the process in bytes (from /proc). */
size_t mem_rss(void);
/* Allocator name for INFO ("jemalloc-5.3.0" or "libc"). */
const char *mem_allocator_name(void);
/* Fragmentation figures for INFO: allocator active and resident bytes. */
void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident);

#endif
