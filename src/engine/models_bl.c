/* Two-stage model building (include/roboadvisor/engine_models.h; docs/methodology.md#two-stage-
 * models): the shelf's asset classes get equilibrium returns (reverse optimisation of the market
 * weights), the firm's Black-Litterman views on top, the optimiser allocates across the classes
 * within each level's equity band, and each class is filled by one fund chosen by cost and
 * tracking (the firm's pinned funds first). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bl.h>
#include <roboadvisor/bl_io.h>
#include <roboadvisor/est.h>
#include <roboadvisor/resample.h>
#include <roboadvisor/store_views.h>

#include "engine/models_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *ra_models_returns_name(int r)
{
    switch (r) {
    case RA_MODELS_RETURNS_EQUILIBRIUM: return "equilibrium";
    case RA_MODELS_RETURNS_HISTORICAL: return "historical";
    case RA_MODELS_RETURNS_EWMA: return "ewma";
    default: return "?";
    }
}

/* The order of classes: by group (equity, bonds, real assets, cash), then name. */
static int class_before(const char *a, const char *b)
{
    int ga = (int)ra_models_group_of(a, NULL), gb = (int)ra_models_group_of(b, NULL);
    return ga != gb ? ga < gb : strcmp(a, b) < 0;
}

/* Is ticker among the pinned ones (the stored text: a "ticker" header, one ticker a line)? */
static int is_pinned(const char *pins, const char *ticker)
{
    if (!pins)
        return 0;
    size_t tl = strlen(ticker);
    for (const char *p = pins; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        if (len == tl && strncmp(p, ticker, tl) == 0)
            return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

/* ra_models_class_inputs_load; with keep, the shelf is handed over into it on success (the
 * caller frees it) rather than freed. */
static ra_status class_inputs_load(ra_store *s, const char *firm, const ra_models_build_opts *o,
                                   ra_models_class_inputs *ci, ra_models_shelf *keep, ra_err *err)
{
    memset(ci, 0, sizeof *ci);
    if (!(o->tau > 0 && o->tau <= 1))
        return ra_err_set(err, RA_EINVAL, "tau", "tau %g is not in (0, 1]", o->tau);
    if (!(o->market_sharpe > 0 && o->market_sharpe <= 2))
        return ra_err_set(err, RA_EINVAL, "market_sharpe",
                          "the market Sharpe ratio %g is not in (0, 2]", o->market_sharpe);
    ra_models_shelf sh;
    ra_status rc = ra_models_shelf_load(s, firm, o->from, o->date, o->sample_cov, &sh, err);
    if (rc != RA_OK)
        return rc;
    ra_model_input views = {0}, market = {0}, pins = {0};
    size_t m = 0, T = sh.n_obs, n = sh.n;
    size_t *of = ra_malloc(n * sizeof *of);     /* each fund's class */
    double *cret = ra_calloc(T * RA_MODELS_MAX_CLASSES, sizeof *cret);
    double *diff = ra_malloc(T * sizeof *diff);
    size_t cnt[RA_MODELS_MAX_CLASSES] = {0};
    ra_bl_views *vw = ra_calloc(1, sizeof *vw);
    ra_bl_market *mk = ra_calloc(1, sizeof *mk);
    if (!of || !cret || !diff || !vw || !mk) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the class inputs");
        goto out;
    }
    ci->n_obs = T;
    ci->from = sh.from;
    ci->to = sh.to;
    ci->tau = o->tau;
    ci->market_sharpe = o->market_sharpe;
    ci->returns = o->returns;
    /* the classes, in order */
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        while (c < m && strcmp(ci->cls[c], sh.cls[i]) != 0)
            c++;
        if (c == m) {
            if (m == RA_MODELS_MAX_CLASSES) {
                rc = ra_err_set(err, RA_EINVAL, NULL, "the shelf has more than %d asset classes",
                                RA_MODELS_MAX_CLASSES);
                goto out;
            }
            memcpy(ci->cls[m++], sh.cls[i], RA_CODE_MAX);
        }
    }
    for (size_t a = 1; a < m; a++) /* insertion sort: m <= 32 */
        for (size_t b = a; b > 0 && class_before(ci->cls[b], ci->cls[b - 1]); b--) {
            char t[RA_CODE_MAX];
            memcpy(t, ci->cls[b], RA_CODE_MAX);
            memcpy(ci->cls[b], ci->cls[b - 1], RA_CODE_MAX);
            memcpy(ci->cls[b - 1], t, RA_CODE_MAX);
        }
    ci->n = m;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < m; c++)
            if (strcmp(ci->cls[c], sh.cls[i]) == 0)
                of[i] = c;
    /* the class's returns: the equal-weighted average of its funds', rebalanced daily */
    for (size_t i = 0; i < n; i++)
        cnt[of[i]]++;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < n; i++)
            cret[t * m + of[i]] += sh.ret[t * n + i] / (double)cnt[of[i]];
    /* the fund of each class: pinned first, then the lowest expense ratio, then tracking */
    if ((rc = ra_store_model_input_get(s, firm, RA_MODEL_INPUT_PINS, 0, &pins, err)) != RA_OK)
        goto out;
    ci->pins_version = pins.version;
    ra_models_settings set;
    if ((rc = ra_models_settings_get(s, firm, &set, err)) != RA_OK)
        goto out;
    ci->min_adv = set.min_adv;
    for (size_t i = 0; i < n; i++) {
        size_t c = of[i], k = ci->n_funds[c];
        double mean = 0, ss = 0;
        for (size_t t = 0; t < T; t++) {
            diff[t] = sh.ret[t * n + i] - cret[t * m + c];
            mean += diff[t];
        }
        mean /= (double)T;
        for (size_t t = 0; t < T; t++)
            ss += (diff[t] - mean) * (diff[t] - mean);
        double te = sqrt(ss / (double)(T > 1 ? T - 1 : 1) * RA_TRADING_DAYS_PER_YEAR);
        int pin = is_pinned(pins.body, sh.ticker[i]);
        ra_models_fund me = {sh.ticker[i], pin, sh.expense_ratio[i], te, sh.adv[i]};
        if (!ra_models_fund_eligible(&me, ci->min_adv)) { /* below the firm's minimum */
            if (ci->n_excluded < sizeof ci->excluded / sizeof ci->excluded[0]) {
                memcpy(ci->excluded[ci->n_excluded].ticker, sh.ticker[i], RA_CODE_MAX);
                ci->excluded[ci->n_excluded].cls = c;
                ci->excluded[ci->n_excluded++].adv = sh.adv[i];
            }
            continue;
        }
        /* insert in preference order (insertion: a class has few funds) */
        size_t at = k;
        while (at > 0) {
            size_t b = at - 1;
            ra_models_fund them = {ci->fund[c][b], ci->pinned[c][b], ci->expense_ratio[c][b],
                                   ci->tracking_error[c][b], ci->fund_adv[c][b]};
            if (ra_models_fund_cmp(&me, &them) >= 0)
                break;
            at--;
        }
        if (at >= RA_MODELS_CLASS_FUNDS)
            continue; /* beyond the first 16 by preference */
        size_t last = k < RA_MODELS_CLASS_FUNDS ? k : RA_MODELS_CLASS_FUNDS - 1;
        for (size_t b = last; b > at; b--) {
            memcpy(ci->fund[c][b], ci->fund[c][b - 1], RA_CODE_MAX);
            ci->pinned[c][b] = ci->pinned[c][b - 1];
            ci->expense_ratio[c][b] = ci->expense_ratio[c][b - 1];
            ci->tracking_error[c][b] = ci->tracking_error[c][b - 1];
            ci->fund_level[c][b] = ci->fund_level[c][b - 1];
            ci->fund_adv[c][b] = ci->fund_adv[c][b - 1];
        }
        memcpy(ci->fund[c][at], sh.ticker[i], RA_CODE_MAX);
        ci->pinned[c][at] = pin;
        ci->expense_ratio[c][at] = sh.expense_ratio[i];
        ci->tracking_error[c][at] = te;
        ci->fund_level[c][at] = sh.risk_level[i];
        ci->fund_adv[c][at] = sh.adv[i];
        if (k < RA_MODELS_CLASS_FUNDS)
            ci->n_funds[c]++;
    }
    /* the classes' covariance */
    rc = o->sample_cov
             ? ra_est_cov_sample(cret, T, m, RA_TRADING_DAYS_PER_YEAR, NULL, 0, ci->cov, err)
             : ra_est_cov_ledoit_wolf(cret, T, m, RA_TRADING_DAYS_PER_YEAR, NULL, 0, ci->cov, NULL,
                                      err);
    if (rc != RA_OK)
        goto out;
    /* market weights: the firm's or the default */
    if ((rc = ra_store_model_input_get(s, firm, RA_MODEL_INPUT_MARKET, 0, &market, err)) != RA_OK)
        goto out;
    ci->market_version = market.version;
    if (market.body)
        rc = ra_bl_market_parse(market.body, strlen(market.body), "stored market weights", mk,
                                err);
    else
        ra_bl_market_default(mk);
    if (rc != RA_OK)
        goto out;
    double wsum = 0;
    for (size_t c = 0; c < m; c++) {
        ci->w_mkt[c] = ra_bl_market_weight(mk, ci->cls[c]);
        wsum += ci->w_mkt[c];
        if (ci->w_mkt[c] == 0 && ra_models_group_of(ci->cls[c], NULL) != RA_MODELS_CASH)
            memcpy(ci->unweighted[ci->n_unweighted++], ci->cls[c], RA_CODE_MAX);
    }
    if (!(wsum > 0)) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "none of the shelf's asset classes has a market weight: set them with "
                        "`roboadvisor views market FILE`");
        goto out;
    }
    for (size_t c = 0; c < m; c++)
        ci->w_mkt[c] /= wsum;
    if ((rc = ra_bl_delta(m, ci->cov, ci->w_mkt, o->market_sharpe, &ci->delta, err)) != RA_OK ||
        (rc = ra_bl_implied(m, ci->cov, ci->w_mkt, ci->delta, ci->pi, err)) != RA_OK)
        goto out;
    if (o->returns == RA_MODELS_RETURNS_HISTORICAL) {
        rc = ra_est_mean(cret, T, m, RA_TRADING_DAYS_PER_YEAR, ci->mu, err);
        goto out;
    }
    if (o->returns == RA_MODELS_RETURNS_EWMA) {
        rc = ra_est_mean_ewma(cret, T, m, RA_TRADING_DAYS_PER_YEAR, o->ewma_lambda, ci->mu, err);
        goto out;
    }
    /* equilibrium, with the firm's views */
    if ((rc = ra_store_model_input_get(s, firm, RA_MODEL_INPUT_VIEWS, 0, &views, err)) != RA_OK)
        goto out;
    ci->views_version = views.version;
    if (views.body &&
        (rc = ra_bl_views_parse(views.body, strlen(views.body), "stored views", vw, err)) != RA_OK)
        goto out;
    ci->n_views = vw->n;
    double *P = ra_malloc((vw->n * m + 1) * sizeof *P), q[RA_BL_MAX_VIEWS], cf[RA_BL_MAX_VIEWS];
    double *post = ra_malloc(m * m * sizeof *post);
    if (!P || !post)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the views");
    {
        const char *names[RA_MODELS_MAX_CLASSES];
        for (size_t c = 0; c < m; c++)
            names[c] = ci->cls[c];
        if (rc == RA_OK)
            rc = ra_bl_views_matrix(vw, m, names, ci->w_mkt, P, q, cf, err);
    }
    double om[RA_BL_MAX_VIEWS];
    if (rc == RA_OK)
        rc = ra_bl_posterior(m, ci->cov, ci->pi, o->tau, vw->n, P, q, RA_BL_OMEGA_IDZOREK, cf,
                             ci->mu, post, om, err);
    for (size_t k = 0; rc == RA_OK && k < vw->n; k++) {
        memcpy(ci->view[k].code, vw->v[k].code, RA_CODE_MAX);
        ci->view[k].q = q[k];
        ci->view[k].confidence = cf[k];
        ci->view[k].omega = om[k];
        for (size_t c = 0; c < m; c++) {
            ci->view[k].prior += P[k * m + c] * ci->pi[c];
            ci->view[k].posterior += P[k * m + c] * ci->mu[c];
        }
    }
    if (rc == RA_OK) /* the optimiser uses the posterior covariance (He and Litterman) */
        memcpy(ci->cov, post, m * m * sizeof *post);
    ra_free(P);
    ra_free(post);
