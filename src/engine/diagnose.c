/* `roboadvisor diagnose` over the book (include/roboadvisor/engine_diagnose.h): the holdings, the
 * securities, their closes over the window, the client's level and the suitable model, then the
 * pure diagnosis (src/core/diagnose.c). Sources of each figure: docs/methodology.md#diagnosis. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_diagnose.h>
#include <roboadvisor/est.h>
#include <roboadvisor/store_models.h>
#include <roboadvisor/store_profiles.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ra_diag_request_default(ra_diag_request *r)
{
    memset(r, 0, sizeof *r);
    r->window_years = RA_DIAG_DEFAULT_WINDOW_YEARS;
    r->overlap_corr = RA_DIAG_DEFAULT_OVERLAP_CORR;
}

void ra_diag_report_free(ra_diag_report *rep)
{
    if (!rep)
        return;
    ra_diag_result_free(&rep->res);
    RA_FREE_ALL(rep->ticker, rep->cls, rep->price_date, rep->on_shelf, rep->a, rep->ret,
                rep->dates);
    memset(rep, 0, sizeof *rep);
}

/* The index of ticker among the report's first rep->n securities, adding it (room is the
 * caller's); *added 1 when new. */
static size_t slot(ra_diag_report *rep, const char *ticker, int *added)
{
    for (size_t j = 0; j < rep->n; j++)
        if (strcmp(rep->ticker[j], ticker) == 0) {
            *added = 0;
            return j;
        }
    snprintf(rep->ticker[rep->n], RA_CODE_MAX, "%s", ticker);
    *added = 1;
    return rep->n++;
}

/* The latest close of any of the firm's securities: the default date. */
static ra_status latest_close(ra_store *s, const char *firm, ra_date *out, ra_err *err)
{
    ra_security *secs = NULL;
    size_t n = 0;
    ra_status rc = ra_store_security_list(s, firm, 0, &secs, &n, err);
    *out = 0;
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_price p;
        ra_date on = 0;
        rc = ra_store_price_latest(s, firm, secs[i].ticker, RA_STORE_DATE_LATEST, &p, &on, err);
        if (rc == RA_ENOTFOUND)
            rc = RA_OK;
        else if (rc == RA_OK && on > *out)
            *out = on;
    }
    ra_store_free(secs);
    if (rc == RA_OK && *out == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, firm, "the book holds no prices: import them first");
    return rc;
}

/* The client's level: as given, else the stored profile's (expired or not: the report says
 * when it was taken). */
static ra_status client_level(ra_store *s, const char *firm, const char *client, int given,
                              ra_diag_report *rep, ra_err *err)
{
    if (given) {
        rep->in.client_level = given;
        snprintf(rep->level_source, sizeof rep->level_source, "given (--level)");
        return RA_OK;
    }
    if (!client)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a holdings file has no client: give --level C1..C5 or --client");
    ra_stored_profile p;
    ra_status rc = ra_store_profile_current(s, firm, client, &p, err);
    if (rc == RA_ENOTFOUND)
        return ra_err_set(err, RA_EINVAL, client,
                          "the client has no risk profile: onboard the client or give --level");
    if (rc != RA_OK)
        return rc;
    char d1[11], d2[11];
    rep->in.client_level = p.level;
    snprintf(rep->level_source, sizeof rep->level_source, "profile of client %.40s taken %s%s%s",
             client, ra_date_format(p.taken, d1),
             ra_stored_profile_expired(&p, rep->date) ? ", expired " : "",
             ra_stored_profile_expired(&p, rep->date) ? ra_date_format(p.expires, d2) : "");
    return RA_OK;
}

/* The suitable model: the latest version of the firm's model with the highest level at or below
 * the client's (ties: the first in code order). */
