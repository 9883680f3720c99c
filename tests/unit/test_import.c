/* Tests of the import parsers (include/roboadvisor/import.h, docs/formats.md "Import files").
 * Expected values are written by hand from the inputs; the counts of the real files come from
 * ../shared/data/README.md and were re-counted with awk -F, over the files (non-empty price
 * cells of aa_etf_prices.csv: awk -F, 'NR>1{for(i=2;i<=NF;i++) if($i!="") c++} END{print c}'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/import.h>

#include <stdint.h>
#include <string.h>

#define SRC "t.csv"

static ra_import *ok(ra_import_kind kind, const char *text)
{
    ra_import *im = NULL;
    ra_err err = {0};
    ra_status st = ra_import_parse(kind, text, strlen(text), SRC, NULL, &im, &err);
    if (st != RA_OK)
        fail_msg("parse failed: %s: %s", err.where, err.msg);
    assert_non_null(im);
    assert_string_equal(im->source, SRC);
    return im;
}

static void fails(ra_import_kind kind, const char *text, const char *where, const char *msg)
{
    ra_import *im = (ra_import *)(uintptr_t)1;
    ra_err err = {0};
    assert_int_equal(ra_import_parse(kind, text, strlen(text), SRC, NULL, &im, &err), RA_EPARSE);
    assert_null(im);
    RA_ASSERT_ERR(err, RA_EPARSE, where, msg);
}

static ra_date ymd(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* ---- exact decimals ------------------------------------------------------------------------- */

static void test_import_decimal_round_ties_to_even(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int digits;
        int64_t want;
    } cases[] = {
        {"146.875", 6, 146875000},  {"1.0000005", 6, 1000000},    {"1.0000015", 6, 1000002},
        {"1.00000050001", 6, 1000001}, {"-1.0000015", 6, -1000002}, {"0.0000004999", 6, 0},
        {"-3.15e-05", 6, -32},      {"3.9682539682539683e-07", 6, 0}, {"2.5e-7", 6, 0},
        {"7.5e-7", 6, 1},           {"1e3", 2, 100000},           {".5", 0, 0},
        {"1.5", 0, 2},              {"2.5", 0, 2},                {"5.", 1, 50},
        {"+12", 0, 12},             {"0", 6, 0},                  {"000123.4500", 2, 12345},
        {"9223372036854.775807", 6, INT64_MAX},                   {"0e999999999", 6, 0},
        {"1e-999999", 6, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 42;
        ra_err err = {0};
        ra_status st = ra_import_decimal_round(cases[i].s, strlen(cases[i].s), cases[i].digits, &v,
                                               &err);
        if (st != RA_OK || v != cases[i].want)
            fail_msg("%s: status %d value %lld, want %lld (%s)", cases[i].s, st, (long long)v,
                     (long long)cases[i].want, err.msg);
    }
}

static void test_import_decimal_round_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *s, *msg;
    } cases[] = {
        {"", "not a number: \"\""},       {"-", "not a number: \"-\""},
        {".", "not a number: \".\""},     {"1e", "not a number: \"1e\""},
        {"1,5", "not a number: \"1,5\""}, {"nan", "not a number: \"nan\""},
        {"1 2", "not a number: \"1 2\""}, {"0x10", "not a number: \"0x10\""},
        {"1.2.3", "not a number: \"1.2.3\""},
        {"9223372036854.775808", "number out of range: \"9223372036854.775808\""},
        {"1e30", "number out of range: \"1e30\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v;
        ra_err err = {0};
        assert_int_equal(ra_import_decimal_round(cases[i].s, strlen(cases[i].s), 6, &v, &err),
                         RA_EPARSE);
        assert_string_equal(err.msg, cases[i].msg);
    }
    ra_err err = {0};
    int64_t v;
    assert_int_equal(ra_import_decimal_round("1", 1, 19, &v, &err), RA_EINVAL);
}

/* ---- kinds ---------------------------------------------------------------------------------- */

static void test_import_kind_names(void **state)
{
    (void)state;
    for (int k = 0; k < RA_IMPORT_KIND_COUNT; k++) {
        ra_import_kind got;
        assert_int_equal(ra_import_kind_parse(ra_import_kind_name((ra_import_kind)k), &got, NULL),
                         RA_OK);
        assert_int_equal(got, k);
    }
    ra_err err = {0};
    ra_import_kind got;
    assert_int_equal(ra_import_kind_parse("trades", &got, &err), RA_EINVAL);
    assert_string_equal(err.msg, "no import kind \"trades\" (prices, dividends, splits, "
                                 "securities, clients, accounts, transactions, positions)");
    assert_string_equal(ra_import_kind_name((ra_import_kind)99), "?");
    ra_import *im = (ra_import *)(uintptr_t)1;
    assert_int_equal(ra_import_parse((ra_import_kind)99, "", 0, SRC, NULL, &im, &err), RA_EINVAL);
    assert_null(im);
    ra_import_settings set = {1};
    assert_int_equal(ra_import_parse(RA_IMPORT_CLIENTS, "", 0, SRC, &set, &im, &err), RA_EINVAL);
    assert_string_equal(err.msg, "minor digits must be 0, 2 or 3, got 1");
    ra_import_destroy(NULL);
}

/* ---- securities ----------------------------------------------------------------------------- */

