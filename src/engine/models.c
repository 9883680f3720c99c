/* Model portfolios over the store (include/roboadvisor/engine_models.h): the shelf's estimates,
 * building R1..R5, every account's target with anti-crowding, the model proposed at onboarding,
 * and the agent parameters kept on re-onboarding. Method: docs/methodology.md#model-portfolios. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_models.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/bl.h>
#include <roboadvisor/est.h>

#include "engine/models_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --- the shelf --------------------------------------------------------------------------------- */

/* Dates of the shelf's securities with a price in the window; at least this many to estimate. */
#define SHELF_MIN_PRICES 3
#define SHELF_MIN_DATES 30

void ra_models_shelf_free(ra_models_shelf *sh)
{
    RA_FREE_ALL(sh->ticker, sh->cls, sh->risk_level, sh->tp, sh->cp, sh->mu, sh->cov, sh->ret,
                sh->expense_ratio, sh->adv);
    memset(sh, 0, sizeof *sh);
}

/* The dates every shelf security has a price on (a merge of sorted lists) and the price matrix
 * on them (t x n, row-major). */
static size_t common_dates(size_t n, ra_date **dates, ra_price **prices, const size_t *np,
                           size_t *pos, ra_date *common, double *px)
{
    size_t t = 0;
    for (size_t a = 0; a < np[0]; a++) {
        ra_date d = dates[0][a];
        int all = 1;
        for (size_t k = 1; k < n && all; k++) {
            while (pos[k] < np[k] && dates[k][pos[k]] < d)
                pos[k]++;
            all = pos[k] < np[k] && dates[k][pos[k]] == d;
        }
        if (!all)
            continue;
        common[t] = d;
        px[t * n] = (double)prices[0][a];
        for (size_t k = 1; k < n; k++)
            px[t * n + k] = (double)prices[k][pos[k]];
        t++;
    }
    return t;
}

ra_status ra_models_shelf_load(ra_store *s, const char *firm, ra_date from, ra_date to,
                               int sample_cov, ra_models_shelf *sh, ra_err *err)
{
    memset(sh, 0, sizeof *sh);
    ra_security *secs = NULL;
    size_t ns = 0;
    ra_status rc = ra_store_security_list(s, firm, 0, &secs, &ns, err);
    if (rc != RA_OK)
        return rc;
    ra_date **dates = ra_calloc(ns + 1, sizeof *dates);
    ra_price **prices = ra_calloc(ns + 1, sizeof *prices);
    size_t *np = ra_calloc(ns + 1, sizeof *np), *pos = ra_calloc(ns + 1, sizeof *pos);
    sh->ticker = ra_calloc(ns + 1, sizeof *sh->ticker);
    sh->cls = ra_calloc(ns + 1, sizeof *sh->cls);
    sh->risk_level = ra_calloc(ns + 1, sizeof *sh->risk_level);
    sh->expense_ratio = ra_calloc(ns + 1, sizeof *sh->expense_ratio);
    sh->adv = ra_calloc(ns + 1, sizeof *sh->adv);
    double *px = NULL, *ret = NULL;
    ra_date *common = NULL;
    if (!dates || !prices || !np || !pos || !sh->ticker || !sh->cls || !sh->risk_level ||
        !sh->expense_ratio || !sh->adv) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the shelf");
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        if (!secs[i].on_shelf || secs[i].incomplete)
            continue;
        size_t k = sh->n;
        rc = ra_store_price_series(s, firm, secs[i].ticker, from ? from : INT32_MIN + 1,
                                   to ? to : RA_STORE_DATE_LATEST, &dates[k], &prices[k], &np[k],
                                   err);
        if (rc != RA_OK)
            goto out;
        if (np[k] < SHELF_MIN_PRICES) { /* no usable history: not part of the shelf */
            ra_store_free(dates[k]);
            ra_store_free(prices[k]);
            dates[k] = NULL;
            prices[k] = NULL;
            continue;
        }
        memcpy(sh->ticker[k], secs[i].ticker, RA_CODE_MAX);
        memcpy(sh->cls[k], secs[i].asset_class, RA_CODE_MAX);
        sh->risk_level[k] = secs[i].risk_level;
        sh->expense_ratio[k] = secs[i].expense_ratio;
        sh->adv[k] = secs[i].adv;
        sh->n++;
    }
    if (sh->n < 2) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "the shelf of firm %s has %zu securities with prices; at least 2 are "
                        "needed",
                        firm, sh->n);
        goto out;
    }
    common = ra_malloc(np[0] * sizeof *common);
    px = ra_malloc(np[0] * sh->n * sizeof *px);
    if (!common || !px) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the price matrix");
        goto out;
    }
    size_t t = common_dates(sh->n, dates, prices, np, pos, common, px);
    if (t < SHELF_MIN_DATES) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "the shelf's securities share %zu price dates; at least %d are needed", t,
                        SHELF_MIN_DATES);
        goto out;
    }
    sh->from = common[0];
    sh->to = common[t - 1];
    sh->n_obs = t - 1;
    ret = ra_malloc(sh->n_obs * sh->n * sizeof *ret);
    sh->mu = ra_malloc(sh->n * sizeof *sh->mu);
    sh->cov = ra_malloc(sh->n * sh->n * sizeof *sh->cov);
    sh->tp = ra_malloc(sh->n * sizeof *sh->tp);
    sh->cp = ra_malloc(sh->n * sizeof *sh->cp);
    if (!ret || !sh->mu || !sh->cov || !sh->tp || !sh->cp) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the estimates");
        goto out;
    }
    for (size_t k = 0; k < sh->n; k++) {
        sh->tp[k] = sh->ticker[k];
        sh->cp[k] = sh->cls[k];
    }
    rc = ra_est_returns(px, t, sh->n, RA_RETURN_SIMPLE, ret, err);
    if (rc == RA_OK)
        rc = ra_est_mean(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR, sh->mu, err);
    if (rc == RA_OK)
        rc = sample_cov ? ra_est_cov_sample(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR, NULL,
                                            0, sh->cov, err)
                        : ra_est_cov_ledoit_wolf(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR,
                                                 NULL, 0, sh->cov, NULL, err);
    if (rc == RA_OK) {
        sh->ret = ret;
        ret = NULL;
    }
