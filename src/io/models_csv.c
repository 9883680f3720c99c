/* Hand-authored model portfolios as CSV (models.h ra_models_csv_parse; docs/formats.md#model-
 * portfolios): a header naming the columns model, version, ticker, weight in any order (version
 * optional), one row per holding; rows of one model need not be adjacent. Messages do not quote
 * the cells' text: a misplaced file (a clients file given to `models add`) could hold personal
 * data anywhere. */
#include "roboadvisor/models.h"
#include <roboadvisor/models_io.h>
#include <roboadvisor/rules.h>
#include "io/csv_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 1000 /* models in one file */

enum { COL_MODEL, COL_VERSION, COL_TICKER, COL_WEIGHT, N_COLS };
static const char *const col_names[N_COLS] = {"model", "version", "ticker", "weight"};

static int field_is(const csv_field *f, const char *name)
{
    size_t n = strlen(name);
    if (f->len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)f->s[i]) != name[i])
            return 0;
    return 1;
}

/* A code (the code rule of rules.h: letters, digits, '.', '-', '_', 1..47 bytes). The value is
 * not quoted: a misaligned row could put anything here. */
static ra_status code_field(const csv_reader *r, const csv_field *f, size_t col, const char *what,
                            char *out, ra_err *err)
{
    ra_err e2;
    if (ra_rule_code_check(f->s, f->len, what, &e2) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, f->line, col, err, "%s", e2.msg);
    memcpy(out, f->s, f->len);
    out[f->len] = 0;
    return RA_OK;
}

