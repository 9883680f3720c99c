/* Risk limits: include/roboadvisor/riskrules.h; the definitions and their sources are in
 * docs/methodology.md#risk-limits. */
#include <roboadvisor/riskrules.h>
#include <roboadvisor/rules.h>

#include "core/money_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- rules as data ------------------------------------------------------------------------------ */

static const char *const METRICS[] = {"", "drawdown", "loss", "vol", "move", "event"};
static const char *const OPS[] = {"", ">=", ">", "<=", "<"};
static const char *const ACTIONS[] = {"", "reduce", "add", "close", "notify", "suspend"};

/* A number in [lo, hi] filling s[0..n) exactly. */
static int number(const char *s, size_t n, double lo, double hi, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end = NULL;
    double v = strtod(buf, &end);
    if (!end || *end || !isfinite(v) || v < lo || v > hi || buf[0] == ' ')
        return 0;
    *out = v;
    return 1;
}

/* A code of s[0..n) into out ("*" too when star). */
static int code_of(const char *s, size_t n, int star, char out[RA_CODE_MAX])
{
    ra_err e = {0};
    if (!(star && n == 1 && s[0] == '*') && ra_rule_code_check(s, n, "code", &e) != RA_OK)
        return 0;
    memcpy(out, s, n);
    out[n] = 0;
    return 1;
}

static ra_status bad_when(ra_err *err, const char *when, const char *why)
{
    return ra_err_set(err, RA_EINVAL, "when", "%s: \"%.100s\" (a condition is drawdown, loss, "
                      "vol(N) or move(TICKER,N), then >=, >, <= or <, then a number; or "
                      "event(NAME))", why, when ? when : "");
}

static ra_status parse_when(const char *when, ra_risk_rule *r, ra_err *err)
{
    if (!when || !when[0])
        return bad_when(err, when, "no condition");
    size_t n = strlen(when);
    if (n > 6 && strncmp(when, "event(", 6) == 0) {
        if (when[n - 1] != ')' || !code_of(when + 6, n - 7, 0, r->subject))
            return bad_when(err, when, "an event is event(NAME), NAME a code");
        r->metric = RA_RISK_EVENT;
        return RA_OK;
    }
    size_t k = strcspn(when, "<>=");
    if (k == n)
        return bad_when(err, when, "no comparison");
    const char *m = when, *op = when + k;
    size_t mn = k;
    if (mn > 4 && strncmp(m, "vol(", 4) == 0 && m[mn - 1] == ')') {
        double w = 0;
        if (!number(m + 4, mn - 5, 2, RA_RISK_WINDOW_MAX, &w) || w != floor(w))
            return bad_when(err, when, "vol(N) takes a whole number of days N from 2 to 2520");
        r->metric = RA_RISK_VOL;
        r->window = (int)w;
    } else if (mn > 5 && strncmp(m, "move(", 5) == 0 && m[mn - 1] == ')') {
        const char *comma = memchr(m, ',', mn);
        double w = 0;
        if (!comma || !code_of(m + 5, (size_t)(comma - m - 5), 1, r->subject) ||
            !number(comma + 1, (size_t)(m + mn - 1 - comma - 1), 1, RA_RISK_WINDOW_MAX, &w) ||
            w != floor(w))
            return bad_when(err, when, "move(TICKER,N) takes a ticker (or *) and a whole number "
                            "of trading days N from 1 to 2520");
        r->metric = RA_RISK_MOVE;
        r->window = (int)w;
    } else if (mn == 8 && strncmp(m, "drawdown", 8) == 0)
        r->metric = RA_RISK_DRAWDOWN;
    else if (mn == 4 && strncmp(m, "loss", 4) == 0)
        r->metric = RA_RISK_LOSS;
    else
        return bad_when(err, when, "no such measure");
    size_t on = op[1] == '=' ? 2 : 1;
    r->op = strncmp(op, ">=", 2) == 0 ? RA_RISK_GE : strncmp(op, "<=", 2) == 0 ? RA_RISK_LE
          : op[0] == '>' ? RA_RISK_GT : op[0] == '<' ? RA_RISK_LT : 0;
    if (!r->op)
        return bad_when(err, when, "the comparison is >=, >, <= or <");
    if (!number(op + on, strlen(op + on), -1e6, 1e6, &r->threshold))
        return bad_when(err, when, "no number after the comparison");
    return RA_OK;
}

static ra_status bad_then(ra_err *err, const char *then, const char *why)
{
    return ra_err_set(err, RA_EINVAL, "then", "%s: \"%.100s\" (an action is reduce:TARGET=W, "
                      "add:TARGET=W, close:TARGET, notify or suspend; W in [0, 1])", why,
                      then ? then : "");
}

