/* Failure paths of every parser of outside input (issue 11 "Memory and tests you can trust"): the
 * allocator hooks of alloc.h fail the k-th allocation, for every k from 1 until a run makes fewer
 * than k allocations. Each run must return RA_ENOMEM (or RA_OK once k is past the last
 * allocation), leave its output NULL when it fails, and leak nothing: the hooks count the live
 * allocations (the sanitize build's leak check backs this up). jansson allocates through the same
 * hooks (json_set_alloc_funcs in src/io/json_io.c). Inputs are the documented examples (examples/)
 * and small files written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/csv.h>
#include <roboadvisor/holdings_io.h>
#include <roboadvisor/import.h>
#include <roboadvisor/market_io.h>
#include <roboadvisor/models_io.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/plan_io.h>
#include <roboadvisor/prof_io.h>

#include "ra_test.h"

/* ---- the failing allocator ------------------------------------------------------------------ */

typedef struct counter {
    long calls;   /* allocations attempted in this run */
    long fail_at; /* 1-based call to fail; 0 never */
    long failed;  /* 1 once the call failed */
    long live;    /* allocations not yet freed */
} counter;

/* Each block carries its size in front (HDR bytes, keeping malloc's alignment), so that a
 * realloc that shrinks is known: it is never failed (a reader may keep the larger block when a
 * shrink fails, and real allocators do not fail them). */
#define HDR 16

