/* Backtests of the daily cycle (include/roboadvisor/engine_backtest.h): a generated book, its
 * models and onboarding on the first day, the cycle with fills at the close over every later
 * trading day, then the per-level figures from the stored daily values, the accounts'
 * transactions, their realised gains and the executed harvests. Formulas and their sources:
 * docs/methodology.md#backtests. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bookgen.h>
#include <roboadvisor/engine_backtest.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_gains.h>
#include <roboadvisor/engine_models.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/engine_valuation.h>
#include <roboadvisor/perf.h>
#include <roboadvisor/prof_io.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the aggregation --------------------------------------------------------------------------- */

static void level_nan(ra_backtest_level *l)
{
    l->ret_ann_before_fees = l->ret_ann = l->ret_ann_after_tax = NAN;
    l->vol_ann = l->max_drawdown = l->turnover_ann = l->tracking_error = l->tax_alpha = NAN;
    l->avg_value = NAN;
}

static int in_level(const ra_backtest_account *a, int level)
{
    return a->level >= 1 && a->level <= RA_BACKTEST_LEVELS && (level == 0 || a->level == level);
}

/* The tracking error of one account: sd(r - model) * sqrt(252) over its days with both returns
 * (NAN with fewer than 2 such days). */
static ra_status account_te(const ra_backtest_account *a, size_t n_days, double *r, double *m,
                            double *te, ra_err *err)
{
    size_t n = 0;
    for (size_t k = 0; k < n_days; k++)
        if (isfinite(a->twr[k]) && isfinite(a->model_ret[k])) {
            r[n] = a->twr[k];
            m[n++] = a->model_ret[k];
        }
    *te = NAN;
    if (n < 2)
        return RA_OK;
    ra_perf_stats st;
    ra_status rc = ra_perf_stats_compute(r, m, n, 1, RA_BACKTEST_DAYS_PER_YEAR, 0, 0, 0.95, &st,
                                         err);
    if (rc == RA_OK)
        *te = st.tracking_error;
    return rc;
}

