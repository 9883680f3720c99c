/* Reader of the onboarding document of `roboadvisor onboard` (include/roboadvisor/onboard.h,
 * docs/formats.md#onboarding-document). Outside input: every problem is RA_EPARSE with the JSON
 * path in err->where; the answers are left to ra_prof_answers_parse, which reports the same
 * paths because they sit at the top level of both documents. Messages never quote personal data. */
#include <roboadvisor/onboard.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/prof_io.h>
#include <roboadvisor/rules.h>

#include <roboadvisor/alloc.h>

#include "io/json_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN 128
#define SUBPATH_LEN (PATH_LEN + 32) /* a path plus a member name */
#define fail ra_io_json_fail /* RA_EPARSE at a path: the many calls below stay short */


static ra_status check_keys(json_t *obj, const char *const *allowed, const char *path,
                            ra_err *err)
{
    return ra_io_json_check_keys(obj, allowed, path, 0, err);
}

enum member_kind {
    M_CODE,  /* the code rule's characters, at most cap - 1 bytes */
    M_TEXT,  /* the text rule (valid UTF-8, no control characters) */
    M_EMAIL  /* the text rule and the email rule */
};

/* A string member copied into dst (cap bytes incl. NUL), checked by the domain rules of its kind.
 * Messages name the path and the rule, never the value (names, emails, tax ids are personal
 * data, and a code in the wrong member might be one). */
static ra_status str_member(json_t *obj, const char *key, const char *path, int required,
                            enum member_kind kind, char *dst, size_t cap, ra_err *err)
{
    char p[SUBPATH_LEN];
    snprintf(p, sizeof p, "%s.%s", path, key);
    json_t *v = json_object_get(obj, key);
    dst[0] = 0;
    if (!v) {
        if (required)
            return fail(err, path, "missing \"%s\"", key);
        return RA_OK;
    }
    if (!json_is_string(v))
        return fail(err, p, "expected a string, got %s", ra_io_json_type_name(v));
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0 && required)
        return fail(err, p, "empty");
    ra_err e2 = {0};
    if (n >= cap)
        return fail(err, p, "longer than %zu bytes", cap - 1);
    if (kind == M_CODE) {
        for (size_t i = 0; i < n; i++)
            if (!ra_rule_code_byte(s[i]))
                return fail(err, p, "a code may hold only letters, digits, '.', '-' and '_'");
    } else if (ra_rule_text_check(s, n, cap, key, &e2) != RA_OK ||
               (kind == M_EMAIL && n > 0 && ra_rule_email_check(s, n, &e2) != RA_OK)) {
        return fail(err, p, "%s", e2.msg);
    }
    memcpy(dst, s, n);
    dst[n] = 0;
    return RA_OK;
}

static ra_status parse_client(json_t *c, ra_client *out, ra_err *err)
{
    static const char *const keys[] = {"code", "household", "advisor", "name", "email",
                                       "tax_id", "address", "birth_year", NULL};
    const char *path = "$.client";
    if (!json_is_object(c))
        return fail(err, path, "expected an object, got %s", ra_io_json_type_name(c));
    ra_status rc = check_keys(c, keys, path, err);
    if (!rc)
        rc = str_member(c, "code", path, 1, M_CODE, out->code, sizeof out->code, err);
    if (!rc)
        rc = str_member(c, "household", path, 0, M_CODE, out->household, sizeof out->household,
                        err);
    if (!rc)
        rc = str_member(c, "advisor", path, 0, M_CODE, out->advisor, sizeof out->advisor, err);
    if (!rc)
        rc = str_member(c, "name", path, 0, M_TEXT, out->name, sizeof out->name, err);
    if (!rc)
        rc = str_member(c, "email", path, 0, M_EMAIL, out->email, sizeof out->email, err);
    if (!rc)
        rc = str_member(c, "tax_id", path, 0, M_TEXT, out->tax_id, sizeof out->tax_id, err);
    if (!rc)
        rc = str_member(c, "address", path, 0, M_TEXT, out->address, sizeof out->address, err);
    if (rc)
        return rc;
    if (!out->household[0])
        snprintf(out->household, sizeof out->household, "%s", out->code);
    json_t *by = json_object_get(c, "birth_year");
    if (by) {
        if (!json_is_integer(by))
            return fail(err, "$.client.birth_year", "expected a whole number, got %s",
                        ra_io_json_type_name(by));
        json_int_t y = json_integer_value(by);
        if (y < RA_RULE_BIRTH_YEAR_MIN || y > RA_RULE_BIRTH_YEAR_MAX)
            return fail(err, "$.client.birth_year", "%lld is outside %d..%d", (long long)y,
                        RA_RULE_BIRTH_YEAR_MIN, RA_RULE_BIRTH_YEAR_MAX);
        out->birth_year = (int)y;
    }
    return RA_OK;
}

