/* roboadvisor: onboarding one client (engine layer): profile, accounts, agents in one
 * transaction. */
#ifndef ROBOADVISOR_ENGINE_ONBOARD_H
#define ROBOADVISOR_ENGINE_ONBOARD_H

#include "onboard.h"
#include "store_models.h"
#include "store_profiles.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stores a questionnaire document of actor->firm after checking it (ra_prof_questionnaire_parse;
 * RA_EPARSE with the JSON path). Its id and version come from the document. The same id and
 * version already stored with the same bytes: nothing changes (*created = 0); with other bytes:
 * RA_ECONFLICT ("questionnaire ra-default version 1 is stored with different content: give the
 * new document a higher version"). created may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_questionnaire_put(ra_store *s, const ra_store_actor *actor,
                                                         const char *doc, size_t size,
                                                         int *created, ra_err *err);
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

/* ---- the whole onboarding of one document, all or nothing ------------------------------------ */

/* The model proposed for one account: the suitable model (ra_models_suitable) of the highest
 * level at or below the client's, assigned to the account, and the account's target. */
typedef struct ra_onboard_proposal {
    int have_model;                /* 0: none stored; note says why */
    char model[RA_CODE_MAX];
    int model_version, model_level;
    char note[160];
    ra_models_target target;       /* when have_model and an account was given */
} ra_onboard_proposal;

/* Picks the model for a client of `level` and, when account is not NULL, assigns it to the
 * account (audited) and computes its target with cash_reserve. No suitable model is not an
 * error: p->have_model = 0 and p->note says so. */
RA_API RA_NODISCARD ra_status ra_onboard_propose(ra_store *s, const ra_store_actor *actor,
                                                 const char *account, int level,
                                                 double cash_reserve, ra_onboard_proposal *p,
                                                 ra_err *err);

typedef struct ra_onboard_request {
    const ra_onboard_doc *doc;       /* parsed onboarding document (borrowed) */
    /* The questionnaire: a document given with the request (stored if new, in the same
     * transaction; its id and version must be the answers'), named `questionnaire_source` in
     * messages; or NULL: the stored doc->questionnaire, version doc->version. */
    const char *questionnaire;
    size_t questionnaire_size;
    const char *questionnaire_source;
    const char *lang;                /* NULL or "": doc->lang, else the questionnaire's first */
    ra_date date;                    /* the profile's date and the accounts' opening date */
    int propose;                     /* 1: ra_onboard_propose for every account */
} ra_onboard_request;

typedef struct ra_onboard_outcome {
    ra_onboard_result result;
    ra_prof_questionnaire *questionnaire; /* the one used (result.profile borrows from it) */
    size_t lang_index;
    ra_onboard_proposal proposal[RA_ONBOARD_MAX_ACCOUNTS]; /* result.n_accounts, with propose */
} ra_onboard_outcome;

/* Onboards one document in one write scope of the store (a transaction of its own, or a
 * savepoint in the caller's): the questionnaire (when given), the client, accounts, agents,
 * the answered questionnaire and profile (ra_onboard_apply), and the proposals. Any failure
 * -- a questionnaire version not stored or not the answers', an answer the questionnaire does not
 * have, a language it does not have (RA_ENOTFOUND, where "lang"), an account of another client,
 * a proposal that cannot be made -- leaves nothing written, audit trail included (issue 10).
 * JSON errors of the questionnaire have where "SOURCE: $.path". On success free out with
 * ra_onboard_outcome_free; on error out holds nothing to free. */
RA_API RA_NODISCARD ra_status ra_onboard_document(ra_store *s, const ra_store_actor *actor,
                                                  const ra_onboard_request *rq,
                                                  ra_onboard_outcome *out, ra_err *err);
RA_API void ra_onboard_outcome_free(ra_onboard_outcome *o);

#ifdef __cplusplus
}
#endif
#endif
