/* Readers of the two JSON documents of risk profiling: a firm's questionnaire and a client's
 * answers (include/roboadvisor/prof.h, docs/formats.md#risk-questionnaire). Outside input: every
 * problem is RA_EPARSE with the JSON path in err->where; on error nothing is left allocated. */
#include <roboadvisor/prof.h>
#include <roboadvisor/prof_io.h>
#include <roboadvisor/rules.h>

#include "io/json_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_MAX_LEN 192 /* longer paths are cut; err->where keeps 127 bytes anyway */
#define fail ra_io_json_fail /* RA_EPARSE at a path: the many calls below stay short */


/* Reads the whole document; too big, not JSON, or not an object is an error at "$". */
/* The start of a parse: result (the caller's T **, cleared) must not be NULL (RA_EINVAL
 * no_result), then the document, a JSON object, in *out. */
static ra_status load_object(const char *data, size_t size, const char *what, void *result,
                             const char *no_result, json_t **out, ra_err *err)
{
    *out = NULL;
    if (!result)
        return ra_err_set(err, RA_EINVAL, NULL, "%s", no_result);
    ra_put_ptr(result, NULL);
    if (!data && size > 0)
        return ra_err_set(err, RA_EINVAL, NULL, "no data for a %s of %zu bytes", what, size);
    if (size > RA_PROF_MAX_DOC)
        return fail(err, "$", "the %s is %zu bytes, more than the limit of %zu", what, size,
                    RA_PROF_MAX_DOC);
    json_t *root = NULL;
    ra_status st = ra_io_json_load(data, size, what, &root, err);
    if (st != RA_OK)
        return st;
    if (!json_is_object(root)) {
        ra_status rc = fail(err, "$", "the %s must be an object, got %s", what,
                            ra_io_json_type_name(root));
        json_decref(root);
        return rc;
    }
    *out = root;
    return RA_OK;
}

/* Paths longer than PATH_MAX_LEN are cut: they only name the place in a message. */
static void child(char *buf, const char *path, const char *key)
{
    if (snprintf(buf, PATH_MAX_LEN, "%s.%s", path, key) >= PATH_MAX_LEN)
        buf[PATH_MAX_LEN - 1] = '\0';
}

static void item(char *buf, const char *path, size_t i)
{
    if (snprintf(buf, PATH_MAX_LEN, "%s[%zu]", path, i) >= PATH_MAX_LEN)
        buf[PATH_MAX_LEN - 1] = '\0';
}

static ra_status check_keys(json_t *obj, const char *const *allowed, const char *path,
                            ra_err *err)
{
    return ra_io_json_check_keys(obj, allowed, path, 1, err);
}

/* In the answers (a document about a client) a key is not shown: it might be personal data. */
static ra_status check_answer_keys(json_t *obj, const char *const *allowed, const char *path,
                                   ra_err *err)
{
    return ra_io_json_check_keys(obj, allowed, path, 0, err);
}

/* The member key of obj; an error if it is missing and required. *out NULL if absent. */
static ra_status member(json_t *obj, const char *key, int required, const char *path,
                        json_t **out, ra_err *err)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return fail(err, path, "missing \"%s\"", key);
    return RA_OK;
}

/* member() that also writes the member's path into p (PATH_MAX_LEN bytes). */
static ra_status field(json_t *obj, const char *key, int required, const char *path, char *p,
                       json_t **out, ra_err *err)
{
    child(p, path, key);
    return member(obj, key, required, path, out, err);
}

/* An optional field that not every question may have: when it is present and why_not is not
 * NULL, why_not is the error. */
static ra_status field_unless(json_t *obj, const char *key, const char *why_not, const char *path,
                              char *p, json_t **out, ra_err *err)
{
    ra_status rc = field(obj, key, 0, path, p, out, err);
    if (rc == RA_OK && *out && why_not)
        return fail(err, p, "%s", why_not);
    return rc;
}

static ra_status want(json_t *v, int ok, const char *what, const char *path, ra_err *err)
{
    return ok ? RA_OK : fail(err, path, "expected %s, got %s", what, ra_io_json_type_name(v));
}

static int id_well_formed(const char *s, size_t len)
{
    if (len == 0 || len > RA_PROF_MAX_ID)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!ra_rule_code_byte(s[i])) /* the characters of a code (rules.h), up to 63 bytes */
            return 0;
    return 1;
}

/* A string id: 1..RA_PROF_MAX_ID bytes of [A-Za-z0-9_.-]. */
static ra_status read_id(json_t *v, const char *path, const char **out, ra_err *err)
{
    ra_status rc = want(v, json_is_string(v), "a string", path, err);
    if (rc)
        return rc;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!id_well_formed(s, len))
        return fail(err, path,
                    "\"%.60s\" is not an id: 1 to %d letters, digits, '_', '.' or '-'", s,
                    RA_PROF_MAX_ID);
    *out = s;
    return RA_OK;
}

