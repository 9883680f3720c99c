/* roboadvisor store: the HTTP API's keys, idempotency records and scoped pages
 * (include/roboadvisor/store_api.h; schema src/store/migrations/0019_api.sql).
 *
 * Why a keyed BLAKE2b (crypto_generichash) with a per-key salt and not crypto_pwhash: a slow
 * password hash defends low-entropy secrets (people's passwords) against guessing after a leak of
 * the table. An API key's secret is 256 bits from randombytes: guessing it from its hash is
 * 2^256 work whatever the hash costs, so Argon2's cost would buy nothing and would spend tens of
 * milliseconds of CPU and megabytes of memory on every request (a denial of service on its own).
 * The per-key salt keeps equal secrets (there are none, but still) from hashing alike and makes
 * the stored hash useless against any other key or book. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_api.h>

#include <stdio.h>
#include <string.h>

#define SALT_BYTES 16
#define SECRET_BYTES 32
#define CODE_BYTES (RA_APIKEY_CODE_LEN / 2)

static const char *const role_names[RA_ROLE_COUNT] = {"admin", "advisor", "client", "auditor"};

const char *ra_api_role_name(ra_api_role r)
{
    return (unsigned)r < RA_ROLE_COUNT ? role_names[r] : "?";
}

ra_status ra_api_role_parse(const char *str, ra_api_role *out, ra_err *err)
{
    for (int i = 0; i < RA_ROLE_COUNT; i++)
        if (str && strcmp(str, role_names[i]) == 0) {
            *out = (ra_api_role)i;
            return RA_OK;
        }
    return ra_err_set(err, RA_EINVAL, "role",
                      "no role \"%s\" (use admin, advisor, client or auditor)", str ? str : "");
}

static void secret_hash(const uint8_t salt[SALT_BYTES], const uint8_t *secret, size_t n,
                        char out[65])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, secret, n, salt, SALT_BYTES);
    rs_hex(h, sizeof h, out);
    sodium_memzero(h, sizeof h);
}

static int unhex(const char *p, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = p[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

static json_t *key_json(const ra_apikey *k)
{
    return json_pack("{s:s,s:s,s:s,s:I,s:I}", "code", k->code, "role", ra_api_role_name(k->role),
                     "user", k->user, "expires_at", (json_int_t)k->expires_at, "revoked_at",
                     (json_int_t)k->revoked_at);
}

#define KEY_COLS                                                                                 \
    "x.id, x.code, f.code, x.role, x.user_name, x.created_by, x.created_at, x.expires_at, "      \
    "x.revoked_at, x.salt, x.hash FROM api_keys x JOIN firms f ON f.id = x.firm_id "

typedef struct key_rows {
    ra_apikey *v;
    size_t n, cap;
    char salt[2 * SALT_BYTES + 1], hash[65]; /* of the last row */
} key_rows;

static ra_status key_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    key_rows *r = ctx;
    ra_apikey *g = sq_grow(r->v, r->n, &r->cap, sizeof *r->v, 8);
    if (!g)
        return sq_nomem(err, "the key list");
    r->v = g;
    ra_apikey *k = &r->v[r->n++];
    memset(k, 0, sizeof *k);
    k->id = sq_int(s, st, 0);
    sq_copy(k->code, sizeof k->code, sq_text(s, st, 1));
    sq_copy(k->firm, sizeof k->firm, sq_text(s, st, 2));
    ra_api_role role = RA_ROLE_CLIENT; /* the least power if the row were ever unreadable */
    if (ra_api_role_parse(sq_text(s, st, 3), &role, NULL) != RA_OK)
        role = RA_ROLE_CLIENT;
    k->role = role;
    sq_copy(k->user, sizeof k->user, sq_text(s, st, 4));
    sq_copy(k->created_by, sizeof k->created_by, sq_text(s, st, 5));
    k->created_at = sq_int(s, st, 6);
    k->expires_at = sq_int(s, st, 7);
    k->revoked_at = sq_int(s, st, 8);
    sq_copy(r->salt, sizeof r->salt, sq_text(s, st, 9));
    sq_copy(r->hash, sizeof r->hash, sq_text(s, st, 10));
    return RA_OK;
}

