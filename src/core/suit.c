/* Suitability decisions that take the stored profile into account (include/roboadvisor/models.h):
 * whether a model may be assigned to a client, and which of an agent's parameters survive a new
 * profile. Rules: docs/methodology.md#suitability-and-assignment and
 * docs/methodology.md#onboarding-and-agents. Pure: the caller reads the profile and the agent. */
#include "roboadvisor/models.h"

#include <stdio.h>
#include <string.h>

ra_status ra_suit_assign_check(const char *client, int client_level, ra_date expires,
                               ra_date date, int product_level, const char *product,
                               const char *justification, ra_suit_result *res, ra_err *err)
{
    memset(res, 0, sizeof *res);
    res->client_level = client_level;
    res->product_level = product_level;
    const char *who = client ? client : "the client";
    const char *what = product ? product : "the product";
    if (client_level == 0) {
        snprintf(res->reason, sizeof res->reason,
                 "client %s has no risk profile: onboard the client before assigning %s", who,
                 what);
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "%s", res->reason);
    }
    if (client_level < 1 || client_level > RA_PROF_LEVELS || product_level < 1 ||
        product_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "levels C%d and R%d are not 1..5", client_level,
                          product_level);
    int expired = date >= expires;
    int suitable = product_level <= client_level;
    if (!expired && suitable)
        return ra_suit_check(client_level, product_level, product, justification, res, err);
    char d[11];
    if (expired)
        snprintf(res->reason, sizeof res->reason,
                 "the risk profile of client %s expired on %s: renew it before assigning %s", who,
                 ra_date_format(expires, d), what);
    else
        snprintf(res->reason, sizeof res->reason,
                 "%s has risk level %s, above the client's risk level %s", what,
                 ra_suit_level_name(product_level), ra_prof_level_name(client_level));
    if (client_level == 1) {
        char why[sizeof res->reason];
        snprintf(why, sizeof why, "%s", res->reason);
        snprintf(res->reason, sizeof res->reason, "%.200s; no override for a C1 client", why);
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "%s", res->reason);
    }
    if (!justification)
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "%s", res->reason);
    /* an override: the justification's checks are ra_suit_check's (as if unsuitable) */
    char reason[sizeof res->reason];
    snprintf(reason, sizeof reason, "%s", res->reason);
    ra_status rc = ra_suit_check(1, RA_PROF_LEVELS, what, justification, res, err);
    res->client_level = client_level;
    res->product_level = product_level;
    res->suitable = suitable && !expired;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
    return rc;
}

static const char *const param_names[RA_AGENT_N_PARAMS] = {
    "risk_level", "objective", "drift_band", "tlh", "loss_limit", "cash_reserve"};

const char *ra_agent_param_name(size_t i)
{
    return i < RA_AGENT_N_PARAMS ? param_names[i] : "?";
}

void ra_agent_params_keep(const ra_agent_params *cur, int level, ra_agent_params *out,
                          ra_agent_keep *keep)
{
    ra_agent_params def;
    ra_agent_params_default(&def, level);
    memset(keep, 0, sizeof *keep);
    if (!cur || ra_agent_params_validate(cur, NULL) != RA_OK) {
        *out = def;
        for (size_t i = 0; i < RA_AGENT_N_PARAMS; i++) {
            keep->reset[i] = 1;
            snprintf(keep->why[i], sizeof keep->why[i], "%s",
                     cur ? "the current parameters are not valid" : "a new agent");
        }
        return;
    }
    *out = *cur;
    if (cur->risk_level > level) {
        out->risk_level = def.risk_level;
        keep->reset[0] = 1;
        snprintf(keep->why[0], sizeof keep->why[0], "%s is above the client's new level %s",
                 ra_prof_level_name(cur->risk_level), ra_prof_level_name(level));
    }
    if (cur->objective > def.objective) {
        out->objective = def.objective;
        keep->reset[1] = 1;
        snprintf(keep->why[1], sizeof keep->why[1],
                 "%s is more aggressive than %s, the objective of level %s",
                 ra_agent_objective_name(cur->objective), ra_agent_objective_name(def.objective),
                 ra_prof_level_name(level));
    }
}
