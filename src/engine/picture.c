/* Planar YUV pictures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmafx/vmafx.h"
#include "big_alloc.h"

static void chroma_shift(enum VmafxPixelFormat fmt, unsigned *sx, unsigned *sy)
{
    *sx = fmt == VMAFX_PIX_FMT_YUV444P ? 0 : 1;
    *sy = fmt == VMAFX_PIX_FMT_YUV420P ? 1 : 0;
}

static int format_valid(enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (fmt != VMAFX_PIX_FMT_YUV420P && fmt != VMAFX_PIX_FMT_YUV422P && fmt != VMAFX_PIX_FMT_YUV444P)
        return 0;
    if (bpc < 8 || bpc > 16) return 0;
    /* 1x1 is the smallest picture; the cap keeps every size computation in range */
    return w >= 1 && h >= 1 && w <= 32768 && h <= 32768;
}

size_t vmafx_picture_frame_bytes(enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (!format_valid(fmt, bpc, w, h)) return 0;
    unsigned sx, sy;
    chroma_shift(fmt, &sx, &sy);
    size_t cw = (w + sx) >> sx, ch = (h + sy) >> sy;
    size_t bps = bpc > 8 ? 2 : 1;
    return bps * ((size_t)w * h + 2 * cw * ch);
}

int vmafx_picture_alloc(VmafxPicture *pic, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (!pic) return -EINVAL;
    memset(pic, 0, sizeof(*pic));
    if (!format_valid(fmt, bpc, w, h)) return -EINVAL;
    unsigned sx, sy;
    chroma_shift(fmt, &sx, &sy);
    size_t bps = bpc > 8 ? 2 : 1;
    size_t total = 0, off[3];
    for (int p = 0; p < 3; p++) {
        pic->w[p] = p ? (w + sx) >> sx : w;
        pic->h[p] = p ? (h + sy) >> sy : h;
        /* rows aligned to 64 bytes so SIMD kernels may read whole vectors */
        pic->stride[p] = (ptrdiff_t)((pic->w[p] * bps + 63) & ~(size_t)63);
        off[p] = total;
        total += (size_t)pic->stride[p] * pic->h[p] + 64;
    }
    uint8_t *buf = big_alloc_cleared((total + 63) & ~(size_t)63);
    if (!buf) return -ENOMEM;
    for (int p = 0; p < 3; p++) pic->data[p] = buf + off[p];
    pic->buf = buf;
    pic->pix_fmt = fmt;
    pic->bpc = bpc;
    return 0;
}

void vmafx_picture_free(VmafxPicture *pic)
{
    if (!pic) return;
    free(pic->buf);
    memset(pic, 0, sizeof(*pic));
}
