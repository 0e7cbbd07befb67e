/* TLS for the small HTTP client (httpc.c): a GnuTLS client session over a connected,
 * non-blocking socket, with the server's certificate verified against a CA file (or the
 * system's trust store) and the host name, every step bounded by the caller's deadline. */
#ifndef VMAFX_BASE_TLS_H
#define VMAFX_BASE_TLS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct TlsConn TlsConn;

/* Handshakes on fd (which stays the caller's to close). ca_file NULL: the system's trust
 * store. 0, or a negative errno with err saying why ("certificate verification failed: ...",
 * "CA file /x: ...", or -ELIBACC with "cannot load GnuTLS (...)": the first call loads the
 * library). deadline: CLOCK_MONOTONIC milliseconds. */
int tls_client_start(TlsConn **out, int fd, const char *host, const char *ca_file, long long deadline,
                     char *err, size_t n);
/* Bytes written (all of len), or a negative errno. */
int tls_send_all(TlsConn *t, const char *p, size_t len, long long deadline);
/* Bytes read (> 0), 0 at the end of the stream, or a negative errno. */
ssize_t tls_recv(TlsConn *t, char *p, size_t len, long long deadline);
void tls_close(TlsConn *t);

#endif
