/* XIRR of dated cash flows: include/roboadvisor/perf.h, docs/methodology.md#xirr.
 *
 * We solve in x = log(1+r) and compare the present values of the inflows and of the outflows in
 * logarithms:  g(x) = log sum_{a_i>0} a_i e^{-x t_i} - log sum_{a_i<0} |a_i| e^{-x t_i}.
 * g has the same roots as the NPV, never overflows (each sum with its largest discount factor
 * taken out, so a 100-year horizon at 1e6 % is fine), and is nearly linear in x (exactly linear for one
 * outflow and one inflow), which makes Newton converge in a handful of steps. */
#include <roboadvisor/perf.h>

#include <math.h>

#include "perf_int.h"

#define RA_XIRR_RATE_MIN (-0.9999) /* -99.99 %: below this (1+r) is too close to 0 to mean much */
#define RA_XIRR_RATE_MAX 1e6       /* 100,000,000 %: covers any real investment and then some */
/* Grid in x = log(1+r) on which sign changes of g are counted: 2048 intervals over
 * [log 1e-4, log(1e6+1)] are 0.0113 apart (about 1.1 % in rate near 0), so two roots closer than
 * that may be counted as none; real flows rarely have roots that close. */
#define RA_XIRR_GRID 2048
#define RA_XIRR_TOL_X 1e-14 /* stop when the bracket or Newton step in log(1+r) is below this */
#define RA_XIRR_MAX_ITER 200 /* bisection alone needs about 60 steps for the tolerance */

typedef struct flows {
    const ra_date *d;
    const double *a;
    size_t n;
    ra_date d0;
    double tmin[2], tmax[2]; /* earliest and latest time of the outflows [0] and inflows [1] */
} flows;

/* g(x) and g'(x), t_i = (d_i - d_0)/365, in one pass with one exp per flow. Each side is
 * sum |a_i| e^{-x t_i}; the largest e^{-x t} on that side (at its earliest time if x >= 0, its
 * latest if x < 0) is factored out as e^m, so every exponent is <= 0: nothing overflows, and the
 * sum is at least the amount at that extreme time, so it cannot underflow to 0. The derivative
 * of a side's log is minus its present-value-weighted mean time. */
static double g_eval(const flows *f, double x, double *dg)
{
    double m[2];
    for (int s = 0; s < 2; s++)
        m[s] = x >= 0.0 ? -x * f->tmin[s] : -x * f->tmax[s];
    perf_ksum w[2] = {{0, 0}, {0, 0}}, wt[2] = {{0, 0}, {0, 0}};
    for (size_t i = 0; i < f->n; i++) {
        if (f->a[i] == 0.0)
            continue;
        int s = f->a[i] > 0.0;
        double t = (double)(f->d[i] - f->d0) / RA_DAYS_PER_YEAR_ACT365;
        double wi = fabs(f->a[i]) * exp(-x * t - m[s]);
        perf_ksum_add(&w[s], wi);
        perf_ksum_add(&wt[s], wi * t);
    }
    double wn = perf_ksum_value(&w[0]), wp = perf_ksum_value(&w[1]);
    if (dg)
        *dg = -perf_ksum_value(&wt[1]) / wp + perf_ksum_value(&wt[0]) / wn;
    return (m[1] + log(wp)) - (m[0] + log(wn));
}

/* Safeguarded Newton (rtsafe, Press et al., Numerical Recipes 3rd ed. section 9.4) in a bracket
 * [lo, hi] with g(lo), g(hi) of opposite signs: a Newton step that would leave the bracket or
 * that does not halve the step of two iterations ago is replaced by bisection. */
static int solve_bracket(const flows *f, double lo, double glo, double hi, double *root)
{
    double xl = lo, xh = hi;
    if (glo > 0.0) { /* orient so that g(xl) < 0 < g(xh) */
        xl = hi;
        xh = lo;
    }
    double x = 0.5 * (lo + hi), dx_old = fabs(hi - lo), dx = dx_old, dg;
    double gx = g_eval(f, x, &dg);
    for (int it = 0; it < RA_XIRR_MAX_ITER; it++) {
        if ((((x - xh) * dg - gx) * ((x - xl) * dg - gx) > 0.0) ||
            fabs(2.0 * gx) > fabs(dx_old * dg)) {
            dx_old = dx;
            dx = 0.5 * (xh - xl);
            x = xl + dx;
        } else {
            dx_old = dx;
            dx = gx / dg;
            x -= dx;
        }
        if (fabs(dx) < RA_XIRR_TOL_X * (1.0 + fabs(x))) {
            *root = x;
            return 1;
        }
        gx = g_eval(f, x, &dg);
        if (gx == 0.0) {
            *root = x;
            return 1;
        }
        if (gx < 0.0)
            xl = x;
        else
            xh = x;
    }
    return 0;
}

