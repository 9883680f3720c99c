/* Bounded-variable primal simplex on a dense tableau (src/core/lp_int.h).
 *
 * Every column keeps its own bounds, so a variable with two finite bounds costs no row and moves
 * from one bound to the other by a "bound flip" without a pivot (Dantzig 1955; Chvatal 1983,
 * ch. 8). Phase I puts one artificial on every row (sign chosen so that it starts >= 0) and
 * minimises their sum; phase II fixes the artificials at zero and minimises c'x. Pricing is
 * Dantzig's largest reduced cost, switched to Bland's smallest index after a run of degenerate
 * steps so that cycling cannot occur. The tableau keeps the artificial columns: they hold B^-1,
 * which gives the row duals and lets the basic values be recomputed from the data at the end of
 * each phase instead of carrying the rounding of every pivot. */
#include "lp_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define LP_TOL_COST 1e-12    /* reduced cost beyond this (data are O(1)) improves the objective */
#define LP_TOL_PIVOT 1e-11   /* column entries below this never limit the step */
#define LP_TOL_TIE 1e-12     /* step lengths this close are ties: the larger pivot wins */
#define LP_TOL_PHASE1 1e-9   /* sum of artificials above this (relative to |b|): no feasible point */
#define LP_DEGENERATE_RUN 50 /* zero steps in a row before Bland's rule */

enum { ST_BASIC = 0, ST_LO, ST_HI, ST_FREE };
enum { IT_OPTIMAL = 0, IT_CAP, IT_UNBOUNDED }; /* iterate()'s outcomes */

typedef struct tab {
    size_t m, n, N;    /* rows, structural columns, all columns (n + m artificials) */
    double *T;         /* (m + 1) x N; row m holds the reduced costs */
    double *xb;        /* m basic values */
    double *lo, *hi;   /* N bounds (artificials: [0, inf) in phase I, [0, 0] in phase II) */
    double *sgn;       /* m: the sign each row was multiplied by */
    int *basis;        /* m */
    signed char *st;   /* N */
} tab;

