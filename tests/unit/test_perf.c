/* Unit and golden tests of ra_perf_stats_compute and ra_perf_quantile7 (src/core/perf_stats.c).
 * Hand cases show their derivation; golden numbers come from tests/golden/perf/perf_golden.R (base
 * R, independent of our C code) run on the real series in ../shared/data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include <roboadvisor/perf.h>

#include "ra_test.h"

#include "../golden/perf/perf_golden.h"

#define TOL_HAND 1e-14 /* hand cases: a few roundings of numbers of order 1 */
/* Golden: R sums in another order (and cumprod in long double) than our compensated log sums;
 * the results agree to ~1e-13 relative, so 1e-10 is tight yet leaves room for R's own parser. */
#define TOL_GOLDEN_REL 1e-10
#define TOL_GOLDEN_ABS 1e-13

static ra_status stats(const double *r, const double *b, size_t n, double P, double rf,
                       double mar, double level, ra_perf_stats *s, ra_err *err)
{
    return ra_perf_stats_compute(r, b, n, 1, P, rf, mar, level, s, err);
}

/* ---- hand-derived cases --------------------------------------------------------------------- */

/* r = 0.10, -0.05, 0.02, P = 12: prod = 1.1 * 0.95 * 1.02 = 1.0659, so cumulative 0.0659 and
 * annualised 1.0659^(12/3) - 1. */
static void test_stats_cumulative_and_annualized(void **state)
{
    (void)state;
    const double r[] = {0.10, -0.05, 0.02};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3, 12.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.cumulative_return, 0.0659, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.annualized_return, pow(1.0659, 4.0) - 1.0, TOL_HAND, 0.0);
}

/* r = 0.01, 0.03, -0.02, 0.02: mean 0.01, deviations 0, 0.02, -0.03, 0.01, sum of squares 0.0014,
 * var = 0.0014/3, sd = sqrt(0.0014/3). P = 12, rf = 0.012 (rf/P = 0.001):
 * vol = sd sqrt(12); Sharpe = sqrt(12) (0.01 - 0.001) / sd. mar = 0: the only return below 0 is
 * -0.02, DD = sqrt(0.02^2 / 4) = 0.01, Sortino = sqrt(12) * 0.01 / 0.01 = sqrt(12). */
static void test_stats_volatility_sharpe_sortino(void **state)
{
    (void)state;
    const double r[] = {0.01, 0.03, -0.02, 0.02};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 4, 12.0, 0.012, 0.0, 0.95, &s, NULL), RA_OK);
    double sd = sqrt(0.0014 / 3.0);
    RA_ASSERT_CLOSE(s.annualized_volatility, sd * sqrt(12.0), TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.sharpe, sqrt(12.0) * 0.009 / sd, 0.0, 1e-13);
    RA_ASSERT_CLOSE(s.downside_deviation, 0.01, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.sortino, sqrt(12.0), 0.0, 1e-13);
    assert_true(isnan(s.beta) && isnan(s.alpha) && isnan(s.correlation));
    assert_true(isnan(s.tracking_error) && isnan(s.information_ratio));
}

/* mar = 0.12 annual with P = 12 is 0.01 per period; r - 0.01 = 0, 0.02, -0.03, 0.01, so
 * DD = sqrt(0.03^2/4) = 0.015 and Sortino = sqrt(12) (0.01 - 0.01)/0.015 = 0. */
static void test_stats_sortino_nonzero_mar(void **state)
{
    (void)state;
    const double r[] = {0.01, 0.03, -0.02, 0.02};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 4, 12.0, 0.0, 0.12, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.downside_deviation, 0.015, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.sortino, 0.0, 1e-13, 0.0);
}

/* Wealth from 1: 1.1 (peak, point 1), 0.88 (trough, point 2: depth 1 - 0.88/1.1 = 0.2), 0.924,
 * 1.0164 (still below 1.1), 1.21968 (point 5: recovery), 1.097712 (depth 0.1 < 0.2). */
static void test_max_drawdown_with_recovery(void **state)
{
    (void)state;
    const double r[] = {0.1, -0.2, 0.05, 0.1, 0.2, -0.1};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 6, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.max_drawdown.depth, 0.2, TOL_HAND, 0.0);
    assert_int_equal(s.max_drawdown.peak, 1);
    assert_int_equal(s.max_drawdown.trough, 2);
    assert_int_equal(s.max_drawdown.recovery, 5);
}

