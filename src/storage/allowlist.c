/* Scoring-root allow-list and the refusal of cloud metadata addresses.
 *
 * Allow entries are local directories, URL prefixes, remote:path prefixes or storage URIs
 * (s3://bucket/dir, sftp://user@host/dir). Local inputs are judged first by their spelling
 * (before the file system is touched, so the answer tells nothing about files outside the
 * roots), then after realpath(), so "..", and symlinks pointing out of a root, are judged by
 * where they really lead. Metadata addresses are refused in http(s) URLs and in every
 * address parameter of an rclone connection string. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage_uri.h"
#include "storage/uri_util.h"

static int refuse(const char *what, const char *why, char *err, size_t n)
{
    snprintf(err, n, "%s: %s", what, why);
    return -EPERM;
}

/* Prefix match that ends on a path boundary: "/srv/media" allows "/srv/media/a" but not
 * "/srv/media2/a". */
static int under(const char *s, const char *prefix)
{
    size_t len = strlen(prefix);
    if (!len || strncmp(s, prefix, len)) return 0;
    char last = prefix[len - 1];
    return s[len] == 0 || s[len] == '/' || last == '/' || last == ':';
}

static int under_url(const char *url, const char *prefix)
{
    const char *us = strstr(url, "://"), *ps = strstr(prefix, "://");
    if (!us || !ps) return 0;
    size_t ua = strcspn(us + 3, "/?#"), pa = strcspn(ps + 3, "/?#");
    /* scheme and host compare without case, the path with it */
    if (us - url != ps - prefix || strncasecmp(url, prefix, (size_t)(us - url)) || ua != pa ||
        strncasecmp(us + 3, ps + 3, ua))
        return 0;
    const char *up = us + 3 + ua, *pp = ps + 3 + pa;
    return !*pp || !strcmp(pp, "/") || under(up, pp);
}

/* A storage URI entry becomes remote:path by parsing it with a file name added. */
static int entry_as_remote(const char *entry, const StorageConfig *cfg, char *out, size_t n)
{
    char probe[1100], err[256];
    size_t len = strlen(entry);
    snprintf(probe, sizeof(probe), "%s%sx", entry, len && entry[len - 1] == '/' ? "" : "/");
    StorageTarget *t = malloc(sizeof(*t));
    if (!t) return -ENOMEM;
    int r = storage_parse_uri(probe, cfg, t, err, sizeof(err));
    if (!r && t->kind == STORAGE_REMOTE) {
        size_t l = strlen(t->location);
        snprintf(out, n, "%.*s", (int)(l - 2 + (len && entry[len - 1] == '/')), t->location);
    } else {
        r = -EINVAL;
    }
    free(t);
    return r;
}

static int local_allowed(const StorageConfig *cfg, const char *real)
{
    for (int i = 0; i < cfg->n_allow; i++) {
        const char *e = cfg->allow[i];
        char root[PATH_MAX];
        if (!strncmp(e, "file://", 7)) e += 7;
        if (*e != '/') continue;
        if (realpath(e, root) && under(real, root)) return 1;
    }
    return 0;
}

/* path made absolute against the working directory, its "." and ".." segments and repeated
 * slashes folded, without looking at the file system: the first gate of a local input, so
 * that what lies outside every root is refused before anything is opened or resolved. */
static int lexical_abs(const char *path, char *out, size_t n)
{
    char buf[2 * PATH_MAX + 2];
    if (path[0] == '/') snprintf(buf, sizeof(buf), "%s", path);
    else if (!getcwd(buf, PATH_MAX)) return -errno;
    else snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%s", path);
    size_t o = 0;
    for (const char *p = buf; *p;) {
        while (*p == '/') p++;
        size_t len = strcspn(p, "/");
        if (!len || (len == 1 && p[0] == '.')) {
            p += len;
            continue;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[--o] != '/') {}
            p += len;
            continue;
        }
        if (o + len + 2 > n) return -ENAMETOOLONG;
        out[o++] = '/';
        memcpy(out + o, p, len);
        o += len;
        p += len;
    }
    if (!o) out[o++] = '/';
    out[o] = 0;
    return 0;
}

/* The roots as written (folded the same way) and as they resolve: "/srv/media" given as a
 * link to /mnt/media admits both spellings. */
static int lexically_allowed(const StorageConfig *cfg, const char *abs)
{
    for (int i = 0; i < cfg->n_allow; i++) {
        const char *e = cfg->allow[i];
        char root[PATH_MAX], real[PATH_MAX];
        if (!strncmp(e, "file://", 7)) e += 7;
        if (*e != '/') continue;
        if (!lexical_abs(e, root, sizeof(root)) && under(abs, root)) return 1;
        if (realpath(e, real) && under(abs, real)) return 1;
    }
    return 0;
}

