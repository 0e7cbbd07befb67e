/* float_vif: libvmaf's floating-point VIF ("float_vif": vif.c, vif_tools.c, float_vif.c).
 *
 * Luma, offset by -128, is analysed at four scales; scale s > 0 is scale s-1 low-passed with
 * scale s's Gaussian and decimated 2:1. At each scale the local means, variances and
 * covariance under that Gaussian give per-pixel information terms (float_kernels.c), summed
 * per row and then over rows in float, as libvmaf does; the score of a scale is num / den.
 * Rows are streamed: only the decimated pictures are kept whole. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extractor.h"
#include "float_filter.h"
#include "float_picture.h"

#define N_SCALES 4
#define NAME_LEN 96

enum {
    /* clang-format off */
    OPT_DEBUG, OPT_EGL, OPT_KS, OPT_PRESCALE, OPT_S1MIN, OPT_S2MIN, OPT_S3MIN, OPT_SNSQ,
    OPT_SKIP0, N_OPT
};
/* clang-format on */

/* libvmaf's options, less vif_prescale_method (a string; prescaling is nearest-neighbour). */
static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_DEBUG]    = { "debug", NULL, 0, 0, 1, false, true },
    [OPT_EGL]      = { "vif_enhn_gain_limit", "egl", 100.0, 1.0, 100.0, true, false },
    [OPT_KS]       = { "vif_kernelscale", "ks", 1.0, 0.1, 4.0, true, false },
    [OPT_PRESCALE] = { "vif_prescale", "ps", 1.0, 0.1, 4.0, true, false },
    [OPT_S1MIN]    = { "vif_scale1_min_val", "s1miv", 0.0, 0.0, 1.0, true, false },
    [OPT_S2MIN]    = { "vif_scale2_min_val", "s2miv", 0.0, 0.0, 1.0, true, false },
    [OPT_S3MIN]    = { "vif_scale3_min_val", "s3miv", 0.0, 0.0, 1.0, true, false },
    [OPT_SNSQ]     = { "vif_sigma_nsq", "snsq", 2.0, 0.0, 5.0, true, false },
    [OPT_SKIP0]    = { "vif_skip_scale0", "ssclz", 0, 0, 1, true, true },
};
/* clang-format on */

enum { F_SCALE0, F_VIF = F_SCALE0 + N_SCALES, F_NUM, F_DEN, F_NUM0, N_FEATURES = F_NUM0 + 8 };

static const char *const provides[] = { "VMAF_feature_vif_scale0_score",
                                        "VMAF_feature_vif_scale1_score",
                                        "VMAF_feature_vif_scale2_score",
                                        "VMAF_feature_vif_scale3_score",
                                        "vif",
                                        "vif_num",
                                        "vif_den",
                                        "vif_num_scale0",
                                        "vif_den_scale0",
                                        "vif_num_scale1",
                                        "vif_den_scale1",
                                        "vif_num_scale2",
                                        "vif_den_scale2",
                                        "vif_num_scale3",
                                        "vif_den_scale3",
                                        NULL };

/* The kernel scales libvmaf accepts (vif_tools.h), compared as it does, within 1e-3. */
static const float valid_kernelscales[] = {
    1.0f,        1.0f / 2.0f, 3.0f / 2.0f,  2.0f,         2.0f / 3.0f, 24.0f / 10.0f, 360.0f / 97.0f,
    4.0f / 3.0f, 3.5f / 3.0f, 3.75f / 3.0f, 4.25f / 3.0f, 5.0f / 3.0f, 3.0f,          1.0f / 2.25f,
    1.4746f,     1.54f,       1.6f,         1.06667f,     0.711111f,   0.740740f,     1.111111f,
};

typedef struct FloatVif {
    unsigned w, h;   /* input luma */
    unsigned sw, sh; /* after prescaling */
    bool debug, skip0;
    double min_val[N_SCALES];
    float filter[N_SCALES][FLOAT_MAX_TAPS];
    int taps[N_SCALES];
    FloatVifParams tp;
    FloatKernels k;
    FloatRows rows;
    float *ref, *dis;            /* w x h */
    float *pre_ref, *pre_dis;    /* sw x sh, when prescaled */
    float *half[2], *quarter[2]; /* decimated scales, ping-pong (see extract) */
    char name[N_FEATURES][NAME_LEN];
} FloatVif;

/* ---- the Gaussians (libvmaf's float/double mix of vif_tools.c) ---- */

static int filter_taps(int scale, float ks)
{
    const int n = (1 << (4 - scale)) + 1;
    int c = (int)ceil(n * ks);
    if (c % 2 == 0) c++;
    return c > 3 ? c : 3;
}

