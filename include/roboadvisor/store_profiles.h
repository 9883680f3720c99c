/* roboadvisor: client onboarding in the store. Stored questionnaires, answered questionnaires and profiles
 * (audited), each account's own agent with versioned parameters (audited), advisors' suitability
 * overrides shown on the account, and the onboarding document of `roboadvisor onboard`
 * (docs/formats.md#onboarding-document, docs/cli.md#onboard).
 *
 * Store functions follow store.h: they take an actor for the audit trail, are atomic on their own
 * (a transaction, or a savepoint inside the caller's ra_store_begin), write nothing on error, and
 * append one audit record per row written (entities "questionnaire", "answers", "profile",
 * "agent", "override"). Questionnaire answers are not personal data (no names, contacts or ids:
 * docs/methodology.md#onboarding-and-agents) and are stored in clear. */
#ifndef ROBOADVISOR_STORE_PROFILES_H
#define ROBOADVISOR_STORE_PROFILES_H

#include "onboard.h"
#include "prof.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- questionnaires ------------------------------------------------------------------------- */

/* Stores questionnaire document doc (size bytes, checked by the caller: engine_onboard.h's
 * ra_store_questionnaire_put parses it first) as id and version for actor->firm. The same id and
 * version already stored with the same bytes: nothing changes (*created = 0); with other bytes:
 * RA_ECONFLICT ("questionnaire ra-default version 1 is stored with different content: give the
 * new document a higher version"). A NUL byte in doc is RA_EPARSE. created may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_questionnaire_save(ra_store *s, const ra_store_actor *actor,
                                                          const char *id, int64_t version,
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

/* Writes a new version of the account's agent (account of actor->firm, must exist) with name and
 * params, made by actor->user for `reason` (required, non-blank, < RA_AGENT_REASON_MAX bytes). If
 * nothing differs from the current version, nothing is written (*version = the current one).
 * One audit record (entity "agent", entity id "ACCOUNT", before/after the versions). version may
 * be NULL. From schema 7 (store_mandate.h) the agent is part of the account's mandate: this
 * writes a mandate version (audit entity "mandate") with the parameters and name, and
 * ra_store_agent_get/_history read the mandate's versions that have an agent (risk level set);
 * the agent's version is the mandate's. */
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

/* One advisor's override of a suitability refusal: of a model (`models assign --override`) or of a
 * security; the one record of every override, listed by `agent show`. */
typedef struct ra_stored_override {
    char account[RA_CODE_MAX];
    char kind[16];                       /* "model" or "security" */
    char product[RA_CODE_MAX];
    int product_level, client_level;
    char justification[RA_SUIT_MAX_JUSTIFICATION + 1];
    char user[RA_CODE_MAX];
    ra_date date;
} ra_stored_override;

/* Records an override decided by ra_suit_check or ra_suit_assign_check (res->overridden must be
 * 1) of a product of kind "model" or "security" on an account of actor->firm; audited (entity
 * "override"). *id (may be NULL): the new record's id. */
RA_API RA_NODISCARD ra_status ra_store_override_put(ra_store *s, const ra_store_actor *actor,
                                                    const char *account, const char *kind,
                                                    const char *product,
                                                    const ra_suit_result *res, ra_date date,
                                                    int64_t *id, ra_err *err);
/* The account's overrides of every kind, oldest first (ra_store_free(*out)). */
RA_API RA_NODISCARD ra_status ra_store_override_list(ra_store *s, const char *firm,
                                                     const char *account,
                                                     ra_stored_override **out, size_t *n,
                                                     ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
