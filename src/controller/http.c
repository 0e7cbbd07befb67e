/* libmicrohttpd glue (see http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

struct HttpServer {
    struct MHD_Daemon *d;
    HttpConfig cfg;
    int port;
    atomic_int inflight; /* requests begun and not yet completed (answer sent or dropped) */
};

#define DROP_MAX (16u << 20) /* bytes of an oversized chunked body read before hanging up */

typedef struct Pending {
    char *body;
    size_t len, cap, limit;
    size_t dropped;
    int too_big; /* 1: answered 413 at once; 2: dropping the body, 413 at its end */
} Pending;

static const char *lookup(const char *const *list, const char *name, int nocase)
{
    for (size_t i = 0; list && list[i] && list[i + 1]; i += 2)
        if (nocase ? !strcasecmp(list[i], name) : !strcmp(list[i], name)) return list[i + 1];
    return NULL;
}

const char *http_header(const HttpReq *rq, const char *name)
{
    if (!rq->conn) return lookup(rq->headers, name, 1);
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

typedef struct HeaderScan {
    const char *name, *value, *next_key;
    int found;
} HeaderScan;

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    HeaderScan *h = cls;
    (void)kind, (void)value_size;
    if (h->found) {
        h->next_key = key;
        return MHD_NO;
    }
    if (key_size == strlen(h->name) && !strncasecmp(key, h->name, key_size)) {
        h->value = value;
        h->found = 1;
    }
    return MHD_YES;
}

/* libmicrohttpd (0.9.75) measures a header value with strlen(), so a NUL inside it cuts
 * the value short and the rest is dropped unseen. Its line ends are overwritten with NULs
 * in place, so between the value's end and the next header's name there may only be NULs
 * and blanks; anything else was hidden behind a NUL. */
static int hidden_after_nul(const HeaderScan *h, size_t len)
{
    const char *p = h->value + len;
    if (h->next_key && h->next_key > p && h->next_key - p < 8192) {
        for (; p < h->next_key; p++)
            if (*p && !strchr(" \t\r\n", *p)) return 1;
        return 0;
    }
    return p[1] && !strchr(" \t\r\n", p[1]); /* the last header: its CR LF, or LF and the blank line */
}

const char *http_header_n(const HttpReq *rq, const char *name, size_t *len)
{
    HeaderScan h = { name, NULL, NULL, 0 };
    *len = 0;
    if (!rq->conn) { /* a request made in memory: its header list */
        const char *v = lookup(rq->headers, name, 1);
        *len = v ? strlen(v) : 0;
        return v;
    }
    MHD_get_connection_values_n(rq->conn, MHD_HEADER_KIND, scan_header, &h);
    if (!h.value) return NULL;
    *len = strlen(h.value);
    if (hidden_after_nul(&h, *len)) (*len)++; /* the NUL counts: the caller sees it */
    return h.value;
}

const char *http_arg(const HttpReq *rq, const char *name)
{
    if (!rq->conn) return lookup(rq->args, name, 0);
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    HttpStream *st = cls;
    (void)pos;
    long n = st->read(st->cls, buf, max);
    /* clang-format off */
    return n == HTTP_STREAM_END ? MHD_CONTENT_READER_END_OF_STREAM
         : n < 0               ? MHD_CONTENT_READER_END_WITH_ERROR
                               : (ssize_t)n;
    /* clang-format on */
}

static void stream_free(void *cls)
{
    HttpStream *st = cls;
    st->done(st->cls);
    free(st);
}

