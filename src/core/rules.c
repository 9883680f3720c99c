/* roboadvisor: the domain rules, one validator each (include/roboadvisor/rules.h). Sources of the
 * defaults and ranges: docs/methodology.md#domain-rules; formats: docs/formats.md. Messages name
 * the field and the rule, never a string value (it may be personal data); the caller adds it. */
#include <roboadvisor/rules.h>

#include <string.h>

void ra_rule_mandate_default(ra_mandate *m)
{
    memset(m, 0, sizeof *m);
    m->discretionary = RA_RULE_DISCRETIONARY_DEFAULT;
    m->drift_band = RA_RULE_DRIFT_BAND_DEFAULT;
    m->tlh_enabled = RA_RULE_MANDATE_TLH_DEFAULT;
    m->loss_limit = RA_RULE_LOSS_LIMIT_DEFAULT;
    m->band_rel = RA_RULE_BAND_REL_DEFAULT;
    m->relief = RA_RELIEF_TAX_AWARE;
    m->cash_reserve = RA_RULE_CASH_RESERVE_DEFAULT;
    m->gain_budget_minor = -1;
}

ra_status ra_rule_drift_band_check(double x, ra_err *err)
{
    if (!(x > 0.0 && x <= RA_RULE_DRIFT_BAND_MAX))
        return ra_err_set(err, RA_EINVAL, "drift_band", "drift_band %g is outside (0, %g]", x,
                          RA_RULE_DRIFT_BAND_MAX);
    return RA_OK;
}

ra_status ra_rule_loss_limit_check(double x, ra_err *err)
{
    if (!(x > 0.0 && x <= RA_RULE_LOSS_LIMIT_MAX))
        return ra_err_set(err, RA_EINVAL, "loss_limit", "loss_limit %g is outside (0, %g]", x,
                          RA_RULE_LOSS_LIMIT_MAX);
    return RA_OK;
}

ra_status ra_rule_cash_reserve_check(double x, ra_err *err)
{
    if (!(x >= 0.0 && x < 1.0))
        return ra_err_set(err, RA_EINVAL, "cash_reserve", "cash_reserve %g is outside [0, 1)", x);
    return RA_OK;
}

int ra_rule_code_byte(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

ra_status ra_rule_code_check(const char *s, size_t n, const char *what, ra_err *err)
{
    if (!what)
        what = "code";
    if (n == 0)
        return ra_err_set(err, RA_EINVAL, what, "%s is empty", what);
    if (n >= RA_CODE_MAX)
        return ra_err_set(err, RA_EINVAL, what, "%s is longer than %d bytes", what,
                          RA_CODE_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!ra_rule_code_byte(s[i]))
            return ra_err_set(err, RA_EINVAL, what,
                              "%s may hold only letters, digits, '.', '-' and '_'", what);
    return RA_OK;
}

/* restrictions: codes joined by ';' (the accounts format stores them so) */
static ra_status restrictions_check(const char *s, ra_err *err)
{
    size_t n = strnlen(s, RA_NAME_MAX);
    if (n == RA_NAME_MAX)
        return ra_err_set(err, RA_EINVAL, "restrictions", "restrictions are longer than %d bytes",
                          RA_NAME_MAX - 1);
    for (size_t b = 0; b < n;) {
        size_t e = b;
        while (e < n && s[e] != ';')
            e++;
        if (ra_rule_code_check(s + b, e - b, "a restriction", err) != RA_OK)
            return RA_EINVAL;
        b = e + 1;
        if (e < n && b == n)
            return ra_err_set(err, RA_EINVAL, "restrictions", "restrictions end with ';'");
    }
    return RA_OK;
}

ra_status ra_rule_mandate_validate(const ra_mandate *m, ra_err *err)
{
    size_t ml = strnlen(m->model, RA_CODE_MAX);
    if (ml > 0 && ra_rule_code_check(m->model, ml, "model", err) != RA_OK)
        return RA_EINVAL;
    if (m->discretionary != 0 && m->discretionary != 1)
        return ra_err_set(err, RA_EINVAL, "discretionary", "discretionary %d is not 0 or 1",
                          m->discretionary);
    if (m->tlh_enabled != 0 && m->tlh_enabled != 1)
        return ra_err_set(err, RA_EINVAL, "tlh", "tlh %d is not 0 or 1", m->tlh_enabled);
    ra_status rc = ra_rule_drift_band_check(m->drift_band, err);
    if (rc == RA_OK)
        rc = ra_rule_loss_limit_check(m->loss_limit, err);
    if (rc == RA_OK)
        rc = restrictions_check(m->restrictions, err);
    if (rc == RA_OK)
        rc = ra_rule_mandate_extra_validate(m, err);
    return rc;
}

ra_status ra_rule_currency_check(const char *s, size_t n, ra_err *err)
{
    int ok = n == 3;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= 'A' && s[i] <= 'Z';
    if (!ok)
        return ra_err_set(err, RA_EINVAL, "currency",
                          "currency must be 3 capital letters (ISO 4217, e.g. USD)");
    return RA_OK;
}

/* ISO 4217 (list of 2024): the active codes whose minor unit is 0 or 3; every other is 2. */
int ra_rule_currency_minor_digits(const char *code)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                       "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
                                       "XPF"};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(code, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(code, three[i]) == 0)
            return 3;
    return 2;
}

