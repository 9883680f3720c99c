/* roboadvisor: the store's database driver (docs/internals/store.md). The store files are written once
 * against this vtable; db_sqlite.c and db_pg.c implement it. SQL uses ?-placeholders (the
 * PostgreSQL driver rewrites them to $1, $2, ...); values are bound as int64, double, text or blob
 * and read back the same way. Every error is an ra_err naming what was attempted with the
 * database's own message; no SQL parameter values are ever put in a message (personal data). */
#ifndef RA_STORE_DB_H
#define RA_STORE_DB_H

#include "roboadvisor/error.h"

typedef struct ra_db ra_db;
typedef struct ra_db_stmt ra_db_stmt;
typedef struct ra_db_bulk ra_db_bulk;

/* A typed value of a bulk row (bulk_row_vals): type 'i' int64, 'd' double, 't' text (borrowed,
 * NUL-terminated), 'n' NULL. */
typedef struct ra_db_val {
    char type;
    int64_t i;
    double d;
    const char *t;
} ra_db_val;

#define RA_DB_ROW 1
#define RA_DB_DONE 0

typedef struct ra_db_ops {
    const char *name; /* "sqlite", "postgresql" */
    /* Placeholder substitutions for migrations: {ID} {BLOB} {REAL} {WITHOUT_ROWID}. */
    const char *id_type, *blob_type, *real_type, *without_rowid;
    void (*close)(ra_db *db);
    /* One or several statements without parameters or results. */
    ra_status (*exec)(ra_db *db, const char *sql, ra_err *err);
    ra_status (*prepare)(ra_db *db, const char *sql, ra_db_stmt **out, ra_err *err);
    /* Parameters are numbered from 1. Text and blobs are copied. */
    ra_status (*bind_int64)(ra_db_stmt *st, int i, int64_t v, ra_err *err);
    ra_status (*bind_double)(ra_db_stmt *st, int i, double v, ra_err *err);
    ra_status (*bind_text)(ra_db_stmt *st, int i, const char *s, ra_err *err);
    ra_status (*bind_blob)(ra_db_stmt *st, int i, const void *p, size_t n, ra_err *err);
    ra_status (*bind_null)(ra_db_stmt *st, int i, ra_err *err);
    /* RA_DB_ROW, RA_DB_DONE or -1 with err set. */
    int (*step)(ra_db_stmt *st, ra_err *err);
    /* Columns of the current row, numbered from 0. Text and blobs live until the next step or
     * reset. */
    int64_t (*col_int64)(ra_db_stmt *st, int c);
    double (*col_double)(ra_db_stmt *st, int c);
    const char *(*col_text)(ra_db_stmt *st, int c); /* "" for NULL */
    const void *(*col_blob)(ra_db_stmt *st, int c, size_t *n);
    int (*col_is_null)(ra_db_stmt *st, int c);
    /* Rows inserted, updated or deleted by the last completed statement. */
    int64_t (*changes)(ra_db_stmt *st);
    /* Ready to bind and step again (bindings are kept until rebound). */
    void (*reset)(ra_db_stmt *st);
    void (*finalize)(ra_db_stmt *st);
    ra_status (*begin)(ra_db *db, ra_err *err); /* SQLite: BEGIN IMMEDIATE */
    ra_status (*commit)(ra_db *db, ra_err *err);
    ra_status (*rollback)(ra_db *db, ra_err *err);
    /* Bulk load of rows into a table (inside the current transaction): COPY FROM STDIN on
     * PostgreSQL, one prepared INSERT on SQLite. Values per row: ncols int64. */
    ra_status (*bulk_begin)(ra_db *db, const char *table, const char *const *cols, int ncols,
                            ra_db_bulk **out, ra_err *err);
    ra_status (*bulk_row)(ra_db_bulk *b, const int64_t *vals, ra_err *err);
    /* Ends the load (ok = 0: abandon it); frees b in every case. */
    ra_status (*bulk_end)(ra_db_bulk *b, int ok, ra_err *err);
    /* The database's own consistency checks (SQLite: integrity_check, foreign_key_check). */
    ra_status (*integrity)(ra_db *db, ra_err *err);
    /* A bulk row of typed values (ncols of them): text, numbers and NULLs, for tables that are not
     * all integers. On PostgreSQL text is escaped for COPY's text format. */
    ra_status (*bulk_row_vals)(ra_db_bulk *b, const ra_db_val *vals, ra_err *err);
    /* Nonzero when every statement is a network round trip (PostgreSQL): callers then prefer
     * set-based statements and bulk loads to one statement per row. */
    int round_trip;
    /* Runs a statement whose rows and change count the caller does not need (an INSERT or UPDATE
     * inside a write scope). PostgreSQL sends it in pipeline mode without waiting; its result is
     * read at the next call that needs a reply, which then fails with its error (the transaction
     * is aborted in any case, so a failed write is never committed). SQLite runs it at once. */
    ra_status (*run_deferred)(ra_db_stmt *st, ra_err *err);
    /* One statement without parameters or results (SAVEPOINT), sent like run_deferred. */
    ra_status (*exec_deferred)(ra_db *db, const char *sql, ra_err *err);
    /* A read-only transaction: one snapshot for several statements (SQLite: BEGIN, deferred, so
     * the read lock is taken once at the first read instead of once per statement; PostgreSQL:
     * REPEATABLE READ READ ONLY). Ended by commit or rollback. */
    ra_status (*begin_read)(ra_db *db, ra_err *err);
} ra_db_ops;

/* Every connection starts with its vtable. */
struct ra_db {
    const ra_db_ops *ops;
};

typedef struct ra_db_open_options {
    int busy_timeout_ms;
    int create;
} ra_db_open_options;

ra_status ra_db_sqlite_open(const char *path, const ra_db_open_options *o, ra_db **out,
                            ra_err *err);
/* An online copy of an SQLite database into a new file (db_sqlite.c; RA_EINVAL on PostgreSQL). */
ra_status ra_db_sqlite_backup(ra_db *db, const char *path, ra_err *err);
ra_status ra_db_pg_open(const char *url, const ra_db_open_options *o, ra_db **out, ra_err *err);

#endif
