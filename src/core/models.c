/* Model portfolios, pure part (include/roboadvisor/models.h): the asset-class table, equity bands,
 * building one level's model with the optimiser, validation, personalised account targets and
 * anti-crowding variants. Method: docs/methodology.md#model-portfolios. */
#include "roboadvisor/alloc.h"
#include "roboadvisor/card.h"
#include "roboadvisor/models.h"
#include "roboadvisor/opt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A weight below this is optimiser noise (the QP snaps active bounds; anything left is far below
 * a basis point), left out of the model. */
#define TOL_ZERO_WEIGHT 1e-10
/* Taxable / tax-deferred tilt between equity and bonds when a household has both (methodology). */
#define TAX_TILT 0.05
/* Anti-crowding tilts use these fractions of the tracking-error budget. */
static const double tilt_fraction[] = {0.8, 0.5, 0.25};

/* --- asset classes and bands ------------------------------------------------------------------ */

static const struct {
    const char *cls;
    ra_models_group g;
} class_table[] = {
    {"us_equity", RA_MODELS_EQUITY},     {"intl_equity", RA_MODELS_EQUITY},
    {"em_equity", RA_MODELS_EQUITY},     {"us_small_cap", RA_MODELS_EQUITY},
    {"equity", RA_MODELS_EQUITY},        {"stock", RA_MODELS_EQUITY},
    {"us_bonds", RA_MODELS_BONDS},       {"intl_bonds", RA_MODELS_BONDS},
    {"bonds", RA_MODELS_BONDS},          {"fixed_income", RA_MODELS_BONDS},
    {"real_estate", RA_MODELS_REAL},     {"commodities", RA_MODELS_REAL},
    {"gold", RA_MODELS_REAL},            {"real_assets", RA_MODELS_REAL},
    {"cash", RA_MODELS_CASH},            {"money_market", RA_MODELS_CASH},
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

ra_models_group ra_models_group_of(const char *asset_class, int *known)
{
    if (known)
        *known = 1;
    for (size_t i = 0; i < sizeof class_table / sizeof class_table[0]; i++)
        if (strcmp(asset_class, class_table[i].cls) == 0)
            return class_table[i].g;
    if (known)
        *known = 0;
    if (ends_with(asset_class, "_equity"))
        return RA_MODELS_EQUITY;
    if (ends_with(asset_class, "_bonds"))
        return RA_MODELS_BONDS;
    return RA_MODELS_REAL;
}

const char *ra_models_group_name(ra_models_group g)
{
    static const char *const names[] = {"equity", "bonds", "real_assets", "cash"};
    return (unsigned)g < RA_MODELS_N_GROUPS ? names[g] : "?";
}

/* Equity share bands of R1..R5: disjoint and adjacent, so equity rises with the level. */
static const double band_max[RA_PROF_LEVELS] = {0.20, 0.40, 0.60, 0.80, 1.00};
/* A model built for level L >= 2 holds at least this much more equity than the band of L-1 allows,
 * so that its own level (ra_models_level_of_equity, which puts a share on a band's edge in the
 * lower band) is L and not L-1 when the optimiser settles on the band's lower edge. One percentage
 * point: far above RA_MODELS_TOL_SAME, small against the 20-point bands. */
#define BUILD_BAND_MARGIN 0.01
/* Real assets (REITs, commodities) at most this share at every level: diversifiers, but volatile. */
#define REAL_ASSETS_MAX RA_MODELS_REAL_ASSETS_MAX

void ra_models_equity_band(int level, double *min, double *max)
{
    if (level < 1)
        level = 1;
    if (level > RA_PROF_LEVELS)
        level = RA_PROF_LEVELS;
    *min = level == 1 ? 0.0 : band_max[level - 2] + BUILD_BAND_MARGIN;
    *max = band_max[level - 1];
}

int ra_models_level_of_equity(double equity_share)
{
    for (int l = 1; l < RA_PROF_LEVELS; l++)
        if (equity_share <= band_max[l - 1] + RA_MODELS_TOL_SAME)
            return l;
    return RA_PROF_LEVELS;
}

/* --- building --------------------------------------------------------------------------------- */

void ra_models_build_settings_default(ra_models_build_settings *s)
{
    s->max_weight = RA_MODELS_DEFAULT_MAX_WEIGHT;
    s->rf = 0.0;
    s->min_weight_keep = 0.0;
    s->risk_level = NULL;
    s->slots = NULL;
    s->max_assets = 0;
    s->min_position = 0.0;
}

/* The rating of n holdings (weights w, classes, levels, tickers: n each). */
static void rate_arrays(size_t n, const double *w, const char *const *cls, const int *lvl,
                        const char *const *tickers, const size_t *slots, ra_models_rating *r)
{
    memset(r, 0, sizeof *r);
    double eq = 0.0, avg = 0.0;
    for (size_t i = 0; i < n; i++) {
        int l = lvl && lvl[i] >= 1 && lvl[i] <= RA_PROF_LEVELS ? lvl[i] : RA_PROF_LEVELS;
        if (ra_models_group_of(cls[i], NULL) == RA_MODELS_EQUITY)
            eq += w[i];
        avg += w[i] * l;
        /* a class whose weight is spread over slots funds of at most the material weight each
         * (ra_models_build_settings.slots) holds no material fund */
        double wh = slots && slots[i] > 0 ? fmin(w[i], RA_MODELS_MATERIAL_WEIGHT) : w[i];
        if (wh > RA_MODELS_MATERIAL_WEIGHT + RA_MODELS_TOL_SAME &&
            (l > r->holding_level || (l == r->holding_level && wh > r->holding_weight))) {
            r->holding_level = l;
            r->holding_weight = wh;
            snprintf(r->holding, sizeof r->holding, "%s", tickers[i]);
        }
    }
    r->equity_share = eq;
    r->average_level = avg;
    r->by_equity = ra_models_level_of_equity(eq);
    /* ceil with the weight tolerance, so that an average of exactly 3 is 3 */
    r->by_average = (int)ceil(avg - RA_MODELS_TOL_SAME) - 1;
    if (r->by_average < 1)
        r->by_average = 1;
    r->by_holding = r->holding_level > 1 ? r->holding_level - 1 : 1;
    r->level = r->by_equity;
    if (r->by_average > r->level)
        r->level = r->by_average;
    if (r->by_holding > r->level)
        r->level = r->by_holding;
    r->rules = (r->by_equity == r->level ? RA_MODELS_RULE_EQUITY : 0u) |
               (r->by_average == r->level ? RA_MODELS_RULE_AVERAGE : 0u) |
               (r->by_holding == r->level && r->holding[0] ? RA_MODELS_RULE_HOLDING : 0u);
}

const char *ra_models_rule_name(unsigned rule)
{
    return rule == RA_MODELS_RULE_EQUITY    ? "equity"
           : rule == RA_MODELS_RULE_AVERAGE ? "average"
           : rule == RA_MODELS_RULE_HOLDING ? "holding"
                                            : NULL;
}

ra_status ra_models_rate(ra_model *m, const char *const *asset_class, const int *risk_level,
                         ra_models_rating *out, ra_err *err)
{
    if (!m || !asset_class || !risk_level || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "rating a model needs its classes and levels");
    double w[RA_MODELS_MAX_HOLDINGS];
    const char *t[RA_MODELS_MAX_HOLDINGS];
    size_t n = m->n < RA_MODELS_MAX_HOLDINGS ? m->n : RA_MODELS_MAX_HOLDINGS;
    for (size_t i = 0; i < n; i++) {
        w[i] = m->w[i].weight;
        t[i] = m->w[i].ticker;
    }
    rate_arrays(n, w, asset_class, risk_level, t, NULL, out);
    m->rating = *out;
    m->level = out->level;
    m->equity_share = out->equity_share;
    return RA_OK;
}

void ra_models_rating_format(const ra_models_rating *r, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "%s:", ra_suit_level_name(r->level));
    const char *sep = " ";
    if ((r->rules & RA_MODELS_RULE_EQUITY) && k < cap) {
        k += (size_t)snprintf(buf + k, cap - k, "%sequity %.1f %% (the %s band)", sep,
                              100 * r->equity_share, ra_suit_level_name(r->by_equity));
        sep = "; ";
    }
    if ((r->rules & RA_MODELS_RULE_AVERAGE) && k < cap) {
        k += (size_t)snprintf(buf + k, cap - k,
                              "%sweighted average holding level %.2f (one level of credit)", sep,
                              r->average_level);
        sep = "; ";
    }
    if ((r->rules & RA_MODELS_RULE_HOLDING) && k < cap)
        snprintf(buf + k, cap - k, "%sholding %s %.1f %% is %s (one level of credit)", sep,
                 r->holding, 100 * r->holding_weight, ra_suit_level_name(r->holding_level));
}

