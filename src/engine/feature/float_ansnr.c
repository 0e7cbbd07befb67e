/* float_ansnr: libvmaf's anti-noise SNR ("float_ansnr": ansnr.c, ansnr_tools.c). The luma
 * (offset -128) of the reference is low-passed with a 3x3 kernel, that of the distorted
 * picture with a 5x5 one (borders mirrored: -i, 2n - i - 1); float_ansnr is the SNR of the
 * filtered reference against the difference, float_anpsnr the PSNR of that difference. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "extractor.h"
#include "float_picture.h"

static const char *const provides[] = { "float_ansnr", "float_anpsnr", NULL };

typedef struct FloatAnsnr {
    unsigned w, h;
    double peak, psnr_max;
    float *ref, *dis, *ref_f, *dis_f;
} FloatAnsnr;

/* The kernels, as libvmaf's float tables of double quotients. */
static const float filter_ref[3 * 3] = {
    1.0 / 16.0, 2.0 / 16.0, 1.0 / 16.0, 2.0 / 16.0, 4.0 / 16.0,
    2.0 / 16.0, 1.0 / 16.0, 2.0 / 16.0, 1.0 / 16.0,
};
static const float filter_dis[5 * 5] = {
    /* clang-format off */
    2.0 / 571.0,  7.0 / 571.0,  12.0 / 571.0,  7.0 / 571.0,  2.0 / 571.0,
    7.0 / 571.0,  31.0 / 571.0, 52.0 / 571.0,  31.0 / 571.0, 7.0 / 571.0,
    12.0 / 571.0, 52.0 / 571.0, 127.0 / 571.0, 52.0 / 571.0, 12.0 / 571.0,
    7.0 / 571.0,  31.0 / 571.0, 52.0 / 571.0,  31.0 / 571.0, 7.0 / 571.0,
    2.0 / 571.0,  7.0 / 571.0,  12.0 / 571.0,  7.0 / 571.0,  2.0 / 571.0,
};
/* clang-format on */

static inline int mirror(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - i - 1 : i;
}

/* 2-D filter, each kernel row summed on its own and then added (ansnr_filter2d_s). */
static void filter2d(const float *f, int taps, const float *src, float *dst, int w, int h)
{
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            float acc = 0;
            for (int fi = 0; fi < taps; fi++) {
                const float *row = src + (size_t)mirror(i - taps / 2 + fi, h) * w;
                float inner = 0;
                for (int fj = 0; fj < taps; fj++)
                    inner += f[fi * taps + fj] * row[mirror(j - taps / 2 + fj, w)];
                acc += inner;
            }
            dst[(size_t)i * w + j] = acc;
        }
}

static void close_ansnr(void *priv)
{
    FloatAnsnr *s = priv;
    free(s->ref);
    free(s->dis);
    free(s->ref_f);
    free(s->dis_f);
}

static int init(void *priv, const ExtractorParams *p)
{
    FloatAnsnr *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    if (p->w < 3 || p->h < 3) return -ERANGE; /* the mirrored 5x5 window */
    s->w = p->w;
    s->h = p->h;
    float_psnr_constants(p->bpc, &s->peak, &s->psnr_max);
    const size_t n = (size_t)p->w * p->h * sizeof(float);
    s->ref = malloc(n);
    s->dis = malloc(n);
    s->ref_f = malloc(n);
    s->dis_f = malloc(n);
    if (s->ref && s->dis && s->ref_f && s->dis_f) return 0;
    close_ansnr(s); /* the context calls close() only after a successful init() */
    return -ENOMEM;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatAnsnr *s = priv;
    const int w = (int)s->w, h = (int)s->h;
    float_load_luma(in->ref, s->ref, w, -128);
    float_load_luma(in->dis, s->dis, w, -128);
    filter2d(filter_ref, 3, s->ref, s->ref_f, w, h);
    filter2d(filter_dis, 5, s->dis, s->dis_f, w, h);
    float sig = 0, noise = 0;
    for (int i = 0; i < h; i++) {
        float sig_row = 0, noise_row = 0;
        for (int j = 0; j < w; j++) {
            const float r = s->ref_f[(size_t)i * w + j], d = s->dis_f[(size_t)i * w + j];
            sig_row += r * r;
            noise_row += (r - d) * (r - d);
        }
        sig += sig_row;
        noise += noise_row;
    }
    const double snr = noise == 0 ? s->psnr_max : 10.0 * log10(sig / noise);
    const double n = noise > 1e-10 ? noise : 1e-10;
    const double psnr = fmin(10 * log10(s->peak * s->peak * w * h / n), s->psnr_max);
    int err = collector_put(out, "float_ansnr", in->index, snr);
    if (!err) err = collector_put(out, "float_anpsnr", in->index, psnr);
    return err;
}

const FeatureExtractor extractor_float_ansnr = {
    .name = "float_ansnr",
    .provides = provides,
    .priv_size = sizeof(FloatAnsnr),
    .init = init,
    .extract = extract,
    .close = close_ansnr,
};
