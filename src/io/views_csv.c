/* The firm's Black-Litterman views and market weights as CSV (include/roboadvisor/bl_io.h;
 * docs/formats.md#views, #market-weights) through the shared tokenizer (src/io/csv_int.h), so
 * quoting, limits and the NAME:LINE:COL (FIELD) messages are those of the other readers. Values
 * are quoted in messages only as codes or numbers: these files hold no personal data, but a
 * misplaced file might. */
#include <roboadvisor/bl_io.h>
#include <roboadvisor/rules.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"

enum { V_VIEW, V_ASSETS, V_VERSUS, V_RETURN, V_CONF, V_COLS };
static char *const view_cols[V_COLS] = {"view", "assets", "versus", "return", "confidence"};
enum { M_CLASS, M_WEIGHT, M_COLS };
static char *const market_cols[M_COLS] = {"asset_class", "weight"};

#define MAX_RETURN 1.0 /* a view of more than 100 % a year is a typo (0.05 for 5 %) */
#define MARKET_SUM_TOL 1e-3

/* Shown values are replaced by their length: no cell text reaches a message. */
static const char *hide(char *buf, const char *s, size_t len)
{
    (void)s;
    snprintf(buf, RA_CSV_SHOW_CAP, "(%zu bytes)", len);
    return buf;
}

static ra_status header(csv_reader *r, char *const *cols, size_t n, const char *layout,
                        ra_err *err)
{
    ra_status st = ra_csvtok_header_row(r, layout, err);
    if (st != RA_OK)
        return st;
    if (r->nf != n)
        return ra_csvtok_error(r, RA_EPARSE, r->rec_line, r->nf < n ? r->nf + 1 : n + 1, err,
                               "the header has %zu columns, need %zu (%s)", r->nf, n, layout);
    for (size_t c = 0; c < n; c++) {
        const char *s = r->f[c].s;
        size_t len = r->f[c].len;
        ra_csvtok_trim(&s, &len);
        int same = len == strlen(cols[c]);
        for (size_t k = 0; same && k < len; k++)
            same = tolower((unsigned char)s[k]) == cols[c][k];
        if (!same)
            return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err,
                                   "header column %zu must be \"%s\" (%s)", c + 1, cols[c],
                                   layout);
    }
    r->names = cols;
    r->n_names = n;
    return RA_OK;
}

/* Field c as a code (rules.h: letters, digits, '.', '-', '_'), trimmed. */
static ra_status code_field(const csv_reader *r, size_t c, const char *what, char *out,
                            ra_err *err)
{
    const char *s = r->f[c].s;
    size_t len = r->f[c].len;
    ra_csvtok_trim(&s, &len);
    ra_err e2;
    if (ra_rule_code_check(s, len, what, &e2) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err, "%s", e2.msg);
    memcpy(out, s, len);
    out[len] = 0;
    return RA_OK;
}

/* Field c as classes joined by ';' (each a code), into out (RA_BL_SIDE_MAX); "" allowed when
 * may_be_empty. */
static ra_status side_field(const csv_reader *r, size_t c, int may_be_empty, char *out,
                            ra_err *err)
{
    const char *s = r->f[c].s;
    size_t len = r->f[c].len;
    ra_csvtok_trim(&s, &len);
    if (len == 0) {
        if (may_be_empty) {
            out[0] = 0;
            return RA_OK;
        }
        return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err,
                               "missing %s: one or more asset classes joined by ';'",
                               view_cols[c]);
    }
    if (len >= RA_BL_SIDE_MAX)
        return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err,
                               "%s has %zu bytes, more than %d", view_cols[c], len,
                               RA_BL_SIDE_MAX - 1);
    /* each class checked, and kept without the blanks around it */
    size_t k = 0, nth = 0, o = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ';')
            continue;
        const char *p = s + k;
        size_t n = i - k;
        ra_csvtok_trim(&p, &n);
        ra_err e2;
        nth++;
        if (ra_rule_code_check(p, n, "asset class", &e2) != RA_OK)
            return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err,
                                   "asset class %zu of %s: %s", nth, view_cols[c], e2.msg);
        if (o)
            out[o++] = ';';
        memcpy(out + o, p, n);
        o += n;
        k = i + 1;
    }
    out[o] = 0;
    return RA_OK;
}

