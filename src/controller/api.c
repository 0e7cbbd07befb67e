/* Routing, authorisation and the answers every endpoint shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

void api_reply_json(HttpResp *r, int status, json_t *j)
{
    r->status = status;
    r->body = j ? json_dumps(j, DUMP_FLAGS) : NULL;
    r->len = r->body ? strlen(r->body) : 0;
    if (!r->body) r->status = 500;
    json_decref(j);
}

void api_reply_error(HttpResp *r, int status, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{ss}", "error", msg);
    if (j && field) json_object_set_new(j, "field", json_string(field));
    api_reply_json(r, status, j);
    r->status = status;
}

void api_reply_empty(HttpResp *r, int status)
{
    r->status = status;
    r->body = NULL;
    r->len = 0;
}

json_t *api_body_object(const HttpReq *rq, HttpResp *r)
{
    json_error_t je;
    json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        api_reply_error(r, 400, "", "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line,
                        je.column);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        api_reply_error(r, 400, "", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

int api_get_uint_field(json_t *o, const char *key, int required, long long max, long long *out, HttpResp *r)
{
    json_t *v = json_object_get(o, key);
    if (!v && !required) return 0;
    if (!v) {
        api_reply_error(r, 400, key, "%s: is required", key);
        return -1;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
        api_reply_error(r, 400, key, "%s: must be an integer from 0 to %lld", key, max);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* ---- operations endpoints (open: probes and scrapers carry no token) ---- */

static void api_healthz(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)c, (void)rq, (void)args;
    api_reply_json(resp, 200, json_pack("{ss}", "status", "ok"));
}

/* Ready means the store takes writes (a full disk still lets reads through). The probe
 * writes, so it runs at most once a second whoever asks: /readyz is open. */
static int store_writable(Controller *c)
{
    pthread_mutex_lock(&c->ready_lock);
    double now = controller_now();
    if (now - c->ready_at >= 1.0 || now < c->ready_at) {
        c->ready_err = c->store->ops->ping(c->store);
        c->ready_at = now;
    }
    int err = c->ready_err;
    pthread_mutex_unlock(&c->ready_lock);
    return !err;
}

static void api_readyz(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)rq, (void)args;
    if (atomic_load(&c->stopping)) api_reply_error(resp, 503, NULL, "shutting down");
    else if (!store_writable(c)) api_reply_error(resp, 503, NULL, "database unavailable (writes fail)");
    else api_reply_json(resp, 200, json_pack("{ss}", "status", "ready"));
}

static void api_metrics(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)rq, (void)args;
    StoreStats st;
    double now = controller_now();
    if (c->store->ops->stats(c->store, now, c->cfg.lease_ttl, &st)) {
        api_reply_error(resp, 503, NULL, "database unavailable");
        return;
    }
    resp->body = metrics_render(&c->metrics, &st, now, &resp->len);
    resp->status = resp->body ? 200 : 500;
    resp->type = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- routing ---- */

typedef struct Route {
    const char *method, *pattern;
    unsigned need; /* Permission bits; 0: open */
    RouteFn fn;
} Route;

static const Route routes[] = {
    { "GET", "/healthz", 0, api_healthz },
    { "GET", "/readyz", 0, api_readyz },
    { "GET", "/metrics", 0, api_metrics },
    { "GET", "/", 0, api_ui_root },
    { "GET", "/ui", 0, api_ui_root },
    { "GET", "/ui/", 0, api_ui_index },
    { "GET", "/ui/*", 0, api_ui_file },
    { "POST", "/v1/jobs", PERM_WRITE, api_submit },
    { "GET", "/v1/jobs", PERM_READ, api_list },
    { "GET", "/v1/jobs/*", PERM_READ, api_get_job },
    { "GET", "/v1/jobs/*/frames", PERM_READ, api_frames },
    { "POST", "/v1/jobs/*/cancel", PERM_WRITE, api_cancel },
    { "GET", "/v1/models", PERM_READ, api_models },
    { "GET", "/v1/events", PERM_READ, api_events },
    { "POST", "/v1/nodes/*/register", PERM_NODE, api_register },
    { "POST", "/v1/nodes/*/heartbeat", PERM_NODE, api_heartbeat },
    { "POST", "/v1/nodes/*/lease", PERM_NODE, api_lease },
    { "POST", "/v1/nodes/*/jobs/*/progress", PERM_NODE, api_progress },
    { "POST", "/v1/nodes/*/jobs/*/result", PERM_NODE, api_result },
    { "POST", "/v1/nodes/*/jobs/*/release", PERM_NODE, api_release },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Ids and node names: letters, digits, '.', '_', '-'; nothing that could escape a path. */
static int segment_ok(const char *s, size_t len)
{
    if (!len || len >= NODE_ID_MAX) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return 0;
    }
    return !(len <= 2 && s[0] == '.');
}

