/* roboadvisor: names of the domain records' enumerations (book.h). */
#include "roboadvisor/book.h"

#include <string.h>

static const char *const type_names[] = {"taxable", "tax_deferred", "tax_free"};

const char *ra_account_type_name(ra_account_type t)
{
    if ((int)t < 0 || (size_t)t >= sizeof type_names / sizeof type_names[0])
        return "?";
    return type_names[t];
}

ra_status ra_account_type_parse(const char *s, ra_account_type *out, ra_err *err)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (s && strcmp(s, type_names[i]) == 0) {
            *out = (ra_account_type)i;
            return RA_OK;
        }
    return ra_err_set(err, RA_EPARSE, NULL,
                      "account type must be taxable, tax_deferred or tax_free, got \"%.40s\"",
                      s ? s : "");
}
