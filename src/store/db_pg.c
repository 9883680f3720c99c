/* roboadvisor: the PostgreSQL driver of the store (db.h), through libpq. Statements are prepared
 * server-side (PQprepare) with the ?-placeholders rewritten to $1, $2, ...; parameters go as text
 * (numbers) or binary (bytea), results come back as text. Every PGresult is checked. Bulk loads use
 * COPY FROM STDIN. A writer waiting for a row lock longer than busy_timeout_ms fails with the same
 * "database is busy" RA_ECONFLICT as on SQLite (lock_timeout).
 * Read transactions (ra_store_read_begin/end: one per API GET) cost two round trips fewer: the
 * BEGIN is sent in a pipeline with the transaction's first statement, and the ROLLBACK that ends
 * it is sent (and flushed, so the server ends the transaction at once) without waiting for its
 * reply, which the connection's next statement reads with its own. */
#include "store/db.h"
#include "roboadvisor/alloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_db {
    ra_db base;
    PGconn *c;
    unsigned next_stmt;
    int busy_timeout_ms;
    int pending; /* statements sent in pipeline mode whose results are not read yet */
    int reading; /* in a read transaction begun by pg_begin_read */
} pg_db;

/* Sent statements a pipeline holds at most before its results are read: their replies (a few
 * dozen bytes each) then always fit in the socket buffers, so a blocking send never waits for a
 * server that waits for us to read. */
#define PIPELINE_MAX 256

struct ra_db_stmt {
    pg_db *db;
    char name[24];
    int nparams;
    char **vals;
    int *lens;
    int *fmts;
    PGresult *res;
    int executed;
    int row, nrows;
    int64_t changes;
    unsigned char *blob; /* the last unescaped bytea */
};

#define COPY_BUF 65536
struct ra_db_bulk {
    pg_db *db;
    int ncols;
    size_t len;
    char buf[COPY_BUF];
};

/* An error from a result (NULL: from the connection). SQLSTATE classes map to our codes. */
static ra_status pg_error(pg_db *db, const PGresult *r, const char *what, ra_err *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(db->c);
    char m[200];
    snprintf(m, sizeof m, "%s", msg ? msg : "no message");
    m[strcspn(m, "\n")] = 0;
    if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
                  strcmp(state, "40P01") == 0))
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "the database is busy: another writer held it for more than %d ms "
                          "(try again)",
                          db->busy_timeout_ms);
    if (state && strncmp(state, "23", 2) == 0)
        return ra_err_set(err, RA_ECONFLICT, NULL, "could not %s: %s", what, m);
    if (state && strncmp(state, "53", 2) == 0)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not %s: %s", what, m);
    return ra_err_set(err, RA_EIO, NULL, "could not %s: %s", what, m);
}

/* Reads the results of the statements sent in pipeline mode and leaves it; the first error is
 * returned (later statements were skipped by the server and the transaction is aborted). With
 * kept, the result of statement number keep (from 0, in the order sent) is handed to the caller
 * in *kept when it succeeded (NULL otherwise). */
static ra_status pg_drain(pg_db *db, int keep, PGresult **kept, ra_err *err)
{
    if (kept)
        *kept = NULL;
    if (!db->pending)
        return RA_OK;
    ra_status rc = RA_OK;
    if (PQpipelineSync(db->c) != 1)
        rc = pg_error(db, NULL, "send statements", err);
    int ended = 0; /* statements whose results were read */
    for (int synced = rc != RA_OK; !synced;) {
        PGresult *r = PQgetResult(db->c);
        if (!r) {
            if (PQstatus(db->c) != CONNECTION_OK) {
                rc = pg_error(db, NULL, "read the results of statements", err);
                break;
            }
            ended++; /* the end of one statement's results */
            continue;
        }
        ExecStatusType t = PQresultStatus(r);
        int ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
        if (t == PGRES_PIPELINE_SYNC)
            synced = 1;
        else if (ok && kept && ended == keep && !*kept) {
            *kept = r;
            continue;
        } else if (!ok && rc == RA_OK)
            rc = t == PGRES_PIPELINE_ABORTED
                     ? ra_err_set(err, RA_EIO, NULL, "could not run a statement: an earlier one "
                                  "failed")
                     : pg_error(db, r, "run a statement", err);
        PQclear(r);
    }
    if (PQexitPipelineMode(db->c) != 1 && rc == RA_OK)
        rc = pg_error(db, NULL, "leave the pipeline", err);
    db->pending = 0;
    if (rc != RA_OK && kept) {
        PQclear(*kept);
        *kept = NULL;
    }
    return rc;
}

