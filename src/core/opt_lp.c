/* Highest (or lowest) attainable expected return over the portfolio constraints: a small dense
 * two-phase simplex (docs/methodology.md#highest-attainable-return). The feasible set is
 * bounds + budget + group limits, so the LP is tiny (1 + n + 2*n_groups rows); a dense tableau
 * with Dantzig pricing and Bland's rule after a run of degenerate pivots is exact up to rounding
 * and needs no library. The optimum is a vertex; its return is recomputed as mu'w from the
 * vertex weights so that the returned value is attained by a feasible portfolio. */
#include "opt_int.h"

#include <math.h>
#include <string.h>

#define LP_TOL_PIVOT 1e-11    /* smallest pivot element accepted (entries are O(1) weights) */
#define LP_TOL_COST 1e-13     /* reduced cost below -this improves the objective */
#define LP_TOL_PHASE1 1e-9    /* phase-I sum of artificials above this: no feasible point */
#define LP_DEGENERATE_RUN 50  /* degenerate pivots in a row before switching to Bland's rule */

size_t opt_lp_rows(size_t n, size_t n_groups) { return 1 + n + 2 * n_groups; }

size_t opt_lp_cols(size_t n, size_t n_groups)
{
    size_t m = opt_lp_rows(n, n_groups);
    return n + (n + 2 * n_groups) + m + 1; /* structural, slack/surplus, artificial, rhs */
}

typedef struct lp {
    double *T; /* (m+1) x nc row-major; row m holds reduced costs and -objective */
    int *basis;
    size_t m, nc, n_struct, first_art;
} lp;

#define TAB(L, i, j) ((L)->T[(i) * (L)->nc + (j)])

static void pivot(lp *L, size_t r, size_t c)
{
    size_t nc = L->nc;
    double piv = TAB(L, r, c);
    for (size_t j = 0; j < nc; j++)
        TAB(L, r, j) /= piv;
    TAB(L, r, c) = 1.0;
    for (size_t i = 0; i <= L->m; i++) {
        if (i == r)
            continue;
        double f = TAB(L, i, c);
        if (f == 0.0)
            continue;
        for (size_t j = 0; j < nc; j++)
            TAB(L, i, j) -= f * TAB(L, r, j);
        TAB(L, i, c) = 0.0;
    }
    L->basis[r] = (int)c;
}

/* Minimises the objective whose reduced costs are in row m over columns [0, col_end).
 * Returns RA_OK, RA_ENOCONV past the pivot cap, RA_EINTERNAL if unbounded (impossible here:
 * the feasible set is bounded). */
static ra_status simplex(lp *L, size_t col_end, int *pivots)
{
    size_t rhs = L->nc - 1;
    int cap = (int)(50 * (L->m + L->nc)) + 100, run = 0, bland = 0;
    for (;;) {
        size_t enter = SIZE_MAX;
        double best = -LP_TOL_COST;
        for (size_t j = 0; j < col_end; j++) {
            double d = TAB(L, L->m, j);
            if (d < best) {
                enter = j;
                best = d;
                if (bland)
                    break;
            }
        }
        if (enter == SIZE_MAX)
            return RA_OK;
        size_t leave = SIZE_MAX;
        double ratio = INFINITY;
        for (size_t i = 0; i < L->m; i++) {
            double a = TAB(L, i, enter);
            if (a <= LP_TOL_PIVOT)
                continue;
            double t = TAB(L, i, rhs) / a;
            if (t < ratio - 1e-15 ||
                (t <= ratio + 1e-15 && leave != SIZE_MAX && L->basis[i] < L->basis[leave])) {
                ratio = t;
                leave = i;
            }
        }
        if (leave == SIZE_MAX)
            return RA_EINTERNAL;
        run = ratio <= 1e-15 ? run + 1 : 0;
        if (run > LP_DEGENERATE_RUN)
            bland = 1;
        pivot(L, leave, enter);
        if (++*pivots > cap)
            return RA_ENOCONV;
    }
}

/* Weights of the current basic solution: w = lo + x. */
static void extract(const lp *L, const opt_ctx *cx, double *w_out)
{
    for (size_t j = 0; j < L->n_struct; j++)
        w_out[j] = cx->lo[j];
    for (size_t i = 0; i < L->m; i++) {
        size_t b = (size_t)L->basis[i];
        if (b < L->n_struct) {
            double x = L->T[i * L->nc + L->nc - 1];
            w_out[b] = cx->lo[b] + (x > 0.0 ? x : 0.0);
        }
    }
}

