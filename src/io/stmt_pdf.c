/* A statement document (src/io/stmt_int.h) drawn as PDF with cairo: A4 pages, a header (the firm,
 * the document's title, the account and period) and "page X of Y" on every page, headings,
 * wrapped paragraphs, tables that continue on the next page under their header row, a line chart
 * of the account's value against the model benchmark and a bar chart of the allocation against
 * the target, all vector. Fonts come from fontconfig: DejaVu Sans for English, Noto Sans CJK SC
 * (one weight) for Chinese; cairo embeds the subset of glyphs used. Chinese text is drawn with
 * Noto cut once per process to the catalogues' characters (stmt_font.c: a small font for cairo
 * to subset and compress per document), a run with a character outside the cut with the full face.
 *
 * Pages are laid out twice: a first pass only measures, to know the number of pages the footer
 * prints; the second draws. Both use the same surface and font, so they break pages alike. */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 42.0
#define TOP 78.0
#define BOTTOM (PAGE_H - 52.0)
#define CONTENT_W (PAGE_W - 2 * MARGIN)

#define SIZE_BODY 8.5
#define SIZE_TABLE 7.2
#define SIZE_H1 13.0
#define SIZE_H2 10.0
#define SIZE_HEAD 8.0

typedef struct rgb {
    double r, g, b;
} rgb;
static const rgb C_TEXT = {0.13, 0.13, 0.13};
static const rgb C_MUTED = {0.40, 0.40, 0.40};
static const rgb C_NAVY = {0.11, 0.22, 0.38};     /* headings, table headers, the page header */
static const rgb C_ACCOUNT = {0.12, 0.47, 0.71};  /* the account's line and actual bars */
static const rgb C_MODEL = {1.00, 0.50, 0.05};    /* the model: benchmark line, target bars */
static const rgb C_RULE = {0.75, 0.75, 0.75};
static const rgb C_STRIPE = {0.95, 0.96, 0.97};

/* --- fonts: one font per language, found once through fontconfig; faces lent per document --------
 *
 * Each document draws with a set of faces no other document uses at the same time: a set is taken
 * from a pool at the start of stmt_pdf_render and given back at its end, and a new one is loaded
 * when every set is in use (so there are as many as documents ever drawn at once). A face made
 * through fontconfig would be one object for the whole process, its glyph caches and FreeType face
 * behind one lock taken for every run of text: two threads drawing statements used 1.5 times the
 * CPU of one (bench/README.md#statements). */

static pthread_mutex_t font_lock = PTHREAD_MUTEX_INITIALIZER;
static char *font_file[RA_STMT_LANG_N]; /* found through fontconfig, NULL until then */
static int font_index[RA_STMT_LANG_N];
static stmt_font_cut *font_cut[RA_STMT_LANG_N]; /* NULL: the full face draws everything */

static const char *const font_family[RA_STMT_LANG_N] = {"DejaVu Sans", "Noto Sans CJK SC"};
static const char *const font_package[RA_STMT_LANG_N] = {"fonts-dejavu-core", "fonts-noto-cjk"};
/* Cut the font once per process: Noto's CID CFF, which cairo subsets to about 1 MB per document
 * (DejaVu's TrueType subsets small and fast as it is). */
static const int font_cut_wanted[RA_STMT_LANG_N] = {0, 1};

typedef struct fonts {
    cairo_font_face_t *full;
    cairo_font_face_t *cut_face; /* NULL without a cut */
    const stmt_font_cut *cut;
    struct fonts *next; /* in the pool */
} fonts;
static fonts *font_pool[RA_STMT_LANG_N]; /* the sets not in use */

