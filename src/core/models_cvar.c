/* Minimum-CVaR class weights of a two-stage model (include/roboadvisor/models.h,
 * ra_models_cvar_solve; docs/methodology.md#the-cvar-objective): the Rockafellar-Uryasev LP of
 * src/core/cvar.c over the classes, with the limits ra_models_build_one puts on a level's
 * model (equity band, real assets, the riskier classes' caps, the rating's average rule) and the
 * two-stage build's minimum class weight. */
#include "roboadvisor/alloc.h"
#include "roboadvisor/cvar.h"
#include "roboadvisor/models.h"

#include <math.h>
#include <string.h>

/* A weight below this is solver noise: dropped, the rest renormalised. */
#define CVAR_TOL_ZERO 1e-10

const char *ra_models_objective_name(int obj)
{
    switch (obj) {
    case RA_MODELS_OBJ_MEAN_VARIANCE: return "mean-variance";
    case RA_MODELS_OBJ_CVAR: return "cvar";
    case RA_MODELS_OBJ_CVAR_LIMIT: return "cvar-limit";
    default: return "?";
    }
}

static int class_level(int l) { return l >= 1 && l <= 5 ? l : 5; }

/* Riskier than the level by more than one (or unknown): capped (docs/methodology.md#rating-a-model). */
static int class_risky(const ra_models_cvar_classes *p, size_t a)
{
    return class_level(p->risk_level[a]) > p->level + 1 || p->risk_level[a] < 1;
}

/* One LP over the active classes idx (k'): weights into w (p->k, zero outside idx). */
static ra_status solve_active(const ra_models_cvar_classes *p, const size_t *idx, size_t kk,
                              const double *lo_all, double *scen, double *w, ra_err *err)
{
    const char *names[RA_MODELS_MAX_CLASSES];
    double mu[RA_MODELS_MAX_CLASSES], lo[RA_MODELS_MAX_CLASSES], hi[RA_MODELS_MAX_CLASSES],
        x[RA_MODELS_MAX_CLASSES], lvl[RA_MODELS_MAX_CLASSES];
    size_t eq[RA_MODELS_MAX_CLASSES], real[RA_MODELS_MAX_CLASSES];
    size_t n_eq = 0, n_real = 0;
    for (size_t j = 0; j < kk; j++) {
        size_t a = idx[j];
        names[j] = p->cls[a];
        mu[j] = p->mu[a];
        lo[j] = lo_all[a];
        hi[j] = 1.0;
        lvl[j] = class_level(p->risk_level[a]);
        ra_models_group g = ra_models_group_of(p->cls[a], NULL);
        if (g == RA_MODELS_EQUITY)
            eq[n_eq++] = j;
        else if (g == RA_MODELS_REAL)
            real[n_real++] = j;
        if (class_risky(p, a)) {
            size_t s = p->slots && p->slots[a] > 0 ? p->slots[a] : 1;
            hi[j] = fmin(1.0, RA_MODELS_MATERIAL_WEIGHT * (double)s);
        }
        for (size_t t = 0; t < p->T; t++)
            scen[t * kk + j] = p->scen[t * p->k + a];
    }
    double eq_min, eq_max;
    ra_models_equity_band(p->level, &eq_min, &eq_max);
    ra_opt_group groups[2];
    size_t ng = 0;
    groups[ng++] = (ra_opt_group){"equity", eq, n_eq, eq_min, eq_max};
    if (n_real)
        groups[ng++] = (ra_opt_group){"real_assets", real, n_real, 0.0, RA_MODELS_REAL_ASSETS_MAX};
    ra_opt_problem o = {.n = kk, .names = names, .mu = mu, .lo = lo, .hi = hi, .groups = groups,
                        .n_groups = ng, .target = p->target};
    /* the rating's average rule, ceil(sum w level) - 1 <= level, as the row sum w level <= level
     * + 1: exact, where ra_models_build_one tightens the riskier securities step by step */
    ra_cvar_problem cp = {.opt = &o, .T = p->T, .scen = scen, .beta = p->beta,
                          .has_target = p->has_target, .limit = p->limit, .row = lvl,
                          .row_max = p->level + 1.0};
    ra_cvar_result r = {.w = x};
    ra_status rc = ra_cvar_solve(&cp, p->has_target ? RA_CVAR_MIN : RA_CVAR_MAX_RETURN, &r, err);
    if (rc != RA_OK)
        return rc;
    double sum = 0;
    for (size_t j = 0; j < kk; j++) {
        x[j] = x[j] < CVAR_TOL_ZERO ? 0.0 : x[j];
        sum += x[j];
    }
    for (size_t a = 0; a < p->k; a++)
        w[a] = 0;
    for (size_t j = 0; j < kk; j++)
        w[idx[j]] = x[j] / sum;
    return RA_OK;
}

ra_status ra_models_cvar_solve(const ra_models_cvar_classes *p, double *w, double *cvar,
                               double *var, ra_err *err)
{
    if (!p || !w || !p->cls || !p->risk_level || !p->mu || !p->scen || p->k == 0 ||
        p->k > RA_MODELS_MAX_CLASSES || p->T == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the cvar class problem needs 1..%d classes and "
                                                "scenarios", RA_MODELS_MAX_CLASSES);
    if (p->level < 1 || p->level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "level %d is not 1..5", p->level);
    if (!p->has_target && !(p->limit > 0))
        return ra_err_set(err, RA_EINVAL, NULL, "give a target return or a cvar limit");
    if (!(p->min_class >= 0 && p->min_class < 1))
        return ra_err_set(err, RA_EINVAL, NULL, "minimum class weight %g is not in [0, 1)",
                          p->min_class);
    double *scen = ra_malloc(p->T * p->k * sizeof *scen);
    double *loss = ra_malloc(p->T * sizeof *loss);
    if (!scen || !loss) {
        RA_FREE_ALL(scen, loss);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu scenarios", p->T);
    }
    int active[RA_MODELS_MAX_CLASSES];
    double lo[RA_MODELS_MAX_CLASSES] = {0};
    for (size_t a = 0; a < p->k; a++)
        active[a] = 1;
    ra_status rc = RA_OK;
    for (size_t round = 0;; round++) {
        size_t idx[RA_MODELS_MAX_CLASSES], kk = 0;
        for (size_t a = 0; a < p->k; a++)
            if (active[a])
                idx[kk++] = a;
        if (kk == 0 || round > 2 * p->k) {
            rc = ra_err_set(err, RA_EINFEASIBLE, NULL, "level R%d: no class is left", p->level);
            break;
        }
        if ((rc = solve_active(p, idx, kk, lo, scen, w, err)) != RA_OK) {
            ra_err_wrap(err, "level R%d", p->level);
            break;
        }
        /* the smallest class held below the minimum: raised if the kept portfolio holds it,
         * else dropped */
        long small = -1;
        for (size_t a = 0; a < p->k; a++)
            if (w[a] > 0 && w[a] < p->min_class - 1e-12 && lo[a] == 0 &&
                (small < 0 || w[a] < w[small]))
                small = (long)a;
        if (small < 0)
            break;
        if (p->keep && p->keep[small] > 0)
            lo[small] = fmin(p->min_class, p->keep[small]);
        else
            active[small] = 0;
    }
    if (rc == RA_OK) {
        double v = NAN;
        double c = ra_cvar_eval(p->scen, p->T, p->k, w, p->beta, loss, &v);
        if (cvar)
            *cvar = c;
        if (var)
            *var = v;
    }
    RA_FREE_ALL(scen, loss);
    return rc;
}
