/* roboadvisor store: the firm's inputs to building models — Black-Litterman views, market
 * weights and pinned funds — kept in versions, never edited, audited (entity "model_inputs";
 * src/store/store_views.c, migration 0018_model_inputs.sql; docs/cli.md#views). */
#ifndef ROBOADVISOR_STORE_VIEWS_H
#define ROBOADVISOR_STORE_VIEWS_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_SCHEMA_MODEL_INPUTS 18 /* the migration that adds them */
#define RA_MODEL_INPUT_REASON_MAX 256

/* What an input is: the text's format is that kind's CSV (bl_io.h; pins: "ticker" then one ticker
 * a line). */
typedef enum ra_model_input_kind {
    RA_MODEL_INPUT_VIEWS = 0,
    RA_MODEL_INPUT_MARKET = 1,
    RA_MODEL_INPUT_PINS = 2
} ra_model_input_kind;
#define RA_MODEL_INPUT_KINDS 3
RA_API const char *ra_model_input_kind_name(ra_model_input_kind k); /* "views", "market", "pins" */

typedef struct ra_model_input {
    ra_model_input_kind kind;
    int64_t version;              /* 1, 2, ...; 0: none stored (the defaults apply) */
    char *body;                   /* the text (ra_malloc'd; free with ra_free) */
    char user[RA_CODE_MAX];
    char reason[RA_MODEL_INPUT_REASON_MAX];
    int64_t at;                   /* Unix seconds */
} ra_model_input;

/* Stores body as the next version of the firm's input `kind` (unless it equals the current one:
 * then *version is the current one and nothing is written). The caller has validated the text.
 * reason is required (who decided it and why). */
RA_API RA_NODISCARD ra_status ra_store_model_input_put(ra_store *s, const ra_store_actor *actor,
                                                       ra_model_input_kind kind,
                                                       const char *body, const char *reason,
                                                       int64_t *version, ra_err *err);

/* Version `version` (0: the latest) of the firm's input; none stored: RA_OK with version 0 and
 * body NULL; a version asked for that does not exist: RA_ENOTFOUND. */
RA_API RA_NODISCARD ra_status ra_store_model_input_get(ra_store *s, const char *firm,
                                                       ra_model_input_kind kind, int64_t version,
                                                       ra_model_input *out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
