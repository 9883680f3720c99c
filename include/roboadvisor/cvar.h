/* roboadvisor: conditional value at risk over historical scenarios (src/core/cvar.c).
 *
 * CVaR_beta(w) is the mean of the worst (1 - beta) share of the scenario losses -r_t'w, r_t being
 * scenario t's per-period asset returns (Rockafellar & Uryasev 2000, 2002; the fractional tail
 * scenario counts in part). It is minimised, or bounded, as a linear program:
 *   min zeta + sum_t u_t / ((1 - beta) T)   s.t.  u_t >= -r_t'w - zeta,  u_t >= 0
 * plus the portfolio constraints of ra_opt_problem (budget, bounds, group limits). Method, the
 * solvers and their tolerances: docs/methodology.md#cvar. */
#ifndef ROBOADVISOR_CVAR_H
#define ROBOADVISOR_CVAR_H

#include "opt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_cvar_objective {
    RA_CVAR_MIN = 0,      /* lowest CVaR; with has_target also mu'w >= opt->target */
    RA_CVAR_MAX_RETURN,   /* highest mu'w with CVaR <= limit */
    RA_CVAR_MIN_VARIANCE  /* lowest w'cov w with CVaR <= limit */
} ra_cvar_objective;

typedef struct ra_cvar_problem {
    const ra_opt_problem *opt; /* n, names, mu, cov, lo, hi, groups (w0 and turnover unused); borrowed */
    size_t T;                  /* scenarios, >= 1 */
    const double *scen;        /* T*n row-major per-period returns (decimals); borrowed */
    double beta;               /* confidence level in (0, 1), e.g. 0.95 */
    int has_target;            /* RA_CVAR_MIN only: add mu'w >= opt->target (mu in its own units) */
    double limit;              /* RA_CVAR_MAX_RETURN, RA_CVAR_MIN_VARIANCE: largest CVaR allowed,
                                * a per-period loss as a decimal (0.02 = 2 % of the portfolio) */
    const double *row;         /* n coefficients or NULL: one more limit row'w <= row_max, e.g. a
                                * weighted average of the assets' risk levels; borrowed */
    double row_max;
} ra_cvar_problem;

typedef struct ra_cvar_result {
    double *w;              /* n weights; caller-provided */
    double cvar;            /* CVaR_beta of the per-period loss at w, from the sorted losses */
    double var;             /* VaR_beta: the loss the tail starts at (R&U's zeta) */
    double expected_return; /* mu'w, NAN without mu */
    double volatility;      /* sqrt(w'cov w), NAN without cov */
    int lps;                /* linear programs solved (Newton steps for RA_CVAR_MAX_RETURN) */
    int pivots;             /* simplex pivots over all of them */
    int cuts;               /* RA_CVAR_MIN_VARIANCE: cutting planes added */
    int qp_iterations;      /* RA_CVAR_MIN_VARIANCE: QP active-set changes over all cuts */
} ra_cvar_result;

/* Solves p for obj. Allocates its workspace with ra_malloc and frees it before returning.
 * RA_EINFEASIBLE names the cause ("cvar limit 0.01 is below the lowest attainable 0.0153");
 * RA_EINVAL for malformed input; RA_ENOCONV if a simplex or the cut loop reaches its cap. */
RA_API RA_NODISCARD ra_status ra_cvar_solve(const ra_cvar_problem *p, ra_cvar_objective obj,
                                            ra_cvar_result *res, ra_err *err);

/* CVaR_beta of the losses -scen*w (T*n row-major scenarios), with VaR in *var_out (may be NULL).
 * loss: T doubles of caller scratch. Returns NAN for T == 0 or beta outside (0, 1). */
RA_API double ra_cvar_eval(const double *scen, size_t T, size_t n, const double *w, double beta,
                           double *loss, double *var_out);

#ifdef __cplusplus
}
#endif
#endif
