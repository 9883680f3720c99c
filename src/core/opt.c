/* Portfolio construction on the dense QP solver (include/roboadvisor/opt.h).
 * Every formulation, default and tolerance is written down in docs/methodology.md; the
 * comments here say why the code is shaped the way it is. All memory comes from the caller's
 * workspace (layout() below); nothing here allocates, prints or reads a clock of its own. */
#include "opt_int.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define OPT_MAX_ASSETS 20000    /* keeps n*n*8 bytes far from size_t overflow; 3 GB of covariance */
#define OPT_TOL_FEAS 1e-9       /* pre-checks on sums of bounds: weights are O(1), RA_TOL_WEIGHT_SUM */
#define OPT_TOL_SYM 1e-10       /* |cov_ij - cov_ji| relative to sqrt(cov_ii cov_jj): estimator rounding */
#define OPT_TOL_RET 1e-10       /* target return this close to the attainable range is clamped into it */
#define OPT_TOL_VOL_REL 1e-10   /* target volatility: |vol - target| <= this * target (brief, #4) */
#define OPT_VOL_MAX_ITER 200    /* secant/bisection steps; bisection alone needs ~60 for 1e-16 */
#define OPT_KINK_AT_W0 1e-12    /* |w_j - w0_j| below this: the asset sits on its kink */
#define OPT_KINK_TOL_GRAD 1e-11 /* reduced gradient outside [-h, h] by more than this (scaled) flips */
#define OPT_KINK_MAX_ROUNDS(n) (20 + 4 * (int)(n)) /* state-flip rounds before RA_ENOCONV */
#define OPT_RP_TOL_SPREAD 1e-10 /* risk parity: (max rc - min rc) / mean rc (brief, #7) */
#define OPT_RP_MAX_ITER 200     /* Newton steps; converges in < 30 on real covariances */
#define OPT_RP_ARMIJO 1e-4      /* sufficient-decrease constant of the backtracking line search */
#define OPT_EXCESS_MIN 1e-12    /* highest return must beat rf by this for a max-Sharpe portfolio */

/* ---------------------------------------------------------------------------------------------
 * Workspace */

#define ALIGN 64

static size_t align_up(size_t x) { return (x + (ALIGN - 1)) & ~(size_t)(ALIGN - 1); }

/* Carves the workspace (base may be NULL to count). Returns the bytes needed. */
static size_t layout(opt_ctx *cx, unsigned char *base, size_t n, size_t ng)
{
    size_t mi = 2 * n + 2 * ng, mlp = opt_lp_rows(n, ng), nclp = opt_lp_cols(n, ng);
    size_t na = n + 2 + mi, off = 0;
    size_t qpw = ra_qp_workspace_size(n, 2, mi);
#define TAKE(field, type, count)                                                                   \
    do {                                                                                           \
        off = align_up(off);                                                                       \
        if (base)                                                                                  \
            cx->field = (type *)(void *)(base + off);                                              \
        off += (count) * sizeof(type);                                                             \
    } while (0)
    off = 0;
    if (base) {
        cx->qpw = base;
        cx->qpw_size = qpw;
    }
    off += qpw;
    TAKE(lo, double, n);
    TAKE(hi, double, n);
    TAKE(A_eq, double, 2 * n);
    TAKE(b_eq, double, 2);
    TAKE(A_in, double, mi * n);
    TAKE(b_in, double, mi);
    TAKE(qlo, double, n);
    TAKE(qhi, double, n);
    TAKE(c, double, n);
    TAKE(x, double, n);
    TAKE(y_eq, double, 2);
    TAKE(y_in, double, mi);
    TAKE(z, double, n);
    TAKE(g, double, n);
    TAKE(wtmp, double, n);
    TAKE(wlp, double, n);
    TAKE(chol, double, n * n);
    TAKE(rp, double, 4 * n);
    TAKE(tab, double, (mlp + 1) * nclp);
    TAKE(basis, int, mlp);
    TAKE(lp_sense, signed char, mlp);
    TAKE(active, int, na);
    TAKE(warm, int, na);
    TAKE(warm_ids, int, na);
    TAKE(state, signed char, n);
#undef TAKE
    return off + ALIGN; /* the caller's pointer may be misaligned by up to ALIGN-1 bytes */
}

