/* ciede: the mean CIEDE2000 colour difference of the two pictures as a dB-like score
 * (libvmaf ciede.c, itself a port of av-metrics):
 *   ciede2000 = 45 - 20 log10(mean over pixels of dE00(ref, dis)),
 * with each pixel taken from BT.709 YCbCr (limited range) to linear RGB, XYZ and L*a*b*, and
 * dE00 weighted kL = 0.65, kC = 1, kH = 4. Every step keeps libvmaf's float / double mix.
 *
 * Chroma is brought to full resolution libvmaf's way: 4:2:0 by repeating samples; 4:2:2 by
 * libvmaf's reading of its own picture layout (rows 32-sample aligned, zero padded), which
 * takes column j of luma row i from the flat offset (i / 2) * stride + j of the chroma plane. */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "extractor.h"
#include "float_picture.h"

static const char *const provides[] = { "ciede2000", NULL };

typedef struct Ciede {
    unsigned w, h, bpc;
    enum VmafxPixelFormat fmt;
} Ciede;

typedef struct Lab {
    float l, a, b;
} Lab;

/* ---- colour conversion (libvmaf get_lab_color) ---- */

static double srgb_to_linear(double c)
{
    return c > 10. / 255. ? pow((c + 0.055) * (1.0 / 1.055), 2.4) : c * (1.0 / 12.92);
}

static float lab_f(double c)
{
    const double kappa = 24389.0 / 27.0, epsilon = 216.0 / 24389.0;
    return (float)(c > epsilon ? pow(c, 1.0 / 3.0) : (kappa * c + 16.0) * (1.0 / 116.0));
}

static Lab to_lab(double y, double u, double v, unsigned bpc)
{
    const double scale = 1 << (bpc - 8);
    y = (y - 16. * scale) * (1. / (219. * scale));
    u = (u - 128. * scale) * (1. / (224. * scale));
    v = (v - 128. * scale) * (1. / (224. * scale));
    const double r = srgb_to_linear(y + 1.28033 * v);
    const double g = srgb_to_linear(y - 0.21482 * u - 0.38059 * v);
    const double b = srgb_to_linear(y + 2.12798 * u);
    /* the maps return float: the L*a*b* arithmetic below starts from floats */
    const double fx = lab_f((r * 0.4124564390896921 + g * 0.357576077643909 + b * 0.18043748326639894) *
                            (1.0 / 0.95047));
    const double fy = lab_f(r * 0.21267285140562248 + g * 0.715152155287818 + b * 0.07217499330655958);
    const double fz = lab_f((r * 0.019333895582329317 + g * 0.119192025881303 + b * 0.9503040785363677) *
                            (1.0 / 1.08883));
    return (Lab){ (float)((116.0 * fy) - 16.0), (float)(500.0 * (fx - fy)), (float)(200.0 * (fy - fz)) };
}

/* ---- CIEDE2000 ---- */

static float hue_angle(float x, float y)
{
    if (x == 0.0 && y == 0.0) return 0.0f;
    float h = (float)atan2(x, y);
    if (h < 0.0) h = (float)(h + 2. * M_PI);
    return h;
}

static float hue_difference(float c1, float c2, float h1, float h2)
{
    if (c1 == 0.0 || c2 == 0.0) return 0.0f;
    if (fabsf(h1 - h2) <= M_PI) return h2 - h1;
    return (float)(h2 <= h1 ? h2 - h1 + 2. * M_PI : h2 - h1 - 2. * M_PI);
}

static float mean_hue(float h1, float h2)
{
    return (float)(fabs(h1 - h2) > M_PI ? (h1 + h2 + 2.0 * M_PI) / 2.0 : (h1 + h2) / 2.0);
}

static float hue_weight_t(float h)
{
    return (float)(1.0 - 0.17 * cos(h - M_PI / 6.0) + 0.24 * cos(2.0 * h) +
                   0.32 * cos(3.0 * h + M_PI / 30.0) - 0.20 * cos(4.0 * h - 7.0 * M_PI / 20.0));
}

/* The rotation term R_T. */
static float rotation(float c_bar, float h_bar)
{
    const float deg = (float)(((float)(h_bar * (180.0 / M_PI)) - 275.0) * (1.0 / 25.0));
    const float angle = (float)((float)(60.0 * exp(-(powf(deg, 2)))) * (M_PI / 180.0));
    return (float)(-2.0 * sqrt(powf(c_bar, 7) / (powf(c_bar, 7) + powf(25., 7))) * sin(angle));
}

