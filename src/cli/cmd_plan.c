/* roboadvisor plan: goal plans by Monte Carlo (include/roboadvisor/plan.h). Documented in
 * docs/cli.md#plan, method in docs/methodology.md#goal-plans. */
#include "cli.h"
#include <roboadvisor/plan_io.h>

#include <roboadvisor/plan.h>

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "plan";

#define PLAN_CLI_MAX_PATHS 1000000          /* --paths at most */
#define PLAN_CLI_MAX_CELLS ((size_t)20000000) /* paths x years: 160 MB of year-end wealth */
#define PLAN_GLIDE_MAX_BYTES ((size_t)1 << 20)

static void help(void)
{
    printf(
        "usage: roboadvisor plan --initial AMOUNT --monthly AMOUNT --years N --goal AMOUNT\n"
        "                        [--model lognormal --mu R --sigma S | --bootstrap FILE [--block L]]\n"
        "                        [--glide-path FILE] [--paths N] [--seed N] [--probability P]\n"
        "                        [--format json|table]\n\n"
        "Simulates wealth month by month (the contribution is added at the end of each month) and\n"
        "reports the probability of ending at or above the goal, percentiles 5/25/50/75/95 of the\n"
        "final wealth and of the wealth at each year end, and with --probability the monthly\n"
        "contribution that reaches the goal with that probability. Amounts are currency units with\n"
        "at most 2 decimals; rates are annual decimals (0.06 for 6 %%).\n\n"
        "  --initial AMOUNT       wealth at the start\n"
        "  --monthly AMOUNT       contribution at the end of every month\n"
        "  --years N              horizon, 1 to %d years\n"
        "  --goal AMOUNT          final wealth aimed at (> 0)\n"
        "  --model lognormal      (default) monthly log return ~ N(ln(1+mu)/12 - sigma^2/24, sigma^2/12)\n"
        "  --mu R                 expected annual simple return, in (-1, 1]\n"
        "  --sigma S              annual volatility of log returns, in [0, 2]\n"
        "  --glide-path FILE      CSV year,mu,sigma: from that plan year on (1 = first year)\n"
        "  --bootstrap FILE       resample whole months of a returns CSV (monthly, or daily\n"
        "                         compounded to calendar months); implies --model bootstrap\n"
        "  --asset NAME           the column of the --bootstrap file (needed if it has several)\n"
        "  --drop-missing         drop rows of the --bootstrap file with an empty cell\n"
        "  --block L              circular block bootstrap, blocks of L months (default 1)\n"
        "  --paths N              simulated paths (default 10000, at most %d)\n"
        "  --seed N               random seed (default 1); the same seed gives the same numbers\n"
        "  --threads N            worker threads (default 1); never changes a number\n"
        "  --probability P        also find the required monthly contribution, P in (0, 1]\n"
        "  --format json|table    (default table)\n",
        RA_PLAN_MAX_YEARS, PLAN_CLI_MAX_PATHS);
}

/* An amount in currency units with at most 2 decimals, >= 0. */
static int parse_amount(const char *opt, const char *s, double *out)
{
    ra_minor v;
    ra_err err = {0};
    if (ra_money_parse_minor(s, strlen(s), 2, &v, &err) != RA_OK)
        return cli_usage(CMD, "%s needs an amount with at most 2 decimals (1234.56), got \"%s\"",
                         opt, s);
    if (v < 0)
        return cli_usage(CMD, "%s cannot be negative, got \"%s\"", opt, s);
    if ((double)v / 100.0 > RA_PLAN_MAX_AMOUNT)
        return cli_usage(CMD, "%s must be at most %.0f, got \"%s\"", opt, RA_PLAN_MAX_AMOUNT, s);
    *out = (double)v / 100.0;
    return 0;
}

/* The bootstrap history: one column of monthly (or daily, compounded) simple returns. */
typedef struct boot_data {
    ra_series *series;
    double *months; /* n months */
    ra_date *month_end;
    size_t n;
    int from_daily;
    size_t n_dropped;
} boot_data;

static void boot_free(boot_data *b)
{
    ra_series_destroy(b->series);
    free(b->months);
    free(b->month_end);
    memset(b, 0, sizeof *b);
}