static void test_import_securities_valid(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_SECURITIES,
                       "\xEF\xBB\xBFTicker,Name,Asset_Class,Risk_Level,Expense_Ratio,Lot_Size,"
                       "Exchange,Currency,TLH_Group,On_Shelf\r\n"
                       "SPY,SPDR S&P 500 ETF Trust,us_equity,R4,0.000945,1,NYSEARCA,USD,us_large,yes\r\n"
                       "AGG,\"iShares Core US Aggregate Bond ETF\",bonds,2,0.0003,,,USD,,no\r\n"
                       "600519.SS,Kweichow Moutai,cn_equity,R5,0,100,SSE,CNY,,\r\n");
    assert_int_equal(im->kind, RA_IMPORT_SECURITIES);
    assert_int_equal(im->n, 3);
    const ra_security *s = im->securities;
    assert_string_equal(s[0].ticker, "SPY");
    assert_string_equal(s[0].name, "SPDR S&P 500 ETF Trust");
    assert_string_equal(s[0].asset_class, "us_equity");
    assert_int_equal(s[0].risk_level, 4);
    assert_true(s[0].expense_ratio == 0.000945);
    assert_int_equal(s[0].lot_size, 1);
    assert_string_equal(s[0].exchange, "NYSEARCA");
    assert_string_equal(s[0].currency, "USD");
    assert_string_equal(s[0].tlh_group, "us_large");
    assert_int_equal(s[0].on_shelf, 1);
    assert_int_equal(s[0].incomplete, 0);
    assert_int_equal(s[1].risk_level, 2);
    assert_int_equal(s[1].lot_size, 1);
    assert_string_equal(s[1].exchange, "");
    assert_int_equal(s[1].on_shelf, 0);
    assert_int_equal(s[2].lot_size, 100);
    assert_int_equal(s[2].on_shelf, 1);
    assert_int_equal(im->lines[0], 2);
    assert_int_equal(im->lines[2], 4);
    ra_import_destroy(im);
    /* columns in another order; optional ones left out */
    im = ok(RA_IMPORT_SECURITIES, "currency,ticker,name,asset_class,risk_level,expense_ratio\n"
                                  "USD,GLD,SPDR Gold Shares,real_assets,R3,0.004\n");
    assert_string_equal(im->securities[0].ticker, "GLD");
    assert_int_equal(im->securities[0].lot_size, 1);
    assert_int_equal(im->securities[0].on_shelf, 1);
    ra_import_destroy(im);
}

#define SEC_HDR "ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf\n"

static void test_import_securities_errors(void **state)
{
    (void)state;
    ra_import_kind K = RA_IMPORT_SECURITIES;
    fails(K, "", "t.csv:1:1",
          "empty file: need a header row (ticker,name,asset_class,risk_level,expense_ratio,"
          "lot_size,exchange,currency,tlh_group,on_shelf)");
    fails(K, SEC_HDR, "t.csv:2:1 (ticker)", "need at least 1 data row, found 0");
    fails(K, "ticker,name,asset_class,risk_level,expense_ratio,currency,isin\n", "t.csv:1:7",
          "column 7 of the header is not part of the securities format (ticker,name,asset_class,"
          "risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf)");
    fails(K, "ticker,name,asset_class,risk_level,expense_ratio,currency,Ticker\n", "t.csv:1:7",
          "column ticker appears twice (also column 1)");
    fails(K, "ticker,name,asset_class,risk_level,currency\n", "t.csv:1:6",
          "the header has no expense_ratio column (ticker,name,asset_class,risk_level,"
          "expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf)");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,1,X,USD,,yes\nSPY,S,us_equity,R4,0.0009,1,X,USD,,yes\n",
          "t.csv:3:1 (ticker)", "duplicate ticker \"SPY\" (also on line 2)");
    fails(K, SEC_HDR ",S,us_equity,R4,0.0009,1,X,USD,,yes\n", "t.csv:2:1 (ticker)",
          "missing ticker");
    fails(K, SEC_HDR "S P Y,S,us_equity,R4,0.0009,1,X,USD,,yes\n", "t.csv:2:1 (ticker)",
          "ticker may hold only letters, digits, '.', '-' and '_': \"S P Y\"");
    fails(K, SEC_HDR "CASH,S,us_equity,R4,0.0009,1,X,USD,,yes\n", "t.csv:2:1 (ticker)",
          "ticker \"CASH\" is reserved for the cash line of custodian positions");
    fails(K, SEC_HDR "SPY,S,us_equity,R6,0.0009,1,X,USD,,yes\n", "t.csv:2:4 (risk_level)",
          "risk level must be R1 to R5: \"R6\"");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.09,1,X,USD,,yes\n", "t.csv:2:5 (expense_ratio)",
          "expense_ratio 0.09 is outside [0, 0.05] (an annual fraction: write 0.0009 for 0.09 % "
          "or 9 bp)");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,9bp,1,X,USD,,yes\n", "t.csv:2:5 (expense_ratio)",
          "expense_ratio: not a decimal number: \"9bp\"");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,,1,X,USD,,yes\n", "t.csv:2:5 (expense_ratio)",
          "missing expense_ratio");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,0,X,USD,,yes\n", "t.csv:2:6 (lot_size)",
          "lot_size 0 is outside [1, 1000000]");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,1.5,X,USD,,yes\n", "t.csv:2:6 (lot_size)",
          "lot_size must be a whole number: \"1.5\"");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,1,X,usd,,yes\n", "t.csv:2:8 (currency)",
          "currency must be 3 capital letters (ISO 4217, e.g. USD): \"usd\"");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,1,X,USD,,maybe\n", "t.csv:2:10 (on_shelf)",
          "on_shelf must be yes or no (or true/false, 1/0): \"maybe\"");
    fails(K, SEC_HDR "SPY,\"a\tb\",us_equity,R4,0.0009,1,X,USD,,yes\n", "t.csv:2:2 (name)",
          "name holds a control character at byte 2: \"a\\x09b\"");
    fails(K, SEC_HDR "SPY,S,us_equity,R4,0.0009,1,X,USD,,yes,extra\n", "t.csv:2:11",
          "row has 11 fields, the header has 10");
    fails(K, SEC_HDR "SPY,S,us_equity\n", "t.csv:2:4 (risk_level)",
          "row has 3 fields, the header has 10");
    fails(K, "2020-01-01,x\n", "t.csv:1:1",
          "the first row must be a header (ticker,name,asset_class,risk_level,expense_ratio,"
          "lot_size,exchange,currency,tlh_group,on_shelf), found the date \"2020-01-01\"");
    fails(K, SEC_HDR "SPY,\"S,us_equity\n", "t.csv:2:2 (name)", "quote opened here is never closed");
    fails(K, SEC_HDR "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,S,us_equity,R4,0,1,X,USD,,\n",
          "t.csv:2:1 (ticker)",
          "ticker is longer than 47 bytes: \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\"");
}

