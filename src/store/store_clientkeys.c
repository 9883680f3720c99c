/* roboadvisor store: the clients' data keys (envelope encryption) and their erasure
 * (crypto-shredding); docs/methodology.md#envelope-encryption-and-erasure, 0021_resources.sql.
 *
 * Each client's personal data is encrypted under a random data key of its own (32 bytes from
 * libsodium's randombytes), stored only wrapped by the firm's key: XChaCha20-Poly1305 with a
 * random nonce and, as associated data, a label, the firm and the client's code, so that a
 * wrapped key moved to another client fails to unwrap. Erasing a client destroys the wrapped key
 * and the ciphertexts in its row: every copy of its personal data left elsewhere (the audit
 * trail's records, comments, backups made afterwards that hold those records) is ciphertext under
 * a key that no longer exists. */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <string.h>

#define WRAP_LABEL "roboadvisor client data key v1"
#define WRAPPED_BYTES (RS_NONCE_BYTES + RA_STORE_KEY_BYTES + RS_TAG_BYTES)

static size_t wrap_ad(char *ad, size_t cap, const char *firm, const char *code)
{
    int n = snprintf(ad, cap, "%s\x1f%s\x1f%s", WRAP_LABEL, firm, code);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

ra_status rs_dek_load(ra_store *s, const uint8_t *fkey, const char *firm, const char *code,
                      int64_t client_id, rs_dek *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    if (s->schema_version < RS_SCHEMA_CLIENT_KEYS || !client_id)
        return RA_OK;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT wrapped, erased_at FROM client_keys WHERE client_id = ?", "i",
                     client_id);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE)
        return RA_OK; /* under the firm's key (a book older than 0021, not yet re-encrypted) */
    size_t n = 0;
    const uint8_t *w = s->ops->col_blob(st, 0, &n);
    int erased = n == 0 || sq_int(s, st, 1) != 0; /* emptied by the erasure */
    uint8_t wrapped[WRAPPED_BYTES];
    int sized = n == WRAPPED_BYTES && w;
    if (sized)
        memcpy(wrapped, w, n);
    s->ops->reset(st);
    if (erased) {
        d->state = RS_DEK_ERASED;
        return RA_OK;
    }
    char ad[3 * RA_CODE_MAX + 40];
    size_t adn = wrap_ad(ad, sizeof ad, firm, code);
    unsigned long long kn = 0;
    if (!sized ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(d->key, &kn, NULL, wrapped + RS_NONCE_BYTES,
                                                   WRAPPED_BYTES - RS_NONCE_BYTES,
                                                   (const uint8_t *)ad, adn, wrapped,
                                                   fkey) != 0 ||
        kn != RA_STORE_KEY_BYTES) {
        sodium_memzero(d, sizeof *d);
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "could not unwrap the data key of client %s (firm %s): wrong key or "
                          "altered data", code, firm);
    }
    d->state = RS_DEK_LIVE;
    return RA_OK;
}

ra_status rs_dek_store(ra_store *s, const uint8_t *fkey, const char *firm, const char *code,
                       int64_t client_id, const uint8_t dek[RA_STORE_KEY_BYTES], ra_err *err)
{
    uint8_t wrapped[WRAPPED_BYTES];
    char ad[3 * RA_CODE_MAX + 40];
    size_t adn = wrap_ad(ad, sizeof ad, firm, code);
    randombytes_buf(wrapped, RS_NONCE_BYTES);
    unsigned long long cn = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped + RS_NONCE_BYTES, &cn, dek,
                                               RA_STORE_KEY_BYTES, (const uint8_t *)ad, adn, NULL,
                                               wrapped, fkey);
    ra_db_stmt *st = sq_prep(s, "INSERT INTO client_keys (client_id, wrapped, created_at) "
                                "VALUES (?, ?, ?)", err);
    ra_status rc = st ? sq_bind(s, st, err, "ibi", client_id, (const void *)wrapped,
                                (size_t)WRAPPED_BYTES, ra_store_now(s))
                      : sq_err(err);
    return rc == RA_OK ? sq_run(s, st, err) : rc;
}

/* The key that encrypts client `code`'s fields: its data key, or the firm's for a client not yet
 * re-encrypted; NULL when the client was erased. */
const uint8_t *rs_dek_key(const rs_dek *d, const uint8_t *fkey)
{
    return d->state == RS_DEK_LIVE ? d->key : d->state == RS_DEK_NONE ? fkey : NULL;
}

