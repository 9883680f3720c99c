/* The benchmarks of issue 3 and issue 14 ("Speed"): covariance, minimum variance and an efficient
 * frontier, against R's quadprog::solve.QP on the same problems in the same run.
 *
 *   bench_optimize [--reps K] [--no-r] [--dual] [--script path/to/quadprog_peer.R]
 *   --reps K   repetitions of each of our timings (default 21; minimum variance runs 5K, since
 *              one call takes well under a millisecond); min and median are reported
 *   --no-r     do not run R (our figures only)
 *   --dual     the Goldfarb-Idnani method alone, without the fast bound phase (internal hook;
 *              the "full" rows only)
 *
 * Minimum variance, for n in {50, 100, 250, 500}: 1260 x n daily returns of the seeded factor
 * model of bench_common.h; S = ra_est_cov_sample (annualised, timed); minimise 0.5 w'Sw subject to
 * sum w = 1 and 0 <= w <= 1, two ways in the same run, setup and solve timed separately:
 * "full" = ra_qp_factor (the whole covariance) + ra_qp_solve, the method of issue 3;
 * "free" = ra_qp_setup (checks only) + ra_qp_solve, which then takes the free-set method and
 * factorises only the free assets' block (issue 14). Frontier, n = 100: the same returns, mu = ra_est_mean, S as above, 50 points of
 * ra_opt_frontier (long-only, budget), the whole call timed. Peer: the covariances, mu and our 50
 * achieved target returns are written as raw doubles to a temporary directory and
 * bench/quadprog_peer.R solves the same problems with solve.QP, timing itself and writing its
 * solutions back for comparison. Verdicts against the issue's targets come last. */
#include <roboadvisor/est.h>
#include <roboadvisor/opt.h>
#include <roboadvisor/qp.h>

#include "core/qp_int.h"

#include "bench_common.h"

#include <cblas.h>
#include <unistd.h>

#define FRONTIER_N 100 /* assets of the frontier problem (one of bench_sizes) */
#define FRONTIER_K 50  /* points */
#define AT_ZERO 1e-12  /* a weight at or below this counts as "at 0" in the table */

/* Issue 3 targets on the 2-core build machine (judged on medians). */
#define TARGET_SOLVE_MS 5.0     /* n = 500 ra_qp_solve */
#define TARGET_RATIO 10.0       /* n = 500 quadprog / ra_qp_solve */
#define TARGET_COV_MS 50.0      /* n = 500 ra_est_cov_sample */
#define TARGET_FRONTIER_MS 20.0 /* n = 100, 50 points, the whole ra_opt_frontier call */
/* Issue 14 targets: n = 500 long-only minimum variance, setup + solve of the free-set path. */
#define TARGET14_MS 1.0     /* setup + solve medians */
#define TARGET14_RATIO 200.0 /* quadprog median / (setup + solve medians) */
#define TARGET14_DOBJ 1e-9  /* |our objective - quadprog's| */
#define MINVAR_REP_FACTOR 5 /* minimum-variance repetitions = this * --reps */

typedef struct minvar {
    bench_stat cov, setup, solve;
    bench_stat cpu; /* setup + solve, CPU time of the calling thread */
    double obj; /* 0.5 w'Sw */
    int iterations, fast, fast_solves, free_ok, free_changes;
    size_t n_zero;
    double *w;
} minvar;

typedef struct frontier {
    bench_stat ms;
    int iterations; /* summed over the points */
    double mu[FRONTIER_N]; /* annual expected returns */
    double *target; /* FRONTIER_K achieved expected returns (the targets given to quadprog) */
    double *var;    /* FRONTIER_K variances w'Sw */
    double *w;      /* FRONTIER_K * FRONTIER_N weights */
} frontier;

typedef struct qp_peer { int ok; bench_stat ms; double obj; double *w; } qp_peer;
typedef struct frontier_peer { int ok, failed; bench_stat ms; double *var, *w; } frontier_peer;

static int size_index(size_t n)
{
    for (int i = 0; i < BENCH_N_SIZES; i++)
        if (bench_sizes[i] == n)
            return i;
    return -1;
}

static int write_file(const char *dir, const char *name, const double *x, size_t count)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return bench_write_raw(path, x, count);
}

static void remove_file(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    remove(path);
}

