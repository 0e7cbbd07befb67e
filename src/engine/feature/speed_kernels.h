/* SpEED: the kernel boundary between the driver (speed_*.c) and its per-level kernels. The
 * scalar versions below are the definitions; x86/speed_avx2.c and x86/speed_avx512.c must
 * reproduce them bit for bit (tests/checkasm/checkasm_speed.c) and use them for tails.
 *
 * Float kernels round every multiply and add on its own (no fused multiply-add), in the order
 * written, so a SIMD lane computes exactly what the scalar loop does for its element. The
 * covariance sum is the exception: its order and its fused multiply-adds are part of the
 * definition (sixteen interleaved double accumulators, libvmaf's AVX-512 order). */
#ifndef VMAFX_ENGINE_SPEED_KERNELS_H
#define VMAFX_ENGINE_SPEED_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

typedef struct SpeedKernels {
    /* dst[x] = src[x] - 128 (8-bit) or src[x] * scale - 128 (scale = 2^(8-bpc)) */
    void (*load_8)(float *dst, const uint8_t *src, unsigned n);
    void (*load_16)(float *dst, const uint16_t *src, unsigned n, float scale);
    /* a[x] -= b[x] */
    void (*sub)(float *a, const float *b, unsigned n);
    /* acc[x] += f * row[x]: one tap of a vertical filter pass */
    void (*vtap)(float *acc, const float *row, float f, unsigned n);
    /* sum over an h x w window of (x - mx) * (y - my), in double (see speed_cov_c) */
    double (*cov)(const float *x, const float *y, ptrdiff_t stride, unsigned h, unsigned w, double mx,
                  double my);
    /* dst (n x m) = a (n x kk) * b (kk x m), all row-major; each dst element summed from 0
     * over k in increasing order, skipping the k where a[i][k] == 0: such a term is +-0 for
     * finite b, and adding +-0 to a sum that starts at +0 (and so is never -0) changes
     * nothing, so the result is the full product's, bit for bit, at a fraction of the work on
     * the Householder reflectors' identity rows and zero columns */
    void (*matmul)(float *dst, const float *a, const float *b, unsigned n, unsigned kk, unsigned m);
} SpeedKernels;

void speed_kernels_init(SpeedKernels *k, enum VmafxCpu level);
void speed_kernels_avx2(SpeedKernels *k);
void speed_kernels_avx512(SpeedKernels *k);

/* ---- scalar definitions ---------------------------------------------------------------- */

static inline void speed_load_8_c(float *dst, const uint8_t *src, unsigned n)
{
    for (unsigned x = 0; x < n; x++) dst[x] = (float)src[x] + -128.0f;
}

static inline void speed_load_16_c(float *dst, const uint16_t *src, unsigned n, float scale)
{
    /* scale is a power of two: the same float as libvmaf's division by 2^(bpc-8) */
    for (unsigned x = 0; x < n; x++) dst[x] = (float)src[x] * scale + -128.0f;
}

static inline void speed_sub_c(float *a, const float *b, unsigned n)
{
    for (unsigned x = 0; x < n; x++) a[x] -= b[x];
}

static inline void speed_vtap_c(float *acc, const float *row, float f, unsigned n)
{
    for (unsigned x = 0; x < n; x++) acc[x] += f * row[x];
}

/* Element j of a row goes to accumulator j % 16 while 16 remain in the row, then to j % 8
 * while 8 remain, then to a plain (unfused) tail sum; the accumulators are folded as
 * (a[l] + a[l + 8]), then halves of four, then of two, then the tail is added. */
static inline double speed_cov_c(const float *x, const float *y, ptrdiff_t stride, unsigned h, unsigned w,
                                 double mx, double my)
{
    double a[16] = { 0 }, tail = 0;
    for (unsigned i = 0; i < h; i++) {
        const float *rx = x + (ptrdiff_t)i * stride, *ry = y + (ptrdiff_t)i * stride;
        unsigned j = 0;
        for (; j + 16 <= w; j += 16)
            for (unsigned l = 0; l < 16; l++)
                a[l] = fma((double)rx[j + l] - mx, (double)ry[j + l] - my, a[l]);
        for (; j + 8 <= w; j += 8)
            for (unsigned l = 0; l < 8; l++) a[l] = fma((double)rx[j + l] - mx, (double)ry[j + l] - my, a[l]);
        for (; j < w; j++) tail += ((double)rx[j] - mx) * ((double)ry[j] - my);
    }
    double s[8], q[4];
    for (int l = 0; l < 8; l++) s[l] = a[l] + a[l + 8];
    for (int l = 0; l < 4; l++) q[l] = s[l + 4] + s[l];
    return ((q[2] + q[0]) + (q[3] + q[1])) + tail;
}

static inline void speed_matmul_c(float *dst, const float *a, const float *b, unsigned n, unsigned kk,
                                  unsigned m)
{
    for (unsigned i = 0; i < n; i++) {
        float *d = dst + (size_t)i * m;
        for (unsigned j = 0; j < m; j++) d[j] = 0.0f;
        for (unsigned k = 0; k < kk; k++) {
            const float aik = a[(size_t)i * kk + k];
            if (aik == 0.0f) continue;
            const float *bk = b + (size_t)k * m;
            for (unsigned j = 0; j < m; j++) d[j] += aik * bk[j];
        }
    }
}

#endif
