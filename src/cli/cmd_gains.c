/* roboadvisor gains: an account's realised gains and open lots with the wash-sale rule applied
 * across its household (include/roboadvisor/engine_gains.h). Documented in docs/cli.md#gains.
 *
 * The book is opened as every command opens it (cli_book_open: --db or ROBOADVISOR_DB, --firm or
 * ROBOADVISOR_FIRM, the key from --key-file or ROBOADVISOR_KEY). */
#include "cli.h"

#include <roboadvisor/engine_gains.h>
#include <roboadvisor/store.h>
#include <roboadvisor/store_cycle.h>

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GAINS_DEFAULT_FIRM "default"
#define GAINS_KEY_FILE_MAX 4096

static const char *const CMD = "gains";

typedef enum gains_format { G_TABLE, G_JSON, G_CSV } gains_format; /* --format's words in order */

typedef struct gains_opts {
    cli_book_args book; /* --db, --firm, --key-file */
    const char *account;
    gains_format format;
    ra_gains_options g;
    double rate_short, rate_long; /* the tax value of harvested losses */
    int have_window;              /* --window-days given, else the firm's */
} gains_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(gains_opts, book), CLI_O("account", CLI_OPT_STR, gains_opts, account),
    CLI_O("year", CLI_OPT_SIZE, gains_opts, g.year, .lo = 1, .hi = 9999),
    CLI_O("format", CLI_OPT_ENUM, gains_opts, format, .words = CLI_WORDS("table", "json", "csv"),
          .msg = "must be table, json or csv: \"%s\""),
    CLI_O("window-days", CLI_OPT_SIZE, gains_opts, g.window_days, .lo = 0,
          .hi = RA_WASH_WINDOW_DAYS_MAX, .have = CLI_HAVE(gains_opts, have_window)),
    CLI_O("tax-rate-short", CLI_OPT_DOUBLE, gains_opts, rate_short, .dlo = 0, .dhi = 1,
          .msg = "must be a fraction in [0, 1]: \"%s\""),
    CLI_O("tax-rate-long", CLI_OPT_DOUBLE, gains_opts, rate_long, .dlo = 0, .dhi = 1,
          .msg = "must be a fraction in [0, 1]: \"%s\""),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor gains --account A [--year Y] [--format table|json|csv]\n"
           "                         [--window-days N] [--tax-rate-short R] [--tax-rate-long R]\n"
           "                         [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "Realised gains of account A's sales (of year Y, or all) and its open lots, with the\n"
           "wash-sale rule (IRS Publication 550) applied across every account of the household:\n"
           "per lot sold its cost after wash-sale adjustments, gain, term and disallowed loss; per\n"
           "open lot its adjusted cost and holding period. --window-days: the wash-sale window in\n"
           "calendar days before and after a sale (default: the firm's, 'settings show'; 30, the\n"
           "US rule, unless set). csv: one row per lot\n"
           "part sold in Form 8949's columns (code W: wash sale). The table and JSON also give\n"
           "the losses the engine harvested for A's client (every account of the client), per\n"
           "year: harvested, disallowed by wash sales, allowed by term, and their estimated tax\n"
           "value at --tax-rate-short (default 0.35) and --tax-rate-long (default 0.15). Needs\n"
           "the firm's key (the household is read from the client record).\n");
}

/* Returns 0, -1 after --help, or the usage exit code. */
static int parse(int argc, char **argv, gains_opts *o)
{
    const cli_opts_spec spec = {CMD, options, help, 0, 0};
    memset(o, 0, sizeof *o);
    ra_gains_options_default(&o->g);
    o->rate_short = RA_GAINS_DEFAULT_RATE_SHORT;
    o->rate_long = RA_GAINS_DEFAULT_RATE_LONG;
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc)
        return rc;
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!o->account)
        return cli_usage(CMD, "--account A is required");
    if (!o->book.firm) {
        const char *e = getenv("ROBOADVISOR_FIRM");
        o->book.firm = e && e[0] ? e : GAINS_DEFAULT_FIRM;
    }
    return 0;
}

/* Opens the book the way every command does (cli_book_open); the firm must exist. */
static int open_book(const gains_opts *o, ra_book **b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open(CMD, &a, b);
}