/* ra_opt_solve, or ra_card_solve when the settings limit the holdings' number or size. */
static ra_status solve_one(ra_opt_problem *p, ra_opt_objective obj,
                           const ra_models_build_settings *s, void *work, size_t wsize,
                           ra_opt_result *r, ra_err *e2)
{
    if (s->max_assets == 0 && s->min_position <= 0.0)
        return ra_opt_solve(p, obj, work, wsize, r, e2);
    ra_card_settings cs;
    ra_card_settings_default(&cs);
    cs.max_assets = s->max_assets;
    cs.min_weight = s->min_position;
    ra_card_result cr = {.w = r->w};
    ra_status rc = ra_card_solve(p, obj, &cs, &cr, e2);
    r->expected_return = cr.expected_return;
    r->volatility = cr.volatility;
    r->sharpe = cr.sharpe;
    return rc;
}

/* One solve of the level's problem with the riskier holdings' group capped at riskier_max. */
static ra_status build_solve(ra_opt_problem *p, const ra_models_build_settings *s, void *work,
                             size_t wsize, ra_opt_result *r, const char **method, ra_err *e2)
{
    *method = "max-sharpe";
    ra_status rc = solve_one(p, RA_OPT_MAX_SHARPE, s, work, wsize, r, e2);
    if (rc == RA_EINFEASIBLE || rc == RA_ENOCONV) {
        /* no portfolio beats rf within the limits (or the limits conflict): minimum variance
         * says which */
        *method = "min-variance";
        rc = solve_one(p, RA_OPT_MIN_VARIANCE, s, work, wsize, r, e2);
    }
    return rc;
}

