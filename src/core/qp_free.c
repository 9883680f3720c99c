/* Free-set primal active-set method for box bounds and at most one equality row
 * (src/core/qp_int.h, docs/methodology.md#qp-free-set).
 *
 * Written from the published descriptions:
 *   - J. Nocedal, S. Wright (2006), Numerical Optimization, 2nd ed., algorithm 16.3 (primal
 *     active-set method) and 16.2 (range-space solution of the equality-constrained subproblem).
 *   - P.E. Gill, W. Murray, M.H. Wright (1981), Practical Optimization, sec. 5.2.4 and 10.3
 *     (bound constraints handled by fixing variables) and P.E. Gill, G.H. Golub, W. Murray,
 *     M.A. Saunders (1974), "Methods for modifying matrix factorizations", Math. Comp. 28:505-535
 *     (adding a row and column to a Cholesky factor by bordering; deleting one by Givens
 *     rotations of the resulting upper Hessenberg matrix).
 *   - M.J. Best, J.K. Kale (2000), "Quadratic programming for large-scale portfolio
 *     optimization", and H. Markowitz's critical line method: in a portfolio problem only the
 *     assets strictly between their bounds (the free set) need a factor; they are few.
 *
 * Method. Variables are either fixed at a bound or free; the equality row, when present, is
 * always active. Only G_FF, the block of the free variables, is factorised (G_FF = U'U), and U is
 * updated when a variable enters (bordering: one triangular solve, O(nf^2)) or leaves the free set
 * (column deletion and Givens rotations, O(nf^2)). The start is a vertex built greedily: every
 * bounded variable at the bound with the smaller objective term, then, for the equality row, the
 * variables with the cheapest single-variable way of meeting it moved toward their other bound
 * until the row holds; the last one moved is free. For long-only minimum variance that is the
 * least risky asset at weight 1. Each iteration solves the equality-constrained problem on the
 * free variables (range space: h = U^{-T} g_F, v = U^{-T} a_F, lambda = v'h / v'v,
 * p = U^{-1}(lambda v - h)); a nonzero step is cut at the first bound it meets (that variable
 * becomes fixed), a zero step prices the fixed variables (bound multiplier g_j - lambda a_j with
 * the wrong sign) and frees the worst one. The gradient g = Gx + c is updated along the step
 * (O(n nf)); nothing of G outside the free rows is ever factorised.
 *
 * The method only chooses the active set. The caller (src/core/qp.c) re-solves on that set from
 * scratch and checks the KKT residuals; any failure here (no cheap vertex, a free block that is
 * not numerically positive definite, a dependent row, the iteration limit) returns 0 and the
 * general method takes the problem. */
#include "core/qp_int.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* A free block whose new Cholesky pivot^2 is below this times the variable's own G_jj is treated
 * as (numerically) singular: the general method, with its condition checks, takes over. */
#define RA_QP_FREE_TOL_PD 1e-12

/* A step with max |p_j| below this times (1 + max |x_F|) is rounding of a zero step (the free
 * set's minimiser was reached): the fixed variables are priced instead. */
#define RA_QP_FREE_TOL_STEP 1e-14

/* The method pays while few variables are free (each change costs O(n |F|)); once half of them
 * (and at least 64) are free it hands the problem to the general method. */
#define RA_QP_FREE_MAX_SHARE 0.5
#define RA_QP_FREE_MIN_CAP 64

static double lo_at(const ra_qp_problem *p, size_t j) { return p->lo ? p->lo[j] : -INFINITY; }
static double hi_at(const ra_qp_problem *p, size_t j) { return p->hi ? p->hi[j] : INFINITY; }
static double c_at(const ra_qp_problem *p, size_t j) { return p->c ? p->c[j] : 0.0; }

/* Appends variable j to the free set: bordering of U (G_FF = U'U). 0 if the new pivot fails. */
static int chol_add(const ra_qp_problem *p, const ra_qp_free_ws *ws, size_t *nf, size_t j)
{
    size_t n = p->n, k = *nf;
    const double *gj = p->G + j * n; /* row j = column j */
    double *u = ws->U + k * n;
    for (size_t i = 0; i < k; i++)
        u[i] = gj[ws->fidx[i]];
    if (k > 0)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)k, ws->U, (int)n, u, 1);
    double d2 = gj[j] - (k > 0 ? cblas_ddot((int)k, u, 1, u, 1) : 0.0);
    if (!(d2 > RA_QP_FREE_TOL_PD * gj[j]))
        return 0;
    u[k] = sqrt(d2);
    ws->fidx[k] = (int)j;
    *nf = k + 1;
    return 1;
}

/* Removes the free variable at position k: drops U's column k and rotates the upper Hessenberg
 * remainder back to triangular. */