ra_status ra_store_apikey_create(ra_store *s, const ra_store_actor *actor, ra_api_role role,
                                 const char *user, int64_t expires_at,
                                 char key_out[RA_APIKEY_TEXT_MAX], ra_apikey *out, ra_err *err)
{
    key_out[0] = 0;
    if ((unsigned)role >= RA_ROLE_COUNT)
        return ra_err_set(err, RA_EINVAL, "role", "no role %d", (int)role);
    if (!user)
        user = "";
    int needs_user = role == RA_ROLE_ADVISOR || role == RA_ROLE_CLIENT;
    if (needs_user && !user[0])
        return ra_err_set(err, RA_EINVAL, "user", "a %s key needs --user (the %s's code)",
                          role_names[role], role_names[role]);
    if (!needs_user && user[0])
        return ra_err_set(err, RA_EINVAL, "user", "an %s key acts for the whole firm: no --user",
                          role_names[role]);
    ra_status rc = sq_check_code(user, "user", 0, err);
    if (rc != RA_OK)
        return rc;
    if (sodium_init() < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "could not initialise libsodium");
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RA_SCHEMA_API, "API keys", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t now = ra_store_now(s);
    if (expires_at < 0 || (expires_at && expires_at <= now))
        rc = ra_err_set(err, RA_EINVAL, "expires", "the expiry is not in the future");
    if (rc == RA_OK && needs_user) {
        int64_t id = 0;
        const char *sql = role == RA_ROLE_ADVISOR
                              ? "SELECT id FROM advisors WHERE firm_id = ? AND code = ?"
                              : "SELECT id FROM clients WHERE firm_id = ? AND code = ?";
        ra_db_stmt *st = sq_prep(s, sql, err);
        if (!st || sq_bind(s, st, err, "it", f.id, user) != RA_OK || sq_one(s, st, 0, &id, err))
            rc = sq_err(err);
        else if (!id)
            rc = ra_err_set(err, RA_ENOTFOUND, "user", "the firm has no %s %s", role_names[role],
                            user);
    }
    uint8_t code_b[CODE_BYTES], salt[SALT_BYTES], secret[SECRET_BYTES];
    char code[RA_APIKEY_CODE_LEN + 1], salt_hex[2 * SALT_BYTES + 1], secret_hex[65], hash[65];
    randombytes_buf(code_b, sizeof code_b);
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(secret, sizeof secret);
    rs_hex(code_b, sizeof code_b, code);
    rs_hex(salt, sizeof salt, salt_hex);
    rs_hex(secret, sizeof secret, secret_hex);
    /* the hash is over the secret's text, as the request presents it */
    secret_hash(salt, (const uint8_t *)secret_hex, 64, hash);
    ra_apikey k;
    memset(&k, 0, sizeof k);
    sq_copy(k.code, sizeof k.code, code);
    sq_copy(k.firm, sizeof k.firm, actor->firm);
    k.role = role;
    sq_copy(k.user, sizeof k.user, user);
    sq_copy(k.created_by, sizeof k.created_by, actor->user);
    k.created_at = now;
    k.expires_at = expires_at;
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO api_keys (firm_id, code, role, user_name, salt, "
                                    "hash, created_by, created_at, expires_at, revoked_at, "
                                    "revoked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
                                 err);
        if (!st || sq_bind(s, st, err, "itttttiii", f.id, code, role_names[role], user, salt_hex,
                           hash, actor->user, now, expires_at) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "create", "api_key", code, NULL, key_json(&k), err);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK) {
        snprintf(key_out, RA_APIKEY_TEXT_MAX, "ra_%s_%s", code, secret_hex);
        if (out)
            *out = k;
    }
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(secret_hex, sizeof secret_hex);
    return rc;
}

ra_status ra_store_apikey_list(ra_store *s, const char *firm, ra_apikey **out, size_t *n,
                               ra_err *err)
{
    *out = NULL;
    *n = 0;
    ra_status rc = sq_need_version(s, RA_SCHEMA_API, "API keys", err);
    key_rows r = {0};
    if (rc == RA_OK)
        rc = sq_each(s, err, key_row, &r, "SELECT " KEY_COLS "WHERE f.code = ? ORDER BY x.code",
                     "t", firm);
    if (rc != RA_OK) {
        ra_free(r.v);
        return rc;
    }
    *out = r.v;
    *n = r.n;
    return RA_OK;
}

static ra_status key_get(ra_store *s, const char *firm, const char *code, ra_apikey *out,
                         char salt[2 * SALT_BYTES + 1], char hash[65], ra_err *err)
{
    key_rows r = {0};
    ra_status rc =
        firm ? sq_each(s, err, key_row, &r, "SELECT " KEY_COLS "WHERE f.code = ? AND x.code = ?",
                       "tt", firm, code)
             : sq_each(s, err, key_row, &r, "SELECT " KEY_COLS "WHERE x.code = ?", "t", code);
    if (rc == RA_OK && r.n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, "key", "no API key %s", code);
    if (rc == RA_OK) {
        *out = r.v[0];
        memcpy(salt, r.salt, sizeof r.salt);
        memcpy(hash, r.hash, sizeof r.hash);
    }
    ra_free(r.v);
    return rc;
}

