/* Exact money arithmetic: rounding rule, parsing, formatting, split ratios (src/core/money.c).
 * Expected values are hand-derived (the arithmetic is in the comments) or come from an
 * independent rounding formula (ref_round below), never from money.c itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/money.h>

#include <string.h>

#define PARSE(fn, str, ...) fn((str), strlen(str), __VA_ARGS__)

/* ---- the rounding rule ------------------------------------------------------------------------ */

static void test_money_value_ties_to_even(void **state)
{
    (void)state;
    ra_minor v;
    ra_err err = {0};
    /* 1 share * 0.125 USD = 12.5 cents -> tie -> 12 (even) */
    assert_int_equal(ra_money_value(1000000, 125000, 2, &v, &err), RA_OK);
    assert_int_equal(v, 12);
    /* 1 share * 0.135 USD = 13.5 cents -> 14 (even) */
    assert_int_equal(ra_money_value(1000000, 135000, 2, &v, &err), RA_OK);
    assert_int_equal(v, 14);
    /* 3 shares * 10.005 = 30.015 USD = 3001.5 cents -> 3002 */
    assert_int_equal(ra_money_value(3000000, 10005000, 2, &v, &err), RA_OK);
    assert_int_equal(v, 3002);
    /* -1 share * 0.125 = -12.5 cents -> -12 (ties to even is symmetric) */
    assert_int_equal(ra_money_value(-1000000, 125000, 2, &v, &err), RA_OK);
    assert_int_equal(v, -12);
    /* 1/3 share (333333 micro) * 100 USD = 33.3333 USD = 3333.33 cents -> 3333 */
    assert_int_equal(ra_money_value(333333, 100000000, 2, &v, &err), RA_OK);
    assert_int_equal(v, 3333);
    /* 0.666667 share * 100 = 66.6667 USD = 6666.67 cents -> 6667 */
    assert_int_equal(ra_money_value(666667, 100000000, 2, &v, &err), RA_OK);
    assert_int_equal(v, 6667);
    /* 3 minor digits: 1 share * 1.0005 = 1000.5 mils -> 1000; * 1.0015 = 1001.5 -> 1002 */
    assert_int_equal(ra_money_value(1000000, 1000500, 3, &v, &err), RA_OK);
    assert_int_equal(v, 1000);
    assert_int_equal(ra_money_value(1000000, 1001500, 3, &v, &err), RA_OK);
    assert_int_equal(v, 1002);
    /* 0 minor digits (JPY): 1 share * 2.5 -> 2; * 3.5 -> 4 */
    assert_int_equal(ra_money_value(1000000, 2500000, 0, &v, &err), RA_OK);
    assert_int_equal(v, 2);
    assert_int_equal(ra_money_value(1000000, 3500000, 0, &v, &err), RA_OK);
    assert_int_equal(v, 4);
    /* 0.000001 share * 0.000001 USD = 1e-12 USD -> 0 cents */
    assert_int_equal(ra_money_value(1, 1, 2, &v, &err), RA_OK);
    assert_int_equal(v, 0);
}

static void test_money_value_overflow_is_an_error(void **state)
{
    (void)state;
    ra_minor v = 77;
    ra_err err = {0};
    /* 1e12 shares at 1e6 USD = 1e18 USD = 1e20 cents > 9.2e18 */
    assert_int_equal(ra_money_value(INT64_C(1000000000000000000), INT64_C(1000000000000), 2, &v,
                                    &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "does not fit"));
    assert_int_equal(v, 77);
    /* the largest product still fits: INT64_MAX micro * INT64_MAX micro is 8.5e37 < 2^127 */
    assert_int_equal(ra_money_value(INT64_MAX, INT64_MAX, 2, &v, &err), RA_EINVAL);
    assert_int_equal(ra_money_value(INT64_MIN, INT64_MIN, 2, &v, &err), RA_EINVAL);
    assert_int_equal(ra_money_value(1, 1, 1, &v, &err), RA_EINVAL); /* 1 minor digit */
    assert_non_null(strstr(err.msg, "0, 2 or 3"));
}

