/* roboadvisor: the client's own objectives in the mandate (include/roboadvisor/objective.h,
 * docs/methodology.md#client-objectives). Pure: the caller gives the personalised target, the
 * covariance, the current weights and the scenarios. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/cvar.h>
#include <roboadvisor/objective.h>
#include <roboadvisor/opt.h>

#include "opt_int.h"

#include <math.h>
#include <string.h>

/* Bisection steps on log r for a CVaR limit: the ceiling/floor ratio is at most 4000, so 40
 * halvings leave a factor of 1 + 2e-10 between the feasible and the infeasible end. */
#define OBJ_CVAR_STEPS 40

int ra_client_objective_active(const ra_client_objective *o)
{
    return o && ((o->risk_aversion != 0.0 && o->risk_aversion != 1.0) ||
                 o->turnover_penalty > 0.0 || o->cvar_limit > 0.0);
}

ra_status ra_client_objective_check(const ra_client_objective *o, ra_err *err)
{
    double r = o->risk_aversion;
    if (!(r == 0.0 || (r >= RA_OBJ_RISK_AVERSION_MIN && r <= RA_OBJ_RISK_AVERSION_MAX)))
        return ra_err_set(err, RA_EINVAL, "risk_aversion", "risk_aversion %g is outside [%g, %g] "
                          "(a multiple of the model's; 0 or 1: the model's own)", r,
                          RA_OBJ_RISK_AVERSION_MIN, RA_OBJ_RISK_AVERSION_MAX);
    if (!(o->te_penalty >= 0.0 && o->te_penalty <= RA_OBJ_TE_PENALTY_MAX))
        return ra_err_set(err, RA_EINVAL, "te_penalty", "te_penalty %g is outside [0, %g]",
                          o->te_penalty, RA_OBJ_TE_PENALTY_MAX);
    if (!(o->turnover_penalty >= 0.0 && o->turnover_penalty <= RA_OBJ_TURNOVER_PENALTY_MAX))
        return ra_err_set(err, RA_EINVAL, "turnover_penalty", "turnover_penalty %g is outside "
                          "[0, %g] (annual return per unit of weight traded)",
                          o->turnover_penalty, RA_OBJ_TURNOVER_PENALTY_MAX);
    if (!(o->cvar_limit >= 0.0 && o->cvar_limit <= RA_OBJ_CVAR_LIMIT_MAX))
        return ra_err_set(err, RA_EINVAL, "cvar_limit", "cvar_limit %g is outside [0, %g] (one "
                          "day's 95 %% CVaR as a fraction; 0: none)", o->cvar_limit,
                          RA_OBJ_CVAR_LIMIT_MAX);
    return RA_OK;
}

typedef struct obj_ctx {
    size_t n;
    double B, delta, lambda;
    const double *cov;
    ra_opt_problem p;
    double *mu, *w0, *v, *loss;
    void *work;
    size_t work_size;
    const double *scen;
    size_t T;
} obj_ctx;

/* The target at risk-aversion multiple r into w (n). */
static ra_status solve_at(obj_ctx *c, double r, double *w, ra_err *err)
{
    c->p.risk_aversion = c->delta * (r + c->lambda) * c->B;
    ra_opt_result res;
    memset(&res, 0, sizeof res);
    res.w = c->v;
    ra_status rc = ra_opt_solve(&c->p, RA_OPT_UTILITY, c->work, c->work_size, &res, err);
    if (rc != RA_OK)
        return rc;
    for (size_t j = 0; j < c->n; j++)
        w[j] = c->B * (c->v[j] > 0.0 ? c->v[j] : 0.0);
    return RA_OK;
}

static double cvar_of(const obj_ctx *c, const double *w)
{
    return c->scen && c->T ? ra_cvar_eval(c->scen, c->T, c->n, w, RA_OBJ_CVAR_BETA, c->loss, NULL)
                           : NAN;
}

static double l1_to(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += fabs(a[j] - b[j]);
    return s;
}

static void effect(const obj_ctx *c, const double *t, const double *w, const double *h,
                   const double *pi, ra_client_effect *e)
{
    size_t n = c->n;
    double *d = c->v; /* scratch: the solves are done */
    for (size_t j = 0; j < n; j++)
        d[j] = w[j] - t[j];
    e->te_ann = sqrt(fmax(opt_quad(c->cov, d, d, n), 0.0));
    e->l1 = 0.5 * l1_to(w, t, n);
    e->vol_before = sqrt(fmax(opt_quad(c->cov, t, t, n), 0.0));
    e->vol_after = sqrt(fmax(opt_quad(c->cov, w, w, n), 0.0));
    e->ret_before = e->ret_after = 0.0;
    for (size_t j = 0; j < n; j++) {
        e->ret_before += pi[j] * t[j];
        e->ret_after += pi[j] * w[j];
    }
    e->cvar_before = cvar_of(c, t);
    e->cvar_after = cvar_of(c, w);
    e->turn_before = h ? 0.5 * l1_to(t, h, n) : NAN;
    e->turn_after = h ? 0.5 * l1_to(w, h, n) : NAN;
}

