/* roboadvisor: the domain rules, one validator each (core layer, pure: no I/O, no allocation).
 *
 * Every reader of outside input (src/io), the store and the agents call these functions, so a
 * value accepted in one place is accepted everywhere (issue 10 "one validation for one kind of
 * value everywhere", issue 11 "one validator per domain rule"). Defaults and ranges are written
 * with their source in docs/methodology.md#domain-rules and the formats in docs/formats.md.
 *
 * The checks return RA_OK or RA_EINVAL with a message that names the field (`what`) and the rule
 * but NEVER the value: the caller knows whether the value may be shown (a ticker may, a client's
 * name never may) and adds it, with the file, line and column or JSON path, when it may.
 * Strings are (pointer, length) pairs and need not be NUL-terminated; a NUL byte inside is a
 * control character. */
#ifndef ROBOADVISOR_RULES_H
#define ROBOADVISOR_RULES_H

#include "book.h"
#include "onboard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- mandate and agent parameters: defaults and ranges -------------------------------------- */

#define RA_RULE_DRIFT_BAND_DEFAULT 0.05   /* absolute weight drift that triggers a rebalance */
#define RA_RULE_DRIFT_BAND_MAX 0.5        /* (0, 0.5]: a wider band never rebalances in practice */
#define RA_RULE_LOSS_LIMIT_DEFAULT 0.10   /* re-authorisation threshold (DESIGN.md, daily cycle) */
#define RA_RULE_LOSS_LIMIT_MAX 0.15       /* (0, 0.15]: never above 15 % of entrusted assets */
#define RA_RULE_CASH_RESERVE_DEFAULT 0.02 /* [0, 1): cash kept for fees and withdrawals */
#define RA_RULE_BAND_REL_DEFAULT 0.25    /* relative drift band, fraction of the target weight */
#define RA_RULE_DISCRETIONARY_DEFAULT 1   /* an account without the column is discretionary */
#define RA_RULE_MANDATE_TLH_DEFAULT 0     /* an imported account harvests only when asked */
#define RA_RULE_AGENT_TLH_DEFAULT 1       /* an onboarded account's agent harvests by default */
#define RA_RULE_BIRTH_YEAR_MIN 1900
#define RA_RULE_BIRTH_YEAR_MAX 2100
#define RA_RULE_EMAIL_LOCAL_MAX 64        /* RFC 5321 4.5.3.1.1 */
#define RA_RULE_EMAIL_DOMAIN_MAX 253      /* RFC 1035 (255 octets on the wire) */

/* Fills a mandate with the defaults above: no model, discretionary, drift 0.05, relative band
 * 0.25, to target (not the band's edge), sales allowed, TLH off, loss limit 0.10, no
 * restrictions, tax-aware relief (ra_rule_mandate_for_type sets FIFO for retirement accounts),
 * cash reserve 0.02, no minimum trade, dividends paid in cash, whole lots (not fractional), no gain budget,
 * no client confirmation, no agent (risk_level 0). docs/methodology.md#the-mandate. */
RA_API void ra_rule_mandate_default(ra_mandate *m);
/* The defaults that depend on the account's type: relief tax-aware for taxable accounts, FIFO
 * for retirement accounts (no tax to optimise). Only where m->relief is still the default. */
RA_API void ra_rule_mandate_for_type(ra_mandate *m, int account_type);
/* The fields added with the mandate's versions (band_rel .. objective): RA_EINVAL naming the
 * field. Called by ra_rule_mandate_validate. */
RA_API RA_NODISCARD ra_status ra_rule_mandate_extra_validate(const ra_mandate *m, ra_err *err);
/* Sets one field from text (`mandate set KEY=VALUE`, the accounts CSV's optional columns):
 * keys model, discretionary, drift_band, band_rel, to_band_edge, buy_only, tlh, loss_limit,
 * restrictions, relief (fifo, hifo, tax-aware), cash_reserve, min_trade_minor,
 * reinvest_dividends, fractional, gain_budget_minor (-1 none), client_confirm, risk_level
 * (C1..C5 or 1..5), objective. Flags take 0/1, on/off, true/false. RA_EINVAL with where = the
 * key for an unknown key or a value out of range; m is unchanged then. */
RA_API RA_NODISCARD ra_status ra_rule_mandate_set(ra_mandate *m, const char *key,
                                                  const char *value, ra_err *err);
/* The keys of ra_rule_mandate_set, in display order (NULL-terminated). */
RA_API const char *const *ra_rule_mandate_keys(void);
/* One field as text in the form ra_rule_mandate_set takes (buf of at least RA_NAME_MAX + 1). */
RA_API const char *ra_rule_mandate_get(const ra_mandate *m, const char *key, char *buf,
                                       size_t cap);
/* "fifo", "hifo", "tax-aware" ("?" otherwise); parse: RA_EINVAL naming "relief". */
RA_API const char *ra_rule_relief_name(int relief);
RA_API RA_NODISCARD ra_status ra_rule_relief_parse(const char *s, int *out, ra_err *err);
/* drift band in (0, RA_RULE_DRIFT_BAND_MAX]: "drift_band V is outside (0, 0.5]" (numbers are not
 * personal data, so these range messages name the value). */