static void gaussian(float *out, int taps)
{
    const float sd = taps / 5.0f;
    const int half = (taps - 1) / 2;
    float sum = 0;
    for (int i = 0; i < taps; i++) {
        const float x = (float)(i - half);
        const float num = (float)exp(-0.5 * x / sd * x / sd);
        const float den = (float)(1 / (sd * sqrt(2 * M_PI)));
        out[i] = num / den;
        sum += out[i];
    }
    for (int i = 0; i < taps; i++) out[i] /= sum;
}

static bool kernelscale_valid(float ks)
{
    for (size_t i = 0; i < sizeof(valid_kernelscales) / sizeof(valid_kernelscales[0]); i++)
        if (fabsf(ks - valid_kernelscales[i]) < 1e-3) return true;
    return false;
}

/* ---- one scale ---- */

/* Sums of the information terms over a w x h picture pair (rows in float, as libvmaf). */
static void scale_sums(FloatVif *s, int scale, const float *ref, const float *dis, ptrdiff_t stride,
                       unsigned w, unsigned h, float *num, float *den)
{
    const float *f = s->filter[scale];
    const int taps = s->taps[scale];
    const float *rx[FLOAT_MAX_TAPS], *ry[FLOAT_MAX_TAPS];
    const float *m[5] = { s->rows.out[0], s->rows.out[1], s->rows.out[2], s->rows.out[3], s->rows.out[4] };
    float acc_num = 0, acc_den = 0;
    for (unsigned i = 0; i < h; i++) {
        float_window(ref, stride, (int)i, h, taps, rx);
        float_window(dis, stride, (int)i, h, taps, ry);
        s->k.vert5(f, taps, rx, ry, w, s->rows.tmp);
        for (int q = 0; q < 5; q++) {
            float_pad_row(s->rows.tmp[q], w, taps);
            s->k.horz(f, taps, s->rows.tmp[q], w, s->rows.out[q]);
        }
        s->k.vif_terms(m, w, &s->tp, s->rows.num, s->rows.den);
        float row_num = 0, row_den = 0;
        for (unsigned j = 0; j < w; j++) {
            row_num += s->rows.num[j];
            row_den += s->rows.den[j];
        }
        acc_num += row_num;
        acc_den += row_den;
    }
    *num = acc_num;
    *den = acc_den;
}

/* libvmaf's nearest-neighbour prescaling (vif_scale_frame_nearest_s). */
static void prescale(const float *src, unsigned w, unsigned h, float *dst, unsigned dw, unsigned dh)
{
    const float rx = (float)w / dw, ry = (float)h / dh;
    for (unsigned y = 0; y < dh; y++)
        for (unsigned x = 0; x < dw; x++) dst[y * dw + x] = src[(int)(y * ry) * (size_t)w + (int)(x * rx)];
}

/* ---- life cycle ---- */

static void release(FloatVif *s)
{
    free(s->ref);
    free(s->dis);
    free(s->pre_ref);
    free(s->pre_dis);
    for (int i = 0; i < 2; i++) {
        free(s->half[i]);
        free(s->quarter[i]);
    }
    float_rows_free(&s->rows);
}

static int check_sizes(const FloatVif *s)
{
    unsigned w = s->sw, h = s->sh;
    for (int scale = 0; scale < N_SCALES; scale++) {
        if (scale > 0) {
            w /= 2;
            h /= 2;
        }
        /* libvmaf's mirror reads outside the picture when the window is wider than it */
        if ((int)w <= s->taps[scale] / 2 || (int)h <= s->taps[scale] / 2) return -ERANGE;
    }
    return 0;
}

