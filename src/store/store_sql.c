/* roboadvisor store: the one set of SQL helpers every store file uses (store_int.h): the statement
 * cache, binding, stepping, write scopes and savepoints, id lookups. */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- small helpers --------------------------------------------------------------------------- */

void ra_store_options_default(ra_store_options *o)
{
    o->busy_timeout_ms = 5000;
    o->create = 1;
    o->clock = NULL;
    o->clock_ctx = NULL;
}

const char *ra_store_default_url(const char *url)
{
    return url && *url ? url : "roboadvisor.db";
}

int64_t ra_store_now(ra_store *s) { return s->clock ? s->clock(s->clock_ctx) : 0; }

const char *ra_store_backend(const ra_store *s) { return s->ops->name; }

void ra_store_free(void *p) { ra_free(p); }

ra_status sq_nomem(ra_err *err, const char *what)
{
    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %s", what);
}

/* The status of a failed database call: the code it set in err (RA_EIO when err is NULL). */
ra_status sq_err(const ra_err *err) { return err ? err->code : RA_EIO; }

/* A prepared statement for sql (a string literal: cached by address), reset and ready. */
ra_db_stmt *sq_prep(ra_store *s, const char *sql, ra_err *err)
{
    for (size_t i = 0; i < s->n_cache; i++)
        if (s->cache[i].sql == sql) {
            s->ops->reset(s->cache[i].st);
            return s->cache[i].st;
        }
    ra_db_stmt *st = NULL;
    if (s->ops->prepare(s->db, sql, &st, err) != RA_OK)
        return NULL;
    if (s->n_cache == N_STMT_CACHE) { /* full: drop the oldest */
        s->ops->finalize(s->cache[0].st);
        memmove(&s->cache[0], &s->cache[1], (N_STMT_CACHE - 1) * sizeof s->cache[0]);
        s->n_cache--;
    }
    s->cache[s->n_cache].sql = sql;
    s->cache[s->n_cache].st = st;
    s->n_cache++;
    return st;
}

void sq_cache_clear(ra_store *s)
{
    for (size_t i = 0; i < s->n_cache; i++)
        s->ops->finalize(s->cache[i].st);
    s->n_cache = 0;
}

/* Binds parameters 1.. from a format: i int64, d double, t text, b blob (ptr, size_t), n null,
 * N int64 or NULL if 0. */
static ra_status sq_vbind(ra_store *s, ra_db_stmt *st, ra_err *err, const char *fmt,
                          va_list ap)
{
    ra_status rc = RA_OK;
    for (int i = 0; fmt[i] && rc == RA_OK; i++) {
        switch (fmt[i]) {
        case 'i': rc = s->ops->bind_int64(st, i + 1, va_arg(ap, int64_t), err); break;
        case 'd': rc = s->ops->bind_double(st, i + 1, va_arg(ap, double), err); break;
        case 't': rc = s->ops->bind_text(st, i + 1, va_arg(ap, const char *), err); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = s->ops->bind_blob(st, i + 1, p, n, err);
            break;
        }
        case 'n': rc = s->ops->bind_null(st, i + 1, err); break;
        case 'N': { /* int64, 0 bound as NULL (an optional reference) */
            int64_t v = va_arg(ap, int64_t);
            rc = v ? s->ops->bind_int64(st, i + 1, v, err) : s->ops->bind_null(st, i + 1, err);
            break;
        }
        default: rc = ra_err_set(err, RA_EINTERNAL, NULL, "bind format '%c'", fmt[i]);
        }
    }
    return rc;
}

ra_status sq_bind(ra_store *s, ra_db_stmt *st, ra_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = sq_vbind(s, st, err, fmt, ap);
    va_end(ap);
    return rc;
}

int sq_query(ra_store *s, ra_db_stmt **st, ra_err *err, const char *sql, const char *fmt, ...)
{
    *st = sq_prep(s, sql, err);
    if (!*st)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = sq_vbind(s, *st, err, fmt, ap);
    va_end(ap);
    return rc == RA_OK ? s->ops->step(*st, err) : -1;
}

ra_status sq_each(ra_store *s, ra_err *err, sq_row_fn *row, void *ctx, const char *sql,
                  const char *fmt, ...)
{
    ra_db_stmt *st = sq_prep(s, sql, err);
    if (!st)
        return sq_err(err);
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = sq_vbind(s, st, err, fmt, ap);
    va_end(ap);
    int r = RA_DB_DONE;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW)
        rc = row(ctx, s, st, err);
    s->ops->reset(st);
    if (rc == RA_OK && r < 0)
        rc = sq_err(err);
    return rc;
}

