/* speed_chroma: SpEED of the U and V planes (libvmaf's "speed_chroma"), and their mean
 * (or, when one plane's covariance is singular, the other plane's score), each clipped to
 * speed_max_val. The chroma planes are taken at libvmaf's size, (w >> 1) x (h >> 1) for 4:2:0:
 * the last column and row of odd-sized pictures are not read. */
#include <errno.h>

#include "speed_options.h"

#define NAME_LEN 128

enum { F_U, F_V, F_UV, N_FEATURES };

static const char *const provides[N_FEATURES + 1] = { "Speed_chroma_feature_speed_chroma_u_score",
                                                      "Speed_chroma_feature_speed_chroma_v_score",
                                                      "Speed_chroma_feature_speed_chroma_uv_score", NULL };

enum { OPT_WEIGHT_VAR_MODE = SPEED_N_COMMON_OPTIONS, N_OPTIONS };

static const ExtractorOption options[N_OPTIONS] = {
    SPEED_COMMON_OPTIONS,
    { "speed_weight_var_mode", "wvm", 0, 0, 6, true, false },
};

static const ExtractorOptionKind kinds[] = {
    { .name = "speed_prescale_method", .choices = speed_scale_methods },
    { .name = "speed_weight_var_mode", .integer = true },
    { .name = NULL },
};

typedef struct ChromaState {
    Speed sp;
    double max_val;
    char name[N_FEATURES][NAME_LEN];
} ChromaState;

static int init(void *priv, const ExtractorParams *p)
{
    ChromaState *s = priv;
    unsigned w = p->w, h = p->h;
    if (p->pix_fmt != VMAFX_PIX_FMT_YUV444P) w /= 2;
    if (p->pix_fmt == VMAFX_PIX_FMT_YUV420P) h /= 2;
    s->max_val = p->opt[SPEED_OPT_MAX_VAL];
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);
    const SpeedOptions o = speed_options_from(p->opt, (int)p->opt[OPT_WEIGHT_VAR_MODE]);
    return speed_init(&s->sp, &o, w, h, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR, "chroma planes",
                      p->why, p->why_len);
}

static int plane_score(ChromaState *s, const FrameInput *in, int c, float *score)
{
    const SpeedPlane r = { in->ref->data[c], NULL, in->ref->stride[c], 0, in->ref->bpc };
    const SpeedPlane d = { in->dis->data[c], NULL, in->dis->stride[c], 0, in->dis->bpc };
    return speed_plane_score(&s->sp, &r, &d, score);
}

static double clip(const ChromaState *s, float v)
{
    return v < s->max_val ? (double)v : s->max_val;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    ChromaState *s = priv;
    float u, v;
    const int bad_u = plane_score(s, in, 1, &u);
    const int bad_v = plane_score(s, in, 2, &v);
    /* a singular plane (e.g. flat) takes the other plane's score */
    const float uv = bad_u && !bad_v ? v : bad_v && !bad_u ? u : (float)((u + v) / 2.0);
    int err = collector_put(out, s->name[F_U], in->index, clip(s, u));
    if (!err) err = collector_put(out, s->name[F_V], in->index, clip(s, v));
    if (!err) err = collector_put(out, s->name[F_UV], in->index, clip(s, uv));
    return err;
}

static void close_chroma(void *priv)
{
    speed_close(&((ChromaState *)priv)->sp);
}

const FeatureExtractor extractor_speed_chroma = {
    .name = "speed_chroma",
    .provides = provides,
    .options = options,
    .n_options = N_OPTIONS,
    .option_kinds = kinds,
    .flags = EXTRACTOR_CHROMA,
    .priv_size = sizeof(ChromaState),
    .init = init,
    .extract = extract,
    .close = close_chroma,
};