size_t ra_opt_workspace_size(size_t n, size_t n_groups)
{
    if (n == 0 || n > OPT_MAX_ASSETS || n_groups > OPT_MAX_ASSETS)
        return 0;
    return layout(NULL, NULL, n, n_groups);
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers */

static const char *asset_name(const ra_opt_problem *p, size_t j, char *buf, size_t len)
{
    if (p->names && p->names[j])
        snprintf(buf, len, "%s", p->names[j]);
    else
        snprintf(buf, len, "%zu", j + 1);
    return buf;
}

static const char *group_name(const ra_opt_problem *p, size_t g, char *buf, size_t len)
{
    if (p->groups[g].name)
        snprintf(buf, len, "%s", p->groups[g].name);
    else
        snprintf(buf, len, "%zu", g + 1);
    return buf;
}

/* Limits and targets as people write them: "0.70" when two decimals are exact, else 6 digits. */
static const char *num(double x, char *buf, size_t len)
{
    snprintf(buf, len, "%.2f", x);
    if (fabs(strtod(buf, NULL) - x) > 1e-12 * (1.0 + fabs(x)))
        snprintf(buf, len, "%.6g", x);
    return buf;
}

static double now_ms(const ra_opt_problem *p) { return p->clock_ms ? p->clock_ms() : 0.0; }

static double quad(const double *S, const double *w, size_t n) { return opt_quad(S, w, w, n); }

static int has_turnover(const ra_opt_problem *p) { return p->w0 && p->turnover_cost > 0.0; }

static void fill_result(const opt_ctx *cx, const double *w, ra_opt_result *res)
{
    const ra_opt_problem *p = cx->p;
    size_t n = cx->n;
    if (res->w != w)
        memcpy(res->w, w, n * sizeof *w);
    double v = quad(p->cov, w, n);
    res->volatility = sqrt(v > 0.0 ? v : 0.0);
    if (p->mu) {
        double r = 0.0;
        for (size_t j = 0; j < n; j++)
            r += p->mu[j] * w[j];
        res->expected_return = r;
        res->sharpe = res->volatility > 0.0 ? (r - p->rf) / res->volatility : NAN;
    } else {
        res->expected_return = NAN;
        res->sharpe = NAN;
    }
    res->turnover = 0.0;
    if (p->w0)
        for (size_t j = 0; j < n; j++)
            res->turnover += fabs(w[j] - p->w0[j]);
    res->iterations = cx->iterations;
    res->res_stat = cx->res_stat;
    res->res_prim = cx->res_prim;
    res->res_dual = cx->res_dual;
    res->res_comp = cx->res_comp;
}

/* ---------------------------------------------------------------------------------------------
 * Validation and feasibility pre-checks */

static ra_status validate(const ra_opt_problem *p, ra_opt_objective obj, ra_err *err)
{
    char b1[32], b2[32];
    if (!p)
        return ra_err_set(err, RA_EINVAL, NULL, "problem is required");
    size_t n = p->n;
    if (n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "portfolio needs at least 1 asset, got 0");
    if (n > OPT_MAX_ASSETS)
        return ra_err_set(err, RA_EINVAL, NULL, "portfolio of %zu assets exceeds the limit of %d",
                          n, OPT_MAX_ASSETS);
    if (!p->cov)
        return ra_err_set(err, RA_EINVAL, NULL, "covariance is required");
    int need_mu = obj == RA_OPT_MAX_SHARPE || obj == RA_OPT_TARGET_RETURN ||
                  obj == RA_OPT_TARGET_VOLATILITY || obj == RA_OPT_FRONTIER ||
                  obj == RA_OPT_UTILITY;
    if (need_mu && !p->mu)
        return ra_err_set(err, RA_EINVAL, NULL, "expected returns are required for this objective");
    /* one pass over the lower triangle: finite, and symmetric within OPT_TOL_SYM relative to
     * sqrt(S_ii S_jj) (compared squared: no square root per entry, n = 500 has 125,000). A
     * trusted covariance on the free-set path is checked by ra_qp_setup's own pass instead. */
    int qp_checks = p->cov_trusted && p->n_groups == 0 &&
                    (obj == RA_OPT_MIN_VARIANCE || obj == RA_OPT_UTILITY);
    for (size_t i = 0; i < n; i++) {
        if (qp_checks) {
            if (p->mu && !isfinite(p->mu[i]))
                return ra_err_set(err, RA_EINVAL, asset_name(p, i, b1, sizeof b1),
                                  "expected return of asset %s is not finite", b1);
            continue;
        }
        if (p->mu && !isfinite(p->mu[i]))
            return ra_err_set(err, RA_EINVAL, asset_name(p, i, b1, sizeof b1),
                              "expected return of asset %s is not finite", b1);
        double dii = p->cov[i * n + i];
        if (!isfinite(dii))
            return ra_err_set(err, RA_EINVAL, NULL, "covariance entry (%zu, %zu) is not finite",
                              i + 1, i + 1);
        for (size_t j = 0; j < i; j++) {
            double a = p->cov[i * n + j], b = p->cov[j * n + i];
            if (!isfinite(a) || !isfinite(b))
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "covariance entry (%zu, %zu) is not finite", isfinite(a) ? j + 1 : i + 1,
                                  isfinite(a) ? i + 1 : j + 1);
            double s2 = fabs(dii * p->cov[j * n + j]), d = a - b;
            if (d * d > OPT_TOL_SYM * OPT_TOL_SYM * (s2 > 0.0 ? s2 : 1.0))
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "covariance is not symmetric: entry (%zu, %zu) = %.17g but "
                                  "(%zu, %zu) = %.17g", i + 1, j + 1, a, j + 1, i + 1, b);
        }
    }
    for (size_t j = 0; j < n; j++) {
        double lo = p->lo ? p->lo[j] : 0.0, hi = p->hi ? p->hi[j] : 1.0;
        if (!isfinite(lo) || !isfinite(hi))
            return ra_err_set(err, RA_EINVAL, asset_name(p, j, b1, sizeof b1),
                              "bounds of asset %s must be finite, got [%g, %g]", b1, lo, hi);
        if (lo > hi)
            return ra_err_set(err, RA_EINVAL, asset_name(p, j, b1, sizeof b1),
                              "lower bound %g of asset %s is above its upper bound %g", lo, b1, hi);
        if (p->w0 && !isfinite(p->w0[j]))
            return ra_err_set(err, RA_EINVAL, asset_name(p, j, b1, sizeof b1),
                              "current weight of asset %s is not finite", b1);
    }
    if (p->n_groups && !p->groups)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu groups announced but none given", p->n_groups);
    if (p->n_groups > OPT_MAX_ASSETS)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu groups exceed the limit of %d", p->n_groups,
                          OPT_MAX_ASSETS);
    for (size_t g = 0; g < p->n_groups; g++) {
        const ra_opt_group *G = &p->groups[g];
        group_name(p, g, b1, sizeof b1);
        if (G->n_members == 0 || !G->members)
            return ra_err_set(err, RA_EINVAL, b1, "group %s has no members", b1);
        if (!isfinite(G->min) || !isfinite(G->max) || G->min > G->max)
            return ra_err_set(err, RA_EINVAL, b1, "group %s limits [%g, %g] are not an interval",
                              b1, G->min, G->max);
        for (size_t k = 0; k < G->n_members; k++) {
            if (G->members[k] >= n)
                return ra_err_set(err, RA_EINVAL, b1,
                                  "group %s member %zu is asset index %zu, not below %zu", b1,
                                  k + 1, G->members[k], n);
            for (size_t l = 0; l < k; l++)
                if (G->members[l] == G->members[k])
                    return ra_err_set(err, RA_EINVAL, b1, "group %s lists asset %s twice", b1,
                                      asset_name(p, G->members[k], b2, sizeof b2));
        }
    }
    if (!isfinite(p->rf))
        return ra_err_set(err, RA_EINVAL, NULL, "risk-free rate is not finite");
    if (!isfinite(p->turnover_cost) || p->turnover_cost < 0.0)
        return ra_err_set(err, RA_EINVAL, NULL, "turnover cost must be finite and >= 0, got %g",
                          p->turnover_cost);
    if (p->turnover_cost > 0.0 && !p->w0)
        return ra_err_set(err, RA_EINVAL, NULL, "a turnover cost needs the current weights");
    switch (obj) {
    case RA_OPT_MIN_VARIANCE:
        break;
    case RA_OPT_FRONTIER:
        if (has_turnover(p))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "the frontier takes no turnover penalty (set the cost to 0)");
        break;
    case RA_OPT_UTILITY:
        if (!isfinite(p->risk_aversion) || p->risk_aversion <= 0.0)
            return ra_err_set(err, RA_EINVAL, NULL, "risk aversion must be > 0, got %g",
                              p->risk_aversion);
        break;
    case RA_OPT_TARGET_RETURN:
        if (!isfinite(p->target))
            return ra_err_set(err, RA_EINVAL, NULL, "target return is not finite");
        break;
    case RA_OPT_TARGET_VOLATILITY:
        if (!isfinite(p->target) || p->target <= 0.0)
            return ra_err_set(err, RA_EINVAL, NULL, "target volatility must be > 0, got %g",
                              p->target);
        break;
    case RA_OPT_MAX_SHARPE:
        if (has_turnover(p))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "maximum sharpe ratio takes no turnover penalty (the ratio is not "
                              "convex with it)");
        if (p->lo)
            for (size_t j = 0; j < n; j++)
                if (p->lo[j] < 0.0)
                    return ra_err_set(err, RA_EINVAL, asset_name(p, j, b1, sizeof b1),
                                      "maximum sharpe ratio needs lower bounds >= 0, asset %s has %g",
                                      b1, p->lo[j]);
        break;
    case RA_OPT_RISK_PARITY:
        if (p->lo || p->hi || p->n_groups)
            return ra_err_set(err, RA_EINVAL, NULL, "risk parity takes no bounds or groups");
        if (has_turnover(p))
            return ra_err_set(err, RA_EINVAL, NULL, "risk parity takes no turnover penalty");
        break;
    default:
        return ra_err_set(err, RA_EINVAL, NULL, "objective %d does not exist", (int)obj);
    }
    return RA_OK;
}

