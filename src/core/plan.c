/* Goal plans by Monte Carlo: include/roboadvisor/plan.h, method in docs/methodology.md#goal-plans.
 *
 * Each path owns its random stream (ra_rng_stream(seed, path)), writes only its own slots of the
 * workspace, and every reduction (hit counts, means, percentiles) runs over the paths in index
 * order after the threads have joined: so the thread count never changes a number.
 *
 * The required monthly contribution needs no search. For fixed draws the final wealth of path i
 * is linear in the contribution c: W_i(c) = A_i + c B_i, with A_i the growth of the initial amount
 * and B_i = sum over months of the growth after each contribution (B_i >= 1, the last
 * contribution does not grow). Path i reaches the goal exactly when c >= c_i = (goal - A_i) / B_i,
 * so the smallest c reaching the goal on at least k paths is the k-th smallest c_i: the limit of a
 * bisection on common random numbers, found exactly. It is then rounded up to a cent and checked
 * (and moved by a cent if rounding of the two wealth formulas disagrees) by re-simulating. */
#include <roboadvisor/plan.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "perf_int.h"
#include "rng_int.h"

const double ra_plan_pct_levels[RA_PLAN_N_PCT] = {0.05, 0.25, 0.50, 0.75, 0.95};

/* Rounding to a cent and the two wealth formulas (recurrence and A + cB) agree to ~1e-12
 * relative, so the cent found from c_k is right or off by one; a few steps each way suffice. */
#define PLAN_CENT_STEPS 16

void ra_plan_settings_default(ra_plan_settings *s)
{
    memset(s, 0, sizeof *s);
    s->model = RA_PLAN_LOGNORMAL;
    s->mu = 0.05;
    s->sigma = 0.15;
    s->block = 1;
    s->n_paths = 10000;
    s->seed = 1;
}

static ra_status check_mu_sigma(double mu, double sigma, const char *where, ra_err *err)
{
    if (!(isfinite(mu) && mu > -1.0 && mu <= RA_PLAN_MAX_MU))
        return ra_err_set(err, RA_EINVAL, where,
                          "mu must be an annual decimal return in (-1, %g] (0.07 for 7 %%), got %g",
                          RA_PLAN_MAX_MU, mu);
    if (!(isfinite(sigma) && sigma >= 0.0 && sigma <= RA_PLAN_MAX_SIGMA))
        return ra_err_set(err, RA_EINVAL, where,
                          "sigma must be an annual decimal volatility in [0, %g] (0.15 for 15 %%), "
                          "got %g", RA_PLAN_MAX_SIGMA, sigma);
    return RA_OK;
}

