/* The book-of-record commands: init, import, securities list, reconcile, check, audit verify,
 * valuation (include/roboadvisor/store.h, include/roboadvisor/import.h). Documented in
 * docs/cli.md; file formats in docs/formats.md.
 *
 * Every command opens the database named by --db or ROBOADVISOR_DB (default ./roboadvisor.db),
 * acts for the firm named by --firm or ROBOADVISOR_FIRM (default "default"), takes the firm's
 * personal-data key from --key-file FILE or ROBOADVISOR_KEY (64 hex digits; never from the
 * database) and records the acting user from ROBOADVISOR_USER or the login name. */
#include "cli.h"
#include "cmd_book.h"

#include <roboadvisor/import.h>
#include <roboadvisor/store.h>

#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_FIRM "default"
#define PRICE_BATCH 65536          /* price observations put per store call */
#define KEY_FILE_MAX 4096          /* bytes of a key file read at most */
#define LIST_NAMES_MAX 10          /* new tickers named in a warning before "and N more" */

/* ---- options shared by the commands --------------------------------------------------------- */

typedef struct book_opts {
    const char *db, *firm, *key_file, *positions, *firm_name, *currency;
    ra_date date;
    int have_date, incomplete;
    cli_format format;
} book_opts;

enum { O_DB = 256, O_FIRM, O_KEY_FILE, O_POSITIONS, O_DATE, O_FORMAT, O_INCOMPLETE, O_FIRM_NAME,
       O_CURRENCY, O_HELP };

/* Parses the options named in `allowed` (a string of O_* codes as chars); returns 0, -1 after
 * --help, or the usage exit code. Positional arguments are left at argv[optind..). */
static int parse_opts(const char *cmd, int argc, char **argv, const char *allowed, book_opts *o,
                      void (*help)(void))
{
    static const struct option longopts[] = {
        {"db", required_argument, 0, O_DB},
        {"firm", required_argument, 0, O_FIRM},
        {"key-file", required_argument, 0, O_KEY_FILE},
        {"positions", required_argument, 0, O_POSITIONS},
        {"date", required_argument, 0, O_DATE},
        {"format", required_argument, 0, O_FORMAT},
        {"incomplete", no_argument, 0, O_INCOMPLETE},
        {"firm-name", required_argument, 0, O_FIRM_NAME},
        {"currency", required_argument, 0, O_CURRENCY},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->format = CLI_FORMAT_TABLE;
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && rc == 0) {
        if (c >= O_DB && c < O_HELP && !strchr(allowed, c - O_DB + 'a')) {
            rc = cli_usage(cmd, "no option %s", argv[optind - 1]);
            break;
        }
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_FIRM: o->firm = optarg; break;
        case O_KEY_FILE: o->key_file = optarg; break;
        case O_POSITIONS: o->positions = optarg; break;
        case O_DATE:
            rc = cli_parse_date(cmd, "--date", optarg, &o->date);
            o->have_date = 1;
            break;
        case O_FORMAT: rc = cli_parse_format(cmd, optarg, &o->format); break;
        case O_INCOMPLETE: o->incomplete = 1; break;
        case O_FIRM_NAME: o->firm_name = optarg; break;
        case O_CURRENCY: o->currency = optarg; break;
        case O_HELP:
        case 'h': help(); return -1;
        case ':': rc = cli_usage(cmd, "%s needs a value", argv[optind - 1]); break;
        default: rc = cli_usage(cmd, "no option %s", argv[optind - 1]); break;
        }
    }
    if (rc)
        return rc;
    if (!o->firm) {
        const char *e = getenv("ROBOADVISOR_FIRM");
        o->firm = e && e[0] ? e : DEFAULT_FIRM;
    }
    return 0;
}

/* Option letters for `allowed`: 'a' + (O_x - O_DB). */
#define A_DB "a"
#define A_FIRM "b"
#define A_KEY "c"
#define A_POSITIONS "d"
#define A_DATE "e"
#define A_FORMAT "f"
#define A_INCOMPLETE "g"
#define A_FIRM_NAME "h"
#define A_CURRENCY "i"
#define A_COMMON A_DB A_FIRM A_KEY

static int no_more_args(const char *cmd, int argc, char **argv, int from)
{
    if (from < argc)
        return cli_usage(cmd, "unexpected argument \"%s\"", argv[from]);
    return 0;
}