/* name of the frontier file for part ("mu", "targets", "var", "w"), as quadprog_peer.R expects */
static void frontier_file(const char *part, char *buf, size_t len)
{
    snprintf(buf, len, "frontier_%d_%s.bin", FRONTIER_N, part);
}

static int read_file(const char *dir, const char *name, double *x, size_t count)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return bench_read_raw(path, x, count);
}

/* ---- ours ---------------------------------------------------------------------------------- */

/* CPU time of the calling thread, ms: what one call cost, whatever else the shared machine runs
 * (the free-set path calls only single-threaded BLAS; OpenBLAS's threaded dpotrf in the full
 * path is undercounted by it, so the full rows show wall time only). */
static double cpu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int time_cov(const double *ret, size_t n, int reps, double *cov, bench_stat *st)
{
    size_t wsz = ra_est_cov_workspace_size(BENCH_T_OBS, n);
    void *work = malloc(wsz);
    double *t = malloc((size_t)reps * sizeof *t);
    ra_err err = {0};
    int rc = (work && t) ? 0 : -1;
    for (int k = 0; k < reps && rc == 0; k++) {
        double t0 = bench_now_ms();
        if (ra_est_cov_sample(ret, BENCH_T_OBS, n, BENCH_PPY, work, wsz, cov, &err) != RA_OK) {
            fprintf(stderr, "n = %zu: covariance: %s\n", n, err.msg);
            rc = -1;
        }
        t[k] = bench_now_ms() - t0;
    }
    if (rc == 0)
        *st = bench_min_med(t, reps);
    free(work);
    free(t);
    return rc;
}

/* lazy: ra_qp_setup instead of ra_qp_factor (the free-set path) */
static int time_minvar(size_t n, const double *cov, int reps, ra_qp_method method, int lazy, minvar *o)
{
    size_t size = ra_qp_workspace_size(n, 1, 0);
    void *work = malloc(size);
    double *one = malloc(n * sizeof *one), *lo = calloc(n, sizeof *lo), *hi = malloc(n * sizeof *hi);
    double *tf = malloc((size_t)reps * sizeof *tf), *ts = malloc((size_t)reps * sizeof *ts);
    double *tc = malloc((size_t)reps * sizeof *tc);
    o->w = malloc(n * sizeof *o->w);
    int rc = (work && one && lo && hi && tf && ts && tc && o->w) ? 0 : -1;
    for (size_t j = 0; j < n && rc == 0; j++) {
        one[j] = 1.0;
        hi[j] = 1.0;
    }
    double b = 1.0;
    ra_qp_problem p = {.n = n, .G = cov, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo, .hi = hi};
    ra_qp_result res = {.x = o->w};
    ra_qp_info info = {0};
    ra_err err = {0};
    for (int k = 0; k < reps && rc == 0; k++) {
        double c0 = cpu_now_ms(), t0 = bench_now_ms();
        if ((lazy ? ra_qp_setup(cov, n, NULL, work, size, &err)
                  : ra_qp_factor(cov, n, NULL, work, size, &err)) != RA_OK) {
            fprintf(stderr, "n = %zu: setup: %s\n", n, err.msg);
            rc = -1;
            break;
        }
        double t1 = bench_now_ms();
        if (ra_qp_solve_method(&p, NULL, work, size, method, &res, &info, &err) != RA_OK) {
            fprintf(stderr, "n = %zu: solve: %s\n", n, err.msg);
            rc = -1;
            break;
        }
        double t2 = bench_now_ms(), c2 = cpu_now_ms();
        tf[k] = t1 - t0;
        ts[k] = t2 - t1;
        tc[k] = c2 - c0;
    }
    if (rc == 0) {
        o->setup = bench_min_med(tf, reps);
        o->solve = bench_min_med(ts, reps);
        o->cpu = bench_min_med(tc, reps);
        o->obj = res.obj;
        o->iterations = res.iterations;
        o->fast = info.fast_converged;
        o->fast_solves = info.fast_iters;
        o->free_ok = info.free_converged;
        o->free_changes = info.free_iters;
        o->n_zero = 0;
        for (size_t j = 0; j < n; j++)
            o->n_zero += o->w[j] <= AT_ZERO;
    }
    free(work); free(one); free(lo); free(hi); free(tf); free(ts); free(tc);
    return rc;
}

