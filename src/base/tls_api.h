/* GnuTLS, loaded with dlopen the first time a TLS connection is made (tls.c).
 *
 * Linking libgnutls maps it and seven more libraries (p11-kit, ffi, idn2, unistring, tasn1,
 * hogweed, gmp) and runs their constructors in every process: ~5.5 ms of
 * CPU before main(), more than `vmafx --version` costs without them, and scoring local files
 * never makes a TLS connection. So tls.c compiles against GnuTLS's headers but calls through
 * this table: it includes this header after gnutls.h, and the names below turn
 * `gnutls_init(...)` into a call through the table. tls_api_load() must have succeeded first
 * (tls_client_start calls it). The controller, which also signs webhooks with GnuTLS's HMAC
 * and serves HTTPS through libmicrohttpd, links GnuTLS as usual; a dlopen there finds the
 * library already mapped. */
#ifndef VMAFX_BASE_TLS_API_H
#define VMAFX_BASE_TLS_API_H

#include <stddef.h>

#include <gnutls/gnutls.h>

/* Every GnuTLS function tls.c calls (gnutls_transport_set_int is a macro over ..._int2). */
#define TLS_GNUTLS_FUNCTIONS(X)                     \
    X(gnutls_certificate_allocate_credentials)      \
    X(gnutls_certificate_free_credentials)          \
    X(gnutls_certificate_set_x509_system_trust)     \
    X(gnutls_certificate_set_x509_trust_file)       \
    X(gnutls_certificate_verification_status_print) \
    X(gnutls_credentials_set)                       \
    X(gnutls_deinit)                                \
    X(gnutls_error_is_fatal)                        \
    X(gnutls_global_init)                           \
    X(gnutls_handshake)                             \
    X(gnutls_init)                                  \
    X(gnutls_record_get_direction)                  \
    X(gnutls_record_recv)                           \
    X(gnutls_record_send)                           \
    X(gnutls_server_name_set)                       \
    X(gnutls_session_get_verify_cert_status)        \
    X(gnutls_session_set_verify_cert)               \
    X(gnutls_set_default_priority)                  \
    X(gnutls_strerror)                              \
    X(gnutls_transport_set_int2)

typedef struct TlsApi {
#define TLS_API_MEMBER(name) __typeof__(name) *name;
    TLS_GNUTLS_FUNCTIONS(TLS_API_MEMBER)
#undef TLS_API_MEMBER
    /* GnuTLS exports gnutls_free as a variable (the deallocator matching its allocations):
     * this is that variable's address */
    gnutls_free_function *free_ptr;
} TlsApi;

/* Loads GnuTLS once (thread-safe); 0, or -1 with "cannot load GnuTLS (...)" in why. */
int tls_api_load(char *why, size_t n);

/* The table; only valid after tls_api_load() succeeded. */
const TlsApi *tls_api(void);

#ifndef TLS_API_IMPL
#define gnutls_certificate_allocate_credentials (tls_api()->gnutls_certificate_allocate_credentials)
#define gnutls_certificate_free_credentials (tls_api()->gnutls_certificate_free_credentials)
#define gnutls_certificate_set_x509_system_trust (tls_api()->gnutls_certificate_set_x509_system_trust)
#define gnutls_certificate_set_x509_trust_file (tls_api()->gnutls_certificate_set_x509_trust_file)
#define gnutls_certificate_verification_status_print (tls_api()->gnutls_certificate_verification_status_print)
#define gnutls_credentials_set (tls_api()->gnutls_credentials_set)
#define gnutls_deinit (tls_api()->gnutls_deinit)
#define gnutls_error_is_fatal (tls_api()->gnutls_error_is_fatal)
#define gnutls_global_init (tls_api()->gnutls_global_init)
#define gnutls_handshake (tls_api()->gnutls_handshake)
#define gnutls_init (tls_api()->gnutls_init)
#define gnutls_record_get_direction (tls_api()->gnutls_record_get_direction)
#define gnutls_record_recv (tls_api()->gnutls_record_recv)
#define gnutls_record_send (tls_api()->gnutls_record_send)
#define gnutls_server_name_set (tls_api()->gnutls_server_name_set)
#define gnutls_session_get_verify_cert_status (tls_api()->gnutls_session_get_verify_cert_status)
#define gnutls_session_set_verify_cert (tls_api()->gnutls_session_set_verify_cert)
#define gnutls_set_default_priority (tls_api()->gnutls_set_default_priority)
#define gnutls_strerror (tls_api()->gnutls_strerror)
#define gnutls_transport_set_int2 (tls_api()->gnutls_transport_set_int2)
/* gnutls_free is a variable (a function pointer), reached through its address */
#define gnutls_free(p) ((*tls_api()->free_ptr)((void *)(p)))
#endif

#endif