ra_status sq_returning_id(ra_store *s, ra_db_stmt *st, const char *what, int64_t *id,
                          ra_err *err)
{
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? sq_err(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "no id returned for %s", what);
    *id = sq_int(s, st, 0);
    s->ops->reset(st);
    return RA_OK;
}

void *sq_stats(void *stats, void *local, size_t size)
{
    if (!stats)
        stats = local;
    memset(stats, 0, size);
    return stats;
}

/* Runs a write whose rows and change count are not needed. On PostgreSQL it is pipelined: sent
 * at once, its result read with the next reply the store waits for (db.h, run_deferred), so a
 * batch of writes costs one round trip instead of one each. */
ra_status sq_run(ra_store *s, ra_db_stmt *st, ra_err *err)
{
    return s->ops->run_deferred(st, err);
}

/* Runs a statement to completion now (for changes()). */
ra_status sq_run_now(ra_store *s, ra_db_stmt *st, ra_err *err)
{
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW)
        ;
    return r < 0 ? sq_err(err) : RA_OK;
}

int64_t sq_int(ra_store *s, ra_db_stmt *st, int c) { return s->ops->col_int64(st, c); }
const char *sq_text(ra_store *s, ra_db_stmt *st, int c) { return s->ops->col_text(st, c); }

void sq_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

ra_status sq_check_str(const char *v, size_t cap, const char *field, int required,
                           ra_err *err)
{
    size_t n = strnlen(v, cap);
    if (n == cap)
        return ra_err_set(err, RA_EINVAL, NULL, "%s is longer than %zu bytes", field, cap - 1);
    if (required && n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "%s is empty", field);
    return RA_OK;
}

ra_status sq_check_code(const char *v, const char *what, int required, ra_err *err)
{
    size_t n = strnlen(v, RA_CODE_MAX);
    return n || required ? ra_rule_code_check(v, n, what, err) : RA_OK;
}

/* --- write scopes: a transaction of its own, or a savepoint inside the caller's ------------- */

ra_status sq_need_schema(ra_store *s, ra_err *err)
{
    if (s->schema_version == 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the database is not initialised (run roboadvisor init)");
    return RA_OK;
}

ra_status rs_head_flush(ra_store *s, ra_err *err);

/* Room for element n of a growing array of elem-byte elements, *cap allocated (doubling, from
 * first): the array, perhaps moved, or NULL when out of memory (the old array is then still valid
 * and the caller frees it). */
void *sq_grow(void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    return ra_grow(&v, cap, n < first ? first : n + 1, elem) == 0 ? v : NULL;
}

void sq_row_code(ra_store *s, ra_db_stmt *st, void *out)
{
    sq_copy(out, RA_CODE_MAX, sq_text(s, st, 0));
}

ra_status sq_rows(ra_store *s, ra_db_stmt *st, void **v, size_t *n, size_t elem, size_t first,
                  const char *what, void (*row)(ra_store *, ra_db_stmt *, void *), ra_err *err)
{
    size_t cap = 0;
    int r;
    *v = NULL;
    *n = 0;
    if (!st)
        return sq_err(err);
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        void *g = sq_grow(*v, *n, &cap, elem, first);
        if (!g)
            break;
        *v = g;
        row(s, st, (char *)g + (*n)++ * elem);
    }
    s->ops->reset(st);
    if (r == RA_DB_DONE)
        return RA_OK;
    ra_free(*v);
    *v = NULL;
    *n = 0;
    return r < 0 ? sq_err(err) : sq_nomem(err, what);
}

ra_status sq_put_begin(ra_store *s, const ra_store_actor *actor, ra_status valid, firm_row *firm,
                       ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = valid;
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, firm, err);
    return rc == RA_OK ? sq_wbegin(s, err) : rc;
}

ra_status sq_put(ra_store *s, const ra_store_actor *actor, ra_status valid, sq_put_fn put,
                 const void *rec, ra_err *err)
{
    firm_row firm;
    int64_t id = 0;
    ra_status rc = sq_put_begin(s, actor, valid, &firm, err);
    return rc == RA_OK ? sq_wend(s, put(s, actor, &firm, rec, &id, err), err) : rc;
}

