/* roboadvisor screen: many distinct qualifying candidate portfolios from a pool of assets
 * (include/roboadvisor/screen.h; docs/cli.md#screen). */
#include "cli.h"

#include <roboadvisor/screen.h>

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMD "screen"

static void help(void)
{
    printf("usage: roboadvisor screen --prices FILE [--assets A,B,...] [--from D] [--to D]\n"
           "                          --cardinality K --min-weight W [--level C1..C5]\n"
           "                          [--min-return R] [--max-volatility V] [--objective\n"
           "                          min-variance|max-sharpe] [--tries N] [--count N] [--seed S]\n"
           "                          [--drop-missing] [--format json|table]\n\n"
           "Draws distinct K-asset subsets of the pool (seeded), optimises each with weights in\n"
           "[W, 1], keeps those with expected return >= R and volatility <= V (--level sets V to\n"
           "the level's cap: C1 8 %%, C2 12 %%, C3 16 %%, C4 22 %%, C5 none) and prints the first\n"
           "--count (default 10) with how many were tried, qualify and are distinct, and the rate.\n");
}

/* The options as given. */
typedef struct screen_args {
    cli_market_opts mo;
    ra_screen_settings s;
    int have_k, have_w, level;
    size_t count;
    cli_format fmt;
    double maxv;
} screen_args;

_Static_assert(RA_SCREEN_MIN_VARIANCE == 0 && RA_SCREEN_MAX_SHARPE == 1, "--objective's words");

static const cli_opt options[] = {
    CLI_OPTS_MARKET(screen_args, mo),
    CLI_O("cardinality", CLI_OPT_SIZE, screen_args, s.k, .lo = 2, .hi = 256,
          .have = CLI_HAVE(screen_args, have_k)),
    CLI_O("min-weight", CLI_OPT_DOUBLE, screen_args, s.min_weight, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_HI, .msg = "%g is not in [0, 1)", .have = CLI_HAVE(screen_args, have_w)),
    CLI_O("level", CLI_OPT_CUSTOM, screen_args, level, .fn = cli_opt_client_level),
    CLI_O("min-return", CLI_OPT_DOUBLE, screen_args, s.min_return),
    CLI_O("max-volatility", CLI_OPT_DOUBLE, screen_args, maxv),
    CLI_O("objective", CLI_OPT_ENUM, screen_args, s.objective,
          .words = CLI_WORDS("min-variance", "max-sharpe"),
          .msg = "must be min-variance or max-sharpe"),
    CLI_O("tries", CLI_OPT_SIZE, screen_args, s.tries, .lo = 1, .hi = 100000000),
    CLI_O("count", CLI_OPT_SIZE, screen_args, count, .lo = 0, .hi = 1000000),
    CLI_O("seed", CLI_OPT_SIZE, screen_args, s.seed, .lo = 0, .hi = SIZE_MAX),
    CLI_O("format", CLI_OPT_FORMAT, screen_args, fmt), CLI_OPT_END};

int cmd_screen(int argc, char **argv)
{
    screen_args sa = {.count = 10, .fmt = CLI_FORMAT_TABLE, .maxv = INFINITY};
    sa.mo.kind = RA_RETURN_SIMPLE;
    ra_screen_settings_default(&sa.s);
    const cli_opts_spec spec = {CMD, options, help, 1, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &sa);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_market_opts mo = sa.mo;
    ra_screen_settings s = sa.s;
    int have_k = sa.have_k, have_w = sa.have_w, level = sa.level;
    size_t count = sa.count;
    cli_format fmt = sa.fmt;
    double maxv = sa.maxv;
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!mo.prices_path)
        return cli_usage(CMD, "--prices FILE is required");
    if (!have_k || !have_w)
        return cli_usage(CMD, "--cardinality K and --min-weight W are required");
    s.max_volatility = fmin(maxv, ra_screen_level_max_volatility(level));
    cli_market m;
    rc = cli_market_load(CMD, &mo, &m);
    if (rc != 0)
        return rc;
    ra_err err = {0};
    size_t n = m.n_assets;
    double *mu = malloc(n * sizeof *mu), *cov = malloc(n * n * sizeof *cov);
    size_t *idx = malloc((count + 1) * s.k * sizeof *idx);
    double *w = malloc((count + 1) * s.k * sizeof *w), *ret = malloc((count + 1) * sizeof *ret),
           *vol = malloc((count + 1) * sizeof *vol);
    ra_screen_stats st;
    if (!mu || !cov || !idx || !w || !ret || !vol) {
        rc = CLI_EXIT_DATA;
        goto out;
    }
    if (ra_est_mean(m.ret, m.n_obs, n, m.ppy, mu, &err) != RA_OK ||
        ra_est_cov_sample(m.ret, m.n_obs, n, m.ppy, NULL, 0, cov, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto out;
    }
    double t0 = cli_clock_ms();
    if (ra_screen_run(n, mu, cov, &s, count, idx, w, ret, vol, &st, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto out;
    }
    double ms = cli_clock_ms() - t0;
    double rate = ms > 0 ? (double)st.distinct / (ms / 1000.0) : NAN;
    if (fmt == CLI_FORMAT_JSON) {
        json_t *a = json_array();
        for (size_t q = 0; q < st.stored; q++) {
            json_t *h = json_array();
            for (size_t i = 0; i < s.k; i++)
                json_array_append_new(h, json_pack("{s:s,s:o}", "asset",
                                                   m.series->names[idx[q * s.k + i]], "weight",
                                                   cli_jnum(w[q * s.k + i])));
            json_array_append_new(a, json_pack("{s:o,s:o,s:o}", "expected_return",
                                               cli_jnum(ret[q]), "volatility", cli_jnum(vol[q]),
                                               "weights", h));
        }
        rc = cli_json_print(json_pack("{s:i,s:i,s:I,s:i,s:i,s:i,s:i,s:o,s:o,s:o}", "pool", (int)n,
                                      "cardinality", (int)s.k, "seed", (json_int_t)s.seed, "tried",
                                      (int)st.tried, "solved", (int)st.solved, "qualified",
                                      (int)st.qualified, "distinct", (int)st.distinct,
                                      "elapsed_ms", cli_jnum(ms), "per_second", cli_jnum(rate),
                                      "portfolios", a));
    } else {
        printf("pool %zu assets, cardinality %zu, minimum weight %.2f %%, seed %llu\n", n, s.k,
               100 * s.min_weight, (unsigned long long)s.seed);
        printf("tried %zu subsets, %zu solved, %zu qualify, %zu distinct; %.1f ms, %.0f "
               "portfolios per second\n",
               st.tried, st.solved, st.qualified, st.distinct, ms, rate);
        for (size_t q = 0; q < st.stored; q++) {
            printf("%4zu  return %6.2f %%  vol %6.2f %% :", q + 1, 100 * ret[q], 100 * vol[q]);
            for (size_t i = 0; i < s.k; i++)
                printf(" %s %.1f", m.series->names[idx[q * s.k + i]], 100 * w[q * s.k + i]);
            printf("\n");
        }
    }
out:
    free(mu);
    free(cov);
    free(idx);
    free(w);
    free(ret);
    free(vol);
    cli_market_free(&m);
    return rc;
}