/* ---- clients -------------------------------------------------------------------------------- */

#define CLI_HDR "code,household,advisor,name,email,tax_id,address,birth_year\n"

static void test_import_clients_valid(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_CLIENTS,
                       CLI_HDR "C000001,H0001,ADV01,Maria Example,maria@example.org,"
                               "900-00-0001,\"1 Main St, Springfield\",1968\n"
                               "C000002,,,Li Example,,,,\n");
    assert_int_equal(im->n, 2);
    const ra_client *c = im->clients;
    assert_string_equal(c[0].code, "C000001");
    assert_string_equal(c[0].household, "H0001");
    assert_string_equal(c[0].advisor, "ADV01");
    assert_string_equal(c[0].name, "Maria Example");
    assert_string_equal(c[0].email, "maria@example.org");
    assert_string_equal(c[0].tax_id, "900-00-0001");
    assert_string_equal(c[0].address, "1 Main St, Springfield");
    assert_int_equal(c[0].birth_year, 1968);
    assert_string_equal(c[1].household, "C000002"); /* own household */
    assert_string_equal(c[1].advisor, "");
    assert_int_equal(c[1].birth_year, 0);
    ra_import_destroy(im);
}

static void test_import_clients_errors_hide_personal_data(void **state)
{
    (void)state;
    ra_import_kind K = RA_IMPORT_CLIENTS;
    fails(K, CLI_HDR "C1,,,,,,,\n", "t.csv:2:4 (name)", "missing name");
    fails(K, CLI_HDR "C1,,,Secret Name,secret.at.example.org,,,\n", "t.csv:2:5 (email)",
          "email is not an address of the form name@domain.tld (value not shown: personal data)");
    fails(K, CLI_HDR "C1,,,\"Secret\nName\",,,,\n", "t.csv:2:4 (name)",
          "name holds a control character at byte 7 (value not shown: personal data)");
    fails(K, CLI_HDR "C1,,,A,,,,1850\n", "t.csv:2:8 (birth_year)",
          "birth_year 1850 is outside [1900, 2100]");
    fails(K, CLI_HDR "C1,,,A,,,,\nC1,,,B,,,,\n", "t.csv:3:1 (code)",
          "duplicate client \"C1\" (also on line 2)");
    char big[400];
    memset(big, 'x', sizeof big);
    char text[600];
    snprintf(text, sizeof text, CLI_HDR "C1,,,A,,,%.*s,\n", 300, big);
    fails(K, text, "t.csv:2:7 (address)",
          "address is longer than 255 bytes (value not shown: personal data)");
}

/* ---- accounts ------------------------------------------------------------------------------- */

#define ACC_HDR "code,client,type,currency,opened,model,discretionary,drift_band,tlh,loss_limit,restrictions\n"

static void test_import_accounts_valid(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_ACCOUNTS,
                       ACC_HDR "A000001-1,C000001,taxable,USD,2019-03-01,growth_80,yes,0.05,yes,"
                               "0.10,\"GLD; us_reit\"\n"
                               "A000001-2,C000001,Tax_Deferred,USD,2020-01-02,,no,,,,\n"
                               "A000002-1,C000002,tax_free,USD,2021-07-15,balanced,,0.03,no,0.15,\n");
    assert_int_equal(im->n, 3);
    const ra_account *a = im->accounts;
    assert_string_equal(a[0].code, "A000001-1");
    assert_string_equal(a[0].client, "C000001");
    assert_int_equal(a[0].type, RA_ACCOUNT_TAXABLE);
    assert_string_equal(a[0].currency, "USD");
    assert_int_equal(a[0].opened, ymd(2019, 3, 1));
    assert_string_equal(a[0].mandate.model, "growth_80");
    assert_int_equal(a[0].mandate.discretionary, 1);
    assert_true(a[0].mandate.drift_band == 0.05);
    assert_int_equal(a[0].mandate.tlh_enabled, 1);
    assert_true(a[0].mandate.loss_limit == 0.10);
    assert_string_equal(a[0].mandate.restrictions, "GLD;us_reit");
    assert_int_equal(a[1].type, RA_ACCOUNT_TAX_DEFERRED);
    assert_int_equal(a[1].mandate.discretionary, 0);
    assert_true(a[1].mandate.drift_band == 0.05); /* defaults */
    assert_int_equal(a[1].mandate.tlh_enabled, 0);
    assert_true(a[1].mandate.loss_limit == 0.10);
    assert_string_equal(a[1].mandate.restrictions, "");
    assert_int_equal(a[2].type, RA_ACCOUNT_TAX_FREE);
    assert_true(a[2].mandate.loss_limit == 0.15);
    ra_import_destroy(im);
}

