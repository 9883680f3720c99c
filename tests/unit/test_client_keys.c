/* Envelope encryption and crypto-shredding (issue 15, docs/methodology.md#envelope-encryption-
 * and-erasure): a book made at schema 20 (personal data under the firm's key) upgraded to 21 and
 * re-encrypted client by client under data keys of their own (audited; audit verify and check
 * clean); a new client gets its own key at once; erasing a client leaves its personal data
 * unreadable even with the firm's key (its ciphertexts in the audit trail too), refuses to write
 * it again, and keeps the audit chain and the book verifying; a client never re-encrypted is
 * erased as well. Runs on SQLite (`test_client_keys sqlite`) and PostgreSQL (`... pg @FILE`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/store.h"
#include "store/store_int.h"
#include "ra_test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(expr) ra_tdb_must((expr), &err)

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    uint8_t key[RA_STORE_KEY_BYTES];
} fx;

static void put_client(fx *f, const char *code, const char *name)
{
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", code);
    snprintf(c.household, sizeof c.household, "H-%s", code);
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.email, sizeof c.email, "%s@example.org", code);
    snprintf(c.tax_id, sizeof c.tax_id, "TAX-%s", code);
    c.birth_year = 1970;
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
}

/* A book at schema `upto` with clients C1 and C2 (under the firm's key when upto < 21). */
static fx *book(int32_t upto)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    assert_int_equal(ra_tdb_fresh(f->url, sizeof f->url), 0);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(rs_store_init_to(f->s, upto, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        f->key[i] = (uint8_t)(i * 5 + 3);
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    put_client(f, "C1", "Ada Lovelace");
    put_client(f, "C2", "Grace Hopper");
    return f;
}

static void book_free(fx *f)
{
    ra_store_close(f->s);
    ra_tdb_remove(f->url);
    free(f);
}

static void verify_ok(fx *f)
{
    ra_err err = {0};
    uint64_t n = 0, bad = 0;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    OK(ra_store_check(f->s, NULL, &err));
}

static int64_t count(fx *f, const char *sql)
{
    ra_err err = {0};
    ra_db_stmt *st;
    int r = sq_query(f->s, &st, &err, sql, "");
    assert_int_equal(r, RA_DB_ROW);
    int64_t n = sq_int(f->s, st, 0);
    f->s->ops->reset(st);
    return n;
}

/* C1's name ciphertext as stored, and whether the firm's key alone decrypts it. */
static int firm_key_reads_c1(fx *f)
{
    ra_err err = {0};
    ra_db_stmt *st;
    int r = sq_query(f->s, &st, &err, "SELECT name_enc FROM clients WHERE code = 'C1'", "");
    assert_int_equal(r, RA_DB_ROW);
    size_t n = 0;
    const uint8_t *b = f->s->ops->col_blob(st, 0, &n);
    uint8_t ct[RS_ENC_MAX];
    assert_true(n <= sizeof ct);
    if (n)
        memcpy(ct, b, n);
    f->s->ops->reset(st);
    char out[RA_PII_MAX];
    return rs_decrypt(f->key, "F1", "client", "C1", "name", ct, n, out, &err) == RA_OK;
}

static void test_upgrade_rekeys_each_client(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book(20);
    assert_true(firm_key_reads_c1(f)); /* schema 20: under the firm's key */
    OK(ra_store_init(f->s, &err));
    /* before the re-encryption: read with the firm's key, book and trail agree */
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.name, "Ada Lovelace");
    assert_int_equal(c.erased, 0);
    verify_ok(f);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_keys"), 0);
    size_t n = 0;
    OK(ra_store_client_keys_migrate(f->s, &f->actor, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_keys"), 2);
    assert_false(firm_key_reads_c1(f)); /* now under C1's own key */
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.name, "Ada Lovelace");
    assert_string_equal(c.tax_id, "TAX-C1");
    assert_int_equal(c.birth_year, 1970);
    verify_ok(f);
    OK(ra_store_client_keys_migrate(f->s, &f->actor, &n, &err));
    assert_int_equal(n, 0); /* once */
    /* a new client has its own key at once */
    put_client(f, "C3", "Mary Somerville");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_keys"), 3);
    verify_ok(f);
    book_free(f);
}

static void test_erase_shreds(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book(INT32_MAX);
    int64_t records = count(f, "SELECT COUNT(*) FROM audit_log");
    int already = 0;
    OK(ra_store_client_erase(f->s, &f->actor, "C1", &already, &err));
    assert_int_equal(already, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), records + 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND "
                              "entity = 'client' AND entity_id = 'C1'"), 1);
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_int_equal(c.erased, 1);
    assert_string_equal(c.name, "");
    assert_string_equal(c.email, "");
    assert_int_equal(c.birth_year, 0);
    assert_string_equal(c.household, "H-C1"); /* the book's structure stays */
    assert_false(firm_key_reads_c1(f));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_keys k JOIN clients c ON c.id = "
                              "k.client_id WHERE c.code = 'C1' AND LENGTH(k.wrapped) = 0"), 1);
    /* the other client is untouched */
    OK(ra_store_client_get(f->s, "F1", "C2", &c, &err));
    assert_string_equal(c.name, "Grace Hopper");
    verify_ok(f);
    /* erased is final: not written again, a second erase does nothing */
    ra_client again;
    memset(&again, 0, sizeof again);
    snprintf(again.code, sizeof again.code, "C1");
    snprintf(again.household, sizeof again.household, "H-C1");
    snprintf(again.name, sizeof again.name, "Ada Lovelace");
    assert_int_equal(ra_store_client_put(f->s, &f->actor, &again, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "was erased"));
    OK(ra_store_client_erase(f->s, &f->actor, "C1", &already, &err));
    assert_int_equal(already, 1);
    assert_int_equal(ra_store_client_erase(f->s, &f->actor, "NOPE", &already, &err),
                     RA_ENOTFOUND);
    verify_ok(f);
    book_free(f);
}

/* A client still under the firm's key (upgraded, not re-encrypted) is erased all the same. */
static void test_erase_before_rekey(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book(20);
    OK(ra_store_init(f->s, &err));
    int already = 0;
    OK(ra_store_client_erase(f->s, &f->actor, "C2", &already, &err));
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C2", &c, &err));
    assert_int_equal(c.erased, 1);
    assert_string_equal(c.name, "");
    verify_ok(f);
    size_t n = 0;
    OK(ra_store_client_keys_migrate(f->s, &f->actor, &n, &err));
    assert_int_equal(n, 1); /* C1 only */
    verify_ok(f);
    book_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upgrade_rekeys_each_client),
    cmocka_unit_test(test_erase_shreds),
    cmocka_unit_test(test_erase_before_rekey),
};

int main(int argc, char **argv)
{
    return ra_tdb_main(argc, argv, "test_client_keys", tests, sizeof tests / sizeof tests[0]);
}
