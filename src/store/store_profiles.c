/* roboadvisor: questionnaires, answered questionnaires, profiles, agents and suitability overrides
 * in the store (include/roboadvisor/onboard.h; schema src/store/migrations/0003_profiles.sql).
 * Written against the public store.h API, the driver of db.h and store_int.h (the connection and
 * the audit append), so that every write joins the store's transaction. */
#include "roboadvisor/onboard.h"
#include <roboadvisor/alloc.h>
#include <roboadvisor/store_profiles.h>
#include "store/store_int.h"

#include <roboadvisor/store_mandate.h>

#include <jansson.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_PROFILES 4 /* 0003 creates the tables of this file, 0004 the kind of an override */

/* ---- statements ----------------------------------------------------------------------------- */

typedef struct stmt {
    ra_db *db;
    const ra_db_ops *o;
    ra_db_stmt *st;
} stmt;

static ra_status err_code(const ra_err *err) { return err && err->code != RA_OK ? err->code : RA_EIO; }

/* Prepares sql and binds parameters from fmt (store_int.h: i int64, d double, t text). */
static ra_status prep(ra_store *s, stmt *q, ra_err *err, const char *sql, const char *fmt, ...)
{
    q->db = ra_store_db(s);
    q->o = q->db->ops;
    va_list ap;
    va_start(ap, fmt);
    q->st = sq_vprepare_new(s, err, sql, fmt, ap);
    va_end(ap);
    return q->st ? RA_OK : err_code(err);
}

static void done(stmt *q)
{
    if (q->st)
        q->o->finalize(q->st);
    q->st = NULL;
}

/* RA_DB_ROW, RA_DB_DONE or -1 (err set). */
static int row(stmt *q, ra_err *err) { return q->o->step(q->st, err); }
static int64_t ci(stmt *q, int c) { return q->o->col_int64(q->st, c); }
static double cd(stmt *q, int c) { return q->o->col_double(q->st, c); }
static const char *ct(stmt *q, int c) { return q->o->col_text(q->st, c); }

/* Runs a statement with no result rows to the end and finalizes it. */
static ra_status exec_done(stmt *q, ra_err *err)
{
    int r;
    while ((r = row(q, err)) == RA_DB_ROW)
        ;
    done(q);
    return r < 0 ? err_code(err) : RA_OK;
}

/* One int64 from a single-row query (0 if no row). */
static ra_status one_id(stmt *q, int64_t *id, ra_err *err)
{
    int r = row(q, err);
    *id = r == RA_DB_ROW ? ci(q, 0) : 0;
    done(q);
    return r < 0 ? err_code(err) : RA_OK;
}

static void copy(char *dst, size_t cap, const char *src) { sq_copy(dst, cap, src ? src : ""); }

/* ---- write scopes --------------------------------------------------------------------------- */

static ra_status need_schema(ra_store *s, ra_err *err)
{
    return sq_need_version(s, SCHEMA_PROFILES, "profile", err);
}

/* A transaction of our own, or a savepoint inside the caller's (store_int.h). *own says which. */
static ra_status wbegin(ra_store *s, int *own, ra_err *err)
{
    ra_status rc = need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    return ra_store_scope_begin(s, own, err);
}

/* Ends the write scope (wbegin) with rc; when the write is kept and out is not NULL, *out = v
 * (the id or version the write made). */
static ra_status wend(ra_store *s, int own, ra_status rc, int64_t v, int64_t *out, ra_err *err)
{
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK && out)
        *out = v;
    return rc;
}

/* ---- lookups -------------------------------------------------------------------------------- */

static ra_status firm_id(ra_store *s, const char *firm, int64_t *id, ra_err *err)
{
    return sq_firm_id(s, firm, id, err);
}

/* The ids of a firm and of one of its clients or accounts (owner: OWNER_CLIENT, OWNER_ACCOUNT). */
typedef struct owner_kind {
    const char *sql, *what;
} owner_kind;
static const owner_kind OWNER_CLIENT = {SQ_CLIENT_ID, "client"};
static const owner_kind OWNER_ACCOUNT = {SQ_ACCOUNT_ID, "account"};

static ra_status owner_ids(ra_store *s, const char *firm, const owner_kind *k, const char *code,
                           int64_t *fid, int64_t *id, ra_err *err)
{
    ra_status rc = firm_id(s, firm, fid, err);
    return rc == RA_OK ? sq_id_of(s, k->sql, *fid, code, k->what, id, err) : rc;
}

