/* The client statement of one account for a period, gathered from the book
 * (include/roboadvisor/engine_statement.h; method docs/methodology.md#client-statements). Every
 * figure is taken from the call the matching command uses: values and flows from the daily values
 * run-day stored, the returns through ra_perf_twr and ra_perf_xirr (twr, xirr), holdings through
 * ra_account_view_compute (account show), realised gains and lots through ra_gains_compute
 * (gains), fees through ra_fees_compute (fees list), alerts and suspensions from their lists. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/behaviour.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_fees.h>
#include <roboadvisor/engine_gains.h>
#include <roboadvisor/engine_statement.h>
#include <roboadvisor/ledger.h>
#include <roboadvisor/perf.h>
#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_fees.h>
#include <roboadvisor/store_mandate.h>
#include <roboadvisor/store_models.h>
#include <roboadvisor/store_profiles.h>
#include <roboadvisor/store_risk.h>
#include <roboadvisor/store_tiers.h>

#include "statement_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void money_fig(ra_statement *st, ra_stmt_key k, ra_minor v, ra_stmt_src src, ra_date as_of)
{
    ra_stmt_fig *f = &st->fig[k];
    f->valid = 1;
    f->minor = v;
    f->src = src;
    f->as_of = as_of;
}

static void rate_fig(ra_statement *st, ra_stmt_key k, double r, ra_stmt_src src, ra_date as_of)
{
    ra_stmt_fig *f = &st->fig[k];
    f->is_rate = 1;
    f->valid = isfinite(r);
    f->rate = r;
    f->src = src;
    f->as_of = as_of;
}

static void *alloc_n(size_t n, size_t size)
{
    return ra_calloc(n ? n : 1, size);
}

static ra_date date_of_unix(int64_t t)
{
    return (ra_date)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

static const ra_security *find_sec(const ra_security *secs, size_t n, const char *ticker)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(secs[i].ticker, ticker) == 0)
            return &secs[i];
    return NULL;
}

/* The value series from the last close before `from` (the opening value) to the last close on or
 * before `to`, and the returns on it. */
static ra_status values_part(ra_store *s, const char *firm, ra_statement *st, ra_err *err)
{
    ra_cycle_value *v = NULL;
    size_t nv = 0;
    ra_status rc = ra_store_daily_values(s, firm, st->account, 0, st->to, &v, &nv, err);
    if (rc != RA_OK)
        return rc;
    size_t first = 0; /* the first point of the series: the opening close when there is one */
    while (first < nv && v[first].date < st->from)
        first++;
    int have_open = first > 0;
    if (have_open)
        first--;
    size_t n = first < nv ? nv - first : 0;
    st->series = alloc_n(n, sizeof *st->series);
    if (!st->series) {
        ra_store_free(v);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the value series");
    }
    st->n_series = n;
    for (size_t i = 0; i < n; i++) {
        st->series[i].date = v[first + i].date;
        st->series[i].value_minor = v[first + i].value_minor;
        st->series[i].bench_minor = v[first + i].value_minor;
        st->series[i].flow_minor = v[first + i].flow_minor;
    }
    ra_store_free(v);
    ra_minor open = have_open ? st->series[0].value_minor : 0;
    st->value_from = have_open ? st->series[0].date : 0;
    st->value_to = n ? st->series[n - 1].date : 0;
    money_fig(st, RA_STMT_OPENING, open, RA_STMT_SRC_VALUES, st->value_from);
    money_fig(st, RA_STMT_CLOSING, n ? st->series[n - 1].value_minor : 0, RA_STMT_SRC_VALUES,
              st->value_to);
    st->source_date[RA_STMT_SRC_VALUES] = st->value_to;
    rate_fig(st, RA_STMT_TWR, NAN, RA_STMT_SRC_VALUES, st->value_to);
    rate_fig(st, RA_STMT_MWR, NAN, RA_STMT_SRC_VALUES, st->value_to);
    if (n < 2)
        return RA_OK;
    /* twr: the command's ra_perf_twr with flows at the end of the day, as run-day's daily twr */
    ra_date *d = alloc_n(n, sizeof *d);
    double *val = alloc_n(n, sizeof *val), *fl = alloc_n(n, sizeof *fl);
    double *amt = alloc_n(n + 1, sizeof *amt);
    ra_date *ad = alloc_n(n + 1, sizeof *ad);
    if (!d || !val || !fl || !amt || !ad) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the returns");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        d[i] = st->series[i].date;
        val[i] = (double)st->series[i].value_minor;
        fl[i] = (double)st->series[i].flow_minor;
    }
    ra_twr t;
    ra_err e2 = {0};
    if (val[0] > 0 && ra_perf_twr(d, val, fl, n, RA_FLOW_END, 0, &t, &e2) == RA_OK)
        rate_fig(st, RA_STMT_TWR, t.twr, RA_STMT_SRC_VALUES, st->value_to);
    /* money-weighted: the xirr of -opening, -each later flow, +closing */
    size_t na = 0;
    ad[na] = d[0];
    amt[na++] = -val[0];
    for (size_t i = 1; i < n; i++)
        if (fl[i] != 0) {
            ad[na] = d[i];
            amt[na++] = -fl[i];
        }
    if (ad[na - 1] == d[n - 1])
        amt[na - 1] += val[n - 1];
    else {
        ad[na] = d[n - 1];
        amt[na++] = val[n - 1];
    }
    double rate = NAN;
    int roots = 0;
    if (ra_perf_xirr(ad, amt, na, &rate, &roots, &e2) == RA_OK)
        rate_fig(st, RA_STMT_MWR, rate, RA_STMT_SRC_VALUES, st->value_to);
