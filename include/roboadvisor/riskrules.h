/* roboadvisor: risk limits (core layer, pure: no I/O, no clock, no allocation; src/core/riskrules.c;
 * method docs/methodology.md#risk-limits).
 *
 * The loss limit: an account's cumulative loss on the assets entrusted to it, unrealised losses
 * included, checked at the day's close. entrusted = deposits - withdrawals (the external cash
 * flows of the ledger, from the last re-authorisation on); loss = entrusted - value. The limit is
 * crossed when loss >= limit x entrusted, in exact integer arithmetic: the limit is taken in
 * parts per million (llround(limit x 1e6)) and the comparison is loss x 1e6 >= limit_ppm x
 * entrusted in 128 bits, so a loss of exactly the limit crosses it and one minor unit less does
 * not. Nothing entrusted (entrusted <= 0) never crosses.
 *
 * The market's close: a firm's close time (minutes after midnight, local) in one of a few named
 * time zones whose daylight-saving rules are written here (no tz database, no environment), as a
 * UTC instant: the notifications of a crossing are due at most 30 minutes after it. */
#ifndef ROBOADVISOR_RISKRULES_H
#define ROBOADVISOR_RISKRULES_H

#include "date.h"
#include "error.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_RISK_PPM 1000000                  /* limits in parts per million */
#define RA_RISK_CLOSE_DEFAULT_MINUTE (16 * 60) /* 16:00, the NYSE close */
#define RA_RISK_ZONE_DEFAULT "America/New_York"
#define RA_RISK_NOTIFY_WITHIN_S (30 * 60)    /* notifications due 30 minutes after the close */
#define RA_RISK_ZONE_MAX 40                  /* bytes of a zone name, NUL included */

/* The loss-limit check of one account at one close. */
typedef struct ra_risk_loss {
    ra_minor entrusted_minor;   /* deposits - withdrawals (from the last re-authorisation on) */
    ra_minor value_minor;       /* the account's value at the close */
    ra_minor loss_minor;        /* entrusted - value (negative: a gain) */
    int64_t limit_ppm;          /* llround(limit x 1e6) */
    ra_minor threshold_minor;   /* the smallest loss that crosses: ceil(limit_ppm x entrusted /
                                 * 1e6); 0 when nothing is entrusted */
    int crossed;                /* 1: loss >= limit x entrusted (and entrusted > 0) */
} ra_risk_loss;

/* Checks the loss limit (in (0, 0.15], ra_rule_loss_limit_check) of an account with entrusted and
 * value minor units. RA_EINVAL for a limit out of range (out is then zeroed). */
RA_API RA_NODISCARD ra_status ra_risk_loss_check(ra_minor entrusted_minor, ra_minor value_minor,
                                                 double limit, ra_risk_loss *out, ra_err *err);

/* "HH:MM" (00:00 .. 23:59) into minutes after midnight; RA_EINVAL naming the text otherwise. */
RA_API RA_NODISCARD ra_status ra_risk_close_parse(const char *text, int *minute, ra_err *err);
/* A zone this module knows: UTC, America/New_York, America/Chicago, Europe/London,
 * Europe/Frankfurt, Asia/Shanghai, Asia/Hong_Kong, Asia/Tokyo. RA_EINVAL listing them otherwise. */
RA_API RA_NODISCARD ra_status ra_risk_zone_check(const char *zone, ra_err *err);
/* The UTC offset in seconds of `zone` at local time minute (0..1439) of day d (east positive:
 * America/New_York is -18000 in winter, -14400 in summer). RA_EINVAL for a zone not known. */
RA_API RA_NODISCARD ra_status ra_risk_zone_offset(const char *zone, ra_date d, int minute,
                                                  int32_t *offset_s, ra_err *err);
/* The close of day d at local minute `minute` in zone as seconds since 1970-01-01 00:00 UTC. */
RA_API RA_NODISCARD ra_status ra_risk_close_utc(ra_date d, int minute, const char *zone,
                                                int64_t *utc_s, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
