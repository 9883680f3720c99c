/* Statements inside src/io (not public): the message catalogue's keys, the language-neutral
 * document the statement, tax and firm reports are laid out into (stmt_doc.c), and its two
 * renderers, PDF with cairo (stmt_pdf.c) and HTML (stmt_html.c). Layout code takes every label
 * from the catalogue (ra_stmt_msg); the catalogues are stmt_msg_en.c and stmt_msg_zh_cn.c. */
#ifndef RA_IO_STMT_INT_H
#define RA_IO_STMT_INT_H

#include <roboadvisor/statement.h>

#include <stdarg.h>

/* The catalogue's keys: every label, heading and sentence of the documents. */
#define RA_STMT_MSGS(X)                                                                            \
    X(M_STATEMENT) X(M_TAX_REPORT) X(M_FIRM_REPORT) X(M_PAGE_OF) X(M_PERIOD_RANGE)                \
    X(M_ACCOUNT_LINE) X(M_SEC_SUMMARY) X(M_CLIENT) X(M_CLIENT_CODE) X(M_ACCOUNT) X(M_ACCOUNT_TYPE) \
    X(M_TYPE_TAXABLE) X(M_TYPE_DEFERRED) X(M_TYPE_FREE) X(M_MODEL) X(M_NONE) X(M_MANAGEMENT)      \
    X(M_DISCRETIONARY) X(M_ADVISORY) X(M_CURRENCY) X(M_PERIOD) X(M_SEC_PERF) X(M_FIGURE)          \
    X(M_AMOUNT) X(M_UNIT) X(M_SOURCE) X(M_AS_OF) X(M_RISK) X(M_K_OPENING) X(M_K_DEPOSITS)          \
    X(M_K_WITHDRAWALS) X(M_K_FEES_PAID) X(M_K_INVEST_GAIN) X(M_K_CLOSING) X(M_K_TWR)              \
    X(M_K_BENCH_TWR) X(M_K_MWR) X(M_K_UNREALISED) X(M_K_REALISED_SHORT) X(M_K_REALISED_LONG)      \
    X(M_K_WASH) X(M_K_HARVESTED) X(M_K_FEES_BILLED) X(M_U_PCT_PERIOD) X(M_U_PCT_YEAR)             \
    X(M_NOT_AVAILABLE) X(M_CHART_VALUE) X(M_LEGEND_ACCOUNT) X(M_LEGEND_BENCH) X(M_SEC_ALLOC)      \
    X(M_CHART_ALLOC) X(M_LEGEND_ACTUAL) X(M_LEGEND_TARGET) X(M_ASSET_CLASS) X(M_ACTUAL_PCT)       \
    X(M_TARGET_PCT) X(M_DIFF_PCT) X(M_CASH) X(M_SEC_HOLDINGS) X(M_TICKER) X(M_SECURITY)           \
    X(M_QTY) X(M_PRICE) X(M_PRICE_DATE) X(M_VALUE) X(M_WEIGHT_PCT) X(M_COST) X(M_UNREALISED)      \
    X(M_TOTAL) X(M_SEC_TXNS) X(M_DATE) X(M_KIND) X(M_CASH_EFFECT) X(M_COSTS) X(M_TX_DEPOSIT)      \
    X(M_TX_WITHDRAWAL) X(M_TX_BUY) X(M_TX_SELL) X(M_TX_DIVIDEND) X(M_TX_REINVEST) X(M_TX_FEE)     \
    X(M_TX_TRANSFER_IN) X(M_TX_TRANSFER_OUT) X(M_TX_SPLIT) X(M_NONE_IN_PERIOD) X(M_SEC_FEES)      \
    X(M_FEE_PERIOD) X(M_SCHEDULE) X(M_DAYS) X(M_AVG_VALUE) X(M_ASSET_FEE) X(M_SUBSCRIPTION)       \
    X(M_SERVICES) X(M_PERF_FEE) X(M_BILLED) X(M_YES) X(M_NO) X(M_FEE_HOW_ASSET) X(M_FEE_HOW_PERF) \
    X(M_FEE_PERF_LINE) X(M_SEC_GAINS) X(M_PROCEEDS) X(M_GAIN) X(M_SHORT) X(M_LONG)                \
    X(M_WASH_DISALLOWED) X(M_HARVEST) X(M_GAINS_NOTE) X(M_SEC_RISK) X(M_CLIENT_LEVEL)             \
    X(M_PROFILE_TAKEN) X(M_PROFILE_EXPIRES) X(M_PROFILE_EXPIRED) X(M_MODEL_LEVEL)                 \
    X(M_PORTFOLIO_LEVEL) X(M_SUITABILITY) X(M_SUITABLE) X(M_NOT_SUITABLE) X(M_NO_PROFILE)         \
    X(M_RISK_SCALE) X(M_ALERTS) X(M_RAISED) X(M_CLOSED) X(M_OBSERVED) X(M_THRESHOLD) X(M_OPEN)    \
    X(M_AL_TRADING) X(M_AL_DRAWDOWN) X(M_AL_CONCENTRATION) X(M_AL_PROFILE) X(M_SUSPENSIONS)       \
    X(M_LOSS) X(M_LOSS_LIMIT) X(M_REAUTHORISED) X(M_BY) X(M_SUSP_LOSS_LIMIT) X(M_SUSP_RULE)       \
    X(M_SEC_DISCLOSURES) X(M_D_DOES_H) X(M_D_DOES) X(M_D_DOES_NOT_H) X(M_D_DOES_NOT)              \
    X(M_D_LIMITS_H) X(M_D_LIMITS) X(M_D_SOURCES_H) X(M_D_SOURCES) X(M_D_METHOD_H) X(M_D_METHOD)   \
    X(M_D_FEES_H) X(M_D_FEES_NONE) X(M_TIER_FROM) X(M_TIER_TO) X(M_TIER_RATE) X(M_AND_ABOVE)      \
    X(M_FEE_MIN) X(M_FEE_MONTHLY) X(M_FEE_BILLING) X(M_BILL_MONTHLY) X(M_BILL_QUARTERLY)          \
    X(M_FEE_PERF_TERMS) X(M_SRC_LEDGER) X(M_SRC_VALUES) X(M_SRC_PRICES) X(M_SRC_MODEL)            \
    X(M_SRC_FEES) X(M_SRC_GAINS) X(M_SRC_PROFILE) X(M_SRC_RISK) X(M_LATEST_DATA) X(M_TAX_YEAR)    \
    X(M_TAX_PART1) X(M_TAX_PART2) X(M_TAX_A) X(M_TAX_B) X(M_TAX_C) X(M_TAX_D) X(M_TAX_E)          \
    X(M_TAX_F) X(M_TAX_G) X(M_TAX_H) X(M_TAX_NOTE) X(M_TAX_HARVEST) X(M_HARVEST_SALES)            \
    X(M_HARVEST_ALLOWED_S) X(M_HARVEST_ALLOWED_L) X(M_FIRM_DATE) X(M_FIRM_ASSETS)                 \
    X(M_FIRM_ACCOUNTS) X(M_FIRM_BY_LEVEL) X(M_FIRM_BY_TIER) X(M_LEVEL) X(M_TIER) X(M_COUNT)       \
    X(M_FIRM_OUT_OF_BAND) X(M_FIRM_SUSPENDED) X(M_FIRM_ALERTS) X(M_FIRM_FEES) X(M_DRIFT_PCT)      \
    X(M_TIER_DIGITAL) X(M_TIER_HYBRID) X(M_TIER_ADVISOR) X(M_FIRM_LIST) X(M_STATUS)               \
    X(M_IN_BAND) X(M_OUT_OF_BAND) X(M_SUSPENDED) X(M_PRODUCED) X(M_MONEY_UNIT) X(M_SHARES)    \
    X(M_AC_US_EQUITY) X(M_AC_INTL_EQUITY) X(M_AC_EM_EQUITY) X(M_AC_US_BONDS) X(M_AC_INTL_BONDS)   \
    X(M_AC_BONDS) X(M_AC_REAL_ESTATE) X(M_AC_COMMODITIES) X(M_AC_REAL_ASSETS) X(M_AC_GOLD) X(M_NO_LEVEL) X(M_SOURCE_NOTE)

