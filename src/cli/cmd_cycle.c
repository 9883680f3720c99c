/* roboadvisor run-day, account show, proposals and orders: the daily cycle's commands
 * (include/roboadvisor/engine_cycle.h, include/roboadvisor/store_cycle.h). Documented in
 * docs/cli.md#run-day and the sections after it. Money and quantities in JSON are exact decimal
 * strings; weights are fractions. */
#include "cli.h"

#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_fmt.h>
#include <roboadvisor/store_mandate.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS RA_CYCLE_MAX_THREADS

/* ---- shared ------------------------------------------------------------------------------------ */

static const char *money(ra_minor v, int digits, char b[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_minor(v, digits, b, RA_MONEY_FMT_SIZE);
}

static const char *qty(ra_micro v, char b[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_qty(v, b, RA_MONEY_FMT_SIZE);
}

static const char *price(ra_price v, char b[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_price(v, b, RA_MONEY_FMT_SIZE);
}

/* "drift,tlh" from RA_REASON_* bits. */
static const char *reasons(unsigned bits, char *b, size_t cap)
{
    size_t len = 0;
    b[0] = 0;
    for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
        if (bits & (1u << k))
            len += (size_t)snprintf(b + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "",
                                    ra_cycle_reason_name(k));
    return b;
}

static const char *const HELD_NAMES[] = {"min_trade", "lot_size", "cash",    "wash_sale",
                                         "no_trade",  "tax",      "buy_only", NULL};

static json_t *jmoney(ra_minor v, int digits)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(money(v, digits, b));
}

/* Opens the book; the firm must exist (cli_book_open_parts). */
static int open_firm_book(const char *cmd, const cli_book_args *args, cli_book *b)
{
    cli_book_args a = *args;
    a.need_firm = 1;
    return cli_book_open_parts(cmd, &a, b);
}

/* cli_parse_opts for a command that takes no arguments besides its options: 0, -1 after the help,
 * or the usage exit code. */
static int parse_no_args(const cli_opts_spec *spec, int argc, char **argv, void *o)
{
    int rc = cli_parse_opts(spec, argc, argv, o);
    return rc ? rc : cli_no_more_args(spec->cmd, argc, argv, optind);
}

/* A command with subcommands called without one, or with --help: prints its help, returns 1. */
static int wants_help(int argc, char **argv, void (*help)(void))
{
    if (argc >= 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)
        return 0;
    help();
    return 1;
}

/* ---- run-day ----------------------------------------------------------------------------------- */

typedef enum exec_mode { EXEC_NONE, EXEC_CLOSE } exec_mode;

/* The options of run-day (and of account show: the book, --date, --format). */
typedef struct run_opts {
    cli_book_args book;
    ra_date date, to;
    int have_date, have_to;
    exec_mode execute;
    size_t threads, batch, window;
    int have_window;
    int worker;
    double cash_reserve;
    int have_reserve;
    cli_format format;
} run_opts;

static const cli_opt run_options[] = {
    CLI_OPTS_BOOK(run_opts, book),
    CLI_O("date", CLI_OPT_DATE, run_opts, date, .have = CLI_HAVE(run_opts, have_date)),
    CLI_O("to", CLI_OPT_DATE, run_opts, to, .have = CLI_HAVE(run_opts, have_to)),
    CLI_O("execute", CLI_OPT_ENUM, run_opts, execute, .words = CLI_WORDS("none", "close"),
          .msg = "must be none or close: \"%s\""),
    CLI_O("threads", CLI_OPT_SIZE, run_opts, threads, .lo = 1, .hi = MAX_THREADS),
    CLI_O("batch", CLI_OPT_SIZE, run_opts, batch, .lo = 1, .hi = 1000000),
    CLI_O("window-days", CLI_OPT_SIZE, run_opts, window, .lo = 0, .hi = 366,
          .have = CLI_HAVE(run_opts, have_window)),
    CLI_O("cash-reserve", CLI_OPT_DOUBLE, run_opts, cash_reserve, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_HI, .msg = "must be in [0, 1): \"%s\"",
          .have = CLI_HAVE(run_opts, have_reserve)),
    CLI_O("format", CLI_OPT_FORMAT, run_opts, format),
    CLI_O("worker", CLI_OPT_FLAG, run_opts, worker),
    CLI_OPT_END};

static void run_help(void)
{
    printf(
        "usage: roboadvisor run-day --date D [--to D2] [--execute none|close] [--threads N]\n"
        "                           [--format table|json] [--firm CODE] [--db URL]\n"
        "                           [--key-file FILE] [--batch N] [--window-days N]\n"
        "                           [--cash-reserve F] [--worker]\n\n"
        "Runs the firm's daily cycle for trading day D: the day's splits and dividends applied,\n"
        "every account marked to market at D's closes (its value and the day's time-weighted\n"
        "return recorded), and a proposal for each account that needs trades (drift beyond its\n"
        "bands, cash to invest, losses to harvest, restricted holdings), each trade with its\n"
        "reasons, lots, estimated gains and the price and date it used. A discretionary\n"
        "account's proposal becomes orders at once; an advisory one waits for\n"
        "'roboadvisor proposals approve'. A day without a close for a security held or in a\n"
        "model is refused, naming the securities.\n\n"
        "  --execute close  fill every order of the day, and open orders of earlier days, at\n"
        "                   D's close (paper trading); default none: orders stay open until\n"
        "                   'roboadvisor import fills'\n"
        "  --to D2          run every day from D to D2 that has prices, in order (days without\n"
        "                   any price are skipped as non-trading days)\n"
        "  --threads N      threads computing the accounts (default 1); the database is\n"
        "                   written by one of them in account order, so the results never\n"
        "                   depend on N\n"
        "  --batch N        accounts per database transaction (default %d)\n"
        "  --window-days N  the wash-sale window in calendar days (default: the firm's,\n"
        "                   'roboadvisor settings show'; %d unless set)\n"
        "  --cash-reserve F the target's cash weight (default 0.01)\n"
        "  --worker         one of several processes sharing a PostgreSQL database: the\n"
        "                   first plans the day in batches of --batch accounts (whole\n"
        "                   households), each claims the next batch not done (FOR UPDATE\n"
        "                   SKIP LOCKED) and writes it in one transaction; the figures\n"
        "                   printed are this worker's. On SQLite, the ordinary run\n\n"
        "Re-running a day changes nothing: an account is written once per day with its\n"
        "proposal and orders (deterministic ids P-DATE-ACCOUNT, P-DATE-ACCOUNT-N), so a run\n"
        "that was killed is finished by running the day again.\n",
        RA_CYCLE_DEFAULT_BATCH, RA_CYCLE_DEFAULT_WINDOW_DAYS);
}

typedef struct progress_ctx {
    int on;
    ra_date date;
} progress_ctx;

static void progress(void *ctx, size_t done, size_t total)
{
    progress_ctx *p = ctx;
    if (!p->on || total == 0)
        return;
    char db[11];
    int width = 40, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu accounts", ra_date_format(p->date, db), fill,
            "########################################", width - fill, "", done, total);
    if (done == total)
        fputc('\n', stderr);
}

static void print_run_table(const ra_cycle_stats *st, ra_date d, const cli_book *b)
{
    char db[11], m1[RA_MONEY_FMT_SIZE], m2[RA_MONEY_FMT_SIZE];
    int md = b->firm.minor_digits;
    const char *cur = b->firm.currency;
    printf("run-day %s, firm %s (engine %s, configuration %.12s)\n", ra_date_format(d, db),
           b->firm.code, st->engine_version, st->config_hash);
    printf("  accounts             %zu: processed %zu, done by an earlier run %zu, without a "
           "model %zu\n", st->accounts, st->processed, st->skipped, st->no_model);
    printf("  proposals            %zu: advisory, waiting for approval %zu\n", st->proposals,
           st->pending);
    printf("  trades               %zu: ", st->trades);
    for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
        printf("%s%s %zu", k ? ", " : "", ra_cycle_reason_name(k), st->trades_by_reason[k]);
    printf("\n  orders               %zu created, %zu filled at the close\n", st->orders, st->fills);
    printf("  out of band          %zu before trading, %zu after\n", st->out_of_band_before,
           st->out_of_band_after);
    printf("  dividends credited   %s %s\n", money(st->dividends_minor, md, m1), cur);
    printf("  withdrawals paid     %s %s (instructed; accounts whose cash fell short %zu)\n",
           money(st->withdrawals_minor, md, m1), cur, st->withdrawals_short);
    printf("  losses harvested     %s %s (estimated tax value %s %s)\n",
           money(st->harvested_minor, md, m1), cur,
           money((ra_minor)llround(st->harvest_tax_value), md, m2), cur);
    printf("  value at the close   %s %s (accounts processed by this run)\n",
           money(st->value_minor, md, m1), cur);
    printf("  loss limits          %zu crossed today (suspended, open orders cancelled, client "
           "and advisor notified); %zu suspended before, no proposal until re-authorised\n",
           st->loss_limit_crossed, st->suspended);
    printf("  risk rules fired     %zu ('rules firings')\n", st->rules_fired);
    if (st->firm_rules)
        printf("  firm rules           %zu cuts of proposals ('firm-rules show'); largest crowd "
               "%d accounts on one identical target (%s)\n", st->firm_cuts, st->crowd,
               st->crowd_account[0] ? st->crowd_account : "none");
    if (st->crowding)
        printf("  anti-crowding        at most %d account%s on one identical target: largest %d "
               "(%s), %d before the variants; %d accounts on a variant, %d over the limit (no "
               "variant within the tracking-error budget)\n", st->crowding,
               st->crowding == 1 ? "" : "s", st->crowd,
               st->crowd_account[0] ? st->crowd_account : "none", st->crowd_base,
               st->crowd_varied, st->crowd_unmet);
}

static json_t *run_json(const ra_cycle_stats *st, ra_date d, const cli_book *b)
{
    int md = b->firm.minor_digits;
    json_t *by = json_object(), *held = json_object();
    for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
        json_object_set_new(by, ra_cycle_reason_name(k),
                            json_integer((json_int_t)st->trades_by_reason[k]));
    for (unsigned k = 0; HELD_NAMES[k]; k++)
        json_object_set_new(held, HELD_NAMES[k], json_integer((json_int_t)st->held_back[k]));
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, "
        "s:s, s:o, s:o, s:o, s:o}",
        "date", cli_jdate(d), "firm", b->firm.code, "engine_version", st->engine_version,
        "config_hash", st->config_hash, "accounts", (json_int_t)st->accounts, "processed",
        (json_int_t)st->processed, "skipped", (json_int_t)st->skipped, "no_model",
        (json_int_t)st->no_model, "proposals", (json_int_t)st->proposals, "pending",
        (json_int_t)st->pending, "trades", (json_int_t)st->trades, "trades_by_reason", by,
        "orders", (json_int_t)st->orders, "fills", (json_int_t)st->fills, "out_of_band_before",
        (json_int_t)st->out_of_band_before, "out_of_band_after", (json_int_t)st->out_of_band_after,
        "held_back", held, "currency", b->firm.currency, "dividends",
        jmoney(st->dividends_minor, md), "harvested", jmoney(st->harvested_minor, md),
        "harvest_tax_value", jmoney((ra_minor)llround(st->harvest_tax_value), md), "value",
        jmoney(st->value_minor, md));
    json_object_set_new(o, "withdrawals", jmoney(st->withdrawals_minor, md));
    json_object_set_new(o, "withdrawals_short", json_integer((json_int_t)st->withdrawals_short));
    json_object_set_new(o, "loss_limit_crossed", json_integer((json_int_t)st->loss_limit_crossed));
    json_object_set_new(o, "suspended", json_integer((json_int_t)st->suspended));
    json_object_set_new(o, "rules_fired", json_integer((json_int_t)st->rules_fired));
    if (st->firm_rules) /* only with the firm rules on: the document is otherwise unchanged */
        json_object_set_new(o, "firm_rules",
                            json_pack("{s:I, s:i, s:s?}", "cuts", (json_int_t)st->firm_cuts,
                                      "largest_crowd", st->crowd, "crowd_account",
                                      st->crowd_account[0] ? st->crowd_account : NULL));
    if (st->crowding)
        json_object_set_new(o, "crowding",
                            json_pack("{s:i, s:i, s:s?, s:i, s:i, s:i}", "max_identical",
                                      st->crowding, "largest_crowd", st->crowd, "crowd_account",
                                      st->crowd_account[0] ? st->crowd_account : NULL,
                                      "largest_before", st->crowd_base, "varied",
                                      st->crowd_varied, "unmet", st->crowd_unmet));
    cli_json_units(o, "dividends", "currency", "harvested", "currency", "harvest_tax_value",
                   "currency", "value", "currency", "withdrawals", "currency", NULL);
    return o;
}