ra_status sq_firm_code_id(ra_store *s, const char *firm, const char *sql, const char *code,
                          const char *what, int64_t *id, ra_err *err)
{
    *id = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_code_id(s, sql, f.id, code, id, err);
    if (rc == RA_OK && !*id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no %s %s in firm %s", what, code, firm);
    return rc;
}

void sq_head_forget(ra_store *s)
{
    memset(&s->head, 0, sizeof s->head);
    s->depth = 0;
}

/* Commits the transaction with the audit head written back first; a failure rolls it back. */
static ra_status commit_all(ra_store *s, ra_err *err)
{
    ra_status rc = rs_head_flush(s, err);
    if (rc == RA_OK)
        rc = s->ops->commit(s->db, err);
    else {
        ra_err keep = {0};
        (void)s->ops->rollback(s->db, &keep);
    }
    sq_head_forget(s);
    return rc;
}

ra_status sq_wbegin(ra_store *s, ra_err *err)
{
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    if (s->in_txn) { /* pipelined on PostgreSQL: checked with the scope's first reply */
        if (s->depth >= STORE_MAX_SCOPES)
            return ra_err_set(err, RA_EINTERNAL, NULL, "write scopes nested deeper than %d",
                              STORE_MAX_SCOPES);
        s->saved[s->depth++] = s->head;
        rc = s->ops->exec_deferred(s->db, "SAVEPOINT ra_write", err);
        if (rc != RA_OK)
            s->depth--;
        return rc;
    }
    sq_head_forget(s);
    return s->ops->begin(s->db, err);
}

ra_status sq_wend(ra_store *s, ra_status rc, ra_err *err)
{
    audit_tip saved = s->in_txn && s->depth > 0 ? s->saved[--s->depth] : s->head;
    if (rc == RA_OK) {
        if (!s->in_txn)
            return commit_all(s, err); /* a failed commit leaves nothing behind */
        /* the release reads the results of pipelined writes: on an error undo the scope */
        rc = s->ops->exec(s->db, "RELEASE SAVEPOINT ra_write", err);
        if (rc == RA_OK)
            return rc;
    }
    ra_err keep = {0};
    if (s->in_txn) {
        (void)s->ops->exec(s->db, "ROLLBACK TO SAVEPOINT ra_write; RELEASE SAVEPOINT ra_write",
                           &keep);
        s->head = saved; /* the scope's audit records are gone */
    } else {
        (void)s->ops->rollback(s->db, &keep);
        sq_head_forget(s);
    }
    return rc;
}

ra_status ra_store_read_begin(ra_store *s, ra_err *err)
{
    if (s->in_txn || s->in_read)
        return ra_err_set(err, RA_EINVAL, NULL, "a transaction is already open");
    ra_status rc = s->ops->begin_read(s->db, err);
    if (rc == RA_OK) {
        s->in_read = 1;
        if (!s->memo)
            s->memo = ra_calloc(1, sizeof *s->memo); /* NULL: no memo, every look-up read */
        if (s->memo)
            s->memo->firm_code[0] = 0;
    }
    return rc;
}

void ra_store_read_end(ra_store *s)
{
    if (!s || !s->in_read)
        return;
    s->in_read = 0;
    if (s->memo)
        s->memo->firm_code[0] = 0;
    ra_err ignored = {0}; /* nothing was written: a failed end loses nothing */
    (void)s->ops->rollback(s->db, &ignored);
}

ra_status ra_store_begin(ra_store *s, ra_err *err)
{
    if (s->in_txn || s->in_read)
        return ra_err_set(err, RA_EINVAL, NULL, "a transaction is already open");
    sq_head_forget(s);
    ra_status rc = s->ops->begin(s->db, err);
    if (rc == RA_OK)
        s->in_txn = 1;
    return rc;
}

ra_status ra_store_commit(ra_store *s, ra_err *err)
{
    if (!s->in_txn)
        return ra_err_set(err, RA_EINVAL, NULL, "no transaction is open");
    s->in_txn = 0;
    return commit_all(s, err);
}

ra_status ra_store_rollback(ra_store *s, ra_err *err)
{
    s->in_txn = 0;
    s->in_read = 0;
    sq_head_forget(s);
    return s->ops->rollback(s->db, err);
}

ra_status ra_store_exec_raw(ra_store *s, const char *sql, ra_err *err)
{
    sq_cache_clear(s);
    return s->ops->exec(s->db, sql, err);
}

/* --- firms, advisors, households, clients ---------------------------------------------------- */

ra_status sq_check_actor(const ra_store_actor *a, ra_err *err)
{
    if (!a)
        return ra_err_set(err, RA_EINVAL, NULL, "no actor given for the audit trail");
    ra_status rc = sq_check_str(a->user, RA_CODE_MAX, "user", 1, err);
    return rc == RA_OK ? sq_check_str(a->firm, RA_CODE_MAX, "firm", 1, err) : rc;
}

ra_status sq_firm(ra_store *s, const char *code, firm_row *f, ra_err *err)
{
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    if (s->in_read && s->memo && s->memo->firm_code[0] && strcmp(s->memo->firm_code, code) == 0) {
        *f = s->memo->firm;
        return RA_OK;
    }
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, "SELECT id, minor_digits, currency FROM firms WHERE code = ?",
                     "t", code);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no firm %s", code);
    f->id = sq_int(s, st, 0);
    f->minor_digits = (int)sq_int(s, st, 1);
    sq_copy(f->currency, sizeof f->currency, sq_text(s, st, 2));
    s->ops->reset(st);
    if (s->in_read && s->memo && strlen(code) < sizeof s->memo->firm_code) {
        s->memo->firm = *f;
        memcpy(s->memo->firm_code, code, strlen(code) + 1);
    }
    return RA_OK;
}

