/* roboadvisor: the store (store.h), written once on top of the driver vtable of db.h.
 * Design and schema: docs/internals/store.md; definitions (encryption, audit chain, check,
 * valuation): docs/methodology.md#book-of-record-and-storage. */
#include "store/store_int.h"
#include "store/db.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_STMT_CACHE 96

typedef struct firm_key {
    char firm[RA_CODE_MAX];
    uint8_t key[RA_STORE_KEY_BYTES];
} firm_key;

/* The audit chain's head as this transaction sees it. It is locked and read at the first append
 * of a transaction, kept in memory, and written back once before the commit: appends then cost
 * no head round trip, and PostgreSQL does not build one row version of audit_head per record
 * (which made each update slower than the last in a long transaction). */
#define STORE_MAX_SCOPES 16 /* nested write scopes inside one transaction */

typedef struct audit_tip {
    int valid, dirty;
    int64_t seq;
    char hash[65];
} audit_tip;

struct ra_store {
    ra_db *db;
    const ra_db_ops *ops;
    int in_txn;          /* explicit transaction open */
    int schema_version;
    firm_key *keys;      /* sodium_malloc'd? plain, wiped at close */
    size_t n_keys, cap_keys;
    ra_store_key_fn key_fn;
    void *key_ctx;
    struct {
        const char *sql;
        ra_db_stmt *st;
    } cache[N_STMT_CACHE];
    size_t n_cache;
    int stage_ready;
    size_t open_chunk; /* test hook: accounts per round of the bulk opening (0: OPEN_CHUNK) */
    audit_tip head; /* the chain head inside the open transaction */
    /* the head as it was at each open savepoint (write scopes nest: a module's scope around the
     * store's own), restored when the savepoint is rolled back */
    audit_tip saved[STORE_MAX_SCOPES];
    int depth;
};

/* --- small helpers --------------------------------------------------------------------------- */

void ra_store_options_default(ra_store_options *o)
{
    o->busy_timeout_ms = 5000;
    o->create = 1;
}

const char *ra_store_default_url(const char *url)
{
    if (url && *url)
        return url;
    const char *env = getenv("ROBOADVISOR_DB");
    return env && *env ? env : "roboadvisor.db";
}

const char *ra_store_backend(const ra_store *s) { return s->ops->name; }

void ra_store_free(void *p) { free(p); }

static ra_status nomem(ra_err *err, const char *what)
{
    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %s", what);
}

/* The status of a failed database call: the code it set in err (RA_EIO when err is NULL). */
static ra_status dberr(const ra_err *err) { return err ? err->code : RA_EIO; }

/* A prepared statement for sql (a string literal: cached by address), reset and ready. */
static ra_db_stmt *q(ra_store *s, const char *sql, ra_err *err)
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

static void cache_clear(ra_store *s)
{
    for (size_t i = 0; i < s->n_cache; i++)
        s->ops->finalize(s->cache[i].st);
    s->n_cache = 0;
}

/* Binds parameters 1.. from a format: i int64, d double, t text, b blob (ptr, size_t), n null,
 * N int64 or NULL if 0. */
static ra_status bindf(ra_store *s, ra_db_stmt *st, ra_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
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
    va_end(ap);
    return rc;
}

/* Runs a write whose rows and change count are not needed. On PostgreSQL it is pipelined: sent
 * at once, its result read with the next reply the store waits for (db.h, run_deferred), so a
 * batch of writes costs one round trip instead of one each. */
static ra_status run(ra_store *s, ra_db_stmt *st, ra_err *err)
{
    return s->ops->run_deferred(st, err);
}

/* Runs a statement to completion now (for changes()). */
static ra_status run_now(ra_store *s, ra_db_stmt *st, ra_err *err)
{
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW)
        ;
    return r < 0 ? dberr(err) : RA_OK;
}

static int64_t ci(ra_store *s, ra_db_stmt *st, int c) { return s->ops->col_int64(st, c); }
static const char *ct(ra_store *s, ra_db_stmt *st, int c) { return s->ops->col_text(st, c); }

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static ra_status check_str(const char *v, size_t cap, const char *field, int required,
                           ra_err *err)
{
    size_t n = strnlen(v, cap);
    if (n == cap)
        return ra_err_set(err, RA_EINVAL, NULL, "%s is longer than %zu bytes", field, cap - 1);
    if (required && n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "%s is empty", field);
    return RA_OK;
}

/* --- write scopes: a transaction of its own, or a savepoint inside the caller's ------------- */

static ra_status need_schema(ra_store *s, ra_err *err)
{
    if (s->schema_version == 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the database is not initialised (run roboadvisor init)");
    return RA_OK;
}

static ra_status head_flush(ra_store *s, ra_err *err);

/* Room for element n of a growing array of elem-byte elements, *cap allocated (doubling, from
 * first): the array, perhaps moved, or NULL when out of memory (the old array is then still valid
 * and the caller frees it). */
static void *grow(void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? 2 * *cap : first;
    void *g = realloc(v, c * elem);
    if (g)
        *cap = c;
    return g;
}

static void head_forget(ra_store *s)
{
    memset(&s->head, 0, sizeof s->head);
    s->depth = 0;
}

/* Commits the transaction with the audit head written back first; a failure rolls it back. */
static ra_status commit_all(ra_store *s, ra_err *err)
{
    ra_status rc = head_flush(s, err);
    if (rc == RA_OK)
        rc = s->ops->commit(s->db, err);
    else {
        ra_err keep = {0};
        (void)s->ops->rollback(s->db, &keep);
    }
    head_forget(s);
    return rc;
}

static ra_status wbegin(ra_store *s, ra_err *err)
{
    ra_status rc = need_schema(s, err);
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
    head_forget(s);
    return s->ops->begin(s->db, err);
}

static ra_status wend(ra_store *s, ra_status rc, ra_err *err)
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
        head_forget(s);
    }
    return rc;
}

ra_status ra_store_begin(ra_store *s, ra_err *err)
{
    if (s->in_txn)
        return ra_err_set(err, RA_EINVAL, NULL, "a transaction is already open");
    head_forget(s);
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
    head_forget(s);
    return s->ops->rollback(s->db, err);
}

ra_status ra_store_exec_raw(ra_store *s, const char *sql, ra_err *err)
{
    cache_clear(s);
    return s->ops->exec(s->db, sql, err);
}

/* --- open, migrations ------------------------------------------------------------------------ */

static ra_status read_version(ra_store *s, int *have, ra_err *err)
{
    ra_status rc = s->ops->exec(s->db,
                                "CREATE TABLE IF NOT EXISTS ra_schema (version INTEGER PRIMARY KEY, "
                                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                                err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT COALESCE(MAX(version), 0) FROM ra_schema", err);
    if (!st)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    *have = r == RA_DB_ROW ? (int)ci(s, st, 0) : 0;
    s->ops->reset(st);
    return RA_OK;
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
    ra_store *s = calloc(1, sizeof *s);
    if (!s)
        return nomem(err, "a store");
    ra_status rc;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        rc = ra_db_pg_open(url, &o, &s->db, err);
    else
        rc = ra_db_sqlite_open(url, &o, &s->db, err);
    if (rc != RA_OK) {
        free(s);
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
    cache_clear(s);
    s->ops->close(s->db);
    if (s->keys)
        sodium_memzero(s->keys, s->cap_keys * sizeof *s->keys);
    free(s->keys);
    free(s);
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
    char *out = malloc(cap);
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
            char *g = realloc(out, cap);
            if (!g) {
                free(out);
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

ra_status ra_store_init(ra_store *s, ra_err *err)
{
    if (s->in_txn)
        return ra_err_set(err, RA_EINVAL, NULL, "cannot migrate inside an open transaction");
    for (size_t i = 0; i < ra_store_n_migrations; i++) {
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
            rc = nomem(err, "a migration");
        if (rc == RA_OK) {
            rc = s->ops->exec(s->db, sql, err);
            if (rc != RA_OK)
                ra_err_wrap(err, "migration %04d_%s", m->version, m->name);
        }
        free(sql);
        if (rc == RA_OK) {
            ra_db_stmt *st = q(s, "INSERT INTO ra_schema (version, name, applied_at) "
                                  "VALUES (?, ?, ?)", err);
            rc = st ? bindf(s, st, err, "iti", (int64_t)m->version, m->name, (int64_t)time(NULL))
                    : dberr(err);
            if (rc == RA_OK)
                rc = run(s, st, err);
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

/* --- a growable text buffer for JSON and canonical bytes ------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *g = realloc(b->p, cap);
        if (!g) {
            b->failed = 1;
            return;
        }
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_fmt(sbuf *b, const char *fmt, ...) RA_PRINTF(2, 3);
static void sb_fmt(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->failed = 1;
        return;
    }
    sb_add(b, tmp, (size_t)n);
}

static void sb_json_str(sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            sb_add(b, e, 2);
        } else if (*p < 0x20) {
            sb_fmt(b, "\\u%04x", *p);
        } else {
            sb_add(b, p, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* JSON object members: call with the separator handled by the caller's first flag. */
static void jkey(sbuf *b, const char *k)
{
    if (b->len && b->p[b->len - 1] != '{' && b->p[b->len - 1] != '[')
        sb_add(b, ",", 1);
    sb_json_str(b, k);
    sb_add(b, ":", 1);
}
static void jstr(sbuf *b, const char *k, const char *v) { jkey(b, k); sb_json_str(b, v); }
/* An integer in decimal, without printf (JSON and canonical texts of bulk paths). */
static void sb_int(sbuf *b, int64_t v)
{
    char d[24];
    size_t n = sizeof d;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        d[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        d[--n] = '-';
    sb_add(b, d + n, sizeof d - n);
}

static void jint(sbuf *b, const char *k, int64_t v) { jkey(b, k); sb_int(b, v); }

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double (0.05, not
 * 0.050000000000000003). */
static void jdbl(sbuf *b, const char *k, double v)
{
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (prec == 17 || strtod(t, NULL) == v)
            break;
    }
    jkey(b, k);
    sb_str(b, t);
}
static void jhex(sbuf *b, const char *k, const uint8_t *p, size_t n)
{
    jkey(b, k);
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++)
        sb_fmt(b, "%02x", p[i]);
    sb_add(b, "\"", 1);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* --- keys and personal data ------------------------------------------------------------------ */

ra_status ra_store_key_generate(uint8_t key[RA_STORE_KEY_BYTES], ra_err *err)
{
    if (sodium_init() < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "could not initialise libsodium");
    randombytes_buf(key, RA_STORE_KEY_BYTES);
    return RA_OK;
}

ra_status ra_store_key_parse(const char *hex, size_t len, uint8_t key[RA_STORE_KEY_BYTES],
                             ra_err *err)
{
    while (len && (hex[0] == ' ' || hex[0] == '\t' || hex[0] == '\n' || hex[0] == '\r')) {
        hex++;
        len--;
    }
    while (len && (hex[len - 1] == ' ' || hex[len - 1] == '\t' || hex[len - 1] == '\n' ||
                   hex[len - 1] == '\r'))
        len--;
    if (len != 2 * RA_STORE_KEY_BYTES)
        return ra_err_set(err, RA_EPARSE, NULL, "a key is 64 hexadecimal digits, got %zu "
                          "characters", len);
    for (size_t i = 0; i < RA_STORE_KEY_BYTES; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                sodium_memzero(key, RA_STORE_KEY_BYTES);
                return ra_err_set(err, RA_EPARSE, NULL, "a key is 64 hexadecimal digits: "
                                  "character %zu is not one", 2 * i + (size_t)k + 1);
            }
            v = v * 16 + d;
        }
        key[i] = (uint8_t)v;
    }
    return RA_OK;
}

char *ra_store_key_format(const uint8_t key[RA_STORE_KEY_BYTES], char buf[65])
{
    hex_of(key, RA_STORE_KEY_BYTES, buf);
    return buf;
}

/* The keyed check value stored with a firm: proves a key is the firm's without storing it. */
static void key_check(const char *firm, const uint8_t key[RA_STORE_KEY_BYTES], char out[65])
{
    static const char label[] = "roboadvisor firm key check v1";
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, RA_STORE_KEY_BYTES, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label);
    crypto_generichash_update(&st, (const uint8_t *)firm, strlen(firm));
    crypto_generichash_final(&st, h, sizeof h);
    hex_of(h, sizeof h, out);
}

static ra_status stored_key_check(ra_store *s, const char *firm, char out[65], int *found,
                                  ra_err *err)
{
    *found = 0;
    if (s->schema_version == 0)
        return RA_OK;
    ra_db_stmt *st = q(s, "SELECT key_check FROM firms WHERE code = ?", err);
    if (!st || bindf(s, st, err, "t", firm) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_ROW) {
        copy_str(out, 65, ct(s, st, 0));
        *found = 1;
    }
    s->ops->reset(st);
    return RA_OK;
}

static ra_status cache_key(ra_store *s, const char *firm, const uint8_t key[RA_STORE_KEY_BYTES],
                           ra_err *err)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i].firm, firm) == 0) {
            memcpy(s->keys[i].key, key, RA_STORE_KEY_BYTES);
            return RA_OK;
        }
    if (s->n_keys == s->cap_keys) {
        size_t cap = s->cap_keys ? 2 * s->cap_keys : 4;
        firm_key *g = calloc(cap, sizeof *g);
        if (!g)
            return nomem(err, "a key");
        if (s->keys) {
            memcpy(g, s->keys, s->n_keys * sizeof *g);
            sodium_memzero(s->keys, s->cap_keys * sizeof *s->keys);
            free(s->keys);
        }
        s->keys = g;
        s->cap_keys = cap;
    }
    copy_str(s->keys[s->n_keys].firm, RA_CODE_MAX, firm);
    memcpy(s->keys[s->n_keys].key, key, RA_STORE_KEY_BYTES);
    s->n_keys++;
    return RA_OK;
}

static ra_status verify_key(ra_store *s, const char *firm, const uint8_t key[RA_STORE_KEY_BYTES],
                            ra_err *err)
{
    char stored[65], mine[65];
    int found = 0;
    ra_status rc = stored_key_check(s, firm, stored, &found, err);
    if (rc != RA_OK)
        return rc;
    if (found) {
        key_check(firm, key, mine);
        if (sodium_memcmp(mine, stored, 64) != 0)
            return ra_err_set(err, RA_ECONFLICT, NULL, "the key does not match firm %s", firm);
    }
    return RA_OK;
}

ra_status ra_store_set_firm_key(ra_store *s, const char *firm,
                                const uint8_t key[RA_STORE_KEY_BYTES], ra_err *err)
{
    ra_status rc = check_str(firm, RA_CODE_MAX, "firm code", 1, err);
    if (rc == RA_OK)
        rc = verify_key(s, firm, key, err);
    return rc == RA_OK ? cache_key(s, firm, key, err) : rc;
}

void ra_store_set_key_provider(ra_store *s, ra_store_key_fn fn, void *ctx)
{
    s->key_fn = fn;
    s->key_ctx = ctx;
}

static ra_status get_key(ra_store *s, const char *firm, const uint8_t **key, ra_err *err)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i].firm, firm) == 0) {
            *key = s->keys[i].key;
            return RA_OK;
        }
    if (!s->key_fn)
        return ra_err_set(err, RA_EINVAL, NULL, "no personal-data key for firm %s (give a key "
                          "file or ROBOADVISOR_KEY)", firm);
    uint8_t k[RA_STORE_KEY_BYTES];
    ra_status rc = s->key_fn(s->key_ctx, firm, k, err);
    if (rc == RA_OK)
        rc = ra_store_set_firm_key(s, firm, k, err);
    sodium_memzero(k, sizeof k);
    if (rc != RA_OK)
        return rc;
    return get_key(s, firm, key, err);
}

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define ENC_MAX (NONCE_BYTES + RA_PII_MAX + TAG_BYTES)

/* Associated data: firm, kind, code and field, so a ciphertext cannot be moved to another record
 * or field without failing authentication. */
static size_t make_ad(char *ad, size_t cap, const char *firm, const char *kind, const char *code,
                      const char *field)
{
    int n = snprintf(ad, cap, "%s\x1f%s\x1f%s\x1f%s", firm, kind, code, field);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* out (ENC_MAX bytes) = nonce || ciphertext+tag; *n its length. */
static void encrypt_field(const uint8_t *key, const char *firm, const char *kind, const char *code,
                          const char *field, const char *plain, uint8_t *out, size_t *n)
{
    char ad[4 * RA_CODE_MAX + 8];
    size_t adn = make_ad(ad, sizeof ad, firm, kind, code, field);
    size_t len = strnlen(plain, RA_PII_MAX - 1);
    randombytes_buf(out, NONCE_BYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_BYTES, &clen, (const uint8_t *)plain,
                                               len, (const uint8_t *)ad, adn, NULL, out, key);
    *n = NONCE_BYTES + (size_t)clen;
}

static ra_status decrypt_field(const uint8_t *key, const char *firm, const char *kind,
                               const char *code, const char *field, const uint8_t *in, size_t n,
                               char *out, ra_err *err)
{
    char ad[4 * RA_CODE_MAX + 8];
    size_t adn = make_ad(ad, sizeof ad, firm, kind, code, field);
    unsigned long long plen = 0;
    if (n < NONCE_BYTES + TAG_BYTES || n - NONCE_BYTES - TAG_BYTES >= RA_PII_MAX ||
        crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)out, &plen, NULL, in + NONCE_BYTES,
                                                   n - NONCE_BYTES, (const uint8_t *)ad, adn, in,
                                                   key) != 0) {
        out[0] = 0;
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "could not decrypt the %s of %s %s (firm %s): wrong key or altered data",
                          field, kind, code, firm);
    }
    out[plen] = 0;
    return RA_OK;
}

