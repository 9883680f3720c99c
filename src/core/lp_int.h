/* Bounded-variable dense simplex for the CVaR and cardinality code (src/core/lp.c); not public.
 *
 *   minimise c'x  subject to  A x = b (m rows),  lo <= x <= hi  (either bound may be infinite)
 *
 * Our own because no LP library is among the project's chosen dependencies (LAPACKE, OpenBLAS,
 * SQLite, libpq, libsodium, jansson) and the problems we pose are small and dense: the CVaR LP is
 * solved in its dual form, whose rows are the n assets plus one (docs/methodology.md#cvar). */
#ifndef ROBOADVISOR_LP_INT_H
#define ROBOADVISOR_LP_INT_H

#include <roboadvisor/error.h>

#include <stddef.h>

typedef struct lp_problem {
    size_t m, n;           /* rows, columns */
    const double *A;       /* m*n row-major; borrowed */
    const double *b;       /* m */
    const double *c;       /* n */
    const double *lo, *hi; /* n each; -INFINITY / INFINITY for none */
} lp_problem;

typedef struct lp_result {
    double *x;   /* n; caller-provided */
    double *y;   /* m row duals (c - A'y are the reduced costs); caller-provided or NULL */
    double obj;  /* c'x */
    int pivots;  /* basis changes and bound flips, both phases */
    int unbounded; /* 1 when RA_ENOCONV came from an unbounded ray (a dual's infeasible primal) */
} lp_result;

/* Bytes of workspace for lp_solve on m rows and n columns (0 on overflow). */
size_t lp_workspace_size(size_t m, size_t n);

/* RA_OK at an optimal vertex; RA_EINFEASIBLE when phase I ends with a positive infeasibility;
 * RA_ENOCONV past the pivot cap or when the objective is unbounded below (our problems are
 * bounded, so that means rounding trouble); RA_EINVAL for lo > hi or non-finite data. */
ra_status lp_solve(const lp_problem *p, void *work, size_t work_size, lp_result *res, ra_err *err);

#endif