out:
    for (size_t k = 0; k < ns; k++) {
        ra_store_free(dates ? dates[k] : NULL);
        ra_store_free(prices ? prices[k] : NULL);
    }
    RA_FREE_ALL(dates, prices, np, pos, px, ret, common);
    ra_store_free(secs);
    if (rc != RA_OK)
        ra_models_shelf_free(sh);
    return rc;
}

/* --- building ---------------------------------------------------------------------------------- */

void ra_models_build_opts_default(ra_models_build_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_weight = RA_MODELS_DEFAULT_MAX_WEIGHT;
    o->tau = RA_BL_TAU_DEFAULT;
    o->market_sharpe = RA_BL_MARKET_SHARPE_DEFAULT;
    o->min_class = RA_MODELS_DEFAULT_MIN_CLASS;
    o->ewma_lambda = RA_EWMA_LAMBDA_DEFAULT;
    o->draws = RA_MODELS_DEFAULT_DRAWS;
    o->seed = 1;
    o->cvar_beta = RA_MODELS_DEFAULT_CVAR_BETA;
    o->two_stage = 1; /* equilibrium, views, classes then funds (docs/methodology.md#two-stage-models) */
}

ra_status ra_models_build_all(ra_store *s, const ra_store_actor *actor,
                              const ra_models_build_opts *o, ra_models_build_result *res,
                              ra_err *err)
{
    memset(res, 0, sizeof *res);
    if (o->from && o->date && o->from > o->date)
        return ra_err_set(err, RA_EINVAL, NULL, "the window starts after the build date");
    if (o->two_stage)
        return ra_models_build_two_stage(s, actor, o, res, err);
    ra_models_shelf sh;
    ra_status rc = ra_models_shelf_load(s, actor->firm, o->from, o->date, o->sample_cov, &sh, err);
    if (rc != RA_OK)
        return rc;
    res->n_shelf = sh.n;
    res->n_obs = sh.n_obs;
    res->from = sh.from;
    res->to = sh.to;
    ra_models_build_settings bs;
    ra_models_build_settings_default(&bs);
    bs.max_weight = o->max_weight;
    bs.risk_level = sh.risk_level;
    bs.max_assets = o->max_funds;
    bs.min_position = o->min_position;
    int own = 0;
    rc = ra_store_scope_begin(s, &own, err);
    for (int l = 1; l <= RA_PROF_LEVELS && rc == RA_OK; l++) {
        ra_model *m = &res->models[l - 1];
        rc = ra_models_build_one(sh.n, sh.tp, sh.cp, sh.mu, sh.cov, l, &bs, m, err);
        if (rc != RA_OK)
            break;
        size_t k = strlen(m->method);
        snprintf(m->method + k, sizeof m->method - k, " %s",
                 o->sample_cov ? "sample" : "ledoit-wolf");
        m->from = sh.from;
        m->to = sh.to;
        rc = ra_models_put(s, actor, m, NULL, &res->created[l - 1], err);
    }
    rc = ra_store_scope_end(s, own, rc, err);
    ra_models_shelf_free(&sh);
    return rc;
}

