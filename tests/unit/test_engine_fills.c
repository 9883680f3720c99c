/* Tests of `import fills` (src/engine/fills.c, include/roboadvisor/engine_fills.h, and its reader
 * src/io/fills_csv.c) on a real database (SQLite, and PostgreSQL with `pg`): one discretionary
 * account whose first day's run leaves its orders open (no --execute close), then fills files.
 * Expected cash and lots are derived by hand next to each case from docs/methodology.md ("a buy:
 * cash - (value + fees), a new lot with basis value + fees"; value = qty * price rounded once to
 * the cent, ties to even). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/engine_fills.h"
#include "roboadvisor/store_mandate.h"
#include "roboadvisor/store_models.h"
#include "ra_test_db.h"
#include "ra_test_firm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    ra_store *s;
    char url[1024];
    ra_store_actor actor;
    char aaa[RA_CYCLE_ID_MAX], ccc[RA_CYCLE_ID_MAX]; /* the open orders */
} fx;

#define OK(expr) ra_tdb_must((expr), &err)
#define PX(cents) RA_TF_PX(cents)
#define SH(n) ((ra_micro)(n) * RA_MICRO_PER_SHARE)

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* Day d with closes AAA and CCC (cents): the cycle run, its orders left open (filled by the
 * tests), and the day's orders listed (*v: free with ra_store_free). */
static void cycle_day(fx *f, ra_date d, int aaa, int ccc, ra_cycle_order **v, size_t *n)
{
    ra_err err = {0};
    static const char *const tickers[2] = {"AAA", "CCC"};
    const int closes[2] = {aaa, ccc};
    ra_tf_closes(f->s, &f->actor, d, tickers, closes, 2);
    ra_cycle_options co = ra_tf_day_options(d, 0);
    ra_cycle_stats st;
    OK(ra_cycle_run_day(f->s, &f->actor, &co, &st, &err));
    ra_cycle_filter day = {d, NULL, NULL};
    OK(ra_store_orders_list(f->s, "F1", &day, v, n, &err));
}

/* The firm of test_engine_cycle.c cut to one account: A1, discretionary, 100,000.00 of cash;
 * model AAA 0.6, CCC 0.4; closes on 2023-01-04 AAA 100.00, CCC 50.00. The day's run without
 * execution leaves two open buy orders: AAA 594 shares and CCC 792 (0.99 * 0.6 * 100,000 / 100
 * and 0.99 * 0.4 * 100,000 / 50, the 1 % cash reserve kept). */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 5 + 3);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "bonds", "", 2);
    ra_tf_model2(f->s, &f->actor, "M1", "AAA", 0.6, "CCC", 0.4);
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 0);
    ra_tf_cash(f->s, &f->actor, "A1", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
    ra_cycle_order *v = NULL;
    size_t n = 0;
    cycle_day(f, D(2023, 1, 4), 10000, 5000, &v, &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].status, "open");
        assert_int_equal(v[i].qty_micro, strcmp(v[i].ticker, "AAA") == 0 ? SH(594) : SH(792));
        snprintf(strcmp(v[i].ticker, "AAA") == 0 ? f->aaa : f->ccc, RA_CYCLE_ID_MAX, "%s",
                 v[i].id);
    }
    ra_store_free(v);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ra_store_close(f->s);
    ra_tdb_remove(f->url);
    free(f);
    return 0;
}

