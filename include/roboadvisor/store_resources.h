/* roboadvisor: the store's side of the API's further resources (issue 15; docs/api.md):
 * advisors in scope, comments on proposals (encrypted under the client's data key), an order's
 * fills, the firm's audit records page by page. Store layer. */
#ifndef ROBOADVISOR_STORE_RESOURCES_H
#define ROBOADVISOR_STORE_RESOURCES_H

#include "store.h"
#include "store_api.h"
#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_COMMENT_MAX 256 /* bytes of a comment with its NUL (it is personal data: RA_PII_MAX) */

/* The firm's advisors in code order after `after`, at most limit; code not NULL: only that one.
 * Each ref's code and advisor are the advisor's code. *out: ra_store_free. */
RA_API RA_NODISCARD ra_status ra_store_api_advisors(ra_store *s, const char *firm,
                                                    const char *code, const char *after,
                                                    size_t limit, ra_api_ref **out, size_t *n,
                                                    ra_err *err);

typedef struct ra_comment {
    int n;                           /* 1, 2, ... per proposal */
    char author[RA_CODE_MAX];        /* the actor's user */
    char body[RA_COMMENT_MAX];       /* "" when erased */
    int64_t at;                      /* Unix seconds */
    int erased;                      /* the client was erased: the body is gone */
} ra_comment;

/* Adds comment body (1 to RA_COMMENT_MAX - 1 bytes, RA_EINVAL otherwise) to proposal `proposal`
 * of actor->firm, encrypted under the data key of the account's client, audited (entity
 * "proposal_comment", by proposal; the record holds only the ciphertext). RA_ENOTFOUND for no
 * such proposal, RA_ECONFLICT when the client was erased. *out: the comment as stored. */
RA_API RA_NODISCARD ra_status ra_store_comment_add(ra_store *s, const ra_store_actor *actor,
                                                   const char *proposal, const char *body,
                                                   ra_comment *out, ra_err *err);
/* The proposal's comments, oldest first (*out: ra_store_free; wipe it, it holds personal data). */
RA_API RA_NODISCARD ra_status ra_store_comments_list(ra_store *s, const char *firm,
                                                     const char *proposal, ra_comment **out,
                                                     size_t *n, ra_err *err);

typedef struct ra_fill_rec {
    char id[RA_STORE_EXTID_MAX];     /* the fill's transaction id */
    ra_date date;
    ra_micro qty_micro;              /* shares filled (positive) */
    ra_price price;
    ra_minor amount_minor, fees_minor;
} ra_fill_rec;
/* The fills booked for order o of the firm (its account's transactions of the order), in id
 * order. *out: ra_store_free. */
RA_API RA_NODISCARD ra_status ra_store_order_fills(ra_store *s, const char *firm,
                                                   const ra_cycle_order *o, ra_fill_rec **out,
                                                   size_t *n, ra_err *err);

typedef struct ra_audit_rec {
    int64_t seq, at;
    char user[RA_CODE_MAX];
    char action[RA_CODE_MAX];
    char entity[RA_CODE_MAX];
    char entity_id[RA_CYCLE_ID_MAX];
    char hash[65];
} ra_audit_rec;
/* The firm's audit records with seq > after in seq order, at most limit (their before and after
 * images are not read). *out: ra_store_free. */
RA_API RA_NODISCARD ra_status ra_store_audit_records(ra_store *s, const char *firm, int64_t after,
                                                     size_t limit, ra_audit_rec **out, size_t *n,
                                                     ra_err *err);

typedef struct ra_consent {
    int n;
    char kind[RA_CODE_MAX];          /* "terms", "privacy", ... */
    char version[RA_CODE_MAX];       /* the version of the disclosure accepted */
    ra_date accepted_on;
    char user[RA_CODE_MAX];          /* who recorded it */
} ra_consent;
/* Records that client `client` of actor->firm accepted version `version` of disclosure `kind`
 * (codes) on `on`, audited (entity "consent", by client). */
RA_API RA_NODISCARD ra_status ra_store_consent_add(ra_store *s, const ra_store_actor *actor,
                                                   const char *client, const char *kind,
                                                   const char *version, ra_date on,
                                                   ra_err *err);
/* The client's consents, oldest first (*out: ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_consents_list(ra_store *s, const char *firm,
                                                     const char *client, ra_consent **out,
                                                     size_t *n, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