/* --- audit trail ----------------------------------------------------------------------------- */

static void canon_field(crypto_generichash_state *h, const char *v)
{
    uint32_t n = (uint32_t)strlen(v);
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, len, 4);
    crypto_generichash_update(h, (const uint8_t *)v, n);
}

/* hash = BLAKE2b-256(prev_hash_hex || canonical record): every field (seq and time in decimal)
 * as a 4-byte big-endian length and its bytes, in column order. */
static void audit_hash(const char *prev_hex, int64_t seq, int64_t at, const char *user,
                       const char *firm, const char *action, const char *entity,
                       const char *entity_id, const char *before, const char *after,
                       char out[65])
{
    char num[32];
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    canon_field(&st, prev_hex);
    snprintf(num, sizeof num, "%lld", (long long)seq);
    canon_field(&st, num);
    snprintf(num, sizeof num, "%lld", (long long)at);
    canon_field(&st, num);
    canon_field(&st, user);
    canon_field(&st, firm);
    canon_field(&st, action);
    canon_field(&st, entity);
    canon_field(&st, entity_id);
    canon_field(&st, before);
    canon_field(&st, after);
    crypto_generichash_final(&st, h, sizeof h);
    hex_of(h, sizeof h, out);
}

/* The chain head for the next append: locked (the UPDATE takes audit_head's row lock on
 * PostgreSQL, the write lock is held already on SQLite) and read once per transaction. */
static ra_status head_get(ra_store *s, ra_err *err)
{
    if (s->head.valid)
        return RA_OK;
    ra_db_stmt *st = q(s, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash", err);
    if (!st)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "the audit head is missing");
    s->head.seq = ci(s, st, 0);
    copy_str(s->head.hash, sizeof s->head.hash, ct(s, st, 1));
    s->ops->reset(st);
    s->head.valid = 1;
    s->head.dirty = 0;
    return RA_OK;
}

/* Writes the head back (once per transaction, before its commit). */
static ra_status head_flush(ra_store *s, ra_err *err)
{
    if (!s->head.valid || !s->head.dirty)
        return RA_OK;
    ra_db_stmt *st = q(s, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", err);
    if (!st || bindf(s, st, err, "it", s->head.seq, s->head.hash) != RA_OK ||
        run(s, st, err) != RA_OK)
        return dberr(err);
    s->head.dirty = 0;
    return RA_OK;
}

static ra_status audit(ra_store *s, const ra_store_actor *a, const char *action,
                       const char *entity, const char *entity_id, const char *before,
                       const char *after, ra_err *err)
{
    ra_status rc = head_get(s, err);
    if (rc != RA_OK)
        return rc;
    int64_t seq = s->head.seq + 1;
    char hash[65];
    int64_t at = (int64_t)time(NULL);
    audit_hash(s->head.hash, seq, at, a->user, a->firm, action, entity, entity_id, before, after,
               hash);
    ra_db_stmt *st = q(s, "INSERT INTO audit_log (seq, at, user_name, firm, action, entity, "
                          "entity_id, before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!st || bindf(s, st, err, "iittttttttt", seq, at, a->user, a->firm, action, entity,
                     entity_id, before, after, s->head.hash, hash) != RA_OK ||
        run(s, st, err) != RA_OK)
        return dberr(err);
    s->head.seq = seq;
    memcpy(s->head.hash, hash, sizeof hash);
    s->head.dirty = 1;
    return RA_OK;
}

/* Ends a change: when rc is RA_OK, appends its audit record with the JSON built in before (NULL:
 * "null", nothing was there) and after, RA_ENOMEM if building either failed. Frees both buffers
 * and returns the resulting status. */
static ra_status audit_change(ra_store *s, ra_status rc, const ra_store_actor *actor,
                              const char *action, const char *entity, const char *entity_id,
                              sbuf *before, sbuf *after, ra_err *err)
{
    if (rc == RA_OK && ((before && before->failed) || after->failed))
        rc = nomem(err, "an audit record");
    if (rc == RA_OK)
        rc = audit(s, actor, action, entity, entity_id, before ? before->p : "null", after->p, err);
    if (before) {
        free(before->p);
        before->p = NULL;
    }
    free(after->p);
    after->p = NULL;
    return rc;
}

ra_status ra_store_audit_verify(ra_store *s, uint64_t *n_records, uint64_t *first_bad,
                                ra_err *err)
{
    if (n_records)
        *n_records = 0;
    if (first_bad)
        *first_bad = 0;
    ra_status rc = need_schema(s, err);
    if (rc == RA_OK) /* inside a transaction: the head kept in memory goes to the table first */
        rc = head_flush(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT seq, at, user_name, firm, action, entity, entity_id, "
                          "before_json, after_json, prev_hash, hash FROM audit_log ORDER BY seq",
                       err);
    if (!st)
        return dberr(err);
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t expect = 1;
    uint64_t bad = 0;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        int64_t seq = ci(s, st, 0);
        char h[65];
        if (seq != expect) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            seq > expect ? "audit record %lld is missing (deleted)"
                                         : "audit record %lld is out of sequence",
                            (long long)expect);
            break;
        }
        audit_hash(prev, seq, ci(s, st, 1), ct(s, st, 2), ct(s, st, 3), ct(s, st, 4),
                   ct(s, st, 5), ct(s, st, 6), ct(s, st, 7), ct(s, st, 8), h);
        if (strcmp(ct(s, st, 9), prev) != 0 || strcmp(ct(s, st, 10), h) != 0) {
            bad = (uint64_t)seq;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            "audit record %lld does not match its hash (edited or inserted)",
                            (long long)seq);
            break;
        }
        memcpy(prev, h, sizeof prev);
        expect++;
    }
    s->ops->reset(st);
    if (r < 0)
        return dberr(err);
    if (rc == RA_OK) {
        st = q(s, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
        if (!st)
            return dberr(err);
        r = s->ops->step(st, err);
        if (r < 0)
            return dberr(err);
        if (r != RA_DB_ROW) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "the audit head is missing");
        } else if (ci(s, st, 0) != expect - 1 || strcmp(ct(s, st, 1), prev) != 0) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            ci(s, st, 0) > expect - 1
                                ? "audit record %lld is missing (the newest records were deleted)"
                                : "audit record %lld does not match the chain head",
                            (long long)(ci(s, st, 0) > expect - 1 ? expect : expect - 1));
            if (ci(s, st, 0) <= expect - 1)
                bad = (uint64_t)(expect - 1);
        }
        s->ops->reset(st);
    }
    if (n_records)
        *n_records = (uint64_t)(expect - 1);
    if (first_bad)
        *first_bad = bad;
    return rc;
}

/* --- firms, advisors, households, clients ---------------------------------------------------- */

static ra_status check_actor(const ra_store_actor *a, ra_err *err)
{
    if (!a)
        return ra_err_set(err, RA_EINVAL, NULL, "no actor given for the audit trail");
    ra_status rc = check_str(a->user, RA_CODE_MAX, "user", 1, err);
    return rc == RA_OK ? check_str(a->firm, RA_CODE_MAX, "firm", 1, err) : rc;
}

typedef struct firm_row {
    int64_t id;
    int minor_digits;
    char currency[4];
} firm_row;