/* Finds the language's font file (under font_lock). */
static ra_status font_find(ra_stmt_lang lang, ra_err *err)
{
    if (font_file[lang])
        return RA_OK;
    ra_status rc = RA_OK;
    FcPattern *pat = FcNameParse((const FcChar8 *)font_family[lang]);
    FcPattern *match = NULL;
    FcResult res = FcResultNoMatch;
    if (pat) {
        FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_REGULAR);
        FcConfigSubstitute(NULL, pat, FcMatchPattern);
        FcDefaultSubstitute(pat);
        match = FcFontMatch(NULL, pat, &res);
    }
    FcChar8 *family = NULL, *file = NULL;
    int index = 0;
    int found = match && FcPatternGetString(match, FC_FAMILY, 0, &family) == FcResultMatch &&
                strcmp((const char *)family, font_family[lang]) == 0 &&
                FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
                FcPatternGetInteger(match, FC_INDEX, 0, &index) == FcResultMatch;
    if (!found)
        rc = ra_err_set(err, RA_EIO, NULL,
                        "could not find the font %s through fontconfig (install %s)",
                        font_family[lang], font_package[lang]);
    else {
        cairo_font_face_t *probe = NULL; /* a font FreeType cannot read fails here, once */
        rc = stmt_font_load((const char *)file, index, NULL, &probe, err);
        cairo_font_face_destroy(probe);
    }
    if (rc == RA_OK) {
        font_file[lang] = ra_strdup((const char *)file);
        font_index[lang] = index;
        if (!font_file[lang])
            rc = ra_err_set(err, RA_ENOMEM, NULL, "out of memory");
    }
    if (rc == RA_OK && font_cut_wanted[lang]) {
        /* without the cut the full face draws everything (slower, the same pages) */
        ra_err ignored;
        if (stmt_font_cut_new(font_file[lang], index, &font_cut[lang], &ignored) != RA_OK)
            font_cut[lang] = NULL;
    }
    if (match)
        FcPatternDestroy(match);
    if (pat)
        FcPatternDestroy(pat);
    return rc;
}

static void fonts_free(fonts *f)
{
    if (!f)
        return;
    cairo_font_face_destroy(f->full);
    cairo_font_face_destroy(f->cut_face);
    ra_free(f);
}

/* Lends a set of faces for one document (give it back with fonts_return). */
static ra_status fonts_take(ra_stmt_lang lang, fonts **out, ra_err *err)
{
    *out = NULL;
    pthread_mutex_lock(&font_lock);
    ra_status rc = font_find(lang, err);
    fonts *f = rc == RA_OK ? font_pool[lang] : NULL;
    if (f)
        font_pool[lang] = f->next;
    const char *file = font_file[lang];
    const stmt_font_cut *cut = font_cut[lang];
    pthread_mutex_unlock(&font_lock);
    if (rc != RA_OK || f) {
        *out = f;
        return rc;
    }
    /* every set is in use: a new one (the file and the cut stay until fonts_release) */
    f = ra_calloc(1, sizeof *f);
    if (!f)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory");
    rc = stmt_font_load(file, font_index[lang], NULL, &f->full, err);
    if (rc == RA_OK && cut && stmt_font_load(file, font_index[lang], cut, &f->cut_face, err) == RA_OK)
        f->cut = cut;
    if (rc != RA_OK) {
        fonts_free(f);
        return rc;
    }
    *out = f;
    return RA_OK;
}

static void fonts_return(ra_stmt_lang lang, fonts *f)
{
    pthread_mutex_lock(&font_lock);
    f->next = font_pool[lang];
    font_pool[lang] = f;
    pthread_mutex_unlock(&font_lock);
}

void ra_statement_fonts_release(void)
{
    pthread_mutex_lock(&font_lock);
    for (int l = 0; l < RA_STMT_LANG_N; l++) {
        while (font_pool[l]) {
            fonts *f = font_pool[l];
            font_pool[l] = f->next;
            fonts_free(f);
        }
        stmt_font_cut_free(font_cut[l]);
        font_cut[l] = NULL;
        ra_free(font_file[l]);
        font_file[l] = NULL;
    }
    cairo_debug_reset_static_data();
    FcFini();
    pthread_mutex_unlock(&font_lock);
}

/* --- the page ------------------------------------------------------------------------------ */

typedef struct pdf {
    cairo_t *cr;
    const stmt_doc *d;
    const fonts *f;
    cairo_font_face_t *cur; /* the face set on cr */
    double size;            /* the size set on cr */
    struct adv_cache *adv;  /* advances measured so far (NULL: measure every time) */
    int draw;          /* 0: measuring pass */
    int page, pages;   /* the current page (1..), the total (known in the drawing pass) */
    double y;
} pdf;

static void color(pdf *p, rgb c)
{
    cairo_set_source_rgb(p->cr, c.r, c.g, c.b);
}

