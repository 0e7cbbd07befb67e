/* A small HTTP/1.1 client for control traffic: readiness probes and JSON calls to local
 * rclone processes, HEAD checks of http:// inputs, calls to the controller (over TLS when
 * it serves https). One request per connection, a deadline on the whole exchange, bodies
 * kept in memory (so: small ones). Not for media data. */
#ifndef VMAFX_BASE_HTTPC_H
#define VMAFX_BASE_HTTPC_H

#include <stddef.h>

typedef struct HttpRequest {
    const char *host; /* name or numeric address */
    int port;
    const char *method;  /* "GET", "HEAD", "POST" */
    const char *path;    /* already percent-encoded, starts with '/' */
    const char *headers; /* extra header lines, each ending in "\r\n", or NULL */
    const char *body;    /* or NULL */
    size_t body_len;
    int timeout_ms;  /* for connect + send + receive together */
    size_t max_body; /* longer bodies are an error; 0: 1 MiB */
} HttpRequest;

/* https: the server's certificate is verified, its host name included. */
typedef struct HttpTls {
    const char *ca_file; /* PEM CA bundle to verify against; NULL: the system's */
} HttpTls;

typedef struct HttpResult {
    int status;
    long long content_length; /* -1 when absent */
    char location[2048];      /* Location header, "" when absent */
    char *body;               /* NUL-terminated, malloc'd; NULL for HEAD */
    size_t body_len;
} HttpResult;

/* 0, or a negative errno: -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH (name did not resolve),
 * -EPROTO (not HTTP, or a TLS failure), -EACCES (the certificate failed verification),
 * -EMSGSIZE; err says what happened. Free the result when 0. */
int http_do(const HttpRequest *rq, HttpResult *r, char *err, size_t n);
/* The same over TLS when tls is not NULL. */
int http_do_tls(const HttpRequest *rq, const HttpTls *tls, HttpResult *r, char *err, size_t n);
/* The same, connecting to connect_addr (an address the caller resolved and checked: no
 * second lookup can lead elsewhere) while rq->host still names the server (Host header,
 * TLS name); tls NULL: plain HTTP. */
int http_do_at(const HttpRequest *rq, const char *connect_addr, const HttpTls *tls, HttpResult *r, char *err,
               size_t n);
void http_result_free(HttpResult *r);
/* 1 if a TCP connection to host:port succeeds within timeout_ms. */
int http_port_open(const char *host, int port, int timeout_ms);

#endif
