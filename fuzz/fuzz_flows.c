/* libFuzzer target for the cash-flow reader (ra_csv_parse_flows). Aborts when a promise of
 * include/roboadvisor/csv.h does not hold. Corpus: fuzz/corpus/flows; see fuzz/README.md. */
#include <roboadvisor/csv.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_flows *f = (ra_flows *)(uintptr_t)1;
    ra_status st = ra_csv_parse_flows((const char *)data, size, "fuzz.csv", &f, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, f, &err);
        return 0;
    }
    CHECK(f->n >= 1 && strcmp(f->source, "fuzz.csv") == 0);
    for (size_t i = 0; i < f->n; i++) {
        CHECK(fuzz_date_valid(f->dates[i]));
        CHECK(isfinite(f->amounts[i]));
        CHECK(f->lines[i] >= 2 && (i == 0 || f->lines[i] > f->lines[i - 1]));
    }
    ra_flows_destroy(f);
    return 0;
}