/* Conflicts that can be named before any solve (docs/methodology.md#errors). What these miss,
 * the LP's phase I catches with a generic message. */
static ra_status precheck(const opt_ctx *cx, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    char b1[32], b2[32], b3[32], b4[32];
    double slo = 0.0, shi = 0.0;
    for (size_t j = 0; j < cx->n; j++) {
        slo += cx->lo[j];
        shi += cx->hi[j];
    }
    if (slo > 1.0 + OPT_TOL_FEAS)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "sum of lower bounds %s is above 1: no portfolio is fully invested",
                          num(slo, b1, sizeof b1));
    if (shi < 1.0 - OPT_TOL_FEAS)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "sum of upper bounds %s is below 1: no portfolio is fully invested",
                          num(shi, b1, sizeof b1));
    for (size_t g = 0; g < cx->ng; g++) {
        const ra_opt_group *G = &p->groups[g];
        double glo = 0.0, ghi = 0.0;
        for (size_t k = 0; k < G->n_members; k++) {
            glo += cx->lo[G->members[k]];
            ghi += cx->hi[G->members[k]];
        }
        group_name(p, g, b1, sizeof b1);
        if (G->min > ghi + OPT_TOL_FEAS)
            return ra_err_set(err, RA_EINFEASIBLE, b1,
                              "group %s min %s is above the sum of its members' upper bounds %s",
                              b1, num(G->min, b2, sizeof b2), num(ghi, b3, sizeof b3));
        if (G->max < glo - OPT_TOL_FEAS)
            return ra_err_set(err, RA_EINFEASIBLE, b1,
                              "group %s max %s is below the sum of its members' lower bounds %s",
                              b1, num(G->max, b2, sizeof b2), num(glo, b3, sizeof b3));
        if (G->min > 1.0 + OPT_TOL_FEAS)
            return ra_err_set(err, RA_EINFEASIBLE, b1, "group %s min %s is above 1", b1,
                              num(G->min, b2, sizeof b2));
    }
    for (size_t g = 0; g < cx->ng; g++)
        for (size_t h = g + 1; h < cx->ng; h++) {
            const ra_opt_group *G = &p->groups[g], *H = &p->groups[h];
            if (G->min + H->min <= 1.0 + OPT_TOL_FEAS)
                continue;
            int disjoint = 1;
            for (size_t k = 0; k < G->n_members && disjoint; k++)
                for (size_t l = 0; l < H->n_members; l++)
                    if (G->members[k] == H->members[l]) {
                        disjoint = 0;
                        break;
                    }
            if (disjoint)
                return ra_err_set(err, RA_EINFEASIBLE, NULL,
                                  "group limits conflict: %s min %s + %s min %s > 1",
                                  group_name(p, g, b1, sizeof b1), num(G->min, b2, sizeof b2),
                                  group_name(p, h, b3, sizeof b3), num(H->min, b4, sizeof b4));
        }
    return RA_OK;
}

/* Positive definiteness, named by asset: Cholesky of a copy (LAPACK dpotrf reports the first
 * leading minor that is not positive). If that passes but the QP factor still refuses (condition
 * estimate), the asset with the smallest Cholesky pivot relative to its variance is the one most
 * nearly spanned by the assets before it. */
/* The asset most nearly spanned by the others (the smallest Cholesky pivot relative to its
 * variance, cx->chol holding dpotrf's factor), for a "nearly singular" refusal of the QP. */
static ra_status nearly_singular(opt_ctx *cx, const ra_err *qerr, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    size_t n = cx->n, worst = 0;
    char b1[32];
    double wr = INFINITY;
    for (size_t j = 0; j < n; j++) {
        double d = cx->chol[j * n + j], r = d * d / p->cov[j * n + j];
        if (r < wr) {
            wr = r;
            worst = j;
        }
    }
    return ra_err_set(err, RA_ESINGULAR, asset_name(p, worst, b1, sizeof b1),
                      "covariance is nearly singular (%s); asset %s (column %zu) is the most "
                      "nearly spanned by the others; use ledoit-wolf shrinkage",
                      qerr->msg, b1, worst + 1);
}

/* factor_for_qp: 0 the check only; 1 the QP's whole factor (ra_qp_factor); 2 the lazy setup
 * (ra_qp_setup: the free-set method factorises only the free assets' block, issue 14). */
