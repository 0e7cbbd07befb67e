/* Input URIs as the controller checks them at submit (storage_parse_uri, then the allow-list
 * and address rules), with the default configuration (no allow-list) and a scheme map.
 * Property: an accepted URI never leads to a link-local or cloud-metadata address — not in an
 * http(s) URL, and not in any url=/host=/endpoint= parameter of an rclone connection string —
 * whatever its spelling (decimal, hex, octal, IPv4-mapped IPv6, percent-encoded). The oracle
 * here is independent of allowlist.c: it extracts hosts itself and reads them with
 * inet_aton/inet_pton, as curl and rclone's resolver would.
 * Name resolution is replaced (getaddrinfo below): a fuzzer must never send DNS queries. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <strings.h>

#include "fuzz.h"
#include "storage/storage_uri.h"

/* Numeric hosts only; every name is unknown. Interposes libc's. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    (void)node;
    (void)service;
    (void)hints;
    (void)res;
    return EAI_NONAME;
}

static void percent_decode(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < n; i++) {
        if (in[i] == '%' && isxdigit((unsigned char)in[i + 1]) && isxdigit((unsigned char)in[i + 2])) {
            char hex[3] = { in[i + 1], in[i + 2], 0 };
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = 0;
}

static int bad_v4(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);
    return (h & 0xffff0000u) == 0xa9fe0000u || h == 0x646464c8u /* 100.100.100.200 */;
}

static int bad_host(const char *raw)
{
    char host[512];
    percent_decode(raw, host, sizeof(host));
    size_t l = strlen(host);
    while (l && host[l - 1] == '.') host[--l] = 0; /* trailing dot of an FQDN */
    if (host[0] == '[' && l > 1 && host[l - 1] == ']') {
        memmove(host, host + 1, l - 2);
        host[l - 2] = 0;
    }
    char *pct = strchr(host, '%'); /* IPv6 zone */
    if (pct) *pct = 0;
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_aton(host, &v4)) return bad_v4(v4);
    if (inet_pton(AF_INET6, host, &v6) == 1) {
        if (v6.s6_addr[0] == 0xfe && (v6.s6_addr[1] & 0xc0) == 0x80) return 1; /* fe80::/10 */
        static const uint8_t ec2[16] = { 0xfd, 0, 0, 0xec, 0x02 };
        if (!memcmp(v6.s6_addr, ec2, 15) && v6.s6_addr[15] == 0x54) return 1; /* fd00:ec2::254 */
        if (IN6_IS_ADDR_V4MAPPED(&v6)) { /* ::ffff:a.b.c.d reaches a.b.c.d (::a.b.c.d does not) */
            memcpy(&v4.s_addr, v6.s6_addr + 12, 4);
            return bad_v4(v4);
        }
        return 0;
    }
    return !strcasecmp(host, "metadata.google.internal") || !strcasecmp(host, "metadata");
}

/* The host of "scheme://[user@]host[:port]/...". */
static int bad_url(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p) return 0;
    p += 3;
    size_t end = strcspn(p, "/?#");
    char auth[512];
    snprintf(auth, sizeof(auth), "%.*s", (int)end, p);
    char *host = strrchr(auth, '@') ? strrchr(auth, '@') + 1 : auth;
    char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
    if (colon) colon[host[0] == '[' ? 1 : 0] = 0;
    return bad_host(host);
}

/* Every url=, host=, endpoint= value of a connection string "name,k=v,k='v':" . */
static int bad_params(const char *remote)
{
    static const char *keys[] = { "url=", "host=", "endpoint=" };
    for (size_t k = 0; k < 3; k++) {
        for (const char *p = remote; (p = strcasestr(p, keys[k])); p++) {
            const char *v = p + strlen(keys[k]);
            char val[512];
            char q = (*v == '\'' || *v == '"') ? *v++ : 0;
            size_t len = q ? strcspn(v, (char[]){ q, 0 }) : strcspn(v, ",:");
            snprintf(val, sizeof(val), "%.*s", (int)len, v);
            if (bad_url(val) || bad_host(val)) return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static StorageConfig cfg;
    static int ready;
    if (!ready) {
        char err[256];
        storage_config_defaults(&cfg);
        if (storage_config_set(&cfg, "VMAFX_STORAGE_REMOTES", "s3=s3prod,sftp=box", err, sizeof(err)))
            abort();
        ready = 1;
    }
    char *uri = fuzz_string(data, size);
    StorageTarget *t = malloc(sizeof(*t));
    char err[1400] = "";
    if (!t) abort();
    int rc = storage_parse_uri(uri, &cfg, t, err, sizeof(err));
    if (!rc && t->kind != STORAGE_LOCAL)
        rc = storage_allow_check(&cfg, t, t->location, "input", err, sizeof(err));
    if (rc) {
        FUZZ_CHECK(err[0], "refused without a reason");
    } else if (t->kind == STORAGE_HTTP) {
        FUZZ_CHECK(!bad_url(t->location), "accepted a metadata address: %s -> %s", uri, t->location);
    } else if (t->kind == STORAGE_REMOTE) {
        FUZZ_CHECK(!bad_params(t->remote), "accepted a metadata address in a connection string: %s -> %s",
                   uri, t->remote);
    }
    free(t);
    free(uri);
    return 0;
}
