/* The statements' Chinese font cut once per process (issue 16's batch speed, bench/README.md).
 *
 * Why: cairo 1.16 subsets the font of every PDF document anew and cannot reuse a subset across
 * documents, and for Noto Sans CJK SC (a CID-keyed CFF) its subset keeps the font's subroutines:
 * about 1 MB for the ~390 characters a Chinese statement uses, zlib-compressed again for every
 * statement (half of a Chinese statement's rendering time, a 950 KiB PDF). HarfBuzz's subsetter
 * (libharfbuzz-dev, hb-subset.h) cuts the font once to the characters the message catalogues
 * (stmt_msg_en.c, stmt_msg_zh_cn.c: every label, heading and disclosure) and the number and date
 * formats (stmt_fmt.c) use, plus ASCII, Latin-1 and the common punctuation, keeping only the
 * subroutines those glyphs call; FreeType loads the cut font from memory and cairo subsets that
 * small font per document. Advances are the full font's (HarfBuzz keeps hmtx), so the layout is
 * the same with either face.
 *
 * Text from outside the catalogues (client, account and fund names) may hold any character: the
 * PDF renderer asks stmt_font_covers() and draws a run that holds a character outside the cut with
 * the full fontconfig face instead (cairo then embeds that face's subset too).
 *
 * The cut is built under the caller's lock (stmt_pdf.c's font lock), then read-only: its bytes are
 * shared by every face loaded from them. stmt_font_load() gives each caller a cairo face of its
 * own, on a FreeType library and face of its own (a face loaded from the cut's bytes or from the
 * font file), so that threads drawing at once share no glyph cache and no lock: cairo shares a
 * face made through fontconfig, and its glyph caches and FreeType face, between every thread that
 * draws with it, behind one lock (bench/README.md#statements: two threads rendering through one
 * face used 1.5 times the CPU of one). */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>

#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-subset.h>
#include <hb.h>
#include <string.h>

/* What FreeType reads: freed with the cairo face that uses it (cairo may keep the face in its
 * caches after the last reference is dropped, so its user data's destroy function frees these). */
typedef struct ft_hold {
    hb_blob_t *blob;          /* the cut font's bytes (FreeType reads them in place), or NULL */
    FT_Library ft;
    FT_Face face;
} ft_hold;

struct stmt_font_cut {
    hb_blob_t *blob; /* the cut font's bytes, shared read-only by the faces loaded from it */
    unsigned char cover[0x10000 / 8]; /* the Basic Multilingual Plane characters the cut holds */
};

/* Decodes one UTF-8 character at s (advancing *s); 0xFFFD for a malformed byte. */
static unsigned next_cp(const unsigned char **s)
{
    const unsigned char *u = *s;
    unsigned c = u[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) {
        *s = u + 1;
        return 0xFFFD;
    }
    if (n > 1)
        c &= 0x7F >> n;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *s = u + i;
            return 0xFFFD;
        }
        c = c << 6 | (u[i] & 0x3F);
    }
    *s = u + n;
    return c;
}

static void add_text(hb_set_t *set, const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u;)
        hb_set_add(set, next_cp(&u));
}

int stmt_font_covers(const stmt_font_cut *cut, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s, *start = u;
    while ((size_t)(u - start) < n && *u) {
        if (*u < 0x80) { /* ASCII is always in the cut */
            u++;
            continue;
        }
        unsigned c = next_cp(&u);
        if (c > 0xFFFF || !(cut->cover[c >> 3] & (1u << (c & 7))))
            return 0;
    }
    return 1;
}

static void hold_free(void *p)
{
    ft_hold *h = p;
    if (!h)
        return;
    if (h->face)
        FT_Done_Face(h->face);
    if (h->ft)
        FT_Done_FreeType(h->ft);
    hb_blob_destroy(h->blob);
    ra_free(h);
}

static const cairo_user_data_key_t hold_key;

void stmt_font_cut_free(stmt_font_cut *cut)
{
    if (!cut)
        return;
    hb_blob_destroy(cut->blob); /* faces loaded from it hold their own references */
    ra_free(cut);
}

/* The characters of the cut: the catalogues of both languages, the date format's (stmt_fmt.c),
 * ASCII, Latin-1, general punctuation, currency signs, CJK punctuation and full-width forms. */
