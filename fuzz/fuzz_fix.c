/* libFuzzer target for the FIX reader (ra_fix_parse and ra_fix_fill_from, include/roboadvisor/
 * fix.h). Aborts when a promise does not hold: an accepted message's fields lie inside the input,
 * its size is what its BodyLength and CheckSum say, and a message the encoder writes from the
 * parsed fill's ids parses again. Corpus: fuzz/corpus/fix; see fuzz/README.md. */
#include <roboadvisor/fix.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_fix_msg m;
    const char *in = (const char *)data;
    ra_status st = ra_fix_parse(in, size, "fuzz.fix", 1, &m, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EPARSE && err.msg[0] != '\0' && TERMINATED(err.where) &&
              TERMINATED(err.msg));
        return 0;
    }
    CHECK(m.size <= size && m.size >= 20 && in[m.size - 1] == RA_FIX_SOH);
    CHECK(TERMINATED(m.begin) && TERMINATED(m.type));
    unsigned sum = 0;
    size_t ck = m.size - 7;
    for (size_t i = 0; i < ck; i++)
        sum += data[i];
    CHECK((int)(sum % 256) == (in[ck + 3] - '0') * 100 + (in[ck + 4] - '0') * 10 + (in[ck + 5] - '0'));
    for (size_t i = 0; i < m.n; i++) {
        CHECK(m.f[i].tag > 0 && m.f[i].len > 0);
        CHECK(m.f[i].value >= in && m.f[i].value + m.f[i].len <= in + ck);
        CHECK(memchr(m.f[i].value, RA_FIX_SOH, m.f[i].len) == NULL);
    }
    ra_fix_fill f;
    if (ra_fix_fill_from(&m, "fuzz.fix", 1, &f, &err) == RA_OK) {
        CHECK(TERMINATED(f.cl_ord_id) && TERMINATED(f.exec_id) && TERMINATED(f.symbol));
        CHECK(f.side == 1 || f.side == -1);
        CHECK(f.last_qty_micro >= 0 && f.last_px >= 0 && f.cum_qty_micro >= 0);
        /* the ids read back go out again in an order that parses */
        ra_fix_order o;
        memset(&o, 0, sizeof o);
        memcpy(o.sender, "S", 2);
        memcpy(o.target, "T", 2);
        memcpy(o.cl_ord_id, f.cl_ord_id, sizeof o.cl_ord_id);
        memcpy(o.symbol, f.symbol, sizeof o.symbol);
        o.side = f.side;
        o.qty_micro = 1000000;
        char buf[2048];
        size_t len;
        if (ra_fix_encode_order(&o, buf, sizeof buf, &len, &err) == RA_OK) {
            ra_fix_msg back;
            CHECK(ra_fix_parse(buf, len, "back", 1, &back, &err) == RA_OK && back.size == len);
        }
    }
    return 0;
}
