/* roboadvisor: an account's mandate field by field (include/roboadvisor/rules.h): the ranges of
 * the fields added with the mandate's versions, and the text form used by `mandate set` and the
 * accounts CSV. Defaults and sources: docs/methodology.md#the-mandate. Messages name the key
 * and the value (mandate values are not personal data). */
#include <roboadvisor/objective.h>
#include <roboadvisor/riskrules.h>
#include <roboadvisor/rules.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const keys[] = {
    "model",        "discretionary", "drift_band",         "band_rel",   "to_band_edge",
    "buy_only",     "tlh",           "loss_limit",         "restrictions", "relief",
    "cash_reserve", "min_trade_minor", "reinvest_dividends", "fractional", "gain_budget_minor",
    "client_confirm", "risk_level",  "objective",          "fee_schedule", "rules",
    "risk_aversion", "te_penalty",   "turnover_penalty",   "cvar_limit", NULL};

const char *const *ra_rule_mandate_keys(void) { return keys; }

const char *ra_rule_relief_name(int relief)
{
    switch (relief) {
    case RA_RELIEF_FIFO:
        return "fifo";
    case RA_RELIEF_HIFO:
        return "hifo";
    case RA_RELIEF_TAX_AWARE:
        return "tax-aware";
    default:
        return "?";
    }
}

ra_status ra_rule_relief_parse(const char *s, int *out, ra_err *err)
{
    static const int v[] = {RA_RELIEF_FIFO, RA_RELIEF_HIFO, RA_RELIEF_TAX_AWARE};
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(s, ra_rule_relief_name(v[i])) == 0) {
            *out = v[i];
            return RA_OK;
        }
    return ra_err_set(err, RA_EINVAL, "relief", "relief must be fifo, hifo or tax-aware, got \"%s\"",
                      s);
}

void ra_rule_mandate_for_type(ra_mandate *m, int account_type)
{
    if (account_type != RA_ACCOUNT_TAXABLE && m->relief == RA_RELIEF_TAX_AWARE)
        m->relief = RA_RELIEF_FIFO;
}

/* rules: rule codes joined by ',' (the firm's library, riskrules.h), "" none */
static ra_status rules_check(const char *s, ra_err *err)
{
    size_t n = strnlen(s, RA_NAME_MAX);
    if (n >= RA_NAME_MAX)
        return ra_err_set(err, RA_EINVAL, "rules", "rules are longer than %d bytes",
                          RA_NAME_MAX - 1);
    size_t count = 0;
    for (const char *p = s; n && *p;) {
        size_t k = strcspn(p, ",");
        if (++count > RA_RISK_MAX_RULES)
            return ra_err_set(err, RA_EINVAL, "rules", "a mandate applies at most %d rules",
                              RA_RISK_MAX_RULES);
        ra_err e = {0};
        if (ra_rule_code_check(p, k, "rule", &e) != RA_OK)
            return ra_err_set(err, RA_EINVAL, "rules", "rules are rule codes joined by ',': "
                              "\"%s\"", s);
        p += k;
        if (*p == ',' && !*++p)
            return ra_err_set(err, RA_EINVAL, "rules", "rules end with ','");
    }
    return RA_OK;
}

static ra_status flag(const char *key, int v, ra_err *err)
{
    if (v != 0 && v != 1)
        return ra_err_set(err, RA_EINVAL, key, "%s %d is not 0 or 1", key, v);
    return RA_OK;
}

