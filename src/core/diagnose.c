/* Diagnosis of a client's own portfolio (include/roboadvisor/diagnose.h). Every formula and its
 * source: docs/methodology.md#diagnosis. The statistics are the shared ones: means and covariance
 * from est.c, drawdown, VaR and CVaR from perf_stats.c, the frontier from opt.c, the trades from
 * the rebalancer (rebal.c); this file only puts them together. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/diagnose.h>
#include <roboadvisor/est.h>
#include <roboadvisor/opt.h>
#include <roboadvisor/perf.h>
#include <roboadvisor/prof.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void ra_diag_result_free(ra_diag_result *res)
{
    if (!res)
        return;
    RA_FREE_ALL(res->w, res->classes, res->pairs, res->corr, res->unsuitable, res->trades);
    memset(res, 0, sizeof *res);
}

static ra_status check_input(const ra_diag_input *in, ra_err *err)
{
    if (!in || (!in->a && in->n) || (!in->ret && in->n))
        return ra_err_set(err, RA_EINVAL, NULL, "a diagnosis needs its holdings and returns");
    if (in->n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "a diagnosis needs at least one security");
    if (in->n_obs < RA_DIAG_MIN_OBS)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a diagnosis needs at least %d daily returns, got %zu", RA_DIAG_MIN_OBS,
                          in->n_obs);
    if (in->client_level < 1 || in->client_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "client level %d is not 1..5", in->client_level);
    if (in->cash_minor < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "cash may not be negative");
    if (!(in->ppy > 0) || !(in->overlap_corr >= -1 && in->overlap_corr <= 1))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "periods per year must be positive and the overlap threshold in [-1, 1]");
    for (size_t j = 0; j < in->n; j++) {
        const ra_diag_asset *a = &in->a[j];
        const char *t = a->ticker ? a->ticker : "?";
        if (a->price <= 0 || a->qty_micro < 0 || a->lot_micro <= 0)
            return ra_err_set(err, RA_EINVAL, t,
                              "a security needs a positive price and step and no negative quantity");
        if (!(a->target >= 0 && a->target <= 1) || !isfinite(a->expense_ratio))
            return ra_err_set(err, RA_EINVAL, t, "target weight not in [0, 1] or expense ratio "
                                                 "not a number");
    }
    return RA_OK;
}

/* A security's level for suitability: an unknown level counts as the riskiest (as ra_models_rate
 * rates it). */
static int level_of(const ra_diag_asset *a)
{
    return a->risk_level >= 1 && a->risk_level <= RA_PROF_LEVELS ? a->risk_level : RA_PROF_LEVELS;
}

static double quad(const double *cov, const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            s += x[i] * cov[i * n + j] * x[j];
    return s > 0 ? s : 0;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* The drawdown now: 1 - the last wealth over the highest (wealth 1 before the first return). */
static double current_drawdown(const double *r, size_t n)
{
    double w = 1, hi = 1;
    for (size_t t = 0; t < n; t++) {
        w *= 1 + r[t];
        if (w > hi)
            hi = w;
    }
    return hi > 0 ? 1 - w / hi : 0;
}

static ra_status classes(const ra_diag_input *in, ra_diag_result *res, ra_err *err)
{
    res->classes = ra_calloc(in->n + 1, sizeof *res->classes);
    if (!res->classes)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the asset classes");
    for (size_t j = 0; j <= in->n; j++) {
        const char *cls = j < in->n ? in->a[j].asset_class : "cash";
        double w = j < in->n ? res->w[j] : res->cash_weight;
        double t = j < in->n ? in->a[j].target : in->cash_target;
        if (!cls || !cls[0])
            cls = "unknown";
        if (w <= 0 && (!in->have_model || t <= 0))
            continue;
        size_t k = 0;
        while (k < res->n_classes && strcmp(res->classes[k].cls, cls) != 0)
            k++;
        if (k == res->n_classes)
            snprintf(res->classes[res->n_classes++].cls, RA_CODE_MAX, "%s", cls);
        res->classes[k].weight += w;
        res->classes[k].target += in->have_model ? t : 0;
    }
    /* the largest first, then by name: insertion sort, a few classes */
    for (size_t i = 1; i < res->n_classes; i++) {
        ra_diag_class c = res->classes[i];
        size_t k = i;
        while (k > 0 && (res->classes[k - 1].weight < c.weight ||
                         (res->classes[k - 1].weight == c.weight &&
                          strcmp(res->classes[k - 1].cls, c.cls) > 0))) {
            res->classes[k] = res->classes[k - 1];
            k--;
        }
        res->classes[k] = c;
    }
    return RA_OK;
}

static ra_status overlap(const ra_diag_input *in, const double *cov, ra_diag_result *res,
                         ra_err *err)
{
    size_t n = in->n;
    res->corr = ra_calloc(n * n, sizeof *res->corr);
    res->pairs = ra_calloc(n * (n - 1) / 2 + 1, sizeof *res->pairs);
    if (!res->corr || !res->pairs)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the correlations");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double d = sqrt(cov[i * n + i] * cov[j * n + j]);
            res->corr[i * n + j] = d > 0 ? cov[i * n + j] / d : NAN;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (in->a[i].qty_micro <= 0 || in->a[j].qty_micro <= 0)
                continue;
            const char *ci = in->a[i].asset_class, *cj = in->a[j].asset_class;
            int same = ci && cj && ci[0] && strcmp(ci, cj) == 0;
            double c = res->corr[i * n + j];
            int hi = c > in->overlap_corr;
            if (same || hi)
                res->pairs[res->n_pairs++] = (ra_diag_pair){i, j, same, c, hi};
        }
    return RA_OK;
}

