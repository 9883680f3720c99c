/* roboadvisor: how figures are written for people and programs (engine layer; src/engine/fmt.c).
 * One rule for every command's output, so that the same amount prints the same way everywhere
 * (docs/cli.md#output). */
#ifndef ROBOADVISOR_ENGINE_FMT_H
#define ROBOADVISOR_ENGINE_FMT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_FMT_DOUBLE_SIZE 32 /* bytes for any double written by ra_fmt_double_shortest */

/* Writes x in the shortest decimal form that reads back as exactly x (strtod), as a JSON number:
 * the fewest significant digits from 1 to 17 with printf's %g ("0.1", "0.03",
 * "0.3333333333333333", "1e+308", "1e-320", "-2.5"); a whole value keeps a ".0" ("2.0") so that it
 * reads as a real. NaN and infinities, which JSON has no number for, are written "null". Returns
 * buf. */
RA_API char *ra_fmt_double_shortest(double x, char buf[RA_FMT_DOUBLE_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
