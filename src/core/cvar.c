/* CVaR objectives and constraints over historical scenarios (include/roboadvisor/cvar.h).
 *
 * Minimum CVaR is Rockafellar & Uryasev's (2000) LP, solved in its dual form: the primal has one
 * row per scenario (T ~ 1260 for five years of days) but the dual has one row per asset plus one,
 * its T columns p_t being the scenario probabilities of the worst-case distribution, boxed in
 * [0, 1/((1-beta)T)]. A dense bounded simplex on that (n+1)-row tableau costs O(nT) a pivot,
 * where the primal tableau would cost O(T^2). The weights are the dual's row multipliers.
 *   dual: max 1*y + sum_g (min_g a_g - max_g b_g) + R rho + lo'l - hi'v
 *         s.t. sum_t p_t r_t + y 1 + sum_g (a_g - b_g) 1_g + rho mu + l - v = 0,  sum_t p_t = 1
 * Highest return with CVaR <= c: Newton's method on f(R) = min CVaR s.t. mu'w >= R, which is
 * convex and piecewise linear in R with slope rho (the dual's return multiplier); started from the
 * highest attainable return, every step stays right of the root, so it ends in finitely many LPs.
 * Lowest variance with CVaR <= c: Kelley's cutting planes on the QP (public ra_qp_* API): each
 * iterate's worst tail gives the supporting plane sum_t p_t (-r_t'w) <= c, exact on its piece
 * of the piecewise-linear CVaR, so the loop ends when the iterate meets the limit; no auxiliary
 * variables or ridge are needed. Details and tolerances: docs/methodology.md#cvar. */
#include "lp_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/cvar.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CVAR_MAX_SCEN 1000000 /* keeps T*n*8 far from overflow */
#define CVAR_TOL_LIMIT 1e-12  /* CVaR within this (relative to 1 + limit) meets the limit */
#define CVAR_TOL_TARGET 1e-12 /* highest return is relaxed by this for the Newton start */
#define CVAR_NEWTON_MAX 100   /* Newton/bisection steps; piecewise-linear f ends in a few */
#define CVAR_MAX_CUTS 400     /* cutting planes before RA_ENOCONV */
#define CVAR_TOL_BOUND 1e-14  /* a dual weight this close to a bound is at it (weights are O(1)) */

typedef struct pair {
    double loss;
    size_t t;
} pair;

static int by_loss_desc(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->loss != y->loss)
        return x->loss > y->loss ? -1 : 1;
    return x->t < y->t ? -1 : x->t > y->t;
}

static int dbl_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* Tail probabilities: 1/((1-beta)T) on each of the worst floor((1-beta)T) losses, the remainder
 * on the next one; this is the maximiser p of the dual, so CVaR = sum p_t loss_t. */
static double tail_k(size_t T, double beta) { return 1.0 / ((1.0 - beta) * (double)T); }

static size_t tail_full(double k)
{
    double c = floor(1.0 / k + 1e-9);
    return (size_t)c;
}

