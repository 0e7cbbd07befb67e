/* CAMBI (banding): the kernel boundary between the per-frame driver (cambi_frame.c) and the
 * per-level kernels. The scalar versions below are the definition; x86/cambi_avx2.c and
 * x86/cambi_avx512.c reproduce them bit for bit (they use these for their row tails).
 *
 * Every kernel works on one row of 10-bit samples (uint16_t). The driver owns the picture
 * walk (scales, sliding windows); a kernel sees only the rows it is handed. */
#ifndef VMAFX_ENGINE_CAMBI_KERNELS_H
#define VMAFX_ENGINE_CAMBI_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

#define CAMBI_MAX_DIFFS 32  /* 1 << max_log_contrast, max_log_contrast <= 5 */
#define CAMBI_LUT_SIZE 4226 /* reciprocals 1/n for n <= 65 * 65 (window_size^2 bound) */
#define CAMBI_MASK_HALF 3   /* the spatial mask counts flat pixels in a 7x7 box */
#define CAMBI_SLACK 64      /* elements a kernel may touch past a row's end */

/* What the contrast measure of a pixel needs (libvmaf's c_value_pixel). Samples v are kept in
 * histogram row v - base when base <= v < base + size: only such pixels can ever make a
 * c-value non-zero (the gating below bounds the values that are looked up). */
typedef struct CambiCParams {
    int num_diffs;                 /* 1 << max_log_contrast */
    uint16_t tvi[CAMBI_MAX_DIFFS]; /* tvi threshold of contrast d+1, + num_diffs */
    int weight[CAMBI_MAX_DIFFS];   /* suprathreshold contrast weight of contrast d+1 */
    int vlt_luma;                  /* darkest visible sample value (0: all) */
    int base, size;                /* histogram value band */
    const float *lut;              /* [n] = reciprocal of n, libvmaf's rounding */
} CambiCParams;

typedef struct CambiKernels {
    /* d[c] = 1 where the sample equals its right and its lower neighbour (below == NULL on
     * the last row; the last column has no right neighbour): a "flat" pixel. */
    void (*flat_row)(const uint16_t *row, const uint16_t *below, uint16_t *d, int w);
    /* colsum[c] += add[c] - sub[c]: the vertical part of the 7x7 box count. */
    void (*box_update)(uint16_t *colsum, const uint16_t *add, const uint16_t *sub, int w);
    /* mask[c] = (colsum[c-3] + ... + colsum[c+3] > thr); colsum (counts of 7 rows, <= 7)
     * has 3 zeros on each side. */
    void (*mask_row)(const uint16_t *colsum, uint16_t *mask, int w, int thr);
    /* out[c] = mode of (in[c-1], in[c], in[c+1]) for 0 < c < w-1 (the smallest when all
     * differ); out[0] and out[w-1] are copies. */
    void (*mode_h)(const uint16_t *in, uint16_t *out, int w);
    /* out[c] = mode of (a[c], b[c], c[c]). */
    void (*mode_v)(const uint16_t *a, const uint16_t *b, const uint16_t *c, uint16_t *out, int w);
    /* dst[c] = src[2c] for c < w (dst may be src: it only moves samples left). */
    void (*decimate_row)(const uint16_t *src, uint16_t *dst, int w);
    /* Slides the window histogram down one picture row: each in-band pixel of row sub (with
     * its mask set) leaves, each of row add enters, the columns [c-pad, c+pad] of its value's
     * histogram row (clipped to [0, w)); either row may be NULL. */
    void (*hist_slide)(uint16_t *hist, int w, int pad, int base, int size, const uint16_t *add,
                       const uint16_t *add_mask, const uint16_t *sub, const uint16_t *sub_mask);
    /* c-values of one row (0 where the mask is not set); hist is the window histogram at
     * that row, w columns per value. */
    void (*c_values_row)(float *out, const uint16_t *hist, const uint16_t *img, const uint16_t *mask, int w,
                         const CambiCParams *p);
} CambiKernels;

void cambi_kernels_init(CambiKernels *k, enum VmafxCpu level);
void cambi_kernels_init_avx2(CambiKernels *k);
void cambi_kernels_init_avx512(CambiKernels *k);

/* ---- scalar definitions ---------------------------------------------------------------- */

static inline void cambi_flat_row_c(const uint16_t *row, const uint16_t *below, uint16_t *d, int w)
{
    for (int c = 0; c < w; c++) {
        int flat = c == w - 1 || row[c] == row[c + 1];
        if (below) flat &= row[c] == below[c];
        d[c] = (uint16_t)flat;
    }
}

