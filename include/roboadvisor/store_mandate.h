/* roboadvisor: the mandate's versions in the store (src/store/store_mandate.c, migration
 * 0007_mandate.sql, docs/methodology.md#the-mandate). Every change of an account's mandate —
 * `mandate set`, an import, onboarding, `agent set`, a model assignment — writes a new version
 * (1, 2, ...) with who, why and when, audited with the images of the versions and the account
 * (entity "mandate"). The current mandate is the latest version. */
#ifndef ROBOADVISOR_STORE_MANDATE_H
#define ROBOADVISOR_STORE_MANDATE_H

#include "book.h"
#include "onboard.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_MANDATE_REASON_MAX RA_AGENT_REASON_MAX /* bytes of a version's reason incl. NUL */
#define RA_SCHEMA_MANDATE 7                         /* the migration that versions the mandate */

typedef struct ra_mandate_version {
    char account[RA_CODE_MAX];
    int64_t version;                   /* 1, 2, ... */
    ra_mandate mandate;
    char agent_name[RA_NAME_MAX];      /* the name the client gave the account's agent ("") */
    ra_date effective;                 /* the day it takes effect; 0: at once */
    char user[RA_CODE_MAX];            /* who wrote it */
    char reason[RA_MANDATE_REASON_MAX];
    int64_t at;                        /* Unix seconds */
} ra_mandate_version;

/* A version of the account's mandate (0: the current one). RA_ENOTFOUND naming the account or
 * the version. */
RA_API RA_NODISCARD ra_status ra_store_mandate_get(ra_store *s, const char *firm,
                                                   const char *account, int64_t version,
                                                   ra_mandate_version *out, ra_err *err);
/* Every version, oldest first (*out ra_malloc'd, free with ra_free). */
RA_API RA_NODISCARD ra_status ra_store_mandate_history(ra_store *s, const char *firm,
                                                       const char *account,
                                                       ra_mandate_version **out, size_t *n,
                                                       ra_err *err);
/* Writes version n+1 of the account's mandate (validated; agent_name NULL keeps the current
 * one) with reason (required, < RA_MANDATE_REASON_MAX bytes) and the day it takes effect (0:
 * at once). Nothing is written when nothing changed: *version is then the current one. */
RA_API RA_NODISCARD ra_status ra_store_mandate_put(ra_store *s, const ra_store_actor *actor,
                                                   const char *account, const ra_mandate *m,
                                                   const char *agent_name, ra_date effective,
                                                   const char *reason, int64_t *version,
                                                   ra_err *err);
/* The first account version of a new account with its agent's name and the reason of its
 * version 1 (onboarding); otherwise as ra_store_account_put. */
RA_API RA_NODISCARD ra_status ra_store_account_put_agent(ra_store *s, const ra_store_actor *actor,
                                                         const ra_account *a,
                                                         const char *agent_name,
                                                         const char *reason, ra_err *err);
/* After the upgrade to schema 7: records in the audit trail the versions 1 that the migration
 * made for actor->firm's accounts (one record, action "migrate", entity "book", id "mandates",
 * with the images of every account's versions). Needs the firm's key. *written = 0 when there
 * was nothing to record. Refused (RA_ECONFLICT) if the trail already holds that record. */
RA_API RA_NODISCARD ra_status ra_store_mandate_attest(ra_store *s, const ra_store_actor *actor,
                                                      int *written, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
