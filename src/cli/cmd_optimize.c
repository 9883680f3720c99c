/* roboadvisor optimize: estimate expected returns and covariance from market data, then build a
 * portfolio with the optimiser (include/roboadvisor/opt.h). Documented in docs/cli.md#optimize. */
#include "cli.h"
#include "optimize_risk.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "optimize";

static void help(void)
{
    printf(
        "usage: roboadvisor optimize (--returns FILE | --prices FILE) [options]\n\n"
        "Estimates annual expected returns and covariance from a wide CSV of returns or prices\n"
        "(first column ISO dates, one column per security) and builds a portfolio.\n\n"
        "data:\n"
        "  --returns FILE           per-period returns, used as given (simple or log: your choice)\n"
        "  --prices FILE            prices; returns computed as --return-kind (default simple)\n"
        "  --return-kind simple|log how returns are computed from --prices\n"
        "  --assets A,B,...         use only these columns, in this order\n"
        "  --from DATE, --to DATE   use only the rows dated in this window (inclusive)\n"
        "  --drop-missing           drop rows with an empty cell (default: an empty cell is an error)\n"
        "  --periods-per-year N     annualisation (default: inferred from the dates: 252, 52 or 12)\n"
        "estimation:\n"
        "  --mean arithmetic|ewma   expected returns (default arithmetic)\n"
        "  --cov sample|ewma|ledoit-wolf  covariance (default sample)\n"
        "  --lambda L               EWMA decay for --mean/--cov ewma (default 0.94)\n"
        "problem:\n"
        "  --objective NAME         min-variance (default), max-sharpe, target-return,\n"
        "                           target-volatility, risk-parity, frontier, cvar, max-return\n"
        "  --target X               annual target return or volatility (decimal: 0.06 = 6 %%);\n"
        "                           with cvar: a floor on the annual expected return\n"
        "  --beta B                 CVaR confidence level (default 0.95): the mean of the worst\n"
        "                           (1 - B) share of the historical per-period losses\n"
        "  --cvar-limit C           CVaR at most C (a per-period loss, 0.02 = 2 %%) for\n"
        "                           min-variance or max-return (which needs it)\n"
        "  --max-assets K           at most K assets held (min-variance, max-sharpe, target-return)\n"
        "  --min-weight M           a held asset's weight is at least M (same objectives)\n"
        "  --points K               frontier points (default 20, 2..1000)\n"
        "  --rf RATE                annual risk-free rate for the Sharpe ratio (default 0)\n"
        "  --bounds LO,HI           weight bounds for every asset (default 0,1: long-only)\n"
        "  --groups FILE            asset-class limits: CSV group,min,max,members (docs/formats.md)\n"
        "  --current-weights A=W,.. current weights for the turnover penalty (others 0)\n"
        "  --turnover-cost C        L1 penalty C * sum |w - current| added to the objective\n"
        "output:\n"
        "  --format json|table      (default table)\n\n"
        "Exit status: 0 solved, 1 data error or no solution (the message says why), 2 usage error.\n");
}

typedef struct opt_args {
    cli_market_opts market;
    const char *objective, *groups_path, *current, *mean, *cov;
    double target, rf, bounds[2] /* LO, HI */, lambda, turnover_cost;
    int has_target, has_bounds;
    size_t points;
    cli_format format;
    optimize_risk risk;
} opt_args;

/* --bounds LO,HI into field (double[2]). */
static int take_bounds(const char *cmd, const char *opt, char *arg, void *field)
{
    double *b = field;
    char *comma = strchr(arg, ',');
    if (!comma)
        return cli_usage(cmd, "--bounds needs LO,HI such as 0,0.4, got \"%s\"", arg);
    *comma = '\0';
    int rc = cli_parse_double(cmd, "--bounds (LO)", arg, &b[0]);
    if (!rc) rc = cli_parse_double(cmd, "--bounds (HI)", comma + 1, &b[1]);
    *comma = ',';
    if (!rc && b[0] > b[1])
        rc = cli_usage(cmd, "--bounds LO must not exceed HI, got \"%s\"", arg);
    return rc;
}

