/* Internal to the engine's model building (src/engine/models.c, models_bl.c). */
#ifndef RA_ENGINE_MODELS_INT_H
#define RA_ENGINE_MODELS_INT_H

#include <roboadvisor/engine_models.h>

/* The two-stage build of every level (docs/methodology.md#two-stage-models), stored like
 * ra_models_build_all's. */
ra_status ra_models_build_two_stage(ra_store *s, const ra_store_actor *actor,
                                    const ra_models_build_opts *o, ra_models_build_result *res,
                                    ra_err *err);

#endif
