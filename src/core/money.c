/* Exact money arithmetic: include/roboadvisor/money.h. The rounding rule lives here and only here
 * (docs/methodology.md#rounding): round once, at the end, to the nearest unit, ties to even. */
#include <roboadvisor/money.h>

#include "core/money_int.h"

#include <math.h>
#include <string.h>

#define QUOTE_MAX 40 /* characters of an input echoed in a message */

static const int64_t pow10_tab[19] = {
    INT64_C(1),
    INT64_C(10),
    INT64_C(100),
    INT64_C(1000),
    INT64_C(10000),
    INT64_C(100000),
    INT64_C(1000000),
    INT64_C(10000000),
    INT64_C(100000000),
    INT64_C(1000000000),
    INT64_C(10000000000),
    INT64_C(100000000000),
    INT64_C(1000000000000),
    INT64_C(10000000000000),
    INT64_C(100000000000000),
    INT64_C(1000000000000000),
    INT64_C(10000000000000000),
    INT64_C(100000000000000000),
    INT64_C(1000000000000000000),
};

int64_t ra_money_pow10(int k) { return pow10_tab[k]; }

/* n/d rounded to nearest, ties to even; d != 0. Truncating division gives q and r with
 * n = q*d + r and |r| < |d|; the exact quotient lies |r|/|d| beyond q, away from zero. */
ra_i128 ra_money_round_div(ra_i128 n, ra_i128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    ra_i128 q = n / d, r = n % d;
    if (r == 0)
        return q;
    ra_i128 ar = r < 0 ? -r : r;
    int away = 2 * ar > d || (2 * ar == d && (q % 2 != 0));
    if (away)
        q += n < 0 ? -1 : 1;
    return q;
}

int ra_money_fits(ra_i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

static int valid_minor_digits(int d) { return d == 0 || d == 2 || d == 3; }

ra_status ra_money_value(ra_micro qty_micro, ra_price price, int minor_digits, ra_minor *out,
                         ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "value needs an output");
    if (!valid_minor_digits(minor_digits))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a currency has 0, 2 or 3 minor digits, got %d", minor_digits);
    /* qty/1e6 shares * price/1e6 units * 10^d minor per unit = qty*price / 10^(12-d). */
    ra_i128 v = ra_money_round_div((ra_i128)qty_micro * price, pow10_tab[12 - minor_digits]);
    if (!ra_money_fits(v)) {
        char q[RA_MONEY_FMT_SIZE], p[RA_MONEY_FMT_SIZE];
        return ra_err_set(err, RA_EINVAL, NULL,
                          "value of %s shares at %s does not fit in 64-bit minor units",
                          ra_money_format_qty(qty_micro, q, sizeof q),
                          ra_money_format_price(price, p, sizeof p));
    }
    *out = (ra_minor)v;
    return RA_OK;
}