static void cut_set(hb_set_t *set)
{
    static const unsigned ranges[][2] = {
        {0x20, 0x7E}, {0xA0, 0xFF}, {0x2000, 0x206F}, {0x20A0, 0x20BF}, {0x2190, 0x2193},
        {0x2212, 0x2212}, {0x3000, 0x303F}, {0xFF01, 0xFF5E}, {0xFFE0, 0xFFE6},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        hb_set_add_range(set, ranges[i][0], ranges[i][1]);
    for (int l = 0; l < RA_STMT_LANG_N; l++)
        for (int k = 0; k < M_N; k++)
            add_text(set, ra_stmt_msg((ra_stmt_lang)l, (ra_stmt_msg_key)k));
    add_text(set, "年月日"); /* ra_stmt_format_date's zh-CN format */
}

ra_status stmt_font_cut_new(const char *file, int index, stmt_font_cut **out, ra_err *err)
{
    *out = NULL;
    stmt_font_cut *cut = ra_calloc(1, sizeof *cut);
    if (!cut)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory");
    hb_blob_t *src = hb_blob_create_from_file_or_fail(file);
    hb_face_t *face = src ? hb_face_create(src, (unsigned)index) : NULL;
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    hb_face_t *sub = NULL;
    if (face && in) {
        cut_set(hb_subset_input_unicode_set(in));
        /* cairo_show_text does not shape: the layout and vertical tables are not needed (and
         * the layout tables are most of the subsetting's time) */
        hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
        static const char *const tables[] = {"GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea",
                                             "vmtx", "DSIG"};
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
            hb_set_add(drop, hb_tag_from_string(tables[i], 4));
        sub = hb_subset_or_fail(face, in);
    }
    if (sub) {
        cut->blob = hb_face_reference_blob(sub);
        hb_set_t *have = hb_set_create();
        hb_face_collect_unicodes(sub, have);
        for (hb_codepoint_t c = HB_SET_VALUE_INVALID; hb_set_next(have, &c) && c <= 0xFFFF;)
            cut->cover[c >> 3] |= (unsigned char)(1u << (c & 7));
        hb_set_destroy(have);
    }
    hb_face_destroy(sub);
    hb_subset_input_destroy(in);
    hb_face_destroy(face);
    hb_blob_destroy(src);
    unsigned len = 0;
    if (!cut->blob || !hb_blob_get_data(cut->blob, &len) || len == 0) {
        stmt_font_cut_free(cut);
        return ra_err_set(err, RA_EIO, NULL, "could not subset the font %s", file);
    }
    /* load it once here: a cut FreeType cannot read is reported now, not at the first page */
    cairo_font_face_t *probe = NULL;
    if (stmt_font_load(file, index, cut, &probe, err) != RA_OK) {
        stmt_font_cut_free(cut);
        return RA_EIO;
    }
    cairo_font_face_destroy(probe);
    *out = cut;
    return RA_OK;
}

ra_status stmt_font_load(const char *file, int index, const stmt_font_cut *cut,
                         cairo_font_face_t **out, ra_err *err)
{
    *out = NULL;
    ft_hold *h = ra_calloc(1, sizeof *h);
    if (!h)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory");
    FT_Error fe = FT_Init_FreeType(&h->ft);
    if (fe == 0 && cut) {
        unsigned len = 0;
        h->blob = hb_blob_reference(cut->blob);
        const char *data = hb_blob_get_data(h->blob, &len);
        fe = FT_New_Memory_Face(h->ft, (const FT_Byte *)data, (FT_Long)len, 0, &h->face);
    } else if (fe == 0)
        fe = FT_New_Face(h->ft, file, index, &h->face);
    if (fe != 0) {
        hold_free(h);
        return ra_err_set(err, RA_EIO, NULL, cut ? "could not load the subset of the font %s"
                                                 : "could not load the font %s", file);
    }
    cairo_font_face_t *f = cairo_ft_font_face_create_for_ft_face(h->face, 0);
    if (cairo_font_face_status(f) != CAIRO_STATUS_SUCCESS ||
        cairo_font_face_set_user_data(f, &hold_key, h, hold_free) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(f);
        hold_free(h);
        return ra_err_set(err, RA_EIO, NULL, "could not load the font %s into cairo", file);
    }
    *out = f;
    return RA_OK;
}
