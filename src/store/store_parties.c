/* roboadvisor store: firms, advisors, households and clients (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rs_jfield FIRM_JSON[] = {{"code", 's', offsetof(ra_firm, code)},
                                      {"name", 's', offsetof(ra_firm, name)},
                                      {"currency", 's', offsetof(ra_firm, currency)},
                                      {"minor_digits", 'i', offsetof(ra_firm, minor_digits)}};

static json_t *firm_json(const ra_firm *f)
{
    return rs_json_record(f, FIRM_JSON, sizeof FIRM_JSON / sizeof FIRM_JSON[0]);
}

ra_status ra_store_firm_put(ra_store *s, const ra_store_actor *actor, const ra_firm *f,
                            ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = sq_check_code(f->code, "firm code", 1, err);
    if (rc == RA_OK)
        rc = sq_check_str(f->name, RA_NAME_MAX, "firm name", 0, err);
    if (rc == RA_OK)
        rc = ra_rule_currency_check(f->currency, strnlen(f->currency, 4), err);
    if (rc == RA_OK)
        rc = ra_rule_minor_digits_check(f->minor_digits, err);
    const uint8_t *key = NULL;
    if (rc == RA_OK)
        rc = rs_get_key(s, f->code, &key, err);
    if (rc != RA_OK)
        return rc;
    if ((rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    json_t *before = NULL;
    ra_firm old;
    ra_err e2;
    ra_status got = ra_store_firm_get(s, f->code, &old, &e2);
    if (got != RA_OK && got != RA_ENOTFOUND) {
        *(err ? err : &e2) = e2;
        rc = got;
    } else if (got == RA_OK && strcmp(old.name, f->name) == 0 &&
               strcmp(old.currency, f->currency) == 0 && old.minor_digits == f->minor_digits) {
        rc = RA_OK; /* unchanged */
    } else {
        char check[65];
        rs_key_check(f->code, key, check);
        ra_db_stmt *st;
        if (got == RA_OK) {
            before = firm_json(&old);
            st = sq_prep(s, "UPDATE firms SET name = ?, currency = ?, minor_digits = ? WHERE code = ?",
                   err);
            rc = st ? sq_bind(s, st, err, "ttit", f->name, f->currency, (int64_t)f->minor_digits,
                            f->code)
                    : sq_err(err);
        } else {
            st = sq_prep(s, "INSERT INTO firms (code, name, currency, minor_digits, key_check) "
                      "VALUES (?, ?, ?, ?, ?)", err);
            rc = st ? sq_bind(s, st, err, "tttit", f->code, f->name, f->currency,
                            (int64_t)f->minor_digits, check)
                    : sq_err(err);
        }
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
        rc = rs_audit_change(s, rc, actor, got == RA_OK ? "update" : "create", "firm", f->code,
                             before, firm_json(f), err);
    }
    return sq_wend(s, rc, err);
}

ra_status ra_store_firm_get(ra_store *s, const char *code, ra_firm *out, ra_err *err)
{
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT code, name, currency, minor_digits FROM firms WHERE code = ?", "t", code);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no firm %s", code);
    memset(out, 0, sizeof *out);
    sq_copy(out->code, sizeof out->code, sq_text(s, st, 0));
    sq_copy(out->name, sizeof out->name, sq_text(s, st, 1));
    sq_copy(out->currency, sizeof out->currency, sq_text(s, st, 2));
    out->minor_digits = (int)sq_int(s, st, 3);
    s->ops->reset(st);
    return RA_OK;
}

/* --- advisors and clients: one table-driven put ----------------------------------------------- */

/* Advisors and clients are "parties": a code, personal-data fields encrypted with the firm's key,
 * and (clients) a household, an advisor and a birth year. One put serves both: validate, load the
 * stored row, compare in plain text, encrypt, write, audit. */
#define PARTY_MAX_PII 4

