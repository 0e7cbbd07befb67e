/* CAMBI: the score of one picture (libvmaf's cambi_preprocessing + cambi_score).
 *
 * The luma plane is converted to 10 bits at the encode resolution (nearest sample), smoothed
 * by the anti-dithering filter for encodes below 10 bits, and a mask of "flat" pixels (7x7
 * box count of pixels equal to their right and lower neighbours above a threshold) is taken.
 * Then, at five scales (each a 2:1 decimation of the last), a 3x3 mode filter, the c-value of
 * every masked pixel from the histogram of its window, and the mean of the top-k c-values;
 * the score is the weighted sum of the five means. The per-row work is in the kernels
 * (cambi_kernels.h), the pooling in cambi_pool.c; this file walks the picture. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cpu.h"
#include "cambi.h"
#include "../big_alloc.h"

#define FLAT_RING 8 /* rows i-4 .. i+3 of flat flags are alive at once */

static const int scale_weight[CAMBI_SCALES] = { 16, 8, 4, 2, 1 };

/* ---- memory ---------------------------------------------------------------------------- */

/* Bytes of a plane of n elements: its slack for whole-vector reads past the end, rounded so
 * that the next plane starts 64-byte aligned. */
static size_t plane_bytes(size_t n, size_t size)
{
    return (n * size + 2 * CAMBI_SLACK * sizeof(uint32_t) + 63) & ~(size_t)63;
}

/* Each worker has its own planes (megabytes at 1080p), all in one block (big_zeroed): at
 * 576x324 too it is big enough for huge pages, which spare it hundreds of page faults. */
int cambi_work_alloc(CambiWork *wk, unsigned w, unsigned h)
{
    const size_t plane = (size_t)w * h;
    /* value rows of the band, plus the rows that look-ups above the band may reach */
    const size_t hist_rows = (size_t)(wk->cp.size + CAMBI_MAX_DIFFS + 1);
    const size_t bytes[] = { plane_bytes(plane, sizeof(uint16_t)),
                             plane_bytes(plane, sizeof(uint16_t)),
                             plane_bytes((size_t)(FLAT_RING + 1) * w, sizeof(uint16_t)),
                             plane_bytes(w + 2 * CAMBI_MASK_HALF, sizeof(uint16_t)),
                             plane_bytes(3 * (size_t)w, sizeof(uint16_t)),
                             plane_bytes(plane, sizeof(float)),
                             plane_bytes(hist_rows * w, sizeof(uint16_t)) };
    size_t total = 0;
    for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) total += bytes[i];
    uint8_t *p = big_zeroed(total);
    if (!p) return -ENOMEM;
    wk->mem = p;
    wk->alloc_w = w;
    wk->alloc_h = h;
    wk->img = (uint16_t *)(void *)p;
    wk->mask = (uint16_t *)(void *)(p += bytes[0]);
    wk->flat = (uint16_t *)(void *)(p += bytes[1]);
    wk->colsum = (uint16_t *)(void *)(p += bytes[2]);
    wk->mode = (uint16_t *)(void *)(p += bytes[3]);
    wk->c = (float *)(void *)(p += bytes[4]);
    wk->hist = (uint16_t *)(void *)(p += bytes[5]);
    return 0;
}

void cambi_work_free(CambiWork *wk)
{
    big_free(wk->mem);
    memset(wk, 0, offsetof(CambiWork, cp));
}

/* ---- preprocessing --------------------------------------------------------------------- */

static int samples_in_range(const VmafxPicture *pic)
{
    if (pic->bpc <= 8 || pic->bpc >= 16) return 1;
    const unsigned max = (1u << pic->bpc) - 1;
    for (unsigned i = 0; i < pic->h[0]; i++) {
        const uint16_t *row = (const uint16_t *)(const void *)((const uint8_t *)pic->data[0] +
                                                               (size_t)i * pic->stride[0]);
        for (unsigned j = 0; j < pic->w[0]; j++)
            if (row[j] > max) return 0;
    }
    return 1;
}

static inline uint16_t to_10bit(const VmafxPicture *pic, unsigned y, unsigned x)
{
    const uint8_t *row = (const uint8_t *)pic->data[0] + (size_t)y * pic->stride[0];
    if (pic->bpc <= 8) return (uint16_t)(row[x] << (10 - pic->bpc));
    const unsigned v = ((const uint16_t *)(const void *)row)[x];
    if (pic->bpc < 10) return (uint16_t)(v << (10 - pic->bpc));
    const int shift = (int)pic->bpc - 10;
    return (uint16_t)((v + (shift ? 1u << (shift - 1) : 0)) >> shift);
}

