/* libFuzzer target for the dividends import parser (ra_import_parse, RA_IMPORT_DIVIDENDS); checks in
 * fuzz_import.h. Corpus: fuzz/corpus/import_dividends; see fuzz/README.md. */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(RA_IMPORT_DIVIDENDS, data, size);
}