out:
    ra_free(views.body);
    ra_free(market.body);
    ra_free(pins.body);
    RA_FREE_ALL(of, cret, diff, vw, mk);
    if (keep && rc == RA_OK)
        *keep = sh;
    else
        ra_models_shelf_free(&sh);
    return rc;
}

ra_status ra_models_class_inputs_load(ra_store *s, const char *firm, const ra_models_build_opts *o,
                                      ra_models_class_inputs *ci, ra_err *err)
{
    return class_inputs_load(s, firm, o, ci, NULL, err);
}

/* A fund more than one level above the model's (or of unknown level): at most the material
 * weight of it (docs/methodology.md#rating-a-model). */
static int fund_risky(int fund_level, int level)
{
    return fund_level < 1 || fund_level > level + 1;
}

/* The first of class c's funds, in preference order, that the level may hold without limit (not
 * riskier than the level by more than one); -1 when every fund is. */
long models_first_plain_fund(const ra_models_class_inputs *ci, size_t c, int level)
{
    for (size_t f = 0; f < ci->n_funds[c]; f++)
        if (!fund_risky(ci->fund_level[c][f], level))
            return (long)f;
    return -1;
}

/* Class c in the level's stage 1: its risk level and slots. A class with a fund the level may hold
 * without limit is that fund (its level; slots 0: no cap). A class whose funds are all riskier
 * spreads over them at the material weight each: slots = their number, and the riskiest's level
 * (the rating's average rule then errs on the safe side). */
