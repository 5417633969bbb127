/*
 * sstr: binary-safe growable strings. See sstr.h.
 */
#include "engine/sstr.h"

#include <string.h>

#include "engine/alloc.h"

struct sstr *sstr_new(const char *p, size_t len)
{
    struct sstr *s = mem_alloc(sizeof(*s) + len);
    s->len = len;
    s->cap = len;
    if (len) memcpy(s->data, p, len);
    return s;
}

/* Makes room for at least need bytes: doubles below 1 MiB, then adds 1 MiB
 * at a time (as Redis's sdsMakeRoomFor), so big strings don't double. */
static struct sstr *sstr_reserve(struct sstr *s, size_t need)
{
    if (need <= s->cap) return s;
    size_t cap = need < (1u << 20) ? need * 2 : need + (1u << 20);
    s = mem_realloc(s, sizeof(*s) + cap);
    s->cap = cap;
    return s;
}

struct sstr *sstr_append(struct sstr *s, const char *p, size_t len)
{
    s = sstr_reserve(s, s->len + len);
    memcpy(s->data + s->len, p, len);
    s->len += len;
    return s;
}

struct sstr *sstr_extend(struct sstr *s, size_t len)
{
    if (len <= s->len) return s;
    s = sstr_reserve(s, len);
    memset(s->data + s->len, 0, len - s->len);
    s->len = len;
    return s;
}

void sstr_free(struct sstr *s)
{
    mem_free(s);
}

size_t sstr_alloc_size(const struct sstr *s)
{
    return sizeof(*s) + s->cap;
}
