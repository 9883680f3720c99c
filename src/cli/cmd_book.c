/* The book-of-record commands: init, import, securities list, reconcile, check, audit verify,
 * valuation (include/roboadvisor/store.h, include/roboadvisor/import.h). Documented in
 * docs/cli.md; file formats in docs/formats.md.
 *
 * Every command opens the database named by --db or ROBOADVISOR_DB (default ./roboadvisor.db),
 * acts for the firm named by --firm or ROBOADVISOR_FIRM (default "default"), takes the firm's
 * personal-data key from --key-file FILE or ROBOADVISOR_KEY (64 hex digits; never from the
 * database) and records the acting user from ROBOADVISOR_USER or the login name. */
#include "cli.h"

#include <roboadvisor/engine_fills.h>
#include <roboadvisor/engine_import.h>
#include <roboadvisor/market_rules.h>
#include <roboadvisor/store.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>


/* ---- options shared by the commands --------------------------------------------------------- */

typedef struct book_opts {
    cli_book_args book; /* --db, --firm (cli_firm's after parsing), --key-file */
    const char *positions, *firm_name, *currency;
    ra_date date;
    int have_date, incomplete;
    cli_format format;
} book_opts;

/* Each command's options (book_opts members). */
#define O_BOOK CLI_OPTS_BOOK(book_opts, book)
#define O_FORMAT CLI_O("format", CLI_OPT_FORMAT, book_opts, format)
#define O_DATE CLI_O("date", CLI_OPT_DATE, book_opts, date, .have = CLI_HAVE(book_opts, have_date))
static const cli_opt init_options[] = {
    O_BOOK, O_FORMAT, CLI_O("firm-name", CLI_OPT_STR, book_opts, firm_name),
    CLI_O("currency", CLI_OPT_STR, book_opts, currency), CLI_OPT_END};
static const cli_opt import_options[] = {O_BOOK, O_FORMAT, CLI_OPT_END};
static const cli_opt securities_options[] = {
    O_BOOK, O_FORMAT, CLI_O("incomplete", CLI_OPT_FLAG, book_opts, incomplete), CLI_OPT_END};
static const cli_opt reconcile_options[] = {
    O_BOOK, O_FORMAT, O_DATE, CLI_O("positions", CLI_OPT_STR, book_opts, positions), CLI_OPT_END};
static const cli_opt check_options[] = {
    CLI_O("db", CLI_OPT_STR, book_opts, book.db), O_FORMAT, CLI_OPT_END};
static const cli_opt valuation_options[] = {O_BOOK, O_FORMAT, O_DATE, CLI_OPT_END};

/* Parses the options of the table; returns 0, -1 after --help, or the usage exit code.
 * Positional arguments are left at argv[optind..). */
static int parse_opts(const char *cmd, int argc, char **argv, const cli_opt *options,
                      book_opts *o, void (*help)(void))
{
    memset(o, 0, sizeof *o);
    o->format = CLI_FORMAT_TABLE;
    const cli_opts_spec spec = {cmd, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc)
        return rc;
    o->book.firm = cli_firm(o->book.firm);
    return 0;
}

/* The command line of a command that takes no file arguments. */
typedef struct cmd_spec {
    const char *name;    /* "reconcile" */
    const cli_opt *options; /* its options */
    const char *sub;     /* the one subcommand word ("list"), or NULL for none */
    int need_positions;  /* --positions FILE is required */
    int need_date;       /* --date D is required */
    int need_firm;       /* the firm must exist (book_open) */
    void (*help)(void);
} cmd_spec;

/* Parses the options, the subcommand word (when the spec has one) and nothing else, and checks
 * the required options. Returns 0, -1 after --help, or the usage exit code. */
static int parse_cmd(const cmd_spec *c, int argc, char **argv, book_opts *o)
{
    int rc = parse_opts(c->name, argc, argv, c->options, o, c->help);
    if (rc)
        return rc;
    int from = optind;
    if (c->sub) {
        if (from >= argc || strcmp(argv[from], c->sub) != 0)
            return cli_usage(c->name, "the only subcommand is %s", c->sub);
        from++;
    }
    if ((rc = cli_no_more_args(c->name, argc, argv, from)))
        return rc;
    if (c->need_positions && !o->positions)
        return cli_usage(c->name, "--positions FILE is required");
    if (c->need_date && !o->have_date)
        return cli_usage(c->name, "--date D is required");
    return 0;
}