ra_status ra_rule_minor_digits_check(int digits, ra_err *err)
{
    if (digits != 0 && digits != 2 && digits != 3)
        return ra_err_set(err, RA_EINVAL, "minor_digits", "minor digits must be 0, 2 or 3, got %d",
                          digits);
    return RA_OK;
}

ra_status ra_rule_split_ratio_check(const ra_ratio *r, ra_err *err)
{
    if (!(r->num >= 1 && r->num <= RA_RULE_SPLIT_TERM_MAX && r->den >= 1 &&
          r->den <= RA_RULE_SPLIT_TERM_MAX))
        return ra_err_set(err, RA_EINVAL, "ratio",
                          "split ratio %lld/%lld is not N/D with both terms in 1..%lld",
                          (long long)r->num, (long long)r->den,
                          (long long)RA_RULE_SPLIT_TERM_MAX);
    ra_ratio lowest = *r; /* ra_money_ratio_check reduces it */
    if (ra_money_ratio_check(&lowest, NULL) != RA_OK || lowest.num != r->num)
        return ra_err_set(err, RA_EINVAL, "ratio", "split ratio %lld/%lld is not in lowest terms",
                          (long long)r->num, (long long)r->den);
    return RA_OK;
}

/* Length of the UTF-8 sequence at s[0..n) (1..4), or 0 if it is not a valid one (RFC 3629
 * table 3-7 of Unicode: the second byte's range depends on the first). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

int ra_rule_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (!l) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += l;
    }
    return 1;
}

ra_status ra_rule_text_check(const char *s, size_t n, size_t cap, const char *what, ra_err *err)
{
    if (!what)
        what = "text";
    if (cap && n >= cap)
        return ra_err_set(err, RA_EINVAL, what, "%s is longer than %zu bytes", what, cap - 1);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (!l)
            return ra_err_set(err, RA_EINVAL, what, "%s is not valid UTF-8 at byte %zu", what,
                              i + 1);
        /* C0, DEL and the C1 controls U+0080..U+009F (C2 80..C2 9F) */
        if ((l == 1 && (u[i] < 0x20 || u[i] == 0x7F)) || (l == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0))
            return ra_err_set(err, RA_EINVAL, what, "%s holds a control character at byte %zu",
                              what, i + 1);
        i += l;
    }
    return RA_OK;
}

ra_status ra_rule_email_check(const char *s, size_t n, ra_err *err)
{
    const char *at = n ? memchr(s, '@', n) : NULL;
    size_t local = at ? (size_t)(at - s) : 0, dom = at ? n - local - 1 : 0;
    int ok = at && local >= 1 && local <= RA_RULE_EMAIL_LOCAL_MAX && dom >= 1 &&
             dom <= RA_RULE_EMAIL_DOMAIN_MAX && !memchr(at + 1, '@', dom) &&
             ra_rule_utf8_valid(s, n, NULL);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        ok = c > 0x20 && c != 0x7F && !strchr("\"(),:;<>[\\]", c);
    }
    /* the domain: labels of letters, digits, '-' or UTF-8, not empty, at least two */
    size_t label = 0, dots = 0;
    for (size_t i = local + 1; ok && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            ok = label > 0;
            label = 0;
            dots++;
        } else {
            ok = c >= 0x80 || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z');
            label++;
        }
    }
    if (!ok || label == 0 || dots == 0)
        return ra_err_set(err, RA_EINVAL, "email",
                          "email is not an address of the form name@domain.tld");
    return RA_OK;
}

static ra_status code_or_empty(const char *s, const char *what, ra_err *err)
{
    size_t n = strnlen(s, RA_CODE_MAX);
    return n ? ra_rule_code_check(s, n, what, err) : RA_OK;
}

