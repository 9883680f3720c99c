/* roboadvisor optimize: the CVaR objective and limit (include/roboadvisor/cvar.h) and the
 * cardinality / minimum-weight limits (include/roboadvisor/card.h), called by cmd_optimize.c once
 * the data are estimated. Documented in docs/cli.md#optimize. */
#include "optimize_risk.h"

#include <roboadvisor/card.h>
#include <roboadvisor/cvar.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "optimize";

int optimize_risk_check(const optimize_risk *x, const char *objective, int has_target)
{
    int cvar = strcmp(objective, "cvar") == 0, maxret = strcmp(objective, "max-return") == 0;
    int card = x->max_assets > 0 || x->min_weight > 0.0;
    if (maxret && !x->has_cvar_limit)
        return cli_usage(CMD, "--objective max-return needs --cvar-limit");
    if (x->has_cvar_limit && strcmp(objective, "min-variance") != 0 && !maxret)
        return cli_usage(CMD, "--cvar-limit applies to min-variance and max-return");
    if (x->has_beta && !cvar && !x->has_cvar_limit)
        return cli_usage(CMD, "--beta applies to --objective cvar and --cvar-limit");
    if (card && (cvar || x->has_cvar_limit))
        return cli_usage(CMD, "--max-assets and --min-weight do not combine with cvar");
    if (card && strcmp(objective, "min-variance") != 0 && strcmp(objective, "max-sharpe") != 0 &&
        strcmp(objective, "target-return") != 0)
        return cli_usage(CMD, "--max-assets and --min-weight apply to min-variance, max-sharpe "
                              "and target-return");
    (void)has_target;
    return 0;
}

int optimize_risk_wanted(const optimize_risk *x, const char *objective)
{
    return strcmp(objective, "cvar") == 0 || strcmp(objective, "max-return") == 0 ||
           x->has_cvar_limit || x->max_assets > 0 || x->min_weight > 0.0;
}

static json_t *weights_json(const double *w, const ra_series *s)
{
    json_t *o = json_object();
    for (size_t j = 0; j < s->n_cols; j++)
        json_object_set_new(o, s->names[j], cli_jnum(w[j]));
    return o;
}

static void print_weights(const double *w, const ra_series *s)
{
    printf("\n%-12s %10s\n", "Asset", "Weight %");
    for (size_t j = 0; j < s->n_cols; j++)
        printf("%-12s %10.4f\n", s->names[j], fabs(w[j]) < 1e-12 ? 0.0 : 100 * w[j]);
}