static int init(void *priv, const ExtractorParams *p)
{
    FloatVif *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    const float ks = (float)p->opt[OPT_KS];
    if (!kernelscale_valid(ks)) return -EDOM;
    s->w = p->w;
    s->h = p->h;
    s->sw = (unsigned)(int)(p->w * p->opt[OPT_PRESCALE] + 0.5);
    s->sh = (unsigned)(int)(p->h * p->opt[OPT_PRESCALE] + 0.5);
    s->debug = p->opt[OPT_DEBUG] != 0;
    s->skip0 = p->opt[OPT_SKIP0] != 0;
    s->min_val[1] = p->opt[OPT_S1MIN];
    s->min_val[2] = p->opt[OPT_S2MIN];
    s->min_val[3] = p->opt[OPT_S3MIN];
    for (int scale = 0; scale < N_SCALES; scale++) {
        s->taps[scale] = filter_taps(scale, ks);
        if (s->taps[scale] > FLOAT_MAX_TAPS) return -EINVAL;
        gaussian(s->filter[scale], s->taps[scale]);
    }
    int err = check_sizes(s);
    if (err) return err;

    const double nsq = p->opt[OPT_SNSQ];
    float up = (float)nsq;
    if ((double)up < nsq) up = nextafterf(up, INFINITY);
    s->tp = (FloatVifParams){
        .sigma_nsq_up = up,
        .sigma_nsq = nsq,
        .sigma_max_inv = (float)(powf((float)nsq, 2.0f) / (255.0 * 255.0)),
        .gain_limit = (float)p->opt[OPT_EGL],
    };
    float_kernels_init(&s->k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);

    const size_t n = (size_t)p->w * p->h, ns = (size_t)s->sw * s->sh;
    const size_t n1 = (size_t)(s->sw / 2) * (s->sh / 2) + 1, n2 = n1 / 4 + 1;
    s->ref = malloc(n * sizeof(float));
    s->dis = malloc(n * sizeof(float));
    bool ok = s->ref && s->dis;
    if (ns != n || s->sw != p->w) {
        s->pre_ref = malloc(ns * sizeof(float));
        s->pre_dis = malloc(ns * sizeof(float));
        ok = ok && s->pre_ref && s->pre_dis;
    }
    for (int i = 0; i < 2; i++) {
        s->half[i] = malloc(n1 * sizeof(float));
        s->quarter[i] = malloc(n2 * sizeof(float));
        ok = ok && s->half[i] && s->quarter[i];
    }
    if (!ok || float_rows_init(&s->rows, s->sw)) {
        release(s);
        return -ENOMEM;
    }
    return 0;
}

static int put_scores(const FloatVif *s, const double *sc, unsigned index, FeatureCollector *out)
{
    int err = collector_put(out, s->name[F_SCALE0], index, s->skip0 ? 0.0 : sc[0] / sc[1]);
    for (int scale = 1; scale < N_SCALES && !err; scale++) {
        const double v = sc[2 * scale] / sc[2 * scale + 1];
        err = collector_put(out, s->name[F_SCALE0 + scale], index,
                            v > s->min_val[scale] ? v : s->min_val[scale]);
    }
    if (err || !s->debug) return err;
    double num = 0, den = 0;
    for (int scale = s->skip0 ? 1 : 0; scale < N_SCALES; scale++) {
        num += sc[2 * scale];
        den += sc[2 * scale + 1];
    }
    err = collector_put(out, s->name[F_VIF], index, den == 0.0 ? 1.0 : num / den);
    if (!err) err = collector_put(out, s->name[F_NUM], index, num);
    if (!err) err = collector_put(out, s->name[F_DEN], index, den);
    for (int i = 0; i < 2 * N_SCALES && !err; i++) {
        double v = sc[i];
        if (s->skip0 && i < 2) v = i == 0 ? 0.0 : -1.0;
        err = collector_put(out, s->name[F_NUM0 + i], index, v);
    }
    return err;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatVif *s = priv;
    float_load_luma(in->ref, s->ref, s->w, -128);
    float_load_luma(in->dis, s->dis, s->w, -128);
    const float *ref = s->ref, *dis = s->dis;
    if (s->pre_ref) {
        prescale(s->ref, s->w, s->h, s->pre_ref, s->sw, s->sh);
        prescale(s->dis, s->w, s->h, s->pre_dis, s->sw, s->sh);
        ref = s->pre_ref;
        dis = s->pre_dis;
    }
    unsigned w = s->sw, h = s->sh;
    double sc[2 * N_SCALES] = { 0 };
    for (int scale = 0; scale < N_SCALES; scale++) {
        if (scale > 0) {
            /* scale 1 and 3 land in half[], scale 2 in quarter[] (sizes only shrink) */
            float *const *next = scale == 2 ? s->quarter : s->half;
            float_blur_dec2(&s->k, s->filter[scale], s->taps[scale], ref, w, w, h, next[0], w / 2, &s->rows);
            float_blur_dec2(&s->k, s->filter[scale], s->taps[scale], dis, w, w, h, next[1], w / 2, &s->rows);
            ref = next[0];
            dis = next[1];
            w /= 2;
            h /= 2;
        }
        if (scale == 0 && s->skip0) continue;
        float num, den;
        scale_sums(s, scale, ref, dis, w, w, h, &num, &den);
        sc[2 * scale] = num;
        sc[2 * scale + 1] = den;
    }
    return put_scores(s, sc, in->index, out);
}

static void close_vif(void *priv)
{
    release(priv);
}

const FeatureExtractor extractor_float_vif = {
    .name = "float_vif",
    .provides = provides,
    .options = options,
    .n_options = N_OPT,
    .flags = 0,
    .priv_size = sizeof(FloatVif),
    .init = init,
    .extract = extract,
    .close = close_vif,
};
