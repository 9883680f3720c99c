/* libFuzzer target for the group-limits reader (ra_csv_parse_groups). Aborts when a promise of
 * include/roboadvisor/csv.h does not hold. Corpus: fuzz/corpus/groups; see fuzz/README.md. */
#include <roboadvisor/csv.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_groups *g = (ra_groups *)(uintptr_t)1;
    ra_status st = ra_csv_parse_groups((const char *)data, size, "fuzz.csv", &g, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, g, &err);
        return 0;
    }
    CHECK(g->n >= 1 && strcmp(g->source, "fuzz.csv") == 0);
    for (size_t i = 0; i < g->n; i++) {
        const ra_group *gr = &g->groups[i];
        CHECK(gr->name[0] != '\0');
        CHECK(gr->min >= 0.0 && gr->min <= gr->max && gr->max <= 1.0);
        CHECK(gr->line >= 2 && (i == 0 || gr->line > g->groups[i - 1].line));
        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(g->groups[k].name, gr->name) != 0);
        CHECK(gr->n_members >= 1);
        for (size_t a = 0; a < gr->n_members; a++) {
            const char *m = gr->members[a];
            CHECK(m[0] != '\0' && strpbrk(m, "; \t\r\n") == NULL);
            for (size_t b = 0; b < a; b++)
                CHECK(strcmp(gr->members[b], m) != 0);
        }
    }
    ra_groups_destroy(g);
    return 0;
}
