/*
 * storage/: RDB encoding and decoding (rdb.c) live here, and fork-less
 * snapshots, incremental checkpoints and the on-disk replication log will.
 */
#include "storage/storage.h"

const char *storage_version(void)
{
    return "rdb-10";
}
