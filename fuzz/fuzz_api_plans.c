/* Fuzzes the JSON body of POST /v1/clients/{id}/plans (src/server/srv_parse_plans.c). No crash;
 * an accepted body holds what srv_plan_body promises (goal and years present, amounts of digits
 * and at most one inner dot, ranges of mu, sigma, paths and seed, a terminated label); a refused
 * one has an HTTP status, at most SRV_FIELDS_MAX fields, every path starting "$" or "header",
 * and an empty label. */
#include "server/srv_plans.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void amount_ok(const char *a, int required)
{
    size_t n = strnlen(a, 32), dots = 0;
    if (n == 32 || (required && n == 0))
        abort();
    for (size_t i = 0; i < n; i++) {
        if (a[i] == '.')
            dots++;
        else if (a[i] < '0' || a[i] > '9')
            abort();
    }
    if (n && (dots > 1 || a[0] == '.' || a[n - 1] == '.'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    srv_plan_body b;
    srv_problem p;
    int st = srv_body_plan((const char *)data, size, &b, &p);
    if (st == 0) {
        amount_ok(b.goal, 1);
        amount_ok(b.monthly, 0);
        amount_ok(b.initial, 0);
        if (b.years < 1 || b.years > RA_PLAN_MAX_YEARS || b.paths > RA_PLAN_SAVE_MAX_PATHS ||
            b.seed > (uint64_t)INT64_MAX)
            abort();
        if (b.have_mu && (!(b.mu > -1.0 && b.mu <= RA_PLAN_MAX_MU) ||
                          !(b.sigma >= 0.0 && b.sigma <= RA_PLAN_MAX_SIGMA)))
            abort();
        if (strnlen(b.label, sizeof b.label) == sizeof b.label ||
            strnlen(b.account, sizeof b.account) == sizeof b.account)
            abort();
    } else {
        if (st != p.status || st < 400 || st > 599 || p.n > SRV_FIELDS_MAX || b.label[0])
            abort();
        for (size_t i = 0; i < p.n; i++)
            if (p.fields[i].path[0] != '$' && strncmp(p.fields[i].path, "header", 6) != 0)
                abort();
    }
    return 0;
}
