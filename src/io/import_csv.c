/* Parsers of the import files of the book of record: include/roboadvisor/import.h,
 * docs/formats.md "Import files".
 *
 * The tokenizer of csv.c (csv_int.h) turns bytes into records; here each record is checked against
 * the format's named columns and turned into a record of book.h, in arrays that grow and are freed
 * on every error, so nothing is half-built. Numbers that are money or quantities are read as exact
 * decimal text; nothing goes through a double except the few fractions of book.h that are double
 * (expense ratio, drift band, loss limit), and those are one correctly rounded division of an exact
 * integer by a power of ten. Repeats (a ticker twice, a transaction id twice in one account) are
 * found with a hash set of keys, so everything is linear in the input.
 *
 * Longer than 1,200 lines because the eight formats share the frame, the field readers and the
 * key set here; split by format, each file would need them in a shared header of its own. */
#include "csv_int.h"
#include "core/money_int.h"

#include <roboadvisor/hashtab.h>
#include <roboadvisor/import.h>
#include <roboadvisor/market_rules.h>
#include <roboadvisor/rules.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPECS 24  /* columns of the widest format (accounts, with the mandate's) */
#define FRAC_DIGITS 9 /* decimals accepted in a fraction (expense ratio, drift band, ...) */
#define EXP_CAP 100000 /* exponents beyond this are out of range whatever the digits */

/* Defaults and ranges of the mandate, codes, text and emails are the domain rules of rules.h. */
#define MAX_EXPENSE_RATIO 0.05    /* above 5 % a year it is almost surely a percentage: 0.09 = 9 bp? */

/* ---- text ----------------------------------------------------------------------------------- */

static int eq_ci(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* ---- exact decimals ------------------------------------------------------------------------- */

ra_status ra_import_decimal_round(const char *s, size_t len, int digits, int64_t *out, ra_err *err)
{
    ra_status st = ra_money_decimal_args_check(s, len, digits, out, err);
    if (st != RA_OK)
        return st;
    char vb[RA_CSV_SHOW_CAP];
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    /* the mantissa's digits ds = s[d0 .. d_end) without the point; value = int(ds) * 10^exp10 */
    size_t d0 = i, n_dig = 0, n_frac = 0, point = SIZE_MAX;
    for (; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            n_dig++;
            if (point != SIZE_MAX)
                n_frac++;
        } else if (s[i] == '.' && point == SIZE_MAX) {
            point = i;
        } else {
            break;
        }
    }
    size_t d_end = i;
    long exp10 = 0;
    if (n_dig > 0 && i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0, edig = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edig = 1)
            if (exp10 < EXP_CAP)
                exp10 = exp10 * 10 + (s[i] - '0');
        if (!edig)
            n_dig = 0; /* "1e" is not a number */
        if (eneg)
            exp10 = -exp10;
    }
    if (n_dig == 0 || i != len)
        return ra_err_set(err, RA_EPARSE, NULL, "not a number: %s", ra_csvtok_show(vb, s, len));
    long shift = exp10 - (long)n_frac + digits; /* result = int(ds) * 10^shift, rounded */
    long n_keep = (long)n_dig + (shift < 0 ? shift : 0); /* digits of ds before the rounding cut */
    __int128 v = 0;
    const __int128 cap = (__int128)INT64_MAX + 1;
    long k = 0;
    int first_dropped = 0, rest_nonzero = 0;
    for (size_t j = d0; j < d_end; j++) {
        if (s[j] == '.')
            continue;
        int dgt = s[j] - '0';
        if (k < n_keep) {
            if (v < cap)
                v = v * 10 + dgt;
        } else if (k == n_keep) {
            first_dropped = dgt;
        } else if (dgt) {
            rest_nonzero = 1;
        }
        k++;
    }
    if (n_keep < 0 && (first_dropped || rest_nonzero)) {
        /* the first kept place is above the first digit: below half a unit, rounds to 0 */
        first_dropped = 0;
        rest_nonzero = 1;
    }
    if (shift > 0 && v != 0) {
        if (shift > 18)
            v = cap;
        for (long t = 0; t < shift && v < cap; t++)
            v *= 10;
    }
    if (first_dropped > 5 || (first_dropped == 5 && (rest_nonzero || (v & 1))))
        v++;
    if (v > INT64_MAX)
        return ra_err_set(err, RA_EPARSE, NULL, "number out of range: %s",
                          ra_csvtok_show(vb, s, len));
    *out = (int64_t)(neg ? -v : v);
    return RA_OK;
}

/* ---- a set of string keys (open addressing, FNV-1a) ----------------------------------------- */

typedef struct kset_entry {
    char *key;
    uint32_t line;
} kset_entry;

typedef struct kset {
    kset_entry *e;
    size_t cap, n;
} kset;

static void kset_free(kset *h)
{
    for (size_t i = 0; i < h->cap; i++)
        ra_free(h->e[i].key);
    ra_free(h->e);
    memset(h, 0, sizeof *h);
}

static const char *kset_key(const void *slot) { return ((const kset_entry *)slot)->key; }

static int kset_rehash(kset *h)
{
    return ra_hashtab_grow((void **)&h->e, &h->cap, sizeof *h->e, 256, kset_key) == 0;
}

/* Adds key (copied) seen on line; *prev = the line of an equal key already there (not adding),
 * else 0. Returns 0 when out of memory. */
static int kset_add(kset *h, const char *key, uint32_t line, uint32_t *prev)
{
    *prev = 0;
    if (2 * (h->n + 1) > h->cap && !kset_rehash(h))
        return 0;
    size_t j = (size_t)ra_hash_str(key) & (h->cap - 1);
    for (; h->e[j].key; j = (j + 1) & (h->cap - 1))
        if (strcmp(h->e[j].key, key) == 0) {
            *prev = h->e[j].line;
            return 1;
        }
    size_t kl = strlen(key);
    char *copy = ra_malloc(kl + 1);
    if (!copy)
        return 0;
    memcpy(copy, key, kl + 1);
    h->e[j].key = copy;
    h->e[j].line = line;
    h->n++;
    return 1;
}

/* ---- formats -------------------------------------------------------------------------------- */

typedef struct col_spec {
    const char *name;
    const char *alias; /* another accepted header name, or NULL */
    int optional;      /* the column may be left out of the header */
} col_spec;

typedef struct format {
    const char *name;   /* "securities" */
    const char *layout; /* the header, for messages */
    const col_spec *cols;
    size_t n_cols;
} format;

enum { S_TICKER, S_NAME, S_CLASS, S_RISK, S_ER, S_LOT, S_EXCH, S_CCY, S_TLH, S_SHELF, S_BOARD,
       S_KIND, S_TICK, S_FRAC, S_SETTLE, S_ADV };
static const col_spec sec_cols[] = {
    {"ticker", NULL, 0},        {"name", NULL, 0},     {"asset_class", NULL, 0},
    {"risk_level", NULL, 0},    {"expense_ratio", NULL, 0}, {"lot_size", NULL, 1},
    {"exchange", NULL, 1},      {"currency", NULL, 0}, {"tlh_group", NULL, 1},
    {"on_shelf", NULL, 1},      {"board", NULL, 1},    {"kind", NULL, 1},
    {"tick", NULL, 1},          {"fractional", NULL, 1}, {"settlement", NULL, 1},
    {"adv", NULL, 1}};

enum { C_CODE, C_HOUSE, C_ADVISOR, C_NAME, C_EMAIL, C_TAXID, C_ADDR, C_BIRTH };
static const col_spec cli_cols[] = {{"code", NULL, 0},   {"household", NULL, 1},
                                    {"advisor", NULL, 1}, {"name", NULL, 0},
                                    {"email", NULL, 1},  {"tax_id", NULL, 1},
                                    {"address", NULL, 1}, {"birth_year", NULL, 1}};

enum { A_CODE, A_CLIENT, A_TYPE, A_CCY, A_OPENED, A_MODEL, A_DISCR, A_DRIFT, A_TLH, A_LOSS, A_RESTR,
       A_EXTRA /* the optional mandate columns: their names are their ra_rule_mandate_set keys */ };
