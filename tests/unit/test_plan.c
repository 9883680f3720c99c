/* Unit tests of the goal-plan Monte Carlo (src/core/plan.c) and the glide-path reader
 * (src/core/plan_glide.c). Expected values are closed forms derived in the comments (annuity,
 * lognormal mean and median), or properties (determinism, thread-count independence, the
 * required contribution reproducing its probability). */
#include <setjmp.h>
#include <roboadvisor/plan_io.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include <roboadvisor/perf.h>
#include <roboadvisor/plan.h>
#include <roboadvisor/rng.h>

#include "ra_test.h"

/* Deterministic cases: 120 to 480 multiply-adds, each rounding ~1e-16 relative, against pow():
 * 1e-12 relative leaves two orders of magnitude of room. */
#define TOL_DET_REL 1e-12
/* Monte Carlo checks use 4 standard errors (a pinned seed, so the outcome is fixed). */
#define MC_SE 4.0
#define PI 3.14159265358979323846

typedef struct plan_out {
    ra_plan_result res;
    double by_year[RA_PLAN_MAX_YEARS * RA_PLAN_N_PCT];
} plan_out;

static ra_status run(const ra_plan_settings *s, plan_out *o, ra_err *err)
{
    size_t wsz = ra_plan_workspace_size(s);
    void *work = malloc(wsz ? wsz : 1);
    assert_non_null(work);
    memset(o, 0, sizeof *o);
    o->res.pct_by_year = o->by_year;
    ra_status st = ra_plan_run(s, work, wsz, &o->res, err);
    free(work);
    return st;
}

static void base(ra_plan_settings *s)
{
    ra_plan_settings_default(s);
    s->initial = 10000;
    s->monthly = 200;
    s->years = 10;
    s->goal = 60000;
    s->n_paths = 2000;
    s->seed = 7;
}

/* sigma = 0: every month grows by q = (1+mu)^(1/12) (ln q = ln(1+mu)/12, no variance term), so
 * W_N = W0 q^(12N) + c (q^(12N) - 1) / (q - 1), the future value of an ordinary annuity (end of
 * month) plus the compounded initial amount: with W0 = 1000, c = 100, mu = 6 %, N = 10:
 * 1000 * 1.06^10 + 100 * (1.06^10 - 1) / (1.06^(1/12) - 1). Every path and percentile equals it. */
static void test_plan_zero_volatility_is_annuity(void **state)
{
    (void)state;
    ra_plan_settings s;
    base(&s);
    s.initial = 1000;
    s.monthly = 100;
    s.mu = 0.06;
    s.sigma = 0.0;
    s.n_paths = 50;
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    double q = pow(1.06, 1.0 / 12.0);
    double want = 1000 * pow(1.06, 10) + 100 * (pow(1.06, 10) - 1) / (q - 1);
    for (int k = 0; k < RA_PLAN_N_PCT; k++)
        RA_ASSERT_CLOSE(o.res.pct_final[k], want, 0.0, TOL_DET_REL);
    RA_ASSERT_CLOSE(o.res.mean_final, want, 0.0, TOL_DET_REL);
    /* each year end y: the same formula with N = y */
    for (int y = 1; y <= 10; y++) {
        double wy = 1000 * pow(1.06, y) + 100 * (pow(1.06, y) - 1) / (q - 1);
        RA_ASSERT_CLOSE(o.by_year[(y - 1) * RA_PLAN_N_PCT + 2], wy, 0.0, TOL_DET_REL);
    }
    assert_true(want < s.goal && o.res.probability == 0.0);
    s.goal = want * 0.999;
    assert_int_equal(run(&s, &o, &err), RA_OK);
    assert_true(o.res.probability == 1.0 && o.res.n_hits == 50);
}

/* No contributions: ln W_N = ln W0 + sum of 12N iid N(ln(1+mu)/12 - sigma^2/24, sigma^2/12), so
 * ln W_N ~ N(ln W0 + N ln(1+mu) - N sigma^2/2, N sigma^2): mean W0 (1+mu)^N and median
 * W0 (1+mu)^N exp(-N sigma^2/2). mu = 7 %, sigma = 15 %, N = 10, 20,000 paths.
 * Standard errors: mean, sd(W)/sqrt(n) = mean sqrt(exp(N sigma^2) - 1)/sqrt(n) = 0.355 %;
 * median (of a lognormal, asymptotically), median * sqrt(pi/2) sqrt(N) sigma / sqrt(n) = 0.42 %.
 * The 5 % and 95 % percentiles: exp(m -+ 1.6449 s), standard error of a p-quantile
 * sqrt(p(1-p)/n) / density, 0.8 % and 1.6 % here (computed below). */