/* The product's call: ra_opt_solve(RA_OPT_MIN_VARIANCE) on the same problem, the whole call
 * timed (validation, the positive-definiteness check by Cholesky that names a failing asset, the
 * lazy setup and the free-set solve). */
static int time_opt_minvar(size_t n, const double *cov, int trusted, int reps, bench_stat *st,
                           bench_stat *cpu, double *obj)
{
    size_t size = ra_opt_workspace_size(n, 0);
    void *work = malloc(size);
    double *w = malloc(n * sizeof *w), *t = malloc((size_t)reps * sizeof *t);
    double *tc = malloc((size_t)reps * sizeof *tc);
    int rc = work && w && t && tc ? 0 : -1;
    ra_opt_problem p = {.n = n, .cov = cov, .cov_trusted = trusted};
    ra_opt_result res = {.w = w};
    ra_err err = {0};
    for (int k = 0; k < reps && rc == 0; k++) {
        double c0 = cpu_now_ms(), t0 = bench_now_ms();
        if (ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, work, size, &res, &err) != RA_OK) {
            fprintf(stderr, "n = %zu: ra_opt_solve: %s\n", n, err.msg);
            rc = -1;
        }
        t[k] = bench_now_ms() - t0;
        tc[k] = cpu_now_ms() - c0;
    }
    if (rc == 0) {
        *st = bench_min_med(t, reps);
        *cpu = bench_min_med(tc, reps);
        *obj = 0.5 * res.volatility * res.volatility;
    }
    free(work);
    free(w);
    free(t);
    free(tc);
    return rc;
}

static int time_frontier(const double *ret, const double *cov, int reps, frontier *f)
{
    const size_t n = FRONTIER_N;
    double *mu = f->mu;
    ra_err err = {0};
    if (ra_est_mean(ret, BENCH_T_OBS, n, BENCH_PPY, mu, &err) != RA_OK) {
        fprintf(stderr, "frontier: mean: %s\n", err.msg);
        return -1;
    }
    size_t wsz = ra_opt_workspace_size(n, 0);
    void *work = malloc(wsz);
    double *t = malloc((size_t)reps * sizeof *t);
    f->w = malloc(FRONTIER_K * n * sizeof *f->w);
    f->target = malloc(FRONTIER_K * sizeof *f->target);
    f->var = malloc(FRONTIER_K * sizeof *f->var);
    if (!work || !t || !f->w || !f->target || !f->var) {
        free(work);
        free(t);
        return -1;
    }
    ra_opt_problem p = {.n = n, .mu = mu, .cov = cov}; /* lo, hi NULL: long-only, w <= 1 */
    ra_opt_result res[FRONTIER_K];
    memset(res, 0, sizeof res);
    for (size_t k = 0; k < FRONTIER_K; k++)
        res[k].w = f->w + k * n;
    int rc = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ms();
        if (ra_opt_frontier(&p, FRONTIER_K, work, wsz, res, &err) != RA_OK) {
            fprintf(stderr, "frontier: %s\n", err.msg);
            rc = -1;
            break;
        }
        t[r] = bench_now_ms() - t0;
    }
    if (rc == 0) {
        f->ms = bench_min_med(t, reps);
        f->iterations = 0;
        for (size_t k = 0; k < FRONTIER_K; k++) {
            f->target[k] = res[k].expected_return;
            f->var[k] = res[k].volatility * res[k].volatility;
            f->iterations += res[k].iterations;
        }
    }
    free(work);
    free(t);
    return rc;
}

/* ---- the R peer ------------------------------------------------------------------------------ */

