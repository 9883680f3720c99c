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

int cmd_screen(int argc, char **argv)
{
    enum { O_PRICES = 256, O_ASSETS, O_FROM, O_TO, O_K, O_W, O_LEVEL, O_MINR, O_MAXV, O_OBJ,
           O_TRIES, O_COUNT, O_SEED, O_DROP, O_FORMAT, O_HELP };
    static const struct option lo[] = {
        {"prices", required_argument, 0, O_PRICES}, {"assets", required_argument, 0, O_ASSETS},
        {"from", required_argument, 0, O_FROM},     {"to", required_argument, 0, O_TO},
        {"cardinality", required_argument, 0, O_K}, {"min-weight", required_argument, 0, O_W},
        {"level", required_argument, 0, O_LEVEL},   {"min-return", required_argument, 0, O_MINR},
        {"max-volatility", required_argument, 0, O_MAXV},
        {"objective", required_argument, 0, O_OBJ}, {"tries", required_argument, 0, O_TRIES},
        {"count", required_argument, 0, O_COUNT},   {"seed", required_argument, 0, O_SEED},
        {"drop-missing", no_argument, 0, O_DROP},   {"format", required_argument, 0, O_FORMAT},
        {"help", no_argument, 0, O_HELP},           {0, 0, 0, 0}};
    cli_market_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.kind = RA_RETURN_SIMPLE;
    ra_screen_settings s;
    ra_screen_settings_default(&s);
    int have_k = 0, have_w = 0, level = 0;
    size_t count = 10, z;
    cli_format fmt = CLI_FORMAT_TABLE;
    double maxv = INFINITY;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case O_PRICES: mo.prices_path = optarg; break;
        case O_ASSETS: mo.assets = optarg; break;
        case O_FROM: mo.from = optarg; break;
        case O_TO: mo.to = optarg; break;
        case O_K:
            if (cli_parse_size(CMD, "--cardinality", optarg, 2, 256, &s.k)) return 2;
            have_k = 1;
            break;
        case O_W:
            if (cli_parse_double(CMD, "--min-weight", optarg, &s.min_weight)) return 2;
            if (!(s.min_weight >= 0 && s.min_weight < 1))
                return cli_usage(CMD, "--min-weight %g is not in [0, 1)", s.min_weight);
            have_w = 1;
            break;
        case O_LEVEL: {
            ra_err e = {0};
            if (ra_prof_level_parse(optarg, 'C', &level, &e) != RA_OK)
                return cli_usage(CMD, "--level: %s", e.msg);
            break;
        }
        case O_MINR: if (cli_parse_double(CMD, "--min-return", optarg, &s.min_return)) return 2; break;
        case O_MAXV: if (cli_parse_double(CMD, "--max-volatility", optarg, &maxv)) return 2; break;
        case O_OBJ:
            if (strcmp(optarg, "min-variance") == 0) s.objective = RA_SCREEN_MIN_VARIANCE;
            else if (strcmp(optarg, "max-sharpe") == 0) s.objective = RA_SCREEN_MAX_SHARPE;
            else return cli_usage(CMD, "--objective must be min-variance or max-sharpe");
            break;
        case O_TRIES: if (cli_parse_size(CMD, "--tries", optarg, 1, 100000000, &s.tries)) return 2; break;
        case O_COUNT: if (cli_parse_size(CMD, "--count", optarg, 0, 1000000, &count)) return 2; break;
        case O_SEED:
            if (cli_parse_size(CMD, "--seed", optarg, 0, SIZE_MAX, &z)) return 2;
            s.seed = (uint64_t)z;
            break;
        case O_DROP: mo.drop_missing = 1; break;
        case O_FORMAT: if (cli_parse_format(CMD, optarg, &fmt)) return 2; break;
        case O_HELP:
        case 'h': help(); return 0;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_usage(CMD, "unrecognised option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!mo.prices_path)
        return cli_usage(CMD, "--prices FILE is required");
    if (!have_k || !have_w)
        return cli_usage(CMD, "--cardinality K and --min-weight W are required");
    s.max_volatility = fmin(maxv, ra_screen_level_max_volatility(level));
    cli_market m;
    int rc = cli_market_load(CMD, &mo, &m);
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