/* Wealth 1.1 (peak), 0.77 (depth 0.3), 0.847: never back to 1.1. */
static void test_max_drawdown_no_recovery(void **state)
{
    (void)state;
    const double r[] = {0.1, -0.3, 0.1};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.max_drawdown.depth, 0.3, TOL_HAND, 0.0);
    assert_int_equal(s.max_drawdown.peak, 1);
    assert_int_equal(s.max_drawdown.trough, 2);
    assert_true(s.max_drawdown.recovery == SIZE_MAX);
}

/* Wealth only rises: no drawdown, all indices 0. */
static void test_max_drawdown_none(void **state)
{
    (void)state;
    const double r[] = {0.01, 0.02, 0.0};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(s.max_drawdown.depth == 0.0);
    assert_int_equal(s.max_drawdown.peak, 0);
    assert_int_equal(s.max_drawdown.trough, 0);
    assert_int_equal(s.max_drawdown.recovery, 0);
}

/* Prices 100, 97, 100 as returns: -0.03 and 100/97 - 1. The product (1 - 0.03)(1 + 3/97) rounds
 * to 1 - 1.1e-16, yet the price is back at its high: counts as recovered (RA_PERF_PEAK_TIE_REL). */
static void test_max_drawdown_recovery_at_exact_price(void **state)
{
    (void)state;
    const double r[] = {97.0 / 100.0 - 1.0, 100.0 / 97.0 - 1.0, -0.01};
    assert_true((1.0 + r[0]) * (1.0 + r[1]) < 1.0); /* the case this test is about */
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.max_drawdown.depth, 0.03, 1e-15, 0.0);
    assert_int_equal(s.max_drawdown.peak, 0);
    assert_int_equal(s.max_drawdown.trough, 1);
    assert_int_equal(s.max_drawdown.recovery, 2);
}

/* A return of exactly -1 wipes wealth out: cumulative and annualised -1, drawdown 1 from the
 * peak at point 1, never recovered whatever follows. */
static void test_stats_total_loss(void **state)
{
    (void)state;
    const double r[] = {0.1, -1.0, 0.5};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(s.cumulative_return == -1.0);
    assert_true(s.annualized_return == -1.0);
    assert_true(s.max_drawdown.depth == 1.0);
    assert_int_equal(s.max_drawdown.peak, 1);
    assert_int_equal(s.max_drawdown.trough, 2);
    assert_true(s.max_drawdown.recovery == SIZE_MAX);
}

/* r = 0.5 for 3000 periods: prod = 1.5^3000 ~ e^1216 overflows a double, the annualised return
 * 1.5^252 - 1 (P = 252) does not, and comes from the sum of log1p without overflow. */
static void test_stats_long_series_no_overflow(void **state)
{
    (void)state;
    static double r[3000];
    for (size_t i = 0; i < 3000; i++)
        r[i] = 0.5;
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 3000, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(isinf(s.cumulative_return) && s.cumulative_return > 0);
    RA_ASSERT_CLOSE(s.annualized_return, pow(1.5, 252.0) - 1.0, 0.0, 1e-12);
    assert_true(s.max_drawdown.depth == 0.0);
}

/* r = -0.05, -0.02, 0.01, 0.03, 0.04. Level 0.8: p = 0.2, R type 7 index 1 + 4 * 0.2 = 1.8,
 * q = 0.2 * (-0.05) + 0.8 * (-0.02) = -0.026; VaR 0.026; the returns <= q are {-0.05}: CVaR
 * 0.05. Level 0.95: index 1.2, q = 0.8 * (-0.05) + 0.2 * (-0.02) = -0.044. */
