/* libFuzzer target for the generator's dividend events (ra_market_dividends_parse). Corpus:
 * fuzz/corpus/market_dividends. */
#include "fuzz_market.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_dividend *d = (ra_dividend *)(uintptr_t)1;
    size_t n = 99;
    ra_status st = ra_market_dividends_parse((const char *)data, size, "v.csv", &d, &n, &err);
    if (st != RA_OK) {
        fuzz_market_rejected(st, d, n, &err);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        fuzz_market_code(d[i].ticker);
        CHECK(fuzz_date_valid(d[i].ex_date));
        CHECK(d[i].amount > 0);
    }
    ra_free(d);
    return 0;
}
