/* libFuzzer target for the audit checkpoint reader (ra_store_checkpoint_parse, store.h): never a
 * crash; on success the fields keep their promises (a firm code, 64 hex digits of head and MAC),
 * the text form of what was read reads back the same, and on failure the output is zeroed and the
 * message names a JSON path. Corpus: fuzz/corpus/checkpoint; see fuzz/README.md. */
#include <roboadvisor/store.h>

#include "fuzz_common.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_store_checkpoint cp, back;
    ra_err err;
    memset(&err, 0, sizeof err);
    if (ra_store_checkpoint_parse((const char *)data, size, &cp, &err) != RA_OK) {
        CHECK(err.code == RA_EPARSE && err.where[0] == '$');
        CHECK(cp.firm[0] == 0 && cp.seq == 0 && cp.head[0] == 0 && cp.mac[0] == 0);
        return 0;
    }
    CHECK(cp.firm[0] && strlen(cp.head) == 64 && strlen(cp.mac) == 64);
    char text[RA_STORE_CHECKPOINT_MAX];
    CHECK(ra_store_checkpoint_format(&cp, text, &err) == RA_OK);
    CHECK(ra_store_checkpoint_parse(text, strlen(text), &back, &err) == RA_OK);
    CHECK(back.seq == cp.seq && back.at == cp.at && strcmp(back.firm, cp.firm) == 0 &&
          strcmp(back.head, cp.head) == 0 && strcmp(back.mac, cp.mac) == 0);
    return 0;
}
