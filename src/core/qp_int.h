/* Internal entry points of the QP solver (src/core/qp.c), for tests and benchmarks.
 * The public contract is include/roboadvisor/qp.h; this only adds a way to force one method and
 * to see which phase produced the answer. */
#ifndef RA_CORE_QP_INT_H
#define RA_CORE_QP_INT_H

#include <roboadvisor/qp.h>

typedef enum ra_qp_method {
    RA_QP_METHOD_AUTO = 0, /* what ra_qp_solve does: fast bound phase when it pays, then dual */
    RA_QP_METHOD_DUAL,     /* Goldfarb-Idnani dual active-set method only */
    RA_QP_METHOD_FAST      /* always try the primal-dual bound phase first (falls back to dual) */
} ra_qp_method;

typedef struct ra_qp_info {
    int fast_tried;     /* the primal-dual active-set phase ran */
    int fast_converged; /* ... and its answer was accepted */
    int fast_iters;     /* its linear solves */
    int dual_iters;     /* active-set changes of the dual method */
    int polished;       /* the answer was re-solved on its active set to meet the tolerances */
} ra_qp_info;

/* ra_qp_solve with a chosen method; info may be NULL. */
ra_status ra_qp_solve_method(const ra_qp_problem *p, const ra_qp_settings *s, void *work,
                             size_t work_size, ra_qp_method method, ra_qp_result *res,
                             ra_qp_info *info, ra_err *err);

#endif
