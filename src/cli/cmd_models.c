/* roboadvisor models build|list|show|add|suitable|assign|show-account|targets|settings
 * (include/roboadvisor/models.h; docs/cli.md#models). Opens the book like the book commands:
 * --db or ROBOADVISOR_DB, --firm or ROBOADVISOR_FIRM (default "default"), the acting user from
 * ROBOADVISOR_USER. */
#include "cli.h"
#include <roboadvisor/engine_models.h>
#include <roboadvisor/models_io.h>

#include <roboadvisor/bl.h>
#include <roboadvisor/models.h>

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "models"

typedef struct mopts {
    const char *db, *firm, *cov, *justification, *account, *returns;
    int stages; /* 0: not given */
    int resample;
    size_t draws, every_months, window_months;
    double max_turnover;
    uint64_t seed;
    double tau, market_sharpe, min_class;
    size_t max_funds;
    double min_position;
    const char *objective, *cvar_limit;
    double cvar_beta;
    ra_date from, to, date;
    int version, level, max_identical;
    double te_budget, cash_reserve, max_weight;
    int shelf_only; /* -1 not given */
    uint64_t min_adv; /* UINT64_MAX not given */
    double cash_rate;
    int have_cash_rate;
    cli_format format;
} mopts;

static void help(void)
{
    printf(
        "usage: roboadvisor models build [--from D] [--date D] [--cov sample|ledoit-wolf]\n"
        "                                [--max-weight W] [--stages 1|2]\n"
        "                                [--returns equilibrium|historical|ewma] [--tau T]\n"
        "                                [--market-sharpe S] [--min-class W] [--resample]\n"
        "                                [--draws N] [--seed S] [--max-turnover B]\n"
        "                                [--max-funds K] [--min-position W]\n"
        "                                [--objective mean-variance|cvar] [--cvar-beta B]\n"
        "                                [--cvar-limit L | L1,L2,L3,L4,L5]\n"
        "       roboadvisor models list | show CODE [--version N] | add FILE\n"
        "       roboadvisor models suitable --level C1..C5\n"
        "       roboadvisor models assign ACCOUNT CODE [--version N] [--date D] [--level C]\n"
        "                                 [--override JUSTIFICATION]\n"
        "       roboadvisor models show-account ACCOUNT\n"
        "       roboadvisor models targets [--max-identical K] [--te-budget X] [--cash-reserve F]\n"
        "       roboadvisor models settings [--shelf-only yes|no] [--min-adv AMOUNT]\n"
        "                                   [--cash-rate R]\n"
        "       roboadvisor models stability --from D --to D [--every-months N]\n"
        "                                    [--window-months N] [--max-turnover B]\n"
        "                                    [--returns ...] [--stages 1|2] (nothing stored)\n"
        "common options: [--firm CODE] [--db URL] [--format json|table]\n\n"
        "Model portfolios of the firm's shelf: one per risk level R1..R5 built with the optimiser\n"
        "(maximum Sharpe within the level's equity band and the holdings' risk levels) from the\n"
        "prices in the book up to the build date (--date, default the latest price), or\n"
        "hand-authored (CSV model,version,ticker,weight). With two stages (the default;\n"
        "--stages 1 is the former single stage on the whole shelf's historical means, kept\n"
        "for comparison) the optimiser allocates across the shelf's asset classes with\n"
        "equilibrium returns and the firm's views (see `roboadvisor views`), then fills each\n"
        "class with one fund (the firm's pinned fund, else the cheapest, then the best\n"
        "tracking). A model's level comes from its equity\n"
        "share and its holdings' risk levels; 'show' says which rule set it. Versions are kept;\n"
        "accounts point at a version. 'assign' takes the client's level from the stored,\n"
        "unexpired profile (--level, if given, must equal it); an unsuitable model needs\n"
        "--override with a justification, never possible for a C1 client. Weights and returns\n"
        "are printed as percentages in tables, fractions in JSON.\n");
}