static char *dup_str(const char *s, ra_err *err)
{
    size_t n = strlen(s);
    char *d = ra_malloc(n + 1);
    if (!d) {
        ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu bytes for a text", n + 1);
        return NULL;
    }
    memcpy(d, s, n + 1);
    return d;
}

static void free_texts(char **t, size_t n)
{
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        ra_free(t[i]);
    ra_free(t);
}

/* {"en": "...", "zh-Hans": "..."}: a non-empty string for each of the questionnaire's languages
 * and no other key. */
static ra_status read_texts(const ra_prof_questionnaire *q, json_t *v, const char *path,
                            char ***out, ra_err *err)
{
    *out = NULL;
    ra_status rc = want(v, json_is_object(v), "an object of texts by language", path, err);
    if (rc)
        return rc;
    char p[PATH_MAX_LEN];
    const char *key;
    json_t *t;
    json_object_foreach(v, key, t) {
        if (key[0] == '_')
            continue;
        size_t k = 0;
        while (k < q->n_langs && strcmp(q->langs[k], key) != 0)
            k++;
        child(p, path, key);
        if (k == q->n_langs)
            return fail(err, p, "\"%.40s\" is not one of the questionnaire's languages", key);
        if ((rc = want(t, json_is_string(t), "a string", p, err)))
            return rc;
        if (json_string_length(t) == 0 || strlen(json_string_value(t)) != json_string_length(t))
            return fail(err, p, "the text must be non-empty and contain no NUL character");
    }
    for (size_t k = 0; k < q->n_langs; k++)
        if (!json_object_get(v, q->langs[k]))
            return fail(err, path, "missing the \"%s\" text", q->langs[k]);
    char **texts = ra_calloc(q->n_langs, sizeof *texts);
    if (!texts)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu texts", q->n_langs);
    for (size_t k = 0; k < q->n_langs; k++) {
        texts[k] = dup_str(json_string_value(json_object_get(v, q->langs[k])), err);
        if (!texts[k]) {
            free_texts(texts, q->n_langs);
            return RA_ENOMEM;
        }
    }
    *out = texts;
    return RA_OK;
}

static ra_status read_number(json_t *v, double lo, double hi, const char *path, double *out,
                             ra_err *err)
{
    ra_status rc = want(v, json_is_number(v), "a number", path, err);
    if (rc)
        return rc;
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return fail(err, path, "%g is outside [%g, %g]", x, lo, hi);
    *out = x;
    return RA_OK;
}

static ra_status read_bool(json_t *v, const char *path, int *out, ra_err *err)
{
    ra_status rc = want(v, json_is_boolean(v), "true or false", path, err);
    if (rc == RA_OK)
        *out = json_is_true(v);
    return rc;
}

/* An optional true/false field (field_unless): *out is left as it is when the field is absent. */
static ra_status opt_bool(json_t *obj, const char *key, const char *why_not, const char *path,
                          char *p, int *out, ra_err *err)
{
    json_t *m;
    ra_status rc = field_unless(obj, key, why_not, path, p, &m, err);
    return rc == RA_OK && m ? read_bool(m, p, out, err) : rc;
}

static ra_status read_cap(json_t *v, const char *path, int *out, ra_err *err)
{
    ra_status rc = want(v, json_is_string(v), "a level \"C1\" to \"C5\"", path, err);
    if (rc)
        return rc;
    const char *s = json_string_value(v);
    if (strlen(s) != 2 || s[0] != 'C' || s[1] < '1' || s[1] > '5')
        return fail(err, path, "\"%.20s\" is not a level \"C1\" to \"C5\"", s);
    *out = s[1] - '0';
    return RA_OK;
}

/* ---- questionnaire ------------------------------------------------------------------------ */

void ra_prof_questionnaire_destroy(ra_prof_questionnaire *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_questions; i++) {
        ra_prof_question *qu = &q->questions[i];
        for (size_t k = 0; k < qu->n_options; k++) {
            ra_free(qu->options[k].id);
            free_texts(qu->options[k].text, q->n_langs);
        }
        RA_FREE_ALL(qu->options, qu->id);
        free_texts(qu->text, q->n_langs);
    }
    ra_free(q->questions);
    for (size_t i = 0; i < q->n_rules; i++) {
        ra_free(q->rules[i].id);
        free_texts(q->rules[i].reason, q->n_langs);
        ra_free(q->rules[i].clauses);
    }
    ra_free(q->rules);
    free_texts(q->title, q->n_langs);
    free_texts(q->langs, q->n_langs);
    RA_FREE_ALL(q->id, q);
}