static ra_status firm_lookup(ra_store *s, const char *code, firm_row *f, ra_err *err)
{
    ra_status rc = need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT id, minor_digits, currency FROM firms WHERE code = ?", err);
    if (!st || bindf(s, st, err, "t", code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no firm %s", code);
    f->id = ci(s, st, 0);
    f->minor_digits = (int)ci(s, st, 1);
    copy_str(f->currency, sizeof f->currency, ct(s, st, 2));
    s->ops->reset(st);
    return RA_OK;
}

/* The id of a firm-scoped record by code from one of the tables below (0 if none). */
static ra_status code_id(ra_store *s, const char *sql, int64_t firm_id, const char *code,
                         int64_t *id, ra_err *err)
{
    ra_db_stmt *st = q(s, sql, err);
    if (!st || bindf(s, st, err, "it", firm_id, code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    *id = r == RA_DB_ROW ? ci(s, st, 0) : 0;
    s->ops->reset(st);
    return RA_OK;
}

static const char SQL_ADVISOR_ID[] = "SELECT id FROM advisors WHERE firm_id = ? AND code = ?";
static const char SQL_HOUSEHOLD_ID[] = "SELECT id FROM households WHERE firm_id = ? AND code = ?";
static const char SQL_CLIENT_ID[] = "SELECT id FROM clients WHERE firm_id = ? AND code = ?";
static const char SQL_ACCOUNT_ID[] = "SELECT id FROM accounts WHERE firm_id = ? AND code = ?";
static const char SQL_SECURITY_ID[] = "SELECT id FROM securities WHERE firm_id = ? AND ticker = ?";

static void firm_json(sbuf *b, const ra_firm *f)
{
    sb_str(b, "{");
    jstr(b, "code", f->code);
    jstr(b, "name", f->name);
    jstr(b, "currency", f->currency);
    jint(b, "minor_digits", f->minor_digits);
    sb_str(b, "}");
}

ra_status ra_store_firm_put(ra_store *s, const ra_store_actor *actor, const ra_firm *f,
                            ra_err *err)
{
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = check_str(f->code, RA_CODE_MAX, "firm code", 1, err);
    if (rc == RA_OK)
        rc = check_str(f->name, RA_NAME_MAX, "firm name", 0, err);
    if (rc == RA_OK && (strnlen(f->currency, 4) != 3))
        rc = ra_err_set(err, RA_EINVAL, NULL, "firm %s: currency must be 3 letters", f->code);
    if (rc == RA_OK && f->minor_digits != 0 && f->minor_digits != 2 && f->minor_digits != 3)
        rc = ra_err_set(err, RA_EINVAL, NULL, "firm %s: minor digits must be 0, 2 or 3, got %d",
                        f->code, f->minor_digits);
    const uint8_t *key = NULL;
    if (rc == RA_OK)
        rc = get_key(s, f->code, &key, err);
    if (rc != RA_OK)
        return rc;
    if ((rc = wbegin(s, err)) != RA_OK)
        return rc;
    sbuf before = {0}, after = {0};
    ra_firm old;
    ra_err e2;
    ra_status got = ra_store_firm_get(s, f->code, &old, &e2);
    if (got != RA_OK && got != RA_ENOTFOUND) {
        *(err ? err : &e2) = e2;
        rc = got;
    } else if (got == RA_OK && strcmp(old.name, f->name) == 0 &&
               strcmp(old.currency, f->currency) == 0 && old.minor_digits == f->minor_digits) {
        rc = RA_OK; /* unchanged */
    } else {
        char check[65];
        key_check(f->code, key, check);
        ra_db_stmt *st;
        if (got == RA_OK) {
            firm_json(&before, &old);
            st = q(s, "UPDATE firms SET name = ?, currency = ?, minor_digits = ? WHERE code = ?",
                   err);
            rc = st ? bindf(s, st, err, "ttit", f->name, f->currency, (int64_t)f->minor_digits,
                            f->code)
                    : dberr(err);
        } else {
            sb_str(&before, "null");
            st = q(s, "INSERT INTO firms (code, name, currency, minor_digits, key_check) "
                      "VALUES (?, ?, ?, ?, ?)", err);
            rc = st ? bindf(s, st, err, "tttit", f->code, f->name, f->currency,
                            (int64_t)f->minor_digits, check)
                    : dberr(err);
        }
        if (rc == RA_OK)
            rc = run(s, st, err);
        firm_json(&after, f);
        rc = audit_change(s, rc, actor, got == RA_OK ? "update" : "create", "firm", f->code,
                          &before, &after, err);
    }
    free(before.p);
    free(after.p);
    return wend(s, rc, err);
}

ra_status ra_store_firm_get(ra_store *s, const char *code, ra_firm *out, ra_err *err)
{
    ra_status rc = need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT code, name, currency, minor_digits FROM firms WHERE code = ?",
                       err);
    if (!st || bindf(s, st, err, "t", code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no firm %s", code);
    memset(out, 0, sizeof *out);
    copy_str(out->code, sizeof out->code, ct(s, st, 0));
    copy_str(out->name, sizeof out->name, ct(s, st, 1));
    copy_str(out->currency, sizeof out->currency, ct(s, st, 2));
    out->minor_digits = (int)ci(s, st, 3);
    s->ops->reset(st);
    return RA_OK;
}

/* Encrypted personal-data fields of one record. */
typedef struct enc_field {
    const char *name;
    uint8_t data[ENC_MAX];
    size_t n;
} enc_field;

static void fields_json(sbuf *b, const enc_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char k[48];
        snprintf(k, sizeof k, "%s_enc", f[i].name);
        jhex(b, k, f[i].data, f[i].n);
    }
}

static void advisor_json(sbuf *b, const char *code, const enc_field *f)
{
    sb_str(b, "{");
    jstr(b, "code", code);
    fields_json(b, f, 2);
    sb_str(b, "}");
}

/* Reads an advisor row (id 0 if none): the encrypted fields and the plain ones. */
static ra_status advisor_load(ra_store *s, int64_t firm_id, const char *code, int64_t *id,
                              enc_field *f, ra_err *err)
{
    ra_db_stmt *st = q(s, "SELECT id, name_enc, email_enc FROM advisors "
                          "WHERE firm_id = ? AND code = ?", err);
    if (!st || bindf(s, st, err, "it", firm_id, code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    *id = 0;
    if (r == RA_DB_ROW) {
        *id = ci(s, st, 0);
        for (int i = 0; i < 2; i++) {
            size_t n = 0;
            const void *p = s->ops->col_blob(st, 1 + i, &n);
            f[i].n = n <= ENC_MAX ? n : 0;
            if (p && f[i].n)
                memcpy(f[i].data, p, f[i].n);
        }
    }
    s->ops->reset(st);
    return RA_OK;
}

static ra_status advisor_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                                const uint8_t *key, const ra_advisor *a, ra_err *err)
{
    enc_field old[2] = {{"name", {0}, 0}, {"email", {0}, 0}};
    enc_field nw[2] = {{"name", {0}, 0}, {"email", {0}, 0}};
    const char *plain[2] = {a->name, a->email};
    int64_t id = 0;
    ra_status rc = advisor_load(s, firm->id, a->code, &id, old, err);
    if (rc != RA_OK)
        return rc;
    if (id) { /* unchanged? compare plain text */
        int same = 1;
        for (int i = 0; i < 2 && rc == RA_OK; i++) {
            char pt[RA_PII_MAX];
            rc = decrypt_field(key, actor->firm, "advisor", a->code, old[i].name, old[i].data,
                               old[i].n, pt, err);
            same = same && rc == RA_OK && strcmp(pt, plain[i]) == 0;
            sodium_memzero(pt, sizeof pt);
        }
        if (rc != RA_OK || same)
            return rc;
    }
    for (int i = 0; i < 2; i++)
        encrypt_field(key, actor->firm, "advisor", a->code, nw[i].name, plain[i], nw[i].data,
                      &nw[i].n);
    ra_db_stmt *st;
    if (id) {
        st = q(s, "UPDATE advisors SET name_enc = ?, email_enc = ? WHERE id = ?", err);
        rc = st ? bindf(s, st, err, "bbi", nw[0].data, nw[0].n, nw[1].data, nw[1].n, id)
                : dberr(err);
    } else {
        st = q(s, "INSERT INTO advisors (firm_id, code, name_enc, email_enc) VALUES (?, ?, ?, ?)",
               err);
        rc = st ? bindf(s, st, err, "itbb", firm->id, a->code, nw[0].data, nw[0].n, nw[1].data,
                        nw[1].n)
                : dberr(err);
    }
    if (rc == RA_OK)
        rc = run(s, st, err);
    sbuf before = {0}, after = {0};
    if (id)
        advisor_json(&before, a->code, old);
    else
        sb_str(&before, "null");
    advisor_json(&after, a->code, nw);
    return audit_change(s, rc, actor, id ? "update" : "create", "advisor", a->code, &before,
                        &after, err);
}

ra_status ra_store_advisor_put(ra_store *s, const ra_store_actor *actor, const ra_advisor *a,
                               ra_err *err)
{
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = check_str(a->code, RA_CODE_MAX, "advisor code", 1, err);
    if (rc == RA_OK)
        rc = check_str(a->name, RA_PII_MAX, "advisor name", 0, err);
    if (rc == RA_OK)
        rc = check_str(a->email, RA_PII_MAX, "advisor email", 0, err);
    const uint8_t *key = NULL;
    firm_row firm;
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc == RA_OK)
        rc = get_key(s, actor->firm, &key, err);
    if (rc != RA_OK)
        return rc;
    if ((rc = wbegin(s, err)) != RA_OK)
        return rc;
    return wend(s, advisor_put_in(s, actor, &firm, key, a, err), err);
}

ra_status ra_store_advisor_get(ra_store *s, const char *firm, const char *code, ra_advisor *out,
                               ra_err *err)
{
    firm_row f;
    const uint8_t *key = NULL;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = get_key(s, firm, &key, err);
    if (rc != RA_OK)
        return rc;
    enc_field ef[2] = {{"name", {0}, 0}, {"email", {0}, 0}};
    int64_t id = 0;
    if ((rc = advisor_load(s, f.id, code, &id, ef, err)) != RA_OK)
        return rc;
    if (!id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no advisor %s in firm %s", code, firm);
    memset(out, 0, sizeof *out);
    copy_str(out->code, sizeof out->code, code);
    rc = decrypt_field(key, firm, "advisor", code, "name", ef[0].data, ef[0].n, out->name, err);
    if (rc == RA_OK)
        rc = decrypt_field(key, firm, "advisor", code, "email", ef[1].data, ef[1].n, out->email,
                           err);
    if (rc != RA_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

static ra_status household_put_in(ra_store *s, const ra_store_actor *actor, int64_t firm_id,
                                  const char *code, int64_t *id, ra_err *err)
{
    ra_status rc = code_id(s, SQL_HOUSEHOLD_ID, firm_id, code, id, err);
    if (rc != RA_OK || *id)
        return rc;
    ra_db_stmt *st = q(s, "INSERT INTO households (firm_id, code) VALUES (?, ?) RETURNING id",
                       err);
    if (!st || bindf(s, st, err, "it", firm_id, code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "no id returned for household");
    *id = ci(s, st, 0);
    s->ops->reset(st);
    sbuf after = {0};
    sb_str(&after, "{");
    jstr(&after, "code", code);
    sb_str(&after, "}");
    return audit_change(s, RA_OK, actor, "create", "household", code, NULL, &after, err);
}

ra_status ra_store_household_put(ra_store *s, const ra_store_actor *actor, const char *code,
                                 ra_err *err)
{
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = check_str(code, RA_CODE_MAX, "household code", 1, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc != RA_OK || (rc = wbegin(s, err)) != RA_OK)
        return rc;
    int64_t id = 0;
    return wend(s, household_put_in(s, actor, firm.id, code, &id, err), err);
}

#define N_CLIENT_PII 4
static const char *const client_fields[N_CLIENT_PII] = {"name", "email", "tax_id", "address"};

typedef struct client_row {
    int64_t id;
    char household[RA_CODE_MAX];
    char advisor[RA_CODE_MAX];
    int birth_year;
    enc_field f[N_CLIENT_PII];
} client_row;

static ra_status client_load(ra_store *s, int64_t firm_id, const char *code, client_row *c,
                             ra_err *err)
{
    ra_db_stmt *st = q(s, "SELECT c.id, h.code, COALESCE(a.code, ''), c.birth_year, c.name_enc, "
                          "c.email_enc, c.tax_id_enc, c.address_enc FROM clients c "
                          "JOIN households h ON h.id = c.household_id "
                          "LEFT JOIN advisors a ON a.id = c.advisor_id "
                          "WHERE c.firm_id = ? AND c.code = ?", err);
    if (!st || bindf(s, st, err, "it", firm_id, code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    memset(c, 0, sizeof *c);
    for (int i = 0; i < N_CLIENT_PII; i++)
        c->f[i].name = client_fields[i];
    if (r == RA_DB_ROW) {
        c->id = ci(s, st, 0);
        copy_str(c->household, RA_CODE_MAX, ct(s, st, 1));
        copy_str(c->advisor, RA_CODE_MAX, ct(s, st, 2));
        c->birth_year = (int)ci(s, st, 3);
        for (int i = 0; i < N_CLIENT_PII; i++) {
            size_t n = 0;
            const void *p = s->ops->col_blob(st, 4 + i, &n);
            c->f[i].n = n <= ENC_MAX ? n : 0;
            if (p && c->f[i].n)
                memcpy(c->f[i].data, p, c->f[i].n);
        }
    }
    s->ops->reset(st);
    return RA_OK;
}

static void client_json(sbuf *b, const char *code, const client_row *c)
{
    sb_str(b, "{");
    jstr(b, "code", code);
    jstr(b, "household", c->household);
    jstr(b, "advisor", c->advisor);
    jint(b, "birth_year", c->birth_year);
    fields_json(b, c->f, N_CLIENT_PII);
    sb_str(b, "}");
}

static ra_status client_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                               const uint8_t *key, const ra_client *c, ra_err *err)
{
    const char *plain[N_CLIENT_PII] = {c->name, c->email, c->tax_id, c->address};
    client_row old, nw;
    ra_status rc = client_load(s, firm->id, c->code, &old, err);
    if (rc != RA_OK)
        return rc;
    if (old.id && strcmp(old.household, c->household) == 0 &&
        strcmp(old.advisor, c->advisor) == 0 && old.birth_year == c->birth_year) {
        int same = 1;
        for (int i = 0; i < N_CLIENT_PII && rc == RA_OK && same; i++) {
            char pt[RA_PII_MAX];
            rc = decrypt_field(key, actor->firm, "client", c->code, old.f[i].name, old.f[i].data,
                               old.f[i].n, pt, err);
            same = rc == RA_OK && strcmp(pt, plain[i]) == 0;
            sodium_memzero(pt, sizeof pt);
        }
        if (rc != RA_OK || same)
            return rc;
    }
    int64_t hh = 0, adv = 0;
    rc = household_put_in(s, actor, firm->id, c->household, &hh, err);
    if (rc == RA_OK && c->advisor[0]) {
        rc = code_id(s, SQL_ADVISOR_ID, firm->id, c->advisor, &adv, err);
        if (rc == RA_OK && !adv) {
            ra_advisor a;
            memset(&a, 0, sizeof a);
            copy_str(a.code, sizeof a.code, c->advisor);
            rc = advisor_put_in(s, actor, firm, key, &a, err);
            if (rc == RA_OK)
                rc = code_id(s, SQL_ADVISOR_ID, firm->id, c->advisor, &adv, err);
        }
    }
    if (rc != RA_OK)
        return rc;
    memset(&nw, 0, sizeof nw);
    copy_str(nw.household, RA_CODE_MAX, c->household);
    copy_str(nw.advisor, RA_CODE_MAX, c->advisor);
    nw.birth_year = c->birth_year;
    for (int i = 0; i < N_CLIENT_PII; i++) {
        nw.f[i].name = client_fields[i];
        encrypt_field(key, actor->firm, "client", c->code, client_fields[i], plain[i],
                      nw.f[i].data, &nw.f[i].n);
    }
    ra_db_stmt *st;
    if (old.id) {
        st = q(s, "UPDATE clients SET household_id = ?, advisor_id = ?, birth_year = ?, "
                  "name_enc = ?, email_enc = ?, tax_id_enc = ?, address_enc = ? WHERE id = ?",
               err);
        rc = st ? bindf(s, st, err, "iNibbbbi", hh, adv,
                        (int64_t)c->birth_year, nw.f[0].data, nw.f[0].n, nw.f[1].data, nw.f[1].n,
                        nw.f[2].data, nw.f[2].n, nw.f[3].data, nw.f[3].n, old.id)
                : dberr(err);
    } else {
        st = q(s, "INSERT INTO clients (firm_id, code, household_id, advisor_id, birth_year, "
                  "name_enc, email_enc, tax_id_enc, address_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               err);
        rc = st ? bindf(s, st, err, "itiNibbbb", firm->id, c->code, hh, adv, (int64_t)c->birth_year, nw.f[0].data, nw.f[0].n,
                        nw.f[1].data, nw.f[1].n, nw.f[2].data, nw.f[2].n, nw.f[3].data, nw.f[3].n)
                : dberr(err);
    }
    if (rc == RA_OK)
        rc = run(s, st, err);
    sbuf before = {0}, after = {0};
    if (old.id)
        client_json(&before, c->code, &old);
    else
        sb_str(&before, "null");
    client_json(&after, c->code, &nw);
    return audit_change(s, rc, actor, old.id ? "update" : "create", "client", c->code, &before,
                        &after, err);
}

ra_status ra_store_client_put(ra_store *s, const ra_store_actor *actor, const ra_client *c,
                              ra_err *err)
{
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = check_str(c->code, RA_CODE_MAX, "client code", 1, err);
    if (rc == RA_OK)
        rc = check_str(c->household, RA_CODE_MAX, "household code", 1, err);
    if (rc == RA_OK)
        rc = check_str(c->advisor, RA_CODE_MAX, "advisor code", 0, err);
    for (int i = 0; i < N_CLIENT_PII && rc == RA_OK; i++) {
        const char *v[] = {c->name, c->email, c->tax_id, c->address};
        if (strnlen(v[i], RA_PII_MAX) == RA_PII_MAX)
            rc = ra_err_set(err, RA_EINVAL, NULL, "client %s: %s is longer than %d bytes",
                            c->code, client_fields[i], RA_PII_MAX - 1);
    }
    const uint8_t *key = NULL;
    firm_row firm;
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc == RA_OK)
        rc = get_key(s, actor->firm, &key, err);
    if (rc != RA_OK || (rc = wbegin(s, err)) != RA_OK)
        return rc;
    return wend(s, client_put_in(s, actor, &firm, key, c, err), err);
}

ra_status ra_store_client_get(ra_store *s, const char *firm, const char *code, ra_client *out,
                              ra_err *err)
{
    firm_row f;
    const uint8_t *key = NULL;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = get_key(s, firm, &key, err);
    client_row c;
    if (rc == RA_OK)
        rc = client_load(s, f.id, code, &c, err);
    if (rc != RA_OK)
        return rc;
    if (!c.id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no client %s in firm %s", code, firm);
    memset(out, 0, sizeof *out);
    copy_str(out->code, sizeof out->code, code);
    copy_str(out->household, sizeof out->household, c.household);
    copy_str(out->advisor, sizeof out->advisor, c.advisor);
    out->birth_year = c.birth_year;
    char *dst[N_CLIENT_PII] = {out->name, out->email, out->tax_id, out->address};
    for (int i = 0; i < N_CLIENT_PII && rc == RA_OK; i++)
        rc = decrypt_field(key, firm, "client", code, client_fields[i], c.f[i].data, c.f[i].n,
                           dst[i], err);
    if (rc != RA_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

/* --- accounts and mandates ------------------------------------------------------------------- */

/* ISO 4217 minor digits: 0 and 3 for the few currencies that have them, 2 otherwise. */
static int currency_digits(const char *cur)
{
    static const char *const zero[] = {"JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF",
                                       "XOF"};
    static const char *const three[] = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(cur, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(cur, three[i]) == 0)
            return 3;
    return 2;
}

typedef struct account_row {
    int64_t id;
    char client[RA_CODE_MAX];
    int64_t n_txns;
    int minor_digits;
    ra_account a;
} account_row;

static ra_status account_load(ra_store *s, int64_t firm_id, const char *code, account_row *r,
                              ra_err *err)
{
    ra_db_stmt *st = q(s, "SELECT a.id, c.code, a.type, a.currency, a.opened, a.model, "
                          "a.discretionary, a.drift_band, a.tlh_enabled, a.loss_limit, "
                          "a.restrictions, a.n_txns, a.minor_digits FROM accounts a "
                          "JOIN clients c ON c.id = a.client_id WHERE a.firm_id = ? AND a.code = ?",
                       err);
    if (!st || bindf(s, st, err, "it", firm_id, code) != RA_OK)
        return dberr(err);
    int x = s->ops->step(st, err);
    if (x < 0)
        return dberr(err);
    memset(r, 0, sizeof *r);
    if (x == RA_DB_ROW) {
        r->id = ci(s, st, 0);
        copy_str(r->a.code, RA_CODE_MAX, code);
        copy_str(r->a.client, RA_CODE_MAX, ct(s, st, 1));
        r->a.type = (ra_account_type)ci(s, st, 2);
        copy_str(r->a.currency, 4, ct(s, st, 3));
        r->a.opened = (ra_date)ci(s, st, 4);
        copy_str(r->a.mandate.model, RA_CODE_MAX, ct(s, st, 5));
        r->a.mandate.discretionary = (int)ci(s, st, 6);
        r->a.mandate.drift_band = s->ops->col_double(st, 7);
        r->a.mandate.tlh_enabled = (int)ci(s, st, 8);
        r->a.mandate.loss_limit = s->ops->col_double(st, 9);
        copy_str(r->a.mandate.restrictions, RA_NAME_MAX, ct(s, st, 10));
        r->n_txns = ci(s, st, 11);
        r->minor_digits = (int)ci(s, st, 12);
    }
    s->ops->reset(st);
    return RA_OK;
}

static void mandate_json(sbuf *b, const ra_mandate *m)
{
    sb_str(b, "{");
    jstr(b, "model", m->model);
    jint(b, "discretionary", m->discretionary);
    jdbl(b, "drift_band", m->drift_band);
    jint(b, "tlh_enabled", m->tlh_enabled);
    jdbl(b, "loss_limit", m->loss_limit);
    jstr(b, "restrictions", m->restrictions);
    sb_str(b, "}");
}

static void account_json(sbuf *b, const ra_account *a)
{
    char d[11];
    sb_str(b, "{");
    jstr(b, "code", a->code);
    jstr(b, "client", a->client);
    jstr(b, "type", ra_account_type_name(a->type));
    jstr(b, "currency", a->currency);
    jstr(b, "opened", ra_date_format(a->opened, d));
    jkey(b, "mandate");
    mandate_json(b, &a->mandate);
    sb_str(b, "}");
}

static int mandate_equal(const ra_mandate *x, const ra_mandate *y)
{
    return strcmp(x->model, y->model) == 0 && x->discretionary == y->discretionary &&
           x->drift_band == y->drift_band && x->tlh_enabled == y->tlh_enabled &&
           x->loss_limit == y->loss_limit && strcmp(x->restrictions, y->restrictions) == 0;
}

static ra_status validate_account(const ra_account *a, ra_err *err)
{
    ra_status rc = check_str(a->code, RA_CODE_MAX, "account code", 1, err);
    if (rc == RA_OK)
        rc = check_str(a->client, RA_CODE_MAX, "client code", 1, err);
    if (rc == RA_OK)
        rc = check_str(a->mandate.model, RA_CODE_MAX, "model", 0, err);
    if (rc == RA_OK)
        rc = check_str(a->mandate.restrictions, RA_NAME_MAX, "restrictions", 0, err);
    if (rc != RA_OK)
        return rc;
    if ((int)a->type < RA_ACCOUNT_TAXABLE || (int)a->type > RA_ACCOUNT_TAX_FREE)
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: type %d is not one of taxable, "
                          "tax_deferred, tax_free", a->code, (int)a->type);
    if (strnlen(a->currency, 4) != 3)
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: currency must be 3 letters",
                          a->code);
    const ra_mandate *m = &a->mandate;
    if (!(m->drift_band >= 0.0 && m->drift_band <= 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: drift band %g is not in [0, 1]",
                          a->code, m->drift_band);
    if (!(m->loss_limit >= 0.0 && m->loss_limit <= 0.15))
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: loss limit %g is not in [0, 0.15]",
                          a->code, m->loss_limit);
    return RA_OK;
}

static ra_status account_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                                const ra_account *a, ra_err *err)
{
    account_row old;
    int64_t client_id = 0;
    ra_status rc = code_id(s, SQL_CLIENT_ID, firm->id, a->client, &client_id, err);
    if (rc == RA_OK && !client_id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no client %s in firm %s", a->code,
                        a->client, actor->firm);
    if (rc == RA_OK)
        rc = account_load(s, firm->id, a->code, &old, err);
    if (rc != RA_OK)
        return rc;
    int fixed_same = old.id && strcmp(old.a.client, a->client) == 0 && old.a.type == a->type &&
                     strcmp(old.a.currency, a->currency) == 0 && old.a.opened == a->opened;
    int mandate_same = old.id && mandate_equal(&old.a.mandate, &a->mandate);
    if (fixed_same && mandate_same)
        return RA_OK;
    if (old.id && !fixed_same && old.n_txns > 0 &&
        (strcmp(old.a.client, a->client) != 0 || old.a.type != a->type ||
         strcmp(old.a.currency, a->currency) != 0))
        return ra_err_set(err, RA_ECONFLICT, NULL, "account %s has transactions: its client, "
                          "type and currency cannot change", a->code);
    const ra_mandate *m = &a->mandate;
    ra_db_stmt *st;
    if (old.id) {
        st = q(s, "UPDATE accounts SET client_id = ?, type = ?, currency = ?, minor_digits = ?, "
                  "opened = ?, model = ?, discretionary = ?, drift_band = ?, tlh_enabled = ?, "
                  "loss_limit = ?, restrictions = ? WHERE id = ?", err);
        rc = st ? bindf(s, st, err, "iitiitididti", client_id, (int64_t)a->type, a->currency,
                        (int64_t)(old.n_txns ? old.minor_digits : currency_digits(a->currency)),
                        (int64_t)a->opened, m->model, (int64_t)m->discretionary, m->drift_band,
                        (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions, old.id)
                : dberr(err);
    } else {
        st = q(s, "INSERT INTO accounts (firm_id, code, client_id, type, currency, minor_digits, "
                  "opened, model, discretionary, drift_band, tlh_enabled, loss_limit, "
                  "restrictions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        rc = st ? bindf(s, st, err, "itiitiitididt", firm->id, a->code, client_id,
                        (int64_t)a->type, a->currency, (int64_t)currency_digits(a->currency),
                        (int64_t)a->opened, m->model, (int64_t)m->discretionary, m->drift_band,
                        (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions)
                : dberr(err);
    }
    if (rc == RA_OK)
        rc = run(s, st, err);
    sbuf before = {0}, after = {0};
    const char *entity = "account";
    if (old.id && fixed_same) { /* only the mandate changed */
        entity = "mandate";
        mandate_json(&before, &old.a.mandate);
        mandate_json(&after, &a->mandate);
    } else {
        if (old.id)
            account_json(&before, &old.a);
        else
            sb_str(&before, "null");
        account_json(&after, a);
    }
    return audit_change(s, rc, actor, old.id ? "update" : "create", entity, a->code, &before,
                        &after, err);
}

ra_status ra_store_account_put(ra_store *s, const ra_store_actor *actor, const ra_account *a,
                               ra_err *err)
{
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = validate_account(a, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc != RA_OK || (rc = wbegin(s, err)) != RA_OK)
        return rc;
    return wend(s, account_put_in(s, actor, &firm, a, err), err);
}

ra_status ra_store_account_get(ra_store *s, const char *firm, const char *code, ra_account *out,
                               ra_err *err)
{
    firm_row f;
    account_row r;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = account_load(s, f.id, code, &r, err);
    if (rc != RA_OK)
        return rc;
    if (!r.id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", code, firm);
    *out = r.a;
    return RA_OK;
}

ra_status ra_store_account_list(ra_store *s, const char *firm, char (**out)[RA_CODE_MAX],
                                size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT code FROM accounts WHERE firm_id = ? ORDER BY code", err);
    if (!st || bindf(s, st, err, "i", f.id) != RA_OK)
        return dberr(err);
    size_t cap = 0;
    char (*v)[RA_CODE_MAX] = NULL;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        char (*g)[RA_CODE_MAX] = grow(v, *n, &cap, sizeof *v, 64);
        if (!g) {
            free(v);
            s->ops->reset(st);
            return nomem(err, "the account list");
        }
        v = g;
        copy_str(v[(*n)++], RA_CODE_MAX, ct(s, st, 0));
    }
    s->ops->reset(st);
    if (r < 0) {
        free(v);
        *n = 0;
        return dberr(err);
    }
    *out = v;
    return RA_OK;
}

/* --- the persisted ledger of an account ------------------------------------------------------ */

static ra_status ledger_load(ra_store *s, int64_t account_id, ra_ledger *l, int64_t *n_txns,
                             ra_err *err)
{
    ra_db_stmt *st = q(s, "SELECT minor_digits, cash_minor, next_lot_id, n_txns, cash_in_minor, "
                          "cash_out_minor, basis_in_minor, basis_sold_minor, basis_out_minor, "
                          "proceeds_minor, gain_short_minor, gain_long_minor "
                          "FROM accounts WHERE id = ?", err);
    if (!st || bindf(s, st, err, "i", account_id) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "account id %lld vanished",
                                  (long long)account_id);
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    set.minor_digits = (int)ci(s, st, 0);
    ra_minor cash = ci(s, st, 1);
    uint64_t next = (uint64_t)ci(s, st, 2);
    ra_ledger_totals t;
    memset(&t, 0, sizeof t);
    *n_txns = ci(s, st, 3);
    t.n_txns = (uint64_t)*n_txns;
    t.cash_in_minor = ci(s, st, 4);
    t.cash_out_minor = ci(s, st, 5);
    t.basis_in_minor = ci(s, st, 6);
    t.basis_sold_minor = ci(s, st, 7);
    t.basis_out_minor = ci(s, st, 8);
    t.proceeds_minor = ci(s, st, 9);
    t.gain_short_minor = ci(s, st, 10);
    t.gain_long_minor = ci(s, st, 11);
    s->ops->reset(st);
    ra_status rc = ra_ledger_init(l, &set, NULL, err);
    if (rc != RA_OK)
        return rc;
    st = q(s, "SELECT lot_id, security_id, acquired, qty_micro, basis_minor FROM lots "
              "WHERE account_id = ? ORDER BY lot_id", err);
    if (!st || bindf(s, st, err, "i", account_id) != RA_OK) {
        ra_ledger_free(l);
        return dberr(err);
    }
    ra_lot *lots = NULL;
    size_t n = 0, cap = 0;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        ra_lot *g = grow(lots, n, &cap, sizeof *lots, 16);
        if (!g) {
            r = -2;
            break;
        }
        lots = g;
        lots[n].id = (uint64_t)ci(s, st, 0);
        lots[n].security = (uint32_t)ci(s, st, 1);
        lots[n].acquired = (ra_date)ci(s, st, 2);
        lots[n].qty_micro = ci(s, st, 3);
        lots[n].basis_minor = ci(s, st, 4);
        n++;
    }
    s->ops->reset(st);
    if (r == -2)
        rc = nomem(err, "lots");
    else if (r < 0)
        rc = dberr(err);
    else
        rc = ra_ledger_restore(l, cash, lots, n, next, &t, err);
    free(lots);
    if (rc != RA_OK)
        ra_ledger_free(l);
    return rc;
}

static ra_status ledger_save(ra_store *s, int64_t account_id, const ra_ledger *l, ra_err *err)
{
    const ra_ledger_totals *t = &l->totals;
    ra_db_stmt *st = q(s, "UPDATE accounts SET cash_minor = ?, next_lot_id = ?, n_txns = ?, "
                          "cash_in_minor = ?, cash_out_minor = ?, basis_in_minor = ?, "
                          "basis_sold_minor = ?, basis_out_minor = ?, proceeds_minor = ?, "
                          "gain_short_minor = ?, gain_long_minor = ? WHERE id = ?", err);
    if (!st || bindf(s, st, err, "iiiiiiiiiiii", l->cash_minor, (int64_t)l->next_lot_id,
                     (int64_t)t->n_txns, t->cash_in_minor, t->cash_out_minor, t->basis_in_minor,
                     t->basis_sold_minor, t->basis_out_minor, t->proceeds_minor,
                     t->gain_short_minor, t->gain_long_minor, account_id) != RA_OK ||
        run(s, st, err) != RA_OK)
        return dberr(err);
    st = q(s, "DELETE FROM lots WHERE account_id = ?", err);
    if (!st || bindf(s, st, err, "i", account_id) != RA_OK || run(s, st, err) != RA_OK)
        return dberr(err);
    st = q(s, "INSERT INTO lots (account_id, lot_id, security_id, acquired, qty_micro, "
              "basis_minor) VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!st)
        return dberr(err);
    for (size_t i = 0; i < l->n_lots; i++) {
        const ra_lot *x = &l->lots[i];
        s->ops->reset(st);
        if (bindf(s, st, err, "iiiiii", account_id, (int64_t)x->id, (int64_t)x->security,
                  (int64_t)x->acquired, x->qty_micro, x->basis_minor) != RA_OK ||
            run(s, st, err) != RA_OK)
            return dberr(err);
    }
    return RA_OK;
}

/* The ledger state of an audit record. Lots are arrays [id, security, acquired, qty_micro,
 * basis_minor] (docs/methodology.md#audit-trail-hash-chain): a million opened accounts carry
 * eight each, and the named form was a third of every record. */
static void ledger_json(sbuf *b, const ra_ledger *l)
{
    sb_str(b, "{");
    jint(b, "cash_minor", l->cash_minor);
    jint(b, "next_lot_id", (int64_t)l->next_lot_id);
    jkey(b, "lots");
    sb_str(b, "[");
    for (size_t i = 0; i < l->n_lots; i++) {
        const ra_lot *x = &l->lots[i];
        sb_str(b, i ? ",[" : "[");
        sb_int(b, (int64_t)x->id);
        sb_add(b, ",", 1);
        sb_int(b, (int64_t)x->security);
        sb_add(b, ",", 1);
        sb_int(b, (int64_t)x->acquired);
        sb_add(b, ",", 1);
        sb_int(b, x->qty_micro);
        sb_add(b, ",", 1);
        sb_int(b, x->basis_minor);
        sb_add(b, "]", 1);
    }
    sb_str(b, "]}");
}

ra_status ra_store_account_ledger(ra_store *s, const char *firm, const char *code, ra_ledger *out,
                                  ra_err *err)
{
    firm_row f;
    int64_t id = 0, n = 0;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = code_id(s, SQL_ACCOUNT_ID, f.id, code, &id, err);
    if (rc == RA_OK && !id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", code, firm);
    return rc == RA_OK ? ledger_load(s, id, out, &n, err) : rc;
}

/* --- securities ------------------------------------------------------------------------------ */

static ra_status validate_security(const ra_security *x, ra_err *err)
{
    ra_status rc = check_str(x->ticker, RA_CODE_MAX, "ticker", 1, err);
    if (rc == RA_OK)
        rc = check_str(x->name, RA_NAME_MAX, "security name", 0, err);
    if (rc == RA_OK)
        rc = check_str(x->asset_class, RA_CODE_MAX, "asset class", 0, err);
    if (rc == RA_OK)
        rc = check_str(x->exchange, RA_CODE_MAX, "exchange", 0, err);
    if (rc == RA_OK)
        rc = check_str(x->currency, 4, "currency", 0, err);
    if (rc == RA_OK)
        rc = check_str(x->tlh_group, RA_CODE_MAX, "tax-loss-harvesting group", 0, err);
    if (rc != RA_OK)
        return rc;
    if (x->risk_level < (x->incomplete ? 0 : 1) || x->risk_level > 5)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: risk level %d is not 1..5",
                          x->ticker, x->risk_level);
    if (!(x->expense_ratio >= 0.0 && x->expense_ratio < 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: expense ratio %g is not in [0, 1)",
                          x->ticker, x->expense_ratio);
    if (x->lot_size < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: lot size %lld is not >= 1",
                          x->ticker, (long long)x->lot_size);
    return RA_OK;
}

static const char SQL_SECURITY_COLS[] =
    "SELECT ticker, name, asset_class, risk_level, expense_ratio, lot_size, exchange, currency, "
    "tlh_group, on_shelf, incomplete, id FROM securities WHERE firm_id = ? AND ticker = ?";

static void security_row(ra_store *s, ra_db_stmt *st, ra_security *x)
{
    memset(x, 0, sizeof *x);
    copy_str(x->ticker, RA_CODE_MAX, ct(s, st, 0));
    copy_str(x->name, RA_NAME_MAX, ct(s, st, 1));
    copy_str(x->asset_class, RA_CODE_MAX, ct(s, st, 2));
    x->risk_level = (int)ci(s, st, 3);
    x->expense_ratio = s->ops->col_double(st, 4);
    x->lot_size = ci(s, st, 5);
    copy_str(x->exchange, RA_CODE_MAX, ct(s, st, 6));
    copy_str(x->currency, 4, ct(s, st, 7));
    copy_str(x->tlh_group, RA_CODE_MAX, ct(s, st, 8));
    x->on_shelf = (int)ci(s, st, 9);
    x->incomplete = (int)ci(s, st, 10);
}

static int security_equal(const ra_security *a, const ra_security *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->asset_class, b->asset_class) == 0 &&
           a->risk_level == b->risk_level && a->expense_ratio == b->expense_ratio &&
           a->lot_size == b->lot_size && strcmp(a->exchange, b->exchange) == 0 &&
           strcmp(a->currency, b->currency) == 0 && strcmp(a->tlh_group, b->tlh_group) == 0 &&
           !a->on_shelf == !b->on_shelf && !a->incomplete == !b->incomplete;
}

static ra_status security_put_in(ra_store *s, int64_t firm_id, const ra_security *x, int64_t *id,
                                 ra_err *err)
{
    ra_db_stmt *st = q(s, SQL_SECURITY_COLS, err);
    if (!st || bindf(s, st, err, "it", firm_id, x->ticker) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    ra_security old;
    *id = 0;
    if (r == RA_DB_ROW) {
        security_row(s, st, &old);
        *id = ci(s, st, 11);
    }
    s->ops->reset(st);
    if (*id && security_equal(&old, x))
        return RA_OK;
    if (*id) {
        st = q(s, "UPDATE securities SET name = ?, asset_class = ?, risk_level = ?, "
                  "expense_ratio = ?, lot_size = ?, exchange = ?, currency = ?, tlh_group = ?, "
                  "on_shelf = ?, incomplete = ? WHERE id = ?", err);
        if (!st || bindf(s, st, err, "ttiditttiii", x->name, x->asset_class,
                         (int64_t)x->risk_level, x->expense_ratio, x->lot_size, x->exchange,
                         x->currency, x->tlh_group, (int64_t)(x->on_shelf != 0),
                         (int64_t)(x->incomplete != 0), *id) != RA_OK)
            return dberr(err);
        return run(s, st, err);
    }
    st = q(s, "INSERT INTO securities (firm_id, ticker, name, asset_class, risk_level, "
              "expense_ratio, lot_size, exchange, currency, tlh_group, on_shelf, incomplete) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
    if (!st || bindf(s, st, err, "itttiditttii", firm_id, x->ticker, x->name,
                     x->asset_class, (int64_t)x->risk_level, x->expense_ratio, x->lot_size,
                     x->exchange, x->currency, x->tlh_group, (int64_t)(x->on_shelf != 0),
                     (int64_t)(x->incomplete != 0)) != RA_OK)
        return dberr(err);
    r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "no id returned for security");
    *id = ci(s, st, 0);
    s->ops->reset(st);
    return RA_OK;
}

ra_status ra_store_security_put(ra_store *s, const ra_store_actor *actor, const ra_security *x,
                                ra_err *err)
{
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = validate_security(x, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc != RA_OK || (rc = wbegin(s, err)) != RA_OK)
        return rc;
    int64_t id = 0;
    return wend(s, security_put_in(s, firm.id, x, &id, err), err);
}

ra_status ra_store_security_get(ra_store *s, const char *firm, const char *ticker,
                                ra_security *out, ra_err *err)
{
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, SQL_SECURITY_COLS, err);
    if (!st || bindf(s, st, err, "it", f.id, ticker) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s", ticker, firm);
    security_row(s, st, out);
    s->ops->reset(st);
    return RA_OK;
}

ra_status ra_store_security_id(ra_store *s, const char *firm, const char *ticker, uint32_t *id,
                               ra_err *err)
{
    firm_row f;
    int64_t v = 0;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = code_id(s, SQL_SECURITY_ID, f.id, ticker, &v, err);
    if (rc == RA_OK && !v)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s", ticker, firm);
    if (rc == RA_OK)
        *id = (uint32_t)v;
    return rc;
}

ra_status ra_store_security_list(ra_store *s, const char *firm, unsigned flags,
                                 ra_security **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT ticker, name, asset_class, risk_level, expense_ratio, lot_size, "
                          "exchange, currency, tlh_group, on_shelf, incomplete, id "
                          "FROM securities WHERE firm_id = ? AND incomplete >= ? ORDER BY ticker",
                       err);
    if (!st || bindf(s, st, err, "ii", f.id, (int64_t)((flags & RA_STORE_LIST_INCOMPLETE) != 0))
                   != RA_OK)
        return dberr(err);
    size_t cap = 0;
    ra_security *v = NULL;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        ra_security *g = grow(v, *n, &cap, sizeof *v, 32);
        if (!g) {
            free(v);
            *n = 0;
            s->ops->reset(st);
            return nomem(err, "the security list");
        }
        v = g;
        security_row(s, st, &v[(*n)++]);
    }
    s->ops->reset(st);
    if (r < 0) {
        free(v);
        *n = 0;
        return dberr(err);
    }
    *out = v;
    return RA_OK;
}

/* A ticker -> security id map for one batch (open addressing). */
typedef struct tmap {
    struct tslot {
        char ticker[RA_CODE_MAX];
        int64_t id;
        int used;
    } *slots;
    size_t cap, n;
} tmap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct tslot *tmap_find(tmap *m, const char *t)
{
    if (!m->cap)
        return NULL;
    for (size_t i = hash_str(t) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].used)
            return NULL;
        if (strcmp(m->slots[i].ticker, t) == 0)
            return &m->slots[i];
    }
}

static int tmap_put(tmap *m, const char *t, int64_t id)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct tslot *g = calloc(cap, sizeof *g);
        if (!g)
            return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].used) {
                size_t j = hash_str(m->slots[i].ticker) & (cap - 1);
                while (g[j].used)
                    j = (j + 1) & (cap - 1);
                g[j] = m->slots[i];
            }
        free(m->slots);
        m->slots = g;
        m->cap = cap;
    }
    size_t j = hash_str(t) & (m->cap - 1);
    while (m->slots[j].used)
        j = (j + 1) & (m->cap - 1);
    copy_str(m->slots[j].ticker, RA_CODE_MAX, t);
    m->slots[j].id = id;
    m->slots[j].used = 1;
    m->n++;
    return 0;
}

/* The id of a ticker of the firm, through the batch's map; with create, a missing ticker becomes
 * an incomplete security. *id 0: not found. */
static ra_status ticker_id(ra_store *s, tmap *m, const firm_row *firm, const char *ticker,
                           int create, size_t *n_created, int64_t *id, ra_err *err)
{
    struct tslot *sl = tmap_find(m, ticker);
    if (sl) {
        *id = sl->id;
        return RA_OK;
    }
    ra_status rc = check_str(ticker, RA_CODE_MAX, "ticker", 1, err);
    if (rc == RA_OK)
        rc = code_id(s, SQL_SECURITY_ID, firm->id, ticker, id, err);
    if (rc == RA_OK && !*id && create) {
        ra_security x;
        memset(&x, 0, sizeof x);
        copy_str(x.ticker, RA_CODE_MAX, ticker);
        copy_str(x.name, RA_NAME_MAX, ticker);
        copy_str(x.currency, 4, firm->currency);
        x.lot_size = 1;
        x.incomplete = 1;
        rc = security_put_in(s, firm->id, &x, id, err);
        if (rc == RA_OK && n_created)
            (*n_created)++;
    }
    if (rc == RA_OK && *id && tmap_put(m, ticker, *id) != 0)
        rc = nomem(err, "the ticker map");
    return rc;
}

/* The ticker of a security id (for messages). */
static void ticker_of(ra_store *s, int64_t id, char *out)
{
    ra_err e;
    ra_db_stmt *st = q(s, "SELECT ticker FROM securities WHERE id = ?", &e);
    snprintf(out, RA_CODE_MAX, "security %lld", (long long)id);
    if (!st || bindf(s, st, &e, "i", id) != RA_OK)
        return;
    if (s->ops->step(st, &e) == RA_DB_ROW)
        copy_str(out, RA_CODE_MAX, ct(s, st, 0));
    s->ops->reset(st);
}

/* --- prices, dividends, splits: staged, then merged with set-based SQL ----------------------- */

typedef struct series_kind {
    const char *what;  /* "price", "dividend", "split" */
    int n_vals;        /* 1 or 2 */
    const char *stored_conflict_sql, *update_sql, *insert_sql;
} series_kind;

static const series_kind K_PRICE = {
    "price", 1,
    "SELECT s.a, s.b, p.price, 0, s.c, s.d FROM ra_stage s JOIN prices p ON p.security_id = s.a "
    "AND p.day = s.b WHERE p.price <> s.c ORDER BY s.a, s.b LIMIT 1",
    "UPDATE prices SET price = (SELECT s.c FROM ra_stage s WHERE s.a = prices.security_id "
    "AND s.b = prices.day) WHERE EXISTS (SELECT 1 FROM ra_stage s WHERE s.a = prices.security_id "
    "AND s.b = prices.day AND s.c <> prices.price)",
    "INSERT INTO prices (security_id, day, price) SELECT a, b, c FROM ra_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM prices p WHERE p.security_id = s.a AND p.day = s.b)"};
static const series_kind K_DIVIDEND = {
    "dividend", 1,
    "SELECT s.a, s.b, p.amount, 0, s.c, s.d FROM ra_stage s JOIN dividends p "
    "ON p.security_id = s.a AND p.day = s.b WHERE p.amount <> s.c ORDER BY s.a, s.b LIMIT 1",
    "UPDATE dividends SET amount = (SELECT s.c FROM ra_stage s "
    "WHERE s.a = dividends.security_id AND s.b = dividends.day) WHERE EXISTS (SELECT 1 FROM "
    "ra_stage s WHERE s.a = dividends.security_id AND s.b = dividends.day "
    "AND s.c <> dividends.amount)",
    "INSERT INTO dividends (security_id, day, amount) SELECT a, b, c FROM ra_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM dividends p WHERE p.security_id = s.a AND p.day = s.b)"};
static const series_kind K_SPLIT = {
    "split", 2,
    "SELECT s.a, s.b, p.num, p.den, s.c, s.d FROM ra_stage s JOIN splits p "
    "ON p.security_id = s.a AND p.day = s.b WHERE p.num <> s.c OR p.den <> s.d ORDER BY s.a, s.b LIMIT 1",
    "UPDATE splits SET num = (SELECT s.c FROM ra_stage s WHERE s.a = splits.security_id "
    "AND s.b = splits.day), den = (SELECT s.d FROM ra_stage s WHERE "
    "s.a = splits.security_id AND s.b = splits.day) WHERE EXISTS (SELECT 1 FROM ra_stage s "
    "WHERE s.a = splits.security_id AND s.b = splits.day AND (s.c <> splits.num OR "
    "s.d <> splits.den))",
    "INSERT INTO splits (security_id, day, num, den) SELECT a, b, c, d FROM ra_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM splits p WHERE p.security_id = s.a AND p.day = s.b)"};

static void value_text(const series_kind *k, int64_t c, int64_t d, char *buf, size_t cap)
{
    char f[RA_MONEY_FMT_SIZE];
    if (k->n_vals == 2)
        snprintf(buf, cap, "%lld/%lld", (long long)c, (long long)d);
    else
        snprintf(buf, cap, "%s", ra_money_format_price(c, f, sizeof f));
}

typedef struct stage_row {
    int64_t sec;
    int64_t day;
    int64_t c, d;
    size_t idx; /* input row, for messages and a stable order */
} stage_row;

static int cmp_stage(const void *x, const void *y)
{
    const stage_row *a = x, *b = y;
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Resolves tickers, sorts the rows by (security, date), refuses a date given twice with
 * different values, drops exact repeats, and loads the unique rows into the stage table (its
 * primary key needs them unique). *distinct: rows staged. The caller has the write scope open. */
static ra_status stage_rows(ra_store *s, const series_kind *k, const firm_row *firm,
                            const char *base, size_t stride, size_t off_ticker, size_t off_day,
                            size_t off_c, size_t off_d, size_t n, unsigned flags,
                            ra_store_put_stats *stats, size_t *distinct, ra_err *err)
{
    *distinct = 0;
    ra_status rc = s->ops->exec(s->db,
                                "CREATE TEMP TABLE IF NOT EXISTS ra_stage (a BIGINT NOT NULL, "
                                "b BIGINT NOT NULL, c BIGINT NOT NULL, d BIGINT NOT NULL, "
                                "PRIMARY KEY (a, b)); "
                                "DELETE FROM ra_stage",
                                err);
    if (rc != RA_OK)
        return rc;
    /* resolve every ticker first: no other statement may run during a PostgreSQL COPY */
    stage_row *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows)
        return nomem(err, "the batch");
    tmap m = {0};
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        const char *r = base + i * stride;
        const char *t = r + off_ticker;
        stage_row *x = &rows[i];
        x->idx = i;
        x->day = *(const ra_date *)(const void *)(r + off_day);
        x->c = *(const int64_t *)(const void *)(r + off_c);
        x->d = off_d ? *(const int64_t *)(const void *)(r + off_d) : 0;
        x->sec = 0;
        rc = ticker_id(s, &m, firm, t, (flags & RA_STORE_PUT_CREATE_SECURITIES) != 0,
                       &stats->new_securities, &x->sec, err);
        if (rc == RA_OK && !x->sec)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s (add it to the "
                            "securities master first)", t);
        if (rc == RA_OK && (x->c <= 0 || (off_d && x->d <= 0))) {
            char ds[11];
            rc = ra_err_set(err, RA_EINVAL, NULL, "%s %s: the %s must be > 0", t,
                            ra_date_format((ra_date)x->day, ds), k->what);
        }
    }
    free(m.slots);
    size_t u = 0;
    if (rc == RA_OK) {
        qsort(rows, n, sizeof *rows, cmp_stage);
        for (size_t i = 0; i < n && rc == RA_OK; i++) {
            if (u && rows[u - 1].sec == rows[i].sec && rows[u - 1].day == rows[i].day) {
                if (rows[u - 1].c != rows[i].c || rows[u - 1].d != rows[i].d) {
                    char ds[11], v1[64], v2[64];
                    value_text(k, rows[u - 1].c, rows[u - 1].d, v1, sizeof v1);
                    value_text(k, rows[i].c, rows[i].d, v2, sizeof v2);
                    rc = ra_err_set(err, RA_ECONFLICT, NULL, "%s %s: two different %ss given "
                                    "(%s and %s)", base + rows[i].idx * stride + off_ticker,
                                    ra_date_format((ra_date)rows[i].day, ds), k->what, v1, v2);
                }
                continue; /* an exact repeat */
            }
            rows[u++] = rows[i];
        }
    }
    static const char *const cols[] = {"a", "b", "c", "d"};
    ra_db_bulk *b = NULL;
    if (rc == RA_OK)
        rc = s->ops->bulk_begin(s->db, "ra_stage", cols, 4, &b, err);
    if (rc != RA_OK) {
        free(rows);
        return rc;
    }
    for (size_t i = 0; i < u && rc == RA_OK; i++) {
        int64_t v[4] = {rows[i].sec, rows[i].day, rows[i].c, rows[i].d};
        rc = s->ops->bulk_row(b, v, err);
    }
    free(rows);
    ra_status rc2 = s->ops->bulk_end(b, rc == RA_OK, err);
    *distinct = u;
    return rc != RA_OK ? rc : rc2;
}

/* The staged rows against the stored ones: a different stored value is a conflict (or replaced
 * with RA_STORE_PUT_REPLACE), new dates are inserted. */
static ra_status series_merge(ra_store *s, const series_kind *k, unsigned flags,
                              size_t distinct, ra_store_put_stats *stats, ra_err *err)
{
    ra_db_stmt *st = q(s, k->stored_conflict_sql, err);
    if (!st)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_ROW && !(flags & RA_STORE_PUT_REPLACE)) {
        char tk[RA_CODE_MAX], ds[11], v1[64], v2[64];
        int64_t sec = ci(s, st, 0), day = ci(s, st, 1);
        value_text(k, ci(s, st, 2), ci(s, st, 3), v1, sizeof v1);
        value_text(k, ci(s, st, 4), ci(s, st, 5), v2, sizeof v2);
        s->ops->reset(st);
        ticker_of(s, sec, tk);
        return ra_err_set(err, RA_ECONFLICT, NULL, "%s %s: %s %s is stored, %s given", tk,
                          ra_date_format((ra_date)day, ds), k->what, v1, v2);
    }
    s->ops->reset(st);
    if (r == RA_DB_ROW) {
        st = q(s, k->update_sql, err);
        if (!st || run_now(s, st, err) != RA_OK)
            return dberr(err);
        stats->replaced = (size_t)s->ops->changes(st);
    }
    st = q(s, k->insert_sql, err);
    if (!st || run_now(s, st, err) != RA_OK)
        return dberr(err);
    stats->inserted = (size_t)s->ops->changes(st);
    stats->unchanged = distinct - stats->inserted - stats->replaced;
    return RA_OK;
}

static ra_status series_put(ra_store *s, const ra_store_actor *actor, const series_kind *k,
                            const void *rows, size_t stride, size_t off_ticker, size_t off_day,
                            size_t off_c, size_t off_d, size_t n, unsigned flags,
                            ra_store_put_stats *stats, ra_err *err)
{
    ra_store_put_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc != RA_OK || n == 0)
        return rc;
    if ((rc = wbegin(s, err)) != RA_OK)
        return rc;
    size_t distinct = 0;
    rc = stage_rows(s, k, &firm, rows, stride, off_ticker, off_day, off_c, off_d, n, flags, stats,
                    &distinct, err);
    if (rc == RA_OK)
        rc = series_merge(s, k, flags, distinct, stats, err);
    rc = wend(s, rc, err);
    if (rc != RA_OK)
        memset(stats, 0, sizeof *stats);
    return rc;
}

ra_status ra_store_prices_put(ra_store *s, const ra_store_actor *actor, const ra_price_obs *obs,
                              size_t n, unsigned flags, ra_store_put_stats *stats, ra_err *err)
{
    return series_put(s, actor, &K_PRICE, obs, sizeof *obs, offsetof(ra_price_obs, ticker),
                      offsetof(ra_price_obs, date), offsetof(ra_price_obs, price), 0, n, flags,
                      stats, err);
}

ra_status ra_store_dividends_put(ra_store *s, const ra_store_actor *actor, const ra_dividend *d,
                                 size_t n, unsigned flags, ra_store_put_stats *stats, ra_err *err)
{
    return series_put(s, actor, &K_DIVIDEND, d, sizeof *d, offsetof(ra_dividend, ticker),
                      offsetof(ra_dividend, ex_date), offsetof(ra_dividend, amount), 0, n, flags,
                      stats, err);
}

ra_status ra_store_splits_put(ra_store *s, const ra_store_actor *actor, const ra_split *sp,
                              size_t n, unsigned flags, ra_store_put_stats *stats, ra_err *err)
{
    for (size_t i = 0; i < n; i++) {
        ra_ratio r = sp[i].ratio;
        if (ra_money_ratio_check(&r, err) != RA_OK || r.num != sp[i].ratio.num ||
            r.den != sp[i].ratio.den) {
            char ds[11];
            return ra_err_set(err, RA_EINVAL, NULL, "%.47s %s: split ratio %lld/%lld is not "
                              "positive in lowest terms", sp[i].ticker,
                              ra_date_format(sp[i].date, ds), (long long)sp[i].ratio.num,
                              (long long)sp[i].ratio.den);
        }
    }
    return series_put(s, actor, &K_SPLIT, sp, sizeof *sp, offsetof(ra_split, ticker),
                      offsetof(ra_split, date), offsetof(ra_split, ratio.num),
                      offsetof(ra_split, ratio.den), n, flags, stats, err);
}

ra_status ra_store_price_latest(ra_store *s, const char *firm, const char *ticker, ra_date date,
                                ra_price *price, ra_date *on, ra_err *err)
{
    uint32_t id = 0;
    ra_status rc = ra_store_security_id(s, firm, ticker, &id, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT day, price FROM prices WHERE security_id = ? AND day <= ? "
                          "ORDER BY day DESC LIMIT 1", err);
    if (!st || bindf(s, st, err, "ii", (int64_t)id, (int64_t)date) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return dberr(err);
    if (r == RA_DB_DONE) {
        char ds[11];
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no price of %s on or before %s", ticker,
                          ra_date_format(date, ds));
    }
    if (on)
        *on = (ra_date)ci(s, st, 0);
    *price = ci(s, st, 1);
    s->ops->reset(st);
    return RA_OK;
}

ra_status ra_store_price_series(ra_store *s, const char *firm, const char *ticker, ra_date from,
                                ra_date to, ra_date **dates, ra_price **prices, size_t *n,
                                ra_err *err)
{
    *dates = NULL;
    *prices = NULL;
    *n = 0;
    uint32_t id = 0;
    ra_status rc = ra_store_security_id(s, firm, ticker, &id, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT day, price FROM prices WHERE security_id = ? AND day >= ? "
                          "AND day <= ? ORDER BY day", err);
    if (!st || bindf(s, st, err, "iii", (int64_t)id, (int64_t)from, (int64_t)to) != RA_OK)
        return dberr(err);
    size_t cap = 0, k = 0;
    ra_date *d = NULL;
    ra_price *p = NULL;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (k == cap) {
            cap = cap ? 2 * cap : 256;
            ra_date *gd = realloc(d, cap * sizeof *gd);
            if (gd)
                d = gd;
            ra_price *gp = gd ? realloc(p, cap * sizeof *gp) : NULL;
            if (!gd || !gp) {
                free(d);
                free(p);
                s->ops->reset(st);
                return nomem(err, "a price series");
            }
            p = gp;
        }
        d[k] = (ra_date)ci(s, st, 0);
        p[k] = ci(s, st, 1);
        k++;
    }
    s->ops->reset(st);
    if (r < 0) {
        free(d);
        free(p);
        return dberr(err);
    }
    *dates = d;
    *prices = p;
    *n = k;
    return RA_OK;
}

