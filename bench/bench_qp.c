/* Benchmark of the QP solver against R's quadprog::solve.QP on minimum-variance portfolios.
 *
 *   bench_qp [--reps K] [--no-r] [--dual] [--script path/to/quadprog_peer.R]
 *   (--dual: the Goldfarb-Idnani method alone, without the fast bound phase)
 *
 * Problem for each n in {50, 100, 250, 500}: minimise 0.5 w'Sw subject to sum w = 1 and
 * 0 <= w <= 1, S the annualised sample
 * covariance of 1260 daily returns of a seeded 5-factor model. Ours: ra_qp_factor and ra_qp_solve
 * timed separately with CLOCK_MONOTONIC, min and median over K repetitions. Peer: the same
 * covariances written as raw little-endian doubles to a temporary directory and solved by
 * bench/quadprog_peer.R, which prints its own timings and writes its weights back.
 *
 * The parts are kept apart so other benchmarks can be added to this program: the data generator
 * (gen_*), our timing (time_ours) and the R harness (peer_*). */
#include <roboadvisor/qp.h>

#include "core/qp_int.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N_SIZES 4
static const size_t k_sizes[N_SIZES] = {50, 100, 250, 500};
#define T_OBS 1260      /* five years of trading days */
#define N_FACTORS 5
#define GEN_SEED UINT64_C(20240601)
#define GEN_TWO_PI 6.283185307179586476925286766559

/* ---- data generator: seeded factor model ------------------------------------------------- */

typedef struct gen_rng { uint64_t s[4]; int has_spare; double spare; } gen_rng;

