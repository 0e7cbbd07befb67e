/* The URI table (docs/storage.md): what each input form means for rclone. Pure string work:
 * no file system, no network, so the controller can validate jobs with it too. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/storage_uri.h"
#include "storage/uri_util.h"

static int fail(char *err, size_t n, const char *uri, const char *why)
{
    char shown[512];
    uri_display(uri, shown, sizeof(shown));
    snprintf(err, n, "%s: %s", shown, why);
    return -EINVAL;
}

static const char *remote_for_scheme(const StorageConfig *cfg, const char *scheme)
{
    for (int i = 0; cfg && i < cfg->n_remotes; i++)
        if (!strcasecmp(cfg->remotes[i].scheme, scheme)) return cfg->remotes[i].remote;
    return NULL;
}

static int bucket_scheme(const StorageConfig *cfg, const char *scheme)
{
    if (!strcmp(scheme, "s3") || !strcmp(scheme, "gcs") || !strcmp(scheme, "azblob")) return 1;
    return strcmp(scheme, "sftp") && remote_for_scheme(cfg, scheme) != NULL;
}

/* Splits "remote:path" at the colon that ends the remote: a name (after the leading colon
 * of an on-the-fly ":backend"), then optional ",param=value" parts whose values may hold
 * anything but an unquoted colon or comma. NULL when s is not of that form. */
static const char *remote_colon(const char *spec)
{
    const char *p = spec + (spec[0] == ':');
    size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@- ");
    if (!name) return NULL;
    p += name;
    if (*p == ':') return p;
    if (*p != ',') return NULL;
    char quote = 0;
    for (; *p; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
            continue;
        }
        if (*p == '"' || *p == '\'') quote = *p;
        else if (*p == ':') return p;
    }
    return NULL;
}

int uri_is_remote_spec(const char *s)
{
    const char *c = remote_colon(s);
    if (!c || c == s) return 0;
    size_t name_len = strcspn(s + (s[0] == ':'), ",:");
    return name_len > 0 && !strchr(" -", s[s[0] == ':']);
}

/* Root = remote + first path element (bucket, container, top directory); rel = the rest. */
static int split_root(StorageTarget *t)
{
    const char *body = t->path;
    const char *prefix = "";
    if (*body == '/') {
        body++;
        prefix = "/";
    }
    const char *slash = strchr(body, '/');
    if (slash) {
        /* The trailing slash says "directory" to backends that would otherwise probe: the
         * http backend sends a HEAD and, when the server is down, decides it is a file. */
        snprintf(t->root, sizeof(t->root), "%s:%s%.*s/", t->remote, prefix, (int)(slash - body), body);
        snprintf(t->rel, sizeof(t->rel), "%s", slash + 1);
    } else {
        snprintf(t->root, sizeof(t->root), "%s:%s", t->remote, prefix);
        snprintf(t->rel, sizeof(t->rel), "%s", body);
    }
    return t->rel[0] && t->rel[strlen(t->rel) - 1] != '/' ? 0 : -EINVAL;
}

int uri_root_at_parent(StorageTarget *t)
{
    const char *slash = strrchr(t->path, '/');
    if (!slash) return 0;
    snprintf(t->root, sizeof(t->root), "%s:%.*s/", t->remote, (int)(slash - t->path), t->path);
    snprintf(t->rel, sizeof(t->rel), "%s", slash + 1);
    return 0;
}

static int set_remote(StorageTarget *t, const char *remote, size_t rlen, const char *path, const char *uri,
                      char *err, size_t n)
{
    if (rlen >= sizeof(t->remote) || strlen(path) >= sizeof(t->path)) return fail(err, n, uri, "too long");
    t->kind = STORAGE_REMOTE;
    snprintf(t->remote, sizeof(t->remote), "%.*s", (int)rlen, remote);
    size_t cn = remote[0] == ':' ? 0 : strcspn(t->remote, ",");
    snprintf(t->config_name, sizeof(t->config_name), "%.*s", (int)cn, t->remote);
    snprintf(t->path, sizeof(t->path), "%s", path);
    if (snprintf(t->location, sizeof(t->location), "%s:%s", t->remote, t->path) >= (int)sizeof(t->location))
        return fail(err, n, uri, "too long");
    if (uri_has_dotdot(t->path)) return fail(err, n, uri, "'..' in the path is not allowed");
    if (split_root(t)) return fail(err, n, uri, "names a bucket or directory, not an object");
    return 0;
}

/* A connection string parameter that carries a secret would end up on rclone's command
 * line, visible to every local user: secrets belong in rclone.conf. */