ra_status opt_lp_extreme_return(const opt_ctx *cx, double sign, double *w_out, double *value,
                                ra_err *err)
{
    const size_t n = cx->n, ng = cx->ng;
    lp L = {.T = cx->tab, .basis = cx->basis, .m = opt_lp_rows(n, ng),
            .nc = opt_lp_cols(n, ng), .n_struct = n};
    const size_t m = L.m, nc = L.nc, rhs = nc - 1;
    memset(L.T, 0, (m + 1) * nc * sizeof *L.T);

    /* Rows in x = w - lo >= 0: sense +1 for <=, 0 for =, -1 for >=. */
    double sum_lo = 0.0;
    for (size_t j = 0; j < n; j++)
        sum_lo += cx->lo[j];
    size_t row = 0, slack = n;
    signed char *sn = cx->lp_sense;
    for (size_t j = 0; j < n; j++)
        TAB(&L, row, j) = 1.0;
    TAB(&L, row, rhs) = 1.0 - sum_lo;
    sn[row++] = 0;
    for (size_t j = 0; j < n; j++) {
        TAB(&L, row, j) = 1.0;
        TAB(&L, row, rhs) = cx->hi[j] - cx->lo[j];
        sn[row++] = 1;
    }
    for (size_t g = 0; g < ng; g++) {
        const ra_opt_group *G = &cx->p->groups[g];
        double glo = 0.0;
        for (size_t k = 0; k < G->n_members; k++)
            glo += cx->lo[G->members[k]];
        for (size_t k = 0; k < G->n_members; k++) {
            TAB(&L, row, G->members[k]) += 1.0;
            TAB(&L, row + 1, G->members[k]) += 1.0;
        }
        TAB(&L, row, rhs) = G->min - glo;
        sn[row++] = -1;
        TAB(&L, row, rhs) = G->max - glo;
        sn[row++] = 1;
    }
    /* Slack (+1 for <=) or surplus (-1 for >=) columns, then flip rows with negative rhs. */
    for (size_t i = 0; i < m; i++) {
        if (sn[i] != 0)
            TAB(&L, i, slack++) = sn[i] > 0 ? 1.0 : -1.0;
        else
            slack++; /* keep one column per row; the equality's stays zero */
        if (TAB(&L, i, rhs) < 0.0) {
            for (size_t j = 0; j < nc; j++)
                TAB(&L, i, j) = -TAB(&L, i, j);
            sn[i] = (signed char)-sn[i];
        }
    }
    /* Basis: slack for <= rows (coefficient +1 after normalisation), artificial otherwise. */
    L.first_art = n + m;
    for (size_t i = 0; i < m; i++) {
        if (sn[i] > 0) {
            L.basis[i] = (int)(n + i);
        } else {
            TAB(&L, i, L.first_art + i) = 1.0;
            L.basis[i] = (int)(L.first_art + i);
            for (size_t j = 0; j < nc; j++) /* phase-I reduced costs: -sum of artificial rows */
                TAB(&L, m, j) -= TAB(&L, i, j);
            TAB(&L, m, L.first_art + i) = 0.0;
        }
    }
    int pivots = 0;
    ra_status rc = simplex(&L, nc - 1, &pivots);
    if (rc == RA_OK && -TAB(&L, m, rhs) > LP_TOL_PHASE1 * (double)(m + 1))
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "bounds, budget and group limits have no common portfolio "
                          "(constraint violation %.3g at best)", -TAB(&L, m, rhs));
    if (rc != RA_OK)
        return ra_err_set(err, rc, NULL, "could not find the extreme attainable return: "
                                         "simplex stopped after %d pivots", pivots);
    /* Drive artificials out of the basis where a structural or slack column can replace them;
     * a row with none left is redundant (its artificial stays basic at zero). */
    for (size_t i = 0; i < m; i++) {
        if ((size_t)L.basis[i] < L.first_art)
            continue;
        for (size_t j = 0; j < L.first_art; j++) {
            if (fabs(TAB(&L, i, j)) > LP_TOL_PIVOT) {
                pivot(&L, i, j);
                break;
            }
        }
    }
    if (sign == 0.0) { /* feasibility only */
        extract(&L, cx, w_out);
        *value = NAN;
        return RA_OK;
    }
    /* Phase II: minimise -sign*mu'x (sign +1: highest return, -1: lowest). */
    for (size_t j = 0; j < nc; j++)
        TAB(&L, m, j) = 0.0;
    for (size_t j = 0; j < n; j++)
        TAB(&L, m, j) = -sign * cx->p->mu[j];
    for (size_t i = 0; i < m; i++) {
        size_t b = (size_t)L.basis[i];
        double cb = b < n ? -sign * cx->p->mu[b] : 0.0;
        if (cb == 0.0)
            continue;
        for (size_t j = 0; j < nc; j++)
            TAB(&L, m, j) -= cb * TAB(&L, i, j);
    }
    rc = simplex(&L, L.first_art, &pivots);
    if (rc != RA_OK)
        return ra_err_set(err, rc, NULL, "could not find the extreme attainable return: "
                                         "simplex stopped after %d pivots", pivots);
    extract(&L, cx, w_out);
    double r = 0.0;
    for (size_t j = 0; j < n; j++)
        r += cx->p->mu[j] * w_out[j];
    *value = r;
    return RA_OK;
}