/* For a path that does not resolve: where it would lead, judged by its deepest existing
 * ancestor, after following a dangling link at its end. A link inside a root that leads out
 * of it gets the same answer whether its target exists. */
static int ancestor_allowed(const StorageConfig *cfg, const char *abs, int depth)
{
    char cur[PATH_MAX], real[PATH_MAX], target[PATH_MAX];
    struct stat st;
    ssize_t len;
    if (depth < 40 && !lstat(abs, &st) && S_ISLNK(st.st_mode) &&
        (len = readlink(abs, target, sizeof(target) - 1)) > 0) {
        target[len] = 0;
        const char *slash = strrchr(abs, '/');
        char joined[2 * PATH_MAX + 2];
        if (target[0] == '/') snprintf(joined, sizeof(joined), "%s", target);
        else snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - abs), abs, target);
        return !lexical_abs(joined, cur, sizeof(cur)) && ancestor_allowed(cfg, cur, depth + 1);
    }
    snprintf(cur, sizeof(cur), "%s", abs);
    for (char *slash; (slash = strrchr(cur, '/'));) {
        if (slash == cur) return local_allowed(cfg, "/");
        *slash = 0;
        if (realpath(cur, real)) return local_allowed(cfg, real);
    }
    return 0;
}

int storage_allow_resolve_local(const StorageConfig *cfg, const char *path, char real[PATH_MAX],
                                const char *what, char *err, size_t n)
{
    static const char outside[] = "not under an allowed scoring root";
    char abs[PATH_MAX];
    if (cfg->n_allow && (lexical_abs(path, abs, sizeof(abs)) || !lexically_allowed(cfg, abs)))
        return refuse(what, outside, err, n);
    if (!realpath(path, real)) {
        int e = errno;
        if (cfg->n_allow && !ancestor_allowed(cfg, abs, 0)) return refuse(what, outside, err, n);
        snprintf(err, n, "%s: %s", what, e == ENOENT ? "file not found" : strerror(e));
        return -e;
    }
    if (cfg->n_allow && !local_allowed(cfg, real)) return refuse(what, outside, err, n);
    return 0;
}

static int remote_allowed(const StorageConfig *cfg, const char *location)
{
    for (int i = 0; i < cfg->n_allow; i++) {
        char prefix[1100];
        const char *e = cfg->allow[i];
        if (*e == '/' || !strncasecmp(e, "file://", 7) || !strncasecmp(e, "http://", 7) ||
            !strncasecmp(e, "https://", 8))
            continue;
        if (strstr(e, "://")) {
            if (entry_as_remote(e, cfg, prefix, sizeof(prefix))) continue;
        } else {
            snprintf(prefix, sizeof(prefix), "%s", e);
        }
        if (under(location, prefix)) return 1;
    }
    return 0;
}

static int url_allowed(const StorageConfig *cfg, const char *url)
{
    for (int i = 0; i < cfg->n_allow; i++)
        if (under_url(url, cfg->allow[i])) return 1;
    return 0;
}

static int metadata_v4(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);
    return (h & 0xffff0000u) == 0xa9fe0000u /* 169.254.0.0/16: link-local, AWS/GCP/Azure */
           || h == 0x646464c8u;             /* 100.100.100.200: Alibaba Cloud's metadata */
}

static int metadata_v6(const struct in6_addr *a)
{
    static const unsigned char ec2[16] = { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 };
    if (!memcmp(a->s6_addr, ec2, 16)) return 1;
    if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80) return 1; /* fe80::/10 */
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        struct in_addr v4;
        memcpy(&v4, a->s6_addr + 12, 4);
        return metadata_v4(v4);
    }
    return 0;
}

/* The host of "scheme://[user@]host[:port]/..." (brackets of an IPv6 literal removed); -1
 * when the authority is not well formed: no host, two '@', an unclosed bracket, or anything
 * but a number after the host's colon ("@::ffff:a9fe:ae:a9]": readers would split it their own
 * ways). */
static int url_host(const char *url, char *host, size_t n)
{
    const char *a = strstr(url, "://");
    a = a ? a + 3 : url;
    size_t len = strcspn(a, "/?#");
    const char *at = memchr(a, '@', len);
    int ok = 1;
    if (at) {
        ok = !memchr(at + 1, '@', len - (size_t)(at + 1 - a)); /* "u@@h", "u@v@h": which host? */
        len -= (size_t)(at + 1 - a);
        a = at + 1;
    }
    const char *end = a + len, *port;
    if (*a == '[') {
        const char *close = memchr(a, ']', len);
        port = close ? close + 1 : end;
        len = close ? (size_t)(close - a - 1) : 0;
        a++;
        if (!close) len = 0;
    } else {
        const char *colon = memchr(a, ':', len);
        port = colon ? colon : end;
        if (colon) len = (size_t)(colon - a);
    }
    ok &= len > 0;
    if (port < end) { /* ":digits" and nothing else */
        ok &= *port == ':';
        for (const char *p = port + 1; p < end; p++) ok &= *p >= '0' && *p <= '9';
    }
    /* "h." is the same name as "h" to a resolver (a fully qualified name) */
    while (len > 1 && a[len - 1] == '.') len--;
    snprintf(host, n, "%.*s", (int)len, a);
    return ok ? 0 : -1;
}