/* A chunked answer of unknown length whose parts come from the stream (see HttpStream). */
static enum MHD_Result send_stream(struct MHD_Connection *c, HttpResp *r)
{
    HttpStream *st = malloc(sizeof(*st));
    if (!st) {
        r->stream.done(r->stream.cls);
        return MHD_NO;
    }
    *st = r->stream;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read,
                                                                  st, stream_free);
    if (!resp) {
        stream_free(st);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "application/octet-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* a proxy in front must not hold events back */
    if (st->idle_timeout_s) MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, st->idle_timeout_s);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci && st->send_buffer > 0)
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &st->send_buffer, sizeof(st->send_buffer));
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, HttpResp *r)
{
    if (r->stream.read) return send_stream(c, r);
    int owned = r->body && !r->body_static;
    struct MHD_Response *resp = MHD_create_response_from_buffer(r->len, r->body ? r->body : (void *)"",
                                                                owned ? MHD_RESPMEM_MUST_FREE
                                                                      : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (owned) free(r->body);
        return MHD_NO;
    }
    int empty_redirect = r->status >= 300 && r->status < 400 && !r->len; /* 302 to /ui/, 304 */
    if (r->status != 204 && !empty_redirect)
        MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "application/json");
    if (r->header_name) MHD_add_response_header(resp, r->header_name, r->header_value);
    for (size_t i = 0; r->headers && r->headers[i] && r->headers[i + 1]; i += 2)
        MHD_add_response_header(resp, r->headers[i], r->headers[i + 1]);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result too_large(struct MHD_Connection *c, size_t limit)
{
    char msg[160];
    int len = snprintf(msg, sizeof(msg), "{\"error\":\"request body larger than %zu bytes\"}", limit);
    HttpResp r = { .status = 413, .body = strdup(msg), .len = (size_t)len };
    return r.body ? send_resp(c, &r) : MHD_NO;
}

static int append(Pending *p, const char *data, size_t n)
{
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + n + 1) cap *= 2;
        char *b = realloc(p->body, cap);
        if (!b) return -ENOMEM;
        p->body = b;
        p->cap = cap;
    }
    memcpy(p->body + p->len, data, n);
    p->len += n;
    p->body[p->len] = 0;
    return 0;
}

/* First call for a request: set up, and refuse an announced oversized body right away. */
static enum MHD_Result begin(HttpServer *s, struct MHD_Connection *c, const char *method, const char *url,
                             void **con_cls)
{
    Pending *p = calloc(1, sizeof(*p));
    if (!p) return MHD_NO;
    *con_cls = p;
    atomic_fetch_add(&s->inflight, 1);
    p->limit = s->cfg.cap(s->cfg.user, method, url);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > p->limit) {
        p->too_big = 1;
        return too_large(c, p->limit);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
    HttpServer *s = cls;
    Pending *p = *con_cls;
    (void)version;
    if (!p) return begin(s, c, method, url, con_cls);
    if (*upload_size) {
        /* libmicrohttpd cannot answer in the middle of a body: an unannounced (chunked) body
         * that outgrows the cap is dropped as it comes and answered 413 at its end; one that
         * goes on far beyond the cap has the connection closed instead */
        if (!p->too_big && (p->len + *upload_size > p->limit || append(p, upload, *upload_size)))
            p->too_big = 2;
        if (p->too_big == 2 && (p->dropped += *upload_size) > p->limit + DROP_MAX) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_big == 1) return MHD_YES; /* the 413 is already queued */
    if (p->too_big) return too_large(c, p->limit);
    HttpReq rq = {
        .method = method, .url = url, .body = p->body ? p->body : "", .body_len = p->len, .conn = c
    };
    HttpResp resp = { .status = 500 };
    s->cfg.handler(s->cfg.user, &rq, &resp);
    return send_resp(c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode t)
{
    HttpServer *s = cls;
    Pending *p = *con_cls;
    (void)c, (void)t;
    if (p) {
        free(p->body);
        atomic_fetch_sub(&s->inflight, 1);
    }
    free(p);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6, char *err, size_t n)
{
    memset(ss, 0, sizeof(*ss));
    char host[256];
    const char *colon = strrchr(listen, ':');
    long port = colon ? strtol(colon + 1, NULL, 10) : -1;
    if (!colon || port < 0 || port > 65535 || colon[1] < '0' || colon[1] > '9') {
        snprintf(err, n, "listen address '%s' is not HOST:PORT", listen);
        return -EINVAL;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    size_t hl = strlen(host);
    *v6 = hl > 2 && host[0] == '[' && host[hl - 1] == ']';
    if (*v6) {
        host[hl - 1] = 0;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1) return 0;
    } else {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        if (!*host || inet_pton(AF_INET, host, &a4->sin_addr) == 1) return 0;
    }
    snprintf(err, n, "listen address '%s': the host must be a numeric IPv4 or [IPv6] address", listen);
    return -EINVAL;
}

/* The listening socket, made here rather than by libmicrohttpd so that a failure says why.
 * SO_REUSEADDR only (a restart binds while old connections linger in TIME_WAIT), never
 * SO_REUSEPORT: with it a second controller on the same address would start and take half
 * of the connections. */
static int listen_socket(const char *addr, const struct sockaddr_storage *ss, int v6, char *err, size_t n)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, e = 0;
    if (fd < 0) e = errno;
    else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
             (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
             bind(fd, (const struct sockaddr *)ss,
                  v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) ||
             listen(fd, SOMAXCONN))
        e = errno;
    if (!e) return fd;
    if (e == EADDRINUSE)
        snprintf(err, n,
                 "cannot listen on %s: the address is in use (another vmafx-controller, or another "
                 "program, is listening there)",
                 addr);
    else snprintf(err, n, "cannot listen on %s: %s", addr, strerror(e));
    if (fd >= 0) close(fd);
    return -e;
}