static ra_status read_langs(ra_prof_questionnaire *q, json_t *v, ra_err *err)
{
    const char *path = "$.languages";
    ra_status rc = want(v, json_is_array(v), "an array of language tags", path, err);
    if (rc)
        return rc;
    size_t n = json_array_size(v);
    if (n == 0 || n > RA_PROF_MAX_LANGS)
        return fail(err, path, "%zu languages; give 1 to %d", n, RA_PROF_MAX_LANGS);
    q->langs = ra_calloc(n, sizeof *q->langs);
    if (!q->langs)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu languages", n);
    q->n_langs = n;
    char p[PATH_MAX_LEN];
    for (size_t i = 0; i < n; i++) {
        const char *tag;
        item(p, path, i);
        if ((rc = read_id(json_array_get(v, i), p, &tag, err)))
            return rc;
        for (size_t k = 0; k < i; k++)
            if (strcmp(q->langs[k], tag) == 0)
                return fail(err, p, "language \"%s\" is listed twice", tag);
        if (!(q->langs[i] = dup_str(tag, err)))
            return RA_ENOMEM;
    }
    return RA_OK;
}

static ra_status read_levels(ra_prof_questionnaire *q, json_t *v, ra_err *err)
{
    static const char *const keys[] = {"tolerance", "capacity", NULL};
    const char *path = "$.levels";
    ra_status rc = want(v, json_is_object(v), "an object", path, err);
    if (rc || (rc = check_keys(v, keys, path, err)))
        return rc;
    char p[PATH_MAX_LEN], pi[PATH_MAX_LEN];
    for (int m = 0; m < 2; m++) {
        json_t *a;
        if ((rc = field(v, keys[m], 1, path, p, &a, err)))
            return rc;
        if ((rc = want(a, json_is_array(a), "an array of 5 lower bounds", p, err)))
            return rc;
        if (json_array_size(a) != RA_PROF_LEVELS)
            return fail(err, p, "%zu bounds; give the lower bounds of C1 to C5 (5 numbers)",
                        json_array_size(a));
        for (size_t k = 0; k < RA_PROF_LEVELS; k++) {
            item(pi, p, k);
            double b = 0.0; /* read_number sets it on success */
            if ((rc = read_number(json_array_get(a, k), 0.0, 100.0, pi, &b, err)))
                return rc;
            if (k == 0 && b != 0.0)
                return fail(err, pi, "the lower bound of C1 must be 0, got %g", b);
            if (k > 0 && b <= q->bands[m][k - 1])
                return fail(err, pi, "the bound of C%zu (%g) must exceed that of C%zu (%g)",
                            k + 1, b, k, q->bands[m][k - 1]);
            q->bands[m][k] = b;
        }
    }
    return RA_OK;
}

/* The id and text of element i of a list (an answer, a question, a rule): v is an object of the
 * keys allowed; its "id" differs from those of the i elements before it in arr (stride bytes
 * apart, each beginning with its char *id as ra_prof_option, ra_prof_question and ra_prof_rule
 * do) and is copied into *id; member text_key (required or not) is read into *text. A repeated
 * id is "two PLURAL have the id", or with plural NULL (the answers of question owner) "question
 * OWNER has two answers". */
static ra_status read_head(ra_prof_questionnaire *q, json_t *v, const char *const *keys,
                           const char *path, const void *arr, size_t i, size_t stride,
                           const char *plural, const char *owner, char **id,
                           const char *text_key, int text_required, char ***text, ra_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *m;
    const char *s;
    ra_status rc = want(v, json_is_object(v), "an object", path, err);
    if (rc || (rc = check_keys(v, keys, path, err)) ||
        (rc = field(v, "id", 1, path, p, &m, err)) || (rc = read_id(m, p, &s, err)))
        return rc;
    for (size_t j = 0; j < i; j++) {
        const char *other = *(char *const *)((const char *)arr + j * stride);
        if (strcmp(other, s) != 0)
            continue;
        if (plural)
            return fail(err, p, "two %s have the id \"%s\"", plural, s);
        return fail(err, p, "question \"%s\" has two answers \"%s\"", owner, s);
    }
    if (!(*id = dup_str(s, err)))
        return RA_ENOMEM;
    if ((rc = field(v, text_key, text_required, path, p, &m, err)))
        return rc;
    return m ? read_texts(q, m, p, text, err) : RA_OK;
}