/* ---- opening the book ----------------------------------------------------------------------- */

/* The open book (include/roboadvisor/engine_book.h) with its parts at hand. */
typedef cli_book book;

/* Opens the book the way every command does (cli_book_open). create: init (the SQLite file is
 * created and the migrations applied). need_firm: 1 the firm must exist, 0 it need not. Returns 0
 * or the exit code. */
static int book_open(const char *cmd, const book_opts *o, int create, int need_firm, book *b)
{
    cli_book_args a = o->book;
    a.create = create;
    a.need_firm = need_firm;
    return cli_book_open_parts(cmd, &a, b);
}

/* parse_cmd, then book_open of an existing book. Returns 1 with b open, or 0 with the command's
 * exit code in *rc (CLI_EXIT_OK after --help). */
static int book_start(const cmd_spec *c, int argc, char **argv, book_opts *o, book *b, int *rc)
{
    *rc = parse_cmd(c, argc, argv, o);
    if (*rc == -1) {
        *rc = CLI_EXIT_OK;
        return 0;
    }
    if (*rc || (*rc = book_open(c->name, o, 0, c->need_firm, b)))
        return 0;
    return 1;
}

/* A command's work once its options are parsed and the book is open; returns the exit code. */
typedef int (*book_body)(const char *cmd, const book_opts *o, book *b);

/* parse, open, body, close: the frame of the commands that take no file arguments. */
static int run_book_cmd(const cmd_spec *c, int argc, char **argv, book_body body)
{
    book_opts o;
    book b;
    int rc;
    if (!book_start(c, argc, argv, &o, &b, &rc))
        return rc;
    rc = body(c->name, &o, &b);
    cli_book_close(&b);
    return rc;
}