static uint64_t gen_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void gen_seed(gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = gen_splitmix64(&seed);
    r->has_spare = 0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t gen_next(gen_rng *r) /* xoshiro256** (Blackman & Vigna 2018) */
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static double gen_unif(gen_rng *r) /* (0, 1) */
{
    return ((double)(gen_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double gen_normal(gen_rng *r) /* Box-Muller */
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = gen_unif(r), u2 = gen_unif(r), rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(GEN_TWO_PI * u2);
    r->has_spare = 1;
    return rad * cos(GEN_TWO_PI * u2);
}

/* Annualised sample covariance (n*n, row-major) of T_OBS daily returns of n assets:
 * r_ti = sum_f b_if f_tf + e_ti, factor vols 1.2%, 0.8%, 0.6%, 0.5%, 0.4% a day, market loadings
 * N(1, 0.3), other loadings N(0, 0.5), idiosyncratic vols uniform 1%..3% a day. */
static int gen_factor_cov(size_t n, uint64_t seed, double *cov)
{
    static const double fvol[N_FACTORS] = {0.012, 0.008, 0.006, 0.005, 0.004};
    double *ret = malloc((size_t)T_OBS * n * sizeof *ret), *b = malloc(n * N_FACTORS * sizeof *b),
           *ivol = malloc(n * sizeof *ivol);
    if (!ret || !b || !ivol) {
        free(ret); free(b); free(ivol);
        return -1;
    }
    gen_rng r;
    gen_seed(&r, seed ^ (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        b[i * N_FACTORS] = 1.0 + 0.3 * gen_normal(&r);
        for (int f = 1; f < N_FACTORS; f++)
            b[i * N_FACTORS + f] = 0.5 * gen_normal(&r);
        ivol[i] = 0.01 + 0.02 * gen_unif(&r);
    }
    for (size_t t = 0; t < T_OBS; t++) {
        double fr[N_FACTORS];
        for (int f = 0; f < N_FACTORS; f++)
            fr[f] = fvol[f] * gen_normal(&r);
        for (size_t i = 0; i < n; i++) {
            double v = 0.0003 + ivol[i] * gen_normal(&r);
            for (int f = 0; f < N_FACTORS; f++)
                v += b[i * N_FACTORS + f] * fr[f];
            ret[t * n + i] = v;
        }
    }
    for (size_t i = 0; i < n; i++) { /* two-pass: centre, then cross products */
        double m = 0.0;
        for (size_t t = 0; t < T_OBS; t++)
            m += ret[t * n + i];
        m /= T_OBS;
        for (size_t t = 0; t < T_OBS; t++)
            ret[t * n + i] -= m;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, T_OBS, 252.0 / (T_OBS - 1), ret, (int)n,
                0.0, cov, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            cov[i * n + j] = cov[j * n + i];
    free(ret); free(b); free(ivol);
    return 0;
}

/* ---- our solver -------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct ours {
    double factor_min, factor_med, solve_min, solve_med, obj;
    int iterations, fast, fast_solves;
    size_t n_zero;
    double *w;
} ours;

static int time_ours(size_t n, const double *cov, int reps, ra_qp_method method, ours *o)
{
    size_t size = ra_qp_workspace_size(n, 1, 0);
    void *work = malloc(size);
    double *one = malloc(n * sizeof *one), *lo = calloc(n, sizeof *lo), *hi = malloc(n * sizeof *hi);
    double *tf = malloc((size_t)reps * sizeof *tf), *ts = malloc((size_t)reps * sizeof *ts);
    o->w = malloc(n * sizeof *o->w);
    if (!work || !one || !lo || !hi || !tf || !ts || !o->w)
        return -1;
    for (size_t j = 0; j < n; j++) {
        one[j] = 1.0;
        hi[j] = 1.0;
    }
    double b = 1.0;
    ra_qp_problem p = {.n = n, .G = cov, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo, .hi = hi};
    ra_qp_result res = {.x = o->w};
    ra_qp_info info;
    ra_err err = {0};
    int rc = 0;
    for (int k = 0; k < reps; k++) {
        double t0 = now_ms();
        if (ra_qp_factor(cov, n, NULL, work, size, &err) != RA_OK) {
            fprintf(stderr, "n = %zu: factor: %s\n", n, err.msg);
            rc = -1;
            break;
        }
        double t1 = now_ms();
        if (ra_qp_solve_method(&p, NULL, work, size, method, &res, &info, &err) != RA_OK) {
            fprintf(stderr, "n = %zu: solve: %s\n", n, err.msg);
            rc = -1;
            break;
        }
        double t2 = now_ms();
        tf[k] = t1 - t0;
        ts[k] = t2 - t1;
    }
    if (rc == 0) {
        qsort(tf, (size_t)reps, sizeof *tf, cmp_double);
        qsort(ts, (size_t)reps, sizeof *ts, cmp_double);
        o->factor_min = tf[0];
        o->factor_med = tf[reps / 2];
        o->solve_min = ts[0];
        o->solve_med = ts[reps / 2];
        o->obj = res.obj; /* 0.5 w'Sw */
        o->iterations = res.iterations;
        o->fast = info.fast_converged;
        o->fast_solves = info.fast_iters;
        o->n_zero = 0;
        for (size_t j = 0; j < n; j++)
            o->n_zero += o->w[j] <= 1e-12;
    }
    free(work); free(one); free(lo); free(hi); free(tf); free(ts);
    return rc;
}

/* ---- R harness ------------------------------------------------------------------------------ */

typedef struct peer { int ok; double ms_min, ms_med, obj; double *w; } peer;

static int peer_write(const char *dir, size_t n, const double *cov)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cov_%zu.bin", dir, n);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t k = fwrite(cov, sizeof *cov, n * n, f); /* x86-64: little-endian already */
    return (fclose(f) == 0 && k == n * n) ? 0 : -1;
}

/* Runs the R script on dir; it prints "n <n> ms_min <x> ms_med <y> obj <z>" per size and writes
 * w_<n>.bin. Returns 0 if Rscript ran and quadprog was found. */
static int peer_run(const char *script, const char *dir, peer *pr)
{
    char cmd[1200], line[512];
    snprintf(cmd, sizeof cmd, "Rscript '%s' '%s' 2>&1", script, dir);
    FILE *pp = popen(cmd, "r");
    if (!pp)
        return -1;
    int found = 0;
    while (fgets(line, sizeof line, pp)) {
        size_t n;
        double a, b, c;
        if (sscanf(line, "n %zu ms_min %lf ms_med %lf obj %lf", &n, &a, &b, &c) == 4) {
            for (int i = 0; i < N_SIZES; i++)
                if (k_sizes[i] == n) {
                    pr[i].ok = 1;
                    pr[i].ms_min = a;
                    pr[i].ms_med = b;
                    pr[i].obj = c;
                    found++;
                }
        } else {
            fprintf(stderr, "R: %s", line);
        }
    }
    int st = pclose(pp);
    if (st != 0 || found == 0)
        return -1;
    for (int i = 0; i < N_SIZES; i++) {
        if (!pr[i].ok)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/w_%zu.bin", dir, k_sizes[i]);
        FILE *f = fopen(path, "rb");
        pr[i].w = malloc(k_sizes[i] * sizeof *pr[i].w);
        if (!f || !pr[i].w || fread(pr[i].w, sizeof *pr[i].w, k_sizes[i], f) != k_sizes[i]) {
            pr[i].ok = 0;
        }
        if (f)
            fclose(f);
    }
    return 0;
}

static void default_script(char *buf, size_t len)
{
    const char *file = __FILE__, *slash = strrchr(file, '/');
    if (slash)
        snprintf(buf, len, "%.*s/quadprog_peer.R", (int)(slash - file), file);
    else
        snprintf(buf, len, "bench/quadprog_peer.R");
}

int main(int argc, char **argv)
{
    int reps = 15, use_r = 1;
    ra_qp_method method = RA_QP_METHOD_AUTO;
    char script[600];
    default_script(script, sizeof script);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-r")) use_r = 0;
        else if (!strcmp(argv[i], "--dual")) method = RA_QP_METHOD_DUAL;
        else if (!strcmp(argv[i], "--script") && i + 1 < argc) snprintf(script, sizeof script, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--reps K] [--no-r] [--dual] [--script quadprog_peer.R]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;

    char dir[] = "/tmp/ra_bench_qp_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    double *cov[N_SIZES] = {0};
    ours o[N_SIZES];
    peer pr[N_SIZES];
    memset(o, 0, sizeof o);
    memset(pr, 0, sizeof pr);
    for (int i = 0; i < N_SIZES; i++) {
        size_t n = k_sizes[i];
        cov[i] = malloc(n * n * sizeof *cov[i]);
        if (!cov[i] || gen_factor_cov(n, GEN_SEED, cov[i]) != 0 || peer_write(dir, n, cov[i]) != 0) {
            fprintf(stderr, "could not generate or write the n = %zu problem\n", n);
            return 1;
        }
        if (time_ours(n, cov[i], reps, method, &o[i]) != 0)
            return 1;
    }
    int have_r = 0;
    if (use_r) {
        if (access(script, R_OK) != 0)
            fprintf(stderr, "peer script %s not found: quadprog not compared\n", script);
        else if (peer_run(script, dir, pr) != 0)
            fprintf(stderr, "Rscript or the quadprog package is missing or failed: quadprog not compared\n");
        else
            have_r = 1;
    }

    printf("minimum variance, long-only (0 <= w <= 1), sum w = 1; covariance of %d daily returns, "
           "%d-factor model, seed %llu; %d repetitions (min / median ms)\n",
           T_OBS, N_FACTORS, (unsigned long long)GEN_SEED, reps);
    printf("%5s %17s %17s %17s %8s %9s %10s %10s %6s %5s %12s\n", "n", "factor ms", "solve ms",
           "quadprog ms", "ratio", "ratio f+s", "|dobj|", "max|dw|", "at 0", "iter", "fast solves");
    for (int i = 0; i < N_SIZES; i++) {
        size_t n = k_sizes[i];
        char qp[32] = "-", ratio[16] = "-", ratio2[16] = "-", dobj[16] = "-", dw[16] = "-";
        if (have_r && pr[i].ok) {
            snprintf(qp, sizeof qp, "%7.3f / %7.3f", pr[i].ms_min, pr[i].ms_med);
            snprintf(ratio, sizeof ratio, "%.1f", pr[i].ms_min / o[i].solve_min);
            snprintf(ratio2, sizeof ratio2, "%.1f", pr[i].ms_min / (o[i].solve_min + o[i].factor_min));
            snprintf(dobj, sizeof dobj, "%.2e", fabs(pr[i].obj - o[i].obj));
            double m = 0.0;
            for (size_t j = 0; j < n; j++)
                m = fmax(m, fabs(pr[i].w[j] - o[i].w[j]));
            snprintf(dw, sizeof dw, "%.2e", m);
        }
        char fast[16];
        snprintf(fast, sizeof fast, "%s %d", o[i].fast ? "yes" : "no", o[i].fast_solves);
        printf("%5zu %7.3f / %7.3f %7.3f / %7.3f %17s %8s %9s %10s %10s %6zu %5d %12s\n", n,
               o[i].factor_min, o[i].factor_med, o[i].solve_min, o[i].solve_med, qp, ratio, ratio2,
               dobj, dw, o[i].n_zero, o[i].iterations, fast);
    }
    printf("ratio = quadprog min / our solve min; ratio f+s = quadprog min / (our factor + solve min);\n"
           "at 0 = weights <= 1e-12; iter = active-set changes; fast = bound phase accepted, linear solves\n");
    for (int i = 0; i < N_SIZES; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/cov_%zu.bin", dir, k_sizes[i]);
        remove(path);
        snprintf(path, sizeof path, "%s/w_%zu.bin", dir, k_sizes[i]);
        remove(path);
        free(cov[i]);
        free(o[i].w);
        free(pr[i].w);
    }
    rmdir(dir);
    return 0;
}
