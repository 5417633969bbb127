/*
 * storage/: RDB encoding and decoding, fork-less snapshots, incremental
 * checkpoints and the on-disk replication log live here. Nothing is built
 * yet; this file keeps the library target in place so that the layout of
 * docs/architecture.md holds from the start.
 */
#include "storage/storage.h"

const char *storage_version(void)
{
    return "rdb-10";
}
