/* roboadvisor: risk profiling (questionnaire -> risk level C1..C5) and suitability (C vs R).
 *
 * A questionnaire is data: a JSON document a firm writes (docs/formats.md#risk-questionnaire,
 * the default in examples/questionnaire/default.json). ra_prof_questionnaire_parse reads and
 * checks it (src/util/questionnaire.c); ra_prof_answers_parse reads a client's answers and
 * checks them against it. Both reject a bad document with RA_EPARSE, err->where the JSON path of
 * the problem ("$.answers[3].choice") and err->msg saying what is wrong; nothing is half-built
 * (on error *out is NULL; RA_ENOMEM if memory runs out). ra_prof_score (src/core/prof.c, pure) turns checked answers into a
 * profile; ra_suit_check decides whether a product of risk level R1..R5 may be offered to a
 * client of level C1..C5. Method: docs/methodology.md#risk-profiling-and-suitability. */
#ifndef ROBOADVISOR_PROF_H
#define ROBOADVISOR_PROF_H

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of a questionnaire; a larger document is rejected naming the limit. */
#define RA_PROF_MAX_DOC ((size_t)1 << 20) /* bytes of a questionnaire or answers document */
#define RA_PROF_MAX_ID 63                 /* bytes of an id ([A-Za-z0-9_.-]) */
#define RA_PROF_MAX_LANGS 8
#define RA_PROF_MAX_QUESTIONS 100
#define RA_PROF_MAX_OPTIONS 64   /* answers (or bands) of one question: a 64-bit choice mask */
#define RA_PROF_MAX_RULES 32     /* contradiction rules */
#define RA_PROF_MAX_CLAUSES 8    /* clauses of one contradiction rule */
#define RA_PROF_MAX_SCORE 1000.0 /* answer scores are in [0, this] */
#define RA_PROF_MAX_WEIGHT 100.0 /* question weights are in (0, this] */
#define RA_PROF_LEVELS 5         /* C1..C5 and R1..R5 */
#define RA_PROF_DEFAULT_VALIDITY_MONTHS 12 /* a profile expires one year after it is taken */
/* A measure's score (0..100) reaches a band's lower bound if it is within this below it: the
 * score is a ratio of sums of decimal scores, and 100 * 7 / 10 must reach a band at 70. */
#define RA_PROF_TOL_BAND 1e-9

typedef enum ra_prof_kind {
    RA_PROF_SINGLE = 0, /* exactly one answer: "choice" */
    RA_PROF_MULTIPLE,   /* one or more answers: "choices" */
    RA_PROF_NUMBER      /* a number: "value", scored by the band it falls in */
} ra_prof_kind;

typedef enum ra_prof_measure {
    RA_PROF_NONE = 0,   /* not scored (may still knock out or contradict) */
    RA_PROF_TOLERANCE,  /* willingness to take risk */
    RA_PROF_CAPACITY    /* ability to bear losses */
} ra_prof_measure;

/* One answer of a single/multiple question, or one score band of a number question. */
typedef struct ra_prof_option {
    char *id;
    char **text;     /* n_langs texts (UTF-8), in the order of ra_prof_questionnaire.langs;
                      * NULL for a band without a label */
    double score;    /* >= 0 */
    int cap;         /* knock-out: choosing it caps the client's level at C<cap>; 0 = none */
    int exclusive;   /* multiple: may not be chosen with another answer ("none of these") */
    double min;      /* number: the band holds min <= value < next band's min */
} ra_prof_option;

typedef struct ra_prof_question {
    char *id;
    char **text;                 /* n_langs texts */
    ra_prof_kind kind;
    ra_prof_measure measure;
    double weight;               /* > 0; default 1 */
    int required;                /* default 1 */
    int combine_sum;             /* multiple: 1 = sum of chosen scores, 0 = highest (default) */
    int integer;                 /* number: the value must be whole */
    double max;                  /* number: highest accepted value (inclusive); +inf if none.
                                  * The lowest accepted value is options[0].min. */
    size_t n_options;
    ra_prof_option *options;     /* answers, or bands sorted by strictly increasing min */
    double max_score;            /* the highest score the question can give (derived) */
} ra_prof_question;

typedef struct ra_prof_clause {
    size_t question;             /* index into questions */
    uint64_t options;            /* bit k: options[k] of that question */
} ra_prof_clause;

/* Fires when, for every clause, the client chose (or their value fell in) one of its options. */
typedef struct ra_prof_rule {
    char *id;
    char **reason;               /* n_langs texts */
    size_t n_clauses;
    ra_prof_clause *clauses;
} ra_prof_rule;

typedef struct ra_prof_questionnaire {
    char *id;
    int64_t version;             /* >= 1 */
    size_t n_langs;
    char **langs;                /* language tags ("en", "zh-Hans"); the first is the default */
    char **title;                /* n_langs texts; NULL if the document has no title */
    int validity_months;         /* a profile expires this many months after it is taken */
    double bands[2][RA_PROF_LEVELS]; /* [0] tolerance, [1] capacity: lower bounds of C1..C5 on
                                      * the 0..100 score; bands[m][0] = 0, strictly increasing */
    size_t n_questions;
    ra_prof_question *questions;
    size_t n_rules;
    ra_prof_rule *rules;
} ra_prof_questionnaire;

