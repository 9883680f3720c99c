/* Fair allocation of block fills (src/core/blocks.c). Expected allocations are derived by hand
 * (Hamilton's largest-remainder method, docs/methodology.md#block-orders). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/blocks.h>

#include "ra_test.h"

#include <string.h>

#define SH(n) ((ra_micro)(n) * 1000000)

/* Orders of 100, 200 and 300 shares, 100 filled: exact shares 16.67, 33.33, 50; floors 16, 33,
 * 50 (99); the one share left goes to the largest fraction, 0.67: 17, 33, 50. */
static void test_blocks_largest_remainder(void **state)
{
    (void)state;
    ra_micro o[3] = {SH(100), SH(200), SH(300)}, a[3];
    uint32_t rank[3];
    ra_err err = {0};
    assert_int_equal(ra_block_allocate(o, 3, SH(100), SH(1), 42, a, rank, &err), RA_OK);
    assert_int_equal(a[0], SH(17));
    assert_int_equal(a[1], SH(33));
    assert_int_equal(a[2], SH(50));
    /* all filled: each gets what it ordered; nothing filled: nothing */
    assert_int_equal(ra_block_allocate(o, 3, SH(600), SH(1), 42, a, rank, &err), RA_OK);
    assert_int_equal(a[2], SH(300));
    assert_int_equal(ra_block_allocate(o, 3, 0, SH(1), 42, a, rank, &err), RA_OK);
    assert_int_equal(a[0] + a[1] + a[2], 0);
}

/* 100-share lots: orders of 300, 500 and 200 shares (3, 5, 2 lots), 500 filled (5 lots): exact 1.5,
 * 2.5, 1 lots; floors 1, 2, 1; one lot left for two equal fractions of 0.5: the seeded order
 * decides, and over seeds both accounts win it, so never the account order. */
static void test_blocks_ties_by_seed_not_account_order(void **state)
{
    (void)state;
    ra_micro o[3] = {SH(300), SH(500), SH(200)}, a[3];
    uint32_t rank[3];
    ra_err err = {0};
    int won[3] = {0, 0, 0};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        assert_int_equal(ra_block_allocate(o, 3, SH(500), SH(100), seed, a, rank, &err), RA_OK);
        assert_int_equal(a[0] + a[1] + a[2], SH(500));
        assert_int_equal(a[2], SH(100));
        assert_true(a[0] % SH(100) == 0 && a[1] % SH(100) == 0);
        int w = a[0] == SH(200) ? 0 : 1;
        assert_int_equal(a[w], w == 0 ? SH(200) : SH(300));
        /* the winner is the tied account first in the recorded order */
        assert_true(rank[w] < rank[1 - w]);
        won[w]++;
        /* the same seed gives the same allocation */
        ra_micro b[3];
        assert_int_equal(ra_block_allocate(o, 3, SH(500), SH(100), seed, b, NULL, &err), RA_OK);
        assert_int_equal(b[0], a[0]);
    }
    assert_true(won[0] > 60 && won[1] > 60);
}

static void test_blocks_rejects_bad_input(void **state)
{
    (void)state;
    ra_micro o[2] = {SH(100), SH(150)}, a[2];
    ra_err err = {0};
    assert_int_equal(ra_block_allocate(o, 2, SH(100), SH(100), 1, a, NULL, &err), RA_EINVAL);
    assert_string_equal(err.where, "account 2");
    o[1] = SH(100);
    assert_int_equal(ra_block_allocate(o, 2, SH(300), SH(100), 1, a, NULL, &err), RA_EINVAL);
    assert_int_equal(ra_block_allocate(o, 2, SH(50), SH(100), 1, a, NULL, &err), RA_EINVAL);
}

/* A block of 6 whole-share orders (67, 929, 23, 8, 993, 3 = 2023 shares) filled in two parts, each
 * allocated pro rata to what the orders still have open (docs/methodology.md#block-orders).
 * Fill 1, 1000 shares, by hand: 1000 * q / 2023 = 33.119, 459.219, 11.369, 3.954, 490.855, 1.483;
 * floors 33 + 459 + 11 + 3 + 490 + 1 = 997; the 3 left go to the fractions .954, .855, .483:
 * 33, 459, 11, 4, 491, 2 (no tie: the seed does not matter). Open after it: 34, 470, 12, 4, 502, 1
 * (1023). Fill 2, 500 shares: 500 * q / 1023 = 16.618, 229.717, 5.865, 1.955, 245.357, 0.489;
 * floors 16 + 229 + 5 + 1 + 245 + 0 = 496; the 4 left go to .955, .865, .717, .618:
 * 17, 230, 6, 2, 245, 0. Fill 3, the 523 left: each gets exactly what it has open. */
static void test_blocks_partial_fills_by_open_quantity(void **state)
{
    (void)state;
    ra_micro o[6] = {SH(67), SH(929), SH(23), SH(8), SH(993), SH(3)}, a[6];
    const ra_micro w1[6] = {SH(33), SH(459), SH(11), SH(4), SH(491), SH(2)};
    const ra_micro w2[6] = {SH(17), SH(230), SH(6), SH(2), SH(245), 0};
    ra_err err = {0};
    for (uint64_t seed = 1; seed <= 5; seed++) {
        ra_micro open[6];
        memcpy(open, o, sizeof open);
        assert_int_equal(ra_block_allocate(open, 6, SH(1000), SH(1), seed, a, NULL, &err), RA_OK);
        for (int i = 0; i < 6; i++) {
            assert_int_equal(a[i], w1[i]);
            open[i] -= a[i];
        }
        assert_int_equal(ra_block_allocate(open, 6, SH(500), SH(1), seed, a, NULL, &err), RA_OK);
        ra_micro left = 0;
        for (int i = 0; i < 6; i++) {
            assert_int_equal(a[i], w2[i]);
            open[i] -= a[i];
            left += open[i];
        }
        assert_int_equal(left, SH(523));
        assert_int_equal(ra_block_allocate(open, 6, left, SH(1), seed, a, NULL, &err), RA_OK);
        for (int i = 0; i < 6; i++)
            assert_int_equal(a[i], open[i]);
    }
}

/* Fractional members (step 1 micro-share): 3 orders of 1.5, 1.5 and 1 share, 1 micro-share
 * filled: quotas 0.375, 0.375, 0.25 micro-shares, floors 0, one unit left for the two equal
 * fractions 0.375: the seeded order picks one of the first two, never the third. */
static void test_blocks_fractional_tie(void **state)
{
    (void)state;
    ra_micro o[3] = {1500000, 1500000, 1000000}, a[3];
    uint32_t rank[3];
    ra_err err = {0};
    int won[2] = {0, 0};
    for (uint64_t seed = 1; seed <= 100; seed++) {
        assert_int_equal(ra_block_allocate(o, 3, 1, 1, seed, a, rank, &err), RA_OK);
        assert_int_equal(a[2], 0);
        assert_int_equal(a[0] + a[1], 1);
        won[a[1]]++;
        assert_true(rank[a[1] ? 1 : 0] < rank[a[1] ? 0 : 1]);
    }
    assert_true(won[0] > 20 && won[1] > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_largest_remainder),
        cmocka_unit_test(test_blocks_ties_by_seed_not_account_order),
        cmocka_unit_test(test_blocks_rejects_bad_input),
        cmocka_unit_test(test_blocks_partial_fills_by_open_quantity),
        cmocka_unit_test(test_blocks_fractional_tie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