/* Runs quadprog_peer.R on dir and reads back what it wrote. Returns 0 if it ran to the end. */
static int peer_run(const char *script, const char *dir, qp_peer *pr, frontier_peer *fp)
{
    char cmd[1400], line[512];
    snprintf(cmd, sizeof cmd, "Rscript '%s' '%s' 2>&1", script, dir);
    FILE *pp = popen(cmd, "r");
    if (!pp)
        return -1;
    while (fgets(line, sizeof line, pp)) {
        size_t n, k;
        double a, b, c;
        int failed, i;
        if (sscanf(line, "n %zu ms_min %lf ms_med %lf obj %lf", &n, &a, &b, &c) == 4 &&
            (i = size_index(n)) >= 0) {
            pr[i].ms = (bench_stat){a, b};
            pr[i].obj = c;
            pr[i].w = malloc(n * sizeof *pr[i].w);
            char name[64];
            snprintf(name, sizeof name, "w_%zu.bin", n);
            pr[i].ok = pr[i].w && read_file(dir, name, pr[i].w, n) == 0;
        } else if (sscanf(line, "frontier n %zu k %zu ms_min %lf ms_med %lf failed %d", &n, &k, &a,
                          &b, &failed) == 5 && n == FRONTIER_N && k == FRONTIER_K) {
            fp->ms = (bench_stat){a, b};
            fp->failed = failed;
            fp->var = malloc(FRONTIER_K * sizeof *fp->var);
            fp->w = malloc(FRONTIER_K * FRONTIER_N * sizeof *fp->w);
            char var_name[64], w_name[64];
            frontier_file("var", var_name, sizeof var_name);
            frontier_file("w", w_name, sizeof w_name);
            fp->ok = fp->var && fp->w && read_file(dir, var_name, fp->var, FRONTIER_K) == 0 &&
                     read_file(dir, w_name, fp->w, FRONTIER_K * FRONTIER_N) == 0;
        } else {
            fprintf(stderr, "R: %s", line);
        }
    }
    return pclose(pp) == 0 ? 0 : -1;
}

/* ---- report -------------------------------------------------------------------------------- */

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double m = 0.0;
    for (size_t j = 0; j < n; j++)
        m = fmax(m, fabs(a[j] - b[j]));
    return m;
}

static void print_minvar_row(const char *how, size_t n, const minvar *o, const qp_peer *pr)
{
    char q[32] = "-", r1[16] = "-", r2[16] = "-", dobj[16] = "-", dw[16] = "-", fast[16];
    if (pr->ok) {
        snprintf(q, sizeof q, "%8.3f / %8.3f", pr->ms.min, pr->ms.med);
        snprintf(r1, sizeof r1, "%.1f", pr->ms.med / o->solve.med);
        snprintf(r2, sizeof r2, "%.1f", pr->ms.med / (o->setup.med + o->solve.med));
        snprintf(dobj, sizeof dobj, "%.1e", fabs(pr->obj - o->obj));
        snprintf(dw, sizeof dw, "%.1e", max_abs_diff(pr->w, o->w, n));
    }
    if (o->free_ok)
        snprintf(fast, sizeof fast, "free %d", o->free_changes);
    else
        snprintf(fast, sizeof fast, "%s %d", o->fast ? "yes" : "no", o->fast_solves);
    printf("%4zu %4s %8.3f / %8.3f %8.3f / %8.3f %8.3f / %8.3f %21s %8s %11s %10.3e %9s %9s %5zu %5d %8s\n",
           n, how, o->cov.min, o->cov.med, o->setup.min, o->setup.med, o->solve.min, o->solve.med, q,
           r1, r2, o->obj, dobj, dw, o->n_zero, o->iterations, fast);
}

static void print_minvar(const minvar *o, const minvar *of, const qp_peer *pr, int reps)
{
    printf("minimum variance: min 0.5 w'Sw, sum w = 1, 0 <= w <= 1; S = ra_est_cov_sample of %d daily "
           "returns (%d-factor model, seed %llu); ours: %d repetitions (cov: %d), quadprog: 5 batches\n",
           BENCH_T_OBS, BENCH_N_FACTORS, (unsigned long long)BENCH_SEED, reps * MINVAR_REP_FACTOR, reps);
    printf("%4s %4s %19s %19s %19s %21s %8s %11s %10s %9s %9s %5s %5s %8s\n", "n", "how", "cov ms min/med",
           "setup ms min/med", "solve ms min/med", "quadprog ms min/med", "ratio x", "ratio s+s x",
           "obj", "|dobj|", "max|dw|", "at 0", "iter", "fast");
    for (int i = 0; i < BENCH_N_SIZES; i++) {
        print_minvar_row("full", bench_sizes[i], &o[i], &pr[i]);
        print_minvar_row("free", bench_sizes[i], &of[i], &pr[i]);
    }
    printf("full: setup = ra_qp_factor (whole S), solve = ra_qp_solve; free: setup = ra_qp_setup (checks, no "
           "factor), solve = ra_qp_solve (free-set method);\nratio = quadprog median / our solve median; "
           "ratio s+s = quadprog median / (setup + solve medians),\nthe like-for-like figure (solve.QP "
           "factorises S itself); obj = our 0.5 w'Sw (annual); |dobj| = |ours - quadprog's|; at 0 = weights <= 1e-12;\n"
           "iter = active-set changes; fast = bound phase accepted (yes/no, its linear solves) or free-set "
           "method accepted (free, its active-set changes)\n");
}