/* One line a day for --to. */
static void print_day_line(const ra_cycle_stats *st, ra_date d, const cli_book *b, int header)
{
    char db[11], m1[RA_MONEY_FMT_SIZE], m2[RA_MONEY_FMT_SIZE];
    int md = b->firm.minor_digits;
    if (header)
        printf("%-10s %8s %9s %7s %7s %6s %10s %11s %16s %18s\n", "date", "accounts", "proposals",
               "pending", "orders", "filled", "tlh trades", "out of band", "harvested",
               "value at close");
    printf("%-10s %8zu %9zu %7zu %7zu %6zu %10zu %11zu %12s %s %14s %s\n", ra_date_format(d, db),
           st->processed, st->proposals, st->pending, st->orders, st->fills,
           st->trades_by_reason[4], st->out_of_band_after, money(st->harvested_minor, md, m1),
           b->firm.currency, money(st->value_minor, md, m2), b->firm.currency);
}

/* The summary of a range: totals over its days, and the last day's state. */
static void print_range_summary(const ra_cycle_stats *t, const ra_cycle_stats *last, ra_date d,
                                size_t ran, size_t skipped_days, const cli_book *b)
{
    char db[11], m1[RA_MONEY_FMT_SIZE], m2[RA_MONEY_FMT_SIZE];
    int md = b->firm.minor_digits;
    const char *cur = b->firm.currency;
    printf("\nsummary: %zu trading days run, %zu days without prices skipped\n", ran, skipped_days);
    if (!ran)
        return;
    printf("  account-days processed   %zu\n", t->processed);
    printf("  proposals                %zu; orders %zu, filled at the close %zu\n", t->proposals,
           t->orders, t->fills);
    printf("  trades by reason         ");
    for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
        printf("%s%s %zu", k ? ", " : "", ra_cycle_reason_name(k), t->trades_by_reason[k]);
    printf("\n  dividends credited       %s %s\n", money(t->dividends_minor, md, m1), cur);
    printf("  withdrawals paid         %s %s (instructed)\n", money(t->withdrawals_minor, md, m1),
           cur);
    printf("  losses harvested         %s %s (estimated tax value %s %s)\n",
           money(t->harvested_minor, md, m1), cur,
           money((ra_minor)llround(t->harvest_tax_value), md, m2), cur);
    printf("  on the last day, %s:\n", ra_date_format(d, db));
    printf("    advisory proposals waiting for approval  %zu ('proposals list --status pending')\n",
           last->pending);
    printf("    accounts out of band after trading       %zu (each with its reason in its "
           "proposal)\n", last->out_of_band_after);
    printf("    value of the accounts at the close       %s %s\n",
           money(last->value_minor, md, m1), cur);
    if (t->crowding) /* the range's largest figures (ra_cycle_stats_add) */
        printf("  anti-crowding            at most %d account%s on one identical target: largest "
               "crowd %d on any day (%d before the variants), up to %d accounts on a variant and "
               "%d over the limit on a day\n", t->crowding, t->crowding == 1 ? "" : "s",
               t->crowd, t->crowd_base, t->crowd_varied, t->crowd_unmet);
}

