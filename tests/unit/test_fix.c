/* FIX 4.4 framing (src/io/fix.c). The parser is checked against the published ExecutionReport of
 * the FIX article on Wikipedia (a FIX 4.2 message whose BodyLength 178 and CheckSum 128 are given
 * there); the encoder against a message built by hand here and framed by an independent
 * computation (Python 3: len(body) = 171, sum(bytes) % 256 = 75), and read back by the parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/fix.h>

#include <string.h>

#include "ra_test.h"

static const char wiki[] =
    "8=FIX.4.2\x01" "9=178\x01" "35=8\x01" "49=PHLX\x01" "56=PERS\x01"
    "52=20071123-05:30:00.000\x01" "11=ATOMNOCCC9990900\x01" "20=3\x01" "150=E\x01" "39=E\x01"
    "55=MSFT\x01" "167=CS\x01" "54=1\x01" "38=15\x01" "40=2\x01" "44=15\x01"
    "58=PHLX EQUITY TESTING\x01" "59=0\x01" "47=C\x01" "32=0\x01" "31=0\x01" "151=15\x01"
    "14=0\x01" "6=0\x01" "10=128\x01";

static void test_fix_parse_published_example(void **state)
{
    (void)state;
    ra_fix_msg m;
    ra_err err = {0};
    assert_int_equal(ra_fix_parse(wiki, sizeof wiki - 1, "wiki", 1, &m, &err), RA_OK);
    assert_string_equal(m.begin, "FIX.4.2");
    assert_string_equal(m.type, "8");
    assert_int_equal(m.size, sizeof wiki - 1);
    const ra_fix_field *f = ra_fix_get(&m, 11);
    assert_non_null(f);
    assert_int_equal(f->len, 16);
    assert_memory_equal(f->value, "ATOMNOCCC9990900", 16);
    assert_memory_equal(ra_fix_get(&m, 58)->value, "PHLX EQUITY TESTING", 19);
    /* as a fill it lacks ExecID (17), which the import needs to recognise a fill it has seen */
    ra_fix_fill fill;
    assert_int_equal(ra_fix_fill_from(&m, "wiki", 1, &fill, &err), RA_EPARSE);
    assert_string_equal(err.where, "wiki:1:17 (ExecID)");
}

/* One changed byte breaks the checksum; a wrong BodyLength is named as such. */
static void test_fix_rejects_bad_framing(void **state)
{
    (void)state;
    char b[sizeof wiki];
    memcpy(b, wiki, sizeof wiki);
    char *p = strstr(b, "MSFT");
    p[0] = 'N';
    ra_fix_msg m;
    ra_err err = {0};
    assert_int_equal(ra_fix_parse(b, sizeof wiki - 1, "in.fix", 3, &m, &err), RA_EPARSE);
    assert_string_equal(err.where, "in.fix:3:10 (CheckSum)");
    memcpy(b, wiki, sizeof wiki);
    memcpy(strstr(b, "9=178"), "9=177", 5);
    assert_int_equal(ra_fix_parse(b, sizeof wiki - 1, "in.fix", 4, &m, &err), RA_EPARSE);
    assert_string_equal(err.where, "in.fix:4:9 (BodyLength)");
    assert_int_equal(ra_fix_parse("8=FIX.4.4\x01", 10, "in.fix", 5, &m, &err), RA_EPARSE);
    assert_int_equal(ra_fix_parse("", 0, "in.fix", 6, &m, &err), RA_EPARSE);
}

static ra_fix_order order(void)
{
    ra_fix_order o;
    memset(&o, 0, sizeof o);
    strcpy(o.sender, "ROBOADV");
    strcpy(o.target, "BROKER");
    o.seq = 7;
    o.sending_time = 1705352700; /* 2024-01-15 21:05:00 UTC */
    strcpy(o.cl_ord_id, "O-20240115-000042");
    strcpy(o.symbol, "SPY");
    o.side = 1;
    o.transact_time = 1705352700;
    o.qty_micro = 100000000;
    o.limit = 475250000;
    o.n_allocs = 2;
    strcpy(o.allocs[0].account, "A000001-1");
    o.allocs[0].qty_micro = 60000000;
    strcpy(o.allocs[1].account, "A000002-1");
    o.allocs[1].qty_micro = 40000000;
    return o;
}

