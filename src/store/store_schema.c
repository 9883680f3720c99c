/* roboadvisor store: open, close, schema version and migrations (store.h). */
#include "store/store_int.h"

#include <stdint.h>

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- open, migrations ------------------------------------------------------------------------ */

static ra_status read_version(ra_store *s, int *have, ra_err *err)
{
    ra_status rc = s->ops->exec(s->db,
                                "CREATE TABLE IF NOT EXISTS ra_schema (version INTEGER PRIMARY KEY, "
                                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                                err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT COALESCE(MAX(version), 0) FROM ra_schema", err);
    int64_t v = 0;
    rc = st ? sq_one(s, st, 0, &v, err) : sq_err(err);
    *have = (int)v;
    return rc;
}

static int want_version(void)
{
    return ra_store_n_migrations ? ra_store_migrations[ra_store_n_migrations - 1].version : 0;
}

ra_status ra_store_open(const char *url, const ra_store_options *opts, ra_store **out,
                        ra_err *err)
{
    *out = NULL;
    if (!url || !*url)
        return ra_err_set(err, RA_EINVAL, NULL, "no database given (--db or ROBOADVISOR_DB)");
    if (sodium_init() < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "could not initialise libsodium");
    ra_store_options def;
    ra_store_options_default(&def);
    if (!opts)
        opts = &def;
    ra_db_open_options o = {opts->busy_timeout_ms, opts->create};
    ra_store *s = ra_calloc(1, sizeof *s);
    if (!s)
        return sq_nomem(err, "a store");
    s->clock = opts->clock;
    s->clock_ctx = opts->clock_ctx;
    ra_status rc;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        rc = ra_db_pg_open(url, &o, &s->db, err);
    else
        rc = ra_db_sqlite_open(url, &o, &s->db, err);
    if (rc != RA_OK) {
        ra_free(s);
        return rc;
    }
    s->ops = s->db->ops;
    int have = 0;
    rc = read_version(s, &have, err);
    if (rc == RA_OK && have > want_version())
        rc = ra_err_set(err, RA_ECONFLICT, NULL,
                        "the database schema version %d is newer than this program knows (%d): "
                        "upgrade roboadvisor",
                        have, want_version());
    if (rc != RA_OK) {
        ra_store_close(s);
        return rc;
    }
    s->schema_version = have;
    *out = s;
    return RA_OK;
}

void ra_store_close(ra_store *s)
{
    if (!s)
        return;
    if (s->in_txn)
        (void)ra_store_rollback(s, NULL);
    sq_cache_clear(s);
    rs_state_free(s);
    s->ops->close(s->db);
    if (s->keys)
        sodium_memzero(s->keys, s->cap_keys * sizeof *s->keys);
    ra_free(s->keys);
    ra_free(s->memo);
    ra_free(s);
}

ra_status ra_store_schema_version(ra_store *s, int *have, int *want, ra_err *err)
{
    int h = 0;
    ra_status rc = read_version(s, &h, err);
    if (rc != RA_OK)
        return rc;
    if (have)
        *have = h;
    if (want)
        *want = want_version();
    return RA_OK;
}

/* The migration's SQL with the backend's placeholders substituted (malloc'd). */
static char *substitute(const ra_db_ops *ops, const char *sql)
{
    static const char *const keys[] = {"{ID}", "{BLOB}", "{REAL}", "{WITHOUT_ROWID}"};
    const char *vals[] = {ops->id_type, ops->blob_type, ops->real_type, ops->without_rowid};
    size_t cap = strlen(sql) * 2 + 64, len = 0;
    char *out = ra_malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = sql; *p;) {
        size_t k = 0;
        for (; k < 4; k++)
            if (strncmp(p, keys[k], strlen(keys[k])) == 0)
                break;
        const char *add = k < 4 ? vals[k] : p;
        size_t n = k < 4 ? strlen(vals[k]) : 1;
        if (len + n + 1 > cap) {
            cap = (cap + n) * 2;
            char *g = ra_realloc(out, cap);
            if (!g) {
                ra_free(out);
                return NULL;
            }
            out = g;
        }
        memcpy(out + len, add, n);
        len += n;
        p += k < 4 ? strlen(keys[k]) : 1;
    }
    out[len] = 0;
    return out;
}

ra_status ra_store_init(ra_store *s, ra_err *err) { return rs_store_init_to(s, INT32_MAX, err); }

ra_status rs_store_init_to(ra_store *s, int32_t upto, ra_err *err)
{
    if (s->in_txn)
        return ra_err_set(err, RA_EINVAL, NULL, "cannot migrate inside an open transaction");
    for (size_t i = 0; i < ra_store_n_migrations && ra_store_migrations[i].version <= upto; i++) {
        const ra_store_migration *m = &ra_store_migrations[i];
        ra_status rc = s->ops->begin(s->db, err);
        if (rc != RA_OK)
            return rc;
        int have = 0;
        rc = read_version(s, &have, err); /* again inside the lock: another process may migrate */
        if (rc == RA_OK && have >= m->version) {
            (void)s->ops->rollback(s->db, NULL);
            s->schema_version = have;
            continue;
        }
        char *sql = rc == RA_OK ? substitute(s->ops, m->sql) : NULL;
        if (rc == RA_OK && !sql)
            rc = sq_nomem(err, "a migration");
        if (rc == RA_OK) {
            rc = s->ops->exec(s->db, sql, err);
            if (rc == RA_OK && m->version == 7) /* 0007_mandate: the agents merged in C */
                rc = rs_mandate_migrate(s, err);
            if (rc != RA_OK)
                ra_err_wrap(err, "migration %04d_%s", m->version, m->name);
        }
        ra_free(sql);
        if (rc == RA_OK) {
            ra_db_stmt *st = sq_prep(s, "INSERT INTO ra_schema (version, name, applied_at) "
                                  "VALUES (?, ?, ?)", err);
            rc = st ? sq_bind(s, st, err, "iti", (int64_t)m->version, m->name, ra_store_now(s))
                    : sq_err(err);
            if (rc == RA_OK)
                rc = sq_run(s, st, err);
        }
        if (rc == RA_OK)
            rc = s->ops->commit(s->db, err);
        if (rc != RA_OK) {
            (void)s->ops->rollback(s->db, NULL);
            return rc;
        }
        s->schema_version = m->version;
    }
    return RA_OK;
}

