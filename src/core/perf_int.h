/* Helpers shared by src/core/perf_*.c (not public). */
#ifndef RA_PERF_INT_H
#define RA_PERF_INT_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Neumaier's compensated sum (Kahan-Babuska): error O(eps) independent of n for the series we
 * see (a few thousand to a million terms), where a naive sum drifts as O(n eps). */
typedef struct perf_ksum {
    double s, c;
} perf_ksum;

static inline void perf_ksum_add(perf_ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double perf_ksum_value(const perf_ksum *k) { return k->s + k->c; }

/* Growth log(1+r) of a series of simple returns, kept as sign and log-magnitude so that a product
 * of thousands of factors never overflows and a loss of exactly 100 % (factor 0) or more (factor
 * < 0) is represented. */
typedef struct perf_growth {
    perf_ksum log_abs; /* sum of log|1+r_i| over the nonzero factors */
    int negative;      /* odd number of negative factors */
    int zero;          /* some factor was exactly 0: wealth wiped out */
} perf_growth;

static inline void perf_growth_add(perf_growth *g, double r)
{
    double f = 1.0 + r;
    if (r == -1.0) {
        g->zero = 1;
        return;
    }
    if (f < 0.0)
        g->negative ^= 1;
    /* log1p keeps the digits of small r that 1+r would round away. */
    perf_ksum_add(&g->log_abs, r > -1.0 ? log1p(r) : log(-f));
}

/* prod(1+r)^expo - 1: -1 after a total loss; NAN when the product is negative and expo != 1
 * (a negative wealth has no real annualised rate). */
static inline double perf_growth_rate(const perf_growth *g, double expo)
{
    if (g->zero)
        return -1.0;
    double l = perf_ksum_value(&g->log_abs) * expo;
    if (!g->negative)
        return expm1(l);
    if (expo != 1.0)
        return NAN;
    return -exp(l) - 1.0;
}

/* Order-preserving map of a double to an unsigned integer (IEEE 754 total order; -0 sorts just
 * below +0, which compare equal as doubles, so order statistics are unaffected), and back. Used
 * by the order statistics of perf_stats.c and the percentiles of plan.c. */
static inline uint64_t perf_key_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : (u | (UINT64_C(1) << 63));
}

static inline double perf_double_of(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & ~(UINT64_C(1) << 63)) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

#endif
