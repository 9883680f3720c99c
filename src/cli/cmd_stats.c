/* roboadvisor stats: performance statistics of each column of a returns (or prices) file, with an
 * optional benchmark column (include/roboadvisor/perf.h). Documented in docs/cli.md#stats. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "stats";

static void help(void)
{
    printf(
        "usage: roboadvisor stats (--returns FILE | --prices FILE) [options]\n\n"
        "Performance statistics of every column of a wide CSV of simple returns (or of prices,\n"
        "from which simple returns are computed). Rates are annual decimals.\n\n"
        "  --returns FILE         per-period simple returns\n"
        "  --prices FILE          prices (returns computed as p[t]/p[t-1] - 1)\n"
        "  --assets A,B,...       only these columns (the benchmark is added if missing)\n"
        "  --benchmark COLUMN     adds beta, alpha, correlation, tracking error, information ratio\n"
        "  --rf RATE              annual risk-free rate for Sharpe and alpha (default 0)\n"
        "  --mar RATE             annual minimum acceptable return for Sortino (default 0)\n"
        "  --level P              VaR/CVaR confidence level (default 0.95)\n"
        "  --from DATE, --to DATE use only the rows dated in this window (inclusive)\n"
        "  --drop-missing         drop rows with an empty cell (default: an error)\n"
        "  --periods-per-year N   annualisation (default: inferred from the dates)\n"
        "  --format json|table    (default table)\n");
}

static json_t *dd_json(const ra_drawdown *d, const cli_market *m)
{
    /* Wealth point i > 0 is the end of return period i-1; point 0 is the start of the series,
     * which is the first price date for --prices and the first return date for --returns. */
    const ra_date *dates = m->from_prices ? m->series->dates : m->ret_dates;
    size_t off = m->from_prices ? 0 : 1;
    json_t *o = json_object();
    json_object_set_new(o, "depth", cli_jnum(d->depth));
    if (d->depth > 0) {
        json_object_set_new(o, "peak", cli_jdate(dates[d->peak >= off ? d->peak - off : 0]));
        json_object_set_new(o, "trough", cli_jdate(dates[d->trough - off]));
        json_object_set_new(o, "recovery", d->recovery == SIZE_MAX
                                               ? json_null()
                                               : cli_jdate(dates[d->recovery - off]));
    } else {
        json_object_set_new(o, "peak", json_null());
        json_object_set_new(o, "trough", json_null());
        json_object_set_new(o, "recovery", json_null());
    }
    return o;
}

/* A table cell: the number, or "n/a" where it does not exist (zero volatility, ...). */
static const char *cell(char *buf, int width, int prec, double x)
{
    if (isfinite(x))
        snprintf(buf, 32, "%*.*f", width, prec, x);
    else
        snprintf(buf, 32, "%*s", width, "n/a");
    return buf;
}

/* The options as given. */
typedef struct stats_args {
    cli_market_opts mo;
    const char *bench;
    double rf, mar, level;
    cli_format format;
} stats_args;

static const cli_opt options[] = {
    CLI_OPTS_MARKET(stats_args, mo), CLI_OPTS_RETURNS(stats_args, mo),
    CLI_O("benchmark", CLI_OPT_STR, stats_args, bench),
    CLI_O("rf", CLI_OPT_DOUBLE, stats_args, rf), CLI_O("mar", CLI_OPT_DOUBLE, stats_args, mar),
    CLI_O("level", CLI_OPT_DOUBLE, stats_args, level, CLI_IN_0_1_EXCLUSIVE),
    CLI_O("format", CLI_OPT_FORMAT, stats_args, format), CLI_OPT_END};