/* Parses text as fills.csv (cents) and applies it. */
static ra_status import(fx *f, const char *text, ra_fills_result *res, ra_err *err)
{
    ra_fills *fl = NULL;
    ra_status rc = ra_fills_parse(text, strlen(text), "fills.csv", 2, &fl, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_fills_apply(f->s, &f->actor, fl, res, err);
    ra_fills_destroy(fl);
    return rc;
}

static ra_cycle_order order(fx *f, const char *id)
{
    ra_err err = {0};
    ra_cycle_order *v = NULL, o;
    size_t n = 0;
    ra_cycle_filter all = {0, NULL, NULL};
    OK(ra_store_orders_list(f->s, "F1", &all, &v, &n, &err));
    memset(&o, 0, sizeof o);
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            o = v[i];
    ra_store_free(v);
    assert_string_equal(o.id, id);
    return o;
}

/* A1's cash and its lots of ticker: count, quantity and basis summed. */
static ra_minor state_of(fx *f, const char *ticker, size_t *n_lots, ra_micro *qty, ra_minor *basis)
{
    ra_err err = {0};
    ra_ledger l;
    uint32_t id = 0;
    OK(ra_store_security_id(f->s, "F1", ticker, &id, &err));
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    *n_lots = 0;
    *qty = 0;
    *basis = 0;
    for (size_t k = 0; k < l.n_lots; k++)
        if (l.lots[k].security == id) {
            ++*n_lots;
            *qty += l.lots[k].qty_micro;
            *basis += l.lots[k].basis_minor;
        }
    ra_minor cash = l.cash_minor;
    ra_ledger_free(&l);
    return cash;
}

static void book_clean(fx *f)
{
    ra_err err = {0};
    OK(ra_store_check(f->s, NULL, &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
}

/* Two partial fills of the AAA order: 100 shares at 100.50 with 1.25 of fees, value 10,050.00,
 * costs 10,051.25; 0.5 share at 100.333333, value 50.1666665 -> 50.17 (rounded once to the cent),
 * no fees. Cash 100,000.00 - 10,051.25 - 50.17 = 89,898.58; two AAA lots, 100.5 shares, basis
 * 10,101.42; the order partial with 100.5 of 594 filled, the CCC order untouched. */
static void test_partial_fills_update_cash_and_lots(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char text[512];
    snprintf(text, sizeof text,
             "order_id,date,qty,price,fees\n%s,2023-01-05,100,100.50,1.25\n"
             "%s,2023-01-05,0.5,100.333333,\n",
             f->aaa, f->aaa);
    ra_fills_result r;
    OK(import(f, text, &r, &err));
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.applied, 2);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(r.partial, 1);
    assert_int_equal(r.filled, 0);
    assert_int_equal(r.n_orders, 1);
    assert_string_equal(r.orders[0].status, "partial");
    assert_int_equal(r.orders[0].filled_micro, SH(100) + SH(1) / 2);
    assert_int_equal(r.orders[0].rows_applied, 2);
    ra_fills_result_free(&r);
    size_t n = 0;
    ra_micro q = 0;
    ra_minor basis = 0;
    assert_int_equal(state_of(f, "AAA", &n, &q, &basis), 8989858);
    assert_int_equal(n, 2);
    assert_int_equal(q, SH(100) + SH(1) / 2);
    assert_int_equal(basis, 1010142);
    ra_cycle_order o = order(f, f->aaa);
    assert_string_equal(o.status, "partial");
    assert_int_equal(o.filled_micro, SH(100) + SH(1) / 2);
    assert_string_equal(order(f, f->ccc).status, "open");
    book_clean(f);
}

/* The same file again records nothing: each row equals a fill in the book. A file that repeats
 * them and adds the rest of the order (493.5 shares at 100.00, value 49,350.00) records only the
 * new row and fills the order: cash 89,898.58 - 49,350.00 = 40,548.58. */
static void test_reimport_skips_recorded_rows(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char text[512];
    int len = snprintf(text, sizeof text,
                       "order_id,date,qty,price,fees\n%s,2023-01-05,100,100.50,1.25\n"
                       "%s,2023-01-05,0.5,100.333333,\n",
                       f->aaa, f->aaa);
    ra_fills_result r;
    OK(import(f, text, &r, &err));
    ra_fills_result_free(&r);
    uint64_t records = 0, again = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
    OK(import(f, text, &r, &err));
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.skipped, 2);
    assert_string_equal(r.orders[0].status, "partial");
    ra_fills_result_free(&r);
    OK(ra_store_audit_verify(f->s, &again, NULL, &err));
    assert_int_equal(again, records); /* nothing written, not even to the trail */
    snprintf(text + len, sizeof text - (size_t)len, "%s,2023-01-06,493.5,100,0\n", f->aaa);
    OK(import(f, text, &r, &err));
    assert_int_equal(r.applied, 1);
    assert_int_equal(r.skipped, 2);
    assert_int_equal(r.filled, 1);
    assert_string_equal(r.orders[0].status, "filled");
    ra_fills_result_free(&r);
    size_t n = 0;
    ra_micro q = 0;
    ra_minor basis = 0;
    assert_int_equal(state_of(f, "AAA", &n, &q, &basis), 4054858);
    assert_int_equal(q, SH(594));
    assert_string_equal(order(f, f->aaa).status, "filled");
    /* a new fill of a filled order is refused naming the order and its line */
    snprintf(text, sizeof text, "order_id,date,qty,price\n%s,2023-01-06,1,100\n", f->aaa);
    assert_int_equal(import(f, text, &r, &err), RA_ECONFLICT);
    assert_string_equal(err.where, "fills.csv:2");
    assert_non_null(strstr(err.msg, "is filled"));
    book_clean(f);
}

/* Checks that a refused file wrote nothing: both orders open, cash 100,000.00, no lot. */
static void assert_untouched(fx *f)
{
    size_t n = 0;
    ra_micro q = 0;
    ra_minor basis = 0;
    assert_int_equal(state_of(f, "AAA", &n, &q, &basis), 10000000);
    assert_int_equal(n, 0);
    assert_string_equal(order(f, f->aaa).status, "open");
    assert_int_equal(order(f, f->aaa).filled_micro, 0);
    assert_string_equal(order(f, f->ccc).status, "open");
}

/* 500 of the 594 AAA shares on line 3 leave 94 open: 100 more on line 4 overfill it. The CCC
 * fill on line 2 is good: the whole file is refused all the same. */
static void test_overfill_refused_naming_the_line(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char text[512];
    snprintf(text, sizeof text,
             "order_id,date,qty,price,fees\n%s,2023-01-05,792,50,0\n%s,2023-01-05,500,100,0\n"
             "%s,2023-01-05,100,100,0\n",
             f->ccc, f->aaa, f->aaa);
    ra_fills_result r;
    assert_int_equal(import(f, text, &r, &err), RA_ECONFLICT);
    assert_string_equal(err.where, "fills.csv:4");
    assert_non_null(strstr(err.msg, "100.000000 shares is more than the 94.000000 left open"));
    assert_int_equal(r.n_orders, 0);
    assert_untouched(f);
    book_clean(f);
}

/* An order that does not exist (line 3), a fill dated before its order, a cancelled order. */
static void test_unknown_early_and_cancelled_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char text[512];
    ra_fills_result r;
    snprintf(text, sizeof text, "order_id,date,qty,price\n%s,2023-01-05,1,100\nP-NONE-1,2023-01-05,1,100\n",
             f->aaa);
    assert_int_equal(import(f, text, &r, &err), RA_ENOTFOUND);
    assert_string_equal(err.where, "fills.csv:3");
    assert_non_null(strstr(err.msg, "no order P-NONE-1"));
    snprintf(text, sizeof text, "order_id,date,qty,price\n%s,2023-01-03,1,100\n", f->aaa);
    assert_int_equal(import(f, text, &r, &err), RA_EINVAL);
    assert_string_equal(err.where, "fills.csv:2");
    assert_non_null(strstr(err.msg, "before the order"));
    assert_untouched(f);
    book_clean(f);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE orders SET status = 'cancelled' WHERE code = '%s'", f->ccc);
    OK(ra_store_exec_raw(f->s, sql, &err));
    snprintf(text, sizeof text, "order_id,date,qty,price\n%s,2023-01-05,1,100\n%s,2023-01-05,1,50\n",
             f->aaa, f->ccc);
    assert_int_equal(import(f, text, &r, &err), RA_ECONFLICT);
    assert_string_equal(err.where, "fills.csv:3");
    assert_non_null(strstr(err.msg, "is cancelled"));
    size_t n = 0;
    ra_micro q = 0;
    ra_minor basis = 0;
    assert_int_equal(state_of(f, "AAA", &n, &q, &basis), 10000000); /* line 2 undone */
    assert_int_equal(order(f, f->aaa).filled_micro, 0);
}