static ra_status read_option(ra_prof_questionnaire *q, ra_prof_question *qu, size_t k, json_t *v,
                             const char *path, ra_err *err)
{
    static const char *const answer_keys[] = {"id", "text", "score", "cap", "exclusive", NULL};
    static const char *const band_keys[] = {"id", "text", "score", "cap", "min", NULL};
    ra_prof_option *o = &qu->options[k];
    char p[PATH_MAX_LEN];
    json_t *m;
    ra_status rc = read_head(q, v, qu->kind == RA_PROF_NUMBER ? band_keys : answer_keys, path,
                             qu->options, k, sizeof *o, NULL, qu->id, &o->id, "text",
                             qu->kind != RA_PROF_NUMBER, &o->text, err);
    if (rc)
        return rc;
    if ((rc = field(v, "score", 1, path, p, &m, err)))
        return rc;
    if ((rc = read_number(m, 0.0, RA_PROF_MAX_SCORE, p, &o->score, err)))
        return rc;
    if ((rc = field(v, "cap", 0, path, p, &m, err)))
        return rc;
    if (m && (rc = read_cap(m, p, &o->cap, err)))
        return rc;
    const char *why_not = "only answers of a multiple question can be exclusive";
    if ((rc = opt_bool(v, "exclusive", qu->kind == RA_PROF_MULTIPLE ? NULL : why_not, path, p,
                       &o->exclusive, err)))
        return rc;
    if (qu->kind == RA_PROF_NUMBER) {
        if ((rc = field(v, "min", 1, path, p, &m, err)))
            return rc;
        if ((rc = read_number(m, -1e15, 1e15, p, &o->min, err)))
            return rc;
        if (k > 0 && o->min <= qu->options[k - 1].min)
            return fail(err, p, "band minimum %g must exceed the previous band's %g", o->min,
                        qu->options[k - 1].min);
    }
    return RA_OK;
}

/* The words a string field may hold, each with its value, in the order the error lists them. */
typedef struct word_set {
    size_t n;
    struct {
        const char *name;
        int value;
    } w[3];
} word_set;

static const word_set KINDS = {
    3, {{"single", RA_PROF_SINGLE}, {"multiple", RA_PROF_MULTIPLE}, {"number", RA_PROF_NUMBER}}};
static const word_set MEASURES = {
    3, {{"tolerance", RA_PROF_TOLERANCE}, {"capacity", RA_PROF_CAPACITY}, {"none", RA_PROF_NONE}}};
static const word_set COMBINES = {2, {{"max", 0}, {"sum", 1}}};

/* The value of the string m, one of ws's words; otherwise an error (label, the string, then
 * the words it may be: kind "x" is not "single", "multiple" or "number"). */
static ra_status read_word(json_t *m, const char *p, const char *label, word_set ws, int *out,
                           ra_err *err)
{
    ra_status rc = want(m, json_is_string(m), "a string", p, err);
    if (rc)
        return rc;
    const char *s = json_string_value(m);
    char list[128] = "";
    size_t len = 0;
    for (size_t i = 0; i < ws.n; i++) {
        if (strcmp(s, ws.w[i].name) == 0) {
            *out = ws.w[i].value;
            return RA_OK;
        }
        const char *sep = i == 0 ? "" : i + 1 == ws.n ? " or " : ", ";
        int k = snprintf(list + len, sizeof list - len, "%s\"%s\"", sep, ws.w[i].name);
        if (k > 0 && (size_t)k < sizeof list - len)
            len += (size_t)k;
    }
    return fail(err, p, "%s\"%.40s\" is not %s", label, s, list);
}