_Static_assert(RA_RETURN_SIMPLE == 0 && RA_RETURN_LOG == 1, "--return-kind's words in order");

static const cli_opt options[] = {
    CLI_OPTS_MARKET(opt_args, market), CLI_OPTS_RETURNS(opt_args, market),
    CLI_O("return-kind", CLI_OPT_ENUM, opt_args, market.kind, .words = CLI_WORDS("simple", "log"),
          .msg = "is simple or log, got \"%s\""),
    CLI_O("mean", CLI_OPT_STR, opt_args, mean), CLI_O("cov", CLI_OPT_STR, opt_args, cov),
    CLI_O("lambda", CLI_OPT_DOUBLE, opt_args, lambda, CLI_IN_0_1_EXCLUSIVE),
    CLI_O("objective", CLI_OPT_STR, opt_args, objective),
    CLI_O("target", CLI_OPT_DOUBLE, opt_args, target, .have = CLI_HAVE(opt_args, has_target)),
    CLI_O("points", CLI_OPT_SIZE, opt_args, points, .lo = 2, .hi = 1000),
    CLI_O("rf", CLI_OPT_DOUBLE, opt_args, rf),
    CLI_O("bounds", CLI_OPT_CUSTOM, opt_args, bounds, .fn = take_bounds,
          .have = CLI_HAVE(opt_args, has_bounds)),
    CLI_O("groups", CLI_OPT_STR, opt_args, groups_path),
    CLI_O("current-weights", CLI_OPT_STR, opt_args, current),
    CLI_O("turnover-cost", CLI_OPT_DOUBLE, opt_args, turnover_cost, .dlo = 0, .dhi = HUGE_VAL,
          .msg = "must be zero or positive, got \"%s\""),
    CLI_O("beta", CLI_OPT_DOUBLE, opt_args, risk.beta, CLI_IN_0_1_EXCLUSIVE,
          .have = CLI_HAVE(opt_args, risk.has_beta)),
    CLI_O("cvar-limit", CLI_OPT_DOUBLE, opt_args, risk.cvar_limit,
          .have = CLI_HAVE(opt_args, risk.has_cvar_limit)),
    CLI_O("max-assets", CLI_OPT_SIZE, opt_args, risk.max_assets, .lo = 1, .hi = 100000),
    CLI_O("min-weight", CLI_OPT_DOUBLE, opt_args, risk.min_weight, .dlo = 0, .dhi = 1,
          .msg = "must be between 0 and 1, got \"%s\""),
    CLI_O("format", CLI_OPT_FORMAT, opt_args, format), CLI_OPT_END};

static int parse_args(int argc, char **argv, opt_args *a)
{
    memset(a, 0, sizeof *a);
    a->objective = "min-variance";
    a->mean = "arithmetic";
    a->cov = "sample";
    a->lambda = RA_EWMA_LAMBDA_DEFAULT;
    a->bounds[0] = 0.0;
    a->bounds[1] = 1.0;
    a->points = 20;
    a->risk.beta = 0.95;
    const cli_opts_spec spec = {CMD, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, a);
    if (rc) return rc;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind))) return rc;
    if (strcmp(a->mean, "arithmetic") != 0 && strcmp(a->mean, "ewma") != 0)
        return cli_usage(CMD, "--mean is arithmetic or ewma, got \"%s\"", a->mean);
    if (strcmp(a->cov, "sample") != 0 && strcmp(a->cov, "ewma") != 0 &&
        strcmp(a->cov, "ledoit-wolf") != 0)
        return cli_usage(CMD, "--cov is sample, ewma or ledoit-wolf, got \"%s\"", a->cov);
    int needs_target = strcmp(a->objective, "target-return") == 0 ||
                       strcmp(a->objective, "target-volatility") == 0;
    if (needs_target && !a->has_target)
        return cli_usage(CMD, "--objective %s needs --target", a->objective);
    if (!needs_target && a->has_target && strcmp(a->objective, "cvar") != 0)
        return cli_usage(CMD, "--target applies only to target-return, target-volatility and cvar");
    a->risk.has_target = a->has_target;
    if ((rc = optimize_risk_check(&a->risk, a->objective, a->has_target))) return rc;
    if (!!a->current != (a->turnover_cost > 0))
        return cli_usage(CMD, "--current-weights and a positive --turnover-cost go together");
    return 0;
}

