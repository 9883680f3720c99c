/* Tests of the CSV readers (include/roboadvisor/csv.h, docs/formats.md). Expected shapes and
 * empty-cell counts of the real files come from ../shared/data/README.md (and were re-counted
 * with awk -F, over the files); every other expected value is written by hand from the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/csv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRC "t.csv"
/* examples/data, found from the golden directory the build passes in */

static ra_status series(const char *text, ra_series **s, ra_err *err)
{
    return ra_csv_parse_series(text, strlen(text), SRC, s, err);
}

/* Parses text expecting an error; checks *out stayed NULL and the where/msg. */
static void series_fails(const char *text, const char *where, const char *msg)
{
    ra_series *s = (ra_series *)(uintptr_t)1;
    ra_err err = {0};
    assert_int_equal(series(text, &s, &err), RA_EPARSE);
    assert_null(s);
    RA_ASSERT_ERR(err, RA_EPARSE, where, msg);
}

static ra_date ymd(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* ---- the real files ------------------------------------------------------------------------- */

typedef struct shared_file {
    const char *name;
    size_t rows, cols, empty;
    ra_date first, last;
} shared_file;

static void test_csv_read_series_shared_files(void **state)
{
    (void)state;
    /* rows x asset columns and dates: README.md overview table; empty cells: README.md per file */
    const shared_file files[] = {
        {RA_DATA("lpp2005_returns.csv"), 377, 9, 0, ymd(2005, 11, 1), ymd(2007, 4, 11)},
        {RA_DATA("spisector_index.csv"), 2216, 10, 17, ymd(1999, 12, 30), ymd(2008, 10, 17)},
        {RA_DATA("spisector_logreturns.csv"), 2198, 10, 0, ymd(2000, 1, 4), ymd(2008, 10, 17)},
        {RA_DATA("swx_index.csv"), 1917, 6, 0, ymd(2000, 1, 3), ymd(2007, 5, 8)},
        {RA_DATA("swx_logreturns.csv"), 1916, 6, 0, ymd(2000, 1, 4), ymd(2007, 5, 8)},
        {RA_DATA("smallcap_monthly_returns.csv"), 60, 22, 0, ymd(1997, 1, 31), ymd(2001, 12, 31)},
        {RA_DATA("econ85long_monthly.csv"), 304, 18, 0, ymd(1984, 12, 31), ymd(2010, 3, 31)},
        {RA_DATA("dowjones30_prices.csv"), 2529, 30, 0, ymd(1990, 12, 31), ymd(2001, 1, 2)},
        {RA_DATA("aa_etf_prices.csv"), 6116, 37, 53867, ymd(1999, 12, 31), ymd(2023, 6, 9)},
        {RA_DATA("aa_etf_totalreturn_index.csv"), 6116, 37, 53867, ymd(1999, 12, 31),
         ymd(2023, 6, 9)},
        {RA_DATA("aa_riskfree_daily.csv"), 6116, 1, 0, ymd(1999, 12, 31), ymd(2023, 6, 9)},
        /* 96,719 leading + 32 interior empties */
        {RA_DATA("av_etf_close.csv"), 5314, 70, 96751, ymd(1999, 11, 1), ymd(2020, 12, 11)},
        {RA_DATA("av_etf_adjclose.csv"), 5314, 70, 96751, ymd(1999, 11, 1), ymd(2020, 12, 11)},
        {RA_DATA("ds_etf_adjclose.csv"), 4169, 80, 6097, ymd(2010, 1, 4), ymd(2026, 7, 31)},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        ra_series *s = NULL;
        ra_err err = {0};
        ra_status st = ra_csv_read_series(files[i].name, &s, &err);
        if (st != RA_OK)
            fail_msg("%s: %s: %s", files[i].name, err.where, err.msg);
        assert_int_equal(s->n_rows, files[i].rows);
        assert_int_equal(s->n_cols, files[i].cols);
        size_t empty = 0;
        for (size_t k = 0; k < s->n_rows * s->n_cols; k++)
            empty += isnan(s->values[k]) ? 1 : 0;
        assert_int_equal(empty, files[i].empty);
        assert_int_equal(s->dates[0], files[i].first);
        assert_int_equal(s->dates[s->n_rows - 1], files[i].last);
        assert_int_equal(s->lines[0], 2);
        assert_int_equal(s->lines[s->n_rows - 1], files[i].rows + 1);
        assert_string_equal(s->source, files[i].name);
        ra_series_destroy(s);
    }
}

static void test_csv_read_series_values_and_names(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(ra_csv_read_series(RA_DATA("dowjones30_prices.csv"), &s, &err), RA_OK);
    assert_string_equal(s->names[0], "AA");
    assert_string_equal(s->names[22], "MSFT");
    assert_string_equal(s->names[29], "DIS");
    assert_true(s->values[22] == 2.08); /* README: MSFT is 2.08 on 1990-12-31 */
    assert_true(s->values[0] == 5.92); /* AA, first row of the file */
    assert_int_equal(ra_series_check_positive(s, &err), RA_OK);
    ra_series_destroy(s);

    assert_int_equal(ra_csv_read_series(RA_DATA("aa_riskfree_daily.csv"), &s, &err), RA_OK);
    assert_string_equal(s->names[0], "DGS3MO_daily");
    assert_true(s->values[0] == 0.00021150793650793651); /* first data row of the file */
    ra_series_destroy(s);
}

static void test_csv_read_series_not_a_series(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    /* long format: Date,Ticker,amount */
    assert_int_equal(ra_csv_read_series(RA_DATA("av_etf_dividends.csv"), &s, &err), RA_EPARSE);
    assert_null(s);
    assert_string_equal(err.msg, "not a number: \"MDY\"");
    assert_non_null(strstr(err.where, "av_etf_dividends.csv:2:2 (Ticker)"));
}

static void test_csv_series_complete_spisector(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    size_t dropped = 99;
    assert_int_equal(ra_csv_read_series(RA_DATA("spisector_index.csv"), &s, &err), RA_OK);
    /* first empty cell (awk): line 523, field 3 (BASI), 2002-01-29; 17 rows hold one each */
    assert_int_equal(ra_series_complete(s, 0, &dropped, &err), RA_EPARSE);
    assert_int_equal(dropped, 0);
    assert_non_null(strstr(err.where, "spisector_index.csv:523:3 (BASI)"));
    assert_string_equal(err.msg, "empty cell: no value for BASI on 2002-01-29 (17 of 2216 rows "
                                 "have an empty cell; --drop-missing drops them)");
    assert_int_equal(s->n_rows, 2216);
    assert_int_equal(ra_series_complete(s, 1, &dropped, &err), RA_OK);
    assert_int_equal(dropped, 17);
    assert_int_equal(s->n_rows, 2199);
    for (size_t k = 0; k < s->n_rows * s->n_cols; k++)
        assert_false(isnan(s->values[k]));
    for (size_t t = 1; t < s->n_rows; t++) {
        assert_true(s->dates[t] > s->dates[t - 1]);
        assert_true(s->lines[t] > s->lines[t - 1]);
    }
    assert_int_equal(ra_series_complete(s, 0, NULL, &err), RA_OK);
    ra_series_destroy(s);
}

/* ---- syntax --------------------------------------------------------------------------------- */

static void test_csv_parse_series_bom_crlf_no_final_newline(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series("\xEF\xBB\xBF" "Date,A,B\r\n2020-01-02,1,2\r\n2020-01-03,3,4", &s, &err),
                     RA_OK);
    assert_int_equal(s->n_rows, 2);
    assert_int_equal(s->n_cols, 2);
    assert_string_equal(s->names[0], "A");
    assert_string_equal(s->names[1], "B");
    assert_int_equal(s->dates[0], ymd(2020, 1, 2));
    assert_int_equal(s->dates[1], ymd(2020, 1, 3));
    assert_true(s->values[0] == 1 && s->values[1] == 2 && s->values[2] == 3 && s->values[3] == 4);
    assert_int_equal(s->lines[0], 2);
    assert_int_equal(s->lines[1], 3);
    assert_string_equal(s->source, SRC);
    ra_series_destroy(s);
}

