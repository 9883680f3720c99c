/* roboadvisor server: a client's saved goal plans (issue 15; docs/api.md#plans). Internal to
 * src/server/: the POST body's parser (srv_parse_plans.c, pure: fuzz/fuzz_api_plans.c calls it)
 * and the routes (srv_routes_plans.c). */
#ifndef RA_SRV_PLANS_H
#define RA_SRV_PLANS_H

#include "server/srv.h"

#include <roboadvisor/engine_plan.h>

/* POST /v1/clients/{id}/plans: {"goal": "500000.00", "years": 10, "monthly": "1000.00",
 * "initial": "250000.00", "account": "A1", "mu": 0.05, "sigma": 0.12, "paths": 10000, "seed": 1,
 * "label": "..."}: goal and years required; amounts as decimal strings in the currency's units
 * (checked against its minor digits by the route); mu and sigma together or not at all. */
typedef struct srv_plan_body {
    char goal[32], monthly[32], initial[32]; /* "" absent */
    char account[RA_CODE_MAX];               /* "" the client's first */
    int years;
    int have_mu;
    double mu, sigma;
    size_t paths;                            /* 0: the default */
    uint64_t seed;
    int have_seed;
    char label[RA_PLAN_LABEL_MAX];
} srv_plan_body;

/* 0, or 400 (not JSON) / 413 / 422 with every invalid field's JSON path in *p (never a value). */
int srv_body_plan(const char *body, size_t len, srv_plan_body *out, srv_problem *p);

#endif
