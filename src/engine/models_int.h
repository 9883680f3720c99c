/* Internal to the engine's model building (src/engine/models.c, models_bl.c). */
#ifndef RA_ENGINE_MODELS_INT_H
#define RA_ENGINE_MODELS_INT_H

#include <roboadvisor/engine_models.h>

/* The two-stage build of every level (docs/methodology.md#two-stage-models), stored like
 * ra_models_build_all's. */
ra_status ra_models_build_two_stage(ra_store *s, const ra_store_actor *actor,
                                    const ra_models_build_opts *o, ra_models_build_result *res,
                                    ra_err *err);

/* models_bl.c's stage helpers, shared with models_cvar.c: class c's first fund the level may hold
 * without limit (-1 none); its level and slots in stage 1; stage 2's fill of weight w (the funds
 * appended to m, their names joined by '+' into used). */
long models_first_plain_fund(const ra_models_class_inputs *ci, size_t c, int level);
void models_class_stage1(const ra_models_class_inputs *ci, size_t c, int level, int *lvl,
                         size_t *slots);
void models_fill_class(const ra_models_class_inputs *ci, size_t c, int level, double w,
                       ra_model *m, char *used, size_t cap);

/* The expected return and volatility of class weights w (ci order) into m. */
void models_class_stats(const ra_models_class_inputs *ci, const double *w, ra_model *m);

/* src/engine/models_cvar.c (docs/methodology.md#the-cvar-objective). After the mean-variance
 * build of level (m): with o->objective cvar or cvar-limit, the class stage again by
 * ra_models_cvar_solve and stage 2 on its weights; then the model's CVaR figures at o->cvar_beta
 * over the scenarios (each class's representative fund's returns in sh). */
ra_status models_cvar_level(const ra_models_class_inputs *ci, const ra_models_shelf *sh,
                            const ra_models_build_opts *o, int level, ra_model *m, ra_err *err);
/* src/engine/models_funds.c: m->notes, why each class held has its fund and which funds the
 * firm's minimum daily value excluded (docs/methodology.md#two-stage-models). */
void models_fund_notes(const ra_models_class_inputs *ci, int level, ra_model *m);
/* The CVaR figures alone, on m's class weights (after the turnover bound moved them). */
ra_status models_cvar_figures(const ra_models_class_inputs *ci, const ra_models_shelf *sh,
                              const ra_models_build_opts *o, int level, ra_model *m, ra_err *err);

#endif
