/* roboadvisor generate-book: writes a seeded demo book (include/roboadvisor/bookgen.h) on the real
 * prices and dividends of the shared data directory into a database (include/roboadvisor/store.h).
 * Documented in docs/cli.md#generate-book. */
#include "cli.h"

#include <roboadvisor/bookgen.h>
#include <roboadvisor/store.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DATA_BYTES (256u << 20) /* a data file larger than this is refused */
#define TXN_BATCH 8192              /* transactions handed to the store per call */

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

static int parse_opts(const char *cmd, int argc, char **argv, gen_opts *o)
{
    enum { O_DB = 256, O_CLIENTS, O_SEED, O_DATA, O_KEY, O_FROM, O_TO, O_FORMAT, O_HELP };
    const struct option longopts[] = {
        {"db", required_argument, 0, O_DB},          {"clients", required_argument, 0, O_CLIENTS},
        {"seed", required_argument, 0, O_SEED},      {"data", required_argument, 0, O_DATA},
        {"key-file", required_argument, 0, O_KEY},   {"from", required_argument, 0, O_FROM},
        {"to", required_argument, 0, O_TO},          {"format", required_argument, 0, O_FORMAT},
        {"help", no_argument, 0, O_HELP},            {0, 0, 0, 0}};
    int c, rc = 0;
    size_t seed = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1 && rc == 0) {
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_CLIENTS:
            rc = cli_parse_size(cmd, "--clients", optarg, 1, RA_BOOKGEN_MAX_CLIENTS, &o->clients);
            break;
        case O_SEED:
            rc = cli_parse_size(cmd, "--seed", optarg, 0, SIZE_MAX, &seed);
            o->seed = seed;
            break;
        case O_DATA: o->data = optarg; break;
        case O_KEY: o->key_file = optarg; break;
        case O_FROM: rc = cli_parse_date(cmd, "--from", optarg, &o->from); break;
        case O_TO: rc = cli_parse_date(cmd, "--to", optarg, &o->to); break;
        case O_FORMAT: rc = cli_parse_format(cmd, optarg, &o->format); break;
        case O_HELP: case 'h': generate_help(); return -1;
        case ':': rc = cli_usage(cmd, "%s needs a value", argv[optind - 1]); break;
        default: rc = cli_usage(cmd, "no option %s", argv[optind - 1]); break;
        }
    }
    if (rc) return rc;
    if (optind < argc) return cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
    if ((o->from != 0) != (o->to != 0))
        return cli_usage(cmd, "--from and --to go together");
    if (o->from && o->from > o->to) return cli_usage(cmd, "--from is after --to");
    return 0;
}

/* ---- the key ---------------------------------------------------------------------------------- */

static ra_status key_from_file(const char *path, int create, uint8_t key[RA_STORE_KEY_BYTES],
                               int *created, ra_err *err)
{
    char *data = NULL;
    size_t size = 0;
    *created = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT && create) {
        ra_status rc = ra_store_key_generate(key, err);
        if (rc != RA_OK) return rc;
        char hex[65];
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) return ra_err_set(err, RA_EIO, path, "could not create the key file: %s",
                                      strerror(errno));
        ra_store_key_format(key, hex);
        hex[64] = '\n';
        ssize_t w = write(fd, hex, 65);
        int closed = close(fd);
        if (w != 65 || closed != 0)
            return ra_err_set(err, RA_EIO, path, "could not write the key file");
        *created = 1;
        return RA_OK;
    }
    ra_status rc = ra_file_read(path, 4096, &data, &size, err);
    if (rc != RA_OK) return rc;
    rc = ra_store_key_parse(data, size, key, err);
    free(data);
    if (rc != RA_OK) ra_err_set(err, rc, path, "%s", err ? err->msg : "");
    return rc;
}