/* The start of run-day and replay: the options with their defaults (--date required: what it
 * is, `what`), the book opened, the cycle's options set. 0; -1 after the help; or the exit code
 * (the book is then not open). */
static int day_setup(const cli_opts_spec *spec, int argc, char **argv, const char *what,
                     run_opts *o, cli_book *b, ra_cycle_options *co)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
    o->batch = RA_CYCLE_DEFAULT_BATCH;
    int rc = parse_no_args(spec, argc, argv, o);
    if (rc == 0 && !o->have_date)
        rc = cli_usage(spec->cmd, "--date D is required (%s)", what);
    if (rc == 0 && o->have_to && o->to < o->date)
        rc = cli_usage(spec->cmd, "--to must not be before --date");
    if (rc == 0)
        rc = open_firm_book(spec->cmd, &o->book, b);
    ra_cycle_options_default(co);
    co->date = o->date;
    co->execute_close = o->execute == EXEC_CLOSE;
    co->batch = o->batch;
    co->threads = (unsigned)o->threads;
    if (o->have_window)
        co->window_days = (int)o->window;
    else if (rc == 0) { /* the firm's window */
        ra_err err = {0};
        if (ra_store_firm_wash_window(b->s, b->firm.code, &co->window_days, &err) != RA_OK) {
            rc = cli_fail(spec->cmd, &err);
            cli_book_close(b);
        }
    }
    if (o->have_reserve)
        co->cash_reserve = o->cash_reserve;
    return rc;
}

/* The body of run-day, on the open book. */
static int run_days(const char *CMD, run_opts *op, cli_book *bp, ra_cycle_options *cop)
{
    const run_opts o = *op;
    cli_book b = *bp;
    ra_cycle_options co = *cop;
    int rc = 0;
    progress_ctx pc = {o.have_to && isatty(STDERR_FILENO) && o.format == CLI_FORMAT_TABLE, 0};
    co.progress = progress;
    co.progress_ctx = &pc;
    ra_date last = o.have_to ? o.to : o.date;
    json_t *days = o.have_to ? json_array() : NULL;
    size_t ran = 0, skipped_days = 0;
    ra_cycle_stats total, prev;
    memset(&total, 0, sizeof total);
    memset(&prev, 0, sizeof prev);
    ra_date last_run = 0;
    ra_err err = {0};
    char worker[96], host[64] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = 0;
    snprintf(worker, sizeof worker, "%s:%ld", host, (long)getpid());
    for (ra_date d = o.date; d <= last && rc == 0; d++) {
        co.date = d;
        pc.date = d;
        ra_cycle_stats st;
        memset(&err, 0, sizeof err);
        ra_status s = o.worker ? ra_cycle_run_worker(b.s, &b.actor, &co, worker, &st, &err)
                               : ra_cycle_run_day(b.s, &b.actor, &co, &st, &err);
        if (s == RA_ENOTFOUND && o.have_to && strstr(err.msg, "not a trading day")) {
            skipped_days++; /* a weekend or a holiday inside the range */
            continue;
        }
        if (s != RA_OK) {
            rc = cli_fail(CMD, &err);
            break;
        }
        ran++;
        ra_cycle_stats_add(&total, &st); /* the last day's states are printed from prev */
        prev = st;
        last_run = d;
        if (o.format == CLI_FORMAT_JSON) {
            json_t *j = run_json(&st, d, &b);
            if (days)
                json_array_append_new(days, j);
            else
                rc = cli_json_print(j);
        } else if (o.have_to)
            print_day_line(&st, d, &b, ran == 1);
        else
            print_run_table(&st, d, &b);
    }
    if (rc == 0 && days && o.format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "from", cli_jdate(o.date));
        json_object_set_new(doc, "to", cli_jdate(o.to));
        json_object_set_new(doc, "days_run", json_integer((json_int_t)ran));
        json_object_set_new(doc, "days_without_prices", json_integer((json_int_t)skipped_days));
        json_object_set_new(doc, "days", days);
        days = NULL;
        rc = cli_json_print(doc);
    } else if (rc == 0 && o.have_to)
        print_range_summary(&total, &prev, last_run, ran, skipped_days, &b);
    json_decref(days);
    return rc;
}

/* ---- replay ---------------------------------------------------------------------------------- */