ra_status sq_one(ra_store *s, ra_db_stmt *st, int64_t dflt, int64_t *v, ra_err *err)
{
    int r = s->ops->step(st, err);
    if (r < 0)
        return sq_err(err);
    *v = r == RA_DB_ROW ? sq_int(s, st, 0) : dflt;
    s->ops->reset(st);
    return RA_OK;
}

ra_status sq_count(ra_store *s, const char *sql, int64_t param, int64_t *v, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, sql, err);
    if (!st || sq_bind(s, st, err, "i", param) != RA_OK)
        return sq_err(err);
    return sq_one(s, st, 0, v, err);
}

ra_status sq_code_id(ra_store *s, const char *sql, int64_t firm_id, const char *code,
                     int64_t *id, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, sql, err);
    if (!st || sq_bind(s, st, err, "it", firm_id, code) != RA_OK)
        return sq_err(err);
    return sq_one(s, st, 0, id, err);
}

ra_db_stmt *sq_vprepare_new(ra_store *s, ra_err *err, const char *sql, const char *fmt,
                            va_list ap)
{
    ra_db_stmt *st = NULL;
    if (s->ops->prepare(s->db, sql, &st, err) != RA_OK)
        return NULL;
    ra_status rc = RA_OK;
    for (int i = 0; fmt[i] && rc == RA_OK; i++) {
        if (fmt[i] == 'i') {
            rc = s->ops->bind_int64(st, i + 1, va_arg(ap, int64_t), err);
        } else if (fmt[i] == 'd') {
            double v = va_arg(ap, double);
            rc = isfinite(v) ? s->ops->bind_double(st, i + 1, v, err)
                             : s->ops->bind_null(st, i + 1, err);
        } else {
            rc = s->ops->bind_text(st, i + 1, va_arg(ap, const char *), err);
        }
    }
    if (rc != RA_OK) {
        s->ops->finalize(st);
        return NULL;
    }
    return st;
}

ra_db_stmt *sq_prepare_new(ra_store *s, ra_err *err, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_db_stmt *st = sq_vprepare_new(s, err, sql, fmt, ap);
    va_end(ap);
    return st;
}

ra_status sq_finish(ra_store *s, ra_db_stmt *st, ra_err *err)
{
    if (!st)
        return sq_err(err);
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW)
        ;
    s->ops->finalize(st);
    return r < 0 ? sq_err(err) : RA_OK;
}

ra_status sq_need_version(ra_store *s, int version, const char *what, ra_err *err)
{
    if (s->schema_version >= version) /* as read at open or since: versions only go up */
        return RA_OK;
    int have = 0, want = 0;
    ra_status rc = ra_store_schema_version(s, &have, &want, err);
    if (rc == RA_OK && have < version)
        rc = ra_err_set(err, RA_EINVAL, NULL,
                        "the database has no %s tables (schema version %d, need %d): run "
                        "roboadvisor init",
                        what, have, version);
    return rc;
}