static ra_status parse_then(const char *then, ra_risk_rule *r, ra_err *err)
{
    if (!then || !then[0])
        return bad_then(err, then, "no action");
    if (strcmp(then, "notify") == 0 || strcmp(then, "suspend") == 0) {
        r->action = then[0] == 'n' ? RA_RISK_NOTIFY : RA_RISK_SUSPEND;
        return RA_OK;
    }
    const char *colon = strchr(then, ':');
    if (!colon)
        return bad_then(err, then, "no such action");
    size_t an = (size_t)(colon - then);
    const char *arg = colon + 1;
    if (an == 5 && strncmp(then, "close", 5) == 0) {
        if (!code_of(arg, strlen(arg), 1, r->target))
            return bad_then(err, then, "close takes a ticker, an asset class, equity, bonds, "
                            "risky or *");
        r->action = RA_RISK_CLOSE;
        return RA_OK;
    }
    if (!((an == 6 && strncmp(then, "reduce", 6) == 0) || (an == 3 && strncmp(then, "add", 3) == 0)))
        return bad_then(err, then, "no such action");
    const char *eq = strchr(arg, '=');
    if (!eq || !code_of(arg, (size_t)(eq - arg), 0, r->target) ||
        !number(eq + 1, strlen(eq + 1), 0, 1, &r->weight))
        return bad_then(err, then, "reduce and add take TARGET=W, W a weight in [0, 1]");
    r->action = an == 3 ? RA_RISK_ADD : RA_RISK_REDUCE;
    return RA_OK;
}

