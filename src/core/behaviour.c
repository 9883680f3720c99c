/* Service tiers, routing rules and behaviour alerts (include/roboadvisor/behaviour.h;
 * docs/methodology.md#service-tiers, #behaviour-alerts). Pure: no I/O, no clock. */
#include <roboadvisor/behaviour.h>

#include <math.h>
#include <string.h>

static const char *const TIER_NAMES[RA_TIER_N] = {"digital", "hybrid", "advisor-led"};
static const char *const METRIC_NAMES[RA_TIER_N_METRICS] = {"assets", "accounts",
                                                            "account_types", "withdrawal",
                                                            "loss_limit"};
static const char *const ALERT_NAMES[RA_ALERT_N] = {"excessive_trading", "sell_after_drawdown",
                                                    "concentration", "profile_review"};

const char *ra_tier_name(int tier)
{
    return tier >= 0 && tier < RA_TIER_N ? TIER_NAMES[tier] : NULL;
}

/* The index of s among words[0..n), -1 when it is none of them. */
static int word_index(const char *const *words, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, words[i]) == 0)
            return i;
    return -1;
}

ra_status ra_tier_parse(const char *s, ra_tier *out, ra_err *err)
{
    int i = word_index(TIER_NAMES, RA_TIER_N, s);
    if (i < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "a tier is digital, hybrid or advisor-led, not "
                          "\"%s\"", s ? s : "");
    *out = (ra_tier)i;
    return RA_OK;
}

int ra_tier_acts_alone(int discretionary, int client_confirm, int tier)
{
    return discretionary && !client_confirm && tier == RA_TIER_DIGITAL;
}

const char *ra_tier_metric_name(int metric)
{
    return metric >= 0 && metric < RA_TIER_N_METRICS ? METRIC_NAMES[metric] : NULL;
}

ra_status ra_tier_metric_parse(const char *s, ra_tier_metric *out, ra_err *err)
{
    int i = word_index(METRIC_NAMES, RA_TIER_N_METRICS, s);
    if (i < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "a routing metric is assets, accounts, "
                          "account_types, withdrawal or loss_limit, not \"%s\"", s ? s : "");
    *out = (ra_tier_metric)i;
    return RA_OK;
}

ra_status ra_tier_rule_validate(const ra_tier_rule *r, ra_err *err)
{
    if (!r->code[0])
        return ra_err_set(err, RA_EINVAL, NULL, "a routing rule needs a code");
    if (r->metric < 0 || r->metric >= RA_TIER_N_METRICS)
        return ra_err_set(err, RA_EINVAL, NULL, "rule %s: metric %d out of range", r->code,
                          r->metric);
    if (!isfinite(r->threshold) || r->threshold < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "rule %s: the threshold must be finite and >= 0, "
                          "got %g", r->code, r->threshold);
    if (r->metric == RA_TIER_WITHDRAWAL && r->threshold > 1)
        return ra_err_set(err, RA_EINVAL, NULL, "rule %s: a withdrawal threshold is a fraction "
                          "of the account's value (0..1), got %g", r->code, r->threshold);
    if (r->tier <= RA_TIER_DIGITAL || r->tier >= RA_TIER_N)
        return ra_err_set(err, RA_EINVAL, NULL, "rule %s: a rule moves a client to hybrid or "
                          "advisor-led", r->code);
    return RA_OK;
}

void ra_tier_route(const ra_tier_rule *rules, size_t n, const ra_tier_inputs *in, int current,
                   int *to, int *rule)
{
    *to = current;
    *rule = -1;
    for (size_t i = 0; i < n; i++) {
        const ra_tier_rule *r = &rules[i];
        double x = in->measure[r->metric];
        if (isfinite(x) && x >= r->threshold && r->tier > *to) {
            *to = r->tier;
            *rule = (int)i;
        }
    }
}

const char *ra_alert_name(int kind)
{
    return kind >= 0 && kind < RA_ALERT_N ? ALERT_NAMES[kind] : NULL;
}

void ra_behaviour_settings_default(ra_behaviour_settings *s)
{
    *s = (ra_behaviour_settings){.window_days = 30, .max_instructions = 4, .drawdown_sell = 0.10,
                                 .concentration = 0.40,
                                 .tolerance = {0.05, 0.10, 0.20, 0.30, 0.40}};
}

static int fraction(double x) { return isfinite(x) && x > 0 && x <= 1; }

ra_status ra_behaviour_settings_validate(const ra_behaviour_settings *s, ra_err *err)
{
    if (s->window_days < 1 || s->window_days > 366)
        return ra_err_set(err, RA_EINVAL, NULL, "the window is 1..366 days, got %d",
                          s->window_days);
    if (s->max_instructions < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the most instructions is >= 0, got %d",
                          s->max_instructions);
    if (!fraction(s->drawdown_sell) || !fraction(s->concentration))
        return ra_err_set(err, RA_EINVAL, NULL, "the drawdown and concentration thresholds are "
                          "fractions in (0, 1], got %g and %g", s->drawdown_sell,
                          s->concentration);
    for (int k = 0; k < 5; k++)
        if (!fraction(s->tolerance[k]))
            return ra_err_set(err, RA_EINVAL, NULL, "the tolerance of C%d is a fraction in "
                              "(0, 1], got %g", k + 1, s->tolerance[k]);
    return RA_OK;
}

void ra_behaviour_eval(const ra_behaviour_settings *s, const ra_behaviour_inputs *in,
                       int on[RA_ALERT_N], double observed[RA_ALERT_N], double limit[RA_ALERT_N])
{
    /* drawdown from the peak (docs/methodology.md#behaviour-alerts): 1 - value / peak */
    double dd = in->peak_minor > 0 && in->value_minor < in->peak_minor
                    ? 1.0 - (double)in->value_minor / (double)in->peak_minor
                    : 0.0;
    observed[RA_ALERT_TRADING] = in->instructions;
    limit[RA_ALERT_TRADING] = s->max_instructions;
    on[RA_ALERT_TRADING] = in->instructions > s->max_instructions;
    observed[RA_ALERT_SELL_DRAWDOWN] = dd;
    limit[RA_ALERT_SELL_DRAWDOWN] = s->drawdown_sell;
    on[RA_ALERT_SELL_DRAWDOWN] = in->withdrawal_today && dd > s->drawdown_sell;
    observed[RA_ALERT_CONCENTRATION] = in->max_weight;
    limit[RA_ALERT_CONCENTRATION] = s->concentration;
    on[RA_ALERT_CONCENTRATION] = in->max_weight > s->concentration;
    /* the profile: results beyond the level's tolerance, or a client selling out of a fall the
     * profile says they accept */
    int lv = in->risk_level;
    double tol = lv >= 1 && lv <= 5 ? s->tolerance[lv - 1] : 0.0;
    observed[RA_ALERT_PROFILE] = dd;
    limit[RA_ALERT_PROFILE] = tol;
    on[RA_ALERT_PROFILE] = lv >= 1 && lv <= 5 &&
                           (dd > tol || (on[RA_ALERT_SELL_DRAWDOWN] && dd <= tol));
}