static ra_status parse_account(json_t *a, size_t i, ra_onboard_account *out, ra_err *err)
{
    static const char *const keys[] = {"code", "type", "currency", "agent_name", NULL};
    char path[PATH_LEN], p[SUBPATH_LEN];
    snprintf(path, sizeof path, "$.accounts[%zu]", i);
    if (!json_is_object(a))
        return fail(err, path, "expected an object, got %s", ra_io_json_type_name(a));
    ra_status rc = check_keys(a, keys, path, err);
    char type[32];
    if (!rc)
        rc = str_member(a, "code", path, 1, M_CODE, out->code, sizeof out->code, err);
    if (!rc)
        rc = str_member(a, "type", path, 0, M_CODE, type, sizeof type, err);
    if (!rc)
        rc = str_member(a, "currency", path, 0, M_CODE, out->currency, sizeof out->currency, err);
    if (!rc)
        rc = str_member(a, "agent_name", path, 0, M_TEXT, out->agent_name,
                        sizeof out->agent_name, err);
    if (rc)
        return rc;
    out->type = RA_ACCOUNT_TAXABLE;
    if (type[0] && ra_account_type_parse(type, &out->type, NULL) != RA_OK) {
        snprintf(p, sizeof p, "%s.type", path);
        return fail(err, p, "\"%s\" is not an account type (taxable, tax_deferred, tax_free)",
                    type);
    }
    if (out->currency[0] &&
        ra_rule_currency_check(out->currency, strlen(out->currency), NULL) != RA_OK) {
        snprintf(p, sizeof p, "%s.currency", path);
        return fail(err, p, "\"%s\" is not an ISO 4217 code (three capital letters)",
                    out->currency);
    }
    return RA_OK;
}

ra_status ra_onboard_doc_parse(const char *data, size_t size, ra_onboard_doc **out, ra_err *err)
{
    static const char *const keys[] = {"client", "accounts", "lang", "questionnaire",
                                       "version", "answers", NULL};
    *out = NULL;
    if (!data && size > 0)
        return ra_err_set(err, RA_EINVAL, NULL, "no data for a document of %zu bytes", size);
    if (size > RA_PROF_MAX_DOC)
        return fail(err, "$", "the document is %zu bytes, more than the limit of %zu", size,
                    RA_PROF_MAX_DOC);
    json_t *root = NULL;
    ra_status st = ra_io_json_load(data, size, "document", &root, err);
    if (st != RA_OK)
        return st;
    ra_onboard_doc *d = ra_calloc(1, sizeof *d);
    ra_status rc = d ? RA_OK : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a document");
    if (!rc && !json_is_object(root))
        rc = fail(err, "$", "the document must be an object, got %s", ra_io_json_type_name(root));
    if (!rc)
        rc = check_keys(root, keys, "$", err);
    json_t *c = rc ? NULL : json_object_get(root, "client");
    if (!rc && !c)
        rc = fail(err, "$", "missing \"client\"");
    if (!rc)
        rc = parse_client(c, &d->client, err);
    json_t *acc = rc ? NULL : json_object_get(root, "accounts");
    if (!rc && !acc)
        rc = fail(err, "$", "missing \"accounts\"");
    if (!rc && !json_is_array(acc))
        rc = fail(err, "$.accounts", "expected an array, got %s", ra_io_json_type_name(acc));
    if (!rc && (json_array_size(acc) == 0 || json_array_size(acc) > RA_ONBOARD_MAX_ACCOUNTS))
        rc = fail(err, "$.accounts", "%zu accounts: give 1 to %d", json_array_size(acc),
                  RA_ONBOARD_MAX_ACCOUNTS);
    for (size_t i = 0; !rc && i < json_array_size(acc); i++) {
        rc = parse_account(json_array_get(acc, i), i, &d->accounts[i], err);
        for (size_t k = 0; !rc && k < i; k++)
            if (strcmp(d->accounts[k].code, d->accounts[i].code) == 0) {
                char p[SUBPATH_LEN];
                snprintf(p, sizeof p, "$.accounts[%zu].code", i);
                rc = fail(err, p, "account %s is given twice (also $.accounts[%zu])",
                          d->accounts[i].code, k);
            }
        d->n_accounts = i + 1;
    }
    if (!rc)
        rc = str_member(root, "lang", "$", 0, M_CODE, d->lang, sizeof d->lang, err);
    /* the answers document: questionnaire, version and answers, checked later against the
     * questionnaire; here only what is needed to find the questionnaire */
    if (!rc)
        rc = str_member(root, "questionnaire", "$", 1, M_CODE, d->questionnaire,
                        sizeof d->questionnaire, err);
    json_t *v = rc ? NULL : json_object_get(root, "version");
    if (!rc && !v)
        rc = fail(err, "$", "missing \"version\"");
    if (!rc && (!json_is_integer(v) || json_integer_value(v) < 1))
        rc = fail(err, "$.version", "expected a whole number >= 1, got %s",
                  json_is_integer(v) ? "a smaller number" : ra_io_json_type_name(v));
    if (!rc)
        d->version = json_integer_value(v);
    json_t *ans = rc ? NULL : json_object_get(root, "answers");
    if (!rc && !ans)
        rc = fail(err, "$", "missing \"answers\"");
    if (!rc) {
        ra_io_json_oom_clear();
        json_t *sub = json_pack("{s:s,s:I,s:O}", "questionnaire", d->questionnaire, "version",
                                (json_int_t)d->version, "answers", ans);
        d->answers = sub ? json_dumps(sub, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(sub);
        if (d->answers && ra_io_json_oom_seen()) { /* jansson may have cut the text short */
            ra_free(d->answers);
            d->answers = NULL;
        }
        if (!d->answers)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the answers");
        else
            d->answers_size = strlen(d->answers);
    }
    json_decref(root);
    if (rc) {
        ra_onboard_doc_destroy(d);
        return rc;
    }
    *out = d;
    return RA_OK;
}

void ra_onboard_doc_destroy(ra_onboard_doc *doc)
{
    if (!doc)
        return;
    memset(&doc->client, 0, sizeof doc->client); /* personal data */
    RA_FREE_ALL(doc->answers, doc);
}
