/* libFuzzer target for the hand-authored models reader (ra_models_csv_parse). Aborts when a
 * promise of include/roboadvisor/models.h does not hold. Corpus: fuzz/corpus/models. */
#include <roboadvisor/models.h>
#include <roboadvisor/models_io.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_model *v = (ra_model *)(uintptr_t)1;
    size_t n = 7;
    ra_status st = ra_models_csv_parse((const char *)data, size, "fuzz.csv", &v, &n, &err);
    if (st != RA_OK) {
        CHECK(v == NULL && n == 0);
        CHECK(st == RA_EPARSE || st == RA_ENOMEM);
        CHECK(err.code == st && err.msg[0] != '\0');
        return 0;
    }
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++) {
        double sum = 0.0;
        CHECK(v[i].code[0] != '\0' && v[i].n >= 1 && v[i].n <= RA_MODELS_MAX_HOLDINGS);
        for (size_t k = 0; k < v[i].n; k++) {
            CHECK(v[i].w[k].weight > 0.0 && v[i].w[k].weight <= 1.0);
            CHECK(k == 0 || strcmp(v[i].w[k - 1].ticker, v[i].w[k].ticker) < 0);
            sum += v[i].w[k].weight;
        }
        CHECK(fabs(sum - 1.0) <= 1e-8);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(v[j].code, v[i].code) != 0);
    }
    free(v);
    return 0;
}
