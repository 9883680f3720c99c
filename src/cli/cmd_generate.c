/* roboadvisor generate-book: writes a seeded demo book (include/roboadvisor/bookgen.h) on the real
 * prices and dividends of the shared data directory into a database (include/roboadvisor/store.h).
 * Documented in docs/cli.md#generate-book. */
#include "cli.h"

#include <roboadvisor/bookgen.h>
#include <roboadvisor/engine_book.h>
#include <roboadvisor/store.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>


static void generate_help(void)
{
    printf("usage: roboadvisor generate-book [--db URL] [--clients N] [--seed S] [--data DIR]\n"
           "                                 [--key-file FILE] [--from DATE] [--to DATE]\n"
           "                                 [--format table|json]\n\n"
           "Generates a demo book of record and writes it in one database transaction: the firm\n"
           "DEMO, a shelf of 37 US ETFs (DIR/aa_etf_descriptions.csv), their real closes\n"
           "(DIR/aa_etf_prices.csv) and real dividends (DIR/av_etf_dividends.csv, per split-adjusted\n"
           "share with DIR/av_etf_splits.csv), N clients (default %d) in households with advisors,\n"
           "1-3 accounts each with mandates, and every account's transactions: deposits, monthly\n"
           "contributions, buys at the close, dividends, fees, rebalancing sales, withdrawals.\n"
           "The same seed (default %d) gives the same book; running it again changes nothing.\n\n"
           "  --db URL         SQLite file or postgresql://... (default $ROBOADVISOR_DB or\n"
           "                   roboadvisor.db); the schema is created if missing\n"
           "  --data DIR       the shared market data (default ../shared/data)\n"
           "  --key-file FILE  the firm's personal-data key (64 hex digits); default\n"
           "                   $ROBOADVISOR_KEY, else DB.key next to an SQLite file, created with\n"
           "                   a new random key (mode 0600) if missing\n"
           "  --from, --to     the history window (default: the 5 years to the last dividend)\n",
           RA_BOOKGEN_DEFAULT_CLIENTS, RA_BOOKGEN_DEFAULT_SEED);
}

typedef struct gen_opts {
    const char *db, *data, *key_file;
    size_t clients;
    uint64_t seed;
    ra_date from, to;
    cli_format format;
} gen_opts;

static const cli_opt options[] = {
    CLI_O("db", CLI_OPT_STR, gen_opts, db),
    CLI_O("clients", CLI_OPT_SIZE, gen_opts, clients, .lo = 1, .hi = RA_BOOKGEN_MAX_CLIENTS),
    CLI_O("seed", CLI_OPT_SIZE, gen_opts, seed, .lo = 0, .hi = SIZE_MAX),
    CLI_O("data", CLI_OPT_STR, gen_opts, data), CLI_O("key-file", CLI_OPT_STR, gen_opts, key_file),
    CLI_O("from", CLI_OPT_DATE, gen_opts, from), CLI_O("to", CLI_OPT_DATE, gen_opts, to),
    CLI_O("format", CLI_OPT_FORMAT, gen_opts, format), CLI_OPT_END};

static int parse_opts(const char *cmd, int argc, char **argv, gen_opts *o)
{
    const cli_opts_spec spec = {cmd, options, generate_help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc) return rc;
    if ((rc = cli_no_more_args(cmd, argc, argv, optind))) return rc;
    if ((o->from != 0) != (o->to != 0))
        return cli_usage(cmd, "--from and --to go together");
    if (o->from && o->from > o->to) return cli_usage(cmd, "--from is after --to");
    return 0;
}

/* ---- the key ---------------------------------------------------------------------------------- */

/* The key file when neither --key-file nor ROBOADVISOR_KEY gives a key: DB.key next to an SQLite
 * file (created with a new key if missing). "" when there is none to use (PostgreSQL, memory). */
static void default_key_file(const gen_opts *o, const char *url, char *path, size_t size)
{
    path[0] = 0;
    if (o->key_file) {
        snprintf(path, size, "%s", o->key_file);
        return;
    }
    const char *env = getenv("ROBOADVISOR_KEY");
    if ((env && env[0]) || strncmp(url, "postgres", 8) == 0 || strcmp(url, ":memory:") == 0)
        return;
    snprintf(path, size, "%s.key", url);
}

/* ---- output --------------------------------------------------------------------------------- */

