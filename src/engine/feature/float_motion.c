/* float_motion: libvmaf's floating-point motion ("float_motion": float_motion.c, motion.c).
 *
 * Frame n's score is the mean absolute difference of the blurred luma (offset -128) of the
 * reference pictures n-1 and n ("motion", libvmaf's debug feature, on by default); motion2
 * of frame n is the smaller of the scores of frames n and n+1, motion3 motion2 blended and
 * clipped. As in the integer motion extractor, extract() needs only FrameInput (prev_ref)
 * and motion2/motion3 are derived from the stored scores at flush.
 *
 * The unclipped score of every frame is kept as an internal collector value for the flush.
 * Not offered: motion_add_scale1 and motion_add_uv. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "extractor.h"
#include "float_filter.h"
#include "float_picture.h"

#define NAME_LEN 96

enum {
    OPT_DEBUG,
    OPT_FORCE_ZERO,
    OPT_FPS_WEIGHT,
    OPT_BLEND_FACTOR,
    OPT_BLEND_OFFSET,
    OPT_FILTER_SIZE,
    OPT_MAX_VAL,
    N_OPT
};

static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_DEBUG]        = { "debug", NULL, 1, 0, 1, false, true },
    [OPT_FORCE_ZERO]   = { "motion_force_zero", "force_0", 0, 0, 1, true, true },
    [OPT_FPS_WEIGHT]   = { "motion_fps_weight", "mfw", 1.0, 0.0, 5.0, true, false },
    [OPT_BLEND_FACTOR] = { "motion_blend_factor", "mbf", 1.0, 0.0, 1.0, true, false },
    [OPT_BLEND_OFFSET] = { "motion_blend_offset", "mbo", 40.0, 0.0, 1000.0, true, false },
    [OPT_FILTER_SIZE]  = { "motion_filter_size", "mfs", 5, 0, 9, true, false },
    [OPT_MAX_VAL]      = { "motion_max_val", "mmxv", 10000.0, 0.0, 10000.0, true, false },
};
/* clang-format on */

enum { F_MOTION, F_MOTION2, F_MOTION3, F_RAW, N_FEATURES };

static const char *const provides[N_FEATURES] = { "VMAF_feature_motion_score", "VMAF_feature_motion2_score",
                                                  "VMAF_feature_motion3_score", NULL };

/* libvmaf's motion filters (motion_tools.h); size 1 is its "no-op" 5-tap filter. */
static const float filter5[5] = { 0.054488685, 0.244201342, 0.402619947, 0.244201342, 0.054488685 };
static const float filter3[3] = { 0.166378498, 0.667243004, 0.166378498 };
static const float filter_noop[5] = { 0.0, 0.0, 1.0, 0.0, 0.0 };

typedef struct FloatMotion {
    unsigned w, h;
    bool force_zero, debug;
    double fps_weight, blend_factor, blend_offset, max_val;
    const float *filter;
    int taps;
    FloatKernels k;
    FloatRows rows;
    float *luma, *blur[2];
    char name[N_FEATURES][NAME_LEN];
} FloatMotion;

static void close_motion(void *priv)
{
    FloatMotion *s = priv;
    free(s->luma);
    free(s->blur[0]);
    free(s->blur[1]);
    float_rows_free(&s->rows);
    s->luma = s->blur[0] = s->blur[1] = NULL;
}

