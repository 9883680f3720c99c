/* roboadvisor: client onboarding, the pure part: each account's agent and its parameters, the
 * onboarding document as a struct (read by onboard_io.h), and what onboarding stored. The store
 * functions are in store_profiles.h; the orchestration (ra_onboard_apply) in engine_onboard.h.
 * docs/formats.md#onboarding-document, docs/cli.md#onboard. */
#ifndef ROBOADVISOR_ONBOARD_H
#define ROBOADVISOR_ONBOARD_H

#include "book.h"
#include "prof.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_ONBOARD_REASON_MAX 512    /* bytes of a stored contradiction reason incl. NUL */
#define RA_ONBOARD_LANG_MAX 16       /* bytes of a language tag incl. NUL */
#define RA_ONBOARD_MAX_ACCOUNTS 16   /* accounts opened by one onboarding document */
#define RA_AGENT_REASON_MAX 1001     /* bytes of a change's reason incl. NUL (1000 + NUL) */

/* ---- each account's own agent --------------------------------------------------------------- */

typedef enum ra_agent_objective {
    RA_OBJ_PRESERVE = 0, RA_OBJ_INCOME, RA_OBJ_BALANCED, RA_OBJ_GROWTH, RA_OBJ_MAX_GROWTH
} ra_agent_objective;

/* An agent's parameters. Keys in `roboadvisor agent set --param KEY=VALUE` and JSON: risk_level
 * ("C1".."C5" or 1..5), objective ("preserve", "income", "balanced", "growth", "max-growth"),
 * drift_band (0 < x <= 0.5), tlh (on/off, true/false, 1/0), loss_limit (0 < x <= 0.15, the
 * mandate's rule), cash_reserve (0 <= x < 1, a fraction of the account). */
typedef struct ra_agent_params {
    int risk_level;                /* 1..5: the level the agent invests at */
    ra_agent_objective objective;
    double drift_band;             /* default 0.05 */
    int tlh;                       /* default 1 */
    double loss_limit;             /* default 0.10 */
    double cash_reserve;           /* default 0.02 */
} ra_agent_params;

/* One version of an account's agent. */
typedef struct ra_agent {
    char account[RA_CODE_MAX];
    int64_t version;               /* 1, 2, ... */
    char name[RA_NAME_MAX];        /* the name the client gave it ("" none) */
    ra_agent_params params;
    char user[RA_CODE_MAX];        /* who made this version */
    char reason[RA_AGENT_REASON_MAX];
    int64_t at;                    /* Unix seconds */
} ra_agent;

/* Defaults for a client of level `level` (1..5): risk_level = level, the objective matching it
 * (C1 preserve .. C5 max-growth), drift 0.05, TLH on, loss limit 0.10, cash reserve 0.02. */
RA_API void ra_agent_params_default(ra_agent_params *p, int level);
/* Sets one parameter from text: RA_EINVAL naming the key and the value, or listing the keys. */
RA_API RA_NODISCARD ra_status ra_agent_param_set(ra_agent_params *p, const char *key,
                                                 const char *value, ra_err *err);
RA_API RA_NODISCARD ra_status ra_agent_params_validate(const ra_agent_params *p, ra_err *err);
RA_API const char *ra_agent_objective_name(ra_agent_objective o);

/* ---- the onboarding document ---------------------------------------------------------------- */

typedef struct ra_onboard_account {
    char code[RA_CODE_MAX];
    ra_account_type type;
    char currency[4];
    char agent_name[RA_NAME_MAX];  /* "" none */
} ra_onboard_account;

/* A parsed onboarding document (docs/formats.md#onboarding-document):
 * {"client": {code, household, advisor, name, email, tax_id, address, birth_year},
 *  "accounts": [{code, type, currency, agent_name}], "lang": tag (optional),
 *  "questionnaire": id, "version": v, "answers": [...]} — the last three the answers document of
 * prof.h, at the top level so that paths read "$.answers[3].choice". */
typedef struct ra_onboard_doc {
    ra_client client;              /* personal data: never log */
    size_t n_accounts;             /* 1..RA_ONBOARD_MAX_ACCOUNTS */
    ra_onboard_account accounts[RA_ONBOARD_MAX_ACCOUNTS];
    char lang[RA_ONBOARD_LANG_MAX];/* "" if not given */
    char questionnaire[RA_PROF_MAX_ID + 1];
    int64_t version;
    char *answers;                 /* the answers document {questionnaire, version, answers}
                                    * as compact JSON, NUL-terminated (owned) */
    size_t answers_size;
} ra_onboard_doc;

/* What ra_onboard_apply stored. */
typedef struct ra_onboard_result {
    ra_profile profile;            /* scored (pointers borrow from q) */
    int64_t profile_id;
    size_t n_accounts;
    int64_t agent_version[RA_ONBOARD_MAX_ACCOUNTS];
    int client_created;            /* 0 if the client existed (and was updated or unchanged) */
} ra_onboard_result;

#ifdef __cplusplus
}
#endif
#endif