out:
    ra_free(d);
    ra_free(val);
    ra_free(fl);
    ra_free(amt);
    ra_free(ad);
    return rc;
}

/* The model benchmark over the series' days: the model's weights held at each close (rebalanced
 * daily, the cash weight earning nothing), started at the opening value and given the account's
 * flows. Its return is the chained daily returns. */
static ra_status bench_part(ra_store *s, const char *firm, ra_statement *st, const ra_model *m,
                            ra_err *err)
{
    rate_fig(st, RA_STMT_BENCH_TWR, NAN, RA_STMT_SRC_MODEL, st->value_to);
    st->fig[RA_STMT_BENCH_TWR].risk_level = m ? m->level : 0;
    if (!m || st->n_series < 2)
        return RA_OK;
    size_t n = st->n_series;
    double *r = alloc_n(n, sizeof *r);
    if (!r)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the benchmark");
    ra_status rc = RA_OK;
    for (size_t k = 0; rc == RA_OK && k < m->n; k++) {
        ra_date *pd = NULL;
        ra_price *pp = NULL;
        size_t np = 0;
        rc = ra_store_price_series(s, firm, m->w[k].ticker, st->series[0].date - 370,
                                   st->series[n - 1].date, &pd, &pp, &np, err);
        if (rc != RA_OK)
            break;
        /* the latest close on or before each day of the series */
        double prev = NAN;
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            while (j < np && pd[j] <= st->series[i].date)
                j++;
            double p = j ? (double)pp[j - 1] : NAN;
            if (i > 0 && isfinite(prev) && isfinite(p) && prev > 0)
                r[i] += m->w[k].weight * (p / prev - 1.0);
            prev = p;
        }
        ra_store_free(pd);
        ra_store_free(pp);
    }
    if (rc == RA_OK) {
        double growth = 1.0, b = (double)st->series[0].value_minor;
        for (size_t i = 1; i < n; i++) {
            growth *= 1.0 + r[i];
            b = b * (1.0 + r[i]) + (double)st->series[i].flow_minor;
            st->series[i].bench_minor = (ra_minor)llround(b);
        }
        rate_fig(st, RA_STMT_BENCH_TWR, growth - 1.0, RA_STMT_SRC_MODEL, st->value_to);
        st->fig[RA_STMT_BENCH_TWR].risk_level = m->level;
    }
    ra_free(r);
    return rc;
}

