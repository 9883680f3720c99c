/* Fuzzes the JSON bodies of the server's POSTs (src/server/srv_parse.c): the first byte picks the
 * body (bit 1 clear: decision or withdrawal; set: deposit or re-authorisation note), the rest is the body. No crash; an accepted body holds what its
 * struct promises; a refused one has a status and at most SRV_FIELDS_MAX fields. */
#include "server/srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    srv_problem p;
    int st;
    if (data[0] & 2) {
        srv_deposit dp;
        srv_note nt;
        st = data[0] & 1 ? srv_body_deposit(body, size - 1, &dp, &p)
                         : srv_body_note(body, size - 1, &nt, &p);
        if (st == 0 && (data[0] & 1) && (!dp.amount[0] || !dp.reference[0]))
            abort();
        if (st == 0 && !(data[0] & 1) && !nt.note[0])
            abort();
    } else if (data[0] & 1) {
        srv_decision d;
        st = srv_body_decision(body, size - 1, &d, &p);
        if (st == 0 && (!d.reason[0] || d.n_trades > 64))
            abort();
        for (size_t i = 0; st == 0 && i < d.n_trades; i++)
            if (d.trades[i] < 1)
                abort();
    } else {
        srv_withdrawal w;
        st = srv_body_withdrawal(body, size - 1, &w, &p);
        if (st == 0 && !w.amount[0])
            abort();
    }
    if (st != 0 && (p.status != st || p.n > SRV_FIELDS_MAX))
        abort();
    json_decref(srv_problem_json(&p));
    return 0;
}
