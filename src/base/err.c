/* Error records: see include/roboadvisor/error.h. */
#include <roboadvisor/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

ra_status ra_err_setv(ra_err *err, ra_status code, const char *where, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    char at[sizeof err->where], msg[sizeof err->msg];
    snprintf(at, sizeof at, "%s", where ? where : "");
    vsnprintf(msg, sizeof msg, fmt, ap);
    err->code = code;
    memcpy(err->where, at, sizeof at);
    memcpy(err->msg, msg, sizeof msg);
    return code;
}

ra_status ra_err_set(ra_err *err, ra_status code, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = ra_err_setv(err, code, where, fmt, ap);
    va_end(ap);
    return rc;
}

ra_status ra_err_wrap(ra_err *err, const char *fmt, ...)
{
    if (!err)
        return RA_OK;
    char prefix[sizeof err->msg], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Long messages are cut, never overflowed: copy the two parts with explicit bounds. */
    size_t cap = sizeof err->msg, lp = strnlen(prefix, cap - 1), lo = strnlen(old, cap - 1);
    size_t pos = 0;
    memcpy(err->msg, prefix, lp);
    pos = lp;
    if (pos + 2 < cap) { err->msg[pos++] = ':'; err->msg[pos++] = ' '; }
    if (lo > cap - 1 - pos) lo = cap - 1 - pos;
    memcpy(err->msg + pos, old, lo);
    err->msg[pos + lo] = '\0';
    return err->code;
}

void ra_err_clear(ra_err *err)
{
    if (!err)
        return;
    err->code = RA_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

const char *ra_status_name(ra_status code)
{
    switch (code) {
    case RA_OK: return "ok";
    case RA_EINVAL: return "invalid";
    case RA_ENOMEM: return "out_of_memory";
    case RA_EPARSE: return "parse_error";
    case RA_EINFEASIBLE: return "infeasible";
    case RA_ENOCONV: return "not_converged";
    case RA_EIO: return "io_error";
    case RA_ENOTFOUND: return "not_found";
    case RA_ECONFLICT: return "conflict";
    case RA_EINTERNAL: return "internal_error";
    case RA_ESINGULAR: return "singular";
    }
    return "unknown_status";
}
