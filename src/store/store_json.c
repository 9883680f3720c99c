/* roboadvisor store: the direct JSON writer of the audit records the daily cycle writes by the
 * hundred thousand (transactions, ledgers, proposals).
 *
 * Why our own: jansson (the writer of every other record, store_audit.c) builds a tree of
 * allocated nodes, then walks it formatting every integer with snprintf, then frees it; on a
 * cycle day that was a quarter of all the instructions of the run. This writer appends to one
 * growing buffer and produces the text jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(17)) produces for the same members, byte for byte (tests/unit/test_store_json.c
 * compares the two on the records and on edge values): the same escapes, integers in decimal,
 * reals as "%.17g" with ".0" added to an integral value and the exponent's '+' and leading zeros
 * dropped, and a failure (NULL) where jansson fails: text that is not UTF-8, a real that is not
 * finite, out of memory. */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"
#include "roboadvisor/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void grow(rs_jw *w, size_t more)
{
    if (w->failed || w->n + more + 1 <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->n + more + 1)
        cap *= 2;
    char *b = ra_realloc(w->b, cap);
    if (!b) {
        w->failed = 1;
        return;
    }
    w->b = b;
    w->cap = cap;
}

static inline void put(rs_jw *w, const char *s, size_t n)
{
    if (w->n + n + 1 > w->cap)
        grow(w, n);
    if (w->failed)
        return;
    memcpy(w->b + w->n, s, n);
    w->n += n;
    w->b[w->n] = 0;
}

static void put_c(rs_jw *w, char c) { put(w, &c, 1); }

/* The comma before a value and, inside an object, its key. */
static void member(rs_jw *w, const char *k)
{
    if (w->depth < 1 || w->depth > RS_JW_DEPTH) {
        w->failed = 1;
        return;
    }
    if (w->count[w->depth - 1]++)
        put_c(w, ',');
    if (k) {
        rs_jw_text(w, k);
        put_c(w, ':');
    }
}

void rs_jw_text(rs_jw *w, const char *v)
{
    size_t n = 0, bad = 0;
    int plain = 1; /* ASCII without a byte to escape: copied in one go */
    for (; v[n]; n++) {
        unsigned char c = (unsigned char)v[n];
        plain &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    }
    if (plain) {
        grow(w, n + 2);
        put_c(w, '"');
        put(w, v, n);
        put_c(w, '"');
        return;
    }
    if (!ra_rule_utf8_valid(v, n, &bad)) {
        w->failed = 1;
        return;
    }
    grow(w, n + 2);
    put_c(w, '"');
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < n && !w->failed; i++) {
        unsigned char c = (unsigned char)v[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof u, "\\u%04X", c);
                esc = u;
            }
        }
        if (!esc)
            continue;
        put(w, v + run, i - run);
        put(w, esc, strlen(esc));
        run = i + 1;
    }
    put(w, v + run, n - run);
    put_c(w, '"');
}

void rs_jw_open(rs_jw *w, const char *k, char brace)
{
    if (w->depth)
        member(w, k);
    if (w->depth >= RS_JW_DEPTH) {
        w->failed = 1;
        return;
    }
    w->count[w->depth++] = 0;
    put_c(w, brace);
}

void rs_jw_close(rs_jw *w, char brace)
{
    if (w->depth < 1) {
        w->failed = 1;
        return;
    }
    w->depth--;
    put_c(w, brace);
}

void rs_jw_str(rs_jw *w, const char *k, const char *v)
{
    member(w, k);
    rs_jw_text(w, v);
}

size_t rs_i64_text(int64_t n, char *b)
{
    char t[20];
    size_t k = 0, len = 0;
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    do {
        t[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        b[len++] = '-';
    while (k)
        b[len++] = t[--k];
    b[len] = 0;
    return len;
}

void rs_jw_int(rs_jw *w, const char *k, int64_t v)
{
    char t[24];
    size_t len = rs_i64_text(v, t);
    member(w, k);
    put(w, t, len);
}

void rs_jw_dbl(rs_jw *w, const char *k, double v)
{
    if (!isfinite(v)) { /* jansson refuses them too: no JSON for them */
        w->failed = 1;
        return;
    }
    char t[40], o[40];
    snprintf(t, sizeof t, "%.17g", v);
    /* jansson's form: an integral value keeps a ".0"; the exponent loses its '+' and leading
     * zeros ("1e+20" -> "1e20", "1e-05" -> "1e-5") */
    size_t n = 0;
    const char *e = strchr(t, 'e');
    if (!strchr(t, '.') && !e) {
        n = (size_t)snprintf(o, sizeof o, "%s.0", t);
    } else if (e) {
        size_t head = (size_t)(e - t) + 1;
        memcpy(o, t, head);
        n = head;
        const char *p = e + 1;
        if (*p == '+')
            p++;
        else if (*p == '-')
            o[n++] = *p++;
        while (*p == '0' && p[1])
            p++;
        while (*p)
            o[n++] = *p++;
        o[n] = 0;
    } else {
        n = strlen(t);
        memcpy(o, t, n + 1);
    }
    member(w, k);
    put(w, o, n);
}

char *rs_jw_done(rs_jw *w)
{
    char *b = w->b;
    if (w->failed || w->depth || !b) {
        ra_free(b);
        b = NULL;
    }
    memset(w, 0, sizeof *w);
    return b;
}

void rs_jw_members(rs_jw *w, const void *rec, const rs_jfield *f, size_t n)
{
    const char *r = rec;
    for (size_t i = 0; i < n; i++) {
        const char *p = r + f[i].off;
        switch (f[i].kind) {
        case 's': rs_jw_str(w, f[i].name, p); break;
        case 'i': rs_jw_int(w, f[i].name, *(const int *)(const void *)p); break;
        case 'b': rs_jw_int(w, f[i].name, *(const int *)(const void *)p != 0); break;
        case 'I': rs_jw_int(w, f[i].name, *(const int64_t *)(const void *)p); break;
        default: rs_jw_dbl(w, f[i].name, *(const double *)(const void *)p); break;
        }
    }
}

ra_status rs_audit_text(ra_store *s, ra_status rc, const ra_store_actor *actor,
                        const char *action, const char *entity, const char *entity_id,
                        int has_before, char *before, char *after, ra_err *err)
{
    if (rc == RA_OK && ((has_before && !before) || !after))
        rc = sq_nomem(err, "an audit record");
    if (rc == RA_OK)
        rc = rs_audit(s, actor, action, entity, entity_id, before ? before : "null", after, err);
    ra_free(before);
    ra_free(after);
    return rc;
}
