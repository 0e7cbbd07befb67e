/* SpEED's filtering (libvmaf's filter_and_downscale): the Gaussian anti-alias blur of the
 * (scaled) float plane, 16:1 decimation, and the local mean (a small Gaussian of the decimated
 * plane) subtracted from it.
 *
 * libvmaf blurs the whole plane and then keeps every 16th sample of every 16th row. Each kept
 * sample depends only on the rows and columns of its own tap window, so here the vertical
 * pass runs only on the kept rows and the horizontal pass only at the kept columns: the same
 * sums, term for term and in the same order, for about a sixteenth of the work. */
#include <math.h>
#include <string.h>

#include "speed.h"

/* ---- Gaussian kernels ------------------------------------------------------------------ */

static int odd_ceil(float f)
{
    const int c = (int)ceil(f);
    return c % 2 == 0 ? c + 1 : c;
}

/* libvmaf's vif_get_filter_size(scale, kernelscale) */
static int filter_taps(int scale, float kernelscale)
{
    const int n = (1 << (4 - scale)) + 1;
    const int t = odd_ceil(n * kernelscale);
    return t > 3 ? t : 3;
}

static float gaussian_pdf(float x, float sigma)
{
    const float num = (float)exp(-0.5 * (x - 0) / sigma * (x - 0) / sigma);
    const float den = (float)(1 / (sigma * sqrt(2 * M_PI)));
    return num / den;
}

static void gaussian(float *out, int taps, float sigma)
{
    float sum = 0;
    for (int i = 0; i < taps; i++) {
        out[i] = gaussian_pdf((float)(i - (taps - 1) / 2), sigma);
        sum += out[i];
    }
    for (int i = 0; i < taps; i++) out[i] /= sum;
}

void speed_filters_init(Speed *s)
{
    const float ks = (float)s->o.kernelscale;
    /* the anti-alias kernel has scale 1's length and sqrt(4) times its width */
    s->taps = filter_taps(1, ks);
    gaussian(s->filt, s->taps, (float)(sqrt(SPEED_SCALES) * s->taps / 5.0f));
    s->taps_mean = filter_taps(SPEED_SCALES, ks);
    gaussian(s->filt_mean, s->taps_mean, s->taps_mean / 5.0f);
}

/* ---- the planes ------------------------------------------------------------------------ */

static inline int mirror(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - i - 2 : i;
}

static void load_row(const Speed *s, const void *plane, ptrdiff_t stride, unsigned bpc, unsigned y,
                     float *dst)
{
    const uint8_t *row = (const uint8_t *)plane + (ptrdiff_t)y * stride;
    if (bpc == 8) s->k.load_8(dst, row, s->g.w);
    else s->k.load_16(dst, (const uint16_t *)(const void *)row, s->g.w, ldexpf(1.0f, 8 - (int)bpc));
}

/* Row y of the plane as float: the samples, or the difference of two planes' samples. */
static const float *source_row(Speed *s, const SpeedPlane *p, unsigned y)
{
    load_row(s, p->a, p->stride_a, p->bpc, y, s->row);
    if (p->b) {
        load_row(s, p->b, p->stride_b, p->bpc, y, s->row2);
        s->k.sub(s->row, s->row2, s->g.w);
    }
    return s->row;
}

/* Row y of the scaled plane. */
static const float *scaled_row(Speed *s, const SpeedPlane *p, unsigned y)
{
    if (!s->g.resize) return source_row(s, p, y);
    speed_scale_row(s, y, s->row);
    return s->row;
}

/* The anti-alias blur at (16 i, 16 j) into dec[i][j]. */
static void blur_decimate(Speed *s, const SpeedPlane *p)
{
    const SpeedGeometry *g = &s->g;
    const int r = s->taps / 2;
    for (unsigned i = 0; i < g->oh; i++) {
        memset(s->acc, 0, sizeof(float) * g->sw);
        for (int k = 0; k < s->taps; k++) {
            const int y = mirror((int)(i << SPEED_SCALES) - r + k, (int)g->sh);
            s->k.vtap(s->acc, scaled_row(s, p, (unsigned)y), s->filt[k], g->sw);
        }
        float *out = s->dec + i * s->dec_stride;
        for (unsigned j = 0; j < g->ow; j++) {
            const int x0 = (int)(j << SPEED_SCALES) - r;
            float v = 0;
            for (int l = 0; l < s->taps; l++) v += s->filt[l] * s->acc[mirror(x0 + l, (int)g->sw)];
            out[j] = v;
        }
    }
}

/* dec -= Gaussian(dec), vertical pass then horizontal, edges mirrored. */
static void remove_local_mean(Speed *s)
{
    const SpeedGeometry *g = &s->g;
    const int r = s->taps_mean / 2;
    const size_t st = s->dec_stride;
    for (unsigned i = 0; i < g->oh; i++) {
        float *t = s->tmp + i * st;
        memset(t, 0, sizeof(float) * g->ow);
        for (int k = 0; k < s->taps_mean; k++) {
            const float *src = s->dec + mirror((int)i - r + k, (int)g->oh) * st;
            for (unsigned j = 0; j < g->ow; j++) t[j] += s->filt_mean[k] * src[j];
        }
    }
    for (unsigned i = 0; i < g->oh; i++) {
        const float *t = s->tmp + i * st;
        float *d = s->dec + i * st;
        for (unsigned j = 0; j < g->ow; j++) {
            float m = 0;
            for (int l = 0; l < s->taps_mean; l++)
                m += s->filt_mean[l] * t[mirror((int)j - r + l, (int)g->ow)];
            d[j] -= m;
        }
    }
}

void speed_filter_plane(Speed *s, const SpeedPlane *p)
{
    if (s->g.resize)
        for (unsigned y = 0; y < s->g.h; y++)
            memcpy(s->full + y * s->full_stride, source_row(s, p, y), sizeof(float) * s->g.w);
    blur_decimate(s, p);
    remove_local_mean(s);
}
