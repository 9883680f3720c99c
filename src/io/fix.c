/* FIX 4.4 tag=value framing, NewOrderSingle out, ExecutionReport in: include/roboadvisor/fix.h,
 * docs/formats.md#fix. Framing per the FIX 4.4 specification, volume 1 ("Message format"):
 * BeginString (8), BodyLength (9) = the bytes after the SOH ending 9= up to and including the SOH
 * before 10=, CheckSum (10) = the sum of every byte before 10= mod 256, three digits. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/fix.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *tag_name(int tag)
{
    switch (tag) {
    case 1: return "Account";
    case 6: return "AvgPx";
    case 8: return "BeginString";
    case 9: return "BodyLength";
    case 10: return "CheckSum";
    case 11: return "ClOrdID";
    case 14: return "CumQty";
    case 17: return "ExecID";
    case 21: return "HandlInst";
    case 31: return "LastPx";
    case 32: return "LastQty";
    case 34: return "MsgSeqNum";
    case 35: return "MsgType";
    case 38: return "OrderQty";
    case 39: return "OrdStatus";
    case 40: return "OrdType";
    case 44: return "Price";
    case 49: return "SenderCompID";
    case 52: return "SendingTime";
    case 54: return "Side";
    case 55: return "Symbol";
    case 56: return "TargetCompID";
    case 60: return "TransactTime";
    case 78: return "NoAllocs";
    case 79: return "AllocAccount";
    case 80: return "AllocQty";
    case 150: return "ExecType";
    case 151: return "LeavesQty";
    default: return "field";
    }
}

static ra_status perr(ra_err *err, const char *name, size_t msg_no, int tag, size_t offset,
                      const char *fmt, ...) RA_PRINTF(6, 7);
static ra_status perr(ra_err *err, const char *name, size_t msg_no, int tag, size_t offset,
                      const char *fmt, ...)
{
    if (!err)
        return RA_EPARSE;
    char where[sizeof err->where];
    if (tag > 0)
        snprintf(where, sizeof where, "%s:%zu:%d (%s)", name ? name : "fix", msg_no, tag,
                 tag_name(tag));
    else
        snprintf(where, sizeof where, "%s:%zu", name ? name : "fix", msg_no);
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ra_err_set(err, RA_EPARSE, where, "%s (byte %zu)", msg, offset);
}

/* One "tag=value<SOH>" at data[*pos..size): tag and value out, *pos after the SOH. */
static ra_status field_at(const char *data, size_t size, size_t *pos, int *tag, const char **val,
                          size_t *len, const char *name, size_t msg_no, ra_err *err)
{
    size_t p = *pos, start = p;
    long t = 0;
    while (p < size && data[p] >= '0' && data[p] <= '9' && p - start < 9)
        t = t * 10 + (data[p++] - '0');
    if (p == start || p >= size || data[p] != '=' || t <= 0 || data[start] == '0')
        return perr(err, name, msg_no, 0, start, "expected a tag (a positive number) and '='");
    p++;
    size_t vs = p;
    while (p < size && data[p] != RA_FIX_SOH)
        p++;
    if (p >= size)
        return perr(err, name, msg_no, (int)t, vs, "the field does not end with SOH");
    if (p == vs)
        return perr(err, name, msg_no, (int)t, vs, "the value is empty");
    *tag = (int)t;
    *val = data + vs;
    *len = p - vs;
    *pos = p + 1;
    return RA_OK;
}

static int is_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

