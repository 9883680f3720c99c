/* roboadvisor: a client's saved goal plans (issue 15; src/store/store_plans.c,
 * 0026_client_plans.sql). Store layer: saves and reads the plans the engine ran
 * (engine_plan.h); never runs one. A plan is immutable once saved; the client's latest one
 * supersedes the earlier ones. */
#ifndef ROBOADVISOR_STORE_PLANS_H
#define ROBOADVISOR_STORE_PLANS_H

#include "plan.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_PLAN_LABEL_MAX 128 /* bytes of a plan's label with its NUL (personal data) */
#define RA_PLAN_CODE_MAX 24   /* "PL00000001" (8 digits or more) with its NUL */

typedef struct ra_plan_rec {
    char code[RA_PLAN_CODE_MAX];  /* set by ra_store_plan_save */
    char client[RA_CODE_MAX];
    char account[RA_CODE_MAX];    /* whose model and value were used, "" none */
    char currency[4];
    int minor_digits;
    ra_minor goal_minor, initial_minor, monthly_minor; /* goal > 0, others >= 0 */
    int years;                    /* 1..RA_PLAN_MAX_YEARS */
    char method[16];              /* "lognormal" */
    char source[16];              /* "model" (the model's estimates, total returns),
                                   * "model+cash" (its excess return + the firm's cash rate) or
                                   * "given" (docs/methodology.md#saved-goal-plans) */
    char model[RA_CODE_MAX];      /* "" none */
    int model_version, risk_level; /* 0 none; risk_level 1..5 = R1..R5 */
    double mu, sigma;             /* annual decimals, as ra_plan_settings */
    int have_cash_rate;           /* 1 exactly when source is "model+cash" */
    double cash_rate;             /* the firm's cash rate mu includes (annual decimal) */
    ra_date data_from, data_to;   /* the model's estimation window (0 none) */
    ra_date as_of;                /* the day of the initial value */
    int64_t paths;                /* 1..RA_PLAN_MAX_PATHS */
    int64_t seed;                 /* >= 0 */
    double probability;           /* share of paths reaching the goal */
    int64_t n_hits;
    ra_minor mean_minor;          /* mean final wealth */
    ra_minor pct_minor[RA_PLAN_MAX_YEARS][RA_PLAN_N_PCT]; /* rows 0..years-1: end of year y+1 */
    char label[RA_PLAN_LABEL_MAX]; /* "" none or erased */
    int erased;                   /* the client was erased: the label is gone */
    char user[RA_CODE_MAX];       /* who saved it (set by save) */
    int64_t created_at;           /* Unix seconds (set by save) */
} ra_plan_rec;

/* Saves plan *p (its code, user and created_at are set) for client p->client of actor->firm, the
 * label encrypted under the client's data key, audited (entity "plan", by code; the record holds
 * the label's ciphertext only). RA_EINVAL naming the first bad field, RA_ENOTFOUND for no such
 * client, RA_ECONFLICT when a label is given and the client was erased or has no data key of its
 * own yet (a book older than 0021 not re-encrypted). */
RA_API RA_NODISCARD ra_status ra_store_plan_save(ra_store *s, const ra_store_actor *actor,
                                                 ra_plan_rec *p, ra_err *err);
/* Plan `code` of the firm, RA_ENOTFOUND when there is none. Wipe *out after use (the label). */
RA_API RA_NODISCARD ra_status ra_store_plan_get(ra_store *s, const char *firm, const char *code,
                                                ra_plan_rec *out, ra_err *err);
/* The client's plans with code > after ("" from the start) in code order (oldest first), at
 * most limit. *out: ra_store_free (wipe it first: labels). An unknown client has none. */
RA_API RA_NODISCARD ra_status ra_store_plans_list(ra_store *s, const char *firm,
                                                  const char *client, const char *after,
                                                  size_t limit, ra_plan_rec **out, size_t *n,
                                                  ra_err *err);
/* The code of the client's latest plan into code ("" none). */
RA_API RA_NODISCARD ra_status ra_store_plan_latest(ra_store *s, const char *firm,
                                                   const char *client,
                                                   char code[RA_PLAN_CODE_MAX], ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
