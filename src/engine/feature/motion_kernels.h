/* Integer motion: the row kernels, shared by the scalar extractor (motion.c), which defines
 * the results, and its SIMD siblings (x86/motion_avx2.c, x86/motion_avx512.c), which must
 * reproduce them bit for bit and use the scalar versions below for their row tails.
 *
 * The SAD of a frame is the sum over rows of the horizontal pass of the vertical pass of the
 * difference of two pictures (spec 5), both passes with the 5-tap Q16 low-pass. */
#ifndef VMAFX_ENGINE_MOTION_KERNELS_H
#define VMAFX_ENGINE_MOTION_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

#define MOTION_TAPS 5
#define MOTION_HALF 2 /* the horizontal pass reads y[-2] .. y[w + 1] (mirrored by the caller) */

/* Q16 low-pass (the VIF scale-2 kernel), symmetric: taps 0/4, 1/3 and the centre. */
#define MOTION_K0 3571
#define MOTION_K1 16004
#define MOTION_K2 26386

/* The vertical-pass row y (|y| < 2^16 at every bit depth) is kept as two int16 rows,
 * yh = y >> 8 and yl = y & 255 (y = 256 yh + yl): the horizontal pass can then form its sums
 * with 16-bit multiplies, and the rows are half as wide as int32. */
typedef struct MotionRow {
    int16_t *hi, *lo;
} MotionRow;

typedef struct MotionKernels {
    /* Vertical pass of one row: y[j] = (sum_k K[k] * (prev[k][j] - cur[k][j]) + 2^(bpc-1))
     * >> bpc over the five tap rows, stored split; returns non-zero if any y[j] is (a zero row
     * adds nothing to the SAD). */
    int32_t (*vrow_8)(const uint8_t *const prev[MOTION_TAPS], const uint8_t *const cur[MOTION_TAPS],
                      unsigned w, const MotionRow *y);
    int32_t (*vrow_16)(const uint16_t *const prev[MOTION_TAPS], const uint16_t *const cur[MOTION_TAPS],
                       unsigned w, int bpc, const MotionRow *y);
    /* Horizontal pass over such a row, padded by MOTION_HALF on both sides; returns the row's
     * sum of |(sum_k K[k] * y[j-2+k] + 2^15) >> 16|, in 32 bits. */
    uint32_t (*hrow)(const MotionRow *y, unsigned w);
} MotionKernels;

void motion_kernels_init(MotionKernels *k, enum VmafxCpu level);
void motion_kernels_init_avx2(MotionKernels *k);
void motion_kernels_init_avx512(MotionKernels *k);

/* ---- scalar definitions ---------------------------------------------------------------- */

static inline int32_t motion_tap(int k)
{
    return k == 2 ? MOTION_K2 : (k == 1 || k == 3) ? MOTION_K1 : MOTION_K0;
}

static inline void motion_store(const MotionRow *y, ptrdiff_t j, int32_t v)
{
    y->hi[j] = (int16_t)(v >> 8);
    y->lo[j] = (int16_t)(v & 255);
}

static inline int32_t motion_load(const MotionRow *y, ptrdiff_t j)
{
    return y->hi[j] * 256 + y->lo[j];
}

static inline int32_t motion_vrow_8_c(const uint8_t *const prev[MOTION_TAPS],
                                      const uint8_t *const cur[MOTION_TAPS], unsigned w, const MotionRow *y)
{
    int32_t any = 0;
    for (unsigned j = 0; j < w; j++) {
        int32_t acc = 0;
        for (int k = 0; k < MOTION_TAPS; k++) acc += motion_tap(k) * (prev[k][j] - cur[k][j]);
        const int32_t v = (acc + 128) >> 8; /* arithmetic shift: floor (spec 0) */
        motion_store(y, j, v);
        any |= v;
    }
    return any;
}

static inline int32_t motion_vrow_16_c(const uint16_t *const prev[MOTION_TAPS],
                                       const uint16_t *const cur[MOTION_TAPS], unsigned w, int bpc,
                                       const MotionRow *y)
{
    const int64_t rnd = (int64_t)1 << (bpc - 1);
    int32_t any = 0;
    for (unsigned j = 0; j < w; j++) {
        int64_t acc = 0;
        for (int k = 0; k < MOTION_TAPS; k++)
            acc += (int64_t)motion_tap(k) * ((int32_t)prev[k][j] - (int32_t)cur[k][j]);
        const int32_t v = (int32_t)((acc + rnd) >> bpc);
        motion_store(y, j, v);
        any |= v;
    }
    return any;
}

static inline uint32_t motion_hrow_c(const MotionRow *y, unsigned w)
{
    uint32_t sad = 0; /* 32-bit per row, as libvmaf sums it */
    for (unsigned j = 0; j < w; j++) {
        int64_t acc = 0;
        for (int k = 0; k < MOTION_TAPS; k++)
            acc += (int64_t)motion_tap(k) * motion_load(y, (ptrdiff_t)j - MOTION_HALF + k);
        const int32_t v = (int32_t)((acc + 32768) >> 16);
        sad += (uint32_t)(v < 0 ? -v : v);
    }
    return sad;
}

#endif