/* owner_ids for a read: the schema is checked first (a write's wbegin checks it). */
static ra_status owner_ids_read(ra_store *s, const char *firm, const owner_kind *k,
                                const char *code, int64_t *fid, int64_t *id, ra_err *err)
{
    ra_status rc = need_schema(s, err);
    return rc == RA_OK ? owner_ids(s, firm, k, code, fid, id, err) : rc;
}

/* The firm's id, for a read (the schema checked first). */
static ra_status firm_read(ra_store *s, const char *firm, int64_t *fid, ra_err *err)
{
    ra_status rc = need_schema(s, err);
    return rc == RA_OK ? firm_id(s, firm, fid, err) : rc;
}

static ra_status check_actor(const ra_store_actor *a, ra_err *err)
{
    if (!a || !a->user[0] || !a->firm[0])
        return ra_err_set(err, RA_EINVAL, NULL, "no actor (user and firm) given for the audit trail");
    return RA_OK;
}

/* Compact JSON text of v (takes the reference); NULL if out of memory. */
static char *dump(json_t *v)
{
    char *t = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    return t;
}

/* ---- questionnaires ------------------------------------------------------------------------- */

ra_status ra_store_questionnaire_save(ra_store *s, const ra_store_actor *actor, const char *id,
                                      int64_t version, const char *doc, size_t size, int *created,
                                      ra_err *err)
{
    if (created)
        *created = 0;
    ra_status rc = check_actor(actor, err);
    if (rc != RA_OK)
        return rc;
    char *text = malloc(size + 1);
    if (!text)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a questionnaire of %zu bytes",
                          size);
    memcpy(text, doc, size);
    text[size] = 0;
    if (strlen(text) != size) {
        free(text);
        return ra_err_set(err, RA_EPARSE, "$", "the questionnaire contains a NUL byte");
    }
    int own = 0;
    if ((rc = wbegin(s, &own, err)) != RA_OK) {
        free(text);
        return rc;
    }
    int64_t fid = 0, have_id = 0;
    stmt q;
    rc = firm_id(s, actor->firm, &fid, err);
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "SELECT id, doc FROM questionnaires WHERE firm_id = ? AND code = ? AND version = ?",
                  "iti", fid, id, version);
    if (rc == RA_OK) {
        int r = row(&q, err);
        if (r < 0)
            rc = err_code(err);
        else if (r == RA_DB_ROW) {
            have_id = ci(&q, 0);
            if (strcmp(ct(&q, 1), text) != 0)
                rc = ra_err_set(err, RA_ECONFLICT, NULL,
                                "questionnaire %s version %lld is stored with different content: "
                                "give the new document a higher version",
                                id, (long long)version);
        }
        done(&q);
    }
    if (rc == RA_OK && !have_id) {
        rc = prep(s, &q, err,
                  "INSERT INTO questionnaires (firm_id, code, version, doc, created_at) "
                  "VALUES (?, ?, ?, ?, ?)",
                  "ititi", fid, id, version, text, ra_store_now(s));
        if (rc == RA_OK)
            rc = exec_done(&q, err);
        char eid[RA_PROF_MAX_ID + 32];
        snprintf(eid, sizeof eid, "%s/%lld", id, (long long)version);
        char *after = NULL;
        if (rc == RA_OK) {
            json_t *d = json_loadb(text, size, 0, NULL);
            after = dump(json_pack("{s:s,s:I,s:o?}", "id", id, "version", (json_int_t)version,
                                   "document", d));
            if (!after)
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an audit record");
        }
        if (rc == RA_OK)
            rc = ra_store_audit_append(s, actor, "create", "questionnaire", eid, "null", after, err);
        free(after);
        if (rc == RA_OK && created)
            *created = 1;
    }
    free(text);
    return wend(s, own, rc, 0, NULL, err);
}

/* The end of a one-row text read: when rc (the query's preparation) is RA_OK, steps q once and
 * copies column 0 of its row into a new string *out (malloc; its length in *len and column 1 in
 * *col1 when these are not NULL) with *found = 1; *found = 0 when there is no row. RA_ENOMEM
 * "could not allocate WHAT", or the database's error. Finishes q. */
static ra_status text_row(ra_status rc, stmt *q, const char *what, char **out, size_t *len,
                          int64_t *col1, int *found, ra_err *err)
{
    *found = 0;
    if (rc != RA_OK)
        return rc;
    int r = row(q, err);
    if (r == RA_DB_ROW) {
        *found = 1;
        const char *t = ct(q, 0);
        size_t n = strlen(t);
        *out = malloc(n + 1);
        if (!*out)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %s", what);
        else {
            memcpy(*out, t, n + 1);
            if (len)
                *len = n;
            if (col1)
                *col1 = ci(q, 1);
        }
    } else if (r < 0)
        rc = err_code(err);
    done(q);
    return rc;
}

