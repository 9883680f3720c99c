/* Risk limits (src/core/riskrules.c; docs/methodology.md#risk-limits). Every expected value is
 * derived by hand next to its case. Money in cents. Daylight-saving dates from the rules as
 * published: United States, Energy Policy Act of 2005 (2020: 8 March to 1 November; 2006, the old
 * rule: 2 April to 29 October); European Union, Directive 2000/84/EC (2020: 29 March to
 * 25 October). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/riskrules.h>

#include <string.h>

#include "ra_test.h"

static ra_risk_loss check(ra_minor entrusted, ra_minor value, double limit)
{
    ra_risk_loss x;
    ra_err err = {0};
    assert_int_equal(ra_risk_loss_check(entrusted, value, limit, &x, &err), RA_OK);
    return x;
}

/* 100,000.00 entrusted, limit 10 %: the limit is a loss of exactly 10,000.00. Worth 90,000.00 the
 * loss is 10,000.00 = the limit: crossed (the boundary belongs to the crossing); worth 90,000.01
 * it is 9,999.99: not crossed; worth 89,999.99 it is 10,000.01: crossed. */
static void test_loss_check_exactly_at_the_limit(void **state)
{
    (void)state;
    ra_risk_loss x = check(10000000, 9000000, 0.10);
    assert_int_equal(x.loss_minor, 1000000);
    assert_int_equal(x.threshold_minor, 1000000);
    assert_int_equal(x.limit_ppm, 100000);
    assert_int_equal(x.crossed, 1);
    x = check(10000000, 9000001, 0.10); /* one cent less of loss */
    assert_int_equal(x.loss_minor, 999999);
    assert_int_equal(x.crossed, 0);
    x = check(10000000, 8999999, 0.10); /* one cent more */
    assert_int_equal(x.loss_minor, 1000001);
    assert_int_equal(x.crossed, 1);
}

/* 123.45 entrusted at 10 %: 12.345 is the limit, so a loss of 12.34 is below it and 12.35 (the
 * smallest whole cent at or above it: ceil(12.345) cents) crosses; no float rounding decides. */
static void test_loss_check_limit_between_cents(void **state)
{
    (void)state;
    ra_risk_loss x = check(12345, 12345 - 1234, 0.10);
    assert_int_equal(x.threshold_minor, 1235);
    assert_int_equal(x.crossed, 0);
    x = check(12345, 12345 - 1235, 0.10);
    assert_int_equal(x.crossed, 1);
    /* the highest limit, 15 %: 1,000.00 entrusted, 850.00 worth crosses, 850.01 does not */
    assert_int_equal(check(100000, 85000, 0.15).crossed, 1);
    assert_int_equal(check(100000, 85001, 0.15).crossed, 0);
}

/* Nothing entrusted (all withdrawn, or more withdrawn than deposited) never crosses; a gain is a
 * negative loss; 4.6e16 cents (half of int64) lost whole does not overflow. */
static void test_loss_check_nothing_entrusted_and_large(void **state)
{
    (void)state;
    ra_risk_loss x = check(0, 0, 0.10);
    assert_int_equal(x.crossed, 0);
    assert_int_equal(x.threshold_minor, 0);
    assert_int_equal(check(-500, 0, 0.10).crossed, 0);
    x = check(100000, 120000, 0.10);
    assert_int_equal(x.loss_minor, -20000);
    assert_int_equal(x.crossed, 0);
    x = check(INT64_MAX / 2, 0, 0.15);
    assert_int_equal(x.crossed, 1);
    assert_int_equal(x.loss_minor, INT64_MAX / 2);
}

static void test_loss_check_limit_out_of_range(void **state)
{
    (void)state;
    ra_risk_loss x;
    ra_err err = {0};
    assert_int_equal(ra_risk_loss_check(100, 0, 0.16, &x, &err), RA_EINVAL);
    assert_string_equal(err.where, "loss_limit");
    assert_int_equal(ra_risk_loss_check(100, 0, 0.0, &x, &err), RA_EINVAL);
    assert_int_equal(x.crossed, 0);
}