static void test_stats_var_cvar(void **state)
{
    (void)state;
    const double r[] = {0.03, -0.02, 0.04, -0.05, 0.01};
    ra_perf_stats s;
    assert_int_equal(stats(r, NULL, 5, 252.0, 0.0, 0.0, 0.8, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.var, 0.026, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.cvar, 0.05, TOL_HAND, 0.0);
    assert_int_equal(stats(r, NULL, 5, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.var, 0.044, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(s.cvar, 0.05, TOL_HAND, 0.0);
}

/* x = 3, 1, 2, 5, 4 (sorted 1..5): p 0.5 -> index 3 -> 3; p 0.1 -> index 1.4 -> 1.4; p 0 -> 1;
 * p 1 -> 5. Ties 1, 1, 1, 2: p 0.5 -> index 2.5 between 1 and 1 -> 1; p 0.9 -> index 3.7,
 * 0.3 * 1 + 0.7 * 2 = 1.7. Negative values and -0 order like R's sort. */
static void test_quantile7_hand(void **state)
{
    (void)state;
    const double x[] = {3, 1, 2, 5, 4}, t[] = {1, 2, 1, 1}, m[] = {-0.0, -2.5, 0.0, -1e-300};
    double q, scratch[5];
    assert_int_equal(ra_perf_quantile7(x, 5, 0.5, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 3.0, 0.0, 0.0);
    assert_int_equal(ra_perf_quantile7(x, 5, 0.1, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 1.4, 1e-15, 0.0);
    assert_int_equal(ra_perf_quantile7(x, 5, 0.0, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 1.0, 0.0, 0.0);
    assert_int_equal(ra_perf_quantile7(x, 5, 1.0, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 5.0, 0.0, 0.0);
    assert_int_equal(ra_perf_quantile7(t, 4, 0.5, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 1.0, 0.0, 0.0);
    assert_int_equal(ra_perf_quantile7(t, 4, 0.9, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, 1.7, 1e-15, 0.0);
    /* sorted: -2.5, -1e-300, 0, 0; p = 1/3 -> index 2 -> -1e-300 */
    assert_int_equal(ra_perf_quantile7(m, 4, 1.0 / 3.0, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, -1e-300, 0.0, 0.0);
    assert_int_equal(ra_perf_quantile7(m, 4, 0.0, scratch, &q, NULL), RA_OK);
    RA_ASSERT_CLOSE(q, -2.5, 0.0, 0.0);
}

static void test_quantile7_errors(void **state)
{
    (void)state;
    const double x[] = {1.0, NAN, 2.0};
    double q, scratch[3];
    ra_err err = {0};
    assert_int_equal(ra_perf_quantile7(x, 3, 0.5, scratch, &q, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "index 1"));
    assert_int_equal(ra_perf_quantile7(x, 1, 1.5, scratch, &q, &err), RA_EINVAL);
    assert_int_equal(ra_perf_quantile7(x, 0, 0.5, scratch, &q, &err), RA_EINVAL);
}

/* b = 0.01, 0.02, -0.01, 0.02 (mean 0.01, deviations 0, 0.01, -0.02, 0.01, var 0.0006/3 =
 * 0.0002) and r = 2b + 0.001: beta 2, correlation 1, Jensen's alpha with P = 12, rf = 0.012:
 * 12 (0.021 - 0.001 - 2 (0.01 - 0.001)) = 12 * 0.002 = 0.024. Active r - b = b + 0.001: tracking
 * error sqrt(0.0002) sqrt(12), information ratio 12 * 0.011 / that. */
static void test_stats_benchmark(void **state)
{
    (void)state;
    const double b[] = {0.01, 0.02, -0.01, 0.02};
    double r[4];
    for (int i = 0; i < 4; i++)
        r[i] = 2.0 * b[i] + 0.001;
    ra_perf_stats s;
    assert_int_equal(stats(r, b, 4, 12.0, 0.012, 0.0, 0.95, &s, NULL), RA_OK);
    RA_ASSERT_CLOSE(s.beta, 2.0, 1e-13, 0.0);
    RA_ASSERT_CLOSE(s.correlation, 1.0, 1e-13, 0.0);
    RA_ASSERT_CLOSE(s.alpha, 0.024, 1e-13, 0.0);
    double te = sqrt(0.0002) * sqrt(12.0);
    RA_ASSERT_CLOSE(s.tracking_error, te, 1e-14, 0.0);
    RA_ASSERT_CLOSE(s.information_ratio, 12.0 * 0.011 / te, 0.0, 1e-12);
}

/* A constant series has sd 0 (the mean of three 0.01 need not be exactly 0.01: the rounding
 * noise is cleared): volatility 0, Sharpe NAN. A constant benchmark: beta, alpha, correlation
 * NAN. r == b: tracking error 0 and information ratio NAN. */
static void test_stats_zero_sd_gives_nan(void **state)
{
    (void)state;
    const double c[] = {0.01, 0.01, 0.01}, v[] = {0.01, 0.02, -0.01};
    ra_perf_stats s;
    assert_int_equal(stats(c, v, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(s.annualized_volatility == 0.0);
    assert_true(isnan(s.sharpe));
    assert_true(isnan(s.sortino)); /* no return below mar = 0: DD = 0 */
    assert_false(isnan(s.beta));   /* cov(c, v) = 0 over var(v) > 0 */
    RA_ASSERT_CLOSE(s.beta, 0.0, 1e-15, 0.0);
    assert_true(isnan(s.correlation));
    assert_int_equal(stats(v, c, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(isnan(s.beta) && isnan(s.alpha) && isnan(s.correlation));
    assert_int_equal(stats(v, v, 3, 252.0, 0.0, 0.0, 0.95, &s, NULL), RA_OK);
    assert_true(s.tracking_error == 0.0);
    assert_true(isnan(s.information_ratio));
    RA_ASSERT_CLOSE(s.beta, 1.0, 1e-15, 0.0);
}

static void test_stats_errors(void **state)
{
    (void)state;
    const double r[] = {0.01, 0.02, NAN, 0.0}, ok[] = {0.01, 0.02, 0.03, 0.04},
                 low[] = {0.01, -1.5, 0.0}, binf[] = {0.0, 0.0, 0.0, INFINITY};
    ra_perf_stats s;
    ra_err err = {0};
    assert_int_equal(stats(r, NULL, 4, 252.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "index 2"));
    assert_int_equal(stats(ok, binf, 4, 252.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "benchmark return at index 3"));
    assert_int_equal(stats(low, NULL, 3, 252.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "index 1"));
    assert_int_equal(stats(ok, NULL, 1, 252.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "got 1"));
    assert_int_equal(stats(ok, NULL, 4, 0.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_int_equal(stats(ok, NULL, 4, 252.0, NAN, 0.0, 0.95, &s, &err), RA_EINVAL);
    assert_int_equal(stats(ok, NULL, 4, 252.0, 0.0, INFINITY, 0.95, &s, &err), RA_EINVAL);
    assert_int_equal(stats(ok, NULL, 4, 252.0, 0.0, 0.0, 1.0, &s, &err), RA_EINVAL);
    assert_int_equal(stats(ok, NULL, 4, 252.0, 0.0, 0.0, 0.0, &s, &err), RA_EINVAL);
    assert_int_equal(ra_perf_stats_compute(ok, NULL, 4, 0, 252.0, 0.0, 0.0, 0.95, &s, &err),
                     RA_EINVAL);
    assert_int_equal(stats(NULL, NULL, 4, 252.0, 0.0, 0.0, 0.95, &s, &err), RA_EINVAL);
}

/* Columns of a row-major matrix via stride give the same numbers as contiguous copies. */
static void test_stats_stride_matches_contiguous(void **state)
{
    (void)state;
    const double m[] = {0.01, 0.02, -0.03, 0.01, 0.02, 0.00, 0.05, 0.04, -0.01, -0.02};
    double r[5], b[5];
    for (int i = 0; i < 5; i++) {
        r[i] = m[2 * i];
        b[i] = m[2 * i + 1];
    }
    ra_perf_stats s1, s2;
    assert_int_equal(stats(r, b, 5, 252.0, 0.02, 0.0, 0.9, &s1, NULL), RA_OK);
    assert_int_equal(ra_perf_stats_compute(m, m + 1, 5, 2, 252.0, 0.02, 0.0, 0.9, &s2, NULL),
                     RA_OK);
    assert_memory_equal(&s1, &s2, sizeof s1);
}

/* ---- golden: real series against tests/golden/perf/perf_golden.R ---------------------------- */

/* Splits at the next comma like BSD strsep (not in POSIX): returns the field, NULL at the end. */
static char *next_field(char **p)
{
    char *tok = *p;
    if (!tok)
        return NULL;
    char *c = strchr(tok, ',');
    if (c) {
        *c = '\0';
        *p = c + 1;
    } else {
        *p = NULL;
    }
    return tok;
}

/* Reads columns `cols` of a wide CSV in ../shared/data between two ISO dates (inclusive; NULL =
 * no limit) into a row-major matrix. Returns the row count, failing the test on any problem. */
static size_t read_csv_cols(const char *path, const char *const *cols, size_t ncols,
                            const char *first, const char *last, double *out, size_t max_rows)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    static char line[8192];
    int idx[64];
    assert_true(ncols <= 64);
    if (!fgets(line, sizeof line, fp))
        fail_msg("empty file %s", path);
    line[strcspn(line, "\r\n")] = '\0';
    for (size_t c = 0; c < ncols; c++) {
        idx[c] = -1;
        int k = 0;
        for (char *p = line, *tok; (tok = next_field(&p)) != NULL; k++)
            if (strcmp(tok, cols[c]) == 0)
                idx[c] = k;
        if (idx[c] < 0)
            fail_msg("no column %s in %s", cols[c], path);
        /* strsep cut the header: read it again for the next column. */
        rewind(fp);
        if (!fgets(line, sizeof line, fp))
            fail_msg("cannot reread %s", path);
        line[strcspn(line, "\r\n")] = '\0';
    }
    size_t rows = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (first && strncmp(line, first, 10) < 0)
            continue;
        if (last && strncmp(line, last, 10) > 0)
            break;
        assert_true(rows < max_rows);
        char *fields[64];
        int k = 0;
        for (char *p = line, *tok; k < 64 && (tok = next_field(&p)) != NULL;)
            fields[k++] = tok;
        for (size_t c = 0; c < ncols; c++) {
            assert_true(idx[c] < k);
            char *end;
            out[rows * ncols + c] = strtod(fields[idx[c]], &end);
            if (end == fields[idx[c]] || *end)
                fail_msg("%s row %zu: not a number \"%s\"", path, rows, fields[idx[c]]);
        }
        rows++;
    }
    fclose(fp);
    return rows;
}

/* Simple returns p[t+1]/p[t] - 1 of each column (same operations as R's p[-1]/p[-n] - 1). */
static void returns_of(const double *p, size_t rows, size_t ncols, double *ret)
{
    for (size_t t = 0; t + 1 < rows; t++)
        for (size_t c = 0; c < ncols; c++)
            ret[t * ncols + c] = p[(t + 1) * ncols + c] / p[t * ncols + c] - 1.0;
}

static void check_golden(const ra_perf_stats *s, const double *g, const char *name)
{
    const double got[17] = {s->cumulative_return,
                            s->annualized_return,
                            s->annualized_volatility,
                            s->sharpe,
                            s->sortino,
                            s->downside_deviation,
                            s->max_drawdown.depth,
                            (double)s->max_drawdown.peak,
                            (double)s->max_drawdown.trough,
                            s->max_drawdown.recovery == SIZE_MAX ? -1.0
                                                                 : (double)s->max_drawdown.recovery,
                            s->var,
                            s->cvar,
                            s->beta,
                            s->alpha,
                            s->correlation,
                            s->tracking_error,
                            s->information_ratio};
    for (int k = 0; k < 17; k++) {
        if (isnan(g[k])) {
            if (!isnan(got[k]))
                fail_msg("%s field %d = %.17g, want NAN", name, k, got[k]);
            continue;
        }
        if (!(fabs(got[k] - g[k]) <= TOL_GOLDEN_ABS + TOL_GOLDEN_REL * fabs(g[k])))
            fail_msg("%s field %d = %.17g, want %.17g", name, k, got[k], g[k]);
    }
}

/* SPY, AGG, EFA daily total-return returns 2010-01-04..2019-12-31 with SPY as benchmark. */
static void test_stats_golden_etf(void **state)
{
    (void)state;
    static const char *const cols[] = {"SPY", "AGG", "EFA"};
    static double p[3 * 3000], ret[3 * 3000];
    size_t rows = read_csv_cols(RA_DATA("aa_etf_totalreturn_index.csv"), cols, 3,
                                GOLDEN_ETF_FIRST, GOLDEN_ETF_LAST, p, 3000);
    assert_int_equal(rows - 1, GOLDEN_ETF_N);
    returns_of(p, rows, 3, ret);
    static const char *const names[] = {"SPY", "AGG", "EFA", "EFA_99"};
    for (int c = 0; c < 4; c++) {
        ra_perf_stats s;
        ra_err err = {0};
        int col = c < 3 ? c : 2;
        ra_status rc = ra_perf_stats_compute(ret + col, ret, rows - 1, 3, 252.0, 0.02, 0.0,
                                             c < 3 ? 0.95 : 0.99, &s, &err);
        if (rc != RA_OK)
            fail_msg("%s: %s", names[c], err.msg);
        check_golden(&s, golden_etf[c], names[c]);
    }
}

/* LPP2005 returns as given, 9 columns, benchmark LPP60 (column 8), mar 0.02. */
static void test_stats_golden_lpp2005(void **state)
{
    (void)state;
    static const char *const cols[] = {"SBI", "SPI", "SII", "LMI", "MPI",
                                       "ALT", "LPP25", "LPP40", "LPP60"};
    static double m[9 * 400];
    size_t rows = read_csv_cols(RA_DATA("lpp2005_returns.csv"), cols, 9, NULL, NULL, m, 400);
    assert_int_equal(rows, GOLDEN_LPP_N);
    for (int c = 0; c < 9; c++) {
        ra_perf_stats s;
        ra_err err = {0};
        if (ra_perf_stats_compute(m + c, m + 8, rows, 9, 252.0, 0.01, 0.02, 0.95, &s, &err) !=
            RA_OK)
            fail_msg("%s: %s", cols[c], err.msg);
        check_golden(&s, golden_lpp[c], cols[c]);
    }
}

/* Dow Jones 30 daily prices 1990-2001: drawdowns with and without recovery. */
static void test_stats_golden_dowjones(void **state)
{
    (void)state;
    static const char *const cols[] = {"AA", "AXP", "T",   "BA",  "CAT", "C",   "KO",  "DD",
                                       "EK", "XOM", "GE",  "GM",  "HWP", "HD",  "HON", "INTC",
                                       "IBM", "IP", "JPM", "JNJ", "MCD", "MRK", "MSFT", "MMM",
                                       "MO", "PG",  "SBC", "UTX", "WMT", "DIS"};
    static double p[30 * 2600], ret[30 * 2600];
    size_t rows = read_csv_cols(RA_DATA("dowjones30_prices.csv"), cols, 30, NULL, NULL, p, 2600);
    assert_int_equal(rows - 1, GOLDEN_DJ_N);
    returns_of(p, rows, 30, ret);
    int recovered = 0;
    for (int c = 0; c < 30; c++) {
        ra_perf_stats s;
        ra_err err = {0};
        if (ra_perf_stats_compute(ret + c, NULL, rows - 1, 30, 252.0, 0.0, 0.0, 0.95, &s, &err) !=
            RA_OK)
            fail_msg("%s: %s", cols[c], err.msg);
        check_golden(&s, golden_dj[c], cols[c]);
        recovered += s.max_drawdown.recovery != SIZE_MAX;
    }
    assert_true(recovered >= 5 && recovered <= 25); /* both kinds are exercised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_cumulative_and_annualized),
        cmocka_unit_test(test_stats_volatility_sharpe_sortino),
        cmocka_unit_test(test_stats_sortino_nonzero_mar),
        cmocka_unit_test(test_max_drawdown_with_recovery),
        cmocka_unit_test(test_max_drawdown_no_recovery),
        cmocka_unit_test(test_max_drawdown_none),
        cmocka_unit_test(test_max_drawdown_recovery_at_exact_price),
        cmocka_unit_test(test_stats_total_loss),
        cmocka_unit_test(test_stats_long_series_no_overflow),
        cmocka_unit_test(test_stats_var_cvar),
        cmocka_unit_test(test_quantile7_hand),
        cmocka_unit_test(test_quantile7_errors),
        cmocka_unit_test(test_stats_benchmark),
        cmocka_unit_test(test_stats_zero_sd_gives_nan),
        cmocka_unit_test(test_stats_errors),
        cmocka_unit_test(test_stats_stride_matches_contiguous),
        cmocka_unit_test(test_stats_golden_etf),
        cmocka_unit_test(test_stats_golden_lpp2005),
        cmocka_unit_test(test_stats_golden_dowjones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
