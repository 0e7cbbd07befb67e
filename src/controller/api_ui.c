/* The dashboard (docs/dashboard.md): GET / redirects to /ui/, and /ui/NAME answers the files
 * built into the binary (src/web), with an ETag (a digest of the content) so that a browser
 * revalidates cheaply, and a Content-Security-Policy that allows nothing but this origin's own
 * scripts, styles and API: no inline script, no other host. The pages carry no data; what they
 * show comes from the API with the caller's own token, so these routes are open. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "web/web_assets.h"

/* 'self' only (connect-src: the API); the report downloads are blob: links, which need none. */
#define UI_CSP                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static const char
    *const ui_headers[] = {
        "Content-Security-Policy",
        UI_CSP,
        "Cache-Control",
        "no-cache", /* always revalidated (ETag): a new binary's files at once */
        "X-Content-Type-Options",
        "nosniff",
        "Referrer-Policy",
        "no-referrer",
        "X-Frame-Options",
        "DENY",
        NULL,
    };

static const WebAsset *find_asset(const char *name)
{
    for (const WebAsset *a = web_assets; a->name; a++)
        if (!strcmp(a->name, name)) return a;
    return NULL;
}

/* 1 if the If-None-Match header names etag (a list, or '*'). */
static int not_modified(const HttpReq *rq, const char *etag)
{
    const char *inm = http_header(rq, "If-None-Match");
    if (!inm) return 0;
    if (!strcmp(inm, "*")) return 1;
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag))
        if ((p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
            (!p[n] || p[n] == ',' || p[n] == ' '))
            return 1;
    return 0;
}

static void serve(const HttpReq *rq, HttpResp *resp, const char *name)
{
    const WebAsset *a = find_asset(name);
    if (!a) {
        api_reply_error(resp, 404, NULL, "no such dashboard file: %s", name);
        return;
    }
    resp->headers = ui_headers;
    resp->header_name = "ETag";
    snprintf(resp->header_value, sizeof(resp->header_value), "%s", a->etag);
    if (not_modified(rq, a->etag)) {
        api_reply_empty(resp, 304);
        return;
    }
    resp->status = 200;
    resp->body = (char *)a->data;
    resp->body_static = 1;
    resp->len = a->len;
    resp->type = a->type;
}

static void redirect(HttpResp *resp, const char *to)
{
    api_reply_empty(resp, 302);
    resp->header_name = "Location";
    snprintf(resp->header_value, sizeof(resp->header_value), "%s", to);
}

void api_ui_root(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)c, (void)rq, (void)args;
    redirect(resp, "/ui/");
}

void api_ui_index(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)c, (void)args;
    serve(rq, resp, "index.html");
}

void api_ui_file(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)c;
    serve(rq, resp, args->a[0]);
}
