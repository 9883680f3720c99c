/* roboadvisor backtest: the daily cycle over real history on a generated book
 * (include/roboadvisor/engine_backtest.h), reported per risk level. Documented in
 * docs/cli.md#backtest; formulas in docs/methodology.md#backtests. */
#include "cli.h"

#include <roboadvisor/engine_backtest.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUESTIONNAIRE_MAX (1u << 20)

typedef struct bt_opts {
    ra_date from, to;
    int have_from, have_to;
    size_t clients;
    uint64_t seed;
    size_t stages;
    const char *data, *db, *questionnaire;
    cli_format format;
} bt_opts;

static const cli_opt bt_options[] = {
    CLI_O("from", CLI_OPT_DATE, bt_opts, from, .have = CLI_HAVE(bt_opts, have_from)),
    CLI_O("to", CLI_OPT_DATE, bt_opts, to, .have = CLI_HAVE(bt_opts, have_to)),
    CLI_O("clients", CLI_OPT_SIZE, bt_opts, clients, .lo = 1, .hi = RA_BOOKGEN_MAX_CLIENTS),
    CLI_O("seed", CLI_OPT_SIZE, bt_opts, seed, .lo = 0, .hi = SIZE_MAX),
    CLI_O("stages", CLI_OPT_SIZE, bt_opts, stages, .lo = 1, .hi = 2),
    CLI_O("data", CLI_OPT_STR, bt_opts, data), CLI_O("db", CLI_OPT_STR, bt_opts, db),
    CLI_O("questionnaire", CLI_OPT_STR, bt_opts, questionnaire),
    CLI_O("format", CLI_OPT_FORMAT, bt_opts, format), CLI_OPT_END};

static void bt_help(void)
{
    printf("usage: roboadvisor backtest --from D1 --to D2 [--clients N] [--seed S]\n"
           "                            [--format table|json] [--data DIR] [--db FILE]\n"
           "                            [--questionnaire FILE] [--stages 1|2]\n\n"
           "Generates a demo book with %d years of history ending on D1 (as generate-book), builds\n"
           "the model portfolios and onboards the generated clients on D1, then runs the daily\n"
           "cycle with fills at the close (run-day --execute close) on every trading day after D1\n"
           "up to D2, and reports per risk level of the accounts' models (R1..R5): annualised\n"
           "return before fees, after fees and after estimated taxes, volatility, maximum\n"
           "drawdown, turnover, tracking error to the model, losses harvested and their tax\n"
           "value, and the measured tax alpha next to the published reference (Chaudhuri,\n"
           "Burnham and Lo 2020: about 1 %% a year before costs, for stocks; ETFs harvest less).\n\n"
           "  --clients N          clients generated and onboarded (default %d)\n"
           "  --seed S             the book's and the answers' seed (default %d)\n"
           "  --data DIR           the shared market data (default ../shared/data)\n"
           "  --db FILE            keep the book in this new SQLite file (its key in FILE.key);\n"
           "                       default: a temporary file removed at the end\n"
           "  --questionnaire FILE the risk questionnaire (default\n"
           "                       examples/questionnaire/default.json)\n"
           "  --stages 1|2         how the models are built (as models build --stages): 2, the\n"
           "                       default, equilibrium and views by asset class then funds; 1,\n"
           "                       the former single stage on the shelf's historical means\n\n"
           "A progress bar goes to stderr when it is a terminal. Formulas:\n"
           "docs/methodology.md#backtests.\n",
           RA_BACKTEST_HISTORY_YEARS, RA_BOOKGEN_DEFAULT_CLIENTS, RA_BOOKGEN_DEFAULT_SEED);
}

static void progress(void *ctx, ra_date day, size_t done, size_t total)
{
    if (!*(int *)ctx || total == 0)
        return;
    char db[11];
    int width = 40, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\rbacktest %s [%.*s%*s] %3d %%", ra_date_format(day, db), fill,
            "########################################", width - fill, "",
            (int)(100.0 * (double)done / (double)total));
    if (done == total)
        fputc('\n', stderr);
}

static const char *level_name(int lv)
{
    static const char *const names[] = {"all", "R1", "R2", "R3", "R4", "R5"};
    return lv >= 0 && lv <= RA_BACKTEST_LEVELS ? names[lv] : "?";
}

static double minor_to_units(double v, int md)
{
    double f = 1;
    for (int i = 0; i < md; i++)
        f *= 10;
    return v / f;
}

