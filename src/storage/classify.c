/* rclone reports failures in backend words (InvalidAccessKeyId, ssh: unable to
 * authenticate, dial tcp ... connection refused). A job needs one of a few plain reasons,
 * and never the raw text, which may carry a URL with a signature or a key file path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/redact.h"
#include "storage/storage_impl.h"

typedef struct Rule {
    const char *needle;
    int code;
    const char *reason;
} Rule;

/* First match wins: configuration, then credentials, then absence, then the network. */
static const Rule rules[] = {
    { "didn't find section in config file", -ENXIO, "rclone remote is not configured" },
    { "InvalidAccessKeyId", -EACCES, "authentication failed" },
    { "SignatureDoesNotMatch", -EACCES, "authentication failed" },
    { "AuthenticationFailed", -EACCES, "authentication failed" },
    { "AuthorizationFailure", -EACCES, "authentication failed" },
    { "unable to authenticate", -EACCES, "authentication failed" },
    { "AccessDenied", -EACCES, "authentication failed" },
    { "knownhosts: key mismatch", -EACCES, "authentication failed (host key mismatch)" },
    { "knownhosts: key is unknown", -EACCES, "authentication failed (unknown host key)" },
    { "permission denied", -EACCES, "permission denied" },
    { "Permission denied", -EACCES, "permission denied" },
    { "403 Forbidden", -EACCES, "authentication failed" },
    { "401 Unauthorized", -EACCES, "authentication failed" },
    { "status code: 403", -EACCES, "authentication failed" },
    { "object not found", -ENOENT, "object not found" },
    { "directory not found", -ENOENT, "object not found" },
    { "NoSuchKey", -ENOENT, "object not found" },
    { "NoSuchBucket", -ENOENT, "bucket not found" },
    { "BlobNotFound", -ENOENT, "object not found" },
    { "ContainerNotFound", -ENOENT, "container not found" },
    { "file does not exist", -ENOENT, "object not found" },
    { "no such file", -ENOENT, "object not found" },
    { "connection refused", -EHOSTUNREACH, "remote unreachable (connection refused)" },
    { "no such host", -EHOSTUNREACH, "remote unreachable (host name does not resolve)" },
    { "network is unreachable", -EHOSTUNREACH, "remote unreachable" },
    { "no route to host", -EHOSTUNREACH, "remote unreachable" },
    { "i/o timeout", -EHOSTUNREACH, "remote unreachable (timeout)" },
    { "context deadline exceeded", -EHOSTUNREACH, "remote unreachable (timeout)" },
    { "connection reset", -EHOSTUNREACH, "remote unreachable (connection reset)" },
    { "dial tcp", -EHOSTUNREACH, "remote unreachable" },
    { "send request failed", -EHOSTUNREACH, "remote unreachable" },
    { "handshake failed", -EHOSTUNREACH, "remote unreachable (handshake failed)" },
};

int classify_rclone_error(const char *text, char *msg, size_t n)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strstr(text, rules[i].needle)) {
            snprintf(msg, n, "%s", rules[i].reason);
            return rules[i].code;
        }
    /* Unknown: a short, redacted excerpt helps more than nothing. */
    char cut[300], clean[400];
    const char *last = text + strlen(text);
    while (last > text && (last[-1] == '\n' || last[-1] == ' ')) last--;
    const char *start = last;
    while (start > text && start[-1] != '\n' && last - start < 280) start--;
    snprintf(cut, sizeof(cut), "%.*s", (int)(last - start), start);
    redact_copy(clean, sizeof(clean), cut);
    snprintf(msg, n, "storage error: %s", clean[0] ? clean : "rclone failed without a message");
    return -EIO;
}