/* --- transactions ---------------------------------------------------------------------------- */

/* Picks and lots in as canonical text, stored with the transaction ("p;7:1000000",
 * "l;12:18000:1000000:50000": security id, acquired, quantity, basis). */
static void txn_detail(sbuf *b, const ra_store_txn *t, const int64_t *lot_sec)
{
    if (t->n_picks) {
        sb_str(b, "p");
        for (size_t i = 0; i < t->n_picks; i++)
            sb_fmt(b, ";%llu:%lld", (unsigned long long)t->picks[i].lot_id,
                   (long long)t->picks[i].qty_micro);
    }
    if (t->n_lots_in) {
        sb_str(b, t->n_picks ? "|l" : "l");
        for (size_t i = 0; i < t->n_lots_in; i++) {
            sb_add(b, ";", 1);
            sb_int(b, lot_sec[i]);
            sb_add(b, ":", 1);
            sb_int(b, (int64_t)t->lots_in[i].acquired);
            sb_add(b, ":", 1);
            sb_int(b, t->lots_in[i].qty_micro);
            sb_add(b, ":", 1);
            sb_int(b, t->lots_in[i].basis_minor);
        }
    }
    if (!b->p)
        sb_str(b, "");
}

/* A stored transaction in ledger form; picks and lots point into owned arrays. */
typedef struct txn_mem {
    ra_lot_pick *picks;
    ra_lot *lots;
} txn_mem;