static const char *money(ra_minor v, int digits, char buf[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_minor(v, digits, buf, RA_MONEY_FMT_SIZE);
}

/* ---- init ----------------------------------------------------------------------------------- */

static void init_help(void)
{
    printf("usage: roboadvisor init [--db URL] [--firm CODE] [--firm-name NAME] [--currency CCY]\n"
           "                        [--key-file FILE] [--format json|table]\n\n"
           "Creates the book (or brings its schema up to date: safe to run again) and, when a key\n"
           "is given (--key-file FILE or ROBOADVISOR_KEY, 64 hex digits), the firm CODE (default\n"
           "$ROBOADVISOR_FIRM or \"default\") with base currency CCY (default USD). The key\n"
           "encrypts the firm's personal data; it is never stored in the database.\n");
}

int cmd_init(int argc, char **argv)
{
    static const cmd_spec spec = {.name = "init", .options = init_options, .help = init_help};
    const char *cmd = spec.name;
    book_opts o;
    int rc = parse_cmd(&spec, argc, argv, &o);
    if (rc == -1)
        return CLI_EXIT_OK;
    if (rc)
        return rc;
    const char *ccy = o.currency ? o.currency : "USD";
    if (strlen(ccy) != 3 || strspn(ccy, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return cli_usage(cmd, "--currency needs 3 capital letters (ISO 4217), got \"%s\"", ccy);
    book b;
    if ((rc = book_open(cmd, &o, 1, 0, &b)))
        return rc;
    ra_err err = {0};
    ra_firm f;
    const char *firm_state; /* "exists", "created" or "not created" */
    ra_status st = ra_store_firm_get(b.s, o.book.firm, &f, &err);
    if (st == RA_OK) {
        firm_state = "exists";
    } else if (st == RA_ENOTFOUND && b.have_key) {
        memset(&f, 0, sizeof f);
        snprintf(f.code, sizeof f.code, "%s", o.book.firm);
        snprintf(f.name, sizeof f.name, "%s", o.firm_name ? o.firm_name : o.book.firm);
        snprintf(f.currency, sizeof f.currency, "%s", ccy);
        f.minor_digits = 2;
        if (ra_store_firm_put(b.s, &b.actor, &f, &err) != RA_OK) {
            cli_book_close(&b);
            return cli_fail(cmd, &err);
        }
        firm_state = "created";
    } else if (st == RA_ENOTFOUND) {
        firm_state = "not created";
    } else {
        cli_book_close(&b);
        return cli_fail(cmd, &err);
    }
    /* a book older than the clients' data keys (schema 21): the firm's clients re-encrypted
     * under keys of their own, here where the firm's key is at hand */
    size_t rekeyed = 0;
    if (firm_state[0] == 'e' && b.have_key &&
        ra_store_client_keys_migrate(b.s, &b.actor, &rekeyed, &err) != RA_OK) {
        cli_book_close(&b);
        return cli_fail(cmd, &err);
    }
    const char *url = b.rb->url, *backend = ra_store_backend(b.s);
    int before = b.rb->schema_before, now = b.rb->schema_now, made = firm_state[0] != 'n';
    if (o.format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "db", json_string(url));
        json_object_set_new(doc, "backend", json_string(backend));
        json_object_set_new(doc, "schema_version_before", json_integer(before));
        json_object_set_new(doc, "schema_version", json_integer(now));
        json_object_set_new(doc, "firm", json_string(o.book.firm));
        json_object_set_new(doc, "firm_state", json_string(firm_state));
        json_object_set_new(doc, "currency", made ? json_string(f.currency) : json_null());
        json_object_set_new(doc, "clients_rekeyed", json_integer((json_int_t)rekeyed));
        rc = cli_json_print(doc);
    } else {
        if (before == now)
            printf("book %s (%s): schema version %d, up to date\n", url, backend, now);
        else
            printf("book %s (%s): schema version %d -> %d\n", url, backend, before, now);
        if (made)
            printf("firm %s: %s (%s)\n", o.book.firm, firm_state, f.currency);
        else
            printf("firm %s: not created (no key: give --key-file FILE or ROBOADVISOR_KEY)\n",
                   o.book.firm);
        if (rekeyed)
            printf("clients re-encrypted under data keys of their own: %zu\n", rekeyed);
    }
    cli_book_close(&b);
    return rc;
}

/* ---- import --------------------------------------------------------------------------------- */

static void import_help(void)
{
    printf("usage: roboadvisor import KIND FILE [--firm CODE] [--db URL] [--key-file FILE]\n"
           "                         [--format json|table]\n\n"
           "Imports FILE into the book in one transaction: every row or none. KIND is prices,\n"
           "dividends, splits, securities, clients, accounts, transactions or fills (formats in\n"
           "docs/formats.md). Importing the same file again changes nothing and says so.\n"
           "fills records a broker's fills of open orders (order_id,date,qty,price[,fees]):\n"
           "an unknown order, an overfill or a fill of a cancelled order refuses the file.\n"
           "Prices, dividends and splits of tickers not in the securities master add them as\n"
           "incomplete securities, with a warning naming them. Clients need the firm's key.\n");
}

static void warn_new_tickers(const char *cmd, const ra_import_result *r)
{
    size_t n = r->n_new_tickers;
    if (n == 0)
        return;
    fprintf(stderr, "roboadvisor %s: warning: %zu ticker%s not in the securities master, added as "
                    "incomplete securities:", cmd, n, n == 1 ? " is" : "s are");
    for (size_t i = 0; i < n && i < RA_IMPORT_NEW_TICKERS_MAX; i++)
        fprintf(stderr, "%s %s", i ? "," : "", r->new_tickers[i]);
    if (n > RA_IMPORT_NEW_TICKERS_MAX)
        fprintf(stderr, " and %zu more", n - RA_IMPORT_NEW_TICKERS_MAX);
    fprintf(stderr, " (see 'roboadvisor securities list --incomplete')\n");
}

/* import fills FILE: the broker's fills of open orders (include/roboadvisor/engine_fills.h). */
static int import_fills(const char *cmd, const book_opts *o, const char *path)
{
    book b;
    int rc = book_open(cmd, o, 0, 1, &b);
    if (rc)
        return rc;
    ra_err err = {0};
    ra_fills_result r;
    if (ra_book_import_fills(b.rb, path, &r, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
        fprintf(stderr, "roboadvisor %s: nothing was imported from %s\n", cmd, path);
        cli_book_close(&b);
        return rc;
    }
    char q1[RA_MONEY_FMT_SIZE], q2[RA_MONEY_FMT_SIZE];
    if (o->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(b.firm.code));
        json_object_set_new(doc, "kind", json_string("fills"));
        json_object_set_new(doc, "file", json_string(path));
        json_object_set_new(doc, "rows", json_integer((json_int_t)r.rows));
        json_object_set_new(doc, "new", json_integer((json_int_t)r.applied));
        json_object_set_new(doc, "unchanged", json_integer((json_int_t)r.skipped));
        json_object_set_new(doc, "orders_filled", json_integer((json_int_t)r.filled));
        json_object_set_new(doc, "orders_partial", json_integer((json_int_t)r.partial));
        for (size_t i = 0; i < r.n_orders; i++) {
            const ra_fills_order *e = &r.orders[i];
            json_t *x = json_object();
            json_object_set_new(x, "id", json_string(e->order));
            json_object_set_new(x, "account", json_string(e->account));
            json_object_set_new(x, "ticker", json_string(e->ticker));
            json_object_set_new(x, "side", json_string(e->side > 0 ? "buy" : "sell"));
            json_object_set_new(x, "qty", json_string(ra_money_format_qty(e->qty_micro, q1,
                                                                          sizeof q1)));
            json_object_set_new(x, "filled", json_string(ra_money_format_qty(e->filled_micro, q2,
                                                                             sizeof q2)));
            json_object_set_new(x, "status", json_string(e->status));
            json_object_set_new(x, "rows_new", json_integer((json_int_t)e->rows_applied));
            json_object_set_new(x, "rows_unchanged", json_integer((json_int_t)e->rows_skipped));
            json_array_append_new(arr, x);
        }
        json_object_set_new(doc, "orders", arr);
        cli_json_units(doc, "orders.qty", "shares", "orders.filled", "shares", NULL);
        rc = cli_json_print(doc);
    } else {
        printf("imported fills from %s: %zu row%s, %zu new, %zu unchanged; orders: %zu filled, "
               "%zu partially filled\n",
               path, r.rows, r.rows == 1 ? "" : "s", r.applied, r.skipped, r.filled, r.partial);
        printf("%-28s %-10s %-8s %-4s %14s %14s %s\n", "order", "account", "ticker", "side",
               "qty (shares)", "filled", "status");
        for (size_t i = 0; i < r.n_orders; i++) {
            const ra_fills_order *e = &r.orders[i];
            printf("%-28s %-10s %-8s %-4s %14s %14s %s\n", e->order, e->account, e->ticker,
                   e->side > 0 ? "buy" : "sell", ra_money_format_qty(e->qty_micro, q1, sizeof q1),
                   ra_money_format_qty(e->filled_micro, q2, sizeof q2), e->status);
        }
        rc = CLI_EXIT_OK;
    }
    ra_fills_result_free(&r);
    cli_book_close(&b);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    const char *cmd = "import";
    book_opts o;
    int rc = parse_opts(cmd, argc, argv, import_options, &o, import_help);
    if (rc == -1)
        return CLI_EXIT_OK;
    if (rc)
        return rc;
    if (optind >= argc)
        return cli_usage(cmd, "KIND FILE are required (KIND: prices, dividends, splits, "
                              "securities, clients, accounts, transactions, fills)");
    const char *kind_s = argv[optind], *path = optind + 1 < argc ? argv[optind + 1] : NULL;
    ra_import_kind kind = RA_IMPORT_POSITIONS;
    ra_err err = {0};
    int fills = strcmp(kind_s, "fills") == 0;
    if (!fills && (ra_import_kind_parse(kind_s, &kind, &err) != RA_OK ||
                   kind == RA_IMPORT_POSITIONS))
        return cli_usage(cmd, "KIND is prices, dividends, splits, securities, clients, accounts, "
                              "transactions or fills, got \"%s\"", kind_s);
    if (!path)
        return cli_usage(cmd, "FILE is required after %s", kind_s);
    if ((rc = cli_no_more_args(cmd, argc, argv, optind + 2)))
        return rc;
    if (fills)
        return import_fills(cmd, &o, path);
    book b;
    if ((rc = book_open(cmd, &o, 0, 1, &b)))
        return rc;
    ra_import_result r;
    ra_import_options io = {1, cli_today()};
    if (ra_book_import(b.rb, kind, path, &io, &r, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
        fprintf(stderr, "roboadvisor %s: nothing was imported from %s\n", cmd, path);
    } else {
        warn_new_tickers(cmd, &r);
        if (o.format == CLI_FORMAT_JSON) {
            json_t *doc = json_object(), *nt = json_array();
            json_object_set_new(doc, "firm", json_string(b.firm.code));
            json_object_set_new(doc, "kind", json_string(ra_import_kind_name(kind)));
            json_object_set_new(doc, "file", json_string(path));
            json_object_set_new(doc, "new", json_integer((json_int_t)r.added));
            json_object_set_new(doc, "updated", json_integer((json_int_t)r.updated));
            json_object_set_new(doc, "unchanged", json_integer((json_int_t)r.unchanged));
            for (size_t i = 0; i < r.n_new_tickers; i++)
                json_array_append_new(nt, json_string(r.new_tickers[i]));
            json_object_set_new(doc, "new_incomplete_securities", nt);
            rc = cli_json_print(doc);
        } else {
            if (r.updated)
                printf("imported %s from %s: %zu new, %zu updated, %zu unchanged\n",
                       ra_import_kind_name(kind), path, r.added, r.updated, r.unchanged);
            else
                printf("imported %s from %s: %zu new, %zu unchanged\n",
                       ra_import_kind_name(kind), path, r.added, r.unchanged);
            rc = CLI_EXIT_OK;
        }
    }
    ra_import_result_free(&r);
    cli_book_close(&b);
    return rc;
}

/* ---- securities list ------------------------------------------------------------------------ */

static void securities_help(void)
{
    printf("usage: roboadvisor securities list [--incomplete] [--format json|table] [--firm CODE]\n"
           "                                   [--db URL]\n\n"
           "Lists the firm's securities master in ticker order. --incomplete lists only the\n"
           "securities added from a price, dividend or split file whose master data (name, asset\n"
           "class, risk level, ...) is still missing: import a securities file to complete them.\n");
}


/* The security's market rules in effect (its columns and the exchange's defaults;
 * docs/methodology.md#market-rules); null when they do not resolve. */
static json_t *market_json(const ra_security *s)
{
    ra_market_rules m;
    ra_err e = {0};
    if (ra_market_rules_of(s, &m, &e) != RA_OK)
        return json_null();
    char tick[RA_MONEY_FMT_SIZE], settle[8];
    snprintf(settle, sizeof settle, "T+%d", m.settle_days);
    json_t *x = json_object();
    json_object_set_new(x, "board", json_string(ra_market_board_name(m.board)));
    json_object_set_new(x, "kind", json_string(ra_market_kind_name(m.kind)));
    json_object_set_new(x, "band_pct", json_integer(m.band_pct));
    json_object_set_new(x, "tick", json_string(ra_money_format_price(m.tick, tick, sizeof tick)));
    json_object_set_new(x, "fractional", json_boolean(m.fractional));
    json_object_set_new(x, "settlement", json_string(settle));
    json_object_set_new(x, "same_day_sale", json_boolean(m.same_day_sale));
    return x;
}

static int securities_body(const char *cmd, const book_opts *o, book *b)
{
    int rc = CLI_EXIT_OK;
    ra_err err = {0};
    ra_security *v = NULL;
    size_t n = 0;
    if (ra_store_security_list(b->s, b->firm.code, o->incomplete ? RA_STORE_LIST_INCOMPLETE : 0, &v,
                               &n, &err) != RA_OK) {
        return cli_fail(cmd, &err);
    }
    if (o->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(b->firm.code));
        json_object_set_new(doc, "count", json_integer((json_int_t)n));
        for (size_t i = 0; i < n; i++) {
            const ra_security *s = &v[i];
            json_t *x = json_object();
            json_object_set_new(x, "ticker", json_string(s->ticker));
            json_object_set_new(x, "name", json_string(s->name));
            json_object_set_new(x, "asset_class", json_string(s->asset_class));
            if (s->risk_level >= 1) {
                char r[16];
                snprintf(r, sizeof r, "R%d", s->risk_level);
                json_object_set_new(x, "risk_level", json_string(r));
            } else {
                json_object_set_new(x, "risk_level", json_null());
            }
            json_object_set_new(x, "expense_ratio", cli_jnum(s->expense_ratio));
            json_object_set_new(x, "lot_size", json_integer((json_int_t)s->lot_size));
            json_object_set_new(x, "exchange", json_string(s->exchange));
            json_object_set_new(x, "currency", json_string(s->currency));
            json_object_set_new(x, "tlh_group", json_string(s->tlh_group));
            json_object_set_new(x, "on_shelf", json_boolean(s->on_shelf));
            json_object_set_new(x, "incomplete", json_boolean(s->incomplete));
            json_object_set_new(x, "market", market_json(s));
            json_array_append_new(arr, x);
        }
        json_object_set_new(doc, "securities", arr);
        cli_json_units(doc, "expense_ratio", "fraction of assets per year (0.0003 = 3 bp)",
                       "lot_size", "shares", NULL);
        rc = cli_json_print(doc);
    } else {
        printf("%-10s %-4s %-16s %-8s %-5s %-4s %-10s %s\n", "ticker", "risk", "asset_class",
               "expense", "shelf", "lot", "tlh_group", "name");
        for (size_t i = 0; i < n; i++) {
            const ra_security *s = &v[i];
            char r[16];
            snprintf(r, sizeof r, s->risk_level ? "R%d" : "-", s->risk_level);
            printf("%-10s %-4s %-16s %7.4f%% %-5s %-4lld %-10s %s%s\n", s->ticker, r,
                   s->asset_class[0] ? s->asset_class : "-", 100.0 * s->expense_ratio,
                   s->on_shelf ? "yes" : "no", (long long)s->lot_size,
                   s->tlh_group[0] ? s->tlh_group : "-", s->name,
                   s->incomplete ? " (incomplete)" : "");
        }
        printf("%zu securit%s%s\n", n, n == 1 ? "y" : "ies", o->incomplete ? " incomplete" : "");
    }
    ra_store_free(v);
    return rc;
}

int cmd_securities(int argc, char **argv)
{
    static const cmd_spec spec = {.name = "securities", .options = securities_options,
                                  .sub = "list", .need_firm = 1, .help = securities_help};
    return run_book_cmd(&spec, argc, argv, securities_body);
}

/* ---- reconcile ------------------------------------------------------------------------------ */

static void reconcile_help(void)
{
    printf("usage: roboadvisor reconcile --positions FILE --date D [--format json|table]\n"
           "                             [--firm CODE] [--db URL]\n\n"
           "Compares the book's positions on date D (transactions dated on or before D) with a\n"
           "custodian's positions file (account,ticker,quantity,cash; docs/formats.md#positions)\n"
           "and lists every break: account, security (CASH for cash), book and custodian\n"
           "quantity (shares) or cash (account currency) and the difference (custodian - book).\n"
           "Exit status 1 if there is any break.\n");
}

#define RA_RECON_COLS 5
_Static_assert(RA_CODE_MAX >= RA_MONEY_FMT_SIZE, "a break's texts hold tickers and amounts");

/* A break as text, the same in the table and in JSON: security (CASH for cash), unit (shares or
 * the currency), book, custodian and difference (custodian - book) as exact decimals. */
static void break_texts(const ra_recon_break *x, const char *ccy, int md,
                        char t[RA_RECON_COLS][RA_CODE_MAX])
{
    int cash = x->ticker[0] == '\0';
    int64_t v[3] = {x->book, x->custodian, x->custodian - x->book};
    snprintf(t[0], RA_CODE_MAX, "%s", cash ? "CASH" : x->ticker);
    snprintf(t[1], RA_CODE_MAX, "%s", cash ? ccy : "shares");
    for (int i = 0; i < 3; i++)
        if (cash)
            money(v[i], md, t[2 + i]);
        else
            ra_money_format_qty(v[i], t[2 + i], RA_CODE_MAX);
}

static int reconcile_body(const char *cmd, const book_opts *o, book *b)
{
    int rc = CLI_EXIT_OK;
    ra_err err = {0};
    ra_import_settings set;
    ra_import_settings_default(&set);
    set.minor_digits = b->firm.minor_digits;
    ra_import *im = NULL;
    ra_recon_result rr = {0};
    if (ra_import_read(RA_IMPORT_POSITIONS, o->positions, &set, &im, &err) != RA_OK ||
        ra_book_reconcile(b->s, b->firm.code, o->date, im->positions, im->n, &rr, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
        goto out;
    }
    const ra_recon_break *br = rr.breaks;
    size_t n_br = rr.n_breaks, n_cmp = rr.n_compared;
    char d[11];
    ra_date_format(o->date, d);
    /* one break's texts: security, unit, book, custodian, difference (quantities or cash) */
    char t[RA_RECON_COLS][RA_CODE_MAX];
    json_t *doc = NULL, *arr = NULL;
    if (o->format == CLI_FORMAT_JSON) {
        doc = json_object();
        arr = json_array();
        json_object_set_new(doc, "firm", json_string(b->firm.code));
        json_object_set_new(doc, "date", json_string(d));
        json_object_set_new(doc, "positions_compared", json_integer((json_int_t)n_cmp));
        json_object_set_new(doc, "breaks_count", json_integer((json_int_t)n_br));
    } else if (n_br) {
        printf("%-14s %-10s %-7s %18s %18s %18s\n", "account", "security", "unit", "book",
               "custodian", "difference");
    }
    for (size_t k = 0; k < n_br; k++) {
        break_texts(&br[k], b->firm.currency, b->firm.minor_digits, t);
        if (!doc) {
            printf("%-14s %-10s %-7s %18s %18s %18s\n", br[k].account, t[0], t[1], t[2], t[3],
                   t[4]);
            continue;
        }
        static const char *const keys[RA_RECON_COLS] = {"security", "unit", "book", "custodian",
                                                        "difference"};
        json_t *x = json_object();
        json_object_set_new(x, "account", json_string(br[k].account));
        for (int c = 0; c < RA_RECON_COLS; c++)
            json_object_set_new(x, keys[c], json_string(t[c]));
        json_array_append_new(arr, x);
    }
    if (doc) {
        json_object_set_new(doc, "breaks", arr);
        cli_json_units(doc, "book, custodian, difference",
                       "each break's unit: shares (6 decimals) or its currency (minor digits), "
                       "exact decimal strings", NULL);
        if (cli_json_print(doc))
            rc = CLI_EXIT_DATA;
    } else if (n_br) {
        printf("%zu break%s in %zu positions on %s\n", n_br, n_br == 1 ? "" : "s", n_cmp, d);
    } else {
        printf("no breaks: %zu positions agree on %s\n", n_cmp, d);
    }
    if (rc == 0 && n_br)
        rc = CLI_EXIT_DATA;
out:
    ra_recon_result_free(&rr);
    ra_import_destroy(im);
    return rc;
}

int cmd_reconcile(int argc, char **argv)
{
    static const cmd_spec spec = {.name = "reconcile", .options = reconcile_options,
                                  .need_positions = 1, .need_date = 1, .need_firm = 1,
                                  .help = reconcile_help};
    return run_book_cmd(&spec, argc, argv, reconcile_body);
}

/* ---- check, audit verify -------------------------------------------------------------------- */

static void check_help(void)
{
    printf("usage: roboadvisor check [--db URL] [--format json|table]\n\n"
           "Replays every account's transactions (every firm) and compares the result with the\n"
           "stored cash and lots, then runs the database's own integrity checks. Exit status 1\n"
           "naming the first account that does not reconcile.\n");
}

static int check_body(const char *cmd, const book_opts *o, book *b)
{
    ra_err err = {0};
    ra_store_check_result r;
    memset(&r, 0, sizeof r);
    if (ra_store_check(b->s, &r, &err) != RA_OK)
        return cli_fail(cmd, &err);
    if (o->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "ok", json_true());
        json_object_set_new(doc, "accounts", json_integer((json_int_t)r.n_accounts));
        json_object_set_new(doc, "transactions", json_integer((json_int_t)r.n_transactions));
        json_object_set_new(doc, "database_integrity", json_string("ok"));
        return cli_json_print(doc);
    }
    printf("ok: %llu accounts and %llu transactions reconcile; database integrity ok\n",
           (unsigned long long)r.n_accounts, (unsigned long long)r.n_transactions);
    return CLI_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    static const cmd_spec spec = {.name = "check", .options = check_options, .help = check_help};
    return run_book_cmd(&spec, argc, argv, check_body);
}

/* ---- valuation ------------------------------------------------------------------------------ */

static void valuation_help(void)
{
    printf("usage: roboadvisor valuation --date D [--format json|table] [--firm CODE] [--db URL]\n\n"
           "Values the book as of date D by replaying the ledger: every account opened by D, with\n"
           "its cash and holdings as of D (its transactions dated on or before D), securities at\n"
           "market (each holding times its latest price on or before D, rounded once to the cent,\n"
           "ties to even) and total, in the account's currency; then the firm total. Holdings\n"
           "without a price are valued 0 and counted as unpriced.\n");
}

int cmd_valuation(int argc, char **argv)
{
    static const cmd_spec spec = {.name = "valuation", .options = valuation_options, .need_date = 1,
                                  .need_firm = 1, .help = valuation_help};
    const char *cmd = spec.name;
    book_opts o;
    book b;
    int rc;
    if (!book_start(&spec, argc, argv, &o, &b, &rc))
        return rc;
    ra_err err = {0};
    ra_account_value *v = NULL;
    size_t n = 0;
    ra_minor total = 0;
    if (ra_valuation_compute(b.s, b.firm.code, o.date, &v, &n, &total, &err) != RA_OK) {
        cli_book_close(&b);
        return cli_fail(cmd, &err);
    }
    int md = b.firm.minor_digits;
    const char *ccy = b.firm.currency;
    char d[11], a1[RA_MONEY_FMT_SIZE], a2[RA_MONEY_FMT_SIZE], a3[RA_MONEY_FMT_SIZE];
    ra_date_format(o.date, d);
    size_t unpriced = 0;
    for (size_t i = 0; i < n; i++)
        unpriced += v[i].n_unpriced;
    if (o.format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(b.firm.code));
        json_object_set_new(doc, "date", json_string(d));
        json_object_set_new(doc, "currency", json_string(ccy));
        json_object_set_new(doc, "unit", json_string("currency units, exact decimal strings"));
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "account", json_string(v[i].account));
            json_object_set_new(x, "currency", json_string(ccy));
            json_object_set_new(x, "cash", json_string(money(v[i].cash_minor, md, a1)));
            json_object_set_new(x, "securities", json_string(money(v[i].securities_minor, md, a2)));
            json_object_set_new(x, "total", json_string(money(v[i].total_minor, md, a3)));
            json_object_set_new(x, "unpriced_securities", json_integer((json_int_t)v[i].n_unpriced));
            json_array_append_new(arr, x);
        }
        json_object_set_new(doc, "accounts", arr);
        json_object_set_new(doc, "accounts_count", json_integer((json_int_t)n));
        json_object_set_new(doc, "total", json_string(money(total, md, a1)));
        json_object_set_new(doc, "unpriced_securities", json_integer((json_int_t)unpriced));
        rc = cli_json_print(doc);
    } else {
        printf("valuation of firm %s on %s (amounts in %s)\n", b.firm.code, d, ccy);
        printf("%-14s %18s %18s %18s %s\n", "account", "cash", "securities", "total", "unpriced");
        for (size_t i = 0; i < n; i++)
            printf("%-14s %18s %18s %18s %zu\n", v[i].account, money(v[i].cash_minor, md, a1),
                   money(v[i].securities_minor, md, a2), money(v[i].total_minor, md, a3),
                   v[i].n_unpriced);
        printf("%-14s %18s %18s %18s %zu\n", "firm total", "", "", money(total, md, a1), unpriced);
        printf("%zu accounts; total %s %s\n", n, money(total, md, a1), ccy);
    }
    ra_free(v);
    cli_book_close(&b);
    return rc;
}
