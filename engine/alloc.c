/*
 * alloc: allocation wrapper and memory accounting. See alloc.h.
 *
 * The figures come from the allocator itself (jemalloc's statistics) rather
 * than from a counter updated on every allocation: that costs nothing on the
 * hot path and counts exactly what the process holds.
 */
#define _GNU_SOURCE
#include "engine/alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TANDEM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static atomic_size_t peak;

#ifdef TANDEM_JEMALLOC
/* jemalloc reads this at start-up. The keyspace is a large, randomly
 * accessed heap: backing it with transparent huge pages removes most TLB
 * misses from lookups. Redis turns THP off because fork's copy-on-write
 * would copy 2 MiB pages; tandem never forks, so it can take the win. */
const char *malloc_conf = "thp:always,metadata_thp:auto";
#endif

static void mem_oom(size_t size)
{
    fprintf(stderr, "Out Of Memory allocating %zu bytes!\n", size);
    abort();
}

void *mem_alloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) mem_oom(size);
    return p;
}

void *mem_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) mem_oom(n * size);
    return p;
}

void *mem_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) mem_oom(size);
    return q;
}

void *mem_calloc_aligned(size_t align, size_t size)
{
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) mem_oom(size);
    memset(p, 0, size);
    return p;
}

void mem_free(void *p)
{
    free(p);
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

char *mem_strndup(const char *s, size_t len)
{
    char *p = mem_alloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

size_t mem_usable(void *p)
{
    return malloc_usable_size(p);
}

#ifdef TANDEM_JEMALLOC
static size_t jemalloc_stat(const char *name)
{
    size_t value = 0, len = sizeof(value);
    mallctl(name, &value, &len, NULL, 0);
    return value;
}

static void jemalloc_refresh(void)
{
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);
}
#endif

size_t mem_used(void)
{
#ifdef TANDEM_JEMALLOC
    jemalloc_refresh();
    return jemalloc_stat("stats.allocated");
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident)
{
#ifdef TANDEM_JEMALLOC
    jemalloc_refresh();
    *allocated = jemalloc_stat("stats.allocated");
    *active = jemalloc_stat("stats.active");
    *resident = jemalloc_stat("stats.resident");
#else
    *allocated = *active = *resident = mem_used();
#endif
}

size_t mem_peak(void)
{
    return atomic_load(&peak);
}

void mem_sample(void)
{
    size_t used = mem_used();
    size_t old = atomic_load(&peak);
    while (used > old && !atomic_compare_exchange_weak(&peak, &old, used)) {
    }
}

size_t mem_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

const char *mem_allocator_name(void)
{
#ifdef TANDEM_JEMALLOC
    static char name[64];
    if (!name[0]) {
        const char *version = "unknown";
        size_t len = sizeof(version);
        mallctl("version", &version, &len, NULL, 0);
        /* "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c" -> "5.3.0" */
        char v[32];
        snprintf(v, sizeof(v), "%s", version);
        char *dash = strchr(v, '-');
        if (dash) *dash = '\0';
        snprintf(name, sizeof(name), "jemalloc-%s", v);
    }
    return name;
#else
    return "libc";
#endif
}
