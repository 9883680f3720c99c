/* roboadvisor: the client statement, the tax report and the firm report as plain data, and their
 * renderings (io layer: src/io/stmt_*.c). The engine fills the models from the book
 * (engine_statement.h); here they are only formatted into bytes: JSON, self-contained HTML, and
 * PDF drawn with cairo (vector charts, tables, a header and the page number on every page). Every
 * label comes from the message catalogue of the language (src/io/stmt_msg_en.c,
 * src/io/stmt_msg_zh_cn.c); numbers and dates are written per language (ra_stmt_format_*).
 * Chinese text is set in Noto Sans CJK SC found through fontconfig (fonts-noto-cjk), English in
 * DejaVu Sans; cairo embeds the subset of glyphs used. Method and disclosures:
 * docs/methodology.md#client-statements; the commands: docs/cli.md#report.
 *
 * Units: money ra_minor in the account's currency (minor_digits), quantities ra_micro, prices
 * ra_price (micro-units), rates and weights fractions (0.05 = 5 %). Memory: the models own their
 * arrays (ra_malloc); free them with ra_statement_clear / ra_tax_report_clear /
 * ra_firm_report_clear. Rendered bytes are ra_malloc'd: ra_free. */
#ifndef ROBOADVISOR_STATEMENT_H
#define ROBOADVISOR_STATEMENT_H

#include "book.h"
#include "common.h"
#include "date.h"
#include "error.h"
#include "fees.h"
#include "money.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_stmt_lang { RA_STMT_EN = 0, RA_STMT_ZH_CN = 1 } ra_stmt_lang;
#define RA_STMT_LANG_N 2

/* "en" or "zh-CN" (exactly) -> *out; RA_EINVAL otherwise. */
RA_API RA_NODISCARD ra_status ra_stmt_lang_parse(const char *s, ra_stmt_lang *out, ra_err *err);

/* Where a figure comes from; each source carries the date of its latest data used. */
typedef enum ra_stmt_src {
    RA_STMT_SRC_LEDGER = 0,   /* the account's transactions */
    RA_STMT_SRC_VALUES,       /* the daily values the daily cycle (run-day) stored */
    RA_STMT_SRC_PRICES,       /* closing prices imported into the book */
    RA_STMT_SRC_MODEL,        /* the model portfolio and its benchmark */
    RA_STMT_SRC_FEES,         /* the fee schedules and bills (fees list) */
    RA_STMT_SRC_GAINS,        /* lots, realised gains and the wash-sale rule (gains) */
    RA_STMT_SRC_PROFILE,      /* the client's risk questionnaire */
    RA_STMT_SRC_RISK,         /* alerts, suspensions and re-authorisations */
    RA_STMT_SRC_N
} ra_stmt_src;

/* One figure: money (is_rate 0: minor) or a rate (is_rate 1: rate, a fraction); valid 0 when it
 * does not exist (a return over a period without values). risk_level 1..5 (R1..R5) for a figure of
 * a security or a portfolio, 0 otherwise. */
typedef struct ra_stmt_fig {
    int valid, is_rate;
    ra_minor minor;
    double rate;
    ra_stmt_src src;
    ra_date as_of;
    int risk_level;
} ra_stmt_fig;

/* The summary figures, in the order printed. */
typedef enum ra_stmt_key {
    RA_STMT_OPENING = 0,     /* value at the last close before the period (0: opened in it) */
    RA_STMT_DEPOSITS,        /* deposits in the period */
    RA_STMT_WITHDRAWALS,     /* withdrawals in the period */
    RA_STMT_FEES_PAID,       /* fee transactions debited in the period */
    RA_STMT_INVEST_GAIN,     /* closing - opening - deposits + withdrawals (net of fees) */
    RA_STMT_CLOSING,         /* value at the last close on or before the period's end */
    RA_STMT_TWR,             /* time-weighted return over the period (cumulative) */
    RA_STMT_BENCH_TWR,       /* the model benchmark's return over the same days */
    RA_STMT_MWR,             /* money-weighted return (XIRR), annual */
    RA_STMT_UNREALISED,      /* value - cost of the holdings at the end */
    RA_STMT_REALISED_SHORT,  /* realised short-term gain or loss to report (gain + disallowed) */
    RA_STMT_REALISED_LONG,   /* long-term */
    RA_STMT_WASH_DISALLOWED, /* losses disallowed by the wash-sale rule */
    RA_STMT_HARVESTED,       /* losses realised by harvest sales (tlh), positive */
    RA_STMT_FEES_BILLED,     /* fees of the billing periods ending in the period */
    RA_STMT_KEY_N
} ra_stmt_key;

typedef struct ra_stmt_point {
    ra_date date;
    ra_minor value_minor;    /* the account's value at the close */
    ra_minor bench_minor;    /* the model benchmark with the same flows */
    ra_minor flow_minor;     /* the day's deposits - withdrawals */
} ra_stmt_point;