int cmd_stats(int argc, char **argv)
{
    stats_args a = {.level = 0.95, .format = CLI_FORMAT_TABLE};
    const cli_opts_spec spec = {CMD, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &a);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    cli_market_opts mo = a.mo;
    const char *bench = a.bench;
    char *assets_buf = NULL;
    double rf = a.rf, mar = a.mar, level = a.level;
    cli_format format = a.format;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind))) return rc;
    if (bench && mo.assets) { /* make sure the benchmark column is loaded */
        size_t len = strlen(mo.assets) + strlen(bench) + 2;
        if (!(assets_buf = malloc(len))) return CLI_EXIT_DATA;
        snprintf(assets_buf, len, "%s,%s", mo.assets, bench);
        char **items = NULL, *storage = NULL;
        size_t n = 0;
        int have = 0;
        if ((rc = cli_split_list(CMD, "--assets", mo.assets, &items, &n, &storage)) != 0) {
            free(assets_buf);
            return rc;
        }
        for (size_t i = 0; i < n; i++) have |= strcmp(items[i], bench) == 0;
        free(items);
        free(storage);
        mo.assets = have ? mo.assets : assets_buf;
    }
    cli_market m;
    rc = cli_market_load(CMD, &mo, &m);
    free(assets_buf);
    if (rc) return rc;
    const ra_series *s = m.series;
    long b = -1;
    if (bench) {
        for (size_t j = 0; j < s->n_cols; j++)
            if (strcmp(s->names[j], bench) == 0) b = (long)j;
        if (b < 0) {
            fprintf(stderr, "roboadvisor %s: %s: no column named \"%s\" for --benchmark\n", CMD,
                    s->source, bench);
            cli_market_free(&m);
            return CLI_EXIT_DATA;
        }
    }
    size_t n = m.n_assets;
    ra_perf_stats *st = calloc(n, sizeof *st);
    if (!st) {
        cli_market_free(&m);
        return CLI_EXIT_DATA;
    }
    ra_err err = {0};
    for (size_t j = 0; j < n; j++) {
        if (ra_perf_stats_compute(m.ret + j, b >= 0 ? m.ret + b : NULL, m.n_obs, n, m.ppy, rf, mar,
                                  level, &st[j], &err) != RA_OK) {
            ra_err_wrap(&err, "column %s of %s", s->names[j], s->source);
            rc = cli_fail(CMD, &err);
            goto out;
        }
    }
    if (format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *series = json_object(), *in = json_object();
        json_object_set_new(in, "file", json_string(s->source));
        json_object_set_new(in, "observations", json_integer((json_int_t)m.n_obs));
        json_object_set_new(in, "first_date", cli_jdate(m.ret_dates[0]));
        json_object_set_new(in, "last_date", cli_jdate(m.ret_dates[m.n_obs - 1]));
        json_object_set_new(in, "periods_per_year", cli_jnum(m.ppy));
        json_object_set_new(in, "rf", cli_jnum(rf));
        json_object_set_new(in, "mar", cli_jnum(mar));
        json_object_set_new(in, "level", cli_jnum(level));
        json_object_set_new(in, "benchmark", bench ? json_string(bench) : json_null());
        for (size_t j = 0; j < n; j++) {
            json_t *o = json_object();
            json_object_set_new(o, "cumulative_return", cli_jnum(st[j].cumulative_return));
            json_object_set_new(o, "annualized_return", cli_jnum(st[j].annualized_return));
            json_object_set_new(o, "annualized_volatility", cli_jnum(st[j].annualized_volatility));
            json_object_set_new(o, "sharpe", cli_jnum(st[j].sharpe));
            json_object_set_new(o, "sortino", cli_jnum(st[j].sortino));
            json_object_set_new(o, "downside_deviation", cli_jnum(st[j].downside_deviation));
            json_object_set_new(o, "max_drawdown", dd_json(&st[j].max_drawdown, &m));
            json_object_set_new(o, "var", cli_jnum(st[j].var));
            json_object_set_new(o, "cvar", cli_jnum(st[j].cvar));
            if (b >= 0) {
                json_object_set_new(o, "beta", cli_jnum(st[j].beta));
                json_object_set_new(o, "alpha", cli_jnum(st[j].alpha));
                json_object_set_new(o, "correlation", cli_jnum(st[j].correlation));
                json_object_set_new(o, "tracking_error", cli_jnum(st[j].tracking_error));
                json_object_set_new(o, "information_ratio", cli_jnum(st[j].information_ratio));
            }
            json_object_set_new(series, s->names[j], o);
        }
        json_object_set_new(doc, "inputs", in);
        json_object_set_new(doc, "series", series);
        cli_json_units(doc, "returns", "fractions (0.05 = 5 %): cumulative_return over the data, "
                       "annualized_* per year", "risk", "fractions: annualized_volatility and "
                       "tracking_error per year; downside_deviation, var and cvar per period (losses "
                       "as positive fractions of value); max_drawdown.depth of the peak value",
                       "ratios", "sharpe, sortino, beta, correlation, information_ratio: pure "
                       "numbers; alpha a fraction per year", "rf, mar", "fractions per year",
                       NULL);
        rc = cli_json_print(doc);
    } else {
        char d0[11], d1[11];
        printf("Data: %s, %zu returns from %s to %s, %g periods per year%s\n", s->source, m.n_obs,
               ra_date_format(m.ret_dates[0], d0), ra_date_format(m.ret_dates[m.n_obs - 1], d1),
               m.ppy, m.ppy_inferred ? " (inferred)" : "");
        printf("Risk-free rate %.4f %%, MAR %.4f %%, VaR/CVaR at %g %% (historical, per period, "
               "as losses)\n\n", 100 * rf, 100 * mar, 100 * level);
        printf("%-10s %9s %9s %8s %7s %7s %9s %11s %7s %7s", "Series", "Cum. %", "Ann. %",
               "Vol %", "Sharpe", "Sortino", "MaxDD %", "Trough", "VaR %", "CVaR %");
        if (b >= 0) printf(" %6s %8s %6s %8s %7s", "Beta", "Alpha %", "Corr", "TE %", "IR");
        printf("\n");
        for (size_t j = 0; j < n; j++) {
            const ra_perf_stats *x = &st[j];
            const ra_date *dates = m.from_prices ? s->dates : m.ret_dates;
            size_t off = m.from_prices ? 0 : 1;
            char tb[11] = "-", c1[32], c2[32], c3[32], c4[32], c5[32];
            if (x->max_drawdown.depth > 0) ra_date_format(dates[x->max_drawdown.trough - off], tb);
            printf("%-10.10s %9.2f %9.2f %8.2f %s %s %9.2f %11s %7.3f %7.3f", s->names[j],
                   100 * x->cumulative_return, 100 * x->annualized_return,
                   100 * x->annualized_volatility, cell(c1, 7, 3, x->sharpe),
                   cell(c2, 7, 3, x->sortino), 100 * x->max_drawdown.depth, tb, 100 * x->var,
                   100 * x->cvar);
            if (b >= 0)
                printf(" %s %s %s %s %s", cell(c1, 6, 3, x->beta), cell(c2, 8, 3, 100 * x->alpha),
                       cell(c3, 6, 3, x->correlation), cell(c4, 8, 3, 100 * x->tracking_error),
                       cell(c5, 7, 3, x->information_ratio));
            printf("\n");
        }
        rc = CLI_EXIT_OK;
    }
out:
    free(st);
    cli_market_free(&m);
    return rc;
}