static void test_fix_encode_new_order_single(void **state)
{
    (void)state;
    static const char want[] =
        "8=FIX.4.4\x01" "9=171\x01" "35=D\x01" "49=ROBOADV\x01" "56=BROKER\x01" "34=7\x01"
        "52=20240115-21:05:00\x01" "11=O-20240115-000042\x01" "78=2\x01" "79=A000001-1\x01"
        "80=60\x01" "79=A000002-1\x01" "80=40\x01" "55=SPY\x01" "54=1\x01"
        "60=20240115-21:05:00\x01" "38=100\x01" "40=2\x01" "44=475.25\x01" "10=075\x01";
    ra_fix_order o = order();
    char buf[1024];
    size_t len = 0;
    ra_err err = {0};
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_OK);
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(buf, want, len);
    ra_fix_msg m;
    assert_int_equal(ra_fix_parse(buf, len, "out", 1, &m, &err), RA_OK);
    assert_string_equal(m.type, "D");
    const ra_fix_field *f = ra_fix_get(&m, 44);
    assert_non_null(f);
    assert_int_equal(f->len, 6);
    /* a market order has 40=1 and no Price */
    o.limit = 0;
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_OK);
    assert_int_equal(ra_fix_parse(buf, len, "out", 2, &m, &err), RA_OK);
    assert_null(ra_fix_get(&m, 44));
    assert_memory_equal(ra_fix_get(&m, 40)->value, "1", 1);
}

static void test_fix_encode_refuses_what_cannot_be_sent(void **state)
{
    (void)state;
    char buf[1024];
    size_t len;
    ra_err err = {0};
    ra_fix_order o = order();
    o.allocs[1].qty_micro = 30000000;
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_EINVAL);
    assert_string_equal(err.where, "order:80 (AllocQty)");
    o = order();
    strcpy(o.cl_ord_id, "X\x01" "10=000");
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_EINVAL);
    assert_string_equal(err.where, "order:11 (ClOrdID)");
    o = order();
    o.side = 0;
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_EINVAL);
    o = order();
    assert_int_equal(ra_fix_encode_order(&o, buf, 40, &len, &err), RA_EINVAL);
}

/* A fill: a trade of 60 at 475.20, read with its time. */
static void test_fix_execution_report_fill(void **state)
{
    (void)state;
    char body[512];
    int bl = snprintf(body, sizeof body, "%s",
                      "35=8\x01" "49=BROKER\x01" "56=ROBOADV\x01" "34=9\x01"
                      "52=20240116-14:31:07\x01" "11=O-20240115-000042\x01" "17=E-1\x01"
                      "150=F\x01" "39=1\x01" "55=SPY\x01" "54=1\x01" "32=60\x01"
                      "31=475.2\x01" "14=60\x01" "151=40\x01" "60=20240116-14:31:07.250\x01");
    char msg[600];
    int n = snprintf(msg, sizeof msg, "8=FIX.4.4\x01" "9=%d\x01" "%s", bl, body);
    unsigned sum = 0;
    for (int i = 0; i < n; i++)
        sum += (unsigned char)msg[i];
    n += snprintf(msg + n, sizeof msg - (size_t)n, "10=%03u\x01", sum % 256);
    ra_fix_msg m;
    ra_fix_fill f;
    ra_err err = {0};
    assert_int_equal(ra_fix_parse(msg, (size_t)n, "fills", 1, &m, &err), RA_OK);
    assert_int_equal(ra_fix_fill_from(&m, "fills", 1, &f, &err), RA_OK);
    assert_string_equal(f.exec_id, "E-1");
    assert_int_equal(f.exec_type, 'F');
    assert_int_equal(f.last_qty_micro, 60000000);
    assert_int_equal(f.last_px, 475200000);
    assert_int_equal(f.leaves_qty_micro, 40000000);
    assert_int_equal(f.transact_time, 1705415467);
}