static ra_status pg_sync(pg_db *db, ra_err *err) { return pg_drain(db, -1, NULL, err); }

static void pg_close(ra_db *d)
{
    pg_db *db = (pg_db *)d;
    if (!db)
        return;
    PQfinish(db->c);
    ra_free(db);
}

static ra_status pg_exec(ra_db *d, const char *sql, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    /* A pipelined write that failed is reported, but the statement still runs: it may be the
     * ROLLBACK TO SAVEPOINT that undoes that write. */
    ra_status prc = pg_sync(db, err);
    PGresult *r = PQexec(db->c, sql);
    ExecStatusType st = PQresultStatus(r);
    ra_status rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                       ? RA_OK
                       : pg_error(db, r, "run a statement", prc == RA_OK ? err : NULL);
    PQclear(r);
    return prc != RA_OK ? prc : rc;
}

static ra_status pg_prepare(ra_db *d, const char *sql, ra_db_stmt **out, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    ra_status prc = pg_sync(db, err);
    if (prc != RA_OK)
        return prc;
    size_t n = strlen(sql);
    char *t = ra_malloc(n * 4 + 1);
    ra_db_stmt *s = ra_calloc(1, sizeof *s);
    if (!t || !s) {
        ra_free(t);
        ra_free(s);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a statement");
    }
    /* ? -> $n outside string literals */
    size_t k = 0;
    int np = 0, quote = 0;
    for (size_t i = 0; i < n; i++) {
        if (sql[i] == '\'')
            quote = !quote;
        if (sql[i] == '?' && !quote)
            k += (size_t)sprintf(t + k, "$%d", ++np);
        else
            t[k++] = sql[i];
    }
    t[k] = 0;
    s->db = db;
    snprintf(s->name, sizeof s->name, "ra_%u", ++db->next_stmt);
    s->nparams = np;
    if (np) {
        s->vals = ra_calloc((size_t)np, sizeof *s->vals);
        s->lens = ra_calloc((size_t)np, sizeof *s->lens);
        s->fmts = ra_calloc((size_t)np, sizeof *s->fmts);
        if (!s->vals || !s->lens || !s->fmts) {
            ra_free(s->vals);
            ra_free(s->lens);
            ra_free(s->fmts);
            ra_free(s);
            ra_free(t);
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a statement");
        }
    }
    PGresult *r = PQprepare(db->c, s->name, t, np, NULL);
    ra_free(t);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        ra_status rc = pg_error(db, r, "prepare a statement", err);
        PQclear(r);
        ra_free(s->vals);
        ra_free(s->lens);
        ra_free(s->fmts);
        ra_free(s);
        return rc;
    }
    PQclear(r);
    *out = s;
    return RA_OK;
}

static ra_status set_param(ra_db_stmt *s, int i, const void *p, size_t n, int fmt, ra_err *err)
{
    if (i < 1 || i > s->nparams)
        return ra_err_set(err, RA_EINTERNAL, NULL, "parameter %d of %d", i, s->nparams);
    ra_free(s->vals[i - 1]);
    s->vals[i - 1] = NULL;
    if (p) {
        char *c = ra_malloc(n + 1);
        if (!c)
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a parameter");
        memcpy(c, p, n);
        c[n] = 0;
        s->vals[i - 1] = c;
    }
    s->lens[i - 1] = (int)n;
    s->fmts[i - 1] = fmt;
    return RA_OK;
}

static ra_status pg_bind_int64(ra_db_stmt *s, int i, int64_t v, ra_err *err)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    return set_param(s, i, b, (size_t)n, 0, err);
}

static ra_status pg_bind_double(ra_db_stmt *s, int i, double v, ra_err *err)
{
    char b[40];
    int n = snprintf(b, sizeof b, "%.17g", v);
    return set_param(s, i, b, (size_t)n, 0, err);
}

static ra_status pg_bind_text(ra_db_stmt *s, int i, const char *v, ra_err *err)
{
    return set_param(s, i, v, strlen(v), 0, err);
}

static ra_status pg_bind_blob(ra_db_stmt *s, int i, const void *p, size_t n, ra_err *err)
{
    return set_param(s, i, p ? p : "", n, 1, err);
}

static ra_status pg_bind_null(ra_db_stmt *s, int i, ra_err *err)
{
    return set_param(s, i, NULL, 0, 0, err);
}