static void test_import_accounts_errors(void **state)
{
    (void)state;
    ra_import_kind K = RA_IMPORT_ACCOUNTS;
    fails(K, ACC_HDR "A1,C1,ira,USD,2020-01-01,,,,,,\n", "t.csv:2:3 (type)",
          "type must be taxable, tax_deferred or tax_free: \"ira\"");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-02-30,,,,,,\n", "t.csv:2:5 (opened)",
          "no such day: \"2020-02-30\"");
    fails(K, ACC_HDR "A1,C1,taxable,USD,01/02/2020,,,,,,\n", "t.csv:2:5 (opened)",
          "not an ISO date (YYYY-MM-DD): \"01/02/2020\"");
    fails(K, ACC_HDR "A1,C1,taxable,USD,,,,,,,\n", "t.csv:2:5 (opened)", "missing opened");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-01-01,,,0.05,,0.2,\n", "t.csv:2:10 (loss_limit)",
          "loss_limit 0.2 is outside (0, 0.15] (a fraction: write 0.10 for 10 %)");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-01-01,,,0,,,\n", "t.csv:2:8 (drift_band)",
          "drift_band 0 is outside (0, 0.5] (an absolute weight: write 0.05 for 5 percentage "
          "points)");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-01-01,,,5,,,\n", "t.csv:2:8 (drift_band)",
          "drift_band 5 is outside (0, 0.5] (an absolute weight: write 0.05 for 5 percentage "
          "points)");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-01-01,,,,,,GLD;a/b\n", "t.csv:2:11 (restrictions)",
          "a restriction may hold only letters, digits, '.', '-' and '_': \"a/b\"");
    fails(K, ACC_HDR "A1,C1,taxable,USD,2020-01-01,,,,,,\nA1,C2,taxable,USD,2020-01-01,,,,,,\n",
          "t.csv:3:1 (code)", "duplicate account \"A1\" (also on line 2)");
    fails(K, "code,type,currency,opened\n", "t.csv:1:5",
          "the header has no client column (code,client,type,currency,opened,model,"
          "discretionary,drift_band,tlh,loss_limit,restrictions)");
}

/* ---- transactions --------------------------------------------------------------------------- */

#define TXN_HDR "account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,lots,ratio\n"