static ra_status get_key(const gen_opts *o, const char *url, uint8_t key[RA_STORE_KEY_BYTES],
                         char *key_path, size_t key_path_size, int *created, ra_err *err)
{
    *created = 0;
    key_path[0] = 0;
    if (o->key_file) {
        snprintf(key_path, key_path_size, "%s", o->key_file);
        return key_from_file(o->key_file, 1, key, created, err);
    }
    const char *env = getenv("ROBOADVISOR_KEY");
    if (env && env[0]) {
        ra_status rc = ra_store_key_parse(env, strlen(env), key, err);
        if (rc != RA_OK) ra_err_set(err, rc, "ROBOADVISOR_KEY", "%s", err ? err->msg : "");
        return rc;
    }
    if (strncmp(url, "postgres", 8) == 0 || strcmp(url, ":memory:") == 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "no personal-data key: give --key-file FILE or ROBOADVISOR_KEY");
    snprintf(key_path, key_path_size, "%s.key", url);
    return key_from_file(key_path, 1, key, created, err);
}

/* ---- loading the market --------------------------------------------------------------------- */

typedef struct market_data {
    ra_security *shelf;
    size_t n_shelf;
    ra_series *prices;
    ra_price *close;
    ra_dividend *divs;
    size_t n_divs;
    ra_split *splits;
    size_t n_splits;
} market_data;

static void market_free(market_data *md)
{
    free(md->shelf);
    ra_series_destroy(md->prices);
    free(md->close);
    free(md->divs);
    free(md->splits);
}

static ra_status read_file(const char *dir, const char *name, char *path, size_t path_size,
                           char **data, size_t *size, ra_err *err)
{
    snprintf(path, path_size, "%s/%s", dir, name);
    return ra_file_read(path, MAX_DATA_BYTES, data, size, err);
}

static ra_status load_market(const char *dir, market_data *md, ra_err *err)
{
    char path[4096];
    char *data = NULL;
    size_t size = 0;
    ra_status rc = read_file(dir, "aa_etf_descriptions.csv", path, sizeof path, &data, &size, err);
    if (rc == RA_OK) rc = ra_bookgen_shelf_parse(data, size, path, &md->shelf, &md->n_shelf, err);
    free(data);
    data = NULL;
    if (rc != RA_OK) return rc;
    snprintf(path, sizeof path, "%s/aa_etf_prices.csv", dir);
    if ((rc = ra_csv_read_series(path, &md->prices, err)) != RA_OK ||
        (rc = ra_bookgen_close_from_series(md->prices, md->shelf, md->n_shelf, &md->close,
                                           err)) != RA_OK)
        return rc;
    rc = read_file(dir, "av_etf_dividends.csv", path, sizeof path, &data, &size, err);
    if (rc == RA_OK) rc = ra_bookgen_dividends_parse(data, size, path, &md->divs, &md->n_divs, err);
    free(data);
    data = NULL;
    if (rc != RA_OK) return rc;
    rc = read_file(dir, "av_etf_splits.csv", path, sizeof path, &data, &size, err);
    if (rc == RA_OK) rc = ra_bookgen_splits_parse(data, size, path, &md->splits, &md->n_splits, err);
    free(data);
    if (rc != RA_OK) return rc;
    /* aa_etf_prices.csv is split-adjusted: put the dividends in the same share units */
    return ra_bookgen_dividends_adjust(md->divs, md->n_divs, md->splits, md->n_splits, err);
}

/* ---- writing the book ------------------------------------------------------------------------ */

typedef struct write_counts {
    size_t prices, dividends, txns_applied, txns_unchanged;
} write_counts;

