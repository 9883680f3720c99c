/* One account as of a day for `roboadvisor account show` (include/roboadvisor/engine_cycle.h):
 * the ledger replayed to the day, each holding at its latest close on or before the day, against
 * the personalised target (ra_models_target_for_account), drift as in the daily cycle
 * (ra_rebal_out_of_band: half the sum of absolute deviations, bands per security and class). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_objective.h>
#include <roboadvisor/ledger.h>
#include <roboadvisor/store_models.h>
#include <roboadvisor/store_now.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void ra_account_view_clear(ra_account_view *v)
{
    if (!v)
        return;
    ra_free(v->h);
    v->h = NULL;
    v->n = 0;
}

static int cmp_holding(const void *a, const void *b)
{
    return strcmp(((const ra_account_holding *)a)->ticker, ((const ra_account_holding *)b)->ticker);
}

/* The holding of ticker in v (added when missing); NULL when out of memory. */
static ra_account_holding *holding(ra_account_view *v, size_t *cap, const char *ticker)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->h[i].ticker, ticker) == 0)
            return &v->h[i];
    if (ra_grow((void **)&v->h, cap, v->n + 1, sizeof *v->h))
        return NULL;
    ra_account_holding *h = &v->h[v->n++];
    memset(h, 0, sizeof *h);
    snprintf(h->ticker, sizeof h->ticker, "%s", ticker);
    return h;
}

static ra_status replay_to(ra_store *s, const char *firm, const char *account, ra_date date,
                           ra_ledger *l, ra_err *err)
{
    ra_txn *txns = NULL;
    size_t n = 0;
    int md = 2;
    ra_status rc = ra_store_account_txns(s, firm, account, date, &txns, &n, &md, err);
    if (rc != RA_OK)
        return rc;
    ra_ledger_settings ls;
    ra_ledger_settings_default(&ls);
    ls.minor_digits = md;
    rc = ra_ledger_replay(txns, n, &ls, NULL, l, err);
    ra_store_free(txns);
    return rc;
}

/* The client's objectives moving the personalised target (as the daily cycle does it:
 * engine_objective.h), with the holdings' weights w (n) as the current weights; the targets in
 * w + n follow. */
static ra_status view_objectives(ra_store *s, const char *firm, ra_date date, ra_account_view *out,
                                 double *w, ra_err *err)
{
    out->objectives = ra_objective_of_mandate(&out->acct.mandate, NULL);
    if (!out->objectives || !out->n)
        return RA_OK;
    ra_objective_shelf o;
    ra_status rc = ra_objective_shelf_load(s, firm, date, &o, err);
    const char **tk = ra_malloc(out->n * sizeof *tk);
    double *t = ra_malloc(out->n * sizeof *t);
    if (rc == RA_OK && (!tk || !t))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the client target");
    for (size_t i = 0; rc == RA_OK && i < out->n; i++) {
        tk[i] = out->h[i].ticker;
        t[i] = out->h[i].target;
    }
    if (rc == RA_OK)
        rc = ra_objective_apply(&o, &out->acct.mandate, out->n, tk, t, w, &out->effect,
                                &out->objectives_applied, err);
    for (size_t i = 0; rc == RA_OK && out->objectives_applied && i < out->n; i++) {
        out->h[i].target = t[i];
        out->h[i].drift = out->h[i].weight - t[i];
        w[out->n + i] = t[i];
    }
    ra_objective_shelf_free(&o);
    RA_FREE_ALL(tk, t);
    return rc;
}

/* The account's holdings from a replay of its transactions up to date: out->h (quantities), its
 * cash and minor digits. */