typedef enum ra_stmt_msg_key {
#define RA_STMT_MSG_ENUM(k) k,
    RA_STMT_MSGS(RA_STMT_MSG_ENUM)
#undef RA_STMT_MSG_ENUM
    M_N
} ra_stmt_msg_key;

extern const char *const ra_stmt_msgs_en[M_N];
extern const char *const ra_stmt_msgs_zh_cn[M_N];

/* The text of key in lang (never NULL: the unit test checks both catalogues are complete). */
const char *ra_stmt_msg(ra_stmt_lang lang, ra_stmt_msg_key key);
/* The key's name ("M_STATEMENT"), for the catalogue test. */
const char *ra_stmt_msg_name(ra_stmt_msg_key key);

/* A growable byte buffer (ra_malloc); oom set once an append failed. */
typedef struct stmt_buf {
    char *p;
    size_t len, cap;
    int oom;
} stmt_buf;
void stmt_buf_add(stmt_buf *b, const char *s, size_t n);
void stmt_buf_puts(stmt_buf *b, const char *s);
void stmt_buf_printf(stmt_buf *b, const char *fmt, ...) RA_PRINTF(2, 3);
/* Hands the bytes to *out / *len (RA_ENOMEM after a failed append). */
ra_status stmt_buf_take(stmt_buf *b, char **out, size_t *len, ra_err *err);