ra_status ra_store_questionnaire_get(ra_store *s, const char *firm, const char *id,
                                     int64_t version, char **doc, size_t *size,
                                     int64_t *version_out, ra_err *err)
{
    *doc = NULL;
    if (size)
        *size = 0;
    int64_t fid = 0;
    ra_status rc = firm_read(s, firm, &fid, err);
    stmt q;
    if (rc == RA_OK)
        rc = version > 0 ? prep(s, &q, err,
                                "SELECT doc, version FROM questionnaires WHERE firm_id = ? AND "
                                "code = ? AND version = ?",
                                "iti", fid, id, version)
                         : prep(s, &q, err,
                                "SELECT doc, version FROM questionnaires WHERE firm_id = ? AND "
                                "code = ? ORDER BY version DESC",
                                "it", fid, id);
    int found = 0;
    rc = text_row(rc, &q, "a questionnaire", doc, size, version_out, &found, err);
    if (rc != RA_OK || found)
        return rc;
    if (version > 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "firm %s has no questionnaire %s version %lld",
                          firm, id, (long long)version);
    return ra_err_set(err, RA_ENOTFOUND, NULL, "firm %s has no questionnaire %s", firm, id);
}

/* ---- profiles ------------------------------------------------------------------------------- */

static json_t *profile_json(const char *client, const ra_profile *p, const char *lang,
                            int64_t answers_id)
{
    json_t *flags = json_array();
    for (size_t i = 0; flags && i < p->n_flags; i++)
        json_array_append_new(flags, json_pack("{s:s,s:s}", "rule", p->flags[i].rule_id, "reason",
                                               p->flags[i].reason ? p->flags[i].reason : ""));
    char taken[11], expires[11];
    ra_date_format(p->taken, taken);
    ra_date_format(p->expires, expires);
    return json_pack("{s:s,s:s,s:I,s:I,s:f,s:f,s:i,s:i,s:i,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "client",
                     client, "questionnaire", p->questionnaire_id, "version",
                     (json_int_t)p->version, "answers_id", (json_int_t)answers_id,
                     "tolerance_score", p->tolerance_score, "capacity_score", p->capacity_score,
                     "tolerance_level", p->tolerance_level, "capacity_level", p->capacity_level,
                     "cap", p->cap, "cap_question", p->cap_question ? p->cap_question : "",
                     "cap_option", p->cap_option ? p->cap_option : "", "level",
                     ra_prof_level_name(p->level), "lang", lang, "flags", flags, "taken", taken,
                     "expires", expires);
}

