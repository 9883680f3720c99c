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
json_t *rs_json_record(const void *rec, const rs_jfield *f, size_t n)
{
    json_t *o = json_object();
    const char *r = rec;
    for (size_t i = 0; i < n; i++) {
        const char *p = r + f[i].off;
        switch (f[i].kind) {
        case 's': rs_jstr(o, f[i].name, p); break;
        case 'i': rs_jint(o, f[i].name, *(const int *)(const void *)p); break;
        case 'b': rs_jint(o, f[i].name, *(const int *)(const void *)p != 0); break;
        case 'I': rs_jint(o, f[i].name, *(const int64_t *)(const void *)p); break;
        default: rs_jdbl(o, f[i].name, *(const double *)(const void *)p); break;
        }
    }
    return o;
}

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

/* hash = BLAKE2b-256, keyed with the firm's audit key (unkeyed before schema RS_SCHEMA_KEYED), of
 * prev_hash_hex || canonical record: every field (seq and time in decimal) as a 4-byte big-endian
 * length and its bytes, in column order, then the state (keyed records only). */
void rs_audit_hash(const uint8_t *key, const char *prev_hex, int64_t seq, int64_t at,
                   const char *user, const char *firm, const char *action, const char *entity,
                   const char *entity_id, const char *before, const char *after,
                   const char *state, char out[65])
{
    char num[32];
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, key ? RA_STORE_KEY_BYTES : 0, sizeof h);
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
    if (state)
        canon_field(&st, state);
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

/* Appends one keyed record with its state lines (the head is read). */
static ra_status append_record(ra_store *s, const ra_store_actor *a, const uint8_t *key,
                               const char *action, const char *entity, const char *entity_id,
                               const char *before, const char *after, const char *state,
                               ra_err *err)
{
    int64_t seq = s->head.seq + 1;
    char hash[65];
    int64_t at = ra_store_now(s);
    rs_audit_hash(key, s->head.hash, seq, at, a->user, a->firm, action, entity, entity_id, before,
                  after, state, hash);
    ra_db_stmt *st = sq_prep(s, "INSERT INTO audit_log (seq, at, user_name, firm, action, entity, "
                                "entity_id, before_json, after_json, prev_hash, hash, state) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!st || sq_bind(s, st, err, "iitttttttttt", seq, at, a->user, a->firm, action, entity,
                       entity_id, before, after, s->head.hash, hash, state) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    s->head.seq = seq;
    memcpy(s->head.hash, hash, sizeof hash);
    s->head.dirty = 1;
    return RA_OK;
}

ra_status rs_audit_groups(ra_store *s, const ra_store_actor *a, const char *action,
                          const char *entity, const char *entity_id, const char *before,
                          const char *after, const rs_group *g, size_t n, ra_err *err)
{
    const uint8_t *key = NULL;
    ra_status rc = rs_get_audit_key(s, a->firm, &key, err);
    if (rc == RA_OK)
        rc = rs_head_get(s, err);
    if (rc != RA_OK)
        return rc;
    char *state = rs_state_text(s, a->firm, key, g, n, err);
    if (!state)
        return err ? err->code : RA_ENOMEM;
    rc = append_record(s, a, key, action, entity, entity_id, before, after, state, err);
    ra_free(state);
    return rc;
}

ra_status rs_audit_append_state(ra_store *s, const ra_store_actor *a, const uint8_t *key,
                                const char *action, const char *entity, const char *entity_id,
                                const char *before, const char *after, const char *state,
                                ra_err *err)
{
    return append_record(s, a, key, action, entity, entity_id, before, after, state, err);
}