/* The framing against a published message: the Logon of the Wikipedia article "Financial
 * Information eXchange" (section "Body length", FIX 4.2: 9=65, 10=062), and the same message as
 * FIX 4.0 in a developer's post (reciprocity.com, article 4373108: 10=060, two less: '0' is
 * 0x30 and '2' 0x32). Both checked by hand too (Python 3: len(body) = 65, sum(bytes) % 256). */
static void test_fix_frame_published_logon(void **state)
{
    (void)state;
    static const char body[] = "35=A\x01" "49=SERVER\x01" "56=CLIENT\x01" "34=177\x01"
                               "52=20090107-18:15:16\x01" "98=0\x01" "108=30\x01";
    static const char want42[] = "8=FIX.4.2\x01" "9=65\x01" "35=A\x01" "49=SERVER\x01"
                                 "56=CLIENT\x01" "34=177\x01" "52=20090107-18:15:16\x01"
                                 "98=0\x01" "108=30\x01" "10=062\x01";
    char buf[256];
    size_t len = 0;
    ra_err err = {0};
    assert_int_equal(ra_fix_frame("FIX.4.2", body, sizeof body - 1, buf, sizeof buf, &len, &err),
                     RA_OK);
    assert_int_equal(len, sizeof want42 - 1);
    assert_memory_equal(buf, want42, len);
    assert_int_equal(ra_fix_frame("FIX.4.0", body, sizeof body - 1, buf, sizeof buf, &len, &err),
                     RA_OK);
    assert_memory_equal(buf + len - 7, "10=060\x01", 7);
    assert_memory_equal(buf, "8=FIX.4.0\x01" "9=65\x01", 15);
    /* and the reader agrees */
    ra_fix_msg m;
    assert_int_equal(ra_fix_parse(buf, len, "logon", 1, &m, &err), RA_OK);
    assert_int_equal(ra_fix_frame("FIX.4.2", body, sizeof body - 1, buf, 40, &len, &err),
                     RA_EINVAL);
    assert_int_equal(ra_fix_frame("FIX.4.2", "98=0\x01", 5, buf, sizeof buf, &len, &err),
                     RA_EINVAL);
}

/* HandlInst, fractional quantities (micro-shares as decimals) and a block's pre-allocation: the
 * fields in order, read back by the parser. */
static void test_fix_encode_fractional_block(void **state)
{
    (void)state;
    ra_fix_order o = order();
    o.handl_inst = '1';
    o.limit = 0;
    o.qty_micro = 1500001; /* 1.500001 shares */
    o.allocs[0].qty_micro = 1000000;
    o.allocs[1].qty_micro = 500001;
    char buf[2048];
    size_t len = 0;
    ra_err err = {0};
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_OK);
    assert_non_null(strstr(buf, "\x01" "11=O-20240115-000042\x01" "21=1\x01" "78=2\x01"
                                "79=A000001-1\x01" "80=1\x01"));
    assert_non_null(strstr(buf, "\x01" "79=A000002-1\x01" "80=0.500001\x01" "55=SPY\x01"));
    assert_non_null(strstr(buf, "\x01" "38=1.500001\x01" "40=1\x01" "10="));
    assert_null(strstr(buf, "\x01" "44="));
    ra_fix_msg m;
    assert_int_equal(ra_fix_parse(buf, len, "out", 1, &m, &err), RA_OK);
    assert_int_equal(m.size, len);
    o.handl_inst = '7';
    assert_int_equal(ra_fix_encode_order(&o, buf, sizeof buf, &len, &err), RA_EINVAL);
    assert_string_equal(err.where, "order:21 (HandlInst)");
}

/* A file of ExecutionReports: two trades on two lines and a report that is not a trade (150=0);
 * then a trade without CumQty, and a message of another type, refused naming message and tag. */