static void test_csv_parse_series_quoted_fields(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    const char *text = "\"Date\",\"A,1\",\"B \"\"x\"\"\",\"C\nD\"\n"
                       "2020-01-02,\"1.5\",\" 2 \",\"\"\n"
                       "\"2020-01-03\",3,4,5\n";
    assert_int_equal(series(text, &s, &err), RA_OK);
    assert_int_equal(s->n_cols, 3);
    assert_string_equal(s->names[0], "A,1");
    assert_string_equal(s->names[1], "B \"x\"");
    assert_string_equal(s->names[2], "C\nD");
    assert_true(s->values[0] == 1.5 && s->values[1] == 2.0 && isnan(s->values[2]));
    assert_int_equal(s->lines[0], 3); /* the header spans lines 1 and 2 */
    assert_int_equal(s->lines[1], 4);
    ra_series_destroy(s);
}

static void test_csv_parse_series_line_numbers_after_multiline_field(void **state)
{
    (void)state;
    /* the header spans lines 1-2, so the bad cell is on line 4; its name is shown with ? for \n */
    series_fails("Date,\"A\nB\",C\n2020-01-02,1,2\n2020-01-03,x,2\n", "t.csv:4:2 (A?B)",
                 "not a number: \"x\"");
    /* a quoted value spanning lines: the next field's line is where it starts */
    series_fails("Date,A,B\n2020-01-02,1,2\n2020-01-03,\"3\n\",y\n", "t.csv:4:3 (B)",
                 "not a number: \"y\"");
    series_fails("Date,A,B\n2020-01-02,1,2\n2020-01-03,\"3\n4\",5\n", "t.csv:3:2 (A)",
                 "not a number: \"3\\x0A4\"");
    series_fails("Date,A,B,C\n2020-01-02,1,2,3\n2020-01-03,\" 3\n\",4,z\n", "t.csv:4:4 (C)",
                 "not a number: \"z\"");
}

static void test_csv_parse_series_blank_lines(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series("Date,A\n2020-01-02,1\n2020-01-03,2\n\n\r\n  \n\n", &s, &err), RA_OK);
    assert_int_equal(s->n_rows, 2);
    ra_series_destroy(s);
    series_fails("Date,A\n2020-01-02,1\n\n2020-01-03,2\n", "t.csv:3:1 (Date)",
                 "blank line (blank lines are allowed only at the end)");
    series_fails("Date,A\n2020-01-02,1\r\n \t\r\n2020-01-03,2\n", "t.csv:3:1 (Date)",
                 "blank line (blank lines are allowed only at the end)");
    series_fails("\nDate,A\n2020-01-02,1\n2020-01-03,2\n", "t.csv:1:1",
                 "blank line (blank lines are allowed only at the end)");
}

