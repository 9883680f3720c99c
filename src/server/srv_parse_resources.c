/* roboadvisor server: the bodies of the further resources' POSTs (srv.h; docs/api.md). Pure, like
 * srv_parse.c: fuzz/fuzz_api_body.c calls them. Problems name the JSON path, never a value. */
#include "server/srv.h"

#include <stdlib.h>
#include <string.h>

/* A code member (letters, digits, - _ .): 1 taken. */
static int take_code(json_t *o, const char *k, char *out, size_t cap, int required,
                     srv_problem *p)
{
    if (!srv_take_str(o, k, out, cap, required, p))
        return 0;
    size_t n = strlen(out);
    int good = n > 0;
    for (size_t i = 0; i < n && good; i++) {
        char c = out[i];
        good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    }
    if (!good) {
        char path[80];
        snprintf(path, sizeof path, "$.%s", k);
        srv_problem_field(p, path, "must be a code: letters, digits, '-', '_' or '.'");
        out[0] = 0;
        return 0;
    }
    return 1;
}

/* The output zeroed, then the body as an object of known members (NULL with *p). */
static json_t *body_begin(void *out, size_t size, const char *body, size_t len,
                          const char *const *known, srv_problem *p)
{
    memset(out, 0, size);
    return srv_body_object(body, len, known, p);
}

int srv_body_key(const char *body, size_t len, srv_key_request *out, srv_problem *p)
{
    static const char *const known[] = {"role", "user", "expires", NULL};
    json_t *o = body_begin(out, sizeof *out, body, len, known, p);
    if (!o)
        return p->status;
    char role[16];
    if (srv_take_str(o, "role", role, sizeof role, 1, p)) {
        ra_api_role r;
        if (ra_api_role_parse(role, &r, NULL) != RA_OK)
            srv_problem_field(p, "$.role", "must be admin, advisor, client or auditor");
        else
            out->role = (int)r;
    }
    (void)take_code(o, "user", out->user, sizeof out->user, 0, p);
    srv_take_date(o, "expires", &out->expires, p);
    json_decref(o);
    return p->status;
}

/* A body of one required string member k into out: text (not empty) or a code. */
static int one_member(const char *body, size_t len, const char *k, int code, char *out,
                      size_t cap, srv_problem *p)
{
    const char *known[] = {k, NULL};
    json_t *o = body_begin(out, cap, body, len, known, p);
    if (!o)
        return p->status;
    char path[32];
    snprintf(path, sizeof path, "$.%s", k);
    if (code)
        (void)take_code(o, k, out, cap, 1, p);
    else if (srv_take_str(o, k, out, cap, 1, p) && !out[0])
        srv_problem_field(p, path, "must not be empty");
    json_decref(o);
    return p->status;
}

int srv_body_comment(const char *body, size_t len, srv_comment_request *out, srv_problem *p)
{
    return one_member(body, len, "body", 0, out->body, sizeof out->body, p);
}

int srv_body_erase(const char *body, size_t len, srv_erase_request *out, srv_problem *p)
{
    return one_member(body, len, "confirm", 1, out->confirm, sizeof out->confirm, p);
}

void srv_onboard_request_free(srv_onboard_request *r)
{
    free(r->doc);
    r->doc = NULL;
}

int srv_body_onboard(const char *body, size_t len, srv_onboard_request *out, srv_problem *p)
{
    static const char *const known[] = {"onboarding", "date", "consents", NULL};
    json_t *o = body_begin(out, sizeof *out, body, len, known, p);
    if (!o)
        return p->status;
    json_t *doc = json_object_get(o, "onboarding");
    if (!json_is_object(doc))
        srv_problem_field(p, "$.onboarding", doc ? "must be an object (the onboarding document)"
                                                 : "is required");
    srv_take_date(o, "date", &out->date, p);
    json_t *cs = json_object_get(o, "consents");
    if (!json_is_array(cs) || json_array_size(cs) == 0 ||
        json_array_size(cs) > SRV_CONSENTS_MAX)
        srv_problem_field(p, "$.consents", "must list 1 to %d consents", SRV_CONSENTS_MAX);
    else {
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c) {
            char path[48];
            snprintf(path, sizeof path, "$.consents[%zu]", i);
            if (!json_is_object(c) || json_object_size(c) != 2 || !json_is_string(json_object_get(c, "kind")) ||
                !json_is_string(json_object_get(c, "version"))) {
                srv_problem_field(p, path, "must be {\"kind\": CODE, \"version\": CODE}");
                continue;
            }
            srv_problem sub;
            memset(&sub, 0, sizeof sub);
            if (!take_code(c, "kind", out->consents[i].kind, RA_CODE_MAX, 1, &sub) ||
                !take_code(c, "version", out->consents[i].version, RA_CODE_MAX, 1, &sub))
                srv_problem_field(p, path, "kind and version must be codes of 1 to %d letters, "
                                  "digits, '-', '_' or '.'", RA_CODE_MAX - 1);
            out->n_consents = i + 1;
        }
    }
    if (!p->status) {
        out->doc = json_dumps(doc, JSON_COMPACT);
        if (!out->doc)
            srv_problem_set(p, 500, "internal error", "the request could not be completed");
        else
            out->doc_len = strlen(out->doc);
    }
    json_decref(o);
    return p->status;
}
