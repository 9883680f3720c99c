/* Tests of opening the book (include/roboadvisor/engine_book.h, src/engine/book.c) on real SQLite
 * files in a temporary directory: the schema check, the key rules (file, text, created file) and
 * the firm check every command relies on. Expected messages are those the header documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/engine_book.h>

#include "ra_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];
static int g_serial;

#define HEX_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static void new_url(char *url, size_t size)
{
    snprintf(url, size, "%s/b%d.db", g_dir, ++g_serial);
}

static void opts_for(ra_book_open_opts *o, const char *url)
{
    memset(o, 0, sizeof *o);
    o->url = url;
    o->firm = "F1";
    o->user = "tester";
}

static void test_book_open_no_book_yet(void **state)
{
    (void)state;
    char url[300];
    new_url(url, sizeof url);
    ra_book_open_opts o;
    opts_for(&o, url);
    ra_book *b = NULL;
    ra_err err = {0};
    /* not created: the SQLite file is not made */
    assert_int_not_equal(ra_book_open(&o, &b, &err), RA_OK);
    assert_null(b);
    assert_int_not_equal(access(url, F_OK), 0);
}

static void test_book_open_create_then_firm(void **state)
{
    (void)state;
    char url[300];
    new_url(url, sizeof url);
    ra_book_open_opts o;
    opts_for(&o, url);
    o.create = 1;
    o.key_hex = HEX_KEY;
    o.key_hex_name = "ROBOADVISOR_KEY";
    ra_book *b = NULL;
    ra_err err = {0};
    OK(ra_book_open(&o, &b, &err));
    assert_int_equal(b->schema_before, 0);
    assert_true(b->schema_now > 0);
    assert_int_equal(b->have_firm, 0);
    assert_int_equal(b->have_key, 1);
    assert_string_equal(b->actor.firm, "F1");
    assert_string_equal(b->actor.user, "tester");
    ra_firm f = {"F1", "First", "USD", 2};
    OK(ra_store_firm_put(b->store, &b->actor, &f, &err));
    int now = b->schema_now;
    ra_book_close(b);
    /* again without create: the firm is there and the schema current */
    o.create = 0;
    o.need_firm = 1;
    OK(ra_book_open(&o, &b, &err));
    assert_int_equal(b->have_firm, 1);
    assert_string_equal(b->firm.currency, "USD");
    assert_int_equal(b->schema_before, now);
    ra_book_close(b);
    /* another firm that does not exist */
    o.firm = "F2";
    assert_int_equal(ra_book_open(&o, &b, &err), RA_ENOTFOUND);
    assert_null(b);
    assert_non_null(strstr(err.msg, "firm \"F2\" does not exist"));
    /* a wrong key for F1 */
    o.firm = "F1";
    o.key_hex = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    assert_int_equal(ra_book_open(&o, &b, &err), RA_ECONFLICT);
    assert_null(b);
}

static void test_book_open_empty_database_named(void **state)
{
    (void)state;
    char url[300];
    new_url(url, sizeof url);
    FILE *f = fopen(url, "wb"); /* an empty file is an empty SQLite database */
    assert_non_null(f);
    fclose(f);
    ra_book_open_opts o;
    opts_for(&o, url);
    ra_book *b = NULL;
    ra_err err = {0};
    assert_int_equal(ra_book_open(&o, &b, &err), RA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "has no book yet"));
    assert_non_null(strstr(err.msg, "roboadvisor init"));
}

static void test_book_open_bad_key_not_quoted(void **state)
{
    (void)state;
    char url[300], kf[300];
    new_url(url, sizeof url);
    ra_book_open_opts o;
    opts_for(&o, url);
    o.create = 1;
    o.key_hex = "secretsecretnothex";
    o.key_hex_name = "ROBOADVISOR_KEY";
    ra_book *b = NULL;
    ra_err err = {0};
    assert_int_equal(ra_book_open(&o, &b, &err), RA_EPARSE);
    assert_null(strstr(err.msg, "secret"));
    assert_non_null(strstr(err.msg, "ROBOADVISOR_KEY"));
    /* a key file with the same text: named by its path, text not quoted */
    snprintf(kf, sizeof kf, "%s/bad.key", g_dir);
    FILE *f = fopen(kf, "w");
    assert_non_null(f);
    fputs("secretsecretnothex\n", f);
    fclose(f);
    o.key_hex = NULL;
    o.key_file = kf;
    assert_int_equal(ra_book_open(&o, &b, &err), RA_EPARSE);
    assert_string_equal(err.where, kf);
    assert_null(strstr(err.msg, "secret"));
}

static void test_book_open_key_file_created(void **state)
{
    (void)state;
    char url[300], kf[320];
    new_url(url, sizeof url);
    snprintf(kf, sizeof kf, "%s.key", url);
    ra_book_open_opts o;
    opts_for(&o, url);
    o.create = 1;
    o.key_file = kf;
    o.key_file_create = 1;
    ra_book *b = NULL;
    ra_err err = {0};
    OK(ra_book_open(&o, &b, &err));
    assert_int_equal(b->key_created, 1);
    assert_int_equal(b->have_key, 1);
    ra_book_close(b);
    struct stat sb;
    assert_int_equal(stat(kf, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* the second time it is read, not made again, and gives the same key */
    uint8_t k1[RA_STORE_KEY_BYTES], k2[RA_STORE_KEY_BYTES];
    int created = 1;
    OK(ra_book_key_file_read(kf, 1, k1, &created, &err));
    assert_int_equal(created, 0);
    OK(ra_book_key_file_read(kf, 0, k2, NULL, &err));
    assert_memory_equal(k1, k2, sizeof k1);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_engine_book_XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_book_open_no_book_yet),
        cmocka_unit_test(test_book_open_create_then_firm),
        cmocka_unit_test(test_book_open_empty_database_named),
        cmocka_unit_test(test_book_open_bad_key_not_quoted),
        cmocka_unit_test(test_book_open_key_file_created),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