static json_t *level_json(const ra_backtest_level *l, int md)
{
    json_t *o = json_object();
    json_object_set_new(o, "level", json_string(level_name(l->level)));
    json_object_set_new(o, "accounts", json_integer((json_int_t)l->accounts));
    json_object_set_new(o, "days", json_integer((json_int_t)l->days));
    json_object_set_new(o, "average_value", cli_jnum(minor_to_units(l->avg_value, md)));
    json_object_set_new(o, "return_before_fees", cli_jnum(l->ret_ann_before_fees));
    json_object_set_new(o, "return_after_fees", cli_jnum(l->ret_ann));
    json_object_set_new(o, "return_after_taxes", cli_jnum(l->ret_ann_after_tax));
    json_object_set_new(o, "volatility", cli_jnum(l->vol_ann));
    json_object_set_new(o, "max_drawdown", cli_jnum(l->max_drawdown));
    json_object_set_new(o, "turnover", cli_jnum(l->turnover_ann));
    json_object_set_new(o, "transition", cli_jnum(l->transition));
    json_object_set_new(o, "tracking_error", cli_jnum(l->tracking_error));
    json_object_set_new(o, "fees", cli_jnum(minor_to_units(l->fees, md)));
    json_object_set_new(o, "estimated_taxes", cli_jnum(minor_to_units(l->taxes, md)));
    json_object_set_new(o, "harvested", cli_jnum(minor_to_units(l->harvested, md)));
    json_object_set_new(o, "harvest_tax_value", cli_jnum(minor_to_units(l->harvest_tax_value, md)));
    json_object_set_new(o, "tax_alpha", cli_jnum(l->tax_alpha));
    return o;
}

static int print_json(const bt_opts *o, const ra_backtest_result *r)
{
    json_t *doc = json_object(), *lv = json_array();
    json_object_set_new(doc, "from", cli_jdate(o->from));
    json_object_set_new(doc, "to", cli_jdate(o->to));
    json_object_set_new(doc, "first_day", cli_jdate(r->first_day));
    json_object_set_new(doc, "last_day", cli_jdate(r->last_day));
    json_object_set_new(doc, "days_run", json_integer((json_int_t)r->days_run));
    json_object_set_new(doc, "clients", json_integer((json_int_t)r->clients));
    json_object_set_new(doc, "accounts", json_integer((json_int_t)r->accounts));
    json_object_set_new(doc, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(doc, "stages", json_integer(o->stages ? (json_int_t)o->stages : 2));
    json_object_set_new(doc, "firm", json_string(r->firm));
    json_object_set_new(doc, "currency", json_string(r->currency));
    json_object_set_new(doc, "trades", json_integer((json_int_t)r->trades));
    for (int k = 0; k < RA_BACKTEST_LEVELS; k++)
        if (r->level[k].accounts)
            json_array_append_new(lv, level_json(&r->level[k], r->minor_digits));
    json_object_set_new(doc, "levels", lv);
    json_object_set_new(doc, "total", level_json(&r->total, r->minor_digits));
    json_object_set_new(doc, "reference_tax_alpha", cli_jnum(RA_BACKTEST_REF_TAX_ALPHA));
    json_object_set_new(doc, "reference",
                        json_string("Chaudhuri, Burnham and Lo (2020), Financial Analysts Journal "
                                    "76(3): about 1 % a year before costs, for stocks; ETFs "
                                    "harvest less"));
    cli_json_units(doc, "return_before_fees, return_after_fees, return_after_taxes, volatility, "
                   "tracking_error, turnover, tax_alpha", "fraction a year (252 trading days)",
                   "max_drawdown, transition", "fraction", "average_value, fees, estimated_taxes, harvested, "
                   "harvest_tax_value", "currency", NULL);
    return cli_json_print(doc);
}

static void pct(char *b, size_t n, double x)
{
    if (isfinite(x))
        snprintf(b, n, "%.2f %%", 100 * x);
    else
        snprintf(b, n, "-");
}

static void print_table(const bt_opts *o, const ra_backtest_result *r, double ms)
{
    char d1[11], d2[11];
    printf("backtest %s to %s: %zu trading days, %zu clients, %zu accounts with a model, seed "
           "%llu, %zu trades\n", ra_date_format(r->first_day, d1), ra_date_format(r->last_day, d2),
           r->days_run, r->clients, r->accounts, (unsigned long long)o->seed, r->trades);
    printf("models built %s\n", o->stages == 1
                                   ? "in one stage (maximum Sharpe on the shelf's historical means)"
                                   : "in two stages (equilibrium returns and views by asset "
                                     "class, then funds)");
    printf("annual figures over 252 trading days; returns are value-weighted daily time-weighted "
           "returns of the level's accounts\n\n");
    printf("%-5s %8s %10s %10s %10s %9s %9s %10s %9s %9s %13s %12s %9s\n", "level", "accounts",
           "ret gross", "ret net", "after tax", "vol", "max dd", "transition", "turnover", "te",
           "harvested", "tax value", "tax alpha");
    for (int k = 0; k <= RA_BACKTEST_LEVELS; k++) {
        const ra_backtest_level *l = k < RA_BACKTEST_LEVELS ? &r->level[k] : &r->total;
        if (!l->accounts)
            continue;
        char a[7][24];
        pct(a[0], 24, l->ret_ann_before_fees);
        pct(a[1], 24, l->ret_ann);
        pct(a[2], 24, l->ret_ann_after_tax);
        pct(a[3], 24, l->vol_ann);
        pct(a[4], 24, l->max_drawdown);
        pct(a[5], 24, l->turnover_ann);
        pct(a[6], 24, l->transition);
        char te[24], ta[24];
        pct(te, sizeof te, l->tracking_error);
        pct(ta, sizeof ta, l->tax_alpha);
        printf("%-5s %8zu %10s %10s %10s %9s %9s %10s %9s %9s %13.2f %12.2f %9s\n",
               level_name(l->level), l->accounts, a[0], a[1], a[2], a[3], a[4], a[6], a[5], te,
               minor_to_units(l->harvested, r->minor_digits),
               minor_to_units(l->harvest_tax_value, r->minor_digits), ta);
    }
    char ta[24];
    pct(ta, sizeof ta, r->total.tax_alpha);
    printf("\ntax alpha measured (harvest tax value / average value, a year): %s\n", ta);
    printf("tax alpha published:  about 1.00 %% a year before costs, for stocks; ETFs harvest less "
           "(Chaudhuri, Burnham and Lo 2020)\n");
    printf("(harvested and tax value in %s; gross = before fees, net = after fees, after tax = "
           "after fees and estimated taxes;\n transition = the first day's trades onto the "
           "onboarding model / average value; turnover = later trades / average value, a year)\n",
           r->currency);
    printf("time: %.1f s\n", ms / 1000.0);
}

/* The temporary book: a new file in $TMPDIR (or /tmp). */
static int temp_book(char *path, size_t n)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/roboadvisor-backtest-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static void remove_book(const char *path)
{
    char p[4200];
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        (void)unlink(p);
    }
}