static ra_status put_market(ra_store *st, const ra_store_actor *actor, const market_data *md,
                            ra_date from, write_counts *wc, ra_err *err)
{
    const ra_series *p = md->prices;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < p->n_rows; i++)
        if (p->dates[i] >= from) cap += md->n_shelf;
    ra_price_obs *obs = malloc((cap ? cap : 1) * sizeof *obs);
    ra_dividend *dv = malloc((md->n_divs ? md->n_divs : 1) * sizeof *dv);
    if (!obs || !dv) {
        free(obs);
        free(dv);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu prices", cap);
    }
    for (size_t i = 0; i < p->n_rows; i++) {
        if (p->dates[i] < from) continue;
        for (size_t j = 0; j < md->n_shelf; j++) {
            ra_price v = md->close[i * md->n_shelf + j];
            if (v <= 0) continue;
            ra_price_obs *o = &obs[n++];
            memset(o, 0, sizeof *o);
            memcpy(o->ticker, md->shelf[j].ticker, sizeof o->ticker);
            o->date = p->dates[i];
            o->price = v;
        }
    }
    size_t nd = 0;
    ra_date last = p->dates[p->n_rows - 1];
    for (size_t i = 0; i < md->n_divs; i++) {
        if (md->divs[i].ex_date < from || md->divs[i].ex_date > last || md->divs[i].amount <= 0)
            continue;
        for (size_t j = 0; j < md->n_shelf; j++)
            if (strcmp(md->divs[i].ticker, md->shelf[j].ticker) == 0) {
                dv[nd++] = md->divs[i];
                break;
            }
    }
    ra_store_put_stats ps = {0}, ds = {0};
    ra_status rc = ra_store_prices_put(st, actor, obs, n, 0, &ps, err);
    if (rc == RA_OK) rc = ra_store_dividends_put(st, actor, dv, nd, 0, &ds, err);
    free(obs);
    free(dv);
    wc->prices = n;
    wc->dividends = nd;
    return rc;
}

static ra_status put_book(ra_store *st, const ra_store_actor *actor, const ra_bookgen_book *b,
                          write_counts *wc, ra_err *err)
{
    ra_status rc = ra_store_firm_put(st, actor, &b->firm, err);
    for (size_t i = 0; i < b->n_advisors && rc == RA_OK; i++)
        rc = ra_store_advisor_put(st, actor, &b->advisors[i], err);
    for (size_t i = 0; i < b->n_securities && rc == RA_OK; i++)
        rc = ra_store_security_put(st, actor, &b->securities[i], err);
    return rc;
}

static ra_status put_parties(ra_store *st, const ra_store_actor *actor, const ra_bookgen_book *b,
                             write_counts *wc, ra_err *err)
{
    ra_status rc = RA_OK;
    for (size_t i = 0; i < b->n_clients && rc == RA_OK; i++)
        rc = ra_store_client_put(st, actor, &b->clients[i], err);
    for (size_t i = 0; i < b->n_accounts && rc == RA_OK; i++)
        rc = ra_store_account_put(st, actor, &b->accounts[i], err);
    if (rc != RA_OK) return rc;
    ra_store_txn *batch = calloc(TXN_BATCH, sizeof *batch);
    if (!batch) return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a transaction batch");
    size_t a = 0;
    for (size_t i = 0; i < b->n_txns && rc == RA_OK;) {
        size_t k = 0;
        for (; k < TXN_BATCH && i < b->n_txns; k++, i++) {
            while (b->txn_first[a + 1] <= i) a++;
            const ra_txn *t = &b->txns[i];
            ra_store_txn *x = &batch[k];
            memset(x, 0, sizeof *x);
            memcpy(x->account, b->accounts[a].code, sizeof x->account);
            memcpy(x->external_id, b->txn_ext_id[i], sizeof x->external_id);
            x->kind = t->kind;
            x->date = t->date;
            if (t->kind == RA_TXN_BUY || t->kind == RA_TXN_SELL || t->kind == RA_TXN_DIVIDEND ||
                t->kind == RA_TXN_REINVEST)
                memcpy(x->ticker, b->securities[t->security].ticker, sizeof x->ticker);
            x->qty_micro = t->qty_micro;
            x->price = t->price;
            x->amount_minor = t->amount_minor;
            x->fees_minor = t->fees_minor;
            x->relief = t->relief;
        }
        ra_store_txn_stats ts = {0};
        rc = ra_store_txn_append(st, actor, batch, k, &ts, err);
        wc->txns_applied += ts.applied;
        wc->txns_unchanged += ts.unchanged;
    }
    free(batch);
    return rc;
}

