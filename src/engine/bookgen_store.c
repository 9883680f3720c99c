/* The demo book's market files and its writing into the store (include/roboadvisor/bookgen.h,
 * second part). Moved out of the CLI's generate-book (issue 11): the CLI parses arguments, opens
 * the book and prints; reading the market files and writing the book are here. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bookgen.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXN_BATCH 8192 /* transactions handed to the store per call */

void ra_bookgen_data_free(ra_bookgen_data *d)
{
    if (!d)
        return;
    ra_free(d->shelf);
    ra_series_destroy(d->prices);
    RA_FREE_ALL(d->close, d->divs, d->splits);
    memset(d, 0, sizeof *d);
}

void ra_bookgen_data_market(const ra_bookgen_data *d, ra_bookgen_market *m)
{
    memset(m, 0, sizeof *m);
    m->securities = d->shelf;
    m->n_securities = d->n_shelf;
    m->dates = d->prices ? d->prices->dates : NULL;
    m->n_dates = d->prices ? d->prices->n_rows : 0;
    m->close = d->close;
    m->dividends = d->divs;
    m->n_dividends = d->n_divs;
}

/* Reads dir/name and hands its bytes to parse (one of the ra_bookgen_*_parse functions). */
typedef ra_status (*parse_fn)(const char *data, size_t size, const char *source, void *out,
                              size_t *n, ra_err *err);

static ra_status shelf_parse(const char *data, size_t size, const char *src, void *out,
                             size_t *n, ra_err *err)
{
    return ra_bookgen_shelf_parse(data, size, src, (ra_security **)out, n, err);
}
static ra_status divs_parse(const char *data, size_t size, const char *src, void *out, size_t *n,
                            ra_err *err)
{
    return ra_bookgen_dividends_parse(data, size, src, (ra_dividend **)out, n, err);
}
static ra_status splits_parse(const char *data, size_t size, const char *src, void *out,
                              size_t *n, ra_err *err)
{
    return ra_bookgen_splits_parse(data, size, src, (ra_split **)out, n, err);
}

static ra_status read_parse(const char *dir, const char *name, parse_fn parse, void *out,
                            size_t *n, ra_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *data = NULL;
    size_t size = 0;
    ra_status rc = ra_file_read(path, RA_BOOKGEN_MAX_DATA_BYTES, &data, &size, err);
    if (rc == RA_OK)
        rc = parse(data, size, path, out, n, err);
    ra_free(data);
    return rc;
}

ra_status ra_bookgen_data_load(const char *dir, ra_bookgen_data *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    char path[4096];
    ra_status rc = read_parse(dir, "aa_etf_descriptions.csv", shelf_parse, &d->shelf, &d->n_shelf,
                              err);
    snprintf(path, sizeof path, "%s/aa_etf_prices.csv", dir);
    if (rc == RA_OK)
        rc = ra_csv_read_series(path, &d->prices, err);
    if (rc == RA_OK)
        rc = ra_bookgen_close_from_series(d->prices, d->shelf, d->n_shelf, &d->close, err);
    if (rc == RA_OK)
        rc = read_parse(dir, "av_etf_dividends.csv", divs_parse, &d->divs, &d->n_divs, err);
    if (rc == RA_OK)
        rc = read_parse(dir, "av_etf_splits.csv", splits_parse, &d->splits, &d->n_splits, err);
    /* aa_etf_prices.csv is split-adjusted: put the dividends in the same share units */
    if (rc == RA_OK)
        rc = ra_bookgen_dividends_adjust(d->divs, d->n_divs, d->splits, d->n_splits, err);
    return rc;
}

/* ---- writing the book ------------------------------------------------------------------------ */

/* What ra_bookgen_write writes, for write_in_scope. */
typedef struct book_write {
    const ra_bookgen_data *d;
    const ra_bookgen_book *b;
    ra_bookgen_write_stats *stats;
} book_write;

