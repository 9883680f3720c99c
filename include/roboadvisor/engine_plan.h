/* roboadvisor: a client's goal plan, run and saved (engine layer, src/engine/plan_client.c;
 * docs/cli.md#plans, docs/methodology.md#saved-goal-plans). The plan of plan.h on the inputs the
 * book holds: the account's value and its model's expected return and volatility. */
#ifndef ROBOADVISOR_ENGINE_PLAN_H
#define ROBOADVISOR_ENGINE_PLAN_H

#include "store_plans.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_PLAN_SAVE_MAX_PATHS 100000       /* paths of a saved plan, at most */
#define RA_PLAN_SAVE_MAX_CELLS 2000000      /* paths x years of a saved plan (16 MB of wealth) */

typedef struct ra_plan_request {
    const char *client;         /* required */
    const char *account;        /* NULL or "": the client's first account in code order */
    ra_minor goal_minor;        /* > 0, in the account's minor units */
    ra_minor monthly_minor;     /* >= 0 */
    ra_minor initial_minor;     /* >= 0 with have_initial; else the account's value */
    int have_initial;
    int years;                  /* 1..RA_PLAN_MAX_YEARS */
    int have_mu;                /* 1: mu and sigma as given (source "given"); 0: the model's */
    double mu, sigma;
    size_t paths;               /* 1..RA_PLAN_SAVE_MAX_PATHS; default 10000 */
    uint64_t seed;              /* 0..INT64_MAX; default 1 */
    const char *label;          /* NULL or "": none; personal data (encrypted) */
    ra_date date;               /* the day the account is valued on (its latest valued day) */
} ra_plan_request;

RA_API void ra_plan_request_default(ra_plan_request *r);

/* Runs the goal plan of client r->client of actor->firm (ra_plan_run, lognormal: mu and sigma of
 * the account's assigned model version, else its mandate's model, unless given; a model of excess
 * returns (ra_models_returns_excess) adds the firm's cash rate to mu, source "model+cash") and
 * saves it with its results (ra_store_plan_save). *out: the plan as saved. RA_EINVAL naming the
 * field ("goal", "years", "paths", "mu", "sigma", "label", "account") of a wrong request, a model
 * without estimates, or a model of excess returns when the firm has no cash rate ("mu"),
 * RA_ENOTFOUND for no such client or account of the client. */
RA_API RA_NODISCARD ra_status ra_plan_client_save(ra_store *s, const ra_store_actor *actor,
                                                  const ra_plan_request *r, ra_plan_rec *out,
                                                  ra_err *err);

/* Plan p as the JSON object the CLI (plans show --format json) and the API (GET /v1/plans/{id})
 * answer, documented in docs/cli.md#plans: amounts as decimal strings in the currency's units,
 * dates YYYY-MM-DD, the label null when none or erased. *text: ra_malloc'd, NUL-terminated
 * (wipe it: it may hold the label). RA_ENOMEM only. */
RA_API RA_NODISCARD ra_status ra_plan_rec_json(const ra_plan_rec *p, char **text, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
