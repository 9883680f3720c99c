/* roboadvisor store: firm keys and the encryption of personal data (store.h, store_int.h;
 * docs/methodology.md#book-of-record-and-storage). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rs_hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* --- keys and personal data ------------------------------------------------------------------ */

ra_status ra_store_key_generate(uint8_t key[RA_STORE_KEY_BYTES], ra_err *err)
{
    if (sodium_init() < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "could not initialise libsodium");
    randombytes_buf(key, RA_STORE_KEY_BYTES);
    return RA_OK;
}

ra_status ra_store_key_parse(const char *hex, size_t len, uint8_t key[RA_STORE_KEY_BYTES],
                             ra_err *err)
{
    while (len && (hex[0] == ' ' || hex[0] == '\t' || hex[0] == '\n' || hex[0] == '\r')) {
        hex++;
        len--;
    }
    while (len && (hex[len - 1] == ' ' || hex[len - 1] == '\t' || hex[len - 1] == '\n' ||
                   hex[len - 1] == '\r'))
        len--;
    if (len != 2 * RA_STORE_KEY_BYTES)
        return ra_err_set(err, RA_EPARSE, NULL, "a key is 64 hexadecimal digits, got %zu "
                          "characters", len);
    for (size_t i = 0; i < RA_STORE_KEY_BYTES; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                sodium_memzero(key, RA_STORE_KEY_BYTES);
                return ra_err_set(err, RA_EPARSE, NULL, "a key is 64 hexadecimal digits: "
                                  "character %zu is not one", 2 * i + (size_t)k + 1);
            }
            v = v * 16 + d;
        }
        key[i] = (uint8_t)v;
    }
    return RA_OK;
}

char *ra_store_key_format(const uint8_t key[RA_STORE_KEY_BYTES], char buf[65])
{
    rs_hex(key, RA_STORE_KEY_BYTES, buf);
    return buf;
}

/* The keyed check value stored with a firm: proves a key is the firm's without storing it. */
void rs_key_check(const char *firm, const uint8_t key[RA_STORE_KEY_BYTES], char out[65])
{
    static const char label[] = "roboadvisor firm key check v1";
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, RA_STORE_KEY_BYTES, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label);
    crypto_generichash_update(&st, (const uint8_t *)firm, strlen(firm));
    crypto_generichash_final(&st, h, sizeof h);
    rs_hex(h, sizeof h, out);
}

static ra_status stored_key_check(ra_store *s, const char *firm, char out[65], int *found,
                                  ra_err *err)
{
    *found = 0;
    if (s->schema_version == 0)
        return RA_OK;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, "SELECT key_check FROM firms WHERE code = ?", "t", firm);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW) {
        sq_copy(out, 65, sq_text(s, st, 0));
        *found = 1;
    }
    s->ops->reset(st);
    return RA_OK;
}

/* The firm's audit key: a subkey of its key (libsodium crypto_kdf: BLAKE2b keyed with the key,
 * subkey id 1, context "raaudit1"), so that the key that encrypts personal data and the one that
 * chains the audit trail are never the same bytes, and neither is stored. */
static void derive_audit_key(const uint8_t key[RA_STORE_KEY_BYTES],
                             uint8_t out[RA_STORE_KEY_BYTES])
{
    (void)crypto_kdf_derive_from_key(out, RA_STORE_KEY_BYTES, 1, "raaudit1", key);
}

static ra_status cache_key(ra_store *s, const char *firm, const uint8_t key[RA_STORE_KEY_BYTES],
                           ra_err *err)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i].firm, firm) == 0) {
            memcpy(s->keys[i].key, key, RA_STORE_KEY_BYTES);
            derive_audit_key(key, s->keys[i].audit_key);
            return RA_OK;
        }
    if (s->n_keys == s->cap_keys) {
        size_t cap = s->cap_keys ? 2 * s->cap_keys : 4;
        firm_key *g = ra_calloc(cap, sizeof *g);
        if (!g)
            return sq_nomem(err, "a key");
        if (s->keys) {
            memcpy(g, s->keys, s->n_keys * sizeof *g);
            sodium_memzero(s->keys, s->cap_keys * sizeof *s->keys);
            ra_free(s->keys);
        }
        s->keys = g;
        s->cap_keys = cap;
    }
    sq_copy(s->keys[s->n_keys].firm, RA_CODE_MAX, firm);
    memcpy(s->keys[s->n_keys].key, key, RA_STORE_KEY_BYTES);
    derive_audit_key(key, s->keys[s->n_keys].audit_key);
    s->n_keys++;
    return RA_OK;
}