/* Both readers: the size limit, the tokenizer over data and the C locale for numbers
 * (reader_end undoes the last two). */
static ra_status reader_begin(csv_reader *r, ra_csvtok_locale *cn, const char *data, size_t size,
                              const char *name, ra_err *err)
{
    if (size > RA_BL_MAX_CSV)
        return ra_err_set(err, RA_EPARSE, name, "the file has %zu bytes, more than the limit %zu",
                          size, RA_BL_MAX_CSV);
    ra_csvtok_init(r, data, size, name);
    ra_csvtok_c_numeric_enter(cn);
    return RA_OK;
}

static void reader_end(csv_reader *r, ra_csvtok_locale *cn)
{
    ra_csvtok_c_numeric_leave(cn);
    ra_csvtok_free(r);
}

static ra_status num_field(const csv_reader *r, size_t c, int *empty, double *out, ra_err *err)
{
    return ra_csvtok_number(r, c, 64, hide, out, empty, err);
}

ra_status ra_bl_views_parse(const char *data, size_t size, const char *name, ra_bl_views *out,
                            ra_err *err)
{
    memset(out, 0, sizeof *out);
    csv_reader r;
    ra_csvtok_locale cn;
    ra_status st0 = reader_begin(&r, &cn, data, size, name, err);
    if (st0 != RA_OK)
        return st0;
    ra_status st = header(&r, view_cols, V_COLS, "view,assets,versus,return,confidence", err);
    for (int eof = 0; st == RA_OK;) {
        if ((st = ra_csvtok_next(&r, &eof, err)) != RA_OK || eof)
            break;
        if ((st = ra_csvtok_check_width(&r, V_COLS, err)) != RA_OK)
            break;
        if (out->n == RA_BL_MAX_VIEWS) {
            st = ra_csvtok_error(&r, RA_EPARSE, r.rec_line, 1, err, "more than %d views",
                                 RA_BL_MAX_VIEWS);
            break;
        }
        ra_bl_view_def *v = &out->v[out->n];
        memset(v, 0, sizeof *v);
        v->line = r.rec_line;
        int empty = 0;
        if ((st = code_field(&r, V_VIEW, "view", v->code, err)) != RA_OK ||
            (st = side_field(&r, V_ASSETS, 0, v->assets, err)) != RA_OK ||
            (st = side_field(&r, V_VERSUS, 1, v->versus, err)) != RA_OK ||
            (st = num_field(&r, V_RETURN, &empty, &v->ret, err)) != RA_OK)
            break;
        if (empty || !(v->ret >= -MAX_RETURN && v->ret <= MAX_RETURN)) {
            st = ra_csvtok_error(&r, RA_EPARSE, r.f[V_RETURN].line, V_RETURN + 1, err,
                                 "return must be an annual decimal in [-1, 1] (0.05 for 5 %%)");
            break;
        }
        if ((st = num_field(&r, V_CONF, &empty, &v->confidence, err)) != RA_OK)
            break;
        if (empty)
            v->confidence = RA_BL_CONFIDENCE_DEFAULT;
        else if (!(v->confidence > 0 && v->confidence <= 1)) {
            st = ra_csvtok_error(&r, RA_EPARSE, r.f[V_CONF].line, V_CONF + 1, err,
                                 "confidence must be in (0, 1] (0.5 for 50 %%), or empty for %g",
                                 RA_BL_CONFIDENCE_DEFAULT);
            break;
        }
        for (size_t i = 0; i < out->n; i++)
            if (strcmp(out->v[i].code, v->code) == 0) {
                st = ra_csvtok_error(&r, RA_EPARSE, r.f[V_VIEW].line, V_VIEW + 1, err,
                                     "view %s is given twice (first on line %u)", v->code,
                                     (unsigned)out->v[i].line);
                break;
            }
        if (st == RA_OK)
            out->n++;
    }
    reader_end(&r, &cn);
    if (st != RA_OK)
        memset(out, 0, sizeof *out);
    return st;
}

