/* roboadvisor: the questionnaire and answers readers (io layer, src/io/questionnaire.c;
 * docs/formats.md#risk-questionnaires). The types and the scoring are in prof.h. */
#ifndef ROBOADVISOR_PROF_IO_H
#define ROBOADVISOR_PROF_IO_H

#include "prof.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses and checks a questionnaire document (data, size: UTF-8 JSON, not NUL-terminated).
 * Checks: syntax; types; ids present, well-formed and unique (questions; answers within their
 * question; rules); every text in every language; scores, weights, caps and bands in range;
 * number bands strictly increasing; at least one required question measuring tolerance and one
 * measuring capacity, each able to score above 0; clauses naming existing questions and answers.
 * Keys beginning with "_" are comments and ignored; any other key not in the format is an error. */
RA_API RA_NODISCARD ra_status ra_prof_questionnaire_parse(const char *data, size_t size,
                                                          ra_prof_questionnaire **out,
                                                          ra_err *err);

/* Parses an answers document {"questionnaire": id, "version": v, "answers": [{"question": id,
 * "choice": id | "choices": [ids] | "value": number}, ...]} and checks it against q: the id and
 * version match, every question exists and is answered at most once with the key and type of its
 * kind, every answer exists, multiple choices are distinct and respect exclusive answers, numbers
 * are in range (and whole where required), and every required question is answered. */
RA_API RA_NODISCARD ra_status ra_prof_answers_parse(const ra_prof_questionnaire *q,
                                                    const char *data, size_t size,
                                                    ra_prof_answers **out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