static ra_status read_question(ra_prof_questionnaire *q, size_t i, json_t *v, const char *path,
                               ra_err *err)
{
    static const char *const keys[] = {"id",      "text",    "kind",    "measures", "weight",
                                       "required", "combine", "integer", "max",      "answers",
                                       "bands",    NULL};
    ra_prof_question *qu = &q->questions[i];
    char p[PATH_MAX_LEN];
    json_t *m;
    ra_status rc = read_head(q, v, keys, path, q->questions, i, sizeof *qu, "questions", NULL,
                             &qu->id, "text", 1, &qu->text, err);
    if (rc)
        return rc;

    if ((rc = field(v, "kind", 1, path, p, &m, err)))
        return rc;
    int word;
    if ((rc = read_word(m, p, "kind ", KINDS, &word, err)))
        return rc;
    qu->kind = (ra_prof_kind)word;

    if ((rc = field(v, "measures", 1, path, p, &m, err)))
        return rc;
    if ((rc = read_word(m, p, "", MEASURES, &word, err)))
        return rc;
    qu->measure = (ra_prof_measure)word;

    qu->weight = 1.0;
    qu->required = 1;
    qu->max = INFINITY;
    if ((rc = field(v, "weight", 0, path, p, &m, err)))
        return rc;
    if (m && (rc = read_number(m, 0.0, RA_PROF_MAX_WEIGHT, p, &qu->weight, err)))
        return rc;
    if (m && qu->weight <= 0.0)
        return fail(err, p, "the weight must be positive, got %g", qu->weight);
    if ((rc = opt_bool(v, "required", NULL, path, p, &qu->required, err)))
        return rc;

    const char *why_not = "only a multiple question combines scores";
    if ((rc = field_unless(v, "combine", qu->kind == RA_PROF_MULTIPLE ? NULL : why_not, path, p,
                           &m, err)))
        return rc;
    if (m && (rc = read_word(m, p, "", COMBINES, &qu->combine_sum, err)))
        return rc;
    const char *num_keys[] = {"integer", "max"};
    for (int k = 0; k < 2; k++) {
        child(p, path, num_keys[k]);
        if (json_object_get(v, num_keys[k]) && qu->kind != RA_PROF_NUMBER)
            return fail(err, p, "only a number question has \"%s\"", num_keys[k]);
    }
    if ((rc = opt_bool(v, "integer", NULL, path, p, &qu->integer, err)))
        return rc;

    const char *list = qu->kind == RA_PROF_NUMBER ? "bands" : "answers";
    const char *other = qu->kind == RA_PROF_NUMBER ? "answers" : "bands";
    child(p, path, other);
    if (json_object_get(v, other))
        return fail(err, p, "a %s question has \"%s\", not \"%s\"",
                    qu->kind == RA_PROF_NUMBER ? "number" : "choice", list, other);
    if ((rc = field(v, list, 1, path, p, &m, err)))
        return rc;
    if ((rc = want(m, json_is_array(m), "an array", p, err)))
        return rc;
    size_t n = json_array_size(m);
    size_t lo = qu->kind == RA_PROF_NUMBER ? 1 : 2;
    if (n < lo || n > RA_PROF_MAX_OPTIONS)
        return fail(err, p, "%zu %s; give %zu to %d", n, list, lo, RA_PROF_MAX_OPTIONS);
    if (!(qu->options = ra_calloc(n, sizeof *qu->options)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu answers", n);
    qu->n_options = n;
    char pk[PATH_MAX_LEN];
    for (size_t k = 0; k < n; k++) {
        item(pk, p, k);
        if ((rc = read_option(q, qu, k, json_array_get(m, k), pk, err)))
            return rc;
    }

    if ((rc = field(v, "max", 0, path, p, &m, err)))
        return rc;
    if (m && (rc = read_number(m, qu->options[n - 1].min, 1e15, p, &qu->max, err)))
        return rc;
    if (qu->kind == RA_PROF_NUMBER && qu->integer && ceil(qu->options[0].min) > qu->max)
        return fail(err, path, "question \"%s\" takes a whole number but none lies between %g and %g",
                    qu->id, qu->options[0].min, qu->max);

    /* The highest score the question can give: the denominator of its measure (methodology). */
    double best = 0.0, sum = 0.0, best_excl = 0.0;
    for (size_t k = 0; k < n; k++) {
        double sc = qu->options[k].score;
        if (sc > best)
            best = sc;
        if (qu->options[k].exclusive) {
            if (sc > best_excl)
                best_excl = sc;
        } else {
            sum += sc;
        }
    }
    qu->max_score = qu->kind == RA_PROF_MULTIPLE && qu->combine_sum ? fmax(sum, best_excl) : best;
    if (qu->measure != RA_PROF_NONE && qu->max_score <= 0.0)
        return fail(err, path, "question \"%s\" measures risk %s but no answer scores above 0",
                    qu->id, qu->measure == RA_PROF_TOLERANCE ? "tolerance" : "capacity");
    return RA_OK;
}

/* Index of the option called id in question qu, or SIZE_MAX. */
static size_t option_find(const ra_prof_question *qu, const char *id)
{
    for (size_t k = 0; k < qu->n_options; k++)
        if (strcmp(qu->options[k].id, id) == 0)
            return k;
    return SIZE_MAX;
}

static ra_status read_rule(ra_prof_questionnaire *q, size_t i, json_t *v, const char *path,
                           ra_err *err)
{
    static const char *const keys[] = {"id", "when", "reason", NULL};
    static const char *const clause_keys[] = {"question", "answers", NULL};
    ra_prof_rule *r = &q->rules[i];
    char p[PATH_MAX_LEN], pc[PATH_MAX_LEN], pa[PATH_MAX_LEN], pk[PATH_MAX_LEN];
    json_t *m;
    const char *s;
    ra_status rc = read_head(q, v, keys, path, q->rules, i, sizeof *r, "contradiction rules",
                             NULL, &r->id, "reason", 1, &r->reason, err);
    if (rc)
        return rc;
    if ((rc = field(v, "when", 1, path, p, &m, err)))
        return rc;
    if ((rc = want(m, json_is_array(m), "an array of clauses", p, err)))
        return rc;
    size_t n = json_array_size(m);
    if (n == 0 || n > RA_PROF_MAX_CLAUSES)
        return fail(err, p, "%zu clauses; give 1 to %d", n, RA_PROF_MAX_CLAUSES);
    if (!(r->clauses = ra_calloc(n, sizeof *r->clauses)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu clauses", n);
    r->n_clauses = n;
    for (size_t c = 0; c < n; c++) {
        json_t *cl = json_array_get(m, c), *a;
        item(pc, p, c);
        if ((rc = want(cl, json_is_object(cl), "an object", pc, err)) ||
            (rc = check_keys(cl, clause_keys, pc, err)) ||
            (rc = member(cl, "question", 1, pc, &a, err)))
            return rc;
        child(pa, pc, "question");
        if ((rc = read_id(a, pa, &s, err)))
            return rc;
        size_t qi = ra_prof_question_find(q, s);
        if (qi == SIZE_MAX)
            return fail(err, pa, "no question \"%s\" in this questionnaire", s);
        r->clauses[c].question = qi;
        if ((rc = field(cl, "answers", 1, pc, pa, &a, err)))
            return rc;
        if ((rc = want(a, json_is_array(a), "an array of answer ids", pa, err)))
            return rc;
        if (json_array_size(a) == 0)
            return fail(err, pa, "a clause needs at least one answer");
        for (size_t k = 0; k < json_array_size(a); k++) {
            item(pk, pa, k);
            if ((rc = read_id(json_array_get(a, k), pk, &s, err)))
                return rc;
            size_t o = option_find(&q->questions[qi], s);
            if (o == SIZE_MAX)
                return fail(err, pk, "question \"%s\" has no answer \"%s\"", q->questions[qi].id,
                            s);
            if (r->clauses[c].options & ((uint64_t)1 << o))
                return fail(err, pk, "answer \"%s\" is listed twice", s);
            r->clauses[c].options |= (uint64_t)1 << o;
        }
    }
    return RA_OK;
}

static ra_status build_questionnaire(ra_prof_questionnaire *q, json_t *root, ra_err *err)
{
    static const char *const keys[] = {"id",        "version",   "languages",      "title",
                                       "validity_months", "levels", "questions",
                                       "contradictions", NULL};
    ra_status rc = check_keys(root, keys, "$", err);
    if (rc)
        return rc;
    json_t *m;
    const char *s;
    if ((rc = member(root, "id", 1, "$", &m, err)) || (rc = read_id(m, "$.id", &s, err)))
        return rc;
    if (!(q->id = dup_str(s, err)))
        return RA_ENOMEM;
    if ((rc = member(root, "version", 1, "$", &m, err)) ||
        (rc = want(m, json_is_integer(m), "a whole number", "$.version", err)))
        return rc;
    q->version = json_integer_value(m);
    if (q->version < 1)
        return fail(err, "$.version", "the version must be 1 or more, got %lld",
                    (long long)q->version);
    if ((rc = member(root, "languages", 1, "$", &m, err)) || (rc = read_langs(q, m, err)))
        return rc;
    if ((rc = member(root, "title", 0, "$", &m, err)))
        return rc;
    if (m && (rc = read_texts(q, m, "$.title", &q->title, err)))
        return rc;
    q->validity_months = RA_PROF_DEFAULT_VALIDITY_MONTHS;
    if ((rc = member(root, "validity_months", 0, "$", &m, err)))
        return rc;
    if (m) {
        if ((rc = want(m, json_is_integer(m), "a whole number", "$.validity_months", err)))
            return rc;
        json_int_t vm = json_integer_value(m);
        if (vm < 1 || vm > 120)
            return fail(err, "$.validity_months", "%lld months is outside [1, 120]",
                        (long long)vm);
        q->validity_months = (int)vm;
    }
    if ((rc = member(root, "levels", 1, "$", &m, err)) || (rc = read_levels(q, m, err)))
        return rc;

    if ((rc = member(root, "questions", 1, "$", &m, err)) ||
        (rc = want(m, json_is_array(m), "an array", "$.questions", err)))
        return rc;
    size_t n = json_array_size(m);
    if (n == 0 || n > RA_PROF_MAX_QUESTIONS)
        return fail(err, "$.questions", "%zu questions; give 1 to %d", n, RA_PROF_MAX_QUESTIONS);
    if (!(q->questions = ra_calloc(n, sizeof *q->questions)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu questions", n);
    q->n_questions = n;
    char p[PATH_MAX_LEN];
    for (size_t i = 0; i < n; i++) {
        item(p, "$.questions", i);
        if ((rc = read_question(q, i, json_array_get(m, i), p, err)))
            return rc;
    }
    int has[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if (q->questions[i].required)
            has[q->questions[i].measure] = 1;
    if (!has[RA_PROF_TOLERANCE] || !has[RA_PROF_CAPACITY])
        return fail(err, "$.questions", "no required question measures risk %s",
                    has[RA_PROF_TOLERANCE] ? "capacity" : "tolerance");

    if ((rc = member(root, "contradictions", 0, "$", &m, err)))
        return rc;
    if (m) {
        if ((rc = want(m, json_is_array(m), "an array", "$.contradictions", err)))
            return rc;
        n = json_array_size(m);
        if (n > RA_PROF_MAX_RULES)
            return fail(err, "$.contradictions", "%zu rules, more than the limit of %d", n,
                        RA_PROF_MAX_RULES);
        if (n && !(q->rules = ra_calloc(n, sizeof *q->rules)))
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu rules", n);
        q->n_rules = n;
        for (size_t i = 0; i < n; i++) {
            item(p, "$.contradictions", i);
            if ((rc = read_rule(q, i, json_array_get(m, i), p, err)))
                return rc;
        }
    }
    return RA_OK;
}

ra_status ra_prof_questionnaire_parse(const char *data, size_t size, ra_prof_questionnaire **out,
                                      ra_err *err)
{
    json_t *root;
    ra_status rc = load_object(data, size, "questionnaire", out, "no place for the questionnaire",
                               &root, err);
    if (rc)
        return rc;
    ra_prof_questionnaire *q = ra_calloc(1, sizeof *q);
    if (!q) {
        json_decref(root);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a questionnaire");
    }
    rc = build_questionnaire(q, root, err);
    json_decref(root);
    if (rc) {
        ra_prof_questionnaire_destroy(q);
        return rc;
    }
    ra_err_clear(err);
    *out = q;
    return RA_OK;
}

ra_status ra_prof_lang_find(const ra_prof_questionnaire *q, const char *lang, size_t *index,
                            ra_err *err)
{
    if (!q || !lang || !index)
        return ra_err_set(err, RA_EINVAL, NULL, "no questionnaire, language or index");
    for (size_t k = 0; k < q->n_langs; k++)
        if (strcmp(q->langs[k], lang) == 0) {
            *index = k;
            return RA_OK;
        }
    for (size_t k = 0; k < q->n_langs; k++)
        if (strcasecmp(q->langs[k], lang) == 0) {
            *index = k;
            return RA_OK;
        }
    char list[160] = "";
    size_t pos = 0;
    for (size_t k = 0; k < q->n_langs && pos < sizeof list; k++) {
        int w = snprintf(list + pos, sizeof list - pos, "%s%s", k ? ", " : "", q->langs[k]);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
    return ra_err_set(err, RA_ENOTFOUND, NULL,
                      "questionnaire \"%s\" has no language \"%.40s\" (it has %s)", q->id, lang,
                      list);
}

size_t ra_prof_question_find(const ra_prof_questionnaire *q, const char *id)
{
    if (!q || !id)
        return SIZE_MAX;
    for (size_t i = 0; i < q->n_questions; i++)
        if (q->questions[i].id && strcmp(q->questions[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

/* ---- answers ------------------------------------------------------------------------------ */

void ra_prof_answers_destroy(ra_prof_answers *a)
{
    if (!a)
        return;
    RA_FREE_ALL(a->resp, a);
}

static const char *kind_key(ra_prof_kind k)
{
    return k == RA_PROF_SINGLE ? "choice" : k == RA_PROF_MULTIPLE ? "choices" : "value";
}

static const char *kind_name(ra_prof_kind k)
{
    return k == RA_PROF_SINGLE ? "single" : k == RA_PROF_MULTIPLE ? "multiple" : "number";
}

static ra_status read_choice(const ra_prof_question *qu, json_t *v, const char *path,
                             size_t *out, ra_err *err)
{
    ra_status rc = want(v, json_is_string(v), "a string", path, err);
    if (rc)
        return rc;
    const char *s = json_string_value(v);
    size_t k = strlen(s) == json_string_length(v) ? option_find(qu, s) : SIZE_MAX;
    if (k == SIZE_MAX)
        return fail(err, path, "question \"%s\" has no such answer (the text given is not shown)",
                    qu->id);
    *out = k;
    return RA_OK;
}

static ra_status read_response(const ra_prof_questionnaire *q, json_t *v, const char *path,
                               ra_prof_response *resp, size_t *answered_at, size_t i,
                               ra_err *err)
{
    static const char *const keys[] = {"question", "choice", "choices", "value", NULL};
    ra_status rc = want(v, json_is_object(v), "an object", path, err);
    if (rc || (rc = check_answer_keys(v, keys, path, err)))
        return rc;
    char p[PATH_MAX_LEN];
    json_t *m;
    const char *s;
    if ((rc = field(v, "question", 1, path, p, &m, err)))
        return rc;
    if ((rc = want(m, json_is_string(m), "a string", p, err)))
        return rc;
    s = json_string_value(m);
    size_t qi = strlen(s) == json_string_length(m) ? ra_prof_question_find(q, s) : SIZE_MAX;
    if (qi == SIZE_MAX)
        return fail(err, p, "questionnaire \"%s\" has no such question (the text given is not shown)",
                    q->id);
    if (resp[qi].answered)
        return fail(err, p, "question \"%s\" is answered twice (first at $.answers[%zu])", s,
                    answered_at[qi]);
    const ra_prof_question *qu = &q->questions[qi];
    const char *key = kind_key(qu->kind);
    for (ra_prof_kind k = RA_PROF_SINGLE; k <= RA_PROF_NUMBER; k++) {
        if (k == qu->kind || !json_object_get(v, kind_key(k)))
            continue;
        child(p, path, kind_key(k));
        return fail(err, p, "question \"%s\" is a %s question: answer with \"%s\"", qu->id,
                    kind_name(qu->kind), key);
    }
    if ((rc = field(v, key, 1, path, p, &m, err)))
        return rc;
    ra_prof_response r = {.answered = 1};
    if (qu->kind == RA_PROF_SINGLE) {
        size_t k;
        if ((rc = read_choice(qu, m, p, &k, err)))
            return rc;
        r.chosen = (uint64_t)1 << k;
    } else if (qu->kind == RA_PROF_MULTIPLE) {
        if ((rc = want(m, json_is_array(m), "an array of answer ids", p, err)))
            return rc;
        size_t n = json_array_size(m);
        if (n == 0)
            return fail(err, p, "choose at least one answer to question \"%s\"", qu->id);
        char pk[PATH_MAX_LEN];
        for (size_t j = 0; j < n; j++) {
            size_t k;
            item(pk, p, j);
            if ((rc = read_choice(qu, json_array_get(m, j), pk, &k, err)))
                return rc;
            if (r.chosen & ((uint64_t)1 << k))
                return fail(err, pk, "answer \"%s\" is chosen twice", qu->options[k].id);
            r.chosen |= (uint64_t)1 << k;
            if (n > 1 && qu->options[k].exclusive)
                return fail(err, pk, "answer \"%s\" of question \"%s\" excludes every other",
                            qu->options[k].id, qu->id);
        }
    } else {
        if ((rc = want(m, json_is_number(m), "a number", p, err)))
            return rc;
        double x = json_number_value(m);
        if (!isfinite(x))
            return fail(err, p, "the value must be finite");
        if (x < qu->options[0].min)
            return fail(err, p, "%g is below the lowest accepted value %g of question \"%s\"", x,
                        qu->options[0].min, qu->id);
        if (x > qu->max)
            return fail(err, p, "%g is above the highest accepted value %g of question \"%s\"",
                        x, qu->max, qu->id);
        if (qu->integer && x != floor(x))
            return fail(err, p, "question \"%s\" takes a whole number, got %g", qu->id, x);
        size_t k = qu->n_options - 1;
        while (k > 0 && x < qu->options[k].min)
            k--;
        r.chosen = (uint64_t)1 << k;
        r.value = x;
    }
    resp[qi] = r;
    answered_at[qi] = i;
    return RA_OK;
}

static ra_status build_answers(const ra_prof_questionnaire *q, json_t *root,
                               ra_prof_response *resp, size_t *answered_at, ra_err *err)
{
    static const char *const keys[] = {"questionnaire", "version", "answers", NULL};
    ra_status rc = check_answer_keys(root, keys, "$", err);
    if (rc)
        return rc;
    json_t *m;
    if ((rc = member(root, "questionnaire", 1, "$", &m, err)) ||
        (rc = want(m, json_is_string(m), "a string", "$.questionnaire", err)))
        return rc;
    if (strcmp(json_string_value(m), q->id) != 0)
        return fail(err, "$.questionnaire",
                    "the answers are to another questionnaire, not \"%s\" (the id given is not "
                    "shown)",
                    q->id);
    if ((rc = member(root, "version", 1, "$", &m, err)) ||
        (rc = want(m, json_is_integer(m), "a whole number", "$.version", err)))
        return rc;
    if (json_integer_value(m) != q->version)
        return fail(err, "$.version",
                    "the answers are to version %lld of questionnaire \"%s\", not version %lld",
                    (long long)json_integer_value(m), q->id, (long long)q->version);
    if ((rc = member(root, "answers", 1, "$", &m, err)) ||
        (rc = want(m, json_is_array(m), "an array", "$.answers", err)))
        return rc;
    char p[PATH_MAX_LEN];
    for (size_t i = 0; i < json_array_size(m); i++) {
        item(p, "$.answers", i);
        if ((rc = read_response(q, json_array_get(m, i), p, resp, answered_at, i, err)))
            return rc;
    }
    for (size_t i = 0; i < q->n_questions; i++)
        if (q->questions[i].required && !resp[i].answered)
            return fail(err, "$.answers", "missing an answer to the required question \"%s\"",
                        q->questions[i].id);
    return RA_OK;
}

ra_status ra_prof_answers_parse(const ra_prof_questionnaire *q, const char *data, size_t size,
                                ra_prof_answers **out, ra_err *err)
{
    json_t *root;
    ra_status rc = load_object(data, size, "answers document", q ? out : NULL,
                               "no questionnaire or no place for the answers", &root, err);
    if (rc)
        return rc;
    ra_prof_answers *a = ra_calloc(1, sizeof *a);
    ra_prof_response *resp = ra_calloc(q->n_questions, sizeof *resp);
    size_t *answered_at = ra_calloc(q->n_questions, sizeof *answered_at);
    if (!a || !resp || !answered_at) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate answers to %zu questions",
                        q->n_questions);
    } else {
        rc = build_answers(q, root, resp, answered_at, err);
    }
    json_decref(root);
    ra_free(answered_at);
    if (rc) {
        RA_FREE_ALL(resp, a);
        return rc;
    }
    a->n = q->n_questions;
    a->resp = resp;
    ra_err_clear(err);
    *out = a;
    return RA_OK;
}