/* The transactions of the period, with their cash effect, and the sums of the flows. */
static ra_status txns_part(ra_store *s, const char *firm, ra_statement *st,
                           const ra_security *secs, const uint32_t *ids, size_t n_secs, ra_err *err)
{
    ra_txn *t = NULL;
    size_t n = 0;
    int md = st->minor_digits;
    ra_status rc = ra_store_account_txns(s, firm, st->account, st->to, &t, &n, &md, err);
    if (rc != RA_OK)
        return rc;
    st->txns = alloc_n(n, sizeof *st->txns);
    if (!st->txns) {
        ra_store_free(t);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the transactions");
    }
    ra_minor dep = 0, wd = 0, fee = 0;
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        if (t[i].date > st->source_date[RA_STMT_SRC_LEDGER])
            st->source_date[RA_STMT_SRC_LEDGER] = t[i].date;
        if (t[i].date < st->from)
            continue;
        ra_stmt_txn *x = &st->txns[st->n_txns++];
        memset(x, 0, sizeof *x);
        x->date = t[i].date;
        x->kind = (int)t[i].kind;
        x->qty_micro = t[i].qty_micro;
        x->price = t[i].price;
        x->fees_minor = t[i].fees_minor;
        for (size_t k = 0; k < n_secs; k++)
            if (ids[k] == t[i].security && t[i].security) {
                snprintf(x->ticker, sizeof x->ticker, "%s", secs[k].ticker);
                break;
            }
        ra_minor gross = 0;
        if (t[i].kind == RA_TXN_BUY || t[i].kind == RA_TXN_SELL || t[i].kind == RA_TXN_REINVEST)
            rc = ra_money_value(t[i].qty_micro, t[i].price, md, &gross, err);
        switch (t[i].kind) {
        case RA_TXN_DEPOSIT: x->cash_minor = t[i].amount_minor; dep += t[i].amount_minor; break;
        case RA_TXN_WITHDRAWAL: x->cash_minor = -t[i].amount_minor; wd += t[i].amount_minor; break;
        case RA_TXN_FEE: x->cash_minor = -t[i].amount_minor; fee += t[i].amount_minor; break;
        case RA_TXN_DIVIDEND: x->cash_minor = t[i].amount_minor; break;
        case RA_TXN_BUY: x->cash_minor = -gross - t[i].fees_minor; break;
        case RA_TXN_SELL: x->cash_minor = gross - t[i].fees_minor; break;
        case RA_TXN_REINVEST: x->cash_minor = t[i].amount_minor - gross - t[i].fees_minor; break;
        default: break;
        }
    }
    ra_store_free(t);
    ra_date asof = st->source_date[RA_STMT_SRC_LEDGER];
    money_fig(st, RA_STMT_DEPOSITS, dep, RA_STMT_SRC_LEDGER, asof);
    money_fig(st, RA_STMT_WITHDRAWALS, wd, RA_STMT_SRC_LEDGER, asof);
    money_fig(st, RA_STMT_FEES_PAID, fee, RA_STMT_SRC_LEDGER, asof);
    return rc;
}

/* Holdings at the end (account show), their cost (the gains report's lots as of `to`) and the
 * allocation by asset class against the target. */