/* Independent rounding: floor((2n + d) / 2d) rounds half up; a tie is exactly when 2n + d is a
 * multiple of 2d, and then an odd result is moved down by one. n >= 0, d > 0. */
static unsigned __int128 ref_round(unsigned __int128 n, unsigned __int128 d)
{
    unsigned __int128 t = 2 * n + d, q = t / (2 * d);
    if (t % (2 * d) == 0 && (q & 1))
        q -= 1;
    return q;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void test_money_value_matches_reference_rounding(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {1, 42, 20240601};
    size_t checks = 0;
    for (size_t si = 0; si < sizeof seeds / sizeof *seeds; si++) {
        uint64_t s = seeds[si];
        for (int i = 0; i < 20000; i++) {
            /* quantities up to 1e6 shares, prices up to 1e5 USD, some with exact ties */
            int64_t q = (int64_t)(splitmix(&s) % UINT64_C(1000000000000));
            int64_t p = (int64_t)(splitmix(&s) % UINT64_C(100000000000));
            if (i % 4 == 0)
                p -= p % 5000; /* ties happen with half-cent prices */
            int d = (int)(splitmix(&s) % 3);
            d = d == 1 ? 3 : d;
            int neg = (int)(splitmix(&s) & 1);
            ra_minor got;
            ra_err err = {0};
            if (ra_money_value(neg ? -q : q, p, d, &got, &err) != RA_OK)
                fail_msg("seed %llu i %d: %s", (unsigned long long)seeds[si], i, err.msg);
            int64_t den = 1;
            for (int k = 0; k < 12 - d; k++)
                den *= 10;
            int64_t want = (int64_t)ref_round((unsigned __int128)q * (uint64_t)p, (uint64_t)den);
            if (neg)
                want = -want;
            if (got != want)
                fail_msg("seed %llu i %d: %lld * %lld (d %d) = %lld, want %lld",
                         (unsigned long long)seeds[si], i, (long long)q, (long long)p, d,
                         (long long)got, (long long)want);
            checks++;
        }
    }
    assert_int_equal(checks, 60000);
}

static void test_money_muldiv_rounds_and_checks(void **state)
{
    (void)state;
    int64_t v;
    ra_err err = {0};
    assert_int_equal(ra_money_muldiv(7, 1, 2, &v, &err), RA_OK); /* 3.5 -> 4 */
    assert_int_equal(v, 4);
    assert_int_equal(ra_money_muldiv(5, 1, 2, &v, &err), RA_OK); /* 2.5 -> 2 */
    assert_int_equal(v, 2);
    assert_int_equal(ra_money_muldiv(-5, 1, 2, &v, &err), RA_OK); /* -2.5 -> -2 */
    assert_int_equal(v, -2);
    assert_int_equal(ra_money_muldiv(5, 1, -2, &v, &err), RA_OK); /* -2.5 -> -2 */
    assert_int_equal(v, -2);
    assert_int_equal(ra_money_muldiv(10001, 2, 3, &v, &err), RA_OK); /* 6667.33 -> 6667 */
    assert_int_equal(v, 6667);
    /* INT64_MAX * 3 / 3 = INT64_MAX: the 128-bit product does not wrap */
    assert_int_equal(ra_money_muldiv(INT64_MAX, 3, 3, &v, &err), RA_OK);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(ra_money_muldiv(INT64_MAX, 3, 2, &v, &err), RA_EINVAL);
    assert_int_equal(ra_money_muldiv(1, 1, 0, &v, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "by zero"));
}

/* ---- parsing and formatting ------------------------------------------------------------------ */

static void test_money_parse_accepts_exact_decimals(void **state)
{
    (void)state;
    int64_t v;
    ra_err err = {0};
    assert_int_equal(PARSE(ra_money_parse_minor, "1234.56", 2, &v, &err), RA_OK);
    assert_int_equal(v, 123456);
    assert_int_equal(PARSE(ra_money_parse_minor, "1234.5", 2, &v, &err), RA_OK);
    assert_int_equal(v, 123450);
    assert_int_equal(PARSE(ra_money_parse_minor, "1234", 2, &v, &err), RA_OK);
    assert_int_equal(v, 123400);
    assert_int_equal(PARSE(ra_money_parse_minor, "-0.01", 2, &v, &err), RA_OK);
    assert_int_equal(v, -1);
    assert_int_equal(PARSE(ra_money_parse_minor, "1234", 0, &v, &err), RA_OK); /* JPY */
    assert_int_equal(v, 1234);
    assert_int_equal(PARSE(ra_money_parse_minor, "1.234", 3, &v, &err), RA_OK); /* BHD */
    assert_int_equal(v, 1234);
    assert_int_equal(PARSE(ra_money_parse_qty, "0.000001", &v, &err), RA_OK);
    assert_int_equal(v, 1);
    assert_int_equal(PARSE(ra_money_parse_qty, "12.5", &v, &err), RA_OK);
    assert_int_equal(v, 12500000);
    assert_int_equal(PARSE(ra_money_parse_price, "123.456789", &v, &err), RA_OK);
    assert_int_equal(v, 123456789);
    assert_int_equal(PARSE(ra_money_parse_minor, "00012.30", 2, &v, &err), RA_OK);
    assert_int_equal(v, 1230);
    /* the extremes of int64 */
    assert_int_equal(PARSE(ra_money_parse_minor, "92233720368547758.07", 2, &v, &err), RA_OK);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(PARSE(ra_money_parse_minor, "-92233720368547758.07", 2, &v, &err), RA_OK);
    assert_int_equal(v, -INT64_MAX);
    /* len bounds the text: "12.345" read as its first 4 bytes "12.3" */
    assert_int_equal(ra_money_parse_minor("12.345", 4, 2, &v, &err), RA_OK);
    assert_int_equal(v, 1230);
}

static void expect_parse_error(const char *s, int digits, const char *fragment)
{
    int64_t v = 99;
    ra_err err = {0};
    ra_status rc = ra_money_parse_decimal(s, strlen(s), digits, &v, &err);
    if (rc != RA_EPARSE)
        fail_msg("\"%s\": status %d, want parse error", s, (int)rc);
    if (!strstr(err.msg, fragment))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, err.msg, fragment);
    assert_int_equal(v, 99);
}

