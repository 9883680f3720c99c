/* Statements' formatting per language and their message catalogues (src/io/stmt_fmt.c,
 * src/io/stmt_msg_*.c), and a rendering of a small hand-made statement model. Every expected
 * string is written out by hand: English amounts with ',' thousands and '.' decimals; Chinese
 * amounts the same (GB/T 15835 groups digits by three with ','), Chinese dates as Y年M月D日. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/statement.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/stmt_int.h"

static void test_format_money_per_language(void **state)
{
    (void)state;
    char b[RA_STMT_FMT_SIZE];
    /* 123456789 cents = 1,234,567.89 */
    assert_string_equal(ra_stmt_format_money(RA_STMT_EN, 123456789, 2, b), "1,234,567.89");
    assert_string_equal(ra_stmt_format_money(RA_STMT_ZH_CN, 123456789, 2, b), "1,234,567.89");
    assert_string_equal(ra_stmt_format_money(RA_STMT_EN, -100000, 2, b), "-1,000.00");
    assert_string_equal(ra_stmt_format_money(RA_STMT_EN, 99999, 2, b), "999.99");
    assert_string_equal(ra_stmt_format_money(RA_STMT_EN, 5, 2, b), "0.05");
    assert_string_equal(ra_stmt_format_money(RA_STMT_EN, 1234567, 0, b), "1,234,567"); /* JPY */
}

static void test_format_pct_and_qty(void **state)
{
    (void)state;
    char b[RA_STMT_FMT_SIZE];
    assert_string_equal(ra_stmt_format_pct(RA_STMT_EN, 0.0523, 2, b), "5.23%");
    assert_string_equal(ra_stmt_format_pct(RA_STMT_ZH_CN, -0.10390786, 2, b), "-10.39%");
    assert_string_equal(ra_stmt_format_pct(RA_STMT_EN, -0.00001, 2, b), "0.00%"); /* no -0.00 */
    assert_string_equal(ra_stmt_format_pct(RA_STMT_EN, 12.5, 1, b), "1,250.0%");
    assert_string_equal(ra_stmt_format_pct(RA_STMT_EN, NAN, 2, b), "n/a");
    assert_string_equal(ra_stmt_format_pct(RA_STMT_ZH_CN, NAN, 2, b), "不适用");
    /* 1,234.5 shares = 1234500000 micro-shares; trailing zeros dropped */
    assert_string_equal(ra_stmt_format_qty(RA_STMT_EN, 1234500000, b), "1,234.5");
    assert_string_equal(ra_stmt_format_qty(RA_STMT_EN, 154059826, b), "154.059826");
    assert_string_equal(ra_stmt_format_qty(RA_STMT_EN, 2000000, b), "2");
}

static void test_format_date_per_language(void **state)
{
    (void)state;
    char b[RA_STMT_FMT_SIZE];
    ra_date d = ra_date_from_ymd(2020, 3, 31);
    assert_string_equal(ra_stmt_format_date(RA_STMT_EN, d, b), "31 Mar 2020");
    assert_string_equal(ra_stmt_format_date(RA_STMT_ZH_CN, d, b), "2020年3月31日");
    assert_string_equal(ra_stmt_format_date(RA_STMT_EN, ra_date_from_ymd(2019, 12, 1), b),
                        "1 Dec 2019");
    assert_string_equal(ra_stmt_format_date(RA_STMT_EN, 0, b), "-");
}

static void test_lang_parse(void **state)
{
    (void)state;
    ra_stmt_lang l;
    ra_err e = {0};
    assert_int_equal(ra_stmt_lang_parse("zh-CN", &l, &e), RA_OK);
    assert_int_equal(l, RA_STMT_ZH_CN);
    assert_int_equal(ra_stmt_lang_parse("en", &l, &e), RA_OK);
    assert_int_equal(l, RA_STMT_EN);
    assert_int_equal(ra_stmt_lang_parse("zh", &l, &e), RA_EINVAL);
}

/* Every key has a text in both catalogues, and a template has the same placeholders in both. */
static void test_catalogues_complete(void **state)
{
    (void)state;
    size_t checked = 0;
    for (int k = 0; k < M_N; k++) {
        const char *en = ra_stmt_msgs_en[k], *zh = ra_stmt_msgs_zh_cn[k];
        if (!en || !en[0] || !zh || !zh[0])
            fail_msg("catalogue key %s has no text in %s", ra_stmt_msg_name(k),
                     !en || !en[0] ? "en" : "zh-CN");
        for (int a = 0; a < 8; a++) {
            char ph[4] = {'{', (char)('0' + a), '}', 0};
            if ((strstr(en, ph) != NULL) != (strstr(zh, ph) != NULL))
                fail_msg("key %s: placeholder %s in one language only", ra_stmt_msg_name(k), ph);
        }
        checked++;
    }
    assert_int_equal(checked, M_N);
    assert_true(M_N > 200);
}