RA_API void ra_prof_questionnaire_destroy(ra_prof_questionnaire *q);

/* Index of a language tag in q->langs (exact match, then case-insensitive); RA_ENOTFOUND
 * listing the available tags. */
RA_API RA_NODISCARD ra_status ra_prof_lang_find(const ra_prof_questionnaire *q, const char *lang,
                                                size_t *index, ra_err *err);
/* Index of a question by id, or SIZE_MAX. */
RA_API size_t ra_prof_question_find(const ra_prof_questionnaire *q, const char *id);

/* A client's response to one question (index i of q->questions). */
typedef struct ra_prof_response {
    int answered;
    uint64_t chosen;  /* bit k: options[k] chosen; number questions: the bit of the value's band */
    double value;     /* number questions: the value; otherwise 0 */
} ra_prof_response;

typedef struct ra_prof_answers {
    size_t n;                    /* = q->n_questions */
    ra_prof_response *resp;      /* n, in the order of q->questions */
} ra_prof_answers;

RA_API void ra_prof_answers_destroy(ra_prof_answers *a);

/* A contradiction found in the answers, for advisor review. Pointers borrow from q. */
typedef struct ra_prof_flag {
    size_t rule;                 /* index into q->rules */
    const char *rule_id;
    const char *reason;          /* in the requested language */
} ra_prof_flag;

typedef struct ra_profile {
    char questionnaire_id[RA_PROF_MAX_ID + 1];
    int64_t version;
    double tolerance_score;      /* 0..100 */
    double capacity_score;       /* 0..100 */
    int tolerance_level;         /* 1..5 = C1..C5, from q->bands[0] */
    int capacity_level;          /* 1..5, from q->bands[1] */
    int cap;                     /* lowest knock-out cap among the chosen answers; 0 = none */
    const char *cap_question;    /* the question and answer that set cap (borrowed); NULL if none */
    const char *cap_option;
    int level;                   /* the client's level: min(tolerance, capacity, cap if any) */
    size_t n_flags;
    ra_prof_flag flags[RA_PROF_MAX_RULES];
    int needs_review;            /* n_flags > 0 */
    ra_date taken;
    ra_date expires;             /* first date on which the profile is no longer valid */
} ra_profile;

/* Scores the responses (n = q->n_questions, e.g. from ra_prof_answers_parse, or built by the
 * caller) into *out; texts in language lang_index. taken: the date the answers were given; the
 * profile expires q->validity_months later (the same day of the month, or the month's last day).
 * RA_EINVAL (where "responses[i]") if the responses break the rules ra_prof_answers_parse checks. */
RA_API RA_NODISCARD ra_status ra_prof_score(const ra_prof_questionnaire *q,
                                            const ra_prof_response *resp, size_t n,
                                            size_t lang_index, ra_date taken, ra_profile *out,
                                            ra_err *err);

/* 1 if the profile must be renewed on date (date >= p->expires), else 0. */
RA_API int ra_prof_expired(const ra_profile *p, ra_date date);
/* date plus months calendar months, the day clamped to the end of the target month. */
RA_API ra_date ra_prof_add_months(ra_date date, int months);

/* "C1".."C5" / "R1".."R5" for 1..5, "?" otherwise. */
RA_API const char *ra_prof_level_name(int level);
RA_API const char *ra_suit_level_name(int level);
/* Parses "C3" (prefix 'C') or "R3" (prefix 'R'); RA_EINVAL naming the text otherwise. */
RA_API RA_NODISCARD ra_status ra_prof_level_parse(const char *s, char prefix, int *level,
                                                  ra_err *err);

/* ---- suitability ---------------------------------------------------------------------- */
#define RA_SUIT_MAX_JUSTIFICATION 1000 /* bytes of an override's written justification */

typedef struct ra_suit_result {
    int suitable;      /* product_level <= client_level */
    int allowed;       /* may be offered: suitable, or overridden */
    int overridden;    /* unsuitable, offered on an advisor's written justification */
    int client_level, product_level;
    char reason[256];  /* why it was refused or overridden; empty when simply suitable */
    char justification[RA_SUIT_MAX_JUSTIFICATION + 1]; /* the override's text, copied */
} ra_suit_result;

/* May a product (model or security; `product` names it in messages, may be NULL) of risk level
 * product_level (1..5 = R1..R5) be offered to a client of level client_level (1..5 = C1..C5)?
 * Suitable: RA_OK, allowed. Unsuitable without an override (justification NULL): RA_EINFEASIBLE,
 * not allowed, res->reason and err->msg say why. Unsuitable with a justification: RA_OK, allowed
 * and overridden, the justification copied; a justification that is empty or only white space,
 * or longer than RA_SUIT_MAX_JUSTIFICATION bytes, is RA_EINVAL (not allowed). A justification
 * given for a suitable product is not needed and not recorded. Levels outside 1..5: RA_EINVAL. */
RA_API RA_NODISCARD ra_status ra_suit_check(int client_level, int product_level,
                                            const char *product, const char *justification,
                                            ra_suit_result *res, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