/* The frontier at the portfolio's return and volatility (docs/methodology.md#diagnosis). The
 * cash weight c is kept: the risky part v = w / (1 - c) is compared with the frontier of the
 * securities, and the answers scaled back by 1 - c. */
static ra_status frontier(const ra_diag_input *in, const double *mu, const double *cov,
                          ra_diag_result *res, ra_err *err)
{
    size_t n = in->n;
    double inv = 1 - res->cash_weight;
    if (inv <= 1e-12)
        return RA_OK;
    size_t wsz = ra_opt_workspace_size(n, 0);
    void *work = ra_malloc(wsz ? wsz : 1);
    double *x = ra_calloc(n, sizeof *x);
    ra_status rc = RA_OK;
    if (!work || !x) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the frontier");
        goto out;
    }
    double r_risky = res->expected_return / inv, v_risky = res->volatility / inv;
    ra_opt_problem p;
    memset(&p, 0, sizeof p);
    p.n = n;
    p.mu = mu;
    p.cov = cov;
    ra_opt_result mv, o;
    memset(&mv, 0, sizeof mv);
    memset(&o, 0, sizeof o);
    mv.w = x;
    ra_err e = {0};
    if (ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, work, wsz, &mv, &e) != RA_OK)
        goto out;
    double fvol = mv.volatility;
    o.w = x;
    if (mv.expected_return < r_risky) { /* above the minimum-variance return: on the frontier */
        p.target = r_risky;
        if (ra_opt_solve(&p, RA_OPT_TARGET_RETURN, work, wsz, &o, &e) != RA_OK)
            goto out;
        fvol = o.volatility;
    }
    res->have_frontier = 1;
    res->frontier_vol_same_return = inv * fvol;
    res->vol_saved = fmax(0.0, res->volatility - res->frontier_vol_same_return);
    if (v_risky >= mv.volatility) {
        double fret = mv.expected_return;
        if (v_risky > mv.volatility) {
            p.target = v_risky;
            if (ra_opt_solve(&p, RA_OPT_TARGET_VOLATILITY, work, wsz, &o, &e) == RA_OK)
                fret = o.expected_return;
            else
                goto out;
        }
        res->have_return_gain = 1;
        res->frontier_return_same_vol = inv * fret;
        res->return_gained = fmax(0.0, res->frontier_return_same_vol - res->expected_return);
    }
out:
    RA_FREE_ALL(work, x);
    return rc;
}

/* The rank of a trade in the fix's order: unsuitable sales, other sales, buys. */
static int trade_rank(const ra_diag_result *res, const ra_rebal_trade *t)
{
    return t->side > 0 ? 2 : res->unsuitable[t->asset] ? 0 : 1;
}

static int same_class(const ra_diag_asset *a, const ra_diag_asset *b)
{
    return strcmp(a->asset_class ? a->asset_class : "", b->asset_class ? b->asset_class : "") == 0;
}

/* The weight the fix aims security j at (docs/methodology.md#diagnosis): the model's weight of
 * its asset class goes to the class's suitable holdings, pro rata to their weights, so that a held
 * fund standing for the class is kept rather than swapped for the model's fund of the same class;
 * where nothing suitable of the class is held, to the model's own suitable funds of the class,
 * pro rata to their model weights; only a class the model fills with unsuitable funds alone keeps
 * the model's weights. Unsuitable holdings and classes the model leaves out get 0. The targets
 * sum to what the model's do (1 - cash_target). */