static inline void cambi_box_update_c(uint16_t *colsum, const uint16_t *add, const uint16_t *sub, int w)
{
    for (int c = 0; c < w; c++) colsum[c] = (uint16_t)(colsum[c] + add[c] - sub[c]);
}

static inline void cambi_mask_row_c(const uint16_t *colsum, uint16_t *mask, int w, int thr)
{
    for (int c = 0; c < w; c++) {
        int n = 0;
        for (int k = -CAMBI_MASK_HALF; k <= CAMBI_MASK_HALF; k++) n += colsum[c + k];
        mask[c] = n > thr;
    }
}

static inline uint16_t cambi_mode3(uint16_t a, uint16_t b, uint16_t c)
{
    if (a == b || a == c) return a;
    if (b == c) return b;
    uint16_t m = a < b ? a : b;
    return m < c ? m : c;
}

static inline void cambi_mode_h_c(const uint16_t *in, uint16_t *out, int w)
{
    out[0] = in[0];
    for (int c = 1; c < w - 1; c++) out[c] = cambi_mode3(in[c - 1], in[c], in[c + 1]);
    out[w - 1] = in[w - 1];
}

static inline void cambi_mode_v_c(const uint16_t *a, const uint16_t *b, const uint16_t *c, uint16_t *out,
                                  int w)
{
    for (int j = 0; j < w; j++) out[j] = cambi_mode3(a[j], b[j], c[j]);
}

static inline void cambi_decimate_row_c(const uint16_t *src, uint16_t *dst, int w)
{
    for (int c = 0; c < w; c++) dst[c] = src[2 * c];
}

/* Adds delta to hist[lo, hi). */
static inline void cambi_range_add_c(uint16_t *h, int lo, int hi, int delta)
{
    for (int c = lo; c < hi; c++) h[c] = (uint16_t)(h[c] + delta);
}

/* Histogram row of a sample, or -1 when it is masked out or out of the band. */
static inline int cambi_hist_row(const uint16_t *img, const uint16_t *mask, int c, int base, int size)
{
    if (!img || !mask[c]) return -1;
    int r = img[c] - base;
    return r >= 0 && r < size ? r : -1;
}

static inline void cambi_hist_slide_c(uint16_t *hist, int w, int pad, int base, int size, const uint16_t *add,
                                      const uint16_t *add_mask, const uint16_t *sub, const uint16_t *sub_mask)
{
    for (int c = 0; c < w; c++) {
        int ra = cambi_hist_row(add, add_mask, c, base, size);
        int rs = cambi_hist_row(sub, sub_mask, c, base, size);
        if (ra == rs) continue; /* same value leaves and enters: no change */
        int lo = c - pad < 0 ? 0 : c - pad, hi = c + pad + 1 > w ? w : c + pad + 1;
        if (rs >= 0) cambi_range_add_c(hist + (size_t)rs * w, lo, hi, -1);
        if (ra >= 0) cambi_range_add_c(hist + (size_t)ra * w, lo, hi, 1);
    }
}

/* libvmaf's c_value_pixel: the strongest weighted contrast between the pixel's value and a
 * value d+1 above or below it in the window, where that contrast is visible. */
static inline float cambi_c_value(const uint16_t *hist, int w, int c, int v, const CambiCParams *p)
{
    const int r = v - p->base;
    if (r < 0 || r >= p->size) return 0.0f;
    const int value = v + p->num_diffs;
    const uint32_t p0 = hist[(size_t)r * w + c];
    float best = 0.0f;
    for (int d = 0; d < p->num_diffs; d++) {
        if (value > p->tvi[d] || value + d + 1 <= p->vlt_luma) continue;
        uint32_t p1 = hist[(size_t)(r + d + 1) * w + c];
        uint32_t p2 = r - d - 1 >= 0 ? hist[(size_t)(r - d - 1) * w + c] : 0;
        uint32_t pm = p1 > p2 ? p1 : p2;
        float val = (float)(int)(p->weight[d] * p0 * pm) * p->lut[pm + p0];
        if (val > best) best = val;
    }
    return best;
}

static inline void cambi_c_values_row_c(float *out, const uint16_t *hist, const uint16_t *img,
                                        const uint16_t *mask, int w, const CambiCParams *p)
{
    for (int c = 0; c < w; c++) out[c] = mask[c] ? cambi_c_value(hist, w, c, img[c], p) : 0.0f;
}

#endif
