/* roboadvisor: dense convex quadratic programming (src/core/qp.c).
 *
 *   minimise    0.5 x'Gx + c'x
 *   subject to  A_eq x  = b_eq      (m_eq rows)
 *               A_in x >= b_in      (m_in rows)
 *               lo <= x <= hi       (simple bounds, handled as bounds, not as rows)
 *
 * G must be symmetric positive definite. Our own solver (Debian packages no maintained C QP
 * solver): see the header comment of src/core/qp.c for the method and docs/methodology.md#qp.
 *
 * Memory: the caller allocates one workspace of ra_qp_workspace_size(n, m_eq, m_in) bytes and may
 * reuse it for any number of problems of that size or smaller; the solver never allocates.
 * ra_qp_factor() factorises G into the workspace ("setup"); ra_qp_solve() then solves any number
 * of problems with that same G and different c, constraints and bounds (a frontier factorises once).
 * ra_qp_setup() is the lazy alternative: it checks G and leaves the factorisation to the solves,
 * which factorise only what each problem's active set needs (see there). */
#ifndef ROBOADVISOR_QP_H
#define ROBOADVISOR_QP_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_qp_problem {
    size_t n;            /* variables, >= 1 */
    const double *G;     /* n*n row-major, symmetric positive definite; borrowed */
    const double *c;     /* n, or NULL for zero */
    size_t m_eq;         /* equality rows, 0 <= m_eq <= n */
    const double *A_eq;  /* m_eq*n row-major (NULL if m_eq == 0) */
    const double *b_eq;  /* m_eq */
    size_t m_in;         /* inequality rows */
    const double *A_in;  /* m_in*n row-major: A_in x >= b_in (NULL if m_in == 0) */
    const double *b_in;  /* m_in */
    const double *lo;    /* n lower bounds, -INFINITY for none; NULL = no lower bounds */
    const double *hi;    /* n upper bounds, +INFINITY for none; NULL = no upper bounds */
} ra_qp_problem;

typedef struct ra_qp_settings {
    int max_iter;         /* active-set changes before RA_ENOCONV; 0 (the default) = 50*(n+m_in) + 1000 */
    double tol;           /* feasibility and multiplier sign tolerance (scaled); default 1e-12 */
    double rcond_min;     /* G with reciprocal condition below this is RA_ESINGULAR; default 1e-14 */
    const int *warm_active; /* optional warm start: constraint ids believed active (see below), e.g.
                             * the previous frontier point's res->active. Borrowed. Equality ids are
                             * ignored (always active); a set that is not dual feasible for the new
                             * problem is pruned or dropped, so a wrong guess costs time, not accuracy */
    size_t n_warm;
} ra_qp_settings;

/* Constraint ids, used for warm starts and in the result's active set:
 *   0 .. m_eq-1                      equality rows
 *   m_eq .. m_eq+m_in-1              inequality rows
 *   m_eq+m_in+j                      lower bound of x[j]
 *   m_eq+m_in+n+j                    upper bound of x[j]                                          */

typedef struct ra_qp_result {
    double *x;          /* n; caller-provided, required */
    double *y_eq;       /* m_eq multipliers of the equality rows; caller-provided or NULL */
    double *y_in;       /* m_in multipliers (>= 0) of the inequality rows; or NULL */
    double *z;          /* n bound multipliers (z[j] > 0 at lower, < 0 at upper, 0 free); or NULL */
    int *active;        /* n + m_eq + m_in slots for the final active set ids; or NULL */
    size_t n_active;
    double obj;         /* 0.5 x'Gx + c'x at x */
    int iterations;     /* active-set changes counted from the starting set (the equalities plus an
                         * accepted warm start); each bound or row entering or leaving counts one */
    /* KKT residuals of the returned point, infinity norms, unscaled:
     * stationarity |Gx + c - A_eq'y_eq - A_in'y_in - z|, primal (equality error and constraint
     * and bound violation), dual (negative inequality multipliers or wrong-signed z),
     * complementarity max |y_in_i * slack_i| and |z_j * bound slack_j|. */
    double res_stat, res_prim, res_dual, res_comp;
} ra_qp_result;

RA_API void ra_qp_settings_default(ra_qp_settings *s);
/* Exact bytes for problems of up to these sizes (0 if the sizes overflow). ra_qp_factor needs at
 * least ra_qp_workspace_size(n, 0, 0); ra_qp_solve needs ra_qp_workspace_size(n, m_eq, m_in). */
RA_API size_t ra_qp_workspace_size(size_t n, size_t m_eq, size_t m_in);

/* Factorises G (n x n) into work. RA_ESINGULAR if G is not positive definite (message names the
 * 1-based leading minor that fails) or its reciprocal condition number is below s->rcond_min
 * (message gives the estimate). s may be NULL for defaults. */
RA_API RA_NODISCARD ra_status ra_qp_factor(const double *G, size_t n, const ra_qp_settings *s,
                                           void *work, size_t work_size, ra_err *err);

/* Lazy setup: the checks of ra_qp_factor that cost O(n^2) (finite, symmetric, positive diagonal;
 * RA_EINVAL / RA_ESINGULAR as there) without factorising G. ra_qp_solve then factorises only
 * what a problem's active set needs: problems with bounds, at most one equality row and no
 * inequality rows (long-only minimum variance, a risk-aversion objective with a budget) are
 * solved by the free-set method, which factorises only G's block of the free variables and
 * updates it as variables enter and leave their bounds (docs/methodology.md#qp); any other problem,
 * or one the free-set method gives up on, makes ra_qp_solve factorise the whole G first, with
 * ra_qp_factor's checks and messages (RA_ESINGULAR from the solve), and keep the factor in work
 * for later solves. Positive definiteness of G is then verified only on the blocks factorised:
 * the caller vouches for the rest (a covariance estimate, or checked as src/core/opt.c does).
 * Use ra_qp_factor when G may be indefinite and the answer must say so. */
RA_API RA_NODISCARD ra_status ra_qp_setup(const double *G, size_t n, const ra_qp_settings *s,
                                          void *work, size_t work_size, ra_err *err);

/* Solves p with the G factorised (or set up) last into work (same n and G pointer contents; RA_EINVAL if work
 * holds no factor of size p->n or p->G's diagonal differs from the factorised one). Returns RA_OK with a point meeting the KKT conditions to
 * s->tol-scaled tolerances; RA_EINFEASIBLE if the constraints have no common point (message
 * names the constraint ids that conflict, res holds the last iterate); RA_ENOCONV after
 * s->max_iter; RA_EINVAL on malformed input (lo > hi, NaN, m_eq > n, ...). */
RA_API RA_NODISCARD ra_status ra_qp_solve(const ra_qp_problem *p, const ra_qp_settings *s,
                                          void *work, size_t work_size, ra_qp_result *res,
                                          ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
