/* Performance statistics of a return series: include/roboadvisor/perf.h, formulas and sources in
 * docs/methodology.md. Everything is computed in a few passes over r (and b) without
 * allocating: sums are compensated, variances two-pass, products kept as sums of log1p, and the
 * VaR quantile comes from an order-statistic selection that needs no sorted copy. */
#include <roboadvisor/perf.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "perf_int.h"

/* A standard deviation at most this fraction of |mean| is rounding noise of a constant series
 * (the mean of n equal doubles need not be exactly that double): treated as 0 so that ratios
 * come out NAN rather than +-1e15. Real series have sd/|mean| far above 1e-13. */
#define RA_PERF_SD_ZERO_REL (64.0 * DBL_EPSILON)

/* Wealth within this relative distance of the running peak counts as at the peak (for the
 * drawdown peak and recovery): returns computed from prices carry ~1e-16 of rounding per
 * period, so a price that comes back exactly to its high gives a wealth ratio of 1 - 1e-15,
 * not 1. */
#define RA_PERF_PEAK_TIE_REL 1e-12

#define AT(x, i, stride) ((x)[(size_t)(i) * (stride)])

/* ---- order statistics without a copy ------------------------------------------------------ */

static size_t count_le(const double *x, size_t n, size_t stride, uint64_t k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += perf_key_of(AT(x, i, stride)) <= k;
    return c;
}

/* The (j+1)-th and (j+2)-th smallest of x (0-based j, j+1 < n or hi not needed): bisection on
 * the 64-bit key, 64 counting passes, O(64 n) and no scratch. x must hold no NaN. */
static void order_stats(const double *x, size_t n, size_t stride, size_t j, double *lo,
                        double *hi)
{
    uint64_t a = 0, b = UINT64_MAX;
    while (a < b) {
        uint64_t mid = a + (b - a) / 2;
        if (count_le(x, n, stride, mid) >= j + 1)
            b = mid;
        else
            a = mid + 1;
    }
    *lo = perf_double_of(a);
    if (!hi)
        return;
    if (j + 1 >= n || count_le(x, n, stride, a) >= j + 2) {
        *hi = *lo;
        return;
    }
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = perf_key_of(AT(x, i, stride));
        if (k > a && k < next)
            next = k;
    }
    *hi = perf_double_of(next);
}

/* R's quantile(type = 7) step for step (R 4.2 stats:::quantile.default): index = 1 + (n-1)p,
 * interpolate (1-h) x[lo] + h x[hi] only when index > lo and x[hi] != x[lo]. */
static double quantile7(const double *x, size_t n, size_t stride, double p)
{
    double index = 1.0 + (double)(n - 1) * p;
    double lo_idx = floor(index);
    size_t lo = (size_t)lo_idx; /* 1-based */
    double xl, xh;
    order_stats(x, n, stride, lo - 1, &xl, index > lo_idx ? &xh : NULL);
    if (index > lo_idx && xh != xl) {
        double h = index - lo_idx;
        return (1.0 - h) * xl + h * xh;
    }
    return xl;
}

ra_status ra_perf_quantile7(const double *x, size_t n, double p, double *scratch, double *q,
                            ra_err *err)
{
    (void)scratch;
    if (!x || !q)
        return ra_err_set(err, RA_EINVAL, NULL, "values and result are required");
    if (n < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "a quantile needs at least 1 value, got 0");
    if (!(p >= 0.0 && p <= 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "quantile probability must be in [0, 1], got %g",
                          p);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return ra_err_set(err, RA_EINVAL, NULL, "value at index %zu is not a finite number: %g",
                              i, x[i]);
    *q = quantile7(x, n, 1, p);
    return RA_OK;
}

/* ---- moments --------------------------------------------------------------------------------- */

static double mean_of(const double *x, size_t n, size_t stride)
{
    perf_ksum s = {0, 0};
    for (size_t i = 0; i < n; i++)
        perf_ksum_add(&s, AT(x, i, stride));
    return perf_ksum_value(&s) / (double)n;
}

/* Sample covariance (divisor n-1) by the corrected two-pass formula of Chan, Golub & LeVeque
 * (1983): sum(dx dy) - sum(dx) sum(dy)/n, the second term removing the rounding error of the
 * means. x == y gives the variance. */
static double cov_of(const double *x, double mx, const double *y, double my, size_t n,
                     size_t stride)
{
    perf_ksum sxy = {0, 0}, sx = {0, 0}, sy = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double dx = AT(x, i, stride) - mx, dy = AT(y, i, stride) - my;
        perf_ksum_add(&sxy, dx * dy);
        perf_ksum_add(&sx, dx);
        perf_ksum_add(&sy, dy);
    }
    double c = (perf_ksum_value(&sxy) - perf_ksum_value(&sx) * perf_ksum_value(&sy) / (double)n) /
               (double)(n - 1);
    return c;
}

static double sd_clean(double var, double mean)
{
    double sd = var > 0.0 ? sqrt(var) : 0.0;
    return sd <= RA_PERF_SD_ZERO_REL * fabs(mean) ? 0.0 : sd;
}

static double ratio_or_nan(double num, double den) { return den > 0.0 ? num / den : NAN; }

/* ---- drawdown --------------------------------------------------------------------------------- */

/* One pass over wealth relative to its running peak: q = W_i / max_{j<=i} W_j stays in [0, 1], so
 * long series neither overflow nor underflow, and a total loss (r = -1) pins q at 0. */
