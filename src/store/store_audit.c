/* roboadvisor store: the audit trail: its one JSON writer (jansson), the hash chain and its
 * verification (docs/methodology.md#book-of-record-and-storage). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the one JSON writer of audit records ----------------------------------------------------- */

/* A member that could not be set (out of memory) leaves this mark, which makes the dump fail:
 * an audit record is never written with a member missing. */
#define JSON_FAILED "\001failed"

char *rs_json_dump(json_t *v)
{
    char *t = NULL;
    /* JSON_REAL_PRECISION(17): every double reads back exactly */
    if (v && !(json_is_object(v) && json_object_get(v, JSON_FAILED)))
        t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
                              JSON_REAL_PRECISION(17));
    json_decref(v);
    return t;
}

void rs_json_free(char *text) { free(text); } /* jansson allocates with malloc */

void rs_jset(json_t *o, const char *k, json_t *v)
{
    if (!o)
        return;
    if (!v || (json_is_object(v) && json_object_get(v, JSON_FAILED)) ||
        json_object_set_new(o, k, v) != 0)
        (void)json_object_set_new(o, JSON_FAILED, json_null());
}

/* Text as given (not checked for UTF-8: the store keeps what it was given). */
void rs_jstr(json_t *o, const char *k, const char *v) { rs_jset(o, k, json_string_nocheck(v)); }
void rs_jint(json_t *o, const char *k, int64_t v) { rs_jset(o, k, json_integer((json_int_t)v)); }
void rs_jdbl(json_t *o, const char *k, double v) { rs_jset(o, k, json_real(v)); }
void rs_jhex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
    char h[2 * RS_ENC_MAX + 1];
    if (n > RS_ENC_MAX) {
        rs_jset(o, k, NULL);
        return;
    }
    rs_hex(p, n, h);
    rs_jset(o, k, json_string(h));
}

/* --- audit trail ----------------------------------------------------------------------------- */

static void canon_field(crypto_generichash_state *h, const char *v)
{
    uint32_t n = (uint32_t)strlen(v);
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, len, 4);
    crypto_generichash_update(h, (const uint8_t *)v, n);
}

/* hash = BLAKE2b-256(prev_hash_hex || canonical record): every field (seq and time in decimal)
 * as a 4-byte big-endian length and its bytes, in column order. */
void rs_audit_hash(const char *prev_hex, int64_t seq, int64_t at, const char *user,
                       const char *firm, const char *action, const char *entity,
                       const char *entity_id, const char *before, const char *after,
                       char out[65])
{
    char num[32];
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    canon_field(&st, prev_hex);
    snprintf(num, sizeof num, "%lld", (long long)seq);
    canon_field(&st, num);
    snprintf(num, sizeof num, "%lld", (long long)at);
    canon_field(&st, num);
    canon_field(&st, user);
    canon_field(&st, firm);
    canon_field(&st, action);
    canon_field(&st, entity);
    canon_field(&st, entity_id);
    canon_field(&st, before);
    canon_field(&st, after);
    crypto_generichash_final(&st, h, sizeof h);
    rs_hex(h, sizeof h, out);
}

/* The chain head for the next append: locked (the UPDATE takes audit_head's row lock on
 * PostgreSQL, the write lock is held already on SQLite) and read once per transaction. */
