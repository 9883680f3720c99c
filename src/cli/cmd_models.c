/* roboadvisor models build|list|show|add|suitable|assign|show-account|targets|settings
 * (include/roboadvisor/models.h; docs/cli.md#models). Opens the book like the book commands:
 * --db or ROBOADVISOR_DB, --firm or ROBOADVISOR_FIRM (default "default"), the acting user from
 * ROBOADVISOR_USER. */
#include "cli.h"
#include <roboadvisor/models_io.h>
#include <roboadvisor/store_models.h>
#include "cmd_models.h"

#include <roboadvisor/models.h>

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMD "models"

typedef struct mopts {
    const char *db, *firm, *cov, *justification, *account;
    ra_date from, to;
    int version, level, max_identical;
    double te_budget, cash_reserve, max_weight;
    int shelf_only; /* -1 not given */
    cli_format format;
} mopts;

enum { O_DB = 256, O_FIRM, O_FROM, O_TO, O_COV, O_FORMAT, O_VERSION, O_LEVEL, O_JUST, O_MAXID,
       O_TE, O_CASH, O_SHELF, O_MAXW, O_HELP };

static void help(void)
{
    printf(
        "usage: roboadvisor models build [--from D] [--to D] [--cov sample|ledoit-wolf]\n"
        "                                [--max-weight W]\n"
        "       roboadvisor models list | show CODE [--version N] | add FILE\n"
        "       roboadvisor models suitable --level C1..C5\n"
        "       roboadvisor models assign ACCOUNT CODE --level C [--version N]\n"
        "                                 [--override JUSTIFICATION]\n"
        "       roboadvisor models show-account ACCOUNT\n"
        "       roboadvisor models targets [--max-identical K] [--te-budget X] [--cash-reserve F]\n"
        "       roboadvisor models settings [--shelf-only yes|no]\n"
        "common options: [--firm CODE] [--db URL] [--format json|table]\n\n"
        "Model portfolios of the firm's shelf: one per risk level R1..R5 built with the optimiser\n"
        "(maximum Sharpe within the level's equity band) from the prices in the book, or\n"
        "hand-authored (CSV model,version,ticker,weight). Versions are kept; accounts point at a\n"
        "version. Weights and returns are printed as percentages in tables, fractions in JSON.\n");
}

