/* JSON reading shared by the document readers of src/io (not public): jansson with the library's
 * allocator, and syntax errors reported without quoting the input. */
#ifndef RA_IO_JSON_INT_H
#define RA_IO_JSON_INT_H

#include <roboadvisor/alloc.h>
#include <roboadvisor/error.h>

#include <jansson.h>

/* Parses data[0..size) (duplicate keys rejected) into *out (the caller json_decref's it).
 * RA_ENOMEM when out of memory; RA_EPARSE at "$" with "the WHAT is not valid JSON (line L,
 * column C, position P): REASON", REASON a fixed text chosen by jansson's error code — never
 * jansson's own text, whose "near '...'" quotes the input (it may be a name or a tax id). */
ra_status ra_io_json_load(const char *data, size_t size, const char *what, json_t **out,
                          ra_err *err);

/* Every key of obj is one of allowed (NULL-terminated) or a "_" comment; else RA_EPARSE. show: name
 * the key (where "PATH.KEY": documents the firm writes, such as questionnaires); 0: name it by its
 * place in the object (where PATH), since in a document about a client a key may be data. */
ra_status ra_io_json_check_keys(json_t *obj, const char *const *allowed, const char *path,
                                int show, ra_err *err);

/* RA_EPARSE at path with the printf-style message (cut to the size of err->msg). */
ra_status ra_io_json_fail(ra_err *err, const char *path, const char *fmt, ...) RA_PRINTF(3, 4);

/* The type of v as messages name it: "an object", "an array", "a string", "a number", ... */
const char *ra_io_json_type_name(const json_t *v);

/* Whether an allocation for jansson failed on this thread since the last clear: jansson ignores
 * some failures (a string cut short), so a result made while this is set is not trusted. */
void ra_io_json_oom_clear(void);
int ra_io_json_oom_seen(void);

/* Routes jansson's allocations through ra_malloc/ra_free (once per process; thread-safe). */
void ra_io_json_use_ra_alloc(void);

#endif