static const col_spec acc_cols[] = {
    {"code", NULL, 0},          {"client", NULL, 0},       {"type", NULL, 0},
    {"currency", NULL, 0},      {"opened", NULL, 0},       {"model", NULL, 1},
    {"discretionary", NULL, 1}, {"drift_band", NULL, 1},   {"tlh", NULL, 1},
    {"loss_limit", NULL, 1},    {"restrictions", NULL, 1}, {"band_rel", NULL, 1},
    {"to_band_edge", NULL, 1},  {"buy_only", NULL, 1},     {"relief", NULL, 1},
    {"cash_reserve", NULL, 1},  {"min_trade_minor", NULL, 1}, {"reinvest_dividends", NULL, 1},
    {"fractional", NULL, 1},    {"gain_budget_minor", NULL, 1}, {"client_confirm", NULL, 1}};

enum { T_ACCOUNT, T_ID, T_DATE, T_KIND, T_TICKER, T_QTY, T_PRICE, T_AMOUNT, T_FEES, T_RELIEF,
       T_LOTS, T_RATIO };
static const col_spec txn_cols[] = {
    {"account", NULL, 0}, {"txn_id", NULL, 0}, {"date", NULL, 0},   {"kind", NULL, 0},
    {"ticker", NULL, 1},  {"qty", NULL, 1},    {"price", NULL, 1},  {"amount", NULL, 1},
    {"fees", NULL, 1},    {"relief", NULL, 1}, {"lots", NULL, 1},   {"ratio", NULL, 1}};

enum { D_DATE, D_TICKER, D_AMOUNT };
static const col_spec div_cols[] = {
    {"date", NULL, 0}, {"ticker", NULL, 0}, {"dividend_amount", "amount", 0}};

enum { X_DATE, X_TICKER, X_RATIO };
static const col_spec spl_cols[] = {
    {"date", NULL, 0}, {"ticker", NULL, 0}, {"split_coefficient", "ratio", 0}};

enum { P_ACCOUNT, P_TICKER, P_QTY, P_CASH };
static const col_spec pos_cols[] = {
    {"account", NULL, 0}, {"ticker", NULL, 0}, {"quantity", "qty", 0}, {"cash", NULL, 0}};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))
static const format formats[RA_IMPORT_KIND_COUNT] = {
    [RA_IMPORT_PRICES] = {"prices", "Date,TICKER,TICKER,...", NULL, 0},
    [RA_IMPORT_DIVIDENDS] = {"dividends", "Date,Ticker,dividend_amount", div_cols, NCOLS(div_cols)},
    [RA_IMPORT_SPLITS] = {"splits", "Date,Ticker,split_coefficient", spl_cols, NCOLS(spl_cols)},
    [RA_IMPORT_SECURITIES] = {"securities",
                              "ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,"
                              "currency,tlh_group,on_shelf",
                              sec_cols, NCOLS(sec_cols)},
    [RA_IMPORT_CLIENTS] = {"clients",
                           "code,household,advisor,name,email,tax_id,address,birth_year",
                           cli_cols, NCOLS(cli_cols)},
    [RA_IMPORT_ACCOUNTS] = {"accounts",
                            "code,client,type,currency,opened,model,discretionary,drift_band,tlh,"
                            "loss_limit,restrictions",
                            acc_cols, NCOLS(acc_cols)},
    [RA_IMPORT_TRANSACTIONS] = {"transactions",
                                "account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,"
                                "lots,ratio",
                                txn_cols, NCOLS(txn_cols)},
    [RA_IMPORT_POSITIONS] = {"positions", "account,ticker,quantity,cash", pos_cols,
                             NCOLS(pos_cols)},
};

const char *ra_import_kind_name(ra_import_kind kind)
{
    return (unsigned)kind < RA_IMPORT_KIND_COUNT ? formats[kind].name : "?";
}

ra_status ra_import_kind_parse(const char *s, ra_import_kind *out, ra_err *err)
{
    if (!s || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "import kind parsing needs a text and an output");
    for (int k = 0; k < RA_IMPORT_KIND_COUNT; k++)
        if (strcmp(s, formats[k].name) == 0) {
            *out = (ra_import_kind)k;
            return RA_OK;
        }
    char vb[RA_CSV_SHOW_CAP];
    return ra_err_set(err, RA_EINVAL, NULL,
                      "no import kind %s (prices, dividends, splits, securities, clients, "
                      "accounts, transactions, positions)",
                      ra_csvtok_show(vb, s, strlen(s)));
}

void ra_import_settings_default(ra_import_settings *s)
{
    if (s)
        s->minor_digits = 2;
}

void ra_import_destroy(ra_import *im)
{
    if (!im)
        return;
    RA_FREE_ALL(im->lines, im->source, im->securities, im->clients, im->accounts, im->txns,
                im->picks, im->lots, im->dividends, im->splits, im->positions, im->dates,
                im->date_lines, im->tickers, im->price_micro, im);
}

/* ---- the reading frame ---------------------------------------------------------------------- */

typedef struct frame {
    csv_reader r;
    const format *fmt;
    char **names;           /* header names as written (trimmed), for messages */
    size_t n_names;
    int map[MAX_SPECS];     /* spec index -> 0-based field index, -1 when the column is absent */
    int minor_digits;
    int hide;               /* the format holds personal data: no cell's value is ever shown */
    kset keys;
} frame;

#define NOT_SHOWN "(value not shown: personal data)"

/* A cell's value for a message: quoted, or NOT_SHOWN in a file that holds personal data (when a
 * row is misaligned any column may hold a name or a tax id). */
static const char *fshow(const frame *F, char *vb, const char *s, size_t n)
{
    return F->hide ? NOT_SHOWN : ra_csvtok_show(vb, s, n);
}

/* A number that parsed, unquoted (at most RA_CSV_SHOW_MAX bytes), or NOT_SHOWN. */
static const char *fnum(const frame *F, char *vb, const char *s, size_t n)
{
    if (F->hide)
        return NOT_SHOWN;
    snprintf(vb, RA_CSV_SHOW_CAP, "%.*s", (int)(n > RA_CSV_SHOW_MAX ? RA_CSV_SHOW_MAX : n), s);
    return vb;
}

static void frame_free(frame *F)
{
    ra_csvtok_free_names(F->names, F->n_names);
    kset_free(&F->keys);
    ra_csvtok_free(&F->r);
}

/* An error about field k of the current row (k < 0: the row as a whole, column 1). */
static ra_status ferr(const frame *F, int k, ra_err *err, const char *fmt, ...) RA_PRINTF(4, 5);
static ra_status ferr(const frame *F, int k, ra_err *err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int i = k >= 0 ? F->map[k] : -1;
    uint32_t line = i >= 0 && (size_t)i < F->r.nf ? F->r.f[i].line : F->r.rec_line;
    return ra_csvtok_error(&F->r, RA_EPARSE, line, i >= 0 ? (size_t)i + 1 : 1, err, "%s", msg);
}

/* The trimmed text of field k ("" when the column is absent). */
static void fget(const frame *F, int k, const char **s, size_t *n)
{
    int i = F->map[k];
    if (i < 0) {
        *s = "";
        *n = 0;
        return;
    }
    *s = F->r.f[i].s;
    *n = F->r.f[i].len;
    ra_csvtok_trim(s, n);
}

static int has(const frame *F, int k)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    return n > 0;
}

static const char *col_name(const frame *F, int k) { return F->fmt->cols[k].name; }

static ra_status missing(const frame *F, int k, ra_err *err)
{
    if (F->map[k] < 0)
        return ferr(F, -1, err, "missing %s (the file has no %s column)", col_name(F, k),
                    col_name(F, k));
    return ferr(F, k, err, "missing %s", col_name(F, k));
}

/* The text of column k (as fget), which must not be empty. */
static ra_status fneed(const frame *F, int k, const char **s, size_t *n, ra_err *err)
{
    fget(F, k, s, n);
    return *n ? RA_OK : missing(F, k, err);
}