ra_status sq_id_of(ra_store *s, const char *sql, int64_t firm_id, const char *code,
                   const char *what, int64_t *id, ra_err *err)
{
    ra_status rc = sq_code_id(s, sql, firm_id, code, id, err);
    if (rc == RA_OK && !*id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no %s %s", what, code);
    return rc;
}

ra_status sq_firm_id(ra_store *s, const char *firm, int64_t *id, ra_err *err)
{
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    *id = rc == RA_OK ? f.id : 0;
    return rc;
}

ra_status sq_write_begin(ra_store *s, const ra_store_actor *actor, size_t n, void *stats,
                         void *local, size_t size, sq_writer *w, ra_err *err)
{
    memset(w, 0, sizeof *w);
    w->stats = sq_stats(stats, local, size);
    w->stats_size = size;
    ra_status rc = sq_write_start(s, actor, &w->firm, err);
    if (rc != RA_OK || n == 0)
        return rc;
    rc = sq_wbegin(s, err);
    w->opened = rc == RA_OK;
    return rc;
}

ra_status sq_write_end(ra_store *s, sq_writer *w, ra_status rc, ra_err *err)
{
    rc = sq_wend(s, rc, err);
    if (rc != RA_OK)
        memset(w->stats, 0, w->stats_size);
    return rc;
}

ra_status sq_write_start(ra_store *s, const ra_store_actor *actor, firm_row *firm, ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    return rc == RA_OK ? sq_firm(s, actor->firm, firm, err) : rc;
}

ra_status sq_scope_write_begin(ra_store *s, const ra_store_actor *actor, int version,
                               const char *what, firm_row *firm, int *own, ra_err *err)
{
    *own = 0;
    ra_status rc = sq_need_version(s, version, what, err);
    if (rc == RA_OK)
        rc = sq_write_start(s, actor, firm, err);
    return rc == RA_OK ? ra_store_scope_begin(s, own, err) : rc;
}

const char SQ_ADVISOR_ID[] = "SELECT id FROM advisors WHERE firm_id = ? AND code = ?";
const char SQ_HOUSEHOLD_ID[] = "SELECT id FROM households WHERE firm_id = ? AND code = ?";
const char SQ_CLIENT_ID[] = "SELECT id FROM clients WHERE firm_id = ? AND code = ?";
const char SQ_ACCOUNT_ID[] = "SELECT id FROM accounts WHERE firm_id = ? AND code = ?";
const char SQ_SECURITY_ID[] = "SELECT id FROM securities WHERE firm_id = ? AND ticker = ?";

/* --- for the store's other files (store_int.h) ------------------------------------------------ */

ra_db *ra_store_db(ra_store *s) { return s->db; }

int ra_store_in_txn(const ra_store *s) { return s->in_txn; }

ra_status ra_store_scope_begin(ra_store *s, int *own, ra_err *err)
{
    *own = 0;
    if (!s->in_txn) {
        ra_status rc = ra_store_begin(s, err);
        *own = rc == RA_OK;
        return rc;
    }
    return sq_wbegin(s, err);
}

ra_status ra_store_scoped(ra_store *s, const ra_store_actor *actor,
                          ra_status (*fn)(ra_store *s, const ra_store_actor *actor, void *ctx,
                                          ra_err *err),
                          void *ctx, ra_err *err)
{
    int own = 0;
    ra_status rc = ra_store_scope_begin(s, &own, err);
    return rc == RA_OK ? ra_store_scope_end(s, own, fn(s, actor, ctx, err), err) : rc;
}

ra_status ra_store_scope_end(ra_store *s, int own, ra_status rc, ra_err *err)
{
    if (!own)
        return sq_wend(s, rc, err);
    if (rc == RA_OK)
        return ra_store_commit(s, err);
    ra_err keep = {0};
    (void)ra_store_rollback(s, &keep);
    return rc;
}

static int cmp_id_index(const void *a, const void *b)
{
    int64_t x = ((const rs_id_index *)a)->id, y = ((const rs_id_index *)b)->id;
    return (x > y) - (x < y);
}

void rs_id_index_sort(rs_id_index *m, size_t n)
{
    if (n)
        qsort(m, n, sizeof *m, cmp_id_index);
}

uint32_t rs_id_index_find(const rs_id_index *m, size_t n, int64_t id)
{
    rs_id_index key = {id, 0};
    const rs_id_index *f = n ? bsearch(&key, m, n, sizeof *m, cmp_id_index) : NULL;
    return f ? f->index : UINT32_MAX;
}

/* --- lists of records ------------------------------------------------------------------------- */

void *rs_vec_push(rs_vec *l)
{
    if (ra_grow(&l->v, &l->cap, l->n + 1, l->elem))
        return NULL;
    void *x = (char *)l->v + l->n++ * l->elem;
    memset(x, 0, l->elem);
    return x;
}

ra_status rs_list_begin(ra_store *s, const char *firm, int version, const char *what, void *out,
                        size_t *n, firm_row *f, ra_err *err)
{
    *(void **)out = NULL;
    *n = 0;
    ra_status rc = sq_need_version(s, version, what, err);
    return rc == RA_OK ? sq_firm(s, firm, f, err) : rc;
}

ra_status rs_list_end(ra_status rc, rs_vec *l, void *out, size_t *n)
{
    if (rc != RA_OK) {
        ra_free(l->v);
        return rc;
    }
    *(void **)out = l->v;
    *n = l->n;
    return RA_OK;
}
