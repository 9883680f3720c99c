/* roboadvisor views: the firm's inputs to building models — Black-Litterman views, the market
 * weights of the asset classes and the funds it pins — and a test of what they do to the classes'
 * expected returns (include/roboadvisor/engine_models.h, bl.h; docs/cli.md#views; method
 * docs/methodology.md#equilibrium-returns-and-black-litterman). */
#include "cli.h"

#include <roboadvisor/bl_io.h>
#include <roboadvisor/engine_models.h>
#include <roboadvisor/store_views.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct views_opts {
    cli_book_args book;
    const char *reason, *cov;
    ra_date from, date;
    double tau, market_sharpe;
    int json;
} views_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(views_opts, book),
    CLI_O("reason", CLI_OPT_STR, views_opts, reason),
    CLI_O("from", CLI_OPT_DATE, views_opts, from),
    CLI_O("date", CLI_OPT_DATE, views_opts, date),
    CLI_O("cov", CLI_OPT_WORD, views_opts, cov, .words = CLI_WORDS("sample", "ledoit-wolf"),
          .msg = "must be sample or ledoit-wolf, not \"%s\""),
    CLI_O("tau", CLI_OPT_DOUBLE, views_opts, tau, .dlo = 0, .dhi = 1, .open = CLI_OPEN_LO,
          .msg = "%g is not in (0, 1]"),
    CLI_O("market-sharpe", CLI_OPT_DOUBLE, views_opts, market_sharpe, .dlo = 0, .dhi = 2,
          .open = CLI_OPEN_LO, .msg = "%g is not in (0, 2]"),
    CLI_O("format", CLI_OPT_ENUM, views_opts, json, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor views set FILE --reason TEXT\n"
           "       roboadvisor views market FILE --reason TEXT\n"
           "       roboadvisor views pins FILE --reason TEXT\n"
           "       roboadvisor views list [--format table|json]\n"
           "       roboadvisor views test [--from D] [--date D] [--cov sample|ledoit-wolf]\n"
           "                              [--tau T] [--market-sharpe S] [--format table|json]\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "The firm's inputs to `models build --stages 2`, kept in versions and audited:\n"
           "  set     the Black-Litterman views, CSV view,assets,versus,return,confidence:\n"
           "          'assets' (asset classes joined by ';') return 'return' a year over cash, or\n"
           "          outperform 'versus' by it; confidence 0..1 (Idzorek; empty: 0.5, He and\n"
           "          Litterman's default). An empty file (the header only) removes the views.\n"
           "  market  the market portfolio's weights, CSV asset_class,weight (summing to 1);\n"
           "          without it the documented default applies\n"
           "  pins    the firm's own funds, preferred when a class is filled: 'ticker' then\n"
           "          one ticker a line\n"
           "  list    the current versions\n"
           "  test    each class's equilibrium return, the views' effect and each view's\n"
           "          return before and after, on the book's prices (as `models build`)\n"
           "Returns are annual, in percent in tables and fractions in JSON.\n");
}

static int do_set(const char *cmd, cli_book *b, int kind, const char *path, const views_opts *o)
{
    if (!o->reason || !o->reason[0])
        return cli_usage(cmd, "--reason TEXT is required (who decided this and why)");
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    if (ra_file_read(path, RA_BL_MAX_CSV, &data, &size, &err) != RA_OK)
        return cli_fail(cmd, &err);
    int64_t v = 0;
    ra_status st = ra_models_input_set(b->s, &b->actor, kind, data, size, path, o->reason, &v,
                                       &err);
    ra_free(data);
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    if (o->json)
        return cli_json_print(json_pack("{s:s,s:s,s:I}", "firm", b->firm.code, "kind",
                                        ra_model_input_kind_name(kind), "version",
                                        (json_int_t)v));
    printf("firm %s: %s version %lld stored (an unchanged text keeps its version)\n",
           b->firm.code, ra_model_input_kind_name(kind), (long long)v);
    return 0;
}

static int do_list(const char *cmd, cli_book *b, const views_opts *o)
{
    ra_err err = {0};
    json_t *all = o->json ? json_object() : NULL;
    int rc = 0;
    for (int k = 0; k < RA_MODEL_INPUT_KINDS && !rc; k++) {
        ra_model_input in;
        if (ra_store_model_input_get(b->s, b->firm.code, (ra_model_input_kind)k, 0, &in, &err) !=
            RA_OK) {
            rc = cli_fail(cmd, &err);
            break;
        }
        char dflt[1024] = "";
        if (!in.body && k == RA_MODEL_INPUT_MARKET) {
            ra_bl_market m;
            ra_bl_market_default(&m);
            ra_bl_market_format(&m, dflt, sizeof dflt);
        }
        const char *text = in.body ? in.body : dflt;
        if (all) {
            json_t *j = json_pack("{s:I,s:s}", "version", (json_int_t)in.version, "text", text);
            if (in.version) {
                json_object_set_new(j, "user", json_string(in.user));
                json_object_set_new(j, "reason", json_string(in.reason));
                json_object_set_new(j, "at", json_integer(in.at)); /* Unix seconds */
            } else
                json_object_set_new(j, "default", json_true());
            json_object_set_new(all, ra_model_input_kind_name((ra_model_input_kind)k), j);
        } else {
            if (in.version)
                printf("%s: version %lld by %s: %s\n", ra_model_input_kind_name(k),
                       (long long)in.version, in.user, in.reason);
            else
                printf("%s: none stored%s\n", ra_model_input_kind_name(k),
                       k == RA_MODEL_INPUT_MARKET ? " (the default below)" : "");
            if (text[0]) {
                for (const char *p = text; *p;) {
                    const char *e = strchr(p, '\n');
                    int len = e ? (int)(e - p) : (int)strlen(p);
                    printf("  %.*s\n", len, p);
                    p = e ? e + 1 : p + len;
                }
            }
        }
        ra_free(in.body);
    }
    if (all && !rc)
        rc = cli_json_print(json_pack("{s:s,s:o}", "firm", b->firm.code, "inputs", all));
    else if (all)
        json_decref(all);
    return rc;
}

