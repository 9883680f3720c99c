/* roboadvisor: internals of the store shared by the files of src/store and the store tests. */
#ifndef RA_STORE_INT_H
#define RA_STORE_INT_H

#include "roboadvisor/store.h"
#include "store/db.h"

/* One embedded migration (generated from src/store/migrations/NNNN_name.sql at build time). The SQL
 * holds placeholders substituted per backend: {ID} (an auto-increment primary key), {BLOB},
 * {REAL}, {WITHOUT_ROWID}. */
typedef struct ra_store_migration {
    int version;
    const char *name;
    const char *sql;
} ra_store_migration;

extern const ra_store_migration ra_store_migrations[]; /* ra_store_n_migrations + a zero entry */
extern const size_t ra_store_n_migrations;

/* For tests only: runs raw SQL (several statements) on the store's connection, outside the audit
 * trail, to simulate tampering. */
ra_status ra_store_exec_raw(ra_store *s, const char *sql, ra_err *err);

/* For the store's other files (store_models.c, ...), which add tables of their own: the store's
 * connection (its driver is ra_store_db(s)->ops), whether an explicit transaction is open, and
 * one record appended to the hash-chained audit trail in the current transaction
 * (docs/methodology.md#book-of-record-and-storage). before and after are JSON text ("null" when
 * there is nothing); personal data only as ciphertext. */
ra_db *ra_store_db(ra_store *s);
int ra_store_in_txn(const ra_store *s);
ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *actor, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err);

/* For tests only: accounts per round of ra_store_accounts_open_bulk (0: the default, 4096), so
 * that a small batch spans several rounds. */
void ra_store_test_open_chunk(ra_store *s, size_t n);

#endif