static const cli_opt options[] = {
    CLI_O("db", CLI_OPT_STR, mopts, db), CLI_O("firm", CLI_OPT_STR, mopts, firm),
    CLI_O("from", CLI_OPT_DATE, mopts, from), CLI_O("to", CLI_OPT_DATE, mopts, to),
    CLI_O("date", CLI_OPT_DATE, mopts, date),
    CLI_O("cov", CLI_OPT_WORD, mopts, cov, .words = CLI_WORDS("sample", "ledoit-wolf"),
          .msg = "must be sample or ledoit-wolf, not \"%s\""),
    CLI_O("format", CLI_OPT_FORMAT, mopts, format),
    CLI_O("version", CLI_OPT_SIZE, mopts, version, .lo = 1, .hi = 1000000),
    CLI_O("level", CLI_OPT_CUSTOM, mopts, level, .fn = cli_opt_client_level),
    CLI_O("override", CLI_OPT_STR, mopts, justification),
    CLI_O("max-identical", CLI_OPT_SIZE, mopts, max_identical, .lo = 1, .hi = 1000000),
    CLI_O("te-budget", CLI_OPT_DOUBLE, mopts, te_budget, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_LO | CLI_OPEN_HI, .msg = "%g is not in (0, 1)"),
    CLI_O("cash-reserve", CLI_OPT_DOUBLE, mopts, cash_reserve, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_HI, .msg = "%g is not in [0, 1)"),
    CLI_O("shelf-only", CLI_OPT_ENUM, mopts, shelf_only, .words = CLI_WORDS("no", "yes"),
          .msg = "must be yes or no, not \"%s\""),
    CLI_O("min-adv", CLI_OPT_SIZE, mopts, min_adv, .lo = 0, .hi = 1000000000000000ULL),
    CLI_O("cash-rate", CLI_OPT_DOUBLE, mopts, cash_rate, .dlo = RA_MODELS_CASH_RATE_MIN,
          .dhi = RA_MODELS_CASH_RATE_MAX, .open = CLI_OPEN_HI,
          .have = CLI_HAVE(mopts, have_cash_rate),
          .msg = "%g is not an annual decimal rate in [-0.1, 1) (0.042 for 4.2 %)"),
    CLI_O("max-weight", CLI_OPT_DOUBLE, mopts, max_weight, .dlo = 0, .dhi = 1,
          .open = CLI_OPEN_LO, .msg = "%g is not in (0, 1]"),
    CLI_O("stages", CLI_OPT_SIZE, mopts, stages, .lo = 1, .hi = 2),
    CLI_O("returns", CLI_OPT_WORD, mopts, returns,
          .words = CLI_WORDS("equilibrium", "historical", "ewma"),
          .msg = "must be equilibrium, historical or ewma, not \"%s\""),
    CLI_O("tau", CLI_OPT_DOUBLE, mopts, tau, .dlo = 0, .dhi = 1, .open = CLI_OPEN_LO,
          .msg = "%g is not in (0, 1]"),
    CLI_O("market-sharpe", CLI_OPT_DOUBLE, mopts, market_sharpe, .dlo = 0, .dhi = 2,
          .open = CLI_OPEN_LO, .msg = "%g is not in (0, 2]"),
    CLI_O("min-class", CLI_OPT_DOUBLE, mopts, min_class, .dlo = 0, .dhi = 0.5,
          .msg = "%g is not in [0, 0.5]"),
    CLI_O("resample", CLI_OPT_FLAG, mopts, resample),
    CLI_O("max-funds", CLI_OPT_SIZE, mopts, max_funds, .lo = 1, .hi = 100),
    CLI_O("min-position", CLI_OPT_DOUBLE, mopts, min_position, .dlo = 0, .dhi = 0.5,
          .msg = "%g is not in [0, 0.5]"),
    CLI_O("objective", CLI_OPT_WORD, mopts, objective, .words = CLI_WORDS("mean-variance", "cvar"),
          .msg = "must be mean-variance or cvar, not \"%s\""),
    CLI_O("cvar-beta", CLI_OPT_DOUBLE, mopts, cvar_beta, .dlo = 0.5, .dhi = 1,
          .open = CLI_OPEN_HI, .msg = "%g is not in [0.5, 1)"),
    CLI_O("cvar-limit", CLI_OPT_STR, mopts, cvar_limit),
    CLI_O("every-months", CLI_OPT_SIZE, mopts, every_months, .lo = 1, .hi = 12),
    CLI_O("window-months", CLI_OPT_SIZE, mopts, window_months, .lo = 3, .hi = 600),
    CLI_O("max-turnover", CLI_OPT_DOUBLE, mopts, max_turnover, .dlo = 0, .dhi = 1,
          .msg = "%g is not in [0, 1]"),
    CLI_O("draws", CLI_OPT_SIZE, mopts, draws, .lo = 0, .hi = 10000),
    CLI_O("seed", CLI_OPT_SIZE, mopts, seed, .lo = 0, .hi = UINT64_MAX),
    CLI_OPT_END};

