/* roboadvisor: string-keyed open-addressing tables (base layer). The library's maps from codes
 * (tickers, import keys, audit-image keys) are arrays of slots with linear probing and a
 * power-of-two capacity; these are their shared hash and growth, so each map keeps only its slot
 * type and its probe. */
#ifndef ROBOADVISOR_HASHTAB_H
#define ROBOADVISOR_HASHTAB_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FNV-1a, 64 bits, of a NUL-terminated string (http://www.isthe.com/chongo/tech/comp/fnv/). */
RA_API uint64_t ra_hash_str(const char *s);

/* The key of a slot, or NULL when the slot is empty. */
typedef const char *ra_slot_key_fn(const void *slot);

/* Grows a table of *cap slots of elem bytes (zeroed slots are empty) to 2 * *cap, or first_cap (a
 * power of two) when empty, and moves every entry to its new probe position (ra_hash_str of its
 * key). Returns 0, or -1 when out of memory or the size overflows (the table is then unchanged). */
RA_API int ra_hashtab_grow(void **slots, size_t *cap, size_t elem, size_t first_cap,
                           ra_slot_key_fn *key_of);

#ifdef __cplusplus
}
#endif
#endif
