/* The library's allocator: include/roboadvisor/alloc.h. The hooks are one process-wide struct,
 * set before use (sqlite3_config style), so reading it needs no lock. */
#include <roboadvisor/alloc.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static ra_alloc_hooks hooks; /* zero: the C library's functions */

void ra_alloc_set_hooks(const ra_alloc_hooks *h)
{
    if (h && h->malloc_fn && h->realloc_fn && h->free_fn)
        hooks = *h;
    else
        memset(&hooks, 0, sizeof hooks);
}

void *ra_malloc(size_t n)
{
    return hooks.malloc_fn ? hooks.malloc_fn(hooks.ctx, n) : malloc(n);
}

void *ra_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t n = count * size;
    void *p = ra_malloc(n ? n : 1);
    if (p)
        memset(p, 0, n);
    return p;
}

void *ra_realloc(void *p, size_t n)
{
    return hooks.realloc_fn ? hooks.realloc_fn(hooks.ctx, p, n) : realloc(p, n);
}

void ra_free(void *p)
{
    if (hooks.free_fn)
        hooks.free_fn(hooks.ctx, p);
    else
        free(p);
}

int ra_grow(void **arr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (elem_size && nc > SIZE_MAX / elem_size)
        return -1;
    void *p = ra_realloc(*arr, nc * elem_size);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

void ra_free_all(void *const *ptrs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ra_free(ptrs[i]);
}

char *ra_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = ra_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *ra_strdup(const char *s)
{
    return s ? ra_strndup(s, SIZE_MAX) : NULL;
}

void ra_put_ptr(void *out, void *p) { memcpy(out, &p, sizeof p); }