double ra_cvar_eval(const double *scen, size_t T, size_t n, const double *w, double beta,
                    double *loss, double *var_out)
{
    if (T == 0 || !(beta > 0.0 && beta < 1.0))
        return NAN;
    for (size_t t = 0; t < T; t++) {
        double r = 0.0;
        for (size_t j = 0; j < n; j++)
            r += scen[t * n + j] * w[j];
        loss[t] = -r;
    }
    qsort(loss, T, sizeof *loss, dbl_desc);
    double k = tail_k(T, beta), s = 0.0;
    size_t full = tail_full(k);
    if (full > T)
        full = T;
    for (size_t i = 0; i < full; i++)
        s += loss[i];
    double rem = 1.0 - (double)full * k;
    if (rem > 1e-12 && full < T)
        s = k * s + rem * loss[full];
    else
        s = k * s;
    if (var_out)
        *var_out = (rem > 1e-12 && full < T) ? loss[full] : loss[full ? full - 1 : 0];
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * One solve's buffers (one ra_malloc) */

typedef struct cv {
    const ra_cvar_problem *p;
    const ra_opt_problem *o;
    size_t n, T, ng;
    double k;
    double *lo, *hi;     /* n effective bounds */
    double *gr;          /* n: scratch for one group's coefficients (group_row) */
    /* the dual LP of min CVaR: rows n + 1, columns nd */
    size_t nd;
    double *A, *b, *c, *dlo, *dhi, *x, *y;
    void *lw;
    size_t lw_size;
    double *loss;        /* T */
    pair *pr;            /* T */
    int lps, pivots;
} cv;

static size_t dual_cols(size_t n, size_t T, size_t ng) { return T + 1 + 2 * ng + 1 + 2 * n; }

/* Group g's coefficients (dense, into s->gr) and limits: the groups of the problem (1 for each
 * member), then p->row as the last one, its lower limit one below the smallest coefficient (with
 * the budget and 0 <= w <= 1, never binding). */
static const double *group_row(const cv *s, size_t g, double *min, double *max)
{
    const ra_opt_problem *o = s->o;
    for (size_t j = 0; j < s->n; j++)
        s->gr[j] = 0.0;
    if (g < o->n_groups) {
        const ra_opt_group *G = &o->groups[g];
        for (size_t q = 0; q < G->n_members; q++)
            s->gr[G->members[q]] = 1.0;
        *min = G->min;
        *max = G->max;
        return s->gr;
    }
    double lo = 0.0;
    for (size_t j = 0; j < s->n; j++) {
        s->gr[j] = s->p->row[j];
        lo = j == 0 || s->gr[j] < lo ? s->gr[j] : lo;
    }
    *min = lo - 1.0;
    *max = s->p->row_max;
    return s->gr;
}

/* Fills the dual LP; the return column (rho) is there always and fixed at 0 without a target. */
static void build_dual(cv *s, int with_target, double target)
{
    const size_t n = s->n, T = s->T, nd = s->nd, m = n + 1;
    const ra_opt_problem *o = s->o;
    memset(s->A, 0, m * nd * sizeof *s->A);
    for (size_t t = 0; t < T; t++) {
        for (size_t j = 0; j < n; j++)
            s->A[j * nd + t] = s->p->scen[t * n + j];
        s->A[n * nd + t] = 1.0;
        s->c[t] = 0.0;
        s->dlo[t] = 0.0;
        s->dhi[t] = s->k;
    }
    size_t col = T;
    for (size_t j = 0; j < n; j++) /* y: the budget's multiplier */
        s->A[j * nd + col] = 1.0;
    s->c[col] = -1.0;
    s->dlo[col] = -INFINITY;
    s->dhi[col] = INFINITY;
    col++;
    for (size_t g = 0; g < s->ng; g++) {
        double gmin, gmax;
        const double *a = group_row(s, g, &gmin, &gmax);
        for (size_t j = 0; j < n; j++) {
            s->A[j * nd + col] = a[j];
            s->A[j * nd + col + 1] = -a[j];
        }
        s->c[col] = -gmin;
        s->c[col + 1] = gmax;
        s->dlo[col] = s->dlo[col + 1] = 0.0;
        s->dhi[col] = s->dhi[col + 1] = INFINITY;
        col += 2;
    }
    for (size_t j = 0; j < n; j++) /* rho */
        s->A[j * nd + col] = o->mu ? o->mu[j] : 0.0;
    s->c[col] = with_target ? -target : 0.0;
    s->dlo[col] = 0.0;
    s->dhi[col] = with_target ? INFINITY : 0.0;
    col++;
    for (size_t j = 0; j < n; j++) {
        s->A[j * nd + col + 2 * j] = 1.0;
        s->A[j * nd + col + 2 * j + 1] = -1.0;
        s->c[col + 2 * j] = -s->lo[j];
        s->c[col + 2 * j + 1] = s->hi[j];
        s->dlo[col + 2 * j] = s->dlo[col + 2 * j + 1] = 0.0;
        s->dhi[col + 2 * j] = s->dhi[col + 2 * j + 1] = INFINITY;
    }
    for (size_t j = 0; j < n; j++)
        s->b[j] = 0.0;
    s->b[n] = 1.0;
}

static size_t rho_col(const cv *s) { return s->T + 1 + 2 * s->ng; }

/* min CVaR (s.t. mu'w >= target when with_target): w (n), *f the CVaR, *rho the slope. */
static ra_status min_cvar(cv *s, int with_target, double target, double *w, double *f,
                          double *rho, ra_err *err)
{
    build_dual(s, with_target, target);
    lp_problem lp = {.m = s->n + 1, .n = s->nd, .A = s->A, .b = s->b, .c = s->c, .lo = s->dlo,
                     .hi = s->dhi};
    lp_result r = {.x = s->x, .y = s->y};
    ra_status rc = lp_solve(&lp, s->lw, s->lw_size, &r, err);
    s->lps++;
    s->pivots += r.pivots;
    if (rc == RA_ENOCONV && r.unbounded) /* the dual is always feasible: the primal is not */
        rc = RA_EINFEASIBLE;
    if (rc == RA_EINFEASIBLE && with_target) /* infeasible dual: unbounded or infeasible primal */
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "no portfolio meets the bounds, group limits and the target return %.6g",
                          target);
    if (rc == RA_EINFEASIBLE)
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "no portfolio meets the bounds and group limits");
    if (rc != RA_OK)
        return rc;
    for (size_t j = 0; j < s->n; j++) {
        double v = -s->y[j]; /* rounding of ~1e-17 around a bound is the bound */
        w[j] = v < s->lo[j] + CVAR_TOL_BOUND ? s->lo[j] : v > s->hi[j] - CVAR_TOL_BOUND ? s->hi[j] : v;
    }
    *f = -r.obj;
    if (rho)
        *rho = s->x[rho_col(s)];
    return RA_OK;
}

