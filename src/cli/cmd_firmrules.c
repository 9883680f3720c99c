/* roboadvisor firm-rules: the firm's rules checked on every proposal of the daily cycle and the
 * funds' shares outstanding they need (include/roboadvisor/store_firmrules.h). Documented in
 * docs/cli.md#firm-rules. */
#include "cli.h"

#include <roboadvisor/store_firmrules.h>

#include <getopt.h>
#include <string.h>

typedef struct firm_opts {
    cli_book_args book;
    double max_weight, max_firm_share, max_turnover, crowd_te;
    int have_weight, have_share, have_turnover, have_hold, have_ident, have_te;
    size_t min_hold, max_ident;
    const char *exempt, *ticker, *shares;
    ra_date date;
    cli_format format;
} firm_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(firm_opts, book),
    CLI_O("max-weight", CLI_OPT_DOUBLE, firm_opts, max_weight, .dlo = 0, .dhi = 1,
          .msg = "must be in [0, 1] (0: off): \"%s\"", .have = CLI_HAVE(firm_opts, have_weight)),
    CLI_O("exempt", CLI_OPT_STR, firm_opts, exempt),
    CLI_O("max-firm-share", CLI_OPT_DOUBLE, firm_opts, max_firm_share, .dlo = 0, .dhi = 1,
          .msg = "must be in [0, 1] (0: off): \"%s\"", .have = CLI_HAVE(firm_opts, have_share)),
    CLI_O("min-hold-days", CLI_OPT_SIZE, firm_opts, min_hold, .lo = 0,
          .hi = RA_FIRM_MAX_HOLD_DAYS, .have = CLI_HAVE(firm_opts, have_hold)),
    CLI_O("max-turnover", CLI_OPT_DOUBLE, firm_opts, max_turnover, .dlo = 0, .dhi = 100,
          .msg = "must be in [0, 100] (0: off): \"%s\"",
          .have = CLI_HAVE(firm_opts, have_turnover)),
    CLI_O("max-identical", CLI_OPT_SIZE, firm_opts, max_ident, .lo = 0,
          .hi = RA_FIRM_MAX_IDENTICAL, .have = CLI_HAVE(firm_opts, have_ident)),
    CLI_O("crowd-te-budget", CLI_OPT_DOUBLE, firm_opts, crowd_te, .dlo = 1e-6,
          .dhi = RA_FIRM_MAX_CROWD_TE, .msg = "must be in (0, 0.05] (annual): \"%s\"",
          .have = CLI_HAVE(firm_opts, have_te)),
    CLI_O("ticker", CLI_OPT_STR, firm_opts, ticker),
    CLI_O("shares", CLI_OPT_STR, firm_opts, shares),
    CLI_O("date", CLI_OPT_DATE, firm_opts, date),
    CLI_O("format", CLI_OPT_FORMAT, firm_opts, format),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor firm-rules show [--format table|json]\n"
           "       roboadvisor firm-rules set [--max-weight X] [--exempt LIST]\n"
           "                                  [--max-firm-share X] [--min-hold-days N]\n"
           "                                  [--max-turnover X] [--max-identical N]\n"
           "                                  [--crowd-te-budget X]\n"
           "       roboadvisor firm-rules variants [--date D] [--format table|json]\n"
           "       roboadvisor firm-rules shares [--ticker T --date D --shares N]\n"
           "                                     [--date D] [--format table|json]\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "The firm's rules checked on every proposal of run-day (docs/methodology.md#firm-rules):\n"
           "--max-weight, the largest weight of one fund in an account (0..1); --exempt, the\n"
           "asset classes or tickers it skips (';'-separated, e.g. \"money_market;VTI\");\n"
           "--max-firm-share, the largest share of a fund's shares outstanding the firm's\n"
           "discretionary accounts hold together (0..1); --min-hold-days, the days a lot is held\n"
           "before it is sold (except for withdrawals and risk rules); --max-turnover, the sales\n"
           "of an account in a calendar year over its average value (0..100). 0 turns a rule\n"
           "off; set keeps what is not given. Anti-crowding (on by default): --max-identical,\n"
           "the most accounts run-day lets share one identical target (default 3; 0 off), the\n"
           "others get a variant (a small move between two of their funds, or a TLH swap) whose\n"
           "tracking error against their own target is at most --crowd-te-budget (annual,\n"
           "default 0.005); variants lists the accounts on one on --date (default: today).\n"
           "Each set is a new version, audited with the user\n"
           "($ROBOADVISOR_USER). shares records a fund's shares outstanding on a day (the last\n"
           "day not after the cycle's is used); without --ticker it lists those in force on\n"
           "--date (default today).\n");
}

