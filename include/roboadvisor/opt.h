/* roboadvisor: portfolio construction on the QP solver (src/core/opt.c).
 * Weights are fractions of the portfolio (sum 1). mu and cov are annualised. Method and
 * defaults: docs/methodology.md#optimisation. */
#ifndef ROBOADVISOR_OPT_H
#define ROBOADVISOR_OPT_H

#include "qp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_opt_objective {
    RA_OPT_MIN_VARIANCE = 0,
    RA_OPT_MAX_SHARPE,
    RA_OPT_TARGET_RETURN,     /* minimum variance for expected return == target */
    RA_OPT_TARGET_VOLATILITY, /* maximum expected return for volatility <= target */
    RA_OPT_RISK_PARITY,       /* equal risk contributions, long-only, fully invested */
    RA_OPT_FRONTIER,          /* see ra_opt_frontier */
    RA_OPT_UTILITY            /* maximum mu'w - (risk_aversion/2) w'cov w - turnover_cost |w - w0|_1
                               * (mean-variance utility; turnover_cost in units of mu here) */
} ra_opt_objective;

typedef struct ra_opt_group {
    const char *name;      /* for messages; borrowed */
    const size_t *members; /* asset indices; borrowed */
    size_t n_members;
    double min, max;       /* limits on the sum of the members' weights */
} ra_opt_group;

typedef struct ra_opt_problem {
    size_t n;                 /* assets */
    const char *const *names; /* n asset names, for messages; borrowed, may be NULL */
    const double *mu;         /* n annual expected returns (may be NULL for min-variance and risk parity) */
    const double *cov;        /* n*n annual covariance, row-major; borrowed */
    const double *lo, *hi;    /* n weight bounds each; NULL = 0 and 1 (long-only, no leverage) */
    const ra_opt_group *groups;
    size_t n_groups;
    double rf;                /* annual risk-free rate for max-Sharpe and the reported Sharpe ratio */
    double target;            /* target return (TARGET_RETURN) or volatility (TARGET_VOLATILITY) */
    /* Optional L1 turnover / transaction-cost penalty: adds cost * sum_j |w_j - w0_j| to the
     * objective (variance-based objectives; for max-Sharpe it is not allowed: RA_EINVAL). */
    const double *w0;         /* n current weights, or NULL */
    double turnover_cost;     /* >= 0, in units of annual variance per unit of turnover */
    /* The core keeps no clock: a caller who wants setup_ms/solve_ms passes a monotonic clock in
     * milliseconds; NULL leaves them 0. */
    double (*clock_ms)(void);
    double risk_aversion;     /* RA_OPT_UTILITY: gamma > 0 */
    /* 1: the caller vouches that cov is positive definite (an estimate of ra_est_*: Ledoit-Wolf
     * shrinkage, or a sample covariance of more observations than assets), so minimum variance
     * and the utility skip the whole-matrix Cholesky check and factorise only the free assets'
     * block (ra_qp_setup; positive definiteness is then verified on the blocks factorised, and a
     * singular one still answers RA_ESINGULAR naming an asset). 0 (default): the check. */
    int cov_trusted;
} ra_opt_problem;

typedef struct ra_opt_result {
    double *w;               /* n weights; caller-provided */
    double expected_return;  /* mu'w (NAN when mu is NULL) */
    double volatility;       /* sqrt(w'cov w) */
    double sharpe;           /* (expected_return - rf)/volatility (NAN when mu is NULL) */
    double turnover;         /* sum |w - w0| (0 when w0 is NULL) */
    int iterations;          /* QP active-set changes, summed over the QPs solved */
    double res_stat, res_prim, res_dual, res_comp; /* worst KKT residuals of the final QP */
    double setup_ms, solve_ms; /* factorisation and solve time, measured with p->clock_ms (0 if NULL) */
} ra_opt_result;

/* Workspace for all ra_opt_* calls on n assets and n_groups groups (bytes). */
RA_API size_t ra_opt_workspace_size(size_t n, size_t n_groups);

/* Solves one of MIN_VARIANCE, MAX_SHARPE, TARGET_RETURN, TARGET_VOLATILITY, RISK_PARITY.
 * RA_EINFEASIBLE names the conflict ("group limits conflict: equity min 0.70 + bonds min 0.40 > 1",
 * "target return 0.25 is above the highest attainable 0.18"); RA_ESINGULAR for a singular or
 * indefinite covariance (names the asset); RA_EINVAL for malformed input. */
RA_API RA_NODISCARD ra_status ra_opt_solve(const ra_opt_problem *p, ra_opt_objective obj,
                                           void *work, size_t work_size, ra_opt_result *res,
                                           ra_err *err);

/* Efficient frontier of k >= 2 points with target returns equally spaced from the minimum-variance
 * portfolio's return to the highest attainable return; each point warm-started from the previous
 * one's active set. res: k results, each with its own w (n slots). */
RA_API RA_NODISCARD ra_status ra_opt_frontier(const ra_opt_problem *p, size_t k, void *work,
                                              size_t work_size, ra_opt_result *res, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
