/* roboadvisor: the library's allocator (base layer). Every allocation of the library goes through
 * ra_malloc, ra_calloc, ra_realloc and ra_free so that a program can route it elsewhere and the
 * tests can fail the k-th allocation (docs/internals/layers.md, "The allocator"). Memory the
 * library hands to the caller is released with the function its header names (ra_store_free,
 * *_destroy), never with a mismatched allocator.
 *
 * The hooks are process-wide, like sqlite3_config(SQLITE_CONFIG_MALLOC): set them once, before
 * any other call into the library and before threads start; ra_alloc_set_hooks(NULL) restores
 * the C library's functions. */
#ifndef ROBOADVISOR_ALLOC_H
#define ROBOADVISOR_ALLOC_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_alloc_hooks {
    void *(*malloc_fn)(void *ctx, size_t n);
    void *(*realloc_fn)(void *ctx, void *p, size_t n); /* p may be NULL */
    void (*free_fn)(void *ctx, void *p);               /* p may be NULL */
    void *ctx;
} ra_alloc_hooks;

/* Installs hooks (all three functions, or NULL for the C library's). Not thread-safe. */
RA_API void ra_alloc_set_hooks(const ra_alloc_hooks *h);

RA_API void *ra_malloc(size_t n);
RA_API void *ra_calloc(size_t count, size_t size); /* NULL on overflow of count*size */
RA_API void *ra_realloc(void *p, size_t n);
RA_API void ra_free(void *p);
RA_API char *ra_strdup(const char *s);              /* NULL for NULL or on failure */
RA_API char *ra_strndup(const char *s, size_t n);   /* at most n bytes, NUL-terminated */
/* Grows the array *arr of *cap elements of elem_size bytes (ra_realloc) to hold at least need,
 * doubling from 8. 0 on success; -1 when out of memory or the size overflows, *arr and *cap then
 * unchanged. */
RA_API int ra_grow(void **arr, size_t *cap, size_t need, size_t elem_size);
/* Stores p in the object pointer out points to: generic code returns a T * through a T ** passed
 * as void * (object pointers share one representation on every platform we build for, as POSIX
 * requires). out must not be NULL. */
RA_API void ra_put_ptr(void *out, void *p);
/* ra_free of ptrs[0..n), in order (NULLs included: ra_free ignores them). */
RA_API void ra_free_all(void *const *ptrs, size_t n);
/* ra_free of each argument, in order: the members of a struct, then the struct itself
 * (RA_FREE_ALL(v->dates, v->values, v)). */
#define RA_FREE_ALL(...)                                                                          \
    ra_free_all((void *const[]){__VA_ARGS__},                                                     \
                sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

#ifdef __cplusplus
}
#endif
#endif