/* printf into a fresh string with a template from the catalogue: "{0}", "{1}", ... are replaced
 * by args[0..] (templates order the arguments per language). ra_free the result. */
char *stmt_fill(const char *tmpl, const char *const *args, size_t n);

/* --- the document: blocks laid out by both renderers ------------------------------------------ */

typedef enum stmt_block_kind {
    SB_H1, SB_H2, SB_P, SB_NOTE, SB_TABLE, SB_LINE_CHART, SB_BAR_CHART
} stmt_block_kind;

#define STMT_MAX_COLS 12

typedef struct stmt_block {
    stmt_block_kind kind;
    const char *text;           /* headings, paragraphs, notes, a chart's title */
    size_t ncols, nrows, cap;   /* tables: row 0 the header */
    const char **cells;         /* nrows * ncols strings */
    unsigned char right[STMT_MAX_COLS]; /* 1: right-aligned (numbers) */
    int last_bold;              /* tables: the last row is a total */
    int no_head;                /* tables: row 0 is data (a key-value table) */
    /* charts: a line chart's n points of two series (y in minor units), or a bar chart's n pairs
     * (fractions) with their labels; legend texts */
    size_t n;
    const ra_date *x;
    const double *y1, *y2;
    const char **labels;
    const char *legend1, *legend2;
} stmt_block;

typedef struct stmt_doc {
    ra_stmt_lang lang;
    const char *title, *head_left, *head_right, *foot; /* the header and footer of every page */
    stmt_block *b;
    size_t n, cap;
    char **pool;                /* every string of the document (owned) */
    size_t n_pool, cap_pool;
    void **mem;                 /* chart arrays (owned) */
    size_t n_mem, cap_mem;
    int oom;
} stmt_doc;

/* A copy of s owned by the document (never NULL: "" after a failed allocation, d->oom set). */
const char *stmt_str(stmt_doc *d, const char *s);
/* The catalogue's template `key` filled with n arguments, owned by the document. */
const char *stmt_msgf(stmt_doc *d, ra_stmt_msg_key key, size_t n, ...);
/* n zeroed bytes owned by the document (NULL after a failed allocation, d->oom set). */
void *stmt_mem(stmt_doc *d, size_t n);

void stmt_doc_free(stmt_doc *d);
stmt_block *stmt_doc_add(stmt_doc *d, stmt_block_kind kind, const char *text);
/* A table of ncols columns with the header cells (ncols strings); rows are added with
 * stmt_table_row. right: ncols flags (NULL: left). */
stmt_block *stmt_doc_table(stmt_doc *d, size_t ncols, const char *const *head,
                           const unsigned char *right);
void stmt_table_row(stmt_doc *d, stmt_block *t, const char *const *cells);

/* Lays out the models into documents (stmt_doc.c). */
ra_status stmt_doc_statement(const ra_statement *st, ra_stmt_lang lang, stmt_doc *d, ra_err *err);
ra_status stmt_doc_tax(const ra_tax_report *r, ra_stmt_lang lang, stmt_doc *d, ra_err *err);
ra_status stmt_doc_firm(const ra_firm_report *r, ra_stmt_lang lang, stmt_doc *d, ra_err *err);

/* A font cut to the catalogues' characters once per process (stmt_font.c, for the PDF). */
typedef struct stmt_font_cut stmt_font_cut;
typedef struct _cairo_font_face cairo_font_face_t;
/* Cuts face index of the font file to the characters of both catalogues, the formats, ASCII,
 * Latin-1 and common punctuation (checking that FreeType loads the cut). */
ra_status stmt_font_cut_new(const char *file, int index, stmt_font_cut **out, ra_err *err);
void stmt_font_cut_free(stmt_font_cut *cut);
/* A cairo face of the caller's own (its own FreeType library and face, shared with no other
 * caller): face index of the font file, or the cut when cut is not NULL. Released with
 * cairo_font_face_destroy. */
ra_status stmt_font_load(const char *file, int index, const stmt_font_cut *cut,
                         cairo_font_face_t **out, ra_err *err);
/* 1 when the cut holds every character of s[0..n) (up to a NUL), 0 when the full face must draw
 * it. */
int stmt_font_covers(const stmt_font_cut *cut, const char *s, size_t n);

/* The renderers. */
ra_status stmt_pdf_render(const stmt_doc *d, char **out, size_t *len, ra_err *err);
ra_status stmt_html_render(const stmt_doc *d, char **out, size_t *len, ra_err *err);
ra_status stmt_json_statement(const ra_statement *st, char **out, size_t *len, ra_err *err);
ra_status stmt_csv_tax(const ra_tax_report *r, char **out, size_t *len, ra_err *err);

#endif
