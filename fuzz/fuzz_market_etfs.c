/* libFuzzer target for the ETF descriptions of the demo generator (ra_market_etfs_parse), then the
 * generator's classification (ra_bookgen_shelf_parse). Corpus: fuzz/corpus/market_etfs. */
#include <roboadvisor/bookgen.h>

#include "fuzz_market.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_market_etf *e = (ra_market_etf *)(uintptr_t)1;
    size_t n = 99;
    ra_status st = ra_market_etfs_parse((const char *)data, size, "d.csv", &e, &n, &err);
    if (st != RA_OK) {
        fuzz_market_rejected(st, e, n, &err);
        return 0;
    }
    uint32_t line = 0;
    for (size_t i = 0; i < n; i++) {
        fuzz_market_code(e[i].ticker);
        CHECK(TERMINATED(e[i].name) && TERMINATED(e[i].focus) && TERMINATED(e[i].type));
        CHECK(ra_rule_text_check(e[i].name, strlen(e[i].name), RA_NAME_MAX, "name", NULL) ==
              RA_OK);
        CHECK(e[i].line > line);
        line = e[i].line;
    }
    ra_free(e);
    ra_security *sec = NULL;
    size_t m = 0;
    st = ra_bookgen_shelf_parse((const char *)data, size, "d.csv", &sec, &m, &err);
    if (st == RA_OK) {
        CHECK(m == n);
        for (size_t i = 0; i < m; i++)
            CHECK(sec[i].risk_level >= 1 && sec[i].risk_level <= 5 && sec[i].asset_class[0]);
        ra_free(sec);
    } else {
        fuzz_market_rejected(st, sec, m, &err);
    }
    return 0;
}