static void print_frontier(const frontier *f, const frontier_peer *fp, int reps)
{
    printf("\nefficient frontier: n = %d, %d points, long-only (0 <= w <= 1), sum w = 1, mu = "
           "ra_est_mean, S as above; ours: the whole ra_opt_frontier call, %d repetitions;\n"
           "quadprog: the same %d target returns, min w'Sw s.t. sum w = 1, mu'w = target, w >= 0, "
           "one solve.QP call each, 5 batches of whole sweeps\n",
           FRONTIER_N, FRONTIER_K, reps, FRONTIER_K);
    printf("%6s %19s %21s %8s %12s %14s %9s %9s %10s\n", "points", "ours ms min/med",
           "quadprog ms min/med", "ratio x", "max|dvar|", "max|dvar|/var", "max|dw|", "iter",
           "R failed");
    char q[32] = "-", r[16] = "-", dv[16] = "-", rel[16] = "-", dw[16] = "-", failed[16] = "-";
    if (fp->ok) {
        double mv = 0.0, mr = 0.0, mw = 0.0;
        for (size_t k = 0; k < FRONTIER_K; k++) {
            if (isnan(fp->var[k]))
                continue;
            double d = fabs(fp->var[k] - f->var[k]);
            mv = fmax(mv, d);
            mr = fmax(mr, d / f->var[k]);
            mw = fmax(mw, max_abs_diff(fp->w + k * FRONTIER_N, f->w + k * FRONTIER_N, FRONTIER_N));
        }
        snprintf(q, sizeof q, "%8.3f / %8.3f", fp->ms.min, fp->ms.med);
        snprintf(r, sizeof r, "%.1f", fp->ms.med / f->ms.med);
        snprintf(dv, sizeof dv, "%.1e", mv);
        snprintf(rel, sizeof rel, "%.1e", mr);
        snprintf(dw, sizeof dw, "%.1e", mw);
        snprintf(failed, sizeof failed, "%d", fp->failed);
    }
    printf("%6d %8.3f / %8.3f %21s %8s %12s %14s %9s %9d %10s\n", FRONTIER_K, f->ms.min, f->ms.med, q,
           r, dv, rel, dw, f->iterations, failed);
    printf("ratio = quadprog median / ours median; dvar: variance w'Sw (annual) ours - quadprog, worst "
           "over the points quadprog solved;\niter = active-set changes summed over the points; "
           "R failed = points where solve.QP reported the constraints inconsistent\n");
    if (fp->ok && fp->failed > 0) {
        printf("points quadprog did not solve (1 = minimum variance, %d = maximum return):", FRONTIER_K);
        for (size_t k = 0; k < FRONTIER_K; k++)
            if (isnan(fp->var[k]))
                printf(" %zu", k + 1);
        printf("\n");
    }
    printf("frontier volatility (annual): %.4f at return %.4f ... %.4f at return %.4f\n",
           sqrt(f->var[0]), f->target[0], sqrt(f->var[FRONTIER_K - 1]), f->target[FRONTIER_K - 1]);
}

static void verdict(int pass, const char *what)
{
    printf("%-4s %s\n", pass ? "PASS" : "MISS", what);
}