ra_status ra_store_audit_seal(ra_store *s, const ra_store_actor *actor, uint64_t *n_groups,
                              ra_err *err)
{
    if (n_groups)
        *n_groups = 0;
    firm_row firm;
    const uint8_t *key = NULL;
    size_t n = 0;
    ra_status rc = sq_write_start(s, actor, &firm, err);
    if (rc == RA_OK && s->schema_version < RS_SCHEMA_KEYED)
        rc = ra_err_set(err, RA_EINVAL, NULL, "the database has no keyed audit trail (schema "
                        "version %d, need %d): run roboadvisor init", s->schema_version,
                        RS_SCHEMA_KEYED);
    if (rc == RA_OK)
        rc = rs_get_audit_key(s, actor->firm, &key, err);
    if (rc != RA_OK || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    char *state = rs_state_all(s, actor->firm, key, &n, err);
    rc = state ? rs_head_get(s, err) : (err ? err->code : RA_ENOMEM);
    char after[64];
    snprintf(after, sizeof after, "{\"groups\":%zu}", n);
    if (rc == RA_OK)
        rc = append_record(s, actor, key, "seal", "book", actor->firm, "null", after, state, err);
    ra_free(state);
    rc = sq_wend(s, rc, err);
    if (rc == RA_OK && n_groups)
        *n_groups = n;
    return rc;
}

ra_status rs_audit(ra_store *s, const ra_store_actor *a, const char *action,
                   const char *entity, const char *entity_id, const char *before,
                   const char *after, ra_err *err)
{
    rs_group g[RS_ENTITY_TABLES];
    size_t n = rs_state_groups(entity, entity_id, g);
    return rs_audit_groups(s, a, action, entity, entity_id, before, after, g, n, err);
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

/* The firms whose records or rows the verification meets, with their audit keys (NULL for a firm
 * with rows but no keyed record: its rows then have no audit record). Loaded before the chain is
 * read, so that a key provider's queries never interleave with the chain's. */
typedef struct firm_keys {
    char (*firm)[RA_CODE_MAX];
    const uint8_t **key;
    size_t n;
} firm_keys;

static void firm_keys_free(firm_keys *k)
{
    ra_free(k->firm);
    ra_free(k->key);
    memset(k, 0, sizeof *k);
}

static ra_status firm_keys_load(ra_store *s, int64_t keyed_from, firm_keys *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_db_stmt *st = sq_prep(s, "SELECT firm, 1 FROM audit_log WHERE seq >= ? GROUP BY firm "
                                "UNION SELECT code, 0 FROM firms ORDER BY 1, 2 DESC", err);
    if (!st || sq_bind(s, st, err, "i", keyed_from) != RA_OK)
        return sq_err(err);
    size_t cap = 0;
    int *in_log = NULL, r;
    ra_status rc = RA_OK;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW) {
        const char *f = sq_text(s, st, 0);
        if (out->n && strcmp(out->firm[out->n - 1], f) == 0)
            continue; /* in the log and in firms: the first row (in the log) holds */
        if (out->n == cap) {
            cap = cap ? 2 * cap : 8;
            char (*g)[RA_CODE_MAX] = ra_realloc(out->firm, cap * sizeof *g);
            int *gi = g ? ra_realloc(in_log, cap * sizeof *gi) : NULL;
            if (g)
                out->firm = g;
            if (gi)
                in_log = gi;
            if (!g || !gi) {
                rc = sq_nomem(err, "the firm list");
                break;
            }
        }
        sq_copy(out->firm[out->n], RA_CODE_MAX, f);
        in_log[out->n++] = (int)sq_int(s, st, 1);
    }
    s->ops->reset(st);
    if (rc == RA_OK && r < 0)
        rc = sq_err(err);
    if (rc == RA_OK && out->n && !(out->key = ra_calloc(out->n, sizeof *out->key)))
        rc = sq_nomem(err, "the firm list");
    for (size_t i = 0; i < out->n && rc == RA_OK; i++) {
        ra_err e = {0};
        if (rs_get_audit_key(s, out->firm[i], &out->key[i], &e) == RA_OK)
            continue;
        out->key[i] = NULL;
        if (in_log[i])
            rc = ra_err_set(err, RA_EINVAL, NULL, "cannot verify the audit records of firm %s "
                            "without its key (give a key file or ROBOADVISOR_KEY)",
                            out->firm[i]);
    }
    ra_free(in_log);
    if (rc != RA_OK)
        firm_keys_free(out);
    return rc;
}

static const uint8_t *key_of(const firm_keys *k, const char *firm)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->firm[i], firm) == 0)
            return k->key[i];
    return NULL;
}

/* The chain: seq by seq, each record's hash (keyed from keyed_from on) and its link; the state
 * lines of keyed records into map. *expect ends one past the last record. */