static int do_test(const char *cmd, cli_book *b, const views_opts *o)
{
    ra_err err = {0};
    ra_models_build_opts bo;
    ra_models_build_opts_default(&bo);
    bo.from = o->from;
    bo.date = o->date;
    bo.sample_cov = o->cov && strcmp(o->cov, "sample") == 0;
    bo.tau = o->tau;
    bo.market_sharpe = o->market_sharpe;
    bo.returns = RA_MODELS_RETURNS_EQUILIBRIUM;
    ra_models_class_inputs *ci = malloc(sizeof *ci);
    if (!ci)
        return CLI_EXIT_DATA;
    if (ra_models_class_inputs_load(b->s, b->firm.code, &bo, ci, &err) != RA_OK) {
        free(ci);
        return cli_fail(cmd, &err);
    }
    int rc = 0;
    char f[11], t[11];
    if (o->json) {
        json_t *cls = json_array(), *views = json_array();
        for (size_t c = 0; c < ci->n; c++)
            json_array_append_new(
                cls, json_pack("{s:s,s:o,s:o,s:o,s:o,s:s}", "asset_class", ci->cls[c],
                               "market_weight", cli_jnum(ci->w_mkt[c]), "equilibrium_return",
                               cli_jnum(ci->pi[c]), "expected_return", cli_jnum(ci->mu[c]),
                               "views_effect", cli_jnum(ci->mu[c] - ci->pi[c]), "fund",
                               ci->n_funds[c] ? ci->fund[c][0] : ""));
        for (size_t k = 0; k < ci->n_views; k++)
            json_array_append_new(
                views, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "view", ci->view[k].code, "return",
                                 cli_jnum(ci->view[k].q), "confidence",
                                 cli_jnum(ci->view[k].confidence), "omega",
                                 cli_jnum(ci->view[k].omega), "equilibrium",
                                 cli_jnum(ci->view[k].prior), "posterior",
                                 cli_jnum(ci->view[k].posterior)));
        rc = cli_json_print(json_pack(
            "{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:I,s:I,s:o,s:o}", "firm", b->firm.code, "from",
            ra_date_format(ci->from, f), "to", ra_date_format(ci->to, t), "days",
            (json_int_t)ci->n_obs, "delta", cli_jnum(ci->delta), "tau", cli_jnum(ci->tau),
            "market_sharpe", cli_jnum(ci->market_sharpe), "views_version",
            (json_int_t)ci->views_version, "market_version", (json_int_t)ci->market_version,
            "classes", cls, "views", views));
    } else {
        printf("firm %s: %zu asset classes, %zu daily returns %s .. %s; delta %.3f (market "
               "Sharpe ratio %.2f), tau %.3f; market weights %s, views %s\n",
               b->firm.code, ci->n, ci->n_obs, ra_date_format(ci->from, f),
               ra_date_format(ci->to, t), ci->delta, ci->market_sharpe, ci->tau,
               ci->market_version ? "stored" : "the default",
               ci->views_version ? "stored" : "none");
        printf("%-14s %9s %13s %10s %13s\n", "asset class", "market %", "equilibrium %",
               "views %", "expected %");
        for (size_t c = 0; c < ci->n; c++)
            printf("%-14s %9.2f %13.2f %+10.2f %13.2f\n", ci->cls[c], 100 * ci->w_mkt[c],
                   100 * ci->pi[c], 100 * (ci->mu[c] - ci->pi[c]), 100 * ci->mu[c]);
        if (ci->n_views) {
            printf("%-16s %9s %11s %13s %11s\n", "view", "return %", "confidence",
                   "equilibrium %", "posterior %");
            for (size_t k = 0; k < ci->n_views; k++)
                printf("%-16s %9.2f %11.2f %13.2f %11.2f\n", ci->view[k].code,
                       100 * ci->view[k].q, ci->view[k].confidence, 100 * ci->view[k].prior,
                       100 * ci->view[k].posterior);
        }
    }
    free(ci);
    return rc;
}

int cmd_views(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    static const char *const subs[] = {"set", "market", "pins", "list", "test"};
    int sub = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(argv[1], subs[i]) == 0)
            sub = i;
    if (sub < 0)
        return cli_usage("views", "unknown subcommand \"%s\" (set, market, pins, list, test)",
                         argv[1]);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "views %s", argv[1]);
    views_opts o = {0};
    o.tau = RA_BL_TAU_DEFAULT;
    o.market_sharpe = RA_BL_MARKET_SHARPE_DEFAULT;
    const cli_opts_spec spec = {cmd, options, help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *path = NULL;
    if (sub <= 2) {
        if (optind >= argc)
            return cli_usage(cmd, "give the file: %s FILE --reason TEXT", cmd);
        path = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    static const int kinds[] = {RA_MODEL_INPUT_VIEWS, RA_MODEL_INPUT_MARKET, RA_MODEL_INPUT_PINS};
    rc = sub <= 2 ? do_set(cmd, &b, kinds[sub], path, &o)
         : sub == 3 ? do_list(cmd, &b, &o)
                    : do_test(cmd, &b, &o);
    cli_book_close(&b);
    return rc;
}