int cmd_backtest(int argc, char **argv)
{
    static const char *const CMD = "backtest";
    bt_opts o;
    memset(&o, 0, sizeof o);
    o.clients = RA_BOOKGEN_DEFAULT_CLIENTS;
    o.seed = RA_BOOKGEN_DEFAULT_SEED;
    o.data = "../shared/data";
    o.questionnaire = "examples/questionnaire/default.json";
    const cli_opts_spec spec = {CMD, bt_options, bt_help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind)) != 0)
        return rc;
    if (!o.have_from || !o.have_to)
        return cli_usage(CMD, "--from D1 and --to D2 are required");
    if (o.to <= o.from)
        return cli_usage(CMD, "--to must be after --from");
    if (o.db && access(o.db, F_OK) == 0)
        return cli_usage(CMD, "--db %s exists: a backtest writes a new book", o.db);
    double t0 = cli_clock_ms();
    ra_err err = {0};
    char *q = NULL;
    size_t qsize = 0;
    if (ra_file_read(o.questionnaire, QUESTIONNAIRE_MAX, &q, &qsize, &err) != RA_OK)
        return cli_fail(CMD, &err);
    char tmp[4096], key_path[4200];
    const char *url = o.db;
    if (!url) {
        if (temp_book(tmp, sizeof tmp) != 0) {
            ra_free(q);
            ra_err_set(&err, RA_EIO, NULL, "could not create a temporary book");
            return cli_fail(CMD, &err);
        }
        url = tmp;
    }
    uint8_t key[RA_STORE_KEY_BYTES];
    ra_status s = RA_OK;
    ra_book_open_opts bo;
    memset(&bo, 0, sizeof bo);
    bo.url = url;
    bo.firm = "DEMO";
    bo.user = "backtest";
    bo.create = 1;
    if (o.db) { /* a kept book: its key next to it, as generate-book does */
        snprintf(key_path, sizeof key_path, "%s.key", o.db);
        bo.key_file = key_path;
        bo.key_file_create = 1;
    } else { /* a temporary book: a key that lives as long as the run */
        s = ra_store_key_generate(key, &err);
        bo.key = key;
    }
    ra_book *rb = NULL;
    if (s == RA_OK)
        s = ra_book_open(&bo, &rb, &err);
    ra_backtest_result *res = calloc(1, sizeof *res);
    if (s == RA_OK && !res)
        s = ra_err_set(&err, RA_ENOMEM, NULL, "could not allocate the result");
    if (s == RA_OK) {
        int tty = isatty(STDERR_FILENO);
        ra_backtest_options bto, def;
        ra_backtest_options_default(&def);
        bto = (ra_backtest_options){.from = o.from, .to = o.to, .clients = o.clients,
                                    .seed = o.seed, .data_dir = o.data, .questionnaire = q,
                                    .questionnaire_size = qsize,
                                    .tax_rate_short = def.tax_rate_short,
                                    .tax_rate_long = def.tax_rate_long, .progress = progress,
                                    .progress_ctx = &tty, .stages = o.stages ? (int)o.stages : 2};
        s = ra_backtest_run(rb->store, &rb->actor, &bto, res, &err);
    }
    ra_book_close(rb);
    if (!o.db)
        remove_book(url);
    ra_free(q);
    if (s != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.format == CLI_FORMAT_JSON)
        rc = print_json(&o, res);
    else
        print_table(&o, res, cli_clock_ms() - t0);
    free(res);
    return rc;
}
