/* See convert.h. Everything is driven by libavutil's pixel format descriptor, which states
 * for each component its plane, byte step, byte offset, bit shift and depth: one loop covers
 * every layout, and the common planar case is a row memcpy. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <libavutil/pixdesc.h>

#include "libav_api.h"
#include "convert.h"

static int chroma_layout(const AVPixFmtDescriptor *d, enum VmafxPixelFormat *fmt)
{
    if (d->log2_chroma_w == 1 && d->log2_chroma_h == 1) *fmt = VMAFX_PIX_FMT_YUV420P;
    else if (d->log2_chroma_w == 1 && d->log2_chroma_h == 0) *fmt = VMAFX_PIX_FMT_YUV422P;
    else if (d->log2_chroma_w == 0 && d->log2_chroma_h == 0) *fmt = VMAFX_PIX_FMT_YUV444P;
    else return -1;
    return 0;
}

/* Why a layout cannot reach the engine unchanged, or NULL if it can. */
static const char *refusal(const AVPixFmtDescriptor *d)
{
    if (d->flags & AV_PIX_FMT_FLAG_HWACCEL) return "is a hardware surface";
    if (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BAYER))
        return "is not YUV (converting it would change the sample values)";
    if (!strncmp(d->name, "xyz", 3)) return "is not YUV (converting it would change the sample values)";
    if (d->flags & AV_PIX_FMT_FLAG_FLOAT) return "has floating-point samples";
    if (d->flags & AV_PIX_FMT_FLAG_BITSTREAM) return "packs samples below byte level";
    if (d->nb_components < 3) return "has no chroma (grey)";
    int depth = d->comp[0].depth;
    if (depth < 8 || depth > 16) return "has a bit depth outside 8..16";
    if (d->comp[1].depth != depth || d->comp[2].depth != depth) return "mixes bit depths between planes";
    enum VmafxPixelFormat f;
    if (chroma_layout(d, &f)) return "has a chroma subsampling other than 4:2:0, 4:2:2, 4:4:4";
    return NULL;
}

int convert_plan(ConvertPlan *p, enum AVPixelFormat fmt, int w, int h, char *why, size_t n)
{
    if (libav_load(why, n) < 0) return -ELIBACC;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    if (!d) {
        snprintf(why, n, "the decoder gave no pixel format");
        return -EINVAL;
    }
    const char *no = refusal(d);
    if (no) {
        snprintf(why, n, "pixel format %s %s", d->name, no);
        return -ENOTSUP;
    }
    memset(p, 0, sizeof(*p));
    p->src = fmt;
    chroma_layout(d, &p->geo.fmt);
    p->geo.bpc = d->comp[0].depth;
    p->geo.w = (unsigned)w;
    p->geo.h = (unsigned)h;
    p->mask = (1u << p->geo.bpc) - 1;
    for (int c = 0; c < 3; c++) {
        const AVComponentDescriptor *cd = &d->comp[c];
        p->comp[c] = (ConvertComp){
            .plane = cd->plane,
            .step = cd->step,
            .offset = cd->offset,
            .shift = cd->shift,
            .word = cd->depth + cd->shift > 8 ? 2 : 1,
            .big_endian = (d->flags & AV_PIX_FMT_FLAG_BE) != 0,
        };
        /* the picture stores 8-bit samples in bytes: an 8-bit sample kept in a word would
         * need a third path, and no YUV format libav has does that */
        if (p->comp[c].word == 2 && p->geo.bpc == 8) {
            snprintf(why, n, "pixel format %s stores 8-bit samples in 16-bit words", d->name);
            return -ENOTSUP;
        }
    }
    return 0;
}

static int plain_copy(const ConvertComp *c)
{
    return c->step == c->word && !c->offset && !c->shift && (c->word == 1 || !c->big_endian);
}

static void row_8(const ConvertComp *c, const uint8_t *s, uint8_t *d, unsigned w, unsigned mask)
{
    for (unsigned x = 0; x < w; x++) d[x] = (uint8_t)((s[(size_t)x * c->step] >> c->shift) & mask);
}

static void row_16(const ConvertComp *c, const uint8_t *s, uint16_t *d, unsigned w, unsigned mask)
{
    for (unsigned x = 0; x < w; x++) {
        const uint8_t *q = s + (size_t)x * c->step;
        unsigned v = c->big_endian ? (unsigned)q[0] << 8 | q[1] : (unsigned)q[1] << 8 | q[0];
        d[x] = (uint16_t)((v >> c->shift) & mask);
    }
}

/* A word-stored sample becomes a uint16_t picture sample; a byte-stored one a uint8_t one
 * (the engine's layout for bpc 8 vs 9..16, which plan() guarantees matches). */
static void copy_component(const ConvertPlan *p, int k, const AVFrame *f, VmafxPicture *pic)
{
    const ConvertComp *c = &p->comp[k];
    const uint8_t *src = f->data[c->plane] + c->offset;
    size_t row_bytes = (size_t)pic->w[k] * c->word;
    for (unsigned y = 0; y < pic->h[k]; y++) {
        const uint8_t *s = src + (ptrdiff_t)y * f->linesize[c->plane];
        uint8_t *d = (uint8_t *)pic->data[k] + (ptrdiff_t)y * pic->stride[k];
        if (plain_copy(c)) memcpy(d, s, row_bytes);
        else if (c->word == 1) row_8(c, s, d, pic->w[k], p->mask);
        else row_16(c, s, (uint16_t *)d, pic->w[k], p->mask);
    }
}

void convert_frame(const ConvertPlan *p, const AVFrame *f, VmafxPicture *pic)
{
    for (int k = 0; k < 3; k++) copy_component(p, k, f, pic);
}
