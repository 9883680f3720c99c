/* roboadvisor tiers, alerts, queue: service tiers, the firm's routing rules, behaviour alerts and
 * the advisor's queue (include/roboadvisor/behaviour.h, store_tiers.h;
 * docs/methodology.md#service-tiers, #behaviour-alerts). Documented in docs/cli.md#tiers. */
#include "cli.h"

#include <roboadvisor/store_tiers.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct tiers_opts {
    cli_book_args book;
    const char *tier, *by, *note, *account, *metric;
    double threshold;
    int have_threshold;
    ra_date date;
    int have_date;
    int json;
    int window_days, max_instructions;
    int have_window, have_max;
    double drawdown_sell, concentration, tol[5];
    int have_dd, have_conc, have_tol[5];
} tiers_opts;

#define FRACTION .dlo = 0, .dhi = 1, .open = CLI_OPEN_LO, .msg = "must be in (0, 1], got \"%s\""

static const cli_opt options[] = {
    CLI_OPTS_BOOK(tiers_opts, book),
    CLI_O("tier", CLI_OPT_STR, tiers_opts, tier),
    CLI_O("by", CLI_OPT_STR, tiers_opts, by),
    CLI_O("note", CLI_OPT_STR, tiers_opts, note),
    CLI_O("account", CLI_OPT_STR, tiers_opts, account),
    CLI_O("metric", CLI_OPT_STR, tiers_opts, metric),
    CLI_O("threshold", CLI_OPT_DOUBLE, tiers_opts, threshold,
          .have = CLI_HAVE(tiers_opts, have_threshold)),
    CLI_O("from", CLI_OPT_DATE, tiers_opts, date, .have = CLI_HAVE(tiers_opts, have_date)),
    CLI_O("date", CLI_OPT_DATE, tiers_opts, date, .have = CLI_HAVE(tiers_opts, have_date)),
    CLI_O("format", CLI_OPT_ENUM, tiers_opts, json, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_O("window-days", CLI_OPT_SIZE, tiers_opts, window_days, .lo = 1, .hi = 366,
          .have = CLI_HAVE(tiers_opts, have_window)),
    CLI_O("max-instructions", CLI_OPT_SIZE, tiers_opts, max_instructions, .lo = 0, .hi = 100000,
          .have = CLI_HAVE(tiers_opts, have_max)),
    CLI_O("drawdown-sell", CLI_OPT_DOUBLE, tiers_opts, drawdown_sell, FRACTION,
          .have = CLI_HAVE(tiers_opts, have_dd)),
    CLI_O("concentration", CLI_OPT_DOUBLE, tiers_opts, concentration, FRACTION,
          .have = CLI_HAVE(tiers_opts, have_conc)),
    CLI_O("tolerance-c1", CLI_OPT_DOUBLE, tiers_opts, tol[0], FRACTION,
          .have = CLI_HAVE(tiers_opts, have_tol[0])),
    CLI_O("tolerance-c2", CLI_OPT_DOUBLE, tiers_opts, tol[1], FRACTION,
          .have = CLI_HAVE(tiers_opts, have_tol[1])),
    CLI_O("tolerance-c3", CLI_OPT_DOUBLE, tiers_opts, tol[2], FRACTION,
          .have = CLI_HAVE(tiers_opts, have_tol[2])),
    CLI_O("tolerance-c4", CLI_OPT_DOUBLE, tiers_opts, tol[3], FRACTION,
          .have = CLI_HAVE(tiers_opts, have_tol[3])),
    CLI_O("tolerance-c5", CLI_OPT_DOUBLE, tiers_opts, tol[4], FRACTION,
          .have = CLI_HAVE(tiers_opts, have_tol[4])),
    CLI_OPT_END};

static void tiers_help(void)
{
    printf("usage: roboadvisor tiers set CLIENT --tier T --by USER --note TEXT [--from D]\n"
           "       roboadvisor tiers list [--date D] [--format table|json]\n"
           "       roboadvisor tiers history CLIENT [--format table|json]\n"
           "       roboadvisor tiers rules set CODE --metric M --threshold X --tier T [--note TEXT]\n"
           "       roboadvisor tiers rules show [--format table|json]\n"
           "       roboadvisor tiers rules delete CODE\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "A client's service tier: digital (the engine acts alone within the mandate), hybrid\n"
           "(an advisor reviews every proposal) or advisor-led (the advisor decides, the engine\n"
           "only proposes). set records a version effective from the cycle of D (default today,\n"
           "UTC). The firm's routing rules move a client up to a tier after a close when\n"
           "  M >= X,  M one of: assets (the client's value, major units), accounts,\n"
           "  account_types, withdrawal (due on the day / the account's value), loss_limit (1)\n"
           "effective from the next day's cycle; every change is audited.\n");
}

static void alerts_help(void)
{
    printf("usage: roboadvisor alerts list [--account A] [--format table|json]\n"
           "       roboadvisor alerts settings show [--format table|json]\n"
           "       roboadvisor alerts settings set [--window-days N] [--max-instructions N]\n"
           "             [--drawdown-sell X] [--concentration X] [--tolerance-c1 X] ...\n"
           "             [--tolerance-c5 X]\n\n"
           "Behaviour alerts raised by run-day after the close, one per episode:\n"
           "excessive_trading, sell_after_drawdown, concentration, profile_review.\n");
}

static void queue_help(void)
{
    printf("usage: roboadvisor queue [--format table|json] [--firm CODE] [--db URL]\n\n"
           "The proposals waiting for an advisor (pending, confirming) with the client's tier:\n"
           "advisor-led first, then hybrid, then digital.\n");
}

/* The options of a subcommand from argv[first..) into *o and, with need (the usage error without
 * it), its one argument into *name. 0, -1 after --help, or the usage exit code. */
static int parse_sub(const char *cmd, int argc, char **argv, int first, void (*help)(void),
                     tiers_opts *o, const char *need, const char **name)
{
    const cli_opts_spec spec = {cmd, options, help, 0, first};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc)
        return rc;
    if (need) {
        if (optind >= argc)
            return cli_usage(cmd, "%s", need);
        *name = argv[optind++];
    }
    return cli_no_more_args(cmd, argc, argv, optind);
}

