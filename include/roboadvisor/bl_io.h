/* roboadvisor: the firm's Black-Litterman views and market weights as CSV (io layer,
 * src/io/views_csv.c; docs/formats.md#views and #market-weights). The types are in bl.h. */
#ifndef ROBOADVISOR_BL_IO_H
#define ROBOADVISOR_BL_IO_H

#include "bl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BL_MAX_CSV ((size_t)1 << 16) /* bytes of a views or market-weights file */

/* "view,assets,versus,return,confidence" (header required; versus and confidence may be empty;
 * at most RA_BL_MAX_VIEWS rows; view codes unique). RA_EPARSE with err->where
 * "NAME:LINE:COL (FIELD)". Classes are checked against the shelf later (ra_bl_views_matrix). */
RA_API RA_NODISCARD ra_status ra_bl_views_parse(const char *data, size_t size, const char *name,
                                                ra_bl_views *out, ra_err *err);

/* "asset_class,weight": weights >= 0 summing to 1 within 0.001 (normalised exactly to 1 here);
 * each class once. */
RA_API RA_NODISCARD ra_status ra_bl_market_parse(const char *data, size_t size, const char *name,
                                                 ra_bl_market *out, ra_err *err);

/* The text form of views and weights (the same CSV; parses back to the same values). Returns
 * the bytes written (excluding the NUL) or the size needed when it does not fit in cap. */
RA_API size_t ra_bl_views_format(const ra_bl_views *v, char *buf, size_t cap);
RA_API size_t ra_bl_market_format(const ra_bl_market *m, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
