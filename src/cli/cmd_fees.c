/* roboadvisor fees: fee schedules as the firm's data (fees schedule set|show|list|default) and
 * the fees of every account and period (fees list|bill), computed from the daily values run-day
 * stored (include/roboadvisor/engine_fees.h). Documented in docs/cli.md#fees; the method in
 * docs/methodology.md#fees. */
#include "cli.h"

#include <roboadvisor/engine_fees.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct fees_opts {
    cli_book_args book;
    cli_format format;
    ra_date from, to;
    const char *account;
    /* schedule set */
    const char *tiers, *min_annual, *monthly, *services, *billing, *perf_rate, *hurdle,
        *benchmark, *reason;
    int perf_months;
    ra_date effective;
    int set_default;
} fees_opts;

#define FEES_OPTS_COMMON                                                                           \
    CLI_OPTS_BOOK(fees_opts, book), CLI_O("format", CLI_OPT_FORMAT, fees_opts, format)

static const cli_opt run_options[] = {
    FEES_OPTS_COMMON,
    CLI_O("from", CLI_OPT_DATE, fees_opts, from),
    CLI_O("to", CLI_OPT_DATE, fees_opts, to),
    CLI_O("account", CLI_OPT_STR, fees_opts, account),
    CLI_OPT_END};

static const cli_opt schedule_options[] = {
    FEES_OPTS_COMMON,
    CLI_O("tiers", CLI_OPT_STR, fees_opts, tiers),
    CLI_O("min-annual", CLI_OPT_STR, fees_opts, min_annual),
    CLI_O("monthly", CLI_OPT_STR, fees_opts, monthly),
    CLI_O("services", CLI_OPT_STR, fees_opts, services),
    CLI_O("billing", CLI_OPT_WORD, fees_opts, billing, .words = CLI_WORDS("monthly", "quarterly"),
          .msg = "must be monthly or quarterly: \"%s\""),
    CLI_O("perf-rate", CLI_OPT_STR, fees_opts, perf_rate),
    CLI_O("perf-months", CLI_OPT_SIZE, fees_opts, perf_months, .lo = 6, .hi = 12),
    CLI_O("hurdle", CLI_OPT_STR, fees_opts, hurdle),
    CLI_O("hurdle-benchmark", CLI_OPT_STR, fees_opts, benchmark),
    CLI_O("effective", CLI_OPT_DATE, fees_opts, effective),
    CLI_O("reason", CLI_OPT_STR, fees_opts, reason),
    CLI_O("default", CLI_OPT_FLAG, fees_opts, set_default),
    CLI_OPT_END};

static void help(void)
{
    printf(
        "usage: roboadvisor fees list|bill [--from D1 --to D2] [--account A] [--format table|json]\n"
        "                                  [--firm CODE] [--db URL] [--key-file FILE]\n"
        "       roboadvisor fees schedule set CODE --tiers LO-HI:BPS,...,LO-:BPS --reason TEXT\n"
        "                 [--min-annual X] [--monthly X] [--services NAME:X:bill|first|annual,...]\n"
        "                 [--billing monthly|quarterly] [--perf-rate PCT --perf-months 6|12\n"
        "                 [--hurdle PCT | --hurdle-benchmark TICKER]] [--effective D] [--default]\n"
        "       roboadvisor fees schedule show CODE | list [--format table|json]\n"
        "       roboadvisor fees schedule default CODE\n\n"
        "Fee schedules are the firm's data, versioned and audited: marginal asset tiers in basis\n"
        "points a year (amounts in the firm's currency), a minimum annual fee, a flat monthly\n"
        "subscription, per-service fees, monthly or quarterly billing, and an optional\n"
        "performance fee (PCT of the profit over 6 or 12 months above a fixed hurdle PCT or a\n"
        "benchmark's return, after the loss carried forward). An account pays its mandate's\n"
        "fee_schedule ('mandate set A fee_schedule=CODE'), else the firm's default.\n\n"
        "list: every account's fee per billing period ending in [D1, D2] (D2 default: the\n"
        "account's last daily value), computed from the daily values run-day stored, and\n"
        "whether it is billed. bill: writes each period not billed yet as one fee transaction\n"
        "(fee-PERIODEND), rounded once; cash short of the bill is raised as the firm's\n"
        "withdrawal instruction, which run-day pays. Re-running bills nothing twice.\n"
        "docs/cli.md#fees, docs/methodology.md#fees.\n");
}

static const char *money(ra_minor v, int md, char *buf)
{
    return ra_money_format_minor(v, md, buf, RA_MONEY_FMT_SIZE);
}

