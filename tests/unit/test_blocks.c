/* Fair allocation of block fills (src/core/blocks.c). Expected allocations are derived by hand
 * (Hamilton's largest-remainder method, docs/methodology.md#block-orders). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/blocks.h>

#include "ra_test.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_largest_remainder),
        cmocka_unit_test(test_blocks_ties_by_seed_not_account_order),
        cmocka_unit_test(test_blocks_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