static ra_status check_pd_and_factor(opt_ctx *cx, int factor_for_qp, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    size_t n = cx->n;
    char b1[32];
    if (factor_for_qp == 2 && p->cov_trusted) { /* the caller vouches: the blocks only */
        ra_err qerr = {0};
        ra_status rc = ra_qp_setup(p->cov, n, NULL, cx->qpw, cx->qpw_size, &qerr);
        if (rc != RA_OK && err)
            *err = qerr;
        return rc;
    }
    memcpy(cx->chol, p->cov, n * n * sizeof *cx->chol);
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, cx->chol, (lapack_int)n);
    if (info < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "cholesky factorisation rejected argument %d",
                          (int)-info);
    if (info > 0) {
        size_t j = (size_t)info - 1;
        return ra_err_set(err, RA_ESINGULAR, asset_name(p, j, b1, sizeof b1),
                          "covariance is not positive definite at asset %s (column %zu): its "
                          "variance is explained by the assets before it or it has none; estimate "
                          "with more observations than assets or use ledoit-wolf shrinkage",
                          b1, j + 1);
    }
    if (!factor_for_qp)
        return RA_OK;
    ra_err qerr = {0};
    ra_status rc = factor_for_qp == 2 ? ra_qp_setup(p->cov, n, NULL, cx->qpw, cx->qpw_size, &qerr)
                                      : ra_qp_factor(p->cov, n, NULL, cx->qpw, cx->qpw_size, &qerr);
    if (rc == RA_OK)
        return RA_OK;
    if (rc != RA_ESINGULAR) {
        if (err)
            *err = qerr;
        return rc;
    }
    return nearly_singular(cx, &qerr, err);
}

/* ---------------------------------------------------------------------------------------------
 * QP runs */

/* Rows of the weight layout: group g gives sum >= min (row 2g) and -sum >= -max (row 2g+1). */
static void build_weight_layout(opt_ctx *cx)
{
    size_t n = cx->n;
    cx->layout = 0;
    cx->m_in = 2 * cx->ng;
    memset(cx->A_in, 0, cx->m_in * n * sizeof *cx->A_in);
    for (size_t g = 0; g < cx->ng; g++) {
        const ra_opt_group *G = &cx->p->groups[g];
        for (size_t k = 0; k < G->n_members; k++) {
            cx->A_in[(2 * g) * n + G->members[k]] = 1.0;
            cx->A_in[(2 * g + 1) * n + G->members[k]] = -1.0;
        }
        cx->b_in[2 * g] = G->min;
        cx->b_in[2 * g + 1] = -G->max;
    }
    for (size_t j = 0; j < n; j++)
        cx->A_eq[j] = 1.0;
    cx->b_eq[0] = 1.0;
    if (cx->p->mu)
        memcpy(cx->A_eq + n, cx->p->mu, n * sizeof *cx->A_eq);
}

/* One QP on the factorised covariance with the current layout; warm-started from the previous
 * active set of the same layout (ids stored as id - m_eq so that the equality count may change). */
static ra_status qp_run(opt_ctx *cx, size_t m_eq, const double *c, ra_err *err)
{
    size_t n = cx->n;
    ra_qp_problem q = {.n = n, .G = cx->p->cov, .c = c, .m_eq = m_eq, .A_eq = cx->A_eq,
                       .b_eq = cx->b_eq, .m_in = cx->m_in, .A_in = cx->m_in ? cx->A_in : NULL,
                       .b_in = cx->m_in ? cx->b_in : NULL, .lo = cx->qlo, .hi = cx->qhi};
    ra_qp_settings s;
    ra_qp_settings_default(&s);
    if (cx->warm_layout == cx->layout && cx->n_warm) {
        size_t k = 0;
        for (size_t i = 0; i < m_eq; i++)
            cx->warm_ids[k++] = (int)i;
        for (size_t i = 0; i < cx->n_warm; i++)
            cx->warm_ids[k++] = cx->warm[i] + (int)m_eq;
        s.warm_active = cx->warm_ids;
        s.n_warm = k;
    }
    ra_qp_result r = {.x = cx->x, .y_eq = cx->y_eq, .y_in = cx->y_in, .z = cx->z,
                      .active = cx->active};
    ra_status rc = ra_qp_solve(&q, &s, cx->qpw, cx->qpw_size, &r, err);
    cx->iterations += r.iterations;
    cx->res_stat = r.res_stat;
    cx->res_prim = r.res_prim;
    cx->res_dual = r.res_dual;
    cx->res_comp = r.res_comp;
    if (rc != RA_OK) {
        cx->n_warm = 0;
        return rc;
    }
    cx->n_warm = 0;
    for (size_t i = 0; i < r.n_active; i++)
        if ((size_t)cx->active[i] >= m_eq)
            cx->warm[cx->n_warm++] = cx->active[i] - (int)m_eq;
    cx->warm_layout = cx->layout;
    return RA_OK;
}

/* Drops the warm ids of asset j's bounds (its kink state flipped, so they moved). */
static void warm_forget_bounds(opt_ctx *cx, size_t j)
{
    int lo_id = (int)(cx->m_in + j), hi_id = (int)(cx->m_in + cx->n + j);
    size_t k = 0;
    for (size_t i = 0; i < cx->n_warm; i++)
        if (cx->warm[i] != lo_id && cx->warm[i] != hi_id)
            cx->warm[k++] = cx->warm[i];
    cx->n_warm = k;
}

/* Minimum of 0.5 w'Sw + c0'w (c0 NULL: 0; optionally with mu'w = target) in the weight layout,
 * with the L1 turnover penalty h*|w - w0|_1 when the problem has one: the kink active-set method
 * of docs/methodology.md#turnover. Solution in cx->x. */
