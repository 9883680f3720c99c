/* libFuzzer target for the fills file of `roboadvisor import fills` (ra_fills_parse,
 * include/roboadvisor/fills_io.h). Aborts when a promise of the header does not hold.
 * Corpus: fuzz/corpus/fills. */
#include <roboadvisor/fills_io.h>
#include <roboadvisor/rules.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_fills *f = (ra_fills *)(uintptr_t)1;
    ra_status st = ra_fills_parse((const char *)data, size, "fuzz.csv", 2, &f, &err);
    if (st != RA_OK) {
        CHECK(f == NULL);
        CHECK(st == RA_EPARSE || st == RA_ENOMEM);
        CHECK(err.code == st && err.msg[0] != '\0' && TERMINATED(err.msg) && TERMINATED(err.where));
        CHECK(st == RA_ENOMEM || err.where[0] != '\0');
        return 0;
    }
    CHECK(f->n >= 1 && f->rows && f->source && strcmp(f->source, "fuzz.csv") == 0);
    for (size_t i = 0; i < f->n; i++) {
        const ra_fill_row *r = &f->rows[i];
        size_t n = strnlen(r->order, sizeof r->order);
        CHECK(n >= 1 && n < sizeof r->order);
        for (size_t k = 0; k < n; k++)
            CHECK(ra_rule_code_byte(r->order[k]));
        CHECK(fuzz_date_valid(r->date));
        CHECK(r->qty_micro > 0 && r->price > 0 && r->fees_minor >= 0);
        CHECK(r->line >= 2 && (i == 0 || r->line > f->rows[i - 1].line));
    }
    ra_fills_destroy(f);
    return 0;
}
