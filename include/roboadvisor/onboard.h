/* roboadvisor: client onboarding. Stored questionnaires, answered questionnaires and profiles
 * (audited), each account's own agent with versioned parameters (audited), advisors' suitability
 * overrides shown on the account, and the onboarding document of `roboadvisor onboard`
 * (docs/formats.md#onboarding-document, docs/cli.md#onboard).
 *
 * Store functions follow store.h: they take an actor for the audit trail, are atomic on their own
 * (a transaction, or a savepoint inside the caller's ra_store_begin), write nothing on error, and
 * append one audit record per row written (entities "questionnaire", "answers", "profile",
 * "agent", "override"). Questionnaire answers are not personal data (no names, contacts or ids:
 * docs/methodology.md#onboarding-and-agents) and are stored in clear. */
#ifndef ROBOADVISOR_ONBOARD_H
#define ROBOADVISOR_ONBOARD_H

#include "book.h"
#include "prof.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_ONBOARD_REASON_MAX 512    /* bytes of a stored contradiction reason incl. NUL */
#define RA_ONBOARD_LANG_MAX 16       /* bytes of a language tag incl. NUL */
#define RA_ONBOARD_MAX_ACCOUNTS 16   /* accounts opened by one onboarding document */
#define RA_AGENT_REASON_MAX 1001     /* bytes of a change's reason incl. NUL (1000 + NUL) */

/* ---- questionnaires ------------------------------------------------------------------------- */

/* Stores a questionnaire document of actor->firm after checking it (ra_prof_questionnaire_parse;
 * RA_EPARSE with the JSON path). Its id and version come from the document. The same id and
 * version already stored with the same bytes: nothing changes (*created = 0); with other bytes:
 * RA_ECONFLICT ("questionnaire ra-default version 1 is stored with different content: give the
 * new document a higher version"). created may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_questionnaire_put(ra_store *s, const ra_store_actor *actor,
                                                         const char *doc, size_t size,
                                                         int *created, ra_err *err);
/* A stored questionnaire document: version 0 means the highest stored. *doc is NUL-terminated,
 * *size bytes (ra_store_free); *version_out the version found (may be NULL). RA_ENOTFOUND naming
 * id and version. */
RA_API RA_NODISCARD ra_status ra_store_questionnaire_get(ra_store *s, const char *firm,
                                                         const char *id, int64_t version,
                                                         char **doc, size_t *size,
                                                         int64_t *version_out, ra_err *err);

/* ---- profiles ------------------------------------------------------------------------------- */

typedef struct ra_stored_flag {
    char rule[RA_PROF_MAX_ID + 1];
    char reason[RA_ONBOARD_REASON_MAX]; /* in the profile's language */
} ra_stored_flag;

/* A profile as stored (ra_profile with copies instead of borrowed pointers). */
typedef struct ra_stored_profile {
    int64_t id;                          /* the store's id: later profiles have higher ids */
    char client[RA_CODE_MAX];
    char questionnaire[RA_PROF_MAX_ID + 1];
    int64_t version;
    double tolerance_score, capacity_score; /* 0..100 */
    int tolerance_level, capacity_level; /* 1..5 */
    int cap;                             /* knock-out cap, 0 none */
    char cap_question[RA_PROF_MAX_ID + 1], cap_option[RA_PROF_MAX_ID + 1]; /* "" if none */
    int level;                           /* 1..5 = C1..C5 */
    char lang[RA_ONBOARD_LANG_MAX];      /* the language of the reasons */
    size_t n_flags;
    ra_stored_flag flags[RA_PROF_MAX_RULES];
    int needs_review;                    /* n_flags > 0 */
    ra_date taken, expires;              /* expires: the first date it is no longer valid */
} ra_stored_profile;

/* Stores an answered questionnaire (the answers document answers/size, as given: JSON, already
 * checked with ra_prof_answers_parse against q) and the profile scored from it (p, from
 * ra_prof_score with q; texts in language lang) for client `client` of actor->firm. The client
 * must exist; q (id and version) must be stored for the firm (ra_store_questionnaire_put).
 * Two audit records: "answers" and "profile". *id (may be NULL): the new profile's id. */
RA_API RA_NODISCARD ra_status ra_store_profile_put(ra_store *s, const ra_store_actor *actor,
                                                   const char *client,
                                                   const ra_prof_questionnaire *q,
                                                   const char *answers, size_t size,
                                                   const ra_profile *p, const char *lang,
                                                   int64_t *id, ra_err *err);
/* The client's newest profile (whether or not expired: see ra_stored_profile_expired).
 * RA_ENOTFOUND "client C1 has no risk profile" if none. */