void models_class_stage1(const ra_models_class_inputs *ci, size_t c, int level, int *lvl,
                         size_t *slots)
{
    long f0 = models_first_plain_fund(ci, c, level);
    if (f0 >= 0) {
        *lvl = ci->fund_level[c][f0];
        *slots = 0;
        return;
    }
    int worst = 0;
    for (size_t f = 0; f < ci->n_funds[c]; f++) {
        int l = ci->fund_level[c][f];
        int eff = l < 1 || l > RA_PROF_LEVELS ? RA_PROF_LEVELS : l; /* unknown: the riskiest */
        worst = eff > worst ? eff : worst;
    }
    *lvl = worst;
    *slots = ci->n_funds[c];
}

/* Stage 2: class c's weight w to its first fund the level may hold without limit, else over its
 * funds in order at most the material weight each; the funds used are appended to m (their names
 * joined by '+' into used). */
void models_fill_class(const ra_models_class_inputs *ci, size_t c, int level, double w,
                       ra_model *m, char *used, size_t cap)
{
    size_t k = 0;
    used[0] = 0;
    long f0 = models_first_plain_fund(ci, c, level);
    if (f0 >= 0) { /* one fund the level may hold without limit takes it all */
        snprintf(m->w[m->n].ticker, sizeof m->w[0].ticker, "%s", ci->fund[c][f0]);
        m->w[m->n++].weight = w;
        snprintf(used, cap, "%s", ci->fund[c][f0]);
        return;
    }
    for (size_t f = 0; f < ci->n_funds[c] && w > RA_MODELS_TOL_SAME; f++) {
        double take = fund_risky(ci->fund_level[c][f], level) ? fmin(w, RA_MODELS_MATERIAL_WEIGHT)
                                                               : w;
        snprintf(m->w[m->n].ticker, sizeof m->w[0].ticker, "%s", ci->fund[c][f]);
        m->w[m->n++].weight = take;
        w -= take;
        k += (size_t)snprintf(used + k, k < cap ? cap - k : 0, "%s%s", k ? "+" : "",
                              ci->fund[c][f]);
        if (k >= cap)
            k = cap - 1;
    }
}

