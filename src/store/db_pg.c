/* placeholder, replaced below */
#include "store/db.h"
ra_status ra_db_pg_open(const char *url, const ra_db_open_options *o, ra_db **out, ra_err *err)
{
    (void)url; (void)o; (void)out;
    return ra_err_set(err, RA_EINVAL, NULL, "postgresql is not built");
}