static void test_csv_parse_series_tokenizer_errors(void **state)
{
    (void)state;
    series_fails("Date,A\n2020-01-02,\"1\n2020-01-03,2\n", "t.csv:2:2 (A)",
                 "quote opened here is never closed");
    series_fails("Date,A\n2020-01-02,1\"2\n2020-01-03,2\n", "t.csv:2:2 (A)",
                 "quote inside an unquoted field (quote the whole field and write a quote as \"\")");
    series_fails("Date,A\n2020-01-02,\"1\"2\n2020-01-03,2\n", "t.csv:2:2 (A)",
                 "text after the closing quote: \"2\" (quote the whole field)");
    series_fails("Date,A\r2020-01-02,1\r2020-01-03,2\r", "t.csv:1:2",
                 "carriage return not followed by a line feed (lines must end with LF or CRLF)");
    ra_series *s = NULL;
    ra_err err = {0};
    const char nul[] = "Date,A\n2020-01-02,1\0\n2020-01-03,2\n";
    assert_int_equal(ra_csv_parse_series(nul, sizeof nul - 1, SRC, &s, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:2:2 (A)", "NUL byte inside a field");
    assert_null(s);
    /* found by fuzz_series: an empty quoted field before any other quoted text */
    series_fails("Date,\"\"\n2020-01-02,1\n2020-01-03,2\n", "t.csv:1:2",
                 "empty column name (every security column needs a name)");
    series_fails("Date,A\n2020-01-02,\"\"\n2020-01-03,\"x\"\n", "t.csv:3:2 (A)",
                 "not a number: \"x\"");
    series_fails("", "t.csv:1:1", "empty file: need a header row (Date,NAME,NAME,...)");
    series_fails("\xEF\xBB\xBF\n\n", "t.csv:1:1", "empty file: need a header row (Date,NAME,NAME,...)");
}

static void test_csv_parse_series_limits(void **state)
{
    (void)state;
    /* a name of exactly RA_CSV_MAX_FIELD bytes is fine, one more is not (quoted or not) */
    size_t cap = RA_CSV_MAX_FIELD + 64;
    char *name = malloc(RA_CSV_MAX_FIELD + 2);
    char *text = malloc(cap);
    assert_non_null(name);
    assert_non_null(text);
    memset(name, 'N', RA_CSV_MAX_FIELD);
    name[RA_CSV_MAX_FIELD] = '\0';
    snprintf(text, cap, "Date,%s\n2020-01-02,1\n2020-01-03,2\n", name);
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series(text, &s, &err), RA_OK);
    assert_int_equal(strlen(s->names[0]), RA_CSV_MAX_FIELD);
    ra_series_destroy(s);
    name[RA_CSV_MAX_FIELD] = 'N';
    name[RA_CSV_MAX_FIELD + 1] = '\0';
    snprintf(text, cap, "Date,%s\n2020-01-02,1\n2020-01-03,2\n", name);
    series_fails(text, "t.csv:1:2", "field longer than 4096 bytes (the limit)");
    snprintf(text, cap, "Date,\"%s\"\n2020-01-02,1\n2020-01-03,2\n", name);
    series_fails(text, "t.csv:1:2", "field longer than 4096 bytes (the limit)");
    free(name);
    free(text);

    /* RA_CSV_MAX_COLS + 1 fields in the header */
    size_t n = RA_CSV_MAX_COLS + 1;
    text = malloc(2 * n + 16);
    assert_non_null(text);
    size_t o = 0;
    text[o++] = 'D';
    for (size_t i = 1; i < n; i++) {
        text[o++] = ',';
        text[o++] = 'x';
    }
    text[o] = '\0';
    series_fails(text, "t.csv:1:100001", "row has more than 100000 fields (the limit)");
    free(text);
}

static void test_csv_parse_series_numbers(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    const char *text = "Date,A,B,C,D,E,F,G,H\n"
                       "2020-01-02,1e-3,  2.5 ,+3,.5,5.,-0,1E+2,\n"
                       "2020-01-03,0.1,-3.15e-05,1e-400,35.81212615966797,\"7\",\t,123456789012345678901,"
                       "0.30000000000000004\n";
    assert_int_equal(series(text, &s, &err), RA_OK);
    const double *v = s->values;
    assert_true(v[0] == 1e-3 && v[1] == 2.5 && v[2] == 3.0 && v[3] == 0.5 && v[4] == 5.0);
    assert_true(v[5] == 0.0 && signbit(v[5]) && v[6] == 100.0 && isnan(v[7]));
    assert_true(v[8] == 0.1 && v[9] == -3.15e-05 && v[10] == 0.0 && v[11] == 35.81212615966797);
    assert_true(v[12] == 7.0 && isnan(v[13]) && v[14] == 123456789012345678901.0);
    assert_true(v[15] == 0.30000000000000004);
    ra_series_destroy(s);

    const char *bad[] = {"NaN", "nan", "Inf", "-inf", "infinity", "0x1p3", "0x10", "1,5", "12%",
                         "1e", "--1", ".", "1 2", "e5", "$5", "1.2.3", "1e+", "+"};
    char buf[128], msg[160];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf, "Date,A\n2020-01-02,\"%s\"\n2020-01-03,1\n", bad[i]);
        snprintf(msg, sizeof msg, "not a number: \"%s\"", bad[i]);
        series_fails(buf, "t.csv:2:2 (A)", msg);
    }
    series_fails("Date,A\n2020-01-02,1e999\n2020-01-03,1\n", "t.csv:2:2 (A)",
                 "number out of range: \"1e999\"");
    series_fails("Date,A\n2020-01-02,-1e309\n2020-01-03,1\n", "t.csv:2:2 (A)",
                 "number out of range: \"-1e309\"");
    /* long values are cut in messages */
    series_fails("Date,A\n2020-01-02,12345678901234567890123456789012345x\n2020-01-03,1\n",
                 "t.csv:2:2 (A)", "not a number: \"12345678901234567890123456789012...\"");
}

