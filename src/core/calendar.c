/* Periods per year from date spacing (include/roboadvisor/est.h, docs/methodology.md#annualisation).
 * Median spacing rather than mean so that holidays and a few missing days do not move a daily
 * series into another class. */
#include <roboadvisor/est.h>



/* Median of the gaps without allocating: gaps are bounded small integers for real data, so count
 * them in a histogram; large gaps (over RA_MAX_GAP days) fall into one overflow bucket. */
#define RA_MAX_GAP 400

ra_status ra_est_periods_per_year(const ra_date *dates, size_t n, double *ppy, ra_err *err)
{
    if (!dates || !ppy)
        return ra_err_set(err, RA_EINVAL, NULL, "dates and result are required");
    if (n < 2)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "need at least 2 dates to infer the periods per year, got %zu", n);
    size_t hist[RA_MAX_GAP + 2] = {0};
    for (size_t i = 1; i < n; i++) {
        int32_t gap = dates[i] - dates[i - 1];
        if (gap <= 0)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "dates must be strictly increasing (date %zu is not after date %zu)",
                              i + 1, i);
        hist[gap > RA_MAX_GAP ? RA_MAX_GAP + 1 : gap]++;
    }
    /* Lower median of the n-1 gaps. */
    size_t half = (n - 2) / 2, seen = 0;
    int32_t med = RA_MAX_GAP + 1;
    for (int32_t g = 1; g <= RA_MAX_GAP + 1; g++) {
        seen += hist[g];
        if (seen > half) {
            med = g;
            break;
        }
    }
    if (med <= 4)
        *ppy = RA_TRADING_DAYS_PER_YEAR;
    else if (med >= 5 && med <= 10)
        *ppy = RA_WEEKS_PER_YEAR;
    else if (med >= 25 && med <= 35)
        *ppy = RA_MONTHS_PER_YEAR;
    else if (med >= 80 && med <= 100)
        *ppy = 4.0;
    else if (med >= 350 && med <= 380)
        *ppy = 1.0;
    else
        return ra_err_set(err, RA_EINVAL, NULL,
                          "cannot infer the periods per year from a median spacing of %d days; "
                          "give --periods-per-year",
                          (int)med);
    return RA_OK;
}