ra_status ra_store_profile_put(ra_store *s, const ra_store_actor *actor, const char *client,
                               const ra_prof_questionnaire *qn, const char *answers, size_t size,
                               const ra_profile *p, const char *lang, int64_t *id, ra_err *err)
{
    if (id)
        *id = 0;
    ra_status rc = check_actor(actor, err);
    if (rc != RA_OK)
        return rc;
    if (p->level < 1 || p->level > RA_PROF_LEVELS || p->tolerance_level < 1 ||
        p->tolerance_level > RA_PROF_LEVELS || p->capacity_level < 1 ||
        p->capacity_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "profile level %d is outside C1..C5", p->level);
    if (strcmp(p->questionnaire_id, qn->id) != 0 || p->version != qn->version)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the profile is of questionnaire %s version %lld, not %s version %lld",
                          p->questionnaire_id, (long long)p->version, qn->id,
                          (long long)qn->version);
    if (!lang || !*lang || strlen(lang) >= RA_ONBOARD_LANG_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "no language tag for the profile");
    json_t *ans = json_loadb(answers, size, 0, NULL);
    if (!ans)
        return ra_err_set(err, RA_EPARSE, "$", "the answers are not valid JSON");
    int own = 0;
    if ((rc = wbegin(s, &own, err)) != RA_OK) {
        json_decref(ans);
        return rc;
    }
    int64_t fid = 0, cid = 0, qid = 0, aid = 0, pid = 0;
    char *ans_text = NULL, *after = NULL, *flags = NULL;
    stmt q;
    int64_t now = ra_store_now(s);
    rc = owner_ids(s, actor->firm, &OWNER_CLIENT, client, &fid, &cid, err);
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "SELECT id FROM questionnaires WHERE firm_id = ? AND code = ? AND version = ?",
                  "iti", fid, qn->id, qn->version);
    if (rc == RA_OK)
        rc = one_id(&q, &qid, err);
    if (rc == RA_OK && !qid)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL,
                        "questionnaire %s version %lld is not stored for firm %s", qn->id,
                        (long long)qn->version, actor->firm);
    if (rc == RA_OK && !(ans_text = dump(json_incref(ans))))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the answers");
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "INSERT INTO answered_questionnaires (client_id, questionnaire_id, answers, "
                  "taken, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                  "iitii", cid, qid, ans_text, (int64_t)p->taken, now);
    if (rc == RA_OK)
        rc = one_id(&q, &aid, err);
    char eid[RA_CODE_MAX + 32];
    if (rc == RA_OK) {
        snprintf(eid, sizeof eid, "%s/%lld", client, (long long)aid);
        char taken[11];
        after = dump(json_pack("{s:s,s:s,s:I,s:s,s:O}", "client", client, "questionnaire", qn->id,
                               "version", (json_int_t)qn->version, "taken",
                               ra_date_format(p->taken, taken), "answers", ans));
        rc = after ? ra_store_audit_append(s, actor, "create", "answers", eid, "null", after, err)
                   : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an audit record");
        free(after);
        after = NULL;
    }
    if (rc == RA_OK) {
        json_t *fl = json_array();
        for (size_t i = 0; fl && i < p->n_flags; i++)
            json_array_append_new(fl, json_pack("{s:s,s:s}", "rule", p->flags[i].rule_id,
                                                "reason",
                                                p->flags[i].reason ? p->flags[i].reason : ""));
        if (!(flags = dump(fl)))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the flags");
    }
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "INSERT INTO profiles (client_id, answers_id, tolerance_score, capacity_score, "
                  "tolerance_level, capacity_level, cap, cap_question, cap_option, level, lang, "
                  "flags, taken, expires, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?, ?) RETURNING id",
                  "iiddiiittittiii", cid, aid, p->tolerance_score, p->capacity_score,
                  (int64_t)p->tolerance_level, (int64_t)p->capacity_level, (int64_t)p->cap,
                  p->cap_question ? p->cap_question : "", p->cap_option ? p->cap_option : "",
                  (int64_t)p->level, lang, flags, (int64_t)p->taken, (int64_t)p->expires, now);
    if (rc == RA_OK)
        rc = one_id(&q, &pid, err);
    if (rc == RA_OK) {
        snprintf(eid, sizeof eid, "%s/%lld", client, (long long)pid);
        after = dump(profile_json(client, p, lang, aid));
        rc = after ? ra_store_audit_append(s, actor, "create", "profile", eid, "null", after, err)
                   : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an audit record");
    }
    free(after);
    free(flags);
    free(ans_text);
    json_decref(ans);
    return wend(s, own, rc, pid, id, err);
}

#define PROFILE_COLS                                                                           \
    "SELECT p.id, c.code, qn.code, qn.version, p.tolerance_score, p.capacity_score, "          \
    "p.tolerance_level, p.capacity_level, p.cap, p.cap_question, p.cap_option, p.level, "      \
    "p.lang, p.flags, p.taken, p.expires FROM profiles p JOIN clients c ON c.id = p.client_id " \
    "JOIN answered_questionnaires a ON a.id = p.answers_id "                                   \
    "JOIN questionnaires qn ON qn.id = a.questionnaire_id "

/* Reads every row of q into a growing array of elements of `size` bytes, each filled by fill (ctx
 * passed through), and finishes q. On an error the array is freed: *out NULL, *n 0. what names the
 * rows in the out-of-memory message. */
typedef ra_status (*fill_fn)(stmt *q, void *elem, const void *ctx, ra_err *err);

static ra_status collect(stmt *q, size_t size, fill_fn fill, const void *ctx, const char *what,
                         void *out, size_t *n, ra_err *err)
{
    char *arr = NULL;
    size_t cap = 0;
    int r = 0;
    ra_status rc = RA_OK;
    *n = 0;
    while (rc == RA_OK && (r = row(q, err)) == RA_DB_ROW) {
        if (*n == cap) {
            size_t grown = cap ? cap * 2 : 4;
            char *g = realloc(arr, grown * size);
            if (!g) {
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu %s", grown, what);
                break;
            }
            arr = g;
            cap = grown;
        }
        rc = fill(q, arr + *n * size, ctx, err);
        if (rc == RA_OK)
            (*n)++;
    }
    if (rc == RA_OK && r < 0)
        rc = err_code(err);
    done(q);
    if (rc != RA_OK) {
        free(arr);
        arr = NULL;
        *n = 0;
    }
    ra_put_ptr(out, arr);
    return rc;
}

/* A history of a client or an account: whose (owner), the query (it takes the owner's id), the
 * size of an element and its fill, and what the list is called in messages. */