void models_class_stats(const ra_models_class_inputs *ci, const double *w, ra_model *m)
{
    size_t k = ci->n;
    double er = 0, var = 0;
    for (size_t a = 0; a < k; a++) {
        er += w[a] * ci->mu[a];
        for (size_t b = 0; b < k; b++)
            var += w[a] * ci->cov[a * k + b] * w[b];
    }
    m->expected_return = er;
    m->volatility = sqrt(fmax(var, 0));
}

/* Stage 1 of one level on the active classes' estimates (mu, cov: k classes, in idx order):
 * ra_models_build_one; the class weights into w (k). */
static ra_status stage1_once(const ra_models_class_inputs *ci, const ra_models_build_opts *o,
                             int level, size_t k, const size_t *idx, const double *mu,
                             const double *cov, double *w, ra_model *tmp, ra_err *err)
{
    const char *names[RA_MODELS_MAX_CLASSES];
    int lvl[RA_MODELS_MAX_CLASSES];
    size_t slots[RA_MODELS_MAX_CLASSES];
    for (size_t a = 0; a < k; a++) {
        names[a] = ci->cls[idx[a]];
        models_class_stage1(ci, idx[a], level, &lvl[a], &slots[a]);
    }
    ra_models_build_settings bs;
    ra_models_build_settings_default(&bs);
    bs.max_weight = 1.0;
    bs.risk_level = lvl;
    bs.slots = slots;
    bs.max_assets = o->max_funds;
    bs.min_position = o->min_position;
    ra_status rc = ra_models_build_one(k, names, names, mu, cov, level, &bs, tmp, err);
    for (size_t a = 0; rc == RA_OK && a < k; a++) {
        w[a] = 0;
        for (size_t h = 0; h < tmp->n; h++)
            if (strcmp(tmp->w[h].ticker, names[a]) == 0)
                w[a] = tmp->w[h].weight;
    }
    return rc;
}

/* Stage 1 with its draws: the point weights (or, resampling, the draws' average) into w and the
 * draws' standard deviation into sd (k each). The draws: o->draws samples of n_obs days from
 * N(mu, cov), re-estimated (ra_resample_draw), each from its own stream of o->seed. */
static ra_status stage1(const ra_models_class_inputs *ci, const ra_models_build_opts *o, int level,
                        size_t round, size_t k, const size_t *idx, double *w, double *sd,
                        ra_model *tmp, ra_err *err)
{
    size_t m = ci->n;
    double mu[RA_MODELS_MAX_CLASSES] = {0}, cov[RA_MODELS_MAX_CLASSES * RA_MODELS_MAX_CLASSES] = {0};
    if (k == 0)
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "level R%d: no asset class is left", level);
    for (size_t a = 0; a < k; a++) {
        mu[a] = ci->mu[idx[a]];
        for (size_t b = 0; b < k; b++)
            cov[a * k + b] = ci->cov[idx[a] * m + idx[b]];
    }
    ra_status rc = stage1_once(ci, o, level, k, idx, mu, cov, w, tmp, err);
    for (size_t a = 0; a < k; a++)
        sd[a] = 0;
    if (rc != RA_OK || o->draws == 0)
        return rc;
    double L[RA_MODELS_MAX_CLASSES * RA_MODELS_MAX_CLASSES];
    double mu_r[RA_MODELS_MAX_CLASSES], cov_r[RA_MODELS_MAX_CLASSES * RA_MODELS_MAX_CLASSES];
    double w_r[RA_MODELS_MAX_CLASSES], sum[RA_MODELS_MAX_CLASSES] = {0},
                                       sum2[RA_MODELS_MAX_CLASSES] = {0};
    double *work = ra_malloc(ci->n_obs * k * sizeof *work);
    if (!work)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the resamples");
    rc = ra_resample_factor(k, cov, RA_TRADING_DAYS_PER_YEAR, L, err);
    size_t used = 0;
    ra_err e2 = {0};
    for (size_t r = 0; rc == RA_OK && r < o->draws; r++) {
        ra_rng g = ra_rng_stream(o->seed, ((uint64_t)level << 40) | ((uint64_t)round << 24) | r);
        rc = ra_resample_draw(k, mu, L, ci->n_obs, RA_TRADING_DAYS_PER_YEAR, &g, work, mu_r,
                              cov_r, err);
        if (rc != RA_OK)
            break;
        /* a draw on which the level cannot be built (its holdings' rating tightens the riskier
         * funds out of reach) is left out: it says nothing about how the weights move */
        ra_status b = stage1_once(ci, o, level, k, idx, mu_r, cov_r, w_r, tmp, &e2);
        if (b == RA_EINFEASIBLE)
            continue;
        if (b != RA_OK) {
            rc = b;
            if (err)
                *err = e2;
            break;
        }
        used++;
        for (size_t a = 0; a < k; a++) {
            sum[a] += w_r[a];
            sum2[a] += w_r[a] * w_r[a];
        }
    }
    ra_free(work);
    if (rc == RA_OK && used < 2)
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL, "level R%d could be built on %zu of %zu "
                        "draws: too few to average", level, used, o->draws);
    if (rc != RA_OK) {
        ra_err_wrap(err, "resampling the inputs of level R%d", level);
        return rc;
    }
    double D = (double)used;
    for (size_t a = 0; a < k; a++) {
        double mean = sum[a] / D;
        sd[a] = sqrt(fmax(0, (sum2[a] - D * mean * mean) / (D - 1)));
        if (o->resample)
            w[a] = mean;
    }
    return RA_OK;
}