/* Highest attainable mu'w over budget, bounds and groups: a small LP in w and group sums. */
static ra_status max_return(cv *s, double *w, double *rmax, ra_err *err)
{
    const size_t n = s->n, ng = s->ng, m = 1 + ng, nc = n + ng;
    double *A = s->A, *b = s->b, *c = s->c, *lo = s->dlo, *hi = s->dhi;
    memset(A, 0, m * nc * sizeof *A);
    for (size_t j = 0; j < n; j++) {
        A[j] = 1.0;
        c[j] = -s->o->mu[j];
        lo[j] = s->lo[j];
        hi[j] = s->hi[j];
    }
    b[0] = 1.0;
    for (size_t g = 0; g < ng; g++) {
        double gmin, gmax;
        const double *a = group_row(s, g, &gmin, &gmax);
        for (size_t j = 0; j < n; j++)
            A[(1 + g) * nc + j] = a[j];
        A[(1 + g) * nc + n + g] = -1.0;
        b[1 + g] = 0.0;
        c[n + g] = 0.0;
        lo[n + g] = gmin;
        hi[n + g] = gmax;
    }
    lp_problem lp = {.m = m, .n = nc, .A = A, .b = b, .c = c, .lo = lo, .hi = hi};
    lp_result r = {.x = s->x, .y = NULL};
    ra_status rc = lp_solve(&lp, s->lw, s->lw_size, &r, err);
    s->lps++;
    s->pivots += r.pivots;
    if (rc == RA_EINFEASIBLE)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "no portfolio meets the bounds and group limits");
    if (rc != RA_OK)
        return rc;
    memcpy(w, s->x, n * sizeof *w);
    *rmax = 0.0;
    for (size_t j = 0; j < n; j++)
        *rmax += s->o->mu[j] * w[j];
    return RA_OK;
}

/* Lowest attainable CVaR into *f0 (weights into w); RA_EINFEASIBLE naming it when above the limit. */
static ra_status limit_attainable(cv *s, double *w, double *f0, ra_err *err)
{
    const double lim = s->p->limit, tol = CVAR_TOL_LIMIT * (1.0 + fabs(lim));
    ra_status rc = min_cvar(s, 0, 0.0, w, f0, NULL, err);
    if (rc == RA_OK && *f0 > lim + tol)
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "cvar limit %.6g is below the lowest attainable %.6g", lim, *f0);
    return rc;
}

