/* roboadvisor: model portfolios in the store (src/store/store_models.c, migration
 * 0002_models.sql): versioned, audited models, settings and account assignments. */
#ifndef ROBOADVISOR_STORE_MODELS_H
#define ROBOADVISOR_STORE_MODELS_H

#include "models.h"
#include "prof.h"
#include "store.h"
#include "store_profiles.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- store (src/store/store_models.c) ---------------------------------------------------------- */

typedef struct ra_models_settings {
    int shelf_only;            /* hand-authored models may hold only on-shelf securities (default 1) */
    int64_t min_adv;           /* a fund's average daily traded value (whole units of the firm's
                                * currency) at least this to fill a class; 0 none (default) */
    int have_cash_rate;        /* 1: cash_rate is set (0, the default: none, never taken as 0) */
    double cash_rate;          /* the expected long-run return of cash, annual decimal: the
                                * risk-free rate equilibrium returns are in excess of; a saved
                                * plan on such a model adds it; in [RA_MODELS_CASH_RATE_MIN,
                                * RA_MODELS_CASH_RATE_MAX) (docs/methodology.md
                                * #the-firms-cash-rate) */
} ra_models_settings;

#define RA_MODELS_CASH_RATE_MIN (-0.1) /* the firm's cash rate, at least (a deeply negative rate) */
#define RA_MODELS_CASH_RATE_MAX 1.0    /* and below: 4.2 meant as 4.2 % is refused */

RA_API RA_NODISCARD ra_status ra_models_settings_get(ra_store *s, const char *firm,
                                                     ra_models_settings *out, ra_err *err);
/* Stores the firm's settings (audited, entity "model_settings"; nothing written when unchanged).
 * RA_EINVAL naming the field: min_adv < 0, a cash rate outside [RA_MODELS_CASH_RATE_MIN,
 * RA_MODELS_CASH_RATE_MAX) or not finite, or a setting the book's schema predates (min_adv 0027,
 * cash_rate 0028). Stored as given: have_cash_rate 0 stores none (read, change, put). */
RA_API RA_NODISCARD ra_status ra_models_settings_put(ra_store *s, const ra_store_actor *actor,
                                                     const ra_models_settings *in, ra_err *err);

/* Stores model m for actor->firm: its securities must exist (RA_ENOTFOUND naming the ticker); with
 * shelf_only, a security off the shelf is RA_EINVAL naming it. The level is recomputed from the
 * stored asset classes (m->level updated). If the latest version has the same weights (and level),
 * nothing is written and *version is that version (*created = 0); otherwise version n+1 is stored
 * and audited (entity "model", action "version"). version, created may be NULL. */
RA_API RA_NODISCARD ra_status ra_models_put(ra_store *s, const ra_store_actor *actor, ra_model *m,
                                            int *version, int *created, ra_err *err);
/* A model version (version 0: the latest). RA_ENOTFOUND otherwise. */
RA_API RA_NODISCARD ra_status ra_models_get(ra_store *s, const char *firm, const char *code,
                                            int version, ra_model *out, ra_err *err);
/* The latest version of every model of the firm in code order (malloc'd, ra_store_free). */
RA_API RA_NODISCARD ra_status ra_models_list(ra_store *s, const char *firm, ra_model **out,
                                             size_t *n, ra_err *err);
/* Latest versions of the models with level <= client_level (ra_suit_check), in code order. */
RA_API RA_NODISCARD ra_status ra_models_suitable(ra_store *s, const char *firm, int client_level,
                                                 ra_model **out, size_t *n, ra_err *err);

/* An account's model assignment. */
typedef struct ra_models_assignment {
    char account[RA_CODE_MAX];
    char model[RA_CODE_MAX];
    int version;
    int client_level;          /* the client's stored level at assignment (0: none) */
    int model_level;
    int overridden;            /* unsuitable, assigned on an advisor's justification */
    char justification[RA_SUIT_MAX_JUSTIFICATION + 1]; /* from the override record */
    char reason[256];          /* what was overridden (set by ra_models_assign only) */
    char user[RA_CODE_MAX];    /* who assigned it */
    int64_t at;                /* unix seconds */
} ra_models_assignment;

/* Points the account at model version (0: latest) on `date`. The client's level is that of the
 * account's client's stored profile (ra_store_profile_current), never the caller's:
 * ra_suit_assign_check decides (no profile: refused; expired on date, or the model above the
 * level: refused with RA_EINFEASIBLE unless justification is given; never an override for a C1
 * client). claimed_level (0: none) must equal the stored level (RA_EINVAL otherwise). An override
 * is recorded once, in the account's overrides (ra_store_override_put, kind "model"), and the
 * assignment points at it; audited (entity "account", action "model_override"; a normal
 * assignment is action "model"). Also sets the account's mandate.model. res may be NULL. */
RA_API RA_NODISCARD ra_status ra_models_assign(ra_store *s, const ra_store_actor *actor,
                                               const char *account, const char *model,
                                               int version, ra_date date, int claimed_level,
                                               const char *justification,
                                               ra_models_assignment *res, ra_err *err);
/* The personalised target of a stored account: its assignment's model version (else the
 * mandate's model, latest version), the firm's securities (asset classes, TLH groups), the
 * mandate's restrictions, the account's holdings and type; cash_reserve as in
 * ra_models_target_opts. te_ann is NAN (no covariance here). */
RA_API RA_NODISCARD ra_status ra_models_target_for_account(ra_store *s, const char *firm,
                                                           const char *account,
                                                           double cash_reserve,
                                                           ra_models_target *out, ra_err *err);
/* The account's current assignment, RA_ENOTFOUND if none. */
RA_API RA_NODISCARD ra_status ra_models_assignment_get(ra_store *s, const char *firm,
                                                       const char *account,
                                                       ra_models_assignment *out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