ra_status ra_perf_xirr(const ra_date *dates, const double *amounts, size_t n, double *rate,
                       int *n_roots, ra_err *err)
{
    if (n_roots)
        *n_roots = 0;
    if (!dates || !amounts || !rate)
        return ra_err_set(err, RA_EINVAL, NULL, "dates, amounts and result are required");
    if (n < 2)
        return ra_err_set(err, RA_EINVAL, NULL, "xirr needs at least 2 cash flows, got %zu", n);
    ra_date dmin = dates[0], dmax = dates[0];
    int any_pos = 0, any_neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(amounts[i]))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "cash flow at index %zu is not a finite number: %g", i, amounts[i]);
        dmin = dates[i] < dmin ? dates[i] : dmin;
        dmax = dates[i] > dmax ? dates[i] : dmax;
        any_pos |= amounts[i] > 0.0;
        any_neg |= amounts[i] < 0.0;
    }
    if (dmin == dmax) {
        char buf[11];
        return ra_err_set(err, RA_EINVAL, NULL,
                          "all %zu cash flows are on one date (%s): xirr needs flows on at least "
                          "2 dates",
                          n, ra_date_format(dmin, buf));
    }
    if (!any_pos || !any_neg)
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "cash flows have no sign change: all are %s (xirr needs at least one "
                          "negative and one positive amount)",
                          any_pos ? "positive" : any_neg ? "negative" : "zero");

    flows f = {dates, amounts, n, dmin, {INFINITY, INFINITY}, {-INFINITY, -INFINITY}};
    for (size_t i = 0; i < n; i++) {
        if (amounts[i] == 0.0)
            continue;
        int s = amounts[i] > 0.0;
        double t = (double)(dates[i] - dmin) / RA_DAYS_PER_YEAR_ACT365;
        f.tmin[s] = t < f.tmin[s] ? t : f.tmin[s];
        f.tmax[s] = t > f.tmax[s] ? t : f.tmax[s];
    }
    const double xmin = log1p(RA_XIRR_RATE_MIN), xmax = log1p(RA_XIRR_RATE_MAX);
    const double h = (xmax - xmin) / RA_XIRR_GRID;

    /* Scan: every sign change of g between grid points is one root (or an odd number closer
     * together than the grid); a grid point where g is exactly 0 is a root too. Solve each and
     * keep the one nearest a rate of 0. */
    int count = 0, found = 0;
    double best = 0.0;
    double xprev = xmin, gprev = g_eval(&f, xmin, NULL);
    if (gprev == 0.0) {
        count++;
        found = 1;
        best = xmin;
    }
    for (int k = 1; k <= RA_XIRR_GRID; k++) {
        double x = k == RA_XIRR_GRID ? xmax : xmin + k * h;
        double gx = g_eval(&f, x, NULL);
        double root = 0.0;
        int have = 0;
        if (gx == 0.0) {
            root = x;
            have = 1;
        } else if (gprev != 0.0 && (gprev < 0.0) != (gx < 0.0)) {
            if (!solve_bracket(&f, xprev, gprev, x, &root))
                return ra_err_set(err, RA_ENOCONV, NULL,
                                  "xirr did not converge between rates %.6g and %.6g after %d "
                                  "iterations",
                                  expm1(xprev), expm1(x), RA_XIRR_MAX_ITER);
            have = 1;
        }
        if (have) {
            count++;
            if (!found || fabs(expm1(root)) < fabs(expm1(best)))
                best = root;
            found = 1;
        }
        xprev = x;
        gprev = gx;
    }
    if (n_roots)
        *n_roots = count;
    if (!found)
        return ra_err_set(err, RA_ENOCONV, NULL,
                          "no rate between %.4g and %.4g sets the net present value of the %zu "
                          "cash flows to zero",
                          RA_XIRR_RATE_MIN, RA_XIRR_RATE_MAX, n);
    *rate = expm1(best);
    return RA_OK;
}
