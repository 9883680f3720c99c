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

#include "book.h"
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

/* ---- rules as data: a firm's library of conditions and actions -------------------------------
 *
 * A rule is CODE, a condition (--when) and an action (--then), as text (docs/cli.md#rules):
 *
 *   condition  METRIC OP NUMBER | event(NAME)
 *     METRIC   drawdown             1 - W / max W over the account's daily wealth index W (the
 *                                    product of 1 + its daily time-weighted returns; 1 before
 *                                    the first), the day's included
 *              loss                 (entrusted - value) / entrusted, as for the loss limit
 *              vol(N)               sample standard deviation of the last N daily returns x
 *                                    sqrt(252) (N 2..2520; fewer returns: not evaluated)
 *              move(TICKER,N)       a held security's close / its close N trading days before - 1
 *                                    (N 1..2520); TICKER * : any holding (the first in ticker
 *                                    order that meets the condition)
 *     OP       >=  >  <=  <         (a tolerance of RA_RISK_TOL: a value equal to the number
 *                                    written counts as equal)
 *   action     reduce:TARGET=W      the target weight of TARGET's securities down to W in total
 *              add:TARGET=W         ... up to W in total
 *              close:TARGET         ... to 0 (TARGET * with move(*,N): the security that moved)
 *              notify               the client and the advisor are notified
 *              suspend              the account's automated trading is suspended (as a crossed
 *                                    loss limit: until re-authorised)
 *     TARGET   a ticker, an asset class, `equity` / `bonds` (every class ending in _equity /
 *              _bonds, or equal), `risky` (every security of risk level R4 or R5); W in [0, 1]
 *
 * Weight freed by reduce or close goes to the account's other target securities in proportion
 * to their targets (to cash when there is none); weight taken by add comes from them likewise. */

#define RA_RISK_MAX_RULES 16          /* rules of one mandate, at most */
#define RA_RISK_TOL 1e-12              /* comparisons of a metric with the rule's number */
#define RA_RISK_WINDOW_MAX 2520        /* vol and move windows, trading days (10 years) */
#define RA_RISK_RULE_TEXT_MAX 128      /* a condition or action as text, NUL included */
#define RA_RISK_TRADING_DAYS 252.0     /* annualisation of daily volatility (methodology) */

typedef enum ra_risk_metric {
    RA_RISK_DRAWDOWN = 1, RA_RISK_LOSS, RA_RISK_VOL, RA_RISK_MOVE, RA_RISK_EVENT
} ra_risk_metric;
typedef enum ra_risk_op { RA_RISK_GE = 1, RA_RISK_GT, RA_RISK_LE, RA_RISK_LT } ra_risk_op;
typedef enum ra_risk_action {
    RA_RISK_REDUCE = 1, RA_RISK_ADD, RA_RISK_CLOSE, RA_RISK_NOTIFY, RA_RISK_SUSPEND
} ra_risk_action;

typedef struct ra_risk_rule {
    char code[RA_CODE_MAX];
    int metric;                  /* ra_risk_metric */
    int op;                      /* ra_risk_op (not for events) */
    double threshold;
    int window;                  /* vol(N), move(T,N): N; else 0 */
    char subject[RA_CODE_MAX];   /* move: the ticker or "*"; event: its name; else "" */
    int action;                  /* ra_risk_action */
    char target[RA_CODE_MAX];    /* reduce, add, close: the target; else "" */
    double weight;               /* reduce, add: W */
} ra_risk_rule;

/* Parses a rule from its code and texts (the grammar above). RA_EINVAL with where "when" or
 * "then" and a message naming what is wrong and the text. */
RA_API RA_NODISCARD ra_status ra_risk_rule_parse(const char *code, const char *when,
                                                 const char *then, ra_risk_rule *out,
                                                 ra_err *err);
/* The canonical texts of a parsed rule (each RA_RISK_RULE_TEXT_MAX bytes): parse(format(r)) = r. */
RA_API void ra_risk_rule_format(const ra_risk_rule *r, char *when, char *then);

/* What a rule is evaluated on: one account at one close. */
typedef struct ra_risk_inputs {
    const double *ret;           /* daily time-weighted returns, oldest first, the day's last */
    size_t n_ret;
    ra_minor entrusted_minor, value_minor;
    size_t n_held;               /* the securities held, in ticker order */
    const char *const *held;     /* their tickers */
    const ra_price *const *closes; /* per held security: its closes, oldest first, the day's last */
    const size_t *n_closes;
    const char *const *events;   /* the events recorded for the account (or its firm) today */
    size_t n_events;
} ra_risk_inputs;

/* The rule's condition on in: *fired 1 when it holds; *observed the metric's value (1 for an
 * event; NAN when there were too few data to evaluate it: then not fired); *held_ix the index in
 * in->held of the security a move condition fired on (-1 otherwise). */
RA_API RA_NODISCARD ra_status ra_risk_rule_eval(const ra_risk_rule *r, const ra_risk_inputs *in,
                                                int *fired, double *observed, int *held_ix,
                                                ra_err *err);

/* The drawdown of the wealth index of returns ret[0..n) at its end (0 for n 0). */
RA_API double ra_risk_drawdown(const double *ret, size_t n);
/* Sample standard deviation of the last `window` of ret[0..n) x sqrt(252); NAN when n < window
 * or window < 2. */
RA_API double ra_risk_vol_ann(const double *ret, size_t n, size_t window);

/* 1 if a security (ticker, asset class, risk level) is one of an action's TARGET. */
RA_API int ra_risk_target_match(const char *target, const char *ticker, const char *asset_class,
                                int risk_level);

/* Applies an action's target change to target weights w[0..n) (cash not included: its weight is
 * 1 - sum w on entry and on exit): match[i] 1 for TARGET's securities. reduce to W, add to W, close
 * (W 0); the weight freed or taken is spread over the others in proportion to their weights
 * (cash takes what is freed when the others have none; add takes from cash first when the
 * others have none). changed[i] (may be NULL) is set to 1 for each weight that moved. No-op for
 * notify and suspend. */
RA_API void ra_risk_apply(const ra_risk_rule *r, double *w, const uint8_t *match, size_t n,
                          uint8_t *changed);

#ifdef __cplusplus
}
#endif
#endif
