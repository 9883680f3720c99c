/* roboadvisor: the parameters of an account's own agent (include/roboadvisor/onboard.h).
 * Defaults and limits are the domain rules of rules.h (docs/methodology.md#onboarding-and-agents). */
#include <roboadvisor/onboard.h>
#include <roboadvisor/rules.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const objective_names[] = {"preserve", "income", "balanced", "growth",
                                              "max-growth"};
#define N_OBJECTIVES (sizeof objective_names / sizeof objective_names[0])

const char *ra_agent_objective_name(ra_agent_objective o)
{
    return (unsigned)o < N_OBJECTIVES ? objective_names[o] : "?";
}

void ra_agent_params_default(ra_agent_params *p, int level)
{
    if (level < 1 || level > RA_PROF_LEVELS)
        level = 1;
    p->risk_level = level;
    p->objective = (ra_agent_objective)(level - 1);
    p->drift_band = RA_RULE_DRIFT_BAND_DEFAULT;
    p->tlh = RA_RULE_AGENT_TLH_DEFAULT;
    p->loss_limit = RA_RULE_LOSS_LIMIT_DEFAULT;
    p->cash_reserve = RA_RULE_CASH_RESERVE_DEFAULT;
}

static int number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

ra_status ra_agent_param_set(ra_agent_params *p, const char *key, const char *value, ra_err *err)
{
    double x = 0;
    if (!key || !value)
        return ra_err_set(err, RA_EINVAL, NULL, "no parameter key or value given");
    if (strcmp(key, "risk_level") == 0) {
        int level = 0;
        if (number(value, &x) && x == floor(x) && x >= 1 && x <= RA_PROF_LEVELS)
            level = (int)x;
        else if (ra_prof_level_parse(value, 'C', &level, NULL) != RA_OK)
            return ra_err_set(err, RA_EINVAL, "risk_level",
                              "risk_level must be C1..C5 (or 1..5), got \"%s\"", value);
        p->risk_level = level;
        return RA_OK;
    }
    if (strcmp(key, "objective") == 0) {
        for (size_t i = 0; i < N_OBJECTIVES; i++)
            if (strcmp(value, objective_names[i]) == 0) {
                p->objective = (ra_agent_objective)i;
                return RA_OK;
            }
        return ra_err_set(err, RA_EINVAL, "objective",
                          "objective must be preserve, income, balanced, growth or max-growth, "
                          "got \"%s\"",
                          value);
    }
    if (strcmp(key, "tlh") == 0) {
        if (!strcasecmp(value, "on") || !strcasecmp(value, "true") || !strcmp(value, "1"))
            p->tlh = 1;
        else if (!strcasecmp(value, "off") || !strcasecmp(value, "false") || !strcmp(value, "0"))
            p->tlh = 0;
        else
            return ra_err_set(err, RA_EINVAL, "tlh", "tlh must be on or off, got \"%s\"", value);
        return RA_OK;
    }
    double *slot = !strcmp(key, "drift_band")     ? &p->drift_band
                   : !strcmp(key, "loss_limit")   ? &p->loss_limit
                   : !strcmp(key, "cash_reserve") ? &p->cash_reserve
                                                  : NULL;
    if (!slot)
        return ra_err_set(err, RA_EINVAL, key,
                          "no agent parameter \"%s\" (risk_level, objective, drift_band, tlh, "
                          "loss_limit, cash_reserve)",
                          key);
    if (!number(value, &x))
        return ra_err_set(err, RA_EINVAL, key, "%s must be a number, got \"%s\"", key, value);
    ra_agent_params t = *p;
    if (slot == &p->drift_band)
        t.drift_band = x;
    else if (slot == &p->loss_limit)
        t.loss_limit = x;
    else
        t.cash_reserve = x;
    ra_status rc = ra_agent_params_validate(&t, err);
    if (rc == RA_OK)
        *slot = x;
    return rc;
}

ra_status ra_agent_params_validate(const ra_agent_params *p, ra_err *err)
{
    if (p->risk_level < 1 || p->risk_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, "risk_level", "risk_level %d is outside 1..5",
                          p->risk_level);
    if ((unsigned)p->objective >= N_OBJECTIVES)
        return ra_err_set(err, RA_EINVAL, "objective", "objective %d is not one of the five",
                          (int)p->objective);
    ra_status rc = ra_rule_drift_band_check(p->drift_band, err);
    if (rc == RA_OK)
        rc = ra_rule_loss_limit_check(p->loss_limit, err);
    if (rc == RA_OK)
        rc = ra_rule_cash_reserve_check(p->cash_reserve, err);
    if (rc != RA_OK)
        return rc;
    if (p->tlh != 0 && p->tlh != 1)
        return ra_err_set(err, RA_EINVAL, "tlh", "tlh %d is not 0 or 1", p->tlh);
    return RA_OK;
}