static void test_money_parse_rejects_with_clear_messages(void **state)
{
    (void)state;
    expect_parse_error("1.234", 2, "has 3 decimals, at most 2 allowed");
    expect_parse_error("12.3", 0, "has 1 decimals, at most 0 allowed");
    expect_parse_error("0.0000001", 6, "has 7 decimals");
    expect_parse_error("1e5", 2, "exponent notation");
    expect_parse_error("1.5E-3", 6, "exponent notation");
    expect_parse_error("NaN", 2, "not a number");
    expect_parse_error("-inf", 2, "not a number");
    expect_parse_error("Infinity", 2, "not a number");
    expect_parse_error("", 2, "empty");
    expect_parse_error(" 1", 2, "not a decimal number: \" 1\"");
    expect_parse_error("1 ", 2, "not a decimal number");
    expect_parse_error("+1", 2, "not a decimal number");
    expect_parse_error("1,234.56", 2, "not a decimal number: \"1,234.56\"");
    expect_parse_error("1.", 2, "not a decimal number");
    expect_parse_error(".5", 2, "not a decimal number");
    expect_parse_error("-", 2, "not a decimal number");
    expect_parse_error("1.2.3", 2, "not a decimal number");
    expect_parse_error("0x10", 2, "not a decimal number");
    expect_parse_error("92233720368547758.08", 2, "out of range (magnitude at most 92233720368547758.07)");
    expect_parse_error("99999999999999999999999999", 0, "out of range");
    expect_parse_error("10000000000000", 6, "out of range"); /* 1e13 shares = 1e19 micro */
}

