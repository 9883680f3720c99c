/* libFuzzer target for the glide-path reader (ra_plan_glide_parse, include/roboadvisor/plan.h).
 * Aborts when a promise of the reader does not hold; an accepted glide path must also pass
 * ra_plan_validate and drive a tiny plan. Corpus: fuzz/corpus/glide_path; see fuzz/README.md. */
#include <roboadvisor/plan.h>
#include <roboadvisor/plan_io.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_plan_glide *g = (ra_plan_glide *)(uintptr_t)1;
    ra_status st = ra_plan_glide_parse((const char *)data, size, "fuzz.csv", &g, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, g, &err);
        return 0;
    }
    CHECK(g->n >= 1 && g->n <= RA_PLAN_MAX_YEARS && strcmp(g->source, "fuzz.csv") == 0);
    for (size_t j = 0; j < g->n; j++) {
        const ra_plan_glide_row *r = &g->rows[j];
        CHECK(r->year >= 1 && r->year <= RA_PLAN_MAX_YEARS);
        CHECK(j == 0 || (r->year > g->rows[j - 1].year && r->line > g->rows[j - 1].line));
        CHECK(r->line >= 2);
        CHECK(isfinite(r->mu) && r->mu > -1.0 && r->mu <= RA_PLAN_MAX_MU);
        CHECK(isfinite(r->sigma) && r->sigma >= 0.0 && r->sigma <= RA_PLAN_MAX_SIGMA);
    }
    ra_plan_settings s;
    ra_plan_settings_default(&s);
    s.initial = 1000;
    s.monthly = 10;
    s.goal = 2000;
    s.years = g->rows[g->n - 1].year;
    s.n_paths = 3;
    s.probability = 0.5;
    s.glide = g;
    CHECK(ra_plan_validate(&s, &err) == RA_OK);
    double work[RA_PLAN_MAX_YEARS * 3 + 2 * RA_PLAN_MAX_YEARS + 9];
    double by_year[RA_PLAN_MAX_YEARS * RA_PLAN_N_PCT];
    ra_plan_result res;
    res.pct_by_year = by_year;
    CHECK(ra_plan_workspace_size(&s) <= sizeof work);
    st = ra_plan_run(&s, work, sizeof work, &res, &err);
    CHECK(st == RA_OK || st == RA_EINFEASIBLE);
    if (st == RA_OK)
        CHECK(res.probability >= 0.0 && res.probability <= 1.0 && res.pct_final[0] <= res.pct_final[4]);
    ra_plan_glide_destroy(g);
    return 0;
}