/* The model of one level: stage 1 over the active classes (dropping the smallest class held below
 * min_class and building again until every class held weighs at least min_class), then stage 2
 * (fill_class). */
static ra_status build_level(const ra_models_class_inputs *ci, const ra_models_build_opts *o,
                             int level, ra_model *out, ra_err *err)
{
    size_t m = ci->n;
    int active[RA_MODELS_MAX_CLASSES];
    double cw[RA_MODELS_MAX_CLASSES] = {0}, csd[RA_MODELS_MAX_CLASSES] = {0};
    for (size_t c = 0; c < m; c++)
        active[c] = ci->n_funds[c] > 0;
    ra_model *tmp = ra_malloc(sizeof *tmp);
    if (!tmp)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a model");
    ra_status rc = RA_OK;
    for (size_t round = 0; round < m; round++) {
        size_t idx[RA_MODELS_MAX_CLASSES], k = 0;
        double w[RA_MODELS_MAX_CLASSES], sd[RA_MODELS_MAX_CLASSES];
        for (size_t c = 0; c < m; c++)
            if (active[c])
                idx[k++] = c;
        ra_err e2 = {0};
        if ((rc = stage1(ci, o, level, round, k, idx, w, sd, tmp, &e2)) != RA_OK) {
            if (round > 0 && rc == RA_EINFEASIBLE) {
                rc = RA_OK; /* without the class the level cannot be built: keep it, small */
                break;
            }
            if (err)
                *err = e2;
            break;
        }
        for (size_t c = 0; c < m; c++)
            cw[c] = csd[c] = 0;
        long drop = -1;
        for (size_t a = 0; a < k; a++) {
            cw[idx[a]] = w[a];
            csd[idx[a]] = sd[a];
            if (w[a] > 0 && w[a] < o->min_class && (drop < 0 || w[a] < cw[drop]))
                drop = (long)idx[a];
        }
        if (drop < 0)
            break;
        active[drop] = 0;
    }
    if (rc == RA_OK) {
        memset(out, 0, sizeof *out);
        snprintf(out->code, sizeof out->code, "R%d", level);
        out->target_level = level;
        out->built = 1;
        models_class_stats(ci, cw, out);
        out->n_classes = m;
        for (size_t c = 0; c < m; c++) {
            ra_model_class *x = &out->classes[c];
            memcpy(x->cls, ci->cls[c], RA_CODE_MAX);
            x->market_weight = ci->w_mkt[c];
            x->pi = ci->pi[c];
            x->mu = ci->mu[c];
            x->weight = cw[c];
            x->weight_sd = csd[c];
            x->expense_ratio = ci->n_funds[c] ? ci->expense_ratio[c][0] : 0;
            x->tracking_error = ci->n_funds[c] ? ci->tracking_error[c][0] : 0;
            if (x->weight > 0)
                models_fill_class(ci, c, level, x->weight, out, x->fund, sizeof x->fund);
            else if (ci->n_funds[c])
                snprintf(x->fund, sizeof x->fund, "%s", ci->fund[c][0]);
        }
        snprintf(out->method, sizeof out->method, "two-stage %s%s %s",
                 ci->returns == RA_MODELS_RETURNS_EQUILIBRIUM
                     ? (ci->n_views ? "black-litterman" : "equilibrium")
                     : ra_models_returns_name(ci->returns),
                 o->resample ? " resampled" : "", o->sample_cov ? "sample" : "ledoit-wolf");
        out->from = ci->from;
        out->to = ci->to;
        rc = ra_models_validate(out, err); /* sorts the holdings by ticker */
    }
    ra_free(tmp);
    return rc;
}

/* --- the firm's inputs -------------------------------------------------------------------------- */

/* The views against the shelf's asset classes: each side's classes on the shelf, none twice, none
 * on both sides (ra_bl_views_matrix with equal weights). */
static ra_status views_check(const ra_security *secs, size_t n, const ra_bl_views *v, ra_err *err)
{
    const char *cls[RA_BL_MAX_ASSETS];
    double w[RA_BL_MAX_ASSETS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!secs[i].on_shelf)
            continue;
        size_t c = 0;
        while (c < m && strcasecmp(cls[c], secs[i].asset_class) != 0)
            c++;
        if (c == m && m < RA_BL_MAX_ASSETS) {
            cls[m] = secs[i].asset_class;
            w[m++] = 1;
        }
    }
    double *P = ra_malloc((v->n * m + 1) * sizeof *P), q[RA_BL_MAX_VIEWS], cf[RA_BL_MAX_VIEWS];
    if (!P)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the views");
    ra_status rc = ra_bl_views_matrix(v, m, cls, w, P, q, cf, err);
    ra_free(P);
    return rc;
}

