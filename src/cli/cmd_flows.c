/* roboadvisor xirr and twr: money- and time-weighted returns from dated flows and values
 * (include/roboadvisor/perf.h). Documented in docs/cli.md#xirr and docs/cli.md#twr. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT_BYTES (256u << 20) /* a flows or values file larger than this is refused */

/* A parser of a whole input file into *out (ra_flows ** or ra_values **). */
typedef ra_status parse_fn(const char *data, size_t size, const char *source, void *out,
                           ra_err *err);

static ra_status parse_flows(const char *data, size_t size, const char *source, void *out,
                             ra_err *err)
{
    return ra_csv_parse_flows(data, size, source, out, err);
}

static ra_status parse_values(const char *data, size_t size, const char *source, void *out,
                              ra_err *err)
{
    return ra_csv_parse_values(data, size, source, out, err);
}

/* Reads FILE whole and parses it into *out; returns 0, or the exit code after the message. */
static int load_input(const char *cmd, const char *path, parse_fn *parse, void *out)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    if (ra_file_read(path, MAX_INPUT_BYTES, &data, &size, &err) != RA_OK) return cli_fail(cmd, &err);
    ra_status st = parse(data, size, path, out, &err);
    ra_free(data);
    return st == RA_OK ? 0 : cli_fail(cmd, &err);
}

/* The options of xirr and twr as given. */
typedef struct flows_opts {
    const char *path, *timing;
    cli_format format;
    double ppy;
} flows_opts;

/* twr's own options given to xirr: xirr knows them only to say that it does not take them. */
static int not_xirr(const char *cmd, const char *opt, char *arg, void *field)
{
    return cli_usage(cmd, "no option %s", opt);
}

#define O_FORMAT CLI_O("format", CLI_OPT_FORMAT, flows_opts, format)
static const cli_opt xirr_options[] = {
    CLI_O("flows", CLI_OPT_STR, flows_opts, path), O_FORMAT,
    CLI_O("flow-timing", CLI_OPT_CUSTOM, flows_opts, timing, .fn = not_xirr),
    CLI_O("periods-per-year", CLI_OPT_CUSTOM, flows_opts, ppy, .fn = not_xirr), CLI_OPT_END};
static const cli_opt twr_options[] = {
    CLI_O("values", CLI_OPT_STR, flows_opts, path), O_FORMAT,
    CLI_O("flow-timing", CLI_OPT_STR, flows_opts, timing), CLI_O_PPY(flows_opts, ppy), CLI_OPT_END};

/* Parses the options of xirr or twr (their table's first entry is the required FILE) into *o;
 * returns 0, -1 after the help, or the usage exit code. */
static int parse_common(const char *cmd, int argc, char **argv, const cli_opt *options,
                        flows_opts *o, void (*help)(void))
{
    const cli_opts_spec spec = {cmd, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc) return rc;
    if ((rc = cli_no_more_args(cmd, argc, argv, optind))) return rc;
    if (!o->path) return cli_usage(cmd, "--%s FILE is required", options[0].name);
    return 0;
}

static void xirr_help(void)
{
    printf("usage: roboadvisor xirr --flows FILE [--format json|table]\n\n"
           "Money-weighted annual return (XIRR, Actual/365 from the earliest date) of dated cash\n"
           "flows. FILE is a CSV with a header and two columns: date (YYYY-MM-DD), amount\n"
           "(negative = paid in by the investor, positive = received, final value included as a\n"
           "positive flow). Dates need not be sorted. See docs/formats.md#flows.\n");
}

int cmd_xirr(int argc, char **argv)
{
    const char *cmd = "xirr";
    flows_opts o = {.format = CLI_FORMAT_TABLE};
    int rc = parse_common(cmd, argc, argv, xirr_options, &o, xirr_help);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    const char *path = o.path;
    cli_format format = o.format;
    ra_flows *f = NULL;
    if ((rc = load_input(cmd, path, parse_flows, &f))) return rc;
    ra_err err = {0};
    ra_status st;
    double rate = 0;
    int roots = 0;
    st = ra_perf_xirr(f->dates, f->amounts, f->n, &rate, &roots, &err);
    if (st != RA_OK) {
        ra_err_wrap(&err, "%s", path);
        rc = cli_fail(cmd, &err);
        ra_flows_destroy(f);
        return rc;
    }
    ra_date first = f->dates[0], last = f->dates[0];
    for (size_t i = 1; i < f->n; i++) {
        if (f->dates[i] < first) first = f->dates[i];
        if (f->dates[i] > last) last = f->dates[i];
    }
    if (format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "rate", cli_jnum(rate));
        json_object_set_new(doc, "day_count", json_string("act/365"));
        json_object_set_new(doc, "flows", json_integer((json_int_t)f->n));
        json_object_set_new(doc, "first_date", cli_jdate(first));
        json_object_set_new(doc, "last_date", cli_jdate(last));
        json_object_set_new(doc, "roots_found", json_integer(roots));
        cli_json_units(doc, "rate", "fraction per year (0.05 = 5 %)", NULL);
        rc = cli_json_print(doc);
    } else {
        char d0[11], d1[11];
        printf("XIRR             %.6f %% per year (Actual/365)\n", 100 * rate);
        printf("Cash flows       %zu, from %s to %s\n", f->n, ra_date_format(first, d0),
               ra_date_format(last, d1));
        if (roots > 1)
            printf("Note             the flows change sign more than once and %d rates solve them; "
                   "this is the one nearest 0 %%\n", roots);
        rc = CLI_EXIT_OK;
    }
    ra_flows_destroy(f);
    return rc;
}