static ra_status holdings_part(ra_store *s, const char *firm, ra_statement *st,
                               const ra_mandate *mandate, const ra_security *secs, size_t n_secs,
                               const ra_gains_report *g, ra_err *err)
{
    ra_account_view av;
    ra_date day = st->value_to ? st->value_to : st->to;
    ra_status rc = ra_account_view_compute(s, firm, st->account, day, mandate->cash_reserve,
                                           mandate->band_rel, &av, err);
    if (rc != RA_OK) {
        ra_account_view_clear(&av);
        return rc;
    }
    /* the closing value as the ledger replayed and valued per security (valuation, account
     * show); run-day's daily values value each lot and may differ by a few cents */
    money_fig(st, RA_STMT_CLOSING, av.value_minor, RA_STMT_SRC_LEDGER, day);
    st->cash_minor = av.cash_minor;
    st->cash_weight = av.cash_weight;
    st->cash_target = av.cash_target;
    st->holdings = alloc_n(av.n, sizeof *st->holdings);
    st->classes = alloc_n(av.n + 1, sizeof *st->classes);
    if (!st->holdings || !st->classes) {
        ra_account_view_clear(&av);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the holdings");
    }
    ra_minor unreal = 0;
    double level_sum = av.cash_weight; /* cash counts as R1 */
    ra_date price_asof = 0;
    for (size_t i = 0; i < av.n; i++) {
        const ra_account_holding *h = &av.h[i];
        ra_stmt_holding *x = &st->holdings[st->n_holdings++];
        memset(x, 0, sizeof *x);
        snprintf(x->ticker, sizeof x->ticker, "%s", h->ticker);
        const ra_security *sec = find_sec(secs, n_secs, h->ticker);
        if (sec) {
            snprintf(x->name, sizeof x->name, "%s", sec->name);
            snprintf(x->asset_class, sizeof x->asset_class, "%s", sec->asset_class);
            x->risk_level = sec->risk_level;
        }
        x->qty_micro = h->qty_micro;
        x->price = h->price;
        x->price_date = h->price_date;
        x->value_minor = h->value_minor;
        x->weight = h->weight;
        x->target = h->target;
        if (h->price_date > price_asof)
            price_asof = h->price_date;
        level_sum += h->weight * (x->risk_level ? x->risk_level : 5);
        /* cost as of the day: the lots open at the end of the book acquired by then, and the
         * lots of later sales acquired by then */
        for (size_t k = 0; g && k < g->n_open; k++)
            if (strcmp(g->open[k].ticker, h->ticker) == 0 && g->open[k].acquired <= day)
                x->cost_minor += g->open[k].cost_minor;
        for (size_t k = 0; g && k < g->n_sales; k++) {
            const ra_gains_sale *sl = &g->sales[k];
            if (sl->date <= day || strcmp(sl->ticker, h->ticker) != 0)
                continue;
            for (size_t p = sl->first_part; p < sl->first_part + sl->n_parts; p++)
                if (g->parts[p].acquired <= day)
                    x->cost_minor += g->parts[p].cost_minor;
        }
        x->unrealised_minor = h->qty_micro ? x->value_minor - x->cost_minor : 0;
        unreal += x->unrealised_minor;
        /* the allocation by class */
        const char *cls = x->asset_class[0] ? x->asset_class : "other";
        size_t c = 0;
        while (c < st->n_classes && strcmp(st->classes[c].asset_class, cls) != 0)
            c++;
        if (c == st->n_classes)
            snprintf(st->classes[st->n_classes++].asset_class, RA_CODE_MAX, "%s", cls);
        st->classes[c].actual += h->weight;
        st->classes[c].target += h->target;
    }
    ra_stmt_class *cc = &st->classes[st->n_classes++];
    snprintf(cc->asset_class, sizeof cc->asset_class, "cash");
    cc->actual = av.cash_weight;
    cc->target = av.cash_target;
    st->source_date[RA_STMT_SRC_PRICES] = price_asof;
    st->portfolio_level = av.value_minor > 0 ? (int)ceil(level_sum - 1e-9) : 0;
    if (st->portfolio_level > 5)
        st->portfolio_level = 5;
    money_fig(st, RA_STMT_UNREALISED, unreal, RA_STMT_SRC_GAINS, day);
    st->fig[RA_STMT_UNREALISED].risk_level = st->portfolio_level;
    st->fig[RA_STMT_CLOSING].risk_level = st->portfolio_level;
    st->fig[RA_STMT_OPENING].risk_level = st->portfolio_level;
    st->fig[RA_STMT_TWR].risk_level = st->portfolio_level;
    st->fig[RA_STMT_MWR].risk_level = st->portfolio_level;
    ra_account_view_clear(&av);
    if (!st->value_from)
        return RA_OK;
    rc = ra_account_view_compute(s, firm, st->account, st->value_from, mandate->cash_reserve,
                                 mandate->band_rel, &av, err);
    if (rc == RA_OK)
        money_fig(st, RA_STMT_OPENING, av.value_minor, RA_STMT_SRC_LEDGER, st->value_from);
    st->fig[RA_STMT_OPENING].risk_level = st->portfolio_level;
    ra_account_view_clear(&av);
    return rc;
}

