/* roboadvisor: the glide-path reader "year,mu,sigma" (io layer, src/io/plan_glide.c;
 * docs/formats.md). The plan itself is in plan.h. */
#ifndef ROBOADVISOR_PLAN_IO_H
#define ROBOADVISOR_PLAN_IO_H

#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses "year,mu,sigma" (header row required with exactly these names, any case; then one row
 * per year where values change). Syntax and errors as in csv.h: RA_EPARSE with err->where
 * "FILE:LINE:COLUMN (NAME)" for a missing or non-integer year, a year outside 1..100 or not
 * strictly increasing, a non-number, mu outside (-1, 1], sigma outside [0, 2], no data row.
 * On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_plan_glide_parse(const char *data, size_t size, const char *source,
                                                  ra_plan_glide **out, ra_err *err);
RA_API void ra_plan_glide_destroy(ra_plan_glide *g);

#ifdef __cplusplus
}
#endif
#endif
