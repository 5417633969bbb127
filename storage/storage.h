/*
 * storage: placeholder API of the storage library (RDB, snapshots,
 * checkpoints). Owned by no thread yet.
 */
#ifndef TANDEM_STORAGE_H
#define TANDEM_STORAGE_H

/* The RDB format revision this build reads and writes. */
const char *storage_version(void);

#endif