ra_status ra_store_apikey_revoke(ra_store *s, const ra_store_actor *actor, const char *code,
                                 ra_err *err)
{
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RA_SCHEMA_API, "API keys", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_apikey k;
    char salt[2 * SALT_BYTES + 1], hash[65];
    rc = key_get(s, actor->firm, code, &k, salt, hash, err);
    if (rc == RA_OK && k.revoked_at)
        rc = ra_err_set(err, RA_ECONFLICT, "key", "API key %s is revoked already", code);
    int64_t now = ra_store_now(s);
    json_t *before = rc == RA_OK ? key_json(&k) : NULL;
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "UPDATE api_keys SET revoked_at = ?, revoked_by = ? "
                                    "WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "iti", now ? now : (int64_t)1, actor->user, k.id) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        k.revoked_at = now ? now : 1; /* a fixed clock of 0 still marks it revoked */
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "revoke", "api_key", code, before, key_json(&k), err);
    else
        json_decref(before);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_apikey_verify(ra_store *s, const char *key, size_t len, int64_t now,
                                 ra_apikey *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    /* "ra_" + 16 hex + "_" + 64 hex */
    if (len != 3 + RA_APIKEY_CODE_LEN + 1 + 64 || memcmp(key, "ra_", 3) != 0 ||
        key[3 + RA_APIKEY_CODE_LEN] != '_')
        return ra_err_set(err, RA_ENOTFOUND, "key", "not an API key");
    uint8_t tmp[32];
    char code[RA_APIKEY_CODE_LEN + 1];
    memcpy(code, key + 3, RA_APIKEY_CODE_LEN);
    code[RA_APIKEY_CODE_LEN] = 0;
    const char *secret = key + 4 + RA_APIKEY_CODE_LEN;
    if (unhex(code, CODE_BYTES, tmp) != 0 || unhex(secret, 32, tmp) != 0)
        return ra_err_set(err, RA_ENOTFOUND, "key", "not an API key");
    ra_status rc = sq_need_version(s, RA_SCHEMA_API, "API keys", err);
    char salt_hex[2 * SALT_BYTES + 1], hash[65], want[65];
    if (rc == RA_OK)
        rc = key_get(s, NULL, code, out, salt_hex, hash, err);
    if (rc != RA_OK)
        return rc;
    uint8_t salt[SALT_BYTES];
    if (strlen(salt_hex) != 2 * SALT_BYTES || unhex(salt_hex, SALT_BYTES, salt) != 0)
        return ra_err_set(err, RA_EINTERNAL, "key", "API key %s has a malformed salt", code);
    if (sodium_init() < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "could not initialise libsodium");
    secret_hash(salt, (const uint8_t *)secret, 64, want);
    if (strlen(hash) != 64 || sodium_memcmp(want, hash, 64) != 0)
        return ra_err_set(err, RA_ENOTFOUND, "key", "API key %s: the secret does not match", code);
    if (out->revoked_at)
        return ra_err_set(err, RA_ECONFLICT, "key", "API key %s is revoked", code);
    if (out->expires_at && now >= out->expires_at)
        return ra_err_set(err, RA_ECONFLICT, "key", "API key %s has expired", code);
    return RA_OK;
}

/* --- idempotency ----------------------------------------------------------------------------- */

typedef struct idem_ctx {
    int found, status, same;
    char *body;
    const char *want;
} idem_ctx;

static ra_status idem_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    idem_ctx *c = ctx;
    c->found = 1;
    c->same = strcmp(sq_text(s, st, 0), c->want) == 0;
    c->status = (int)sq_int(s, st, 1);
    ra_free(c->body);
    c->body = ra_strdup(sq_text(s, st, 2));
    return c->body ? RA_OK : sq_nomem(err, "a stored response");
}

ra_status ra_store_idem_get(ra_store *s, int64_t key_id, const char *idem_key,
                            const char *request_hash, int *status, char **body, int *same,
                            ra_err *err)
{
    *body = NULL;
    *status = 0;
    *same = 0;
    idem_ctx c = {0, 0, 0, NULL, request_hash};
    ra_status rc = sq_each(s, err, idem_row, &c,
                           "SELECT request_hash, status, body FROM idempotency "
                           "WHERE key_id = ? AND idem_key = ?",
                           "it", key_id, idem_key);
    if (rc == RA_OK && !c.found)
        rc = ra_err_set(err, RA_ENOTFOUND, "Idempotency-Key", "no stored response");
    if (rc != RA_OK) {
        ra_free(c.body);
        return rc;
    }
    *status = c.status;
    *body = c.body;
    *same = c.same;
    return RA_OK;
}