static int boot_load(const char *path, const char *asset, int drop_missing, boot_data *b)
{
    memset(b, 0, sizeof *b);
    ra_err err = {0};
    if (ra_csv_read_series(path, &b->series, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_series *s = b->series;
    int rc = CLI_EXIT_DATA;
    if (asset) {
        if (ra_series_select(s, &asset, 1, &err) != RA_OK) {
            rc = cli_fail(CMD, &err);
            goto fail;
        }
    } else if (s->n_cols != 1) {
        rc = cli_usage(CMD, "%s has %zu return columns: name one with --asset (%s, %s, ...)", path,
                       s->n_cols, s->names[0], s->names[1]);
        goto fail;
    }
    if (ra_series_complete(s, drop_missing, &b->n_dropped, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto fail;
    }
    /* every return must be a finite number >= -1 (a total loss at worst) */
    for (size_t t = 0; t < s->n_rows; t++) {
        if (!(s->values[t] >= -1.0)) {
            fprintf(stderr, "roboadvisor %s: %s:%u:%u (%s): a simple return cannot be below -1 "
                            "(a loss of more than 100 %%), got %g\n", CMD, path,
                    (unsigned)s->lines[t], s->columns ? (unsigned)s->columns[0] : 2u, s->names[0],
                    s->values[t]);
            goto fail;
        }
    }
    double ppy;
    if (ra_est_periods_per_year(s->dates, s->n_rows, &ppy, &err) != RA_OK) {
        ra_err_wrap(&err, "%s", path);
        rc = cli_fail(CMD, &err);
        goto fail;
    }
    b->months = malloc(s->n_rows * sizeof *b->months);
    b->month_end = malloc(s->n_rows * sizeof *b->month_end);
    if (!b->months || !b->month_end) {
        fprintf(stderr, "roboadvisor %s: out of memory for %zu returns\n", CMD, s->n_rows);
        goto fail;
    }
    if (ppy == 12.0) {
        memcpy(b->months, s->values, s->n_rows * sizeof *b->months);
        memcpy(b->month_end, s->dates, s->n_rows * sizeof *b->month_end);
        b->n = s->n_rows;
    } else if (ppy == RA_TRADING_DAYS_PER_YEAR) {
        if (ra_plan_monthly_from_daily(s->dates, s->values, s->n_rows, b->months, b->month_end,
                                       &b->n, &err) != RA_OK) {
            ra_err_wrap(&err, "%s", path);
            rc = cli_fail(CMD, &err);
            goto fail;
        }
        b->from_daily = 1;
    } else {
        fprintf(stderr, "roboadvisor %s: %s: the bootstrap needs monthly or daily returns; the "
                        "dates look like %g periods a year\n", CMD, path, ppy);
        goto fail;
    }
    return 0;
fail:
    boot_free(b);
    return rc;
}

static json_t *pct_object(const double *p)
{
    static const char *const keys[RA_PLAN_N_PCT] = {"p5", "p25", "p50", "p75", "p95"};
    json_t *o = json_object();
    for (int k = 0; k < RA_PLAN_N_PCT; k++)
        json_object_set_new(o, keys[k], cli_jnum(p[k]));
    return o;
}

/* The options as given. */
typedef struct plan_args {
    ra_plan_settings s;
    int have_initial, have_monthly, have_goal, have_mu, have_sigma;
    const char *model, *boot_path, *glide_path, *asset;
    size_t years, block, paths, seed, threads;
    int drop_missing;
    cli_format format;
} plan_args;

static int take_amount(const char *cmd, const char *opt, char *arg, void *field)
{
    return parse_amount(opt, arg, field);
}

static int take_goal(const char *cmd, const char *opt, char *arg, void *field)
{
    int rc = parse_amount(opt, arg, field);
    if (!rc && *(double *)field <= 0)
        rc = cli_usage(CMD, "--goal must be positive, got \"%s\"", arg);
    return rc;
}

static const cli_opt options[] = {
    CLI_O("initial", CLI_OPT_CUSTOM, plan_args, s.initial, .fn = take_amount,
          .have = CLI_HAVE(plan_args, have_initial)),
    CLI_O("monthly", CLI_OPT_CUSTOM, plan_args, s.monthly, .fn = take_amount,
          .have = CLI_HAVE(plan_args, have_monthly)),
    CLI_O("years", CLI_OPT_SIZE, plan_args, years, .lo = 1, .hi = RA_PLAN_MAX_YEARS),
    CLI_O("goal", CLI_OPT_CUSTOM, plan_args, s.goal, .fn = take_goal,
          .have = CLI_HAVE(plan_args, have_goal)),
    CLI_O("model", CLI_OPT_WORD, plan_args, model, .words = CLI_WORDS("lognormal", "bootstrap"),
          .msg = "is lognormal or bootstrap, got \"%s\""),
    CLI_O("mu", CLI_OPT_DOUBLE, plan_args, s.mu, .dlo = -1.0, .dhi = RA_PLAN_MAX_MU,
          .open = CLI_OPEN_LO, .have = CLI_HAVE(plan_args, have_mu),
          .msg = "is an annual decimal return in (-1, 1] (0.07 for 7 %), got \"%s\""),
    CLI_O("sigma", CLI_OPT_DOUBLE, plan_args, s.sigma, .dlo = 0.0, .dhi = RA_PLAN_MAX_SIGMA,
          .have = CLI_HAVE(plan_args, have_sigma),
          .msg = "is an annual decimal volatility in [0, 2] (0.15 for 15 %), got \"%s\""),
    CLI_O("bootstrap", CLI_OPT_STR, plan_args, boot_path),
    CLI_O("block", CLI_OPT_SIZE, plan_args, block, .lo = 1, .hi = 1200),
    CLI_O("asset", CLI_OPT_STR, plan_args, asset),
    CLI_O("drop-missing", CLI_OPT_FLAG, plan_args, drop_missing),
    CLI_O("glide-path", CLI_OPT_STR, plan_args, glide_path),
    CLI_O("paths", CLI_OPT_SIZE, plan_args, paths, .lo = 1, .hi = PLAN_CLI_MAX_PATHS),
    CLI_O("seed", CLI_OPT_SIZE, plan_args, seed, .lo = 0, .hi = SIZE_MAX),
    CLI_O("threads", CLI_OPT_SIZE, plan_args, threads, .lo = 1, .hi = RA_PLAN_MAX_THREADS),
    CLI_O("probability", CLI_OPT_DOUBLE, plan_args, s.probability, .dlo = 0.0, .dhi = 1.0,
          .open = CLI_OPEN_LO, .msg = "must be in (0, 1], got \"%s\""),
    CLI_O("format", CLI_OPT_FORMAT, plan_args, format), CLI_OPT_END};

int cmd_plan(int argc, char **argv)
{
    plan_args a = {.model = NULL, .format = CLI_FORMAT_TABLE};
    ra_plan_settings_default(&a.s);
    a.paths = a.s.n_paths;
    a.seed = 1;
    a.threads = 1;
    const cli_opts_spec spec = {CMD, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &a);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    ra_plan_settings s = a.s;
    int have_initial = a.have_initial, have_monthly = a.have_monthly, have_goal = a.have_goal;
    int have_mu = a.have_mu, have_sigma = a.have_sigma;
    const char *model = a.model, *boot_path = a.boot_path, *glide_path = a.glide_path;
    const char *asset = a.asset;
    size_t years = a.years, block = a.block, paths = a.paths, seed = a.seed, threads = a.threads;
    int drop_missing = a.drop_missing;
    cli_format format = a.format;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind))) return rc;
    if (!have_initial) return cli_usage(CMD, "--initial AMOUNT is required");
    if (!have_monthly) return cli_usage(CMD, "--monthly AMOUNT is required");
    if (years == 0) return cli_usage(CMD, "--years N is required");
    if (!have_goal) return cli_usage(CMD, "--goal AMOUNT is required");
    int boot = boot_path != NULL || (model && strcmp(model, "bootstrap") == 0);
    if (boot && model && strcmp(model, "lognormal") == 0)
        return cli_usage(CMD, "--bootstrap resamples history; it cannot go with --model lognormal");
    if (boot && !boot_path) return cli_usage(CMD, "--model bootstrap needs --bootstrap FILE");
    if (boot && (have_mu || have_sigma))
        return cli_usage(CMD, "--mu and --sigma belong to the lognormal model, not --bootstrap");
    if (boot && glide_path)
        return cli_usage(CMD, "--glide-path changes mu and sigma; it cannot go with --bootstrap");
    if (!boot && (block || asset || drop_missing))
        return cli_usage(CMD, "--block, --asset and --drop-missing need --bootstrap FILE");
    if (paths * years > PLAN_CLI_MAX_CELLS)
        return cli_usage(CMD, "--paths x --years must be at most %zu (memory), got %zu x %zu",
                         PLAN_CLI_MAX_CELLS, paths, years);
    s.years = years;
    s.n_paths = paths;
    s.seed = (uint64_t)seed;
    s.n_threads = (unsigned)threads;
    s.block = block ? block : 1;

    ra_err err = {0};
    ra_plan_glide *glide = NULL;
    boot_data bd = {0};
    void *work = NULL;
    double *by_year = NULL;
    if (glide_path) {
        char *data = NULL;
        size_t size = 0;
        if (ra_file_read(glide_path, PLAN_GLIDE_MAX_BYTES, &data, &size, &err) != RA_OK)
            return cli_fail(CMD, &err);
        ra_status st = ra_plan_glide_parse(data, size, glide_path, &glide, &err);
        ra_free(data);
        if (st != RA_OK)
            return cli_fail(CMD, &err);
        s.glide = glide;
    }
    if (!boot && !(have_mu && have_sigma) && !(glide && glide->rows[0].year == 1)) {
        ra_plan_glide_destroy(glide);
        return cli_usage(CMD, "the lognormal model needs --mu and --sigma (or a --glide-path "
                              "starting at year 1), or use --bootstrap FILE");
    }
    if (boot) {
        if ((rc = boot_load(boot_path, asset, drop_missing, &bd)) != 0)
            return rc;
        if (s.block > bd.n) {
            rc = cli_usage(CMD, "--block %zu is longer than the %zu months of %s", s.block, bd.n,
                           boot_path);
            goto out;
        }
        s.model = RA_PLAN_BOOTSTRAP;
        s.boot_ret = bd.months;
        s.n_boot = bd.n;
    }
    size_t wsz = ra_plan_workspace_size(&s);
    work = malloc(wsz);
    by_year = malloc(years * RA_PLAN_N_PCT * sizeof *by_year);
    if (!work || !by_year) {
        fprintf(stderr, "roboadvisor %s: out of memory for %zu paths x %zu years\n", CMD, paths,
                years);
        rc = CLI_EXIT_DATA;
        goto out;
    }
    ra_plan_result res;
    res.pct_by_year = by_year;
    double t0 = cli_clock_ms();
    if (ra_plan_run(&s, work, wsz, &res, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto out;
    }
    double ms = cli_clock_ms() - t0;
    char d0[11], d1[11];
    if (format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *in = json_object(), *py = json_array();
        json_object_set_new(doc, "probability", cli_jnum(res.probability));
        json_object_set_new(doc, "percentiles", pct_object(res.pct_final));
        json_object_set_new(doc, "mean", cli_jnum(res.mean_final));
        for (size_t y = 0; y < years; y++) {
            json_t *o = pct_object(by_year + y * RA_PLAN_N_PCT);
            json_t *row = json_object();
            json_object_set_new(row, "year", json_integer((json_int_t)(y + 1)));
            json_object_update(row, o);
            json_decref(o);
            json_array_append_new(py, row);
        }
        json_object_set_new(doc, "paths_by_year", py);
        if (s.probability > 0) {
            json_object_set_new(doc, "required_monthly", cli_jnum(res.required_monthly));
            /* the same amount exactly, in cents (the double above prints as 742.80999999999995) */
            json_object_set_new(doc, "required_monthly_cents",
                                json_integer((json_int_t)llround(res.required_monthly * 100.0)));
            json_object_set_new(doc, "required_probability", cli_jnum(res.required_probability));
        }
        json_object_set_new(in, "initial", cli_jnum(s.initial));
        json_object_set_new(in, "monthly", cli_jnum(s.monthly));
        json_object_set_new(in, "years", json_integer((json_int_t)years));
        json_object_set_new(in, "goal", cli_jnum(s.goal));
        json_object_set_new(in, "model", json_string(boot ? "bootstrap" : "lognormal"));
        if (boot) {
            json_t *b = json_object();
            json_object_set_new(b, "file", json_string(boot_path));
            json_object_set_new(b, "column", json_string(bd.series->names[0]));
            json_object_set_new(b, "months", json_integer((json_int_t)bd.n));
            json_object_set_new(b, "first_month_end", cli_jdate(bd.month_end[0]));
            json_object_set_new(b, "last_month_end", cli_jdate(bd.month_end[bd.n - 1]));
            json_object_set_new(b, "compounded_from_daily", json_boolean(bd.from_daily));
            json_object_set_new(b, "rows_dropped", json_integer((json_int_t)bd.n_dropped));
            json_object_set_new(b, "block", json_integer((json_int_t)s.block));
            json_object_set_new(in, "bootstrap", b);
        } else {
            json_object_set_new(in, "mu", have_mu ? cli_jnum(s.mu) : json_null());
            json_object_set_new(in, "sigma", have_sigma ? cli_jnum(s.sigma) : json_null());
            if (glide) {
                json_t *g = json_object(), *rows = json_array();
                json_object_set_new(g, "file", json_string(glide_path));
                for (size_t j = 0; j < glide->n; j++) {
                    json_t *r = json_object();
                    json_object_set_new(r, "year", json_integer(glide->rows[j].year));
                    json_object_set_new(r, "mu", cli_jnum(glide->rows[j].mu));
                    json_object_set_new(r, "sigma", cli_jnum(glide->rows[j].sigma));
                    json_object_set_new(r, "used", json_boolean(glide->rows[j].year <= years));
                    json_array_append_new(rows, r);
                }
                json_object_set_new(g, "rows", rows);
                json_object_set_new(in, "glide_path", g);
            } else {
                json_object_set_new(in, "glide_path", json_null());
            }
        }
        json_object_set_new(in, "paths", json_integer((json_int_t)paths));
        json_object_set_new(in, "seed", json_integer((json_int_t)seed));
        json_object_set_new(in, "threads", json_integer((json_int_t)threads));
        json_object_set_new(in, "probability", s.probability > 0 ? cli_jnum(s.probability)
                                                                 : json_null());
        json_object_set_new(doc, "inputs", in);
        json_object_set_new(doc, "elapsed_ms", cli_jnum(ms));
        cli_json_units(doc, "amounts", "currency units (initial, monthly, goal, wealth "
                       "percentiles, required_monthly; required_monthly_cents in cents)",
                       "probability", "fraction (0.9 = 90 %)", "mu, sigma",
                       "fractions per year", "elapsed_ms", "milliseconds", NULL);
        rc = cli_json_print(doc);
    } else {
        printf("Goal plan: %zu paths, seed %zu, %zu years month by month (contribution at the end "
               "of each month)\n", paths, seed, years);
        if (boot)
            printf("Model: bootstrap of %zu months of %s (%s), %s to %s%s, blocks of %zu month%s\n",
                   bd.n, bd.series->names[0], boot_path, ra_date_format(bd.month_end[0], d0),
                   ra_date_format(bd.month_end[bd.n - 1], d1),
                   bd.from_daily ? ", compounded from daily returns by calendar month (first "
                                   "and last month dropped)" : "",
                   s.block, s.block == 1 ? "" : "s");
        else if (glide)
            printf("Model: lognormal with the glide path %s (%zu row%s)%s\n", glide_path, glide->n,
                   glide->n == 1 ? "" : "s", glide->rows[0].year > 1 ? ", before it:" : "");
        if (!boot && (!glide || glide->rows[0].year > 1))
            printf("Model: lognormal, mu %.2f %% a year (expected simple return), sigma %.2f %% a "
                   "year (volatility of log returns)\n", 100 * s.mu, 100 * s.sigma);
        printf("Initial %.2f, monthly %.2f, goal %.2f (currency units)\n\n", s.initial, s.monthly,
               s.goal);
        printf("Probability of ending at or above the goal: %.2f %% (%zu of %zu paths)\n",
               100 * res.probability, res.n_hits, paths);
        printf("Mean final wealth: %.2f (currency units)\n", res.mean_final);
        if (s.probability > 0)
            printf("Required monthly contribution for %.2f %%: %.2f (currency units; reaches %.2f "
                   "%%)\n", 100 * s.probability, res.required_monthly,
                   100 * res.required_probability);
        printf("\nWealth percentiles (currency units)\n%-6s %16s %16s %16s %16s %16s\n", "Year",
               "p5", "p25", "p50", "p75", "p95");
        for (size_t y = 0; y < years; y++) {
            const double *p = by_year + y * RA_PLAN_N_PCT;
            printf("%-6zu %16.2f %16.2f %16.2f %16.2f %16.2f\n", y + 1, p[0], p[1], p[2], p[3],
                   p[4]);
        }
        rc = CLI_EXIT_OK;
    }
out:
    free(work);
    free(by_year);
    boot_free(&bd);
    ra_plan_glide_destroy(glide);
    return rc;
}