static void twr_help(void)
{
    printf("usage: roboadvisor twr --values FILE [--flow-timing start|end] [--periods-per-year N]\n"
           "                       [--format json|table]\n\n"
           "Time-weighted return of an account from its value at the end of each date and the\n"
           "external flows (deposits > 0, withdrawals < 0) on each date. FILE is a CSV with a\n"
           "header and three columns: date, value, flow (empty flow = 0); docs/formats.md#values.\n"
           "  --flow-timing end    flows arrive at the end of the day, after the value is struck\n"
           "                       (default): r = (V - F) / V_prev - 1\n"
           "  --flow-timing start  flows arrive at the start of the day: r = V / (V_prev + F) - 1\n"
           "Reports the cumulative TWR, annualised by Actual/365 and by periods per year\n"
           "(inferred from the dates unless given).\n");
}

int cmd_twr(int argc, char **argv)
{
    flows_opts o = {.timing = "end", .format = CLI_FORMAT_TABLE};
    const char *cmd = "twr";
    int rc = parse_common(cmd, argc, argv, twr_options, &o, twr_help);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    const char *path = o.path, *timing_s = o.timing;
    cli_format format = o.format;
    double ppy = o.ppy;
    ra_flow_timing timing;
    if (strcmp(timing_s, "end") == 0) timing = RA_FLOW_END;
    else if (strcmp(timing_s, "start") == 0) timing = RA_FLOW_START;
    else return cli_usage(cmd, "--flow-timing is start or end, got \"%s\"", timing_s);
    ra_values *v = NULL;
    if ((rc = load_input(cmd, path, parse_values, &v))) return rc;
    ra_err err = {0};
    ra_status st;
    ra_twr t;
    st = ra_perf_twr(v->dates, v->values, v->flows, v->n, timing, ppy, &t, &err);
    if (st != RA_OK) {
        if (err.code == RA_EINVAL && !err.where[0]) ra_err_wrap(&err, "%s", path);
        rc = cli_fail(cmd, &err);
        ra_values_destroy(v);
        return rc;
    }
    if (format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "twr", cli_jnum(t.twr));
        json_object_set_new(doc, "annualized_act365", cli_jnum(t.annualized_act365));
        json_object_set_new(doc, "annualized_periods", cli_jnum(t.annualized_periods));
        json_object_set_new(doc, "periods", json_integer((json_int_t)t.n_periods));
        json_object_set_new(doc, "periods_per_year", cli_jnum(t.periods_per_year));
        json_object_set_new(doc, "flow_timing", json_string(timing_s));
        json_object_set_new(doc, "first_date", cli_jdate(v->dates[0]));
        json_object_set_new(doc, "last_date", cli_jdate(v->dates[v->n - 1]));
        cli_json_units(doc, "twr", "fraction over the whole period (0.05 = 5 %)",
                       "annualized_act365", "fraction per year", "annualized_periods",
                       "fraction per year", NULL);
        rc = cli_json_print(doc);
    } else {
        char d0[11], d1[11];
        printf("Time-weighted return   %.6f %% cumulative, %s to %s (%zu periods, flows at the %s "
               "of the day)\n", 100 * t.twr, ra_date_format(v->dates[0], d0),
               ra_date_format(v->dates[v->n - 1], d1), t.n_periods, timing_s);
        printf("Annualised (Act/365)   %.6f %% per year\n", 100 * t.annualized_act365);
        printf("Annualised (periods)   %.6f %% per year at %g periods per year\n",
               100 * t.annualized_periods, t.periods_per_year);
        rc = CLI_EXIT_OK;
    }
    ra_values_destroy(v);
    return rc;
}