ra_status ra_plan_validate(const ra_plan_settings *s, ra_err *err)
{
    if (!s)
        return ra_err_set(err, RA_EINVAL, NULL, "settings are required");
    if (!(isfinite(s->initial) && s->initial >= 0.0 && s->initial <= RA_PLAN_MAX_AMOUNT))
        return ra_err_set(err, RA_EINVAL, NULL, "initial amount must be in [0, %g], got %g",
                          RA_PLAN_MAX_AMOUNT, s->initial);
    if (!(isfinite(s->monthly) && s->monthly >= 0.0 && s->monthly <= RA_PLAN_MAX_MONTHLY))
        return ra_err_set(err, RA_EINVAL, NULL, "monthly contribution must be in [0, %g], got %g",
                          RA_PLAN_MAX_MONTHLY, s->monthly);
    if (!(isfinite(s->goal) && s->goal > 0.0 && s->goal <= RA_PLAN_MAX_AMOUNT))
        return ra_err_set(err, RA_EINVAL, NULL, "goal must be positive and at most %g, got %g",
                          RA_PLAN_MAX_AMOUNT, s->goal);
    if (s->years < 1 || s->years > RA_PLAN_MAX_YEARS)
        return ra_err_set(err, RA_EINVAL, NULL, "years must be from 1 to %d, got %zu",
                          RA_PLAN_MAX_YEARS, s->years);
    if (s->n_paths < 1 || s->n_paths > RA_PLAN_MAX_PATHS)
        return ra_err_set(err, RA_EINVAL, NULL, "paths must be from 1 to %d, got %zu",
                          RA_PLAN_MAX_PATHS, s->n_paths);
    if (s->n_threads > RA_PLAN_MAX_THREADS)
        return ra_err_set(err, RA_EINVAL, NULL, "threads must be at most %d, got %u",
                          RA_PLAN_MAX_THREADS, s->n_threads);
    if (!(s->probability == 0.0 || (s->probability > 0.0 && s->probability <= 1.0)))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "probability must be in (0, 1] (or 0 for none), got %g", s->probability);
    if (s->model == RA_PLAN_LOGNORMAL) {
        ra_status st = check_mu_sigma(s->mu, s->sigma, NULL, err);
        if (st != RA_OK)
            return st;
        if (s->glide) {
            const ra_plan_glide *g = s->glide;
            if (g->n < 1 || !g->rows)
                return ra_err_set(err, RA_EINVAL, NULL, "glide path has no rows");
            for (size_t j = 0; j < g->n; j++) {
                const ra_plan_glide_row *row = &g->rows[j];
                char where[128];
                snprintf(where, sizeof where, "%s:%u", g->source ? g->source : "glide path",
                         (unsigned)row->line);
                if (row->year < 1 || row->year > RA_PLAN_MAX_YEARS ||
                    (j > 0 && row->year <= g->rows[j - 1].year))
                    return ra_err_set(err, RA_EINVAL, where,
                                      "glide path years must be strictly increasing from 1 to "
                                      "%d, got %u", RA_PLAN_MAX_YEARS, (unsigned)row->year);
                if ((st = check_mu_sigma(row->mu, row->sigma, where, err)) != RA_OK)
                    return st;
            }
        }
    } else if (s->model == RA_PLAN_BOOTSTRAP) {
        if (s->glide)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "a glide path changes mu and sigma, it cannot apply to the bootstrap");
        if (!s->boot_ret || s->n_boot < 2)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "the bootstrap needs at least 2 monthly returns, got %zu", s->n_boot);
        for (size_t t = 0; t < s->n_boot; t++)
            if (!(isfinite(s->boot_ret[t]) && s->boot_ret[t] >= -1.0))
                return ra_err_set(err, RA_EINVAL, NULL,
                                  "monthly return %zu must be a finite number >= -1, got %g", t,
                                  s->boot_ret[t]);
        if (s->block < 1 || s->block > s->n_boot)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "block length must be from 1 to the %zu months of history, got %zu",
                              s->n_boot, s->block);
    } else {
        return ra_err_set(err, RA_EINVAL, NULL, "model must be lognormal or bootstrap, got %d",
                          (int)s->model);
    }
    return RA_OK;
}

/* Workspace: year-end wealth (years x paths, year-major), per-year monthly log-mean and log-sd
 * (2 x years), two arrays of paths sort keys, and per-path thresholds c_i (paths, only with a
 * probability). */
size_t ra_plan_workspace_size(const ra_plan_settings *s)
{
    if (!s || s->n_paths == 0 || s->years == 0 || s->n_paths > RA_PLAN_MAX_PATHS ||
        s->years > RA_PLAN_MAX_YEARS)
        return 0;
    size_t n = s->years * s->n_paths + 2 * s->years + 2 * s->n_paths;
    if (s->probability > 0.0)
        n += s->n_paths;
    return n * sizeof(double);
}

/* ---- simulation ------------------------------------------------------------------------------ */

typedef struct sim_job {
    const ra_plan_settings *s;
    const double *mm, *msd; /* lognormal, per plan year: mean and sd of the monthly log return */
    double monthly;
    double *yw;             /* full mode: years x paths year-end wealth; NULL in count mode */
    double *thr;            /* full mode with a probability: c_i per path; else NULL */
    size_t i0, i1;          /* paths [i0, i1) */
    size_t hits;            /* count mode: paths with final wealth >= goal */
} sim_job;

