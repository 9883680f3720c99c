/* The CVaR objective of a two-stage model's class stage (engine_models.h, models_int.h;
 * docs/methodology.md#the-cvar-objective): the scenarios are the historical daily returns of each
 * class's representative fund over the build's window; the class weights of least CVaR at the
 * level's mean-variance return (or of the highest return under a CVaR limit) come from
 * ra_models_cvar_solve; stage 2 fills them as for the mean-variance model. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/cvar.h>

#include "engine/models_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The representative fund of class c at the level: the fund stage 2 fills the class with (its
 * first fund the level may hold without limit, else its first by preference); its column in sh,
 * or -1 when the class has no fund on the shelf. */
static long rep_column(const ra_models_class_inputs *ci, const ra_models_shelf *sh, size_t c,
                       int level)
{
    if (ci->n_funds[c] == 0)
        return -1;
    long f = models_first_plain_fund(ci, c, level);
    const char *t = ci->fund[c][f >= 0 ? f : 0];
    for (size_t i = 0; i < sh->n; i++)
        if (strcmp(sh->ticker[i], t) == 0)
            return (long)i;
    return -1;
}

/* The scenarios: n_obs x ci->n returns of the classes' representative funds (0 for a class
 * without one: it is never held). ra_malloc'd. */
static double *scenarios(const ra_models_class_inputs *ci, const ra_models_shelf *sh, int level)
{
    size_t m = ci->n, T = sh->n_obs;
    double *x = ra_calloc(T * m + 1, sizeof *x);
    if (!x)
        return NULL;
    for (size_t c = 0; c < m; c++) {
        long j = rep_column(ci, sh, c, level);
        for (size_t t = 0; j >= 0 && t < T; t++)
            x[t * m + c] = sh->ret[t * sh->n + (size_t)j];
    }
    return x;
}

/* m's CVaR and VaR at o->cvar_beta: its class weights over the scenarios x. */
static ra_status figures(const ra_models_class_inputs *ci, const ra_models_shelf *sh,
                         const ra_models_build_opts *o, ra_model *m, const double *x, ra_err *err)
{
    size_t T = sh->n_obs;
    double w[RA_MODELS_MAX_CLASSES] = {0};
    double *loss = ra_malloc((T + 1) * sizeof *loss);
    if (!loss)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu losses", T);
    for (size_t c = 0; c < ci->n && c < m->n_classes; c++)
        w[c] = m->classes[c].weight;
    m->cvar_beta = o->cvar_beta;
    m->cvar = ra_cvar_eval(x, T, ci->n, w, o->cvar_beta, loss, &m->var);
    ra_free(loss);
    return RA_OK;
}

ra_status models_cvar_figures(const ra_models_class_inputs *ci, const ra_models_shelf *sh,
                              const ra_models_build_opts *o, int level, ra_model *m, ra_err *err)
{
    double *x = scenarios(ci, sh, level);
    if (!x)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the scenarios");
    ra_status rc = figures(ci, sh, o, m, x, err);
    ra_free(x);
    return rc;
}

/* m's classes take the weights w (ci order); stage 2 fills them again; the return, volatility
 * and method follow. */
static ra_status refill(const ra_models_class_inputs *ci, const ra_models_build_opts *o,
                        int level, const double *w, ra_model *m, ra_err *err)
{
    size_t k = ci->n;
    m->n = 0;
    for (size_t c = 0; c < k; c++) {
        ra_model_class *x = &m->classes[c];
        x->weight = w[c];
        x->fund[0] = 0;
        if (w[c] > 0)
            models_fill_class(ci, c, level, w[c], m, x->fund, sizeof x->fund);
        else if (ci->n_funds[c])
            snprintf(x->fund, sizeof x->fund, "%s", ci->fund[c][0]);
    }
    models_class_stats(ci, w, m);
    size_t len = strlen(m->method);
    snprintf(m->method + len, sizeof m->method - len, " %s",
             o->objective == RA_MODELS_OBJ_CVAR ? "min-cvar" : "cvar-limit");
    return ra_models_validate(m, err);
}

