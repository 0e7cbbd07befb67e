/* vmafx's libvmaf 3.2.0 compatibility layer: the insides of the opaque libvmaf types, and the
 * helpers its files share. The layer only translates: pictures, models and options go to
 * the engine (vmafx/vmafx.h); results come back from it. */
#ifndef VMAFX_COMPAT_COMPAT_H
#define VMAFX_COMPAT_COMPAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "libvmaf/libvmaf.h"
#include "vmafx/vmafx.h"

#define EXPORT __attribute__((visibility("default")))

struct VmafFeatureDictionary {
    unsigned n, cap;
    struct {
        char *key, *val;
    } * e;
};

struct VmafRef {
    atomic_long cnt;
};

typedef struct PicturePool PicturePool;

/* What vmaf_picture_alloc puts behind VmafPicture.priv: the engine picture owning the
 * planes (so pictures go to the engine without a copy), and the pool it came from. */
typedef struct PicturePriv {
    uint32_t magic;
    VmafxPicture eng;
    PicturePool *pool; /* NULL: freed with the last reference */
} PicturePriv;

#define PICTURE_MAGIC 0x766d6178u /* tells our pictures from uninitialised memory */

struct VmafModel {
    char *version; /* built-in model, or NULL */
    char *json;    /* model file text, or NULL */
    size_t json_len;
    char *name; /* output name: cfg->name or "vmaf" */
    uint64_t flags;
    char *overloads; /* "extractor.key=value:..." from vmaf_model_feature_overload */
};

#define MAX_MOUNTED 8
#define MAX_HANDLERS 16

struct VmafContext {
    VmafxContext *eng;
    VmafConfiguration cfg;
    unsigned n_read; /* pictures pairs read = next expected index */
    unsigned w, h, bpc;
    enum VmafPixelFormat pix_fmt;
    int flushed;
    double t_begin, t_end; /* processor time of the first read and of the flush */
    const VmafModel *mounted[MAX_MOUNTED];
    unsigned n_mounted;
    VmafMetadataConfiguration handler[MAX_HANDLERS];
    unsigned n_handlers;
    PicturePool *pool;
    VmafContext *live_next; /* list of live contexts (context.c) */
};

/* One line "libvmaf LEVEL: message" on stderr when level <= the context's log level
 * (ctx NULL: errors only). */
void compat_log(const VmafContext *ctx, enum VmafLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Logs the engine's last message as an error and maps its code to libvmaf's (-EINVAL, or
 * -ENOMEM). */
int compat_engine_error(const VmafContext *ctx, const char *what, int err);

/* "key=value:key=value" of a dictionary into buf; -EINVAL if it does not fit. */
int dictionary_join(const VmafFeatureDictionary *d, const char *prefix, char *buf, size_t n);

/* The engine's view of a picture read through the API (its planes, strides and libvmaf's
 * plane sizes); -EINVAL if pic was not made by vmaf_picture_alloc or a pool, was already
 * unref'ed, or has no planes. */
int picture_engine_view(const VmafPicture *pic, VmafxPicture *view);

void picture_pool_release(PicturePool *pool);
int picture_pool_new(PicturePool **out, const VmafPictureConfiguration *cfg);
int picture_pool_fetch(PicturePool *pool, VmafPicture *pic);

/* Mounts a model into the engine context (vmaf_use_features_from_model). */
int model_mount(VmafContext *ctx, const VmafModel *model);

#endif