/* One level (0: every account with a level). work: 5 * n_days doubles. */
static ra_status aggregate_level(const ra_backtest_account *acc, size_t n_acc, size_t n_days,
                                 int level, double *work, ra_backtest_level *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    out->level = level;
    level_nan(out);
    double *R = work, *Rbf = work + n_days, *Rat = work + 2 * n_days;
    double *tr = work + 3 * n_days, *tm = work + 4 * n_days;
    double value_sum = 0, traded = 0, te_sum = 0;
    size_t value_days = 0, n_te = 0, n = 0;
    for (size_t a = 0; a < n_acc; a++) {
        if (!in_level(&acc[a], level))
            continue;
        out->accounts++;
        out->harvested += acc[a].harvested;
        out->harvest_tax_value += acc[a].harvest_tax_value;
        if (n_days)
            out->transition += acc[a].traded[0];
        for (size_t k = 1; k < n_days; k++)
            traded += acc[a].traded[k];
        for (size_t k = 0; k < n_days; k++) {
            out->fees += acc[a].fees[k];
            out->taxes += acc[a].tax[k];
        }
        double te;
        ra_status rc = account_te(&acc[a], n_days, tr, tm, &te, err);
        if (rc != RA_OK)
            return rc;
        if (isfinite(te)) {
            te_sum += te;
            n_te++;
        }
    }
    if (!out->accounts)
        return RA_OK;
    for (size_t k = 0; k < n_days; k++) {
        double w = 0, wr = 0, fees = 0, tax = 0, vk = 0;
        int have_v = 0;
        for (size_t a = 0; a < n_acc; a++) {
            const ra_backtest_account *x = &acc[a];
            if (!in_level(x, level))
                continue;
            if (isfinite(x->value[k])) {
                vk += x->value[k];
                have_v = 1;
            }
            double prev = k ? x->value[k - 1] : x->start_value;
            if (!isfinite(x->twr[k]) || !(prev > 0))
                continue;
            if (x->twr[k] < -1)
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "a daily return below -1 (%g) on day %zu", x->twr[k], k);
            w += prev;
            wr += prev * x->twr[k];
            fees += x->fees[k];
            tax += x->tax[k];
        }
        if (have_v) {
            value_sum += vk;
            value_days++;
        }
        if (w > 0) {
            R[n] = wr / w;
            Rbf[n] = (wr + fees) / w;
            Rat[n] = (wr - tax) / w;
            if (Rat[n] < -1)
                Rat[n] = -1;
            n++;
        }
    }
    out->days = n;
    if (value_days)
        out->avg_value = value_sum / (double)value_days;
    if (n_te)
        out->tracking_error = te_sum / (double)n_te;
    double years = (double)n / RA_BACKTEST_DAYS_PER_YEAR;
    if (out->avg_value > 0 && n > 0) {
        out->turnover_ann = traded / out->avg_value / years;
        out->tax_alpha = out->harvest_tax_value / out->avg_value / years;
    }
    out->transition = out->avg_value > 0 ? out->transition / out->avg_value : NAN;
    if (n < 2)
        return RA_OK;
    ra_perf_stats st;
    ra_status rc = ra_perf_stats_compute(R, NULL, n, 1, RA_BACKTEST_DAYS_PER_YEAR, 0, 0, 0.95,
                                         &st, err);
    if (rc != RA_OK)
        return rc;
    out->ret_ann = st.annualized_return;
    out->vol_ann = st.annualized_volatility;
    out->max_drawdown = st.max_drawdown.depth;
    if ((rc = ra_perf_stats_compute(Rbf, NULL, n, 1, RA_BACKTEST_DAYS_PER_YEAR, 0, 0, 0.95, &st,
                                    err)) != RA_OK)
        return rc;
    out->ret_ann_before_fees = st.annualized_return;
    if ((rc = ra_perf_stats_compute(Rat, NULL, n, 1, RA_BACKTEST_DAYS_PER_YEAR, 0, 0, 0.95, &st,
                                    err)) != RA_OK)
        return rc;
    out->ret_ann_after_tax = st.annualized_return;
    return RA_OK;
}

static ra_status aggregate(const ra_backtest_account *acc, size_t n_acc, size_t n_days,
                           ra_backtest_level out[RA_BACKTEST_LEVELS], ra_backtest_level *total,
                           ra_err *err)
{
    double *work = ra_malloc((5 * n_days + 1) * sizeof *work);
    if (!work)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu days of returns", n_days);
    ra_status rc = RA_OK;
    for (int lv = 1; lv <= RA_BACKTEST_LEVELS && rc == RA_OK; lv++)
        rc = aggregate_level(acc, n_acc, n_days, lv, work, &out[lv - 1], err);
    if (rc == RA_OK && total)
        rc = aggregate_level(acc, n_acc, n_days, 0, work, total, err);
    ra_free(work);
    return rc;
}

ra_status ra_backtest_aggregate(const ra_backtest_account *acc, size_t n_acc, size_t n_days,
                                ra_backtest_level out[RA_BACKTEST_LEVELS], ra_err *err)
{
    if ((!acc && n_acc) || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "backtest aggregation needs its accounts and output");
    for (size_t a = 0; a < n_acc; a++)
        if (n_days && (!acc[a].value || !acc[a].twr || !acc[a].fees || !acc[a].tax ||
                       !acc[a].traded || !acc[a].model_ret))
            return ra_err_set(err, RA_EINVAL, NULL, "account %zu of the backtest has no series", a);
    for (size_t a = 0; a < n_acc; a++)
        for (size_t k = 0; k < n_days; k++)
            if (acc[a].twr[k] < -1)
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "account %zu has a daily return below -1 (%g) on day %zu", a,
                                  acc[a].twr[k], k);
    return aggregate(acc, n_acc, n_days, out, NULL, err);
}

