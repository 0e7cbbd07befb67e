/* Scaling: choosing the sizes (--scale, --scale-to) and running libswscale. The picture
 * keeps its chroma layout and bit depth (same pixel format in and out), so only the size
 * changes. SWS_BITEXACT | SWS_ACCURATE_RND make the result independent of the CPU's SIMD
 * level, so a score does not depend on the machine that computed it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>

#include "libav_api.h"
#include "scale.h"

struct Scaler {
    struct SwsContext *sws;
    unsigned src_h;
};

static const struct {
    const char *name;
    enum MediaScaleAlgo algo;
    int flag;
} algos[] = {
    { "bicubic", MEDIA_SCALE_BICUBIC, SWS_BICUBIC },
    { "bilinear", MEDIA_SCALE_BILINEAR, SWS_BILINEAR },
    { "lanczos", MEDIA_SCALE_LANCZOS, SWS_LANCZOS },
    { "none", MEDIA_SCALE_NONE, 0 },
};

int media_parse_scale(const char *s, enum MediaScaleAlgo *out)
{
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
        if (!strcmp(s, algos[i].name)) {
            *out = algos[i].algo;
            return 0;
        }
    return -1;
}

const char *media_scale_name(enum MediaScaleAlgo a)
{
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
        if (algos[i].algo == a) return algos[i].name;
    return "?";
}

int media_parse_size(const char *s, unsigned *w, unsigned *h)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X')) return -1;
    const char *p = end + 1;
    unsigned long b = strtoul(p, &end, 10);
    if (end == p || *end || !a || !b || a > 32768 || b > 32768 || *s == '-' || *p == '-') return -1;
    *w = (unsigned)a;
    *h = (unsigned)b;
    return 0;
}

static void note_one(char *note, size_t nn, const char *who, unsigned fw, unsigned fh, unsigned tw,
                     unsigned th, enum MediaScaleAlgo algo)
{
    if (fw == tw && fh == th) return;
    size_t used = strlen(note);
    snprintf(note + used, nn - used, "%s%s scaled from %ux%u to %ux%u (%s)", used ? "; " : "", who, fw, fh,
             tw, th, media_scale_name(algo));
}

int media_plan_scale(const MediaGeometry *ref, const MediaGeometry *dis, enum MediaScaleAlgo algo,
                     unsigned to_w, unsigned to_h, MediaScalePlan *plan, char *note, size_t nn, char *err,
                     size_t n)
{
    *plan = (MediaScalePlan){ ref->w, ref->h, ref->w, ref->h, algo };
    if (to_w) *plan = (MediaScalePlan){ to_w, to_h, to_w, to_h, algo };
    int changes = plan->ref_w != ref->w || plan->ref_h != ref->h || plan->dis_w != dis->w ||
                  plan->dis_h != dis->h;
    if (changes && algo == MEDIA_SCALE_NONE) {
        if (to_w) snprintf(err, n, "--scale-to needs a scaling method, not --scale none");
        else
            snprintf(err, n,
                     "inputs differ in size: reference %ux%u, distorted %ux%u, and "
                     "--scale none forbids scaling",
                     ref->w, ref->h, dis->w, dis->h);
        return -EINVAL;
    }
    note[0] = 0;
    note_one(note, nn, "reference", ref->w, ref->h, plan->ref_w, plan->ref_h, algo);
    note_one(note, nn, "distorted", dis->w, dis->h, plan->dis_w, plan->dis_h, algo);
    return 0;
}

/* The libav planar format of a picture layout; NONE for depths swscale lacks (11, 13, 15). */
static enum AVPixelFormat av_format(const MediaGeometry *g)
{
    static const int depths[] = { 8, 9, 10, 12, 14, 16 };
    static const enum AVPixelFormat table[3][6] = {
        { AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P9LE, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P12LE,
          AV_PIX_FMT_YUV420P14LE, AV_PIX_FMT_YUV420P16LE },
        { AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P9LE, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV422P12LE,
          AV_PIX_FMT_YUV422P14LE, AV_PIX_FMT_YUV422P16LE },
        { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P9LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE,
          AV_PIX_FMT_YUV444P14LE, AV_PIX_FMT_YUV444P16LE },
    };
    int row = g->fmt == VMAFX_PIX_FMT_YUV420P ? 0 : g->fmt == VMAFX_PIX_FMT_YUV422P ? 1 : 2;
    for (int i = 0; i < 6; i++)
        if ((unsigned)depths[i] == g->bpc) return table[row][i];
    return AV_PIX_FMT_NONE;
}

int scaler_open(Scaler **out, const MediaGeometry *src, unsigned w, unsigned h, enum MediaScaleAlgo algo,
                char *why, size_t n)
{
    if (libav_load(why, n) < 0) return -ELIBACC;
    enum AVPixelFormat f = av_format(src);
    if (f == AV_PIX_FMT_NONE) {
        snprintf(why, n, "cannot scale %u-bit pictures", src->bpc);
        return -ENOTSUP;
    }
    int flags = SWS_BITEXACT | SWS_ACCURATE_RND;
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
        if (algos[i].algo == algo) flags |= algos[i].flag;
    Scaler *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->src_h = src->h;
    s->sws = sws_getContext((int)src->w, (int)src->h, f, (int)w, (int)h, f, flags, NULL, NULL, NULL);
    if (!s->sws) {
        free(s);
        snprintf(why, n, "cannot scale %ux%u to %ux%u", src->w, src->h, w, h);
        return -EINVAL;
    }
    *out = s;
    return 0;
}

void scaler_run(Scaler *s, const VmafxPicture *src, VmafxPicture *dst)
{
    const uint8_t *in[4] = { src->data[0], src->data[1], src->data[2], NULL };
    uint8_t *outp[4] = { dst->data[0], dst->data[1], dst->data[2], NULL };
    int in_stride[4] = { (int)src->stride[0], (int)src->stride[1], (int)src->stride[2], 0 };
    int out_stride[4] = { (int)dst->stride[0], (int)dst->stride[1], (int)dst->stride[2], 0 };
    sws_scale(s->sws, in, in_stride, 0, (int)s->src_h, outp, out_stride);
}

void scaler_close(Scaler *s)
{
    if (!s) return;
    sws_freeContext(s->sws);
    free(s);
}
