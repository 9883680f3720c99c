/* Choosing a class's fund in stage 2 of a two-stage model (include/roboadvisor/models.h;
 * docs/methodology.md#two-stage-models): the preference order (the firm's pins, cost, tracking,
 * liquidity), the firm's minimum daily traded value, and the reason in words. */
#include "roboadvisor/models.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int ra_models_fund_cmp(const ra_models_fund *a, const ra_models_fund *b)
{
    if (a->pinned != b->pinned)
        return a->pinned ? -1 : 1;
    if (fabs(a->expense_ratio - b->expense_ratio) > RA_MODELS_ER_SAME)
        return a->expense_ratio < b->expense_ratio ? -1 : 1;
    if (a->tracking_error != b->tracking_error)
        return a->tracking_error < b->tracking_error ? -1 : 1;
    if (a->adv != b->adv) {
        if (!a->adv || !b->adv) /* a known daily value before an unknown one */
            return a->adv ? -1 : 1;
        return a->adv > b->adv ? -1 : 1;
    }
    return strcmp(a->ticker, b->ticker);
}

int ra_models_fund_eligible(const ra_models_fund *f, int64_t min_adv)
{
    return min_adv <= 0 || f->adv <= 0 || f->adv >= min_adv;
}

void ra_models_amount_short(int64_t v, char *buf, size_t cap)
{
    double x = (double)v;
    if (v >= 1000000000)
        snprintf(buf, cap, "%.1f bn", x / 1e9);
    else if (v >= 1000000)
        snprintf(buf, cap, "%.1f M", x / 1e6);
    else if (v >= 10000)
        snprintf(buf, cap, "%.1f k", x / 1e3);
    else
        snprintf(buf, cap, "%lld", (long long)v);
}

void ra_models_fund_why(const ra_models_fund *c, const ra_models_fund *next, int64_t min_adv,
                        char *buf, size_t cap)
{
    char a[32];
    int k;
    if (c->pinned)
        k = snprintf(buf, cap, "%s chosen: pinned by the firm", c->ticker);
    else if (!next || fabs(c->expense_ratio - next->expense_ratio) > RA_MODELS_ER_SAME)
        k = next ? snprintf(buf, cap, "%s chosen: lowest cost %.2f %%", c->ticker,
                            100 * c->expense_ratio)
                 : snprintf(buf, cap, "%s chosen: the class's only eligible fund (cost %.2f %%)",
                            c->ticker, 100 * c->expense_ratio);
    else if (c->tracking_error != next->tracking_error)
        k = snprintf(buf, cap, "%s chosen: cost %.2f %% as %s's, lower tracking error %.2f %%",
                     c->ticker, 100 * c->expense_ratio, next->ticker, 100 * c->tracking_error);
    else if (c->adv != next->adv && c->adv) {
        ra_models_amount_short(c->adv, a, sizeof a);
        k = snprintf(buf, cap, "%s chosen: cost and tracking as %s's, higher daily value %s",
                     c->ticker, next->ticker, a);
    } else
        k = snprintf(buf, cap, "%s chosen: cost and tracking as %s's, first by ticker", c->ticker,
                     next->ticker);
    if (min_adv > 0 && !c->adv && k >= 0 && (size_t)k < cap)
        snprintf(buf + k, cap - (size_t)k, "; daily value unknown (not checked against the "
                                           "minimum)");
}

void ra_models_fund_why_not(const ra_models_fund *f, int64_t min_adv, char *buf, size_t cap)
{
    char a[32], b[32];
    ra_models_amount_short(f->adv, a, sizeof a);
    ra_models_amount_short(min_adv, b, sizeof b);
    snprintf(buf, cap, "%s excluded: daily value %s below the firm's minimum %s", f->ticker, a, b);
}
