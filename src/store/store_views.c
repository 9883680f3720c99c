/* roboadvisor store: the firm's model inputs (include/roboadvisor/store_views.h; schema
 * src/store/migrations/0018_model_inputs.sql). Versions like the fee schedules: a new text is a
 * new version, the same text is no change, nothing is edited. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_views.h>

#include <stdio.h>
#include <string.h>

#define BODY_MAX ((size_t)1 << 16)

static const char *const kind_names[RA_MODEL_INPUT_KINDS] = {"views", "market", "pins"};

const char *ra_model_input_kind_name(ra_model_input_kind k)
{
    return (unsigned)k < RA_MODEL_INPUT_KINDS ? kind_names[k] : "?";
}

typedef struct input_ctx {
    ra_model_input *out;
    int found;
} input_ctx;

static ra_status input_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    input_ctx *c = ctx;
    ra_model_input *o = c->out;
    o->version = sq_int(s, st, 0);
    const char *body = sq_text(s, st, 1);
    o->body = ra_strdup(body ? body : "");
    if (!o->body)
        return sq_nomem(err, "a model input");
    sq_copy(o->user, sizeof o->user, sq_text(s, st, 2));
    sq_copy(o->reason, sizeof o->reason, sq_text(s, st, 3));
    o->at = sq_int(s, st, 4);
    c->found = 1;
    return RA_OK;
}

static ra_status get_input(ra_store *s, int64_t firm_id, ra_model_input_kind kind, int64_t version,
                           ra_model_input *out, ra_err *err)
{
    input_ctx c = {out, 0};
    const char *k = kind_names[kind];
    ra_status rc =
        version > 0
            ? sq_each(s, err, input_row, &c,
                      "SELECT version, body, user_name, reason, created_at FROM model_inputs "
                      "WHERE firm_id = ? AND kind = ? AND version = ?",
                      "iti", firm_id, k, version)
            : sq_each(s, err, input_row, &c,
                      "SELECT version, body, user_name, reason, created_at FROM model_inputs "
                      "WHERE firm_id = ? AND kind = ? ORDER BY version DESC LIMIT 1",
                      "it", firm_id, k);
    if (rc == RA_OK && !c.found && version > 0)
        rc = ra_err_set(err, RA_ENOTFOUND, k, "the firm's %s have no version %lld", k,
                        (long long)version);
    return rc;
}

ra_status ra_store_model_input_get(ra_store *s, const char *firm, ra_model_input_kind kind,
                                   int64_t version, ra_model_input *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    if ((unsigned)kind >= RA_MODEL_INPUT_KINDS)
        return ra_err_set(err, RA_EINVAL, "kind", "no model input kind %d", (int)kind);
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_MODEL_INPUTS, "model inputs", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = get_input(s, f.id, kind, version, out, err);
    if (rc != RA_OK) {
        ra_free(out->body);
        out->body = NULL;
    }
    return rc;
}

ra_status ra_store_model_input_put(ra_store *s, const ra_store_actor *actor,
                                   ra_model_input_kind kind, const char *body, const char *reason,
                                   int64_t *version, ra_err *err)
{
    *version = 0;
    if ((unsigned)kind >= RA_MODEL_INPUT_KINDS)
        return ra_err_set(err, RA_EINVAL, "kind", "no model input kind %d", (int)kind);
    if (!body || strlen(body) > BODY_MAX)
        return ra_err_set(err, RA_EINVAL, "body", "the %s text is missing or over %zu bytes",
                          kind_names[kind], BODY_MAX);
    if (!reason || !reason[0])
        return ra_err_set(err, RA_EINVAL, "reason",
                          "the firm's %s need a reason (who decided them and why)",
                          kind_names[kind]);
    ra_status rc = sq_check_str(reason, RA_MODEL_INPUT_REASON_MAX, "reason", 1, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RA_SCHEMA_MODEL_INPUTS, "model inputs", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_model_input cur;
    memset(&cur, 0, sizeof cur);
    rc = get_input(s, f.id, kind, 0, &cur, err);
    if (rc == RA_OK && cur.version > 0 && strcmp(cur.body, body) == 0) {
        *version = cur.version;
        ra_free(cur.body);
        return ra_store_scope_end(s, own, RA_OK, err);
    }
    int64_t v = cur.version + 1, at = ra_store_now(s);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO model_inputs (firm_id, kind, version, body, "
                                    "user_name, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 err);
        if (!st || sq_bind(s, st, err, "itittti", f.id, kind_names[kind], v, body, actor->user,
                           reason, at) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        json_t *before = cur.version ? json_pack("{s:I,s:s}", "version", (json_int_t)cur.version,
                                                 "body", cur.body)
                                     : NULL;
        rc = rs_audit_change(s, rc, actor, cur.version ? "update" : "create", "model_inputs",
                             kind_names[kind], before,
                             json_pack("{s:I,s:s,s:s}", "version", (json_int_t)v, "body", body,
                                       "reason", reason),
                             err);
    }
    ra_free(cur.body);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK)
        *version = v;
    return rc;
}