static ra_status verify_key(ra_store *s, const char *firm, const uint8_t key[RA_STORE_KEY_BYTES],
                            ra_err *err)
{
    char stored[65], mine[65];
    int found = 0;
    ra_status rc = stored_key_check(s, firm, stored, &found, err);
    if (rc != RA_OK)
        return rc;
    if (found) {
        rs_key_check(firm, key, mine);
        if (sodium_memcmp(mine, stored, 64) != 0)
            return ra_err_set(err, RA_ECONFLICT, NULL, "the key does not match firm %s", firm);
    }
    return RA_OK;
}

ra_status ra_store_set_firm_key(ra_store *s, const char *firm,
                                const uint8_t key[RA_STORE_KEY_BYTES], ra_err *err)
{
    ra_status rc = sq_check_code(firm, "firm code", 1, err);
    if (rc == RA_OK)
        rc = verify_key(s, firm, key, err);
    return rc == RA_OK ? cache_key(s, firm, key, err) : rc;
}

void ra_store_set_key_provider(ra_store *s, ra_store_key_fn fn, void *ctx)
{
    s->key_fn = fn;
    s->key_ctx = ctx;
}

ra_status rs_get_key(ra_store *s, const char *firm, const uint8_t **key, ra_err *err)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i].firm, firm) == 0) {
            *key = s->keys[i].key;
            return RA_OK;
        }
    if (!s->key_fn)
        return ra_err_set(err, RA_EINVAL, NULL, "no personal-data key for firm %s (give a key "
                          "file or ROBOADVISOR_KEY)", firm);
    uint8_t k[RA_STORE_KEY_BYTES];
    ra_status rc = s->key_fn(s->key_ctx, firm, k, err);
    if (rc == RA_OK)
        rc = ra_store_set_firm_key(s, firm, k, err);
    sodium_memzero(k, sizeof k);
    if (rc != RA_OK)
        return rc;
    return rs_get_key(s, firm, key, err);
}

ra_status rs_get_audit_key(ra_store *s, const char *firm, const uint8_t **key, ra_err *err)
{
    const uint8_t *k = NULL;
    ra_status rc = rs_get_key(s, firm, &k, err);
    if (rc == RA_EINVAL && !s->key_fn)
        return ra_err_set(err, RA_EINVAL, NULL, "no key for firm %s: the audit trail is keyed "
                          "with a key derived from it (give a key file or ROBOADVISOR_KEY)",
                          firm);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i].firm, firm) == 0) {
            *key = s->keys[i].audit_key;
            return RA_OK;
        }
    return ra_err_set(err, RA_EINTERNAL, NULL, "the key of firm %s vanished", firm);
}

#define RS_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define RS_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define RS_ENC_MAX (RS_NONCE_BYTES + RA_PII_MAX + RS_TAG_BYTES)

/* Associated data: firm, kind, code and field, so a ciphertext cannot be moved to another record
 * or field without failing authentication. */
static size_t make_ad(char *ad, size_t cap, const char *firm, const char *kind, const char *code,
                      const char *field)
{
    int n = snprintf(ad, cap, "%s\x1f%s\x1f%s\x1f%s", firm, kind, code, field);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* out (RS_ENC_MAX bytes) = nonce || ciphertext+tag; *n its length. */
void rs_encrypt(const uint8_t *key, const char *firm, const char *kind, const char *code,
                          const char *field, const char *plain, uint8_t *out, size_t *n)
{
    char ad[4 * RA_CODE_MAX + 8];
    size_t adn = make_ad(ad, sizeof ad, firm, kind, code, field);
    size_t len = strnlen(plain, RA_PII_MAX - 1);
    randombytes_buf(out, RS_NONCE_BYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + RS_NONCE_BYTES, &clen, (const uint8_t *)plain,
                                               len, (const uint8_t *)ad, adn, NULL, out, key);
    *n = RS_NONCE_BYTES + (size_t)clen;
}

ra_status rs_decrypt(const uint8_t *key, const char *firm, const char *kind,
                               const char *code, const char *field, const uint8_t *in, size_t n,
                               char *out, ra_err *err)
{
    char ad[4 * RA_CODE_MAX + 8];
    size_t adn = make_ad(ad, sizeof ad, firm, kind, code, field);
    unsigned long long plen = 0;
    if (n < RS_NONCE_BYTES + RS_TAG_BYTES || n - RS_NONCE_BYTES - RS_TAG_BYTES >= RA_PII_MAX ||
        crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)out, &plen, NULL, in + RS_NONCE_BYTES,
                                                   n - RS_NONCE_BYTES, (const uint8_t *)ad, adn, in,
                                                   key) != 0) {
        out[0] = 0;
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "could not decrypt the %s of %s %s (firm %s): wrong key or altered data",
                          field, kind, code, firm);
    }
    out[plen] = 0;
    return RA_OK;
}