/* The sales of the period from the gains report, by term, and the losses harvested. */
static ra_status gains_part(ra_statement *st, const ra_gains_report *g, ra_err *err)
{
    st->sales = alloc_n(g->n_sales, sizeof *st->sales);
    if (!st->sales)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the sales");
    ra_minor sh = 0, lo = 0, dis = 0, harv = 0;
    for (size_t i = 0; i < g->n_sales; i++) {
        const ra_gains_sale *sl = &g->sales[i];
        if (sl->date < st->from || sl->date > st->to)
            continue;
        ra_stmt_sale *x = &st->sales[st->n_sales++];
        memset(x, 0, sizeof *x);
        x->date = sl->date;
        snprintf(x->ticker, sizeof x->ticker, "%s", sl->ticker);
        x->qty_micro = sl->qty_micro;
        x->proceeds_minor = sl->proceeds_minor;
        x->cost_minor = sl->cost_minor;
        x->gain_minor = sl->gain_minor;
        x->disallowed_minor = sl->disallowed_minor;
        x->harvest = sl->harvest;
        for (size_t p = sl->first_part; p < sl->first_part + sl->n_parts; p++) {
            const ra_gains_part *pt = &g->parts[p];
            ra_minor reported = pt->gain_minor + pt->disallowed_minor; /* gains: Form 8949 (h) */
            if (pt->long_term)
                x->long_minor += reported;
            else
                x->short_minor += reported;
            if (sl->harvest && pt->gain_minor < 0)
                harv += -pt->gain_minor;
        }
        sh += x->short_minor;
        lo += x->long_minor;
        dis += x->disallowed_minor;
    }
    st->source_date[RA_STMT_SRC_GAINS] = st->source_date[RA_STMT_SRC_LEDGER];
    ra_date d = st->source_date[RA_STMT_SRC_LEDGER];
    money_fig(st, RA_STMT_REALISED_SHORT, sh, RA_STMT_SRC_GAINS, d);
    money_fig(st, RA_STMT_REALISED_LONG, lo, RA_STMT_SRC_GAINS, d);
    money_fig(st, RA_STMT_WASH_DISALLOWED, dis, RA_STMT_SRC_GAINS, d);
    money_fig(st, RA_STMT_HARVESTED, harv, RA_STMT_SRC_GAINS, d);
    return RA_OK;
}