/* A column the format does not know is named by its place only: a file without its header row
 * has data there, perhaps personal. A date says what happened. */
static const char *header_hint(const char *s, size_t n)
{
    ra_date d;
    return ra_date_parse(s, n, &d, NULL) == RA_OK ? ": it is a date, is the header row missing?"
                                                  : "";
}

static ra_status read_header(frame *F, ra_err *err)
{
    csv_reader *r = &F->r;
    const format *fm = F->fmt;
    ra_status st = ra_csvtok_header_start(r, fm->layout, err);
    if (st != RA_OK)
        return st;
    F->names = ra_calloc(r->nf, sizeof *F->names);
    if (!F->names)
        return ra_csvtok_nomem(err, "column names");
    F->n_names = r->nf;
    for (size_t i = 0; i < r->nf; i++) {
        const char *s = r->f[i].s;
        size_t n = r->f[i].len;
        ra_csvtok_trim(&s, &n);
        if (!(F->names[i] = ra_csvtok_dup(s, n)))
            return ra_csvtok_nomem(err, "column names");
    }
    /* messages name the header's columns only once they are known good */
    for (size_t k = 0; k < MAX_SPECS; k++)
        F->map[k] = -1;
    if (!fm->cols)
        return RA_OK;
    for (size_t i = 0; i < r->nf; i++) {
        const char *nm = F->names[i];
        size_t nl = strlen(nm), k;
        for (k = 0; k < fm->n_cols; k++)
            if (eq_ci(nm, nl, fm->cols[k].name) ||
                (fm->cols[k].alias && eq_ci(nm, nl, fm->cols[k].alias)))
                break;
        if (k == fm->n_cols)
            return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                                   "column %zu of the header is not part of the %s format (%s)%s",
                                   i + 1, fm->name, fm->layout, header_hint(nm, nl));
        if (F->map[k] >= 0)
            return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                                   "column %s appears twice (also column %d)",
                                   fm->cols[k].name, F->map[k] + 1);
        F->map[k] = (int)i;
    }
    for (size_t k = 0; k < fm->n_cols; k++)
        if (F->map[k] < 0 && !fm->cols[k].optional)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, r->nf + 1, err,
                                   "the header has no %s column (%s)", fm->cols[k].name,
                                   fm->layout);
    r->names = F->names;
    r->n_names = F->n_names;
    return RA_OK;
}

/* ---- fields --------------------------------------------------------------------------------- */

/* Checks a code's text (s, n) against the code rule and copies it to out; what names it. */
static ra_status code_text(const frame *F, int k, const char *what, const char *s, size_t n,
                           char out[RA_CODE_MAX], ra_err *err)
{
    char vb[RA_CSV_SHOW_CAP];
    ra_err e2;
    if (ra_rule_code_check(s, n, what, &e2) != RA_OK)
        return ferr(F, k, err, "%s: %s", e2.msg, fshow(F, vb, s, n));
    memcpy(out, s, n);
    out[n] = '\0';
    return RA_OK;
}

/* A code (ticker, account code, ...): required or "" when empty. */
static ra_status fcode(const frame *F, int k, int required, char out[RA_CODE_MAX], ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    out[0] = '\0';
    if (n == 0)
        return required ? missing(F, k, err) : RA_OK;
    return code_text(F, k, col_name(F, k), s, n, out, err);
}

/* Free text (the text rule: at most cap - 1 bytes, valid UTF-8, no control characters).
 * Personal data is never shown. */
static ra_status ftext(const frame *F, int k, int required, int pii, char *out, size_t cap,
                       ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    out[0] = '\0';
    if (n == 0)
        return required ? missing(F, k, err) : RA_OK;
    char vb[RA_CSV_SHOW_CAP];
    ra_err e2;
    if (ra_rule_text_check(s, n, cap, col_name(F, k), &e2) != RA_OK)
        return pii ? ferr(F, k, err, "%s (value not shown: personal data)", e2.msg)
                   : ferr(F, k, err, "%s: %s", e2.msg, fshow(F, vb, s, n));
    memcpy(out, s, n);
    out[n] = '\0';
    return RA_OK;
}

static ra_status fcurrency(const frame *F, int k, char out[4], ra_err *err)
{
    const char *s;
    size_t n;
    ra_status st = fneed(F, k, &s, &n, err);
    if (st != RA_OK)
        return st;
    char vb[RA_CSV_SHOW_CAP];
    ra_err e2;
    if (ra_rule_currency_check(s, n, &e2) != RA_OK)
        return ferr(F, k, err, "%s: %s", e2.msg, fshow(F, vb, s, n));
    memcpy(out, s, 3);
    out[3] = '\0';
    return RA_OK;
}

static ra_status fdate(const frame *F, int k, ra_date *out, ra_err *err)
{
    const char *s;
    size_t n;
    ra_status st = fneed(F, k, &s, &n, err);
    if (st != RA_OK)
        return st;
    if (ra_date_parse(s, n, out, NULL) == RA_OK)
        return RA_OK;
    char vb[RA_CSV_SHOW_CAP];
    return ferr(F, k, err, "%s: %s", ra_csvtok_date_problem(s, n), fshow(F, vb, s, n));
}

/* yes/no, true/false, 1/0 (any case); empty gives dflt. */
static ra_status fbool(const frame *F, int k, int dflt, int *out, ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    *out = dflt;
    if (n == 0)
        return RA_OK;
    if (eq_ci(s, n, "yes") || eq_ci(s, n, "true") || eq_ci(s, n, "1")) {
        *out = 1;
        return RA_OK;
    }
    if (eq_ci(s, n, "no") || eq_ci(s, n, "false") || eq_ci(s, n, "0")) {
        *out = 0;
        return RA_OK;
    }
    char vb[RA_CSV_SHOW_CAP];
    return ferr(F, k, err, "%s must be yes or no (or true/false, 1/0): %s", col_name(F, k),
                fshow(F, vb, s, n));
}

/* An exact decimal of at most `digits` decimals (money.h rules), for amounts and quantities. */
static ra_status fdecimal(const frame *F, int k, int digits, int64_t *out, ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    ra_err e2;
    if (ra_money_parse_decimal(s, n, digits, out, &e2) == RA_OK)
        return RA_OK;
    if (F->hide)
        return ferr(F, k, err, "%s is not a decimal number of at most %d decimals " NOT_SHOWN,
                    col_name(F, k), digits);
    return ferr(F, k, err, "%s: %s", col_name(F, k), e2.msg);
}

/* A fraction (double) in [lo, hi] read exactly: an integer of FRAC_DIGITS decimals divided by
 * 10^FRAC_DIGITS, one correctly rounded division (Clinger's fast path). Empty gives dflt. */
static ra_status ffrac(const frame *F, int k, double dflt, double lo, double hi, const char *hint,
                       double *out, ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    *out = dflt;
    if (n == 0)
        return RA_OK;
    int64_t v;
    ra_status st = fdecimal(F, k, FRAC_DIGITS, &v, err);
    if (st != RA_OK)
        return st;
    char vb[RA_CSV_SHOW_CAP];
    if (v > (int64_t)1 << 53 || v < -((int64_t)1 << 53))
        return ferr(F, k, err, "%s is out of range: %s", col_name(F, k), fshow(F, vb, s, n));
    double x = (double)v / 1e9;
    if (!(x >= lo && x <= hi))
        return ferr(F, k, err, "%s %s is outside [%g, %g]%s", col_name(F, k), fnum(F, vb, s, n), lo, hi,
                    hint ? hint : "");
    *out = x;
    return RA_OK;
}

/* An integer in [lo, hi]; empty gives dflt. */
static ra_status fint(const frame *F, int k, int64_t dflt, int64_t lo, int64_t hi, int64_t *out,
                      ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, k, &s, &n);
    *out = dflt;
    if (n == 0)
        return RA_OK;
    int64_t v;
    char vb[RA_CSV_SHOW_CAP];
    if (ra_money_parse_decimal(s, n, 0, &v, NULL) != RA_OK)
        return ferr(F, k, err, "%s must be a whole number: %s", col_name(F, k),
                    fshow(F, vb, s, n));
    if (v < lo || v > hi)
        return ferr(F, k, err, "%s %lld is outside [%lld, %lld]", col_name(F, k), (long long)v,
                    (long long)lo, (long long)hi);
    *out = v;
    return RA_OK;
}