typedef struct party_kind {
    const char *entity; /* audit entity and the encryption's record kind */
    int has_refs;       /* household, advisor and birth year (clients) */
    size_t n_pii;
    const char *const *pii; /* field names */
    const char *load_sql;   /* id, household, advisor, birth year, then the n_pii ciphertexts */
    const char *insert_sql; /* firm id, code, [household id, advisor id, birth year], fields */
    const char *update_sql; /* [household id, advisor id, birth year], fields, id */
} party_kind;

static const char *const advisor_pii[] = {"name", "email"};
static const char *const client_pii[] = {"name", "email", "tax_id", "address"};

static const party_kind K_ADVISOR = {
    "advisor", 0, 2, advisor_pii,
    "SELECT id, '', '', 0, name_enc, email_enc FROM advisors WHERE firm_id = ? AND code = ?",
    "INSERT INTO advisors (firm_id, code, name_enc, email_enc) VALUES (?, ?, ?, ?)",
    "UPDATE advisors SET name_enc = ?, email_enc = ? WHERE id = ?"};
static const party_kind K_CLIENT = {
    "client", 1, 4, client_pii,
    "SELECT c.id, h.code, COALESCE(a.code, ''), c.birth_year, c.name_enc, c.email_enc, "
    "c.tax_id_enc, c.address_enc FROM clients c JOIN households h ON h.id = c.household_id "
    "LEFT JOIN advisors a ON a.id = c.advisor_id WHERE c.firm_id = ? AND c.code = ?",
    "INSERT INTO clients (firm_id, code, household_id, advisor_id, birth_year, name_enc, "
    "email_enc, tax_id_enc, address_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "UPDATE clients SET household_id = ?, advisor_id = ?, birth_year = ?, name_enc = ?, "
    "email_enc = ?, tax_id_enc = ?, address_enc = ? WHERE id = ?"};

/* One encrypted field. */
typedef struct enc_field {
    uint8_t data[RS_ENC_MAX];
    size_t n;
} enc_field;

/* A party as stored (or to be stored). */
typedef struct party_row {
    int64_t id; /* 0: none stored */
    char household[RA_CODE_MAX];
    char advisor[RA_CODE_MAX];
    int birth_year;
    enc_field f[PARTY_MAX_PII];
} party_row;

/* A party as given, in plain text. */
typedef struct party_in {
    const char *code, *household, *advisor;
    int birth_year;
    const char *plain[PARTY_MAX_PII];
} party_in;

static ra_status party_load(ra_store *s, const party_kind *k, int64_t firm_id, const char *code,
                            party_row *p, ra_err *err)
{
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, k->load_sql,
                     "it", firm_id, code);
    if (r < 0)
        return sq_err(err);
    memset(p, 0, sizeof *p);
    if (r == RA_DB_ROW) {
        p->id = sq_int(s, st, 0);
        sq_copy(p->household, RA_CODE_MAX, sq_text(s, st, 1));
        sq_copy(p->advisor, RA_CODE_MAX, sq_text(s, st, 2));
        p->birth_year = (int)sq_int(s, st, 3);
        for (size_t i = 0; i < k->n_pii; i++) {
            size_t n = 0;
            const void *b = s->ops->col_blob(st, 4 + (int)i, &n);
            p->f[i].n = n <= RS_ENC_MAX ? n : 0;
            if (b && p->f[i].n)
                memcpy(p->f[i].data, b, p->f[i].n);
        }
    }
    s->ops->reset(st);
    return RA_OK;
}

static json_t *party_json(const party_kind *k, const char *code, const party_row *p)
{
    json_t *o = json_object();
    rs_jstr(o, "code", code);
    if (k->has_refs) {
        rs_jstr(o, "household", p->household);
        rs_jstr(o, "advisor", p->advisor);
        rs_jint(o, "birth_year", p->birth_year);
    }
    for (size_t i = 0; i < k->n_pii; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s_enc", k->pii[i]);
        rs_jhex(o, name, p->f[i].data, p->f[i].n);
    }
    return o;
}