static const char *m(ra_minor v, int digits, char buf[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_minor(v, digits, buf, RA_MONEY_FMT_SIZE);
}

static const char *q(ra_micro v, char buf[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_qty(v, buf, RA_MONEY_FMT_SIZE);
}

static const char *term(int long_term) { return long_term ? "long" : "short"; }

static json_t *harvest_year_json(const ra_gains_harvest_year *y, int md)
{
    char b[RA_MONEY_FMT_SIZE];
    json_t *x = json_object();
    if (y->year)
        json_object_set_new(x, "year", json_integer(y->year));
    json_object_set_new(x, "sales", json_integer((json_int_t)y->sales));
    json_object_set_new(x, "losses_harvested", json_string(m(y->harvested_minor, md, b)));
    json_object_set_new(x, "losses_disallowed", json_string(m(y->disallowed_minor, md, b)));
    json_object_set_new(x, "losses_allowed_short", json_string(m(y->allowed_short_minor, md, b)));
    json_object_set_new(x, "losses_allowed_long", json_string(m(y->allowed_long_minor, md, b)));
    json_object_set_new(x, "tax_value",
                        json_string(m((ra_minor)llround(y->tax_value_minor), md, b)));
    return x;
}

static json_t *harvest_json(const ra_gains_harvest *h, int md)
{
    json_t *x = json_object(), *years = json_array();
    json_object_set_new(x, "client", json_string(h->client));
    json_object_set_new(x, "accounts", json_integer((json_int_t)h->n_accounts));
    json_object_set_new(x, "tax_rate_short", json_real(h->rate_short));
    json_object_set_new(x, "tax_rate_long", json_real(h->rate_long));
    for (size_t i = 0; i < h->n_years; i++)
        json_array_append_new(years, harvest_year_json(&h->years[i], md));
    json_object_set_new(x, "years", years);
    json_object_set_new(x, "total", harvest_year_json(&h->total, md));
    return x;
}

static int print_json(const ra_gains_report *r, const ra_gains_harvest *h, const gains_opts *o)
{
    int md = r->minor_digits;
    char b[RA_MONEY_FMT_SIZE], d1[11], d2[11];
    json_t *doc = json_object(), *sales = json_array(), *open = json_array(), *t = json_object();
    json_object_set_new(doc, "account", json_string(r->account));
    json_object_set_new(doc, "currency", json_string(r->currency));
    json_object_set_new(doc, "year", o->g.year ? json_integer(o->g.year) : json_null());
    json_object_set_new(doc, "wash_sale_window_days", json_integer(o->g.window_days));
    json_object_set_new(doc, "household_accounts",
                        json_integer((json_int_t)r->n_household_accounts));
    for (size_t i = 0; i < r->n_sales; i++) {
        const ra_gains_sale *s = &r->sales[i];
        json_t *x = json_object(), *lots = json_array();
        json_object_set_new(x, "txn_id", json_integer((json_int_t)s->txn_seq));
        json_object_set_new(x, "date", json_string(ra_date_format(s->date, d1)));
        json_object_set_new(x, "ticker", json_string(s->ticker));
        json_object_set_new(x, "qty", json_string(q(s->qty_micro, b)));
        json_object_set_new(x, "proceeds", json_string(m(s->proceeds_minor, md, b)));
        json_object_set_new(x, "cost", json_string(m(s->cost_minor, md, b)));
        json_object_set_new(x, "gain", json_string(m(s->gain_minor, md, b)));
        json_object_set_new(x, "wash_sale_disallowed", json_string(m(s->disallowed_minor, md, b)));
        json_object_set_new(x, "harvest", json_boolean(s->harvest));
        for (size_t k = s->first_part; k < s->first_part + s->n_parts; k++) {
            const ra_gains_part *p = &r->parts[k];
            json_t *y = json_object();
            json_object_set_new(y, "lot_id", json_integer((json_int_t)p->lot_id));
            json_object_set_new(y, "acquired", json_string(ra_date_format(p->acquired, d1)));
            json_object_set_new(y, "holding_from",
                                json_string(ra_date_format(p->holding_from, d2)));
            json_object_set_new(y, "qty", json_string(q(p->qty_micro, b)));
            json_object_set_new(y, "proceeds", json_string(m(p->proceeds_minor, md, b)));
            json_object_set_new(y, "cost", json_string(m(p->cost_minor, md, b)));
            json_object_set_new(y, "gain", json_string(m(p->gain_minor, md, b)));
            json_object_set_new(y, "term", json_string(term(p->long_term)));
            json_object_set_new(y, "wash_sale_disallowed",
                                json_string(m(p->disallowed_minor, md, b)));
            json_array_append_new(lots, y);
        }
        json_object_set_new(x, "lots", lots);
        json_array_append_new(sales, x);
    }
    for (size_t i = 0; i < r->n_open; i++) {
        const ra_gains_open *p = &r->open[i];
        json_t *y = json_object();
        json_object_set_new(y, "lot_id", json_integer((json_int_t)p->lot_id));
        json_object_set_new(y, "ticker", json_string(p->ticker));
        json_object_set_new(y, "acquired", json_string(ra_date_format(p->acquired, d1)));
        json_object_set_new(y, "holding_from", json_string(ra_date_format(p->holding_from, d2)));
        json_object_set_new(y, "qty", json_string(q(p->qty_micro, b)));
        json_object_set_new(y, "cost", json_string(m(p->cost_minor, md, b)));
        json_object_set_new(y, "wash_sale_adjustment", json_string(m(p->adjustment_minor, md, b)));
        json_array_append_new(open, y);
    }
    json_object_set_new(doc, "sales", sales);
    json_object_set_new(doc, "open_lots", open);
    const ra_gains_totals *tt = &r->totals;
    json_object_set_new(t, "proceeds", json_string(m(tt->proceeds_minor, md, b)));
    json_object_set_new(t, "cost", json_string(m(tt->cost_minor, md, b)));
    json_object_set_new(t, "gain", json_string(m(tt->gain_minor, md, b)));
    json_object_set_new(t, "wash_sale_disallowed", json_string(m(tt->disallowed_minor, md, b)));
    json_object_set_new(t, "short_term_gain", json_string(m(tt->short_term_minor, md, b)));
    json_object_set_new(t, "long_term_gain", json_string(m(tt->long_term_minor, md, b)));
    json_object_set_new(t, "open_cost", json_string(m(tt->open_cost_minor, md, b)));
    json_object_set_new(t, "open_wash_sale_adjustment",
                        json_string(m(tt->open_adjustment_minor, md, b)));
    json_object_set_new(t, "losses_harvested", json_string(m(tt->harvested_minor, md, b)));
    json_object_set_new(t, "harvest_wash_sale_disallowed",
                        json_string(m(tt->harvest_disallowed_minor, md, b)));
    json_object_set_new(doc, "totals", t);
    json_object_set_new(doc, "harvest", harvest_json(h, md));
    return cli_json_print(doc);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static int print_csv(const ra_gains_report *r)
{
    int md = r->minor_digits;
    char b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE], b3[RA_MONEY_FMT_SIZE],
        b4[RA_MONEY_FMT_SIZE], qb[RA_MONEY_FMT_SIZE], d1[11], d2[11], desc[2 * RA_CODE_MAX + 8];
    printf("description,acquired,sold,proceeds,cost,code,adjustment,gain,term,account,txn_id,"
           "lot_id\n");
    for (size_t i = 0; i < r->n_sales; i++) {
        const ra_gains_sale *s = &r->sales[i];
        for (size_t k = s->first_part; k < s->first_part + s->n_parts; k++) {
            const ra_gains_part *p = &r->parts[k];
            snprintf(desc, sizeof desc, "%s sh %s", q(p->qty_micro, qb), s->ticker);
            csv_field(desc);
            printf(",%s,%s,%s,%s,%s,%s,%s,%s,", ra_date_format(p->acquired, d1),
                   ra_date_format(s->date, d2), m(p->proceeds_minor, md, b1),
                   m(p->cost_minor, md, b2), p->disallowed_minor ? "W" : "",
                   m(p->disallowed_minor, md, b3),
                   m(p->gain_minor + p->disallowed_minor, md, b4), term(p->long_term));
            csv_field(r->account);
            printf(",%llu,%llu\n", (unsigned long long)s->txn_seq,
                   (unsigned long long)p->lot_id);
        }
    }
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

static int print_table(const ra_gains_report *r, const ra_gains_harvest *h, const gains_opts *o)
{
    int md = r->minor_digits;
    const char *c = r->currency;
    char b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE], b3[RA_MONEY_FMT_SIZE],
        b4[RA_MONEY_FMT_SIZE], qb[RA_MONEY_FMT_SIZE], d1[11], d2[11], d3[11];
    printf("gains of account %s", r->account);
    if (o->g.year)
        printf(", sales of %d", o->g.year);
    printf(" (amounts in %s, quantities in shares; wash sales over %zu household account%s, "
           "window %d days)\n",
           c, r->n_household_accounts, r->n_household_accounts == 1 ? "" : "s",
           o->g.window_days);
    if (r->n_other_currency)
        printf("note: %zu household account%s in another currency not included\n",
               r->n_other_currency, r->n_other_currency == 1 ? "" : "s");
    printf("\nsales: %zu\n", r->n_sales);
    char h1[32], h2[32], h3[32], h4[48];
    snprintf(h1, sizeof h1, "proceeds %s", c);
    snprintf(h2, sizeof h2, "cost %s", c);
    snprintf(h3, sizeof h3, "gain %s", c);
    snprintf(h4, sizeof h4, "wash sale disallowed %s", c);
    printf("%-6s %-10s %-8s %5s %-10s %-12s %14s %14s %14s %14s %-5s %s\n", "txn", "sold",
           "ticker", "lot", "acquired", "holding from", "qty (shares)", h1, h2, h3, "term", h4);
    for (size_t i = 0; i < r->n_sales; i++) {
        const ra_gains_sale *s = &r->sales[i];
        for (size_t k = s->first_part; k < s->first_part + s->n_parts; k++) {
            const ra_gains_part *p = &r->parts[k];
            printf("%-6llu %-10s %-8s %5llu %-10s %-12s %14s %14s %14s %14s %-5s %s\n",
                   (unsigned long long)s->txn_seq, ra_date_format(s->date, d1), s->ticker,
                   (unsigned long long)p->lot_id, ra_date_format(p->acquired, d2),
                   ra_date_format(p->holding_from, d3), q(p->qty_micro, qb),
                   m(p->proceeds_minor, md, b1), m(p->cost_minor, md, b2),
                   m(p->gain_minor, md, b3), term(p->long_term), m(p->disallowed_minor, md, b4));
        }
    }
    printf("\nopen lots: %zu\n", r->n_open);
    snprintf(h4, sizeof h4, "wash sale adjustment %s", c);
    printf("%5s %-8s %-10s %-12s %14s %14s %s\n", "lot", "ticker", "acquired", "holding from",
           "qty (shares)", h2, h4);
    for (size_t i = 0; i < r->n_open; i++) {
        const ra_gains_open *p = &r->open[i];
        printf("%5llu %-8s %-10s %-12s %14s %14s %s\n", (unsigned long long)p->lot_id, p->ticker,
               ra_date_format(p->acquired, d1), ra_date_format(p->holding_from, d2),
               q(p->qty_micro, qb), m(p->cost_minor, md, b1), m(p->adjustment_minor, md, b2));
    }
    const ra_gains_totals *t = &r->totals;
    printf("\ntotals (%s): proceeds %s, cost %s, gain %s; wash sale disallowed %s\n", c,
           m(t->proceeds_minor, md, b1), m(t->cost_minor, md, b2), m(t->gain_minor, md, b3),
           m(t->disallowed_minor, md, b4));
    printf("gain to report (%s): short term %s, long term %s\n", c,
           m(t->short_term_minor, md, b1), m(t->long_term_minor, md, b2));
    printf("open lots (%s): cost %s, of which wash sale adjustment %s\n", c,
           m(t->open_cost_minor, md, b1), m(t->open_adjustment_minor, md, b2));
    printf("\nlosses harvested by the engine for client %s (%zu account%s; %s; tax value at "
           "%g %% short-term, %g %% long-term)\n",
           h->client, h->n_accounts, h->n_accounts == 1 ? "" : "s", c, 100.0 * h->rate_short,
           100.0 * h->rate_long);
    printf("%-6s %6s %14s %14s %16s %16s %14s\n", "year", "sales", "harvested", "disallowed",
           "allowed short", "allowed long", "tax value");
    for (size_t i = 0; i <= h->n_years; i++) {
        const ra_gains_harvest_year *y = i < h->n_years ? &h->years[i] : &h->total;
        char yb[8];
        snprintf(yb, sizeof yb, "%d", y->year);
        printf("%-6s %6zu %14s %14s %16s %16s %14s\n", i < h->n_years ? yb : "total", y->sales,
               m(y->harvested_minor, md, b1), m(y->disallowed_minor, md, b2),
               m(y->allowed_short_minor, md, b3), m(y->allowed_long_minor, md, b4),
               m((ra_minor)llround(y->tax_value_minor), md, qb));
    }
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

int cmd_gains(int argc, char **argv)
{
    gains_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc == -1 ? CLI_EXIT_OK : rc;
    ra_book *b = NULL;
    if ((rc = open_book(&o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_gains_report *r = NULL;
    ra_gains_harvest *h = NULL;
    ra_status st = o.have_window ? RA_OK
                                 : ra_store_firm_wash_window(b->store, b->firm.code,
                                                             &o.g.window_days, &err);
    if (st == RA_OK)
        st = ra_gains_compute(b->store, b->firm.code, o.account, &o.g, &r, &err);
    if (st == RA_OK && o.format != G_CSV)
        st = ra_gains_harvest_compute(b->store, b->firm.code, o.account, &o.g, o.rate_short,
                                      o.rate_long, &h, &err);
    ra_book_close(b);
    if (st != RA_OK) {
        ra_gains_report_destroy(r);
        return cli_fail(CMD, &err);
    }
    if (o.format == G_JSON)
        rc = print_json(r, h, &o);
    else if (o.format == G_CSV)
        rc = print_csv(r);
    else
        rc = print_table(r, h, &o);
    ra_gains_report_destroy(r);
    ra_gains_harvest_destroy(h);
    return rc;
}