typedef struct history_kind {
    const owner_kind *owner;
    const char *sql;
    size_t size;
    fill_fn fill;
    const char *what;
} history_kind;

/* The history h of the client or account code: collect over the rows of h->sql (ctx: fill's). */
static ra_status owner_list(ra_store *s, const char *firm, const history_kind *h,
                            const char *code, const void *ctx, void *out, size_t *n, ra_err *err)
{
    ra_put_ptr(out, NULL);
    *n = 0;
    int64_t fid = 0, id = 0;
    stmt q;
    ra_status rc = owner_ids_read(s, firm, h->owner, code, &fid, &id, err);
    if (rc == RA_OK)
        rc = prep(s, &q, err, h->sql, "i", id);
    return rc == RA_OK ? collect(&q, h->size, h->fill, ctx, h->what, out, n, err) : rc;
}

/* One profile from a row of PROFILE_COLS (a fill_fn: ctx unused). */
static ra_status profile_row(stmt *q, void *elem, const void *ctx, ra_err *err)
{
    ra_stored_profile *p = elem;
    memset(p, 0, sizeof *p);
    p->id = ci(q, 0);
    copy(p->client, sizeof p->client, ct(q, 1));
    copy(p->questionnaire, sizeof p->questionnaire, ct(q, 2));
    p->version = ci(q, 3);
    p->tolerance_score = cd(q, 4);
    p->capacity_score = cd(q, 5);
    p->tolerance_level = (int)ci(q, 6);
    p->capacity_level = (int)ci(q, 7);
    p->cap = (int)ci(q, 8);
    copy(p->cap_question, sizeof p->cap_question, ct(q, 9));
    copy(p->cap_option, sizeof p->cap_option, ct(q, 10));
    p->level = (int)ci(q, 11);
    copy(p->lang, sizeof p->lang, ct(q, 12));
    p->taken = (ra_date)ci(q, 14);
    p->expires = (ra_date)ci(q, 15);
    json_t *fl = json_loads(ct(q, 13), 0, NULL);
    if (!json_is_array(fl)) {
        json_decref(fl);
        return ra_err_set(err, RA_EIO, NULL, "the flags of profile %lld are not a JSON array",
                          (long long)p->id);
    }
    size_t i;
    json_t *f;
    json_array_foreach(fl, i, f)
    {
        if (p->n_flags == RA_PROF_MAX_RULES)
            break;
        copy(p->flags[p->n_flags].rule, sizeof p->flags[0].rule,
             json_string_value(json_object_get(f, "rule")));
        copy(p->flags[p->n_flags].reason, sizeof p->flags[0].reason,
             json_string_value(json_object_get(f, "reason")));
        p->n_flags++;
    }
    json_decref(fl);
    p->needs_review = p->n_flags > 0;
    return RA_OK;
}

static const history_kind PROFILE_HISTORY = {
    &OWNER_CLIENT, PROFILE_COLS "WHERE p.client_id = ? ORDER BY p.id", sizeof(ra_stored_profile),
    profile_row, "profiles"};

ra_status ra_store_profile_history(ra_store *s, const char *firm, const char *client,
                                   ra_stored_profile **out, size_t *n, ra_err *err)
{
    return owner_list(s, firm, &PROFILE_HISTORY, client, NULL, out, n, err);
}

ra_status ra_store_profile_current(ra_store *s, const char *firm, const char *client,
                                   ra_stored_profile *out, ra_err *err)
{
    int64_t fid = 0, cid = 0;
    ra_status rc = owner_ids_read(s, firm, &OWNER_CLIENT, client, &fid, &cid, err);
    stmt q;
    if (rc == RA_OK)
        rc = prep(s, &q, err, PROFILE_COLS "WHERE p.client_id = ? ORDER BY p.id DESC", "i", cid);
    if (rc != RA_OK)
        return rc;
    int r = row(&q, err);
    if (r == RA_DB_ROW)
        rc = profile_row(&q, out, NULL, err);
    else if (r < 0)
        rc = err_code(err);
    else
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "client %s has no risk profile", client);
    done(&q);
    return rc;
}

ra_status ra_store_profile_answers(ra_store *s, const char *firm, int64_t profile_id,
                                   char **answers, ra_err *err)
{
    *answers = NULL;
    int64_t fid = 0;
    ra_status rc = firm_read(s, firm, &fid, err);
    stmt q;
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "SELECT a.answers FROM profiles p JOIN answered_questionnaires a ON "
                  "a.id = p.answers_id JOIN clients c ON c.id = p.client_id WHERE p.id = ? AND "
                  "c.firm_id = ?",
                  "ii", profile_id, fid);
    int found = 0;
    rc = text_row(rc, &q, "the answers", answers, NULL, NULL, &found, err);
    if (rc == RA_OK && !found)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "firm %s has no profile %lld", firm,
                        (long long)profile_id);
    return rc;
}

