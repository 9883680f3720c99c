/* JSON reading shared by the document readers (src/io/json_int.h). */
#include "io/json_int.h"

#include <roboadvisor/alloc.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Set when an allocation for jansson failed on this thread: jansson reports some of them as
 * syntax errors (its lexer returns an invalid token when its buffer cannot grow). */
static _Thread_local int json_oom;

static void *json_malloc(size_t n)
{
    void *p = ra_malloc(n);
    if (!p)
        json_oom = 1;
    return p;
}
static void json_free(void *p) { ra_free(p); }

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;
static void set_alloc(void) { json_set_alloc_funcs(json_malloc, json_free); }

void ra_io_json_use_ra_alloc(void) { pthread_once(&alloc_once, set_alloc); }

void ra_io_json_oom_clear(void) { json_oom = 0; }
int ra_io_json_oom_seen(void) { return json_oom; }

/* A fixed description of each syntax error (jansson's texts quote the input). */
static const char *reason(const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_invalid_utf8: return "the text is not valid UTF-8";
    case json_error_premature_end_of_input: return "the document ends too early";
    case json_error_end_of_input_expected: return "text after the end of the document";
    case json_error_duplicate_key: return "a key is given twice in one object";
    case json_error_null_character: return "a string holds a NUL character";
    case json_error_null_byte_in_key: return "a key holds a NUL character";
    case json_error_numeric_overflow: return "a number is out of range";
    case json_error_stack_overflow: return "the document nests too deeply";
    default: return "invalid syntax";
    }
}

ra_status ra_io_json_load(const char *data, size_t size, const char *what, json_t **out,
                          ra_err *err)
{
    ra_io_json_use_ra_alloc();
    json_error_t jerr;
    json_oom = 0;
    *out = json_loadb(data ? data : "", size, JSON_REJECT_DUPLICATES, &jerr);
    if (*out && json_oom) {
        /* jansson's lexer ignores a failed append to its text buffer and may return a document
         * with a string cut short: never trust a document read while memory ran out */
        json_decref(*out);
        *out = NULL;
    }
    if (*out)
        return RA_OK;
    /* jansson leaves the error text empty when it cannot even set up its lexer (no memory) */
    if (json_oom || json_error_code(&jerr) == json_error_out_of_memory || jerr.text[0] == '\0')
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate memory to read the %s", what);
    return ra_err_set(err, RA_EPARSE, "$",
                      "the %s is not valid JSON (line %d, column %d, position %d): %s", what,
                      jerr.line, jerr.column, jerr.position, reason(&jerr));
}

ra_status ra_io_json_check_keys(json_t *obj, const char *const *allowed, const char *path,
                                int show, ra_err *err)
{
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach(obj, key, v) {
        i++;
        if (key[0] == '_')
            continue;
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (ok)
            continue;
        if (show) {
            char p[192];
            snprintf(p, sizeof p, "%.120s.%.60s", path, key);
            return ra_err_set(err, RA_EPARSE, p, "\"%.60s\" is not a key of this object", key);
        }
        char list[160];
        size_t o = 0;
        for (const char *const *a = allowed; *a && o < sizeof list; a++)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", a == allowed ? "" : ", ", *a);
        return ra_err_set(err, RA_EPARSE, path,
                          "key %zu of this object is none of %s (the key is not shown: it may be "
                          "personal data)",
                          i, list);
    }
    return RA_OK;
}

ra_status ra_io_json_fail(ra_err *err, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = ra_err_setv(err, RA_EPARSE, path, fmt, ap);
    va_end(ap);
    return rc;
}

const char *ra_io_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}