static ra_status put_market(ra_store *st, const ra_store_actor *actor, const ra_bookgen_data *md,
                            ra_date from, ra_bookgen_write_stats *wc, ra_err *err)
{
    const ra_series *p = md->prices;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < p->n_rows; i++)
        if (p->dates[i] >= from)
            cap += md->n_shelf;
    ra_price_obs *obs = ra_malloc((cap ? cap : 1) * sizeof *obs);
    ra_dividend *dv = ra_malloc((md->n_divs ? md->n_divs : 1) * sizeof *dv);
    if (!obs || !dv) {
        RA_FREE_ALL(obs, dv);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu prices", cap);
    }
    for (size_t i = 0; i < p->n_rows; i++) {
        if (p->dates[i] < from)
            continue;
        for (size_t j = 0; j < md->n_shelf; j++) {
            ra_price v = md->close[i * md->n_shelf + j];
            if (v <= 0)
                continue;
            ra_price_obs *o = &obs[n++];
            memset(o, 0, sizeof *o);
            memcpy(o->ticker, md->shelf[j].ticker, sizeof o->ticker);
            o->date = p->dates[i];
            o->price = v;
        }
    }
    size_t nd = 0;
    ra_date last = p->n_rows ? p->dates[p->n_rows - 1] : from;
    for (size_t i = 0; i < md->n_divs; i++) {
        if (md->divs[i].ex_date < from || md->divs[i].ex_date > last || md->divs[i].amount <= 0)
            continue;
        for (size_t j = 0; j < md->n_shelf; j++)
            if (strcmp(md->divs[i].ticker, md->shelf[j].ticker) == 0) {
                dv[nd++] = md->divs[i];
                break;
            }
    }
    ra_store_put_stats ps = {0}, ds = {0};
    ra_status rc = ra_store_prices_put(st, actor, obs, n, 0, &ps, err);
    if (rc == RA_OK)
        rc = ra_store_dividends_put(st, actor, dv, nd, 0, &ds, err);
    RA_FREE_ALL(obs, dv);
    wc->prices = n;
    wc->dividends = nd;
    return rc;
}

static ra_status put_firm(ra_store *st, const ra_store_actor *actor, const ra_bookgen_book *b,
                          ra_err *err)
{
    ra_status rc = ra_store_firm_put(st, actor, &b->firm, err);
    for (size_t i = 0; i < b->n_advisors && rc == RA_OK; i++)
        rc = ra_store_advisor_put(st, actor, &b->advisors[i], err);
    for (size_t i = 0; i < b->n_securities && rc == RA_OK; i++)
        rc = ra_store_security_put(st, actor, &b->securities[i], err);
    return rc;
}

static ra_status put_parties(ra_store *st, const ra_store_actor *actor, const ra_bookgen_book *b,
                             ra_bookgen_write_stats *wc, ra_err *err)
{
    ra_status rc = RA_OK;
    for (size_t i = 0; i < b->n_clients && rc == RA_OK; i++)
        rc = ra_store_client_put(st, actor, &b->clients[i], err);
    for (size_t i = 0; i < b->n_accounts && rc == RA_OK; i++)
        rc = ra_store_account_put(st, actor, &b->accounts[i], err);
    if (rc != RA_OK)
        return rc;
    ra_store_txn *batch = ra_calloc(TXN_BATCH, sizeof *batch);
    if (!batch)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a transaction batch");
    size_t a = 0;
    for (size_t i = 0; i < b->n_txns && rc == RA_OK;) {
        size_t k = 0;
        for (; k < TXN_BATCH && i < b->n_txns; k++, i++) {
            while (b->txn_first[a + 1] <= i)
                a++;
            const ra_txn *t = &b->txns[i];
            ra_store_txn *x = &batch[k];
            memset(x, 0, sizeof *x);
            memcpy(x->account, b->accounts[a].code, sizeof x->account);
            memcpy(x->external_id, b->txn_ext_id[i], sizeof x->external_id);
            x->kind = t->kind;
            x->date = t->date;
            if (t->kind == RA_TXN_BUY || t->kind == RA_TXN_SELL || t->kind == RA_TXN_DIVIDEND ||
                t->kind == RA_TXN_REINVEST)
                memcpy(x->ticker, b->securities[t->security].ticker, sizeof x->ticker);
            x->qty_micro = t->qty_micro;
            x->price = t->price;
            x->amount_minor = t->amount_minor;
            x->fees_minor = t->fees_minor;
            x->relief = t->relief;
        }
        ra_store_txn_stats ts = {0};
        rc = ra_store_txn_append(st, actor, batch, k, &ts, err);
        wc->txns_applied += ts.applied;
        wc->txns_unchanged += ts.unchanged;
    }
    ra_free(batch);
    return rc;
}

/* The firm, the market data and the parties of the book (a ra_store_scoped function). */
static ra_status write_in_scope(ra_store *s, const ra_store_actor *actor, void *ctx,
                                ra_err *err)
{
    const book_write *w = ctx;
    ra_status rc = put_firm(s, actor, w->b, err);
    if (rc == RA_OK)
        rc = put_market(s, actor, w->d, w->b->first_date, w->stats, err);
    if (rc == RA_OK)
        rc = put_parties(s, actor, w->b, w->stats, err);
    return rc;
}

ra_status ra_bookgen_write(ra_store *s, const ra_store_actor *actor, const ra_bookgen_data *d,
                           const ra_bookgen_book *b, ra_bookgen_write_stats *stats, ra_err *err)
{
    ra_bookgen_write_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!s || !actor || !d || !b || !d->prices)
        return ra_err_set(err, RA_EINVAL, NULL, "writing the demo book needs a store, an actor, "
                                                "the market data and the book");
    book_write w = {d, b, stats};
    ra_status rc = ra_store_scoped(s, actor, write_in_scope, &w, err);
    if (rc != RA_OK)
        memset(stats, 0, sizeof *stats);
    return rc;
}