/* The reader: every refusal names file, line and column (with its name). */
static void test_parse_errors_name_line_and_column(void **state)
{
    (void)state;
    static const struct {
        const char *text, *where, *msg;
    } cases[] = {
        {"order_id,date,qty,price,fees\nP-1,2023-01-05,1,0,0\n", "fills.csv:2:4 (price)",
         "price must be above 0"},
        {"order_id,date,qty,price,fees\nP-1,2023-01-05,-1,1,0\n", "fills.csv:2:3 (qty)",
         "qty must be above 0"},
        {"order_id,date,qty,price,fees\nP-1,2023-01-05,1,1,0.001\n", "fills.csv:2:5 (fees)",
         "fees:"},
        {"qty,price,date,order_id\n1,1,2023-02-30,P-1\n", "fills.csv:2:3 (date)", "no such day"},
        {"order_id,date,qty,price,fee\n", "fills.csv:1:5", "not part of the fills format"},
        {"order_id,date,qty\n", "fills.csv:1:4", "no price column"},
        {"order_id,date,qty,price\nP 1,2023-01-05,1,1\n", "fills.csv:2:1 (order_id)",
         "order_id must be"},
        {"order_id,date,qty,price\n", "fills.csv", "no fills"},
    };
    size_t checks = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ra_err err = {0};
        ra_fills *fl = (ra_fills *)(uintptr_t)1;
        assert_int_equal(ra_fills_parse(cases[i].text, strlen(cases[i].text), "fills.csv", 2, &fl,
                                        &err),
                         RA_EPARSE);
        assert_null(fl);
        if (strcmp(err.where, cases[i].where) != 0 || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: got [%s] %s", i, err.where, err.msg);
        checks++;
    }
    assert_int_equal(checks, 8);
    /* and a good file: fees optional, columns in any order, exact decimals */
    const char *good = "Price,qty,ORDER_ID,date\n100.123456,0.000001,P-1,2024-02-29\n";
    ra_err err = {0};
    ra_fills *fl = NULL;
    OK(ra_fills_parse(good, strlen(good), "f.csv", 2, &fl, &err));
    assert_int_equal(fl->n, 1);
    assert_string_equal(fl->rows[0].order, "P-1");
    assert_int_equal(fl->rows[0].price, 100123456);
    assert_int_equal(fl->rows[0].qty_micro, 1);
    assert_int_equal(fl->rows[0].fees_minor, 0);
    assert_int_equal(fl->rows[0].date, D(2024, 2, 29));
    assert_int_equal(fl->rows[0].line, 2);
    ra_fills_destroy(fl);
}