#define MAX_MODELS 256 /* model versions the accounts of one backtest may be assigned to */

/* ---- the run ----------------------------------------------------------------------------------- */

void ra_backtest_options_default(ra_backtest_options *o)
{
    memset(o, 0, sizeof *o);
    ra_rebal_settings rs;
    ra_rebal_settings_default(&rs);
    o->tax_rate_short = rs.tax_rate_short;
    o->tax_rate_long = rs.tax_rate_long;
    o->clients = RA_BOOKGEN_DEFAULT_CLIENTS;
    o->seed = RA_BOOKGEN_DEFAULT_SEED;
    o->stages = 2;
}

/* Per account: the series of the aggregation, in one block of 6 * n_days doubles. */
typedef struct acct_data {
    char code[RA_CODE_MAX];
    int model;       /* index into the cycle book's models, -1 none */
    double *s;       /* value, twr, fees, tax, traded, model_ret */
} acct_data;

static int cmp_date(const void *a, const void *b)
{
    ra_date x = *(const ra_date *)a, y = *(const ra_date *)b;
    return (x > y) - (x < y);
}

/* The index of d in the increasing days[0..n), SIZE_MAX when absent. */
static size_t day_index(const ra_date *days, size_t n, ra_date d)
{
    const ra_date *p = n ? bsearch(&d, days, n, sizeof *days, cmp_date) : NULL;
    return p ? (size_t)(p - days) : SIZE_MAX;
}

/* The data's row of date d (SIZE_MAX none). */
static size_t data_row(const ra_bookgen_data *d, ra_date date)
{
    return day_index(d->prices->dates, d->prices->n_rows, date);
}

/* model_ret[k] for each day from the model's weights and the data's closes (the closes that were
 * written into the store): sum_i w_i (P_i,k / P_i,k-1 - 1), day -1 being prev_day (the first day);
 * NAN when a holding has no close on either day. Dividends: model_dividends. */
static void model_returns(const ra_bookgen_data *d, const ra_model *m, const ra_date *days,
                          size_t n_days, ra_date prev_day, double *out)
{
    size_t col[RA_MODELS_MAX_HOLDINGS];
    for (size_t i = 0; i < m->n; i++) {
        col[i] = SIZE_MAX;
        for (size_t j = 0; j < d->n_shelf; j++)
            if (strcmp(d->shelf[j].ticker, m->w[i].ticker) == 0)
                col[i] = j;
    }
    ra_date prev = prev_day;
    for (size_t k = 0; k < n_days; k++) {
        out[k] = NAN;
        size_t r0 = data_row(d, prev), r1 = data_row(d, days[k]);
        prev = days[k];
        if (r0 == SIZE_MAX || r1 == SIZE_MAX)
            continue;
        double r = 0;
        int ok = 1;
        for (size_t i = 0; i < m->n && ok; i++) {
            ra_price p0 = col[i] == SIZE_MAX ? 0 : d->close[r0 * d->n_shelf + col[i]];
            ra_price p1 = col[i] == SIZE_MAX ? 0 : d->close[r1 * d->n_shelf + col[i]];
            if (p0 <= 0 || p1 <= 0)
                ok = 0;
            else
                r += m->w[i].weight * ((double)p1 / (double)p0 - 1);
        }
        out[k] = ok ? r : NAN;
    }
}