static void test_csv_parse_series_dates(void **state)
{
    (void)state;
    series_fails("Date,A\n2020-01-06,1\n2020-01-03,2\n", "t.csv:3:1 (Date)",
                 "date 2020-01-03 is not after the previous row's 2020-01-06");
    series_fails("Date,A\n2020-01-03,1\n2020-01-06,1\n2020-01-06,2\n", "t.csv:4:1 (Date)",
                 "duplicate date 2020-01-06 (also on line 3)");
    /* a repeat of an older row is named as such, not just as out of order */
    series_fails("Date,A\n2020-01-02,1\n2020-01-03,1\n2020-01-06,1\n2020-01-03,2\n",
                 "t.csv:5:1 (Date)", "duplicate date 2020-01-03 (also on line 3)");
    series_fails("Date,A\n2020-02-30,1\n2020-03-02,2\n", "t.csv:2:1 (Date)",
                 "no such day: \"2020-02-30\"");
    series_fails("Date,A\n2020/01/03,1\n2020-03-02,2\n", "t.csv:2:1 (Date)",
                 "not an ISO date (YYYY-MM-DD): \"2020/01/03\"");
    series_fails("Date,A\n1/3/2020,1\n2020-03-02,2\n", "t.csv:2:1 (Date)",
                 "not an ISO date (YYYY-MM-DD): \"1/3/2020\"");
    series_fails("Date,A\n ,1\n2020-03-02,2\n", "t.csv:2:1 (Date)",
                 "missing date (the first column holds YYYY-MM-DD dates)");
    /* dates may carry blanks around them */
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series(",A\n 2020-01-02 ,1\n2020-01-03,2\n", &s, &err), RA_OK);
    assert_int_equal(s->dates[0], ymd(2020, 1, 2));
    ra_series_destroy(s);
}

static void test_csv_parse_series_shape_errors(void **state)
{
    (void)state;
    series_fails("Date,SPY,IEF,SPY\n2020-01-02,1,2,3\n2020-01-03,1,2,3\n", "t.csv:1:4 (SPY)",
                 "duplicate column name \"SPY\" (also column 2)");
    series_fails("Date,SPY, IEF ,IEF\n2020-01-02,1,2,3\n2020-01-03,1,2,3\n", "t.csv:1:4 (IEF)",
                 "duplicate column name \"IEF\" (also column 3)");
    series_fails("Date,SPY,,IEF\n2020-01-02,1,2,3\n2020-01-03,1,2,3\n", "t.csv:1:3",
                 "empty column name (every security column needs a name)");
    series_fails("Date,A,B,C,D,E\n2020-01-02,1,2,3,4,5\n2020-01-03,1,2,3,4\n", "t.csv:3:6 (E)",
                 "row has 5 fields, the header has 6");
    series_fails("Date,A,B\n2020-01-02,1,2,3\n2020-01-03,1,2\n", "t.csv:2:4",
                 "row has 4 fields, the header has 3");
    series_fails("Date,A,B\n2020-01-02\n2020-01-03,1,2\n", "t.csv:2:2 (A)",
                 "row has 1 field, the header has 3");
    series_fails("Date,A\n2020-01-02,1\n", "t.csv:2:1 (Date)", "need at least 2 data rows, found 1");
    series_fails("Date,A\n", "t.csv:1:1 (Date)", "need at least 2 data rows, found 0");
    series_fails("Date;SPY;IEF\n2020-01-02;1;2\n", "t.csv:1:1 (Date;SPY;IEF)",
                 "the header has 1 column, need 2 to 100000 (Date,NAME,NAME,...)");
    series_fails("2020-01-02,1,2\n2020-01-03,1,2\n", "t.csv:1:1",
                 "the first row must be a header (Date,NAME,NAME,...), found the date "
                 "\"2020-01-02\"");
}

static void test_csv_parse_series_where_is_bounded(void **state)
{
    (void)state;
    char source[300], name[200], text[600];
    memset(source, 's', sizeof source - 1);
    source[sizeof source - 1] = '\0';
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, "Date,%s\n2020-01-02,x\n2020-01-03,1\n", name);
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(ra_csv_parse_series(text, strlen(text), source, &s, &err), RA_EPARSE);
    /* "..." + last 57 bytes of the source, line and column kept, name cut at 32 bytes */
    char want[128];
    snprintf(want, sizeof want, "...%.57s:2:2 (%.32s...)", source, name);
    assert_string_equal(err.where, want);
    /* NULL err is allowed */
    assert_int_equal(ra_csv_parse_series(text, strlen(text), source, &s, NULL), RA_EPARSE);
    assert_null(s);
}

/* ---- select, complete, check_positive ------------------------------------------------------- */

static const char *k_small = "Date,SPY,IEF,GLD\n"
                             "2020-01-02,1,,3\n"
                             "2020-01-03,4,5,6\n"
                             "2020-01-06,7,8,\n"
                             "2020-01-07,10,11,12\n";