ra_status ra_client_target(size_t n, const double *t, const double *cov, const double *h,
                           const double *scen, size_t T, double market_sharpe,
                           const ra_client_objective *o, double *w, ra_client_effect *eff,
                           ra_err *err)
{
    ra_client_effect local;
    ra_client_effect *e = eff ? eff : &local;
    memset(e, 0, sizeof *e);
    e->cvar_met = 1;
    if (!n || !t || !cov || !o || !w)
        return ra_err_set(err, RA_EINVAL, NULL, "client target: no target, covariance or "
                          "objectives given");
    ra_status rc = ra_client_objective_check(o, err);
    if (rc != RA_OK)
        return rc;
    if (!(market_sharpe > 0.0 && isfinite(market_sharpe)))
        return ra_err_set(err, RA_EINVAL, NULL, "market Sharpe ratio %g is not > 0",
                          market_sharpe);
    double B = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (!(t[j] >= 0.0 && isfinite(t[j])))
            return ra_err_set(err, RA_EINVAL, NULL, "target weight %zu is not >= 0", j + 1);
        B += t[j];
    }
    if (!(B > 0.0 && B <= 1.0 + 1e-9))
        return ra_err_set(err, RA_EINVAL, NULL, "target weights sum to %g, not in (0, 1]", B);
    obj_ctx c;
    memset(&c, 0, sizeof c);
    c.n = n;
    c.B = B;
    c.cov = cov;
    c.scen = scen;
    c.T = scen ? T : 0;
    c.lambda = o->te_penalty;
    c.work_size = ra_opt_workspace_size(n, 0);
    c.work = ra_malloc(c.work_size);
    c.mu = ra_malloc(n * sizeof *c.mu);
    c.w0 = ra_malloc(n * sizeof *c.w0);
    c.v = ra_malloc(n * sizeof *c.v);
    double *pi = ra_malloc(n * sizeof *pi), *wt = ra_malloc(n * sizeof *wt);
    c.loss = ra_malloc((c.T ? c.T : 1) * sizeof *c.loss);
    if (!c.work || !c.mu || !c.w0 || !c.v || !pi || !wt || !c.loss) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the client target");
        goto done;
    }
    /* implied returns of t / B: pi = delta S t / B, delta = Sharpe / vol(t / B) */
    double var_t = opt_quad(cov, t, t, n) / (B * B);
    if (!(var_t > 0.0)) {
        rc = ra_err_set(err, RA_ESINGULAR, NULL, "the target has no variance: no implied returns");
        goto done;
    }
    c.delta = market_sharpe / sqrt(var_t);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += cov[i * n + j] * t[j];
        pi[i] = c.delta * s / B;
        c.mu[i] = (1.0 + c.lambda) * B * pi[i];
        c.w0[i] = h ? h[i] / B : 0.0;
    }
    e->delta = c.delta;
    double r = o->risk_aversion == 0.0 ? 1.0 : o->risk_aversion;
    e->r_used = r;
    if (!ra_client_objective_active(o)) {
        memcpy(w, t, n * sizeof *w);
        effect(&c, t, w, h, pi, e);
        goto done;
    }
    c.p.n = n;
    c.p.mu = c.mu;
    c.p.cov = cov;
    c.p.cov_trusted = 0; /* a block of the shelf's estimate, but n is small: the check is cheap */
    c.p.w0 = h && o->turnover_penalty > 0.0 ? c.w0 : NULL;
    c.p.turnover_cost = c.p.w0 ? o->turnover_penalty : 0.0;
    rc = solve_at(&c, r, w, err);
    if (rc == RA_OK && o->cvar_limit > 0.0 && c.T && cvar_of(&c, w) > o->cvar_limit) {
        /* the smallest r (on a log scale) whose target is within the limit */
        double lo = log(r), hi = log(RA_OBJ_R_CEILING > r ? RA_OBJ_R_CEILING : r);
        rc = solve_at(&c, exp(hi), wt, err);
        if (rc == RA_OK && cvar_of(&c, wt) > o->cvar_limit) {
            e->cvar_met = 0; /* not even the least risky blend: the closest one, reported */
            memcpy(w, wt, n * sizeof *w);
            r = exp(hi);
        } else {
            for (int k = 0; rc == RA_OK && k < OBJ_CVAR_STEPS; k++) {
                double mid = 0.5 * (lo + hi);
                rc = solve_at(&c, exp(mid), wt, err);
                if (rc == RA_OK && cvar_of(&c, wt) > o->cvar_limit)
                    lo = mid;
                else
                    hi = mid;
            }
            if (rc == RA_OK)
                rc = solve_at(&c, exp(hi), w, err);
            r = exp(hi);
        }
        e->r_used = r;
    }
    if (rc == RA_OK)
        effect(&c, t, w, h, pi, e);
    else
        ra_err_wrap(err, "client objectives");
done:
    ra_free(c.work);
    ra_free(c.mu);
    ra_free(c.w0);
    ra_free(c.v);
    ra_free(c.loss);
    ra_free(pi);
    ra_free(wt);
    return rc;
}