ra_status ra_rule_client_validate(const ra_client *c, ra_err *err)
{
    ra_status rc = ra_rule_code_check(c->code, strnlen(c->code, RA_CODE_MAX), "code", err);
    if (rc == RA_OK)
        rc = ra_rule_code_check(c->household, strnlen(c->household, RA_CODE_MAX), "household",
                                err);
    if (rc == RA_OK)
        rc = code_or_empty(c->advisor, "advisor", err);
    const char *const names[] = {"name", "email", "tax_id", "address"};
    const char *const vals[] = {c->name, c->email, c->tax_id, c->address};
    for (int i = 0; rc == RA_OK && i < 4; i++)
        rc = ra_rule_text_check(vals[i], strnlen(vals[i], RA_PII_MAX), RA_PII_MAX, names[i], err);
    if (rc == RA_OK && c->email[0])
        rc = ra_rule_email_check(c->email, strlen(c->email), err);
    if (rc == RA_OK && c->birth_year != 0 &&
        (c->birth_year < RA_RULE_BIRTH_YEAR_MIN || c->birth_year > RA_RULE_BIRTH_YEAR_MAX))
        rc = ra_err_set(err, RA_EINVAL, "birth_year", "birth_year %d is outside [%d, %d]",
                        c->birth_year, RA_RULE_BIRTH_YEAR_MIN, RA_RULE_BIRTH_YEAR_MAX);
    return rc;
}

int ra_rule_mandate_equal(const ra_mandate *a, const ra_mandate *b)
{
    return strcmp(a->model, b->model) == 0 && a->discretionary == b->discretionary &&
           a->drift_band == b->drift_band && a->tlh_enabled == b->tlh_enabled &&
           a->loss_limit == b->loss_limit && strcmp(a->restrictions, b->restrictions) == 0 &&
           a->band_rel == b->band_rel && a->to_band_edge == b->to_band_edge &&
           a->buy_only == b->buy_only && a->relief == b->relief &&
           a->cash_reserve == b->cash_reserve && a->min_trade_minor == b->min_trade_minor &&
           a->reinvest_dividends == b->reinvest_dividends && a->fractional == b->fractional &&
           a->gain_budget_minor == b->gain_budget_minor &&
           a->client_confirm == b->client_confirm && a->risk_level == b->risk_level &&
           a->objective == b->objective && strcmp(a->fee_schedule, b->fee_schedule) == 0 &&
           strcmp(a->rules, b->rules) == 0 && a->risk_aversion == b->risk_aversion &&
           a->te_penalty == b->te_penalty && a->turnover_penalty == b->turnover_penalty &&
           a->cvar_limit == b->cvar_limit;
}

int ra_rule_account_equal(const ra_account *a, const ra_account *b)
{
    return strcmp(a->code, b->code) == 0 && strcmp(a->client, b->client) == 0 &&
           a->type == b->type && strcmp(a->currency, b->currency) == 0 && a->opened == b->opened &&
           ra_rule_mandate_equal(&a->mandate, &b->mandate);
}

int ra_rule_security_equal(const ra_security *a, const ra_security *b)
{
    return strcmp(a->ticker, b->ticker) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->asset_class, b->asset_class) == 0 && a->risk_level == b->risk_level &&
           a->expense_ratio == b->expense_ratio && a->lot_size == b->lot_size &&
           strcmp(a->exchange, b->exchange) == 0 && strcmp(a->currency, b->currency) == 0 &&
           strcmp(a->tlh_group, b->tlh_group) == 0 && !a->on_shelf == !b->on_shelf &&
           !a->incomplete == !b->incomplete && strcmp(a->board, b->board) == 0 &&
           strcmp(a->kind, b->kind) == 0 && a->tick == b->tick &&
           a->fractional == b->fractional && strcmp(a->settlement, b->settlement) == 0 &&
           a->adv == b->adv;
}

int ra_rule_client_equal(const ra_client *a, const ra_client *b)
{
    return strcmp(a->code, b->code) == 0 && strcmp(a->household, b->household) == 0 &&
           strcmp(a->advisor, b->advisor) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->email, b->email) == 0 && strcmp(a->tax_id, b->tax_id) == 0 &&
           strcmp(a->address, b->address) == 0 && a->birth_year == b->birth_year;
}

int ra_rule_advisor_equal(const ra_advisor *a, const ra_advisor *b)
{
    return strcmp(a->code, b->code) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->email, b->email) == 0;
}

int ra_rule_agent_params_equal(const ra_agent_params *a, const ra_agent_params *b)
{
    return a->risk_level == b->risk_level && a->objective == b->objective &&
           a->drift_band == b->drift_band && a->tlh == b->tlh && a->loss_limit == b->loss_limit &&
           a->cash_reserve == b->cash_reserve;
}
