/* libFuzzer target for the intraday price snapshot of `roboadvisor monitor` (ra_snapshot_parse,
 * include/roboadvisor/snapshot.h). Aborts when a promise of the header does not hold.
 * Corpus: fuzz/corpus/snapshot. */
#include <roboadvisor/rules.h>
#include <roboadvisor/snapshot.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_snapshot *s = (ra_snapshot *)(uintptr_t)1;
    ra_status st = ra_snapshot_parse((const char *)data, size, "fuzz.csv", &s, &err);
    if (st != RA_OK) {
        CHECK(s == NULL);
        CHECK(st == RA_EPARSE || st == RA_ENOMEM);
        CHECK(err.code == st && err.msg[0] != '\0' && TERMINATED(err.msg) && TERMINATED(err.where));
        CHECK(st == RA_ENOMEM || err.where[0] != '\0');
        return 0;
    }
    CHECK(s->n >= 1 && s->rows && s->source && strcmp(s->source, "fuzz.csv") == 0);
    for (size_t i = 0; i < s->n; i++) {
        const ra_snapshot_row *r = &s->rows[i];
        size_t n = strnlen(r->ticker, sizeof r->ticker);
        CHECK(n >= 1 && n < sizeof r->ticker);
        for (size_t k = 0; k < n; k++)
            CHECK(ra_rule_code_byte(r->ticker[k]));
        CHECK(r->price > 0 && r->minute >= -1 && r->minute < 24 * 60);
        CHECK(r->line >= 2 && (i == 0 || r->line > s->rows[i - 1].line));
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s->rows[j].ticker, r->ticker) != 0);
    }
    ra_snapshot_destroy(s);
    return 0;
}
