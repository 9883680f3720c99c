/* roboadvisor server: the pure half of the API (srv.h): routes, query values, cursors, the POST
 * bodies and problem details. No socket, no clock, no store: the fuzz targets call it. */
#include "server/srv.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const srv_route_def srv_routes[R_COUNT] = {
    [R_OPENAPI] = {"GET", "/v1/openapi.json", SRV_PUBLIC, 0},
    [R_METRICS] = {"GET", "/metrics", SRV_PUBLIC, 0},
    [R_HEALTH] = {"GET", "/v1/health", SRV_PUBLIC, 0},
    [R_FIRM] = {"GET", "/v1/firm", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT | SRV_AUDITOR, 0},
    [R_CLIENTS] = {"GET", "/v1/clients", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_CLIENT] = {"GET", "/v1/clients/{id}", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_ACCOUNTS] = {"GET", "/v1/accounts", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_ACCOUNT] = {"GET", "/v1/accounts/{id}", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_WITHDRAW] = {"POST", "/v1/accounts/{id}/withdrawals", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_INSTRUCTIONS] = {"GET", "/v1/accounts/{id}/instructions",
                        SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_PROPOSALS] = {"GET", "/v1/proposals", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_PROPOSAL] = {"GET", "/v1/proposals/{id}", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_APPROVE] = {"POST", "/v1/proposals/{id}/approve", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_REJECT] = {"POST", "/v1/proposals/{id}/reject", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_ORDERS] = {"GET", "/v1/orders", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_NOTIFICATIONS] = {"GET", "/v1/notifications", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_AUDIT] = {"GET", "/v1/audit", SRV_ADMIN | SRV_AUDITOR, 0},
    [R_MODELS] = {"GET", "/v1/models", SRV_ADMIN | SRV_ADVISOR, 1},
    [R_ALERTS] = {"GET", "/v1/alerts", SRV_ADMIN | SRV_ADVISOR, 1},
    [R_SUSPENSIONS] = {"GET", "/v1/suspensions", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_REAUTHORISE] = {"POST", "/v1/accounts/{id}/reauthorise", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_DEPOSIT] = {"POST", "/v1/accounts/{id}/deposits", SRV_ADMIN, 0},
    [R_LOTS] = {"GET", "/v1/accounts/{id}/lots", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_GAINS] = {"GET", "/v1/accounts/{id}/gains", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_QUEUE] = {"GET", "/v1/queue", SRV_ADMIN | SRV_ADVISOR, 1},
    [R_VALUES] = {"GET", "/v1/accounts/{id}/values", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    /* srv_routes_resources.c */
    [R_KEYS] = {"GET", "/v1/keys", SRV_ADMIN, 1},
    [R_KEY_CREATE] = {"POST", "/v1/keys", SRV_ADMIN, 0},
    [R_KEY_REVOKE] = {"POST", "/v1/keys/{id}/revoke", SRV_ADMIN, 0},
    [R_ADVISORS] = {"GET", "/v1/advisors", SRV_ADMIN | SRV_ADVISOR, 1},
    [R_ADVISOR] = {"GET", "/v1/advisors/{id}", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_HOUSEHOLDS] = {"GET", "/v1/households", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_HOUSEHOLD] = {"GET", "/v1/households/{id}", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_ONBOARD] = {"POST", "/v1/clients", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_PERSONAL] = {"GET", "/v1/clients/{id}/personal", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    [R_ERASE] = {"POST", "/v1/clients/{id}/erase", SRV_ADMIN, 0},
    [R_MANDATES] = {"GET", "/v1/accounts/{id}/mandates", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_FILLS] = {"GET", "/v1/orders/{id}/fills", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_COMMENTS] = {"GET", "/v1/proposals/{id}/comments", SRV_ADMIN | SRV_ADVISOR, 1},
    [R_COMMENT] = {"POST", "/v1/proposals/{id}/comments", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_AUDIT_RECORDS] = {"GET", "/v1/audit/records", SRV_ADMIN | SRV_AUDITOR, 1},
    [R_STATEMENT] = {"GET", "/v1/accounts/{id}/statement", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
    /* srv_routes_plans.c */
    [R_PLANS] = {"GET", "/v1/clients/{id}/plans", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 1},
    [R_PLAN_CREATE] = {"POST", "/v1/clients/{id}/plans", SRV_ADMIN | SRV_ADVISOR, 0},
    [R_PLAN] = {"GET", "/v1/plans/{id}", SRV_ADMIN | SRV_ADVISOR | SRV_CLIENT, 0},
};

void srv_problem_set(srv_problem *p, int status, const char *title, const char *fmt, ...)
{
    p->status = status;
    snprintf(p->title, sizeof p->title, "%s", title);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof p->detail, fmt, ap);
    va_end(ap);
}

void srv_problem_field(srv_problem *p, const char *path, const char *fmt, ...)
{
    if (!p->status)
        srv_problem_set(p, 422, "invalid request", "the request has invalid fields");
    if (p->n >= SRV_FIELDS_MAX)
        return;
    snprintf(p->fields[p->n].path, sizeof p->fields[p->n].path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->fields[p->n].detail, sizeof p->fields[p->n].detail, fmt, ap);
    va_end(ap);
    p->n++;
}

json_t *srv_problem_json(const srv_problem *p)
{
    char type[96];
    snprintf(type, sizeof type, "https://roboadvisor.dev/problems/%d", p->status);
    json_t *j = json_pack("{s:s,s:s,s:i,s:s}", "type", type, "title", p->title, "status",
                          p->status, "detail", p->detail);
    if (j && p->n) {
        json_t *arr = json_array();
        for (size_t i = 0; i < p->n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s}", "path", p->fields[i].path,
                                                 "detail", p->fields[i].detail));
        json_object_set_new(j, "errors", arr);
    }
    return j;
}