static void clear_result(ra_db_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->executed = 0;
    s->row = -1;
    s->nrows = 0;
}

/* A statement could not be sent into the pipeline: that error, the pipeline drained. */
static ra_status pg_send_failed(pg_db *db, ra_err *err)
{
    ra_status rc = pg_error(db, NULL, "send a statement", err);
    ra_err ignored;
    (void)pg_sync(db, &ignored);
    return rc;
}

/* Sends s's prepared statement with its parameters into the pipeline (pipeline mode on). */
static ra_status pg_send_prepared(ra_db_stmt *s, ra_err *err)
{
    if (PQsendQueryPrepared(s->db->c, s->name, s->nparams, (const char *const *)s->vals, s->lens,
                            s->fmts, 0) != 1)
        return pg_send_failed(s->db, err);
    return RA_OK;
}

/* s run at the end of the pipeline the connection holds (a deferred BEGIN, a ROLLBACK): one round
 * trip for all. s->res is its result; the first error of the pipeline is returned. */
static ra_status pg_exec_pipelined(ra_db_stmt *s, ra_err *err)
{
    pg_db *db = s->db;
    ra_status src = pg_send_prepared(s, err);
    if (src != RA_OK)
        return src;
    int mine = db->pending++;
    ra_status rc = pg_drain(db, mine, &s->res, err);
    if (rc == RA_OK && !s->res)
        rc = ra_err_set(err, RA_EIO, NULL, "could not run a statement: no result");
    return rc;
}

static int pg_step(ra_db_stmt *s, ra_err *err)
{
    if (!s->executed) {
        clear_result(s);
        if (s->db->pending) {
            if (pg_exec_pipelined(s, err) != RA_OK)
                return -1;
        } else
            s->res = PQexecPrepared(s->db->c, s->name, s->nparams, (const char *const *)s->vals,
                                    s->lens, s->fmts, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            pg_error(s->db, s->res, "run a statement", err);
            clear_result(s);
            return -1;
        }
        s->executed = 1;
        s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
        const char *ct = PQcmdTuples(s->res);
        s->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
        s->row = -1;
    }
    PQfreemem(s->blob);
    s->blob = NULL;
    if (s->row + 1 < s->nrows) {
        s->row++;
        return RA_DB_ROW;
    }
    s->row = s->nrows;
    return RA_DB_DONE;
}

static int64_t pg_col_int64(ra_db_stmt *s, int c)
{
    return strtoll(PQgetvalue(s->res, s->row, c), NULL, 10);
}

static double pg_col_double(ra_db_stmt *s, int c)
{
    return strtod(PQgetvalue(s->res, s->row, c), NULL);
}

static const char *pg_col_text(ra_db_stmt *s, int c)
{
    return PQgetisnull(s->res, s->row, c) ? "" : PQgetvalue(s->res, s->row, c);
}

static const void *pg_col_blob(ra_db_stmt *s, int c, size_t *n)
{
    *n = 0;
    if (PQgetisnull(s->res, s->row, c))
        return NULL;
    PQfreemem(s->blob);
    s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, c), n);
    return s->blob;
}

static int pg_col_is_null(ra_db_stmt *s, int c) { return PQgetisnull(s->res, s->row, c); }
static int64_t pg_changes(ra_db_stmt *s) { return s->changes; }
static void pg_reset(ra_db_stmt *s) { clear_result(s); }

static void pg_finalize(ra_db_stmt *s)
{
    if (!s)
        return;
    clear_result(s);
    ra_err ignored; /* a pending error aborted the transaction: the caller's commit fails */
    (void)pg_sync(s->db, &ignored);
    if (PQtransactionStatus(s->db->c) != PQTRANS_INERROR) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->db->c, sql));
    }
    for (int i = 0; i < s->nparams; i++)
        ra_free(s->vals[i]);
    ra_free(s->vals);
    ra_free(s->lens);
    ra_free(s->fmts);
    ra_free(s);
}

static ra_status pg_begin(ra_db *d, ra_err *err) { return pg_exec(d, "BEGIN", err); }

static ra_status pg_exec_deferred(ra_db *d, const char *sql, ra_err *err);