/* One path: returns the final wealth, stores year-end wealth in yw[y * n + i] (yw may be NULL)
 * and, with track, A (growth of the initial amount) and B (growth of a unit monthly
 * contribution). Inlined twice with track constant, so the common case pays nothing for it. */
static inline double sim_path(const sim_job *j, size_t i, double c, int track, double *a_out,
                              double *b_out)
{
    const ra_plan_settings *s = j->s;
    const size_t n = s->n_paths, years = s->years;
    const int boot = s->model == RA_PLAN_BOOTSTRAP;
    const size_t nb = s->n_boot, block = s->block;
    ra_rng rng = ra_rng_stream(s->seed, (uint64_t)i);
    double w = s->initial, a = s->initial, b = 0.0;
    size_t pos = 0, left = 0; /* bootstrap: next month of the current block, months left in it */
    for (size_t y = 0; y < years; y++) {
        if (boot) {
            for (int m = 0; m < 12; m++) {
                if (left == 0) {
                    pos = (size_t)ra_rng_below(&rng, nb);
                    left = block;
                }
                double g = 1.0 + s->boot_ret[pos];
                pos = pos + 1 == nb ? 0 : pos + 1;
                left--;
                w = w * g + c;
                if (track) {
                    a *= g;
                    b = b * g + 1.0;
                }
            }
        } else {
            const double mm = j->mm[y], sd = j->msd[y];
            for (int m = 0; m < 12; m++) {
                double g = exp(mm + sd * rng_normal(&rng));
                w = w * g + c;
                if (track) {
                    a *= g;
                    b = b * g + 1.0;
                }
            }
        }
        if (j->yw)
            j->yw[y * n + i] = w;
    }
    *a_out = a;
    *b_out = b;
    return w;
}

static void sim_range(sim_job *j)
{
    const double goal = j->s->goal;
    size_t hits = 0;
    double a, b;
    if (j->thr) {
        for (size_t i = j->i0; i < j->i1; i++) {
            hits += sim_path(j, i, j->monthly, 1, &a, &b) >= goal;
            j->thr[i] = (goal - a) / b;
        }
    } else {
        for (size_t i = j->i0; i < j->i1; i++)
            hits += sim_path(j, i, j->monthly, 0, &a, &b) >= goal;
    }
    j->hits = hits;
}

static void *sim_thread(void *arg)
{
    sim_job *j = arg;
    sim_range(j);
    return NULL;
}

/* Runs the paths split in n_threads contiguous ranges; returns the total hit count. A thread
 * that cannot be started runs its range in the calling thread: same numbers either way. */
static size_t sim_all(const ra_plan_settings *s, const double *mm, const double *msd,
                      double monthly, double *yw, double *thr)
{
    unsigned nt = s->n_threads < 1 ? 1 : s->n_threads;
    if (nt > s->n_paths)
        nt = (unsigned)s->n_paths;
    sim_job jobs[RA_PLAN_MAX_THREADS];
    pthread_t tid[RA_PLAN_MAX_THREADS];
    int started[RA_PLAN_MAX_THREADS] = {0};
    for (unsigned t = 0; t < nt; t++) {
        jobs[t] = (sim_job){s, mm, msd, monthly, yw, thr, s->n_paths * t / nt,
                            s->n_paths * (t + 1) / nt, 0};
    }
    for (unsigned t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, sim_thread, &jobs[t]) == 0;
    sim_range(&jobs[0]);
    size_t hits = jobs[0].hits;
    for (unsigned t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            sim_range(&jobs[t]);
        hits += jobs[t].hits;
    }
    return hits;
}

/* The k-th smallest (1-based) of x[0..n), reordering x: Wirth's selection (Wirth, "Algorithms +
 * Data Structures = Programs", 1976, section 2.3.4). */
static double select_kth(double *x, size_t n, size_t k)
{
    ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, want = (ptrdiff_t)k - 1;
    while (l < m) {
        double pivot = x[want];
        ptrdiff_t i = l, j = m;
        do {
            while (x[i] < pivot) i++;
            while (pivot < x[j]) j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < want) l = i;
        if (want < i) m = j;
    }
    return x[want];
}

/* ---- percentiles ---------------------------------------------------------------------------- */