/* The command line of a command that takes no file arguments. */
typedef struct cmd_spec {
    const char *name;    /* "reconcile" */
    const char *allowed; /* option letters (A_*) */
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
    int rc = parse_opts(c->name, argc, argv, c->allowed, o, c->help);
    if (rc)
        return rc;
    int from = optind;
    if (c->sub) {
        if (from >= argc || strcmp(argv[from], c->sub) != 0)
            return cli_usage(c->name, "the only subcommand is %s", c->sub);
        from++;
    }
    if ((rc = no_more_args(c->name, argc, argv, from)))
        return rc;
    if (c->need_positions && !o->positions)
        return cli_usage(c->name, "--positions FILE is required");
    if (c->need_date && !o->have_date)
        return cli_usage(c->name, "--date D is required");
    return 0;
}

/* ---- opening the book ----------------------------------------------------------------------- */

typedef struct book {
    ra_store *s;
    ra_store_actor actor;
    ra_firm firm;
    int have_key;
} book;

/* The firm key from --key-file or ROBOADVISOR_KEY. Returns 1 with the key, 0 if none is given,
 * or -1 after printing an error. */
static int read_key(const char *cmd, const char *key_file, uint8_t key[RA_STORE_KEY_BYTES])
{
    return cli_read_key(cmd, key_file, key);
}

static void actor_user(char out[RA_CODE_MAX])
{
    const char *u = getenv("ROBOADVISOR_USER");
    if (!u || !u[0])
        u = getlogin();
    if (!u || !u[0]) {
        const struct passwd *pw = getpwuid(geteuid());
        u = pw ? pw->pw_name : "unknown";
    }
    snprintf(out, RA_CODE_MAX, "%s", u);
}

static void book_close(book *b)
{
    ra_store_close(b->s);
    b->s = NULL;
}

/* Opens the database (creating the SQLite file and applying the migrations only for init), sets the firm's key when given and
 * loads the firm. need_firm: 1 the firm must exist, 0 it need not. Returns 0 or the exit code. */
