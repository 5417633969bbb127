/*
 * t_list: list settings and list values in the keyspace. See t_list.h.
 */
#include "engine/t_list.h"

#include "engine/quicklist.h"

int list_max_listpack_size = QUICKLIST_DEFAULT_FILL;
int list_compress_depth = 0;

struct quicklist *list_create(void)
{
    return quicklist_new(__atomic_load_n(&list_max_listpack_size, __ATOMIC_RELAXED));
}

struct entry *list_add_key(struct db *db, const char *key, size_t len)
{
    struct entry *e = ks_add(db, key, len, TYPE_LIST);
    e->encoding = ENC_QUICKLIST;
    e->v.ptr = list_create();
    return e;
}
