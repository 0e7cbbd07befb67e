/* SSIM building blocks shared by float_ssim.c and float_ms_ssim.c (see ssim_common.h).
 *
 * Rounding model (this is what makes the results match libvmaf bit for bit): every filter
 * tap is a single-precision product, the taps of one output are summed in double in tap
 * order, and the sum is stored as float. The SSIM terms mix float and double exactly as
 * written in ssim_stats_row(). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssim_common.h"

/* The circular Gaussian (sigma 1.5) as the 1-D factor of libvmaf's IQA table, rounded to six
 * decimals there; its taps do not sum to exactly 1, which is part of the result. */
static const float gauss_taps[SSIM_WINDOW] = {
    0.001028f, 0.007599f, 0.036001f, 0.109361f, 0.213006f, 0.266012f,
    0.213006f, 0.109361f, 0.036001f, 0.007599f, 0.001028f,
};

/* Top-left 5x5 quadrant of the 9x9 low-pass of the 9/7 biorthogonal wavelet, as tabulated
 * (six decimals) in the IQA library; the kernel is symmetric about its centre row and
 * column. The decimation uses this 2-D table, not a product of 1-D filters. */
static const float lpf_quadrant[5][5] = {
    /* clang-format off */
    {  0.000714f, -0.000450f, -0.002090f,  0.007132f,  0.016114f },
    { -0.000450f,  0.000283f,  0.001316f, -0.004490f, -0.010146f },
    { -0.002090f,  0.001316f,  0.006115f, -0.020867f, -0.047149f },
    {  0.007132f, -0.004490f, -0.020867f,  0.071207f,  0.160885f },
    {  0.016114f, -0.010146f, -0.047149f,  0.160885f,  0.363505f },
};
/* clang-format on */

void ssim_lpf_kernel(float k[SSIM_LPF_LEN * SSIM_LPF_LEN])
{
    const unsigned last = SSIM_LPF_LEN - 1;
    for (unsigned r = 0; r < SSIM_LPF_LEN; r++)
        for (unsigned c = 0; c < SSIM_LPF_LEN; c++)
            k[r * SSIM_LPF_LEN + c] =
                lpf_quadrant[r <= last / 2 ? r : last - r][c <= last / 2 ? c : last - c];
}

/* ---- scalar kernels ------------------------------------------------------------------- */

static void conv_h_scalar(const float *src, unsigned n, const float *k, float *dst)
{
    for (unsigned x = 0; x < n; x++) {
        double sum = 0.0;
        for (unsigned j = 0; j < SSIM_WINDOW; j++) sum += src[x + j] * k[j];
        dst[x] = (float)sum;
    }
}

static void conv_v_scalar(const float *src, ptrdiff_t stride, unsigned n, const float *k, float *dst)
{
    for (unsigned x = 0; x < n; x++) {
        double sum = 0.0;
        for (unsigned j = 0; j < SSIM_WINDOW; j++) sum += src[j * stride + x] * k[j];
        dst[x] = (float)sum;
    }
}

static void mul_scalar(const float *a, const float *b, unsigned n, float *dst)
{
    for (unsigned x = 0; x < n; x++) dst[x] = a[x] * b[x];
}

/* ---- scratch -------------------------------------------------------------------------- */

int ssim_scratch_init(SsimScratch *s, unsigned w, unsigned h, const KernelTable *kt)
{
    (void)kt; /* only scalar kernels exist so far */
    memset(s, 0, sizeof(*s));
    s->w = w;
    s->h = h;
    const size_t full = (size_t)w * h;
    const size_t pass = (size_t)(w - SSIM_WINDOW + 1) * h;
    const size_t out = (size_t)(w - SSIM_WINDOW + 1) * (h - SSIM_WINDOW + 1);
    s->prod = malloc(full * sizeof(float));
    s->pass = malloc(pass * sizeof(float));
    float **stats[] = { &s->mu1, &s->mu2, &s->s11, &s->s22, &s->s12 };
    int ok = s->prod && s->pass;
    for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
        ok &= (*stats[i] = malloc(out * sizeof(float))) != NULL;
    if (!ok) {
        ssim_scratch_free(s);
        return -ENOMEM;
    }
    s->k.conv_h = conv_h_scalar;
    s->k.conv_v = conv_v_scalar;
    s->k.mul = mul_scalar;
    return 0;
}

void ssim_scratch_free(SsimScratch *s)
{
    free(s->prod);
    free(s->pass);
    free(s->mu1);
    free(s->mu2);
    free(s->s11);
    free(s->s22);
    free(s->s12);
    memset(s, 0, sizeof(*s));
}

/* ---- input ---------------------------------------------------------------------------- */

void ssim_load_luma(const VmafxPicture *pic, float *dst)
{
    const unsigned w = pic->w[0], h = pic->h[0];
    const uint8_t *row = pic->data[0];
    if (pic->bpc == 8) {
        for (unsigned y = 0; y < h; y++, row += pic->stride[0], dst += w)
            for (unsigned x = 0; x < w; x++) dst[x] = (float)row[x];
        return;
    }
    /* libvmaf divides by 4, 16 and 256 for 10, 12 and 16 bits: exact power-of-two scaling */
    const float div = (float)(1u << (pic->bpc - 8));
    for (unsigned y = 0; y < h; y++, row += pic->stride[0], dst += w) {
        const uint16_t *s = (const uint16_t *)row;
        for (unsigned x = 0; x < w; x++) dst[x] = (float)s[x] / div;
    }
}

/* ---- decimation ----------------------------------------------------------------------- */

unsigned ssim_decimated_size(unsigned n, unsigned factor)
{
    /* not ceil(n / f): IQA adds one for odd n whatever the factor */
    return n / factor + (n & 1);
}