/* Amounts as every table prints them: plain decimals with the currency's minor digits (valuation,
 * reconcile and the JSON strings print the same text). */
static void money(ra_minor v, char *buf, size_t size)
{
    ra_money_format_minor(v, 2, buf, size);
}

static void print_table(const gen_opts *o, const char *url, const ra_store *st,
                        const ra_bookgen_book *b, const ra_bookgen_write_stats *wc, const char *key_path,
                        int key_created, double ms)
{
    char d1[11], d2[11], m1[48];
    printf("Demo book generated (seed %llu) into %s (%s)\n", (unsigned long long)o->seed, url,
           ra_store_backend(st));
    if (key_path[0])
        printf("Personal-data key: %s%s\n", key_path, key_created ? " (new, keep it safe)" : "");
    printf("\n%-34s %14s\n", "record", "count");
    printf("%-34s %14s\n", "firm", b->firm.code);
    printf("%-34s %14zu\n", "advisors", b->n_advisors);
    printf("%-34s %14zu\n", "households", b->n_households);
    printf("%-34s %14zu\n", "clients", b->n_clients);
    printf("%-34s %14zu\n", "accounts", b->n_accounts);
    printf("%-34s %14zu\n", "securities (shelf)", b->n_securities);
    printf("%-34s %14zu\n", "prices (daily closes)", wc->prices);
    printf("%-34s %14zu\n", "dividends (ex-dates)", wc->dividends);
    printf("%-34s %14zu\n", "transactions", b->n_txns);
    for (int k = RA_TXN_DEPOSIT; k <= RA_TXN_SPLIT; k++)
        if (b->n_by_kind[k])
            printf("  %-32s %14zu\n", ra_ledger_kind_name((ra_txn_kind)k), b->n_by_kind[k]);
    printf("%-34s %14zu\n", "transactions written (new)", wc->txns_applied);
    printf("%-34s %14zu\n", "transactions already stored", wc->txns_unchanged);
    printf("\nhistory: %s to %s\n", ra_date_format(b->first_date, d1),
           ra_date_format(b->last_date, d2));
    printf("\n%-34s %22s\n", "totals over the history", "USD");
    money(b->deposits_minor, m1, sizeof m1);
    printf("%-34s %22s\n", "deposits", m1);
    money(b->withdrawals_minor, m1, sizeof m1);
    printf("%-34s %22s\n", "withdrawals", m1);
    money(b->dividends_minor, m1, sizeof m1);
    printf("%-34s %22s\n", "dividends", m1);
    money(b->fees_minor, m1, sizeof m1);
    printf("%-34s %22s\n", "advisory fees", m1);
    money(b->cash_minor, m1, sizeof m1);
    printf("%-34s %22s\n", "cash at the end", m1);
    money(b->value_minor, m1, sizeof m1);
    char vlabel[64];
    snprintf(vlabel, sizeof vlabel, "value at the close of %s", ra_date_format(b->value_date, d1));
    printf("%-34s %22s\n", vlabel, m1);
    printf("\ntime: %.1f s\n", ms / 1000.0);
}

