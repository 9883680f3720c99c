/* libFuzzer target for the positions import parser (ra_import_parse, RA_IMPORT_POSITIONS); checks in
 * fuzz_import.h. Corpus: fuzz/corpus/import_positions; see fuzz/README.md. */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(RA_IMPORT_POSITIONS, data, size);
}
