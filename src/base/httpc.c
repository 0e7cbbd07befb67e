/* Minimal HTTP/1.1 client with a deadline (see httpc.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "tls.h"
#include "base/mono.h"

#define MAX_HEADER (64 * 1024)

static int left_ms(long long deadline)
{
    long long l = deadline - mono_now_ms();
    return l > 0 ? (int)l : 0;
}

static int wait_fd(int fd, short ev, long long deadline)
{
    struct pollfd p = { fd, ev, 0 };
    for (;;) {
        int r = poll(&p, 1, left_ms(deadline));
        if (r > 0) return 0;
        if (r == 0) return -ETIMEDOUT;
        if (errno != EINTR) return -errno;
    }
}

static int connect_one(const struct addrinfo *ai, long long deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return -e;
    }
    int e = wait_fd(fd, POLLOUT, deadline), soerr = 0;
    socklen_t len = sizeof(soerr);
    if (!e && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)) soerr = errno;
    if (e || soerr) {
        close(fd);
        return e ? e : -soerr;
    }
    return fd;
}

static int connect_to(const char *host, int port, long long deadline)
{
    char ps[16];
    snprintf(ps, sizeof(ps), "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV },
                    *res;
    if (getaddrinfo(host, ps, &hints, &res)) return -EHOSTUNREACH;
    int fd = -ECONNREFUSED;
    for (struct addrinfo *ai = res; ai && fd < 0 && left_ms(deadline); ai = ai->ai_next)
        fd = connect_one(ai, deadline);
    freeaddrinfo(res);
    return fd;
}

/* One connection, plain or TLS. */
typedef struct Conn {
    int fd;
    TlsConn *tls;
} Conn;

static int send_all(const Conn *c, const char *p, size_t len, long long deadline)
{
    int fd = c->fd;
    if (c->tls) return tls_send_all(c->tls, p, len, deadline);
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return -errno;
        int e = wait_fd(fd, POLLOUT, deadline);
        if (e) return e;
    }
    return 0;
}

typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

static int buf_grow(Buf *b, size_t need)
{
    if (b->len + need + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + need + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

static const char *header(const char *head, const char *name, char *val, size_t n)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
        if (!strncasecmp(l + 2, name, nl) && l[2 + nl] == ':') {
            const char *v = l + 3 + nl;
            while (*v == ' ' || *v == '\t') v++;
            size_t len = strcspn(v, "\r\n");
            snprintf(val, n, "%.*s", (int)len, v);
            return val;
        }
    }
    return NULL;
}

/* Reads until the end of the response (Connection: close), stopping early once a known
 * Content-Length has arrived or, for HEAD, at the end of the headers. */
static ssize_t recv_some(const Conn *c, char *p, size_t len, long long deadline)
{
    if (c->tls) return tls_recv(c->tls, p, len, deadline);
    for (;;) {
        ssize_t r = recv(c->fd, p, len, 0);
        if (r >= 0) return r;
        if (errno != EAGAIN && errno != EINTR) return -errno;
        int e = wait_fd(c->fd, POLLIN, deadline);
        if (e) return e;
    }
}

static int receive(const Conn *c, Buf *b, int head_only, size_t max, long long deadline)
{
    for (;;) {
        char *end = b->p ? strstr(b->p, "\r\n\r\n") : NULL;
        if (end) {
            size_t hl = (size_t)(end + 4 - b->p);
            char cl[32];
            if (head_only) return 0;
            if (header(b->p, "Content-Length", cl, sizeof(cl)) && b->len - hl >= (size_t)atoll(cl)) return 0;
            if (b->len - hl > max) return -EMSGSIZE;
        } else if (b->len > MAX_HEADER) {
            return -EMSGSIZE;
        }
        if (buf_grow(b, 16384)) return -ENOMEM;
        ssize_t r = recv_some(c, b->p + b->len, 16384, deadline);
        if (r > 0) {
            b->len += (size_t)r;
            b->p[b->len] = 0;
            continue;
        }
        if (r == 0) return end || b->len ? 0 : -EPROTO;
        return (int)r;
    }
}

/* Decodes a chunked body in place; returns its length. */
static size_t dechunk(char *p, size_t len)
{
    size_t in = 0, out = 0;
    while (in < len) {
        char *eol = strstr(p + in, "\r\n");
        if (!eol) break;
        size_t sz = strtoul(p + in, NULL, 16);
        in = (size_t)(eol - p) + 2;
        if (!sz || in + sz > len) break;
        memmove(p + out, p + in, sz);
        out += sz;
        in += sz + 2;
    }
    p[out] = 0;
    return out;
}