/* --- targets and anti-crowding ----------------------------------------------------------------- */

void ra_models_targets_free(ra_models_targets *t)
{
    ra_store_free(t->account);
    RA_FREE_ALL(t->model, t->t);
    memset(t, 0, sizeof *t);
}

/* Tracking error and anti-crowding of the accounts of one model (members: k indices). */
static ra_status decrowd_model(ra_store *s, const char *firm, const ra_models_shelf *sh,
                               ra_models_targets *out, const size_t *members, size_t k,
                               size_t max_identical, double te_budget, ra_err *err)
{
    ra_model *m = ra_malloc(sizeof *m);
    ra_models_target *group = ra_calloc(k, sizeof *group);
    ra_status rc = m && group ? RA_OK
                              : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu targets", k);
    if (rc == RA_OK)
        rc = ra_models_get(s, firm, out->model[members[0]], 0, m, err);
    for (size_t g = 0; g < k && rc == RA_OK; g++)
        group[g] = out->t[members[g]];
    if (rc == RA_OK && sh) {
        ra_models_universe u = {sh->n, sh->tp, sh->cp, NULL, sh->cov};
        for (size_t g = 0; g < k && rc == RA_OK; g++)
            rc = ra_models_drift(m, &u, &group[g], &group[g].te_ann, &group[g].l1, err);
        if (rc == RA_OK)
            rc = ra_models_decrowd(m, &u, group, k, max_identical, te_budget, err);
    }
    for (size_t g = 0; g < k && rc == RA_OK; g++) {
        out->t[members[g]] = group[g];
        if (group[g].variant > 0) {
            out->n_variants++;
            out->te_mean += group[g].te_ann;
            out->l1_mean += group[g].l1;
            out->te_max = fmax(out->te_max, group[g].te_ann);
            out->l1_max = fmax(out->l1_max, group[g].l1);
        }
    }
    RA_FREE_ALL(m, group);
    return rc;
}

ra_status ra_models_targets_run(ra_store *s, const char *firm, double cash_reserve,
                                size_t max_identical, double te_budget, ra_models_targets *out,
                                ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_status rc = ra_store_account_list(s, firm, &out->account, &out->n, err);
    if (rc != RA_OK)
        return rc;
    out->t = ra_calloc(out->n + 1, sizeof *out->t);
    out->model = ra_calloc(out->n + 1, sizeof *out->model);
    size_t *members = ra_calloc(out->n + 1, sizeof *members);
    char *done = ra_calloc(out->n + 1, 1);
    if (!out->t || !out->model || !members || !done)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu targets", out->n);
    for (size_t i = 0; i < out->n && rc == RA_OK; i++) {
        ra_err e = {0};
        ra_status st = ra_models_target_for_account(s, firm, out->account[i], cash_reserve,
                                                    &out->t[i], &e);
        if (st == RA_ENOTFOUND) /* no model, or its model is not stored: no target */
            continue;
        if (st != RA_OK) {
            rc = st;
            if (err)
                *err = e;
            break;
        }
        ra_models_assignment as;
        ra_account a;
        if (ra_models_assignment_get(s, firm, out->account[i], &as, &e) == RA_OK)
            snprintf(out->model[i], RA_CODE_MAX, "%s", as.model);
        else if (ra_store_account_get(s, firm, out->account[i], &a, &e) == RA_OK)
            snprintf(out->model[i], RA_CODE_MAX, "%s", a.mandate.model);
        out->n_targets++;
    }
    /* tracking errors need the covariance: the shelf's estimates */
    ra_models_shelf sh;
    ra_err e = {0};
    out->have_cov = rc == RA_OK && ra_models_shelf_load(s, firm, 0, 0, 0, &sh, &e) == RA_OK;
    for (size_t i = 0; i < out->n && rc == RA_OK; i++) {
        if (!out->model[i][0] || done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < out->n; j++)
            if (strcmp(out->model[j], out->model[i]) == 0) {
                done[j] = 1;
                members[k++] = j;
            }
        rc = decrowd_model(s, firm, out->have_cov ? &sh : NULL, out, members, k, max_identical,
                           te_budget, err);
    }
    if (out->n_variants) {
        out->te_mean /= (double)out->n_variants;
        out->l1_mean /= (double)out->n_variants;
    }
    if (out->have_cov)
        ra_models_shelf_free(&sh);
    RA_FREE_ALL(members, done);
    if (rc != RA_OK)
        ra_models_targets_free(out);
    return rc;
}