static void test_csv_series_select(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series(k_small, &s, &err), RA_OK);
    const char *pick[] = {"GLD", "SPY"};
    assert_int_equal(ra_series_select(s, pick, 2, &err), RA_OK);
    assert_int_equal(s->n_cols, 2);
    assert_string_equal(s->names[0], "GLD");
    assert_string_equal(s->names[1], "SPY");
    assert_true(s->values[0] == 3 && s->values[1] == 1 && s->values[2] == 6 && s->values[3] == 4);
    assert_true(isnan(s->values[4]) && s->values[5] == 7);
    /* messages keep the source column of GLD (field 4) */
    assert_int_equal(ra_series_complete(s, 0, NULL, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:4:4 (GLD)",
               "empty cell: no value for GLD on 2020-01-06 (1 of 4 rows have an empty cell; "
               "--drop-missing drops them)");
    ra_series_destroy(s);
}

static void test_csv_series_select_errors(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series(k_small, &s, &err), RA_OK);
    const char *missing[] = {"SPY", "SPX"};
    assert_int_equal(ra_series_select(s, missing, 2, &err), RA_ENOTFOUND);
    RA_ASSERT_ERR(err, RA_ENOTFOUND, "t.csv",
               "no column named \"SPX\"; columns are: SPY, IEF, GLD (3 in all)");
    const char *twice[] = {"SPY", "GLD", "SPY"};
    assert_int_equal(ra_series_select(s, twice, 3, &err), RA_EINVAL);
    assert_string_equal(err.msg, "column \"SPY\" is selected twice");
    assert_int_equal(ra_series_select(s, twice, 0, &err), RA_EINVAL);
    /* nothing changed */
    assert_int_equal(s->n_cols, 3);
    assert_string_equal(s->names[2], "GLD");
    ra_series_destroy(s);

    /* the list of the aa file is shortened */
    assert_int_equal(ra_csv_read_series(RA_DATA("aa_etf_prices.csv"), &s, &err), RA_OK);
    const char *spx[] = {"SPX"};
    assert_int_equal(ra_series_select(s, spx, 1, &err), RA_ENOTFOUND);
    assert_string_equal(err.msg, "no column named \"SPX\"; columns are: SPY, IEF, SHY, LQD, VTI, "
                                 "IWN, GLD, BND, BNDX, VEU, VNQ, TIP, DBC, EFA, EEM, BIL, DLS, AGG, "
                                 "IWD, IWM, EFV, SCZ, HYG, MTUM, ... (37 in all)");
    const char *core[] = {"SPY", "AGG", "GLD"};
    assert_int_equal(ra_series_select(s, core, 3, &err), RA_OK);
    size_t dropped = 0;
    assert_int_equal(ra_series_complete(s, 1, &dropped, &err), RA_OK);
    /* AGG starts 2003-09-26, GLD 2004-11-18 (README): the first complete row is GLD's first */
    assert_int_equal(s->dates[0], ymd(2004, 11, 18));
    assert_int_equal(s->n_rows + dropped, 6116);
    ra_series_destroy(s);
}