static int parse_objective(const char *s, ra_opt_objective *o)
{
    static const struct { const char *name; ra_opt_objective obj; } names[] = {
        {"min-variance", RA_OPT_MIN_VARIANCE}, {"max-sharpe", RA_OPT_MAX_SHARPE},
        {"target-return", RA_OPT_TARGET_RETURN}, {"target-volatility", RA_OPT_TARGET_VOLATILITY},
        {"risk-parity", RA_OPT_RISK_PARITY}, {"frontier", RA_OPT_FRONTIER}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *o = names[i].obj;
            return 0;
        }
    return cli_usage(CMD, "--objective is min-variance, max-sharpe, target-return, "
                          "target-volatility, risk-parity or frontier, got \"%s\"", s);
}

static long find_asset(const ra_series *s, const char *name)
{
    for (size_t j = 0; j < s->n_cols; j++)
        if (strcmp(s->names[j], name) == 0)
            return (long)j;
    return -1;
}

/* Group limits from --groups, resolved to column indices of the loaded data. */
typedef struct groups_ctx {
    ra_groups *file;
    ra_opt_group *groups;
    size_t *members;
} groups_ctx;

static void groups_free(groups_ctx *g)
{
    ra_groups_destroy(g->file);
    free(g->groups);
    free(g->members);
}

static int load_groups(const char *path, const ra_series *s, groups_ctx *g)
{
    memset(g, 0, sizeof *g);
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    if (ra_file_read(path, 64u << 20, &data, &size, &err) != RA_OK)
        return cli_fail(CMD, &err);
    ra_status st = ra_csv_parse_groups(data, size, path, &g->file, &err);
    ra_free(data);
    if (st != RA_OK)
        return cli_fail(CMD, &err);
    size_t total = 0;
    for (size_t i = 0; i < g->file->n; i++)
        total += g->file->groups[i].n_members;
    g->groups = calloc(g->file->n ? g->file->n : 1, sizeof *g->groups);
    g->members = calloc(total ? total : 1, sizeof *g->members);
    if (!g->groups || !g->members) {
        fprintf(stderr, "roboadvisor %s: out of memory for %zu groups\n", CMD, g->file->n);
        return CLI_EXIT_DATA;
    }
    size_t k = 0;
    for (size_t i = 0; i < g->file->n; i++) {
        const ra_group *src = &g->file->groups[i];
        ra_opt_group *dst = &g->groups[i];
        dst->name = src->name;
        dst->min = src->min;
        dst->max = src->max;
        dst->members = g->members + k;
        dst->n_members = src->n_members;
        for (size_t m = 0; m < src->n_members; m++) {
            long j = find_asset(s, src->members[m]);
            if (j < 0) {
                fprintf(stderr, "roboadvisor %s: %s:%u: group \"%s\" names \"%s\", which is not "
                                "among the assets of %s\n",
                        CMD, path, src->line, src->name, src->members[m], s->source);
                return CLI_EXIT_DATA;
            }
            g->members[k++] = (size_t)j;
        }
    }
    return 0;
}

