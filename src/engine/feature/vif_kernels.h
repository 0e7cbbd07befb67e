/* Integer VIF: the kernel boundary between the driver (vif.c) and the per-level kernels
 * (scalar in vif.c, SIMD in x86/vif_avx2.c and x86/vif_avx512.c).
 *
 * A kernel handles one output row of one scale: either the statistics row (vertical moments,
 * horizontal filter, per-pixel information terms of spec 3.3-3.4, added into VifSums) or one
 * row of the next scale's picture (low-pass and 2:1 decimation, spec 3.2). The driver hands
 * it the rows of the vertical tap window, already mirrored at the picture's top and bottom;
 * columns are mirrored by the kernel. How a kernel lays out its intermediate rows in the
 * scratch buffer is its own business, so each level can pick the layout its instructions
 * like; only the outputs (sums, decimated rows) are compared between levels. */
#ifndef VMAFX_ENGINE_VIF_KERNELS_H
#define VMAFX_ENGINE_VIF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

#define VIF_MAX_TAPS 17
#define VIF_LOG_BASE 32768 /* the log table covers arguments [2^15, 2^16) (spec 3.4) */
#define VIF_LOG_ENTRIES 32768
/* Zero entries past the table's end: what 8-byte gathers may touch, and what the AVX2 terms
 * read for the lanes that do not count. */
#define VIF_LOG_SLACK 4

/* Bytes of scratch a kernel may use for a row of w samples: first VIF_SCRATCH_PREP bytes
 * where a kernel may keep prepared filters from row to row (in slots that do not move with
 * w), then VIF_SCRATCH_ROWS rows of 32-bit values with room for mirrored borders and
 * whole-vector overrun on both sides: ten for a row's intermediate planes, and one plus four
 * per tap for data a kernel keeps per input row while the window moves down a picture (see
 * VifFilter.row). */
#define VIF_SCRATCH_PREP_SLOTS 8
#define VIF_SCRATCH_PREP_SLOT 4096
#define VIF_SCRATCH_PREP (VIF_SCRATCH_PREP_SLOTS * VIF_SCRATCH_PREP_SLOT)
#define VIF_SCRATCH_ROW(w) ((((size_t)(w)*4 + 512) + 63) & ~(size_t)63)
#define VIF_SCRATCH_ROWS (10 + 1 + 4 * VIF_MAX_TAPS)
#define VIF_SCRATCH_BYTES(w) (VIF_SCRATCH_PREP + VIF_SCRATCH_ROWS * VIF_SCRATCH_ROW(w))

/* The four per-scale integer sums of spec 3.4. */
typedef struct VifSums {
    int64_t num_log, den_log, num_non_log, den_non_log;
} VifSums;

/* The log table as arithmetic, for kernels that would otherwise gather from it (a gather per
 * 8 lanes costs more than 20 vector operations on some CPUs). With m in [2^15, 2^16) and
 * x = m / 2^15 in segment i = floor(16 (x - 1)) of [1, 2), c_i = 1 / (1 + (i + 1/2) / 16):
 *     q = base[i] + P(x c_i - 1),  base[i] = 2^20 log2(1 / c_i),
 * P the degree-6 Taylor polynomial of 2^20 log2(1 + r) (|r| < 1/32), and the table entry is
 * 30720 + ((rint(q) + 256) >> 9): 2^20 log2(m / 2^15) lies at least 1.7e-5 from every
 * rounding boundary for these m while q is within 6.4e-6 of it (the first term left out,
 * 2^20 / ln 2 * r^7 / 7, bounds the error of the alternating series), and log2f is correctly rounded
 * there. Kernels use it only where their own evaluation was checked equal to the table for
 * every m (VifKernels.log2_check), so another libm can only cost speed, never bits. */
typedef struct VifLog2Arith {
    double inv[16], base[16]; /* c_i and base[i] */
    double poly[6];           /* coefficients of r^1 .. r^6 */
} VifLog2Arith;

/* Constant inputs of the per-pixel information terms. */
typedef struct VifTermParams {
    const uint16_t *log2_tab;       /* [i - VIF_LOG_BASE] = round(log2f(i) * 2048), + slack */
    double gain_limit;              /* vif_enhn_gain_limit */
    const VifLog2Arith *log2_arith; /* non-NULL: the kernels may compute log2_tab's entries */
} VifTermParams;

/* One scale's Q16 kernel (symmetric, odd length, summing to 65536) and the rounded shifts of
 * the vertical pass: means by shift_mu, second moments by shift_sq (0: unshifted). For the
 * down-sampling kernels shift_mu is the vertical shift and shift_sq is unused.
 * row: for statistics rows, the output row's index in a pass down one picture. A kernel may
 * keep data made from an input row in its scratch and use it again while the row stays in
 * the window, so within a pass the rows' contents must not change; at row 0 it forgets all
 * it kept (0 is therefore always safe, only slower). */
typedef struct VifFilter {
    const uint16_t *coef;
    int taps;
    int shift_mu, shift_sq;
    unsigned row;
} VifFilter;

/* Statistics of one row (spec 3.3, 3.4) added into sums; ref[k], dis[k] are the rows of the
 * vertical tap window, w > taps / 2. 8-bit samples: scale 0 only (shift_sq 0). */
typedef void (*vif_stats_row_8_fn)(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w,
                                   const VifFilter *f, void *scratch, const VifTermParams *tp, VifSums *sums);
typedef void (*vif_stats_row_16_fn)(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                                    const VifFilter *f, void *scratch, const VifTermParams *tp,
                                    VifSums *sums);
/* One row of the next scale (spec 3.2): vertical low-pass with f (shift f->shift_mu),
 * horizontal low-pass (shift 16) evaluated at even columns, out[j] for j < w / 2. */
typedef void (*vif_down_row_8_fn)(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w,
                                  const VifFilter *f, void *scratch, uint16_t *out_ref, uint16_t *out_dis);
typedef void (*vif_down_row_16_fn)(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                                   const VifFilter *f, void *scratch, uint16_t *out_ref, uint16_t *out_dis);

/* Whether a level's arithmetic log (VifTermParams.log2_arith) gives tab's entry for every
 * m in [2^15, 2^16) and every exponent the terms can reach. */
typedef int (*vif_log2_check_fn)(const VifLog2Arith *a, const uint16_t *tab);

typedef struct VifKernels {
    vif_stats_row_8_fn stats_8;
    vif_stats_row_16_fn stats_16;
    vif_down_row_8_fn down_8;
    vif_down_row_16_fn down_16;
    vif_log2_check_fn log2_check; /* NULL: the level always uses the table */
} VifKernels;

/* The kernels of one level (levels the build or CPU lacks fall back to the next lower). */
void vif_kernels_init(VifKernels *k, enum VmafxCpu level);
/* Fills the log table (VIF_LOG_ENTRIES + VIF_LOG_SLACK entries). */
void vif_log2_table_init(uint16_t *tab);
/* Fills the constants of the arithmetic log (see VifLog2Arith). */
void vif_log2_arith_init(VifLog2Arith *a);
/* The Q16 kernel of a scale (0..3) and its length. */
const uint16_t *vif_filter_coef(int scale, int *taps);

/* SIMD siblings (feature/x86/); each fills only the entries it has. vif_kernels_init() takes
 * the VNNI build of the AVX-512 kernels when the CPU has AVX512-VNNI. */
void vif_kernels_avx2(VifKernels *k);
void vif_kernels_avx512(VifKernels *k);
void vif_kernels_avx512_vnni(VifKernels *k);
void vif_kernels_avx2_vnni(VifKernels *k);

#endif