/* Whether the stored party equals the given one (personal data compared in plain text). */
static ra_status party_same(const party_kind *k, const uint8_t *key, const char *firm,
                            const party_row *old, const party_in *in, int *same, ra_err *err)
{
    *same = old->id != 0;
    if (*same && k->has_refs)
        *same = strcmp(old->household, in->household) == 0 &&
                strcmp(old->advisor, in->advisor) == 0 && old->birth_year == in->birth_year;
    ra_status rc = RA_OK;
    for (size_t i = 0; i < k->n_pii && *same && rc == RA_OK; i++) {
        char pt[RA_PII_MAX];
        rc = rs_decrypt(key, firm, k->entity, in->code, k->pii[i], old->f[i].data, old->f[i].n,
                        pt, err);
        *same = rc == RA_OK && strcmp(pt, in->plain[i]) == 0;
        sodium_memzero(pt, sizeof pt);
    }
    return rc;
}

static ra_status household_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                                  const void *rec, int64_t *id, ra_err *err);

/* The household and advisor ids of a client, creating either when missing. */
static ra_status party_refs(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                            const uint8_t *key, const party_in *in, int64_t *hh, int64_t *adv,
                            ra_err *err)
{
    ra_status rc = household_put_in(s, actor, firm, in->household, hh, err);
    if (rc == RA_OK && in->advisor[0]) {
        rc = sq_code_id(s, SQ_ADVISOR_ID, firm->id, in->advisor, adv, err);
        if (rc == RA_OK && !*adv) {
            rc = rs_advisor_ensure(s, actor, firm, key, in->advisor, err);
            if (rc == RA_OK)
                rc = sq_code_id(s, SQ_ADVISOR_ID, firm->id, in->advisor, adv, err);
        }
    }
    return rc;
}

static ra_status party_write(ra_store *s, const party_kind *k, const firm_row *firm,
                             const char *code, const party_row *old, const party_row *nw,
                             int64_t hh, int64_t adv, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, old->id ? k->update_sql : k->insert_sql, err);
    ra_status rc = st ? RA_OK : sq_err(err);
    int i = 1;
    if (rc == RA_OK && !old->id)
        rc = sq_bind(s, st, err, "it", firm->id, code);
    i += old->id ? 0 : 2;
    if (rc == RA_OK && k->has_refs) {
        rc = s->ops->bind_int64(st, i++, hh, err);
        if (rc == RA_OK)
            rc = adv ? s->ops->bind_int64(st, i, adv, err) : s->ops->bind_null(st, i, err);
        i++;
        if (rc == RA_OK)
            rc = s->ops->bind_int64(st, i++, nw->birth_year, err);
    }
    for (size_t f = 0; f < k->n_pii && rc == RA_OK; f++)
        rc = s->ops->bind_blob(st, i++, nw->f[f].data, nw->f[f].n, err);
    if (rc == RA_OK && old->id)
        rc = s->ops->bind_int64(st, i, old->id, err);
    return rc == RA_OK ? sq_run(s, st, err) : rc;
}

/* A client's fields are under its own data key (store_clientkeys.c): the stored one, or a new
 * one when it has none yet (new, or still under the firm's key: the put re-encrypts it). */
static ra_status party_key(ra_store *s, const party_kind *k, const char *firm, const char *code,
                           const uint8_t *fk, int64_t id, rs_dek *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    if (k != &K_CLIENT)
        return RA_OK;
    ra_status rc = rs_dek_load(s, fk, firm, code, id, d, err);
    if (rc == RA_OK && d->state == RS_DEK_ERASED)
        rc = ra_err_set(err, RA_ECONFLICT, NULL,
                        "client %s was erased: its record cannot be written again", code);
    return rc;
}