/* --current-weights "SPY=0.6,AGG=0.4": unnamed assets hold 0. */
static int parse_current(const char *spec, const ra_series *s, double *w0)
{
    char **items = NULL, *storage = NULL;
    size_t n = 0;
    int rc = cli_split_list(CMD, "--current-weights", spec, &items, &n, &storage);
    if (rc) return rc;
    for (size_t j = 0; j < s->n_cols; j++) w0[j] = 0.0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq) {
            rc = cli_usage(CMD, "--current-weights needs NAME=WEIGHT items, got \"%s\"", items[i]);
            break;
        }
        *eq = '\0';
        long j = find_asset(s, items[i]);
        if (j < 0) {
            rc = cli_usage(CMD, "--current-weights names \"%s\", which is not among the assets",
                           items[i]);
            break;
        }
        rc = cli_parse_double(CMD, "--current-weights", eq + 1, &w0[j]);
    }
    free(items);
    free(storage);
    return rc;
}

static json_t *result_json(const ra_opt_result *r, const ra_series *s, const char *objective)
{
    json_t *o = json_object(), *w = json_object(), *solver = json_object(), *kkt = json_object();
    if (objective)
        json_object_set_new(o, "objective", json_string(objective));
    for (size_t j = 0; j < s->n_cols; j++)
        json_object_set_new(w, s->names[j], cli_jnum(r->w[j]));
    json_object_set_new(o, "status", json_string("optimal"));
    json_object_set_new(o, "weights", w);
    json_object_set_new(o, "expected_return", cli_jnum(r->expected_return));
    json_object_set_new(o, "volatility", cli_jnum(r->volatility));
    json_object_set_new(o, "sharpe", cli_jnum(r->sharpe));
    json_object_set_new(o, "turnover", cli_jnum(r->turnover));
    json_object_set_new(solver, "iterations", json_integer(r->iterations));
    json_object_set_new(solver, "setup_ms", cli_jnum(r->setup_ms));
    json_object_set_new(solver, "solve_ms", cli_jnum(r->solve_ms));
    json_object_set_new(kkt, "stationarity", cli_jnum(r->res_stat));
    json_object_set_new(kkt, "primal", cli_jnum(r->res_prim));
    json_object_set_new(kkt, "dual", cli_jnum(r->res_dual));
    json_object_set_new(kkt, "complementarity", cli_jnum(r->res_comp));
    json_object_set_new(solver, "kkt_residuals", kkt);
    json_object_set_new(o, "solver", solver);
    return o;
}

static json_t *inputs_json(const opt_args *a, const cli_market *m)
{
    json_t *in = json_object();
    json_object_set_new(in, "file", json_string(m->series->source));
    json_object_set_new(in, "assets", json_integer((json_int_t)m->n_assets));
    json_object_set_new(in, "observations", json_integer((json_int_t)m->n_obs));
    json_object_set_new(in, "first_date", cli_jdate(m->ret_dates[0]));
    json_object_set_new(in, "last_date", cli_jdate(m->ret_dates[m->n_obs - 1]));
    json_object_set_new(in, "periods_per_year", cli_jnum(m->ppy));
    json_object_set_new(in, "mean", json_string(a->mean));
    json_object_set_new(in, "covariance", json_string(a->cov));
    json_object_set_new(in, "rf", cli_jnum(a->rf));
    return in;
}

static double max_res(const ra_opt_result *r)
{
    double m = r->res_stat;
    if (r->res_prim > m) m = r->res_prim;
    if (r->res_dual > m) m = r->res_dual;
    if (r->res_comp > m) m = r->res_comp;
    return m;
}

/* A weight in percent for people: rounding noise below 1e-12 (a weight at its bound of 0 that came
 * out as -1e-17) is shown as 0, not "-0.0000". JSON keeps the exact values. */
static double pct(double w)
{
    return fabs(w) < 1e-12 ? 0.0 : 100 * w;
}

