/* Loads GnuTLS on first use (see tls_api.h). */
#define TLS_API_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "tls_api.h"

/* The soname carries the ABI: libgnutls.so.30 is the library of every GnuTLS 3.x since 3.4,
 * whose headers tls.c is compiled with. Headers of another major version would declare
 * functions that a library of that soname does not have, so they must not build this file. */
#if GNUTLS_VERSION_MAJOR != 3
#error "tls_api.c loads libgnutls.so.30 (GnuTLS 3.x); these headers are of another major version"
#endif
#define GNUTLS_SONAME "libgnutls.so.30"

/* Written once under pthread_once, then only read. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static TlsApi api;
static char failure[256];

static void load(void)
{
    /* the handle stays open for the life of the process: the table points into it */
    void *h = dlopen(GNUTLS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(failure, sizeof(failure), "cannot load GnuTLS (%s)", e ? e : GNUTLS_SONAME);
        return;
    }
    /* clang-format off */
#define TLS_API_RESOLVE(member, symbol)                                                      \
    if (!(*(void **)&api.member = dlsym(h, symbol))) {                                       \
        snprintf(failure, sizeof(failure), "cannot load GnuTLS (no %s in %s)", symbol,       \
                 GNUTLS_SONAME);                                                             \
        return;                                                                              \
    }
#define TLS_API_FUNCTION(name) TLS_API_RESOLVE(name, #name)
    /* clang-format on */
    TLS_GNUTLS_FUNCTIONS(TLS_API_FUNCTION)
    TLS_API_RESOLVE(free_ptr, "gnutls_free")
#undef TLS_API_FUNCTION
#undef TLS_API_RESOLVE
    /* dlopen ran GnuTLS's constructor, which initializes the library (implicit initialization,
     * GnuTLS >= 3.3), so this call only counts a reference; it does the work when the
     * environment disabled that (GNUTLS_NO_IMPLICIT_INIT=1), where the library must not be
     * used before it. Never deinitialized: the library stays for the process's lifetime. */
    int r = api.gnutls_global_init();
    if (r < 0) snprintf(failure, sizeof(failure), "cannot load GnuTLS (%s)", api.gnutls_strerror(r));
}

int tls_api_load(char *why, size_t n)
{
    pthread_once(&once, load);
    if (!*failure) return 0;
    if (why && n) snprintf(why, n, "%s", failure);
    return -1;
}

const TlsApi *tls_api(void)
{
    return &api;
}