static ra_status solve_qp_l1(opt_ctx *cx, int with_target, double target, const double *c0,
                             double h, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    size_t n = cx->n, m_eq = with_target ? 2 : 1;
    cx->b_eq[1] = target;
    memcpy(cx->qlo, cx->lo, n * sizeof *cx->qlo);
    memcpy(cx->qhi, cx->hi, n * sizeof *cx->qhi);
    ra_status rc = qp_run(cx, m_eq, c0, err);
    if (rc != RA_OK || !has_turnover(p))
        return rc;

    /* The QP (G = S) gets linear term c0 +- h per asset. Initial states: the side of w0 the
     * unpenalised optimum lies on; assets whose w0 is outside their bounds have one side only. */
    const double *w0 = p->w0;
    double scale = h;
    for (size_t j = 0; j < n; j++) {
        double d = p->cov[j * n + j];
        if (d > scale)
            scale = d;
        if (w0[j] <= cx->lo[j])
            cx->state[j] = 1;
        else if (w0[j] >= cx->hi[j])
            cx->state[j] = -1;
        else
            cx->state[j] = cx->x[j] >= w0[j] ? 1 : -1;
    }
    double tol_g = OPT_KINK_TOL_GRAD * scale;
    for (int round = 0; round < OPT_KINK_MAX_ROUNDS(n); round++) {
        for (size_t j = 0; j < n; j++) {
            if (cx->state[j] > 0) {
                cx->qlo[j] = w0[j] > cx->lo[j] ? w0[j] : cx->lo[j];
                cx->qhi[j] = cx->hi[j];
                cx->c[j] = (c0 ? c0[j] : 0.0) + h;
            } else {
                cx->qlo[j] = cx->lo[j];
                cx->qhi[j] = w0[j] < cx->hi[j] ? w0[j] : cx->hi[j];
                cx->c[j] = (c0 ? c0[j] : 0.0) - h;
            }
        }
        rc = qp_run(cx, m_eq, cx->c, err);
        if (rc != RA_OK)
            return ra_err_wrap(err, "turnover-penalised solve in state round %d", round + 1);
        /* Reduced gradient without the penalty: g = S x + c0 - A_eq'y_eq - A_in'y_in. */
        for (size_t j = 0; j < n; j++) {
            double s = c0 ? c0[j] : 0.0;
            for (size_t k = 0; k < n; k++)
                s += p->cov[j * n + k] * cx->x[k];
            for (size_t i = 0; i < m_eq; i++)
                s -= cx->A_eq[i * n + j] * cx->y_eq[i];
            for (size_t i = 0; i < cx->m_in; i++)
                s -= cx->A_in[i * n + j] * cx->y_in[i];
            cx->g[j] = s;
        }
        int flips = 0;
        for (size_t j = 0; j < n; j++) {
            if (w0[j] <= cx->lo[j] || w0[j] >= cx->hi[j])
                continue;
            if (fabs(cx->x[j] - w0[j]) > OPT_KINK_AT_W0)
                continue;
            /* At the kink the subgradient condition is |g_j| <= h; outside it the objective
             * falls by moving to the other side (derivation in the methodology). */
            if (cx->state[j] > 0 && cx->g[j] > h + tol_g) {
                cx->state[j] = -1;
                warm_forget_bounds(cx, j);
                flips++;
            } else if (cx->state[j] < 0 && cx->g[j] < -h - tol_g) {
                cx->state[j] = 1;
                warm_forget_bounds(cx, j);
                flips++;
            }
        }
        if (flips == 0)
            return RA_OK;
    }
    return ra_err_set(err, RA_ENOCONV, NULL,
                      "turnover penalty: kink states still changing after %d rounds",
                      OPT_KINK_MAX_ROUNDS(n));
}

/* Minimum variance: w'Sw + cost*|w - w0|_1 = 2 * (0.5 w'Sw + (cost/2)*|w - w0|_1). */
static ra_status solve_mv(opt_ctx *cx, int with_target, double target, ra_err *err)
{
    return solve_qp_l1(cx, with_target, target, NULL, 0.5 * cx->p->turnover_cost, err);
}

/* Highest attainable return (LP), into cx->wlp and *r_max. */
static ra_status highest_return(opt_ctx *cx, double *r_max, ra_err *err)
{
    return opt_lp_extreme_return(cx, 1.0, cx->wlp, r_max, err);
}

/* ---------------------------------------------------------------------------------------------
 * Objectives */

static ra_status do_min_variance(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    ra_status rc = solve_mv(cx, 0, 0.0, err);
    if (rc == RA_OK)
        fill_result(cx, cx->x, res);
    else
        ra_err_wrap(err, "minimum-variance portfolio");
    return rc;
}

/* Mean-variance utility mu'w - (g/2) w'Sw - cost*|w - w0|_1: divided by g, the QP
 * 0.5 w'Sw - (mu/g)'w + (cost/g)*|w - w0|_1 (docs/methodology.md#client-objectives). */
static ra_status do_utility(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    double g = p->risk_aversion;
    for (size_t j = 0; j < cx->n; j++)
        cx->wtmp[j] = -p->mu[j] / g;
    ra_status rc = solve_qp_l1(cx, 0, 0.0, cx->wtmp, p->turnover_cost / g, err);
    if (rc == RA_OK)
        fill_result(cx, cx->x, res);
    else
        ra_err_wrap(err, "mean-variance utility portfolio");
    return rc;
}

static ra_status do_target_return(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    char b1[32], b2[32];
    double r_max, r_min, t = p->target;
    ra_status rc = highest_return(cx, &r_max, err);
    if (rc != RA_OK)
        return rc;
    rc = opt_lp_extreme_return(cx, -1.0, cx->wtmp, &r_min, err);
    if (rc != RA_OK)
        return rc;
    double tol = OPT_TOL_RET * (1.0 + fabs(r_max) + fabs(r_min));
    if (t > r_max + tol)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "target return %s is above the highest attainable %s",
                          num(t, b1, sizeof b1), num(r_max, b2, sizeof b2));
    if (t < r_min - tol)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "target return %s is below the lowest attainable %s",
                          num(t, b1, sizeof b1), num(r_min, b2, sizeof b2));
    if (t > r_max)
        t = r_max;
    if (t < r_min)
        t = r_min;
    rc = solve_mv(cx, 1, t, err);
    if (rc != RA_OK)
        return ra_err_wrap(err, "could not reach target return %s", num(t, b1, sizeof b1));
    fill_result(cx, cx->x, res);
    return RA_OK;
}