static int show_rules(const cli_book *b, const ra_firm_rules *r, int version, int set, int json)
{
    if (json)
        return cli_json_print(json_pack("{s:s, s:i, s:o, s:s, s:o, s:i, s:o, s:i, s:o}", "firm",
                                        b->firm.code, "version", version, "max_weight",
                                        cli_jnum(r->max_weight), "exempt", r->exempt,
                                        "max_firm_share", cli_jnum(r->max_firm_share),
                                        "min_hold_days", r->min_hold_days, "max_turnover",
                                        cli_jnum(r->max_turnover), "max_identical",
                                        r->max_identical, "crowd_te_budget",
                                        cli_jnum(r->crowd_te_budget)));
    printf("firm %s: firm rules version %d%s\n", b->firm.code, version, set ? " (set)" : "");
    printf("  max weight of a fund      %g%s%s%s\n", r->max_weight,
           r->max_weight > 0 ? "" : " (off)", r->exempt[0] ? ", exempt: " : "", r->exempt);
    printf("  max firm share of a fund  %g%s\n", r->max_firm_share,
           r->max_firm_share > 0 ? "" : " (off)");
    printf("  min holding period        %d days%s\n", r->min_hold_days,
           r->min_hold_days > 0 ? "" : " (off)");
    printf("  max turnover a year       %g%s\n", r->max_turnover,
           r->max_turnover > 0 ? "" : " (off)");
    if (r->max_identical > 0)
        printf("  anti-crowding             at most %d account%s on one identical target; a "
               "variant's tracking error at most %g a year\n", r->max_identical,
               r->max_identical == 1 ? "" : "s", r->crowd_te_budget);
    else
        printf("  anti-crowding             off\n");
    return 0;
}

/* The accounts on an anti-crowding variant on a day. */
static int variants(const char *cmd, const firm_opts *o, cli_book *b)
{
    ra_err err = {0};
    ra_date d = o->date ? o->date : cli_today();
    ra_crowd_variant *v = NULL;
    size_t n = 0;
    if (ra_store_crowd_variants(b->s, b->firm.code, d, &v, &n, &err) != RA_OK)
        return cli_fail(cmd, &err);
    char db[11];
    int rc = 0;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o}",
                                                 "account", v[i].account, "base", v[i].base,
                                                 "variant", v[i].variant, "from", v[i].from,
                                                 "to", v[i].to, "weight", cli_jnum(v[i].delta),
                                                 "since", cli_jdate(v[i].since)));
        rc = cli_json_print(json_pack("{s:s, s:o, s:o}", "firm", b->firm.code, "as_of",
                                      cli_jdate(d), "variants", arr));
    } else {
        printf("accounts on an anti-crowding variant of their target on %s: %zu\n",
               ra_date_format(d, db), n);
        if (n)
            printf("  %-14s %-16s %7s  %-10s %-10s %12s  %s\n", "account", "base target",
                   "variant", "from", "to", "weight", "since");
        for (size_t i = 0; i < n; i++)
            printf("  %-14s %-16s %7d  %-10s %-10s %11.4f%%  %s\n", v[i].account, v[i].base,
                   v[i].variant, v[i].from, v[i].to, 100.0 * v[i].delta,
                   ra_date_format(v[i].since, db));
    }
    ra_free(v);
    (void)cmd;
    return rc;
}

