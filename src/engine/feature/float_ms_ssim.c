/* float_ms_ssim: multi-scale SSIM of the luma plane after Wang, Simoncelli and Bovik 2003
 * (spec section 9; libvmaf float_ms_ssim.c, ms_ssim.c and the IQA library).
 *
 * Five scales: the full-size luma (8-bit range), then four times low-pass filtered with the
 * 9x9 wavelet kernel and decimated by two. At every scale the single-scale SSIM terms are
 * averaged; the score is the product over scales of mean_l^alpha * mean_c^beta *
 * mean_s^gamma, alpha being non-zero only at the coarsest scale. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "extractor.h"
#include "ssim_common.h"

#define SCALES 5
#define NAME_LEN 64

/* Exponents of the five scales, finest first (Wang et al. 2003, as tabulated in IQA). */
static const float alphas[SCALES] = { 0.0000f, 0.0000f, 0.0000f, 0.0000f, 0.1333f };
static const float betas[SCALES] = { 0.0448f, 0.2856f, 0.3001f, 0.2363f, 0.1333f };
static const float gammas[SCALES] = { 0.0448f, 0.2856f, 0.3001f, 0.2363f, 0.1333f };

enum { OPT_ENABLE_LCS, OPT_ENABLE_DB, OPT_CLIP_DB, N_OPT };

/* None of libvmaf's options of this extractor changes the feature names. */
static const ExtractorOption options[N_OPT] = {
    /* clang-format off */
    [OPT_ENABLE_LCS] = { "enable_lcs", NULL, 0, 0, 1, false, true },
    [OPT_ENABLE_DB]  = { "enable_db", NULL, 0, 0, 1, false, true },
    [OPT_CLIP_DB]    = { "clip_db", NULL, 0, 0, 1, false, true },
};
/* clang-format on */

typedef struct FloatMsSsim {
    unsigned w[SCALES], h[SCALES];
    float *ref[SCALES], *dis[SCALES];
    float lpf[SSIM_LPF_LEN * SSIM_LPF_LEN];
    int enable_lcs, enable_db;
    double max_db;
    SsimScratch scratch;
    char name[NAME_LEN];
    char lcs_name[3][SCALES][NAME_LEN]; /* [l, c, s][scale] */
} FloatMsSsim;

/* libvmaf refuses a picture when a side, halved (rounded down) per scale, is narrower than
 * the window at any scale: both sides must be at least 11 * 2^4 = 176. */
static int fits(unsigned w, unsigned h)
{
    for (int i = 0; i < SCALES; i++, w /= 2, h /= 2)
        if (w < SSIM_WINDOW || h < SSIM_WINDOW) return 0;
    return 1;
}

/* dB cap of libvmaf's clip_db: the PSNR of an error of half a code value over the frame. */
static double db_cap(unsigned bpc, unsigned w, unsigned h, int clip)
{
    if (!clip) return INFINITY;
    const unsigned peak = (1u << bpc) - 1;
    const double mse = 0.5 / (w * h);
    return ceil(10. * log10(peak * peak / mse));
}

static void build_names(FloatMsSsim *s, const char *suffix)
{
    static const char term[3] = { 'l', 'c', 's' };
    feature_name(s->name, NAME_LEN, "float_ms_ssim", "float_ms_ssim", suffix);
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < SCALES; i++) {
            char base[NAME_LEN];
            snprintf(base, sizeof(base), "float_ms_ssim_%c_scale%d", term[t], i);
            feature_name(s->lcs_name[t][i], NAME_LEN, base, base, suffix);
        }
}

static void release(FloatMsSsim *s)
{
    for (int i = 0; i < SCALES; i++) {
        free(s->ref[i]);
        free(s->dis[i]);
    }
    ssim_scratch_free(&s->scratch);
}

static int init(void *priv, const ExtractorParams *p)
{
    FloatMsSsim *s = priv;
    if (!fits(p->w, p->h)) return -ERANGE;
    s->enable_lcs = p->opt[OPT_ENABLE_LCS] != 0;
    s->enable_db = p->opt[OPT_ENABLE_DB] != 0;
    s->max_db = db_cap(p->bpc, p->w, p->h, p->opt[OPT_CLIP_DB] != 0);
    build_names(s, p->suffix);
    ssim_lpf_kernel(s->lpf);

    int ok = 1;
    for (int i = 0; i < SCALES; i++) {
        /* the decimated sizes round up (IQA), unlike the size check above */
        s->w[i] = i ? ssim_decimated_size(s->w[i - 1], 2) : p->w;
        s->h[i] = i ? ssim_decimated_size(s->h[i - 1], 2) : p->h;
        const size_t n = (size_t)s->w[i] * s->h[i];
        ok &= (s->ref[i] = malloc(n * sizeof(float))) != NULL;
        ok &= (s->dis[i] = malloc(n * sizeof(float))) != NULL;
    }
    if (!ok || ssim_scratch_init(&s->scratch, p->w, p->h, p->kernels)) {
        release(s);
        return -ENOMEM;
    }
    return 0;
}

static int put_lcs(const FloatMsSsim *s, const SsimMeans m[SCALES], unsigned index, FeatureCollector *out)
{
    int err = 0;
    for (int i = 0; i < SCALES && !err; i++) err = collector_put(out, s->lcs_name[0][i], index, m[i].l);
    for (int i = 0; i < SCALES && !err; i++) err = collector_put(out, s->lcs_name[1][i], index, m[i].c);
    for (int i = 0; i < SCALES && !err; i++) err = collector_put(out, s->lcs_name[2][i], index, m[i].s);
    return err;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatMsSsim *s = priv;
    ssim_load_luma(in->ref, s->ref[0]);
    ssim_load_luma(in->dis, s->dis[0]);
    for (int i = 1; i < SCALES; i++) {
        ssim_decimate(s->ref[i - 1], s->w[i - 1], s->h[i - 1], s->lpf, SSIM_LPF_LEN, 2, s->ref[i]);
        ssim_decimate(s->dis[i - 1], s->w[i - 1], s->h[i - 1], s->lpf, SSIM_LPF_LEN, 2, s->dis[i]);
    }

    SsimMeans m[SCALES];
    double score = 1.0;
    for (int i = 0; i < SCALES; i++) {
        ssim_means(s->ref[i], s->dis[i], s->w[i], s->h[i], &s->scratch, &m[i]);
        /* the float means and exponents are widened to double for pow(), as in IQA */
        score *= pow(m[i].l, alphas[i]) * pow(m[i].c, betas[i]) * pow(m[i].s, gammas[i]);
        /* libvmaf gives up on an infinite product (not expected from means of bounded terms) */
        if (score == INFINITY) return -ERANGE;
    }

    if (s->enable_db) score = fmin(-10. * log10(1 - score), s->max_db);
    int err = collector_put(out, s->name, in->index, score);
    if (!err && s->enable_lcs) err = put_lcs(s, m, in->index, out);
    return err;
}

static void close_ms_ssim(void *priv)
{
    release(priv);
}

const FeatureExtractor extractor_float_ms_ssim = {
    .name = "float_ms_ssim",
    .provides = NULL,
    .options = options,
    .n_options = N_OPT,
    .flags = 0,
    .priv_size = sizeof(FloatMsSsim),
    .init = init,
    .extract = extract,
    .close = close_ms_ssim,
};