static const cli_opt replay_options[] = {
    CLI_OPTS_BOOK(run_opts, book),
    CLI_O("date", CLI_OPT_DATE, run_opts, date, .have = CLI_HAVE(run_opts, have_date)),
    CLI_O("window-days", CLI_OPT_SIZE, run_opts, window, .lo = 0, .hi = 366,
          .have = CLI_HAVE(run_opts, have_window)),
    CLI_O("cash-reserve", CLI_OPT_DOUBLE, run_opts, cash_reserve, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_HI, .msg = "must be in [0, 1): \"%s\"",
          .have = CLI_HAVE(run_opts, have_reserve)),
    CLI_O("format", CLI_OPT_FORMAT, run_opts, format), CLI_OPT_END};

static void replay_help(void)
{
    printf("usage: roboadvisor replay --date D [--format table|json] [--firm CODE] [--db URL]\n"
           "                          [--key-file FILE] [--window-days N] [--cash-reserve F]\n\n"
           "Recomputes the recorded day D from the stored inputs and compares every proposal and\n"
           "order the run made with the record: exit 0 when all are identical, 1 naming the\n"
           "first difference. The book is put back as it was when D's cycle began inside a\n"
           "transaction that is rolled back: nothing is written. Give the options D ran with\n"
           "(defaults as run-day's); fills at the close are inferred from the record.\n");
}

/* The body of replay, on the open book. */
static int replay_day(const char *CMD, run_opts *op, cli_book *bp, ra_cycle_options *cop)
{
    const run_opts o = *op;
    cli_book b = *bp;
    ra_cycle_options co = *cop;
    int rc = 0;
    ra_cycle_replay_result res;
    ra_err err = {0};
    char db[11];
    if (ra_cycle_replay(b.s, &b.actor, &co, &res, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.format == CLI_FORMAT_JSON) {
        rc = cli_json_print(json_pack(
            "{s:o, s:b, s:I, s:I, s:I, s:b, s:o}", "date", cli_jdate(o.date), "identical",
            res.identical, "accounts", (json_int_t)res.accounts, "proposals",
            (json_int_t)res.proposals, "orders", (json_int_t)res.orders, "execute_close",
            res.execute_close, "difference",
            res.identical ? json_null() : json_string(res.difference)));
        rc = rc ? rc : !res.identical;
    } else {
        printf("replay of %s (%s): %zu accounts recomputed; %zu proposals and %zu orders of the "
               "run compared with the record: %s\n",
               ra_date_format(o.date, db), res.execute_close ? "fills at the close" : "no fills",
               res.accounts, res.proposals, res.orders,
               res.identical ? "identical" : "DIFFERENT");
        if (!res.identical) {
            printf("first difference: %s\n", res.difference);
            rc = CLI_EXIT_DATA;
        }
    }
    return rc;
}

typedef int day_body(const char *cmd, run_opts *o, cli_book *b, ra_cycle_options *co);

/* run-day and replay: the options, the book, the body, the book closed. */
static int day_command(int argc, char **argv, const char *cmd, const cli_opt *opts,
                       void (*help)(void), const char *what, day_body *body)
{
    run_opts o;
    cli_book b;
    ra_cycle_options co;
    const cli_opts_spec spec = {cmd, opts, help, 0, 0};
    int rc = day_setup(&spec, argc, argv, what, &o, &b, &co);
    if (rc)
        return rc < 0 ? 0 : rc;
    rc = body(cmd, &o, &b, &co);
    cli_book_close(&b);
    return rc;
}

int cmd_run_day(int argc, char **argv)
{
    return day_command(argc, argv, "run-day", run_options, run_help, "the trading day to run",
                       run_days);
}

int cmd_replay(int argc, char **argv)
{
    return day_command(argc, argv, "replay", replay_options, replay_help,
                       "the recorded day to replay", replay_day);
}

/* ---- account show ------------------------------------------------------------------------------ */

static const cli_opt acct_options[] = {
    CLI_OPTS_BOOK(run_opts, book),
    CLI_O("date", CLI_OPT_DATE, run_opts, date, .have = CLI_HAVE(run_opts, have_date)),
    CLI_O("format", CLI_OPT_FORMAT, run_opts, format), CLI_OPT_END};

static void acct_help(void)
{
    printf("usage: roboadvisor account show ACCOUNT [--date D] [--format table|json]\n"
           "                                [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "The account as of day D (default: the latest day the cycle ran for it, else today):\n"
           "its mandate and status (in_band, out_of_band, or no_target without a model), cash,\n"
           "every holding (quantity, the latest close on or before D and its date, value, weight,\n"
           "target weight, drift = weight - target), the total drift (half the sum of absolute\n"
           "deviations, cash included) and the open proposal if any.\n");
}

static ra_date latest_day(cli_book *b, const char *account)
{
    ra_cycle_value *v = NULL;
    size_t n = 0;
    ra_err err = {0};
    ra_date d = 0;
    if (ra_store_daily_values(b->s, b->firm.code, account, 0, 0, &v, &n, &err) == RA_OK && n)
        d = v[n - 1].date;
    ra_store_free(v);
    return d ? d : cli_today();
}

static int account_json(const ra_account_view *v, int md)
{
    char b1[RA_MONEY_FMT_SIZE];
    json_t *doc = json_object(), *hs = json_array();
    json_object_set_new(doc, "account", json_string(v->account));
    json_object_set_new(doc, "date", cli_jdate(v->date));
    json_object_set_new(doc, "status", json_string(v->status));
    json_object_set_new(doc, "currency", json_string(v->acct.currency));
    json_object_set_new(doc, "cash", jmoney(v->cash_minor, md));
    json_object_set_new(doc, "value", jmoney(v->value_minor, md));
    json_object_set_new(doc, "drift", cli_jnum(v->drift));
    json_object_set_new(doc, "max_deviation", cli_jnum(v->max_dev));
    json_object_set_new(doc, "cash_weight", cli_jnum(v->cash_weight));
    json_object_set_new(doc, "cash_target", cli_jnum(v->cash_target));
    for (size_t i = 0; i < v->n; i++) {
        const ra_account_holding *h = &v->h[i];
        json_t *x = json_object();
        json_object_set_new(x, "ticker", json_string(h->ticker));
        json_object_set_new(x, "qty", json_string(qty(h->qty_micro, b1)));
        json_object_set_new(x, "price", h->price ? json_string(price(h->price, b1)) : json_null());
        json_object_set_new(x, "price_date", h->price ? cli_jdate(h->price_date) : json_null());
        json_object_set_new(x, "value", jmoney(h->value_minor, md));
        json_object_set_new(x, "weight", cli_jnum(h->weight));
        json_object_set_new(x, "target", cli_jnum(h->target));
        json_object_set_new(x, "drift", cli_jnum(h->drift));
        json_object_set_new(x, "model_target", cli_jnum(h->model_target));
        json_array_append_new(hs, x);
    }
    json_object_set_new(doc, "holdings", hs);
    if (v->objectives) { /* the client's objectives and what they did (objective.h) */
        const ra_mandate *o = &v->acct.mandate;
        const ra_client_effect *e = &v->effect;
        json_t *ob = json_pack("{s:o, s:o, s:o, s:o, s:b}", "risk_aversion",
                               cli_jnum(o->risk_aversion), "te_penalty", cli_jnum(o->te_penalty),
                               "turnover_penalty", cli_jnum(o->turnover_penalty), "cvar_limit",
                               cli_jnum(o->cvar_limit), "applied", v->objectives_applied);
        if (v->objectives_applied)
            json_object_set_new(
                ob, "effect",
                json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
                          "implied_risk_aversion", cli_jnum(e->delta), "risk_aversion_used",
                          cli_jnum(e->r_used), "tracking_error", cli_jnum(e->te_ann), "moved",
                          cli_jnum(e->l1), "volatility_before", cli_jnum(e->vol_before),
                          "volatility_after", cli_jnum(e->vol_after), "return_before",
                          cli_jnum(e->ret_before), "return_after", cli_jnum(e->ret_after),
                          "cvar_before", cli_jnum(e->cvar_before), "cvar_after",
                          cli_jnum(e->cvar_after), "turnover_before", cli_jnum(e->turn_before),
                          "turnover_after", cli_jnum(e->turn_after), "cvar_met", e->cvar_met));
        json_object_set_new(doc, "objectives", ob);
    }
    const ra_mandate *md_ = &v->acct.mandate;
    json_t *m = json_pack("{s:s, s:b, s:o, s:b, s:o, s:s}", "model", md_->model, "discretionary",
                          md_->discretionary, "drift_band", cli_jnum(md_->drift_band), "tlh",
                          md_->tlh_enabled, "loss_limit", cli_jnum(md_->loss_limit),
                          "restrictions", md_->restrictions);
    json_object_set_new(doc, "mandate", m);
    json_object_set_new(doc, "open_proposal",
                        v->proposal[0] ? json_string(v->proposal) : json_null());
    cli_json_units(doc, "cash", "currency", "value", "currency", "drift", "fraction",
                   "holdings.qty", "shares", "holdings.price", "currency per share",
                   "holdings.value", "currency", "holdings.weight", "fraction",
                   "holdings.model_target", "fraction", "objectives.effect.tracking_error",
                   "fraction a year", "objectives.effect.volatility_before", "fraction a year",
                   "objectives.effect.volatility_after", "fraction a year",
                   "objectives.effect.return_before", "fraction a year (implied)",
                   "objectives.effect.return_after", "fraction a year (implied)",
                   "objectives.effect.cvar_before", "fraction of the account in one day",
                   "objectives.effect.cvar_after", "fraction of the account in one day",
                   "objectives.effect.moved", "fraction, one way",
                   "objectives.effect.turnover_before", "fraction traded, one way",
                   "objectives.effect.turnover_after", "fraction traded, one way", NULL);
    return cli_json_print(doc);
}