static json_t *jmoney(ra_minor v, int md)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(money(v, md, b));
}

static ra_minor average(const ra_fee_bill *b)
{
    int64_t avg = 0;
    ra_err e;
    if (b->days > 0 && ra_money_muldiv(b->value_sum_minor, 1, b->days, &avg, &e) != RA_OK)
        avg = 0;
    return avg;
}

static json_t *bill_json(const ra_fee_bill *b, int md)
{
    json_t *o = json_object();
    char ext[32], d[11];
    json_object_set_new(o, "account", json_string(b->account));
    json_object_set_new(o, "period_start", cli_jdate(b->period_start));
    json_object_set_new(o, "period_end", cli_jdate(b->period_end));
    json_object_set_new(o, "schedule", json_string(b->schedule));
    json_object_set_new(o, "schedule_version", json_integer((json_int_t)b->schedule_version));
    json_object_set_new(o, "days", json_integer(b->days));
    json_object_set_new(o, "value_sum", jmoney(b->value_sum_minor, md));
    json_object_set_new(o, "average_value", jmoney(average(b), md));
    json_object_set_new(o, "asset_fee", jmoney(b->asset_fee_minor, md));
    json_object_set_new(o, "subscription", jmoney(b->subscription_minor, md));
    json_object_set_new(o, "service_fees", jmoney(b->service_minor, md));
    if (b->perf_end) {
        json_t *p = json_object();
        json_object_set_new(p, "period_start", cli_jdate(b->perf_start));
        json_object_set_new(p, "period_end", cli_jdate(b->perf_end));
        json_object_set_new(p, "value_start", jmoney(b->perf_value_start_minor, md));
        json_object_set_new(p, "value_end", jmoney(b->perf_value_end_minor, md));
        json_object_set_new(p, "net_flows", jmoney(b->perf_flows_minor, md));
        json_object_set_new(p, "profit", jmoney(b->perf_profit_minor, md));
        json_object_set_new(p, "carried_loss", jmoney(b->carried_loss_minor, md));
        json_object_set_new(p, "hurdle_ppm", json_integer((json_int_t)b->perf_hurdle_ppm));
        json_object_set_new(p, "hurdle", jmoney(b->perf_hurdle_minor, md));
        json_object_set_new(p, "fee", jmoney(b->perf_fee_minor, md));
        json_object_set_new(p, "carried_loss_after", jmoney(b->carried_loss_after_minor, md));
        json_object_set_new(o, "performance", p);
    } else {
        json_object_set_new(o, "performance", json_null());
    }
    json_object_set_new(o, "performance_fee", jmoney(b->perf_fee_minor, md));
    json_object_set_new(o, "total", jmoney(b->total_minor, md));
    json_object_set_new(o, "billed", json_boolean(b->billed));
    snprintf(ext, sizeof ext, "fee-%s", ra_date_format(b->period_end, d));
    json_object_set_new(o, "transaction",
                        b->billed && b->paid_minor > 0 ? json_string(ext) : json_null());
    json_object_set_new(o, "transaction_date", b->billed ? cli_jdate(b->txn_day) : json_null());
    json_object_set_new(o, "paid", b->billed ? jmoney(b->paid_minor, md) : json_null());
    json_object_set_new(o, "shortfall", b->billed ? jmoney(b->shortfall_minor, md) : json_null());
    json_object_set_new(o, "instruction",
                        b->instruction[0] ? json_string(b->instruction) : json_null());
    return o;
}

