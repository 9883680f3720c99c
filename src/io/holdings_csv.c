/* The holdings file of `roboadvisor diagnose --holdings` (include/roboadvisor/holdings_io.h,
 * docs/formats.md#holdings), read with the shared CSV tokenizer (csv_int.h). */
#include <roboadvisor/holdings_io.h>
#include <roboadvisor/rules.h>
#include "io/csv_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { COL_TICKER, COL_QTY, COL_WEIGHT, N_COLS };
static const char *const col_names[N_COLS] = {"ticker", "quantity", "weight"};
#define LAYOUT "ticker,quantity or ticker,weight"

typedef struct ctx {
    int by_weight; /* -1 until the first row */
    ra_holding_row *const *rows;
    const size_t *n;
} ctx;

static ra_status read_row(void *cp, const csv_reader *r, const int *col, void *out, ra_err *err)
{
    ctx *c = cp;
    ra_holding_row *x = out;
    if (c->by_weight < 0) { /* the header's choice, checked once */
        if ((col[COL_QTY] >= 0) == (col[COL_WEIGHT] >= 0))
            return ra_csvtok_error(r, RA_EPARSE, 1, 0, err,
                                   "the header names %s: give quantity or weight, one of them",
                                   col[COL_QTY] >= 0 ? "both quantity and weight" : "neither "
                                                                                    "quantity nor "
                                                                                    "weight");
        c->by_weight = col[COL_WEIGHT] >= 0;
    }
    if (*c->n >= RA_HOLDINGS_MAX_ROWS)
        return ra_csvtok_error(r, RA_EPARSE, r->rec_line, 0, err,
                               "more than %d holdings in one file", RA_HOLDINGS_MAX_ROWS);
    int k = c->by_weight ? COL_WEIGHT : COL_QTY;
    const char *t = r->f[col[COL_TICKER]].s, *v = r->f[col[k]].s;
    size_t nt = r->f[col[COL_TICKER]].len, nv = r->f[col[k]].len;
    ra_csvtok_trim(&t, &nt);
    ra_csvtok_trim(&v, &nv);
#define AT(k) r->f[col[k]].line, (size_t)col[k] + 1
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    x->line = r->rec_line;
    if (nt == 0)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_TICKER), err, "missing ticker");
    int ok = nt < sizeof x->ticker;
    for (size_t i = 0; ok && i < nt; i++)
        ok = ra_rule_code_byte(t[i]);
    if (!ok)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_TICKER), err,
                               "a ticker is 1 to %d letters, digits, '.', '-' or '_': %s",
                               RA_CODE_MAX - 1, ra_csvtok_show(vb, t, nt));
    memcpy(x->ticker, t, nt);
    for (size_t i = 0; i < *c->n; i++)
        if (strcmp((*c->rows)[i].ticker, x->ticker) == 0)
            return ra_csvtok_error(r, RA_EPARSE, AT(COL_TICKER), err,
                                   "%s is given twice (first on line %u)", x->ticker,
                                   (unsigned)(*c->rows)[i].line);
    if (nv == 0)
        return ra_csvtok_error(r, RA_EPARSE, AT(k), err, "missing %s of %s", col_names[k],
                               x->ticker);
    /* the value is the client's: say what is wrong with it, never what it is */
    if (!c->by_weight) {
        if (ra_money_parse_qty(v, nv, &x->qty_micro, NULL) != RA_OK)
            return ra_csvtok_error(r, RA_EPARSE, AT(k), err,
                                   "the quantity of %s is not a number of shares with at most "
                                   "6 decimals",
                                   x->ticker);
        if (x->qty_micro <= 0)
            return ra_csvtok_error(r, RA_EPARSE, AT(k), err,
                                   "the quantity of %s must be above 0", x->ticker);
        return RA_OK;
    }
    int64_t wn = 0;
    if (ra_money_parse_decimal(v, nv, RA_HOLDINGS_WEIGHT_DIGITS, &wn, NULL) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, AT(k), err,
                               "the weight of %s is not a decimal fraction with at most %d "
                               "decimals",
                               x->ticker, RA_HOLDINGS_WEIGHT_DIGITS);
    if (wn <= 0 || wn > 1000000000)
        return ra_csvtok_error(r, RA_EPARSE, AT(k), err,
                               "the weight of %s must be above 0 and at most 1 (a fraction, "
                               "not a percentage)",
                               x->ticker);
    x->weight = (double)wn / 1e9;
#undef AT
    return RA_OK;
}

void ra_holdings_destroy(ra_holdings *h)
{
    if (h)
        RA_FREE_ALL(h->rows, h->source, h);
}

ra_status ra_holdings_parse(const char *data, size_t size, const char *source, ra_holdings **out,
                            ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading holdings needs an output");
    *out = NULL;
    if (!source)
        source = "input";
    ra_holdings *h = ra_calloc(1, sizeof *h);
    ra_status rc = RA_OK;
    ctx c = {-1, NULL, NULL};
    if (!h || !(h->source = ra_strdup(source)))
        rc = ra_csvtok_nomem(err, "the holdings");
    else {
        c.rows = &h->rows;
        c.n = &h->n;
        rc = ra_csvtok_named_rows(data, size, source, col_names, N_COLS, 1, "holdings", LAYOUT,
                                  "holdings", (void **)&h->rows, &h->n, sizeof *h->rows,
                                  read_row, &c, err);
    }
    if (rc == RA_OK) {
        h->by_weight = c.by_weight == 1;
        double sum = 0;
        for (size_t i = 0; i < h->n; i++)
            sum += h->rows[i].weight;
        if (h->by_weight && !(fabs(sum - 1) <= RA_HOLDINGS_TOL_SUM))
            rc = ra_err_set(err, RA_EPARSE, source,
                            "the weights do not sum to 1 (within %g): give every holding's "
                            "fraction of the portfolio",
                            RA_HOLDINGS_TOL_SUM);
    }
    if (rc != RA_OK) {
        ra_holdings_destroy(h);
        return rc;
    }
    *out = h;
    return RA_OK;
}

ra_status ra_holdings_read(const char *path, ra_holdings **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading holdings needs an output");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    ra_status rc = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_holdings_parse(data, size, path, out, err);
    ra_free(data);
    return rc;
}
