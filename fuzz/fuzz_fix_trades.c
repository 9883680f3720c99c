/* libFuzzer target for the reader of a file of FIX ExecutionReports (ra_fix_trades_parse,
 * include/roboadvisor/fix.h; the FIX form of `roboadvisor import fills`). Aborts when a promise
 * does not hold: on success every trade has ids, a side, a quantity and a price above 0, a
 * CumQty and a date, message numbers increase and stay within the messages counted; on error the
 * output is NULL and the error is RA_EPARSE (or RA_ENOMEM) naming the file. Corpus:
 * fuzz/corpus/fix_trades (messages written by tests/fix/fix_check.py; see fuzz/README.md). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/fix.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_fix_trade *t = (ra_fix_trade *)1;
    size_t n = 99, msgs = 99;
    ra_status st = ra_fix_trades_parse((const char *)data, size, "fuzz.fix", &t, &n, &msgs, &err);
    if (st != RA_OK) {
        CHECK(t == NULL && n == 0);
        CHECK((st == RA_EPARSE || st == RA_ENOMEM) && err.msg[0] != '\0' &&
              TERMINATED(err.where) && TERMINATED(err.msg));
        CHECK(st != RA_EPARSE || strncmp(err.where, "fuzz.fix:", 9) == 0);
        return 0;
    }
    CHECK(msgs >= 1 && n <= msgs);
    CHECK((n == 0) == (t == NULL));
    for (size_t i = 0; i < n; i++) {
        const ra_fix_fill *f = &t[i].f;
        CHECK(TERMINATED(f->cl_ord_id) && TERMINATED(f->exec_id) && f->cl_ord_id[0] &&
              f->exec_id[0]);
        CHECK(f->exec_type == 'F' || f->exec_type == '1' || f->exec_type == '2');
        CHECK(f->side == 1 || f->side == -1);
        CHECK(f->last_qty_micro > 0 && f->last_px > 0 && f->cum_qty_micro >= 0);
        CHECK(t[i].msg_no >= 1 && t[i].msg_no <= msgs);
        CHECK(i == 0 || t[i].msg_no > t[i - 1].msg_no);
        CHECK((int64_t)t[i].date * 86400 <= f->transact_time &&
              f->transact_time < ((int64_t)t[i].date + 1) * 86400);
    }
    ra_free(t);
    return 0;
}
