/* The check of an input before scoring: it exists, it is a file, its size and (where cheap
 * or asked for) its MD5, all within the check timeout, so a job fails in seconds with a
 * plain reason instead of minutes into a stalled stream. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/httpc.h"
#include "storage/storage_impl.h"

static int rc_transport_error(StorageContext *ctx, int r, char *err, size_t n)
{
    if (r == -ETIMEDOUT) {
        snprintf(err, n, "remote unreachable (no answer within %.1f s)", ctx->cfg.check_timeout_ms / 1000.0);
        return -ETIMEDOUT;
    }
    /* Nobody answers on the rc port: the rclone process is gone. The caller replaces it. */
    snprintf(err, n, "the rclone process stopped answering");
    return -EPIPE;
}

static int parse_item(json_t *item, int want_hash, ObjectInfo *info, char *err, size_t n)
{
    if (!item || json_is_null(item)) {
        snprintf(err, n, "object not found");
        return -ENOENT;
    }
    if (json_is_true(json_object_get(item, "IsDir"))) {
        snprintf(err, n, "is a directory, not a file");
        return -EISDIR;
    }
    json_t *size = json_object_get(item, "Size");
    info->size = json_is_integer(size) && json_integer_value(size) >= 0 ? json_integer_value(size) : -1;
    const char *md5 = json_string_value(json_object_get(json_object_get(item, "Hashes"), "md5"));
    /* An empty MD5 is normal: multipart S3 uploads, blobs uploaded without Content-MD5. */
    if (want_hash && md5 && strlen(md5) == 32) {
        info->hash_type = HASH_MD5;
        snprintf(info->hash, sizeof(info->hash), "%s", md5);
    }
    return 0;
}

static int parse_stat(int status, const char *body, int want_hash, ObjectInfo *info, char *err, size_t n)
{
    json_error_t je;
    json_t *root = json_loads(body ? body : "", 0, &je);
    int r;
    if (status == 200 && root) {
        r = parse_item(json_object_get(root, "item"), want_hash, info, err, n);
    } else {
        const char *e = json_string_value(json_object_get(root, "error"));
        r = classify_rclone_error(e ? e : body ? body : "", err, n);
    }
    json_decref(root);
    return r;
}

int preflight_remote(StorageContext *ctx, StorageServer *s, const StorageTarget *t, int want_hash,
                     ObjectInfo *info, char *err, size_t n)
{
    memset(info, 0, sizeof(*info));
    info->size = -1;
    json_t *req = json_pack("{s:s, s:s, s:{s:b, s:b, s:b, s:b, s:[s]}}", "fs", s->root, "remote", t->rel,
                            "opt", "filesOnly", 1, "noMimeType", 1, "noModTime", 1, "showHash", want_hash,
                            "hashTypes", "MD5");
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL, *out = NULL, why[256];
    json_decref(req);
    if (!body) {
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    int status = storage_server_rc(ctx, s, "operations/stat", body, ctx->cfg.check_timeout_ms, &out, why,
                                   sizeof(why));
    free(body);
    int r = status < 0 ? rc_transport_error(ctx, status, err, n)
                       : parse_stat(status, out, want_hash, info, err, n);
    free(out);
    return r;
}

int preflight_local(const char *path, ObjectInfo *info, char *err, size_t n)
{
    struct stat st;
    memset(info, 0, sizeof(*info));
    info->size = -1;
    if (stat(path, &st) || access(path, R_OK)) {
        snprintf(err, n, "%s", errno == ENOENT ? "file not found" : strerror(errno));
        return errno == ENOENT ? -ENOENT : -errno;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, n, "is a directory, not a file");
        return -EISDIR;
    }
    if (S_ISREG(st.st_mode)) info->size = st.st_size; /* pipes and devices: unknown */
    return 0;
}

/* host, port and path (with query) of an http:// URL; user info is not sent in a probe. */
static int split_url(const char *url, char *host, size_t hn, int *port, char *path, size_t pn)
{
    const char *a = url + 7, *end = a + strcspn(a, "/?#"), *hs, *he, *ps = NULL;
    const char *at = memrchr(a, '@', (size_t)(end - a));
    if (at) a = at + 1;
    if (*a == '[') {
        hs = a + 1;
        he = memchr(hs, ']', (size_t)(end - hs));
        if (!he) return -EINVAL;
        if (he + 1 < end && he[1] == ':') ps = he + 2;
    } else {
        hs = a;
        he = memchr(a, ':', (size_t)(end - a));
        if (he) ps = he + 1;
        else he = end;
    }
    *port = ps ? atoi(ps) : 80;
    snprintf(host, hn, "%.*s", (int)(he - hs), hs);
    snprintf(path, pn, "%s%.*s", *end == '/' ? "" : "/", (int)strcspn(end, "#"), end);
    return host[0] && *port > 0 && *port < 65536 ? 0 : -EINVAL;
}

static int head_status(int status, long long len, ObjectInfo *info, char *err, size_t n)
{
    if (status >= 200 && status < 300) {
        info->size = len;
        return 0;
    }
    if (status == 404 || status == 410) {
        snprintf(err, n, "object not found");
        return -ENOENT;
    }
    if (status == 401 || status == 403) {
        snprintf(err, n, "authentication failed (HTTP %d)", status);
        return -EACCES;
    }
    if (status == 405 || status == 501) return 0; /* HEAD not supported: size unknown */
    snprintf(err, n, "server answered HTTP %d", status);
    return -EIO;
}

int preflight_http(StorageContext *ctx, const char *url, ObjectInfo *info, char *err, size_t n)
{
    char cur[STORAGE_PATH_MAX], host[256], path[STORAGE_PATH_MAX];
    memset(info, 0, sizeof(*info));
    info->size = -1;
    snprintf(cur, sizeof(cur), "%s", url);
    for (int hop = 0; hop < 6; hop++) {
        int port;
        /* https is left to the media layer (no TLS here): size unknown, checked as it streams */
        if (strncasecmp(cur, "http://", 7) || split_url(cur, host, sizeof(host), &port, path, sizeof(path)))
            return 0;
        HttpRequest rq = { host, port, "HEAD", path, NULL, NULL, 0, ctx->cfg.check_timeout_ms, 0 };
        HttpResult res;
        char why[256];
        int r = http_do(&rq, &res, why, sizeof(why));
        if (r) {
            snprintf(err, n, "remote unreachable (%s)",
                     r == -ETIMEDOUT      ? "no answer in time"
                     : r == -EHOSTUNREACH ? "host name does not resolve"
                                          : strerror(-r));
            return -EHOSTUNREACH;
        }
        if (res.status < 300 || res.status >= 400 || !res.location[0])
            return head_status(res.status, res.content_length, info, err, n);
        /* A redirect must pass the same checks as the input itself. */
        if (res.location[0] == '/')
            snprintf(cur + strcspn(cur + 7, "/") + 7, sizeof(cur) - strcspn(cur + 7, "/") - 7, "%s",
                     res.location);
        else snprintf(cur, sizeof(cur), "%s", res.location);
        if ((r = storage_check_url(&ctx->cfg, cur, why, sizeof(why)))) {
            snprintf(err, n, "redirect refused: %s", why);
            return r;
        }
    }
    snprintf(err, n, "too many redirects");
    return -ELOOP;
}