typedef struct ra_stmt_holding {
    char ticker[RA_CODE_MAX];
    char name[RA_NAME_MAX];
    char asset_class[RA_CODE_MAX];
    int risk_level;          /* 1..5; 0 unknown */
    ra_micro qty_micro;
    ra_price price;          /* latest close on or before the end (0: none) */
    ra_date price_date;
    ra_minor value_minor, cost_minor, unrealised_minor;
    double weight, target;
} ra_stmt_holding;

typedef struct ra_stmt_class {
    char asset_class[RA_CODE_MAX]; /* "cash" for cash */
    double actual, target;
} ra_stmt_class;

typedef struct ra_stmt_txn {
    ra_date date;
    int kind;                /* ra_txn_kind (ledger.h: 1 deposit .. 10 split) */
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;
    ra_price price;
    ra_minor cash_minor;     /* the cash effect, signed (a buy is negative) */
    ra_minor fees_minor;
} ra_stmt_txn;

typedef struct ra_stmt_fee {
    ra_date period_start, period_end;
    char schedule[RA_CODE_MAX];
    int days;
    ra_minor average_minor;  /* the average daily value accrued on */
    ra_minor asset_fee_minor, subscription_minor, service_minor, perf_fee_minor, total_minor;
    int has_perf;            /* a performance period ends with this bill */
    ra_minor perf_profit_minor, perf_hurdle_minor, carried_loss_minor;
    int64_t perf_rate_ppm;   /* the schedule's performance-fee rate, parts per million */
    int billed;
} ra_stmt_fee;

typedef struct ra_stmt_sale {
    ra_date date;
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;
    ra_minor proceeds_minor, cost_minor, gain_minor, disallowed_minor;
    ra_minor short_minor, long_minor; /* gain + disallowed of its short / long-term parts */
    int harvest;
} ra_stmt_sale;

typedef struct ra_stmt_event {       /* an alert, a suspension or a re-authorisation */
    ra_date date, closed;            /* closed 0: still open */
    char kind[64];                   /* alert: "concentration", ...; suspension: its kind */
    double observed, threshold;      /* alerts */
    ra_minor loss_minor;             /* suspensions */
    char by[RA_CODE_MAX];            /* re-authorised by (a user code; "" none) */
} ra_stmt_event;

typedef struct ra_stmt_fee_schedule {
    int have;
    char code[RA_CODE_MAX];
    int64_t version;
    ra_fee_schedule s;               /* tiers, minimum, subscription */
    int billing_months;              /* 1 or 3 */
    int64_t perf_rate_ppm, perf_hurdle_ppm; /* 0: none */
    int perf_months;
    char perf_benchmark[RA_CODE_MAX];
} ra_stmt_fee_schedule;

typedef struct ra_statement {
    char firm[RA_CODE_MAX], firm_name[RA_NAME_MAX];
    char account[RA_CODE_MAX], client[RA_CODE_MAX];
    char client_name[RA_PII_MAX];    /* personal data: printed in the client's own document only */
    char currency[4];
    int minor_digits;
    int account_type;                /* ra_account_type */
    int discretionary;
    ra_date from, to;
    char model[RA_CODE_MAX];         /* "" no model */
    int model_level;                 /* the model's risk level R1..R5 (0: none) */
    int portfolio_level;             /* the holdings' value-weighted level, rounded up (0: none) */
    int client_level;                /* C1..C5 (0: no profile) */
    ra_date profile_taken, profile_expires;
    int profile_expired;             /* at the period's end */
    int suitable;                    /* model_level <= client_level and the profile is current */
    ra_date value_from, value_to;    /* the closes the opening and closing values are from */
    ra_stmt_fig fig[RA_STMT_KEY_N];
    ra_date source_date[RA_STMT_SRC_N]; /* the latest data of each source used (0: none) */
    ra_minor cash_minor;
    double cash_weight, cash_target;
    ra_stmt_point *series; size_t n_series;
    ra_stmt_holding *holdings; size_t n_holdings;
    ra_stmt_class *classes; size_t n_classes;
    ra_stmt_txn *txns; size_t n_txns;
    ra_stmt_fee *fees; size_t n_fees;
    ra_stmt_fee_schedule schedule;
    ra_stmt_sale *sales; size_t n_sales;
    ra_stmt_event *alerts; size_t n_alerts;
    ra_stmt_event *suspensions; size_t n_suspensions;
    int wash_window_days;
} ra_statement;

RA_API void ra_statement_clear(ra_statement *st);

/* --- the tax report (Form 8949's shape) ------------------------------------------------------- */

typedef struct ra_tax_row {
    ra_micro qty_micro;
    char ticker[RA_CODE_MAX];
    ra_date acquired, sold;
    ra_minor proceeds_minor, cost_minor; /* (d), (e): cost is the basis after the wash-sale
                                          * adjustments of earlier losses */
    int wash;                            /* (f) code W */
    ra_minor adjustment_minor;           /* (g) the disallowed loss, positive */
    ra_minor gain_minor;                 /* (h) = d - e + g */
    int long_term;                       /* Part II when 1, Part I when 0 */
    uint64_t txn_seq, lot_id;
} ra_tax_row;