/* A security more than one level above the model's (or of unknown level). */
static int is_risky(int security_level, int model_level)
{
    return security_level < 1 || security_level > model_level + 1;
}

/* Tightenings of the riskier group before giving up: halving each time, then 0. */
#define BUILD_MAX_TIGHTEN 12

ra_status ra_models_build_one(size_t n, const char *const *tickers,
                              const char *const *asset_class, const double *mu,
                              const double *cov, int level, const ra_models_build_settings *s,
                              ra_model *out, ra_err *err)
{
    ra_models_build_settings def;
    if (!s) {
        ra_models_build_settings_default(&def);
        s = &def;
    }
    if (level < 1 || level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "level %d is not 1..5", level);
    if (n == 0 || n > RA_MODELS_MAX_HOLDINGS)
        return ra_err_set(err, RA_EINVAL, NULL, "the shelf has %zu securities (1..%d)", n,
                          RA_MODELS_MAX_HOLDINGS);
    if (!(s->max_weight > 0.0 && s->max_weight <= 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "maximum weight %g is not in (0, 1]",
                          s->max_weight);
    ra_status rc = RA_OK;
    size_t *members = ra_malloc(3 * n * sizeof *members);
    size_t *grp = ra_malloc(n * sizeof *grp);
    double *lo = ra_calloc(n, sizeof *lo), *hi = ra_malloc(n * sizeof *hi);
    double *w = ra_malloc(n * sizeof *w);
    size_t wsize = ra_opt_workspace_size(n, 3);
    void *work = ra_malloc(wsize);
    if (!members || !grp || !lo || !hi || !w || !work) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the model of %zu securities", n);
        goto out;
    }
    /* members: equity first, then real assets, then the securities more than one level above */
    size_t n_eq = 0, n_real = 0, n_risky = 0;
    for (size_t i = 0; i < n; i++)
        grp[i] = (size_t)ra_models_group_of(asset_class[i], NULL);
    for (size_t i = 0; i < n; i++)
        if (grp[i] == RA_MODELS_EQUITY)
            members[n_eq++] = i;
    for (size_t i = 0; i < n; i++)
        if (grp[i] == RA_MODELS_REAL)
            members[n_eq + n_real++] = i;
    size_t *risky = members + n_eq + n_real;
    double eq_min, eq_max;
    ra_models_equity_band(level, &eq_min, &eq_max);
    for (size_t i = 0; i < n; i++)
        hi[i] = s->max_weight;
    /* a group too small to reach its minimum under the cap: raise its members' cap */
    if (n_eq > 0 && (double)n_eq * s->max_weight < eq_min)
        for (size_t j = 0; j < n_eq; j++)
            hi[members[j]] = eq_min / (double)n_eq;
    if ((double)(n - n_eq) * s->max_weight < 1.0 - eq_max)
        for (size_t i = 0; i < n; i++)
            if (grp[i] != RA_MODELS_EQUITY && (double)(n - n_eq) > 0)
                hi[i] = fmin(1.0, (1.0 - eq_max) / (double)(n - n_eq) + 1e-12);
    if (s->risk_level)
        for (size_t i = 0; i < n; i++)
            if (is_risky(s->risk_level[i], level)) {
                risky[n_risky++] = i;
                size_t k = s->slots && s->slots[i] > 0 ? s->slots[i] : 1;
                hi[i] = fmin(hi[i], fmin(1.0, RA_MODELS_MATERIAL_WEIGHT * (double)k));
            }
    /* with the riskier securities capped, the others must be able to fill the rest */
    double eq_reach = 0.0, other_reach = 0.0;
    size_t n_other = 0;
    for (size_t i = 0; i < n; i++) {
        if (grp[i] == RA_MODELS_EQUITY)
            eq_reach += hi[i];
        else
            other_reach += hi[i];
        n_other += grp[i] != RA_MODELS_EQUITY && hi[i] > RA_MODELS_MATERIAL_WEIGHT;
    }
    double need = 1.0 - fmin(eq_max, eq_reach);
    if (other_reach < need && n_other > 0)
        for (size_t i = 0; i < n; i++)
            if (grp[i] != RA_MODELS_EQUITY && hi[i] > RA_MODELS_MATERIAL_WEIGHT)
                hi[i] = fmin(1.0, fmax(hi[i], hi[i] + (need - other_reach) / (double)n_other +
                                                  1e-12));
    if ((n_eq == 0 && eq_min > 0) || (n_eq == n && eq_max < 1.0)) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "level R%d needs equity between %.0f %% and %.0f %%, the shelf has %s",
                        level, 100 * eq_min, 100 * eq_max,
                        n_eq == 0 ? "no equity" : "only equity");
        goto out;
    }
    ra_opt_group groups[3] = {
        {"equity", members, n_eq, eq_min, eq_max},
        {"real_assets", members + n_eq, n_real, 0.0, REAL_ASSETS_MAX},
        {"above_level", risky, n_risky, 0.0, 1.0},
    };
    ra_opt_group used[3];
    size_t n_groups = 0;
    used[n_groups++] = groups[0];
    if (n_real > 0)
        used[n_groups++] = groups[1];
    ra_opt_problem p = {.n = n, .names = tickers, .mu = mu, .cov = cov, .lo = lo, .hi = hi,
                        .groups = used, .rf = s->rf};
    ra_opt_result r = {.w = w};
    const char *method = "max-sharpe";
    ra_err e2 = {0};
    ra_models_rating rating;
    double sum = 0.0;
    for (int t = 0; t <= BUILD_MAX_TIGHTEN; t++) {
        p.n_groups = n_groups + (t > 0 ? 1 : 0);
        rc = build_solve(&p, s, work, wsize, &r, &method, &e2);
        if (rc != RA_OK)
            break;
        sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            w[i] = w[i] < TOL_ZERO_WEIGHT || w[i] < s->min_weight_keep ? 0.0 : w[i];
            sum += w[i];
        }
        for (size_t i = 0; i < n; i++)
            w[i] /= sum;
        if (!s->risk_level)
            break;
        rate_arrays(n, w, asset_class, s->risk_level, tickers, s->slots, &rating);
        if (rating.level <= level)
            break;
        /* the holdings rate the model above its level: fewer riskier securities */
        double above = 0.0;
        for (size_t j = 0; j < n_risky; j++)
            above += w[risky[j]];
        used[n_groups] = groups[2];
        used[n_groups].max = t == BUILD_MAX_TIGHTEN - 1 ? 0.0 : above / 2;
        /* the others' caps rise as little as needed to stay fully invested */
        double reach = 0.0;
        size_t n_safe = n - n_risky;
        for (size_t i = 0; i < n; i++)
            if (!is_risky(s->risk_level[i], level))
                reach += hi[i];
        double deficit = 1.0 - used[n_groups].max - reach;
        for (size_t i = 0; i < n && deficit > 0 && n_safe > 0; i++)
            if (!is_risky(s->risk_level[i], level))
                hi[i] = fmin(1.0, hi[i] + deficit / (double)n_safe + 1e-12);
        if (t == BUILD_MAX_TIGHTEN) {
            rc = ra_err_set(&e2, RA_EINFEASIBLE, NULL,
                            "its holdings rate it %s (the shelf's risk levels)",
                            ra_suit_level_name(rating.level));
            break;
        }
    }
    if (rc != RA_OK) {
        if (err)
            *err = e2;
        ra_err_wrap(err, "could not build the model of level R%d", level);
        goto out;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->code, sizeof out->code, "R%d", level);
    out->target_level = level;
    out->built = 1;
    snprintf(out->method, sizeof out->method, "%s", method);
    double eq = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] == 0.0)
            continue;
        ra_model_weight *mw = &out->w[out->n++];
        snprintf(mw->ticker, sizeof mw->ticker, "%s", tickers[i]);
        mw->weight = w[i];
        if (grp[i] == RA_MODELS_EQUITY)
            eq += mw->weight;
    }
    /* recompute the statistics of the renormalised weights */
    double er = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++) {
        er += mu[i] * w[i];
        for (size_t j = 0; j < n; j++)
            var += w[i] * cov[i * n + j] * w[j];
    }
    out->expected_return = er;
    out->volatility = sqrt(fmax(var, 0.0));
    out->equity_share = eq;
    out->level = ra_models_level_of_equity(eq);
    if (s->risk_level) {
        rate_arrays(n, w, asset_class, s->risk_level, tickers, s->slots, &out->rating);
        out->level = out->rating.level;
    }
    rc = ra_models_validate(out, err);