ra_status ra_fix_parse(const char *data, size_t size, const char *name, size_t msg_no,
                       ra_fix_msg *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    if (size > RA_FIX_MAX_MSG)
        size = RA_FIX_MAX_MSG;
    size_t pos = 0;
    int tag;
    const char *v;
    size_t n;
    ra_status rc = field_at(data, size, &pos, &tag, &v, &n, name, msg_no, err);
    if (rc != RA_OK)
        return rc;
    if (tag != 8 || n >= sizeof out->begin || strncmp(v, "FIX.", 4) != 0)
        return perr(err, name, msg_no, 8, 0, "a message begins with 8=FIX.x.y");
    memcpy(out->begin, v, n);
    size_t at9 = pos;
    if ((rc = field_at(data, size, &pos, &tag, &v, &n, name, msg_no, err)) != RA_OK)
        return rc;
    if (tag != 9 || !is_digits(v, n) || n > 6)
        return perr(err, name, msg_no, 9, at9, "the second field is BodyLength (9), a number");
    size_t body = 0;
    for (size_t i = 0; i < n; i++)
        body = body * 10 + (size_t)(v[i] - '0');
    size_t body_start = pos, body_end = pos + body;
    /* the trailer: "10=NNN<SOH>" right after the body */
    if (body_end + 7 > size || memcmp(data + body_end, "10=", 3) != 0 ||
        data[body_end + 6] != RA_FIX_SOH || !is_digits(data + body_end + 3, 3))
        return perr(err, name, msg_no, 9, at9,
                    "BodyLength %zu does not end where CheckSum (10=NNN) begins", body);
    unsigned sum = 0;
    for (size_t i = 0; i < body_end; i++)
        sum += (unsigned char)data[i];
    unsigned want = (unsigned)((data[body_end + 3] - '0') * 100 + (data[body_end + 4] - '0') * 10 +
                               (data[body_end + 5] - '0'));
    if (sum % 256 != want)
        return perr(err, name, msg_no, 10, body_end, "CheckSum is %03u, the bytes sum to %03u",
                    want, sum % 256);
    out->size = body_end + 7;
    size_t at35 = pos;
    if ((rc = field_at(data, body_end, &pos, &tag, &v, &n, name, msg_no, err)) != RA_OK)
        return rc;
    if (tag != 35 || n >= sizeof out->type)
        return perr(err, name, msg_no, 35, at35, "the third field is MsgType (35)");
    memcpy(out->type, v, n);
    while (pos < body_end) {
        if (out->n == RA_FIX_MAX_FIELDS)
            return perr(err, name, msg_no, 0, pos, "more than %d fields", RA_FIX_MAX_FIELDS);
        size_t at = pos;
        if ((rc = field_at(data, body_end, &pos, &tag, &v, &n, name, msg_no, err)) != RA_OK)
            return rc;
        if (tag == 8 || tag == 9 || tag == 10 || tag == 35)
            return perr(err, name, msg_no, tag, at, "the field may appear only in the header or "
                        "trailer");
        out->f[out->n++] = (ra_fix_field){tag, v, n};
    }
    (void)body_start;
    return RA_OK;
}

const ra_fix_field *ra_fix_get(const ra_fix_msg *m, int tag)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->f[i].tag == tag)
            return &m->f[i];
    return NULL;
}

/* ---- encoding ------------------------------------------------------------------------------- */

typedef struct wbuf {
    char *p;
    size_t cap, len;
    int full;
} wbuf;

static void put(wbuf *b, const char *fmt, ...) RA_PRINTF(2, 3);
static void put(wbuf *b, const char *fmt, ...)
{
    if (b->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= b->cap - b->len)
        b->full = 1;
    else
        b->len += (size_t)k;
}

/* A decimal with at most 6 places, trailing zeros dropped ("15", "10.25"). */
static const char *dec6(int64_t v, char buf[32])
{
    ra_money_format_decimal(v, 6, buf, 32);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    return buf;
}

/* UTCTimestamp YYYYMMDD-HH:MM:SS */
static const char *utc(int64_t t, char buf[24])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t s = t - days * 86400;
    int y, m, d;
    ra_date_to_ymd((ra_date)days, &y, &m, &d);
    snprintf(buf, 24, "%04d%02d%02d-%02d:%02d:%02d", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
             (int)(s % 60));
    return buf;
}

static int id_ok(const char *s)
{
    if (!s[0])
        return 0;
    for (const char *p = s; *p; p++)
        if (*p == RA_FIX_SOH || *p == '=' || (unsigned char)*p < 0x20)
            return 0;
    return 1;
}

static ra_status bad(ra_err *err, int tag, const char *msg)
{
    char where[64];
    snprintf(where, sizeof where, "order:%d (%s)", tag, tag_name(tag));
    return ra_err_set(err, RA_EINVAL, where, "%s", msg);
}