static ra_status suitable_model(ra_store *s, const char *firm, ra_diag_report *rep, ra_model *m,
                                ra_err *err)
{
    ra_model *ms = NULL;
    size_t n = 0;
    ra_status rc = ra_models_suitable(s, firm, rep->in.client_level, &ms, &n, err);
    if (rc != RA_OK)
        return rc;
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (best == n || ms[i].level > ms[best].level)
            best = i;
    if (best < n) {
        *m = ms[best];
        rep->have_model = 1;
        snprintf(rep->model, sizeof rep->model, "%s", m->code);
        rep->model_version = m->version;
        rep->model_level = m->level;
    } else
        snprintf(rep->no_model, sizeof rep->no_model,
                 "the firm has no model at or below level %s: build the models",
                 ra_prof_level_name(rep->in.client_level));
    ra_store_free(ms);
    return RA_OK;
}

/* 1 + the index of x in the sorted d[0..n), 0 when absent. */
static size_t has_date(const ra_date *d, size_t n, ra_date x)
{
    size_t k = ra_date_lower_bound(d, n, x);
    return k < n && d[k] == x ? k + 1 : 0;
}

/* The closes of every security over the window ending on the date, on the dates they all have,
 * as daily simple returns (ra_est_returns). */
static ra_status returns(ra_store *s, const char *firm, int years, ra_diag_report *rep,
                         ra_err *err)
{
    size_t n = rep->n, nc = 0, shortest = 0;
    ra_date **d = ra_calloc(n, sizeof *d);
    ra_price **p = ra_calloc(n, sizeof *p);
    size_t *len = ra_calloc(n, sizeof *len);
    ra_date *common = NULL;
    double *px = NULL;
    ra_status rc = RA_OK;
    if (!d || !p || !len) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the price series");
        goto out;
    }
    ra_date from = ra_prof_add_months(rep->date, -12 * years);
    for (size_t j = 0; rc == RA_OK && j < n; j++) {
        rc = ra_store_price_series(s, firm, rep->ticker[j], from + 1, rep->date, &d[j], &p[j],
                                   &len[j], err);
        if (rc == RA_OK && len[j] < len[shortest])
            shortest = j;
    }
    if (rc != RA_OK)
        goto out;
    common = ra_calloc(len[0] + 1, sizeof *common);
    if (!common) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the price series");
        goto out;
    }
    for (size_t t = 0; t < len[0]; t++) {
        int all = 1;
        for (size_t j = 1; all && j < n; j++)
            all = has_date(d[j], len[j], d[0][t]) != 0;
        if (all)
            common[nc++] = d[0][t];
    }
    if (nc < RA_DIAG_MIN_OBS + 1) {
        char a[11], b[11];
        rc = ra_err_set(err, RA_EINFEASIBLE, rep->ticker[shortest],
                        "the securities share %zu closes from %s to %s, fewer than the %d a "
                        "diagnosis needs (this one has %zu)",
                        nc, ra_date_format(from + 1, a), ra_date_format(rep->date, b),
                        RA_DIAG_MIN_OBS + 1, len[shortest]);
        goto out;
    }
    px = ra_calloc(nc * n, sizeof *px);
    rep->ret = ra_calloc((nc - 1) * n, sizeof *rep->ret);
    if (!px || !rep->ret) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the returns");
        goto out;
    }
    for (size_t t = 0; t < nc; t++)
        for (size_t j = 0; j < n; j++)
            px[t * n + j] = (double)p[j][has_date(d[j], len[j], common[t]) - 1] / 1e6;
    rc = ra_est_returns(px, nc, n, RA_RETURN_SIMPLE, rep->ret, err);
    rep->in.ret = rep->ret;
    rep->in.n_obs = nc - 1;
    rep->from = common[0];
    rep->to = common[nc - 1];
    rep->dates = common;
    common = NULL;
out:
    for (size_t j = 0; d && j < n; j++)
        ra_store_free(d[j]);
    for (size_t j = 0; p && j < n; j++)
        ra_store_free(p[j]);
    RA_FREE_ALL(d, p, len, common, px);
    return rc;
}

