/* A webhook's target and one attempt at it: the allow-list and address rules (with the
 * storage layer's URL reading and address classes, so there is one URL parser), the
 * signature (GnuTLS's HMAC), and the POST (the project's HTTP client). */
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/httpc.h"
#include "storage/storage_uri.h"
#include "webhook.h"

static int allowed_explicitly(const WebhookConfig *cfg, const char *url)
{
    for (unsigned i = 0; i < cfg->n_allow; i++)
        if (storage_url_under(url, cfg->allow[i])) return 1;
    return 0;
}

int webhook_check_target(const WebhookConfig *cfg, const char *url, int resolve, char *addr, size_t an,
                         char *err, size_t n)
{
    char host[256], why[200];
    int https = !strncasecmp(url, "https://", 8);
    if (!https && strncasecmp(url, "http://", 7))
        return snprintf(err, n, "not an http:// or https:// URL"), -EINVAL;
    const char *auth = url + (https ? 8 : 7);
    if (memchr(auth, '@', strcspn(auth, "/?#")))
        return snprintf(err, n, "credentials in the URL are not supported (events are signed)"), -EINVAL;
    if (storage_url_host(url, host, sizeof(host)))
        return snprintf(err, n, "the URL's host is empty or malformed"), -EINVAL;
    unsigned refuse = STORAGE_ADDR_METADATA | STORAGE_ADDR_LOOPBACK;
    if (allowed_explicitly(cfg, url)) refuse = 0;
    else if (cfg->n_allow) return snprintf(err, n, "not under any --webhook-allow prefix"), -EPERM;
    char scratch[64];
    if (!addr) addr = scratch, an = sizeof(scratch);
    int r = 0;
    if (resolve || refuse) r = storage_resolve_checked(host, refuse, addr, an, why, sizeof(why));
    /* at submit, a name that does not resolve yet may by the time the job ends */
    if (r == -EHOSTUNREACH && !resolve) r = 0;
    if (r) snprintf(err, n, "%s: %s", host, why);
    return r;
}

int webhook_sign(const void *key, size_t klen, const char *timestamp, const char *body, size_t blen,
                 char out[7 + 64 + 1])
{
    gnutls_hmac_hd_t h;
    unsigned char d[32];
    if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, key, klen) < 0) return -EINVAL;
    int r = gnutls_hmac(h, timestamp, strlen(timestamp));
    if (r >= 0) r = gnutls_hmac(h, ".", 1);
    if (r >= 0) r = gnutls_hmac(h, body, blen);
    gnutls_hmac_deinit(h, d);
    if (r < 0) return -EINVAL;
    memcpy(out, "sha256=", 7);
    for (int i = 0; i < 32; i++) snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* Port and path of an http(s) URL whose host storage_url_host read. */
static void port_and_path(const char *url, int https, int *port, char *path, size_t pn)
{
    const char *a = strstr(url, "://") + 3;
    size_t alen = strcspn(a, "/?#");
    const char *end = a + alen, *close = *a == '[' ? memchr(a, ']', alen) : NULL;
    const char *colon = memchr(close ? close : a, ':', (size_t)(end - (close ? close : a)));
    *port = colon && colon + 1 < end ? atoi(colon + 1) : https ? 443 : 80;
    size_t plen = strcspn(end, "#");
    snprintf(path, pn, "%s%.*s", *end == '/' ? "" : "/", (int)plen, end);
}

int webhook_post(const WebhookConfig *cfg, const char *url, const char *addr, const char *headers,
                 const char *body, char *err, size_t n)
{
    char host[256], path[2048];
    int https = !strncasecmp(url, "https://", 8), port;
    if (storage_url_host(url, host, sizeof(host))) return snprintf(err, n, "malformed URL"), -1;
    port_and_path(url, https, &port, path, sizeof(path));
    HttpRequest rq = { .host = host,
                       .port = port,
                       .method = "POST",
                       .path = path,
                       .headers = headers,
                       .body = body,
                       .body_len = strlen(body),
                       .timeout_ms = (int)(cfg->timeout * 1000),
                       .max_body = 64 * 1024 };
    HttpTls tls = { .ca_file = cfg->ca_file };
    HttpResult res;
    char why[512];
    int e = http_do_at(&rq, addr, https ? &tls : NULL, &res, why, sizeof(why));
    if (e) {
        /* the client names host:port; a path may carry a token, so it is never shown */
        snprintf(err, n, "%s", why);
        return -1;
    }
    int status = res.status;
    http_result_free(&res);
    if (status >= 200 && status < 300) return 0;
    snprintf(err, n, "HTTP %d from %s:%d", status, host, port);
    return -1;
}
