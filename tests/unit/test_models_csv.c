/* Tests of the hand-authored models reader (src/io/models_csv.c, ra_models_csv_parse). Expected
 * values are written by hand from docs/formats.md#model-portfolios: columns by name in any order
 * and case, version optional, rows of one model anywhere, weights in (0, 1] summing to 1 within
 * 1e-9, at most 256 holdings and 1000 models, codes by the code rule, every error naming
 * FILE:LINE:COLUMN (field). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/models_io.h>

#include "ra_test.h"

static ra_status parse(const char *text, ra_model **m, size_t *n, ra_err *err)
{
    return ra_models_csv_parse(text, strlen(text), "m.csv", m, n, err);
}

static void test_models_csv_columns_any_order_and_case(void **state)
{
    (void)state;
    ra_model *m = NULL;
    size_t n = 0;
    ra_err err = {0};
    /* rows of CORE are not adjacent; BOM-free, CRLF line ends; Weight before Model */
    const char *text = "Weight,TICKER,Model\r\n0.25,BND,CORE\r\n0.5,VTI,INC\r\n0.75,VTI,CORE\r\n"
                       "0.5,BND,INC\r\n";
    assert_int_equal(parse(text, &m, &n, &err), RA_OK);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].code, "CORE");
    assert_int_equal(m[0].n, 2);
    assert_string_equal(m[0].w[0].ticker, "BND"); /* sorted by ticker */
    RA_ASSERT_CLOSE(m[0].w[0].weight, 0.25, 0.0, 0.0);
    RA_ASSERT_CLOSE(m[0].w[1].weight, 0.75, 0.0, 0.0);
    assert_int_equal(m[0].version, 0);
    assert_string_equal(m[0].method, "manual");
    assert_string_equal(m[1].code, "INC");
    ra_free(m);
}

/* 256 holdings of 1/256 each: the most a model may hold, summing to 1 exactly */
static void test_models_csv_most_holdings(void **state)
{
    (void)state;
    size_t cap = 64 + 256 * 32;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t o = (size_t)snprintf(text, cap, "model,version,ticker,weight\n");
    for (int i = 0; i < 256; i++)
        o += (size_t)snprintf(text + o, cap - o, "BIG,7,T%03d,0.00390625\n", i);
    ra_model *m = NULL;
    size_t n = 0;
    ra_err err = {0};
    assert_int_equal(parse(text, &m, &n, &err), RA_OK);
    assert_int_equal(m[0].n, 256);
    assert_int_equal(m[0].version, 7);
    ra_free(m);
    /* one more is refused at its own line */
    snprintf(text + o, cap - o, "BIG,7,T256,0.001\n");
    assert_int_equal(parse(text, &m, &n, &err), RA_EPARSE);
    assert_null(m);
    assert_string_equal(err.where, "m.csv:258:3 (ticker)");
    assert_string_equal(err.msg, "model BIG has more than 256 holdings");
    free(text);
}

static void test_models_csv_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"", "m.csv", "the file is empty (a header is needed: model,version,ticker,weight)"},
        {"model,ticker,weight\n", "m.csv", "the file has a header but no models"},
        {"model,ticker,colour\n", "m.csv:1:3",
         "column 3 of the header is not one of model, version, ticker, weight"},
        {"model,ticker,weight,Model\n", "m.csv:1:4", "column model is given twice"},
        {"model,weight\nM,1\n", "m.csv", "the header has no column ticker"},
        {"model,ticker,weight\nM,VTI\n", "m.csv:2:3 (weight)", "the row has 2 fields, the header 3"},
        {"model,ticker,weight\n,VTI,1\n", "m.csv:2:1 (model)", "model is empty"},
        {"model,ticker,weight\nM 1,VTI,1\n", "m.csv:2:1 (model)",
         "model may hold only letters, digits, '.', '-' and '_'"},
        {"model,ticker,weight\nM,V\xC3\xA9,1\n", "m.csv:2:2 (ticker)",
         "ticker may hold only letters, digits, '.', '-' and '_'"},
        {"model,ticker,weight\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,VTI,1\n",
         "m.csv:2:1 (model)", "model is longer than 47 bytes"},
        {"model,version,ticker,weight\nM,0,VTI,1\n", "m.csv:2:2 (version)",
         "version is not a whole number 1..1000000"},
        {"model,version,ticker,weight\nM,1,VTI,0.5\nM,2,BND,0.5\n", "m.csv:3:2 (version)",
         "model M: version 2 here, 1 on line 2"},
        {"model,ticker,weight\nM,VTI,0\n", "m.csv:2:3 (weight)", "weight 0 is not in (0, 1]"},
        {"model,ticker,weight\nM,VTI,inf\n", "m.csv:2:3 (weight)", "weight is not a number"},
        {"model,ticker,weight\nM,VTI, 1\n", "m.csv:2:3 (weight)", "weight is not a number"},
        {"model,ticker,weight\nM,VTI,0.5\nM,VTI,0.5\n", "m.csv:3:2 (ticker)",
         "model M holds VTI twice"},
        {"model,ticker,weight\nM,VTI,0.6\nN,VTI,1\nM,BND,0.3\n", "m.csv:2:3 (weight)",
         "model M: weights sum to 0.9, not 1 (tolerance 1e-09)"},
    };
    int checks = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ra_model *m = (ra_model *)(uintptr_t)1;
        size_t n = 99;
        ra_err err = {0};
        ra_status st = parse(bad[i].text, &m, &n, &err);
        if (st != RA_EPARSE || m != NULL || n != 0 || strcmp(err.where, bad[i].where) != 0 ||
            strcmp(err.msg, bad[i].msg) != 0)
            fail_msg("case %zu: status %d, where \"%s\", msg \"%s\"", i, (int)st, err.where,
                     err.msg);
        checks++;
    }
    assert_int_equal(checks, 17);
}

/* the limits: 1 MiB a file, 1000 models */
static void test_models_csv_limits(void **state)
{
    (void)state;
    ra_model *m = NULL;
    size_t n = 0;
    ra_err err = {0};
    char *big = malloc(RA_MODELS_MAX_CSV + 2);
    assert_non_null(big);
    memset(big, 'x', RA_MODELS_MAX_CSV + 1);
    big[RA_MODELS_MAX_CSV + 1] = 0;
    assert_int_equal(ra_models_csv_parse(big, RA_MODELS_MAX_CSV + 1, "m.csv", &m, &n, &err),
                     RA_EPARSE);
    assert_string_equal(err.where, "m.csv");
    assert_non_null(strstr(err.msg, "more than the limit"));
    free(big);
    /* 1001 models of one holding each */
    size_t cap = 64 + 1001 * 24;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t o = (size_t)snprintf(text, cap, "model,ticker,weight\n");
    for (int i = 0; i < 1001; i++)
        o += (size_t)snprintf(text + o, cap - o, "M%04d,VTI,1\n", i);
    assert_int_equal(parse(text, &m, &n, &err), RA_EPARSE);
    assert_string_equal(err.where, "m.csv:1002:1 (model)");
    assert_string_equal(err.msg, "more than 1000 models in one file");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_csv_columns_any_order_and_case),
        cmocka_unit_test(test_models_csv_most_holdings),
        cmocka_unit_test(test_models_csv_errors),
        cmocka_unit_test(test_models_csv_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