static void test_fill_orders_arguments(void **state)
{
    (void)state;
    const char *args[2] = {"1", "4"};
    char *en = stmt_fill(ra_stmt_msg(RA_STMT_EN, M_PAGE_OF), args, 2);
    char *zh = stmt_fill(ra_stmt_msg(RA_STMT_ZH_CN, M_PAGE_OF), args, 2);
    assert_string_equal(en, "Page 1 of 4");
    assert_string_equal(zh, "第 1 页，共 4 页");
    ra_free(en);
    ra_free(zh);
}

/* A statement with one holding, rendered in every format and language: no error, the figures
 * where they belong. */
static void test_render_small_statement(void **state)
{
    (void)state;
    ra_statement st;
    memset(&st, 0, sizeof st);
    strcpy(st.firm, "F");
    strcpy(st.account, "A1");
    strcpy(st.currency, "USD");
    st.minor_digits = 2;
    st.from = ra_date_from_ymd(2020, 1, 1);
    st.to = ra_date_from_ymd(2020, 1, 31);
    st.fig[RA_STMT_CLOSING] = (ra_stmt_fig){1, 0, 1234567, 0, RA_STMT_SRC_LEDGER, st.to, 3};
    st.fig[RA_STMT_TWR] = (ra_stmt_fig){1, 1, 0, 0.05, RA_STMT_SRC_VALUES, st.to, 3};
    ra_stmt_point pts[2] = {{st.from, 1000000, 1000000, 0}, {st.to, 1234567, 1100000, 0}};
    st.series = pts;
    st.n_series = 2;
    ra_stmt_class cls[1] = {{"cash", 1.0, 1.0}};
    st.classes = cls;
    st.n_classes = 1;
    for (int l = 0; l < RA_STMT_LANG_N; l++)
        for (int f = RA_STMT_JSON; f <= RA_STMT_PDF; f++) {
            char *out = NULL;
            size_t len = 0;
            ra_err e = {0};
            assert_int_equal(ra_statement_render(&st, (ra_stmt_format)f, (ra_stmt_lang)l, &out,
                                                 &len, &e), RA_OK);
            assert_true(len > 100);
            if (f == RA_STMT_PDF)
                assert_memory_equal(out, "%PDF-", 5);
            else if (f == RA_STMT_HTML)
                assert_non_null(strstr(out, "12,345.67"));
            else
                assert_non_null(strstr(out, "\"closing_value\": {\"value\": \"12345.67\", \"unit\": "
                                            "\"USD\", \"source\": \"ledger\", \"as_of\": "
                                            "\"2020-01-31\", \"risk_level\": \"R3\"}"));
            ra_free(out);
        }
}

static size_t count_of(const char *hay, size_t len, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(hay + i, needle, k) == 0)
            n++;
    return n;
}

/* The Chinese PDF draws the catalogues' text with Noto Sans CJK SC cut once per process
 * (src/io/stmt_font.c) and a run holding a character outside the cut with the full face. The cut
 * holds the catalogues' characters, ASCII, Latin-1 and punctuation: "Zoë" is in it, U+9F98 龘
 * is in no catalogue. So: one embedded font (a CFF, /FontFile3) and a small file for "Zoë Li"
 * (the full face's subset alone is about 950 KB), two fonts for "龘 Li", and pdftotext reads
 * both names back (the ToUnicode maps are right). */
