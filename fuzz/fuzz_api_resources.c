/* Fuzzes the JSON bodies of the further resources' POSTs (src/server/srv_parse_resources.c): the
 * first byte picks the body (0 a key, 1 a comment, 2 an erasure, 3 an onboarding, whose document
 * then goes through ra_onboard_doc_parse as the route does), the rest is the body. No crash; an
 * accepted body holds what its struct promises; a refused one has a status and at most
 * SRV_FIELDS_MAX fields. */
#include "server/srv.h"

#include <roboadvisor/onboard_io.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    srv_problem p;
    int st = 0;
    switch (data[0] & 3) {
    case 0: {
        srv_key_request k;
        st = srv_body_key(body, len, &k, &p);
        if (st == 0 && (k.role < 0 || k.role >= RA_ROLE_COUNT))
            abort();
        break;
    }
    case 1: {
        srv_comment_request c;
        st = srv_body_comment(body, len, &c, &p);
        if (st == 0 && (!c.body[0] || strlen(c.body) >= sizeof c.body))
            abort();
        break;
    }
    case 2: {
        srv_erase_request e;
        st = srv_body_erase(body, len, &e, &p);
        if (st == 0 && !e.confirm[0])
            abort();
        break;
    }
    default: {
        srv_onboard_request o;
        st = srv_body_onboard(body, len, &o, &p);
        if (st == 0) {
            if (!o.doc || o.n_consents < 1 || o.n_consents > SRV_CONSENTS_MAX)
                abort();
            for (size_t i = 0; i < o.n_consents; i++)
                if (!o.consents[i].kind[0] || !o.consents[i].version[0])
                    abort();
            ra_onboard_doc *doc = NULL;
            ra_err e = {0};
            if (ra_onboard_doc_parse(o.doc, o.doc_len, &doc, &e) == RA_OK)
                ra_onboard_doc_destroy(doc);
        }
        srv_onboard_request_free(&o);
    }
    }
    if (st != 0 && (p.status != st || p.n > SRV_FIELDS_MAX))
        abort();
    json_decref(srv_problem_json(&p));
    return 0;
}