ra_status ra_risk_rule_parse(const char *code, const char *when, const char *then,
                             ra_risk_rule *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_status rc = ra_rule_code_check(code ? code : "", code ? strlen(code) : 0, "rule code", err);
    if (rc == RA_OK)
        rc = parse_when(when, out, err);
    if (rc == RA_OK)
        rc = parse_then(then, out, err);
    if (rc == RA_OK && out->action == RA_RISK_CLOSE && strcmp(out->target, "*") == 0 &&
        !(out->metric == RA_RISK_MOVE && strcmp(out->subject, "*") == 0))
        rc = ra_err_set(err, RA_EINVAL, "then", "close:* closes the holding that moved: it needs "
                        "the condition move(*,N)");
    if (rc != RA_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    memcpy(out->code, code, strlen(code) + 1);
    return RA_OK;
}

/* The shortest of %.15g and %.17g that reads back as v (0.15, not 0.14999999999999999). */
static const char *num(double v, char buf[32])
{
    snprintf(buf, 32, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, 32, "%.17g", v);
    return buf;
}

void ra_risk_rule_format(const ra_risk_rule *r, char *when, char *then)
{
    char b1[32], b2[32];
    const size_t cap = RA_RISK_RULE_TEXT_MAX;
    const char *m = r->metric >= 1 && r->metric <= 5 ? METRICS[r->metric] : "?";
    const char *op = r->op >= 1 && r->op <= 4 ? OPS[r->op] : "?";
    if (r->metric == RA_RISK_EVENT)
        snprintf(when, cap, "event(%s)", r->subject);
    else if (r->metric == RA_RISK_VOL)
        snprintf(when, cap, "vol(%d)%s%s", r->window, op, num(r->threshold, b1));
    else if (r->metric == RA_RISK_MOVE)
        snprintf(when, cap, "move(%s,%d)%s%s", r->subject, r->window, op, num(r->threshold, b1));
    else
        snprintf(when, cap, "%s%s%s", m, op, num(r->threshold, b1));
    const char *a = r->action >= 1 && r->action <= 5 ? ACTIONS[r->action] : "?";
    if (r->action == RA_RISK_REDUCE || r->action == RA_RISK_ADD)
        snprintf(then, cap, "%s:%s=%s", a, r->target, num(r->weight, b2));
    else if (r->action == RA_RISK_CLOSE)
        snprintf(then, cap, "close:%s", r->target);
    else
        snprintf(then, cap, "%s", a);
}

double ra_risk_drawdown(const double *ret, size_t n)
{
    double w = 1.0, peak = 1.0;
    for (size_t i = 0; i < n; i++) {
        w *= 1.0 + ret[i];
        if (w > peak)
            peak = w;
    }
    return 1.0 - w / peak;
}

double ra_risk_vol_ann(const double *ret, size_t n, size_t window)
{
    if (window < 2 || n < window)
        return NAN;
    const double *x = ret + (n - window);
    double mean = 0.0, ss = 0.0; /* two passes (docs/methodology.md#risk-limits) */
    for (size_t i = 0; i < window; i++)
        mean += x[i];
    mean /= (double)window;
    for (size_t i = 0; i < window; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(window - 1)) * sqrt(RA_RISK_TRADING_DAYS);
}

static int compare(double x, int op, double t)
{
    switch (op) {
    case RA_RISK_GE: return x >= t - RA_RISK_TOL;
    case RA_RISK_GT: return x > t + RA_RISK_TOL;
    case RA_RISK_LE: return x <= t + RA_RISK_TOL;
    case RA_RISK_LT: return x < t - RA_RISK_TOL;
    default: return 0;
    }
}

ra_status ra_risk_rule_eval(const ra_risk_rule *r, const ra_risk_inputs *in, int *fired,
                            double *observed, int *held_ix, ra_err *err)
{
    *fired = 0;
    *observed = NAN;
    *held_ix = -1;
    switch (r->metric) {
    case RA_RISK_DRAWDOWN:
        *observed = ra_risk_drawdown(in->ret, in->n_ret);
        break;
    case RA_RISK_LOSS:
        if (in->entrusted_minor > 0)
            *observed = (double)(in->entrusted_minor - in->value_minor) /
                        (double)in->entrusted_minor;
        break;
    case RA_RISK_VOL:
        *observed = ra_risk_vol_ann(in->ret, in->n_ret, (size_t)r->window);
        break;
    case RA_RISK_MOVE:
        for (size_t i = 0; i < in->n_held; i++) {
            if (strcmp(r->subject, "*") != 0 && strcmp(r->subject, in->held[i]) != 0)
                continue;
            size_t n = in->n_closes[i];
            if (n <= (size_t)r->window || in->closes[i][n - 1 - (size_t)r->window] <= 0)
                continue;
            double mv = (double)in->closes[i][n - 1] /
                        (double)in->closes[i][n - 1 - (size_t)r->window] - 1.0;
            if (isnan(*observed) || compare(mv, r->op, r->threshold)) {
                *observed = mv;
                *held_ix = (int)i;
            }
            if (compare(mv, r->op, r->threshold))
                break;
        }
        break;
    case RA_RISK_EVENT:
        *observed = 0.0;
        for (size_t i = 0; i < in->n_events; i++)
            if (strcmp(in->events[i], r->subject) == 0)
                *observed = 1.0;
        *fired = *observed > 0.0;
        return RA_OK;
    default:
        return ra_err_set(err, RA_EINVAL, "rule", "rule %s has no condition", r->code);
    }
    *fired = !isnan(*observed) && compare(*observed, r->op, r->threshold);
    if (!*fired && r->metric == RA_RISK_MOVE)
        *held_ix = -1;
    return RA_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && s[n - k - 1] == '_' && strcmp(s + n - k, suffix) == 0;
}

int ra_risk_target_match(const char *target, const char *ticker, const char *asset_class,
                         int risk_level)
{
    if (strcmp(target, "risky") == 0)
        return risk_level >= 4;
    return strcmp(target, ticker) == 0 || strcmp(target, asset_class) == 0 ||
           ((strcmp(target, "equity") == 0 || strcmp(target, "bonds") == 0) &&
            ends_with(asset_class, target));
}

void ra_risk_apply(const ra_risk_rule *r, double *w, const uint8_t *match, size_t n,
                   uint8_t *changed)
{
    if (r->action != RA_RISK_REDUCE && r->action != RA_RISK_ADD && r->action != RA_RISK_CLOSE)
        return;
    double in = 0.0, out = 0.0;
    for (size_t i = 0; i < n; i++)
        if (match[i])
            in += w[i];
        else
            out += w[i];
    double want = r->action == RA_RISK_CLOSE ? 0.0 : r->weight;
    if ((r->action != RA_RISK_ADD && in <= want) || (r->action == RA_RISK_ADD && in >= want) ||
        (r->action == RA_RISK_ADD && in <= 0.0))
        return; /* within the limit already (add: nothing of TARGET in the target to raise) */
    double delta = want - in; /* < 0: freed; > 0: taken */
    double cash = 1.0 - in - out;
    if (r->action == RA_RISK_ADD && out + cash < delta)
        delta = out + cash;
    for (size_t i = 0; i < n; i++)
        if (match[i] && w[i] > 0.0) {
            w[i] *= (in + delta) / in;
            if (changed)
                changed[i] = 1;
        }
    /* the others: freed weight in proportion to their weights (none: cash keeps it); taken
     * weight from cash first when they have none, else from them in proportion */
    double from_others = out > 0.0 ? delta : 0.0;
    if (r->action == RA_RISK_ADD && out <= 0.0)
        from_others = 0.0;
    if (from_others != 0.0)
        for (size_t i = 0; i < n; i++)
            if (!match[i] && w[i] > 0.0) {
                w[i] -= from_others * w[i] / out;
                if (w[i] < 0.0)
                    w[i] = 0.0;
                if (changed)
                    changed[i] = 1;
            }
}
