/* roboadvisor: onboarding one client (engine layer): profile, accounts, agents in one
 * transaction. */
#ifndef ROBOADVISOR_ENGINE_ONBOARD_H
#define ROBOADVISOR_ENGINE_ONBOARD_H

#include "onboard.h"
#include "store_models.h"
#include "engine_models.h"
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

/* What re-onboarding did to an account's agent parameters (docs/methodology.md#onboarding-and-agents). */
typedef struct ra_onboard_agent_note {
    int had_agent;                     /* 0: a first agent with the defaults */
    ra_agent_params params;            /* the parameters the agent has now */
    ra_agent_keep keep;                /* per parameter: kept or reset, and why */
} ra_onboard_agent_note;

/* The parameters an account's agent should have after (re-)onboarding at client level `level`:
 * the current agent's (if any) where still suitable, the defaults elsewhere (ra_agent_params_keep).
 * Reads only. */
RA_API RA_NODISCARD ra_status ra_onboard_agent_params(ra_store *s, const char *firm,
                                                      const char *account, int level,
                                                      ra_onboard_agent_note *note, ra_err *err);

/* Onboards one client (ra_onboard_apply, which keeps the suitable agent parameters of accounts
 * onboarded before) and proposes each account's model (ra_models_propose, with the account's
 * cash reserve), in one write scope: all or nothing. res, props and notes: doc->n_accounts
 * entries for props and notes (notes may be NULL). */
RA_API RA_NODISCARD ra_status ra_onboard_with_proposal(ra_store *s, const ra_store_actor *actor,
                                                       const ra_onboard_doc *doc,
                                                       const ra_prof_questionnaire *q,
                                                       const ra_prof_answers *ans,
                                                       size_t lang_index, ra_date date,
                                                       ra_onboard_result *res,
                                                       ra_models_proposal *props,
                                                       ra_onboard_agent_note *notes, ra_err *err);

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
    int propose;                     /* 1: ra_models_propose for every account */
} ra_onboard_request;

typedef struct ra_onboard_outcome {
    ra_onboard_result result;
    ra_prof_questionnaire *questionnaire; /* the one used (result.profile borrows from it) */
    size_t lang_index;
    ra_models_proposal proposal[RA_ONBOARD_MAX_ACCOUNTS]; /* result.n_accounts, with propose */
    ra_onboard_agent_note agent[RA_ONBOARD_MAX_ACCOUNTS]; /* per account: parameters kept or reset */
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

/* --- onboarding from generated answers (src/engine/onboard_generate.c) ------------------------- */

typedef struct ra_onboard_generated {
    size_t clients, needs_review;
    size_t per_level[RA_PROF_LEVELS + 1];      /* clients per level, [1..5] */
    ra_models_proposal model[RA_PROF_LEVELS + 1]; /* the model proposed per level (no target) */
} ra_onboard_generated;

/* Onboards n clients from seeded generated answers (docs/methodology.md, "Generated answers"):
 * the firm's own clients first (in the order of their first account), then new clients G000001...
 * with one account each; each client's answers come from its own stream ra_rng_stream(seed, i).
 * One transaction: all or nothing. */
RA_API RA_NODISCARD ra_status ra_onboard_generate(ra_store *s, const ra_store_actor *actor,
                                                  const ra_prof_questionnaire *q,
                                                  size_t lang_index, size_t n, uint64_t seed,
                                                  ra_date date, ra_onboard_generated *out,
                                                  ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