static void test_plan_lognormal_mean_and_median(void **state)
{
    (void)state;
    ra_plan_settings s;
    base(&s);
    s.initial = 1;
    s.monthly = 0;
    s.mu = 0.07;
    s.sigma = 0.15;
    s.n_paths = 20000;
    s.goal = 2;
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    const double N = 10, n = 20000, sig = 0.15;
    double mean = pow(1.07, N), median = mean * exp(-N * sig * sig / 2), sd_log = sig * sqrt(N);
    double se_mean = sqrt(exp(N * sig * sig) - 1) / sqrt(n);
    double se_med = sqrt(PI / 2) * sd_log / sqrt(n);
    RA_ASSERT_CLOSE(o.res.mean_final, mean, 0.0, MC_SE * se_mean);
    RA_ASSERT_CLOSE(o.res.pct_final[2], median, 0.0, MC_SE * se_med);
    const double z95 = 1.6448536269514722; /* qnorm(0.95) in R */
    double q05 = median * exp(-z95 * sd_log), q95 = median * exp(z95 * sd_log);
    /* density of W at its quantile q: phi(z) / (q sd_log); se(q)/q = sqrt(p(1-p)/n) sd_log / phi */
    double phi = exp(-z95 * z95 / 2) / sqrt(2 * PI);
    double se_q = sqrt(0.05 * 0.95 / n) * sd_log / phi;
    RA_ASSERT_CLOSE(o.res.pct_final[0], q05, 0.0, MC_SE * se_q);
    RA_ASSERT_CLOSE(o.res.pct_final[4], q95, 0.0, MC_SE * se_q);
    /* P(W >= 2) = 1 - Phi((ln 2 - m)/s), binomial standard error */
    double p = 0.5 * erfc((log(2.0) - log(median)) / sd_log / sqrt(2.0));
    RA_ASSERT_CLOSE(o.res.probability, p, MC_SE * sqrt(p * (1 - p) / n), 0.0);
    /* percentiles are ordered at every year end */
    for (size_t y = 0; y < s.years; y++)
        for (int k = 1; k < RA_PLAN_N_PCT; k++)
            assert_true(o.by_year[y * RA_PLAN_N_PCT + k] >= o.by_year[y * RA_PLAN_N_PCT + k - 1]);
}

/* The percentiles are R's type 7 of the simulated wealths: the same paths recomputed here from
 * the public generator (stream i, W = W g + c with g = exp(m + s z)) and handed to
 * ra_perf_quantile7 give the same numbers exactly. */
static void test_plan_percentiles_are_quantile7(void **state)
{
    (void)state;
    ra_plan_settings s;
    base(&s);
    s.years = 2;
    s.n_paths = 501;
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    double w[501];
    double m = log1p(s.mu) / 12.0 - s.sigma * s.sigma / 24.0, sd = s.sigma / sqrt(12.0);
    for (size_t i = 0; i < s.n_paths; i++) {
        ra_rng r = ra_rng_stream(s.seed, i);
        double x = s.initial;
        for (int t = 0; t < 24; t++)
            x = x * exp(m + sd * ra_rng_normal(&r)) + s.monthly;
        w[i] = x;
    }
    for (int k = 0; k < RA_PLAN_N_PCT; k++) {
        double q;
        assert_int_equal(ra_perf_quantile7(w, s.n_paths, ra_plan_pct_levels[k], NULL, &q, NULL), RA_OK);
        assert_true(q == o.res.pct_final[k]);
    }
}

/* A constant series r = 1 % a month: every draw is the same month, so the result is
 * deterministic and equals the annuity with q = 1.01, for any seed and block length. */
