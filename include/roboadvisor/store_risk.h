/* roboadvisor: risk limits in the book (store layer; src/store/store_risk.c, schema
 * src/store/migrations/0011_risk.sql; method docs/methodology.md#risk-limits).
 *
 * A crossing of an account's loss limit is written by the daily cycle with the account's day
 * (ra_cycle_account_day.risk, one transaction): the suspension with the figures of the check, the
 * account's open orders cancelled, and a notification for the client and one for the advisor due
 * 30 minutes after the market's close. The account trades again only after a recorded
 * re-authorisation (ra_store_reauthorise). Everything is audited (entity "risk"). */
#ifndef ROBOADVISOR_STORE_RISK_H
#define ROBOADVISOR_STORE_RISK_H

#include "riskrules.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_RISK_NOTE_MAX 256
#define RA_RISK_CODE_MAX 96
#define RA_RISK_MESSAGE_MAX 256

/* What the cycle found for one account on its day: a crossing to record (store_cycle.h). */
typedef struct ra_risk_crossing {
    ra_date date;
    double loss_limit;
    ra_risk_loss loss;
    int64_t due_at;                   /* the notifications' due time, Unix seconds (UTC) */
} ra_risk_crossing;

/* What a day's run needs of each account of the firm (by account row id, increasing). */
typedef struct ra_risk_account {
    int64_t account_id;
    ra_minor entrusted_minor;         /* deposits - withdrawals to day D (after the last
                                       * re-authorisation's base day, plus its base value) */
    int suspended;                    /* 1: suspended before D and not re-authorised since */
} ra_risk_account;

/* The firm's accounts for day `date` (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_risk_accounts(ra_store *s, const char *firm, ra_date date,
                                                     ra_risk_account **out, size_t *n,
                                                     ra_err *err);

/* The firm's market close (minutes after local midnight) and time zone (RA_RISK_ZONE_MAX bytes):
 * RA_RISK_CLOSE_DEFAULT_MINUTE and RA_RISK_ZONE_DEFAULT when never set. */
RA_API RA_NODISCARD ra_status ra_store_risk_settings(ra_store *s, const char *firm, int *minute,
                                                     char zone[RA_RISK_ZONE_MAX], ra_err *err);
/* Sets them (ra_risk_zone_check; minute 0..1439), audited (entity "risk_settings"). */
RA_API RA_NODISCARD ra_status ra_store_risk_settings_set(ra_store *s, const ra_store_actor *actor,
                                                         int minute, const char *zone,
                                                         ra_err *err);

/* A suspension of an account's automated trading. */
typedef struct ra_suspension {
    char account[RA_CODE_MAX];
    ra_date date;                     /* the close at which the limit was crossed */
    char kind[24];                    /* "loss_limit" */
    double loss_limit;
    ra_minor entrusted_minor, value_minor, loss_minor;
    int orders_cancelled;
    char reauthorised_by[RA_CODE_MAX]; /* "" while suspended */
    char reauthorised_note[RA_RISK_NOTE_MAX];
    int64_t reauthorised_at;
    ra_date base_day;                 /* the re-authorisation's base: the last daily value */
    ra_minor base_minor;
} ra_suspension;

/* The firm's suspensions (account "" or NULL: all), by account code then day (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_suspensions_list(ra_store *s, const char *firm,
                                                        const char *account, ra_suspension **out,
                                                        size_t *n, ra_err *err);

/* Records the re-authorisation of account's suspended trading by `by` with a note (both required;
 * the note is free text of at most RA_RISK_NOTE_MAX - 1 bytes): every open suspension of the
 * account is closed with the base (its last daily value, day and amount), audited (entity
 * "risk", action "reauthorise"). RA_ENOTFOUND for an unknown account, RA_ECONFLICT when the
 * account is not suspended. *out (may be NULL) the suspension closed (the latest). */
RA_API RA_NODISCARD ra_status ra_store_reauthorise(ra_store *s, const ra_store_actor *actor,
                                                   const char *account, const char *by,
                                                   const char *note, ra_suspension *out,
                                                   ra_err *err);

/* A notification to the client or the advisor. */
typedef struct ra_notification {
    char code[RA_RISK_CODE_MAX];      /* "N-YYYY-MM-DD-ACCOUNT-client" / "-advisor" */
    char account[RA_CODE_MAX];
    ra_date date;
    char recipient[16];               /* "client" or "advisor" */
    char recipient_code[RA_CODE_MAX]; /* the client's or the advisor's code ("" no advisor) */
    char kind[24];                    /* "loss_limit" */
    char message[RA_RISK_MESSAGE_MAX];
    int64_t due_at;                   /* Unix seconds, UTC */
    int64_t created_at;
} ra_notification;

/* The firm's notifications (account "" or NULL: all; due_before 0: any, else due_at < it), by
 * due time, then code (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_notifications_list(ra_store *s, const char *firm,
                                                          const char *account, int64_t due_before,
                                                          ra_notification **out, size_t *n,
                                                          ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
