/* roboadvisor: exact money and quantity arithmetic (src/core/money.c).
 * Money is ra_minor (integer minor units of a currency with 0, 2 or 3 minor digits), quantities are
 * ra_micro (micro-shares, 1e-6 share), prices are ra_price (micro-units of currency per share, so
 * 123.456789 USD/share = 123456789). No floating point touches an amount. The one rounding rule
 * (docs/methodology.md#rounding): a derived amount is rounded once, at the end, to the nearest unit
 * of the result with ties to even; every function here that rounds uses it. Overflow is an error
 * (RA_EINVAL naming the operands), never a wrapped value. Pure, no allocation. */
#ifndef ROBOADVISOR_MONEY_H
#define ROBOADVISOR_MONEY_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t ra_price; /* currency micro-units per share: 1 USD/share = 1000000 */

#define RA_MICRO_PER_SHARE INT64_C(1000000) /* ra_micro per share */
#define RA_MICRO_PER_UNIT INT64_C(1000000)  /* ra_price per currency unit per share */
#define RA_QTY_DIGITS 6                     /* decimals of a quantity string */
#define RA_PRICE_DIGITS 6                   /* decimals of a price string */
#define RA_MONEY_FMT_SIZE 32                /* enough for any int64 with sign, point and NUL */

/* Split ratios: nearest simple fraction num/den (den <= RA_SPLIT_MAX_DEN) within a relative
 * tolerance. Alpha Vantage writes 3-for-1 as 3.000003 (relative error 1e-6) and 1-for-3 as
 * 0.333333333333, so 1e-5 accepts them; real ratios are simple (den <= 10 in practice) and two
 * distinct fractions with den <= 10 and value <= 100 differ by >= 1e-4 relative, 10x the tolerance,
 * so a genuine 3/2 or 1/10 is never moved to another fraction. docs/methodology.md#splits */
#define RA_SPLIT_MAX_DEN 1000
#define RA_TOL_SPLIT_REL 1e-5

/* A split ratio: new shares per old share = num/den, both > 0, in lowest terms. 3-for-1 is 3/1,
 * a 1-for-3 reverse split is 1/3. */
typedef struct ra_ratio {
    int64_t num;
    int64_t den;
} ra_ratio;

/* value = qty_micro * price / 1e12 currency units, in minor units (minor_digits 0, 2 or 3),
 * rounded once to the nearest minor unit, ties to even. Signs are allowed (the result has the
 * sign of the product). RA_EINVAL for a minor_digits other than 0, 2, 3 or if the result does not
 * fit in int64. */
RA_API RA_NODISCARD ra_status ra_money_value(ra_micro qty_micro, ra_price price, int minor_digits,
                                             ra_minor *out, ra_err *err);

/* round(a * b / c), ties to even, computed exactly (128-bit product). c != 0. RA_EINVAL if c is 0
 * or the result does not fit in int64. Used for pro-rata shares of a basis or of proceeds. */
RA_API RA_NODISCARD ra_status ra_money_muldiv(int64_t a, int64_t b, int64_t c, int64_t *out,
                                              ra_err *err);

/* Exact decimal parsing of len bytes (not NUL-terminated): an optional '-', at least one digit,
 * optionally '.' and 1..digits decimals; returns the value times 10^digits. Rejected with RA_EPARSE
 * and the text quoted: empty input, spaces, '+', thousands separators, exponent notation ("1e5"),
 * "nan"/"inf", more decimals than digits allows (never silently rounded), and values outside int64.
 * digits is 0..18. */
RA_API RA_NODISCARD ra_status ra_money_parse_decimal(const char *s, size_t len, int digits,
                                                     int64_t *out, ra_err *err);
/* An amount of a currency with minor_digits 0, 2 or 3: "1234.56" -> 123456 (2 digits). */
RA_API RA_NODISCARD ra_status ra_money_parse_minor(const char *s, size_t len, int minor_digits,
                                                   ra_minor *out, ra_err *err);
/* A quantity in shares: "0.000001" -> 1 micro-share; at most 6 decimals. */
RA_API RA_NODISCARD ra_status ra_money_parse_qty(const char *s, size_t len, ra_micro *out,
                                                 ra_err *err);
/* A price per share: "123.456789" -> 123456789; at most 6 decimals. */
RA_API RA_NODISCARD ra_status ra_money_parse_price(const char *s, size_t len, ra_price *out,
                                                   ra_err *err);

/* Writes value / 10^digits with exactly digits decimals ("-1234.56", "0.000001", "12") and a NUL
 * into buf (size bytes; RA_MONEY_FMT_SIZE always suffices; shorter is truncated, still
 * NUL-terminated). digits 0..18. Returns buf. */
RA_API char *ra_money_format_decimal(int64_t value, int digits, char *buf, size_t size);
RA_API char *ra_money_format_minor(ra_minor value, int minor_digits, char *buf, size_t size);
RA_API char *ra_money_format_qty(ra_micro qty, char *buf, size_t size);
RA_API char *ra_money_format_price(ra_price price, char *buf, size_t size);

/* Split ratios. ra_money_ratio_from_double maps a coefficient (new shares per old share, e.g.
 * Alpha Vantage's 3.000003) to the fraction num/den with the smallest den in 1..RA_SPLIT_MAX_DEN
 * such that |num/den - coef| <= RA_TOL_SPLIT_REL * coef; RA_EINVAL if coef is not finite and > 0
 * or no such fraction exists. ra_money_ratio_parse accepts "N/D" (integers, taken exactly and
 * reduced) or a plain decimal ("3.000003", "0.5"; mapped as above); RA_EPARSE otherwise.
 * ra_money_ratio_check verifies num > 0 and den > 0 and reduces to lowest terms. */
RA_API RA_NODISCARD ra_status ra_money_ratio_from_double(double coef, ra_ratio *out, ra_err *err);
RA_API RA_NODISCARD ra_status ra_money_ratio_parse(const char *s, size_t len, ra_ratio *out,
                                                   ra_err *err);
RA_API RA_NODISCARD ra_status ra_money_ratio_check(ra_ratio *r, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