static ra_status parse_detail(const char *d, ra_txn *t, txn_mem *m, ra_err *err)
{
    size_t n_p = 0, n_l = 0;
    for (const char *p = d; *p; p++)
        if (*p == ';')
            n_p++;
    m->picks = NULL;
    m->lots = NULL;
    if (!n_p)
        return RA_OK;
    m->picks = calloc(n_p, sizeof *m->picks);
    m->lots = calloc(n_p, sizeof *m->lots);
    if (!m->picks || !m->lots) {
        free(m->picks);
        free(m->lots);
        m->picks = NULL;
        m->lots = NULL;
        return nomem(err, "a transaction");
    }
    int mode = 0;
    n_p = 0;
    for (const char *p = d; *p;) {
        if (*p == 'p' || *p == 'l') {
            mode = *p++;
            continue;
        }
        if (*p == '|') {
            p++;
            continue;
        }
        if (*p != ';')
            return ra_err_set(err, RA_EINTERNAL, NULL, "stored transaction detail is damaged");
        p++;
        char *e;
        if (mode == 'p') {
            m->picks[n_p].lot_id = strtoull(p, &e, 10);
            m->picks[n_p].qty_micro = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
            n_p++;
        } else {
            ra_lot *l = &m->lots[n_l++];
            l->security = (uint32_t)strtoul(p, &e, 10);
            l->acquired = *e == ':' ? (ra_date)strtol(e + 1, &e, 10) : 0;
            l->qty_micro = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
            l->basis_minor = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
        }
        p = e;
    }
    t->picks = m->picks;
    t->n_picks = n_p;
    t->lots_in = m->lots;
    t->n_lots_in = n_l;
    return RA_OK;
}