/* Sets the face that draws s[0..n) (up to a NUL): the cut when it holds every character. */
static void pick_face(pdf *p, const char *s, size_t n)
{
    cairo_font_face_t *f =
        p->f->cut && stmt_font_covers(p->f->cut, s, n) ? p->f->cut_face : p->f->full;
    if (f != p->cur) {
        cairo_set_font_face(p->cr, f);
        p->cur = f;
    }
}

static void set_size(pdf *p, double size)
{
    if (size != p->size) {
        cairo_set_font_size(p->cr, size);
        p->size = size;
    }
}

/* --- measuring: each character's advance per face and size, measured once per document --------
 *
 * Both layout passes measure every word of every cell (the column widths, the row heights, the
 * wrapping), each a cairo_text_extents (UTF-8 to glyphs, the glyph cache under its lock): a fifth
 * of an English statement's rendering. cairo_show_text applies no kerning and the page's matrix is
 * the identity, so cairo's advance of a string is the sum of its characters' advances added left
 * to right from 0 (cairo_scaled_font_glyph_extents: the last glyph's position plus its advance);
 * summing the cached advances in the same order gives the same doubles, so the pages are the
 * same. */
#define ADV_TABLES 24  /* (face, size) pairs: a document uses about ten */
#define ADV_OTHER 1024 /* non-ASCII characters per pair (open addressing; full: measured anew) */

typedef struct adv_table {
    cairo_font_face_t *face;
    double size;
    unsigned char known[128];
    double ascii[128];
    uint32_t cp[ADV_OTHER]; /* 0: empty */
    double other[ADV_OTHER];
} adv_table;

typedef struct adv_cache {
    adv_table *t[ADV_TABLES];
    size_t n, last;
} adv_cache;

static void adv_cache_free(adv_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        ra_free(c->t[i]);
    ra_free(c);
}

static adv_table *adv_table_for(pdf *p)
{
    adv_cache *c = p->adv;
    if (!c)
        return NULL;
    if (c->last < c->n && c->t[c->last]->face == p->cur && c->t[c->last]->size == p->size)
        return c->t[c->last];
    for (size_t i = 0; i < c->n; i++)
        if (c->t[i]->face == p->cur && c->t[i]->size == p->size)
            return c->t[c->last = i];
    if (c->n == ADV_TABLES)
        return NULL;
    adv_table *t = ra_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->face = p->cur;
    t->size = p->size;
    c->t[c->last = c->n++] = t;
    return t;
}

/* cairo's advance of s[0..n) in the current face and size. */
static double measure_raw(pdf *p, const char *s, size_t n)
{
    char b[256];
    if (n >= sizeof b)
        n = sizeof b - 1;
    memcpy(b, s, n);
    b[n] = 0;
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, b, &e);
    return e.x_advance;
}

/* The advance of one character (len bytes at s) from the table, measured on first use. */
static double char_adv(pdf *p, adv_table *t, const unsigned char *s, size_t len)
{
    if (len == 1 && s[0] < 0x80) {
        if (!t->known[s[0]]) {
            t->ascii[s[0]] = measure_raw(p, (const char *)s, 1);
            t->known[s[0]] = 1;
        }
        return t->ascii[s[0]];
    }
    uint32_t cp = 0;
    for (size_t i = 0; i < len; i++)
        cp = cp << 8 | s[i]; /* the UTF-8 bytes themselves (at most 4): a unique key */
    size_t h = (cp * 2654435761u) % ADV_OTHER;
    for (size_t k = 0; k < ADV_OTHER; k++, h = (h + 1) % ADV_OTHER) {
        if (t->cp[h] == cp)
            return t->other[h];
        if (t->cp[h] == 0) {
            t->other[h] = measure_raw(p, (const char *)s, len);
            t->cp[h] = cp;
            return t->other[h];
        }
    }
    return measure_raw(p, (const char *)s, len);
}

/* The advance of s[0..n) (up to a NUL; at most 255 bytes) at the current size in the face that
 * draws it. */
static double measure(pdf *p, const char *s, size_t n)
{
    pick_face(p, s, n);
    adv_table *t = adv_table_for(p);
    if (!t)
        return measure_raw(p, s, n);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    double x = 0;
    if (n > 255)
        n = 255;
    while (i < n && u[i]) {
        size_t len = 1;
        if (u[i] >= 0x80)
            while (i + len < n && (u[i + len] & 0xC0) == 0x80)
                len++;
        x += char_adv(p, t, u + i, len);
        i += len;
    }
    return x;
}

