/* The glide-path reader "year,mu,sigma": include/roboadvisor/plan.h, docs/formats.md syntax via
 * the shared CSV tokenizer (src/io/csv_int.h), so quoting, blank lines, limits and the
 * FILE:LINE:COLUMN (NAME) messages are those of the other readers. */
#include <roboadvisor/plan.h>
#include <roboadvisor/plan_io.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"

#define GLIDE_COLS 3
#define SHOW_MAX 40 /* bytes of an offending value quoted in a message */

static const char *const col_names[GLIDE_COLS] = {"year", "mu", "sigma"};

/* "text" quoted for a message, shortened, non-printable bytes as '?'. */
static const char *show(char buf[SHOW_MAX + 8], const char *s, size_t n)
{
    size_t k = 0;
    buf[k++] = '"';
    for (size_t i = 0; i < n && i < SHOW_MAX; i++)
        buf[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (n > SHOW_MAX) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

/* A whole field as a finite decimal number (C locale, no nan/inf/hex, see docs/formats.md). */
static ra_status field_num(const csv_reader *r, size_t col, double *out, ra_err *err)
{
    int empty;
    ra_status st = ra_csvtok_number(r, col, 64, show, out, &empty, err);
    if (st == RA_OK && empty)
        return ra_csvtok_error(r, RA_EPARSE, r->f[col].line, col + 1, err, "missing %s",
                               col_names[col]);
    return st;
}

static ra_status field_year(const csv_reader *r, uint32_t prev, uint32_t *out, ra_err *err)
{
    const csv_field *f = &r->f[0];
    const char *s = f->s;
    size_t n = f->len;
    char vb[SHOW_MAX + 8];
    ra_csvtok_trim(&s, &n);
    if (n == 0)
        return ra_csvtok_error(r, RA_EPARSE, f->line, 1, err, "missing year");
    unsigned long y = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return ra_csvtok_error(r, RA_EPARSE, f->line, 1, err,
                                   "year must be a whole number of plan years (1 = the first), "
                                   "got %s", show(vb, f->s, f->len));
        if (y <= RA_PLAN_MAX_YEARS)
            y = y * 10 + (unsigned long)(s[k] - '0');
    }
    if (y < 1 || y > RA_PLAN_MAX_YEARS)
        return ra_csvtok_error(r, RA_EPARSE, f->line, 1, err,
                               "year must be from 1 to %d, got %s", RA_PLAN_MAX_YEARS,
                               show(vb, f->s, f->len));
    if (y <= prev)
        return ra_csvtok_error(r, RA_EPARSE, f->line, 1, err,
                               "years must be strictly increasing: %lu after %u", y,
                               (unsigned)prev);
    *out = (uint32_t)y;
    return RA_OK;
}

void ra_plan_glide_destroy(ra_plan_glide *g)
{
    if (!g)
        return;
    RA_FREE_ALL(g->rows, g->source, g);
}

static ra_status parse(csv_reader *r, const char *source, ra_plan_glide *g, ra_err *err)
{
    int eof;
    ra_status st = ra_csvtok_header_row(r, "year,mu,sigma", err);
    if (st != RA_OK)
        return st;
    if (r->nf != GLIDE_COLS)
        return ra_csvtok_error(r, RA_EPARSE, r->f[0].line, r->nf < GLIDE_COLS ? r->nf : 4, err,
                               "the header has %zu column%s, need 3 (year,mu,sigma)", r->nf,
                               r->nf == 1 ? "" : "s");
    for (size_t c = 0; c < GLIDE_COLS; c++) {
        const char *s = r->f[c].s;
        size_t n = r->f[c].len;
        ra_csvtok_trim(&s, &n);
        size_t want = strlen(col_names[c]);
        int same = n == want;
        for (size_t k = 0; same && k < n; k++)
            same = tolower((unsigned char)s[k]) == col_names[c][k];
        if (!same) {
            char vb[SHOW_MAX + 8];
            return ra_csvtok_error(r, RA_EPARSE, r->f[c].line, c + 1, err,
                                   "header column %zu must be \"%s\" (year,mu,sigma), got %s",
                                   c + 1, col_names[c], show(vb, r->f[c].s, r->f[c].len));
        }
    }
    static char *const names[GLIDE_COLS] = {"year", "mu", "sigma"};
    r->names = names;
    r->n_names = GLIDE_COLS;
    size_t cap = 0;
    uint32_t prev = 0;
    for (;;) {
        if ((st = ra_csvtok_next(r, &eof, err)) != RA_OK)
            return st;
        if (eof)
            break;
        if ((st = ra_csvtok_check_width(r, GLIDE_COLS, err)) != RA_OK)
            return st;
        ra_plan_glide_row row;
        row.line = r->rec_line;
        if ((st = field_year(r, prev, &row.year, err)) != RA_OK ||
            (st = field_num(r, 1, &row.mu, err)) != RA_OK ||
            (st = field_num(r, 2, &row.sigma, err)) != RA_OK)
            return st;
        if (!(row.mu > -1.0 && row.mu <= RA_PLAN_MAX_MU))
            return ra_csvtok_error(r, RA_EPARSE, r->f[1].line, 2, err,
                                   "mu must be an annual decimal return in (-1, %g] (0.07 for "
                                   "7 %%), got %g", RA_PLAN_MAX_MU, row.mu);
        if (!(row.sigma >= 0.0 && row.sigma <= RA_PLAN_MAX_SIGMA))
            return ra_csvtok_error(r, RA_EPARSE, r->f[2].line, 3, err,
                                   "sigma must be an annual decimal volatility in [0, %g] (0.15 "
                                   "for 15 %%), got %g", RA_PLAN_MAX_SIGMA, row.sigma);
        /* at most RA_PLAN_MAX_YEARS rows: years strictly increase */
        if (ra_grow((void **)&g->rows, &cap, g->n + 1, sizeof *g->rows))
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu glide path rows",
                              cap ? 2 * cap : 8);
        g->rows[g->n++] = row;
        prev = row.year;
    }
    if (g->n == 0)
        return ra_csvtok_error(r, RA_EPARSE, r->line, 1, err,
                               "no data rows: need at least one year,mu,sigma row");
    if (!(g->source = ra_strdup(source)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not copy the source name");
    return RA_OK;
}

ra_status ra_plan_glide_parse(const char *data, size_t size, const char *source,
                              ra_plan_glide **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "output pointer is required");
    *out = NULL;
    if (!data && size)
        return ra_err_set(err, RA_EINVAL, NULL, "data is required");
    if (!source)
        source = "glide path";
    if (size >= UINT32_MAX)
        return ra_err_set(err, RA_EPARSE, source, "file of %zu bytes is too large", size);
    ra_plan_glide *g = ra_calloc(1, sizeof *g);
    if (!g)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a glide path");
    /* numbers are read in the C locale whatever the program set (uselocale is per thread) */
    ra_csvtok_locale cn;
    ra_csvtok_c_numeric_enter(&cn);
    csv_reader r;
    ra_csvtok_init(&r, data ? data : "", size, source);
    ra_status st = parse(&r, source, g, err);
    r.names = NULL;
    ra_csvtok_free(&r);
    ra_csvtok_c_numeric_leave(&cn);
    if (st != RA_OK) {
        ra_plan_glide_destroy(g);
        return st;
    }
    *out = g;
    return RA_OK;
}
