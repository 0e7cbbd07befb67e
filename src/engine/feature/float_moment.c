/* float_moment: libvmaf's first and second moments of the luma of both pictures
 * ("float_moment": float_moment.c, moment.c), on the 8-bit scale, summed in double. */
#include <errno.h>
#include <stdlib.h>

#include "extractor.h"
#include "float_picture.h"

static const char *const provides[] = { "float_moment_ref1st", "float_moment_dis1st", "float_moment_ref2nd",
                                        "float_moment_dis2nd", NULL };

typedef struct FloatMoment {
    unsigned w, h;
    float *buf;
} FloatMoment;

static int init(void *priv, const ExtractorParams *p)
{
    FloatMoment *s = priv;
    if (!float_bpc_supported(p->bpc)) return -EINVAL;
    s->w = p->w;
    s->h = p->h;
    s->buf = malloc((size_t)p->w * p->h * sizeof(float));
    return s->buf ? 0 : -ENOMEM;
}

static void moments(FloatMoment *s, const VmafxPicture *pic, double *first, double *second)
{
    float_load_luma(pic, s->buf, s->w, 0);
    const size_t n = (size_t)s->w * s->h;
    double m1 = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) m1 += s->buf[i];
    for (size_t i = 0; i < n; i++) m2 += s->buf[i] * s->buf[i];
    *first = m1 / (int)n;
    *second = m2 / (int)n;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    FloatMoment *s = priv;
    double v[4];
    moments(s, in->ref, &v[0], &v[2]);
    moments(s, in->dis, &v[1], &v[3]);
    int err = 0;
    for (int i = 0; i < 4 && !err; i++) err = collector_put(out, provides[i], in->index, v[i]);
    return err;
}

static void close_moment(void *priv)
{
    free(((FloatMoment *)priv)->buf);
}

const FeatureExtractor extractor_float_moment = {
    .name = "float_moment",
    .provides = provides,
    .priv_size = sizeof(FloatMoment),
    .init = init,
    .extract = extract,
    .close = close_moment,
};
