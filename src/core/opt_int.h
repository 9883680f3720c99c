/* Shared between src/core/opt.c, opt_lp.c and objective.c; not public. */
#ifndef ROBOADVISOR_OPT_INT_H
#define ROBOADVISOR_OPT_INT_H

#include <roboadvisor/opt.h>

/* One solve's state, carved from the caller's workspace (see layout() in opt.c). */
typedef struct opt_ctx {
    const ra_opt_problem *p;
    size_t n, ng;
    double *lo, *hi;             /* n effective bounds (p->lo/p->hi or 0 and 1) */
    void *qpw;                   /* QP workspace for (n, 2, 2n + 2ng) */
    size_t qpw_size;
    double *A_eq, *b_eq;         /* 2 x n, 2 */
    double *A_in, *b_in;         /* (2n + 2ng) x n, 2n + 2ng */
    double *qlo, *qhi, *c;       /* n each: the bounds and linear term passed to the QP */
    double *x, *y_eq, *y_in, *z; /* QP result: n, 2, 2n + 2ng, n */
    double *g, *wtmp, *wlp;      /* n each: scratch */
    double *chol;                /* n x n: Cholesky check, then the risk-parity Hessian */
    double *rp;                  /* 4n: risk-parity y, gradient, step, trial point */
    double *tab;                 /* LP tableau, (rows + 1) x cols of opt_lp_* */
    int *basis;                  /* LP rows */
    signed char *lp_sense;       /* LP rows */
    int *active, *warm, *warm_ids; /* n + 2 + 2n + 2ng each */
    signed char *state;          /* n: turnover kink states, +1 or -1 */
    size_t n_warm;               /* canonical warm ids (id - m_eq) held in warm */
    int warm_layout;             /* layout the warm ids belong to (-1: none) */
    size_t m_in;                 /* inequality rows of the current layout */
    int layout;                  /* 0: weights (groups), 1: max-Sharpe homogenised */
    int iterations;              /* QP iterations since the last reset */
    double res_stat, res_prim, res_dual, res_comp;
} opt_ctx;

size_t opt_lp_rows(size_t n, size_t n_groups);
size_t opt_lp_cols(size_t n, size_t n_groups);

/* sign +1: highest attainable mu'w over bounds, budget and groups; -1: lowest; 0: only check that
 * a feasible portfolio exists (mu unused). w_out (n) gets the optimal vertex, *value its mu'w.
 * RA_EINFEASIBLE when the constraints have no common point. */
ra_status opt_lp_extreme_return(const opt_ctx *cx, double sign, double *w_out, double *value,
                                ra_err *err);

/* x'Sy for a row-major n*n S (row sums first: x'Sx is the variance opt.c reports); also used by
 * objective.c. */
static inline double opt_quad(const double *S, const double *x, const double *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = 0.0;
        for (size_t j = 0; j < n; j++)
            r += S[i * n + j] * y[j];
        s += x[i] * r;
    }
    return s;
}

#endif