static void print_table(const opt_args *a, const cli_market *m, const ra_opt_result *r, size_t k)
{
    const ra_series *s = m->series;
    printf("Objective        %s\n", a->objective);
    printf("Data             %s: %zu assets, %zu %s returns (%g periods per year%s)\n", s->source,
           m->n_assets, m->n_obs, m->from_prices ? "computed" : "given", m->ppy,
           m->ppy_inferred ? ", inferred" : "");
    printf("Estimates        %s mean, %s covariance, annualised\n", a->mean, a->cov);
    if (k == 1) {
        printf("Expected return  %8.4f %% per year\n", 100 * r->expected_return);
        printf("Volatility       %8.4f %% per year\n", 100 * r->volatility);
        printf("Sharpe ratio     %8.4f (risk-free rate %.4f %%)\n", r->sharpe, 100 * a->rf);
        if (a->current)
            printf("Turnover         %8.4f %% of the portfolio\n", 100 * r->turnover);
        printf("Solver           %d iterations, setup %.3f ms, solve %.3f ms, max KKT residual %.1e\n\n",
               r->iterations, r->setup_ms, r->solve_ms, max_res(r));
        printf("%-12s %10s\n", "Asset", "Weight %");
        for (size_t j = 0; j < m->n_assets; j++)
            printf("%-12s %10.4f\n", s->names[j], pct(r->w[j]));
        return;
    }
    printf("Frontier         %zu points\n\n", k);
    printf("%5s %10s %10s %8s", "Point", "Return %", "Vol %", "Sharpe");
    for (size_t j = 0; j < m->n_assets; j++)
        printf(" %8.8s", s->names[j]);
    printf("   (weights in %%)\n");
    for (size_t i = 0; i < k; i++) {
        printf("%5zu %10.4f %10.4f %8.4f", i + 1, 100 * r[i].expected_return, 100 * r[i].volatility,
               r[i].sharpe);
        for (size_t j = 0; j < m->n_assets; j++)
            printf(" %8.3f", pct(r[i].w[j]));
        printf("\n");
    }
}