static void test_plan_bootstrap_constant_series_deterministic(void **state)
{
    (void)state;
    double r[30];
    for (int t = 0; t < 30; t++) r[t] = 0.01;
    ra_plan_settings s;
    base(&s);
    s.model = RA_PLAN_BOOTSTRAP;
    s.boot_ret = r;
    s.n_boot = 30;
    s.years = 5;
    s.n_paths = 100;
    double want = 10000 * pow(1.01, 60) + 200 * (pow(1.01, 60) - 1) / 0.01;
    plan_out a, b;
    ra_err err = {0};
    assert_int_equal(run(&s, &a, &err), RA_OK);
    s.seed = 12345;
    s.block = 7;
    assert_int_equal(run(&s, &b, &err), RA_OK);
    for (int k = 0; k < RA_PLAN_N_PCT; k++) {
        RA_ASSERT_CLOSE(a.res.pct_final[k], want, 0.0, TOL_DET_REL);
        assert_true(a.res.pct_final[k] == b.res.pct_final[k]);
    }
}

/* Bootstrap of a two-month series with block = n_boot = 2: each block wraps around the series,
 * so every block is one +10 % month and one -5 % month, and after 36 months (18 blocks) the
 * wealth is exactly (1.1 * 0.95)^18 whatever the draws. With block 1 the outcomes spread. */
static void test_plan_bootstrap_block_alternates(void **state)
{
    (void)state;
    const double r[2] = {0.10, -0.05};
    ra_plan_settings s;
    base(&s);
    s.model = RA_PLAN_BOOTSTRAP;
    s.boot_ret = r;
    s.n_boot = 2;
    s.block = 2;
    s.initial = 1;
    s.monthly = 0;
    s.years = 3;
    s.n_paths = 64;
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    double want = pow(1.10 * 0.95, 18);
    for (int k = 0; k < RA_PLAN_N_PCT; k++)
        RA_ASSERT_CLOSE(o.res.pct_final[k], want, 0.0, TOL_DET_REL);
    /* block 1: a real spread of outcomes */
    s.block = 1;
    assert_int_equal(run(&s, &o, &err), RA_OK);
    assert_true(o.res.pct_final[4] > o.res.pct_final[0]);
}

static int same_result(const plan_out *a, const plan_out *b, size_t years)
{
    return memcmp(a->res.pct_final, b->res.pct_final, sizeof a->res.pct_final) == 0 &&
           memcmp(a->by_year, b->by_year, years * RA_PLAN_N_PCT * sizeof(double)) == 0 &&
           a->res.n_hits == b->res.n_hits && a->res.mean_final == b->res.mean_final &&
           (a->res.required_monthly == b->res.required_monthly ||
            (isnan(a->res.required_monthly) && isnan(b->res.required_monthly)));
}

static void test_plan_same_seed_same_numbers(void **state)
{
    (void)state;
    ra_plan_settings s;
    base(&s);
    s.probability = 0.75;
    plan_out a, b, c;
    ra_err err = {0};
    assert_int_equal(run(&s, &a, &err), RA_OK);
    assert_int_equal(run(&s, &b, &err), RA_OK);
    assert_true(same_result(&a, &b, s.years));
    s.seed = 8;
    assert_int_equal(run(&s, &c, &err), RA_OK);
    assert_true(a.res.pct_final[2] != c.res.pct_final[2]);
}

/* 1, 2, 3 and 7 threads (7 does not divide 2000 paths): bit-identical results, lognormal with a
 * glide path and bootstrap with blocks, both with a required contribution. */
static void test_plan_thread_count_independent(void **state)
{
    (void)state;
    ra_plan_glide_row rows[2] = {{1, 0.08, 0.2, 2}, {4, 0.03, 0.05, 3}};
    ra_plan_glide g = {2, rows, "g.csv"};
    double hist[37];
    for (int t = 0; t < 37; t++) hist[t] = 0.01 * sin(t * 1.7) + 0.004;
    for (int model = 0; model < 2; model++) {
        ra_plan_settings s;
        base(&s);
        s.probability = 0.6;
        if (model == 0) {
            s.glide = &g;
        } else {
            s.model = RA_PLAN_BOOTSTRAP;
            s.boot_ret = hist;
            s.n_boot = 37;
            s.block = 6;
        }
        plan_out one, many;
        ra_err err = {0};
        s.n_threads = 1;
        assert_int_equal(run(&s, &one, &err), RA_OK);
        const unsigned counts[3] = {2, 3, 7};
        for (int k = 0; k < 3; k++) {
            s.n_threads = counts[k];
            assert_int_equal(run(&s, &many, &err), RA_OK);
            assert_true(same_result(&one, &many, s.years));
        }
    }
}