ra_status rs_head_get(ra_store *s, ra_err *err)
{
    if (s->head.valid)
        return RA_OK;
    ra_db_stmt *st = sq_prep(s, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash", err);
    if (!st)
        return sq_err(err);
    int r = s->ops->step(st, err);
    if (r != RA_DB_ROW)
        return r < 0 ? sq_err(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "the audit head is missing");
    s->head.seq = sq_int(s, st, 0);
    sq_copy(s->head.hash, sizeof s->head.hash, sq_text(s, st, 1));
    s->ops->reset(st);
    s->head.valid = 1;
    s->head.dirty = 0;
    return RA_OK;
}

/* Writes the head back (once per transaction, before its commit). */
ra_status rs_head_flush(ra_store *s, ra_err *err)
{
    if (!s->head.valid || !s->head.dirty)
        return RA_OK;
    ra_db_stmt *st = sq_prep(s, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", err);
    if (!st || sq_bind(s, st, err, "it", s->head.seq, s->head.hash) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    s->head.dirty = 0;
    return RA_OK;
}

ra_status rs_audit(ra_store *s, const ra_store_actor *a, const char *action,
                       const char *entity, const char *entity_id, const char *before,
                       const char *after, ra_err *err)
{
    ra_status rc = rs_head_get(s, err);
    if (rc != RA_OK)
        return rc;
    int64_t seq = s->head.seq + 1;
    char hash[65];
    int64_t at = ra_store_now(s);
    rs_audit_hash(s->head.hash, seq, at, a->user, a->firm, action, entity, entity_id, before, after,
               hash);
    ra_db_stmt *st = sq_prep(s, "INSERT INTO audit_log (seq, at, user_name, firm, action, entity, "
                          "entity_id, before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!st || sq_bind(s, st, err, "iittttttttt", seq, at, a->user, a->firm, action, entity,
                     entity_id, before, after, s->head.hash, hash) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    s->head.seq = seq;
    memcpy(s->head.hash, hash, sizeof hash);
    s->head.dirty = 1;
    return RA_OK;
}

/* Ends a change: when rc is RA_OK, appends its audit record with before (NULL: "null", nothing
 * was there) and after, RA_ENOMEM if writing either failed. Takes both references. */
ra_status rs_audit_change(ra_store *s, ra_status rc, const ra_store_actor *actor,
                          const char *action, const char *entity, const char *entity_id,
                          json_t *before, json_t *after, ra_err *err)
{
    char *b = before ? rs_json_dump(before) : NULL;
    char *a = rs_json_dump(after);
    if (rc == RA_OK && ((before && !b) || !a))
        rc = sq_nomem(err, "an audit record");
    if (rc == RA_OK)
        rc = rs_audit(s, actor, action, entity, entity_id, b ? b : "null", a, err);
    rs_json_free(b);
    rs_json_free(a);
    return rc;
}

ra_status ra_store_audit_verify(ra_store *s, uint64_t *n_records, uint64_t *first_bad,
                                ra_err *err)
{
    if (n_records)
        *n_records = 0;
    if (first_bad)
        *first_bad = 0;
    ra_status rc = sq_need_schema(s, err);
    if (rc == RA_OK) /* inside a transaction: the head kept in memory goes to the table first */
        rc = rs_head_flush(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT seq, at, user_name, firm, action, entity, entity_id, "
                          "before_json, after_json, prev_hash, hash FROM audit_log ORDER BY seq",
                       err);
    if (!st)
        return sq_err(err);
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t expect = 1;
    uint64_t bad = 0;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        int64_t seq = sq_int(s, st, 0);
        char h[65];
        if (seq != expect) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            seq > expect ? "audit record %lld is missing (deleted)"
                                         : "audit record %lld is out of sequence",
                            (long long)expect);
            break;
        }
        rs_audit_hash(prev, seq, sq_int(s, st, 1), sq_text(s, st, 2), sq_text(s, st, 3), sq_text(s, st, 4),
                   sq_text(s, st, 5), sq_text(s, st, 6), sq_text(s, st, 7), sq_text(s, st, 8), h);
        if (strcmp(sq_text(s, st, 9), prev) != 0 || strcmp(sq_text(s, st, 10), h) != 0) {
            bad = (uint64_t)seq;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            "audit record %lld does not match its hash (edited or inserted)",
                            (long long)seq);
            break;
        }
        memcpy(prev, h, sizeof prev);
        expect++;
    }
    s->ops->reset(st);
    if (r < 0)
        return sq_err(err);
    if (rc == RA_OK) {
        st = sq_prep(s, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
        if (!st)
            return sq_err(err);
        r = s->ops->step(st, err);
        if (r < 0)
            return sq_err(err);
        if (r != RA_DB_ROW) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "the audit head is missing");
        } else if (sq_int(s, st, 0) != expect - 1 || strcmp(sq_text(s, st, 1), prev) != 0) {
            bad = (uint64_t)expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            sq_int(s, st, 0) > expect - 1
                                ? "audit record %lld is missing (the newest records were deleted)"
                                : "audit record %lld does not match the chain head",
                            (long long)(sq_int(s, st, 0) > expect - 1 ? expect : expect - 1));
            if (sq_int(s, st, 0) <= expect - 1)
                bad = (uint64_t)(expect - 1);
        }
        s->ops->reset(st);
    }
    if (n_records)
        *n_records = (uint64_t)(expect - 1);
    if (first_bad)
        *first_bad = bad;
    return rc;
}

ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *actor, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err)
{
    return rs_audit(s, actor, action, entity, entity_id, before, after, err);
}