typedef struct acct_work {
    int64_t id;
    char code[RA_CODE_MAX];
    ra_ledger l;
    int64_t n_txns;
    sbuf before;
    int dirty;
} acct_work;

static void txn_json(sbuf *b, const ra_store_txn *t, const char *detail)
{
    char ds[11];
    sb_str(b, "{");
    jstr(b, "account", t->account);
    jstr(b, "external_id", t->external_id);
    jstr(b, "kind", ra_ledger_kind_name(t->kind));
    jstr(b, "date", ra_date_format(t->date, ds));
    jstr(b, "ticker", t->ticker);
    jint(b, "qty_micro", t->qty_micro);
    jint(b, "price", t->price);
    jint(b, "amount_minor", t->amount_minor);
    jint(b, "fees_minor", t->fees_minor);
    jint(b, "relief", t->relief);
    jint(b, "split_num", t->split.num);
    jint(b, "split_den", t->split.den);
    jstr(b, "detail", detail);
    sb_str(b, "}");
}

static void where_txn(ra_err *err, const ra_store_txn *t)
{
    if (!err)
        return;
    char paren[96] = "";
    const char *p = strchr(err->where, '(');
    if (p)
        snprintf(paren, sizeof paren, " %.90s", p);
    snprintf(err->where, sizeof err->where, "account %.32s transaction %.32s%.40s", t->account,
             t->external_id, paren);
}

static ra_status txn_one(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                         tmap *accts, tmap *secs, acct_work **work, size_t *n_work,
                         size_t *cap_work, const ra_store_txn *t, ra_store_txn_stats *stats,
                         ra_err *err)
{
    ra_status rc = check_str(t->account, RA_CODE_MAX, "account code", 1, err);
    if (rc == RA_OK)
        rc = check_str(t->external_id, RA_STORE_EXTID_MAX, "external id", 1, err);
    if (rc == RA_OK)
        rc = check_str(t->ticker, RA_CODE_MAX, "ticker", 0, err);
    if (rc != RA_OK)
        return rc;
    /* the account's working state */
    struct tslot *sl = tmap_find(accts, t->account);
    acct_work *w;
    if (sl) {
        w = &(*work)[sl->id];
    } else {
        int64_t id = 0;
        rc = code_id(s, SQL_ACCOUNT_ID, firm->id, t->account, &id, err);
        if (rc == RA_OK && !id)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", t->account,
                            actor->firm);
        if (rc != RA_OK)
            return rc;
        if (*n_work == *cap_work) {
            size_t cap = *cap_work ? 2 * *cap_work : 8;
            acct_work *g = realloc(*work, cap * sizeof *g);
            if (!g)
                return nomem(err, "the batch");
            *work = g;
            *cap_work = cap;
        }
        w = &(*work)[*n_work];
        memset(w, 0, sizeof *w);
        w->id = id;
        copy_str(w->code, RA_CODE_MAX, t->account);
        if ((rc = ledger_load(s, id, &w->l, &w->n_txns, err)) != RA_OK)
            return rc;
        (*n_work)++;
        ledger_json(&w->before, &w->l);
        if (tmap_put(accts, t->account, (int64_t)(*n_work - 1)) != 0)
            return nomem(err, "the batch");
    }
    int64_t sec = 0;
    if (t->ticker[0]) {
        rc = ticker_id(s, secs, firm, t->ticker, 0, NULL, &sec, err);
        if (rc == RA_OK && !sec)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s", t->ticker,
                            actor->firm);
        if (rc != RA_OK) {
            where_txn(err, t);
            return rc;
        }
    }
    int64_t *lot_sec = NULL;
    ra_lot *lots = NULL;
    if (t->n_lots_in) {
        lot_sec = calloc(t->n_lots_in, sizeof *lot_sec);
        lots = calloc(t->n_lots_in, sizeof *lots);
        if (!lot_sec || !lots)
            rc = nomem(err, "lots");
        for (size_t i = 0; i < t->n_lots_in && rc == RA_OK; i++) {
            rc = ticker_id(s, secs, firm, t->lots_in[i].ticker, 0, NULL, &lot_sec[i], err);
            if (rc == RA_OK && !lot_sec[i])
                rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s",
                                t->lots_in[i].ticker, actor->firm);
            if (rc == RA_OK) {
                lots[i].security = (uint32_t)lot_sec[i];
                lots[i].acquired = t->lots_in[i].acquired;
                lots[i].qty_micro = t->lots_in[i].qty_micro;
                lots[i].basis_minor = t->lots_in[i].basis_minor;
            }
        }
    }
    sbuf detail = {0};
    if (rc == RA_OK) {
        txn_detail(&detail, t, lot_sec);
        if (detail.failed)
            rc = nomem(err, "a transaction");
    }
    /* idempotency: the same external id again */
    ra_db_stmt *st = rc == RA_OK ? q(s, "SELECT kind, day, COALESCE(security_id, 0), qty_micro, "
                                        "price, amount_minor, fees_minor, relief, split_num, "
                                        "split_den, detail FROM txns WHERE account_id = ? AND "
                                        "external_id = ?", err)
                                 : NULL;
    int found = 0;
    if (rc == RA_OK && (!st || bindf(s, st, err, "it", w->id, t->external_id) != RA_OK))
        rc = dberr(err);
    if (rc == RA_OK) {
        int r = s->ops->step(st, err);
        if (r < 0)
            rc = dberr(err);
        else if (r == RA_DB_ROW) {
            found = 1;
            int same = ci(s, st, 0) == t->kind && ci(s, st, 1) == t->date &&
                       ci(s, st, 2) == sec && ci(s, st, 3) == t->qty_micro &&
                       ci(s, st, 4) == t->price && ci(s, st, 5) == t->amount_minor &&
                       ci(s, st, 6) == t->fees_minor && ci(s, st, 7) == (int64_t)t->relief &&
                       ci(s, st, 8) == t->split.num && ci(s, st, 9) == t->split.den &&
                       strcmp(ct(s, st, 10), detail.p) == 0;
            if (same)
                stats->unchanged++;
            else
                rc = ra_err_set(err, RA_ECONFLICT, NULL, "already stored with different "
                                "content");
        }
        s->ops->reset(st);
    }
    if (rc == RA_OK && !found) {
        ra_txn x;
        memset(&x, 0, sizeof x);
        x.kind = t->kind;
        x.id = (uint64_t)(w->n_txns + 1);
        x.date = t->date;
        x.security = (uint32_t)sec;
        x.qty_micro = t->qty_micro;
        x.price = t->price;
        x.amount_minor = t->amount_minor;
        x.fees_minor = t->fees_minor;
        x.relief = t->relief;
        x.picks = t->picks;
        x.n_picks = t->n_picks;
        x.lots_in = lots;
        x.n_lots_in = t->n_lots_in;
        x.split = t->split;
        rc = ra_ledger_apply(&w->l, &x, NULL, err);
        if (rc == RA_OK) {
            st = q(s, "INSERT INTO txns (account_id, seq, external_id, kind, day, security_id, "
                      "qty_micro, price, amount_minor, fees_minor, relief, split_num, split_den, "
                      "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
            if (!st || bindf(s, st, err, "iitiiNiiiiiiit", w->id, w->n_txns + 1, t->external_id,
                             (int64_t)t->kind, (int64_t)t->date, sec, t->qty_micro, t->price,
                             t->amount_minor, t->fees_minor, (int64_t)t->relief, t->split.num,
                             t->split.den, detail.p) != RA_OK ||
                run(s, st, err) != RA_OK)
                rc = dberr(err);
        }
        if (rc == RA_OK) {
            w->n_txns++;
            w->dirty = 1;
            stats->applied++;
            sbuf after = {0};
            char eid[2 * RA_CODE_MAX + 2];
            snprintf(eid, sizeof eid, "%s/%s", t->account, t->external_id);
            txn_json(&after, t, detail.p);
            rc = audit_change(s, rc, actor, "append", "transaction", eid, NULL, &after, err);
        }
    }
    if (rc != RA_OK)
        where_txn(err, t);
    free(detail.p);
    free(lot_sec);
    free(lots);
    return rc;
}

ra_status ra_store_txn_append(ra_store *s, const ra_store_actor *actor, const ra_store_txn *txns,
                              size_t n, ra_store_txn_stats *stats, ra_err *err)
{
    ra_store_txn_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    if (rc != RA_OK || n == 0)
        return rc;
    if ((rc = wbegin(s, err)) != RA_OK)
        return rc;
    tmap accts = {0}, secs = {0};
    acct_work *work = NULL;
    size_t n_work = 0, cap_work = 0;
    for (size_t i = 0; i < n && rc == RA_OK; i++)
        rc = txn_one(s, actor, &firm, &accts, &secs, &work, &n_work, &cap_work, &txns[i], stats,
                     err);
    /* write back every changed account in the same transaction */
    for (size_t i = 0; i < n_work; i++) {
        acct_work *w = &work[i];
        if (rc == RA_OK && w->dirty) {
            rc = ledger_save(s, w->id, &w->l, err);
            sbuf after = {0};
            ledger_json(&after, &w->l);
            rc = audit_change(s, rc, actor, "update", "lots", w->code, &w->before, &after, err);
        }
        ra_ledger_free(&w->l);
        free(w->before.p);
    }
    free(work);
    free(accts.slots);
    free(secs.slots);
    rc = wend(s, rc, err);
    if (rc != RA_OK)
        memset(stats, 0, sizeof *stats);
    return rc;
}

ra_status ra_store_txn_count(ra_store *s, const char *firm, const char *account, uint64_t *n,
                             ra_err *err)
{
    firm_row f;
    int64_t id = 0;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = code_id(s, SQL_ACCOUNT_ID, f.id, account, &id, err);
    if (rc == RA_OK && !id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", account, firm);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT COUNT(*) FROM txns WHERE account_id = ?", err);
    if (!st || bindf(s, st, err, "i", id) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err) : RA_EINTERNAL;
    *n = (uint64_t)ci(s, st, 0);
    s->ops->reset(st);
    return RA_OK;
}

/* An account's transactions in order, as ledger transactions (ids = seq). as_of filters by date.
 * Free with txns_free. */
typedef struct txn_list {
    ra_txn *t;
    txn_mem *m;
    size_t n;
} txn_list;

static void txns_free(txn_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->m[i].picks);
        free(l->m[i].lots);
    }
    free(l->t);
    free(l->m);
    memset(l, 0, sizeof *l);
}

static ra_status txns_load(ra_store *s, int64_t account_id, ra_date as_of, txn_list *out,
                           ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_db_stmt *st = q(s, "SELECT seq, kind, day, COALESCE(security_id, 0), qty_micro, price, "
                          "amount_minor, fees_minor, relief, split_num, split_den, detail "
                          "FROM txns WHERE account_id = ? AND day <= ? ORDER BY seq", err);
    if (!st || bindf(s, st, err, "ii", account_id, (int64_t)as_of) != RA_OK)
        return dberr(err);
    size_t cap = 0;
    ra_status rc = RA_OK;
    int r = 0;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 16;
            ra_txn *gt = realloc(out->t, cap * sizeof *gt);
            if (gt)
                out->t = gt;
            txn_mem *gm = gt ? realloc(out->m, cap * sizeof *gm) : NULL;
            if (!gm) {
                rc = nomem(err, "transactions");
                break;
            }
            out->m = gm;
        }
        ra_txn *x = &out->t[out->n];
        memset(x, 0, sizeof *x);
        x->id = (uint64_t)ci(s, st, 0);
        x->kind = (ra_txn_kind)ci(s, st, 1);
        x->date = (ra_date)ci(s, st, 2);
        x->security = (uint32_t)ci(s, st, 3);
        x->qty_micro = ci(s, st, 4);
        x->price = ci(s, st, 5);
        x->amount_minor = ci(s, st, 6);
        x->fees_minor = ci(s, st, 7);
        x->relief = (ra_relief)ci(s, st, 8);
        x->split.num = ci(s, st, 9);
        x->split.den = ci(s, st, 10);
        rc = parse_detail(ct(s, st, 11), x, &out->m[out->n], err);
        if (rc == RA_OK)
            out->n++;
    }
    s->ops->reset(st);
    if (rc == RA_OK && r < 0)
        rc = dberr(err);
    if (rc != RA_OK)
        txns_free(out);
    return rc;
}

/* The same declaration as the store's restructured branch (h/store): at merge, keep that one. */
ra_status ra_store_account_txns(ra_store *s, const char *firm, const char *code, ra_date as_of,
                                ra_txn **out, size_t *n, int *minor_digits, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT id, minor_digits FROM accounts WHERE firm_id = ? AND code = ?",
                       err);
    if (!st || bindf(s, st, err, "it", f.id, code) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW) {
        s->ops->reset(st);
        return r < 0 ? dberr(err)
                     : ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", code, firm);
    }
    int64_t id = ci(s, st, 0);
    if (minor_digits)
        *minor_digits = (int)ci(s, st, 1);
    s->ops->reset(st);
    txn_list tl;
    if ((rc = txns_load(s, id, as_of, &tl, err)) != RA_OK)
        return rc;
    /* one block: the transactions, then every pick, then every lot in */
    size_t np = 0, nl = 0;
    for (size_t i = 0; i < tl.n; i++) {
        np += tl.t[i].n_picks;
        nl += tl.t[i].n_lots_in;
    }
    size_t bytes = tl.n * sizeof(ra_txn) + np * sizeof(ra_lot_pick) + nl * sizeof(ra_lot);
    char *blk = malloc(bytes ? bytes : 1);
    if (!blk) {
        txns_free(&tl);
        return nomem(err, "transactions");
    }
    ra_txn *t = (ra_txn *)(void *)blk;
    ra_lot_pick *picks = (ra_lot_pick *)(void *)(blk + tl.n * sizeof(ra_txn));
    ra_lot *lots = (ra_lot *)(void *)(blk + tl.n * sizeof(ra_txn) + np * sizeof(ra_lot_pick));
    for (size_t i = 0; i < tl.n; i++) {
        t[i] = tl.t[i];
        if (t[i].n_picks) {
            memcpy(picks, tl.t[i].picks, t[i].n_picks * sizeof *picks);
            t[i].picks = picks;
            picks += t[i].n_picks;
        }
        if (t[i].n_lots_in) {
            memcpy(lots, tl.t[i].lots_in, t[i].n_lots_in * sizeof *lots);
            t[i].lots_in = lots;
            lots += t[i].n_lots_in;
        }
    }
    *n = tl.n;
    *out = t;
    txns_free(&tl);
    return RA_OK;
}

/* --- check ----------------------------------------------------------------------------------- */

ra_status ra_store_check(ra_store *s, ra_store_check_result *result, ra_err *err)
{
    ra_store_check_result local = {0, 0};
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    ra_status rc = need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    /* the ids first: the per-account queries reuse the connection */
    ra_db_stmt *st = q(s, "SELECT a.id, a.code, f.code FROM accounts a JOIN firms f "
                          "ON f.id = a.firm_id ORDER BY f.code, a.code", err);
    if (!st)
        return dberr(err);
    typedef struct {
        int64_t id;
        char code[RA_CODE_MAX], firm[RA_CODE_MAX];
    } acc;
    acc *v = NULL;
    size_t n = 0, cap = 0;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        acc *g = grow(v, n, &cap, sizeof *v, 256);
        if (!g) {
            free(v);
            s->ops->reset(st);
            return nomem(err, "the account list");
        }
        v = g;
        v[n].id = ci(s, st, 0);
        copy_str(v[n].code, RA_CODE_MAX, ct(s, st, 1));
        copy_str(v[n].firm, RA_CODE_MAX, ct(s, st, 2));
        n++;
    }
    s->ops->reset(st);
    if (r < 0) {
        free(v);
        return dberr(err);
    }
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_ledger l;
        int64_t n_txns = 0;
        txn_list tl;
        rc = ledger_load(s, v[i].id, &l, &n_txns, err);
        if (rc != RA_OK) {
            snprintf(err ? err->where : (char[128]){0}, 128, "account %.40s (firm %.40s)",
                     v[i].code, v[i].firm);
            break;
        }
        rc = txns_load(s, v[i].id, RA_STORE_DATE_LATEST, &tl, err);
        if (rc == RA_OK) {
            rc = ra_ledger_check(&l, tl.t, tl.n, err);
            if (rc == RA_OK && (int64_t)tl.n != n_txns)
                rc = ra_err_set(err, RA_ECONFLICT, NULL, "%lld transactions are counted but "
                                "%zu are stored", (long long)n_txns, tl.n);
            result->n_transactions += tl.n;
            txns_free(&tl);
        }
        ra_ledger_free(&l);
        if (rc != RA_OK) {
            if (rc == RA_EINVAL || rc == RA_ENOTFOUND) /* a replay that fails is a break too */
                rc = err ? (err->code = RA_ECONFLICT) : RA_ECONFLICT;
            if (err)
                snprintf(err->where, sizeof err->where, "account %.40s (firm %.40s)", v[i].code,
                         v[i].firm);
            break;
        }
        result->n_accounts++;
    }
    free(v);
    if (rc == RA_OK)
        rc = s->ops->integrity(s->db, err);
    return rc;
}