static void *c_malloc(void *ctx, size_t n)
{
    counter *c = ctx;
    if (++c->calls == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    char *p = malloc(n + HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    c->live++;
    return p + HDR;
}

static void *c_realloc(void *ctx, void *p, size_t n)
{
    counter *c = ctx;
    if (!p)
        return c_malloc(ctx, n);
    char *b = (char *)p - HDR;
    size_t old;
    memcpy(&old, b, sizeof old);
    if (n > old && ++c->calls == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    char *q = realloc(b, n + HDR);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    return q + HDR;
}

static void c_free(void *ctx, void *p)
{
    counter *c = ctx;
    if (!p)
        return;
    c->live--;
    free((char *)p - HDR);
}

/* ---- inputs --------------------------------------------------------------------------------- */

static char *read_example(const char *rel, size_t *size)
{
    char path[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    snprintf(path, sizeof path, "%.*s/../../%s", slash ? (int)(slash - file) : 1,
             slash ? file : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *size = fread(buf, 1, (1 << 20) - 1, f);
    buf[*size] = 0;
    fclose(f);
    return buf;
}

typedef struct input {
    const char *data;
    size_t size;
    const void *aux; /* the questionnaire for the answers */
} input;

/* One parse: returns its status; *out_null = 1 when the output stayed NULL. Destroys the output
 * (through ra_free, so the counter sees it) on success. */
typedef ra_status (*parse_fn)(const input *in, int *out_null, ra_err *err);

#define PARSER(name, type, call, destroy)                                                      \
    static ra_status name(const input *in, int *out_null, ra_err *err)                         \
    {                                                                                          \
        type *out = NULL;                                                                      \
        ra_status st = call;                                                                   \
        *out_null = out == NULL;                                                               \
        if (st == RA_OK)                                                                       \
            destroy;                                                                           \
        return st;                                                                             \
    }

PARSER(p_series, ra_series, ra_csv_parse_series(in->data, in->size, "s.csv", &out, err),
       ra_series_destroy(out))
PARSER(p_holdings, ra_holdings, ra_holdings_parse(in->data, in->size, "h.csv", &out, err),
       ra_holdings_destroy(out))
PARSER(p_flows, ra_flows, ra_csv_parse_flows(in->data, in->size, "f.csv", &out, err),
       ra_flows_destroy(out))
PARSER(p_values, ra_values, ra_csv_parse_values(in->data, in->size, "v.csv", &out, err),
       ra_values_destroy(out))
PARSER(p_groups, ra_groups, ra_csv_parse_groups(in->data, in->size, "g.csv", &out, err),
       ra_groups_destroy(out))
PARSER(p_questionnaire, ra_prof_questionnaire,
       ra_prof_questionnaire_parse(in->data, in->size, &out, err),
       ra_prof_questionnaire_destroy(out))
PARSER(p_answers, ra_prof_answers,
       ra_prof_answers_parse((const ra_prof_questionnaire *)in->aux, in->data, in->size, &out,
                             err),
       ra_prof_answers_destroy(out))
PARSER(p_onboard, ra_onboard_doc, ra_onboard_doc_parse(in->data, in->size, &out, err),
       ra_onboard_doc_destroy(out))
PARSER(p_glide, ra_plan_glide, ra_plan_glide_parse(in->data, in->size, "g.csv", &out, err),
       ra_plan_glide_destroy(out))

static ra_status p_models(const input *in, int *out_null, ra_err *err)
{
    ra_model *out = NULL;
    size_t n = 0;
    ra_status st = ra_models_csv_parse(in->data, in->size, "m.csv", &out, &n, err);
    *out_null = out == NULL;
    ra_free(out);
    return st;
}

static ra_import_kind g_kind;
static ra_status p_import(const input *in, int *out_null, ra_err *err)
{
    ra_import *out = NULL;
    ra_status st = ra_import_parse(g_kind, in->data, in->size, "i.csv", NULL, &out, err);
    *out_null = out == NULL;
    ra_import_destroy(out);
    return st;
}

static ra_status p_shelf(const input *in, int *out_null, ra_err *err)
{
    ra_market_etf *out = NULL;
    size_t n = 0;
    ra_status st = ra_market_etfs_parse(in->data, in->size, "d.csv", &out, &n, err);
    *out_null = out == NULL;
    ra_free(out);
    return st;
}

static ra_status p_dividends(const input *in, int *out_null, ra_err *err)
{
    ra_dividend *out = NULL;
    size_t n = 0;
    ra_status st = ra_market_dividends_parse(in->data, in->size, "d.csv", &out, &n, err);
    *out_null = out == NULL;
    ra_free(out);
    return st;
}

static ra_status p_splits(const input *in, int *out_null, ra_err *err)
{
    ra_split *out = NULL;
    size_t n = 0;
    ra_status st = ra_market_splits_parse(in->data, in->size, "s.csv", &out, &n, err);
    *out_null = out == NULL;
    ra_free(out);
    return st;
}

/* Fails allocation k = 1, 2, ... until a run completes without reaching k; returns the number of
 * allocations of a successful parse (at least 1: a parser that allocates nothing tests nothing). */
static long fail_every_k(const char *what, parse_fn fn, const input *in)
{
    counter c;
    ra_alloc_hooks h = {c_malloc, c_realloc, c_free, &c};
    for (long k = 1;; k++) {
        memset(&c, 0, sizeof c);
        c.fail_at = k;
        ra_alloc_set_hooks(&h);
        ra_err err;
        memset(&err, 0, sizeof err);
        int out_null = 0;
        ra_status st = fn(in, &out_null, &err);
        ra_alloc_set_hooks(NULL);
        if (c.live != 0)
            fail_msg("%s: allocation %ld failed: %ld allocation(s) leaked (status %d: %s)", what,
                     k, c.live, (int)st, err.msg);
        if (!c.failed) {
            if (st != RA_OK)
                fail_msg("%s: without a failure the parse returned %d: %s: %s", what, (int)st,
                         err.where, err.msg);
            assert_true(k > 1);
            return k - 1;
        }
        if (st != RA_ENOMEM)
            fail_msg("%s: allocation %ld of %ld failed but the parse returned %d: %s: %s", what,
                     k, c.calls, (int)st, err.where, err.msg);
        if (!out_null)
            fail_msg("%s: allocation %ld failed but the output is not NULL", what, k);
    }
}

/* ---- the parsers ---------------------------------------------------------------------------- */

static const char series_csv[] = "Date,A,B\n2020-01-02,1.5,2\n2020-01-03,1.6,\n2020-01-06,1.7,2.2\n";
static const char glide_csv[] = "year,mu,sigma\n1,0.07,0.18\n10,0.05,0.12\n25,3e-2,0.06\n";
static const char models_csv[] = "model,version,ticker,weight\nCORE,,VTI,0.6\nCORE,,BND,0.4\n"
                                 "INC,2,BND,0.7\nINC,2,VTI,0.3\n";
static const char prices_csv[] = "Date,SPY,AGG\n2023-06-08,429.13,\n2023-06-09,429.8999,97.91\n";
static const char dividends_csv[] = "date,ticker,dividend_amount\n2023-06-16,SPY,1.638\n"
                                    "2023-06-01,AGG,0.2807\n";
static const char splits_csv[] = "date,ticker,split_coefficient\n2022-07-18,GOOGL,20\n";
static const char shelf_csv[] = "Ticker,Fund Name,Geographic Focus,Fund Type\n"
                                "SPY,SPDR S&P 500 ETF Trust,United States of America,Equity\n"
                                "IEF,iShares 7-10 Year Treasury Bond ETF,United States of America,"
                                "Bond\n";
static const char mdiv_csv[] = "Date,Ticker,dividend_amount\n1999-12-17,MDY,2.1846\n"
                               "1999-12-17,SPY,0.3476\n";
static const char msplit_csv[] = "Date,Ticker,split_coefficient\n2000-03-20,QQQ,2.0\n"
                                 "2005-06-09,EEM,3.000003\n";

static const char holdings_csv[] = "ticker,weight\nSPY,0.6\nAGG,0.4\n";

#define TEXT(s) {(s), sizeof(s) - 1, NULL}

static void test_alloc_fail_csv_readers(void **state)
{
    (void)state;
    size_t n;
    char *flows = read_example("examples/data/flows.csv", &n);
    input fin = {flows, n, NULL};
    char *values = read_example("examples/data/values.csv", &n);
    input vin = {values, n, NULL};
    char *groups = read_example("examples/data/groups.csv", &n);
    input gin = {groups, n, NULL};
    input sin = TEXT(series_csv), lin = TEXT(glide_csv), min = TEXT(models_csv);
    assert_true(fail_every_k("series", p_series, &sin) >= 3);
    assert_true(fail_every_k("flows", p_flows, &fin) >= 2);
    assert_true(fail_every_k("values", p_values, &vin) >= 2);
    assert_true(fail_every_k("groups", p_groups, &gin) >= 2);
    assert_true(fail_every_k("glide path", p_glide, &lin) >= 2);
    assert_true(fail_every_k("models", p_models, &min) >= 2);
    input hin = TEXT(holdings_csv);
    assert_true(fail_every_k("holdings", p_holdings, &hin) >= 3);
    free(flows);
    free(values);
    free(groups);
}

static void test_alloc_fail_every_import_kind(void **state)
{
    (void)state;
    const char *files[RA_IMPORT_KIND_COUNT] = {
        [RA_IMPORT_SECURITIES] = "examples/data/securities.csv",
        [RA_IMPORT_CLIENTS] = "examples/data/clients.csv",
        [RA_IMPORT_ACCOUNTS] = "examples/data/accounts.csv",
        [RA_IMPORT_TRANSACTIONS] = "examples/data/transactions.csv",
        [RA_IMPORT_POSITIONS] = "examples/data/positions.csv",
    };
    const char *inline_text[RA_IMPORT_KIND_COUNT] = {
        [RA_IMPORT_PRICES] = prices_csv,
        [RA_IMPORT_DIVIDENDS] = dividends_csv,
        [RA_IMPORT_SPLITS] = splits_csv,
    };
    int kinds = 0;
    for (int k = 0; k < RA_IMPORT_KIND_COUNT; k++) {
        size_t n = 0;
        char *buf = files[k] ? read_example(files[k], &n) : NULL;
        input in = {buf ? buf : inline_text[k], buf ? n : strlen(inline_text[k]), NULL};
        g_kind = (ra_import_kind)k;
        assert_true(fail_every_k(ra_import_kind_name(g_kind), p_import, &in) >= 2);
        free(buf);
        kinds++;
    }
    assert_int_equal(kinds, RA_IMPORT_KIND_COUNT);
}

static void test_alloc_fail_json_documents(void **state)
{
    (void)state;
    size_t n;
    char *qtext = read_example("examples/questionnaire/default.json", &n);
    input qin = {qtext, n, NULL};
    assert_true(fail_every_k("questionnaire", p_questionnaire, &qin) >= 10);
    char *otext = read_example("examples/onboard/client_en.json", &n);
    input oin = {otext, n, NULL};
    assert_true(fail_every_k("onboarding document", p_onboard, &oin) >= 5);
    /* the answers: the onboarding document's answers part, against the default questionnaire */
    ra_prof_questionnaire *q = NULL;
    ra_onboard_doc *d = NULL;
    ra_err err;
    assert_int_equal(ra_prof_questionnaire_parse(qtext, strlen(qtext), &q, &err), RA_OK);
    assert_int_equal(ra_onboard_doc_parse(otext, strlen(otext), &d, &err), RA_OK);
    input ain = {d->answers, d->answers_size, q};
    assert_true(fail_every_k("answers", p_answers, &ain) >= 5);
    ra_onboard_doc_destroy(d);
    ra_prof_questionnaire_destroy(q);
    free(qtext);
    free(otext);
}

static void test_alloc_fail_market_files(void **state)
{
    (void)state;
    input sh = TEXT(shelf_csv), dv = TEXT(mdiv_csv), sp = TEXT(msplit_csv);
    assert_true(fail_every_k("shelf", p_shelf, &sh) >= 1);
    assert_true(fail_every_k("market dividends", p_dividends, &dv) >= 1);
    assert_true(fail_every_k("market splits", p_splits, &sp) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_fail_csv_readers),
        cmocka_unit_test(test_alloc_fail_every_import_kind),
        cmocka_unit_test(test_alloc_fail_json_documents),
        cmocka_unit_test(test_alloc_fail_market_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