/* Sorts x[0..n) ascending into out (which may be x): LSD radix sort of the keys, 8 passes of 8
 * bits, a pass skipped when all keys share its byte. O(n), no worst case; ka, kb: n keys each. */
static void sort_values(const double *x, size_t n, double *out, uint64_t *ka, uint64_t *kb)
{
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = perf_key_of(x[i]);
        ka[i] = k;
        for (int d = 0; d < 8; d++)
            count[d][(k >> (8 * d)) & 0xFF]++;
    }
    for (int d = 0; d < 8; d++) {
        size_t *c = count[d];
        if (c[(ka[0] >> (8 * d)) & 0xFF] == n)
            continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++)
            kb[c[(ka[i] >> (8 * d)) & 0xFF]++] = ka[i];
        uint64_t *t = ka;
        ka = kb;
        kb = t;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = perf_double_of(ka[i]);
}

/* R's quantile(type = 7) of sorted x, step for step as ra_perf_quantile7 (which selects the order
 * statistics by 64 counting passes instead, too slow for 5 x years calls on 10^4 paths; the unit
 * test checks the two agree exactly): index = 1 + (n-1)p, interpolate (1-h) x[lo] + h x[hi]
 * only when index > lo and x[hi] != x[lo]. */
static double quantile7_sorted(const double *x, size_t n, double p)
{
    double index = 1.0 + (double)(n - 1) * p;
    double lo_idx = floor(index);
    size_t lo = (size_t)lo_idx;
    double xl = x[lo - 1];
    if (index > lo_idx) {
        double xh = x[lo < n ? lo : n - 1];
        if (xh != xl) {
            double h = index - lo_idx;
            return (1.0 - h) * xl + h * xh;
        }
    }
    return xl;
}

ra_status ra_plan_run(const ra_plan_settings *s, void *work, size_t work_size,
                      ra_plan_result *res, ra_err *err)
{
    ra_status st = ra_plan_validate(s, err);
    if (st != RA_OK)
        return st;
    if (!res || !res->pct_by_year)
        return ra_err_set(err, RA_EINVAL, NULL, "result with room for percentiles by year is required");
    size_t need = ra_plan_workspace_size(s);
    if (!work || work_size < need)
        return ra_err_set(err, RA_EINVAL, NULL, "workspace of %zu bytes is too small, need %zu",
                          work_size, need);
    const size_t n = s->n_paths, years = s->years;
    double *yw = work;
    double *mm = yw + years * n, *msd = mm + years;
    uint64_t *ka = (uint64_t *)(msd + years), *kb = ka + n;
    double *thr = s->probability > 0.0 ? (double *)(kb + n) : NULL;

    /* per-year monthly parameters: ln g ~ N(ln(1+mu)/12 - sigma^2/24, sigma^2/12) */
    double mu = s->mu, sigma = s->sigma;
    size_t gj = 0;
    for (size_t y = 0; y < years; y++) {
        while (s->glide && gj < s->glide->n && s->glide->rows[gj].year <= y + 1) {
            mu = s->glide->rows[gj].mu;
            sigma = s->glide->rows[gj].sigma;
            gj++;
        }
        mm[y] = log1p(mu) / 12.0 - sigma * sigma / 24.0;
        msd[y] = sigma / sqrt(12.0);
    }

    res->n_hits = sim_all(s, mm, msd, s->monthly, yw, thr);
    res->probability = (double)res->n_hits / (double)n;
    res->required_monthly = NAN;
    res->required_probability = NAN;

    const double *final = yw + (years - 1) * n;
    double sum = 0.0, comp = 0.0; /* Neumaier */
    for (size_t i = 0; i < n; i++) {
        double x = final[i], t = sum + x;
        comp += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }
    res->mean_final = (sum + comp) / (double)n;
    for (size_t i = 0; i < n; i++) /* never let an overflow travel */
        if (!isfinite(final[i]))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "simulated wealth of path %zu overflowed a double; the returns are "
                              "too large for %zu years", i, years);
    /* Each year's row is sorted in place: only its percentiles are needed from here on (the
     * hits and the mean are taken above, the thresholds live elsewhere). */
    for (size_t y = 0; y < years; y++) {
        double *row = yw + y * n;
        sort_values(row, n, row, ka, kb);
        for (int q = 0; q < RA_PLAN_N_PCT; q++)
            res->pct_by_year[y * RA_PLAN_N_PCT + q] =
                quantile7_sorted(row, n, ra_plan_pct_levels[q]);
    }
    memcpy(res->pct_final, res->pct_by_year + (years - 1) * RA_PLAN_N_PCT, sizeof res->pct_final);

    if (!thr)
        return RA_OK;
    /* k = the fewest hits with k / n >= P, compared in double as res->probability is */
    const double p = s->probability;
    size_t k = (size_t)ceil(p * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    while (k > 1 && (double)(k - 1) / (double)n >= p) k--;
    while (k < n && (double)k / (double)n < p) k++;
    double ck = select_kth(thr, n, k);
    if (!(ck <= RA_PLAN_MAX_MONTHLY))
        return ra_err_set(err, RA_EINFEASIBLE, NULL,
                          "the goal %.2f cannot be reached with probability %g in %zu years even "
                          "with %.0f a month (it would need %.6g a month)",
                          s->goal, p, years, RA_PLAN_MAX_MONTHLY, ck);
    int64_t cents = ck <= 0.0 ? 0 : (int64_t)ceil(ck * 100.0);
    size_t hits = sim_all(s, mm, msd, (double)cents / 100.0, NULL, NULL);
    for (int step = 0; hits < k && step < PLAN_CENT_STEPS; step++)
        hits = sim_all(s, mm, msd, (double)++cents / 100.0, NULL, NULL);
    if (hits < k)
        return ra_err_set(err, RA_EINTERNAL, NULL,
                          "required monthly contribution did not reproduce probability %g", p);
    for (int step = 0; cents > 0 && step < PLAN_CENT_STEPS; step++) {
        size_t h = sim_all(s, mm, msd, (double)(cents - 1) / 100.0, NULL, NULL);
        if (h < k)
            break;
        cents--;
        hits = h;
    }
    res->required_monthly = (double)cents / 100.0;
    res->required_probability = (double)hits / (double)n;
    return RA_OK;
}