static int print_bills(const cli_book *bk, const fees_opts *o, const ra_fee_bill *v, size_t n,
                       const char *verb, size_t written)
{
    int md = bk->firm.minor_digits;
    ra_minor total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].total_minor;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(bk->firm.code));
        json_object_set_new(doc, "currency", json_string(bk->firm.currency));
        json_object_set_new(doc, "unit", json_string("currency units, exact decimal strings"));
        json_object_set_new(doc, "from", o->from ? cli_jdate(o->from) : json_null());
        json_object_set_new(doc, "to", o->to ? cli_jdate(o->to) : json_null());
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, bill_json(&v[i], md));
        json_object_set_new(doc, "bills", arr);
        json_object_set_new(doc, "count", json_integer((json_int_t)n));
        json_object_set_new(doc, "total", jmoney(total, md));
        if (verb)
            json_object_set_new(doc, "written", json_integer((json_int_t)written));
        return cli_json_print(doc);
    }
    char a[6][RA_MONEY_FMT_SIZE], d1[11], d2[11];
    printf("fees of firm %s (amounts in %s)\n", bk->firm.code, bk->firm.currency);
    printf("%-14s %-10s %-10s %4s %14s %11s %11s %10s %11s %11s %s\n", "account", "from", "to",
           "days", "avg value", "asset fee", "subscript.", "services", "perf. fee", "total",
           "billed");
    for (size_t i = 0; i < n; i++) {
        const ra_fee_bill *b = &v[i];
        printf("%-14s %-10s %-10s %4d %14s %11s %11s %10s %11s %11s %s\n", b->account,
               ra_date_format(b->period_start, d1), ra_date_format(b->period_end, d2), b->days,
               money(average(b), md, a[0]), money(b->asset_fee_minor, md, a[1]),
               money(b->subscription_minor, md, a[2]), money(b->service_minor, md, a[3]),
               money(b->perf_fee_minor, md, a[4]), money(b->total_minor, md, a[5]),
               b->billed ? "yes" : "no");
        if (b->perf_end)
            printf("  performance %s..%s: P %s, L %s, hurdle %s, L' %s\n",
                   ra_date_format(b->perf_start, d1), ra_date_format(b->perf_end, d2),
                   money(b->perf_profit_minor, md, a[0]), money(b->carried_loss_minor, md, a[1]),
                   money(b->perf_hurdle_minor, md, a[2]),
                   money(b->carried_loss_after_minor, md, a[3]));
        if (b->shortfall_minor > 0)
            printf("  cash short: %s paid, %s raised as instruction %s\n",
                   money(b->paid_minor, md, a[0]), money(b->shortfall_minor, md, a[1]),
                   b->instruction);
    }
    printf("%zu bill%s; total %s %s", n, n == 1 ? "" : "s", money(total, md, a[0]),
           bk->firm.currency);
    if (verb)
        printf("; %zu %s now", written, verb);
    printf("\n");
    return CLI_EXIT_OK;
}

/* Parses the options of argv[2..) from table opts into *o (defaults first): 0, -1 after --help,
 * or the usage exit code. */
static int parse(const char *cmd, const cli_opt *opts, int argc, char **argv, fees_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = CLI_FORMAT_TABLE;
    const cli_opts_spec spec = {cmd, opts, help, 0, 2};
    return cli_parse_opts(&spec, argc, argv, o);
}

