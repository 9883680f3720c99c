/* roboadvisor: the SQLite driver of the store (db.h). One file in WAL mode with foreign keys on;
 * writers take the lock at BEGIN IMMEDIATE and wait busy_timeout_ms for another writer, then fail
 * with RA_ECONFLICT and a message saying the database is busy (never a half-written file: SQLite's
 * own journal makes every transaction atomic). synchronous=NORMAL in WAL mode survives a killed
 * process (the crash tests) and loses at most the last commits on power loss. */
#include "store/db.h"
#include "roboadvisor/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sq_db {
    ra_db base;
    sqlite3 *h;
    int busy_timeout_ms;
    /* BEGIN and ROLLBACK prepared once: the API server runs each request's reads between them */
    sqlite3_stmt *begin_read, *rollback;
} sq_db;

struct ra_db_stmt {
    sq_db *db;
    sqlite3_stmt *st;
    int64_t changes;
};

struct ra_db_bulk {
    sq_db *db;
    sqlite3_stmt *st;
    int ncols;
};

static ra_status sq_error(sq_db *db, int rc, const char *what, ra_err *err)
{
    int base = rc & 0xff;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "the database is busy: another writer held it for more than %d ms "
                          "(try again)",
                          db->busy_timeout_ms);
    if (base == SQLITE_CONSTRAINT)
        return ra_err_set(err, RA_ECONFLICT, NULL, "could not %s: %s", what,
                          sqlite3_errmsg(db->h));
    if (base == SQLITE_NOMEM)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not %s: out of memory", what);
    if (base == SQLITE_CORRUPT || base == SQLITE_NOTADB)
        return ra_err_set(err, RA_EIO, NULL, "could not %s: the database file is damaged or not "
                          "a database (%s)", what, sqlite3_errmsg(db->h));
    return ra_err_set(err, RA_EIO, NULL, "could not %s: %s", what, sqlite3_errmsg(db->h));
}

static void sq_close(ra_db *d)
{
    sq_db *db = (sq_db *)d;
    if (!db)
        return;
    sqlite3_finalize(db->begin_read);
    sqlite3_finalize(db->rollback);
    sqlite3_close_v2(db->h);
    ra_free(db);
}

static ra_status sq_exec(ra_db *d, const char *sql, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RA_OK : sq_error(db, rc, "run a statement", err);
}

static ra_status sq_prepare(ra_db *d, const char *sql, ra_db_stmt **out, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    ra_db_stmt *s = ra_calloc(1, sizeof *s);
    if (!s)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a statement");
    int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK) {
        ra_free(s);
        return sq_error(db, rc, "prepare a statement", err);
    }
    s->db = db;
    *out = s;
    return RA_OK;
}

static ra_status bind_rc(ra_db_stmt *s, int rc, ra_err *err)
{
    return rc == SQLITE_OK ? RA_OK : sq_error(s->db, rc, "bind a value", err);
}

static ra_status sq_bind_int64(ra_db_stmt *s, int i, int64_t v, ra_err *err)
{
    return bind_rc(s, sqlite3_bind_int64(s->st, i, v), err);
}

static ra_status sq_bind_double(ra_db_stmt *s, int i, double v, ra_err *err)
{
    return bind_rc(s, sqlite3_bind_double(s->st, i, v), err);
}

static ra_status sq_bind_text(ra_db_stmt *s, int i, const char *v, ra_err *err)
{
    return bind_rc(s, sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT), err);
}

static ra_status sq_bind_blob(ra_db_stmt *s, int i, const void *p, size_t n, ra_err *err)
{
    return bind_rc(s, sqlite3_bind_blob64(s->st, i, p ? p : "", n, SQLITE_TRANSIENT), err);
}

static ra_status sq_bind_null(ra_db_stmt *s, int i, ra_err *err)
{
    return bind_rc(s, sqlite3_bind_null(s->st, i), err);
}

static int sq_step(ra_db_stmt *s, ra_err *err)
{
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return RA_DB_ROW;
    if (rc == SQLITE_DONE) {
        s->changes = sqlite3_changes64(s->db->h);
        return RA_DB_DONE;
    }
    sq_error(s->db, rc, "run a statement", err);
    sqlite3_reset(s->st);
    return -1;
}

static int64_t sq_col_int64(ra_db_stmt *s, int c) { return sqlite3_column_int64(s->st, c); }
static double sq_col_double(ra_db_stmt *s, int c) { return sqlite3_column_double(s->st, c); }

static const char *sq_col_text(ra_db_stmt *s, int c)
{
    const unsigned char *t = sqlite3_column_text(s->st, c);
    return t ? (const char *)t : "";
}

static const void *sq_col_blob(ra_db_stmt *s, int c, size_t *n)
{
    const void *p = sqlite3_column_blob(s->st, c);
    *n = (size_t)sqlite3_column_bytes(s->st, c);
    return p;
}

static int sq_col_is_null(ra_db_stmt *s, int c)
{
    return sqlite3_column_type(s->st, c) == SQLITE_NULL;
}