/* A required positive amount/quantity/price (digits decimals), or >= 0 when zero_ok. */
static ra_status fpositive(const frame *F, int k, int digits, int zero_ok, int64_t *out,
                           ra_err *err)
{
    if (!has(F, k))
        return missing(F, k, err);
    ra_status st = fdecimal(F, k, digits, out, err);
    if (st != RA_OK)
        return st;
    if (*out < 0 || (*out == 0 && !zero_ok)) {
        const char *s;
        size_t n;
        fget(F, k, &s, &n);
        char vb[RA_CSV_SHOW_CAP];
        return ferr(F, k, err, "%s must be %s: %s", col_name(F, k),
                    zero_ok ? "zero or positive" : "positive", fnum(F, vb, s, n));
    }
    return RA_OK;
}

/* The row's key must not repeat: key built from parts joined by a unit separator. */
static ra_status unique(frame *F, int k, const char *what, const char *a, const char *b,
                        ra_err *err)
{
    char key[2 * RA_CODE_MAX + 2];
    snprintf(key, sizeof key, "%s\x1f%s", a, b ? b : "");
    uint32_t prev;
    if (!kset_add(&F->keys, key, F->r.rec_line, &prev))
        return ra_csvtok_nomem(err, "the keys of the rows");
    if (prev)
        return ferr(F, k, err, "duplicate %s (also on line %u)", what, (unsigned)prev);
    return RA_OK;
}

/* ---- rows of each format -------------------------------------------------------------------- */

/* The required code in column k of a row that must not repeat it (what: "client", "account"). */
static ra_status unique_code(frame *F, int k, const char *what, char code[RA_CODE_MAX],
                             ra_err *err)
{
    ra_status st = fcode(F, k, 1, code, err);
    if (st != RA_OK)
        return st;
    char msg[RA_CODE_MAX + 16];
    snprintf(msg, sizeof msg, "%s \"%s\"", what, code);
    return unique(F, k, msg, code, NULL, err);
}

/* A split ratio in column k (text s, n bytes): exact, within the rules, not 1/1. */
static ra_status split_ratio(const frame *F, int k, const char *s, size_t n, ra_ratio *out,
                             ra_err *err)
{
    char vb[RA_CSV_SHOW_CAP];
    ra_err e2;
    if (ra_money_ratio_parse(s, n, out, &e2) != RA_OK ||
        ra_rule_split_ratio_check(out, &e2) != RA_OK)
        return ferr(F, k, err, "%s", e2.msg);
    if (out->num == out->den)
        return ferr(F, k, err, "split ratio 1/1 changes nothing: %s", fshow(F, vb, s, n));
    return RA_OK;
}

static ra_status market_columns(frame *F, ra_security *x, ra_err *err);

static ra_status row_security(frame *F, ra_security *x, ra_err *err)
{
    ra_status st;
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    if ((st = fcode(F, S_TICKER, 1, x->ticker, err)) != RA_OK)
        return st;
    if (strcmp(x->ticker, RA_CASH_TICKER) == 0)
        return ferr(F, S_TICKER, err,
                    "ticker \"%s\" is reserved for the cash line of custodian positions",
                    RA_CASH_TICKER);
    char tk[RA_CODE_MAX + 16];
    snprintf(tk, sizeof tk, "ticker \"%s\"", x->ticker);
    if ((st = unique(F, S_TICKER, tk, x->ticker, NULL, err)) != RA_OK)
        return st;
    if ((st = ftext(F, S_NAME, 1, 0, x->name, sizeof x->name, err)) != RA_OK)
        return st;
    if ((st = fcode(F, S_CLASS, 1, x->asset_class, err)) != RA_OK)
        return st;
    const char *s;
    size_t n;
    if ((st = fneed(F, S_RISK, &s, &n, err)) != RA_OK)
        return st;
    if (n == 2 && (s[0] == 'R' || s[0] == 'r') && s[1] >= '1' && s[1] <= '5')
        x->risk_level = s[1] - '0';
    else if (n == 1 && s[0] >= '1' && s[0] <= '5')
        x->risk_level = s[0] - '0';
    else
        return ferr(F, S_RISK, err, "risk level must be R1 to R5: %s", fshow(F, vb, s, n));
    if (!has(F, S_ER))
        return missing(F, S_ER, err);
    if ((st = ffrac(F, S_ER, 0.0, 0.0, MAX_EXPENSE_RATIO,
                    " (an annual fraction: write 0.0009 for 0.09 % or 9 bp)", &x->expense_ratio,
                    err)) != RA_OK)
        return st;
    if ((st = fcode(F, S_EXCH, 0, x->exchange, err)) != RA_OK)
        return st;
    /* a round lot of 100 shares on the Chinese exchanges when the file does not say */
    if ((st = fint(F, S_LOT, ra_market_is_china(x->exchange) ? 100 : 1, 1, 1000000, &x->lot_size,
                   err)) != RA_OK)
        return st;
    if ((st = fcurrency(F, S_CCY, x->currency, err)) != RA_OK)
        return st;
    if ((st = fcode(F, S_TLH, 0, x->tlh_group, err)) != RA_OK)
        return st;
    if ((st = fbool(F, S_SHELF, 1, &x->on_shelf, err)) != RA_OK)
        return st;
    /* the average daily traded value, whole units of the firm's currency; empty: unknown */
    if ((st = fint(F, S_ADV, 0, 1, RA_SECURITY_MAX_ADV, &x->adv, err)) != RA_OK)
        return st;
    return market_columns(F, x, err);
}

/* The optional market-rule columns of a security (docs/formats.md#securities): board, kind,
 * tick, fractional, settlement; the names stored in lower case, the whole checked by
 * ra_market_rules_of (a board of the other market is an error on the board column). */
static ra_status market_columns(frame *F, ra_security *x, ra_err *err)
{
    ra_status st;
    ra_err e2;
    char vb[RA_CSV_SHOW_CAP];
    const char *s;
    size_t n;
    if ((st = fcode(F, S_BOARD, 0, x->board, err)) != RA_OK ||
        (st = fcode(F, S_KIND, 0, x->kind, err)) != RA_OK)
        return st;
    ra_market_board b;
    ra_market_kind kd;
    if (x->board[0]) {
        if (ra_market_board_parse(x->board, &b, &e2) != RA_OK)
            return ferr(F, S_BOARD, err, "%s", e2.msg);
        snprintf(x->board, sizeof x->board, "%s", ra_market_board_name(b));
    }
    if (x->kind[0]) {
        if (ra_market_kind_parse(x->kind, &kd, &e2) != RA_OK)
            return ferr(F, S_KIND, err, "%s", e2.msg);
        snprintf(x->kind, sizeof x->kind, "%s", ra_market_kind_name(kd));
    }
    fget(F, S_SETTLE, &s, &n);
    if (n) {
        if (n != 3 || (s[0] != 'T' && s[0] != 't') || s[1] != '+' || s[2] < '0' ||
            s[2] > '0' + RA_MARKET_SETTLE_MAX)
            return ferr(F, S_SETTLE, err, "settlement must be T+0 .. T+%d: %s",
                        RA_MARKET_SETTLE_MAX, fshow(F, vb, s, n));
        snprintf(x->settlement, sizeof x->settlement, "T+%c", s[2]);
    }
    if (has(F, S_TICK)) {
        int64_t t = 0;
        if ((st = fdecimal(F, S_TICK, RA_PRICE_DIGITS, &t, err)) != RA_OK)
            return st;
        if (t <= 0)
            return ferr(F, S_TICK, err, "tick must be above 0: %s",
                        (fget(F, S_TICK, &s, &n), fshow(F, vb, s, n)));
        x->tick = t;
    }
    if (has(F, S_FRAC)) {
        int yes = 0;
        if ((st = fbool(F, S_FRAC, 0, &yes, err)) != RA_OK)
            return st;
        x->fractional = yes ? 1 : -1;
    }
    ra_market_rules mr;
    if (ra_market_rules_of(x, &mr, &e2) != RA_OK)
        return ferr(F, S_BOARD, err, "%s", e2.msg);
    return RA_OK;
}