static void test_import_transactions_valid(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_TRANSACTIONS,
                       TXN_HDR "A1,T1,2020-01-02,deposit,,,,10000.00,,,,\n"
                               "A1,T2,2020-01-03,buy,SPY,10.5,321.123456,,1.00,,,\n"
                               "A1,T3,2020-06-01,sell,SPY,2,330,,,hifo,,\n"
                               "A1,T4,2020-06-02,sell,SPY,1.5,331,,0.5,specific,1:1;2:0.5,\n"
                               "A1,T5,2020-06-15,dividend,SPY,,,12.34,,,,\n"
                               "A1,T6,2020-06-15,reinvest,SPY,0.04,300,12.00,0,,,\n"
                               "A1,T7,2020-07-01,fee,,,,25,,,,\n"
                               "A1,T8,2020-07-02,withdrawal,,,,100.5,,,,\n"
                               "A1,T9,2020-08-03,transfer_in,AGG,,,,,,"
                               "2019-03-01:10:1234.56; 2019-04-01:0.5:50,\n"
                               "A1,T10,2020-08-04,transfer_out,,,,,,,3:1,\n"
                               "A1,T11,2020-08-31,split,SPY,,,,,,,3/1\n"
                               "A2,T1,2020-09-01,SPLIT,JNK,,,,,,,0.333333333333\n");
    assert_int_equal(im->n, 12);
    const ra_import_txn *t = im->txns;
    assert_string_equal(t[0].account, "A1");
    assert_string_equal(t[0].txn_id, "T1");
    assert_int_equal(t[0].txn.kind, RA_TXN_DEPOSIT);
    assert_int_equal(t[0].txn.date, ymd(2020, 1, 2));
    assert_int_equal(t[0].txn.amount_minor, 1000000);
    assert_string_equal(t[0].ticker, "");
    assert_int_equal(t[1].txn.kind, RA_TXN_BUY);
    assert_string_equal(t[1].ticker, "SPY");
    assert_int_equal(t[1].txn.qty_micro, 10500000);
    assert_int_equal(t[1].txn.price, 321123456);
    assert_int_equal(t[1].txn.fees_minor, 100);
    assert_int_equal(t[1].txn.security, 0);
    assert_int_equal(t[2].txn.relief, RA_RELIEF_HIFO);
    assert_int_equal(t[2].txn.fees_minor, 0);
    assert_int_equal(t[3].txn.relief, RA_RELIEF_SPECIFIC);
    assert_int_equal(t[3].txn.n_picks, 2);
    assert_ptr_equal(t[3].txn.picks, im->picks);
    assert_int_equal(t[3].txn.picks[0].lot_id, 1);
    assert_int_equal(t[3].txn.picks[0].qty_micro, 1000000);
    assert_int_equal(t[3].txn.picks[1].lot_id, 2);
    assert_int_equal(t[3].txn.picks[1].qty_micro, 500000);
    assert_int_equal(t[4].txn.kind, RA_TXN_DIVIDEND);
    assert_int_equal(t[4].txn.amount_minor, 1234);
    assert_int_equal(t[5].txn.kind, RA_TXN_REINVEST);
    assert_int_equal(t[5].txn.qty_micro, 40000);
    assert_int_equal(t[5].txn.amount_minor, 1200);
    assert_int_equal(t[6].txn.kind, RA_TXN_FEE);
    assert_int_equal(t[6].txn.amount_minor, 2500);
    assert_int_equal(t[7].txn.kind, RA_TXN_WITHDRAWAL);
    assert_int_equal(t[7].txn.amount_minor, 10050);
    assert_int_equal(t[8].txn.kind, RA_TXN_TRANSFER_IN);
    assert_int_equal(t[8].txn.n_lots_in, 2);
    assert_ptr_equal(t[8].txn.lots_in, im->lots);
    assert_int_equal(t[8].txn.lots_in[0].acquired, ymd(2019, 3, 1));
    assert_int_equal(t[8].txn.lots_in[0].qty_micro, 10000000);
    assert_int_equal(t[8].txn.lots_in[0].basis_minor, 123456);
    assert_int_equal(t[8].txn.lots_in[1].qty_micro, 500000);
    assert_int_equal(t[8].txn.lots_in[1].basis_minor, 5000);
    assert_int_equal(t[9].txn.kind, RA_TXN_TRANSFER_OUT);
    assert_int_equal(t[9].txn.n_picks, 1);
    assert_ptr_equal(t[9].txn.picks, im->picks + 2);
    assert_int_equal(t[9].txn.picks[0].lot_id, 3);
    assert_int_equal(t[10].txn.split.num, 3);
    assert_int_equal(t[10].txn.split.den, 1);
    assert_int_equal(t[11].txn.split.num, 1);
    assert_int_equal(t[11].txn.split.den, 3);
    assert_int_equal(im->n_picks, 3);
    assert_int_equal(im->n_lots, 2);
    assert_null(t[0].txn.picks);
    assert_null(t[0].txn.lots_in);
    ra_import_destroy(im);
    /* a deposits-only file needs only the four required columns and amount */
    im = ok(RA_IMPORT_TRANSACTIONS, "account,txn_id,date,kind,amount\nA1,D1,2020-01-02,deposit,5\n");
    assert_int_equal(im->txns[0].txn.amount_minor, 500);
    ra_import_destroy(im);
    /* yen: no minor digits */
    ra_import_settings set = {0};
    ra_err err;
    const char *jp = "account,txn_id,date,kind,amount\nA1,D1,2020-01-02,deposit,5000\n";
    assert_int_equal(ra_import_parse(RA_IMPORT_TRANSACTIONS, jp, strlen(jp), SRC, &set, &im, &err),
                     RA_OK);
    assert_int_equal(im->txns[0].txn.amount_minor, 5000);
    ra_import_destroy(im);
}

