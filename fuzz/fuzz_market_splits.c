/* libFuzzer target for the generator's split events (ra_market_splits_parse): every ratio
 * accepted follows the split rule of rules.h. Corpus: fuzz/corpus/market_splits. */
#include "fuzz_market.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_split *s = (ra_split *)(uintptr_t)1;
    size_t n = 99;
    ra_status st = ra_market_splits_parse((const char *)data, size, "s.csv", &s, &n, &err);
    if (st != RA_OK) {
        fuzz_market_rejected(st, s, n, &err);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        fuzz_market_code(s[i].ticker);
        CHECK(fuzz_date_valid(s[i].date));
        CHECK(ra_rule_split_ratio_check(&s[i].ratio, NULL) == RA_OK);
    }
    ra_free(s);
    return 0;
}