ra_status ra_store_client_erase(ra_store *s, const ra_store_actor *actor, const char *code,
                                int *already, ra_err *err)
{
    int dummy;
    already = already ? already : &dummy;
    *already = 0;
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = sq_need_version(s, RS_SCHEMA_CLIENT_KEYS, "client erasure", err);
    firm_row firm;
    const uint8_t *key = NULL;
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, &firm, err);
    if (rc == RA_OK)
        rc = rs_get_key(s, actor->firm, &key, err);
    if (rc != RA_OK)
        return rc;
    /* SQLite: freed cells and pages are overwritten with zeros, so that the wrapped key and the
     * ciphertexts do not linger in the file's free space */
    if (strcmp(s->ops->name, "sqlite") == 0 &&
        (rc = s->ops->exec(s->db, "PRAGMA secure_delete = ON", err)) != RA_OK)
        return rc;
    if ((rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    int64_t id = 0;
    rc = sq_id_of(s, SQ_CLIENT_ID, firm.id, code, "client", &id, err);
    rs_dek d;
    if (rc == RA_OK)
        rc = rs_dek_load(s, key, actor->firm, code, id, &d, err);
    if (rc == RA_OK && d.state == RS_DEK_ERASED)
        *already = 1;
    if (rc == RA_OK && !*already) {
        static const uint8_t none[1] = {0};
        int64_t now = ra_store_now(s);
        ra_db_stmt *st = sq_prep(s, "UPDATE clients SET name_enc = ?, email_enc = ?, tax_id_enc = "
                                    "?, address_enc = ?, birth_year = 0 WHERE id = ?", err);
        rc = st ? sq_bind(s, st, err, "bbbbi", (const void *)none, (size_t)0, (const void *)none,
                          (size_t)0, (const void *)none, (size_t)0, (const void *)none, (size_t)0,
                          id)
                : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
        if (rc == RA_OK) {
            st = d.state == RS_DEK_LIVE
                     ? sq_prep(s, "UPDATE client_keys SET wrapped = ?, erased_at = ?, erased_by = "
                                  "? WHERE client_id = ?", err)
                     : sq_prep(s, "INSERT INTO client_keys (wrapped, erased_at, erased_by, "
                                  "client_id, created_at) VALUES (?, ?, ?, ?, ?)", err);
            rc = st ? sq_bind(s, st, err, d.state == RS_DEK_LIVE ? "biti" : "bitii",
                              (const void *)none, (size_t)0, now, actor->user, id, now)
                    : sq_err(err);
            if (rc == RA_OK)
                rc = sq_run(s, st, err);
        }
        /* the record names the client's code and when: no personal data, no key */
        json_t *after = json_object();
        rs_jstr(after, "code", code);
        rs_jint(after, "erased_at", now);
        rc = rs_audit_change(s, rc, actor, "erase", "client", code, NULL, after, err);
    }
    sodium_memzero(&d, sizeof d);
    rc = sq_wend(s, rc, err);
    if (rc == RA_OK && !*already && strcmp(s->ops->name, "sqlite") == 0 && !s->in_txn)
        (void)s->ops->exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    return rc;
}

typedef struct legacy_ctx {
    char (*codes)[RA_CODE_MAX];
    size_t n, cap;
} legacy_ctx;

static ra_status legacy_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    legacy_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        void *g = ra_realloc(c->codes, cap * sizeof *c->codes);
        if (!g)
            return sq_nomem(err, "the clients to re-encrypt");
        c->codes = g;
        c->cap = cap;
    }
    sq_copy(c->codes[c->n++], RA_CODE_MAX, sq_text(s, st, 0));
    return RA_OK;
}

ra_status ra_store_client_keys_migrate(ra_store *s, const ra_store_actor *actor, size_t *n,
                                       ra_err *err)
{
    size_t dummy;
    n = n ? n : &dummy;
    *n = 0;
    firm_row firm;
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = sq_need_version(s, RS_SCHEMA_CLIENT_KEYS, "client data keys", err);
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, &firm, err);
    legacy_ctx c = {NULL, 0, 0};
    if (rc == RA_OK)
        rc = sq_each(s, err, legacy_row, &c,
                     "SELECT c.code FROM clients c WHERE c.firm_id = ? AND NOT EXISTS (SELECT 1 "
                     "FROM client_keys k WHERE k.client_id = c.id) ORDER BY c.code",
                     "i", firm.id);
    /* a put of a client without a data key writes it under a new one (store_parties.c); one
     * transaction per client: an interrupted run resumes where it stopped */
    for (size_t i = 0; i < c.n && rc == RA_OK; i++) {
        ra_client cl;
        rc = ra_store_client_get(s, actor->firm, c.codes[i], &cl, err);
        if (rc == RA_OK)
            rc = ra_store_client_put(s, actor, &cl, err);
        sodium_memzero(&cl, sizeof cl);
        *n += rc == RA_OK;
    }
    ra_free(c.codes);
    return rc;
}