/* A path segment may hold what codes and ids hold: letters, digits, - _ . */
static int segment_ok(const char *s, size_t n)
{
    if (n == 0 || n >= RA_CYCLE_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* path against pattern: 1 on a match, with the {id} segment copied to id. */
static int match(const char *pattern, const char *path, char *id)
{
    id[0] = 0;
    while (*pattern && *path) {
        if (strncmp(pattern, "{id}", 4) == 0) {
            size_t n = strcspn(path, "/");
            if (!segment_ok(path, n))
                return 0;
            memcpy(id, path, n);
            id[n] = 0;
            pattern += 4;
            path += n;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *pattern == 0 && *path == 0;
}

static int parse_limit(const char *s, size_t *out)
{
    size_t v = 0, n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 4)
            return -1;
        v = v * 10 + (size_t)(s[n] - '0');
    }
    if (n == 0 || v < 1 || v > SRV_LIMIT_MAX)
        return -1;
    *out = v;
    return 0;
}

void srv_cursor_make(const char *after, char *out, size_t cap)
{
    char plain[RA_CYCLE_ID_MAX + 4];
    int n = snprintf(plain, sizeof plain, "c1:%s", after);
    if (cap < sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
        out[0] = 0;
        return;
    }
    sodium_bin2base64(out, cap, (const unsigned char *)plain, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int cursor_read(const char *s, char *after)
{
    unsigned char plain[RA_CYCLE_ID_MAX + 4];
    size_t n = 0;
    if (strlen(s) > 2 * RA_CYCLE_ID_MAX ||
        sodium_base642bin(plain, sizeof plain - 1, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 4 || memcmp(plain, "c1:", 3) != 0 || !segment_ok((const char *)plain + 3, n - 3))
        return -1;
    memcpy(after, plain + 3, n - 3);
    after[n - 3] = 0;
    return 0;
}

int srv_request_parse(const char *method, const char *path, const char *limit, const char *cursor,
                      srv_request *r, srv_problem *p)
{
    memset(r, 0, sizeof *r);
    memset(p, 0, sizeof *p);
    if (strlen(path) > SRV_URL_MAX) {
        srv_problem_set(p, 414, "path too long", "the path is over %d bytes", (int)SRV_URL_MAX);
        return p->status;
    }
    int other_method = 0;
    char id[RA_CYCLE_ID_MAX];
    for (int i = 0; i < R_COUNT; i++) {
        if (!match(srv_routes[i].pattern, path, id))
            continue;
        if (strcmp(srv_routes[i].method, method) != 0) {
            other_method = 1;
            continue;
        }
        r->route = (srv_route_id)i;
        memcpy(r->id, id, sizeof id);
        r->limit = SRV_LIMIT_DEFAULT;
        if (srv_routes[i].list) {
            if (limit && parse_limit(limit, &r->limit) != 0)
                srv_problem_field(p, "query.limit", "must be a whole number from 1 to %d",
                                  SRV_LIMIT_MAX);
            if (cursor && cursor_read(cursor, r->after) != 0)
                srv_problem_field(p, "query.cursor", "is not a cursor this API gave");
        }
        return p->status;
    }
    if (other_method)
        srv_problem_set(p, 405, "method not allowed", "the path does not take %s",
                        strlen(method) < 16 ? method : "this method");
    else
        srv_problem_set(p, 404, "not found", "no such resource");
    return p->status;
}

static void unknown_members(json_t *o, const char *const *known, srv_problem *p)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok) {
            char path[80];
            /* the member's name is the client's text: keep it short and printable */
            int printable = strlen(k) < 40;
            for (const char *c = k; *c && printable; c++)
                printable = *c > 32 && *c < 127;
            snprintf(path, sizeof path, "$.%s", printable ? k : "?");
            srv_problem_field(p, path, "is not a member of this request");
        }
    }
}

/* The body as a JSON object, or NULL with the problem (400 not JSON, 413 too big, 422 not an
 * object); p is reset first, and a member not in known (NULL last) is an invalid field. */
static json_t *body_object(const char *body, size_t len, const char *const *known,
                           srv_problem *p)
{
    memset(p, 0, sizeof *p);
    if (len > SRV_BODY_MAX) {
        srv_problem_set(p, 413, "body too large", "the body is over %zu bytes", SRV_BODY_MAX);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        srv_problem_set(p, 400, "malformed body", "the body is not JSON (line %d, column %d)",
                        je.line, je.column);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        srv_problem_field(p, "$", "must be an object");
        return NULL;
    }
    unknown_members(j, known, p);
    return j;
}

/* A string member into out (cap bytes): 0 absent (and not required), 1 taken; a problem
 * otherwise. */
static int take_str(json_t *o, const char *k, char *out, size_t cap, int required,
                    srv_problem *p)
{
    char path[80];
    snprintf(path, sizeof path, "$.%s", k);
    json_t *v = json_object_get(o, k);
    if (!v) {
        if (required)
            srv_problem_field(p, path, "is required");
        return 0;
    }
    if (!json_is_string(v)) {
        srv_problem_field(p, path, "must be a string");
        return 0;
    }
    size_t n = json_string_length(v);
    if (n >= cap || memchr(json_string_value(v), 0, n)) {
        srv_problem_field(p, path, "must be at most %zu bytes of text", cap - 1);
        return 0;
    }
    memcpy(out, json_string_value(v), n + 1);
    return 1;
}

int srv_body_decision(const char *body, size_t len, srv_decision *out, srv_problem *p)
{
    memset(out, 0, sizeof *out);
    static const char *const known[] = {"reason", "trades", NULL};
    json_t *o = body_object(body, len, known, p);
    if (!o)
        return p->status;
    if (take_str(o, "reason", out->reason, sizeof out->reason, 1, p) && !out->reason[0])
        srv_problem_field(p, "$.reason", "must not be empty");
    json_t *t = json_object_get(o, "trades");
    if (t && !json_is_array(t))
        srv_problem_field(p, "$.trades", "must be an array of trade numbers");
    else if (t) {
        size_t i;
        json_t *v;
        if (json_array_size(t) > sizeof out->trades / sizeof out->trades[0])
            srv_problem_field(p, "$.trades", "lists more than %zu trades",
                              sizeof out->trades / sizeof out->trades[0]);
        else
            json_array_foreach(t, i, v) {
                if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                    json_integer_value(v) > 100000) {
                    char path[48];
                    snprintf(path, sizeof path, "$.trades[%zu]", i);
                    srv_problem_field(p, path, "must be a trade number from 1");
                } else
                    out->trades[out->n_trades++] = (int)json_integer_value(v);
            }
    }
    json_decref(o);
    return p->status;
}

/* "amount": a decimal string above 0 with at most 6 decimals; the shape only here: the
 * account's currency decides the decimals (srv_routes.c). */
static void take_amount(json_t *o, char *amount, size_t cap, srv_problem *p)
{
    if (take_str(o, "amount", amount, cap, 1, p)) {
        const char *c = amount;
        size_t whole = strspn(c, "0123456789"), frac = 0;
        if (c[whole] == '.')
            frac = strspn(c + whole + 1, "0123456789");
        int nonzero = strcspn(c, "123456789") < strlen(c);
        if (whole == 0 || whole > 15 || c[whole + (c[whole] == '.' ? 1 + frac : 0)] != 0 ||
            (c[whole] == '.' && frac == 0) || frac > 6 || !nonzero)
            srv_problem_field(p, "$.amount", "must be a decimal amount above 0, e.g. \"2500.00\"");
    }
}

/* An optional date member "YYYY-MM-DD" into *out (left 0 when absent). */
static void take_date(json_t *o, const char *k, ra_date *out, srv_problem *p)
{
    char text[16], path[80];
    if (take_str(o, k, text, sizeof text, 0, p) &&
        ra_date_parse(text, strlen(text), out, NULL) != RA_OK) {
        snprintf(path, sizeof path, "$.%s", k);
        srv_problem_field(p, path, "must be a date YYYY-MM-DD");
    }
}

int srv_body_withdrawal(const char *body, size_t len, srv_withdrawal *out, srv_problem *p)
{
    memset(out, 0, sizeof *out);
    static const char *const known[] = {"amount", "due", "note", NULL};
    json_t *o = body_object(body, len, known, p);
    if (!o)
        return p->status;
    take_amount(o, out->amount, sizeof out->amount, p);
    take_date(o, "due", &out->due, p);
    (void)take_str(o, "note", out->note, sizeof out->note, 0, p);
    json_decref(o);
    return p->status;
}

int srv_body_deposit(const char *body, size_t len, srv_deposit *out, srv_problem *p)
{
    memset(out, 0, sizeof *out);
    static const char *const known[] = {"amount", "date", "reference", NULL};
    json_t *o = body_object(body, len, known, p);
    if (!o)
        return p->status;
    take_amount(o, out->amount, sizeof out->amount, p);
    take_date(o, "date", &out->date, p);
    if (take_str(o, "reference", out->reference, sizeof out->reference - 4, 1, p) &&
        !segment_ok(out->reference, strlen(out->reference)))
        srv_problem_field(p, "$.reference", "must be 1 to %d letters, digits, '-', '_' or '.'",
                          RA_CODE_MAX - 5);
    json_decref(o);
    return p->status;
}

int srv_body_note(const char *body, size_t len, srv_note *out, srv_problem *p)
{
    memset(out, 0, sizeof *out);
    static const char *const known[] = {"note", NULL};
    json_t *o = body_object(body, len, known, p);
    if (!o)
        return p->status;
    if (take_str(o, "note", out->note, sizeof out->note, 1, p) && !out->note[0])
        srv_problem_field(p, "$.note", "must not be empty");
    json_decref(o);
    return p->status;
}

int srv_bearer(const char *header, const char **key, size_t *len)
{
    if (!header || strncmp(header, "Bearer ", 7) != 0)
        return 0;
    const char *k = header + 7;
    while (*k == ' ')
        k++;
    size_t n = strlen(k);
    while (n && k[n - 1] == ' ')
        n--;
    if (n == 0 || n >= RA_APIKEY_TEXT_MAX)
        return 0;
    *key = k;
    *len = n;
    return 1;
}

/* For srv_parse_resources.c (srv.h). */
json_t *srv_body_object(const char *body, size_t len, const char *const *known, srv_problem *p)
{
    return body_object(body, len, known, p);
}

int srv_take_str(json_t *o, const char *k, char *out, size_t cap, int required, srv_problem *p)
{
    return take_str(o, k, out, cap, required, p);
}

void srv_take_date(json_t *o, const char *k, ra_date *out, srv_problem *p)
{
    take_date(o, k, out, p);
}