static ra_status solve_max_return(cv *s, double *w, ra_err *err)
{
    const double lim = s->p->limit, tol = CVAR_TOL_LIMIT * (1.0 + fabs(lim));
    double rmax = 0.0, f = 0.0, rho = 0.0, f0 = 0.0;
    ra_status rc = limit_attainable(s, w, &f0, err);
    if (rc != RA_OK)
        return rc;
    double r_lo = 0.0;
    for (size_t j = 0; j < s->n; j++)
        r_lo += s->o->mu[j] * w[j];
    if ((rc = max_return(s, w, &rmax, err)) != RA_OK)
        return rc;
    double R = rmax - CVAR_TOL_TARGET * (1.0 + fabs(rmax)), r_hi = R;
    if (R < r_lo)
        R = r_hi = r_lo;
    if ((rc = min_cvar(s, 1, R, w, &f, &rho, err)) != RA_OK)
        return rc;
    for (int it = 0; f > lim + tol; it++) {
        if (it >= CVAR_NEWTON_MAX)
            return ra_err_set(err, RA_ENOCONV, NULL,
                              "highest return under the cvar limit not found in %d steps", it);
        r_hi = R;
        double next = rho > 0.0 ? R - (f - lim) / rho : NAN;
        if (!(next > r_lo && next < r_hi))
            next = 0.5 * (r_lo + r_hi);
        R = next;
        if ((rc = min_cvar(s, 1, R, w, &f, &rho, err)) != RA_OK)
            return rc;
        if (f < lim - tol) { /* only bisection can land left of the root */
            r_lo = R;
            R = r_hi;
            if ((rc = min_cvar(s, 1, R, w, &f, &rho, err)) != RA_OK)
                return rc;
            if (fabs(r_hi - r_lo) <= 1e-15 * (1.0 + fabs(r_hi)))
                break;
        }
    }
    return RA_OK;
}

/* Losses at w, sorted worst first, into s->pr; returns CVaR and fills the cut a = sum p_t r_t. */
static double worst_tail(cv *s, const double *w, double *a)
{
    const size_t n = s->n, T = s->T;
    for (size_t t = 0; t < T; t++) {
        double r = 0.0;
        for (size_t j = 0; j < n; j++)
            r += s->p->scen[t * n + j] * w[j];
        s->pr[t].loss = -r;
        s->pr[t].t = t;
    }
    qsort(s->pr, T, sizeof *s->pr, by_loss_desc);
    size_t full = tail_full(s->k);
    if (full > T)
        full = T;
    double rem = 1.0 - (double)full * s->k, f = 0.0;
    memset(a, 0, n * sizeof *a);
    for (size_t i = 0; i <= full && i < T; i++) {
        double pt = i < full ? s->k : rem;
        if (pt <= 0.0)
            continue;
        f += pt * s->pr[i].loss;
        const double *r = s->p->scen + s->pr[i].t * n;
        for (size_t j = 0; j < n; j++)
            a[j] += pt * r[j];
    }
    return f;
}

static ra_status solve_min_variance(cv *s, double *w, ra_cvar_result *res, ra_err *err)
{
    const size_t n = s->n, ng = s->ng, mi_max = 2 * ng + CVAR_MAX_CUTS;
    const double lim = s->p->limit, tol = CVAR_TOL_LIMIT * (1.0 + fabs(lim));
    double f0;
    ra_status rc = limit_attainable(s, w, &f0, err);
    if (rc != RA_OK)
        return rc;
    size_t qws = ra_qp_workspace_size(n, 1, mi_max);
    size_t bytes = qws + 64 + (mi_max * n + mi_max + n + mi_max) * sizeof(double) +
                   2 * (n + 1 + mi_max) * sizeof(int);
    unsigned char *buf = ra_malloc(bytes);
    if (!buf)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu bytes for the cuts", bytes);
    void *qw = buf;
    double *A_in = (double *)(void *)(buf + ((qws + 63) & ~(size_t)63));
    double *b_in = A_in + mi_max * n, *ones = b_in + mi_max, *yin = ones + n;
    int *active = (int *)(void *)(yin + mi_max), *warm = active + (n + 1 + mi_max);
    for (size_t j = 0; j < n; j++)
        ones[j] = 1.0;
    double one = 1.0;
    size_t mi = 0;
    for (size_t g = 0; g < ng; g++) {
        double gmin, gmax;
        const double *a = group_row(s, g, &gmin, &gmax);
        for (size_t j = 0; j < n; j++) {
            A_in[mi * n + j] = a[j];
            A_in[(mi + 1) * n + j] = -a[j];
        }
        b_in[mi] = gmin;
        b_in[mi + 1] = -gmax;
        mi += 2;
    }
    ra_qp_settings qs;
    ra_qp_settings_default(&qs);
    rc = ra_qp_factor(s->o->cov, n, &qs, qw, qws, err);
    size_t n_warm = 0;
    for (int round = 0; rc == RA_OK; round++) {
        ra_qp_problem qp = {.n = n, .G = s->o->cov, .m_eq = 1, .A_eq = ones, .b_eq = &one,
                            .m_in = mi, .A_in = mi ? A_in : NULL, .b_in = mi ? b_in : NULL,
                            .lo = s->lo, .hi = s->hi};
        ra_qp_result qr = {.x = w, .y_in = yin, .active = active};
        qs.warm_active = n_warm ? warm : NULL;
        qs.n_warm = n_warm;
        rc = ra_qp_solve(&qp, &qs, qw, qws, &qr, err);
        res->qp_iterations += qr.iterations;
        if (rc != RA_OK)
            break;
        if (worst_tail(s, w, A_in + mi * n) <= lim + tol)
            break;
        if (mi >= mi_max) {
            rc = ra_err_set(err, RA_ENOCONV, NULL,
                            "cvar limit not met after %d cutting planes", CVAR_MAX_CUTS);
            break;
        }
        b_in[mi] = -lim;
        /* keep the active set: bound ids move up by one with the new row */
        n_warm = 0;
        for (size_t i = 0; i < qr.n_active; i++) {
            int id = active[i];
            warm[n_warm++] = id < (int)(1 + mi) ? id : id + 1;
        }
        warm[n_warm++] = (int)(1 + mi);
        mi++;
        res->cuts++;
    }
    ra_free(buf);
    return rc;
}

