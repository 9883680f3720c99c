/* Fair allocation of a block order's fills: include/roboadvisor/blocks.h,
 * docs/methodology.md#block-orders. Quantities are counted in whole steps. The exact pro-rata share
 * of account i is u * o_i / O steps (u steps filled, O the sum ordered): each account gets its
 * floor, and the r < n steps left go one each to the r largest fractional parts (Hamilton's
 * largest-remainder method), equal fractions in a seeded random order (an unbiased shuffle). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/blocks.h>
#include <roboadvisor/rng.h>

#include "core/money_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct claim {
    ra_i128 frac; /* numerator over O of the fractional part */
    uint32_t pos; /* place in the seeded order */
    uint32_t idx; /* the account */
} claim;

static int by_claim(const void *a, const void *b)
{
    const claim *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

ra_status ra_block_allocate(const ra_micro *ordered, size_t n, ra_micro filled, ra_micro step,
                            uint64_t seed, ra_micro *alloc, uint32_t *tie_rank, ra_err *err)
{
    if (step <= 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the tradable step is not above zero");
    if (n == 0 || n >= UINT32_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "a block needs at least one account");
    ra_i128 total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ordered[i] <= 0 || ordered[i] % step != 0) {
            char where[32];
            snprintf(where, sizeof where, "account %zu", i + 1);
            return ra_err_set(err, RA_EINVAL, where,
                              "the quantity ordered is not a positive number of whole steps");
        }
        total += ordered[i] / step;
    }
    if (filled < 0 || filled % step != 0 || filled / step > total)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the quantity filled is not whole steps between 0 and the sum ordered");
    claim *c = ra_malloc(n * sizeof *c);
    if (!c)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a block of %zu accounts", n);
    ra_i128 u = filled / step, given = 0;
    for (size_t i = 0; i < n; i++) {
        ra_i128 num = u * (ordered[i] / step);
        alloc[i] = (ra_micro)(num / total);
        given += num / total;
        c[i].frac = num % total;
        c[i].pos = (uint32_t)i;
        c[i].idx = (uint32_t)i;
    }
    /* the seeded order: shuffle the places (Fisher-Yates with ra_rng's unbiased draws) */
    ra_rng r = ra_rng_stream(seed, 0x626c6f636bULL /* "block" */);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ra_rng_below(&r, i);
        uint32_t t = c[i - 1].pos;
        c[i - 1].pos = c[j].pos;
        c[j].pos = t;
    }
    if (tie_rank)
        for (size_t i = 0; i < n; i++)
            tie_rank[i] = c[i].pos;
    qsort(c, n, sizeof *c, by_claim);
    for (ra_i128 k = 0; k < u - given; k++) /* fewer than n: each fraction is below 1 */
        alloc[c[k].idx]++;
    for (size_t i = 0; i < n; i++)
        alloc[i] *= step;
    ra_free(c);
    return RA_OK;
}