static void test_import_transactions_errors(void **state)
{
    (void)state;
    ra_import_kind K = RA_IMPORT_TRANSACTIONS;
    fails(K, TXN_HDR "A1,T1,2020-01-02,gift,,,,1,,,,\n", "t.csv:2:4 (kind)",
          "kind must be deposit, withdrawal, buy, sell, dividend, reinvest, fee, transfer_in, "
          "transfer_out or split: \"gift\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,deposit,SPY,,,1,,,,\n", "t.csv:2:5 (ticker)",
          "a deposit takes no ticker (leave it empty)");
    fails(K, TXN_HDR "A1,T1,2020-01-02,deposit,,,,,,,,\n", "t.csv:2:8 (amount)",
          "missing amount (a deposit needs it)");
    fails(K, TXN_HDR "A1,T1,2020-01-02,buy,SPY,1,,,,,,\n", "t.csv:2:7 (price)",
          "missing price (a buy needs it)");
    fails(K, TXN_HDR "A1,T1,2020-01-02,deposit,,,,12.345,,,,\n", "t.csv:2:8 (amount)",
          "amount: \"12.345\" has 3 decimals, at most 2 allowed");
    fails(K, TXN_HDR "A1,T1,2020-01-02,deposit,,,,-5,,,,\n", "t.csv:2:8 (amount)",
          "amount must be positive: -5");
    fails(K, TXN_HDR "A1,T1,2020-01-02,buy,SPY,1e3,300,,,,,\n", "t.csv:2:6 (qty)",
          "qty: exponent notation is not accepted: \"1e3\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,buy,SPY,0.0000001,300,,,,,\n", "t.csv:2:6 (qty)",
          "qty: \"0.0000001\" has 7 decimals, at most 6 allowed");
    fails(K, TXN_HDR "A1,T1,2020-01-02,buy,SPY,1,300,,-1,,,\n", "t.csv:2:9 (fees)",
          "fees must be zero or positive: -1");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,1,300,,,lifo,,\n", "t.csv:2:10 (relief)",
          "relief must be fifo, hifo or specific: \"lifo\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,1,300,,,specific,,\n", "t.csv:2:11 (lots)",
          "missing lots (a specific-lot sale lists LOT_ID:QTY items)");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,1,300,,,fifo,1:1,\n", "t.csv:2:11 (lots)",
          "lots are listed only for relief specific (leave it empty or set relief to specific)");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,2,300,,,specific,1:1;2:0.5,\n",
          "t.csv:2:11 (lots)", "the lots add up to 1.500000 shares, the sale is of 2.000000");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,2,300,,,specific,1:1;1:1,\n",
          "t.csv:2:11 (lots)", "lot id 1 is picked twice");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,2,300,,,specific,1:1;;2:1,\n",
          "t.csv:2:11 (lots)", "lot 2 is empty (write LOT_ID:QTY items separated by ';')");
    fails(K, TXN_HDR "A1,T1,2020-01-02,sell,SPY,2,300,,,specific,x:2,\n", "t.csv:2:11 (lots)",
          "lot 1: lot id must be a positive whole number: \"x\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,transfer_out,,,,,,,1:0,\n", "t.csv:2:11 (lots)",
          "lot 1 quantity must be positive: \"0\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,transfer_in,AGG,,,,,,2019-03-01:10,\n", "t.csv:2:11 (lots)",
          "lot 1 must be DATE:QTY:BASIS: \"2019-03-01:10\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,transfer_in,AGG,,,,,,2019-02-30:10:5,\n",
          "t.csv:2:11 (lots)", "lot 1: not an ISO date (YYYY-MM-DD): \"2019-02-30\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,transfer_in,AGG,,,,,,2019-02-01:10:5.001,\n",
          "t.csv:2:11 (lots)", "lot 1 basis: \"5.001\" has 3 decimals, at most 2 allowed");
    fails(K, TXN_HDR "A1,T1,2020-01-02,split,SPY,,,,,,,1/1\n", "t.csv:2:12 (ratio)",
          "split ratio 1/1 changes nothing: \"1/1\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,split,SPY,,,,,,,0/1\n", "t.csv:2:12 (ratio)",
          "split ratio must be N/D with positive integers, got \"0/1\"");
    fails(K, TXN_HDR "A1,T1,2020-01-02,deposit,,,,1,,,,\nA1,T1,2020-01-03,deposit,,,,1,,,,\n",
          "t.csv:3:2 (txn_id)", "duplicate transaction \"T1\" of account \"A1\" (also on line 2)");
    fails(K, "account,txn_id,date,kind,amount\nA1,T1,2020-01-02,buy,1\n", "t.csv:2:1 (account)",
          "a buy needs ticker (the file has no ticker column)");
}

static void test_import_transactions_same_id_other_account(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_TRANSACTIONS, TXN_HDR "A1,T1,2020-01-02,deposit,,,,1,,,,\n"
                                                       "A2,T1,2020-01-02,deposit,,,,1,,,,\n");
    assert_int_equal(im->n, 2);
    ra_import_destroy(im);
}

/* ---- dividends, splits ---------------------------------------------------------------------- */

static void test_import_dividends_and_splits(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_DIVIDENDS, "Date,Ticker,dividend_amount\n"
                                            "1999-12-17,MDY,2.1846\n2000-03-17,SPY,0.37080005\n");
    assert_int_equal(im->n, 2);
    assert_string_equal(im->dividends[0].ticker, "MDY");
    assert_int_equal(im->dividends[0].ex_date, ymd(1999, 12, 17));
    assert_int_equal(im->dividends[0].amount, 2184600);
    assert_int_equal(im->dividends[1].amount, 370800); /* 0.37080005: the 7th decimal is 0, rounds down */
    ra_import_destroy(im);
    fails(RA_IMPORT_DIVIDENDS, "Date,Ticker,dividend_amount\n2000-03-17,SPY,0\n",
          "t.csv:2:3 (dividend_amount)", "dividend must be at least 0.0000005 per share: \"0\"");
    fails(RA_IMPORT_DIVIDENDS,
          "Date,Ticker,dividend_amount\n2000-03-17,SPY,0.1\n2000-03-17,SPY,0.2\n",
          "t.csv:3:2 (Ticker)", "duplicate dividend of SPY on 2000-03-17 (also on line 2)");
    fails(RA_IMPORT_DIVIDENDS, "Date,Ticker,amount\n2000-03-17,SPY,NA\n", "t.csv:2:3 (amount)",
          "not a number: \"NA\"");

    im = ok(RA_IMPORT_SPLITS, "Date,Ticker,split_coefficient\n2005-06-09,EEM,3.000003\n"
                              "2019-05-06,JNK,0.333333333333\n2016-03-15,SHM,0.5\n"
                              "2020-01-02,XYZ,3/2\n");
    assert_int_equal(im->n, 4);
    const ra_split *s = im->splits;
    assert_int_equal(s[0].ratio.num, 3);
    assert_int_equal(s[0].ratio.den, 1);
    assert_int_equal(s[1].ratio.num, 1);
    assert_int_equal(s[1].ratio.den, 3);
    assert_int_equal(s[2].ratio.num, 1);
    assert_int_equal(s[2].ratio.den, 2);
    assert_int_equal(s[3].ratio.num, 3);
    assert_int_equal(s[3].ratio.den, 2);
    ra_import_destroy(im);
    fails(RA_IMPORT_SPLITS, "Date,Ticker,split_coefficient\n2005-06-09,EEM,-2\n",
          "t.csv:2:3 (split_coefficient)", "split coefficient must be positive, got \"-2\"");
    fails(RA_IMPORT_SPLITS, "Date,Ticker,split_coefficient\n2005-06-09,EEM,1.0\n",
          "t.csv:2:3 (split_coefficient)", "split ratio 1/1 changes nothing: \"1.0\"");
    fails(RA_IMPORT_SPLITS, "Date,Ticker\n", "t.csv:1:3",
          "the header has no split_coefficient column (Date,Ticker,split_coefficient)");
}