static ra_status validate(const ra_cvar_problem *p, ra_cvar_objective obj, ra_err *err)
{
    if (!p || !p->opt || !p->scen)
        return ra_err_set(err, RA_EINVAL, NULL, "cvar problem needs the portfolio and scenarios");
    const ra_opt_problem *o = p->opt;
    if (o->n == 0 || o->n > 20000)
        return ra_err_set(err, RA_EINVAL, NULL, "portfolio of %zu assets is outside 1..20000",
                          o->n);
    if (p->T == 0 || p->T > CVAR_MAX_SCEN)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu scenarios is outside 1..%d", p->T,
                          CVAR_MAX_SCEN);
    if (!(p->beta > 0.0 && p->beta < 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "cvar confidence must be in (0, 1), got %g",
                          p->beta);
    if ((1.0 - p->beta) * (double)p->T < 1.0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "cvar at confidence %g needs at least %.0f scenarios, got %zu", p->beta,
                          ceil(1.0 / (1.0 - p->beta)), p->T);
    for (size_t i = 0; i < p->T * o->n; i++)
        if (!isfinite(p->scen[i]))
            return ra_err_set(err, RA_EINVAL, NULL, "scenario %zu, asset %zu is not finite",
                              i / o->n + 1, i % o->n + 1);
    if ((obj == RA_CVAR_MAX_RETURN || (obj == RA_CVAR_MIN && p->has_target)) && !o->mu)
        return ra_err_set(err, RA_EINVAL, NULL, "expected returns are required for this objective");
    if (obj == RA_CVAR_MIN_VARIANCE && !o->cov)
        return ra_err_set(err, RA_EINVAL, NULL, "covariance is required for this objective");
    if (obj != RA_CVAR_MIN && !isfinite(p->limit))
        return ra_err_set(err, RA_EINVAL, NULL, "cvar limit is not finite");
    if (obj == RA_CVAR_MIN && p->has_target && !isfinite(o->target))
        return ra_err_set(err, RA_EINVAL, NULL, "target return is not finite");
    if (obj != RA_CVAR_MIN && obj != RA_CVAR_MAX_RETURN && obj != RA_CVAR_MIN_VARIANCE)
        return ra_err_set(err, RA_EINVAL, NULL, "cvar objective %d does not exist", (int)obj);
    if (o->n_groups && !o->groups)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu groups announced but none given",
                          o->n_groups);
    for (size_t g = 0; g < o->n_groups; g++)
        for (size_t q = 0; q < o->groups[g].n_members; q++)
            if (!o->groups[g].members || o->groups[g].members[q] >= o->n ||
                !(o->groups[g].min <= o->groups[g].max))
                return ra_err_set(err, RA_EINVAL, NULL, "group %zu is malformed", g + 1);
    for (size_t j = 0; p->row && j < o->n; j++)
        if (!isfinite(p->row[j]))
            return ra_err_set(err, RA_EINVAL, NULL, "limit row coefficient %zu is not finite",
                              j + 1);
    if (p->row && !isfinite(p->row_max))
        return ra_err_set(err, RA_EINVAL, NULL, "limit row's maximum is not finite");
    for (size_t j = 0; j < o->n; j++) {
        double lo = o->lo ? o->lo[j] : 0.0, hi = o->hi ? o->hi[j] : 1.0;
        if (!isfinite(lo) || !isfinite(hi) || lo > hi)
            return ra_err_set(err, RA_EINVAL, NULL, "bounds of asset %zu are [%g, %g]", j + 1,
                              lo, hi);
        if (o->mu && !isfinite(o->mu[j]))
            return ra_err_set(err, RA_EINVAL, NULL, "expected return of asset %zu is not finite",
                              j + 1);
    }
    return RA_OK;
}

