/* Calls to the controller's HTTP API, as the node and the `vmafx` client commands make them:
 * the controller address, the bearer token (from a value or from a file that is read again
 * on every call, so a rotated token is picked up without a restart) and one JSON exchange. */
#ifndef VMAFX_API_APICLIENT_H
#define VMAFX_API_APICLIENT_H

#include <stddef.h>

typedef struct ApiEndpoint {
    char host[256];
    int port;
    char prefix[256];    /* path the API is mounted under ("" or "/vmafx"), no trailing '/' */
    int tls;             /* https:// */
    const char *ca_file; /* https: CA bundle the controller's certificate must chain to (NULL:
                              the system's); set after api_parse_addr */
} ApiEndpoint;

/* "http(s)://host:port[/prefix]", "host:port" or "[::1]:8080". */
int api_parse_addr(const char *addr, ApiEndpoint *ep, char *err, size_t n);

typedef struct ApiClient {
    ApiEndpoint ep;
    const char *token;      /* bearer token, or NULL */
    const char *token_file; /* file whose first line is the token; read on each call */
} ApiClient;

typedef struct ApiResponse {
    int status;
    char *body; /* NUL-terminated; NULL when empty */
    size_t len;
} ApiResponse;

typedef struct ApiRequest {
    const char *method, *path; /* path below the prefix, starting with '/' */
    const char *body;          /* JSON text or NULL */
    size_t body_len;
    const char *headers; /* extra header lines ending in "\r\n", or NULL */
    int timeout_ms;
    size_t max_body; /* largest answer accepted; 0: 1 MiB */
} ApiRequest;

/* 0 with r filled (any HTTP status), or a negative errno when no answer came (connection
 * refused, timeout, unreadable token file) with err saying why. */
int api_call(const ApiClient *c, const ApiRequest *rq, ApiResponse *r, char *err, size_t n);
void api_response_free(ApiResponse *r);
/* The controller's {"error": "..."} message, or "HTTP <status>". */
void api_error_text(const ApiResponse *r, char *out, size_t n);

#endif
