/* The server's per-thread answer cache (src/server/srv_cache.c): four-way set associative with
 * least-recently-used replacement. Expected contents are derived by hand from that rule: a cache
 * created with 4 slots is one set, so every key competes for the same four ways. */
#include "server/srv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int has(srv_cache *c, const char *key, const char *body)
{
    char *t = srv_cache_get(c, key);
    int ok = t && strcmp(t, body) == 0;
    free(t);
    return ok;
}

static int absent(srv_cache *c, const char *key)
{
    char *t = srv_cache_get(c, key);
    free(t);
    return t == NULL;
}

static void test_put_get_replace(void **state)
{
    (void)state;
    srv_cache *c = srv_cache_create(64);
    assert_non_null(c);
    assert_true(absent(c, "k1"));
    srv_cache_put(c, "k1", "{\"v\":1}");
    assert_true(has(c, "k1", "{\"v\":1}"));
    srv_cache_put(c, "k1", "{\"v\":2}"); /* the same key: replaced, not a second entry */
    assert_true(has(c, "k1", "{\"v\":2}"));
    assert_true(absent(c, "k2"));
    srv_cache_destroy(c);
}

/* One set of four: k1..k4 fill it; k1 is then read (most recent), so k5 evicts k2, the least
 * recently used; the checks after that read k1, k3, k4, k5 in that order, so k6 evicts k1. */
static void test_lru_in_a_set(void **state)
{
    (void)state;
    srv_cache *c = srv_cache_create(4);
    assert_non_null(c);
    const char *k[] = {"k1", "k2", "k3", "k4"};
    for (int i = 0; i < 4; i++)
        srv_cache_put(c, k[i], k[i]);
    for (int i = 0; i < 4; i++)
        assert_true(has(c, k[i], k[i])); /* four ways: all four kept (direct mapping kept one) */
    assert_true(has(c, "k1", "k1"));    /* order of use now k2 < k3 < k4 < k1 */
    srv_cache_put(c, "k5", "k5");
    assert_true(absent(c, "k2"));
    assert_true(has(c, "k1", "k1") && has(c, "k3", "k3") && has(c, "k4", "k4"));
    assert_true(has(c, "k5", "k5"));
    srv_cache_put(c, "k6", "k6"); /* order of use k1 < k3 < k4 < k5: k1 goes */
    assert_true(absent(c, "k1"));
    assert_true(has(c, "k3", "k3") && has(c, "k4", "k4") && has(c, "k5", "k5"));
    assert_true(has(c, "k6", "k6"));
    srv_cache_destroy(c);
}

/* Two hot keys that share a set are both answered from the cache on every alternate request
 * (the direct-mapped cache missed both every time). */
static void test_hot_keys_sharing_a_set(void **state)
{
    (void)state;
    srv_cache *c = srv_cache_create(4);
    srv_cache_put(c, "a", "A");
    srv_cache_put(c, "b", "B");
    int hits = 0;
    for (int i = 0; i < 100; i++)
        hits += has(c, i % 2 ? "a" : "b", i % 2 ? "A" : "B");
    assert_int_equal(hits, 100);
    srv_cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_lru_in_a_set),
        cmocka_unit_test(test_hot_keys_sharing_a_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