static ra_status holdings_replayed(ra_store *s, const char *firm, const char *account,
                                   ra_date date, const ra_security *secs, size_t n_secs,
                                   ra_account_view *out, size_t *cap, ra_minor *cash, int *md,
                                   ra_err *err)
{
    ra_ledger l;
    memset(&l, 0, sizeof l);
    ra_status rc = replay_to(s, firm, account, date, &l, err);
    if (rc != RA_OK)
        return rc;
    /* the lots' security ids are the store's: each one's ticker */
    uint32_t *ids = ra_calloc(n_secs ? n_secs : 1, sizeof *ids);
    if (!ids)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the securities");
    for (size_t i = 0; rc == RA_OK && i < n_secs; i++)
        rc = ra_store_security_id(s, firm, secs[i].ticker, &ids[i], err);
    for (size_t k = 0; rc == RA_OK && k < l.n_lots; k++) {
        const char *ticker = NULL;
        for (size_t i = 0; i < n_secs && !ticker; i++)
            if (ids[i] == l.lots[k].security)
                ticker = secs[i].ticker;
        ra_account_holding *h = ticker ? holding(out, cap, ticker) : NULL;
        if (!h) {
            rc = ticker ? ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the holdings")
                        : ra_err_set(err, RA_EINTERNAL, NULL, "a lot of an unknown security");
            break;
        }
        h->qty_micro += l.lots[k].qty_micro;
    }
    *cash = l.cash_minor;
    *md = l.settings.minor_digits;
    ra_free(ids);
    ra_ledger_free(&l);
    return rc;
}

/* Everything after the holdings' quantities: targets, closes, value, weights, drift, band and the
 * pending proposal. */
static ra_status view_finish(ra_store *s, const char *firm, const char *account, ra_date date,
                             double cash_reserve, double band_rel, const ra_security *secs,
                             size_t n_secs, ra_minor cash, int md, const char *proposal,
                             size_t *cap, ra_account_view *out, ra_err *err)
{
    ra_status rc = RA_OK;
    ra_models_target t;
    memset(&t, 0, sizeof t);
    ra_err e2 = {0};
    ra_status tr = ra_models_target_for_account(s, firm, account, cash_reserve, &t, &e2);
    out->have_target = tr == RA_OK;
    if (tr != RA_OK && tr != RA_ENOTFOUND && tr != RA_EINVAL && tr != RA_EINFEASIBLE) {
        *err = e2;
        rc = tr;
    }
    for (size_t k = 0; rc == RA_OK && out->have_target && k < t.n; k++) {
        if (!t.w[k].ticker[0]) {
            out->cash_target += t.w[k].weight;
            continue;
        }
        ra_account_holding *h = holding(out, cap, t.w[k].ticker);
        if (!h)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the holdings");
        else {
            h->target += t.w[k].weight;
            h->model_target += t.w[k].weight;
        }
    }
    if (rc == RA_OK && out->n)
        qsort(out->h, out->n, sizeof *out->h, cmp_holding);
    ra_minor total = cash;
    for (size_t i = 0; rc == RA_OK && i < out->n; i++) {
        ra_account_holding *h = &out->h[i];
        ra_status pr = ra_store_price_latest(s, firm, h->ticker, date, &h->price, &h->price_date,
                                             err);
        if (pr == RA_ENOTFOUND) {
            h->price = 0;
            h->price_date = 0;
            continue;
        }
        rc = pr;
        if (rc == RA_OK && h->qty_micro)
            rc = ra_money_value(h->qty_micro, h->price, md, &h->value_minor, err);
        total += h->value_minor;
    }
    out->cash_minor = cash;
    out->value_minor = total;
    if (rc == RA_OK) {
        double *w = ra_calloc(out->n ? 3 * out->n : 1, sizeof *w);
        uint32_t *g = ra_calloc(out->n ? out->n : 1, sizeof *g);
        if (!w || !g)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the weights");
        for (size_t i = 0; rc == RA_OK && i < out->n; i++) {
            ra_account_holding *h = &out->h[i];
            h->weight = total > 0 ? (double)h->value_minor / (double)total : 0.0;
            h->drift = h->weight - h->target;
            w[i] = h->weight;
            w[out->n + i] = h->target;
            /* its asset class: the index of the class's first security in the list */
            g[i] = UINT32_MAX;
            for (size_t j = 0; j < n_secs && g[i] == UINT32_MAX; j++)
                if (strcmp(secs[j].ticker, h->ticker) == 0)
                    for (size_t k = 0; k <= j; k++)
                        if (strcmp(secs[k].asset_class, secs[j].asset_class) == 0) {
                            g[i] = (uint32_t)k;
                            break;
                        }
        }
        out->cash_weight = total > 0 ? (double)cash / (double)total : 0.0;
        if (rc == RA_OK && out->have_target)
            rc = view_objectives(s, firm, date, out, w, err);
        if (rc == RA_OK) {
            int outb = ra_rebal_out_of_band(w, w + out->n, g, out->n, out->cash_weight,
                                            out->cash_target, out->acct.mandate.drift_band,
                                            band_rel, &out->drift, &out->max_dev);
            snprintf(out->status, sizeof out->status, "%s",
                     !out->have_target ? "no_target" : outb ? "out_of_band" : "in_band");
        }
        RA_FREE_ALL(w, g);
    }
    if (rc == RA_OK && proposal) /* found by the caller */
        snprintf(out->proposal, sizeof out->proposal, "%s", proposal);
    else if (rc == RA_OK) {
        ra_cycle_proposal *p = NULL;
        size_t np = 0;
        ra_cycle_filter f = {0, account, "pending"};
        rc = ra_store_proposals_list(s, firm, &f, &p, &np, err);
        for (size_t i = 0; rc == RA_OK && i < np; i++)
            if (p[i].date <= date)
                snprintf(out->proposal, sizeof out->proposal, "%s", p[i].id);
        ra_cycle_proposals_free(p, np);
    }
    return rc;
}