static void print_verdicts(const minvar *o500, const minvar *f500, const qp_peer *p500, const frontier *f)
{
    char line[256];
    printf("\nissue 3 targets (medians, this run):\n");
    snprintf(line, sizeof line, "n = 500 solve (ra_qp_solve) %.3f ms <= %.0f ms (setup ra_qp_factor "
             "%.3f ms besides)", o500->solve.med, TARGET_SOLVE_MS, o500->setup.med);
    verdict(o500->solve.med <= TARGET_SOLVE_MS, line);
    if (p500->ok) {
        double r = p500->ms.med / o500->solve.med, r2 = p500->ms.med / (o500->setup.med + o500->solve.med);
        snprintf(line, sizeof line, "n = 500 solve %.1fx faster than quadprog >= %.0fx (setup + solve: "
                 "%.1fx)", r, TARGET_RATIO, r2);
        verdict(r >= TARGET_RATIO, line);
    } else {
        printf("n/a  n = 500 solve >= %.0fx faster than quadprog: quadprog not run\n", TARGET_RATIO);
    }
    snprintf(line, sizeof line, "n = 500 covariance (ra_est_cov_sample) %.3f ms <= %.0f ms",
             o500->cov.med, TARGET_COV_MS);
    verdict(o500->cov.med <= TARGET_COV_MS, line);
    snprintf(line, sizeof line, "frontier n = %d, %d points (ra_opt_frontier) %.3f ms <= %.0f ms",
             FRONTIER_N, FRONTIER_K, f->ms.med, TARGET_FRONTIER_MS);
    verdict(f->ms.med <= TARGET_FRONTIER_MS, line);

    double ss = f500->setup.med + f500->solve.med, full = o500->setup.med + o500->solve.med;
    printf("\nissue 14 targets (long-only minimum variance, n = 500, free-set path: ra_qp_setup + "
           "ra_qp_solve; medians, this run):\n");
    snprintf(line, sizeof line, "n = 500 setup + solve %.3f ms <= %.0f ms (setup %.3f + solve %.3f; "
             "full path %.3f ms, %.1fx slower)", ss, TARGET14_MS, f500->setup.med, f500->solve.med,
             full, full / ss);
    verdict(ss <= TARGET14_MS && f500->free_ok, line);
    printf("     (thread CPU time of setup + solve: min %.3f ms, median %.3f ms)\n", f500->cpu.min,
           f500->cpu.med);
    if (p500->ok) {
        double r = p500->ms.med / ss, d = fabs(p500->obj - f500->obj);
        snprintf(line, sizeof line, "n = 500 setup + solve %.1fx faster than quadprog (%.3f ms) >= %.0fx",
                 r, p500->ms.med, TARGET14_RATIO);
        verdict(r >= TARGET14_RATIO, line);
        snprintf(line, sizeof line, "n = 500 objective |ours - quadprog's| = %.1e <= %.0e (ours %.15e; "
                 "full path differs by %.1e)", d, TARGET14_DOBJ, f500->obj, fabs(o500->obj - f500->obj));
        verdict(d <= TARGET14_DOBJ, line);
    } else {
        printf("n/a  n = 500 >= %.0fx faster than quadprog, same objective: quadprog not run\n",
               TARGET14_RATIO);
    }
}