static ra_status do_max_sharpe(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    size_t n = cx->n;
    char b1[32], b2[32];
    double r_max;
    ra_status rc = highest_return(cx, &r_max, err);
    if (rc != RA_OK)
        return rc;
    if (!(r_max - p->rf > OPT_EXCESS_MIN * (1.0 + fabs(p->rf))))
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "no feasible portfolio has expected return above the risk-free rate %s "
                          "(highest attainable %s)",
                          num(p->rf, b1, sizeof b1), num(r_max, b2, sizeof b2));
    /* Homogenised problem in y = w / k, k = (mu - rf)'w > 0 (Cornuejols & Tutuncu 2007, 8.2):
     * min y'Sy s.t. (mu - rf)'y = 1, each a'w >= b becomes a'y - b*(1'y) >= 0, y >= 0. */
    cx->layout = 1;
    size_t m = 0;
    double *A = cx->A_in;
    for (size_t j = 0; j < n; j++) {
        if (cx->lo[j] > 0.0) { /* y_j - lo_j 1'y >= 0 */
            for (size_t k = 0; k < n; k++)
                A[m * n + k] = -cx->lo[j];
            A[m * n + j] += 1.0;
            cx->b_in[m++] = 0.0;
        }
        if (cx->hi[j] < 1.0) { /* hi_j 1'y - y_j >= 0 */
            for (size_t k = 0; k < n; k++)
                A[m * n + k] = cx->hi[j];
            A[m * n + j] -= 1.0;
            cx->b_in[m++] = 0.0;
        }
    }
    for (size_t g = 0; g < cx->ng; g++) {
        const ra_opt_group *G = &p->groups[g];
        if (G->min > 0.0) { /* sum_G y - min 1'y >= 0 */
            for (size_t k = 0; k < n; k++)
                A[m * n + k] = -G->min;
            for (size_t k = 0; k < G->n_members; k++)
                A[m * n + G->members[k]] += 1.0;
            cx->b_in[m++] = 0.0;
        }
        if (G->max < 1.0) { /* max 1'y - sum_G y >= 0 */
            for (size_t k = 0; k < n; k++)
                A[m * n + k] = G->max;
            for (size_t k = 0; k < G->n_members; k++)
                A[m * n + G->members[k]] -= 1.0;
            cx->b_in[m++] = 0.0;
        }
    }
    cx->m_in = m;
    for (size_t j = 0; j < n; j++) {
        cx->A_eq[j] = p->mu[j] - p->rf;
        cx->qlo[j] = 0.0;
        cx->qhi[j] = INFINITY;
    }
    cx->b_eq[0] = 1.0;
    cx->n_warm = 0;
    cx->warm_layout = -1;
    rc = qp_run(cx, 1, NULL, err);
    if (rc != RA_OK)
        return ra_err_wrap(err, "maximum sharpe ratio");
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += cx->x[j];
    if (!(s > 0.0))
        return ra_err_set(err, RA_EINTERNAL, NULL, "homogenised solution has 1'y = %g", s);
    for (size_t j = 0; j < n; j++)
        cx->wtmp[j] = cx->x[j] / s;
    fill_result(cx, cx->wtmp, res);
    return RA_OK;
}

/* Volatility of the (penalised) minimum-variance portfolio at target return r, in cx->x. */
static ra_status vol_at(opt_ctx *cx, double r, double *vol, ra_err *err)
{
    ra_status rc = solve_mv(cx, 1, r, err);
    if (rc != RA_OK)
        return rc;
    double v = quad(cx->p->cov, cx->x, cx->n);
    *vol = sqrt(v > 0.0 ? v : 0.0);
    return RA_OK;
}

static ra_status do_target_vol(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    const ra_opt_problem *p = cx->p;
    char b1[32], b2[32];
    double sig = p->target, r_max, tol = OPT_TOL_VOL_REL * sig;
    ra_status rc = highest_return(cx, &r_max, err);
    if (rc != RA_OK)
        return rc;
    rc = solve_mv(cx, 0, 0.0, err);
    if (rc != RA_OK)
        return ra_err_wrap(err, "minimum-variance portfolio");
    double v0 = quad(p->cov, cx->x, cx->n), s_mv = sqrt(v0 > 0.0 ? v0 : 0.0), r_mv = 0.0;
    for (size_t j = 0; j < cx->n; j++)
        r_mv += p->mu[j] * cx->x[j];
    if (sig < s_mv - tol)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "target volatility %s is below the minimum attainable %s",
                          num(sig, b1, sizeof b1), num(s_mv, b2, sizeof b2));
    if (sig <= s_mv + tol || r_mv >= r_max) {
        fill_result(cx, cx->x, res);
        return RA_OK;
    }
    double a = r_mv, fa = s_mv - sig, b = r_max, fb, sb;
    rc = vol_at(cx, r_max, &sb, err);
    if (rc != RA_OK)
        return ra_err_wrap(err, "maximum-return portfolio");
    fb = sb - sig;
    if (fb <= tol) { /* target at or above the maximum-return portfolio's volatility */
        fill_result(cx, cx->x, res);
        return RA_OK;
    }
    /* Safeguarded regula falsi (Illinois) on f(r) = vol(r) - target, bracket [a, b] with
     * f(a) < 0 < f(b); vol is increasing on [r_mv, r_max] (docs/methodology.md). A bisection
     * step replaces the secant step when it leaves the middle 98% of the bracket or when the
     * bracket did not halve over the last three steps. */
    int side = 0, since_halved = 0;
    double width = b - a;
    for (int it = 0; it < OPT_VOL_MAX_ITER; it++) {
        double r = b - fb * (b - a) / (fb - fa);
        double lo_ok = a + 0.01 * (b - a), hi_ok = b - 0.01 * (b - a);
        if (!(r > lo_ok && r < hi_ok) || since_halved >= 3)
            r = 0.5 * (a + b);
        double s, f;
        rc = vol_at(cx, r, &s, err);
        if (rc != RA_OK)
            return ra_err_wrap(err, "target volatility search at return %.17g", r);
        f = s - sig;
        if (fabs(f) <= tol || b - a <= 4.0 * 2.2e-16 * (fabs(a) + fabs(b))) {
            fill_result(cx, cx->x, res);
            if (fabs(f) > tol)
                return ra_err_set(err, RA_ENOCONV, NULL,
                                  "target volatility %s: return bracket collapsed at volatility "
                                  "%.12g", num(sig, b1, sizeof b1), s);
            return RA_OK;
        }
        if (f < 0.0) {
            a = r;
            fa = f;
            if (side == -1)
                fb *= 0.5;
            side = -1;
        } else {
            b = r;
            fb = f;
            if (side == 1)
                fa *= 0.5;
            side = 1;
        }
        if (b - a <= 0.5 * width) {
            width = b - a;
            since_halved = 0;
        } else {
            since_halved++;
        }
    }
    fill_result(cx, cx->x, res);
    return ra_err_set(err, RA_ENOCONV, NULL, "target volatility %s not reached in %d steps",
                      num(sig, b1, sizeof b1), OPT_VOL_MAX_ITER);
}