static int secret_param(const char *remote, size_t len)
{
    static const char *words[] = { "secret", "pass", "token", "sas", "key", NULL };
    for (const char *p = memchr(remote, ',', len); p && p < remote + len;
         p = memchr(p + 1, ',', (size_t)(remote + len - p - 1))) {
        char name[64];
        size_t nl = strcspn(p + 1, "=,:");
        snprintf(name, sizeof(name), "%.*s", (int)(nl < sizeof(name) ? nl : sizeof(name) - 1), p + 1);
        for (char *q = name; *q; q++) *q = (char)tolower((unsigned char)*q);
        size_t l = strlen(name);
        int file = l > 5 && !strcmp(name + l - 5, "_file"); /* key_file is a path, not a key */
        for (int i = 0; words[i] && !file; i++)
            if (strstr(name, words[i])) return 1;
    }
    return 0;
}

/* A job names a remote of rclone.conf; it does not define one. An on-the-fly backend or a
 * parameter on a remote would let it point rclone anywhere (a metadata address above all),
 * so both need the operator's opt-in; storage_allow_check() then judges each address they carry. */
static int parse_remote_spec(const char *spec, const char *uri, const StorageConfig *cfg, StorageTarget *t,
                             char *err, size_t n)
{
    const char *c = remote_colon(spec);
    if (!c || c == spec) return fail(err, n, uri, "expected remote:path");
    if (secret_param(spec, (size_t)(c - spec)))
        return fail(err, n, uri,
                    "credentials in a connection string are not accepted; put them in rclone.conf");
    if ((spec[0] == ':' || memchr(spec, ',', (size_t)(c - spec))) && !(cfg && cfg->connection_strings))
        return fail(err, n, uri,
                    "on-the-fly remotes and connection-string parameters are refused (name a "
                    "remote of rclone.conf, or see --storage-connection-strings)");
    return set_remote(t, spec, (size_t)(c - spec), c + 1, uri, err, n);
}

static int parse_bucket(const char *scheme, const char *rest, const StorageConfig *cfg, const char *uri,
                        StorageTarget *t, char *err, size_t n)
{
    size_t alen = strcspn(rest, "/?#");
    if (rest[alen] == '?' || rest[alen] == '#')
        return fail(err, n, uri, "query and fragment are not supported");
    char bucket[256], key[STORAGE_PATH_MAX], path[STORAGE_PATH_MAX + 260];
    if (!alen || alen >= sizeof(bucket) || memchr(rest, '@', alen) || memchr(rest, ':', alen))
        return fail(err, n, uri, "expected scheme://bucket/key");
    if (uri_decode(rest, alen, bucket, sizeof(bucket)) ||
        uri_decode(rest + alen + (rest[alen] == '/'), strlen(rest + alen + (rest[alen] == '/')), key,
                   sizeof(key)))
        return fail(err, n, uri, "bad percent-encoding or control character");
    if (!key[0]) return fail(err, n, uri, "names a bucket, not an object");
    const char *remote = remote_for_scheme(cfg, scheme);
    if (!remote) remote = scheme;
    snprintf(path, sizeof(path), "%s/%s", bucket, key);
    return set_remote(t, remote, strlen(remote), path, uri, err, n);
}

static int valid_sftp_part(const char *s, int host)
{
    if (!*s) return !host;
    if (host && s[0] == '[')
        return s[strlen(s) - 1] == ']' && strspn(s + 1, "0123456789abcdefABCDEF:.") == strlen(s) - 2;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == strlen(s);
}

/* sftp://[user@]host[:port]/path -> REMOTE,host=host,user=user,port=port:path. The connection
 * string overrides host, user and port of the [sftp] section; keys and known_hosts still
 * come from that section. */
static int parse_sftp(const char *rest, const StorageConfig *cfg, const char *uri, StorageTarget *t,
                      char *err, size_t n)
{
    size_t alen = strcspn(rest, "/?#");
    char auth[512], user[512] = "", host[512], port[16] = "", path[STORAGE_PATH_MAX];
    if (rest[alen] != '/' || !alen || alen >= sizeof(auth))
        return fail(err, n, uri, "expected sftp://[user@]host[:port]/path");
    if (uri_decode(rest, alen, auth, sizeof(auth)) ||
        uri_decode(rest + alen + 1, strlen(rest + alen + 1), path, sizeof(path)))
        return fail(err, n, uri, "bad percent-encoding or control character");
    char *hp = auth, *at = strrchr(auth, '@');
    if (at) {
        *at = 0;
        if (strchr(auth, ':'))
            return fail(err, n, uri, "passwords in URIs are not accepted; put credentials in rclone.conf");
        snprintf(user, sizeof(user), "%s", auth);
        hp = at + 1;
    }
    char *pc = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
    if (pc) {
        pc += hp[0] == '[' ? 1 : 0;
        *pc = 0;
        snprintf(port, sizeof(port), "%s", pc + 1);
    }
    snprintf(host, sizeof(host), "%s", hp);
    int portnum = port[0] ? atoi(port) : 1;
    if (!host[0] || !valid_sftp_part(host, 1) || !valid_sftp_part(user, 0) || portnum < 1 ||
        portnum > 65535 || strspn(port, "0123456789") != strlen(port))
        return fail(err, n, uri, "bad user, host or port");
    const char *name = remote_for_scheme(cfg, "sftp");
    char remote[1200], hostval[520];
    if (host[0] == '[') snprintf(hostval, sizeof(hostval), "\"%.*s\"", (int)strlen(host) - 2, host + 1);
    else snprintf(hostval, sizeof(hostval), "%s", host); /* an IPv6 literal goes in quotes */
    size_t len = (size_t)snprintf(remote, sizeof(remote), "%s,host=%s", name ? name : "sftp", hostval);
    if (user[0]) len += (size_t)snprintf(remote + len, sizeof(remote) - len, ",user=%s", user);
    if (port[0]) snprintf(remote + len, sizeof(remote) - len, ",port=%s", port);
    return set_remote(t, remote, strlen(remote), path, uri, err, n);
}

