/* One authenticated JSON exchange with the controller (see apiclient.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiclient.h"
#include "base/httpc.h"

#define TOKEN_MAX 4096

static int parse_port(const char *s, int *port)
{
    char *end;
    long p = strtol(s, &end, 10);
    if (end == s || (*end && *end != '/') || p < 1 || p > 65535) return -1;
    *port = (int)p;
    return 0;
}

/* host[:port] or [v6]:port at s; returns the rest (the prefix) or NULL. */
static const char *parse_hostport(const char *s, ApiEndpoint *ep)
{
    const char *hend, *rest;
    if (*s == '[') {
        hend = strchr(s, ']');
        if (!hend) return NULL;
        snprintf(ep->host, sizeof(ep->host), "%.*s", (int)(hend - s - 1), s + 1);
        rest = hend + 1;
    } else {
        hend = s + strcspn(s, ":/");
        snprintf(ep->host, sizeof(ep->host), "%.*s", (int)(hend - s), s);
        rest = hend;
    }
    if (!*ep->host) return NULL;
    ep->port = ep->tls ? 443 : 80;
    if (*rest == ':') {
        if (parse_port(rest + 1, &ep->port)) return NULL;
        rest += 1 + strspn(rest + 1, "0123456789");
    }
    return rest;
}

int api_parse_addr(const char *addr, ApiEndpoint *ep, char *err, size_t n)
{
    memset(ep, 0, sizeof(*ep));
    if (!addr || !*addr) {
        snprintf(err, n, "no controller address (--controller or VMAFX_CONTROLLER_ADDR)");
        return -EINVAL;
    }
    const char *s = addr;
    ep->tls = !strncmp(s, "https://", 8);
    if (ep->tls) s += 8;
    else if (!strncmp(s, "http://", 7)) s += 7;
    else if (strstr(s, "://")) {
        snprintf(err, n, "controller address %s: only http:// and https:// are supported", addr);
        return -EINVAL;
    }
    const char *rest = parse_hostport(s, ep);
    if (!rest || (*rest && *rest != '/') || strlen(rest) >= sizeof(ep->prefix)) {
        snprintf(err, n, "controller address '%s' is not http(s)://HOST:PORT", addr);
        return -EINVAL;
    }
    snprintf(ep->prefix, sizeof(ep->prefix), "%s", rest);
    size_t pl = strlen(ep->prefix);
    while (pl && ep->prefix[pl - 1] == '/') ep->prefix[--pl] = 0;
    return 0;
}

static int read_token(const char *path, char *tok, size_t n, char *err, size_t en)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, en, "token file %s: %s", path, strerror(errno));
        return -errno;
    }
    if (!fgets(tok, (int)n, f)) *tok = 0;
    fclose(f);
    tok[strcspn(tok, " \t\r\n")] = 0;
    if (!*tok) {
        snprintf(err, en, "token file %s: empty", path);
        return -EINVAL;
    }
    return 0;
}

static int auth_header(const ApiClient *c, const char *extra, char *out, size_t n, char *err, size_t en)
{
    char tok[TOKEN_MAX] = "";
    if (c->token_file) {
        int e = read_token(c->token_file, tok, sizeof(tok), err, en);
        if (e) return e;
    } else if (c->token) {
        snprintf(tok, sizeof(tok), "%s", c->token);
    }
    int len = snprintf(out, n, "%s%s%s%sContent-Type: application/json\r\nAccept: application/json\r\n",
                       *tok ? "Authorization: Bearer " : "", tok, *tok ? "\r\n" : "", extra ? extra : "");
    if (len < 0 || (size_t)len >= n) {
        snprintf(err, en, "token or headers too long");
        return -EMSGSIZE;
    }
    return 0;
}

int api_call(const ApiClient *c, const ApiRequest *rq, ApiResponse *r, char *err, size_t n)
{
    memset(r, 0, sizeof(*r));
    char headers[TOKEN_MAX + 1024], path[4096];
    int e = auth_header(c, rq->headers, headers, sizeof(headers), err, n);
    if (e) return e;
    snprintf(path, sizeof(path), "%s%s", c->ep.prefix, rq->path);
    HttpRequest hr = { .host = c->ep.host,
                       .port = c->ep.port,
                       .method = rq->method,
                       .path = path,
                       .headers = headers,
                       .body = rq->body,
                       .body_len = rq->body_len,
                       .timeout_ms = rq->timeout_ms,
                       .max_body = rq->max_body };
    HttpResult res;
    HttpTls tls = { c->ep.ca_file };
    char why[512];
    e = http_do_tls(&hr, c->ep.tls ? &tls : NULL, &res, why, sizeof(why));
    if (e) {
        snprintf(err, n, "controller %s:%d: %s", c->ep.host, c->ep.port, why);
        return e;
    }
    r->status = res.status;
    r->len = res.body_len;
    r->body = res.body && res.body_len ? res.body : NULL;
    if (!r->body) free(res.body);
    return 0;
}

void api_response_free(ApiResponse *r)
{
    free(r->body);
    r->body = NULL;
}

void api_error_text(const ApiResponse *r, char *out, size_t n)
{
    json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (msg) snprintf(out, n, "%s (HTTP %d)", msg, r->status);
    else snprintf(out, n, "HTTP %d", r->status);
    json_decref(j);
}