ra_status ra_rule_mandate_extra_validate(const ra_mandate *m, ra_err *err)
{
    ra_status rc = RA_OK;
    if (!(m->band_rel >= 0.0 && m->band_rel <= 1.0))
        return ra_err_set(err, RA_EINVAL, "band_rel", "band_rel %g is outside [0, 1]",
                          m->band_rel);
    if ((rc = flag("to_band_edge", m->to_band_edge, err)) != RA_OK ||
        (rc = flag("buy_only", m->buy_only, err)) != RA_OK ||
        (rc = flag("reinvest_dividends", m->reinvest_dividends, err)) != RA_OK ||
        (rc = flag("fractional", m->fractional, err)) != RA_OK ||
        (rc = flag("client_confirm", m->client_confirm, err)) != RA_OK)
        return rc;
    if (m->relief != RA_RELIEF_FIFO && m->relief != RA_RELIEF_HIFO &&
        m->relief != RA_RELIEF_TAX_AWARE)
        return ra_err_set(err, RA_EINVAL, "relief", "relief %d is not fifo, hifo or tax-aware",
                          m->relief);
    if ((rc = ra_rule_cash_reserve_check(m->cash_reserve, err)) != RA_OK)
        return rc;
    if (m->min_trade_minor < 0)
        return ra_err_set(err, RA_EINVAL, "min_trade_minor", "min_trade_minor %" PRId64
                          " is negative", m->min_trade_minor);
    if (m->gain_budget_minor < -1)
        return ra_err_set(err, RA_EINVAL, "gain_budget_minor", "gain_budget_minor %" PRId64
                          " is below -1 (none)", m->gain_budget_minor);
    if (m->risk_level < 0 || m->risk_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, "risk_level", "risk_level %d is outside 0..5",
                          m->risk_level);
    if (m->objective < 0 || m->objective > RA_OBJ_MAX_GROWTH)
        return ra_err_set(err, RA_EINVAL, "objective", "objective %d is not one of the five",
                          m->objective);
    if ((rc = rules_check(m->rules, err)) != RA_OK)
        return rc;
    ra_client_objective o = {m->risk_aversion, m->te_penalty, m->turnover_penalty, m->cvar_limit};
    return ra_client_objective_check(&o, err);
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

static int integer(const char *s, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return 0;
    *out = (int64_t)v;
    return 1;
}

static int boolean(const char *s, int *out)
{
    if (!strcasecmp(s, "on") || !strcasecmp(s, "true") || !strcmp(s, "1"))
        *out = 1;
    else if (!strcasecmp(s, "off") || !strcasecmp(s, "false") || !strcmp(s, "0"))
        *out = 0;
    else
        return 0;
    return 1;
}

ra_status ra_rule_mandate_set(ra_mandate *m, const char *key, const char *value, ra_err *err)
{
    if (!key || !value)
        return ra_err_set(err, RA_EINVAL, NULL, "no mandate key or value given");
    ra_mandate t = *m;
    double x = 0;
    int64_t i = 0;
    int b = 0;
    ra_status rc = RA_OK;
    if (!strcmp(key, "model")) {
        if (strlen(value) >= RA_CODE_MAX)
            return ra_err_set(err, RA_EINVAL, key, "model is longer than %d bytes",
                              RA_CODE_MAX - 1);
        snprintf(t.model, sizeof t.model, "%s", value);
    } else if (!strcmp(key, "restrictions")) {
        if (strlen(value) >= RA_NAME_MAX)
            return ra_err_set(err, RA_EINVAL, key, "restrictions are longer than %d bytes",
                              RA_NAME_MAX - 1);
        snprintf(t.restrictions, sizeof t.restrictions, "%s", value);
    } else if (!strcmp(key, "fee_schedule")) {
        if (value[0] && (rc = ra_rule_code_check(value, strlen(value), "fee_schedule", err)) != RA_OK)
            return rc;
        snprintf(t.fee_schedule, sizeof t.fee_schedule, "%s", value);
    } else if (!strcmp(key, "rules")) {
        if (strlen(value) >= RA_NAME_MAX)
            return ra_err_set(err, RA_EINVAL, key, "rules are longer than %d bytes",
                              RA_NAME_MAX - 1);
        snprintf(t.rules, sizeof t.rules, "%s", value);
    } else if (!strcmp(key, "relief")) {
        if ((rc = ra_rule_relief_parse(value, &t.relief, err)) != RA_OK)
            return rc;
    } else if (!strcmp(key, "risk_level") || !strcmp(key, "objective")) {
        ra_agent_params p;
        ra_agent_params_default(&p, t.risk_level ? t.risk_level : 1);
        p.objective = (ra_agent_objective)t.objective;
        if ((rc = ra_agent_param_set(&p, key, value, err)) != RA_OK)
            return rc;
        t.risk_level = p.risk_level;
        t.objective = (int)p.objective;
    } else if (!strcmp(key, "drift_band") || !strcmp(key, "band_rel") ||
               !strcmp(key, "loss_limit") || !strcmp(key, "cash_reserve") ||
               !strcmp(key, "risk_aversion") || !strcmp(key, "te_penalty") ||
               !strcmp(key, "turnover_penalty") || !strcmp(key, "cvar_limit")) {
        if (!number(value, &x))
            return ra_err_set(err, RA_EINVAL, key, "%s must be a number, got \"%s\"", key, value);
        *(!strcmp(key, "drift_band")         ? &t.drift_band
          : !strcmp(key, "band_rel")         ? &t.band_rel
          : !strcmp(key, "loss_limit")       ? &t.loss_limit
          : !strcmp(key, "risk_aversion")    ? &t.risk_aversion
          : !strcmp(key, "te_penalty")       ? &t.te_penalty
          : !strcmp(key, "turnover_penalty") ? &t.turnover_penalty
          : !strcmp(key, "cvar_limit")       ? &t.cvar_limit
                                             : &t.cash_reserve) = x;
    } else if (!strcmp(key, "min_trade_minor") || !strcmp(key, "gain_budget_minor")) {
        if (!integer(value, &i))
            return ra_err_set(err, RA_EINVAL, key, "%s must be a whole number of minor units, "
                              "got \"%s\"", key, value);
        *(!strcmp(key, "min_trade_minor") ? &t.min_trade_minor : &t.gain_budget_minor) = i;
    } else {
        int *slot = !strcmp(key, "discretionary")        ? &t.discretionary
                    : !strcmp(key, "to_band_edge")       ? &t.to_band_edge
                    : !strcmp(key, "buy_only")           ? &t.buy_only
                    : !strcmp(key, "tlh")                ? &t.tlh_enabled
                    : !strcmp(key, "reinvest_dividends") ? &t.reinvest_dividends
                    : !strcmp(key, "fractional")         ? &t.fractional
                    : !strcmp(key, "client_confirm")     ? &t.client_confirm
                                                         : NULL;
        if (!slot)
            return ra_err_set(err, RA_EINVAL, key, "no mandate field \"%s\" (model, "
                              "discretionary, drift_band, band_rel, to_band_edge, buy_only, "
                              "tlh, loss_limit, restrictions, relief, cash_reserve, "
                              "min_trade_minor, reinvest_dividends, fractional, "
                              "gain_budget_minor, client_confirm, risk_level, objective, "
                              "fee_schedule, rules, risk_aversion, te_penalty, "
                              "turnover_penalty, cvar_limit)",
                              key);
        if (!boolean(value, &b))
            return ra_err_set(err, RA_EINVAL, key, "%s must be 0 or 1 (on/off), got \"%s\"",
                              key, value);
        *slot = b;
    }
    if ((rc = ra_rule_mandate_validate(&t, err)) != RA_OK)
        return rc;
    *m = t;
    return RA_OK;
}

const char *ra_rule_mandate_get(const ra_mandate *m, const char *key, char *buf, size_t cap)
{
    buf[0] = 0;
    if (!strcmp(key, "model"))
        snprintf(buf, cap, "%s", m->model);
    else if (!strcmp(key, "restrictions"))
        snprintf(buf, cap, "%s", m->restrictions);
    else if (!strcmp(key, "fee_schedule"))
        snprintf(buf, cap, "%s", m->fee_schedule);
    else if (!strcmp(key, "rules"))
        snprintf(buf, cap, "%s", m->rules);
    else if (!strcmp(key, "relief"))
        snprintf(buf, cap, "%s", ra_rule_relief_name(m->relief));
    else if (!strcmp(key, "objective"))
        snprintf(buf, cap, "%s", ra_agent_objective_name((ra_agent_objective)m->objective));
    else if (!strcmp(key, "risk_level"))
        snprintf(buf, cap, m->risk_level ? "C%d" : "none", m->risk_level);
    else if (!strcmp(key, "drift_band"))
        snprintf(buf, cap, "%.17g", m->drift_band);
    else if (!strcmp(key, "band_rel"))
        snprintf(buf, cap, "%.17g", m->band_rel);
    else if (!strcmp(key, "loss_limit"))
        snprintf(buf, cap, "%.17g", m->loss_limit);
    else if (!strcmp(key, "cash_reserve"))
        snprintf(buf, cap, "%.17g", m->cash_reserve);
    else if (!strcmp(key, "risk_aversion"))
        snprintf(buf, cap, "%.17g", m->risk_aversion);
    else if (!strcmp(key, "te_penalty"))
        snprintf(buf, cap, "%.17g", m->te_penalty);
    else if (!strcmp(key, "turnover_penalty"))
        snprintf(buf, cap, "%.17g", m->turnover_penalty);
    else if (!strcmp(key, "cvar_limit"))
        snprintf(buf, cap, "%.17g", m->cvar_limit);
    else if (!strcmp(key, "min_trade_minor"))
        snprintf(buf, cap, "%" PRId64, m->min_trade_minor);
    else if (!strcmp(key, "gain_budget_minor"))
        snprintf(buf, cap, "%" PRId64, m->gain_budget_minor);
    else {
        const int *v = !strcmp(key, "discretionary")        ? &m->discretionary
                       : !strcmp(key, "to_band_edge")       ? &m->to_band_edge
                       : !strcmp(key, "buy_only")           ? &m->buy_only
                       : !strcmp(key, "tlh")                ? &m->tlh_enabled
                       : !strcmp(key, "reinvest_dividends") ? &m->reinvest_dividends
                       : !strcmp(key, "fractional")         ? &m->fractional
                       : !strcmp(key, "client_confirm")     ? &m->client_confirm
                                                            : NULL;
        if (v)
            snprintf(buf, cap, "%d", *v);
    }
    return buf;
}
