/* roboadvisor: two internal entry points of the store that src/store/store_profiles.c needs and
 * store.c does not export yet (store.c is being refactored and may not be edited on this branch).
 *
 * TEMPORARY: store_hook.c implements them from outside store.c. The lead should move them into
 * store.c (ra_store_db returns s->db; ra_store_audit_append wraps the static audit()) and delete
 * store_hook.c; store_profiles.c then needs no change. */
#ifndef RA_STORE_HOOK_H
#define RA_STORE_HOOK_H

#include "roboadvisor/store.h"
#include "store/db.h"

/* The store's database connection (every statement must go through it so that it joins the
 * store's transaction). */
ra_db *ra_store_db(ra_store *s);

/* Appends one record to the audit chain in the current transaction (docs/methodology.md#audit-
 * trail): action "create"/"update"/..., entity, entity id, before and after JSON ("null" when
 * absent). The caller holds a transaction or savepoint. */
ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *a, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err);

#endif