static double text_w(pdf *p, const char *s, double size)
{
    set_size(p, size);
    size_t n = strlen(s);
    if (n > 255 || !p->adv) {
        cairo_text_extents_t e;
        pick_face(p, s, n);
        cairo_text_extents(p->cr, s, &e);
        return e.x_advance;
    }
    return measure(p, s, n);
}

/* Draws s with its baseline at y: align 0 left at x, 1 right ending at x, 2 centred on x. */
static void text_at(pdf *p, const char *s, double x, double y, double size, rgb c, int align)
{
    if (!p->draw || !s[0])
        return;
    double w = align ? text_w(p, s, size) : 0;
    pick_face(p, s, (size_t)-1);
    set_size(p, size);
    color(p, c);
    cairo_move_to(p->cr, align == 1 ? x - w : align == 2 ? x - w / 2 : x, y);
    cairo_show_text(p->cr, s);
}

static void header_footer(pdf *p)
{
    if (!p->draw)
        return;
    cairo_t *cr = p->cr;
    /* a white page first: cairo's PDF surface adds every operation's box to the page's region of
     * supported operations (pixman), which with hundreds of text runs grows with each one (a
     * tenth of the rendering); a first box covering the page keeps that region one rectangle.
     * Invisible: the page is white. */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, PAGE_W, PAGE_H);
    cairo_fill(cr);
    color(p, C_NAVY);
    cairo_rectangle(cr, 0, 0, PAGE_W, 6);
    cairo_fill(cr);
    text_at(p, p->d->head_left, MARGIN, 32, 11, C_NAVY, 0);
    text_at(p, p->d->title, PAGE_W - MARGIN, 30, 11, C_NAVY, 1);
    text_at(p, p->d->head_right, PAGE_W - MARGIN, 44, SIZE_HEAD, C_MUTED, 1);
    color(p, C_NAVY);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, 54);
    cairo_line_to(cr, PAGE_W - MARGIN, 54);
    cairo_stroke(cr);
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", p->page);
    snprintf(b, sizeof b, "%d", p->pages);
    const char *args[2] = {a, b};
    char *foot = stmt_fill(ra_stmt_msg(p->d->lang, M_PAGE_OF), args, 2);
    color(p, C_RULE);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN, PAGE_H - 40);
    cairo_line_to(cr, PAGE_W - MARGIN, PAGE_H - 40);
    cairo_stroke(cr);
    if (foot)
        text_at(p, foot, PAGE_W - MARGIN, PAGE_H - 28, SIZE_HEAD, C_MUTED, 1);
    text_at(p, p->d->head_left, MARGIN, PAGE_H - 28, SIZE_HEAD, C_MUTED, 0);
    ra_free(foot);
}

static void new_page(pdf *p)
{
    if (p->page > 0 && p->draw)
        cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
    header_footer(p);
}

static void ensure(pdf *p, double h)
{
    if (p->y + h > BOTTOM)
        new_page(p);
}

/* --- wrapping ---------------------------------------------------------------------------------- */

/* The length of the token at s: an ASCII word with its trailing spaces, or one other UTF-8
 * character (Chinese breaks between any two characters). */
static size_t token(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] >= 0x80) {
        size_t n = 1;
        while ((u[n] & 0xC0) == 0x80)
            n++;
        return n;
    }
    size_t n = 0;
    while (u[n] && u[n] < 0x80 && u[n] != ' ')
        n++;
    while (u[n] == ' ')
        n++;
    return n ? n : 1;
}

/* Calls line(p, text, ctx) for each line of s wrapped at width; returns the number of lines. */
typedef void (*line_fn)(pdf *p, const char *s, int i, void *ctx);

/* The advance of s[0..n) at the current size (cairo_show_text applies no kerning, so the
 * advances of consecutive pieces add up to the advance of the whole). */
static double advance(pdf *p, const char *s, size_t n)
{
    if (!p->adv) {
        char b[256];
        if (n >= sizeof b)
            n = sizeof b - 1;
        memcpy(b, s, n);
        b[n] = 0;
        pick_face(p, b, n);
        return measure_raw(p, b, n);
    }
    return measure(p, s, n);
}