/* The required monthly contribution is in whole cents, reaches the probability, and one cent
 * less does not. */
static void test_plan_required_monthly_reproduces_probability(void **state)
{
    (void)state;
    const double probs[3] = {0.5, 0.9, 1.0};
    for (int k = 0; k < 3; k++) {
        ra_plan_settings s;
        base(&s);
        s.probability = probs[k];
        plan_out o, chk;
        ra_err err = {0};
        assert_int_equal(run(&s, &o, &err), RA_OK);
        double c = o.res.required_monthly;
        assert_true(c > 0 && c == round(c * 100) / 100);
        assert_true(o.res.required_probability >= probs[k]);
        s.probability = 0;
        s.monthly = c;
        assert_int_equal(run(&s, &chk, &err), RA_OK);
        assert_true(chk.res.probability >= probs[k]);
        assert_true(chk.res.probability == o.res.required_probability);
        s.monthly = c - 0.01;
        assert_int_equal(run(&s, &chk, &err), RA_OK);
        assert_true(chk.res.probability < probs[k]);
    }
}

/* A goal reached without contributions needs 0; an absurd goal is RA_EINFEASIBLE. */
static void test_plan_required_monthly_zero_and_unreachable(void **state)
{
    (void)state;
    ra_plan_settings s;
    base(&s);
    s.goal = 100;
    s.probability = 0.99;
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    assert_true(o.res.required_monthly == 0.0);
    s.goal = RA_PLAN_MAX_AMOUNT;
    s.years = 1;
    s.probability = 1.0;
    assert_int_equal(run(&s, &o, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "cannot be reached"));
}

/* Glide path with sigma 0: 10 % in years 1-2, 0 % from year 3: W = 1.1^2 after 4 years. */
static void test_plan_glide_path_changes_by_year(void **state)
{
    (void)state;
    ra_plan_glide_row rows[3] = {{1, 0.10, 0.0, 2}, {3, 0.0, 0.0, 3}, {50, 0.5, 0.5, 4}};
    ra_plan_glide g = {3, rows, "g.csv"};
    ra_plan_settings s;
    base(&s);
    s.initial = 1;
    s.monthly = 0;
    s.years = 4;
    s.n_paths = 10;
    s.glide = &g; /* row 50 lies after the plan: ignored */
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(&s, &o, &err), RA_OK);
    RA_ASSERT_CLOSE(o.by_year[0 * RA_PLAN_N_PCT], 1.1, 0.0, TOL_DET_REL);
    RA_ASSERT_CLOSE(o.by_year[1 * RA_PLAN_N_PCT], 1.21, 0.0, TOL_DET_REL);
    RA_ASSERT_CLOSE(o.by_year[3 * RA_PLAN_N_PCT + 4], 1.21, 0.0, TOL_DET_REL);
    /* years before the first row use the settings' mu and sigma */
    rows[0].year = 2;
    s.mu = 0.2;
    s.sigma = 0;
    assert_int_equal(run(&s, &o, &err), RA_OK);
    RA_ASSERT_CLOSE(o.res.pct_final[2], 1.2 * 1.1, 0.0, TOL_DET_REL);
}

static void expect_einval(const ra_plan_settings *s, const char *text)
{
    plan_out o;
    ra_err err = {0};
    assert_int_equal(run(s, &o, &err), RA_EINVAL);
    if (!strstr(err.msg, text))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, text);
}