static int shares(const char *cmd, const firm_opts *o, cli_book *b)
{
    ra_err err = {0};
    ra_status st = RA_OK;
    ra_date d = o->date ? o->date : cli_today();
    if (o->ticker || o->shares) {
        if (!o->ticker || !o->shares || !o->date)
            return cli_usage(cmd, "recording shares outstanding needs --ticker, --date and "
                             "--shares");
        ra_fund_shares x = {.date = o->date};
        snprintf(x.ticker, sizeof x.ticker, "%s", o->ticker);
        st = ra_money_parse_qty(o->shares, strlen(o->shares), &x.shares_micro, &err);
        if (st != RA_OK)
            return cli_usage(cmd, "--shares must be a number of shares: \"%s\"", o->shares);
        st = ra_store_fund_shares_put(b->s, &b->actor, &x, &err);
    }
    ra_fund_shares *v = NULL;
    size_t n = 0;
    if (st == RA_OK)
        st = ra_store_fund_shares_at(b->s, b->firm.code, d, &v, &n, &err);
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    char db[11], q[32];
    int rc = 0;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "ticker", v[i].ticker,
                                                 "date", cli_jdate(v[i].date), "shares",
                                                 ra_money_format_qty(v[i].shares_micro, q,
                                                                     sizeof q)));
        rc = cli_json_print(json_pack("{s:s, s:o, s:o}", "firm", b->firm.code, "as_of",
                                      cli_jdate(d), "funds", arr));
    } else {
        printf("funds' shares outstanding in force on %s: %zu\n", ra_date_format(d, db), n);
        for (size_t i = 0; i < n; i++)
            printf("  %-10s %s  %s\n", v[i].ticker, ra_date_format(v[i].date, db),
                   ra_money_format_qty(v[i].shares_micro, q, sizeof q));
    }
    ra_free(v);
    return rc;
}

int cmd_firm_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    char cmd[64];
    firm_opts o = {0};
    int which = -1;
    int rc = cli_parse_sub("firm-rules", CLI_WORDS("show", "set", "shares", "variants"), options, help, argc,
                           argv, &o, cmd, &which);
    if (rc)
        return rc < 0 ? 0 : rc;
    int set = which == 1, sh = which == 2, var = which == 3;
    if (set && !o.have_weight && !o.exempt && !o.have_share && !o.have_hold && !o.have_turnover &&
        !o.have_ident && !o.have_te)
        return cli_usage(cmd, "say what to set: --max-weight, --exempt, --max-firm-share, "
                         "--min-hold-days, --max-turnover, --max-identical or "
                         "--crowd-te-budget");
    if (o.exempt && strlen(o.exempt) >= RA_FIRM_EXEMPT_MAX)
        return cli_usage(cmd, "--exempt is longer than %d characters", RA_FIRM_EXEMPT_MAX - 1);
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    if (sh || var) {
        rc = sh ? shares(cmd, &o, &b) : variants(cmd, &o, &b);
        cli_book_close(&b);
        return rc;
    }
    ra_err err = {0};
    ra_firm_rules r;
    int version = 0;
    ra_status st = ra_store_firm_rules(b.s, b.firm.code, &version, &r, &err);
    if (st == RA_OK && set) {
        if (o.have_weight)
            r.max_weight = o.max_weight;
        if (o.exempt)
            snprintf(r.exempt, sizeof r.exempt, "%s", o.exempt);
        if (o.have_share)
            r.max_firm_share = o.max_firm_share;
        if (o.have_hold)
            r.min_hold_days = (int)o.min_hold;
        if (o.have_turnover)
            r.max_turnover = o.max_turnover;
        if (o.have_ident)
            r.max_identical = (int)o.max_ident;
        if (o.have_te)
            r.crowd_te_budget = o.crowd_te;
        st = ra_store_firm_rules_set(b.s, &b.actor, &r, &version, &err);
    }
    rc = st != RA_OK ? cli_fail(cmd, &err) : show_rules(&b, &r, version, set, o.format == CLI_FORMAT_JSON);
    cli_book_close(&b);
    return rc;
}

json_t *cli_firm_cuts_json(const char *text)
{
    json_t *arr = json_array();
    const char *p = text;
    while (*p) {
        const char *e = strstr(p, "; ");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char one[128], rule[32], ticker[RA_CODE_MAX], side[8], qty[40], value[40];
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        if (sscanf(one, "%31s %31s %7s %39s %39s", rule, ticker, side, qty, value) == 5)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "rule", rule,
                                                 "ticker", ticker, "side", side, "qty", qty,
                                                 "value", value));
        p += len + (e ? 2 : 0);
    }
    return arr;
}
