/* The HTTP server under the controller's API: libmicrohttpd with one thread per connection
 * (so a node's long-poll for work simply blocks its own thread), request bodies collected in
 * memory up to a cap chosen per request (413 beyond it, before the body is read when the
 * length is announced), and one handler that answers every complete request. */
#ifndef VMAFX_CONTROLLER_HTTP_H
#define VMAFX_CONTROLLER_HTTP_H

#include <stddef.h>

struct MHD_Connection;

typedef struct HttpReq {
    const char *method, *url;
    const char *body; /* NUL-terminated (the NUL is not counted) */
    size_t body_len;
    struct MHD_Connection *conn;
    /* A request made in memory (conn NULL; tests/fuzz/fuzz_http.c): headers and query
     * arguments as NULL-ended name, value, name, value, ... lists (may be NULL). */
    const char *const *headers, *const *args;
} HttpReq;

/* A streamed answer (server-sent events): read() is called, on the connection's own thread,
 * whenever the connection can take more; it may wait (that thread is the client's), and
 * returns the bytes it put in buf, HTTP_STREAM_END to finish, or HTTP_STREAM_ERROR to drop
 * the connection. done() is called once when the connection ends, however it ends. */
#define HTTP_STREAM_END (-1)
#define HTTP_STREAM_ERROR (-2)
typedef struct HttpStream {
    long (*read)(void *cls, char *buf, size_t max);
    void (*done)(void *cls);
    void *cls;
    unsigned idle_timeout_s; /* the connection's: longer than the stream's keep-alive period */
    int send_buffer;         /* the socket's send buffer in bytes (a fixed size, so that the
                                  kernel cannot queue megabytes for a client that does not
                                  read); 0: the system's */
} HttpStream;

typedef struct HttpResp {
    int status;
    char *body; /* malloc'ed, freed by the server; NULL for none */
    size_t len;
    const char *type;        /* Content-Type; NULL: application/json */
    const char *header_name; /* one extra header (a static string), or NULL */
    char header_value[256];
    HttpStream stream;          /* read set: a streamed answer (body unused) */
    const char *const *headers; /* more headers: NULL-ended name, value, ... (static strings) */
    int body_static;            /* 1: body is static data, never freed */
} HttpResp;

const char *http_header(const HttpReq *rq, const char *name);
/* The header's value and its length as received (a NUL inside shows as len > strlen). */
const char *http_header_n(const HttpReq *rq, const char *name, size_t *len);
const char *http_arg(const HttpReq *rq, const char *name);

typedef void (*HttpHandler)(void *user, const HttpReq *rq, HttpResp *resp);
/* The largest body accepted for a request, decided from its method and URL. */
typedef size_t (*HttpBodyCap)(void *user, const char *method, const char *url);

typedef struct HttpServer HttpServer;

typedef struct HttpConfig {
    const char *listen; /* "HOST:PORT", "[V6]:PORT", ":PORT" (port 0: any free port) */
    unsigned max_connections;
    unsigned max_per_client;        /* connections from one client address; 0: no cap */
    unsigned idle_timeout_s;        /* a connection idle this long is closed (also one whose
                                  request does not arrive: headers or body stalled) */
    const char *tls_cert, *tls_key; /* PEM text: serve HTTPS; NULL: plain HTTP */
    HttpHandler handler;
    HttpBodyCap cap;
    void *user;
} HttpConfig;

int http_start(HttpServer **out, const HttpConfig *cfg, char *err, size_t n);
/* The port actually bound (useful with port 0). */
int http_port(const HttpServer *s);
/* Stops accepting connections; requests in progress go on. */
void http_quiesce(HttpServer *s);
/* Waits up to max_s for the requests in progress to be answered (idle keep-alive
 * connections do not count). */
void http_drain(HttpServer *s, double max_s);
/* Closes every connection and frees everything. */
void http_stop(HttpServer *s);

#endif
