/* roboadvisor notifications, suspensions and reauthorise: the loss limits' records
 * (include/roboadvisor/store_risk.h; docs/methodology.md#risk-limits). Documented in
 * docs/cli.md#risk-limits. */
#include "cli.h"

#include <roboadvisor/store_risk.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

typedef struct risk_opts {
    cli_book_args book;
    const char *account, *due_before, *by, *note;
    int json;
} risk_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(risk_opts, book),
    CLI_O("account", CLI_OPT_STR, risk_opts, account),
    CLI_O("due-before", CLI_OPT_STR, risk_opts, due_before),
    CLI_O("by", CLI_OPT_STR, risk_opts, by),
    CLI_O("note", CLI_OPT_STR, risk_opts, note),
    CLI_O("format", CLI_OPT_ENUM, risk_opts, json, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_OPT_END};

static void notifications_help(void)
{
    printf("usage: roboadvisor notifications list [--account A] [--due-before T]\n"
           "                   [--format table|json] [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "The notifications the daily cycle recorded for clients and advisors (today: an\n"
           "account crossing its loss limit), by due time. Each is due 30 minutes after the\n"
           "market's close of its day ('roboadvisor settings set --market-close HH:MM\n"
           "--market-zone ZONE'; default 16:00 America/New_York). Times are UTC, written\n"
           "YYYY-MM-DDTHH:MM:SSZ; --due-before takes that form, or YYYY-MM-DDTHH:MMZ, or a\n"
           "date (its midnight UTC), and keeps those due strictly before it.\n");
}

static void suspensions_help(void)
{
    printf("usage: roboadvisor suspensions list [--account A] [--format table|json]\n"
           "                   [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "Accounts whose automated trading was suspended by a crossing of their loss limit,\n"
           "with the figures of the check and the re-authorisation that resumed it, if any.\n");
}

static void reauthorise_help(void)
{
    printf("usage: roboadvisor reauthorise ACCOUNT --by USER --note TEXT [--format table|json]\n"
           "                   [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "Records the re-authorisation of ACCOUNT's suspended automated trading, given by USER\n"
           "(e.g. the advisor who spoke with the client) with a note. The next run-day trades\n"
           "the account again; its loss limit is then measured from its last close's value\n"
           "(the new entrusted amount, plus later deposits and minus later withdrawals).\n"
           "Audited with the user ($ROBOADVISOR_USER). An account that is not suspended is\n"
           "refused (exit 1).\n");
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static void utc_text(int64_t t, char out[24])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    char db[11];
    snprintf(out, 24, "%sT%02d:%02d:%02dZ", ra_date_format((ra_date)days, db), (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

/* T as above (seconds optional) or a date: seconds since 1970 UTC; -1 when it is neither. */
static int64_t utc_parse(const char *s)
{
    ra_date d = 0;
    ra_err e = {0};
    size_t n = strlen(s);
    if (n < 10 || ra_date_parse(s, 10, &d, &e) != RA_OK)
        return -1;
    if (n == 10)
        return (int64_t)d * 86400;
    int h = 0, m = 0, sec = 0;
    char z = 0, extra = 0;
    if ((n == 17 && sscanf(s + 10, "T%2d:%2d%c%c", &h, &m, &z, &extra) == 3) ||
        (n == 20 && sscanf(s + 10, "T%2d:%2d:%2d%c%c", &h, &m, &sec, &z, &extra) == 4)) {
        if (z == 'Z' && h < 24 && m < 60 && sec < 60 && h >= 0 && m >= 0 && sec >= 0)
            return (int64_t)d * 86400 + h * 3600 + m * 60 + sec;
    }
    return -1;
}

static json_t *note_json(const ra_notification *x)
{
    char due[24], at[24];
    utc_text(x->due_at, due);
    utc_text(x->created_at, at);
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "code", x->code, "account",
                     x->account, "date", cli_jdate(x->date), "recipient", x->recipient,
                     "recipient_code", x->recipient_code, "kind", x->kind, "due", due,
                     "created", at, "message", x->message);
}

static json_t *susp_json(const ra_suspension *x, int md)
{
    char e[RA_MONEY_FMT_SIZE], v[RA_MONEY_FMT_SIZE], l[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
    json_t *o = json_pack("{s:s, s:o, s:s, s:f, s:s, s:s, s:s, s:i, s:s}", "account", x->account,
                          "date", cli_jdate(x->date), "kind", x->kind, "loss_limit",
                          x->loss_limit, "entrusted",
                          ra_money_format_minor(x->entrusted_minor, md, e, sizeof e), "value",
                          ra_money_format_minor(x->value_minor, md, v, sizeof v), "loss",
                          ra_money_format_minor(x->loss_minor, md, l, sizeof l),
                          "orders_cancelled", x->orders_cancelled, "status",
                          x->reauthorised_by[0] ? "reauthorised" : "suspended");
    if (x->reauthorised_by[0]) {
        char at[24];
        utc_text(x->reauthorised_at, at);
        json_object_set_new(o, "reauthorised_by", json_string(x->reauthorised_by));
        json_object_set_new(o, "note", json_string(x->reauthorised_note));
        json_object_set_new(o, "reauthorised_at", json_string(at));
        json_object_set_new(o, "base_date", cli_jdate(x->base_day));
        json_object_set_new(o, "base_value",
                            json_string(ra_money_format_minor(x->base_minor, md, b, sizeof b)));
    }
    return o;
}

/* The subcommand `list` of notifications and suspensions. */
static int risk_list(const char *name, int argc, char **argv, void (*help)(void))
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "list") != 0)
        return cli_usage(name, "unknown subcommand \"%s\" (list)", argv[1]);
    char cmd[40];
    snprintf(cmd, sizeof cmd, "%s list", name);
    risk_opts o = {0};
    const cli_opts_spec spec = {cmd, options, help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    int64_t before = 0;
    if (o.due_before && (before = utc_parse(o.due_before)) < 0)
        return cli_usage(cmd, "--due-before must be YYYY-MM-DDTHH:MM[:SS]Z (UTC) or a date: "
                         "\"%s\"", o.due_before);
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    ra_err err = {0};
    int md = b.firm.minor_digits;
    json_t *arr = json_array();
    size_t n = 0;
    if (strcmp(name, "notifications") == 0) {
        ra_notification *v = NULL;
        if (ra_store_notifications_list(b.s, b.firm.code, o.account, before, &v, &n, &err) !=
            RA_OK)
            rc = cli_fail(cmd, &err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            json_array_append_new(arr, note_json(&v[i]));
            char due[24];
            utc_text(v[i].due_at, due);
            if (!o.json)
                printf("%s  %-7s %-16s %-16s due %s\n    %s\n", v[i].code, v[i].recipient,
                       v[i].recipient_code[0] ? v[i].recipient_code : "-", v[i].account, due,
                       v[i].message);
        }
        ra_store_free(v);
    } else {
        ra_suspension *v = NULL;
        if (ra_store_suspensions_list(b.s, b.firm.code, o.account, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            json_array_append_new(arr, susp_json(&v[i], md));
            char db[11], m1[RA_MONEY_FMT_SIZE], m2[RA_MONEY_FMT_SIZE];
            if (!o.json)
                printf("%-16s %s loss %s of %s %s entrusted (limit %.4g %%), %d order%s "
                       "cancelled: %s%s%s\n", v[i].account, ra_date_format(v[i].date, db),
                       ra_money_format_minor(v[i].loss_minor, md, m1, sizeof m1),
                       ra_money_format_minor(v[i].entrusted_minor, md, m2, sizeof m2),
                       b.firm.currency, v[i].loss_limit * 100.0, v[i].orders_cancelled,
                       v[i].orders_cancelled == 1 ? "" : "s",
                       v[i].reauthorised_by[0] ? "re-authorised by " : "suspended",
                       v[i].reauthorised_by, "");
        }
        ra_store_free(v);
    }
    if (rc == 0 && o.json)
        rc = cli_json_list_print(b.firm.currency, name, arr);
    else {
        json_decref(arr);
        if (rc == 0)
            printf("%zu %s\n", n, n == 1 ? (name[0] == 'n' ? "notification" : "suspension")
                                          : name);
    }
    cli_book_close(&b);
    return rc;
}

int cmd_notifications(int argc, char **argv)
{
    return risk_list("notifications", argc, argv, notifications_help);
}

int cmd_suspensions(int argc, char **argv)
{
    return risk_list("suspensions", argc, argv, suspensions_help);
}

int cmd_reauthorise(int argc, char **argv)
{
    static const char *const CMD = "reauthorise";
    risk_opts o = {0};
    const cli_opts_spec spec = {CMD, options, reauthorise_help, 0, 1};
    const char *account = NULL;
    int rc = cli_parse_one_arg(&spec, argc, argv, &o, "name the account: reauthorise ACCOUNT "
                               "--by USER --note TEXT", &account);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.by || !o.by[0])
        return cli_usage(CMD, "--by USER is required");
    if (!o.note || !o.note[0])
        return cli_usage(CMD, "--note TEXT is required");
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(CMD, &a, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_suspension x;
    char db[11], m[RA_MONEY_FMT_SIZE];
    if (ra_store_reauthorise(b.s, &b.actor, account, o.by, o.note, &x, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.json)
        rc = cli_json_print(susp_json(&x, b.firm.minor_digits));
    else
        printf("account %s re-authorised by %s: automated trading resumes at the next run-day; "
               "its loss limit is measured from %s %s (the close of %s)\n", account, o.by,
               ra_money_format_minor(x.base_minor, b.firm.minor_digits, m, sizeof m),
               b.firm.currency, ra_date_format(x.base_day, db));
    cli_book_close(&b);
    return rc;
}