ra_status ra_fix_encode_order(const ra_fix_order *o, char *buf, size_t cap, size_t *len,
                              ra_err *err)
{
    *len = 0;
    if (!id_ok(o->sender))
        return bad(err, 49, "the sender id is empty or holds SOH, '=' or a control character");
    if (!id_ok(o->target))
        return bad(err, 56, "the target id is empty or holds SOH, '=' or a control character");
    if (!id_ok(o->cl_ord_id))
        return bad(err, 11, "the order id is empty or holds SOH, '=' or a control character");
    if (!id_ok(o->symbol))
        return bad(err, 55, "the symbol is empty or holds SOH, '=' or a control character");
    if (o->handl_inst && (o->handl_inst < '1' || o->handl_inst > '3'))
        return bad(err, 21, "HandlInst is 1, 2 or 3");
    if (o->side != 1 && o->side != -1)
        return bad(err, 54, "the side is neither buy nor sell");
    if (o->qty_micro <= 0)
        return bad(err, 38, "the quantity is not above zero");
    if (o->limit < 0)
        return bad(err, 44, "the limit price is negative");
    if (o->account[0] && !id_ok(o->account))
        return bad(err, 1, "the account holds SOH, '=' or a control character");
    if (o->n_allocs > RA_FIX_MAX_ALLOCS)
        return bad(err, 78, "too many allocations");
    ra_micro alloc_sum = 0;
    for (size_t i = 0; i < o->n_allocs; i++) {
        if (!id_ok(o->allocs[i].account))
            return bad(err, 79, "an allocation account is empty or holds SOH or '='");
        if (o->allocs[i].qty_micro <= 0)
            return bad(err, 80, "an allocation quantity is not above zero");
        alloc_sum += o->allocs[i].qty_micro;
    }
    if (o->n_allocs && alloc_sum != o->qty_micro)
        return bad(err, 80, "the allocations do not sum to the order quantity");
    /* the body first, after a gap for the header, then the header and the trailer around it */
    char body[8192];
    wbuf b = {body, sizeof body, 0, 0};
    char t1[24], t2[24], q[32];
    put(&b, "35=D\x01" "49=%s\x01" "56=%s\x01" "34=%llu\x01" "52=%s\x01", o->sender, o->target,
        (unsigned long long)o->seq, utc(o->sending_time, t1));
    if (o->account[0])
        put(&b, "1=%s\x01", o->account);
    put(&b, "11=%s\x01", o->cl_ord_id);
    if (o->handl_inst)
        put(&b, "21=%c\x01", o->handl_inst);
    if (o->n_allocs) {
        put(&b, "78=%zu\x01", o->n_allocs);
        for (size_t i = 0; i < o->n_allocs; i++)
            put(&b, "79=%s\x01" "80=%s\x01", o->allocs[i].account, dec6(o->allocs[i].qty_micro, q));
    }
    put(&b, "55=%s\x01" "54=%c\x01" "60=%s\x01", o->symbol, o->side > 0 ? '1' : '2',
        utc(o->transact_time, t2));
    put(&b, "38=%s\x01", dec6(o->qty_micro, q));
    if (o->limit > 0)
        put(&b, "40=2\x01" "44=%s\x01", dec6(o->limit, q));
    else
        put(&b, "40=1\x01");
    if (b.full)
        return bad(err, 35, "the message is too long");
    return ra_fix_frame("FIX.4.4", body, b.len, buf, cap, len, err);
}

ra_status ra_fix_frame(const char *begin, const char *body, size_t body_len, char *buf,
                       size_t cap, size_t *len, ra_err *err)
{
    *len = 0;
    if (!begin || strncmp(begin, "FIX", 3) != 0 || !id_ok(begin))
        return bad(err, 8, "BeginString is not FIX.x.y");
    if (body_len < 5 || memcmp(body, "35=", 3) != 0 || body[body_len - 1] != RA_FIX_SOH)
        return bad(err, 35, "a body begins with 35= and ends with SOH");
    wbuf w = {buf, cap, 0, 0};
    put(&w, "8=%s\x01" "9=%zu\x01", begin, body_len);
    if (!w.full && w.len + body_len < cap) {
        memcpy(buf + w.len, body, body_len);
        w.len += body_len;
        buf[w.len] = '\0';
    } else
        w.full = 1;
    unsigned sum = 0;
    for (size_t i = 0; !w.full && i < w.len; i++)
        sum += (unsigned char)buf[i];
    put(&w, "10=%03u\x01", sum % 256);
    if (w.full)
        return ra_err_set(err, RA_EINVAL, NULL, "the buffer of %zu bytes is too small", cap);
    *len = w.len;
    return RA_OK;
}

