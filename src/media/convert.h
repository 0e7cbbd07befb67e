/* Decoded frames (any YUV layout libav has) → the planar pictures the engine reads.
 * Only rearranges: planar copies, interleaved chroma split (nv12, p010, ...), packed 4:2:2
 * unpacked (yuyv422), samples stored high in their word shifted down (p010: >> 6), big-endian
 * words swapped, alpha dropped. Sample values and bit depth never change; a layout that would
 * need a value change (RGB, palette, float, 4:1:1) is refused with its name. */
#ifndef VMAFX_MEDIA_CONVERT_H
#define VMAFX_MEDIA_CONVERT_H

#include <stddef.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "media.h"

typedef struct ConvertComp {
    int plane, step, offset, shift, word, big_endian;
} ConvertComp;

typedef struct ConvertPlan {
    enum AVPixelFormat src;
    MediaGeometry geo;   /* the engine layout: 4:2:0 / 4:2:2 / 4:4:4, bit depth, size */
    ConvertComp comp[3]; /* Y, Cb, Cr */
    unsigned mask;
} ConvertPlan;

/* 0, or negative with the reason in why ("pixel format rgb24 is not YUV ..."). */
int convert_plan(ConvertPlan *p, enum AVPixelFormat fmt, int w, int h, char *why, size_t n);
/* pic has the plan's geometry (vmafx_picture_alloc). */
void convert_frame(const ConvertPlan *p, const AVFrame *f, VmafxPicture *pic);

#endif
