/* A statement document (src/io/stmt_int.h) as one self-contained HTML page: inline CSS, the charts
 * as inline SVG, no script, no outside resource. The same blocks as the PDF, in the same order. */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static void esc(stmt_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': stmt_buf_puts(b, "&lt;"); break;
        case '>': stmt_buf_puts(b, "&gt;"); break;
        case '&': stmt_buf_puts(b, "&amp;"); break;
        case '"': stmt_buf_puts(b, "&quot;"); break;
        default: stmt_buf_add(b, s, 1);
        }
    }
}

static void table(stmt_buf *b, const stmt_block *t)
{
    stmt_buf_puts(b, t->no_head ? "<table class=\"kv\">\n" : "<table>\n");
    for (size_t r = 0; r < t->nrows; r++) {
        int head = r == 0 && !t->no_head, total = t->last_bold && r == t->nrows - 1;
        stmt_buf_puts(b, head ? "<thead><tr>" : total ? "<tr class=\"total\">" : "<tr>");
        for (size_t c = 0; c < t->ncols; c++) {
            stmt_buf_puts(b, head ? "<th" : "<td");
            if (t->right[c])
                stmt_buf_puts(b, " class=\"n\"");
            stmt_buf_puts(b, ">");
            esc(b, t->cells[r * t->ncols + c]);
            stmt_buf_puts(b, head ? "</th>" : "</td>");
        }
        stmt_buf_puts(b, head ? "</tr></thead><tbody>\n" : "</tr>\n");
    }
    stmt_buf_puts(b, t->no_head ? "</table>\n" : "</tbody></table>\n");
}

static void line_chart(stmt_buf *b, ra_stmt_lang lang, const stmt_block *c)
{
    const double W = 720, H = 260, x0 = 70, x1 = 710, y0 = 12, y1 = 220;
    stmt_buf_puts(b, "<figure><figcaption>");
    esc(b, c->text);
    stmt_buf_printf(b, "</figcaption><svg viewBox=\"0 0 %g %g\" width=\"100%%\" role=\"img\">", W, H);
    stmt_buf_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
                       "stroke=\"#bbb\"/>", x0, y0, x1 - x0, y1 - y0);
    if (c->n >= 2) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < c->n; i++) {
            lo = fmin(lo, fmin(c->y1[i], c->y2[i]));
            hi = fmax(hi, fmax(c->y1[i], c->y2[i]));
        }
        if (hi - lo < 1e-9) {
            hi += 1;
            lo -= 1;
        }
        double d0 = c->x[0], d1 = c->x[c->n - 1] > c->x[0] ? c->x[c->n - 1] : c->x[0] + 1;
        for (int k = 0; k <= 4; k++) {
            double v = lo + (hi - lo) * k / 4, y = y1 - (v - lo) / (hi - lo) * (y1 - y0);
            char s[RA_STMT_FMT_SIZE];
            ra_stmt_format_money(lang, (ra_minor)llround(v), 0, s);
            stmt_buf_printf(b, "<line x1=\"%g\" x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                               "<text x=\"%g\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                               "fill=\"#666\">%s</text>", x0, x1, y, y, x0 - 4, y + 3, s);
        }
        for (int k = 0; k <= 4; k++) {
            size_t i = (size_t)llround(k / 4.0 * (double)(c->n - 1));
            char s[RA_STMT_FMT_SIZE];
            ra_stmt_format_date(lang, c->x[i], s);
            stmt_buf_printf(b, "<text x=\"%.1f\" y=\"%g\" font-size=\"10\" text-anchor=\"%s\" "
                               "fill=\"#666\">%s</text>",
                            x0 + (c->x[i] - d0) / (d1 - d0) * (x1 - x0), y1 + 14,
                            k == 0 ? "start" : k == 4 ? "end" : "middle", s);
        }
        for (int s = 1; s >= 0; s--) {
            const double *y = s ? c->y2 : c->y1;
            stmt_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s points=\"",
                            s ? "#ff800d" : "#1f78b5", s ? "1.3" : "1.8",
                            s ? " stroke-dasharray=\"5 3\"" : "");
            for (size_t i = 0; i < c->n; i++)
                stmt_buf_printf(b, "%.1f,%.1f ", x0 + (c->x[i] - d0) / (d1 - d0) * (x1 - x0),
                                y1 - (y[i] - lo) / (hi - lo) * (y1 - y0));
            stmt_buf_puts(b, "\"/>");
        }
    }
    stmt_buf_printf(b, "<line x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\" stroke=\"#1f78b5\" "
                       "stroke-width=\"2\"/><text x=\"%g\" y=\"%g\" font-size=\"11\">",
                    x0, x0 + 18, H - 12, H - 12, x0 + 22, H - 8);
    esc(b, c->legend1);
    stmt_buf_printf(b, "</text><line x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\" stroke=\"#ff800d\" "
                       "stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"%g\" y=\"%g\" "
                       "font-size=\"11\">",
                    x0 + 150, x0 + 168, H - 12, H - 12, x0 + 172, H - 8);
    esc(b, c->legend2);
    stmt_buf_puts(b, "</text></svg></figure>\n");
}