static int parse(int argc, char **argv, mopts *o)
{
    static const struct option lo[] = {
        {"db", required_argument, 0, O_DB},          {"firm", required_argument, 0, O_FIRM},
        {"from", required_argument, 0, O_FROM},      {"to", required_argument, 0, O_TO},
        {"cov", required_argument, 0, O_COV},        {"format", required_argument, 0, O_FORMAT},
        {"version", required_argument, 0, O_VERSION}, {"level", required_argument, 0, O_LEVEL},
        {"override", required_argument, 0, O_JUST},  {"max-identical", required_argument, 0, O_MAXID},
        {"te-budget", required_argument, 0, O_TE},   {"cash-reserve", required_argument, 0, O_CASH},
        {"shelf-only", required_argument, 0, O_SHELF}, {"max-weight", required_argument, 0, O_MAXW},
        {"help", no_argument, 0, O_HELP},            {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->firm = getenv("ROBOADVISOR_FIRM");
    if (!o->firm || !o->firm[0])
        o->firm = "default";
    o->cov = "ledoit-wolf";
    o->max_identical = RA_MODELS_DEFAULT_MAX_IDENTICAL;
    o->te_budget = RA_MODELS_DEFAULT_TE_BUDGET;
    o->max_weight = RA_MODELS_DEFAULT_MAX_WEIGHT;
    o->shelf_only = -1;
    optind = 2; /* argv[0] "models", argv[1] the subcommand */
    opterr = 0;
    int c;
    size_t z;
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case O_DB: o->db = optarg; break;
        case O_FIRM: o->firm = optarg; break;
        case O_FROM: if (cli_parse_date(CMD, "--from", optarg, &o->from)) return 2; break;
        case O_TO: if (cli_parse_date(CMD, "--to", optarg, &o->to)) return 2; break;
        case O_COV:
            if (strcmp(optarg, "sample") != 0 && strcmp(optarg, "ledoit-wolf") != 0)
                return cli_usage(CMD, "--cov must be sample or ledoit-wolf, not \"%s\"", optarg);
            o->cov = optarg;
            break;
        case O_FORMAT: if (cli_parse_format(CMD, optarg, &o->format)) return 2; break;
        case O_VERSION:
            if (cli_parse_size(CMD, "--version", optarg, 1, 1000000, &z)) return 2;
            o->version = (int)z;
            break;
        case O_LEVEL: {
            ra_err e = {0};
            if (ra_prof_level_parse(optarg, 'C', &o->level, &e) != RA_OK)
                return cli_usage(CMD, "--level: %s", e.msg);
            break;
        }
        case O_JUST: o->justification = optarg; break;
        case O_MAXID:
            if (cli_parse_size(CMD, "--max-identical", optarg, 1, 1000000, &z)) return 2;
            o->max_identical = (int)z;
            break;
        case O_TE:
            if (cli_parse_double(CMD, "--te-budget", optarg, &o->te_budget)) return 2;
            if (!(o->te_budget > 0 && o->te_budget < 1))
                return cli_usage(CMD, "--te-budget %g is not in (0, 1)", o->te_budget);
            break;
        case O_CASH:
            if (cli_parse_double(CMD, "--cash-reserve", optarg, &o->cash_reserve)) return 2;
            if (!(o->cash_reserve >= 0 && o->cash_reserve < 1))
                return cli_usage(CMD, "--cash-reserve %g is not in [0, 1)", o->cash_reserve);
            break;
        case O_MAXW:
            if (cli_parse_double(CMD, "--max-weight", optarg, &o->max_weight)) return 2;
            if (!(o->max_weight > 0 && o->max_weight <= 1))
                return cli_usage(CMD, "--max-weight %g is not in (0, 1]", o->max_weight);
            break;
        case O_SHELF:
            if (strcmp(optarg, "yes") == 0)
                o->shelf_only = 1;
            else if (strcmp(optarg, "no") == 0)
                o->shelf_only = 0;
            else
                return cli_usage(CMD, "--shelf-only must be yes or no, not \"%s\"", optarg);
            break;
        case O_HELP:
        case 'h': help(); return -1;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_usage(CMD, "unrecognised option \"%s\"", argv[optind - 1]);
        }
    }
    return 0;
}