static void test_money_format_writes_exact_digits(void **state)
{
    (void)state;
    char b[RA_MONEY_FMT_SIZE];
    assert_string_equal(ra_money_format_minor(123456, 2, b, sizeof b), "1234.56");
    assert_string_equal(ra_money_format_minor(-1, 2, b, sizeof b), "-0.01");
    assert_string_equal(ra_money_format_minor(0, 2, b, sizeof b), "0.00");
    assert_string_equal(ra_money_format_minor(5, 3, b, sizeof b), "0.005");
    assert_string_equal(ra_money_format_minor(1234, 0, b, sizeof b), "1234");
    assert_string_equal(ra_money_format_minor(-7, 0, b, sizeof b), "-7");
    assert_string_equal(ra_money_format_qty(1, b, sizeof b), "0.000001");
    assert_string_equal(ra_money_format_qty(12500000, b, sizeof b), "12.500000");
    assert_string_equal(ra_money_format_price(123456789, b, sizeof b), "123.456789");
    assert_string_equal(ra_money_format_minor(INT64_MIN, 2, b, sizeof b), "-92233720368547758.08");
    assert_string_equal(ra_money_format_decimal(INT64_MAX, 18, b, sizeof b),
                        "9.223372036854775807");
    char small[5];
    assert_string_equal(ra_money_format_minor(123456, 2, small, sizeof small), "1234");
}

static void test_money_format_parse_round_trip(void **state)
{
    (void)state;
    uint64_t s = 7;
    size_t checks = 0;
    for (int i = 0; i < 5000; i++) {
        int64_t v = (int64_t)splitmix(&s);
        if (v == INT64_MIN)
            continue;
        int digits = (int)(splitmix(&s) % 19);
        char b[RA_MONEY_FMT_SIZE];
        int64_t back;
        ra_err err = {0};
        ra_money_format_decimal(v, digits, b, sizeof b);
        if (ra_money_parse_decimal(b, strlen(b), digits, &back, &err) != RA_OK || back != v)
            fail_msg("seed 7 i %d: %lld -> \"%s\" -> %lld (%s)", i, (long long)v, b,
                     (long long)back, err.msg);
        checks++;
    }
    assert_true(checks > 4990);
}

/* ---- split ratios ----------------------------------------------------------------------------- */