/* A sale whose trade names no lots relieves them by the account's mandate method, never by a
 * default of the fill's. CCC is bought in two lots: 400 at 50.00 (2023-01-04) and 392 at 51.00
 * (2023-01-05), AAA 594 at 100.00. Day 2 (AAA at 80.00, CCC at 50.00) is out of band and A1
 * (no TLH) sells CCC; the proposal's tax-aware picks would take the 51.00 lot (a loss) first.
 * With the trade's lots blanked and the mandate set to FIFO, the fill takes the 50.00 lot of
 * 2023-01-04 first, leaving the 51.00 lot whole (hand derivation). */
static void test_fill_without_picks_follows_mandate(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_order_fill(f->s, &f->actor, f->aaa, SH(594), PX(10000), 0, D(2023, 1, 4), &err));
    OK(ra_store_order_fill(f->s, &f->actor, f->ccc, SH(400), PX(5000), 0, D(2023, 1, 4), &err));
    OK(ra_store_order_fill(f->s, &f->actor, f->ccc, SH(392), PX(5100), 0, D(2023, 1, 5), &err));
    ra_cycle_order *v = NULL;
    size_t n = 0;
    cycle_day(f, D(2023, 1, 5), 8000, 5000, &v, &n);
    char sell[RA_CYCLE_ID_MAX] = "";
    ra_micro q = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].side < 0 && strcmp(v[i].ticker, "CCC") == 0) {
            snprintf(sell, sizeof sell, "%s", v[i].id);
            q = v[i].qty_micro;
        }
    ra_store_free(v);
    assert_true(sell[0] && q > 0 && q <= SH(400));
    OK(ra_store_exec_raw(f->s, "UPDATE proposal_trades SET lots = ''", &err));
    ra_mandate_version mv;
    OK(ra_store_mandate_get(f->s, "F1", "A1", 0, &mv, &err));
    mv.mandate.relief = RA_RELIEF_FIFO;
    OK(ra_store_mandate_put(f->s, &f->actor, "A1", &mv.mandate, NULL, 0, "fifo", NULL, &err));
    OK(ra_store_order_fill(f->s, &f->actor, sell, q, PX(5000), 0, D(2023, 1, 5), &err));
    ra_ledger l;
    uint32_t ccc = 0;
    OK(ra_store_security_id(f->s, "F1", "CCC", &ccc, &err));
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    int seen = 0;
    for (size_t k = 0; k < l.n_lots; k++) {
        if (l.lots[k].security != ccc)
            continue;
        if (l.lots[k].acquired == D(2023, 1, 4))
            assert_int_equal(l.lots[k].qty_micro, SH(400) - q), seen++;
        else
            assert_int_equal(l.lots[k].qty_micro, SH(392)), seen++;
    }
    ra_ledger_free(&l);
    assert_int_equal(seen, q == SH(400) ? 1 : 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_partial_fills_update_cash_and_lots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_skips_recorded_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overfill_refused_naming_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_early_and_cancelled_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fill_without_picks_follows_mandate, setup, teardown),
        cmocka_unit_test(test_parse_errors_name_line_and_column),
    };
    return ra_tdb_main(argc, argv, "test_engine_fills", tests, sizeof tests / sizeof tests[0]);
}