static void test_csv_series_complete_drop(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    size_t dropped = 0;
    assert_int_equal(series(k_small, &s, &err), RA_OK);
    assert_int_equal(ra_series_complete(s, 0, &dropped, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:2:3 (IEF)",
               "empty cell: no value for IEF on 2020-01-02 (2 of 4 rows have an empty cell; "
               "--drop-missing drops them)");
    assert_int_equal(ra_series_complete(s, 1, &dropped, &err), RA_OK);
    assert_int_equal(dropped, 2);
    assert_int_equal(s->n_rows, 2);
    assert_int_equal(s->dates[0], ymd(2020, 1, 3));
    assert_int_equal(s->dates[1], ymd(2020, 1, 7));
    assert_int_equal(s->lines[0], 3);
    assert_int_equal(s->lines[1], 5);
    assert_true(s->values[0] == 4 && s->values[5] == 12);
    ra_series_destroy(s);

    assert_int_equal(series("Date,A,B\n2020-01-02,1,\n2020-01-03,,2\n2020-01-06,1,1\n", &s, &err),
                     RA_OK);
    assert_int_equal(ra_series_complete(s, 1, &dropped, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:2:3 (B)",
               "dropping the 2 rows with an empty cell leaves 1, need at least 2");
    assert_int_equal(s->n_rows, 3); /* unchanged */
    ra_series_destroy(s);
}

static void test_csv_series_check_positive(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    assert_int_equal(series("Date,A,B\n2020-01-02,1,2\n2020-01-03,0.5,-1.25\n", &s, &err), RA_OK);
    assert_int_equal(ra_series_check_positive(s, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:3:3 (B)",
                  "price must be positive: -1.25 for B on 2020-01-03");
    ra_series_destroy(s);
    assert_int_equal(series("Date,A\n2020-01-02,0\n2020-01-03,1\n", &s, &err), RA_OK);
    assert_int_equal(ra_series_check_positive(s, &err), RA_EPARSE);
    RA_ASSERT_ERR(err, RA_EPARSE, "t.csv:2:2 (A)", "price must be positive: 0 for A on 2020-01-02");
    ra_series_destroy(s);
    /* empty cells are left to ra_series_complete */
    assert_int_equal(series("Date,A\n2020-01-02,\n2020-01-03,1\n", &s, &err), RA_OK);
    assert_int_equal(ra_series_check_positive(s, &err), RA_OK);
    ra_series_destroy(s);
}

/* ---- files ---------------------------------------------------------------------------------- */

static void test_csv_file_read(void **state)
{
    (void)state;
    char *data = NULL;
    size_t size = 0;
    ra_err err = {0};
    ra_series *s = NULL;
    assert_int_equal(ra_csv_read_series("/nonexistent/x.csv", &s, &err), RA_EIO);
    assert_null(s);
    RA_ASSERT_ERR(err, RA_EIO, "/nonexistent/x.csv",
               "could not open \"/nonexistent/x.csv\": no such file or directory");
    assert_int_equal(ra_file_read(RA_DATA("av_etf_splits.csv"), 1 << 20, &data, &size, &err),
                     RA_OK);
    assert_int_equal(size, strlen(data));
    assert_memory_equal(data, "Date,Ticker,split_coefficient\n", 30);
    size_t full = size;
    free(data);
    assert_int_equal(ra_file_read(RA_DATA("av_etf_splits.csv"), full, &data, &size, &err), RA_OK);
    assert_int_equal(size, full);
    free(data);
    assert_int_equal(ra_file_read(RA_DATA("av_etf_splits.csv"), full - 1, &data, &size, &err),
                     RA_EPARSE);
    assert_null(data);
    char want[64];
    snprintf(want, sizeof want, "file is larger than the limit of %zu bytes", full - 1);
    assert_string_equal(err.msg, want);
    assert_int_equal(ra_file_read("/", 100, &data, &size, &err), RA_EIO);
    assert_string_equal(err.msg, "could not read \"/\": is a directory");
    assert_null(data);
}

/* ---- flows ---------------------------------------------------------------------------------- */

static void test_csv_parse_flows(void **state)
{
    (void)state;
    ra_flows *f = NULL;
    ra_err err = {0};
    const char *text = "date,amount\n2021-03-01,-1000\n2020-01-15,-500.5\n2020-01-15,25\n"
                       "2022-12-31,1712.33\n";
    assert_int_equal(ra_csv_parse_flows(text, strlen(text), "f.csv", &f, &err), RA_OK);
    assert_int_equal(f->n, 4);
    assert_int_equal(f->dates[0], ymd(2021, 3, 1));
    assert_int_equal(f->dates[1], ymd(2020, 1, 15));
    assert_true(f->amounts[0] == -1000 && f->amounts[1] == -500.5 && f->amounts[3] == 1712.33);
    assert_int_equal(f->lines[3], 5);
    assert_string_equal(f->source, "f.csv");
    ra_flows_destroy(f);
    ra_flows_destroy(NULL);

    assert_int_equal(ra_csv_read_series(RA_DATA("av_etf_splits.csv"), NULL, &err), RA_EINVAL);

    struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"date,amount,note\n2020-01-02,1,x\n", "f.csv:1:3 (note)",
         "the header has 3 columns, need 2 (date,amount)"},
        {"date\n2020-01-02\n", "f.csv:1:1 (date)", "the header has 1 column, need 2 (date,amount)"},
        {"2020-01-02,-100\n2021-01-02,110\n", "f.csv:1:1",
         "the first row must be a header (date,amount), found the date \"2020-01-02\""},
        {"date,amount\n2020-01-02,\n", "f.csv:2:2 (amount)", "missing amount"},
        {"date,amount\n2020-01-02,1e999\n", "f.csv:2:2 (amount)", "number out of range: \"1e999\""},
        {"date,amount\n2020-01-02,\"1,000\"\n", "f.csv:2:2 (amount)", "not a number: \"1,000\""},
        {"date,amount\n2020-13-02,5\n", "f.csv:2:1 (date)", "no such day: \"2020-13-02\""},
        {"date,amount\n2020-01-02,5,6\n", "f.csv:2:3", "row has 3 fields, the header has 2"},
        {"date,amount\n", "f.csv:1:1 (date)", "need at least 1 data row, found 0"},
        {"", "f.csv:1:1", "empty file: need a header row (date,amount)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = (ra_flows *)(uintptr_t)1;
        assert_int_equal(ra_csv_parse_flows(bad[i].text, strlen(bad[i].text), "f.csv", &f, &err),
                         RA_EPARSE);
        assert_null(f);
        RA_ASSERT_ERR(err, RA_EPARSE, bad[i].where, bad[i].msg);
    }
}

/* ---- values --------------------------------------------------------------------------------- */

static void test_csv_parse_values(void **state)
{
    (void)state;
    ra_values *v = NULL;
    ra_err err = {0};
    const char *text = "date,value,flow\n2020-01-31,10000,10000\n2020-02-28,9500.25,\n"
                       "2020-03-31,12000, 2500 \n2020-04-30,0,-11000\n";
    assert_int_equal(ra_csv_parse_values(text, strlen(text), "v.csv", &v, &err), RA_OK);
    assert_int_equal(v->n, 4);
    assert_true(v->values[1] == 9500.25 && v->flows[1] == 0.0 && v->flows[2] == 2500.0);
    assert_true(v->values[3] == 0.0 && v->flows[3] == -11000.0);
    assert_int_equal(v->dates[3], ymd(2020, 4, 30));
    assert_int_equal(v->lines[0], 2);
    ra_values_destroy(v);

    /* the flow column may be left out */
    text = "date,value\n2020-01-31,100\n2020-02-28,101\n";
    assert_int_equal(ra_csv_parse_values(text, strlen(text), "v.csv", &v, &err), RA_OK);
    assert_int_equal(v->n, 2);
    assert_true(v->flows[0] == 0.0 && v->flows[1] == 0.0);
    ra_values_destroy(v);
    ra_values_destroy(NULL);

    struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"date,value,flow\n2020-01-31,-1,0\n2020-02-28,1,0\n", "v.csv:2:2 (value)",
         "value must not be negative: -1"},
        {"date,value,flow\n2020-01-31,1,0\n2020-01-30,1,0\n", "v.csv:3:1 (date)",
         "date 2020-01-30 is not after the previous row's 2020-01-31"},
        {"date,value,flow\n2020-01-31,1,0\n2020-01-31,1,0\n", "v.csv:3:1 (date)",
         "duplicate date 2020-01-31 (also on line 2)"},
        {"date,value,flow\n2020-01-31,1,0\n", "v.csv:2:1 (date)",
         "need at least 2 data rows, found 1"},
        {"date,value,flow\n2020-01-31,,0\n2020-02-28,1,0\n", "v.csv:2:2 (value)", "missing value"},
        {"date,value,flow\n2020-01-31,1,x\n2020-02-28,1,0\n", "v.csv:2:3 (flow)",
         "not a number: \"x\""},
        {"date,value,flow,fee\n", "v.csv:1:4 (fee)",
         "the header has 4 columns, need 2 to 3 (date,value,flow)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = (ra_values *)(uintptr_t)1;
        assert_int_equal(ra_csv_parse_values(bad[i].text, strlen(bad[i].text), "v.csv", &v, &err),
                         RA_EPARSE);
        assert_null(v);
        RA_ASSERT_ERR(err, RA_EPARSE, bad[i].where, bad[i].msg);
    }
}

/* ---- groups --------------------------------------------------------------------------------- */

static void test_csv_parse_groups(void **state)
{
    (void)state;
    ra_groups *g = NULL;
    ra_err err = {0};
    const char *text = "group,min,max,members\n"
                       "equity,0.4,0.8,SPY;EFA;EEM\n"
                       "bonds,,0.5,\" AGG  TLT ;; \"\n"
                       "real assets,0.05,,GLD VNQ\n";
    assert_int_equal(ra_csv_parse_groups(text, strlen(text), "g.csv", &g, &err), RA_OK);
    assert_int_equal(g->n, 3);
    assert_string_equal(g->groups[0].name, "equity");
    assert_true(g->groups[0].min == 0.4 && g->groups[0].max == 0.8);
    assert_int_equal(g->groups[0].n_members, 3);
    assert_string_equal(g->groups[0].members[2], "EEM");
    assert_true(g->groups[1].min == 0.0 && g->groups[1].max == 0.5);
    assert_int_equal(g->groups[1].n_members, 2);
    assert_string_equal(g->groups[1].members[0], "AGG");
    assert_string_equal(g->groups[1].members[1], "TLT");
    assert_string_equal(g->groups[2].name, "real assets");
    assert_true(g->groups[2].min == 0.05 && g->groups[2].max == 1.0);
    assert_int_equal(g->groups[2].line, 4);
    assert_string_equal(g->source, "g.csv");
    ra_groups_destroy(g);
    ra_groups_destroy(NULL);

    struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"group,min,max,members\nequity,0.6,0.4,SPY\n", "g.csv:2:2 (min)",
         "min 0.6 is above max 0.4"},
        {"group,min,max,members\nequity,0,60,SPY\n", "g.csv:2:3 (max)",
         "max 60 is outside [0, 1] (weights are fractions: write 0.6 for 60 %)"},
        {"group,min,max,members\nequity,-0.1,1,SPY\n", "g.csv:2:2 (min)",
         "min -0.1 is outside [0, 1]"},
        {"group,min,max,members\nequity,0,1,SPY\nbonds,0,1,AGG\n equity ,0,1,EFA\n",
         "g.csv:4:1 (group)", "duplicate group name \"equity\" (also on line 2)"},
        {"group,min,max,members\nequity,0,1, ; \n", "g.csv:2:4 (members)",
         "group \"equity\" has no members (list tickers separated by ';' or spaces)"},
        {"group,min,max,members\nequity,0,1,SPY;EFA SPY\n", "g.csv:2:4 (members)",
         "member \"SPY\" is listed twice in group \"equity\""},
        {"group,min,max,members\n ,0,1,SPY\n", "g.csv:2:1 (group)", "empty group name"},
        {"group,min,max,members\nequity,x,1,SPY\n", "g.csv:2:2 (min)", "not a number: \"x\""},
        {"group,min,max\nequity,0,1\n", "g.csv:1:3 (max)",
         "the header has 3 columns, need 4 (group,min,max,members)"},
        {"group,min,max,members\n", "g.csv:1:1 (group)", "need at least 1 group row, found 0"},
        {"group,min,max,members\nequity,0,1,SPY,EFA\n", "g.csv:2:5",
         "row has 5 fields, the header has 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = (ra_groups *)(uintptr_t)1;
        assert_int_equal(ra_csv_parse_groups(bad[i].text, strlen(bad[i].text), "g.csv", &g, &err),
                         RA_EPARSE);
        assert_null(g);
        RA_ASSERT_ERR(err, RA_EPARSE, bad[i].where, bad[i].msg);
    }
}