static ra_status fees_part(ra_store *s, const char *firm, ra_statement *st, const ra_mandate *m,
                           ra_err *err)
{
    ra_fee_bill *b = NULL;
    size_t n = 0;
    ra_status rc = ra_fees_compute(s, firm, st->account, st->from, st->to, &b, &n, err);
    if (rc != RA_OK)
        return rc;
    st->fees = alloc_n(n, sizeof *st->fees);
    if (!st->fees) {
        ra_free(b);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the fees");
    }
    ra_minor total = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].period_end < st->from || b[i].period_end > st->to)
            continue;
        ra_stmt_fee *x = &st->fees[st->n_fees++];
        memset(x, 0, sizeof *x);
        x->period_start = b[i].period_start;
        x->period_end = b[i].period_end;
        snprintf(x->schedule, sizeof x->schedule, "%s", b[i].schedule);
        x->days = b[i].days;
        x->average_minor = b[i].days ? b[i].value_sum_minor / b[i].days : 0;
        x->asset_fee_minor = b[i].asset_fee_minor;
        x->subscription_minor = b[i].subscription_minor;
        x->service_minor = b[i].service_minor;
        x->perf_fee_minor = b[i].perf_fee_minor;
        x->total_minor = b[i].total_minor;
        x->has_perf = b[i].perf_end != 0;
        x->perf_profit_minor = b[i].perf_profit_minor;
        x->perf_hurdle_minor = b[i].perf_hurdle_minor;
        x->carried_loss_minor = b[i].carried_loss_minor;
        x->billed = b[i].billed;
        total += b[i].total_minor;
        if (b[i].period_end > st->source_date[RA_STMT_SRC_FEES])
            st->source_date[RA_STMT_SRC_FEES] = b[i].period_end;
    }
    ra_free(b);
    money_fig(st, RA_STMT_FEES_BILLED, total, RA_STMT_SRC_FEES, st->source_date[RA_STMT_SRC_FEES]);
    /* the schedule the account pays: its mandate's, else the firm's default */
    char code[RA_CODE_MAX];
    snprintf(code, sizeof code, "%s", m->fee_schedule);
    if (!code[0] && (rc = ra_store_fee_default(s, firm, code, err)) != RA_OK)
        return rc;
    if (!code[0])
        return RA_OK;
    ra_fee_plan *p = NULL;
    size_t np = 0;
    if ((rc = ra_store_fee_schedules(s, firm, code, &p, &np, err)) != RA_OK)
        return rc;
    if (np) {
        const ra_fee_plan *q = &p[np - 1];
        ra_stmt_fee_schedule *x = &st->schedule;
        x->have = 1;
        snprintf(x->code, sizeof x->code, "%s", q->code);
        x->version = q->version;
        x->s = q->sched;
        x->billing_months = q->period_months;
        x->perf_rate_ppm = q->perf_rate_ppm;
        x->perf_hurdle_ppm = q->perf_hurdle_ppm;
        x->perf_months = q->perf_months;
        snprintf(x->perf_benchmark, sizeof x->perf_benchmark, "%s", q->perf_benchmark);
        for (size_t i = 0; i < st->n_fees; i++)
            st->fees[i].perf_rate_ppm = q->perf_rate_ppm;
    }
    ra_store_free(p);
    return RA_OK;
}

static ra_status risk_part(ra_store *s, const char *firm, ra_statement *st, ra_err *err)
{
    ra_alert_rec *a = NULL;
    size_t na = 0;
    ra_status rc = ra_store_alerts_list(s, firm, st->account, &a, &na, err);
    if (rc != RA_OK)
        return rc;
    st->alerts = alloc_n(na, sizeof *st->alerts);
    if (!st->alerts) {
        ra_store_free(a);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the alerts");
    }
    ra_date asof = 0;
    for (size_t i = 0; i < na; i++) {
        if (a[i].date > st->to || (a[i].closed && a[i].closed < st->from))
            continue;
        ra_stmt_event *x = &st->alerts[st->n_alerts++];
        memset(x, 0, sizeof *x);
        x->date = a[i].date;
        x->closed = a[i].closed <= st->to ? a[i].closed : 0;
        snprintf(x->kind, sizeof x->kind, "%s", ra_alert_name(a[i].kind));
        x->observed = a[i].observed;
        x->threshold = a[i].threshold;
        if (a[i].date > asof)
            asof = a[i].date;
    }
    ra_store_free(a);
    ra_suspension *sp = NULL;
    size_t ns = 0;
    if ((rc = ra_store_suspensions_list(s, firm, st->account, &sp, &ns, err)) != RA_OK)
        return rc;
    st->suspensions = alloc_n(ns, sizeof *st->suspensions);
    if (!st->suspensions) {
        ra_store_free(sp);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the suspensions");
    }
    for (size_t i = 0; i < ns; i++) {
        ra_date re = sp[i].reauthorised_by[0] ? date_of_unix(sp[i].reauthorised_at) : 0;
        if (sp[i].date > st->to || (re && re < st->from))
            continue;
        ra_stmt_event *x = &st->suspensions[st->n_suspensions++];
        memset(x, 0, sizeof *x);
        x->date = sp[i].date;
        x->closed = re <= st->to ? re : 0;
        snprintf(x->kind, sizeof x->kind, "%s", sp[i].kind);
        x->observed = sp[i].entrusted_minor > 0
                          ? (double)sp[i].loss_minor / (double)sp[i].entrusted_minor
                          : NAN;
        x->threshold = sp[i].loss_limit;
        x->loss_minor = sp[i].loss_minor;
        if (x->closed)
            snprintf(x->by, sizeof x->by, "%s", sp[i].reauthorised_by);
        if (sp[i].date > asof)
            asof = sp[i].date;
    }
    ra_store_free(sp);
    st->source_date[RA_STMT_SRC_RISK] = asof ? asof : st->to;
    return RA_OK;
}

