/* Internal helpers of src/core/money.c shared with the ledger and with src/io's decimal readers
 * (not public). */
#ifndef RA_CORE_MONEY_INT_H
#define RA_CORE_MONEY_INT_H

#include <roboadvisor/error.h>

#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 ra_i128;

/* n/d rounded to the nearest integer, ties to even (docs/methodology.md#rounding); d != 0. */
ra_i128 ra_money_round_div(ra_i128 n, ra_i128 d);
/* 1 if v fits in int64_t. */
int ra_money_fits(ra_i128 v);
/* 10^k for k in 0..18. */
int64_t ra_money_pow10(int k);
/* The arguments of a decimal parser: RA_EINVAL unless out is given, s is given when len > 0 and
 * digits is in 0..18. */
ra_status ra_money_decimal_args_check(const char *s, size_t len, int digits, const int64_t *out,
                                      ra_err *err);

#endif