static int parse(int argc, char **argv, mopts *o)
{
    memset(o, 0, sizeof *o);
    o->firm = getenv("ROBOADVISOR_FIRM");
    if (!o->firm || !o->firm[0])
        o->firm = "default";
    o->cov = "ledoit-wolf";
    o->max_identical = RA_MODELS_DEFAULT_MAX_IDENTICAL;
    o->te_budget = RA_MODELS_DEFAULT_TE_BUDGET;
    o->max_weight = RA_MODELS_DEFAULT_MAX_WEIGHT;
    o->shelf_only = -1;
    o->min_adv = UINT64_MAX;
    o->tau = RA_BL_TAU_DEFAULT;
    o->market_sharpe = RA_BL_MARKET_SHARPE_DEFAULT;
    o->min_class = RA_MODELS_DEFAULT_MIN_CLASS;
    o->draws = RA_MODELS_DEFAULT_DRAWS;
    o->seed = 1;
    o->cvar_beta = RA_MODELS_DEFAULT_CVAR_BETA;
    o->every_months = 1;
    o->window_months = 36;
    const cli_opts_spec spec = {CMD, options, help, 1, 2} /* argv[1]: the subcommand */;
    return cli_parse_opts(&spec, argc, argv, o);
}

/* Opens the book the way every command does (cli_book_open): the key from ROBOADVISOR_KEY (every
 * write is audited with it); the firm must exist. */
static int open_book(const mopts *o, ra_book **b)
{
    cli_book_args a = {o->db, o->firm, NULL, 0, 0, 1};
    return cli_book_open(CMD, &a, b);
}

/* --- output ----------------------------------------------------------------------------------- */

/* Why the model has its level: each rule's level and the rules that set it
 * (docs/methodology.md#rating-a-model). */
static json_t *rating_to_json(const ra_models_rating *r)
{
    json_t *rules = json_array();
    for (unsigned b = RA_MODELS_RULE_EQUITY; b <= RA_MODELS_RULE_HOLDING; b <<= 1)
        if (r->rules & b)
            json_array_append_new(rules, json_string(ra_models_rule_name(b)));
    char why[320];
    ra_models_rating_format(r, why, sizeof why);
    json_t *j = json_pack("{s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:s}", "level",
                          ra_suit_level_name(r->level), "set_by", rules, "by_equity",
                          ra_suit_level_name(r->by_equity), "by_average",
                          ra_suit_level_name(r->by_average), "by_holding",
                          ra_suit_level_name(r->by_holding), "equity_share",
                          cli_jnum(r->equity_share), "average_holding_level",
                          cli_jnum(r->average_level), "reason", why);
    if (r->holding[0])
        json_object_set_new(j, "riskiest_material_holding",
                            json_pack("{s:s,s:s,s:o}", "ticker", r->holding, "level",
                                      ra_suit_level_name(r->holding_level), "weight",
                                      cli_jnum(r->holding_weight)));
    return j;
}

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
    /* true: expected_return is in excess of cash (equilibrium and Black-Litterman models) */
    json_object_set_new(j, "return_over_cash", json_boolean(ra_models_returns_excess(m)));
    json_object_set_new(j, "volatility", cli_jnum(m->volatility));
    json_object_set_new(j, "equity_share", cli_jnum(m->equity_share));
    json_object_set_new(j, "rating", rating_to_json(&m->rating));
    /* the class stage's objective and the model's CVaR (docs/methodology.md#the-cvar-objective):
     * null when not computed (hand-authored, single-stage or older models) */
    int known = m->cvar_beta > 0;
    json_object_set_new(j, "objective",
                        known ? json_string(ra_models_objective_name(m->objective)) : json_null());
    json_object_set_new(j, "cvar", known ? cli_jnum(m->cvar) : json_null());
    json_object_set_new(j, "var", known ? cli_jnum(m->var) : json_null());
    json_object_set_new(j, "cvar_beta", known ? cli_jnum(m->cvar_beta) : json_null());
    if (known && m->objective != RA_MODELS_OBJ_MEAN_VARIANCE) {
        json_object_set_new(j, "mean_variance_return", cli_jnum(m->mv_return));
        json_object_set_new(j, "mean_variance_cvar", cli_jnum(m->mv_cvar));
    }
    if (known && m->objective == RA_MODELS_OBJ_CVAR_LIMIT)
        json_object_set_new(j, "cvar_limit", cli_jnum(m->cvar_limit));
    if (m->notes[0])
        json_object_set_new(j, "fund_notes", json_string(m->notes));
    json_object_set_new(j, "weights", w);
    if (m->n_classes) {
        json_t *c = json_array();
        for (size_t i = 0; i < m->n_classes; i++) {
            const ra_model_class *k = &m->classes[i];
            json_array_append_new(
                c, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o}", "asset_class", k->cls,
                             "market_weight", cli_jnum(k->market_weight), "equilibrium_return",
                             cli_jnum(k->pi), "expected_return", cli_jnum(k->mu), "views_effect",
                             cli_jnum(k->mu - k->pi), "weight", cli_jnum(k->weight),
                             "weight_sd", cli_jnum(k->weight_sd), "fund",
                             k->fund, "fund_expense_ratio", cli_jnum(k->expense_ratio),
                             "fund_tracking_error", cli_jnum(k->tracking_error)));
        }
        json_object_set_new(j, "classes", c);
    }
    return j;
}