static ra_status party_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                              const uint8_t *key, const party_kind *k, const party_in *in,
                              ra_err *err)
{
    party_row old, nw;
    int same = 0;
    rs_dek d;
    ra_status rc = party_load(s, k, firm->id, in->code, &old, err);
    if (rc == RA_OK)
        rc = party_key(s, k, actor->firm, in->code, key, old.id, &d, err);
    if (rc == RA_OK)
        rc = party_same(k, rs_dek_key(&d, key), actor->firm, &old, in, &same, err);
    int rekey = k == &K_CLIENT && d.state == RS_DEK_NONE &&
                s->schema_version >= RS_SCHEMA_CLIENT_KEYS;
    if (rc != RA_OK || (same && !rekey)) {
        sodium_memzero(&d, sizeof d);
        return rc;
    }
    if (rekey)
        randombytes_buf(d.key, sizeof d.key);
    const uint8_t *fkey = rekey ? d.key : rs_dek_key(&d, key);
    int64_t hh = 0, adv = 0;
    if (k->has_refs && (rc = party_refs(s, actor, firm, key, in, &hh, &adv, err)) != RA_OK) {
        sodium_memzero(&d, sizeof d);
        return rc;
    }
    memset(&nw, 0, sizeof nw);
    if (k->has_refs) {
        sq_copy(nw.household, RA_CODE_MAX, in->household);
        sq_copy(nw.advisor, RA_CODE_MAX, in->advisor);
        nw.birth_year = in->birth_year;
    }
    for (size_t i = 0; i < k->n_pii; i++)
        rs_encrypt(fkey, actor->firm, k->entity, in->code, k->pii[i], in->plain[i], nw.f[i].data,
                   &nw.f[i].n);
    rc = party_write(s, k, firm, in->code, &old, &nw, hh, adv, err);
    if (rc == RA_OK && rekey) {
        int64_t id = old.id;
        if (!id)
            rc = sq_code_id(s, SQ_CLIENT_ID, firm->id, in->code, &id, err);
        if (rc == RA_OK)
            rc = rs_dek_store(s, key, actor->firm, in->code, id, d.key, err);
    }
    sodium_memzero(&d, sizeof d);
    return rs_audit_change(s, rc, actor, old.id ? "update" : "create", k->entity, in->code,
                           old.id ? party_json(k, in->code, &old) : NULL,
                           party_json(k, in->code, &nw), err);
}

/* The public put: the actor, the record's domain rules (valid: what they said, err already set),
 * the firm and its key, then the put in a write scope. */
static ra_status party_put(ra_store *s, const ra_store_actor *actor, const party_kind *k,
                           const party_in *in, ra_status valid, ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = valid;
    const uint8_t *key = NULL;
    firm_row firm;
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, &firm, err);
    if (rc == RA_OK)
        rc = rs_get_key(s, actor->firm, &key, err);
    if (rc != RA_OK || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    return sq_wend(s, party_put_in(s, actor, &firm, key, k, in, err), err);
}

/* Reads a party and decrypts its fields into out[i] (RA_PII_MAX bytes each); *erased 1 (fields
 * "") for an erased client. */