static void test_pdf_zh_font_cut_and_fallback(void **state)
{
    (void)state;
    static const char *const names[2] = {"Zo\xc3\xab Li", "\xe9\xbe\x98 Li"};
    for (int k = 0; k < 2; k++) {
        ra_statement st;
        memset(&st, 0, sizeof st);
        strcpy(st.firm, "F");
        strcpy(st.account, "A1");
        strcpy(st.currency, "USD");
        strcpy(st.client_name, names[k]);
        st.minor_digits = 2;
        st.from = ra_date_from_ymd(2020, 1, 1);
        st.to = ra_date_from_ymd(2020, 1, 31);
        char *out = NULL;
        size_t len = 0;
        ra_err e = {0};
        assert_int_equal(ra_statement_render(&st, RA_STMT_PDF, RA_STMT_ZH_CN, &out, &len, &e),
                         RA_OK);
        assert_int_equal(count_of(out, len, "/FontFile3"), (size_t)(k + 1));
        if (k == 0)
            assert_true(len < 300000);
        char path[] = "/tmp/test_statement_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, out, len), (ssize_t)len);
        close(fd);
        ra_free(out);
        char cmd[200], text[65536];
        snprintf(cmd, sizeof cmd, "pdftotext %s -", path);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        assert_int_equal(pclose(f), 0);
        unlink(path);
        assert_non_null(strstr(text, names[k]));
        assert_non_null(strstr(text, "\xe5\xae\xa2\xe6\x88\xb7\xe5\xaf\xb9\xe8\xb4\xa6\xe5\x8d\x95")); /* 客户对账单 */
    }
}

/* Documents drawn at once on several threads (the batch, the server's pool): src/io/stmt_pdf.c
 * lends each document a set of faces of its own. Every PDF drawn by 4 threads at once, 3 each, in
 * both languages, with a name outside the Chinese cut (the cut face and the full face both draw),
 * is byte for byte the one drawn alone first (the creation date aside: cairo writes the second). */
#define CONC_THREADS 4
#define CONC_EACH 3

static void conc_statement(ra_statement *st)
{
    memset(st, 0, sizeof *st);
    strcpy(st->firm, "F");
    strcpy(st->account, "A1");
    strcpy(st->currency, "USD");
    strcpy(st->client_name, "\xe9\xbe\x98 Li"); /* U+9F98: outside the cut */
    st->minor_digits = 2;
    st->from = ra_date_from_ymd(2020, 1, 1);
    st->to = ra_date_from_ymd(2020, 1, 31);
}

/* Blanks the digits of "/CreationDate (D:...)". */
static void blank_date(char *pdf, size_t len)
{
    static const char key[] = "/CreationDate (D:";
    size_t k = sizeof key - 1;
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(pdf + i, key, k) == 0)
            for (size_t j = i + k; j < len && pdf[j] != ')'; j++)
                pdf[j] = '0';
}

typedef struct conc_job {
    ra_stmt_lang lang;
    const char *want;
    size_t want_len;
    int same; /* documents equal to want */
} conc_job;

static void *conc_draw(void *arg)
{
    conc_job *j = arg;
    ra_statement st;
    conc_statement(&st);
    for (int k = 0; k < CONC_EACH; k++) {
        char *out = NULL;
        size_t len = 0;
        ra_err e = {0};
        if (ra_statement_render(&st, RA_STMT_PDF, j->lang, &out, &len, &e) == RA_OK) {
            blank_date(out, len);
            j->same += len == j->want_len && memcmp(out, j->want, len) == 0;
        }
        ra_free(out);
    }
    return NULL;
}

static void test_pdf_threads_at_once(void **state)
{
    (void)state;
    for (int l = 0; l < RA_STMT_LANG_N; l++) {
        ra_statement st;
        conc_statement(&st);
        char *want = NULL;
        size_t want_len = 0;
        ra_err e = {0};
        assert_int_equal(ra_statement_render(&st, RA_STMT_PDF, (ra_stmt_lang)l, &want, &want_len,
                                             &e), RA_OK);
        blank_date(want, want_len);
        pthread_t t[CONC_THREADS];
        conc_job jobs[CONC_THREADS];
        for (int i = 0; i < CONC_THREADS; i++) {
            jobs[i] = (conc_job){(ra_stmt_lang)l, want, want_len, 0};
            assert_int_equal(pthread_create(&t[i], NULL, conc_draw, &jobs[i]), 0);
        }
        for (int i = 0; i < CONC_THREADS; i++) {
            assert_int_equal(pthread_join(t[i], NULL), 0);
            assert_int_equal(jobs[i].same, CONC_EACH);
        }
        ra_free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_money_per_language),
        cmocka_unit_test(test_format_pct_and_qty),
        cmocka_unit_test(test_format_date_per_language),
        cmocka_unit_test(test_lang_parse),
        cmocka_unit_test(test_catalogues_complete),
        cmocka_unit_test(test_fill_orders_arguments),
        cmocka_unit_test(test_render_small_statement),
        cmocka_unit_test(test_pdf_zh_font_cut_and_fallback),
        cmocka_unit_test(test_pdf_threads_at_once),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ra_statement_fonts_release();
    return rc;
}