/* A two-stage model's classes: how each got its weight (docs/methodology.md#two-stage-models). */
static void classes_table(const ra_model *m)
{
    if (!m->n_classes)
        return;
    printf("  %-14s %8s %8s %8s %8s %8s %6s  %-8s %7s %7s\n", "asset class", "market %",
           "pi %", "views %", "mu %", "weight %", "+/- %", "fund", "ER %", "TE %");
    for (size_t i = 0; i < m->n_classes; i++) {
        const ra_model_class *k = &m->classes[i];
        printf("  %-14s %8.2f %8.2f %+8.2f %8.2f %8.2f %6.2f  %-8s %7.3f %7.2f\n", k->cls,
               100 * k->market_weight, 100 * k->pi, 100 * (k->mu - k->pi), 100 * k->mu,
               100 * k->weight, 100 * k->weight_sd, k->weight > 0 ? k->fund : "-",
               100 * k->expense_ratio, 100 * k->tracking_error);
    }
    printf("  (+/-: the weight's standard deviation when the inputs are redrawn within their "
           "estimation error)\n");
}

/* The class stage's objective and the model's CVaR, in words (one day's loss). */
static void objective_line(const ra_model *m)
{
    if (!(m->cvar_beta > 0))
        return;
    double b = 100 * m->cvar_beta;
    if (m->objective == RA_MODELS_OBJ_CVAR)
        printf("  objective: least CVaR %.0f %% at the mean-variance return %.2f %%/yr: CVaR "
               "%.3f %%/day, VaR %.3f %%/day (the mean-variance classes: CVaR %.3f %%/day)\n",
               b, 100 * m->mv_return, 100 * m->cvar, 100 * m->var, 100 * m->mv_cvar);
    else if (m->objective == RA_MODELS_OBJ_CVAR_LIMIT)
        printf("  objective: highest return with CVaR %.0f %% at most %.3f %%/day: CVaR %.3f "
               "%%/day, VaR %.3f %%/day (the mean-variance classes: return %.2f %%/yr, CVaR "
               "%.3f %%/day)\n",
               b, 100 * m->cvar_limit, 100 * m->cvar, 100 * m->var, 100 * m->mv_return,
               100 * m->mv_cvar);
    else
        printf("  objective: mean-variance (maximum Sharpe ratio); CVaR %.0f %% %.3f %%/day, VaR "
               "%.3f %%/day\n",
               b, 100 * m->cvar, 100 * m->var);
    for (const char *p = m->notes; *p;) { /* the fund choice, one line each */
        const char *e = strchr(p, '\n');
        int len = e ? (int)(e - p) : (int)strlen(p);
        printf("  fund %.*s\n", len, p);
        p = e ? e + 1 : p + len;
    }
}

static void model_table(const ra_model *m)
{
    char a[11], b[11];
    printf("model %s version %d: level %s (built for %s), %s, equity %.1f %%\n", m->code,
           m->version, ra_suit_level_name(m->level), ra_suit_level_name(m->target_level),
           m->method, 100 * m->equity_share);
    char why[320];
    ra_models_rating_format(&m->rating, why, sizeof why);
    printf("  rated %s\n", why);
    if (m->from)
        printf("  window %s .. %s, expected return %.2f %%/yr%s, volatility %.2f %%/yr\n",
               ra_date_format(m->from, a), ra_date_format(m->to, b), 100 * m->expected_return,
               ra_models_returns_excess(m) ? " in excess of cash" : "", 100 * m->volatility);
    objective_line(m);
    printf("  %-10s %9s\n", "ticker", "weight %");
    for (size_t i = 0; i < m->n; i++)
        printf("  %-10s %9.2f\n", m->w[i].ticker, 100 * m->w[i].weight);
    classes_table(m);
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
    for (size_t i = 0; i < n; i++)
        if (ra_models_returns_excess(&v[i])) {
            printf("(return %% of equilibrium and Black-Litterman models: in excess of cash; a goal "
                   "plan adds the firm's cash rate, `models settings --cash-rate`)\n");
            break;
        }
    return 0;
}

/* --- build ------------------------------------------------------------------------------------ */