/* ---- output --------------------------------------------------------------------------------- */

static void money(ra_minor v, char *buf, size_t size)
{
    char raw[RA_MONEY_FMT_SIZE];
    ra_money_format_minor(v, 2, raw, sizeof raw);
    /* thousands separators for reading: 1234567.89 -> 1,234,567.89 */
    const char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw), o = 0;
    size_t start = raw[0] == '-' ? 1 : 0;
    if (start && o + 1 < size) buf[o++] = '-';
    for (size_t i = start; i < int_len && o + 1 < size; i++) {
        buf[o++] = raw[i];
        size_t left = int_len - i - 1;
        if (left > 0 && left % 3 == 0 && o + 1 < size) buf[o++] = ',';
    }
    for (const char *p = dot; p && *p && o + 1 < size; p++) buf[o++] = *p;
    buf[o] = 0;
}

static void print_table(const gen_opts *o, const char *url, const ra_store *st,
                        const ra_bookgen_book *b, const write_counts *wc, const char *key_path,
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
                      const ra_bookgen_book *b, const write_counts *wc, double ms)
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
    market_data md = {0};
    ra_bookgen_book *book = NULL;
    ra_store *st = NULL;
    write_counts wc = {0};
    const char *url = cli_db_url(o.db);
    uint8_t key[RA_STORE_KEY_BYTES];
    char key_path[4096];
    int key_created = 0;
    ra_status s = load_market(o.data, &md, &err);
    if (s == RA_OK) {
        ra_bookgen_settings set;
        ra_bookgen_settings_default(&set);
        set.seed = o.seed;
        set.n_clients = o.clients;
        set.start = o.from;
        set.end = o.to;
        ra_bookgen_market m = {md.shelf, md.n_shelf, md.prices->dates, md.prices->n_rows,
                               md.close, md.divs, md.n_divs};
        s = ra_bookgen_create(&set, &m, &book, &err);
    }
    if (s == RA_OK) s = get_key(&o, url, key, key_path, sizeof key_path, &key_created, &err);
    ra_store_options so;
    cli_store_options(&so);
    if (s == RA_OK) s = ra_store_open(url, &so, &st, &err);
    if (s == RA_OK) s = ra_store_init(st, &err);
    if (s == RA_OK) s = ra_store_set_firm_key(st, book->firm.code, key, &err);
    memset(key, 0, sizeof key);
    if (s == RA_OK) s = ra_store_begin(st, &err);
    if (s == RA_OK) {
        ra_store_actor actor = {0};
        snprintf(actor.user, sizeof actor.user, "generate-book");
        snprintf(actor.firm, sizeof actor.firm, "%s", book->firm.code);
        s = put_book(st, &actor, book, &wc, &err);
        if (s == RA_OK) s = put_market(st, &actor, &md, book->first_date, &wc, &err);
        if (s == RA_OK) s = put_parties(st, &actor, book, &wc, &err);
        if (s == RA_OK) s = ra_store_commit(st, &err);
        else (void)ra_store_rollback(st, NULL);
    }
    if (s == RA_OK) {
        double ms = cli_clock_ms() - t0;
        if (o.format == CLI_FORMAT_JSON) rc = print_json(&o, url, st, book, &wc, ms);
        else print_table(&o, url, st, book, &wc, key_path, key_created, ms);
    } else {
        rc = cli_fail(cmd, &err);
    }
    ra_store_close(st);
    ra_bookgen_destroy(book);
    market_free(&md);
    return rc;
}
