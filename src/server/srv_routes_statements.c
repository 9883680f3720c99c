/* GET /v1/accounts/{id}/statement?from=D1&to=D2&format=json|pdf|html&lang=en|zh-CN: the client
 * statement of docs/cli.md#report through the API (docs/api.md#statements), in the caller's scope
 * (an account outside it is 404, as a missing one). The document is the one `roboadvisor report
 * statement` writes: ra_statement_build, then ra_statement_render. */
#include "server/srv.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_statement.h>
#include <roboadvisor/store_api.h>

#include <string.h>

static void problem(srv_answer *a, int status, const char *title, const char *path,
                    const char *detail)
{
    srv_problem p;
    memset(&p, 0, sizeof p);
    if (path)
        srv_problem_field(&p, path, "%s", detail);
    else
        srv_problem_set(&p, status, title, "%s", detail);
    a->status = p.status;
    a->body = srv_problem_json(&p);
    a->problem = 1;
}

/* A date of the query, or 0 after answering 422 naming it. */
static ra_date query_date(const char *v, const char *path, srv_answer *a)
{
    ra_date d = 0;
    ra_err e = {0};
    if (!v || ra_date_parse(v, strlen(v), &d, &e) != RA_OK) {
        problem(a, 422, NULL, path, v ? "not a date YYYY-MM-DD" : "required: a date YYYY-MM-DD");
        return 0;
    }
    return d;
}

void srv_statement_answer(ra_store *s, const srv_caller *c, const srv_request *r,
                          const char *from, const char *to, const char *format, const char *lang,
                          char **doc, size_t *len, const char **ctype, srv_answer *a)
{
    memset(a, 0, sizeof *a);
    *doc = NULL;
    *len = 0;
    ra_err e = {0};
    /* the caller's scope first (an advisor's clients' accounts, a client's own): an account
     * outside it is 404 whatever the query, as a missing one */
    ra_api_ref *v = NULL;
    size_t n = 0;
    const char *adv = c->key.role == RA_ROLE_ADVISOR ? c->key.user : NULL;
    const char *cli = c->key.role == RA_ROLE_CLIENT ? c->key.user : NULL;
    if (ra_store_api_accounts(s, c->key.firm, adv, cli, r->id, "", 1, &v, &n, &e) != RA_OK)
        return problem(a, 500, "internal error", NULL, "the request could not be completed");
    ra_store_free(v);
    if (n != 1)
        return problem(a, 404, "not found", NULL, "no such resource");
    ra_date d1 = query_date(from, "query.from", a), d2 = d1 ? query_date(to, "query.to", a) : 0;
    if (!d1 || !d2)
        return;
    if (d1 > d2)
        return problem(a, 422, NULL, "query.from", "after query.to");
    ra_stmt_format f = RA_STMT_JSON;
    *ctype = "application/json";
    if (format && strcmp(format, "pdf") == 0) {
        f = RA_STMT_PDF;
        *ctype = "application/pdf";
    } else if (format && strcmp(format, "html") == 0) {
        f = RA_STMT_HTML;
        *ctype = "text/html; charset=utf-8";
    } else if (format && strcmp(format, "json") != 0)
        return problem(a, 422, NULL, "query.format", "json, pdf or html");
    ra_stmt_lang L = RA_STMT_EN;
    if (lang && ra_stmt_lang_parse(lang, &L, &e) != RA_OK)
        return problem(a, 422, NULL, "query.lang", "en or zh-CN");
    ra_statement st;
    ra_status rc = ra_statement_build(s, c->key.firm, r->id, d1, d2, &st, &e);
    if (rc == RA_OK)
        rc = ra_statement_render(&st, f, L, doc, len, &e);
    ra_statement_clear(&st);
    if (rc == RA_ENOTFOUND)
        return problem(a, 404, "not found", NULL, "no such resource");
    if (rc != RA_OK) /* the message names no personal data (ra_statement_build's contract) */
        return problem(a, 500, "internal error", NULL, "the statement could not be made");
    a->status = 200;
}