/* The class inputs' provenance, and the warning noisy means deserve. */
static void print_inputs_head(const ra_models_class_inputs *ci, const char *cov)
{
    char f[11], t[11];
    printf("two stages: %zu asset classes, %zu daily returns %s .. %s, covariance %s\n", ci->n,
           ci->n_obs, ra_date_format(ci->from, f), ra_date_format(ci->to, t), cov);
    if (ci->returns == RA_MODELS_RETURNS_EQUILIBRIUM) {
        printf("returns: equilibrium (delta %.3f from a market Sharpe ratio of %.2f, tau %.3f), "
               "market weights %s",
               ci->delta, ci->market_sharpe, ci->tau, ci->market_version ? "" : "the default");
        if (ci->market_version)
            printf("version %lld", (long long)ci->market_version);
        if (ci->views_version)
            printf(", %zu views (version %lld)\n", ci->n_views, (long long)ci->views_version);
        else
            printf(", no views\n");
    } else {
        printf("returns: %s means of the classes\n", ra_models_returns_name(ci->returns));
        fprintf(stderr, CMD ": warning: %s means are noisy estimates of expected returns (their "
                            "standard error over %zu days is several points a year); the optimiser "
                            "maximises their errors. Prefer --returns equilibrium.\n",
                ra_models_returns_name(ci->returns), ci->n_obs);
    }
    for (size_t i = 0; i < ci->n_unweighted; i++)
        fprintf(stderr, CMD ": warning: asset class %s has no market weight (0 in the prior); set "
                            "the firm's with `roboadvisor views market FILE`\n",
                ci->unweighted[i]);
}

