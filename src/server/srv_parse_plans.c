/* roboadvisor server: the body of POST /v1/clients/{id}/plans (srv_plans.h). Pure, like
 * srv_parse.c: fuzz/fuzz_api_plans.c calls it. Problems name the JSON path, never a value (the
 * label is personal data). */
#include "server/srv_plans.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* An optional amount: a decimal string "123" or "123.45" (digits are checked by the route). */
static void take_amount(json_t *o, const char *k, char *out, size_t cap, int required,
                        srv_problem *p)
{
    if (!srv_take_str(o, k, out, cap, required, p))
        return;
    size_t n = strlen(out), i = 0, dots = 0, digits = 0;
    for (; i < n; i++) {
        if (out[i] == '.')
            dots++;
        else if (out[i] >= '0' && out[i] <= '9')
            digits++;
        else
            break;
    }
    if (i < n || dots > 1 || !digits || out[0] == '.' || out[n - 1] == '.') {
        char path[32];
        snprintf(path, sizeof path, "$.%s", k);
        srv_problem_field(p, path, "must be a decimal amount as a string (\"1234.56\")");
        out[0] = 0;
    }
}

/* An optional whole number in [lo, hi] into *out: 1 taken. */
static int take_int(json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *out,
                    srv_problem *p)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char path[32];
        snprintf(path, sizeof path, "$.%s", k);
        srv_problem_field(p, path, "must be a whole number from %lld to %lld", (long long)lo,
                          (long long)hi);
        return 0;
    }
    *out = json_integer_value(v);
    return 1;
}

/* An optional number in (lo, hi] (open_lo) or [lo, hi]: 1 taken. */
static int take_rate(json_t *o, const char *k, double lo, double hi, int open_lo, double *out,
                     const char *detail, srv_problem *p)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return 0;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (!(open_lo ? x > lo : x >= lo) || !(x <= hi)) {
        char path[32];
        snprintf(path, sizeof path, "$.%s", k);
        srv_problem_field(p, path, "%s", detail);
        return 0;
    }
    *out = x;
    return 1;
}

int srv_body_plan(const char *body, size_t len, srv_plan_body *out, srv_problem *p)
{
    static const char *const known[] = {"goal", "years", "monthly", "initial", "account", "mu",
                                        "sigma", "paths", "seed", "label", NULL};
    memset(out, 0, sizeof *out);
    json_t *o = srv_body_object(body, len, known, p);
    if (!o)
        return p->status;
    take_amount(o, "goal", out->goal, sizeof out->goal, 1, p);
    take_amount(o, "monthly", out->monthly, sizeof out->monthly, 0, p);
    take_amount(o, "initial", out->initial, sizeof out->initial, 0, p);
    int64_t v = 0;
    if (take_int(o, "years", 1, RA_PLAN_MAX_YEARS, &v, p))
        out->years = (int)v;
    else if (!json_object_get(o, "years"))
        srv_problem_field(p, "$.years", "is required");
    if (take_int(o, "paths", 1, RA_PLAN_SAVE_MAX_PATHS, &v, p))
        out->paths = (size_t)v;
    if (take_int(o, "seed", 0, INT64_MAX, &v, p)) {
        out->seed = (uint64_t)v;
        out->have_seed = 1;
    }
    int mu = take_rate(o, "mu", -1.0, RA_PLAN_MAX_MU, 1, &out->mu,
                       "must be an annual decimal return in (-1, 1] (0.07 for 7 %)", p);
    int sigma = take_rate(o, "sigma", 0.0, RA_PLAN_MAX_SIGMA, 0, &out->sigma,
                          "must be an annual decimal volatility in [0, 2] (0.15 for 15 %)", p);
    int has_mu = json_object_get(o, "mu") != NULL, has_sigma = json_object_get(o, "sigma") != NULL;
    if (has_mu != has_sigma)
        srv_problem_field(p, has_mu ? "$.sigma" : "$.mu", "mu and sigma go together");
    out->have_mu = mu && sigma;
    if (srv_take_str(o, "account", out->account, sizeof out->account, 0, p)) {
        size_t n = strlen(out->account);
        int good = n > 0;
        for (size_t i = 0; i < n && good; i++) {
            char c = out->account[i];
            good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
        }
        if (!good) {
            srv_problem_field(p, "$.account", "must be a code: letters, digits, '-', '_' or '.'");
            out->account[0] = 0;
        }
    }
    (void)srv_take_str(o, "label", out->label, sizeof out->label, 0, p);
    json_decref(o);
    if (p->status)
        memset(out->label, 0, sizeof out->label);
    return p->status;
}