static int book_open(const char *cmd, const book_opts *o, int create, int need_firm, book *b)
{
    memset(b, 0, sizeof *b);
    ra_err err = {0};
    ra_store_options so;
    cli_store_options(&so);
    so.create = create;
    const char *url = cli_db_url(o->db);
    if (ra_store_open(url, &so, &b->s, &err) != RA_OK) {
        if (create)
            ra_err_wrap(&err, "could not open the book %s", url);
        else
            ra_err_wrap(&err, "could not open the book %s (is it created? 'roboadvisor init')",
                        url);
        return cli_fail(cmd, &err);
    }
    int have = 0, want = 0;
    if (ra_store_schema_version(b->s, &have, &want, &err) != RA_OK) {
        book_close(b);
        return cli_fail(cmd, &err);
    }
    if (create) {
        /* init: bring the schema up to date before anything else */
        if (ra_store_init(b->s, &err) != RA_OK) {
            book_close(b);
            return cli_fail(cmd, &err);
        }
        if (have == want)
            printf("book %s (%s): schema version %d, up to date\n", url, ra_store_backend(b->s),
                   want);
        else
            printf("book %s (%s): schema version %d -> %d\n", url, ra_store_backend(b->s), have,
                   want);
    } else {
        if (have == 0) {
            book_close(b);
            fprintf(stderr, "roboadvisor %s: %s has no book yet (run 'roboadvisor init --db %s')\n",
                    cmd, url, url);
            return CLI_EXIT_DATA;
        }
    }
    snprintf(b->actor.firm, sizeof b->actor.firm, "%s", o->firm);
    actor_user(b->actor.user);
    uint8_t key[RA_STORE_KEY_BYTES];
    int k = read_key(cmd, o->key_file, key);
    if (k < 0) {
        book_close(b);
        return CLI_EXIT_DATA;
    }
    if (k == 1) {
        ra_status st = ra_store_set_firm_key(b->s, o->firm, key, &err);
        memset(key, 0, sizeof key);
        if (st != RA_OK) {
            book_close(b);
            return cli_fail(cmd, &err);
        }
        b->have_key = 1;
    }
    ra_status st = ra_store_firm_get(b->s, o->firm, &b->firm, &err);
    if (st == RA_ENOTFOUND && !need_firm)
        return 0;
    if (st != RA_OK) {
        book_close(b);
        if (st == RA_ENOTFOUND)
            fprintf(stderr,
                    "roboadvisor %s: firm \"%s\" does not exist (create it with 'roboadvisor "
                    "init --firm %s' and a key in ROBOADVISOR_KEY or --key-file)\n",
                    cmd, o->firm, o->firm);
        else
            cli_fail(cmd, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
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

static const char *money(ra_minor v, int digits, char buf[RA_MONEY_FMT_SIZE])
{
    return ra_money_format_minor(v, digits, buf, RA_MONEY_FMT_SIZE);
}

/* ---- init ----------------------------------------------------------------------------------- */

static void init_help(void)
{
    printf("usage: roboadvisor init [--db URL] [--firm CODE] [--firm-name NAME] [--currency CCY]\n"
           "                        [--key-file FILE]\n\n"
           "Creates the book (or brings its schema up to date: safe to run again) and, when a key\n"
           "is given (--key-file FILE or ROBOADVISOR_KEY, 64 hex digits), the firm CODE (default\n"
           "$ROBOADVISOR_FIRM or \"default\") with base currency CCY (default USD). The key\n"
           "encrypts the firm's personal data; it is never stored in the database.\n");
}

int cmd_init(int argc, char **argv)
{
    static const cmd_spec spec = {"init", A_COMMON A_FIRM_NAME A_CURRENCY, NULL, 0, 0, 0,
                                  init_help};
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
    ra_status st = ra_store_firm_get(b.s, o.firm, &f, &err);
    if (st == RA_OK) {
        printf("firm %s: exists (%s)\n", f.code, f.currency);
    } else if (st == RA_ENOTFOUND && b.have_key) {
        memset(&f, 0, sizeof f);
        snprintf(f.code, sizeof f.code, "%s", o.firm);
        snprintf(f.name, sizeof f.name, "%s", o.firm_name ? o.firm_name : o.firm);
        snprintf(f.currency, sizeof f.currency, "%s", ccy);
        f.minor_digits = 2;
        if (ra_store_firm_put(b.s, &b.actor, &f, &err) != RA_OK) {
            book_close(&b);
            return cli_fail(cmd, &err);
        }
        printf("firm %s: created (%s)\n", f.code, f.currency);
    } else if (st == RA_ENOTFOUND) {
        printf("firm %s: not created (no key: give --key-file FILE or ROBOADVISOR_KEY)\n", o.firm);
    } else {
        book_close(&b);
        return cli_fail(cmd, &err);
    }
    book_close(&b);
    return CLI_EXIT_OK;
}

/* ---- import --------------------------------------------------------------------------------- */

static void import_help(void)
{
    printf("usage: roboadvisor import KIND FILE [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "Imports FILE into the book in one transaction: every row or none. KIND is prices,\n"
           "dividends, splits, securities, clients, accounts or transactions (formats in\n"
           "docs/formats.md). Importing the same file again changes nothing and says so.\n"
           "Prices, dividends and splits of tickers not in the securities master add them as\n"
           "incomplete securities, with a warning naming them. Clients need the firm's key.\n");
}

typedef struct import_counts {
    size_t added, updated, unchanged;
} import_counts;

/* Names the tickers of the file that are not yet in the securities master (warning only). */
static ra_status note_new_tickers(book *b, char (*tickers)[RA_CODE_MAX], size_t n, char ***out,
                                  size_t *n_out, ra_err *err)
{
    *out = NULL;
    *n_out = 0;
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the ticker list");
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        ra_status st = ra_store_security_id(b->s, b->firm.code, tickers[i], &id, err);
        if (st == RA_ENOTFOUND) {
            size_t k;
            for (k = 0; k < *n_out; k++)
                if (strcmp(v[k], tickers[i]) == 0)
                    break;
            if (k == *n_out)
                v[(*n_out)++] = tickers[i];
        } else if (st != RA_OK) {
            free(v);
            return st;
        }
    }
    *out = v;
    return RA_OK;
}

static void warn_new_tickers(const char *cmd, char **names, size_t n)
{
    if (n == 0)
        return;
    fprintf(stderr, "roboadvisor %s: warning: %zu ticker%s not in the securities master, added as "
                    "incomplete securities:", cmd, n, n == 1 ? " is" : "s are");
    for (size_t i = 0; i < n && i < LIST_NAMES_MAX; i++)
        fprintf(stderr, "%s %s", i ? "," : "", names[i]);
    if (n > LIST_NAMES_MAX)
        fprintf(stderr, " and %zu more", n - LIST_NAMES_MAX);
    fprintf(stderr, " (see 'roboadvisor securities list --incomplete')\n");
}

static int same_security(const ra_security *a, const ra_security *b)
{
    return strcmp(a->ticker, b->ticker) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->asset_class, b->asset_class) == 0 && a->risk_level == b->risk_level &&
           a->expense_ratio == b->expense_ratio && a->lot_size == b->lot_size &&
           strcmp(a->exchange, b->exchange) == 0 && strcmp(a->currency, b->currency) == 0 &&
           strcmp(a->tlh_group, b->tlh_group) == 0 && a->on_shelf == b->on_shelf &&
           a->incomplete == b->incomplete;
}

static int same_client(const ra_client *a, const ra_client *b)
{
    return strcmp(a->code, b->code) == 0 && strcmp(a->household, b->household) == 0 &&
           strcmp(a->advisor, b->advisor) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->email, b->email) == 0 && strcmp(a->tax_id, b->tax_id) == 0 &&
           strcmp(a->address, b->address) == 0 && a->birth_year == b->birth_year;
}

