/* roboadvisor: a copy of the book while it is in use (src/store/store_backup.c; docs/cli.md#backup).
 * SQLite: the online backup API, one consistent snapshot, readers and writers going on. PostgreSQL
 * books are copied with pg_dump by the command (the library runs no programs). */
#ifndef ROBOADVISOR_STORE_BACKUP_H
#define ROBOADVISOR_STORE_BACKUP_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copies the SQLite book of s into a new file at path (it must not exist; created mode 0600).
 * RA_EINVAL on a PostgreSQL store or inside an open transaction; RA_EIO naming path otherwise. */
RA_API RA_NODISCARD ra_status ra_store_backup_sqlite(ra_store *s, const char *path, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
