/* Tests of the shortest exact number format (include/roboadvisor/engine_fmt.h). Expected texts
 * are the shortest decimals that read back as the same double, by hand: 0.1 and 0.03 are the
 * nearest doubles to those decimals, 1/3 needs 16 digits (0.3333333333333333 reads back as
 * 1/3, 0.333333333333333 does not), 1e-320 is a subnormal whose nearest decimal of one digit
 * reads back, 0.1 + 0.2 is not 0.3 and needs 17 digits. Every case also reads back exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/engine_fmt.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check(double x, const char *want)
{
    char buf[RA_FMT_DOUBLE_SIZE];
    ra_fmt_double_shortest(x, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%.17g printed as \"%s\", want \"%s\"", x, buf, want);
    if (strcmp(want, "null") != 0 && strtod(buf, NULL) != x)
        fail_msg("\"%s\" does not read back as %.17g", buf, x);
}

static void test_fmt_double_shortest_examples(void **state)
{
    (void)state;
    check(0.1, "0.1");
    check(0.03, "0.03");
    check(0.95, "0.95");
    check(1.0 / 3.0, "0.3333333333333333");
    check(0.1 + 0.2, "0.30000000000000004");
    check(1e-320, "1e-320");
    check(1e308, "1e+308");
    check(DBL_MAX, "1.7976931348623157e+308");
    check(5e-324, "5e-324");
    check(2.0, "2.0");
    check(0.0, "0.0");
    check(-0.0, "-0.0");
    check(-2.5, "-2.5");
    check(252.0, "252.0");
    check(123456789012.0, "123456789012.0");
    check(NAN, "null");
    check(INFINITY, "null");
}

/* Every double of a pinned pseudo-random walk reads back exactly (counts its checks). */
static void test_fmt_double_shortest_round_trips(void **state)
{
    (void)state;
    uint64_t s = 0x9E3779B97F4A7C15ull;
    size_t checked = 0;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double x;
        memcpy(&x, &s, sizeof x);
        if (!isfinite(x))
            continue;
        char buf[RA_FMT_DOUBLE_SIZE];
        ra_fmt_double_shortest(x, buf);
        if (strtod(buf, NULL) != x)
            fail_msg("\"%s\" does not read back as %.17g (seed step %d)", buf, x, i);
        checked++;
    }
    assert_true(checked > 19000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_double_shortest_examples),
        cmocka_unit_test(test_fmt_double_shortest_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