static double fix_target(const ra_diag_input *in, const ra_diag_result *res, size_t j)
{
    const ra_diag_asset *a = &in->a[j];
    double model_cls = 0, held_cls = 0, suit_cls = 0;
    for (size_t i = 0; i < in->n; i++)
        if (same_class(&in->a[i], a)) {
            model_cls += in->a[i].target;
            if (!res->unsuitable[i] && in->a[i].qty_micro > 0)
                held_cls += res->w[i];
            if (!res->unsuitable[i])
                suit_cls += in->a[i].target;
        }
    if (held_cls > 0)
        return !res->unsuitable[j] && a->qty_micro > 0 ? model_cls * res->w[j] / held_cls : 0.0;
    if (suit_cls > 0)
        return res->unsuitable[j] ? 0.0 : model_cls * a->target / suit_cls;
    return a->target;
}

/* The trades that fix what was found: the rebalancer towards fix_target (docs/methodology.md
 * #diagnosis): unsuitable holdings are exits (sold whole whatever the bands); the rest trade,
 * when anything is out of its band, to the nearest band edge. */
static ra_status fix(const ra_diag_input *in, ra_diag_result *res, ra_err *err)
{
    size_t n = in->n, n_lots = 0;
    for (size_t j = 0; j < n; j++)
        n_lots += in->a[j].qty_micro > 0;
    ra_rebal_asset *as = ra_calloc(n, sizeof *as);
    ra_rebal_lot *lots = ra_calloc(n_lots + 1, sizeof *lots);
    ra_rebal_pick *picks = ra_calloc(n_lots + 1, sizeof *picks);
    res->trades = ra_calloc(2 * n, sizeof *res->trades);
    size_t wsz = ra_rebal_workspace_size(n, n_lots);
    void *work = ra_malloc(wsz ? wsz : 1);
    ra_status rc = RA_OK;
    if (!as || !lots || !picks || !res->trades || !work) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the trades");
        goto out;
    }
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        const ra_diag_asset *a = &in->a[j];
        as[j].security = (uint32_t)j;
        as[j].group = (uint32_t)j; /* its class: the first asset of the same class */
        for (size_t i = 0; i < j; i++)
            if (a->asset_class && in->a[i].asset_class &&
                strcmp(a->asset_class, in->a[i].asset_class) == 0) {
                as[j].group = (uint32_t)i;
                break;
            }
        as[j].price = a->price;
        as[j].qty_micro = a->qty_micro;
        as[j].target = fix_target(in, res, j);
        if (res->unsuitable[j] && as[j].target == 0.0)
            as[j].exit_reason = RA_REASON_RESTRICTION;
        as[j].lot_micro = a->lot_micro;
        as[j].substitute = -1;
        if (a->qty_micro > 0) {
            /* one lot at today's value: a diagnosis estimates no tax (the account is treated as
             * not taxable) */
            lots[k].asset = (uint32_t)j;
            lots[k].lot_id = (uint64_t)k + 1;
            lots[k].holding_from = in->date;
            lots[k].qty_micro = a->qty_micro;
            if (ra_money_value(a->qty_micro, a->price, in->minor_digits, &lots[k].cost_minor,
                               NULL) != RA_OK)
                lots[k].cost_minor = 0;
            k++;
        }
    }
    ra_rebal_account acct;
    memset(&acct, 0, sizeof acct);
    acct.date = in->date;
    acct.assets = as;
    acct.n_assets = n;
    acct.lots = lots;
    acct.n_lots = n_lots;
    acct.cash_minor = in->cash_minor;
    acct.cash_target = in->cash_target;
    ra_rebal_settings s;
    ra_rebal_settings_default(&s);
    s.band_abs = in->band_abs;
    s.band_rel = in->band_rel;
    s.to_band_edge = 1;
    s.minor_digits = in->minor_digits;
    s.relief = RA_RELIEF_FIFO;
    rc = ra_rebal_propose(&acct, &s, work, wsz, res->trades, picks, &res->fix, err);
    if (rc != RA_OK)
        goto out;
    res->n_trades = res->fix.n_trades;
    for (size_t i = 1; i < res->n_trades; i++) { /* stable: the rebalancer's order within a rank */
        ra_rebal_trade t = res->trades[i];
        size_t m = i;
        while (m > 0 && trade_rank(res, &res->trades[m - 1]) > trade_rank(res, &t)) {
            res->trades[m] = res->trades[m - 1];
            m--;
        }
        res->trades[m] = t;
    }
out:
    RA_FREE_ALL(as, lots, picks, work);
    return rc;
}