static void account_table(const ra_account_view *v, int md)
{
    char db[11], b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE], b3[RA_MONEY_FMT_SIZE], pd[11];
    const ra_mandate *m = &v->acct.mandate;
    printf("account %s on %s: %s\n", v->account, ra_date_format(v->date, db), v->status);
    printf("mandate: model %s, %s, drift band %.4g, tax-loss harvesting %s, loss limit %.4g%s%s\n",
           m->model[0] ? m->model : "(none)", m->discretionary ? "discretionary" : "advisory",
           m->drift_band, m->tlh_enabled ? "on" : "off", m->loss_limit,
           m->restrictions[0] ? ", restricted: " : "", m->restrictions);
    printf("value %s %s, cash %s %s (weight %.4f, target %.4f)\n", money(v->value_minor, md, b1),
           v->acct.currency, money(v->cash_minor, md, b2), v->acct.currency, v->cash_weight,
           v->cash_target);
    printf("%-8s %16s %14s %10s %16s %8s %8s %8s\n", "ticker", "qty (shares)", "price", "as of",
           "value", "weight", "target", "drift");
    for (size_t i = 0; i < v->n; i++) {
        const ra_account_holding *h = &v->h[i];
        printf("%-8s %16s %14s %10s %16s %8.4f %8.4f %+8.4f\n", h->ticker, qty(h->qty_micro, b1),
               h->price ? price(h->price, b2) : "-", h->price ? ra_date_format(h->price_date, pd) : "-",
               money(h->value_minor, md, b3), h->weight, h->target, h->drift);
    }
    printf("drift %.4f (half the sum of absolute deviations), largest deviation %.4f\n", v->drift,
           v->max_dev);
    if (v->objectives && !v->objectives_applied)
        printf("client objectives: not applied (no estimate for every security of the target: "
               "the model's target)\n");
    if (v->objectives_applied) {
        const ra_client_effect *e = &v->effect;
        printf("client objectives: risk aversion %.4g x the model's (%.4g used), tracking-error "
               "penalty %.4g, turnover penalty %.4g a year, CVaR limit %.4g\n",
               m->risk_aversion ? m->risk_aversion : 1.0, e->r_used, m->te_penalty,
               m->turnover_penalty, m->cvar_limit);
        printf("  their effect on the target: %.2f %% of the account moved (one way), tracking "
               "error %.2f %% a year\n", 100 * e->l1, 100 * e->te_ann);
        printf("  volatility %.2f %% -> %.2f %% a year; implied return %.2f %% -> %.2f %% a year\n",
               100 * e->vol_before, 100 * e->vol_after, 100 * e->ret_before, 100 * e->ret_after);
        printf("  one day's 95 %% CVaR %.2f %% -> %.2f %% of the account%s\n", 100 * e->cvar_before,
               100 * e->cvar_after, m->cvar_limit > 0 && !e->cvar_met ? " (limit not met)" : "");
        printf("  trading to the target from today's holdings: %.2f %% -> %.2f %% of the account "
               "(one way)\n",
               100 * e->turn_before, 100 * e->turn_after);
        printf("%-8s %14s %8s\n", "ticker", "model target", "target");
        for (size_t i = 0; i < v->n; i++)
            if (v->h[i].model_target > 0 || v->h[i].target > 0)
                printf("%-8s %14.4f %8.4f\n", v->h[i].ticker, v->h[i].model_target, v->h[i].target);
    }
    printf("open proposal: %s\n", v->proposal[0] ? v->proposal : "none");
}

