/* roboadvisor store: the API's further resources (include/roboadvisor/store_resources.h): the
 * firm's advisors, comments on proposals, an order's fills, audit records by page. */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"
#include "roboadvisor/store_resources.h"

#include <stdio.h>
#include <string.h>

/* --- advisors --------------------------------------------------------------------------------- */

static ra_status advisor_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_api_ref *o = rs_vec_push(ctx);
    if (!o)
        return sq_nomem(err, "a page");
    sq_copy(o->code, sizeof o->code, sq_text(s, st, 0));
    sq_copy(o->advisor, sizeof o->advisor, o->code);
    return RA_OK;
}

ra_status ra_store_api_advisors(ra_store *s, const char *firm, const char *code,
                                const char *after, size_t limit, ra_api_ref **out, size_t *n,
                                ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (code && !code[0])
        return RA_OK;
    rs_vec r = {NULL, 0, 0, sizeof(ra_api_ref)};
    const char *k = code ? code : "";
    ra_status rc = sq_each(s, err, advisor_row, &r,
                           "SELECT v.code FROM advisors v JOIN firms f ON f.id = v.firm_id WHERE "
                           "f.code = ? AND (? = '' OR v.code = ?) AND v.code > ? ORDER BY v.code "
                           "LIMIT ?",
                           "tttti", firm, k, k, after ? after : "", (int64_t)limit);
    return rs_list_end(rc, &r, out, n);
}

/* --- comments on proposals -------------------------------------------------------------------- */

/* The next n of a numbered child row: MAX(n) + 1 by sql (one id parameter). */
static ra_status next_n(ra_store *s, const char *sql, int64_t parent, int64_t *n, ra_err *err)
{
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, sql, "i", parent);
    if (r < 0)
        return sq_err(err);
    *n = (r == RA_DB_ROW ? sq_int(s, st, 0) : 0) + 1;
    s->ops->reset(st);
    return RA_OK;
}

/* The proposal's row id, its client's code and id, and the key of the client's personal data
 * (*d: its data key, wiped by the caller). */
typedef struct prop_ctx {
    int64_t id, client_id;
    char client[RA_CODE_MAX];
} prop_ctx;

static ra_status proposal_client(ra_store *s, const char *firm, const char *proposal,
                                 prop_ctx *p, const uint8_t **fkey, rs_dek *d, ra_err *err)
{
    memset(p, 0, sizeof *p);
    memset(d, 0, sizeof *d);
    ra_status rc = sq_need_version(s, RS_SCHEMA_CLIENT_KEYS, "comments", err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT p.id, c.id, c.code FROM proposals p JOIN firms f ON f.id = p.firm_id "
                     "JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = a.client_id "
                     "WHERE f.code = ? AND p.code = ?",
                     "tt", firm, proposal);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW) {
        p->id = sq_int(s, st, 0);
        p->client_id = sq_int(s, st, 1);
        sq_copy(p->client, sizeof p->client, sq_text(s, st, 2));
    }
    s->ops->reset(st);
    if (!p->id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no proposal %s", proposal);
    rc = rs_get_key(s, firm, fkey, err);
    if (rc == RA_OK)
        rc = rs_dek_load(s, *fkey, firm, p->client, p->client_id, d, err);
    return rc;
}

static void comment_field(int n, char *out, size_t cap) { snprintf(out, cap, "body.%d", n); }

