/* A small program using libroboadvisor as an outside developer would: read a wide CSV of prices,
 * compute daily returns and their annualised covariance, and print the long-only minimum-variance
 * portfolio.
 *
 *   cc min_variance.c $(pkg-config --cflags --libs roboadvisor) -o min_variance
 *   ./min_variance ../shared/data/aa_etf_prices.csv SPY,AGG,GLD
 */
#include <roboadvisor/roboadvisor.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PRICES.csv TICKER,TICKER,...\n", argv[0]);
        return 2;
    }
    ra_err err = {0};
    ra_series *s = NULL;
    const char *names[64];
    size_t n = 0;
    char *list = strdup(argv[2]), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
        names[n++] = t;
    int rc = 1;
    double *ret = NULL, *cov = NULL, *w = NULL;
    void *work = NULL;
    if (ra_csv_read_series(argv[1], &s, &err) != RA_OK ||
        ra_series_select(s, names, n, &err) != RA_OK ||
        ra_series_complete(s, 1, NULL, &err) != RA_OK || ra_series_check_positive(s, &err) != RA_OK)
        goto fail;
    size_t t = s->n_rows - 1;
    ret = malloc(t * n * sizeof *ret);
    cov = malloc(n * n * sizeof *cov);
    w = malloc(n * sizeof *w);
    size_t wsize = ra_opt_workspace_size(n, 0);
    work = malloc(wsize);
    if (!ret || !cov || !w || !work) {
        fprintf(stderr, "out of memory\n");
        goto out;
    }
    double ppy;
    if (ra_est_returns(s->values, s->n_rows, n, RA_RETURN_SIMPLE, ret, &err) != RA_OK ||
        ra_est_periods_per_year(s->dates, s->n_rows, &ppy, &err) != RA_OK ||
        ra_est_cov_sample(ret, t, n, ppy, NULL, 0, cov, &err) != RA_OK)
        goto fail;
    ra_opt_problem p = {.n = n, .names = names, .cov = cov};
    ra_opt_result r = {.w = w};
    if (ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, work, wsize, &r, &err) != RA_OK)
        goto fail;
    printf("minimum-variance portfolio from %zu returns (volatility %.2f %% per year):\n", t,
           100 * r.volatility);
    for (size_t j = 0; j < n; j++)
        printf("  %-8s %7.2f %%\n", names[j], 100 * w[j]);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "%s%s%s\n", err.where, err.where[0] ? ": " : "", err.msg);
out:
    free(work);
    free(w);
    free(cov);
    free(ret);
    free(list);
    ra_series_destroy(s);
    return rc;
}