out:
    RA_FREE_ALL(members, grp, lo, hi, w, work);
    return rc;
}

/* --- validation ------------------------------------------------------------------------------- */

static int cmp_weight(const void *a, const void *b)
{
    return strcmp(((const ra_model_weight *)a)->ticker, ((const ra_model_weight *)b)->ticker);
}

ra_status ra_models_validate(ra_model *m, ra_err *err)
{
    if (m->code[0] == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the model has no code");
    if (m->n == 0)
        return ra_err_set(err, RA_EINVAL, m->code, "model %s has no holdings", m->code);
    if (m->n > RA_MODELS_MAX_HOLDINGS)
        return ra_err_set(err, RA_EINVAL, m->code, "model %s has %zu holdings (at most %d)",
                          m->code, m->n, RA_MODELS_MAX_HOLDINGS);
    double sum = 0.0;
    for (size_t i = 0; i < m->n; i++) {
        double x = m->w[i].weight;
        if (m->w[i].ticker[0] == 0)
            return ra_err_set(err, RA_EINVAL, m->code, "model %s: holding %zu has no ticker",
                              m->code, i + 1);
        if (!isfinite(x) || x < 0.0 || x > 1.0)
            return ra_err_set(err, RA_EINVAL, m->code, "model %s: weight %g of %s is not in [0, 1]",
                              m->code, x, m->w[i].ticker);
        sum += x;
    }
    if (fabs(sum - 1.0) > RA_TOL_WEIGHT_SUM)
        return ra_err_set(err, RA_EINVAL, m->code,
                          "model %s: weights sum to %.12g, not 1 (tolerance %g)", m->code, sum,
                          RA_TOL_WEIGHT_SUM);
    qsort(m->w, m->n, sizeof m->w[0], cmp_weight);
    for (size_t i = 1; i < m->n; i++)
        if (strcmp(m->w[i].ticker, m->w[i - 1].ticker) == 0)
            return ra_err_set(err, RA_EINVAL, m->code, "model %s holds %s twice", m->code,
                              m->w[i].ticker);
    return RA_OK;
}

/* The same tickers in the same order with weights within RA_MODELS_TOL_SAME. */
static int same_holdings(const ra_model_weight *a, size_t na, const ra_model_weight *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].ticker, b[i].ticker) != 0 ||
            fabs(a[i].weight - b[i].weight) > RA_MODELS_TOL_SAME)
            return 0;
    return 1;
}