int cmd_account(int argc, char **argv)
{
    static const char *const CMD = "account show";
    if (wants_help(argc, argv, acct_help))
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    if (strcmp(argv[1], "show") != 0)
        return cli_usage("account", "unknown subcommand \"%s\" (account show ACCOUNT)", argv[1]);
    run_opts o; /* account show takes the book, --date and --format of run-day's */
    memset(&o, 0, sizeof o);
    const cli_opts_spec spec = {CMD, acct_options, acct_help, 0, 2};
    const char *account = NULL;
    int rc = cli_parse_one_arg(&spec, argc, argv, &o, "name the account: account show ACCOUNT",
                               &account);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_firm_book(CMD, &o.book, &b)) != 0)
        return rc;
    ra_account_view v;
    memset(&v, 0, sizeof v); /* cleared below whatever failed */
    ra_err err = {0};
    ra_date d = o.have_date ? o.date : latest_day(&b, account);
    /* the account's own reserve and relative band: its current mandate */
    ra_mandate_version mv;
    ra_status s = ra_store_mandate_get(b.s, b.firm.code, account, 0, &mv, &err);
    if (s == RA_OK)
        s = ra_account_view_compute(b.s, b.firm.code, account, d, mv.mandate.cash_reserve,
                                    mv.mandate.band_rel, &v, &err);
    if (s != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.format == CLI_FORMAT_JSON)
        rc = account_json(&v, b.firm.minor_digits);
    else
        account_table(&v, b.firm.minor_digits);
    ra_account_view_clear(&v);
    cli_book_close(&b);
    return rc;
}

/* ---- proposals and orders ---------------------------------------------------------------------- */

typedef enum list_format { L_TABLE, L_JSON, L_CSV } list_format;

/* The options of proposals and orders: the book, the filters, the decision's trades and reason
 * (proposals only) and the format. */
typedef struct list_opts {
    cli_book_args book;
    ra_date date;
    const char *account, *status, *trades, *reason;
    list_format format;
} list_opts;

#define LIST_OPTS                                                                                 \
    CLI_OPTS_BOOK(list_opts, book), CLI_O("date", CLI_OPT_DATE, list_opts, date),                \
    CLI_O("account", CLI_OPT_STR, list_opts, account),                                          \
    CLI_O("format", CLI_OPT_ENUM, list_opts, format,                                            \
          .words = CLI_WORDS("table", "json", "csv"), .msg = "must be table, json or csv: \"%s\"")

static const cli_opt prop_options[] = {
    LIST_OPTS,
    CLI_O("status", CLI_OPT_WORD, list_opts, status,
          .words = CLI_WORDS("pending", "confirming", "approved", "rejected", "executed",
                             "lapsed"),
          .msg = "must be pending, confirming, approved, rejected, executed or lapsed: \"%s\""),
    CLI_O("trades", CLI_OPT_STR, list_opts, trades),
    CLI_O("reason", CLI_OPT_STR, list_opts, reason), CLI_OPT_END};

static void prop_help(void)
{
    printf("usage: roboadvisor proposals list [--date D] [--account A]\n"
           "                      [--status pending|confirming|approved|rejected|executed|lapsed]\n"
           "                      [--format table|json]\n"
           "       roboadvisor proposals show ID [--format table|json]\n"
           "       roboadvisor proposals approve ID [--trades N,M] [--reason TEXT]\n"
           "       roboadvisor proposals reject ID [--trades N,M] --reason TEXT\n"
           "       roboadvisor proposals confirm ID [--reason TEXT]\n"
           "       roboadvisor proposals decline ID --reason TEXT\n"
           "   (each with [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "The daily cycle's proposals. approve: the trades numbered N,M (default all) become\n"
           "orders dated the proposal's day, the others are rejected; reject: the trades N,M\n"
           "(default all) are rejected, the others approved. A proposal is decided once; every\n"
           "decision is audited with who ($ROBOADVISOR_USER) and why. Under a mandate that asks\n"
           "for the client's confirmation an approved proposal is 'confirming': confirm records\n"
           "the client's yes (the orders are made), decline the client's no; unconfirmed, it\n"
           "lapses at the next day's run-day.\n");
}

static json_t *proposal_json(const ra_cycle_proposal *p, int md)
{
    char b[RA_MONEY_FMT_SIZE], rs[128];
    json_t *o = json_object(), *tr = json_array();
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "account", json_string(p->account));
    json_object_set_new(o, "date", cli_jdate(p->date));
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "discretionary", json_boolean(p->discretionary));
    json_object_set_new(o, "value", jmoney(p->value_minor, md));
    json_object_set_new(o, "drift_before", cli_jnum(p->drift_before));
    json_object_set_new(o, "drift_after", cli_jnum(p->drift_after));
    json_object_set_new(o, "max_deviation_before", cli_jnum(p->max_dev_before));
    json_object_set_new(o, "max_deviation_after", cli_jnum(p->max_dev_after));
    json_t *held = json_array();
    for (unsigned k = 0; HELD_NAMES[k]; k++)
        if (p->held_back & (1u << k))
            json_array_append_new(held, json_string(HELD_NAMES[k]));
    json_object_set_new(o, "held_back", held);
    json_object_set_new(o, "engine_version", json_string(p->engine_version));
    json_object_set_new(o, "config_hash", json_string(p->config_hash));
    json_object_set_new(o, "supersedes", p->supersedes[0] ? json_string(p->supersedes) : json_null());
    json_object_set_new(o, "decided_by", p->decided_by[0] ? json_string(p->decided_by) : json_null());
    json_object_set_new(o, "reason", p->decided_reason[0] ? json_string(p->decided_reason)
                                                         : json_null());
    for (size_t i = 0; i < p->n_trades; i++) {
        const ra_cycle_trade *t = &p->trades[i];
        json_t *x = json_object(), *lots = json_array(), *rj = json_array();
        json_object_set_new(x, "n", json_integer(t->n));
        json_object_set_new(x, "ticker", json_string(t->ticker));
        json_object_set_new(x, "side", json_string(t->side > 0 ? "buy" : "sell"));
        json_object_set_new(x, "qty", json_string(qty(t->qty_micro, b)));
        json_object_set_new(x, "price", json_string(price(t->price, b)));
        json_object_set_new(x, "price_date", cli_jdate(t->price_date));
        json_object_set_new(x, "value", jmoney(t->value_minor, md));
        reasons(t->reasons, rs, sizeof rs);
        for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
            if (t->reasons & (1u << k))
                json_array_append_new(rj, json_string(ra_cycle_reason_name(k)));
        json_object_set_new(x, "reasons", rj);
        json_object_set_new(x, "gain_short", jmoney(t->gain_short_minor, md));
        json_object_set_new(x, "gain_long", jmoney(t->gain_long_minor, md));
        json_object_set_new(x, "risk_level", json_integer(t->risk_level));
        json_object_set_new(x, "status", json_string(t->status));
        for (size_t k = 0; k < t->n_picks; k++) {
            const ra_cycle_pick *pk = &p->picks[t->first_pick + k];
            json_t *l = json_object();
            json_object_set_new(l, "lot_id", json_integer((json_int_t)pk->lot_id));
            json_object_set_new(l, "qty", json_string(qty(pk->qty_micro, b)));
            json_array_append_new(lots, l);
        }
        json_object_set_new(x, "lots", lots);
        json_array_append_new(tr, x);
    }
    json_object_set_new(o, "trades", tr);
    if (p->firm_cuts[0])
        json_object_set_new(o, "firm_cuts", cli_firm_cuts_json(p->firm_cuts));
    return o;
}