static int open_book(const char *cmd, const tiers_opts *o, cli_book *b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open_parts(cmd, &a, b);
}

static json_t *tier_json(const ra_tier_rec *x)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "client", x->client, "tier",
                     ra_tier_name(x->tier), "from",
                     x->day_from ? cli_jdate(x->day_from) : json_null(), "source", x->source,
                     "rule", x->rule, "data", x->data, "by", x->user, "note", x->note);
}

static int print_tiers(const ra_tier_rec *v, size_t n, int json)
{
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, tier_json(&v[i]));
        return cli_json_print(json_pack("{s:o}", "tiers", arr));
    }
    for (size_t i = 0; i < n; i++) {
        char db[11] = "-";
        if (v[i].day_from)
            ra_date_format(v[i].day_from, db);
        printf("%-16s %-12s from %-10s %-4s %-12s %s%s%s\n", v[i].client, ra_tier_name(v[i].tier),
               db, v[i].source[0] ? v[i].source : "-", v[i].rule[0] ? v[i].rule : "-",
               v[i].data, v[i].note[0] ? " " : "", v[i].note);
    }
    printf("%zu client%s\n", n, n == 1 ? "" : "s");
    return 0;
}

static int rules_cmd(int argc, char **argv)
{
    if (argc < 3)
        return cli_usage("tiers rules", "name the action: set, show or delete");
    const char *sub = argv[2];
    int set = !strcmp(sub, "set"), show = !strcmp(sub, "show"), del = !strcmp(sub, "delete");
    if (!set && !show && !del)
        return cli_usage("tiers rules", "unknown action \"%s\" (set, show, delete)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "tiers rules %s", sub);
    tiers_opts o = {0};
    const char *code = NULL;
    int rc = parse_sub(cmd, argc, argv, 3, tiers_help, &o,
                       set || del ? "name the rule: tiers rules set|delete CODE" : NULL, &code);
    if (rc)
        return rc < 0 ? 0 : rc;
    ra_err err = {0};
    ra_tier_rule r;
    memset(&r, 0, sizeof r);
    if (set) {
        ra_tier_metric m;
        ra_tier t;
        if (!o.metric || !o.have_threshold || !o.tier)
            return cli_usage(cmd, "--metric M, --threshold X and --tier T are required");
        if (ra_tier_metric_parse(o.metric, &m, &err) != RA_OK ||
            ra_tier_parse(o.tier, &t, &err) != RA_OK)
            return cli_usage(cmd, "%s", err.msg);
        snprintf(r.code, sizeof r.code, "%s", code);
        r.metric = (int)m;
        r.threshold = o.threshold;
        r.tier = (int)t;
        if (ra_tier_rule_validate(&r, &err) != RA_OK)
            return cli_usage(cmd, "%s", err.msg);
    }
    cli_book b;
    if ((rc = open_book(cmd, &o, &b)) != 0)
        return rc;
    if (set) {
        if (ra_store_tier_rule_put(b.s, &b.actor, &r, o.note, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("routing rule %s set: %s >= %g moves a client to %s\n", r.code,
                   ra_tier_metric_name(r.metric), r.threshold, ra_tier_name(r.tier));
    } else if (del) {
        if (ra_store_tier_rule_delete(b.s, &b.actor, code, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("routing rule %s deleted\n", code);
    } else {
        ra_tier_rule_rec *v = NULL;
        size_t n = 0;
        if (ra_store_tier_rules_list(b.s, b.firm.code, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        json_t *arr = json_array();
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const ra_tier_rule *x = &v[i].rule;
            json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "code",
                                                 x->code, "metric",
                                                 ra_tier_metric_name(x->metric), "threshold",
                                                 cli_jnum(x->threshold), "tier",
                                                 ra_tier_name(x->tier), "note", v[i].note,
                                                 "set_by", v[i].user));
            if (!o.json)
                printf("%-12s %-14s >= %-14g -> %-12s %s\n", x->code,
                       ra_tier_metric_name(x->metric), x->threshold, ra_tier_name(x->tier),
                       v[i].note);
        }
        if (rc == 0 && o.json)
            rc = cli_json_print(json_pack("{s:o}", "rules", arr));
        else {
            json_decref(arr);
            if (rc == 0)
                printf("%zu rule%s\n", n, n == 1 ? "" : "s");
        }
        ra_store_free(v);
    }
    cli_book_close(&b);
    return rc;
}

int cmd_tiers(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        tiers_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "rules"))
        return rules_cmd(argc, argv);
    int set = !strcmp(sub, "set"), list = !strcmp(sub, "list"), hist = !strcmp(sub, "history");
    if (!set && !list && !hist)
        return cli_usage("tiers", "unknown subcommand \"%s\" (set, list, history, rules)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "tiers %s", sub);
    tiers_opts o = {0};
    const char *client = NULL;
    int rc = parse_sub(cmd, argc, argv, 2, tiers_help, &o,
                       set || hist ? "name the client: tiers set|history CLIENT" : NULL, &client);
    if (rc)
        return rc < 0 ? 0 : rc;
    ra_err err = {0};
    ra_tier tier = RA_TIER_DIGITAL;
    if (set) {
        if (!o.tier || ra_tier_parse(o.tier, &tier, &err) != RA_OK)
            return cli_usage(cmd, "--tier digital|hybrid|advisor-led is required");
        if (!o.by || !o.by[0])
            return cli_usage(cmd, "--by USER is required");
        if (!o.note || !o.note[0])
            return cli_usage(cmd, "--note TEXT is required");
    }
    cli_book b;
    if ((rc = open_book(cmd, &o, &b)) != 0)
        return rc;
    ra_date day = o.have_date ? o.date : (ra_date)(time(NULL) / 86400);
    if (set) {
        snprintf(b.actor.user, sizeof b.actor.user, "%s", o.by);
        if (ra_store_tier_set(b.s, &b.actor, client, (int)tier, o.have_date ? o.date : 0,
                              o.note, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("client %s is %s (set by %s)\n", client, ra_tier_name((int)tier), o.by);
    } else {
        ra_tier_rec *v = NULL;
        size_t n = 0;
        if (ra_store_tiers_list(b.s, b.firm.code, client, day, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            rc = print_tiers(v, n, o.json);
        ra_store_free(v);
    }
    cli_book_close(&b);
    return rc;
}

static int settings_cmd(int argc, char **argv)
{
    const char *sub = argc > 2 ? argv[2] : "";
    int set = !strcmp(sub, "set"), show = !strcmp(sub, "show");
    if (!set && !show)
        return cli_usage("alerts settings", "name the action: show or set");
    char cmd[32];
    snprintf(cmd, sizeof cmd, "alerts settings %s", sub);
    tiers_opts o = {0};
    int rc = parse_sub(cmd, argc, argv, 3, alerts_help, &o, NULL, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_book(cmd, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_behaviour_settings x;
    if (ra_store_behaviour_settings(b.s, b.firm.code, &x, &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    if (rc == 0 && set) {
        if (o.have_window)
            x.window_days = o.window_days;
        if (o.have_max)
            x.max_instructions = o.max_instructions;
        if (o.have_dd)
            x.drawdown_sell = o.drawdown_sell;
        if (o.have_conc)
            x.concentration = o.concentration;
        for (int k = 0; k < 5; k++)
            if (o.have_tol[k])
                x.tolerance[k] = o.tol[k];
        if (ra_store_behaviour_settings_set(b.s, &b.actor, &x, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
    }
    if (rc == 0 && o.json)
        rc = cli_json_print(json_pack("{s:i, s:i, s:o, s:o, s:[o, o, o, o, o]}", "window_days",
                                      x.window_days, "max_instructions", x.max_instructions,
                                      "drawdown_sell", cli_jnum(x.drawdown_sell),
                                      "concentration", cli_jnum(x.concentration), "tolerance",
                                      cli_jnum(x.tolerance[0]), cli_jnum(x.tolerance[1]),
                                      cli_jnum(x.tolerance[2]), cli_jnum(x.tolerance[3]),
                                      cli_jnum(x.tolerance[4])));
    else if (rc == 0)
        printf("window %d days, at most %d client instructions, drawdown before a sale %.6g, "
               "concentration %.6g, tolerance C1..C5 %.6g %.6g %.6g %.6g %.6g\n",
               x.window_days, x.max_instructions, x.drawdown_sell, x.concentration,
               x.tolerance[0], x.tolerance[1], x.tolerance[2], x.tolerance[3], x.tolerance[4]);
    cli_book_close(&b);
    return rc;
}

int cmd_alerts(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        alerts_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "settings"))
        return settings_cmd(argc, argv);
    if (strcmp(argv[1], "list") != 0)
        return cli_usage("alerts", "unknown subcommand \"%s\" (list, settings)", argv[1]);
    static const char *const CMD = "alerts list";
    tiers_opts o = {0};
    int rc = parse_sub(CMD, argc, argv, 2, alerts_help, &o, NULL, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_book(CMD, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_alert_rec *v = NULL;
    size_t n = 0;
    if (ra_store_alerts_list(b.s, b.firm.code, o.account, &v, &n, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    json_t *arr = json_array();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const ra_alert_rec *x = &v[i];
        const char *kind = ra_alert_name(x->kind) ? ra_alert_name(x->kind) : "";
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "account",
                                             x->account, "kind", kind, "date",
                                             cli_jdate(x->date), "closed",
                                             x->closed ? cli_jdate(x->closed) : json_null(),
                                             "observed", cli_jnum(x->observed), "threshold",
                                             cli_jnum(x->threshold), "detail", x->detail));
        if (!o.json) {
            char d1[11], d2[11] = "open";
            if (x->closed)
                ra_date_format(x->closed, d2);
            printf("%-16s %-20s %s..%-10s observed %.6g threshold %.6g %s\n", x->account, kind,
                   ra_date_format(x->date, d1), d2, x->observed, x->threshold, x->detail);
        }
    }
    if (rc == 0 && o.json)
        rc = cli_json_print(json_pack("{s:o}", "alerts", arr));
    else {
        json_decref(arr);
        if (rc == 0)
            printf("%zu alert%s\n", n, n == 1 ? "" : "s");
    }
    ra_store_free(v);
    cli_book_close(&b);
    return rc;
}

int cmd_queue(int argc, char **argv)
{
    static const char *const CMD = "queue";
    tiers_opts o = {0};
    int rc = parse_sub(CMD, argc, argv, 1, queue_help, &o, NULL, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_book(CMD, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_queue_item *v = NULL;
    size_t n = 0;
    if (ra_store_queue(b.s, b.firm.code, &v, &n, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    json_t *arr = json_array();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const ra_queue_item *x = &v[i];
        char m[RA_MONEY_FMT_SIZE], db[11];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I}",
                                             "proposal", x->proposal, "account", x->account,
                                             "client", x->client, "advisor", x->advisor, "date",
                                             cli_jdate(x->date), "status", x->status, "tier",
                                             ra_tier_name(x->tier),
                                             "value_minor", (json_int_t)x->value_minor));
        if (!o.json)
            printf("%-12s %-36s %-16s %-12s %s %-10s %s %s\n", ra_tier_name(x->tier),
                   x->proposal, x->account, x->client, ra_date_format(x->date, db), x->status,
                   ra_money_format_minor(x->value_minor, b.firm.minor_digits, m, sizeof m),
                   b.firm.currency);
    }
    if (rc == 0 && o.json) {
        json_t *doc = json_pack("{s:s, s:o}", "currency", b.firm.currency, "queue", arr);
        rc = cli_json_print(doc);
    } else {
        json_decref(arr);
        if (rc == 0)
            printf("%zu proposal%s waiting\n", n, n == 1 ? "" : "s");
    }
    ra_store_free(v);
    cli_book_close(&b);
    return rc;
}
