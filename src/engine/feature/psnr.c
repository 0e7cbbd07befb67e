/* psnr: peak signal-to-noise ratio of Y, Cb and Cr (spec section 9; libvmaf
 * integer_psnr.c).
 *
 * Per plane the squared error is summed exactly in integers; then
 *   psnr = min(10 log10(peak^2 / max(SSE / samples, 1e-16)), cap)
 * with peak = 2^bpc - 1 (or 255 * 2^(bpc-8) with reduced_hbd_peak) and cap = 6 bpc + 12 dB,
 * or, with min_sse, the PSNR that error sum would give, rounded up.
 *
 * enable_apsnr adds libvmaf's aggregate metrics apsnr_y/cb/cr, the PSNR of the error summed
 * over the clip: each frame's sum is kept as an internal collector value and added at flush. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "extractor.h"

enum { OPT_ENABLE_CHROMA, OPT_ENABLE_MSE, OPT_REDUCED_HBD_PEAK, OPT_MIN_SSE, OPT_ENABLE_APSNR, N_OPT };

/* None of libvmaf's options of this extractor changes the feature names. */
static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_ENABLE_CHROMA]    = { "enable_chroma", NULL, 1, 0, 1, false, true },
    [OPT_ENABLE_MSE]       = { "enable_mse", NULL, 0, 0, 1, false, true },
    [OPT_REDUCED_HBD_PEAK] = { "reduced_hbd_peak", NULL, 0, 0, 1, false, true },
    [OPT_MIN_SSE]          = { "min_sse", NULL, 0, 0, DBL_MAX, false, false },
    [OPT_ENABLE_APSNR]     = { "enable_apsnr", NULL, 0, 0, 1, false, true },
};
/* clang-format on */

#define NAME_LEN 64

typedef struct Psnr {
    unsigned n_planes;
    int enable_mse, enable_apsnr;
    uint32_t peak;
    unsigned plane_pixels[3];
    double peak_sq; /* peak^2, computed in 32-bit unsigned as libvmaf does */
    double psnr_max[3];
    char psnr_name[3][NAME_LEN];
    char mse_name[3][NAME_LEN];
    char sse_name[3][NAME_LEN]; /* internal: the frame's error sum, for apsnr */
} Psnr;

/* Sum of squared differences of a w x h plane of 8-bit samples. A row's sum fits in 32 bits
 * for any width the engine accepts (32768 * 255^2 < 2^32). */
static uint64_t sse_8(const uint8_t *a, ptrdiff_t as, const uint8_t *b, ptrdiff_t bs, unsigned w, unsigned h)
{
    uint64_t sse = 0;
    for (unsigned y = 0; y < h; y++, a += as, b += bs) {
        uint32_t row = 0;
        for (unsigned x = 0; x < w; x++) {
            const int e = a[x] - b[x];
            row += (uint32_t)(e * e);
        }
        sse += row;
    }
    return sse;
}

/* Same for 9..16-bit samples; one squared error fits in 32 bits, the row sum may not. */
static uint64_t sse_16(const uint16_t *a, ptrdiff_t as, const uint16_t *b, ptrdiff_t bs, unsigned w,
                       unsigned h)
{
    uint64_t sse = 0;
    for (unsigned y = 0; y < h; y++, a += as, b += bs)
        for (unsigned x = 0; x < w; x++) {
            const uint32_t e = (uint32_t)abs(a[x] - b[x]);
            sse += e * e;
        }
    return sse;
}

static uint64_t plane_sse(const VmafxPicture *ref, const VmafxPicture *dis, unsigned p)
{
    if (ref->bpc == 8)
        return sse_8(ref->data[p], ref->stride[p], dis->data[p], dis->stride[p], ref->w[p], ref->h[p]);
    return sse_16(ref->data[p], ref->stride[p] / 2, dis->data[p], dis->stride[p] / 2, ref->w[p], ref->h[p]);
}

/* Plane sizes as VmafxPicture lays them out (chroma rounded up). */
static void plane_size(const ExtractorParams *p, unsigned plane, unsigned *w, unsigned *h)
{
    const unsigned sx = plane && p->pix_fmt != VMAFX_PIX_FMT_YUV444P;
    const unsigned sy = plane && p->pix_fmt == VMAFX_PIX_FMT_YUV420P;
    *w = (p->w + sx) >> sx;
    *h = (p->h + sy) >> sy;
}