static void proposal_table(const ra_cycle_proposal *p, int md, const char *cur, int trades)
{
    char db[11], b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE], b3[RA_MONEY_FMT_SIZE], rs[128];
    printf("%s  %s  %s  %-9s %s  value %s %s  drift %.4f -> %.4f  %zu trade%s\n", p->id,
           p->account, ra_date_format(p->date, db), p->status,
           p->discretionary ? "discretionary" : "advisory", money(p->value_minor, md, b1), cur,
           p->drift_before, p->drift_after, p->n_trades, p->n_trades == 1 ? "" : "s");
    if (!trades)
        return;
    if (p->decided_by[0] || p->decided_reason[0])
        printf("  decided by %s: %s\n", p->decided_by[0] ? p->decided_by : "the mandate",
               p->decided_reason);
    printf("  engine %s, configuration %s\n", p->engine_version, p->config_hash);
    if (p->firm_cuts[0])
        printf("  cut by the firm rules: %s\n", p->firm_cuts);
    printf("  %3s %-4s %-8s %14s %12s %10s %14s %12s %12s %4s %-9s %s\n", "n", "side", "ticker",
           "qty (shares)", "price", "as of", "value", "gain short", "gain long", "risk",
           "status", "reasons");
    for (size_t i = 0; i < p->n_trades; i++) {
        const ra_cycle_trade *t = &p->trades[i];
        char q[RA_MONEY_FMT_SIZE], pr[RA_MONEY_FMT_SIZE];
        printf("  %3d %-4s %-8s %14s %12s %10s %14s %12s %12s R%d   %-9s %s\n", t->n,
               t->side > 0 ? "buy" : "sell", t->ticker, qty(t->qty_micro, q), price(t->price, pr),
               ra_date_format(t->price_date, db), money(t->value_minor, md, b1),
               money(t->gain_short_minor, md, b2), money(t->gain_long_minor, md, b3),
               t->risk_level, t->status, reasons(t->reasons, rs, sizeof rs));
    }
}

/* "1,3" into numbers (malloc'd). */
static int parse_trades(const char *cmd, const char *s, int **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!s)
        return 0;
    char **items = NULL, *storage = NULL;
    size_t k = 0;
    int rc = cli_split_list(cmd, "--trades", s, &items, &k, &storage);
    if (rc)
        return rc;
    int *v = calloc(k ? k : 1, sizeof *v);
    for (size_t i = 0; v && i < k && rc == 0; i++) {
        size_t x = 0;
        rc = cli_parse_size(cmd, "--trades", items[i], 1, 100000, &x);
        v[i] = (int)x;
    }
    free(items);
    free(storage);
    if (!v)
        return cli_usage(cmd, "too many --trades");
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

/* 1 if a decided proposal has rejected trades (a rejection, or an approval of some trades). */
static int rejected_any(cli_book *b, const char *id)
{
    ra_cycle_proposal p;
    ra_err err = {0};
    if (ra_store_proposal_get(b->s, b->firm.code, id, &p, &err) != RA_OK)
        return 0;
    int any = 0;
    for (size_t k = 0; k < p.n_trades; k++)
        any |= strcmp(p.trades[k].status, "rejected") == 0;
    ra_cycle_proposal_clear(&p);
    return any;
}

/* After a decision that rejected trades: the account re-evaluated that day from where the
 * approved ones leave it, without the rejected ones; prints the new proposal (or that there is
 * none). */
static int reevaluate(const char *cmd, cli_book *b, const char *id)
{
    ra_cycle_options co;
    ra_cycle_options_default(&co);
    char new_id[RA_CYCLE_ID_MAX];
    size_t n = 0;
    ra_err err = {0};
    if (ra_cycle_reevaluate(b->s, &b->actor, &co, id, new_id, &n, &err) != RA_OK)
        return cli_fail(cmd, &err);
    if (new_id[0])
        printf("re-evaluated without the rejected trades: proposal %s, %zu trade%s, pending "
               "('roboadvisor proposals show %s')\n", new_id, n, n == 1 ? "" : "s", new_id);
    else
        printf("re-evaluated without the rejected trades: nothing else is worth proposing today\n");
    return 0;
}

