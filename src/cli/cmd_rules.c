/* roboadvisor rules: the firm's risk rules as data (include/roboadvisor/riskrules.h,
 * store_risk.h; docs/methodology.md#risk-rules). Documented in docs/cli.md#rules. */
#include "cli.h"

#include <roboadvisor/store_risk.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct rules_opts {
    cli_book_args book;
    const char *when, *then, *note, *account;
    ra_date date;
    int have_date;
    int json;
} rules_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(rules_opts, book),
    CLI_O("when", CLI_OPT_STR, rules_opts, when),
    CLI_O("then", CLI_OPT_STR, rules_opts, then),
    CLI_O("note", CLI_OPT_STR, rules_opts, note),
    CLI_O("account", CLI_OPT_STR, rules_opts, account),
    CLI_O("date", CLI_OPT_DATE, rules_opts, date, .have = CLI_HAVE(rules_opts, have_date)),
    CLI_O("format", CLI_OPT_ENUM, rules_opts, json, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor rules set CODE --when CONDITION --then ACTION [--note TEXT]\n"
           "       roboadvisor rules list [--format table|json]\n"
           "       roboadvisor rules show CODE [--format table|json]\n"
           "       roboadvisor rules event NAME --date D [--account A] [--note TEXT]\n"
           "       roboadvisor rules firings [--account A] [--format table|json]\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "The firm's library of risk rules; a mandate applies some with 'mandate set ACCOUNT\n"
           "rules=CODE,CODE'. run-day evaluates them at each close and records every firing.\n\n"
           "  CONDITION  drawdown OP X | loss OP X | vol(N) OP X | move(TICKER,N) OP X\n"
           "             | event(NAME)      OP one of >= > <= <; move(*,N): any holding\n"
           "  ACTION     reduce:TARGET=W | add:TARGET=W | close:TARGET | notify | suspend\n"
           "             TARGET a ticker, an asset class, equity, bonds or risky (R4-R5);\n"
           "             close:* closes the holding a move(*,N) fired on\n\n"
           "e.g. rules set DD15 --when 'drawdown>=0.15' --then reduce:equity=0.30\n"
           "event records NAME for day D (for account A, or the whole firm): event(NAME)\n"
           "fires on it. Changes are audited with the user ($ROBOADVISOR_USER).\n");
}

static json_t *rule_json(const ra_risk_rule_rec *x)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", x->rule.code, "when", x->when, "then",
                     x->then, "note", x->note, "set_by", x->user);
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    int set = !strcmp(sub, "set"), list = !strcmp(sub, "list"), show = !strcmp(sub, "show"),
        event = !strcmp(sub, "event"), firings = !strcmp(sub, "firings");
    if (!set && !list && !show && !event && !firings)
        return cli_usage("rules", "unknown subcommand \"%s\" (set, list, show, event, firings)",
                         sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "rules %s", sub);
    rules_opts o = {0};
    const cli_opts_spec spec = {cmd, options, help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *name = NULL;
    if (set || show || event) {
        if (optind >= argc)
            return cli_usage(cmd, "name the %s: rules %s %s", event ? "event" : "rule", sub,
                             event ? "NAME --date D" : "CODE");
        name = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    if (set && (!o.when || !o.then))
        return cli_usage(cmd, "--when CONDITION and --then ACTION are required");
    if (event && !o.have_date)
        return cli_usage(cmd, "--date D is required");
    ra_err err = {0};
    ra_risk_rule rule;
    if (set && ra_risk_rule_parse(name, o.when, o.then, &rule, &err) != RA_OK)
        return cli_usage(cmd, "%s", err.msg);
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    if (set) {
        if (ra_store_risk_rule_put(b.s, &b.actor, &rule, o.note ? o.note : "", &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else {
            char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX];
            ra_risk_rule_format(&rule, when, then);
            printf("rule %s set: when %s then %s\n", name, when, then);
        }
    } else if (event) {
        char db[11];
        if (ra_store_risk_event_put(b.s, &b.actor, o.account, name, o.date, o.note, &err) !=
            RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("event %s recorded on %s for %s%s\n", name, ra_date_format(o.date, db),
                   o.account ? "account " : "the whole firm", o.account ? o.account : "");
    } else if (firings) {
        ra_risk_firing_rec *v = NULL;
        size_t n = 0;
        if (ra_store_risk_firings_list(b.s, b.firm.code, o.account, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        json_t *arr = json_array();
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char db[11];
            json_t *x = json_pack("{s:s, s:o, s:s, s:s, s:s, s:f, s:s}", "account",
                                  v[i].account, "date", cli_jdate(v[i].date), "rule",
                                  v[i].f.rule, "when", v[i].f.when, "then", v[i].f.then,
                                  "observed", isfinite(v[i].f.observed) ? v[i].f.observed : 0.0,
                                  "subject", v[i].f.subject);
            char at[8], pb[RA_MONEY_FMT_SIZE], vb[RA_MONEY_FMT_SIZE];
            snprintf(at, sizeof at, "%02d:%02d", v[i].at_minute / 60 % 100,
                     v[i].at_minute % 60);
            int intraday = v[i].at_minute >= 0;
            json_object_set_new(x, "at", intraday ? json_string(at) : json_null());
            json_object_set_new(x, "price", v[i].f.price > 0
                                                ? json_string(ra_money_format_price(
                                                      v[i].f.price, pb, sizeof pb))
                                                : json_null());
            json_object_set_new(x, "value", intraday
                                                ? json_string(ra_money_format_minor(
                                                      v[i].value_minor, b.firm.minor_digits,
                                                      vb, sizeof vb))
                                                : json_null());
            json_array_append_new(arr, x);
            if (!o.json)
                printf("%-16s %s %-12s %-28s %-24s observed %.6g%s%s\n", v[i].account,
                       ra_date_format(v[i].date, db), v[i].f.rule, v[i].f.when, v[i].f.then,
                       v[i].f.observed, v[i].f.subject[0] ? " " : "", v[i].f.subject);
        }
        if (rc == 0 && o.json)
            rc = cli_json_print(json_pack("{s:o}", "firings", arr));
        else {
            json_decref(arr);
            if (rc == 0)
                printf("%zu firing%s\n", n, n == 1 ? "" : "s");
        }
        ra_store_free(v);
    } else {
        ra_risk_rule_rec *v = NULL;
        size_t n = 0;
        if (ra_store_risk_rules_list(b.s, b.firm.code, show ? name : NULL, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (o.json && show)
            rc = cli_json_print(rule_json(&v[0]));
        else if (o.json) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, rule_json(&v[i]));
            rc = cli_json_print(json_pack("{s:o}", "rules", arr));
        } else {
            for (size_t i = 0; i < n; i++)
                printf("%-12s when %-28s then %-24s %s\n", v[i].rule.code, v[i].when, v[i].then,
                       v[i].note);
            if (!show)
                printf("%zu rule%s\n", n, n == 1 ? "" : "s");
        }
        ra_store_free(v);
    }
    cli_book_close(&b);
    return rc;
}