ra_status ra_money_muldiv(int64_t a, int64_t b, int64_t c, int64_t *out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "muldiv needs an output");
    if (c == 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "cannot divide %lld * %lld by zero", (long long)a, (long long)b);
    ra_i128 v = ra_money_round_div((ra_i128)a * b, c);
    if (!ra_money_fits(v))
        return ra_err_set(err, RA_EINVAL, NULL, "%lld * %lld / %lld does not fit in 64 bits",
                          (long long)a, (long long)b, (long long)c);
    *out = (int64_t)v;
    return RA_OK;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int starts_with_ci(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

ra_status ra_money_decimal_args_check(const char *s, size_t len, int digits, const int64_t *out,
                                      ra_err *err)
{
    if (!out || (!s && len))
        return ra_err_set(err, RA_EINVAL, NULL, "decimal parsing needs a text and an output");
    if (digits < 0 || digits > 18)
        return ra_err_set(err, RA_EINVAL, NULL, "decimals must be 0..18, got %d", digits);
    return RA_OK;
}

ra_status ra_money_parse_decimal(const char *s, size_t len, int digits, int64_t *out, ra_err *err)
{
    ra_status st = ra_money_decimal_args_check(s, len, digits, out, err);
    if (st != RA_OK)
        return st;
    int ql = len > QUOTE_MAX ? QUOTE_MAX : (int)len;
    const char *ell = len > QUOTE_MAX ? "..." : "";
    if (len == 0)
        return ra_err_set(err, RA_EPARSE, NULL, "not a number: empty text");
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (starts_with_ci(s + i, len - i, "nan") || starts_with_ci(s + i, len - i, "inf"))
        return ra_err_set(err, RA_EPARSE, NULL, "not a number: \"%.*s%s\"", ql, s, ell);
    ra_i128 v = 0; /* magnitude so far, capped just above INT64_MAX */
    const ra_i128 cap = (ra_i128)INT64_MAX + 1;
    size_t n_int = 0, n_frac = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_int++)
        if (v < cap)
            v = v * 10 + (s[i] - '0');
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_frac++)
            if (v < cap)
                v = v * 10 + (s[i] - '0');
        if (n_frac == 0)
            n_int = 0; /* "1." is not a number: make the check below reject it */
    }
    if (i < len || n_int == 0) {
        for (size_t j = 0; j < len; j++)
            if ((s[j] == 'e' || s[j] == 'E') && j > 0 && s[j - 1] >= '0' && s[j - 1] <= '9')
                return ra_err_set(err, RA_EPARSE, NULL,
                                  "exponent notation is not accepted: \"%.*s%s\"", ql, s, ell);
        return ra_err_set(err, RA_EPARSE, NULL, "not a decimal number: \"%.*s%s\"", ql, s, ell);
    }
    if (n_frac > (size_t)digits)
        return ra_err_set(err, RA_EPARSE, NULL,
                          "\"%.*s%s\" has %zu decimals, at most %d allowed", ql, s, ell, n_frac,
                          digits);
    for (size_t k = n_frac; k < (size_t)digits && v < cap; k++)
        v *= 10;
    if (v > INT64_MAX) {
        char lim[RA_MONEY_FMT_SIZE];
        return ra_err_set(err, RA_EPARSE, NULL, "\"%.*s%s\" is out of range (magnitude at most %s)",
                          ql, s, ell, ra_money_format_decimal(INT64_MAX, digits, lim, sizeof lim));
    }
    *out = (int64_t)(neg ? -v : v);
    return RA_OK;
}

ra_status ra_money_parse_minor(const char *s, size_t len, int minor_digits, ra_minor *out,
                               ra_err *err)
{
    if (!valid_minor_digits(minor_digits))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a currency has 0, 2 or 3 minor digits, got %d", minor_digits);
    return ra_money_parse_decimal(s, len, minor_digits, out, err);
}

ra_status ra_money_parse_qty(const char *s, size_t len, ra_micro *out, ra_err *err)
{
    return ra_money_parse_decimal(s, len, RA_QTY_DIGITS, out, err);
}

ra_status ra_money_parse_price(const char *s, size_t len, ra_price *out, ra_err *err)
{
    return ra_money_parse_decimal(s, len, RA_PRICE_DIGITS, out, err);
}

char *ra_money_format_decimal(int64_t value, int digits, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    if (digits < 0 || digits > 18)
        digits = 0;
    /* Magnitude as unsigned so that INT64_MIN formats too. */
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char tmp[RA_MONEY_FMT_SIZE];
    size_t n = 0;
    int k = 0;
    do {
        if (k == digits && digits > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        k++;
    } while (mag > 0 || k <= digits);
    if (value < 0)
        tmp[n++] = '-';
    size_t out = 0;
    while (n > 0 && out + 1 < size)
        buf[out++] = tmp[--n];
    buf[out] = '\0';
    return buf;
}

char *ra_money_format_minor(ra_minor value, int minor_digits, char *buf, size_t size)
{
    return ra_money_format_decimal(value, minor_digits, buf, size);
}

char *ra_money_format_qty(ra_micro qty, char *buf, size_t size)
{
    return ra_money_format_decimal(qty, RA_QTY_DIGITS, buf, size);
}

char *ra_money_format_price(ra_price price, char *buf, size_t size)
{
    return ra_money_format_decimal(price, RA_PRICE_DIGITS, buf, size);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

ra_status ra_money_ratio_check(ra_ratio *r, ra_err *err)
{
    if (!r)
        return ra_err_set(err, RA_EINVAL, NULL, "split ratio is missing");
    if (r->num <= 0 || r->den <= 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "split ratio must have a positive numerator and denominator, got "
                          "%lld/%lld", (long long)r->num, (long long)r->den);
    int64_t g = gcd64(r->num, r->den);
    r->num /= g;
    r->den /= g;
    return RA_OK;
}

ra_status ra_money_ratio_from_double(double coef, ra_ratio *out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "split ratio needs an output");
    if (!isfinite(coef) || coef <= 0.0 || coef > 1e9)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "split coefficient must be a finite number in (0, 1e9], got %.17g",
                          coef);
    for (int64_t den = 1; den <= RA_SPLIT_MAX_DEN; den++) {
        double num = nearbyint(coef * (double)den);
        if (num < 1.0)
            continue;
        if (fabs(num / (double)den - coef) <= RA_TOL_SPLIT_REL * coef) {
            out->num = (int64_t)num;
            out->den = den;
            return ra_money_ratio_check(out, err);
        }
    }
    return ra_err_set(err, RA_EINVAL, NULL,
                      "split coefficient %.17g is not within %g (relative) of a fraction with "
                      "denominator at most %d", coef, RA_TOL_SPLIT_REL, RA_SPLIT_MAX_DEN);
}