int cmd_proposals(int argc, char **argv)
{
    if (wants_help(argc, argv, prop_help))
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    const char *sub = argv[1];
    int list = strcmp(sub, "list") == 0, show = strcmp(sub, "show") == 0;
    int approve = strcmp(sub, "approve") == 0, reject = strcmp(sub, "reject") == 0;
    int confirm = strcmp(sub, "confirm") == 0, decline = strcmp(sub, "decline") == 0;
    if (!list && !show && !approve && !reject && !confirm && !decline)
        return cli_usage("proposals", "unknown subcommand \"%s\" (list, show, approve, reject, "
                         "confirm, decline)", sub);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "proposals %s", sub);
    list_opts o = {0};
    const cli_opts_spec spec = {cmd, prop_options, prop_help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *id = NULL;
    if (!list) {
        if (optind >= argc)
            return cli_usage(cmd, "name the proposal: proposals %s ID", sub);
        id = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    if ((reject || decline) && (!o.reason || !o.reason[0]))
        return cli_usage(cmd, "--reason TEXT is required: say why the trades are %s",
                         reject ? "rejected" : "declined");
    if (o.reason && strlen(o.reason) >= RA_CYCLE_REASON_MAX)
        return cli_usage(cmd, "--reason is longer than %d bytes", RA_CYCLE_REASON_MAX - 1);
    int *tn = NULL;
    size_t ntn = 0;
    if ((approve || reject) && (rc = parse_trades(cmd, o.trades, &tn, &ntn)) != 0)
        return rc;
    cli_book b;
    if ((rc = open_firm_book(cmd, &o.book, &b)) != 0) {
        free(tn);
        return rc;
    }
    ra_err err = {0};
    int md = b.firm.minor_digits;
    if (list) {
        ra_cycle_proposal *p = NULL;
        size_t n = 0;
        ra_cycle_filter f = {o.date, o.account, o.status};
        if (ra_store_proposals_list(b.s, b.firm.code, &f, &p, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (o.format == L_JSON) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, proposal_json(&p[i], md));
            rc = cli_json_list_print(b.firm.currency, "proposals", arr);
        } else {
            for (size_t i = 0; i < n; i++)
                proposal_table(&p[i], md, b.firm.currency, 0);
            printf("%zu proposal%s\n", n, n == 1 ? "" : "s");
        }
        ra_cycle_proposals_free(p, n);
    } else if (show) {
        ra_cycle_proposal p;
        if (ra_store_proposal_get(b.s, b.firm.code, id, &p, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (o.format == L_JSON) {
            json_t *doc = proposal_json(&p, md);
            json_object_set_new(doc, "currency", json_string(b.firm.currency));
            rc = cli_json_print(doc);
        } else
            proposal_table(&p, md, b.firm.currency, 1);
        ra_cycle_proposal_clear(&p);
    } else if (confirm || decline) {
        size_t made = 0;
        if (ra_store_proposal_confirm(b.s, &b.actor, id, confirm, o.reason, &made, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (confirm)
            printf("proposal %s confirmed by the client (recorded by %s): %zu order%s created\n",
                   id, b.actor.user, made, made == 1 ? "" : "s");
        else
            printf("proposal %s declined by the client (recorded by %s): no orders\n", id,
                   b.actor.user);
    } else {
        size_t made = 0;
        ra_cycle_proposal p;
        if (ra_store_proposal_decide(b.s, &b.actor, id, approve, tn, ntn, o.reason, &made, &err) !=
            RA_OK)
            rc = cli_fail(cmd, &err);
        else if (ra_store_proposal_get(b.s, b.firm.code, id, &p, &err) == RA_OK) {
            if (strcmp(p.status, "confirming") == 0)
                printf("proposal %s approved by %s: waiting for the client's confirmation "
                       "('proposals confirm %s'), no orders yet\n", id, b.actor.user, id);
            else
                printf("proposal %s %s by %s: %zu order%s created\n", id,
                       approve ? "approved" : "rejected", b.actor.user, made,
                       made == 1 ? "" : "s");
            ra_cycle_proposal_clear(&p);
        }
        if (rc == 0 && rejected_any(&b, id))
            rc = reevaluate(cmd, &b, id);
    }
    free(tn);
    cli_book_close(&b);
    return rc;
}

static const cli_opt order_options[] = {
    LIST_OPTS,
    CLI_O("status", CLI_OPT_WORD, list_opts, status,
          .words = CLI_WORDS("open", "partial", "filled", "cancelled"),
          .msg = "must be open, partial, filled or cancelled: \"%s\""),
    CLI_O("reason", CLI_OPT_STR, list_opts, reason), CLI_OPT_END};

static void order_help(void)
{
    printf("usage: roboadvisor orders list [--date D] [--account A]\n"
           "                   [--status open|partial|filled|cancelled] [--format table|json|csv]\n"
           "                   [--firm CODE] [--db URL] [--key-file FILE]\n"
           "       roboadvisor orders cancel ID --reason TEXT [--firm CODE] [--db URL]\n"
           "       roboadvisor orders export --date D --format csv|fix ... (orders export --help)\n"
           "       roboadvisor orders blocks --date D [--format table|json]\n\n"
           "The orders the cycle made (ids PROPOSAL-N: the proposal and its trade number), with\n"
           "account, security, side, quantity, limit price (empty: at the close), quantity filled\n"
           "and status. csv is for a broker's order-entry system. cancel stops what is not filled\n"
           "of an open or partly filled order (audited with the user and the reason).\n");
}

static int order_cancel(int argc, char **argv)
{
    static const char *const CMD = "orders cancel";
    list_opts o = {0};
    const cli_opts_spec spec = {CMD, order_options, order_help, 0, 2};
    const char *id = NULL;
    int rc = cli_parse_one_arg(&spec, argc, argv, &o, "name the order: orders cancel ID "
                               "--reason TEXT", &id);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.reason || !o.reason[0])
        return cli_usage(CMD, "--reason TEXT is required: say why the order is cancelled");
    cli_book b;
    if ((rc = open_firm_book(CMD, &o.book, &b)) != 0)
        return rc;
    ra_err err = {0};
    if (ra_store_order_cancel(b.s, &b.actor, id, o.reason, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    else
        printf("order %s cancelled by %s: what is not filled will not be\n", id, b.actor.user);
    cli_book_close(&b);
    return rc;
}

int cmd_orders(int argc, char **argv)
{
    if (wants_help(argc, argv, order_help))
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    if (strcmp(argv[1], "cancel") == 0)
        return order_cancel(argc, argv);
    if (strcmp(argv[1], "export") == 0 || strcmp(argv[1], "blocks") == 0)
        return cmd_orders_export(argc, argv); /* cmd_orders_export.c */
    if (strcmp(argv[1], "list") != 0)
        return cli_usage("orders", "unknown subcommand \"%s\" (orders list, orders cancel, "
                         "orders export, orders blocks)",
                         argv[1]);
    static const char *const CMD = "orders list";
    list_opts o = {0};
    const cli_opts_spec spec = {CMD, order_options, order_help, 0, 2};
    int rc = parse_no_args(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_firm_book(CMD, &o.book, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_cycle_order *v = NULL;
    size_t n = 0;
    ra_cycle_filter f = {o.date, o.account, o.status};
    char db[11], q1[RA_MONEY_FMT_SIZE], q2[RA_MONEY_FMT_SIZE], lp[RA_MONEY_FMT_SIZE];
    if (ra_store_orders_list(b.s, b.firm.code, &f, &v, &n, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.format == L_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                arr, json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "id", v[i].id,
                               "date", cli_jdate(v[i].date), "account", v[i].account, "ticker",
                               v[i].ticker, "side", v[i].side > 0 ? "buy" : "sell", "qty",
                               qty(v[i].qty_micro, q1), "limit_price",
                               v[i].limit_price ? json_string(price(v[i].limit_price, lp))
                                                : json_null(),
                               "filled", qty(v[i].filled_micro, q2), "status", v[i].status,
                               "proposal", v[i].proposal));
        json_object_set_new(doc, "orders", arr);
        cli_json_units(doc, "orders.qty", "shares", "orders.limit_price", "currency per share",
                       NULL);
        rc = cli_json_print(doc);
    } else if (o.format == L_CSV) {
        printf("id,date,account,ticker,side,qty,limit_price,filled,status,proposal\n");
        for (size_t i = 0; i < n; i++)
            printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v[i].id, ra_date_format(v[i].date, db),
                   v[i].account, v[i].ticker, v[i].side > 0 ? "buy" : "sell",
                   qty(v[i].qty_micro, q1), v[i].limit_price ? price(v[i].limit_price, lp) : "",
                   qty(v[i].filled_micro, q2), v[i].status, v[i].proposal);
    } else {
        printf("%-34s %-10s %-10s %-8s %-4s %14s %12s %14s %-9s\n", "id", "date", "account",
               "ticker", "side", "qty (shares)", "limit", "filled", "status");
        for (size_t i = 0; i < n; i++)
            printf("%-34s %-10s %-10s %-8s %-4s %14s %12s %14s %-9s\n", v[i].id,
                   ra_date_format(v[i].date, db), v[i].account, v[i].ticker,
                   v[i].side > 0 ? "buy" : "sell", qty(v[i].qty_micro, q1),
                   v[i].limit_price ? price(v[i].limit_price, lp) : "close",
                   qty(v[i].filled_micro, q2), v[i].status);
        printf("%zu order%s\n", n, n == 1 ? "" : "s");
    }
    ra_store_free(v);
    cli_book_close(&b);
    return rc;
}