ra_status models_cvar_level(const ra_models_class_inputs *ci, const ra_models_shelf *sh,
                            const ra_models_build_opts *o, int level, ra_model *m, ra_err *err)
{
    if (!(o->cvar_beta > 0 && o->cvar_beta < 1))
        return ra_err_set(err, RA_EINVAL, "cvar_beta", "the cvar confidence %g is not in (0, 1)",
                          o->cvar_beta);
    double *x = scenarios(ci, sh, level);
    if (!x)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the scenarios");
    m->objective = RA_MODELS_OBJ_MEAN_VARIANCE;
    m->mv_return = m->mv_cvar = NAN;
    ra_status rc = figures(ci, sh, o, m, x, err);
    if (rc != RA_OK || o->objective == RA_MODELS_OBJ_MEAN_VARIANCE) {
        ra_free(x);
        return rc;
    }
    size_t k = ci->n, idx[RA_MODELS_MAX_CLASSES], kk = 0;
    const char *cls[RA_MODELS_MAX_CLASSES];
    int lvl[RA_MODELS_MAX_CLASSES];
    size_t slots[RA_MODELS_MAX_CLASSES];
    double mu[RA_MODELS_MAX_CLASSES], keep[RA_MODELS_MAX_CLASSES], w[RA_MODELS_MAX_CLASSES];
    /* the classes that may be held: those with a fund; with a cardinality limit, only those the
     * mean-variance model holds (so that the limit still holds) */
    for (size_t c = 0; c < k; c++)
        if (ci->n_funds[c] && (!o->max_funds || m->classes[c].weight > 0))
            idx[kk++] = c;
    double *xs = ra_malloc((sh->n_obs * kk + 1) * sizeof *xs);
    if (!xs) {
        ra_free(x);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the scenarios");
    }
    for (size_t j = 0; j < kk; j++) {
        size_t c = idx[j];
        cls[j] = ci->cls[c];
        models_class_stage1(ci, c, level, &lvl[j], &slots[j]);
        mu[j] = ci->mu[c];
        keep[j] = m->classes[c].weight;
        for (size_t t = 0; t < sh->n_obs; t++)
            xs[t * kk + j] = x[t * k + c];
    }
    ra_models_cvar_classes p = {.k = kk, .cls = cls, .risk_level = lvl, .slots = slots, .mu = mu,
                                .T = sh->n_obs, .scen = xs, .beta = o->cvar_beta, .level = level,
                                .min_class = fmax(o->min_class, o->min_position)};
    if (o->objective == RA_MODELS_OBJ_CVAR) {
        /* the mean-variance model's return, less a rounding margin so that it stays feasible */
        p.has_target = 1;
        p.target = m->expected_return - 1e-12 * fmax(1.0, fabs(m->expected_return));
        p.keep = keep;
    } else {
        p.limit = o->cvar_limit[level - 1];
        if (!(p.limit > 0))
            rc = ra_err_set(err, RA_EINVAL, "cvar_limit", "no cvar limit for level R%d", level);
    }
    double got[RA_MODELS_MAX_CLASSES];
    if (rc == RA_OK)
        rc = ra_models_cvar_solve(&p, got, NULL, NULL, err);
    if (rc == RA_OK) {
        for (size_t c = 0; c < k; c++)
            w[c] = 0;
        for (size_t j = 0; j < kk; j++)
            w[idx[j]] = got[j];
        m->mv_return = m->expected_return;
        m->mv_cvar = m->cvar;
        m->objective = o->objective;
        m->cvar_limit = o->objective == RA_MODELS_OBJ_CVAR_LIMIT ? p.limit : 0;
        rc = refill(ci, o, level, w, m, err);
    }
    if (rc == RA_OK)
        rc = figures(ci, sh, o, m, x, err);
    RA_FREE_ALL(x, xs);
    return rc;
}
