/* roboadvisor server: the HTTP JSON API (docs/api.md, docs/openapi.json). Adapters only: parse,
 * authorise, call the engine and the store, format. Internal to src/server/.
 *
 * srv_parse.c is pure (no socket, no clock, no store): routes, query values, the bodies of the
 * POSTs, cursors and problem details; the fuzz targets fuzz/fuzz_api_*.c call it directly.
 * srv_routes.c answers a parsed request from the store; srv_main.c runs libmicrohttpd. */
#ifndef RA_SRV_H
#define RA_SRV_H

#include <roboadvisor/roboadvisor.h>

#include <jansson.h>
#include <stddef.h>

#define SRV_BODY_MAX ((size_t)64 * 1024) /* bytes of a request body (413 above) */
#define SRV_URL_MAX 1024                 /* bytes of a request path (414 above) */
#define SRV_LIMIT_DEFAULT 50             /* a page's items when the request says none */
#define SRV_LIMIT_MAX 500
#define SRV_FIELDS_MAX 8                 /* invalid fields listed in one problem */
#define SRV_IDEM_KEY_MAX 128             /* bytes of an Idempotency-Key */

/* Roles as bits, for the routes' allowed roles. */
#define SRV_ADMIN (1u << RA_ROLE_ADMIN)
#define SRV_ADVISOR (1u << RA_ROLE_ADVISOR)
#define SRV_CLIENT (1u << RA_ROLE_CLIENT)
#define SRV_AUDITOR (1u << RA_ROLE_AUDITOR)
#define SRV_PUBLIC 0u /* no key needed */

typedef enum srv_route_id {
    R_OPENAPI, R_METRICS, R_HEALTH, R_FIRM, R_CLIENTS, R_CLIENT, R_ACCOUNTS, R_ACCOUNT, R_WITHDRAW,
    R_INSTRUCTIONS, R_PROPOSALS, R_PROPOSAL, R_APPROVE, R_REJECT, R_ORDERS, R_NOTIFICATIONS,
    R_AUDIT, R_MODELS, R_ALERTS, R_SUSPENSIONS, R_REAUTHORISE, R_DEPOSIT, R_LOTS, R_GAINS,
    R_STATEMENT,
    R_COUNT
} srv_route_id;

typedef struct srv_route_def {
    const char *method;   /* "GET" or "POST" */
    const char *pattern;  /* "/v1/accounts/{id}": {id} is one path segment */
    unsigned roles;       /* SRV_* bits allowed; SRV_PUBLIC: no key */
    int list;             /* a paged list: takes limit and cursor */
} srv_route_def;
extern const srv_route_def srv_routes[R_COUNT];

/* RFC 9457 problem details, with the JSON path of each invalid field ("errors"). */
typedef struct srv_problem {
    int status;
    char title[64];
    char detail[256];
    size_t n;
    struct {
        char path[128];   /* "$.amount", "query.limit", "header.Idempotency-Key" */
        char detail[192];
    } fields[SRV_FIELDS_MAX];
} srv_problem;
void srv_problem_set(srv_problem *p, int status, const char *title, const char *fmt, ...)
    RA_PRINTF(4, 5);
/* Adds an invalid field (a 422 "invalid request" unless p already has a status). */
void srv_problem_field(srv_problem *p, const char *path, const char *fmt, ...) RA_PRINTF(3, 4);
/* The problem as its JSON document (a new reference). */
json_t *srv_problem_json(const srv_problem *p);

typedef struct srv_request {
    srv_route_id route;
    char id[RA_CYCLE_ID_MAX];   /* the {id} of the path, "" none */
    size_t limit;               /* lists */
    char after[RA_CYCLE_ID_MAX];/* the cursor's position: items after it; "" from the start */
} srv_request;

/* Matches method and path (without the query) to a route and reads limit and cursor (either may
 * be NULL: absent). Returns 0 with *r, or the HTTP status with *p: 404 no route, 405 the path
 * exists with another method, 414 path too long, 422 a bad limit or cursor (field
 * "query.limit", "query.cursor"). */
