/* roboadvisor: service tiers, the firm's routing rules and behaviour alerts (core layer, pure;
 * src/core/behaviour.c; method docs/methodology.md#service-tiers and #behaviour-alerts).
 *
 * A client's tier says who decides on the cycle's proposals: digital (the engine within the
 * mandate), hybrid (an advisor reviews every proposal) or advisor-led (the advisor decides, the
 * engine only proposes). Routing rules move a client to a higher tier after a close when a
 * measure of the client (assets, complexity) or of the day (a large withdrawal, a crossed loss
 * limit) reaches a threshold. Behaviour alerts flag what an advisor should look at: excessive
 * client-initiated activity, selling after a drawdown, concentration, and a risk profile that the
 * account's results or the client's actions no longer fit. */
#ifndef ROBOADVISOR_BEHAVIOUR_H
#define ROBOADVISOR_BEHAVIOUR_H

#include "book.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_tier {
    RA_TIER_DIGITAL = 0,     /* the default: today's behaviour, the mandate decides */
    RA_TIER_HYBRID = 1,
    RA_TIER_ADVISOR_LED = 2,
} ra_tier;
#define RA_TIER_N 3

/* "digital", "hybrid", "advisor-led" (NULL out of range). */
RA_API const char *ra_tier_name(int tier);
/* The tier named s; RA_EINVAL naming the accepted words otherwise. */
RA_API RA_NODISCARD ra_status ra_tier_parse(const char *s, ra_tier *out, ra_err *err);

/* 1 when the cycle turns a proposal into orders by itself: a discretionary mandate without the
 * client's confirmation, for a digital client. Hybrid and advisor-led clients' proposals all wait
 * for an advisor (docs/methodology.md#service-tiers). */
RA_API int ra_tier_acts_alone(int discretionary, int client_confirm, int tier);

/* --- routing rules -------------------------------------------------------------------------- */

typedef enum ra_tier_metric {
    RA_TIER_ASSETS = 0,      /* the client's value at the close, major units of the currency */
    RA_TIER_ACCOUNTS = 1,    /* the client's number of accounts */
    RA_TIER_ACCOUNT_TYPES = 2, /* the client's number of distinct account types */
    RA_TIER_WITHDRAWAL = 3,  /* a withdrawal due on the day over the account's value (fraction) */
    RA_TIER_LOSS_LIMIT = 4,  /* the account crossed its loss limit on the day (1; threshold 1) */
} ra_tier_metric;
#define RA_TIER_N_METRICS 5

RA_API const char *ra_tier_metric_name(int metric);
RA_API RA_NODISCARD ra_status ra_tier_metric_parse(const char *s, ra_tier_metric *out,
                                                   ra_err *err);

/* A rule: when metric >= threshold, the client moves up to `tier` (never down: a move down is an
 * advisor's decision, ra_store_tier_set). */
typedef struct ra_tier_rule {
    char code[RA_CODE_MAX];
    int metric;              /* ra_tier_metric */
    double threshold;        /* finite, >= 0 */
    int tier;                /* ra_tier, above digital */
} ra_tier_rule;

RA_API RA_NODISCARD ra_status ra_tier_rule_validate(const ra_tier_rule *r, ra_err *err);

/* What the rules look at, for one client after the day's close. */
typedef struct ra_tier_inputs {
    double measure[RA_TIER_N_METRICS]; /* by ra_tier_metric */
} ra_tier_inputs;

/* The rules rules[0..n) applied to a client in tier `current`: *to the highest tier of the rules
 * that fire (>= threshold) when above current, else current; *rule the index of the first rule
 * giving it (-1: no move). */
RA_API void ra_tier_route(const ra_tier_rule *rules, size_t n, const ra_tier_inputs *in,
                          int current, int *to, int *rule);

/* --- behaviour alerts ------------------------------------------------------------------------ */

typedef enum ra_alert_kind {
    RA_ALERT_TRADING = 0,        /* client instructions within the window > max */
    RA_ALERT_SELL_DRAWDOWN = 1,  /* a client withdrawal due while the drawdown > drawdown_sell */
    RA_ALERT_CONCENTRATION = 2,  /* one holding's weight > concentration */
    RA_ALERT_PROFILE = 3,        /* the profile no longer fits: re-assess */
} ra_alert_kind;
#define RA_ALERT_N 4

/* "excessive_trading", "sell_after_drawdown", "concentration", "profile_review". */
RA_API const char *ra_alert_name(int kind);

/* The firm's thresholds (docs/methodology.md#behaviour-alerts for the defaults' sources). */
typedef struct ra_behaviour_settings {
    int window_days;             /* calendar days counted back from the day, inclusive (30) */
    int max_instructions;        /* more client instructions than this in the window (4) */
    double drawdown_sell;        /* a client withdrawal after a fall from the peak > this (0.10) */
    double concentration;        /* a holding's weight above this (0.40) */
    double tolerance[5];         /* the drawdown each level C1..C5 accepts
                                  * (0.05, 0.10, 0.20, 0.30, 0.40) */
} ra_behaviour_settings;

RA_API void ra_behaviour_settings_default(ra_behaviour_settings *s);
RA_API RA_NODISCARD ra_status ra_behaviour_settings_validate(const ra_behaviour_settings *s,
                                                             ra_err *err);

/* One account after the day's close. */
typedef struct ra_behaviour_inputs {
    ra_minor value_minor;        /* at the close */
    ra_minor peak_minor;         /* the highest value recorded, today's included (>= value) */
    int instructions;            /* the client's instructions due within the window */
    int withdrawal_today;        /* 1: a client withdrawal is due on the day */
    double max_weight;           /* the largest holding's weight */
    int risk_level;              /* the mandate's 1..5; 0 none (no profile check) */
} ra_behaviour_inputs;

/* The conditions that hold on the day: on[k] 1 for each ra_alert_kind k that holds, observed[k]
 * its measure and limit[k] the threshold it was compared with. Strictly above the threshold. */
RA_API void ra_behaviour_eval(const ra_behaviour_settings *s, const ra_behaviour_inputs *in,
                              int on[RA_ALERT_N], double observed[RA_ALERT_N],
                              double limit[RA_ALERT_N]);

#ifdef __cplusplus
}
#endif
#endif
