/*
 * t_set: the set value type (being written; no command creates a set yet).
 */
#include "engine/t_set.h"

long long set_max_intset_entries = 512;

void set_free(struct entry *e)
{
    (void)e;
}

const char *set_encoding_name(const struct entry *e)
{
    (void)e;
    return "hashtable";
}

void set_digest(unsigned char digest[20], struct entry *e)
{
    (void)digest;
    (void)e;
}