/* The same at the picture's own size, a row at a time (loops the compiler vectorises). */
static void convert_same_size(uint16_t *out, const VmafxPicture *pic)
{
    const unsigned w = pic->w[0], h = pic->h[0], bpc = pic->bpc;
    for (unsigned i = 0; i < h; i++, out += w) {
        const uint8_t *row = (const uint8_t *)pic->data[0] + (size_t)i * pic->stride[0];
        const uint16_t *row16 = (const uint16_t *)(const void *)row;
        if (bpc <= 8) {
            for (unsigned j = 0; j < w; j++) out[j] = (uint16_t)(row[j] << (10 - bpc));
        } else if (bpc <= 10) {
            for (unsigned j = 0; j < w; j++) out[j] = (uint16_t)(row16[j] << (10 - bpc));
        } else {
            const unsigned shift = bpc - 10, rnd = 1u << (shift - 1);
            for (unsigned j = 0; j < w; j++) out[j] = (uint16_t)((row16[j] + rnd) >> shift);
        }
    }
}

/* Nearest-sample resize with libvmaf's float arithmetic (the sample picked depends on it). */
static void convert(CambiWork *wk, const VmafxPicture *pic, unsigned w, unsigned h)
{
    const unsigned in_w = pic->w[0], in_h = pic->h[0];
    uint16_t *out = wk->img;
    if (in_w == w && in_h == h) {
        convert_same_size(out, pic);
        return;
    }
    const float ratio_x = (float)in_w / w, ratio_y = (float)in_h / h;
    const float start_x = ratio_x / 2 - 0.5, start_y = ratio_y / 2 - 0.5;
    float y = start_y;
    for (unsigned i = 0; i < h; i++) {
        const unsigned src_y = (unsigned)(int)(y + 0.5);
        float x = start_x;
        for (unsigned j = 0; j < w; j++) {
            const unsigned src_x = (unsigned)(int)(x + 0.5);
            out[(size_t)i * w + j] = to_10bit(pic, src_y, src_x);
            x += ratio_x;
        }
        y += ratio_y;
    }
}

/* 2x2 mean (rounded down), in place; the last row and column average with their one
 * neighbour, the corner stays. */
static void anti_dither(uint16_t *p, unsigned w, unsigned h)
{
    for (unsigned i = 0; i + 1 < h; i++) {
        uint16_t *r = p + (size_t)i * w, *n = r + w;
        for (unsigned j = 0; j + 1 < w; j++) r[j] = (uint16_t)((r[j] + r[j + 1] + n[j] + n[j + 1]) >> 2);
        r[w - 1] = (uint16_t)((r[w - 1] + n[w - 1]) >> 1);
    }
    uint16_t *r = p + (size_t)(h - 1) * w;
    for (unsigned j = 0; j + 1 < w; j++) r[j] = (uint16_t)((r[j] + r[j + 1]) >> 1);
}

/* ---- spatial mask ---------------------------------------------------------------------- */

static int ceil_log2(uint32_t n)
{
    int s = 0;
    for (uint32_t t = n ? n - 1 : 0; t; t >>= 1) s++;
    return s;
}

/* Flat pixels needed in the 7x7 box for a pixel to be masked in: more for larger pictures. */
static int mask_threshold(unsigned w, unsigned h)
{
    const int box = (2 * CAMBI_MASK_HALF + 1) * (2 * CAMBI_MASK_HALF + 1);
    return (uint16_t)((box + 3 * (ceil_log2((w >> 6) * (h >> 6)) - 11) - 1) >> 1);
}

static void spatial_mask(CambiWork *wk, int w, int h)
{
    const CambiKernels *k = &wk->k;
    uint16_t *zero = wk->flat + (size_t)FLAT_RING * w;
    uint16_t *colsum = wk->colsum + CAMBI_MASK_HALF;
    const int thr = mask_threshold((unsigned)w, (unsigned)h);
    memset(wk->colsum, 0, (w + 2 * CAMBI_MASK_HALF) * sizeof(uint16_t));
    memset(zero, 0, w * sizeof(uint16_t));
    for (int r = 0; r < CAMBI_MASK_HALF && r < h; r++) {
        uint16_t *f = wk->flat + (size_t)(r % FLAT_RING) * w;
        const uint16_t *row = wk->img + (size_t)r * w;
        k->flat_row(row, r + 1 < h ? row + w : NULL, f, w);
        k->box_update(colsum, f, zero, w);
    }
    for (int i = 0; i < h; i++) {
        const int r = i + CAMBI_MASK_HALF, old = i - CAMBI_MASK_HALF - 1;
        const uint16_t *add = zero, *sub = zero;
        if (r < h) {
            uint16_t *f = wk->flat + (size_t)(r % FLAT_RING) * w;
            const uint16_t *row = wk->img + (size_t)r * w;
            k->flat_row(row, r + 1 < h ? row + w : NULL, f, w);
            add = f;
        }
        if (old >= 0) sub = wk->flat + (size_t)(old % FLAT_RING) * w;
        k->box_update(colsum, add, sub, w);
        k->mask_row(colsum, wk->mask + (size_t)i * w, w, thr);
    }
}

