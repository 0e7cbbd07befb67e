/* Separable mirrored filtering of float planes (see float_filter.h). */
#include <errno.h>
#include <stdlib.h>

#include "float_filter.h"

#define PAD (FLOAT_MAX_TAPS / 2 + 16) /* mirrored border plus slack, in floats */

int float_rows_init(FloatRows *r, unsigned max_w)
{
    const size_t row = ((size_t)max_w + 2 * PAD + 15) & ~(size_t)15;
    r->mem = aligned_alloc(64, 12 * row * sizeof(float));
    if (!r->mem) return -ENOMEM;
    for (int q = 0; q < 5; q++) {
        r->tmp[q] = r->mem + q * row + PAD;
        r->out[q] = r->mem + (5 + q) * row + PAD;
    }
    r->num = r->mem + 10 * row + PAD;
    r->den = r->mem + 11 * row + PAD;
    return 0;
}

void float_rows_free(FloatRows *r)
{
    free(r->mem);
    r->mem = NULL;
}

void float_window(const float *src, ptrdiff_t stride, int i, unsigned h, int taps, const float **rows)
{
    for (int k = 0; k < taps; k++) rows[k] = src + float_mirror(i - taps / 2 + k, (int)h) * stride;
}

void float_pad_row(float *row, unsigned w, int taps)
{
    const int n = (int)w;
    for (int m = 1; m <= taps / 2; m++) {
        row[-m] = row[m];
        row[n - 1 + m] = row[n - 1 - m];
    }
}

void float_blur(const FloatKernels *k, const float *f, int taps, const float *src, ptrdiff_t stride,
                unsigned w, unsigned h, float *dst, ptrdiff_t dst_stride, FloatRows *r)
{
    const float *rows[FLOAT_MAX_TAPS];
    for (unsigned i = 0; i < h; i++) {
        float_window(src, stride, (int)i, h, taps, rows);
        k->vert(f, taps, rows, w, r->tmp[0]);
        float_pad_row(r->tmp[0], w, taps);
        k->horz(f, taps, r->tmp[0], w, dst + i * dst_stride);
    }
}

void float_blur_dec2(const FloatKernels *k, const float *f, int taps, const float *src, ptrdiff_t stride,
                     unsigned w, unsigned h, float *dst, ptrdiff_t dst_stride, FloatRows *r)
{
    const float *rows[FLOAT_MAX_TAPS];
    for (unsigned i = 0; i < h / 2; i++) {
        float_window(src, stride, (int)(2 * i), h, taps, rows);
        k->vert(f, taps, rows, w, r->tmp[0]);
        float_pad_row(r->tmp[0], w, taps);
        k->horz(f, taps, r->tmp[0], w, r->out[0]);
        float *d = dst + i * dst_stride;
        for (unsigned j = 0; j < w / 2; j++) d[j] = r->out[0][2 * j];
    }
}