/* ---- positions ------------------------------------------------------------------------------ */

static void test_import_positions(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_POSITIONS, "account,ticker,quantity,cash\n"
                                            "A1,SPY,10.5,\nA1,CASH,,1234.56\nA2,,,-0.01\n"
                                            "A2,AGG,0,\n");
    assert_int_equal(im->n, 4);
    const ra_position *p = im->positions;
    assert_string_equal(p[0].ticker, "SPY");
    assert_int_equal(p[0].qty_micro, 10500000);
    assert_string_equal(p[1].ticker, "");
    assert_int_equal(p[1].cash_minor, 123456);
    assert_int_equal(p[2].cash_minor, -1);
    assert_int_equal(p[3].qty_micro, 0);
    ra_import_destroy(im);
    ra_import_kind K = RA_IMPORT_POSITIONS;
    fails(K, "account,ticker,quantity,cash\nA1,CASH,5,\n", "t.csv:2:3 (quantity)",
          "a cash line takes no quantity (put the amount in cash)");
    fails(K, "account,ticker,quantity,cash\nA1,SPY,5,3\n", "t.csv:2:4 (cash)",
          "a security line takes no cash (give cash on its own line with ticker CASH)");
    fails(K, "account,ticker,quantity,cash\nA1,SPY,,\n", "t.csv:2:3 (quantity)",
          "missing quantity");
    fails(K, "account,ticker,quantity,cash\nA1,,,\n", "t.csv:2:4 (cash)",
          "missing cash (a line without a ticker is the cash line)");
    fails(K, "account,ticker,quantity,cash\nA1,,,1\nA1,CASH,,2\n", "t.csv:3:2 (ticker)",
          "duplicate cash line of account \"A1\" (also on line 2)");
    fails(K, "account,ticker,quantity,cash\nA1,SPY,1,\nA1,SPY,2,\n", "t.csv:3:2 (ticker)",
          "duplicate position of account \"A1\" in SPY (also on line 2)");
}

/* ---- prices --------------------------------------------------------------------------------- */

static void test_import_prices_wide(void **state)
{
    (void)state;
    ra_import *im = ok(RA_IMPORT_PRICES, "Date,SPY,AGG\n2023-06-08,429.13,\n"
                                         "2023-06-09,429.8999,97.91\n");
    assert_int_equal(im->n_dates, 2);
    assert_int_equal(im->n_tickers, 2);
    assert_int_equal(im->n, 3);
    assert_string_equal(im->tickers[0], "SPY");
    assert_string_equal(im->tickers[1], "AGG");
    assert_int_equal(im->dates[0], ymd(2023, 6, 8));
    assert_int_equal(im->price_micro[0], 429130000);
    assert_int_equal(im->price_micro[1], 0);
    assert_int_equal(im->price_micro[2], 429899900);
    assert_int_equal(im->price_micro[3], 97910000);
    assert_int_equal(im->date_lines[1], 3);
    ra_import_destroy(im);
    /* one day of prices is enough (a daily update) */
    im = ok(RA_IMPORT_PRICES, "Date,SPY\n2023-06-09,1.00000049\n");
    assert_int_equal(im->price_micro[0], 1000000);
    ra_import_destroy(im);
    ra_import_kind K = RA_IMPORT_PRICES;
    fails(K, "Date\n2020-01-01\n", "t.csv:1:1",
          "the header has 1 column, need a date column and at least one ticker "
          "(Date,TICKER,TICKER,...)");
    fails(K, "Date,SPY,SPY\n", "t.csv:1:3", "column 3 of the header repeats column 2");
    fails(K, "Date,SPY,\n", "t.csv:1:3", "empty column name (every ticker column needs a name)");
    fails(K, "Date,SPY\n", "t.csv:2:1 (Date)", "need at least 1 data row, found 0");
    fails(K, "Date,SPY\n2020-01-02,1\n2020-01-01,1\n", "t.csv:3:1 (Date)",
          "date 2020-01-01 is not after the previous row's 2020-01-02");
    fails(K, "Date,SPY\n2020-01-02,1\n2020-01-03,1\n2020-01-02,1\n", "t.csv:4:1 (Date)",
          "duplicate date 2020-01-02 (also on line 2)");
    fails(K, "Date,SPY,AGG\n2020-01-02,1,12%\n", "t.csv:2:3 (AGG)", "not a number: \"12%\"");
    fails(K, "Date,SPY\n2020-01-02,-1\n", "t.csv:2:2 (SPY)",
          "price must be at least 0.0000005: \"-1\"");
    fails(K, "Date,SPY\n2020-01-02,0.0000004\n", "t.csv:2:2 (SPY)",
          "price must be at least 0.0000005: \"0.0000004\"");
    fails(K, "Date,SPY\n,1\n", "t.csv:2:1 (Date)",
          "missing date (the first column holds YYYY-MM-DD dates)");
    fails(K, "Date,SPY\n2020-01-02,1,2\n", "t.csv:2:3", "row has 3 fields, the header has 2");
}

