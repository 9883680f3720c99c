/* roboadvisor: onboarding one client (engine layer): profile, accounts, agents in one
 * transaction. */
#ifndef ROBOADVISOR_ENGINE_ONBOARD_H
#define ROBOADVISOR_ENGINE_ONBOARD_H

#include "onboard.h"
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

#ifdef __cplusplus
}
#endif
#endif
