/* Dates (src/util/date.c) and error records (src/util/err.c). Expected day numbers: POSIX time
 * divided by 86400 (`date -u -d 2000-03-01 +%s` = 951868800 = 11017 days), and the proleptic
 * Gregorian rules (every 4th year a leap year, not centuries unless divisible by 400). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/roboadvisor.h>

#include <string.h>

#include "ra_test.h"

static void test_date_known_days(void **state)
{
    (void)state;
    assert_int_equal(ra_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(ra_date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(ra_date_from_ymd(2000, 3, 1), 11017);  /* 951868800 / 86400 */
    assert_int_equal(ra_date_from_ymd(2023, 6, 9), 19517);  /* 1686268800 / 86400 */
    assert_int_equal(ra_date_from_ymd(1, 1, 1), -719162);   /* 0001-01-01, proleptic */
    assert_int_equal(ra_date_from_ymd(9999, 12, 31), 2932896);
}

static void test_date_round_trip_every_day(void **state)
{
    (void)state;
    size_t checked = 0;
    int py = 0, pm = 0, pd = 0;
    for (ra_date d = ra_date_from_ymd(1600, 1, 1); d <= ra_date_from_ymd(2400, 12, 31); d++) {
        int y, m, dd;
        ra_date_to_ymd(d, &y, &m, &dd);
        assert_true(ra_date_valid(y, m, dd));
        assert_int_equal(ra_date_from_ymd(y, m, dd), d);
        if (checked) /* consecutive days: the next day of the month, or the 1st of the next */
            assert_true((y == py && m == pm && dd == pd + 1) ||
                        (dd == 1 && ((y == py && m == pm + 1) || (y == py + 1 && m == 1 && pm == 12))));
        py = y, pm = m, pd = dd;
        char buf[11], back[11];
        ra_date parsed;
        ra_err err = {0};
        ra_date_format(d, buf);
        assert_int_equal(ra_date_parse(buf, 10, &parsed, &err), RA_OK);
        assert_int_equal(parsed, d);
        assert_string_equal(ra_date_format(parsed, back), buf);
        checked++;
    }
    /* 801 years: 801*365 + 195 leap years (201 multiples of 4 from 1600 to 2400, less 1700, 1800,
     * 1900, 2100, 2200 and 2300) */
    assert_int_equal(checked, 292560);
}

static void test_date_leap_rules(void **state)
{
    (void)state;
    assert_true(ra_date_valid(2000, 2, 29));  /* divisible by 400 */
    assert_false(ra_date_valid(1900, 2, 29)); /* century */
    assert_true(ra_date_valid(2024, 2, 29));
    assert_false(ra_date_valid(2023, 2, 29));
    assert_false(ra_date_valid(2023, 4, 31));
    assert_false(ra_date_valid(2023, 13, 1));
    assert_false(ra_date_valid(0, 1, 1));
    assert_false(ra_date_valid(10000, 1, 1));
}

static void test_date_parse_errors(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_date d;
    static const char *bad[] = {"2023-6-09", "2023/06/09", "20230609", "2023-06-09 ", "2023-06-0x",
                                "", "+023-06-09"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ra_date_parse(bad[i], strlen(bad[i]), &d, &err), RA_EPARSE);
        assert_non_null(strstr(err.msg, "not an ISO date (YYYY-MM-DD)"));
    }
    assert_int_equal(ra_date_parse("2023-02-29", 10, &d, &err), RA_EPARSE);
    assert_string_equal(err.msg, "no such day: \"2023-02-29\"");
}

/* Expected indexes by hand: the first date on or after x in {10, 20, 20, 30}. */
static void test_date_lower_bound(void **state)
{
    (void)state;
    const ra_date d[] = {10, 20, 20, 30};
    assert_int_equal(ra_date_lower_bound(d, 4, 5), 0);
    assert_int_equal(ra_date_lower_bound(d, 4, 10), 0);
    assert_int_equal(ra_date_lower_bound(d, 4, 11), 1);
    assert_int_equal(ra_date_lower_bound(d, 4, 20), 1); /* the first of equal dates */
    assert_int_equal(ra_date_lower_bound(d, 4, 30), 3);
    assert_int_equal(ra_date_lower_bound(d, 4, 31), 4); /* none: n */
    assert_int_equal(ra_date_lower_bound(d, 0, 10), 0);
}

/* ra_err_setv formats before it writes, so the arguments may be err's own strings. */
static ra_status setv(ra_err *err, ra_status code, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = ra_err_setv(err, code, where, fmt, ap);
    va_end(ap);
    return rc;
}

static void test_err_setv_own_strings(void **state)
{
    (void)state;
    ra_err err;
    ra_err_set(&err, RA_EPARSE, "f.csv:3", "bad %s", "cell");
    assert_int_equal(setv(&err, RA_EINVAL, err.where, "again: %s (%d)", err.msg, 7), RA_EINVAL);
    assert_int_equal(err.code, RA_EINVAL);
    assert_string_equal(err.where, "f.csv:3");
    assert_string_equal(err.msg, "again: bad cell (7)");
    assert_int_equal(setv(NULL, RA_EIO, NULL, "x"), RA_EIO);
}

static void test_err_set_wrap_and_names(void **state)
{
    (void)state;
    ra_err err;
    assert_int_equal(ra_err_set(&err, RA_EPARSE, "f.csv:3:2 (A)", "not a number: \"%s\"", "x"),
                     RA_EPARSE);
    assert_string_equal(err.where, "f.csv:3:2 (A)");
    assert_string_equal(err.msg, "not a number: \"x\"");
    assert_int_equal(ra_err_wrap(&err, "could not read %s", "f.csv"), RA_EPARSE);
    assert_string_equal(err.msg, "could not read f.csv: not a number: \"x\"");
    assert_string_equal(err.where, "f.csv:3:2 (A)");
    /* long messages are cut at the buffer, still terminated */
    char longer[600];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ra_err_set(&err, RA_EINVAL, longer, "%s", longer);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_int_equal(strlen(err.where), sizeof err.where - 1);
    ra_err_wrap(&err, "%s", longer);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    ra_err_clear(&err);
    assert_int_equal(err.code, RA_OK);
    assert_string_equal(err.msg, "");
    assert_int_equal(ra_err_set(NULL, RA_ENOMEM, NULL, "x"), RA_ENOMEM);
    assert_string_equal(ra_status_name(RA_OK), "ok");
    assert_string_equal(ra_status_name(RA_EINFEASIBLE), "infeasible");
    assert_string_equal(ra_status_name(RA_ESINGULAR), "singular");
    assert_string_equal(ra_status_name((ra_status)999), "unknown_status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_known_days),
        cmocka_unit_test(test_date_round_trip_every_day),
        cmocka_unit_test(test_date_leap_rules),
        cmocka_unit_test(test_date_parse_errors),
        cmocka_unit_test(test_date_lower_bound),
        cmocka_unit_test(test_err_setv_own_strings),
        cmocka_unit_test(test_err_set_wrap_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
