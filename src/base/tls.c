/* GnuTLS client sessions for httpc.c (see tls.h); GnuTLS is loaded on the first one (tls_api.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tls.h"
#include "tls_api.h"

struct TlsConn {
    gnutls_session_t s;
    gnutls_certificate_credentials_t cred;
    int fd;
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the direction GnuTLS was blocked on (it may need to read while writing). */
static int wait_io(TlsConn *t, long long deadline)
{
    struct pollfd p = { t->fd, gnutls_record_get_direction(t->s) ? POLLOUT : POLLIN, 0 };
    for (;;) {
        long long left = deadline - mono_ms();
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r > 0) return 0;
        if (r == 0) return -ETIMEDOUT;
        if (errno != EINTR) return -errno;
    }
}

static int again(int r)
{
    return r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED;
}

static int load_trust(TlsConn *t, const char *ca_file, char *err, size_t n)
{
    int r = gnutls_certificate_allocate_credentials(&t->cred);
    if (r < 0) return snprintf(err, n, "TLS: %s", gnutls_strerror(r)), -ENOMEM;
    r = ca_file ? gnutls_certificate_set_x509_trust_file(t->cred, ca_file, GNUTLS_X509_FMT_PEM)
                : gnutls_certificate_set_x509_system_trust(t->cred);
    if (r > 0) return 0;
    if (ca_file)
        snprintf(err, n, "CA file %s: %s", ca_file, r < 0 ? gnutls_strerror(r) : "no certificate in it");
    else
        snprintf(err, n, "TLS: no system trust store (%s); give a CA file",
                 r < 0 ? gnutls_strerror(r) : "empty");
    return -EINVAL;
}

static int verify_error(TlsConn *t, const char *host, char *err, size_t n)
{
    gnutls_datum_t out = { NULL, 0 };
    unsigned status = gnutls_session_get_verify_cert_status(t->s);
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) < 0) out.data = NULL;
    int len = out.data ? (int)strlen((const char *)out.data) : 0;
    while (len && (out.data[len - 1] == ' ' || out.data[len - 1] == '.')) len--; /* "...unknown. " */
    snprintf(err, n, "TLS: the certificate of %s failed verification: %.*s", host, len,
             out.data ? (const char *)out.data : "");
    gnutls_free(out.data);
    return -EACCES;
}

static int handshake(TlsConn *t, const char *host, long long deadline, char *err, size_t n)
{
    for (;;) {
        int r = gnutls_handshake(t->s);
        if (r == GNUTLS_E_SUCCESS) return 0;
        if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) return verify_error(t, host, err, n);
        if (!again(r) && gnutls_error_is_fatal(r)) {
            snprintf(err, n, "TLS handshake with %s: %s", host, gnutls_strerror(r));
            return -EPROTO;
        }
        int e = wait_io(t, deadline);
        if (e) {
            snprintf(err, n, "TLS handshake with %s: %s", host,
                     e == -ETIMEDOUT ? "no answer in time" : strerror(-e));
            return e;
        }
    }
}

/* The name the certificate must carry: a DNS name also goes out as SNI; an IP address is
 * matched against the certificate's IP addresses. */
static int setup(TlsConn *t, const char *host, char *err, size_t n)
{
    unsigned char addr[16];
    int literal = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    int r = gnutls_init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
    if (r >= 0) r = gnutls_set_default_priority(t->s);
    if (r >= 0) r = gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, t->cred);
    if (r >= 0 && !literal) r = gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, host, strlen(host));
    if (r < 0) return snprintf(err, n, "TLS: %s", gnutls_strerror(r)), -EPROTO;
    gnutls_session_set_verify_cert(t->s, host, 0);
    gnutls_transport_set_int(t->s, t->fd);
    return 0;
}

int tls_client_start(TlsConn **out, int fd, const char *host, const char *ca_file, long long deadline,
                     char *err, size_t n)
{
    *out = NULL;
    if (tls_api_load(err, n) < 0) return -ELIBACC;
    TlsConn *t = calloc(1, sizeof(*t));
    if (!t) return snprintf(err, n, "out of memory"), -ENOMEM;
    t->fd = fd;
    int e = load_trust(t, ca_file, err, n);
    if (!e) e = setup(t, host, err, n);
    if (!e) e = handshake(t, host, deadline, err, n);
    if (e) {
        tls_close(t);
        return e;
    }
    *out = t;
    return 0;
}

int tls_send_all(TlsConn *t, const char *p, size_t len, long long deadline)
{
    while (len) {
        ssize_t w = gnutls_record_send(t->s, p, len);
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (!again((int)w)) return -EPIPE;
        int e = wait_io(t, deadline);
        if (e) return e;
    }
    return 0;
}

ssize_t tls_recv(TlsConn *t, char *p, size_t len, long long deadline)
{
    for (;;) {
        ssize_t r = gnutls_record_recv(t->s, p, len);
        if (r >= 0) return r;
        /* a server that closes without close_notify has still sent all it meant to (the
         * caller checks Content-Length) */
        if (r == GNUTLS_E_PREMATURE_TERMINATION) return 0;
        if (!again((int)r)) return -EPROTO;
        int e = wait_io(t, deadline);
        if (e) return e;
    }
}

void tls_close(TlsConn *t)
{
    if (!t) return;
    if (t->s) gnutls_deinit(t->s);
    if (t->cred) gnutls_certificate_free_credentials(t->cred);
    free(t);
}