int main(int argc, char **argv)
{
    int reps = 21, use_r = 1;
    ra_qp_method method = RA_QP_METHOD_AUTO;
    char script[600];
    bench_script_path("quadprog_peer.R", script, sizeof script);
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
    if (reps < 1)
        reps = 1;
    char dir[] = "/tmp/ra_bench_optimize_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    printf("OpenBLAS threads %d%s\n\n", openblas_get_num_threads(),
           method == RA_QP_METHOD_DUAL ? "; --dual: Goldfarb-Idnani dual method only (minimum variance; the "
           "frontier keeps ra_opt_frontier's own method)" : "");

    minvar o[BENCH_N_SIZES], of[BENCH_N_SIZES];
    bench_stat opt500 = {0}, optt500 = {0}, optc500 = {0}, opttc500 = {0};
    double opt500_obj = NAN, optt500_obj = NAN;
    qp_peer pr[BENCH_N_SIZES];
    frontier f = {0};
    frontier_peer fp = {0};
    memset(o, 0, sizeof o);
    memset(of, 0, sizeof of);
    memset(pr, 0, sizeof pr);
    int rc = 0;
    for (int i = 0; i < BENCH_N_SIZES && rc == 0; i++) {
        size_t n = bench_sizes[i];
        double *ret = malloc((size_t)BENCH_T_OBS * n * sizeof *ret), *cov = malloc(n * n * sizeof *cov);
        char name[64];
        snprintf(name, sizeof name, "cov_%zu.bin", n);
        if (!ret || !cov || bench_factor_returns(BENCH_T_OBS, n, BENCH_SEED, ret) != 0 ||
            time_cov(ret, n, reps, cov, &o[i].cov) != 0 || write_file(dir, name, cov, n * n) != 0 ||
            time_minvar(n, cov, reps * MINVAR_REP_FACTOR, method, 0, &o[i]) != 0 ||
            time_minvar(n, cov, reps * MINVAR_REP_FACTOR, RA_QP_METHOD_AUTO, 1, &of[i]) != 0 ||
            (i == BENCH_N_SIZES - 1 &&
             (time_opt_minvar(n, cov, 0, reps * MINVAR_REP_FACTOR, &opt500, &optc500, &opt500_obj) != 0 ||
              time_opt_minvar(n, cov, 1, reps * MINVAR_REP_FACTOR, &optt500, &opttc500, &optt500_obj) != 0))) {
            fprintf(stderr, "the n = %zu problem failed\n", n);
            rc = 1;
        } else {
            of[i].cov = o[i].cov;
        }
        if (rc == 0 && n == FRONTIER_N) {
            char mu_name[64], target_name[64];
            frontier_file("mu", mu_name, sizeof mu_name);
            frontier_file("targets", target_name, sizeof target_name);
            if (time_frontier(ret, cov, reps, &f) != 0 || write_file(dir, mu_name, f.mu, n) != 0 ||
                write_file(dir, target_name, f.target, FRONTIER_K) != 0) {
                fprintf(stderr, "the frontier failed\n");
                rc = 1;
            }
        }
        free(ret);
        free(cov);
    }
    if (rc == 0 && use_r) {
        if (access(script, R_OK) != 0)
            printf("peer script %s not found: quadprog not compared\n\n", script);
        else if (peer_run(script, dir, pr, &fp) != 0 || !pr[BENCH_N_SIZES - 1].ok || !fp.ok)
            printf("Rscript or the R package quadprog is missing or failed (scripts/install-deps.sh "
                   "bench installs both): quadprog not compared\n\n");
    } else if (rc == 0) {
        printf("--no-r: quadprog not run\n\n");
    }
    if (rc == 0) {
        print_minvar(o, of, pr, reps);
        print_frontier(&f, &fp, reps);
        print_verdicts(&o[BENCH_N_SIZES - 1], &of[BENCH_N_SIZES - 1], &pr[BENCH_N_SIZES - 1], &f);
        const qp_peer *p5 = &pr[BENCH_N_SIZES - 1];
        printf("\nthe product's call, ra_opt_solve minimum variance n = 500, the whole call timed:\n");
        printf("  with the whole-matrix Cholesky check (default): min %.3f ms, median %.3f ms",
               opt500.min, opt500.med);
        if (p5->ok)
            printf("; %.1fx faster than quadprog; |obj - quadprog's| = %.1e",
                   p5->ms.med / opt500.med, fabs(opt500_obj - p5->obj));
        printf("\n");
        char line[320];
        snprintf(line, sizeof line, "  cov_trusted (an estimate; blocks checked as factorised): "
                 "median %.3f ms <= %.0f ms (min %.3f)", optt500.med, TARGET14_MS, optt500.min);
        verdict(optt500.med <= TARGET14_MS, line);
        printf("     (thread CPU time: checked min %.3f / median %.3f ms; cov_trusted min %.3f / "
               "median %.3f ms)\n", optc500.min, optc500.med, opttc500.min, opttc500.med);
        if (p5->ok) {
            snprintf(line, sizeof line, "  cov_trusted %.1fx faster than quadprog (%.3f ms) >= %.0fx; "
                     "|obj - quadprog's| = %.1e", p5->ms.med / optt500.med, p5->ms.med,
                     TARGET14_RATIO, fabs(optt500_obj - p5->obj));
            verdict(p5->ms.med / optt500.med >= TARGET14_RATIO &&
                    fabs(optt500_obj - p5->obj) <= TARGET14_DOBJ, line);
        }
    }

    for (int i = 0; i < BENCH_N_SIZES; i++) {
        char name[64];
        snprintf(name, sizeof name, "cov_%zu.bin", bench_sizes[i]);
        remove_file(dir, name);
        snprintf(name, sizeof name, "w_%zu.bin", bench_sizes[i]);
        remove_file(dir, name);
        free(o[i].w);
        free(of[i].w);
        free(pr[i].w);
    }
    static const char *const parts[] = {"mu", "targets", "var", "w"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char name[64];
        frontier_file(parts[i], name, sizeof name);
        remove_file(dir, name);
    }
    rmdir(dir);
    free(f.w); free(f.target); free(f.var); free(fp.var); free(fp.w);
    return rc;
}
