/* Statements: the catalogue lookup, numbers and dates per language, and the byte buffer the
 * renderers write into (src/io/stmt_int.h). */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const msg_names[M_N] = {
#define RA_STMT_MSG_NAME(k) #k,
    RA_STMT_MSGS(RA_STMT_MSG_NAME)
#undef RA_STMT_MSG_NAME
};

const char *ra_stmt_msg(ra_stmt_lang lang, ra_stmt_msg_key key)
{
    if ((unsigned)key >= M_N)
        return "";
    const char *s = lang == RA_STMT_ZH_CN ? ra_stmt_msgs_zh_cn[key] : ra_stmt_msgs_en[key];
    return s ? s : "";
}

const char *ra_stmt_msg_name(ra_stmt_msg_key key)
{
    return (unsigned)key < M_N ? msg_names[key] : "";
}

ra_status ra_stmt_lang_parse(const char *s, ra_stmt_lang *out, ra_err *err)
{
    if (s && strcmp(s, "en") == 0)
        *out = RA_STMT_EN;
    else if (s && strcmp(s, "zh-CN") == 0)
        *out = RA_STMT_ZH_CN;
    else
        return ra_err_set(err, RA_EINVAL, NULL, "a language is en or zh-CN, not \"%s\"",
                          s ? s : "");
    return RA_OK;
}

/* Groups the integer digits of the decimal text in[] by thousands with ',' (both languages:
 * GB/T 15835 and the English convention agree on the separator for amounts). */
static char *group(const char *in, char buf[RA_STMT_FMT_SIZE])
{
    const char *p = in;
    size_t o = 0;
    if (*p == '-')
        buf[o++] = *p++;
    size_t ndig = strcspn(p, ".");
    for (size_t i = 0; i < ndig && o < RA_STMT_FMT_SIZE - 2; i++) {
        if (i && (ndig - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    snprintf(buf + o, RA_STMT_FMT_SIZE - o, "%s", p + ndig);
    return buf;
}

char *ra_stmt_format_money(ra_stmt_lang lang, ra_minor v, int minor_digits,
                           char buf[RA_STMT_FMT_SIZE])
{
    (void)lang;
    char tmp[RA_STMT_FMT_SIZE];
    ra_money_format_minor(v, minor_digits, tmp, sizeof tmp);
    return group(tmp, buf);
}

char *ra_stmt_format_qty(ra_stmt_lang lang, ra_micro q, char buf[RA_STMT_FMT_SIZE])
{
    (void)lang;
    char tmp[RA_STMT_FMT_SIZE];
    ra_money_format_qty(q, tmp, sizeof tmp);
    char *dot = strchr(tmp, '.');
    if (dot) {
        size_t n = strlen(tmp);
        while (n > 0 && tmp[n - 1] == '0')
            tmp[--n] = 0;
        if (n > 0 && tmp[n - 1] == '.')
            tmp[--n] = 0;
    }
    return group(tmp, buf);
}

char *ra_stmt_format_pct(ra_stmt_lang lang, double x, int decimals, char buf[RA_STMT_FMT_SIZE])
{
    if (!isfinite(x)) {
        snprintf(buf, RA_STMT_FMT_SIZE, "%s", ra_stmt_msg(lang, M_NOT_AVAILABLE));
        return buf;
    }
    if (decimals < 0 || decimals > 6)
        decimals = 2;
    char tmp[RA_STMT_FMT_SIZE];
    double v = x * 100.0;
    snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    if (strspn(tmp, "-0.") == strlen(tmp) && tmp[0] == '-') /* no "-0.00" */
        memmove(tmp, tmp + 1, strlen(tmp));
    group(tmp, buf);
    size_t n = strlen(buf);
    if (n + 1 < RA_STMT_FMT_SIZE) {
        buf[n] = '%';
        buf[n + 1] = 0;
    }
    return buf;
}

char *ra_stmt_format_date(ra_stmt_lang lang, ra_date d, char buf[RA_STMT_FMT_SIZE])
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!d) {
        snprintf(buf, RA_STMT_FMT_SIZE, "-");
        return buf;
    }
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    if (lang == RA_STMT_ZH_CN)
        snprintf(buf, RA_STMT_FMT_SIZE, "%d年%d月%d日", y, m, dd);
    else
        snprintf(buf, RA_STMT_FMT_SIZE, "%d %s %d", dd, mon[(m - 1) % 12], y);
    return buf;
}

/* --- the byte buffer ---------------------------------------------------------------------------- */

void stmt_buf_add(stmt_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = ra_realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void stmt_buf_puts(stmt_buf *b, const char *s)
{
    stmt_buf_add(b, s, strlen(s));
}

void stmt_buf_printf(stmt_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        stmt_buf_add(b, tmp, (size_t)n);
        return;
    }
    char *big = ra_malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    stmt_buf_add(b, big, (size_t)n);
    ra_free(big);
}

ra_status stmt_buf_take(stmt_buf *b, char **out, size_t *len, ra_err *err)
{
    if (b->oom || !b->p) {
        ra_free(b->p);
        memset(b, 0, sizeof *b);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the document");
    }
    *out = b->p;
    *len = b->len;
    memset(b, 0, sizeof *b);
    return RA_OK;
}

char *stmt_fill(const char *tmpl, const char *const *args, size_t n)
{
    stmt_buf b = {0};
    for (const char *p = tmpl; *p;) {
        if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
            size_t k = (size_t)(p[1] - '0');
            if (k < n && args[k])
                stmt_buf_puts(&b, args[k]);
            p += 3;
            continue;
        }
        size_t run = strcspn(p + 1, "{") + 1;
        stmt_buf_add(&b, p, run);
        p += run;
    }
    if (!b.p)
        stmt_buf_add(&b, "", 0);
    if (b.oom) {
        ra_free(b.p);
        return NULL;
    }
    return b.p;
}

/* --- the models' memory ------------------------------------------------------------------------ */

void ra_statement_clear(ra_statement *st)
{
    if (!st)
        return;
    ra_free(st->series);
    ra_free(st->holdings);
    ra_free(st->classes);
    ra_free(st->txns);
    ra_free(st->fees);
    ra_free(st->sales);
    ra_free(st->alerts);
    ra_free(st->suspensions);
    memset(st, 0, sizeof *st);
}

void ra_tax_report_clear(ra_tax_report *r)
{
    if (!r)
        return;
    ra_free(r->rows);
    memset(r, 0, sizeof *r);
}

void ra_firm_report_clear(ra_firm_report *r)
{
    if (!r)
        return;
    ra_free(r->rows);
    memset(r, 0, sizeof *r);
}
