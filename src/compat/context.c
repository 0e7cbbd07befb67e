/* VmafContext's life cycle and input: configuration, extractor registration, pictures,
 * imported scores and the flush. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"

/* Live contexts, so that closing one twice (or a pointer that was never a context) is
 * refused with -EINVAL instead of freeing memory twice. The only state shared between
 * contexts; lookups are by pointer, under a lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static VmafContext *live_head;

static void live_add(VmafContext *ctx)
{
    pthread_mutex_lock(&live_lock);
    ctx->live_next = live_head;
    live_head = ctx;
    pthread_mutex_unlock(&live_lock);
}

/* Unlinks ctx; false if it is not a live context. */
static bool live_remove(VmafContext *ctx)
{
    pthread_mutex_lock(&live_lock);
    VmafContext **p = &live_head;
    while (*p && *p != ctx) p = &(*p)->live_next;
    bool found = *p != NULL;
    if (found) *p = ctx->live_next;
    pthread_mutex_unlock(&live_lock);
    return found;
}

/* libvmaf's cpumask bits (set = instruction set not allowed) onto vmafx's kernel levels:
 * vmafx has scalar, AVX2 (plain or with AVX-VNNI) and AVX-512 kernels, so any of the bits below
 * AVX2 (SSE2 .. SSE4.1, which libvmaf's AVX2 code needs too) or AVX2 itself gives scalar,
 * and AVX-512 or AVX-512 ICL caps the level at plain AVX2, the set libvmaf's AVX2 path uses. */
static enum VmafxCpu cpu_from_mask(uint64_t mask)
{
    if (mask & (1 | 2 | 4 | 8)) return VMAFX_CPU_SCALAR;
    if (mask & (16 | 32)) return VMAFX_CPU_AVX2;
    return VMAFX_CPU_AUTO;
}

EXPORT int vmaf_init(VmafContext **vmaf, VmafConfiguration cfg)
{
    if (!vmaf) return -EINVAL;
    *vmaf = NULL;
    VmafContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return -ENOMEM;
    ctx->cfg = cfg;
    VmafxConfig ec = { .n_threads = cfg.n_threads,
                       .subsample = cfg.n_subsample,
                       .cpu = cpu_from_mask(cfg.cpumask) };
    int err = vmafx_init(&ctx->eng, &ec);
    if (err) {
        free(ctx);
        return err == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    live_add(ctx);
    *vmaf = ctx;
    return 0;
}

EXPORT int vmaf_close(VmafContext *vmaf)
{
    if (!vmaf || !live_remove(vmaf)) return -EINVAL;
    vmafx_close(vmaf->eng);
    if (vmaf->pool) picture_pool_release(vmaf->pool);
    free(vmaf);
    return 0;
}

static int check_registering(VmafContext *ctx, const char *what)
{
    if (!ctx->n_read && !ctx->flushed) return 0;
    compat_log(ctx, VMAF_LOG_LEVEL_ERROR, "%s: extractors must be registered before the first picture", what);
    return -EINVAL;
}

EXPORT int vmaf_use_feature(VmafContext *vmaf, const char *feature_name, VmafFeatureDictionary *opts_dict)
{
    if (!vmaf || !feature_name) return -EINVAL;
    int err = check_registering(vmaf, feature_name);
    if (err) return err;
    char opts[512];
    if (dictionary_join(opts_dict, NULL, opts, sizeof(opts))) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "feature %s: options too long", feature_name);
        return -EINVAL;
    }
    err = vmafx_use_feature(vmaf->eng, feature_name, opts);
    if (err) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "could not initialize feature extractor \"%s\"", feature_name);
        return compat_engine_error(vmaf, feature_name, err);
    }
    /* the context owns the options from here on (libvmaf frees them on success only) */
    vmaf_feature_dictionary_free(&opts_dict);
    return 0;
}

EXPORT int vmaf_use_features_from_model(VmafContext *vmaf, VmafModel *model)
{
    if (!vmaf || !model) return -EINVAL;
    int err = check_registering(vmaf, model->name);
    return err ? err : model_mount(vmaf, model);
}

EXPORT int vmaf_import_feature_score(VmafContext *vmaf, const char *feature_name, double value,
                                     unsigned index)
{
    if (!vmaf || !feature_name) return -EINVAL;
    int err = vmafx_import_feature_score(vmaf->eng, feature_name, index, value);
    return err ? compat_engine_error(vmaf, "vmaf_import_feature_score", err) : 0;
}