static void test_close_parse(void **state)
{
    (void)state;
    int m = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_close_parse("16:00", &m, &err), RA_OK);
    assert_int_equal(m, 960);
    assert_int_equal(ra_risk_close_parse("00:00", &m, &err), RA_OK);
    assert_int_equal(m, 0);
    assert_int_equal(ra_risk_close_parse("23:59", &m, &err), RA_OK);
    assert_int_equal(m, 1439);
    assert_int_equal(ra_risk_close_parse("24:00", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse("9:30", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse("16:00 ", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse(NULL, &m, &err), RA_EINVAL);
}

static int32_t offset(const char *zone, int y, int mo, int d, int minute)
{
    int32_t off = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_zone_offset(zone, ra_date_from_ymd(y, mo, d), minute, &off, &err),
                     RA_OK);
    return off;
}

/* New York: EST -5 h, EDT -4 h from 02:00 on the second Sunday of March to 02:00 on the first
 * Sunday of November (2020: 8 March, 1 November); before 2007 the first Sunday of April to the
 * last Sunday of October (2006: 2 April, 29 October). */
static void test_zone_offset_new_york(void **state)
{
    (void)state;
    const char *ny = "America/New_York";
    assert_int_equal(offset(ny, 2020, 3, 6, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2020, 3, 7, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2020, 3, 8, 60), -5 * 3600);  /* 01:00, before the change */
    assert_int_equal(offset(ny, 2020, 3, 8, 180), -4 * 3600); /* 03:00, after it */
    assert_int_equal(offset(ny, 2020, 3, 12, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 10, 31, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 11, 1, 60), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 11, 1, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2006, 3, 15, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2006, 4, 2, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2006, 10, 28, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2006, 10, 29, 960), -5 * 3600);
    assert_int_equal(offset("America/Chicago", 2020, 7, 1, 900), -5 * 3600);
}

/* London GMT/BST and Frankfurt CET/CEST change at 01:00 UTC on the last Sundays of March and
 * October (2020: 29 March, 25 October); Shanghai and Tokyo keep +8 h and +9 h. */
static void test_zone_offset_europe_asia(void **state)
{
    (void)state;
    assert_int_equal(offset("Europe/London", 2020, 3, 28, 990), 0);
    assert_int_equal(offset("Europe/London", 2020, 3, 29, 30), 0);       /* 00:30 GMT */
    assert_int_equal(offset("Europe/London", 2020, 3, 29, 990), 3600);
    assert_int_equal(offset("Europe/London", 2020, 10, 25, 990), 0);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 10, 24, 1050), 7200);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 10, 25, 1050), 3600);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 1, 15, 1050), 3600);
    assert_int_equal(offset("Asia/Shanghai", 2020, 7, 1, 900), 8 * 3600);
    assert_int_equal(offset("Asia/Tokyo", 2020, 7, 1, 900), 9 * 3600);
    assert_int_equal(offset("UTC", 2020, 7, 1, 900), 0);
}

/* 16:00 New York on 2020-03-12 (EDT) is 20:00 UTC: 18,333 days after 1970-01-01 x 86,400 +
 * 72,000 = 1,584,043,200 (date -u -d '2020-03-12 20:00' +%s); on 2020-03-06 (EST) 21:00 UTC:
 * 18,327 x 86,400 + 75,600 = 1,583,528,400. 15:00 Shanghai is 07:00 UTC. */
static void test_close_utc(void **state)
{
    (void)state;
    int64_t t = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 12), 960, "America/New_York",
                                       &t, &err), RA_OK);
    assert_int_equal(t, INT64_C(1584043200));
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 6), 960, "America/New_York",
                                       &t, &err), RA_OK);
    assert_int_equal(t, INT64_C(1583528400));
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 12), 900, "Asia/Shanghai", &t,
                                       &err), RA_OK);
    assert_int_equal(t, INT64_C(18333) * 86400 + 7 * 3600);
    assert_int_equal(ra_risk_close_utc(0, 960, "Mars/Olympus", &t, &err), RA_EINVAL);
    assert_string_equal(err.where, "zone");
    assert_int_equal(ra_risk_close_utc(0, 1440, "UTC", &t, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_check_exactly_at_the_limit),
        cmocka_unit_test(test_loss_check_limit_between_cents),
        cmocka_unit_test(test_loss_check_nothing_entrusted_and_large),
        cmocka_unit_test(test_loss_check_limit_out_of_range),
        cmocka_unit_test(test_close_parse),
        cmocka_unit_test(test_zone_offset_new_york),
        cmocka_unit_test(test_zone_offset_europe_asia),
        cmocka_unit_test(test_close_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
