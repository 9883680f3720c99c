/* libFuzzer target for the firm key's text (ra_store_key_parse: 64 hex digits, blanks around):
 * a key that parses formats back to the same hex digits (lower case), and parses again to the
 * same bytes; a text that does not parse gives RA_EPARSE with a message that never quotes it.
 * Corpus: fuzz/corpus/store_key. */
#include <roboadvisor/store.h>

#include "fuzz_common.h"

#include <ctype.h>

static int blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int contains(const char *hay, const uint8_t *needle, size_t n)
{
    for (size_t i = 0, h = strlen(hay); i + n <= h; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t key[RA_STORE_KEY_BYTES], again[RA_STORE_KEY_BYTES];
    ra_err err;
    memset(&err, 0, sizeof err);
    ra_status st = ra_store_key_parse((const char *)data, size, key, &err);
    if (st != RA_OK) {
        CHECK(st == RA_EPARSE && err.code == st && err.msg[0] && TERMINATED(err.msg) &&
              TERMINATED(err.where));
        /* no run of 8 input bytes appears in the message (the key is a secret) */
        for (size_t i = 0; i + 8 <= size; i++) {
            int printable = 1;
            for (size_t k = 0; k < 8 && printable; k++)
                printable = isalnum(data[i + k]);
            if (printable)
                CHECK(!contains(err.msg, data + i, 8));
        }
        return 0;
    }
    char hex[65];
    CHECK(ra_store_key_format(key, hex) == hex && strlen(hex) == 64);
    CHECK(ra_store_key_parse(hex, 64, again, &err) == RA_OK);
    CHECK(memcmp(key, again, sizeof key) == 0);
    /* the hex digits of the input, lower-cased, are the formatted key */
    size_t b = 0;
    while (b < size && blank(data[b]))
        b++;
    CHECK(size - b >= 64);
    for (size_t i = 0; i < 64; i++)
        CHECK(tolower(data[b + i]) == hex[i]);
    return 0;
}
