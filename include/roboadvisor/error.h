/* roboadvisor: status codes and the error record every fallible call fills.
 * Functions return ra_status; the ra_err (last argument, may be NULL) says where and why. */
#ifndef ROBOADVISOR_ERROR_H
#define ROBOADVISOR_ERROR_H

#include "common.h"

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_status { /* append only: the numbers appear in logs and JSON */
    RA_OK = 0,
    RA_EINVAL,      /* an argument or option is wrong */
    RA_ENOMEM,      /* an allocation failed */
    RA_EPARSE,      /* outside input could not be parsed */
    RA_EINFEASIBLE, /* the problem has no solution (constraints conflict, no sign change, ...) */
    RA_ENOCONV,     /* an iterative method stopped without converging */
    RA_EIO,         /* a file or device could not be read or written */
    RA_ENOTFOUND,   /* a named thing does not exist */
    RA_ECONFLICT,   /* the request conflicts with the current state */
    RA_EINTERNAL,   /* a bug: an invariant of ours did not hold */
    RA_ESINGULAR    /* a matrix is singular, nearly singular or indefinite */
} ra_status;

typedef struct ra_err {
    ra_status code;
    char where[128]; /* "prices.csv:14:3 (SPY)" or "$.trades[2].qty"; empty if not about input */
    char msg[256];   /* lower case, no final period, names the value */
} ra_err;

/* Fills err (if not NULL) and returns code. where may be NULL. */
RA_API ra_status ra_err_set(ra_err *err, ra_status code, const char *where, const char *fmt, ...)
    RA_PRINTF(4, 5);
/* ra_err_set with the arguments as a va_list (for the library's own printf-like error helpers).
 * The message is formatted before err is written, so where and the arguments may point into
 * err itself. */
RA_API ra_status ra_err_setv(ra_err *err, ra_status code, const char *where, const char *fmt,
                             va_list ap) RA_PRINTF(4, 0);
/* Prepends "context: " to err->msg, keeping code and where; returns err->code (RA_OK if err NULL). */
RA_API ra_status ra_err_wrap(ra_err *err, const char *fmt, ...) RA_PRINTF(2, 3);
/* Clears err to RA_OK with empty strings. */
RA_API void ra_err_clear(ra_err *err);
/* Stable lower-case name of a status ("ok", "invalid", "infeasible", ...). */
RA_API const char *ra_status_name(ra_status code);

#ifdef __cplusplus
}
#endif
#endif
