/* How figures are written (include/roboadvisor/engine_fmt.h). */
#include <roboadvisor/engine_fmt.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ra_fmt_double_shortest(double x, char buf[RA_FMT_DOUBLE_SIZE])
{
    if (!isfinite(x)) {
        snprintf(buf, RA_FMT_DOUBLE_SIZE, "null");
        return buf;
    }
    /* 17 significant digits always read back exactly (IEEE 754 binary64); fewer often do */
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, RA_FMT_DOUBLE_SIZE, "%.*g", p, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    if (!strpbrk(buf, ".eE")) {
        size_t n = strlen(buf);
        if (n + 2 < RA_FMT_DOUBLE_SIZE)
            memcpy(buf + n, ".0", 3);
    }
    return buf;
}