static void test_plan_bad_inputs(void **state)
{
    (void)state;
    ra_plan_settings s;
    double r[3] = {0.01, -1.5, 0.02};
    base(&s); s.initial = -1; expect_einval(&s, "initial amount");
    base(&s); s.monthly = NAN; expect_einval(&s, "monthly contribution");
    base(&s); s.goal = 0; expect_einval(&s, "goal");
    base(&s); s.years = 0; expect_einval(&s, "years must be from 1 to 100, got 0");
    base(&s); s.years = 101; expect_einval(&s, "got 101");
    base(&s); s.n_paths = 0; expect_einval(&s, "paths");
    base(&s); s.mu = 7; expect_einval(&s, "0.07 for 7 %");
    base(&s); s.mu = -1; expect_einval(&s, "mu must be");
    base(&s); s.sigma = -0.1; expect_einval(&s, "sigma must be");
    base(&s); s.probability = 1.5; expect_einval(&s, "probability");
    base(&s); s.n_threads = 65; expect_einval(&s, "threads");
    base(&s); s.model = RA_PLAN_BOOTSTRAP; s.boot_ret = r; s.n_boot = 1;
    expect_einval(&s, "at least 2 monthly returns");
    s.n_boot = 3; expect_einval(&s, "monthly return 1 must be");
    r[1] = 0.0; s.block = 0; expect_einval(&s, "block length");
    s.block = 4; expect_einval(&s, "block length");
    ra_plan_glide_row rows[2] = {{3, 0.05, 0.1, 2}, {3, 0.05, 0.1, 3}};
    ra_plan_glide g = {2, rows, "g.csv"};
    s.block = 1; s.glide = &g; expect_einval(&s, "cannot apply to the bootstrap");
    base(&s); s.glide = &g; expect_einval(&s, "strictly increasing");
    /* a workspace that is too small */
    base(&s);
    plan_out o;
    o.res.pct_by_year = o.by_year;
    ra_err err = {0};
    double small[4];
    assert_int_equal(ra_plan_run(&s, small, sizeof small, &o.res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "workspace"));
    /* overflow is an error, never an infinite percentile */
    double big[2] = {1e6, 1e6};
    base(&s); s.model = RA_PLAN_BOOTSTRAP; s.boot_ret = big; s.n_boot = 2; s.years = 100;
    expect_einval(&s, "overflowed");
}

/* ---- the glide-path reader ------------------------------------------------------------------ */

static ra_status glide(const char *text, ra_plan_glide **g, ra_err *err)
{
    return ra_plan_glide_parse(text, strlen(text), "g.csv", g, err);
}

static void test_plan_glide_parse_valid(void **state)
{
    (void)state;
    ra_plan_glide *g = NULL;
    ra_err err = {0};
    assert_int_equal(glide("\xEF\xBB\xBFYear, MU ,sigma\r\n1,0.07,0.18\r\n\"10\",0.05,0.12\r\n"
                           "25, 3e-2 ,0.06\r\n\n",
                           &g, &err), RA_OK);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->rows[1].year, 10);
    assert_int_equal(g->rows[2].line, 4);
    RA_ASSERT_CLOSE(g->rows[2].mu, 0.03, 0.0, 0.0);
    RA_ASSERT_CLOSE(g->rows[0].sigma, 0.18, 0.0, 0.0);
    assert_string_equal(g->source, "g.csv");
    ra_plan_glide_destroy(g);
    ra_plan_glide_destroy(NULL);
}

