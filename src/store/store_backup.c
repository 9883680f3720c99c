/* roboadvisor store: backups of an SQLite book (include/roboadvisor/store_backup.h). */
#include "store/store_int.h"

#include <roboadvisor/store_backup.h>

#include <string.h>

ra_status ra_store_backup_sqlite(ra_store *s, const char *path, ra_err *err)
{
    if (strcmp(ra_store_backend(s), "sqlite") != 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a PostgreSQL book is backed up with pg_dump ('roboadvisor backup')");
    if (s->in_txn)
        return ra_err_set(err, RA_EINVAL, NULL, "cannot back up inside an open transaction");
    return ra_db_sqlite_backup(s->db, path, err);
}