static int open_book(const mopts *o, ra_store **s, ra_store_actor *actor)
{
    ra_err err = {0};
    ra_store_options so;
    cli_store_options(&so);
    so.create = 0;
    const char *url = cli_db_url(o->db);
    if (ra_store_open(url, &so, s, &err) != RA_OK) {
        ra_err_wrap(&err, "could not open the book %s (is it created? 'roboadvisor init')", url);
        return cli_fail(CMD, &err);
    }
    memset(actor, 0, sizeof *actor);
    snprintf(actor->firm, sizeof actor->firm, "%s", o->firm);
    const char *u = getenv("ROBOADVISOR_USER");
    snprintf(actor->user, sizeof actor->user, "%s", u && u[0] ? u : "cli");
    int rc = cli_set_key(CMD, *s, o->firm, NULL); /* writes are audited with it */
    ra_firm f;
    if (!rc && ra_store_firm_get(*s, o->firm, &f, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    if (rc) {
        ra_store_close(*s);
        *s = NULL;
    }
    return rc;
}

/* --- output ----------------------------------------------------------------------------------- */

static json_t *model_to_json(const ra_model *m)
{
    json_t *w = json_array();
    for (size_t i = 0; i < m->n; i++)
        json_array_append_new(w, json_pack("{s:s,s:o}", "ticker", m->w[i].ticker, "weight",
                                           cli_jnum(m->w[i].weight)));
    json_t *j = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "code", m->code, "version", m->version,
                          "level", ra_suit_level_name(m->level), "target_level",
                          ra_suit_level_name(m->target_level), "source",
                          m->built ? "built" : "manual", "method", m->method);
    if (m->from) {
        json_object_set_new(j, "from", cli_jdate(m->from));
        json_object_set_new(j, "to", cli_jdate(m->to));
    }
    json_object_set_new(j, "expected_return", cli_jnum(m->expected_return));
    json_object_set_new(j, "volatility", cli_jnum(m->volatility));
    json_object_set_new(j, "equity_share", cli_jnum(m->equity_share));
    json_object_set_new(j, "weights", w);
    return j;
}

static void model_table(const ra_model *m)
{
    char a[11], b[11];
    printf("model %s version %d: level %s (built for %s), %s, equity %.1f %%\n", m->code,
           m->version, ra_suit_level_name(m->level), ra_suit_level_name(m->target_level),
           m->method, 100 * m->equity_share);
    if (m->from)
        printf("  window %s .. %s, expected return %.2f %%/yr, volatility %.2f %%/yr\n",
               ra_date_format(m->from, a), ra_date_format(m->to, b), 100 * m->expected_return,
               100 * m->volatility);
    printf("  %-10s %9s\n", "ticker", "weight %");
    for (size_t i = 0; i < m->n; i++)
        printf("  %-10s %9.2f\n", m->w[i].ticker, 100 * m->w[i].weight);
}

static int print_models(const mopts *o, const ra_model *v, size_t n)
{
    if (o->format == CLI_FORMAT_JSON) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, model_to_json(&v[i]));
        return cli_json_print(json_pack("{s:o}", "models", a));
    }
    printf("%-12s %7s %5s %6s %-8s %9s %9s %8s %5s\n", "model", "version", "level", "target",
           "source", "return %", "vol %", "equity %", "n");
    for (size_t i = 0; i < n; i++)
        printf("%-12s %7d %5s %6s %-8s %9.2f %9.2f %8.1f %5zu\n", v[i].code, v[i].version,
               ra_suit_level_name(v[i].level), ra_suit_level_name(v[i].target_level),
               v[i].built ? "built" : "manual", 100 * v[i].expected_return,
               100 * v[i].volatility, 100 * v[i].equity_share, v[i].n);
    return 0;
}

/* --- build ------------------------------------------------------------------------------------ */

typedef struct shelf {
    size_t n, n_obs;
    char (*ticker)[RA_CODE_MAX];
    char (*cls)[RA_CODE_MAX];
    const char **tp, **cp;
    double *mu, *cov;
    ra_date from, to;
} shelf;

static void shelf_free(shelf *sh)
{
    free(sh->ticker);
    free(sh->cls);
    free(sh->tp);
    free(sh->cp);
    free(sh->mu);
    free(sh->cov);
}

