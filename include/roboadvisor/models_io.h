/* roboadvisor: hand-authored model portfolios from CSV (io layer, src/io/models_csv.c;
 * docs/formats.md#model-portfolios). The model types are in models.h. */
#ifndef ROBOADVISOR_MODELS_IO_H
#define ROBOADVISOR_MODELS_IO_H

#include "models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- hand-authored models: CSV (docs/formats.md#model-portfolios) ------------------------------- */

/* Parses "model,version,ticker,weight" rows (header required; version may be empty) into
 * *out (an array of *n models, free it with ra_free). Each model's weights must sum to 1 within
 * RA_TOL_WEIGHT_SUM. RA_EPARSE with err->where "FILE:LINE:FIELD" (field = column name). Levels are
 * not computed here (they need the asset classes). */
RA_API RA_NODISCARD ra_status ra_models_csv_parse(const char *data, size_t size, const char *name,
                                                  ra_model **out, size_t *n, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