static void bar_chart(stmt_buf *b, const stmt_block *c, ra_stmt_lang lang)
{
    const double bar = 12, gap = 8, x0 = 150, x1 = 640;
    double H = (double)c->n * (2 * bar + gap) + 30;
    double mx = 0.0001;
    for (size_t i = 0; i < c->n; i++)
        mx = fmax(mx, fmax(c->y1[i], c->y2[i]));
    mx = fmin(1.0, ceil(mx * 10) / 10);
    stmt_buf_puts(b, "<figure><figcaption>");
    esc(b, c->text);
    stmt_buf_printf(b, "</figcaption><svg viewBox=\"0 0 720 %g\" width=\"100%%\" role=\"img\">", H);
    for (size_t i = 0; i < c->n; i++) {
        double y = (double)i * (2 * bar + gap);
        stmt_buf_printf(b, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"end\">",
                        x0 - 6, y + bar + 4);
        esc(b, c->labels[i]);
        stmt_buf_puts(b, "</text>");
        for (int s = 0; s < 2; s++) {
            double v = s ? c->y2[i] : c->y1[i], w = fmax(0, v) / mx * (x1 - x0);
            char t[RA_STMT_FMT_SIZE];
            ra_stmt_format_pct(lang, v, 1, t);
            stmt_buf_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"%.1f\" height=\"%g\" fill=\"%s\"/>"
                               "<text x=\"%.1f\" y=\"%g\" font-size=\"10\" fill=\"#666\">%s</text>",
                            x0, y + s * bar, w, bar - 1, s ? "#ff800d" : "#1f78b5", x0 + w + 4,
                            y + s * bar + bar - 2, t);
        }
    }
    stmt_buf_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"14\" height=\"8\" fill=\"#1f78b5\"/>"
                       "<text x=\"%g\" y=\"%g\" font-size=\"11\">",
                    x0, H - 16, x0 + 18, H - 8);
    esc(b, c->legend1);
    stmt_buf_printf(b, "</text><rect x=\"%g\" y=\"%g\" width=\"14\" height=\"8\" fill=\"#ff800d\"/>"
                       "<text x=\"%g\" y=\"%g\" font-size=\"11\">",
                    x0 + 110, H - 16, x0 + 128, H - 8);
    esc(b, c->legend2);
    stmt_buf_puts(b, "</text></svg></figure>\n");
}

static const char css[] =
    "body{font-family:'DejaVu Sans','Noto Sans CJK SC',sans-serif;color:#222;max-width:60em;"
    "margin:1em auto;padding:0 1em;font-size:14px}"
    "header{border-bottom:2px solid #1c385f;display:flex;justify-content:space-between;"
    "align-items:flex-end;padding-bottom:.4em}header .firm{font-size:1.3em;color:#1c385f}"
    "header .title{text-align:right;color:#1c385f}header .sub{color:#666;font-size:.85em}"
    "h1{color:#1c385f;font-size:1.3em;margin-top:1.6em}h2{color:#1c385f;font-size:1.05em}"
    "table{border-collapse:collapse;width:100%;font-size:.85em;margin:.4em 0 1em}"
    "th{background:#1c385f;color:#fff;text-align:left;padding:3px 5px;font-weight:normal}"
    "td{padding:3px 5px;border-bottom:1px solid #ccc}tbody tr:nth-child(even){background:#f2f4f7}"
    ".n{text-align:right}tr.total td{border-top:1.5px solid #1c385f;font-weight:bold}"
    "table.kv td:first-child{color:#666;width:40%}p.note{color:#666;font-size:.85em}"
    "figure{margin:1em 0}figcaption{color:#1c385f;font-weight:bold;margin-bottom:.3em}";

ra_status stmt_html_render(const stmt_doc *d, char **out, size_t *len, ra_err *err)
{
    stmt_buf b = {0};
    stmt_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width\"><title>",
                    d->lang == RA_STMT_ZH_CN ? "zh-CN" : "en");
    esc(&b, d->title);
    stmt_buf_puts(&b, " - ");
    esc(&b, d->head_right);
    stmt_buf_printf(&b, "</title><style>%s</style></head><body>\n<header><div class=\"firm\">", css);
    esc(&b, d->head_left);
    stmt_buf_puts(&b, "</div><div class=\"title\">");
    esc(&b, d->title);
    stmt_buf_puts(&b, "<div class=\"sub\">");
    esc(&b, d->head_right);
    stmt_buf_puts(&b, "</div></div></header>\n");
    for (size_t i = 0; i < d->n; i++) {
        const stmt_block *k = &d->b[i];
        switch (k->kind) {
        case SB_H1: stmt_buf_puts(&b, "<h1>"); esc(&b, k->text); stmt_buf_puts(&b, "</h1>\n"); break;
        case SB_H2: stmt_buf_puts(&b, "<h2>"); esc(&b, k->text); stmt_buf_puts(&b, "</h2>\n"); break;
        case SB_P: stmt_buf_puts(&b, "<p>"); esc(&b, k->text); stmt_buf_puts(&b, "</p>\n"); break;
        case SB_NOTE:
            stmt_buf_puts(&b, "<p class=\"note\">");
            esc(&b, k->text);
            stmt_buf_puts(&b, "</p>\n");
            break;
        case SB_TABLE: table(&b, k); break;
        case SB_LINE_CHART: line_chart(&b, d->lang, k); break;
        case SB_BAR_CHART: bar_chart(&b, k, d->lang); break;
        }
    }
    stmt_buf_puts(&b, "</body></html>\n");
    return stmt_buf_take(&b, out, len, err);
}