/* --- holdings, valuation --------------------------------------------------------------------- */

typedef struct acct_brief {
    int64_t id;
    char code[RA_CODE_MAX];
    ra_minor cash;
    int minor_digits;
    int type;
} acct_brief;

static ra_status accounts_of(ra_store *s, int64_t firm_id, acct_brief **out, size_t *n,
                             ra_err *err)
{
    *out = NULL;
    *n = 0;
    ra_db_stmt *st = q(s, "SELECT id, code, cash_minor, minor_digits, type FROM accounts "
                          "WHERE firm_id = ? ORDER BY code", err);
    if (!st || bindf(s, st, err, "i", firm_id) != RA_OK)
        return dberr(err);
    size_t cap = 0;
    acct_brief *v = NULL;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        acct_brief *g = grow(v, *n, &cap, sizeof *v, 256);
        if (!g) {
            free(v);
            *n = 0;
            s->ops->reset(st);
            return nomem(err, "the account list");
        }
        v = g;
        acct_brief *a = &v[(*n)++];
        a->id = ci(s, st, 0);
        copy_str(a->code, RA_CODE_MAX, ct(s, st, 1));
        a->cash = ci(s, st, 2);
        a->minor_digits = (int)ci(s, st, 3);
        a->type = (int)ci(s, st, 4);
    }
    s->ops->reset(st);
    if (r < 0) {
        free(v);
        *n = 0;
        return dberr(err);
    }
    *out = v;
    return RA_OK;
}

/* The firm's securities: ids and tickers in ticker order. */
typedef struct sec_list {
    int64_t *id;
    char (*ticker)[RA_CODE_MAX];
    size_t n;
} sec_list;

static ra_status securities_of(ra_store *s, int64_t firm_id, sec_list *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_db_stmt *st = q(s, "SELECT id, ticker FROM securities WHERE firm_id = ? ORDER BY ticker",
                       err);
    if (!st || bindf(s, st, err, "i", firm_id) != RA_OK)
        return dberr(err);
    size_t cap = 0;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *gi = realloc(out->id, cap * sizeof *gi);
            if (gi)
                out->id = gi;
            char (*gt)[RA_CODE_MAX] = gi ? realloc(out->ticker, cap * sizeof *gt) : NULL;
            if (!gt) {
                s->ops->reset(st);
                free(out->id);
                free(out->ticker);
                memset(out, 0, sizeof *out);
                return nomem(err, "the security list");
            }
            out->ticker = gt;
        }
        out->id[out->n] = ci(s, st, 0);
        copy_str(out->ticker[out->n], RA_CODE_MAX, ct(s, st, 1));
        out->n++;
    }
    s->ops->reset(st);
    if (r < 0) {
        free(out->id);
        free(out->ticker);
        memset(out, 0, sizeof *out);
        return dberr(err);
    }
    return RA_OK;
}

static long sec_index(const sec_list *l, int64_t id)
{
    /* ids are not in ticker order: linear scan is fine for a firm's shelf; the snapshot uses a
     * sorted copy instead */
    for (size_t i = 0; i < l->n; i++)
        if (l->id[i] == id)
            return (long)i;
    return -1;
}

/* Quantity per security index of one ledger: qty[n_sec], zeroed by the caller. */
static void ledger_qty(const ra_ledger *l, const sec_list *secs, ra_micro *qty)
{
    for (size_t i = 0; i < l->n_lots; i++) {
        long k = sec_index(secs, l->lots[i].security);
        if (k >= 0)
            qty[k] += l->lots[i].qty_micro;
    }
}

/* Every account's ledger at as_of (replayed if not the latest); calls fn for each. */
typedef ra_status (*acct_fn)(void *ctx, const acct_brief *a, const ra_ledger *l, ra_err *err);

static ra_status each_account(ra_store *s, int64_t firm_id, ra_date as_of, acct_fn fn, void *ctx,
                              ra_err *err)
{
    acct_brief *v = NULL;
    size_t n = 0;
    ra_status rc = accounts_of(s, firm_id, &v, &n, err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_ledger l;
        int64_t n_txns = 0;
        if (as_of == RA_STORE_DATE_LATEST) {
            rc = ledger_load(s, v[i].id, &l, &n_txns, err);
        } else {
            txn_list tl;
            ra_ledger_settings set;
            ra_ledger_settings_default(&set);
            set.minor_digits = v[i].minor_digits;
            rc = txns_load(s, v[i].id, as_of, &tl, err);
            if (rc == RA_OK) {
                rc = ra_ledger_replay(tl.t, tl.n, &set, NULL, &l, err);
                txns_free(&tl);
            }
        }
        if (rc != RA_OK)
            break;
        v[i].cash = l.cash_minor;
        rc = fn(ctx, &v[i], &l, err);
        ra_ledger_free(&l);
    }
    free(v);
    return rc;
}

typedef struct holdings_ctx {
    sec_list secs;
    ra_micro *qty;
    ra_position *out;
    size_t n, cap;
} holdings_ctx;

static int push_pos(holdings_ctx *h, const char *account, const char *ticker, ra_micro q,
                    ra_minor cash)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        ra_position *g = realloc(h->out, cap * sizeof *g);
        if (!g)
            return -1;
        h->out = g;
        h->cap = cap;
    }
    ra_position *p = &h->out[h->n++];
    memset(p, 0, sizeof *p);
    copy_str(p->account, RA_CODE_MAX, account);
    copy_str(p->ticker, RA_CODE_MAX, ticker);
    p->qty_micro = q;
    p->cash_minor = cash;
    return 0;
}

static ra_status holdings_fn(void *ctx, const acct_brief *a, const ra_ledger *l, ra_err *err)
{
    holdings_ctx *h = ctx;
    memset(h->qty, 0, (h->secs.n ? h->secs.n : 1) * sizeof *h->qty);
    ledger_qty(l, &h->secs, h->qty);
    if (push_pos(h, a->code, "", 0, l->cash_minor) != 0)
        return nomem(err, "holdings");
    for (size_t k = 0; k < h->secs.n; k++)
        if (h->qty[k] && push_pos(h, a->code, h->secs.ticker[k], h->qty[k], 0) != 0)
            return nomem(err, "holdings");
    return RA_OK;
}

ra_status ra_store_holdings(ra_store *s, const char *firm, ra_date as_of, ra_position **out,
                            size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    holdings_ctx h;
    memset(&h, 0, sizeof h);
    if (rc == RA_OK)
        rc = securities_of(s, f.id, &h.secs, err);
    if (rc != RA_OK)
        return rc;
    h.qty = calloc(h.secs.n ? h.secs.n : 1, sizeof *h.qty);
    rc = h.qty ? each_account(s, f.id, as_of, holdings_fn, &h, err) : nomem(err, "holdings");
    free(h.qty);
    free(h.secs.id);
    free(h.secs.ticker);
    if (rc != RA_OK) {
        free(h.out);
        return rc;
    }
    *out = h.out;
    *n = h.n;
    return RA_OK;
}

typedef struct value_ctx {
    sec_list secs;
    ra_micro *qty;
    ra_price *price; /* per security index; -1 none */
    ra_store_value *out;
    size_t n, cap;
    ra_minor total;
} value_ctx;

static ra_status value_fn(void *ctx, const acct_brief *a, const ra_ledger *l, ra_err *err)
{
    value_ctx *v = ctx;
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 256;
        ra_store_value *g = realloc(v->out, cap * sizeof *g);
        if (!g)
            return nomem(err, "the valuation");
        v->out = g;
        v->cap = cap;
    }
    ra_store_value *x = &v->out[v->n];
    memset(x, 0, sizeof *x);
    copy_str(x->account, RA_CODE_MAX, a->code);
    x->cash_minor = l->cash_minor;
    memset(v->qty, 0, (v->secs.n ? v->secs.n : 1) * sizeof *v->qty);
    ledger_qty(l, &v->secs, v->qty);
    for (size_t k = 0; k < v->secs.n; k++) {
        if (!v->qty[k])
            continue;
        if (v->price[k] < 0) {
            x->n_unpriced++;
            continue;
        }
        ra_minor val = 0;
        ra_status rc = ra_money_value(v->qty[k], v->price[k], a->minor_digits, &val, err);
        if (rc == RA_OK && __builtin_add_overflow(x->securities_minor, val, &x->securities_minor))
            rc = ra_err_set(err, RA_EINVAL, NULL, "account %s: value overflows", a->code);
        if (rc != RA_OK)
            return rc;
    }
    if (__builtin_add_overflow(x->cash_minor, x->securities_minor, &x->total_minor) ||
        __builtin_add_overflow(v->total, x->total_minor, &v->total))
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: value overflows", a->code);
    v->n++;
    return RA_OK;
}

ra_status ra_store_valuation(ra_store *s, const char *firm, ra_date date, ra_store_value **out,
                             size_t *n, ra_minor *total_minor, ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (total_minor)
        *total_minor = 0;
    firm_row f;
    ra_status rc = firm_lookup(s, firm, &f, err);
    value_ctx v;
    memset(&v, 0, sizeof v);
    if (rc == RA_OK)
        rc = securities_of(s, f.id, &v.secs, err);
    if (rc != RA_OK)
        return rc;
    v.qty = calloc(v.secs.n ? v.secs.n : 1, sizeof *v.qty);
    v.price = calloc(v.secs.n ? v.secs.n : 1, sizeof *v.price);
    if (!v.qty || !v.price)
        rc = nomem(err, "the valuation");
    ra_db_stmt *st = NULL;
    for (size_t k = 0; k < v.secs.n && rc == RA_OK; k++) {
        st = q(s, "SELECT price FROM prices WHERE security_id = ? AND day <= ? "
                  "ORDER BY day DESC LIMIT 1", err);
        if (!st || bindf(s, st, err, "ii", v.secs.id[k], (int64_t)date) != RA_OK) {
            rc = dberr(err);
            break;
        }
        int r = s->ops->step(st, err);
        if (r < 0)
            rc = dberr(err);
        v.price[k] = r == RA_DB_ROW ? ci(s, st, 0) : -1;
        s->ops->reset(st);
    }
    if (rc == RA_OK)
        rc = each_account(s, f.id, RA_STORE_DATE_LATEST, value_fn, &v, err);
    free(v.qty);
    free(v.price);
    free(v.secs.id);
    free(v.secs.ticker);
    if (rc != RA_OK) {
        free(v.out);
        return rc;
    }
    *out = v.out;
    *n = v.n;
    if (total_minor)
        *total_minor = v.total;
    return RA_OK;
}

/* --- the engine's snapshot ------------------------------------------------------------------- */

typedef struct id_index {
    int64_t id;
    uint32_t index;
} id_index;

static int cmp_id_index(const void *a, const void *b)
{
    int64_t x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
    return x < y ? -1 : x > y;
}

