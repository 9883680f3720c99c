/* roboadvisor: the client's objectives applied to an account's target (src/engine/objective.c,
 * docs/methodology.md#client-objectives). The daily cycle and `account show` call the same code,
 * so that what an advisor sees is what the cycle trades to. */
#ifndef ROBOADVISOR_ENGINE_OBJECTIVE_H
#define ROBOADVISOR_ENGINE_OBJECTIVE_H

#include "engine_models.h"
#include "objective.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shelf's estimates the objectives use: the covariance (Ledoit-Wolf) and the daily returns
 * (the CVaR's scenarios) over every shared close up to the day. have 0: too few closes, the
 * objectives do not apply (the target stays the model's). */
typedef struct ra_objective_shelf {
    ra_models_shelf sh;
    int have;
} ra_objective_shelf;

RA_API RA_NODISCARD ra_status ra_objective_shelf_load(ra_store *s, const char *firm, ra_date date,
                                                      ra_objective_shelf *o, ra_err *err);
RA_API void ra_objective_shelf_free(ra_objective_shelf *o);

/* 1 when mandate m states an objective that changes the target (ra_client_objective_active). */
RA_API int ra_objective_of_mandate(const ra_mandate *m, ra_client_objective *o);

/* Applies m's objectives to the target w (n securities by ticker, cash apart: w sums to 1 minus
 * the cash reserve), with the account's current weights h (n, or NULL). *applied 0 (w as it
 * was) when m has none, the shelf has no estimate, or a security of the target has none (off the
 * shelf). eff may be NULL. */
RA_API RA_NODISCARD ra_status ra_objective_apply(const ra_objective_shelf *o, const ra_mandate *m,
                                                 size_t n, const char *const *tickers, double *w,
                                                 const double *h, ra_client_effect *eff,
                                                 int *applied, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