#define ALIGN 64
static size_t up(size_t x) { return (x + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static size_t carve(tab *t, unsigned char *base, size_t m, size_t n)
{
    size_t N = n + m, off = 0;
#define TAKE(f, type, cnt)                                                                         \
    do {                                                                                           \
        off = up(off);                                                                             \
        if (base)                                                                                  \
            t->f = (type *)(void *)(base + off);                                                   \
        off += (cnt) * sizeof(type);                                                               \
    } while (0)
    TAKE(T, double, (m + 1) * N);
    TAKE(xb, double, m);
    TAKE(lo, double, N);
    TAKE(hi, double, N);
    TAKE(sgn, double, m);
    TAKE(basis, int, m);
    TAKE(st, signed char, N);
#undef TAKE
    return off + ALIGN;
}

size_t lp_workspace_size(size_t m, size_t n)
{
    if (m == 0 || n == 0 || m > 100000 || n > 1000000 || (m + 1) > SIZE_MAX / 8 / (n + m))
        return 0;
    tab t;
    return carve(&t, NULL, m, n);
}

static double nb_value(const tab *t, size_t j)
{
    switch (t->st[j]) {
    case ST_LO: return t->lo[j];
    case ST_HI: return t->hi[j];
    default: return 0.0;
    }
}

static void pivot(tab *t, size_t r, size_t e)
{
    const size_t N = t->N;
    double *R = t->T + r * N, inv = 1.0 / R[e];
    for (size_t j = 0; j < N; j++)
        R[j] *= inv;
    R[e] = 1.0;
    for (size_t i = 0; i <= t->m; i++) {
        if (i == r)
            continue;
        double *Q = t->T + i * N, f = Q[e];
        if (f == 0.0)
            continue;
        for (size_t j = 0; j < N; j++)
            Q[j] -= f * R[j];
        Q[e] = 0.0;
    }
}

/* Basic values from the data: x_B = B^-1 S (b - A_N x_N), B^-1 S being the artificial columns
 * times the row signs (the artificials of nonbasic rows are at zero, so they drop out). */
static void refresh(tab *t, const lp_problem *p, double *r)
{
    const size_t m = t->m, n = t->n, N = t->N;
    for (size_t i = 0; i < m; i++) {
        double s = p->b[i];
        for (size_t j = 0; j < n; j++)
            if (t->st[j] != ST_BASIC)
                s -= p->A[i * n + j] * nb_value(t, j);
        r[i] = t->sgn[i] * s;
    }
    for (size_t i = 0; i < m; i++) {
        double s = 0.0;
        for (size_t k = 0; k < m; k++)
            s += t->T[i * N + n + k] * r[k];
        t->xb[i] = s;
    }
}

/* Minimises the objective whose reduced costs sit in row m. */
static int iterate(tab *t, int cap, int *pivots)
{
    const size_t m = t->m, N = t->N;
    double *D = t->T + m * N;
    int run = 0, bland = 0;
    for (;;) {
        size_t e = SIZE_MAX;
        double best = 0.0;
        int dir = 0;
        for (size_t j = 0; j < N; j++) {
            if (t->st[j] == ST_BASIC || t->lo[j] == t->hi[j])
                continue;
            double d = D[j], score = 0.0;
            int dj = 0;
            if (t->st[j] == ST_LO && d < -LP_TOL_COST) {
                score = -d;
                dj = 1;
            } else if (t->st[j] == ST_HI && d > LP_TOL_COST) {
                score = d;
                dj = -1;
            } else if (t->st[j] == ST_FREE && fabs(d) > LP_TOL_COST) {
                score = fabs(d);
                dj = d < 0.0 ? 1 : -1;
            }
            if (dj && score > best) {
                best = score;
                e = j;
                dir = dj;
                if (bland)
                    break;
            }
        }
        if (e == SIZE_MAX)
            return IT_OPTIMAL;
        double step = (isfinite(t->lo[e]) && isfinite(t->hi[e])) ? t->hi[e] - t->lo[e] : INFINITY;
        size_t leave = SIZE_MAX;
        int leave_st = ST_LO;
        double leave_piv = 0.0;
        for (size_t i = 0; i < m; i++) {
            double a = t->T[i * N + e];
            if (fabs(a) < LP_TOL_PIVOT)
                continue;
            double delta = -dir * a; /* x_B[i] moves by delta per unit step */
            size_t bi = (size_t)t->basis[i];
            double lim;
            int to;
            if (delta < 0.0) {
                if (!isfinite(t->lo[bi]))
                    continue;
                lim = (t->xb[i] - t->lo[bi]) / -delta;
                to = ST_LO;
            } else {
                if (!isfinite(t->hi[bi]))
                    continue;
                lim = (t->hi[bi] - t->xb[i]) / delta;
                to = ST_HI;
            }
            if (lim < 0.0)
                lim = 0.0;
            int take;
            if (leave == SIZE_MAX)
                take = lim <= step;
            else if (lim < step - LP_TOL_TIE)
                take = 1;
            else if (lim <= step + LP_TOL_TIE)
                take = bland ? t->basis[i] < t->basis[leave] : fabs(a) > leave_piv;
            else
                take = 0;
            if (take) {
                step = lim;
                leave = i;
                leave_st = to;
                leave_piv = fabs(a);
            }
        }
        if (!isfinite(step))
            return IT_UNBOUNDED;
        run = step <= 1e-14 ? run + 1 : 0;
        if (run > LP_DEGENERATE_RUN)
            bland = 1;
        for (size_t i = 0; i < m; i++)
            t->xb[i] -= dir * t->T[i * N + e] * step;
        if (leave == SIZE_MAX) { /* bound flip */
            t->st[e] = dir > 0 ? ST_HI : ST_LO;
        } else {
            double ve = nb_value(t, e) + dir * step;
            size_t bl = (size_t)t->basis[leave];
            t->st[bl] = (signed char)leave_st;
            pivot(t, leave, e);
            t->basis[leave] = (int)e;
            t->st[e] = ST_BASIC;
            t->xb[leave] = ve;
        }
        if (++*pivots > cap)
            return IT_CAP;
    }
}

static void set_costs(tab *t, const double *c_full)
{
    const size_t m = t->m, N = t->N;
    double *D = t->T + m * N;
    for (size_t j = 0; j < N; j++)
        D[j] = c_full ? (j < t->n ? c_full[j] : 0.0) : (j < t->n ? 0.0 : 1.0);
    for (size_t i = 0; i < m; i++) {
        size_t bi = (size_t)t->basis[i];
        double cb = c_full ? (bi < t->n ? c_full[bi] : 0.0) : (bi < t->n ? 0.0 : 1.0);
        if (cb == 0.0)
            continue;
        const double *R = t->T + i * N;
        for (size_t j = 0; j < N; j++)
            D[j] -= cb * R[j];
    }
    for (size_t i = 0; i < m; i++)
        D[t->basis[i]] = 0.0;
}

ra_status lp_solve(const lp_problem *p, void *work, size_t work_size, lp_result *res, ra_err *err)
{
    if (!p || !res || !res->x || !p->A || !p->b || !p->c || p->m == 0 || p->n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "linear program is incomplete");
    const size_t m = p->m, n = p->n, N = n + m;
    size_t need = lp_workspace_size(m, n);
    if (need == 0 || work_size < need || !work)
        return ra_err_set(err, RA_EINVAL, NULL, "linear program needs %zu bytes of workspace, "
                                                "got %zu", need, work_size);
    tab t = {.m = m, .n = n, .N = N};
    unsigned char *base = (unsigned char *)work;
    base += (ALIGN - ((uintptr_t)base % ALIGN)) % ALIGN;
    carve(&t, base, m, n);
    double bmax = 0.0;
    for (size_t j = 0; j < n; j++) {
        double lo = p->lo ? p->lo[j] : 0.0, hi = p->hi ? p->hi[j] : INFINITY;
        if (isnan(lo) || isnan(hi) || lo > hi || lo == INFINITY || hi == -INFINITY ||
            !isfinite(p->c[j]))
            return ra_err_set(err, RA_EINVAL, NULL, "column %zu has bounds [%g, %g] or cost %g",
                              j + 1, lo, hi, p->c[j]);
        t.lo[j] = lo;
        t.hi[j] = hi;
        t.st[j] = isfinite(lo) ? ST_LO : isfinite(hi) ? ST_HI : ST_FREE;
    }
    for (size_t i = 0; i < m; i++) {
        if (!isfinite(p->b[i]))
            return ra_err_set(err, RA_EINVAL, NULL, "row %zu has a right-hand side %g", i + 1,
                              p->b[i]);
        if (fabs(p->b[i]) > bmax)
            bmax = fabs(p->b[i]);
        double r = p->b[i];
        for (size_t j = 0; j < n; j++) {
            double a = p->A[i * n + j];
            if (!isfinite(a))
                return ra_err_set(err, RA_EINVAL, NULL, "entry (%zu, %zu) is not finite", i + 1,
                                  j + 1);
            if (a != 0.0)
                r -= a * nb_value(&t, j);
        }
        t.sgn[i] = r >= 0.0 ? 1.0 : -1.0;
        double *R = t.T + i * N;
        for (size_t j = 0; j < n; j++)
            R[j] = t.sgn[i] * p->A[i * n + j];
        memset(R + n, 0, m * sizeof *R);
        R[n + i] = 1.0;
        t.xb[i] = fabs(r);
        t.basis[i] = (int)(n + i);
        t.lo[n + i] = 0.0;
        t.hi[n + i] = INFINITY;
        t.st[n + i] = ST_BASIC;
    }
    int cap = (int)(20 * (m + N)) + 1000;
    res->pivots = 0;
    res->unbounded = 0;
    set_costs(&t, NULL);
    if (iterate(&t, cap, &res->pivots) != IT_OPTIMAL)
        return ra_err_set(err, RA_ENOCONV, NULL, "linear program phase I stopped after %d pivots",
                          res->pivots);
    double *scratch = t.T + m * N; /* the cost row is rebuilt below: use it as scratch */
    refresh(&t, p, scratch);
    double infeas = 0.0;
    for (size_t i = 0; i < m; i++)
        if ((size_t)t.basis[i] >= n)
            infeas += fabs(t.xb[i]);
    if (infeas > LP_TOL_PHASE1 * (1.0 + bmax))
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "constraints have no common point (infeasibility %.3g)", infeas);
    for (size_t i = 0; i < m; i++) {
        t.hi[n + i] = 0.0;
        if ((size_t)t.basis[i] >= n)
            t.xb[i] = 0.0;
    }
    set_costs(&t, p->c);
    int it = iterate(&t, cap, &res->pivots);
    if (it == IT_UNBOUNDED) {
        res->unbounded = 1;
        return ra_err_set(err, RA_ENOCONV, NULL, "linear program is unbounded below");
    }
    if (it != IT_OPTIMAL)
        return ra_err_set(err, RA_ENOCONV, NULL, "linear program stopped after %d pivots",
                          res->pivots);
    double *D = t.T + m * N;
    if (res->y)
        for (size_t i = 0; i < m; i++)
            res->y[i] = -t.sgn[i] * D[n + i];
    refresh(&t, p, D);
    for (size_t j = 0; j < n; j++)
        res->x[j] = t.st[j] == ST_BASIC ? 0.0 : nb_value(&t, j);
    for (size_t i = 0; i < m; i++)
        if ((size_t)t.basis[i] < n) {
            size_t bj = (size_t)t.basis[i];
            double v = t.xb[i];
            if (v < t.lo[bj]) /* rounding below a bound by ~1e-16 */
                v = t.lo[bj];
            if (v > t.hi[bj])
                v = t.hi[bj];
            res->x[bj] = v;
        }
    double obj = 0.0;
    for (size_t j = 0; j < n; j++)
        obj += p->c[j] * res->x[j];
    res->obj = obj;
    return RA_OK;
}
