/* Tests of opening the store (include/roboadvisor/store.h): the library reads no environment and
 * no clock of its own (issue 11), and a new SQLite book is readable by its owner only (issue 10).
 * SQLite files in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/store.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];
static int g_serial;

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static void book_path(char *out, size_t cap)
{
    snprintf(out, cap, "%s/open%d.db", g_dir, ++g_serial);
}

static void remove_book(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int64_t fixed_clock(void *ctx) { return *(const int64_t *)ctx; }

/* A firm written with the given options; returns the open store. */
static ra_store *book_with_firm(const char *path, const ra_store_options *o)
{
    ra_store *s = NULL;
    ra_err err = {0};
    OK(ra_store_open(path, o, &s, &err));
    OK(ra_store_init(s, &err));
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(3 * i + 5);
    OK(ra_store_set_firm_key(s, "F1", key, &err));
    ra_store_actor actor = {"tester", "F1"};
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(s, &actor, &firm, &err));
    return s;
}

/* Fails (a CHECK constraint) unless sql's single count is 0. */
static void expect_zero(ra_store *s, const char *sql)
{
    ra_err err = {0};
    char all[600];
    snprintf(all, sizeof all,
             "CREATE TABLE IF NOT EXISTS t_zero (n BIGINT CHECK (n = 0)); INSERT INTO t_zero %s",
             sql);
    if (ra_store_exec_raw(s, all, &err) != RA_OK)
        fail_msg("not zero: %s (%s)", sql, err.msg);
}

static void test_store_default_url_reads_no_environment(void **state)
{
    (void)state;
    setenv("ROBOADVISOR_DB", "/somewhere/else.db", 1);
    assert_string_equal(ra_store_default_url(NULL), "roboadvisor.db");
    assert_string_equal(ra_store_default_url(""), "roboadvisor.db");
    assert_string_equal(ra_store_default_url("x.db"), "x.db");
    unsetenv("ROBOADVISOR_DB");
}

/* 1,700,000,000 is 2023-11-14 22:13:20 UTC: any fixed value not near today would do. */
static void test_store_clock_stamps_audit_records_and_migrations(void **state)
{
    (void)state;
    char path[512];
    book_path(path, sizeof path);
    int64_t now = 1700000000;
    ra_store_options o;
    ra_store_options_default(&o);
    assert_null(o.clock);
    o.clock = fixed_clock;
    o.clock_ctx = &now;
    ra_store *s = book_with_firm(path, &o);
    assert_int_equal(ra_store_now(s), 1700000000);
    expect_zero(s, "SELECT COUNT(*) FROM audit_log WHERE at <> 1700000000");
    expect_zero(s, "SELECT COUNT(*) - 1 FROM audit_log");
    expect_zero(s, "SELECT COUNT(*) FROM ra_schema WHERE applied_at <> 1700000000");
    ra_store_close(s);
    remove_book(path);
}

static void test_store_no_clock_stamps_zero(void **state)
{
    (void)state;
    char path[512];
    book_path(path, sizeof path);
    ra_store *s = book_with_firm(path, NULL);
    assert_int_equal(ra_store_now(s), 0);
    expect_zero(s, "SELECT COUNT(*) FROM audit_log WHERE at <> 0");
    ra_store_close(s);
    remove_book(path);
}

static void assert_mode_0600(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("%s does not exist", path);
    if ((st.st_mode & 0777) != 0600)
        fail_msg("%s has mode %03o, want 600", path, (unsigned)(st.st_mode & 0777));
}

/* Under the loosest umask (0): the mode still comes out 0600, so it is the store that sets it. */
static void test_store_new_book_readable_by_owner_only(void **state)
{
    (void)state;
    char path[512], p[600];
    book_path(path, sizeof path);
    mode_t old = umask(0);
    ra_store *s = book_with_firm(path, NULL);
    umask(old);
    assert_mode_0600(path);
    snprintf(p, sizeof p, "%s-wal", path);
    assert_mode_0600(p);
    snprintf(p, sizeof p, "%s-shm", path);
    assert_mode_0600(p);
    ra_store_close(s);
    remove_book(path);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_store_default_url_reads_no_environment),
    cmocka_unit_test(test_store_clock_stamps_audit_records_and_migrations),
    cmocka_unit_test(test_store_no_clock_stamps_zero),
    cmocka_unit_test(test_store_new_book_readable_by_owner_only),
};

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_test_store_open_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = cmocka_run_group_tests_name("store_open", tests, NULL, NULL);
    rmdir(g_dir);
    return rc;
}