static int init(void *priv, const ExtractorParams *p)
{
    static const char *const psnr_base[3] = { "psnr_y", "psnr_cb", "psnr_cr" };
    static const char *const mse_base[3] = { "mse_y", "mse_cb", "mse_cr" };
    Psnr *s = priv;
    if (p->bpc < 8 || p->bpc > 16) return -EINVAL;
    s->n_planes = p->opt[OPT_ENABLE_CHROMA] != 0 ? 3 : 1;
    s->enable_mse = p->opt[OPT_ENABLE_MSE] != 0;
    s->enable_apsnr = p->opt[OPT_ENABLE_APSNR] != 0;
    /* the reduced peak keeps high-bit-depth PSNR on the scale of 8-bit content */
    const uint32_t peak = p->opt[OPT_REDUCED_HBD_PEAK] != 0 ? 255u << (p->bpc - 8) : (1u << p->bpc) - 1;
    s->peak = peak;
    s->peak_sq = (double)(peak * peak);
    const double min_sse = p->opt[OPT_MIN_SSE];
    for (unsigned i = 0; i < 3; i++) {
        if (min_sse != 0.0) {
            unsigned w, h;
            plane_size(p, i, &w, &h);
            s->psnr_max[i] = ceil(10. * log10(s->peak_sq / (min_sse / (w * h))));
        } else {
            s->psnr_max[i] = 6 * p->bpc + 12;
        }
        feature_name(s->psnr_name[i], NAME_LEN, psnr_base[i], psnr_base[i], p->suffix);
        feature_name(s->mse_name[i], NAME_LEN, mse_base[i], mse_base[i], p->suffix);
        unsigned w, h;
        plane_size(p, i, &w, &h);
        s->plane_pixels[i] = w * h;
        snprintf(s->sse_name[i], NAME_LEN, "%c%s_sse%s", COLLECTOR_INTERNAL, psnr_base[i],
                 p->suffix ? p->suffix : "");
    }
    return 0;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    const Psnr *s = priv;
    for (unsigned p = 0; p < s->n_planes; p++) {
        const uint64_t sse = plane_sse(in->ref, in->dis, p);
        const double mse = (double)sse / (in->ref->w[p] * in->ref->h[p]);
        const double psnr = fmin(10. * log10(s->peak_sq / fmax(mse, 1e-16)), s->psnr_max[p]);
        int err = collector_put(out, s->psnr_name[p], in->index, psnr);
        if (!err && s->enable_mse) err = collector_put(out, s->mse_name[p], in->index, mse);
        if (!err && s->enable_apsnr) err = collector_put(out, s->sse_name[p], in->index, (double)sse);
        if (err) return err;
    }
    return 0;
}

/* libvmaf's aggregate PSNR of each plane over the clip, capped at the PSNR of half a code
 * value of error over all its samples. Planes not computed (enable_chroma=false) give
 * libvmaf's value for an empty sum. */
static int flush(void *priv, FeatureCollector *out, unsigned n_frames)
{
    static const char *const name[3] = { "apsnr_y", "apsnr_cb", "apsnr_cr" };
    const Psnr *s = priv;
    if (!s->enable_apsnr) return 0;
    for (unsigned p = 0; p < 3; p++) {
        uint64_t sse = 0, n = 0;
        double v;
        for (unsigned i = 0; i < n_frames; i++)
            if (p < s->n_planes && !collector_get(out, s->sse_name[p], i, &v)) {
                sse += (uint64_t)v;
                n += s->plane_pixels[p];
            }
        const uint32_t peak_sq = s->peak * s->peak;
        const double apsnr = 10 * (log10(peak_sq) + log10(n) - log10(sse));
        const double cap = ceil(10 * log10(peak_sq * n * 2));
        int err = collector_set_aggregate(out, name[p], apsnr < cap ? apsnr : cap);
        if (err) return err;
    }
    return 0;
}

const FeatureExtractor extractor_psnr = {
    .name = "psnr",
    .provides = NULL,
    .options = options,
    .n_options = N_OPT,
    .flags = EXTRACTOR_CHROMA,
    .priv_size = sizeof(Psnr),
    .init = init,
    .extract = extract,
    .flush = flush,
};