/* Literal addresses in every spelling inet_aton knows (decimal, hex, octal: all of them
 * reach the same metadata server), then whatever the name resolves to. */
static int is_metadata_host(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_aton(host, &v4)) return metadata_v4(v4);
    if (inet_pton(AF_INET6, host, &v6) == 1) return metadata_v6(&v6);
    if (!strcasecmp(host, "metadata.google.internal") || !strcasecmp(host, "metadata")) return 1;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, NULL, &hints, &res)) return 0; /* unresolvable: nothing to reach */
    int bad = 0;
    for (struct addrinfo *ai = res; ai && !bad; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) bad = metadata_v4(((struct sockaddr_in *)ai->ai_addr)->sin_addr);
        else if (ai->ai_family == AF_INET6)
            bad = metadata_v6(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
    }
    freeaddrinfo(res);
    return bad;
}

int storage_allow_check_url(const StorageConfig *cfg, const char *url, const char *what, char *err, size_t n)
{
    if (url_allowed(cfg, url)) return 0;
    char host[256];
    if (url_host(url, host, sizeof(host)))
        return refuse(what, "the URL's host is empty or malformed", err, n);
    /* a '%' in a host is an escape or a zone that resolvers read in their own ways
     * ("0251.0376.0251.0376%" was found by fuzzing): no spelling games, refuse it */
    if (strchr(host, '%')) return refuse(what, "a host name may not hold '%'", err, n);
    if (is_metadata_host(host))
        return refuse(what,
                      "link-local / cloud metadata addresses are refused (allow the URL explicitly to use "
                      "it)",
                      err, n);
    if (cfg->n_allow) return refuse(what, "not under an allowed scoring root", err, n);
    return 0;
}

/* The next ",key=value" of an rclone connection string (s at a comma), the value unquoted
 * as rclone reads it ('it''s' is "it's"); NULL after the last one. */
static const char *next_param(const char *s, char *key, size_t kn, char *val, size_t vn)
{
    if (*s != ',') return NULL;
    s++;
    size_t kl = strcspn(s, "=,");
    snprintf(key, kn, "%.*s", (int)(kl < kn ? kl : kn - 1), s);
    for (char *k = key; *k; k++) *k = (char)tolower((unsigned char)*k);
    s += kl;
    size_t o = 0;
    if (*s == '=') {
        s++;
        char q = (*s == '\'' || *s == '"') ? *s++ : 0;
        for (; *s && (q || *s != ','); s++) {
            if (q && *s == q) {
                if (s[1] != q) {
                    s++;
                    break;
                }
                s++;
            }
            if (o + 1 < vn) val[o++] = *s;
        }
    }
    val[o] = 0;
    return s;
}

/* Parameters that name a place to connect to, in rclone's backends: url (http, webdav),
 * host (sftp, ftp, smb), endpoint (s3, azureblob, b2), auth (swift), namenode (hdfs)... */
static int address_param(const char *key)
{
    static const char *words[] = { "url", "host", "endpoint", "server", "address", "auth", "namenode", NULL };
    for (int i = 0; words[i]; i++)
        if (strstr(key, words[i])) return 1;
    return 0;
}

/* Each URL or host parameter of a connection string (the sftp:// mapping's host included)
 * must pass the same address rules as an http input. */
static int check_params(const StorageConfig *cfg, const StorageTarget *t, const char *what, char *err,
                        size_t n)
{
    char key[64], val[1024], host[256];
    const char *p = t->remote + strcspn(t->remote, ",");
    /* "endpoint=http://h/:..." ends at the colon after "http": the rest became the path */
    if (*p && !strncmp(t->path, "//", 2))
        return refuse(what, "a connection-string value holding a colon must be quoted", err, n);
    while ((p = next_param(p, key, sizeof(key), val, sizeof(val)))) {
        if (!address_param(key) || !val[0]) continue;
        /* an unquoted "url=http://h/" ends at its first colon: rclone would read "http" */
        if (strstr(key, "url") && !strstr(val, "://")) {
            char why[160];
            snprintf(why, sizeof(why), "connection-string parameter '%s' is not an absolute URL (quote it)",
                     key);
            return refuse(what, why, err, n);
        }
        if (strstr(val, "://")) {
            if (url_allowed(cfg, val)) continue;
            url_host(val, host, sizeof(host));
        } else {
            url_host(val, host, sizeof(host)); /* "h", "h:port", "[v6]:port" */
            if (!strchr(val, '[') && strchr(val, ':') != strrchr(val, ':'))
                snprintf(host, sizeof(host), "%.255s", val);
        }
        if (is_metadata_host(host)) {
            char why[160];
            snprintf(why, sizeof(why),
                     "connection-string parameter '%s': link-local / cloud metadata addresses "
                     "are refused",
                     key);
            return refuse(what, why, err, n);
        }
    }
    return 0;
}

