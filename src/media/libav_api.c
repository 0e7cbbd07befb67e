/* Loads FFmpeg's libraries on first use (see libav_api.h). The library names carry the major
 * versions of the headers media/ was compiled with, so the ABI matches. */
#define LIBAV_API_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/macros.h>
#include <libavutil/version.h>
#include <libswscale/version.h>

#include "libav_api.h"

static const char *const libraries[] = {
    "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
    "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR),
    "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR),
    "libswscale.so." AV_STRINGIFY(LIBSWSCALE_VERSION_MAJOR),
};
#define NLIB (sizeof(libraries) / sizeof(libraries[0]))

/* Written once under pthread_once, then only read. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static LibavApi api;
static char failure[256];

static void *find(void *const *handles, const char *name)
{
    for (size_t i = 0; i < NLIB; i++) {
        void *f = dlsym(handles[i], name);
        if (f) return f;
    }
    return NULL;
}

static void load(void)
{
    void *handles[NLIB];
    for (size_t i = 0; i < NLIB; i++)
        if (!(handles[i] = dlopen(libraries[i], RTLD_NOW | RTLD_LOCAL))) {
            const char *e = dlerror();
            snprintf(failure, sizeof(failure), "cannot load FFmpeg (%s)", e ? e : libraries[i]);
            return;
        }
        /* clang-format off */
    /* the handles stay open for the life of the process: the table points into them */
#define LIBAV_RESOLVE(name)                                                              \
    if (!(*(void **)&api.name = find(handles, #name))) {                                 \
        snprintf(failure, sizeof(failure), "cannot load FFmpeg (no %s in %s)", #name,    \
                 libraries[NLIB - 2]);                                                   \
        return;                                                                          \
    }
    /* clang-format on */
    LIBAV_FUNCTIONS(LIBAV_RESOLVE)
#undef LIBAV_RESOLVE
}

int libav_load(char *why, size_t n)
{
    pthread_once(&once, load);
    if (!*failure) return 0;
    if (why && n) snprintf(why, n, "%s", failure);
    return -1;
}

const LibavApi *libav(void)
{
    return &api;
}