static int wrap(pdf *p, const char *s, double size, double width, line_fn fn, void *ctx)
{
    char line[1024];
    size_t len = 0;
    int n = 0;
    double full = 0; /* the line's advance, its trailing spaces included */
    set_size(p, size);
    double space = advance(p, " ", 1);
    for (const char *q = s; *q;) {
        size_t t = token(q);
        if (len + t >= sizeof line)
            t = sizeof line - 1 - len;
        size_t w = t; /* the token without its trailing spaces */
        while (w > 0 && q[w - 1] == ' ')
            w--;
        double ww = advance(p, q, w);
        if (full + ww > width + 0.01 && len > 0) {
            line[len] = 0;
            while (len > 0 && line[len - 1] == ' ')
                line[--len] = 0;
            if (fn)
                fn(p, line, n, ctx);
            n++;
            len = 0;
            full = 0;
            continue; /* the token starts the next line */
        }
        memcpy(line + len, q, t);
        len += t;
        q += t;
        full += ww + (double)(t - w) * space;
        if (len >= sizeof line - 1) {
            line[len] = 0;
            if (fn)
                fn(p, line, n, ctx);
            n++;
            len = 0;
            full = 0;
        }
    }
    if (len > 0 || n == 0) {
        line[len] = 0;
        if (fn)
            fn(p, line, n, ctx);
        n++;
    }
    return n;
}

typedef struct para_ctx {
    double x, y, size, lh;
    rgb c;
    int align;
} para_ctx;

static void para_line(pdf *p, const char *s, int i, void *ctx)
{
    para_ctx *c = ctx;
    text_at(p, s, c->x, c->y + i * c->lh, c->size, c->c, c->align);
}

typedef struct flow_ctx {
    double size, lh;
    rgb c;
} flow_ctx;

/* A paragraph's line at the current position, on the next page when this one is full. */
static void flow_line(pdf *p, const char *s, int i, void *ctx)
{
    flow_ctx *c = ctx;
    (void)i;
    ensure(p, c->lh);
    text_at(p, s, MARGIN, p->y + c->size, c->size, c->c, 0);
    p->y += c->lh;
}

static void paragraph(pdf *p, const char *s, double size, rgb c, double gap)
{
    flow_ctx fc = {size, size * 1.45, c};
    wrap(p, s, size, CONTENT_W, flow_line, &fc);
    p->y += gap;
}

/* --- tables ----------------------------------------------------------------------------------- */

#define CELL_PAD 4.0

static void col_widths(pdf *p, const stmt_block *t, double *w)
{
    double nat[STMT_MAX_COLS] = {0}, sum = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        for (size_t r = 0; r < t->nrows; r++) {
            double x = text_w(p, t->cells[r * t->ncols + c], SIZE_TABLE) + 2 * CELL_PAD + 1;
            if (x > nat[c])
                nat[c] = x;
        }
        sum += nat[c];
    }
    if (sum <= CONTENT_W) {
        /* spread the rest: a key-value table gives it to its last column, others evenly */
        double extra = CONTENT_W - sum;
        for (size_t c = 0; c < t->ncols; c++)
            w[c] = nat[c] + (t->no_head ? (c == t->ncols - 1 ? extra : 0) : extra / t->ncols);
        return;
    }
    /* too wide: columns narrower than a fair share keep their width, the others share the rest
     * in proportion (their cells wrap) */
    int capped[STMT_MAX_COLS] = {0};
    double avail = CONTENT_W;
    size_t left = t->ncols;
    for (int changed = 1; changed && left;) {
        changed = 0;
        double share = avail / (double)left;
        for (size_t c = 0; c < t->ncols; c++)
            if (!capped[c] && nat[c] <= share) {
                capped[c] = 1;
                w[c] = nat[c];
                avail -= nat[c];
                left--;
                changed = 1;
            }
    }
    double rest = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (!capped[c])
            rest += nat[c];
    for (size_t c = 0; c < t->ncols; c++)
        if (!capped[c])
            w[c] = rest > 0 ? nat[c] / rest * avail : avail / (double)left;
}

