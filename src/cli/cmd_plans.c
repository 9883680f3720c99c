/* roboadvisor plans: a client's saved goal plans (include/roboadvisor/engine_plan.h,
 * store_plans.h): save runs the plan of `roboadvisor plan` on the client's account (its value,
 * its model's expected return and volatility) and stores it with its results; list and show read
 * them back without running anything. Documented in docs/cli.md#plans. */
#include "cli.h"

#include <roboadvisor/engine_plan.h>
#include <roboadvisor/money.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct plans_opts {
    cli_book_args book;
    const char *client, *account, *goal, *initial, *monthly, *label;
    size_t years, paths;
    uint64_t seed;
    double mu, sigma;
    int have_mu, have_sigma, have_seed, have_date;
    ra_date date;
    cli_format format;
} plans_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(plans_opts, book),
    CLI_O("client", CLI_OPT_STR, plans_opts, client),
    CLI_O("account", CLI_OPT_STR, plans_opts, account),
    CLI_O("goal", CLI_OPT_STR, plans_opts, goal),
    CLI_O("initial", CLI_OPT_STR, plans_opts, initial),
    CLI_O("monthly", CLI_OPT_STR, plans_opts, monthly),
    CLI_O("label", CLI_OPT_STR, plans_opts, label),
    CLI_O("years", CLI_OPT_SIZE, plans_opts, years, .lo = 1, .hi = RA_PLAN_MAX_YEARS),
    CLI_O("paths", CLI_OPT_SIZE, plans_opts, paths, .lo = 1, .hi = RA_PLAN_SAVE_MAX_PATHS),
    CLI_O("seed", CLI_OPT_SIZE, plans_opts, seed, .lo = 0, .hi = (size_t)INT64_MAX,
          .have = CLI_HAVE(plans_opts, have_seed)),
    CLI_O("mu", CLI_OPT_DOUBLE, plans_opts, mu, .dlo = -1.0, .dhi = RA_PLAN_MAX_MU,
          .open = CLI_OPEN_LO, .have = CLI_HAVE(plans_opts, have_mu),
          .msg = "is an annual decimal return in (-1, 1] (0.07 for 7 %), got \"%s\""),
    CLI_O("sigma", CLI_OPT_DOUBLE, plans_opts, sigma, .dlo = 0.0, .dhi = RA_PLAN_MAX_SIGMA,
          .have = CLI_HAVE(plans_opts, have_sigma),
          .msg = "is an annual decimal volatility in [0, 2] (0.15 for 15 %), got \"%s\""),
    CLI_O("date", CLI_OPT_DATE, plans_opts, date, .have = CLI_HAVE(plans_opts, have_date)),
    CLI_O("format", CLI_OPT_FORMAT, plans_opts, format),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor plans save --client CODE --goal AMOUNT --years N [--monthly AMOUNT]\n"
           "                              [--account CODE] [--initial AMOUNT] [--mu R --sigma S]\n"
           "                              [--paths N] [--seed N] [--label TEXT] [--date D]\n"
           "       roboadvisor plans list --client CODE\n"
           "       roboadvisor plans show ID\n"
           "       (all: [--format json|table] [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "A client's saved goal plans. save runs the goal plan of 'roboadvisor plan' (lognormal,\n"
           "%d paths and seed 1 by default) on the client's account (--account, else the first in\n"
           "code order): the initial wealth is the account's value on its latest valued day\n"
           "(--initial to give one), mu and sigma its model's expected return and volatility\n"
           "(--mu and --sigma to give them); a model of equilibrium or Black-Litterman returns\n"
           "(in excess of cash) adds the firm's cash rate (models settings --cash-rate) to mu.\n"
           "The plan is stored with its results, audited, and never changed: a new save\n"
           "supersedes it. Amounts are in the firm's currency units.\n"
           "--label is personal data, encrypted under the client's key (erased with the client).\n",
           10000);
}

static int parse_money(const char *cmd, const char *opt, const char *s, int md, ra_minor *out)
{
    ra_err err = {0};
    if (ra_money_parse_minor(s, strlen(s), md, out, &err) != RA_OK || *out < 0)
        return cli_usage(cmd, "%s needs an amount >= 0 with at most %d decimals, got \"%s\"", opt,
                         md, s);
    return 0;
}