static int do_build(ra_store *s, const ra_store_actor *actor, const mopts *o)
{
    ra_err err = {0};
    ra_models_build_opts bo;
    ra_models_build_opts_default(&bo);
    bo.from = o->from;
    bo.date = o->date;
    if (o->to && (!bo.date || o->to < bo.date))
        bo.date = o->to; /* --to: the old name of the window's end */
    bo.sample_cov = strcmp(o->cov, "sample") == 0;
    bo.max_weight = o->max_weight;
    bo.two_stage = o->stages != 1; /* two stages unless --stages 1 */
    if (o->returns && !bo.two_stage) {
        fprintf(stderr, CMD ": --returns needs --stages 2 (the single stage uses the shelf's "
                            "historical means)\n");
        return CLI_EXIT_USAGE;
    }
    bo.returns = !o->returns || strcmp(o->returns, "equilibrium") == 0 ? RA_MODELS_RETURNS_EQUILIBRIUM
                 : strcmp(o->returns, "historical") == 0                 ? RA_MODELS_RETURNS_HISTORICAL
                                                                          : RA_MODELS_RETURNS_EWMA;
    bo.tau = o->tau;
    bo.market_sharpe = o->market_sharpe;
    bo.min_class = o->min_class;
    bo.max_funds = o->max_funds;
    bo.min_position = o->min_position;
    bo.draws = o->draws;
    bo.resample = o->resample;
    bo.max_turnover = o->max_turnover;
    if (o->max_turnover > 0 && !bo.two_stage) {
        fprintf(stderr, CMD ": --max-turnover needs two stages (--stages 2)\n");
        return CLI_EXIT_USAGE;
    }
    bo.seed = o->seed;
    bo.cvar_beta = o->cvar_beta;
    if (o->objective && strcmp(o->objective, "cvar") == 0)
        bo.objective = RA_MODELS_OBJ_CVAR;
    if (o->cvar_limit) { /* the constraint form: one limit, or one per level */
        const char *p = o->cvar_limit;
        int n = 0;
        while (n < RA_PROF_LEVELS) {
            char *e;
            double v = strtod(p, &e);
            if (e == p || !(v > 0 && v < 1) || (*e && *e != ','))
                return cli_usage(CMD " build", "--cvar-limit takes one day's loss as a fraction "
                                               "in (0, 1), or five of them separated by commas");
            bo.cvar_limit[n++] = v;
            if (!*e)
                break;
            p = e + 1;
        }
        if (n != 1 && n != RA_PROF_LEVELS)
            return cli_usage(CMD " build", "--cvar-limit takes one limit or five (R1..R5)");
        for (int l = n; l < RA_PROF_LEVELS; l++)
            bo.cvar_limit[l] = bo.cvar_limit[0];
        bo.objective = RA_MODELS_OBJ_CVAR_LIMIT;
    }
    if (bo.objective != RA_MODELS_OBJ_MEAN_VARIANCE && !bo.two_stage) {
        fprintf(stderr, CMD ": --objective cvar and --cvar-limit need two stages (--stages 2)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->resample && (!bo.two_stage || o->draws < 2)) {
        fprintf(stderr, CMD ": --resample needs two stages and --draws of at least 2\n");
        return CLI_EXIT_USAGE;
    }
    ra_models_build_result *res = malloc(sizeof *res);
    if (!res)
        return CLI_EXIT_DATA;
    int rc = 0;
    if (ra_models_build_all(s, actor, &bo, res, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
    } else if (o->format == CLI_FORMAT_JSON) {
        json_t *a = json_array();
        for (int l = 0; l < RA_PROF_LEVELS; l++) {
            json_t *j = model_to_json(&res->models[l]);
            json_object_set_new(j, "new_version", json_boolean(res->created[l]));
            if (res->two_stage) {
                json_object_set_new(j, "turnover", cli_jnum(res->turnover[l]));
                json_object_set_new(j, "turnover_unbounded", cli_jnum(res->unbounded[l]));
            }
            json_array_append_new(a, j);
        }
        char f[11], t[11];
        rc = cli_json_print(json_pack("{s:s,s:i,s:s,s:s,s:s,s:o}", "firm", actor->firm, "shelf",
                                      (int)res->n_shelf, "from", ra_date_format(res->from, f),
                                      "to", ra_date_format(res->to, t), "cov", o->cov, "models",
                                      a));
    } else {
        char f[11], t[11];
        if (res->two_stage)
            print_inputs_head(&res->ci, o->cov);
        else
            printf("shelf of %zu securities, %zu daily returns %s .. %s, covariance %s\n",
                   res->n_shelf, res->n_obs, ra_date_format(res->from, f),
                   ra_date_format(res->to, t), o->cov);
        for (int l = 0; l < RA_PROF_LEVELS; l++) {
            model_table(&res->models[l]);
            if (res->two_stage && res->created[l] && res->models[l].version > 1)
                printf("  one-way turnover from version %d: %.2f %%%s\n",
                       res->models[l].version - 1, 100 * res->turnover[l],
                       res->turnover[l] < res->unbounded[l] - 1e-12 ? " (bounded)" : "");
            printf("  %s\n", res->created[l] ? "stored as a new version" : "unchanged");
        }
    }
    free(res);
    return rc;
}

/* --- stability -------------------------------------------------------------------------------- */

static int do_stability(ra_store *s, const ra_store_actor *actor, const mopts *o)
{
    if (!o->from || !(o->to || o->date))
        return cli_usage(CMD " stability", "give the period: --from D --to D");
    ra_models_build_opts bo;
    ra_models_build_opts_default(&bo);
    bo.two_stage = o->stages != 1;
    if (!bo.two_stage && (o->returns || o->max_turnover > 0)) {
        fprintf(stderr, CMD " stability: --returns and --max-turnover need two stages\n");
        return CLI_EXIT_USAGE;
    }
    bo.sample_cov = strcmp(o->cov, "sample") == 0;
    bo.returns = !o->returns || strcmp(o->returns, "equilibrium") == 0 ? RA_MODELS_RETURNS_EQUILIBRIUM
                 : strcmp(o->returns, "historical") == 0                 ? RA_MODELS_RETURNS_HISTORICAL
                                                                          : RA_MODELS_RETURNS_EWMA;
    bo.tau = o->tau;
    bo.market_sharpe = o->market_sharpe;
    bo.min_class = o->min_class;
    ra_models_stability st;
    ra_err err = {0};
    if (ra_models_stability_run(s, actor->firm, &bo, o->from, o->to ? o->to : o->date,
                                (int)o->every_months, (int)o->window_months, o->max_turnover, &st,
                                &err) != RA_OK)
        return cli_fail(CMD " stability", &err);
    int rc = 0;
    char a[11], b[11];
    if (o->format == CLI_FORMAT_JSON) {
        json_t *lv = json_array(), *rows = json_array();
        for (int l = 0; l < RA_PROF_LEVELS; l++)
            json_array_append_new(
                lv, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "model", ra_suit_level_name(l + 1),
                              "mean_turnover", cli_jnum(st.mean_free[l]), "max_turnover",
                              cli_jnum(st.max_free[l]), "mean_turnover_bounded",
                              cli_jnum(st.mean_bounded[l]), "max_turnover_bounded",
                              cli_jnum(st.max_bounded[l]), "mean_gap", cli_jnum(st.gap[l])));
        for (size_t r = 0; r < st.n; r++) {
            json_t *f = json_array(), *g = json_array();
            for (int l = 0; l < RA_PROF_LEVELS; l++) {
                json_array_append_new(f, cli_jnum(st.rows[r].free[l]));
                json_array_append_new(g, cli_jnum(st.rows[r].bounded[l]));
            }
            json_array_append_new(rows, json_pack("{s:o,s:o,s:o}", "date",
                                                  cli_jdate(st.rows[r].date), "turnover", f,
                                                  "turnover_bounded", g));
        }
        rc = cli_json_print(json_pack(
            "{s:s,s:i,s:i,s:o,s:s,s:o,s:o}", "returns",
            bo.two_stage ? ra_models_returns_name(bo.returns) : "historical", "every_months",
            (int)o->every_months, "window_months", (int)o->window_months, "max_turnover",
            o->max_turnover > 0 ? cli_jnum(o->max_turnover) : json_null(), "method",
            bo.two_stage ? "two-stage" : "single-stage", "levels", lv, "rebuilds", rows));
    } else {
        printf("%zu rebuilds every %zu month(s) %s .. %s, each on the %zu months before it, "
               "%s%s\n",
               st.n, o->every_months, ra_date_format(st.rows[0].date, a),
               ra_date_format(st.rows[st.n - 1].date, b), o->window_months,
               bo.two_stage ? (bo.returns == RA_MODELS_RETURNS_EQUILIBRIUM
                                   ? "two stages, returns equilibrium"
                                   : bo.returns == RA_MODELS_RETURNS_HISTORICAL
                                         ? "two stages, returns historical"
                                         : "two stages, returns ewma")
                            : "single stage, historical means of the shelf",
               o->max_turnover > 0 ? ", turnover bounded" : "");
        printf("%-6s %16s %15s", "model", "mean turnover %", "max turnover %");
        if (o->max_turnover > 0)
            printf(" %14s %13s %14s", "bounded mean %", "bounded max %", "mean gap %");
        printf("\n");
        for (int l = 0; l < RA_PROF_LEVELS; l++) {
            printf("%-6s %16.2f %15.2f", ra_suit_level_name(l + 1), 100 * st.mean_free[l],
                   100 * st.max_free[l]);
            if (o->max_turnover > 0)
                printf(" %14.2f %13.2f %14.2f", 100 * st.mean_bounded[l],
                       100 * st.max_bounded[l], 100 * st.gap[l]);
            printf("\n");
        }
        printf("(one-way turnover between consecutive rebuilds: half the sum of the funds' weight "
               "changes)\n");
    }
    ra_models_stability_free(&st);
    return rc;
}

/* --- the other subcommands -------------------------------------------------------------------- */

static int do_add(ra_store *s, const ra_store_actor *actor, const char *path, const mopts *o)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    if (ra_file_read(path, RA_MODELS_MAX_CSV, &data, &size, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_model *v = NULL;
    size_t n = 0;
    ra_status rc = ra_models_csv_parse(data, size, path, &v, &n, &err);
    ra_free(data);
    if (rc != RA_OK)
        return cli_fail(CMD, &err);
    /* all or nothing */
    if (ra_store_begin(s, &err) != RA_OK) {
        ra_free(v);
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
        ra_free(v);
        return cli_fail(CMD, &err);
    }
    if (ra_store_commit(s, &err) != RA_OK) {
        ra_free(v);
        return cli_fail(CMD, &err);
    }
    int out = 0;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            v[i].version = ver[i];
            json_t *j = model_to_json(&v[i]);
            json_object_set_new(j, "new_version", json_boolean(cr[i]));
            json_array_append_new(a, j);
        }
        out = cli_json_print(json_pack("{s:o}", "models", a));
    } else {
        for (size_t i = 0; i < n; i++) {
            char why[320];
            ra_models_rating_format(&v[i].rating, why, sizeof why);
            printf("model %s: version %d (%s), level %s\n  rated %s\n", v[i].code, ver[i],
                   cr[i] ? "new" : "unchanged", ra_suit_level_name(v[i].level), why);
        }
    }
    ra_free(v);
    return out;
}