ra_status ra_store_idem_put(ra_store *s, int64_t key_id, const char *idem_key,
                            const char *request_hash, int status, const char *body, ra_err *err)
{
    int st_, same;
    char *old = NULL;
    ra_status rc = ra_store_idem_get(s, key_id, idem_key, request_hash, &st_, &old, &same, err);
    ra_free(old);
    if (rc == RA_OK)
        return ra_err_set(err, RA_ECONFLICT, "Idempotency-Key", "a response is stored already");
    if (rc != RA_ENOTFOUND)
        return rc;
    ra_db_stmt *st = sq_prep(s, "INSERT INTO idempotency (key_id, idem_key, request_hash, status, "
                                "body, created_at) VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!st || sq_bind(s, st, err, "ittiti", key_id, idem_key, request_hash, (int64_t)status, body,
                       ra_store_now(s)) != RA_OK ||
        sq_run_now(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

/* --- scoped pages ---------------------------------------------------------------------------- */

typedef struct ref_rows {
    ra_api_ref *v;
    size_t n, cap;
} ref_rows;

static ra_status ref_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ref_rows *r = ctx;
    ra_api_ref *g = sq_grow(r->v, r->n, &r->cap, sizeof *r->v, 16);
    if (!g)
        return sq_nomem(err, "a page");
    r->v = g;
    ra_api_ref *o = &r->v[r->n++];
    sq_copy(o->code, sizeof o->code, sq_text(s, st, 0));
    sq_copy(o->client, sizeof o->client, sq_text(s, st, 1));
    sq_copy(o->advisor, sizeof o->advisor, sq_text(s, st, 2));
    sq_copy(o->household, sizeof o->household, sq_text(s, st, 3));
    return RA_OK;
}

#define REF_WHERE(X)                                                                             \
    "WHERE f.code = ? AND (? = '' OR COALESCE(v.code, '') = ?) AND (? = '' OR c.code = ?) "     \
    "AND (? = '' OR " X ".code = ?) AND " X ".code > ? ORDER BY " X ".code LIMIT ?"

static ra_status refs(ra_store *s, const char *sql, const char *firm, const char *advisor,
                      const char *client, const char *code, const char *after, size_t limit,
                      ra_api_ref **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    /* an empty filter means "any": a filter asked for must never match a blank */
    if ((advisor && !advisor[0]) || (client && !client[0]) || (code && !code[0]))
        return RA_OK;
    const char *a = advisor ? advisor : "", *c = client ? client : "", *k = code ? code : "";
    ref_rows r = {0};
    ra_status rc = sq_each(s, err, ref_row, &r, sql, "tttttttti", firm, a, a, c, c, k, k,
                           after ? after : "", (int64_t)limit);
    if (rc != RA_OK) {
        ra_free(r.v);
        return rc;
    }
    *out = r.v;
    *n = r.n;
    return RA_OK;
}

/* One record by its code: the same filters with "code = ?" that the (firm_id, code) index
 * answers (REF_WHERE's "(? = '' OR code = ?)" makes SQLite walk every code after the cursor). */
#define REF_WHERE_CODE(X)                                                                        \
    "WHERE f.code = ? AND (? = '' OR COALESCE(v.code, '') = ?) AND (? = '' OR c.code = ?) "     \
    "AND ? <> '' AND " X ".code = ? AND " X ".code > ? ORDER BY " X ".code LIMIT ?"
#define ACCOUNT_REFS                                                                             \
    "SELECT a.code, c.code, COALESCE(v.code, ''), h.code FROM accounts a "                       \
    "JOIN firms f ON f.id = a.firm_id JOIN clients c ON c.id = a.client_id "                     \
    "JOIN households h ON h.id = c.household_id "                                                \
    "LEFT JOIN advisors v ON v.id = c.advisor_id "

ra_status ra_store_api_accounts(ra_store *s, const char *firm, const char *advisor,
                                const char *client, const char *code, const char *after,
                                size_t limit, ra_api_ref **out, size_t *n, ra_err *err)
{
    return refs(s, code ? ACCOUNT_REFS REF_WHERE_CODE("a") : ACCOUNT_REFS REF_WHERE("a"), firm,
                advisor, client, code, after, limit, out, n, err);
}

#define CLIENT_REFS                                                                              \
    "SELECT c.code, c.code, COALESCE(v.code, ''), h.code FROM clients c "                        \
    "JOIN firms f ON f.id = c.firm_id JOIN households h ON h.id = c.household_id "               \
    "LEFT JOIN advisors v ON v.id = c.advisor_id "

ra_status ra_store_api_clients(ra_store *s, const char *firm, const char *advisor,
                               const char *client, const char *code, const char *after,
                               size_t limit, ra_api_ref **out, size_t *n, ra_err *err)
{
    return refs(s, code ? CLIENT_REFS REF_WHERE_CODE("c") : CLIENT_REFS REF_WHERE("c"), firm,
                advisor, client, code, after, limit, out, n, err);
}