/* Pins: a "ticker" header, then one on-shelf ticker a line; out gets the canonical text. */
static ra_status pins_check(const ra_security *secs, size_t n, const char *text, size_t size,
                            const char *name, char *out, size_t cap, ra_err *err)
{
    size_t k = (size_t)snprintf(out, cap, "ticker\n"), line = 0;
    for (size_t at = 0; at < size;) {
        const char *p = text + at;
        const char *e = memchr(p, '\n', size - at);
        size_t len = e ? (size_t)(e - p) : size - at;
        at += len + 1;
        line++;
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        if (line == 1 && len == 6 && strncasecmp(p, "ticker", 6) == 0)
            continue;
        if (len == 0)
            continue;
        size_t i = 0;
        while (i < n && !(secs[i].on_shelf && strlen(secs[i].ticker) == len &&
                          strncmp(secs[i].ticker, p, len) == 0))
            i++;
        if (i == n)
            return ra_err_set(err, RA_EINVAL, name,
                              "%s:%zu: not the ticker of a security on the firm's shelf", name,
                              line);
        if (k + len + 2 >= cap)
            return ra_err_set(err, RA_EINVAL, name, "%s: too many pinned funds", name);
        memcpy(out + k, p, len);
        k += len;
        out[k++] = '\n';
        out[k] = 0;
    }
    return RA_OK;
}

ra_status ra_models_input_set(ra_store *s, const ra_store_actor *actor, int kind, const char *text,
                              size_t size, const char *name, const char *reason, int64_t *version,
                              ra_err *err)
{
    *version = 0;
    ra_security *secs = NULL;
    size_t n = 0;
    ra_status rc = ra_store_security_list(s, actor->firm, 0, &secs, &n, err);
    if (rc != RA_OK)
        return rc;
    char *canon = ra_malloc(RA_BL_MAX_CSV * 2);
    ra_bl_views *v = ra_calloc(1, sizeof *v);
    ra_bl_market *mk = ra_calloc(1, sizeof *mk);
    if (!canon || !v || !mk)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the model inputs");
    else if (kind == RA_MODEL_INPUT_VIEWS) {
        rc = ra_bl_views_parse(text, size, name, v, err);
        if (rc == RA_OK)
            rc = views_check(secs, n, v, err);
        if (rc == RA_OK)
            ra_bl_views_format(v, canon, RA_BL_MAX_CSV * 2);
    } else if (kind == RA_MODEL_INPUT_MARKET) {
        rc = ra_bl_market_parse(text, size, name, mk, err);
        if (rc == RA_OK)
            ra_bl_market_format(mk, canon, RA_BL_MAX_CSV * 2);
    } else if (kind == RA_MODEL_INPUT_PINS) {
        rc = pins_check(secs, n, text, size, name, canon, RA_BL_MAX_CSV * 2, err);
    } else
        rc = ra_err_set(err, RA_EINVAL, "kind", "no model input kind %d", kind);
    if (rc == RA_OK)
        rc = ra_store_model_input_put(s, actor, (ra_model_input_kind)kind, canon, reason, version,
                                      err);
    ra_store_free(secs);
    RA_FREE_ALL(canon, v, mk);
    return rc;
}

/* --- stability ------------------------------------------------------------------------------------ */

/* Fund weights on a common list of tickers. */
typedef struct fund_vec {
    size_t n;
    char t[RA_MODELS_MAX_HOLDINGS][RA_CODE_MAX];
    double w[RA_MODELS_MAX_HOLDINGS];
} fund_vec;

static double *fv_slot(fund_vec *v, const char *t)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->t[i], t) == 0)
            return &v->w[i];
    if (v->n == RA_MODELS_MAX_HOLDINGS)
        return NULL;
    snprintf(v->t[v->n], RA_CODE_MAX, "%s", t);
    v->w[v->n] = 0;
    return &v->w[v->n++];
}

static void fv_from_model(fund_vec *v, const ra_model *m)
{
    for (size_t i = 0; i < v->n; i++)
        v->w[i] = 0;
    for (size_t h = 0; h < m->n; h++) {
        double *x = fv_slot(v, m->w[h].ticker);
        if (x)
            *x = m->w[h].weight;
    }
}

/* One-way turnover between a and b (half the L1 distance over the union of their tickers). */
static double fv_turnover(fund_vec *a, fund_vec *b)
{
    for (size_t i = 0; i < a->n; i++)
        (void)fv_slot(b, a->t[i]);
    for (size_t i = 0; i < b->n; i++)
        (void)fv_slot(a, b->t[i]);
    double d = 0;
    for (size_t i = 0; i < a->n; i++) {
        double *y = fv_slot(b, a->t[i]);
        d += fabs(a->w[i] - (y ? *y : 0));
    }
    return d / 2;
}

static ra_date month_end(int y, int m)
{
    return m == 12 ? ra_date_from_ymd(y, 12, 31) : ra_date_from_ymd(y, m + 1, 1) - 1;
}

/* The month step months after (*y, *mo), into them; its last day. */
static ra_date month_step(int *y, int *mo, int step)
{
    *mo += step;
    while (*mo > 12) {
        *mo -= 12;
        (*y)++;
    }
    return month_end(*y, *mo);
}

void ra_models_stability_free(ra_models_stability *st)
{
    ra_free(st->rows);
    memset(st, 0, sizeof *st);
}

/* Level l's rebuild m into the row: its turnover against the previous rebuild (free) and
 * against the bounded path moved towards it by at most max_turnover (fv: 3 per level). */