static void assignment_table(const ra_models_assignment *a)
{
    printf("account %s: model %s version %d (level %s) for a client of level %s, assigned by %s\n",
           a->account, a->model, a->version, ra_suit_level_name(a->model_level),
           a->client_level ? ra_prof_level_name(a->client_level) : "(no profile)", a->user);
    if (a->overridden)
        printf("  OVERRIDE: %s; justification: %s\n",
               a->reason[0] ? a->reason : "the model is not suitable for the client",
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
    ra_models_targets t;
    if (ra_models_targets_run(s, actor->firm, o->cash_reserve, (size_t)o->max_identical,
                              o->te_budget, &t, &err) != RA_OK)
        return cli_fail(CMD, &err);
    int rc = 0;
    for (size_t i = 0; i < t.n; i++)
        if (!t.model[i][0])
            fprintf(stderr, "roboadvisor models: %s: no target (no model)\n", t.account[i]);
    if (o->format == CLI_FORMAT_JSON) {
        json_t *ja = json_array();
        for (size_t i = 0; i < t.n; i++)
            if (t.model[i][0])
                json_array_append_new(ja, target_json(t.account[i], t.model[i], &t.t[i]));
        json_t *sum = json_pack("{s:i,s:i,s:o,s:o,s:o,s:o,s:i,s:o}", "accounts", (int)t.n_targets,
                                "variants", (int)t.n_variants, "te_max", cli_jnum(t.te_max),
                                "te_mean", cli_jnum(t.te_mean), "l1_max", cli_jnum(t.l1_max),
                                "l1_mean", cli_jnum(t.l1_mean), "max_identical",
                                o->max_identical, "te_budget", cli_jnum(o->te_budget));
        rc = cli_json_print(json_pack("{s:o,s:o}", "targets", ja, "drift", sum));
    } else {
        printf("targets (weights %%; TE annual against the model)\n");
        for (size_t i = 0; i < t.n; i++)
            if (t.model[i][0])
                target_table(t.account[i], &t.t[i]);
        printf("drift report: %zu accounts, %zu variants (at most %d identical, TE budget "
               "%.3f %%): TE max %.3f %% mean %.3f %%, L1 max %.3f %% mean %.3f %%\n",
               t.n_targets, t.n_variants, o->max_identical, 100 * o->te_budget, 100 * t.te_max,
               100 * t.te_mean, 100 * t.l1_max, 100 * t.l1_mean);
    }
    ra_models_targets_free(&t);
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
                {"assign", 2}, {"show-account", 1}, {"targets", 0}, {"settings", 0},
                {"stability", 0}};
    int known = -1;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(sub, subs[i].name) == 0)
            known = (int)i;
    if (known < 0)
        return cli_usage(CMD, "no subcommand \"%s\"", sub);
    if (npos != subs[known].npos)
        return cli_usage(CMD, "%s takes %d argument%s, %d given", sub, subs[known].npos,
                         subs[known].npos == 1 ? "" : "s", npos);
    if (strcmp(sub, "suitable") == 0 && o.level == 0)
        return cli_usage(CMD, "%s needs --level C1..C5", sub);
    if (strcmp(sub, "assign") != 0 && o.justification)
        return cli_usage(CMD, "--override belongs to 'models assign'");
    ra_book *book = NULL;
    if ((rc = open_book(&o, &book)) != 0)
        return rc;
    ra_store *s = book->store;
    ra_store_actor actor = book->actor;
    ra_err err = {0};
    ra_model *v = NULL;
    size_t n = 0;
    if (strcmp(sub, "build") == 0) {
        rc = do_build(s, &actor, &o);
    } else if (strcmp(sub, "stability") == 0) {
        rc = do_stability(s, &actor, &o);
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
        rc = do_add(s, &actor, pos[0], &o);
    } else if (strcmp(sub, "assign") == 0 || strcmp(sub, "show-account") == 0) {
        ra_models_assignment a;
        ra_status st = sub[0] == 'a'
                           ? ra_models_assign(s, &actor, pos[0], pos[1], o.version,
                                              o.date ? o.date : cli_today(), o.level,
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
        ra_status st = ra_models_settings_get(s, actor.firm, &set, &err);
        if (st == RA_OK && (o.shelf_only >= 0 || o.min_adv != UINT64_MAX || o.have_cash_rate)) {
            if (o.shelf_only >= 0)
                set.shelf_only = o.shelf_only;
            if (o.min_adv != UINT64_MAX)
                set.min_adv = (int64_t)o.min_adv;
            if (o.have_cash_rate) {
                set.have_cash_rate = 1;
                set.cash_rate = o.cash_rate;
            }
            st = ra_models_settings_put(s, &actor, &set, &err);
        }
        if (st == RA_OK)
            st = ra_models_settings_get(s, actor.firm, &set, &err);
        if (st != RA_OK)
            rc = cli_fail(CMD, &err);
        else if (o.format == CLI_FORMAT_JSON)
            rc = cli_json_print(json_pack("{s:s,s:b,s:I,s:o}", "firm", actor.firm, "shelf_only",
                                          set.shelf_only, "min_adv", (json_int_t)set.min_adv,
                                          "cash_rate", set.have_cash_rate
                                                           ? json_real(set.cash_rate)
                                                           : json_null()));
        else {
            printf("firm %s: hand-authored models %s\n", actor.firm,
                   set.shelf_only ? "only on-shelf securities (shelf-only yes)"
                                  : "any security (shelf-only no)");
            if (set.min_adv)
                printf("a fund fills a class only if its average daily traded value is at least "
                       "%lld (min-adv; unknown values are not excluded)\n",
                       (long long)set.min_adv);
            if (set.have_cash_rate)
                printf("cash rate %.4f %% a year (cash-rate): added to the excess returns of "
                       "equilibrium and Black-Litterman models in saved goal plans\n",
                       100 * set.cash_rate);
            else
                printf("no cash rate (cash-rate): goal plans on equilibrium and Black-Litterman "
                       "models are refused until it is set\n");
        }
    }
    ra_book_close(book);
    return rc;
}