ra_status ra_money_ratio_parse(const char *s, size_t len, ra_ratio *out, ra_err *err)
{
    if (!out || (!s && len))
        return ra_err_set(err, RA_EINVAL, NULL, "split ratio parsing needs a text and an output");
    if (len == 0)
        return ra_err_set(err, RA_EPARSE, NULL, "split ratio is empty");
    int ql = len > QUOTE_MAX ? QUOTE_MAX : (int)len;
    const char *slash = memchr(s, '/', len);
    if (slash) {
        size_t a = (size_t)(slash - s);
        ra_ratio r;
        if (ra_money_parse_decimal(s, a, 0, &r.num, NULL) != RA_OK ||
            ra_money_parse_decimal(slash + 1, len - a - 1, 0, &r.den, NULL) != RA_OK ||
            r.num <= 0 || r.den <= 0)
            return ra_err_set(err, RA_EPARSE, NULL,
                              "split ratio must be N/D with positive integers, got \"%.*s\"", ql,
                              s);
        *out = r;
        return ra_money_ratio_check(out, err);
    }
    /* A decimal: parse it exactly as v / 10^k, then find the simplest fraction within the
     * tolerance. The distance |num/den - v/10^k| is computed exactly in integers. */
    size_t k = 0;
    const char *dot = memchr(s, '.', len);
    if (dot)
        k = len - (size_t)(dot - s) - 1;
    if (k > 18)
        return ra_err_set(err, RA_EPARSE, NULL,
                          "split coefficient \"%.*s\" has more than 18 decimals", ql, s);
    int64_t v;
    ra_err e2;
    if (ra_money_parse_decimal(s, len, (int)k, &v, &e2) != RA_OK) {
        if (err)
            *err = e2;
        return ra_err_wrap(err, "split coefficient");
    }
    if (v <= 0)
        return ra_err_set(err, RA_EPARSE, NULL, "split coefficient must be positive, got \"%.*s\"",
                          ql, s);
    ra_i128 scale = pow10_tab[k];
    for (int64_t den = 1; den <= RA_SPLIT_MAX_DEN; den++) {
        ra_i128 vd = (ra_i128)v * den; /* coef*den = vd / scale */
        ra_i128 num = ra_money_round_div(vd, scale);
        if (num < 1 || num > INT64_MAX)
            continue;
        ra_i128 diff = num * scale - vd;
        if (diff < 0)
            diff = -diff;
        /* |num/den - coef| <= tol*coef  <=>  |num*scale - v*den| <= tol * v*den */
        if ((double)diff <= RA_TOL_SPLIT_REL * (double)vd) {
            out->num = (int64_t)num;
            out->den = den;
            return ra_money_ratio_check(out, err);
        }
    }
    return ra_err_set(err, RA_EINVAL, NULL,
                      "split coefficient \"%.*s\" is not within %g (relative) of a fraction with "
                      "denominator at most %d", ql, s, RA_TOL_SPLIT_REL, RA_SPLIT_MAX_DEN);
}