static int64_t sq_changes(ra_db_stmt *s) { return s->changes; }
static void sq_reset(ra_db_stmt *s) { sqlite3_reset(s->st); }

static void sq_finalize(ra_db_stmt *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st);
    ra_free(s);
}

static ra_status sq_begin(ra_db *d, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    int rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? RA_OK : sq_error(db, rc, "begin a transaction", err);
}

/* Runs a statement without parameters or rows, prepared on first use into *st. */
static int run_kept(sq_db *db, sqlite3_stmt **st, const char *sql)
{
    int rc = *st ? SQLITE_OK : sqlite3_prepare_v2(db->h, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(*st);
    sqlite3_reset(*st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static ra_status sq_begin_read(ra_db *d, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    int rc = run_kept(db, &db->begin_read, "BEGIN");
    return rc == SQLITE_OK ? RA_OK : sq_error(db, rc, "begin a read transaction", err);
}

static ra_status sq_commit(ra_db *d, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    int rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ra_status st = sq_error(db, rc, "commit", err);
        if (!sqlite3_get_autocommit(db->h))
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return RA_OK;
}

static ra_status sq_rollback(ra_db *d, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    if (sqlite3_get_autocommit(db->h))
        return RA_OK;
    int rc = run_kept(db, &db->rollback, "ROLLBACK");
    return rc == SQLITE_OK ? RA_OK : sq_error(db, rc, "roll back", err);
}

static ra_status sq_bulk_begin(ra_db *d, const char *table, const char *const *cols, int ncols,
                               ra_db_bulk **out, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    char sql[512];
    size_t len = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (", table);
    for (int i = 0; i < ncols && len < sizeof sql; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", i ? ", " : "", cols[i]);
    if (len < sizeof sql)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ") VALUES (");
    for (int i = 0; i < ncols && len < sizeof sql; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s?", i ? ", " : "");
    if (len < sizeof sql)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
    if (len >= sizeof sql)
        return ra_err_set(err, RA_EINTERNAL, NULL, "bulk insert into %s: statement too long",
                          table);
    ra_db_bulk *b = ra_calloc(1, sizeof *b);
    if (!b)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a bulk load");
    int rc = sqlite3_prepare_v2(db->h, sql, -1, &b->st, NULL);
    if (rc != SQLITE_OK) {
        ra_free(b);
        return sq_error(db, rc, "prepare a bulk insert", err);
    }
    b->db = db;
    b->ncols = ncols;
    *out = b;
    return RA_OK;
}

static ra_status sq_bulk_row(ra_db_bulk *b, const int64_t *vals, ra_err *err)
{
    for (int i = 0; i < b->ncols; i++)
        sqlite3_bind_int64(b->st, i + 1, vals[i]);
    int rc = sqlite3_step(b->st);
    sqlite3_reset(b->st);
    return rc == SQLITE_DONE ? RA_OK : sq_error(b->db, rc, "insert a row", err);
}

static ra_status sq_bulk_row_vals(ra_db_bulk *b, const ra_db_val *v, ra_err *err)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < b->ncols && rc == SQLITE_OK; i++) {
        switch (v[i].type) {
        case 'i': rc = sqlite3_bind_int64(b->st, i + 1, v[i].i); break;
        case 'd': rc = sqlite3_bind_double(b->st, i + 1, v[i].d); break;
        case 't': rc = sqlite3_bind_text(b->st, i + 1, v[i].t, -1, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(b->st, i + 1);
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(b->st);
    sqlite3_reset(b->st);
    sqlite3_clear_bindings(b->st); /* the text was borrowed */
    return rc == SQLITE_DONE ? RA_OK : sq_error(b->db, rc, "insert a row", err);
}

static ra_status sq_run_deferred(ra_db_stmt *s, ra_err *err)
{
    int r;
    while ((r = sq_step(s, err)) == RA_DB_ROW)
        ;
    return r < 0 ? (err ? err->code : RA_EIO) : RA_OK;
}

static ra_status sq_bulk_end(ra_db_bulk *b, int ok, ra_err *err)
{
    (void)ok;
    (void)err;
    sqlite3_finalize(b->st);
    ra_free(b);
    return RA_OK;
}

static ra_status sq_integrity(ra_db *d, ra_err *err)
{
    sq_db *db = (sq_db *)d;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->h, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_error(db, rc, "run the integrity check", err);
    ra_status out = RA_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && strcmp(t, "ok") != 0 && out == RA_OK)
            out = ra_err_set(err, RA_EIO, NULL, "the database integrity check failed: %s", t);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && out == RA_OK)
        return sq_error(db, rc, "run the integrity check", err);
    if (out != RA_OK)
        return out;
    rc = sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_error(db, rc, "run the foreign key check", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        out = ra_err_set(err, RA_EIO, NULL,
                         "the foreign key check failed: row %lld of table %s refers to a missing "
                         "row of %s",
                         (long long)sqlite3_column_int64(st, 1),
                         (const char *)sqlite3_column_text(st, 0),
                         (const char *)sqlite3_column_text(st, 2));
    else if (rc != SQLITE_DONE)
        out = sq_error(db, rc, "run the foreign key check", err);
    sqlite3_finalize(st);
    return out;
}

static const ra_db_ops sq_ops = {
    "sqlite", "INTEGER PRIMARY KEY", "BLOB", "REAL", " WITHOUT ROWID",
    sq_close, sq_exec, sq_prepare, sq_bind_int64, sq_bind_double, sq_bind_text, sq_bind_blob,
    sq_bind_null, sq_step, sq_col_int64, sq_col_double, sq_col_text, sq_col_blob, sq_col_is_null,
    sq_changes, sq_reset, sq_finalize, sq_begin, sq_commit, sq_rollback, sq_bulk_begin,
    sq_bulk_row, sq_bulk_end, sq_integrity, sq_bulk_row_vals, 0, sq_run_deferred, sq_exec,
    sq_begin_read,
};

/* A new book file is created readable and writable by its owner only (it holds ciphertext, but
 * also the ledger and the audit trail); SQLite gives its -wal and -shm files the database file's
 * mode. An existing file is left as it is; ":memory:" and "file:" URIs are SQLite's. Failing here
 * is not an error: sqlite3_open_v2 then reports what is wrong with the path. */
static void create_private(const char *path)
{
    if (!*path || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)fchmod(fd, 0600); /* whatever the umask */
        close(fd);
    }
}

/* SQLite's memory statistics take a process-wide mutex on every allocation of every connection
 * (2 to 3 % of a daily cycle's time in pthread_mutex_lock/unlock); the library never reads them.
 * Switched off once, before SQLite initialises; an application that embeds the library and has
 * initialised SQLite itself keeps its own setting (sqlite3_config then refuses, harmlessly). */
static void sq_config_once(void) { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

ra_status ra_db_sqlite_open(const char *path, const ra_db_open_options *o, ra_db **out,
                            ra_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, sq_config_once);
    sq_db *db = ra_calloc(1, sizeof *db);
    if (!db)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a connection");
    db->base.ops = &sq_ops;
    db->busy_timeout_ms = o->busy_timeout_ms;
    int flags = SQLITE_OPEN_READWRITE | (o->create ? SQLITE_OPEN_CREATE : 0) |
                SQLITE_OPEN_NOMUTEX;
    if (o->create)
        create_private(path);
    int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        ra_status st = ra_err_set(err, RA_EIO, NULL, "could not open the database \"%.80s\": %s",
                                  path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
        sqlite3_close_v2(db->h);
        ra_free(db);
        return st;
    }
    sqlite3_busy_timeout(db->h, o->busy_timeout_ms);
    sqlite3_extended_result_codes(db->h, 0);
    /* 16 KiB pages for a new file (ignored for an existing one): audit records and transaction
     * texts are a few hundred bytes to a kilobyte, and a bulk load then makes a quarter of the
     * page writes and system calls of 4 KiB pages. temp_store=MEMORY keeps the staging tables of
     * imports and bulk openings off the disk. A 64 MiB page cache and reads through a memory map
     * of up to 1 GiB: the daily cycle reads every account's lots and audits by small indexed
     * reads, which with SQLite's default 2 MB cache became one pread system call each. */
    ra_status st = sq_exec(&db->base,
                           "PRAGMA page_size=16384; PRAGMA temp_store=MEMORY; "
                           "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                           "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                           "PRAGMA mmap_size=1073741824;",
                           err);
    if (st == RA_OK) {
        /* Fail now, with a clear message, rather than at the first write. */
        st = sq_exec(&db->base, "SELECT count(*) FROM sqlite_master", err);
        if (st != RA_OK)
            ra_err_wrap(err, "cannot use \"%.80s\" as a database", path);
    }
    if (st != RA_OK) {
        sq_close(&db->base);
        return st;
    }
    *out = &db->base;
    return RA_OK;
}

/* An online copy of the whole database into a new file at path (SQLite's backup API: pages are
 * copied while readers and writers go on; the copy is one consistent snapshot). The file must not
 * exist; it is created readable and writable by its owner only, like the book. */
ra_status ra_db_sqlite_backup(ra_db *db, const char *path, ra_err *err)
{
    if (strcmp(db->ops->name, "sqlite") != 0)
        return ra_err_set(err, RA_EINVAL, NULL, "not an SQLite book");
    sq_db *d = (sq_db *)db;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return ra_err_set(err, RA_EIO, path, "could not create the backup file: %s",
                          strerror(errno));
    close(fd);
    sqlite3 *to = NULL;
    int rc = sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(to, "main", d->h, "main") : NULL;
    if (b) {
        do {
            rc = sqlite3_backup_step(b, 1024);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep(20);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        rc = sqlite3_backup_finish(b);
    } else if (rc == SQLITE_OK)
        rc = sqlite3_errcode(to);
    ra_status st = RA_OK;
    if (rc != SQLITE_OK)
        st = ra_err_set(err, RA_EIO, path, "could not copy the book: %s",
                        to ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
    sqlite3_close(to);
    if (st != RA_OK)
        unlink(path);
    return st;
}