int ra_stored_profile_expired(const ra_stored_profile *p, ra_date date)
{
    return date >= p->expires;
}

/* ---- agents --------------------------------------------------------------------------------- */

static json_t *params_json(const ra_agent_params *p)
{
    return json_pack("{s:s,s:s,s:f,s:b,s:f,s:f}", "risk_level", ra_prof_level_name(p->risk_level),
                     "objective", ra_agent_objective_name(p->objective), "drift_band",
                     p->drift_band, "tlh", p->tlh, "loss_limit", p->loss_limit, "cash_reserve",
                     p->cash_reserve);
}

static ra_status params_from_json(const char *text, ra_agent_params *p, ra_err *err)
{
    json_t *j = json_loads(text, 0, NULL);
    ra_status rc = j ? RA_OK : ra_err_set(err, RA_EIO, NULL, "stored agent parameters are not JSON");
    ra_agent_params_default(p, 3);
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        char buf[64];
        if (json_is_string(v))
            copy(buf, sizeof buf, json_string_value(v));
        else if (json_is_boolean(v))
            copy(buf, sizeof buf, json_is_true(v) ? "on" : "off");
        else
            snprintf(buf, sizeof buf, "%.17g", json_number_value(v));
        if (rc == RA_OK)
            rc = ra_agent_param_set(p, k, buf, err);
    }
    json_decref(j);
    return rc;
}

#define AGENT_COLS                                                                             \
    "SELECT g.version, g.name, g.params, g.user_name, g.reason, g.created_at, a.code FROM "    \
    "agents g JOIN accounts a ON a.id = g.account_id "

/* One agent version from a row of AGENT_COLS (a fill_fn: ctx unused). */
static ra_status agent_row(stmt *q, void *elem, const void *ctx, ra_err *err)
{
    ra_agent *g = elem;
    memset(g, 0, sizeof *g);
    g->version = ci(q, 0);
    copy(g->name, sizeof g->name, ct(q, 1));
    ra_status rc = params_from_json(ct(q, 2), &g->params, err);
    copy(g->user, sizeof g->user, ct(q, 3));
    copy(g->reason, sizeof g->reason, ct(q, 4));
    g->at = ci(q, 5);
    copy(g->account, sizeof g->account, ct(q, 6));
    return rc;
}

static ra_status agent_current(ra_store *s, int64_t aid, int64_t version, ra_agent *out,
                               int *found, ra_err *err)
{
    stmt q;
    *found = 0;
    ra_status rc = version > 0
                       ? prep(s, &q, err, AGENT_COLS "WHERE g.account_id = ? AND g.version = ?",
                              "ii", aid, version)
                       : prep(s, &q, err, AGENT_COLS "WHERE g.account_id = ? ORDER BY g.version DESC",
                              "i", aid);
    if (rc != RA_OK)
        return rc;
    int r = row(&q, err);
    if (r == RA_DB_ROW) {
        *found = 1;
        rc = agent_row(&q, out, NULL, err);
    } else if (r < 0)
        rc = err_code(err);
    done(&q);
    return rc;
}