/* Sent with the transaction's first statement (pg_exec_pipelined). */
static ra_status pg_begin_read(ra_db *d, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    ra_status rc = pg_exec_deferred(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    db->reading = rc == RA_OK;
    return rc;
}

static ra_status pg_commit(ra_db *d, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    ra_status prc = pg_sync(db, err);
    if (prc != RA_OK) {
        PQclear(PQexec(db->c, "ROLLBACK"));
        return prc;
    }
    PGresult *r = PQexec(db->c, "COMMIT");
    ra_status rc = RA_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_error(db, r, "commit", err);
    else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) /* the transaction had failed */
        rc = ra_err_set(err, RA_EIO, NULL, "could not commit: the transaction was rolled back");
    PQclear(r);
    return rc;
}

static ra_status pg_rollback(ra_db *d, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    if (db->reading) { /* a read transaction: its end is not waited for (see the header) */
        db->reading = 0;
        ra_status rc = pg_exec_deferred(d, "ROLLBACK", err);
        if (rc == RA_OK && db->pending && PQflush(db->c) != 0)
            rc = pg_error(db, NULL, "send a statement", err);
        return rc;
    }
    ra_err ignored; /* the rollback discards whatever failed */
    (void)pg_sync(db, &ignored);
    if (PQtransactionStatus(db->c) == PQTRANS_IDLE)
        return RA_OK;
    return pg_exec(d, "ROLLBACK", err);
}

static ra_status pg_bulk_begin(ra_db *d, const char *table, const char *const *cols, int ncols,
                               ra_db_bulk **out, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    ra_status prc = pg_sync(db, err);
    if (prc != RA_OK)
        return prc;
    char sql[512];
    size_t len = (size_t)snprintf(sql, sizeof sql, "COPY %s (", table);
    for (int i = 0; i < ncols && len < sizeof sql; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", i ? ", " : "", cols[i]);
    if (len < sizeof sql)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ") FROM STDIN");
    if (len >= sizeof sql)
        return ra_err_set(err, RA_EINTERNAL, NULL, "copy into %s: statement too long", table);
    PGresult *r = PQexec(db->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        ra_status rc = pg_error(db, r, "start a bulk load", err);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    ra_db_bulk *b = ra_malloc(sizeof *b);
    if (!b) {
        PQputCopyEnd(db->c, "out of memory");
        PQclear(PQgetResult(db->c));
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a bulk load");
    }
    b->db = db;
    b->ncols = ncols;
    b->len = 0;
    *out = b;
    return RA_OK;
}

static ra_status flush(ra_db_bulk *b, ra_err *err)
{
    if (b->len && PQputCopyData(b->db->c, b->buf, (int)b->len) != 1)
        return pg_error(b->db, NULL, "send rows", err);
    b->len = 0;
    return RA_OK;
}

static ra_status pg_bulk_row(ra_db_bulk *b, const int64_t *vals, ra_err *err)
{
    if (b->len + (size_t)b->ncols * 22 + 2 > COPY_BUF) {
        ra_status rc = flush(b, err);
        if (rc != RA_OK)
            return rc;
    }
    for (int i = 0; i < b->ncols; i++)
        b->len += (size_t)snprintf(b->buf + b->len, COPY_BUF - b->len, "%s%lld", i ? "\t" : "",
                                   (long long)vals[i]);
    b->buf[b->len++] = '\n';
    return RA_OK;
}

/* Appends n bytes to the COPY buffer, sending it whenever it fills (values may be longer than
 * the buffer). */
static ra_status put(ra_db_bulk *b, const char *p, size_t n, ra_err *err)
{
    while (n) {
        if (b->len == COPY_BUF) {
            ra_status rc = flush(b, err);
            if (rc != RA_OK)
                return rc;
        }
        size_t k = COPY_BUF - b->len < n ? COPY_BUF - b->len : n;
        memcpy(b->buf + b->len, p, k);
        b->len += k;
        p += k;
        n -= k;
    }
    return RA_OK;
}

/* COPY text format: fields separated by tabs, \N for NULL, backslash, tab, newline and carriage
 * return escaped with a backslash. */
static ra_status put_text(ra_db_bulk *b, const char *t, ra_err *err)
{
    ra_status rc = RA_OK;
    const char *run = t;
    for (; *t && rc == RA_OK; t++) {
        const char *e = *t == '\\' ? "\\\\" : *t == '\t' ? "\\t" : *t == '\n' ? "\\n"
                        : *t == '\r' ? "\\r" : NULL;
        if (!e)
            continue;
        rc = put(b, run, (size_t)(t - run), err);
        if (rc == RA_OK)
            rc = put(b, e, 2, err);
        run = t + 1;
    }
    return rc == RA_OK ? put(b, run, (size_t)(t - run), err) : rc;
}

static ra_status pg_bulk_row_vals(ra_db_bulk *b, const ra_db_val *v, ra_err *err)
{
    ra_status rc = RA_OK;
    char num[40];
    for (int i = 0; i < b->ncols && rc == RA_OK; i++) {
        if (i)
            rc = put(b, "\t", 1, err);
        if (rc != RA_OK)
            break;
        switch (v[i].type) {
        case 'i':
            rc = put(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v[i].i), err);
            break;
        case 'd':
            rc = put(b, num, (size_t)snprintf(num, sizeof num, "%.17g", v[i].d), err);
            break;
        case 't': rc = put_text(b, v[i].t, err); break;
        default: rc = put(b, "\\N", 2, err);
        }
    }
    return rc == RA_OK ? put(b, "\n", 1, err) : rc;
}

