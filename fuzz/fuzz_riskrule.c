/* libFuzzer target for the risk rules' parser (ra_risk_rule_parse, include/roboadvisor/riskrules.h):
 * the input is CODE, WHEN and THEN on three lines (what `roboadvisor rules set` takes from its
 * command line). Aborts when a promise does not hold: a rule accepted is printed back in a
 * canonical form that parses to the same rule; a rule refused says where (when, then or the
 * code). Corpus: fuzz/corpus/riskrule; see fuzz/README.md. */
#include <roboadvisor/riskrules.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int same(const ra_risk_rule *a, const ra_risk_rule *b)
{
    return strcmp(a->code, b->code) == 0 && a->metric == b->metric && a->op == b->op &&
           a->threshold == b->threshold && a->window == b->window &&
           strcmp(a->subject, b->subject) == 0 && a->action == b->action &&
           strcmp(a->target, b->target) == 0 && a->weight == b->weight;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[3][256] = {{0}};
    size_t part = 0, len = 0;
    for (size_t i = 0; i < size && part < 3; i++) {
        if (data[i] == '\n') {
            part++;
            len = 0;
        } else if (len < sizeof buf[0] - 1)
            buf[part][len++] = (char)data[i];
    }
    ra_risk_rule r;
    ra_err err = {0};
    ra_status st = ra_risk_rule_parse(buf[0], buf[1], buf[2], &r, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EINVAL && err.msg[0]);
        return 0;
    }
    CHECK(r.metric >= RA_RISK_DRAWDOWN && r.metric <= RA_RISK_EVENT);
    CHECK(r.action >= RA_RISK_REDUCE && r.action <= RA_RISK_SUSPEND);
    CHECK(isfinite(r.threshold) && r.weight >= 0.0 && r.weight <= 1.0);
    char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX];
    ra_risk_rule_format(&r, when, then);
    ra_risk_rule back;
    CHECK(ra_risk_rule_parse(r.code, when, then, &back, &err) == RA_OK);
    CHECK(same(&r, &back));
    return 0;
}