RA_API RA_NODISCARD ra_status ra_store_profile_current(ra_store *s, const char *firm,
                                                       const char *client,
                                                       ra_stored_profile *out, ra_err *err);
/* Every profile of the client, oldest first (*out: *n entries, ra_store_free; none: *n = 0). */
RA_API RA_NODISCARD ra_status ra_store_profile_history(ra_store *s, const char *firm,
                                                       const char *client,
                                                       ra_stored_profile **out, size_t *n,
                                                       ra_err *err);
/* The answers document stored with profile id (ra_store_free(*answers)). */
RA_API RA_NODISCARD ra_status ra_store_profile_answers(ra_store *s, const char *firm,
                                                       int64_t profile_id, char **answers,
                                                       ra_err *err);
/* 1 if the profile must be renewed on date (date >= expires), else 0. */
RA_API int ra_stored_profile_expired(const ra_stored_profile *p, ra_date date);

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

/* Writes a new version of the account's agent (account of actor->firm, must exist) with name and
 * params, made by actor->user for `reason` (required, non-blank, < RA_AGENT_REASON_MAX bytes). If
 * nothing differs from the current version, nothing is written (*version = the current one).
 * One audit record (entity "agent", entity id "ACCOUNT", before/after the versions). version may
 * be NULL. */
RA_API RA_NODISCARD ra_status ra_store_agent_put(ra_store *s, const ra_store_actor *actor,
                                                 const char *account, const char *name,
                                                 const ra_agent_params *params,
                                                 const char *reason, int64_t *version,
                                                 ra_err *err);
/* A version of the account's agent (0: the current one). RA_ENOTFOUND if none. */
RA_API RA_NODISCARD ra_status ra_store_agent_get(ra_store *s, const char *firm,
                                                 const char *account, int64_t version,
                                                 ra_agent *out, ra_err *err);
/* Every version, oldest first (ra_store_free(*out)). */
RA_API RA_NODISCARD ra_status ra_store_agent_history(ra_store *s, const char *firm,
                                                     const char *account, ra_agent **out,
                                                     size_t *n, ra_err *err);

/* ---- suitability overrides on the account -------------------------------------------------- */

typedef struct ra_stored_override {
    char account[RA_CODE_MAX];
    char product[RA_CODE_MAX];
    int product_level, client_level;
    char justification[RA_SUIT_MAX_JUSTIFICATION + 1];
    char user[RA_CODE_MAX];
    ra_date date;
} ra_stored_override;

/* Records an override decided by ra_suit_check (res->overridden must be 1) on an account of
 * actor->firm; audited (entity "override"). */
RA_API RA_NODISCARD ra_status ra_store_override_put(ra_store *s, const ra_store_actor *actor,
                                                    const char *account, const char *product,
                                                    const ra_suit_result *res, ra_date date,
                                                    ra_err *err);
/* The account's overrides, oldest first (ra_store_free(*out)). */
RA_API RA_NODISCARD ra_status ra_store_override_list(ra_store *s, const char *firm,
                                                     const char *account,
                                                     ra_stored_override **out, size_t *n,
                                                     ra_err *err);

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

/* Parses and checks everything but the answers themselves (those need the questionnaire: give
 * doc->answers to ra_prof_answers_parse, whose paths are the same). RA_EPARSE with the JSON path
 * ("$.client.birth_year", "$.accounts[1].type"); RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_onboard_doc_parse(const char *data, size_t size,
                                                   ra_onboard_doc **out, ra_err *err);
RA_API void ra_onboard_doc_destroy(ra_onboard_doc *doc);

/* What ra_onboard_apply stored. */
typedef struct ra_onboard_result {
    ra_profile profile;            /* scored (pointers borrow from q) */
    int64_t profile_id;
    size_t n_accounts;
    int64_t agent_version[RA_ONBOARD_MAX_ACCOUNTS];
    int client_created;            /* 0 if the client existed (and was updated or unchanged) */
} ra_onboard_result;

/* Onboards one client atomically: the client record, its accounts (opened on `date`, mandates
 * from the agent defaults), the answered questionnaire and the profile (scored with q in
 * language lang_index, taken on `date`), and a first agent version per account named as the
 * document says. ans: doc->answers parsed with q. Runs in a savepoint inside the caller's
 * transaction (so the caller can add the proposed targets and commit once), or in a transaction
 * of its own. On error nothing is written. */
RA_API RA_NODISCARD ra_status ra_onboard_apply(ra_store *s, const ra_store_actor *actor,
                                               const ra_onboard_doc *doc,
                                               const ra_prof_questionnaire *q,
                                               const ra_prof_answers *ans, size_t lang_index,
                                               ra_date date, ra_onboard_result *res,
                                               ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
