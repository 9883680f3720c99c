/* Issue 10 "refuse what cannot be right, naming it": twr with a value of 1e308 or 1e-320
 * reported -100 % silently; a split ratio of 92233720368547.75807 was stored rounded
 * (92233720368548/1); optimize --returns accepted a return of -5 (below -100 %). Each is now
 * refused where the data enters (naming file, line and column) and, for twr and the ledger, in
 * core as well. Expected: by hand — 100 -> 1e308 -> 100 is a round trip whose second growth
 * factor 1e-306 rounds (1 + r) to 0 in a double (r = (100 - 1e308) / 1e308 = -1 exactly). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/csv.h>
#include <roboadvisor/import.h>
#include <roboadvisor/ledger.h>
#include <roboadvisor/market_io.h>
#include <roboadvisor/perf.h>
#include <roboadvisor/rules.h>

#include "ra_test.h"

#define D(y, m, d) ra_date_from_ymd((y), (m), (d))

static void test_twr_values_beyond_a_double(void **state)
{
    (void)state;
    const ra_date d[] = {D(2020, 1, 31), D(2020, 2, 29), D(2020, 3, 31)};
    const double big[] = {100, 1e308, 100}, tiny[] = {100, 1e-320, 100}, far[] = {100, 1e12, 100};
    const double over[] = {1e-300, 1e308, 1e308};
    ra_twr t;
    ra_err err = {0};
    /* a round trip is 0, not -100 %: log(1e306) + log(1e-306), each to a few ulps of 704.6 */
    assert_int_equal(ra_perf_twr(d, big, NULL, 3, RA_FLOW_END, 0.0, &t, &err), RA_OK);
    RA_ASSERT_CLOSE(t.twr, 0.0, 1e-12, 0.0);
    assert_int_equal(ra_perf_twr(d, far, NULL, 3, RA_FLOW_END, 0.0, &t, &err), RA_OK);
    RA_ASSERT_CLOSE(t.twr, 0.0, 1e-14, 0.0);
    assert_int_equal(ra_perf_twr(d, tiny, NULL, 3, RA_FLOW_END, 0.0, &t, &err), RA_EINVAL);
    assert_string_equal(err.msg, "value at row 1 is too small to be a value: 9.99989e-321");
    assert_int_equal(ra_perf_twr(d, over, NULL, 3, RA_FLOW_END, 0.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "beyond the range of a double"));
}

static void test_values_reader_refuses_impossible_amounts(void **state)
{
    (void)state;
    const char *bad[] = {"date,value,flow\n2020-01-31,100,\n2020-02-29,1e308,\n",
                         "date,value,flow\n2020-01-31,100,\n2020-02-29,1e-320,\n",
                         "date,value,flow\n2020-01-31,100,\n2020-02-29,100,-1e16\n"};
    const char *where[] = {"v.csv:3:2 (value)", "v.csv:3:2 (value)", "v.csv:3:3 (flow)"};
    for (int i = 0; i < 3; i++) {
        ra_values *v = NULL;
        ra_err err = {0};
        assert_int_equal(ra_csv_parse_values(bad[i], strlen(bad[i]), "v.csv", &v, &err),
                         RA_EPARSE);
        assert_null(v);
        assert_string_equal(err.where, where[i]);
        assert_non_null(strstr(err.msg, "cannot be an amount of money"));
    }
}

static void test_split_ratio_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_import *im = NULL;
    const char *spl = "date,ticker,split_coefficient\n2022-07-18,GOOGL,92233720368547.75807\n";
    assert_int_equal(ra_import_parse(RA_IMPORT_SPLITS, spl, strlen(spl), "s.csv", NULL, &im,
                                     &err),
                     RA_EPARSE);
    assert_string_equal(err.where, "s.csv:2:3 (split_coefficient)");
    assert_string_equal(err.msg,
                        "split ratio 92233720368548/1 is not N/D with both terms in 1..1000000");
    const char *txn = "account,txn_id,date,kind,ticker,ratio\n"
                      "A1,T1,2022-07-18,split,GOOGL,1/92233720368547\n";
    assert_int_equal(ra_import_parse(RA_IMPORT_TRANSACTIONS, txn, strlen(txn), "t.csv", NULL, &im,
                                     &err),
                     RA_EPARSE);
    assert_string_equal(err.where, "t.csv:2:6 (ratio)");
    ra_split *sp = NULL;
    size_t n = 0;
    assert_int_equal(ra_market_splits_parse(spl, strlen(spl), "m.csv", &sp, &n, &err), RA_EPARSE);
    assert_string_equal(err.where, "m.csv:2:3 (split_coefficient)");
    assert_null(sp);
    /* real splits still pass: 20-for-1, 1-for-8, Alpha Vantage's 3.000003 for 3-for-1 */
    const char *okf = "date,ticker,split_coefficient\n2022-07-18,GOOGL,20\n"
                      "2020-01-02,X,0.125\n2005-06-09,EEM,3.000003\n";
    assert_int_equal(ra_import_parse(RA_IMPORT_SPLITS, okf, strlen(okf), "s.csv", NULL, &im, &err),
                     RA_OK);
    assert_int_equal(im->splits[1].ratio.den, 8);
    assert_int_equal(im->splits[2].ratio.num, 3);
    ra_import_destroy(im);
}

static void test_ledger_refuses_a_split_beyond_the_rule(void **state)
{
    (void)state;
    ra_ledger l;
    ra_err err = {0};
    assert_int_equal(ra_ledger_init(&l, NULL, NULL, &err), RA_OK);
    ra_txn t = {0};
    t.kind = RA_TXN_SPLIT;
    t.id = 1;
    t.date = D(2022, 7, 18);
    t.security = 1;
    t.split.num = INT64_C(92233720368548);
    t.split.den = 1;
    ra_txn_result res = {0};
    assert_int_equal(ra_ledger_apply(&l, &t, &res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "both terms in 1..1000000"));
    t.split.num = 20;
    assert_int_equal(ra_ledger_apply(&l, &t, &res, &err), RA_OK);
    ra_ledger_free(&l);
}

static void test_series_of_returns_refuses_minus_100_percent(void **state)
{
    (void)state;
    const char *text = "Date,A,B\n2020-01-31,0.01,0.02\n2020-02-29,-5,0.01\n";
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(ra_csv_parse_series(text, strlen(text), "r.csv", &s, &err), RA_OK);
    assert_int_equal(ra_series_check_returns(s, &err), RA_EPARSE);
    assert_string_equal(err.where, "r.csv:3:2 (A)");
    assert_string_equal(err.msg, "a return cannot be -100 % or below: -5 for A on 2020-02-29 "
                                 "(returns are decimals: -0.05 for -5 %)");
    s->values[2] = -1.0; /* exactly -100 % is refused too */
    assert_int_equal(ra_series_check_returns(s, &err), RA_EPARSE);
    s->values[2] = -0.99;
    assert_int_equal(ra_series_check_returns(s, &err), RA_OK);
    ra_series_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twr_values_beyond_a_double),
        cmocka_unit_test(test_values_reader_refuses_impossible_amounts),
        cmocka_unit_test(test_split_ratio_that_does_not_fit_is_refused),
        cmocka_unit_test(test_ledger_refuses_a_split_beyond_the_rule),
        cmocka_unit_test(test_series_of_returns_refuses_minus_100_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
