/* Benchmark of the CVaR linear program and the cardinality branch and bound, with R as the peer
 * in the same run (bench/cvar_peer.R: GLPK via Rglpk on the primal CVaR LP; brute force over all
 * supports with quadprog for the cardinality problem).
 *
 *   bench_cvar [--reps K] [--no-r]
 *
 * Problems (seeded factor-model returns of bench_common.h, the same in every run):
 *   cvar: min CVaR_0.95 over T = 1260 daily scenarios of n = 30 assets, long-only, fully invested.
 *   card: min variance over n = 20 assets (annualised sample covariance of the same generator),
 *         at most K = 5 held, each held at least 2 %: exact branch and bound; then the heuristic
 *         on the same problem and on n = 30 (its gap to the exact optimum and to its bound).
 * Times are CPU milliseconds of this process (CLOCK_PROCESS_CPUTIME_ID), min and median of
 * --reps runs (default 5); R's are its proc.time() user + system. */
#include "bench_common.h"

#include <roboadvisor/card.h>
#include <roboadvisor/cvar.h>

#include <unistd.h>

#define T_SCEN 1260
#define N_CVAR 30
#define N_CARD 20
#define K_CARD 5
#define M_CARD 0.02

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void sample_cov(const double *ret, size_t t_obs, size_t n, double *cov)
{
    double *m = calloc(n, sizeof *m);
    for (size_t t = 0; t < t_obs; t++)
        for (size_t j = 0; j < n; j++)
            m[j] += ret[t * n + j] / (double)t_obs;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            for (size_t t = 0; t < t_obs; t++)
                s += (ret[t * n + i] - m[i]) * (ret[t * n + j] - m[j]);
            cov[i * n + j] = cov[j * n + i] = s / (double)(t_obs - 1) * BENCH_PPY;
        }
    free(m);
}

static double quad(const double *S, const double *w, size_t n)
{
    double v = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            v += w[i] * S[i * n + j] * w[j];
    return v;
}