ra_status ra_bl_market_parse(const char *data, size_t size, const char *name, ra_bl_market *out,
                             ra_err *err)
{
    memset(out, 0, sizeof *out);
    csv_reader r;
    ra_csvtok_locale cn;
    ra_status st0 = reader_begin(&r, &cn, data, size, name, err);
    if (st0 != RA_OK)
        return st0;
    ra_status st = header(&r, market_cols, M_COLS, "asset_class,weight", err);
    double sum = 0;
    for (int eof = 0; st == RA_OK;) {
        if ((st = ra_csvtok_next(&r, &eof, err)) != RA_OK || eof)
            break;
        if ((st = ra_csvtok_check_width(&r, M_COLS, err)) != RA_OK)
            break;
        if (out->n == RA_BL_MAX_ASSETS) {
            st = ra_csvtok_error(&r, RA_EPARSE, r.rec_line, 1, err, "more than %d asset classes",
                                 RA_BL_MAX_ASSETS);
            break;
        }
        char cls[RA_CODE_MAX];
        double w = 0;
        int empty = 0;
        if ((st = code_field(&r, M_CLASS, "asset class", cls, err)) != RA_OK ||
            (st = num_field(&r, M_WEIGHT, &empty, &w, err)) != RA_OK)
            break;
        if (empty || !(w >= 0 && w <= 1)) {
            st = ra_csvtok_error(&r, RA_EPARSE, r.f[M_WEIGHT].line, M_WEIGHT + 1, err,
                                 "weight must be a fraction in [0, 1] (0.24 for 24 %%)");
            break;
        }
        for (size_t i = 0; i < out->n && st == RA_OK; i++)
            if (strcmp(out->cls[i], cls) == 0)
                st = ra_csvtok_error(&r, RA_EPARSE, r.f[M_CLASS].line, M_CLASS + 1, err,
                                     "asset class %s is given twice", cls);
        if (st != RA_OK)
            break;
        memcpy(out->cls[out->n], cls, sizeof cls);
        out->w[out->n++] = w;
        sum += w;
    }
    if (st == RA_OK && out->n == 0)
        st = ra_err_set(err, RA_EPARSE, name, "the file has a header but no asset classes");
    if (st == RA_OK && !(fabs(sum - 1) <= MARKET_SUM_TOL))
        st = ra_err_set(err, RA_EPARSE, name, "the weights sum to %.6g, not 1 (tolerance %g)",
                        sum, MARKET_SUM_TOL);
    if (st == RA_OK)
        for (size_t i = 0; i < out->n; i++)
            out->w[i] /= sum;
    reader_end(&r, &cn);
    if (st != RA_OK)
        memset(out, 0, sizeof *out);
    return st;
}

static size_t put(char *buf, size_t cap, size_t at, const char *fmt, ...) RA_PRINTF(4, 5);
static size_t put(char *buf, size_t cap, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(at < cap ? buf + at : NULL, at < cap ? cap - at : 0, fmt, ap);
    va_end(ap);
    return at + (k > 0 ? (size_t)k : 0);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as x (so 0.08 prints as 0.08). */
static const char *num(double x, char buf[32])
{
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, 32, "%.*g", p, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

size_t ra_bl_views_format(const ra_bl_views *v, char *buf, size_t cap)
{
    ra_csvtok_locale cn;
    ra_csvtok_c_numeric_enter(&cn);
    size_t at = put(buf, cap, 0, "view,assets,versus,return,confidence\n");
    char a[32], b[32];
    for (size_t i = 0; i < v->n; i++)
        at = put(buf, cap, at, "%s,%s,%s,%s,%s\n", v->v[i].code, v->v[i].assets, v->v[i].versus,
                 num(v->v[i].ret, a), num(v->v[i].confidence, b));
    ra_csvtok_c_numeric_leave(&cn);
    return at;
}

size_t ra_bl_market_format(const ra_bl_market *m, char *buf, size_t cap)
{
    ra_csvtok_locale cn;
    ra_csvtok_c_numeric_enter(&cn);
    size_t at = put(buf, cap, 0, "asset_class,weight\n");
    char a[32];
    for (size_t i = 0; i < m->n; i++)
        at = put(buf, cap, at, "%s,%s\n", m->cls[i], num(m->w[i], a));
    ra_csvtok_c_numeric_leave(&cn);
    return at;
}