int ra_models_same_weights(const ra_model *a, const ra_model *b)
{
    return same_holdings(a->w, a->n, b->w, b->n);
}

/* The words src/engine/models_bl.c writes for the class stage's returns: equilibrium returns
 * (ra_bl_implied) and their Black-Litterman posterior are excess returns (docs/methodology.md
 * #equilibrium-returns-and-blacklitterman); historical and EWMA means are total returns. */
int ra_models_returns_excess(const ra_model *m)
{
    static const char *const excess[] = {"two-stage equilibrium", "two-stage black-litterman"};
    for (size_t i = 0; i < sizeof excess / sizeof excess[0]; i++) {
        size_t n = strlen(excess[i]);
        if (strncmp(m->method, excess[i], n) == 0 && (m->method[n] == ' ' || !m->method[n]))
            return 1;
    }
    return 0;
}

/* --- personalised targets --------------------------------------------------------------------- */

static long uindex(const ra_models_universe *u, const char *ticker)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->tickers[i], ticker) == 0)
            return (long)i;
    return -1;
}

/* Is ticker or class one of the ';'-separated tokens (trimmed, case-insensitive)? */
static int restricted(const char *list, const char *ticker, const char *cls)
{
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        while (*p == ';' || isspace((unsigned char)*p))
            p++;
        const char *q = p;
        while (*q && *q != ';')
            q++;
        const char *e = q;
        while (e > p && isspace((unsigned char)e[-1]))
            e--;
        size_t k = (size_t)(e - p);
        if (k > 0 && ((strlen(ticker) == k && strncasecmp(ticker, p, k) == 0) ||
                      (strlen(cls) == k && strncasecmp(cls, p, k) == 0)))
            return 1;
        p = q;
    }
    return 0;
}

static int is_held(const ra_models_target_opts *o, const char *t)
{
    for (size_t i = 0; i < o->n_held; i++)
        if (strcmp(o->held[i], t) == 0)
            return 1;
    return 0;
}

/* Works on a dense vector over the universe plus a cash slot (index u->n). */
static void target_from_dense(const ra_models_universe *u, const double *x, int variant,
                              ra_models_target *out)
{
    out->n = 0;
    out->variant = variant;
    if (x[u->n] > 0.0) {
        out->w[0].ticker[0] = 0;
        out->w[0].weight = x[u->n];
        out->n = 1;
    }
    for (size_t i = 0; i < u->n && out->n <= RA_MODELS_MAX_HOLDINGS; i++)
        if (x[i] > 0.0) {
            snprintf(out->w[out->n].ticker, sizeof out->w[0].ticker, "%s", u->tickers[i]);
            out->w[out->n++].weight = x[i];
        }
    qsort(out->w, out->n, sizeof out->w[0], cmp_weight);
}