typedef struct ra_tax_report {
    char firm[RA_CODE_MAX], firm_name[RA_NAME_MAX], account[RA_CODE_MAX];
    char client_name[RA_PII_MAX];
    char currency[4];
    int minor_digits, year, wash_window_days;
    ra_tax_row *rows; size_t n_rows;     /* Part I rows then Part II rows, each in book order */
    ra_minor total_proceeds[2], total_cost[2], total_adjustment[2], total_gain[2]; /* [term] */
    size_t harvest_sales;
    ra_minor harvested_minor, harvest_disallowed_minor, harvest_allowed_short_minor,
        harvest_allowed_long_minor;
    ra_date source_date;                 /* the latest transaction used */
} ra_tax_report;

RA_API void ra_tax_report_clear(ra_tax_report *r);

/* --- the firm report --------------------------------------------------------------------------- */

typedef struct ra_firm_row {              /* an account at the date */
    char account[RA_CODE_MAX];
    int client_level;                     /* 0 no profile */
    char tier[16];                        /* "digital", "hybrid", "advisor-led" */
    ra_minor value_minor;
    double drift;                         /* NAN: no daily value on the date */
    int out_of_band, suspended, open_alerts;
} ra_firm_row;

typedef struct ra_firm_report {
    char firm[RA_CODE_MAX], firm_name[RA_NAME_MAX], currency[4];
    int minor_digits;
    ra_date date;
    ra_minor total_minor;
    size_t by_level_n[6]; ra_minor by_level_minor[6];  /* [0] no profile, [1..5] C1..C5 */
    size_t by_tier_n[3]; ra_minor by_tier_minor[3];    /* digital, hybrid, advisor-led */
    size_t out_of_band, suspended, open_alerts;
    ra_minor fees_billed_minor;           /* bills with a period ending in the date's year, to it */
    size_t fees_billed_n;
    ra_firm_row *rows; size_t n_rows;
} ra_firm_report;

RA_API void ra_firm_report_clear(ra_firm_report *r);

/* --- rendering (pure: bytes out, no file, no clock) -------------------------------------------- */

typedef enum ra_stmt_format { RA_STMT_JSON = 0, RA_STMT_HTML, RA_STMT_PDF, RA_STMT_CSV } ra_stmt_format;

/* Renders st in format f (JSON, HTML or PDF) and language lang into *out (*len bytes, ra_free).
 * RA_EIO when the PDF cannot be drawn (cairo's status, or no font for the language: the message
 * names the font and the package that provides it). */
RA_API RA_NODISCARD ra_status ra_statement_render(const ra_statement *st, ra_stmt_format f,
                                                  ra_stmt_lang lang, char **out, size_t *len,
                                                  ra_err *err);
/* CSV (Form 8949's columns, one row per lot part) or PDF. */
RA_API RA_NODISCARD ra_status ra_tax_report_render(const ra_tax_report *r, ra_stmt_format f,
                                                   ra_stmt_lang lang, char **out, size_t *len,
                                                   ra_err *err);
/* HTML or PDF. */
RA_API RA_NODISCARD ra_status ra_firm_report_render(const ra_firm_report *r, ra_stmt_format f,
                                                    ra_stmt_lang lang, char **out, size_t *len,
                                                    ra_err *err);

/* Releases the fonts the PDF renderer keeps for the life of the process, and cairo's and
 * fontconfig's own caches: call it once at exit, when no render is running or will run (leak
 * checkers see nothing left). */
RA_API void ra_statement_fonts_release(void);

/* --- numbers and dates per language ----------------------------------------------------------- */

#define RA_STMT_FMT_SIZE 64
/* Money in minor units with thousands separators: en and zh-CN "-1,234,567.89". */
RA_API char *ra_stmt_format_money(ra_stmt_lang lang, ra_minor v, int minor_digits,
                                  char buf[RA_STMT_FMT_SIZE]);
/* A fraction as a percentage with `decimals` decimals: "5.23%" (both languages); "n/a"/"不适用"
 * for NAN. */
RA_API char *ra_stmt_format_pct(ra_stmt_lang lang, double x, int decimals,
                                char buf[RA_STMT_FMT_SIZE]);
/* A date: en "31 Mar 2020", zh-CN "2020年3月31日"; 0 as "-". */
RA_API char *ra_stmt_format_date(ra_stmt_lang lang, ra_date d, char buf[RA_STMT_FMT_SIZE]);
/* Shares with up to 6 decimals, trailing zeros dropped: "1,234.5". */
RA_API char *ra_stmt_format_qty(ra_stmt_lang lang, ra_micro q, char buf[RA_STMT_FMT_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