/* The client's level, the model's and the suitability. */
static ra_status profile_part(ra_store *s, const char *firm, ra_statement *st, ra_model *m,
                              int *have_model, ra_err *err)
{
    ra_stored_profile p;
    ra_err e2 = {0};
    ra_status rc = ra_store_profile_current(s, firm, st->client, &p, &e2);
    if (rc == RA_OK) {
        st->client_level = p.level;
        st->profile_taken = p.taken;
        st->profile_expires = p.expires;
        st->profile_expired = ra_stored_profile_expired(&p, st->to);
        st->source_date[RA_STMT_SRC_PROFILE] = p.taken;
    } else if (rc != RA_ENOTFOUND) {
        *err = e2;
        return rc;
    }
    *have_model = 0;
    ra_models_assignment as;
    rc = ra_models_assignment_get(s, firm, st->account, &as, &e2);
    const char *code = rc == RA_OK ? as.model : st->model;
    int version = rc == RA_OK ? as.version : 0;
    if (rc != RA_OK && rc != RA_ENOTFOUND) {
        *err = e2;
        return rc;
    }
    if (code[0]) {
        rc = ra_models_get(s, firm, code, version, m, &e2);
        if (rc == RA_OK) {
            *have_model = 1;
            snprintf(st->model, sizeof st->model, "%s", m->code);
            st->model_level = m->level;
            /* built models: the end of their estimation window; hand-authored: when stored */
            st->source_date[RA_STMT_SRC_MODEL] = m->to ? m->to : date_of_unix(m->created_at);
        } else if (rc != RA_ENOTFOUND) {
            *err = e2;
            return rc;
        }
    }
    st->suitable = st->client_level && st->model_level && st->model_level <= st->client_level &&
                   !st->profile_expired;
    return RA_OK;
}

ra_status stmt_parties(ra_store *s, const char *firm, const char *account, ra_firm *f,
                       ra_account *a, ra_client *c, ra_err *err)
{
    ra_status rc = ra_store_firm_get(s, firm, f, err);
    if (rc == RA_OK)
        rc = ra_store_account_get(s, firm, account, a, err);
    if (rc == RA_OK)
        rc = ra_store_client_get(s, firm, a->client, c, err);
    return rc;
}

static ra_status statement_build(ra_store *s, const char *firm, const char *account,
                                 ra_date from, ra_date to, ra_statement *st, ra_err *err);

/* In one read transaction of its own unless the caller has one open (the API server's GET): one
 * snapshot for all the statement's figures, and the store's read memo of firm rows and security
 * ids (store_int.h) spares a look-up per security. */
ra_status ra_statement_build(ra_store *s, const char *firm, const char *account, ra_date from,
                             ra_date to, ra_statement *st, ra_err *err)
{
    ra_err ignored = {0};
    int own = s && ra_store_read_begin(s, &ignored) == RA_OK;
    ra_status rc = statement_build(s, firm, account, from, to, st, err);
    if (own)
        ra_store_read_end(s);
    return rc;
}