/* --- the onboarding proposal ------------------------------------------------------------------- */

ra_status ra_models_propose(ra_store *s, const ra_store_actor *actor, const char *account,
                            int level, ra_date date, double cash_reserve, ra_models_proposal *p,
                            ra_err *err)
{
    memset(p, 0, sizeof *p);
    ra_model *m = NULL;
    size_t n = 0;
    ra_status rc = ra_models_suitable(s, actor->firm, level, &m, &n, err);
    if (rc != RA_OK)
        return rc;
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (best == n || m[i].level > m[best].level)
            best = i;
    if (best == n) {
        snprintf(p->note, sizeof p->note,
                 "no model of level %s or below is stored (run 'roboadvisor models build')",
                 ra_suit_level_name(level));
        ra_store_free(m);
        return RA_OK;
    }
    p->have_model = 1;
    snprintf(p->model, sizeof p->model, "%s", m[best].code);
    p->model_version = m[best].version;
    p->model_level = m[best].level;
    ra_store_free(m);
    if (!account)
        return RA_OK;
    rc = ra_models_assign(s, actor, account, p->model, p->model_version, date, level, NULL, NULL,
                          err);
    if (rc == RA_OK)
        rc = ra_models_target_for_account(s, actor->firm, account, cash_reserve, &p->target, err);
    return rc;
}

ra_status ra_onboard_agent_params(ra_store *s, const char *firm, const char *account, int level,
                                  ra_onboard_agent_note *note, ra_err *err)
{
    memset(note, 0, sizeof *note);
    ra_agent *cur = ra_malloc(sizeof *cur);
    if (!cur)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an agent");
    ra_err e = {0};
    ra_status rc = ra_store_agent_get(s, firm, account, 0, cur, &e);
    if (rc == RA_OK || rc == RA_ENOTFOUND) {
        note->had_agent = rc == RA_OK;
        ra_agent_params_keep(note->had_agent ? &cur->params : NULL, level, &note->params,
                             &note->keep);
        rc = RA_OK;
    } else if (err) {
        *err = e;
    }
    ra_free(cur);
    return rc;
}

ra_status ra_onboard_with_proposal(ra_store *s, const ra_store_actor *actor,
                                   const ra_onboard_doc *doc, const ra_prof_questionnaire *q,
                                   const ra_prof_answers *ans, size_t lang_index, ra_date date,
                                   ra_onboard_result *res, ra_models_proposal *props,
                                   ra_onboard_agent_note *notes, ra_err *err)
{
    int own = 0;
    ra_status rc = ra_store_scope_begin(s, &own, err);
    if (rc != RA_OK)
        return rc;
    /* what onboarding will keep of each agent, read before ra_onboard_apply writes, at the new
     * profile's level (scored as ra_onboard_apply scores it) */
    ra_profile p;
    if (notes)
        rc = ra_prof_score(q, ans->resp, ans->n, lang_index, date, &p, err);
    for (size_t i = 0; rc == RA_OK && notes && i < doc->n_accounts; i++)
        rc = ra_onboard_agent_params(s, actor->firm, doc->accounts[i].code, p.level, &notes[i],
                                     err);
    if (rc == RA_OK)
        rc = ra_onboard_apply(s, actor, doc, q, ans, lang_index, date, res, err);
    for (size_t i = 0; rc == RA_OK && i < doc->n_accounts; i++) {
        ra_agent agent;
        rc = ra_store_agent_get(s, actor->firm, doc->accounts[i].code, 0, &agent, err);
        if (rc == RA_OK)
            rc = ra_models_propose(s, actor, doc->accounts[i].code, res->profile.level, date,
                                   agent.params.cash_reserve, &props[i], err);
        if (rc != RA_OK)
            ra_err_wrap(err, "account %s", doc->accounts[i].code);
    }
    return ra_store_scope_end(s, own, rc, err);
}