ra_status ra_cvar_solve(const ra_cvar_problem *p, ra_cvar_objective obj, ra_cvar_result *res,
                        ra_err *err)
{
    if (!res || !res->w)
        return ra_err_set(err, RA_EINVAL, NULL, "result needs a weight array");
    ra_status rc = validate(p, obj, err);
    if (rc != RA_OK)
        return rc;
    const ra_opt_problem *o = p->opt;
    cv s = {.p = p, .o = o, .n = o->n, .T = p->T, .ng = o->n_groups + (p->row != NULL)};
    s.k = tail_k(s.T, p->beta);
    s.nd = dual_cols(s.n, s.T, s.ng);
    size_t m = s.n + 1 > 1 + s.ng ? s.n + 1 : 1 + s.ng, cols = s.nd > s.n + s.ng ? s.nd : s.n + s.ng;
    s.lw_size = lp_workspace_size(m, cols);
    size_t nd = 3 * s.n + m * cols + m + 3 * cols + cols + m + s.T;
    size_t bytes = nd * sizeof(double) + s.T * sizeof(pair) + s.lw_size + 64;
    unsigned char *buf = ra_malloc(bytes);
    if (!buf || s.lw_size == 0) {
        ra_free(buf);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu bytes for the cvar LP",
                          bytes);
    }
    double *d = (double *)(void *)buf;
    s.lo = d; d += s.n;
    s.hi = d; d += s.n;
    s.gr = d; d += s.n;
    s.A = d; d += m * cols;
    s.b = d; d += m;
    s.c = d; d += cols;
    s.dlo = d; d += cols;
    s.dhi = d; d += cols;
    s.x = d; d += cols;
    s.y = d; d += m;
    s.loss = d; d += s.T;
    s.pr = (pair *)(void *)d;
    s.lw = (unsigned char *)(s.pr + s.T);
    for (size_t j = 0; j < s.n; j++) {
        s.lo[j] = o->lo ? o->lo[j] : 0.0;
        s.hi[j] = o->hi ? o->hi[j] : 1.0;
    }
    res->lps = res->pivots = res->cuts = res->qp_iterations = 0;
    double f;
    switch (obj) {
    case RA_CVAR_MIN:
        rc = min_cvar(&s, p->has_target, o->target, res->w, &f, NULL, err);
        break;
    case RA_CVAR_MAX_RETURN:
        rc = solve_max_return(&s, res->w, err);
        break;
    default:
        rc = solve_min_variance(&s, res->w, res, err);
        break;
    }
    res->lps = s.lps;
    res->pivots = s.pivots;
    if (rc == RA_OK) {
        res->cvar = ra_cvar_eval(p->scen, s.T, s.n, res->w, p->beta, s.loss, &res->var);
        res->expected_return = NAN;
        if (o->mu) {
            res->expected_return = 0.0;
            for (size_t j = 0; j < s.n; j++)
                res->expected_return += o->mu[j] * res->w[j];
        }
        res->volatility = NAN;
        if (o->cov) {
            double v = 0.0;
            for (size_t i = 0; i < s.n; i++)
                for (size_t j = 0; j < s.n; j++)
                    v += res->w[i] * o->cov[i * s.n + j] * res->w[j];
            res->volatility = sqrt(v > 0.0 ? v : 0.0);
        }
    }
    ra_free(buf);
    return rc;
}