/* ---- the example files ---------------------------------------------------------------------- */

/* Path of examples/data/name: this file is tests/unit/test_csv.c of the source tree. */
static const char *example(char *buf, size_t cap, const char *name)
{
    const char *tail = "tests/unit/test_csv.c";
    size_t n = strlen(__FILE__), t = strlen(tail);
    assert_true(n >= t && strcmp(__FILE__ + n - t, tail) == 0);
    snprintf(buf, cap, "%.*sexamples/data/%s", (int)(n - t), __FILE__, name);
    return buf;
}

static void test_csv_examples_parse(void **state)
{
    (void)state;
    ra_err err = {0};
    char *data, path[4096];
    size_t size;
    assert_int_equal(ra_file_read(example(path, sizeof path, "flows.csv"), 1 << 20, &data, &size, &err), RA_OK);
    ra_flows *f = NULL;
    assert_int_equal(ra_csv_parse_flows(data, size, "flows.csv", &f, &err), RA_OK);
    assert_true(f->n >= 3);
    ra_flows_destroy(f);
    free(data);

    assert_int_equal(ra_file_read(example(path, sizeof path, "values.csv"), 1 << 20, &data, &size, &err),
                     RA_OK);
    ra_values *v = NULL;
    assert_int_equal(ra_csv_parse_values(data, size, "values.csv", &v, &err), RA_OK);
    assert_true(v->n >= 3);
    ra_values_destroy(v);
    free(data);

    assert_int_equal(ra_file_read(example(path, sizeof path, "groups.csv"), 1 << 20, &data, &size, &err),
                     RA_OK);
    ra_groups *g = NULL;
    assert_int_equal(ra_csv_parse_groups(data, size, "groups.csv", &g, &err), RA_OK);
    free(data);
    /* every member is a column of aa_etf_prices.csv */
    ra_series *s = NULL;
    assert_int_equal(ra_csv_read_series(RA_DATA("aa_etf_prices.csv"), &s, &err), RA_OK);
    for (size_t i = 0; i < g->n; i++) {
        const char *const *m = (const char *const *)g->groups[i].members;
        for (size_t k = 0; k < g->groups[i].n_members; k++) {
            size_t j = 0;
            while (j < s->n_cols && strcmp(s->names[j], m[k]) != 0)
                j++;
            if (j == s->n_cols)
                fail_msg("groups.csv member %s is not in aa_etf_prices.csv", m[k]);
        }
    }
    ra_series_destroy(s);
    ra_groups_destroy(g);
}