static void expect_parse_error(const char *text, const char *where, const char *msg)
{
    ra_plan_glide *g = (ra_plan_glide *)&g;
    ra_err err = {0};
    assert_int_equal(glide(text, &g, &err), RA_EPARSE);
    assert_null(g);
    if (where && strcmp(err.where, where) != 0)
        fail_msg("where \"%s\", want \"%s\" (%s)", err.where, where, err.msg);
    if (!strstr(err.msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void test_plan_glide_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("", "g.csv:1:1", "empty file");
    expect_parse_error("year,mu\n1,0.05\n", NULL, "need 3 (year,mu,sigma)");
    expect_parse_error("year,sigma,mu\n1,0.1,0.05\n", "g.csv:1:2", "must be \"mu\"");
    expect_parse_error("year,mu,sigma\n", NULL, "no data rows");
    expect_parse_error("year,mu,sigma\n1,0.05,0.1\n1,0.05,0.1\n", "g.csv:3:1 (year)",
                       "strictly increasing: 1 after 1");
    expect_parse_error("year,mu,sigma\n0,0.05,0.1\n", "g.csv:2:1 (year)", "from 1 to 100");
    expect_parse_error("year,mu,sigma\n101,0.05,0.1\n", "g.csv:2:1 (year)", "from 1 to 100");
    expect_parse_error("year,mu,sigma\n99999999999999999999,0.05,0.1\n", "g.csv:2:1 (year)",
                       "from 1 to 100");
    expect_parse_error("year,mu,sigma\n1.5,0.05,0.1\n", "g.csv:2:1 (year)", "whole number");
    expect_parse_error("year,mu,sigma\n1,7,0.1\n", "g.csv:2:2 (mu)", "0.07 for 7 %");
    expect_parse_error("year,mu,sigma\n1,0.05,-0.1\n", "g.csv:2:3 (sigma)", "sigma must be");
    expect_parse_error("year,mu,sigma\n1,nan,0.1\n", "g.csv:2:2 (mu)", "not a number: \"nan\"");
    expect_parse_error("year,mu,sigma\n1,5%,0.1\n", "g.csv:2:2 (mu)", "not a number");
    expect_parse_error("year,mu,sigma\n1,1e999,0.1\n", "g.csv:2:2 (mu)", "out of range");
    expect_parse_error("year,mu,sigma\n1,,0.1\n", "g.csv:2:2 (mu)", "missing mu");
    expect_parse_error("year,mu,sigma\n1,0.05\n", NULL, "row has 2 fields");
    expect_parse_error("year,mu,sigma\n1,0.05,0.1,9\n", NULL, "row has 4 fields");
    expect_parse_error("year,mu,sigma\n1,\"0.05,0.1\n", NULL, "");
}

/* ---- daily to monthly ----------------------------------------------------------------------- */

/* Jan 30 .. Apr 2: January and April are dropped, February compounds 1.01 * 1.02 and March
 * 0.99 * 1.03 * 1.0. */
static void test_plan_monthly_from_daily(void **state)
{
    (void)state;
    ra_date d[8] = {ra_date_from_ymd(2020, 1, 30), ra_date_from_ymd(2020, 1, 31),
                    ra_date_from_ymd(2020, 2, 3),  ra_date_from_ymd(2020, 2, 28),
                    ra_date_from_ymd(2020, 3, 2),  ra_date_from_ymd(2020, 3, 16),
                    ra_date_from_ymd(2020, 3, 31), ra_date_from_ymd(2020, 4, 2)};
    const double r[8] = {0.5, 0.5, 0.01, 0.02, -0.01, 0.03, 0.0, 0.7};
    double out[4];
    ra_date ends[4];
    size_t m = 0;
    ra_err err = {0};
    assert_int_equal(ra_plan_monthly_from_daily(d, r, 8, out, ends, &m, &err), RA_OK);
    assert_int_equal(m, 2);
    RA_ASSERT_CLOSE(out[0], 1.01 * 1.02 - 1, 1e-15, 0.0);
    RA_ASSERT_CLOSE(out[1], 0.99 * 1.03 - 1, 1e-15, 0.0);
    assert_int_equal(ends[0], d[3]);
    assert_int_equal(ends[1], d[6]);
    /* three months: only one left after dropping both ends */
    assert_int_equal(ra_plan_monthly_from_daily(d + 1, r + 1, 6, out, NULL, &m, &err), RA_EINVAL);
    const double bad[8] = {0.5, 0.5, 0.01, -1.2, -0.01, 0.03, 0.0, 0.7};
    assert_int_equal(ra_plan_monthly_from_daily(d, bad, 8, out, NULL, &m, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "daily return 3"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_zero_volatility_is_annuity),
        cmocka_unit_test(test_plan_lognormal_mean_and_median),
        cmocka_unit_test(test_plan_percentiles_are_quantile7),
        cmocka_unit_test(test_plan_bootstrap_constant_series_deterministic),
        cmocka_unit_test(test_plan_bootstrap_block_alternates),
        cmocka_unit_test(test_plan_same_seed_same_numbers),
        cmocka_unit_test(test_plan_thread_count_independent),
        cmocka_unit_test(test_plan_required_monthly_reproduces_probability),
        cmocka_unit_test(test_plan_required_monthly_zero_and_unreachable),
        cmocka_unit_test(test_plan_glide_path_changes_by_year),
        cmocka_unit_test(test_plan_bad_inputs),
        cmocka_unit_test(test_plan_glide_parse_valid),
        cmocka_unit_test(test_plan_glide_parse_errors),
        cmocka_unit_test(test_plan_monthly_from_daily),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