/* Holdings (w: n, ticker "" the cash reserve) as a dense vector over u plus cash (u->n + 1). */
static ra_status dense_of(const ra_model_weight *w, size_t n, const char *owner,
                          const ra_models_universe *u, double *x, ra_err *err)
{
    memset(x, 0, (u->n + 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        if (w[i].ticker[0] == 0) {
            x[u->n] += w[i].weight;
            continue;
        }
        long k = uindex(u, w[i].ticker);
        if (k < 0)
            return ra_err_set(err, RA_ENOTFOUND, w[i].ticker,
                              "%s holds %s, which is not among the securities", owner,
                              w[i].ticker);
        x[k] += w[i].weight;
    }
    return RA_OK;
}

static ra_status dense_of_model(const ra_model *m, const ra_models_universe *u, double *x,
                                ra_err *err)
{
    char owner[RA_CODE_MAX + 8];
    snprintf(owner, sizeof owner, "model %s", m->code);
    return dense_of(m->w, m->n, owner, u, x, err);
}

static ra_status dense_of_target(const ra_models_target *t, const ra_models_universe *u,
                                 double *x, ra_err *err)
{
    return dense_of(t->w, t->n, "the target", u, x, err);
}

/* Moves share f of the weight of group `from` to group `to`, pro rata within each. */
static void tilt(const ra_models_universe *u, double *x, ra_models_group from, ra_models_group to,
                 double f)
{
    double sf = 0.0, st = 0.0;
    for (size_t i = 0; i < u->n; i++) {
        ra_models_group g = ra_models_group_of(u->asset_class[i], NULL);
        if (g == from)
            sf += x[i];
        else if (g == to)
            st += x[i];
    }
    double d = fmin(f, sf);
    if (d <= 0.0 || st <= 0.0)
        return;
    for (size_t i = 0; i < u->n; i++) {
        ra_models_group g = ra_models_group_of(u->asset_class[i], NULL);
        if (g == from)
            x[i] -= d * x[i] / sf;
        else if (g == to)
            x[i] += d * x[i] / st;
    }
}

ra_status ra_models_account_target(const ra_model *m, const ra_models_universe *u,
                                   const ra_models_target_opts *o, ra_models_target *out,
                                   ra_err *err)
{
    if (!(o->cash_reserve >= 0.0 && o->cash_reserve < 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "cash reserve %g is not in [0, 1)",
                          o->cash_reserve);
    double *x = calloc(u->n + 1, sizeof *x);
    if (!x)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a target of %zu securities",
                          u->n);
    ra_status rc = dense_of_model(m, u, x, err);
    if (rc != RA_OK)
        goto out;
    /* 1. held TLH substitutes replace the model's security */
    for (size_t i = 0; i < u->n; i++) {
        if (x[i] <= 0.0 || !u->tlh_group || !u->tlh_group[i][0] || is_held(o, u->tickers[i]))
            continue;
        for (size_t j = 0; j < u->n; j++)
            if (j != i && strcmp(u->tlh_group[j], u->tlh_group[i]) == 0 &&
                is_held(o, u->tickers[j]) &&
                !restricted(o->restrictions, u->tickers[j], u->asset_class[j])) {
                x[j] += x[i];
                x[i] = 0.0;
                break;
            }
    }
    /* 2. restrictions: within the asset class, else a TLH substitute, else pro rata */
    double loose = 0.0;
    for (size_t i = 0; i < u->n; i++) {
        if (x[i] <= 0.0 || !restricted(o->restrictions, u->tickers[i], u->asset_class[i]))
            continue;
        double wi = x[i], same = 0.0;
        x[i] = 0.0;
        for (size_t j = 0; j < u->n; j++)
            if (x[j] > 0.0 && strcmp(u->asset_class[j], u->asset_class[i]) == 0 &&
                !restricted(o->restrictions, u->tickers[j], u->asset_class[j]))
                same += x[j];
        if (same > 0.0) {
            for (size_t j = 0; j < u->n; j++)
                if (x[j] > 0.0 && strcmp(u->asset_class[j], u->asset_class[i]) == 0 &&
                    !restricted(o->restrictions, u->tickers[j], u->asset_class[j]))
                    x[j] += wi * x[j] / same;
            continue;
        }
        long sub = -1;
        if (u->tlh_group && u->tlh_group[i][0])
            for (size_t j = 0; j < u->n && sub < 0; j++)
                if (j != i && strcmp(u->tlh_group[j], u->tlh_group[i]) == 0 &&
                    !restricted(o->restrictions, u->tickers[j], u->asset_class[j]))
                    sub = (long)j;
        if (sub >= 0)
            x[sub] += wi;
        else
            loose += wi;
    }
    if (loose > 0.0) {
        double rest = x[u->n];
        for (size_t j = 0; j < u->n; j++)
            rest += x[j];
        if (rest <= 0.0) {
            rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                            "the restrictions \"%s\" exclude every holding of model %s",
                            o->restrictions ? o->restrictions : "", m->code);
            goto out;
        }
        for (size_t j = 0; j <= u->n; j++)
            x[j] += loose * x[j] / rest;
    }
    /* 3. tax type: bonds to the tax-deferred account, equity to the taxable one, within the
     * model's own equity band */
    if (o->household_has_both) {
        double eq = 0.0, lo_b, hi_b;
        for (size_t i = 0; i < u->n; i++)
            if (ra_models_group_of(u->asset_class[i], NULL) == RA_MODELS_EQUITY)
                eq += x[i];
        ra_models_equity_band(m->level > 0 ? m->level : 5, &lo_b, &hi_b);
        if (o->type == RA_ACCOUNT_TAX_DEFERRED)
            tilt(u, x, RA_MODELS_EQUITY, RA_MODELS_BONDS, fmin(TAX_TILT, fmax(0.0, eq - lo_b)));
        else if (o->type == RA_ACCOUNT_TAXABLE)
            tilt(u, x, RA_MODELS_BONDS, RA_MODELS_EQUITY, fmin(TAX_TILT, fmax(0.0, hi_b - eq)));
    }
    /* 4. cash reserve */
    for (size_t j = 0; j <= u->n; j++)
        x[j] *= 1.0 - o->cash_reserve;
    x[u->n] += o->cash_reserve;
    target_from_dense(u, x, 0, out);
    out->te_ann = NAN;
    out->l1 = NAN;
    rc = ra_models_drift(m, u, out, &out->te_ann, &out->l1, err);
out:
    free(x);
    return rc;
}