/* Prints plan p: its JSON (docs/cli.md#plans) or a table. */
static int print_plan(const char *cmd, const ra_plan_rec *p, cli_format format)
{
    if (format == CLI_FORMAT_JSON) {
        char *text = NULL;
        ra_err err = {0};
        if (ra_plan_rec_json(p, &text, &err) != RA_OK)
            return cli_fail(cmd, &err);
        json_t *j = json_loads(text, 0, NULL);
        sodium_memzero(text, strlen(text));
        ra_free(text);
        return cli_json_print(j);
    }
    char b[3][RA_MONEY_FMT_SIZE], d0[11] = "-", d1[11] = "-", d2[11] = "-";
    int md = p->minor_digits;
    if (p->data_from)
        ra_date_format(p->data_from, d0);
    if (p->data_to)
        ra_date_format(p->data_to, d1);
    if (p->as_of)
        ra_date_format(p->as_of, d2);
    printf("Plan %s of client %s, account %s%s%s%s\n", p->code, p->client,
           p->account[0] ? p->account : "-", p->erased ? " (client erased)" : "",
           p->label[0] ? ": " : "", p->label);
    printf("Goal %s %s in %d years; initial %s (on %s), monthly %s\n",
           ra_money_format_minor(p->goal_minor, md, b[0], sizeof b[0]), p->currency, p->years,
           ra_money_format_minor(p->initial_minor, md, b[1], sizeof b[1]), d2,
           ra_money_format_minor(p->monthly_minor, md, b[2], sizeof b[2]));
    printf("Model: %s, mu %.2f %% and sigma %.2f %% a year from %s", p->method, 100 * p->mu,
           100 * p->sigma, strcmp(p->source, "given") != 0 ? "model" : "the caller");
    if (p->have_cash_rate)
        printf(" (its excess return %.2f %% + the firm's cash rate %.2f %%)",
               100 * (p->mu - p->cash_rate), 100 * p->cash_rate);
    if (p->model[0])
        printf(" (model %s v%d, R%d, data %s to %s)", p->model, p->model_version, p->risk_level,
               d0, d1);
    printf("; %lld paths, seed %lld\n", (long long)p->paths, (long long)p->seed);
    printf("Probability of reaching the goal: %.2f %% (%lld of %lld paths)\n",
           100 * p->probability, (long long)p->n_hits, (long long)p->paths);
    printf("\nWealth percentiles (%s)\n%-6s %16s %16s %16s %16s %16s\n", p->currency, "Year",
           "p5", "p25", "p50", "p75", "p95");
    for (int y = 0; y < p->years; y++) {
        printf("%-6d", y + 1);
        for (int k = 0; k < RA_PLAN_N_PCT; k++)
            printf(" %16s", ra_money_format_minor(p->pct_minor[y][k], md, b[0], sizeof b[0]));
        printf("\n");
    }
    time_t at = (time_t)p->created_at;
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&at, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("Saved by %s on %s\n", p->user, when);
    return 0;
}