/* 1 if url matches pattern, with the '*' parts copied into args. */
static int match(const char *pattern, const char *url, RouteArgs *args)
{
    int k = 0;
    while (*pattern && *url) {
        if (*pattern == '*') {
            size_t len = strcspn(url, "/");
            if (!segment_ok(url, len) || k == 2) return 0;
            snprintf(args->a[k++], NODE_ID_MAX, "%.*s", (int)len, url);
            url += len;
            pattern++;
        } else if (*pattern++ != *url++) {
            return 0;
        }
    }
    return !*pattern && !*url;
}

static void authorise_and_run(Controller *c, const Route *rt, const HttpReq *rq, HttpResp *resp,
                              RouteArgs *args)
{
    char who[AUTH_NAME_MAX] = "";
    if (rt->need) {
        size_t len;
        const char *h = http_header_n(rq, "Authorization", &len);
        const char *node = !strncmp(rt->pattern, "/v1/nodes/", 10) ? args->a[0] : NULL;
        int a = auth_check(c->auth, h, len, (Permission)rt->need, node, who, sizeof(who));
        if (a == 400) {
            api_reply_error(resp, 400, NULL, "Authorization: control characters are not allowed");
            return;
        }
        if (a == 401) {
            int given = auth_token_given(h);
            if (given)
                api_reply_error(resp, 401, NULL,
                                "token not recognised (not in the controller's tokens file)");
            else api_reply_error(resp, 401, NULL, "a bearer token is required (Authorization: Bearer TOKEN)");
            resp->header_name = "WWW-Authenticate";
            snprintf(resp->header_value, sizeof(resp->header_value), "Bearer realm=\"vmafx\"%s",
                     given ? ", error=\"invalid_token\"" : ""); /* RFC 6750 3.1 */
            return;
        }
        if (a == 403) {
            api_reply_error(resp, 403, NULL, "token '%s' lacks the role for %s %s%s", who, rq->method,
                            rq->url, node ? " (or is bound to another node)" : "");
            return;
        }
    }
    args->who = who;
    rt->fn(c, rq, resp, args);
}

void api_handle(void *user, const HttpReq *rq, HttpResp *resp)
{
    Controller *c = user;
    RouteArgs args;
    int path_known = 0;
    for (size_t i = 0; i < N_ROUTES; i++) {
        memset(&args, 0, sizeof(args));
        if (!match(routes[i].pattern, rq->url, &args)) continue;
        path_known = 1;
        if (strcmp(routes[i].method, rq->method)) continue;
        authorise_and_run(c, &routes[i], rq, resp, &args);
        metrics_request(&c->metrics, resp->status);
        return;
    }
    if (path_known) api_reply_error(resp, 405, NULL, "%s is not allowed on %s", rq->method, rq->url);
    else api_reply_error(resp, 404, NULL, "no such endpoint: %s", rq->url);
    metrics_request(&c->metrics, resp->status);
}

/* The probe address serves the operations endpoints only (not the dashboard, also open). */
static int probe_route(const Route *rt)
{
    return rt->fn == api_healthz || rt->fn == api_readyz || rt->fn == api_metrics;
}

void api_handle_probe(void *user, const HttpReq *rq, HttpResp *resp)
{
    Controller *c = user;
    RouteArgs args;
    for (size_t i = 0; i < N_ROUTES; i++) {
        memset(&args, 0, sizeof(args));
        if (!probe_route(&routes[i]) || strcmp(routes[i].method, rq->method) ||
            !match(routes[i].pattern, rq->url, &args))
            continue;
        args.who = "probe";
        routes[i].fn(c, rq, resp, &args);
        return;
    }
    api_reply_error(resp, 404, NULL, "the probe address answers only GET /healthz, /readyz and /metrics");
}

size_t api_body_cap(void *user, const char *method, const char *url)
{
    Controller *c = user;
    size_t len = strlen(url);
    (void)method;
    /* only a node's result carries the reports; everything else is small */
    if (!strncmp(url, "/v1/nodes/", 10) && len > 7 && !strcmp(url + len - 7, "/result"))
        return c->cfg.max_result_body;
    return c->cfg.max_body;
}
