/* The fund choice of a two-stage model in words (models_int.h; docs/methodology.md#two-stage-
 * models): for each class held, why its fund was chosen over the next; every fund the firm's
 * minimum daily traded value excluded; the funds whose daily value is unknown. */
#include "engine/models_int.h"

#include <stdio.h>
#include <string.h>

static ra_models_fund fund_of(const ra_models_class_inputs *ci, size_t c, size_t f)
{
    return (ra_models_fund){ci->fund[c][f], ci->pinned[c][f], ci->expense_ratio[c][f],
                            ci->tracking_error[c][f], ci->fund_adv[c][f]};
}

/* Appends one line to m->notes (cut at its size). */
static void note(ra_model *m, const char *line)
{
    size_t k = strlen(m->notes);
    if (k + 1 < sizeof m->notes)
        snprintf(m->notes + k, sizeof m->notes - k, "%s%s", k ? "\n" : "", line);
}

void models_fund_notes(const ra_models_class_inputs *ci, int level, ra_model *m)
{
    char line[256];
    m->notes[0] = 0;
    for (size_t c = 0; c < ci->n && c < m->n_classes; c++) {
        if (!(m->classes[c].weight > 0) || ci->n_funds[c] == 0)
            continue;
        long f0 = models_first_plain_fund(ci, c, level);
        size_t f = f0 >= 0 ? (size_t)f0 : 0;
        ra_models_fund a = fund_of(ci, c, f), b;
        int have_next = f + 1 < ci->n_funds[c];
        if (have_next)
            b = fund_of(ci, c, f + 1);
        ra_models_fund_why(&a, have_next ? &b : NULL, ci->min_adv, line, sizeof line);
        note(m, line);
    }
    for (size_t e = 0; e < ci->n_excluded; e++) {
        ra_models_fund x = {ci->excluded[e].ticker, 0, 0, 0, ci->excluded[e].adv};
        ra_models_fund_why_not(&x, ci->min_adv, line, sizeof line);
        note(m, line);
    }
}
