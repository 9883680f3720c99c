/* roboadvisor: fair allocation of a block order's fills (src/core/blocks.c;
 * docs/methodology.md#block-orders). Orders for one security across a firm's accounts are pooled;
 * what is filled is allocated back pro rata to the quantity each account ordered, in whole
 * tradable steps, the remainder by the largest remainder, ties broken by a seeded random order that
 * is recorded with the allocation, never by account order. Pure; allocates n entries of scratch
 * (ra_malloc) for the ranking. */
#ifndef ROBOADVISOR_BLOCKS_H
#define ROBOADVISOR_BLOCKS_H

#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocates filled_micro (a multiple of step_micro, at most the sum ordered) to n accounts that
 * ordered ordered_micro[0..n) (each a multiple of step_micro, > 0). alloc_micro[0..n) receives
 * each account's share; tie_rank[0..n) (may be NULL) the seeded tie-break rank of each account
 * (0 first), to record with the allocation. RA_EINVAL naming the account for bad input,
 * RA_ENOMEM. */
RA_API RA_NODISCARD ra_status ra_block_allocate(const ra_micro *ordered_micro, size_t n,
                                                ra_micro filled_micro, ra_micro step_micro,
                                                uint64_t seed, ra_micro *alloc_micro,
                                                uint32_t *tie_rank, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