static double row_height(pdf *p, const stmt_block *t, size_t r, const double *w)
{
    int lines = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        int n = wrap(p, t->cells[r * t->ncols + c], SIZE_TABLE, w[c] - 2 * CELL_PAD, NULL, NULL);
        if (n > lines)
            lines = n;
    }
    return lines * SIZE_TABLE * 1.35 + 5;
}

static void draw_row(pdf *p, const stmt_block *t, size_t r, const double *w, double h, int head,
                     int stripe, int bold)
{
    cairo_t *cr = p->cr;
    if (p->draw) {
        if (head || stripe) {
            color(p, head ? C_NAVY : C_STRIPE);
            cairo_rectangle(cr, MARGIN, p->y, CONTENT_W, h);
            cairo_fill(cr);
        }
        if (bold) {
            color(p, C_NAVY);
            cairo_set_line_width(cr, 0.8);
            cairo_move_to(cr, MARGIN, p->y);
            cairo_line_to(cr, MARGIN + CONTENT_W, p->y);
            cairo_stroke(cr);
        }
        double x = MARGIN;
        for (size_t c = 0; c < t->ncols; c++) {
            para_ctx pc = {t->right[c] ? x + w[c] - CELL_PAD : x + CELL_PAD,
                           p->y + 2.5 + SIZE_TABLE, SIZE_TABLE, SIZE_TABLE * 1.35,
                           head ? (rgb){1, 1, 1} : (t->no_head && c == 0) ? C_MUTED : C_TEXT,
                           t->right[c] ? 1 : 0};
            wrap(p, t->cells[r * t->ncols + c], SIZE_TABLE, w[c] - 2 * CELL_PAD, para_line, &pc);
            x += w[c];
        }
        if (!head) {
            color(p, C_RULE);
            cairo_set_line_width(cr, 0.3);
            cairo_move_to(cr, MARGIN, p->y + h);
            cairo_line_to(cr, MARGIN + CONTENT_W, p->y + h);
            cairo_stroke(cr);
        }
    }
    p->y += h;
}

static void table(pdf *p, const stmt_block *t)
{
    double w[STMT_MAX_COLS];
    col_widths(p, t, w);
    int has_head = !t->no_head;
    double hh = has_head ? row_height(p, t, 0, w) : 0;
    double h1 = t->nrows > (size_t)has_head ? row_height(p, t, (size_t)has_head, w) : 0;
    ensure(p, hh + h1);
    if (has_head)
        draw_row(p, t, 0, w, hh, 1, 0, 0);
    for (size_t r = (size_t)has_head; r < t->nrows; r++) {
        double h = row_height(p, t, r, w);
        if (p->y + h > BOTTOM) {
            new_page(p);
            if (has_head)
                draw_row(p, t, 0, w, hh, 1, 0, 0);
        }
        int total = t->last_bold && r == t->nrows - 1;
        draw_row(p, t, r, w, h, 0, (r - (size_t)has_head) % 2 == 1 && !total, total);
    }
    p->y += 10;
}

/* --- charts ------------------------------------------------------------------------------------ */

