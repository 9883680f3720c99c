/* The direct JSON writer of the cycle's audit records (src/store/store_json.c) against jansson,
 * the independent implementation it replaces on the hot path: for the same members both must
 * write the same bytes (rs_json_dump: JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)),
 * and both must refuse the same values (text that is not UTF-8, reals that are not finite). The
 * values: edge cases chosen by hand, then 20,000 seeded random records. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* One member written both ways. */
typedef struct pair {
    rs_jw w;
    json_t *j;
} pair;

static void p_open(pair *p) { rs_jw_open(&p->w, NULL, '{'), p->j = json_object(); }

static void p_str(pair *p, const char *k, const char *v)
{
    rs_jw_str(&p->w, k, v);
    rs_jstr(p->j, k, v);
}

static void p_int(pair *p, const char *k, int64_t v)
{
    rs_jw_int(&p->w, k, v);
    rs_jint(p->j, k, v);
}

static void p_dbl(pair *p, const char *k, double v)
{
    rs_jw_dbl(&p->w, k, v);
    rs_jdbl(p->j, k, v);
}

/* Closes both and compares: equal texts, or both refused. Returns 1 if both wrote a text. */
static int p_check(pair *p)
{
    rs_jw_close(&p->w, '}');
    char *a = rs_jw_done(&p->w);
    char *b = rs_json_dump(p->j);
    int both = a && b;
    if (!a != !b)
        fail_msg("one writer refused and the other wrote: ours %s, jansson %s", a ? a : "(refused)",
                 b ? b : "(refused)");
    if (both && strcmp(a, b) != 0)
        fail_msg("texts differ:\n ours    %s\n jansson %s", a, b);
    ra_free(a);
    rs_json_free(b);
    return both;
}

static void test_strings_match_jansson(void **state)
{
    (void)state;
    const char *ok[] = {"", "A0000001", "fill-2021-01-05-3-1", "quote\" back\\slash /slash",
                        "tab\there\nnew\rcr\bbs\fff", "\x01\x1f\x7f", "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87",
                        "\xf0\x9f\x98\x80 emoji", "\xe2\x80\xa8 line separator"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pair p = {0};
        p_open(&p);
        p_str(&p, "s", ok[i]);
        p_str(&p, ok[i], "as a key");
        assert_int_equal(p_check(&p), 1);
    }
    const char *bad[] = {"\xff", "abc\xc3", "\xed\xa0\x80 surrogate", "\xc0\xaf overlong"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pair p = {0};
        p_open(&p);
        p_str(&p, "s", bad[i]);
        assert_int_equal(p_check(&p), 0);
    }
}

static void test_numbers_match_jansson(void **state)
{
    (void)state;
    const int64_t ints[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN, INT32_MIN};
    const double dbls[] = {0.0, -0.0, 1.0, -1.0, 0.1, 0.25, 1e20, 1e21, 1e-5, 1e-7, 1.5e300,
                           -2.5e-300, 123456789012345678.0, DBL_MAX, DBL_MIN, 5e-324, 0.0248,
                           1.0 / 3.0, 100.0, 1e16, 1e17};
    pair p = {0};
    p_open(&p);
    char k[16]; /* distinct keys: jansson keeps one member a key */
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        snprintf(k, sizeof k, "i%zu", i);
        p_int(&p, k, ints[i]);
    }
    for (size_t i = 0; i < sizeof dbls / sizeof dbls[0]; i++) {
        snprintf(k, sizeof k, "d%zu", i);
        p_dbl(&p, k, dbls[i]);
    }
    assert_int_equal(p_check(&p), 1);
    const double refused[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        pair q = {0};
        p_open(&q);
        p_dbl(&q, "d", refused[i]);
        assert_int_equal(p_check(&q), 0);
    }
}

