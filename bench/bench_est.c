/* Benchmark of ra_est_cov_sample (plus EWMA and Ledoit-Wolf) against R's cov() on the same data.
 *
 *   bench_est [--no-r] [--script path/to/r_cov_peer.R]
 *
 * Data: for n in {50, 100, 250, 500}, 1260 daily returns of the seeded 5-factor model of
 * bench_common.h (the same matrices bench_optimize times). Times are wall clock (CLOCK_MONOTONIC),
 * min and median of repetitions (200 for n <= 100, 50 for n = 250, 21 for n = 500). Peer:
 * bench/r_cov_peer.R runs R's cov() on the same returns and compares its result with ours.
 * Target (issue 3): the n = 500 sample covariance in at most 50 ms. */
#include <roboadvisor/est.h>

#include "bench_common.h"

#include <cblas.h>
#include <unistd.h>

#define COV_TARGET_MS 50.0

enum { EST_SAMPLE, EST_EWMA, EST_LW };

/* Times one estimator reps times on r (BENCH_T_OBS x n); leaves its result in cov. */
static int time_est(int which, const double *r, size_t n, double *cov, void *work, size_t wsz,
                    int reps, bench_stat *st)
{
    double *el = malloc((size_t)reps * sizeof *el);
    if (!el)
        return -1;
    for (int k = 0; k < reps; k++) {
        ra_err err;
        ra_status rc;
        double t0 = bench_now_ms();
        if (which == EST_SAMPLE)
            rc = ra_est_cov_sample(r, BENCH_T_OBS, n, BENCH_PPY, work, wsz, cov, &err);
        else if (which == EST_EWMA)
            rc = ra_est_cov_ewma(r, BENCH_T_OBS, n, BENCH_PPY, RA_EWMA_LAMBDA_DEFAULT, work, wsz,
                                 cov, &err);
        else
            rc = ra_est_cov_ledoit_wolf(r, BENCH_T_OBS, n, BENCH_PPY, work, wsz, cov, NULL, &err);
        el[k] = bench_now_ms() - t0;
        if (rc != RA_OK) {
            fprintf(stderr, "bench_est: n = %zu: %s\n", n, err.msg);
            free(el);
            return -1;
        }
    }
    *st = bench_min_med(el, reps);
    free(el);
    return 0;
}

/* Runs R's cov() reps times on r and compares with our sample covariance cov (annualised; R's is
 * per period). Fills st (ms) and diff (max |ours/ppy - R| / sqrt(c_ii c_jj)); 0 on success. */
static int r_peer(const char *script, const char *dir, const double *r, size_t n,
                  const double *cov, int reps, bench_stat *st, double *diff)
{
    char xpath[600], cpath[600], cmd[3072];
    snprintf(xpath, sizeof xpath, "%s/returns_%zu.bin", dir, n);
    snprintf(cpath, sizeof cpath, "%s/cov_%zu.bin", dir, n);
    double *c = malloc(n * n * sizeof *c);
    if (!c)
        return -1;
    for (size_t k = 0; k < n * n; k++)
        c[k] = cov[k] / BENCH_PPY;
    int rc = -1;
    if (bench_write_raw(xpath, r, (size_t)BENCH_T_OBS * n) == 0 && bench_write_raw(cpath, c, n * n) == 0) {
        snprintf(cmd, sizeof cmd, "Rscript '%s' '%s' %d %zu %d '%s'", script, xpath, BENCH_T_OBS, n,
                 reps, cpath);
        FILE *p = popen(cmd, "r");
        double mn, md;
        if (p && fscanf(p, "%lf %lf %lf", &mn, &md, diff) == 3) {
            st->min = mn * 1e3;
            st->med = md * 1e3;
            rc = 0;
        }
        if (p && pclose(p) != 0)
            rc = -1;
    }
    free(c);
    remove(xpath);
    remove(cpath);
    return rc;
}

int main(int argc, char **argv)
{
    char script[1024];
    int use_r = 1;
    bench_script_path("r_cov_peer.R", script, sizeof script);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-r"))
            use_r = 0;
        else if (!strcmp(argv[i], "--script") && i + 1 < argc)
            snprintf(script, sizeof script, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--no-r] [--script r_cov_peer.R]\n", argv[0]);
            return 2;
        }
    }
    if (use_r && access(script, R_OK) != 0) {
        printf("R peer skipped: script %s not readable\n", script);
        use_r = 0;
    }
    char dir[] = "/tmp/ra_bench_est_XXXXXX";
    if (use_r && !mkdtemp(dir)) {
        perror("mkdtemp");
        use_r = 0;
    }

    printf("covariance estimators, %d daily returns x n assets, %d-factor model (seed %llu), "
           "OpenBLAS threads %d\n", BENCH_T_OBS, BENCH_N_FACTORS, (unsigned long long)BENCH_SEED,
           openblas_get_num_threads());
    printf("%5s %6s %21s %21s %21s %21s %10s %16s\n", "n", "reps", "sample ms min/med",
           "ewma ms min/med", "ledoit-wolf ms min/med", "R cov() ms min/med", "R/ours med",
           "max|ours-R|/sd2");
    double med500 = NAN;
    int r_failed = 0;
    for (int i = 0; i < BENCH_N_SIZES; i++) {
        size_t n = bench_sizes[i];
        int reps = n <= 100 ? 200 : n <= 250 ? 50 : 21;
        double *r = malloc((size_t)BENCH_T_OBS * n * sizeof *r), *cov = malloc(n * n * sizeof *cov);
        size_t wsz = ra_est_cov_workspace_size(BENCH_T_OBS, n);
        void *work = malloc(wsz);
        bench_stat sm, ew, lw, rt = {NAN, NAN};
        double diff = NAN;
        if (!r || !cov || !work || bench_factor_returns(BENCH_T_OBS, n, BENCH_SEED, r) != 0 ||
            time_est(EST_EWMA, r, n, cov, work, wsz, reps, &ew) != 0 ||
            time_est(EST_LW, r, n, cov, work, wsz, reps, &lw) != 0 ||
            time_est(EST_SAMPLE, r, n, cov, work, wsz, reps, &sm) != 0) /* leaves the sample cov */
            return 1;
        if (use_r && r_peer(script, dir, r, n, cov, n <= 100 ? 20 : 5, &rt, &diff) != 0) {
            rt.min = rt.med = NAN;
            r_failed = 1;
        }
        printf("%5zu %6d %9.3f / %9.3f %9.3f / %9.3f %9.3f / %9.3f %9.2f / %9.2f %9.1fx %16.1e\n", n,
               reps, sm.min, sm.med, ew.min, ew.med, lw.min, lw.med, rt.min, rt.med,
               rt.med / sm.med, diff);
        if (n == 500)
            med500 = sm.med;
        free(r);
        free(cov);
        free(work);
    }
    if (use_r)
        rmdir(dir);
    if (r_failed)
        printf("Rscript is missing or failed: R's cov() not compared (nan)\n");
    printf("max|ours-R|/sd2 = max over i,j of |ours_ij/252 - cov(x)_ij| / sqrt(c_ii c_jj)\n");
    printf("%s: n = 500 sample covariance median %.3f ms <= %.0f ms\n",
           med500 <= COV_TARGET_MS ? "PASS" : "MISS", med500, COV_TARGET_MS);
    return 0;
}