static ra_status pg_run_deferred(ra_db_stmt *s, ra_err *err)
{
    pg_db *db = s->db;
    clear_result(s);
    if (!db->pending && PQenterPipelineMode(db->c) != 1)
        return pg_error(db, NULL, "start a pipeline", err);
    ra_status src = pg_send_prepared(s, err);
    if (src != RA_OK)
        return src;
    s->executed = 1; /* no rows: a step now reports done */
    s->changes = 0;
    if (++db->pending >= PIPELINE_MAX)
        return pg_sync(db, err);
    return RA_OK;
}

static ra_status pg_exec_deferred(ra_db *d, const char *sql, ra_err *err)
{
    pg_db *db = (pg_db *)d;
    if (!db->pending && PQenterPipelineMode(db->c) != 1)
        return pg_error(db, NULL, "start a pipeline", err);
    if (PQsendQueryParams(db->c, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
        return pg_send_failed(db, err);
    if (++db->pending >= PIPELINE_MAX)
        return pg_sync(db, err);
    return RA_OK;
}

static ra_status pg_bulk_end(ra_db_bulk *b, int ok, ra_err *err)
{
    pg_db *db = b->db;
    ra_status rc = ok ? flush(b, err) : RA_OK;
    if (PQputCopyEnd(db->c, ok && rc == RA_OK ? NULL : "abandoned") != 1 && rc == RA_OK && ok)
        rc = pg_error(db, NULL, "end a bulk load", err);
    PGresult *r;
    while ((r = PQgetResult(db->c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == RA_OK && ok)
            rc = pg_error(db, r, "bulk load", err);
        PQclear(r);
    }
    ra_free(b);
    return rc;
}

/* PostgreSQL enforces its constraints on every write; there is no file-level check to run. */
static ra_status pg_integrity(ra_db *d, ra_err *err) { return pg_exec(d, "SELECT 1", err); }

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static const ra_db_ops pg_ops = {
    "postgresql", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA",
    "DOUBLE PRECISION", "",
    pg_close, pg_exec, pg_prepare, pg_bind_int64, pg_bind_double, pg_bind_text, pg_bind_blob,
    pg_bind_null, pg_step, pg_col_int64, pg_col_double, pg_col_text, pg_col_blob, pg_col_is_null,
    pg_changes, pg_reset, pg_finalize, pg_begin, pg_commit, pg_rollback, pg_bulk_begin,
    pg_bulk_row, pg_bulk_end, pg_integrity, pg_bulk_row_vals, 1, pg_run_deferred, pg_exec_deferred,
    pg_begin_read,
};

ra_status ra_db_pg_open(const char *url, const ra_db_open_options *o, ra_db **out, ra_err *err)
{
    pg_db *db = ra_calloc(1, sizeof *db);
    if (!db)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a connection");
    db->base.ops = &pg_ops;
    db->busy_timeout_ms = o->busy_timeout_ms;
    db->c = PQconnectdb(url);
    if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
        /* libpq's message names host and port, never the password */
        char m[200];
        snprintf(m, sizeof m, "%s", db->c ? PQerrorMessage(db->c) : "out of memory");
        m[strcspn(m, "\n")] = 0;
        PQfinish(db->c);
        ra_free(db);
        return ra_err_set(err, RA_EIO, NULL, "could not connect to PostgreSQL: %s", m);
    }
    PQsetNoticeProcessor(db->c, quiet, NULL);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; SET lock_timeout = %d; "
             "SET extra_float_digits = 3",
             o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 1);
    ra_status rc = pg_exec(&db->base, sql, err);
    if (rc != RA_OK) {
        pg_close(&db->base);
        return rc;
    }
    *out = &db->base;
    return RA_OK;
}