/* The ledger image both ways: rs_ledger_jw is rs_ledger_json's text. */
static void test_ledger_matches_jansson(void **state)
{
    (void)state;
    ra_lot lots[3] = {{.id = 1, .security = 7, .acquired = 18000, .qty_micro = 20000000,
                       .basis_minor = 200000},
                      {.id = 2, .security = 0, .acquired = -5, .qty_micro = 1, .basis_minor = -3},
                      {.id = UINT32_MAX, .security = 19, .acquired = 0, .qty_micro = INT64_MAX,
                       .basis_minor = INT64_MIN}};
    ra_ledger l;
    memset(&l, 0, sizeof l);
    l.cash_minor = -123;
    l.next_lot_id = 4;
    l.lots = lots;
    for (size_t n = 0; n <= 3; n++) {
        l.n_lots = n;
        rs_jw w = {0};
        rs_ledger_jw(&w, NULL, &l);
        char *a = rs_jw_done(&w);
        char *b = rs_json_dump(rs_ledger_json(&l));
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b);
        ra_free(a);
        rs_json_free(b);
    }
}

/* Nested arrays and objects, members after a nested value, unbalanced use refused. */
static void test_nesting(void **state)
{
    (void)state;
    rs_jw w = {0};
    rs_jw_open(&w, NULL, '[');
    rs_jw_open(&w, NULL, '{');
    rs_jw_open(&w, "a", '[');
    rs_jw_int(&w, NULL, 1);
    rs_jw_open(&w, NULL, '[');
    rs_jw_close(&w, ']');
    rs_jw_close(&w, ']');
    rs_jw_str(&w, "b", "x");
    rs_jw_close(&w, '}');
    rs_jw_int(&w, NULL, 2);
    rs_jw_close(&w, ']');
    char *t = rs_jw_done(&w);
    assert_non_null(t);
    /* by hand, and as jansson writes json_pack("[{s:[i,[]],s:s},i]") */
    assert_string_equal(t, "[{\"a\":[1,[]],\"b\":\"x\"},2]");
    char *j = rs_json_dump(json_pack("[{s:[i,[]],s:s},i]", "a", 1, "b", "x", 2));
    assert_string_equal(t, j);
    ra_free(t);
    rs_json_free(j);
    rs_jw u = {0};
    rs_jw_open(&u, NULL, '{');
    assert_null(rs_jw_done(&u)); /* left open */
    rs_jw v = {0};
    rs_jw_close(&v, '}');
    assert_null(rs_jw_done(&v)); /* closed what was never opened */
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random records: strings of random bytes (some not UTF-8: both refuse), integers over the whole
 * range, reals from random bit patterns (NaN and infinity included: both refuse). */
static void test_random_records_match_jansson(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t wrote = 0, refused = 0;
    for (int r = 0; r < 20000; r++) {
        pair p = {0};
        p_open(&p);
        int members = 1 + (int)(rnd(&seed) % 6);
        for (int m = 0; m < members; m++) {
            char key[8], s[24];
            snprintf(key, sizeof key, "k%d", m);
            switch (rnd(&seed) % 3) {
            case 0: {
                size_t n = rnd(&seed) % (sizeof s - 1);
                for (size_t i = 0; i < n; i++) {
                    uint64_t x = rnd(&seed);
                    /* mostly printable ASCII, some control bytes, some high bytes */
                    s[i] = (char)(x % 8 == 0 ? x >> 8 & 0xff : x % 8 == 1 ? x >> 8 & 0x1f
                                                                          : 32 + (x >> 8) % 95);
                    if (!s[i])
                        s[i] = 'z';
                }
                s[n] = 0;
                p_str(&p, key, s);
                break;
            }
            case 1: p_int(&p, key, (int64_t)rnd(&seed)); break;
            default: {
                uint64_t bits = rnd(&seed);
                double d;
                memcpy(&d, &bits, sizeof d);
                if (rnd(&seed) % 2)
                    d = (double)(int64_t)(rnd(&seed) % 2000001) / 1000.0 - 1000.0;
                p_dbl(&p, key, d);
            }
            }
        }
        if (p_check(&p))
            wrote++;
        else
            refused++;
    }
    /* both kinds of outcome were exercised */
    assert_true(wrote > 1000);
    assert_true(refused > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_match_jansson),
        cmocka_unit_test(test_numbers_match_jansson),
        cmocka_unit_test(test_ledger_matches_jansson),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_random_records_match_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
