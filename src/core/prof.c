/* Risk profiling and suitability: include/roboadvisor/prof.h. Every formula is in
 * docs/methodology.md#risk-profiling-and-suitability. Pure: no I/O, no allocation. */
#include <roboadvisor/prof.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The responses obey what ra_prof_answers_parse checks, so that a caller building them by hand
 * cannot score nonsense. */
static ra_status check_response(const ra_prof_questionnaire *q, size_t i,
                                const ra_prof_response *r, ra_err *err)
{
    const ra_prof_question *qu = &q->questions[i];
    char where[40];
    snprintf(where, sizeof where, "responses[%zu]", i);
    if (!r->answered) {
        if (qu->required)
            return ra_err_set(err, RA_EINVAL, where,
                              "missing an answer to the required question \"%s\"", qu->id);
        return RA_OK;
    }
    uint64_t valid = qu->n_options >= 64 ? UINT64_MAX : ((uint64_t)1 << qu->n_options) - 1;
    if (r->chosen == 0 || (r->chosen & ~valid))
        return ra_err_set(err, RA_EINVAL, where,
                          "the chosen answers of question \"%s\" (mask %#llx) are not among its "
                          "%zu answers", qu->id, (unsigned long long)r->chosen, qu->n_options);
    int n = popcount64(r->chosen);
    if (qu->kind != RA_PROF_MULTIPLE && n != 1)
        return ra_err_set(err, RA_EINVAL, where, "question \"%s\" takes one answer, got %d",
                          qu->id, n);
    if (qu->kind == RA_PROF_MULTIPLE && n > 1)
        for (size_t k = 0; k < qu->n_options; k++)
            if ((r->chosen >> k & 1) && qu->options[k].exclusive)
                return ra_err_set(err, RA_EINVAL, where,
                                  "answer \"%s\" of question \"%s\" excludes every other",
                                  qu->options[k].id, qu->id);
    if (qu->kind == RA_PROF_NUMBER) {
        double x = r->value;
        if (!isfinite(x) || x < qu->options[0].min || x > qu->max ||
            (qu->integer && x != floor(x)))
            return ra_err_set(err, RA_EINVAL, where,
                              "value %g is not accepted by question \"%s\"", x, qu->id);
        size_t k = qu->n_options - 1;
        while (k > 0 && x < qu->options[k].min)
            k--;
        if (r->chosen != (uint64_t)1 << k)
            return ra_err_set(err, RA_EINVAL, where,
                              "value %g of question \"%s\" lies in band \"%s\", not the chosen one",
                              x, qu->id, qu->options[k].id);
    }
    return RA_OK;
}

/* Score of one answered question: the chosen answer's (single, number), or the highest or the
 * sum of the chosen ones (multiple). */
static double question_score(const ra_prof_question *qu, uint64_t chosen)
{
    double s = 0.0;
    for (size_t k = 0; k < qu->n_options; k++) {
        if (!(chosen >> k & 1))
            continue;
        double sc = qu->options[k].score;
        if (qu->kind == RA_PROF_MULTIPLE && qu->combine_sum)
            s += sc;
        else if (sc > s)
            s = sc;
    }
    return s;
}

static int band_level(const double *bands, double score)
{
    int level = 1;
    for (int k = 1; k < RA_PROF_LEVELS; k++)
        if (score + RA_PROF_TOL_BAND >= bands[k])
            level = k + 1;
    return level;
}

ra_status ra_prof_score(const ra_prof_questionnaire *q, const ra_prof_response *resp, size_t n,
                        size_t lang_index, ra_date taken, ra_profile *out, ra_err *err)
{
    if (!q || !resp || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "no questionnaire, responses or profile");
    if (n != q->n_questions)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "%zu responses for the %zu questions of questionnaire \"%s\"", n,
                          q->n_questions, q->id);
    if (lang_index >= q->n_langs)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "language index %zu, but questionnaire \"%s\" has %zu languages",
                          lang_index, q->id, q->n_langs);
    for (size_t i = 0; i < n; i++) {
        ra_status rc = check_response(q, i, &resp[i], err);
        if (rc)
            return rc;
    }

    ra_profile p;
    memset(&p, 0, sizeof p);
    snprintf(p.questionnaire_id, sizeof p.questionnaire_id, "%s", q->id);
    p.version = q->version;

    /* Each measure: 100 * sum(w * s) / sum(w * s_max) over its answered questions. Fixed
     * question order, so the sums do not depend on how the answers were listed. */
    double num[3] = {0, 0, 0}, den[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const ra_prof_question *qu = &q->questions[i];
        if (!resp[i].answered)
            continue;
        num[qu->measure] += qu->weight * question_score(qu, resp[i].chosen);
        den[qu->measure] += qu->weight * qu->max_score;
        for (size_t k = 0; k < qu->n_options; k++) {
            int cap = qu->options[k].cap;
            if ((resp[i].chosen >> k & 1) && cap && (p.cap == 0 || cap < p.cap)) {
                p.cap = cap;
                p.cap_question = qu->id;
                p.cap_option = qu->options[k].id;
            }
        }
    }
    if (den[RA_PROF_TOLERANCE] <= 0.0 || den[RA_PROF_CAPACITY] <= 0.0)
        return ra_err_set(err, RA_EINVAL, NULL, "no answered question measures risk %s",
                          den[RA_PROF_TOLERANCE] <= 0.0 ? "tolerance" : "capacity");
    p.tolerance_score = 100.0 * num[RA_PROF_TOLERANCE] / den[RA_PROF_TOLERANCE];
    p.capacity_score = 100.0 * num[RA_PROF_CAPACITY] / den[RA_PROF_CAPACITY];
    p.tolerance_level = band_level(q->bands[0], p.tolerance_score);
    p.capacity_level = band_level(q->bands[1], p.capacity_score);
    p.level = p.tolerance_level < p.capacity_level ? p.tolerance_level : p.capacity_level;
    if (p.cap && p.cap < p.level)
        p.level = p.cap;

    for (size_t r = 0; r < q->n_rules; r++) {
        const ra_prof_rule *rule = &q->rules[r];
        int fires = 1;
        for (size_t c = 0; c < rule->n_clauses && fires; c++) {
            const ra_prof_clause *cl = &rule->clauses[c];
            fires = resp[cl->question].answered && (resp[cl->question].chosen & cl->options);
        }
        if (fires) {
            ra_prof_flag *f = &p.flags[p.n_flags++];
            f->rule = r;
            f->rule_id = rule->id;
            f->reason = rule->reason[lang_index];
        }
    }
    p.needs_review = p.n_flags > 0;
    p.taken = taken;
    p.expires = ra_prof_add_months(taken, q->validity_months);
    *out = p;
    ra_err_clear(err);
    return RA_OK;
}