static void test_money_ratio_from_double_maps_vendor_values(void **state)
{
    (void)state;
    ra_ratio r;
    ra_err err = {0};
    struct { double c; int64_t num, den; } cases[] = {
        {3.000003, 3, 1},       /* Alpha Vantage's 3-for-1: |3 - 3.000003| / 3.000003 = 1e-6 */
        {0.333333333333, 1, 3}, /* 1-for-3 reverse */
        {2.0, 2, 1}, {0.5, 1, 2}, {1.5, 3, 2}, {10.0, 10, 1}, {6.0, 6, 1},
        {0.1, 1, 10}, {1.25, 5, 4}, {0.666667, 2, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(ra_money_ratio_from_double(cases[i].c, &r, &err), RA_OK);
        if (r.num != cases[i].num || r.den != cases[i].den)
            fail_msg("%.17g -> %lld/%lld, want %lld/%lld", cases[i].c, (long long)r.num,
                     (long long)r.den, (long long)cases[i].num, (long long)cases[i].den);
    }
    assert_int_equal(ra_money_ratio_from_double(0.0, &r, &err), RA_EINVAL);
    assert_int_equal(ra_money_ratio_from_double(-2.0, &r, &err), RA_EINVAL);
    assert_int_equal(ra_money_ratio_from_double(NAN, &r, &err), RA_EINVAL);
    assert_int_equal(ra_money_ratio_from_double(INFINITY, &r, &err), RA_EINVAL);
    /* 1e-4 is 10% away from 1/1000, the nearest fraction with a small enough denominator */
    assert_int_equal(ra_money_ratio_from_double(1e-4, &r, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "denominator at most 1000"));
}

static void test_money_ratio_parse_fractions_and_decimals(void **state)
{
    (void)state;
    ra_ratio r;
    ra_err err = {0};
    assert_int_equal(PARSE(ra_money_ratio_parse, "3.000003", &r, &err), RA_OK);
    assert_true(r.num == 3 && r.den == 1);
    assert_int_equal(PARSE(ra_money_ratio_parse, "0.333333333333", &r, &err), RA_OK);
    assert_true(r.num == 1 && r.den == 3);
    assert_int_equal(PARSE(ra_money_ratio_parse, "6/2", &r, &err), RA_OK); /* reduced */
    assert_true(r.num == 3 && r.den == 1);
    assert_int_equal(PARSE(ra_money_ratio_parse, "1/3", &r, &err), RA_OK);
    assert_true(r.num == 1 && r.den == 3);
    assert_int_equal(PARSE(ra_money_ratio_parse, "2.0", &r, &err), RA_OK);
    assert_true(r.num == 2 && r.den == 1);
    assert_int_equal(ra_money_ratio_parse(NULL, 0, &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "0/1", &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "1/0", &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "3/", &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "abc", &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "1e3", &r, &err), RA_EPARSE);
    assert_non_null(strstr(err.msg, "exponent"));
    assert_int_equal(PARSE(ra_money_ratio_parse, "0", &r, &err), RA_EPARSE);
    assert_int_equal(PARSE(ra_money_ratio_parse, "-2", &r, &err), RA_EPARSE);
    r.num = 4;
    r.den = 6;
    assert_int_equal(ra_money_ratio_check(&r, &err), RA_OK);
    assert_true(r.num == 2 && r.den == 3);
    r.den = 0;
    assert_int_equal(ra_money_ratio_check(&r, &err), RA_EINVAL);
}

/* Every split in the real Alpha Vantage file maps to the simple ratio its README describes
 * (../shared/data/README.md#av_etf_splitscsv: 2.0 = 2-for-1, 3.000003 = 3-for-1, 0.5 = 1-for-2,
 * 0.333333333333 = 1-for-3). */
static void test_money_ratio_parse_real_split_file(void **state)
{
    (void)state;
    FILE *f = fopen(RA_DATA("av_etf_splits.csv"), "r");
    assert_non_null(f);
    char line[256];
    size_t rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *c = strrchr(line, ',');
        assert_non_null(c);
        c++;
        ra_ratio r;
        ra_err err = {0};
        if (ra_money_ratio_parse(c, strlen(c), &r, &err) != RA_OK)
            fail_msg("%s: %s", line, err.msg);
        double coef = strtod(c, NULL);
        /* the vendor value is within 1e-5 of num/den, and den is 1, 2 or 3 */
        assert_true(r.den == 1 || r.den == 2 || r.den == 3);
        if (fabs((double)r.num / (double)r.den - coef) > 1e-5 * coef)
            fail_msg("%s -> %lld/%lld", line, (long long)r.num, (long long)r.den);
        if (strcmp(c, "3.000003") == 0)
            assert_true(r.num == 3 && r.den == 1);
        if (strcmp(c, "0.333333333333") == 0)
            assert_true(r.num == 1 && r.den == 3);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_value_ties_to_even),
        cmocka_unit_test(test_money_value_overflow_is_an_error),
        cmocka_unit_test(test_money_value_matches_reference_rounding),
        cmocka_unit_test(test_money_muldiv_rounds_and_checks),
        cmocka_unit_test(test_money_parse_accepts_exact_decimals),
        cmocka_unit_test(test_money_parse_rejects_with_clear_messages),
        cmocka_unit_test(test_money_format_writes_exact_digits),
        cmocka_unit_test(test_money_format_parse_round_trip),
        cmocka_unit_test(test_money_ratio_from_double_maps_vendor_values),
        cmocka_unit_test(test_money_ratio_parse_fractions_and_decimals),
        cmocka_unit_test(test_money_ratio_parse_real_split_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