/* ---- per scale ------------------------------------------------------------------------- */

/* Keeps every other row and column of a plane (stride of the unscaled picture: its rows). */
static void decimate(const CambiKernels *k, uint16_t *p, unsigned stride, int w, int h)
{
    for (int i = 0; i < h; i++) k->decimate_row(p + (size_t)2 * i * stride, p + (size_t)i * stride, w);
}

/* 3x3 mode filter in place; the first and last rows are left as they are. */
static void mode_filter(CambiWork *wk, unsigned stride, int w, int h)
{
    for (int i = 0; i < h; i++) {
        wk->k.mode_h(wk->img + (size_t)i * stride, wk->mode + (size_t)(i % 3) * w, w);
        if (i >= 2)
            wk->k.mode_v(wk->mode, wk->mode + w, wk->mode + 2 * (size_t)w, wk->img + (size_t)(i - 1) * stride,
                         w);
    }
}

/* The histogram starts all zero (calloc) and is left all zero: the rows still in the window
 * after the last picture row leave it again, which costs less than clearing every value row
 * (and leaves the rows of values that never occur untouched). */
static void c_values(CambiWork *wk, unsigned stride, int w, int h, int window, CambiPoolScan *pool)
{
    cambi_pool_reset(pool);
    const int pad = window >> 1, base = wk->cp.base, size = wk->cp.size;
    const uint16_t *img = wk->img, *mask = wk->mask;
    for (int r = 0; r < pad; r++)
        wk->k.hist_slide(wk->hist, w, pad, base, size, img + (size_t)r * stride, mask + (size_t)r * stride,
                         NULL, NULL);
    for (int i = 0; i < h; i++) {
        const int r = i + pad, old = i - pad - 1;
        const size_t ra = (size_t)r * stride, ro = (size_t)old * stride;
        if (r < h || old >= 0)
            wk->k.hist_slide(wk->hist, w, pad, base, size, r < h ? img + ra : NULL, r < h ? mask + ra : NULL,
                             old >= 0 ? img + ro : NULL, old >= 0 ? mask + ro : NULL);
        wk->k.c_values_row(wk->c + (size_t)i * w, wk->hist, img + (size_t)i * stride,
                           mask + (size_t)i * stride, w, &wk->cp);
        cambi_pool_scan(pool, wk->c + (size_t)i * w, w); /* while the row is in cache */
    }
    for (int r = h - pad - 1; r < h; r++)
        if (r >= 0)
            wk->k.hist_slide(wk->hist, w, pad, base, size, NULL, NULL, img + (size_t)r * stride,
                             mask + (size_t)r * stride);
}

/* ---- the picture ----------------------------------------------------------------------- */

int cambi_score_picture(CambiWork *wk, const VmafxPicture *pic, const CambiPictureJob *job, double *score)
{
    if (!samples_in_range(pic)) return -EINVAL;
    int w = (int)job->w, h = (int)job->h;
    const unsigned stride = job->w;
    convert(wk, pic, job->w, job->h);
    if (job->enc_bitdepth < 10) anti_dither(wk->img, job->w, job->h);
    spatial_mask(wk, w, h);
    double sum = 0;
    for (int s = 0; s < CAMBI_SCALES; s++) {
        if (s > 0 || job->high_res_speedup) {
            w = (w + 1) >> 1;
            h = (h + 1) >> 1;
            decimate(&wk->k, wk->img, stride, w, h);
            decimate(&wk->k, wk->mask, stride, w, h);
        }
        mode_filter(wk, stride, w, h);
        CambiPoolScan pool;
        c_values(wk, stride, w, h, job->window, &pool);
        if (job->map) {
            int err = job->map(job->map_user, s, wk->c, w, h);
            if (err) return err;
        }
        sum += cambi_top_k_mean(wk->c, job->topk, w * h, &pool) * scale_weight[s];
    }
    *score = sum / ((double)job->window * job->window);
    return 0;
}

/* ---- kernel table ---------------------------------------------------------------------- */

void cambi_kernels_init(CambiKernels *k, enum VmafxCpu level)
{
    *k = (CambiKernels){
        cambi_flat_row_c, cambi_box_update_c,   cambi_mask_row_c,   cambi_mode_h_c,
        cambi_mode_v_c,   cambi_decimate_row_c, cambi_hist_slide_c, cambi_c_values_row_c,
    };
#if VMAFX_HAVE_X86
    if (cpu_level_avx2(level)) cambi_kernels_init_avx2(k);
    if (cpu_level_avx512(level)) cambi_kernels_init_avx512(k);
#else
    (void)level;
#endif
}
