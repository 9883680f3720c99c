/* Calendar dates as day numbers: include/roboadvisor/date.h. Days-from-civil after
 * H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (public domain algorithms). */
#include <roboadvisor/date.h>


static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int ra_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    int lim = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= lim;
}

ra_date ra_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (ra_date)(era * 146097 + doe - 719468);
}

void ra_date_to_ymd(ra_date date, int *y, int *m, int *d)
{
    int z = date + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp + (mp < 10 ? 3 : -9);
    *y = yy + (mm <= 2);
    *m = mm;
    *d = dd;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

ra_status ra_date_parse(const char *s, size_t len, ra_date *out, ra_err *err)
{
    int y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return ra_err_set(err, RA_EPARSE, NULL, "not an ISO date (YYYY-MM-DD): \"%.*s\"",
                          (int)(len > 40 ? 40 : len), s);
    if (!ra_date_valid(y, m, d))
        return ra_err_set(err, RA_EPARSE, NULL, "no such day: \"%.*s\"", (int)len, s);
    *out = ra_date_from_ymd(y, m, d);
    return RA_OK;
}

char *ra_date_format(ra_date date, char buf[11])
{
    int y, m, d;
    ra_date_to_ymd(date, &y, &m, &d);
    unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
    buf[0] = (char)('0' + uy / 1000); buf[1] = (char)('0' + uy / 100 % 10);
    buf[2] = (char)('0' + uy / 10 % 10); buf[3] = (char)('0' + uy % 10); buf[4] = '-';
    buf[5] = (char)('0' + um / 10); buf[6] = (char)('0' + um % 10); buf[7] = '-';
    buf[8] = (char)('0' + ud / 10); buf[9] = (char)('0' + ud % 10); buf[10] = '\0';
    return buf;
}

size_t ra_date_lower_bound(const ra_date *dates, size_t n, ra_date x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dates[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