int http_start(HttpServer **out, const HttpConfig *cfg, char *err, size_t n)
{
    struct sockaddr_storage ss;
    int v6;
    int e = parse_listen(cfg->listen, &ss, &v6, err, n);
    if (e) return e;
    int tls = cfg->tls_cert != NULL;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, n, "this libmicrohttpd was built without TLS: cannot serve HTTPS");
        return -ENOTSUP;
    }
    HttpServer *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    int fd = listen_socket(cfg->listen, &ss, v6, err, n);
    if (fd < 0) {
        free(s);
        return fd;
    }
    s->cfg = *cfg;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                     MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0) | (tls ? MHD_USE_TLS : 0);
    /* the certificate options only when serving TLS: libmicrohttpd refuses them otherwise */
    struct MHD_OptionItem tls_opts[] = {
        { tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cfg->tls_cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key },
        { MHD_OPTION_END, 0, NULL },
    };
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
                            cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_client,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, MHD_OPTION_ARRAY, tls_opts,
                            MHD_OPTION_END);
    if (!s->d) {
        if (tls)
            snprintf(err, n, "cannot serve HTTPS on %s (the certificate and key do not load or do not match)",
                     cfg->listen);
        else snprintf(err, n, "cannot serve HTTP on %s", cfg->listen);
        /* the socket is not closed here: whether libmicrohttpd already closed it on this path
         * depends on its version, and a double close could hit a descriptor reused meanwhile
         * (the program exits on this error anyway) */
        free(s);
        return -EINVAL;
    }
    struct sockaddr_storage bound;
    socklen_t len = sizeof(bound);
    if (!getsockname(fd, (struct sockaddr *)&bound, &len))
        s->port = ntohs(v6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                           : ((struct sockaddr_in *)&bound)->sin_port);
    *out = s;
    return 0;
}

int http_port(const HttpServer *s)
{
    return s->port;
}

void http_quiesce(HttpServer *s)
{
    int fd = MHD_quiesce_daemon(s->d);
    if (fd >= 0) close(fd);
}

void http_drain(HttpServer *s, double max_s)
{
    struct timespec pause = { 0, 10 * 1000000 };
    for (double waited = 0; atomic_load(&s->inflight) > 0 && waited < max_s; waited += 0.01)
        nanosleep(&pause, NULL);
}

void http_stop(HttpServer *s)
{
    if (!s) return;
    MHD_stop_daemon(s->d);
    free(s);
}
