/* roboadvisor: shared macros, integer money types and named tolerances.
 * Every constant here is explained in docs/methodology.md. */
#ifndef ROBOADVISOR_COMMON_H
#define ROBOADVISOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define RA_API __attribute__((visibility("default")))
#define RA_NODISCARD __attribute__((warn_unused_result))
#define RA_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define RA_API
#define RA_NODISCARD
#define RA_PRINTF(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t ra_minor; /* money: integer minor units (cents) */
typedef int64_t ra_micro; /* quantity: micro-shares (1e-6 share) */

#define RA_TRADING_DAYS_PER_YEAR 252.0 /* daily annualisation, methodology.md#annualisation */
#define RA_WEEKS_PER_YEAR 52.0
#define RA_MONTHS_PER_YEAR 12.0
#define RA_DAYS_PER_YEAR_ACT365 365.0 /* XIRR and TWR day count */
#define RA_TOL_WEIGHT_SUM 1e-9        /* weights sum to 1 within this */
#define RA_TOL_KKT 1e-9               /* max KKT residual of an accepted QP solution */

#ifdef __cplusplus
}
#endif
#endif