ra_status ra_store_comment_add(ra_store *s, const ra_store_actor *actor, const char *proposal,
                               const char *body, ra_comment *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_status rc = sq_check_actor(actor, err);
    size_t len = body ? strnlen(body, RA_COMMENT_MAX) : 0;
    if (rc == RA_OK && (len == 0 || len >= RA_COMMENT_MAX))
        rc = ra_err_set(err, RA_EINVAL, "body", "a comment is 1 to %d bytes",
                        RA_COMMENT_MAX - 1);
    if (rc != RA_OK || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    prop_ctx p;
    rs_dek d;
    const uint8_t *fkey = NULL;
    rc = proposal_client(s, actor->firm, proposal, &p, &fkey, &d, err);
    const uint8_t *key = rc == RA_OK ? rs_dek_key(&d, fkey) : NULL;
    if (rc == RA_OK && !key)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the client of proposal %s was erased",
                        proposal);
    ra_db_stmt *st;
    int64_t nn = 0;
    if (rc == RA_OK)
        rc = next_n(s, "SELECT COALESCE(MAX(n), 0) FROM proposal_comments WHERE proposal_id = ?",
                    p.id, &nn, err);
    out->n = (int)nn;
    uint8_t ct[RS_ENC_MAX];
    size_t ctn = 0;
    if (rc == RA_OK) {
        char field[32];
        comment_field(out->n, field, sizeof field);
        rs_encrypt(key, actor->firm, "comment", proposal, field, body, ct, &ctn);
        out->at = ra_store_now(s);
        sq_copy(out->author, sizeof out->author, actor->user);
        memcpy(out->body, body, len + 1);
        st = sq_prep(s, "INSERT INTO proposal_comments (proposal_id, n, author, body_enc, "
                        "created_at) VALUES (?, ?, ?, ?, ?)", err);
        rc = st ? sq_bind(s, st, err, "iitbi", p.id, (int64_t)out->n, actor->user,
                          (const void *)ct, ctn, out->at)
                : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
        json_t *after = json_object();
        rs_jint(after, "n", out->n);
        rs_jstr(after, "author", actor->user);
        rs_jhex(after, "body_enc", ct, ctn);
        rc = rs_audit_change(s, rc, actor, "create", "proposal_comment", proposal, NULL, after,
                             err);
    }
    sodium_memzero(&d, sizeof d);
    if (rc != RA_OK)
        sodium_memzero(out, sizeof *out);
    return sq_wend(s, rc, err);
}

typedef struct comment_ctx {
    rs_vec r;
    const char *firm, *proposal;
    const uint8_t *key; /* NULL: erased */
} comment_ctx;

static ra_status comment_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    comment_ctx *c = ctx;
    ra_comment *o = rs_vec_push(&c->r);
    if (!o)
        return sq_nomem(err, "the comments");
    o->n = (int)sq_int(s, st, 0);
    sq_copy(o->author, sizeof o->author, sq_text(s, st, 1));
    o->at = sq_int(s, st, 3);
    if (!c->key) {
        o->erased = 1;
        return RA_OK;
    }
    size_t n = 0;
    const uint8_t *b = s->ops->col_blob(st, 2, &n);
    uint8_t ct[RS_ENC_MAX];
    if (n > sizeof ct)
        n = 0;
    if (n)
        memcpy(ct, b, n);
    char field[32];
    comment_field(o->n, field, sizeof field);
    return rs_decrypt(c->key, c->firm, "comment", c->proposal, field, ct, n, o->body, err);
}

ra_status ra_store_comments_list(ra_store *s, const char *firm, const char *proposal,
                                 ra_comment **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    prop_ctx p;
    rs_dek d;
    const uint8_t *fkey = NULL;
    comment_ctx c = {{NULL, 0, 0, sizeof(ra_comment)}, firm, proposal, NULL};
    ra_status rc = proposal_client(s, firm, proposal, &p, &fkey, &d, err);
    if (rc == RA_OK) {
        c.key = rs_dek_key(&d, fkey);
        rc = sq_each(s, err, comment_row, &c,
                     "SELECT n, author, body_enc, created_at FROM proposal_comments WHERE "
                     "proposal_id = ? ORDER BY n",
                     "i", p.id);
    }
    sodium_memzero(&d, sizeof d);
    if (rc != RA_OK && c.r.v)
        sodium_memzero(c.r.v, c.r.n * c.r.elem);
    return rs_list_end(rc, &c.r, out, n);
}

/* --- an order's fills ------------------------------------------------------------------------- */

static ra_status fill_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_fill_rec *o = rs_vec_push(ctx);
    if (!o)
        return sq_nomem(err, "the fills");
    sq_copy(o->id, sizeof o->id, sq_text(s, st, 0));
    o->date = (ra_date)sq_int(s, st, 1);
    int64_t q = sq_int(s, st, 2);
    o->qty_micro = q < 0 ? -q : q;
    o->price = sq_int(s, st, 3);
    o->amount_minor = sq_int(s, st, 4);
    o->fees_minor = sq_int(s, st, 5);
    return RA_OK;
}

ra_status ra_store_order_fills(ra_store *s, const char *firm, const ra_cycle_order *o,
                               ra_fill_rec **out, size_t *n, ra_err *err)
{
    char like[RA_CYCLE_ID_MAX + 8];
    rs_fill_prefix(o, like, sizeof like - 1);
    strcat(like, "%");
    rs_vec r = {NULL, 0, 0, sizeof(ra_fill_rec)};
    ra_status rc = sq_each(s, err, fill_row, &r,
                           "SELECT x.external_id, x.day, x.qty_micro, x.price, x.amount_minor, "
                           "x.fees_minor FROM txns x JOIN accounts a ON a.id = x.account_id JOIN "
                           "firms f ON f.id = a.firm_id WHERE f.code = ? AND a.code = ? AND "
                           "x.external_id LIKE ? ORDER BY x.external_id",
                           "ttt", firm, o->account, like);
    return rs_list_end(rc, &r, out, n);
}