/* A "nice" step for about n ticks over span (1, 2 or 5 times a power of ten). */
static double nice_step(double span, int n)
{
    double raw = span / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void legend(pdf *p, double x, double y, rgb c1, const char *l1, rgb c2, const char *l2,
                   int dashed2)
{
    cairo_t *cr = p->cr;
    if (!p->draw)
        return;
    cairo_set_line_width(cr, 2);
    color(p, c1);
    cairo_move_to(cr, x, y - 3);
    cairo_line_to(cr, x + 16, y - 3);
    cairo_stroke(cr);
    text_at(p, l1, x + 20, y, SIZE_TABLE, C_TEXT, 0);
    double x2 = x + 32 + text_w(p, l1, SIZE_TABLE);
    color(p, c2);
    if (dashed2)
        cairo_set_dash(cr, (double[]){4, 2}, 2, 0);
    cairo_move_to(cr, x2, y - 3);
    cairo_line_to(cr, x2 + 16, y - 3);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    text_at(p, l2, x2 + 20, y, SIZE_TABLE, C_TEXT, 0);
}

#define LINE_CHART_H 190.0

static void line_chart(pdf *p, const stmt_block *b)
{
    const double H = LINE_CHART_H;
    ensure(p, H + 24);
    text_at(p, b->text, MARGIN, p->y + SIZE_H2, SIZE_H2, C_NAVY, 0);
    double top = p->y + 20, x0 = MARGIN + 58, x1 = PAGE_W - MARGIN - 6, y1 = top + H - 44;
    double ytop = top + 6;
    p->y += H + 16;
    if (!p->draw)
        return;
    cairo_t *cr = p->cr;
    legend(p, x0, y1 + 34, C_ACCOUNT, b->legend1, C_MODEL, b->legend2, 1);
    color(p, C_RULE);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, x0, ytop, x1 - x0, y1 - ytop);
    cairo_stroke(cr);
    if (b->n < 2) {
        text_at(p, ra_stmt_msg(p->d->lang, M_NOT_AVAILABLE), (x0 + x1) / 2, (ytop + y1) / 2,
                SIZE_BODY, C_MUTED, 2);
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < b->n; i++) {
        lo = fmin(lo, fmin(b->y1[i], b->y2[i]));
        hi = fmax(hi, fmax(b->y1[i], b->y2[i]));
    }
    if (hi - lo < 1e-9) {
        hi += 1;
        lo -= 1;
    }
    double step = nice_step(hi - lo, 5);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    double d0 = b->x[0], d1 = b->x[b->n - 1];
    if (d1 <= d0)
        d1 = d0 + 1;
#define PX(d) (x0 + ((double)(d) - d0) / (d1 - d0) * (x1 - x0))
#define PY(v) (y1 - ((v) - lo) / (hi - lo) * (y1 - ytop))
    /* grid and axis labels */
    for (double v = lo; v <= hi + step / 2; v += step) {
        color(p, C_RULE);
        cairo_set_line_width(cr, 0.3);
        cairo_move_to(cr, x0, PY(v));
        cairo_line_to(cr, x1, PY(v));
        cairo_stroke(cr);
        char s[RA_STMT_FMT_SIZE];
        ra_stmt_format_money(p->d->lang, (ra_minor)llround(v), 0, s);
        text_at(p, s, x0 - 4, PY(v) + 2.5, SIZE_TABLE - 0.5, C_MUTED, 1);
    }
    int nt = 5;
    for (int k = 0; k <= nt; k++) {
        size_t i = (size_t)llround((double)k / nt * (double)(b->n - 1));
        char s[RA_STMT_FMT_SIZE];
        ra_stmt_format_date(p->d->lang, b->x[i], s);
        text_at(p, s, PX(b->x[i]), y1 + 12, SIZE_TABLE - 0.5, C_MUTED, k == 0 ? 0 : k == nt ? 1 : 2);
    }
    /* the benchmark dashed, then the account over it */
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (int s = 1; s >= 0; s--) {
        const double *y = s ? b->y2 : b->y1;
        color(p, s ? C_MODEL : C_ACCOUNT);
        cairo_set_line_width(cr, s ? 1.3 : 1.7);
        if (s)
            cairo_set_dash(cr, (double[]){4, 2}, 2, 0);
        cairo_move_to(cr, PX(b->x[0]), PY(y[0]));
        for (size_t i = 1; i < b->n; i++)
            cairo_line_to(cr, PX(b->x[i]), PY(y[i]));
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
#undef PX
#undef PY
}

#define BAR_H 8.0
#define BAR_GAP 7.0

static double bar_chart_h(const stmt_block *b)
{
    return 24 + (double)b->n * (2 * BAR_H + BAR_GAP) + 22;
}

static void bar_chart(pdf *p, const stmt_block *b)
{
    const double bar = BAR_H, gap = BAR_GAP, label_w = 110;
    double H = bar_chart_h(b);
    ensure(p, H);
    text_at(p, b->text, MARGIN, p->y + SIZE_H2, SIZE_H2, C_NAVY, 0);
    double top = p->y + 20, x0 = MARGIN + label_w, x1 = PAGE_W - MARGIN - 50;
    p->y += H;
    if (!p->draw)
        return;
    cairo_t *cr = p->cr;
    double mx = 0.0001;
    for (size_t i = 0; i < b->n; i++)
        mx = fmax(mx, fmax(b->y1[i], b->y2[i]));
    mx = fmin(1.0, ceil(mx * 10) / 10);
    if (mx <= 0)
        mx = 1;
    color(p, C_RULE);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, x0, top);
    cairo_line_to(cr, x0, top + (double)b->n * (2 * bar + gap));
    cairo_stroke(cr);
    for (size_t i = 0; i < b->n; i++) {
        double y = top + (double)i * (2 * bar + gap);
        text_at(p, b->labels[i], x0 - 6, y + bar + 3, SIZE_TABLE, C_TEXT, 1);
        for (int s = 0; s < 2; s++) {
            double v = s ? b->y2[i] : b->y1[i], w = fmax(0, v) / mx * (x1 - x0);
            color(p, s ? C_MODEL : C_ACCOUNT);
            cairo_rectangle(cr, x0, y + s * bar, w, bar - 1);
            cairo_fill(cr);
            char t[RA_STMT_FMT_SIZE];
            ra_stmt_format_pct(p->d->lang, v, 1, t);
            text_at(p, t, x0 + w + 3, y + s * bar + bar - 2, SIZE_TABLE - 1, C_MUTED, 0);
        }
    }
    legend(p, x0, top + (double)b->n * (2 * bar + gap) + 14, C_ACCOUNT, b->legend1, C_MODEL,
           b->legend2, 0);
}

