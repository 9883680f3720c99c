/* libFuzzer target for the Black-Litterman views and market-weights readers (ra_bl_views_parse,
 * ra_bl_market_parse: `views set`, `views market`, docs/formats.md#views). The first byte picks
 * the reader ('m': market weights, anything else: views), the rest is the file. A file that parses
 * formats to a text that parses to the same values; one that does not gives RA_EPARSE with a
 * terminated message and place. Corpus: fuzz/corpus/views. */
#include <roboadvisor/bl_io.h>

#include "fuzz_common.h"

#include <math.h>

static char text[2][RA_BL_MAX_CSV * 2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int market = data[0] == 'm';
    const char *in = (const char *)data + 1;
    size--;
    ra_err err;
    memset(&err, 0, sizeof err);
    if (market) {
        static ra_bl_market a, b;
        ra_status st = ra_bl_market_parse(in, size, "fuzz.csv", &a, &err);
        if (st != RA_OK) {
            CHECK(st == RA_EPARSE && err.code == st && err.msg[0] && TERMINATED(err.msg) &&
                  TERMINATED(err.where) && a.n == 0);
            return 0;
        }
        double sum = 0;
        for (size_t i = 0; i < a.n; i++) {
            CHECK(a.w[i] >= 0 && a.w[i] <= 1.001 && TERMINATED(a.cls[i]));
            sum += a.w[i];
        }
        CHECK(fabs(sum - 1) < 1e-9);
        size_t len = ra_bl_market_format(&a, text[0], sizeof text[0]);
        CHECK(len < sizeof text[0]);
        CHECK(ra_bl_market_parse(text[0], len, "again.csv", &b, &err) == RA_OK && b.n == a.n);
        for (size_t i = 0; i < a.n; i++)
            CHECK(strcmp(a.cls[i], b.cls[i]) == 0 && fabs(a.w[i] - b.w[i]) < 1e-15);
        return 0;
    }
    static ra_bl_views a, b;
    ra_status st = ra_bl_views_parse(in, size, "fuzz.csv", &a, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EPARSE && err.code == st && err.msg[0] && TERMINATED(err.msg) &&
              TERMINATED(err.where) && a.n == 0);
        return 0;
    }
    for (size_t i = 0; i < a.n; i++)
        CHECK(a.v[i].confidence > 0 && a.v[i].confidence <= 1 && fabs(a.v[i].ret) <= 1 &&
              a.v[i].assets[0] && TERMINATED(a.v[i].assets) && TERMINATED(a.v[i].versus));
    size_t len = ra_bl_views_format(&a, text[0], sizeof text[0]);
    CHECK(len < sizeof text[0]);
    CHECK(ra_bl_views_parse(text[0], len, "again.csv", &b, &err) == RA_OK && b.n == a.n);
    for (size_t i = 0; i < a.n; i++)
        CHECK(strcmp(a.v[i].code, b.v[i].code) == 0 && strcmp(a.v[i].assets, b.v[i].assets) == 0 &&
              strcmp(a.v[i].versus, b.v[i].versus) == 0 && a.v[i].ret == b.v[i].ret &&
              a.v[i].confidence == b.v[i].confidence);
    size_t len2 = ra_bl_views_format(&b, text[1], sizeof text[1]);
    CHECK(len2 == len && memcmp(text[0], text[1], len) == 0);
    return 0;
}