/* --- audit records ---------------------------------------------------------------------------- */

static ra_status audit_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_audit_rec *o = rs_vec_push(ctx);
    if (!o)
        return sq_nomem(err, "the audit records");
    o->seq = sq_int(s, st, 0);
    o->at = sq_int(s, st, 1);
    sq_copy(o->user, sizeof o->user, sq_text(s, st, 2));
    sq_copy(o->action, sizeof o->action, sq_text(s, st, 3));
    sq_copy(o->entity, sizeof o->entity, sq_text(s, st, 4));
    sq_copy(o->entity_id, sizeof o->entity_id, sq_text(s, st, 5));
    sq_copy(o->hash, sizeof o->hash, sq_text(s, st, 6));
    return RA_OK;
}

ra_status ra_store_audit_records(ra_store *s, const char *firm, int64_t after, size_t limit,
                                 ra_audit_rec **out, size_t *n, ra_err *err)
{
    rs_vec r = {NULL, 0, 0, sizeof(ra_audit_rec)};
    ra_status rc = sq_each(s, err, audit_row, &r,
                           "SELECT seq, at, user_name, action, entity, entity_id, hash FROM "
                           "audit_log WHERE firm = ? AND seq > ? ORDER BY seq LIMIT ?",
                           "tii", firm, after, (int64_t)limit);
    return rs_list_end(rc, &r, out, n);
}

/* --- consents --------------------------------------------------------------------------------- */

ra_status ra_store_consent_add(ra_store *s, const ra_store_actor *actor, const char *client,
                               const char *kind, const char *version, ra_date on, ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = sq_check_code(kind, "consent kind", 1, err);
    if (rc == RA_OK)
        rc = sq_check_code(version, "consent version", 1, err);
    if (rc == RA_OK)
        rc = sq_need_version(s, RS_SCHEMA_CLIENT_KEYS, "consents", err);
    firm_row firm;
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, &firm, err);
    if (rc != RA_OK || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    int64_t cid = 0, n = 0;
    rc = sq_id_of(s, SQ_CLIENT_ID, firm.id, client, "client", &cid, err);
    if (rc == RA_OK)
        rc = next_n(s, "SELECT COALESCE(MAX(n), 0) FROM client_consents WHERE client_id = ?", cid,
                    &n, err);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO client_consents (client_id, n, kind, version, accepted_on, "
                        "user_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
        rc = st ? sq_bind(s, st, err, "iittiti", cid, n, kind, version, (int64_t)on,
                          actor->user, ra_store_now(s))
                : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
        json_t *after = json_object();
        rs_jint(after, "n", n);
        rs_jstr(after, "kind", kind);
        rs_jstr(after, "version", version);
        rs_jint(after, "accepted_on", on);
        rc = rs_audit_change(s, rc, actor, "create", "consent", client, NULL, after, err);
    }
    return sq_wend(s, rc, err);
}

static ra_status consent_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_consent *o = rs_vec_push(ctx);
    if (!o)
        return sq_nomem(err, "the consents");
    o->n = (int)sq_int(s, st, 0);
    sq_copy(o->kind, sizeof o->kind, sq_text(s, st, 1));
    sq_copy(o->version, sizeof o->version, sq_text(s, st, 2));
    o->accepted_on = (ra_date)sq_int(s, st, 3);
    sq_copy(o->user, sizeof o->user, sq_text(s, st, 4));
    return RA_OK;
}

ra_status ra_store_consents_list(ra_store *s, const char *firm, const char *client,
                                 ra_consent **out, size_t *n, ra_err *err)
{
    rs_vec r = {NULL, 0, 0, sizeof(ra_consent)};
    ra_status rc = sq_need_version(s, RS_SCHEMA_CLIENT_KEYS, "consents", err);
    if (rc == RA_OK)
        rc = sq_each(s, err, consent_row, &r,
                     "SELECT x.n, x.kind, x.version, x.accepted_on, x.user_name FROM "
                     "client_consents x JOIN clients c ON c.id = x.client_id JOIN firms f ON "
                     "f.id = c.firm_id WHERE f.code = ? AND c.code = ? ORDER BY x.n",
                     "tt", firm, client);
    return rs_list_end(rc, &r, out, n);
}