ra_status ra_models_csv_parse(const char *data, size_t size, const char *name, ra_model **out,
                              size_t *n_out, ra_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (size > RA_MODELS_MAX_CSV)
        return ra_err_set(err, RA_EPARSE, name, "the file has %zu bytes, more than the limit %zu",
                          size, RA_MODELS_MAX_CSV);
    csv_reader r;
    ra_csvtok_init(&r, data, size, name);
    ra_model *models = NULL;
    size_t n = 0;
    uint32_t *first_line = NULL;
    size_t cap_models = 0, cap_lines = 0;
    long col[N_COLS] = {-1, -1, -1, -1};
    int eof = 0;
    ra_status rc = ra_csvtok_next(&r, &eof, err);
    if (rc != RA_OK)
        goto fail;
    if (eof) {
        rc = ra_err_set(err, RA_EPARSE, name, "the file is empty (a header is needed: %s)",
                        "model,version,ticker,weight");
        goto fail;
    }
    for (size_t i = 0; i < r.nf; i++) {
        int k = -1;
        for (int c = 0; c < N_COLS; c++)
            if (field_is(&r.f[i], col_names[c]))
                k = c;
        if (k < 0) {
            rc = ra_csvtok_error(&r, RA_EPARSE, r.rec_line, i + 1, err,
                                 "column %zu of the header is not one of model, version, ticker, "
                                 "weight",
                                 i + 1);
            goto fail;
        }
        if (col[k] >= 0) {
            rc = ra_csvtok_error(&r, RA_EPARSE, r.rec_line, i + 1, err, "column %s is given twice",
                                 col_names[k]);
            goto fail;
        }
        col[k] = (long)i;
    }
    for (int c = 0; c < N_COLS; c++)
        if (col[c] < 0 && c != COL_VERSION) {
            rc = ra_err_set(err, RA_EPARSE, name, "the header has no column %s", col_names[c]);
            goto fail;
        }
    size_t n_cols = r.nf;
    /* header names for messages */
    static char *const fixed_names[N_COLS] = {"model", "version", "ticker", "weight"};
    char *hdr[8] = {0};
    for (int c = 0; c < N_COLS; c++)
        if (col[c] >= 0 && col[c] < 8)
            hdr[col[c]] = fixed_names[c];
    r.names = hdr;
    r.n_names = n_cols < 8 ? n_cols : 8;
    for (;;) {
        rc = ra_csvtok_next(&r, &eof, err);
        if (rc != RA_OK)
            goto fail;
        if (eof)
            break;
        if (r.nf != n_cols) {
            rc = ra_csvtok_error(&r, RA_EPARSE, r.rec_line, (r.nf < n_cols ? r.nf : n_cols) + 1, err,
                                 "the row has %zu fields, the header %zu", r.nf, n_cols);
            goto fail;
        }
        char code[RA_CODE_MAX], ticker[RA_CODE_MAX];
        const csv_field *fm = &r.f[col[COL_MODEL]], *ft = &r.f[col[COL_TICKER]],
                        *fw = &r.f[col[COL_WEIGHT]];
        if ((rc = code_field(&r, fm, (size_t)col[COL_MODEL] + 1, "model", code, err)) != RA_OK ||
            (rc = code_field(&r, ft, (size_t)col[COL_TICKER] + 1, "ticker", ticker, err)) != RA_OK)
            goto fail;
        int version = 0;
        if (col[COL_VERSION] >= 0 && r.f[col[COL_VERSION]].len > 0) {
            const csv_field *fv = &r.f[col[COL_VERSION]];
            char buf[16];
            long v = 0;
            int ok = fv->len < sizeof buf;
            if (ok) {
                memcpy(buf, fv->s, fv->len);
                buf[fv->len] = 0;
                for (size_t i = 0; i < fv->len; i++)
                    ok = ok && isdigit((unsigned char)buf[i]);
                v = ok ? strtol(buf, NULL, 10) : 0;
            }
            if (!ok || v < 1 || v > 1000000) {
                rc = ra_csvtok_error(&r, RA_EPARSE, fv->line, (size_t)col[COL_VERSION] + 1, err,
                                     "version is not a whole number 1..1000000");
                goto fail;
            }
            version = (int)v;
        }
        double w = 0.0;
        {
            char buf[64];
            char *end = NULL;
            int ok = fw->len > 0 && fw->len < sizeof buf;
            if (ok) {
                memcpy(buf, fw->s, fw->len);
                buf[fw->len] = 0;
                errno = 0;
                w = strtod(buf, &end);
                ok = end && *end == 0 && errno == 0 && !isspace((unsigned char)buf[0]);
            }
            if (!ok || !isfinite(w)) {
                rc = ra_csvtok_error(&r, RA_EPARSE, fw->line, (size_t)col[COL_WEIGHT] + 1, err,
                                     "weight is not a number");
                goto fail;
            }
            if (w <= 0.0 || w > 1.0) {
                rc = ra_csvtok_error(&r, RA_EPARSE, fw->line, (size_t)col[COL_WEIGHT] + 1, err,
                                     "weight %g is not in (0, 1]", w);
                goto fail;
            }
        }
        size_t m = 0;
        while (m < n && strcmp(models[m].code, code) != 0)
            m++;
        if (m == n) {
            if (n == MAX_MODELS) {
                rc = ra_csvtok_error(&r, RA_EPARSE, fm->line, (size_t)col[COL_MODEL] + 1, err,
                                     "more than %d models in one file", MAX_MODELS);
                goto fail;
            }
            if (ra_grow((void **)&models, &cap_models, n + 1, sizeof *models) ||
                ra_grow((void **)&first_line, &cap_lines, n + 1, sizeof *first_line)) {
                rc = ra_err_set(err, RA_ENOMEM, name, "could not allocate model %zu", n + 1);
                goto fail;
            }
            memset(&models[n], 0, sizeof models[n]);
            snprintf(models[n].code, sizeof models[n].code, "%s", code);
            models[n].version = version;
            snprintf(models[n].method, sizeof models[n].method, "manual");
            models[n].expected_return = NAN;
            models[n].volatility = NAN;
            first_line[n] = fm->line;
            n++;
        }
        ra_model *md = &models[m];
        if (md->version != version) {
            rc = ra_csvtok_error(&r, RA_EPARSE, r.rec_line,
                                 (size_t)(col[COL_VERSION] >= 0 ? col[COL_VERSION] + 1 : 1), err,
                                 "model %s: version %d here, %d on line %u", code, version,
                                 md->version, first_line[m]);
            goto fail;
        }
        for (size_t i = 0; i < md->n; i++)
            if (strcmp(md->w[i].ticker, ticker) == 0) {
                rc = ra_csvtok_error(&r, RA_EPARSE, ft->line, (size_t)col[COL_TICKER] + 1, err,
                                     "model %s holds %s twice", code, ticker);
                goto fail;
            }
        if (md->n == RA_MODELS_MAX_HOLDINGS) {
            rc = ra_csvtok_error(&r, RA_EPARSE, ft->line, (size_t)col[COL_TICKER] + 1, err,
                                 "model %s has more than %d holdings", code,
                                 RA_MODELS_MAX_HOLDINGS);
            goto fail;
        }
        snprintf(md->w[md->n].ticker, sizeof md->w[0].ticker, "%s", ticker);
        md->w[md->n++].weight = w;
    }
    if (n == 0) {
        rc = ra_err_set(err, RA_EPARSE, name, "the file has a header but no models");
        goto fail;
    }
    for (size_t m = 0; m < n; m++) {
        /* compensated sum: a model of many small weights must not fail on rounding */
        double s = 0.0, c = 0.0;
        for (size_t i = 0; i < models[m].n; i++) {
            double y = models[m].w[i].weight - c, t = s + y;
            c = (t - s) - y;
            s = t;
        }
        if (fabs(s - 1.0) > RA_TOL_WEIGHT_SUM) {
            char where[128];
            snprintf(where, sizeof where, "%s:%u:%ld (weight)", name, first_line[m],
                     col[COL_WEIGHT] + 1);
            rc = ra_err_set(err, RA_EPARSE, where,
                            "model %s: weights sum to %.12g, not 1 (tolerance %g)",
                            models[m].code, s, RA_TOL_WEIGHT_SUM);
            goto fail;
        }
        ra_err e2 = {0};
        if (ra_models_validate(&models[m], &e2) != RA_OK) {
            rc = ra_err_set(err, RA_EPARSE, name, "%s", e2.msg);
            goto fail;
        }
    }
    ra_csvtok_free(&r);
    ra_free(first_line);
    *out = models;
    *n_out = n;
    return RA_OK;
fail:
    ra_csvtok_free(&r);
    RA_FREE_ALL(models, first_line);
    return rc;
}
