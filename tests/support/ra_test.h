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

/* Golden records written by an R script: one a line, "name count v1 ... vcount" (%.17g).
 * ra_golden_load reads a file once (returns 0, or -1 if it cannot be read or is malformed);
 * ra_golden(name, count) returns the record's values or fails the test naming the record and the
 * script to run. */
#include <string.h>
#define RA_GOLDEN_MAX 64
typedef struct ra_golden_rec {
    char name[64];
    size_t count;
    double *v;
} ra_golden_rec;
static ra_golden_rec ra_golden_recs[RA_GOLDEN_MAX];
static size_t ra_golden_n;
static const char *ra_golden_script;

static inline int ra_golden_load(const char *path, const char *script)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    ra_golden_script = script;
    while (ra_golden_n < RA_GOLDEN_MAX) {
        ra_golden_rec *r = &ra_golden_recs[ra_golden_n];
        if (fscanf(f, "%63s %zu", r->name, &r->count) != 2)
            break;
        r->v = malloc((r->count ? r->count : 1) * sizeof *r->v);
        for (size_t i = 0; i < r->count; i++)
            if (!r->v || fscanf(f, "%lf", &r->v[i]) != 1) {
                fclose(f);
                return -1;
            }
        ra_golden_n++;
    }
    fclose(f);
    return 0;
}

static inline void ra_golden_free(void)
{
    for (size_t i = 0; i < ra_golden_n; i++)
        free(ra_golden_recs[i].v);
    ra_golden_n = 0;
}

static inline const double *ra_golden(const char *name, size_t count)
{
    for (size_t i = 0; i < ra_golden_n; i++)
        if (strcmp(ra_golden_recs[i].name, name) == 0) {
            if (ra_golden_recs[i].count != count)
                fail_msg("golden %s has %zu numbers, want %zu", name, ra_golden_recs[i].count,
                         count);
            return ra_golden_recs[i].v;
        }
    fail_msg("golden record %s missing: run %s", name, ra_golden_script);
    return NULL;
}

#endif
