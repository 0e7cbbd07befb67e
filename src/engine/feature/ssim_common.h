/* Shared machinery of float_ssim and float_ms_ssim (spec section 9): luma to float, the
 * 11x11 Gaussian SSIM window applied as two 11-tap passes with "valid" borders, 2-D
 * low-pass decimation with mirrored borders, and the per-frame SSIM means.
 *
 * libvmaf computes these in single precision with double accumulators at precise places;
 * every kernel here keeps the same rounding points so that results agree to the last bit. */
#ifndef VMAFX_ENGINE_SSIM_COMMON_H
#define VMAFX_ENGINE_SSIM_COMMON_H

#include <stddef.h>

#include "vmafx/vmafx.h"
#include "../cpu.h"

/* Side of the Gaussian window; a picture must have at least this many rows and columns. */
#define SSIM_WINDOW 11

/* Side of the 9/7 wavelet low-pass used between MS-SSIM scales. */
#define SSIM_LPF_LEN 9

/* Kernels of the hot loops (scalar now; SIMD versions can be chosen in ssim_scratch_init). */
typedef struct SsimKernels {
    /* dst[x] = sum_j src[x + j] * k[j], j < SSIM_WINDOW, for x < n */
    void (*conv_h)(const float *src, unsigned n, const float *k, float *dst);
    /* dst[x] = sum_j src[j * stride + x] * k[j], j < SSIM_WINDOW, for x < n */
    void (*conv_v)(const float *src, ptrdiff_t stride, unsigned n, const float *k, float *dst);
    /* dst[x] = a[x] * b[x] */
    void (*mul)(const float *a, const float *b, unsigned n, float *dst);
} SsimKernels;

/* Work buffers for ssim_means() on pictures of up to w x h samples. */
typedef struct SsimScratch {
    unsigned w, h;
    float *prod;                        /* w x h products before filtering */
    float *pass;                        /* (w - 10) x h after the horizontal pass */
    float *mu1, *mu2, *s11, *s22, *s12; /* (w - 10) x (h - 10) local statistics */
    SsimKernels k;
} SsimScratch;

/* Frame means of the SSIM map and of its luminance, contrast and structure terms, each
 * rounded to float as libvmaf returns them. */
typedef struct SsimMeans {
    float ssim, l, c, s;
} SsimMeans;

/* Allocates scratch for pictures up to w x h (both >= SSIM_WINDOW). 0 or -ENOMEM. */
int ssim_scratch_init(SsimScratch *s, unsigned w, unsigned h, const KernelTable *kt);
void ssim_scratch_free(SsimScratch *s);

/* Dense float copy of the luma plane, brought to the 8-bit range (samples / 2^(bpc-8)). */
void ssim_load_luma(const VmafxPicture *pic, float *dst);

/* Size of one side after decimation by factor (libvmaf's rule: n / f, plus one if n is odd). */
unsigned ssim_decimated_size(unsigned n, unsigned factor);

/* Largest decimation kernel side (float_ssim's box of its largest scale option). */
#define SSIM_DECIMATE_MAX 10

/* Filters the w x h image src with the klen x klen kernel (row-major, klen at most
 * SSIM_DECIMATE_MAX) centred on every factor-th sample, mirroring at the borders, into dst
 * of decimated size. */
void ssim_decimate(const float *src, unsigned w, unsigned h, const float *kernel, unsigned klen,
                   unsigned factor, float *dst);

/* The 9x9 low-pass kernel of MS-SSIM, expanded from its stored quadrant. */
void ssim_lpf_kernel(float k[SSIM_LPF_LEN * SSIM_LPF_LEN]);

/* SSIM of two dense w x h images (w, h <= the scratch size, both >= SSIM_WINDOW). */
void ssim_means(const float *ref, const float *dis, unsigned w, unsigned h, SsimScratch *s, SsimMeans *out);

#endif