static int parse_http(const char *uri, StorageTarget *t, char *err, size_t n)
{
    const char *auth = strstr(uri, "://") + 3;
    size_t alen = strcspn(auth, "/?#");
    if (!alen) return fail(err, n, uri, "no host");
    const char *path = auth + alen;
    char dec[STORAGE_PATH_MAX];
    size_t plen = strcspn(path, "?#");
    if (uri_decode(path, plen, dec, sizeof(dec)))
        return fail(err, n, uri, "bad percent-encoding or control character");
    if (uri_has_dotdot(dec)) return fail(err, n, uri, "'..' in the path is not allowed");
    if (strlen(uri) >= sizeof(t->location)) return fail(err, n, uri, "too long");
    t->kind = STORAGE_HTTP;
    snprintf(t->location, sizeof(t->location), "%s", uri);
    return 0;
}

static int parse_local(const char *path, const char *uri, StorageTarget *t, char *err, size_t n)
{
    if (!*path) return fail(err, n, uri, "empty path");
    if (strlen(path) >= sizeof(t->location)) return fail(err, n, uri, "too long");
    t->kind = STORAGE_LOCAL;
    snprintf(t->location, sizeof(t->location), "%s", path);
    snprintf(t->path, sizeof(t->path), "%s", path);
    return 0;
}

static int parse_file_uri(const char *uri, StorageTarget *t, char *err, size_t n)
{
    const char *rest = uri + 7;
    size_t alen = strcspn(rest, "/");
    if (alen && !(alen == 9 && !strncasecmp(rest, "localhost", 9)))
        return fail(err, n, uri, "file:// URIs must name a local path (file:///path)");
    char path[STORAGE_PATH_MAX];
    if (uri_decode(rest + alen, strlen(rest + alen), path, sizeof(path)))
        return fail(err, n, uri, "bad percent-encoding or control character");
    if (uri_has_dotdot(path)) return fail(err, n, uri, "'..' in the path is not allowed");
    return parse_local(path, uri, t, err, n);
}

int storage_parse_uri(const char *uri, const StorageConfig *cfg, StorageTarget *t, char *err, size_t n)
{
    memset(t, 0, sizeof(*t));
    if (!uri || !*uri) {
        snprintf(err, n, "empty input");
        return -EINVAL;
    }
    for (const char *p = uri; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return fail(err, n, uri, "control character in the input");
    const char *sep = strstr(uri, "://");
    char scheme[32] = "";
    if (sep && (size_t)(sep - uri) < sizeof(scheme) &&
        strspn(uri, "abcdefghijklmnopqrstuvwxyz"
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") == (size_t)(sep - uri) &&
        sep > uri) {
        for (size_t i = 0; i < (size_t)(sep - uri); i++) scheme[i] = (char)tolower((unsigned char)uri[i]);
    }
    if (!scheme[0]) {
        if (uri_is_remote_spec(uri)) return parse_remote_spec(uri, uri, cfg, t, err, n);
        return parse_local(uri, uri, t, err, n);
    }
    if (!strcmp(scheme, "http") || !strcmp(scheme, "https")) return parse_http(uri, t, err, n);
    if (!strcmp(scheme, "file")) return parse_file_uri(uri, t, err, n);
    if (!strcmp(scheme, "sftp")) return parse_sftp(sep + 3, cfg, uri, t, err, n);
    if (!strcmp(scheme, "rclone")) {
        char spec[STORAGE_PATH_MAX];
        if (uri_decode(sep + 3, strlen(sep + 3), spec, sizeof(spec)))
            return fail(err, n, uri, "bad percent-encoding or control character");
        return parse_remote_spec(spec, uri, cfg, t, err, n);
    }
    if (bucket_scheme(cfg, scheme)) return parse_bucket(scheme, sep + 3, cfg, uri, t, err, n);
    char why[96];
    snprintf(why, sizeof(why), "unsupported URI scheme '%s'", scheme);
    return fail(err, n, uri, why);
}