static ra_status verify_chain(ra_store *s, int64_t keyed_from, const firm_keys *fk,
                              rs_state_map *map, char prev[65], int64_t *expect, uint64_t *bad,
                              ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, s->schema_version >= RS_SCHEMA_KEYED
                                    ? "SELECT seq, at, user_name, firm, action, entity, entity_id, "
                                      "before_json, after_json, prev_hash, hash, state FROM "
                                      "audit_log ORDER BY seq"
                                    : "SELECT seq, at, user_name, firm, action, entity, entity_id, "
                                      "before_json, after_json, prev_hash, hash, '' FROM "
                                      "audit_log ORDER BY seq",
                             err);
    if (!st)
        return sq_err(err);
    ra_status rc = RA_OK;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        int64_t seq = sq_int(s, st, 0);
        char h[65];
        if (seq != *expect) {
            *bad = (uint64_t)*expect;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            seq > *expect ? "audit record %lld is missing (deleted)"
                                          : "audit record %lld is out of sequence",
                            (long long)*expect);
            break;
        }
        int keyed = seq >= keyed_from;
        const char *firm = sq_text(s, st, 3), *state = sq_text(s, st, 11);
        const uint8_t *key = keyed ? key_of(fk, firm) : NULL;
        if (keyed && !key) {
            *bad = (uint64_t)seq;
            rc = ra_err_set(err, RA_EINVAL, NULL, "cannot verify audit record %lld of firm %s "
                            "without its key", (long long)seq, firm);
            break;
        }
        rs_audit_hash(key, prev, seq, sq_int(s, st, 1), sq_text(s, st, 2), firm,
                      sq_text(s, st, 4), sq_text(s, st, 5), sq_text(s, st, 6), sq_text(s, st, 7),
                      sq_text(s, st, 8), keyed ? state : NULL, h);
        if (strcmp(sq_text(s, st, 9), prev) != 0 || strcmp(sq_text(s, st, 10), h) != 0) {
            *bad = (uint64_t)seq;
            rc = ra_err_set(err, RA_ECONFLICT, NULL,
                            "audit record %lld does not match its hash (edited, inserted or "
                            "rehashed without the firm's key)",
                            (long long)seq);
            break;
        }
        if (keyed && *state && (rc = rs_state_map_add(map, firm, state, seq, err)) != RA_OK) {
            *bad = (uint64_t)seq;
            break;
        }
        memcpy(prev, h, 65);
        (*expect)++;
    }
    s->ops->reset(st);
    return rc == RA_OK && r < 0 ? sq_err(err) : rc;
}

/* The head must name the last record. */
static ra_status verify_head(ra_store *s, const char prev[65], int64_t expect, uint64_t *bad,
                             ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
    if (!st)
        return sq_err(err);
    int r = s->ops->step(st, err);
    if (r < 0)
        return sq_err(err);
    ra_status rc = RA_OK;
    if (r != RA_DB_ROW) {
        *bad = (uint64_t)expect;
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the audit head is missing");
    } else if (sq_int(s, st, 0) != expect - 1 || strcmp(sq_text(s, st, 1), prev) != 0) {
        int longer = sq_int(s, st, 0) > expect - 1;
        *bad = (uint64_t)(longer ? expect : expect - 1);
        rc = ra_err_set(err, RA_ECONFLICT, NULL,
                        longer ? "audit record %lld is missing (the newest records were deleted)"
                               : "audit record %lld does not match the chain head",
                        (long long)*bad);
    }
    s->ops->reset(st);
    return rc;
}