RA_API RA_NODISCARD ra_status ra_rule_drift_band_check(double x, ra_err *err);
/* loss limit in (0, RA_RULE_LOSS_LIMIT_MAX]. */
RA_API RA_NODISCARD ra_status ra_rule_loss_limit_check(double x, ra_err *err);
/* cash reserve in [0, 1). */
RA_API RA_NODISCARD ra_status ra_rule_cash_reserve_check(double x, ra_err *err);
/* A mandate as a whole: model "" or a code, drift band, loss limit, discretionary and
 * tlh_enabled 0 or 1, restrictions "" or codes joined by ';'. where = the failing field. */
RA_API RA_NODISCARD ra_status ra_rule_mandate_validate(const ra_mandate *m, ra_err *err);

/* ---- codes ---------------------------------------------------------------------------------- */

/* A code (ticker, client, household, advisor, account, transaction id, asset class, tax-loss
 * group, model, firm): 1 to RA_CODE_MAX - 1 bytes of ASCII letters, digits, '.', '-' and '_'
 * (docs/formats.md "Codes"). Messages: "WHAT is empty", "WHAT is longer than 47 bytes",
 * "WHAT may hold only letters, digits, '.', '-' and '_'". */
RA_API RA_NODISCARD ra_status ra_rule_code_check(const char *s, size_t n, const char *what,
                                                 ra_err *err);
/* 1 if c may appear in a code. */
RA_API int ra_rule_code_byte(char c);

/* ---- currencies ----------------------------------------------------------------------------- */

/* Three capital ASCII letters (ISO 4217 alphabetic code): "currency must be 3 capital letters
 * (ISO 4217, e.g. USD)". */
RA_API RA_NODISCARD ra_status ra_rule_currency_check(const char *s, size_t n, ra_err *err);
/* ISO 4217 minor digits of a valid code: 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), else 2. */
RA_API int ra_rule_currency_minor_digits(const char *code);
/* A firm's minor digits: 0, 2 or 3. */
RA_API RA_NODISCARD ra_status ra_rule_minor_digits_check(int digits, ra_err *err);

/* ---- split ratios --------------------------------------------------------------------------- */

#define RA_RULE_SPLIT_TERM_MAX INT64_C(1000000) /* new or old shares of one split, at most */

/* num/den in lowest terms with 1 <= num, den <= RA_RULE_SPLIT_TERM_MAX: no company splits a share
 * into more than a million or merges a million into one, and a larger term is a typo or a value
 * that a decimal ratio could not represent exactly (92233720368547.75807 -> 92233720368548/1).
 * Message: "split ratio N/D is not N/D with both terms in 1..1000000". */
RA_API RA_NODISCARD ra_status ra_rule_split_ratio_check(const ra_ratio *r, ra_err *err);

/* ---- text: names, addresses, free text ------------------------------------------------------ */

/* 1 if s[0..n) is valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF);
 * otherwise 0 and *bad_at (if not NULL) = the 0-based offset of the first bad byte. */
RA_API int ra_rule_utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Text of at most cap - 1 bytes, valid UTF-8, without control characters (C0, DEL, C1).
 * Messages: "WHAT is longer than N bytes", "WHAT is not valid UTF-8 at byte K", "WHAT holds a
 * control character at byte K" (K 1-based). Used for names of people, firms, securities, agents,
 * addresses, tax ids. */
RA_API RA_NODISCARD ra_status ra_rule_text_check(const char *s, size_t n, size_t cap,
                                                 const char *what, ra_err *err);

/* ---- emails --------------------------------------------------------------------------------- */

/* LOCAL@DOMAIN (docs/formats.md "Emails"): exactly one '@'; LOCAL 1..64 bytes, DOMAIN 1..253
 * bytes; no blanks, control characters, quotes, commas, brackets or backslashes anywhere; valid
 * UTF-8 (internationalised addresses are allowed); DOMAIN is dot-separated non-empty labels
 * (no leading, trailing or doubled dot) of letters, digits, '-' or non-ASCII, and has at least
 * one dot. Message: "email is not an address of the form name@domain.tld". */
RA_API RA_NODISCARD ra_status ra_rule_email_check(const char *s, size_t n, ra_err *err);

/* A client's personal fields and codes: code, household, advisor (or ""), name, email (or ""),
 * tax id, address (text rules), birth year 0 or 1900..2100. where = the field; never the value. */
RA_API RA_NODISCARD ra_status ra_rule_client_validate(const ra_client *c, ra_err *err);

/* ---- equality of stored records (exact: what the store compares to skip a no-op write) ------ */

RA_API int ra_rule_mandate_equal(const ra_mandate *a, const ra_mandate *b);
RA_API int ra_rule_account_equal(const ra_account *a, const ra_account *b);  /* with mandate */
RA_API int ra_rule_security_equal(const ra_security *a, const ra_security *b); /* flags as 0/!0 */
RA_API int ra_rule_client_equal(const ra_client *a, const ra_client *b);
RA_API int ra_rule_advisor_equal(const ra_advisor *a, const ra_advisor *b);
RA_API int ra_rule_agent_params_equal(const ra_agent_params *a, const ra_agent_params *b);

#ifdef __cplusplus
}
#endif
#endif