/* Equal risk contributions: Spinu (2013), min 0.5 y'Sy - sum b_j ln y_j over y > 0, b_j = 1/n;
 * Newton with Armijo backtracking that also keeps y > 0; w = y / 1'y. */
static double rp_objective(const double *S, const double *y, size_t n, double b)
{
    double lg = 0.0;
    for (size_t j = 0; j < n; j++)
        lg += log(y[j]);
    return 0.5 * quad(S, y, n) - b * lg;
}

static double rp_spread(const double *S, const double *y, size_t n, double *wout)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += y[j];
    for (size_t j = 0; j < n; j++)
        wout[j] = y[j] / s;
    double mn = INFINITY, mx = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        double r = 0.0;
        for (size_t k = 0; k < n; k++)
            r += S[j * n + k] * wout[k];
        r *= wout[j];
        mn = r < mn ? r : mn;
        mx = r > mx ? r : mx;
        sum += r;
    }
    return (mx - mn) / (sum / (double)n);
}

static ra_status do_risk_parity(opt_ctx *cx, ra_opt_result *res, ra_err *err)
{
    const double *S = cx->p->cov;
    size_t n = cx->n;
    double b = 1.0 / (double)n;
    double *y = cx->rp, *gr = cx->rp + n, *d = cx->rp + 2 * n, *yt = cx->rp + 3 * n, *H = cx->chol;
    /* Start on the scaled inverse-volatility portfolio: at the optimum y'Sy = sum b = 1. */
    for (size_t j = 0; j < n; j++)
        y[j] = 1.0 / sqrt(S[j * n + j]);
    double q = quad(S, y, n);
    for (size_t j = 0; j < n; j++)
        y[j] /= sqrt(q);
    double F = rp_objective(S, y, n, b), spread = rp_spread(S, y, n, cx->wtmp);
    int it = 0;
    while (spread > OPT_RP_TOL_SPREAD) {
        if (it >= OPT_RP_MAX_ITER)
            break;
        it++;
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < n; k++) {
                s += S[j * n + k] * y[k];
                H[j * n + k] = S[j * n + k];
            }
            gr[j] = s - b / y[j];
            H[j * n + j] += b / (y[j] * y[j]);
            d[j] = -gr[j];
        }
        lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, H, (lapack_int)n,
                                        d, 1);
        if (info != 0)
            return ra_err_set(err, info > 0 ? RA_ESINGULAR : RA_EINTERNAL, NULL,
                              "risk parity newton system could not be solved (lapack info %d)",
                              (int)info);
        double slope = 0.0, t = 1.0;
        for (size_t j = 0; j < n; j++) {
            slope += gr[j] * d[j];
            if (d[j] < 0.0 && -0.99 * y[j] / d[j] < t)
                t = -0.99 * y[j] / d[j];
        }
        if (!(slope < 0.0))
            break; /* no descent left: rounding floor, judged by the spread below */
        double Ft;
        /* f/b is self-concordant (sum of -ln y_j and a convex quadratic over b), so once its
         * Newton decrement squared, -slope/b, is below 1/16 the full step stays inside the domain
         * and converges quadratically (Nesterov & Nemirovski; Boyd & Vandenberghe 9.6). Armijo
         * tests there compare objective values that differ below rounding and would stall. */
        if (-slope / b < 0.0625 && t >= 1.0) {
            for (size_t j = 0; j < n; j++)
                y[j] += d[j];
            F = rp_objective(S, y, n, b);
            spread = rp_spread(S, y, n, cx->wtmp);
            continue;
        }
        for (;;) {
            for (size_t j = 0; j < n; j++)
                yt[j] = y[j] + t * d[j];
            Ft = rp_objective(S, yt, n, b);
            if (Ft <= F + OPT_RP_ARMIJO * t * slope || t < 1e-12)
                break;
            t *= 0.5;
        }
        if (t < 1e-12)
            break;
        memcpy(y, yt, n * sizeof *y);
        F = Ft;
        spread = rp_spread(S, y, n, cx->wtmp);
    }
    cx->iterations = it;
    double gmax = 0.0, s = 0.0;
    for (size_t j = 0; j < n; j++) {
        double r = 0.0;
        for (size_t k = 0; k < n; k++)
            r += S[j * n + k] * y[k];
        r = fabs(r - b / y[j]);
        gmax = r > gmax ? r : gmax;
        s += cx->wtmp[j];
    }
    cx->res_stat = gmax;
    cx->res_prim = fabs(s - 1.0);
    cx->res_dual = 0.0;
    cx->res_comp = 0.0;
    fill_result(cx, cx->wtmp, res);
    if (spread > OPT_RP_TOL_SPREAD)
        return ra_err_set(err, RA_ENOCONV, NULL,
                          "risk contributions still differ by %.3g (relative) after %d newton "
                          "steps", spread, it);
    return RA_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Entry points */

static ra_status setup(opt_ctx *cx, const ra_opt_problem *p, ra_opt_objective obj, void *work,
                       size_t work_size, ra_err *err)
{
    ra_status rc = validate(p, obj, err);
    if (rc != RA_OK)
        return rc;
    size_t need = ra_opt_workspace_size(p->n, p->n_groups);
    if (!work || work_size < need)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "workspace of %zu bytes is smaller than the %zu needed for %zu assets "
                          "and %zu groups", work ? work_size : 0, need, p->n, p->n_groups);
    memset(cx, 0, sizeof *cx);
    unsigned char *base = work;
    size_t mis = (size_t)((uintptr_t)base % ALIGN);
    if (mis)
        base += ALIGN - mis;
    layout(cx, base, p->n, p->n_groups);
    cx->p = p;
    cx->n = p->n;
    cx->ng = p->n_groups;
    cx->warm_layout = -1;
    for (size_t j = 0; j < cx->n; j++) {
        cx->lo[j] = p->lo ? p->lo[j] : 0.0;
        cx->hi[j] = p->hi ? p->hi[j] : 1.0;
    }
    rc = precheck(cx, err);
    if (rc != RA_OK)
        return rc;
    build_weight_layout(cx);
    return RA_OK;
}

