/* TEMPORARY implementation of store_hook.h from outside store.c (see store_hook.h). Delete this
 * file once store.c provides ra_store_db and ra_store_audit_append.
 *
 * ra_store_db relies on struct ra_store (store.c) beginning with its `ra_db *db` member: a pointer
 * to a struct converted to a pointer to its first member is well defined (C11 6.7.2.1p15).
 * ra_store_audit_append writes a record as defined in docs/methodology.md#audit-trail (BLAKE2b-256
 * over the length-prefixed fields, chained through audit_head), which ra_store_audit_verify
 * checks; the tests verify the chain after every kind of write of store_profiles.c. */
#include "store/store_hook.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

ra_db *ra_store_db(ra_store *s) { return *(ra_db **)(void *)s; }

static void field(crypto_generichash_state *h, const char *v)
{
    size_t n = strlen(v);
    uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, be, sizeof be);
    crypto_generichash_update(h, (const uint8_t *)v, n);
}

static ra_status step_done(ra_db *db, ra_db_stmt *st, ra_err *err)
{
    int r;
    while ((r = db->ops->step(st, err)) == RA_DB_ROW)
        ;
    return r < 0 ? (err && err->code != RA_OK ? err->code : RA_EIO) : RA_OK;
}

ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *a, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err)
{
    ra_db *db = ra_store_db(s);
    const ra_db_ops *o = db->ops;
    ra_db_stmt *st = NULL;
    ra_status rc = o->exec(db, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1", err);
    if (rc != RA_OK)
        return rc;
    if ((rc = o->prepare(db, "SELECT seq, hash FROM audit_head WHERE id = 1", &st, err)) != RA_OK)
        return rc;
    int r = o->step(st, err);
    if (r != RA_DB_ROW) {
        o->finalize(st);
        return r < 0 ? (err ? err->code : RA_EIO)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "the audit head is missing");
    }
    int64_t seq = o->col_int64(st, 0);
    char prev[RA_STORE_HASH_HEX], hash[RA_STORE_HASH_HEX];
    snprintf(prev, sizeof prev, "%s", o->col_text(st, 1));
    o->finalize(st);
    int64_t at = (int64_t)time(NULL);
    char num[32];
    uint8_t h[32];
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, sizeof h);
    field(&hs, prev);
    snprintf(num, sizeof num, "%lld", (long long)seq);
    field(&hs, num);
    snprintf(num, sizeof num, "%lld", (long long)at);
    field(&hs, num);
    field(&hs, a->user);
    field(&hs, a->firm);
    field(&hs, action);
    field(&hs, entity);
    field(&hs, entity_id);
    field(&hs, before);
    field(&hs, after);
    crypto_generichash_final(&hs, h, sizeof h);
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    rc = o->prepare(db,
                    "INSERT INTO audit_log (seq, at, user_name, firm, action, entity, entity_id, "
                    "before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?)",
                    &st, err);
    if (rc != RA_OK)
        return rc;
    const char *text[] = {a->user, a->firm, action, entity, entity_id, before, after, prev, hash};
    rc = o->bind_int64(st, 1, seq, err);
    if (rc == RA_OK)
        rc = o->bind_int64(st, 2, at, err);
    for (int i = 0; i < 9 && rc == RA_OK; i++)
        rc = o->bind_text(st, i + 3, text[i], err);
    if (rc == RA_OK)
        rc = step_done(db, st, err);
    o->finalize(st);
    if (rc != RA_OK)
        return rc;
    if ((rc = o->prepare(db, "UPDATE audit_head SET hash = ? WHERE id = 1", &st, err)) != RA_OK)
        return rc;
    rc = o->bind_text(st, 1, hash, err);
    if (rc == RA_OK)
        rc = step_done(db, st, err);
    o->finalize(st);
    return rc;
}
