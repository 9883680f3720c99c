/* roboadvisor: calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#ifndef ROBOADVISOR_DATE_H
#define ROBOADVISOR_DATE_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t ra_date; /* days since 1970-01-01; valid for years 1..9999 */

/* Parses exactly "YYYY-MM-DD" (len bytes, not NUL-terminated) and checks the day exists. */
RA_API RA_NODISCARD ra_status ra_date_parse(const char *s, size_t len, ra_date *out, ra_err *err);
/* Days since 1970-01-01 of a valid (y, m, d); the caller checks validity with ra_date_valid. */
RA_API ra_date ra_date_from_ymd(int y, int m, int d);
RA_API int ra_date_valid(int y, int m, int d);
RA_API void ra_date_to_ymd(ra_date date, int *y, int *m, int *d);
/* Writes "YYYY-MM-DD" and a NUL into buf (11 bytes); returns buf. */
RA_API char *ra_date_format(ra_date date, char buf[11]);
/* Index of the first of the ascending dates[0..n) that is on or after x (n when none is). */
RA_API size_t ra_date_lower_bound(const ra_date *dates, size_t n, ra_date x);

#ifdef __cplusplus
}
#endif
#endif