static void clear_result(ra_opt_result *res, size_t n)
{
    double *w = res->w;
    memset(res, 0, sizeof *res);
    res->w = w;
    if (w)
        for (size_t j = 0; j < n; j++)
            w[j] = NAN;
    res->expected_return = res->volatility = res->sharpe = NAN;
}

ra_status ra_opt_solve(const ra_opt_problem *p, ra_opt_objective obj, void *work, size_t work_size,
                       ra_opt_result *res, ra_err *err)
{
    if (!res || !res->w)
        return ra_err_set(err, RA_EINVAL, NULL, "result with room for the weights is required");
    if (p && p->n <= OPT_MAX_ASSETS)
        clear_result(res, p->n);
    if (obj == RA_OPT_FRONTIER)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the frontier is a set of portfolios: solve it with the frontier call");
    opt_ctx cx;
    ra_status rc = setup(&cx, p, obj, work, work_size, err);
    if (rc != RA_OK)
        return rc;
    double t0 = now_ms(p);
    /* Groups can conflict in ways the pre-checks do not name: let phase I of the LP decide
     * before the QP reports constraint ids. Objectives that need mu run the LP anyway. */
    if (obj == RA_OPT_MIN_VARIANCE && cx.ng > 0) {
        double dummy;
        rc = opt_lp_extreme_return(&cx, 0.0, cx.wlp, &dummy, err);
        if (rc != RA_OK)
            return rc;
    }
    /* minimum variance and the utility with the budget and bounds alone take the free-set
     * path; anything with more rows factorises the whole covariance once */
    int lazy = (obj == RA_OPT_MIN_VARIANCE || obj == RA_OPT_UTILITY) && cx.ng == 0;
    rc = check_pd_and_factor(&cx, obj == RA_OPT_RISK_PARITY ? 0 : lazy ? 2 : 1, err);
    if (rc != RA_OK)
        return rc;
    double t1 = now_ms(p);
    /* indexed by ra_opt_objective */
    static ra_status (*const solve_obj[])(opt_ctx *, ra_opt_result *, ra_err *) = {
        [RA_OPT_MIN_VARIANCE] = do_min_variance, [RA_OPT_MAX_SHARPE] = do_max_sharpe,
        [RA_OPT_TARGET_RETURN] = do_target_return, [RA_OPT_TARGET_VOLATILITY] = do_target_vol,
        [RA_OPT_RISK_PARITY] = do_risk_parity, [RA_OPT_UTILITY] = do_utility};
    if ((size_t)obj < sizeof solve_obj / sizeof solve_obj[0] && solve_obj[obj])
        rc = solve_obj[obj](&cx, res, err);
    else
        rc = ra_err_set(err, RA_EINTERNAL, NULL, "objective %d slipped through", (int)obj);
    if (rc == RA_ESINGULAR && lazy && err) { /* the solve factorised and refused: name it */
        ra_err qerr = *err;
        memcpy(cx.chol, p->cov, p->n * p->n * sizeof *cx.chol);
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)p->n, cx.chol,
                                         (lapack_int)p->n);
        char b1[32];
        if (info > 0)
            rc = ra_err_set(err, RA_ESINGULAR, asset_name(p, (size_t)info - 1, b1, sizeof b1),
                            "covariance is not positive definite at asset %s (column %d): its "
                            "variance is explained by the assets before it or it has none; "
                            "estimate with more observations than assets or use ledoit-wolf "
                            "shrinkage", b1, (int)info);
        else if (info == 0)
            rc = nearly_singular(&cx, &qerr, err);
    }
    double t2 = now_ms(p);
    res->setup_ms = t1 - t0;
    res->solve_ms = t2 - t1;
    res->iterations = cx.iterations;
    return rc;
}

ra_status ra_opt_frontier(const ra_opt_problem *p, size_t k, void *work, size_t work_size,
                          ra_opt_result *res, ra_err *err)
{
    if (k < 2)
        return ra_err_set(err, RA_EINVAL, NULL, "frontier needs at least 2 points, got %zu", k);
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "results for the frontier points are required");
    for (size_t i = 0; i < k; i++) {
        if (!res[i].w)
            return ra_err_set(err, RA_EINVAL, NULL, "frontier point %zu has no room for weights",
                              i + 1);
        if (p && p->n <= OPT_MAX_ASSETS)
            clear_result(&res[i], p->n);
    }
    opt_ctx cx;
    ra_status rc = setup(&cx, p, RA_OPT_FRONTIER, work, work_size, err);
    if (rc != RA_OK)
        return rc;
    double t0 = now_ms(p), r_max;
    rc = highest_return(&cx, &r_max, err);
    if (rc != RA_OK)
        return rc;
    rc = check_pd_and_factor(&cx, 1, err);
    if (rc != RA_OK)
        return rc;
    double t1 = now_ms(p);
    res[0].setup_ms = t1 - t0;
    rc = solve_mv(&cx, 0, 0.0, err);
    if (rc != RA_OK)
        return ra_err_wrap(err, "frontier point 1 (minimum variance)");
    fill_result(&cx, cx.x, &res[0]);
    double t2 = now_ms(p);
    res[0].solve_ms = t2 - t1;
    double r_mv = res[0].expected_return;
    int flat = !(r_max - r_mv > OPT_TOL_RET * (1.0 + fabs(r_max)));
    for (size_t i = 1; i < k; i++) {
        double ts = now_ms(p);
        cx.iterations = 0;
        if (!flat) {
            double r = i == k - 1 ? r_max : r_mv + (r_max - r_mv) * (double)i / (double)(k - 1);
            rc = solve_mv(&cx, 1, r, err);
            if (rc != RA_OK)
                return ra_err_wrap(err, "frontier point %zu (target return %.17g)", i + 1, r);
        }
        fill_result(&cx, cx.x, &res[i]);
        res[i].solve_ms = now_ms(p) - ts;
    }
    return RA_OK;
}