/* On-shelf securities with prices on the dates they all share in [from, to]; estimates. */
static ra_status shelf_load(ra_store *s, const char *firm, const mopts *o, shelf *sh, ra_err *err)
{
    memset(sh, 0, sizeof *sh);
    ra_security *secs = NULL;
    size_t ns = 0;
    ra_status rc = ra_store_security_list(s, firm, 0, &secs, &ns, err);
    if (rc != RA_OK)
        return rc;
    ra_date **dates = calloc(ns + 1, sizeof *dates);
    ra_price **prices = calloc(ns + 1, sizeof *prices);
    size_t *np = calloc(ns + 1, sizeof *np), *pos = calloc(ns + 1, sizeof *pos);
    sh->ticker = calloc(ns + 1, sizeof *sh->ticker);
    sh->cls = calloc(ns + 1, sizeof *sh->cls);
    double *px = NULL, *ret = NULL;
    ra_date *common = NULL;
    if (!dates || !prices || !np || !pos || !sh->ticker || !sh->cls) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the shelf");
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        if (!secs[i].on_shelf || secs[i].incomplete)
            continue;
        size_t k = sh->n;
        rc = ra_store_price_series(s, firm, secs[i].ticker, o->from ? o->from : INT32_MIN + 1,
                                   o->to ? o->to : RA_STORE_DATE_LATEST, &dates[k], &prices[k],
                                   &np[k], err);
        if (rc != RA_OK)
            goto out;
        if (np[k] < 3) { /* no usable history: not part of the shelf for building */
            ra_store_free(dates[k]);
            ra_store_free(prices[k]);
            dates[k] = NULL;
            prices[k] = NULL;
            continue;
        }
        memcpy(sh->ticker[k], secs[i].ticker, RA_CODE_MAX);
        memcpy(sh->cls[k], secs[i].asset_class, RA_CODE_MAX);
        sh->n++;
    }
    if (sh->n < 2) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "the shelf of firm %s has %zu securities with prices; at least 2 are "
                        "needed",
                        firm, sh->n);
        goto out;
    }
    /* dates every shelf security has a price on: a merge of sorted lists */
    common = malloc(np[0] * sizeof *common);
    px = malloc(np[0] * sh->n * sizeof *px);
    if (!common || !px) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the price matrix");
        goto out;
    }
    size_t t = 0;
    for (size_t a = 0; a < np[0]; a++) {
        ra_date d = dates[0][a];
        int all = 1;
        for (size_t k = 1; k < sh->n && all; k++) {
            while (pos[k] < np[k] && dates[k][pos[k]] < d)
                pos[k]++;
            all = pos[k] < np[k] && dates[k][pos[k]] == d;
        }
        if (!all)
            continue;
        common[t] = d;
        px[t * sh->n] = (double)prices[0][a];
        for (size_t k = 1; k < sh->n; k++)
            px[t * sh->n + k] = (double)prices[k][pos[k]];
        t++;
    }
    if (t < 30) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "the shelf's securities share %zu price dates; at least 30 are needed", t);
        goto out;
    }
    sh->from = common[0];
    sh->to = common[t - 1];
    sh->n_obs = t - 1;
    ret = malloc(sh->n_obs * sh->n * sizeof *ret);
    sh->mu = malloc(sh->n * sizeof *sh->mu);
    sh->cov = malloc(sh->n * sh->n * sizeof *sh->cov);
    sh->tp = malloc(sh->n * sizeof *sh->tp);
    sh->cp = malloc(sh->n * sizeof *sh->cp);
    if (!ret || !sh->mu || !sh->cov || !sh->tp || !sh->cp) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the estimates");
        goto out;
    }
    for (size_t k = 0; k < sh->n; k++) {
        sh->tp[k] = sh->ticker[k];
        sh->cp[k] = sh->cls[k];
    }
    rc = ra_est_returns(px, t, sh->n, RA_RETURN_SIMPLE, ret, err);
    if (rc == RA_OK)
        rc = ra_est_mean(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR, sh->mu, err);
    if (rc == RA_OK)
        rc = strcmp(o->cov, "sample") == 0
                 ? ra_est_cov_sample(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR, NULL, 0,
                                     sh->cov, err)
                 : ra_est_cov_ledoit_wolf(ret, sh->n_obs, sh->n, RA_TRADING_DAYS_PER_YEAR, NULL,
                                          0, sh->cov, NULL, err);
out:
    for (size_t k = 0; k < ns; k++) {
        ra_store_free(dates ? dates[k] : NULL);
        ra_store_free(prices ? prices[k] : NULL);
    }
    free(dates);
    free(prices);
    free(np);
    free(pos);
    free(px);
    free(ret);
    free(common);
    ra_store_free(secs);
    if (rc != RA_OK)
        shelf_free(sh);
    return rc;
}