ra_status ra_diag_run(const ra_diag_input *in, ra_diag_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "a diagnosis needs a result");
    memset(res, 0, sizeof *res);
    ra_status rc = check_input(in, err);
    if (rc != RA_OK)
        return rc;
    size_t n = in->n, T = in->n_obs;
    double *mu = ra_calloc(n, sizeof *mu), *cov = ra_calloc(n * n, sizeof *cov);
    double *rp = ra_calloc(T, sizeof *rp), *d = ra_calloc(n, sizeof *d);
    ra_minor *val = ra_calloc(n, sizeof *val);
    res->w = ra_calloc(n, sizeof *res->w);
    res->unsuitable = ra_calloc(n, sizeof *res->unsuitable);
    if (!mu || !cov || !rp || !d || !val || !res->w || !res->unsuitable) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the diagnosis");
        goto out;
    }
    /* values and weights */
    ra_minor total = in->cash_minor;
    for (size_t j = 0; rc == RA_OK && j < n; j++) {
        rc = ra_money_value(in->a[j].qty_micro, in->a[j].price, in->minor_digits, &val[j], err);
        if (rc == RA_OK && __builtin_add_overflow(total, val[j], &total))
            rc = ra_err_set(err, RA_EINVAL, NULL, "the portfolio's value overflows");
    }
    if (rc != RA_OK)
        goto out;
    if (total <= 0) {
        rc = ra_err_set(err, RA_EINVAL, NULL, "the portfolio has no value to diagnose");
        goto out;
    }
    res->value_minor = total;
    for (size_t j = 0; j < n; j++)
        res->w[j] = (double)val[j] / (double)total;
    res->cash_weight = (double)in->cash_minor / (double)total;
    /* return and risk: historical estimates over the window */
    if ((rc = ra_est_mean(in->ret, T, n, in->ppy, mu, err)) != RA_OK ||
        (rc = ra_est_cov_sample(in->ret, T, n, in->ppy, NULL, 0, cov, err)) != RA_OK)
        goto out;
    res->expected_return = dot(mu, res->w, n);
    res->volatility = sqrt(quad(cov, res->w, n));
    for (size_t t = 0; t < T; t++)
        rp[t] = dot(in->ret + t * n, res->w, n);
    ra_perf_stats ps;
    if ((rc = ra_perf_stats_compute(rp, NULL, T, 1, in->ppy, 0, 0, RA_DIAG_CVAR_LEVEL, &ps,
                                    err)) != RA_OK)
        goto out;
    res->max_drawdown = ps.max_drawdown.depth;
    res->dd_peak = ps.max_drawdown.peak;
    res->dd_trough = ps.max_drawdown.trough;
    res->current_drawdown = current_drawdown(rp, T);
    res->var_1d = ps.var;
    res->cvar_1d = ps.cvar;
    res->cvar_ann = ps.cvar * sqrt(in->ppy);
    /* concentration over the invested value */
    double inv = 1 - res->cash_weight;
    for (size_t j = 0; j < n; j++)
        if (res->w[j] > 0 && inv > 0)
            res->hhi += (res->w[j] / inv) * (res->w[j] / inv);
    while (res->n_top < RA_DIAG_TOP) { /* the heaviest not yet taken; ties: the first */
        size_t best = n;
        for (size_t j = 0; j < n; j++) {
            int taken = 0;
            for (size_t k = 0; k < res->n_top; k++)
                taken |= res->top[k] == j;
            if (!taken && res->w[j] > 0 && (best == n || res->w[j] > res->w[best]))
                best = j;
        }
        if (best == n)
            break;
        res->top[res->n_top++] = best;
    }
    res->n_effective = res->hhi > 0 ? 1 / res->hhi : 0;
    if ((rc = classes(in, res, err)) != RA_OK)
        goto out;
    /* costs */
    for (size_t j = 0; j < n; j++)
        res->expense_ratio += res->w[j] * in->a[j].expense_ratio;
    if ((rc = ra_money_muldiv(total, llround(res->expense_ratio * 1e9), 1000000000, &res->cost_minor,
                              err)) != RA_OK)
        goto out;
    if ((rc = overlap(in, cov, res, err)) != RA_OK)
        goto out;
    /* suitability */
    for (size_t j = 0; j < n; j++)
        if (in->a[j].qty_micro > 0 && level_of(&in->a[j]) > in->client_level) {
            res->unsuitable[j] = 1;
            res->n_unsuitable++;
            res->unsuitable_weight += res->w[j];
        }
    /* the model */
    if (in->have_model) {
        double l1 = fabs(res->cash_weight - in->cash_target);
        for (size_t j = 0; j < n; j++) {
            d[j] = in->a[j].target;
            l1 += fabs(res->w[j] - d[j]);
        }
        res->model_return = dot(mu, d, n);
        res->model_volatility = sqrt(quad(cov, d, n));
        for (size_t j = 0; j < n; j++)
            d[j] = res->w[j] - d[j];
        res->tracking_error = sqrt(quad(cov, d, n));
        res->l1 = l1;
    }
    if ((rc = frontier(in, mu, cov, res, err)) != RA_OK)
        goto out;
    if (in->have_model)
        rc = fix(in, res, err);
out:
    RA_FREE_ALL(mu, cov, rp, d, val);
    if (rc != RA_OK)
        ra_diag_result_free(res);
    return rc;
}
