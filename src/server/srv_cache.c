/* roboadvisor server: a cache of answers (srv.h), one per worker thread, so no lock. Direct
 * mapped: a key's slot is its hash modulo the slot count; a new answer replaces what was there.
 * The key carries everything the answer depends on (the caller's scope and the book's version,
 * see the account summary in srv_main.c), so an entry is never invalidated: a changed book makes
 * new keys and the old entries are overwritten in time. */
#include "server/srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key;  /* NULL: empty */
    char *body; /* NUL-terminated, len bytes */
    size_t len;
} slot;

struct srv_cache {
    size_t n;
    slot *v;
};

srv_cache *srv_cache_create(size_t slots)
{
    srv_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->v = calloc(slots ? slots : 1, sizeof *c->v))) {
        free(c);
        return NULL;
    }
    c->n = slots ? slots : 1;
    return c;
}

void srv_cache_destroy(srv_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].key);
        free(c->v[i].body);
    }
    free(c->v);
    free(c);
}

static slot *slot_of(srv_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return &c->v[h % c->n];
}

char *srv_cache_get(srv_cache *c, const char *key)
{
    slot *s = slot_of(c, key);
    if (!s->key || strcmp(s->key, key) != 0)
        return NULL;
    char *t = malloc(s->len + 1);
    if (t)
        memcpy(t, s->body, s->len + 1);
    return t;
}

void srv_cache_put(srv_cache *c, const char *key, const char *body)
{
    slot *s = slot_of(c, key);
    size_t kn = strlen(key) + 1, bn = strlen(body);
    char *k = malloc(kn), *b = malloc(bn + 1);
    if (!k || !b) { /* not kept: the next request computes it again */
        free(k);
        free(b);
        return;
    }
    memcpy(k, key, kn);
    memcpy(b, body, bn + 1);
    free(s->key);
    free(s->body);
    s->key = k;
    s->body = b;
    s->len = bn;
}
