/* VmafPicture: reference-counted planes. The planes are an engine picture
 * (vmafx_picture_alloc: 64-byte aligned rows with slack for the SIMD kernels), so
 * vmaf_read_pictures hands them to the engine without copying. Plane sizes are libvmaf's:
 * chroma w >> 1 / h >> 1 (rounded down) where subsampled. Pools (vmaf_preallocate_pictures)
 * keep released pictures for reuse.
 *
 * Programs like FFmpeg's filter allocate two pictures per frame and free them right after
 * vmaf_read_pictures; a small process-wide cache of freed buffers (the only state shared
 * between contexts besides context.c's list) saves their page faults and clearing, which
 * cost about a tenth of the filter's CPU time at 1080p. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

struct PicturePool {
    pthread_mutex_t lock;
    pthread_cond_t returned;
    VmafPicture *free; /* pictures not handed out: their priv and ref are kept */
    unsigned n_free, n_total;
    unsigned users; /* the context, plus each picture handed out */
};

#define CACHE_SIZE 8

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static PicturePriv *cache[CACHE_SIZE];

static PicturePriv *cache_take(enum VmafPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    PicturePriv *found = NULL;
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; i < CACHE_SIZE && !found; i++) {
        PicturePriv *p = cache[i];
        if (p && p->eng.pix_fmt == (enum VmafxPixelFormat)fmt && p->eng.bpc == bpc && p->eng.w[0] == w &&
            p->eng.h[0] == h) {
            found = p;
            cache[i] = NULL;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

/* Keeps priv for reuse if there is room; false if the caller must free it. */
static bool cache_put(PicturePriv *priv)
{
    bool kept = false;
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; i < CACHE_SIZE && !kept; i++)
        if (!cache[i]) {
            cache[i] = priv;
            kept = true;
        }
    pthread_mutex_unlock(&cache_lock);
    return kept;
}

static void set_libvmaf_planes(VmafPicture *pic, const VmafxPicture *e, enum VmafPixelFormat fmt,
                               unsigned bpc, unsigned w, unsigned h)
{
    memset(pic, 0, sizeof(*pic));
    pic->pix_fmt = fmt;
    pic->bpc = bpc;
    unsigned sx = fmt != VMAF_PIX_FMT_YUV444P, sy = fmt == VMAF_PIX_FMT_YUV420P;
    for (int p = 0; p < 3; p++) {
        pic->w[p] = p ? w >> sx : w;
        pic->h[p] = p ? h >> sy : h;
        pic->stride[p] = e->stride[p];
        pic->data[p] = e->data[p];
    }
}

static int picture_new(VmafPicture *pic, enum VmafPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (fmt == VMAF_PIX_FMT_YUV400P) {
        compat_log(NULL, VMAF_LOG_LEVEL_ERROR, "YUV400P pictures are not supported by vmafx");
        return -EINVAL;
    }
    if (fmt < VMAF_PIX_FMT_YUV420P || fmt > VMAF_PIX_FMT_YUV444P || bpc < 8 || bpc > 16 || !w || !h)
        return -EINVAL;
    PicturePriv *priv = cache_take(fmt, bpc, w, h);
    int cached = priv != NULL;
    if (!priv) priv = calloc(1, sizeof(*priv));
    VmafRef *ref = calloc(1, sizeof(*ref));
    int err = !priv || !ref ? -ENOMEM
              : cached      ? 0
                            : vmafx_picture_alloc(&priv->eng, (enum VmafxPixelFormat)fmt, bpc, w, h);
    if (err) {
        if (cached) vmafx_picture_free(&priv->eng);
        free(priv);
        free(ref);
        return err == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    priv->magic = PICTURE_MAGIC;
    set_libvmaf_planes(pic, &priv->eng, fmt, bpc, w, h);
    atomic_init(&ref->cnt, 1);
    pic->ref = ref;
    pic->priv = priv;
    return 0;
}

EXPORT int vmaf_picture_alloc(VmafPicture *pic, enum VmafPixelFormat pix_fmt, unsigned bpc, unsigned w,
                              unsigned h)
{
    if (!pic) return -EINVAL;
    return picture_new(pic, pix_fmt, bpc, w, h);
}

static void picture_destroy(VmafPicture *pic)
{
    PicturePriv *priv = pic->priv;
    priv->pool = NULL;
    if (!cache_put(priv)) {
        vmafx_picture_free(&priv->eng);
        free(priv);
    }
    free(pic->ref);
}

static void pool_put(PicturePool *pool, VmafPicture *pic)
{
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pic->ref->cnt, 1);
    pool->free[pool->n_free++] = *pic;
    pthread_cond_signal(&pool->returned);
    pthread_mutex_unlock(&pool->lock);
    picture_pool_release(pool);
}

EXPORT int vmaf_picture_unref(VmafPicture *pic)
{
    if (!pic || !pic->ref || !pic->priv) return -EINVAL;
    PicturePriv *priv = pic->priv;
    if (priv->magic != PICTURE_MAGIC) return -EINVAL;
    if (atomic_fetch_sub(&pic->ref->cnt, 1) == 1) {
        if (priv->pool) pool_put(priv->pool, pic);
        else picture_destroy(pic);
    }
    memset(pic, 0, sizeof(*pic));
    return 0;
}

int picture_engine_view(const VmafPicture *pic, VmafxPicture *view)
{
    const PicturePriv *priv = pic->priv;
    if (!pic->ref || !priv || priv->magic != PICTURE_MAGIC) return -EINVAL;
    if (!pic->data[0] || (pic->pix_fmt != VMAF_PIX_FMT_YUV400P && (!pic->data[1] || !pic->data[2])))
        return -EINVAL;
    *view = priv->eng;
    view->pix_fmt = (enum VmafxPixelFormat)pic->pix_fmt;
    view->bpc = pic->bpc;
    for (int p = 0; p < 3; p++) {
        /* the caller may have pointed the planes elsewhere: the engine reads what it says,
         * within the allocation's sizes */
        view->data[p] = pic->data[p];
        view->stride[p] = pic->stride[p];
        view->w[p] = pic->w[p];
        view->h[p] = pic->h[p];
    }
    return 0;
}

int picture_pool_new(PicturePool **out, const VmafPictureConfiguration *cfg)
{
    if (!cfg->pic_cnt) return -EINVAL;
    PicturePool *pool = calloc(1, sizeof(*pool));
    if (!pool || !(pool->free = calloc(cfg->pic_cnt, sizeof(*pool->free)))) {
        free(pool);
        return -ENOMEM;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->returned, NULL);
    pool->users = 1;
    for (unsigned i = 0; i < cfg->pic_cnt; i++) {
        int err = picture_new(&pool->free[i], cfg->pic_params.pix_fmt, cfg->pic_params.bpc, cfg->pic_params.w,
                              cfg->pic_params.h);
        if (err) {
            picture_pool_release(pool);
            return err;
        }
        ((PicturePriv *)pool->free[i].priv)->pool = pool;
        pool->n_free = pool->n_total = i + 1;
    }
    *out = pool;
    return 0;
}

/* Blocks until a picture is back, as libvmaf's pool does. */
int picture_pool_fetch(PicturePool *pool, VmafPicture *pic)
{
    pthread_mutex_lock(&pool->lock);
    while (!pool->n_free) pthread_cond_wait(&pool->returned, &pool->lock);
    *pic = pool->free[--pool->n_free];
    pool->users++;
    pthread_mutex_unlock(&pool->lock);
    return 0;
}

/* Drops one user; the last one (context closed, every picture returned) frees the pool. */
void picture_pool_release(PicturePool *pool)
{
    pthread_mutex_lock(&pool->lock);
    unsigned left = --pool->users;
    pthread_mutex_unlock(&pool->lock);
    if (left) return;
    for (unsigned i = 0; i < pool->n_free; i++) picture_destroy(&pool->free[i]);
    pthread_cond_destroy(&pool->returned);
    pthread_mutex_destroy(&pool->lock);
    free(pool->free);
    free(pool);
}
