/* Shared by the statement and the reports of src/engine (not public). */
#ifndef RA_ENGINE_STATEMENT_INT_H
#define RA_ENGINE_STATEMENT_INT_H

#include <roboadvisor/store.h>

/* The firm, the account and its client (the client's name needs the firm's key): store errors as
 * they are (RA_ENOTFOUND naming what is missing). */
ra_status stmt_parties(ra_store *s, const char *firm, const char *account, ra_firm *f,
                       ra_account *a, ra_client *c, ra_err *err);

#endif
