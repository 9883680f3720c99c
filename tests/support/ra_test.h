/* Test helpers shared by tests/unit: include after <setjmp.h>, <stdarg.h>, <stddef.h>, <cmocka.h>. */
#ifndef RA_TEST_H
#define RA_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* |got - want| <= atol + rtol*|want|, printing got, want and the tolerance on failure. */
#define RA_ASSERT_CLOSE(got, want, atol, rtol)                                                      \
    do {                                                                                            \
        double ra_g_ = (got), ra_w_ = (want), ra_a_ = (atol), ra_r_ = (rtol);                       \
        double ra_tol_ = ra_a_ + ra_r_ * fabs(ra_w_);                                               \
        if (!(fabs(ra_g_ - ra_w_) <= ra_tol_))                                                      \
            fail_msg("%s = %.17g, want %.17g (|diff| %.3g > tol %.3g)", #got, ra_g_, ra_w_,          \
                     fabs(ra_g_ - ra_w_), ra_tol_);                                                 \
    } while (0)

/* An ra_err with exactly this code, place and message. */
#define RA_ASSERT_ERR(err, code_, where_, msg_)                                                     \
    do {                                                                                            \
        assert_int_equal((err).code, (code_));                                                      \
        assert_string_equal((err).where, (where_));                                                 \
        assert_string_equal((err).msg, (msg_));                                                     \
    } while (0)

/* Path of a file in ../shared/data (the real market data). */
#define RA_DATA(name) RA_SHARED_DATA_DIR "/" name
/* Path of a file in tests/golden. */
#define RA_GOLDEN(name) RA_GOLDEN_DIR "/" name

#endif