static json_t *agent_json(const char *account, int64_t version, const char *name,
                          const ra_agent_params *p, const char *user, const char *reason)
{
    return json_pack("{s:s,s:I,s:s,s:o,s:s,s:s}", "account", account, "version",
                     (json_int_t)version, "name", name, "params", params_json(p), "user", user,
                     "reason", reason);
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* From schema 7 the agent is part of the mandate (docs/methodology.md#the-mandate): its
 * versions are the mandate's versions that have an agent (risk_level > 0). */
static void agent_of(const ra_mandate_version *v, ra_agent *g)
{
    memset(g, 0, sizeof *g);
    copy(g->account, sizeof g->account, v->account);
    g->version = v->version;
    copy(g->name, sizeof g->name, v->agent_name);
    g->params.risk_level = v->mandate.risk_level;
    g->params.objective = (ra_agent_objective)v->mandate.objective;
    g->params.drift_band = v->mandate.drift_band;
    g->params.tlh = v->mandate.tlh_enabled;
    g->params.loss_limit = v->mandate.loss_limit;
    g->params.cash_reserve = v->mandate.cash_reserve;
    copy(g->user, sizeof g->user, v->user);
    copy(g->reason, sizeof g->reason, v->reason);
    g->at = v->at;
}

static ra_status agent_put_mandate(ra_store *s, const ra_store_actor *actor, const char *account,
                                   const char *name, const ra_agent_params *p, const char *reason,
                                   int64_t *version, ra_err *err)
{
    ra_mandate_version cur;
    ra_status rc = ra_store_mandate_get(s, actor->firm, account, 0, &cur, err);
    if (rc != RA_OK)
        return rc;
    ra_mandate m = cur.mandate;
    m.risk_level = p->risk_level;
    m.objective = (int)p->objective;
    m.drift_band = p->drift_band;
    m.tlh_enabled = p->tlh;
    m.loss_limit = p->loss_limit;
    m.cash_reserve = p->cash_reserve;
    return ra_store_mandate_put(s, actor, account, &m, name, 0, reason, version, err);
}

ra_status ra_store_agent_put(ra_store *s, const ra_store_actor *actor, const char *account,
                             const char *name, const ra_agent_params *params, const char *reason,
                             int64_t *version, ra_err *err)
{
    if (version)
        *version = 0;
    ra_status rc = check_actor(actor, err);
    if (rc != RA_OK)
        return rc;
    if (blank(reason))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a change of agent %s needs a reason (who asked for it and why)", account);
    if (strlen(reason) >= RA_AGENT_REASON_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the reason is longer than %d bytes",
                          RA_AGENT_REASON_MAX - 1);
    if (!name)
        name = "";
    if (strlen(name) >= RA_NAME_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the agent's name is longer than %d bytes",
                          RA_NAME_MAX - 1);
    if ((rc = ra_agent_params_validate(params, err)) != RA_OK)
        return rc;
    if (s->schema_version >= RA_SCHEMA_MANDATE)
        return agent_put_mandate(s, actor, account, name, params, reason, version, err);
    int own = 0;
    if ((rc = wbegin(s, &own, err)) != RA_OK)
        return rc;
    int64_t fid = 0, aid = 0, v = 1;
    ra_agent cur;
    int found = 0;
    char *before = NULL, *after = NULL, *ptext = NULL;
    rc = owner_ids(s, actor->firm, &OWNER_ACCOUNT, account, &fid, &aid, err);
    if (rc == RA_OK)
        rc = agent_current(s, aid, 0, &cur, &found, err);
    int same = found && strcmp(cur.name, name) == 0 && ra_rule_agent_params_equal(&cur.params, params);
    if (rc == RA_OK && same)
        v = cur.version;
    if (rc == RA_OK && !same) {
        if (found) {
            v = cur.version + 1;
            before = dump(agent_json(account, cur.version, cur.name, &cur.params, cur.user,
                                     cur.reason));
        }
        after = dump(agent_json(account, v, name, params, actor->user, reason));
        ptext = dump(params_json(params));
        if (!after || !ptext || (found && !before))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an audit record");
        stmt q;
        if (rc == RA_OK)
            rc = prep(s, &q, err,
                      "INSERT INTO agents (account_id, version, name, params, reason, user_name, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      "iitttti", aid, v, name, ptext, reason, actor->user, ra_store_now(s));
        if (rc == RA_OK)
            rc = exec_done(&q, err);
        if (rc == RA_OK)
            rc = ra_store_audit_append(s, actor, found ? "update" : "create", "agent", account,
                                       found ? before : "null", after, err);
    }
    free(before);
    free(after);
    free(ptext);
    return wend(s, own, rc, v, version, err);
}

ra_status ra_store_agent_get(ra_store *s, const char *firm, const char *account, int64_t version,
                             ra_agent *out, ra_err *err)
{
    int64_t fid = 0, aid = 0;
    int found = 0;
    ra_status rc = owner_ids_read(s, firm, &OWNER_ACCOUNT, account, &fid, &aid, err);
    if (rc == RA_OK && s->schema_version >= RA_SCHEMA_MANDATE) {
        ra_mandate_version v;
        rc = rs_mandate_load(s, aid, version, &v, &found, err);
        found = found && v.mandate.risk_level > 0;
        if (found)
            agent_of(&v, out);
    } else if (rc == RA_OK)
        rc = agent_current(s, aid, version, out, &found, err);
    if (rc == RA_OK && !found)
        rc = version > 0 ? ra_err_set(err, RA_ENOTFOUND, NULL, "account %s has no agent version %lld",
                                      account, (long long)version)
                         : ra_err_set(err, RA_ENOTFOUND, NULL, "account %s has no agent yet",
                                      account);
    return rc;
}

static const history_kind AGENT_HISTORY = {&OWNER_ACCOUNT,
                                           AGENT_COLS "WHERE g.account_id = ? ORDER BY g.version",
                                           sizeof(ra_agent), agent_row, "agent versions"};

ra_status ra_store_agent_history(ra_store *s, const char *firm, const char *account,
                                 ra_agent **out, size_t *n, ra_err *err)
{
    if (s->schema_version < RA_SCHEMA_MANDATE)
        return owner_list(s, firm, &AGENT_HISTORY, account, NULL, out, n, err);
    *out = NULL;
    *n = 0;
    ra_mandate_version *h = NULL;
    size_t nh = 0;
    ra_status rc = ra_store_mandate_history(s, firm, account, &h, &nh, err);
    ra_agent *g = rc == RA_OK && nh ? ra_calloc(nh, sizeof *g) : NULL;
    if (rc == RA_OK && nh && !g)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the agent versions");
    for (size_t i = 0; rc == RA_OK && i < nh; i++)
        if (h[i].mandate.risk_level > 0)
            agent_of(&h[i], &g[(*n)++]);
    ra_free(h);
    if (rc == RA_OK && !*n) {
        ra_free(g);
        g = NULL;
    }
    *out = g;
    return rc;
}

/* ---- overrides ------------------------------------------------------------------------------ */

ra_status ra_store_override_put(ra_store *s, const ra_store_actor *actor, const char *account,
                                const char *kind, const char *product, const ra_suit_result *res,
                                ra_date date, int64_t *id, ra_err *err)
{
    if (id)
        *id = 0;
    if (!kind || (strcmp(kind, "model") != 0 && strcmp(kind, "security") != 0))
        return ra_err_set(err, RA_EINVAL, NULL, "an override is of a model or a security");
    ra_status rc = check_actor(actor, err);
    if (rc != RA_OK)
        return rc;
    if (!res->overridden || blank(res->justification))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "%s: only an override with a written justification is recorded",
                          product);
    if (!product || !*product || strlen(product) >= RA_CODE_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the product code is empty or too long");
    int own = 0;
    if ((rc = wbegin(s, &own, err)) != RA_OK)
        return rc;
    int64_t fid = 0, aid = 0;
    rc = owner_ids(s, actor->firm, &OWNER_ACCOUNT, account, &fid, &aid, err);
    stmt q;
    if (rc == RA_OK)
        rc = prep(s, &q, err,
                  "INSERT INTO suitability_overrides (account_id, product, product_level, "
                  "client_level, justification, on_date, user_name, created_at, kind) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  "itiititit", aid, product, (int64_t)res->product_level,
                  (int64_t)res->client_level, res->justification, (int64_t)date, actor->user,
                  ra_store_now(s), kind);
    if (rc == RA_OK)
        rc = exec_done(&q, err);
    if (rc == RA_OK && id) {
        rc = prep(s, &q, err,
                  "SELECT MAX(id) FROM suitability_overrides WHERE account_id = ?", "i", aid);
        if (rc == RA_OK)
            rc = one_id(&q, id, err);
    }
    if (rc == RA_OK) {
        char d[11];
        char *after = dump(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "account", account,
                                     "kind", kind, "product", product, "product_level",
                                     ra_suit_level_name(res->product_level), "client_level",
                                     ra_prof_level_name(res->client_level), "justification",
                                     res->justification, "date", ra_date_format(date, d)));
        rc = after ? ra_store_audit_append(s, actor, "create", "override", account, "null", after,
                                           err)
                   : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an audit record");
        free(after);
    }
    return wend(s, own, rc, 0, NULL, err);
}

static ra_status fill_override(stmt *q, void *elem, const void *ctx, ra_err *err)
{
    (void)err;
    ra_stored_override *o = elem;
    memset(o, 0, sizeof *o);
    copy(o->account, sizeof o->account, ctx);
    copy(o->product, sizeof o->product, ct(q, 0));
    o->product_level = (int)ci(q, 1);
    o->client_level = (int)ci(q, 2);
    copy(o->justification, sizeof o->justification, ct(q, 3));
    o->date = (ra_date)ci(q, 4);
    copy(o->user, sizeof o->user, ct(q, 5));
    copy(o->kind, sizeof o->kind, ct(q, 6));
    return RA_OK;
}

static const history_kind OVERRIDE_HISTORY = {
    &OWNER_ACCOUNT,
    "SELECT product, product_level, client_level, justification, on_date, user_name, kind FROM "
    "suitability_overrides WHERE account_id = ? ORDER BY id",
    sizeof(ra_stored_override), fill_override, "overrides"};

ra_status ra_store_override_list(ra_store *s, const char *firm, const char *account,
                                 ra_stored_override **out, size_t *n, ra_err *err)
{
    return owner_list(s, firm, &OVERRIDE_HISTORY, account, account, out, n, err);
}
