/* Exchange trading rules that are arithmetic: include/roboadvisor/exchange.h,
 * docs/methodology.md#exchange-rules. Integers only, so that a limit price is the exchange's to
 * the tick. */
#include <roboadvisor/exchange.h>

#include "core/money_int.h"

ra_price ra_exchange_round_tick(ra_price price, ra_price tick)
{
    if (tick <= 0 || price <= 0)
        return price;
    ra_i128 q = price / tick, rest = price % tick;
    if (2 * rest >= tick)
        q++;
    return (ra_price)(q * tick);
}

ra_status ra_exchange_limits(ra_price prev_close, int band_pct, ra_price tick, ra_price *down,
                             ra_price *up, ra_err *err)
{
    if (prev_close <= 0 || tick <= 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the previous close and the tick must be above 0");
    if (band_pct < 1 || band_pct > 100)
        return ra_err_set(err, RA_EINVAL, NULL, "the price-limit band of %d %% is not 1..100",
                          band_pct);
    /* prev x (100 +- band) / 100, rounded half up to the tick: one division of exact integers */
    ra_i128 hi = (ra_i128)prev_close * (100 + band_pct), lo = (ra_i128)prev_close * (100 - band_pct);
    ra_i128 unit = (ra_i128)tick * 100;
    ra_i128 qh = hi / unit, rh = hi % unit, ql = lo / unit, rl = lo % unit;
    if (2 * rh >= unit)
        qh++;
    if (2 * rl >= unit)
        ql++;
    if (!ra_money_fits(qh * tick))
        return ra_err_set(err, RA_EINVAL, NULL, "the limit price does not fit in 64 bits");
    *up = (ra_price)(qh * tick);
    *down = (ra_price)(ql * tick);
    return RA_OK;
}

int ra_exchange_price_ok(ra_price price, ra_price down, ra_price up)
{
    return price >= down && price <= up;
}

int ra_exchange_at_limit(ra_price close, ra_price down, ra_price up)
{
    return close >= up || close <= down;
}