static void chol_del(const ra_qp_problem *p, const ra_qp_free_ws *ws, size_t *nf, size_t k)
{
    size_t n = p->n, m = *nf;
    double *U = ws->U;
    for (size_t col = k; col + 1 < m; col++) {
        memcpy(U + col * n, U + (col + 1) * n, (col + 2) * sizeof *U);
        ws->fidx[col] = ws->fidx[col + 1];
    }
    m--;
    ra_qp_retriangularise(U, n, k, m, NULL, 0);
    *nf = m;
}

void ra_qp_retriangularise(double *R, size_t ld, size_t k0, size_t m, double *J, size_t nj)
{
    for (size_t k = k0; k < m; k++) {
        double a = R[k + k * ld], b = R[k + 1 + k * ld];
        if (b == 0.0)
            continue;
        double h = hypot(a, b), cs = a / h, sn = b / h;
        R[k + k * ld] = h;
        R[k + 1 + k * ld] = 0.0;
        if (k + 1 < m)
            cblas_drot((int)(m - k - 1), R + k + (k + 1) * ld, (int)ld, R + k + 1 + (k + 1) * ld, (int)ld,
                       cs, sn);
        if (J)
            cblas_drot((int)nj, J + k * nj, 1, J + (k + 1) * nj, 1, cs, sn);
    }
}

/* The starting vertex (see the header). Returns 0 when it cannot be built cheaply. */
static int free_start(const ra_qp_problem *p, double tol, double *x, int *bst)
{
    size_t n = p->n;
    const double *a = p->m_eq ? p->A_eq : NULL;
    long unb = -1; /* unbounded variable with the largest |a_j| */
    for (size_t j = 0; j < n; j++) {
        double lo = lo_at(p, j), hi = hi_at(p, j), gjj = p->G[j * n + j], cj = c_at(p, j);
        if (lo == hi) {
            x[j] = lo;
            bst[j] = 1;
        } else if (!isfinite(lo) && !isfinite(hi)) {
            x[j] = 0.0;
            bst[j] = 0;
            if (a && a[j] != 0.0 && (unb < 0 || fabs(a[j]) > fabs(a[unb])))
                unb = (long)j;
        } else {
            int use_lo = isfinite(lo);
            if (isfinite(lo) && isfinite(hi))
                use_lo = 0.5 * gjj * lo * lo + cj * lo <= 0.5 * gjj * hi * hi + cj * hi;
            x[j] = use_lo ? lo : hi;
            bst[j] = use_lo ? 1 : 2;
        }
    }
    if (!a)
        return 1;
    double b = p->b_eq[0];
    double r = b - cblas_ddot((int)n, a, 1, x, 1);
    if (unb >= 0) {
        x[unb] += r / a[unb];
        return 1;
    }
    for (size_t guard = 0; guard <= n; guard++) {
        double rtol = tol * (1.0 + fabs(b));
        int any = fabs(r) > rtol;
        long best = -1;
        double best_score = INFINITY;
        for (size_t j = 0; j < n; j++) {
            if (bst[j] == 0 || a[j] == 0.0)
                continue;
            double lo = lo_at(p, j), hi = hi_at(p, j), gjj = p->G[j * n + j], cj = c_at(p, j);
            if (lo == hi)
                continue;
            double t = r / a[j], score;
            if (any) {
                double cap = t > 0.0 ? hi - x[j] : x[j] - lo;
                if (!(cap > 0.0))
                    continue;
                double xt = x[j] + t; /* covering the whole residual with x_j alone */
                score = 0.5 * gjj * (xt * xt - x[j] * x[j]) + cj * t;
            } else {
                score = gjj; /* the row already holds: the least risky variable carries it */
            }
            if (score < best_score) {
                best_score = score;
                best = (long)j;
            }
        }
        if (best < 0)
            return 0; /* cannot meet the row this way (maybe infeasible): the general method says */
        size_t j = (size_t)best;
        double t = r / a[j], lo = lo_at(p, j), hi = hi_at(p, j);
        if (!any || (t > 0.0 ? x[j] + t <= hi : x[j] + t >= lo)) {
            x[j] += any ? t : 0.0;
            bst[j] = 0;
            return 1;
        }
        x[j] = t > 0.0 ? hi : lo;
        bst[j] = t > 0.0 ? 2 : 1;
        r = b - cblas_ddot((int)n, a, 1, x, 1);
    }
    return 0;
}