static void stability_level(ra_models_stability *out, ra_models_stability_row *row, int l,
                            fund_vec *fv, const ra_model *m, double max_turnover)
{
    fund_vec *nw = &fv[3 * (l - 1)], *pf = nw + 1, *bd = nw + 2;
    fv_from_model(nw, m);
    if (out->n == 0) {
        *pf = *nw;
        *bd = *nw;
        return;
    }
    row->free[l - 1] = fv_turnover(nw, pf);
    double tb = fv_turnover(nw, bd);
    double theta = max_turnover > 0 && tb > max_turnover ? max_turnover / tb : 1.0;
    for (size_t i = 0; i < bd->n; i++) {
        double *x = fv_slot(nw, bd->t[i]);
        bd->w[i] += theta * ((x ? *x : 0) - bd->w[i]);
    }
    row->bounded[l - 1] = theta * tb;
    out->gap[l - 1] += fv_turnover(nw, bd);
    *pf = *nw;
}

/* One single-stage rebuild at `at` (the build of ra_models_build_all without storing it) into
 * the next row of out. */
static ra_status single_rebuild(ra_store *s, const char *firm, const ra_models_build_opts *bo,
                                ra_date at, ra_models_stability *out, size_t *cap, fund_vec *fv,
                                ra_model *m, double max_turnover, ra_err *err)
{
    ra_models_shelf sh;
    ra_status rc = ra_models_shelf_load(s, firm, bo->from, at, bo->sample_cov, &sh, err);
    if (rc != RA_OK) {
        char b[11];
        ra_err_wrap(err, "rebuilding at %s", ra_date_format(at, b));
        return rc;
    }
    if (ra_grow((void **)&out->rows, cap, out->n + 1, sizeof *out->rows)) {
        ra_models_shelf_free(&sh);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the rebuilds");
    }
    ra_models_stability_row *row = &out->rows[out->n];
    memset(row, 0, sizeof *row);
    row->date = at;
    ra_models_build_settings bs;
    ra_models_build_settings_default(&bs);
    bs.max_weight = bo->max_weight;
    bs.risk_level = sh.risk_level;
    for (int l = 1; l <= RA_PROF_LEVELS && rc == RA_OK; l++) {
        rc = ra_models_build_one(sh.n, sh.tp, sh.cp, sh.mu, sh.cov, l, &bs, m, err);
        if (rc == RA_OK)
            stability_level(out, row, l, fv, m, max_turnover);
    }
    ra_models_shelf_free(&sh);
    if (rc == RA_OK)
        out->n++;
    return rc;
}

ra_status ra_models_stability_run(ra_store *s, const char *firm, const ra_models_build_opts *o,
                                  ra_date from, ra_date to, int step_months, int window_months,
                                  double max_turnover, ra_models_stability *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    if (step_months < 1 || step_months > 12 || window_months < 3 || window_months > 600)
        return ra_err_set(err, RA_EINVAL, NULL, "the step (1..12 months) or the window (3..600 "
                                                "months) is out of range");
    if (!(max_turnover >= 0 && max_turnover <= 1))
        return ra_err_set(err, RA_EINVAL, "max_turnover", "the turnover bound %g is not in [0, 1]",
                          max_turnover);
    if (from > to)
        return ra_err_set(err, RA_EINVAL, NULL, "the period starts after it ends");
    ra_models_class_inputs *ci = ra_malloc(sizeof *ci);
    ra_model *m = ra_malloc(sizeof *m);
    fund_vec *fv = ra_calloc(3 * RA_PROF_LEVELS, sizeof *fv); /* new, previous free, bounded */
    ra_status rc = ci && m && fv ? RA_OK
                                 : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a rebuild");
    size_t cap = 0;
    int y, mo, d;
    ra_date_to_ymd(from, &y, &mo, &d);
    for (ra_date at = month_end(y, mo); rc == RA_OK && at <= to;) {
        ra_models_build_opts bo = *o;
        int wy = y, wm = mo - window_months;
        while (wm < 1) {
            wm += 12;
            wy--;
        }
        bo.from = month_end(wy, wm) + 1;
        bo.date = at;
        bo.draws = 0;
        bo.resample = 0;
        if (!bo.two_stage) { /* the single stage: the whole shelf's historical means */
            rc = single_rebuild(s, firm, &bo, at, out, &cap, fv, m, max_turnover, err);
            at = month_step(&y, &mo, step_months);
            continue;
        }
        if ((rc = ra_models_class_inputs_load(s, firm, &bo, ci, err)) != RA_OK) {
            char b[11];
            ra_err_wrap(err, "rebuilding at %s", ra_date_format(at, b));
            break;
        }
        if (ra_grow((void **)&out->rows, &cap, out->n + 1, sizeof *out->rows)) {
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the rebuilds");
            break;
        }
        ra_models_stability_row *row = &out->rows[out->n];
        memset(row, 0, sizeof *row);
        row->date = at;
        for (int l = 1; l <= RA_PROF_LEVELS && rc == RA_OK; l++) {
            if ((rc = build_level(ci, &bo, l, m, err)) != RA_OK)
                break;
            stability_level(out, row, l, fv, m, max_turnover);
        }
        out->n++;
        at = month_step(&y, &mo, step_months);
    }
    if (rc == RA_OK && out->n < 2)
        rc = ra_err_set(err, RA_EINVAL, NULL, "fewer than two rebuilds between the dates");
    if (rc == RA_OK)
        for (int l = 0; l < RA_PROF_LEVELS; l++) {
            for (size_t r = 1; r < out->n; r++) {
                out->mean_free[l] += out->rows[r].free[l];
                out->mean_bounded[l] += out->rows[r].bounded[l];
                out->max_free[l] = fmax(out->max_free[l], out->rows[r].free[l]);
                out->max_bounded[l] = fmax(out->max_bounded[l], out->rows[r].bounded[l]);
            }
            out->mean_free[l] /= (double)(out->n - 1);
            out->mean_bounded[l] /= (double)(out->n - 1);
            out->gap[l] /= (double)(out->n - 1);
        }
    RA_FREE_ALL(ci, m, fv);
    if (rc != RA_OK)
        ra_models_stability_free(out);
    return rc;
}