int main(int argc, char **argv)
{
    int reps = 5, use_r = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-r") == 0)
            use_r = 0;
        else {
            fprintf(stderr, "usage: %s [--reps K] [--no-r]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    static double scen[T_SCEN * N_CVAR], card_ret[T_SCEN * N_CARD], cov30[N_CVAR * N_CVAR];
    static double cov20[N_CARD * N_CARD];
    if (bench_factor_returns(T_SCEN, N_CVAR, BENCH_SEED, scen) ||
        bench_factor_returns(T_SCEN, N_CARD, BENCH_SEED, card_ret))
        return 1;
    sample_cov(card_ret, T_SCEN, N_CARD, cov20);
    sample_cov(scen, T_SCEN, N_CVAR, cov30);

    /* --- CVaR LP --- */
    double w[N_CVAR], times[64];
    if (reps > 64)
        reps = 64;
    ra_opt_problem o = {.n = N_CVAR};
    ra_cvar_problem cp = {.opt = &o, .T = T_SCEN, .scen = scen, .beta = 0.95};
    ra_cvar_result cr = {.w = w};
    ra_err err = {0};
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_ms();
        if (ra_cvar_solve(&cp, RA_CVAR_MIN, &cr, &err) != RA_OK) {
            fprintf(stderr, "cvar: %s\n", err.msg);
            return 1;
        }
        times[r] = cpu_ms() - t0;
    }
    bench_stat cs = bench_min_med(times, reps);
    printf("cvar T=%d n=%d beta=0.95: ours min %.3f ms, median %.3f ms (%d pivots), CVaR %.17g\n",
           T_SCEN, N_CVAR, cs.min, cs.med, cr.pivots, cr.cvar);

    /* --- cardinality: exact --- */
    double wc[N_CARD], wh[N_CARD], wh30[N_CVAR];
    ra_opt_problem po = {.n = N_CARD, .cov = cov20};
    ra_card_settings s;
    ra_card_settings_default(&s);
    s.max_assets = K_CARD;
    s.min_weight = M_CARD;
    ra_card_result kr = {.w = wc};
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_ms();
        if (ra_card_solve(&po, RA_OPT_MIN_VARIANCE, &s, &kr, &err) != RA_OK) {
            fprintf(stderr, "card: %s\n", err.msg);
            return 1;
        }
        times[r] = cpu_ms() - t0;
    }
    bench_stat ks = bench_min_med(times, reps);
    printf("card n=%d K=%d m=%.2f exact: ours min %.3f ms, median %.3f ms, %ld nodes, %s, "
           "variance %.17g\n",
           N_CARD, K_CARD, M_CARD, ks.min, ks.med, kr.nodes,
           kr.proven_optimal ? "proven optimal" : "NOT proven", kr.objective);
    s.heuristic = 1;
    ra_card_result hr = {.w = wh};
    double t0 = cpu_ms();
    if (ra_card_solve(&po, RA_OPT_MIN_VARIANCE, &s, &hr, &err) != RA_OK)
        return 1;
    double th = cpu_ms() - t0;
    printf("card n=%d heuristic: %.3f ms, %ld nodes, variance %.17g, gap to the optimum %.3g %%, "
           "to its bound %.3g %%\n",
           N_CARD, th, hr.nodes, hr.objective, 100 * (hr.objective - kr.objective) / kr.objective,
           100 * (hr.objective - hr.bound) / hr.objective);
    /* n = 30: the exact search (raised exact_max_n) against the heuristic */
    ra_opt_problem p30 = {.n = N_CVAR, .cov = cov30};
    static double we30[N_CVAR];
    ra_card_result h30 = {.w = wh30}, e30 = {.w = we30};
    t0 = cpu_ms();
    if (ra_card_solve(&p30, RA_OPT_MIN_VARIANCE, &s, &h30, &err) != RA_OK)
        return 1;
    double th30 = cpu_ms() - t0;
    s.heuristic = 0;
    s.exact_max_n = 30;
    t0 = cpu_ms();
    if (ra_card_solve(&p30, RA_OPT_MIN_VARIANCE, &s, &e30, &err) != RA_OK)
        return 1;
    double te30 = cpu_ms() - t0;
    printf("card n=30 K=%d: heuristic %.3f ms (%ld nodes) variance %.17g; exact %.3f ms (%ld nodes, "
           "%s) variance %.17g; heuristic gap %.3g %%\n",
           K_CARD, th30, h30.nodes, h30.objective, te30, e30.nodes,
           e30.proven_optimal ? "proven" : "NOT proven", e30.objective,
           100 * (h30.objective - e30.objective) / e30.objective);

    if (!use_r)
        return 0;
    char dir[] = "/tmp/bench_cvar_XXXXXX", path[512], script[512], cmd[1400], line[512];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/scen.bin", dir);
    bench_write_raw(path, scen, T_SCEN * N_CVAR);
    snprintf(path, sizeof path, "%s/card_cov.bin", dir);
    bench_write_raw(path, cov20, N_CARD * N_CARD);
    bench_script_path("cvar_peer.R", script, sizeof script);
    snprintf(cmd, sizeof cmd, "Rscript '%s' '%s' 2>&1", script, dir);
    FILE *pp = popen(cmd, "r");
    if (!pp)
        return 1;
    while (fgets(line, sizeof line, pp)) {
        double a, b, c;
        int cnt;
        if (sscanf(line, "cvar ms_min %lf ms_med %lf obj %lf", &a, &b, &c) == 3) {
            double wr[N_CVAR], dw = 0.0;
            snprintf(path, sizeof path, "%s/cvar_w.bin", dir);
            if (bench_read_raw(path, wr, N_CVAR) == 0)
                for (int j = 0; j < N_CVAR; j++)
                    dw = fmax(dw, fabs(wr[j] - cr.w[j]));
            printf("cvar R Rglpk (GLPK, primal LP): min %.3f ms, median %.3f ms; ratio R/ours "
                   "(median) %.1fx; |CVaR diff| %.2g, max |weight diff| %.2g\n",
                   a, b, b / cs.med, fabs(c - cr.cvar), dw);
        } else if (sscanf(line, "card ms %lf obj %lf subsets %d", &a, &c, &cnt) == 3) {
            double wr[N_CARD], dw = 0.0;
            snprintf(path, sizeof path, "%s/card_w.bin", dir);
            if (bench_read_raw(path, wr, N_CARD) == 0)
                for (int j = 0; j < N_CARD; j++)
                    dw = fmax(dw, fabs(wr[j] - wc[j]));
            printf("card R brute force (quadprog, %d supports): %.1f ms; ratio R/ours (median) "
                   "%.1fx; |variance diff| %.2g, max |weight diff| %.2g\n",
                   cnt, a, a / ks.med, fabs(c - quad(cov20, wc, N_CARD)), dw);
        } else {
            fprintf(stderr, "R: %s", line);
        }
    }
    int prc = pclose(pp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return prc == 0 ? 0 : 1;
}
