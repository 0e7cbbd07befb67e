/* The stages of libvmaf's floating-point ADM (adm.c, adm_tools.c), one scale at a time:
 * db2 DWT, decoupling into restored and additive parts, CSF weighting, contrast masking and
 * the p-norm sums. float_adm.c strings them together. */
#ifndef VMAFX_ENGINE_FLOAT_ADM_TOOLS_H
#define VMAFX_ENGINE_FLOAT_ADM_TOOLS_H

#include <stddef.h>

#include "float_kernels.h"

/* The detail bands of one scale (bw x bh, stride bw); a is the approximation. */
typedef struct FloatBands {
    float *a, *h, *v, *d;
} FloatBands;

/* The CSF weights of one scale: horizontal and vertical bands share f1, the diagonal f2. */
typedef struct FloatAdmCsf {
    float rfactor[3]; /* h, v, d */
} FloatAdmCsf;

/* Per-scale settings shared by the sums. */
typedef struct FloatAdmSums {
    double p_norm; /* 3 takes libvmaf's cube shortcut */
    double noise_weight;
    int bypass_cm;
} FloatAdmSums;

/* Mirrored source indices of the 4-tap DWT (dwt2_src_indices_filt_s) for n samples: the
 * (n + 1) / 2 outputs each read idx[0..3][i]. */
void float_adm_indices(int *idx[4], int n);
/* Floats of scratch the DWT and the masking need for pictures w wide. */
#define FLOAT_ADM_TMP(w) (4 * (size_t)(w) + 16)
/* One DWT level of src (w x h, stride in floats) into the bands ((w+1)/2 x (h+1)/2);
 * with approx_only, only b->a. */
void float_adm_dwt(const FloatKernels *k, const float *src, ptrdiff_t stride, int w, int h, int *const iy[4],
                   int *const ix[4], const FloatBands *b, int approx_only, float *tmp);
/* r = the part of the distorted detail explained by the reference, a = the rest
 * (adm_decouple_s; bw x bh bands). */
void float_adm_decouple(const FloatKernels *k, const FloatBands *ref, const FloatBands *dis,
                        const FloatBands *r, const FloatBands *a, int bw, int bh, double gain_limit);
/* dst = rfactor * src, flt = |dst| / 30, for the h, v, d bands (adm_csf_s). */
void float_adm_csf(const FloatBands *src, const FloatBands *dst, const FloatBands *flt, int bw, int bh,
                   const FloatAdmCsf *csf);
/* Denominator of a scale: p-norm of the CSF-weighted reference bands plus the noise floor
 * (adm_csf_den_scale_s). */
float float_adm_den(const FloatBands *ref, int bw, int bh, const FloatAdmCsf *csf, const FloatAdmSums *p);
/* Numerator: p-norm of what of csf(src) exceeds the masking threshold that angles (CSF
 * values) and flt (their |.| / 30) give, plus the noise floor with noise_weight
 * (adm_cm_s). */
float float_adm_cm(const FloatKernels *k, const FloatBands *src, const FloatBands *flt,
                   const FloatBands *angles, int bw, int bh, const FloatAdmCsf *csf, const FloatAdmSums *p,
                   double noise_weight, float *tmp);
/* Watson's (csf mode 0) or the DLM paper's (mode 2) CSF factors of a scale. */
void float_adm_csf_factors(int scale, int mode, double nvd, int rdh, float *f1, float *f2);

#endif
