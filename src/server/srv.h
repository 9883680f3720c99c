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
    R_QUEUE, R_VALUES, /* the console's reads (srv_routes_console.c) */
    /* srv_routes_resources.c */
    R_KEYS, R_KEY_CREATE, R_KEY_REVOKE, R_ADVISORS, R_ADVISOR, R_HOUSEHOLDS, R_HOUSEHOLD,
    R_ONBOARD, R_PERSONAL, R_ERASE, R_MANDATES, R_FILLS, R_COMMENTS, R_COMMENT, R_AUDIT_RECORDS,
    R_STATEMENT,
    R_PLANS, R_PLAN_CREATE, R_PLAN, /* a client's saved goal plans (srv_routes_plans.c) */
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
    json_t *kept; /* a POST's answer for a retry when not body (NULL: body): without a secret */
} srv_answer;

/* Answers r for c on store s (the worker thread's own) on day `today`: never writes unless
 * the route is a POST. body/len: the request body (POSTs). */
void srv_answer_request(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                        const char *body, size_t len, srv_answer *a);

/* --- shared with the other route files (defined in srv_routes.c) ---------------------------- */

void srv_not_found(srv_answer *a);
void srv_answer_json(srv_answer *a, int status, json_t *body);
/* A store or engine error as a problem (404, 422, 409 or 500; never personal data). */
void srv_answer_err(srv_answer *a, const ra_err *e);
/* The scope of an advisor's key (their code) or a client's key (theirs); NULL otherwise. */
const char *srv_scope_advisor(const srv_caller *c);
const char *srv_scope_client(const srv_caller *c);
json_t *srv_jmoney(ra_minor v, int md);
json_t *srv_jdate(ra_date d);

/* --- the advisor console (srv_console.c, srv_routes_console.c) ------------------------------- */

/* A file of web/, embedded at build time (cmake/embed_console.cmake). */
typedef struct srv_asset {
    const char *path;   /* "/console/app.js" */
    const char *ctype;
    const char *etag;   /* "\"16 hex digits\"" */
    const unsigned char *data;
    size_t len;
} srv_asset;
extern const srv_asset srv_assets[];
extern const size_t srv_assets_n;
/* The console file answered at path ("/" is /console/index.html), NULL none. */
const srv_asset *srv_asset_find(const char *path);
/* The Content-Security-Policy of the console's pages: no inline script, nothing from elsewhere. */
extern const char srv_console_csp[];

/* GET /v1/queue and /v1/accounts/{id}/values (srv_routes_console.c). */
void srv_console_queue(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                       srv_answer *a);
void srv_console_values(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a);

/* --- also shared by the route files (srv_routes.c) ------------------------------------------ */

void srv_answer_problem(srv_answer *a, const srv_problem *p);
/* 1 when the caller may see account id, else 0 after answering (404 or an error). */
int srv_own_account(ra_store *s, const srv_caller *c, const char *id, srv_answer *a);
/* 1 with *p (ra_cycle_proposal_clear) when the caller may see proposal id, else 0 answered. */
int srv_proposal_load(ra_store *s, const srv_caller *c, const char *id, ra_cycle_proposal *p,
                      srv_answer *a);
int srv_firm_digits(ra_store *s, const srv_caller *c, int *md, srv_answer *a);
/* A page of a list: items added in any order with their ids; done: {"items", "next"}, the first
 * r->limit items after r->after in id order (takes the references; frees the pager). */
typedef struct srv_pager srv_pager;
srv_pager *srv_pager_new(const srv_request *r);
void srv_pager_add(srv_pager *p, const char *id, json_t *j);
json_t *srv_pager_done(srv_pager *p);

/* --- srv_parse.c's body helpers, for the bodies of srv_parse_resources.c --------------------- */

/* The body as an object whose members are all in known (NULL last), or NULL with *p. */
json_t *srv_body_object(const char *body, size_t len, const char *const *known, srv_problem *p);
/* A string member into out: 0 absent (a problem when required), 1 taken. */
int srv_take_str(json_t *o, const char *k, char *out, size_t cap, int required, srv_problem *p);
/* An optional date member "YYYY-MM-DD" into *out (left 0 when absent). */
void srv_take_date(json_t *o, const char *k, ra_date *out, srv_problem *p);

/* --- the further resources (srv_parse_resources.c, srv_routes_resources.c) ------------------- */

/* POST /v1/keys: {"role": "advisor", "user": "ADV1", "expires": "2027-01-01"} (user for advisor
 * and client keys, expires optional). */
typedef struct srv_key_request {
    int role; /* ra_api_role */
    char user[RA_CODE_MAX];
    ra_date expires; /* 0: never */
} srv_key_request;
/* POST /v1/proposals/{id}/comments: {"body": "..."} (1 to 255 bytes). */
typedef struct srv_comment_request {
    char body[256];
} srv_comment_request;
/* POST /v1/clients/{id}/erase: {"confirm": "CODE"} (the client's code again). */
typedef struct srv_erase_request {
    char confirm[RA_CODE_MAX];
} srv_erase_request;
/* POST /v1/clients: {"onboarding": {the onboarding document, docs/formats.md}, "date":
 * "2026-12-07", "consents": [{"kind": "terms", "version": "2026-01"}]} (date optional: today;
 * consents: at least one, the disclosures each accepted). *doc: the onboarding member as text
 * (free with free()). */
#define SRV_CONSENTS_MAX 8
typedef struct srv_onboard_request {
    char *doc;
    size_t doc_len;
    ra_date date;
    size_t n_consents;
    struct {
        char kind[RA_CODE_MAX];
        char version[RA_CODE_MAX];
    } consents[SRV_CONSENTS_MAX];
} srv_onboard_request;
int srv_body_key(const char *body, size_t len, srv_key_request *out, srv_problem *p);
int srv_body_comment(const char *body, size_t len, srv_comment_request *out, srv_problem *p);
int srv_body_erase(const char *body, size_t len, srv_erase_request *out, srv_problem *p);
int srv_body_onboard(const char *body, size_t len, srv_onboard_request *out, srv_problem *p);
void srv_onboard_request_free(srv_onboard_request *r);
/* Answers a route of srv_routes_resources.c (as srv_answer_request). */
void srv_answer_resource(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                         const char *body, size_t len, srv_answer *a);

/* Answers R_PLANS, R_PLAN_CREATE and R_PLAN (srv_routes_plans.c, as srv_answer_request). */
void srv_answer_plans(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                      const char *body, size_t len, srv_answer *a);

/* --- a cache of answers (srv_cache.c): one per worker thread, not thread-safe ------------------ */

typedef struct srv_cache srv_cache;
srv_cache *srv_cache_create(size_t slots); /* NULL when out of memory */
void srv_cache_destroy(srv_cache *c);      /* NULL: nothing */
/* A malloc'd copy of the answer stored under key, or NULL. */
char *srv_cache_get(srv_cache *c, const char *key);
/* Stores a copy of body under key (replacing the slot's entry; nothing when out of memory). */
void srv_cache_put(srv_cache *c, const char *key, const char *body);

/* GET /v1/accounts/{id}/statement (srv_routes_statements.c): the statement of r->id for the
 * query's from and to (required), format json|pdf|html (default json) and lang en|zh-CN (default
 * en). On success a->status 200 and the document in *doc (ra_malloc'd: ra_free), *len bytes of
 * media type *ctype; otherwise a holds the problem and *doc is NULL. */
void srv_statement_answer(ra_store *s, const srv_caller *c, const srv_request *r,
                          const char *from, const char *to, const char *format, const char *lang,
                          char **doc, size_t *len, const char **ctype, srv_answer *a);

#endif