static ra_status keyed_from_of(ra_store *s, int64_t *v, ra_err *err)
{
    *v = INT64_MAX; /* before RS_SCHEMA_KEYED: every record unkeyed */
    if (s->schema_version < RS_SCHEMA_KEYED)
        return RA_OK;
    ra_db_stmt *st = sq_prep(s, "SELECT keyed_from FROM audit_head WHERE id = 1", err);
    return st ? sq_one(s, st, 1, v, err) : sq_err(err);
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
    int64_t keyed_from = 1;
    if (rc == RA_OK)
        rc = keyed_from_of(s, &keyed_from, err);
    firm_keys fk = {0};
    if (rc == RA_OK)
        rc = firm_keys_load(s, keyed_from, &fk, err);
    if (rc != RA_OK)
        return rc;
    rs_state_map *map = rs_state_map_create();
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t expect = 1;
    uint64_t bad = 0;
    rc = map ? verify_chain(s, keyed_from, &fk, map, prev, &expect, &bad, err)
             : sq_nomem(err, "the audited state");
    if (rc == RA_OK)
        rc = verify_head(s, prev, expect, &bad, err);
    if (rc == RA_OK && s->schema_version >= RS_SCHEMA_KEYED) {
        const char **names = ra_calloc(fk.n ? fk.n : 1, sizeof *names);
        if (!names)
            rc = sq_nomem(err, "the firm list");
        for (size_t i = 0; i < fk.n && names; i++)
            names[i] = fk.firm[i];
        if (rc == RA_OK)
            rc = rs_state_verify(s, map, names, fk.key, fk.n, err);
        ra_free(names);
    }
    rs_state_map_destroy(map);
    firm_keys_free(&fk);
    if (n_records)
        *n_records = (uint64_t)(expect - 1);
    if (first_bad)
        *first_bad = bad;
    return rc;
}

/* --- checkpoints ------------------------------------------------------------------------------ */

static void checkpoint_mac(const uint8_t *key, const ra_store_checkpoint *cp, char out[65])
{
    static const char label[] = "roboadvisor audit checkpoint v1";
    char num[32];
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, RA_STORE_KEY_BYTES, sizeof h);
    canon_field(&st, label);
    canon_field(&st, cp->firm);
    snprintf(num, sizeof num, "%llu", (unsigned long long)cp->seq);
    canon_field(&st, num);
    canon_field(&st, cp->head);
    snprintf(num, sizeof num, "%lld", (long long)cp->at);
    canon_field(&st, num);
    crypto_generichash_final(&st, h, sizeof h);
    rs_hex(h, sizeof h, out);
}

ra_status ra_store_audit_checkpoint(ra_store *s, const char *firm, ra_store_checkpoint *out,
                                    ra_err *err)
{
    memset(out, 0, sizeof *out);
    const uint8_t *key = NULL;
    ra_status rc = sq_need_schema(s, err);
    if (rc == RA_OK)
        rc = sq_check_code(firm, "firm code", 1, err);
    if (rc == RA_OK)
        rc = rs_get_audit_key(s, firm, &key, err);
    if (rc == RA_OK)
        rc = rs_head_flush(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
    int r = st ? s->ops->step(st, err) : -1;
    if (r != RA_DB_ROW)
        return r < 0 ? sq_err(err)
                     : ra_err_set(err, RA_ECONFLICT, NULL, "the audit head is missing");
    sq_copy(out->firm, sizeof out->firm, firm);
    out->seq = (uint64_t)sq_int(s, st, 0);
    sq_copy(out->head, sizeof out->head, sq_text(s, st, 1));
    s->ops->reset(st);
    out->at = ra_store_now(s);
    checkpoint_mac(key, out, out->mac);
    return RA_OK;
}

ra_status ra_store_audit_verify_checkpoint(ra_store *s, const ra_store_checkpoint *cp,
                                           uint64_t *n_records, uint64_t *first_bad,
                                           ra_err *err)
{
    const uint8_t *key = NULL;
    ra_status rc = sq_need_schema(s, err);
    if (rc == RA_OK)
        rc = rs_get_audit_key(s, cp->firm, &key, err);
    if (rc != RA_OK)
        return rc;
    char mac[65];
    checkpoint_mac(key, cp, mac);
    if (strlen(cp->mac) != 64 || sodium_memcmp(mac, cp->mac, 64) != 0)
        return ra_err_set(err, RA_ECONFLICT, NULL, "the checkpoint does not verify: it was "
                          "altered, or made with another key than firm %s's", cp->firm);
    uint64_t n = 0, bad = 0;
    rc = ra_store_audit_verify(s, &n, &bad, err);
    if (rc == RA_OK && n < cp->seq) {
        bad = n + 1;
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "audit record %llu of the checkpoint is missing "
                        "(the log has %llu records: records were removed)",
                        (unsigned long long)cp->seq, (unsigned long long)n);
    }
    if (rc == RA_OK && cp->seq > 0) {
        ra_db_stmt *st = sq_prep(s, "SELECT hash FROM audit_log WHERE seq = ?", err);
        int r = st && sq_bind(s, st, err, "i", (int64_t)cp->seq) == RA_OK ? s->ops->step(st, err)
                                                                          : -1;
        if (r < 0)
            rc = sq_err(err);
        else if (r != RA_DB_ROW || strcmp(sq_text(s, st, 0), cp->head) != 0) {
            bad = cp->seq;
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "audit record %llu differs from the "
                            "checkpoint: records at or before it were changed",
                            (unsigned long long)cp->seq);
        }
        if (st)
            s->ops->reset(st);
    }
    if (n_records)
        *n_records = n;
    if (first_bad)
        *first_bad = bad;
    return rc;
}

