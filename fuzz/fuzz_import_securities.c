/* libFuzzer target for the securities import parser (ra_import_parse, RA_IMPORT_SECURITIES); checks in
 * fuzz_import.h. Corpus: fuzz/corpus/import_securities; see fuzz/README.md. */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(RA_IMPORT_SECURITIES, data, size);
}
