/* Integer VIF: the data layout shared by the scalar kernels (vif.c) and any SIMD siblings.
 *
 * Every 2-D filter is a vertical pass producing one row of intermediate values, then a
 * horizontal pass over that row (spec 3.1). Row buffers carry VIF_PAD spare elements on both
 * sides, which the caller fills by mirroring before the horizontal pass, so the horizontal
 * kernels read indices [-taps/2, w + taps/2) without bounds checks. */
#ifndef VMAFX_ENGINE_VIF_KERNELS_H
#define VMAFX_ENGINE_VIF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define VIF_PAD 8            /* half of the widest (17-tap, scale-0) kernel */
#define VIF_LOG_BASE 32768   /* the log table covers arguments [2^15, 2^16) (spec 3.4) */

/* Vertical moments of one row at one scale (spec 3.3): means and second moments of the
 * reference (x) and distorted (y) picture, already shifted to the scale's fixed point. */
typedef struct VifRow {
    uint32_t *mu_x, *mu_y, *xx, *yy, *xy;
} VifRow;

/* The four per-scale integer sums of spec 3.4. */
typedef struct VifSums {
    int64_t num_log, den_log, num_non_log, den_non_log;
} VifSums;

/* Constant inputs of the per-pixel information terms. */
typedef struct VifTermParams {
    const uint16_t *log2_tab;   /* log2_tab[i - VIF_LOG_BASE] = round(log2f(i) * 2048) */
    double gain_limit;          /* vif_enhn_gain_limit */
} VifTermParams;

/* Vertical moments from 8-bit samples (scale 0): means (s + 128) >> 8, squares unshifted.
 * ref[k] / dis[k] point at the k-th row of the (mirrored) tap window. */
typedef void (*vif_vmoments_8_fn)(const uint8_t *const *ref, const uint8_t *const *dis,
                                  const uint16_t *coef, int taps, unsigned w, const VifRow *out);
/* Vertical moments from 16-bit samples (scale 0 above 8 bits, and every scale >= 1):
 * means rounded and shifted by shift_mu, squares (64-bit sums) by shift_sq. */
typedef void (*vif_vmoments_16_fn)(const uint16_t *const *ref, const uint16_t *const *dis,
                                   const uint16_t *coef, int taps, unsigned w,
                                   int shift_mu, int shift_sq, const VifRow *out);
/* Horizontal pass over one padded VifRow and the per-pixel terms, added into sums. */
typedef void (*vif_hterms_fn)(const VifRow *row, const uint16_t *coef, int taps, unsigned w,
                              const VifTermParams *tp, VifSums *sums);
/* Vertical low-pass of both pictures for the down-sampling (spec 3.2), shifted by shift. */
typedef void (*vif_vblur_8_fn)(const uint8_t *const *ref, const uint8_t *const *dis,
                               const uint16_t *coef, int taps, unsigned w, int shift,
                               uint32_t *out_ref, uint32_t *out_dis);
typedef void (*vif_vblur_16_fn)(const uint16_t *const *ref, const uint16_t *const *dis,
                                const uint16_t *coef, int taps, unsigned w, int shift,
                                uint32_t *out_ref, uint32_t *out_dis);
/* Horizontal low-pass of padded rows evaluated at even columns only: out[j] = blur(2j),
 * j < w_out (filter and 2:1 decimation in one step). */
typedef void (*vif_hblur_decimate_fn)(const uint32_t *ref, const uint32_t *dis,
                                      const uint16_t *coef, int taps, unsigned w_out,
                                      uint16_t *out_ref, uint16_t *out_dis);

typedef struct VifKernels {
    vif_vmoments_8_fn vmoments_8;
    vif_vmoments_16_fn vmoments_16;
    vif_hterms_fn hterms;
    vif_vblur_8_fn vblur_8;
    vif_vblur_16_fn vblur_16;
    vif_hblur_decimate_fn hblur_decimate;
} VifKernels;

#endif
