/* libFuzzer target for the text forms of a fee schedule (ra_fee_tiers_parse,
 * ra_fee_services_parse: `fees schedule set --tiers ... --services ...` and the stored rows).
 * The input is the tiers, a newline, the services. Tiers that parse are a valid schedule and
 * format to a text that parses to the same tiers and formats the same again; services likewise.
 * A text that does not parse gives RA_EPARSE with a terminated message and place.
 * Corpus: fuzz/corpus/fee_schedule. */
#include <roboadvisor/fees.h>

#include "fuzz_common.h"

#define MAX_IN 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[MAX_IN + 1];
    if (size > MAX_IN)
        size = MAX_IN;
    memcpy(in, data, size);
    in[size] = 0;
    char *services = strchr(in, '\n');
    if (services)
        *services++ = 0;
    ra_err err;
    memset(&err, 0, sizeof err);
    ra_fee_plan p, q;
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    ra_status st = ra_fee_tiers_parse(in, 2, &p.sched, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EPARSE && err.code == st && err.msg[0] && TERMINATED(err.msg) &&
              TERMINATED(err.where));
    } else {
        CHECK(ra_fee_schedule_validate(&p.sched, &err) == RA_OK);
        char t1[RA_FEES_TEXT_MAX], t2[RA_FEES_TEXT_MAX];
        ra_fee_tiers_format(&p.sched, 2, t1, sizeof t1);
        CHECK(ra_fee_tiers_parse(t1, 2, &q.sched, &err) == RA_OK);
        CHECK(q.sched.n_tiers == p.sched.n_tiers &&
              memcmp(q.sched.tiers, p.sched.tiers, p.sched.n_tiers * sizeof p.sched.tiers[0]) ==
                  0);
        CHECK(strcmp(ra_fee_tiers_format(&q.sched, 2, t2, sizeof t2), t1) == 0);
    }
    if (!services)
        return 0;
    memset(&err, 0, sizeof err);
    st = ra_fee_services_parse(services, 2, &p, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EPARSE && err.code == st && err.msg[0] && TERMINATED(err.msg) &&
              TERMINATED(err.where));
        return 0;
    }
    char s1[RA_FEES_TEXT_MAX], s2[RA_FEES_TEXT_MAX];
    ra_fee_services_format(&p, 2, s1, sizeof s1);
    CHECK(ra_fee_services_parse(s1, 2, &q, &err) == RA_OK && q.n_services == p.n_services);
    for (size_t k = 0; k < p.n_services; k++)
        CHECK(strcmp(p.services[k].name, q.services[k].name) == 0 &&
              p.services[k].amount_minor == q.services[k].amount_minor &&
              p.services[k].when == q.services[k].when && p.services[k].amount_minor > 0);
    CHECK(strcmp(ra_fee_services_format(&q, 2, s2, sizeof s2), s1) == 0);
    return 0;
}