static ra_drawdown max_drawdown(const double *r, size_t n, size_t stride)
{
    ra_drawdown best = {0.0, 0, 0, 0};
    double q = 1.0;
    size_t peak = 0;
    for (size_t i = 1; i <= n; i++) {
        q *= 1.0 + AT(r, i - 1, stride);
        if (q >= 1.0 - RA_PERF_PEAK_TIE_REL) {
            if (q > 1.0)
                q = 1.0;
            /* First return to the peak since the deepest trough, which lies in this episode. */
            if (best.depth > 0.0 && best.recovery == SIZE_MAX)
                best.recovery = i;
            peak = i;
        } else if (1.0 - q > best.depth) {
            best.depth = 1.0 - q;
            best.peak = peak;
            best.trough = i;
            best.recovery = SIZE_MAX;
        }
    }
    return best;
}

/* ---- all statistics --------------------------------------------------------------------------- */

ra_status ra_perf_stats_compute(const double *r, const double *b, size_t n, size_t stride,
                                double periods_per_year, double rf, double mar, double level,
                                ra_perf_stats *out, ra_err *err)
{
    if (!r || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "returns and result are required");
    if (n < 2)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "performance statistics need at least 2 returns, got %zu", n);
    if (stride < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "stride must be at least 1, got 0");
    if (!(isfinite(periods_per_year) && periods_per_year > 0.0))
        return ra_err_set(err, RA_EINVAL, NULL, "periods per year must be positive, got %g",
                          periods_per_year);
    if (!isfinite(rf))
        return ra_err_set(err, RA_EINVAL, NULL, "risk-free rate is not a finite number: %g", rf);
    if (!isfinite(mar))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "minimum acceptable return is not a finite number: %g", mar);
    if (!(level > 0.0 && level < 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "confidence level must be in (0, 1), got %g",
                          level);
    for (size_t i = 0; i < n; i++) {
        double x = AT(r, i, stride);
        if (!isfinite(x))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "return at index %zu is not a finite number: %g", i, x);
        if (x < -1.0)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "return at index %zu is %g, a loss of more than 100 %%: wealth "
                              "cannot be negative",
                              i, x);
        if (b && !isfinite(AT(b, i, stride)))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "benchmark return at index %zu is not a finite number: %g", i,
                              AT(b, i, stride));
    }

    const double P = periods_per_year, N = (double)n;
    perf_growth g;
    memset(&g, 0, sizeof g);
    for (size_t i = 0; i < n; i++)
        perf_growth_add(&g, AT(r, i, stride));
    out->cumulative_return = perf_growth_rate(&g, 1.0);
    out->annualized_return = perf_growth_rate(&g, P / N);

    double mr = mean_of(r, n, stride);
    double sdr = sd_clean(cov_of(r, mr, r, mr, n, stride), mr);
    out->annualized_volatility = sdr * sqrt(P);
    out->sharpe = ratio_or_nan(sqrt(P) * (mr - rf / P), sdr);

    perf_ksum dd = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = AT(r, i, stride) - mar / P;
        if (d < 0.0)
            perf_ksum_add(&dd, d * d);
    }
    out->downside_deviation = sqrt(perf_ksum_value(&dd) / N);
    out->sortino = ratio_or_nan(sqrt(P) * (mr - mar / P), out->downside_deviation);

    out->max_drawdown = max_drawdown(r, n, stride);

    double q = quantile7(r, n, stride, 1.0 - level);
    perf_ksum tail = {0, 0};
    size_t n_tail = 0;
    for (size_t i = 0; i < n; i++)
        if (AT(r, i, stride) <= q) {
            perf_ksum_add(&tail, AT(r, i, stride));
            n_tail++;
        }
    out->var = -q;
    out->cvar = -perf_ksum_value(&tail) / (double)n_tail; /* n_tail >= 1: x_(lo) <= q */

    out->beta = out->alpha = out->correlation = NAN;
    out->tracking_error = out->information_ratio = NAN;
    if (!b)
        return RA_OK;

    double mb = mean_of(b, n, stride);
    double sdb = sd_clean(cov_of(b, mb, b, mb, n, stride), mb);
    double crb = cov_of(r, mr, b, mb, n, stride);
    if (sdb > 0.0) {
        out->beta = crb / (sdb * sdb);
        out->alpha = P * (mr - rf / P - out->beta * (mb - rf / P));
        if (sdr > 0.0)
            out->correlation = crb / (sdr * sdb);
    }
    /* Active returns r - b, formed on the fly in the same order in each pass. */
    perf_ksum sa = {0, 0};
    for (size_t i = 0; i < n; i++)
        perf_ksum_add(&sa, AT(r, i, stride) - AT(b, i, stride));
    double ma = perf_ksum_value(&sa) / N;
    perf_ksum ss = {0, 0}, s1 = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = (AT(r, i, stride) - AT(b, i, stride)) - ma;
        perf_ksum_add(&ss, d * d);
        perf_ksum_add(&s1, d);
    }
    double s1v = perf_ksum_value(&s1);
    double sda = sd_clean((perf_ksum_value(&ss) - s1v * s1v / N) / (N - 1.0), ma);
    out->tracking_error = sda * sqrt(P);
    out->information_ratio = ratio_or_nan(P * ma, out->tracking_error);
    return RA_OK;
}