static ra_status row_client(frame *F, ra_client *x, ra_err *err)
{
    memset(x, 0, sizeof *x);
    ra_status st = unique_code(F, C_CODE, "client", x->code, err);
    if (st != RA_OK)
        return st;
    if ((st = fcode(F, C_HOUSE, 0, x->household, err)) != RA_OK)
        return st;
    if (!x->household[0])
        memcpy(x->household, x->code, sizeof x->household);
    if ((st = fcode(F, C_ADVISOR, 0, x->advisor, err)) != RA_OK)
        return st;
    if ((st = ftext(F, C_NAME, 1, 1, x->name, sizeof x->name, err)) != RA_OK)
        return st;
    if ((st = ftext(F, C_EMAIL, 0, 1, x->email, sizeof x->email, err)) != RA_OK)
        return st;
    ra_err e2;
    if (x->email[0] && ra_rule_email_check(x->email, strlen(x->email), &e2) != RA_OK)
        return ferr(F, C_EMAIL, err, "%s (value not shown: personal data)", e2.msg);
    if ((st = ftext(F, C_TAXID, 0, 1, x->tax_id, sizeof x->tax_id, err)) != RA_OK)
        return st;
    if ((st = ftext(F, C_ADDR, 0, 1, x->address, sizeof x->address, err)) != RA_OK)
        return st;
    int64_t by;
    if ((st = fint(F, C_BIRTH, 0, RA_RULE_BIRTH_YEAR_MIN, RA_RULE_BIRTH_YEAR_MAX, &by, err)) != RA_OK)
        return st;
    x->birth_year = (int)by;
    return RA_OK;
}

/* The account type of book.h (ra_account_type_parse), matched without regard to case as every
 * word of these files is. */
static ra_status account_type_from(const char *s, size_t n, ra_account_type *out)
{
    char low[16];
    if (n >= sizeof low)
        return RA_EPARSE;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    low[n] = '\0';
    return ra_account_type_parse(low, out, NULL);
}

static ra_status row_account(frame *F, ra_account *x, ra_err *err)
{
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    ra_status st = unique_code(F, A_CODE, "account", x->code, err);
    if (st != RA_OK)
        return st;
    if ((st = fcode(F, A_CLIENT, 1, x->client, err)) != RA_OK)
        return st;
    const char *s;
    size_t n;
    if ((st = fneed(F, A_TYPE, &s, &n, err)) != RA_OK)
        return st;
    if (account_type_from(s, n, &x->type) != RA_OK)
        return ferr(F, A_TYPE, err, "type must be taxable, tax_deferred or tax_free: %s",
                    fshow(F, vb, s, n));
    if ((st = fcurrency(F, A_CCY, x->currency, err)) != RA_OK)
        return st;
    if ((st = fdate(F, A_OPENED, &x->opened, err)) != RA_OK)
        return st;
    ra_mandate *m = &x->mandate;
    ra_rule_mandate_default(m);
    ra_rule_mandate_for_type(m, (int)x->type);
    for (int k = A_EXTRA; k < (int)NCOLS(acc_cols); k++) { /* missing or empty: the default */
        fget(F, k, &s, &n);
        if (!n)
            continue;
        char v[64];
        if (n >= sizeof v)
            return ferr(F, k, err, "%s is longer than %zu bytes", acc_cols[k].name, sizeof v - 1);
        memcpy(v, s, n);
        v[n] = 0;
        ra_err e3 = {0};
        if (ra_rule_mandate_set(m, acc_cols[k].name, v, &e3) != RA_OK)
            return ferr(F, k, err, "%s", e3.msg);
    }
    if ((st = fcode(F, A_MODEL, 0, m->model, err)) != RA_OK)
        return st;
    if ((st = fbool(F, A_DISCR, RA_RULE_DISCRETIONARY_DEFAULT, &m->discretionary, err)) != RA_OK)
        return st;
    ra_err e2;
    if ((st = ffrac(F, A_DRIFT, RA_RULE_DRIFT_BAND_DEFAULT, -1e300, 1e300, NULL, &m->drift_band,
                    err)) != RA_OK)
        return st;
    if (ra_rule_drift_band_check(m->drift_band, &e2) != RA_OK)
        return ferr(F, A_DRIFT, err, "%s (an absolute weight: write 0.05 for 5 percentage points)",
                    e2.msg);
    if ((st = fbool(F, A_TLH, RA_RULE_MANDATE_TLH_DEFAULT, &m->tlh_enabled, err)) != RA_OK)
        return st;
    if ((st = ffrac(F, A_LOSS, RA_RULE_LOSS_LIMIT_DEFAULT, -1e300, 1e300, NULL, &m->loss_limit,
                    err)) != RA_OK)
        return st;
    if (ra_rule_loss_limit_check(m->loss_limit, &e2) != RA_OK)
        return ferr(F, A_LOSS, err, "%s (a fraction: write 0.10 for 10 %%)", e2.msg);
    /* restrictions: codes separated by ';' (blanks around them ignored), kept as "A;B" */
    fget(F, A_RESTR, &s, &n);
    size_t o = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ';' || ra_csvtok_is_space(s[i])))
            i++;
        size_t b = i;
        while (i < n && s[i] != ';' && !ra_csvtok_is_space(s[i]))
            i++;
        if (i == b)
            break;
        char one[RA_CODE_MAX];
        if ((st = code_text(F, A_RESTR, "a restriction", s + b, i - b, one, err)) != RA_OK)
            return st;
        size_t l = i - b;
        if (o + l + (o ? 1 : 0) >= sizeof m->restrictions)
            return ferr(F, A_RESTR, err, "restrictions are longer than %zu bytes",
                        sizeof m->restrictions - 1);
        if (o)
            m->restrictions[o++] = ';';
        memcpy(m->restrictions + o, one, l);
        o += l;
    }
    m->restrictions[o] = '\0';
    return RA_OK;
}

static ra_status kind_from(const char *s, size_t n, ra_txn_kind *out)
{
    for (int k = RA_TXN_DEPOSIT; k <= RA_TXN_SPLIT; k++)
        if (eq_ci(s, n, ra_ledger_kind_name((ra_txn_kind)k))) {
            *out = (ra_txn_kind)k;
            return RA_OK;
        }
    return RA_EPARSE;
}

/* Which optional transaction fields each kind takes: 'R' required, 'o' optional, '-' must be
 * empty. Columns T_TICKER .. T_RATIO. */
static const char *const txn_use[] = {
    /*                 ticker qty price amount fees relief lots ratio */
    [RA_TXN_DEPOSIT] = "---R----",
    [RA_TXN_WITHDRAWAL] = "---R----",
    [RA_TXN_BUY] = "RRR-o---",
    [RA_TXN_SELL] = "RRR-ooo-",
    [RA_TXN_DIVIDEND] = "R--R----",
    [RA_TXN_REINVEST] = "RRRRo---",
    [RA_TXN_FEE] = "---R----",
    [RA_TXN_TRANSFER_IN] = "R-----R-",
    [RA_TXN_TRANSFER_OUT] = "o-----R-",
    [RA_TXN_SPLIT] = "R------R",
};

typedef struct txn_ctx {
    ra_lot_pick *picks;
    size_t n_picks, cap_picks;
    ra_lot *lots;
    size_t n_lots, cap_lots;
} txn_ctx;

/* Splits the lots field at ';' and parses each item: picks "ID:QTY" or lots in "DATE:QTY:BASIS".
 * The items' offsets are kept in txn.picks / txn.lots_in as indexes until the file is read. */
