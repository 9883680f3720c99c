/* Time-weighted return: include/roboadvisor/perf.h, docs/methodology.md#twr. Sub-period
 * returns between valuation dates are linked geometrically (GIPS), so external flows do not
 * count as performance; the product is kept as a sum of logs (perf_int.h). */
#include <roboadvisor/est.h>
#include <roboadvisor/perf.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "perf_int.h"

ra_status ra_perf_twr(const ra_date *dates, const double *values, const double *flows, size_t n,
                      ra_flow_timing timing, double periods_per_year, ra_twr *out, ra_err *err)
{
    if (!dates || !values || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "dates, values and result are required");
    if (n < 2)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "time-weighted return needs at least 2 valuations, got %zu", n);
    if (timing != RA_FLOW_END && timing != RA_FLOW_START)
        return ra_err_set(err, RA_EINVAL, NULL, "flow timing must be start or end, got %d",
                          (int)timing);
    if (isnan(periods_per_year) || isinf(periods_per_year))
        return ra_err_set(err, RA_EINVAL, NULL, "periods per year is not a finite number: %g",
                          periods_per_year);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return ra_err_set(err, RA_EINVAL, NULL, "value at row %zu is not a finite number: %g",
                              i, values[i]);
        if (values[i] < 0.0)
            return ra_err_set(err, RA_EINVAL, NULL, "value at row %zu is negative: %g", i,
                              values[i]);
        /* a subnormal has lost its digits: no return computed from it can be right */
        if (values[i] != 0.0 && values[i] < DBL_MIN)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "value at row %zu is too small to be a value: %g", i, values[i]);
        if (flows && flows[i] != 0.0 && fabs(flows[i]) < DBL_MIN)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "flow at row %zu is too small to be a flow: %g", i, flows[i]);
        if (flows && !isfinite(flows[i]))
            return ra_err_set(err, RA_EINVAL, NULL, "flow at row %zu is not a finite number: %g",
                              i, flows[i]);
        if (i > 0 && dates[i] <= dates[i - 1]) {
            char b1[11], b2[11];
            return ra_err_set(err, RA_EINVAL, NULL,
                              "dates must be strictly increasing: row %zu (%s) is not after row "
                              "%zu (%s)",
                              i, ra_date_format(dates[i], b1), i - 1,
                              ra_date_format(dates[i - 1], b2));
        }
    }

    perf_growth g;
    memset(&g, 0, sizeof g);
    for (size_t i = 1; i < n; i++) {
        double f = flows ? flows[i] : 0.0;
        double num, den;
        if (timing == RA_FLOW_END) {
            num = values[i] - f;
            den = values[i - 1];
        } else {
            num = values[i];
            den = values[i - 1] + f;
        }
        if (!(den > 0.0))
            return ra_err_set(err, RA_EINVAL, NULL,
                              timing == RA_FLOW_END
                                  ? "cannot compute the return to row %zu: the value at the start "
                                    "of the period is %g (must be positive)"
                                  : "cannot compute the return to row %zu: the value plus the "
                                    "flow at the start of the period is %g (must be positive)",
                              i, den);
        /* num/den - 1 computed as (num - den)/den keeps the digits of a small return. */
        double r = (num - den) / den;
        if (!isfinite(r))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "cannot compute the return to row %zu: %g after %g is a change "
                              "beyond the range of a double",
                              i, num, den);
        if (r > -0.5 || num <= 0.0) {
            perf_growth_add(&g, r);
        } else {
            /* A large loss: 1 + r would lose the digits of num/den (100 after 1e308 gives
             * r = -1 exactly, a -100 % that did not happen), so take log(num/den) itself. */
            double q = num / den;
            if (!(q > 0.0))
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "cannot compute the return to row %zu: %g after %g is a "
                                  "change beyond the range of a double",
                                  i, num, den);
            perf_ksum_add(&g.log_abs, log(q));
        }
    }

    double ppy = periods_per_year;
    if (ppy <= 0.0) {
        ra_status rc = ra_est_periods_per_year(dates, n, &ppy, err);
        if (rc != RA_OK)
            return rc;
    }
    double days = (double)(dates[n - 1] - dates[0]);
    out->twr = perf_growth_rate(&g, 1.0);
    out->annualized_act365 = perf_growth_rate(&g, RA_DAYS_PER_YEAR_ACT365 / days);
    out->annualized_periods = perf_growth_rate(&g, ppy / (double)(n - 1));
    out->periods_per_year = ppy;
    out->n_periods = n - 1;
    return RA_OK;
}