/* Adds the dividends per share with ex-dates in (day k-1, day k] to the model returns. */
static void model_dividends(const ra_bookgen_data *d, const ra_model *m, const ra_date *days,
                            size_t n_days, ra_date first_prev, double *out)
{
    for (size_t v = 0; v < d->n_divs; v++) {
        const ra_dividend *dv = &d->divs[v];
        if (dv->ex_date <= first_prev || dv->ex_date > days[n_days - 1] || dv->amount <= 0)
            continue;
        double w = 0;
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->w[i].ticker, dv->ticker) == 0)
                w = m->w[i].weight;
        if (w == 0)
            continue;
        size_t k = 0; /* the first day on or after the ex-date */
        while (k < n_days && days[k] < dv->ex_date)
            k++;
        ra_date prev = k ? days[k - 1] : first_prev;
        size_t j = 0, r0;
        while (j < d->n_shelf && strcmp(d->shelf[j].ticker, dv->ticker) != 0)
            j++;
        if (k == n_days || j == d->n_shelf || !isfinite(out[k]) ||
            (r0 = data_row(d, prev)) == SIZE_MAX || d->close[r0 * d->n_shelf + j] <= 0)
            continue;
        out[k] += w * (double)dv->amount / (double)d->close[r0 * d->n_shelf + j];
    }
}

static double money_value(ra_micro q, ra_price p, int md)
{
    ra_minor v = 0;
    ra_err e;
    if (ra_money_value(q, p, md, &v, &e) != RA_OK)
        return (double)q * (double)p / 1e12 * pow(10, md);
    return (double)v;
}

/* The series of one account: daily values, transactions, realised gains, and the value on the
 * first day (before the cycle) that starts the first cycle day's return. */