int optimize_risk_run(const optimize_risk *x, const char *objective, const ra_opt_problem *p,
                      const cli_market *m, cli_format format, json_t *inputs)
{
    int cvar = strcmp(objective, "cvar") == 0 || x->has_cvar_limit;
    double *w = calloc(p->n, sizeof *w);
    ra_err err = {0};
    int rc = CLI_EXIT_DATA;
    json_t *doc = NULL;
    if (!w) {
        fprintf(stderr, "roboadvisor %s: out of memory for %zu weights\n", CMD, p->n);
        json_decref(inputs);
        return rc;
    }
    if (cvar) {
        ra_cvar_problem cp = {.opt = p, .T = m->n_obs, .scen = m->ret, .beta = x->beta,
                              .has_target = p->target == p->target && x->has_target,
                              .limit = x->cvar_limit};
        ra_cvar_objective o = !x->has_cvar_limit ? RA_CVAR_MIN :
                              strcmp(objective, "max-return") == 0 ? RA_CVAR_MAX_RETURN :
                                                                     RA_CVAR_MIN_VARIANCE;
        ra_cvar_result r = {.w = w};
        if (ra_cvar_solve(&cp, o, &r, &err) != RA_OK) {
            rc = cli_fail(CMD, &err);
            goto out;
        }
        double sharpe = r.volatility > 0 ? (r.expected_return - p->rf) / r.volatility : NAN;
        if (format == CLI_FORMAT_JSON) {
            doc = json_object();
            json_object_set_new(doc, "objective", json_string(objective));
            json_object_set_new(doc, "status", json_string("optimal"));
            json_object_set_new(doc, "weights", weights_json(w, m->series));
            json_object_set_new(doc, "expected_return", cli_jnum(r.expected_return));
            json_object_set_new(doc, "volatility", cli_jnum(r.volatility));
            json_object_set_new(doc, "sharpe", cli_jnum(sharpe));
            json_t *c = json_object();
            json_object_set_new(c, "beta", cli_jnum(x->beta));
            json_object_set_new(c, "cvar", cli_jnum(r.cvar));
            json_object_set_new(c, "var", cli_jnum(r.var));
            json_object_set_new(c, "limit", x->has_cvar_limit ? cli_jnum(x->cvar_limit) : json_null());
            json_object_set_new(c, "scenarios", json_integer((json_int_t)m->n_obs));
            json_object_set_new(doc, "cvar", c);
            json_t *s = json_object();
            json_object_set_new(s, "lps", json_integer(r.lps));
            json_object_set_new(s, "pivots", json_integer(r.pivots));
            json_object_set_new(s, "cuts", json_integer(r.cuts));
            json_object_set_new(s, "qp_iterations", json_integer(r.qp_iterations));
            json_object_set_new(doc, "solver", s);
        } else {
            printf("Objective        %s%s\n", objective,
                   x->has_cvar_limit ? " with a cvar limit" : "");
            printf("Data             %s: %zu assets, %zu scenarios (historical returns)\n",
                   m->series->source, m->n_assets, m->n_obs);
            printf("CVaR %4.1f %%      %8.4f %% loss per period (VaR %.4f %%)%s\n", 100 * x->beta,
                   100 * r.cvar, 100 * r.var, x->has_cvar_limit ? "" : "");
            if (x->has_cvar_limit)
                printf("CVaR limit       %8.4f %% per period\n", 100 * x->cvar_limit);
            printf("Expected return  %8.4f %% per year\n", 100 * r.expected_return);
            printf("Volatility       %8.4f %% per year\n", 100 * r.volatility);
            printf("Solver           %d LPs, %d pivots, %d cuts\n", r.lps, r.pivots, r.cuts);
            print_weights(w, m->series);
        }
    } else {
        ra_opt_objective o = strcmp(objective, "max-sharpe") == 0      ? RA_OPT_MAX_SHARPE :
                             strcmp(objective, "target-return") == 0 ? RA_OPT_TARGET_RETURN :
                                                                       RA_OPT_MIN_VARIANCE;
        ra_card_settings s;
        ra_card_settings_default(&s);
        s.max_assets = x->max_assets;
        s.min_weight = x->min_weight;
        ra_card_result r = {.w = w};
        if (ra_card_solve(p, o, &s, &r, &err) != RA_OK) {
            rc = cli_fail(CMD, &err);
            goto out;
        }
        const char *method = r.used_heuristic ? "heuristic" : "branch-and-bound";
        double gap = r.objective != 0 ? fabs(r.objective - r.bound) / fabs(r.objective) : 0.0;
        if (format == CLI_FORMAT_JSON) {
            doc = json_object();
            json_object_set_new(doc, "objective", json_string(objective));
            json_object_set_new(doc, "status",
                                json_string(r.proven_optimal ? "optimal" : "feasible"));
            json_object_set_new(doc, "weights", weights_json(w, m->series));
            json_object_set_new(doc, "expected_return", cli_jnum(r.expected_return));
            json_object_set_new(doc, "volatility", cli_jnum(r.volatility));
            json_object_set_new(doc, "sharpe", cli_jnum(r.sharpe));
            json_t *c = json_object();
            json_object_set_new(c, "max_assets",
                                x->max_assets ? json_integer((json_int_t)x->max_assets) : json_null());
            json_object_set_new(c, "min_weight", cli_jnum(x->min_weight));
            json_object_set_new(c, "held", json_integer((json_int_t)r.held));
            json_object_set_new(c, "method", json_string(method));
            json_object_set_new(c, "nodes", json_integer(r.nodes));
            json_object_set_new(c, "proven_optimal", json_boolean(r.proven_optimal));
            json_object_set_new(c, "objective_value", cli_jnum(r.objective));
            json_object_set_new(c, "bound", cli_jnum(r.bound));
            json_object_set_new(c, "gap", cli_jnum(gap));
            json_object_set_new(doc, "cardinality", c);
        } else {
            printf("Objective        %s, at most %zu assets, each held at least %.4f %%\n",
                   objective, x->max_assets ? x->max_assets : p->n, 100 * x->min_weight);
            printf("Data             %s: %zu assets, %zu returns\n", m->series->source,
                   m->n_assets, m->n_obs);
            printf("Expected return  %8.4f %% per year\n", 100 * r.expected_return);
            printf("Volatility       %8.4f %% per year\n", 100 * r.volatility);
            printf("Sharpe ratio     %8.4f (risk-free rate %.4f %%)\n", r.sharpe, 100 * p->rf);
            printf("Search           %s, %ld relaxations, %zu held, %s (gap %.3g %%)\n", method,
                   r.nodes, r.held, r.proven_optimal ? "proven optimal" : "not proven optimal",
                   100 * gap);
            print_weights(w, m->series);
        }
    }
    if (doc) {
        json_object_set_new(doc, "inputs", inputs);
        inputs = NULL;
        cli_json_units(doc, "weights", "fractions of the portfolio (sum 1)", "expected_return",
                       "fraction per year", "volatility", "fraction per year", "sharpe",
                       "pure number", "cvar.cvar, cvar.var, cvar.limit",
                       "fraction of the portfolio lost per period of the data", NULL);
        rc = cli_json_print(doc);
    } else {
        rc = CLI_EXIT_OK;
    }
out:
    json_decref(inputs);
    free(w);
    return rc;
}
