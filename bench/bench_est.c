/* Benchmark of ra_est_cov_sample (plus EWMA and Ledoit-Wolf) against R's cov() on the same data.
 * Usage: bench_est [path/to/r_cov_peer.R]   (default: next to this source file; "-" skips R)
 * Data: 1260 daily observations (5 years) of a 5-factor model, r = B f + e, with f ~ N(0, 1%^2),
 * loadings ~ N(1, 0.3^2) on factor 1 and N(0, 0.3^2) on the others, e ~ N(0, 1.5%^2); seeded
 * splitmix64 + Box-Muller, so every run times the same matrix. Target (issue): 500 assets in
 * at most 50 ms on the 2-core build machine. Times are wall clock, min and median of reps. */
#include <roboadvisor/est.h>

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_OBS 1260
#define N_FACTORS 5
#define PPY 252.0

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Standard normal by Box-Muller (one of the pair; simplicity over speed here). */
static double normal(uint64_t *s)
{
    double u1 = ((double)(splitmix64(s) >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
    double u2 = (double)(splitmix64(s) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static void factor_returns(double *r, size_t t_obs, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    double *beta = malloc(n * N_FACTORS * sizeof *beta), f[N_FACTORS];
    if (!beta)
        exit(1);
    for (size_t j = 0; j < n; j++)
        for (int k = 0; k < N_FACTORS; k++)
            beta[j * N_FACTORS + k] = (k == 0 ? 1.0 : 0.0) + 0.3 * normal(&s);
    for (size_t t = 0; t < t_obs; t++) {
        for (int k = 0; k < N_FACTORS; k++)
            f[k] = 0.01 * normal(&s);
        for (size_t j = 0; j < n; j++) {
            double v = 0.0003 + 0.015 * normal(&s);
            for (int k = 0; k < N_FACTORS; k++)
                v += beta[j * N_FACTORS + k] * f[k];
            r[t * n + j] = v;
        }
    }
    free(beta);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct timing {
    double min_ms, med_ms;
} timing;

enum { EST_SAMPLE, EST_EWMA, EST_LW };

static timing time_est(int which, const double *r, size_t n, double *cov, void *work, size_t wsz,
                       int reps)
{
    double *el = malloc((size_t)reps * sizeof *el);
    if (!el)
        exit(1);
    for (int k = 0; k < reps; k++) {
        ra_err err;
        ra_status rc;
        double t0 = now_s();
        if (which == EST_SAMPLE)
            rc = ra_est_cov_sample(r, N_OBS, n, PPY, work, wsz, cov, &err);
        else if (which == EST_EWMA)
            rc = ra_est_cov_ewma(r, N_OBS, n, PPY, RA_EWMA_LAMBDA_DEFAULT, work, wsz, cov, &err);
        else
            rc = ra_est_cov_ledoit_wolf(r, N_OBS, n, PPY, work, wsz, cov, NULL, &err);
        el[k] = (now_s() - t0) * 1e3;
        if (rc != RA_OK) {
            fprintf(stderr, "bench_est: %s\n", err.msg);
            exit(1);
        }
    }
    qsort(el, (size_t)reps, sizeof *el, cmp_double);
    timing tm = {el[0], el[reps / 2]};
    free(el);
    return tm;
}

static int write_raw(const char *path, const double *x, size_t count)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(x, sizeof *x, count, f);
    return (fclose(f) == 0 && w == count) ? 0 : -1;
}

/* Runs R's cov() on r (script: at most 1023 chars) (and compares with our cov/ppy); returns 0 and fills min/med (ms), diff. */
static int r_peer(const char *script, const double *r, size_t n, const double *cov, int reps,
                  timing *tm, double *diff)
{
    char xpath[] = "/tmp/bench_est_xXXXXXX", cpath[] = "/tmp/bench_est_cXXXXXX";
    int fx = mkstemp(xpath), fc = mkstemp(cpath);
    if (fx < 0 || fc < 0)
        return -1;
    close(fx);
    close(fc);
    double *c = malloc(n * n * sizeof *c);
    if (!c)
        return -1;
    for (size_t k = 0; k < n * n; k++)
        c[k] = cov[k] / PPY;
    int rc = -1;
    if (write_raw(xpath, r, N_OBS * n) == 0 && write_raw(cpath, c, n * n) == 0) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "Rscript '%s' '%s' %d %zu %d '%s'", script, xpath, N_OBS, n,
                 reps, cpath);
        FILE *p = popen(cmd, "r");
        double mn, md;
        if (p && fscanf(p, "%lf %lf %lf", &mn, &md, diff) == 3) {
            tm->min_ms = mn * 1e3;
            tm->med_ms = md * 1e3;
            rc = 0;
        }
        if (p)
            pclose(p);
    }
    free(c);
    remove(xpath);
    remove(cpath);
    return rc;
}

int main(int argc, char **argv)
{
    char script[1024];
    if (argc > 1) {
        snprintf(script, sizeof script, "%s", argv[1]);
    } else { /* __FILE__ is the absolute source path in CMake builds */
        snprintf(script, sizeof script, "%s", __FILE__);
        char *slash = strrchr(script, '/');
        snprintf(slash ? slash + 1 : script, sizeof script - (size_t)(slash ? slash + 1 - script : 0),
                 "r_cov_peer.R");
    }
    int use_r = strcmp(script, "-") != 0 && access(script, R_OK) == 0;
    const size_t sizes[] = {50, 100, 250, 500};
    printf("ra_est covariance, %d observations x n assets, 5-factor model (seed 42), "
           "OpenBLAS threads %d\n", N_OBS, openblas_get_num_threads());
    printf("%6s %11s %11s %11s %11s %11s %11s %9s\n", "n", "sample min", "sample med",
           "ewma med", "lw med", "R cov min", "R cov med", "R/ours");
    int missed = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        int reps = n <= 100 ? 200 : n <= 250 ? 50 : 21;
        double *r = malloc(N_OBS * n * sizeof *r), *cov = malloc(n * n * sizeof *cov);
        size_t wsz = ra_est_cov_workspace_size(N_OBS, n);
        void *work = malloc(wsz);
        if (!r || !cov || !work)
            return 1;
        factor_returns(r, N_OBS, n, 42);
        timing ew = time_est(EST_EWMA, r, n, cov, work, wsz, reps);
        timing lw = time_est(EST_LW, r, n, cov, work, wsz, reps);
        timing sm = time_est(EST_SAMPLE, r, n, cov, work, wsz, reps); /* leaves the sample cov */
        timing rt = {NAN, NAN};
        double diff = NAN;
        if (use_r && r_peer(script, r, n, cov, n <= 100 ? 20 : 5, &rt, &diff) != 0)
            rt.min_ms = rt.med_ms = NAN;
        printf("%6zu %9.3fms %9.3fms %9.3fms %9.3fms %9.2fms %9.2fms %8.1fx", n, sm.min_ms,
               sm.med_ms, ew.med_ms, lw.med_ms, rt.min_ms, rt.med_ms, rt.med_ms / sm.med_ms);
        if (use_r)
            printf("  (max |ours-R|/scale %.1e)", diff);
        printf("\n");
        if (n == 500 && sm.med_ms > 50.0)
            missed = 1;
        free(r);
        free(cov);
        free(work);
    }
    if (!use_r)
        printf("R peer skipped (script %s not readable)\n", script);
    printf("target: 500 assets in <= 50 ms median: %s\n", missed ? "MISSED" : "met");
    return 0;
}
