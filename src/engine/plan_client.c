/* roboadvisor engine: a client's goal plan, run on the book's inputs and saved
 * (include/roboadvisor/engine_plan.h; docs/methodology.md#saved-goal-plans). The simulation is
 * ra_plan_run's (src/core/plan.c), unchanged: this file only gathers its inputs (the account's
 * value on its latest valued day, its model's expected return and volatility, plus the firm's
 * cash rate when that return is in excess of cash) and turns the results into minor units for
 * the store. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_plan.h>
#include <roboadvisor/money.h>
#include <roboadvisor/store_api.h>
#include <roboadvisor/store_mandate.h>
#include <roboadvisor/store_models.h>

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ra_plan_request_default(ra_plan_request *r)
{
    memset(r, 0, sizeof *r);
    r->paths = 10000;
    r->seed = 1;
}

static ra_status check_request(const ra_plan_request *r, ra_err *err)
{
    if (!r->client || !r->client[0])
        return ra_err_set(err, RA_EINVAL, "client", "name the client");
    if (r->goal_minor <= 0)
        return ra_err_set(err, RA_EINVAL, "goal", "the goal must be positive");
    if (r->monthly_minor < 0)
        return ra_err_set(err, RA_EINVAL, "monthly", "the monthly contribution cannot be negative");
    if (r->have_initial && r->initial_minor < 0)
        return ra_err_set(err, RA_EINVAL, "initial", "the initial value cannot be negative");
    if (r->years < 1 || r->years > RA_PLAN_MAX_YEARS)
        return ra_err_set(err, RA_EINVAL, "years", "the horizon is 1 to %d years, got %d",
                          RA_PLAN_MAX_YEARS, r->years);
    if (r->paths < 1 || r->paths > RA_PLAN_SAVE_MAX_PATHS)
        return ra_err_set(err, RA_EINVAL, "paths", "a saved plan has 1 to %d paths, got %zu",
                          RA_PLAN_SAVE_MAX_PATHS, r->paths);
    if (r->paths * (size_t)r->years > RA_PLAN_SAVE_MAX_CELLS)
        return ra_err_set(err, RA_EINVAL, "paths", "paths x years must be at most %d, got %zu x %d",
                          RA_PLAN_SAVE_MAX_CELLS, r->paths, r->years);
    if (r->seed > (uint64_t)INT64_MAX)
        return ra_err_set(err, RA_EINVAL, "seed", "the seed is at most %lld",
                          (long long)INT64_MAX);
    if (r->have_mu && !(r->mu > -1.0 && r->mu <= RA_PLAN_MAX_MU))
        return ra_err_set(err, RA_EINVAL, "mu", "mu is an annual decimal return in (-1, 1]");
    if (r->have_mu && !(r->sigma >= 0.0 && r->sigma <= RA_PLAN_MAX_SIGMA))
        return ra_err_set(err, RA_EINVAL, "sigma", "sigma is an annual decimal volatility in "
                          "[0, 2]");
    if (r->label && strlen(r->label) >= RA_PLAN_LABEL_MAX)
        return ra_err_set(err, RA_EINVAL, "label", "a label is at most %d bytes",
                          RA_PLAN_LABEL_MAX - 1);
    return RA_OK;
}

/* Wealth in currency units as minor units, saturated at the int64 range (a percentile of a
 * century at mu = 100 % a year can exceed it; the ledger never holds one). */
static ra_minor to_minor(double v, double scale)
{
    double x = v * scale;
    if (!(x < 9.2e18))
        return INT64_MAX;
    return x > -9.2e18 ? (ra_minor)llround(x) : INT64_MIN;
}

/* Model m's expected return is in excess of cash (ra_models_returns_excess): the plan's mu is it
 * plus the firm's cash rate (docs/methodology.md#saved-goal-plans), source "model+cash". A firm
 * without a cash rate is refused, never planned with 0. */
static ra_status add_cash(ra_store *s, const char *firm, const ra_model *m, ra_plan_rec *p,
                          ra_err *err)
{
    ra_models_settings set;
    ra_status rc = ra_models_settings_get(s, firm, &set, err);
    if (rc != RA_OK)
        return rc;
    if (!set.have_cash_rate)
        return ra_err_set(err, RA_EINVAL, "mu", "account %s's model %s v%d has returns in excess "
                          "of cash and the firm has no cash rate to add: set it with `roboadvisor "
                          "models settings --cash-rate R` (0.03 for 3 %% a year), or give mu and "
                          "sigma", p->account, m->code, m->version);
    double mu = m->expected_return + set.cash_rate;
    if (!(mu > -1.0 && mu <= RA_PLAN_MAX_MU))
        return ra_err_set(err, RA_EINVAL, "mu", "account %s's model %s v%d: its excess return "
                          "%.4f plus the firm's cash rate %.4f is %.4f, not an annual return in "
                          "(-1, 1]: give mu and sigma", p->account, m->code, m->version,
                          m->expected_return, set.cash_rate, mu);
    snprintf(p->source, sizeof p->source, "model+cash");
    p->mu = mu;
    p->have_cash_rate = 1;
    p->cash_rate = set.cash_rate;
    return RA_OK;
}

