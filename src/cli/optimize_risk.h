/* roboadvisor optimize's CVaR and cardinality options (src/cli/optimize_risk.c). */
#ifndef RA_CLI_OPTIMIZE_RISK_H
#define RA_CLI_OPTIMIZE_RISK_H

#include "cli.h"

typedef struct optimize_risk {
    double beta;        /* --beta, default 0.95 */
    double cvar_limit;  /* --cvar-limit */
    size_t max_assets;  /* --max-assets, 0 = none */
    double min_weight;  /* --min-weight, 0 = none */
    int has_beta, has_cvar_limit, has_target;
} optimize_risk;

/* Usage errors of the combinations (exit code 2 after the message), 0 when fine. */
int optimize_risk_check(const optimize_risk *x, const char *objective, int has_target);
/* 1 when the options ask for CVaR or cardinality limits. */
int optimize_risk_wanted(const optimize_risk *x, const char *objective);
/* Solves and prints; takes inputs (the "inputs" JSON object). Returns the exit code. */
int optimize_risk_run(const optimize_risk *x, const char *objective, const ra_opt_problem *p,
                      const cli_market *m, cli_format format, json_t *inputs);

#endif