static float de2000(Lab p, Lab q)
{
    const float kl = 0.65f, kc = 1.0f, kh = 4.0f;
    const float dl = q.l - p.l;
    const float l_bar = (p.l + q.l) / 2;
    const float c1 = (float)sqrt(pow(p.a, 2) + pow(p.b, 2));
    const float c2 = (float)sqrt(pow(q.a, 2) + pow(q.b, 2));
    const float c_bar = (c1 + c2) / 2;
    const double g = 1 - sqrt(pow(c_bar, 7) / (pow(c_bar, 7) + pow(25, 7)));
    const float a1 = (float)(p.a + (p.a / 2) * g);
    const float a2 = (float)(q.a + (q.a / 2) * g);
    const float cp1 = (float)sqrt(pow(a1, 2) + pow(p.b, 2));
    const float cp2 = (float)sqrt(pow(a2, 2) + pow(q.b, 2));
    const float cp_bar = (cp1 + cp2) / 2;
    const float dc = cp2 - cp1;
    const float sl = (float)(1. + ((0.015 * pow(l_bar - 50, 2)) / sqrt(20 + pow(l_bar - 50, 2))));
    const float sc = (float)(1. + 0.045 * cp_bar);
    const float h1 = hue_angle(p.b, a1), h2 = hue_angle(q.b, a2);
    const float dh = hue_difference(c1, c2, h1, h2);
    const float d_big_h = (float)(2.0 * sqrt(cp1 * cp2) * sin(dh / 2.0));
    const float h_bar = mean_hue(h1, h2);
    const float sh = (float)(1.0 + 0.015 * cp_bar * hue_weight_t(h_bar));
    const float rt = rotation(cp_bar, h_bar);
    const float lightness = dl / (kl * sl), chroma = dc / (kc * sc), hue = d_big_h / (kh * sh);
    return (float)sqrt(pow(lightness, 2) + pow(chroma, 2) + pow(hue, 2) + rt * chroma * hue);
}

/* ---- pictures ---- */

static inline unsigned sample(const VmafxPicture *pic, unsigned p, unsigned row, unsigned col)
{
    if (pic->bpc == 8) return ((const uint8_t *)pic->data[p])[row * pic->stride[p] + col];
    return ((const uint16_t *)pic->data[p])[row * (pic->stride[p] / 2) + col];
}

/* Chroma sample p of luma position (i, j), as libvmaf upsamples (see the file comment). */
static unsigned chroma(const VmafxPicture *pic, unsigned p, unsigned i, unsigned j)
{
    switch (pic->pix_fmt) {
    case VMAFX_PIX_FMT_YUV420P: return sample(pic, p, i / 2, j / 2);
    case VMAFX_PIX_FMT_YUV422P: {
        const unsigned stride = (pic->w[p] + 31) & ~31u;
        const size_t flat = (size_t)(i / 2) * stride + j;
        const unsigned row = (unsigned)(flat / stride), col = (unsigned)(flat % stride);
        return col < pic->w[p] && row < pic->h[p] ? sample(pic, p, row, col) : 0;
    }
    default: return sample(pic, p, i, j);
    }
}

static int init(void *priv, const ExtractorParams *p)
{
    Ciede *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    s->w = p->w;
    s->h = p->h;
    s->bpc = p->bpc;
    s->fmt = p->pix_fmt;
    return 0;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    const Ciede *s = priv;
    double sum = 0.;
    for (unsigned i = 0; i < s->h; i++)
        for (unsigned j = 0; j < s->w; j++) {
            const float ry = (float)sample(in->ref, 0, i, j), dy = (float)sample(in->dis, 0, i, j);
            const float ru = (float)chroma(in->ref, 1, i, j), rv = (float)chroma(in->ref, 2, i, j);
            const float du = (float)chroma(in->dis, 1, i, j), dv = (float)chroma(in->dis, 2, i, j);
            sum += de2000(to_lab(ry, ru, rv, s->bpc), to_lab(dy, du, dv, s->bpc));
        }
    const double score = 45. - 20. * log10(sum / (s->w * s->h));
    return collector_put(out, "ciede2000", in->index, score);
}

const FeatureExtractor extractor_ciede = {
    .name = "ciede",
    .provides = provides,
    .flags = EXTRACTOR_CHROMA,
    .priv_size = sizeof(Ciede),
    .init = init,
    .extract = extract,
};