/* Mirror with the edge sample repeated (IQA's "symmetric" border). */
static int mirror_rep(int i, int n)
{
    if (i < 0) return -1 - i;
    if (i >= n) return 2 * n - 1 - i;
    return i;
}

/* One decimated sample centred on column cx, from the klen source rows of its window; an
 * even-sized kernel reaches one tap further before the centre than after it. Taps are
 * summed row by row, left to right. */
static float decimate_at(const float *const *rows, int w, const float *kernel, int klen, int cx)
{
    const int before = klen / 2, after = klen - 1 - before;
    const int inside = cx - before >= 0 && cx + after < w;
    double sum = 0.0;
    for (int v = 0; v < klen; v++) {
        const float *row = rows[v];
        for (int u = -before; u <= after; u++)
            sum += row[inside ? cx + u : mirror_rep(cx + u, w)] * *kernel++;
    }
    return (float)sum;
}

void ssim_decimate(const float *src, unsigned w, unsigned h, const float *kernel, unsigned klen,
                   unsigned factor, float *dst)
{
    const unsigned dw = ssim_decimated_size(w, factor), dh = ssim_decimated_size(h, factor);
    const int before = (int)klen / 2;
    const float *rows[SSIM_DECIMATE_MAX];
    for (unsigned y = 0; y < dh; y++) {
        for (unsigned v = 0; v < klen; v++)
            rows[v] = src + (size_t)mirror_rep((int)(y * factor + v) - before, (int)h) * w;
        for (unsigned x = 0; x < dw; x++)
            *dst++ = decimate_at(rows, (int)w, kernel, (int)klen, (int)(x * factor));
    }
}

/* ---- SSIM ----------------------------------------------------------------------------- */

/* Gaussian-weighted local mean of a w x h image, "valid" part only: (w-10) x (h-10). The
 * horizontal pass runs first over every row, then the vertical pass. */
static void window_filter(const float *img, unsigned w, unsigned h, SsimScratch *s, float *dst)
{
    const unsigned dw = w - SSIM_WINDOW + 1, dh = h - SSIM_WINDOW + 1;
    for (unsigned y = 0; y < h; y++)
        s->k.conv_h(img + (size_t)y * w, dw, gauss_taps, s->pass + (size_t)y * dw);
    for (unsigned y = 0; y < dh; y++)
        s->k.conv_v(s->pass + (size_t)y * dw, dw, dw, gauss_taps, dst + (size_t)y * dw);
}

/* Filtered product of two images (the second moments). */
static void moment_filter(const float *a, const float *b, unsigned w, unsigned h, SsimScratch *s, float *dst)
{
    const size_t n = (size_t)w * h;
    for (size_t off = 0; off < n; off += w) s->k.mul(a + off, b + off, w, s->prod + off);
    window_filter(s->prod, w, h, s, dst);
}

typedef struct SsimConst {
    float c1, c2, c3;
} SsimConst;

/* Adds one row of the SSIM map to acc (ssim, l, c, s). The sums run on across rows, in
 * raster order, as libvmaf accumulates them. Variances are clamped at 0; the covariance is
 * clamped only where both deviations vanish, so identical flat areas score exactly 1. */
static void ssim_stats_row(const float *mu1, const float *mu2, const float *s11, const float *s22,
                           const float *s12, unsigned n, const SsimConst *k, double acc[4])
{
    for (unsigned x = 0; x < n; x++) {
        const float m1 = mu1[x], m2 = mu2[x];
        float v1 = s11[x] - m1 * m1;
        float v2 = s22[x] - m2 * m2;
        const float cov = s12[x] - m1 * m2;
        if (v1 < 0.0f) v1 = 0.0f;
        if (v2 < 0.0f) v2 = 0.0f;
        const float sd12 = (float)sqrt(v1 * v2);
        /* float/double mix libvmaf uses: numerators in double,
         * denominators in float; the structure term entirely in float */
        const double l = (2.0 * m1 * m2 + k->c1) / (m1 * m1 + m2 * m2 + k->c1);
        const double c = (2.0 * sd12 + k->c2) / (v1 + v2 + k->c2);
        const float cov_c = (cov < 0.0f && sd12 <= 0.0f) ? 0.0f : cov;
        const double st = (cov_c + k->c3) / (sd12 + k->c3);
        acc[0] += l * c * st;
        acc[1] += l;
        acc[2] += c;
        acc[3] += st;
    }
}

void ssim_means(const float *ref, const float *dis, unsigned w, unsigned h, SsimScratch *s, SsimMeans *out)
{
    /* K1 = 0.01, K2 = 0.03, L = 255, all in single precision */
    const float k1l = 0.01f * 255, k2l = 0.03f * 255;
    const float c2 = k2l * k2l;
    const SsimConst k = { k1l * k1l, c2, c2 / 2.0f };

    window_filter(ref, w, h, s, s->mu1);
    window_filter(dis, w, h, s, s->mu2);
    moment_filter(ref, ref, w, h, s, s->s11);
    moment_filter(dis, dis, w, h, s, s->s22);
    moment_filter(ref, dis, w, h, s, s->s12);

    const unsigned dw = w - SSIM_WINDOW + 1, dh = h - SSIM_WINDOW + 1;
    double acc[4] = { 0.0, 0.0, 0.0, 0.0 };
    for (unsigned y = 0; y < dh; y++) {
        const size_t o = (size_t)y * dw;
        ssim_stats_row(s->mu1 + o, s->mu2 + o, s->s11 + o, s->s22 + o, s->s12 + o, dw, &k, acc);
    }
    const double n = (double)((int)dw * (int)dh);
    out->ssim = (float)(acc[0] / n);
    out->l = (float)(acc[1] / n);
    out->c = (float)(acc[2] / n);
    out->s = (float)(acc[3] / n);
}
