/* Separable filtering of float planes with libvmaf's mirrored borders (its convolution.c and
 * vif_tools.c): the row loop around the float kernels, shared by float_vif and float_motion. */
#ifndef VMAFX_ENGINE_FLOAT_FILTER_H
#define VMAFX_ENGINE_FLOAT_FILTER_H

#include <stddef.h>

#include "float_kernels.h"

/* Row buffers for planes up to max_w wide: five padded intermediate rows and five output
 * rows (VIF's moments), plus two term rows. */
typedef struct FloatRows {
    float *mem;
    float *tmp[5]; /* padded by FLOAT_MAX_TAPS / 2 on both sides */
    float *out[5];
    float *num, *den;
} FloatRows;

int float_rows_init(FloatRows *r, unsigned max_w);
void float_rows_free(FloatRows *r);

/* libvmaf's mirror of a row or column index i into [0, n): -i, or 2n - i - 2 past the end. */
static inline int float_mirror(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - i - 2 : i;
}

/* Source rows of the vertical window of output row i (taps rows, mirrored). */
void float_window(const float *src, ptrdiff_t stride, int i, unsigned h, int taps, const float **rows);

/* Mirrors taps/2 elements at both ends of a w-element row. */
void float_pad_row(float *row, unsigned w, int taps);

/* dst = src filtered with f vertically then horizontally (w x h, strides in floats). */
void float_blur(const FloatKernels *k, const float *f, int taps, const float *src, ptrdiff_t stride,
                unsigned w, unsigned h, float *dst, ptrdiff_t dst_stride, FloatRows *r);

/* The same filter sampled at even rows and columns: the (w/2) x (h/2) next VIF scale. */
void float_blur_dec2(const FloatKernels *k, const float *f, int taps, const float *src, ptrdiff_t stride,
                     unsigned w, unsigned h, float *dst, ptrdiff_t dst_stride, FloatRows *r);

#endif
