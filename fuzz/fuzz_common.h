/* Shared checks of the libFuzzer targets: a promise of a reader that does not hold aborts, which
 * libFuzzer (and the corpus replay under CTest) reports as a crash. */
#ifndef RA_FUZZ_COMMON_H
#define RA_FUZZ_COMMON_H

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

/* A reader that failed: it left no output, said RA_EPARSE, and wrote a terminated, non-empty
 * message and a terminated place. */
static inline void fuzz_check_rejected(ra_status st, const void *out, const ra_err *err)
{
    CHECK(out == NULL && st == RA_EPARSE && err->code == st && err->msg[0] != '\0');
    CHECK(memchr(err->where, '\0', sizeof err->where) && memchr(err->msg, '\0', sizeof err->msg));
}

#endif
