/* roboadvisor server: a cache of answers (srv.h), one per worker thread, so no lock. Four-way
 * set associative: a key's set is its hash modulo the set count, and a new answer replaces the
 * set's least recently used entry (direct mapping let two hot keys of one slot evict each other on
 * every request: 1,000 hot accounts in 16,384 slots missed about one request in twenty).
 * The key carries everything the answer depends on (the caller's scope and the book's version,
 * see the account summary in srv_main.c), so an entry is never invalidated: a changed book makes
 * new keys and the old entries are overwritten in time. */
#include "server/srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

typedef struct slot {
    char *key;  /* NULL: empty */
    char *body; /* NUL-terminated, len bytes */
    size_t len;
    uint64_t used; /* the cache's clock at its last use */
} slot;

struct srv_cache {
    size_t n; /* slots: a multiple of WAYS */
    slot *v;
    uint64_t clock;
};

srv_cache *srv_cache_create(size_t slots)
{
    size_t n = (slots + WAYS - 1) / WAYS * WAYS;
    if (n == 0)
        n = WAYS;
    srv_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->v = calloc(n, sizeof *c->v))) {
        free(c);
        return NULL;
    }
    c->n = n;
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

/* the first slot of key's set */
static slot *set_of(srv_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return &c->v[h % (c->n / WAYS) * WAYS];
}

static slot *find(slot *set, const char *key)
{
    for (int i = 0; i < WAYS; i++)
        if (set[i].key && strcmp(set[i].key, key) == 0)
            return &set[i];
    return NULL;
}

char *srv_cache_get(srv_cache *c, const char *key)
{
    slot *s = find(set_of(c, key), key);
    if (!s)
        return NULL;
    s->used = ++c->clock;
    char *t = malloc(s->len + 1);
    if (t)
        memcpy(t, s->body, s->len + 1);
    return t;
}

void srv_cache_put(srv_cache *c, const char *key, const char *body)
{
    slot *set = set_of(c, key), *s = find(set, key);
    for (int i = 0; !s && i < WAYS; i++) /* else an empty slot, else the least recently used */
        if (!set[i].key)
            s = &set[i];
    if (!s) {
        s = &set[0];
        for (int i = 1; i < WAYS; i++)
            if (set[i].used < s->used)
                s = &set[i];
    }
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
    s->used = ++c->clock;
}