/* The plan's account (r->account, or the client's first), its value and its model into *p. */
static ra_status gather(ra_store *s, const char *firm, const ra_plan_request *r, ra_plan_rec *p,
                        ra_err *err)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    const char *want = r->account && r->account[0] ? r->account : NULL;
    ra_status rc = ra_store_api_clients(s, firm, NULL, NULL, r->client, "", 1, &v, &n, err);
    ra_store_free(v);
    if (rc == RA_OK && !n)
        return ra_err_set(err, RA_ENOTFOUND, "client", "no client %s", r->client);
    if (rc == RA_OK)
        rc = ra_store_api_accounts(s, firm, NULL, r->client, want, "", 1, &v, &n, err);
    if (rc != RA_OK)
        return rc;
    if (n)
        snprintf(p->account, sizeof p->account, "%s", v[0].code);
    ra_store_free(v);
    if (!n)
        return want ? ra_err_set(err, RA_ENOTFOUND, "account", "no account %s of client %s",
                                 want, r->client)
                    : ra_err_set(err, RA_EINVAL, "account", "client %s has no account to plan "
                                 "on", r->client);
    ra_firm f;
    ra_mandate_version mv;
    ra_account_view av;
    memset(&av, 0, sizeof av);
    if ((rc = ra_store_firm_get(s, firm, &f, err)) != RA_OK ||
        (rc = ra_store_mandate_get(s, firm, p->account, 0, &mv, err)) != RA_OK)
        return rc;
    rc = ra_account_view_current(s, firm, p->account, r->date, mv.mandate.cash_reserve,
                                 mv.mandate.band_rel, &av, err);
    if (rc == RA_OK) {
        p->minor_digits = f.minor_digits;
        snprintf(p->currency, sizeof p->currency, "%s", av.acct.currency);
        p->as_of = av.date;
        p->initial_minor = r->have_initial ? r->initial_minor : av.value_minor;
    }
    ra_account_view_clear(&av);
    if (rc != RA_OK)
        return rc;
    /* the model: the account's assigned version, else its mandate's model (latest) */
    ra_models_assignment as;
    ra_err e = {0};
    char code[RA_CODE_MAX];
    int version = 0;
    snprintf(code, sizeof code, "%s", mv.mandate.model);
    if (ra_models_assignment_get(s, firm, p->account, &as, &e) == RA_OK) {
        snprintf(code, sizeof code, "%s", as.model);
        version = as.version;
    }
    ra_model *m = code[0] ? ra_malloc(sizeof *m) : NULL;
    if (code[0] && !m)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a model");
    int have_model = m && ra_models_get(s, firm, code, version, m, &e) == RA_OK;
    if (have_model) {
        snprintf(p->model, sizeof p->model, "%s", m->code);
        p->model_version = m->version;
        p->risk_level = m->level;
        p->data_from = m->from;
        p->data_to = m->to;
    }
    if (r->have_mu) {
        snprintf(p->source, sizeof p->source, "given");
        p->mu = r->mu;
        p->sigma = r->sigma;
    } else if (have_model && isfinite(m->expected_return) && isfinite(m->volatility) &&
               m->expected_return > -1.0 && m->expected_return <= RA_PLAN_MAX_MU &&
               m->volatility >= 0.0 && m->volatility <= RA_PLAN_MAX_SIGMA) {
        snprintf(p->source, sizeof p->source, "model");
        p->mu = m->expected_return;
        p->sigma = m->volatility;
        if (ra_models_returns_excess(m))
            rc = add_cash(s, firm, m, p, err);
    } else {
        rc = ra_err_set(err, RA_EINVAL, "mu", "account %s's model %s has no expected return and "
                        "volatility to plan with: give mu and sigma", p->account,
                        code[0] ? code : "(none)");
    }
    ra_free(m);
    return rc;
}