/* ---- ExecutionReport ------------------------------------------------------------------------ */

static ra_status copy_id(const ra_fix_msg *m, int tag, int required, char *dst, size_t cap,
                         const char *name, size_t msg_no, ra_err *err)
{
    const ra_fix_field *f = ra_fix_get(m, tag);
    dst[0] = '\0';
    if (!f)
        return required ? perr(err, name, msg_no, tag, 0, "the field is missing") : RA_OK;
    if (f->len >= cap)
        return perr(err, name, msg_no, tag, 0, "the value is longer than %zu bytes", cap - 1);
    memcpy(dst, f->value, f->len);
    dst[f->len] = '\0';
    return RA_OK;
}

static ra_status number(const ra_fix_msg *m, int tag, int price, int64_t *out, const char *name,
                        size_t msg_no, ra_err *err)
{
    *out = 0;
    const ra_fix_field *f = ra_fix_get(m, tag);
    if (!f)
        return RA_OK;
    ra_status rc = price ? ra_money_parse_price(f->value, f->len, out, NULL)
                         : ra_money_parse_qty(f->value, f->len, out, NULL);
    if (rc != RA_OK || *out < 0)
        return perr(err, name, msg_no, tag, 0,
                    "not a non-negative decimal with at most 6 places");
    return RA_OK;
}

/* UTCTimestamp YYYYMMDD-HH:MM:SS[.sss] -> Unix seconds */
static ra_status when(const ra_fix_msg *m, int tag, int64_t *out, const char *name, size_t msg_no,
                      ra_err *err)
{
    *out = 0;
    const ra_fix_field *f = ra_fix_get(m, tag);
    if (!f)
        return RA_OK;
    const char *s = f->value;
    if (f->len < 17 || s[8] != '-' || s[11] != ':' || s[14] != ':' || !is_digits(s, 8) ||
        !is_digits(s + 9, 2) || !is_digits(s + 12, 2) || !is_digits(s + 15, 2))
        return perr(err, name, msg_no, tag, 0, "not a UTC timestamp YYYYMMDD-HH:MM:SS");
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mo = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
    int hh = (s[9] - '0') * 10 + (s[10] - '0'), mm = (s[12] - '0') * 10 + (s[13] - '0');
    int ss = (s[15] - '0') * 10 + (s[16] - '0');
    if (!ra_date_valid(y, mo, d) || hh > 23 || mm > 59 || ss > 60)
        return perr(err, name, msg_no, tag, 0, "not a UTC timestamp YYYYMMDD-HH:MM:SS");
    *out = (int64_t)ra_date_from_ymd(y, mo, d) * 86400 + hh * 3600 + mm * 60 + ss;
    return RA_OK;
}

