/* Internal helpers of src/core/money.c shared with the ledger (not public). */
#ifndef RA_CORE_MONEY_INT_H
#define RA_CORE_MONEY_INT_H

#include <stdint.h>

__extension__ typedef __int128 ra_i128;

/* n/d rounded to the nearest integer, ties to even (docs/methodology.md#rounding); d != 0. */
ra_i128 ra_money_round_div(ra_i128 n, ra_i128 d);
/* 1 if v fits in int64_t. */
int ra_money_fits(ra_i128 v);
/* 10^k for k in 0..18. */
int64_t ra_money_pow10(int k);

#endif
