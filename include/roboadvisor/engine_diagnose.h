/* roboadvisor: `roboadvisor diagnose` over the book (engine layer, src/engine/diagnose.c; issue 14,
 * docs/cli.md#diagnose, docs/methodology.md#diagnosis). Reads the holdings (an account replayed to
 * the date, or a holdings file), the securities, their prices, the client's risk level and the
 * firm's suitable model, and runs the pure diagnosis (diagnose.h). */
#ifndef ROBOADVISOR_ENGINE_DIAGNOSE_H
#define ROBOADVISOR_ENGINE_DIAGNOSE_H

#include "diagnose.h"
#include "holdings_io.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_diag_request {
    const char *account;          /* an account of the firm, or NULL */
    const ra_holdings *holdings;  /* or a holdings file (borrowed) */
    ra_date date;                 /* 0: the latest close in the book */
    int level;                    /* 1..5: the client's level as given (--level); 0: the stored
                                   * profile of the account's client, or of `client` */
    const char *client;           /* holdings: the client whose profile gives the level, or NULL */
    ra_minor value_minor;         /* a weight file: the portfolio's value (> 0) */
    int window_years;             /* RA_DIAG_DEFAULT_WINDOW_YEARS */
    double overlap_corr;          /* RA_DIAG_DEFAULT_OVERLAP_CORR */
} ra_diag_request;

typedef struct ra_diag_report {
    ra_diag_input in;             /* what the diagnosis was given (points into the arrays below) */
    ra_diag_result res;
    char currency[4];
    int minor_digits;
    ra_date date;                 /* the diagnosis date */
    ra_date from, to;             /* the first and last close of the return window */
    char source[RA_NAME_MAX];     /* "account A1" or the holdings file's name */
    char level_source[96];        /* where the client's level comes from */
    int have_model;
    char model[RA_CODE_MAX];      /* the suitable model's code */
    int model_version, model_level;
    char no_model[160];           /* why there is none */
    size_t n;                     /* securities: held, then the model's others */
    char (*ticker)[RA_CODE_MAX];
    char (*cls)[RA_CODE_MAX];
    ra_date *price_date;          /* n: the date of each price used */
    int *on_shelf;                /* n */
    ra_diag_asset *a;
    double *ret;                  /* n_obs x n */
    ra_date *dates;               /* n_obs + 1: the closes the returns run between */
} ra_diag_report;

void ra_diag_request_default(ra_diag_request *r);
/* Diagnoses the account or the holdings of firm. RA_ENOTFOUND naming an account, a ticker with no
 * security or no price on or before the date; RA_EINVAL for a client without a risk level (give
 * one) or a weight file without a value; RA_EINFEASIBLE when the securities share fewer than
 * RA_DIAG_MIN_OBS daily returns in the window (naming the one with the shortest history). On
 * error *out holds nothing. */
RA_API RA_NODISCARD ra_status ra_diag_report_run(ra_store *s, const char *firm,
                                                 const ra_diag_request *r, ra_diag_report *out,
                                                 ra_err *err);
RA_API void ra_diag_report_free(ra_diag_report *rep);

#ifdef __cplusplus
}
#endif
#endif