static ra_status parse_lots(frame *F, txn_ctx *c, ra_import_txn *x, int lots_in, ra_err *err)
{
    const char *s;
    size_t n;
    fget(F, T_LOTS, &s, &n);
    char vb[RA_CSV_SHOW_CAP];
    size_t first = lots_in ? c->n_lots : c->n_picks, item = 0, i = 0;
    while (i <= n) {
        size_t b = i;
        while (i < n && s[i] != ';')
            i++;
        const char *p = s + b;
        size_t l = i - b;
        ra_csvtok_trim(&p, &l);
        i++;
        item++;
        if (l == 0) {
            if (i > n && item > 1)
                break; /* a final ';' */
            return ferr(F, T_LOTS, err, "lot %zu is empty (write %s items separated by ';')", item,
                        lots_in ? "DATE:QTY:BASIS" : "LOT_ID:QTY");
        }
        const char *c1 = memchr(p, ':', l);
        const char *c2 = c1 ? memchr(c1 + 1, ':', l - (size_t)(c1 + 1 - p)) : NULL;
        if (!c1 || (lots_in && !c2) || (!lots_in && c2))
            return ferr(F, T_LOTS, err, "lot %zu must be %s: %s", item,
                        lots_in ? "DATE:QTY:BASIS" : "LOT_ID:QTY", fshow(F, vb, p, l));
        ra_err e2;
        if (lots_in) {
            ra_lot lot;
            memset(&lot, 0, sizeof lot);
            if (ra_date_parse(p, (size_t)(c1 - p), &lot.acquired, NULL) != RA_OK)
                return ferr(F, T_LOTS, err, "lot %zu: not an ISO date (YYYY-MM-DD): %s", item,
                            fshow(F, vb, p, (size_t)(c1 - p)));
            if (ra_money_parse_qty(c1 + 1, (size_t)(c2 - c1 - 1), &lot.qty_micro, &e2) != RA_OK)
                return ferr(F, T_LOTS, err, "lot %zu quantity: %s", item, e2.msg);
            if (lot.qty_micro <= 0)
                return ferr(F, T_LOTS, err, "lot %zu quantity must be positive: %s", item,
                            fshow(F, vb, c1 + 1, (size_t)(c2 - c1 - 1)));
            if (ra_money_parse_minor(c2 + 1, l - (size_t)(c2 + 1 - p), F->minor_digits,
                                     &lot.basis_minor, &e2) != RA_OK)
                return ferr(F, T_LOTS, err, "lot %zu basis: %s", item, e2.msg);
            if (lot.basis_minor < 0)
                return ferr(F, T_LOTS, err, "lot %zu basis must be zero or positive: %s", item,
                            fshow(F, vb, c2 + 1, l - (size_t)(c2 + 1 - p)));
            if (ra_grow((void **)&c->lots, &c->cap_lots, c->n_lots + 1, sizeof *c->lots))
                return ra_csvtok_nomem(err, "transferred lots");
            c->lots[c->n_lots++] = lot;
        } else {
            ra_lot_pick pk;
            int64_t id;
            if (ra_money_parse_decimal(p, (size_t)(c1 - p), 0, &id, NULL) != RA_OK || id <= 0)
                return ferr(F, T_LOTS, err, "lot %zu: lot id must be a positive whole number: %s",
                            item, fshow(F, vb, p, (size_t)(c1 - p)));
            pk.lot_id = (uint64_t)id;
            if (ra_money_parse_qty(c1 + 1, l - (size_t)(c1 + 1 - p), &pk.qty_micro, &e2) != RA_OK)
                return ferr(F, T_LOTS, err, "lot %zu quantity: %s", item, e2.msg);
            if (pk.qty_micro <= 0)
                return ferr(F, T_LOTS, err, "lot %zu quantity must be positive: %s", item,
                            fshow(F, vb, c1 + 1, l - (size_t)(c1 + 1 - p)));
            for (size_t j = first; j < c->n_picks; j++)
                if (c->picks[j].lot_id == pk.lot_id)
                    return ferr(F, T_LOTS, err, "lot id %llu is picked twice",
                                (unsigned long long)pk.lot_id);
            if (ra_grow((void **)&c->picks, &c->cap_picks, c->n_picks + 1,
                                sizeof *c->picks))
                return ra_csvtok_nomem(err, "picked lots");
            c->picks[c->n_picks++] = pk;
        }
    }
    if (lots_in) {
        x->txn.lots_in = (const ra_lot *)(uintptr_t)first; /* an index until the end */
        x->txn.n_lots_in = c->n_lots - first;
    } else {
        x->txn.picks = (const ra_lot_pick *)(uintptr_t)first;
        x->txn.n_picks = c->n_picks - first;
    }
    return RA_OK;
}

static ra_status row_txn(frame *F, txn_ctx *c, ra_import_txn *x, ra_err *err)
{
    ra_status st;
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    if ((st = fcode(F, T_ACCOUNT, 1, x->account, err)) != RA_OK)
        return st;
    if ((st = fcode(F, T_ID, 1, x->txn_id, err)) != RA_OK)
        return st;
    char what[2 * RA_CODE_MAX + 40];
    snprintf(what, sizeof what, "transaction \"%s\" of account \"%s\"", x->txn_id, x->account);
    if ((st = unique(F, T_ID, what, x->account, x->txn_id, err)) != RA_OK)
        return st;
    if ((st = fdate(F, T_DATE, &x->txn.date, err)) != RA_OK)
        return st;
    const char *s;
    size_t n;
    if ((st = fneed(F, T_KIND, &s, &n, err)) != RA_OK)
        return st;
    if (kind_from(s, n, &x->txn.kind) != RA_OK)
        return ferr(F, T_KIND, err,
                    "kind must be deposit, withdrawal, buy, sell, dividend, reinvest, fee, "
                    "transfer_in, transfer_out or split: %s",
                    fshow(F, vb, s, n));
    const char *kname = ra_ledger_kind_name(x->txn.kind);
    const char *use = txn_use[x->txn.kind];
    for (int k = T_TICKER; k <= T_RATIO; k++) {
        char u = use[k - T_TICKER];
        if (u == '-' && has(F, k))
            return ferr(F, k, err, "a %s takes no %s (leave it empty)", kname, col_name(F, k));
        if (u == 'R' && !has(F, k)) {
            if (F->map[k] < 0)
                return ferr(F, -1, err, "a %s needs %s (the file has no %s column)", kname,
                            col_name(F, k), col_name(F, k));
            return ferr(F, k, err, "missing %s (a %s needs it)", col_name(F, k), kname);
        }
    }
    ra_txn *t = &x->txn;
    if ((st = fcode(F, T_TICKER, 0, x->ticker, err)) != RA_OK)
        return st;
    if (has(F, T_QTY) && (st = fpositive(F, T_QTY, RA_QTY_DIGITS, 0, &t->qty_micro, err)) != RA_OK)
        return st;
    if (has(F, T_PRICE) &&
        (st = fpositive(F, T_PRICE, RA_PRICE_DIGITS, 0, &t->price, err)) != RA_OK)
        return st;
    if (has(F, T_AMOUNT) &&
        (st = fpositive(F, T_AMOUNT, F->minor_digits, 0, &t->amount_minor, err)) != RA_OK)
        return st;
    if (has(F, T_FEES) &&
        (st = fpositive(F, T_FEES, F->minor_digits, 1, &t->fees_minor, err)) != RA_OK)
        return st;
    t->relief = RA_RELIEF_FIFO;
    fget(F, T_RELIEF, &s, &n);
    if (n > 0) {
        if (eq_ci(s, n, "fifo"))
            t->relief = RA_RELIEF_FIFO;
        else if (eq_ci(s, n, "hifo"))
            t->relief = RA_RELIEF_HIFO;
        else if (eq_ci(s, n, "specific"))
            t->relief = RA_RELIEF_SPECIFIC;
        else
            return ferr(F, T_RELIEF, err, "relief must be fifo, hifo or specific: %s",
                        fshow(F, vb, s, n));
    }
    if (t->kind == RA_TXN_SELL) {
        if (t->relief == RA_RELIEF_SPECIFIC && !has(F, T_LOTS))
            return F->map[T_LOTS] < 0
                       ? ferr(F, -1, err, "a specific-lot sale needs lots (the file has no lots "
                                          "column)")
                       : ferr(F, T_LOTS, err, "missing lots (a specific-lot sale lists "
                                              "LOT_ID:QTY items)");
        if (t->relief != RA_RELIEF_SPECIFIC && has(F, T_LOTS))
            return ferr(F, T_LOTS, err, "lots are listed only for relief specific (leave it "
                                        "empty or set relief to specific)");
    }
    if (has(F, T_LOTS) && (st = parse_lots(F, c, x, t->kind == RA_TXN_TRANSFER_IN, err)) != RA_OK)
        return st;
    if (t->kind == RA_TXN_SELL && t->relief == RA_RELIEF_SPECIFIC) {
        /* the sum of the picks must be the quantity sold */
        ra_micro sum = 0;
        size_t first = (size_t)(uintptr_t)t->picks;
        for (size_t j = first; j < first + t->n_picks; j++) {
            if (c->picks[j].qty_micro > INT64_MAX - sum)
                return ferr(F, T_LOTS, err, "the lots' quantities overflow");
            sum += c->picks[j].qty_micro;
        }
        if (sum != t->qty_micro) {
            char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
            return ferr(F, T_LOTS, err, "the lots add up to %s shares, the sale is of %s",
                        ra_money_format_qty(sum, a, sizeof a),
                        ra_money_format_qty(t->qty_micro, b, sizeof b));
        }
    }
    if (t->kind == RA_TXN_SPLIT) {
        fget(F, T_RATIO, &s, &n);
        return split_ratio(F, T_RATIO, s, n, &t->split, err);
    }
    return RA_OK;
}