static int do_save(const char *cmd, const plans_opts *o, cli_book *b)
{
    int md = b->firm.minor_digits, rc;
    ra_plan_request r;
    ra_plan_request_default(&r);
    if (!o->client)
        return cli_usage(cmd, "--client CODE is required");
    if (!o->goal)
        return cli_usage(cmd, "--goal AMOUNT is required");
    if (!o->years)
        return cli_usage(cmd, "--years N is required");
    if (o->have_mu != o->have_sigma)
        return cli_usage(cmd, "--mu and --sigma go together");
    if ((rc = parse_money(cmd, "--goal", o->goal, md, &r.goal_minor)) != 0 ||
        (o->monthly && (rc = parse_money(cmd, "--monthly", o->monthly, md, &r.monthly_minor))) ||
        (o->initial && (rc = parse_money(cmd, "--initial", o->initial, md, &r.initial_minor))))
        return rc;
    if (r.goal_minor <= 0)
        return cli_usage(cmd, "--goal must be positive, got \"%s\"", o->goal);
    r.client = o->client;
    r.account = o->account;
    r.have_initial = o->initial != NULL;
    r.years = (int)o->years;
    r.have_mu = o->have_mu;
    r.mu = o->mu;
    r.sigma = o->sigma;
    if (o->paths)
        r.paths = o->paths;
    if (o->have_seed)
        r.seed = o->seed;
    r.label = o->label;
    r.date = o->have_date ? o->date : cli_today();
    ra_plan_rec *p = ra_malloc(sizeof *p);
    if (!p) {
        fprintf(stderr, "roboadvisor %s: out of memory\n", cmd);
        return CLI_EXIT_DATA;
    }
    ra_err err = {0};
    if (ra_plan_client_save(b->s, &b->actor, &r, p, &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    else
        rc = print_plan(cmd, p, o->format);
    sodium_memzero(p, sizeof *p);
    ra_free(p);
    return rc;
}

static int do_list(const char *cmd, const plans_opts *o, cli_book *b)
{
    if (!o->client)
        return cli_usage(cmd, "--client CODE is required");
    ra_plan_rec *v = NULL;
    size_t n = 0;
    ra_err err = {0};
    if (ra_store_plans_list(b->s, b->firm.code, o->client, "", SIZE_MAX / 2, &v, &n, &err) !=
        RA_OK)
        return cli_fail(cmd, &err);
    int rc = 0;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            char *text = NULL;
            if (ra_plan_rec_json(&v[i], &text, &err) != RA_OK) {
                rc = cli_fail(cmd, &err);
                break;
            }
            json_t *j = json_loads(text, 0, NULL);
            json_object_set_new(j, "latest", json_boolean(i + 1 == n));
            json_array_append_new(arr, j);
            sodium_memzero(text, strlen(text));
            ra_free(text);
        }
        if (!rc)
            rc = cli_json_print(json_pack("{s:s,s:o}", "client", o->client, "plans", arr));
        else
            json_decref(arr);
    } else {
        printf("%-12s %-12s %6s %16s %12s %-10s %8s %8s %s\n", "Plan", "Account", "Years",
               "Goal", "Probability", "Model", "Mu", "Cash", "Label");
        for (size_t i = 0; i < n; i++) {
            char g[RA_MONEY_FMT_SIZE], mu[16], cash[16] = "-";
            snprintf(mu, sizeof mu, "%.2f %%", 100 * v[i].mu);
            if (v[i].have_cash_rate)
                snprintf(cash, sizeof cash, "%.2f %%", 100 * v[i].cash_rate);
            printf("%-12s %-12s %6d %16s %10.2f %% %-10s %8s %8s %s%s\n", v[i].code,
                   v[i].account, v[i].years,
                   ra_money_format_minor(v[i].goal_minor, v[i].minor_digits, g, sizeof g),
                   100 * v[i].probability, v[i].model[0] ? v[i].model : "-", mu, cash,
                   v[i].label, i + 1 == n ? " (latest)" : "");
        }
        printf("%zu plan%s\n", n, n == 1 ? "" : "s");
    }
    if (n)
        sodium_memzero(v, n * sizeof *v);
    ra_store_free(v);
    return rc;
}

int cmd_plans(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    int save = !strcmp(sub, "save"), list = !strcmp(sub, "list"), show = !strcmp(sub, "show");
    if (!save && !list && !show)
        return cli_usage("plans", "unknown subcommand \"%s\" (save, list, show)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "plans %s", sub);
    plans_opts o;
    memset(&o, 0, sizeof o);
    const cli_opts_spec spec = {cmd, options, help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *id = NULL;
    if (show) {
        if (optind >= argc)
            return cli_usage(cmd, "name the plan: plans show ID");
        id = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    cli_book b;
    cli_book_args ba = o.book;
    ba.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &ba, &b)) != 0)
        return rc;
    if (save) {
        rc = do_save(cmd, &o, &b);
    } else if (list) {
        rc = do_list(cmd, &o, &b);
    } else {
        ra_plan_rec *p = ra_malloc(sizeof *p);
        ra_err err = {0};
        if (!p)
            rc = cli_fail(cmd, (ra_err[]){{RA_ENOMEM, "", "out of memory"}});
        else if (ra_store_plan_get(b.s, b.firm.code, id, p, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            rc = print_plan(cmd, p, o.format);
        if (p)
            sodium_memzero(p, sizeof *p);
        ra_free(p);
    }
    cli_book_close(&b);
    return rc;
}
