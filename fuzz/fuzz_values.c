/* libFuzzer target for the account-values reader (ra_csv_parse_values). Aborts when a promise of
 * include/roboadvisor/csv.h does not hold. Corpus: fuzz/corpus/values; see fuzz/README.md. */
#include <roboadvisor/csv.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_values *v = (ra_values *)(uintptr_t)1;
    ra_status st = ra_csv_parse_values((const char *)data, size, "fuzz.csv", &v, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, v, &err);
        return 0;
    }
    CHECK(v->n >= 2 && strcmp(v->source, "fuzz.csv") == 0);
    for (size_t i = 0; i < v->n; i++) {
        CHECK(fuzz_date_valid(v->dates[i]));
        CHECK(isfinite(v->values[i]) && v->values[i] >= 0.0);
        CHECK(isfinite(v->flows[i]));
        CHECK(v->lines[i] >= 2);
        if (i > 0)
            CHECK(v->dates[i] > v->dates[i - 1] && v->lines[i] > v->lines[i - 1]);
    }
    ra_values_destroy(v);
    return 0;
}