static double te_of(const ra_models_universe *u, const double *d)
{
    double v = 0.0;
    for (size_t i = 0; i < u->n; i++) {
        if (d[i] == 0.0)
            continue;
        for (size_t j = 0; j < u->n; j++)
            v += d[i] * u->cov[i * u->n + j] * d[j];
    }
    return sqrt(fmax(v, 0.0));
}

ra_status ra_models_drift(const ra_model *m, const ra_models_universe *u,
                          const ra_models_target *t, double *te_ann, double *l1, ra_err *err)
{
    double *a = calloc(2 * (u->n + 1), sizeof *a);
    if (!a)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu weights", u->n);
    double *b = a + u->n + 1;
    ra_status rc = dense_of_model(m, u, a, err);
    if (rc == RA_OK)
        rc = dense_of_target(t, u, b, err);
    if (rc == RA_OK) {
        double s = 0.0;
        for (size_t i = 0; i <= u->n; i++) {
            b[i] -= a[i];
            s += fabs(b[i]);
        }
        *l1 = s;
        *te_ann = u->cov ? te_of(u, b) : NAN;
    }
    free(a);
    return rc;
}

/* --- anti-crowding ---------------------------------------------------------------------------- */

int ra_models_same_target(const ra_models_target *a, const ra_models_target *b)
{
    return same_holdings(a->w, a->n, b->w, b->n);
}

/* The k-th move of base (dense, n+1) in the order ra_models_crowd_move documents, with the tilts
 * at the fractions f[0..nf) of the budget. 1: *mv set; 2: skip (too small to be distinct);
 * 0: the candidates are exhausted. */
static int crowd_move(const ra_models_universe *u, const double *base, size_t k, double budget,
                      const double *f, size_t nf, ra_models_move *mv)
{
    size_t n = u->n, c = 0;
    if (u->tlh_group)
        for (size_t i = 0; i < n; i++) {
            if (base[i] <= 0.0 || !u->tlh_group[i][0])
                continue;
            for (size_t j = 0; j < n; j++) {
                if (j == i || base[j] > 0.0 || strcmp(u->tlh_group[j], u->tlh_group[i]) != 0)
                    continue;
                if (c++ == k) {
                    *mv = (ra_models_move){i, j, base[i]};
                    return 1;
                }
            }
        }
    /* the number of pairwise tilts of one fraction: held (i, j) pairs */
    size_t held = 0;
    for (size_t i = 0; i < n; i++)
        held += base[i] > 0.0;
    size_t pairs = held * (held - (held > 0));
    if (pairs == 0 || k - c >= pairs * nf)
        return 0;
    size_t q = (k - c) / pairs, p = (k - c) % pairs, seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (base[i] <= 0.0)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || base[j] <= 0.0 || seen++ != p)
                continue;
            /* moving delta from i to j has tracking error delta * sqrt(s_ii + s_jj - 2 s_ij)
             * against base: delta uses the given fraction of the budget */
            double s2 = u->cov[i * n + i] + u->cov[j * n + j] - 2.0 * u->cov[i * n + j];
            double delta = s2 > 0.0 && isfinite(s2) ? budget * f[q] / sqrt(s2) : 0.0;
            delta = fmin(delta, 0.5 * base[i]);
            if (delta <= RA_MODELS_TOL_SAME * 10)
                return 2;
            *mv = (ra_models_move){i, j, delta};
            return 1;
        }
    }
    return 0;
}