/* ---- the real files ------------------------------------------------------------------------- */

static ra_import *read_ok(ra_import_kind kind, const char *path)
{
    ra_import *im = NULL;
    ra_err err = {0};
    if (ra_import_read(kind, path, NULL, &im, &err) != RA_OK)
        fail_msg("%s: %s: %s", path, err.where, err.msg);
    return im;
}

static void test_import_shared_files(void **state)
{
    (void)state;
    ra_import *im = read_ok(RA_IMPORT_DIVIDENDS, RA_DATA("av_etf_dividends.csv"));
    assert_int_equal(im->n, 6334); /* README: 6334 events */
    assert_string_equal(im->dividends[0].ticker, "MDY");
    assert_int_equal(im->dividends[0].amount, 2184600);
    assert_string_equal(im->dividends[6333].ticker, "SCHX"); /* last line: 2020-12-10,SCHX,0.3689 */
    assert_int_equal(im->dividends[6333].amount, 368900);
    assert_int_equal(im->lines[6333], 6335);
    ra_import_destroy(im);

    im = read_ok(RA_IMPORT_SPLITS, RA_DATA("av_etf_splits.csv"));
    assert_int_equal(im->n, 28); /* README: 28 events */
    size_t checked = 0;
    for (size_t i = 0; i < im->n; i++) {
        const ra_split *s = &im->splits[i];
        assert_true(s->ratio.num > 0 && s->ratio.den > 0 && s->ratio.den <= 3);
        if (strcmp(s->ticker, "JNK") == 0) { /* 0.333333333333: a 1-for-3 reverse split */
            assert_int_equal(s->ratio.num, 1);
            assert_int_equal(s->ratio.den, 3);
            checked++;
        }
        if (strcmp(s->ticker, "SPTM") == 0) { /* 6.0 */
            assert_int_equal(s->ratio.num, 6);
            assert_int_equal(s->ratio.den, 1);
            checked++;
        }
        if (strcmp(s->ticker, "EFA") == 0) { /* 3.000003 */
            assert_int_equal(s->ratio.num, 3);
            assert_int_equal(s->ratio.den, 1);
            checked++;
        }
    }
    assert_int_equal(checked, 3);
    ra_import_destroy(im);

    im = read_ok(RA_IMPORT_PRICES, RA_DATA("aa_etf_prices.csv"));
    assert_int_equal(im->n_dates, 6116);
    assert_int_equal(im->n_tickers, 37);
    assert_int_equal(im->n, 172425);
    assert_string_equal(im->tickers[0], "SPY");
    assert_int_equal(im->price_micro[0], 146875000);            /* 1999-12-31 SPY 146.875 */
    assert_int_equal(im->price_micro[6115 * 37], 429899900);    /* 2023-06-09 SPY 429.8999 */
    assert_int_equal(im->price_micro[6115 * 37 + 1], 96940000); /* 2023-06-09 IEF 96.94 */
    assert_int_equal(im->dates[6115], ymd(2023, 6, 9));
    ra_import_destroy(im);

    /* the examples of docs/formats.md import cleanly */
    static const struct {
        ra_import_kind kind;
        const char *file;
    } ex[] = {{RA_IMPORT_SECURITIES, "securities.csv"},
              {RA_IMPORT_CLIENTS, "clients.csv"},
              {RA_IMPORT_ACCOUNTS, "accounts.csv"},
              {RA_IMPORT_TRANSACTIONS, "transactions.csv"},
              {RA_IMPORT_POSITIONS, "positions.csv"}};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/../../examples/data/%s", RA_GOLDEN_DIR, ex[i].file);
        im = read_ok(ex[i].kind, path);
        assert_true(im->n > 0);
        ra_import_destroy(im);
    }
}

static void test_import_read_missing_file(void **state)
{
    (void)state;
    ra_import *im = (ra_import *)(uintptr_t)1;
    ra_err err = {0};
    assert_int_equal(ra_import_read(RA_IMPORT_CLIENTS, "/nonexistent/c.csv", NULL, &im, &err),
                     RA_EIO);
    assert_null(im);
    RA_ASSERT_ERR(err, RA_EIO, "/nonexistent/c.csv",
               "could not open \"/nonexistent/c.csv\": no such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_decimal_round_ties_to_even),
        cmocka_unit_test(test_import_decimal_round_rejects),
        cmocka_unit_test(test_import_kind_names),
        cmocka_unit_test(test_import_securities_valid),
        cmocka_unit_test(test_import_securities_errors),
        cmocka_unit_test(test_import_clients_valid),
        cmocka_unit_test(test_import_clients_errors_hide_personal_data),
        cmocka_unit_test(test_import_accounts_valid),
        cmocka_unit_test(test_import_accounts_errors),
        cmocka_unit_test(test_import_transactions_valid),
        cmocka_unit_test(test_import_transactions_errors),
        cmocka_unit_test(test_import_transactions_same_id_other_account),
        cmocka_unit_test(test_import_dividends_and_splits),
        cmocka_unit_test(test_import_positions),
        cmocka_unit_test(test_import_prices_wide),
        cmocka_unit_test(test_import_shared_files),
        cmocka_unit_test(test_import_read_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