static ra_status count_of(ra_store *s, const char *sql, int64_t firm_id, size_t *n, ra_err *err)
{
    ra_db_stmt *st = q(s, sql, err);
    if (!st || bindf(s, st, err, "i", firm_id) != RA_OK)
        return dberr(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? dberr(err) : RA_EINTERNAL;
    *n = (size_t)ci(s, st, 0);
    s->ops->reset(st);
    return RA_OK;
}

void ra_store_snapshot_destroy(ra_store_snapshot *snap) { free(snap); }

ra_status ra_store_snapshot_load(ra_store *s, const char *firm, ra_store_snapshot **out,
                                 ra_err *err)
{
    *out = NULL;
    firm_row f;
    size_t na = 0, nl = 0, ns = 0;
    ra_status rc = firm_lookup(s, firm, &f, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM accounts WHERE firm_id = ?", f.id, &na, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM lots l JOIN accounts a ON a.id = l.account_id "
                         "WHERE a.firm_id = ?", f.id, &nl, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM securities WHERE firm_id = ?", f.id, &ns, err);
    if (rc != RA_OK)
        return rc;
    if (nl > UINT32_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu lots do not fit a snapshot", nl);
    /* one block: the struct, then each array aligned to 8 bytes */
#define AL(x) (((x) + 7) & ~(size_t)7)
    size_t off = AL(sizeof(ra_store_snapshot));
    size_t o_code = off; off += AL(na * RA_CODE_MAX);
    size_t o_aid = off; off += AL(na * sizeof(uint64_t));
    size_t o_cash = off; off += AL(na * sizeof(ra_minor));
    size_t o_type = off; off += AL(na);
    size_t o_start = off; off += AL((na + 1) * sizeof(uint32_t));
    size_t o_lid = off; off += AL(nl * sizeof(uint64_t));
    size_t o_lsec = off; off += AL(nl * sizeof(uint32_t));
    size_t o_lacq = off; off += AL(nl * sizeof(ra_date));
    size_t o_lqty = off; off += AL(nl * sizeof(ra_micro));
    size_t o_lbas = off; off += AL(nl * sizeof(ra_minor));
    size_t o_tick = off; off += AL(ns * RA_CODE_MAX);
#undef AL
    char *blk = calloc(1, off);
    id_index *map = calloc(ns ? ns : 1, sizeof *map);
    if (!blk || !map) {
        free(blk);
        free(map);
        return nomem(err, "the snapshot");
    }
    ra_store_snapshot *sn = (ra_store_snapshot *)(void *)blk;
    sn->n_accounts = na;
    sn->account_code = (char (*)[RA_CODE_MAX])(void *)(blk + o_code);
    sn->account_id = (uint64_t *)(void *)(blk + o_aid);
    sn->cash_minor = (ra_minor *)(void *)(blk + o_cash);
    sn->account_type = (uint8_t *)(void *)(blk + o_type);
    sn->lot_start = (uint32_t *)(void *)(blk + o_start);
    sn->n_lots = nl;
    sn->lot_id = (uint64_t *)(void *)(blk + o_lid);
    sn->lot_security = (uint32_t *)(void *)(blk + o_lsec);
    sn->lot_acquired = (ra_date *)(void *)(blk + o_lacq);
    sn->lot_qty_micro = (ra_micro *)(void *)(blk + o_lqty);
    sn->lot_basis_minor = (ra_minor *)(void *)(blk + o_lbas);
    sn->n_securities = ns;
    sn->tickers = (char (*)[RA_CODE_MAX])(void *)(blk + o_tick);
    sn->bytes = off;

    /* securities in ticker order, and a sorted id -> index map */
    ra_db_stmt *st = q(s, "SELECT id, ticker FROM securities WHERE firm_id = ? ORDER BY ticker",
                       err);
    size_t k = 0;
    int r = -1;
    if (st && bindf(s, st, err, "i", f.id) == RA_OK)
        while ((r = s->ops->step(st, err)) == RA_DB_ROW && k < ns) {
            map[k].id = ci(s, st, 0);
            map[k].index = (uint32_t)k;
            copy_str(sn->tickers[k], RA_CODE_MAX, ct(s, st, 1));
            k++;
        }
    if (st)
        s->ops->reset(st);
    if (r < 0 || k != ns)
        rc = r < 0 ? dberr(err)
                   : ra_err_set(err, RA_ECONFLICT, NULL, "the securities changed while loading");
    qsort(map, ns, sizeof *map, cmp_id_index);

    /* accounts in code order */
    k = 0;
    if (rc == RA_OK) {
        st = q(s, "SELECT id, code, cash_minor, type FROM accounts WHERE firm_id = ? "
                  "ORDER BY code", err);
        r = -1;
        if (st && bindf(s, st, err, "i", f.id) == RA_OK)
            while ((r = s->ops->step(st, err)) == RA_DB_ROW && k < na) {
                sn->account_id[k] = (uint64_t)ci(s, st, 0);
                copy_str(sn->account_code[k], RA_CODE_MAX, ct(s, st, 1));
                sn->cash_minor[k] = ci(s, st, 2);
                sn->account_type[k] = (uint8_t)ci(s, st, 3);
                k++;
            }
        if (st)
            s->ops->reset(st);
        if (r < 0 || k != na)
            rc = r < 0 ? dberr(err)
                       : ra_err_set(err, RA_ECONFLICT, NULL, "the accounts changed while loading");
    }
    /* lots in the same account order */
    if (rc == RA_OK) {
        st = q(s, "SELECT l.account_id, l.lot_id, l.security_id, l.acquired, l.qty_micro, "
                  "l.basis_minor FROM lots l JOIN accounts a ON a.id = l.account_id "
                  "WHERE a.firm_id = ? ORDER BY a.code, l.lot_id", err);
        size_t j = 0, ai = 0;
        r = -1;
        if (st && bindf(s, st, err, "i", f.id) == RA_OK)
            while ((r = s->ops->step(st, err)) == RA_DB_ROW && j < nl) {
                uint64_t aid = (uint64_t)ci(s, st, 0);
                while (ai < na && sn->account_id[ai] != aid)
                    sn->lot_start[++ai] = (uint32_t)j;
                if (ai == na)
                    break;
                sn->lot_id[j] = (uint64_t)ci(s, st, 1);
                id_index key = {ci(s, st, 2), 0};
                id_index *hit = bsearch(&key, map, ns, sizeof *map, cmp_id_index);
                sn->lot_security[j] = hit ? hit->index : UINT32_MAX;
                sn->lot_acquired[j] = (ra_date)ci(s, st, 3);
                sn->lot_qty_micro[j] = ci(s, st, 4);
                sn->lot_basis_minor[j] = ci(s, st, 5);
                j++;
            }
        if (st)
            s->ops->reset(st);
        while (ai < na)
            sn->lot_start[++ai] = (uint32_t)j;
        if (r < 0)
            rc = dberr(err);
        else if (j != nl)
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "the lots changed while loading");
    }
    free(map);
    if (rc != RA_OK) {
        free(blk);
        return rc;
    }
    *out = sn;
    return RA_OK;
}

/* --- bulk opening of accounts ---------------------------------------------------------------- */

/* Accounts per round of bulk loads: bounds the memory of one round (about 2 KiB an account)
 * while keeping the per-round statements (staging, the joins for client and account ids) rare. */
#define OPEN_CHUNK 4096

/* One account of a round, computed in memory before anything is written. */
typedef struct open_acc {
    const ra_store_opening *o;
    int64_t client_id, id;
    ra_ledger l;
    int have_ledger;
    int minor_digits;
    size_t nt;             /* opening transactions: open-cash and/or open-lots */
    ra_txn_kind kind[2];
    ra_minor amount[2];
    const char *extid[2];
    char *detail;          /* the open-lots transaction's canonical lots text */
    char *after;           /* the audit record's after JSON */
    int64_t seq;
    char prev[65], hash[65];
} open_acc;

static void open_acc_free(open_acc *x)
{
    if (x->have_ledger)
        ra_ledger_free(&x->l);
    free(x->detail);
    free(x->after);
    memset(x, 0, sizeof *x);
}

/* The opening ledger of one account, computed exactly as txn_append would (a deposit, then one
 * transfer in of every lot), its transactions' texts and its audit record chained from prev. */
static ra_status open_compute(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                              tmap *secs, open_acc *x, char prev[65], int64_t *seq, int64_t at,
                              ra_err *err)
{
    const ra_store_opening *o = x->o;
    const ra_account *a = o->account;
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    set.minor_digits = currency_digits(a->currency);
    x->minor_digits = set.minor_digits;
    ra_status rc = ra_ledger_init(&x->l, &set, NULL, err);
    if (rc != RA_OK)
        return rc;
    x->have_ledger = 1;
    size_t nl = o->n_lots ? o->n_lots : 1;
    ra_lot *lots = calloc(nl, sizeof *lots);
    int64_t *lot_sec = calloc(nl, sizeof *lot_sec);
    sbuf detail = {0}, after = {0};
    if (!lots || !lot_sec)
        rc = nomem(err, "lots");
    for (size_t i = 0; i < o->n_lots && rc == RA_OK; i++) {
        rc = ticker_id(s, secs, firm, o->lots[i].ticker, 0, NULL, &lot_sec[i], err);
        if (rc == RA_OK && !lot_sec[i])
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no security %s", a->code,
                            o->lots[i].ticker);
        if (rc == RA_OK) {
            lots[i].security = (uint32_t)lot_sec[i];
            lots[i].acquired = o->lots[i].acquired;
            lots[i].qty_micro = o->lots[i].qty_micro;
            lots[i].basis_minor = o->lots[i].basis_minor;
        }
    }
    if (rc == RA_OK && o->cash_minor > 0) {
        ra_txn t = {0};
        t.kind = RA_TXN_DEPOSIT;
        t.id = 1;
        t.date = o->date;
        t.amount_minor = o->cash_minor;
        rc = ra_ledger_apply(&x->l, &t, NULL, err);
        x->kind[x->nt] = t.kind;
        x->amount[x->nt] = t.amount_minor;
        x->extid[x->nt++] = "open-cash";
    }
    if (rc == RA_OK && o->n_lots) {
        ra_txn t = {0};
        t.kind = RA_TXN_TRANSFER_IN;
        t.id = x->nt + 1;
        t.date = o->date;
        t.lots_in = lots;
        t.n_lots_in = o->n_lots;
        rc = ra_ledger_apply(&x->l, &t, NULL, err);
        ra_store_txn st;
        memset(&st, 0, sizeof st);
        st.kind = t.kind;
        st.lots_in = o->lots;
        st.n_lots_in = o->n_lots;
        txn_detail(&detail, &st, lot_sec);
        x->kind[x->nt] = t.kind;
        x->amount[x->nt] = 0;
        x->extid[x->nt++] = "open-lots";
    }
    if (rc == RA_OK) {
        sb_str(&after, "{");
        jkey(&after, "account");
        account_json(&after, a);
        jkey(&after, "ledger");
        ledger_json(&after, &x->l);
        sb_str(&after, "}");
        if (after.failed || detail.failed)
            rc = nomem(err, "an audit record");
    }
    if (rc == RA_OK) { /* one audit record, chained from the head kept by the caller */
        x->seq = ++*seq;
        memcpy(x->prev, prev, 65);
        audit_hash(prev, x->seq, at, actor->user, actor->firm, "open", "account", a->code,
                   "null", after.p, x->hash);
        memcpy(prev, x->hash, 65);
        x->detail = detail.p;
        x->after = after.p;
        detail.p = after.p = NULL;
    }
    free(detail.p);
    free(after.p);
    free(lots);
    free(lot_sec);
    return rc;
}

static int cmp_lot_id(const void *x, const void *y)
{
    const ra_lot *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Ends a bulk load begun by the caller, keeping the first error. */
static ra_status bulk_done(ra_store *s, ra_db_bulk *b, ra_status rc, ra_err *err)
{
    if (rc == RA_OK)
        return s->ops->bulk_end(b, 1, err);
    ra_err keep = {0};
    (void)s->ops->bulk_end(b, 0, &keep);
    return rc;
}

static ra_db_val vi(int64_t i) { ra_db_val v = {'i', i, 0.0, NULL}; return v; }
static ra_db_val vd(double d) { ra_db_val v = {'d', 0, d, NULL}; return v; }
static ra_db_val vt(const char *t) { ra_db_val v = {'t', 0, 0.0, t}; return v; }

/* Stages the round's account and client codes in the temporary table ra_open, then resolves the
 * clients and refuses accounts that exist already or are given twice, with set-based statements
 * (a handful of round trips per round on PostgreSQL instead of one per account). */
static ra_status open_stage(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                            open_acc *x, size_t m, ra_err *err)
{
    ra_status rc = s->ops->exec(s->db,
                                "CREATE TEMP TABLE IF NOT EXISTS ra_open (i BIGINT NOT NULL "
                                "PRIMARY KEY, code TEXT NOT NULL, client TEXT NOT NULL); "
                                "DELETE FROM ra_open",
                                err);
    static const char *const cols[] = {"i", "code", "client"};
    ra_db_bulk *b = NULL;
    if (rc == RA_OK)
        rc = s->ops->bulk_begin(s->db, "ra_open", cols, 3, &b, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        ra_db_val v[3] = {vi((int64_t)i), vt(x[i].o->account->code), vt(x[i].o->account->client)};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;
    if (s->ops->round_trip && (rc = s->ops->exec(s->db, "ANALYZE ra_open", err)) != RA_OK)
        return rc; /* the planner then joins through the indexes, not by scanning accounts */
    ra_db_stmt *st = q(s, "SELECT code FROM ra_open GROUP BY code HAVING count(*) > 1", err);
    int r = st ? s->ops->step(st, err) : -1;
    if (r == RA_DB_ROW) {
        char code[RA_CODE_MAX];
        copy_str(code, sizeof code, ct(s, st, 0));
        s->ops->reset(st);
        return ra_err_set(err, RA_ECONFLICT, NULL, "account %s is given twice", code);
    }
    if (r < 0)
        return dberr(err);
    s->ops->reset(st);
    st = q(s, "SELECT o.i FROM ra_open o JOIN accounts a ON a.firm_id = ? AND a.code = o.code "
              "ORDER BY o.i", err);
    if (!st || bindf(s, st, err, "i", firm->id) != RA_OK)
        return dberr(err);
    r = s->ops->step(st, err);
    if (r == RA_DB_ROW) {
        size_t i = (size_t)ci(s, st, 0);
        s->ops->reset(st);
        return ra_err_set(err, RA_ECONFLICT, NULL, "account %s exists already",
                          i < m ? x[i].o->account->code : "?");
    }
    if (r < 0)
        return dberr(err);
    s->ops->reset(st);
    st = q(s, "SELECT o.i, c.id FROM ra_open o LEFT JOIN clients c ON c.firm_id = ? AND "
              "c.code = o.client ORDER BY o.i", err);
    if (!st || bindf(s, st, err, "i", firm->id) != RA_OK)
        return dberr(err);
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        size_t i = (size_t)ci(s, st, 0);
        if (i < m)
            x[i].client_id = s->ops->col_is_null(st, 1) ? 0 : ci(s, st, 1);
    }
    s->ops->reset(st);
    if (r < 0)
        return dberr(err);
    for (size_t i = 0; i < m; i++)
        if (!x[i].client_id)
            return ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no client %s in firm %s",
                              x[i].o->account->code, x[i].o->account->client, actor->firm);
    return RA_OK;
}

/* Writes a computed round: the accounts (bulk), their new ids (one join), then transactions,
 * lots in primary-key order and audit records, each table in one bulk load. */
static ra_status open_write(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                            open_acc *x, size_t m, int64_t at, ra_err *err)
{
    static const char *const acols[] = {
        "firm_id", "code", "client_id", "type", "currency", "minor_digits", "opened", "model",
        "discretionary", "drift_band", "tlh_enabled", "loss_limit", "restrictions", "cash_minor",
        "next_lot_id", "n_txns", "cash_in_minor", "cash_out_minor", "basis_in_minor",
        "basis_sold_minor", "basis_out_minor", "proceeds_minor", "gain_short_minor",
        "gain_long_minor"};
    ra_db_bulk *b = NULL;
    ra_status rc = s->ops->bulk_begin(s->db, "accounts", acols, 24, &b, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        const ra_account *a = x[i].o->account;
        const ra_mandate *md = &a->mandate;
        const ra_ledger_totals *t = &x[i].l.totals;
        ra_db_val v[24] = {
            vi(firm->id), vt(a->code), vi(x[i].client_id), vi((int64_t)a->type),
            vt(a->currency), vi(x[i].minor_digits), vi((int64_t)a->opened), vt(md->model),
            vi(md->discretionary), vd(md->drift_band), vi(md->tlh_enabled), vd(md->loss_limit),
            vt(md->restrictions), vi(x[i].l.cash_minor), vi((int64_t)x[i].l.next_lot_id),
            vi((int64_t)t->n_txns), vi(t->cash_in_minor), vi(t->cash_out_minor),
            vi(t->basis_in_minor), vi(t->basis_sold_minor), vi(t->basis_out_minor),
            vi(t->proceeds_minor), vi(t->gain_short_minor), vi(t->gain_long_minor)};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;
    ra_db_stmt *st = q(s, "SELECT o.i, a.id FROM ra_open o JOIN accounts a ON a.firm_id = ? AND "
                          "a.code = o.code", err);
    if (!st || bindf(s, st, err, "i", firm->id) != RA_OK)
        return dberr(err);
    int r;
    size_t got = 0;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        size_t i = (size_t)ci(s, st, 0);
        if (i < m && !x[i].id) {
            x[i].id = ci(s, st, 1);
            got++;
        }
    }
    s->ops->reset(st);
    if (r < 0)
        return dberr(err);
    if (got != m)
        return ra_err_set(err, RA_EINTERNAL, NULL, "%zu of %zu new accounts found again", got, m);

    static const char *const tcols[] = {"account_id", "seq", "external_id", "kind", "day",
                                        "security_id", "qty_micro", "price", "amount_minor",
                                        "fees_minor", "relief", "split_num", "split_den",
                                        "detail"};
    if ((rc = s->ops->bulk_begin(s->db, "txns", tcols, 14, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++)
        for (size_t k = 0; k < x[i].nt && rc == RA_OK; k++) {
            ra_db_val v[14] = {vi(x[i].id), vi((int64_t)k + 1), vt(x[i].extid[k]),
                               vi((int64_t)x[i].kind[k]), vi((int64_t)x[i].o->date),
                               {'n', 0, 0.0, NULL}, vi(0), vi(0), vi(x[i].amount[k]), vi(0),
                               vi(0), vi(0), vi(0),
                               vt(x[i].kind[k] == RA_TXN_TRANSFER_IN && x[i].detail
                                      ? x[i].detail : "")};
            rc = s->ops->bulk_row_vals(b, v, err);
        }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;

    static const char *const lcols[] = {"account_id", "lot_id", "security_id", "acquired",
                                        "qty_micro", "basis_minor"};
    if ((rc = s->ops->bulk_begin(s->db, "lots", lcols, 6, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        /* the ledger keeps its lots by security; the table's key is (account, lot id) */
        if (x[i].l.n_lots > 1)
            qsort(x[i].l.lots, x[i].l.n_lots, sizeof *x[i].l.lots, cmp_lot_id);
        for (size_t j = 0; j < x[i].l.n_lots && rc == RA_OK; j++) {
            const ra_lot *l = &x[i].l.lots[j];
            int64_t v[6] = {x[i].id, (int64_t)l->id, (int64_t)l->security,
                            (int64_t)l->acquired, l->qty_micro, l->basis_minor};
            rc = s->ops->bulk_row(b, v, err);
        }
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;

    static const char *const au[] = {"seq", "at", "user_name", "firm", "action", "entity",
                                     "entity_id", "before_json", "after_json", "prev_hash",
                                     "hash"};
    if ((rc = s->ops->bulk_begin(s->db, "audit_log", au, 11, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        ra_db_val v[11] = {vi(x[i].seq), vi(at), vt(actor->user), vt(actor->firm), vt("open"),
                           vt("account"), vt(x[i].o->account->code), vt("null"), vt(x[i].after),
                           vt(x[i].prev), vt(x[i].hash)};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    return bulk_done(s, b, rc, err);
}

void ra_store_test_open_chunk(ra_store *s, size_t n) { s->open_chunk = n; }

ra_status ra_store_accounts_open_bulk(ra_store *s, const ra_store_actor *actor,
                                      const ra_store_opening *v, size_t n, ra_err *err)
{
    firm_row firm;
    ra_status rc = check_actor(actor, err);
    if (rc == RA_OK)
        rc = firm_lookup(s, actor->firm, &firm, err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) { /* arguments first: nothing to undo */
        rc = v[i].account ? validate_account(v[i].account, err)
                          : ra_err_set(err, RA_EINVAL, NULL, "opening %zu has no account", i);
        if (rc == RA_OK && v[i].cash_minor < 0)
            rc = ra_err_set(err, RA_EINVAL, NULL, "account %s: opening cash %lld is negative",
                            v[i].account->code, (long long)v[i].cash_minor);
    }
    if (rc != RA_OK || n == 0 || (rc = wbegin(s, err)) != RA_OK)
        return rc;
    /* the chain head, locked and read once per transaction, advanced in memory */
    char prev[65] = "";
    int64_t seq = 0;
    rc = head_get(s, err);
    if (rc == RA_OK) {
        seq = s->head.seq;
        memcpy(prev, s->head.hash, sizeof prev);
    }
    tmap secs = {0};
    size_t chunk = s->open_chunk ? s->open_chunk : OPEN_CHUNK;
    size_t cap = n < chunk ? n : chunk;
    open_acc *x = rc == RA_OK ? calloc(cap, sizeof *x) : NULL;
    if (rc == RA_OK && !x)
        rc = nomem(err, "the batch");
    int64_t at = (int64_t)time(NULL);
    for (size_t first = 0; first < n && rc == RA_OK; first += cap) {
        size_t m = n - first < cap ? n - first : cap;
        for (size_t i = 0; i < m; i++)
            x[i].o = &v[first + i];
        rc = open_stage(s, actor, &firm, x, m, err);
        for (size_t i = 0; i < m && rc == RA_OK; i++) {
            rc = open_compute(s, actor, &firm, &secs, &x[i], prev, &seq, at, err);
            if (rc != RA_OK && err && !err->where[0])
                snprintf(err->where, sizeof err->where, "account %.40s", x[i].o->account->code);
        }
        if (rc == RA_OK)
            rc = open_write(s, actor, &firm, x, m, at, err);
        for (size_t i = 0; i < m; i++)
            open_acc_free(&x[i]);
    }
    free(x);
    free(secs.slots);
    if (rc == RA_OK) {
        s->head.seq = seq;
        memcpy(s->head.hash, prev, sizeof prev);
        s->head.dirty = 1;
    }
    return wend(s, rc, err);
}

/* --- for the store's other files (store_int.h) ------------------------------------------------ */

ra_db *ra_store_db(ra_store *s) { return s->db; }

int ra_store_in_txn(const ra_store *s) { return s->in_txn; }

ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *actor, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err)
{
    return audit(s, actor, action, entity, entity_id, before, after, err);
}

ra_status ra_store_scope_begin(ra_store *s, int *own, ra_err *err)
{
    *own = 0;
    if (!s->in_txn) {
        ra_status rc = ra_store_begin(s, err);
        *own = rc == RA_OK;
        return rc;
    }
    return wbegin(s, err);
}

ra_status ra_store_scope_end(ra_store *s, int own, ra_status rc, ra_err *err)
{
    if (!own)
        return wend(s, rc, err);
    if (rc == RA_OK)
        return ra_store_commit(s, err);
    ra_err keep = {0};
    (void)ra_store_rollback(s, &keep);
    return rc;
}
