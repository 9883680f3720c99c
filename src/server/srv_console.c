/* roboadvisor server: the advisor console's files (web/, embedded at build time by
 * cmake/embed_console.cmake into srv_assets[]). srv_main.c answers GET / and /console/... from
 * here with the file's Content-Type, its ETag (a 304 to a matching If-None-Match), a short cache
 * and srv_console_csp. The console itself is plain HTML, CSS and JavaScript that calls /v1 with
 * the key the user signs in with (web/app.js). */
#include "server/srv.h"

#include <string.h>

/* No inline script or style attribute, no other origin: scripts, styles, images and API calls
 * come from this server only; the pages cannot be framed. */
const char srv_console_csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

const srv_asset *srv_asset_find(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/console") == 0 ||
        strcmp(path, "/console/") == 0)
        path = "/console/index.html";
    if (strncmp(path, "/console/", 9) != 0)
        return NULL;
    for (size_t i = 0; i < srv_assets_n; i++)
        if (strcmp(srv_assets[i].path, path) == 0)
            return &srv_assets[i];
    return NULL;
}