static size_t er(char *out, size_t cap, const char *body)
{
    char tmp[512];
    size_t len = 0;
    ra_err err = {0};
    if (ra_fix_frame("FIX.4.4", body, strlen(body), tmp, sizeof tmp, &len, &err) != RA_OK ||
        len + 2 > cap)
        return 0;
    memcpy(out, tmp, len);
    out[len] = '\n';
    out[len + 1] = '\0';
    return len + 1;
}

#define ER_HEAD "35=8\x01" "49=B\x01" "56=R\x01" "34=1\x01" "52=20191211-21:00:00\x01"

static void test_fix_trades_parse_file(void **state)
{
    (void)state;
    char file[4096];
    size_t n = 0;
    n += er(file + n, sizeof file - n, ER_HEAD "11=B-X\x01" "17=E1\x01" "150=F\x01" "39=1\x01"
            "55=QUAL\x01" "54=1\x01" "32=1000\x01" "31=1.25\x01" "14=1000\x01"
            "60=20191211-21:00:00\x01");
    n += er(file + n, sizeof file - n, ER_HEAD "11=B-X\x01" "17=E0\x01" "150=0\x01" "39=0\x01"
            "55=QUAL\x01" "54=1\x01");
    n += er(file + n, sizeof file - n, ER_HEAD "11=P-1\x01" "17=E2\x01" "150=F\x01" "39=2\x01"
            "55=SPY\x01" "54=2\x01" "32=0.5\x01" "31=2\x01" "14=0.5\x01"
            "60=20191212-00:00:01\x01");
    ra_fix_trade *t = NULL;
    size_t nt = 0, msgs = 0;
    ra_err err = {0};
    assert_int_equal(ra_fix_trades_parse(file, n, "e.fix", &t, &nt, &msgs, &err), RA_OK);
    assert_int_equal(msgs, 3);
    assert_int_equal(nt, 2);
    assert_string_equal(t[0].f.exec_id, "E1");
    assert_int_equal(t[0].msg_no, 1);
    assert_int_equal(t[1].msg_no, 3);
    assert_int_equal(t[1].f.last_qty_micro, 500000);
    assert_int_equal(t[1].f.side, -1);
    assert_int_equal(t[0].date, 18241); /* 2019-12-11: 49 years and 12 leap days after 1970 */
    assert_int_equal(t[1].date, 18242);
    ra_free(t);
    /* a trade without CumQty in message 2 */
    size_t k = er(file, sizeof file, ER_HEAD "11=B-X\x01" "17=E0\x01" "150=0\x01" "39=0\x01"
                  "55=QUAL\x01" "54=1\x01");
    k += er(file + k, sizeof file - k, ER_HEAD "11=P-1\x01" "17=E2\x01" "150=F\x01" "39=2\x01"
            "55=SPY\x01" "54=2\x01" "32=0.5\x01" "31=2\x01" "60=20191212-00:00:01\x01");
    assert_int_equal(ra_fix_trades_parse(file, k, "e.fix", &t, &nt, &msgs, &err), RA_EPARSE);
    assert_null(t);
    assert_string_equal(err.where, "e.fix:2:14 (CumQty)");
    /* a NewOrderSingle is not a fill */
    k = er(file, sizeof file, "35=D\x01" "49=B\x01" "56=R\x01" "34=1\x01" "11=X\x01");
    assert_int_equal(ra_fix_trades_parse(file, k, "e.fix", &t, &nt, &msgs, &err), RA_EPARSE);
    assert_string_equal(err.where, "e.fix:1:35 (MsgType)");
    assert_int_equal(ra_fix_trades_parse("\n\n", 2, "e.fix", &t, &nt, &msgs, &err), RA_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fix_parse_published_example),
        cmocka_unit_test(test_fix_rejects_bad_framing),
        cmocka_unit_test(test_fix_encode_new_order_single),
        cmocka_unit_test(test_fix_encode_refuses_what_cannot_be_sent),
        cmocka_unit_test(test_fix_execution_report_fill),
        cmocka_unit_test(test_fix_frame_published_logon),
        cmocka_unit_test(test_fix_encode_fractional_block),
        cmocka_unit_test(test_fix_trades_parse_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
