/* Checks src/media/convert.c against libavutil's own pixel writer: for every YUV layout a
 * decoder may produce, a frame is filled through av_write_image_line2() (which knows each
 * format's planes, steps, shifts and endianness independently of convert.c), with garbage in
 * the bits the format leaves unused, then converted; every sample must come out with its
 * value and bit depth unchanged. Layouts that cannot reach the engine unchanged must be
 * refused. Prints one line per format; exits 1 on any failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>

#include "media/convert.h"

static const char *const accepted[] = {
    "yuv420p",     "yuvj420p",     "yuv422p",      "yuvj422p",    "yuv444p",     "yuvj444p",    "nv12",
    "nv21",        "nv16",         "nv24",         "nv42",        "nv20le",      "nv20be",      "p010le",
    "p010be",      "p012le",       "p016le",       "p016be",      "p210le",      "p210be",      "p410le",
    "p216le",      "p416be",       "yuv420p9le",   "yuv420p10le", "yuv420p10be", "yuv422p12be", "yuv444p14le",
    "yuv444p16le", "yuv444p16be",  "yuyv422",      "uyvy422",     "yvyu422",     "y210le",      "y210be",
    "yuva420p",    "yuva422p10le", "yuva444p16be", "ayuv64le",    "vuya",        "vuyx",
};

static const char *const refused[] = {
    "rgb24",   "bgra", "gbrp",  "gbrp10le", "gray",  "gray10le",  "ya8",       "yuv410p",     "yuv411p",
    "yuv440p", "pal8", "monow", "xyz12le",  "vaapi", "grayf32le", "uyyvyy411", "bayer_rggb8",
};

static uint32_t sample(int c, int x, int y, unsigned mask)
{
    uint32_t v = (uint32_t)x * 2654435761u ^ (uint32_t)y * 40503u ^ (uint32_t)c * 977u;
    return (v ^ v >> 13) & mask;
}

static int comp_w(const AVPixFmtDescriptor *d, int c, int w)
{
    return c == 1 || c == 2 ? -((-w) >> d->log2_chroma_w) : w;
}

static int comp_h(const AVPixFmtDescriptor *d, int c, int h)
{
    return c == 1 || c == 2 ? -((-h) >> d->log2_chroma_h) : h;
}

/* Formats that keep samples high in 16-bit words (p010, y210, ...) leave the low bits
 * unused; real decoders need not zero them, so the check puts garbage there. */
static void garbage_low_bits(AVFrame *f, const AVPixFmtDescriptor *d)
{
    int shift = d->comp[0].shift;
    if (!shift || d->comp[0].depth + shift != 16) return;
    unsigned low = (1u << shift) - 1;
    int be = (d->flags & AV_PIX_FMT_FLAG_BE) != 0;
    for (int p = 0; p < 4 && f->buf[p]; p++) /* planes start at even offsets */
        for (size_t i = 0; i + 1 < f->buf[p]->size; i += 2)
            f->buf[p]->data[i + (size_t)be] |= (uint8_t)((i * 37 + 11) & low);
}

static void fill(AVFrame *f, const AVPixFmtDescriptor *d)
{
    /* av_write_image_line2 ORs the values in, so it needs zeroed buffers */
    for (int p = 0; p < 4 && f->buf[p]; p++) memset(f->buf[p]->data, 0, f->buf[p]->size);
    uint32_t line[64];
    for (int c = 0; c < 3; c++) {
        unsigned mask = (1u << d->comp[c].depth) - 1;
        for (int y = 0; y < comp_h(d, c, f->height); y++) {
            for (int x = 0; x < comp_w(d, c, f->width); x++) line[x] = sample(c, x, y, mask);
            av_write_image_line2(line, f->data, f->linesize, d, 0, y, c, comp_w(d, c, f->width), 4);
        }
    }
    garbage_low_bits(f, d);
}

static int compare(const VmafxPicture *pic, const AVPixFmtDescriptor *d, const char *name)
{
    for (int c = 0; c < 3; c++) {
        unsigned mask = (1u << d->comp[c].depth) - 1;
        for (unsigned y = 0; y < pic->h[c]; y++)
            for (unsigned x = 0; x < pic->w[c]; x++) {
                const uint8_t *row = (const uint8_t *)pic->data[c] + y * pic->stride[c];
                uint32_t got = pic->bpc > 8 ? ((const uint16_t *)row)[x] : row[x];
                uint32_t want = sample(c, (int)x, (int)y, mask);
                if (got != want) {
                    printf("FAIL %s: component %d (%u,%u): got %u, want %u\n", name, c, x, y, got, want);
                    return 1;
                }
            }
    }
    printf("ok   %s (%u-bit)\n", name, pic->bpc);
    return 0;
}

static int check_accepted(const char *name, int w, int h)
{
    enum AVPixelFormat fmt = av_get_pix_fmt(name);
    if (fmt == AV_PIX_FMT_NONE) {
        printf("skip %s (not in this libavutil)\n", name);
        return 0;
    }
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    AVFrame *f = av_frame_alloc();
    f->format = fmt;
    f->width = w;
    f->height = h;
    if (av_frame_get_buffer(f, 0) < 0) {
        printf("FAIL %s: cannot allocate a frame\n", name);
        av_frame_free(&f);
        return 1;
    }
    fill(f, d);
    ConvertPlan plan;
    char why[200];
    VmafxPicture pic;
    int bad = 1;
    if (convert_plan(&plan, fmt, w, h, why, sizeof(why))) printf("FAIL %s: refused: %s\n", name, why);
    else if (plan.geo.bpc != (unsigned)d->comp[0].depth)
        printf("FAIL %s: bit depth %u, want %d\n", name, plan.geo.bpc, d->comp[0].depth);
    else if (vmafx_picture_alloc(&pic, plan.geo.fmt, plan.geo.bpc, plan.geo.w, plan.geo.h))
        printf("FAIL %s: cannot allocate a picture\n", name);
    else {
        convert_frame(&plan, f, &pic);
        bad = compare(&pic, d, name);
        vmafx_picture_free(&pic);
    }
    av_frame_free(&f);
    return bad;
}

static int check_refused(const char *name)
{
    enum AVPixelFormat fmt = av_get_pix_fmt(name);
    if (fmt == AV_PIX_FMT_NONE) {
        printf("skip %s (not in this libavutil)\n", name);
        return 0;
    }
    ConvertPlan plan;
    char why[200];
    if (!convert_plan(&plan, fmt, 16, 16, why, sizeof(why))) {
        printf("FAIL %s: accepted, but it cannot reach the engine unchanged\n", name);
        return 1;
    }
    if (!strstr(why, name)) {
        printf("FAIL %s: the refusal does not name the format: %s\n", name, why);
        return 1;
    }
    printf("ok   %s refused: %s\n", name, why);
    return 0;
}

int main(void)
{
    int bad = 0;
    /* odd sizes: chroma planes round up, as the engine's pictures do */
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        bad += check_accepted(accepted[i], 37, 23) + check_accepted(accepted[i], 64, 2);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) bad += check_refused(refused[i]);
    printf("%d failed\n", bad);
    return bad ? 1 : 0;
}