/* The k-th candidate perturbation of base (dense, n+1) for onboarding: TLH swaps first, then
 * pairwise tilts of shrinking size. Returns 0 when the candidates are exhausted, 2 to skip. */
static int candidate(const ra_models_universe *u, const double *base,
                     size_t k, double budget, double *x)
{
    ra_models_move mv;
    int r = crowd_move(u, base, k, budget, tilt_fraction,
                       sizeof tilt_fraction / sizeof tilt_fraction[0], &mv);
    if (r == 1) {
        memcpy(x, base, (u->n + 1) * sizeof *x);
        x[mv.from] -= mv.delta;
        x[mv.to] += mv.delta;
    }
    return r;
}

/* The daily cycle's finer grid: fractions 63/64 .. 1/64 of the budget. */
#define CROWD_GRID 64

int ra_models_crowd_move(const ra_models_universe *u, const double *base, size_t k,
                         double te_budget, ra_models_move *mv)
{
    double f[CROWD_GRID - 1];
    for (size_t q = 0; q < CROWD_GRID - 1; q++)
        f[q] = (double)(CROWD_GRID - 1 - q) / CROWD_GRID;
    if (!u->cov || !(te_budget > 0.0) || !isfinite(te_budget))
        return 0;
    return crowd_move(u, base, k, te_budget, f, CROWD_GRID - 1, mv);
}

ra_status ra_models_decrowd(const ra_model *m, const ra_models_universe *u, ra_models_target *t,
                            size_t n, size_t max_identical, double te_budget, ra_err *err)
{
    if (max_identical == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "at most 0 identical targets is not possible");
    if (!u->cov)
        return ra_err_set(err, RA_EINVAL, NULL, "anti-crowding needs the covariance matrix");
    if (!(te_budget > 0.0) || !isfinite(te_budget))
        return ra_err_set(err, RA_EINVAL, NULL, "tracking-error budget %g is not positive",
                          te_budget);
    size_t nu = u->n + 1;
    double *model = malloc(nu * sizeof *model), *base = malloc(nu * sizeof *base),
           *x = malloc(nu * sizeof *x), *d = malloc(nu * sizeof *d);
    size_t *count = calloc(n ? n : 1, sizeof *count);
    ra_models_target *cand = malloc(sizeof *cand);
    ra_status rc = RA_OK;
    if (!model || !base || !x || !d || !count || !cand) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate anti-crowding scratch");
        goto out;
    }
    rc = dense_of_model(m, u, model, err);
    if (rc != RA_OK)
        goto out;
    for (size_t a = 0; a < n; a++) {
        /* how many earlier accounts hold this exact target? */
        size_t same = 0;
        for (size_t b = 0; b < a; b++)
            if (ra_models_same_target(&t[a], &t[b]))
                same++;
        if (same < max_identical)
            continue;
        rc = dense_of_target(&t[a], u, base, err);
        if (rc != RA_OK)
            goto out;
        int found = 0;
        for (size_t k = 0;; k++) {
            int r = candidate(u, base, k, te_budget, x);
            if (r == 0)
                break;
            if (r == 2)
                continue;
            /* the variant's own drift from the account's target is what the budget bounds */
            for (size_t i = 0; i < nu; i++)
                d[i] = x[i] - base[i];
            if (te_of(u, d) > te_budget * (1.0 + 1e-9))
                continue;
            for (size_t i = 0; i < nu; i++)
                d[i] = x[i] - model[i];
            double te = te_of(u, d);
            target_from_dense(u, x, (int)(k + 1), cand);
            size_t dup = 0;
            for (size_t b = 0; b < n; b++)
                if (b != a && ra_models_same_target(cand, &t[b]))
                    dup++;
            if (dup >= max_identical)
                continue;
            double l1 = 0.0;
            for (size_t i = 0; i < nu; i++)
                l1 += fabs(d[i]);
            cand->te_ann = te;
            cand->l1 = l1;
            t[a] = *cand;
            found = 1;
            break;
        }
        if (!found) {
            rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                            "account %zu: no variant of model %s within the tracking-error budget "
                            "%g is left (raise --max-identical or --te-budget)",
                            a + 1, m->code, te_budget);
            goto out;
        }
    }
out:
    free(model);
    free(base);
    free(x);
    free(d);
    free(count);
    free(cand);
    return rc;
}
