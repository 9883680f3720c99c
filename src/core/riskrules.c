/* Risk limits: include/roboadvisor/riskrules.h; the definitions and their sources are in
 * docs/methodology.md#risk-limits. */
#include <roboadvisor/riskrules.h>
#include <roboadvisor/rules.h>

#include "core/money_int.h"

#include <math.h>
#include <string.h>

ra_status ra_risk_loss_check(ra_minor entrusted_minor, ra_minor value_minor, double limit,
                             ra_risk_loss *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_status rc = ra_rule_loss_limit_check(limit, err);
    if (rc != RA_OK)
        return rc;
    out->entrusted_minor = entrusted_minor;
    out->value_minor = value_minor;
    out->loss_minor = entrusted_minor - value_minor;
    out->limit_ppm = (int64_t)llround(limit * RA_RISK_PPM);
    if (entrusted_minor <= 0)
        return RA_OK; /* nothing entrusted: no loss on it to limit */
    ra_i128 need = (ra_i128)out->limit_ppm * entrusted_minor; /* loss x 1e6 must reach it */
    out->threshold_minor = (ra_minor)((need + RA_RISK_PPM - 1) / RA_RISK_PPM);
    out->crossed = (ra_i128)out->loss_minor * RA_RISK_PPM >= need;
    return RA_OK;
}

ra_status ra_risk_close_parse(const char *text, int *minute, ra_err *err)
{
    size_t n = text ? strlen(text) : 0;
    int ok = n == 5 && text[2] == ':';
    for (size_t i = 0; ok && i < 5; i++)
        ok = i == 2 || (text[i] >= '0' && text[i] <= '9');
    int h = ok ? (text[0] - '0') * 10 + (text[1] - '0') : 0;
    int m = ok ? (text[3] - '0') * 10 + (text[4] - '0') : 0;
    if (!ok || h > 23 || m > 59)
        return ra_err_set(err, RA_EINVAL, "close", "a close time is HH:MM from 00:00 to 23:59, "
                          "not \"%.16s\"", text ? text : "");
    *minute = h * 60 + m;
    return RA_OK;
}

/* Daylight-saving rules: none, the United States' (Energy Policy Act of 2005 from 2007: second
 * Sunday in March to first Sunday in November at 02:00 local; 1987-2006: first Sunday in April to
 * last Sunday in October) or the European Union's (Directive 2000/84/EC, since 1996: last Sunday
 * in March to last Sunday in October at 01:00 UTC). */
enum { DST_NONE, DST_US, DST_EU };

static const struct {
    const char *name;
    int std_min; /* standard offset, minutes east of UTC */
    int rule;
} ZONES[] = {
    {"UTC", 0, DST_NONE},
    {"America/New_York", -300, DST_US},
    {"America/Chicago", -360, DST_US},
    {"Europe/London", 0, DST_EU},
    {"Europe/Frankfurt", 60, DST_EU},
    {"Asia/Shanghai", 480, DST_NONE},
    {"Asia/Hong_Kong", 480, DST_NONE},
    {"Asia/Tokyo", 540, DST_NONE},
};
#define N_ZONES (sizeof ZONES / sizeof ZONES[0])

static int zone_index(const char *zone)
{
    for (size_t i = 0; zone && i < N_ZONES; i++)
        if (strcmp(ZONES[i].name, zone) == 0)
            return (int)i;
    return -1;
}

ra_status ra_risk_zone_check(const char *zone, ra_err *err)
{
    if (zone_index(zone) >= 0)
        return RA_OK;
    return ra_err_set(err, RA_EINVAL, "zone", "time zone \"%.39s\" is not one of UTC, "
                      "America/New_York, America/Chicago, Europe/London, Europe/Frankfurt, "
                      "Asia/Shanghai, Asia/Hong_Kong, Asia/Tokyo", zone ? zone : "");
}

static int dow(ra_date d) { return (int)(((d % 7) + 7 + 4) % 7); } /* 0 Sunday; 1970-01-01 Thu */

/* The n-th (1..) Sunday of month mo of year y, or the last one with n 0. */
static ra_date sunday(int y, int mo, int n)
{
    if (n == 0) {
        ra_date last = (mo == 12 ? ra_date_from_ymd(y + 1, 1, 1) : ra_date_from_ymd(y, mo + 1, 1)) - 1;
        return last - dow(last);
    }
    ra_date first = ra_date_from_ymd(y, mo, 1);
    return first + (7 - dow(first)) % 7 + 7 * (n - 1);
}

ra_status ra_risk_zone_offset(const char *zone, ra_date d, int minute, int32_t *offset_s,
                              ra_err *err)
{
    int z = zone_index(zone);
    if (z < 0)
        return ra_risk_zone_check(zone, err);
    int std = ZONES[z].std_min, y, mo, dd, dst = 0;
    ra_date_to_ymd(d, &y, &mo, &dd);
    if (ZONES[z].rule == DST_US) {
        ra_date on = y >= 2007 ? sunday(y, 3, 2) : sunday(y, 4, 1);
        ra_date off = y >= 2007 ? sunday(y, 11, 1) : sunday(y, 10, 0);
        /* at 02:00 local: standard time on the first day, daylight time on the last */
        dst = (d > on || (d == on && minute >= 120)) && (d < off || (d == off && minute < 120));
    } else if (ZONES[z].rule == DST_EU) {
        ra_date on = sunday(y, 3, 0), off = sunday(y, 10, 0);
        int at = 60 + std; /* 01:00 UTC in local standard time */
        dst = (d > on || (d == on && minute >= at)) && (d < off || (d == off && minute < at + 60));
    }
    *offset_s = (int32_t)((std + 60 * dst) * 60);
    return RA_OK;
}

ra_status ra_risk_close_utc(ra_date d, int minute, const char *zone, int64_t *utc_s, ra_err *err)
{
    if (minute < 0 || minute >= 24 * 60)
        return ra_err_set(err, RA_EINVAL, "close", "a close time is a minute of the day, 0 to "
                          "1439, not %d", minute);
    int32_t off = 0;
    ra_status rc = ra_risk_zone_offset(zone, d, minute, &off, err);
    if (rc == RA_OK)
        *utc_s = (int64_t)d * 86400 + (int64_t)minute * 60 - off;
    return rc;
}