static int run_cmd(const char *cmd, int bill, int argc, char **argv)
{
    fees_opts o;
    int rc = parse(cmd, run_options, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    if (o.to && o.from > o.to)
        return cli_usage(cmd, "--from is after --to");
    o.book.need_firm = 1;
    cli_book b;
    if ((rc = cli_book_open_parts(cmd, &o.book, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_fee_bill *v = NULL;
    size_t n = 0, written = 0;
    ra_status st = bill ? ra_fees_bill(b.s, &b.actor, o.account, o.from, o.to, &v, &n, &written,
                                       &err)
                        : ra_fees_compute(b.s, b.firm.code, o.account, o.from, o.to, &v, &n,
                                          &err);
    rc = st != RA_OK ? cli_fail(cmd, &err)
                     : print_bills(&b, &o, v, n, bill ? "billed" : NULL, written);
    ra_free(v);
    cli_book_close(&b);
    return rc;
}

/* --- schedules --------------------------------------------------------------------------------- */

/* A percentage with at most 4 decimals into ppm ("20" -> 200000). */
static int parse_pct(const char *cmd, const char *opt, const char *s, int64_t *ppm)
{
    ra_err e;
    if (ra_money_parse_decimal(s, strlen(s), 4, ppm, &e) != RA_OK)
        return cli_usage(cmd, "%s must be a percentage with at most 4 decimals: \"%s\"", opt, s);
    return 0;
}

static int parse_amount(const char *cmd, const char *opt, const char *s, int md, ra_minor *out)
{
    ra_err e;
    if (ra_money_parse_minor(s, strlen(s), md, out, &e) != RA_OK || *out < 0)
        return cli_usage(cmd, "%s must be an amount of at least 0 with at most %d decimals: "
                         "\"%s\"", opt, md, s);
    return 0;
}

static int plan_from_opts(const char *cmd, const fees_opts *o, const char *code, int md,
                          ra_fee_plan *p)
{
    memset(p, 0, sizeof *p);
    ra_err err = {0};
    int rc = 0;
    snprintf(p->code, sizeof p->code, "%s", code);
    snprintf(p->reason, sizeof p->reason, "%s", o->reason);
    p->effective = o->effective;
    p->period_months = o->billing && !strcmp(o->billing, "quarterly") ? 3 : 1;
    if (ra_fee_tiers_parse(o->tiers, md, &p->sched, &err) != RA_OK)
        return cli_usage(cmd, "--tiers: %s: %s", err.where, err.msg);
    if (ra_fee_services_parse(o->services ? o->services : "", md, p, &err) != RA_OK)
        return cli_usage(cmd, "--services: %s: %s", err.where, err.msg);
    if ((o->min_annual && (rc = parse_amount(cmd, "--min-annual", o->min_annual, md,
                                             &p->sched.min_annual_minor)) != 0) ||
        (o->monthly && (rc = parse_amount(cmd, "--monthly", o->monthly, md,
                                          &p->sched.monthly_minor)) != 0))
        return rc;
    if (o->perf_rate) {
        if ((rc = parse_pct(cmd, "--perf-rate", o->perf_rate, &p->perf_rate_ppm)) != 0)
            return rc;
        if (o->perf_months != 6 && o->perf_months != 12)
            return cli_usage(cmd, "--perf-rate needs --perf-months 6 or 12");
        p->perf_months = o->perf_months;
        if (o->hurdle && o->benchmark)
            return cli_usage(cmd, "give --hurdle or --hurdle-benchmark, not both");
        if (o->hurdle && (rc = parse_pct(cmd, "--hurdle", o->hurdle, &p->perf_hurdle_ppm)) != 0)
            return rc;
        if (o->benchmark)
            snprintf(p->perf_benchmark, sizeof p->perf_benchmark, "%s", o->benchmark);
    } else if (o->perf_months || o->hurdle || o->benchmark) {
        return cli_usage(cmd, "--perf-months, --hurdle and --hurdle-benchmark need --perf-rate");
    }
    return 0;
}

static json_t *plan_json(const ra_fee_plan *p, int md, const char *dflt)
{
    char t[RA_FEES_TEXT_MAX], sv[RA_FEES_TEXT_MAX];
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "version", json_integer((json_int_t)p->version));
    json_object_set_new(o, "effective", p->effective ? cli_jdate(p->effective) : json_null());
    json_object_set_new(o, "tiers", json_string(ra_fee_tiers_format(&p->sched, md, t, sizeof t)));
    json_object_set_new(o, "min_annual", jmoney(p->sched.min_annual_minor, md));
    json_object_set_new(o, "monthly", jmoney(p->sched.monthly_minor, md));
    json_object_set_new(o, "services", json_string(ra_fee_services_format(p, md, sv, sizeof sv)));
    json_object_set_new(o, "billing", json_string(p->period_months == 3 ? "quarterly"
                                                                         : "monthly"));
    if (p->perf_rate_ppm > 0) {
        json_t *f = json_object();
        json_object_set_new(f, "rate_ppm", json_integer((json_int_t)p->perf_rate_ppm));
        json_object_set_new(f, "months", json_integer(p->perf_months));
        json_object_set_new(f, "hurdle_ppm", json_integer((json_int_t)p->perf_hurdle_ppm));
        json_object_set_new(f, "hurdle_benchmark", p->perf_benchmark[0]
                                                       ? json_string(p->perf_benchmark)
                                                       : json_null());
        json_object_set_new(o, "performance_fee", f);
    } else {
        json_object_set_new(o, "performance_fee", json_null());
    }
    json_object_set_new(o, "default", json_boolean(!strcmp(dflt, p->code)));
    json_object_set_new(o, "by", json_string(p->user));
    json_object_set_new(o, "reason", json_string(p->reason));
    return o;
}

static void plan_print(const ra_fee_plan *p, int md, const char *dflt, const char *ccy)
{
    char t[RA_FEES_TEXT_MAX], sv[RA_FEES_TEXT_MAX], a[RA_MONEY_FMT_SIZE], d[11];
    printf("schedule %s version %lld%s (effective %s; by %s: %s)\n", p->code,
           (long long)p->version, strcmp(dflt, p->code) ? "" : ", the firm's default",
           p->effective ? ra_date_format(p->effective, d) : "from the start", p->user, p->reason);
    printf("  tiers (%s:bps a year)  %s\n", ccy, ra_fee_tiers_format(&p->sched, md, t, sizeof t));
    printf("  minimum a year         %s\n", money(p->sched.min_annual_minor, md, a));
    printf("  subscription a month   %s\n", money(p->sched.monthly_minor, md, a));
    printf("  services               %s\n", p->n_services ? ra_fee_services_format(p, md, sv,
                                                                                    sizeof sv)
                                                           : "none");
    printf("  billing                %s\n", p->period_months == 3 ? "quarterly" : "monthly");
    if (p->perf_rate_ppm > 0)
        printf("  performance fee        %lld ppm of the profit over %d months above %s\n",
               (long long)p->perf_rate_ppm, p->perf_months,
               p->perf_benchmark[0] ? p->perf_benchmark : "a fixed hurdle");
    if (p->perf_rate_ppm > 0 && !p->perf_benchmark[0])
        printf("  hurdle                 %lld ppm a period\n", (long long)p->perf_hurdle_ppm);
}

static int schedule_cmd(int argc, char **argv)
{
    const char *cmd = "fees schedule";
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            help();
            return 0;
        }
        return cli_usage(cmd, "say 'fees schedule set|show|list|default'");
    }
    const char *sub = argv[1];
    int is_set = !strcmp(sub, "set"), is_show = !strcmp(sub, "show"),
        is_list = !strcmp(sub, "list"), is_default = !strcmp(sub, "default");
    if (!is_set && !is_show && !is_list && !is_default)
        return cli_usage(cmd, "no subcommand \"%s\" (set, show, list, default)", sub);
    fees_opts o;
    int rc = parse(cmd, schedule_options, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *code = NULL;
    if (!is_list) {
        if (optind >= argc)
            return cli_usage(cmd, "name the schedule: fees schedule %s CODE", sub);
        code = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    if (!is_set && (o.tiers || o.reason || o.min_annual || o.monthly || o.services ||
                    o.perf_rate || o.set_default))
        return cli_usage(cmd, "the schedule's options belong to 'fees schedule set'");
    if (is_set && !o.tiers)
        return cli_usage(cmd, "--tiers is required (e.g. \"0-1000000:50,1000000-:25\")");
    if (is_set && (!o.reason || !o.reason[0]))
        return cli_usage(cmd, "--reason TEXT is required: every schedule is audited with why");
    o.book.need_firm = 1;
    cli_book b;
    if ((rc = cli_book_open_parts(cmd, &o.book, &b)) != 0)
        return rc;
    ra_err err = {0};
    int md = b.firm.minor_digits;
    char dflt[RA_CODE_MAX] = "";
    if (is_set) {
        ra_fee_plan p;
        int64_t v = 0;
        if ((rc = plan_from_opts(cmd, &o, code, md, &p)) == 0) {
            if (ra_store_fee_schedule_put(b.s, &b.actor, &p, &v, &err) != RA_OK ||
                (o.set_default && ra_store_fee_default_set(b.s, &b.actor, code, &err) != RA_OK))
                rc = cli_fail(cmd, &err);
            else if (o.format == CLI_FORMAT_JSON)
                rc = cli_json_print(json_pack("{s:s, s:I, s:b}", "code", code, "version",
                                              (json_int_t)v, "default", o.set_default));
            else
                printf("fee schedule %s: version %lld%s\n", code, (long long)v,
                       o.set_default ? ", the firm's default" : "");
        }
    } else if (is_default) {
        if (ra_store_fee_default_set(b.s, &b.actor, code, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("fee schedule %s is the default of firm %s\n", code, b.firm.code);
    } else {
        ra_fee_plan *v = NULL;
        size_t n = 0;
        if (ra_store_fee_default(b.s, b.firm.code, dflt, &err) != RA_OK ||
            ra_store_fee_schedules(b.s, b.firm.code, code, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (is_show && n == 0)
            rc = cli_fail(cmd, &(ra_err){RA_ENOTFOUND, "", "no fee schedule with that code"});
        if (rc == 0) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++) {
                int latest = i + 1 == n || strcmp(v[i + 1].code, v[i].code) != 0;
                if (is_list && !latest)
                    continue; /* list: the latest version of each; show: every version */
                if (o.format == CLI_FORMAT_JSON)
                    json_array_append_new(arr, plan_json(&v[i], md, dflt));
                else
                    plan_print(&v[i], md, dflt, b.firm.currency);
            }
            if (o.format == CLI_FORMAT_JSON)
                rc = cli_json_print(json_pack("{s:s, s:s, s:s?, s:o}", "firm", b.firm.code,
                                              "currency", b.firm.currency, "default",
                                              dflt[0] ? dflt : NULL,
                                              is_list ? "schedules" : "versions", arr));
            else
                json_decref(arr);
        }
        ra_store_free(v);
    }
    cli_book_close(&b);
    return rc;
}

int cmd_fees(int argc, char **argv)
{
    const char *cmd = "fees";
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "list"))
        return run_cmd("fees list", 0, argc, argv);
    if (!strcmp(argv[1], "bill"))
        return run_cmd("fees bill", 1, argc, argv);
    if (!strcmp(argv[1], "schedule"))
        return schedule_cmd(argc - 1, argv + 1);
    return cli_usage(cmd, "no subcommand \"%s\" (list, bill, schedule)", argv[1]);
}