static int parse(Buf *b, int head_only, HttpResult *r)
{
    if (!b->p || sscanf(b->p, "HTTP/%*d.%*d %d", &r->status) != 1) return -EPROTO;
    char *end = strstr(b->p, "\r\n\r\n");
    if (!end) return -EPROTO;
    end[2] = 0; /* headers end here for header(); the body starts at end + 4 */
    char v[64];
    r->content_length = header(b->p, "Content-Length", v, sizeof(v)) ? atoll(v) : -1;
    if (!header(b->p, "Location", r->location, sizeof(r->location))) r->location[0] = 0;
    if (head_only) return 0;
    size_t hl = (size_t)(end + 4 - b->p), blen = b->len - hl;
    int chunked = header(b->p, "Transfer-Encoding", v, sizeof(v)) && strcasestr(v, "chunked");
    memmove(b->p, b->p + hl, blen);
    b->p[blen] = 0;
    r->body_len = chunked ? dechunk(b->p, blen) : blen;
    r->body = b->p;
    b->p = NULL;
    return 0;
}

static int request_text(const HttpRequest *rq, Buf *out)
{
    char head[4096], cl[48] = "";
    if (rq->body) snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", rq->body_len);
    int len = snprintf(head, sizeof(head),
                       "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nUser-Agent: vmafx\r\n"
                       "%s%s\r\n",
                       rq->method, rq->path, rq->host, rq->port, rq->headers ? rq->headers : "", cl);
    if (len < 0 || (size_t)len >= sizeof(head)) return -EMSGSIZE;
    if (buf_grow(out, (size_t)len + rq->body_len)) return -ENOMEM;
    memcpy(out->p, head, (size_t)len);
    if (rq->body) memcpy(out->p + len, rq->body, rq->body_len);
    out->len = (size_t)len + rq->body_len;
    return 0;
}

static void describe(int e, const HttpRequest *rq, char *err, size_t n)
{
    const char *what = e == -ETIMEDOUT      ? "no answer in time"
                       : e == -EHOSTUNREACH ? "host name did not resolve"
                       : e == -EPROTO       ? "not an HTTP answer"
                       : e == -EMSGSIZE     ? "answer too large"
                                            : strerror(-e);
    snprintf(err, n, "%s %s:%d: %s", rq->method, rq->host, rq->port, what);
}

int http_do(const HttpRequest *rq, HttpResult *r, char *err, size_t n)
{
    return http_do_tls(rq, NULL, r, err, n);
}

int http_do_tls(const HttpRequest *rq, const HttpTls *tls, HttpResult *r, char *err, size_t n)
{
    return http_do_at(rq, NULL, tls, r, err, n);
}

int http_do_at(const HttpRequest *rq, const char *connect_addr, const HttpTls *tls, HttpResult *r, char *err,
               size_t n)
{
    memset(r, 0, sizeof(*r));
    long long deadline = mono_now_ms() + rq->timeout_ms;
    int head_only = !strcmp(rq->method, "HEAD");
    Buf req = { 0 }, resp = { 0 };
    Conn c = { -1, NULL };
    char why[512] = "";
    int e = request_text(rq, &req);
    if (!e) e = c.fd = connect_to(connect_addr ? connect_addr : rq->host, rq->port, deadline);
    if (c.fd >= 0)
        e = tls ? tls_client_start(&c.tls, c.fd, rq->host, tls->ca_file, deadline, why, sizeof(why)) : 0;
    if (!e) e = send_all(&c, req.p, req.len, deadline);
    if (!e) e = receive(&c, &resp, head_only, rq->max_body ? rq->max_body : (1u << 20), deadline);
    if (!e) e = parse(&resp, head_only, r);
    tls_close(c.tls);
    if (c.fd >= 0) close(c.fd);
    free(req.p);
    free(resp.p);
    if (e && why[0]) snprintf(err, n, "%s", why);
    else if (e) describe(e, rq, err, n);
    return e;
}

void http_result_free(HttpResult *r)
{
    free(r->body);
    r->body = NULL;
}

int http_port_open(const char *host, int port, int timeout_ms)
{
    int fd = connect_to(host, port, mono_now_ms() + timeout_ms);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}