static ra_status alloc_report(ra_diag_report *rep, size_t cap, ra_err *err)
{
    rep->ticker = ra_calloc(cap, sizeof *rep->ticker);
    rep->cls = ra_calloc(cap, sizeof *rep->cls);
    rep->price_date = ra_calloc(cap, sizeof *rep->price_date);
    rep->on_shelf = ra_calloc(cap, sizeof *rep->on_shelf);
    rep->a = ra_calloc(cap, sizeof *rep->a);
    if (!rep->ticker || !rep->cls || !rep->price_date || !rep->on_shelf || !rep->a)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the holdings");
    return RA_OK;
}

/* A security's master data and its price on the date into slot j. */
static ra_status describe(ra_store *s, const char *firm, ra_diag_report *rep, size_t j,
                          int fractional, ra_err *err)
{
    ra_security sec;
    ra_status rc = ra_store_security_get(s, firm, rep->ticker[j], &sec, err);
    if (rc == RA_ENOTFOUND)
        return ra_err_set(err, RA_ENOTFOUND, rep->ticker[j],
                          "no such security in the book: import it and its prices first");
    if (rc != RA_OK)
        return rc;
    ra_diag_asset *a = &rep->a[j];
    snprintf(rep->cls[j], RA_CODE_MAX, "%s", sec.asset_class);
    rep->on_shelf[j] = sec.on_shelf;
    a->ticker = rep->ticker[j];
    a->asset_class = rep->cls[j];
    a->risk_level = sec.risk_level;
    a->expense_ratio = sec.expense_ratio;
    a->lot_micro = fractional ? 1 : (sec.lot_size > 0 ? sec.lot_size : 1) * RA_MICRO_PER_SHARE;
    rc = ra_store_price_latest(s, firm, rep->ticker[j], rep->date, &a->price, &rep->price_date[j],
                               err);
    if (rc == RA_ENOTFOUND) {
        char b[11];
        return ra_err_set(err, RA_ENOTFOUND, rep->ticker[j], "no price on or before %s",
                          ra_date_format(rep->date, b));
    }
    return rc;
}

/* The holdings: an account replayed to the date, or a file. Fills rep->n, tickers, quantities,
 * cash; *client the account's client (or NULL); *reserve, bands and fractional its mandate's. */
static ra_status holdings(ra_store *s, const char *firm, const ra_diag_request *r,
                          ra_diag_report *rep, ra_account *acct, size_t extra, ra_err *err)
{
    ra_status rc = RA_OK;
    if (r->account) {
        ra_account_view v;
        memset(&v, 0, sizeof v);
        rc = ra_account_view_compute(s, firm, r->account, rep->date, 0, 0, &v, err);
        if (rc == RA_OK)
            rc = alloc_report(rep, v.n + extra, err);
        for (size_t i = 0; rc == RA_OK && i < v.n; i++)
            if (v.h[i].qty_micro > 0) {
                snprintf(rep->ticker[rep->n], RA_CODE_MAX, "%s", v.h[i].ticker);
                rep->a[rep->n++].qty_micro = v.h[i].qty_micro;
            }
        if (rc == RA_OK) {
            *acct = v.acct;
            rep->in.cash_minor = v.cash_minor;
            snprintf(rep->source, sizeof rep->source, "account %s", r->account);
        }
        ra_account_view_clear(&v);
        for (size_t j = 0; rc == RA_OK && j < rep->n; j++)
            rc = describe(s, firm, rep, j, acct->mandate.fractional, err);
        return rc;
    }
    const ra_holdings *h = r->holdings;
    if ((rc = alloc_report(rep, h->n + extra, err)) != RA_OK)
        return rc;
    snprintf(rep->source, sizeof rep->source, "%s", h->source);
    if (h->by_weight && r->value_minor <= 0)
        return ra_err_set(err, RA_EINVAL, h->source,
                          "a file of weights needs the portfolio's value: give --value");
    for (size_t i = 0; rc == RA_OK && i < h->n; i++) {
        snprintf(rep->ticker[i], RA_CODE_MAX, "%s", h->rows[i].ticker);
        rep->n++;
        rc = describe(s, firm, rep, i, 0, err);
        if (rc != RA_OK) {
            char where[sizeof err->where];
            snprintf(where, sizeof where, "%s:%u (%.40s)", h->source, (unsigned)h->rows[i].line,
                     h->rows[i].ticker);
            snprintf(err->where, sizeof err->where, "%s", where);
            return rc;
        }
        if (!h->by_weight) {
            rep->a[i].qty_micro = h->rows[i].qty_micro;
            continue;
        }
        /* weight * value / price, in whole micro-shares (the nearest) */
        double qty = h->rows[i].weight * (double)r->value_minor / pow(10, rep->minor_digits) /
                     ((double)rep->a[i].price / 1e6) * 1e6;
        rep->a[i].qty_micro = (ra_micro)llround(qty);
    }
    return rc;
}