/* The date and ticker of a row about a security on a day (a dividend, a split), and the text of
 * its required value column kv in *s, *n. */
static ra_status dated_event(frame *F, int kd, ra_date *date, int kt, char ticker[RA_CODE_MAX],
                             int kv, const char **s, size_t *n, ra_err *err)
{
    ra_status st;
    if ((st = fdate(F, kd, date, err)) != RA_OK || (st = fcode(F, kt, 1, ticker, err)) != RA_OK)
        return st;
    return fneed(F, kv, s, n, err);
}

/* A dated event (what: "dividend", "split") must not repeat for one ticker on one day. */
static ra_status dated_unique(frame *F, int kt, const char *what, const char *ticker, ra_date date,
                              ra_err *err)
{
    char msg[RA_CODE_MAX + 40], d[11];
    snprintf(msg, sizeof msg, "%s of %s on %s", what, ticker, ra_date_format(date, d));
    return unique(F, kt, msg, ticker, d, err);
}

static ra_status row_dividend(frame *F, ra_dividend *x, ra_err *err)
{
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    const char *s;
    size_t n;
    ra_status st = dated_event(F, D_DATE, &x->ex_date, D_TICKER, x->ticker, D_AMOUNT, &s, &n, err);
    if (st != RA_OK)
        return st;
    ra_err e2;
    if (ra_import_decimal_round(s, n, RA_PRICE_DIGITS, &x->amount, &e2) != RA_OK)
        return ferr(F, D_AMOUNT, err, "%s", e2.msg);
    if (x->amount <= 0)
        return ferr(F, D_AMOUNT, err, "dividend must be at least 0.0000005 per share: %s",
                    fshow(F, vb, s, n));
    return dated_unique(F, D_TICKER, "dividend", x->ticker, x->ex_date, err);
}

static ra_status row_split(frame *F, ra_split *x, ra_err *err)
{
    memset(x, 0, sizeof *x);
    const char *s;
    size_t n;
    ra_status st = dated_event(F, X_DATE, &x->date, X_TICKER, x->ticker, X_RATIO, &s, &n, err);
    if (st != RA_OK || (st = split_ratio(F, X_RATIO, s, n, &x->ratio, err)) != RA_OK)
        return st;
    return dated_unique(F, X_TICKER, "split", x->ticker, x->date, err);
}

static ra_status row_position(frame *F, ra_position *x, ra_err *err)
{
    ra_status st;
    memset(x, 0, sizeof *x);
    if ((st = fcode(F, P_ACCOUNT, 1, x->account, err)) != RA_OK)
        return st;
    if ((st = fcode(F, P_TICKER, 0, x->ticker, err)) != RA_OK)
        return st;
    if (strcmp(x->ticker, RA_CASH_TICKER) == 0)
        x->ticker[0] = '\0';
    char what[2 * RA_CODE_MAX + 40];
    if (!x->ticker[0]) {
        if (has(F, P_QTY))
            return ferr(F, P_QTY, err, "a cash line takes no quantity (put the amount in cash)");
        if (!has(F, P_CASH))
            return ferr(F, P_CASH, err, "missing cash (a line without a ticker is the cash line)");
        if ((st = fdecimal(F, P_CASH, F->minor_digits, &x->cash_minor, err)) != RA_OK)
            return st;
        snprintf(what, sizeof what, "cash line of account \"%s\"", x->account);
    } else {
        if (has(F, P_CASH))
            return ferr(F, P_CASH, err,
                        "a security line takes no cash (give cash on its own line with ticker "
                        "CASH)");
        if (!has(F, P_QTY))
            return missing(F, P_QTY, err);
        if ((st = fdecimal(F, P_QTY, RA_QTY_DIGITS, &x->qty_micro, err)) != RA_OK)
            return st;
        snprintf(what, sizeof what, "position of account \"%s\" in %s", x->account, x->ticker);
    }
    return unique(F, P_TICKER, what, x->account, x->ticker, err);
}

/* ---- drivers -------------------------------------------------------------------------------- */

static ra_status parse_long(frame *F, ra_import *im, ra_err *err)
{
    size_t el = 0;
    void **arr = NULL;
    switch (im->kind) {
    case RA_IMPORT_SECURITIES: arr = (void **)&im->securities; el = sizeof *im->securities; break;
    case RA_IMPORT_CLIENTS: arr = (void **)&im->clients; el = sizeof *im->clients; break;
    case RA_IMPORT_ACCOUNTS: arr = (void **)&im->accounts; el = sizeof *im->accounts; break;
    case RA_IMPORT_TRANSACTIONS: arr = (void **)&im->txns; el = sizeof *im->txns; break;
    case RA_IMPORT_DIVIDENDS: arr = (void **)&im->dividends; el = sizeof *im->dividends; break;
    case RA_IMPORT_SPLITS: arr = (void **)&im->splits; el = sizeof *im->splits; break;
    case RA_IMPORT_POSITIONS: arr = (void **)&im->positions; el = sizeof *im->positions; break;
    default: return ra_err_set(err, RA_EINTERNAL, NULL, "no long format for this kind");
    }
    ra_status st = read_header(F, err);
    if (st != RA_OK)
        return st;
    size_t cap = 0, cap_lines = 0;
    txn_ctx c;
    memset(&c, 0, sizeof c);
    for (;;) {
        int eof;
        if ((st = ra_csvtok_next(&F->r, &eof, err)) != RA_OK)
            goto out;
        if (eof)
            break;
        if ((st = ra_csvtok_check_width(&F->r, F->n_names, err)) != RA_OK)
            goto out;
        if (ra_grow(arr, &cap, im->n + 1, el) ||
            ra_grow((void **)&im->lines, &cap_lines, im->n + 1, sizeof *im->lines)) {
            st = ra_csvtok_nomem(err, "the rows");
            goto out;
        }
        void *x = (char *)*arr + im->n * el;
        switch (im->kind) {
        case RA_IMPORT_SECURITIES: st = row_security(F, x, err); break;
        case RA_IMPORT_CLIENTS: st = row_client(F, x, err); break;
        case RA_IMPORT_ACCOUNTS: st = row_account(F, x, err); break;
        case RA_IMPORT_TRANSACTIONS: st = row_txn(F, &c, x, err); break;
        case RA_IMPORT_DIVIDENDS: st = row_dividend(F, x, err); break;
        case RA_IMPORT_SPLITS: st = row_split(F, x, err); break;
        default: st = row_position(F, x, err); break;
        }
        if (st != RA_OK)
            goto out;
        im->lines[im->n++] = F->r.rec_line;
    }
    if (im->n == 0) {
        st = ra_csvtok_error(&F->r, RA_EPARSE, F->r.line, 1, err,
                             "need at least 1 data row, found 0");
        goto out;
    }
    if (im->kind == RA_IMPORT_TRANSACTIONS) {
        /* indexes become pointers now that the arrays stopped moving */
        for (size_t i = 0; i < im->n; i++) {
            ra_txn *t = &im->txns[i].txn;
            t->picks = t->n_picks ? c.picks + (size_t)(uintptr_t)t->picks : NULL;
            t->lots_in = t->n_lots_in ? c.lots + (size_t)(uintptr_t)t->lots_in : NULL;
        }
        im->picks = c.picks;
        im->n_picks = c.n_picks;
        im->lots = c.lots;
        im->n_lots = c.n_lots;
        c.picks = NULL;
        c.lots = NULL;
    }
out:
    RA_FREE_ALL(c.picks, c.lots);
    return st;
}

