/* libFuzzer target for the holdings file of `roboadvisor diagnose --holdings` (ra_holdings_parse,
 * include/roboadvisor/holdings_io.h). Aborts when a promise of the header does not hold: an
 * error is RA_EPARSE (or RA_ENOMEM) with a terminated message and place and no result; a result
 * has at least one row, distinct valid tickers on increasing lines, and either positive
 * quantities or weights in (0, 1] summing to 1 within RA_HOLDINGS_TOL_SUM.
 * Corpus: fuzz/corpus/holdings. */
#include <roboadvisor/holdings_io.h>
#include <roboadvisor/rules.h>

#include "fuzz_common.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    memset(&err, 0, sizeof err);
    ra_holdings *h = (ra_holdings *)(uintptr_t)1;
    ra_status st = ra_holdings_parse((const char *)data, size, "fuzz.csv", &h, &err);
    if (st != RA_OK) {
        CHECK(h == NULL);
        CHECK(st == RA_EPARSE || st == RA_ENOMEM);
        CHECK(err.code == st && err.msg[0] != '\0' && TERMINATED(err.msg) && TERMINATED(err.where));
        CHECK(st == RA_ENOMEM || err.where[0] != '\0');
        return 0;
    }
    CHECK(h && h->n >= 1 && h->n <= RA_HOLDINGS_MAX_ROWS);
    double sum = 0;
    for (size_t i = 0; i < h->n; i++) {
        const ra_holding_row *r = &h->rows[i];
        CHECK(TERMINATED(r->ticker) && r->ticker[0]);
        for (const char *c = r->ticker; *c; c++)
            CHECK(ra_rule_code_byte(*c));
        CHECK(i == 0 || r->line > h->rows[i - 1].line);
        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(h->rows[k].ticker, r->ticker) != 0);
        if (h->by_weight)
            CHECK(r->weight > 0 && r->weight <= 1 && r->qty_micro == 0);
        else
            CHECK(r->qty_micro > 0 && r->weight == 0);
        sum += r->weight;
    }
    CHECK(!h->by_weight || fabs(sum - 1) <= RA_HOLDINGS_TOL_SUM);
    ra_holdings_destroy(h);
    return 0;
}
