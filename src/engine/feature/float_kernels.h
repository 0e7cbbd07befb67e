/* Float kernels of the float_* extractors (libvmaf's float VIF, motion): the boundary between
 * the drivers (float_filter.c, float_vif.c) and the per-row kernels, scalar in
 * float_kernels.c, SIMD in x86/float_avx2.c and x86/float_avx512.c.
 *
 * Every kernel computes each output element with exactly the float operations, in exactly
 * the order, of libvmaf's scalar code (separate multiplies and adds, never fused), so all
 * levels agree bit for bit; only reductions across elements (row sums) stay with the
 * drivers, which add in libvmaf's sequential order. */
#ifndef VMAFX_ENGINE_FLOAT_KERNELS_H
#define VMAFX_ENGINE_FLOAT_KERNELS_H

#include "vmafx/vmafx.h"

#define FLOAT_MAX_TAPS 65 /* VIF's scale-0 Gaussian at vif_kernelscale 4 */

/* Constants of VIF's per-pixel information terms (libvmaf vif_statistic_s). */
typedef struct FloatVifParams {
    float sigma_nsq_up;  /* smallest float >= sigma_nsq: "sigma1_sq < sigma_nsq" in float */
    double sigma_nsq;    /* neural noise variance (the divisions are in double) */
    float sigma_max_inv; /* sigma_nsq^2 / 255^2 */
    float gain_limit;    /* vif_enhn_gain_limit */
} FloatVifParams;

/* Vertical pass of a separable filter at one output row: x[k] are the taps-many source rows
 * (already mirrored), out[j] = sum_k f[k] * x[k][j] for j < w, summed from 0 in k order. */
typedef void (*float_vert_fn)(const float *f, int taps, const float *const *x, unsigned w, float *out);
/* The five vertical passes VIF needs at once: of x, of y, of x*x, of y*y and of x*y
 * (products formed before the weight: f[k] * (x * y), as libvmaf). */
typedef void (*float_vert5_fn)(const float *f, int taps, const float *const *x, const float *const *y,
                               unsigned w, float *const out[5]);
/* Horizontal pass: out[j] = sum_k f[k] * in[j - taps/2 + k] for j < w; in[] is readable (and
 * mirrored by the caller) from -taps/2 to w - 1 + taps/2. */
typedef void (*float_horz_fn)(const float *f, int taps, const float *in, unsigned w, float *out);
/* VIF's per-pixel numerator and denominator terms from the filtered moments
 * m[0..4] = mu1, mu2, xx, yy, xy of one row. */
typedef void (*float_vif_terms_fn)(const float *const m[5], unsigned w, const FloatVifParams *p, float *num,
                                   float *den);

/* The weight of the centre CSF value in ADM's masking threshold: 1/15 as a double literal,
 * like libvmaf's FLOAT_ONE_BY_15, so that it promotes just the operation it touches. */
#define FLOAT_ONE_BY_15 0.0666666701

/* One output of ADM's 4-tap DWT, summed from 0 in tap order (the scalar kernels and the
 * drivers' mirrored edge columns). */
static inline float float_tap4(const float *c, float s0, float s1, float s2, float s3)
{
    float acc = 0;
    acc += c[0] * s0;
    acc += c[1] * s1;
    acc += c[2] * s2;
    acc += c[3] * s3;
    return acc;
}

/* ADM (float_adm_tools.c). The 4-tap DWT, vertical: lo[j] and hi[j] (hi may be NULL) from
 * the four source rows r[0..3], j < w. */
typedef void (*float_dwt_vert_fn)(const float *const r[4], unsigned w, const float c_lo[4],
                                  const float c_hi[4], float *lo, float *hi);
/* Horizontal, on a row split into even (ev[m] = t[2m]) and odd (od[m] = t[2m+1]) samples,
 * for the outputs j0 <= j < j1 whose taps t[2j-1 .. 2j+2] need no mirroring (j0 >= 1). */
typedef void (*float_dwt_horz_fn)(const float c[4], const float *ev, const float *od, unsigned j0,
                                  unsigned j1, float *out);
/* Decoupling of n elements of the h, v, d bands into restored r and additive a parts. */
typedef void (*float_decouple_fn)(const float *const ref[3], const float *const dis[3], float *const r[3],
                                  float *const a[3], size_t n, double gain_limit);
/* Contrast masking of a row's columns j0 <= j < j1 (0 < j0, j1 < band width): per band t,
 * x[t][j] = max(|src[t][j] * rf[t]| - thr, 0), thr the 3x3 masking threshold from
 * fl[t][0..2] (the rows above, at and below) and an[t] (this row's CSF values). */
typedef void (*float_cm_row_fn)(const float *const fl[3][3], const float *const an[3],
                                const float *const src[3], const float rf[3], unsigned j0, unsigned j1,
                                float *const x[3]);

typedef struct FloatKernels {
    float_vert_fn vert;
    float_vert5_fn vert5;
    float_horz_fn horz;
    float_vif_terms_fn vif_terms;
    float_dwt_vert_fn dwt_vert;
    float_dwt_horz_fn dwt_horz;
    float_decouple_fn decouple;
    float_cm_row_fn cm_row;
} FloatKernels;

/* The scalar ADM kernels (float_adm_kernels.c). */
void float_adm_kernels_c(FloatKernels *k);

/* The kernels of one level (levels the build or CPU lacks fall back to the next lower). */
void float_kernels_init(FloatKernels *k, enum VmafxCpu level);

/* libvmaf's fast log2 (VIF_OPT_FAST_LOG2): exponent plus a degree-8 polynomial of the
 * mantissa, for x > 0. The SIMD kernels evaluate the same polynomial. */
float float_log2_approx(float x);
extern const float float_log2_poly[9];

/* SIMD siblings (feature/x86/); each fills the entries it has. */
void float_kernels_avx2(FloatKernels *k);
void float_kernels_avx512(FloatKernels *k);

#endif