/* ---- daily to monthly ------------------------------------------------------------------------ */

ra_status ra_plan_monthly_from_daily(const ra_date *dates, const double *r, size_t n, double *out,
                                     ra_date *month_end, size_t *n_out, ra_err *err)
{
    if (!dates || !r || !out || !n_out)
        return ra_err_set(err, RA_EINVAL, NULL, "dates, returns and output are required");
    size_t m = 0;
    int cy = 0, cm = 0;
    double g = 1.0;
    for (size_t t = 0; t < n; t++) {
        if (!(isfinite(r[t]) && r[t] >= -1.0))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "daily return %zu must be a finite number >= -1, got %g", t, r[t]);
        if (t > 0 && dates[t] <= dates[t - 1])
            return ra_err_set(err, RA_EINVAL, NULL, "dates must be strictly increasing at index %zu",
                              t);
        int y, mo, d;
        ra_date_to_ymd(dates[t], &y, &mo, &d);
        if (t > 0 && (y != cy || mo != cm)) { /* month (cy, cm) is complete */
            out[m] = g - 1.0;
            if (month_end)
                month_end[m] = dates[t - 1];
            m++;
            g = 1.0;
        }
        cy = y;
        cm = mo;
        g *= 1.0 + r[t];
    }
    /* months 0 .. m-1 are closed, the last (open) month was never written: drop it, and the
     * first one */
    if (m < 3)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "daily returns span %zu calendar month%s; after dropping the first and "
                          "last (maybe partial) months, at least 2 must remain",
                          n ? m + 1 : 0, m + 1 == 1 ? "" : "s");
    memmove(out, out + 1, (m - 1) * sizeof *out);
    if (month_end)
        memmove(month_end, month_end + 1, (m - 1) * sizeof *month_end);
    *n_out = m - 1;
    return RA_OK;
}