ra_status ra_diag_report_run(ra_store *s, const char *firm, const ra_diag_request *r,
                             ra_diag_report *rep, ra_err *err)
{
    memset(rep, 0, sizeof *rep);
    if (!r || (!r->account) == (!r->holdings))
        return ra_err_set(err, RA_EINVAL, NULL, "diagnose an account or a holdings file, one");
    if (r->window_years < 1 || r->window_years > 50)
        return ra_err_set(err, RA_EINVAL, NULL, "the window is 1 to 50 years, got %d",
                          r->window_years);
    ra_firm f;
    ra_status rc = ra_store_firm_get(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    snprintf(rep->currency, sizeof rep->currency, "%s", f.currency);
    rep->minor_digits = f.minor_digits;
    rep->date = r->date;
    if (!rep->date && (rc = latest_close(s, firm, &rep->date, err)) != RA_OK)
        return rc;
    ra_model *m = ra_calloc(1, sizeof *m);
    if (!m)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the model");
    ra_account acct;
    memset(&acct, 0, sizeof acct);
    acct.mandate.band_rel = RA_REBAL_DEFAULT_BAND_REL;
    acct.mandate.drift_band = RA_REBAL_DEFAULT_BAND_ABS;
    rc = holdings(s, firm, r, rep, &acct, RA_MODELS_MAX_HOLDINGS, err);
    const char *client = r->account ? acct.client : r->client;
    if (rc == RA_OK)
        rc = client_level(s, firm, client, r->level, rep, err);
    if (rc == RA_OK)
        rc = suitable_model(s, firm, rep, m, err);
    /* the model's securities join the held ones; targets net of the account's cash reserve */
    double reserve = r->account ? acct.mandate.cash_reserve : 0.0;
    for (size_t k = 0; rc == RA_OK && rep->have_model && k < m->n; k++) {
        int added = 0;
        size_t j = slot(rep, m->w[k].ticker, &added);
        if (added)
            rc = describe(s, firm, rep, j, acct.mandate.fractional, err);
        rep->a[j].target = m->w[k].weight * (1 - reserve);
    }
    if (rc == RA_OK) {
        rep->in.n = rep->n;
        rep->in.a = rep->a;
        rep->in.minor_digits = rep->minor_digits;
        rep->in.ppy = RA_TRADING_DAYS_PER_YEAR;
        rep->in.have_model = rep->have_model;
        rep->in.cash_target = rep->have_model ? reserve : 0.0;
        rep->in.overlap_corr = r->overlap_corr;
        rep->in.band_abs = acct.mandate.drift_band;
        rep->in.band_rel = acct.mandate.band_rel;
        rep->in.date = rep->date;
        rc = returns(s, firm, r->window_years, rep, err);
    }
    if (rc == RA_OK)
        rc = ra_diag_run(&rep->in, &rep->res, err);
    ra_free(m);
    if (rc != RA_OK)
        ra_diag_report_free(rep);
    return rc;
}
