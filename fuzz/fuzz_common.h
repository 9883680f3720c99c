/* Shared checks of the libFuzzer targets: a promise of a reader that does not hold aborts, which
 * libFuzzer (and the corpus replay under CTest) reports as a crash. */
#ifndef RA_FUZZ_COMMON_H
#define RA_FUZZ_COMMON_H

#include <roboadvisor/date.h>
#include <roboadvisor/error.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* A fixed-size char array holds its terminating NUL. */
#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static inline int fuzz_date_valid(ra_date d)
{
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    return ra_date_valid(y, m, dd);
}

/* A reader that failed: it left no output, said RA_EPARSE, and wrote a terminated, non-empty
 * message and a terminated place. */
static inline void fuzz_check_rejected(ra_status st, const void *out, const ra_err *err)
{
    CHECK(out == NULL && st == RA_EPARSE && err->code == st && err->msg[0] != '\0');
    CHECK(TERMINATED(err->where) && TERMINATED(err->msg));
}

#endif
