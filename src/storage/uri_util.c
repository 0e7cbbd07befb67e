/* Percent-encoding, traversal test and display form of inputs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/redact.h"
#include "storage/uri_util.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int uri_decode(const char *in, size_t len, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= len) return -EINVAL;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0) return -EINVAL;
            c = hi * 16 + lo;
            i += 2;
        }
        /* A decoded control character (NUL above all) would cut or bend the path. */
        if (c < 0x20 || c == 0x7f) return -EINVAL;
        if (o + 1 >= n) return -EINVAL;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return 0;
}

int uri_encode_path(const char *in, char *out, size_t n)
{
    static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (o + 4 >= n) return -ENAMETOOLONG;
        if (strchr(keep, *p)) out[o++] = (char)*p;
        else o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
    }
    out[o] = 0;
    return 0;
}

int uri_has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.') return 1;
        p += len + (p[len] == '/');
    }
    return 0;
}

void uri_display(const char *uri, char *out, size_t n)
{
    char cut[1100];
    snprintf(cut, sizeof(cut), "%.1000s%s", uri, strlen(uri) > 1000 ? "..." : "");
    redact_copy(out, n, cut);
}
