/* Planar YUV pictures. */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
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

/* Pictures allocated together share one block (big_zeroed): a 64-byte header in front of the
 * block counts the pictures still holding it, and one in front of each picture's buffer
 * points back to it, so each picture is freed on its own whichever owner ends up with it
 * (the runner and the readers' queues exchange pictures). */
#define HEADER 64

typedef struct PictureBlock {
    atomic_uint holders;
} PictureBlock;

/* Plane layout of one picture; the bytes its buffer needs. */
static size_t layout(VmafxPicture *pic, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h,
                     size_t off[3])
{
    unsigned sx, sy;
    chroma_shift(fmt, &sx, &sy);
    size_t bps = bpc > 8 ? 2 : 1;
    size_t total = 0;
    for (int p = 0; p < 3; p++) {
        pic->w[p] = p ? (w + sx) >> sx : w;
        pic->h[p] = p ? (h + sy) >> sy : h;
        /* rows aligned to 64 bytes so SIMD kernels may read whole vectors */
        pic->stride[p] = (ptrdiff_t)((pic->w[p] * bps + 63) & ~(size_t)63);
        off[p] = total;
        total += (size_t)pic->stride[p] * pic->h[p] + 64;
    }
    pic->pix_fmt = fmt;
    pic->bpc = bpc;
    return (total + 63) & ~(size_t)63;
}

int vmafx_picture_alloc_many(VmafxPicture *pics, unsigned n, enum VmafxPixelFormat fmt, unsigned bpc,
                             unsigned w, unsigned h)
{
    if (!pics || !n) return -EINVAL;
    memset(pics, 0, n * sizeof(*pics));
    if (!format_valid(fmt, bpc, w, h)) return -EINVAL;
    VmafxPicture shape = { 0 };
    size_t off[3], bytes = layout(&shape, fmt, bpc, w, h, off);
    uint8_t *block = big_zeroed(HEADER + n * (HEADER + bytes));
    if (!block) return -ENOMEM;
    atomic_init(&((PictureBlock *)(void *)block)->holders, n);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *buf = block + HEADER + i * (HEADER + bytes) + HEADER;
        *(PictureBlock **)(void *)(buf - HEADER) = (PictureBlock *)(void *)block;
        pics[i] = shape;
        for (int p = 0; p < 3; p++) pics[i].data[p] = buf + off[p];
        pics[i].buf = buf;
    }
    return 0;
}

int vmafx_picture_alloc(VmafxPicture *pic, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (!pic) return -EINVAL;
    return vmafx_picture_alloc_many(pic, 1, fmt, bpc, w, h);
}

void vmafx_picture_free(VmafxPicture *pic)
{
    if (!pic) return;
    if (pic->buf) {
        PictureBlock *b = *(PictureBlock **)(void *)((uint8_t *)pic->buf - HEADER);
        if (atomic_fetch_sub(&b->holders, 1) == 1) big_free(b);
    }
    memset(pic, 0, sizeof(*pic));
}
