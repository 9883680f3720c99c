/* String-keyed open-addressing tables: see include/roboadvisor/hashtab.h. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/hashtab.h>

#include <stdint.h>
#include <string.h>

uint64_t ra_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* the FNV-1a 64-bit offset basis and prime */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int ra_hashtab_grow(void **slots, size_t *cap, size_t elem, size_t first_cap,
                    ra_slot_key_fn *key_of)
{
    size_t ncap = *cap ? 2 * *cap : first_cap;
    if (ncap < *cap || elem == 0 || ncap > SIZE_MAX / elem)
        return -1;
    char *ns = ra_calloc(ncap, elem);
    if (!ns)
        return -1;
    const char *old = *slots;
    for (size_t i = 0; i < *cap; i++) {
        const void *slot = old + i * elem;
        const char *key = key_of(slot);
        if (!key)
            continue;
        size_t j = (size_t)ra_hash_str(key) & (ncap - 1);
        while (key_of(ns + j * elem))
            j = (j + 1) & (ncap - 1);
        memcpy(ns + j * elem, slot, elem);
    }
    ra_free(*slots);
    *slots = ns;
    *cap = ncap;
    return 0;
}