static int print_json(const gen_opts *o, const char *url, const ra_store *st,
                      const ra_bookgen_book *b, const ra_bookgen_write_stats *wc, double ms)
{
    json_t *doc = json_object(), *kinds = json_object();
    json_object_set_new(doc, "db", json_string(url));
    json_object_set_new(doc, "backend", json_string(ra_store_backend(st)));
    json_object_set_new(doc, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(doc, "firm", json_string(b->firm.code));
    json_object_set_new(doc, "advisors", json_integer((json_int_t)b->n_advisors));
    json_object_set_new(doc, "households", json_integer((json_int_t)b->n_households));
    json_object_set_new(doc, "clients", json_integer((json_int_t)b->n_clients));
    json_object_set_new(doc, "accounts", json_integer((json_int_t)b->n_accounts));
    json_object_set_new(doc, "securities", json_integer((json_int_t)b->n_securities));
    json_object_set_new(doc, "prices", json_integer((json_int_t)wc->prices));
    json_object_set_new(doc, "dividends", json_integer((json_int_t)wc->dividends));
    json_object_set_new(doc, "transactions", json_integer((json_int_t)b->n_txns));
    for (int k = RA_TXN_DEPOSIT; k <= RA_TXN_SPLIT; k++)
        json_object_set_new(kinds, ra_ledger_kind_name((ra_txn_kind)k),
                            json_integer((json_int_t)b->n_by_kind[k]));
    json_object_set_new(doc, "transactions_by_kind", kinds);
    json_object_set_new(doc, "transactions_written", json_integer((json_int_t)wc->txns_applied));
    json_object_set_new(doc, "transactions_unchanged",
                        json_integer((json_int_t)wc->txns_unchanged));
    json_object_set_new(doc, "first_date", cli_jdate(b->first_date));
    json_object_set_new(doc, "last_date", cli_jdate(b->last_date));
    char buf[RA_MONEY_FMT_SIZE];
    json_object_set_new(doc, "deposits", json_string(ra_money_format_minor(b->deposits_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "withdrawals", json_string(ra_money_format_minor(b->withdrawals_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "dividends_paid", json_string(ra_money_format_minor(b->dividends_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "fees", json_string(ra_money_format_minor(b->fees_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "cash", json_string(ra_money_format_minor(b->cash_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "value", json_string(ra_money_format_minor(b->value_minor, 2, buf, sizeof buf)));
    json_object_set_new(doc, "value_date", cli_jdate(b->value_date));
    json_object_set_new(doc, "seconds", json_real(ms / 1000.0));
    cli_json_units(doc, "deposits, withdrawals, dividends_paid, fees, cash, value",
                   "USD, exact decimal strings", "prices, dividends, transactions and the "
                   "other counts", "records", "seconds", "seconds", NULL);
    return cli_json_print(doc);
}

int cmd_generate_book(int argc, char **argv)
{
    const char *cmd = "generate-book";
    gen_opts o = {0};
    o.clients = RA_BOOKGEN_DEFAULT_CLIENTS;
    o.seed = RA_BOOKGEN_DEFAULT_SEED;
    o.data = "../shared/data";
    int rc = parse_opts(cmd, argc, argv, &o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    double t0 = cli_clock_ms();
    ra_err err = {0};
    ra_bookgen_data md = {0};
    ra_bookgen_book *book = NULL;
    ra_book *rb = NULL;
    ra_store *st = NULL;
    ra_bookgen_write_stats wc = {0};
    const char *url = cli_db_url(o.db);
    char key_path[4096];
    int key_created = 0;
    default_key_file(&o, url, key_path, sizeof key_path);
    ra_status s = ra_bookgen_data_load(o.data, &md, &err);
    if (s == RA_OK) {
        ra_bookgen_settings set;
        ra_bookgen_settings_default(&set);
        set.seed = o.seed;
        set.n_clients = o.clients;
        set.start = o.from;
        set.end = o.to;
        ra_bookgen_market m;
        ra_bookgen_data_market(&md, &m);
        s = ra_bookgen_create(&set, &m, &book, &err);
    }
    if (s == RA_OK && !key_path[0] && !(getenv("ROBOADVISOR_KEY") && getenv("ROBOADVISOR_KEY")[0]))
        s = ra_err_set(&err, RA_EINVAL, NULL,
                       "no personal-data key: give --key-file FILE or ROBOADVISOR_KEY");
    if (s == RA_OK) {
        ra_book_open_opts bo;
        memset(&bo, 0, sizeof bo);
        bo.url = url;
        bo.firm = book->firm.code;
        bo.user = "generate-book";
        bo.key_file = key_path[0] ? key_path : NULL;
        bo.key_file_create = 1;
        bo.key_hex = getenv("ROBOADVISOR_KEY");
        bo.key_hex_name = "ROBOADVISOR_KEY";
        bo.create = 1;
        s = ra_book_open(&bo, &rb, &err);
    }
    if (s == RA_OK) {
        st = rb->store;
        key_created = rb->key_created;
        s = ra_bookgen_write(st, &rb->actor, &md, book, &wc, &err);
    }
    if (s == RA_OK) {
        double ms = cli_clock_ms() - t0;
        if (o.format == CLI_FORMAT_JSON) rc = print_json(&o, url, st, book, &wc, ms);
        else print_table(&o, url, st, book, &wc, key_path, key_created, ms);
    } else {
        rc = cli_fail(cmd, &err);
    }
    ra_book_close(rb);
    ra_bookgen_destroy(book);
    ra_bookgen_data_free(&md);
    return rc;
}
