/* Internal entry points of the QP solver (src/core/qp.c), for tests and benchmarks.
 * The public contract is include/roboadvisor/qp.h; this only adds a way to force one method and
 * to see which phase produced the answer. */
#ifndef RA_CORE_QP_INT_H
#define RA_CORE_QP_INT_H

#include <roboadvisor/qp.h>

typedef enum ra_qp_method {
    RA_QP_METHOD_AUTO = 0, /* what ra_qp_solve does: fast bound phase when it pays, then dual */
    RA_QP_METHOD_DUAL,     /* Goldfarb-Idnani dual active-set method only */
    RA_QP_METHOD_FAST,     /* always try the primal-dual bound phase first (falls back to dual) */
    RA_QP_METHOD_FREE      /* always try the free-set primal method first (src/core/qp_free.c;
                            * falls back to what AUTO does after it) */
} ra_qp_method;

typedef struct ra_qp_info {
    int fast_tried;     /* the primal-dual active-set phase ran */
    int fast_converged; /* ... and its answer was accepted */
    int fast_iters;     /* its linear solves */
    int dual_iters;     /* active-set changes of the dual method */
    int polished;       /* the answer was re-solved on its active set to meet the tolerances */
    int free_tried;     /* the free-set primal method ran */
    int free_converged; /* ... and its answer was accepted */
    int free_iters;     /* its active-set changes */
    int full_factor;    /* the whole G was factorised during this call (lazy setup) */
} ra_qp_info;

/* ra_qp_solve with a chosen method; info may be NULL. */
ra_status ra_qp_solve_method(const ra_qp_problem *p, const ra_qp_settings *s, void *work,
                             size_t work_size, ra_qp_method method, ra_qp_result *res,
                             ra_qp_info *info, ra_err *err);

/* Free-set primal active-set method (src/core/qp_free.c) for problems with box bounds, at most
 * one equality row and no inequality rows; only G restricted to the free variables is
 * factorised, and updated as variables enter or leave their bounds. Scratch: U at least n*n
 * doubles (leading dimension n), g, p, h, v n doubles each, fidx n ints. On return 1, x is the
 * minimiser's estimate and bst the bound state (0 free, 1 at lower, 2 at upper); the caller
 * re-solves on that active set and checks it. Returns 0 when the problem does not fit or the
 * method gave up (the general method then solves it). */
typedef struct ra_qp_free_ws {
    double *U, *g, *p, *h, *v;
    int *fidx;
} ra_qp_free_ws;

/* R (leading dimension ld) upper triangular in its first m columns except for one subdiagonal
 * entry R[k+1][k] in each column k >= k0 (what deleting column k0 of a triangle leaves): Givens
 * rotations of rows k, k+1 restore the triangle; when J is given (nj x nj, column-major) the same
 * rotations act on its columns k, k+1 (the Goldfarb-Idnani J = L^{-T} Q). */
void ra_qp_retriangularise(double *R, size_t ld, size_t k0, size_t m, double *J, size_t nj);

int ra_qp_free_run(const ra_qp_problem *p, double tol, int max_iter, const ra_qp_free_ws *ws,
                   double *x, int *bst, int *iters);

#endif
