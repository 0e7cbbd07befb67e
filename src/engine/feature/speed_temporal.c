/* speed_temporal: SpEED of the frame difference (libvmaf's "speed_temporal"): the luma of
 * frame n-1 minus frame n, for the reference and for the distorted pictures (or, with
 * speed_use_ref_diff, distorted n-1 minus reference n); 0 at frame 0.
 *
 * Both previous pictures arrive in FrameInput (EXTRACTOR_PREV_DIS), so extract() keeps no
 * history and frames may be scored in any order on any worker. As in libvmaf the score is
 * not clipped: speed_max_val only names the feature. libvmaf's buffers overflow with
 * speed_prescale > 1 here; vmafx sizes them for the scaled plane. */
#include <errno.h>

#include "speed_options.h"

#define NAME_LEN 128

static const char *const provides[] = { "Speed_temporal_feature_speed_temporal_score", NULL };

enum { OPT_USE_REF_DIFF = SPEED_N_COMMON_OPTIONS, N_OPTIONS };

static const ExtractorOption options[N_OPTIONS] = {
    SPEED_COMMON_OPTIONS,
    { "speed_use_ref_diff", "urd", 0, 0, 1, true, true },
};

static const ExtractorOptionKind kinds[] = {
    { .name = "speed_prescale_method", .choices = speed_scale_methods },
    { .name = NULL },
};

typedef struct TemporalState {
    Speed sp;
    int use_ref_diff;
    char name[NAME_LEN];
} TemporalState;

static int init(void *priv, const ExtractorParams *p)
{
    TemporalState *s = priv;
    s->use_ref_diff = p->opt[OPT_USE_REF_DIFF] != 0;
    feature_name(s->name, NAME_LEN, provides[0], feature_output_name(provides[0]), p->suffix);
    const SpeedOptions o = speed_options_from(p->opt, 0);
    return speed_init(&s->sp, &o, p->w, p->h, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR, "luma plane",
                      p->why, p->why_len);
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    TemporalState *s = priv;
    if (in->index == 0) return collector_put(out, s->name, 0, 0.0);
    if (!in->prev_ref || !in->prev_dis) return -EINVAL;
    const VmafxPicture *cur_dis = s->use_ref_diff ? in->ref : in->dis;
    const SpeedPlane r = { in->prev_ref->data[0], in->ref->data[0], in->prev_ref->stride[0],
                           in->ref->stride[0], in->ref->bpc };
    const SpeedPlane d = { in->prev_dis->data[0], cur_dis->data[0], in->prev_dis->stride[0],
                           cur_dis->stride[0], in->dis->bpc };
    float score;
    speed_plane_score(&s->sp, &r, &d, &score);
    return collector_put(out, s->name, in->index, score);
}

static void close_temporal(void *priv)
{
    speed_close(&((TemporalState *)priv)->sp);
}

const FeatureExtractor extractor_speed_temporal = {
    .name = "speed_temporal",
    .provides = provides,
    .options = options,
    .n_options = N_OPTIONS,
    .option_kinds = kinds,
    .flags = EXTRACTOR_TEMPORAL | EXTRACTOR_EVERY_FRAME | EXTRACTOR_PREV_DIS,
    .priv_size = sizeof(TemporalState),
    .init = init,
    .extract = extract,
    .close = close_temporal,
};