static ra_status statement_build(ra_store *s, const char *firm, const char *account,
                                 ra_date from, ra_date to, ra_statement *st, ra_err *err)
{
    memset(st, 0, sizeof *st);
    if (!s || !firm || !account || !st)
        return ra_err_set(err, RA_EINVAL, NULL, "statement: a NULL argument");
    if (from > to)
        return ra_err_set(err, RA_EINVAL, NULL, "the period starts after it ends");
    ra_firm f;
    ra_account a;
    ra_client c;
    ra_status rc = stmt_parties(s, firm, account, &f, &a, &c, err);
    if (rc != RA_OK)
        return rc;
    snprintf(st->firm, sizeof st->firm, "%s", f.code);
    snprintf(st->firm_name, sizeof st->firm_name, "%s", f.name);
    snprintf(st->account, sizeof st->account, "%s", a.code);
    snprintf(st->client, sizeof st->client, "%s", c.code);
    snprintf(st->client_name, sizeof st->client_name, "%s", c.name);
    snprintf(st->currency, sizeof st->currency, "%s", a.currency);
    snprintf(st->model, sizeof st->model, "%s", a.mandate.model);
    st->minor_digits = f.minor_digits;
    st->account_type = (int)a.type;
    st->discretionary = a.mandate.discretionary;
    st->from = from;
    st->to = to;
    ra_mandate_version mv;
    ra_security *secs = NULL;
    size_t n_secs = 0;
    uint32_t *ids = NULL;
    ra_gains_report *g = NULL;
    ra_model *model = NULL;
    int have_model = 0;
    if ((rc = ra_store_mandate_get(s, firm, account, 0, &mv, err)) != RA_OK)
        goto out;
    if ((rc = ra_store_security_list(s, firm, 0, &secs, &n_secs, err)) != RA_OK)
        goto out;
    ids = alloc_n(n_secs, sizeof *ids);
    model = ra_malloc(sizeof *model);
    if (!ids || !model) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the securities");
        goto out;
    }
    for (size_t i = 0; rc == RA_OK && i < n_secs; i++)
        rc = ra_store_security_id(s, firm, secs[i].ticker, &ids[i], err);
    if (rc == RA_OK)
        rc = profile_part(s, firm, st, model, &have_model, err);
    if (rc == RA_OK)
        rc = values_part(s, firm, st, err);
    if (rc == RA_OK)
        rc = bench_part(s, firm, st, have_model ? model : NULL, err);
    if (rc == RA_OK)
        rc = txns_part(s, firm, st, secs, ids, n_secs, err);
    if (rc == RA_OK) {
        ra_gains_options go;
        ra_gains_options_default(&go);
        rc = ra_store_firm_wash_window(s, firm, &go.window_days, err);
        st->wash_window_days = go.window_days;
        if (rc == RA_OK)
            rc = ra_gains_compute(s, firm, account, &go, &g, err);
    }
    if (rc == RA_OK)
        rc = holdings_part(s, firm, st, &mv.mandate, secs, n_secs, g, err);
    if (rc == RA_OK)
        rc = gains_part(st, g, err);
    if (rc == RA_OK)
        rc = fees_part(s, firm, st, &mv.mandate, err);
    if (rc == RA_OK)
        rc = risk_part(s, firm, st, err);
    if (rc == RA_OK) {
        const ra_stmt_fig *fg = st->fig;
        money_fig(st, RA_STMT_INVEST_GAIN,
                  fg[RA_STMT_CLOSING].minor - fg[RA_STMT_OPENING].minor -
                      fg[RA_STMT_DEPOSITS].minor + fg[RA_STMT_WITHDRAWALS].minor,
                  RA_STMT_SRC_LEDGER, st->value_to);
        st->fig[RA_STMT_INVEST_GAIN].risk_level = st->portfolio_level;
    }
out:
    ra_gains_report_destroy(g);
    ra_store_free(secs);
    ra_free(ids);
    ra_free(model);
    if (rc != RA_OK)
        ra_statement_clear(st);
    return rc;
}