static ra_status parse_prices(frame *F, ra_import *im, ra_err *err)
{
    ra_status st = read_header(F, err);
    if (st != RA_OK)
        return st;
    csv_reader *r = &F->r;
    char vb[RA_CSV_SHOW_CAP];
    size_t nc = F->n_names;
    if (nc < 2)
        return ra_csvtok_error(r, RA_EPARSE, r->rec_line, 1, err,
                               "the header has 1 column, need a date column and at least one "
                               "ticker (Date,TICKER,TICKER,...)");
    im->n_tickers = nc - 1;
    im->tickers = ra_calloc(im->n_tickers, sizeof *im->tickers);
    if (!im->tickers)
        return ra_csvtok_nomem(err, "tickers");
    F->map[0] = 0;
    for (size_t j = 1; j < nc; j++) {
        const char *nm = F->names[j];
        size_t nl = strlen(nm);
        if (nl == 0)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, j + 1, err,
                                   "empty column name (every ticker column needs a name)");
        ra_err e2;
        if (ra_rule_code_check(nm, nl, "ticker", &e2) != RA_OK)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, j + 1, err,
                                   "column %zu of the header: %s (not shown: a file without its "
                                   "header row has data there)",
                                   j + 1, e2.msg);
        if (strcmp(nm, RA_CASH_TICKER) == 0)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, j + 1, err,
                                   "ticker \"%s\" is reserved for the cash line of custodian "
                                   "positions",
                                   RA_CASH_TICKER);
        uint32_t prev;
        if (!kset_add(&F->keys, nm, (uint32_t)j + 1, &prev))
            return ra_csvtok_nomem(err, "tickers");
        if (prev)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, j + 1, err,
                                   "column %zu of the header repeats column %u",
                                   j + 1, (unsigned)prev);
        memcpy(im->tickers[j - 1], nm, nl + 1);
    }
    r->names = F->names;
    r->n_names = F->n_names;
    size_t cap_d = 0, cap_l = 0, cap_p = 0;
    for (;;) {
        int eof;
        if ((st = ra_csvtok_next(r, &eof, err)) != RA_OK)
            return st;
        if (eof)
            break;
        if ((st = ra_csvtok_check_width(&F->r, F->n_names, err)) != RA_OK)
            return st;
        size_t row = im->n_dates;
        if (ra_grow((void **)&im->dates, &cap_d, row + 1, sizeof *im->dates) ||
            ra_grow((void **)&im->date_lines, &cap_l, row + 1, sizeof *im->date_lines) ||
            (im->n_tickers > SIZE_MAX / sizeof(ra_price) / (row + 1)) ||
            ra_grow((void **)&im->price_micro, &cap_p, (row + 1) * im->n_tickers,
                  sizeof *im->price_micro))
            return ra_csvtok_nomem(err, "prices");
        ra_date d;
        const char *s = r->f[0].s;
        size_t n = r->f[0].len;
        ra_csvtok_trim(&s, &n);
        if (n == 0)
            return ra_csvtok_error(r, RA_EPARSE, r->f[0].line, 1, err,
                                   "missing date (the first column holds YYYY-MM-DD dates)");
        if ((st = fdate(F, 0, &d, err)) != RA_OK)
            return st;
        if ((st = ra_csvtok_check_order(r, im->dates, im->date_lines, row, d, err)) != RA_OK)
            return st;
        im->dates[row] = d;
        im->date_lines[row] = r->rec_line;
        ra_price *pr = im->price_micro + row * im->n_tickers;
        for (size_t j = 1; j < nc; j++) {
            s = r->f[j].s;
            n = r->f[j].len;
            ra_csvtok_trim(&s, &n);
            pr[j - 1] = 0;
            if (n == 0)
                continue;
            ra_err e2;
            if (ra_import_decimal_round(s, n, RA_PRICE_DIGITS, &pr[j - 1], &e2) != RA_OK)
                return ra_csvtok_error(r, RA_EPARSE, r->f[j].line, j + 1, err, "%s", e2.msg);
            if (pr[j - 1] <= 0)
                return ra_csvtok_error(r, RA_EPARSE, r->f[j].line, j + 1, err,
                                       "price must be at least 0.0000005: %s",
                                       fshow(F, vb, s, n));
            im->n++;
        }
        im->n_dates++;
    }
    if (im->n_dates == 0)
        return ra_csvtok_error(r, RA_EPARSE, r->line, 1, err, "need at least 1 data row, found 0");
    return RA_OK;
}

ra_status ra_import_parse(ra_import_kind kind, const char *data, size_t size, const char *source,
                          const ra_import_settings *settings, ra_import **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "import parsing needs an output");
    *out = NULL;
    if ((unsigned)kind >= RA_IMPORT_KIND_COUNT)
        return ra_err_set(err, RA_EINVAL, NULL, "import kind %d is out of range", (int)kind);
    if (!data && size)
        return ra_err_set(err, RA_EINVAL, NULL, "import parsing needs the data");
    ra_import_settings set;
    ra_import_settings_default(&set);
    if (settings)
        set = *settings;
    ra_err e2;
    if (ra_rule_minor_digits_check(set.minor_digits, &e2) != RA_OK)
        return ra_err_set(err, RA_EINVAL, NULL, "%s", e2.msg); /* the same message, no where */
    if (!source)
        source = "input";
    ra_status st = ra_csvtok_check_size(source, size, err);
    if (st != RA_OK)
        return st;
    ra_import *im = ra_calloc(1, sizeof *im);
    size_t sl = strlen(source);
    if (!im || !(im->source = ra_malloc(sl + 1))) {
        ra_free(im);
        return ra_csvtok_nomem(err, "an import");
    }
    memcpy(im->source, source, sl + 1);
    im->kind = kind;
    frame F;
    memset(&F, 0, sizeof F);
    F.fmt = &formats[kind];
    F.minor_digits = set.minor_digits;
    F.hide = kind == RA_IMPORT_CLIENTS;
    ra_csvtok_init(&F.r, data, size, source);
    st = kind == RA_IMPORT_PRICES ? parse_prices(&F, im, err) : parse_long(&F, im, err);
    for (size_t k = 0; st == RA_OK && k < F.fmt->n_cols; k++)
        if (F.map[k] >= 0)
            im->columns |= 1u << k;
    frame_free(&F);
    if (st != RA_OK) {
        ra_import_destroy(im);
        return st;
    }
    *out = im;
    return RA_OK;
}

ra_status ra_import_read(ra_import_kind kind, const char *path, const ra_import_settings *settings,
                         ra_import **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "import reading needs an output");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    ra_status st = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (st != RA_OK)
        return st;
    st = ra_import_parse(kind, data, size, path, settings, out, err);
    ra_free(data);
    return st;
}