/* ra_series_slice keeps rows dated from..to inclusive, with their values and source lines. */
static void test_csv_series_slice(void **state)
{
    (void)state;
    ra_series *s = NULL;
    ra_err err = {0};
    const char *text = "Date,A,B\n2020-01-01,1,10\n2020-01-02,2,20\n2020-01-03,3,30\n"
                       "2020-01-06,4,40\n2020-01-07,5,50\n";
    assert_int_equal(series(text, &s, &err), RA_OK);
    assert_int_equal(ra_series_slice(s, ymd(2020, 1, 2), ymd(2020, 1, 6), &err), RA_OK);
    assert_int_equal(s->n_rows, 3);
    assert_int_equal(s->dates[0], ymd(2020, 1, 2));
    assert_int_equal(s->dates[2], ymd(2020, 1, 6));
    assert_true(s->values[0] == 2 && s->values[1] == 20 && s->values[5] == 40);
    assert_int_equal(s->lines[0], 3);
    /* open ends; a window between rows; an empty window */
    assert_int_equal(ra_series_slice(s, INT32_MIN, ymd(2020, 1, 4), &err), RA_OK);
    assert_int_equal(s->n_rows, 2);
    assert_int_equal(ra_series_slice(s, ymd(2021, 1, 1), INT32_MAX, &err), RA_EPARSE);
    assert_string_equal(err.msg, "the window from 2021-01-01 to the end holds 0 rows of the file, "
                                 "need at least 2");
    assert_int_equal(s->n_rows, 2); /* unchanged on error */
    assert_int_equal(ra_series_slice(s, ymd(2021, 1, 1), ymd(2020, 1, 1), &err), RA_EINVAL);
    ra_series_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_read_series_shared_files),
        cmocka_unit_test(test_csv_read_series_values_and_names),
        cmocka_unit_test(test_csv_read_series_not_a_series),
        cmocka_unit_test(test_csv_series_complete_spisector),
        cmocka_unit_test(test_csv_parse_series_bom_crlf_no_final_newline),
        cmocka_unit_test(test_csv_parse_series_quoted_fields),
        cmocka_unit_test(test_csv_parse_series_line_numbers_after_multiline_field),
        cmocka_unit_test(test_csv_parse_series_blank_lines),
        cmocka_unit_test(test_csv_parse_series_tokenizer_errors),
        cmocka_unit_test(test_csv_parse_series_limits),
        cmocka_unit_test(test_csv_parse_series_numbers),
        cmocka_unit_test(test_csv_parse_series_dates),
        cmocka_unit_test(test_csv_parse_series_shape_errors),
        cmocka_unit_test(test_csv_parse_series_where_is_bounded),
        cmocka_unit_test(test_csv_series_select),
        cmocka_unit_test(test_csv_series_select_errors),
        cmocka_unit_test(test_csv_series_complete_drop),
        cmocka_unit_test(test_csv_series_check_positive),
        cmocka_unit_test(test_csv_series_slice),
        cmocka_unit_test(test_csv_file_read),
        cmocka_unit_test(test_csv_parse_flows),
        cmocka_unit_test(test_csv_parse_values),
        cmocka_unit_test(test_csv_parse_groups),
        cmocka_unit_test(test_csv_examples_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