ra_status ra_plan_client_save(ra_store *s, const ra_store_actor *actor, const ra_plan_request *r,
                              ra_plan_rec *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_status rc = check_request(r, err);
    if (rc == RA_OK)
        rc = gather(s, actor->firm, r, out, err);
    if (rc != RA_OK)
        return rc;
    snprintf(out->client, sizeof out->client, "%s", r->client);
    snprintf(out->method, sizeof out->method, "lognormal");
    snprintf(out->label, sizeof out->label, "%s", r->label ? r->label : "");
    out->goal_minor = r->goal_minor;
    out->monthly_minor = r->monthly_minor;
    out->years = r->years;
    out->paths = (int64_t)r->paths;
    out->seed = (int64_t)r->seed;
    double scale = 1.0;
    for (int i = 0; i < out->minor_digits; i++)
        scale *= 10.0;
    ra_plan_settings ps;
    ra_plan_settings_default(&ps);
    ps.initial = (double)out->initial_minor / scale;
    ps.monthly = (double)out->monthly_minor / scale;
    ps.goal = (double)out->goal_minor / scale;
    ps.years = (size_t)r->years;
    ps.model = RA_PLAN_LOGNORMAL;
    ps.mu = out->mu;
    ps.sigma = out->sigma;
    ps.n_paths = r->paths;
    ps.seed = r->seed;
    size_t wsz = ra_plan_workspace_size(&ps);
    void *work = wsz ? ra_malloc(wsz) : NULL;
    double *by_year = ra_malloc((size_t)r->years * RA_PLAN_N_PCT * sizeof *by_year);
    ra_plan_result res;
    res.pct_by_year = by_year;
    if (!work || !by_year)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu paths x %d years",
                        r->paths, r->years);
    if (rc == RA_OK && (rc = ra_plan_run(&ps, work, wsz, &res, err)) == RA_OK) {
        out->probability = res.probability;
        out->n_hits = (int64_t)res.n_hits;
        out->mean_minor = to_minor(res.mean_final, scale);
        for (int y = 0; y < r->years; y++)
            for (int k = 0; k < RA_PLAN_N_PCT; k++)
                out->pct_minor[y][k] = to_minor(by_year[(size_t)y * RA_PLAN_N_PCT + k], scale);
        rc = ra_store_plan_save(s, actor, out, err);
    }
    ra_free(work);
    ra_free(by_year);
    if (rc != RA_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

static json_t *jmoney(ra_minor v, int md)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(ra_money_format_minor(v, md, b, sizeof b));
}

static json_t *jdate(ra_date d)
{
    char b[11];
    return d ? json_string(ra_date_format(d, b)) : json_null();
}

ra_status ra_plan_rec_json(const ra_plan_rec *p, char **text, ra_err *err)
{
    static const char *const keys[RA_PLAN_N_PCT] = {"p5", "p25", "p50", "p75", "p95"};
    int md = p->minor_digits;
    *text = NULL;
    json_t *by = json_array(), *fin = json_object();
    for (int y = 0; y < p->years; y++) {
        json_t *row = json_pack("{s:i}", "year", y + 1);
        for (int k = 0; k < RA_PLAN_N_PCT; k++)
            json_object_set_new(row, keys[k], jmoney(p->pct_minor[y][k], md));
        json_array_append_new(by, row);
    }
    for (int k = 0; k < RA_PLAN_N_PCT; k++)
        json_object_set_new(fin, keys[k], jmoney(p->pct_minor[p->years - 1][k], md));
    char lv[4];
    snprintf(lv, sizeof lv, "R%d", p->risk_level);
    json_t *j = json_pack(
        "{s:s,s:s,s:o,s:s,s:o,s:b,s:o,s:o,s:o,s:i,s:s,s:s,s:o,s:o,s:o,s:f,s:f,s:o,s:o,s:o,s:o,"
        "s:I,s:I,s:f,s:I,s:o,s:o,s:o,s:s,s:I}",
        "id", p->code, "client", p->client, "account",
        p->account[0] ? json_string(p->account) : json_null(), "currency", p->currency, "label",
        p->label[0] && !p->erased ? json_string(p->label) : json_null(), "erased", p->erased,
        "goal", jmoney(p->goal_minor, md), "initial", jmoney(p->initial_minor, md), "monthly",
        jmoney(p->monthly_minor, md), "years", p->years, "method", p->method, "source",
        p->source, "model", p->model[0] ? json_string(p->model) : json_null(), "model_version",
        p->model_version ? json_integer(p->model_version) : json_null(), "risk_level",
        p->risk_level ? json_string(lv) : json_null(), "mu", p->mu, "sigma", p->sigma,
        "cash_rate", p->have_cash_rate ? json_real(p->cash_rate) : json_null(), "data_from",
        jdate(p->data_from), "data_to", jdate(p->data_to), "as_of", jdate(p->as_of),
        "paths", (json_int_t)p->paths, "seed", (json_int_t)p->seed, "probability",
        p->probability, "paths_reaching_goal", (json_int_t)p->n_hits, "mean",
        jmoney(p->mean_minor, md), "percentiles", fin, "paths_by_year", by, "created_by",
        p->user, "created_at", (json_int_t)p->created_at);
    char *d = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (d) {
        *text = ra_strdup(d);
        sodium_memzero(d, strlen(d));
        free(d);
    }
    if (!*text)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not write plan %s as JSON", p->code);
    return RA_OK;
}
