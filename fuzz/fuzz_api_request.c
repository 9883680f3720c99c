/* Fuzzes the server's request parsing (src/server/srv_parse.c): method, path, limit, cursor and
 * Authorization header, one per line of the input, through srv_request_parse and srv_bearer.
 * Whatever the input: no crash, and an answer is either a route or a problem with a status. */
#include "server/srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t)
        return 0;
    memcpy(t, data, size);
    t[size] = 0;
    char *f[5] = {"", "", NULL, NULL, NULL};
    char *s = t;
    for (int i = 0; i < 5 && s; i++) {
        f[i] = s;
        s = strchr(s, '\n');
        if (s)
            *s++ = 0;
    }
    srv_request r;
    srv_problem p;
    int st = srv_request_parse(f[0], f[1], f[2], f[3], &r, &p);
    if (st == 0 && (unsigned)r.route >= R_COUNT)
        abort();
    if (st != 0 && p.status != st)
        abort();
    json_decref(srv_problem_json(&p));
    const char *key;
    size_t n;
    if (srv_bearer(f[4], &key, &n) && n >= RA_APIKEY_TEXT_MAX)
        abort();
    free(t);
    return 0;
}