static int init(void *priv, const ExtractorParams *p)
{
    FloatMotion *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    if (p->w < 3 || p->h < 3) return -ERANGE; /* the mirrored 5-tap window */
    s->w = p->w;
    s->h = p->h;
    s->force_zero = p->opt[OPT_FORCE_ZERO] != 0;
    s->debug = p->opt[OPT_DEBUG] != 0;
    s->fps_weight = p->opt[OPT_FPS_WEIGHT];
    s->blend_factor = p->opt[OPT_BLEND_FACTOR];
    s->blend_offset = p->opt[OPT_BLEND_OFFSET];
    s->max_val = p->opt[OPT_MAX_VAL];
    const int size = (int)p->opt[OPT_FILTER_SIZE];
    s->filter = size == 1 ? filter_noop : size == 3 ? filter3 : filter5;
    s->taps = size == 3 ? 3 : 5;
    float_kernels_init(&s->k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    for (int f = 0; f < F_RAW; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);
    snprintf(s->name[F_RAW], NAME_LEN, "%cfloat_motion_raw%s", COLLECTOR_INTERNAL,
             p->suffix ? p->suffix : "");
    const size_t n = (size_t)p->w * p->h;
    s->luma = malloc(n * sizeof(float));
    s->blur[0] = malloc(n * sizeof(float));
    s->blur[1] = malloc(n * sizeof(float));
    if (!s->luma || !s->blur[0] || !s->blur[1] || float_rows_init(&s->rows, p->w)) {
        close_motion(s); /* the context calls close() only after a successful init() */
        return -ENOMEM;
    }
    return 0;
}

static void blur_luma(FloatMotion *s, const VmafxPicture *pic, float *dst)
{
    float_load_luma(pic, s->luma, s->w, -128);
    float_blur(&s->k, s->filter, s->taps, s->luma, s->w, s->w, s->h, dst, s->w, &s->rows);
}

/* Mean absolute difference, rows summed in float (libvmaf's vmaf_image_sad_c). */
static float mean_abs_diff(const float *a, const float *b, unsigned w, unsigned h)
{
    float acc = 0;
    for (unsigned i = 0; i < h; i++, a += w, b += w) {
        float row = 0;
        for (unsigned j = 0; j < w; j++) row += fabsf(a[j] - b[j]);
        acc += row;
    }
    return acc / (float)(w * h);
}

static double clip(const FloatMotion *s, double m)
{
    return m < s->max_val ? m : s->max_val;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatMotion *s = priv;
    double score = 0.0;
    if (s->force_zero) {
        int err = collector_put(out, s->name[F_MOTION2], in->index, 0.0);
        if (!err) err = collector_put(out, s->name[F_MOTION3], in->index, 0.0);
        if (!err && s->debug) err = collector_put(out, s->name[F_MOTION], in->index, 0.0);
        return err;
    }
    if (in->index == 0) {
        /* libvmaf writes frame 0's motion2 first (its report order follows) */
        int err = collector_put(out, s->name[F_MOTION2], 0, 0.0);
        if (err) return err;
    } else {
        if (!in->prev_ref) return -EINVAL;
        blur_luma(s, in->prev_ref, s->blur[0]);
        blur_luma(s, in->ref, s->blur[1]);
        score = mean_abs_diff(s->blur[0], s->blur[1], s->w, s->h);
    }
    int err = 0;
    if (s->debug) err = collector_put(out, s->name[F_MOTION], in->index, clip(s, score * s->fps_weight));
    if (!err) err = collector_put(out, s->name[F_RAW], in->index, score);
    return err;
}

/* libvmaf's motion3 of a score: weighted, blended towards blend_offset, clipped. */
static double blend_clip(const FloatMotion *s, double raw)
{
    const double m = raw * s->fps_weight;
    const double lo = s->blend_offset < m ? s->blend_offset : m;
    return clip(s, m * s->blend_factor + (1 - s->blend_factor) * lo);
}

/* motion2[n] = min(score[n], score[n+1]) weighted and clipped (0 at frame 0, the own score
 * at the last); motion3 = the same min blended and clipped, frame 0 taking frame 1's. */
static int flush(void *priv, FeatureCollector *out, unsigned n_frames)
{
    FloatMotion *s = priv;
    if (s->force_zero) return 0;
    double m[2];
    for (unsigned i = 0; i < n_frames; i++) {
        if (collector_get(out, s->name[F_RAW], i, &m[0])) return -EINVAL;
        double m2 = m[0];
        if (i + 1 < n_frames && !collector_get(out, s->name[F_RAW], i + 1, &m[1]))
            m2 = m[0] < m[1] ? m[0] : m[1];
        double m3 = blend_clip(s, m2);
        if (i == 0) {
            m3 = n_frames > 1 && !collector_get(out, s->name[F_RAW], 1, &m[1]) ? blend_clip(s, m[1]) : 0.0;
        }
        int err = i ? collector_put(out, s->name[F_MOTION2], i, clip(s, m2 * s->fps_weight)) : 0;
        if (!err) err = collector_put(out, s->name[F_MOTION3], i, m3);
        if (err) return err;
    }
    return 0;
}

const FeatureExtractor extractor_float_motion = {
    .name = "float_motion",
    .provides = provides,
    .options = options,
    .n_options = N_OPT,
    .flags = EXTRACTOR_TEMPORAL | EXTRACTOR_EVERY_FRAME | EXTRACTOR_EARLY_FLUSH,
    .priv_size = sizeof(FloatMotion),
    .init = init,
    .extract = extract,
    .flush = flush,
    .close = close_motion,
};
