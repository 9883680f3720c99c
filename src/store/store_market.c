/* roboadvisor store: prices, dividends and splits, staged and merged with set-based SQL
 * (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- prices, dividends, splits: staged, then merged with set-based SQL ----------------------- */

typedef struct series_kind {
    const char *what;  /* "price", "dividend", "split" */
    const char *table; /* its table, the audit record's entity */
    int n_vals;        /* 1 or 2 */
    const char *stored_conflict_sql, *update_sql, *insert_sql;
} series_kind;

static const series_kind K_PRICE = {
    "price", "prices", 1,
    "SELECT s.a, s.b, p.price, 0, s.c, s.d FROM ra_stage s JOIN prices p ON p.security_id = s.a "
    "AND p.day = s.b WHERE p.price <> s.c ORDER BY s.a, s.b LIMIT 1",
    "UPDATE prices SET price = (SELECT s.c FROM ra_stage s WHERE s.a = prices.security_id "
    "AND s.b = prices.day) WHERE EXISTS (SELECT 1 FROM ra_stage s WHERE s.a = prices.security_id "
    "AND s.b = prices.day AND s.c <> prices.price)",
    "INSERT INTO prices (security_id, day, price) SELECT a, b, c FROM ra_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM prices p WHERE p.security_id = s.a AND p.day = s.b)"};
static const series_kind K_DIVIDEND = {
    "dividend", "dividends", 1,
    "SELECT s.a, s.b, p.amount, 0, s.c, s.d FROM ra_stage s JOIN dividends p "
    "ON p.security_id = s.a AND p.day = s.b WHERE p.amount <> s.c ORDER BY s.a, s.b LIMIT 1",
    "UPDATE dividends SET amount = (SELECT s.c FROM ra_stage s "
    "WHERE s.a = dividends.security_id AND s.b = dividends.day) WHERE EXISTS (SELECT 1 FROM "
    "ra_stage s WHERE s.a = dividends.security_id AND s.b = dividends.day "
    "AND s.c <> dividends.amount)",
    "INSERT INTO dividends (security_id, day, amount) SELECT a, b, c FROM ra_stage s "
    "WHERE NOT EXISTS (SELECT 1 FROM dividends p WHERE p.security_id = s.a AND p.day = s.b)"};
static const series_kind K_SPLIT = {
    "split", "splits", 2,
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
static ra_status stage_rows(ra_store *s, const ra_store_actor *actor, const series_kind *k,
                            const firm_row *firm, const char *base, size_t stride,
                            size_t off_ticker, size_t off_day, size_t off_c, size_t off_d,
                            size_t n, unsigned flags, ra_store_put_stats *stats, size_t *distinct,
                            char batch_hash[65], ra_err *err)
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
    stage_row *rows = ra_malloc((n ? n : 1) * sizeof *rows);
    if (!rows)
        return sq_nomem(err, "the batch");
    rs_tmap m = {0};
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        const char *r = base + i * stride;
        const char *t = r + off_ticker;
        stage_row *x = &rows[i];
        x->idx = i;
        x->day = *(const ra_date *)(const void *)(r + off_day);
        x->c = *(const int64_t *)(const void *)(r + off_c);
        x->d = off_d ? *(const int64_t *)(const void *)(r + off_d) : 0;
        x->sec = 0;
        rc = rs_ticker_id(s, actor, &m, firm, t, (flags & RA_STORE_PUT_CREATE_SECURITIES) != 0,
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
    ra_free(m.slots);
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
        ra_free(rows);
        return rc;
    }
    /* the batch's content hash (docs/methodology.md#state-images): its distinct rows in
     * (security id, date) order */
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i < u && rc == RA_OK; i++) {
        int64_t v[4] = {rows[i].sec, rows[i].day, rows[i].c, rows[i].d};
        char line[96];
        int len = snprintf(line, sizeof line, "%lld:%lld:%lld:%lld\n", (long long)v[0],
                           (long long)v[1], (long long)v[2], (long long)v[3]);
        crypto_generichash_update(&h, (const uint8_t *)line, (size_t)len);
        rc = s->ops->bulk_row(b, v, err);
    }
    uint8_t d[32];
    crypto_generichash_final(&h, d, sizeof d);
    rs_hex(d, sizeof d, batch_hash);
    ra_free(rows);
    ra_status rc2 = s->ops->bulk_end(b, rc == RA_OK, err);
    *distinct = u;
    return rc != RA_OK ? rc : rc2;
}

/* The staged rows against the stored ones: a different stored value is a conflict (or replaced
 * with RA_STORE_PUT_REPLACE), new dates are inserted. */
static ra_status series_merge(ra_store *s, const series_kind *k, unsigned flags,
                              size_t distinct, ra_store_put_stats *stats, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, k->stored_conflict_sql, err);
    if (!st)
        return sq_err(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW && !(flags & RA_STORE_PUT_REPLACE)) {
        char tk[RA_CODE_MAX], ds[11], v1[64], v2[64];
        int64_t sec = sq_int(s, st, 0), day = sq_int(s, st, 1);
        value_text(k, sq_int(s, st, 2), sq_int(s, st, 3), v1, sizeof v1);
        value_text(k, sq_int(s, st, 4), sq_int(s, st, 5), v2, sizeof v2);
        s->ops->reset(st);
        rs_ticker_of(s, sec, tk);
        return ra_err_set(err, RA_ECONFLICT, NULL, "%s %s: %s %s is stored, %s given", tk,
                          ra_date_format((ra_date)day, ds), k->what, v1, v2);
    }
    s->ops->reset(st);
    if (r == RA_DB_ROW) {
        st = sq_prep(s, k->update_sql, err);
        if (!st || sq_run_now(s, st, err) != RA_OK)
            return sq_err(err);
        stats->replaced = (size_t)s->ops->changes(st);
    }
    st = sq_prep(s, k->insert_sql, err);
    if (!st || sq_run_now(s, st, err) != RA_OK)
        return sq_err(err);
    stats->inserted = (size_t)s->ops->changes(st);
    stats->unchanged = distinct - stats->inserted - stats->replaced;
    return RA_OK;
}