static int same_account(const ra_account *a, const ra_account *b)
{
    const ra_mandate *m = &a->mandate, *n = &b->mandate;
    return strcmp(a->code, b->code) == 0 && strcmp(a->client, b->client) == 0 &&
           a->type == b->type && strcmp(a->currency, b->currency) == 0 && a->opened == b->opened &&
           strcmp(m->model, n->model) == 0 && m->discretionary == n->discretionary &&
           m->drift_band == n->drift_band && m->tlh_enabled == n->tlh_enabled &&
           m->loss_limit == n->loss_limit && strcmp(m->restrictions, n->restrictions) == 0;
}

/* "FILE:LINE" in front of a store error about one row. */
static void at_line(ra_err *err, const ra_import *im, size_t i)
{
    char where[sizeof err->where];
    if (err->where[0])
        snprintf(where, sizeof where, "%.60s:%u (%.50s)", im->source, (unsigned)im->lines[i],
                 err->where);
    else
        snprintf(where, sizeof where, "%.100s:%u", im->source, (unsigned)im->lines[i]);
    memcpy(err->where, where, sizeof where);
}

static ra_status import_rows(book *b, const ra_import *im, import_counts *c, char ***new_tickers,
                             size_t *n_new, ra_err *err)
{
    ra_status st = RA_OK;
    const ra_store_actor *A = &b->actor;
    const char *firm = b->firm.code;
    ra_store_put_stats ps;
    memset(&ps, 0, sizeof ps);
    switch (im->kind) {
    case RA_IMPORT_PRICES: {
        if ((st = note_new_tickers(b, im->tickers, im->n_tickers, new_tickers, n_new, err)))
            return st;
        ra_price_obs *obs = malloc(PRICE_BATCH * sizeof *obs);
        if (!obs)
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a batch of prices");
        size_t k = 0;
        for (size_t i = 0; i < im->n_dates && st == RA_OK; i++)
            for (size_t j = 0; j < im->n_tickers && st == RA_OK; j++) {
                ra_price p = im->price_micro[i * im->n_tickers + j];
                if (p <= 0)
                    continue;
                memcpy(obs[k].ticker, im->tickers[j], RA_CODE_MAX);
                obs[k].date = im->dates[i];
                obs[k].price = p;
                if (++k == PRICE_BATCH) {
                    ra_store_put_stats s1;
                    st = ra_store_prices_put(b->s, A, obs, k, RA_STORE_PUT_CREATE_SECURITIES, &s1,
                                             err);
                    ps.inserted += s1.inserted;
                    ps.unchanged += s1.unchanged;
                    k = 0;
                }
            }
        if (st == RA_OK && k) {
            ra_store_put_stats s1;
            st = ra_store_prices_put(b->s, A, obs, k, RA_STORE_PUT_CREATE_SECURITIES, &s1, err);
            ps.inserted += s1.inserted;
            ps.unchanged += s1.unchanged;
        }
        free(obs);
        c->added = ps.inserted;
        c->unchanged = ps.unchanged;
        return st;
    }
    case RA_IMPORT_DIVIDENDS:
    case RA_IMPORT_SPLITS: {
        size_t nt = im->n;
        char(*t)[RA_CODE_MAX] = malloc((nt ? nt : 1) * RA_CODE_MAX);
        if (!t)
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the ticker list");
        for (size_t i = 0; i < nt; i++)
            memcpy(t[i], im->kind == RA_IMPORT_DIVIDENDS ? im->dividends[i].ticker
                                                         : im->splits[i].ticker,
                   RA_CODE_MAX);
        st = note_new_tickers(b, t, nt, new_tickers, n_new, err);
        if (st == RA_OK && *n_new) {
            /* the names point into t: keep copies for the warning */
            for (size_t i = 0; i < *n_new; i++) {
                char *copy = strdup((*new_tickers)[i]);
                if (!copy) {
                    for (size_t k = 0; k < i; k++)
                        free((*new_tickers)[k]);
                    free(*new_tickers);
                    *new_tickers = NULL;
                    *n_new = 0;
                    free(t);
                    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a ticker");
                }
                (*new_tickers)[i] = copy;
            }
        }
        free(t);
        if (st != RA_OK)
            return st;
        st = im->kind == RA_IMPORT_DIVIDENDS
                 ? ra_store_dividends_put(b->s, A, im->dividends, im->n,
                                          RA_STORE_PUT_CREATE_SECURITIES, &ps, err)
                 : ra_store_splits_put(b->s, A, im->splits, im->n, RA_STORE_PUT_CREATE_SECURITIES,
                                       &ps, err);
        c->added = ps.inserted;
        c->unchanged = ps.unchanged;
        return st;
    }
    case RA_IMPORT_SECURITIES:
        for (size_t i = 0; i < im->n && st == RA_OK; i++) {
            ra_security old;
            ra_status g = ra_store_security_get(b->s, firm, im->securities[i].ticker, &old, err);
            if (g == RA_OK && same_security(&old, &im->securities[i])) {
                c->unchanged++;
                continue;
            }
            if (g != RA_OK && g != RA_ENOTFOUND)
                st = g;
            else if ((st = ra_store_security_put(b->s, A, &im->securities[i], err)) == RA_OK)
                g == RA_OK ? c->updated++ : c->added++;
            if (st != RA_OK)
                at_line(err, im, i);
        }
        return st;
    case RA_IMPORT_CLIENTS:
        for (size_t i = 0; i < im->n && st == RA_OK; i++) {
            ra_client old;
            ra_status g = ra_store_client_get(b->s, firm, im->clients[i].code, &old, err);
            int same = g == RA_OK && same_client(&old, &im->clients[i]);
            memset(&old, 0, sizeof old); /* personal data: do not leave it on the stack */
            if (same) {
                c->unchanged++;
                continue;
            }
            if (g != RA_OK && g != RA_ENOTFOUND)
                st = g;
            else if ((st = ra_store_client_put(b->s, A, &im->clients[i], err)) == RA_OK)
                g == RA_OK ? c->updated++ : c->added++;
            if (st != RA_OK)
                at_line(err, im, i);
        }
        return st;
    case RA_IMPORT_ACCOUNTS:
        for (size_t i = 0; i < im->n && st == RA_OK; i++) {
            ra_account old;
            ra_status g = ra_store_account_get(b->s, firm, im->accounts[i].code, &old, err);
            if (g == RA_OK && same_account(&old, &im->accounts[i])) {
                c->unchanged++;
                continue;
            }
            if (g != RA_OK && g != RA_ENOTFOUND)
                st = g;
            else if ((st = ra_store_account_put(b->s, A, &im->accounts[i], err)) == RA_OK)
                g == RA_OK ? c->updated++ : c->added++;
            if (st != RA_OK)
                at_line(err, im, i);
        }
        return st;
    case RA_IMPORT_TRANSACTIONS: {
        ra_store_txn *t = calloc(im->n, sizeof *t);
        ra_store_lot_in *lots = calloc(im->n_lots ? im->n_lots : 1, sizeof *lots);
        if (!t || !lots) {
            free(t);
            free(lots);
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the transactions");
        }
        for (size_t i = 0; i < im->n; i++) {
            const ra_import_txn *x = &im->txns[i];
            ra_store_txn *y = &t[i];
            memcpy(y->account, x->account, sizeof y->account);
            memcpy(y->external_id, x->txn_id, sizeof y->external_id);
            memcpy(y->ticker, x->ticker, sizeof y->ticker);
            y->kind = x->txn.kind;
            y->date = x->txn.date;
            y->qty_micro = x->txn.qty_micro;
            y->price = x->txn.price;
            y->amount_minor = x->txn.amount_minor;
            y->fees_minor = x->txn.fees_minor;
            y->relief = x->txn.relief;
            y->picks = x->txn.picks;
            y->n_picks = x->txn.n_picks;
            y->split = x->txn.split;
            if (x->txn.n_lots_in) {
                size_t first = (size_t)(x->txn.lots_in - im->lots);
                for (size_t k = 0; k < x->txn.n_lots_in; k++) {
                    ra_store_lot_in *l = &lots[first + k];
                    memcpy(l->ticker, x->ticker, sizeof l->ticker);
                    l->acquired = x->txn.lots_in[k].acquired;
                    l->qty_micro = x->txn.lots_in[k].qty_micro;
                    l->basis_minor = x->txn.lots_in[k].basis_minor;
                }
                y->lots_in = lots + first;
                y->n_lots_in = x->txn.n_lots_in;
            }
        }
        ra_store_txn_stats ts;
        memset(&ts, 0, sizeof ts);
        st = ra_store_txn_append(b->s, A, t, im->n, &ts, err);
        free(t);
        free(lots);
        c->added = ts.applied;
        c->unchanged = ts.unchanged;
        return st;
    }
    default:
        return ra_err_set(err, RA_EINVAL, NULL, "positions are not imported: use 'roboadvisor "
                                                "reconcile --positions FILE'");
    }
}