/* --- the document ------------------------------------------------------------------------------ */

/* The height to keep with a heading: a chart's, else a few lines. */
static double next_height(const stmt_doc *d, size_t i)
{
    if (i + 1 >= d->n)
        return 30;
    const stmt_block *b = &d->b[i + 1];
    if (b->kind == SB_LINE_CHART)
        return LINE_CHART_H + 16;
    if (b->kind == SB_BAR_CHART)
        return bar_chart_h(b);
    return 40;
}

static void layout(pdf *p)
{
    p->page = 0;
    new_page(p);
    for (size_t i = 0; i < p->d->n; i++) {
        const stmt_block *b = &p->d->b[i];
        switch (b->kind) {
        case SB_H1:
            ensure(p, 30 + next_height(p->d, i)); /* keep a heading with what follows */
            p->y += 6;
            text_at(p, b->text, MARGIN, p->y + SIZE_H1, SIZE_H1, C_NAVY, 0);
            p->y += SIZE_H1 + 8;
            break;
        case SB_H2:
            ensure(p, 44);
            text_at(p, b->text, MARGIN, p->y + SIZE_H2, SIZE_H2, C_NAVY, 0);
            p->y += SIZE_H2 + 6;
            break;
        case SB_P: paragraph(p, b->text, SIZE_BODY, C_TEXT, 6); break;
        case SB_NOTE: paragraph(p, b->text, SIZE_TABLE, C_MUTED, 6); break;
        case SB_TABLE: table(p, b); break;
        case SB_LINE_CHART: line_chart(p, b); break;
        case SB_BAR_CHART: bar_chart(p, b); break;
        }
    }
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    stmt_buf *b = closure;
    stmt_buf_add(b, (const char *)data, length);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

ra_status stmt_pdf_render(const stmt_doc *d, char **out, size_t *len, ra_err *err)
{
    fonts *f = NULL;
    ra_status rc = fonts_take(d->lang, &f, err);
    if (rc != RA_OK)
        return rc;
    stmt_buf buf = {0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, &buf, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "roboadvisor");
    cairo_t *cr = cairo_create(s);
    cairo_set_font_face(cr, f->full);
    cairo_set_font_size(cr, 10.0); /* cairo's default */
    pdf p = {cr, d, f, f->full, 10.0, ra_calloc(1, sizeof(adv_cache)), 0, 0, 0, 0};
    layout(&p); /* measure: the number of pages */
    p.pages = p.page;
    p.draw = 1;
    layout(&p);
    cairo_show_page(cr);
    cairo_status_t cs = cairo_status(cr);
    adv_cache_free(p.adv);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    fonts_return(d->lang, f); /* the surface, which used the faces, is gone */
    if (cs != CAIRO_STATUS_SUCCESS) {
        ra_free(buf.p);
        return ra_err_set(err, cs == CAIRO_STATUS_NO_MEMORY ? RA_ENOMEM : RA_EIO, NULL,
                          "could not draw the PDF: %s", cairo_status_to_string(cs));
    }
    return stmt_buf_take(&buf, out, len, err);
}