static ra_status account_series(ra_store *s, const char *firm, const ra_backtest_options *o,
                                const ra_date *days, size_t n_days, ra_minor start_value,
                                int md, acct_data *ad, size_t *trades, ra_err *err)
{
    double *value = ad->s, *twr = value + n_days, *fees = twr + n_days, *tax = fees + n_days;
    double *traded = tax + n_days;
    for (size_t k = 0; k < n_days; k++) {
        value[k] = twr[k] = NAN;
        fees[k] = tax[k] = traded[k] = 0;
    }
    ra_cycle_value *v = NULL;
    size_t n = 0;
    ra_status rc = ra_store_daily_values(s, firm, ad->code, days[0], days[n_days - 1], &v, &n, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        size_t k = day_index(days, n_days, v[i].date);
        if (k == SIZE_MAX)
            continue;
        value[k] = (double)v[i].value_minor;
        twr[k] = v[i].twr;
        if (k == 0 && !isfinite(twr[0]) && start_value > 0) /* docs/methodology.md#backtests */
            twr[0] = (double)(v[i].value_minor - v[i].flow_minor) / (double)start_value - 1;
    }
    ra_store_free(v);
    ra_txn *t = NULL;
    size_t nt = 0;
    int digits = md;
    if ((rc = ra_store_account_txns(s, firm, ad->code, days[n_days - 1], &t, &nt, &digits, err)) !=
        RA_OK)
        return rc;
    for (size_t i = 0; i < nt; i++) {
        size_t k = day_index(days, n_days, t[i].date);
        if (k == SIZE_MAX)
            continue;
        if (t[i].kind == RA_TXN_FEE)
            fees[k] += (double)t[i].amount_minor;
        if (t[i].kind == RA_TXN_BUY || t[i].kind == RA_TXN_SELL || t[i].kind == RA_TXN_REINVEST)
            fees[k] += (double)t[i].fees_minor;
        if (t[i].kind == RA_TXN_BUY || t[i].kind == RA_TXN_SELL) {
            traded[k] += money_value(t[i].qty_micro, t[i].price, digits);
            (*trades)++;
        }
    }
    ra_store_free(t);
    ra_gains_report *g = NULL;
    if ((rc = ra_gains_compute(s, firm, ad->code, NULL, &g, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < g->n_sales; i++) {
        const ra_gains_sale *sale = &g->sales[i];
        size_t k = day_index(days, n_days, sale->date);
        if (k == SIZE_MAX)
            continue;
        for (size_t p = sale->first_part; p < sale->first_part + sale->n_parts; p++) {
            const ra_gains_part *x = &g->parts[p];
            double reported = (double)(x->gain_minor + x->disallowed_minor); /* Form 8949 (h) */
            tax[k] += reported * (x->long_term ? o->tax_rate_long : o->tax_rate_short);
        }
    }
    ra_gains_report_destroy(g);
    return RA_OK;
}

static ra_status steps_before(ra_store *s, const ra_store_actor *actor,
                              const ra_backtest_options *o, ra_bookgen_data *md,
                              ra_backtest_result *res, ra_err *err)
{
    ra_status rc = ra_bookgen_data_load(o->data_dir, md, err);
    if (rc != RA_OK)
        return rc;
    ra_bookgen_settings set;
    ra_bookgen_settings_default(&set);
    set.seed = o->seed;
    set.n_clients = o->clients;
    int y, m, d;
    ra_date_to_ymd(o->from, &y, &m, &d);
    set.start = ra_date_from_ymd(y - RA_BACKTEST_HISTORY_YEARS, m, d == 29 && m == 2 ? 28 : d);
    set.end = o->from;
    ra_bookgen_market mk;
    ra_bookgen_data_market(md, &mk);
    ra_bookgen_book *book = NULL;
    if ((rc = ra_bookgen_create(&set, &mk, &book, err)) != RA_OK) {
        ra_err_wrap(err, "could not generate the book");
        return rc;
    }
    if (strcmp(book->firm.code, actor->firm) != 0)
        rc = ra_err_set(err, RA_EINVAL, NULL, "the backtest acts for firm %s, the book is %s's",
                        actor->firm, book->firm.code);
    if (rc == RA_OK) {
        snprintf(res->firm, sizeof res->firm, "%s", book->firm.code);
        snprintf(res->currency, sizeof res->currency, "%s", book->firm.currency);
        res->minor_digits = book->firm.minor_digits;
        ra_bookgen_write_stats ws;
        if ((rc = ra_bookgen_write(s, actor, md, book, &ws, err)) != RA_OK)
            ra_err_wrap(err, "could not write the book");
    }
    ra_bookgen_destroy(book);
    if (rc != RA_OK)
        return rc;
    ra_models_build_opts bo;
    ra_models_build_opts_default(&bo);
    bo.date = o->from;
    bo.two_stage = o->stages != 1;
    ra_models_build_result *br = ra_calloc(1, sizeof *br);
    if (!br)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the models");
    rc = ra_models_build_all(s, actor, &bo, br, err);
    ra_free(br);
    if (rc != RA_OK) {
        ra_err_wrap(err, "could not build the models");
        return rc;
    }
    ra_prof_questionnaire *q = NULL;
    ra_onboard_generated *g = ra_calloc(1, sizeof *g);
    if (!g)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the onboarding counts");
    if ((rc = ra_store_begin(s, err)) == RA_OK) {
        rc = ra_store_questionnaire_put(s, actor, o->questionnaire, o->questionnaire_size, NULL,
                                        err);
        if (rc == RA_OK)
            rc = ra_prof_questionnaire_parse(o->questionnaire, o->questionnaire_size, &q, err);
        if (rc == RA_OK)
            rc = ra_onboard_generate(s, actor, q, 0, o->clients, o->seed, o->from, g, err);
        if (rc == RA_OK)
            rc = ra_store_commit(s, err);
        else
            (void)ra_store_rollback(s, NULL);
    }
    if (rc == RA_OK)
        res->clients = g->clients;
    else
        ra_err_wrap(err, "could not onboard the clients");
    ra_prof_questionnaire_destroy(q);
    ra_free(g);
    return rc;
}

static ra_status run_days(ra_store *s, const ra_store_actor *actor, const ra_backtest_options *o,
                          ra_date **days, size_t *n_days, ra_err *err)
{
    size_t total = (size_t)(o->to - o->from), cap = total + 1;
    *days = ra_malloc(cap * sizeof **days);
    if (!*days)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu days", cap);
    ra_cycle_options co;
    ra_cycle_options_default(&co);
    co.execute_close = 1;
    co.batch = 1000;
    for (ra_date d = o->from + 1; d <= o->to; d++) {
        co.date = d;
        ra_cycle_stats st;
        ra_err e = {0};
        ra_status rc = ra_cycle_run_day(s, actor, &co, &st, &e);
        if (rc == RA_ENOTFOUND && strstr(e.msg, "not a trading day")) {
            /* a weekend or a holiday: skipped as run-day --to does */
        } else if (rc != RA_OK) {
            if (err)
                *err = e;
            return rc;
        } else
            (*days)[(*n_days)++] = d;
        if (o->progress)
            o->progress(o->progress_ctx, d, (size_t)(d - o->from), total);
    }
    if (*n_days < 2)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the backtest needs at least 2 trading days after its first day, got %zu",
                          *n_days);
    return RA_OK;
}

/* The model version the account is assigned to (index into models[0..*n), added when new), or -1
 * for an account without an assignment. */
static ra_status account_model(ra_store *s, const char *firm, const char *account,
                               ra_model *models, size_t cap, size_t *n, int *index, ra_err *err)
{
    ra_models_assignment as;
    ra_err e = {0};
    *index = -1;
    ra_status rc = ra_models_assignment_get(s, firm, account, &as, &e);
    if (rc == RA_ENOTFOUND)
        return RA_OK;
    if (rc != RA_OK) {
        if (err)
            *err = e;
        return rc;
    }
    for (size_t i = 0; i < *n; i++)
        if (strcmp(models[i].code, as.model) == 0 && models[i].version == as.version) {
            *index = (int)i;
            return RA_OK;
        }
    if (*n == cap)
        return ra_err_set(err, RA_EINVAL, account, "more than %zu model versions assigned", cap);
    if ((rc = ra_models_get(s, firm, as.model, as.version, &models[*n], err)) != RA_OK)
        return rc;
    *index = (int)(*n)++;
    return RA_OK;
}

/* Harvests of the executed proposals, per account (accounts in code order, as the book has them). */
static ra_status harvests(ra_store *s, const char *firm, const ra_backtest_options *o,
                          acct_data *ad, size_t n_acc, ra_backtest_account *acc, ra_err *err)
{
    ra_cycle_filter f = {0, "", "executed"};
    ra_cycle_proposal *p = NULL;
    size_t n = 0;
    ra_status rc = ra_store_proposals_list(s, firm, &f, &p, &n, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (p[i].date <= o->from || p[i].date > o->to)
            continue;
        size_t a = 0;
        while (a < n_acc && strcmp(ad[a].code, p[i].account) != 0)
            a++;
        if (a == n_acc)
            continue;
        for (size_t t = 0; t < p[i].n_trades; t++) {
            const ra_cycle_trade *x = &p[i].trades[t];
            if (x->side > 0 || !(x->reasons & RA_REASON_TLH) || strcmp(x->status, "rejected") == 0)
                continue;
            double gs = (double)x->gain_short_minor, gl = (double)x->gain_long_minor;
            acc[a].harvested += -(gs + gl);
            acc[a].harvest_tax_value += -(gs * o->tax_rate_short + gl * o->tax_rate_long);
        }
    }
    ra_cycle_proposals_free(p, n);
    return RA_OK;
}

ra_status ra_backtest_run(ra_store *s, const ra_store_actor *actor, const ra_backtest_options *o,
                          ra_backtest_result *res, ra_err *err)
{
    if (!s || !actor || !o || !res)
        return ra_err_set(err, RA_EINVAL, NULL, "a backtest needs a book, an actor and options");
    memset(res, 0, sizeof *res);
    if (o->to <= o->from)
        return ra_err_set(err, RA_EINVAL, "--to", "the last day must be after the first day");
    if (o->clients < 1 || o->clients > RA_BOOKGEN_MAX_CLIENTS)
        return ra_err_set(err, RA_EINVAL, "--clients", "clients must be in 1..%d, got %zu",
                          RA_BOOKGEN_MAX_CLIENTS, o->clients);
    if (!o->questionnaire || !o->data_dir)
        return ra_err_set(err, RA_EINVAL, NULL, "a backtest needs its data and a questionnaire");
    ra_bookgen_data md = {0};
    ra_date *days = NULL;
    size_t n_days = 0, n_acc = 0, n_start = 0;
    char (*codes)[RA_CODE_MAX] = NULL;
    ra_model *models = NULL;
    size_t n_models = 0, models_cap = 0;
    acct_data *ad = NULL;
    ra_backtest_account *acc = NULL;
    ra_account_value *start = NULL;
    double *block = NULL;
    ra_status rc = steps_before(s, actor, o, &md, res, err);
    if (rc == RA_OK)
        rc = ra_valuation_compute(s, actor->firm, o->from, &start, &n_start, NULL, err);
    if (rc == RA_OK)
        rc = run_days(s, actor, o, &days, &n_days, err);
    if (rc == RA_OK)
        rc = ra_store_account_list(s, actor->firm, &codes, &n_acc, err);
    if (rc == RA_OK) {
        models_cap = n_acc < MAX_MODELS ? (n_acc ? n_acc : 1) : MAX_MODELS;
        models = ra_calloc(models_cap, sizeof *models);
        ad = ra_calloc(n_acc ? n_acc : 1, sizeof *ad);
        acc = ra_calloc(n_acc ? n_acc : 1, sizeof *acc);
        block = ra_malloc((n_acc ? n_acc : 1) * 6 * n_days * sizeof *block);
        if (!ad || !acc || !block || !models)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu accounts' series", n_acc);
    }
    res->first_day = n_days ? days[0] : 0;
    res->last_day = n_days ? days[n_days - 1] : 0;
    res->days_run = n_days;
    for (size_t a = 0; a < n_acc && rc == RA_OK; a++) {
        snprintf(ad[a].code, sizeof ad[a].code, "%s", codes[a]);
        rc = account_model(s, actor->firm, ad[a].code, models, models_cap, &n_models, &ad[a].model, err);
        if (rc != RA_OK)
            break;
        ad[a].s = block + a * 6 * n_days;
        ra_minor v0 = 0;
        for (size_t i = 0; i < n_start; i++)
            if (strcmp(start[i].account, ad[a].code) == 0)
                v0 = start[i].total_minor;
        rc = account_series(s, actor->firm, o, days, n_days, v0, res->minor_digits, &ad[a],
                            &res->trades, err);
        double *mr = ad[a].s + 5 * n_days;
        for (size_t k = 0; k < n_days; k++)
            mr[k] = NAN;
        const ra_model *m = ad[a].model >= 0 ? &models[ad[a].model] : NULL;
        if (m) {
            model_returns(&md, m, days, n_days, o->from, mr);
            model_dividends(&md, m, days, n_days, o->from, mr);
        }
        acc[a].level = m ? m->target_level : 0;
        acc[a].start_value = v0 > 0 ? (double)v0 : NAN;
        acc[a].value = ad[a].s;
        acc[a].twr = ad[a].s + n_days;
        acc[a].fees = ad[a].s + 2 * n_days;
        acc[a].tax = ad[a].s + 3 * n_days;
        acc[a].traded = ad[a].s + 4 * n_days;
        acc[a].model_ret = mr;
        if (m)
            res->accounts++;
    }
    if (rc == RA_OK)
        rc = harvests(s, actor->firm, o, ad, n_acc, acc, err);
    if (rc == RA_OK)
        rc = aggregate(acc, n_acc, n_days, res->level, &res->total, err);
    ra_free(block);
    ra_free(acc);
    ra_free(ad);
    ra_free(models);
    ra_store_free(codes);
    ra_free(start);
    ra_free(days);
    ra_bookgen_data_free(&md);
    return rc;
}
