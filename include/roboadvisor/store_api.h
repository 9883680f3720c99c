/* roboadvisor: what the HTTP API keeps in the book (src/store/store_api.c; schema
 * src/store/migrations/0019_api.sql; docs/api.md): API keys, idempotency records, and the
 * scoped, paged lists of clients and accounts the server answers from.
 *
 * A key is "ra_" + code (16 hex digits, public) + "_" + secret (64 hex digits, 256 random bits).
 * The store keeps the code, and the keyed BLAKE2b-256 of the secret under a random 16-byte salt of
 * the key's own: never the secret (store_api.c says why not a slow password hash). */
#ifndef ROBOADVISOR_STORE_API_H
#define ROBOADVISOR_STORE_API_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_SCHEMA_API 19          /* the migration that adds them */
#define RA_APIKEY_CODE_LEN 16     /* hex digits of a key's public code */
#define RA_APIKEY_TEXT_MAX 128    /* a whole key as text, bytes incl. NUL */

typedef enum ra_api_role {
    RA_ROLE_ADMIN = 0, RA_ROLE_ADVISOR, RA_ROLE_CLIENT, RA_ROLE_AUDITOR, RA_ROLE_COUNT
} ra_api_role;
/* "admin", "advisor", "client", "auditor"; parse: RA_EINVAL naming the word otherwise. */
RA_API const char *ra_api_role_name(ra_api_role r);
RA_API RA_NODISCARD ra_status ra_api_role_parse(const char *s, ra_api_role *out, ra_err *err);

typedef struct ra_apikey {
    int64_t id;                      /* the store's row id */
    char code[RA_CODE_MAX];          /* public half */
    char firm[RA_CODE_MAX];
    ra_api_role role;
    char user[RA_CODE_MAX];          /* advisor or client code acted for; "" admin, auditor */
    char created_by[RA_CODE_MAX];
    int64_t created_at, expires_at;  /* Unix seconds; expires_at 0: never */
    int64_t revoked_at;              /* 0: not revoked */
} ra_apikey;

/* Creates a key for actor->firm: role, user (required for advisor and client: the advisor or
 * client must exist, RA_ENOTFOUND otherwise; must be "" for admin and auditor), expires_at (0
 * never, else after the store's clock). key_out receives the whole key (the only time it exists);
 * out (may be NULL) the row. Audited (entity "api_key", action "create"). */
RA_API RA_NODISCARD ra_status ra_store_apikey_create(ra_store *s, const ra_store_actor *actor,
                                                     ra_api_role role, const char *user,
                                                     int64_t expires_at,
                                                     char key_out[RA_APIKEY_TEXT_MAX],
                                                     ra_apikey *out, ra_err *err);
/* The firm's keys by code (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_apikey_list(ra_store *s, const char *firm,
                                                   ra_apikey **out, size_t *n, ra_err *err);
/* Revokes key `code` of actor->firm (audited, action "revoke"). RA_ENOTFOUND for none,
 * RA_ECONFLICT when it is revoked already. */
RA_API RA_NODISCARD ra_status ra_store_apikey_revoke(ra_store *s, const ra_store_actor *actor,
                                                     const char *code, ra_err *err);
/* The key a request presents: RA_OK with *out when it is well formed, known, its secret hashes to
 * the stored hash (compared in constant time), not revoked and not expired at `now`; else
 * RA_ENOTFOUND (malformed, unknown or wrong secret) or RA_ECONFLICT ("revoked", "expired"). The
 * message never quotes the key. Reads only: needs no firm key. */
RA_API RA_NODISCARD ra_status ra_store_apikey_verify(ra_store *s, const char *key, size_t len,
                                                     int64_t now, ra_apikey *out, ra_err *err);

/* --- idempotency ----------------------------------------------------------------------------- */

/* The stored response of (key_id, idem_key): RA_OK with *status, *body (ra_free) and *same (the
 * request hash matches) when there is one; RA_ENOTFOUND otherwise. */
RA_API RA_NODISCARD ra_status ra_store_idem_get(ra_store *s, int64_t key_id, const char *idem_key,
                                                const char *request_hash, int *status,
                                                char **body, int *same, ra_err *err);
/* Stores the response: call inside the transaction that did the work. A record already there is
 * RA_ECONFLICT (a concurrent retry won: roll back and read its response). */
RA_API RA_NODISCARD ra_status ra_store_idem_put(ra_store *s, int64_t key_id, const char *idem_key,
                                                const char *request_hash, int status,
                                                const char *body, ra_err *err);

/* --- scoped pages ---------------------------------------------------------------------------- */

/* An account or client with what scoping needs: no personal data. */
typedef struct ra_api_ref {
    char code[RA_CODE_MAX];          /* account or client code */
    char client[RA_CODE_MAX];        /* the owner (for a client: its own code) */
    char advisor[RA_CODE_MAX];       /* the client's advisor, "" none */
    char household[RA_CODE_MAX];
} ra_api_ref;
/* Up to limit accounts (clients: ra_store_api_clients) of the firm with code > after ("" from the
 * start), in code order, restricted to the advisor's clients (advisor not NULL) and/or one
 * client (client not NULL). *out has *n entries (ra_store_free). code not NULL: only that one. */
RA_API RA_NODISCARD ra_status ra_store_api_accounts(ra_store *s, const char *firm,
                                                    const char *advisor, const char *client,
                                                    const char *code, const char *after,
                                                    size_t limit, ra_api_ref **out, size_t *n,
                                                    ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_api_clients(ra_store *s, const char *firm,
                                                   const char *advisor, const char *client,
                                                   const char *code, const char *after,
                                                   size_t limit, ra_api_ref **out, size_t *n,
                                                   ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