int cmd_import(int argc, char **argv)
{
    const char *cmd = "import";
    book_opts o;
    int rc = parse_opts(cmd, argc, argv, A_COMMON, &o, import_help);
    if (rc == -1)
        return CLI_EXIT_OK;
    if (rc)
        return rc;
    if (optind >= argc)
        return cli_usage(cmd, "KIND FILE are required (KIND: prices, dividends, splits, "
                              "securities, clients, accounts, transactions)");
    const char *kind_s = argv[optind], *path = optind + 1 < argc ? argv[optind + 1] : NULL;
    ra_import_kind kind;
    ra_err err = {0};
    if (ra_import_kind_parse(kind_s, &kind, &err) != RA_OK || kind == RA_IMPORT_POSITIONS)
        return cli_usage(cmd, "KIND is prices, dividends, splits, securities, clients, accounts "
                              "or transactions, got \"%s\"", kind_s);
    if (!path)
        return cli_usage(cmd, "FILE is required after %s", kind_s);
    if ((rc = no_more_args(cmd, argc, argv, optind + 2)))
        return rc;
    book b;
    if ((rc = book_open(cmd, &o, 0, 1, &b)))
        return rc;
    ra_import_settings set;
    ra_import_settings_default(&set);
    set.minor_digits = b.firm.minor_digits;
    ra_import *im = NULL;
    if (ra_import_read(kind, path, &set, &im, &err) != RA_OK) {
        book_close(&b);
        return cli_fail(cmd, &err);
    }
    import_counts c = {0, 0, 0};
    char **new_tickers = NULL;
    size_t n_new = 0;
    ra_status st = ra_store_begin(b.s, &err);
    if (st == RA_OK)
        st = import_rows(&b, im, &c, &new_tickers, &n_new, &err);
    if (st == RA_OK)
        st = ra_store_commit(b.s, &err);
    if (st != RA_OK) {
        ra_err e2;
        (void)ra_store_rollback(b.s, &e2);
        if (kind != RA_IMPORT_SECURITIES && kind != RA_IMPORT_CLIENTS &&
            kind != RA_IMPORT_ACCOUNTS)
            ra_err_wrap(&err, "%s", path);
        rc = cli_fail(cmd, &err);
        fprintf(stderr, "roboadvisor %s: nothing was imported from %s\n", cmd, path);
    } else {
        warn_new_tickers(cmd, new_tickers, n_new);
        if (c.updated)
            printf("imported %s from %s: %zu new, %zu updated, %zu unchanged\n",
                   ra_import_kind_name(kind), path, c.added, c.updated, c.unchanged);
        else
            printf("imported %s from %s: %zu new, %zu unchanged\n", ra_import_kind_name(kind),
                   path, c.added, c.unchanged);
        rc = CLI_EXIT_OK;
    }
    if (kind == RA_IMPORT_DIVIDENDS || kind == RA_IMPORT_SPLITS)
        for (size_t i = 0; i < n_new; i++)
            free(new_tickers[i]);
    free(new_tickers);
    ra_import_destroy(im);
    book_close(&b);
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

int cmd_securities(int argc, char **argv)
{
    static const cmd_spec spec = {"securities", A_COMMON A_INCOMPLETE A_FORMAT, "list", 0, 0, 1,
                                  securities_help};
    const char *cmd = spec.name;
    book_opts o;
    book b;
    int rc;
    if (!book_start(&spec, argc, argv, &o, &b, &rc))
        return rc;
    ra_err err = {0};
    ra_security *v = NULL;
    size_t n = 0;
    if (ra_store_security_list(b.s, b.firm.code, o.incomplete ? RA_STORE_LIST_INCOMPLETE : 0, &v,
                               &n, &err) != RA_OK) {
        book_close(&b);
        return cli_fail(cmd, &err);
    }
    if (o.format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(b.firm.code));
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
            json_array_append_new(arr, x);
        }
        json_object_set_new(doc, "securities", arr);
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
        printf("%zu securit%s%s\n", n, n == 1 ? "y" : "ies", o.incomplete ? " incomplete" : "");
    }
    ra_store_free(v);
    book_close(&b);
    return rc;
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