static ra_status party_get(ra_store *s, const party_kind *k, const char *firm, const char *code,
                           party_row *p, char *const *out, int *erased, ra_err *err)
{
    firm_row f;
    const uint8_t *key = NULL;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = rs_get_key(s, firm, &key, err);
    if (rc == RA_OK)
        rc = party_load(s, k, f.id, code, p, err);
    if (rc != RA_OK)
        return rc;
    if (!p->id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no %s %s in firm %s", k->entity, code, firm);
    rs_dek d;
    memset(&d, 0, sizeof d);
    if (k == &K_CLIENT)
        rc = rs_dek_load(s, key, firm, code, p->id, &d, err);
    const uint8_t *fkey = rs_dek_key(&d, key);
    *erased = rc == RA_OK && !fkey;
    for (size_t i = 0; i < k->n_pii && rc == RA_OK && fkey; i++)
        rc = rs_decrypt(fkey, firm, k->entity, code, k->pii[i], p->f[i].data, p->f[i].n, out[i],
                        err);
    sodium_memzero(&d, sizeof d);
    return rc;
}

ra_status rs_advisor_ensure(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                           const uint8_t *key, const char *code, ra_err *err)
{
    party_in in = {code, "", "", 0, {"", ""}};
    return party_put_in(s, actor, firm, key, &K_ADVISOR, &in, err);
}

/* An advisor: a code, a name and an email or "" (the domain rules). */
static ra_status advisor_check(const ra_advisor *a, ra_err *err)
{
    ra_status rc = sq_check_code(a->code, "advisor code", 1, err);
    if (rc == RA_OK)
        rc = ra_rule_text_check(a->name, strnlen(a->name, RA_PII_MAX), RA_PII_MAX, "name", err);
    if (rc == RA_OK)
        rc = ra_rule_text_check(a->email, strnlen(a->email, RA_PII_MAX), RA_PII_MAX, "email",
                                err);
    if (rc == RA_OK && a->email[0])
        rc = ra_rule_email_check(a->email, strlen(a->email), err);
    return rc;
}

ra_status ra_store_advisor_put(ra_store *s, const ra_store_actor *actor, const ra_advisor *a,
                               ra_err *err)
{
    party_in in = {a->code, "", "", 0, {a->name, a->email}};
    return party_put(s, actor, &K_ADVISOR, &in, advisor_check(a, err), err);
}

ra_status ra_store_advisor_get(ra_store *s, const char *firm, const char *code, ra_advisor *out,
                               ra_err *err)
{
    party_row p;
    memset(out, 0, sizeof *out);
    char *dst[] = {out->name, out->email};
    int erased = 0;
    ra_status rc = party_get(s, &K_ADVISOR, firm, code, &p, dst, &erased, err);
    if (rc == RA_OK)
        sq_copy(out->code, sizeof out->code, code);
    else
        sodium_memzero(out, sizeof *out);
    return rc;
}

ra_status ra_store_client_put(ra_store *s, const ra_store_actor *actor, const ra_client *c,
                              ra_err *err)
{
    party_in in = {c->code, c->household, c->advisor, c->birth_year,
                   {c->name, c->email, c->tax_id, c->address}};
    return party_put(s, actor, &K_CLIENT, &in, ra_rule_client_validate(c, err), err);
}

ra_status ra_store_client_get(ra_store *s, const char *firm, const char *code, ra_client *out,
                              ra_err *err)
{
    party_row p;
    memset(out, 0, sizeof *out);
    char *dst[] = {out->name, out->email, out->tax_id, out->address};
    ra_status rc = party_get(s, &K_CLIENT, firm, code, &p, dst, &out->erased, err);
    if (rc == RA_OK) {
        sq_copy(out->code, sizeof out->code, code);
        sq_copy(out->household, sizeof out->household, p.household);
        sq_copy(out->advisor, sizeof out->advisor, p.advisor);
        out->birth_year = p.birth_year;
    } else {
        sodium_memzero(out, sizeof *out);
    }
    return rc;
}

/* --- households ------------------------------------------------------------------------------- */

/* The household of code rec, created when missing; its id in *id (an sq_put_fn). */
static ra_status household_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                                  const void *rec, int64_t *id, ra_err *err)
{
    const char *code = rec;
    int64_t firm_id = firm->id;
    ra_status rc = sq_code_id(s, SQ_HOUSEHOLD_ID, firm_id, code, id, err);
    if (rc != RA_OK || *id)
        return rc;
    ra_db_stmt *st =
        sq_prep(s, "INSERT INTO households (firm_id, code) VALUES (?, ?) RETURNING id", err);
    if (!st || sq_bind(s, st, err, "it", firm_id, code) != RA_OK)
        return sq_err(err);
    if ((rc = sq_returning_id(s, st, "household", id, err)) != RA_OK)
        return rc;
    json_t *after = json_object();
    rs_jstr(after, "code", code);
    return rs_audit_change(s, RA_OK, actor, "create", "household", code, NULL, after, err);
}

ra_status ra_store_household_put(ra_store *s, const ra_store_actor *actor, const char *code,
                                 ra_err *err)
{
    return sq_put(s, actor, sq_check_code(code, "household code", 1, err), household_put_in,
                  code, err);
}
