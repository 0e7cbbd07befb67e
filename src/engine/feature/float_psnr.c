/* float_psnr: libvmaf's floating-point luma PSNR ("float_psnr": float_psnr.c, psnr.c) on
 * the 8-bit scale: squared errors of float samples summed in double, then
 *   min(10 log10(peak^2 / max(mse, 1e-10)), psnr_max)   (peak, cap: float_picture.c). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "extractor.h"
#include "float_picture.h"

static const char *const provides[] = { "float_psnr", NULL };

typedef struct FloatPsnr {
    unsigned w, h;
    double peak, psnr_max;
    float *ref, *dis;
} FloatPsnr;

static int init(void *priv, const ExtractorParams *p)
{
    FloatPsnr *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    s->w = p->w;
    s->h = p->h;
    float_psnr_constants(p->bpc, &s->peak, &s->psnr_max);
    s->ref = malloc((size_t)p->w * p->h * sizeof(float));
    s->dis = malloc((size_t)p->w * p->h * sizeof(float));
    if (s->ref && s->dis) return 0;
    free(s->ref);
    free(s->dis);
    return -ENOMEM;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatPsnr *s = priv;
    float_load_luma(in->ref, s->ref, s->w, 0);
    float_load_luma(in->dis, s->dis, s->w, 0);
    const size_t n = (size_t)s->w * s->h;
    double noise = 0;
    for (size_t i = 0; i < n; i++) {
        const float d = s->ref[i] - s->dis[i];
        noise += d * d;
    }
    noise /= (int)(s->w * s->h);
    const double psnr = fmin(10 * log10(s->peak * s->peak / fmax(noise, 1e-10)), s->psnr_max);
    return collector_put(out, "float_psnr", in->index, psnr);
}

static void close_psnr(void *priv)
{
    FloatPsnr *s = priv;
    free(s->ref);
    free(s->dis);
}

const FeatureExtractor extractor_float_psnr = {
    .name = "float_psnr",
    .provides = provides,
    .priv_size = sizeof(FloatPsnr),
    .init = init,
    .extract = extract,
    .close = close_psnr,
};
