/* roboadvisor: the onboarding document reader (io layer, src/io/onboard_doc.c). */
#ifndef ROBOADVISOR_ONBOARD_IO_H
#define ROBOADVISOR_ONBOARD_IO_H

#include "onboard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses and checks everything but the answers themselves (those need the questionnaire: give
 * doc->answers to ra_prof_answers_parse, whose paths are the same). RA_EPARSE with the JSON path
 * ("$.client.birth_year", "$.accounts[1].type"); RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_onboard_doc_parse(const char *data, size_t size,
                                                   ra_onboard_doc **out, ra_err *err);
RA_API void ra_onboard_doc_destroy(ra_onboard_doc *doc);

#ifdef __cplusplus
}
#endif
#endif