int srv_request_parse(const char *method, const char *path, const char *limit, const char *cursor,
                      srv_request *r, srv_problem *p);

/* The opaque cursor of the position after which the next page starts (base64url). out: room for
 * 2 * RA_CYCLE_ID_MAX. */
void srv_cursor_make(const char *after, char *out, size_t cap);

/* POST /v1/proposals/{id}/approve|reject: {"reason": "...", "trades": [1, 3]} (trades optional:
 * all). */
typedef struct srv_decision {
    char reason[RA_CYCLE_REASON_MAX];
    int trades[64];
    size_t n_trades;
} srv_decision;
/* POST /v1/accounts/{id}/withdrawals: {"amount": "2500.00", "due": "2026-12-07", "note": "..."}
 * (amount in the account's currency as a decimal string; due optional: today). */
typedef struct srv_withdrawal {
    char amount[32];
    ra_date due;                /* 0: today */
    char note[RA_INSTRUCTION_NOTE_MAX];
} srv_withdrawal;
/* POST /v1/accounts/{id}/deposits: {"amount": "1000.00", "date": "2026-12-07", "reference":
 * "BANK-123"} (date optional: today; reference: the payment's id at the firm, a code, required:
 * the deposit's transaction id is "api-REFERENCE", so one payment is booked once). */
typedef struct srv_deposit {
    char amount[32];
    ra_date date;               /* 0: today */
    char reference[RA_CODE_MAX];
} srv_deposit;
/* POST /v1/accounts/{id}/reauthorise: {"note": "..."} (required: what the client said). */
typedef struct srv_note {
    char note[RA_RISK_NOTE_MAX];
} srv_note;
/* Body parsers: 0, or 400 (not JSON) / 413 / 422 with every invalid field's JSON path in *p. */
int srv_body_decision(const char *body, size_t len, srv_decision *out, srv_problem *p);
int srv_body_withdrawal(const char *body, size_t len, srv_withdrawal *out, srv_problem *p);
int srv_body_deposit(const char *body, size_t len, srv_deposit *out, srv_problem *p);
int srv_body_note(const char *body, size_t len, srv_note *out, srv_problem *p);

/* "Bearer KEY" -> the key (a pointer into header) and its length; 0 if it is not that form. */
int srv_bearer(const char *header, const char **key, size_t *len);

/* docs/openapi.json, embedded at build time (cmake/embed_openapi.cmake). */
extern const char srv_openapi_json[];
extern const size_t srv_openapi_len;

/* --- the routes (srv_routes.c) ----------------------------------------------------------------- */

/* Who is asking: the verified key. */
typedef struct srv_caller {
    ra_apikey key;
    ra_store_actor actor;       /* firm = the key's, user = the key's user or "key:CODE" */
} srv_caller;

/* The answer: status, a JSON body (a reference the caller takes) and whether it is a problem. */
typedef struct srv_answer {
    int status;
    json_t *body;
    int problem;
} srv_answer;

/* Answers r for c on store s (the worker thread's own) on day `today`: never writes unless
 * the route is a POST. body/len: the request body (POSTs). */
void srv_answer_request(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                        const char *body, size_t len, srv_answer *a);

/* GET /v1/accounts/{id}/statement (srv_routes_statements.c): the statement of r->id for the
 * query's from and to (required), format json|pdf|html (default json) and lang en|zh-CN (default
 * en). On success a->status 200 and the document in *doc (ra_malloc'd: ra_free), *len bytes of
 * media type *ctype; otherwise a holds the problem and *doc is NULL. */
void srv_statement_answer(ra_store *s, const srv_caller *c, const srv_request *r,
                          const char *from, const char *to, const char *format, const char *lang,
                          char **doc, size_t *len, const char **ctype, srv_answer *a);

#endif