static int do_build(ra_store *s, const ra_store_actor *actor, const mopts *o)
{
    ra_err err = {0};
    shelf sh;
    if (shelf_load(s, actor->firm, o, &sh, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_models_build_settings bs;
    ra_models_build_settings_default(&bs);
    bs.max_weight = o->max_weight;
    ra_model *v = calloc(RA_PROF_LEVELS, sizeof *v);
    int created[RA_PROF_LEVELS] = {0};
    int rc = 0;
    for (int l = 1; l <= RA_PROF_LEVELS && v && rc == 0; l++) {
        ra_model *m = &v[l - 1];
        if (ra_models_build_one(sh.n, sh.tp, sh.cp, sh.mu, sh.cov, l, &bs, m, &err) != RA_OK) {
            rc = cli_fail(CMD, &err);
            break;
        }
        snprintf(m->method + strlen(m->method), sizeof m->method - strlen(m->method), " %s",
                 o->cov);
        m->from = sh.from;
        m->to = sh.to;
        if (ra_models_put(s, actor, m, NULL, &created[l - 1], &err) != RA_OK)
            rc = cli_fail(CMD, &err);
    }
    if (!v)
        rc = CLI_EXIT_DATA;
    if (rc == 0) {
        if (o->format == CLI_FORMAT_JSON) {
            json_t *a = json_array();
            for (int l = 0; l < RA_PROF_LEVELS; l++) {
                json_t *j = model_to_json(&v[l]);
                json_object_set_new(j, "new_version", json_boolean(created[l]));
                json_array_append_new(a, j);
            }
            char f[11], t[11];
            rc = cli_json_print(json_pack("{s:s,s:i,s:s,s:s,s:s,s:o}", "firm", actor->firm,
                                          "shelf", (int)sh.n, "from", ra_date_format(sh.from, f),
                                          "to", ra_date_format(sh.to, t), "cov", o->cov,
                                          "models", a));
        } else {
            char f[11], t[11];
            printf("shelf of %zu securities, %zu daily returns %s .. %s, covariance %s\n", sh.n,
                   sh.n_obs, ra_date_format(sh.from, f), ra_date_format(sh.to, t), o->cov);
            for (int l = 0; l < RA_PROF_LEVELS; l++) {
                model_table(&v[l]);
                printf("  %s\n", created[l] ? "stored as a new version" : "unchanged");
            }
        }
    }
    free(v);
    shelf_free(&sh);
    return rc;
}

/* --- the other subcommands -------------------------------------------------------------------- */

static int do_add(ra_store *s, const ra_store_actor *actor, const char *path)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    if (ra_file_read(path, RA_MODELS_MAX_CSV, &data, &size, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_model *v = NULL;
    size_t n = 0;
    ra_status rc = ra_models_csv_parse(data, size, path, &v, &n, &err);
    free(data);
    if (rc != RA_OK)
        return cli_fail(CMD, &err);
    /* all or nothing */
    if (ra_store_begin(s, &err) != RA_OK) {
        free(v);
        return cli_fail(CMD, &err);
    }
    int ver[1000], cr[1000];
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        v[i].built = 0;
        v[i].target_level = 0;
        rc = ra_models_put(s, actor, &v[i], &ver[i], &cr[i], &err);
        if (rc == RA_OK && v[i].version && ver[i] != v[i].version) {
            /* a version given in the file must be the one stored */
        }
    }
    if (rc != RA_OK) {
        ra_err keep = {0};
        (void)ra_store_rollback(s, &keep);
        free(v);
        return cli_fail(CMD, &err);
    }
    if (ra_store_commit(s, &err) != RA_OK) {
        free(v);
        return cli_fail(CMD, &err);
    }
    for (size_t i = 0; i < n; i++)
        printf("model %s: version %d (%s), level %s\n", v[i].code, ver[i],
               cr[i] ? "new" : "unchanged", ra_suit_level_name(v[i].level));
    free(v);
    return 0;
}

static void assignment_table(const ra_models_assignment *a)
{
    printf("account %s: model %s version %d (level %s) for a client of level %s, assigned by %s\n",
           a->account, a->model, a->version, ra_suit_level_name(a->model_level),
           ra_prof_level_name(a->client_level), a->user);
    if (a->overridden)
        printf("  OVERRIDE: the model is above the client's level; justification: %s\n",
               a->justification);
}

static json_t *assignment_json(const ra_models_assignment *a)
{
    return json_pack("{s:s,s:s,s:i,s:s,s:s,s:b,s:s,s:s,s:I}", "account", a->account, "model",
                     a->model, "version", a->version, "model_level",
                     ra_suit_level_name(a->model_level), "client_level",
                     ra_prof_level_name(a->client_level), "overridden", a->overridden,
                     "justification", a->justification, "user", a->user, "at",
                     (json_int_t)a->at);
}

static void target_table(const char *account, const ra_models_target *t)
{
    printf("%-12s variant %-3d TE %6.3f %%  L1 %6.3f %% :", account, t->variant, 100 * t->te_ann,
           100 * t->l1);
    for (size_t i = 0; i < t->n; i++)
        printf(" %s %.2f", t->w[i].ticker[0] ? t->w[i].ticker : "CASH", 100 * t->w[i].weight);
    printf("\n");
}

static json_t *target_json(const char *account, const char *model, const ra_models_target *t)
{
    json_t *w = json_array();
    for (size_t i = 0; i < t->n; i++)
        json_array_append_new(w, json_pack("{s:s,s:o}", "ticker",
                                           t->w[i].ticker[0] ? t->w[i].ticker : "CASH", "weight",
                                           cli_jnum(t->w[i].weight)));
    return json_pack("{s:s,s:s,s:i,s:o,s:o,s:o}", "account", account, "model", model, "variant",
                     t->variant, "te_ann", cli_jnum(t->te_ann), "l1", cli_jnum(t->l1), "weights",
                     w);
}

/* Targets of every account with a model, then anti-crowding per model. */
static int do_targets(ra_store *s, const ra_store_actor *actor, const mopts *o)
{
    ra_err err = {0};
    char(*acc)[RA_CODE_MAX] = NULL;
    size_t na = 0;
    if (ra_store_account_list(s, actor->firm, &acc, &na, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_models_target *t = calloc(na + 1, sizeof *t);
    char(*model_of)[RA_CODE_MAX] = calloc(na + 1, sizeof *model_of);
    size_t *idx = calloc(na + 1, sizeof *idx);
    ra_model *m = malloc(sizeof *m);
    shelf sh;
    memset(&sh, 0, sizeof sh);
    int rc = 0, have_shelf = 0;
    if (!t || !model_of || !m || !idx) {
        rc = CLI_EXIT_DATA;
        goto out;
    }
    size_t nt = 0;
    for (size_t i = 0; i < na; i++) {
        ra_err e = {0};
        ra_status st = ra_models_target_for_account(s, actor->firm, acc[i], o->cash_reserve,
                                                    &t[i], &e);
        if (st == RA_ENOTFOUND) { /* no model, or its model is not stored: no target */
            fprintf(stderr, "roboadvisor models: %s: no target (%s)\n", acc[i], e.msg);
            continue;
        }
        if (st != RA_OK) {
            rc = cli_fail(CMD, &e);
            goto out;
        }
        ra_models_assignment as;
        ra_account a;
        if (ra_models_assignment_get(s, actor->firm, acc[i], &as, &e) == RA_OK)
            snprintf(model_of[i], RA_CODE_MAX, "%s", as.model);
        else if (ra_store_account_get(s, actor->firm, acc[i], &a, &e) == RA_OK)
            snprintf(model_of[i], RA_CODE_MAX, "%s", a.mandate.model);
        nt++;
    }
    /* tracking errors need the covariance: the shelf's estimates */
    mopts so = *o;
    have_shelf = shelf_load(s, actor->firm, &so, &sh, &err) == RA_OK;
    double te_max = 0, te_sum = 0, l1_max = 0, l1_sum = 0;
    size_t n_var = 0;
    json_t *ja = json_array();
    for (size_t i = 0; i < na; i++) {
        if (!model_of[i][0] || idx[i])
            continue;
        /* the accounts of this model */
        size_t k = 0;
        ra_models_target *group = calloc(na, sizeof *group);
        size_t *members = calloc(na, sizeof *members);
        if (!group || !members) {
            free(group);
            free(members);
            rc = CLI_EXIT_DATA;
            break;
        }
        for (size_t j = i; j < na; j++)
            if (strcmp(model_of[j], model_of[i]) == 0) {
                idx[j] = 1;
                members[k] = j;
                group[k++] = t[j];
            }
        ra_status st = ra_models_get(s, actor->firm, model_of[i], 0, m, &err);
        if (st == RA_OK && have_shelf) {
            ra_models_universe u = {sh.n, sh.tp, sh.cp, NULL, sh.cov};
            for (size_t g = 0; g < k && st == RA_OK; g++)
                st = ra_models_drift(m, &u, &group[g], &group[g].te_ann, &group[g].l1, &err);
            if (st == RA_OK)
                st = ra_models_decrowd(m, &u, group, k, (size_t)o->max_identical, o->te_budget,
                                       &err);
        }
        if (st != RA_OK) {
            free(group);
            free(members);
            rc = cli_fail(CMD, &err);
            break;
        }
        for (size_t g = 0; g < k; g++) {
            t[members[g]] = group[g];
            if (group[g].variant > 0) {
                n_var++;
                te_sum += group[g].te_ann;
                l1_sum += group[g].l1;
                te_max = fmax(te_max, group[g].te_ann);
                l1_max = fmax(l1_max, group[g].l1);
            }
        }
        free(group);
        free(members);
    }
    if (rc == 0) {
        if (o->format == CLI_FORMAT_JSON) {
            for (size_t i = 0; i < na; i++)
                if (model_of[i][0])
                    json_array_append_new(ja, target_json(acc[i], model_of[i], &t[i]));
            json_t *sum = json_pack("{s:i,s:i,s:o,s:o,s:o,s:o,s:i,s:o}", "accounts", (int)nt,
                                    "variants", (int)n_var, "te_max", cli_jnum(te_max),
                                    "te_mean", cli_jnum(n_var ? te_sum / (double)n_var : 0),
                                    "l1_max", cli_jnum(l1_max), "l1_mean",
                                    cli_jnum(n_var ? l1_sum / (double)n_var : 0),
                                    "max_identical", o->max_identical, "te_budget",
                                    cli_jnum(o->te_budget));
            rc = cli_json_print(json_pack("{s:o,s:o}", "targets", ja, "drift", sum));
            ja = NULL;
        } else {
            printf("targets (weights %%; TE annual against the model)\n");
            for (size_t i = 0; i < na; i++)
                if (model_of[i][0])
                    target_table(acc[i], &t[i]);
            printf("drift report: %zu accounts, %zu variants (at most %d identical, TE budget "
                   "%.3f %%): TE max %.3f %% mean %.3f %%, L1 max %.3f %% mean %.3f %%\n",
                   nt, n_var, o->max_identical, 100 * o->te_budget, 100 * te_max,
                   100 * (n_var ? te_sum / (double)n_var : 0), 100 * l1_max,
                   100 * (n_var ? l1_sum / (double)n_var : 0));
        }
    }
    json_decref(ja);
out:
    free(t);
    free(model_of);
    free(idx);
    free(m);
    ra_store_free(acc);
    if (have_shelf)
        shelf_free(&sh);
    return rc;
}

int cmd_models(int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage(CMD, "a subcommand is required: build, list, show, add, suitable, "
                              "assign, show-account, targets, settings");
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        help();
        return 0;
    }
    mopts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    char **pos = argv + optind;
    int npos = argc - optind;
    static const struct {
        const char *name;
        int npos;
    } subs[] = {{"build", 0}, {"list", 0}, {"show", 1}, {"add", 1}, {"suitable", 0},
                {"assign", 2}, {"show-account", 1}, {"targets", 0}, {"settings", 0}};
    int known = -1;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(sub, subs[i].name) == 0)
            known = (int)i;
    if (known < 0)
        return cli_usage(CMD, "no subcommand \"%s\"", sub);
    if (npos != subs[known].npos)
        return cli_usage(CMD, "%s takes %d argument%s, %d given", sub, subs[known].npos,
                         subs[known].npos == 1 ? "" : "s", npos);
    if ((strcmp(sub, "suitable") == 0 || strcmp(sub, "assign") == 0) && o.level == 0)
        return cli_usage(CMD, "%s needs --level C1..C5", sub);
    ra_store *s = NULL;
    ra_store_actor actor;
    if ((rc = open_book(&o, &s, &actor)) != 0)
        return rc;
    ra_err err = {0};
    ra_model *v = NULL;
    size_t n = 0;
    if (strcmp(sub, "build") == 0) {
        rc = do_build(s, &actor, &o);
    } else if (strcmp(sub, "list") == 0 || strcmp(sub, "suitable") == 0) {
        ra_status st = sub[0] == 'l' ? ra_models_list(s, actor.firm, &v, &n, &err)
                                     : ra_models_suitable(s, actor.firm, o.level, &v, &n, &err);
        rc = st == RA_OK ? print_models(&o, v, n) : cli_fail(CMD, &err);
        ra_store_free(v);
    } else if (strcmp(sub, "show") == 0) {
        ra_model *m = malloc(sizeof *m);
        if (m && ra_models_get(s, actor.firm, pos[0], o.version, m, &err) == RA_OK) {
            if (o.format == CLI_FORMAT_JSON)
                rc = cli_json_print(model_to_json(m));
            else
                model_table(m);
        } else {
            rc = cli_fail(CMD, &err);
        }
        free(m);
    } else if (strcmp(sub, "add") == 0) {
        rc = do_add(s, &actor, pos[0]);
    } else if (strcmp(sub, "assign") == 0 || strcmp(sub, "show-account") == 0) {
        ra_models_assignment a;
        ra_status st = sub[0] == 'a'
                           ? ra_models_assign(s, &actor, pos[0], pos[1], o.version, o.level,
                                              o.justification, &a, &err)
                           : ra_models_assignment_get(s, actor.firm, pos[0], &a, &err);
        if (st != RA_OK)
            rc = cli_fail(CMD, &err);
        else if (o.format == CLI_FORMAT_JSON)
            rc = cli_json_print(assignment_json(&a));
        else
            assignment_table(&a);
    } else if (strcmp(sub, "targets") == 0) {
        rc = do_targets(s, &actor, &o);
    } else { /* settings */
        ra_models_settings set;
        ra_status st = RA_OK;
        if (o.shelf_only >= 0) {
            set.shelf_only = o.shelf_only;
            st = ra_models_settings_put(s, &actor, &set, &err);
        }
        if (st == RA_OK)
            st = ra_models_settings_get(s, actor.firm, &set, &err);
        if (st != RA_OK)
            rc = cli_fail(CMD, &err);
        else
            printf("firm %s: hand-authored models %s\n", actor.firm,
                   set.shelf_only ? "only on-shelf securities (shelf-only yes)"
                                  : "any security (shelf-only no)");
    }
    ra_store_close(s);
    return rc;
}