ra_status ra_fix_fill_from(const ra_fix_msg *m, const char *name, size_t msg_no, ra_fix_fill *out,
                           ra_err *err)
{
    memset(out, 0, sizeof *out);
    if (strcmp(m->type, "8") != 0)
        return ra_err_set(err, RA_EINVAL, NULL, "message %zu is of type %s, not an "
                          "ExecutionReport (8)", msg_no, m->type);
    ra_status rc = copy_id(m, 11, 1, out->cl_ord_id, sizeof out->cl_ord_id, name, msg_no, err);
    if (rc == RA_OK)
        rc = copy_id(m, 17, 1, out->exec_id, sizeof out->exec_id, name, msg_no, err);
    if (rc == RA_OK)
        rc = copy_id(m, 55, 1, out->symbol, sizeof out->symbol, name, msg_no, err);
    const int single[2] = {150, 39};
    for (int k = 0; rc == RA_OK && k < 2; k++) {
        const ra_fix_field *f = ra_fix_get(m, single[k]);
        if (!f || f->len != 1)
            rc = perr(err, name, msg_no, single[k], 0, "the field is missing or not one character");
        else if (k == 0)
            out->exec_type = f->value[0];
        else
            out->ord_status = f->value[0];
    }
    if (rc == RA_OK) {
        const ra_fix_field *f = ra_fix_get(m, 54);
        if (!f || f->len != 1 || (f->value[0] != '1' && f->value[0] != '2'))
            rc = perr(err, name, msg_no, 54, 0, "the side is missing or neither 1 (buy) nor 2 "
                      "(sell)");
        else
            out->side = f->value[0] == '1' ? 1 : -1;
    }
    if (rc == RA_OK)
        rc = number(m, 32, 0, &out->last_qty_micro, name, msg_no, err);
    if (rc == RA_OK)
        rc = number(m, 31, 1, &out->last_px, name, msg_no, err);
    if (rc == RA_OK)
        rc = number(m, 14, 0, &out->cum_qty_micro, name, msg_no, err);
    if (rc == RA_OK)
        rc = number(m, 151, 0, &out->leaves_qty_micro, name, msg_no, err);
    if (rc == RA_OK)
        rc = number(m, 6, 1, &out->avg_px, name, msg_no, err);
    if (rc == RA_OK)
        rc = when(m, 60, &out->transact_time, name, msg_no, err);
    return rc;
}

/* ---- a file of ExecutionReports ----------------------------------------------------------- */

static int is_trade(char exec_type)
{
    return exec_type == 'F' || exec_type == '1' || exec_type == '2';
}

static int is_space(char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; }

ra_status ra_fix_trades_parse(const char *data, size_t size, const char *name, ra_fix_trade **out,
                              size_t *n, size_t *n_msgs, ra_err *err)
{
    *out = NULL;
    *n = *n_msgs = 0;
    ra_fix_msg *m = ra_malloc(sizeof *m);
    if (!m)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a FIX message");
    ra_fix_trade *v = NULL;
    size_t pos = 0, cap = 0, msg_no = 0, k = 0;
    ra_status rc = RA_OK;
    while (rc == RA_OK) {
        while (pos < size && is_space(data[pos]))
            pos++;
        if (pos >= size)
            break;
        msg_no++;
        if ((rc = ra_fix_parse(data + pos, size - pos, name, msg_no, m, err)) != RA_OK)
            break;
        pos += m->size;
        ra_fix_fill f;
        rc = ra_fix_fill_from(m, name, msg_no, &f, err);
        if (rc == RA_EINVAL)
            rc = perr(err, name, msg_no, 35, 0, "a fills file holds ExecutionReports (35=8), "
                      "not 35=%s", m->type);
        if (rc != RA_OK || !is_trade(f.exec_type))
            continue;
        if (f.last_qty_micro <= 0)
            rc = perr(err, name, msg_no, 32, 0, "a trade needs a quantity above 0");
        else if (f.last_px <= 0)
            rc = perr(err, name, msg_no, 31, 0, "a trade needs a price above 0");
        else if (!ra_fix_get(m, 14))
            rc = perr(err, name, msg_no, 14, 0, "the field is missing");
        else if (!ra_fix_get(m, 60))
            rc = perr(err, name, msg_no, 60, 0, "the field is missing");
        else if (ra_grow((void **)&v, &cap, k + 1, sizeof *v))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the executions");
        if (rc != RA_OK)
            break;
        v[k].f = f;
        v[k].msg_no = msg_no;
        int64_t t = f.transact_time;
        v[k].date = (ra_date)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
        k++;
    }
    if (rc == RA_OK && msg_no == 0)
        rc = perr(err, name, 0, 0, 0, "the file holds no FIX message");
    ra_free(m);
    if (rc != RA_OK) {
        ra_free(v);
        return rc;
    }
    *out = v;
    *n = k;
    *n_msgs = msg_no;
    return RA_OK;
}