int ra_prof_expired(const ra_profile *p, ra_date date)
{
    return !p || date >= p->expires;
}

ra_date ra_prof_add_months(ra_date date, int months)
{
    int y, m, d;
    ra_date_to_ymd(date, &y, &m, &d);
    long total = (long)y * 12 + (m - 1) + months;
    y = (int)(total / 12);
    m = (int)(total % 12) + 1;
    while (d > 28 && !ra_date_valid(y, m, d))
        d--;
    return ra_date_from_ymd(y, m, d);
}

const char *ra_prof_level_name(int level)
{
    static const char *const names[] = {"C1", "C2", "C3", "C4", "C5"};
    return level >= 1 && level <= RA_PROF_LEVELS ? names[level - 1] : "?";
}

const char *ra_suit_level_name(int level)
{
    static const char *const names[] = {"R1", "R2", "R3", "R4", "R5"};
    return level >= 1 && level <= RA_PROF_LEVELS ? names[level - 1] : "?";
}

ra_status ra_prof_level_parse(const char *s, char prefix, int *level, ra_err *err)
{
    if (!s || !level)
        return ra_err_set(err, RA_EINVAL, NULL, "no level text or no place for the level");
    if (strlen(s) != 2 || s[0] != prefix || s[1] < '1' || s[1] > '5')
        return ra_err_set(err, RA_EINVAL, NULL, "\"%.20s\" is not a level %c1 to %c5", s, prefix,
                          prefix);
    *level = s[1] - '0';
    return RA_OK;
}

/* ---- suitability -------------------------------------------------------------------------- */

ra_status ra_suit_check(int client_level, int product_level, const char *product,
                        const char *justification, ra_suit_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for the suitability result");
    memset(res, 0, sizeof *res);
    res->client_level = client_level;
    res->product_level = product_level;
    if (client_level < 1 || client_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "client risk level %d is not 1 to 5 (C1 to C5)",
                          client_level);
    if (product_level < 1 || product_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "product risk level %d is not 1 to 5 (R1 to R5)",
                          product_level);
    char name[96];
    if (product && product[0])
        snprintf(name, sizeof name, "\"%.80s\"", product);
    else
        snprintf(name, sizeof name, "the product");
    if (product_level <= client_level) {
        res->suitable = res->allowed = 1;
        ra_err_clear(err);
        return RA_OK;
    }
    snprintf(res->reason, sizeof res->reason,
             "%s has risk level %s, above the client's risk level %s", name,
             ra_suit_level_name(product_level), ra_prof_level_name(client_level));
    if (!justification)
        return ra_err_set(err, RA_EINFEASIBLE, NULL, "%s", res->reason);
    size_t len = strlen(justification);
    int blank = 1;
    for (size_t i = 0; i < len && blank; i++)
        blank = isspace((unsigned char)justification[i]) != 0;
    if (blank)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "%s: an advisor override needs a written justification", res->reason);
    if (len > RA_SUIT_MAX_JUSTIFICATION)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the override's justification is %zu bytes, more than the limit of %d",
                          len, RA_SUIT_MAX_JUSTIFICATION);
    memcpy(res->justification, justification, len + 1);
    res->allowed = res->overridden = 1;
    snprintf(res->reason, sizeof res->reason,
             "%s has risk level %s, above the client's risk level %s: offered on an advisor "
             "override", name, ra_suit_level_name(product_level), ra_prof_level_name(client_level));
    ra_err_clear(err);
    return RA_OK;
}