#define CHECKPOINT_FORMAT "roboadvisor audit checkpoint 1"

ra_status ra_store_checkpoint_format(const ra_store_checkpoint *cp,
                                     char buf[RA_STORE_CHECKPOINT_MAX], ra_err *err)
{
    json_t *o = json_object();
    rs_jstr(o, "format", CHECKPOINT_FORMAT);
    rs_jstr(o, "firm", cp->firm);
    rs_jint(o, "seq", (int64_t)cp->seq);
    rs_jstr(o, "head", cp->head);
    rs_jint(o, "at", cp->at);
    rs_jstr(o, "mac", cp->mac);
    char *t = rs_json_dump(o);
    if (!t)
        return sq_nomem(err, "a checkpoint");
    size_t n = strlen(t);
    ra_status rc = n + 1 < RA_STORE_CHECKPOINT_MAX
                       ? RA_OK
                       : ra_err_set(err, RA_EINVAL, NULL, "the checkpoint is too long");
    if (rc == RA_OK)
        memcpy(buf, t, n + 1);
    rs_json_free(t);
    return rc;
}

static int is_hex64(const char *v)
{
    if (strlen(v) != 64)
        return 0;
    for (const char *p = v; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

ra_status ra_store_checkpoint_parse(const char *text, size_t len, ra_store_checkpoint *out,
                                    ra_err *err)
{
    memset(out, 0, sizeof *out);
    if (len >= RA_STORE_CHECKPOINT_MAX)
        return ra_err_set(err, RA_EPARSE, "$", "a checkpoint is at most %d bytes, got %zu",
                          RA_STORE_CHECKPOINT_MAX - 1, len);
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return ra_err_set(err, RA_EPARSE, "$", "a checkpoint is one JSON object");
    }
    static const char *const names[] = {"format", "firm", "seq", "head", "at", "mac"};
    ra_status rc = RA_OK;
    for (size_t i = 0; i < 6 && rc == RA_OK; i++) {
        json_t *v = json_object_get(o, names[i]);
        char where[16];
        snprintf(where, sizeof where, "$.%s", names[i]);
        int num = i == 2 || i == 4;
        if (!v || (num ? !json_is_integer(v) : !json_is_string(v))) {
            rc = ra_err_set(err, RA_EPARSE, where, "missing or not %s", num ? "an integer"
                                                                              : "a string");
            break;
        }
        const char *sv = num ? "" : json_string_value(v);
        if ((i == 0 && strcmp(sv, CHECKPOINT_FORMAT) != 0) ||
            (i == 1 && (!*sv || strlen(sv) >= RA_CODE_MAX)) ||
            ((i == 3 || i == 5) && !is_hex64(sv)) ||
            (i == 2 && json_integer_value(v) < 0))
            rc = ra_err_set(err, RA_EPARSE, where, i == 0 ? "not a roboadvisor checkpoint"
                                                          : "malformed");
        else if (i == 1)
            sq_copy(out->firm, sizeof out->firm, sv);
        else if (i == 2)
            out->seq = (uint64_t)json_integer_value(v);
        else if (i == 3)
            sq_copy(out->head, sizeof out->head, sv);
        else if (i == 4)
            out->at = (int64_t)json_integer_value(v);
        else if (i == 5)
            sq_copy(out->mac, sizeof out->mac, sv);
    }
    json_decref(o);
    if (rc != RA_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *actor, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err)
{
    return rs_audit(s, actor, action, entity, entity_id, before, after, err);
}

