/* Shared checks of the market-file fuzz targets (fuzz_market_*.c): include/roboadvisor/
 * market_io.h. A reader that fails leaves *out NULL and *n 0 and says RA_EPARSE with a
 * terminated message; one that succeeds gives rows whose codes follow the code rule. */
#ifndef RA_FUZZ_MARKET_H
#define RA_FUZZ_MARKET_H

#include <roboadvisor/alloc.h>
#include <roboadvisor/market_io.h>
#include <roboadvisor/rules.h>

#include "fuzz_common.h"

#define TERMINATED_N(a, n) (memchr((a), '\0', (n)) != NULL)

static inline void fuzz_market_code(const char *c)
{
    CHECK(TERMINATED_N(c, RA_CODE_MAX));
    CHECK(ra_rule_code_check(c, strlen(c), "ticker", NULL) == RA_OK);
}

static inline void fuzz_market_rejected(ra_status st, const void *out, size_t n,
                                        const ra_err *err)
{
    fuzz_check_rejected(st, out, err);
    CHECK(n == 0);
}

#endif