int ra_qp_free_run(const ra_qp_problem *p, double tol, int max_iter, const ra_qp_free_ws *ws,
                   double *x, int *bst, int *iters)
{
    size_t n = p->n, nf = 0;
    *iters = 0;
    if (p->m_in != 0 || p->m_eq > 1)
        return 0;
    if (!free_start(p, tol, x, bst))
        return 0;
    const double *a = p->m_eq ? p->A_eq : NULL;
    double *g = ws->g, *pv = ws->p, *h = ws->h, *v = ws->v;
    for (size_t j = 0; j < n; j++)
        if (bst[j] == 0 && !chol_add(p, ws, &nf, j))
            return 0;
    /* g = Gx + c over the nonzero entries of x */
    for (size_t j = 0; j < n; j++)
        g[j] = c_at(p, j);
    for (size_t j = 0; j < n; j++)
        if (x[j] != 0.0)
            cblas_daxpy((int)n, x[j], p->G + j * n, 1, g, 1);
    int at_min = 0; /* x minimises over the current free set (the last step was a full one) */
    for (int it = 0; it < max_iter; it++) {
        double lambda = 0.0;
        if (nf == 0 && a)
            return 0;
        if (nf > 0) {
            for (size_t i = 0; i < nf; i++)
                h[i] = g[ws->fidx[i]];
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)nf, ws->U, (int)n, h, 1);
            if (a) {
                for (size_t i = 0; i < nf; i++)
                    v[i] = a[ws->fidx[i]];
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)nf, ws->U, (int)n, v, 1);
                double vv = cblas_ddot((int)nf, v, 1, v, 1);
                if (!(vv > 0.0))
                    return 0; /* the row has no free variable left */
                lambda = cblas_ddot((int)nf, v, 1, h, 1) / vv;
            }
        }
        double pmax = 0.0;
        if (!at_min && nf > 0) {
            for (size_t i = 0; i < nf; i++)
                pv[i] = (a ? lambda * v[i] : 0.0) - h[i];
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)nf, ws->U, (int)n, pv, 1);
            for (size_t i = 0; i < nf; i++)
                pmax = fmax(pmax, fabs(pv[i]));
        }
        double xmax = 0.0;
        for (size_t i = 0; i < nf; i++)
            xmax = fmax(xmax, fabs(x[ws->fidx[i]]));
        if (pmax <= RA_QP_FREE_TOL_STEP * (1.0 + xmax)) {
            /* pricing: the fixed variable whose bound multiplier has the wrong sign by most */
            double gmax = 0.0;
            for (size_t j = 0; j < n; j++)
                gmax = fmax(gmax, fabs(g[j]));
            double ztol = tol * (1.0 + gmax + (a ? fabs(lambda) : 0.0)), worst = ztol;
            long best = -1;
            for (size_t j = 0; j < n; j++) {
                if (bst[j] == 0 || lo_at(p, j) == hi_at(p, j))
                    continue;
                double zj = g[j] - (a ? lambda * a[j] : 0.0), viol = bst[j] == 1 ? -zj : zj;
                if (viol > worst) {
                    worst = viol;
                    best = (long)j;
                }
            }
            if (best < 0)
                return 1;
            if (nf >= RA_QP_FREE_MAX_SHARE * n && nf >= RA_QP_FREE_MIN_CAP)
                return 0; /* a dense answer: the whole factor and the fast phase are cheaper */
            if (!chol_add(p, ws, &nf, (size_t)best))
                return 0;
            bst[best] = 0;
            (*iters)++;
            at_min = 0;
            continue;
        }
        /* ratio test: the first bound the step meets */
        double alpha = 1.0;
        long block = -1;
        int block_st = 0;
        for (size_t i = 0; i < nf; i++) {
            size_t j = (size_t)ws->fidx[i];
            double t;
            if (pv[i] < 0.0 && isfinite(lo_at(p, j)) && (t = (lo_at(p, j) - x[j]) / pv[i]) < alpha) {
                alpha = t;
                block = (long)i;
                block_st = 1;
            } else if (pv[i] > 0.0 && isfinite(hi_at(p, j)) && (t = (hi_at(p, j) - x[j]) / pv[i]) < alpha) {
                alpha = t;
                block = (long)i;
                block_st = 2;
            }
        }
        alpha = fmax(alpha, 0.0);
        for (size_t i = 0; i < nf; i++) {
            size_t j = (size_t)ws->fidx[i];
            x[j] += alpha * pv[i];
            cblas_daxpy((int)n, alpha * pv[i], p->G + j * n, 1, g, 1);
        }
        if (block < 0) {
            at_min = 1;
            continue;
        }
        size_t j = (size_t)ws->fidx[block];
        x[j] = block_st == 1 ? lo_at(p, j) : hi_at(p, j);
        bst[j] = block_st;
        chol_del(p, ws, &nf, (size_t)block);
        (*iters)++;
        at_min = 0;
    }
    return 0;
}