typedef struct brk {
    const char *account, *ticker; /* ticker "" = cash */
    int64_t book, cust;           /* micro-shares or minor units */
} brk;

static int pos_cmp(const void *a, const void *b)
{
    const ra_position *x = a, *y = b;
    int c = strcmp(x->account, y->account);
    return c ? c : strcmp(x->ticker, y->ticker);
}

int cmd_reconcile(int argc, char **argv)
{
    static const cmd_spec spec = {"reconcile", A_COMMON A_POSITIONS A_DATE A_FORMAT, NULL, 1, 1, 1,
                                  reconcile_help};
    const char *cmd = spec.name;
    book_opts o;
    book b;
    int rc;
    if (!book_start(&spec, argc, argv, &o, &b, &rc))
        return rc;
    ra_err err = {0};
    ra_import_settings set;
    ra_import_settings_default(&set);
    set.minor_digits = b.firm.minor_digits;
    ra_import *im = NULL;
    ra_position *bk = NULL;
    size_t nb = 0;
    brk *br = NULL;
    size_t n_br = 0, n_cmp = 0;
    if (ra_import_read(RA_IMPORT_POSITIONS, o.positions, &set, &im, &err) != RA_OK ||
        ra_store_holdings(b.s, b.firm.code, o.date, &bk, &nb, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
        goto out;
    }
    ra_position *cu = im->positions;
    size_t nc = im->n;
    qsort(cu, nc, sizeof *cu, pos_cmp);
    qsort(bk, nb, sizeof *bk, pos_cmp);
    br = calloc(nb + nc + 1, sizeof *br);
    if (!br) {
        fprintf(stderr, "roboadvisor %s: out of memory\n", cmd);
        rc = CLI_EXIT_DATA;
        goto out;
    }
    /* merge the two sorted lists on (account, ticker); a missing line counts as zero */
    for (size_t i = 0, j = 0; i < nb || j < nc;) {
        int c = i == nb ? 1 : j == nc ? -1 : pos_cmp(&bk[i], &cu[j]);
        const ra_position *p = c <= 0 ? &bk[i] : &cu[j];
        int cash = p->ticker[0] == '\0';
        int64_t vb = c <= 0 ? (cash ? bk[i].cash_minor : bk[i].qty_micro) : 0;
        int64_t vc = c >= 0 ? (cash ? cu[j].cash_minor : cu[j].qty_micro) : 0;
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
        n_cmp++;
        if (vb != vc)
            br[n_br++] = (brk){p->account, p->ticker, vb, vc};
    }
    char d[11];
    ra_date_format(o.date, d);
    const char *ccy = b.firm.currency;
    int md = b.firm.minor_digits;
    if (o.format == CLI_FORMAT_JSON) {
        json_t *doc = json_object(), *arr = json_array();
        json_object_set_new(doc, "firm", json_string(b.firm.code));
        json_object_set_new(doc, "date", json_string(d));
        json_object_set_new(doc, "positions_compared", json_integer((json_int_t)n_cmp));
        json_object_set_new(doc, "breaks_count", json_integer((json_int_t)n_br));
        for (size_t k = 0; k < n_br; k++) {
            char a1[RA_MONEY_FMT_SIZE], a2[RA_MONEY_FMT_SIZE], a3[RA_MONEY_FMT_SIZE];
            int cash = br[k].ticker[0] == '\0';
            int64_t diff = br[k].cust - br[k].book;
            json_t *x = json_object();
            json_object_set_new(x, "account", json_string(br[k].account));
            json_object_set_new(x, "security", json_string(cash ? "CASH" : br[k].ticker));
            json_object_set_new(x, "unit", json_string(cash ? ccy : "shares"));
            json_object_set_new(x, "book", json_string(cash ? money(br[k].book, md, a1)
                                                           : ra_money_format_qty(br[k].book, a1, sizeof a1)));
            json_object_set_new(x, "custodian", json_string(cash ? money(br[k].cust, md, a2)
                                                                 : ra_money_format_qty(br[k].cust, a2, sizeof a2)));
            json_object_set_new(x, "difference", json_string(cash ? money(diff, md, a3)
                                                                  : ra_money_format_qty(diff, a3, sizeof a3)));
            json_array_append_new(arr, x);
        }
        json_object_set_new(doc, "breaks", arr);
        if (cli_json_print(doc))
            rc = CLI_EXIT_DATA;
    } else {
        if (n_br)
            printf("%-14s %-10s %-7s %18s %18s %18s\n", "account", "security", "unit", "book",
                   "custodian", "difference");
        for (size_t k = 0; k < n_br; k++) {
            char a1[RA_MONEY_FMT_SIZE], a2[RA_MONEY_FMT_SIZE], a3[RA_MONEY_FMT_SIZE];
            int cash = br[k].ticker[0] == '\0';
            int64_t diff = br[k].cust - br[k].book;
            if (cash)
                printf("%-14s %-10s %-7s %18s %18s %18s\n", br[k].account, "CASH", ccy,
                       money(br[k].book, md, a1), money(br[k].cust, md, a2), money(diff, md, a3));
            else
                printf("%-14s %-10s %-7s %18s %18s %18s\n", br[k].account, br[k].ticker, "shares",
                       ra_money_format_qty(br[k].book, a1, sizeof a1),
                       ra_money_format_qty(br[k].cust, a2, sizeof a2),
                       ra_money_format_qty(diff, a3, sizeof a3));
        }
        if (n_br)
            printf("%zu break%s in %zu positions on %s\n", n_br, n_br == 1 ? "" : "s", n_cmp, d);
        else
            printf("no breaks: %zu positions agree on %s\n", n_cmp, d);
    }
    if (rc == 0 && n_br)
        rc = CLI_EXIT_DATA;
out:
    free(br);
    ra_store_free(bk);
    ra_import_destroy(im);
    book_close(&b);
    return rc;
}

/* ---- check, audit verify -------------------------------------------------------------------- */

static void check_help(void)
{
    printf("usage: roboadvisor check [--db URL]\n\n"
           "Replays every account's transactions (every firm) and compares the result with the\n"
           "stored cash and lots, then runs the database's own integrity checks. Exit status 1\n"
           "naming the first account that does not reconcile.\n");
}

int cmd_check(int argc, char **argv)
{
    static const cmd_spec spec = {"check", A_DB, NULL, 0, 0, 0, check_help};
    const char *cmd = spec.name;
    book_opts o;
    book b;
    int rc;
    if (!book_start(&spec, argc, argv, &o, &b, &rc))
        return rc;
    ra_err err = {0};
    ra_store_check_result r;
    memset(&r, 0, sizeof r);
    if (ra_store_check(b.s, &r, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
    } else {
        printf("ok: %llu accounts and %llu transactions reconcile; database integrity ok\n",
               (unsigned long long)r.n_accounts, (unsigned long long)r.n_transactions);
    }
    book_close(&b);
    return rc;
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
    static const cmd_spec spec = {"valuation", A_COMMON A_DATE A_FORMAT, NULL, 0, 1, 1,
                                  valuation_help};
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
        book_close(&b);
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
    book_close(&b);
    return rc;
}