int storage_allow_check(const StorageConfig *cfg, const StorageTarget *t, const char *real, const char *what,
                        char *err, size_t n)
{
    if (t->kind == STORAGE_HTTP) return storage_allow_check_url(cfg, t->location, what, err, n);
    if (t->kind == STORAGE_REMOTE && !(cfg->n_allow && remote_allowed(cfg, t->location))) {
        int r = check_params(cfg, t, what, err, n);
        if (r) return r;
    }
    if (!cfg->n_allow) return 0;
    if (t->kind == STORAGE_LOCAL ? local_allowed(cfg, real) : remote_allowed(cfg, t->location)) return 0;
    return refuse(what, "not under an allowed scoring root", err, n);
}

int storage_check_url(const StorageConfig *cfg, const char *url, char *err, size_t n)
{
    StorageTarget *t = malloc(sizeof(*t));
    if (!t) return -ENOMEM;
    char shown[1100];
    uri_display(url, shown, sizeof(shown));
    int r = storage_parse_uri(url, cfg, t, err, n);
    if (!r && t->kind != STORAGE_HTTP)
        r = refuse(shown, "a redirect may only lead to an http(s) URL", err, n);
    if (!r) r = storage_allow_check_url(cfg, url, shown, err, n);
    free(t);
    return r;
}

int storage_url_host(const char *url, char *host, size_t n)
{
    return url_host(url, host, n);
}

int storage_url_under(const char *url, const char *prefix)
{
    return under_url(url, prefix);
}

static int loopback_v4(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);
    return (h >> 24) == 127 || (h >> 24) == 0;
}

static int loopback_v6(const struct in6_addr *a)
{
    if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a)) return 1;
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        struct in_addr v4;
        memcpy(&v4, a->s6_addr + 12, 4);
        return loopback_v4(v4);
    }
    return 0;
}

/* The class bits of one address (STORAGE_ADDR_*). */
static unsigned addr_class(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        struct in_addr a = ((const struct sockaddr_in *)sa)->sin_addr;
        return (metadata_v4(a) ? STORAGE_ADDR_METADATA : 0) | (loopback_v4(a) ? STORAGE_ADDR_LOOPBACK : 0);
    }
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return (metadata_v6(a) ? STORAGE_ADDR_METADATA : 0) | (loopback_v6(a) ? STORAGE_ADDR_LOOPBACK : 0);
}

int storage_resolve_checked(const char *host, unsigned refuse, char *addr, size_t an, char *why, size_t wn)
{
    struct in_addr v4;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    if (strchr(host, '%')) return snprintf(why, wn, "a host name may not hold '%%'"), -EPERM;
    if ((refuse & STORAGE_ADDR_METADATA) &&
        (!strcasecmp(host, "metadata.google.internal") || !strcasecmp(host, "metadata")))
        return snprintf(why, wn, "cloud metadata addresses are refused"), -EPERM;
    /* inet_aton's spellings ("0x7f.1", "2130706433") first: getaddrinfo may not take them all */
    if (inet_aton(host, &v4)) {
        sin.sin_addr = v4;
        if (addr_class((struct sockaddr *)&sin) & refuse)
            return snprintf(why, wn, "loopback, link-local and metadata addresses are refused"), -EPERM;
        inet_ntop(AF_INET, &v4, addr, (socklen_t)an);
        return 0;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, NULL, &hints, &res))
        return snprintf(why, wn, "host name did not resolve"), -EHOSTUNREACH;
    int r = 0;
    *addr = 0;
    for (struct addrinfo *ai = res; ai && !r; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        if (addr_class(ai->ai_addr) & refuse) {
            snprintf(why, wn, "it resolves to a loopback, link-local or metadata address, which are refused");
            r = -EPERM;
        } else if (!*addr) {
            const void *a = ai->ai_family == AF_INET
                                ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            inet_ntop(ai->ai_family, a, addr, (socklen_t)an);
        }
    }
    freeaddrinfo(res);
    if (!r && !*addr) return snprintf(why, wn, "host name did not resolve"), -EHOSTUNREACH;
    return r;
}