/* The whole view: the holdings from the stored state (now: not NULL) or a replay, then the rest. */
static ra_status view(ra_store *s, const char *firm, const char *account, ra_date date,
                      double cash_reserve, double band_rel, const ra_store_account_now *now,
                      ra_account_view *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->account, sizeof out->account, "%s", account);
    out->date = date;
    ra_status rc = ra_store_account_get(s, firm, account, &out->acct, err);
    if (rc != RA_OK)
        return rc;
    ra_security *secs = NULL;
    size_t n_secs = 0, cap = 0;
    ra_minor cash = 0;
    int md = 2;
    rc = ra_store_security_list(s, firm, 0, &secs, &n_secs, err);
    if (rc == RA_OK && !now)
        rc = holdings_replayed(s, firm, account, date, secs, n_secs, out, &cap, &cash, &md, err);
    for (size_t i = 0; rc == RA_OK && now && i < now->n; i++) {
        ra_account_holding *h = holding(out, &cap, now->pos[i].ticker);
        if (!h)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the holdings");
        else
            h->qty_micro += now->pos[i].qty_micro;
    }
    if (now) {
        cash = now->cash_minor;
        md = now->minor_digits;
    }
    if (rc == RA_OK)
        rc = view_finish(s, firm, account, date, cash_reserve, band_rel, secs, n_secs, cash, md,
                         now ? now->proposal : NULL, &cap, out, err);
    ra_store_free(secs);
    if (rc != RA_OK)
        ra_account_view_clear(out);
    return rc;
}

ra_status ra_account_view_compute(ra_store *s, const char *firm, const char *account, ra_date date,
                                  double cash_reserve, double band_rel, ra_account_view *out,
                                  ra_err *err)
{
    return view(s, firm, account, date, cash_reserve, band_rel, NULL, out, err);
}

ra_status ra_account_view_current(ra_store *s, const char *firm, const char *account,
                                  ra_date today, double cash_reserve, double band_rel,
                                  ra_account_view *out, ra_err *err)
{
    ra_store_account_now now;
    ra_status rc = ra_store_account_now_get(s, firm, account, today, &now, err);
    if (rc != RA_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    ra_date d = now.date;
    /* the stored state is the replay of every transaction: the view's when none is after d */
    rc = view(s, firm, account, d, cash_reserve, band_rel,
              now.last_txn_day <= d ? &now : NULL, out, err);
    ra_store_free(now.pos);
    return rc;
}