/* One audit record per batch that changed something (entity "prices", "dividends" or
 * "splits", entity id the batch's content hash), imaging the series of every security the batch
 * names. */
static ra_status series_audit(ra_store *s, const ra_store_actor *actor, const series_kind *k,
                              size_t distinct, const ra_store_put_stats *stats,
                              const char batch_hash[65], ra_err *err)
{
    void *tv = NULL;
    size_t n = 0;
    ra_status rc = sq_rows(s, sq_prep(s, "SELECT DISTINCT t.ticker FROM ra_stage x JOIN securities "
                                      "t ON t.id = x.a ORDER BY 1", err),
                           &tv, &n, RA_CODE_MAX, 16, "the batch", sq_row_code, err);
    char (*tickers)[RA_CODE_MAX] = tv;
    rs_group *g = rc == RA_OK ? ra_calloc(n ? n : 1, sizeof *g) : NULL;
    if (rc == RA_OK && !g)
        rc = sq_nomem(err, "the batch");
    for (size_t i = 0; i < n && g; i++) {
        g[i].spec = rs_state_spec(k->table);
        g[i].grp = tickers[i];
    }
    json_t *after = json_object();
    rs_jstr(after, "kind", k->what);
    rs_jint(after, "rows", (int64_t)distinct);
    rs_jint(after, "inserted", (int64_t)stats->inserted);
    rs_jint(after, "replaced", (int64_t)stats->replaced);
    rs_jint(after, "securities", (int64_t)n);
    rs_jstr(after, "content_blake2b", batch_hash);
    char *a = rs_json_dump(after);
    if (rc == RA_OK && !a)
        rc = sq_nomem(err, "an audit record");
    if (rc == RA_OK)
        rc = rs_audit_groups(s, actor, "import", k->table, batch_hash, "null", a, g, n, err);
    rs_json_free(a);
    ra_free(g);
    ra_free(tickers);
    return rc;
}

static ra_status series_put(ra_store *s, const ra_store_actor *actor, const series_kind *k,
                            const void *rows, size_t stride, size_t off_ticker, size_t off_day,
                            size_t off_c, size_t off_d, size_t n, unsigned flags,
                            ra_store_put_stats *stats, ra_err *err)
{
    ra_store_put_stats local;
    sq_writer w;
    ra_status rc = sq_write_begin(s, actor, n, stats, &local, sizeof local, &w, err);
    if (rc != RA_OK || !w.opened)
        return rc;
    stats = w.stats;
    size_t distinct = 0;
    char batch_hash[65] = "";
    rc = stage_rows(s, actor, k, &w.firm, rows, stride, off_ticker, off_day, off_c, off_d, n, flags,
                    stats, &distinct, batch_hash, err);
    if (rc == RA_OK)
        rc = series_merge(s, k, flags, distinct, stats, err);
    if (rc == RA_OK && stats->inserted + stats->replaced > 0)
        rc = series_audit(s, actor, k, distinct, stats, batch_hash, err);
    return sq_write_end(s, &w, rc, err);
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
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, "SELECT day, price FROM prices WHERE security_id = ? AND "
                     "day <= ? ORDER BY day DESC LIMIT 1", "ii", (int64_t)id, (int64_t)date);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE) {
        char ds[11];
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no price of %s on or before %s", ticker,
                          ra_date_format(date, ds));
    }
    if (on)
        *on = (ra_date)sq_int(s, st, 0);
    *price = sq_int(s, st, 1);
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
    ra_db_stmt *st = sq_prep(s, "SELECT day, price FROM prices WHERE security_id = ? AND day >= ? "
                          "AND day <= ? ORDER BY day", err);
    if (!st || sq_bind(s, st, err, "iii", (int64_t)id, (int64_t)from, (int64_t)to) != RA_OK)
        return sq_err(err);
    size_t cap = 0, k = 0;
    ra_date *d = NULL;
    ra_price *p = NULL;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (k == cap) {
            cap = cap ? 2 * cap : 256;
            ra_date *gd = ra_realloc(d, cap * sizeof *gd);
            if (gd)
                d = gd;
            ra_price *gp = gd ? ra_realloc(p, cap * sizeof *gp) : NULL;
            if (!gd || !gp) {
                ra_free(d);
                ra_free(p);
                s->ops->reset(st);
                return sq_nomem(err, "a price series");
            }
            p = gp;
        }
        d[k] = (ra_date)sq_int(s, st, 0);
        p[k] = sq_int(s, st, 1);
        k++;
    }
    s->ops->reset(st);
    if (r < 0) {
        ra_free(d);
        ra_free(p);
        return sq_err(err);
    }
    *dates = d;
    *prices = p;
    *n = k;
    return RA_OK;
}

