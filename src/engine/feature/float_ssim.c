/* float_ssim: single-scale SSIM of the luma plane (spec section 9; libvmaf float_ssim.c,
 * ssim.c and the IQA library).
 *
 * Luma is taken to float in the 8-bit range; pictures whose shorter side is about 512 or
 * more are first box-filtered and decimated by round(min(w, h) / 256) so that the 11x11
 * window covers a comparable part of the scene; the frame score is the mean of the SSIM
 * map over the positions where the window fits entirely. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "extractor.h"
#include "ssim_common.h"

enum { OPT_ENABLE_LCS, OPT_ENABLE_DB, OPT_CLIP_DB, OPT_SCALE, N_OPT };

/* None of libvmaf's options of this extractor changes the feature names. */
static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_ENABLE_LCS] = { "enable_lcs", NULL, 0, 0, 1, false, true },
    [OPT_ENABLE_DB]  = { "enable_db", NULL, 0, 0, 1, false, true },
    [OPT_CLIP_DB]    = { "clip_db", NULL, 0, 0, 1, false, true },
    [OPT_SCALE]      = { "scale", NULL, 0, 0, SSIM_DECIMATE_MAX, false, false }, /* 0: automatic */
};
/* clang-format on */

#define NAME_LEN 64

typedef struct FloatSsim {
    unsigned w, h;   /* luma size */
    unsigned factor; /* decimation factor, 1 = none */
    unsigned sw, sh; /* size SSIM runs at */
    int enable_lcs, enable_db;
    double max_db;
    float box[SSIM_DECIMATE_MAX * SSIM_DECIMATE_MAX];
    float *ref, *dis;     /* w x h luma */
    float *ref_s, *dis_s; /* decimated copies (factor > 1) */
    SsimScratch scratch;
    char name[4][NAME_LEN]; /* float_ssim, _l, _c, _s */
} FloatSsim;

/* IQA's rounding of a positive float: halves go up. */
static int round_half_up(float a)
{
    const int i = (int)a;
    return a - (float)i >= 0.5f ? i + 1 : i;
}

static unsigned auto_factor(unsigned w, unsigned h)
{
    const int f = round_half_up((float)(w < h ? w : h) / 256.0f);
    return f > 1 ? (unsigned)f : 1;
}

/* dB cap of libvmaf's clip_db: the PSNR of an error of half a code value over the frame. */
static double db_cap(unsigned bpc, unsigned w, unsigned h, int clip)
{
    if (!clip) return INFINITY;
    const unsigned peak = (1u << bpc) - 1;
    const double mse = 0.5 / (w * h);
    return ceil(10. * log10(peak * peak / mse));
}

static void build_names(FloatSsim *s, const char *suffix)
{
    static const char *const base[4] = {
        "float_ssim",
        "float_ssim_l",
        "float_ssim_c",
        "float_ssim_s",
    };
    for (int i = 0; i < 4; i++) feature_name(s->name[i], NAME_LEN, base[i], base[i], suffix);
}

static void release(FloatSsim *s)
{
    free(s->ref);
    free(s->dis);
    free(s->ref_s);
    free(s->dis_s);
    ssim_scratch_free(&s->scratch);
}

static int init(void *priv, const ExtractorParams *p)
{
    FloatSsim *s = priv;
    s->w = p->w;
    s->h = p->h;
    s->factor = p->opt[OPT_SCALE] > 0 ? (unsigned)p->opt[OPT_SCALE] : auto_factor(p->w, p->h);
    s->sw = s->factor > 1 ? ssim_decimated_size(p->w, s->factor) : p->w;
    s->sh = s->factor > 1 ? ssim_decimated_size(p->h, s->factor) : p->h;
    /* libvmaf has no check and produces garbage; a window that does not fit is an error */
    if (s->sw < SSIM_WINDOW || s->sh < SSIM_WINDOW) return -ERANGE;
    s->enable_lcs = p->opt[OPT_ENABLE_LCS] != 0;
    s->enable_db = p->opt[OPT_ENABLE_DB] != 0;
    s->max_db = db_cap(p->bpc, p->w, p->h, p->opt[OPT_CLIP_DB] != 0);
    build_names(s, p->suffix);

    /* the box weight is the float 1/f^2 of IQA, the same for every tap */
    const unsigned taps = s->factor * s->factor;
    for (unsigned i = 0; i < taps; i++) s->box[i] = 1.0f / (float)taps;

    const size_t n = (size_t)p->w * p->h, ns = (size_t)s->sw * s->sh;
    s->ref = malloc(n * sizeof(float));
    s->dis = malloc(n * sizeof(float));
    int ok = s->ref && s->dis;
    if (ok && s->factor > 1) {
        s->ref_s = malloc(ns * sizeof(float));
        s->dis_s = malloc(ns * sizeof(float));
        ok = s->ref_s && s->dis_s;
    }
    if (!ok || ssim_scratch_init(&s->scratch, s->sw, s->sh, p->kernels)) {
        release(s);
        return -ENOMEM;
    }
    return 0;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatSsim *s = priv;
    ssim_load_luma(in->ref, s->ref);
    ssim_load_luma(in->dis, s->dis);
    const float *ref = s->ref, *dis = s->dis;
    if (s->factor > 1) {
        ssim_decimate(s->ref, s->w, s->h, s->box, s->factor, s->factor, s->ref_s);
        ssim_decimate(s->dis, s->w, s->h, s->box, s->factor, s->factor, s->dis_s);
        ref = s->ref_s;
        dis = s->dis_s;
    }
    SsimMeans m;
    ssim_means(ref, dis, s->sw, s->sh, &s->scratch, &m);

    double score = m.ssim;
    if (s->enable_db) score = fmin(-10. * log10(1 - score), s->max_db);
    int err = collector_put(out, s->name[0], in->index, score);
    if (s->enable_lcs) {
        const float lcs[3] = { m.l, m.c, m.s };
        for (int i = 0; i < 3 && !err; i++) err = collector_put(out, s->name[i + 1], in->index, lcs[i]);
    }
    return err;
}

static void close_ssim(void *priv)
{
    release(priv);
}

const FeatureExtractor extractor_float_ssim = {
    .name = "float_ssim",
    .provides = NULL,
    .options = options,
    .n_options = N_OPT,
    .flags = 0,
    .priv_size = sizeof(FloatSsim),
    .init = init,
    .extract = extract,
    .close = close_ssim,
};