/* The model m moved from the stored weights prev towards the new ones nw by theta: holdings
 * prev + theta (nw - prev), each class's weight the sum of its funds' (funds no longer on the
 * shelf keep their share outside the classes). */
static ra_status bound_model(const ra_models_class_inputs *ci, fund_vec *prev, fund_vec *nw,
                             double theta, ra_model *m, ra_err *err)
{
    (void)fv_turnover(prev, nw); /* both on the union of the tickers */
    m->n = 0;
    for (size_t i = 0; i < nw->n; i++) {
        double *p = fv_slot(prev, nw->t[i]);
        double w = (p ? *p : 0) + theta * (nw->w[i] - (p ? *p : 0));
        if (w <= RA_MODELS_TOL_SAME)
            continue;
        if (m->n == RA_MODELS_MAX_HOLDINGS)
            return ra_err_set(err, RA_EINVAL, NULL, "the bounded model has too many holdings");
        snprintf(m->w[m->n].ticker, sizeof m->w[0].ticker, "%s", nw->t[i]);
        m->w[m->n++].weight = w;
    }
    double sum = 0;
    for (size_t h = 0; h < m->n; h++)
        sum += m->w[h].weight;
    for (size_t h = 0; h < m->n; h++)
        m->w[h].weight /= sum;
    for (size_t c = 0; c < m->n_classes && c < ci->n; c++) {
        ra_model_class *x = &m->classes[c];
        x->weight = 0;
        for (size_t h = 0; h < m->n; h++)
            for (size_t f = 0; f < ci->n_funds[c]; f++)
                if (strcmp(m->w[h].ticker, ci->fund[c][f]) == 0)
                    x->weight += m->w[h].weight;
    }
    size_t k = strlen(m->method);
    snprintf(m->method + k, sizeof m->method - k, " bounded");
    return ra_models_validate(m, err);
}

ra_status ra_models_build_two_stage(ra_store *s, const ra_store_actor *actor,
                                    const ra_models_build_opts *o, ra_models_build_result *res,
                                    ra_err *err)
{
    res->two_stage = 1;
    ra_models_shelf sh; /* the funds' returns: the class stage's CVaR scenarios */
    ra_status rc = class_inputs_load(s, actor->firm, o, &res->ci, &sh, err);
    if (rc != RA_OK)
        return rc;
    res->n_shelf = res->ci.n;
    res->n_obs = res->ci.n_obs;
    res->from = res->ci.from;
    res->to = res->ci.to;
    ra_model *prev = ra_malloc(sizeof *prev);
    fund_vec *a = ra_calloc(2, sizeof *a), *b = a ? a + 1 : NULL;
    if (!prev || !a) {
        RA_FREE_ALL(prev, a);
        ra_models_shelf_free(&sh);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the models");
    }
    int own = 0;
    rc = ra_store_scope_begin(s, &own, err);
    for (int l = 1; l <= RA_PROF_LEVELS && rc == RA_OK; l++) {
        ra_model *m = &res->models[l - 1];
        rc = build_level(&res->ci, o, l, m, err);
        if (rc == RA_OK) /* the objective's class stage, and every model's CVaR */
            rc = models_cvar_level(&res->ci, &sh, o, l, m, err);
        if (rc == RA_OK)
            models_fund_notes(&res->ci, l, m);
        char code[8];
        snprintf(code, sizeof code, "R%d", l);
        ra_err e2 = {0};
        int have = rc == RA_OK && ra_models_get(s, actor->firm, code, 0, prev, &e2) == RA_OK;
        if (have) {
            memset(a, 0, 2 * sizeof *a);
            fv_from_model(a, m);
            fv_from_model(b, prev);
            double t = fv_turnover(a, b), theta = 1.0;
            res->unbounded[l - 1] = t;
            if (o->max_turnover > 0 && t > o->max_turnover)
                theta = o->max_turnover / t;
            res->turnover[l - 1] = theta * t;
            if (theta < 1.0)
                rc = bound_model(&res->ci, b, a, theta, m, err);
            if (theta < 1.0 && rc == RA_OK)
                rc = models_cvar_figures(&res->ci, &sh, o, l, m, err);
        }
        if (rc == RA_OK)
            rc = ra_models_put(s, actor, m, NULL, &res->created[l - 1], err);
    }
    RA_FREE_ALL(prev, a);
    ra_models_shelf_free(&sh);
    return ra_store_scope_end(s, own, rc, err);
}

