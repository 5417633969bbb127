/*
 * storage: the storage library's version string. The library itself is
 * rdb.h (the RDB version 10 encoder and decoder, with crc64.h, lzf.h and
 * ziplist.h); fork-less snapshots, incremental checkpoints and the on-disk
 * replication log will join it. Pure, any thread.
 */
#ifndef TANDEM_STORAGE_H
#define TANDEM_STORAGE_H

/* The RDB format revision this build reads and writes. */
const char *storage_version(void);

#endif