int cmd_optimize(int argc, char **argv)
{
    opt_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    ra_opt_objective objective = RA_OPT_MIN_VARIANCE;
    int risk = optimize_risk_wanted(&a.risk, a.objective);
    if (strcmp(a.objective, "cvar") != 0 && strcmp(a.objective, "max-return") != 0 &&
        (rc = parse_objective(a.objective, &objective)) != 0)
        return rc;
    if (risk && a.current)
        return cli_usage(CMD, "cvar and cardinality limits take no turnover penalty");
    if (objective == RA_OPT_RISK_PARITY && (a.has_bounds || a.groups_path || a.current))
        return cli_usage(CMD, "risk-parity takes no --bounds, --groups or --current-weights");
    if (objective == RA_OPT_MAX_SHARPE && a.current)
        return cli_usage(CMD, "max-sharpe takes no turnover penalty");

    cli_market m;
    if ((rc = cli_market_load(CMD, &a.market, &m)) != 0) return rc;
    size_t n = m.n_assets, k = objective == RA_OPT_FRONTIER ? a.points : 1;
    groups_ctx g = {0};
    ra_err err = {0};
    double *mu = malloc(n * sizeof *mu), *cov = malloc(n * n * sizeof *cov);
    double *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi), *w0 = NULL;
    double *wbuf = malloc(k * n * sizeof *wbuf);
    ra_opt_result *res = calloc(k, sizeof *res);
    void *work = NULL;
    rc = CLI_EXIT_DATA;
    if (!mu || !cov || !lo || !hi || !wbuf || !res) {
        fprintf(stderr, "roboadvisor %s: out of memory for %zu assets\n", CMD, n);
        goto out;
    }
    if (a.groups_path && (rc = load_groups(a.groups_path, m.series, &g)) != 0) goto out;
    if (a.current) {
        if (!(w0 = malloc(n * sizeof *w0))) goto out;
        if ((rc = parse_current(a.current, m.series, w0)) != 0) goto out;
    }
    rc = CLI_EXIT_DATA;
    ra_status st = strcmp(a.mean, "ewma") == 0
                       ? ra_est_mean_ewma(m.ret, m.n_obs, n, m.ppy, a.lambda, mu, &err)
                       : ra_est_mean(m.ret, m.n_obs, n, m.ppy, mu, &err);
    if (st == RA_OK) {
        if (strcmp(a.cov, "ewma") == 0)
            st = ra_est_cov_ewma(m.ret, m.n_obs, n, m.ppy, a.lambda, NULL, 0, cov, &err);
        else if (strcmp(a.cov, "ledoit-wolf") == 0)
            st = ra_est_cov_ledoit_wolf(m.ret, m.n_obs, n, m.ppy, NULL, 0, cov, NULL, &err);
        else
            st = ra_est_cov_sample(m.ret, m.n_obs, n, m.ppy, NULL, 0, cov, &err);
    }
    if (st != RA_OK) {
        ra_err_wrap(&err, "could not estimate from %s", m.series->source);
        rc = cli_fail(CMD, &err);
        goto out;
    }
    for (size_t j = 0; j < n; j++) {
        lo[j] = a.bounds[0];
        hi[j] = a.bounds[1];
    }
    for (size_t i = 0; i < k; i++)
        res[i].w = wbuf + i * n;
    ra_opt_problem p = {
        .n = n, .names = (const char *const *)m.series->names, .mu = mu, .cov = cov,
        .lo = a.has_bounds ? lo : NULL, .hi = a.has_bounds ? hi : NULL, .groups = g.groups, .n_groups = g.file ? g.file->n : 0,
        .rf = a.rf, .target = a.target, .w0 = w0, .turnover_cost = a.turnover_cost,
        .clock_ms = cli_clock_ms,
        /* Ledoit-Wolf shrinks towards a scaled identity: positive definite by construction, so
         * minimum variance factorises only the free assets' block (docs/methodology.md#qp) */
        .cov_trusted = strcmp(a.cov, "ledoit-wolf") == 0};
    if (risk) {
        rc = optimize_risk_run(&a.risk, a.objective, &p, &m, a.format, inputs_json(&a, &m));
        goto out;
    }
    size_t wsize = ra_opt_workspace_size(n, p.n_groups);
    if (!(work = malloc(wsize))) {
        fprintf(stderr, "roboadvisor %s: out of memory for the optimiser's workspace (%zu bytes)\n",
                CMD, wsize);
        goto out;
    }
    st = objective == RA_OPT_FRONTIER ? ra_opt_frontier(&p, k, work, wsize, res, &err)
                                      : ra_opt_solve(&p, objective, work, wsize, res, &err);
    if (st != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto out;
    }
    if (a.format == CLI_FORMAT_JSON) {
        json_t *doc;
        if (objective == RA_OPT_FRONTIER) {
            doc = json_object();
            json_t *pts = json_array();
            for (size_t i = 0; i < k; i++)
                json_array_append_new(pts, result_json(&res[i], m.series, NULL));
            json_object_set_new(doc, "objective", json_string(a.objective));
            json_object_set_new(doc, "status", json_string("optimal"));
            json_object_set_new(doc, "points", pts);
        } else {
            doc = result_json(res, m.series, a.objective);
        }
        json_object_set_new(doc, "inputs", inputs_json(&a, &m));
        cli_json_units(doc, "weights", "fractions of the portfolio (sum 1)", "expected_return",
                       "fraction per year", "volatility", "fraction per year", "sharpe",
                       "pure number", "rf", "fraction per year", "setup_ms, solve_ms",
                       "milliseconds", NULL);
        rc = cli_json_print(doc);
    } else {
        print_table(&a, &m, res, k);
        rc = CLI_EXIT_OK;
    }
out:
    free(work);
    free(res);
    free(wbuf);
    free(w0);
    free(hi);
    free(lo);
    free(cov);
    free(mu);
    groups_free(&g);
    cli_market_free(&m);
    return rc;
}