static int check_picture(VmafContext *ctx, const VmafPicture *pic, VmafxPicture *view, const char *which)
{
    if (picture_engine_view(pic, view)) {
        compat_log(ctx, VMAF_LOG_LEVEL_ERROR,
                   "%s picture was not made by vmaf_picture_alloc (or was already unref'ed)", which);
        return -EINVAL;
    }
    if (pic->w[0] != ctx->w || pic->h[0] != ctx->h || pic->bpc != ctx->bpc || pic->pix_fmt != ctx->pix_fmt) {
        compat_log(ctx, VMAF_LOG_LEVEL_ERROR,
                   "%s picture is %ux%u %u-bit format %d, the stream is %ux%u %u-bit format %d", which,
                   pic->w[0], pic->h[0], pic->bpc, pic->pix_fmt, ctx->w, ctx->h, ctx->bpc, ctx->pix_fmt);
        return -EINVAL;
    }
    return 0;
}

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

static void deliver_metadata(VmafContext *ctx)
{
    for (unsigned h = 0; h < ctx->n_handlers; h++) {
        VmafMetadataConfiguration *m = &ctx->handler[h];
        for (unsigned i = 0; i < ctx->n_read; i++) {
            VmafMetadata md = { .feature_name = m->feature_name, .picture_index = i };
            if (!vmafx_feature_value(ctx->eng, m->feature_name, i, &md.score)) m->callback(m->data, &md);
        }
    }
}

static int flush(VmafContext *ctx)
{
    ctx->flushed = 1;
    ctx->t_end = cpu_seconds();
    if (!ctx->n_read) return 0; /* nothing to flush; queries will find no scores */
    int err = vmafx_flush(ctx->eng);
    if (err) return compat_engine_error(ctx, "flush", err);
    deliver_metadata(ctx);
    return 0;
}

static int read_pair(VmafContext *ctx, VmafPicture *ref, VmafPicture *dist, unsigned index)
{
    if (index != ctx->n_read) {
        compat_log(ctx, VMAF_LOG_LEVEL_ERROR,
                   "picture index %u out of order: vmafx scores pictures in order, expected %u", index,
                   ctx->n_read);
        return -EINVAL;
    }
    if (!ctx->n_read) {
        ctx->w = ref->w[0];
        ctx->h = ref->h[0];
        ctx->bpc = ref->bpc;
        ctx->pix_fmt = ref->pix_fmt;
        ctx->t_begin = cpu_seconds();
    }
    VmafxPicture r, d;
    int err = check_picture(ctx, ref, &r, "reference");
    if (!err) err = check_picture(ctx, dist, &d, "distorted");
    if (err) return err;
    err = vmafx_score_pictures(ctx->eng, &r, &d);
    if (err) return compat_engine_error(ctx, "vmaf_read_pictures", err);
    ctx->n_read++;
    /* the engine has scored or copied both pictures: the caller's references end here */
    vmaf_picture_unref(ref);
    vmaf_picture_unref(dist);
    return 0;
}

EXPORT int vmaf_read_pictures(VmafContext *vmaf, VmafPicture *ref, VmafPicture *dist, unsigned index)
{
    if (!vmaf) return -EINVAL;
    if (vmaf->flushed) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "vmaf_read_pictures: the context was already flushed");
        return -EINVAL;
    }
    if (!ref != !dist) return -EINVAL;
    if (!ref) return flush(vmaf);
    return read_pair(vmaf, ref, dist, index);
}

EXPORT int vmaf_preallocate_pictures(VmafContext *vmaf, VmafPictureConfiguration cfg)
{
    if (!vmaf || vmaf->pool) return -EINVAL;
    return picture_pool_new(&vmaf->pool, &cfg);
}

EXPORT int vmaf_fetch_preallocated_picture(VmafContext *vmaf, VmafPicture *pic)
{
    if (!vmaf || !pic || !vmaf->pool) return -EINVAL;
    return picture_pool_fetch(vmaf->pool, pic);
}

EXPORT int vmaf_register_metadata_handler(VmafContext *vmaf, VmafMetadataConfiguration cfg)
{
    if (!vmaf || !cfg.feature_name || !cfg.callback) return -EINVAL;
    if (vmaf->n_handlers == MAX_HANDLERS) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "at most %d metadata handlers", MAX_HANDLERS);
        return -EINVAL;
    }
    vmaf->handler[vmaf->n_handlers++] = cfg;
    return 0;
}
